#!/usr/bin/env bash
# End-to-end test of docker-compose.yml on this machine, from no images to `down -v`.
#
#   deploy/compose-test.sh               uses images already built (base, stand-ins, services)
#   FROM_SCRATCH=1 deploy/compose-test.sh  removes them and the build caches first
#
# There is no Docker engine here and no registry: podman serves the Docker API and
# Debian's docker-compose 1.29 drives it; the Debian 12 base image is made with
# mmdebstrap and PostgreSQL, Redis and nginx are stand-ins built from Debian's packages
# (deploy/podman/podman.sh has the details). Then, with an .env of its own:
#   docker-compose build; up -d --scale auth-service=2 --scale resource-service=3;
#   through the gateway on 127.0.0.1:$COMPOSE_TEST_PORT (default 8080): every grant,
#   refresh across replicas, every posts route, revocation seen by every resource
#   replica, requests reaching every replica (X-Served-By), a replica stopped and the
#   service still answering, scaling down and up followed by the gateway, the key
#   rotation runbook, Redis restarted with the refresh tokens intact; `down -v` at the
#   end, also on failure. Every check is a hard expectation: nothing is skipped.
# Prints PASS/FAIL per check and a summary; exits non-zero when anything failed.
#
# Settings: COMPOSE_TEST_PORT (8080), COMPOSE_TEST_PROJECT (oauthe2e), PODMAN_STATE_DIR
# (/tmp/oauth-podman), KEEP_RUNNING=1 (no `down -v`, to look around afterwards),
# BUILD_JOBS (compile jobs in the image build; default: all cores).
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
export PODMAN_STATE_DIR=${PODMAN_STATE_DIR:-/tmp/oauth-podman}
# shellcheck source=deploy/podman/podman.sh
source "$root/deploy/podman/podman.sh"

project=${COMPOSE_TEST_PROJECT:-oauthe2e}
port=${COMPOSE_TEST_PORT:-8080}
base=http://127.0.0.1:$port
auth_replicas=2
resource_replicas=3
work=$PODMAN_STATE_DIR/$project
mkdir -p "$work"
t_start=$(date +%s)

passed=0 failed=0
failures=()
timings=()
pass() { echo "PASS  $*"; passed=$((passed + 1)); }
fail() { echo "FAIL  $*"; failed=$((failed + 1)); failures+=("$*"); }
note() { echo "      $*"; }
step() { echo; echo "== $* ($(($(date +%s) - t_start)) s)"; }
die() { fail "$*"; exit 1; }
timed() { # timed LABEL command...: runs it, records its duration
  local label=$1 t0 rc=0
  shift
  t0=$(date +%s)
  "$@" || rc=$?
  timings+=("$label: $(($(date +%s) - t0)) s")
  return $rc
}

dc() { docker-compose -p "$project" -f "$root/docker-compose.yml" --env-file "$work/test.env" "$@"; }

# ---- HTTP through the gateway --------------------------------------------------------
# http METHOD PATH [curl args]: sets STATUS, BODY, SERVED (X-Served-By), HEADERS (file).
STATUS= BODY= SERVED=
HEADERS=$work/headers
http() {
  local method=$1 path=$2
  shift 2
  STATUS=$(curl -sS --max-time 20 -o "$work/body" -D "$HEADERS" -w '%{http_code}' \
    -X "$method" "$@" "$base$path" 2>"$work/curl.err") || STATUS=000
  BODY=$(cat "$work/body" 2>/dev/null || true)
  SERVED=$(grep -i '^x-served-by:' "$HEADERS" 2>/dev/null | tail -1 | cut -d' ' -f2- | tr -d '\r' || true)
}
header() { grep -i "^$1:" "$HEADERS" | tail -1 | cut -d' ' -f2- | tr -d '\r'; }
jbody() { jq -r "$1" <<<"$BODY" 2>/dev/null || true; }
expect() { # expect NAME STATUS: checks the last response's status
  if [[ $STATUS == "$2" ]]; then pass "$1"; else fail "$1 (status $STATUS, want $2: ${BODY:0:300})"; fi
}
form_token() { http POST /oauth/token -H 'Content-Type: application/x-www-form-urlencoded' "$@"; }

