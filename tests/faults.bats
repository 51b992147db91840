#!/usr/bin/env bats
# The fault matrix of issue 16, its server and input faults: the pipeline
# or-route | or-send -P 8 | or-cost | or-log over 1,000 records, one
# fault injected; every record in must come out once and be stored once,
# answered or carrying an error that says what happened, no request sent
# twice unless it surely was not billed, and each tool's exit status as
# documented.  Each test adds one row to the table (tests/faults.bash):
# fault, records in, records out, rows stored, chat requests the server
# received, and the pipeline's exit statuses joined with '|'.

# bats file_tags=plain

load helper
load faults

# 1,000 records a fault; 100 under the sanitizers and 50 under valgrind
# (tests/valgrind.list), where every record costs and a fault shows the
# same shape with fewer.
nrec() {
	if [ -n "${ORKIT_VALGRIND:-}" ]; then echo 50
	elif [ -n "${ORKIT_SANITIZED:-}" ]; then echo 100
	else echo 1000; fi
}

setup() {
	common_setup
	fake_start
	cd "$BATS_TEST_TMPDIR"
	N=$(nrec)
	DB=$XDG_DATA_HOME/orkit/log.db
	# a retry waits little, and no 429 waits for the next minute
	export ORKIT_RETRY_MAX_MS=20
	records
}

teardown() {
	fake_stop
}

# in.jsonl: N records, ids r1..rN, prompts q1..qN.
records() {
	seq "$N" | jq -c '{id: "r\(.)", prompt: "q\(.)"}' >in.jsonl
	IN=$N
}

# in.jsonl with "stream": true in the records whose number passes the jq
# test $1: those are streamed, the others are not (a thousand streams
# would measure the fake's pacing).
records_streamed() {
	seq "$N" | jq -c "{id: \"r\\(.)\", prompt: \"q\\(.)\"} +
	    if $1 then {stream: true} else {} end" >in.jsonl
	IN=$N
}

# A fault that takes time hits 8 records in a row, from the middle on,
# so that -P 8 has them in flight at once: their numbers.
eight() {
	seq $((N / 2 + 1)) $((N / 2 + 8))
}

# Script lines for the chat request of each record numbered on stdin.
each() {
	local i
	while read -r i; do
		printf '/chat/completions %s if=%%22q%d%%22\n' "$*" "$i"
	done >>"$FAKE_SCRIPT"
}

# Script lines for the chat request of every Kth record: ACTION ...
every() {
	local k=$1 i
	shift
	for ((i = k; i <= N; i += k)); do
		printf '/chat/completions %s if=%%22q%d%%22\n' "$*" "$i"
	done >>"$FAKE_SCRIPT"
}

# The prompts of every Kth record, sorted.
prompts_every() {
	seq "$1" "$1" "$N" | sed 's/^/q/' | sort
}

