#!/usr/bin/env bats
# The fake OpenRouter server itself, driven with curl and jq: every
# endpoint, every script action, the request log.  Everything else stands
# on it, so it is checked on its own first.

# bats file_tags=plain

bats_require_minimum_version 1.5.0

KEY=sk-or-v1-fake0123456789abcdef-secret

load libs

setup() {
	FAKEOR=${FAKEOR:-$BATS_TEST_DIRNAME/fake/fakeor}
	FIX=$BATS_TEST_DIRNAME/fixtures
	LOG=$BATS_TEST_TMPDIR/log
	SCRIPT=$BATS_TEST_TMPDIR/script
	start_fake
}

# Every test also checks a clean shutdown: exit 0, which under ASan or
# valgrind (FAKEOR=wrapper) also means no leak and no error.
teardown() {
	stop_fake
	[ "${STATUS:-0}" -eq 0 ] || fail "fakeor exited $STATUS: $(cat "$BATS_TEST_TMPDIR/err")"
}

# A new server reads its script from the start: give it a fresh one.
start_fake() {
	rm -f "$BATS_TEST_TMPDIR/port" "$SCRIPT"
	FAKEOR_KEY=$KEY "$FAKEOR" -l "$LOG" -s "$SCRIPT" "$@" \
	    >"$BATS_TEST_TMPDIR/port" 2>"$BATS_TEST_TMPDIR/err" 3>&- &
	PID=$!
	for _ in $(seq 200); do
		grep -q '^[0-9][0-9]*$' "$BATS_TEST_TMPDIR/port" 2>/dev/null &&
		    break
		sleep 0.05
	done
	PORT=$(cat "$BATS_TEST_TMPDIR/port")
	[[ $PORT =~ ^[0-9]+$ ]] ||
	    fail "fakeor did not start: $(cat "$BATS_TEST_TMPDIR/err")"
	U=http://127.0.0.1:$PORT
}

stop_fake() {
	[ -n "${PID:-}" ] || return 0
	kill -TERM "$PID" 2>/dev/null || true
	wait "$PID" || STATUS=$?
	PID=
}

script() {
	printf '%s\n' "$@" >>"$SCRIPT"
}

# curl with the key; -s, and -S so that errors show.
api() {
	curl -sS -H "Authorization: Bearer $KEY" "$@"
}

chat() {
	local body=$1
	shift
	api -H 'Content-Type: application/json' "$U/chat/completions" \
	    --data-binary "$body" "$@"
}

HELLO='{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}'
STREAM='{"stream":true,"model":"anthropic/claude-sonnet-4","messages":[{"role":"user","content":"héllo wörld, how are you?"}]}'

# chat BODY, then a jq filter on the answer: jchat BODY FILTER [curl args]
jchat() {
	local body=$1 filter=$2
	shift 2
	chat "$body" "$@" | jq -c "$filter"
}

# GET with the key, then a jq filter: japi URL FILTER
japi() {
	api "$1" | jq -c "$2"
}

# Seconds of a curl %{time_total} at least $2?
at_least() {
	awk -v t="$1" -v m="$2" 'BEGIN { exit !(t + 0 >= m + 0) }'
}

status_of() {
	curl -s -o /dev/null -w '%{http_code}' "$@"
}

@test "prints its port and serves the catalog byte for byte" {
	[[ $PORT =~ ^[0-9]+$ ]]
	curl -s "$U/models" >"$BATS_TEST_TMPDIR/models"
	cmp "$BATS_TEST_TMPDIR/models" "$FIX/models.json"
	curl -s "$U/api/v1/models" | cmp - "$FIX/models.json"
}

@test "exits 0 on SIGTERM" {
	stop_fake
	[ "${STATUS:-0}" -eq 0 ]
	run curl -s "$U/models"
	assert_failure 7
}

@test "exits 0 on SIGINT" {
	kill -INT "$PID"
	wait "$PID" || fail "exit status $?"
	PID=
}

@test "chat: the echo, its usage and cost, like the real body" {
	run jchat "$HELLO" 'del(.id, .created)'
	assert_success
	assert_output '{"object":"chat.completion","model":"openai/gpt-4o-mini","provider":"OpenAI","system_fingerprint":null,"service_tier":"default","choices":[{"index":0,"logprobs":null,"finish_reason":"stop","native_finish_reason":"stop","message":{"role":"assistant","content":"Echo: hello there","refusal":null,"reasoning":null}}],"usage":{"prompt_tokens":3,"completion_tokens":5,"total_tokens":8,"cost":3.45e-06,"is_byok":false,"prompt_tokens_details":{"cached_tokens":0,"cache_write_tokens":0,"audio_tokens":0,"video_tokens":0},"cost_details":{"upstream_inference_cost":null,"upstream_inference_prompt_cost":4.5e-07,"upstream_inference_completions_cost":3e-06},"completion_tokens_details":{"reasoning_tokens":0,"image_tokens":0,"audio_tokens":0}}}'
}

