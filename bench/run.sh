#!/bin/sh
# make bench: orkit's speed as ratios to the tools people already use.
#  1. one request against the fake server on loopback, whole process:
#     or-send -t versus curl -s -d @body URL | jq -r .choices[0].message.content
#  2. startup: each tool's --version versus jq -n 1
# Both sides run through sh -c, so both pay for the same shell.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$PATH
N=${BENCH_N:-200}
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
FAKEOR_KEY=$OPENROUTER_API_KEY "$top/tests/fake/fakeor" >"$tmp/port" \
    2>/dev/null &
pid=$!
while [ ! -s "$tmp/port" ]; do sleep 0.05; done
export OPENROUTER_BASE_URL=http://127.0.0.1:$(cat "$tmp/port")
export BODY=$tmp/body HDR=$tmp/hdr
printf '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Say hi"}]}' >"$BODY"
printf 'Authorization: Bearer %s\nContent-Type: application/json\n' \
    "$OPENROUTER_API_KEY" >"$HDR"

# Mean wall time of one run of a shell command, in microseconds.
mean_us() {
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$N" ]; do
		sh -c "$1" >/dev/null 2>&1
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / N / 1000))
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

row() {
	printf '%-34s %8s us  %-30s %8s us  ratio %s\n' "$1" "$2" "$3" "$4" \
	    "$(ratio "$2" "$4")"
}

echo "orkit bench: $N runs each, mean wall time per run"
a=$(mean_us 'or-send -t -m openai/gpt-4o-mini "Say hi"')
b=$(mean_us 'curl -s -H @"$HDR" -d @"$BODY" "$OPENROUTER_BASE_URL/chat/completions" | jq -r ".choices[0].message.content"')
row "or-send -t (one request)" "$a" "curl | jq" "$b"
base=$(mean_us 'jq -n 1')
for t in or-send or-models or-route or-cost or-log; do
	row "$t --version" "$(mean_us "$t --version")" "jq -n 1" "$base"
done