# Runs the pipeline, its input in.jsonl (or $1), the rest of the
# arguments or-send's; COST holds or-cost's.  Sets EXIT.
pipeline() {
	local in=in.jsonl st

	if [ $# -gt 0 ] && [ -f "$1" ]; then
		in=$1
		shift
	fi
	set +e
	or-route <"$in" 2>route.err | or-send -P 8 "$@" 2>send.err |
	    or-cost ${COST:-} 2>cost.err | or-log >out.jsonl 2>log.err
	st=("${PIPESTATUS[@]}")
	set -e
	rm -f chat.txt errors.txt
	EXIT=$(IFS='|'; echo "${st[*]}")
}

rows() {
	sqlite3 "$DB" 'SELECT count(*) FROM requests'
}

# The fault's row of the table, asserted cell by cell: IN OUT ROWS
# REQUESTS EXIT as expected.
row() {
	local name=${BATS_TEST_DESCRIPTION#fault: } out rows reqs

	out=$(wc -l <out.jsonl)
	rows=$(rows)
	reqs=$(requests)
	fault_row "$name" "$IN" "$out" "$rows" "$reqs" "$EXIT"
	[ "$IN" = "$1" ] || fail "records in: $IN, not $1"
	[ "$out" = "$2" ] || fail "records out: $out, not $2"
	[ "$rows" = "$3" ] || fail "rows stored: $rows, not $3"
	[ "$reqs" = "$4" ] || fail "requests: $reqs, not $4"
	[ "$EXIT" = "$5" ] || fail "exit: $EXIT, not $5 ($(cat route.err send.err cost.err log.err | head -5))"
}

# Every id of the input once in the output, in input order, and once in
# the log; with K, the ids of the input less every Kth record's (those
# that are not records).
ids_once() {
	if [ -n "${1:-}" ]; then
		seq "$N" | awk -v k="$1" 'NR % k { print "r" $0 }' >ids.in
	else
		jq -r '.id // empty' in.jsonl >ids.in
	fi
	jq -r '.id // empty' out.jsonl | cmp - ids.in ||
	    fail "the output's ids are not the input's, in order"
	sqlite3 "$DB" 'SELECT job FROM requests WHERE job IS NOT NULL' |
	    sort | cmp - <(sort ids.in) ||
	    fail "the log's ids are not the input's, once each"
}

# "COUNT PROMPT" for each prompt the server was asked more than once.
sent_twice() {
	chat_prompts | sort | uniq -c | awk '$1 > 1 { print $1, $2 }'
}

# The last message of each chat request the server received, read once.
chat_prompts() {
	[ -f chat.txt ] || jq -r 'select(.path == "/chat/completions") |
	    .body.messages[-1].content' "$FAKE_LOG" >chat.txt
	cat chat.txt
}

# The records of out.jsonl with an error: id, type, retryable, read once.
errors() {
	[ -f errors.txt ] || jq -r 'select(.error) |
	    "\(.id) \(.error.type) \(.error.retryable)"' out.jsonl >errors.txt
	cat errors.txt
}

# The records of out.jsonl with an error: "TYPE RETRYABLE" and a count.
error_kinds() {
	errors | cut -d ' ' -f 2- | sort | uniq -c | awk '{ print $1, $2, $3 }'
}

# The ids of the records that carry an error, sorted like prompts_every.
error_ids() {
	errors | cut -d ' ' -f 1 | sed 's/^r/q/' | sort
}

# Each record stored as it went out: status ok or its error's type.
log_statuses() {
	sqlite3 "$DB" 'SELECT status, count(*) FROM requests GROUP BY 1
	    ORDER BY 1' | tr '|' ' '
}

# --- server faults ---------------------------------------------------

@test "fault: server: 429 with Retry-After (every 10th)" {
	every 10 status 429 retry-after=1
	pipeline
	row "$N" "$N" "$N" $((N + N / 10)) "0|0|0|0"
	ids_once
	# a 429 is not billed: each was sent again, once
	[ "$(sent_twice)" = "$(prompts_every 10 | sed 's/^/2 /')" ]
	[ "$(error_kinds)" = "" ]
	[ "$(log_statuses)" = "ok $N" ]
}

@test "fault: server: 429 without Retry-After (every 10th)" {
	every 10 status 429 ratelimit-reset=+5
	pipeline
	row "$N" "$N" "$N" $((N + N / 10)) "0|0|0|0"
	ids_once
	[ "$(sent_twice)" = "$(prompts_every 10 | sed 's/^/2 /')" ]
	[ "$(log_statuses)" = "ok $N" ]
}

@test "fault: server: connection refused (every request)" {
	# the catalog cached while the server was up, for or-route
	or-models >/dev/null
	fake_stop
	export OPENROUTER_BASE_URL=http://127.0.0.1:1
	pipeline
	row "$N" "$N" "$N" 0 "0|1|1|1"
	ids_once
	[ "$(error_kinds)" = "$N network true" ]
	[ "$(log_statuses)" = "network $N" ]
	grep -q 'could not be reached, 5 requests in a row' send.err
}

@test "fault: server: reset mid-body (every 10th)" {
	every 10 cut
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	# cut after the headers: it may be billed, so not sent again
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(error_kinds)" = "$((N / 10)) network true" ]
	[ "$(log_statuses)" = "network $((N / 10))
ok $((N - N / 10))" ]
	[ "$(jq -r 'select(.error) | [.error.message, .error.curl_code, .error.status] | @tsv' out.jsonl | sort -u)" = $'transfer closed with outstanding read data remaining\t18\t200' ]
	# each keeps the answer's generation id, so it can still be priced
	[ "$(jq -r 'select(.error) | .error.generation_id | test("^gen-")' out.jsonl | sort -u)" = true ]
}

@test "fault: server: reset mid-stream (every 10th)" {
	records_streamed ". % 10 == 0"
	every 10 cut after=1
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(error_kinds)" = "$((N / 10)) stream true" ]
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | sort -u)" = "stream cut before data: [DONE]" ]
	# the text that came is kept, and priced
	[ "$(jq -r 'select(.error) | .response.choices[0].message.content' out.jsonl | sort -u)" = "Echo: " ]
	[ "$(jq -r 'select(.error) | .cost.source' out.jsonl | sort -u)" = generation ]
}

@test "fault: server: mid-stream error chunk (every 10th)" {
	records_streamed ". % 10 == 0"
	every 10 midstream-error after=1
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(jq -r 'select(.error) | [.error.type, .error.code, .error.message] | @tsv' out.jsonl | sort -u)" = $'stream\t400\tToken limit reached' ]
}

@test "fault: server: non-JSON 200 body (every 10th)" {
	every 10 garbage
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(error_kinds)" = "$((N / 10)) bad_response true" ]
	# the page's text says what happened; the bytes that came are kept
	[ "$(jq -r 'select(.error) | [.error.message, .error.received] | @tsv' out.jsonl | sort -u)" = $'HTTP 200: 502 Bad Gateway\t<html><body>502 Bad Gateway</body></html>' ]
}

@test "fault: server: 500/502/503 with HTML bodies (every 10th)" {
	local i codes=(500 502 503)
	# every 10th once, which a retry cures; every 50th four times,
	# the first try and the 3 retries
	for ((i = 10; i <= N; i += 10)); do
		fake "/chat/completions status ${codes[i / 10 % 3]} html=1 if=%22q$i%22"
		((i % 50)) || fake "/chat/completions status 503 html=1 if=%22q$i%22" \
		    "/chat/completions status 502 html=1 if=%22q$i%22" \
		    "/chat/completions status 500 html=1 if=%22q$i%22"
	done
	pipeline
	row "$N" "$N" "$N" $((N + N / 10 + 2 * N / 50)) "0|1|1|1"
	ids_once
	# a 5xx was not billed: sent again, up to 3 times
	[ "$(sent_twice | sort -k2)" = "$({ comm -23 <(prompts_every 10) <(prompts_every 50) | sed 's/^/2 /'; prompts_every 50 | sed 's/^/4 /'; } | sort -k2)" ]
	[ "$(error_ids)" = "$(prompts_every 50)" ]
	[ "$(jq -r 'select(.error) | [.error.type, .error.status, .error.retryable, .send.attempts] | @tsv' out.jsonl | sort -u)" = $'http\t500\ttrue\t4' ]
	[ "$(log_statuses)" = "http $((N / 50))
ok $((N - N / 50))" ]
	# the page's title says what happened, once, not its markup
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | sort -u)" = "HTTP 500: 500 Internal Server Error" ]
	[ "$(grep -c '^or-send: r50: HTTP 50[023]: 50[023] [A-Z][A-Za-z ]*; retry [123] of 3 in [0-9.]*s$' send.err)" -eq 3 ]
}

@test "fault: server: stall past the timeout (8 records)" {
	eight | each stall 5000
	OPENROUTER_TIMEOUT_MS=400 pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	# it timed out after the headers: it may be billed, not sent again
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(eight | sed 's/^/q/' | sort)" ]
	[ "$(error_kinds)" = "8 timeout true" ]
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | grep -Evx 'Operation timed out after [0-9]+ milliseconds with [0-9]+ bytes received')" = "" ]
}

@test "fault: server: stream stall past ORKIT_STALL_MS (8 records)" {
	# the records stream of their own ("stream": true), not by --stream
	records_streamed ". > $N / 2 and . <= $N / 2 + 8"
	eight | each stall 5000 after=1
	ORKIT_STALL_MS=300 pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(eight | sed 's/^/q/' | sort)" ]
	[ "$(error_kinds)" = "8 stream true" ]
	# ended by ORKIT_STALL_MS, not by the server's end 5 s on
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | sort -u)" = "stream stalled: no bytes for 0.3s (ORKIT_STALL_MS)" ]
	[ "$(jq -r 'select(.error) | .response.choices[0].message.content' out.jsonl | sort -u)" = "Echo: " ]
}