@test "chat: id, created, headers and the whitespace padding" {
	chat "$HELLO" -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/b"
	run jq -r .id "$BATS_TEST_TMPDIR/b"
	assert_output --regexp '^gen-[0-9]{10}-[A-Za-z0-9]{20}$'
	id=$output
	grep -qi "^x-generation-id: $id" "$BATS_TEST_TMPDIR/h"
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/h"
	created=$(jq .created "$BATS_TEST_TMPDIR/b")
	[ $((created - $(date +%s))) -le 1 ]
	# 1 to 3 units of "\n" + 9 spaces + "\n", then the JSON
	run bash -c "head -c 1 '$BATS_TEST_TMPDIR/b' | od -An -c"
	assert_output --regexp '\\n'
	run bash -c "sed -n '/^{/q;p' '$BATS_TEST_TMPDIR/b' | wc -c"
	assert_output --regexp '^(11|22|33)$'
	[ "$(grep -c '^         $' "$BATS_TEST_TMPDIR/b")" -ge 1 ]
}

@test "chat: content parts, the default model, max_tokens cuts at a character" {
	body='{"max_tokens":2,"messages":[{"role":"system","content":"sys"},{"role":"user","content":[{"type":"text","text":"part é "},{"type":"image_url","image_url":{"url":"x"}},{"type":"text","text":"two"}]}]}'
	run jchat "$body" '[.model, .choices[0].message.content, .choices[0].finish_reason, .usage.prompt_tokens, .usage.completion_tokens]'
	assert_output '["openai/gpt-4o-mini","Echo: pa","length",4,2]'
	body='{"max_completion_tokens":3,"messages":[{"role":"user","content":"ééééééééé"}]}'
	run jchat "$body" '[.choices[0].message.content, .choices[0].finish_reason]'
	assert_output '["Echo: ééé","length"]'
}

@test "chat: provider by author, variants priced as their base" {
	while read -r model provider; do
		run jchat "{\"model\":\"$model\",\"messages\":[{\"role\":\"user\",\"content\":\"x\"}]}" .provider
		assert_output "\"$provider\""
	done <<-EOF
	openai/gpt-4o-mini OpenAI
	anthropic/claude-sonnet-4 Anthropic
	google/gemini-2.5-pro-preview Google AI Studio
	meta-llama/llama-3.3-70b-instruct DeepInfra
	deepseek/deepseek-chat DeepSeek
	mistralai/mistral-nemo Mistral
	qwen/qwen-2.5-72b-instruct Fake
	EOF
	run jchat '{"model":"openai/gpt-4o-mini:nitro","messages":[{"role":"user","content":"x"}]}' '[.model, .usage.cost]'
	assert_output '["openai/gpt-4o-mini:nitro",1.35e-06]'
	# the auto router answers, and bills, as the model it picked
	run jchat '{"model":"openrouter/auto","messages":[{"role":"user","content":"x"}]}' '[.model, .usage.cost]'
	assert_output '["openai/gpt-4o-mini",1.35e-06]'
}

@test "chat: 401 without a key, with a wrong key, with an empty one" {
	run curl -s -w ' %{http_code}' "$U/chat/completions" -d "$HELLO"
	assert_output '{"error":{"message":"No auth credentials found","code":401}} 401'
	run curl -s -w ' %{http_code}' -H 'Authorization: Bearer sk-or-v1-nope' "$U/chat/completions" -d "$HELLO"
	assert_output '{"error":{"message":"User not found.","code":401}} 401'
	run curl -s -w ' %{http_code}' -H 'Authorization: Bearer ' "$U/chat/completions" -d "$HELLO"
	assert_output '{"error":{"message":"No auth credentials found","code":401}} 401'
}

@test "chat: 400 for a body that is no request, and for an unknown model" {
	run api -w ' %{http_code}' "$U/chat/completions" -d 'hello'
	assert_output '{"error":{"message":"Invalid request body: not JSON","code":400},"user_id":"user_fake"} 400'
	run api -w ' %{http_code}' "$U/chat/completions" -d '[1,2]'
	assert_output '{"error":{"message":"Invalid request body: expected a JSON object","code":400},"user_id":"user_fake"} 400'
	run api -w ' %{http_code}' "$U/chat/completions" -d '{"model":"openai/gpt-4o-mini"}'
	assert_output '{"error":{"message":"Input required: specify \"prompt\" or \"messages\"","code":400},"user_id":"user_fake"} 400'
	run api -w ' %{http_code}' "$U/chat/completions" -d '{"messages":[]}'
	assert_output '{"error":{"message":"Input required: specify \"prompt\" or \"messages\"","code":400},"user_id":"user_fake"} 400'
	run api -w ' %{http_code}' "$U/chat/completions" -d '{"model":"acme/fake-1.0","messages":[{"role":"user","content":"x"}]}'
	assert_output '{"error":{"message":"acme/fake-1.0 is not a valid model ID","code":400},"user_id":"user_fake"} 400'
}

