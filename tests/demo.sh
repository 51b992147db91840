#!/bin/sh
# make demo: a real pipeline. Against the real API (a free model) when
# OPENROUTER_API_KEY is set, else against the bundled fake server.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

if [ -n "${OPENROUTER_API_KEY:-}" ]; then
	base=${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}
	model=${ORKIT_DEMO_MODEL:-$(curl -fsS "$base/models" |
	    jq -r '[.data[].id | select(endswith(":free"))][0]')}
	echo "demo: the real API, with the free model $model"
else
	export OPENROUTER_API_KEY=sk-or-v1-demo-key-for-the-fake-server
	fake_start
	model=meta-llama/llama-3.3-8b-instruct:free
	echo "demo: no OPENROUTER_API_KEY, so the fake server at $OPENROUTER_BASE_URL"
fi

# Shows a command as it would be typed, then runs it.
run() {
	printf '\n$ %s\n' "$1"
	eval "$1"
}

run "or-send -t -m $model 'Say hi in Portuguese' </dev/null"
printf 'Name a prime number.\nWhat is the capital of Peru?\n' >"$tmp/questions.txt"
cd "$tmp"
run "cat questions.txt"
run "jq -Rc '{prompt: .}' questions.txt |
    or-send -m $model -o max_tokens=60 | or-cost | or-log -d log.db |
    jq -c '{prompt, answer: .response.choices[0].message.content,
        model: .response.model, tokens: .response.usage.total_tokens,
        usd: .cost.usd, source: .cost.source, error: .error.message}'"
run "jq -Rc '{prompt: .}' questions.txt | or-route --free --no-history |
    jq -c '{prompt, model, strategy: .routed.strategy}'"
run "or-log -d log.db stats --by model -t"
