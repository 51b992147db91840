#!/usr/bin/env bats
# or-models: the catalog as records, filtered, sorted, cached, compared.

load helper

setup() {
	common_setup
	fake_start
	CACHE=$XDG_CACHE_HOME/orkit/models.json
	M25=$FIXTURES/models.json
	M26=$FIXTURES/models-2026.json
}

teardown() {
	fake_stop
}

# The fake server with the catalog built from model.d.ts's newer fields,
# and no cache of the other one.
use_2026() {
	fake_stop
	fake_start -m "$M26"
	rm -f "$CACHE"
}

# A cache of the given catalog, fetched the given time ago (touch -d).
cache_of() {
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$1" "$CACHE"
	touch -d "${2:-now}" "$CACHE"
}

# What jq says the ids of the 2025 catalog that pass a select() are.
jq_ids() {
	jq -r ".data[] | select($1) | .id" "$M25"
}

# --- usage -----------------------------------------------------------

@test "--version prints the version" {
	run -0 --separate-stderr or-models --version
	assert_output "or-models $(cat "$TOP/VERSION")"
}

@test "--help prints the summary on stdout, a mistake the usage on stderr" {
	run -0 --separate-stderr or-models --help
	assert_line --index 0 'usage: or-models [options] [show ID | compare ID ... | endpoints ID]'
	assert_line 'Filters:'
	[ "$stderr" = "" ]
	run -0 --separate-stderr or-models compare --help
	assert_line --index 0 'usage: or-models [-t | --ids] compare ID ...'
	run -0 --separate-stderr or-models -h show
	assert_line --index 0 'usage: or-models [-t | --ids] show ID'
	run -0 --separate-stderr or-models endpoints x --help
	assert_line --index 0 'usage: or-models [-t] endpoints ID'
	run -2 --separate-stderr or-models --limit
	assert_output ''
	assert_regex "${stderr_lines[1]}" '^usage: or-models \[-t \| --ids\]'
}

@test "an unknown flag is a usage error, exit 2, nothing fetched" {
	run -2 --separate-stderr or-models --bogus
	assert_output ''
	[ "${stderr_lines[0]}" = "or-models: unrecognized option '--bogus'" ]
	[[ "${stderr_lines[1]}" == "usage: or-models "* ]]
	[ "$(requests /models)" -eq 0 ]
}

@test "bad values are usage errors, each with its own line" {
	run -2 --separate-stderr or-models --sort cost
	[ "${stderr_lines[0]}" = "or-models: --sort wants price, context, created, name or throughput" ]
	run -2 --separate-stderr or-models --max-price cheap
	[ "${stderr_lines[0]}" = "or-models: --max-price wants a price per 1M tokens: p, p/c or /c" ]
	run -2 --separate-stderr or-models --max-price /
	[ "${stderr_lines[0]}" = "or-models: --max-price wants a price per 1M tokens: p, p/c or /c" ]
	run -2 --separate-stderr or-models --min-context lots
	[ "${stderr_lines[0]}" = "or-models: --min-context wants a number of tokens: 100000 or 100k" ]
	run -2 --separate-stderr or-models --limit -1
	[ "${stderr_lines[0]}" = "or-models: --limit wants a number" ]
	run -2 --separate-stderr or-models --max-age soon
	[ "${stderr_lines[0]}" = "or-models: --max-age wants a time: 90, 90s, 15m, 2h, 7d or 2w" ]
	run -2 --separate-stderr or-models --need ,
	[ "${stderr_lines[0]}" = "or-models: --need wants a list: a,b,..." ]
	run -2 --separate-stderr or-models -t --ids
	[ "${stderr_lines[0]}" = "or-models: -t and --ids do not go together" ]
	[ "$(requests /models)" -eq 0 ]
}

@test "commands: unknown ones, missing ids and filters are usage errors" {
	run -2 --separate-stderr or-models list
	[ "${stderr_lines[0]}" = "or-models: unknown command; there are show, endpoints and compare" ]
	run -2 --separate-stderr or-models show
	[ "${stderr_lines[0]}" = "or-models: show wants one model id" ]
	run -2 --separate-stderr or-models show a/b c/d
	[ "${stderr_lines[0]}" = "or-models: show wants one model id" ]
	run -2 --separate-stderr or-models compare
	[ "${stderr_lines[0]}" = "or-models: compare wants model ids" ]
	run -2 --separate-stderr or-models endpoints
	[ "${stderr_lines[0]}" = "or-models: endpoints wants one model id" ]
	run -2 --separate-stderr or-models --free show openai/gpt-4o
	[ "${stderr_lines[0]}" = "or-models: filters and --sort are for the listing, not for a command" ]
	[ "$(requests /models)" -eq 0 ]
}

# --- the listing -----------------------------------------------------

@test "the default listing is the API's model objects, one a line, byte for byte" {
	run -0 --separate-stderr or-models
	[ "${#lines[@]}" -eq 321 ]
	[ "$output" = "$(jq -c '.data[]' "$M25")" ]
	[ "$stderr" = "" ]
}

