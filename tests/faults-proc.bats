#!/usr/bin/env bats
# The fault matrix of issue 16, its process and storage faults: the
# pipeline or-route | or-send -P 8 | or-cost | or-log over N records,
# a fault injected, and every record accounted for.  Each test adds one
# row to a table (fault, records in, records out, rows stored, requests
# the server received, the exit status of each stage) and asserts each
# cell (tests/faults.bash prints the table).

# bats file_tags=plain

load helper
load faults

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR"
	DB=$BATS_TEST_TMPDIR/log.db
	export ORKIT_DB=$DB
	# The sanitizers and valgrind make every record cost; 100 and 50
	# still show a fault's shape.
	if [ -n "${ORKIT_VALGRIND:-}" ]; then N=50
	elif [ -n "${ORKIT_SANITIZED:-}" ]; then N=100
	else N=1000; fi
	MNTS=()
	fake_start
	jobs_of "$N" >in.jsonl
}

teardown() {
	# A test that failed half way leaves no stage running: those of
	# its stages that are still its running jobs (a pid reaped is not
	# ours to signal any more).
	touch "$BATS_TEST_TMPDIR/go"
	local p running
	running=$(jobs -pr)
	for p in ${P_ROUTE:-} ${P_SEND:-} ${P_COST:-} ${P_LOG:-}; do
		if grep -qx "$p" <<<"$running"; then
			kill -9 "$p" 2>/dev/null || true
		fi
	done
	fake_stop
	local m
	for m in "${MNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
}

# N jobs, each its id as its prompt, so a request names its record.
jobs_of() {
	seq "$1" | jq -c '"p\(.)" | {id: ., prompt: .}'
}

# Mounts a tmpfs of $2 (options) on the directory $1, made if need be;
# the test is skipped, saying why, where that cannot be done.
mount_tmpfs() {
	[ "$(id -u)" -eq 0 ] || skip "needs root to mount a tmpfs"
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>mount.err ||
	    skip "mount -t tmpfs refused: $(cat mount.err)"
	MNTS+=("$1")
}

# The pipeline from $1 (in.jsonl) to $2 (out.jsonl), each stage's
# stderr in its own file; ST is its PIPESTATUS joined with '|'.
pipeline() {
	local ps
	set +e
	or-route <"${1:-in.jsonl}" 2>route.err | or-send -P 8 2>send.err |
	    or-cost 2>cost.err | or-log >"${2:-out.jsonl}" 2>log.err
	ps=("${PIPESTATUS[@]}")
	set -e
	ST=$(IFS='|'; echo "${ps[*]}")
}

