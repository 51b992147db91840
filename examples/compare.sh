#!/bin/bash
# compare.sh: one prompt to three models, their time, tokens and cost
# side by side.
#
#   compare.sh "Explain a B-tree in two sentences"
#   compare.sh @question.txt        # the prompt from a file
#   MODELS="openai/gpt-4o-mini openai/gpt-4o" compare.sh "..."
#
# or-send -m, given more than once, sends the prompt to each model (the
# job ids suffixed with the model); or-cost adds what each cost; the
# records go to a log of their own (DB), so the table compares these
# answers only, and each answer is printed under its model's name.
# Run it again with the same DB to add a round: the table then holds
# every round, each model's mean and percentiles over them.

set -u -o pipefail

MODELS=${MODELS:-openai/gpt-4o-mini anthropic/claude-3.5-haiku \
    mistralai/devstral-small}
DB=${DB:-compare.db}

[ $# -eq 1 ] || { echo "usage: compare.sh prompt | @file" >&2; exit 2; }
m=()
for model in $MODELS; do m+=(-m "$model"); done

# </dev/null: with a prompt as argument, or-send reads stdin as a
# document to send after it; here there is none.
or-send "${m[@]}" "$1" </dev/null | or-cost | or-log -d "$DB" |
    jq -r '"== \(.send.model // .model) ==",
	(.response.choices[0].message.content
	    // "(failed: \(.error.message))"), ""'
status=("${PIPESTATUS[@]}")
or-log -d "$DB" stats --by model -t
for s in "${status[@]}"; do [ "$s" -eq 0 ] || exit "$s"; done