@test "fault: server: slow drip, never a stall (8 records)" {
	records_streamed ". > $N / 2 and . <= $N / 2 + 8"
	# a pause of 100 ms before every piece, a second in all
	eight | each keepalive 3 drip=100
	ORKIT_STALL_MS=300 pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(error_kinds)" = "" ]
	[ "$(jq -r 'select(.stream) | .response.choices[0].message.content' out.jsonl)" = "$(eight | sed 's/^/Echo: q/')" ]
}

@test "fault: server: truncated SSE (every 10th)" {
	records_streamed ". % 10 == 0"
	every 10 truncated after=1
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(error_kinds)" = "$((N / 10)) stream true" ]
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | sort -u)" = "stream cut before data: [DONE]" ]
	# what came before the cut is kept, and priced
	[ "$(jq -r 'select(.error) | [.response.choices[0].message.content, .cost.source] | @tsv' out.jsonl | sort -u)" = $'Echo: \tgeneration' ]
}

@test "fault: server: a 200 whose JSON is cut (every 10th)" {
	every 10 truncated
	pipeline
	row "$N" "$N" "$N" "$N" "0|1|1|1"
	ids_once
	[ "$(sent_twice)" = "" ]
	[ "$(error_ids)" = "$(prompts_every 10)" ]
	[ "$(error_kinds)" = "$((N / 10)) bad_response true" ]
	[ "$(jq -r 'select(.error) | .error.generation_id | test("^gen-")' out.jsonl | sort -u)" = true ]
	# what came is kept, so a person can see it
	[ "$(jq -r 'select(.error) | (.error.message | startswith("HTTP 200: {\"id\":\"gen-")), (.error.received | sub("^\\s+"; "") | startswith("{\"id\":\"gen-"))' out.jsonl | sort -u)" = true ]
}

