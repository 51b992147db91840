#!/usr/bin/env bats
# Pipelines as users write them, and the man pages' EXAMPLES, run for real.

# bats file_tags=plain

load helper

setup() {
	common_setup
	fake_start
	cd "$BATS_TEST_TMPDIR"
	printf 'What is 2+2?\nName a prime.\nCapital of Peru?\n' >questions.txt
	printf '{"prompt":"a"}\n{"prompt":"b","model":"anthropic/claude-3.5-haiku"}\n' \
	    >requests.jsonl
}

teardown() {
	fake_stop
}

# Runs each example of a page; a page whose first example is
# "set -o pipefail" has every one after it run so, as its text says.
run_examples() {
	local page=$1 cmds cmd n=0 pre=
	cmds=$(examples "$page")
	[ -n "$cmds" ] || fail "$page has no EXAMPLES"
	while IFS= read -r cmd; do
		if [ "$cmd" = "set -o pipefail" ] && [ "$n" -eq 0 ]; then
			pre="set -o pipefail; "
			continue
		fi
		n=$((n + 1))
		# </dev/null: the list of commands is not an example's input
		# (or-send with a prompt argument reads stdin as a document)
		run --separate-stderr bash -c "$pre$cmd" </dev/null
		[ "$status" -eq 0 ] || fail "$page example $n failed ($status): $cmd: $stderr"
	done <<<"$cmds"
	echo "$page: $n examples ran"
	[ "$n" -ge 2 ]
}

@test "or-send(1) EXAMPLES run" {
	printf '%s\n' '{"id":"nightly-1","model":"openai/gpt-4o-mini","prompt":"hi","max_tokens":50}' \
	    '{"id":"nightly-2","model":"anthropic/claude-opus-4","prompt":"hi","max_tokens":50}' >jobs.jsonl
	printf '# Q3\nSales rose.\n' >report.md
	printf 'Be brief.\n' >style.txt
	printf 'What is 2+2?\n' >question.txt
	printf '\211PNG\r\n\032\n0000' >photo.png
	printf '%%PDF-1.4\n%%%%EOF\n' >invoice.pdf
	run_examples or-send.1
	# the conversation at the terminal: its third turn sent the first two
	[ "$(jq -c 'select(.body.messages[-1].content == "And their sum?") | [.body.messages[].content]' "$FAKE_LOG")" = '["Name a prime","Echo: Name a prime","And the next one?","Echo: And the next one?","And their sum?"]' ]
	# the file examples sent what they name, -v logged each request
	grep -q '"content":"Summarize this in one line\\n\\n# Q3\\nSales rose.\\n"' "$FAKE_LOG"
	grep -q '"data:application/pdf;base64,' "$FAKE_LOG"
	[ "$(grep -c ': POST .*/chat/completions' send.log)" -eq 2 ]
	[ "$(wc -l <answers.jsonl)" -eq 3 ]
	# the budget examples sent each job, and or-log has them, after
	# the conversation's three turns
	[ "$(jq -r .response.choices[0].message.content out.jsonl | paste -sd,)" = "Echo: hi,Echo: hi" ]
	[ "$(or-log sql 'SELECT count(*) FROM requests')" = '{"count(*)":5}' ]
}

# The pages whose EXAMPLES a test runs, or-log(1) left to its own.
PIPEFAIL_PAGES="or-send.1 or-models.1 or-cost.1 or-route.1 orkit.7"

@test "EXAMPLES: every page but or-log(1) sets pipefail before its pipelines" {
	local page
	for page in $PIPEFAIL_PAGES; do
		[ "$(examples "$page" | head -n 1)" = "set -o pipefail" ] ||
		    fail "$page: its EXAMPLES do not begin with set -o pipefail"
	done
}

# "vendor/name" tokens of a page's EXAMPLES, one a line.
example_ids() {
	awk '/^\.Sh / { on = ($2 == "EXAMPLES"); next } on' "$TOP/man/$1" |
	    grep -oE "(^|[ \"'=:,({])[a-z~][a-z0-9.-]*/[A-Za-z0-9][A-Za-z0-9.:_~-]*" |
	    sed 's/^[^a-z~]//' | sort -u
}

