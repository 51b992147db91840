#!/bin/sh
# bench/route-same.sh REF: or-route in bin/ against a reference build REF
# (another checkout's bin/or-route), over a varied corpus of records and
# each flag set below: stdout, stderr and the exit status must be the
# same, byte for byte. For a change that makes or-route faster, not
# different. BENCH_SAME_N records of each of seven kinds (default 3,000).
set -eu
top=$(cd "$(dirname "$0")/.." && pwd)
ref=${1:?usage: bench/route-same.sh REF-OR-ROUTE}
N=${BENCH_SAME_N:-3000}
. "$top/bench/lib.sh"

export XDG_CACHE_HOME=$tmp/cache XDG_CONFIG_HOME=$tmp/config
export ORKIT_DATADIR=$top/share/orkit
unset ORKIT_DB OPENROUTER_API_KEY
mkdir -p "$XDG_CACHE_HOME/orkit"
cp "$top/tests/fixtures/models.json" "$XDG_CACHE_HOME/orkit/models.json"

# The corpus: every task (auto and an unknown one among them), every
# priority, shorthands and messages, parts, images, tools, formats,
# output bounds, long prompts, named models, errors, lines that are
# not records, and keys written with escapes.
jq -nc --argjson n "$N" '
  def prios: ["cost", "speed", "quality", "balanced"];
  def tasks: [null, "chat", "code", "extraction", "classification",
      "generation", "summarization", "reasoning", "translation",
      "vision", "auto", "", "nosuch"];
  def words: ["translate this", "write a poem", "```c\nint x;```",
      "summarize it", "prove it step by step", "extract the fields",
      "classify the sentiment", "plain question", "def f(): pass",
      "Fix this BUG", "tl;dr", "übersetze"];
  range($n) as $i
  | (prios[$i % 4]) as $p | (tasks[$i % 13]) as $t
  | (words[$i % 12]) as $w
  | ({id: $i, prompt: "question \($i) about \($w) t\($i % 97)"}
     + (if $i % 5 then {priority: $p} else {} end)
     + (if $t != null then {task: $t} else {} end)),
    ({id: "m\($i)", messages: ([{role: "user", content: "\($w) \($i)"}]
       + (if $i % 3 == 0 then [{role: "system", content: "be brief"}]
          else [] end)), priority: $p}
     + (if $i % 7 == 0 then {max_tokens: ($i * 13 % 5000)} else {} end)
     + (if $t != null then {task: $t} else {} end)),
    ({prompt: [{type: "text", text: "what is in \($i)"},
       {type: "image_url", image_url: {url: "https://x/\($i).png"}}],
      task: (if $i % 2 then "auto" else "vision" end), priority: $p}),
    ({system: "sys \($i % 9)", prompt: "q\($i)",
      max_completion_tokens: ($i % 4000), tools: (if $i % 3 == 0 then
      [{type: "function", function: {name: "f\($i % 5)",
       parameters: {type: "object"}}}] else null end),
      response_format: (if $i % 4 == 0 then {type: "json_object"}
      else null end), priority: $p}),
    ({messages: [{role: "user", content: [{type: "text",
       text: "cache me \($i)", cache_control: {type: "ephemeral"}}]}],
      priority: $p, max_tokens: (if $i % 2 then 100 else "100" end)}),
    ({id: $i, prompt: "line\n\"\($w)\" \u00e9 \($i % 50)"}
     + (if $i % 3 == 0 then {system: "you are \\ \($i % 7)"} else {} end)
     + (if $i % 4 == 0 then {max_tokens: ([0, 0.5, 1, 99.9, -3, "9",
         200000, 1e9][$i / 4 % 8])} else {} end)
     + (if $i % 5 == 0 then {max_completion_tokens: ($i % 300)} else {} end)
     + (if $i % 6 == 0 then {tools: null} else {} end)
     + {task: ([null, "auto", 5, "code", "", "vision"][$i % 6]),
        priority: ([null, "cost", "speed", 1, "quality"][$i % 5])}),
    (if $i % 4 == 0 then {id: $i, prompt: "x", model: "openai/gpt-4o"}
     elif $i % 4 == 1 then {id: $i, prompt: "x", models: ["a/b"]}
     elif $i % 4 == 2 then {id: $i, prompt: "x", error: {type: "http"}}
     else {id: $i, prompt: "x", routed: {old: true}, provider: {}} end)
' >"$tmp/corpus"
# Long prompts, each leaving out the models too small for it.
for k in 8 30 120 300 700 1500 4000 9000; do
	jq -nc --argjson k "$k" '{prompt: ("word " * ($k * 200)),
	    priority: "cost", max_tokens: 1000},
	    {prompt: ("word " * ($k * 200)), priority: "quality"},
	    {prompt: ("word " * ($k * 200)), task: "auto"}'
