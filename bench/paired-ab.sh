#!/usr/bin/env bash
# Paired A/B of two builds: both gateways run at once on the same core (GW_CPU) with the
# same load, so the machine's drift (CPU steal, frequency, neighbours), which moves
# single runs here by ±10 %, hits both alike; the ratio of their CPU per unit of work
# is what to read. Run it twice with A and B swapped.
#
#   bash bench/paired-ab.sh DIR_A DIR_B MODE [CONNS_EACH] [SECONDS]
#     MODE: paced (50 chunks, 20 ms apart, subscription over SSE), stream (unpaced),
#           json (chat mutation with an API key and field rate limits, wrk)
#     DIR_A/B: built checkouts (dist/main.js); FLAGS_A/FLAGS_B: extra node flags
#   prints {"A":{...,"cpu":per stream (ms) or per request (µs)},"B":{...},"ratio":B/A}
#
# Needs the shared harness (SHARED_BENCH, default ../shared/bench: its mock upstream,
# SSE probe and wrk script) and wrk; ports 8810, 8811 and 9100.
set -euo pipefail
A=$1 B=$2 MODE=$3 CONNS=${4:-64} SECONDS_=${5:-10}
BENCH=${SHARED_BENCH:-$(cd "$(dirname "$0")/../../shared/bench" && pwd)}
LOAD_CPU=${LOAD_CPU:-0} GW_CPU=${GW_CPU:-1}
# A process left on one of the ports would answer in place of the build under test.
for port in 8810 8811 9100; do
  if ss -ltn "sport = :$port" | grep -q LISTEN; then echo "port $port is in use: stop what listens there first" >&2; exit 2; fi
done
WORK=$(mktemp -d)
pids=()
cleanup() { kill "${pids[@]}" 2>/dev/null || true; wait 2>/dev/null || true; rm -rf "$WORK"; }
trap cleanup EXIT

case $MODE in paced) base=http://127.0.0.1:9100/p20/v1 ;; *) base=http://127.0.0.1:9100/v1 ;; esac
cat > "$WORK/config.yaml" <<YAML
providers:
  - { id: mock, type: openai, baseUrl: $base, apiKey: sk-mock }
models:
  - { id: mock/gpt, provider: mock, upstream: mock-gpt, capabilities: [chat, streaming] }
auth:
  keys:
    - { id: bench, secret: sbk_bench_0123456789abcdefghijklmn, scopes: [models, chat] }
limits:
  fields:
    Mutation.chat: { max: 100000000, windowMs: 1000 }
    Subscription.chatStream: { max: 100000000, windowMs: 1000 }
YAML
KEY="authorization: Bearer sbk_bench_0123456789abcdefghijklmn"
echo '{"query":"subscription { chatStream(input: {model: \"mock/gpt\", messages: [{role: USER, content: \"hi\"}]}) { delta } }"}' > "$WORK/stream.json"
echo '{"query":"mutation { chat(input: {model: \"mock/gpt\", messages: [{role: USER, content: \"hi\"}]}) { message { content } } }"}' > "$WORK/json.json"

taskset -c "$LOAD_CPU" node "$BENCH/lib/mock-upstream.mjs" --port=9100 > "$WORK/mock.log" 2>&1 &
pids+=($!)
start() { # dir port flags
  (cd "$1" && PORT=$2 HOST=127.0.0.1 LOG_LEVEL=warn SWITCHBOARD_CONFIG="$WORK/config.yaml" exec taskset -c "$GW_CPU" node $3 dist/main.js > "$WORK/gw-$2.log" 2>&1) &
  pids+=($!)
}
start "$A" 8810 "${FLAGS_A:-}"
start "$B" 8811 "${FLAGS_B:-}"
for port in 8810 8811; do
  for _ in $(seq 100); do curl -s -o /dev/null "127.0.0.1:$port/healthz" && break; sleep 0.1; done
done
pid_of() { ss -ltnp | grep ":$1 " | grep -o 'pid=[0-9]*' | head -1 | cut -d= -f2; }
PA=$(pid_of 8810) PB=$(pid_of 8811)
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }

load() { # port seconds -> one JSON line
  if [ "$MODE" = json ]; then
    BODY_FILE="$WORK/json.json" HEADERS="$KEY" taskset -c "$LOAD_CPU" wrk -t1 -c"$CONNS" -d"$2s" -s "$BENCH/lib/post.lua" "http://127.0.0.1:$1/graphql" 2>/dev/null | grep -o 'WRKJSON.*' | cut -d' ' -f2-
  else
    taskset -c "$LOAD_CPU" node "$BENCH/lib/sse-probe.mjs" --url="http://127.0.0.1:$1/graphql" --body-file="$WORK/stream.json" --headers="$KEY" \
      --concurrency="$CONNS" --duration="$2" --warmup=0 | grep -o 'PROBEJSON.*' | cut -d' ' -f2-
  fi
}
both() { # seconds
  load 8810 "$1" > "$WORK/a.json" &
  local first=$!
  load 8811 "$1" > "$WORK/b.json"
  wait "$first"
}
both 3
a0=$(cpu_ticks "$PA") b0=$(cpu_ticks "$PB")
both "$SECONDS_"
a1=$(cpu_ticks "$PA") b1=$(cpu_ticks "$PB")
node -e '
const fs = require("fs");
const [dir, mode, ta, tb] = process.argv.slice(1);
const read = (file) => JSON.parse(fs.readFileSync(`${dir}/${file}`, "utf8"));
const side = (run, ticks) => mode === "json"
  ? { requests: run.requests, rps: run.rps, cpu: +(ticks * 10000 / run.requests).toFixed(0), errors: run.err_status + run.err_connect }
  : { streams: run.streams, ttft_p50_ms: run.ttft_p50_ms, cpu: +(ticks * 10 / run.streams).toFixed(2), errors: run.errors };
const a = side(read("a.json"), +ta), b = side(read("b.json"), +tb);
console.log(JSON.stringify({ mode, A: a, B: b, ratio: +(b.cpu / a.cpu).toFixed(3) }));
' "$WORK" "$MODE" $((a1 - a0)) $((b1 - b0))