# Waits until the fake server has received at least N chat requests.
wait_requests() {
	local i
	for i in $(seq 1200); do
		[ "$(requests)" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "the server never received $1 requests"
}

# Waits until the file $1 exists (at most 60 s).
wait_file() {
	local i
	for i in $(seq 1200); do
		[ -e "$1" ] && return 0
		sleep 0.05
	done
	return 1
}

# Waits until the process $1 has ended (at most 20 s).
wait_gone() {
	local i
	for i in $(seq 400); do
		kill -0 "$1" 2>/dev/null || return 0
		sleep 0.05
	done
	fail "process $1 is still running"
}

# Rows of the log (0 when there is none).
rows() {
	if [ -s "${1:-$DB}" ]; then
		sqlite3 "${1:-$DB}" 'SELECT count(*) FROM requests'
	else
		echo 0
	fi
}

# The row of this fault: the cells as they are, then each asserted.
# row FAULT IN OUT ROWS REQUESTS EXIT (expected), out.jsonl the output.
row() {
	local in out n req
	in=$(wc -l <in.jsonl)
	out=$(wc -l <"${OUT:-out.jsonl}")
	n=$(rows)
	req=$(requests "${REQ_PATH:-/chat/completions}")
	fault_row "$1" "$in" "$out" "$n" "$req" "$ST"
	cell "$in" "$2"
	cell "$out" "$3"
	cell "$n" "$4"
	cell "$req" "$5"
	cell "$ST" "$6"
}

# A cell as expected: the same text, or for "A..B" a number from A to B
# (where a fault's timing decides; the test asserts what it implies).
cell() {
	if [[ "$2" =~ ^([0-9]+)\.\.([0-9]+)$ ]]; then
		[ "$1" -ge "${BASH_REMATCH[1]}" ] && [ "$1" -le "${BASH_REMATCH[2]}" ] ||
		    fail "cell $1 is not within $2"
	else
		assert_equal "$1" "$2"
	fi
}

# Every input id once in FILE (out.jsonl), in input order.
once_out() {
	diff <(jq -r .id "${1:-out.jsonl}") <(jq -r .id in.jsonl)
}

# Every input id once in the log.
once_stored() {
	diff <(sqlite3 "$DB" 'SELECT job FROM requests' | sort) \
	    <(jq -r .id in.jsonl | sort)
}

# No prompt sent twice.
sent_once() {
	assert_equal "$(sent | sort | uniq -d)" ""
}

# The prompt of each chat request the server received, one a line.
sent() {
	[ -s "$FAKE_LOG" ] || return 0
	jq -r 'select(.path == "/chat/completions") | .body.messages[-1].content' \
	    "$FAKE_LOG"
}

# Each record's outcome, "ok" or its error type, counted: "N type" lines.
outcomes() {
	jq -r 'if .error then .error.type elif .response then "ok" else "NONE" end' \
	    "${1:-out.jsonl}" | sort | uniq -c | awk '{ print $1, $2 }'
}

# --- baseline --------------------------------------------------------

@test "fault: none: the pipeline as it runs every day" {
	pipeline
	row "none" "$N" "$N" "$N" "$N" "0|0|0|0"
	once_out
	once_stored
	sent_once
	assert_equal "$(outcomes)" "$N ok"
	assert_equal "$(cat route.err send.err cost.err log.err)" ""
}

# --- process ---------------------------------------------------------

# The pipeline in the background, its stages joined by fifos so that
# each has a pid (P_ROUTE, P_SEND, P_COST, P_LOG) to signal and to wait
# for; $1 the input (in.jsonl), $2 the output (out.jsonl).
pipeline_bg() {
	rm -f f1 f2 f3
	mkfifo f1 f2 f3
	or-route <"${1:-in.jsonl}" >f1 2>route.err &
	P_ROUTE=$!
	or-send -P 8 <f1 >f2 2>send.err &
	P_SEND=$!
	or-cost <f2 >f3 2>cost.err &
	P_COST=$!
	or-log <f3 >"${2:-out.jsonl}" 2>log.err &
	P_LOG=$!
}

# Waits for the stages of pipeline_bg; ST their statuses joined by '|'.
pipeline_wait() {
	local p s all=()
	for p in "$P_ROUTE" "$P_SEND" "$P_COST" "$P_LOG"; do
		s=0
		wait "$p" || s=$?
		all+=("$s")
	done
	P_ROUTE= P_SEND= P_COST= P_LOG=
	ST=$(IFS='|'; echo "${all[*]}")
}

# The fake server again, its script empty; its request log goes on.
fresh_fake() {
	fake_stop
	fake_start
}

# Each answer slowed by the script, so that a signal lands mid-batch.
slow_answers() {
	local i
	for i in $(seq "$N"); do echo "/chat/completions delay 40"; done >>"$FAKE_SCRIPT"
}

# SIGNAL ($1) to or-send once 16 requests came, or with $2 "all" to
# every stage, as timeout(1) and service managers signal a pipeline: the
# records in flight are answered, the rest written on interrupted, and
# every stage writes on what it holds, so each answer the server gave,
# billed, reaches the log; ok the answered count.
signal_send() {
	local who="or-send" quiet="route.err cost.err log.err"
	slow_answers
	pipeline_bg
	wait_requests 16
	if [ "${2:-}" = all ]; then
		kill -"$1" "$P_ROUTE" "$P_SEND" "$P_COST" "$P_LOG"
		# or-cost says how many it costed without /generation
		who="every stage" quiet="route.err log.err"
	else
		kill -"$1" "$P_SEND"
	fi
	pipeline_wait
	ok=$(jq -c 'select(.response)' out.jsonl | wc -l)
	row "process: SIG$1 to $who mid-batch" "$N" "$N" "$N" "$ok" "0|1|1|1"
	once_out
	once_stored
	sent_once
	assert_equal "$(outcomes)" "$((N - ok)) interrupted
$ok ok"
	[ "$ok" -ge 16 ]
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM requests WHERE status = 'ok'")" "$ok"
	# The ones not answered were not sent, so --retry may send them.
	assert_equal "$(jq -c 'select(.error) | [.error.retryable, .error.message, .send.attempts]' out.jsonl | sort -u)" \
	    '[true,"interrupted before it was sent",null]'
	assert_equal "$(tail -n 1 send.err)" "or-send: interrupted: $((N - ok)) records written with error.type \"interrupted\"; or-send --retry sends them again"
	# shellcheck disable=SC2086
	assert_equal "$(cat $quiet)" ""
}

@test "fault: process: SIGINT to or-send mid-batch, then --retry" {
	signal_send INT
	# --retry sends the rest, each once; the log then has one answer
	# for every job (the interrupted rows stay, as what happened). A
	# fake anew, without the slow script's lines left; its log goes on.
	fresh_fake
	set +e
	or-send -P 8 --retry <out.jsonl 2>send2.err | or-cost 2>cost2.err |
	    or-log >out2.jsonl 2>log2.err
	ps=("${PIPESTATUS[@]}")
	set -e
	ST=$(IFS='|'; echo "${ps[*]}")
	OUT=out2.jsonl row "process: SIGINT, then or-send --retry | ..." \
	    "$N" "$N" "$((2 * N - ok))" "$N" "0|0|0"
	once_out out2.jsonl
	sent_once
	assert_equal "$(outcomes out2.jsonl)" "$N ok"
	diff <(sqlite3 "$DB" "SELECT job FROM requests WHERE status = 'ok'" | sort) \
	    <(jq -r .id in.jsonl | sort)
	assert_equal "$(or-log pending <in.jsonl)" ""
	assert_equal "$(cat send2.err cost2.err log2.err)" ""
}

@test "fault: process: SIGTERM to or-send mid-batch" {
	signal_send TERM
}

@test "fault: process: SIGTERM to every stage mid-batch (timeout, systemd)" {
	signal_send TERM all
}

# --- the reader of a tool's stdout closing early ---------------------

# The pipeline's first $1 stages (of or-route, or-send -P 8, or-cost,
# or-log) into head -n 1, every stage bounded by timeout (124: a hang).
early_close() {
	local stages=("or-route <in.jsonl" "or-send -P 8" "or-cost" "or-log") cmd= i
	# 1,000 records at every pass: fewer may all fit in the pipe to
	# head, and or-route would never meet its reader's end.
	N=1000
	jobs_of "$N" >in.jsonl
	for ((i = 0; i < $1; i++)); do
		cmd+="${cmd:+ | }${stages[i]} 2>$i.err"
	done
	slow_answers
	run -0 timeout 120 bash -c "$cmd | head -n 1 >out.jsonl; ps=(\"\${PIPESTATUS[@]}\"); IFS='|'; echo \"\${ps[*]}\""
	ST=$output
	# Nothing said: a reader that went away is no error to report.
	assert_equal "$(cat [0-3].err)" ""
	# What came out is the first record.
	assert_equal "$(jq -r .id out.jsonl)" p1
}

@test "fault: process: or-route's reader closes early (SIGPIPE)" {
	early_close 1
	row "process: or-route | head -n 1" "$N" 1 0 0 "2|0"
}

@test "fault: process: or-send's reader closes early (SIGPIPE)" {
	early_close 2
	row "process: or-route | or-send | head -n 1" "$N" 1 0 "1..$((N - 1))" "2|2|0"
}

@test "fault: process: or-cost's reader closes early (SIGPIPE)" {
	early_close 3
	row "process: ... | or-cost | head -n 1" "$N" 1 0 "1..$((N - 1))" "2|2|2|0"
}

@test "fault: process: or-log's reader closes early (SIGPIPE)" {
	early_close 4
	row "process: ... | or-log | head -n 1" "$N" 1 "1..$((N - 1))" "1..$((N - 1))" "2|2|2|2|0"
	# What came out of or-log is stored, and nothing twice.
	assert_equal "$(sqlite3 "$DB" "SELECT count(*) FROM requests WHERE job = 'p1'")" 1
	assert_equal "$(sqlite3 "$DB" 'SELECT job FROM requests' | sort | uniq -d)" ""
	assert_equal "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
}

@test "fault: process: or-models's reader closes early (SIGPIPE)" {
	run -0 timeout 60 bash -c 'or-models --refresh 2>0.err | head -n 1 >out.jsonl; ps=("${PIPESTATUS[@]}"); IFS="|"; echo "${ps[*]}"'
	ST=$output
	assert_equal "$(cat 0.err)" ""
	: >in.jsonl
	REQ_PATH=/models row "process: or-models | head -n 1 (GET /models)" 0 1 0 1 "2|0"
}

@test "fault: process: the reader gone while or-send waits for answers" {
	# Every answer an hour away: no write is due to meet EPIPE.
	# 1,000 records at every pass: fewer may all fit in the pipe to
	# or-send, and or-route would end (0) before its reader did.
	N=1000
	jobs_of "$N" >in.jsonl
	for i in $(seq 16); do fake "/chat/completions delay 3600000"; done
	run -0 timeout 120 bash -c 'or-route <in.jsonl 2>0.err | or-send -P 8 2>1.err | or-cost 2>2.err | true; ps=("${PIPESTATUS[@]}"); IFS="|"; echo "${ps[*]}"'
	ST=$output
	: >out.jsonl
	row "process: ... | or-cost | true, answers slow" "$N" 0 0 "0..8" "2|2|2|0"
	assert_equal "$(cat [0-2].err)" ""
}

# --- kill -9 of or-log -----------------------------------------------

@test "fault: process: kill -9 of or-log mid-stream, then pending resumes" {
	# 1,000 at every pass: fewer may all fit in the pipes, and or-route
	# would finish before its reader's end came back to it.
	N=1000
	jobs_of "$N" >in.jsonl
	slow_answers
	pipeline_bg
	wait_lines out.jsonl 40
	kill -9 "$P_LOG"
	pipeline_wait
	cp out.jsonl out1.jsonl
	before=$(rows)
	# What it wrote on is stored; the log is sound.
	assert_equal "$(comm -23 <(jq -r .id out1.jsonl | sort) <(sqlite3 "$DB" 'SELECT job FROM requests' | sort))" ""
	assert_equal "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
	sqlite3 "$DB" 'SELECT job FROM requests' | sort >stored-before
	req=$(requests)
	n1=$(wc -l <out1.jsonl)
	OUT=out1.jsonl row "process: kill -9 of or-log mid-stream" "$N" "$n1" "$before" "$req" "2|2|2|137"
	[ "$n1" -ge 40 ] && [ "$n1" -le "$before" ]
	assert_equal "$(cat route.err send.err cost.err log.err)" ""

	# pending hands on the jobs not stored; the same pipeline stores them.
	fresh_fake
	or-log pending <in.jsonl >rest.jsonl
	assert_equal "$(comm -12 <(jq -r .id rest.jsonl | sort) stored-before)" ""
	[ "$(wc -l <rest.jsonl)" -eq $((N - before)) ]
	pipeline rest.jsonl out2.jsonl
	cat out1.jsonl out2.jsonl >out.jsonl
	OUT=out.jsonl row "process: kill -9 or-log, then pending | ..." "$N" \
	    "$((n1 + N - before))" "$N" "$N..$((2 * N))" "0|0|0|0"
	once_stored
	assert_equal "$(jq -r .id out.jsonl | sort | uniq -d)" ""
	assert_equal "$(or-log pending <in.jsonl)" ""
	# A job sent twice was one not stored when or-log died: answered
	# upstream of it, on its way, and lost with it.
	assert_equal "$(comm -12 <(sent | sort | uniq -d) stored-before)" ""
}

# --- many writers, and readers ---------------------------------------

# Splits in.jsonl into part.1 .. part.8, one for each pipeline.
split_eight() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		awk -v i="$i" 'NR % 8 == i % 8' in.jsonl >part.$i
	done
}

