# bash completion for orkit: or-send, or-models, or-route, or-cost, or-log.
#
# make install puts this file in bash-completion's completions directory
# under each tool's name, since bash-completion loads a command's file the
# first time that command is completed; without bash-completion, source it
# from ~/.bashrc. It needs nothing from bash-completion itself.
#
# The flags below are the tools' getopt_long tables, written out again:
# tests/completion.bats fails when a table and this file disagree.
# Model ids come from the catalog cache that or-models keeps, read with
# jq (or, without jq, with or-models --ids, told to take the cache of any
# age): pressing Tab never fetches anything.

# The model ids of the cached catalog, one a line.
_orkit_models()
{
	local cache=${XDG_CACHE_HOME:-$HOME/.cache}/orkit/models.json id

	[ -r "$cache" ] || return 0
	if command -v jq >/dev/null 2>&1; then
		jq -r '.data[]? | .id | strings | select(length > 0)' \
		    "$cache" 2>/dev/null
	else
		or-models --ids --max-age 5200w 2>/dev/null |
		    while IFS= read -r id; do
			[ -z "$id" ] || printf '%s\n' "$id"
		    done
	fi
}

# Sets flags (every flag offered), argflags (those that take a value,
# between spaces) and subs (the subcommands) for a tool and subcommand.
_orkit_spec()
{
	local tool=$1 sub=$2

	subs='' flags='' argflags=''
	case $tool in
	or-send)
		argflags='-m --model -s --system -o --option -P --parallel
		    --retries --rate --fallback --on-402 --budget
		    --budget-unbounded --ledger --min-credits -a --attach
		    --cid'
		flags="$argflags -t --text -j --json -z --null -c --continue
		    --dry-run -v --verbose --unordered --progress
		    --no-progress --stream --reasoning --retry --free
		    --no-budget --budget-shared -h --help -V --version"
		;;
	or-models)
		subs='show endpoints compare'
		argflags='--sort --limit --provider --max-price --min-context
		    --need --modality --search --where --max-age'
		flags="$argflags -t --table -r --reverse --ids --free --paid
		    --refresh -h --help -V --version"
		;;
	or-route)
		subs=suggest
		if [ "$sub" = suggest ]; then
			argflags='-d --db --since --until --limit --max-age'
			flags="$argflags -t --table --refresh -h --help"
		else
			argflags='--task --priority --rules --max-price --need
			    --min-context --modality --fallbacks -d --db
			    --history --max-failure-rate --cool-down --sort
			    --order --only --ignore --data-collection --seed
			    --max-age'
			flags="$argflags --free --no-context --force --auto
			    --no-history --zdr --spread --refresh -h --help
			    -V --version"
		fi
		;;
	or-cost)
		subs=credits
		if [ "$sub" = credits ]; then
			argflags=--min
			flags='--min -h --help'
		else
			argflags='-P --parallel --wait'
			flags="$argflags -s --total -t --table --no-generation
			    --estimate -h --help -V --version"
		fi
		;;
	or-log)
		subs='stats recent search show export sql report prune merge
		    pending cache budget'
		_orkit_log_spec "$sub"
		flags="-d --db $flags $argflags -h --help -V --version"
		argflags="-d --db $argflags"
		;;
	esac
}

# or-log's flags, subcommand by subcommand (its main.c cmds table).
_orkit_log_spec()
{
	case $1 in
	'') flags='--receipt -t --text' ;;
	stats)
		argflags='--by --since --until -m --model --where'
		flags='-t --table --chart' ;;
	recent)
		argflags='-n --count --since --until --sort --cid'
		flags='-t --table' ;;
	search)
		argflags='-n --count'
		flags='-t --table' ;;
	export)
		argflags='--since --until'
		flags='--csv --json --jsonl' ;;
	sql) flags='-t --table --csv --json' ;;
	report)
		argflags='-n --count --since --until'
		flags=--html ;;
	prune)
		argflags=--before
		flags=--vacuum ;;
	pending|cache)
		argflags='--max-age -m --model -s --system -o --option' ;;
	budget)
		argflags='--day --month --budget --warn --config'
		flags='-t --table' ;;
	esac
}

