#!/usr/bin/env bats
# or-send: records to POST /chat/completions and back.

load helper

setup() {
	common_setup
	fake_start
}

teardown() {
	fake_stop
}

# --- usage -----------------------------------------------------------

@test "--version prints the version" {
	run -0 --separate-stderr or-send --version
	assert_output "or-send $(cat "$TOP/VERSION")"
}

@test "--help prints the summary on stdout, a mistake the usage on stderr" {
	run -0 --separate-stderr or-send --help
	assert_line --index 0 'usage: or-send [options] [prompt ...]'
	assert_line 'Choosing the model:'
	[ "$stderr" = "" ]
	run -2 --separate-stderr or-send -P
	assert_output ''
	assert_regex "${stderr_lines[1]}" '^usage: or-send \[-t \| -z \| -j\] '
	[ "${#stderr_lines[@]}" -eq 2 ]
}

@test "an unknown flag is a usage error, exit 2" {
	run -2 --separate-stderr or-send --bogus
	assert_output ''
	[ "${stderr_lines[0]}" = "or-send: unrecognized option '--bogus'" ]
	[[ "${stderr_lines[1]}" == "usage: or-send "* ]]
}

@test "-o without = is a usage error" {
	run -2 --separate-stderr or-send -o temperature hi
	[ "${stderr_lines[0]}" = "or-send: -o wants key=value" ]
}

# --- the key ---------------------------------------------------------

@test "a base URL that is not http or https: exit 2 before any record, one line" {
	printf '"a"\n"b"\n' >"$BATS_TEST_TMPDIR/in"
	for u in ftp://127.0.0.1/api file:///etc 127.0.0.1:8080; do
		OPENROUTER_BASE_URL=$u run -2 --separate-stderr sh -c 'or-send; s=$?; cat; exit $s' <"$BATS_TEST_TMPDIR/in"
		[ "$stderr" = "or-send: OPENROUTER_BASE_URL is not an http or https URL: ${u%/}" ]
		assert_output $'"a"\n"b"'
	done
	OPENROUTER_BASE_URL=ftp://x run -2 --separate-stderr or-cost <"$BATS_TEST_TMPDIR/in"
	[ "$stderr" = "or-cost: OPENROUTER_BASE_URL is not an http or https URL: ftp://x" ]
	assert_output ''
}


@test "a tool holding the key dumps no core: its core size limit is 0, even when the shell allows one" {
	cd "$BATS_TEST_TMPDIR"
	fake "delay 3000"
	ulimit -c unlimited 2>/dev/null || ulimit -c 1000000
	or-send hi </dev/null >out &
	local pid=$! i
	for i in $(seq 100); do [ "$(requests)" -ge 1 ] && break; sleep 0.05; done
	run grep '^Max core file size' "/proc/$pid/limits"
	wait "$pid"
	assert_output --regexp '^Max core file size +0 +0 +bytes'
}

@test "no key: one line on stderr, exit 2, stdin left unread" {
	unset OPENROUTER_API_KEY
	printf '"a"\n"b"\n' >"$BATS_TEST_TMPDIR/in"
	run -2 --separate-stderr sh -c 'or-send; s=$?; cat; exit $s' <"$BATS_TEST_TMPDIR/in"
	[ "$stderr" = "or-send: no API key: set OPENROUTER_API_KEY, or put the key in \$XDG_CONFIG_HOME/orkit/key (mode 600)" ]
	assert_output $'"a"\n"b"'
	[ "$(requests)" -eq 0 ]
}

@test "key file in XDG_CONFIG_HOME with mode 600 is used" {
	unset OPENROUTER_API_KEY
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	printf '%s\n' "$KEY" >"$XDG_CONFIG_HOME/orkit/key"
	chmod 600 "$XDG_CONFIG_HOME/orkit/key"
	run -0 --separate-stderr or-send -t "hello"
	assert_output "Echo: hello"
	[ "$(jq -r .auth "$FAKE_LOG")" = ok ]
}

@test "a key file others can read is refused, exit 2" {
	unset OPENROUTER_API_KEY
	printf '%s\n' "$KEY" >"$BATS_TEST_TMPDIR/key"
	chmod 644 "$BATS_TEST_TMPDIR/key"
	OPENROUTER_API_KEY_FILE=$BATS_TEST_TMPDIR/key \
	    run -2 --separate-stderr or-send hello
	[ "$stderr" = "or-send: $BATS_TEST_TMPDIR/key: readable by others (mode 644); chmod 600 it" ]
	[ "$(requests)" -eq 0 ]
}

@test "a named key file that is missing is an error, exit 2" {
	unset OPENROUTER_API_KEY
	OPENROUTER_API_KEY_FILE=$BATS_TEST_TMPDIR/nokey \
	    run -2 --separate-stderr or-send hello
	[ "$stderr" = "or-send: $BATS_TEST_TMPDIR/nokey: No such file or directory" ]
}

@test "the key is never in a record, on stderr or in what was sent but the header" {
	fake "status 401" "status 500" "status 500" "status 500" "status 500"
	run -1 sh -c 'or-send -t three 2>&1; printf "\"one\"\n\"two\"\nbad\n" | or-send 2>&1'
	refute_output --partial "$KEY"
	refute_output --partial "${KEY#sk-or-v1-}"
	run grep -c -- "${KEY#sk-or-v1-}" "$FAKE_LOG"
	assert_output 0
	[ "$(jq -r '.headers.authorization' "$FAKE_LOG" | sort -u)" = "Bearer [redacted]" ]
}

@test "a key a server echoes back is masked in the record and on stderr" {
	fake "status 400 message=bad%20header%20Authorization:%20Bearer%20$KEY%20(again:$KEY)"
	run -1 --separate-stderr or-send hello
	refute_output --partial "${KEY#sk-or-v1-}"
	run jq -r .error.message <<<"$output"
	assert_output 'bad header Authorization: Bearer [REDACTED] (again:[REDACTED])'
	[ "$stderr" = "or-send: prompt: bad header Authorization: Bearer [REDACTED] (again:[REDACTED])" ]
	fake "status 400 message=$KEY"
	run -1 --separate-stderr or-send -t hello
	[ "$stderr" = "or-send: prompt: [REDACTED]" ]
}

@test "a key echoed in streamed reasoning is masked on stderr too" {
	local fx=$BATS_TEST_TMPDIR/fx
	mkdir -p "$fx/stream"
	cp "$FIXTURES/models.json" "$fx/"
	sed "s/ for 2 + 2,/ for $KEY,/g" "$FIXTURES/stream/thinking_streaming.sse" \
	    >"$fx/stream/k.sse"
	grep -q -- "$KEY" "$fx/stream/k.sse"
	fake_stop
	fake_start -F "$fx"
	fake "fixture stream/k.sse"
	run -0 --separate-stderr or-send --stream --reasoning -t hi
	[ "$stderr" = "The user asks for [REDACTED], which is 4." ]
	assert_output "2 + 2 = 4."
}

@test "a wrong key comes back as the API's 401, not retried" {
	export OPENROUTER_API_KEY=sk-or-v1-wrong
	run -1 --separate-stderr or-send hello
	run jq -c '[.error.type, .error.status, .error.code, .error.message, .error.retryable, .send.attempts]' <<<"$output"
	assert_output '["http",401,401,"User not found.",false,1]'
}

# --- records in, records out ----------------------------------------

@test "a prompt argument becomes one record with response and send" {
	run -0 --separate-stderr or-send "Say hi in Portuguese"
	[ "${#lines[@]}" -eq 1 ]
	run jq -c '[.prompt, .response.choices[0].message.content, .send.status, .send.attempts, .send.backoff_ms, (.send.latency_ms|type), (.send.started_at|test("^20[0-9-]+T[0-9:.]+Z$"))]' <<<"$output"
	assert_output '["Say hi in Portuguese","Echo: Say hi in Portuguese",200,1,0,"number",true]'
}

@test "prompt arguments are joined by spaces" {
	run -0 --separate-stderr or-send -t Say hi in Portuguese
	assert_output "Echo: Say hi in Portuguese"
}

@test "-t prints only the assistant text; each after the first under a blank line and its name" {
	run -0 --separate-stderr or-send -t <<<$'"one"\n{"prompt":"two"}'
	assert_output $'Echo: one\n\n== line 2 ==\nEcho: two'
	[ "$stderr" = "" ]
}

@test "-t: a failed record prints its error on stderr, exit 1" {
	fake "status 400"
	run -1 --separate-stderr or-send -t <<<$'"one"\n"two"'
	assert_output "Echo: two"
	[ "${#stderr_lines[@]}" -eq 1 ]
	[[ "$stderr" == "or-send: line 1: "* ]]
}

@test "one record per line, in the same order" {
	printf 'alpha\nbeta\ngamma\n' >"$BATS_TEST_TMPDIR/q.txt"
	run -0 --separate-stderr sh -c "jq -c '{prompt: .}' -R '$BATS_TEST_TMPDIR/q.txt' | or-send | jq -r '.response.choices[0].message.content'"
	assert_output $'Echo: alpha\nEcho: beta\nEcho: gamma'
}

@test "a JSON string line is a prompt; its bytes are kept" {
	run -0 --separate-stderr or-send <<<'"caf\u00e9"'
	[[ "$output" == '{"prompt":"caf\u00e9","response":{'* ]]
	run jq -r '.response.choices[0].message.content' <<<"$output"
	assert_output "Echo: café"
}

@test "the record goes out as it came, with response and send added" {
	in='{"id":"job-1", "prompt":"x", "meta":{"big":12345678901234567891,"f":1.0,"e":1e2}}'
	run -0 --separate-stderr or-send <<<"$in"
	[[ "$output" == "${in%\}},\"response\":{"* ]]
	run jq -c 'keys_unsorted' <<<"$output"
	assert_output '["id","prompt","meta","response","send"]'
}

@test "an empty-looking object gets no stray comma" {
	run -0 --separate-stderr or-send <<<'{ "messages":[{"role":"user","content":"hi"}] }'
	[[ "$output" == '{ "messages":[{"role":"user","content":"hi"}] ,"response":'* ]]
	jq -e . <<<"$output" >/dev/null
}

@test "the response is kept as received: numbers untouched, padding gone" {
	fake "fixture chat/TestOpenRouterCommon__gpt-5__simple.0.200.json"
	run -0 --separate-stderr or-send hi
	want=$(tr -d '\n' <"$FIXTURES/chat/TestOpenRouterCommon__gpt-5__simple.0.200.json" | sed 's/^ *//')
	[[ "$output" == *",\"response\":$want,\"send\":"* ]]
}

@test "records with response or error pass through byte for byte, unsent" {
	cat >"$BATS_TEST_TMPDIR/in" <<-'EOF2'
	{"prompt":"a","response":{"n":1.0,"x":12345678901234567891}}
	{"prompt":"b","error":{"type":"http","status":500},  "z":1e2}
	EOF2
	run -1 --separate-stderr or-send <"$BATS_TEST_TMPDIR/in"
	assert_output "$(cat "$BATS_TEST_TMPDIR/in")"
	[ "$stderr" = "" ]
	[ "$(requests)" -eq 0 ]
}

@test "or-send twice: the second passes every record through unchanged" {
	run -0 sh -c 'printf "\"a\"\n\"b\"\n" | or-send 2>/dev/null > "$1/once"; or-send < "$1/once" > "$1/twice"; cmp "$1/once" "$1/twice"' _ "$BATS_TEST_TMPDIR"
	[ "$(requests)" -eq 2 ]
}

# --- what is sent ----------------------------------------------------

@test "reserved keys are not sent; every other key is" {
	run -0 --separate-stderr or-send <<<'{"id":"j1","meta":{"a":1},"task":"x","priority":"cost","routed":{},"cost":{},"log":{},"prompt":"hi","system":"be brief","temperature":0.5,"provider":{"sort":"price"},"brand_new_param":[1]}'
	run request_body 1
	assert_output '{"temperature":0.5,"provider":{"sort":"price"},"brand_new_param":[1],"messages":[{"role":"system","content":"be brief"},{"role":"user","content":"hi"}]}'
}

@test "system first, then messages, then prompt" {
	run -0 --separate-stderr or-send <<<'{"system":"S","messages":[{"role":"user","content":"u1"},{"role":"assistant","content":"a1"}],"prompt":"u2"}'
	run jq -c '.messages | map(.role + ":" + .content)' <<<"$(request_body 1)"
	assert_output '["system:S","user:u1","assistant:a1","user:u2"]'
}

@test "a prompt may be an array of content parts" {
	run -0 --separate-stderr or-send -t <<<'{"prompt":[{"type":"text","text":"look "},{"type":"text","text":"here"}]}'
	assert_output "Echo: look here"
}

@test "-m fills model only where a record has none" {
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini <<<$'"a"\n{"prompt":"b","model":"anthropic/claude-3.5-haiku"}\n{"prompt":"c","models":["google/gemini-2.0-flash-001"]}'
	run jq -sc 'map(.body.model)' "$FAKE_LOG"
	assert_output '["openai/gpt-4o-mini","anthropic/claude-3.5-haiku",null]'
}

@test "-s adds a system message unless the record has one" {
	run -0 --separate-stderr or-send -s "Answer in French." <<<$'"a"\n{"prompt":"b","system":"mine"}\n{"messages":[{"role":"system","content":"own"},{"role":"user","content":"c"}]}'
	run jq -sc 'map(.body.messages[0].content)' "$FAKE_LOG"
	assert_output '["Answer in French.","mine","own"]'
}

@test "-o sets any parameter a record lacks; values are JSON or else strings" {
	run -0 --separate-stderr or-send -o temperature=0.2 -o stop=END -o 'provider={"sort":"price"}' <<<$'"a"\n{"prompt":"b","temperature":1}'
	run jq -sc 'map(.body | [.temperature, .stop, .provider.sort])' "$FAKE_LOG"
	assert_output '[[0.2,"END","price"],[1,"END","price"]]'
}

@test "attribution headers come from the environment" {
	OPENROUTER_HTTP_REFERER=https://example.org OPENROUTER_X_TITLE=nightly \
	    run -0 --separate-stderr or-send hi
	run jq -c '[.headers["http-referer"], .headers["x-title"], .headers["content-type"]]' "$FAKE_LOG"
	assert_output '["https://example.org","nightly","application/json"]'
}

# --- bad input is kept as data ---------------------------------------

