# Switchboard as it runs with keys: one API key (sent as `authorization: Bearer`) and
# per-field rate limits on Mutation.chat and Subscription.chatStream, kept in memory.
# Compare with the stock `switchboard` target (open access, no limits) in the same run:
# the difference is what authentication + limit checks cost per request. The limits
# (100,000,000 per second) are checked on every call but can never refuse in a run.
# Needs the shared harness's run.sh: run it through bench/shared-harness.sh.
DESC="Switchboard + API key + field rate limits (memory store)"
PORT=8811
SWITCHBOARD_DIR=${SWITCHBOARD_DIR:-$PWD}
# A literal bench-only secret (>= 16 characters, as the config requires).
SB_BENCH_KEY=sbk_bench_0123456789abcdefghijklmn

sb_auth_config() { # prints the YAML: the stock target's provider/model, plus key and limits
  cat <<YAML
providers:
  - id: mock
    type: openai
    baseUrl: ${UPSTREAM_BASE_URL}
    apiKey: sk-mock
models:
  - id: mock/gpt
    provider: mock
    upstream: mock-gpt
    capabilities: [chat, streaming]
auth:
  keys:
    - id: bench
      secret: ${SB_BENCH_KEY}
      scopes: [models, chat]
limits:
  fields:
    Mutation.chat: { max: 100000000, windowMs: 1000 }
    Subscription.chatStream: { max: 100000000, windowMs: 1000 }
YAML
}
start() {
  local cfg="$WORK/switchboard-auth-bench.$$.yaml"
  sb_auth_config > "$cfg"
  cd "$SWITCHBOARD_DIR"
  PORT=$PORT HOST=127.0.0.1 LOG_LEVEL=${LOG_LEVEL:-warn} SWITCHBOARD_CONFIG="$cfg" exec ${SWITCHBOARD_START:-npm start --silent}
}
json_url="http://127.0.0.1:$PORT/graphql"
json_body='{"query":"mutation { chat(input: {model: \"mock/gpt\", messages: [{role: USER, content: \"hi\"}]}) { message { content } } }"}'
json_headers="authorization: Bearer $SB_BENCH_KEY"
stream_url="$json_url"
stream_body='{"query":"subscription { chatStream(input: {model: \"mock/gpt\", messages: [{role: USER, content: \"hi\"}]}) { delta } }"}'
stream_headers="accept: text/event-stream|authorization: Bearer $SB_BENCH_KEY"
