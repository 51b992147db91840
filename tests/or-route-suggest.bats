#!/usr/bin/env bats
# or-route suggest: cheaper models that meet the logged needs.

load helper

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR"
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	# The 2025 catalog, fetched just now: nothing goes to the network
	# (OPENROUTER_BASE_URL points at a closed port).
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
}

# One answered request: model, prompt and completion tokens, the USD
# logged, send.started_at, and keys merged in (tools, messages ...).
rec() {
	jq -nc --arg m "$1" --argjson p "$2" --argjson c "$3" \
	    --argjson usd "$4" --arg t "$5" --argjson x "${6:-{\}}" \
	    '{model: $m, messages: [{role: "user", content: "hi"}],
	    response: {id: "gen-\($m)-\($t)", model: $m,
	    choices: [{message: {content: "ok"}}],
	    usage: {prompt_tokens: $p, completion_tokens: $c, cost: $usd}},
	    send: {status: 200, started_at: $t}} * $x'
}

TOOLS='{"tools":[{"type":"function","function":{"name":"f","parameters":{}}}]}'
JSON_IMAGE='{"response_format":{"type":"json_object"},"messages":[{"role":"user","content":[{"type":"text","text":"what is it?"},{"type":"image_url","image_url":{"url":"data:image/png;base64,AA=="}}]}]}'

# The log every test below reads.
seeded() {
	{
		rec openai/gpt-4.1 1000 500 0.006 2026-11-20T10:00:00.000Z "$TOOLS"
		rec openai/gpt-4.1 3000 1000 0.014 2026-11-21T10:00:00.000Z
		# Answered from the log, and a failure: neither counts.
		rec openai/gpt-4.1 90000 9000 0 2026-11-21T10:30:00.000Z '{"send":{"cached":true}}'
		jq -nc '{model: "openai/gpt-4.1", prompt: "x",
		    error: {type: "rate_limit_exceeded", message: "slow down"},
		    send: {status: 429, started_at: "2026-11-21T10:40:00.000Z"}}'
		rec anthropic/claude-sonnet-4 2000 100 0.009 2026-11-21T11:00:00.000Z "$JSON_IMAGE"
		rec google/gemini-2.5-pro-preview 150000 1000 0.1975 2026-11-22T10:00:00.000Z
		# Not in the catalog: its baseline is what was logged.
		rec openai/gpt-5 100 100 0.001 2026-11-22T11:00:00.000Z
	} >recs.jsonl
	or-log <recs.jsonl >/dev/null || [ $? -eq 1 ]
	[ "$(sqlite3 "$ORKIT_DB" 'SELECT count(*) FROM requests')" -eq 7 ]
}

# A price of the catalog fixture, USD per token.
price() {
	jq -r --arg id "$1" --arg k "$2" '.data[] | select(.id == $id) | .pricing[$k]' \
	    "$FIXTURES/models.json"
}

@test "suggest: one record per model used, costliest first, the figures by hand" {
	seeded
	# The prices the figures below come from.
	[ "$(price openai/gpt-4.1 prompt) $(price openai/gpt-4.1 completion)" = "0.000002 0.000008" ]
	[ "$(price anthropic/claude-sonnet-4 prompt) $(price anthropic/claude-sonnet-4 completion)" = "0.000003 0.000015" ]
	[ "$(price google/gemini-2.5-pro-preview prompt) $(price google/gemini-2.5-pro-preview completion)" = "0.00000125 0.00001" ]
	[ -z "$(price openai/gpt-5 prompt)" ]
	# gemini-2.5-pro-preview: 150000 * 0.00000125 + 1000 * 0.00001 = 0.1975
	# gpt-4.1: (1000 + 3000) * 0.000002 + (500 + 1000) * 0.000008 = 0.02;
	#   the cached row and the failed one left out, context 3000 + 1000
	# claude-sonnet-4: 2000 * 0.000003 + 100 * 0.000015 = 0.0075 today,
	#   though 0.009 was logged
	# gpt-5: not in the catalog, so today is the 0.001 logged
	# The cheapest that will do are free: each saves it all.
	run -0 --separate-stderr or-route suggest --limit 2
	assert_output - <<'EOF2'
{"model":"google/gemini-2.5-pro-preview","requests":1,"prompt_tokens":150000,"completion_tokens":1000,"usd_logged":0.1975,"usd_today":0.1975,"needs":{"tools":false,"json":false,"image":false,"context":151000},"alternatives":[{"model":"deepseek/deepseek-chat-v3-0324:free","usd":0,"saving_usd":0.1975,"saving_pct":100},{"model":"deepseek/deepseek-chat:free","usd":0,"saving_usd":0.1975,"saving_pct":100}]}
{"model":"openai/gpt-4.1","requests":2,"prompt_tokens":4000,"completion_tokens":1500,"usd_logged":0.02,"usd_today":0.02,"needs":{"tools":true,"json":false,"image":false,"context":4000},"alternatives":[{"model":"google/gemini-2.5-pro-exp-03-25","usd":0,"saving_usd":0.02,"saving_pct":100},{"model":"meta-llama/llama-3.3-70b-instruct:free","usd":0,"saving_usd":0.02,"saving_pct":100}]}
{"model":"anthropic/claude-sonnet-4","requests":1,"prompt_tokens":2000,"completion_tokens":100,"usd_logged":0.009,"usd_today":0.0075,"needs":{"tools":false,"json":true,"image":true,"context":2100},"alternatives":[{"model":"google/gemini-2.5-pro-exp-03-25","usd":0,"saving_usd":0.0075,"saving_pct":100},{"model":"google/gemma-3-12b-it:free","usd":0,"saving_usd":0.0075,"saving_pct":100}]}
{"model":"openai/gpt-5","requests":1,"prompt_tokens":100,"completion_tokens":100,"usd_logged":0.001,"usd_today":0.001,"needs":{"tools":false,"json":false,"image":false,"context":200},"alternatives":[{"model":"agentica-org/deepcoder-14b-preview:free","usd":0,"saving_usd":0.001,"saving_pct":100},{"model":"arliai/qwq-32b-arliai-rpr-v1:free","usd":0,"saving_usd":0.001,"saving_pct":100}]}
EOF2
	[ "$stderr" = "" ]
}

