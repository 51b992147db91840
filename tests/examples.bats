#!/usr/bin/env bats
# examples/: each recipe run as its comments say, against the fake
# server; then the first hour of a new user, as man orkit and --help
# teach it.

# bats file_tags=plain

load helper

EX=$TOP/examples

setup() {
	common_setup
	# make check runs the suite under make: a recipe's make is a
	# user's, not a sub-make printing its directory and level.
	unset MAKEFLAGS MFLAGS MAKELEVEL MAKEOVERRIDES
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

@test "answers.mk: without MODEL, ORKIT_MODEL (or config.json) chooses the model; MODEL=... is -m" {
	unset MODEL
	mkdir prompts
	echo "Question 1" >prompts/q1.txt
	ORKIT_MODEL=anthropic/claude-3.5-haiku run -0 make -s -f "$EX/answers.mk"
	rm -r answers
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"model":"cheap","aliases":{"cheap":"openai/gpt-4o-mini"}}' >"$XDG_CONFIG_HOME/orkit/config.json"
	run -0 make -s -f "$EX/answers.mk"
	rm -r answers
	ORKIT_MODEL=anthropic/claude-3.5-haiku run -0 make -s -f "$EX/answers.mk" MODEL=openai/gpt-4o
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG")" = $'anthropic/claude-3.5-haiku\nopenai/gpt-4o-mini\nopenai/gpt-4o' ]
}

@test "answers.mk: no prompts/*.txt is one line saying so and exit 2, not make's \"Nothing to be done\"" {
	run -2 make -s -f "$EX/answers.mk" -j8
	[ "$output" = "$EX/answers.mk:$(grep -n 'error no prompts' "$EX/answers.mk" | cut -d: -f1): *** no prompts/*.txt in $PWD: nothing to send.  Stop." ]
	mkdir prompts
	touch prompts/notes.md
	run -2 make -f "$EX/answers.mk" -j8
	[ "${#lines[@]}" -eq 1 ]
	[[ "$output" == *": *** no prompts/*.txt in $PWD: nothing to send.  Stop." ]]
	[ ! -e answers ]
	[ "$(requests)" -eq 0 ]
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
	    TO=ops@example.org "${@:2}" setsid "$EX/nightly.sh" </dev/null
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

@test "nightly.sh: jobs with no model and none by default: one line, exit 2, nothing sent, no mail" {
	printf '%s\n' '{"id":"n1","prompt":"a","max_tokens":50}' \
	    '{"id":"n2","model":"openai/gpt-4o-mini","prompt":"b","max_tokens":50}' \
	    '{"id":"n3","prompt":"c","max_tokens":50}' >jobs.jsonl
	run -2 --separate-stderr nightly 2
	[ "$stderr" = 'nightly.sh: 2 jobs name no model (n1 n3): set MODEL or ORKIT_MODEL, or "model" in config.json (orkit(7)), or give each job its "model"' ]
	[ ! -e mailbox ]
	[ "$(requests)" -eq 0 ]
	[ ! -e "out/$(date -u +%F).jsonl" ]
	# MODEL is -m: the jobs without a model take it
	run -0 --separate-stderr nightly 2 MODEL=anthropic/claude-3.5-haiku
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG" | paste -sd' ')" = "anthropic/claude-3.5-haiku openai/gpt-4o-mini anthropic/claude-3.5-haiku" ]
	[ ! -e mailbox ]
}

@test "nightly.sh: ORKIT_MODEL or config.json's model is enough" {
	printf '%s\n' '{"id":"n1","prompt":"a","max_tokens":50}' >jobs.jsonl
	run -0 --separate-stderr nightly 2 ORKIT_MODEL=openai/gpt-4o-mini
	rm -r out
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"model":"cheap","aliases":{"cheap":"anthropic/claude-3.5-haiku"}}' >"$XDG_CONFIG_HOME/orkit/config.json"
	run -0 --separate-stderr nightly 2
	[ "$(jq -r 'select(.path == "/chat/completions") | .body.model' "$FAKE_LOG" | paste -sd' ')" = "openai/gpt-4o-mini anthropic/claude-3.5-haiku" ]
}

