#!/usr/bin/env bats
# examples/: each recipe run as its comments say, against the fake
# server; then the first hour of a new user, as man orkit and --help
# teach it.

load helper

EX=$TOP/examples

setup() {
	common_setup
	fake_start
	cd "$BATS_TEST_TMPDIR"
	LOG=$XDG_DATA_HOME/orkit/log.db
}

teardown() {
	fake_stop
}

# How many chat requests' bodies held TEXT.
sent_with() {
	jq -s --arg t "$1" '[.[] | select(.path == "/chat/completions")
	    | select(.body | tostring | contains($t))] | length' "$FAKE_LOG"
}

# --- answers.mk ---

@test "answers.mk: every prompt answered; one changed prompt is the one request sent again" {
	mkdir prompts
	for i in 1 2 3 4 5; do echo "Question $i" >prompts/q$i.txt; done
	run -0 make -s -f "$EX/answers.mk" -j8
	[ "$(requests)" -eq 5 ]
	[ "$(cat answers/q3.txt)" = "Echo: Question 3" ]
	[ "$(sqlite3 "$LOG" 'SELECT count(*) FROM requests')" -eq 5 ]
	# nothing changed: nothing sent
	run -0 make -s -f "$EX/answers.mk" -j8
	[ "$(requests)" -eq 5 ]
	# one prompt changed (and made newer than its answer)
	echo "Question 2, again" >prompts/q2.txt
	touch -d '+1 min' prompts/q2.txt
	run -0 make -s -f "$EX/answers.mk" -j8
	[ "$(requests)" -eq 6 ]
	[ "$(sent_with 'Question 2, again')" -eq 1 ]
	[ "$(cat answers/q2.txt)" = "Echo: Question 2, again" ]
}

@test "answers.mk: a failed request leaves no answer, and the next make sends it again" {
	mkdir prompts
	for i in 1 2 3; do echo "Question $i" >prompts/q$i.txt; done
	fake "status 400 if=Question%202"
	run -2 make -s -k -f "$EX/answers.mk" -j8
	[ -f answers/q1.txt ] && [ -f answers/q3.txt ]
	[ ! -e answers/q2.txt ] && [ ! -e answers/q2.txt.tmp ]
	[[ "$output" == *"or-log: line 1: Provider returned error"* ]]
	run -0 make -s -f "$EX/answers.mk" -j8
	[ "$(cat answers/q2.txt)" = "Echo: Question 2" ]
	[ "$(sent_with 'Question 2')" -eq 2 ]
	[ "$(requests)" -eq 4 ]
}

# --- nightly.sh ---

# nightly.sh as cron runs it: no terminal, a bare environment, the
# paths as variables; mail is a stub that keeps what it was given.
nightly() {
	mkdir -p stub
	printf '#!/bin/sh\n{ printf "ARGS: %%s\\n" "$*"; cat; } >"$MAILBOX"\n' >stub/mail
	chmod +x stub/mail
	env -i HOME="$HOME" XDG_DATA_HOME="$XDG_DATA_HOME" \
	    XDG_CONFIG_HOME="$XDG_CONFIG_HOME" PATH="$PWD/stub:/usr/bin:/bin" \
	    OPENROUTER_API_KEY="$KEY" OPENROUTER_BASE_URL="$OPENROUTER_BASE_URL" \
	    MAILBOX="$PWD/mailbox" ORKIT_BIN="$(dirname "$(command -v or-send)")" \
	    JOBS="$PWD/jobs.jsonl" OUT="$PWD/out" DAILY_USD="$1" \
	    TO=ops@example.org setsid "$EX/nightly.sh" </dev/null
}

@test "nightly.sh: a budget that stops the batch mails what was left and exits 3; a re-run sends only that" {
	printf '%s\n' '{"id":"n1","model":"openai/gpt-4o-mini","prompt":"a","max_tokens":50}' \
	    '{"id":"n2","model":"anthropic/claude-opus-4","prompt":"b","max_tokens":1000}' \
	    '{"id":"n3","model":"openai/gpt-4o-mini","prompt":"c","max_tokens":50}' >jobs.jsonl
	run -3 nightly 0.01
	day=$(date -u +%F)
	[ "$(jq -r '[.id, .error.type // "ok"] | join(" ")' "out/$day.jsonl")" = "$(printf '%s\n' 'n1 ok' 'n2 budget_exceeded' 'n3 ok')" ]
	[ "$(head -1 mailbox)" = "ARGS: -s orkit nightly $day: budget reached ops@example.org" ]
	grep -qx 'Answered: 2' mailbox
	grep -qx 'Left unsent: 1' mailbox
	[ "$(tail -1 mailbox)" = n2 ]
	[ "$(requests)" -eq 2 ]
	# the next run, with room: n2 alone is sent, nothing is mailed
	rm mailbox
	run -0 nightly 5
	[ ! -e mailbox ]
	[ "$(requests)" -eq 3 ]
	[ "$(jq -r .response.choices[0].message.content "out/$day.jsonl" | paste -sd,)" = "Echo: a,Echo: b,Echo: c" ]
}

