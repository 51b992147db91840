#!/bin/bash
# nightly.sh: a night's batch under a budget, mailed about when the
# budget stops it. From cron, which gives no terminal, a short PATH and
# no profile, so every path is a variable with an absolute default:
#
#   MAILTO=""
#   30 2 * * * /usr/local/share/doc/orkit/examples/nightly.sh
#
# JOBS holds one record a line ({"id":..., "prompt":...}); the answers
# go to OUT/DATE.jsonl and to or-log's log. The budget is or-send's
# --budget: once the day's spend (the log's, and this run's) would pass
# DAILY_USD, or-send starts no more requests, writes the rest out
# unsent with a budget_exceeded error and exits 3; then this script
# mails TO what was left and exits 3 too. Any other failure exits with
# or-send's or or-log's status, for cron to mail its output.

set -u -o pipefail

ORKIT_BIN=${ORKIT_BIN:-/usr/local/bin}
JOBS=${JOBS:-$HOME/orkit/nightly.jsonl}
OUT=${OUT:-$HOME/orkit/nightly}
DAILY_USD=${DAILY_USD:-2}
TO=${TO:-$(id -un)}
MAIL=${MAIL:-mail}	# mail(1) from bsd-mailx or mailutils

PATH=$ORKIT_BIN:/usr/bin:/bin:$PATH
# The key: OPENROUTER_API_KEY, or ~/.config/orkit/key (mode 0600),
# which or-send reads by itself; cron's environment has no key.

day=$(date -u +%F)
mkdir -p "$OUT" || exit 2
out=$OUT/$day.jsonl

# --retry: a re-run the same night sends again only what failed and
# could work; what was answered goes through unsent. The status is
# or-send's, else or-log's: pipefail would give the last that failed,
# or-log's 1 for the records a budget left unsent, not or-send's 3.
if [ -s "$out" ]; then in=$out; else in=$JOBS; fi
or-send --retry -P 4 --budget "day=$DAILY_USD" <"$in" | or-log >"$out.tmp"
st=("${PIPESTATUS[@]}")
status=${st[0]}
[ "$status" -ne 0 ] || status=${st[1]}
[ -s "$out.tmp" ] && mv "$out.tmp" "$out"
rm -f "$out.tmp"

if [ "$status" -eq 3 ]; then
	left=$(jq -r 'select(.error.type == "budget_exceeded") | .id' "$out")
	{
		echo "The day's budget of \$$DAILY_USD stopped the nightly batch."
		echo "Answered: $(jq -c 'select(.response)' "$out" | wc -l)"
		echo "Left unsent: $(printf '%s\n' "$left" | grep -c .)"
		echo
		or-log stats --since "$day" -t
		echo
		echo "Unsent jobs:"
		printf '%s\n' "$left"
	} | "$MAIL" -s "orkit nightly $day: budget reached" "$TO"
fi
exit "$status"
