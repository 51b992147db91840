#!/bin/sh
# make demo: a real pipeline. Against the real API (a free model) when
# OPENROUTER_API_KEY is set, else against the bundled fake server.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
PATH=$top/bin:$PATH
tmp=$(mktemp -d)
pid=
cleanup() {
	[ -n "$pid" ] && kill "$pid" 2>/dev/null && wait "$pid" 2>/dev/null
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

if [ -n "${OPENROUTER_API_KEY:-}" ]; then
	base=${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}
	model=${ORKIT_DEMO_MODEL:-$(curl -fsS "$base/models" |
	    jq -r '[.data[].id | select(endswith(":free"))][0]')}
	echo "demo: the real API, with the free model $model"
else
	export OPENROUTER_API_KEY=sk-or-v1-demo-key-for-the-fake-server
	FAKEOR_KEY=$OPENROUTER_API_KEY "$top/tests/fake/fakeor" \
	    >"$tmp/port" 2>"$tmp/fake.err" &
	pid=$!
	for i in $(seq 100); do [ -s "$tmp/port" ] && break; sleep 0.05; done
	[ -s "$tmp/port" ] || { cat "$tmp/fake.err" >&2; exit 1; }
	export OPENROUTER_BASE_URL=http://127.0.0.1:$(cat "$tmp/port")
	model=meta-llama/llama-3.3-8b-instruct:free
	echo "demo: no OPENROUTER_API_KEY, so the fake server at $OPENROUTER_BASE_URL"
fi

# Shows a command as it would be typed, then runs it.
run() {
	printf '\n$ %s\n' "$1"
	eval "$1"
}

run "or-send -t -m $model 'Say hi in Portuguese'"
printf 'Name a prime number.\nWhat is the capital of Peru?\n' >"$tmp/questions.txt"
cd "$tmp"
run "cat questions.txt"
run "jq -Rc '{prompt: .}' questions.txt |
    or-send -m $model -o max_tokens=60 |
    jq -c '{prompt, answer: .response.choices[0].message.content,
        model: .response.model, tokens: .response.usage.total_tokens,
        usd: .response.usage.cost, error: .error.message}'"
