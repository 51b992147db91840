#!/usr/bin/env bats
# or-cost: what each request cost, from /generation, usage or the catalog.

load helper

setup() {
	common_setup
	C=$FIXTURES/cost
	cd "$BATS_TEST_TMPDIR"
}

teardown() {
	fake_stop
}

# Records answered by the fake, one per prompt given.
answered() {
	local p
	for p in "$@"; do printf '%s\n' "$p"; done | jq -R . | or-send -P 4
}

# The cost objects of or-cost's output, compacted, without the
# timings that vary from run to run.
costs() {
	jq -c '.cost | del(.latency_ms, .generation_time_ms)'
}

# --- usage -----------------------------------------------------------

@test "--version prints the version" {
	run -0 --separate-stderr or-cost --version
	assert_output "or-cost $(cat "$TOP/VERSION")"
}

@test "--help prints the summary on stdout, a mistake the usage on stderr" {
	run -0 --separate-stderr or-cost --help
	assert_line --index 0 'usage: or-cost [options]    or-cost credits [--min USD]'
	assert_line 'Where the figure comes from:'
	[ "$stderr" = "" ]
	run -0 --separate-stderr or-cost credits -h
	assert_line --index 0 'usage: or-cost credits [--min USD]'
	run -2 --separate-stderr or-cost --wait
	assert_output ''
	[ "${stderr_lines[1]}" = 'usage: or-cost [-s | -t] [-P n] [--wait seconds] [--no-generation | --estimate]' ]
	[ "${#stderr_lines[@]}" -eq 3 ]
}

@test "an unknown flag, a bad -P or --wait, a stray word: exit 2" {
	run -2 --separate-stderr or-cost --bogus
	assert_output ''
	run -2 --separate-stderr or-cost -P 0
	[ "${stderr%%$'\n'*}" = "or-cost: -P wants a number from 1 to 1024" ]
	run -2 --separate-stderr or-cost --wait x
	[ "${stderr%%$'\n'*}" = "or-cost: --wait wants seconds from 0 to 3600" ]
	run -2 --separate-stderr or-cost debits
	[ "${stderr%%$'\n'*}" = 'or-cost: the only command is "credits"' ]
	run -2 --separate-stderr or-cost --min 5
	[ "${stderr%%$'\n'*}" = "or-cost: --min goes with credits" ]
	[ "$(printf '%s\n' "$stderr" | sed -n 2p)" = "usage: or-cost [-s | -t] [-P n] [--wait seconds] [--no-generation | --estimate]" ]
}

@test "flags the synopsis calls exclusive are refused, in either order: exit 2, nothing read" {
	local a
	for a in "-s -t" "-t --total" "--total --table"; do
		run -2 --separate-stderr or-cost $a <"$C/byok.jsonl"
		assert_output ''
		[ "${stderr%%$'\n'*}" = "or-cost: -s (--total) and -t (--table) do not go together" ]
	done
	for a in "--no-generation --estimate" "--estimate --no-generation"; do
		run -2 --separate-stderr or-cost $a <"$C/byok.jsonl"
		assert_output ''
		[ "${stderr%%$'\n'*}" = "or-cost: --no-generation and --estimate do not go together" ]
	done
}

@test "no API key: exit 2 before reading a record" {
	unset OPENROUTER_API_KEY
	run -2 --separate-stderr or-cost <"$C/byok.jsonl"
	assert_output ''
	assert_equal "$stderr" "or-cost: no API key: set OPENROUTER_API_KEY, or put the key in \$XDG_CONFIG_HOME/orkit/key (mode 600)"
}

# --- source: generation ------------------------------------------------

@test "generation: the authoritative figure, one lookup per record" {
	fake_start
	answered hello "two words" >sent.jsonl
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(requests /generation)" -eq 2 ]
	# the same record, with cost added last
	[ "$(printf '%s\n' "$output" | jq -c 'del(.cost)')" = "$(jq -c . sent.jsonl)" ]
	[ "$(printf '%s\n' "$output" | jq -r '.cost.source' | sort -u)" = generation ]
	# agrees with the chat answer's usage
	run -0 jq -c --slurp '[.[] | [.cost.usd == .response.usage.cost,
	    .cost.prompt_tokens == .response.usage.prompt_tokens,
	    .cost.generation_id == .response.id,
	    .cost.provider == .response.provider]] | flatten | unique' \
	    <<<"$(or-cost <sent.jsonl)"
	assert_output '[true]'
}