@test "suggest: a priced alternative, its USD and saving by hand, in plain decimals" {
	seeded
	[ "$(price qwen/qwen3-30b-a3b prompt) $(price qwen/qwen3-30b-a3b completion)" = "0.00000008 0.00000029" ]
	# gpt-4.1's traffic on qwen3-30b-a3b: 4000 * 0.00000008 +
	# 1500 * 0.00000029 = 0.00032 + 0.000435 = 0.000755; saving
	# 0.02 - 0.000755 = 0.019245, 96.225% -> 96.2
	run -0 --separate-stderr or-route suggest --limit 1000
	line=$(grep -o '{"model":"qwen/qwen3-30b-a3b",[^}]*}' <<<"${lines[1]}")
	[ "$line" = '{"model":"qwen/qwen3-30b-a3b","usd":0.000755,"saving_usd":0.019245,"saving_pct":96.2}' ]
	# Never in exponent form, though some are below 1e-4.
	[[ ! "$output" =~ [0-9][eE][-+]?[0-9] ]]
	[[ "$output" == *'"usd":0.00007,'* ]]
	# Cheapest first, ties by id; every one cheaper than today.
	for i in 0 1 2 3; do
		jq -e '.usd_today as $t | .alternatives | (. == sort_by(.usd, .model)) and all(.usd < $t) and length > 10' <<<"${lines[$i]}" >/dev/null ||
		    fail "line $i: ${lines[$i]}"
	done
}

@test "suggest: a model that used tools gets only tool-capable alternatives" {
	seeded
	run -0 --separate-stderr or-route suggest --limit 1000
	alts=$(jq -r 'select(.model == "openai/gpt-4.1") | .alternatives[].model' <<<"$output")
	# qwen3-8b is cheaper (4000 * 0.000000035 + 1500 * 0.000000138 =
	# 0.000347) but takes no tools; qwen3-30b-a3b does.
	[ "$(jq -r '.data[] | select(.id == "qwen/qwen3-8b") | .supported_parameters | index("tools")' "$FIXTURES/models.json")" = null ]
	! grep -qx qwen/qwen3-8b <<<"$alts"
	grep -qx qwen/qwen3-30b-a3b <<<"$alts"
	# Every one of them takes tools, per the catalog.
	[ "$(jq -r --argjson ids "$(jq -Rn '[inputs]' <<<"$alts")" '[.data[] | select(.id as $i | $ids | index($i)) | .supported_parameters | index("tools") != null] | unique | tostring' "$FIXTURES/models.json")" = '[true]' ]
	# gpt-5 used no tools: qwen3-8b is one of its alternatives.
	jq -r 'select(.model == "openai/gpt-5") | .alternatives[].model' <<<"$output" |
	    grep -qx qwen/qwen3-8b
	# json and image: only models that take response_format and images.
	alts=$(jq -r 'select(.model == "anthropic/claude-sonnet-4") | .alternatives[].model' <<<"$output")
	! grep -qx qwen/qwen3-30b-a3b <<<"$alts"	# text only
	grep -qx meta-llama/llama-4-scout <<<"$alts"
}

@test "suggest: the largest context a request took rules out smaller models" {
	seeded
	run -0 --separate-stderr or-route suggest --limit 1000
	alts=$(jq -r 'select(.model == "google/gemini-2.5-pro-preview") | .alternatives[].model' <<<"$output")
	# 150000 + 1000 tokens: llama-3.3-8b-instruct:free (128000) and
	# qwen3-8b (128000) are out, llama-4-scout:free (200000) is in.
	! grep -qx meta-llama/llama-3.3-8b-instruct:free <<<"$alts"
	! grep -qx qwen/qwen3-8b <<<"$alts"
	grep -qx meta-llama/llama-4-scout:free <<<"$alts"
	# The same models do for gpt-4.1's 4000 tokens.
	jq -r 'select(.model == "openai/gpt-4.1") | .alternatives[].model' <<<"$output" |
	    grep -qx meta-llama/llama-3.3-8b-instruct:free
}