@test "EXAMPLES: every model id named is in a fixture catalog" {
	local page id n=0
	jq -r '.data[].id // empty' "$FIXTURES/models.json" \
	    "$FIXTURES/models-2026.json" | sort -u >known
	# a vendor is an author of the catalogs: text/html is no model id
	sed 's|/.*||' known | sort -u >vendors
	for page in $(cd "$TOP/man" && ls); do
		for id in $(example_ids "$page"); do
			grep -qxF -- "${id%%/*}" vendors || continue
			n=$((n + 1))
			grep -qxF -- "$id" known || fail "$page names $id, in no fixture catalog"
		done
	done
	[ "$n" -ge 8 ]
	# or-models(1) compares models of today's catalog
	[ "$(example_ids or-models.1 | grep -cxFf - <(jq -r '.data[].id // empty' "$FIXTURES/models-2026.json"))" -eq 3 ]
}

@test "or-models(1) EXAMPLES run, on today's catalog" {
	fake_stop
	fake_start -m "$FIXTURES/models-2026.json"
	run_examples or-models.1
	[ "$(jq -r .body.model "$FAKE_LOG" | tail -1)" = "$(or-models --free --need tools --ids --limit 1)" ]
}

@test "orkit(7) EXAMPLES run" {
	run_examples orkit.7
	[ "$(jq -r .response.choices[0].message.content answers.jsonl | head -1)" = "Echo: What is 2+2?" ]
	# the second example's three: or-route chose by the table's cost
	# list, the cheapest provider
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG" | sed -n 4,6p | uniq -c | xargs)" = "3 mistralai/mistral-nemo:floor" ]
}

# or-route(1)'s EXAMPLES: tests/or-route.bats runs each, checking its output.

@test "or-models | xargs or-send: each free model with tools answers once" {
	run -0 --separate-stderr bash -c "or-models --free --need tools --limit 3 --ids | xargs -I{} or-send -m {} -t hi"
	assert_output $'Echo: hi\nEcho: hi\nEcho: hi'
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG")" = "$(or-models --free --need tools --limit 3 --ids)" ]
}

@test "jq | or-send | jq: answers in question order" {
	run -0 --separate-stderr bash -c "jq -c '{prompt: .}' -R questions.txt | or-send | jq -r '.response.choices[0].message.content'"
	assert_output $'Echo: What is 2+2?\nEcho: Name a prime.\nEcho: Capital of Peru?'
}

@test "xargs runs or-send once per line" {
	run -0 --separate-stderr bash -c "xargs -I{} or-send -t {} <questions.txt"
	assert_output $'Echo: What is 2+2?\nEcho: Name a prime.\nEcho: Capital of Peru?'
}

@test "failures stay in the stream, and only they are sent again" {
	fake "status 400" ok "status 400"
	run -1 --separate-stderr bash -c "jq -c '{prompt: .}' -R questions.txt | or-send > out.jsonl"
	[ "$(jq -r 'if .error then "E" else "R" end' out.jsonl | tr -d '\n')" = ERE ]
	run -0 --separate-stderr bash -c "jq -c 'select(.error) | del(.error, .send)' out.jsonl | or-send | jq -r .response.choices[0].message.content"
	assert_output $'Echo: What is 2+2?\nEcho: Capital of Peru?'
	[ "$(requests)" -eq 5 ]
}

@test "a 1000-record stream through two or-sends keeps order and count" {
	instrumented && skip "slow under instrumentation"
	seq 1000 | jq -c '{id: ., prompt: "q\(.)"}' >in.jsonl
	run -0 --separate-stderr bash -c "or-send <in.jsonl | or-send | jq -s 'map(.id) == [range(1; 1001)]'"
	assert_output true
	[ "$(requests)" -eq 1000 ]
}

@test "or-cost(1) EXAMPLES run" {
	run_examples or-cost.1
	[ "$(jq -r .cost.source costed.jsonl | sort -u)" = generation ]
	[ "$(wc -l <more.jsonl)" -eq 2 ]
}

@test "or-send | or-cost | or-cost --total: the bill is the sum of the answers" {
	jq -c '{prompt: .}' -R questions.txt | or-send -P 3 | or-cost -P 3 >costed.jsonl
	run -0 --separate-stderr or-cost --total <costed.jsonl
	[ "$(jq .total.usd <<<"$output")" = "$(jq -s 'map(.response.usage.cost) | add * 1e12 | round / 1e12' costed.jsonl)" ]
	[ "$(jq -c '.total | [.records, .requests, .failures]' <<<"$output")" = "[3,3,0]" ]
}

