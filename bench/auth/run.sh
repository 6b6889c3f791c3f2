#!/usr/bin/env bash
# Load test of the token server (issue 3), run by hand, not a test:
#   bench/auth/run.sh                 # DUR=10s CONNS=32 WRK_THREADS=2 THREADS=2
# Measures, in ONE run, next to the RSA-2048 signing ceiling of this machine:
#   1. client_credentials, RS256          (client lookup cached in memory, HMAC secret check, one RSA signature)
#   2. client_credentials, ES256          (a second service instance with a P-256 key)
#   3. refresh rotation, RS256            (every request presents a fresh live token: see refresh.lua)
#   4. password grant, RS256              (Argon2id m=19 MiB t=2 per request: bounded by the hash pool)
#   5. client_credentials p99 WHILE a password-grant load runs (PW_CONNS connections)
#   6. GET /oauth/authorize with a session and remembered consent → 302 with a code (authorize)
#   7. the authorization code exchange, public client + PKCE S256, no refresh token (code):
#      the codes the authorize run received, each presented once: a warm-up of WARM on the
#      first WARM_CODES (10000) of each wrk thread's codes, then CODE_DUR (default DUR, as for
#      1) on the rest (non2xx > 0 means they ran out: lower CODE_DUR)
#   (issue 12 asks 7 ≥ 90 % of 1's rate, 6 ≥ 40 % of GET /api/posts' rate: bench/resource/run.sh)
# Env: BUILD_DIR (default build-authsrv, then build), PORT=18081, LOG_LEVEL=warn, WARM=2s,
#      PW_CONNS=8, PW_USERS=64 (users the password runs cycle through), PER_THREAD=64 (refresh tokens per wrk thread), PEERS=1 also runs the Node
#      peer (@node-oauth/oauth2-server) via ../shared/peers/bench.sh nodeoauth,
#      ONLY=cc,refresh,password,mixed,authorize,code,es256 (a subset; default all; code needs authorize),
#      REDIS_APPENDFSYNC=everysec|always (Redis's durability for the run; default: as it runs).
# Each line gives the CPU used by the server, by wrk and by Redis during the measurement
# (percent of one core): on two cores they compete with one another.
# Uses the dev PostgreSQL and Redis (database 14, flushed) of scripts/services.sh and a temporary
# AUTH_KEYS_DIR; creates one client and one user per run.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
: "${DUR:=10s}" "${WARM:=2s}" "${CONNS:=32}" "${WRK_THREADS:=2}" "${THREADS:=2}" "${PORT:=18081}"
: "${LOG_LEVEL:=warn}" "${PW_CONNS:=8}" "${PER_THREAD:=64}" "${PW_USERS:=64}" "${CODE_DUR:=$DUR}"
: "${WARM_CODES:=10000}"
build=${BUILD_DIR:-}
if [[ -z $build ]]; then
  for d in "$root/build-authsrv" "$root/build"; do [[ -x $d/bin/auth-service && -x $d/bin/authctl ]] && { build=$d; break; }; done
fi
bin=$build/bin/auth-service
authctl=$build/bin/authctl
[[ -x $bin && -x $authctl ]] || { echo "bench: no auth-service/authctl binaries (set BUILD_DIR)" >&2; exit 1; }
command -v wrk >/dev/null || { echo "bench: wrk missing (apt-get install wrk)" >&2; exit 1; }

work=$(mktemp -d /tmp/auth-bench.XXXXXX)
srv=
stop_server() { if [[ -n $srv ]]; then kill "$srv" 2>/dev/null; wait "$srv" 2>/dev/null || true; srv=; fi; }
cleanup() {
  stop_server
  rm -rf "$work"
  [[ -n ${fsync_before:-} ]] && redis-cli -u "$REDIS_URL" config set appendfsync "$fsync_before" >/dev/null || true
}
trap cleanup EXIT