@test "stream: real framing, deltas, finish chunk twice, usage, [DONE]" {
	chat "$STREAM" -N -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/s"
	grep -qi '^content-type: text/event-stream' "$BATS_TEST_TMPDIR/h"
	grep -qi '^cache-control: no-cache' "$BATS_TEST_TMPDIR/h"
	run head -c 25 "$BATS_TEST_TMPDIR/s"
	assert_output ': OPENROUTER PROCESSING'
	run tail -c 14 "$BATS_TEST_TMPDIR/s"
	assert_output "$(printf 'data: [DONE]\n\n')"
	# every line is a data event, a comment or blank; no CR anywhere
	run grep -cvE '^(data: .*|: OPENROUTER PROCESSING|)$' "$BATS_TEST_TMPDIR/s"
	assert_output 0
	run ! grep -q $'\r' "$BATS_TEST_TMPDIR/s"
	sed -n 's/^data: //p' "$BATS_TEST_TMPDIR/s" | grep -v '^\[DONE\]$' >"$BATS_TEST_TMPDIR/c"
	run jq -sr 'map(.choices[0].delta.content) | join("")' "$BATS_TEST_TMPDIR/c"
	assert_output 'Echo: héllo wörld, how are you?'
	run jq -sc 'map(.id) | unique | length' "$BATS_TEST_TMPDIR/c"
	assert_output 1
	run jq -sc '[.[] | [.object, .model, .provider, .choices[0].delta.role]] | unique' "$BATS_TEST_TMPDIR/c"
	assert_output '[["chat.completion.chunk","anthropic/claude-sonnet-4","Anthropic","assistant"]]'
	run jq -sc '.[-2:] | map([.choices[0].finish_reason, .choices[0].native_finish_reason, has("usage")])' "$BATS_TEST_TMPDIR/c"
	assert_output '[["stop","stop",false],["stop","stop",true]]'
	run jq -sc '.[-1].usage | [.prompt_tokens, .completion_tokens, .total_tokens, .cost]' "$BATS_TEST_TMPDIR/c"
	assert_output '[7,9,16,0.000156]'
	run jq -sc '.[:-2] | map(.choices[0].finish_reason) | unique' "$BATS_TEST_TMPDIR/c"
	assert_output '[null]'
	[ "$(wc -l <"$BATS_TEST_TMPDIR/c")" -ge 4 ]
}

@test "stream: the bytes arrive in pieces, split anywhere" {
	# Read raw from the socket: more reads than events means splits.
	run python3 - "$PORT" "$KEY" <<-'EOF'
	import json, socket, sys
	body = json.dumps({"stream": True, "messages": [{"role": "user", "content": "é" * 200}]}).encode()
	s = socket.create_connection(("127.0.0.1", int(sys.argv[1])))
	s.sendall(b"POST /chat/completions HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer "
	    + sys.argv[2].encode() + b"\r\nConnection: close\r\nContent-Length: "
	    + str(len(body)).encode() + b"\r\n\r\n" + body)
	n = 0
	while s.recv(65536):
	    n += 1
	print("many" if n > 20 else n)
	EOF
	assert_output many
}

@test "generation: remembered after a chat, 404 for an unknown id, 400 without one" {
	id=$(chat "$HELLO" -H 'HTTP-Referer: https://app.test' -A agent/1 | jq -r .id)
	run japi "$U/generation?id=$id" '.data | [.id, .model, .provider_name, .tokens_prompt, .tokens_completion, .native_tokens_prompt, .native_tokens_completion, .total_cost, .usage, .streamed, .cancelled, .finish_reason, .is_byok, .api_type, .http_referer, .user_agent, (.created_at | test("^[0-9]{4}-[0-9]{2}-[0-9]{2}T[0-9:.]+[+]00:00$")), (.latency >= 0), (.generation_time >= 0), .provider_responses[0].status]'
	assert_output '["'"$id"'","openai/gpt-4o-mini","OpenAI",3,5,3,5,3.45e-06,3.45e-06,false,false,"stop",false,"completions","https://app.test","agent/1",true,true,true,200]'
	run api -w ' %{http_code}' "$U/generation?id=gen-0-nope"
	assert_output '{"error":{"message":"Generation gen-0-nope not found","code":404}} 404'
	run api -w ' %{http_code}' "$U/generation"
	assert_output '{"error":{"message":"Missing required parameter: id","code":400},"user_id":"user_fake"} 400'
	run curl -s -w ' %{http_code}' "$U/generation?id=$id"
	assert_output '{"error":{"message":"No auth credentials found","code":401}} 401'
}

@test "generation: a streamed one, and the 404 lag right after completion" {
	id=$(chat "$STREAM" | sed -n 's/^data: {"id":"\([^"]*\)".*/\1/p' | head -1)
	script '/generation status 404' '/generation status 404'
	run api -w ' %{http_code}' "$U/generation?id=$id"
	assert_output "{\"error\":{\"message\":\"Generation $id not found\",\"code\":404},\"user_id\":\"user_fake\"} 404"
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/generation?id=$id")" = 404 ]
	run japi "$U/generation?id=$id" '.data | [.streamed, .tokens_completion, .total_cost]'
	assert_output '[true,9,0.000156]'
}

