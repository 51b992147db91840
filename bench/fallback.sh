#!/bin/sh
# make bench, part 6: --fallback activation. BENCH_FB_REQS records, one
# at a time, whose first model (openai/gpt-4o-mini) answers 502 to every
# attempt: from the fake's request log, the time from that model's last
# failed attempt to the fallback model's first request, per record
# (seed target 200 ms; goal <= 50 ms).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
REQS=${BENCH_FB_REQS:-20}
. "$top/bench/lib.sh"

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
export ORKIT_RETRY_BASE_MS=1
fake_start -l "$tmp/log" -s "$tmp/script"
i=0
while [ $i -lt $((REQS * 4)) ]; do
	echo 'status 502 if=gpt-4o-mini'
	i=$((i + 1))
done >"$tmp/script"
i=0
while [ $i -lt "$REQS" ]; do
	printf '{"prompt":"fallback %d"}\n' $i
	i=$((i + 1))
done | or-send -P 1 -m openai/gpt-4o-mini --fallback anthropic/claude-3.5-haiku \
    >"$tmp/out" 2>/dev/null || :
jq -s -r '[.[] | select(.path == "/chat/completions")
    | {p: .body.messages[-1].content, m: .body.model, t: .at_ms}]
    | group_by(.p) | map(([.[] | select(.m == "openai/gpt-4o-mini") | .t] | max) as $a
    | ([.[] | select(.m != "openai/gpt-4o-mini") | .t] | min) as $b
    | select($a != null and $b != null) | $b - $a)
    | "\(length) \(add / length) \(max)"' "$tmp/log" >"$tmp/gaps"
read -r n mean max <"$tmp/gaps"
figure_head "orkit fallback bench: from the first model's last failure to the next model's request, over $n records (seed 200 ms)"
figure "--fallback activation, mean" "$(calc %.1f "$mean") ms" "<= 50 ms"
figure "--fallback activation, most" "$max ms"
ok=$(jq -s '[.[] | select(.response != null)] | length' "$tmp/out")
[ "$ok" = "$REQS" ] || echo "  ! only $ok of $REQS records were answered by the fallback"