# The exit statuses of the pipelines in w*/st, counted: "8x 0|0|0|0".
eight_status() {
	sort w*/st | uniq -c | awk '{ printf "%s%sx %s", (NR > 1 ? ", " : ""), $1, $2 }'
}

# Each pipeline's output is its part, in its order.
eight_out() {
	local i
	for i in 1 2 3 4 5 6 7 8; do
		diff <(jq -r .id w$i/out.jsonl) <(jq -r .id part.$i)
	done
	cat w*/out.jsonl >out.jsonl
}

@test "fault: process: eight concurrent pipelines into one database" {
	split_eight
	for i in 1 2 3 4 5 6 7 8; do
		mkdir w$i
		(cd w$i && pipeline ../part.$i out.jsonl && echo "$ST" >st) &
		pids+=($!)
	done
	wait "${pids[@]}"
	ST=$(eight_status)
	eight_out
	row "process: eight pipelines into one database" "$N" "$N" "$N" "$N" "8x 0|0|0|0"
	once_stored
	sent_once
	assert_equal "$(outcomes)" "$N ok"
	assert_equal "$(cat w*/*.err)" ""
	assert_equal "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
}

# stats and search, as records: the requests counted, the rows found.
read_log() {
	local s f
	s=$(or-log stats | jq -s 'map(.requests) | add // 0') || return 1
	f=$(or-log search -n 100000 echo | wc -l) || return 1
	echo "$s $f"
}

