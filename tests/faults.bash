# The fault matrix's one table, shared by tests/faults.bats (server and
# input faults) and tests/faults-proc.bats (process and storage faults):
# fault, records in, records out, rows stored, requests the server
# received, and the exit status of each stage joined with '|'.
#
# Under tests/run, which sets FAULT_TABLE, both files add their rows to
# that file and tests/run prints the table once, after every test has
# run, in the tests' own order (bats --jobs ends them in any order).
# Under bare bats, each file prints its own rows when it is done.

fault_table() {
	echo "${FAULT_TABLE:-$BATS_FILE_TMPDIR/table}"
}

# Adds the row NAME IN OUT ROWS REQUESTS EXIT, keyed by the test's file
# and number so that the table can be put back in order.
fault_row() {
	printf '%s\t%04d\t%s\t%s\t%s\t%s\t%s\t%s\n' \
	    "${BATS_TEST_FILENAME##*/}" "$BATS_TEST_NUMBER" "$@" \
	    >>"$(fault_table)"
}

# Prints the table FILE (stdin when none) under its heading: no fault,
# then the server and input faults (faults.bats), then process and
# storage (faults-proc.bats), as the issue lists the matrix.
fault_table_print() {
	local fmt='%-52s %6s %6s %6s %8s  %s\n'
	printf "$fmt" fault in out rows requests exit
	sort -t $'\t' -k1,1r -k2,2n "$@" | awk -F '\t' -v fmt="$fmt" '
	    { r = sprintf(fmt, $3, $4, $5, $6, $7, $8) }
	    $3 ~ /^none/ { printf "%s", r; next }
	    { rest = rest r }
	    END { printf "%s", rest }'
}

setup_file() {
	[ -n "${FAULT_TABLE:-}" ] || : >"$(fault_table)"
}

teardown_file() {
	[ -z "${FAULT_TABLE:-}" ] && [ -s "$(fault_table)" ] || return 0
	fault_table_print "$(fault_table)" >&3
}
