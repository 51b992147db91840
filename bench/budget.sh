#!/bin/sh
# make bench, part 7: what or-send's budget gate costs.
#  BENCH_BUDGET_REQS records through or-send -P BENCH_P, every chat request
#  held BENCH_DELAY_MS by the fake server, without limits and with limits
#  on the run, the day, the month and the model counted against a ledger:
#  the throughput ratio (goal: within 2 %) and the CPU each request costs
#  more; and the same limits counted with --budget-shared (a SQLite
#  transaction at each start and each answer). The records name a model
#  and max_tokens, so each is bounded.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
REQS=${BENCH_BUDGET_REQS:-10000}
P=${BENCH_P:-64}
DELAY=${BENCH_DELAY_MS:-20}
. "$top/bench/lib.sh"

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
export XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
mkdir -p "$XDG_CACHE_HOME/orkit"
cp "$top/tests/fixtures/models.json" "$XDG_CACHE_HOME/orkit/models.json"
jq -nc --argjson n "$REQS" 'range($n) | {id: "job-\(.)",
    model: "openai/gpt-4o-mini", prompt: "Say hi", max_tokens: 16}' >"$tmp/in"
db=$tmp/ledger.db
or-log -d "$db" </dev/null

timef=/usr/bin/time
[ -x "$timef" ] || timef=
# run NAME [FLAG ...]: wall us in $NAME_us, CPU us a request in $NAME_cpu.
run() {
	name=$1
	shift
	fake_start -d "$DELAY"
	t0=$(now_us)
	${timef:+$timef -f '%U %S' -o "$tmp/cpu"} or-send -P "$P" "$@" \
	    <"$tmp/in" >/dev/null || echo "  ! or-send $* exited $?"
	t1=$(now_us)
	eval "${name}_us=$((t1 - t0))"
	eval "${name}_cpu=$([ -z "$timef" ] && echo 0 || awk -v n="$REQS" \
	    '{ printf "%.1f", ($1 + $2) * 1e6 / n }' "$tmp/cpu")"
}

figure_head "orkit budget bench: $REQS chat requests, $P at a time, the fake server holding each $DELAY ms"
# Alternate, so a slower moment of the machine is not put on one side,
# and keep the best of each: wall time here varies by 10 % run to run.
best_plain=0 best_gated=0 best_shared=0
limits="--ledger $db --budget run=1000,day=1000,month=1000 --budget model:openai/gpt-4o-mini=1000/day"
for i in 1 2 3 4 5; do
	run plain --no-budget
	run gated $limits
	[ "$best_plain" -gt 0 ] && [ "$best_plain" -le "$plain_us" ] ||
	    { best_plain=$plain_us; cpu_plain=$plain_cpu; }
	[ "$best_gated" -gt 0 ] && [ "$best_gated" -le "$gated_us" ] ||
	    { best_gated=$gated_us; cpu_gated=$gated_cpu; }
	[ "$i" -gt 3 ] && continue
	run shared $limits --budget-shared
	[ "$best_shared" -gt 0 ] && [ "$best_shared" -le "$shared_us" ] ||
	    { best_shared=$shared_us; cpu_shared=$shared_cpu; }
done
figure "or-send -P $P, budgets / none, throughput" \
    "$(calc %.3f "$best_plain / $best_gated")" ">= 0.98"
if [ -n "$timef" ]; then
	figure "or-send -P $P, CPU per request, no budget" "$cpu_plain us"
	figure "or-send -P $P, CPU per request, 4 limits" "$cpu_gated us"
	figure "or-send -P $P, the gate's CPU per request" \
	    "$(calc %.1f "$cpu_gated - $cpu_plain") us"
fi
figure "or-send -P $P, --budget-shared / none, throughput" \
    "$(calc %.3f "$best_plain / $best_shared")"
[ -z "$timef" ] || figure "or-send -P $P, CPU per request, --budget-shared" \
    "$cpu_shared us"