@test "or-log(1) EXAMPLES run" {
	run_examples or-log.1
	[ "$(wc -l <answers.jsonl)" -eq 3 ]
	[ "$(sqlite3 "$XDG_DATA_HOME/orkit/log.db" 'SELECT count(*) FROM requests')" -eq 11 ]
	# answers 3, a conversation 2, pending 2, cache 2 answered from
	# the log, merge 2.
	[ "$(sqlite3 "$XDG_DATA_HOME/orkit/log.db" 'SELECT sum(cached) FROM requests')" -eq 2 ]
	[ "$(requests)" -eq 9 ]
	# or-log -t stored the first turn, so the second sent it
	[ "$(jq -c 'select(.body.messages[-1].content == "And the next one?") | [.body.messages[].content]' "$FAKE_LOG")" = '["Name a prime","Echo: Name a prime","And the next one?"]' ]
	[ "$(head -1 nov.csv | cut -d, -f1-3)" = "id,time,job" ]
	# The week's page, whole, with this run's requests on it.
	xmllint --noout spend.html
	[ "$(xmllint --xpath "string(//p[@id='total']/@data-requests)" spend.html)" -eq 11 ]
	[ "$(head -1 all.csv)" = $'job,usd,prompt,answer\r' ]
	[ "$(wc -l <all.csv)" -ge 10 ]
}

@test "or-send --budget | or-log on a new log: or-send never sees it half made" {
	local i
	for i in 1 2 3 4 5; do
		rm -rf "$XDG_DATA_HOME/orkit"
		run --separate-stderr bash -c "set -o pipefail; jq -c '{prompt: .}' -R questions.txt | or-send -m openai/gpt-4o-mini --budget day=1 | or-log | jq -r .response.choices[0].message.content"
		[ "$status" -eq 0 ] || fail "run $i: $status: $stderr"
		assert_output $'Echo: What is 2+2?\nEcho: Name a prime.\nEcho: Capital of Peru?'
	done
	[ "$(or-log sql 'SELECT count(*) FROM requests')" = '{"count(*)":3}' ]
}

@test "or-send | or-log | or-log: a log in the middle changes nothing" {
	run -0 --separate-stderr bash -c "or-send <requests.jsonl | tee sent.jsonl | or-log | or-log -d second.db >logged.jsonl"
	cmp sent.jsonl logged.jsonl
	[ "$(or-log -d second.db sql 'SELECT count(*) AS n FROM requests')" = '{"n":2}' ]
}

# --- interrupted or unreachable: no record lost (issue 14, items 7, 8) -

# The batch size: 100,000 records (ASan takes them in seconds), fewer
# under valgrind, where passing them through would measure valgrind.
big() {
	if [ -n "${ORKIT_VALGRIND:-}" ]; then echo 5000; else echo 100000; fi
}

# Each line of out.jsonl, in order, is the prompt of its input line and
# answered or interrupted; $1 the count.
all_out() {
	[ "$(wc -l <out.jsonl)" -eq "$1" ]
	jq -r .prompt out.jsonl | cmp - <(seq "$1")
	[ "$(jq -r 'if .response and (.error | not) then "ok" elif .error.type == "interrupted" and .error.retryable then "int" else "BAD" end' out.jsonl | sort -u | tr '\n' ' ')" = "int ok " ]
}

# or-send -P 4 over $2 (or $(big)) prompts ($1: file or pipe), each
# answered after 20 ms, sent SIGINT once its output has begun.
interrupt_big() {
	local n=${2:-$(big)} pid
	fake_stop
	fake_start -d 20
	seq "$n" | sed 's/.*/"&"/' >in.jsonl
	if [ "$1" = file ]; then
		or-send -P 4 <in.jsonl >out.jsonl 2>err &
	else
		cat in.jsonl | or-send -P 4 >out.jsonl 2>err &
	fi
	pid=$!
	wait_lines out.jsonl 8
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
}

@test "SIGINT mid-batch from a file: every record comes out, answered or interrupted" {
	interrupt_big file
	[ "$st" -eq 1 ]
	all_out "$(big)"
	[ "$(tail -n 1 err)" = "or-send: interrupted: $(jq -s 'map(select(.error)) | length' out.jsonl) records written with error.type \"interrupted\"; or-send --retry sends them again" ]
	[ "$(requests)" -lt "$(big)" ]
}

@test "SIGINT mid-batch through a pipe: every record comes out, answered or interrupted" {
	interrupt_big pipe
	[ "$st" -eq 1 ]
	all_out "$(big)"
	[ "$(requests)" -lt "$(big)" ]
}

@test "after SIGINT, --retry finishes the batch" {
	interrupt_big file 2000
	all_out 2000
	fake_stop
	fake_start
	run -0 --separate-stderr bash -c "or-send -P 16 --retry <out.jsonl | jq -r 'if .response and (.error | not) then .prompt else \"BAD\" end' | cmp - <(seq 2000)"
}

@test "a second SIGINT stops reading: the line it names resumes the input" {
	local n half pid
	n=$(big)
	half=$((n / 2))
	fake_stop
	fake_start -d 20
	seq "$n" | sed 's/.*/"&"/' >in.jsonl
	mkfifo fifo
	or-send -P 4 <fifo >out.jsonl 2>err &
	pid=$!
	exec 4>fifo
	head -n "$half" in.jsonl >&4 &
	wait_lines out.jsonl 8
	kill -INT "$pid"
	wait_lines out.jsonl "$half"
	kill -INT "$pid"
	st=0
	wait "$pid" || st=$?
	exec 4>&-
	[ "$st" -eq 1 ]
	all_out "$half"
	line=$(grep 'interrupted twice' err)
	[ "$line" = "or-send: interrupted twice: input read up to line $half; the rest: tail -n +$((half + 1)) INPUT | or-send ..." ]
	N=$(sed 's/.*tail -n +\([0-9]*\) .*/\1/' <<<"$line")
	{ jq -r .prompt out.jsonl; tail -n +"$N" in.jsonl | jq -r .; } | cmp - <(seq "$n")
}

@test "a second SIGINT at any point: the output and tail -n +N of the input hold each record once" {
	local n pid
	n=$(big)
	fake_stop
	fake_start -d 20
	seq "$n" | sed 's/.*/"&"/' >in.jsonl
	or-send -P 4 <in.jsonl >out.jsonl 2>err &
	pid=$!
	wait_lines out.jsonl 8
	kill -INT "$pid"
	wait_lines out.jsonl 100
	kill -INT "$pid" 2>/dev/null || true
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	N=$(($(wc -l <out.jsonl) + 1))
	if line=$(grep 'interrupted twice' err); then
		[ "$line" = "or-send: interrupted twice: input read up to line $((N - 1)); the rest: tail -n +$N $BATS_TEST_TMPDIR/in.jsonl | or-send ..." ]
	else
		[ "$N" -eq $((n + 1)) ]
	fi
	{ jq -r .prompt out.jsonl; tail -n +"$N" in.jsonl | jq -r .; } | cmp - <(seq "$n")
}

@test "a dead server: after 5 failed connections the rest go out at once as network errors, one line says so" {
	seq 50 | jq -R . >in.jsonl
	OPENROUTER_BASE_URL=http://127.0.0.1:1 run -1 --separate-stderr or-send -P 2 <in.jsonl
	[ "${#lines[@]}" -eq 50 ]
	[ "$(jq -r .prompt <<<"$output" | tr '\n' ' ')" = "$(seq 50 | tr '\n' ' ')" ]
	[ "$(jq -c '[.error.type, .error.retryable]' <<<"$output" | sort -u)" = '["network",true]' ]
	[ "$(grep -c 'could not be reached, 5 requests in a row' <<<"$stderr")" -eq 1 ]
	[ "$(wc -l <<<"$stderr")" -le 12 ]
	[[ "$(tail -n 1 <<<"$stderr")" == 'or-send: the API could not be reached, 5 requests in a row ('*'): 50 records written unsent with error.type "network"; or-send --retry sends them again' ]]
}

@test "a server that dies mid-batch: the answered stay answered, the rest are network errors" {
	local pid
	fake_stop
	fake_start -d 50
	seq 40 | jq -R . >in.jsonl
	or-send -P 1 <in.jsonl >out.jsonl 2>err &
	pid=$!
	wait_lines out.jsonl 3
	fake_stop
	st=0
	wait "$pid" || st=$?
	[ "$st" -eq 1 ]
	[ "$(wc -l <out.jsonl)" -eq 40 ]
	[ "$(jq -r .prompt out.jsonl | tr '\n' ' ')" = "$(seq 40 | tr '\n' ' ')" ]
	# answered, then perhaps one cut by the server's end, then network
	[[ "$(jq -r 'if .error then .error.type[0:1] else "R" end' out.jsonl | tr -d '\n')" =~ ^RRR+[^R]?n+$ ]]
	[ "$(grep -c 'could not be reached' err)" -eq 1 ]
}

@test "or-send | or-cost against a dead server: every record kept" {
	OPENROUTER_BASE_URL=http://127.0.0.1:1 run -1 --separate-stderr bash -c 'seq 20 | jq -R . | or-send -P 4 | or-cost'
	[ "${#lines[@]}" -eq 20 ]
	[ "$(jq -r .error.type <<<"$output" | sort -u)" = network ]
}

# --- make demo (issue 15, item 12) ---------------------------------------

@test "make demo with a key and no catalog: one line says so, exit 1, no pipeline run" {
	OPENROUTER_BASE_URL=http://127.0.0.1:1 run -1 --separate-stderr sh "$TOP/tests/demo.sh"
	assert_output ''
	[ "${stderr_lines[${#stderr_lines[@]} - 1]}" = "demo: no model catalog from http://127.0.0.1:1 (or-models said why, above), so no model to run the demo with; ORKIT_DEMO_MODEL=ID names one" ]
	[ "$(requests)" -eq 0 ]
}

@test "make demo with a key, on a catalog with no free model: one line says so, nothing sent" {
	fake_stop
	jq -c '.data |= map(select(.id | strings | endswith(":free") | not))' \
	    "$FIXTURES/models-2026.json" >paid.json
	fake_start -m "$BATS_TEST_TMPDIR/paid.json"
	run -1 --separate-stderr sh "$TOP/tests/demo.sh"
	assert_output ''
	[ "$stderr" = "demo: the catalog has no free model (no id ends in :free), and the demo spends nothing; ORKIT_DEMO_MODEL=ID names one" ]
	[ "$(requests /models)" -eq 1 ]
	[ "$(requests)" -eq 0 ]
}

@test "make demo with a key: the catalog's first free model, read by or-models with the key, in every request" {
	local free
	free=$(jq -r '[.data[].id | select(endswith(":free"))][0]' "$FIXTURES/models.json")
	run -0 --separate-stderr sh "$TOP/tests/demo.sh"
	[ "${lines[0]}" = "demo: the API at $OPENROUTER_BASE_URL; the model $free" ]
	[ "$(jq -r 'select(.path == "/models") | .auth' "$FAKE_LOG")" = ok ]
	# the model picked, then or-route's choices: free ones, logged
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG" | head -n 3 | sort | uniq -c | awk '{ print $1, $2 }')" = "3 $free" ]
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG" | sed -n '4,$p' | grep -c ':free$')" -eq 2 ]
	[ "$(printf '%s\n' "${lines[@]}" | grep -c '"strategy":"catalog","answer":"Echo: ')" -eq 2 ]
}

# --help

# Each --help a tool has, as arguments: the tool's own, then each
# command's that has one.
help_calls() {
	case $1 in
	or-send) echo --help ;;
	or-models) printf '%s\n' --help 'show --help' 'compare --help' 'endpoints --help' ;;
	or-route) printf '%s\n' --help 'suggest --help' ;;
	or-cost) printf '%s\n' --help 'credits --help' ;;
	or-log)
		echo --help
		for c in stats recent search show export sql report prune \
		    merge pending cache budget; do
			echo "$c --help"
		done ;;
	esac
}