@test "suggest --since and --until narrow the window" {
	seeded
	# From 2026-11-21: gpt-4.1's first request (and its tools) left out.
	run -0 --separate-stderr bash -c 'or-route suggest --since 2026-11-21 --until 2026-11-22 --limit 1 | jq -c "[.model, .requests, .prompt_tokens, .usd_today, .needs.tools]"'
	assert_output - <<'EOF2'
["openai/gpt-4.1",1,3000,0.014,false]
["anthropic/claude-sonnet-4",1,2000,0.0075,false]
EOF2
	# An age: every row is older than a minute.
	run -0 --separate-stderr or-route suggest --since 60s
	assert_output ''
	[ "$stderr" = "" ]
}

@test "suggest -t: one row per model, its best alternative" {
	seeded
	run -0 --separate-stderr or-route suggest -t
	assert_output - <<'EOF2'
MODEL                          REQUESTS  USD_TODAY  BEST                                     BEST_USD  SAVING_USD  SAVING_PCT
google/gemini-2.5-pro-preview         1   0.197500  deepseek/deepseek-chat-v3-0324:free      0.000000    0.197500       100.0
openai/gpt-4.1                        2   0.020000  google/gemini-2.5-pro-exp-03-25          0.000000    0.020000       100.0
anthropic/claude-sonnet-4             1   0.007500  google/gemini-2.5-pro-exp-03-25          0.000000    0.007500       100.0
openai/gpt-5                          1   0.001000  agentica-org/deepcoder-14b-preview:free  0.000000    0.001000       100.0
EOF2
}

@test "suggest: a free model used has nothing cheaper" {
	rec deepseek/deepseek-chat:free 10 10 0 2026-11-20T10:00:00.000Z | or-log >/dev/null
	run -0 --separate-stderr or-route suggest
	assert_output '{"model":"deepseek/deepseek-chat:free","requests":1,"prompt_tokens":10,"completion_tokens":10,"usd_logged":0,"usd_today":0,"needs":{"tools":false,"json":false,"image":false,"context":20},"alternatives":[]}'
	run -0 --separate-stderr or-route suggest -t
	assert_output - <<'EOF2'
MODEL                        REQUESTS  USD_TODAY  BEST  BEST_USD  SAVING_USD  SAVING_PCT
deepseek/deepseek-chat:free         1   0.000000  -            -           -           -
EOF2
}

@test "suggest --help prints one usage line on stdout" {
	run -0 --separate-stderr or-route suggest --help
	assert_output 'usage: or-route suggest [-t] [-d db] [--since t] [--until t] [--limit n] [--max-age age] [--refresh]'
	[ "$stderr" = "" ]
}

@test "suggest: usage errors are one line, exit 2, nothing read" {
	run -2 --separate-stderr or-route suggest --since yesterday
	assert_output ''
	[ "$stderr" = "or-route: --since wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)" ]
	run -2 --separate-stderr or-route suggest --until soon
	[ "$stderr" = "or-route: --until wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)" ]
	run -2 --separate-stderr or-route suggest --limit 0
	[ "$stderr" = "or-route: --limit wants a positive number" ]
	run -2 --separate-stderr or-route suggest --max-age forever
	[ "$stderr" = "or-route: --max-age wants a time: 90, 90s, 15m, 2h, 7d or 2w" ]
	run -2 --separate-stderr or-route suggest --bogus
	[ "$stderr" = "or-route: unrecognized option '--bogus'" ]
	run -2 --separate-stderr or-route suggest extra
	[ "$stderr" = "or-route: suggest takes no operands" ]
	[ ! -e "$ORKIT_DB" ]
}

@test "suggest: a missing log is said, exit 2, as or-log stats does; an empty window prints nothing, exit 0" {
	run -2 --separate-stderr or-route suggest -d none.db
	assert_output ''
	[ "$stderr" = "or-route: none.db: No such file or directory" ]
	[ ! -e none.db ]
	run -2 --separate-stderr or-log -d none.db stats
	[ "$stderr" = "or-log: none.db: No such file or directory" ]
	seeded
	run -0 --separate-stderr or-route suggest --since 2030-01-01
	assert_output ''
	[ "$stderr" = "" ]
}

@test "suggest: an older log is refused with store's message, and left as it is" {
	sqlite3 "$ORKIT_DB" <"$FIXTURES/log/v1.sql"
	cp "$ORKIT_DB" before.db
	run -2 --separate-stderr or-route suggest
	assert_output ''
	[ "$stderr" = "or-route: $ORKIT_DB: log schema v1 is older than this orkit's v4; run 'or-log -d $ORKIT_DB </dev/null' once to upgrade it" ]
	cmp "$ORKIT_DB" before.db
}