@test "a line that is not JSON becomes a bad_input record; the rest go on" {
	HOWTO=" (one object per line: jq -c; plain text: jq -cR '{prompt: .}')"
	run -1 --separate-stderr or-send <<<$'"a"\nnot json\n[1,2]\n"b"'
	[ "${#lines[@]}" -eq 4 ]
	assert_line -n 1 '{"error":{"tool":"or-send","type":"bad_input","message":"not a JSON object or string: Invalid numeric literal at column 4 (one object per line: jq -c; plain text: jq -cR '\''{prompt: .}'\'')","retryable":false,"line":2,"input":"not json"}}'
	assert_line -n 2 '{"error":{"tool":"or-send","type":"bad_input","message":"not a JSON object or string: a JSON array (one object per line: jq -c; plain text: jq -cR '\''{prompt: .}'\'')","retryable":false,"line":3,"input":"[1,2]"}}'
	[ "$(jq -r '.response.choices[0].message.content' <<<"${lines[3]}")" = "Echo: b" ]
	[ "$stderr" = "or-send: line 2: not a JSON object or string: Invalid numeric literal at column 4$HOWTO
or-send: line 3: not a JSON object or string: a JSON array$HOWTO" ]
	[ "$(requests)" -eq 2 ]
}

@test "a line that is not UTF-8 keeps its exact bytes in base64" {
	run -1 --separate-stderr sh -c 'printf "caf\351 {\n" | or-send'
	run jq -r '.error.input_base64' <<<"$output"
	assert_output "$(printf 'caf\351 {' | base64)"
}

@test "JSON with bytes libjv would alter (not UTF-8, a raw NUL) is bad_input with the offset, not sent" {
	printf '{"prompt":"caf\351"}\n{"prompt":"a\000b"}\n{"prompt":"a\\u0000b"}\n' >"$BATS_TEST_TMPDIR/in"
	run -1 --separate-stderr or-send <"$BATS_TEST_TMPDIR/in"
	run jq -c '.error | [.type, .message, .line]' <<<"$output"
	assert_line -n 0 '["bad_input","not a record: not UTF-8 at byte offset 14",1]'
	assert_line -n 1 '["bad_input","not a record: a raw control character (0x00) in a string at byte offset 12; JSON escapes it",2]'
	assert_line -n 2 '[null,null,null]'
	[ "$(requests)" -eq 1 ]
	[ "$(request_body 1 | jq -c .messages)" = '[{"role":"user","content":"a\u0000b"}]' ]
	for tool in or-cost or-log; do
		run -1 --separate-stderr $tool <"$BATS_TEST_TMPDIR/in"
		run jq -c '.error | [.tool, .message]' <<<"$output"
		assert_line -n 0 "[\"$tool\",\"not a record: not UTF-8 at byte offset 14\"]"
		assert_line -n 1 "[\"$tool\",\"not a record: a raw control character (0x00) in a string at byte offset 12; JSON escapes it\"]"
	done
}

@test "a record with neither prompt nor messages is an error, not sent" {
	run -1 --separate-stderr or-send <<<'{"id":"j9","temperature":1}'
	assert_output '{"id":"j9","temperature":1,"error":{"tool":"or-send","type":"bad_input","message":"no \"prompt\" and no \"messages\"","retryable":false}}'
	[ "$stderr" = 'or-send: j9: no "prompt" and no "messages"' ]
}

@test "blank lines are skipped; line numbers still count them" {
	run -1 --separate-stderr or-send <<<$'\n"a"\n  \n{'
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq .error.line <<<"${lines[1]}")" = 4 ]
}

# --- HTTP failures ---------------------------------------------------

@test "429 then 429 then success: three attempts, one record" {
	fake "status 429 ratelimit-reset=+20" "status 429 ratelimit-reset=+20"
	run -0 --separate-stderr or-send -t hi
	assert_output "Echo: hi"
	[ "$(requests)" -eq 3 ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "or-send: prompt: HTTP 429: "*"; retry 1 of 3 in "* ]]
}

@test "Retry-After is honoured: the wait is exactly what the server asked" {
	fake "status 503 retry-after=1"
	run -0 --separate-stderr or-send hi
	run jq -c '[.send.attempts, .send.backoff_ms]' <<<"$output"
	assert_output '[2,1000]'
}

@test "Retry-After is capped by ORKIT_RETRY_MAX_MS" {
	fake "status 429 retry-after=30"
	ORKIT_RETRY_MAX_MS=50 run -0 --separate-stderr or-send hi
	run jq -c '[.send.attempts, .send.backoff_ms]' <<<"$output"
	assert_output '[2,50]'
}

@test "X-RateLimit-Reset (epoch ms) sets the wait when there is no Retry-After" {
	fake "status 429 ratelimit-reset=+400"
	run -0 --separate-stderr or-send hi
	run jq -c '[.send.attempts, .send.backoff_ms > 200, .send.backoff_ms <= 400]' <<<"$output"
	assert_output '[2,true,true]'
}

@test "retries are bounded: 500 every time gives 4 attempts and an error record" {
	fake "status 500" "status 500" "status 500" "status 500" "ok"
	run -1 --separate-stderr or-send <<<'{"id":"j1","prompt":"hi"}'
	run jq -c '[.id, .send.attempts, .send.status, .error.type, .error.status, .error.retryable, (.response == null)]' <<<"$output"
	assert_output '["j1",4,500,"http",500,true,true]'
	[ "$(requests)" -eq 4 ]
}

@test "--retries 0 makes one attempt" {
	fake "status 502"
	run -1 --separate-stderr or-send --retries 0 hi
	[ "$(jq .send.attempts <<<"$output")" = 1 ]
	[ "$stderr" = "or-send: prompt: Provider returned error" ]
}

@test "400 is not retried" {
	fake "status 400"
	run -1 --separate-stderr or-send hi
	run jq -c '[.send.attempts, .error.status, .error.retryable]' <<<"$output"
	assert_output '[1,400,false]'
}

@test "the API's error_type becomes error.type; its metadata is kept" {
	fake "status 402 type=payment_required"
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.code, .error.metadata.error_type]' <<<"$output"
	assert_output '["payment_required",402,"payment_required"]'
}

@test "an unknown model is the API's 400, kept as the record's error" {
	run -1 --separate-stderr or-send -m acme/fake-1.0 hi
	run jq -c '[.error.status, .error.message]' <<<"$output"
	assert_output '[400,"acme/fake-1.0 is not a valid model ID"]'
}

@test "a reset connection is retried" {
	fake "reset"
	run -0 --separate-stderr or-send -t hi
	assert_output "Echo: hi"
	[[ "$stderr" == "or-send: prompt: "*"; retry 1 of 3 in "* ]]
}

@test "a connection that always resets ends as a network error" {
	fake reset reset reset reset
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.retryable, .send.attempts, .send.status]' <<<"$output"
	assert_output '["network",true,4,null]'
}

@test "no server at all is a network error after the retries" {
	fake_stop
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.curl_code, .send.attempts]' <<<"$output"
	assert_output '["network",7,4]'
}

@test "a 200 that is not JSON is a bad_response error" {
	fake garbage garbage garbage garbage
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.status, .error.message]' <<<"$output"
	assert_output '["bad_response",200,"HTTP 200: 502 Bad Gateway"]'
}

@test "a 200 with an error body is an error, and is retried" {
	fake "error200" "error200" "error200" "error200"
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.status, .error.code, .send.attempts]' <<<"$output"
	assert_output '["provider_unavailable",200,502,4]'
}

@test "a 200 whose choice carries an error is an error; the response is kept" {
	fake "choiceerror" "choiceerror" "choiceerror" "choiceerror"
	run -1 --separate-stderr or-send hi
	run jq -c '[.error.status, (.response.id | startswith("gen-")), .response.choices[0].finish_reason]' <<<"$output"
	assert_output '[200,true,"error"]'
}

@test "a timeout is an error record and is not resent" {
	fake "delay 3000"
	OPENROUTER_TIMEOUT_MS=300 run -1 --separate-stderr or-send hi
	run jq -c '[.error.type, .error.retryable, .send.attempts]' <<<"$output"
	assert_output '["timeout",true,1]'
}

# --- output ----------------------------------------------------------

@test "a write error is reported and exits 2" {
	run -2 --separate-stderr sh -c 'or-send hi >/dev/full'
	[ "$stderr" = "or-send: write error: No space left on device" ]
}

@test "a reader that goes away stops or-send" {
	seq 50 | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr bash -c 'or-send <"$1" | head -n 1; echo "${PIPESTATUS[0]}"' _ "$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r .prompt <<<"${lines[0]}")" = 1 ]
	[ "${lines[1]}" = 2 ]
	assert_equal "$stderr" ''
	[ "$(requests)" -lt 50 ]
}

# --- size ------------------------------------------------------------

# bats test_tags=plain
@test "a 10 MB prompt goes through" {
	head -c 10485760 /dev/zero | tr '\0' 'a' | jq -Rc '{prompt: .}' >"$BATS_TEST_TMPDIR/big"
	run -0 --separate-stderr sh -c 'or-send <"$1" | jq -r ".response.choices[0].message.content | length"' _ "$BATS_TEST_TMPDIR/big"
	assert_output $((10485760 + 6))
}

# bats test_tags=plain
@test "memory stays flat over 100k records" {
	instrumented && skip "measures the sanitizer, not orkit"
	jq -nc 'range(1000) | {id: ., prompt: "p", response: {n: .}}' >"$BATS_TEST_TMPDIR/small"
	jq -nc 'range(100000) | {id: ., prompt: "p", response: {n: .}}' >"$BATS_TEST_TMPDIR/large"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss1" or-send <"$BATS_TEST_TMPDIR/small" >/dev/null
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss2" or-send <"$BATS_TEST_TMPDIR/large" >/dev/null
	small=$(cat "$BATS_TEST_TMPDIR/rss1") large=$(cat "$BATS_TEST_TMPDIR/rss2")
	echo "max RSS KiB: 1k records $small, 100k records $large"
	[ "$large" -lt $((small + 2048)) ]
}

# bats test_tags=plain
@test "memory stays flat over many sent records" {
	instrumented && skip "measures the sanitizer, not orkit"
	seq 200 | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/small"
	seq 3000 | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/large"
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss1" or-send <"$BATS_TEST_TMPDIR/small" >/dev/null
	/usr/bin/time -f %M -o "$BATS_TEST_TMPDIR/rss2" or-send <"$BATS_TEST_TMPDIR/large" >/dev/null
	small=$(cat "$BATS_TEST_TMPDIR/rss1") large=$(cat "$BATS_TEST_TMPDIR/rss2")
	echo "max RSS KiB: 200 sent $small, 3000 sent $large"
	[ "$large" -lt $((small + 2048)) ]
}

# --- many at once ----------------------------------------------------

@test "-P 8: 40 records under random delays come out in input order" {
	for i in $(seq 40); do fake "delay $((RANDOM % 60))"; done
	seq 40 | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr bash -c 'set -o pipefail; or-send -P 8 -z <"$1" | tr "\0" "\n"' _ "$BATS_TEST_TMPDIR/in"
	assert_output "$(seq 40 | sed 's/^/Echo: /')"
	[ "$(requests)" -eq 40 ]
}

@test "-P 4 --unordered: a slow record does not hold back the others" {
	fake "delay 1500 if=slow"
	run -0 --separate-stderr bash -c 'set -o pipefail; or-send -P 4 --unordered -z | tr "\0" "\n"' <<<$'"slow"\n"b"\n"c"\n"d"'
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[3]}" = "Echo: slow" ]
	assert_equal "$(printf '%s\n' "${lines[@]:0:3}" | sort | paste -sd,)" "Echo: b,Echo: c,Echo: d"
}

@test "a retry waits in the queue, not in front of the others" {
	fake "status 503 retry-after=1 if=%22a%22"
	run -0 --separate-stderr bash -c 'set -o pipefail; or-send -P 4 -z | tr "\0" "\n"' <<<$'"a"\n"b"\n"c"\n"d"'
	assert_output $'Echo: a\nEcho: b\nEcho: c\nEcho: d'
	run jq -r '.body.messages[-1].content' "$FAKE_LOG"
	[ "${lines[4]}" = a ]
	assert_equal "$(printf '%s\n' "${lines[@]:0:4}" | sort | paste -sd,)" "a,b,c,d"
}

@test "--rate 4/s: no second holds more than four request starts" {
	seq 12 | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/in"
	run -0 --separate-stderr sh -c 'or-send -P 12 --rate 4/s <"$1"' _ "$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq 12 ]
	# the most requests the fake saw in any second (less 50 ms of jitter)
	run jq -s '[.[].at_ms] | sort | . as $t | [range(length) as $i | [$t[$i:][] | select(. < $t[$i] + 950)] | length] | max' "$FAKE_LOG"
	[ "$output" -le 4 ]
	[ "$output" -ge 1 ]
}

@test "--rate rejects what it cannot read" {
	run -2 --separate-stderr or-send --rate fast hi
	[ "${stderr_lines[0]}" = "or-send: --rate wants n/s or n/min" ]
}

@test "Retry-After: 0 is now, whatever X-RateLimit-Reset says" {
	fake "status 429 retry-after=0 ratelimit-reset=+5000"
	ORKIT_RETRY_MAX_MS=5000 run -0 --separate-stderr or-send hi
	run jq -c '[.send.attempts, .send.backoff_ms]' <<<"$output"
	assert_output '[2,0]'
}

@test "a 429 with Retry-After holds every start, not just its own" {
	fake "status 429 retry-after=1" "ok" "ok"
	run -0 --separate-stderr bash -c 'set -o pipefail; or-send -P 1 -z | tr "\0" "\n"' <<<$'"a"\n"b"'
	assert_output $'Echo: a\nEcho: b'
	run jq -s '.[1].at_ms - .[0].at_ms' "$FAKE_LOG"
	[ "$output" -ge 900 ]
}

@test "--progress: one status line on stderr, none on stdout" {
	run -0 --separate-stderr or-send --progress -t <<<$'"a"\n"b"'
	assert_output $'Echo: a\n\n== line 2 ==\nEcho: b'
	[[ "${stderr_lines[-1]}" =~ ^or-send:\ 2\ done,\ 0\ failed,\ 0\ in\ flight,\ [0-9.]+\ req/s,\ 0:0[0-9],\ \$0\.[0-9]{6}$ ]]
}

@test "--progress: no rate before the first request is done, then requests a second" {
	cd "$BATS_TEST_TMPDIR"
	fake "delay 60000"
	or-send --progress -t <<<'"a"' >out 2>err 3>&- &
	local pid=$!
	wait_lines err 1
	kill -TERM "$pid"
	wait "$pid" || true
	[[ "$(head -1 err)" =~ ^or-send:\ 0\ done,\ 0\ failed,\ 1\ in\ flight,\ -\ req/s,\ 0:[0-9]{2},\ \$0\.000000$ ]]
}

