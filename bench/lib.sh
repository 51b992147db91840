# bench/lib.sh: what make bench's scripts and make demo share. Sourced
# after `set -eu` and with $top set to the checkout: puts bin/ first in
# PATH, makes $tmp (removed on exit, with any fake server still running).

PATH=$top/bin:$PATH
tmp=$(mktemp -d)
pid=
cleanup() {
	fake_stop
	rm -rf "$tmp"
}
trap cleanup EXIT INT TERM

# fake_start [FAKEOR-OPTION ...]: a fresh fake server, keyed with
# $OPENROUTER_API_KEY, at $OPENROUTER_BASE_URL; its stderr in $tmp/fake.err.
fake_start() {
	fake_stop
	: >"$tmp/port"
	FAKEOR_KEY=$OPENROUTER_API_KEY "$top/tests/fake/fakeor" "$@" \
	    >"$tmp/port" 2>"$tmp/fake.err" &
	pid=$!
	while [ ! -s "$tmp/port" ]; do
		kill -0 "$pid" 2>/dev/null || {
			cat "$tmp/fake.err" >&2
			echo "fakeor did not start" >&2
			exit 1
		}
		sleep 0.05
	done
	export OPENROUTER_BASE_URL=http://127.0.0.1:$(cat "$tmp/port")
}

fake_stop() {
	if [ -n "$pid" ]; then
		kill "$pid" 2>/dev/null || :
		wait "$pid" 2>/dev/null || :
		pid=
	fi
}

# mean_us CMD: the mean wall time of $N runs of sh -c CMD, in microseconds.
mean_us() {
	t0=$(date +%s%N)
	i=0
	while [ $i -lt "$N" ]; do
		sh -c "$1" </dev/null >/dev/null 2>&1
		i=$((i + 1))
	done
	t1=$(date +%s%N)
	echo $(((t1 - t0) / N / 1000))
}

ratio() {
	awk -v a="$1" -v b="$2" 'BEGIN { printf "%.2f", a / b }'
}

now_us() { echo $(($(date +%s%N) / 1000)); }

# calc FORMAT EXPR: awk's arithmetic, printed with FORMAT.
calc() { awk "BEGIN { printf \"$1\", $2 }"; }

# The table every bench script prints: one row a figure, with its value
# (unit included), its goal ("-" when it has none) and its value in the
# last recorded run, from bench/previous.tsv (name TAB value; "-" when the
# figure is new).  Update that file by hand when a change moves a figure.
previous() {
	awk -F '\t' -v n="$1" '$1 == n { v = $2 }
	    END { print (v == "" ? "-" : v) }' "$top/bench/previous.tsv"
}

# figure_head TITLE: a section's title, then the table's column names.
figure_head() {
	echo "$1"
	printf '  %-44s %14s  %-10s %s\n' figure value goal previous
}

# figure NAME VALUE [GOAL]: one row.
figure() {
	printf '  %-44s %14s  %-10s %s\n' "$1" "$2" "${3:--}" "$(previous "$1")"
}
