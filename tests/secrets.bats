#!/usr/bin/env bats
# secrets: the API key goes in the Authorization header and nowhere
# else, whatever fails (issue 16). Every tool is run through the fault
# matrix (server, input, process and storage faults), with the key from
# each place a tool takes it, and a key that is easy to find is then
# looked for in all that a run leaves: stdout, stderr, the databases
# (dumped, and their bytes, -wal and free pages too), the cache, core
# files, a running tool's command line, and what the server received.
# A record cannot move a request or add to its headers; TLS is always
# verified.

# bats file_tags=plain

load helper

# What is looked for is MARK, its middle: a piece of the key counts.
KEY=sk-or-v1-SECRETSECRETSECRET0123456789abcdef0123456789abcdef
MARK=SECRETSECRET
N=20

setup_file() {
	# What a server echoing the key would send, made here from KEY.
	local fx=$BATS_FILE_TMPDIR/fx
	mkdir -p "$fx/secrets"
	cp "$FIXTURES/models.json" "$fx/"
	cp -R "$FIXTURES/endpoints" "$fx/"
	# A 200 cut inside its JSON, the key in what came.
	printf '{"id":"gen-cut","object":"chat.completion","model":"openai/gpt-4o-mini","choices":[{"index":0,"message":{"role":"assistant","content":"you sent Authorization: Bearer %s and' \
	    "$KEY" >"$fx/secrets/cut.json"
	# Whole JSON, bytes that are not UTF-8 next to the key.
	printf '{"id":"gen-bad","object":"chat.completion","model":"openai/gpt-4o-mini","choices":[{"index":0,"finish_reason":"stop","message":{"role":"assistant","content":"\xff\xfe %s \xc3"}}],"usage":{"prompt_tokens":1,"completion_tokens":1,"total_tokens":2,"cost":0}}' \
	    "$KEY" >"$fx/secrets/badutf8.json"
	# A stream whose text, and reasoning, hold the key cut in two
	# deltas: no single piece holds it.
	sse_split >"$fx/secrets/split.sse"
	# The key's first 40 bytes, and the stream ends; and a text that
	# ends as every key starts.
	sse_text "t:${KEY:0:40}" >"$fx/secrets/cut-key.sse"
	{
		sse_text "keys look like sk-or-v1-"
		printf 'data: [DONE]\n\n'
	} >"$fx/secrets/prefix.sse"
	# The catalog, a model's description echoing the key.
	jq -c --arg k "$KEY" '.data[0].description = "sent: Bearer \($k)"' \
	    "$FIXTURES/models.json" >"$fx/secrets/models-echo.json"
	head -c 3000 "$FIXTURES/models.json" >"$fx/secrets/models-cut.json"
	printf '{"data":{"id":"gen-x","total_cost":"Bearer %s","\xff' "$KEY" \
	    >"$fx/secrets/generation-bad.json"
}

# An SSE body: the key split between two content deltas, and between
# two reasoning deltas.
sse_split() {
	local c='"id":"gen-split","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o-mini"' half=$((${#KEY} / 2))
	local a=${KEY:0:$half} b=${KEY:$half}
	printf 'data: {%s,"choices":[{"index":0,"delta":{"role":"assistant","content":"","reasoning":"r:%s"}}]}\n\n' "$c" "$a"
	printf 'data: {%s,"choices":[{"index":0,"delta":{"reasoning":"%s."}}]}\n\n' "$c" "$b"
	printf 'data: {%s,"choices":[{"index":0,"delta":{"content":"t:%s"}}]}\n\n' "$c" "$a"
	printf 'data: {%s,"choices":[{"index":0,"delta":{"content":"%s."}}]}\n\n' "$c" "$b"
	printf 'data: {%s,"choices":[{"index":0,"delta":{},"finish_reason":"stop"}],"usage":{"prompt_tokens":1,"completion_tokens":9,"total_tokens":10,"cost":0}}\n\n' "$c"
	printf 'data: [DONE]\n\n'
}

# One content delta of TEXT, then the finish chunk.
sse_text() {
	local c='"id":"gen-text","object":"chat.completion.chunk","created":1,"model":"openai/gpt-4o-mini"'
	printf 'data: {%s,"choices":[{"index":0,"delta":{"role":"assistant","content":"%s"}}]}\n\n' "$c" "$1"
}

setup() {
	common_setup
	export ORKIT_LOG_LEVEL=debug ORKIT_RETRIES=0
	FX=$BATS_FILE_TMPDIR/fx
	RUN=$BATS_TEST_TMPDIR/run
	mkdir -p "$RUN/out"
	cd "$RUN"
	MNTS=()
	PIDS=()
	BGCLOSE=()
	fake_start -F "$FX"
	seq "$N" | jq -c '{id: "j\(.)", prompt: "p\(.)"}' >"$BATS_TEST_TMPDIR/in.jsonl"
	IN=$BATS_TEST_TMPDIR/in.jsonl
}

teardown() {
	local p m
	for p in "${PIDS[@]}"; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	fake_stop
	for m in "${MNTS[@]}"; do
		umount "$m" 2>/dev/null || umount -l "$m" 2>/dev/null || true
	done
}

# Where the tools find the key: env (OPENROUTER_API_KEY), file
# (OPENROUTER_API_KEY_FILE) or xdg ($XDG_CONFIG_HOME/orkit/key).
key_from() {
	unset OPENROUTER_API_KEY OPENROUTER_API_KEY_FILE
	rm -f "$XDG_CONFIG_HOME/orkit/key"
	case $1 in
	env)
		export OPENROUTER_API_KEY=$KEY ;;
	file)
		mkdir -p "$BATS_TEST_TMPDIR/secret"
		printf '%s\n' "$KEY" >"$BATS_TEST_TMPDIR/secret/key"
		chmod 600 "$BATS_TEST_TMPDIR/secret/key"
		export OPENROUTER_API_KEY_FILE=$BATS_TEST_TMPDIR/secret/key ;;
	xdg)
		mkdir -p "$XDG_CONFIG_HOME/orkit"
		printf '%s\n' "$KEY" >"$XDG_CONFIG_HOME/orkit/key"
		chmod 600 "$XDG_CONFIG_HOME/orkit/key" ;;
	*)
		fail "key_from $1" ;;
	esac
}

