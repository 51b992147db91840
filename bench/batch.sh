#!/bin/sh
# make bench, part 2: or-send's batches and streams against the fake server,
# as ratios to the tools people already use.
#  1. BENCH_REQS records through or-send -P BENCH_P, every chat request held
#     BENCH_DELAY_MS by the server: requests a second, the fraction of the
#     ideal P / delay (goal >= 0.9), and or-send's CPU time (user + sys)
#     per request
#  2. the same requests as xargs -P P -n 1 running one curl -s each
#     (BENCH_CURL_REQS of them: a process each is slow on a small VM), and
#     one curl -Z process with P transfers at once, over the same fake
#     (goal: or-send >= 2x curl -Z), and each one's CPU per request
#  3. the same through the official TypeScript SDK (@openrouter/sdk, P
#     chat.send at once), and one call: node bench/sdk.mjs --one versus
#     or-send -t, whole processes
#  4. or-send's peak RSS over BENCH_REQS and over BENCH_RSS_SMALL records
#     (goal <= 10 MB, and flat)
#  5. time to the first text of a streamed answer: or-send --stream -t
#     versus curl -sN (goal: within 1 ms)
# Every counter is an environment variable; the key is never in argv.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
REQS=${BENCH_REQS:-10000}
P=${BENCH_P:-64}
DELAY=${BENCH_DELAY_MS:-20}
CREQS=${BENCH_CURL_REQS:-1000}
SMALL=${BENCH_RSS_SMALL:-1000}
ONE=${BENCH_ONE_N:-10}
TTFB=${BENCH_TTFB_N:-100}
. "$top/bench/lib.sh"

export OPENROUTER_API_KEY=sk-or-v1-bench-key-for-the-fake-server
export HDR=$tmp/hdr
printf 'Authorization: Bearer %s\nContent-Type: application/json\n' \
    "$OPENROUTER_API_KEY" >"$HDR"
# What or-send sends for {"prompt":"Say hi"}; curl and the SDK send the same.
printf '{"messages":[{"role":"user","content":"Say hi"}]}' >"$tmp/body"
printf '{"messages":[{"role":"user","content":"Say hi"}],"stream":true}' \
    >"$tmp/sbody"

# fake [N]: a fresh fake server; with an argument, every chat request is
# held DELAY ms (fakeor -d: no script to read on each request).
fake() {
	if [ $# -gt 0 ]; then
		set -- -d "$DELAY"
	fi
	fake_start "$@"
	curl -s -o /dev/null "$OPENROUTER_BASE_URL/models" || :
}


# rss FILE: the peak RSS /usr/bin/time wrote in FILE, in MB.
rss() { calc %.1f "$(tail -n 1 "$1" | awk '{ print $NF }') / 1024"; }

# A warning line for a tool that did not get every request through.
failed() { echo "  ! $1 exited $2: the figure above counts failures"; }

yes '{"prompt":"Say hi"}' | head -n "$REQS" >"$tmp/in"
yes '{"prompt":"Say hi"}' | head -n "$SMALL" >"$tmp/in-small"
ideal=$(calc %.0f "$P * 1000 / $DELAY")
figure_head "orkit batch bench: $REQS chat requests, $P at a time, the fake server holding each $DELAY ms (ideal $ideal req/s)"

# 1 and 4: or-send's throughput and its peak RSS, in the same run.
timef=/usr/bin/time
[ -x "$timef" ] || timef=
fake "$REQS"
rc=0
t0=$(now_us)
${timef:+$timef -f '%U %S %M' -o "$tmp/rss"} or-send -P "$P" <"$tmp/in" \
    >/dev/null || rc=$?
t1=$(now_us)
os_us=$((t1 - t0))
os_rps=$(calc %.0f "$REQS * 1e6 / $os_us")
figure "or-send -P $P, fraction of ideal" "$(calc %.2f "$os_rps / $ideal")" \
    ">= 0.9"
[ "$rc" = 0 ] || failed or-send "$rc"
[ -z "$timef" ] || cp "$tmp/rss" "$tmp/rss-big"

# 2: one curl per request.  A process costs tens of ms on a small VM, so
# by default this runs BENCH_CURL_REQS of the requests and compares rates.
fake "$CREQS"
rc=0
t0=$(now_us)
yes "$OPENROUTER_BASE_URL/chat/completions" | head -n "$CREQS" |
    xargs -P "$P" -n 1 curl -sf -H @"$HDR" -d @"$tmp/body" >/dev/null ||
    rc=$?
t1=$(now_us)
cu_us=$((t1 - t0))
cu_rps=$(calc %.0f "$CREQS * 1e6 / $cu_us")
[ "$rc" = 0 ] || failed "xargs curl" "$rc"

# What one curl process gets with P transfers at once, over the same
# server on the same machine.
if curl --help all 2>/dev/null | grep -q -- --parallel-max; then
	fake "$REQS"
	awk -v u="$OPENROUTER_BASE_URL/chat/completions" -v n="$REQS" \
	    'BEGIN { for (i = 0; i < n; i++)
		printf "url = \"%s\"\noutput = \"/dev/null\"\n", u }' \
	    >"$tmp/curlrc"
	rc=0
	t0=$(now_us)
	${timef:+$timef -f '%U %S' -o "$tmp/cz-cpu"} \
	    curl -sf -Z --parallel-max "$P" -H @"$HDR" -d @"$tmp/body" \
	    -K "$tmp/curlrc" 2>/dev/null || rc=$?
	t1=$(now_us)
	cz_us=$((t1 - t0))
	cz_rps=$(calc %.0f "$REQS * 1e6 / $cz_us")
	figure "curl -Z -P $P, fraction of ideal" \
	    "$(calc %.2f "$cz_rps / $ideal")"
	figure "or-send -P $P / curl -Z" "$(calc %.2f "$os_rps / $cz_rps")" \
	    ">= 2"
	[ "$rc" = 0 ] || failed "curl -Z" "$rc"