@test "nightly.sh: exit 3 for a cost no budget can bound mails what or-send said, not that the budget was reached" {
	printf '%s\n' '{"id":"n1","model":"openai/gpt-4o-mini","prompt":"a","max_tokens":50}' \
	    '{"id":"n2","model":"nonexist/model","prompt":"b","max_tokens":50}' >jobs.jsonl
	run -3 --separate-stderr nightly 2
	day=$(date -u +%F)
	[ "$(head -1 mailbox)" = "ARGS: -s orkit nightly $day: 1 job not sent ops@example.org" ]
	[ "$(sed -n 2p mailbox)" = "or-send sent no request for 1 job whose cost no budget can bound; it said:" ]
	[[ "$(sed -n 3p mailbox)" == "  not sent: its cost cannot be bounded ("* ]]
	grep -qx 'Answered: 1' mailbox
	! grep -q "budget of" mailbox
	[ "$(tail -1 mailbox)" = n2 ]
	# one job, said as one
	rm -r out mailbox
	printf '%s\n' '{"id":"n1","prompt":"a","max_tokens":50}' >jobs.jsonl
	run -2 --separate-stderr nightly 2
	[[ "$stderr" == 'nightly.sh: 1 job names no model (n1): '* ]]
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

# --- the first hour ---
#
# Each task of orkit(7)'s THE FIRST HOUR, run as the page writes it:
# first_hour TITLE prints the commands under that title (a .Dl line,
# or the lines of a literal display, a trailing \e joining the next).

first_hour() {
	awk -v want="$1" '
	/^\.Sh / { on = ($0 == ".Sh THE FIRST HOUR"); next }
	!on { next }
	/^\.It / { item = substr($0, 5); next }
	item != want { next }
	/^\.Bd -literal/ { lit = 1; next }
	/^\.Ed/ { lit = 0; next }
	/^\.Dl / { line = substr($0, 5) }
	lit { line = $0 }
	!lit && !/^\.Dl / { next }
	{
		gsub(/\\\(dq/, "\"", line)
		if (sub(/ *\\e$/, "", line)) { cmd = cmd line " "; next }
		sub(/^ +/, "", line)
		print cmd line
		cmd = ""
	}' "$TOP/man/orkit.7"
}

# The commands of TITLE, each on a terminal of its own (script's pty),
# as a person types them; or with ON_TTY= (empty), in a plain shell.
do_task() {
	local cmd out=
	while IFS= read -r cmd; do
		[ -n "$cmd" ] || continue
		if [ -n "${ON_TTY-1}" ]; then
			script -qec "$cmd" /dev/null </dev/null || return
		else
			bash -c "$cmd" </dev/null || return
		fi
	done < <(first_hour "$1")
}

# What a terminal shows: the pty's \r\n as \n.
screen() {
	sed 's/\r$//'
}

hour_setup() {
	export ORKIT_MODEL=$(awk '/^\.Dl export ORKIT_MODEL=/ { sub(/.*=/, ""); print; exit }' "$TOP/man/orkit.7")
	[ "$ORKIT_MODEL" = openai/gpt-4o-mini ]
}

@test "the first hour: each task is in orkit(7), and each of its commands is a tool's" {
	local t n=0
	for t in "Ask one question" "Summarise a file" "Attach an image" \
	    "Hold a conversation" "Compare three models on cost and time" \
	    "Run a thousand prompts from a Makefile" "Mail a weekly spend report"; do
		[ -n "$(first_hour "$t")" ] || fail "orkit(7) has no \"$t\""
		while read -r first _; do
			case $first in
			or-send|or-log|make|0) n=$((n + 1)) ;;
			*) fail "$t: $first" ;;
			esac
		done < <(first_hour "$t")
	done
	[ "$n" -eq 11 ]
}

@test "the first hour: ask one question at the terminal, the answer printed, no record" {
	hour_setup
	run -0 do_task "Ask one question"
	[ "$(screen <<<"$output")" = "Echo: Why is the sky blue?" ]
	[ "$(request_body 1 | jq -c '[.model, .messages]')" = '["openai/gpt-4o-mini",[{"role":"user","content":"Why is the sky blue?"}]]' ]
}

@test "the first hour: summarise a file, its text sent after the instruction" {
	hour_setup
	printf '# Q3\nSales rose.\n' >report.md
	ON_TTY= run -0 do_task "Summarise a file"
	[ "$output" = "$(printf 'Echo: Summarize this\n\n# Q3\nSales rose.\n')" ]
	[ "$(request_body 1 | jq -r '.messages[0].content')" = "$(printf 'Summarize this\n\n# Q3\nSales rose.\n')" ]
}

@test "the first hour: attach an image, sent as an image_url data URL" {
	hour_setup
	cp "$FIXTURES/examples/photo.png" photo.png
	run -0 do_task "Attach an image"
	[ "$(screen <<<"$output")" = "Echo: What is in it?" ]
	[ "$(request_body 1 | jq -c '.messages[0].content[] | .type')" = "$(printf '"text"\n"image_url"')" ]
	[ "$(request_body 1 | jq -r '.messages[0].content[1].image_url.url')" = "data:image/png;base64,$(base64 -w0 photo.png)" ]
}