@test "a record keeps the API's numbers as written (2026 catalog)" {
	use_2026
	run -0 --separate-stderr or-models
	[ "${#lines[@]}" -eq 12 ]
	# The records, joined again, are the body the API sent.
	body=$(printf '{"data":[%s],"total_count":12,"links":{"next":null}}' \
	    "$(printf '%s\n' "${lines[@]}" | paste -sd,)")
	[ "$body" = "$(cat "$M26")" ]
	[[ "${lines[1]}" == *'"created":1.7591616e9,'* ]]
	[[ "${lines[1]}" == *'"coding_index":12345678901234567891,"agentic_index":0.10}'* ]]
}

@test "a catalog written over several lines still gives one record a line" {
	jq . "$M26" >"$BATS_TEST_TMPDIR/pretty.json"
	cache_of "$BATS_TEST_TMPDIR/pretty.json"
	run -0 --separate-stderr or-models
	[ "$output" = "$(jq -c '.data[]' "$M26")" ]
}

@test "--reverse: the other way round; -V the version" {
	run -0 --separate-stderr or-models --ids --reverse
	[ "$output" = "$(jq -r '.data | reverse | .[].id' "$M25")" ]
	run -0 --separate-stderr or-models -V
	assert_output "or-models $(cat "$TOP/VERSION")"
}

@test "--ids: bare ids, one a line" {
	run -0 --separate-stderr or-models --ids
	[ "$output" = "$(jq -r '.data[].id' "$M25")" ]
}

@test "an odd model never stops the listing, and none is left out" {
	use_2026
	run -0 --separate-stderr bash -c 'or-models --ids; echo end'
	assert_output "openai/gpt-5-mini
anthropic/claude-sonnet-4.5
openrouter/auto
google/gemini-2.5-flash-image
openai/gpt-4o-mini-tts
qwen/qwen3-coder:free
meta-llama/llama-guard-4-12b
~anthropic/claude-sonnet-latest
openai/text-embedding-3-small
mistralai/pixtral-legacy
odd/types

end"
	[ "$stderr" = "" ]
}

@test "entries that are not objects are left out with one warning" {
	printf '{"data":[{"id":"a/b"},null,"x",{"id":"c/d"}]}' >"$BATS_TEST_TMPDIR/m.json"
	cache_of "$BATS_TEST_TMPDIR/m.json"
	run -0 --separate-stderr or-models
	assert_output $'{"id":"a/b"}\n{"id":"c/d"}'
	[ "$stderr" = "or-models: 2 entries of the catalog are not objects; left out" ]
}

# --- filters -----------------------------------------------------------

@test "--provider: by author, several, or by the start of an id" {
	run -0 --separate-stderr or-models --provider anthropic --ids
	[ "$output" = "$(jq_ids '.id | startswith("anthropic/")')" ]
	[ "${#lines[@]}" -gt 5 ]
	run -0 --separate-stderr or-models --provider Anthropic,openai --ids
	[ "$output" = "$(jq_ids '.id | startswith("anthropic/") or startswith("openai/")')" ]
	run -0 --separate-stderr or-models --provider openai/gpt-4o --provider mistralai --ids
	[ "$output" = "$(jq_ids '.id | startswith("openai/gpt-4o") or startswith("mistralai/")')" ]
	run -0 --separate-stderr or-models --provider anthrop --ids
	assert_output ''
}

@test "--free: both prices 0, or a :free id" {
	run -0 --separate-stderr or-models --free --ids
	[ "$output" = "$(jq_ids '(.pricing.prompt == "0" and .pricing.completion == "0") or (.id | endswith(":free"))')" ]
	[ "${#lines[@]}" -gt 10 ]
	use_2026
	run -0 --separate-stderr or-models --free --ids
	assert_output $'qwen/qwen3-coder:free\nmeta-llama/llama-guard-4-12b'
}

@test "--paid: every model --free leaves out; a dynamic or unknown price is paid" {
	run -0 --separate-stderr or-models --paid --ids
	[ "$output" = "$(jq_ids '((.pricing.prompt == "0" and .pricing.completion == "0") or (.id | endswith(":free"))) | not')" ]
	[ "${#lines[@]}" -gt 100 ]
	[ "$(sort <(or-models --free --ids) <(or-models --paid --ids))" = "$(or-models --ids | sort)" ]
	use_2026
	run -0 --separate-stderr or-models --paid --ids
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5\nopenrouter/auto\ngoogle/gemini-2.5-flash-image\nopenai/gpt-4o-mini-tts\n~anthropic/claude-sonnet-latest\nopenai/text-embedding-3-small\nmistralai/pixtral-legacy\nodd/types'
}

@test "--free with --paid: refused, exit 2, nothing fetched" {
	run -2 --separate-stderr or-models --free --paid --ids
	assert_output ''
	[ "${stderr_lines[0]}" = "or-models: --free and --paid do not go together" ]
	[ "$(requests /models)" -eq 0 ]
}

