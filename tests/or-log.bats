#!/usr/bin/env bats
# or-log: records into SQLite and on, and the questions asked of them.

load helper

REC=$FIXTURES/log/records.jsonl

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR"
	DB=$BATS_TEST_TMPDIR/log.db
	export ORKIT_DB=$DB
}

teardown() {
	fake_stop
	if [ -n "${MNT:-}" ]; then
		umount "$MNT" 2>/dev/null || umount -l "$MNT" 2>/dev/null || true
	fi
}

# A column of the log, one value a line (or a whole query).
q() {
	sqlite3 "${2:-$DB}" "$1"
}

# The five fixture records, stored.
logged() {
	or-log <"$REC" >/dev/null || [ $? -eq 1 ]
}

# --- usage -----------------------------------------------------------

@test "--version prints the version" {
	run -0 --separate-stderr or-log --version
	assert_output "or-log $(cat "$TOP/VERSION")"
}

@test "--help prints the summary on stdout, a mistake the usage on stderr" {
	run -0 --separate-stderr or-log --help
	assert_line --index 0 --regexp '^usage: or-log \[-d FILE\] \[--receipt \| -t\] < records '
	assert_line 'Reading the log:'
	[ "$stderr" = "" ]
	# a command's own flags, as a user typing it wants them
	run -0 --separate-stderr or-log -d x.db stats --help
	assert_line --index 0 'usage: or-log [-d FILE] stats [options]'
	assert_line --partial '      --chart '
	# a mistake: what is wrong, then the one-line usage, the command's
	run -2 --separate-stderr or-log stats --by
	assert_output ''
	[ "$stderr" = "or-log: option '--by' requires an argument
usage: or-log [-d db] stats [-t] [--by key] [--since t] [--until t] [--model m] [--where sql] [--chart]" ]
	run -2 --separate-stderr or-log stats --bogus
	[ "$stderr" = "or-log: unrecognized option '--bogus'
usage: or-log [-d db] stats [-t] [--by key] [--since t] [--until t] [--model m] [--where sql] [--chart]" ]
	run -2 --separate-stderr or-log budget --warn x
	[ "${stderr_lines[1]}" = 'usage: or-log [-d db] budget [-t] [--day usd] [--month usd] [--budget spec] [--warn w[,c]] [--config file]' ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	run -2 --separate-stderr or-log frobnicate
	[ "$stderr" = 'or-log: no subcommand "frobnicate"
usage: or-log [-d db] [--receipt | -t] | or-log [-d db] stats | recent | search | show | export | sql | report | budget | pending | cache | prune | merge ...' ]
}

@test "an unknown flag, subcommand or misplaced flag is a usage error, exit 2" {
	run -2 --separate-stderr or-log --bogus </dev/null
	[ "${stderr_lines[0]}" = "or-log: unrecognized option '--bogus'" ]
	run -2 --separate-stderr or-log frobnicate
	[ "${stderr_lines[0]}" = 'or-log: no subcommand "frobnicate"' ]
	run -2 --separate-stderr or-log recent --csv
	[ "${stderr_lines[0]}" = "or-log: recent does not take --csv" ]
	run -2 --separate-stderr or-log search --since 7d x
	[ "${stderr_lines[0]}" = "or-log: search does not take --since" ]
	run -2 --separate-stderr or-log recent --where=1
	[ "${stderr_lines[0]}" = "or-log: recent does not take --where" ]
	run -2 --separate-stderr or-log --by model </dev/null
	[ "${stderr_lines[0]}" = "or-log: appending does not take --by" ]
	run -2 --separate-stderr or-log show
	[ "${stderr_lines[0]}" = "or-log: show takes one operand" ]
	run -2 --separate-stderr or-log stats --since yesterday
	[ "${stderr_lines[0]}" = "or-log: --since wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)" ]
	run -2 --separate-stderr or-log prune
	[ "${stderr_lines[0]}" = "or-log: prune wants --before" ]
	[ ! -e "$DB" ]
}

# An attribute of or-log report's page, by XPath (libxml2-utils).
page() {
	xmllint --xpath "string($2)" "$1"
}

# Every group of `or-log stats ARGS` against the page's row for it.
same_as_stats() {
	local html=$1 table=$2 key=$3 g k
	shift 3
	[ "$(or-log stats --by "$key" "$@" | wc -l)" -eq "$(page "$html" "count(//table[@id='$table']/tr[@data-$key])")" ]
	while IFS= read -r g; do
		k=$(jq -r ".$key" <<<"$g")
		row="//table[@id='$table']/tr[@data-$key='$k']"
		[ "$(page "$html" "$row/@data-requests")" = "$(jq .requests <<<"$g")" ]
		[ "$(page "$html" "$row/@data-failures")" = "$(jq .failures <<<"$g")" ]
		# The same dollars to the picodollar, however written.
		[ "$(jq -n "$(page "$html" "$row/@data-usd") * 1e12 | round")" = "$(jq '.usd * 1e12 | round' <<<"$g")" ]
		if [ "$key" = model ]; then
			[ "$(page "$html" "$row/@data-p50")" = "$(jq .latency_p50_ms <<<"$g")" ]
			[ "$(page "$html" "$row/@data-p95")" = "$(jq .latency_p95_ms <<<"$g")" ]
		fi
	done < <(or-log stats --by "$key" "$@")
}

# --- appending -------------------------------------------------------

@test "append: records go out byte for byte, every one stored" {
	run -1 --separate-stderr bash -c 'or-log <"$0" >out.jsonl' "$REC"
	cmp out.jsonl "$REC"
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
	[ "$(q 'SELECT group_concat(job) FROM requests')" = "job-1,job-2,job-3,job-4,job-5" ]
	# The stored record is the line itself, big numbers and all.
	[ "$(q 'SELECT record FROM requests WHERE id = 5')" = "$(sed -n 5p "$REC")" ]
}

@test "append: a count past 64 bits is stored as unknown, not a wrapped integer" {
	run -0 or-log <<<'{"id":"huge","model":"a/b","cost":{"prompt_tokens":1e300,"completion_tokens":-1e300,"reasoning_tokens":3},"send":{"status":1e19,"latency_ms":5}}'
	[ "$(q "SELECT quote(http), quote(prompt_tokens), quote(completion_tokens), reasoning_tokens, latency_ms FROM requests")" = "NULL|NULL|NULL|3|5" ]
}

@test "append: the columns extracted from a record" {
	logged
	run -0 q "SELECT ts, job, model, served, provider, gen_id, status, http,
	    prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens,
	    usd, usd_source, latency_ms, ttft_ms, cached, prompt, answer
	    FROM requests ORDER BY id"
	assert_output - <<'EOF'
1795168800000|job-1|openai/gpt-5|openai/gpt-5|OpenAI|gen-1761054225-FM4MnnS8EeJreVmGVKEj|ok|200|19|77|64|0|0.00079375|usage|1200||0|Say hi in Portuguese|Oi! (or Olá!)
1795172400000|job-2|anthropic/claude-sonnet-4|anthropic/claude-sonnet-4|Google|gen-1758884862-nNnfpZfNjYv7wX3JRgcl|ok|200|16|18|0|0|0.000318|generation|800|350|0|Say hi in Portuguese|Olá! 

(That's "hi" in Portuguese!)
1795253400000|job-3|deepseek/deepseek-chat-v3.1:free|deepseek/deepseek-chat-v3.1:free|DeepInfra|gen-1758884896-Vxp1md82hWmmqrwPbsR2|ok|200|13|4|0|0|0.0|usage|400||0|Answer in one word.
Say hi in Portuguese|Olá!
1795253460000|job-4|openai/gpt-5||||rate_limit_exceeded|429|||||||300||0|Why is the sky blue?|Rate limit exceeded: upstream timeout
1795334400000|job-5|openai/gpt-5|openai/gpt-5|OpenAI|gen-1761054300-Fr3nchGreet1ngXyZabc|ok|200|19|77|64|0|0.00079375|usage|2000||0|Say hi in French|Salut !
EOF
}

@test "append: an error record is stored and makes the exit status 1" {
	sed -n 4p "$REC" >err.jsonl
	run -1 --separate-stderr bash -c 'or-log <err.jsonl'
	assert_output "$(cat err.jsonl)"
	[ "$stderr" = "" ]
	[ "$(q 'SELECT status, http FROM requests')" = "rate_limit_exceeded|429" ]
}

@test "append: a prompt line and a line that is not JSON are stored as they go out" {
	printf '"just a prompt"\nnot json\n' >in
	run -1 --separate-stderr or-log <in
	assert_line --index 0 '{"prompt":"just a prompt"}'
	assert_line --index 1 '{"error":{"tool":"or-log","type":"bad_input","message":"not a JSON object or string: Invalid numeric literal at column 4 (one object per line: jq -c; plain text: jq -cR '\''{prompt: .}'\'')","retryable":false,"line":2,"input":"not json"}}'
	[ "$(q "SELECT record FROM requests WHERE id = 1")" = '{"prompt":"just a prompt"}' ]
	[ "$(q "SELECT status || ' ' || record FROM requests WHERE id = 2")" = "bad_input ${lines[1]}" ]
	[ "$stderr" = "or-log: line 2: not a JSON object or string: Invalid numeric literal at column 4 (one object per line: jq -c; plain text: jq -cR '{prompt: .}')" ]
}

# bats test_tags=plain
@test "a ten-megabyte record goes through whole and is stored whole" {
	{ printf '{"id":"big","prompt":"'; head -c 10000000 /dev/zero | tr '\0' x; printf ' needle"}\n'; } >big.jsonl
	cat big.jsonl "$REC" >in
	run -1 --separate-stderr bash -c 'set -o pipefail; or-log <in | cmp - in'
	[ "$stderr" = "" ]
	[ "$(q "SELECT length(record), length(prompt) FROM requests WHERE job = 'big'")" = "10000031|10000007" ]
	[ "$(or-log search needle | jq -r .id)" = 1 ]
}

@test "--receipt adds where the record was stored" {
	head -2 "$REC" >in
	run -0 --separate-stderr or-log -d "$DB" --receipt <in
	[ "$(jq -c .log <<<"${lines[0]}")" = "{\"db\":\"$DB\",\"id\":1}" ]
	[ "$(jq -c .log <<<"${lines[1]}")" = "{\"db\":\"$DB\",\"id\":2}" ]
	# Otherwise the line is the one that came in.
	[ "$(jq -c 'del(.log)' <<<"${lines[0]}")" = "$(head -1 in | jq -c .)" ]
}

# bats test_tags=plain
@test "--receipt: 1,300 records, stored 512 to a statement, keep their order; one asked twice in them, or stored before, is its first row" {
	jq -nc 'range(1300) | {id: "j\(.)", prompt: "p\(.)",
	    response: {id: "gen-\(if . % 100 == 1 then . - 1 else . end)",
	    choices: [{message: {content: "a"}}]}}' >in
	head -5 in | or-log -d "$DB" >/dev/null
	run -0 --separate-stderr bash -c 'or-log -d "$0" --receipt <in >out' "$DB"
	[ "$stderr" = "" ]
	[ "$(jq -c 'del(.log)' out | cmp - in && echo same)" = same ]
	# Each the row of its generation id, a duplicate after the first.
	sqlite3 -json "$DB" 'SELECT gen_id, id FROM requests' >rows.json
	jq -r --slurpfile r rows.json '($r[0] | map({(.gen_id): .id}) | add)
	    as $id | [.id, $id[.response.id], (.id | ltrimstr("j") |
	    tonumber) as $n | $n < 5 or $n % 100 == 1] | @tsv' in >want
	jq -r '[.id, .log.id, .log.duplicate // false] | @tsv' out >got
	[ "$(cmp got want && echo same)" = same ]
	[ "$(q "SELECT count(*), count(DISTINCT gen_id), min(job) FROM requests WHERE job IN ('j0', 'j1', 'j100', 'j101')")" = "2|2|j0" ]
	[ "$(q 'SELECT count(*) FROM requests')" = 1287 ]
}

@test "record_hash is the SHA-256 of the record stored, at every length about a 64-byte block's end" {
	jq -nc 'range(0; 141), 1000, 100000 |
	    {prompt: ([range(.) | "x"] | add // "")}' >in
	or-log -d "$DB" <in >/dev/null
	q 'SELECT record_hash FROM requests ORDER BY id' >got
	while IFS= read -r line; do
		printf '%s' "$line" | sha256sum | cut -d' ' -f1
	done <in >want
	[ "$(wc -l <got)" -eq 143 ]
	[ "$(cmp got want && echo same)" = same ]
}

@test "the default log is \$XDG_DATA_HOME/orkit/log.db, made 0600 even under umask 022" {
	unset ORKIT_DB
	run -0 --separate-stderr bash -c 'umask 022; head -1 "$0" | or-log >/dev/null' "$REC"
	[ "$(stat -c %a "$XDG_DATA_HOME/orkit/log.db")" = 600 ]
	[ "$(stat -c %a "$XDG_DATA_HOME/orkit")" = 700 ]
	[ "$(q 'SELECT count(*) FROM requests' "$XDG_DATA_HOME/orkit/log.db")" -eq 1 ]
	[ "$(q 'PRAGMA journal_mode' "$XDG_DATA_HOME/orkit/log.db")" = wal ]
}

# Feeds or-log from a fifo so the test decides when records arrive.
start_fed() {
	mkfifo in
	umask 022
	or-log <in >out 2>err &
	LOG_PID=$!
	exec 7>in
}

@test "a slow trickle is written on promptly; -wal and -shm are 0600 too" {
	start_fed
	head -1 "$REC" >&7
	wait_lines out 1
	[ "$(stat -c %a "$DB" "$DB-wal" "$DB-shm" | sort -u)" = 600 ]
	sed -n 2p "$REC" >&7
	wait_lines out 2
	exec 7>&-
	wait "$LOG_PID"
	cmp out <(head -2 "$REC")
}

@test "kill -9 mid-stream: every record that came out is in the database" {
	seq 300 | jq -c '{id: "k\(.)", prompt: "q\(.)"}' >all.jsonl
	start_fed
	head -200 all.jsonl >&7
	wait_lines out 200
	tail -n +201 all.jsonl >&7
	kill -9 "$LOG_PID"
	wait "$LOG_PID" || true
	exec 7>&-
	n=$(wc -l <out)
	[ "$n" -ge 200 ]
	jq -r .id out | sort >came-out
	q 'SELECT job FROM requests' | sort >stored
	[ -z "$(comm -23 came-out stored)" ]
}

# bats test_tags=plain
@test "eight or-logs appending at once store every row exactly once" {
	# Each writer's records its own: the same bytes twice are one row.
	for i in 1 2 3 4 5 6 7 8; do
		seq 1000 | jq -c --arg w $i '{id: "w\(.)", prompt: "question \(.)", writer: $w}' >jobs.$i
	done
	for i in 1 2 3 4 5 6 7 8; do
		or-log <jobs.$i >out.$i 2>err.$i &
	done
	wait
	[ "$(q 'SELECT count(*) FROM requests')" -eq 8000 ]
	[ "$(q 'SELECT count(DISTINCT job) FROM requests')" -eq 1000 ]
	[ "$(cat out.* | wc -l)" -eq 8000 ]
	[ "$(cat err.*)" = "" ]
}

@test "disk full: records still go out, the failure on stderr, exit 1" {
	for i in $(seq 40); do cat "$REC"; done >in
	run -1 --separate-stderr bash -c 'set -o pipefail; (ulimit -f 96; exec or-log) <in | cat >out'
	# Every record goes out; those not stored say so, and why.
	[ "$(wc -l <out)" -eq 200 ]
	diff <(jq -c 'del(.log)' out) <(jq -c . in)
	# The disk may fill while the log is being made: then it has no
	# tables at all (version 0), never some of them.
	if [ "$(q 'PRAGMA user_version')" -eq 0 ]; then
		[ "$(q "SELECT count(*) FROM sqlite_schema")" -eq 0 ]
		n=0
	else
		n=$(q 'SELECT count(*) FROM requests')
	fi
	[ "$(jq -c 'select(.log.stored == false)' out | wc -l)" -eq $((200 - n)) ]
	[[ "${stderr_lines[0]}" == "or-log: $DB: not storing, from job "*" on: "* ]]
	[[ "${stderr_lines[-1]}" == "or-log: $DB: "*" records not stored, the first job "*"; to store them, feed the output back: jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log" ]]
}

@test "read-only database: records still go out, the failure on stderr, exit 1" {
	logged
	run -1 --separate-stderr bash -c 'or-log -d "file:$0?mode=ro" <"$1" >out' "$DB" "$REC"
	diff <(jq -c 'del(.log)' out) <(jq -c . "$REC")
	[ "$(jq -c .log out | sort -u)" = '{"stored":false,"reason":"attempt to write a readonly database"}' ]
	[ "${stderr_lines[0]}" = "or-log: file:$DB?mode=ro: not storing, from job \"job-1\" on: attempt to write a readonly database; each record left out is marked \"log\": {\"stored\": false}" ]
	[ "${stderr_lines[1]}" = "or-log: file:$DB?mode=ro: 5 records not stored, the first job \"job-1\"; to store them, feed the output back: jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
}

@test "a file that cannot be a log: records still go out, exit 1" {
	echo "not a database at all, just some text that is long enough" >"$DB"
	run -1 --separate-stderr bash -c 'or-log <"$0" >out' "$REC"
	diff <(jq -c 'del(.log)' out) <(jq -c . "$REC")
	[ "$(jq -c .log out | sort -u)" = '{"stored":false,"reason":"file is not a database"}' ]
	[ "${stderr_lines[0]}" = "or-log: $DB: not storing, from job \"job-1\" on: file is not a database; each record left out is marked \"log\": {\"stored\": false}" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	run -1 --separate-stderr or-log </dev/null
	[ "$stderr" = "or-log: $DB: file is not a database" ]
}

# --- schema ----------------------------------------------------------

@test "a version 1 log is upgraded in place, its rows kept" {
	sqlite3 "$DB" <"$FIXTURES/log/v1.sql"
	q "INSERT INTO requests(ts, status, prompt, record) VALUES (1, 'ok', 'an old question', '{}')"
	run -0 --separate-stderr or-log -d "$DB" </dev/null
	assert_output ''
	[ "$stderr" = "" ]
	run -0 --separate-stderr or-log search old
	assert_output '{"id":1,"time":"1970-01-01T00:00:00Z","model":null,"status":"ok","snippet":"an [old] question"}'
	[ "$(q 'PRAGMA user_version')" -eq 5 ]
	[ "$(q "SELECT group_concat(name) FROM sqlite_master WHERE type = 'index' ORDER BY name")" = "requests_job,requests_gen,requests_hash,requests_stats,requests_once,requests_cid" ]
	head -1 "$REC" | or-log >/dev/null
	[ "$(q 'SELECT count(*) FROM requests')" -eq 2 ]
}

@test "the upgrade to v3 moves rows held twice to requests_doubles: counted once, none lost" {
	sqlite3 "$DB" <"$FIXTURES/log/v1.sql"
	q "INSERT INTO requests(ts, status, gen_id, usd, prompt, record) VALUES
	    (1, 'ok', 'gen-a', 0.5, 'first', '{\"n\":1}'),
	    (2, 'ok', 'gen-a', 0.5, 'again', '{\"n\":2}'),
	    (3, 'ok', 'gen-b', 0.25, 'other', '{\"n\":3}')"
	run -0 --separate-stderr or-log -d "$DB" </dev/null
	[ "$(q 'SELECT group_concat(id) FROM requests')" = "1,3" ]
	[ "$(q 'SELECT id, gen_id, prompt FROM requests_doubles')" = "2|gen-a|again" ]
	run -0 --separate-stderr or-log stats
	[ "$(jq -r '.usd' <<<"$output")" = 0.75 ]
	run -0 --separate-stderr or-log search again
	assert_output ''
}

# A reader refused with $want, and nothing on stdout.
refused() {
	run -2 --separate-stderr or-log "$@"
	assert_output ''
	[ "$stderr" = "$want" ]
}

@test "a reader of an older log leaves it as it is and says how to upgrade it, exit 2" {
	sqlite3 "$DB" <"$FIXTURES/log/v1.sql"
	q "INSERT INTO requests(ts, status, prompt, record) VALUES (1, 'ok', 'an old question', '{}')"
	cp "$DB" before.db
	want="or-log: $DB: log schema v1 is older than this orkit's v5; run 'or-log -d $DB </dev/null' once to upgrade it"
	refused stats
	refused recent
	refused search old
	refused show 1
	refused export
	refused sql 'SELECT 1'
	refused pending <"$REC"
	refused cache <"$REC"
	cmp "$DB" before.db
	[ "$(q 'PRAGMA user_version')" -eq 1 ]
	[ ! -e "$DB-wal" ]
	# The command it names is the upgrade.
	cmd=${stderr#*run \'}
	cmd=${cmd%%\'*}
	[ "$cmd" = "or-log -d $DB </dev/null" ]
	run -0 --separate-stderr bash -c "$cmd"
	[ "$stderr" = "" ]
	[ "$(q 'PRAGMA user_version')" -eq 5 ]
	run -0 --separate-stderr or-log search old
	[ "$(jq -r .snippet <<<"$output")" = "an [old] question" ]
}

@test "a log newer than this or-log is refused, exit 2, input left unread" {
	logged
	q 'PRAGMA user_version = 99'
	run -2 --separate-stderr bash -c 'or-log; s=$?; cat; exit $s' <"$REC"
	[ "$stderr" = "or-log: $DB: schema version 99 is newer than this orkit's (5); use a newer orkit" ]
	assert_output "$(cat "$REC")"
	run -2 --separate-stderr or-log stats
	[ "$stderr" = "or-log: $DB: schema version 99 is newer than this orkit's (5); use a newer orkit" ]
}

# --- queries ---------------------------------------------------------

@test "stats: one record per model, the costliest first" {
	logged
	run -0 --separate-stderr or-log stats
	assert_output - <<'EOF'
{"model":"openai/gpt-5","requests":3,"failures":1,"prompt_tokens":38,"completion_tokens":154,"reasoning_tokens":128,"cached_tokens":0,"usd":0.0015875,"latency_mean_ms":1167,"latency_p50_ms":1200,"latency_p95_ms":2000}
{"model":"anthropic/claude-sonnet-4","requests":1,"failures":0,"prompt_tokens":16,"completion_tokens":18,"reasoning_tokens":0,"cached_tokens":0,"usd":0.000318,"latency_mean_ms":800,"latency_p50_ms":800,"latency_p95_ms":800}
{"model":"deepseek/deepseek-chat-v3.1:free","requests":1,"failures":0,"prompt_tokens":13,"completion_tokens":4,"reasoning_tokens":0,"cached_tokens":0,"usd":0,"latency_mean_ms":400,"latency_p50_ms":400,"latency_p95_ms":400}
EOF
}

@test "stats: mean, median and 95th percentile by nearest rank over shuffled latencies" {
	seq 0 100 | jq -c '{prompt: "p\(.)", model: "m", send: {latency_ms: ((. * 37 % 101) * 10)}}' |
	    or-log >/dev/null
	run -0 --separate-stderr or-log stats
	assert_output '{"model":"m","requests":101,"failures":0,"prompt_tokens":0,"completion_tokens":0,"reasoning_tokens":0,"cached_tokens":0,"usd":0,"latency_mean_ms":500,"latency_p50_ms":500,"latency_p95_ms":950}'
}

@test "stats -t --by day: a table in date order" {
	logged
	run -0 --separate-stderr or-log stats -t --by day
	assert_output - <<'EOF'
DAY         REQUESTS  FAILURES  PROMPT  COMPLETION  USD         MEAN MS  P50 MS  P95 MS
2026-11-20         2         0      35          95  0.00111175     1000     800    1200
2026-11-21         2         1      13           4    0.000000      350     300     400
2026-11-22         1         0      19          77  0.00079375     2000    2000    2000
EOF
	run -0 --separate-stderr bash -c 'or-log stats --by hour | jq -r "[.hour, .requests] | @tsv"'
	assert_output $'2026-11-20T10\t1\n2026-11-20T11\t1\n2026-11-21T09\t2\n2026-11-22T08\t1'
}

@test "stats -t on a narrow terminal: the figures it can do without left out, then the key cut" {
	logged
	# 80 columns: the model ids whole, for models compared side by side.
	run -0 env COLUMNS=80 script -qec "or-log stats -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<EOF
MODEL                             REQUESTS  FAILURES  USD        P50 MS  P95 MS
openai/gpt-5                             3         1  0.0015875    1200    2000
anthropic/claude-sonnet-4                1         0   0.000318     800     800
deepseek/deepseek-chat-v3.1:free         1         0   0.000000     400     400
EOF
	# 60: more figures left out, the ids still whole
	run -0 env COLUMNS=60 script -qec "or-log stats -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<EOF
MODEL                             REQUESTS  USD
openai/gpt-5                             3  0.0015875
anthropic/claude-sonnet-4                1   0.000318
deepseek/deepseek-chat-v3.1:free         1   0.000000
EOF
	# 40: then the key is cut
	run -0 env COLUMNS=40 script -qec "or-log stats -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<EOF
MODEL                REQUESTS  USD
openai/gpt-5                3  0.0015875
anthropic/claude-s…         1   0.000318
deepseek/deepseek-…         1   0.000000
EOF
	# Piped, nothing is cut or left out.
	[ "$(COLUMNS=60 or-log stats -t | head -1)" = "MODEL                             REQUESTS  FAILURES  PROMPT  COMPLETION  USD        MEAN MS  P50 MS  P95 MS" ]
}

@test "--since takes the grammar every tool takes: seconds, s m h d w, fractions, dates" {
	logged
	all=$(or-log stats --since 2000-01-01)
	[ -n "$all" ]
	for t in 3153600000 52560000m 36500d 5214w 1.5e3d; do
		[ "$(or-log stats --since "$t")" = "$all" ] || fail "--since $t"
	done
	run -0 --separate-stderr or-log stats --since 90
	assert_output ''
	run -2 --separate-stderr or-log stats --since 1y
	[ "${stderr_lines[0]}" = "or-log: --since wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)" ]
}

@test "stats --since, --until, --model, --where and --by provider narrow it" {
	logged
	run -0 --separate-stderr or-log stats --by provider --since 2026-11-20T10:30:00Z --until 2026-11-22
	assert_output - <<'EOF'
{"provider":"Google","requests":1,"failures":0,"prompt_tokens":16,"completion_tokens":18,"reasoning_tokens":0,"cached_tokens":0,"usd":0.000318,"latency_mean_ms":800,"latency_p50_ms":800,"latency_p95_ms":800}
{"provider":null,"requests":1,"failures":1,"prompt_tokens":0,"completion_tokens":0,"reasoning_tokens":0,"cached_tokens":0,"usd":0,"latency_mean_ms":300,"latency_p50_ms":300,"latency_p95_ms":300}
{"provider":"DeepInfra","requests":1,"failures":0,"prompt_tokens":13,"completion_tokens":4,"reasoning_tokens":0,"cached_tokens":0,"usd":0,"latency_mean_ms":400,"latency_p50_ms":400,"latency_p95_ms":400}
EOF
	run -0 --separate-stderr or-log stats --by job --model openai/gpt-5 --where "status = 'ok'"
	assert_output - <<'EOF'
{"job":"job-1","requests":1,"failures":0,"prompt_tokens":19,"completion_tokens":77,"reasoning_tokens":64,"cached_tokens":0,"usd":0.00079375,"latency_mean_ms":1200,"latency_p50_ms":1200,"latency_p95_ms":1200}
{"job":"job-5","requests":1,"failures":0,"prompt_tokens":19,"completion_tokens":77,"reasoning_tokens":64,"cached_tokens":0,"usd":0.00079375,"latency_mean_ms":2000,"latency_p50_ms":2000,"latency_p95_ms":2000}
EOF
	run -2 --separate-stderr or-log stats --where 'nosuch = 1'
	[ "$stderr" = "or-log: stats: no such column: nosuch" ]
	run -2 --separate-stderr or-log stats --by week
	[ "${stderr_lines[0]}" = "or-log: --by wants model, provider, job, day or hour" ]
}

@test "stats --chart: ASCII bars of USD when piped" {
	logged
	run -0 --separate-stderr bash -c 'or-log stats --chart | cat'
	assert_output - <<'EOF'
openai/gpt-5                      ######################################## $0.001587
anthropic/claude-sonnet-4         ######## $0.000318
deepseek/deepseek-chat-v3.1:free   $0.000000
EOF
	run -0 --separate-stderr bash -c 'or-log stats --chart --by day --where "usd IS NULL OR usd = 0" | cat'
	assert_output '2026-11-21  ######################################## 2'
}

@test "recent: the last records as stored, oldest first; -t a table" {
	logged
	run -0 --separate-stderr or-log recent -n 2
	assert_output "$(tail -2 "$REC")"
	run -0 --separate-stderr or-log recent -t
	assert_output - <<'EOF'
ID  TIME                 MODEL                             STATUS               TOKENS  USD         MS    CID  PROMPT
 1  2026-11-20T10:00:00  openai/gpt-5                      ok                       96  0.00079375  1200       Say hi in Portuguese
 2  2026-11-20T11:00:00  anthropic/claude-sonnet-4         ok                       34    0.000318   800       Say hi in Portuguese
 3  2026-11-21T09:30:00  deepseek/deepseek-chat-v3.1:free  ok                       17    0.000000   400       Answer in one word. Say hi in Portuguese
 4  2026-11-21T09:31:00  openai/gpt-5                      rate_limit_exceeded                       300       Why is the sky blue?
 5  2026-11-22T08:00:00  openai/gpt-5                      ok                       96  0.00079375  2000       Say hi in French
EOF
}

@test "recent -t on a narrow terminal: the prompt, model and status cut, the figures then the time left out" {
	logged
	jq -c '.send.cid = "20261207T081500-3f9a2c"' <<<'{"id":"c","model":"openai/gpt-5","prompt":"Name a colour","send":{"started_at":"2026-11-23T10:00:00Z"}}' | or-log >/dev/null
	run -0 env COLUMNS=100 script -qec "or-log recent -t -n 3" /dev/null
	output=${output//$'\r'/}
	assert_output - <<EOF
ID  TIME                 MODEL         STATUS               CID                     PROMPT
 4  2026-11-21T09:31:00  openai/gpt-5  rate_limit_exceeded                          Why is the sky …
 5  2026-11-22T08:00:00  openai/gpt-5  ok                                           Say hi in French
 6  2026-11-23T10:00:00  openai/gpt-5  ok                   20261207T081500-3f9a2c  Name a colour
EOF
	run -0 env COLUMNS=60 script -qec "or-log recent -t" /dev/null
	output=${output//$'\r'/}
	assert_output - <<EOF
ID  MODEL                  STATUS               PROMPT
 1  openai/gpt-5           ok                   Say hi in P…
 2  anthropic/claude-son…  ok                   Say hi in P…
 3  deepseek/deepseek-ch…  ok                   Answer in o…
 4  openai/gpt-5           rate_limit_exceeded  Why is the …
 5  openai/gpt-5           ok                   Say hi in F…
 6  openai/gpt-5           ok                   Name a colo…
EOF
}

@test "recent --since, --until and --sort: the costliest, the slowest, the last started" {
	logged
	run -0 --separate-stderr bash -c 'or-log recent --sort cost -n 3 | jq -r .id'
	assert_output $'job-1\njob-5\njob-2'
	run -0 --separate-stderr bash -c 'or-log recent --sort latency | jq -r .id'
	assert_output $'job-5\njob-1\njob-2\njob-3\njob-4'
	run -0 --separate-stderr bash -c 'or-log recent --since 2026-11-21 --until 2026-11-22 | jq -r .id'
	assert_output $'job-3\njob-4'
	# Logged last, started second: the last logged, or the last started.
	printf '{"id":"late","prompt":"x","send":{"started_at":"2026-11-20T10:30:00.000Z"}}\n' | or-log >/dev/null
	run -0 --separate-stderr bash -c 'or-log recent -n 3 | jq -r .id'
	assert_output $'job-4\njob-5\nlate'
	run -0 --separate-stderr bash -c 'or-log recent --sort time -n 3 | jq -r .id'
	assert_output $'job-3\njob-4\njob-5'
	run -0 --separate-stderr bash -c 'or-log recent --sort time --until 2026-11-20T11:00:00Z | jq -r .id'
	assert_output $'job-1\nlate'
	# With no cost the row comes last, not first.
	run -0 --separate-stderr bash -c 'or-log recent --sort cost --since 2026-11-21T09:00:00Z -t | awk "{print \$1}"'
	assert_output $'ID\n5\n3\n4'
	run -2 --separate-stderr or-log recent --sort size
	[ "${stderr_lines[0]}" = "or-log: --sort wants cost, time or latency" ]
	run -2 --separate-stderr or-log recent --since soon
	[ "${stderr_lines[0]}" = "or-log: --since wants an age (90, 90s, 15m, 2h, 7d or 2w) or a date (2026-11-01)" ]
}

@test "search: full text over prompts, answers and errors, ranked" {
	logged
	run -0 --separate-stderr or-log search 'timeout OR refused'
	assert_output '{"id":4,"time":"2026-11-21T09:31:00Z","model":"openai/gpt-5","status":"rate_limit_exceeded","snippet":"Rate limit exceeded: upstream [timeout]"}'
	run -0 --separate-stderr or-log search -t -n 2 french
	assert_output - <<'EOF'
ID  TIME                  MODEL         STATUS  SNIPPET
 5  2026-11-22T08:00:00Z  openai/gpt-5  ok      Say hi in [French]
EOF
	run -0 --separate-stderr or-log search nothinglikethis
	assert_output ''
	run -2 --separate-stderr or-log search 'AND AND'
	[ "$stderr" = "or-log: search: not a valid full-text query (SQLite FTS5 syntax: words, \"a phrase\", AND, OR, NOT, prefix*): AND AND" ]
}

@test "show: the stored record whole, by row id or generation id" {
	logged
	run -0 --separate-stderr or-log show 5
	assert_output "$(sed -n 5p "$REC")"
	run -0 --separate-stderr or-log show gen-1758884862-nNnfpZfNjYv7wX3JRgcl
	assert_output "$(sed -n 2p "$REC")"
	run -1 --separate-stderr or-log show 99
	assert_output ''
	[ "$stderr" = "or-log: no record 99 in $DB" ]
}

@test "export: records as stored, or CSV of the columns" {
	logged
	run -0 --separate-stderr or-log export
	assert_output "$(cat "$REC")"
	run -0 --separate-stderr or-log export --since 2026-11-21 --until 2026-11-21T09:31:00Z --csv
	assert_output - <<EOF
id,time,job,model,served,provider,gen_id,status,http,prompt_tokens,completion_tokens,reasoning_tokens,cached_tokens,usd,usd_source,latency_ms,ttft_ms,req_hash,cached,prompt,answer$(printf '\r')
3,2026-11-21T09:30:00.000Z,job-3,deepseek/deepseek-chat-v3.1:free,deepseek/deepseek-chat-v3.1:free,DeepInfra,gen-1758884896-Vxp1md82hWmmqrwPbsR2,ok,200,13,4,0,0,0,usage,400,,$(q 'SELECT req_hash FROM requests WHERE id = 3'),0,"Answer in one word.
Say hi in Portuguese",Olá!$(printf '\r')
EOF
}

@test "export --json: the columns, prompt and answer among them, one object a line" {
	logged
	run -0 --separate-stderr bash -c 'or-log export --json --since 2026-11-21 --until 2026-11-22 | jq -c "{id, job, usd, prompt, answer}"'
	assert_output - <<'EOF'
{"id":3,"job":"job-3","usd":0,"prompt":"Answer in one word.\nSay hi in Portuguese","answer":"Olá!"}
{"id":4,"job":"job-4","usd":null,"prompt":"Why is the sky blue?","answer":"Rate limit exceeded: upstream timeout"}
EOF
	# The same keys as the CSV's header, in its order.
	[ "$(or-log export --json | head -1 | jq -r 'keys_unsorted | join(",")')" = "$(or-log export --csv | head -1 | tr -d '\r')" ]
	# Money in plain decimal, as stats writes it.
	printf '{"prompt":"tiny","cost":{"usd":0.0000006}}\n' | or-log >/dev/null
	run -0 --separate-stderr bash -c 'or-log export --json | tail -1 | grep -o "\"usd\":[^,]*"'
	assert_output '"usd":0.0000006'
}

@test "export, sql: one output format at a time, not the last one given" {
	logged
	run -2 --separate-stderr or-log export --csv --jsonl
	[ "${stderr_lines[0]}" = "or-log: --csv and --jsonl are one or the other" ]
	run -2 --separate-stderr or-log export --json --csv
	[ "${stderr_lines[0]}" = "or-log: --csv and --json are one or the other" ]
	run -2 --separate-stderr or-log sql -t --csv 'SELECT 1'
	[ "${stderr_lines[0]}" = "or-log: -t and --csv are one or the other" ]
	run -2 --separate-stderr or-log sql --json -t 'SELECT 1'
	[ "${stderr_lines[0]}" = "or-log: -t and --json are one or the other" ]
	run -2 --separate-stderr or-log sql --jsonl 'SELECT 1'
	[ "${stderr_lines[0]}" = "or-log: sql does not take --jsonl" ]
	assert_output ''
}

@test "sql: any SELECT, on a log opened read-only" {
	logged
	run -0 --separate-stderr or-log sql "SELECT status, count(*) AS n FROM requests GROUP BY status ORDER BY n DESC"
	assert_output $'{"status":"ok","n":4}\n{"status":"rate_limit_exceeded","n":1}'
	run -0 --separate-stderr or-log sql -t "SELECT job, usd FROM requests WHERE id < 3"
	assert_output $'job    usd\njob-1  0.00079375\njob-2    0.000318'
	run -2 --separate-stderr or-log sql "DELETE FROM requests"
	[ "$stderr" = "or-log: sql: the log is opened read-only; this statement would write: DELETE FROM requests" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
	# Opened read-only all the same: ATTACH cannot make a file to write.
	run -2 --separate-stderr or-log sql "ATTACH 'file:other.db?mode=rwc' AS o"
	[ "$stderr" = "or-log: $DB: access mode not allowed: rwc" ]
	[ ! -e other.db ]
	# A second statement is refused, not left out; nothing runs.
	run -2 --separate-stderr or-log sql "SELECT 1; DELETE FROM requests"
	assert_output ''
	[ "$stderr" = "or-log: sql: one statement at a time; this one goes on after it: DELETE FROM requests" ]
	run -0 --separate-stderr or-log sql "SELECT 1 AS one;  "
	assert_output '{"one":1}'
	run -0 --separate-stderr or-log sql --json "SELECT count(*) AS n FROM requests"
	assert_output '{"n":5}'
}

@test "sql --csv: what sqlite3 -csv -header writes, with RFC 4180's CRLF" {
	logged
	printf '%s\n' '{"id":"q\"uote, comma","prompt":"line\nbreak and \u00e9","cost":{"usd":0.0000006}}' '{"id":"","prompt":"plain"}' | or-log >/dev/null
	query="SELECT id, job, usd, prompt, answer, NULL AS none, '' AS empty, 1.5 AS half, 'it''s' AS apos FROM requests ORDER BY id"
	or-log sql --csv "$query" >ours.csv
	sqlite3 -header -cmd '.mode csv' "$DB" "$query" >theirs.csv
	cmp ours.csv theirs.csv
	# sqlite3 -csv itself ends lines with LF only; otherwise the same.
	sqlite3 -csv -header "$DB" "$query" >lf.csv
	cmp <(sed 's/\r$//' ours.csv) lf.csv
	[ "$(grep '^6,' ours.csv)" = '6,"q""uote, comma",6.0e-07,"line' ]
	# A header even when no row matches (sqlite3 writes nothing then).
	run -0 --separate-stderr or-log sql --csv "SELECT id, job FROM requests WHERE 0"
	assert_output $'id,job\r'
}

@test "report --html: one page that stands alone and is well-formed, its figures stats' own" {
	logged
	run -0 --separate-stderr bash -c 'or-log report --html --since 2026-11-20T10:30:00Z --until 2026-11-22T12:00:00Z >spend.html'
	[ "$stderr" = "" ]
	xmllint --noout spend.html
	# Nothing that runs, nothing fetched.
	! grep -Eiq '<script|src=|href=|url\(|@import' spend.html
	grep -q '^<style>' spend.html
	grep -q '<svg xmlns="http://www.w3.org/2000/svg"' spend.html
	same_as_stats spend.html models model --since 2026-11-20T10:30:00Z --until 2026-11-22T12:00:00Z
	same_as_stats spend.html days day --since 2026-11-20T10:30:00Z --until 2026-11-22T12:00:00Z
	[ "$(page spend.html "count(//table[@id='models']/tr[@data-model])")" -eq 3 ]
	# The whole window: sqlite3's own sum, in plain decimal.
	[ "$(page spend.html "//p[@id='total']/@data-requests")" -eq 4 ]
	[ "$(page spend.html "//p[@id='total']/@data-failures")" -eq 1 ]
	[ "$(page spend.html "//p[@id='total']/@data-usd")" = "0.00111175" ]
	[ "$(q "SELECT sum(usd) FROM requests WHERE id > 1")" = "0.00111175" ]
	# The costliest first, rows that cost nothing left out.
	[ "$(page spend.html "count(//table[@id='top']/tr[@data-id])")" -eq 2 ]
	[ "$(page spend.html "//table[@id='top']/tr[@data-id][1]/@data-id")" -eq 5 ]
	[ "$(page spend.html "//table[@id='top']/tr[@data-id][2]/@data-usd")" = "0.000318" ]
	# A failure rate and latency per model.
	grep -q '<td>openai/gpt-5</td><td class="n">2</td><td class="n">50.0 %</td>' spend.html
	run -0 --separate-stderr bash -c 'or-log report --html -n 1 --since 2026-11-01 | xmllint --xpath "count(//table[@id=\"top\"]/tr[@data-id])" -'
	assert_output 1
}

@test "report --html: every text from the log escaped, <script> and & as text" {
	printf '%s\n' '{"id":"<b>&amp;","model":"x/<script>alert(1)</script>&","prompt":"<script>x</script> & \u0001 \"q\" '"'"'a'"'"' \uffff","cost":{"usd":0.5},"send":{"started_at":"2026-11-20T10:00:00.000Z","latency_ms":5}}' | or-log >/dev/null
	or-log report --html --since 2026-11-01 --until 2026-12-01 >spend.html
	xmllint --noout spend.html
	! grep -qi '<script' spend.html
	! grep -q '<b>' spend.html
	grep -q '<td>x/&lt;script&gt;alert(1)&lt;/script&gt;&amp;</td>' spend.html
	grep -q '<td>&lt;b&gt;&amp;amp;</td>' spend.html
	grep -q "<td>&lt;script&gt;x&lt;/script&gt; &amp; $(printf '\xef\xbf\xbd') &quot;q&quot; &#39;a&#39; $(printf '\xef\xbf\xbd')</td>" spend.html
	# The model as written, read back by an XML parser.
	[ "$(page spend.html "//table[@id='models']/tr[@data-requests]/@data-model")" = "x/<script>alert(1)</script>&" ]
}

@test "report --html: the last 7 days unless told, a window with nothing well-formed too" {
	logged
	ORKIT_NOW=2026-11-29T01:00:00Z or-log report --html >week.html
	xmllint --noout week.html
	[ "$(page week.html "//p[@id='total']/@data-requests")" -eq 1 ]
	grep -q '<title>orkit spend, 2026-11-22 to 2026-11-29</title>' week.html
	# A bar for each of the window's days, those without requests empty.
	[ "$(page week.html "count((//*[local-name()='svg'])[1]/*[local-name()='rect'])")" -eq 8 ]
	[ "$(grep -c ': no requests</title>' week.html)" -eq 7 ]
	grep -q '<title>2026-11-22: \$0.00079375, 1 request</title>' week.html
	ORKIT_NOW=2026-12-27T09:00:00Z or-log report --html >empty.html
	xmllint --noout empty.html
	[ "$(page empty.html "//p[@id='total']/@data-requests")" -eq 0 ]
	[ "$(page empty.html "//p[@id='total']/@data-usd")" = "0.000000" ]
	run -2 --separate-stderr or-log report
	[ "${stderr_lines[0]}" = "or-log: report wants --html, the one format it writes" ]
	run -2 --separate-stderr or-log report --html --csv
	[ "${stderr_lines[0]}" = "or-log: report does not take --csv" ]
}

@test "a query on a log that is not there says so, exit 2" {
	run -2 --separate-stderr or-log stats
	[ "$stderr" = "or-log: $DB: No such file or directory" ]
	[ ! -e "$DB" ]
}

@test "prune: rows older than a date go, from the search index too" {
	logged
	run -0 --separate-stderr or-log prune --before 2026-11-21 --vacuum
	[ "$stderr" = "or-log: pruned 2 records" ]
	[ "$(q 'SELECT group_concat(id) FROM (SELECT id FROM requests ORDER BY id)')" = "3,4,5" ]
	run -0 --separate-stderr or-log search Portuguese
	[ "$(jq -r .id <<<"$output")" = 3 ]
	run -0 --separate-stderr or-log prune --before 2100-01-01
	[ "$stderr" = "or-log: pruned 3 records" ]
	# An age counts back from now: a record just logged is kept.
	echo '"new"' | or-log >/dev/null
	run -0 --separate-stderr or-log prune --before 1h
	[ "$stderr" = "or-log: pruned 0 records" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 1 ]
}

@test "merge: another log's rows, each once, however often it is merged" {
	head -3 "$REC" | or-log >/dev/null
	{ tail -3 "$REC"; echo '{"prompt":"only there","id":"x"}'; } |
	    or-log -d other.db >/dev/null || true
	run -0 --separate-stderr or-log merge other.db
	[ "$stderr" = "or-log: merged 3 records from other.db" ]
	[ "$(q 'SELECT group_concat(job) FROM requests')" = "job-1,job-2,job-3,job-4,job-5,x" ]
	run -0 --separate-stderr or-log merge other.db
	[ "$stderr" = "or-log: merged 0 records from other.db" ]
	run -0 --separate-stderr or-log search 'only'
	[ "$(jq -r .id <<<"$output")" = 6 ]
	q 'PRAGMA user_version = 1' other.db
	run -2 --separate-stderr or-log merge other.db
	[ "$stderr" = "or-log: other.db: log schema v1 is older than this orkit's v5; run 'or-log -d other.db </dev/null' once to upgrade it" ]
}

# --- named reads (lib/store) -----------------------------------------

# tests/unit/storecheck prints lib/store's named reads; make builds it
# (a sanitized one, or one under valgrind, in those passes).
build_storecheck() {
	SC=${STORECHECK:-$TOP/tests/unit/storecheck}
}

# The fixture log, and rows either side of December's first instant,
# with TTFTs, and jobs whose ids hold LIKE's wildcards.
more_logged() {
	logged
	q "INSERT INTO requests(ts, job, model, served, status, usd, prompt_tokens, completion_tokens, latency_ms, ttft_ms, record) VALUES
	    (1796083199999, 'a_b%c', 'm', 'm', 'ok', 0.25, 600, 400, 100, 40, '{}'),
	    (1796083200000, 'axbyc', 'm', NULL, 'ok', 0.5, 1000, 0, 300, 20, '{}'),
	    (1796083200001, 'a\b', 'm', 'm', 'timeout', NULL, NULL, NULL, NULL, NULL, '{}')"
	build_storecheck
}

# What sqlite3 says, tab-separated: key, requests, failures, USD.
sums() {
	q "SELECT $1, count(*), sum(status <> 'ok'), printf('%.9f', total(usd)) FROM requests WHERE ${3:-1} GROUP BY 1 ORDER BY $2" | tr '|' '\t'
}

@test "named reads: spend per UTC day, month and model is sqlite3's own sum" {
	more_logged
	run -0 bash -c '"$0" "$1" day | cut -f1-4' "$SC" "$DB"
	assert_output "$(sums "strftime('%Y-%m-%d', ts / 1000, 'unixepoch')" 1)"
	[ "${#lines[@]}" -eq 5 ]
	run -0 bash -c '"$0" "$1" month | cut -f1-4' "$SC" "$DB"
	assert_output "$(sums "strftime('%Y-%m', ts / 1000, 'unixepoch')" 1)"
	[ "${#lines[@]}" -eq 2 ]
	run -0 bash -c '"$0" "$1" model | cut -f1-4' "$SC" "$DB"
	assert_output "$(sums "coalesce(served, model)" "total(usd) DESC, count(*) DESC, 1")"
	# [since, until): December's first instant is in, until's is not.
	run -0 bash -c '"$0" "$1" month 1796083200000 1796083200001 | cut -f1-4' "$SC" "$DB"
	assert_output "$(printf '2026-12\t1\t0\t0.500000000')"
	# or-log stats --by day counts them the same.
	run -0 bash -c 'or-log stats --by day | jq -r "[.day, .requests, .failures] | @tsv"'
	assert_output "$("$SC" "$DB" day | cut -f1-3)"
}

@test "named reads: a job-id prefix is a prefix, its % and _ taken literally" {
	more_logged
	run -0 bash -c '"$0" "$1" job 0 9223372036854775807 "a_b%" | cut -f1-4' "$SC" "$DB"
	assert_output "$(printf 'a_b%%\t1\t0\t0.250000000')"
	run -0 bash -c '"$0" "$1" job 0 9223372036854775807 a | cut -f1-4' "$SC" "$DB"
	assert_output "$(printf 'a\t3\t1\t0.750000000')"
	run -0 bash -c '"$0" "$1" job 0 9223372036854775807 "a\\" | cut -f1-4' "$SC" "$DB"
	assert_output "$(printf 'a\\\t1\t1\t0.000000000')"
	run -0 bash -c '"$0" "$1" job 0 9223372036854775807 job- | cut -f1-4' "$SC" "$DB"
	assert_output "$(sums "'job-'" 1 "job LIKE 'job-%'")"
	run -0 "$SC" "$DB" job 0 9223372036854775807 job_
	assert_output ''
}

@test "named reads: per model, latency and TTFT by nearest rank, USD per 1k tokens" {
	more_logged
	run -0 "$SC" "$DB" models
	assert_output - <<'EOF'
m	3	1	0.750000000	0.375000000	2	100	300	2	20
openai/gpt-5	3	1	0.001587500	0.008268229	3	1200	2000	0	0
anthropic/claude-sonnet-4	1	0	0.000318000	0.009352941	1	800	800	1	350
deepseek/deepseek-chat-v3.1:free	1	0	0.000000000	0.000000000	1	400	400	0	0
EOF
}

# --- pending and cache -----------------------------------------------

@test "pending: only the jobs with no successful row, by id or by request hash" {
	logged
	cat >jobs.jsonl <<'EOF'
{"prompt":"Say hi in Portuguese","model":"openai/gpt-5","id":"job-1"}
{"prompt":"Why is the sky blue?","model":"openai/gpt-5","id":"job-4"}
{"prompt":"Say hi in French","model":"openai/gpt-5","id":"job-6"}
{"model":"anthropic/claude-sonnet-4","prompt":"Say hi in Portuguese"}
{"prompt":"Say hi in Portuguese","model":"anthropic/claude-sonnet-4","temperature":0}
EOF
	run -0 --separate-stderr or-log pending <jobs.jsonl
	assert_output "$(sed -n '2p;3p;5p' jobs.jsonl)"
	# With no log yet, everything is pending.
	run -0 --separate-stderr or-log -d none.db pending <jobs.jsonl
	assert_output "$(cat jobs.jsonl)"
	[ ! -e none.db ]
}

@test "pending | or-send | or-log: a crashed batch resumed sends only the rest" {
	fake_start
	seq 6 | jq -c '{id: "r\(.)", prompt: "question \(.)"}' >jobs.jsonl
	head -4 jobs.jsonl | or-send | or-log >/dev/null
	run -0 --separate-stderr bash -c 'or-log pending <jobs.jsonl | or-send | or-log | jq -r .id'
	assert_output $'r5\nr6'
	[ "$(requests)" -eq 6 ]
	[ "$(q "SELECT count(*) FROM requests WHERE status = 'ok'")" -eq 6 ]
}

@test "cache | or-send: repeats are answered from the log, unsent, and cost nothing" {
	fake_start
	printf '{"prompt":"first","model":"openai/gpt-4o-mini"}\n' | or-send | or-log >/dev/null
	printf '{"prompt":"first","model":"openai/gpt-4o-mini","id":"again"}\n{"prompt":"second"}\n' >jobs.jsonl
	run -0 --separate-stderr bash -c 'or-log cache <jobs.jsonl | or-send | or-log'
	[ "$(requests)" -eq 2 ]
	[ "$(jq -c '[.id, .send.cached, .send.log.id, .response.choices[0].message.content]' <<<"${lines[0]}")" = '["again",true,1,"Echo: first"]' ]
	[ "$(jq -c '[.send.cached, .response.choices[0].message.content]' <<<"${lines[1]}")" = '[null,"Echo: second"]' ]
	[ "$(q 'SELECT job, cached, usd, usd_source FROM requests WHERE id = 2')" = "again|1|0.0|cached" ]
	# The response is the stored one, byte for byte.
	[ "$(jq -c .response <<<"${lines[0]}")" = "$(q 'SELECT record FROM requests WHERE id = 1' | jq -c .response)" ]
}

@test "the request hash is over the body or-send sent, defaults in, less stream" {
	fake_start
	rec='{"id":"h1","meta":{"k":"v"},"system":"be brief","prompt":"hé","temperature":0.5,"stream":false,"stream_options":{"include_usage":true}}'
	or-send --stream -m openai/gpt-4o-mini -o top_p=0.9 <<<"$rec" | or-log >/dev/null
	sent=$(request_body 1 | jq -cS 'del(.stream, .stream_options)')
	[ "$sent" = '{"messages":[{"content":"be brief","role":"system"},{"content":"hé","role":"user"}],"model":"openai/gpt-4o-mini","temperature":0.5,"top_p":0.9}' ]
	[ "$(q 'SELECT req_hash FROM requests')" = "$(printf '%s' "$sent" | sha256sum | cut -d' ' -f1)" ]
	# the same record with the same defaults is the same request ...
	run -0 --separate-stderr or-log cache -m openai/gpt-4o-mini -o top_p=0.9 <<<"$rec"
	[ "$(jq -c .send.cached <<<"$output")" = true ]
	# ... without them, or with another model, it is not
	run -0 --separate-stderr or-log cache <<<"$rec"
	[ "$(jq -c .send.cached <<<"$output")" = null ]
	run -0 --separate-stderr or-log cache -m openai/gpt-4o -o top_p=0.9 <<<"$rec"
	[ "$(jq -c .send.cached <<<"$output")" = null ]
}

@test "--max-age: older rows neither count as done nor answer from the cache" {
	old=$(date -u -d '-3 days' +%Y-%m-%dT%H:%M:%S.000Z)
	jq -c --arg t "$old" '.send.started_at = $t' <(head -1 "$REC") | or-log >/dev/null
	printf '{"prompt":"Say hi in Portuguese","model":"openai/gpt-5"}\n' >jobs.jsonl
	run -0 --separate-stderr or-log pending --max-age 1d <jobs.jsonl
	assert_output "$(cat jobs.jsonl)"
	run -0 --separate-stderr or-log pending --max-age 4d <jobs.jsonl
	assert_output ''
	run -0 --separate-stderr or-log cache --max-age 2d <jobs.jsonl
	assert_output "$(cat jobs.jsonl)"
	run -0 --separate-stderr or-log cache --max-age 1w <jobs.jsonl
	[ "$(jq -r .send.cached <<<"$output")" = true ]
}

# --- signals ---------------------------------------------------------

# Waits (at most 10 s) for or-log to end; then ends its input.
wait_exit() {
	local i
	for i in $(seq 200); do
		kill -0 "$LOG_PID" 2>/dev/null || break
		sleep 0.05
	done
	exec 7>&-
	st=0
	wait "$LOG_PID" || st=$?
}

# A signal ($1) commits what was read and reads on; a second one, of
# either kind ($2), stops.
signal_twice() {
	start_fed
	# Its first record out says it is running, signal handlers set.
	head -1 "$REC" >&7
	wait_lines out 1
	sed -n 2p "$REC" >&7
	kill -"$1" "$LOG_PID"
	wait_lines out 2
	sed -n 3p "$REC" >&7
	wait_lines out 3
	kill -"$2" "$LOG_PID"
	wait_exit
	[ "$st" -eq 1 ]
	cmp out <(head -3 "$REC")
	[ "$(cat err)" = "or-log: stopped; the rest of the input was not read" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 3 ]
}

# bats test_tags=plain
@test "SIGINT commits what was read and reads on; a second one stops" {
	signal_twice INT INT
}

# timeout(1) and service managers signal the whole pipeline: the
# answers or-send writes after it are billed, and must be logged.
# bats test_tags=plain
@test "SIGTERM, as SIGINT, reads on; a SIGINT after it stops" {
	signal_twice TERM INT
}

# bats test_tags=plain
@test "SIGHUP commits what was read, writes it on, and stops" {
	start_fed
	head -1 "$REC" >&7
	wait_lines out 1
	sed -n '2,3p' "$REC" >&7
	kill -HUP "$LOG_PID"
	wait_exit
	[ "$st" -eq 1 ]
	# What was read by then came out and is stored; nothing else.
	n=$(wc -l <out)
	cmp out <(head -"$n" "$REC")
	[ "$(q 'SELECT count(*) FROM requests')" -eq "$n" ]
	[ "$(cat err)" = "or-log: stopped; the rest of the input was not read" ]
}

# --- each request once (issue 14) -----------------------------------

@test "or-send --retry | or-cost | or-log: one answer a job, its cost counted once" {
	fake_start
	for i in 05 10 15 20 25 30 35 40; do
		fake "/chat/completions status 502 if=q$i"
	done
	seq -w 40 | jq -Rc '{id: "j\(.)", prompt: "q\(.)", model: "openai/gpt-4o-mini"}' >jobs.jsonl
	set -o pipefail
	or-send -P 4 --retries 0 <jobs.jsonl | or-cost | or-log >out.jsonl || [ $? -eq 1 ]
	[ "$(jq -c 'select(.error)' out.jsonl | wc -l)" -eq 8 ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 40 ]
	or-send --retry <out.jsonl | or-cost | or-log >out2.jsonl
	[ "$(wc -l <out2.jsonl)" -eq 40 ]
	[ "$(jq -c 'select(.error)' out2.jsonl | wc -l)" -eq 0 ]
	# Every job answered once; the 8 first failures kept as what happened.
	[ "$(q "SELECT count(*) FROM requests WHERE status = 'ok'")" -eq 40 ]
	[ "$(q "SELECT count(DISTINCT job) FROM requests WHERE status = 'ok'")" -eq 40 ]
	[ "$(q "SELECT count(*) FROM requests WHERE status <> 'ok'")" -eq 8 ]
	[ "$(q 'SELECT count(*) FROM (SELECT gen_id FROM requests WHERE gen_id IS NOT NULL GROUP BY gen_id HAVING count(*) > 1)')" -eq 0 ]
	# The cost once: what or-cost bills is what the log holds.
	[ "$(or-cost --total <out2.jsonl | jq .total.usd)" = "$(or-log stats | jq -s 'map(.usd) | add')" ]
	# Fed a third time, nothing more is stored.
	or-log <out2.jsonl >/dev/null
	[ "$(q 'SELECT count(*) FROM requests')" -eq 48 ]
}

@test "a re-fed record is written on, not stored again; --receipt names the row it has" {
	logged
	run -1 --separate-stderr or-log --receipt <"$REC"
	[ "$(jq -c '[.log.id, .log.duplicate]' <<<"$output" | paste -sd' ')" = '[1,true] [2,true] [3,true] [4,true] [5,true]' ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
	# The same generation with other bytes (or-cost run again) is the same request.
	head -1 "$REC" | jq -c '.cost.note = "again"' | or-log >/dev/null
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
	# Without a generation id, the same bytes twice are one row, other bytes another.
	printf '%s\n' '{"prompt":"p","error":{"type":"timeout"}}' '{"prompt":"p","error":{"type":"timeout"}}' '{"prompt":"p","error":{"type":"http"}}' | or-log >/dev/null || true
	[ "$(q 'SELECT count(*) FROM requests')" -eq 7 ]
	# An answer from the cache is its own row, though it has the generation id.
	head -1 "$REC" | jq -c '.send.cached = true' | or-log >/dev/null
	[ "$(q 'SELECT count(*) FROM requests WHERE cached = 1')" -eq 1 ]
}

@test "a row id is never used again, not even after prune --vacuum empties the log" {
	logged
	or-log prune --before 2100-01-01 --vacuum 2>/dev/null
	[ "$(q 'SELECT count(*) FROM requests')" -eq 0 ]
	head -1 "$REC" | jq -c '.id = "new"' | or-log --receipt >out
	[ "$(jq .log.id out)" -eq 6 ]
	run -1 --separate-stderr or-log show 1
}

@test "a version 2 log with a request stored twice keeps its first row, and its ids" {
	sqlite3 "$DB" <"$FIXTURES/log/v1.sql"
	q "PRAGMA user_version = 2; DROP INDEX requests_ts; CREATE INDEX requests_stats ON requests(ts, model, served, provider, job, status, usd, prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens, latency_ms)"
	q "INSERT INTO requests(id, ts, gen_id, status, usd, prompt, record) VALUES (3, 1, 'gen-a', 'ok', 0.5, 'first', '{\"a\":1}'), (7, 2, 'gen-a', 'ok', 0.5, 'again', '{\"a\":2}'), (9, 3, NULL, 'timeout', NULL, 'x', '{\"b\":1}'), (12, 4, NULL, 'timeout', NULL, 'x', '{\"b\":1}')"
	run -0 --separate-stderr or-log </dev/null
	[ "$(q 'SELECT group_concat(id) FROM (SELECT id FROM requests ORDER BY id)')" = "3,9" ]
	[ "$(q 'SELECT sum(usd) FROM requests')" = "0.5" ]
	run -0 --separate-stderr or-log search again
	assert_output ''
	head -1 "$REC" | or-log --receipt >out
	[ "$(jq .log.id out)" -eq 13 ]
}

@test "merge stores a generation it already has once, at whatever time the other log has it" {
	logged
	head -1 "$REC" | jq -c '.send.started_at = "2026-12-01T00:00:00.000Z"' | or-log -d other.db >/dev/null
	run -0 --separate-stderr or-log merge other.db
	[ "$stderr" = "or-log: merged 0 records from other.db" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
}

# --- nothing leaves unstored unmarked (issue 14) --------------------

# n records, each its own request: job id and prompt "<prefix>N".
jobs_of() {
	seq "$2" | jq -c --arg p "$1" '{id: "\($p)\(.)", prompt: "\($p)\(.) \("x" * 2000)", error: {type: "timeout"}}'
}

# Every record went out; those not stored are marked, the others not.
all_out_marked() {
	local out=$1 in=$2 stored
	diff <(jq -c 'del(.log)' "$out") <(jq -c . "$in")
	stored=$(q 'SELECT count(*) FROM requests')
	[ "$(jq -c 'select(.log.stored == false)' "$out" | wc -l)" -eq $(($(wc -l <"$in") - stored)) ]
}

# bats test_tags=plain
@test "a held lock: records go out marked, storing resumes once it is let go, the re-feed stores them once" {
	or-log </dev/null
	jobs_of a 30 >a.jsonl
	jobs_of b 30 >b.jsonl
	cat a.jsonl b.jsonl >in.jsonl
	{ echo 'BEGIN EXCLUSIVE;'; sleep 2; echo 'COMMIT;'; } | sqlite3 "$DB" &
	holder=$!
	sleep 0.3
	{ cat a.jsonl; sleep 2.3; cat b.jsonl; } |
	    ORKIT_LOG_WAIT_MS=300 or-log >out.jsonl 2>err || [ $? -eq 1 ]
	wait "$holder"
	cat err >&2
	all_out_marked out.jsonl in.jsonl
	[ "$(jq -r 'select(.log.stored == false) | .id' out.jsonl | paste -sd,)" = "$(jq -r .id a.jsonl | paste -sd,)" ]
	[ "$(jq -c '.log | select(.)' out.jsonl | sort -u)" = '{"stored":false,"reason":"database is locked"}' ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 30 ]
	[ "$(sed -n 1p err)" = "or-log: $DB: not storing, from job \"a1\" on: database is locked; each record left out is marked \"log\": {\"stored\": false}" ]
	[ "$(sed -n 2p err)" = "or-log: $DB: storing again, from job \"b1\" on" ]
	[ "$(sed -n 3p err)" = "or-log: $DB: 30 records not stored, the first job \"a1\"; to store them, feed the output back: jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log" ]
	# The re-feed the line names stores them, once.
	jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log >/dev/null || [ $? -eq 1 ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 60 ]
	jq -c 'del(.log)' out.jsonl | or-log >/dev/null || [ $? -eq 1 ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 60 ]
}

@test "the lock wait is bounded by ORKIT_LOG_WAIT_MS" {
	or-log </dev/null
	{ echo 'BEGIN EXCLUSIVE;'; sleep 3; echo 'COMMIT;'; } | sqlite3 "$DB" &
	holder=$!
	sleep 0.3
	ORKIT_LOG_WAIT_MS=200 or-log <"$REC" >out.jsonl 2>err || [ $? -eq 1 ]
	# It gave up while the lock was still held, not once it was let go.
	kill -0 "$holder"
	wait "$holder"
	[ "$(jq -c 'select(.log.stored == false)' out.jsonl | wc -l)" -eq 5 ]
	[ "$(jq -r .log.reason out.jsonl | sort -u)" = "database is locked" ]
}

@test "a full disk: records go out marked, storing resumes when there is room, the re-feed stores them once" {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a small tmpfs"
	mkdir disk
	mount -t tmpfs -o size=1m tmpfs disk 2>mount.err || skip "mount -t tmpfs refused: $(cat mount.err)"
	MNT=$BATS_TEST_TMPDIR/disk
	export ORKIT_DB=$MNT/log.db DB=$MNT/log.db
	or-log </dev/null
	jobs_of a 40 >a.jsonl
	jobs_of b 40 >b.jsonl
	cat a.jsonl b.jsonl >in.jsonl
	dd if=/dev/zero of=disk/fill bs=4k 2>/dev/null || true
	{ cat a.jsonl; sleep 0.8; rm disk/fill; cat b.jsonl; } | or-log >out.jsonl 2>err || [ $? -eq 1 ]
	cat err >&2
	all_out_marked out.jsonl in.jsonl
	[ "$(jq -r 'select(.log.stored == false) | .id' out.jsonl | paste -sd,)" = "$(jq -r .id a.jsonl | paste -sd,)" ]
	[ "$(jq -c '.log | select(.) | .stored' out.jsonl | sort -u)" = false ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 40 ]
	[[ "$(sed -n 1p err)" == "or-log: $DB: not storing, from job \"a1\" on: "* ]]
	[ "$(sed -n 2p err)" = "or-log: $DB: storing again, from job \"b1\" on" ]
	jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log >/dev/null || [ $? -eq 1 ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 80 ]
	jq -c 'del(.log)' out.jsonl | or-log >/dev/null || [ $? -eq 1 ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 80 ]
}

# --- money to the 1e-10 dollar (issue 14) ---------------------------

# n records of one model and day, each billed an awkward figure, as text.
billed() {
	local v=(0.0076509169000000005 6e-07 0.00001155 0.0152879459 1.1e-09 0.1 0.2 0.3 3e-10 0.0000273 1.7e-05 0.00079375)
	local i
	for i in $(seq "$1"); do
		printf '{"id":"g%d","prompt":"p%d","model":"m/x","send":{"started_at":"2026-11-20T10:00:00.000Z"},"response":{"id":"gen-%d","model":"m/x","usage":{"prompt_tokens":%d,"completion_tokens":3}},"cost":{"usd":%s,"source":"generation","model":"m/x","provider":"P"}}\n' \
		    "$i" "$i" "$i" "$i" "${v[$((i * 7 % ${#v[@]}))]}"
	done
}

@test "stats, or-cost --total and sqlite3's sum agree to the 1e-10 dollar" {
	billed 307 >billed.jsonl
	or-log <billed.jsonl >/dev/null
	a=$(or-cost --total <billed.jsonl | jq .total.usd)
	run -0 --separate-stderr or-log stats
	[ "${#lines[@]}" -eq 1 ]
	b=$(jq .usd <<<"$output")
	c=$(q "SELECT printf('%.10f', sum(usd)) FROM requests")
	echo "or-cost --total $a, or-log stats $b, sqlite3 sum $c" >&3
	[ "$(jq -n "$a == $b")" = true ]
	[ "$(printf '%.10f' "$a")" = "$c" ]
	[ "$(printf '%.10f' "$b")" = "$c" ]
	# And on the fixture records, priced from their usage, model by model.
	rm -f "$DB"*
	or-cost --no-generation <"$REC" >costed.jsonl 2>/dev/null || true
	or-log <costed.jsonl >/dev/null || true
	for m in $(q "SELECT DISTINCT coalesce(served, model) FROM requests WHERE usd IS NOT NULL"); do
		a=$(or-cost --total <costed.jsonl | jq --arg m "$m" '.total.models[$m].usd')
		b=$(or-log stats --model "$m" | jq -s --arg m "$m" 'map(select(.model == $m))[0].usd')
		c=$(q "SELECT printf('%.10f', sum(usd)) FROM requests WHERE coalesce(served, model) = '$m'")
		[ "$(jq -n "$a == $b")" = true ]
		[ "$(printf '%.10f' "$b")" = "$c" ]
	done
}

@test "money or-log writes is plain decimal, never exponent form" {
	billed 7 | sed -n 7p >one.jsonl
	grep -q '"usd":6e-07' one.jsonl
	or-log <one.jsonl >/dev/null
	run -0 --separate-stderr or-log stats
	[[ "$output" == *'"usd":0.0000006}' ]]
	run -0 --separate-stderr or-log stats -t
	[[ "${lines[1]}" == *" 0.0000006"* ]]
	run -0 --separate-stderr or-log export --csv
	[ "$(cut -d, -f14 <<<"${lines[1]}")" = 0.0000006 ]
	[[ "$output" != *e-0* ]]
}

# --- the model sent is the model logged and hashed (issue 14) -------

# Three prompts answered by model $1, in or-send's shape when $2 is
# "sent" (no "model"; send.model and send.request_hash), else with it.
answered() {
	local i h
	for i in 1 2 3; do
		h=$(jq -nc --arg m "$1" --arg p "p$i" '{prompt: $p, model: $m}' | or-log -d hash.db --receipt | jq .log.id | xargs -I{} sqlite3 hash.db 'SELECT req_hash FROM requests WHERE id = {}')
		if [ "${2:-}" = sent ]; then
			jq -nc --arg m "$1" --arg p "p$i" --arg h "$h" --arg i "$i" '{prompt: $p, send: {model: $m, request_hash: $h, started_at: "2026-11-20T10:00:00.000Z"}, response: {id: "gen-\($m)-\($i)", model: $m, choices: [{message: {role: "assistant", content: "from \($m)"}}]}}'
		else
			jq -nc --arg m "$1" --arg p "p$i" --arg i "$i" '{prompt: $p, model: $m, response: {id: "gen-\($m)-\($i)", model: $m, choices: [{message: {role: "assistant", content: "from \($m)"}}]}}'
		fi
	done
}

@test "the model or-send sent is the model logged, its request hash the one stored" {
	answered openai/a sent >sent.jsonl
	or-log <sent.jsonl >/dev/null
	[ "$(q 'SELECT DISTINCT model FROM requests')" = openai/a ]
	[ "$(q 'SELECT group_concat(req_hash) FROM (SELECT req_hash FROM requests ORDER BY id)')" = "$(jq -r .send.request_hash sent.jsonl | paste -sd,)" ]
	[ "$(or-log stats --model openai/a | jq .requests)" -eq 3 ]
	# Without send.model: models.0, as before.
	echo '{"prompt":"q","models":["x/y","z/w"]}' | or-log >/dev/null
	[ "$(q "SELECT model FROM requests WHERE prompt = 'q'")" = x/y ]
}

@test "cache and pending -m: another model's answer is no answer" {
	for shape in with sent; do
		rm -f "$DB"*
		answered openai/a $shape | or-log >/dev/null
		printf '{"prompt":"p%d"}\n' 1 2 3 >jobs.jsonl
		[ "$(or-log cache -m openai/b <jobs.jsonl | jq -c 'select(.response)' | wc -l)" -eq 0 ]
		[ "$(or-log cache -m openai/a <jobs.jsonl | jq -r '.response.choices[0].message.content' | sort -u)" = "from openai/a" ]
		[ "$(or-log cache --model openai/a <jobs.jsonl | jq -c 'select(.response)' | wc -l)" -eq 3 ]
		[ "$(or-log cache <jobs.jsonl | jq -c 'select(.response)' | wc -l)" -eq 0 ]
		[ "$(or-log pending -m openai/b <jobs.jsonl | wc -l)" -eq 3 ]
		[ "$(or-log pending -m openai/a <jobs.jsonl | wc -l)" -eq 0 ]
		# -s and -o are part of what is sent, as in or-send.
		[ "$(or-log pending -m openai/a -s 'be brief' <jobs.jsonl | wc -l)" -eq 3 ]
		[ "$(or-log pending -m openai/a -o temperature=0 <jobs.jsonl | wc -l)" -eq 3 ]
	done
	run -2 --separate-stderr or-log cache -o nokey
	[ "${stderr_lines[0]}" = "or-log: -o wants key=value" ]
	run -2 --separate-stderr or-log recent -m x
	[ "${stderr_lines[0]}" = "or-log: recent does not take -m" ]
}

@test "the long forms --help names: --db, --count, --system, --option; -V" {
	run -0 --separate-stderr or-log -V
	assert_output "or-log $(cat "$TOP/VERSION")"
	logged
	mv "$DB" other.db
	run -0 --separate-stderr or-log --db other.db recent --count 2
	assert_output "$(tail -2 "$REC")"
	run -0 --separate-stderr or-log --db other.db search --count 1 Portuguese
	[ "${#lines[@]}" -eq 1 ]
	run -0 --separate-stderr or-log --db other.db report --html --count 1 --since 2026-11-01 --until 2026-12-01
	[ "$(grep -c '<td>Say hi in' <<<"$output")" -eq 1 ]
	answered openai/a | or-log >/dev/null
	printf '{"prompt":"p%d"}\n' 1 2 3 >jobs.jsonl
	[ "$(or-log pending --model openai/a <jobs.jsonl | wc -l)" -eq 0 ]
	[ "$(or-log pending --model openai/a --system 'be brief' <jobs.jsonl | wc -l)" -eq 3 ]
	[ "$(or-log pending --model openai/a --option temperature=0 <jobs.jsonl | wc -l)" -eq 3 ]
	[ "$(or-log cache --model openai/a --system 'be brief' <jobs.jsonl | jq -c 'select(.response)' | wc -l)" -eq 0 ]
	[ "$(or-log cache --model openai/a --option temperature=0 <jobs.jsonl | jq -c 'select(.response)' | wc -l)" -eq 0 ]
}

@test "or-log cache -m B | or-send -m B after or-send -m A | or-log sends every prompt again" {
	fake_start
	printf '{"prompt":"p%d"}\n' 1 2 3 >jobs.jsonl
	or-send -m openai/gpt-4o-mini <jobs.jsonl >a.jsonl
	jq -e -s 'all(.send.request_hash)' a.jsonl >/dev/null || skip "this or-send does not write send.request_hash yet"
	or-log <a.jsonl >/dev/null
	[ "$(q 'SELECT DISTINCT model FROM requests')" = openai/gpt-4o-mini ]
	n=$(requests)
	or-log cache -m openai/gpt-4o <jobs.jsonl | or-send -m openai/gpt-4o >b.jsonl
	[ "$(requests)" -eq $((n + 3)) ]
	or-log cache -m openai/gpt-4o-mini <jobs.jsonl | or-send -m openai/gpt-4o-mini >c.jsonl
	[ "$(requests)" -eq $((n + 3)) ]
	[ "$(jq -s 'all(.send.cached)' c.jsonl)" = true ]
}

@test "search: a query FTS5 cannot read is a search-syntax error naming the query, exit 2" {
	logged
	for query in 'hi AND' '"unclosed' 'nosuch:x'; do
		run -2 --separate-stderr or-log search -t "$query"
		assert_output ''
		[ "$stderr" = "or-log: search: not a valid full-text query (SQLite FTS5 syntax: words, \"a phrase\", AND, OR, NOT, prefix*): $query" ]
	done
}

@test "sums: stats and the named reads from the per-day sums are the rows' own, over the fixture log and 20,000 random rows, after prune and merge" {
	# Past 10,000 rows, where percentiles come from the histograms;
	# more rows take no other path and cost make check half a minute.
	local n=20000
	more_logged
	"$SC" -c "$DB"
	# Random rows over 400 days: models, providers, jobs with and
	# without digits, failures, missing figures, latencies to 2^31.
	q "WITH RECURSIVE k(n) AS (SELECT 1 UNION ALL SELECT n + 1 FROM k
	    WHERE n < $n)
	INSERT INTO requests(ts, job, model, served, provider, status,
	    prompt_tokens, completion_tokens, reasoning_tokens, cached_tokens,
	    usd, latency_ms, ttft_ms, record)
	SELECT 1760000000000 + abs(random()) % (400 * 86400000),
	    CASE abs(random()) % 5 WHEN 0 THEN NULL WHEN 1 THEN 'job-' || n
	    WHEN 2 THEN 'Nightly' WHEN 3 THEN n || 'x' ELSE 'b-' || (n % 7) END,
	    'm' || abs(random()) % 6,
	    CASE abs(random()) % 3 WHEN 0 THEN NULL ELSE 's' || abs(random()) % 4 END,
	    CASE abs(random()) % 4 WHEN 0 THEN NULL ELSE 'p' || abs(random()) % 3 END,
	    CASE abs(random()) % 9 WHEN 0 THEN 'timeout' ELSE 'ok' END,
	    abs(random()) % 5000, abs(random()) % 3000,
	    CASE abs(random()) % 2 WHEN 0 THEN NULL ELSE abs(random()) % 900 END,
	    abs(random()) % 100,
	    CASE abs(random()) % 6 WHEN 0 THEN NULL
	    ELSE (abs(random()) % 100000000) / 1e10 END,
	    CASE abs(random()) % 8 WHEN 0 THEN NULL WHEN 1 THEN abs(random()) % 64
	    ELSE abs(random()) % (1 << (abs(random()) % 31)) END,
	    CASE abs(random()) % 3 WHEN 0 THEN NULL ELSE abs(random()) % 5000 END,
	    '{\"n\":' || n || '}'
	FROM k"
	run "$SC" -c "$DB"
	[ "$status" -eq 0 ] || { echo "$output" | head -20; false; }
	# Rows leave by prune, and come by merge.
	cp "$DB" "$BATS_TEST_TMPDIR/other.db"
	or-log prune --before 2026-03-01T12:00:00Z 2>/dev/null
	q "UPDATE requests SET latency_ms = latency_ms + 7, job = 'moved' WHERE id % 3 = 0"
	or-log merge "$BATS_TEST_TMPDIR/other.db" 2>/dev/null
	run "$SC" -c "$DB"
	[ "$status" -eq 0 ] || { echo "$output" | head -20; false; }
	[ "$(q 'SELECT sum(requests) FROM requests_sums')" -eq "$(q 'SELECT count(*) FROM requests')" ]
}

# --- budget (issue 12) -----------------------------------------------

# A record that cost $2 at time $1, served by model $3, job id $4.
spent() {
	SPENT_N=$((${SPENT_N:-0} + 1))
	printf '{"id":"%s","prompt":"p%d","model":"%s","send":{"started_at":"%s"},"response":{"id":"gen-b%d","model":"%s"},"cost":{"usd":%s,"source":"generation"}}\n' \
	    "${4:-job}" "$SPENT_N" "${3:-m/x}" "$1" "$SPENT_N" "${3:-m/x}" "$2"
}

# or-log budget at the time $1, with the rest of the arguments.
budget_at() {
	local t=$1
	shift
	ORKIT_NOW=$t run --separate-stderr or-log budget "$@"
}

@test "budget: ok, warn, critical and over, each at its boundary, the percent rounded down" {
	while read -r usd level pct; do
		rm -f "$DB"*
		spent 2026-12-04T01:00:00Z "$usd" | or-log >/dev/null
		budget_at 2026-12-04T12:00:00Z --day 100
		want=0
		[ "$level" = over ] && want=3
		[ "$status" -eq "$want" ] || fail "$usd: status $status"
		[ "$(jq -r '[.level, .percent] | @tsv' <<<"$output")" = "$level	$pct" ] || fail "$usd: $output"
		[ "$stderr" = "" ]
	done <<'EOF'
0 ok 0
79.999999999999 ok 79.9
80 warn 80
94.999999999999 warn 94.9
95 critical 95
99.999999999999 critical 99.9
100 over 100
250.5 over 250.5
EOF
	# --warn W alone: no critical level; W,C moves both.
	budget_at 2026-12-04T12:00:00Z --day 260 --warn 90
	assert_output '{"limit":"day","period":"2026-12-04","usd":260,"spent":250.5,"remaining":9.5,"percent":96.3,"projected":501,"level":"warn"}'
	budget_at 2026-12-04T12:00:00Z --day 260 --warn 10,20
	[ "$(jq -r .level <<<"$output")" = critical ]
	# A limit of 0 lets nothing be spent: over, with no percent.
	rm -f "$DB"*
	or-log </dev/null
	budget_at 2026-12-04T12:00:00Z --day 0 --month 1
	[ "$status" -eq 3 ]
	assert_output - <<'EOF'
{"limit":"day","period":"2026-12-04","usd":0,"spent":0,"remaining":0,"percent":null,"projected":0,"level":"over"}
{"limit":"month","period":"2026-12","usd":1,"spent":0,"remaining":1,"percent":0,"projected":0,"level":"ok"}
EOF
}

@test "budget: the projection is spent x the period / the time gone in it, under a fixed clock" {
	{
		spent 2026-12-01T03:00:00Z 3
		spent 2026-12-04T01:00:00Z 1
		spent 2026-12-04T05:59:59.999Z 0.25
	} | or-log >/dev/null
	budget_at 2026-12-04T06:00:00Z --day 10 --month 100
	assert_output - <<'EOF'
{"limit":"day","period":"2026-12-04","usd":10,"spent":1.25,"remaining":8.75,"percent":12.5,"projected":5,"level":"ok"}
{"limit":"month","period":"2026-12","usd":100,"spent":4.25,"remaining":95.75,"percent":4.2,"projected":40.538461538462,"level":"ok"}
EOF
	# Epoch ms is the same clock; the first instant of a day has spent nothing yet.
	budget_at 1796428800000 --day 10
	assert_output '{"limit":"day","period":"2026-12-05","usd":10,"spent":0,"remaining":10,"percent":0,"projected":0,"level":"ok"}'
}

@test "budget: the same log read either side of midnight, 2026-11-30T23:59Z and 2026-12-01T00:01Z: a new day and month" {
	{
		spent 2026-11-30T23:00:00Z 1.5
		spent 2026-12-01T00:00:30Z 0.5
	} | or-log >/dev/null
	budget_at 2026-11-30T23:59:00Z --day 2 --month 3
	assert_output - <<'EOF'
{"limit":"day","period":"2026-11-30","usd":2,"spent":1.5,"remaining":0.5,"percent":75,"projected":1.501042390549,"level":"ok"}
{"limit":"month","period":"2026-11","usd":3,"spent":1.5,"remaining":1.5,"percent":50,"projected":1.500034723026,"level":"ok"}
EOF
	budget_at 2026-12-01T00:01:00Z --day 2 --month 3
	assert_output - <<'EOF'
{"limit":"day","period":"2026-12-01","usd":2,"spent":0.5,"remaining":1.5,"percent":25,"projected":12,"level":"ok"}
{"limit":"month","period":"2026-12","usd":3,"spent":0.5,"remaining":2.5,"percent":16.6,"projected":15.5,"level":"ok"}
EOF
}

@test "budget: a model limit counts a dated served id, not a longer other id; a job limit its prefix, case and all" {
	{
		spent 2026-12-04T01:00:00Z 0.25 openai/gpt-4o-2024-08-06 nightly-1
		spent 2026-12-04T02:00:00Z 0.5 openai/gpt-4o
		spent 2026-12-04T02:00:00Z 0.125 openai/gpt-4o:floor nightly-2
		spent 2026-12-04T03:00:00Z 2 openai/gpt-4o-mini nightly
		spent 2026-12-03T03:00:00Z 4 openai/gpt-4o nightly-0
	} | or-log >/dev/null
	budget_at 2026-12-04T12:00:00Z --budget model:openai/gpt-4o=1/day,model:openai/gpt-4o-mini=10/month,job:nightly-=0.375/day --budget job:nightly-=1/month
	[ "$status" -eq 3 ]
	assert_output - <<'EOF'
{"limit":"model:openai/gpt-4o/day","period":"2026-12-04","usd":1,"spent":0.875,"remaining":0.125,"percent":87.5,"projected":1.75,"level":"warn"}
{"limit":"model:openai/gpt-4o-mini/month","period":"2026-12","usd":10,"spent":2,"remaining":8,"percent":20,"projected":17.714285714286,"level":"ok"}
{"limit":"job:nightly-/day","period":"2026-12-04","usd":0.375,"spent":0.375,"remaining":0,"percent":100,"projected":0.75,"level":"over"}
{"limit":"job:nightly-/month","period":"2026-12","usd":1,"spent":4.375,"remaining":0,"percent":437.5,"projected":38.75,"level":"over"}
EOF
}

@test "budget: budget.json first, then the flags, a flag's limit in the file's place; --config; the file's run limit left out quietly" {
	logged
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"run": 2, "month": 100, "day": 5, "model": {"openai/gpt-5": {"day": 0.001}}, "warn": [10, 20]}' >"$XDG_CONFIG_HOME/orkit/budget.json"
	budget_at 2026-11-22T12:00:00Z
	[ "$status" -eq 0 ]
	[ "$stderr" = "" ]
	assert_output - <<'EOF'
{"limit":"month","period":"2026-11","usd":100,"spent":0.0019055,"remaining":99.9980945,"percent":0,"projected":0.002658837209,"level":"ok"}
{"limit":"day","period":"2026-11-22","usd":5,"spent":0.00079375,"remaining":4.99920625,"percent":0,"projected":0.0015875,"level":"ok"}
{"limit":"model:openai/gpt-5/day","period":"2026-11-22","usd":0.001,"spent":0.00079375,"remaining":0.00020625,"percent":79.3,"projected":0.0015875,"level":"critical"}
EOF
	budget_at 2026-11-22T12:00:00Z --day 0.0007 --warn 80,95 --budget month=1,model:a/b=1/month
	[ "$status" -eq 3 ]
	assert_output - <<'EOF'
{"limit":"month","period":"2026-11","usd":1,"spent":0.0019055,"remaining":0.9980945,"percent":0.1,"projected":0.002658837209,"level":"ok"}
{"limit":"day","period":"2026-11-22","usd":0.0007,"spent":0.00079375,"remaining":0,"percent":113.3,"projected":0.0015875,"level":"over"}
{"limit":"model:openai/gpt-5/day","period":"2026-11-22","usd":0.001,"spent":0.00079375,"remaining":0.00020625,"percent":79.3,"projected":0.0015875,"level":"ok"}
{"limit":"model:a/b/month","period":"2026-11","usd":1,"spent":0,"remaining":1,"percent":0,"projected":0,"level":"ok"}
EOF
	echo '{"day": 1}' >other.json
	budget_at 2026-11-22T12:00:00Z --config other.json
	assert_output '{"limit":"day","period":"2026-11-22","usd":1,"spent":0.00079375,"remaining":0.99920625,"percent":0,"projected":0.0015875,"level":"ok"}'
	# A run limit asked for on the command line is left out, with a line.
	budget_at 2026-11-22T12:00:00Z --config other.json --budget run=1,model:x=1/run
	[ "$status" -eq 0 ]
	[ "${#lines[@]}" -eq 1 ]
	[ "$stderr" = "or-log: budget: a run limit is what one or-send may spend; left out: run, model:x/run" ]
}

@test "budget: a flag or a budget.json that is wrong, or no limits, is a usage error naming it, exit 2" {
	or-log </dev/null
	run -2 --separate-stderr or-log budget --day abc
	[ "${stderr_lines[0]}" = 'or-log: --day "abc": wants USD, a plain decimal like 5 or 0.25' ]
	run -2 --separate-stderr or-log budget --month 0.0000000000001
	[ "${stderr_lines[0]}" = 'or-log: --month "0.0000000000001": USD to at most 12 decimal places' ]
	run -2 --separate-stderr or-log budget --budget model:x=1
	[ "${stderr_lines[0]}" = 'or-log: --budget "model:x=1": a model limit needs a period: model:x=1/day, /month or /run' ]
	run -2 --separate-stderr or-log budget --day 5 --warn 95,80
	[ "${stderr_lines[0]}" = 'or-log: --warn "95,80": wants W or W,C, whole percents from 1 to 100, W below C, like 80,95' ]
	run -2 --separate-stderr or-log stats --day 5
	[ "${stderr_lines[0]}" = "or-log: stats does not take --day" ]
	run -2 --separate-stderr or-log budget
	assert_output ''
	[ "$stderr" = "or-log: budget: no limits: give --day USD, --month USD or --budget SPEC, or write them in budget.json (orkit(7))" ]
	run -2 --separate-stderr or-log budget --budget run=1
	[ "${stderr_lines[1]}" = "or-log: budget: no limits: give --day USD, --month USD or --budget SPEC, or write them in budget.json (orkit(7))" ]
	run -2 --separate-stderr or-log budget --config nosuch.json --day 1
	[ "$stderr" = "or-log: nosuch.json: No such file or directory" ]
	echo '{"model": {"anthropic/claude-opus-4": {"day": "10"}}}' >b.json
	run -2 --separate-stderr or-log budget --config b.json --day 1
	[ "$stderr" = "or-log: b.json: model.anthropic/claude-opus-4.day: wants USD (a number >= 0)" ]
	echo '{"day": 5,' >b.json
	run -2 --separate-stderr or-log budget --config b.json
	[ "$stderr" = "or-log: b.json: not JSON: Unfinished JSON term at EOF at line 2, column 0" ]
	ORKIT_NOW=tomorrow run -2 --separate-stderr or-log budget --day 1
	[ "$stderr" = 'or-log: ORKIT_NOW "tomorrow": wants a UTC time like 2026-12-04T10:00:00Z, or epoch ms' ]
}

@test "budget: no log yet is nothing spent, with a line; a newer log is refused, exit 2" {
	budget_at 2026-12-04T12:00:00Z --day 5
	[ "$status" -eq 0 ]
	assert_output '{"limit":"day","period":"2026-12-04","usd":5,"spent":0,"remaining":5,"percent":0,"projected":0,"level":"ok"}'
	[ "$stderr" = "or-log: budget: $DB: no log there yet; counting nothing spent" ]
	[ ! -e "$DB" ]
	logged
	q 'PRAGMA user_version = 99'
	budget_at 2026-12-04T12:00:00Z --day 5
	[ "$status" -eq 2 ]
	assert_output ''
	[ "$stderr" = "or-log: $DB: schema version 99 is newer than this orkit's (5); use a newer orkit" ]
}

@test "budget: a writer holding the log's lock does not hold up the reader, which counts what was committed" {
	spent 2026-12-04T01:00:00Z 1 | or-log >/dev/null
	{
		echo 'BEGIN EXCLUSIVE;'
		echo "INSERT INTO requests(ts, status, usd, record) VALUES (1796378400000, 'ok', 50, '{}');"
		sleep 3
		echo 'COMMIT;'
	} | sqlite3 "$DB" &
	holder=$!
	sleep 0.3
	budget_at 2026-12-04T12:00:00Z --day 5
	kill -0 "$holder"
	[ "$status" -eq 0 ]
	assert_output '{"limit":"day","period":"2026-12-04","usd":5,"spent":1,"remaining":4,"percent":20,"projected":2,"level":"ok"}'
	wait "$holder"
	budget_at 2026-12-04T12:00:00Z --day 5
	[ "$status" -eq 3 ]
	[ "$(jq -r .spent <<<"$output")" = 51 ]
}

@test "budget: spent is sqlite3's own sum, to the picodollar" {
	billed 307 >billed.jsonl
	or-log <billed.jsonl >/dev/null
	budget_at 2026-11-20T12:00:00Z --day 1000
	a=$(jq -r .spent <<<"$output")
	c=$(q "SELECT printf('%.10f', sum(usd)) FROM requests")
	[ "$(printf '%.10f' "$a")" = "$c" ]
	[ "$(jq -n "$a == $(or-log stats | jq .usd)")" = true ]
	[[ "$output" != *e-* ]]
}

@test "budget -t: a table with a bar per limit, 20 cells when piped" {
	{
		spent 2026-12-04T01:00:00Z 1
		spent 2026-12-04T02:00:00Z 0.25 openai/gpt-4o-2024-08-06 nightly-1
	} | or-log >/dev/null
	budget_at 2026-12-04T06:00:00Z --day 5 --month 1 --budget model:openai/gpt-4o=1/day,model:x=0/day -t
	[ "$status" -eq 3 ]
	assert_output - <<'EOF'
LIMIT                    PERIOD      USD       SPENT     REMAINING  PERCENT  PROJECTED  LEVEL
day                      2026-12-04  5.000000  1.250000   3.750000       25   5.000000  ok     [#####...............]
month                    2026-12     1.000000  1.250000   0.000000      125  11.923077  over   [####################]
model:openai/gpt-4o/day  2026-12-04  1.000000  0.250000   0.750000       25   1.000000  ok     [#####...............]
model:x/day              2026-12-04  0.000000  0.000000   0.000000        -   0.000000  over   [####################]
EOF
}

# --- conversations ---

@test "recent --cid: one conversation's turns in the order stored, failures too; the cid column is send.cid" {
	jq -c '.send.cid = (if .id == "b" then "c2" else "c1" end)' <<<'{"id":"a","prompt":"one","send":{"started_at":"2026-11-20T10:00:00Z"}}
{"id":"b","prompt":"other","send":{"started_at":"2026-11-20T10:00:01Z"}}
{"id":"c","prompt":"two","error":{"type":"http"},"send":{"started_at":"2026-11-20T10:00:02Z"}}
{"id":"d","prompt":"three","send":{"started_at":"2026-11-20T10:00:03Z"}}' | or-log >/dev/null || true
	run -0 --separate-stderr or-log recent --cid c1
	[ "$(jq -c '[.id, .prompt, .send.cid]' <<<"$output")" = '["a","one","c1"]
["c","two","c1"]
["d","three","c1"]' ]
	run -0 --separate-stderr or-log recent --cid c1 -n 1
	[ "$(jq -r .id <<<"$output")" = d ]
	# No such conversation: one line, exit 1, as show's missing row.
	run -1 --separate-stderr or-log recent --cid none
	assert_output ''
	[ "$stderr" = "or-log: no conversation \"none\" in $DB" ]
	run -1 --separate-stderr or-log recent --cid none -t
	assert_output ''
	run -1 --separate-stderr or-log recent --cid c1 --since 2026-11-21
	[ "$stderr" = "or-log: no conversation \"c1\" in $DB in that time" ]
	# Its id: recent -t's CID column, or the last record's send.cid.
	[ "$(or-log recent -n1 | jq -r .send.cid)" = c1 ]
	run -0 env COLUMNS=200 script -qec 'or-log recent -t -n 1' /dev/null
	output=${output//$'\r'/}
	[[ "$output" == *"  c1   three" ]]
	[ "$(q "SELECT group_concat(coalesce(cid, '-')) FROM requests ORDER BY id")" = "c1,c2,c1,c1" ]
	run -2 --separate-stderr or-log stats --cid c1
	[ "${stderr_lines[0]}" = "or-log: stats does not take --cid" ]
}

@test "migration 5 fills cid from the records a v4 log holds" {
	jq -c '.send.cid = "old"' <<<'{"prompt":"kept","send":{}}' | or-log >/dev/null
	q "DROP INDEX requests_cid; ALTER TABLE requests DROP COLUMN cid; PRAGMA user_version = 4"
	run -2 --separate-stderr or-log recent --cid old
	[ "$stderr" = "or-log: $DB: log schema v4 is older than this orkit's v5; run 'or-log -d $DB </dev/null' once to upgrade it" ]
	or-log </dev/null
	[ "$(q 'PRAGMA user_version')" -eq 5 ]
	[ "$(or-log recent --cid old | jq -r .prompt)" = kept ]
}

# --- text ---

@test "-t: each record stored, its answer written as or-send -t writes it, an error on stderr, exit 1" {
	run -1 --separate-stderr or-log -t <"$REC"
	[ "$output" = "$(printf '%s\n' 'Oi! (or Olá!)' '' '== job-2 ==' 'Olá! ' '' '(That'"'"'s "hi" in Portuguese!)' '' '== job-3 ==' 'Olá!' '' '== job-5 ==' 'Salut !')" ]
	[ "$stderr" = "or-log: job-4: Rate limit exceeded: upstream timeout" ]
	[ "$(q 'SELECT count(*) FROM requests')" -eq 5 ]
	# the records stored are the lines that came in
	diff <(q 'SELECT record FROM requests ORDER BY id') <(cat "$REC")
}

@test "-t over a comparison: every answer named, the first too, as or-send -t names them" {
	fake_start
	or-send -m openai/gpt-4o-mini -m anthropic/claude-sonnet-4 -m openai/gpt-4o "Name a prime" >recs
	run -0 --separate-stderr bash -c 'or-cost <recs | or-log -d compare.db -t'
	assert_output "$(or-send -t -m openai/gpt-4o-mini -m anthropic/claude-sonnet-4 -m openai/gpt-4o "Name a prime")"
	assert_output - <<'EOF'
== 1@openai/gpt-4o-mini ==
Echo: Name a prime

== 1@anthropic/claude-sonnet-4 ==
Echo: Name a prime

== 1@openai/gpt-4o ==
Echo: Name a prime
EOF
	# An id with an "@" that is not the record's model is no comparison.
	run -0 --separate-stderr or-log -t <<<'{"id":"me@example.org","model":"m","response":{"choices":[{"message":{"content":"hi"}}]}}'
	assert_output 'hi'
}

@test "--text: one answer, no name; a record that was not sent is said so" {
	head -1 "$REC" | or-log --text >out
	[ "$(cat out)" = 'Oi! (or Olá!)' ]
	run -0 --separate-stderr or-log --text <<<'{"id":"q","prompt":"hi"}'
	[ "$output" = "" ]
	[ "$stderr" = "or-log: q: no answer to write: it was not sent" ]
	[ "$(q "SELECT count(*) FROM requests WHERE job = 'q'")" -eq 1 ]
}

@test "-t: a record not stored still has its text written, and stderr names it as not stored" {
	logged
	run -1 --separate-stderr or-log -t -d "file:$DB?mode=ro" < <(head -1 "$REC")
	[ "$output" = 'Oi! (or Olá!)' ]
	[ "${stderr_lines[0]}" = "or-log: file:$DB?mode=ro: not storing, from job \"job-1\" on: attempt to write a readonly database; each record left out is named here" ]
	[ "${stderr_lines[1]}" = "or-log: job-1: not stored" ]
	[ "${stderr_lines[2]}" = "or-log: file:$DB?mode=ro: 1 record not stored, the first job \"job-1\"; to keep them, tee the records to a file before or-log -t" ]
}

@test "-t: a conversation at the terminal, or-send -c finding each turn or-log -t stored" {
	fake_start
	or-send -m openai/gpt-4o-mini "Name a colour" </dev/null | or-log -t >out
	or-send -c "Another" </dev/null | or-log -t >>out
	or-send -c "And one more" </dev/null | or-log -t >>out
	[ "$(cat out)" = "$(printf '%s\n' 'Echo: Name a colour' 'Echo: Another' 'Echo: And one more')" ]
	[ "$(request_body 3 | jq -c '[.messages[] | .content]')" = '["Name a colour","Echo: Name a colour","Another","Echo: Another","And one more"]' ]
	[ "$(or-log recent --cid "$(q 'SELECT cid FROM requests LIMIT 1')" | jq -r .prompt)" = "$(printf '%s\n' 'Name a colour' 'Another' 'And one more')" ]
}

@test "-t: with --receipt, or with a subcommand that has no table, exit 2; -t before stats is its table" {
	run -2 --separate-stderr or-log -t --receipt </dev/null
	[ "${stderr_lines[0]}" = "or-log: --receipt and -t are one or the other: -t writes no records" ]
	run -2 --separate-stderr or-log --text stats
	[ "${stderr_lines[0]}" = "or-log: stats does not take --text" ]
	run -2 --separate-stderr or-log -t export
	[ "${stderr_lines[0]}" = "or-log: export does not take -t" ]
	logged
	[ "$(or-log -t stats)" = "$(or-log stats -t)" ]
}
