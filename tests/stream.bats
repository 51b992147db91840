#!/usr/bin/env bats
# stream: SSE bodies (lib/sse.c) assembled into the non-streamed shape
# (cmd/or-send/stream.c), through tests/unit/streamcheck, which also
# checks that every way of cutting the bytes gives the same result.

load helper

STREAMCHECK=${STREAMCHECK:-$TOP/tests/unit/streamcheck}
CHAT=$FIXTURES/chat
EDGE=$FIXTURES/stream

setup() {
	common_setup
}

# The checks of every way of cutting, then the result.
full() {
	"$STREAMCHECK" "$@"
}

# The result of the whole feed only.
sc() {
	"$STREAMCHECK" -w "$@"
}

# The data of each event, one JSON text a line, [DONE] left out, read
# without sse.c: the real streams have one "data: " line per event.
chunks() {
	sed -n 's/^data: //p' "$1" | grep -vx '\[DONE\]'
}

# The non-streamed twin of a real stream, a separate generation.
twin() {
	local t=${1/_streaming/}
	echo "${t%.sse}.json"
}

# A file's bytes, with an x after them so $(...) keeps the newlines.
bytes() {
	cat "$1"
	echo x
}

# --- the real streams --------------------------------------------------

@test "real streams: whole, a byte at a time and every cut agree" {
	local f n=0
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		run -0 --separate-stderr full "$f"
		# One line: no error, and [DONE] came.
		[ "${#lines[@]}" -eq 1 ]
		[ "$stderr" = "" ]
		[ "$(jq -r '[.object, .id] | join(" ")' <<<"$output")" = \
		    "chat.completion $(chunks "$f" | head -1 | jq -r .id)" ]
		n=$((n + 1))
	done
	[ "$n" -eq 10 ]
}