@test "generation: the full shape maps onto cost (the spec's example)" {
	fake_start
	answered hello >sent.jsonl
	fake "/generation fixture generation/generation_SPEC-EXAMPLE_openapi.json"
	or-cost <sent.jsonl | jq -c .cost >out
	assert_equal "$(cat out)" '{"usd":0.0015,"free":false,"prompt_tokens":10,"completion_tokens":25,"reasoning_tokens":5,"cached_tokens":3,"cache_write_tokens":0,"cache_discount":null,"upstream_usd":null,"provider":"Infermatic","model":"sao10k/l3-stheno-8b","generation_id":"gen-3bhGkxlo4XFrqiabUM7NDtwDzWwG","latency_ms":1250,"generation_time_ms":1200,"source":"generation"}'
}

@test "generation: a real partial answer keeps the usage's counts" {
	fake_start
	answered hello >sent.jsonl
	fake "/generation fixture generation/generation_PARTIAL_2026-02-25_xyzmee322-skills.json"
	or-cost <sent.jsonl | costs >out
	assert_equal "$(cat out)" "$(jq -c '.response | {usd:0.0001402,free:false,prompt_tokens:.usage.prompt_tokens,completion_tokens:.usage.completion_tokens,reasoning_tokens:0,cached_tokens:0,cache_write_tokens:0,cache_discount:null,upstream_usd:null,provider:"Google AI Studio",model,generation_id:"gen-1772030107-1FJRHH9DliPkfVmjcn64",source:"generation"}' sent.jsonl)"
}

@test "generation: 404 while it lags is retried, then the figure comes" {
	fake_start -k 2
	answered hello >sent.jsonl
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(requests /generation)" -eq 3 ]
	[ "$(jq -r .cost.source <<<"$output")" = generation ]
}

@test "generation: a lag by time (-w) is waited out within --wait" {
	fake_start -w 300
	answered hello >sent.jsonl
	run -0 --separate-stderr or-cost --wait 5 <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(jq -r .cost.source <<<"$output")" = generation ]
}

@test "generation: lag longer than --wait falls back to usage, with a warning" {
	fake_start -w 60000
	answered hello >sent.jsonl
	id=$(jq -r .response.id sent.jsonl)
	run -0 --separate-stderr or-cost --wait 0.2 <sent.jsonl
	# "no answer" when a slow (instrumented) run's lookup outlasts --wait
	[[ "$stderr" =~ ^"or-cost: line 1: $id: /generation: "("not found"|"no answer")" after "[0-9]+"."[0-9]"s; usage.cost used"$ ]]
	[ "$(jq -r .cost.source <<<"$output")" = usage ]
	[ "$(jq -r '.cost.usd == .response.usage.cost' <<<"$output")" = true ]
	[[ "$(jq -r .cost.note <<<"$output")" =~ ^"/generation: "("not found"|"no answer")" after" ]]
}

@test "generation: another failure falls back at once, with its message" {
	fake_start
	answered hello >sent.jsonl
	fake "/generation status 401"
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$stderr" = "or-cost: line 1: $(jq -r .response.id sent.jsonl): /generation: HTTP error: User not found.; usage.cost used" ]
	[ "$(jq -r .cost.source <<<"$output")" = usage ]
	[ "$(requests /generation)" -eq 1 ]
}

@test "generation: a 500 is retried like a lag" {
	fake_start
	answered hello >sent.jsonl
	fake "/generation status 500"
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(requests /generation)" -eq 2 ]
	[ "$(jq -r .cost.source <<<"$output")" = generation ]
}

@test "-P 8: 50 records looked up in parallel come out in order" {
	fake_start -g 20
	seq 50 | jq -R . | or-send -P 16 >sent.jsonl
	run -0 --separate-stderr or-cost -P 8 <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(jq -r .prompt <<<"$output" | tr '\n' ' ')" = "$(seq 50 | tr '\n' ' ')" ]
	[ "$(jq -r .cost.source <<<"$output" | sort -u)" = generation ]
	[ "$(requests /generation)" -eq 50 ]
}