# The flags a --help names, one a line: those of its flag lines (two
# blanks then "-"), before the gap that starts the description.
help_flags() {
	sed -n 's/^ \{2,\}\(-[^ ].*\)/\1/p' | sed 's/   *.*//' |
	    grep -oE -- '--?[A-Za-z0-9][a-z0-9-]*' | sort -u
}

@test "--help: on stdout, under 40 lines of plain text in 80 columns, two examples last" {
	local t args n=0
	for t in or-send or-models or-route or-cost or-log; do
		while IFS= read -r args; do
			# shellcheck disable=SC2086
			run -0 --separate-stderr "$t" $args
			[ -z "$stderr" ] || fail "$t $args: wrote on stderr: $stderr"
			[[ ${lines[0]} == "usage: $t "* ]] || fail "$t $args: ${lines[0]}"
			[ "${#lines[@]}" -lt 40 ] || fail "$t $args: ${#lines[@]} lines"
			[ -z "$(awk 'length > 79' <<<"$output")" ] ||
			    fail "$t $args: wider than 79: $(awk 'length > 79' <<<"$output")"
			LC_ALL=C grep -q '[^ -~]' <<<"$output" &&
			    fail "$t $args: not plain ASCII text"
			grep -qE '^Examples?:$' <<<"${lines[-3]}" ||
			    fail "$t $args: no Examples: before its last two lines"
			[[ ${lines[-1]} == '  $ '* && ${lines[-2]} == '  $ '* ]] ||
			    fail "$t $args: its last two lines are not examples"
			[ -n "$(help_flags <<<"$output")" ] || fail "$t $args: no flags"
			n=$((n + 1))
		done < <(help_calls "$t")
	done
	[ "$n" -eq 22 ]
	# -h is --help, and a command's is its own
	[ "$(or-send -h)" = "$(or-send --help)" ]
	[ "$(or-log -d x.db stats -h)" != "$(or-log -h)" ]
}

