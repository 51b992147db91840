#!/bin/bash
# extract.sh: fields pulled out of free text, as JSON, with
# response_format's json_schema and jq.
#
#   extract.sh < notes.txt > contacts.jsonl
#
# Each line of the input is a note ("Met Ana Lima of Acme, ana@acme.io");
# each line of the output the note's id and the fields the model found,
# {"id":"line-1","name":...,"company":...,"email":...}. The schema binds
# the model (strict: every field, no others), so the answer's content
# is JSON that jq reads with fromjson; a note that failed, or whose
# answer is not the JSON asked for (cut at max_tokens), is a line on
# stderr and the exit status is 1. Every record goes to or-log's log.

set -u -o pipefail

MODEL=${MODEL:-openai/gpt-4o-mini}
MAX_TOKENS=${MAX_TOKENS:-300}	# a bound on each answer, and its cost
records=$(mktemp) || exit 2
trap 'rm -f "$records"' EXIT

# The request: a record per line, response_format as the API takes it
# (or-send sends every key it does not reserve as it is).
jq -cR --arg model "$MODEL" --argjson max "$MAX_TOKENS" '{
	id: "line-\(input_line_number)",
	model: $model,
	max_tokens: $max,
	system: "Extract the contact in the note. Use \"\" for what it lacks.",
	prompt: .,
	response_format: {type: "json_schema", json_schema: {
		name: "contact", strict: true, schema: {
			type: "object", additionalProperties: false,
			required: ["name", "company", "email"],
			properties: {
				name: {type: "string"},
				company: {type: "string"},
				email: {type: "string"}}}}}
}' | or-send -P 4 | or-log >"$records"
status=$?

# The fields, with the note's id; then on stderr each note that gave
# none, and why. try fromjson: a cut answer is text, not JSON.
jq -c '.id as $id | .response.choices[0].message.content // empty
    | try fromjson catch null | select(type == "object") | {id: $id} + .' \
    "$records"
jq -r 'def fields: .response.choices[0].message.content
	| try fromjson catch null;
    if .error then "\(.id): \(.error.message)"
    elif (fields | type) != "object"
	then "\(.id): the answer is not the JSON asked for"
    else empty end' "$records" | sed 's/^/extract.sh: /' >&2
# an answer that is not JSON is a failure too, though or-log stored
# it as a success
[ "$status" -ne 0 ] || status=$(jq -s 'map(select(.response and
    ((.response.choices[0].message.content | try fromjson catch null
    | type) != "object"))) | if length > 0 then 1 else 0 end' "$records")
exit "$status"