@test "key and credits: usage is the sum of the costs served" {
	run japi "$U/key" '.data | [.usage, .limit, .is_free_tier, .label]'
	assert_output '[0,null,false,"sk-or-v1-fak...e00"]'
	chat "$HELLO" >/dev/null
	chat "$STREAM" >/dev/null
	run japi "$U/key" '.data | [.usage, .usage_daily, .usage_monthly, .rate_limit.requests]'
	assert_output '[0.00015945,0.00015945,0.00015945,-1]'
	run api "$U/credits"
	assert_output '{"data":{"total_credits":10,"total_usage":0.00015945}}'
	run curl -s -w ' %{http_code}' "$U/key"
	assert_output '{"error":{"message":"No auth credentials found","code":401}} 401'
	run api "$U/key"
	refute_output --partial "$KEY"
}

@test "endpoints: the real fixture, one built from the catalog, 404" {
	curl -s "$U/models/google/gemini-2.5-pro-preview/endpoints" |
	    cmp - "$FIX"/endpoints/endpoints_google-gemini-2.5-pro-preview_2025-05-23_cline-nock.json
	run japi "$U/models/openai/gpt-4o-mini/endpoints" '.data | [.id, .name, .architecture.tokenizer, (.endpoints | map([.name, .provider_name, .tag, .model_id, .context_length, .pricing.prompt, .pricing.discount, .status, .max_completion_tokens, (.latency_last_30m.p50 != null)]))]'
	assert_output '["openai/gpt-4o-mini","OpenAI: GPT-4o-mini","GPT",[["OpenAI | openai/gpt-4o-mini","OpenAI","openai","openai/gpt-4o-mini",128000,"0.00000015",0,0,16384,true],["Azure | openai/gpt-4o-mini","Azure","azure","openai/gpt-4o-mini",128000,"0.00000015",0,0,16384,true]]]'
	curl -s "$U/models/openai/gpt-4o-mini/endpoints" >"$BATS_TEST_TMPDIR/e"
	run jq -c '.data.endpoints | map([.latency_last_30m, .throughput_last_30m])' "$BATS_TEST_TMPDIR/e"
	assert_output '[[null,null],[null,null]]'
	run curl -s -w ' %{http_code}' "$U/models/acme/nope/endpoints"
	assert_output '{"error":{"message":"Model not found","code":404}} 404'
}

@test "unknown paths 404, wrong methods 405" {
	run curl -s -w ' %{http_code}' "$U/nope"
	assert_output '{"error":{"message":"Not Found","code":404}} 404'
	run curl -s -w ' %{http_code}' -X DELETE "$U/models"
	assert_output '{"error":{"message":"Method Not Allowed","code":405}} 405'
	run api -s -w ' %{http_code}' "$U/chat/completions"
	assert_output '{"error":{"message":"Method Not Allowed","code":405}} 405'
}

@test "script: status 429 with the real rate-limit headers and body" {
	script '/chat/completions status 429 ratelimit-reset=1754667660000'
	chat "$HELLO" -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/b"
	run head -1 "$BATS_TEST_TMPDIR/h"
	assert_output --partial ' 429 '
	run bash -c "grep -i '^x-ratelimit' '$BATS_TEST_TMPDIR/h' | tr -d '\r'"
	assert_output "$(printf 'X-RateLimit-Limit: 20\nX-RateLimit-Remaining: 0\nX-RateLimit-Reset: 1754667660000')"
	run cat "$BATS_TEST_TMPDIR/b"
	assert_output '{"error":{"message":"Rate limit exceeded: free-models-per-min.","code":429,"metadata":{"headers":{"X-RateLimit-Limit":"20","X-RateLimit-Remaining":"0","X-RateLimit-Reset":"1754667660000"},"provider_name":null}},"user_id":"user_fake"}'
}

@test "script: status options retry-after, ratelimit-reset=+MS, type, message" {
	script 'status 429 retry-after=3 ratelimit-reset=+60000 ratelimit-limit=50 type=rate_limit_exceeded message=free-models-per-day%20reached'
	before=$(($(date +%s) * 1000))
	chat "$HELLO" -D "$BATS_TEST_TMPDIR/h" >"$BATS_TEST_TMPDIR/b"
	grep -qi '^retry-after: 3' "$BATS_TEST_TMPDIR/h"
	run jq -c '[.error.message, .error.metadata.error_type, .error.metadata.headers["X-RateLimit-Limit"]]' "$BATS_TEST_TMPDIR/b"
	assert_output '["free-models-per-day reached","rate_limit_exceeded","50"]'
	reset=$(jq -r '.error.metadata.headers["X-RateLimit-Reset"]' "$BATS_TEST_TMPDIR/b")
	[ "$reset" -ge $((before + 59000)) ] && [ "$reset" -le $((before + 62000)) ]
}