@test "fault: process: a reader running stats and search while eight pipelines write" {
	split_eight
	half=$(( $(wc -l <part.1) / 2 ))
	for i in 1 2 3 4 5 6 7 8; do
		mkdir w$i
		head -n "$half" part.$i >w$i/a
		tail -n +"$((half + 1))" part.$i >w$i/b
	done
	or-log </dev/null
	for i in 1 2 3 4 5 6 7 8; do
		(
			cd w$i
			{
				cat a
				# The rest once the reader has seen the first halves.
				for t in $(seq 1200); do [ -e ../go ] && break; sleep 0.05; done
				cat b
			} | { pipeline /dev/stdin out.jsonl; echo "$ST" >st; }
		) &
		pids+=($!)
	done
	first=$(cat w*/a | wc -l)
	for t in $(seq 1200); do [ "$(rows)" -ge "$first" ] && break; sleep 0.05; done
	# The first halves stored, the writers still running: exact figures.
	assert_equal "$(read_log)" "$first $first"
	touch go
	# Then readers alongside the writers, until they are done: each
	# read whole, never fewer rows than the last, never more than all.
	last=$first
	reads=0
	while [ "$(ls w*/st 2>/dev/null | wc -l)" -lt 8 ] && [ "$reads" -lt 10 ]; do
		got=$(read_log) || fail "a read failed while the pipelines wrote"
		set -- $got
		[ "$1" -eq "$2" ] || [ "$1" -le "$2" ] || fail "stats $1, search $2"
		[ "$1" -ge "$last" ] && [ "$1" -le "$N" ] || fail "stats said $1 after $last"
		last=$1
		reads=$((reads + 1))
	done
	wait "${pids[@]}"
	assert_equal "$(read_log)" "$N $N"
	ST=$(eight_status)
	eight_out
	row "process: a reader while 8 pipelines write" "$N" "$N" "$N" "$N" "8x 0|0|0|0"
	once_stored
	sent_once
	assert_equal "$(cat w*/*.err)" ""
}