@test "--parallel: the long -P; -V the version" {
	fake_start -g 20
	seq 5 | jq -R . | or-send -P 5 >sent.jsonl
	run -0 --separate-stderr or-cost --parallel 5 <sent.jsonl
	[ "$(jq -r .prompt <<<"$output" | paste -sd' ')" = "1 2 3 4 5" ]
	[ "$(jq -r .cost.source <<<"$output" | sort -u)" = generation ]
	run -0 --separate-stderr or-cost -V
	assert_output "or-cost $(cat "$TOP/VERSION")"
}

# bats test_tags=plain
@test "SIGINT while lookups lag: every record goes out with usage.cost" {
	fake_start -w 60000
	answered a b c >sent.jsonl
	or-cost --wait 60 <sent.jsonl >out 2>err &
	pid=$!
	for i in $(seq 100); do [ "$(requests /generation)" -ge 3 ] && break; sleep 0.05; done
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(cat err)" = "or-cost: interrupted: 3 records costed from usage.cost, without /generation" ]
	[ "$(jq -c '[.prompt, .cost.source, .cost.note, .cost.usd == .response.usage.cost]' out)" = "$(printf '%s\n' \
	    '["a","usage","/generation: interrupted; usage.cost used",true]' \
	    '["b","usage","/generation: interrupted; usage.cost used",true]' \
	    '["c","usage","/generation: interrupted; usage.cost used",true]')" ]
}

# bats test_tags=plain
@test "SIGINT: records still coming from the pipe are not lost" {
	fake_start -w 60000
	answered a b >sent.jsonl
	mkfifo fifo
	or-cost --wait 60 <fifo >out 2>err &
	pid=$!
	exec 4>fifo
	head -1 sent.jsonl >&4
	for i in $(seq 100); do [ "$(requests /generation)" -ge 1 ] && break; sleep 0.05; done
	kill -INT "$pid"
	sleep 0.2
	tail -1 sent.jsonl >&4
	exec 4>&-
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	[ "$(jq -r '.prompt + " " + .cost.source' out)" = "$(printf 'a usage\nb usage')" ]
	[ "$(cat err)" = "or-cost: interrupted: 2 records costed from usage.cost, without /generation" ]
}

# bats test_tags=plain
@test "SIGINT: the input is still read to its end, every record costed" {
	local n=20000 pid
	instrumented && n=2000
	fake_start
	seq "$n" | jq -c '{prompt: tostring, response: {id: "gen-nope-\(.)", usage: {cost: 0.001}}}' >in.jsonl
	or-cost -P 4 --wait 600 <in.jsonl >out 2>err &
	pid=$!
	for i in $(seq 200); do [ "$(requests /generation)" -ge 4 ] && break; sleep 0.05; done
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 0 ]
	jq -r .prompt out | cmp - <(seq "$n")
	[ "$(jq -r '.cost.source + " " + .cost.note' out | sort -u)" = "usage /generation: interrupted; usage.cost used" ]
	[ "$(cat err)" = "or-cost: interrupted: $n records costed from usage.cost, without /generation" ]
}

# --- an API that cannot be reached, or never answers ---------------------

# Synthetic records as or-send writes them: ids to look up, a usage.cost.
records() {
	seq "$1" | jq -c '{prompt: tostring, response: {id: "gen-\(.)", usage: {cost: 0.001}}}'
}

