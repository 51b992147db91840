#!/usr/bin/env bats
# lib/budget: the --budget syntax, budget.json, the periods and what a
# limit counts, through tests/unit/budgetcheck (make builds it; the
# sanitizer and valgrind passes point BUDGETCHECK at theirs).

load helper

setup() {
	common_setup
	cd "$BATS_TEST_TMPDIR"
	BC=${BUDGETCHECK:-$TOP/tests/unit/budgetcheck}
}

# budgetcheck's answer for its arguments, with its status.
says() {
	local want=$1
	shift
	run --separate-stderr "$BC" "$@"
	[ "$output" = "$want" ] || fail "budgetcheck $*: got '$output'"
}

@test "budget: --budget parts, each a limit named as written, amounts in exact picodollars" {
	says $'day\t-\tday\t7000000000000\nmonth\t-\tmonth\t100000000000000\nmodel:openai/gpt-4o:floor/day\topenai/gpt-4o:floor\tday\t10000000000000\njob:nightly-/month\tnightly-\tmonth\t3000000000000\nrun\t-\trun\t100000000000\njob:a=b/run\ta=b\trun\t0' \
	    add day=5,month=100 model:openai/gpt-4o:floor=10/day \
	    job:nightly-=3/month run=0.1 day=7 job:a=b=0/run day=5/day day=7
	[ "$status" -eq 0 ]
	says 100000000000 usd 0.1
	says 1 usd 0.000000000001
	says 300000000000 usd 0.3
	says 9000000000000000000 usd 9000000
	says 'USD to at most 12 decimal places' usd 1234567.8901234567891
	[ "$status" -eq 1 ]
	says 1234567890123456000 usd 1234567.890123456
	says 5 usd 000.000000000005
}

@test "budget: every --budget mistake is one line naming the part" {
	while IFS='|' read -r spec want; do
		says "$want" add "$spec"
		[ "$status" -eq 1 ] || fail "$spec: status $status"
	done <<'EOF'
day|--budget "day": wants SCOPE=USD, like day=5 or model:ID=10/day
day=abc|--budget "day=abc": wants USD, a plain decimal like 5 or 0.25
day=$5|--budget "day=$5": wants USD, a plain decimal like 5 or 0.25
day=-1|--budget "day=-1": wants USD, a plain decimal like 5 or 0.25
day=+1|--budget "day=+1": wants USD, a plain decimal like 5 or 0.25
day=1e3|--budget "day=1e3": wants USD, a plain decimal like 5 or 0.25
day=.5|--budget "day=.5": wants USD, a plain decimal like 5 or 0.25
day=5.|--budget "day=5.": wants USD, a plain decimal like 5 or 0.25
day=|--budget "day=": wants USD, a plain decimal like 5 or 0.25
day=0.1234567890123|--budget "day=0.1234567890123": USD to at most 12 decimal places
day=9000000.000000000001|--budget "day=9000000.000000000001": at most 9000000 USD
day=9000001|--budget "day=9000001": at most 9000000 USD
day=99999999999999999999999|--budget "day=99999999999999999999999": at most 9000000 USD
week=5|--budget "week=5": not a scope: run, day, month, model:ID or job:PREFIX
model=5/day|--budget "model=5/day": not a scope: run, day, month, model:ID or job:PREFIX
model:=5/day|--budget "model:=5/day": wants a model id after model:
job:=1/day|--budget "job:=1/day": wants a job-id prefix after job:
model:x=10|--budget "model:x=10": a model limit needs a period: model:x=10/day, /month or /run
job:n=1|--budget "job:n=1": a job limit needs a period: job:n=1/day, /month or /run
day=5/month|--budget "day=5/month": day is a period of its own: write day=5
run=5/day|--budget "run=5/day": run is a period of its own: write run=5
model:x=5/week|--budget "model:x=5/week": wants a period after the /: run, day or month
model:x=5/|--budget "model:x=5/": wants a period after the /: run, day or month
day=5,|--budget "day=5,": an empty part; parts are separated by one comma
day=5,,month=1|--budget "day=5,,month=1": an empty part; parts are separated by one comma
day=5,month=x|--budget "month=x": wants USD, a plain decimal like 5 or 0.25
EOF
	says '--budget "": an empty part; parts are separated by one comma' add ''
}

