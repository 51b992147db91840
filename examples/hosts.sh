#!/bin/bash
# hosts.sh: one batch spread over several machines with GNU parallel,
# and their logs brought back into this one's with or-log merge.
#
#   HOSTS=build1,build2 hosts.sh < jobs.jsonl > answers.jsonl
#
# Each host needs orkit on its PATH and a key of its own in
# ~/.config/orkit/key (mode 0600): the key is not sent along, since
# parallel --env would put it in ssh's command line, where ps shows it.
# parallel cuts the records into blocks of BLOCK lines (--pipe) and
# pipes each block through `or-send | or-log` on the next free host
# (4/build1: four blocks at once there); --keep-order writes the
# answers in the order of the jobs. Each host logs its part to a
# database of this batch's own; once all are done, each one is
# fetched over ssh, merged into this machine's log (or-log merge skips
# what it holds already, so a second run adds nothing twice), and
# removed from its host.

set -u -o pipefail

HOSTS=${HOSTS:?HOSTS=host1,host2,... (parallel --sshlogin)}
SSH=${SSH:-ssh}		# parallel --ssh: the command that logs in
BLOCK=${BLOCK:-100}	# records a block
PARALLEL=${PARALLEL:-parallel}
batch=orkit-batch-$(date -u +%Y%m%dT%H%M%S)-$$.db

# -P 8 inside a block; each host's log in $batch, relative to its home.
$PARALLEL --will-cite --ssh "$SSH" --sshlogin "$HOSTS" --pipe -N "$BLOCK" \
    --keep-order "or-send -P 8 | or-log -d $batch"
status=$?

tmp=$(mktemp -d) || exit 2
trap 'rm -rf "$tmp"' EXIT
for login in ${HOSTS//,/ }; do
	host=${login#*/}	# "4/build1": build1
	# a host that got no block has no log: nothing to merge
	$SSH "$host" "test -f $batch && cat $batch" >"$tmp/part.db" ||
	    continue
	or-log merge "$tmp/part.db" || status=1
	$SSH "$host" "rm -f $batch" || true
done
exit "$status"