# The three places in turn, by a counter.
key_turn() {
	local from=(env file xdg)
	key_from "${from[$(($1 % 3))]}"
}

# Every place a run left the key in, one a line; nothing when none.
# The files under $HOME (the databases, the cache, the settings) but
# the key's own, and under $RUN (stdout, stderr, cores); each database
# dumped too; and the server's log: the key's bytes are masked there
# with '*', so a run of them as long as the key is the key sent in a
# body or a header not Authorization.
leaks() {
	leaks_unsorted | LC_ALL=C sort
}

leaks_unsorted() {
	local f
	find "$HOME" "$RUN" -type f ! -path "$XDG_CONFIG_HOME/orkit/key" \
	    -print0 | xargs -0r grep -laF -- "$MARK" || true
	while IFS= read -r f; do
		if sqlite3 "$f" .dump 2>/dev/null | grep -qF -- "$MARK"; then
			echo "$f (dumped)"
		fi
	done < <(find "$HOME" "$RUN" -type f -name '*.db')
	for f in "$FAKE_LOG" "$BATS_TEST_TMPDIR"/fake-log.*.jsonl; do
		[ -s "$f" ] || continue
		grep -lE -- "$MARK|\*{${#KEY}}" "$f" || true
		jq -r 'select(.auth != "ok" or .headers.authorization !=
		    "Bearer [redacted]") | "\(.path): auth \(.auth)"' "$f"
	done
}

no_leaks() {
	run leaks
	assert_output ''
}

# One path of the matrix: "$@" with stdin from $IN, stdout and stderr
# into out/NAME.out (or the fd OUTFD) and out/NAME.err; its exit
# status in ST.
path() {
	local name=$1
	shift
	ST=0
	if [ -n "${OUTFD:-}" ]; then
		"$@" <"$IN" >&"$OUTFD" 2>"out/$name.err" || ST=$?
	else
		"$@" <"$IN" >"out/$name.out" 2>"out/$name.err" || ST=$?
	fi
}

# How many records of a path's output carry an error.
errors() {
	jq -s '[.[] | select(.error)] | length' "out/$1.out"
}

# COUNT copies of the script line LINE ("[PATH] ACTION ...").
fake_n() {
	yes "$2" | head -n "$1" >>"$FAKE_SCRIPT"
}

# Waits until the fake server has received N requests on PATH (10 s).
wait_requests() {
	local i
	for ((i = 0; i < 200; i++)); do
		[ "$(requests "${2:-/chat/completions}")" -ge "$1" ] && return 0
		sleep 0.05
	done
	fail "the server never had $1 requests on ${2:-/chat/completions}"
}

# Waits until PID has exited (a zombie counts: the shell reaps it),
# at most 10 s; then kills it and fails.
wait_exit() {
	local i s
	for ((i = 0; i < 200; i++)); do
		{ read -r _ _ s _ <"/proc/$1/stat"; } 2>/dev/null || return 0
		[ "$s" = Z ] && return 0
		sleep 0.05
	done
	kill -9 "$1" 2>/dev/null || true
	fail "process $1 did not exit"
}

# Waits until PID runs PROGRAM: it may still be the shell that opens
# its stdin, or env (10 s).
wait_is() {
	local i cmd
	for ((i = 0; i < 200; i++)); do
		cmd=$(tr '\0' ' ' <"/proc/$1/cmdline")
		[[ "$cmd" == "$2 "* || "$cmd" == */"$2 "* ]] && return 0
		sleep 0.05
	done
	fail "process $1 is not $2: $cmd"
}

# A running tool, seen from outside: its command line (it is TOOL's)
# holds no key; a tool that loaded the key (LOADS=1) may dump no core.
proc_clean() {
	local pid=$1 tool=$2 loads=$3 cmd
	wait_is "$pid" "$tool"
	cmd=$(tr '\0' ' ' <"/proc/$pid/cmdline")
	[[ "$cmd" != *"$MARK"* ]] || fail "$tool's command line holds the key"
	# Its environment holds the key only when the user put it there.
	if [ -z "${OPENROUTER_API_KEY:-}" ] &&
	    grep -qaF -- "$MARK" "/proc/$pid/environ"; then
		fail "$tool's environment holds the key"
	fi
	if [ "$loads" = 1 ]; then
		run grep '^Max core file size' "/proc/$pid/limits"
		assert_output --regexp '^Max core file size +0 +0 +bytes'
	fi
}

# --- the search itself --------------------------------------------------