@test "no progress line when stderr is not a terminal" {
	run -0 --separate-stderr or-send -t <<<'"a"'
	assert_equal "$stderr" ''
}

# --- interrupted, resumed --------------------------------------------

# or-send -P 2 on N prompts, each answered after MS ms; interrupted with
# SIGINT (as many times as asked) once two requests are in flight.
# Sets st to its exit status; its output is in out and err.
interrupt_batch() {
	local n=$1 ms=$2 sigs=$3 i pid
	for i in $(seq "$n"); do fake "delay $ms"; done
	seq "$n" | sed 's/.*/"&"/' >"$BATS_TEST_TMPDIR/in"
	or-send -P 2 <"$BATS_TEST_TMPDIR/in" >"$BATS_TEST_TMPDIR/out" \
	    2>"$BATS_TEST_TMPDIR/err" &
	pid=$!
	for i in $(seq 100); do [ "$(requests)" -ge 2 ] && break; sleep 0.05; done
	for i in $(seq "$sigs"); do kill -INT "$pid"; sleep 0.2; done
	st=0
	wait "$pid" || st=$?
}

# bats test_tags=plain
@test "SIGINT mid-batch: in-flight records finish, the rest are kept as interrupted" {
	interrupt_batch 10 1500 1
	[ "$st" -eq 1 ]
	run jq -c '[.prompt, (.error.type // "ok"), (.error.retryable // null)]' "$BATS_TEST_TMPDIR/out"
	[ "${#lines[@]}" -eq 10 ]
	[ "${lines[0]}" = '["1","ok",null]' ]
	[ "${lines[1]}" = '["2","ok",null]' ]
	[ "${lines[9]}" = '["10","interrupted",true]' ]
	[ "$(requests)" -eq 2 ]
}

@test "or-send --retry sends again only what may work, and keeps the user's bytes" {
	cat >"$BATS_TEST_TMPDIR/in" <<-'IN'
	{"id":1,"prompt":"again","seed":12345678901234567891,"error":{"type":"interrupted","retryable":true},"send":{"attempts":0}}
	{"id":2,"prompt":"broken","error":{"type":"bad_input","retryable":false}}
	{"id":3,"prompt":"done","response":{"x":1}}
	IN
	run -1 --separate-stderr or-send --retry <"$BATS_TEST_TMPDIR/in"
	[ "${#lines[@]}" -eq 3 ]
	[[ "${lines[0]}" == '{"id":1,"prompt":"again","seed":12345678901234567891,"response":'* ]]
	[ "$(jq -c '[.error, .send.attempts, .response.choices[0].message.content]' <<<"${lines[0]}")" = '[null,1,"Echo: again"]' ]
	[ "${lines[1]}" = "$(sed -n 2p "$BATS_TEST_TMPDIR/in")" ]
	[ "${lines[2]}" = "$(sed -n 3p "$BATS_TEST_TMPDIR/in")" ]
	[ "$(requests)" -eq 1 ]
}

@test "without --retry a failed record passes through unsent" {
	run -1 --separate-stderr or-send <<<'{"prompt":"x","error":{"type":"interrupted","retryable":true}}'
	assert_output '{"prompt":"x","error":{"type":"interrupted","retryable":true}}'
	[ "$(requests)" -eq 0 ]
}

# --- fallbacks and free models ---------------------------------------

@test "--fallback: the next model when one is not valid; models_tried says how each went" {
	run -0 --separate-stderr or-send --fallback nope/also-nope,openai/gpt-4o-mini <<<'{"model":"nope/nope","prompt":"hi"}'
	run jq -c '[.send.models_tried[] | [.model, .status]], .response.model, .send.attempts' <<<"$output"
	assert_output $'[["nope/nope",400],["nope/also-nope",400],["openai/gpt-4o-mini",200]]\n"openai/gpt-4o-mini"\n3'
}

@test "aliases: in --fallback, each -m, ORKIT_FREE_MODEL; a record's own model is sent as it is" {
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"aliases":{"fast":"anthropic/claude-3.5-haiku","cheap":"openai/gpt-4o-mini","gratis":"qwen/qwen3-8b:free"}}' >"$XDG_CONFIG_HOME/orkit/config.json"
	run -0 --separate-stderr or-send -m nonexist/x --fallback nope/nope,fast hi
	[ "$(jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output")" = '[["nonexist/x",400],["nope/nope",400],["anthropic/claude-3.5-haiku",200]]' ]
	run -0 --separate-stderr or-send -t -m fast -m cheap hi
	assert_output $'== 1@anthropic/claude-3.5-haiku ==\nEcho: hi\n\n== 1@openai/gpt-4o-mini ==\nEcho: hi'
	ORKIT_FREE_MODEL=gratis run -0 --separate-stderr or-send --free hi
	[ "$(request_body 6 | jq -r .model)" = qwen/qwen3-8b:free ]
	run -1 --separate-stderr or-send <<<'{"model":"fast","prompt":"hi"}'
	[ "$(request_body 7 | jq -r .model)" = fast ]
}

@test "--fallback does not follow a failure of the request itself" {
	fake "status 401"
	run -1 --separate-stderr or-send --fallback openai/gpt-4o-mini <<<'{"model":"anthropic/claude-3.5-haiku","prompt":"hi"}'
	run jq -c '[.send.models_tried[] | [.model, .status]], .error.status' <<<"$output"
	assert_output $'[["anthropic/claude-3.5-haiku",401]]\n401'
}

@test "--free: records get the free model unless they name a free one" {
	ORKIT_FREE_MODEL=qwen/qwen3-8b:free run -0 --separate-stderr or-send --free <<<$'{"prompt":"a","model":"openai/gpt-4o"}\n{"prompt":"b","model":"thudm/glm-4-9b:free"}\n"c"'
	run jq -r '.body.model' "$FAKE_LOG"
	assert_output $'qwen/qwen3-8b:free\nthudm/glm-4-9b:free\nqwen/qwen3-8b:free'
}

@test "--free picks from or-models' cached catalog" {
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	run -0 --separate-stderr or-send --free -t hi
	[ "$(jq -r .body.model "$FAKE_LOG")" = "$(jq -r '[.data[].id | select(endswith(":free"))][0]' "$FIXTURES/models.json")" ]
}

@test "--on-402 free: out of credit, the free model answers" {
	fake "/chat/completions status 402"
	ORKIT_FREE_MODEL=qwen/qwen3-8b:free run -0 --separate-stderr or-send --on-402 free -m openai/gpt-4o hi
	run jq -c '[.send.models_tried[] | [.model, .status]], .response.model' <<<"$output"
	assert_output $'[["openai/gpt-4o",402],["qwen/qwen3-8b:free",200]]\n"qwen/qwen3-8b:free"'
}

@test "a record's own models array is sent as it is" {
	run -0 --separate-stderr or-send <<<'{"models":["a/b","anthropic/claude-3.5-haiku"],"prompt":"hi"}'
	[ "$(jq -c .body.models "$FAKE_LOG")" = '["a/b","anthropic/claude-3.5-haiku"]' ]
	[ "$(jq -r .response.model <<<"$output")" = anthropic/claude-3.5-haiku ]
}

@test "openrouter/auto: the model that served is in response.model" {
	run -0 --separate-stderr or-send -m openrouter/auto hi
	[ "$(jq -r .body.model "$FAKE_LOG")" = openrouter/auto ]
	[ "$(jq -r .response.model <<<"$output")" = openai/gpt-4o-mini ]
}

# bats test_tags=plain
@test "a second SIGINT ends the requests in flight too" {
	interrupt_batch 4 5000 2
	[ "$st" -eq 1 ]
	run jq -c '[.prompt, .error.type, .error.message, .send.attempts]' "$BATS_TEST_TMPDIR/out"
	assert_output '["1","interrupted","interrupted while in flight; it may have been billed",1]
["2","interrupted","interrupted while in flight; it may have been billed",1]
["3","interrupted","interrupted before it was sent",null]
["4","interrupted","interrupted before it was sent",null]'
	[ "$(tail -n 1 "$BATS_TEST_TMPDIR/err")" = 'or-send: interrupted: 4 records written with error.type "interrupted"; or-send --retry sends them again' ]
}

@test "--stream --reasoning -t: reasoning on stderr, the answer on stdout" {
	f=chat/TestOpenRouterCommon__gpt-5__simple_streaming.0.200.sse
	fake "fixture $f" "fixture $f"
	run -0 --separate-stderr or-send --stream --reasoning -t "Say hi in Portuguese"
	assert_output "Olá!"
	assert_equal "$stderr" "$(sed -n 's/^data: {/{/p' "$FIXTURES/$f" | jq -j '.choices[0].delta.reasoning // empty')"
	run -0 --separate-stderr or-send --stream -t "Say hi in Portuguese"
	assert_output "Olá!"
	assert_equal "$stderr" ''
}

# --- streaming -------------------------------------------------------

@test "--stream -t: the text, as it came" {
	run -0 --separate-stderr or-send --stream -t "Write a haiku"
	assert_output "Echo: Write a haiku"
	[ "$(jq -c .body.stream "$FAKE_LOG")" = true ]
}

@test "--stream: the record has the non-streamed shape, and ttft_ms" {
	run -0 --separate-stderr or-send --stream <<<'{"id":"s1","prompt":"hello there"}'
	run jq -c '[.id, .response.object, .response.choices[0].message.role, .response.choices[0].message.content, .response.choices[0].finish_reason, (.response.usage.total_tokens > 0), (.send.ttft_ms >= 0), (.response.id | startswith("gen-"))]' <<<"$output"
	assert_output '["s1","chat.completion","assistant","Echo: hello there","stop",true,true,true]'
}

@test "--stream: a mid-stream error is the record's error; the text so far is kept" {
	fake "midstream-error after=2"
	run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	run jq -c '[.error.status, .error.message, .error.retryable, (.response.choices[0].message.content | length > 0)]' <<<"$output"
	assert_output '[200,"Token limit reached",false,true]'
}

@test "--stream: a stream cut before [DONE] is an error, never a partial success" {
	fake "cut after=2"
	run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	run jq -c '[.error.type, .error.retryable]' <<<"$output"
	assert_output '["stream",true]'
}

@test "--stream: a stream that stalls is an error" {
	fake "stall 3000 after=1"
	ORKIT_STALL_MS=1000 run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	run jq -c '[.error.type, .error.message]' <<<"$output"
	assert_output '["stream","stream stalled: no bytes for 1.0s (ORKIT_STALL_MS)"]'
}

@test "--stream: an HTTP error before the stream is plain JSON, and retried" {
	fake "status 502"
	run -0 --separate-stderr or-send --stream -t hi
	assert_output "Echo: hi"
	[ "$(requests)" -eq 2 ]
}

# --- sent once, every byte kept (issue 14) ----------------------------

@test "\"stream\": true in a record without --stream: streamed and assembled, sent once" {
	run -0 --separate-stderr or-send <<<'{"prompt":"hello there","stream":true}'
	run jq -c '[.response.object, .response.choices[0].message.content, .send.attempts, (.error == null)]' <<<"$output"
	assert_output '["chat.completion","Echo: hello there",1,true]'
	[ "$(requests)" -eq 1 ]
}

@test "-o stream=true without --stream: streamed and assembled, -t prints the text" {
	run -0 --separate-stderr or-send -o stream=true -t hi
	assert_output "Echo: hi"
	[ "$(requests)" -eq 1 ]
}

@test "a server that streams unasked is assembled, not parsed as JSON and resent" {
	fake "fixture stream/thinking_streaming.sse"
	run -0 --separate-stderr or-send hi
	[ "$(requests)" -eq 1 ]
	run jq -c '[.response.object, (.response.choices[0].message.content | length > 0)]' <<<"$output"
	assert_output '["chat.completion",true]'
}

@test "a streamed response keeps usage's bytes: thinking_streaming.sse is thinking.json" {
	fake "fixture stream/thinking_streaming.sse"
	run -0 --separate-stderr or-send --stream hi
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	jq -c .response "$BATS_TEST_TMPDIR/out" >/dev/null
	# the response's bytes as written, not as jq would print them
	sed 's/.*"response":\({.*}\),"send":.*/\1/' "$BATS_TEST_TMPDIR/out" >"$BATS_TEST_TMPDIR/resp"
	cmp "$BATS_TEST_TMPDIR/resp" "$FIXTURES/stream/thinking.json"
	assert_output --partial '"cost":0.00001155,'
}

@test "a streamed response keeps usage's bytes even in exponent form, as some captures have" {
	# the same stream with its cost as the API printed one in 2026-02
	# (6e-07 in chat_completion_nonstream_2026-02-25_...): not rewritten
	local fx=$BATS_TEST_TMPDIR/fx
	mkdir -p "$fx/stream"
	cp "$FIXTURES/models.json" "$fx/"
	sed 's/"cost":0.00001155,/"cost":1.155e-05,/' \
	    "$FIXTURES/stream/thinking_streaming.sse" >"$fx/stream/t.sse"
	fake_stop
	fake_start -F "$fx"
	fake "fixture stream/t.sse"
	run -0 --separate-stderr or-send --stream hi
	assert_output --partial '"usage":{"prompt_tokens":42,"completion_tokens":31,"total_tokens":73,"cost":1.155e-05,'
}

@test "a 200 cut after its headers is not resent; the id and the first KB are kept" {
	fake "cut" "cut" "cut" "cut"
	run -1 --separate-stderr or-send hi
	[ "$(requests)" -eq 1 ]
	run jq -c '[.error.retryable, .error.status, (.error.generation_id | startswith("gen-")), (.error.received | type), .send.attempts]' <<<"$output"
	assert_output '[true,200,true,"string",1]'
}

@test "a 200 that is not JSON is not resent; --retry sends it when asked" {
	fake garbage
	run -1 --separate-stderr or-send hi
	[ "$(requests)" -eq 1 ]
	printf '%s\n' "$output" >"$BATS_TEST_TMPDIR/out"
	run jq -c '[.error.type, .error.retryable, .error.received]' "$BATS_TEST_TMPDIR/out"
	assert_output '["bad_response",true,"<html><body>502 Bad Gateway</body></html>"]'
	run -0 --separate-stderr or-send --retry -t <"$BATS_TEST_TMPDIR/out"
	assert_output "Echo: hi"
	[ "$(requests)" -eq 2 ]
}

@test "--stream: a cut stream is not resent either" {
	fake "cut after=2" "cut after=2"
	run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	[ "$(requests)" -eq 1 ]
}