# --- storage ---------------------------------------------------------

# Records marked not stored in FILE (out.jsonl), and why, counted.
not_stored() {
	jq -r 'select(.log.stored == false) | .log.reason' "${1:-out.jsonl}" |
	    sort | uniq -c | awk '{ $1 = $1; print }'
}

# The records not stored fed back, as or-log's last line says to.
refeed() {
	jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log >/dev/null
}

@test "fault: storage: the database's disk full mid-batch" {
	mount_tmpfs disk size=16m
	export ORKIT_DB=$BATS_TEST_TMPDIR/disk/log.db DB=$BATS_TEST_TMPDIR/disk/log.db
	half=$((N / 2))
	mkfifo feed
	pipeline_bg feed
	exec 7>feed
	head -n "$half" in.jsonl >&7
	wait_lines out.jsonl "$half"
	# The first half is stored; then nothing more fits.
	assert_equal "$(rows)" "$half"
	dd if=/dev/zero of=disk/fill bs=4k 2>/dev/null || true
	tail -n +"$((half + 1))" in.jsonl >&7
	exec 7>&-
	pipeline_wait
	stored=$(rows)
	row "storage: the disk full mid-batch" "$N" "$N" "$stored" "$N" "0|0|0|1"
	once_out
	sent_once
	assert_equal "$(outcomes)" "$N ok"
	# Each record not stored goes out marked, and the count adds up.
	assert_equal "$(not_stored)" "$((N - stored)) database or disk is full"
	[ "$stored" -lt "$N" ]
	first=$(jq -r 'select(.log.stored == false) | .id' out.jsonl | head -n 1)
	assert_equal "$(sed -n 1p log.err)" "or-log: $DB: not storing, from job \"$first\" on: database or disk is full; each record left out is marked \"log\": {\"stored\": false}"
	assert_equal "$(sed -n 2p log.err)" "or-log: $DB: $((N - stored)) records not stored, the first job \"$first\"; to store them, feed the output back: jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log"
	assert_equal "$(cat route.err send.err cost.err)" ""
	assert_equal "$(sqlite3 "$DB" 'PRAGMA integrity_check')" ok
	# With room again, the re-feed its line names stores the rest, once.
	rm disk/fill
	refeed
	once_stored
}

