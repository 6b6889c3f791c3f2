#!/usr/bin/env bash
# Fault injection under load (RELIABILITY.md): a PostgreSQL and a Redis of its own under
# var/chaos (durable settings: PG_DURABLE=1, Redis appendfsync always), both services started
# by the harness, then tests/chaos/chaos.mjs: one scenario at a time, one line each.
#   scripts/chaos.sh [--ci] [redis-kill pg-restart redis-pause sigterm flood soak]
#     (default: all but soak; --ci: redis-kill pg-restart sigterm at low load, under 3 minutes)
# Env: BUILD_DIR (default build), CHAOS_PG_PORT (25732), CHAOS_REDIS_PORT (26679),
#      CHAOS_SOAK_MINUTES (10), CHAOS_WORKERS / CHAOS_GAP_MS (the load: loops per request kind
#      and the pause between a loop's requests), HTTP_MAX_CONNECTIONS (1000, for the flood).
# Exits non-zero when any scenario lost an acknowledged write, answered 500, hung past its
# bound or did not recover in time. Service logs: var/chaos/logs/.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
build_dir=${BUILD_DIR:-build}
[[ -x $build_dir/bin/auth-service ]] || ./scripts/build.sh
bin=$root/$build_dir/bin
chaos=$root/var/chaos

# The datastores of this run only: started empty, stopped at the end.
cat > "$root/var/chaos-services" <<EOF
#!/usr/bin/env bash
export VAR_DIR=$chaos PG_PORT=${CHAOS_PG_PORT:-25732} REDIS_PORT=${CHAOS_REDIS_PORT:-26679} PG_DURABLE=1 REDIS_APPENDFSYNC=always
exec $root/scripts/services.sh "\$@"
EOF
chmod +x "$root/var/chaos-services"
services=$root/var/chaos-services
"$services" stop >/dev/null 2>&1 || true
rm -rf "$chaos"
mkdir -p "$chaos/logs"
trap '"$services" stop >/dev/null 2>&1 || true' EXIT
"$services" start >/dev/null
eval "$("$services" env)"
export DATABASE_URL REDIS_URL
export AUTH_KEYS_DIR=$chaos/keys

"$bin/authctl" install --json > "$chaos/install.json"
"$bin/authctl" client create --name chaos-machine --grants client_credentials --scopes read-posts --json > "$chaos/cc.json"
password=$(head -c 18 /dev/urandom | base64 | tr -d '/+=')
"$bin/authctl" user create --email chaos@example.com --password "$password" --scopes read-posts,write-posts --json >/dev/null
python3 - "$chaos" "$password" <<'PY'
import json, os, sys
d, password = sys.argv[1], sys.argv[2]
install = json.load(open(f"{d}/install.json"))
cc = json.load(open(f"{d}/cc.json"))
out = {"password_client": install["password_client"], "cc_client": {"id": cc["id"], "secret": cc["secret"]},
       "user": {"email": "chaos@example.com", "password": password}}
path = f"{d}/credentials.json"
with open(os.open(path, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600), "w") as f:
    json.dump(out, f)
PY
rm -f "$chaos/install.json" "$chaos/cc.json"

export CHAOS_BIN_DIR=$bin CHAOS_LOG_DIR=$chaos/logs CHAOS_CREDENTIALS=$chaos/credentials.json CHAOS_SERVICES=$services
./scripts/node.sh tests/chaos/chaos.mjs "$@"