@test "--stream: an error event is error.type stream with the API's code and message" {
	fake "midstream-error after=2 code=502 message=Upstream%20gone"
	run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	run jq -c '[.error.type, .error.code, .error.message, .error.status, (.response.choices[0].message.content | length > 0)]' <<<"$output"
	assert_output '["stream",502,"Upstream gone",200,true]'
}

@test "--stream: a timeout while bytes still come is a timeout, not a stall" {
	fake "keepalive 400"
	OPENROUTER_TIMEOUT_MS=500 ORKIT_STALL_MS=5000 run -1 --separate-stderr or-send --stream <<<'{"prompt":"tell me a long story please"}'
	run jq -r '.error.message' <<<"$output"
	assert_output "stream timed out after 0.5s (OPENROUTER_TIMEOUT_MS), still receiving"
}

@test "--stream: a stall with nothing received names ORKIT_STALL_MS and leaves no response shell" {
	fake "stall 3000 after=0"
	ORKIT_STALL_MS=500 run -1 --separate-stderr or-send --stream <<<'{"prompt":"hi"}'
	run jq -c '[.error.type, .error.message, has("response")]' <<<"$output"
	assert_output '["stream","stream stalled: no bytes for 0.5s (ORKIT_STALL_MS)",false]'
}

# --- every record comes out (issue 14) --------------------------------

@test "--fallback with no model anywhere: no abort; null for the API's default model" {
	run -0 --separate-stderr or-send --fallback openai/gpt-4o-mini hi
	run jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output"
	assert_output '[[null,200]]'
}

@test "--fallback with a model, and a record without one that fails: the next model" {
	fake "status 404"
	run -0 --separate-stderr or-send --fallback openai/gpt-4o-mini <<<'{"prompt":"hi"}'
	run jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output"
	assert_output '[[null,404],["openai/gpt-4o-mini",200]]'
	run -0 --separate-stderr or-send -m openai/gpt-4o --fallback openai/gpt-4o-mini <<<'{"prompt":"hi"}'
	run jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output"
	assert_output '[["openai/gpt-4o",200]]'
}

@test "--fallback: a record with models but no model is the first of models" {
	fake "status 404"
	run -0 --separate-stderr or-send --fallback openai/gpt-4o-mini <<<'{"prompt":"hi","models":["openai/gpt-4o","anthropic/claude-3.5-haiku"]}'
	run jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output"
	assert_output '[["openai/gpt-4o",404],["openai/gpt-4o-mini",200]]'
}

@test "--on-402 free -t with no model: no abort, the free model answers" {
	fake "/chat/completions status 402"
	ORKIT_FREE_MODEL=qwen/qwen3-8b:free run -0 --separate-stderr or-send --on-402 free -t hi
	assert_output "Echo: hi"
	ORKIT_FREE_MODEL=qwen/qwen3-8b:free run -0 --separate-stderr or-send --on-402 free -m openai/gpt-4o -t hi
	assert_output "Echo: hi"
}

@test "--free with and without a model, and with models only: no abort" {
	ORKIT_FREE_MODEL=qwen/qwen3-8b:free run -0 --separate-stderr or-send --free <<<$'{"prompt":"a"}\n{"prompt":"b","model":"openai/gpt-4o"}\n{"prompt":"c","models":["openai/gpt-4o"]}'
	run jq -r '.body.model' "$FAKE_LOG"
	assert_output $'qwen/qwen3-8b:free\nqwen/qwen3-8b:free\nqwen/qwen3-8b:free'
}

# --- the model sent is the model logged and hashed (issue 14) ---------

@test "send.model is the model sent; send.request_hash covers the defaults" {
	run -0 --separate-stderr or-send -m openai/gpt-4o hi
	run jq -c '[.send.model, (.send.request_hash | test("^[0-9a-f]{64}$"))]' <<<"$output"
	assert_output '["openai/gpt-4o",true]'
	local a b c
	a=$(or-send -m openai/gpt-4o hi | jq -r .send.request_hash)
	b=$(or-send -m openai/gpt-4o-mini hi | jq -r .send.request_hash)
	c=$(or-send <<<'{"prompt":"hi","model":"openai/gpt-4o"}' | jq -r .send.request_hash)
	[ "$a" != "$b" ]
	[ "$a" = "$c" ]
	# streamed or not, the same request
	[ "$(or-send --stream -m openai/gpt-4o hi | jq -r .send.request_hash)" = "$a" ]
}

@test "send.model: the model that gave the final answer, after a fallback" {
	run -0 --separate-stderr or-send --fallback openai/gpt-4o-mini <<<'{"model":"nope/nope","prompt":"hi"}'
	run jq -r '.send.model' <<<"$output"
	assert_output "openai/gpt-4o-mini"
	run -0 --separate-stderr or-send hi
	run jq -c '.send.model' <<<"$output"
	assert_output 'null'
}

# --- a fallback falls back (issue 14) ---------------------------------

@test "--fallback after 5xx: A's retries are spent, then B with its own" {
	fake "status 502" "status 502" "status 502" "status 502" "status 502"
	run -0 --separate-stderr or-send -m openai/gpt-4o --fallback openai/gpt-4o-mini hi
	run jq -c '[.send.models_tried[] | [.model, .status]], .send.model, .response.model' <<<"$output"
	assert_output $'[["openai/gpt-4o",502],["openai/gpt-4o",502],["openai/gpt-4o",502],["openai/gpt-4o",502],["openai/gpt-4o-mini",502],["openai/gpt-4o-mini",200]]\n"openai/gpt-4o-mini"\n"openai/gpt-4o-mini"'
}

@test "--fallback after a provider error in a 200 body" {
	fake "error200 type=server_error" "error200 type=server_error" "error200 type=server_error"
	run -0 --separate-stderr or-send --retries 1 -m openai/gpt-4o --fallback openai/gpt-4o-mini hi
	[ "$(requests)" -eq 4 ]
	run jq -c '[.send.models_tried[] | [.model, .status, .error]]' <<<"$output"
	assert_output '[["openai/gpt-4o",200,"Provider returned error"],["openai/gpt-4o",200,"Provider returned error"],["openai/gpt-4o-mini",200,"Provider returned error"],["openai/gpt-4o-mini",200,null]]'
}

@test "--fallback: a 429 asking longer than ORKIT_MAX_WAIT moves on at once" {
	fake "status 429 retry-after=120"
	ORKIT_MAX_WAIT=5s run -0 --separate-stderr timeout 10 or-send -m openai/gpt-4o --fallback openai/gpt-4o-mini hi
	run jq -c '[.send.models_tried[] | [.model, .status]], .send.backoff_ms' <<<"$output"
	assert_output $'[["openai/gpt-4o",429],["openai/gpt-4o-mini",200]]\n0'
}

@test "ORKIT_MAX_WAIT that is not a duration: exit 2" {
	ORKIT_MAX_WAIT=soon run -2 --separate-stderr or-send hi
	assert_output ''
	[ "$stderr" = "or-send: ORKIT_MAX_WAIT: not a duration: soon" ]
}

@test "--fallback after a timeout before any byte" {
	fake "delay 3000"
	OPENROUTER_TIMEOUT_MS=300 run -0 --separate-stderr or-send -m openai/gpt-4o --fallback openai/gpt-4o-mini hi
	run jq -c '[.send.models_tried[] | [.model, .status]]' <<<"$output"
	assert_output '[["openai/gpt-4o",null],["openai/gpt-4o-mini",200]]'
}

@test "--fallback never resends what may be billed: a 200 cut after its headers" {
	fake cut
	run -1 --separate-stderr or-send -m openai/gpt-4o --fallback openai/gpt-4o-mini hi
	[ "$(requests)" -eq 1 ]
	run jq -c '[.send.models_tried[] | [.model, .status]], .error.retryable' <<<"$output"
	assert_output $'[["openai/gpt-4o",200]]\ntrue'
}

# --- --free picks a model that exists (issue 14) ----------------------

@test "--free with no cached catalog: fetches it (2026), caches it, picks a free model it has" {
	fake_stop
	fake_start -m "$FIXTURES/models-2026.json"
	run -0 --separate-stderr or-send --free -t hi
	assert_output "Echo: hi"
	[ "$stderr" = "" ]
	local m
	m=$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG")
	[ "$m" = "$(jq -r '[.data[].id | strings | select(endswith(":free"))][0]' "$FIXTURES/models-2026.json")" ]
	[ "$(requests /models)" -eq 1 ]
	cmp "$XDG_CACHE_HOME/orkit/models.json" "$FIXTURES/models-2026.json"
	# the second run reads the cache
	run -0 --separate-stderr or-send --free -t hi
	[ "$(requests /models)" -eq 1 ]
}

@test "--free offline: the built-in name, with one warning" {
	fake_stop
	ORKIT_RETRIES=0 run -1 --separate-stderr or-send --free hi
	[ "${#stderr_lines[@]}" -eq 2 ]
	[[ "${stderr_lines[0]}" == "or-send: no model catalog ("*"): the free model is qwen/qwen3-coder:free, which may no longer exist (set ORKIT_FREE_MODEL)" ]]
}

# --- messages a user can act on (issue 14) ----------------------------

@test "401: says the key was refused and where it came from, never the key" {
	export OPENROUTER_API_KEY=sk-or-v1-wrong
	run -1 --separate-stderr or-send hello
	[ "$stderr" = "or-send: prompt: User not found.; the API key was refused (the key from OPENROUTER_API_KEY)" ]
	run jq -r '.error.hint' <<<"$output"
	assert_output "the API key was refused (the key from OPENROUTER_API_KEY)"
	unset OPENROUTER_API_KEY
	printf 'sk-or-v1-wrong\n' >"$BATS_TEST_TMPDIR/k"
	chmod 600 "$BATS_TEST_TMPDIR/k"
	OPENROUTER_API_KEY_FILE=$BATS_TEST_TMPDIR/k run -1 --separate-stderr or-send hello
	[[ "$stderr" == *"the API key was refused (the key from the file $BATS_TEST_TMPDIR/k (OPENROUTER_API_KEY_FILE))" ]]
	[[ "$stderr$output" != *sk-or-v1-wrong* ]]
}

@test "404 on the chat path: the URL, and OPENROUTER_BASE_URL named" {
	export OPENROUTER_BASE_URL=$OPENROUTER_BASE_URL/nope
	run -1 --separate-stderr or-send hello
	[[ "$stderr" == *"; $OPENROUTER_BASE_URL/chat/completions is not the chat API: is OPENROUTER_BASE_URL right?" ]]
}

@test "an invalid model id: did you mean, from the cached catalog" {
	run -1 --separate-stderr or-send -m openai/gpt-4o-mnii hi
	run jq -c '.error.hint' <<<"$output"
	assert_output 'null'
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	run -1 --separate-stderr or-send -m openai/gpt-4o-mnii hi
	[[ "$stderr" == "or-send: prompt: openai/gpt-4o-mnii is not a valid model ID; did you mean "*"openai/gpt-4o-mini"*"?" ]]
	run jq -r .error.message <<<"$output"
	assert_output "openai/gpt-4o-mnii is not a valid model ID"
}

@test "--stream -t --reasoning: the reasoning line ends before an error message" {
	# a real thinking stream cut before its end: reasoning, then an error
	local fx=$BATS_TEST_TMPDIR/fx
	mkdir -p "$fx/stream"
	cp "$FIXTURES/models.json" "$fx/"
	head -n 8 "$FIXTURES/stream/thinking_streaming.sse" >"$fx/stream/cut.sse"
	fake_stop
	fake_start -F "$fx"
	fake "fixture stream/cut.sse"
	run -1 --separate-stderr or-send --stream --reasoning -t hi
	[ "${stderr_lines[-1]}" = "or-send: prompt: stream cut before data: [DONE]" ]
	[ "${#stderr_lines[@]}" -ge 2 ]
}

# --- budgets ---------------------------------------------------------

# n records of one size: each asks up to $0.0000609 (6 prompt tokens
# at $0.15/M and max_tokens 100 at $0.60/M) and the fake bills $0.0000021
# (2 + 3 tokens).
same_jobs() {
	jq -nc --argjson n "$1" 'range($n) | {id: "j\(. + 1)",
	    model: "openai/gpt-4o-mini", prompt: "hello", max_tokens: 100}'
}

# What the fake has billed, in picodollars.
billed() {
	curl -s -H "Authorization: Bearer $KEY" "$OPENROUTER_BASE_URL/key" |
	    jq '.data.usage * 1e12 | round'
}

# A ledger of rows (ts ISO, usd, model, job), as or-log keeps them.
ledger() {
	LEDGER=$BATS_TEST_TMPDIR/ledger.db
	or-log -d "$LEDGER" </dev/null
	while [ $# -ge 4 ]; do
		sqlite3 "$LEDGER" "INSERT INTO requests(ts, job, model, served,
		    status, usd, record) VALUES (strftime('%s', '$1') * 1000,
		    NULLIF('$4', ''), '$3', '$3', 'ok', $2, '{}')"
		shift 4
	done
}

@test "--budget run=: the records that fit are sent, the rest refused in their turn, exit 3" {
	cd "$BATS_TEST_TMPDIR"
	same_jobs 20 >in.jsonl
	run -3 --separate-stderr or-send --budget run=0.0001 <in.jsonl
	# (n - 1) x 0.0000021 + 0.0000609 <= 0.0001: 19 fit, the 20th not
	[ "${#lines[@]}" -eq 20 ]
	[ "$(jq -r .id <<<"$output" | paste -sd,)" = "$(jq -r .id in.jsonl | paste -sd,)" ]
	[ "$(jq -c 'select(.error) | .id' <<<"$output" | wc -l)" -eq 1 ]
	[ "$(grep error <<<"$output")" = '{"id":"j20","model":"openai/gpt-4o-mini","prompt":"hello","max_tokens":100,"error":{"tool":"or-send","type":"budget_exceeded","message":"not sent: the run budget of $0.0001 would be crossed: $0.0000399 spent, $0 reserved in flight, this request up to $0.0000609","retryable":true,"limit":"run","period":"run","limit_usd":0.0001,"spent_usd":0.0000399,"reserved_usd":0,"request_usd":0.0000609}}' ]
	[ "$stderr" = 'or-send: j20: not sent: the run budget of $0.0001 would be crossed: $0.0000399 spent, $0 reserved in flight, this request up to $0.0000609' ]
	[ "$(requests)" -eq 19 ]
	[ "$(billed)" -eq 39900000 ]
}