@test "budget: --warn W,C or W alone, whole percents, W below C" {
	says '80 95' levels 80,95
	says '80 100' levels 80
	says '1 100' levels 1,100
	for bad in 95,80 80,80 0,50 80,101 abc 80,95,99 80, ' 80' 80.5 -80 ''; do
		says "--warn \"$bad\": wants W or W,C, whole percents from 1 to 100, W below C, like 80,95" levels "$bad"
		[ "$status" -eq 1 ]
	done
}

@test "budget: budget.json, in the format budget.h gives, and the default file" {
	cat >b.json <<'EOF'
{ "run": 2, "day": 5, "month": 100,
  "model": { "anthropic/claude-opus-4": { "day": 10, "month": 0.1 } },
  "job": { "nightly-": { "day": 3 } },
  "warn": [70, 90], "unbounded": "allow" }
EOF
	says $'run\t-\trun\t2000000000000\nday\t-\tday\t5000000000000\nmonth\t-\tmonth\t100000000000000\nmodel:anthropic/claude-opus-4/day\tanthropic/claude-opus-4\tday\t10000000000000\nmodel:anthropic/claude-opus-4/month\tanthropic/claude-opus-4\tmonth\t100000000000\njob:nightly-/day\tnightly-\tday\t3000000000000\nwarn 70 critical 90 unbounded allow' load b.json
	says 'warn 80 critical 95 unbounded refuse' load
	[ "$status" -eq 0 ]
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	echo '{"day": 0.25, "warn": 60}' >"$XDG_CONFIG_HOME/orkit/budget.json"
	says $'day\t-\tday\t250000000000\nwarn 60 critical 100 unbounded refuse' load
	says '' load nosuch.json
	[ "$status" -eq 1 ]
	[ "$stderr" = "budgetcheck: nosuch.json: No such file or directory" ]
}

