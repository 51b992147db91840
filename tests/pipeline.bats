#!/usr/bin/env bats
# Pipelines as users write them, and the man pages' EXAMPLES, run for real.

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

# Prints the EXAMPLES of a man page as shell commands, one a line:
# "$ " starts one, and a line ending in \e goes on to the next.
examples() {
	awk '
	/^\.Sh / { on = ($2 == "EXAMPLES"); next }
	!on { next }
	{ sub(/^\.Dl /, ""); gsub(/\\\(dq/, "\"") }
	/^\$ / && !more { cmd = substr($0, 3) }
	!/^\$ / && more { sub(/^[ \t]+/, ""); cmd = cmd " " $0 }
	!/^\$ / && !more { next }
	{ more = sub(/ *\\e$/, "", cmd); if (!more) print cmd }
	' "$TOP/man/$1"
}

run_examples() {
	local page=$1 cmds cmd n=0
	cmds=$(examples "$page")
	[ -n "$cmds" ] || fail "$page has no EXAMPLES"
	while IFS= read -r cmd; do
		n=$((n + 1))
		run --separate-stderr bash -c "$cmd"
		[ "$status" -eq 0 ] || fail "$page example $n failed ($status): $cmd: $stderr"
	done <<<"$cmds"
	echo "$page: $n examples ran"
	[ "$n" -ge 2 ]
}

@test "or-send(1) EXAMPLES run" {
	run_examples or-send.1
	[ "$(wc -l <answers.jsonl)" -eq 3 ]
}

@test "or-models(1) EXAMPLES run" {
	run_examples or-models.1
	[ "$(jq -r .body.model "$FAKE_LOG" | tail -1)" = "$(or-models --free --need tools --ids --limit 1)" ]
}

@test "orkit(7) EXAMPLES run" {
	run_examples orkit.7
	[ "$(jq -r .response.choices[0].message.content answers.jsonl | head -1)" = "Echo: What is 2+2?" ]
}

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
	[ "$(sqlite3 "$XDG_DATA_HOME/orkit/log.db" 'SELECT count(*) FROM requests')" -eq 9 ]
	# answers 3, pending 2, cache 2 answered from the log, merge 2.
	[ "$(sqlite3 "$XDG_DATA_HOME/orkit/log.db" 'SELECT sum(cached) FROM requests')" -eq 2 ]
	[ "$(requests)" -eq 7 ]
	[ "$(head -1 nov.csv | cut -d, -f1-3)" = "id,time,job" ]
}

@test "or-send | or-log | or-log: a log in the middle changes nothing" {
	run -0 --separate-stderr bash -c "or-send <requests.jsonl | tee sent.jsonl | or-log | or-log -d second.db >logged.jsonl"
	cmp sent.jsonl logged.jsonl
	[ "$(or-log -d second.db sql 'SELECT count(*) AS n FROM requests')" = '{"n":2}' ]
}
