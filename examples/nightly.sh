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
# mails TO what was left and exits 3 too. A job whose cost no budget can
# bound (a model the catalog does not price) is refused the same way,
# and the mail says so, with or-send's words. Any other failure exits
# with or-send's or or-log's status, for cron to mail its output.
#
# The model: a job's own "model", else MODEL (or-send -m), else
# ORKIT_MODEL, else the "model" of config.json (orkit(7)). Cron sets
# none of them: a job left with no model is refused before anything is
# sent (exit 2, one line), as a budget could not bound its cost.

set -u -o pipefail

ORKIT_BIN=${ORKIT_BIN:-/usr/local/bin}
JOBS=${JOBS:-$HOME/orkit/nightly.jsonl}
OUT=${OUT:-$HOME/orkit/nightly}
DAILY_USD=${DAILY_USD:-2}
MODEL=${MODEL:-}
TO=${TO:-$(id -un)}
MAIL=${MAIL:-mail}	# mail(1) from bsd-mailx or mailutils

PATH=$ORKIT_BIN:/usr/bin:/bin:$PATH
# The key: OPENROUTER_API_KEY, or ~/.config/orkit/key (mode 0600),
# which or-send reads by itself; cron's environment has no key.

day=$(date -u +%F)
mkdir -p "$OUT" || exit 2
out=$OUT/$day.jsonl

if [ -s "$out" ]; then in=$out; else in=$JOBS; fi

# Every job to be sent needs a model. or-send --dry-run builds each
# request as the real run will (MODEL, ORKIT_MODEL, config.json and its
# aliases), sending nothing; a request with no model would be refused
# by the budget, and mailed about as if the budget were spent.
or-send --dry-run --retry ${MODEL:+-m "$MODEL"} <"$in" >"$out.dry" \
    2>"$out.why"
dry=$?
if [ "$dry" -ge 2 ]; then
	cat "$out.why" >&2
	rm -f "$out.dry" "$out.why"
	exit "$dry"
fi
unnamed=$(jq -r 'select(.request != null and
    (.request.model // .request.models) == null) | .id // "line \(.line)"' \
    "$out.dry")
rm -f "$out.dry" "$out.why"
if [ -n "$unnamed" ]; then
	n=$(printf '%s\n' "$unnamed" | wc -l)
	some=$(printf '%s\n' "$unnamed" | head -n 5 | paste -sd' ')
	[ "$n" -le 5 ] || some="$some ..."
	if [ "$n" -eq 1 ]; then jobs="1 job names"; else jobs="$n jobs name"; fi
	echo "nightly.sh: $jobs no model ($some): set MODEL or" \
	    "ORKIT_MODEL, or \"model\" in config.json (orkit(7)), or give" \
	    "each job its \"model\"" >&2
	exit 2
fi

# --retry: a re-run the same night sends again only what failed and
# could work; what was answered goes through unsent. The status is
# or-send's, else or-log's: pipefail would give the last that failed,
# or-log's 1 for the records a budget left unsent, not or-send's 3.
or-send --retry -P 4 --budget "day=$DAILY_USD" ${MODEL:+-m "$MODEL"} \
    <"$in" | or-log >"$out.tmp"
st=("${PIPESTATUS[@]}")
status=${st[0]}
[ "$status" -ne 0 ] || status=${st[1]}
[ -s "$out.tmp" ] && mv "$out.tmp" "$out"
rm -f "$out.tmp"

# Exit 3: records refused by a budget. One with a limit crossed names
# it in error.limit; one whose cost could not be bounded has none, and
# is no sign that the budget was spent: the mail says which, and quotes
# or-send.
if [ "$status" -eq 3 ]; then
	left=$(jq -r 'select(.error.type == "budget_exceeded") | .id' "$out")
	crossed=$(jq -c 'select(.error.type == "budget_exceeded" and
	    .error.limit != null)' "$out" | wc -l)
	unbounded=$(jq -c 'select(.error.type == "budget_exceeded" and
	    .error.limit == null)' "$out" | wc -l)
	if [ "$crossed" -gt 0 ]; then
		subject="budget reached"
	else
		subject="$unbounded job$([ "$unbounded" -eq 1 ] || echo s) not sent"
	fi
	{
		[ "$crossed" -eq 0 ] ||
		    echo "The day's budget of \$$DAILY_USD stopped the nightly batch."
		if [ "$unbounded" -gt 0 ]; then
			echo "or-send sent no request for $unbounded job$(
			    [ "$unbounded" -eq 1 ] || echo s) whose cost no" \
			    "budget can bound; it said:"
			jq -r 'select(.error.type == "budget_exceeded" and
			    .error.limit == null) | "  " + .error.message' \
			    "$out" | sort -u
		fi
		echo "Answered: $(jq -c 'select(.response)' "$out" | wc -l)"
		echo "Left unsent: $(printf '%s\n' "$left" | grep -c .)"
		echo
		or-log stats --since "$day" -t
		echo
		echo "Unsent jobs:"
		printf '%s\n' "$left"
	} | "$MAIL" -s "orkit nightly $day: $subject" "$TO"
fi
exit "$status"
