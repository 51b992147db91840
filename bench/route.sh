#!/bin/sh
# make bench, part 6: or-route, which must never be the slow stage.
#  1. BENCH_ROUTE_N records routed by the installed table against the
#     fixture catalog, without history and with a log of BENCH_ROUTE_LOG
#     rows (goal: >= 200,000 records/s)
#  2. startup, one record, with that log and without, less what the same
#     pipeline through cat takes (goal: <= 20 ms)
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_ROUTE_N:-100000}
ROWS=${BENCH_ROUTE_LOG:-1000000}
. "$top/bench/lib.sh"

export XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
mkdir -p "$XDG_CACHE_HOME/orkit"
cp "$top/tests/fixtures/models.json" "$XDG_CACHE_HOME/orkit/models.json"
jq -nc --argjson n "$N" 'range($n) | {id: ., prompt: "question \(.) about topic t\(. % 997)",
    priority: (["cost", "speed", "quality", "balanced"][. % 4])}' >"$tmp/in"

# A log of ROWS rows over 30 days, among the table's models.
db=$tmp/log.db
or-log -d "$db" </dev/null
sqlite3 "$db" "
    WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k
        WHERE n < $ROWS)
    INSERT INTO requests(ts, model, served, status, latency_ms, record)
    SELECT $(date +%s000) - n * (30 * 86400000 / $ROWS),
        CASE n % 4 WHEN 0 THEN 'openai/gpt-4o-mini'
            WHEN 1 THEN 'google/gemini-2.0-flash-001'
            WHEN 2 THEN 'mistralai/mistral-nemo'
            ELSE 'anthropic/claude-sonnet-4' END,
        NULL, CASE WHEN n % 17 = 0 THEN 'timeout' ELSE 'ok' END,
        200 + n % 1000, '{}'
    FROM k"

now() { date +%s%N; }
rate() {
	t0=$(now)
	or-route "$@" <"$tmp/in" >/dev/null
	t1=$(now)
	echo $(( N * 1000000000 / (t1 - t0) ))
}
# The best of 9 runs of one record through CMD, in ms, less the same
# pipeline through cat: the shell's fork, pipe and clock reads are not
# or-route's startup.
pipe_ms() {
	for i in 1 2 3 4 5 6 7 8 9; do
		t0=$(now)
		echo '{"prompt":"Say hi"}' | "$@" >/dev/null
		t1=$(now)
		echo $((t1 - t0))
	done | sort -n | head -1
}
best_ms() {
	shell=$(pipe_ms cat)
	calc '%.1f' "($(pipe_ms or-route "$@") - $shell) / 1e6"
}

figure_head "orkit route bench: $N records, the installed table, a log of $ROWS rows"
a=$(rate --no-history)
figure "or-route, $N records, no history" "$a rec/s" ">= 200000"
figure "or-route, time per record, no history" "$(calc %.1f "1e6 / $a") us"
b=$(rate -d "$db")
figure "or-route, $N records, $ROWS-row history" "$b rec/s" ">= 200000"
figure "or-route startup, no history" "$(best_ms --no-history) ms" "<= 20"
figure "or-route startup, $ROWS-row history" "$(best_ms -d "$db") ms" "<= 20"