@test "budget: every budget.json mistake is one line naming the file and the key" {
	while IFS='|' read -r json want; do
		printf '%s' "$json" >x.json
		says '' load x.json
		[ "$status" -eq 1 ] || fail "$json: status $status"
		[ "$stderr" = "budgetcheck: x.json: $want" ] || fail "$json: $stderr"
	done <<'EOF'
{"model":{"anthropic/claude-opus-4":{"day":"10"}}}|model.anthropic/claude-opus-4.day: wants USD (a number >= 0)
{"foo":1}|foo: not a budget key (run, day, month, model, job, warn, unbounded)
{"day":-1}|day: wants USD (a number >= 0)
{"day":null}|day: wants USD (a number >= 0)
{"day":1e7}|day: at most 9000000 USD
{"run":0.0000000000004}|run: USD to at most 12 decimal places
{"model":{"x":{"day":1.0000000000001}}}|model.x.day: USD to at most 12 decimal places
{"model":[]}|model: wants an object of model ids, like {"openai/gpt-4o": {"day": 10}}
{"model":{"x":5}}|model.x: wants an object of periods, like {"day": 10}
{"model":{"x":{"week":5}}}|model.x.week: not a period (run, day, month)
{"model":{"":{"day":5}}}|model.: wants a model id, not ""
{"job":{"":{"day":5}}}|job.: wants a job-id prefix, not ""
{"job":3}|job: wants an object of job-id prefixes, like {"nightly-": {"day": 3}}
{"warn":[95,80]}|warn: wants [warn, critical], whole percents from 1 to 100, warn below critical, like [80, 95]
{"warn":[80,95,99]}|warn: wants [warn, critical], whole percents from 1 to 100, warn below critical, like [80, 95]
{"warn":"80"}|warn: wants [warn, critical], whole percents from 1 to 100, warn below critical, like [80, 95]
{"warn":[80.5]}|warn: wants [warn, critical], whole percents from 1 to 100, warn below critical, like [80, 95]
{"unbounded":"yes"}|unbounded: wants "refuse" or "allow"
[1]|wants a JSON object, like {"day": 5}
{"day":|not JSON: Unfinished JSON term at EOF at line 1, column 7
nope|not JSON: Invalid literal at EOF at line 1, column 4
{"day":1}{"day":2}|not JSON: Unexpected extra JSON values
EOF
}

@test "budget: UTC days and months at month, year and leap-day ends" {
	while IFS='|' read -r t day month; do
		says "$day" window day "$t"
		says "$month" window month "$t"
	done <<'EOF'
2026-11-30T23:59:00Z|2026-11-30	2026-11-30T00:00:00.000Z	2026-12-01T00:00:00.000Z|2026-11	2026-11-01T00:00:00.000Z	2026-12-01T00:00:00.000Z
2026-12-01T00:01:00Z|2026-12-01	2026-12-01T00:00:00.000Z	2026-12-02T00:00:00.000Z|2026-12	2026-12-01T00:00:00.000Z	2027-01-01T00:00:00.000Z
2026-12-31T23:59:59.999Z|2026-12-31	2026-12-31T00:00:00.000Z	2027-01-01T00:00:00.000Z|2026-12	2026-12-01T00:00:00.000Z	2027-01-01T00:00:00.000Z
2027-01-01T00:00:00Z|2027-01-01	2027-01-01T00:00:00.000Z	2027-01-02T00:00:00.000Z|2027-01	2027-01-01T00:00:00.000Z	2027-02-01T00:00:00.000Z
2028-02-29T12:00:00Z|2028-02-29	2028-02-29T00:00:00.000Z	2028-03-01T00:00:00.000Z|2028-02	2028-02-01T00:00:00.000Z	2028-03-01T00:00:00.000Z
2027-02-28T23:59:59.999Z|2027-02-28	2027-02-28T00:00:00.000Z	2027-03-01T00:00:00.000Z|2027-02	2027-02-01T00:00:00.000Z	2027-03-01T00:00:00.000Z
2100-02-28T23:00:00Z|2100-02-28	2100-02-28T00:00:00.000Z	2100-03-01T00:00:00.000Z|2100-02	2100-02-01T00:00:00.000Z	2100-03-01T00:00:00.000Z
2000-02-29T00:00:00Z|2000-02-29	2000-02-29T00:00:00.000Z	2000-03-01T00:00:00.000Z|2000-02	2000-02-01T00:00:00.000Z	2000-03-01T00:00:00.000Z
-1|1969-12-31	1969-12-31T00:00:00.000Z	1970-01-01T00:00:00.000Z|1969-12	1969-12-01T00:00:00.000Z	1970-01-01T00:00:00.000Z
EOF
	says $'run\t-9223372036854775808\t9223372036854775807' window run 2026-12-04
}

@test "budget: a model limit counts its id, a :variant and a dated id, not a longer other id; a job limit a prefix" {
	while read -r want model; do
		says "$want" applies model:openai/gpt-4o=1/day "$model"
	done <<'EOF'
1 openai/gpt-4o
1 openai/gpt-4o-2024-08-06
1 openai/gpt-4o:floor
0 openai/gpt-4o-mini
0 openai/gpt-4o-
0 openai/gpt-4o-v2
0 openai/gpt-4
0 OPENAI/gpt-4o
0 openai/gpt-4o-1106-preview
0 openai/gpt-4o-001
1 openai/gpt-4o-0528
1 openai/gpt-4o-20250522
EOF
	says 1 applies model:openai/gpt-4o:floor=1/day openai/gpt-4o:floor
	says 0 applies model:openai/gpt-4o:floor=1/day openai/gpt-4o
	says 1 applies job:nightly-=1/day m nightly-3
	says 1 applies job:nightly-=1/day m nightly-
	says 0 applies job:nightly-=1/day m Nightly-3
	says 0 applies job:nightly-=1/day m nightly
	says 0 applies job:nightly-=1/day m
	says 1 applies day=1 any/model
	says 1 applies run=1 any/model job
}

@test "budget: ORKIT_NOW, an ISO 8601 UTC time or epoch ms, for tests only" {
	ORKIT_NOW=2026-12-04T10:00:00Z says 1796378400000 now
	ORKIT_NOW=2026-12-04 says 1796342400000 now
	ORKIT_NOW=1796083200000 says 1796083200000 now
	ORKIT_NOW=yesterday says '' now
	[ "$status" -eq 2 ]
	[ "$stderr" = 'budgetcheck: ORKIT_NOW "yesterday": wants a UTC time like 2026-12-04T10:00:00Z, or epoch ms' ]
	a=$(date +%s)
	run -0 "$BC" now
	[ $((output / 1000 - a)) -le 2 ]
}

# --- or-send's gate, against the fake server ---------------------------

teardown() {
	fake_stop
}

# What the fake has billed, in picodollars (GET /key's usage).
billed() {
	curl -s -H "Authorization: Bearer $KEY" "$OPENROUTER_BASE_URL/key" |
	    jq '.data.usage * 1e12 | round'
}

# n records to openrouter/auto, whose price is decided per request; the
# fake answers as openai/gpt-4o-mini and bills $0.00000345 each (3 + 5
# tokens).
auto_jobs() {
	jq -nc --argjson n "$1" 'range($n) | {id: "a\(. + 1)",
	    model: "openrouter/auto", prompt: "hello there"}'
}