@test "the first hour: hold a conversation, three turns, each sent with the ones before" {
	hour_setup
	run -0 do_task "Hold a conversation"
	[ "$(screen <<<"$output")" = "$(printf '%s\n' 'Echo: Name a prime' 'Echo: And the next one?' 'Echo: And their sum?')" ]
	[ "$(requests)" -eq 3 ]
	[ "$(request_body 2 | jq -c '[.messages[].content]')" = '["Name a prime","Echo: Name a prime","And the next one?"]' ]
	[ "$(request_body 3 | jq -c '[.messages[].content]')" = '["Name a prime","Echo: Name a prime","And the next one?","Echo: And the next one?","And their sum?"]' ]
	[ "$(sqlite3 "$LOG" 'SELECT count(DISTINCT cid) FROM requests')" -eq 1 ]
}

@test "the first hour: compare three models on cost and time, the log's table with each" {
	hour_setup
	COLUMNS=200 ON_TTY= run -0 do_task "Compare three models on cost and time"
	[ "$(grep -c '^Echo: Name a prime$' <<<"$output")" -eq 3 ]
	[[ "$output" == *"MODEL "*" REQUESTS "*" USD "* ]]
	[ "$(grep -cE '^(openai/gpt-4o-mini|anthropic/claude-3.5-haiku|mistralai/devstral-small) +1 +0 ' <<<"$output")" -eq 3 ]
	[ "$(sqlite3 compare.db 'SELECT count(*) FROM requests WHERE usd > 0 AND latency_ms IS NOT NULL')" -eq 3 ]
}

@test "the first hour: a thousand prompts from the examples' Makefile, then one changed" {
	# 100 of the thousand (30 instrumented): each is two programs
	# started and a commit to the log, which measures process start
	# and fsync, not orkit
	local n=100 i
	instrumented && n=30
	hour_setup
	mkdir prompts
	for ((i = 1; i <= n; i++)); do echo "Question $i" >"prompts/q$i.txt"; done
	# the installed path, as the page gives it, is this tree's examples/
	ON_TTY= run -0 bash -c "$(first_hour 'Run a thousand prompts from a Makefile' | sed "s|/usr/local/share/doc/orkit/examples|$EX|")"
	[ "$(ls answers | wc -l)" -eq "$n" ]
	[ "$(cat answers/q17.txt)" = "Echo: Question 17" ]
	[ "$(requests)" -eq "$n" ]
	[ "$(sqlite3 "$LOG" 'SELECT count(*) FROM requests')" -eq "$n" ]
	echo "Question 17, again" >prompts/q17.txt
	touch -d '+1 min' prompts/q17.txt
	ON_TTY= run -0 bash -c "$(first_hour 'Run a thousand prompts from a Makefile' | sed "s|/usr/local/share/doc/orkit/examples|$EX|")"
	[ "$(requests)" -eq $((n + 1)) ]
	[ "$(cat answers/q17.txt)" = "Echo: Question 17, again" ]
}

@test "the first hour: mail a weekly spend report, a page whose figures are or-log stats'" {
	hour_setup
	or-send -m openai/gpt-4o-mini "a" </dev/null | or-cost | or-log >/dev/null
	or-send -m anthropic/claude-3.5-haiku "b" </dev/null | or-cost | or-log >/dev/null
	mkdir stub
	printf '#!/bin/sh\nfor a; do printf "%%s\\n" "$a"; done >"%s/mail.args"\ncat >"%s/mail.body"\n' "$PWD" "$PWD" >stub/mail
	chmod +x stub/mail
	PATH=$PWD/stub:$PATH ON_TTY= run -0 bash -c "$(first_hour 'Mail a weekly spend report' | head -1)"
	[ "$(cat mail.args)" = "$(printf '%s\n' -a 'Content-Type: text/html' -s 'orkit: the week' you)" ]
	xmllint --noout mail.body
	[ "$(xmllint --xpath "string(//p[@id='total']/@data-requests)" mail.body)" -eq 2 ]
	[ "$(xmllint --xpath "string(//p[@id='total']/@data-requests)" mail.body)" = "$(or-log stats --since 7d | jq -s 'map(.requests) | add')" ]
	# the crontab line: the same report, by the tools' full path, to a
	# file first; under sh, and with this tree's or-log in that path
	cron=$(first_hour 'Mail a weekly spend report' | sed -n 2p)
	[ "${cron%% /usr/local/bin/or-log *}" = "0 8 * * 1" ]
	cron=${cron#0 8 \* \* 1 /usr/local/bin/}
	rm mail.args mail.body
	PATH=$PWD/stub:$PATH run -0 sh -c "$cron"
	[ "$(cat mail.args)" = "$(printf '%s\n' -a 'Content-Type: text/html' -s 'orkit: the week' you)" ]
	cmp mail.body "$HOME/spend.html"
	[ "$(xmllint --xpath "string(//p[@id='total']/@data-requests)" mail.body)" -eq 2 ]
	# a report that fails mails nothing
	rm mail.args mail.body
	ORKIT_DB=/nonexistent/log.db PATH=$PWD/stub:$PATH run -2 sh -c "$cron"
	[ ! -e mail.args ] && [ ! -e mail.body ]
}
