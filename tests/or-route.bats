#!/usr/bin/env bats
# or-route: the model for records that name none, and why.

load helper

teardown() {
	fake_stop
}

setup() {
	common_setup
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models.json" "$XDG_CACHE_HOME/orkit/models.json"
	RULES=$FIXTURES/route/rules.json
	export ORKIT_DB=$BATS_TEST_TMPDIR/log.db
	export -f picked
	cd "$BATS_TEST_TMPDIR"
}

# model, then each candidate as id:kept[:why].
picked() {
	jq -r '[.model, (.routed.candidates[]? | [.model, (.kept | tostring),
	    .why // empty] | join(":"))] | join(" ")'
}

# Rows in the log: MODEL STATUS LATENCY_MS AGO_MS, one a line.
seed() {
	or-log -d "$ORKIT_DB" </dev/null
	now=$(date +%s%3N)
	while read -r model status lat ago; do
		echo "INSERT INTO requests(ts, model, served, status, latency_ms, record) VALUES ($((now - ago)), '$model', '$model', '$status', $lat, '{}');"
	done | sqlite3 "$ORKIT_DB"
}

rows() {
	local i
	for i in $(seq "$1"); do echo "$2"; done
}

# --- usage -----------------------------------------------------------

@test "--version, --help, and usage errors exit 2 with one line" {
	run -0 or-route --version
	assert_output --regexp '^or-route [0-9]'
	run -0 or-route --help
	assert_line --index 0 'usage: or-route [options] < records'
	# suggest's every flag, on the lines after.
	assert_line --index 1 '       or-route suggest [-t] [-d db] [--since when] [--until when] [--limit n]'
	assert_line --index 2 '                        [--max-age age] [--refresh]'
	[ "${#lines[@]}" -lt 40 ]
	[ -z "$(awk 'length > 79' <<<"$output")" ]
	assert_line 'Health, from or-log'"'"'s log:'
	# A mistake: what is wrong, then one usage line.
	local use='usage: or-route [--task t] [--priority p] [--rules file] [--free] [--max-price p[/c]] [--need cap,...] [--min-context n] [--fallbacks n] [--spread[=tol]] [--auto] [--force] [-d db] [--history age | --no-history] [--sort key] < records | or-route suggest ...'
	run -2 --separate-stderr or-route --seed
	[ "$stderr" = "or-route: option '--seed' requires an argument
$use" ]
	run -2 --separate-stderr or-route --priority fast
	[ "$stderr" = "or-route: --priority wants cost, speed, quality or balanced
$use" ]
	run -2 --separate-stderr or-route jobs.jsonl
	[ "$stderr" = "or-route: or-route reads records on its standard input
$use" ]
	run -2 --separate-stderr or-route --fallbacks 11
	[ "${stderr%%$'\n'*}" = "or-route: --fallbacks wants a number from 0 to 10" ]
	run -2 --separate-stderr or-route --max-failure-rate 2
	[ "${stderr%%$'\n'*}" = "or-route: --max-failure-rate wants a share: 0.2 or 20%" ]
	run -2 --separate-stderr or-route --task nosuch </dev/null
	[ "$stderr" = "or-route: --task: 'nosuch' is not in the routing table" ]
	run -2 --separate-stderr or-route --need teleport </dev/null
	[[ "$stderr" == "or-route: --need: unknown capability 'teleport'; known: tools,"* ]]
}

# --- the installed table ------------------------------------------------

@test "the installed table: task by priority, the record's own task and priority over the flags" {
	run -0 --separate-stderr bash -c 'printf "%s\n" "{\"prompt\":\"Say hi\"}" \
	    "{\"prompt\":\"Say hi\",\"task\":\"code\",\"priority\":\"quality\"}" \
	    "{\"prompt\":\"Say hi\",\"priority\":\"speed\"}" | or-route --no-history'
	[ "$stderr" = "" ]
	[ "$(jq -r '[.model, .routed.strategy, .routed.task, .routed.priority] | join(" ")' <<<"$output")" = "openai/gpt-4o-mini rules chat balanced
anthropic/claude-sonnet-4 rules code quality
google/gemini-2.0-flash-001:nitro rules chat speed" ]
	run -0 bash -c 'echo "{\"prompt\":\"x\",\"task\":\"code\"}" | or-route --no-history --task chat --priority cost | jq -r .model'
	assert_output "qwen/qwen-2.5-coder-32b-instruct:floor"
}

@test "routed: the constraints applied and each candidate with its estimate" {
	run -0 bash -c 'echo "{\"prompt\":\"Say hi\",\"max_tokens\":100}" | or-route --no-history --rules "$0" --priority cost' "$RULES"
	assert_output '{"prompt":"Say hi","max_tokens":100,"model":"deepseek/deepseek-r1-distill-qwen-32b:floor","routed":{"strategy":"rules","task":"chat","priority":"cost","constraints":{"context":106,"output":100},"candidates":[{"model":"deepseek/deepseek-r1-distill-qwen-32b","kept":true,"usd":0.00001872},{"model":"meta-llama/llama-3.3-70b-instruct","kept":true,"usd":0.00002542}]}}'
}

# --- records that go by ------------------------------------------------

@test "a record that names its model, an error record and a line that is not JSON go by; --force routes a named one" {
	printf '%s\n' '{"model":"x/y","prompt":"a",  "n":1.50}' \
	    '{"models":["x/y"],"prompt":"b"}' \
	    '{"prompt":"c","error":{"type":"timeout","message":"m"}}' >in
	run -0 bash -c 'or-route --no-history <in | cmp - in && echo same'
	assert_output same
	run -1 --separate-stderr bash -c 'echo "not json" | or-route --no-history'
	[ "$(jq -r .error.type <<<"$output")" = bad_input ]
	run -0 --separate-stderr bash -c 'head -1 in | or-route --no-history --force --rules "$0" | jq -r .model' "$RULES"
	assert_output "openai/gpt-4o-mini"
}

@test "a null or empty model, and a null or empty models list, name no model: the record is routed" {
	printf '%s\n' '{"id":1,"model":null,"prompt":"a"}' '{"id":2,"model":"","prompt":"a","n":1.50}' \
	    '{"id":3,"models":null,"prompt":"a"}' '{"id":4,"model":null,"models":[ ],"prompt":"a"}' \
	    '{"id":5,"model":"x/y","models":null,"prompt":"a"}' \
	    '{"id":6,"model":null,"messages":[{"role":"user","content":"a"}]}' >in
	run -0 --separate-stderr bash -c 'or-route --no-history <in | jq -c "[.id, .model, .models, .routed.strategy]"'
	assert_output '[1,"openai/gpt-4o-mini",null,"rules"]
[2,"openai/gpt-4o-mini",null,"rules"]
[3,"openai/gpt-4o-mini",null,"rules"]
[4,"openai/gpt-4o-mini",null,"rules"]
[5,"x/y",null,null]
[6,"openai/gpt-4o-mini",null,"rules"]'
	# The empty ones go, the record's other bytes stay; one that names
	# a model goes by byte for byte.
	run -0 bash -c 'or-route --no-history <in | sed -n "2p;5p" | cut -c1-60'
	assert_output '{"id":2,"prompt":"a","n":1.50,"model":"openai/gpt-4o-mini","
{"id":5,"model":"x/y","models":null,"prompt":"a"}'
	[ "$stderr" = "" ]
}

@test "a record's task or priority that is not a string, or names none there is, is a bad_input error record; null is none" {
	printf '%s\n' '{"id":1,"prompt":"a","task":5}' '{"id":2,"prompt":"a","priority":5}' \
	    '{"id":3,"prompt":"a","task":["code"]}' '{"id":4,"prompt":"a","task":"nosuch"}' \
	    '{"id":5,"prompt":"a","priority":"fast"}' '{"id":6,"prompt":"a","task":null,"priority":null}' \
	    '{"id":7,"messages":[{"role":"user","content":"a"}],"task":{"a":1}}' >in
	run -1 --separate-stderr bash -c 'set -o pipefail; or-route --no-history <in | jq -c "[.id, .model, .error.type, .error.message]"'
	assert_output '[1,null,"bad_input","task wants a task of the routing table, or auto"]
[2,null,"bad_input","priority wants cost, speed, quality or balanced"]
[3,null,"bad_input","task wants a task of the routing table, or auto"]
[4,null,"bad_input","task '"'"'nosuch'"'"' is not in the routing table"]
[5,null,"bad_input","priority wants cost, speed, quality or balanced"]
[6,"openai/gpt-4o-mini",null,null]
[7,null,"bad_input","task wants a task of the routing table, or auto"]'
	# Each said on stderr, named by its id as the other tools name records.
	[ "$stderr" = "or-route: 1: task wants a task of the routing table, or auto
or-route: 2: priority wants cost, speed, quality or balanced
or-route: 3: task wants a task of the routing table, or auto
or-route: 4: task 'nosuch' is not in the routing table
or-route: 5: priority wants cost, speed, quality or balanced
or-route: 7: task wants a task of the routing table, or auto" ]
}

@test "the same input, catalog and history route the same way" {
	jq -nc 'range(50) | {id: ., prompt: "question \(.)", priority: (["cost","speed","quality","balanced"][. % 4])}' >in
	or-route --no-history <in >a
	or-route --no-history <in >b
	[ "$(cmp a b && echo same)" = same ]
	[ "$(jq -s 'map(.id) == [range(50)]' a)" = true ]
}

# --- constraints -------------------------------------------------------

@test "a candidate missing from the catalog is skipped with one warning, however many records" {
	run -0 --separate-stderr bash -c 'printf "{\"prompt\":\"a\"}\n{\"prompt\":\"b\"}\n" | or-route --no-history --rules "$0" | picked' "$RULES"
	assert_output "openai/gpt-4o-mini nope/not-a-model:false:missing openai/gpt-4o-mini:true
openai/gpt-4o-mini nope/not-a-model:false:missing openai/gpt-4o-mini:true"
	[ "$stderr" = "or-route: nope/not-a-model: not in the model catalog; skipped where a rule names it" ]
}

@test "--need drops a candidate without the capability, and says why" {
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules "$0" --priority cost --need tools | picked' "$RULES"
	assert_output "meta-llama/llama-3.3-70b-instruct:floor deepseek/deepseek-r1-distill-qwen-32b:false:capability meta-llama/llama-3.3-70b-instruct:true"
}

@test "each constraint drops the candidates that fail it, with its name" {
	while IFS='|' read -r flags want; do
		got=$(echo '{"prompt":"a","max_tokens":10}' | or-route --no-history --rules "$RULES" --priority cost $flags 2>/dev/null |
		    jq -r '[.routed.strategy, (.routed.candidates[:2][] | .why // "kept")] | join(" ")')
		[ "$got" = "$want" ] || fail "$flags: got '$got', want '$want'"
	done <<-'EOF'
	--max-price /0.2|rules kept price
	--max-price 0.1|rules price kept
	--free|catalog free free
	--need tools|rules capability kept
	--min-context 200000|catalog context context
	--modality image|catalog modality modality
	--modality text->text|rules kept kept
	EOF
}

@test "the record's own needs: function tools, response_format and image parts drop the models without them" {
	echo '{"tasks":{"chat":{"cost":["qwen/qwen3-8b","arcee-ai/virtuoso-large","qwen/qwen3-30b-a3b","meta-llama/llama-4-scout"]}}}' >needs.json
	# qwen3-8b takes none; virtuoso-large response_format but neither
	# tools nor structured_outputs; qwen3-30b-a3b all but images;
	# llama-4-scout images too.
	[ "$(jq -c '[.data[] | select(.id == "qwen/qwen3-8b" or .id == "arcee-ai/virtuoso-large" or .id == "qwen/qwen3-30b-a3b" or .id == "meta-llama/llama-4-scout") | [.id, (.supported_parameters | map(select(. == "tools" or . == "response_format" or . == "structured_outputs"))), .architecture.input_modalities]] | sort' "$FIXTURES/models.json")" = '[["arcee-ai/virtuoso-large",["response_format"],["text"]],["meta-llama/llama-4-scout",["response_format","tools","structured_outputs"],["text","image"]],["qwen/qwen3-30b-a3b",["tools","response_format","structured_outputs"],["text"]],["qwen/qwen3-8b",[],["text"]]]' ]
	F='{"type":"function","function":{"name":"f","parameters":{}}}'
	jq -nc --argjson f "$F" '
	    {prompt: "a"},
	    {prompt: "a", tools: [$f]},
	    {prompt: "a", tools: [{type: "openrouter:web_search"}]},
	    {prompt: "a", response_format: {type: "json_object"}},
	    {prompt: "a", response_format: {type: "json_schema", json_schema: {name: "x", schema: {}}}},
	    {prompt: "a", response_format: {type: "text"}},
	    {messages: [{role: "user", content: [{type: "text", text: "what is it"}, {type: "image_url", image_url: {url: "data:image/png;base64,AA=="}}]}]},
	    {messages: [{role: "user", content: "a"}], tools: [$f], response_format: {type: "json_object"}}' >in
	run -0 --separate-stderr bash -c 'or-route --no-history --rules needs.json --priority cost <in | jq -r "[.model, (.routed.constraints.request_needs // [] | join(\",\")), (.routed.candidates | map(.why // \"kept\") | join(\",\"))] | join(\" \")"'
	assert_output - <<'EOF2'
qwen/qwen3-8b:floor  kept,kept,kept,kept
qwen/qwen3-30b-a3b:floor tools capability,capability,kept,kept
qwen/qwen3-8b:floor  kept,kept,kept,kept
arcee-ai/virtuoso-large:floor json capability,kept,kept,kept
qwen/qwen3-30b-a3b:floor structured capability,capability,kept,kept
qwen/qwen3-8b:floor  kept,kept,kept,kept
meta-llama/llama-4-scout:floor image capability,capability,capability,kept
qwen/qwen3-30b-a3b:floor tools,json capability,capability,kept,kept
EOF2
	[ "$stderr" = "" ]
	# When the rule keeps none, the catalog's choice meets them too.
	echo '{"tasks":{"chat":{"cost":["qwen/qwen3-8b"]}}}' >needs.json
	run -0 --separate-stderr bash -c 'sed -n 7p in | or-route --no-history --rules needs.json --priority cost | jq -r "[.routed.strategy, .model] | join(\" \")"'
	read -r strategy model <<<"$output"
	[ "$strategy" = catalog ]
	[ "$(jq -r --arg id "${model%:floor}" '.data[] | select(.id == $id) | .architecture.input_modalities | index("image") != null' "$FIXTURES/models.json")" = true ]
}

@test "a long prompt goes to a model that can hold it" {
	jq -nc '{prompt: ([range(60000)] | map("word") | join(" ")), task: "long"}' >in
	run -0 bash -c 'or-route --no-history --rules "$0" <in | picked' "$RULES"
	assert_output "google/gemini-2.0-flash-001 mistralai/mistral-small-24b-instruct-2501:false:context google/gemini-2.0-flash-001:true"
	# --no-context does not count it.
	run -0 bash -c 'or-route --no-history --no-context --rules "$0" <in | jq -r .model' "$RULES"
	assert_output "mistralai/mistral-small-24b-instruct-2501"
}

@test "max_tokens over a model's known maximum output drops it (output), said in constraints; --no-context keeps it" {
	[ "$(jq -r '.data[] | select(.id == "openai/gpt-4o-mini") | .top_provider.max_completion_tokens' "$FIXTURES/models.json")" = 16384 ]
	[ "$(jq -r '.data[] | select(.id == "google/gemini-2.0-flash-001") | .top_provider.max_completion_tokens' "$FIXTURES/models.json")" = 8192 ]
	run -0 --separate-stderr bash -c 'printf "%s\n" "{\"prompt\":\"a\",\"max_tokens\":20000}" \
	    "{\"prompt\":\"a\",\"max_completion_tokens\":20000,\"max_tokens\":10}" \
	    "{\"prompt\":\"a\",\"max_tokens\":16384}" | or-route --no-history | picked'
	assert_output "deepseek/deepseek-chat-v3-0324 openai/gpt-4o-mini:false:output google/gemini-2.0-flash-001:false:output deepseek/deepseek-chat-v3-0324:true
deepseek/deepseek-chat-v3-0324 openai/gpt-4o-mini:false:output google/gemini-2.0-flash-001:false:output deepseek/deepseek-chat-v3-0324:true
openai/gpt-4o-mini openai/gpt-4o-mini:true google/gemini-2.0-flash-001:false:output deepseek/deepseek-chat-v3-0324:true"
	[ "$stderr" = "" ]
	run -0 bash -c 'echo "{\"prompt\":\"a\",\"max_tokens\":20000}" | or-route --no-history | jq -c .routed.constraints'
	assert_output '{"context":20005,"output":20000}'
	run -0 bash -c 'echo "{\"prompt\":\"a\",\"max_tokens\":20000}" | or-route --no-history --no-context | jq -c "[.model, .routed.constraints]"'
	assert_output '["openai/gpt-4o-mini",{}]'
}

@test "when the rule keeps none, the catalog: --free takes a free model, cost the cheapest" {
	run -0 bash -c 'echo "{\"prompt\":\"a\",\"max_tokens\":10}" | or-route --no-history --rules "$0" --priority cost --max-price 0.05/0.1' "$RULES"
	[ "$(jq -r '[.routed.strategy, (.routed.candidates | map(.why // "kept") | join(","))] | join(" ")' <<<"$output")" = "catalog price,price,kept" ]
	# The cheapest under the price is a free one (0 USD), the first by id.
	free=$(jq -r '[.data[] | select(.pricing.prompt == "0" and .pricing.completion == "0" and .context_length >= 11) | .id] | sort | first' "$FIXTURES/models.json")
	[ "$(jq -r '.model' <<<"$output")" = "$free" ]
	# Balanced ranks the catalog by the table's quality lists, then by
	# context: the free model with the largest.
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules "$0" --free | jq -r "[.model, .routed.strategy] | join(\" \")"' "$RULES"
	want=$(jq -r '[.data[] | select((.pricing.prompt == "0" and .pricing.completion == "0") or (.id | endswith(":free")))] | sort_by(-(.context_length / 1000 | floor), .id) | first | .id' "$FIXTURES/models.json")
	assert_output "$want catalog"
}

@test "nothing fits: a no_route error naming the constraint that left none, exit 1" {
	run -1 --separate-stderr bash -c 'echo "{\"id\":7,\"prompt\":\"a\"}" | or-route --no-history --free --min-context 5000000'
	assert_output '{"id":7,"prompt":"a","error":{"tool":"or-route","type":"no_route","message":"no model fits: the context constraint left none of the 321 in the catalog","retryable":false}}'	[ "$stderr" = "or-route: 7: no model fits: the context constraint left none of the 321 in the catalog" ]
	# The first ten said one by one (by id, else line), the rest counted.
	{ echo '{"prompt":"a"}'; echo; jq -nc 'range(2; 14) | {id: "j\(.)", prompt: "a"}'; } >in
	run -0 --separate-stderr bash -c 'or-route --no-history --min-context 99999999 <in | jq -r .error.type | uniq -c'
	assert_output '     13 no_route'
	msg="no model fits: the context constraint left none of the 321 in the catalog"
	[ "$stderr" = "or-route: line 1: $msg
or-route: j2: $msg
or-route: j3: $msg
or-route: j4: $msg
or-route: j5: $msg
or-route: j6: $msg
or-route: j7: $msg
or-route: j8: $msg
or-route: j9: $msg
or-route: j10: $msg
or-route: 3 more records not routed, 13 in all; each says why in its error" ] || fail "$stderr"
	# A record libjv reads (messages) is said the same way.
	run -1 --separate-stderr bash -c 'printf "\n\n%s\n" "{\"messages\":[{\"role\":\"user\",\"content\":\"a\"}]}" | or-route --no-history --min-context 99999999 >/dev/null'
	[ "$stderr" = "or-route: line 3: $msg" ]
}

# --- what it writes ------------------------------------------------------

@test "--fallbacks N: the chain's models that fit, then the rule's, as OpenRouter's models array" {
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules "$0" --priority cost --fallbacks 2 | jq -c "[.model, .models]"' "$RULES"
	assert_output '["deepseek/deepseek-r1-distill-qwen-32b:floor",["deepseek/deepseek-r1-distill-qwen-32b:floor","mistralai/mistral-nemo:floor","openai/gpt-4o-mini:floor"]]'
	[ "$stderr" = "or-route: nope/not-a-model: not in the model catalog; skipped where a rule names it" ]
	# One id the start of another is not the same model.
	echo '{"tasks": {"chat": {"quality": ["openai/gpt-4o"]}}, "fallbacks": {"openai/gpt-4o": ["openai/gpt-4o-mini", "openai/gpt-4o", "openai/gpt-4o-mini"]}}' >fb.json
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules fb.json --priority quality --fallbacks 3 | jq -c .models'
	assert_output '["openai/gpt-4o","openai/gpt-4o-mini"]'
	echo '{"tasks": {"chat": {"quality": ["openai/gpt-4o-mini"]}}, "fallbacks": {"openai/gpt-4o-mini": ["openai/gpt-4o-mini-2024-07-18", "openai/gpt-4o"]}}' >fb.json
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules fb.json --priority quality --fallbacks 2 | jq -c .models'
	assert_output '["openai/gpt-4o-mini","openai/gpt-4o-mini-2024-07-18","openai/gpt-4o"]'
	# A variant of "" is none.
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules "$0" --priority speed | jq -r .model' "$RULES"
	assert_output "mistralai/mistral-nemo"
}

@test "--fallbacks: a chain's model missing from the catalog is skipped with one warning each, however many records" {
	echo '{"tasks": {"chat": {"quality": ["openai/gpt-4o"]}}, "fallbacks": {"openai/gpt-4o": ["nope/one", "openai/gpt-4o-mini", "nope/two", "nope/one"]}}' >fb.json
	run -0 --separate-stderr bash -c 'printf "{\"prompt\":\"a\"}\n{\"prompt\":\"bb\"}\n{\"prompt\":\"ccc\"}\n" | or-route --no-history --rules fb.json --priority quality --fallbacks 2 | jq -c .models'
	assert_output '["openai/gpt-4o","openai/gpt-4o-mini"]
["openai/gpt-4o","openai/gpt-4o-mini"]
["openai/gpt-4o","openai/gpt-4o-mini"]'
	[ "$stderr" = "or-route: nope/one: not in the model catalog; skipped where a rule names it
or-route: nope/two: not in the model catalog; skipped where a rule names it" ]
}

@test "provider preferences: --order, --sort, --only, --ignore, --data-collection, --zdr, --max-price" {
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --sort throughput --only deepinfra,together --ignore azure --data-collection deny --zdr --max-price 1/2 | jq -c .provider'
	assert_output '{"sort":"throughput","only":["deepinfra","together"],"ignore":["azure"],"data_collection":"deny","zdr":true,"max_price":{"prompt":1,"completion":2}}'
	run -0 bash -c 'printf "{\"prompt\":\"a\"}\n{\"prompt\":\"b\",\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}\n" | or-route --no-history --order together,deepinfra --order fireworks | jq -c .provider'
	assert_output '{"order":["together","deepinfra","fireworks"]}
{"order":["together","deepinfra","fireworks"]}'
}

@test "a record's own provider keys are kept, the flags' added, the record's winning; --force replaces or removes a stale models list" {
	printf '%s\n' '{"prompt":"a","provider":{"order":["z"]}}' \
	    '{"prompt":"a","provider":{"order":["z"],"sort":"latency","n":1.50}}' \
	    '{"prompt":"a","provider":"x"}' >in
	run -0 --separate-stderr bash -c 'or-route --no-history --sort price --zdr <in | jq -c .provider'
	assert_output '{"order":["z"],"sort":"price","zdr":true}
{"order":["z"],"sort":"latency","n":1.5,"zdr":true}
"x"'
	# Nothing to add: the record's provider goes by as it was.
	run -0 --separate-stderr bash -c 'sed -n 2p in | or-route --no-history --sort price | grep -o "\"provider\":{[^}]*}"'
	assert_output '"provider":{"order":["z"],"sort":"latency","n":1.50}'
	printf '%s\n' '{"models":["a/b","c/d"],"prompt":"a","n":1.50}' \
	    '{"model":"x/y","models":["a/b"],"prompt":"a"}' >in
	run -0 --separate-stderr bash -c 'or-route --no-history --force <in | jq -c "[.model, .models]"'
	assert_output '["openai/gpt-4o-mini",null]
["openai/gpt-4o-mini",null]'
	run -0 --separate-stderr bash -c 'or-route --no-history --force --fallbacks 1 <in | jq -c "[.model, .models]"'
	assert_output '["openai/gpt-4o-mini",["openai/gpt-4o-mini","google/gemini-2.0-flash-001"]]
["openai/gpt-4o-mini",["openai/gpt-4o-mini","google/gemini-2.0-flash-001"]]'
	# The record's other bytes are kept as they came.
	run -0 --separate-stderr bash -c 'head -1 in | or-route --no-history --force | cut -c1-55'
	assert_output '{"prompt":"a","n":1.50,"model":"openai/gpt-4o-mini","ro'
}

@test "--auto sets openrouter/auto, with the provider flags' object, and needs no catalog" {
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --auto'
	assert_output '{"prompt":"a","model":"openrouter/auto","routed":{"strategy":"auto"}}'
	run -0 --separate-stderr bash -c 'printf "%s\n" "{\"prompt\":\"a\"}" "{\"prompt\":\"b\",\"provider\":{\"sort\":\"latency\"}}" | or-route --auto --sort price --zdr --only openai'
	assert_output '{"prompt":"a","model":"openrouter/auto","routed":{"strategy":"auto"},"provider":{"sort":"price","only":["openai"],"zdr":true}}
{"prompt":"b","model":"openrouter/auto","routed":{"strategy":"auto"},"provider":{"sort":"latency","only":["openai"],"zdr":true}}'
	[ "$stderr" = "" ]
	# No cache, no network: every record still routed.
	rm "$XDG_CACHE_HOME/orkit/models.json"
	printf '%s\n' '{"id":1,"prompt":"a"}' '{"id":2,"model":"x/y","prompt":"b"}' >in
	run -0 --separate-stderr or-route --auto <in
	assert_output '{"id":1,"prompt":"a","model":"openrouter/auto","routed":{"strategy":"auto"}}
{"id":2,"model":"x/y","prompt":"b"}'
	[ "$stderr" = "" ]
	[ ! -e "$XDG_CACHE_HOME/orkit/models.json" ]
}

@test "--auto with a constraint on the catalog, or a choice it does not make, is a usage error, one line, exit 2" {
	for flag in --free "--max-price 1/2" "--need tools" "--min-context 8000" "--modality image" \
	    "--fallbacks 0" "--fallbacks 2" --spread --spread=5% "--task code" "--task auto" "--priority cost"; do
		run -2 --separate-stderr or-route --auto $flag </dev/null
		assert_output ''
		f=${flag%% *}
		[ "${stderr_lines[0]}" = "or-route: ${f%%=*} cannot apply with --auto: openrouter/auto chooses the model itself" ] ||
		    fail "$flag: $stderr"
		[[ ${stderr_lines[1]} == "usage: or-route "* ]] && [ "${#stderr_lines[@]}" -eq 2 ]
	done
}

@test "--auto: a record's task or priority that cannot be read is a bad_input error record, said; one that can is let be" {
	printf '%s\n' '{"id":1,"prompt":"a","task":5}' '{"id":2,"prompt":"a","priority":"fast"}' \
	    '{"id":3,"prompt":"a","task":"nosuch","provider":{"a":1}}' '{"id":4,"prompt":"a","task":"code","priority":"cost"}' \
	    '{"id":5,"prompt":"a","task":"auto","priority":null}' >in
	run -1 --separate-stderr bash -c 'set -o pipefail; or-route --auto --zdr <in | jq -c "[.id, .model, .error.type, .provider]"'
	assert_output '[1,null,"bad_input",null]
[2,null,"bad_input",null]
[3,null,"bad_input",{"a":1}]
[4,"openrouter/auto",null,{"zdr":true}]
[5,"openrouter/auto",null,{"zdr":true}]'
	[ "$stderr" = "or-route: 1: task wants a task of the routing table, or auto
or-route: 2: priority wants cost, speed, quality or balanced
or-route: 3: task 'nosuch' is not in the routing table" ]
}

# --- task auto ---------------------------------------------------------

@test "--task auto: the first rule that fires names the task, and routed says which" {
	jq -nc '
	    {prompt: "Fix this:\n```\nint main() {}\n```"},
	    {messages: [{role: "user", content: [{type: "text", text: "what is this"}, {type: "image_url", image_url: {url: "data:image/png;base64,AAAA"}}]}]},
	    {prompt: "Please translate this into French"},
	    {prompt: "Extract the name and date fields as JSON"},
	    {prompt: ([range(40000)] | map("lorem") | join(" "))},
	    {prompt: "Hello there"},
	    {prompt: "Hello", task: "auto", priority: "cost"}' >in
	run -0 bash -c 'or-route --no-history --task auto <in | jq -r "[.routed.task, .routed.task_rule] | join(\" \")"'
	assert_output "code code-fence
vision image-parts
translation translate-words
extraction extract-words
summarization long-document
chat default
chat default"
}

@test "--task auto: words match in any case for accented, Greek and Cyrillic letters too, not inside a longer word, whatever the locale" {
	printf '%s\n' '{"prompt":"Übersetze das bitte"}' '{"prompt":"«ÜBERSETZE» das"}' \
	    '{"prompt":"Nicht übersetzen"}' '{"prompt":"TRANSLATE it"}' '{"prompt":"éjson"}' \
	    '{"messages":[{"role":"user","content":"ÜberSetze"}]}' '{"prompt":"ΠΕΡΊΛΗΨΗ, ПЕРЕВЕДИ"}' >in
	echo '{"auto": [{"rule": "greek", "task": "summarization", "words": ["περίληψη"]}, {"rule": "ru", "task": "translation", "words": ["переведи"]}]}' >u.json
	want='translation translate-words
translation translate-words
chat default
translation translate-words
chat default
translation translate-words
summarization greek'
	for loc in C C.UTF-8; do
		run -0 bash -c 'LC_ALL=$0 or-route --no-history --task auto --rules u.json <in | jq -r "[.routed.task, .routed.task_rule] | join(\" \")"' "$loc"
		assert_output "$want"
	done
}

# --- rules files ---------------------------------------------------------

@test "a rules file's mistakes are named by file and key" {
	check() {
		printf '%s' "$1" >bad.json
		run -2 --separate-stderr or-route --rules bad.json </dev/null
		[ "$stderr" = "or-route: bad.json: $2" ] || fail "got: $stderr"
	}
	check '{"tasks": ' "not JSON: Unfinished JSON term at EOF at line 1, column 10"
	check '[]' ".: wants an object: tasks, default_task, fallbacks, variants, auto"
	check '{"task": {}}' "task: is not a key of a routing table: tasks, default_task, fallbacks, variants, auto"
	check '{"tasks": {"code": {"cost": ["a/b", 3]}}}' "tasks.code.cost[1]: wants a model id (a string)"
	check '{"tasks": {"code": {"cheap": ["a/b"]}}}' "tasks.code.cheap: is not a priority: cost, speed, quality or balanced"
	check '{"tasks": {"code": {"cost": []}}}' "tasks.code.cost: wants a non-empty array of model ids"
	check '{"variants": {"cost": "floor"}}' "variants.cost: wants a suffix such as \":floor\", or \"\" for none"
	check '{"auto": [{"rule": "r", "words": ["x"]}]}' "auto[0]: wants a \"rule\" (its name) and a \"task\""
	check '{"auto": [{"rule": "r", "task": "code", "regex": "x"}]}' "auto[0].regex: is not a key of a task rule: rule, task, contains, words, image, min_tokens"
	check '{"auto": [{"rule": "r", "task": "code"}]}' "auto[0]: wants a condition: contains, words, image (true) or min_tokens"
	check '{"auto": [{"rule": "r", "task": "code", "image": false, "words": []}]}' "auto[0]: wants a condition: contains, words, image (true) or min_tokens"
	# Names are checked once every file is read: a task may be another's.
	check '{"default_task": "nosuch"}' "default_task: 'nosuch' is not a task of the table"
	check '{"auto": [{"rule": "a", "task": "code", "words": ["x"]}, {"rule": "b", "task": "nosuch", "min_tokens": 9}]}' "auto[1].task: 'nosuch' is not a task of the table"
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"default_task": "poetry", "auto": [{"rule": "p", "task": "poetry", "words": ["poem"]}]}' >"$XDG_CONFIG_HOME/orkit/routes.json"
	echo '{"tasks": {"poetry": {"balanced": ["openai/gpt-4o"]}}}' >more.json
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a poem\"}" | or-route --no-history --rules more.json --task auto | jq -r "[.model, .routed.task_rule] | join(\" \")"'
	assert_output "openai/gpt-4o p"
	run -2 --separate-stderr or-route --no-history </dev/null
	[ "$stderr" = "or-route: $XDG_CONFIG_HOME/orkit/routes.json: default_task: 'poetry' is not a task of the table" ]
	echo '{"default_task": "chat", "auto": [{"rule": "p", "task": "poetry", "words": ["poem"]}]}' >"$XDG_CONFIG_HOME/orkit/routes.json"
	run -2 --separate-stderr or-route --no-history </dev/null
	[ "$stderr" = "or-route: $XDG_CONFIG_HOME/orkit/routes.json: auto[0].task: 'poetry' is not a task of the table" ]
	run -2 --separate-stderr or-route --rules nothere.json </dev/null
	[ "$stderr" = "or-route: nothere.json: No such file or directory" ]
}

@test "\$XDG_CONFIG_HOME/orkit/routes.json extends the installed table, --rules extends both" {
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"tasks": {"chat": {"balanced": ["openai/gpt-4o"]}, "poetry": {"balanced": ["anthropic/claude-opus-4"]}}}' >"$XDG_CONFIG_HOME/orkit/routes.json"
	run -0 bash -c 'printf "{\"prompt\":\"a\"}\n{\"prompt\":\"a\",\"task\":\"poetry\"}\n{\"prompt\":\"a\",\"task\":\"code\"}\n" | or-route --no-history | jq -r .model'
	assert_output "openai/gpt-4o
anthropic/claude-opus-4
anthropic/claude-sonnet-4"
	echo '{"tasks": {"poetry": {"balanced": ["openai/gpt-4o-mini"]}}}' >more.json
	run -0 bash -c 'echo "{\"prompt\":\"a\",\"task\":\"poetry\"}" | or-route --no-history --rules more.json | jq -r .model'
	assert_output "openai/gpt-4o-mini"
}

# --- history -------------------------------------------------------------

@test "history: priority speed takes the model measured fastest in the log" {
	{ rows 20 "mistralai/mistral-nemo ok 900 3600000"; rows 20 "openai/gpt-4o-mini ok 300 3600000"; } | seed
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules "$0" --priority speed | jq -c "[.model, [.routed.candidates[] | [.model, .p50_ms]]]"' "$RULES"
	assert_output '["openai/gpt-4o-mini",[["mistralai/mistral-nemo",900],["openai/gpt-4o-mini",300]]]'
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules "$0" --priority speed | jq -r .model' "$RULES"
	assert_output "mistralai/mistral-nemo"
}

@test "priority speed with no history: rule order; from the catalog, the table's speed lists in order, then by id; measured ones first" {
	# The fixture catalog, as GET /models, has no throughput figure.
	[ "$(jq '[.data[] | [paths | map(tostring) | join(".")] | any(test("throughput|latency"))] | any' "$FIXTURES/models.json")" = false ]
	echo '{"tasks":{"chat":{"speed":["nope/x"]}}}' >s.json
	# Under 0.08/0.3 per 1M: not gemini-2.0-flash-001 nor gpt-4o-mini
	# (extraction's speed list), but mistral-nemo (classification's).
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules s.json --priority speed --max-price 0.08/0.3 | jq -r "[.model, .routed.strategy] | join(\" \")"'
	assert_output "mistralai/mistral-nemo:nitro catalog"
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules s.json --priority speed --max-price 0.2/0.5 | jq -r .model'
	assert_output "google/gemini-2.0-flash-001:nitro"
	# None ranked: the first by id (a :free id takes no variant).
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --no-history --rules s.json --priority speed --free | jq -r .model'
	assert_output "$(jq -r '[.data[] | select((.pricing.prompt == "0" and .pricing.completion == "0") or (.id | endswith(":free"))) | .id] | sort | first' "$FIXTURES/models.json")"
	# A model measured in the log comes before the ranked ones.
	rows 20 "qwen/qwen3-8b ok 300 3600000" | seed
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules s.json --priority speed --max-price 0.08/0.3 | jq -r .model'
	assert_output "qwen/qwen3-8b:nitro"
}

@test "history: --db names the log, --history how far back it is read; -V" {
	run -0 or-route -V
	assert_output "or-route $(cat "$TOP/VERSION")"
	{ rows 20 "mistralai/mistral-nemo ok 900 259200000"; rows 20 "openai/gpt-4o-mini ok 300 259200000"; } | seed
	mv "$ORKIT_DB" "$BATS_TEST_TMPDIR/other.db"
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --db "$1" --history 7d --rules "$0" --priority speed | jq -r .model' "$RULES" "$BATS_TEST_TMPDIR/other.db"
	assert_output "openai/gpt-4o-mini"
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --db "$1" --history 1d --rules "$0" --priority speed | jq -r .model' "$RULES" "$BATS_TEST_TMPDIR/other.db"
	assert_output "mistralai/mistral-nemo"
}

@test "history: a model failing recently is skipped as unhealthy, and taken again once the cool-down has passed" {
	{ rows 8 "openai/gpt-4o-mini ok 300 60000"; rows 4 "openai/gpt-4o-mini timeout 300 60000"; } | seed
	echo '{"tasks": {"chat": {"quality": ["openai/gpt-4o-mini", "openai/gpt-4o"]}}}' >q.json
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality | picked'
	assert_output "openai/gpt-4o openai/gpt-4o-mini:false:unhealthy openai/gpt-4o:true"
	# Under --max-failure-rate, or over a cool-down its failures are not in, it is healthy.
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality --max-failure-rate 40% | jq -r .model'
	assert_output "openai/gpt-4o-mini"
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality --cool-down 30s | jq -r .model'
	assert_output "openai/gpt-4o-mini"
	# Fewer than ten requests say nothing of health.
	sqlite3 "$ORKIT_DB" "DELETE FROM requests WHERE id IN (SELECT id FROM requests WHERE status = 'ok' LIMIT 3)"
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality | jq -r .model'
	assert_output "openai/gpt-4o-mini"
}

@test "history: a candidate shows the cool-down's figures health was judged by, beside the history's" {
	{ rows 100 "openai/gpt-4o-mini ok 300 3600000"; rows 10 "openai/gpt-4o-mini timeout 300 60000"; } | seed
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route | jq -c ".routed.candidates[0]"'
	assert_output '{"model":"openai/gpt-4o-mini","kept":false,"why":"unhealthy","usd":0.00983115,"p50_ms":300,"requests":110,"failure_rate":0.091,"health":{"requests":10,"failures":10,"failure_rate":1}}'
	# Nothing in the cool-down: no health figures, and healthy.
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --cool-down 30s | jq -c ".routed.candidates[0]"'
	assert_output '{"model":"openai/gpt-4o-mini","kept":true,"usd":0.00983115,"p50_ms":300,"requests":110,"failure_rate":0.091}'
}

@test "history: answers served as a dated snapshot count for the model routed to, with its failures" {
	or-log -d "$ORKIT_DB" </dev/null
	now=$(date +%s%3N)
	# As or-log keeps them: a failure under the model asked for, an
	# answer under the id that served it.
	{ for i in $(seq 12); do echo "INSERT INTO requests(ts, model, served, status, latency_ms, record) VALUES ($((now - 60000)), 'openai/gpt-4o-mini', NULL, 'timeout', 300, '{}');"; done
	  for i in $(seq 60); do echo "INSERT INTO requests(ts, model, served, status, latency_ms, record) VALUES ($((now - 60000)), 'openai/gpt-4o-mini', 'openai/gpt-4o-mini-2024-07-18', 'ok', 300, '{}');"; done; } | sqlite3 "$ORKIT_DB"
	echo '{"tasks": {"chat": {"quality": ["openai/gpt-4o-mini", "openai/gpt-4o"]}}}' >q.json
	# 12 of 72 failed: healthy (12 of 12 would not be)
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality | jq -c "[.model, .routed.candidates[0].failure_rate]"'
	assert_output '["openai/gpt-4o-mini",0.167]'
	sqlite3 "$ORKIT_DB" "UPDATE requests SET status = 'timeout', served = NULL WHERE id % 3 = 0"
	run -0 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules q.json --priority quality | picked'
	assert_output "openai/gpt-4o openai/gpt-4o-mini:false:unhealthy openai/gpt-4o:true"
}

@test "history: a log that is not there is no history, said only when asked for" {
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route | jq -r .model'
	assert_output "openai/gpt-4o-mini"
	[ "$stderr" = "" ]
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\"}" | or-route -d "$0/none.db" | jq -r .model' "$BATS_TEST_TMPDIR"
	[ "$stderr" = "or-route: $BATS_TEST_TMPDIR/none.db: no log there; routing without history" ]
}

@test "history: a log held locked is no history, said once, and not waited for" {
	{ rows 20 "mistralai/mistral-nemo ok 900 3600000"; rows 20 "openai/gpt-4o-mini ok 300 3600000"; } | seed
	# A lock that shuts readers out: exclusive locking mode, a write
	# held until fd 5 closes, while a writer would wait ten minutes.
	mkfifo hold
	sqlite3 "$ORKIT_DB" <hold >/dev/null 2>&1 3>&- &
	exec 5>hold
	# .timeout: the probes below must not make BEGIN EXCLUSIVE fail.
	printf '%s\n' ".timeout 60000" "PRAGMA locking_mode = EXCLUSIVE;" "BEGIN EXCLUSIVE;" "DELETE FROM requests WHERE id = 1;" >&5
	local i
	for i in $(seq 400); do
		echo 'SELECT count(*) FROM requests;' | sqlite3 "file:$ORKIT_DB?mode=ro" >/dev/null 2>&1 || break
		sleep 0.05
	done
	[ "$i" -lt 400 ] || { exec 5>&-; fail "the lock was never taken"; }
	export ORKIT_LOG_WAIT_MS=600000
	run -0 --separate-stderr timeout 60 bash -c 'echo "{\"prompt\":\"a\"}" | or-route --rules "$0" --priority speed | jq -c "[.model, [.routed.candidates[] | .p50_ms]]"' "$RULES"
	exec 5>&-
	wait
	assert_output '["mistralai/mistral-nemo",[null,null]]'
	[ "$stderr" = "or-route: $ORKIT_DB: database is locked; routing without history" ]
}

@test "--spread: records shared among the candidates within the tolerance, weighted by health, the same for a seed" {
	echo '{"tasks": {"chat": {"cost": ["openai/gpt-4o-mini", "google/gemini-2.5-flash-preview", "openai/gpt-4o"]}}}' >sp.json
	seq 1000 | jq -c '{id: ., prompt: "same words", max_tokens: 100}' >in
	share() { or-route --rules sp.json --priority cost "$@" <in | jq -r .model | sort | uniq -c | awk '{ print $2, $1 }'; }
	# Equal prices: about half each (within 5 points), gpt-4o (dearer) none.
	run -0 share --no-history --spread
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do
		n=${l##* }
		[ "$n" -ge 450 ] && [ "$n" -le 550 ] || fail "$l"
	done
	[ "$(or-route --no-history --rules sp.json --priority cost --spread <in | head -1 | jq -c .routed.spread)" = '{"among":["openai/gpt-4o-mini","google/gemini-2.5-flash-preview"],"tolerance":0.1,"seed":0}' ]
	# The same seed, the same choices; another seed, others.
	or-route --no-history --rules sp.json --priority cost --spread --seed 7 <in >a
	or-route --no-history --rules sp.json --priority cost --spread --seed 7 <in >b
	or-route --no-history --rules sp.json --priority cost --spread --seed 8 <in >c
	[ "$(cmp a b && echo same)" = same ]
	! cmp -s a c
	# Half of gpt-4o-mini's requests failed: it gets a third (within 5).
	{ rows 10 "openai/gpt-4o-mini ok 300 3600000"; rows 10 "openai/gpt-4o-mini timeout 300 3600000"; rows 20 "google/gemini-2.5-flash-preview ok 300 3600000"; } | seed
	run -0 share --spread
	n=$(printf '%s\n' "${lines[@]}" | awk '$1 == "openai/gpt-4o-mini:floor" { print $2 }')
	[ "$n" -ge 283 ] && [ "$n" -le 383 ] || fail "gpt-4o-mini got $n"
	# Without --spread, all go to the first.
	run -0 share --no-history
	assert_output "openai/gpt-4o-mini:floor 1000"
}

@test "--spread: the tolerance is of the cheapest kept candidate, not the rule's first, and every one within it is drawn" {
	# USD of "same words" at most, as routed.candidates says: flash-lite
	# 0.002458125 (the best), flash 0.0032775 (+33%), llama-3.3
	# 0.00409649 (+67%), gpt-4o-mini 0.00983145 (+300%).
	echo '{"tasks":{"chat":{"cost":["google/gemini-2.0-flash-001","google/gemini-2.0-flash-lite-001","openai/gpt-4o-mini","meta-llama/llama-3.3-70b-instruct"]}}}' >sp.json
	seq 1000 | jq -c '{id: ., prompt: "same words"}' >in
	among() { or-route --no-history --rules sp.json --priority cost --spread="$1" <in | head -1 | jq -r '.routed.spread.among | join(" ")'; }
	share() { or-route --no-history --rules sp.json --priority cost --spread="$1" <in | jq -r .model | sort | uniq -c | awk '{ print $2, $1 }'; }
	[ "$(among 1%)" = "google/gemini-2.0-flash-lite-001" ]
	[ "$(among 40%)" = "google/gemini-2.0-flash-001 google/gemini-2.0-flash-lite-001" ]
	[ "$(among 100%)" = "google/gemini-2.0-flash-001 google/gemini-2.0-flash-lite-001 meta-llama/llama-3.3-70b-instruct" ]
	[ "$(among 400%)" = "google/gemini-2.0-flash-001 google/gemini-2.0-flash-lite-001 openai/gpt-4o-mini meta-llama/llama-3.3-70b-instruct" ]
	# Within 1%: flash-lite alone, though flash is the rule's first.
	run -0 share 1%
	assert_output "google/gemini-2.0-flash-lite-001:floor 1000"
	# Proportions, each within 5 points of an equal share.
	within() {
		local n=$1 want=$2
		[ "$n" -ge $((want - 50)) ] && [ "$n" -le $((want + 50)) ]
	}
	run -0 share 40%
	[ "${#lines[@]}" -eq 2 ]
	for l in "${lines[@]}"; do within "${l##* }" 500 || fail "$l"; done
	run -0 share 100%
	[ "${#lines[@]}" -eq 3 ]
	[ "$(printf '%s\n' "${lines[@]}" | cut -d' ' -f1 | paste -sd' ')" = "google/gemini-2.0-flash-001:floor google/gemini-2.0-flash-lite-001:floor meta-llama/llama-3.3-70b-instruct:floor" ]
	for l in "${lines[@]}"; do within "${l##* }" 333 || fail "$l"; done
}

@test "no catalog at all: every record still written, those to route with a retryable no_route, exit 1" {
	rm "$XDG_CACHE_HOME/orkit/models.json"
	printf '%s\n' '{"id":1,"prompt":"a"}' '{"id":2,"model":"x/y","prompt":"b"}' \
	    'not json' '{"id":4,"prompt":"d","error":{"type":"http"}}' >in
	run -1 --separate-stderr or-route <in
	[[ "${lines[0]}" =~ ^'{"id":1,"prompt":"a","error":{"tool":"or-route","type":"no_route","message":"no model catalog to route by: Failed to connect to 127.0.0.1 port 1 after '[0-9]+' ms: Couldn'"'"'t connect to server","retryable":true}}'$ ]]
	assert_line --index 1 '{"id":2,"model":"x/y","prompt":"b"}'
	[ "$(jq -c '.error | [.type, .line, .input]' <<<"${lines[2]}")" = '["bad_input",3,"not json"]' ]
	assert_line --index 3 '{"id":4,"prompt":"d","error":{"type":"http"}}'
	[ "${#lines[@]}" -eq 4 ]
	[ "${stderr_lines[${#stderr_lines[@]} - 1]}" = 'or-route: no model catalog: 1 records written unrouted with error.type "no_route"' ]
}

# --- pipelines -------------------------------------------------------------

# bats test_tags=plain
@test "1,000 records keep their order and count" {
	seq 1000 | jq -c '{id: ., prompt: "q\(.)"}' >in
	run -0 bash -c 'or-route --no-history <in | jq -s "[map(.id) == [range(1; 1001)], (map(.model) | unique)]" -c'
	assert_output '[true,["openai/gpt-4o-mini"]]'
}

# tests/fixtures/route/same.in is bench/route-same.sh's corpus at
# BENCH_SAME_N=30 (lines up to 10,000 bytes); the .out and .err files
# are what or-route wrote for it before it read plain records from
# their bytes and kept routes decided: the same bytes, to the last one,
# but for what was fixed since, each checked to change only that:
# --spread measures from the cheapest candidate, routed.constraints
# says the request's own needs, a key or-route replaces (routed,
# model, provider) moves to the end, the record's other bytes kept,
# a task or priority that is not a string is a bad_input error, and
# each record given an error is said on stderr (the first ten, then a
# count).
@test "the whole catalog's choice is among models at known prices, never a router" {
	# 200,000 tokens out: no rule candidate holds them; openrouter/auto
	# (priced "-1") has no limit, but its price is decided per request.
	run -0 --separate-stderr bash -c 'echo "{\"prompt\":\"a\",\"max_tokens\":200000}" | or-route --no-history --priority quality | jq -r "[.model, .routed.strategy] | @tsv"'
	assert_output $'meta-llama/llama-4-scout\tcatalog'
}

@test "a varied corpus routes to the bytes or-route always wrote, stdout and stderr" {
	local f=$FIXTURES/route/same
	run -1 --separate-stderr or-route --no-history <"$f.in"
	[ "$output" = "$(cat "$f-plain.out")" ] || fail "stdout differs"
	[ "$stderr" = "$(cat "$f-plain.err")" ] || fail "stderr differs"
	run -1 --separate-stderr or-route --fallbacks 2 --force --no-history \
	    --sort price --only openai,anthropic --zdr <"$f.in"
	[ "$output" = "$(cat "$f-force.out")" ] || fail "--force differs"
	[ "$stderr" = "$(cat "$f-force.err")" ]
	run -1 --separate-stderr or-route --spread --seed 7 --no-history \
	    --task auto <"$f.in"
	[ "$output" = "$(cat "$f-spread.out")" ] || fail "--spread differs"
	[ "$stderr" = "$(cat "$f-spread.err")" ]
	or-route --no-history <"$f.in" 2>/dev/null | cmp - "$f-plain.out"
}

@test "or-route(1)'s EXAMPLES run as written, each of them, with pipefail" {
	fake_start
	mapfile -t ex < <(examples or-route.1)
	[ "${#ex[@]}" -eq 5 ] || fail "${#ex[@]} examples: ${ex[*]}"
	[ "${ex[0]}" = "set -o pipefail" ]
	printf 'Extract the year: born 1961\nExtract the town: lives in Lima\n' >tasks.txt
	printf '%s\n' '{"id":1,"prompt":"Refactor this python function"}' \
	    '{"id":2,"prompt":"Say hi"}' >jobs.jsonl
	# 1: the cheapest for extraction, answered and logged.
	run -0 --separate-stderr bash -c "set -o pipefail; ${ex[1]}"
	[ "$(jq -c '[.model, .routed.task, .routed.priority, .response.choices[0].message.content]' <<<"$output")" = '["mistralai/mistral-small-3.1-24b-instruct:floor","extraction","cost","Echo: Extract the year: born 1961"]
["mistralai/mistral-small-3.1-24b-instruct:floor","extraction","cost","Echo: Extract the town: lives in Lima"]' ]
	[ "$(sqlite3 "$ORKIT_DB" 'SELECT count(*) FROM requests')" -eq 2 ]
	# 2: tools and 64k, two to fall back to.
	run -0 --separate-stderr bash -c "set -o pipefail; ${ex[2]} | jq -c '[.model, .models]'"
	assert_output '["anthropic/claude-sonnet-4",["anthropic/claude-sonnet-4","openai/gpt-4o","google/gemini-2.5-pro-preview"]]
["anthropic/claude-sonnet-4",["anthropic/claude-sonnet-4","openai/gpt-4o","google/gemini-2.5-pro-preview"]]'
	# 3: why each went where it did.
	run -0 --separate-stderr bash -c "set -o pipefail; ${ex[3]}"
	assert_output '["anthropic/claude-sonnet-4","code","code-words"]
["openai/gpt-4o-mini","chat","default"]'
	# 4: what example 1's traffic would have cost on the cheapest.
	run -0 --separate-stderr bash -c "set -o pipefail; ${ex[4]}"
	[ "${#lines[@]}" -eq 1 ]
	IFS=$'\t' read -r model usd alt pct <<<"$output"
	[ "$model" = "mistralai/mistral-small-3.1-24b-instruct:floor" ]
	[ "$pct" = 100 ]
	# Priced as mistral-small-3.1-24b-instruct, the :floor variant's base.
	read -r pt ct < <(sqlite3 -separator ' ' "$ORKIT_DB" 'SELECT sum(prompt_tokens), sum(completion_tokens) FROM requests')
	want=$(awk -v pt="$pt" -v ct="$ct" -v p="$(price mistralai/mistral-small-3.1-24b-instruct prompt)" \
	    -v c="$(price mistralai/mistral-small-3.1-24b-instruct completion)" 'BEGIN { printf "%.6g", pt * p + ct * c }')
	[ "$(awk -v u="$usd" 'BEGIN { printf "%.6g", u }')" = "$want" ] || fail "usd_today $usd, want $want"
	[ "$want" != 0 ]
	[ "$stderr" = "" ]
	fake_stop
}

# --- suggest ------------------------------------------------------------

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
{"model":"google/gemini-2.5-pro-preview","requests":1,"prompt_tokens":150000,"completion_tokens":1000,"usd_logged":0.1975,"usd_today":0.1975,"needs":{"tools":false,"json":false,"structured":false,"image":false,"context":151000},"alternatives":[{"model":"deepseek/deepseek-chat-v3-0324:free","usd":0,"saving_usd":0.1975,"saving_pct":100},{"model":"deepseek/deepseek-chat:free","usd":0,"saving_usd":0.1975,"saving_pct":100}]}
{"model":"openai/gpt-4.1","requests":2,"prompt_tokens":4000,"completion_tokens":1500,"usd_logged":0.02,"usd_today":0.02,"needs":{"tools":true,"json":false,"structured":false,"image":false,"context":4000},"alternatives":[{"model":"google/gemini-2.5-pro-exp-03-25","usd":0,"saving_usd":0.02,"saving_pct":100},{"model":"meta-llama/llama-3.3-70b-instruct:free","usd":0,"saving_usd":0.02,"saving_pct":100}]}
{"model":"anthropic/claude-sonnet-4","requests":1,"prompt_tokens":2000,"completion_tokens":100,"usd_logged":0.009,"usd_today":0.0075,"needs":{"tools":false,"json":true,"structured":false,"image":true,"context":2100},"alternatives":[{"model":"google/gemini-2.5-pro-exp-03-25","usd":0,"saving_usd":0.0075,"saving_pct":100},{"model":"google/gemma-3-12b-it:free","usd":0,"saving_usd":0.0075,"saving_pct":100}]}
{"model":"openai/gpt-5","requests":1,"prompt_tokens":100,"completion_tokens":100,"usd_logged":0.001,"usd_today":0.001,"needs":{"tools":false,"json":false,"structured":false,"image":false,"context":200},"alternatives":[{"model":"agentica-org/deepcoder-14b-preview:free","usd":0,"saving_usd":0.001,"saving_pct":100},{"model":"arliai/qwq-32b-arliai-rpr-v1:free","usd":0,"saving_usd":0.001,"saving_pct":100}]}
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

@test "suggest: a json_schema request gets only structured_outputs alternatives, as routing needs; json_object response_format" {
	SCHEMA='{"response_format":{"type":"json_schema","json_schema":{"name":"x","schema":{"type":"object"}}}}'
	JOBJ='{"response_format":{"type":"json_object"}}'
	{ rec openai/gpt-4o 1000 100 0.0035 2026-11-20T10:00:00.000Z "$SCHEMA"
	  rec openai/gpt-4.1 1000 100 0.0028 2026-11-20T10:00:00.000Z "$JOBJ"; } >recs.jsonl
	or-log <recs.jsonl >/dev/null
	# liquid/lfm-7b takes response_format, not structured_outputs.
	[ "$(jq -c '.data[] | select(.id == "liquid/lfm-7b") | [.supported_parameters | index("response_format", "structured_outputs") != null]' "$FIXTURES/models.json")" = '[true,false]' ]
	run -0 --separate-stderr or-route suggest --limit 1000
	[ "$(jq -c 'select(.model == "openai/gpt-4o") | .needs' <<<"$output")" = '{"tools":false,"json":false,"structured":true,"image":false,"context":1100}' ]
	[ "$(jq -c 'select(.model == "openai/gpt-4.1") | .needs' <<<"$output")" = '{"tools":false,"json":true,"structured":false,"image":false,"context":1100}' ]
	alts=$(jq -r 'select(.model == "openai/gpt-4o") | .alternatives[].model' <<<"$output")
	! grep -qx liquid/lfm-7b <<<"$alts"
	[ "$(jq -r --argjson ids "$(jq -Rn '[inputs]' <<<"$alts")" '[.data[] | select(.id as $i | $ids | index($i)) | .supported_parameters | index("structured_outputs") != null] | unique | tostring' "$FIXTURES/models.json")" = '[true]' ]
	jq -r 'select(.model == "openai/gpt-4.1") | .alternatives[].model' <<<"$output" | grep -qx liquid/lfm-7b
	# or-route refuses it for the same request, and takes it for json_object.
	echo '{"tasks": {"chat": {"cost": ["liquid/lfm-7b", "openai/gpt-4o"]}}}' >s.json
	run -0 bash -c 'jq -c "{prompt: \"a\", response_format}" recs.jsonl | or-route --no-history --rules s.json --priority cost | jq -r .model'
	assert_output 'openai/gpt-4o:floor
liquid/lfm-7b:floor'
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
MODEL                          REQUESTS  USD TODAY  BEST                                     BEST USD  SAVING USD  SAVING %
google/gemini-2.5-pro-preview         1   0.197500  deepseek/deepseek-chat-v3-0324:free      0.000000    0.197500     100.0
openai/gpt-4.1                        2   0.020000  google/gemini-2.5-pro-exp-03-25          0.000000    0.020000     100.0
anthropic/claude-sonnet-4             1   0.007500  google/gemini-2.5-pro-exp-03-25          0.000000    0.007500     100.0
openai/gpt-5                          1   0.001000  agentica-org/deepcoder-14b-preview:free  0.000000    0.001000     100.0
EOF2
}

@test "suggest -t on a narrow terminal: the figures it can do without left out, then the ids cut" {
	seeded
	run -0 env COLUMNS=60 script -qec "or-route suggest -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<'EOF2'
MODEL                          BEST                 SAVING %
google/gemini-2.5-pro-preview  deepseek/deepseek-…     100.0
openai/gpt-4.1                 google/gemini-2.5-…     100.0
anthropic/claude-sonnet-4      google/gemini-2.5-…     100.0
openai/gpt-5                   agentica-org/deepc…     100.0
EOF2
	[ -z "$(sed 's/…/./g' <<<"$output" | awk 'length > 60')" ]
	run -0 env COLUMNS=100 script -qec "or-route suggest -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<'EOF2'
MODEL                          USD TODAY  BEST                                  SAVING USD  SAVING %
google/gemini-2.5-pro-preview   0.197500  deepseek/deepseek-chat-v3-0324:free     0.197500     100.0
openai/gpt-4.1                  0.020000  google/gemini-2.5-pro-exp-03-25         0.020000     100.0
anthropic/claude-sonnet-4       0.007500  google/gemini-2.5-pro-exp-03-25         0.007500     100.0
openai/gpt-5                    0.001000  agentica-org/deepcoder-14b-preview:…    0.001000     100.0
EOF2
	# Piped, nothing is cut or left out.
	[ "$(COLUMNS=60 or-route suggest -t | head -1)" = "MODEL                          REQUESTS  USD TODAY  BEST                                     BEST USD  SAVING USD  SAVING %" ]
}

@test "suggest: a free model used has nothing cheaper" {
	rec deepseek/deepseek-chat:free 10 10 0 2026-11-20T10:00:00.000Z | or-log >/dev/null
	run -0 --separate-stderr or-route suggest
	assert_output '{"model":"deepseek/deepseek-chat:free","requests":1,"prompt_tokens":10,"completion_tokens":10,"usd_logged":0,"usd_today":0,"needs":{"tools":false,"json":false,"structured":false,"image":false,"context":20},"alternatives":[]}'
	run -0 --separate-stderr or-route suggest -t
	assert_output - <<'EOF2'
MODEL                        REQUESTS  USD TODAY  BEST  BEST USD  SAVING USD  SAVING %
deepseek/deepseek-chat:free         1   0.000000  -            -           -         -
EOF2
}

@test "suggest: a variant or-route writes (:nitro) or a dated snapshot not in the catalog is priced as its base model" {
	[ "$(price openai/gpt-4o prompt) $(price openai/gpt-4o completion)" = "0.0000025 0.00001" ]
	[ -z "$(price openai/gpt-4o:nitro prompt)" ]
	[ -z "$(price openai/gpt-4o-2025-01-01 prompt)" ]
	rec openai/gpt-4o:nitro 1000 100 0.5 2026-11-20T10:00:00.000Z >recs.jsonl
	rec openai/gpt-4o-2025-01-01 2000 200 0.5 2026-11-20T11:00:00.000Z >>recs.jsonl
	or-log <recs.jsonl >/dev/null
	# 1000 * 0.0000025 + 100 * 0.00001 = 0.0035, not the 0.5 logged;
	# 2000 * 0.0000025 + 200 * 0.00001 = 0.007; gpt-4o itself is no
	# alternative to either.
	run -0 --separate-stderr bash -c 'or-route suggest --limit 1000 | jq -c "[.model, .usd_logged, .usd_today, (.alternatives | map(.model) | index(\"openai/gpt-4o\"))]"'
	assert_output '["openai/gpt-4o-2025-01-01",0.5,0.007,null]
["openai/gpt-4o:nitro",0.5,0.0035,null]'
	[ "$stderr" = "" ]
}

@test "suggest --help prints suggest's summary on stdout" {
	run -0 --separate-stderr or-route suggest --help
	assert_line --index 0 'usage: or-route suggest [options]'
	assert_line --partial '      --limit N '
	[ "$stderr" = "" ]
}

@test "suggest: a usage error is one line saying what is wrong, then the usage line, exit 2, nothing read" {
	local use='usage: or-route suggest [-t] [-d db] [--since when] [--until when] [--limit n] [--max-age age] [--refresh]'
	run -2 --separate-stderr or-route suggest --since yesterday
	assert_output ''
	[ "$stderr" = "or-route: --since wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)
$use" ]
	run -2 --separate-stderr or-route suggest --until soon
	[ "$stderr" = "or-route: --until wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)
$use" ]
	run -2 --separate-stderr or-route suggest --limit 0
	[ "$stderr" = "or-route: --limit wants a positive number
$use" ]
	run -2 --separate-stderr or-route suggest --max-age forever
	[ "$stderr" = "or-route: --max-age wants a time: 90, 90s, 15m, 2h, 7d or 2w
$use" ]
	run -2 --separate-stderr or-route suggest --bogus
	[ "$stderr" = "or-route: unrecognized option '--bogus'
$use" ]
	run -2 --separate-stderr or-route suggest extra
	[ "$stderr" = "or-route: suggest takes no operands
$use" ]
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
	[ "$stderr" = "or-route: $ORKIT_DB: log schema v1 is older than this orkit's v5; run 'or-log -d $ORKIT_DB </dev/null' once to upgrade it" ]
	cmp "$ORKIT_DB" before.db
}

# --- signals ---------------------------------------------------------

# Starts or-route --free on the fifo in, its output in out, and feeds it
# $1 records; waits (bounded) until all of them are written.
route_fifo() {
	mkfifo in
	or-route --free <in >out 2>err &
	ROUTE=$!
	exec 5>in
	seq "$1" | jq -c '{id: ., prompt: "q\(.)"}' >&5
	wait_lines out "$1"
}

# Sends SIGNAL $1 to or-route and waits (bounded) until it is no longer
# pending: two sent at once may arrive as one.
signal_taken() {
	kill -"$1" "$ROUTE"
	local i
	for i in $(seq 200); do
		[ -e "/proc/$ROUTE/status" ] || return 0	# taken: it ended
		grep -Eq '^ShdPnd:[[:space:]]*0+$' "/proc/$ROUTE/status" &&
		    return 0
		sleep 0.05
	done
	fail "SIG$1 still pending"
}

# bats test_tags=plain
@test "SIGINT or SIGTERM: the input is still read to its end, every record routed; a second stops reading" {
	route_fifo 500
	kill -INT "$ROUTE"
	seq 501 1000 | jq -c '{id: ., prompt: "q\(.)"}' >&5
	exec 5>&-
	# wait here, not under run: a subshell cannot wait for this one's child
	local st=0
	wait "$ROUTE" || st=$?
	[ "$st" -eq 0 ]
	[ "$(jq -r .id out | paste -sd,)" = "$(seq 1000 | paste -sd,)" ]
	[ "$(jq -r .model out | sort -u)" = google/gemini-2.0-flash-exp:free ]
	[ ! -s err ]
	rm in out err
	route_fifo 300
	# Two signals, not one: the second is sent once the first is taken.
	signal_taken TERM
	signal_taken TERM
	exec 5>&-
	st=0
	wait "$ROUTE" || st=$?
	[ "$st" -eq 1 ]
	[ "$(jq -r .id out | paste -sd,)" = "$(seq 300 | paste -sd,)" ]
	[ "$(cat err)" = "or-route: interrupted: stopped reading after input line 300" ]
}
