#!/bin/sh
# make bench, part 4: or-cost's /generation lookups against the fake server.
#  1. BENCH_COST_REQS records (answered first by or-send against the same
#     fake, which remembers their generations) through or-cost -P
#     BENCH_COST_P, every GET /generation held BENCH_COST_DELAY_MS: wall
#     time, lookups a second, and the fraction of the ideal
#     REQS x DELAY / P (goal >= 0.9)
#  2. the same records through or-cost --no-generation (no requests), and
#     --total over them, for scale; or-cost's peak RSS in 1
# Every counter is an environment variable; the key is never in argv.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
REQS=${BENCH_COST_REQS:-10000}
P=${BENCH_COST_P:-32}
DELAY=${BENCH_COST_DELAY_MS:-20}
. "$top/bench/lib.sh"

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
fake_start -g "$DELAY"

yes '{"prompt":"Say hi"}' | head -n "$REQS" | or-send -P 64 >"$tmp/sent"
ideal_s=$(calc %.2f "$REQS * $DELAY / $P / 1000")
figure_head "orkit cost bench: $REQS records, $P lookups at a time, the fake server holding each GET /generation $DELAY ms (ideal ${ideal_s} s)"

timef=/usr/bin/time
[ -x "$timef" ] || timef=
rc=0
t0=$(now_us)
${timef:+$timef -f %M -o "$tmp/rss"} or-cost -P "$P" <"$tmp/sent" \
    >"$tmp/costed" || rc=$?
t1=$(now_us)
us=$((t1 - t0))
figure "or-cost -P $P, fraction of ideal" \
    "$(calc %.2f "$ideal_s * 1e6 / $us")" ">= 0.9"
[ "$rc" = 0 ] || echo "  ! or-cost exited $rc"
n=$(grep -c '"source":"generation"' "$tmp/costed" || :)
[ "$n" = "$REQS" ] || echo "  ! only $n of $REQS records got the generation's figure"
[ -z "$timef" ] || figure "or-cost peak RSS, $REQS records" \
    "$(calc %.1f "$(tail -n 1 "$tmp/rss") / 1024") MB"

t0=$(now_us)
or-cost --no-generation <"$tmp/sent" >/dev/null
t1=$(now_us)
figure "or-cost --no-generation, $REQS records" \
    "$(calc %.2f "$((t1 - t0)) / 1e6") s"
t0=$(now_us)
or-cost --total <"$tmp/costed" >/dev/null
t1=$(now_us)
figure "or-cost --total, $REQS records" "$(calc %.2f "$((t1 - t0)) / 1e6") s"