# bats test_tags=plain
@test "--budget with -P 64 over 1,000 records: the same records sent as serially, never over the cap" {
	cd "$BATS_TEST_TMPDIR"
	same_jobs 1000 >in.jsonl
	run -3 --separate-stderr or-send -P 64 --budget run=0.001 <in.jsonl
	# (n - 1) x 0.0000021 + 0.0000609 <= 0.001: n = 448
	[ "${#lines[@]}" -eq 1000 ]
	[ "$(jq -r .id <<<"$output" | paste -sd,)" = "$(jq -r .id in.jsonl | paste -sd,)" ]
	[ "$(jq -r 'select(.response) | .id' <<<"$output" | paste -sd,)" = "$(seq -f 'j%g' 448 | paste -sd,)" ]
	[ "$(jq -r 'select(.error) | .error.type' <<<"$output" | sort | uniq -c | tr -s ' ')" = " 552 budget_exceeded" ]
	[ "$(requests)" -eq 448 ]
	[ "$(billed)" -eq 940800000 ]
	# serially, the same
	fake_stop; fake_start
	run -3 --separate-stderr or-send --budget run=0.001 <in.jsonl
	[ "$(jq -r 'select(.response) | .id' <<<"$output" | wc -l)" -eq 448 ]
}

@test "--budget: a request waits for those in flight to settle rather than be refused" {
	cd "$BATS_TEST_TMPDIR"
	same_jobs 8 >in.jsonl
	# 8 x 0.0000609 > 0.0002 reserved at once, but all 8 fit once billed
	run -0 --separate-stderr or-send -P 8 --budget run=0.0002 <in.jsonl
	[ "$(jq -r 'select(.response) | .id' <<<"$output" | wc -l)" -eq 8 ]
	[ "$(requests)" -eq 8 ]
}

@test "--budget day= and month=: the ledger's spend of the UTC day and month, by ORKIT_NOW" {
	cd "$BATS_TEST_TMPDIR"
	ledger 2026-11-30T12:00:00Z 0.0001 openai/gpt-4o-mini "" \
	    2026-11-02T12:00:00Z 0.0004 openai/gpt-4o-mini ""
	same_jobs 1 >in.jsonl
	export ORKIT_NOW=2026-11-30T23:59:00Z
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget day=0.00015 <in.jsonl
	[ "$(jq -c '.error | [.limit, .period, .spent_usd]' <<<"$output")" = '["day","2026-11-30",0.0001]' ]
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget month=0.00055 <in.jsonl
	[ "$(jq -c '.error | [.limit, .period, .spent_usd]' <<<"$output")" = '["month","2026-11",0.0005]' ]
	[ "$(requests)" -eq 0 ]
	# a minute later it is a new day and a new month
	export ORKIT_NOW=2026-12-01T00:01:00Z
	run -0 --separate-stderr or-send --ledger "$LEDGER" --budget day=0.00015,month=0.00055 <in.jsonl
	jq -e '.response.usage.cost == 0.0000021' <<<"$output"
	[ "$(requests)" -eq 1 ]
}

@test "--budget model: and job: count only their model (a dated id too) and their jobs" {
	cd "$BATS_TEST_TMPDIR"
	ledger 2026-11-30T10:00:00Z 0.0001 openai/gpt-4o-mini-2024-07-18 nightly-1 \
	    2026-11-30T11:00:00Z 0.0003 openai/gpt-4o daily-1
	export ORKIT_NOW=2026-11-30T20:00:00Z
	same_jobs 1 >in.jsonl
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget model:openai/gpt-4o-mini=0.00015/day <in.jsonl
	[ "$(jq -c '.error | [.limit, .spent_usd]' <<<"$output")" = '["model:openai/gpt-4o-mini/day",0.0001]' ]
	# openai/gpt-4o's spend is not openai/gpt-4o-mini's
	run -0 --separate-stderr or-send --ledger "$LEDGER" --budget model:openai/gpt-4o=0.0001/day <in.jsonl
	run -0 --separate-stderr or-send --ledger "$LEDGER" --budget model:openai/gpt-4o-mini=0.0002/day <in.jsonl
	jq -c '.id = "nightly-2"' in.jsonl >nightly.jsonl
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget job:nightly-=0.00015/day <nightly.jsonl
	[ "$(jq -c '.error | [.limit, .spent_usd]' <<<"$output")" = '["job:nightly-/day",0.0001]' ]
	# a job the prefix does not name is not held by it
	run -0 --separate-stderr or-send --ledger "$LEDGER" --budget job:nightly-=0.00015/day <in.jsonl
	[ "$(requests)" -eq 3 ]
}

@test "--budget: the ledger missing is this run's spend alone, said once; newer is exit 2; a held lock does not stop it" {
	cd "$BATS_TEST_TMPDIR"
	same_jobs 2 >in.jsonl
	run -0 --separate-stderr or-send --ledger "$BATS_TEST_TMPDIR/none.db" --budget day=1 <in.jsonl
	[ "$stderr" = "or-send: $BATS_TEST_TMPDIR/none.db: no ledger there: budgets count only this run's spend" ]
	[ ! -e "$BATS_TEST_TMPDIR/none.db" ]
	ledger 2026-11-30T10:00:00Z 0.0001 openai/gpt-4o-mini ""
	export ORKIT_NOW=2026-11-30T20:00:00Z
	{ echo 'BEGIN EXCLUSIVE;'; sleep 3; echo 'COMMIT;'; } | sqlite3 "$LEDGER" &
	holder=$!
	sleep 0.3
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget day=0.00015 <in.jsonl
	kill -0 "$holder"
	wait "$holder"
	[ "$(jq -r .error.spent_usd <<<"$output" | sort -u)" = 0.0001 ]
	sqlite3 "$LEDGER" 'PRAGMA user_version = 99'
	run -2 --separate-stderr or-send --ledger "$LEDGER" --budget day=1 <in.jsonl
	[ "$stderr" = "or-send: $LEDGER: schema version 99 is newer than this orkit's (5); use a newer orkit" ]
	assert_output ''
	[ "$(requests)" -eq 2 ]
}

@test "--budget: a request that cannot be bounded is refused, unless --budget-unbounded allow" {
	cd "$BATS_TEST_TMPDIR"
	printf '%s\n' '{"id":1,"model":"openrouter/auto","prompt":"hello"}' >in.jsonl
	run -3 --separate-stderr or-send --budget run=1 <in.jsonl
	[ "$(jq -c .error <<<"$output")" = '{"tool":"or-send","type":"budget_exceeded","message":"not sent: its cost cannot be bounded (openrouter/auto has no fixed price: it is decided per request), and budgets refuse what they cannot bound (name a model with a fixed price, or --budget-unbounded allow)","retryable":true,"limit":null}' ]
	[ "$(requests)" -eq 0 ]
	run -0 --separate-stderr or-send --budget run=1 --budget-unbounded allow <in.jsonl
	[ "$(requests)" -eq 1 ]
	run -2 --separate-stderr or-send --budget-unbounded maybe hi
	[ "${stderr_lines[0]}" = "or-send: --budget-unbounded wants allow or refuse" ]
}

@test "--budget: fallbacks and --on-402 switches pass the gate too" {
	cd "$BATS_TEST_TMPDIR"
	fake "/chat/completions status 503"
	printf '%s\n' '{"id":1,"model":"openai/gpt-4o-mini","prompt":"hello","max_tokens":100}' >in.jsonl
	run -3 --separate-stderr or-send --fallback openai/gpt-4o --budget model:openai/gpt-4o=0.0001/run <in.jsonl
	[ "$(jq -c '[.send.models_tried[].model, .error.limit]' <<<"$output")" = '["openai/gpt-4o-mini","model:openai/gpt-4o/run"]' ]
	[ "$(requests)" -eq 1 ]
	fake "/chat/completions status 402"
	run -3 --separate-stderr env ORKIT_FREE_MODEL=openai/gpt-4o or-send --on-402 free --budget model:openai/gpt-4o=0.0001/run <in.jsonl
	[ "$(jq -r .error.limit <<<"$output")" = "model:openai/gpt-4o/run" ]
	[ "$(requests)" -eq 2 ]
}

@test "--budget: a retry passes the gate again, and a 429 released what it had reserved" {
	cd "$BATS_TEST_TMPDIR"
	fake "/chat/completions status 429 retry-after=0"
	same_jobs 1 >in.jsonl
	# room for one reservation: the retry fits only if the 429's was let go
	run -0 --separate-stderr or-send --budget run=0.00007 <in.jsonl
	jq -e '.send.attempts == 2 and .response.usage.cost == 0.0000021' <<<"$output"
	[ "$(requests)" -eq 2 ]
	# a stream's cost counts as it comes: 19 fit, as without --stream
	same_jobs 20 >in.jsonl
	run -3 --separate-stderr or-send --stream --budget run=0.0001 <in.jsonl
	[ "$(jq -r 'select(.error) | .id' <<<"$output")" = j20 ]
}

# bats test_tags=plain
@test "--budget-shared: four or-sends at once hold one day's cap between them, as one would" {
	cd "$BATS_TEST_TMPDIR"
	ledger 2026-11-30T10:00:00Z 0.0002 openai/gpt-4o-mini ""
	export ORKIT_NOW=2026-11-30T20:00:00Z
	for p in 1 2 3 4; do
		same_jobs 150 | jq -c --arg p "$p" '.id = "p\($p)-" + .id' >in$p.jsonl
	done
	pids=
	for p in 1 2 3 4; do
		or-send -P 8 --ledger "$LEDGER" --budget day=0.001 --budget-shared <in$p.jsonl >out$p.jsonl 2>err$p &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p" || [ $? -eq 3 ]; done
	# 0.0002 + (n - 1) x 0.0000021 + 0.0000609 <= 0.001: n = 352 in all
	[ "$(cat out?.jsonl | jq -r 'select(.response) | .id' | wc -l)" -eq 352 ]
	[ "$(cat out?.jsonl | jq -r .error.type | sort | uniq -c | tr -s ' ')" = " 248 budget_exceeded
 352 null" ]
	[ "$(cat out?.jsonl | wc -l)" -eq 600 ]
	[ "$(requests)" -eq 352 ]
	[ "$(billed)" -eq 739200000 ]
	[ "$(stat -c %a "$LEDGER-budget")" = 600 ]
	[ "$(sqlite3 "$LEDGER-budget" 'SELECT lim, period, pico FROM baseline')" = "day|2026-11-30|200000000" ]
	[ "$(sqlite3 "$LEDGER-budget" 'SELECT sum(billed), sum(reserved) FROM spend')" = "739200000|0" ]
	# What or-log commits later is already counted: the baseline stays.
	sqlite3 "$LEDGER" "UPDATE requests SET usd = 0.0009"
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget day=0.001 --budget-shared <in1.jsonl
	[ "$(jq -r .error.spent_usd <<<"$output" | sort -u)" = 0.0009392 ]
}

@test "--budget-shared: a process gone with requests in flight has them counted as spent; without it, each or-send sees only itself" {
	cd "$BATS_TEST_TMPDIR"
	ledger
	export ORKIT_NOW=2026-11-30T20:00:00Z
	same_jobs 1 | or-send --ledger "$LEDGER" --budget day=1 --budget-shared >/dev/null
	sqlite3 "$LEDGER-budget" "INSERT INTO spend VALUES ('day', '2026-11-30', 999999999, 1, 500000000, 0)"
	same_jobs 300 >in.jsonl
	run -3 --separate-stderr or-send --ledger "$LEDGER" --budget day=0.001 --budget-shared <in.jsonl
	# 0.0005 + 0.0000021 (the first run) + (n - 1) x 0.0000021 + 0.0000609 <= 0.001: n = 209
	[ "$(jq -r 'select(.response) | .id' <<<"$output" | wc -l)" -eq 209 ]
	[ "$(sqlite3 "$LEDGER-budget" "SELECT billed, reserved FROM spend WHERE pid = 999999999")" = "500000000|0" ]
	# Four at once without it: each counts only its own spend.
	before=$(requests)
	for p in 1 2 3 4; do same_jobs 150 >in$p.jsonl; done
	pids=
	for p in 1 2 3 4; do
		or-send -P 8 --ledger "$LEDGER" --budget day=0.001 <in$p.jsonl >out$p.jsonl 2>/dev/null &
		pids="$pids $!"
	done
	for p in $pids; do wait "$p"; done
	[ $(($(requests) - before)) -eq 600 ]
}

@test "--budget: budget.json holds without flags, --budget over it, --no-budget ignores it" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"run": 0.0001}' >"$XDG_CONFIG_HOME/orkit/budget.json"
	same_jobs 20 >in.jsonl
	run -3 --separate-stderr or-send <in.jsonl
	[ "$(jq -r 'select(.error) | .id' <<<"$output")" = j20 ]
	run -0 --separate-stderr or-send --budget run=1 <in.jsonl
	run -0 --separate-stderr or-send --no-budget <in.jsonl
	[ "$(requests)" -eq 59 ]
}

@test "--min-credits: below the floor every record goes out unsent, exit 3; above it they are sent" {
	cd "$BATS_TEST_TMPDIR"
	fake_stop; fake_start -c 0.5
	same_jobs 3 >in.jsonl
	run -3 --separate-stderr or-send --min-credits 1 <in.jsonl
	[ "$(jq -c .error <<<"$output" | sort -u)" = '{"tool":"or-send","type":"budget_exceeded","message":"not sent: the remaining credit, $0.5, is below --min-credits $1","retryable":true,"limit":"min-credits"}' ]
	[ "${stderr_lines[0]}" = 'or-send: not sent: the remaining credit, $0.5, is below --min-credits $1' ]
	[ "$(requests)" -eq 0 ]
	[ "$(requests /credits)" -eq 1 ]
	run -0 --separate-stderr or-send --min-credits 0.25 <in.jsonl
	[ "$(requests)" -eq 3 ]
	run -2 --separate-stderr or-send --min-credits lots hi
	[ "${stderr_lines[0]}" = 'or-send: --min-credits "lots": wants USD, a plain decimal like 5 or 0.25' ]
}

@test "--min-credits: a key that may not read /credits is held to its own limit, or cannot be checked" {
	cd "$BATS_TEST_TMPDIR"
	fake_stop; fake_start -L 0.000001
	fake "/credits status 403 message=Only%20management%20keys%20can%20perform%20this%20operation"
	same_jobs 1 >in.jsonl
	run -3 --separate-stderr or-send --min-credits 0.5 <in.jsonl
	[ "$(jq -r .error.message <<<"$output")" = 'not sent: the key limit remaining, $0.000001, is below --min-credits $0.5' ]
	fake_stop; fake_start
	fake "/credits status 403 message=Only%20management%20keys%20can%20perform%20this%20operation"
	run -2 --separate-stderr or-send --min-credits 0.5 <in.jsonl
	[ "$stderr" = 'or-send: --min-credits: the credit left cannot be read (GET /credits: Only management keys can perform this operation) and the key has no limit' ]
	assert_output ''
	[ "$(requests)" -eq 0 ]
}

