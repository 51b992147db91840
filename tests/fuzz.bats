#!/usr/bin/env bats
# What fuzzing (make fuzz, fuzz/README) found: each input, kept in
# tests/fixtures/fuzz/ and in the targets' seeds, fed to the real tools.
# The ASan pass of make check fails these on a leak; the fuzz-brief
# run of make check replays the same inputs through the targets.

load helper

setup() {
	common_setup
	Z=$FIXTURES/fuzz
	cd "$BATS_TEST_TMPDIR"
}

# libjv 1.6 drops a string that follows a value with no comma, ["a" "b"],
# without freeing it; lib/jvx gives libjv a copy that fails the same way
# with nothing to lose. The messages are libjv's own.
@test "fuzz: a string after a value with no separator is bad_input, libjv's words and column, nothing leaked" {
	run -1 --separate-stderr or-cost --no-generation <"$Z/record-separator.jsonl"
	[ "$(jq -c '[.error.type, .error.line, .error.input]' <<<"$output")" = '["bad_input",1,"{\"a\":\"b\" \"c\":1}"]
["bad_input",2,"[\"a\" \"b\"]"]
["bad_input",3,"[1\"\"]"]
["bad_input",4,"{\"id\":\"x\",\"prompt\":\"hi\" \"model\":\"a/b\"}"]' ]
	how=" (one object per line: jq -c; plain text: jq -cR '{prompt: .}')"
	[ "$stderr" = "or-cost: line 1: not a JSON object or string: Expected separator between values at column 12$how
or-cost: line 2: not a JSON object or string: Expected separator between values at column 8$how
or-cost: line 3: not a JSON object or string: Expected separator between values at column 4$how
or-cost: line 4: not a JSON object or string: Expected separator between values at column 31$how" ]
}

@test "fuzz: a routing table with a missing comma is named, libjv's words and column, nothing leaked" {
	cp "$Z/routes-separator.json" rules.json
	run -2 --separate-stderr or-route --no-history --rules rules.json </dev/null
	[ "$stderr" = "or-route: rules.json: not JSON: Expected separator between values at line 1, column 40" ]
}

# The reader took NULL + 0 before its first read: undefined in C, which
# clang's UBSan reports (gcc's, in the ASan pass, does not); the
# record target's seed crash-empty replays it in fuzz-brief.
@test "fuzz: empty input is no record and no complaint, from each tool that reads records" {
	for t in "or-cost --no-generation" "or-log -d log.db"; do
		run -0 --separate-stderr $t <"$Z/record-empty"
		[ -z "$output" ] && [ -z "$stderr" ] || fail "$t: $output $stderr"
	done
}

# A number past int64_t cast to one is undefined (clang's UBSan stops;
# x86 gives INT64_MIN). The catalog target's crash-huge-number and the
# errbody target's crash-huge-code replay the fuzzers' inputs in
# fuzz-brief; here the tools show such a number as unknown.
@test "fuzz: a catalog's context or created past 64 bits is unknown" {
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$Z/catalog-huge.json" "$XDG_CACHE_HOME/orkit/models.json"
	run -0 or-models -t
	assert_output - <<'OUT'
ID      CONTEXT  $/M IN  $/M OUT  CAPABILITIES
a/huge        -       1        2
a/neg         5       -        -
OUT
	run -0 or-models show a/huge -t
	assert_output - <<'OUT'
id       a/huge
$/M in   1
$/M out  2
OUT
}