@test "fault: storage: a read-only database" {
	or-log </dev/null
	if [ "$(id -u)" -eq 0 ]; then
		# chmod does not stop root: a file system mounted read-only does.
		mount_tmpfs ro size=4m
		cp "$DB" ro/log.db
		mount -o remount,ro ro
		export ORKIT_DB=$BATS_TEST_TMPDIR/ro/log.db DB=$BATS_TEST_TMPDIR/ro/log.db
		why="Read-only file system"
	else
		chmod a-w "$DB" .
		why="attempt to write a readonly database"
	fi
	pipeline
	# The readers read it there all the same (its -shm cannot be made:
	# read as the unchanging file it is there).
	assert_equal "$(or-log stats | jq -c .)" ""
	assert_equal "$(or-log sql 'SELECT count(*) AS n FROM requests')" '{"n":0}'
	if [ "$(id -u)" -eq 0 ]; then mount -o remount,rw ro; else chmod u+w "$DB" .; fi
	row "storage: a read-only database" "$N" "$N" 0 "$N" "0|0|0|1"
	once_out
	sent_once
	assert_equal "$(outcomes)" "$N ok"
	assert_equal "$(not_stored)" "$N $why"
	assert_equal "$(cat log.err)" "or-log: $DB: not storing, from job \"p1\" on: $why; each record left out is marked \"log\": {\"stored\": false}
or-log: $DB: $N records not stored, the first job \"p1\"; to store them, feed the output back: jq -c 'select(.log.stored == false) | del(.log)' out.jsonl | or-log"
	assert_equal "$(cat route.err send.err cost.err)" ""
	refeed
	once_stored
}

@test "fault: storage: an unwritable cache directory" {
	if [ "$(id -u)" -eq 0 ]; then
		mount_tmpfs "$XDG_CACHE_HOME" ro,size=1m
		why="Read-only file system"
	else
		mkdir -p "$XDG_CACHE_HOME"
		chmod a-w "$XDG_CACHE_HOME"
		why="Permission denied"
	fi
	pipeline
	row "storage: an unwritable cache directory" "$N" "$N" "$N" "$N" "0|0|0|0"
	once_out
	once_stored
	sent_once
	assert_equal "$(outcomes)" "$N ok"
	# The catalog fetched, used, and not kept: said once.
	assert_equal "$(requests /models)" 1
	assert_equal "$(cat route.err)" "or-route: cannot write $XDG_CACHE_HOME/orkit/models.json: $why"
	assert_equal "$(cat send.err cost.err log.err)" ""
}

@test "fault: storage: a database from a newer version" {
	or-log </dev/null
	sqlite3 "$DB" 'PRAGMA user_version = 99'
	# The input comes once or-log has refused the log, as it does at
	# once: each stage before it then leaves, in turn, as soon as the
	# one after it is gone, and nothing is sent (without that, or-send
	# sent 31 to 76 requests before its next write met EPIPE).
	rm -f f1 f2 f3
	mkfifo f1 f2 f3
	(wait_file go && exec cat in.jsonl) | or-route >f1 2>route.err &
	P_ROUTE=$!
	or-send -P 8 <f1 >f2 2>send.err &
	P_SEND=$!
	or-cost <f2 >f3 2>cost.err &
	P_COST=$!
	or-log <f3 >out.jsonl 2>log.err &
	P_LOG=$!
	wait_gone "$P_LOG"
	wait_gone "$P_COST"
	wait_gone "$P_SEND"
	touch go
	pipeline_wait
	row "storage: a database from a newer version" "$N" 0 0 0 "2|2|2|2"
	newer="$DB: schema version 99 is newer than this orkit's (5); use a newer orkit"
	assert_equal "$(cat log.err)" "or-log: $newer"
	assert_equal "$(cat route.err)" "or-route: $newer; routing without history"
	assert_equal "$(cat send.err cost.err)" ""
	assert_equal "$(sqlite3 "$DB" 'PRAGMA user_version')" 99
}