@test "fault: server: a 10 MB answer (10 records, the 5th)" {
	N=10
	records
	fake "/chat/completions big 10485760 if=%22q5%22"
	pipeline
	row 10 10 10 10 "0|0|0|0"
	ids_once
	[ "$(error_kinds)" = "" ]
	[ "$(jq -r '.response.choices[0].message.content | length' out.jsonl | paste -sd ' ')" = "8 8 8 8 10485760 8 8 8 8 9" ]
	[ "$(sqlite3 "$DB" "SELECT length(answer) FROM requests WHERE job = 'r5'")" = 10485760 ]
}

@test "fault: server: invalid UTF-8 in content (every 10th)" {
	every 10 badutf8
	pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(sent_twice)" = "" ]
	# A line of JSON holds UTF-8 only: each byte that is not comes out
	# as U+FFFD, in the record and in the log alike.
	[ "$(jq -r 'select(.id == "r10") | .response.choices[0].message.content' out.jsonl)" = $'\xef\xbf\xbd\xef\xbf\xbdEcho: q10' ]
	[ "$(sqlite3 "$DB" "SELECT answer FROM requests WHERE job = 'r10'")" = $'\xef\xbf\xbd\xef\xbf\xbdEcho: q10' ]
	iconv -f UTF-8 -t UTF-8 out.jsonl >/dev/null
}