@test "real streams: two pieces at every byte through stream.c too (-a)" {
	local f
	for f in "$CHAT"/*claude-sonnet-4__simple_streaming*.sse \
	    "$CHAT"/*claude-sonnet-4__tool_streaming.0*.sse; do
		echo "# $f"
		run -0 --separate-stderr full -a "$f"
		assert_output "$(sc "$f")"
	done
}

@test "real streams: the text is the content deltas joined, and on_text got them" {
	local f want
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		chunks "$f" | jq -j '.choices[] | select(.index == 0) |
		    .delta.content // empty' >"$BATS_TEST_TMPDIR/want"
		sc "$f" | jq -j '.choices[0].message.content' \
		    >"$BATS_TEST_TMPDIR/got"
		cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		sc -t "$f" >"$BATS_TEST_TMPDIR/cb"
		cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/cb"
	done
	run -0 sc -t "$CHAT"/*claude-sonnet-4__simple_streaming.0.200.sse
	assert_output 'Olá!'
	run -0 sc -t "$CHAT"/*claude-sonnet-4__tool_streaming.0.200.sse
	assert_output "I'll get the weather information for Florence, Italy for you."
}

@test "real streams: the reasoning is the reasoning deltas joined, and on_reasoning got them" {
	local f
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		chunks "$f" | jq -j '.choices[] | select(.index == 0) |
		    .delta.reasoning // empty' >"$BATS_TEST_TMPDIR/want"
		sc "$f" | jq -j '.choices[0].message.reasoning // empty' \
		    >"$BATS_TEST_TMPDIR/got"
		cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/got"
		sc -r "$f" >"$BATS_TEST_TMPDIR/cb"
		cmp "$BATS_TEST_TMPDIR/want" "$BATS_TEST_TMPDIR/cb"
	done
	run -0 sc -r "$CHAT"/*gpt-5__simple_streaming.0.200.sse
	[[ "$output" == "**Responding in Portuguese**"* ]]
	run -0 sc -r "$CHAT"/*claude-sonnet-4__simple_streaming.0.200.sse
	assert_output ''
}

@test "real streams: tool calls are the deltas merged by index" {
	local f
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		want=$(chunks "$f" | jq -sc '[.[].choices[] | select(.index == 0) |
		    .delta.tool_calls[]?] | group_by(.index) | map({index: .[0].index,
		    id: (map(.id // empty) | first), type: (map(.type // empty) | first),
		    name: (map(.function.name // empty) | first),
		    arguments: (map(.function.arguments // "") | add)})')
		got=$(sc "$f" | jq -c '[.choices[0].message.tool_calls[]? | {index,
		    id, type, name: .function.name, arguments: .function.arguments}]')
		[ "$got" = "$want" ]
	done
	run -0 sc "$CHAT"/*gpt-5__multi_tool_streaming.0.200.sse
	run jq -c '[.choices[0].message.tool_calls[] | [.index, .function.name, .function.arguments]]' <<<"$output"
	assert_output '[[0,"add","{\"a\":2,\"b\":3}"],[1,"multiply","{\"a\":2,\"b\":3}"]]'
}

@test "real streams: tool calls have their non-streamed twin's structure" {
	local f proj n=0
	# Ids differ (separate generations) but not their form; the
	# arguments came out the same in every pair, as JSON values.
	proj='[.choices[0].message.tool_calls[]? | {index, type,
	    id: (.id | split("_") | .[:-1]), name: .function.name,
	    arguments: (.function.arguments | fromjson)}]'
	for f in "$CHAT"/*tool_streaming*.sse; do
		echo "# $f"
		[ "$(sc "$f" | jq -c "$proj")" = "$(jq -c "$proj" "$(twin "$f")")" ]
		n=$((n + $(jq '.choices[0].message.tool_calls | length' "$(twin "$f")")))
	done
	# Four files with calls (1 + 2 + 1 + 2), four final answers.
	[ "$n" -eq 6 ]
}

@test "real streams: the response has the keys of its non-streamed twin" {
	local f shape
	shape='[keys, (.choices | length), (.choices[0] | keys),
	    (.choices[0].message | keys), (.usage | keys), .object, .model,
	    .provider, .choices[0].finish_reason,
	    .choices[0].native_finish_reason,
	    ([.choices[0].message.reasoning_details[]? | .type] | unique)]'
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		got=$(sc "$f" | jq -c "$shape")
		want=$(jq -c "$shape" "$(twin "$f")")
		# This pair's stream sent only the encrypted reasoning item.
		[[ "$f" == *gpt-5__multi_tool_streaming.0* ]] &&
		    want=${want/\"reasoning.encrypted\",\"reasoning.summary\"/\"reasoning.encrypted\"}
		[ "$got" = "$want" ]
	done
}

@test "real streams: reasoning_details pieces are merged by type and index" {
	local f
	f=$(echo "$CHAT"/*gpt-5__tool_streaming.0.200.sse)
	want=$(chunks "$f" | jq -sc '[.[].choices[0].delta.reasoning_details[]?] |
	    group_by(.type) | map({type: .[0].type, n: length,
	    joined: (map(.summary // .data) | add)})')
	got=$(sc "$f" | jq -c '.choices[0].message.reasoning_details |
	    map({type, joined: (.summary // .data)})')
	[ "$want" = '[{"type":"reasoning.encrypted","n":1,"joined":'"$(jq -c '.[0].joined' <<<"$want")"'},{"type":"reasoning.summary","n":96,"joined":'"$(jq -c '.[1].joined' <<<"$want")"'}]' ]
	# Summary first: the order the pieces came in, and the twin's.
	[ "$got" = "$(jq -c '[.[1], .[0]] | map({type, joined})' <<<"$want")" ]
	run jq -c '.choices[0].message.reasoning_details | map(keys)' <<<"$(sc "$f")"
	assert_output '[["format","index","summary","type"],["data","format","id","index","type"]]'
}

@test "real streams: finish_reason and usage are the last non-null ones sent" {
	local f
	for f in "$CHAT"/*.sse; do
		echo "# $f"
		want=$(chunks "$f" | jq -scS '[([.[].choices[]?.finish_reason |
		    values] | last), ([.[].choices[]?.native_finish_reason |
		    values] | last), ([.[].usage | values] | last)]')
		got=$(sc "$f" | jq -cS '[.choices[0].finish_reason,
		    .choices[0].native_finish_reason, .usage]')
		[ "$got" = "$want" ]
		# The last chunk (the usage one) sets finish_reason null:
		# the assembled one is non-null only because it is sticky.
		[ "$(chunks "$f" | tail -1 | jq -c '[.choices[0].finish_reason, (.usage | type)]')" = '[null,"object"]' ]
		[ "$(sc "$f" | jq -r '.choices[0].finish_reason | type')" = string ]
	done
}

@test "real streams: keep-alive comments before and between events change nothing" {
	local f
	for f in "$CHAT"/*claude-sonnet-4__tool_streaming.0*.sse \
	    "$CHAT"/*gpt-5__multi_tool_streaming.1*.sse; do
		echo "# $f"
		awk '/^data: / { printf ": OPENROUTER PROCESSING\n\n" } { print }' \
		    "$f" >"$BATS_TEST_TMPDIR/ka.sse"
		run -0 full "$BATS_TEST_TMPDIR/ka.sse"
		assert_output "$(sc "$f")"
		run -0 sc -e "$BATS_TEST_TMPDIR/ka.sse"
		assert_line --index $(($(grep -c '^data: ' "$f"))) \
		    "comments: $(grep -c '^data: ' "$f")"
	done
}

@test "real streams: CRLF line ends give the same result" {
	local f
	for f in "$CHAT"/*.sse "$EDGE"/*.sse; do
		echo "# $f"
		sed 's/$/\r/' "$f" >"$BATS_TEST_TMPDIR/crlf.sse"
		[ "$(grep -c $'\r$' "$BATS_TEST_TMPDIR/crlf.sse")" -eq "$(grep -c '' "$f")" ]
		# Every cut (one between CR and LF among them) of the copies
		# under 10 kB; the three real streams of 40 kB and more are
		# cut every way with LF above, and at n^2 would be half this
		# file's time under the sanitizers.
		if [ "$(wc -c <"$f")" -lt 10000 ]; then
			run full "$BATS_TEST_TMPDIR/crlf.sse"
		else
			run sc "$BATS_TEST_TMPDIR/crlf.sse"
		fi
		assert_output "$(sc "$f")"
		run -0 sc -e "$BATS_TEST_TMPDIR/crlf.sse"
		assert_output "$(sc -e "$f")"
	done
}

# --- SSE framing (sse.c alone) ------------------------------------------

@test "sse: multi-line data, one optional space, other fields, comments" {
	run -0 --separate-stderr full -e "$EDGE/framing.sse"
	assert_output - <<-'EOF'
	"first\n second, one space kept\nthird"
	"only"
	"a\n"
	"[DONE]"
	comments: 2
	EOF
}

@test "sse: a blank line without data, or data never ended, is no event" {
	printf '\n\n: c\n\nid: 1\n\ndata: x\n\ndata: unended' >"$BATS_TEST_TMPDIR/e.sse"
	run -0 full -e "$BATS_TEST_TMPDIR/e.sse"
	assert_output $'"x"\ncomments: 1'
	: >"$BATS_TEST_TMPDIR/empty.sse"
	run -0 full -e "$BATS_TEST_TMPDIR/empty.sse"
	assert_output 'comments: 0'
}

@test "sse: an empty data line is an event with empty data" {
	printf 'data:\n\ndata\n\ndata:\ndata:\n\n' >"$BATS_TEST_TMPDIR/e.sse"
	run -0 full -e "$BATS_TEST_TMPDIR/e.sse"
	assert_output $'""\n""\n"\\n"\ncomments: 0'
}

# --- edge cases of the assembly -------------------------------------------

@test "multi-line data and a usage chunk with empty choices (the documented shape)" {
	run -0 --separate-stderr full -a "$EDGE/multiline.sse"
	assert_output '{"choices":[{"finish_reason":"stop","index":0,"logprobs":null,"message":{"content":"Hello, world","reasoning":null,"refusal":null,"role":"assistant"}}],"created":1700000000,"id":"gen-multiline","model":"openai/gpt-4o-mini","object":"chat.completion","provider":"OpenAI","usage":{"completion_tokens":2,"prompt_tokens":3,"total_tokens":5}}'
}

@test "mid-stream error (observed shape): the error, the text so far, usage" {
	run -0 --separate-stderr full -a "$EDGE/midstream-error.sse"
	[ "${#lines[@]}" -eq 2 ]
	run jq -c '[.choices[0].message.content, .choices[0].finish_reason,
	    .choices[0].native_finish_reason, .usage.total_tokens, .id]' <<<"${lines[0]}"
	assert_output '["Once upon a time, there","length","MAX_TOKENS",17,"gen-1762160000-Mid5treamErr0rAbCdEf"]'
	run sc "$EDGE/midstream-error.sse"
	assert_line --index 1 'error: {"code":400,"message":"Token limit reached"}'
	run -0 full -e "$EDGE/midstream-error.sse"
	assert_line --index 5 'comments: 4'
}

@test "mid-stream error (documented shape), stream ended without [DONE]" {
	run -0 --separate-stderr full -a "$EDGE/documented-error.sse"
	assert_output - <<-'EOF'
	{"choices":[{"finish_reason":"error","index":0,"logprobs":null,"message":{"content":"Partial answer","reasoning":null,"refusal":null,"role":"assistant"}}],"created":1234567890,"id":"gen-abc123","model":"openai/gpt-4o","object":"chat.completion","provider":"OpenAI"}
	error: {"code":"server_error","message":"Provider disconnected","metadata":{"error_type":"provider_error"}}
	done: false
	EOF
}

@test "a stream cut inside an event: the text so far, not done, no error" {
	run -0 --separate-stderr full -a "$EDGE/cut.sse"
	assert_output - <<-'EOF'
	{"choices":[{"finish_reason":null,"index":0,"logprobs":null,"message":{"content":"The first words","reasoning":null,"refusal":null,"role":"assistant"}}],"created":1700000001,"id":"gen-cut","model":"openai/gpt-4o-mini","object":"chat.completion","provider":"OpenAI"}
	done: false
	EOF
	run -0 sc -t "$EDGE/cut.sse"
	assert_output 'The first words'
}

@test "a real stream cut before [DONE] is not done" {
	local f
	f=$(echo "$CHAT"/*claude-sonnet-4__simple_streaming.0.200.sse)
	grep -vx 'data: \[DONE\]' "$f" >"$BATS_TEST_TMPDIR/nodone.sse"
	run -0 full "$BATS_TEST_TMPDIR/nodone.sse"
	assert_output "$(sc "$f")"$'\ndone: false'
}

@test "data that is not JSON is skipped and reported when nothing else went wrong" {
	run -0 --separate-stderr full -a "$EDGE/notjson.sse"
	[ "${#lines[@]}" -eq 2 ]
	[ "$(jq -r '.choices[0].message.content' <<<"${lines[0]}")" = "Good day" ]
	assert_line --index 1 'error: {"code":null,"message":"stream: data that is not JSON"}'
	printf 'data: [1,2]\n\ndata: [DONE]\n\n' >"$BATS_TEST_TMPDIR/arr.sse"
	run -0 full "$BATS_TEST_TMPDIR/arr.sse"
	assert_output $'{"choices":[],"object":"chat.completion"}\nerror: {"code":null,"message":"stream: data that is not a JSON object"}'
}

@test "not JSON data and an API error: the API error wins, the text so far" {
	run -0 --separate-stderr full -a "$EDGE/notjson-then-error.sse"
	[ "$(jq -c '[.choices[0].message.content, .choices[0].finish_reason]' <<<"${lines[0]}")" = '["Good","error"]' ]
	assert_line --index 1 'error: {"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_error","provider_name":"OpenAI"}}'
	[ "${#lines[@]}" -eq 2 ]
}

@test "interleaved tool calls, reasoning_details with a signature, 2026 finish twice, after [DONE] ignored" {
	run -0 --separate-stderr full -a "$EDGE/tools.sse"
	assert_output '{"choices":[{"finish_reason":"tool_calls","index":0,"logprobs":null,"message":{"content":"Checking both.","reasoning":"Two tools, at once.","reasoning_details":[{"format":"anthropic-claude-v1","index":0,"signature":"c2lnbmF0dXJl","text":"Two tools, at once.","type":"reasoning.text"}],"refusal":null,"role":"assistant","tool_calls":[{"function":{"arguments":"{\"city\":\"Florence\"}","name":"weather"},"id":"toolu_01A","index":0,"type":"function"},{"function":{"arguments":"{\"tz\":\"Europe/Rome\"}","name":"time"},"id":"toolu_01B","index":1,"type":"function"}]},"native_finish_reason":"tool_use"}],"created":1777320000,"id":"gen-1777320000-ToolsInterleaved0001","model":"anthropic/claude-4.5-haiku-20251001","object":"chat.completion","provider":"Anthropic","service_tier":"standard","usage":{"completion_tokens":40,"cost":0.00025,"is_byok":false,"prompt_tokens":50,"total_tokens":90}}'
	run -0 sc -t "$EDGE/tools.sse"
	assert_output 'Checking both.'
	run -0 sc -r "$EDGE/tools.sse"
	assert_output 'Two tools, at once.'
}

@test "a thinking stream: the signature after the empty placeholder is kept; the response is its twin's bytes" {
	local f=$EDGE/thinking_streaming.sse
	# The first piece has "signature": "", the fourth the signature.
	[ "$(chunks "$f" | jq -r '.choices[0].delta.reasoning_details[0].signature // empty | length' | tr '\n' ' ')" = '0 480 ' ]
	run -0 --separate-stderr full -a -j "$f"
	cmp <(echo "$output") "$EDGE/thinking.json"
	run -0 sc "$f"
	assert_output "$(jq -cS . "$EDGE/thinking.json")"
	# usage as it came, not as libjv would print it (1.155e-05)
	run -0 sc -j "$f"
	assert_output --partial '"cost":0.00001155,'
}

# Every stream with a twin: the same fields, and for a pair that is one
# generation (tests/fixtures/stream), the same values.
@test "fixture streams against their twins, field by field" {
	local f t paths n=0
	paths='[paths(type != "object" and type != "array") | map(if type == "number" then 0 else . end)] | unique'
	for f in "$CHAT"/*.sse "$EDGE"/*_streaming.sse; do
		t=$(twin "$f")
		[ -f "$t" ] || continue
		echo "# $f"
		if [[ $f == "$EDGE"/* ]]; then
			[ "$(sc "$f")" = "$(jq -cS . "$t")" ]
		else
			[ "$(sc "$f" | jq -c "del(.choices[].message.reasoning_details) | $paths")" = \
			    "$(jq -c "del(.choices[].message.reasoning_details) | $paths" "$t")" ]
		fi
		n=$((n + 1))
	done
	[ "$n" -eq 11 ]
}

@test "several choices: sorted by index, on_text sees choice 0 only" {
	run -0 --separate-stderr full -a "$EDGE/choices.sse"
	run jq -c '[.system_fingerprint, (.choices[] | [.index,
	    .message.content, .finish_reason])]' <<<"$output"
	assert_output '["fp_0123abcd",[0,"First one","stop"],[1,"Second one","length"]]'
	run -0 sc -t "$EDGE/choices.sse"
	assert_output 'First one'
}

@test "tool call pieces without an index: a new id starts a new call" {
	h='"id":"g","choices":[{"index":0,"delta":{"tool_calls":'
	{
		printf 'data: {%s[{"id":"c1","type":"function","function":{"name":"a","arguments":"{"}}]}}]}\n\n' "$h"
		printf 'data: {%s[{"function":{"arguments":"}"}}]}}]}\n\n' "$h"
		printf 'data: {%s[{"id":"c2","function":{"name":"b","arguments":"[]"}}]}}]}\n\n' "$h"
		printf 'data: {%s[{"function":{"arguments":""}}]}}]}\n\n' "$h"
		printf 'data: {%s[{"index":"x","function":{"arguments":"!"}}]}}]}\n\n' "$h"
	} >"$BATS_TEST_TMPDIR/t.sse"
	run -0 full -a "$BATS_TEST_TMPDIR/t.sse"
	run jq -c '.choices[0].message | [.role, .content, (.tool_calls[] | [.id, .type, .function.name, .function.arguments])]' <<<"${lines[0]}"
	assert_output '[null,null,["c1","function","a","{}"],["c2",null,"b","[]!"]]'
}

@test "an empty body: no choices, not done" {
	: >"$BATS_TEST_TMPDIR/empty.sse"
	run -0 --separate-stderr sc "$BATS_TEST_TMPDIR/empty.sse"
	assert_output $'{"choices":[],"object":"chat.completion"}\ndone: false'
}

@test "finish_reason: a later non-null one replaces it, a null does not" {
	c='data: {"id":"g","choices":[{"index":0,"delta":{"content":"%s"},"finish_reason":%s,"native_finish_reason":%s}]}\n\n'
	{
		printf "$c" a '"length"' '"MAX_TOKENS"'
		printf "$c" b '"error"' null
		printf "$c" c null null
	} >"$BATS_TEST_TMPDIR/f.sse"
	run -0 full -a "$BATS_TEST_TMPDIR/f.sse"
	run jq -c '.choices[0] | [.message.content, .finish_reason, .native_finish_reason]' <<<"${lines[0]}"
	assert_output '["abc","error","MAX_TOKENS"]'
}

@test "logprobs and annotations sent in pieces are joined" {
	c='data: {"id":"g","choices":[{"index":0,"delta":{"content":"%s","annotations":%s},"logprobs":%s}]}\n\n'
	{
		printf "$c" a '[{"type":"url_citation","url":"u1"}]' '{"content":[{"token":"a","logprob":-0.5}],"refusal":null}'
		printf "$c" b null '{"content":[{"token":"b","logprob":-1}],"refusal":null}'
		printf "$c" c '[{"type":"url_citation","url":"u2"}]' null
	} >"$BATS_TEST_TMPDIR/l.sse"
	run -0 full -a "$BATS_TEST_TMPDIR/l.sse"
	run jq -c '.choices[0] | [.message.content, [.message.annotations[].url], [.logprobs.content[].token], .logprobs.refusal]' <<<"${lines[0]}"
	assert_output '["abc",["u1","u2"],["a","b"],null]'
}

@test "an error that is not an object is wrapped; a null error is none" {
	printf 'data: {"id":"g","error":null}\n\ndata: {"error":"boom"}\n\ndata: {"error":{"code":500}}\n\n' >"$BATS_TEST_TMPDIR/s.sse"
	run -0 full -a "$BATS_TEST_TMPDIR/s.sse"
	assert_output $'{"choices":[],"id":"g","object":"chat.completion"}\nerror: {"code":null,"message":"boom"}\ndone: false'
	printf 'data: {"error":[1]}\n\n' >"$BATS_TEST_TMPDIR/a.sse"
	run -0 full "$BATS_TEST_TMPDIR/a.sse"
	assert_line --index 1 'error: {"code":null,"message":"[1]"}'
}
