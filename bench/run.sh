#!/bin/sh
# make bench: orkit's speed as ratios to the tools people already use.
#  1. one request against the fake server on loopback, whole process:
#     or-send -t versus curl -s -d @body URL | jq -r .choices[0].message.content
#  2. startup: each tool's --version versus jq -n 1
# Both sides run through sh -c, so both pay for the same shell; BENCH_N
# runs each (default 100).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_N:-100}
. "$top/bench/lib.sh"

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
fake_start
export BODY=$tmp/body HDR=$tmp/hdr
printf '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}]}' >"$BODY"
printf 'Authorization: Bearer %s\nContent-Type: application/json\n' \
    "$OPENROUTER_API_KEY" >"$HDR"

figure_head "orkit bench: $N runs each, mean wall time per run (each through sh -c)"
a=$(mean_us 'or-send -t -m openai/gpt-4o-mini "Say hi"')
b=$(mean_us 'curl -s -H @"$HDR" -d @"$BODY" "$OPENROUTER_BASE_URL/chat/completions" | jq -r ".choices[0].message.content"')
figure "or-send -t, one request" "$a us"
figure "curl | jq, one request" "$b us"
figure "or-send -t / curl | jq" "$(ratio "$a" "$b")"
base=$(mean_us 'jq -n 1')
figure "jq -n 1" "$base us"
for t in or-send or-models or-route or-cost or-log; do
	figure "$t --version" "$(mean_us "$t --version") us"
done