@test "--help and --version on a full disk: exit 2, write error" {
	local t args n=0
	for t in or-send or-models or-route or-cost or-log; do
		while IFS= read -r args; do
			run -2 --separate-stderr sh -c "$t $args >/dev/full"
			[ "$stderr" = "$t: write error: No space left on device" ] ||
			    fail "$t $args: $stderr"
			n=$((n + 1))
		done < <(help_calls "$t"; echo -V)
	done
	[ "$n" -eq 27 ]
}

@test "--help: every flag it names is in the man page and in a test" {
	instrumented && skip "reads the pages and the sources, not the tools"
	local t args f missing=
	for t in or-send or-models or-route or-cost or-log; do
		while IFS= read -r args; do
			# shellcheck disable=SC2086
			for f in $("$t" $args | help_flags); do
				grep -qE -- "Fl ${f#-}( |$)" "$TOP/man/$t.1" ||
				    missing+="$t $args: $f not in $t(1)"$'\n'
				# completion.bats lists flags, it does not run them
				grep -qE -- "(^|[^A-Za-z0-9-])$f([^A-Za-z0-9-]|$)" \
				    $(ls "$TOP"/tests/*.bats | grep -v /completion.bats) ||
				    missing+="$t $args: $f in no test"$'\n'
			done
		done < <(help_calls "$t")
	done
	[ -z "$missing" ] || fail "$missing"
}

@test "--help: every flag of every getopt_long table is named by a --help" {
	instrumented && skip "reads the pages and the sources, not the tools"
	local t args
	for t in or-send or-models or-route or-cost or-log; do
		diff <({ table_longs "$t"; table_shorts "$t"; } | sort -u) \
		    <(while IFS= read -r args; do
			# shellcheck disable=SC2086
			"$t" $args | help_flags
		    done < <(help_calls "$t") | sort -u) ||
		    fail "$t: < in cmd/$t, > in its --help"
	done
}

@test "--help: the examples of every --help run" {
	local t args cmd n=0
	printf '# Q3\nSales rose.\n' >report.md
	cp questions.txt q.txt
	printf '%s\n' '{"id":"j1","model":"openai/gpt-5-mini","prompt":"hi"}' >jobs.jsonl
	fake_stop
	fake_start -m "$FIXTURES/models-2026.json"
	or-send -m openai/gpt-5-mini "rate limit" </dev/null | or-log -d host1.db >/dev/null
	or-send -m qwen/qwen3-coder:free hello </dev/null | or-log -d host2.db >/dev/null
	for t in or-send or-models or-route or-cost or-log; do
		while IFS= read -r args; do
			while IFS= read -r cmd; do
				run --separate-stderr bash -c "set -o pipefail; $cmd" </dev/null
				[ "$status" -eq 0 ] ||
				    fail "$t $args: $cmd: exit $status: $stderr"
				n=$((n + 1))
			# shellcheck disable=SC2086
			done < <("$t" $args | sed -n 's/^  \$ //p')
		done < <(help_calls "$t")
	done
	[ "$n" -eq 44 ]
	# the batch was logged and costed, the logs merged
	[ "$(or-log sql "SELECT count(*) FROM requests WHERE job = 'j1' AND usd > 0")" = '{"count(*)":1}' ]
	[ "$(or-log -d all.db sql 'SELECT count(*) FROM requests')" = '{"count(*)":2}' ]
}