"$root/scripts/services.sh" start all >/dev/null
eval "$("$root/scripts/services.sh" env)"
# Redis database 14, emptied first: refresh families left by earlier runs would grow the
# AOF until Redis forks to rewrite it in the middle of a measurement.
REDIS_URL=${BENCH_REDIS_URL:-${REDIS_URL%/*}/14}
redis-cli -u "$REDIS_URL" flushdb >/dev/null
# REDIS_APPENDFSYNC=everysec|always: the Redis durability setting for this run (CONFIG SET,
# put back at exit); scripts/services.sh starts Redis with `always` (RELIABILITY.md).
fsync_before=$(redis-cli -u "$REDIS_URL" config get appendfsync | tail -1)
if [[ -n ${REDIS_APPENDFSYNC:-} ]]; then redis-cli -u "$REDIS_URL" config set appendfsync "$REDIS_APPENDFSYNC" >/dev/null; fi
export DATABASE_URL REDIS_URL
base=http://127.0.0.1:$PORT

"$authctl" migrate >/dev/null
client=$("$authctl" client create --name "bench-$(date +%s)" --grants client_credentials,password,refresh_token --json)
cid=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$client")
csecret=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["secret"])' "$client")
email="bench-$(date +%s%N)@example.com"
"$authctl" user create --email "$email" --password bench-password --scopes read-posts,write-posts --json >/dev/null
# PW_USERS more users for the password runs: the throttle lets one user name have at most 5
# attempts in flight (CONTRACT "Hostile input"), so a load of one user would measure the 429s.
: > "$work/users.txt"
for i in $(seq "$PW_USERS"); do
  u="bench-$(date +%s%N)-$i@example.com"
  "$authctl" user create --email "$u" --password bench-password --scopes read-posts --json >/dev/null
  echo "$u" >> "$work/users.txt"
done
export AUTH="Basic $(printf '%s:%s' "$cid" "$csecret" | base64 -w0)"
pw_body="grant_type=password&username=${email/@/%40}&password=bench-password&scope=read-posts"
cc_body="grant_type=client_credentials&scope=read-posts%20write-posts"

start_server() {  # alg
  local keys=$work/keys-$1
  AUTH_KEYS_DIR=$keys JWT_ALG=$1 "$authctl" keys >/dev/null
  AUTH_KEYS_DIR=$keys JWT_ALG=$1 LISTEN_ADDR=127.0.0.1:$PORT THREADS=$THREADS LOG_LEVEL=$LOG_LEVEL \
    THROTTLE_IP_FAILURES=1000000 AUTH_CODE_TTL=600 "$bin" 2>> "$work/server.log" &
  srv=$!
  for _ in $(seq 100); do curl -sf -o /dev/null "$base/readyz" && return 0; sleep 0.1; done
  cat "$work/server.log" >&2; exit 1
}

wants() { [[ -z ${ONLY:-} || ,$ONLY, == *,$1,* ]]; }
hz=$(getconf CLK_TCK)
redis_pid=$(redis-cli -u "$REDIS_URL" info server | tr -d '\r' | awk -F: '$1=="process_id" {print $2}')
ticks() { awk '{print $14+$15}' "/proc/$1/stat"; }
# Idle ticks of the whole box (all CPUs), from /proc/stat.
idle_ticks() { awk '$1=="cpu" {print $5+$6; exit}' /proc/stat; }
# Children's ticks (field 16+17) of this shell: the wrk runs it waited for.
child_ticks() { awk '{print $16+$17}' /proc/$BASHPID/stat; }
# measure <label> <out-file> <command...>: runs the command (wrk) in a subshell and prints the
# summary with the CPU of the server, of the command itself and of Redis in that time.
measure() {
  local label=$1 out=$2; shift 2
  local s0 r0 i0 t0 s1 r1 i1 t1 w
  s0=$(ticks "$srv"); r0=$(ticks "$redis_pid"); i0=$(idle_ticks); t0=$(date +%s.%N)
  w=$( "$@" > "$out" 2>&1; child_ticks )
  s1=$(ticks "$srv"); r1=$(ticks "$redis_pid"); i1=$(idle_ticks); t1=$(date +%s.%N)
  awk -v l="$label" -v c=$((s1 - s0)) -v w="$w" -v r=$((r1 - r0)) -v i=$((i1 - i0)) -v s="$(echo "$t1 - $t0" | bc)" -v hz="$hz" '
    function pct(x) { return x / hz / s * 100 }
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF} /Socket errors/ {err=$0}
    END { printf "%-46s %8.0f req/s  p50 %-8s p99 %-8s non2xx=%d  cpu: srv %3.0f%% wrk %3.0f%% redis %3.0f%% idle %3.0f%% %s\n",
                 l, rps, p50, p99, bad, pct(c), pct(w), pct(r), pct(i), err }' "$out"
}
run() {  # label conns lua [env...]
  local label=$1 conns=$2 lua=$3; shift 3
  env "$@" wrk -t"$WRK_THREADS" -c"$conns" -d"$WARM" -s "$here/$lua" "$base/oauth/token" >/dev/null 2>&1
  measure "$label" "$work/wrk.out" \
    env "$@" wrk -t"$WRK_THREADS" -c"$conns" -d"$DUR" --timeout 10s --latency -s "$here/$lua" "$base/oauth/token"
}
check() {  # body
  local out; out=$(curl -s -H "Authorization: $AUTH" -d "$1" "$base/oauth/token")
  python3 -c 'import json,sys,base64; t=json.loads(sys.argv[1]); h=t.get("access_token","").split(".")[0]; h+="="*(-len(h)%4)
print("# check:", t.get("error") or "alg=%s scope=%r refresh=%s" % (json.loads(base64.urlsafe_b64decode(h))["alg"], t["scope"], "refresh_token" in t))' "$out"
}

echo "# $(date -u +%FT%TZ) $(nproc) cores; $(openssl version); server THREADS=$THREADS LOG_LEVEL=$LOG_LEVEL; wrk -t$WRK_THREADS -c$CONNS -d$DUR (warm-up $WARM); build $build; redis appendfsync $(redis-cli -u "$REDIS_URL" config get appendfsync | tail -1)"
echo "# ceiling: openssl speed -seconds 3 -multi 2 rsa2048 / ecdsap256"
rsa=$(openssl speed -seconds 3 -multi 2 rsa2048 2>/dev/null | awk '/^rsa 2048/ {print $(NF-1)}')
ec=$(openssl speed -seconds 3 -multi 2 ecdsap256 2>/dev/null | awk '/256 bits ecdsa/ {print $(NF-1)}')
echo "openssl rsa2048 sign/s (2 processes)          $rsa"
echo "openssl ecdsap256 sign/s (2 processes)        $ec"

start_server RS256
if wants cc; then
  check "$cc_body"
  run "client_credentials RS256" "$CONNS" token.lua BODY="$cc_body"
fi

if wants refresh; then
  # Refresh rotation: PER_THREAD fresh families per wrk thread, minted by password logins.
  seq $((PER_THREAD * WRK_THREADS)) | xargs -P 4 -I{} curl -s -H "Authorization: $AUTH" -d "$pw_body" "$base/oauth/token" \
    | python3 -c 'import sys,json,re
for m in re.finditer(r"\{[^{}]*\}", sys.stdin.read()):
    t = json.loads(m.group(0))
    if "refresh_token" in t: print(t["refresh_token"])' > "$work/tokens.txt"
  echo "# minted $(wc -l < "$work/tokens.txt") refresh families for the rotation run (warm-up skipped: it would spend them)"
  measure "refresh_token rotation RS256 (fresh token/req)" "$work/wrk.out" \
    env TOKENS_FILE="$work/tokens.txt" PER_THREAD="$PER_THREAD" \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DUR" --timeout 10s --latency -s "$here/refresh.lua" "$base/oauth/token"
fi

if wants password; then
  check "$pw_body"
  run "password RS256 (Argon2id verify per request)" "$CONNS" password.lua USERS_FILE="$work/users.txt"
fi

if wants mixed; then
  # Client credentials while a password-grant load runs (one wrk thread each).
  USERS_FILE="$work/users.txt" wrk -t1 -c"$PW_CONNS" -d$(( ${DUR%s} + 3 ))s --timeout 10s --latency -s "$here/password.lua" "$base/oauth/token" \
    > "$work/pw.out" 2>&1 &
  pw=$!
  sleep 1
  measure "client_credentials RS256 during password load" "$work/wrk.out" \
    env BODY="$cc_body" wrk -t1 -c"$CONNS" -d"$DUR" --latency -s "$here/token.lua" "$base/oauth/token"
  wait "$pw"
  awk -v l="  (the concurrent password load, c=$PW_CONNS)" '
    /Requests\/sec/ {rps=$2} $1=="50%" {p50=$2} $1=="99%" {p99=$2} /Non-2xx/ {bad=$NF}
    END { printf "%-46s %8.0f req/s  p50 %-8s p99 %-8s non2xx=%d\n", l, rps, p50, p99, bad }' "$work/pw.out"
fi
if wants authorize || wants code; then
  # A public client with PKCE, a signed-in session (the /login form) and remembered consent.
  spa=$("$authctl" client create --name "bench-spa-$(date +%s)" --grants authorization_code --public \
    --redirect-uri http://127.0.0.1/cb --json)
  spa_id=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["id"])' "$spa")
  verifier=$(openssl rand -hex 32)
  challenge=$(printf %s "$verifier" | openssl dgst -binary -sha256 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
  target="/oauth/authorize?response_type=code&client_id=$spa_id&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Fcb&scope=read-posts&state=s&code_challenge=$challenge&code_challenge_method=S256"
  jar=$work/cookies
  login_page=$(curl -s -c "$jar" "$base/login")
  csrf=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$login_page" | head -1 | cut -d'"' -f4)
  curl -s -o /dev/null -b "$jar" -c "$jar" --data-urlencode "email=$email" -d password=bench-password \
    --data-urlencode "csrf_token=$csrf" -d return_to=/ "$base/login"
  consent=$(curl -s -b "$jar" "$base$target")
  form=$(grep -o '<input type="hidden" name="[^"]*" value="[^"]*">' <<<"$consent" |
    sed -E 's/.*name="([^"]*)" value="([^"]*)".*/\1=\2/' | sed 's/&amp;/\&/g' | paste -sd'&')
  curl -s -o /dev/null -b "$jar" "$base/oauth/authorize" --data "$form&decision=approve"
  cookie=$(awk '$6=="oauth_session" {print "oauth_session=" $7}' "$jar")
  echo "# check: $(curl -s -o /dev/null -w '%{http_code} %{redirect_url}' -H "Cookie: $cookie" "$base$target" | cut -c1-60)..."
  mkdir -p "$work/codes"
  TARGET="$target" COOKIE="$cookie" wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARM" -s "$here/authorize.lua" "$base/" >/dev/null 2>&1
  measure "authorize (session + remembered consent → 302)" "$work/wrk.out" \
    env TARGET="$target" COOKIE="$cookie" CODES_DIR="$work/codes" \
    wrk -t"$WRK_THREADS" -c"$CONNS" -d"$DUR" --timeout 10s --latency -s "$here/authorize.lua" "$base/"
  echo "# $(cat "$work"/codes/codes-* | wc -l) codes collected for the exchange run (wrk's non2xx above counts the 302s)"
  if wants code; then
    # Each code is good once: the warm-up presents its own share of them.
    mkdir -p "$work/warm"
    for f in "$work"/codes/codes-*; do
      head -n "$WARM_CODES" "$f" > "$work/warm/${f##*/}"
      tail -n +"$((WARM_CODES + 1))" "$f" > "$f.rest" && mv "$f.rest" "$f"
    done
    code_env=(CLIENT_ID="$spa_id" REDIRECT_URI="http%3A%2F%2F127.0.0.1%3A4711%2Fcb" VERIFIER="$verifier")
    env CODES_DIR="$work/warm" "${code_env[@]}" \
      wrk -t"$WRK_THREADS" -c"$CONNS" -d"$WARM" -s "$here/code.lua" "$base/oauth/token" >/dev/null 2>&1
    measure "authorization_code exchange (PKCE, public client)" "$work/wrk.out" \
      env CODES_DIR="$work/codes" "${code_env[@]}" \
      wrk -t"$WRK_THREADS" -c"$CONNS" -d"$CODE_DUR" --timeout 10s --latency -s "$here/code.lua" "$base/oauth/token"
  fi
fi
stop_server

if wants es256; then
  start_server ES256
  check "$cc_body"
  run "client_credentials ES256" "$CONNS" token.lua BODY="$cc_body"
  stop_server
fi

if [[ ${PEERS:-0} == 1 ]]; then
  echo "# peer baseline in the same session: ../shared/peers/bench.sh nodeoauth"
  DUR=$DUR WARM=$WARM "$root/../shared/peers/bench.sh" nodeoauth || true
fi
grep -a '"level":"\(error\|warn\)"' "$work/server.log" | head -5 || true