@test "the search finds the key, or a piece of it, wherever it is put" {
	key_from xdg
	mkdir -p "$XDG_DATA_HOME/orkit" "$XDG_CACHE_HOME/orkit"
	run leaks
	assert_output ''
	printf 'x%sx' "$MARK" >"$RUN/out/a.err"
	printf '\0\1%s' "$KEY" >"$XDG_CACHE_HOME/orkit/models.json"
	sqlite3 "$XDG_DATA_HOME/orkit/log.db" \
	    "CREATE TABLE t(x); INSERT INTO t VALUES ('$KEY')"
	printf '{"auth":"ok","headers":{"authorization":"Bearer [redacted]"},"body":"%s"}\n' \
	    "$(printf '%*s' ${#KEY} '' | tr ' ' '*')" >"$FAKE_LOG"
	run leaks
	assert_output - <<-EOF
	$FAKE_LOG
	$XDG_CACHE_HOME/orkit/models.json
	$XDG_DATA_HOME/orkit/log.db
	$XDG_DATA_HOME/orkit/log.db (dumped)
	$RUN/out/a.err
	EOF
}

# --- server faults ------------------------------------------------------

# A fault on every chat request of a batch of N: or-send with FLAGS;
# all N records carry an error, unless WANT is 0 (the answer is taken).
chat_fault() {
	local name=$1 flags=$2 action=$3 want=${4:-1}
	[ -z "$action" ] || fake_n "$N" "$action"
	# shellcheck disable=SC2086
	path "$name.send" or-send $flags
	[ "$ST" -eq "$want" ] || fail "$name: or-send exit $ST"
	[ "$(errors "$name.send")" -eq $((want * N)) ] ||
	    fail "$name: not $((want * N)) errors"
}