else
	echo "curl -Z: skipped, this curl has no --parallel-max"
fi
# CPU per request: what a fast enough server leaves to tell the two apart.
cpu_us() { awk -v n="$REQS" '{ v = ($1 + $2) * 1e6 / n } END { printf "%.0f", v }' "$1"; }
if [ -n "$timef" ]; then
	figure "or-send -P $P, CPU per request" "$(cpu_us "$tmp/rss-big") us"
	if [ -s "$tmp/cz-cpu" ]; then
		figure "curl -Z -P $P, CPU per request" \
		    "$(cpu_us "$tmp/cz-cpu") us"
		figure "curl -Z CPU / or-send CPU, per request" \
		    "$(calc %.2f "$(cpu_us "$tmp/cz-cpu") / $(cpu_us "$tmp/rss-big")")"
	fi
fi
figure "or-send -P $P, requests a second" "$os_rps"
figure "xargs curl, requests a second" "$cu_rps"
figure "or-send -P $P / xargs curl" "$(calc %.2f "$os_rps / $cu_rps")"

# 3: the official TypeScript SDK, installed into bench/node_modules.
sdk=
to=
command -v timeout >/dev/null 2>&1 && to="timeout 180"
if ! command -v node >/dev/null 2>&1; then
	sdk="node is not installed"
elif [ ! -f "$top/bench/node_modules/@openrouter/sdk/package.json" ]; then
	if ! command -v npm >/dev/null 2>&1; then
		sdk="npm is not installed"
	elif ! (cd "$top/bench" && $to npm install --no-audit --no-fund \
	    --loglevel=error) >"$tmp/npm.log" 2>&1; then
		sdk="npm install failed (no network?): $(grep -m 1 . "$tmp/npm.log" || :)"
	fi
fi
if [ -n "$sdk" ]; then
	echo "@openrouter/sdk: skipped, $sdk"
else
	fake "$REQS"
	rc=0
	t0=$(now_us)
	node "$top/bench/sdk.mjs" "$REQS" "$P" 2>"$tmp/sdk.err" || rc=$?
	t1=$(now_us)
	sdk_us=$((t1 - t0))
	figure "or-send -P $P / node sdk, $P at once" \
	    "$(calc %.2f "$sdk_us / $os_us")"
	[ "$rc" = 0 ] || { failed sdk.mjs "$rc"; sed 's/^/  /' "$tmp/sdk.err"; }
fi

# From here on the fake server answers at once.
fake

# mean_us N CMD: mean wall time of one run of a shell command.
mean_us() {
	t0=$(now_us)
	i=0
	while [ $i -lt "$1" ]; do
		sh -c "$2" </dev/null >/dev/null 2>&1
		i=$((i + 1))
	done
	t1=$(now_us)
	echo $(((t1 - t0) / $1))
}
if [ -z "$sdk" ]; then
	a=$(mean_us "$ONE" 'or-send -t "Say hi"')
	b=$(mean_us "$ONE" "node '$top/bench/sdk.mjs' --one")
	figure "or-send -t / node sdk.mjs --one" "$(calc %.3f "$a / $b")"
fi

# 4, continued: over fewer records.
if [ -n "$timef" ]; then
	fake "$SMALL"
	rc=0
	$timef -f %M -o "$tmp/rss" or-send -P "$P" <"$tmp/in-small" \
	    >/dev/null || rc=$?
	big=$(rss "$tmp/rss-big") small=$(rss "$tmp/rss")
	figure "or-send peak RSS, $REQS records" "$big MB" "<= 10 MB"
	figure "or-send peak RSS, $REQS / $SMALL records" \
	    "$(calc %.2f "$big / $small")"
	[ "$rc" = 0 ] || failed or-send "$rc"
	fake
else
	echo "peak RSS: skipped, no /usr/bin/time"
fi

# 5: the first text of a streamed answer, both measured by bench/ttfb.pl.
r=
if ! perl -MTime::HiRes -e 1 2>/dev/null; then
	echo "first text: skipped, no perl with Time::HiRes"
elif ! r=$(perl "$top/bench/ttfb.pl" "$TTFB" \
    text or-send --stream -t "Say hi" -- \
    sse curl -sN -H @"$HDR" -d @"$tmp/sbody" \
    "$OPENROUTER_BASE_URL/chat/completions" </dev/null 2>"$tmp/ttfb.err"); then
	echo "first text: failed, $(tail -n 1 "$tmp/ttfb.err")"
else
	set -- $r
	figure "first text, or-send - curl -sN" \
	    "$(calc %+.2f "($1 - $2) / 1000") ms" "within 1 ms"
	figure "first text, its spread" "$(calc %.2f "$3 / 1000") ms"
fi
