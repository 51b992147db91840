# Shared by every .bats file: the fake OpenRouter server and a clean
# environment, so no test can reach the network or read the user's files.

bats_require_minimum_version 1.5.0
source "$BATS_TEST_DIRNAME/libs.bash"

TOP=$(cd "$BATS_TEST_DIRNAME/.." && pwd)
FAKEOR=${FAKEOR:-$TOP/tests/fake/fakeor}
FIXTURES=$TOP/tests/fixtures
KEY=sk-or-v1-0123456789abcdef0123456789abcdef-test

common_setup() {
	unset OPENROUTER_API_KEY_FILE OPENROUTER_HTTP_REFERER \
	    OPENROUTER_X_TITLE OPENROUTER_TIMEOUT_MS ORKIT_RETRIES \
	    ORKIT_RETRY_MAX_MS
	export HOME=$BATS_TEST_TMPDIR/home
	export XDG_CONFIG_HOME=$HOME/.config XDG_CACHE_HOME=$HOME/.cache \
	    XDG_DATA_HOME=$HOME/.local/share
	mkdir -p "$HOME"
	export OPENROUTER_API_KEY=$KEY
	export ORKIT_RETRY_BASE_MS=1
	export OPENROUTER_BASE_URL=http://127.0.0.1:1
}

# The long options of a tool's getopt_long tables, sorted, one a line.
table_longs() {
	local f
	for f in "$TOP"/cmd/"$1"/*.c; do
		awk '/struct option/ { on = 1; next } on && /^};/ { on = 0 } on' "$f"
	done | sed -n 's/^[[:space:]]*{ "\([a-z0-9-]*\)".*/--\1/p' | sort -u
}

# Its short options: the letters of its getopt_long strings.
table_shorts() {
	grep -ho 'getopt_long([a-z]*, [a-z]*, "[^"]*"' "$TOP"/cmd/"$1"/*.c |
	    sed 's/.*"\(.*\)"/\1/; s/[+:]//g' | fold -w1 | sed 's/^/-/' | sort -u
}

# Starts the fake server; its script and request log live in the
# test's own directory.
fake_start() {
	FAKE_LOG=$BATS_TEST_TMPDIR/fake-log.jsonl
	FAKE_SCRIPT=$BATS_TEST_TMPDIR/script
	: >"$FAKE_SCRIPT"
	# A port file left by an earlier server would be read before the
	# new one's redirection empties it.
	rm -f "$BATS_TEST_TMPDIR/port"
	FAKEOR_KEY=$KEY "$FAKEOR" -l "$FAKE_LOG" -s "$FAKE_SCRIPT" "$@" \
	    >"$BATS_TEST_TMPDIR/port" 2>"$BATS_TEST_TMPDIR/fake.err" 3>&- &
	FAKE_PID=$!
	local i port=
	for i in {1..1000}; do
		[ -s "$BATS_TEST_TMPDIR/port" ] && break
		sleep 0.01
	done
	read -r port <"$BATS_TEST_TMPDIR/port" && [ -n "$port" ] ||
	    fail "fake server did not start"
	export OPENROUTER_BASE_URL=http://127.0.0.1:$port
}

fake_stop() {
	[ -n "${FAKE_PID:-}" ] || return 0
	kill "$FAKE_PID" 2>/dev/null || true
	wait "$FAKE_PID" 2>/dev/null || true
	FAKE_PID=
}

# Appends lines to the fake server's script: one per coming request.
fake() {
	printf '%s\n' "$@" >>"$FAKE_SCRIPT"
}

# Waits until FILE has at least N lines, a missing FILE none (at most
# 60 s, however loaded the machine).
wait_lines() {
	local i
	for i in {1..1200}; do
		[ "$(wc -l <"$1" 2>/dev/null || echo 0)" -ge "$2" ] && return 0
		sleep 0.05
	done
	fail "$1 has $(wc -l <"$1" 2>/dev/null || echo 0) lines, never $2"
}

# How many requests the fake server received (for a path).
requests() {
	if [ -s "$FAKE_LOG" ]; then
		jq -s --arg p "${1:-/chat/completions}" \
		    '[.[] | select(.path == $p)] | length' "$FAKE_LOG"
	else
		echo 0
	fi
}

# The body of the Nth request (1-based) the fake server received.
request_body() {
	jq -sc --argjson n "${1:-1}" '.[$n - 1].body' "$FAKE_LOG"
}

# True when running under valgrind or sanitizers, where the heaviest
# tests are slow and measure the instrumentation, not orkit.
instrumented() {
	[ -n "${ORKIT_VALGRIND:-}" ] || [ -n "${ORKIT_SANITIZED:-}" ]
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