@test "script: default messages for other statuses" {
	script 'status 402' 'status 502' 'status 503 retry-after=7' 'status 500' 'status 408' 'status 404' 'status 401' 'status 410' 'status 499'
	run chat "$HELLO"
	assert_output '{"error":{"message":"This request requires more credits, or fewer max_tokens. You requested up to 64000 tokens, but can only afford 2666. To increase, visit https://openrouter.ai/settings/credits and upgrade to a paid account","code":402,"metadata":{"provider_name":null}},"user_id":"user_fake"}'
	run chat "$HELLO"
	assert_output '{"error":{"message":"Provider returned error","code":502,"metadata":{"raw":"upstream connect error or disconnect/reset before headers","provider_name":"OpenAI"}},"user_id":"user_fake"}'
	run chat "$HELLO" -i
	assert_output --partial 'Retry-After: 7'
	assert_output --partial '{"error":{"message":"No allowed providers are available for the selected model.","code":503},"user_id":"user_fake"}'
	run chat "$HELLO"
	assert_output '{"error":{"message":"Internal Server Error","code":500},"user_id":"user_fake"}'
	run chat "$HELLO"
	assert_output '{"error":{"message":"Operation timed out. Please try again later.","code":408},"user_id":"user_fake"}'
	run chat "$HELLO"
	assert_output '{"error":{"message":"No endpoints found for openai/gpt-4o-mini.","code":404},"user_id":"user_fake"}'
	run chat "$HELLO"
	assert_output '{"error":{"message":"User not found.","code":401}}'
	run chat "$HELLO" -w ' %{http_code}'
	assert_output '{"error":{"message":"Gone","code":410},"user_id":"user_fake"} 410'
	run chat "$HELLO" -w ' %{http_code}'
	assert_output '{"error":{"message":"HTTP error 499","code":499},"user_id":"user_fake"} 499'
}

@test "script: lines are per path, in order, used once; ok and comments" {
	script '# a comment' '' '/generation status 503' '/chat/completions status 500' 'ok' '/chat/completions status 502'
	[ "$(status_of "$U/models")" = 200 ]	# takes "ok": any path
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO")" = 500 ]
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO")" = 502 ]
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO")" = 200 ]
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/generation?id=x")" = 503 ]
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/generation?id=x")" = 404 ]
}

@test "script: appended while the server runs; a missing file is no script" {
	rm -f "$SCRIPT"
	[ "$(status_of "$U/models")" = 200 ]
	printf 'status 5' >>"$SCRIPT"	# an unfinished line waits
	[ "$(status_of "$U/models")" = 200 ]
	printf '03\n' >>"$SCRIPT"
	[ "$(status_of "$U/models")" = 503 ]
	[ "$(status_of "$U/models")" = 200 ]
	script 'status 429'
	[ "$(status_of "$U/models")" = 429 ]
}

@test "script: an unknown action is reported and ignored" {
	script 'frobnicate 3'
	[ "$(status_of "$U/models")" = 200 ]
	run cat "$BATS_TEST_TMPDIR/err"
	assert_output --partial 'script: unknown action "frobnicate"'
}

@test "script: delay, alone and as an option" {
	script 'delay 400' 'status 503 delay=300'
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$U/models")
	read -r code t <<<"$out"
	[ "$code" = 200 ] && at_least "$t" 0.4 || fail "$out"
	out=$(curl -s -o /dev/null -w '%{http_code} %{time_total}' "$U/models")
	read -r code t <<<"$out"
	[ "$code" = 503 ] && at_least "$t" 0.3 || fail "$out"
}

@test "script: reset closes the connection with no response" {
	script 'reset'
	run -52 chat "$HELLO"
	assert_output --partial 'Empty reply from server'
	[ "$(status_of "$U/models")" = 200 ]
}

@test "script: garbage is a 200 that is not JSON" {
	script 'garbage'
	run curl -s -w ' %{http_code} %{content_type}' "$U/models"
	assert_output '<html><body>502 Bad Gateway</body></html> 200 text/html'
}

@test "script: error200 is a 200 with padding and an error body" {
	script 'error200' 'error200 code=429 message=Rate%20limit%20exceeded' '/key error200'
	chat "$HELLO" -w '\n%{http_code}' >"$BATS_TEST_TMPDIR/b"
	run bash -c "grep -v '^ *$' '$BATS_TEST_TMPDIR/b'"
	assert_output "$(printf '%s\n200' '{"error":{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}},"user_id":"user_fake"}')"
	grep -q '^         $' "$BATS_TEST_TMPDIR/b"
	run jchat "$HELLO" .
	assert_output '{"error":{"code":429,"message":"Rate limit exceeded","metadata":{"error_type":"rate_limit_exceeded"}},"user_id":"user_fake"}'
	run api "$U/key"
	assert_output '{"error":{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}},"user_id":"user_fake"}'
}

@test "script: choiceerror, non-streamed and streamed" {
	script 'choiceerror' 'choiceerror'
	run jchat "$HELLO" '.choices[0] | [.finish_reason, .message.content, .error]'
	assert_output '["error","Echo: he",{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}}]'
	chat "$STREAM" >"$BATS_TEST_TMPDIR/s"
	run tail -c 300 "$BATS_TEST_TMPDIR/s"
	refute_output --partial '[DONE]'
	run bash -c "sed -n 's/^data: //p' '$BATS_TEST_TMPDIR/s' | tail -1 | jq -c '[.error, .choices]'"
	assert_output '[{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}},[{"index":0,"delta":{"content":""},"finish_reason":"error"}]]'
}