@test "nightly.sh: within the budget, exit 0 and no mail" {
	printf '%s\n' '{"id":"n1","model":"openai/gpt-4o-mini","prompt":"a","max_tokens":50}' >jobs.jsonl
	run -0 nightly 1
	[ ! -e mailbox ]
	[ "$(requests)" -eq 1 ]
}

# --- compare.sh ---

@test "compare.sh: three models, each answer under its name, the table of time, tokens and cost" {
	run -0 --separate-stderr "$EX/compare.sh" "Name a prime"
	[ "${lines[0]}" = "== openai/gpt-4o-mini ==" ]
	[ "${lines[1]}" = "Echo: Name a prime" ]
	# (bats leaves the blank lines out of lines)
	[ "${lines[2]}" = "== anthropic/claude-3.5-haiku ==" ]
	[ "${lines[4]}" = "== mistralai/devstral-small ==" ]
	[[ "${lines[6]}" == "MODEL "*" REQUESTS "*" USD "*" MEAN MS "* ]]
	[ "$(printf '%s\n' "${lines[@]:7}" | awk '{ print $1, $2 }' | sort)" = "$(printf '%s\n' 'anthropic/claude-3.5-haiku 1' 'mistralai/devstral-small 1' 'openai/gpt-4o-mini 1')" ]
	[ "$(sqlite3 compare.db 'SELECT count(*) FROM requests WHERE usd > 0')" -eq 3 ]
	[ "$(requests)" -eq 3 ]
}

# --- extract.sh ---

@test "extract.sh: response_format json_schema sent, the fields read out of each answer with jq" {
	printf 'Met Ana Lima of Acme\nBob from Initech\n' >notes.txt
	run -0 --separate-stderr "$EX/extract.sh" <notes.txt
	[ "${lines[0]}" = '{"id":"line-1","name":"Echo: Met Ana Lima of Acme","company":"Echo: Met Ana Lima of Acme","email":"Echo: Met Ana Lima of Acme"}' ]
	[ "${#lines[@]}" -eq 2 ]
	[ "$(request_body 1 | jq -c '.response_format | [.type, .json_schema.schema.required]')" = '["json_schema",["name","company","email"]]' ]
}

@test "extract.sh: an answer cut short is no JSON: said on stderr, exit 1; a failed request too" {
	printf 'Met Ana Lima of Acme\nBob from Initech\n' >notes.txt
	fake "status 400 if=Initech"
	run -1 --separate-stderr "$EX/extract.sh" <notes.txt
	[ "${#lines[@]}" -eq 1 ]
	[ "${stderr_lines[-1]}" = "extract.sh: line-2: Provider returned error" ]
	# max_tokens cuts the JSON: no line out, one on stderr
	run -1 --separate-stderr env MAX_TOKENS=5 "$EX/extract.sh" <notes.txt
	[ "$output" = "" ]
	[ "$stderr" = "$(printf 'extract.sh: line-%s: the answer is not the JSON asked for\n' 1 2)" ]
	[ "$(sqlite3 "$LOG" 'SELECT count(*) FROM requests')" -eq 4 ]
}

# --- hosts.sh ---

@test "hosts.sh: a batch over two hosts with parallel --sshlogin, in order, their logs merged into this one" {
	command -v parallel >/dev/null || skip "GNU parallel is not installed (make deps)"
	local h
	for h in h1 h2; do
		mkdir -p "hosts/$h/.config/orkit"
		(umask 077; echo "$KEY" >"hosts/$h/.config/orkit/key")
	done
	seq 10 | jq -cR '{id: "j\(.)", model: "openai/gpt-4o-mini", prompt: "q\(.)"}' >jobs.jsonl
	HOSTS_DIR=$PWD/hosts HOSTS=h1,h2 SSH=$FIXTURES/examples/ssh BLOCK=3 \
	    run -0 --separate-stderr "$EX/hosts.sh" <jobs.jsonl
	[ "$(jq -r .response.choices[0].message.content <<<"$output" | paste -sd,)" = "$(seq 10 | sed 's/^/Echo: q/' | paste -sd,)" ]
	# each host answered some, with its own key file, and logged them
	[ "$(grep -c '^or-log: merged [0-9]* records from ' <<<"$stderr")" -eq 2 ]
	[ "$(sqlite3 "$LOG" 'SELECT group_concat(job) FROM (SELECT job FROM requests ORDER BY CAST(substr(job, 2) AS int))')" = "$(seq 10 | sed 's/^/j/' | paste -sd,)" ]
	# the hosts' batch logs are gone; merging again would add nothing
	[ -z "$(find hosts -name 'orkit-batch-*')" ]
	[ "$(requests)" -eq 10 ]
}

@test "make install puts examples/ in share/doc/orkit/examples, the scripts executable" {
	make -s -C "$TOP" install DESTDIR="$PWD/root" PREFIX=/usr >/dev/null
	cd root/usr/share/doc/orkit/examples
	[ "$(ls | paste -sd' ')" = "answers.mk compare.sh extract.sh hosts.sh nightly.sh" ]
	[ -x nightly.sh ] && [ -x hosts.sh ] && [ ! -x answers.mk ]
	cmp nightly.sh "$EX/nightly.sh"
}