@test "or-send | or-cost | or-log: every chat fault, the key from env, file and XDG, leaves it nowhere" {
	local i=0 f name flags action want
	local faults=(
		"429||status 429"
		"502||status 502 type=provider_unavailable"
		"html200||garbage"
		"reset||reset"
		"reset-body|-P 4|cut"
		"reset-stream|--stream -P $N|cut after=1"
		"stall|-P $N|stall 5000"
		"stall-stream|--stream -P $N|stall 5000 after=1"
		"sse-truncated|--stream -P $N|stall 1 after=1"
		"midstream|--stream -P $N|midstream-error"
		"error200||error200"
		"choiceerror|-P 4|choiceerror"
		"cut-json||fixture secrets/cut.json"
		"bad-utf8||fixture secrets/badutf8.json|0"
		"echo-400||status 400 message=Bearer%20$KEY"
	)
	export OPENROUTER_TIMEOUT_MS=500 ORKIT_STALL_MS=500
	for f in "${faults[@]}"; do
		key_turn $((i++))
		IFS='|' read -r name flags action want <<<"$f"
		chat_fault "$name" "$flags" "$action" "$want"
	done
	[ "$(requests)" -eq $((N * ${#faults[@]})) ]
	# Connection refused: the server is not there.
	key_turn $((i++))
	OPENROUTER_BASE_URL=http://127.0.0.1:1 chat_fault refused "" ""
	# All of them on through or-cost and or-log.
	cat out/*.send.out >all.jsonl
	key_turn $((i++))
	IN=all.jsonl path all.cost or-cost --wait 0 -P "$N"
	[ "$ST" -eq 1 ]
	IN=out/all.cost.out path all.log or-log
	[ "$ST" -eq 1 ]
	cmp out/all.cost.out out/all.log.out
	rm all.jsonl
	no_leaks
	# The debug log showed the headers, the key's hidden.
	grep -q '^or-send: > Authorization: Bearer \[hidden\]$' out/502.send.err
	run jq -r .error.message out/echo-400.send.out
	assert_output "$(printf 'Bearer [REDACTED]\n%.0s' $(seq $N))"
}

# K more fake servers at once, each with its own script and log:
# server k (1..K) is at port PORTS[k], its script SCRIPTS[k].
fakes_start() {
	local k i
	PORTS=() SCRIPTS=()
	for k in $(seq "$1"); do
		SCRIPTS[k]=$BATS_TEST_TMPDIR/script.$k
		: >"${SCRIPTS[k]}"
		FAKEOR_KEY=$KEY "$FAKEOR" -F "$FX" -s "${SCRIPTS[k]}" \
		    -l "$BATS_TEST_TMPDIR/fake-log.$k.jsonl" \
		    >"$BATS_TEST_TMPDIR/port.$k" 2>/dev/null 3>&- &
		PIDS+=($!)
	done
	for k in $(seq "$1"); do
		for i in $(seq 200); do
			[ -s "$BATS_TEST_TMPDIR/port.$k" ] && break
			sleep 0.05
		done
		PORTS[k]=$(cat "$BATS_TEST_TMPDIR/port.$k")
		[ -n "${PORTS[k]}" ] || fail "fake server $k did not start"
	done
}

@test "or-cost: every /generation and /credits fault leaves the key nowhere" {
	local i=0 k=0 f name action src credits
	# Each fault on a server of its own, which answered the batch it
	# looks up; "ok" shows what the source is without a fault.
	local faults=(
		"ok|ok|generation|0"
		"404|status 404|usage|1"
		"reset|reset|usage|1"
		"stall|delay 5000|usage|1"
		"bad-utf8|fixture secrets/generation-bad.json|usage|1"
		"echo-400|status 400 message=Bearer%20$KEY|usage|1"
	)
	export OPENROUTER_TIMEOUT_MS=500
	fakes_start ${#faults[@]}
	for f in "${faults[@]}"; do
		IFS='|' read -r name action src credits <<<"$f"
		k=$((k + 1))
		export OPENROUTER_BASE_URL=http://127.0.0.1:${PORTS[k]}
		key_turn $((i++))
		path "$name.send" or-send -P 4
		[ "$ST" -eq 0 ]
		# Enough for every retry --wait leaves time for.
		yes "/generation $action" | head -n $((20 * N)) >>"${SCRIPTS[k]}"
		IN=out/$name.send.out path "$name.cost" or-cost -P "$N" \
		    --wait "$([ "$name" = ok ] && echo 10 || echo 0.2)"
		[ "$ST" -eq 0 ] || fail "$name: or-cost exit $ST"
		run jq -r .cost.source "out/$name.cost.out"
		assert_output "$(printf "$src\\n%.0s" $(seq $N))"
		key_turn $((i++))
		printf '%s\n' "/credits $action" "/key $action" >>"${SCRIPTS[k]}"
		path "$name.credits" or-cost credits
		[ "$ST" -eq "$credits" ] || fail "$name: or-cost credits exit $ST"
	done
	key_turn $((i++))
	IN=out/ok.send.out OPENROUTER_BASE_URL=http://127.0.0.1:1 \
	    path refused.cost or-cost
	[ "$ST" -eq 0 ]
	OPENROUTER_BASE_URL=http://127.0.0.1:1 path refused.credits or-cost credits
	[ "$ST" -eq 1 ]
	cat out/*.cost.out >all.jsonl
	IN=all.jsonl path all.log or-log
	[ "$ST" -eq 0 ]
	rm all.jsonl
	no_leaks
	run cat out/echo-400.credits.err
	assert_output - <<-EOF
	or-cost: /credits: Bearer [REDACTED]
	or-cost: /key: Bearer [REDACTED]
	EOF
}

@test "or-models and or-route: every /models fault leaves the key nowhere" {
	local i=0 f name action
	local faults=(
		"503|status 503"
		"429|status 429"
		"reset|reset"
		"html200|garbage"
		"stall|delay 5000"
		"cut-json|fixture secrets/models-cut.json"
		"echo-400|status 400 message=Bearer%20$KEY"
	)
	export OPENROUTER_TIMEOUT_MS=500
	for f in "${faults[@]}"; do
		IFS='|' read -r name action <<<"$f"
		key_turn $((i++))
		fake "/models $action"
		path "$name.models" or-models --refresh
		[ "$ST" -eq 2 ] || fail "$name: or-models exit $ST"
		key_turn $((i++))
		fake "/models $action"
		path "$name.route" or-route --refresh
		# no catalog: each record written unrouted, with no_route
		[ "$ST" -eq 1 ] || fail "$name: or-route exit $ST"
		[ "$(jq -r .error.type "out/$name.route.out" | sort -u)" = no_route ]
		key_turn $((i++))
		fake "/models/openai/gpt-4o-mini/endpoints $action"
		path "$name.endpoints" or-models endpoints openai/gpt-4o-mini
		[ "$ST" -eq 2 ] || fail "$name: or-models endpoints exit $ST"
	done
	[ "$(requests /models)" -eq $((2 * ${#faults[@]})) ]
	[ "$(requests /models/openai/gpt-4o-mini/endpoints)" -eq ${#faults[@]} ]
	OPENROUTER_BASE_URL=http://127.0.0.1:1 path refused.models or-models
	[ "$ST" -eq 2 ]
	no_leaks
	run grep -v '^or-models: [*<>] ' out/echo-400.models.err
	assert_output "or-models: cannot fetch the model catalog (HTTP 400: Bearer [REDACTED]), and there is no cache at $XDG_CACHE_HOME/orkit/models.json"
	run grep -v '^or-models: [*<>] ' out/echo-400.endpoints.err
	assert_output "or-models: openai/gpt-4o-mini: cannot list endpoints: Bearer [REDACTED]"
}

@test "a catalog that echoes the key: the cache and the records hold it masked" {
	key_from env
	fake "/models fixture secrets/models-echo.json"
	path echo.models or-models --refresh
	[ "$ST" -eq 0 ]
	path echo.show or-models show "$(jq -r '.data[0].id' "$FIXTURES/models.json")"
	[ "$ST" -eq 0 ]
	path echo.route or-route
	[ "$ST" -eq 0 ]
	no_leaks
	run jq -r .description out/echo.show.out
	assert_output 'sent: Bearer [REDACTED]'
}

@test "a key a stream echoes in two pieces: masked in -t's text, the reasoning and the record" {
	key_from env
	IN=/dev/null
	fake "fixture secrets/split.sse" "fixture secrets/split.sse"
	path split.text or-send --stream --reasoning -t hi
	[ "$ST" -eq 0 ]
	path split.rec or-send --stream hi
	[ "$ST" -eq 0 ]
	no_leaks
	assert_equal "$(cat out/split.text.out)" "t:[REDACTED]."
	assert_equal "$(grep -v '^or-send: ' out/split.text.err)" "r:[REDACTED]."
	run jq -r '.response.choices[0].message | .content, .reasoning' out/split.rec.out
	assert_output $'t:[REDACTED].\nr:[REDACTED].'
}

@test "a stream cut inside the key it echoes: what came of it is masked; a text ending as keys start is not" {
	key_from env
	IN=/dev/null
	fake "fixture secrets/cut-key.sse" "fixture secrets/prefix.sse" \
	    "fixture secrets/cut-key.sse"
	path cutkey or-send --stream -t hi
	[ "$ST" -eq 1 ]
	assert_equal "$(cat out/cutkey.out)" "t:[REDACTED]"
	path prefix or-send --stream -t hi
	[ "$ST" -eq 0 ]
	assert_equal "$(cat out/prefix.out)" "keys look like sk-or-v1-"
	path cutkey.rec or-send --stream hi
	[ "$ST" -eq 1 ]
	run jq -r '.response.choices[0].message.content' out/cutkey.rec.out
	assert_output 't:[REDACTED]'
	no_leaks
}

# --- input faults, usage errors, dry runs ---------------------------------

@test "input faults through every tool leave the key nowhere" {
	local i=0 t
	key_from file
	{
		cat "$IN"
		echo 'not json'
		printf '{"id":"nul","prompt":"a\0b"}\n'
		printf '\xff\xfe{"id":"bad"}\n'
		printf '{"id":"utf8","prompt":"\xc3("}\n'
		printf '%*s' 10000 '' | tr ' ' '['
		printf '%*s\n' 10000 '' | tr ' ' ']'
		printf '{"id":"deep","prompt":%s"x"%s}\n' "$(printf '%*s' 5000 '' |
		    tr ' ' '[')" "$(printf '%*s' 5000 '' | tr ' ' ']')"
	} >bad.jsonl
	IN=bad.jsonl
	for t in or-route or-send or-cost or-log; do
		key_turn $((i++))
		path "input.$t" "$t"
		[ "$ST" -eq 1 ] || fail "$t: exit $ST"
		# Each bad line is a bad_input record; the good ones pass.
		run jq -r 'select(.error) | .error.type' "out/input.$t.out"
		assert_output "$(printf 'bad_input\n%.0s' 1 2 3 4 5 6)"
		[ "$(wc -l <"out/input.$t.out")" -eq $((N + 6)) ]
	done
	rm bad.jsonl
	no_leaks
}

@test "--help, usage errors, --dry-run and -v, the key from each place, leave it nowhere" {
	local from t i=0
	# --help and a bad flag are done with before a key is looked for.
	for t in or-models or-route or-send or-cost or-log; do
		key_turn $((i++))
		path "$t.help" "$t" --help
		[ "$ST" -eq 0 ]
		path "$t.bogus" "$t" --bogus
		[ "$ST" -eq 2 ]
	done
	for from in env file xdg; do
		key_from "$from"
		path "$from.send.P" or-send -P x
		[ "$ST" -eq 2 ]
		path "$from.cost.wait" or-cost --wait -1
		[ "$ST" -eq 2 ]
		path "$from.log.cmd" or-log nosuchcommand
		[ "$ST" -eq 2 ]
		path "$from.route" or-route
		[ "$ST" -eq 0 ]
		IN=out/$from.route.out path "$from.dry" or-send -v -v --dry-run
		[ "$ST" -eq 0 ]
		IN=out/$from.route.out path "$from.estimate" or-cost --estimate
		[ "$ST" -eq 0 ]
	done
	[ "$(requests /models)" -eq 1 ]
	[ "$(requests)" -eq 0 ]
	no_leaks
}

# --- process faults -------------------------------------------------------

# Starts "$@" in the background, stdin from $IN, output into
# out/NAME.out and .err, the fds in BGCLOSE closed; its pid appended
# to BG (and PIDS).
bg() {
	local name=$1
	shift
	(
		for fd in "${BGCLOSE[@]}"; do
			exec {fd}>&- || exit 99
		done
		# A shell's background job ignores SIGINT; one at a
		# terminal does not.
		exec env --default-signal=INT "$@" <"$IN" >"out/$name.out" \
		    2>"out/$name.err"
	) 3>&- &
	BG+=($!)
	PIDS+=($!)
}

# SIGINT, SIGTERM, SIGKILL and SIGABRT (a core dump, were it allowed),
# one each to four runs of a tool while its requests on WAIT_PATH hang
# (or, WAIT_PATH "fifo", while its stdin stays open): what they leave
# has no key, nor a core; their statuses in STS.
signal_four() {
	local tool=$1 loads=$2 wait_path=$3 k sig fds=() i before=0
	shift 3
	BG=()
	[ "$wait_path" = fifo ] || before=$(requests "$wait_path")
	for sig in INT TERM KILL ABRT; do
		if [ "$wait_path" = fifo ]; then
			mkfifo "fifo.$sig"
			BGCLOSE=("${fds[@]}")
			IN=fifo.$sig bg "$tool.$sig" "$@"
			exec {k}>"fifo.$sig"
			fds+=("$k")
			cat "$IN" >&"$k"
		else
			bg "$tool.$sig" "$@"
		fi
	done
	if [ "$wait_path" = fifo ]; then
		for sig in INT TERM KILL ABRT; do
			for ((i = 0; i < 200; i++)); do
				[ "$(wc -l <"out/$tool.$sig.out")" -ge "$N" ] && break
				sleep 0.05
			done
			[ "$(wc -l <"out/$tool.$sig.out")" -ge "$N" ] ||
			    fail "$tool $sig: never wrote its records on"
		done
	else
		wait_requests $((before + 4)) "$wait_path"
	fi
	for k in 0 1 2 3; do
		proc_clean "${BG[k]}" "$tool" "$loads"
	done
	BGCLOSE=()
	# All four at once: a first SIGINT lets what is in flight finish.
	k=0
	for sig in INT TERM KILL ABRT; do
		kill -s "$sig" "${BG[k]}" ||
		    fail "$tool $sig: gone before the signal: $(tail -3 "out/$tool.$sig.err")"
		k=$((k + 1))
	done
	# or-log, signalled, reads on to the end of its input.
	for k in "${fds[@]}"; do
		exec {k}>&-
	done
	k=0
	STS=
	for sig in INT TERM KILL ABRT; do
		wait_exit "${BG[k]}"
		ST=0
		wait "${BG[k]}" 2>/dev/null || ST=$?
		STS="$STS $sig:$ST"
		k=$((k + 1))
	done
	STS=${STS# }
	rm -f fifo.*
}

@test "SIGINT, SIGTERM, SIGKILL, SIGABRT mid-request: no key left, no core, none in a running tool's command line" {
	ulimit -c unlimited 2>/dev/null || ulimit -c 1000000 2>/dev/null || true
	export OPENROUTER_TIMEOUT_MS=20000
	key_from env
	path good or-send -P 4
	[ "$ST" -eq 0 ]
	fake_n 8 "/chat/completions delay 2000"
	signal_four or-send 1 /chat/completions or-send -P 2
	assert_equal "$STS" "INT:1 TERM:1 KILL:137 ABRT:134"
	key_from file
	fake_n 8 "/generation delay 2000"
	IN=out/good.out signal_four or-cost 1 /generation or-cost -P 2
	assert_equal "$STS" "INT:0 TERM:0 KILL:137 ABRT:134"
	key_from xdg
	fake_n 4 "/models delay 2000"
	signal_four or-models 1 /models or-models --refresh
	assert_equal "$STS" "INT:130 TERM:143 KILL:137 ABRT:134"
	fake_n 4 "/models delay 2000"
	signal_four or-route 1 /models or-route --refresh
	assert_equal "$STS" "INT:130 TERM:143 KILL:137 ABRT:134"
	# or-log loads no key, but has it in its environment here.
	key_from env
	IN=out/good.out signal_four or-log 1 fifo or-log
	assert_equal "$STS" "INT:0 TERM:0 KILL:137 ABRT:134"
	no_leaks
	run find "$RUN" -name 'core*'
	assert_output ''
}

@test "a crash dumps no core of a tool holding the key, where another process's core is written" {
	local ctl=$BATS_TEST_TMPDIR/control pid w
	ulimit -c unlimited 2>/dev/null || ulimit -c 1000000 2>/dev/null || true
	# The control: a process without the key, in a directory of its own.
	mkdir "$ctl"
	(cd "$ctl" && exec env -u OPENROUTER_API_KEY sleep 30) 3>&- &
	pid=$!
	PIDS+=("$pid")
	wait_is "$pid" sleep
	kill -s ABRT "$pid"
	wait_exit "$pid"
	[ -n "$(ls "$ctl")" ] ||
	    skip "this system writes no core file here ($(cat /proc/sys/kernel/core_pattern))"
	key_from env
	fake_n 2 "/chat/completions delay 2000"
	BG=()
	bg crash.send or-send hi
	mkfifo crash.fifo
	IN=crash.fifo bg crash.log or-log
	exec {w}>crash.fifo
	wait_requests 1
	proc_clean "${BG[0]}" or-send 1
	proc_clean "${BG[1]}" or-log 1
	kill -s ABRT "${BG[@]}"
	wait_exit "${BG[0]}"
	wait_exit "${BG[1]}"
	exec {w}>&-
	rm crash.fifo
	run find "$RUN" -name 'core*'
	assert_output ''
	no_leaks
}

@test "a tool holding the key is not dumpable: its /proc files are root's, not its user's" {
	local as=() pid ctl uid
	# As root, every process's files are root's: run as nobody.
	if [ "$(id -u)" -eq 0 ]; then
		command -v setpriv >/dev/null || skip "no setpriv to run as nobody"
		as=(setpriv --reuid=65534 --regid=65534 --clear-groups)
		"${as[@]}" sh -c 'test -x "$(command -v or-send)"' ||
		    skip "nobody cannot run or-send from here"
	fi
	fake_n 2 "/chat/completions delay 2000"
	"${as[@]}" env HOME=/nonexistent XDG_CONFIG_HOME=/nonexistent \
	    XDG_CACHE_HOME=/nonexistent XDG_DATA_HOME=/nonexistent \
	    or-send hi </dev/null >out/d.out 2>out/d.err 3>&- &
	pid=$!
	PIDS+=("$pid")
	"${as[@]}" sleep 30 3>&- &
	ctl=$!
	PIDS+=("$ctl")
	wait_requests 1
	uid=$(awk '/^Uid:/ { print $2 }' "/proc/$pid/status")
	[ "$uid" -ne 0 ]
	[ "$(stat -c %u "/proc/$ctl/status")" -eq "$uid" ]
	[ "$(stat -c %u "/proc/$pid/status")" -eq 0 ]
	wait "$pid"
	[ "$(jq -r '.response.choices[0].message.content' out/d.out)" = "Echo: hi" ]
}

# --- SIGPIPE and storage faults ------------------------------------------

@test "SIGPIPE: each tool writing to a closed pipe leaves the key nowhere" {
	local i=0 t fd
	path good or-send -P 4
	[ "$ST" -eq 0 ]
	# A pipe whose reader has gone before the first write.
	exec {fd}> >(exec true)
	wait $!
	for t in or-route or-send or-cost or-log or-models; do
		key_turn $((i++))
		IN=out/good.out OUTFD=$fd path "pipe.$t" "$t"
		[ "$ST" -eq 2 ] || fail "$t: exit $ST"
	done
	exec {fd}>&-
	no_leaks
}

# Mounts a tmpfs (options $2) on the directory $1; 1 when it cannot.
mount_tmpfs() {
	[ "$(id -u)" -eq 0 ] || return 1
	mkdir -p "$1"
	mount -t tmpfs -o "$2" tmpfs "$1" 2>/dev/null || return 1
	MNTS+=("$1")
}

@test "storage faults: full stdout, cache dir not a directory, a newer db, a full and a read-only disk: the key nowhere" {
	local i=0 t fd db=$XDG_DATA_HOME/orkit/log.db
	path good or-send -P 4
	[ "$ST" -eq 0 ]
	# stdout on a full disk.
	exec {fd}>/dev/full
	for t in or-route or-send or-cost or-log or-models; do
		key_turn $((i++))
		IN=out/good.out OUTFD=$fd path "full.$t" "$t"
		[ "$ST" -eq 2 ] || fail "$t: exit $ST"
	done
	exec {fd}>&-
	# The cache's directory cannot be made.
	key_turn $((i++))
	XDG_CACHE_HOME=$BATS_TEST_TMPDIR/in.jsonl path nocache.models or-models --refresh
	[ "$ST" -eq 0 ] || fail "nocache.models: exit $ST"
	XDG_CACHE_HOME=$BATS_TEST_TMPDIR/in.jsonl path nocache.route or-route --refresh
	[ "$ST" -eq 0 ] || fail "nocache.route: exit $ST"
	# A database a newer orkit made.
	IN=out/good.out path newer.first or-log
	[ "$ST" -eq 0 ]
	sqlite3 "$db" 'PRAGMA user_version = 999'
	key_turn $((i++))
	IN=out/good.out path newer.log or-log
	[ "$ST" -eq 2 ] || fail "newer.log: exit $ST"
	path newer.stats or-log stats
	[ "$ST" -eq 2 ] || fail "newer.stats: exit $ST"
	path newer.route or-route
	[ "$ST" -eq 0 ] || fail "newer.route: exit $ST"
	path newer.send or-send -c again
	[ "$ST" -eq 2 ] || fail "newer.send: exit $ST"
	rm -f "$db"*
	if mount_tmpfs "$XDG_DATA_HOME/orkit" size=64k; then
		# A full disk under the database.
		head -c 40k /dev/zero >"$XDG_DATA_HOME/orkit/fill" || true
		key_turn $((i++))
		IN=out/good.out path diskfull.log or-log
		[ "$ST" -eq 1 ] || fail "diskfull.log: exit $ST"
		# A read-only one, a fresh one mounted over it.
		mount_tmpfs "$XDG_DATA_HOME/orkit" size=1m
		IN=out/good.out path ro.first or-log
		[ "$ST" -eq 0 ]
		mount -o remount,ro "$XDG_DATA_HOME/orkit"
		IN=out/good.out path ro.log or-log
		[ "$ST" -eq 1 ] || fail "ro.log: exit $ST"
		# read as it stands: its -shm cannot be made there
		path ro.stats or-log stats
		[ "$ST" -eq 0 ] || fail "ro.stats: exit $ST"
		path ro.route or-route
		[ "$ST" -eq 0 ] || fail "ro.route: exit $ST"
	fi
	if mount_tmpfs "$XDG_CACHE_HOME" size=4k; then
		key_turn $((i++))
		path cachefull.models or-models --refresh
		[ "$ST" -eq 0 ] || fail "cachefull.models: exit $ST"
	fi
	no_leaks
}

# --- records cannot redirect; TLS is verified ------------------------------

@test "a record cannot move its request or set its headers: base_url, url, headers and the like are body keys" {
	local flags port
	key_from env
	export OPENROUTER_HTTP_REFERER=https://example.org/app \
	    OPENROUTER_X_TITLE=orkit-secrets
	port=${OPENROUTER_BASE_URL##*:}
	jq -nc --arg k "$KEY" '{id: "r\(range(4))", prompt: "hi",
	    base_url: "http://127.0.0.1:1/api/v1", baseURL: "http://127.0.0.1:1",
	    url: "http://127.0.0.1:1/evil", endpoint: "/credits",
	    path: "/key", method: "GET",
	    headers: {Authorization: "Bearer sk-or-v1-evil", "X-Title": "evil",
	        "HTTP-Referer": "https://evil.example", Host: "evil.example",
	        "X-Evil": "1"},
	    extra_headers: {"X-Evil": "1"}, Authorization: "Bearer sk-or-v1-evil",
	    "HTTP-Referer": "https://evil.example", "X-Title": "evil",
	    "X-Evil": "1", api_key: "sk-or-v1-evil", OPENROUTER_BASE_URL:
	    "http://127.0.0.1:1", provider: {order: ["OpenAI"],
	    base_url: "http://127.0.0.1:1", headers: {"X-Evil": "1"}}}' \
	    >redirect.jsonl
	for flags in "" "-P 4" "--stream -P 2"; do
		# shellcheck disable=SC2086
		IN=redirect.jsonl path "redirect${flags// /}" or-send $flags
		[ "$ST" -eq 0 ] || fail "or-send $flags: exit $ST"
	done
	[ "$(requests)" -eq 12 ]
	# Where each request went, how, and with which headers: all alike.
	run sh -c "jq -c '[.method, .path, .auth, (.headers | keys -
	    [\"accept\", \"accept-encoding\", \"content-length\",
	    \"content-type\"]), .headers.authorization, .headers.host,
	    .headers[\"http-referer\"], .headers[\"x-title\"],
	    .headers[\"user-agent\"]]' '$FAKE_LOG' | sort | uniq -c"
	assert_output "     12 [\"POST\",\"/chat/completions\",\"ok\",[\"authorization\",\"host\",\"http-referer\",\"user-agent\",\"x-title\"],\"Bearer [redacted]\",\"127.0.0.1:$port\",\"https://example.org/app\",\"orkit-secrets\",\"orkit/$(cat "$TOP/VERSION") or-send\"]"
	# Each body is the record less orkit's keys, the rest as it came.
	run sh -c "jq -c '.body | del(.messages, .stream)' '$FAKE_LOG' | sort | uniq -c"
	assert_output "     12 $(jq -c 'del(.id, .prompt)' redirect.jsonl | head -1)"
	rm redirect.jsonl
	no_leaks
}

@test "or-cost: a record's generation id cannot change the request: it is one escaped query value" {
	local id='../../credits?id=x&a=b#c d/%2e'
	key_from env
	path good or-send hi
	[ "$ST" -eq 0 ]
	jq -c --arg id "$id" '.response.id = $id | .base_url = "http://127.0.0.1:1"' \
	    out/good.out >gen.jsonl
	IN=gen.jsonl path gen or-cost --wait 0.2
	[ "$ST" -eq 0 ]
	run jq -c 'select(.path != "/chat/completions") | [.method, .path, .query, .auth]' "$FAKE_LOG"
	assert_output --regexp "^(\[\"GET\",\"/generation\",\{\"id\":\"$(printf '%s' "$id" | sed 's/[.?*+^$[\\]/\\&/g')\"\},\"ok\"\]
?)+$"
	rm gen.jsonl
	no_leaks
}

# Starts openssl s_server on 127.0.0.1 with a self-signed certificate:
# its port in TLS_PORT, what a client sends it in tls.out. Its stdin is
# a pipe held open: at end of input it would stop.
tls_start() {
	local i
	command -v openssl >/dev/null || skip "no openssl"
	openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:prime256v1 \
	    -nodes -keyout "$BATS_TEST_TMPDIR/tls.key" \
	    -out "$BATS_TEST_TMPDIR/tls.crt" -subj /CN=127.0.0.1 \
	    -addext subjectAltName=IP:127.0.0.1 -days 2 2>/dev/null
	mkfifo "$BATS_TEST_TMPDIR/tls.in"
	openssl s_server -accept 127.0.0.1:0 -cert "$BATS_TEST_TMPDIR/tls.crt" \
	    -key "$BATS_TEST_TMPDIR/tls.key" <"$BATS_TEST_TMPDIR/tls.in" \
	    >"$BATS_TEST_TMPDIR/tls.out" 2>&1 3>&- &
	PIDS+=($!)
	exec {TLS_IN}>"$BATS_TEST_TMPDIR/tls.in"
	for ((i = 0; i < 200; i++)); do
		TLS_PORT=$(sed -n 's/^ACCEPT 127.0.0.1:\([0-9]*\)$/\1/p' \
		    "$BATS_TEST_TMPDIR/tls.out")
		[ -n "$TLS_PORT" ] && return 0
		sleep 0.05
	done
	fail "openssl s_server did not start"
}

@test "TLS is verified: a self-signed server gets a certificate error and nothing sent" {
	local t
	tls_start
	key_from env
	export OPENROUTER_BASE_URL=https://127.0.0.1:$TLS_PORT/api/v1
	path tls.send or-send hi
	[ "$ST" -eq 1 ]
	run jq -c '[.error.type, .error.curl_code]' out/tls.send.out
	assert_output --regexp '^\["network",(60|35)\]$'
	path tls.models or-models --refresh
	[ "$ST" -eq 2 ]
	grep -Eq 'certificate|SSL' out/tls.models.err
	path tls.route or-route --refresh
	[ "$ST" -eq 1 ]
	grep -Eq 'certificate|SSL' out/tls.route.err
	path tls.credits or-cost credits
	[ "$ST" -eq 1 ]
	grep -Eq 'certificate|SSL' out/tls.credits.err
	# Nothing reached the server: it prints what a client sends.
	run grep -cE 'POST|GET|Authorization' "$BATS_TEST_TMPDIR/tls.out"
	assert_output 0
	# It would have: curl told not to verify gets through, and is seen.
	curl -sk -m 10 -o /dev/null -H 'Authorization: Bearer x' \
	    "https://127.0.0.1:$TLS_PORT/probe" 3>&- &
	PIDS+=($!)
	for ((t = 0; t < 200; t++)); do
		grep -q 'GET /probe' "$BATS_TEST_TMPDIR/tls.out" && break
		sleep 0.05
	done
	grep -q 'GET /probe' "$BATS_TEST_TMPDIR/tls.out"
	exec {TLS_IN}>&-
	no_leaks
}

@test "lint: no source turns TLS verification off, follows redirects or trusts another CA" {
	cd "$TOP"
	run grep -rnE 'SSL_VERIFY(PEER|HOST|STATUS)|PROXY_SSL_VERIFY|CURLOPT_SSL_OPTIONS|CURLOPT_(PROXY_)?(CAINFO|CAPATH|CRLFILE|PINNEDPUBLICKEY|ISSUERCERT)|FOLLOWLOCATION|UNRESTRICTED_AUTH|CURLOPT_(PROXY_)?SSLVERSION' lib cmd
	assert_output ''
	[ "$status" -eq 1 ]
	# The search finds what it looks for.
	run grep -cE 'SSL_VERIFY(PEER|HOST)' <<<'curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 0L);'
	assert_output 1
}