@test "a dead port: or-cost gives up at once, not after --wait, one line for the rest" {
	records 40 >in.jsonl
	run -0 --separate-stderr timeout 20 or-cost -P 2 --wait 60 <in.jsonl
	[ "${#lines[@]}" -eq 40 ]
	[ "$(jq -r .prompt <<<"$output" | tr '\n' ' ')" = "$(seq 40 | tr '\n' ' ')" ]
	[ "$(jq -r '.cost.source' <<<"$output" | sort -u)" = usage ]
	[ "$(jq -r '.cost.usd' <<<"$output" | sort -u)" = 0.001 ]
	[[ "$(jq -r .cost.note <<<"$output" | head -1)" == "/generation: the API could not be reached (Failed to connect to 127.0.0.1 port 1 "*"); usage.cost used" ]]
	[ "$(jq -r .cost.note <<<"$output" | tail -1)" = "/generation: not asked, the API could not be reached; usage.cost used" ]
	[[ "$(tail -n 1 <<<"$stderr")" == "or-cost: the API could not be reached, 5 lookups in a row ("*"): "*" more records costed from usage.cost, without /generation" ]]
	[ "$(wc -l <<<"$stderr")" -le 8 ]
}

@test "--wait bounds a lookup that connects and never answers" {
	fake_start -g 30000
	records 20 >in.jsonl
	run -0 --separate-stderr timeout 20 or-cost --wait 0.5 <in.jsonl
	[ "${#lines[@]}" -eq 20 ]
	[[ "$(jq -r '.cost.source + " " + .cost.note' <<<"$output" | sort -u)" =~ ^"usage /generation: no answer after "[0-9.]+"s; usage.cost used"$ ]]
}

@test "--wait bounds it from the first lookup: a late retry waits only what is left" {
	fake_start
	records 1 >in.jsonl
	fake "/generation status 500" "/generation delay 30000"
	run -0 --separate-stderr timeout 20 or-cost --wait 1 <in.jsonl
	[[ "$(jq -r .cost.note <<<"$output")" =~ ^"/generation: no answer after "[0-9.]+"s; usage.cost used"$ ]]
	[ "$(requests /generation)" -eq 2 ]
}

# --- source: usage -----------------------------------------------------

@test "--no-generation: usage.cost, no request made" {
	fake_start
	answered hello >sent.jsonl
	run -0 --separate-stderr or-cost --no-generation <sent.jsonl
	[ "$(requests /generation)" -eq 0 ]
	assert_equal "$(costs <<<"$output")" "$(jq -c '.response | {usd:.usage.cost,free:false,prompt_tokens:.usage.prompt_tokens,completion_tokens:.usage.completion_tokens,reasoning_tokens:0,cached_tokens:0,cache_write_tokens:0,cache_discount:null,upstream_usd:null,provider,model,generation_id:.id,source:"usage"}' sent.jsonl)"
}

@test "BYOK: usage.cost is the bill, upstream_usd apart, never their sum" {
	run -0 --separate-stderr or-cost --no-generation <"$C/byok.jsonl"
	assert_equal "$(jq -c .cost <<<"$output")" '{"usd":0.00014,"free":false,"prompt_tokens":1000,"completion_tokens":500,"reasoning_tokens":0,"cached_tokens":0,"cache_write_tokens":0,"cache_discount":null,"upstream_usd":0.0028,"provider":"Anthropic","model":"anthropic/claude-3.5-haiku","generation_id":"gen-1777319808-BYOKxxxxxxxxxxxxxxxx","latency_ms":null,"generation_time_ms":null,"source":"usage"}'
	run -0 --separate-stderr or-cost --no-generation --total <"$C/byok.jsonl"
	[ "$(jq -c .total.usd <<<"$output")" = 0.00014 ]
}

@test "BYOK through the fake: /generation agrees, the total counts the fee" {
	fake_start
	fake "/chat/completions byok"
	answered hello >sent.jsonl
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$(jq -c '[.cost.source, .cost.usd == .response.usage.cost, .cost.upstream_usd == .response.usage.cost_details.upstream_inference_cost, .cost.upstream_usd > .cost.usd]' <<<"$output")" = '["generation",true,true,true]' ]
	usd=$(jq .cost.usd <<<"$output")
	run -0 --separate-stderr or-cost -s <sent.jsonl
	[ "$(jq .total.usd <<<"$output")" = "$usd" ]
}

