#!/bin/sh
# make demo: a real pipeline. Against the real API (a free model) when
# OPENROUTER_API_KEY is set, else against the bundled fake server.
#
# The model comes from the catalog as or-models reads it (sending the key
# when there is one), or from ORKIT_DEMO_MODEL; with neither, the demo
# stops with one line saying why, before any pipeline runs.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
. "$top/bench/lib.sh"

# Sets model: ORKIT_DEMO_MODEL, else the first ":free" model of the
# catalog. Exits 1 with one line when there is none.
pick_model() {
	model=${ORKIT_DEMO_MODEL:-}
	[ -z "$model" ] || return 0
	if ! or-models --free --ids >"$tmp/free.txt"; then
		echo "demo: no model catalog from $OPENROUTER_BASE_URL" \
		    "(or-models said why, above), so no model to run the" \
		    "demo with; ORKIT_DEMO_MODEL=ID names one" >&2
		exit 1
	fi
	model=$(grep ':free$' "$tmp/free.txt" | head -n 1) || :
	if [ -z "$model" ]; then
		echo "demo: the catalog has no free model (no id ends in" \
		    ":free), and the demo spends nothing;" \
		    "ORKIT_DEMO_MODEL=ID names one" >&2
		exit 1
	fi
}

if [ -n "${OPENROUTER_API_KEY:-}" ]; then
	export OPENROUTER_BASE_URL="${OPENROUTER_BASE_URL:-https://openrouter.ai/api/v1}"
	where="the API at $OPENROUTER_BASE_URL"
else
	export OPENROUTER_API_KEY=sk-or-v1-demo-key-for-the-fake-server
	# The fake's catalog goes to a cache of its own, not the user's.
	export XDG_CACHE_HOME="$tmp/cache"
	fake_start
	where="no OPENROUTER_API_KEY, so the fake server at $OPENROUTER_BASE_URL"
fi
pick_model
echo "demo: $where; the model $model"

# Shows a command as it would be typed, then runs it.
run() {
	printf '\n$ %s\n' "$1"
	eval "$1"
}

run "or-send -t -m '$model' 'Say hi in Portuguese' </dev/null"
printf 'Name a prime number.\nWhat is the capital of Peru?\n' >"$tmp/questions.txt"
cd "$tmp"
run "cat questions.txt"
run "jq -Rc '{prompt: .}' questions.txt |
    or-send -m '$model' -o max_tokens=60 | or-cost | or-log -d log.db |
    jq -c '{prompt, answer: .response.choices[0].message.content,
        model: .response.model, tokens: .response.usage.total_tokens,
        usd: .cost.usd, source: .cost.source, error: .error.message}'"
run "jq -Rc '{prompt: ., max_tokens: 60}' questions.txt |
    or-route --free --no-history | or-send | or-cost | or-log -d log.db |
    jq -c '{prompt, model, strategy: .routed.strategy,
        answer: .response.choices[0].message.content, usd: .cost.usd,
        error: .error.message}'"
run "or-log -d log.db stats --by model -t"