# --- at the terminal ---------------------------------------------------

# Runs a shell command with stdin, stdout and stderr on a pseudo-terminal
# (bats has none); its output is what the terminal received.
on_tty() {
	script -qec "$1" /dev/null </dev/null
}

# What a screen shows of a terminal's output: the pty's \r\n is a line
# end, any other \r goes back to the line's start and overwrites it.
render() {
	sed 's/\r$//' | awk -F'\r' '{
		line = ""
		for (i = 1; i <= NF; i++)
			line = length($i) >= length(line) ? $i : $i substr(line, length($i) + 1)
		sub(/ +$/, "", line)
		print line
	}'
}

three_prompts() {
	printf '"one"\n{"id":"j2","prompt":"two"}\n"three"\n'
}

@test "at a terminal, a prompt in argv prints the answer once, streamed, and nothing else" {
	run -0 on_tty "or-send 'Say hi'"
	[[ "$output" != *$'\e'* ]]
	[[ "$output" != *or-send:* ]]
	assert_equal "$(render <<<"$output")" "Echo: Say hi"
	[ "$(jq -c .body.stream "$FAKE_LOG")" = true ]
}

@test "at a terminal, -j writes the record; piped, a prompt in argv still does" {
	run -0 on_tty "or-send -j 'Say hi'"
	run jq -r '.response.choices[0].message.content' <<<"$(render <<<"$output")"
	assert_output "Echo: Say hi"
	run -0 --separate-stderr or-send 'Say hi'
	run jq -r '.response.choices[0].message.content' <<<"$output"
	assert_output "Echo: Say hi"
	[ "$(jq -sc 'map(.body.stream)' "$FAKE_LOG")" = '[null,null]' ]
}

@test "stdout elsewhere, stderr a terminal: the progress line ends as the summary; --no-progress draws none; NO_COLOR the same, no escapes" {
	cd "$BATS_TEST_TMPDIR"
	three_prompts >in.jsonl
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send -t <in.jsonl >out.txt"
	[[ "$output" != *$'\e'* ]]
	[[ "$(render <<<"$output")" =~ ^or-send:\ 3\ done,\ 0\ failed,\ 0\ in\ flight,\ [0-9.]+\ req/s,\ 0:0[0-9],\ \$0\.[0-9]{6}$ ]]
	[ "$(cat out.txt)" = $'Echo: one\n\n== j2 ==\nEcho: two\n\n== line 3 ==\nEcho: three' ]
	run -0 on_tty "NO_COLOR=1 or-send -t <in.jsonl >out.txt"
	[[ "$output" != *$'\e'* ]]
	[[ "$(render <<<"$output")" =~ ^or-send:\ 3\ done, ]]
	run -0 on_tty "or-send --no-progress -t <in.jsonl >out.txt"
	assert_output ''
}

@test "the text's own terminal: no progress line unasked; --progress is erased before each answer and at the end" {
	cd "$BATS_TEST_TMPDIR"
	three_prompts >in.jsonl
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send --stream -t <in.jsonl"
	[[ "$output" != *or-send:* ]]
	assert_equal "$(render <<<"$output")" $'Echo: one\n\n== j2 ==\nEcho: two\n\n== line 3 ==\nEcho: three'
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send --progress --stream -t <in.jsonl"
	[[ "$output" == *or-send:\ 0\ done* ]]	# it was drawn
	[[ "$output" != *$'\e'* ]]
	assert_equal "$(render <<<"$output")" $'Echo: one\n\n== j2 ==\nEcho: two\n\n== line 3 ==\nEcho: three'
}

@test "a prompt as arguments piped on, stderr a terminal: no progress line unasked, so or-send | or-log -t shows the answer alone; --progress draws it" {
	cd "$BATS_TEST_TMPDIR"
	run -0 on_tty "or-send -m openai/gpt-4o-mini 'Name a prime' | or-log -t"
	[ "$(render <<<"$output")" = "Echo: Name a prime" ]
	run -0 on_tty "or-send -m openai/gpt-4o-mini -m anthropic/claude-3.5-haiku 'Name a prime' >out.jsonl"
	assert_output ''
	run -0 on_tty "or-send --progress -m openai/gpt-4o-mini 'Name a prime' >out.jsonl"
	[[ "$(render <<<"$output")" =~ ^or-send:\ 1\ done, ]]
}

@test "-t: one record is its text alone; a failed one is skipped, named on stderr; --unordered names the first too" {
	run -0 --separate-stderr or-send -t <<<'"one"'
	assert_output "Echo: one"
	fake "status 400 if=two"
	run -1 --separate-stderr or-send -t < <(three_prompts)
	assert_output $'Echo: one\n\n== line 3 ==\nEcho: three'
	[[ "$stderr" == "or-send: j2: "* ]]
	run -0 --separate-stderr or-send -t --unordered <<<'{"id":7,"prompt":"one"}'
	assert_output $'== 7 ==\nEcho: one'
	run -0 --separate-stderr or-send -t <<<$'"one"\n{"id":"a\\nb","prompt":"two"}'
	assert_output $'Echo: one\n\n== a b ==\nEcho: two'
}

@test "-z: each answer ends in NUL, with no names, for xargs -0" {
	run -0 --separate-stderr bash -c "set -o pipefail; or-send -z | xargs -0 printf '[%s]'" < <(three_prompts; echo '"four\nlines"')
	assert_output $'[Echo: one][Echo: two][Echo: three][Echo: four\nlines]'
	run -0 --separate-stderr bash -c "or-send -z --stream hi | od -An -c | tr -s ' '"
	assert_output ' E c h o : h i \0'
}

@test "-j with -t or -z is a usage error" {
	run -2 --separate-stderr or-send -j -t hi
	[ "${stderr_lines[0]}" = "or-send: -j (records) and -t or -z (text): one of them" ]
	run -2 --separate-stderr or-send -z --json hi
	[ "${stderr_lines[0]}" = "or-send: -j (records) and -t or -z (text): one of them" ]
	[ "$(requests)" -eq 0 ]
}

@test "-t with -z, and --progress with --no-progress, are usage errors, in either order" {
	run -2 --separate-stderr or-send -t -z hi
	[ "${stderr_lines[0]}" = "or-send: -t (text) and -z (NUL-ended text): one of them" ]
	run -2 --separate-stderr or-send --null --text hi
	[ "${stderr_lines[0]}" = "or-send: -t (text) and -z (NUL-ended text): one of them" ]
	run -2 --separate-stderr or-send --progress --no-progress hi
	[ "${stderr_lines[0]}" = "or-send: --progress and --no-progress: one of them" ]
	run -2 --separate-stderr or-send --no-progress --progress hi
	[ "${stderr_lines[0]}" = "or-send: --progress and --no-progress: one of them" ]
	assert_output ''
	[ "$(requests)" -eq 0 ]
	# the same flag twice is no contradiction
	run -0 --separate-stderr bash -c "or-send -z -z --no-progress --no-progress hi | od -An -c | tr -s ' '"
	assert_output ' E c h o : h i \0'
}

@test "at a terminal, Ctrl-C gives up a question in flight at once: its text so far, one line why, no batch advice" {
	cd "$BATS_TEST_TMPDIR"
	fake "stall 20000 after=2"
	script -qec 'exec or-send "Tell me a story" 2>err' /dev/null </dev/null >out &
	local spid=$! i
	for i in $(seq 200); do grep -q 'Echo: Tell m' out 2>/dev/null && break; sleep 0.05; done
	pkill -INT -P "$spid"
	wait "$spid" || true
	run render <out
	assert_output "Echo: Tell m"
	# Not the stall's end 20 s on: the interrupt, said once.
	[ "$(cat err)" = "or-send: prompt: interrupted while in flight; it may have been billed" ]
}

@test "at a terminal, --reasoning ends its line before the answer starts" {
	f=chat/TestOpenRouterCommon__gpt-5__simple_streaming.0.200.sse
	fake "fixture $f"
	run -0 on_tty "or-send --reasoning 'Say hi in Portuguese'"
	run render <<<"$output"
	assert_equal "${lines[-1]}" "Olá!"
	assert_equal "${lines[-2]: -1}" "!"
}

# --- models and conversations ---

@test "config.json: the default model, options and aliases; ORKIT_MODEL, -m and the record's own model come first" {
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"model":"cheap","options":{"temperature":0.5},"aliases":{"cheap":"openai/gpt-4o-mini","fast":"anthropic/claude-3.5-haiku"}}' >"$XDG_CONFIG_HOME/orkit/config.json"
	run -0 --separate-stderr or-send hi
	[ "$(request_body 1)" = '{"messages":[{"role":"user","content":"hi"}],"model":"openai/gpt-4o-mini","temperature":0.5}' ]
	ORKIT_MODEL=fast run -0 --separate-stderr or-send -o temperature=1 hi
	[ "$(request_body 2)" = '{"messages":[{"role":"user","content":"hi"}],"model":"anthropic/claude-3.5-haiku","temperature":1}' ]
	ORKIT_MODEL=fast run -0 --separate-stderr or-send -m openai/gpt-4o <<<'{"prompt":"a","model":"openai/gpt-4o-mini","temperature":0}
"b"'
	[ "$(request_body 3)" = '{"model":"openai/gpt-4o-mini","temperature":0,"messages":[{"role":"user","content":"a"}]}' ]
	[ "$(request_body 4)" = '{"messages":[{"role":"user","content":"b"}],"model":"openai/gpt-4o","temperature":0.5}' ]
}

@test "config.json: or-log cache and or-cost --estimate build the request as or-send does" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	mkdir -p "$XDG_CONFIG_HOME/orkit" "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	echo '{"model":"cheap","options":{"max_tokens":10},"aliases":{"cheap":"openai/gpt-4o-mini"}}' >"$XDG_CONFIG_HOME/orkit/config.json"
	or-send hi | or-log >/dev/null
	[ "$(or-log cache <<<'"hi"' | jq -r .response.choices[0].message.content)" = "Echo: hi" ]
	[ "$(or-log cache -m openai/gpt-4o <<<'"hi"' | jq -r .response)" = null ]
	[ "$(or-log cache -m cheap -o max_tokens=10 <<<'"hi"' | jq -r .send.cached)" = true ]
	run -0 --separate-stderr or-cost --estimate <<<'"hi"'
	[ "$(jq -r '[.cost.model, .cost.completion_tokens] | join(" ")' <<<"$output")" = "openai/gpt-4o-mini 10" ]
}

@test "config.json: a bad one is named with its key, exit 2, nothing sent" {
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	f=$XDG_CONFIG_HOME/orkit/config.json
	echo '{"aliases":{"fast":7}}' >"$f"
	run -2 --separate-stderr or-send -m fast hi
	[ "$stderr" = "or-send: $f: aliases.fast: wants a model id (a string)" ]
	echo '{"modle":"openai/gpt-4o"}' >"$f"
	run -2 --separate-stderr or-send hi
	[ "$stderr" = "or-send: $f: modle: not a config key (model, options, aliases)" ]
	echo '{"options":[1]}' >"$f"
	run -2 --separate-stderr or-log pending <<<'"hi"'
	[ "$stderr" = "or-log: $f: options: wants an object of request parameters, like {\"temperature\": 0.2}" ]
	run -2 --separate-stderr or-cost --estimate <<<'"hi"'
	[ "$stderr" = "or-cost: $f: options: wants an object of request parameters, like {\"temperature\": 0.2}" ]
	echo '{"model":' >"$f"
	run -2 --separate-stderr or-send hi
	[ "$stderr" = "or-send: $f: not JSON: Unfinished JSON term at EOF at line 2, column 0" ]
	assert_output ''
	[ "$(requests)" -eq 0 ]
}