@test "fault: server: /generation 404 forever" {
	local wait=0.1
	# instrumented, a lookup takes longer than 0.1 s to leave or-cost:
	# few would reach the server to be answered 404
	instrumented && wait=2
	fake_stop
	fake_start -k 1000000000
	COST="-P 64 --wait $wait" pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	# the response's own figure, and a note that says why
	[ "$(jq -r .cost.source out.jsonl | sort -u)" = usage ]
	# (after the time it took, which may be more than --wait on a
	# loaded machine)
	[ "$(jq -r .cost.note out.jsonl | grep -Evx '/generation: (not found|no answer) after [0-9]+\.[0-9]s; usage.cost used')" = "" ]
	[ "$(jq -s 'map(.cost.usd == .response.usage.cost) | all' out.jsonl)" = true ]
	# each "not found" was asked for, and answered 404 (a lookup cut by
	# --wait may not have reached the server on a loaded machine)
	jq -r 'select(.path == "/generation") | .query.id' "$FAKE_LOG" | sort -u >asked
	[ "$(jq -r 'select(.cost.note | startswith("/generation: not found")) | .response.id' out.jsonl | sort | comm -23 - asked)" = "" ]
	[ "$(wc -l <asked)" -ge $((N / 2)) ]
}

@test "fault: server: /models down, a cached catalog" {
	or-models >/dev/null
	touch -d '2 hours ago' "$XDG_CACHE_HOME"/orkit/models.json
	fake "/models status 503 html=1" "/models status 503 html=1" "/models status 503 html=1" "/models status 503 html=1"
	pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(cat route.err)" = "or-route: cannot refresh the model catalog (HTTP 503: 503 Service Unavailable); using the cache from 2 h ago" ]
	# one to cache it, one to refresh it, which falls back at once
	[ "$(requests /models)" -eq 2 ]
}

@test "fault: server: /models down, no cached catalog" {
	# every 10th record names its model: it needs no catalog
	seq "$N" | jq -c '{id: "r\(.)", prompt: "q\(.)"} +
	    if . % 10 == 0 then {model: "openai/gpt-4o-mini"} else {} end' >in.jsonl
	fake "/models status 503 html=1" "/models status 503 html=1" \
	    "/models status 503 html=1" "/models status 503 html=1"
	pipeline
	# every record still written and stored; the ones to route with
	# an error that says why, which or-send passes on
	row "$N" "$N" "$N" $((N / 10)) "1|1|1|1"
	ids_once
	[ "$(requests /models)" -eq 4 ]
	[ "$(error_kinds)" = "$((N - N / 10)) no_route true" ]
	[ "$(jq -r 'select(.error) | .error.message' out.jsonl | sort -u)" = "no model catalog to route by: HTTP 503: 503 Service Unavailable" ]
	[ "$(jq -r 'select(.error | not) | .id' out.jsonl)" = "$(seq 10 10 "$N" | sed 's/^/r/')" ]
	[ "$(cat route.err)" = "or-route: cannot fetch the model catalog (HTTP 503: 503 Service Unavailable), and there is no cache at $XDG_CACHE_HOME/orkit/models.json
or-route: no model catalog: $((N - N / 10)) records written unrouted with error.type \"no_route\"" ]
	# once the catalog can be fetched, or-route routes them
	jq -c 'select(.error) | del(.error)' out.jsonl | or-route | or-send -P 8 >again.jsonl
	[ "$(jq -r 'select(.response) | .id' again.jsonl | wc -l)" -eq $((N - N / 10)) ]
}

# --- input faults ------------------------------------------------------

