#!/bin/sh
# make bench, part 3: or-log against the sqlite3 CLI.
#  1. BENCH_LOG_N records (the captured chat records of tests/fixtures/log,
#     varied) appended by one or-log, versus sqlite3's .import of the same
#     rows, as CSV, into the same schema (goal: >= 1.0x its rate), and
#     or-log's peak RSS doing it
#  2. stats (from the per-day sums, and with --where from the rows),
#     lib/store's named reads (as or-route's history and or-log budget
#     take them, through tests/unit/storecheck) and search on a log of
#     BENCH_LOG_BIG rows, best of five runs each (goal: <= 100 ms; 20 ms
#     for or-route's history; 50 ms for search)
#  3. eight or-logs appending BENCH_LOG_W records each to one log at once:
#     the total rate, and that every row is there exactly once
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_LOG_N:-100000}
BIG=${BENCH_LOG_BIG:-1000000}
W=${BENCH_LOG_W:-10000}
. "$top/bench/lib.sh"
command -v sqlite3 >/dev/null || { echo "bench/log.sh: needs sqlite3" >&2; exit 2; }

now() { date +%s%N; }

# Records in the shape or-send and or-cost leave them: five models,
# each prompt and answer its own words.
jq -c --slurpfile r "$top/tests/fixtures/log/records.jsonl" -n \
    --argjson n "$N" '
    range($n) as $i | $r[$i % 5] |
    .id = "job-\($i)" |
    .prompt = "question \($i) about topic t\($i % 997) and w\($i % 31)" |
    if .response then
        .response.id = "gen-\($i)" |
        .response.choices[0].message.content = "answer \($i) says a\($i % 13)"
    else . end' >"$tmp/recs.jsonl"

figure_head "orkit log bench: $N records appended, a log of $BIG rows read"

# 1. One or-log versus sqlite3 .import.
if /usr/bin/time -f %M true 2>/dev/null; then timef=/usr/bin/time; else timef=; fi
t0=$(now)
${timef:+$timef -f %M -o "$tmp/rss"} or-log -d "$tmp/a.db" \
    <"$tmp/recs.jsonl" >/dev/null || [ $? -eq 1 ]
t1=$(now)
ours=$(calc %.0f "$N / (($t1 - $t0) / 1e9)")
sqlite3 -csv "$tmp/a.db" 'SELECT * FROM requests' >"$tmp/rows.csv"
or-log -d "$tmp/b.db" </dev/null
# CSV has no NULL: every missing generation id would come in as '' and
# collide in the stored-once index, which .import then does not keep up.
sqlite3 "$tmp/b.db" 'DROP INDEX requests_once'
t0=$(now)
sqlite3 -cmd 'PRAGMA synchronous = NORMAL' "$tmp/b.db" \
    ".import --csv $tmp/rows.csv requests"
t1=$(now)
theirs=$(calc %.0f "$N / (($t1 - $t0) / 1e9)")
[ "$(sqlite3 "$tmp/b.db" 'SELECT count(*) FROM requests')" -eq "$N" ]
figure "or-log append, $N records" "$ours rows/s"
figure "sqlite3 .import, same rows, no once-index" "$theirs rows/s"
figure "or-log append / sqlite3 .import" "$(calc %.2f "$ours / $theirs")" ">= 1.0"
[ -z "$timef" ] || figure "or-log peak RSS, $N records" \
    "$(calc %.1f "$(tail -1 "$tmp/rss") / 1024") MB"

# 2. A big log: the rows above again and again, a day apart.
copies=$(( (BIG + N - 1) / N - 1 ))
sqlite3 "$tmp/a.db" "
    WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k
        WHERE n < $copies)
    INSERT INTO requests(ts, job, model, served, provider, gen_id, status,
        http, prompt_tokens, completion_tokens, reasoning_tokens,
        cached_tokens, usd, usd_source, latency_ms, ttft_ms, req_hash,
        cached, prompt, answer, record)
    SELECT ts - n * 86400000, job || '.' || n, model, served, provider,
        gen_id || '.' || n, status, http, prompt_tokens, completion_tokens,
        reasoning_tokens, cached_tokens, usd, usd_source, latency_ms + n,
        ttft_ms, req_hash, cached, prompt || ' copy c' || n, answer, record
    FROM requests, k WHERE requests.id <= $N;"
rows=$(sqlite3 "$tmp/a.db" 'SELECT count(*) FROM requests')

best_ms() {
	for i in 1 2 3 4 5; do
		t0=$(now)
		sh -c "$1" >/dev/null
		t1=$(now)
		calc '%.1f\n' "($t1 - $t0) / 1e6"
	done | sort -n | head -1
}
A=$tmp/a.db
SC=$top/tests/unit/storecheck
day0=$(sqlite3 "$A" 'SELECT (max(ts) / 86400000 - 29) * 86400000 FROM requests')
date0=$(sqlite3 "$A" "SELECT strftime('%Y-%m-%d', $day0 / 1000, 'unixepoch')")
ms() { echo "$(best_ms "$1") ms"; }
figure "stats --by model, $rows rows" "$(ms "or-log -d $A stats --by model")" "<= 100"
figure "stats --by day, $rows rows" "$(ms "or-log -d $A stats --by day")" "<= 100"
figure "stats --by provider --since DAY, $rows rows" \
    "$(ms "or-log -d $A stats --by provider --since $date0")" "<= 100"
figure "stats --by day --since 30d, $rows rows" \
    "$(ms "or-log -d $A stats --by day --since 30d")" "<= 100"
figure "stats --by day --where, $rows rows" \
    "$(ms "or-log -d $A stats --by day --where \"status = 'ok'\"")" \
    "(rows)"
figure "named read models, 30 days, $rows rows" \
    "$(ms "$SC $A models $day0 9223372036854775807")" "<= 20"
figure "named read day, all, $rows rows" "$(ms "$SC $A day")" "<= 100"
figure "named read month, all, $rows rows" "$(ms "$SC $A month")" "<= 100"
figure "named read job job-, all, $rows rows" \
    "$(ms "$SC $A job -9223372036854775808 9223372036854775807 job-")" \
    "<= 100"
figure "search 't123 AND w30', $rows rows" \
    "$(ms "or-log -d $A search 't123 AND w30'")" "<= 50"
figure "search 4242 (ten rows), $rows rows" \
    "$(ms "or-log -d $A search 4242")" "<= 50"
figure "search question (every row), $rows rows" \
    "$(ms "or-log -d $A search question")"
figure "sqlite3 SELECT count(*), $rows rows" \
    "$(ms "sqlite3 $A 'SELECT count(*) FROM requests'")"

# 3. Eight writers at once.
# Each writer's records its own (the same request twice is one row).
for i in 1 2 3 4 5 6 7 8; do
	head -n "$W" "$tmp/recs.jsonl" | jq -c --arg w "$i" '.meta.writer = $w |
	    if .response then .response.id += ".w" + $w else . end' \
	    >"$tmp/w$i.jsonl"
done
t0=$(now)
for i in 1 2 3 4 5 6 7 8; do
	or-log -d "$tmp/p.db" <"$tmp/w$i.jsonl" >/dev/null 2>&1 &
done
wait
t1=$(now)
got=$(sqlite3 "$tmp/p.db" 'SELECT count(*) FROM requests')
figure "8 or-logs at once, $W records each" \
    "$(calc %.0f "8 * $W / (($t1 - $t0) / 1e9)") rows/s"
figure "8 or-logs at once, rows stored of $((8 * W))" "$got" "= $((8 * W))"
[ "$got" -eq $((8 * W)) ]