@test "a free model costs 0 and says so" {
	fake_start
	printf '{"model":"deepseek/deepseek-chat-v3-0324:free","prompt":"hi"}\n' |
	    or-send >sent.jsonl
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$(jq -c '[.cost.usd, .cost.free, .cost.source]' <<<"$output")" = '[0,true,"generation"]' ]
	run -0 --separate-stderr or-cost --no-generation <sent.jsonl
	[ "$(jq -c '[.cost.usd, .cost.free, .cost.source]' <<<"$output")" = '[0,true,"usage"]' ]
}

@test "an answer or-log replayed from its cache costs 0: it was billed once" {
	fake_start
	answered hello "two words" >sent.jsonl
	jq -c 'if .prompt == "hello" then .send.cached = true else . end' \
	    sent.jsonl >replayed.jsonl
	run -0 --separate-stderr or-cost <replayed.jsonl
	[ "$(requests /generation)" -eq 1 ]
	[ "$(head -1 <<<"$output" | jq -c '[.cost.source, .cost.usd, .cost.prompt_tokens, .cost.generation_id == .response.id, .cost.note]')" = '["cached",0,0,true,"answered from or-log'"'"'s cache: not billed again"]' ]
	[ "$(tail -1 <<<"$output" | jq -c '[.cost.source, .cost.usd == .response.usage.cost]')" = '["generation",true]' ]
	run -0 --separate-stderr or-cost --total <replayed.jsonl
	[ "$(jq -c '.total | [.records, .requests, .usd_by_source.cached]' <<<"$output")" = '[2,1,0]' ]
	[ "$(jq .total.usd <<<"$output")" = "$(jq -s '.[1].response.usage.cost' sent.jsonl)" ]
}

@test "no usage.cost in the response: the note says the usd is unknown, not used" {
	fake_start
	answered hello | jq -c 'del(.response.usage.cost)' >sent.jsonl
	fake "/generation status 401"
	run -0 --separate-stderr or-cost <sent.jsonl
	[ "$(jq -c '[.cost.source, .cost.usd, .cost.note]' <<<"$output")" = '["usage",null,"/generation: HTTP error: User not found.; no usage.cost in the response either: usd unknown"]' ]
	[ "$stderr" = "or-cost: line 1: $(jq -r .response.id sent.jsonl): /generation: HTTP error: User not found.; no usage.cost in the response either: usd unknown" ]
	run -0 --separate-stderr or-cost --no-generation <sent.jsonl
	[ "$(jq -c '[.cost.source, .cost.usd, .cost.note]' <<<"$output")" = '["usage",null,"no usage.cost in the response: usd unknown"]' ]
	jq -c 'del(.response.id)' sent.jsonl >noid.jsonl
	run -0 --separate-stderr or-cost <noid.jsonl
	[ "$(jq -c '[.cost.usd, .cost.note]' <<<"$output")" = '[null,"no response.id to look up; no usage.cost in the response either: usd unknown"]' ]
}

# --- what passes through -------------------------------------------------

@test "an errored record with a generation id is looked up: it was billed" {
	fake_start
	fake "/chat/completions choiceerror"
	ORKIT_RETRIES=0 answered hello >sent.jsonl 2>/dev/null || true
	[ "$(jq -r .error.type sent.jsonl)" = provider_unavailable ]
	run -1 --separate-stderr or-cost <sent.jsonl
	[ "$stderr" = "" ]
	[ "$(jq -c '[.error.type, .cost.source, .cost.usd == .response.usage.cost, .cost.usd > 0]' <<<"$output")" = '["provider_unavailable","generation",true,true]' ]
}

@test "records without a response, or with a cost, pass byte for byte" {
	fake_start
	printf '%s\n' '{"prompt":"x","n":12345678901234567891}' \
	    '{"id":"e","error":{"type":"http","message":"no"}}' \
	    '{"response":{"id":"gen-1"},"cost":{"usd":1e-7,"source":"usage"}}' \
	    >in.jsonl
	run -1 --separate-stderr or-cost <in.jsonl
	assert_output "$(cat in.jsonl)"
	[ "$stderr" = "" ]
	[ "$(requests /generation)" -eq 0 ]
}