@test "--max-price P/C is per 1M tokens; P alone bounds the prompt price" {
	run -0 --separate-stderr or-models --max-price 1/5 --ids
	[ "$output" = "$(jq_ids '(.pricing.prompt | tonumber) as $p | (.pricing.completion | tonumber) as $c | $p >= 0 and $c >= 0 and $p * 1e6 <= 1 + 1e-9 and $c * 1e6 <= 5 + 1e-9')" ]
	[ "${#lines[@]}" -gt 50 ]
	run -0 --separate-stderr or-models --max-price 0.1 --ids
	[ "$output" = "$(jq_ids '(.pricing.prompt | tonumber) as $p | $p >= 0 and $p * 1e6 <= 0.1 + 1e-9')" ]
	run -0 --separate-stderr or-models --max-price /0.2 --ids
	[ "$output" = "$(jq_ids '(.pricing.completion | tonumber) as $c | $c >= 0 and $c * 1e6 <= 0.2 + 1e-9')" ]
}

@test "--max-price: a dynamic or unknown price is never under a limit" {
	use_2026
	run -0 --separate-stderr bash -c 'or-models --max-price 1000/1000 --ids; echo end'
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5\ngoogle/gemini-2.5-flash-image\nopenai/gpt-4o-mini-tts\nqwen/qwen3-coder:free\nmeta-llama/llama-guard-4-12b\n~anthropic/claude-sonnet-latest\nopenai/text-embedding-3-small\nmistralai/pixtral-legacy\n\nend'

}

@test "--min-context: tokens, with k; top_provider's when the model has none" {
	run -0 --separate-stderr or-models --min-context 500000 --ids
	[ "$output" = "$(jq_ids '.context_length >= 500000')" ]
	run -0 --separate-stderr or-models --min-context 128k --ids
	[ "$output" = "$(jq_ids '.context_length >= 128000')" ]
	use_2026
	run -0 --separate-stderr or-models --min-context 1000 --ids
	assert_line openai/gpt-4o-mini-tts
	assert_line odd/types
	run -0 --separate-stderr or-models --min-context 2001 --ids
	refute_line openai/gpt-4o-mini-tts
}

@test "--need tools, json, reasoning, image: from the model's own data" {
	run -0 --separate-stderr or-models --need tools --ids
	[ "$output" = "$(jq_ids 'any(.supported_parameters[]; . == "tools")')" ]
	run -0 --separate-stderr or-models --need tools,json --ids
	[ "$output" = "$(jq_ids 'any(.supported_parameters[]; . == "tools") and any(.supported_parameters[]; . == "response_format" or . == "structured_outputs")')" ]
	run -0 --separate-stderr or-models --need reasoning --need image --ids
	[ "$output" = "$(jq_ids 'any(.supported_parameters[]; . == "reasoning" or . == "include_reasoning") and any(.architecture.input_modalities[]; . == "image")')" ]
	run -0 --separate-stderr or-models --need file --ids
	[ "$output" = "$(jq_ids 'any(.architecture.input_modalities[]; . == "file")')" ]
}

@test "--need: any parameter name works; a name no model knows is an error" {
	run -0 --separate-stderr or-models --need logit_bias --ids
	[ "$output" = "$(jq_ids 'any(.supported_parameters[]; . == "logit_bias")')" ]
	run -2 --separate-stderr or-models --need tool
	assert_output ''
	[ "$stderr" = "or-models: --need: unknown capability 'tool'; known: tools, json, structured, reasoning, image, file, audio, video, image-out, audio-out, embeddings, cache, web, or a name from supported_parameters" ]
}

@test "--need on the 2026 catalog: outputs, a reasoning object, old modality strings" {
	use_2026
	run -0 --separate-stderr or-models --need image-out --ids
	assert_output $'openrouter/auto\ngoogle/gemini-2.5-flash-image'
	run -0 --separate-stderr or-models --need audio-out --ids
	assert_output 'openai/gpt-4o-mini-tts'
	run -0 --separate-stderr or-models --need embeddings --ids
	assert_output 'openai/text-embedding-3-small'
	run -0 --separate-stderr or-models --need image --ids
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5\nopenrouter/auto\ngoogle/gemini-2.5-flash-image\nmeta-llama/llama-guard-4-12b\n~anthropic/claude-sonnet-latest\nmistralai/pixtral-legacy'
	run -0 --separate-stderr or-models --need reasoning --ids
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5'
	run -0 --separate-stderr or-models --need cache,web --ids
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5'
}

@test "--modality: in->out, either side alone, or one name either way" {
	use_2026
	run -0 --separate-stderr or-models --modality 'text+image->text' --ids
	assert_output $'openai/gpt-5-mini\nanthropic/claude-sonnet-4.5\nopenrouter/auto\ngoogle/gemini-2.5-flash-image\nmeta-llama/llama-guard-4-12b\n~anthropic/claude-sonnet-latest\nmistralai/pixtral-legacy'
	run -0 --separate-stderr or-models --modality '->audio' --ids
	assert_output 'openai/gpt-4o-mini-tts'
	run -0 --separate-stderr or-models --modality 'video->' --ids
	assert_output 'openrouter/auto'
	run -0 --separate-stderr or-models --modality embeddings --ids
	assert_output 'openai/text-embedding-3-small'
}

@test "--search: id, name and description, case folded" {
	run -0 --separate-stderr or-models --search DEVSTRAL --ids
	assert_output $'mistralai/devstral-small:free\nmistralai/devstral-small'
	run -0 --separate-stderr or-models --search 'tekken tokenizer' --ids
	[ "$output" = "$(jq_ids '.description | ascii_downcase | contains("tekken tokenizer")')" ]
	run -0 --separate-stderr or-models --search 'Nano Banana' --ids
	assert_output ''
}

