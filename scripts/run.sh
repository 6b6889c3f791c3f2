#!/usr/bin/env bash
# One command from a fresh Debian 12 machine to both services running locally:
# packages, build, PostgreSQL and Redis under ./var, keys and clients (authctl install),
# a demo user, then auth-service and resource-service in the foreground (Ctrl-C stops both).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"

./scripts/deps.sh
./scripts/build.sh
./scripts/services.sh start
eval "$(./scripts/services.sh env)"

bin=$root/build/bin
var=$root/var
mkdir -p "$var"
export AUTH_KEYS_DIR=${AUTH_KEYS_DIR:-$var/keys}
export AUTH_ISSUER=${AUTH_ISSUER:-http://localhost:8081}
export AUTH_JWKS_URL=${AUTH_JWKS_URL:-http://127.0.0.1:8081/.well-known/jwks.json}
export LISTEN_ADDR_AUTH=${LISTEN_ADDR_AUTH:-0.0.0.0:8081}
export LISTEN_ADDR_RESOURCE=${LISTEN_ADDR_RESOURCE:-0.0.0.0:8082}
# The playground (http://localhost:8081/playground) calls the posts API on 8082 from the
# browser: the resource service must allow the auth service's origin, by either host name.
export PLAYGROUND_API_URL=${PLAYGROUND_API_URL:-http://localhost:8082}
export CORS_ALLOWED_ORIGINS=${CORS_ALLOWED_ORIGINS:-http://localhost:8081 http://127.0.0.1:8081}

# authctl install is idempotent but shows a secret only when it creates it, so the
# local credentials are kept in var/credentials.json (var/ is never committed).
creds=$var/credentials.json
if [[ ! -s $creds ]] || ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["password_client"]["secret"]' "$creds" 2>/dev/null; then
  "$bin/authctl" install --json >"$creds.new"
  if ! python3 -c 'import json,sys; d=json.load(open(sys.argv[1])); d["password_client"]["secret"]' "$creds.new" 2>/dev/null; then
    echo "run.sh: the password client exists but its secret is not in $creds." >&2
    echo "        Create a new one with: $bin/authctl client create --name 'Password Grant Client' --grants password,refresh_token" >&2
    exit 1
  fi
  mv "$creds.new" "$creds"
  chmod 600 "$creds"
fi
export OAUTH_PASSWORD_CLIENT_ID=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password_client"]["id"])' "$creds")
export OAUTH_PASSWORD_CLIENT_SECRET=$(python3 -c 'import json,sys; print(json.load(open(sys.argv[1]))["password_client"]["secret"])' "$creds")

demo_user=demo@example.com
demo_file=$var/demo-user.txt
if [[ ! -s $demo_file ]]; then
  demo_password=$(head -c 12 /dev/urandom | base64 | tr -d '/+=')
  if "$bin/authctl" user create --email "$demo_user" --password "$demo_password" --name Demo \
      --scopes read-posts,write-posts,admin --json >/dev/null 2>"$var/demo-user.err"; then
    echo "$demo_password" >"$demo_file"
    chmod 600 "$demo_file"
  else
    echo "run.sh: could not create $demo_user: $(cat "$var/demo-user.err")" >&2
  fi
fi
demo_password=$(cat "$demo_file" 2>/dev/null || echo '(unknown: delete the user or var/demo-user.txt)')

pids=()
cleanup() {
  for pid in "${pids[@]}"; do kill -TERM "$pid" 2>/dev/null || true; done
  wait || true
}
trap cleanup EXIT INT TERM

LISTEN_ADDR=$LISTEN_ADDR_AUTH "$bin/auth-service" &
pids+=($!)
LISTEN_ADDR=$LISTEN_ADDR_RESOURCE "$bin/resource-service" &
pids+=($!)

for _ in $(seq 100); do
  curl -fs http://127.0.0.1:8081/healthz >/dev/null 2>&1 && curl -fs http://127.0.0.1:8082/healthz >/dev/null 2>&1 && break
  sleep 0.1
done

cat <<INFO

  auth-service      http://localhost:8081   (token endpoint POST /oauth/token)
  resource-service  http://localhost:8082   (posts API /api/posts)
  playground        http://localhost:8081/playground   (log in as the demo user below)
  JWKS              http://localhost:8081/.well-known/jwks.json

  password client   id     $OAUTH_PASSWORD_CLIENT_ID
                    secret $OAUTH_PASSWORD_CLIENT_SECRET
  demo user         $demo_user / $demo_password

  try:
    curl -s -u "$OAUTH_PASSWORD_CLIENT_ID:$OAUTH_PASSWORD_CLIENT_SECRET" \\
      -d grant_type=password -d username=$demo_user -d password='$demo_password' \\
      -d scope='read-posts write-posts' http://localhost:8081/oauth/token

  PostgreSQL and Redis keep running under ./var (scripts/services.sh stop ends them).
  Ctrl-C stops both services.
INFO
wait -n "${pids[@]}"