# bats test_tags=plain
@test "budget: with --budget-unbounded allow and -P 64 the cap holds: an unbounded request goes alone, so it crosses by at most its own cost" {
	fake_start -d 50
	auto_jobs 200 >in.jsonl
	run -3 --separate-stderr or-send -P 64 --budget run=0.0001 --budget-unbounded allow <in.jsonl
	# sent while spent < 0.0001: 28 x 0.00000345 = 0.0000966, the 29th
	# crosses by 0.00000005
	[ "$(requests)" -eq 29 ]
	[ "$(billed)" -eq 100050000 ]
	[ "$(jq -r 'select(.response) | .id' <<<"$output" | paste -sd,)" = "$(seq -f 'a%g' 29 | paste -sd,)" ]
	[ "$(jq -c 'select(.id == "a30") | .error | [.limit, .spent_usd, .reserved_usd, .request_usd, .message]' <<<"$output")" = '["run",0.00010005,0,null,"not sent: the run budget of $0.0001 is spent ($0.00010005), and this request'"'"'s cost has no bound"]' ]
	# bounded ones between them wait their turn and are weighed after
	{ auto_jobs 3; jq -nc '{id: "b", model: "openai/gpt-4o-mini", prompt: "hello there", max_tokens: 10}'; auto_jobs 3; } >mix.jsonl
	fake_stop; rm "$FAKE_LOG"; fake_start -d 50
	run -0 --separate-stderr or-send -P 8 --budget run=0.0001 --budget-unbounded allow <mix.jsonl
	[ "$(requests)" -eq 7 ]
	[ "$(billed)" -eq 24150000 ]
}

@test "budget: each refused record says why on stderr, the first 10; the rest are counted" {
	fake_start
	run -3 --separate-stderr or-send -t --budget run=0.000001 -m anthropic/claude-opus-4 hi </dev/null
	assert_output ''
	[ "$stderr" = 'or-send: prompt: not sent: the run budget of $0.000001 would be crossed: $0 spent, $0 reserved in flight, this request up to $2.400075' ]
	jq -nc 'range(15) | {id: "r\(. + 1)", model: "openai/gpt-4o", prompt: "hello", max_tokens: 10}' >in.jsonl
	run -3 --separate-stderr or-send --budget run=0.00001 <in.jsonl
	[ "${#stderr_lines[@]}" -eq 11 ]
	[ "${stderr_lines[0]}" = 'or-send: r1: not sent: the run budget of $0.00001 would be crossed: $0 spent, $0 reserved in flight, this request up to $0.000115' ]
	[ "${stderr_lines[9]%%:*}: ${stderr_lines[9]#*: }" = "or-send: r10: ${stderr_lines[0]#*r1: }" ]
	[ "${stderr_lines[10]}" = 'or-send: 5 more records not sent by a budget, 15 in all; each says which in error.type "budget_exceeded"' ]
	[ "$(requests)" -eq 0 ]
}

