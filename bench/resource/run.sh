#!/usr/bin/env bash
# Load test of the resource service (issue 4): GET /api/posts (20 posts from PostgreSQL) and
# GET /api/posts/{id} with valid RS256 bearer tokens, once replaying one token and once cycling
# through TOKENS distinct tokens (so a cache of verified tokens cannot flatter the figure).
# Run by hand, not a test:
#   bench/resource/run.sh                  # DUR=10s CONNS=64 WRK_THREADS=2 THREADS=2 TOKENS=1000
# Env: BUILD_DIR (default build, then build-resource), PORT=18082, LOG_LEVEL=warn, WARM=2s.
# Prints one line per run: req/s, p50, p99, non-2xx, CPU (100 = one core) of the server, of wrk
# and of the rest of the box (noise from other work), and the server's RSS (and peak).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${DUR:=10s}" "${WARM:=2s}" "${CONNS:=64}" "${WRK_THREADS:=2}" "${THREADS:=2}" "${TOKENS:=1000}" "${PORT:=18082}"
: "${LOG_LEVEL:=warn}"
build=${BUILD_DIR:-}
if [[ -z $build ]]; then
  for d in "$root/build" "$root/build-resource"; do [[ -x $d/bin/resource-service ]] && { build=$d; break; }; done
fi
bin=$build/bin/resource-service
[[ -x $bin ]] || { echo "bench: no resource-service binary (set BUILD_DIR)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/resource-bench.XXXXXX)
srv=
cleanup() { [[ -n $srv ]] && kill "$srv" 2>/dev/null && wait "$srv" 2>/dev/null; rm -rf "$work"; }
trap cleanup EXIT

"$root/scripts/services.sh" start all >/dev/null
eval "$("$root/scripts/services.sh" env)"

# A key the service trusts offline (AUTH_PUBLIC_KEY_FILE) and tokens signed with it.
openssl genpkey -algorithm RSA -pkeyopt rsa_keygen_bits:2048 -out "$work/key.pem" 2>/dev/null
openssl pkey -in "$work/key.pem" -pubout -out "$work/pub.pem"
python3 "$here/mint_tokens.py" "$work/key.pem" "$TOKENS" "read-posts" > "$work/tokens.txt"
python3 "$here/mint_tokens.py" "$work/key.pem" 1 "read-posts write-posts admin" > "$work/admin.txt"
admin=$(cat "$work/admin.txt")
one=$(head -1 "$work/tokens.txt")

AUTH_PUBLIC_KEY_FILE=$work/pub.pem LISTEN_ADDR=127.0.0.1:$PORT THREADS=$THREADS LOG_LEVEL=$LOG_LEVEL \
  DATABASE_URL=$DATABASE_URL REDIS_URL=$REDIS_URL "$bin" 2> "$work/server.log" &
srv=$!
for _ in $(seq 100); do curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" && break; sleep 0.1; done
curl -sf -o /dev/null "http://127.0.0.1:$PORT/healthz" || { cat "$work/server.log"; exit 1; }
base=http://127.0.0.1:$PORT

# At least 20 posts, so the list is a full page from PostgreSQL.
have=$(curl -s -H "Authorization: Bearer $admin" "$base/api/posts?limit=100" | python3 -c 'import json,sys; print(len(json.load(sys.stdin)["data"]))')
for i in $(seq $((have < 20 ? 20 - have : 0))); do
  curl -sf -o /dev/null -H "Authorization: Bearer $admin" -H 'Content-Type: application/json' \
    -d "{\"title\":\"bench post $i\",\"body\":\"$(printf 'lorem ipsum %.0s' $(seq 20))\"}" "$base/api/posts"
done
id=$(curl -s -H "Authorization: Bearer $admin" "$base/api/posts?limit=1" | python3 -c 'import json,sys; print(json.load(sys.stdin)["data"][0]["id"])')
echo "# $(date -u +%FT%TZ) $(nproc) cores; server THREADS=$THREADS LOG_LEVEL=$LOG_LEVEL; wrk -t$WRK_THREADS -c$CONNS -d$DUR; $TOKENS distinct tokens; post id $id"

hz=$(getconf CLK_TCK)
cpu() { awk '{print $14+$15}' "/proc/$srv/stat"; }
busy() { awk '/^cpu /{print $2+$3+$4+$7+$8+$9}' /proc/stat; }
# Other load may share the box: wait (at most IDLE_WAIT s) until the rest uses < 20% of a core.
quiet() { local a b; for _ in $(seq "${IDLE_WAIT:-30}"); do a=$(busy); sleep 1; b=$(busy)
  [ $(( (b - a) * 100 / hz )) -lt 20 ] && return 0; done; return 0; }
run() {  # label url lua [env...]
  local label=$1 url=$2 lua=$3; shift 3
  quiet
  env "$@" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARM" -s "$here/$lua" "$url" >/dev/null 2>&1
  local c0 t0 b0 c1 t1 b1 TIMEFORMAT='%U %S'
  c0=$(cpu); b0=$(busy); t0=$(date +%s.%N)
  { time env "$@" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DUR" --latency -s "$here/$lua" "$url" > "$work/wrk.out" 2>&1; } 2> "$work/wrk.time"
  c1=$(cpu); b1=$(busy); t1=$(date +%s.%N)
  local rss hwm
  rss=$(awk '/VmRSS/{print int($2/1024)}' "/proc/$srv/status"); hwm=$(awk '/VmHWM/{print int($2/1024)}' "/proc/$srv/status")
  awk -v l="$label" -v c=$((c1 - c0)) -v b=$((b1 - b0)) -v el="$(echo "$t1 - $t0" | bc)" -v hz="$hz" -v rss="$rss" \
      -v hwm="$hwm" -v wt="$(cat "$work/wrk.time")" '
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF} /Socket errors/ {err=$0}
    END { split(wt, w, " "); s = c/hz/el*100; wk = (w[1]+w[2])/el*100; o = b/hz/el*100 - s - wk; if (o < 0) o = 0
          printf "%-34s %7.0f req/s  p50 %-8s p99 %-8s non2xx=%d  cpu%% srv %3.0f wrk %3.0f other %3.0f  rss %d MiB (peak %d) %s\n",
                 l, rps, p50, p99, bad, s, wk, o, rss, hwm, err }' "$work/wrk.out"
}

run "GET /api/posts, one token"        "$base/api/posts"       bearer.lua TOKEN="$one"
run "GET /api/posts, $TOKENS tokens"   "$base/api/posts"       tokens.lua TOKENS_FILE="$work/tokens.txt"
run "GET /api/posts/$id, one token"    "$base/api/posts/$id"   bearer.lua TOKEN="$one"
run "GET /api/posts/$id, $TOKENS tokens" "$base/api/posts/$id" tokens.lua TOKENS_FILE="$work/tokens.txt"
