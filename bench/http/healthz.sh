#!/usr/bin/env bash
# GET /healthz under wrk: the HTTP core's ceiling (router, session, keep-alive, access log).
# Prints req/s, p50/p99 and the server's CPU time per request, for our service and, in the
# same run, for the Node fastify hello-world baseline from ../shared/peers (if set up).
#   bench/http/healthz.sh [resource|auth]      (default resource)
# Env: DUR=10s CONNS=64 THREADS=2 REPS=3 ACCESS_LOG=on|off PEERS=1
#   ACCESS_LOG=off runs the service with LOG_LEVEL=warn (no access line per request): the
#   like-for-like comparison with the baseline, which runs with fastify's logger off.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"
which=${1:-resource}
DUR=${DUR:-10s}; CONNS=${CONNS:-64}; THREADS=${THREADS:-2}; REPS=${REPS:-3}
case ${ACCESS_LOG:-on} in
  on) export LOG_LEVEL=info ;;
  off) export LOG_LEVEL=warn ;;
  *) echo "ACCESS_LOG must be on or off" >&2; exit 2 ;;
esac
command -v wrk >/dev/null || WITH_BENCH=1 ./scripts/deps.sh
./scripts/services.sh start >/dev/null
eval "$(./scripts/services.sh env)"
hz=$(getconf CLK_TCK)

cpu_ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }

# run_wrk <label> <pid> <url>: REPS runs, one line each, CPU ticks of pid per request.
run_wrk() {
  local label=$1 pid=$2 url=$3
  wrk -t"$THREADS" -c"$CONNS" -d2s "$url" >/dev/null 2>&1 || true  # warm-up
  for i in $(seq "$REPS"); do
    local before after out
    before=$(cpu_ticks "$pid")
    out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DUR" --latency "$url")
    after=$(cpu_ticks "$pid")
    echo "$out" | awk -v l="$label" -v t=$((after - before)) -v hz="$hz" '
      /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /^ +[0-9]+ requests in/ {n=$1}
      /Non-2xx/ {bad=$NF}
      END {printf "%-34s %9.0f req/s  p50 %-8s p99 %-8s cpu/req %6.1f us  non2xx=%d\n", l, rps, p50, p99, t/hz/n*1e6, bad}'
  done
}

log=$(mktemp)
case $which in
  resource)
    THREADS=$THREADS AUTH_JWKS_URL=http://127.0.0.1:1/jwks.json LISTEN_ADDR=127.0.0.1:18082 \
      "$root/build/bin/resource-service" 2>"$log" &
    port=18082 ;;
  auth)
    keys=$(mktemp -d); AUTH_KEYS_DIR=$keys "$root/build/bin/authctl" keys >/dev/null
    THREADS=$THREADS AUTH_KEYS_DIR=$keys LISTEN_ADDR=127.0.0.1:18081 "$root/build/bin/auth-service" 2>"$log" &
    port=18081 ;;
  *) echo "usage: $0 [resource|auth]" >&2; exit 2 ;;
esac
pid=$!
trap 'kill $pid 2>/dev/null; wait $pid 2>/dev/null; rm -f $log' EXIT
for _ in $(seq 100); do curl -fs "http://127.0.0.1:$port/healthz" >/dev/null && break; sleep 0.1; done

echo "# $(date -u +%FT%TZ) nproc $(nproc) wrk -t$THREADS -c$CONNS -d$DUR (server THREADS=$THREADS, access log ${ACCESS_LOG:-on}, logs to a file)"
run_wrk "$which-service GET /healthz" "$pid" "http://127.0.0.1:$port/healthz"
kill $pid; wait $pid 2>/dev/null || true

if [[ ${PEERS:-1} == 1 && -d /tmp/peers/node_modules ]]; then
  peers=$(cd "$root/../shared/peers" && pwd)
  cp "$peers"/*.mjs /tmp/peers/  # ESM resolves imports next to the file (/tmp/peers/node_modules)
  NODE_ENV=production PEERS_DIR=/tmp/peers PORT=39100 node /tmp/peers/rs-fastify.mjs >/dev/null 2>&1 &
  npid=$!
  for _ in $(seq 50); do curl -fs http://127.0.0.1:39100/hello >/dev/null && break; sleep 0.2; done
  run_wrk "fastify GET /hello (baseline)" "$npid" "http://127.0.0.1:39100/hello"
  kill $npid; wait $npid 2>/dev/null || true
fi