@test "a line that is not JSON becomes a bad_input record, exit 1" {
	run -1 --separate-stderr or-cost --no-generation <<<'{oops'
	[ "$(jq -r '.error.type + " " + (.error.line|tostring) + " " + .error.input' <<<"$output")" = "bad_input 1 {oops" ]
	[ "$stderr" = "or-cost: line 1: not a JSON object or string: Invalid numeric literal at EOF at column 5 (one object per line: jq -c; plain text: jq -cR '{prompt: .}')" ]
}

# --- estimates ---------------------------------------------------------

@test "--estimate: an upper bound from the catalog, max_tokens the bound" {
	fake_start
	# 40 bytes of text: 10 tokens, plus 4 for the one message
	printf '%s\n' '{"model":"openai/gpt-4o-mini","max_tokens":100,"prompt":"0123456789012345678901234567890123456789"}' >job.jsonl
	run -0 --separate-stderr or-cost --estimate <job.jsonl
	[ "$stderr" = "" ]
	# 14 x 0.00000015 + 100 x 0.0000006 = 0.0000021 + 0.00006
	assert_equal "$(jq -c .cost <<<"$output")" '{"usd":6.21e-05,"prompt_tokens":14,"completion_tokens":100,"images":0,"model":"openai/gpt-4o-mini","upper_bound":true,"source":"estimate"}'
	est=$(jq .cost.usd <<<"$output")
	# what it then cost is no more
	or-send <job.jsonl | or-cost >sent.jsonl
	[ "$(jq --argjson e "$est" '.cost.usd <= $e and .cost.completion_tokens <= 100' sent.jsonl)" = true ]
}

@test "--estimate: no max_tokens: the model's own output limit" {
	fake_start
	printf '%s\n' '{"model":"anthropic/claude-3.5-haiku","messages":[{"role":"system","content":"abcd"},{"role":"user","content":[{"type":"text","text":"abcdefgh"},{"type":"image_url","image_url":{"url":"x"}}]}]}' |
	    or-cost --estimate | jq -c .cost >out
	# 12 bytes: 3 tokens + 2 x 4; 8192 out; images priced 0 here
	assert_equal "$(cat out)" "$(jq -nc '{usd:((11 * 0.0000008 + 8192 * 0.000004) * 1e12 | round / 1e12),prompt_tokens:11,completion_tokens:8192,images:1,model:"anthropic/claude-3.5-haiku",upper_bound:false,source:"estimate"}')"
}

@test "--estimate: images at the catalog's per-image price" {
	fake_start
	printf '%s\n' '{"model":"openai/gpt-4o-mini","max_completion_tokens":10,"messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"a"}},{"type":"image_url","image_url":{"url":"b"}}]}]}' |
	    or-cost --estimate | jq -c '[.cost.usd, .cost.images]' >out
	# 4 x 0.00000015 + 10 x 0.0000006 + 2 x 0.000217
	[ "$(cat out)" = "$(jq -nc '[(4 * 0.00000015 + 10 * 0.0000006 + 2 * 0.000217) * 1e12 | round / 1e12, 2]')" ]
}

@test "--estimate: an unknown model, no model, a dynamic price: error records" {
	fake_start
	printf '%s\n' '{"model":"acme/nope-1","prompt":"x"}' '{"prompt":"x"}' \
	    '{"model":"openrouter/auto","prompt":"x"}' >in.jsonl
	run -1 --separate-stderr or-cost --estimate <in.jsonl
	[ "$(jq -c '[.error.type, .error.message, .cost]' <<<"$output")" = "$(printf '%s\n' \
	    '["bad_input","acme/nope-1 is not in the model catalog",null]' \
	    '["bad_input","no \"model\" to estimate for",null]' \
	    '["bad_input","openrouter/auto has no fixed price: it is decided per request",null]')" ]
	[ "$stderr" = "$(printf '%s\n' 'or-cost: line 1: acme/nope-1 is not in the model catalog' \
	    'or-cost: line 2: no "model" to estimate for' \
	    'or-cost: line 3: openrouter/auto has no fixed price: it is decided per request')" ]
}

# --- totals ------------------------------------------------------------

