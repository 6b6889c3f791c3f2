#!/usr/bin/env bash
# Runs a real PostgreSQL 15 and a real redis-server on loopback, with their data under ./var.
#   scripts/services.sh start|stop|restart|status [pg|redis|all]
#   scripts/services.sh env        prints DATABASE_URL / REDIS_URL exports for these servers
#   scripts/services.sh pid pg|redis   the server's process id (the chaos harness kills and pauses it)
# Durability: Redis appendfsync REDIS_APPENDFSYNC (default always); PostgreSQL without fsync
# unless PG_DURABLE=1.
# Ports: PG_PORT (default 25432), REDIS_PORT (default 26379); below the kernel's ephemeral range (32768+), so an outgoing connection can never hold the port when a test restarts a server. Data: VAR_DIR (default ./var).
# Idempotent: starting a running server or stopping a stopped one is a no-op.
set -euo pipefail

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
var_dir=${VAR_DIR:-$root/var}
pg_port=${PG_PORT:-25432}
redis_port=${REDIS_PORT:-26379}
pg_bin=/usr/lib/postgresql/15/bin
pg_user=${PG_OS_USER:-postgres}
pg_dir=$var_dir/pg
# The cluster belongs to the postgres system user, which must be able to reach it. When the
# checkout lives under a folder that user cannot search (e.g. /root), the cluster goes to a
# fixed place under /var/tmp derived from the checkout's path instead.
if [[ $(id -u) -eq 0 ]] && id "$pg_user" >/dev/null 2>&1 && ! runuser -u "$pg_user" -- test -x "$var_dir" 2>/dev/null; then
  mkdir -p "$var_dir" 2>/dev/null || true
  if ! runuser -u "$pg_user" -- test -x "$var_dir" 2>/dev/null; then
    pg_dir=/var/tmp/oauth-platform-pg-$(printf '%s' "$var_dir" | sha256sum | cut -c1-12)
  fi
fi
pg_data=$pg_dir/data
# PostgreSQL trades durability for test speed unless PG_DURABLE=1 (the chaos harness: a post
# answered 201 must survive a kill -9 of the postmaster, so commits are flushed as in production).
if [[ ${PG_DURABLE:-0} == 1 ]]; then pg_durability=""; else
  pg_durability="-c fsync=off -c synchronous_commit=off -c full_page_writes=off"; fi
# Redis: every write reaches the disk before its reply (appendfsync always), the setting that
# loses nothing acknowledged when Redis or the machine dies; BENCHMARKS.md states its cost.
redis_appendfsync=${REDIS_APPENDFSYNC:-always}
redis_dir=$var_dir/redis

as_pg() {
  # From /, so that postgres is not asked to enter a folder it may not search.
  if [[ $(id -u) -eq 0 ]]; then (cd / && runuser -u "$pg_user" -- "$@"); else "$@"; fi
}

pg_running() { as_pg "$pg_bin/pg_ctl" -D "$pg_data" status >/dev/null 2>&1; }

pg_start() {
  mkdir -p "$pg_dir"
  if [[ $(id -u) -eq 0 ]]; then
    # initdb refuses to run as root: the cluster belongs to the postgres system user.
    id "$pg_user" >/dev/null 2>&1 || useradd --system --home-dir "$pg_dir" --shell /usr/sbin/nologin "$pg_user"
    chown "$pg_user" "$pg_dir"
    if ! runuser -u "$pg_user" -- test -w "$pg_dir"; then
      echo "services: $pg_user cannot write $pg_dir (a parent folder is not searchable); set VAR_DIR elsewhere" >&2
      exit 1
    fi
  fi
  if [[ ! -f $pg_data/PG_VERSION ]]; then
    as_pg "$pg_bin/initdb" -D "$pg_data" -U oauth --auth=trust --encoding=UTF8 --locale=C.UTF-8 --no-sync >"$pg_dir/initdb.log" 2>&1 ||
      { cat "$pg_dir/initdb.log" >&2; exit 1; }
  fi
  if pg_running; then return 0; fi
  as_pg "$pg_bin/pg_ctl" -D "$pg_data" -l "$pg_dir/server.log" -w -t 30 \
    -o "-p $pg_port -k $pg_dir -c listen_addresses=127.0.0.1 -c max_connections=200 $pg_durability" \
    start >/dev/null || { tail -20 "$pg_dir/server.log" >&2; exit 1; }
  for db in oauth oauth_test; do
    if ! "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U oauth -d postgres -tAc "select 1 from pg_database where datname='$db'" | grep -q 1; then
      "$pg_bin/psql" -h 127.0.0.1 -p "$pg_port" -U oauth -d postgres -qc "create database $db" >/dev/null
    fi
  done
}