@test "script: fixture serves real bodies byte for byte" {
	script 'fixture chat/TestOpenRouterCommon__gpt-5__simple.0.200.json' \
	    'fixture chat/TestOpenRouterCommon__gpt-5__tool_streaming.0.200.sse' \
	    'fixture chat/nope.json'
	chat "$HELLO" -D "$BATS_TEST_TMPDIR/h1" | cmp - "$FIX/chat/TestOpenRouterCommon__gpt-5__simple.0.200.json"
	grep -qi '^content-type: application/json' "$BATS_TEST_TMPDIR/h1"
	chat "$STREAM" -N -D "$BATS_TEST_TMPDIR/h2" | cmp - "$FIX/chat/TestOpenRouterCommon__gpt-5__tool_streaming.0.200.sse"
	grep -qi '^content-type: text/event-stream' "$BATS_TEST_TMPDIR/h2"
	[ "$(status_of -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO")" = 500 ]
}

@test "script: keepalive N, streamed and not" {
	script 'keepalive 5' 'keepalive 4'
	chat "$STREAM" >"$BATS_TEST_TMPDIR/s"
	run bash -c "sed -n '1,10p' '$BATS_TEST_TMPDIR/s' | grep -c '^: OPENROUTER PROCESSING$'"
	assert_output 5
	run bash -c "sed -n '11p' '$BATS_TEST_TMPDIR/s' | cut -c1-7"
	assert_output 'data: {'
	deltas=$(grep -c '"finish_reason":null' "$BATS_TEST_TMPDIR/s")
	[ "$(grep -c '^: OPENROUTER' "$BATS_TEST_TMPDIR/s")" -eq $((5 + deltas)) ]
	run tail -c 14 "$BATS_TEST_TMPDIR/s"
	assert_output "$(printf 'data: [DONE]\n\n')"
	chat "$HELLO" >"$BATS_TEST_TMPDIR/b"
	run bash -c "sed -n '/^{/q;p' '$BATS_TEST_TMPDIR/b' | wc -c"
	assert_output 44
}

@test "script: midstream-error, the real observed chunk then [DONE]" {
	script 'midstream-error' 'midstream-error code=502 type=provider_unavailable after=1'
	chat "$STREAM" >"$BATS_TEST_TMPDIR/s"
	run tail -c 14 "$BATS_TEST_TMPDIR/s"
	assert_output "$(printf 'data: [DONE]\n\n')"
	sed -n 's/^data: //p' "$BATS_TEST_TMPDIR/s" | grep -v DONE >"$BATS_TEST_TMPDIR/c"
	run jq -sc 'map(select(has("error") | not) | .choices[0].delta.content) | join("")' "$BATS_TEST_TMPDIR/c"
	assert_output '"Echo: héllo"'
	run jq -sc '.[-1] | [.error, .choices[0].finish_reason, .usage.completion_tokens, .usage.prompt_tokens]' "$BATS_TEST_TMPDIR/c"
	assert_output '[{"code":400,"message":"Token limit reached"},null,3,7]'
	chat "$STREAM" >"$BATS_TEST_TMPDIR/s2"
	run grep -c '^data: {"id"' "$BATS_TEST_TMPDIR/s2"
	assert_output 2
	chat "$STREAM" >"$BATS_TEST_TMPDIR/s3"
	run grep -c OPENROUTER "$BATS_TEST_TMPDIR/s3"
	assert_output 1
}

@test "script: midstream-error with after=1 and a code" {
	script 'midstream-error code=502 type=provider_unavailable after=1'
	chat "$STREAM" | sed -n 's/^data: //p' | grep -v DONE >"$BATS_TEST_TMPDIR/c"
	run jq -sc 'length, (.[-1].error)' "$BATS_TEST_TMPDIR/c"
	assert_line --index 0 2
	assert_line --index 1 '{"code":502,"message":"Provider returned error","metadata":{"error_type":"provider_unavailable"}}'
}