# ---- replicas ------------------------------------------------------------------------
# Fills REPLICA_IP[name]=ip and IP_NAME[ip]=name for the running replicas of a service.
declare -A IP_NAME=()
replica_names() {
  podman ps --filter "label=com.docker.compose.project=$project" \
    --filter "label=com.docker.compose.service=$1" --format '{{.Names}}' | sort
}
replica_ip() {
  podman inspect -f '{{range .NetworkSettings.Networks}}{{.IPAddress}}{{end}}' "$1"
}
map_replicas() {
  local svc name ip
  IP_NAME=()
  for svc in auth-service resource-service; do
    for name in $(replica_names "$svc"); do
      ip=$(replica_ip "$name")
      IP_NAME[$ip]=$name
    done
  done
}
# served_name "10.89.0.5:8082" -> the container name (the last address tried).
served_name() {
  local addr=${1##*, }
  addr=${addr%:*}
  echo "${IP_NAME[$addr]:-$addr}"
}

wait_healthy() { # wait_healthy SECONDS: every container of the project with a health check healthy
  local deadline=$(($(date +%s) + $1)) line bad
  while :; do
    bad=$(podman ps --filter "label=com.docker.compose.project=$project" --format '{{.Names}} {{.Status}}' |
      grep -E '\((starting|unhealthy)\)' || true)
    [[ -z $bad ]] && return 0
    if (($(date +%s) > deadline)); then
      echo "not healthy after $1 s:" >&2
      echo "$bad" >&2
      return 1
    fi
    sleep 1
  done
}

# ---- clean-up: always ----------------------------------------------------------------
started_service=0
finish() {
  local rc=$?
  set +e
  trap - EXIT INT TERM
  if ((rc != 0 && failed == 0)); then fail "aborted (exit $rc) at: ${BASH_COMMAND:-?}"; fi
  if ((failed > 0)) && [[ -s $work/test.env ]] && podman_api_ok; then
    echo
    echo "== diagnostics"
    dc ps 2>&1 | sed 's/^/      /'
    dc logs --no-color --tail=40 2>&1 | tail -200 | sed 's/^/      /'
  fi
  if [[ ${KEEP_RUNNING:-0} == 1 ]]; then
    echo
    echo "KEEP_RUNNING=1: left up. Clean up with:"
    echo "  $(podman_exports | tr '\n' ';') docker-compose -p $project --env-file $work/test.env down -v"
  elif [[ -s $work/test.env ]] && podman_api_ok; then
    step "down -v"
    timed "down -v" dc down -v --remove-orphans >"$work/down.log" 2>&1 || note "down failed: $(tail -3 "$work/down.log")"
  fi
  if [[ ${KEEP_RUNNING:-0} != 1 ]]; then
    podman_health_driver_stop
    ((started_service)) && podman_service_stop
  fi
  local total=$(($(date +%s) - t_start))
  echo
  echo "== timings"
  printf '      %s\n' "${timings[@]}" "total: $total s"
  echo
  if ((failed == 0 && rc == 0)); then
    echo "compose-test: PASS ($passed passed, $total s)"
    exit 0
  fi
  echo "compose-test: FAIL ($failed failed, $passed passed, $total s)"
  printf '  - %s\n' "${failures[@]}"
  exit 1
}
trap finish EXIT
trap 'exit 130' INT TERM

# ======================================================================================
step "podman machinery"
timed "packages" podman_install_packages
podman_configure
if ! podman_api_ok; then
  podman_service_start
  started_service=1
fi
if ss -ltn "sport = :$port" 2>/dev/null | grep -q LISTEN &&
  ! podman ps --filter "label=com.docker.compose.project=$project" --format '{{.Names}}' | grep -q gateway; then
  die "port $port is taken on this machine (set COMPOSE_TEST_PORT)"
fi
# Leftovers of an interrupted run.
if [[ -s $work/test.env ]]; then dc down -v --remove-orphans >/dev/null 2>&1 || true; fi
podman_health_driver_start "com.docker.compose.project=$project" 2

if [[ ${FROM_SCRATCH:-0} == 1 ]]; then
  step "from scratch: removing images and build caches"
  podman rmi -f oauth-platform/auth-service:latest oauth-platform/resource-service:latest \
    "$OAUTH_BASE_IMAGE" "$STANDIN_POSTGRES_IMAGE" "$STANDIN_REDIS_IMAGE" "$STANDIN_NGINX_IMAGE" >/dev/null 2>&1 || true
  podman image prune -f >/dev/null 2>&1 || true
  # buildah's RUN --mount=type=cache directories (ccache, apt).
  rm -rf /var/tmp/buildah-cache-* /var/tmp/buildah-cache 2>/dev/null || true
fi
timed "base image (mmdebstrap)" podman_base_image
timed "stand-in images" podman_standin_images
pass "podman API on $DOCKER_HOST; base and stand-in images present"

# An .env of the test's own (the repository's .env, if any, is not touched).
{
  echo "POSTGRES_PASSWORD=$(openssl rand -hex 16)"
  echo "REDIS_PASSWORD=$(openssl rand -hex 16)"
  echo "AUTH_ISSUER=http://127.0.0.1:$port"
  echo "CORS_ALLOWED_ORIGINS=http://127.0.0.1:$port"
  echo "GATEWAY_ADDR=127.0.0.1"
  echo "GATEWAY_PORT=$port"
  echo "GATEWAY_DNS_TTL=2s"
  echo "AUTH_THREADS=2"
  echo "RESOURCE_THREADS=2"
  echo "BASE_IMAGE=$OAUTH_BASE_IMAGE"
  echo "POSTGRES_IMAGE=$STANDIN_POSTGRES_IMAGE"
  echo "REDIS_IMAGE=$STANDIN_REDIS_IMAGE"
  echo "NGINX_IMAGE=$STANDIN_NGINX_IMAGE"
} >"$work/test.env"
chmod 600 "$work/test.env"
if dc config -q; then pass "docker-compose config -q"; else die "docker-compose config -q"; fi

# ======================================================================================
step "docker-compose build"
build_args=()
[[ -n ${BUILD_JOBS:-} ]] && build_args+=(--build-arg "BUILD_JOBS=$BUILD_JOBS")
if timed "docker-compose build" dc build "${build_args[@]}" >"$work/build.log" 2>&1; then
  pass "images built (log: $work/build.log)"
  grep -Ei 'cache (hits|misses)|hits|misses' "$work/build.log" | head -4 | sed 's/^/      ccache: /' || true
else
  tail -40 "$work/build.log" | sed 's/^/      /'
  die "docker-compose build"
fi

step "docker-compose up -d --scale auth-service=$auth_replicas --scale resource-service=$resource_replicas"
if timed "up (until dependencies healthy)" dc up -d --scale "auth-service=$auth_replicas" \
  --scale "resource-service=$resource_replicas" >"$work/up.log" 2>&1; then
  pass "up -d"
else
  tail -30 "$work/up.log" | sed 's/^/      /'
  die "docker-compose up"
fi
if timed "wait for health" wait_healthy 180; then pass "every container healthy"; else die "containers not healthy"; fi
init_state=$(podman inspect -f '{{.State.ExitCode}}' "$(podman ps -a --filter "label=com.docker.compose.project=$project" \
  --filter label=com.docker.compose.service=init --format '{{.Names}}' | head -1)")
if [[ $init_state == 0 ]]; then pass "init (authctl install) completed"; else fail "init exit code $init_state"; fi
map_replicas
auth_names=($(replica_names auth-service))
resource_names=($(replica_names resource-service))
note "auth-service replicas: ${auth_names[*]}"
note "resource-service replicas: ${resource_names[*]}"
if ((${#auth_names[@]} == auth_replicas && ${#resource_names[@]} == resource_replicas)); then
  pass "$auth_replicas auth-service and $resource_replicas resource-service replicas running"
else
  fail "replica counts: ${#auth_names[@]} auth, ${#resource_names[@]} resource"
fi
for _ in $(seq 60); do
  http GET /.well-known/jwks.json
  [[ $STATUS == 200 ]] && break
  sleep 1
done

# ======================================================================================
step "gateway routes and discovery"
http GET /.well-known/oauth-authorization-server
expect "GET /.well-known/oauth-authorization-server" 200
issuer=$(jbody .issuer)
if [[ $issuer == "http://127.0.0.1:$port" ]]; then pass "metadata issuer is AUTH_ISSUER"; else fail "metadata issuer '$issuer'"; fi
metadata=$BODY
http GET /.well-known/jwks.json
expect "GET /.well-known/jwks.json" 200
if [[ $(jbody '.keys | length') -ge 1 ]]; then pass "JWKS has a key"; else fail "JWKS has no key: $BODY"; fi
http GET /oauth/scopes
expect "GET /oauth/scopes" 200
# Endpoints that arrive with later issues: routed to the auth replicas either way; a 404
# from the service itself (not the gateway's "no such route") means "not there yet".
routed_to_auth() { # routed_to_auth LABEL: the last response came from an auth replica
  local name
  name=$(served_name "$SERVED")
  if [[ " ${auth_names[*]} " == *" $name "* ]]; then pass "$1 routed to auth-service ($name)"; else fail "$1 routed to '$SERVED'"; fi
}
http GET /playground
routed_to_auth "GET /playground"
expect "GET /playground" 200
http GET /nothing-here
expect "unrouted path answered by the gateway" 404
http GET /metrics
expect "service /metrics not exposed by the gateway" 404

# The services believe the gateway's X-Forwarded-For (TRUSTED_PROXIES), and the gateway
# sends the address it saw, not what the client claims: the auth log line of this request
# (found by the gateway's X-Request-Id) names neither the gateway nor the forged address.
http GET /oauth/scopes -H 'X-Forwarded-For: 203.0.113.7'
request_id=$(header X-Request-Id)
gateway_ip=$(replica_ip "$(replica_names gateway | head -1)")
remote=
for _ in $(seq 10); do
  remote=$(dc logs --no-color auth-service 2>/dev/null | grep -F "\"request_id\":\"$request_id\"" |
    grep -o '"remote":"[^"]*"' | head -1 | cut -d'"' -f4 || true)
  [[ -n $remote ]] && break
  sleep 0.5
done
if [[ -n $remote && $remote != "$gateway_ip" && $remote != 203.0.113.7 ]]; then
  pass "auth-service sees the client's address ($remote), not the gateway's ($gateway_ip) nor a forged X-Forwarded-For"
else
  fail "client address at auth-service: '$remote' (gateway $gateway_ip, request $request_id)"
fi

step "clients and users (authctl through the init service)"
authctl() { dc run --rm -T --no-deps init authctl "$@"; }
password_client=$(dc run --rm -T --no-deps init cat /var/lib/oauth/password-client.json 2>"$work/run.err") ||
  die "reading the password client from the state volume: $(tail -2 "$work/run.err")"
pc_id=$(jq -r .id <<<"$password_client")
pc_secret=$(jq -r .secret <<<"$password_client")
[[ -n $pc_id && -n $pc_secret && $pc_secret != null ]] && pass "init kept the password client in the state volume" ||
  fail "password client file: $password_client"
if dc run --rm -T --no-deps init oauth-init >"$work/init2.out" 2>"$work/run.err" &&
  [[ $(dc run --rm -T --no-deps init cat /var/lib/oauth/password-client.json 2>/dev/null) == "$password_client" ]]; then
  pass "init run again: succeeds, same password client ($(tail -1 "$work/init2.out"))"
else
  fail "second init run: $(tail -2 "$work/run.err")"
fi
user_email=e2e-$(date +%s)@example.com
user_password=$(openssl rand -hex 12)
if out=$(authctl user create --email "$user_email" --password "$user_password" --name "E2E" \
  --scopes read-posts,write-posts,admin --json 2>"$work/run.err"); then
  pass "authctl user create"
else
  die "authctl user create: $(tail -2 "$work/run.err")"
fi
if out=$(authctl client create --name e2e-machine --grants client_credentials \
  --scopes read-posts,write-posts --json 2>"$work/run.err"); then
  cc_id=$(jq -r .id <<<"$out")
  cc_secret=$(jq -r .secret <<<"$out")
  pass "authctl client create (client_credentials)"
else
  die "authctl client create: $(tail -2 "$work/run.err")"
fi

password_grant() { # password_grant SCOPE: sets ACCESS, REFRESH
  form_token -u "$pc_id:$pc_secret" -d grant_type=password --data-urlencode "username=$user_email" \
    --data-urlencode "password=$user_password" --data-urlencode "scope=$1"
  ACCESS=$(jbody .access_token)
  REFRESH=$(jbody .refresh_token)
}

step "grants"
password_grant "read-posts write-posts admin"
expect "password grant" 200
admin_access=$ACCESS
refresh=$REFRESH
refresh_served=$(served_name "$SERVED")
[[ $(jbody .token_type) == Bearer && -n $ACCESS && $ACCESS != null && -n $REFRESH && $REFRESH != null ]] &&
  pass "password grant returns a Bearer access token and a refresh token" || fail "password grant body: $BODY"
[[ $(header Cache-Control) == *no-store* ]] && pass "token response Cache-Control: no-store" || fail "Cache-Control: $(header Cache-Control)"
password_grant "read-posts write-posts"
writer_access=$ACCESS
password_grant "read-posts"
reader_access=$ACCESS
form_token -u "$pc_id:$pc_secret" -d grant_type=password --data-urlencode "username=$user_email" \
  -d password=wrong-password -d scope=read-posts
expect "password grant with a wrong password is refused" 400

form_token -u "$cc_id:$cc_secret" -d grant_type=client_credentials -d "scope=read-posts write-posts"
expect "client credentials grant" 200
cc_access=$(jbody .access_token)
[[ $(jbody .refresh_token) == null ]] && pass "client credentials: no refresh token" || fail "client credentials returned a refresh token"
form_token -u "$cc_id:wrong" -d grant_type=client_credentials
expect "client credentials with a wrong secret" 401

# The first-party proxy: the auth replicas read the password client from the volume.
proxy_body=$(jq -nc --arg u "$user_email" --arg p "$user_password" '{username:$u,password:$p,scope:"read-posts"}')
http POST /api/oauth/password/token -H 'Content-Type: application/json' -d "$proxy_body"
routed_to_auth "POST /api/oauth/password/token"
expect "POST /api/oauth/password/token" 200
# Enough requests that both auth replicas answer some (random choice: 2 x 2^-16 to miss one).
declare -A proxy_seen=()
proxy_ok=1
for _ in $(seq 16); do
  http POST /api/oauth/password/token -H 'Content-Type: application/json' -d "$proxy_body"
  if [[ $STATUS != 200 || $(jbody .access_token) == null ]]; then proxy_ok=0; note "proxy: $STATUS ${BODY:0:200}"; fi
  proxy_seen[$(served_name "$SERVED")]=1
done
((proxy_ok && ${#proxy_seen[@]} == ${#auth_names[@]})) &&
  pass "POST /api/oauth/password/token (first-party proxy, client from the state volume) on every auth replica: ${!proxy_seen[*]}" ||
  fail "first-party password proxy (ok=$proxy_ok, replicas: ${!proxy_seen[*]})"

step "refresh: rotated on one replica, redeemed on another"
crossings=0 refresh_ok=1
for i in $(seq 16); do
  form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$refresh"
  if [[ $STATUS != 200 ]]; then refresh_ok=0; note "refresh $i: $STATUS $BODY"; break; fi
  now=$(served_name "$SERVED")
  if [[ $now != "$refresh_served" ]]; then
    ((crossings == 0)) && note "refresh token issued by $refresh_served, redeemed by $now"
    crossings=$((crossings + 1))
  fi
  refresh=$(jbody .refresh_token)
  refresh_served=$now
  admin_access=$(jbody .access_token)
  ((crossings >= 2)) && break
done
((refresh_ok)) && pass "refresh grant rotates ($i refreshes)" || fail "refresh grant"
((crossings >= 1)) && pass "refresh token from one auth replica redeemed on another ($crossings times)" ||
  fail "no refresh crossed auth replicas in $i tries"
# Reuse detection across replicas: a family of its own.
password_grant "read-posts"
fam_r1=$REFRESH
form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$fam_r1"
fam_r2=$(jbody .refresh_token)
form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$fam_r1"
[[ $STATUS == 400 && $(jbody .error) == invalid_grant ]] && pass "rotated refresh token reused: invalid_grant" ||
  fail "reuse of a rotated refresh token: $STATUS $BODY"
form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$fam_r2"
[[ $STATUS == 400 ]] && pass "reuse revoked the family (its newest refresh token refused)" ||
  fail "family not revoked after reuse: $STATUS $BODY"

# ======================================================================================
step "browser flow: login on one replica, consent and code on others (sessions in Redis)"
http GET /login
routed_to_auth "GET /login"
expect "GET /login" 200
if out=$(authctl client create --name e2e-spa --grants authorization_code,refresh_token --public \
  --redirect-uri http://127.0.0.1/cb --json 2>"$work/run.err"); then
  spa_id=$(jq -r .id <<<"$out")
  pass "authctl client create --public --redirect-uri (authorization_code)"
else
  die "authctl client create (authorization_code): $(tail -2 "$work/run.err")"
fi
jar=$work/cookies
rm -f "$jar"
verifier=$(openssl rand -hex 32)
challenge=$(printf %s "$verifier" | openssl dgst -binary -sha256 | openssl base64 -A | tr '+/' '-_' | tr -d '=')
authorize_path="/oauth/authorize?response_type=code&client_id=$spa_id&redirect_uri=http%3A%2F%2F127.0.0.1%3A4711%2Fcb&scope=read-posts&state=s1&code_challenge=$challenge&code_challenge_method=S256"
http GET "$authorize_path" -b "$jar" -c "$jar"
[[ $STATUS == 302 && $(header Location) == /login?return_to=* ]] && pass "authorize without a session: 302 to /login" ||
  fail "authorize without a session: $STATUS $(header Location)"
http GET "/login?return_to=%2F" -b "$jar" -c "$jar"
login_csrf=$(grep -o 'name="csrf_token" value="[^"]*"' <<<"$BODY" | head -1 | cut -d'"' -f4)
http POST /login -b "$jar" -c "$jar" --data-urlencode "email=$user_email" --data-urlencode "password=$user_password" \
  --data-urlencode "csrf_token=$login_csrf" --data-urlencode "return_to=/"
login_served=$(served_name "$SERVED")
expect "POST /login" 303
declare -A flow_seen=()
flow_ok=1 code=
for i in $(seq 12); do
  http GET "$authorize_path" -b "$jar" -c "$jar"
  flow_seen[$(served_name "$SERVED")]=1
  if [[ $STATUS == 200 && $BODY == *'value="approve"'* ]]; then
    form=$(grep -o '<input type="hidden" name="[^"]*" value="[^"]*">' <<<"$BODY" | sed -E 's/.*name="([^"]*)" value="([^"]*)".*/\1=\2/' |
      sed 's/&amp;/\&/g' | paste -sd'&')
    http POST /oauth/authorize -b "$jar" -c "$jar" --data "$form&decision=approve"
    flow_seen[$(served_name "$SERVED")]=1
  fi
  if [[ $STATUS == 302 && $(header Location) == "http://127.0.0.1:4711/cb?code="* ]]; then
    code=$(header Location | sed -E 's/.*[?&]code=([^&]*).*/\1/')
  else
    flow_ok=0; note "authorize $i: $STATUS $(header Location) ${BODY:0:200}"; break
  fi
done
((flow_ok && ${#flow_seen[@]} == ${#auth_names[@]})) &&
  pass "the session made on $login_served served the code flow on every auth replica: ${!flow_seen[*]}" ||
  fail "code flow across replicas (ok=$flow_ok, replicas: ${!flow_seen[*]})"
form_token -d grant_type=authorization_code -d "client_id=$spa_id" --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=http://127.0.0.1:4711/cb" -d "code_verifier=$verifier"
expect "authorization code exchanged with PKCE" 200
form_token -d grant_type=authorization_code -d "client_id=$spa_id" --data-urlencode "code=$code" \
  --data-urlencode "redirect_uri=http://127.0.0.1:4711/cb" -d "code_verifier=$verifier"
[[ $STATUS == 400 && $(jbody .error) == invalid_grant ]] && pass "a code replayed: invalid_grant" ||
  fail "code replay: $STATUS $BODY"
http POST /logout -b "$jar" -c "$jar" -H 'Content-Type: application/json' -d '{}'
expect "POST /logout" 303

# ======================================================================================
step "posts API through the gateway"
auth_h() { echo "Authorization: Bearer $1"; }
http GET /api/posts
expect "GET /api/posts without a token" 401
[[ $(header WWW-Authenticate) == Bearer* ]] && pass "401 carries WWW-Authenticate: Bearer" || fail "WWW-Authenticate: $(header WWW-Authenticate)"
http GET /api/posts -H "$(auth_h not-a-token)"
expect "GET /api/posts with a malformed token" 401
http POST /api/posts -H "$(auth_h "$writer_access")" -H 'Content-Type: application/json' \
  -d '{"title":"Hello from compose","body":"Posted through the gateway."}'
expect "POST /api/posts (write-posts)" 201
post_id=$(jbody .id)
[[ $(jbody .author.sub) != null && $(jbody .author.client_id) == "$pc_id" ]] && pass "post author is the user, via the password client" ||
  fail "post author: $(jbody .author)"
http POST /api/posts -H "$(auth_h "$writer_access")" -H 'Content-Type: application/json' -d '{"title":"","body":"x"}'
expect "POST /api/posts with an empty title" 422
http POST /api/posts -H "$(auth_h "$writer_access")" -H 'Content-Type: application/json' -d '{"title":'
expect "POST /api/posts with malformed JSON" 400
http POST /api/posts -H "$(auth_h "$reader_access")" -H 'Content-Type: application/json' -d '{"title":"t","body":"b"}'
expect "POST /api/posts with read-posts only" 403
[[ $(header WWW-Authenticate) == *insufficient_scope* ]] && pass "403 names insufficient_scope" || fail "WWW-Authenticate: $(header WWW-Authenticate)"
http POST /api/posts -H "$(auth_h "$cc_access")" -H 'Content-Type: application/json' -d '{"title":"machine","body":"from a client"}'
expect "POST /api/posts with a client-credentials token" 201
[[ $(jbody .author.sub) == "$cc_id" ]] && pass "client-credentials post: author.sub is the client id" || fail "author.sub $(jbody .author.sub)"
cc_post=$(jbody .id)
http GET "/api/posts?limit=1" -H "$(auth_h "$reader_access")"
expect "GET /api/posts?limit=1" 200
[[ $(jbody '.data | length') == 1 && $(jbody .next_cursor) != null ]] && pass "pagination: one post and a next_cursor" || fail "page: $BODY"
cursor=$(jbody .next_cursor)
http GET "/api/posts?limit=1&cursor=$(jq -rn --arg c "$cursor" '$c|@uri')" -H "$(auth_h "$reader_access")"
expect "GET /api/posts with the cursor" 200
[[ $(jbody '.data[0].id') == "$post_id" ]] && pass "second page holds the older post" || fail "second page: $BODY"
http GET "/api/posts?limit=0" -H "$(auth_h "$reader_access")"
expect "GET /api/posts?limit=0" 400
http GET "/api/posts/$post_id" -H "$(auth_h "$reader_access")"
expect "GET /api/posts/{id}" 200
[[ $(jbody .title) == "Hello from compose" ]] && pass "post read back" || fail "post: $BODY"
http DELETE "/api/posts/$post_id" -H "$(auth_h "$writer_access")"
expect "DELETE /api/posts/{id} without admin" 403
http DELETE "/api/posts/$post_id" -H "$(auth_h "$admin_access")"
expect "DELETE /api/posts/{id} with admin" 204
http GET "/api/posts/$post_id" -H "$(auth_h "$reader_access")"
expect "GET a deleted post" 404
http DELETE "/api/posts/$post_id" -H "$(auth_h "$admin_access")"
expect "DELETE a deleted post" 404

# ======================================================================================
step "requests reach every replica"
spread() { # spread PATH N [curl args]: SEEN = the replicas that answered, SPREAD_BAD = non-2xx count
  local path=$1 n=$2 i
  shift 2
  declare -A seen=()
  SPREAD_BAD=0
  for i in $(seq "$n"); do
    http GET "$path" "$@"
    [[ $STATUS == 2* ]] || { SPREAD_BAD=$((SPREAD_BAD + 1)); note "GET $path: $STATUS from $SERVED"; }
    seen[$(served_name "$SERVED")]=1
  done
  SEEN=$(printf '%s\n' "${!seen[@]}" | sort | tr '\n' ' ')
}
check_spread() { # check_spread LABEL EXPECTED_NAMES... (from SEEN)
  local label=$1
  shift
  local want
  want=$(printf '%s\n' "$@" | sort | tr '\n' ' ')
  if [[ $SEEN == "$want" && $SPREAD_BAD == 0 ]]; then pass "$label: $SEEN"; else fail "$label: saw '$SEEN' ($SPREAD_BAD errors), want '$want'"; fi
}
spread /api/posts 30 -H "$(auth_h "$reader_access")"
check_spread "30 GET /api/posts reached every resource replica" "${resource_names[@]}"
spread /.well-known/jwks.json 20
check_spread "20 GET /.well-known/jwks.json reached every auth replica" "${auth_names[@]}"

# ======================================================================================
step "revocation"
[[ $(jq -r '.revocation_endpoint // empty' <<<"$metadata") != "" ]] && pass "metadata names the revocation endpoint" || fail "metadata has no revocation_endpoint"
# every_replica_refuses TOKEN: within 1 s of the revocation, each resource replica says 401.
every_replica_refuses() {
  declare -A refused=()
  local i ok=1 name
  for i in $(seq 40); do
    http GET /api/posts -H "$(auth_h "$1")"
    name=$(served_name "$SERVED")
    if [[ $STATUS == 401 ]]; then refused[$name]=1; else ok=0; note "$name answered $STATUS"; fi
    ((${#refused[@]} == ${#resource_names[@]})) && break
  done
  ((ok && ${#refused[@]} == ${#resource_names[@]}))
}
# revoke_then_refused TOKEN HINT ACCESS WHAT: revokes TOKEN, then every replica must refuse ACCESS.
revoke_then_refused() {
  http POST /oauth/revoke -u "$pc_id:$pc_secret" --data-urlencode "token=$1" -d token_type_hint="$2"
  expect "POST /oauth/revoke ($2)" 200
  sleep 1
  if every_replica_refuses "$3"; then
    pass "1 s after revoking $4, every resource replica refuses the access token"
  else
    fail "access token still accepted by a resource replica after revoking $4"
  fi
}
password_grant "read-posts"
fam_access=$ACCESS fam_refresh=$REFRESH
http GET /api/posts -H "$(auth_h "$fam_access")"
expect "access token works before revocation" 200
revoke_then_refused "$fam_refresh" refresh_token "$fam_access" "its refresh token"
form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$fam_refresh"
expect "revoked refresh token refused" 400
password_grant "read-posts"
single_access=$ACCESS  # revoked alone; must still be refused after the Redis restart below
revoke_then_refused "$ACCESS" access_token "$ACCESS" "the access token itself"

# ======================================================================================
step "a replica stops; the service keeps answering"
victim_resource=${resource_names[-1]}
victim_auth=${auth_names[-1]}
timed "stop one replica of each service" podman stop -t 15 "$victim_resource" "$victim_auth" >/dev/null 2>>"$work/podman.err"
note "stopped $victim_resource and $victim_auth"
spread /api/posts 20 -H "$(auth_h "$reader_access")"
check_spread "GET /api/posts with one resource replica stopped" "${resource_names[@]:0:${#resource_names[@]}-1}"
ok=1
declare -A cc_seen=()
for _ in $(seq 10); do
  form_token -u "$cc_id:$cc_secret" -d grant_type=client_credentials -d scope=read-posts
  [[ $STATUS == 200 ]] || { ok=0; note "token: $STATUS $BODY"; }
  cc_seen[$(served_name "$SERVED")]=1
done
((ok)) && pass "10 token requests with one auth replica stopped (served by ${!cc_seen[*]})" || fail "token requests with one auth replica stopped"
timed "start them again" podman start "$victim_resource" "$victim_auth" >/dev/null 2>>"$work/podman.err"
timed "wait for health after the restart" wait_healthy 90 || fail "restarted replicas not healthy"
sleep 3 # > GATEWAY_DNS_TTL
map_replicas
spread /api/posts 30 -H "$(auth_h "$reader_access")"
check_spread "the restarted replica is back in rotation" "${resource_names[@]}"

step "scaling down and up is followed by the gateway"
timed "scale resource-service to 2" dc up -d --no-deps --no-recreate --scale resource-service=2 resource-service >"$work/scale.log" 2>&1 ||
  fail "scale down: $(tail -3 "$work/scale.log")"
sleep 3
map_replicas
resource_names=($(replica_names resource-service))
spread /api/posts 20 -H "$(auth_h "$reader_access")"
((${#resource_names[@]} == 2)) && check_spread "after --scale resource-service=2, only the two replicas answer" "${resource_names[@]}" ||
  fail "scale down left ${#resource_names[@]} replicas"
timed "scale resource-service to 4" dc up -d --no-deps --no-recreate --scale resource-service=4 resource-service >"$work/scale.log" 2>&1 ||
  fail "scale up: $(tail -3 "$work/scale.log")"
wait_healthy 90 || fail "new replicas not healthy"
sleep 3
map_replicas
resource_names=($(replica_names resource-service))
spread /api/posts 40 -H "$(auth_h "$reader_access")"
((${#resource_names[@]} == 4)) && check_spread "after --scale resource-service=4, all four answer" "${resource_names[@]}" ||
  fail "scale up left ${#resource_names[@]} replicas"

# ======================================================================================
step "rolling restart under load: every replica restarted one at a time, no request fails"
# RELIABILITY.md, scenario 5: tests/chaos/rolling.mjs holds the chaos harness's mixed load
# through the gateway (client credentials, refresh chains, password grants, GET and POST
# /api/posts, PAT creation) and checks every acknowledged write at the end. Each replica goes
# through SIGTERM (its drain), a new start (no connection accepted before it can serve), and
# health; the gateway retries only what never reached a replica (connection refused).
(umask 077; jq -n --arg pid "$pc_id" --arg ps "$pc_secret" --arg cid "$cc_id" --arg cs "$cc_secret" \
  --arg u "$user_email" --arg p "$user_password" \
  '{password_client:{id:$pid,secret:$ps},cc_client:{id:$cid,secret:$cs},user:{email:$u,password:$p}}' \
  >"$work/rolling-credentials.json")  # secrets: readable by this user only
rm -f "$work/rolling.stop"
"$root/scripts/node.sh" "$root/tests/chaos/rolling.mjs" "$base" "$work/rolling-credentials.json" "$work/rolling.stop" \
  >"$work/rolling.out" 2>&1 &
rolling_pid=$!
sleep 3
for name in $(replica_names auth-service) $(replica_names resource-service); do
  timed "restart $name under load" podman restart -t 15 "$name" >/dev/null 2>>"$work/podman.err" ||
    fail "podman restart $name"
  wait_healthy 90 || fail "$name not healthy after its restart"
  sleep 3 # > GATEWAY_DNS_TTL: the gateway knows the replica again before the next one stops
done
touch "$work/rolling.stop"
if wait "$rolling_pid"; then
  pass "rolling restart of every replica under load: $(tail -1 "$work/rolling.out")"
else
  fail "rolling restart under load: $(tail -5 "$work/rolling.out")"
fi
map_replicas

# ======================================================================================
step "key rotation (deploy/README.md runbook): authctl keys --force, SIGHUP every auth replica"
jwt_kid() { # the kid in a JWS header
  local h=${1%%.*}
  h=$(tr '_-' '/+' <<<"$h")
  while ((${#h} % 4)); do h+="="; done
  base64 -d <<<"$h" 2>/dev/null | jq -r .kid
}
old_kid=$(jwt_kid "$reader_access")
if out=$(dc run --rm -T --no-deps init authctl keys --force --json 2>"$work/run.err"); then
  new_kid=$(jq -r .kid <<<"$out")
  pass "authctl keys --force (new kid $new_kid)"
else
  fail "authctl keys --force: $(tail -2 "$work/run.err")"
  new_kid=unknown
fi
dc kill -s SIGHUP auth-service >/dev/null 2>&1 || fail "docker-compose kill -s SIGHUP auth-service"
sleep 1
declare -A kid_seen=()
kids_ok=1
for _ in $(seq 16); do
  form_token -u "$cc_id:$cc_secret" -d grant_type=client_credentials -d scope=read-posts
  kid=$(jwt_kid "$(jbody .access_token)")
  [[ $STATUS == 200 && $kid == "$new_kid" ]] || { kids_ok=0; note "token $STATUS kid $kid from $(served_name "$SERVED")"; }
  kid_seen[$(served_name "$SERVED")]=1
  rotated_access=$(jbody .access_token)
done
((kids_ok && ${#kid_seen[@]} == ${#auth_names[@]})) &&
  pass "after SIGHUP every auth replica signs with the new key: ${!kid_seen[*]}" ||
  fail "new key not used by every auth replica (ok=$kids_ok, replicas: ${!kid_seen[*]})"
http GET /.well-known/jwks.json
[[ $(jq -r --arg a "$old_kid" --arg b "$new_kid" '[.keys[].kid] | (index($a) != null) and (index($b) != null)' <<<"$BODY") == true ]] &&
  pass "JWKS publishes the new and the old key" || fail "JWKS after rotation: $BODY"
spread /api/posts 30 -H "$(auth_h "$rotated_access")"
check_spread "a token signed with the new key is accepted by every resource replica" "${resource_names[@]}"
http GET /api/posts -H "$(auth_h "$reader_access")"
expect "a token signed with the old key is still accepted" 200

# ======================================================================================
step "Redis restart: refresh tokens and revocations survive"
timed "redis restart" dc restart redis >/dev/null 2>&1 || fail "docker-compose restart redis"
# Health states lag (a replica turns unhealthy only after 3 failed checks), so ask every
# replica's /readyz directly (the host reaches the containers' addresses on podman's
# bridge) until all answer 200 again.
replicas_ready() {
  local ip port
  for ip in "${!IP_NAME[@]}"; do
    case ${IP_NAME[$ip]} in *auth-service*) port=8081 ;; *) port=8082 ;; esac
    curl -sf --max-time 2 -o /dev/null "http://$ip:$port/readyz" || return 1
  done
}
map_replicas
ready_again() {
  local _
  for _ in $(seq 60); do replicas_ready && return 0; sleep 1; done
  return 1
}
if timed "replicas ready after the Redis restart" ready_again; then
  pass "every replica reconnected to Redis (/readyz 200)"
else
  fail "replicas not ready 60 s after the Redis restart"
fi
form_token -u "$pc_id:$pc_secret" -d grant_type=refresh_token --data-urlencode "refresh_token=$refresh"
expect "a refresh token issued before the Redis restart still works" 200
refreshed_access=$(jbody .access_token)
spread /api/posts 30 -H "$(auth_h "$refreshed_access")"
check_spread "its new access token is accepted by every resource replica" "${resource_names[@]}"
http GET /api/posts -H "$(auth_h "$single_access")"
expect "a token revoked before the Redis restart is still refused" 401