pg_stop() {
  if pg_running; then as_pg "$pg_bin/pg_ctl" -D "$pg_data" -m fast -w stop >/dev/null; fi
}

redis_cli() { redis-cli -h 127.0.0.1 -p "$redis_port" "$@"; }
redis_running() { redis_cli ping 2>/dev/null | grep -q PONG; }

redis_start() {
  mkdir -p "$redis_dir"
  if redis_running; then return 0; fi
  # Append-only persistence: refresh tokens and revocations survive a restart.
  redis-server --bind 127.0.0.1 --port "$redis_port" --dir "$redis_dir" --daemonize yes \
    --pidfile "$redis_dir/redis.pid" --logfile "$redis_dir/redis.log" \
    --appendonly yes --appendfsync "$redis_appendfsync" --save "" --enable-debug-command local >/dev/null
  for _ in $(seq 100); do redis_running && return 0; sleep 0.05; done
  echo "services: redis-server did not start on port $redis_port" >&2
  tail -20 "$redis_dir/redis.log" >&2
  exit 1
}

redis_stop() {
  if redis_running; then
    redis_cli shutdown >/dev/null 2>&1 || true
    for _ in $(seq 100); do redis_running || return 0; sleep 0.05; done
    echo "services: redis-server did not stop" >&2
    exit 1
  fi
}

# The server's process id (the postmaster's, redis-server's); nothing when stopped.
pg_pid() { pg_running && head -1 "$pg_data/postmaster.pid"; }
redis_pid() { redis_cli info server 2>/dev/null | tr -d '\r' | awk -F: '$1=="process_id" {print $2}'; }

status() {
  if pg_running; then echo "postgres: running on 127.0.0.1:$pg_port (data $pg_data)"; else echo "postgres: stopped"; fi
  if redis_running; then echo "redis: running on 127.0.0.1:$redis_port (data $redis_dir)"; else echo "redis: stopped"; fi
}

verb=${1:-status}
which=${2:-all}
run() {
  local action=$1
  case $which in
    pg|postgres) "pg_$action" ;;
    redis) "redis_$action" ;;
    all) "pg_$action"; "redis_$action" ;;
    *) echo "services: unknown server '$which' (pg, redis or all)" >&2; exit 2 ;;
  esac
}

case $verb in
  start) run start ;;
  stop) run stop ;;
  restart) run stop; run start ;;
  status) status ;;
  pid) case $which in pg|postgres) pg_pid ;; redis) redis_pid ;; *) echo "services: pid needs pg or redis" >&2; exit 2 ;; esac ;;
  env)
    echo "export DATABASE_URL=postgresql://oauth@127.0.0.1:$pg_port/oauth"
    echo "export REDIS_URL=redis://127.0.0.1:$redis_port/0"
    echo "export TEST_DATABASE_URL=postgresql://oauth@127.0.0.1:$pg_port/oauth_test"
    echo "export TEST_REDIS_URL=redis://127.0.0.1:$redis_port/15"
    echo "export TEST_SERVICES_SCRIPT=$root/scripts/services.sh"
    ;;
  *) echo "usage: $0 start|stop|restart|status|env|pid [pg|redis|all]" >&2; exit 2 ;;
esac