@test "--total: one record, sums exact against the hand-computed fixture" {
	run -1 --separate-stderr or-cost --total <"$C/costed.jsonl"
	[ "${#lines[@]}" -eq 1 ]
	assert_equal "$(jq -c '.total | del(.models, .providers)' <<<"$output")" '{"records":6,"requests":5,"failures":2,"prompt_tokens":147,"completion_tokens":1068,"reasoning_tokens":3,"cached_tokens":4,"usd":1.000012355679,"usd_by_source":{"generation":0.100012355679,"usage":0.2,"estimate":0.7,"cached":0}}'
	assert_equal "$(jq -c '.total.models | map_values([.records, .requests, .failures, .usd])' <<<"$output")" '{"openai/gpt-4o-mini":[3,3,0,1],"anthropic/claude-3.5-haiku":[2,2,1,1.2355679e-05],"(none)":[1,0,1,0]}'
	assert_equal "$(jq -c '.total.providers | map_values(.usd)' <<<"$output")" '{"OpenAI":0.1,"Azure":0.2,"Anthropic":1.2355679e-05,"(none)":0.7}'
}

@test "-t: the totals as a table" {
	run -1 --separate-stderr or-cost -t <"$C/costed.jsonl"
	assert_output "$(cat <<'T'
MODEL                       REQUESTS  FAILURES  PROMPT  COMPLETION             USD
openai/gpt-4o-mini                 3         0     140        1060        1.000000
anthropic/claude-3.5-haiku         2         1       7           8  0.000012355679
(none)                             0         1       0           0        0.000000

PROVIDER                    REQUESTS  FAILURES  PROMPT  COMPLETION             USD
OpenAI                             1         0      10          20        0.100000
Azure                              1         0      30          40        0.200000
Anthropic                          2         1       7           8  0.000012355679
(none)                             1         1     100        1000        0.700000

total                              5         2     147        1068  1.000012355679
T
)"
}

@test "or-send | or-cost --total: what the fake billed, in all" {
	fake_start
	answered a bb ccc >sent.jsonl
	run -0 --separate-stderr or-cost -s <sent.jsonl
	[ "$(jq .total.usd <<<"$output")" = "$(jq -s '[.[].response.usage.cost] | add * 1e12 | round / 1e12' sent.jsonl)" ]
	[ "$(jq .total.requests <<<"$output")" = 3 ]
}

# --- credits -------------------------------------------------------------

@test "credits: one record from /credits and /key" {
	fake_start
	answered hello >sent.jsonl
	spent=$(jq .response.usage.cost sent.jsonl)
	run -0 --separate-stderr or-cost credits
	[ "$stderr" = "" ]
	assert_equal "$output" "$(jq -nc --argjson u "$spent" '{total_credits:10,total_usage:$u,remaining:((10 - $u) * 1e12 | round / 1e12),limit:null,limit_remaining:null,limit_reset:null,usage:$u,usage_daily:$u,usage_weekly:$u,usage_monthly:$u,byok_usage:0,byok_usage_daily:0,byok_usage_weekly:0,byok_usage_monthly:0,is_free_tier:false}')"
}

@test "credits --min: exit 3 below the floor, 0 above it" {
	fake_start
	run -3 --separate-stderr or-cost credits --min 20
	[ "$stderr" = 'or-cost: remaining credit $10.00 is below --min $20.00' ]
	[ "$(jq .remaining <<<"$output")" = 10 ]
	run -0 --separate-stderr or-cost credits --min 5
	[ "$stderr" = "" ]
}

@test "credits: /credits refused to a non-management key: the key's figures" {
	fake_start
	fake "/credits status 403 message=Only%20management%20keys%20can%20perform%20this%20operation"
	run -0 --separate-stderr or-cost credits --min 5
	[ "$stderr" = "or-cost: /credits: Only management keys can perform this operation" ]
	[ "$(jq -c '[.total_credits, .remaining, .usage, .credits_error]' <<<"$output")" = '[null,null,0,"Only management keys can perform this operation"]' ]
}

@test "credits: both refused: an error record, exit 1" {
	fake_start
	fake "/credits status 401" "/key status 401"
	run -1 --separate-stderr or-cost credits
	[ "$(jq -c '[.error.type, .error.status, .error.message]' <<<"$output")" = '["http",401,"User not found."]' ]
}
