#!/bin/sh
# run.sh BIN NAME SECONDS: one fuzz target over a scratch copy of its
# seeds (build/fuzz/run/NAME; the repository's corpus is not written),
# for SECONDS after the seeds.  Says libFuzzer's tally ("Done N runs in
# S second(s)"); on a crash, leak or timeout, the end of its log and
# where the input was saved, and exits 1.
set -u
bin=$1 t=$2 secs=$3
d=${FUZZ_RUN:-build/fuzz/run}/$t
rm -rf "$d" && mkdir -p "$d/corpus" || exit 1
cp fuzz/corpus/"$t"/* "$d/corpus/" || exit 1
set -- -max_total_time="$secs" -timeout=10 -close_fd_mask=3 \
    -print_final_stats=1 -artifact_prefix="$d/"
[ -f fuzz/"$t".dict ] && set -- "$@" -dict=fuzz/"$t".dict
if "$bin/$t" "$@" "$d/corpus" >"$d/log" 2>&1; then
	printf 'fuzz %s: %s\n' "$t" "$(grep '^Done ' "$d/log")"
else
	tail -n 60 "$d/log"
	echo "fuzz $t: FAILED; its log and input are in $d" >&2
	exit 1
fi