@test "--where: a jq expression, the model kept when it yields true" {
	run -0 --separate-stderr or-models --where '.top_provider.is_moderated and .context_length >= 1000000' --ids
	[ "$output" = "$(jq_ids '.top_provider.is_moderated and .context_length >= 1000000')" ]
	[ "${#lines[@]}" -gt 0 ]
	run -0 --separate-stderr or-models --where '.architecture.input_modalities | any(. == "file")' --ids
	[ "$output" = "$(jq_ids 'any(.architecture.input_modalities[]; . == "file")')" ]
}

@test "--where: a bad expression is jq's message, exit 2, nothing fetched" {
	run -2 --separate-stderr or-models --where '.context_length >'
	assert_output ''
	[ "${stderr_lines[0]}" = "or-models: --where: error: syntax error, unexpected \$end (Unix shell quoting issues?) at <top-level>, line 1:" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	run -2 --separate-stderr or-models --where 'nosuch(1)'
	[ "${stderr_lines[0]}" = "or-models: --where: error: nosuch/1 is not defined at <top-level>, line 1:" ]
	[ "$(requests /models)" -eq 0 ]
}

@test "--where: an error on a model drops it, with one warning for all" {
	use_2026
	run -0 --separate-stderr or-models --where '.pricing.prompt | tonumber < 0.000001' --ids
	assert_output $'openai/gpt-5-mini\nopenrouter/auto\ngoogle/gemini-2.5-flash-image\nopenai/gpt-4o-mini-tts\nqwen/qwen3-coder:free\nmeta-llama/llama-guard-4-12b\nopenai/text-embedding-3-small\nmistralai/pixtral-legacy'
	[ "$stderr" = "or-models: --where: an error on 1 model (kept none of them), the first on odd/types: null (null) cannot be parsed as a number" ]
}

@test "filters combine with AND" {
	run -0 --separate-stderr or-models --provider google --need tools --min-context 1000000 --max-price 1 --ids
	[ "$output" = "$(jq_ids '(.id | startswith("google/")) and any(.supported_parameters[]; . == "tools") and .context_length >= 1000000 and ((.pricing.prompt | tonumber) * 1e6 <= 1 + 1e-9)')" ]
	[ "${#lines[@]}" -ge 2 ]
}

# --- sort and limit ------------------------------------------------------

# The jq twin of --sort price: prompt and completion at 3 to 1, ties by id.
JQ_PRICE='map(select((.pricing.prompt | tonumber) >= 0 and (.pricing.completion | tonumber) >= 0)) | sort_by(((.pricing.prompt | tonumber) * 3 + (.pricing.completion | tonumber)) / 4, .id)'

@test "--sort price: cheapest first at 3 prompt tokens to 1, ties by id, unknown last" {
	run -0 --separate-stderr or-models --sort price --ids
	[ "$(head -n 320 <<<"$output")" = "$(jq -r ".data | $JQ_PRICE | .[].id" "$M25")" ]
	[ "${lines[320]}" = openrouter/auto ]
}

@test "the issue's question: tools, json, 100k context, cheapest 3" {
	run -0 --separate-stderr or-models --need tools,json --min-context 100000 --sort price --limit 3 --ids
	[ "$output" = "$(jq -r ".data | map(select(any(.supported_parameters[]; . == \"tools\") and any(.supported_parameters[]; . == \"response_format\" or . == \"structured_outputs\") and .context_length >= 100000)) | $JQ_PRICE | .[:3][].id" "$M25")" ]
	[ "${#lines[@]}" -eq 3 ]
}

@test "--sort context: largest first; -r smallest first; ties by id either way" {
	run -0 --separate-stderr or-models --sort context --ids
	[ "$output" = "$(jq -r '.data | sort_by(-.context_length, .id) | .[].id' "$M25")" ]
	run -0 --separate-stderr or-models --sort context -r --ids
	[ "$output" = "$(jq -r '.data | sort_by(.context_length, .id) | .[].id' "$M25")" ]
}

@test "--sort created: newest first; --sort name: A to Z" {
	run -0 --separate-stderr or-models --sort created --ids
	[ "$output" = "$(jq -r '.data | sort_by(-.created, .id) | .[].id' "$M25")" ]
	run -0 --separate-stderr or-models --sort name --ids
	[ "$output" = "$(jq -r '.data | sort_by(.name, .id) | .[].id' "$M25")" ]
}

@test "sorting is stable: the same catalog in another order sorts the same" {
	jq -c '.data |= reverse' "$M25" >"$BATS_TEST_TMPDIR/rev.json"
	run -0 --separate-stderr or-models --sort price --ids
	first=$output
	cache_of "$BATS_TEST_TMPDIR/rev.json"
	run -0 --separate-stderr or-models --sort price --ids
	[ "$output" = "$first" ]
}

@test "--sort on the 2026 catalog: no figure sorts last, whatever -r says" {
	use_2026
	run -0 --separate-stderr or-models --sort price -r --ids
	assert_output $'anthropic/claude-sonnet-4.5\n~anthropic/claude-sonnet-latest\nopenai/gpt-4o-mini-tts\n\ngoogle/gemini-2.5-flash-image\nopenai/gpt-5-mini\nmistralai/pixtral-legacy\nopenai/text-embedding-3-small\nmeta-llama/llama-guard-4-12b\nqwen/qwen3-coder:free\nodd/types\nopenrouter/auto'
	run -0 --separate-stderr or-models --sort created --ids --limit 3
	assert_output $'google/gemini-2.5-flash-image\nanthropic/claude-sonnet-4.5\n~anthropic/claude-sonnet-latest'
}

@test "-r alone turns the API's order around; --limit cuts after sorting" {
	run -0 --separate-stderr or-models -r --limit 2 --ids
	[ "$output" = "$(jq -r '.data | reverse | .[:2][].id' "$M25")" ]
	run -0 --separate-stderr or-models --limit 0
	assert_output ''
}

@test "--sort throughput: the best median of the model's endpoints, fastest first" {
	run -0 --separate-stderr or-models --provider google/gemini-2.5-pro --sort throughput --ids
	# The fake gives every endpoint it builds the same figures; its
	# real capture for gemini-2.5-pro-preview has none, so that one is last.
	assert_output $'google/gemini-2.5-pro-exp-03-25\ngoogle/gemini-2.5-pro-preview'
	[ "$(jq -r 'select(.path | endswith("/endpoints")) | .path' "$FAKE_LOG" | sort)" = $'/models/google/gemini-2.5-pro-exp-03-25/endpoints\n/models/google/gemini-2.5-pro-preview/endpoints' ]
}

@test "--sort throughput without a key: a warning, the order by id" {
	unset OPENROUTER_API_KEY
	run -0 --separate-stderr or-models --provider anthropic/claude-3.5 --sort throughput --ids
	[ "$output" = "$(jq_ids '.id | startswith("anthropic/claude-3.5")' | sort)" ]
	[ "$stderr" = "or-models: --sort throughput: no throughput figures: the API gives them only to a request with an API key, and none is set (OPENROUTER_API_KEY)" ]
}

@test "--sort throughput with a key and no figures in the answers: says so, blames no key" {
	run -0 --separate-stderr or-models --provider google/gemini-2.5-pro-preview --sort throughput --ids
	assert_output google/gemini-2.5-pro-preview
	[ "$stderr" = "or-models: --sort throughput: no throughput figures: the endpoints of the 1 model that answered have none for the last 30 minutes" ]
	[ "$(jq -r 'select(.path | endswith("/endpoints")) | .auth' "$FAKE_LOG")" = ok ]
}

@test "--sort throughput with a key the API refuses: says so in one line, exit 2" {
	# The endpoints answer, their figures hidden; GET /key says why.
	OPENROUTER_API_KEY=sk-or-v1-wrong run -2 --separate-stderr or-models --provider google/gemini-2.5-pro --sort throughput --ids
	assert_output ''
	[ "$stderr" = "or-models: --sort throughput: the API refused the key (HTTP 401: User not found.); check OPENROUTER_API_KEY" ]
	# The endpoints refuse it themselves.
	fake "/models/google/gemini-2.5-pro-exp-03-25/endpoints status 403" \
	    "/models/google/gemini-2.5-pro-preview/endpoints status 403"
	run -2 --separate-stderr or-models --provider google/gemini-2.5-pro --sort throughput --ids
	assert_output ''
	[[ "$stderr" == "or-models: --sort throughput: the API refused the key (HTTP 403: "*"); check OPENROUTER_API_KEY" ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

@test "--sort throughput when the endpoints fail: how many, and why the first did" {
	fake "/models/google/gemini-2.5-pro-exp-03-25/endpoints status 503" \
	    "/models/google/gemini-2.5-pro-preview/endpoints status 503"
	run -0 --separate-stderr or-models --provider google/gemini-2.5-pro --sort throughput --ids
	assert_output $'google/gemini-2.5-pro-exp-03-25\ngoogle/gemini-2.5-pro-preview'
	[[ "$stderr" == "or-models: --sort throughput: no endpoints for 2 of 2 models (the first: HTTP 503: "* ]]
	[ "${#stderr_lines[@]}" -eq 1 ]
}

# --- the table -------------------------------------------------------------

@test "-t piped: every cell whole, prices per 1M tokens" {
	use_2026
	run -0 --separate-stderr or-models -t
	assert_output "ID                               CONTEXT  \$/M IN  \$/M OUT  CAPABILITIES
openai/gpt-5-mini                 400000    0.25        2  tools,json,structured,reasoning,image,file,cache,web
anthropic/claude-sonnet-4.5      1000000       3       15  tools,json,structured,reasoning,image,file,cache,web
openrouter/auto                  2000000     var      var  image,file,audio,video,image-out
google/gemini-2.5-flash-image      32768     0.3      2.5  json,structured,image,image-out
openai/gpt-4o-mini-tts              2000     0.6       12  audio-out
qwen/qwen3-coder:free             262144       0        0  tools
meta-llama/llama-guard-4-12b      163840       0        0  image
~anthropic/claude-sonnet-latest  1000000       3       15  tools,image,file
openai/text-embedding-3-small       8192    0.02        0  embeddings
mistralai/pixtral-legacy          128000     0.1      0.1  image
odd/types                         131072       -        -
                                    4096       1        2"
}

@test "-t on a terminal fits its width, cutting capabilities first" {
	use_2026
	run -0 env COLUMNS=60 script -qec "or-models -t --provider openai --sort price" /dev/null
	assert_output "ID                        CONTEXT  \$/M IN  \$/M OUT  CAPABIL…"$'\r'"
openai/text-embedding-3…     8192    0.02        0  embeddi…"$'\r'"
openai/gpt-5-mini          400000    0.25        2  tools,j…"$'\r'"
openai/gpt-4o-mini-tts       2000     0.6       12  audio-o…"$'\r'
}

# --- the cache -------------------------------------------------------------

@test "the first run fetches the whole catalog and caches the body as received" {
	run -0 --separate-stderr or-models --ids
	[ "$(requests /models)" -eq 1 ]
	cmp "$CACHE" "$M25"
	[ "$(stat -c %a "$CACHE")" = 644 ]
	[ "$(jq -r '.query.output_modalities' "$FAKE_LOG")" = all ]
	ls "$XDG_CACHE_HOME/orkit" >"$BATS_TEST_TMPDIR/ls"
	[ "$(cat "$BATS_TEST_TMPDIR/ls")" = models.json ]
}

@test "a cache younger than an hour is used without a request" {
	run -0 --separate-stderr or-models --ids
	run -0 --separate-stderr or-models --free --ids
	run -0 --separate-stderr or-models show openai/gpt-4o
	[ "$(requests /models)" -eq 1 ]
}

@test "a cache older than the TTL is fetched again; --max-age moves the TTL" {
	cache_of "$M26" '2 hours ago'
	run -0 --separate-stderr or-models --max-age 3h --ids
	[ "$output" = "$(jq -r '.data[].id // ""' "$M26")" ]
	[ "$(requests /models)" -eq 0 ]
	run -0 --separate-stderr or-models --ids
	[ "${#lines[@]}" -eq 321 ]
	[ "$(requests /models)" -eq 1 ]
	cmp "$CACHE" "$M25"
	run -0 --separate-stderr or-models --max-age 0 --ids
	[ "$(requests /models)" -eq 2 ]
	# the grammar every tool takes: a bare number is seconds; w, fractions
	cache_of "$M26" '2 hours ago'
	for age in 2w 1.5d 7201; do
		run -0 --separate-stderr or-models --max-age "$age" --ids
		[ "$(requests /models)" -eq 2 ]
	done
	run -0 --separate-stderr or-models --max-age 7100 --ids
	[ "$(requests /models)" -eq 3 ]
}

@test "--refresh fetches whatever the cache's age" {
	cache_of "$M26"
	run -0 --separate-stderr or-models --refresh --ids
	[ "${#lines[@]}" -eq 321 ]
	[ "$(requests /models)" -eq 1 ]
}

@test "the API failing: a stale cache is used, with one line on stderr" {
	cache_of "$M26" '3 hours ago'
	fake "/models status 502"
	run -0 --separate-stderr or-models --ids
	[ "$output" = "$(jq -r '.data[].id // ""' "$M26")" ]
	[ "$stderr" = "or-models: cannot refresh the model catalog (HTTP 502: Provider returned error); using the cache from 3 h ago" ]
	[ "$(requests /models)" -eq 1 ]
	cmp "$CACHE" "$M26"
}

@test "offline: a stale cache is used, with one line on stderr" {
	cache_of "$M26" '2 days ago'
	export OPENROUTER_BASE_URL=http://127.0.0.1:1
	run -0 --separate-stderr or-models --refresh --ids
	[ "$output" = "$(jq -r '.data[].id // ""' "$M26")" ]
	[[ "$stderr" =~ ^"or-models: cannot refresh the model catalog (Failed to connect to 127.0.0.1 port 1 after "[0-9]+" ms: Couldn't connect to server); using the cache from 2 days ago"$ ]]
}

@test "no cache and no network: exit 2 and a clear message" {
	export OPENROUTER_BASE_URL=http://127.0.0.1:1
	run -2 --separate-stderr or-models
	assert_output ''
	[[ "$stderr" =~ ^"or-models: cannot fetch the model catalog (Failed to connect to 127.0.0.1 port 1 after "[0-9]+" ms: Couldn't connect to server), and there is no cache at $CACHE"$ ]]
}

@test "no cache and an API error: retried, then exit 2" {
	fake "/models status 503" "/models status 503"
	ORKIT_RETRIES=1 run -2 --separate-stderr or-models
	[ "$stderr" = "or-models: cannot fetch the model catalog (HTTP 503: No allowed providers are available for the selected model.), and there is no cache at $CACHE" ]
	[ "$(requests /models)" -eq 2 ]
	fake "/models garbage"
	ORKIT_RETRIES=0 run -2 --separate-stderr or-models
	[ "$stderr" = "or-models: cannot fetch the model catalog (HTTP 200: 502 Bad Gateway), and there is no cache at $CACHE" ]
}

@test "a cache that is not a catalog is fetched again, and replaced" {
	mkdir -p "$XDG_CACHE_HOME/orkit"
	printf '{"data":[{"id":"a/b"},' >"$CACHE"
	run -0 --separate-stderr or-models --ids
	[ "${#lines[@]}" -eq 321 ]
	cmp "$CACHE" "$M25"
}

@test "a cache that is not strictly JSON is fetched again" {
	mkdir -p "$XDG_CACHE_HOME/orkit"
	for bad in '{"data":[{"id":"a/b","x":tru}]}' '{"data":[{"id":"a/b"}]}x' \
	    '{"data":[{"id":"a/b","n":01}]}' '{"data":{"id":"a/b"}}'; do
		printf '%s' "$bad" >"$CACHE"
		run -0 --separate-stderr or-models --ids
		[ "${#lines[@]}" -eq 321 ]
	done
	[ "$(requests /models)" -eq 4 ]
}

@test "escaped strings are read as libjv reads them; the record keeps them" {
	printf '%s' '{"data":[{"id":"a\/b","supported_parameters":["t\u006fols"],"pricing":{"prompt":"0","completion":"0"},"architecture":{"modality":"text+image->text"}}]}' >"$BATS_TEST_TMPDIR/m.json"
	cache_of "$BATS_TEST_TMPDIR/m.json"
	run -0 --separate-stderr or-models --need tools,image --free --ids
	assert_output 'a/b'
	run -0 --separate-stderr or-models show a/b
	assert_output '{"id":"a\/b","supported_parameters":["t\u006fols"],"pricing":{"prompt":"0","completion":"0"},"architecture":{"modality":"text+image->text"}}'
}

@test "a cache that cannot be written: a warning, the listing all the same" {
	export XDG_CACHE_HOME=/dev/null/cache
	run -0 --separate-stderr or-models --ids
	[ "${#lines[@]}" -eq 321 ]
	[ "$stderr" = "or-models: cannot write /dev/null/cache/orkit/models.json: Not a directory" ]
}

@test "a cache that cannot be renamed into place: a warning, the listing, its descriptor closed once" {
	mkdir -p "$CACHE" && touch "$CACHE/entry"	# a directory, not empty
	run -0 --separate-stderr or-models --ids
	[ "${#lines[@]}" -eq 321 ]
	[ "$stderr" = "or-models: cannot write $CACHE: Is a directory" ]
	# The temporary file's descriptor was closed a second time after a
	# failed rename (close(3) = -1 EBADF), which with threads may close
	# another's; strace shows it where it can run.
	instrumented && return 0
	command -v strace >/dev/null || skip "no strace"
	strace -f -qq -e trace=close -o "$BATS_TEST_TMPDIR/st" true 2>/dev/null ||
	    skip "strace cannot trace here"
	run -0 strace -f -qq -e trace=close -o "$BATS_TEST_TMPDIR/st" \
	    or-models --ids
	run grep -c EBADF "$BATS_TEST_TMPDIR/st"
	[ "$output" = 0 ]
}

# bats test_tags=plain
@test "a reader racing a writer never sees half a cache" {
	instrumented && skip "slow under instrumentation"
	run -0 --separate-stderr or-models --ids
	(for i in $(seq 40); do or-models --refresh >/dev/null || exit 1; done) &
	writer=$!
	bad=0 reads=0
	while kill -0 "$writer" 2>/dev/null; do
		cmp -s "$CACHE" "$M25" || bad=$((bad + 1))
		reads=$((reads + 1))
	done
	wait "$writer"
	[ "$bad" -eq 0 ]
	[ "$reads" -gt 10 ]
	[ "$(requests /models)" -eq 41 ]
	[ "$(ls "$XDG_CACHE_HOME/orkit")" = models.json ]
}

@test "or-send --free reads the cache in this format" {
	run -0 --separate-stderr or-models --ids
	ORKIT_FREE_MODEL= run -0 --separate-stderr or-send --free -t hi
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG")" = "mistralai/devstral-small:free" ]
}

# --- show, compare, endpoints --------------------------------------------

@test "show ID: the model's record, as the API wrote it" {
	run -0 --separate-stderr or-models show anthropic/claude-sonnet-4
	[ "$output" = "$(jq -c '.data[] | select(.id == "anthropic/claude-sonnet-4")' "$M25")" ]
}

@test "show -t: the model's fields, one a line" {
	use_2026
	run -0 --separate-stderr or-models show -t anthropic/claude-sonnet-4.5
	assert_output "id                anthropic/claude-sonnet-4.5
name              Anthropic: Claude Sonnet 4.5
created           2025-09-29
context           1000000
max output        64000
\$/M in            3
\$/M out           15
\$/M cache read    0.3
modality          text+image+file->text
capabilities      tools,json,structured,reasoning,image,file,cache,web
tokenizer         Claude
moderated         no
knowledge cutoff  2025-01-31"
}

@test "an unknown id: exit 1, with a did-you-mean from the catalog" {
	run -1 --separate-stderr or-models show anthropic/claude-sonet-4
	assert_output ''
	[ "$stderr" = "or-models: unknown model 'anthropic/claude-sonet-4'; did you mean anthropic/claude-sonnet-4?" ]
	run -1 --separate-stderr or-models show claude-sonnet-4
	[ "$stderr" = "or-models: unknown model 'claude-sonnet-4'; did you mean anthropic/claude-sonnet-4?" ]
	run -1 --separate-stderr or-models show gpt4o
	[ "$stderr" = "or-models: unknown model 'gpt4o'; did you mean openai/gpt-4o or openai/gpt-4?" ]
	run -1 --separate-stderr or-models show zzzzzzzzzz
	[ "$stderr" = "or-models: unknown model 'zzzzzzzzzz'" ]
}

@test "compare: the records in the order asked; -t side by side" {
	run -0 --separate-stderr or-models compare openai/gpt-4o anthropic/claude-sonnet-4
	[ "$output" = "$(jq -c '.data[] | select(.id == "openai/gpt-4o")' "$M25")
$(jq -c '.data[] | select(.id == "anthropic/claude-sonnet-4")' "$M25")" ]
	run -0 --separate-stderr or-models compare -t openai/gpt-4o anthropic/claude-sonnet-4 google/gemini-2.5-flash-preview
	assert_output "id              openai/gpt-4o                               anthropic/claude-sonnet-4    google/gemini-2.5-flash-preview
name            OpenAI: GPT-4o                              Anthropic: Claude Sonnet 4   Google: Gemini 2.5 Flash Preview 04-17
created         2024-05-13                                  2025-05-22                   2025-04-17
context         128000                                      200000                       1048576
max output      16384                                       64000                        65535
\$/M in          2.5                                         3                            0.15
\$/M out         10                                          15                           0.6
\$/M cache read  1.25                                        0.3                          0.0375
\$/M reasoning   0                                           0                            0
modality        text+image->text                            text+image->text             text+image->text
capabilities    tools,json,structured,image,file,cache,web  tools,reasoning,image,cache  tools,json,structured,image,file,cache
tokenizer       GPT                                         Claude                       Gemini
moderated       yes                                         yes                          no"
}

@test "compare with an unknown id: the others printed, exit 1" {
	run -1 --separate-stderr or-models compare --ids openai/gpt-4o openai/gpt-4oo anthropic/claude-sonnet-4
	assert_output $'openai/gpt-4o\nanthropic/claude-sonnet-4'
	[ "$stderr" = "or-models: unknown model 'openai/gpt-4oo'; did you mean openai/gpt-4o, openai/gpt-4 or openai/gpt-4.1?" ]
}

@test "endpoints ID: one record per provider endpoint, as the API wrote it" {
	run -0 --separate-stderr or-models endpoints google/gemini-2.5-pro-preview
	[ "$output" = "$(jq -c '.data.endpoints[]' "$FIXTURES"/endpoints/endpoints_google-gemini-2.5-pro-preview_*.json)" ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(requests /models)" -eq 0 ]
}

@test "endpoints -t: status, uptime, latency, throughput, price per provider" {
	run -0 --separate-stderr or-models endpoints anthropic/claude-sonnet-4 -t
	assert_output "PROVIDER        TAG             STATUS  UPTIME  LATENCY  TOK/S  \$/M IN  \$/M OUT  QUANT  CONTEXT
Anthropic       anthropic            0    99.5     0.25   45.2       3       15  -       200000
Amazon Bedrock  amazon-bedrock       0    98.1     1.25   35.2       3       15  fp8     200000"
}

@test "endpoints -t on a terminal fits its width: quantization, status, tag, context left out" {
	run -0 env COLUMNS=60 script -qec "or-models endpoints openai/gpt-4o-mini -t" /dev/null
	assert_output "PROVIDER  UPTIME  LATENCY  TOK/S  \$/M IN  \$/M OUT  CONTEXT"$'\r'"
OpenAI      99.5     0.25   45.2    0.15      0.6   128000"$'\r'"
Azure       98.1     1.25   35.2    0.15      0.6   128000"$'\r'
	run -0 env COLUMNS=50 script -qec "or-models endpoints anthropic/claude-sonnet-4 -t" /dev/null
	assert_output "PROVIDER   UPTIME  LATENCY  TOK/S  \$/M IN  \$/M OUT"$'\r'"
Anthropic    99.5     0.25   45.2       3       15"$'\r'"
Amazon B…    98.1     1.25   35.2       3       15"$'\r'
}

@test "endpoints of an unknown model: exit 1 with a did-you-mean" {
	run -1 --separate-stderr or-models endpoints anthropic/claude-sonet-4
	assert_output ''
	[ "$stderr" = "or-models: unknown model 'anthropic/claude-sonet-4'; did you mean anthropic/claude-sonnet-4?" ]
}

@test "endpoints when the API fails: exit 2 with its message" {
	fake "/models/openai/gpt-4o/endpoints status 500"
	run -2 --separate-stderr or-models endpoints openai/gpt-4o
	assert_output ''
	[ "$stderr" = "or-models: openai/gpt-4o: cannot list endpoints: Internal Server Error" ]
}

@test "a reader that goes away stops or-models quietly" {
	run --separate-stderr bash -c 'or-models | head -1; echo "${PIPESTATUS[0]}" >&2'
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = 2 ]
}