@test "script: stall sends nothing for a while, then ends without [DONE]" {
	script 'stall 800'
	out=$(curl -sS -N -o "$BATS_TEST_TMPDIR/s" -w '%{http_code} %{time_total}' -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$STREAM")
	read -r code t <<<"$out"
	[ "$code" = 200 ] && at_least "$t" 0.8 || fail "$out"
	run grep -c '^data: {' "$BATS_TEST_TMPDIR/s"
	assert_output 2
	run ! grep -q DONE "$BATS_TEST_TMPDIR/s"
	script 'stall 2000'
	run -28 curl -sS -N -m 0.5 -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$STREAM"
}

@test "script: cut closes the stream mid-body" {
	script 'cut' 'cut'
	run -18 curl -sS -N -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$STREAM"
	refute_output --partial '[DONE]'
	assert_output --partial '"content":"Echo: "'
	run -18 curl -sS -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO"
	refute_output --partial '{'
}

@test "script: status html=1 is the proxy's HTML page, not the envelope" {
	script 'status 503 html=1 retry-after=2'
	run curl -sS -D "$BATS_TEST_TMPDIR/h" -w '\n%{http_code} %{content_type}' "$U/chat/completions" -H "Authorization: Bearer $KEY" -d "$HELLO"
	assert_output "$(printf '<html>\r\n<head><title>503 Service Unavailable</title></head>\r\n<body>\r\n<center><h1>503 Service Unavailable</h1></center>\r\n<hr><center>cloudflare</center>\r\n</body>\r\n</html>\r\n\n503 text/html')"
	grep -qix $'retry-after: 2\r' "$BATS_TEST_TMPDIR/h"
}

@test "script: truncated ends a body cleanly half-way, non-streamed and streamed" {
	script 'truncated' 'truncated after=1'
	run -0 curl -sS -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO"
	assert_output --partial '"id":"gen-'
	run jq -e . <<<"$output"
	[ "$status" -ne 0 ]
	run -0 curl -sS -N -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$STREAM"
	refute_output --partial '[DONE]'
	[ "$(grep -c '^data: ' <<<"$output")" -eq 2 ]
	[[ "${lines[${#lines[@]} - 1]}" != *'}' ]]
}

@test "script: big N answers N bytes, the echo over and over" {
	script 'big 100000'
	run jchat "$HELLO" '[(.choices[0].message.content | length, .[0:17]), .usage.completion_tokens]'
	assert_output '[100000,"Echo: hello there",25000]'
	run jchat "$HELLO" '.choices[0].message.content | length'
	assert_output 17
}

@test "script: badutf8 puts bytes that are not UTF-8 at the head of the content" {
	script 'badutf8'
	curl -sS -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$HELLO" >"$BATS_TEST_TMPDIR/b"
	grep -q $'"content":"\xff\xfeEcho: hello there"' "$BATS_TEST_TMPDIR/b"
}

@test "script: drip=MS paces every piece, never a stall" {
	script 'keepalive 3 drip=150'
	out=$(curl -sS -N -o /dev/null -w '%{http_code} %{time_total}' -H "Authorization: Bearer $KEY" "$U/chat/completions" -d "$STREAM")
	read -r code t <<<"$out"
	[ "$code" = 200 ] && at_least "$t" 0.6 || fail "$out"
}

@test "request log: one line per request, headers lowercased, body parsed" {
	chat "$HELLO" -H 'X-Title: orkit' >/dev/null
	curl -s "$U/generation?id=gen-1&x=2" -o /dev/null
	curl -s -H 'Authorization: Bearer wrong' "$U/models" -d 'not json' -o /dev/null
	curl -s -X GET "$U/key" -H "Authorization: Bearer $KEY" -o /dev/null
	run jq -c '[.method, .path, .auth, .body]' "$LOG"
	assert_line --index 0 '["POST","/chat/completions","ok",{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"hello there"}]}]'
	assert_line --index 1 '["GET","/generation","missing",null]'
	assert_line --index 2 '["POST","/models","bad",{"raw":"not json"}]'
	assert_line --index 3 '["GET","/key","ok",null]'
	run jq -c 'select(.path == "/generation") | .query' "$LOG"
	assert_output '{"id":"gen-1","x":"2"}'
	run jq -c '.headers | [.authorization, .["x-title"], .["content-type"]]' "$LOG"
	assert_line --index 0 '["Bearer [redacted]","orkit","application/json"]'
	assert_line --index 1 '[null,null,null]'
	assert_line --index 2 '["Bearer [redacted]",null,"application/x-www-form-urlencoded"]'
}

@test "request log: the key never appears, wherever it was sent" {
	chat "$HELLO" -H "X-Leak: $KEY" >/dev/null
	api "$U/key" >/dev/null
	api "$U/generation?id=$KEY" >/dev/null
	chat "{\"messages\":[{\"role\":\"user\",\"content\":\"$KEY\"}]}" >/dev/null
	[ "$(wc -l <"$LOG")" -eq 4 ]
	run grep -cF "$KEY" "$LOG"
	assert_output 0
	run grep -cF "$KEY" "$BATS_TEST_TMPDIR/err" "$BATS_TEST_TMPDIR/port"
	assert_output "$(printf '%s:0\n%s:0' "$BATS_TEST_TMPDIR/err" "$BATS_TEST_TMPDIR/port")"
}

@test "64 concurrent requests are all taken before any is answered" {
	for i in $(seq 64); do script 'delay 3000'; done
	seq 64 | xargs -P 64 -I{} sh -c 'curl -s -o /dev/null -w "%{http_code}\n" \
	    -H "Authorization: Bearer $0" "$1/chat/completions" \
	    -d "{\"messages\":[{\"role\":\"user\",\"content\":\"n{}\"}]}" &&
	    date +%s%3N >&2' "$KEY" "$U" >"$BATS_TEST_TMPDIR/codes" \
	    2>"$BATS_TEST_TMPDIR/done"
	run sort -u "$BATS_TEST_TMPDIR/codes"
	assert_output 200
	[ "$(wc -l <"$BATS_TEST_TMPDIR/codes")" -eq 64 ]
	run jq -s 'map(.body.messages[0].content) | unique | length' "$LOG"
	assert_output 64
	[ "$(wc -l <"$LOG")" -eq 64 ]
	# The last one came in before the first answer went out.
	last_in=$(jq -s 'map(.at_ms) | max' "$LOG")
	first_out=$(sort -n "$BATS_TEST_TMPDIR/done" | head -1)
	[ "$last_in" -lt "$first_out" ] || fail "request at $last_in, answer at $first_out"
}

@test "keep-alive: one connection carries many requests" {
	run bash -c "curl -sv -H 'Authorization: Bearer $KEY' '$U/models' -o /dev/null '$U/key' -o /dev/null --next -H 'Authorization: Bearer $KEY' '$U/chat/completions' -d '$HELLO' -o /dev/null --next -H 'Authorization: Bearer $KEY' '$U/chat/completions' -d '$STREAM' -o /dev/null 2>&1"
	assert_success
	run grep -c 'Re-using existing connection' <<<"$output"
	assert_output 3
}

@test "a 10 MB prompt is echoed back whole" {
	head -c 10000000 /dev/zero | tr '\0' 'x' |
	    jq -Rc '{messages: [{role: "user", content: .}]}' >"$BATS_TEST_TMPDIR/big"
	run jchat "@$BATS_TEST_TMPDIR/big" '[(.choices[0].message.content | length), .usage.prompt_tokens, .usage.completion_tokens]'
	assert_output '[10000006,2500000,2500002]'
	run jq -c '.body.messages[0].content | length' "$LOG"
	assert_output 10000000
}

@test "without FAKEOR_KEY any non-empty Bearer token is accepted" {
	stop_fake
	rm -f "$LOG"
	KEY= start_fake
	run curl -s -H 'Authorization: Bearer anything' "$U/chat/completions" -d "$HELLO" -o /dev/null -w '%{http_code}'
	assert_output 200
	run curl -s -w ' %{http_code}' "$U/chat/completions" -d "$HELLO"
	assert_output '{"error":{"message":"No auth credentials found","code":401}} 401'
}

@test "-m and -F choose the catalog and the fixtures" {
	stop_fake
	mkdir -p "$BATS_TEST_TMPDIR/fx/chat"
	printf '{"data":[{"id":"acme/one","name":"Acme: One","pricing":{"prompt":"0.001","completion":"0.002"}}]}' >"$BATS_TEST_TMPDIR/fx/models.json"
	printf 'hi\n' >"$BATS_TEST_TMPDIR/fx/chat/x.json"
	start_fake -F "$BATS_TEST_TMPDIR/fx"
	run curl -s "$U/models"
	assert_output --partial '"acme/one"'
	run jchat '{"model":"acme/one","messages":[{"role":"user","content":"abcd"}]}' '[.provider, .usage.cost]'
	assert_output '["Fake",0.007]'
	script 'fixture chat/x.json'
	run api "$U/chat/completions" -d "$HELLO"
	assert_output 'hi'
	stop_fake
	start_fake -m "$FIX/models.json" -F "$BATS_TEST_TMPDIR/fx"
	curl -s "$U/models" | cmp - "$FIX/models.json"
}

@test "-d holds every chat answer, and only chat answers" {
	stop_fake
	start_fake -d 1000
	run curl -s -o /dev/null -w '%{time_total}' -H "Authorization: Bearer $KEY" \
	    -H 'Content-Type: application/json' -d "$HELLO" "$U/chat/completions"
	[ "$(awk -v t="$output" 'BEGIN { print (t >= 1.0) }')" = 1 ]
	run curl -s -o /dev/null -w '%{time_total}' "$U/models"
	[ "$(awk -v t="$output" 'BEGIN { print (t < 1.0) }')" = 1 ]
}

@test "response_format: json_object and json_schema answer JSON content, streamed or not" {
	local rf='{"type":"json_schema","json_schema":{"name":"city","strict":true,"schema":{"type":"object","properties":{"city":{"type":"string"},"population":{"type":"integer"},"capital":{"type":"boolean"},"kind":{"type":"string","enum":["town","city"]},"tags":{"type":"array","items":{"type":"string"}}},"required":["city"]}}}'
	run jchat "{\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Lima\"}],\"response_format\":$rf}" \
	    '.choices[0].message.content | fromjson'
	[ "$output" = '{"city":"Echo: Lima","population":10,"capital":true,"kind":"town","tags":["Echo: Lima"]}' ]
	run jchat '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Lima"}],"response_format":{"type":"json_object"}}' \
	    '.choices[0].message.content | fromjson'
	[ "$output" = '{"text":"Echo: Lima"}' ]
	# streamed: the deltas join to the same text
	run bash -c "$(declare -f api chat); U=$U KEY=$KEY chat '{\"stream\":true,\"model\":\"openai/gpt-4o-mini\",\"messages\":[{\"role\":\"user\",\"content\":\"Lima\"}],\"response_format\":{\"type\":\"json_object\"}}' | sed -n 's/^data: //p' | grep -v DONE | jq -j '.choices[0].delta.content // empty'"
	[ "$output" = '{"text":"Echo: Lima"}' ]
	# type text is the plain echo
	run jchat '{"model":"openai/gpt-4o-mini","messages":[{"role":"user","content":"Lima"}],"response_format":{"type":"text"}}' '.choices[0].message.content'
	[ "$output" = '"Echo: Lima"' ]
}