@test "budget: a request that cannot be bounded is told what would bound it, for each reason" {
	jq '.data += [.data[0] | .id = "x/open-ended" | .context_length = null | .top_provider = {context_length: null, max_completion_tokens: null}]' \
	    "$FIXTURES/models.json" >models.json
	fake_start -m "$BATS_TEST_TMPDIR/models.json"
	while IFS='|' read -r model want; do
		run -3 --separate-stderr or-send -t --budget run=1 ${model:+-m "$model"} hi </dev/null
		[ "$stderr" = "or-send: prompt: not sent: its cost cannot be bounded ($want" ] || fail "$model: $stderr"
	done <<'EOF2'
openrouter/auto|openrouter/auto has no fixed price: it is decided per request), and budgets refuse what they cannot bound (name a model with a fixed price, or --budget-unbounded allow)
nosuch/model|nosuch/model is not in the model catalog), and budgets refuse what they cannot bound (check the id, or or-models --refresh if it is new; or --budget-unbounded allow)
x/open-ended|x/open-ended has neither an output limit nor a context length to bound the answer by), and budgets refuse what they cannot bound (set max_tokens, or --budget-unbounded allow)
|it names no model), and budgets refuse what they cannot bound (give it one: -m, ORKIT_MODEL or config.json; or --budget-unbounded allow)
EOF2
	# max_tokens bounds the open-ended one; a context length alone
	# bounds a model with no output limit
	run -0 --separate-stderr or-send -t --budget run=1 -o max_tokens=5 -m x/open-ended hi </dev/null
	run -0 --separate-stderr or-send -t --budget run=1 -m mistralai/devstral-small hi </dev/null
	[ "$(requests)" -eq 2 ]
}

@test "budget: one rule for every amount, budget.json's numbers and the flags' text: 0 to 9000000 USD, to the picodollar" {
	rest='warn 80 critical 95 unbounded refuse'
	while IFS='|' read -r json want; do
		printf '%s' "$json" >x.json
		says "$want"$'\n'"$rest" load x.json
		[ "$status" -eq 0 ] || fail "$json: status $status"
	done <<'EOF2'
{"run":0.000000000001}|run	-	run	1
{"run":9000000}|run	-	run	9000000000000000000
{"day":1e2}|day	-	day	100000000000000
{"day":0.1234567}|day	-	day	123456700000
{"day":1234.567890123456}|day	-	day	1234567890123456
EOF2
	run -2 --separate-stderr or-send --min-credits 1e2 hi
	[ "${stderr_lines[0]}" = 'or-send: --min-credits "1e2": wants USD, a plain decimal like 5 or 0.25' ]
	run -2 --separate-stderr or-send --min-credits 0.0000000000001 hi
	[ "${stderr_lines[0]}" = 'or-send: --min-credits "0.0000000000001": USD to at most 12 decimal places' ]
	run -2 --separate-stderr or-send --min-credits 9000001 hi
	[ "${stderr_lines[0]}" = 'or-send: --min-credits "9000001": at most 9000000 USD' ]
	run -2 --separate-stderr or-send --budget day=1e3 hi
	[ "${stderr_lines[0]}" = 'or-send: --budget "day=1e3": wants USD, a plain decimal like 5 or 0.25' ]
	mkdir -p "$XDG_CONFIG_HOME/orkit"
	printf '{"run":0.0000000000004}' >"$XDG_CONFIG_HOME/orkit/budget.json"
	run -2 --separate-stderr or-send hi
	[ "$stderr" = "or-send: $XDG_CONFIG_HOME/orkit/budget.json: run: USD to at most 12 decimal places" ]
}

