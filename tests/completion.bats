#!/usr/bin/env bats
# Shell completion: the bash function driven as bash drives it, and both
# completions checked against the tools' getopt_long tables.

load helper

TOOLS="or-send or-models or-route or-cost or-log"

setup() {
	common_setup
	mkdir -p "$XDG_CACHE_HOME/orkit"
	cp "$FIXTURES/models-2026.json" "$XDG_CACHE_HOME/orkit/models.json"
	# shellcheck source=../completion/orkit.bash
	source "$TOP/completion/orkit.bash"
}

# Completes LINE as bash would with the cursor at its end: COMP_LINE,
# COMP_POINT, and COMP_WORDS split at blanks and at ':' and '=' (bash's
# COMP_WORDBREAKS); prints COMPREPLY, one a line.
comp() {
	local line=$1
	COMP_LINE=$line COMP_POINT=${#line}
	read -ra COMP_WORDS <<<"$(sed 's/[:=]/ & /g' <<<"$line")"
	case $line in *[[:blank:]:=]) COMP_WORDS+=('') ;; esac
	COMP_CWORD=$((${#COMP_WORDS[@]} - 1))
	COMPREPLY=()
	_orkit
	[ "${#COMPREPLY[@]}" -eq 0 ] || printf '%s\n' "${COMPREPLY[@]}"
}

# Every flag the bash completion offers for a tool, under every
# subcommand and under none, sorted.
offered() {
	local sub
	{
		comp "$1 -"
		for sub in $(comp "$1 "); do
			comp "$1 $sub -"
		done
	} | sort -u
}

@test "bash: every flag of every getopt_long table is offered, and no other" {
	local t
	for t in $TOOLS; do
		diff <(offered "$t") <({ table_longs "$t"; table_shorts "$t"; } | sort -u) ||
		    fail "$t: < offered by completion/orkit.bash, > in cmd/$t"
	done
	# the tables were read: or-send has some two dozen long options
	[ "$(table_longs or-send | wc -l)" -ge 20 ]
}

@test "zsh: every long option of every table is offered, and no other" {
	local t fn
	for t in $TOOLS; do
		fn=_or_${t#or-}
		diff <(awk -v f="$fn() {" '$0 == f { on = 1 } on { print } on && /^}/ { exit }' \
		    "$TOP/completion/_orkit" | grep -oE -- '--[a-z0-9][a-z0-9-]*' | sort -u) \
		    <(table_longs "$t") || fail "$t: < offered by completion/_orkit, > in cmd/$t"
	done
}

@test "bash: a flag from its start; only the subcommand's flags after it" {
	run -0 comp "or-models --p"
	assert_output $'--provider\n--paid'
	run -0 comp "or-cost --no"
	assert_output --no-generation
	run -0 comp "or-log stats --"
	assert_output $'--db\n--table\n--chart\n--by\n--since\n--until\n--model\n--where\n--help\n--version'
	run -0 comp "or-log -d my.db export --"
	assert_output $'--db\n--csv\n--json\n--jsonl\n--since\n--until\n--help\n--version'
	run -0 comp "or-route suggest --s"
	assert_output --since
	run -0 comp "or-cost credits -"
	assert_output $'--min\n-h\n--help'
}

@test "bash: subcommands, and none once one is given" {
	run -0 comp "or-log "
	assert_output $'stats\nrecent\nsearch\nshow\nexport\nsql\nreport\nprune\nmerge\npending\ncache\nbudget'
	run -0 comp "or-log -d my.db st"
	assert_output stats
	run -0 comp "or-models "
	assert_output $'show\nendpoints\ncompare'
	run -0 comp "or-route s"
	assert_output suggest
	run -0 comp "or-cost cr"
	assert_output credits
	run -0 comp "or-cost credits "
	assert_output ''
	# a flag's value is not taken for a subcommand
	run -0 comp "or-log --db stats "
	assert_output $'stats\nrecent\nsearch\nshow\nexport\nsql\nreport\nprune\nmerge\npending\ncache\nbudget'
}

@test "bash: model ids from the cached catalog after -m, --model and --fallback" {
	run -0 comp "or-send -m anth"
	assert_output anthropic/claude-sonnet-4.5
	run -0 comp "or-send --model=openai/gpt-"
	assert_output $'openai/gpt-5-mini\nopenai/gpt-4o-mini-tts'
	run -0 comp "or-send -t --model "
	[ "$output" = "$(jq -r '.data[].id | strings | select(length > 0)' "$FIXTURES/models-2026.json")" ]
	# bash replaces only what follows the colon
	run -0 comp "or-send -m qwen/qwen3-coder:f"
	assert_output free
	run -0 comp "or-send -m qwen/qwen3-coder:"
	assert_output free
	# a list: the item after the last comma, the items before kept
	run -0 comp "or-send --fallback openai/gpt-5-mini,anth"
	assert_output openai/gpt-5-mini,anthropic/claude-sonnet-4.5
	run -0 comp "or-log stats --model mistral"
	assert_output mistralai/pixtral-legacy
	run -0 comp "or-log recent --sort l"
	assert_output latency
}

@test "bash: model ids for or-models show, endpoints (one) and compare (many)" {
	run -0 comp "or-models show ~"
	assert_output '~anthropic/claude-sonnet-latest'
	run -0 comp "or-models show openai/gpt-5-mini "
	assert_output ''
	run -0 comp "or-models -t endpoints goo"
	assert_output google/gemini-2.5-flash-image
	run -0 comp "or-models compare openai/gpt-5-mini qwen/"
	assert_output qwen/qwen3-coder:free
}

@test "bash: without jq, or-models --ids reads the cache, however old, and fetches nothing" {
	fake_start
	touch -d '2 years ago' "$XDG_CACHE_HOME/orkit/models.json"
	mkdir "$BATS_TEST_TMPDIR/bin"
	ln -s "$(command -v or-models)" "$(command -v sed)" "$BATS_TEST_TMPDIR/bin"
	PATH=$BATS_TEST_TMPDIR/bin run -0 comp "or-send -m anth"
	assert_output anthropic/claude-sonnet-4.5
	[ "$(requests /models)" -eq 0 ]
	fake_stop
}

@test "bash: no cache, no ids and no request; values and files for other flags" {
	rm "$XDG_CACHE_HOME/orkit/models.json"
	run -0 comp "or-send -m "
	assert_output ''
	run -0 comp "or-models --sort t"
	assert_output throughput
	run -0 comp "or-route --priority "
	assert_output $'cost\nspeed\nquality\nbalanced'
	run -0 comp "or-models --need tools,js"
	assert_output tools,json
	cd "$BATS_TEST_TMPDIR"
	touch other.db
	run -0 comp "or-log merge oth"
	assert_output other.db
	run -0 comp "or-route --rules oth"
	assert_output other.db
	run -0 comp "or-send -a oth"
	assert_output other.db
}