# in.jsonl with every Kth line replaced by what the awk program $2
# prints for it (NR its line number).
replace_every() {
	seq "$N" | jq -c '{id: "r\(.)", prompt: "q\(.)"}' |
	    awk -v k="$1" "NR % k == 0 { $2; next } { print }" >in.jsonl
	IN=$N
}

# The records of out.jsonl that carry a bad_input error: its line
# number, tab, the input it holds.
bad_inputs() {
	jq -r 'select(.error.type == "bad_input") |
	    "\(.error.line)\t\(.error.input)"' out.jsonl
}

# The tools' exit statuses when or-route failed some records and the
# others passed them on: each of them writes a record with an error.
ALL1="1|1|1|1"

@test "fault: input: non-JSON lines (every 10th)" {
	replace_every 10 'print "not json " NR'
	pipeline
	row "$N" "$N" "$N" $((N - N / 10)) "$ALL1"
	ids_once 10
	# each kept in its place, as it came, by the first tool
	[ "$(bad_inputs)" = "$(seq 10 10 "$N" | awk '{ print $1 "\tnot json " $1 }')" ]
	[ "$(jq -r 'select(.error) | .error.tool' out.jsonl | sort -u)" = or-route ]
	[ "$(jq -r 'select(.error) | .id // "-"' out.jsonl | sort -u)" = - ]
	[ "$(awk 'NR % 10 == 0' out.jsonl | jq -r .error.input | paste -sd ' ')" = "$(seq 10 10 "$N" | sed 's/^/not json /' | paste -sd ' ')" ]
	[ "$(log_statuses)" = "bad_input $((N / 10))
ok $((N - N / 10))" ]
	[ "$(sent_twice)" = "" ]
}

@test "fault: input: empty lines (after every 10th)" {
	seq "$N" | jq -c '{id: "r\(.)", prompt: "q\(.)"}' |
	    awk '{ print } NR % 10 == 0 { print ""; print " \t " }' >in.jsonl
	pipeline
	# blank lines are no records: skipped
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(error_kinds)" = "" ]
}

@test "fault: input: CRLF endings" {
	sed -i 's/$/\r/' in.jsonl
	pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(error_kinds)" = "" ]
	# the prompt sent is the one written, with no CR
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.messages[-1].content' "$FAKE_LOG" | sort)" = "$(seq "$N" | sed 's/^/q/' | sort)" ]
	# and the records go out as lines of their own, with no CR
	[ "$(grep -c $'\r' out.jsonl)" -eq 0 ]
}

@test "fault: input: no final newline" {
	printf '%s' "$(cat in.jsonl)" >in2.jsonl
	mv in2.jsonl in.jsonl
	[ "$(tail -c 1 in.jsonl)" = "}" ]
	pipeline
	row "$N" "$N" "$N" "$N" "0|0|0|0"
	ids_once
	[ "$(tail -n 1 out.jsonl | jq -r .response.choices[0].message.content)" = "Echo: q$N" ]
	[ "$(tail -c 1 out.jsonl | od -An -c | tr -d ' ')" = '\n' ]
}

@test "fault: input: NUL bytes (every 10th)" {
	replace_every 10 'printf "{\"id\":\"r%d\",\"prompt\":\"q%c%d\"}\n", NR, 0, NR'
	[ "$(tr -dc '\0' <in.jsonl | wc -c)" -eq $((N / 10)) ]
	pipeline
	row "$N" "$N" "$N" $((N - N / 10)) "$ALL1"
	ids_once 10
	# each kept as it came, NUL and all, and said where
	[ "$(awk 'NR % 10 == 0' out.jsonl | jq -c '.error | [.tool, .line, .input]')" = "$(seq 10 10 "$N" | jq -c '["or-route", ., "{\"id\":\"r\(.)\",\"prompt\":\"q\u0000\(.)\"}"]')" ]
	[ "$(sed -n 1p route.err)" = "or-route: line 10: not a record: a raw control character (0x00) in a string at byte offset 23; JSON escapes it" ]
	[ "$(wc -l <route.err)" -eq $((N / 10)) ]
}

@test "fault: input: a JSON array or number line (every 10th)" {
	replace_every 10 'print (NR % 20 ? "[" NR ",\"q\"]" : NR)'
	pipeline
	row "$N" "$N" "$N" $((N - N / 10)) "$ALL1"
	ids_once 10
	[ "$(bad_inputs)" = "$(seq 10 10 "$N" | awk '{ print $1 "\t" ($1 % 20 ? "[" $1 ",\"q\"]" : $1) }')" ]
	[ "$(sed -n 1,2p route.err)" = "or-route: line 10: not a JSON object or string: a JSON array (one object per line: jq -c; plain text: jq -cR '{prompt: .}')
or-route: line 20: not a JSON object or string: a JSON number (one object per line: jq -c; plain text: jq -cR '{prompt: .}')" ]
}

@test "fault: input: 100,000-deep nesting (every 50th)" {
	local deep i
	deep=$(printf '%100000s' | tr ' ' '[')$(printf '%100000s' | tr ' ' ']')
	for ((i = 1; i <= N; i++)); do
		if ((i % 50)); then
			printf '{"id":"r%d","prompt":"q%d"}\n' "$i" "$i"
		else
			printf '{"id":"r%d","prompt":"q%d","meta":%s}\n' "$i" "$i" "$deep"
		fi
	done >in.jsonl
	pipeline
	row "$N" "$N" "$N" $((N - N / 50)) "$ALL1"
	ids_once 50
	# JSON, but deeper than libjv reads: no hint to use jq -c
	[ "$(awk 'NR % 50 == 0' out.jsonl | jq -r '.error | "\(.type) \(.line) \(.message)"' | sed 's/column [0-9]*$/column C/')" = "$(seq 50 50 "$N" | sed 's/.*/bad_input & not a record: Exceeds depth limit for parsing at column C/')" ]
	[ "$(awk 'NR % 50 == 0' out.jsonl | jq -r .error.input | cmp - <(awk 'NR % 50 == 0' in.jsonl))" = "" ]
}

@test "fault: input: invalid UTF-8 (every 10th)" {
	replace_every 10 'printf "{\"id\":\"r%d\",\"prompt\":\"q%d\377\"}\n", NR, NR'
	pipeline
	row "$N" "$N" "$N" $((N - N / 10)) "$ALL1"
	ids_once 10
	# said where, and kept byte for byte in input_base64
	[ "$(sed -n 1p route.err)" = "or-route: line 10: not a record: not UTF-8 at byte offset 25" ]
	awk 'NR % 10 == 0' out.jsonl | jq -r .error.input_base64 | while read -r b; do printf '%s' "$b" | base64 -d; echo; done | cmp - <(awk 'NR % 10 == 0' in.jsonl)
	iconv -f UTF-8 -t UTF-8 out.jsonl >/dev/null
}

@test "fault: input: a 10 MB prompt (10 records, the 5th)" {
	N=10
	records
	head -c 10485760 /dev/zero | tr '\0' x | jq -Rc '{id: "r5", prompt: .}' >big.json
	sed -i "5{r big.json
d}" in.jsonl
	[ "$(sed -n 5p in.jsonl | wc -c)" -gt 10485760 ]
	pipeline
	row 10 10 10 9 "1|1|1|1"
	ids_once
	# no model holds it: or-route says so, and or-send sends nothing
	[ "$(jq -c 'select(.error) | [.id, .error.tool, .error.type, .error.message]' out.jsonl)" = '["r5","or-route","no_route","no model fits: the request context constraint left none of the 321 in the catalog"]' ]
	[ "$(sqlite3 "$DB" "SELECT status, length(prompt) FROM requests WHERE job = 'r5'")" = "no_route|10485760" ]
}