@test "budget: or-log budget projects from at least an hour of a day and a day of a month" {
	printf '{"id":"j","prompt":"p","model":"m/x","send":{"started_at":"2026-12-07T00:00:00Z"},"response":{"id":"gen-1","model":"m/x"},"cost":{"usd":0.00000027,"source":"generation"}}\n' |
	    or-log >/dev/null
	while IFS='|' read -r now day month; do
		ORKIT_NOW=$now run -0 --separate-stderr or-log budget --day 1 --month 1
		[ "$(grep -o '"projected":[^,]*' <<<"$output" | cut -d: -f2 | paste -sd' ')" = "$day $month" ] || fail "$now: $output"
	done <<'EOF2'
2026-12-07T00:00:00Z|0.00000648|0.000001395
2026-12-07T00:30:00Z|0.00000648|0.000001390173
2026-12-07T02:00:00Z|0.00000324|0.00000137589
2026-12-07T12:00:00Z|0.00000054|0.000001287692
EOF2
	ORKIT_NOW=2026-12-07T00:00:00Z run -0 --separate-stderr or-log budget --day 1 -t
	[ "${lines[1]}" = 'day    2026-12-07  1.000000  0.00000027  0.99999973        0   0.000006  ok     [....................]' ]
}

@test "budget: messages count records in the singular and plural; a missing ledger under --budget-shared says the processes count together" {
	fake_start -c 0.5
	run -3 --separate-stderr or-send --min-credits 1 hi
	[ "$stderr" = 'or-send: not sent: the remaining credit, $0.5, is below --min-credits $1
or-send: 1 record not sent: a budget said stop; each says which in error.type "budget_exceeded"' ]
	printf '{"prompt":"a"}\n{"prompt":"b"}\n' >in.jsonl
	run -3 --separate-stderr or-send --min-credits 1 <in.jsonl
	[ "${stderr_lines[1]}" = 'or-send: 2 records not sent: a budget said stop; each says which in error.type "budget_exceeded"' ]
	jq -nc 'range(11) | {id: "r\(. + 1)", model: "openai/gpt-4o", prompt: "hello", max_tokens: 10}' >in.jsonl
	run -3 --separate-stderr or-send --budget run=0.00001 <in.jsonl
	[ "${stderr_lines[10]}" = 'or-send: 1 more record not sent by a budget, 11 in all; each says which in error.type "budget_exceeded"' ]
	L=$BATS_TEST_TMPDIR/none.db
	run -0 --separate-stderr or-send --ledger "$L" --budget day=1 --budget-shared -o max_tokens=5 -m openai/gpt-4o-mini hi
	[ "$stderr" = "or-send: $L: no ledger there: the budgets count only what the or-sends sharing $L-budget spend" ]
	run -0 --separate-stderr or-send -t --ledger "$L" --budget day=1 -o max_tokens=5 -m openai/gpt-4o-mini hi
	[ "$stderr" = "or-send: $L: no ledger there: budgets count only this run's spend" ]
}

# Holds the ledger $1 with an exclusive lock for $2 s, in the background,
# and returns once it is held (a read that may not wait fails). The
# holder waits for the lock: a probe of ours may hold it for a moment.
hold_ledger() {
	{ echo 'PRAGMA locking_mode = EXCLUSIVE; BEGIN EXCLUSIVE;'; sleep "$2"; echo 'COMMIT;'; } |
	    sqlite3 -cmd '.timeout 10000' "$1" >/dev/null &
	holder=$!
	local i
	for i in {1..200}; do
		sqlite3 -cmd '.timeout 0' "$1" 'PRAGMA user_version' >/dev/null 2>&1 || return 0
		sleep 0.05
	done
	fail "the lock was not taken"
}

@test "budget: a ledger locked by another process is waited for, said once; past ORKIT_LOG_WAIT_MS nothing is sent, exit 2" {
	fake_start
	L=$BATS_TEST_TMPDIR/ledger.db
	or-log -d "$L" </dev/null
	hold_ledger "$L" 2
	run -0 --separate-stderr or-send -t --ledger "$L" --budget day=1 -o max_tokens=5 -m openai/gpt-4o-mini hi
	[ "$stderr" = "or-send: $L: the ledger is locked by another process; waiting for it, up to 60s (ORKIT_LOG_WAIT_MS), before sending on it" ]
	assert_output 'Echo: hi'
	wait "$holder"
	hold_ledger "$L" 3
	ORKIT_LOG_WAIT_MS=300 run -2 --separate-stderr or-send --ledger "$L" --budget day=1 -o max_tokens=5 -m openai/gpt-4o-mini hi
	[ "$stderr" = "or-send: $L: the ledger is locked by another process; waiting for it, up to 0.3s (ORKIT_LOG_WAIT_MS), before sending on it
or-send: $L: database is locked" ]
	assert_output ''
	wait "$holder"
	[ "$(requests)" -eq 1 ]
}

@test "budget: --budget-shared on a fresh install makes the ledger's folder (0700) as or-log does; a shared file that cannot be made says why" {
	fake_start
	D=$XDG_DATA_HOME/orkit
	[ ! -e "$XDG_DATA_HOME" ]
	run -0 --separate-stderr or-send -t --budget-shared --budget day=1 -m openai/gpt-4o-mini -o max_tokens=2 hi
	[ "$stderr" = "or-send: $D/log.db: no ledger there: the budgets count only what the or-sends sharing $D/log.db-budget spend" ]
	assert_output 'Echo: hi'
	[ "$(stat -c %a "$D")" = 700 ]
	[ "$(stat -c %a "$D/log.db-budget")" = 600 ]
	[ ! -e "$D/log.db" ]
	mkdir l.db-budget
	run -2 --separate-stderr or-send --ledger "$PWD/l.db" --budget-shared --budget day=1 -m openai/gpt-4o-mini -o max_tokens=2 hi
	[ "${stderr_lines[1]}" = "or-send: $PWD/l.db-budget: cannot be made: Is a directory" ]
	assert_output ''
	[ "$(requests)" -eq 1 ]
}

@test "budget: run limits alone never read the ledger: a newer, a non-database or a locked one does not stop them" {
	fake_start
	L=$BATS_TEST_TMPDIR/ledger.db
	or-log -d "$L" </dev/null
	v=$(sqlite3 "$L" 'PRAGMA user_version')
	sqlite3 "$L" 'PRAGMA user_version = 99'
	run -0 --separate-stderr or-send -t --ledger "$L" --budget run=1 -m openai/gpt-4o-mini -o max_tokens=5 hi
	assert_output 'Echo: hi'
	[ "$stderr" = '' ]
	printf 'not a database\n' >text.db
	run -0 --separate-stderr or-send -t --ledger "$PWD/text.db" --budget run=1,model:openai/gpt-4o-mini=1/run -m openai/gpt-4o-mini -o max_tokens=5 hi
	assert_output 'Echo: hi'
	[ "$stderr" = '' ]
	sqlite3 "$L" "PRAGMA user_version = $v"
	hold_ledger "$L" 3
	ORKIT_LOG_WAIT_MS=300 run -0 --separate-stderr or-send -t --ledger "$L" --budget run=1 --budget-shared -m openai/gpt-4o-mini -o max_tokens=5 hi
	assert_output 'Echo: hi'
	[ "$stderr" = '' ]
	wait "$holder"
	[ ! -e "$L-budget" ]
	[ "$(requests)" -eq 3 ]
	# a day limit still reads it
	run -2 --separate-stderr or-send --ledger "$PWD/text.db" --budget run=1,day=1 -m openai/gpt-4o-mini -o max_tokens=5 hi
	[ "$stderr" = "or-send: $PWD/text.db: file is not a database" ]
}

@test "budget: below --min-credits is exit 3 with no record at all, so cron can check the floor alone" {
	fake_start -c 0.5
	run -3 --separate-stderr or-send --min-credits 1 </dev/null
	assert_output ''
	[ "$stderr" = 'or-send: not sent: the remaining credit, $0.5, is below --min-credits $1' ]
	run -0 --separate-stderr or-send --min-credits 0.25 </dev/null
	assert_output ''
	[ "$stderr" = '' ]
	[ "$(requests)" -eq 0 ]
}

@test "budget: or-log budget on a locked log says once that it waits, up to ORKIT_LOG_WAIT_MS" {
	L=$BATS_TEST_TMPDIR/ledger.db
	or-log -d "$L" </dev/null
	hold_ledger "$L" 2
	ORKIT_NOW=2026-12-07T00:00:00Z run -0 --separate-stderr or-log -d "$L" budget --day 1
	[ "$stderr" = "or-log: budget: $L: the ledger is locked by another process; waiting for it, up to 60s (ORKIT_LOG_WAIT_MS)" ]
	assert_output '{"limit":"day","period":"2026-12-07","usd":1,"spent":0,"remaining":1,"percent":0,"projected":0,"level":"ok"}'
	wait "$holder"
	hold_ledger "$L" 3
	ORKIT_LOG_WAIT_MS=300 run -2 --separate-stderr or-log -d "$L" budget --day 1
	[ "${stderr_lines[0]}" = "or-log: budget: $L: the ledger is locked by another process; waiting for it, up to 0.3s (ORKIT_LOG_WAIT_MS)" ]
	[ "${stderr_lines[1]}" = "or-log: $L: database is locked" ]
	[ "${#stderr_lines[@]}" -eq 2 ]
	assert_output ''
	wait "$holder"
}

@test "budget: or-log budget -t fits the terminal: the bar shrinks, then goes, then REMAINING, PROJECTED, PERIOD and PERCENT, then LIMIT is cut" {
	printf '{"id":"nightly-1","prompt":"p","model":"openai/gpt-4o","send":{"started_at":"2026-12-07T00:00:00Z"},"response":{"id":"gen-1","model":"openai/gpt-4o"},"cost":{"usd":0.8,"source":"generation"}}\n' |
	    or-log >/dev/null
	export ORKIT_NOW=2026-12-07T12:00:00Z
	at() {
		run -3 env COLUMNS=$1 script -qec "or-log budget --day 1 --month 100 --budget model:openai/gpt-4o=0.5/day -t" /dev/null
		output=${output//$'\r'/}
		# columns are characters, not bytes: "…" is one (and bash's
		# ${#l} counts bytes in the C locale make check runs in)
		while IFS= read -r l; do
			n=$(printf %s "$l" | LC_ALL=C.UTF-8 wc -m)
			[ "$n" -le "$1" ] || fail "$1: $n columns: $l"
		done <<<"$output"
	}
	at 120
	assert_output - <<'EOF2'
LIMIT                    PERIOD      USD         SPENT     REMAINING  PERCENT  PROJECTED  LEVEL
day                      2026-12-07    1.000000  0.800000   0.200000       80   1.600000  warn   [################.....]
month                    2026-12     100.000000  0.800000  99.200000      0.8   3.815385  ok     [.....................]
model:openai/gpt-4o/day  2026-12-07    0.500000  0.800000   0.000000      160   1.600000  over   [#####################]
EOF2
	# 100: the table fits, a bar of 10 cells would not
	at 100
	[ "$(sed -n 2p <<<"$output")" = 'day                      2026-12-07    1.000000  0.800000   0.200000       80   1.600000  warn' ]
	at 80
	assert_output - <<'EOF2'
LIMIT                    PERIOD      USD         SPENT     PERCENT  LEVEL
day                      2026-12-07    1.000000  0.800000       80  warn
month                    2026-12     100.000000  0.800000      0.8  ok
model:openai/gpt-4o/day  2026-12-07    0.500000  0.800000      160  over
EOF2
	at 60
	assert_output - <<'EOF2'
LIMIT                    USD         SPENT     LEVEL
day                        1.000000  0.800000  warn
month                    100.000000  0.800000  ok
model:openai/gpt-4o/day    0.500000  0.800000  over
EOF2
	at 40
	assert_output - <<'EOF2'
LIMIT        USD         SPENT     LEVEL
day            1.000000  0.800000  warn
month        100.000000  0.800000  ok
model:open…    0.500000  0.800000  over
EOF2
	# piped, the whole table and a bar of 20
	run -0 env COLUMNS=40 or-log budget --day 1 -t
	[ "${lines[1]}" = 'day    2026-12-07  1.000000  0.800000   0.200000       80   1.600000  warn   [################....]' ]
}
