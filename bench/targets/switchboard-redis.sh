# Switchboard with the same key and field limits as switchboard-auth, but its state
# (limits, usage, keys, audit stream) in Redis, as several replicas would run it.
# start() launches a redis-server of its own as a daemon (not a child of the gateway,
# so its CPU and memory are not counted as the gateway's; it shows in the harness's
# "other procs" column instead), pinned to the load generator's CPU, then execs the gateway.
# The harness only stops the gateway: the redis daemon is stopped by a small watcher
# once the gateway exits, by the next start() (pid file), and by bench/shared-harness.sh.
# Needs switchboard-auth.sh beside it (same targets/ folder).
source "$(dirname "${BASH_SOURCE[0]}")/switchboard-auth.sh"
DESC="Switchboard + API key + field rate limits (Redis store, redis-server on the load CPU)"
PORT=8812
SB_REDIS_PIDFILE="$WORK/switchboard-bench-redis.pid"

sb_stop_redis() { # the redis started by a previous start(), if it is still running
  local pid; pid=$(cat "$SB_REDIS_PIDFILE" 2>/dev/null) || return 0
  [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ] && kill "$pid" 2>/dev/null
  rm -f "$SB_REDIS_PIDFILE"
}
start() {
  local cfg="$WORK/switchboard-redis-bench.$$.yaml" gw=$BASHPID rport="" p i pin=()
  sb_stop_redis
  for p in $(seq 16379 16479); do (: </dev/tcp/127.0.0.1/"$p") 2>/dev/null || { rport=$p; break; }; done
  [ -n "$rport" ] || { echo "no free port for redis in 16379-16479" >&2; exit 1; }
  # start() runs pinned to the gateway CPU; redis belongs with the load generator.
  [ "${PIN:-1}" = 1 ] && command -v taskset >/dev/null && pin=(taskset -c "${LOAD_CPU:-0}")
  "${pin[@]}" redis-server --port "$rport" --bind 127.0.0.1 --daemonize yes --save '' --appendonly no \
    --pidfile "$SB_REDIS_PIDFILE" --logfile "$WORK/switchboard-bench-redis.log" || exit 1
  for i in $(seq 1 50); do redis-cli -p "$rport" ping >/dev/null 2>&1 && break; sleep 0.1; done
  # Stop redis within a second of the gateway's exit ($gw: this shell, which execs the
  # gateway). Started through a subshell that exits at once, so the watcher is not a
  # child of the gateway and not counted in its process tree.
  ( "${pin[@]}" setsid bash -c 'while kill -0 "$1" 2>/dev/null; do sleep 1; done; redis-cli -p "$2" shutdown nosave >/dev/null 2>&1' \
      _ "$gw" "$rport" </dev/null >/dev/null 2>&1 & )
  { sb_auth_config; printf 'redis:\n  url: redis://127.0.0.1:%s\n' "$rport"; } > "$cfg"
  cd "$SWITCHBOARD_DIR"
  PORT=$PORT HOST=127.0.0.1 LOG_LEVEL=${LOG_LEVEL:-warn} SWITCHBOARD_CONFIG="$cfg" exec ${SWITCHBOARD_START:-npm start --silent}
}
json_url="http://127.0.0.1:$PORT/graphql"
stream_url="$json_url"