# Candidates for the value of flag $1 (cur is the value typed so far).
_orkit_value()
{
	local tool=$1 flag=$2

	case $tool:$flag in
	or-send:-m|or-send:--model|or-log:-m|or-log:--model)
		_orkit_reply "$(_orkit_models)" ;;
	or-send:--fallback)
		_orkit_list "$(_orkit_models)" ;;
	or-send:--on-402) _orkit_reply free ;;
	or-models:--sort)
		_orkit_reply 'price context created name throughput' ;;
	or-models:--need|or-route:--need)
		_orkit_list 'tools json structured reasoning image file audio
		    video image-out audio-out embeddings cache web' ;;
	or-route:--task)
		_orkit_reply 'auto chat classification code extraction
		    generation reasoning summarization translation vision' ;;
	or-route:--priority) _orkit_reply 'cost speed quality balanced' ;;
	or-route:--sort) _orkit_reply 'price throughput latency' ;;
	or-route:--data-collection) _orkit_reply 'deny allow' ;;
	or-log:--by) _orkit_reply 'model provider job day hour' ;;
	or-log:--sort) _orkit_reply 'cost time latency' ;;
	*:-d|*:--db|*:--rules|*:--ledger|*:--config|or-send:-a|or-send:--attach)
		_orkit_files ;;
	*) COMPREPLY=() ;;
	esac
}

# COMPREPLY: the words of $1 that start with cur (less its head $2, a
# list's items before the one typed), the head put back. Bash replaces
# only the text after the last ':' or '=' of the word (COMP_WORDBREAKS),
# so "qwen/x:fr" gets "free", and what comes before is left off.
_orkit_reply()
{
	local head=${2-} tail=$cur keep w i=0

	[[ ${COMP_WORDBREAKS-:=} == *:* ]] && tail=${tail##*:}
	[[ ${COMP_WORDBREAKS-:=} == *=* ]] && tail=${tail##*=}
	keep=${cur%"$tail"}
	COMPREPLY=()
	for w in $(compgen -W "$1" -- "${cur#"$head"}"); do
		w=$head$w
		COMPREPLY[i++]=${w#"$keep"}
	done
}

# The same for a comma-separated list: the item after the last comma.
_orkit_list()
{
	local head=

	[[ $cur == *,* ]] && head=${cur%,*},
	_orkit_reply "$1" "$head"
}

_orkit_files()
{
	compopt -o filenames 2>/dev/null
	mapfile -t COMPREPLY < <(compgen -f -- "$cur")
}

# Sets words, cword and cur from the line up to the cursor, split at
# blanks only, so a model id with a colon or a --flag=value is one word.
_orkit_words()
{
	local line=${COMP_LINE:0:${COMP_POINT:-${#COMP_LINE}}}

	if [ -z "${COMP_LINE+set}" ]; then
		words=("${COMP_WORDS[@]:0:COMP_CWORD+1}")
	else
		read -ra words <<<"$line"
		case $line in *[[:blank:]]) words+=('') ;; esac
	fi
	cword=$((${#words[@]} - 1))
	cur=${words[cword]}
}

# Whether $1 is one of the words of $2.
_orkit_in()
{
	local w

	for w in $2; do
		[ "$w" = "$1" ] && return 0
	done
	return 1
}

# The subcommand among words 1..cword-1 (flags and their values
# skipped), or nothing; its position in subpos.
_orkit_sub()
{
	local i w skip=''

	sub='' subpos=0
	_orkit_spec "$tool" ''
	for ((i = 1; i < cword; i++)); do
		w=${words[i]}
		if [ -n "$skip" ]; then
			skip=''
		elif [[ $w == -* ]]; then
			_orkit_in "$w" "$argflags" && skip=1
		elif _orkit_in "$w" "$subs"; then
			sub=$w subpos=$i
			return
		fi
	done
}

_orkit()
{
	local tool=${COMP_WORDS[0]##*/} words cword cur prev
	local sub subpos subs flags argflags

	COMPREPLY=()
	_orkit_words
	_orkit_sub
	_orkit_spec "$tool" "$sub"
	prev=${words[cword - 1]}
	if [[ $cur == --*=* ]]; then
		local flag=${cur%%=*}
		cur=${cur#*=}
		_orkit_value "$tool" "$flag"
	elif _orkit_in "$prev" "$argflags"; then
		_orkit_value "$tool" "$prev"
	elif [[ $cur == -* ]]; then
		_orkit_reply "$flags"
	elif [ -z "$sub" ] && [ -n "$subs" ]; then
		_orkit_reply "$subs"
	else
		_orkit_operand
	fi
}

# After a subcommand: the model ids or the file it takes.
_orkit_operand()
{
	case $tool:$sub in
	or-models:compare)
		_orkit_reply "$(_orkit_models)" ;;
	or-models:show|or-models:endpoints)
		_orkit_has_operand || _orkit_reply "$(_orkit_models)" ;;
	or-log:merge)
		_orkit_has_operand || _orkit_files ;;
	esac
}

# Whether a word that is not a flag comes between the subcommand and cur.
_orkit_has_operand()
{
	local i

	for ((i = subpos + 1; i < cword; i++)); do
		[[ ${words[i]} == -* ]] || return 0
	done
	return 1
}

complete -F _orkit or-send or-models or-route or-cost or-log
