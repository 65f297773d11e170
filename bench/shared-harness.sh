#!/usr/bin/env bash
# Runs the shared, read-only harness (../shared/bench) with this project's extra
# targets (bench/targets/*.sh: switchboard-auth, switchboard-redis). The harness's
# run.sh only looks for targets in its own targets/ folder, so this copies the
# harness to a temporary folder under $WORK, adds ours, and runs that copy; the
# environment (MODES, REPS, DURATION, SWITCHBOARD_START, ...) passes through.
#   MODES=json REPS=1 SWITCHBOARD_START="node dist/main.js" \
#     bash bench/shared-harness.sh direct switchboard switchboard-auth switchboard-redis
# SHARED_BENCH overrides where the harness is (default: ../shared/bench beside the repo).
# The switchboard targets start the project from $SWITCHBOARD_DIR (default: this repo).
set -euo pipefail
ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
want=${SHARED_BENCH:-$ROOT/../shared/bench}
SHARED_BENCH=$(cd "$want" 2>/dev/null && pwd) || { echo "shared harness not found at $want (set SHARED_BENCH)" >&2; exit 2; }
WORK=${WORK:-/tmp/perf}
export WORK SWITCHBOARD_DIR=${SWITCHBOARD_DIR:-$ROOT}

[ -x "$SHARED_BENCH/run.sh" ] || { echo "shared harness not found at $SHARED_BENCH (set SHARED_BENCH)" >&2; exit 2; }
[ $# -ge 1 ] || { sed -n '2,10p' "$0" >&2; exit 2; }
# run.sh checks this too, but only after we copied it; say what to run.
if ! command -v wrk >/dev/null || ! command -v nginx >/dev/null || [ ! -d "$WORK/node_modules/graphql-yoga" ]; then
  echo "the shared harness is not set up (wrk, nginx, $WORK/node_modules): run  bash $SHARED_BENCH/setup.sh  first (root: apt + npm)" >&2
  exit 2
fi

mkdir -p "$WORK"
H=$(mktemp -d "$WORK/harness.XXXXXX")   # one copy per invocation, so two runs cannot clobber each other
cleanup() {
  # switchboard-redis leaves a redis daemon (not the harness's child); stop it if still up.
  local pid; pid=$(cat "$WORK/switchboard-bench-redis.pid" 2>/dev/null) || pid=""
  if [ -n "$pid" ] && [ "$(cat "/proc/$pid/comm" 2>/dev/null)" = redis-server ]; then kill "$pid"; fi
  rm -rf "$H"
}
trap cleanup EXIT
cp -r "$SHARED_BENCH"/{README.md,run.sh,setup.sh,lib,gateways,targets} "$H"/
chmod -R u+w "$H"   # the copies keep the read-only mode of the originals
for f in "$ROOT"/bench/targets/*.sh; do
  [ -e "$H/targets/$(basename "$f")" ] && { echo "bench/targets/$(basename "$f") would replace the shared target of that name: rename it" >&2; exit 2; }
  cp "$f" "$H/targets/"
done
# Not exec: the trap above must run after the harness (redis daemon, temporary copy).
bash "$H/run.sh" "$@"