done >>"$tmp/corpus"
# Lines as they come from people and other tools.
cat >>"$tmp/corpus" <<'EOF'
not json at all
"a bare string prompt"
[1,2,3]
42
null
{}
{"prompt":"unfinished"
{"prompt":"two"} {"prompt":"values"}

   {"prompt":"padded", "priority":"speed"}   
{"prompt":"tabs"}	
{"prompt":"a\nnewline and \"quotes\" \u00e9"}
{"mo\u0064el":"openai/gpt-4o","prompt":"escaped key"}
{"\u0070rompt":"escaped prompt key"}
{"prompt":"dup","prompt":"dup two","priority":"cost","priority":"speed"}
{"prompt":"big","meta":{"n":12345678901234567891,"f":1.50,"e":1e2}}
{"prompt":"bad prio","priority":"fast"}
{"prompt":"num prio","priority":7,"task":7}
{"prompt":5}
{"prompt":null}
{"messages":"not an array","prompt":"ok"}
{"messages":[]}
{"system":"only a system"}
{"system":5,"prompt":"sys not a string"}
{"prompt":"mt","max_tokens":0,"max_completion_tokens":0.5}
{"prompt":"mt","max_tokens":1e3}
{"prompt":"mt","max_completion_tokens":"x","max_tokens":2500.7}
{"prompt":"mt","max_tokens":-4}
{"prompt":"mt","max_tokens":100000000}
{"prompt":"ws" , "priority" : "cost" }
{ }
{"prompt":"deep","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
{"prompt":"nan","x":nan}
{"prompt":"tools","tools":[{"type":"function","function":{"name":"g","description":"1.0e2 \u00e9"}}]}
{"prompt":"","priority":"balanced"}
{"prompt":"task obj","task":{"a":1}}
{"task":"auto","prompt":"please translate me"}
{"prompt":"lone \ud800 high"}
{"prompt":"x","meta":"lone low \udc00"}
{"prompt":"pair \ud83d\ude00","system":"s\u00e9"}
{"prompt":"escaped \\ud800 is not one","task":"c\u006fde"}
{"prompt":"x","priority":"c\u006fst"}
{"task":"auto","prompt":"write \"a\" story\u0000 python"}
{"prompt":"deep","x":[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[[1]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]]}
{"task":"auto","messages":[{"role":"user","content":[{"type":"image_url","image_url":{"url":"u"}}]}]}
EOF
printf '{"prompt":"ctl \001 byte"}\n{"prompt":"bad utf8 \377"}\n' >>"$tmp/corpus"
printf '{"prompt":"crlf"}\r\n{"prompt":"nul\\u0000"}\n' >>"$tmp/corpus"

# A small log: one model slow, one failing now.
db=$tmp/log.db
or-log -d "$db" </dev/null
now=$(date +%s000)
{
	for m in openai/gpt-4o-mini google/gemini-2.0-flash-001 \
	    mistralai/mistral-nemo anthropic/claude-sonnet-4; do
		i=0
		while [ $i -lt 30 ]; do
			echo "INSERT INTO requests(ts, model, served, status, latency_ms, record) VALUES ($((now - i * 1000)), '$m', '$m', 'ok', $((100 + i * ${#m})), '{}');"
			i=$((i + 1))
		done
	done
	i=0
	while [ $i -lt 20 ]; do
		echo "INSERT INTO requests(ts, model, served, status, latency_ms, record) VALUES ($((now - i * 1000)), 'openai/gpt-4o', 'openai/gpt-4o', 'timeout', 900, '{}');"
		i=$((i + 1))
	done
} | sqlite3 "$db"

# A table with a model the catalog lacks, and its own variants.
cat >"$tmp/rules.json" <<'EOF'
{"tasks": {"chat": {"balanced": ["nope/not-a-model", "openai/gpt-4o-mini"],
  "cost": ["deepseek/deepseek-r1-distill-qwen-32b", "mistralai/mistral-nemo"]}},
 "fallbacks": {"deepseek/deepseek-r1-distill-qwen-32b": ["nope/not-a-model",
  "mistralai/mistral-nemo", "openai/gpt-4o-mini"]},
 "variants": {"cost": ":floor", "speed": ""}}
EOF

# BENCH_SAME_CORPUS=file: the corpus written there, nothing compared.
if [ -n "${BENCH_SAME_CORPUS:-}" ]; then
	cp "$tmp/corpus" "$BENCH_SAME_CORPUS"
	exit 0
fi
lines=$(wc -l <"$tmp/corpus")
fail=0
while IFS= read -r flags; do
	# shellcheck disable=SC2086
	eval "set -- $flags"
	"$ref" "$@" <"$tmp/corpus" >"$tmp/ref.out" 2>"$tmp/ref.err" &&
	    rs=0 || rs=$?
	or-route "$@" <"$tmp/corpus" >"$tmp/new.out" 2>"$tmp/new.err" &&
	    ns=0 || ns=$?
	if cmp -s "$tmp/ref.out" "$tmp/new.out" &&
	    cmp -s "$tmp/ref.err" "$tmp/new.err" && [ "$rs" = "$ns" ]; then
		printf 'same  %6d lines  status %d  %s\n' "$lines" "$ns" "$flags"
	else
		printf 'DIFF  status %s/%s  %s\n' "$rs" "$ns" "$flags"
		cmp "$tmp/ref.out" "$tmp/new.out" || :
		cmp "$tmp/ref.err" "$tmp/new.err" || :
		fail=1
	fi
done <<EOF
--no-history
-d $db
--force --no-history
--fallbacks 2 -d $db
--free --no-history
--max-price 1/2 --no-history
--need tools --no-history
--min-context 100k --fallbacks 1 --no-history
--spread --seed 7 -d $db
--spread=0.5 --seed 3 --fallbacks 2 --priority speed -d $db
--sort price --only openai,anthropic --ignore mistralai --data-collection deny --zdr --no-history
--task auto --no-history
--task code --priority cost --no-history
--auto
--no-context --priority quality --no-history
--rules $tmp/rules.json --fallbacks 3 --no-history
--modality 'text+image->text' --no-history
--max-failure-rate 0.1 --cool-down 1h -d $db --priority speed
--free --need tools --min-context 1M --no-history
EOF
exit $fail