@test "-m a -m b: each record to each model in -m order, its id suffixed with @model" {
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini -m openai/gpt-4o <<<'{"id":"j","prompt":"x","model":"anthropic/claude-3.5-haiku"}
"y"'
	[ "$(jq -c '[.id, .model, .send.model, .response.choices[0].message.content]' <<<"$output")" = '["j@openai/gpt-4o-mini","openai/gpt-4o-mini","openai/gpt-4o-mini","Echo: x"]
["j@openai/gpt-4o","openai/gpt-4o","openai/gpt-4o","Echo: x"]
["2@openai/gpt-4o-mini","openai/gpt-4o-mini","openai/gpt-4o-mini","Echo: y"]
["2@openai/gpt-4o","openai/gpt-4o","openai/gpt-4o","Echo: y"]' ]
	[ "$(requests)" -eq 4 ]
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini -m openai/gpt-4o hello
	[ "$(jq -r .id <<<"$output")" = $'1@openai/gpt-4o-mini\n1@openai/gpt-4o' ]
	# -t names every answer, the first too: each is a model's.
	run -0 --separate-stderr or-send -t -m openai/gpt-4o-mini -m openai/gpt-4o hello
	assert_output $'== 1@openai/gpt-4o-mini ==\nEcho: hello\n\n== 1@openai/gpt-4o ==\nEcho: hello'
}

@test "-m a -m b: --retry resends a failed copy as itself, an answered one passes once" {
	cd "$BATS_TEST_TMPDIR"
	fake "status 500" "status 500" "status 500" "status 500"
	run -1 --separate-stderr or-send --retries 0 -m openai/gpt-4o-mini -m openai/gpt-4o hi
	[ "$(jq -c '[.id, .error.type]' <<<"$output")" = '["1@openai/gpt-4o-mini","http"]
["1@openai/gpt-4o","http"]' ]
	echo "$output" | head -1 >failed.jsonl
	or-send -m openai/gpt-4o hi | jq -c '.id = "1@openai/gpt-4o"' >>failed.jsonl
	n=$(requests)
	run -0 --separate-stderr or-send --retry -m openai/gpt-4o-mini -m openai/gpt-4o <failed.jsonl
	[ "$(jq -c '[.id, .model, .response.choices[0].message.content]' <<<"$output")" = '["1@openai/gpt-4o-mini","openai/gpt-4o-mini","Echo: hi"]
["1@openai/gpt-4o",null,"Echo: hi"]' ]
	[ "$(requests)" -eq $((n + 1)) ]
}

@test "-m a -m b: a budget weighs each copy, and refuses the ones that do not fit" {
	run -3 --separate-stderr or-send --budget run=0.00001 -o max_tokens=10 -m openai/gpt-4o-mini -m openai/gpt-4o -m openai/gpt-4o-mini hi
	[ "$(jq -c '[.id, .error.type]' <<<"$output")" = '["1@openai/gpt-4o-mini",null]
["1@openai/gpt-4o","budget_exceeded"]
["1@openai/gpt-4o-mini",null]' ]
	[ "$(requests)" -eq 2 ]
}

@test "-m a -m b | or-cost | or-log: stats --by model puts the models side by side" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	or-send -m openai/gpt-4o-mini -m openai/gpt-4o "compare me" | or-cost | or-log >/dev/null
	run -0 --separate-stderr or-log stats --by model
	[ "$(jq -r '.model' <<<"$output" | sort)" = $'openai/gpt-4o\nopenai/gpt-4o-mini' ]
}

@test "a conversation: an argv prompt starts one, -c continues it with the earlier turns, --cid names one" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	cid=$(or-send -m openai/gpt-4o-mini "turn one" | or-log | jq -r .send.cid)
	[[ $cid =~ ^[0-9]{8}T[0-9]{6}-[0-9a-f]{6}$ ]]
	run -0 --separate-stderr bash -c 'or-send -c -m openai/gpt-4o-mini -s "be brief" "turn two" | or-log'
	[ "$(jq -r .send.cid <<<"$output")" = "$cid" ]
	or-send -m openai/gpt-4o-mini "elsewhere" | or-log >/dev/null
	run -0 --separate-stderr bash -c "or-send --cid $cid -m openai/gpt-4o-mini 'turn three' | or-log"
	[ "$(jq -r .send.cid <<<"$output")" = "$cid" ]
	[ "$(jq -c .body.messages "$FAKE_LOG" | sed -n '2p;4p')" = '[{"role":"system","content":"be brief"},{"role":"user","content":"turn one"},{"role":"assistant","content":"Echo: turn one"},{"role":"user","content":"turn two"}]
[{"role":"user","content":"turn one"},{"role":"assistant","content":"Echo: turn one"},{"role":"user","content":"turn two"},{"role":"assistant","content":"Echo: turn two"},{"role":"user","content":"turn three"}]' ]
	[ "$(or-log recent --cid "$cid" | jq -r .prompt)" = $'turn one\nturn two\nturn three' ]
	# a turn's hash is of what it sent: the same words alone are not it
	[ "$(jq -r .send.request_hash <<<"$output")" != "$(or-send -m openai/gpt-4o-mini 'turn three' | jq -r .send.request_hash)" ]
	[ "$(or-log cache -m openai/gpt-4o-mini <<<'"turn three"' | jq -r .response)" = null ]
}

@test "-c after a failed turn: the failure is logged, not sent again as history" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	cid=$(or-send -m openai/gpt-4o-mini "one" | or-log | jq -r .send.cid)
	fake "status 400 message=nope"
	run -1 --separate-stderr bash -c 'or-send -c -m openai/gpt-4o-mini "two" | or-log'
	[ "$(jq -r '[.send.cid, .error.type] | join(" ")' <<<"$output")" = "$cid http" ]
	run -0 --separate-stderr bash -c 'or-send -c -m openai/gpt-4o-mini "three" | or-log'
	[ "$(jq -r .send.cid <<<"$output")" = "$cid" ]
	[ "$(request_body 3 | jq -c .messages)" = '[{"role":"user","content":"one"},{"role":"assistant","content":"Echo: one"},{"role":"user","content":"three"}]' ]
}

@test "-c and --cid keep the conversation's model; -m on the turn wins" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	unset ORKIT_MODEL
	cid=$(or-send -m anthropic/claude-3.5-haiku "x1" | or-log | jq -r .send.cid)
	or-send -c "y1" | or-log >/dev/null
	ORKIT_MODEL=openai/gpt-4o run -0 --separate-stderr bash -c "or-send --cid $cid 'y2' | or-log"
	[ "$(jq -r .send.model <<<"$output")" = anthropic/claude-3.5-haiku ]
	run -0 --separate-stderr bash -c 'or-send -c -m openai/gpt-4o-mini "y3" | or-log'
	or-send -c "y4" | or-log >/dev/null
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG")" = $'anthropic/claude-3.5-haiku\nanthropic/claude-3.5-haiku\nanthropic/claude-3.5-haiku\nopenai/gpt-4o-mini\nopenai/gpt-4o-mini' ]
	# a record that names its own model keeps it
	or-send -c <<<'{"prompt":"y5","model":"openai/gpt-4o"}' | or-log >/dev/null
	[ "$(request_body 6 | jq -r .model)" = openai/gpt-4o ]
}

@test "--cid of an unknown conversation is exit 2; -c with no log starts one" {
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	run -2 --separate-stderr or-send --cid nope hi
	[ "$stderr" = "or-send: $ORKIT_DB: no conversation \"nope\" (no log there)" ]
	or-send hi | or-log >/dev/null
	run -2 --separate-stderr or-send --cid nope hi
	[ "$stderr" = "or-send: $ORKIT_DB: no conversation \"nope\"" ]
	assert_output ''
	[ "$(requests)" -eq 1 ]
	rm -f "$ORKIT_DB"*
	run -0 --separate-stderr or-send -c hi
	[ "$stderr" = "or-send: $ORKIT_DB: no conversation to continue (no log there): this one starts one" ]
	[ "$(jq -r '.send.cid | length' <<<"$output")" -eq 22 ]
	[ "$(request_body 2 | jq -c .messages)" = '[{"role":"user","content":"hi"}]' ]
	run -2 --separate-stderr or-send -c -m openai/gpt-4o -m openai/gpt-4o-mini hi
	[ "${stderr_lines[0]}" = "or-send: -c and --cid take one -m" ]
}

# --- files, stdin, dry run ---------------------------------------------

# A tiny file of each kind -a takes, by its first bytes.
attachables() {
	printf '\211PNG\r\n\032\n0000' >pic.png
	printf '\377\330\377\340jfif' >pic.jpg
	printf 'GIF89a0000' >pic.gif
	printf 'RIFF0000WEBPVP8 ' >pic.webp
	printf '%%PDF-1.4\n%%%%EOF\n' >doc.pdf
}

@test "stdin after an argv prompt: the prompt, a blank line, the document, in one request" {
	cd "$BATS_TEST_TMPDIR"
	printf '# Report\nSales rose.\n' >report.md
	run -0 --separate-stderr or-send -t -m openai/gpt-4o-mini "Summarize this" <report.md
	assert_output "$(printf 'Echo: Summarize this\n\n# Report\nSales rose.\n')"
	[ "$(requests)" -eq 1 ]
	[ "$(request_body 1 | jq -c .messages)" = '[{"role":"user","content":"Summarize this\n\n# Report\nSales rose.\n"}]' ]
	# no document: /dev/null, or only white space
	run -0 --separate-stderr or-send -t -m openai/gpt-4o-mini "Summarize this" </dev/null
	assert_output 'Echo: Summarize this'
	printf ' \n\n' | or-send -m openai/gpt-4o-mini "Summarize this" >/dev/null
	[ "$(request_body 3 | jq -c .messages)" = '[{"role":"user","content":"Summarize this"}]' ]
	# a while-read loop keeps its list with </dev/null
	printf 'a\nb\n' >list
	while read -r f; do or-send -t "Title for $f" </dev/null; done <list >titles
	[ "$(cat titles)" = "$(printf 'Echo: Title for a\nEcho: Title for b')" ]
}

@test "stdin that is not UTF-8 text: one line naming the byte, exit 2, nothing sent" {
	run -2 --separate-stderr or-send "Summarize this" < <(printf 'ok\377no')
	assert_output ''
	[ "$stderr" = 'or-send: stdin: not UTF-8 text: a bad sequence at byte 3 (convert it with iconv; images and PDFs go with -a)' ]
	run -2 --separate-stderr or-send "Summarize this" < <(printf 'ok\000no')
	[ "$stderr" = 'or-send: stdin: not text: a NUL byte at byte 3' ]
	[ "$(requests)" -eq 0 ]
}

@test "@FILE: the prompt and -s from files, @@ for a leading @, a missing file exit 2" {
	cd "$BATS_TEST_TMPDIR"
	printf 'Be brief.\n' >style.txt
	printf 'What is 2+2?\n' >question.txt
	run -0 --separate-stderr or-send -t -s @style.txt @question.txt </dev/null
	assert_output "$(printf 'Echo: What is 2+2?\n')"
	[ "$(request_body 1 | jq -c .messages)" = '[{"role":"system","content":"Be brief.\n"},{"role":"user","content":"What is 2+2?\n"}]' ]
	run -0 --separate-stderr or-send -t -s @@me "@@handle" </dev/null
	[ "$(request_body 2 | jq -c .messages)" = '[{"role":"system","content":"@me"},{"role":"user","content":"@handle"}]' ]
	# only a lone argument is a file
	run -0 --separate-stderr or-send -t @question.txt please </dev/null
	assert_output 'Echo: @question.txt please'
	run -2 --separate-stderr or-send @nothere.txt </dev/null
	[ "$stderr" = 'or-send: @nothere.txt: No such file or directory' ]
	run -2 --separate-stderr or-send -s @nothere.txt hi </dev/null
	[ "$stderr" = 'or-send: -s @nothere.txt: No such file or directory' ]
	printf 'x\377' >bad.txt
	run -2 --separate-stderr or-send @bad.txt </dev/null
	[ "$stderr" = 'or-send: @bad.txt: not UTF-8 text: a bad sequence at byte 2 (convert it with iconv; images and PDFs go with -a)' ]
	[ "$(requests)" -eq 3 ]
}

@test "-a: images and PDFs by their first bytes as data URLs, URLs as URLs, after the prompt's text" {
	cd "$BATS_TEST_TMPDIR"
	attachables
	run -0 --separate-stderr or-send -t -m openai/gpt-4o-mini -a pic.png -a pic.jpg \
	    -a pic.gif -a pic.webp -a doc.pdf -a https://example.com/cat.jpg \
	    -a 'https://example.com/d/Paper.PDF?v=2' "What is this?" </dev/null
	assert_output 'Echo: What is this?'
	[ "$(request_body 1 | jq -c '.messages[0].content[0]')" = '{"type":"text","text":"What is this?"}' ]
	[ "$(request_body 1 | jq -r '.messages[0].content[1:][] | .image_url.url // (.file | "\(.filename) \(.file_data)")')" = "$(cat <<-EOF
	data:image/png;base64,$(base64 -w0 pic.png)
	data:image/jpeg;base64,$(base64 -w0 pic.jpg)
	data:image/gif;base64,$(base64 -w0 pic.gif)
	data:image/webp;base64,$(base64 -w0 pic.webp)
	doc.pdf data:application/pdf;base64,$(base64 -w0 doc.pdf)
	https://example.com/cat.jpg
	Paper.PDF https://example.com/d/Paper.PDF?v=2
	EOF
	)" ]
}

@test "-a on records: each prompt gets them; a record with messages only is bad_input; the hash counts them" {
	cd "$BATS_TEST_TMPDIR"
	attachables
	printf '%s\n' '{"id":"a","prompt":"one"}' \
	    '{"id":"b","prompt":[{"type":"text","text":"two"}]}' \
	    '{"id":"c","messages":[{"role":"user","content":"three"}]}' >in.jsonl
	run -1 --separate-stderr or-send -m openai/gpt-4o-mini -a pic.png <in.jsonl
	[ "$(jq -r '.response.choices[0].message.content // .error.message' <<<"$output")" = "$(printf '%s\n' 'Echo: one' 'Echo: two' '-a attaches to a record'"'"'s "prompt", and this one has none')" ]
	[ "$(requests)" -eq 2 ]
	[ "$(jq -sc '[.[].body.messages[0].content | map(.type)]' "$FAKE_LOG")" = '[["text","image_url"],["text","image_url"]]' ]
	# the record written keeps its prompt as it came
	[ "$(jq -c .prompt <<<"${lines[0]}")" = '"one"' ]
	h1=$(jq -r .send.request_hash <<<"${lines[0]}")
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini <<<'{"id":"a","prompt":"one"}'
	[ "$(jq -r .send.request_hash <<<"$output")" != "$h1" ]
}

@test "-a refuses what is not an image or a PDF, a file over 20 MiB, a missing file: exit 2 naming it" {
	cd "$BATS_TEST_TMPDIR"
	echo 'plain text' >notes.txt
	run -2 --separate-stderr or-send -a notes.txt hi </dev/null
	[ "$stderr" = 'or-send: -a notes.txt: not an image or a PDF (PNG, JPEG, GIF, WebP or PDF, by its first bytes)' ]
	{ printf '%%PDF-1.4\n'; head -c 20971520 /dev/zero; } >big.pdf
	run -2 --separate-stderr or-send -a big.pdf hi </dev/null
	[ "$stderr" = 'or-send: -a big.pdf: over the 20 MiB an attachment may be' ]
	run -2 --separate-stderr or-send -a gone.png hi </dev/null
	[ "$stderr" = 'or-send: -a gone.png: No such file or directory' ]
	[ "$(requests)" -eq 0 ]
}

@test "--dry-run: each body as it would be sent and its worst case, and not one request" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	printf '%s\n' '{"id":"j1","prompt":"hi","max_tokens":10}' \
	    '{"prompt":"yo","model":"nope/none"}' 'not json' \
	    '{"id":"j4","prompt":"x","response":{"id":"gen-1"}}' >in.jsonl
	run -1 --separate-stderr or-send --dry-run -m openai/gpt-4o-mini -o temperature=0.2 <in.jsonl
	[ "${#lines[@]}" -eq 4 ]
	[ "${lines[0]}" = '{"line":1,"id":"j1","request":{"max_tokens":10,"messages":[{"role":"user","content":"hi"}],"model":"openai/gpt-4o-mini","temperature":0.2},"estimate":{"usd":6.75e-06,"model":"openai/gpt-4o-mini","prompt_tokens":5,"completion_tokens":10}}' ]
	[ "${lines[1]}" = '{"line":2,"request":{"model":"nope/none","messages":[{"role":"user","content":"yo"}],"temperature":0.2},"estimate":{"usd":null,"model":"nope/none","why":"nope/none is not in the model catalog"}}' ]
	[ "$(jq -c '[.line, .request, .why, .error.type]' <<<"${lines[2]}")" = '[3,null,"it carries an error: passed on unsent","bad_input"]' ]
	[ "${lines[3]}" = '{"line":4,"id":"j4","request":null,"why":"it has a response: passed on unsent"}' ]
	[ "${stderr_lines[-1]}" = 'or-send: dry run, nothing sent: 2 to send, 1 of them not priced, the other 1 at most $0.000007; 2 to pass on unsent' ]
	# the body is the one a real run sends, byte for byte
	head -1 in.jsonl | or-send -m openai/gpt-4o-mini -o temperature=0.2 >/dev/null
	[ "$(jq -c .body "$FAKE_LOG")" = "$(jq -c .request <<<"${lines[0]}")" ]
	[ "$(wc -l <"$FAKE_LOG")" -eq 1 ]
}

