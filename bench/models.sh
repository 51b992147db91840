#!/bin/sh
# make bench, part 3: or-models against jq over the same cached catalog.
#  1. each filter of or-models versus the jq program that prints the same
#     models, both reading tests/fixtures/models.json (321 models, 400 KB)
#     as the cache (goal: or-models <= 0.5 of jq's time)
#  2. startup with a warm cache: or-models --limit 0 (reads and parses the
#     whole catalog, prints nothing) versus jq -n 1 and or-models --version
# Whole processes, each through sh -c, BENCH_MODELS_N runs each (default
# 30). No server: the cache is fresh, and the API's address is a closed
# port, so a request would show as a failure, not as time.
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
N=${BENCH_MODELS_N:-30}
. "$top/bench/lib.sh"

export XDG_CACHE_HOME=$tmp/cache OPENROUTER_BASE_URL=http://127.0.0.1:1
unset OPENROUTER_API_KEY
mkdir -p "$XDG_CACHE_HOME/orkit"
export C=$XDG_CACHE_HOME/orkit/models.json
cp "$top/tests/fixtures/models.json" "$C"

# One filter: both sides must print the same ids, or a line says so.
row() {
	label="or-models $1 / jq" om=$2 jqp=$3
	same=yes
	a=$(sh -c "or-models $om --ids" | md5sum)
	b=$(jq -r "$jqp | .id" "$C" | md5sum)
	[ "$a" = "$b" ] || same=NO
	t_or=$(mean_us "or-models $om")
	t_jq=$(mean_us "jq -c '$jqp' \"\$C\"")
	figure "$label" "$(ratio "$t_or" "$t_jq")" "<= 0.50"
	[ "$same" = yes ] || echo "  ! $label: not the same ids as jq"
}

TOOLS='any(.supported_parameters[]; . == "tools")'
JSON='any(.supported_parameters[]; . == "response_format" or . == "structured_outputs")'
P='(.pricing.prompt | tonumber)'
Q='(.pricing.completion | tonumber)'

figure_head "or-models bench: $N runs each, mean wall time per run, over the cached catalog ($(jq '.data | length' "$C") models)"
row "(all)" "" '.data[]'
row "--provider" "--provider anthropic" \
    '.data[] | select(.id | startswith("anthropic/"))'
row "--free" "--free" \
    '.data[] | select((.pricing.prompt == "0" and .pricing.completion == "0") or (.id | endswith(":free")))'
row "--max-price" "--max-price 1/5" \
    ".data[] | select($P >= 0 and $Q >= 0 and $P * 1e6 <= 1 + 1e-9 and $Q * 1e6 <= 5 + 1e-9)"
row "--min-context" "--min-context 100k" \
    '.data[] | select(.context_length >= 100000)'
row "--need" "--need tools,json" \
    ".data[] | select($TOOLS and $JSON)"
row "--modality" "--modality text+image-\\>text" \
    '.data[] | select(any(.architecture.input_modalities[]; . == "image") and any(.architecture.input_modalities[]; . == "text") and any(.architecture.output_modalities[]; . == "text"))'
row "--search" "--search claude" \
    '.data[] | select([.id, .name, .description] | map(ascii_downcase) | any(contains("claude")))'
row "--where" "--where '.context_length > 100000'" \
    '.data[] | select(.context_length > 100000)'
row "--sort price --limit 3" "--sort price --limit 3" \
    ".data | map(select($P >= 0 and $Q >= 0)) | sort_by(($P * 3 + $Q) / 4, .id) | .[:3][]"
row "combined" "--need tools,json --min-context 100000 --sort price --limit 3" \
    ".data | map(select($TOOLS and $JSON and .context_length >= 100000 and $P >= 0 and $Q >= 0)) | sort_by(($P * 3 + $Q) / 4, .id) | .[:3][]"
row "show ID" "show anthropic/claude-sonnet-4" \
    '.data[] | select(.id == "anthropic/claude-sonnet-4")'

t_warm=$(mean_us "or-models --limit 0")
t_ver=$(mean_us "or-models --version")
t_jq=$(mean_us "jq -n 1")
t_sh=$(mean_us ":")
figure "or-models --limit 0, warm" "$t_warm us"
figure "or-models --version, models bench" "$t_ver us"
figure "jq -n 1, models bench" "$t_jq us"
figure "sh -c :, the shell alone" "$t_sh us"
figure "or-models warm start / jq -n 1" "$(ratio "$t_warm" "$t_jq")"