@test "--dry-run needs no key and no network: an argv prompt with a document and an attachment" {
	cd "$BATS_TEST_TMPDIR"
	attachables
	unset OPENROUTER_API_KEY
	export OPENROUTER_BASE_URL=http://127.0.0.1:1
	run -0 --separate-stderr or-send --dry-run --free -m openai/gpt-4o-mini -a pic.png "Sum up" < <(printf 'doc')
	[ "$(jq -c .request <<<"$output")" = '{"messages":[{"role":"user","content":[{"type":"text","text":"Sum up\n\ndoc"},{"type":"image_url","image_url":{"url":"data:image/png;base64,'"$(base64 -w0 pic.png)"'"}}]}],"model":"qwen/qwen3-coder:free"}' ]
	[ "$(jq -c .estimate <<<"$output")" = '{"usd":null,"why":"no model catalog cached (or-models fetches one)"}' ]
	[ -z "$(ls "$FAKE_LOG" 2>/dev/null)" ] || [ ! -s "$FAKE_LOG" ]
}

@test "-v: each request, its status and time; -vv the headers, Authorization hidden; ORKIT_LOG_LEVEL" {
	run -0 --separate-stderr or-send -v -m openai/gpt-4o-mini hi </dev/null
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "or-send: prompt: POST $OPENROUTER_BASE_URL/chat/completions (openai/gpt-4o-mini, 74 bytes), attempt 1" ]
	[[ "${stderr_lines[1]}" =~ ^'or-send: prompt: HTTP 200 in '[0-9]+' ms, '(gen-[0-9A-Za-z-]+)$ ]]
	[ "${BASH_REMATCH[1]}" = "$(jq -r .response.id <<<"$output")" ]
	run -0 --separate-stderr env ORKIT_LOG_LEVEL=debug or-send -m openai/gpt-4o-mini hi </dev/null
	grep -qx 'or-send: > Authorization: Bearer \[hidden\]' <<<"$stderr"
	grep -qx 'or-send: < HTTP/1.1 200 OK' <<<"$stderr"
	run -0 --separate-stderr or-send -vv -m openai/gpt-4o-mini hi </dev/null
	grep -qx 'or-send: > Authorization: Bearer \[hidden\]' <<<"$stderr"
	# error: a retry is not said; warn (the default) says it
	fake "status 500" "status 500"
	run -0 --separate-stderr env ORKIT_LOG_LEVEL=error or-send -m openai/gpt-4o-mini hi </dev/null
	[ "$stderr" = '' ]
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini hi </dev/null
	[ "$stderr" = '' ]
	fake "status 500"
	run -0 --separate-stderr or-send -m openai/gpt-4o-mini hi </dev/null
	[[ "$stderr" =~ 'HTTP 500: Internal Server Error; retry 1 of 3' ]]
	run -2 --separate-stderr env ORKIT_LOG_LEVEL=loud or-send hi </dev/null
	[ "$stderr" = 'or-send: ORKIT_LOG_LEVEL: wants debug, info, warn or error, not loud' ]
}

@test "the API key appears in no output on any path: success, 429, 500, no server, stream, --dry-run, -v" {
	cd "$BATS_TEST_TMPDIR"
	secret=${KEY#sk-or-v1-}
	{
		or-send -vv -m openai/gpt-4o-mini hi </dev/null
		fake "status 429 retry-after=0 ratelimit-reset=+1"
		or-send -vv -m openai/gpt-4o-mini hi </dev/null
		fake "status 500" "status 500" "status 500" "status 500"
		or-send -vv --retries 3 -m openai/gpt-4o-mini hi </dev/null
		or-send -vv --stream -t -m openai/gpt-4o-mini hi </dev/null
		fake "cut after=1"
		or-send -vv --stream -m openai/gpt-4o-mini hi </dev/null
		or-send -vv --dry-run -m openai/gpt-4o-mini hi </dev/null
		OPENROUTER_BASE_URL=http://127.0.0.1:1 or-send -vv --retries 0 -m openai/gpt-4o-mini hi </dev/null
		fake "status 401"
		or-send -vv -m openai/gpt-4o-mini hi </dev/null
	} >all.out 2>&1 || true
	run grep -c -e "$secret" -e "${secret:0:12}" all.out
	[ "$output" = 0 ]
	# every path ran
	grep -q 'HTTP 200' all.out
	grep -q 'HTTP 429' all.out
	grep -q 'HTTP 500' all.out
	grep -q 'stream cut' all.out
	grep -q 'dry run, nothing sent' all.out
	grep -q 'no answer after' all.out
	grep -q 'the API key was refused' all.out
	grep -q 'Authorization: Bearer \[hidden\]' all.out
}

@test "-a an image to a text-only model: the API's 404, and --fallback moves to one that reads images" {
	cd "$BATS_TEST_TMPDIR"
	attachables
	run -1 --separate-stderr or-send -m deepseek/deepseek-chat -a pic.png "What is this?" </dev/null
	[ "$(jq -c '[.error.status, .error.message]' <<<"$output")" = '[404,"No endpoints found that support image input"]' ]
	# a PDF goes to any model: OpenRouter parses it for those that cannot
	run -0 --separate-stderr or-send -t -m deepseek/deepseek-chat -a doc.pdf "What is this?" </dev/null
	run -0 --separate-stderr or-send -m deepseek/deepseek-chat --fallback openai/gpt-4o-mini -a pic.png "What is this?" </dev/null
	[ "$(jq -c '[.send.model, [.send.models_tried[].status]]' <<<"$output")" = '["openai/gpt-4o-mini",[404,200]]' ]
}

@test "the long forms --help names do what the short ones do" {
	cd "$BATS_TEST_TMPDIR"
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	run -0 --separate-stderr or-send -V
	assert_output "or-send $(cat "$TOP/VERSION")"
	run -0 --separate-stderr or-send --model openai/gpt-4o-mini \
	    --system "Be brief." --option temperature=0.2 --parallel 2 --text <<<$'"a"\n"b"'
	assert_output $'Echo: a\n\n== line 2 ==\nEcho: b'
	[ "$(jq -sc 'map(.body | [.model, .messages[0].content, .temperature])' "$FAKE_LOG")" = \
	    '[["openai/gpt-4o-mini","Be brief.",0.2],["openai/gpt-4o-mini","Be brief.",0.2]]' ]
	nulls() { or-send --null -m openai/gpt-4o-mini <<<$'"a"\n"b"' | tr '\0' '|'; }
	run -0 --separate-stderr nulls
	assert_output 'Echo: a|Echo: b|'
	printf '\211PNG\r\n\032\n0000' >pic.png
	run -0 --separate-stderr or-send --verbose --attach pic.png -m openai/gpt-4o-mini -j look </dev/null
	[[ "${stderr_lines[0]}" == "or-send: prompt: POST $OPENROUTER_BASE_URL/chat/completions (openai/gpt-4o-mini, "*" bytes), attempt 1" ]]
	[ "$(tail -n 1 "$FAKE_LOG" | jq -r '.body.messages[0].content[1].image_url.url')" = 'data:image/png;base64,iVBORw0KGgowMDAw' ]
	or-send -m openai/gpt-4o-mini "turn one" </dev/null | or-log >/dev/null
	run -0 --separate-stderr or-send --continue -m openai/gpt-4o-mini -j "turn two" </dev/null
	[ "$(tail -n 1 "$FAKE_LOG" | jq -c '[.body.messages[].content]')" = '["turn one","Echo: turn one","turn two"]' ]
}

# --- the first hour, second pass ---------------------------------------

@test "into a pipe at a terminal, no progress line unasked: the next stage prints there (or-send <in.jsonl | cat); --progress draws it" {
	cd "$BATS_TEST_TMPDIR"
	three_prompts >in.jsonl
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send -t <in.jsonl | cat"
	[[ "$output" != *or-send:* ]]
	assert_equal "$(render <<<"$output")" $'Echo: one\n\n== j2 ==\nEcho: two\n\n== line 3 ==\nEcho: three'
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send <in.jsonl | jq -r .response.choices[0].message.content"
	[[ "$output" != *or-send:* ]]
	assert_equal "$(render <<<"$output")" $'Echo: one\nEcho: two\nEcho: three'
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send --progress -t <in.jsonl | cat >/dev/null"
	[[ "$(render <<<"$output")" =~ ^or-send:\ 3\ done,\ 0\ failed, ]]
	# into /dev/null it is still drawn unasked
	fake "delay 400" "delay 400" "delay 400"
	run -0 on_tty "or-send <in.jsonl >/dev/null"
	[[ "$(render <<<"$output")" =~ ^or-send:\ 3\ done,\ 0\ failed, ]]
}

@test "--dry-run with -m repeated: a request for each model, with its job id and worst case, as the real run sends them; the summary says what is priced" {
	cd "$BATS_TEST_TMPDIR"
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	run -0 --separate-stderr or-send --dry-run -m openai/gpt-4o-mini -m mistralai/devstral-small hi </dev/null
	[ "${#lines[@]}" -eq 2 ]
	[ "${lines[0]}" = '{"id":"1@openai/gpt-4o-mini","request":{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hi"}]},"estimate":{"usd":0.00983115,"model":"openai/gpt-4o-mini","prompt_tokens":5,"completion_tokens":16384}}' ]
	[ "${lines[1]}" = '{"id":"1@mistralai/devstral-small","request":{"model":"mistralai/devstral-small","messages":[{"role":"user","content":"hi"}]},"estimate":{"usd":0.01310705,"model":"mistralai/devstral-small","prompt_tokens":5,"completion_tokens":131067}}' ]
	[ "$stderr" = 'or-send: dry run, nothing sent: 2 to send, at most $0.022938; 0 to pass on unsent' ]
	# the same bodies as the real run's, in the same order
	or-send -m openai/gpt-4o-mini -m mistralai/devstral-small hi </dev/null >/dev/null
	[ "$(jq -c .body "$FAKE_LOG")" = "$(jq -c .request <<<"$output")" ]
	# records from stdin; one already answered goes once, as itself
	printf '%s\n' '"a"' '{"id":"x","prompt":"b","max_tokens":10}' \
	    '{"id":"y","prompt":"c","response":{"id":"gen-1"}}' >in.jsonl
	run -0 --separate-stderr or-send --dry-run -m openai/gpt-4o-mini -m nope/none <in.jsonl
	[ "$(jq -c '[.line, .id, .request.model, .estimate.usd]' <<<"$output")" = \
	    '[1,"1@openai/gpt-4o-mini","openai/gpt-4o-mini",0.00983115]
[1,"1@nope/none","nope/none",null]
[2,"x@openai/gpt-4o-mini","openai/gpt-4o-mini",6.75e-06]
[2,"x@nope/none","nope/none",null]
[3,"y",null,null]' ]
	[ "$stderr" = 'or-send: dry run, nothing sent: 4 to send, 2 of them not priced, the other 2 at most $0.009838; 1 to pass on unsent' ]
	# none priced: no catalog
	rm "$XDG_CACHE_HOME/orkit/models.json"
	run -0 --separate-stderr or-send --dry-run -m openai/gpt-4o-mini -m nope/none hi </dev/null
	[ "$stderr" = 'or-send: dry run, nothing sent: 2 to send, none of them priced; 0 to pass on unsent' ]
	run -0 --separate-stderr or-send --dry-run -m openai/gpt-4o-mini hi </dev/null
	[ "$stderr" = 'or-send: dry run, nothing sent: 1 to send, not priced; 0 to pass on unsent' ]
}

@test "-c or --cid answered at a terminal: one line says the turn is not kept and how to keep it; with no log, that it starts none; piped on, nothing said" {
	cd "$BATS_TEST_TMPDIR"
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	run -0 on_tty "or-send -c -m openai/gpt-4o-mini 'Name a prime'"
	assert_equal "$(render <<<"$output")" "or-send: $ORKIT_DB: no conversation to continue (no log there), and this turn, written to the terminal, starts none: it is not kept (| or-log -t keeps it)
Echo: Name a prime"
	run -0 on_tty "or-send -m openai/gpt-4o-mini 'Name a prime' | or-log -t"
	cid=$(or-log recent | jq -r .send.cid)
	run -0 on_tty "or-send -c 'And the next one?'"
	assert_equal "$(render <<<"$output")" "or-send: this turn is written to the terminal, not to the log: it is not kept, and the next -c will not see it (| or-log -t keeps it)
Echo: And the next one?"
	[ "$(request_body 3 | jq -c .messages)" = '[{"role":"user","content":"Name a prime"},{"role":"assistant","content":"Echo: Name a prime"},{"role":"user","content":"And the next one?"}]' ]
	run -0 on_tty "or-send -j --cid $cid 'And the next one?' >/dev/null"
	assert_equal "$(render <<<"$output")" ''
	run -0 on_tty "or-send -j --cid $cid 'And the next one?'"
	assert_equal "$(render <<<"$output" | head -1)" "or-send: this turn is written to the terminal, not to the log: it is not kept, and the next -c will not see it (| or-log -t keeps it)"
	# piped to or-log, kept, and nothing said
	run -0 on_tty "or-send -c 'And the next one?' | or-log -t"
	assert_equal "$(render <<<"$output")" "Echo: And the next one?"
	[ "$(or-log recent --cid "$cid" | jq -r .prompt)" = $'Name a prime\nAnd the next one?' ]
}

@test "or-send alone at a terminal says it reads records from it, until Ctrl-D; from a pipe or a file, nothing" {
	run -0 on_tty "or-send"
	assert_equal "$(render <<<"$output")" "or-send: reading records from the terminal, one a line (\"a prompt\" or {\"prompt\": ...}), until Ctrl-D; or-send 'question' asks one"
	run -0 on_tty "echo '\"hi\"' | or-send -t -m openai/gpt-4o-mini"
	assert_equal "$(render <<<"$output")" "Echo: hi"
	run -0 on_tty "or-send -t -m openai/gpt-4o-mini < /dev/null"
	assert_output ''
}
