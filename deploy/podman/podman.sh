#!/usr/bin/env bash
# Podman as a Docker engine for docker-compose on a machine without Docker (and without
# image registries): the machinery deploy/compose-test.sh uses, usable by hand too.
#
#   deploy/podman/podman.sh up       packages, runtime wrapper, API service, health driver,
#                                    local base image and stand-in images; prints the exports
#   deploy/podman/podman.sh env      prints the exports (DOCKER_HOST, CONTAINERS_CONF, images)
#   deploy/podman/podman.sh down     stops the health driver and the API service it started
#   deploy/podman/podman.sh images   (re)builds the base and stand-in images if missing
#
#   eval "$(deploy/podman/podman.sh up)"
#   docker-compose --env-file my.env up -d --scale auth-service=2 --scale resource-service=3
#
# Sourced by compose-test.sh for the functions below. Settings (environment):
#   PODMAN_STATE_DIR   socket, containers.conf, pid files, logs (default /tmp/oauth-podman)
#   OAUTH_BASE_IMAGE   local Debian 12 image made with mmdebstrap (default localhost/oauth-base:bookworm)
#   DEBIAN_MIRROR      for mmdebstrap (default http://deb.debian.org/debian)
#   REBUILD_IMAGES=1   rebuild the base and stand-in images even when present
#
# What is special about this machine (see deploy/README.md, "Testing with podman"):
#   - no Docker engine: `podman system service` serves the Docker API on a unix socket;
#   - no registry: debian:bookworm-slim, postgres, redis and nginx cannot be pulled, so a
#     bookworm base image is built with mmdebstrap and the three servers are built from
#     Debian's packages behind the official images' interface (deploy/standins/);
#   - no CAP_SYS_RESOURCE: runc cannot set rlimits, so podman runs a wrapper that drops
#     them (oci-runtime-wrapper);
#   - no systemd: podman's healthcheck timers never fire, so health-driver runs them.
set -euo pipefail

podman_dir=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
deploy_dir=$(dirname "$podman_dir")
: "${PODMAN_STATE_DIR:=/tmp/oauth-podman}"
: "${OAUTH_BASE_IMAGE:=localhost/oauth-base:bookworm}"
: "${DEBIAN_MIRROR:=http://deb.debian.org/debian}"
: "${DEBIAN_SECURITY_MIRROR:=http://deb.debian.org/debian-security}"
STANDIN_POSTGRES_IMAGE=localhost/oauth-standin-postgres:15
STANDIN_REDIS_IMAGE=localhost/oauth-standin-redis:7
STANDIN_NGINX_IMAGE=localhost/oauth-standin-nginx:1.22

podman_log() { echo "[podman] $*" >&2; }

# Debian packages: podman (with netavark + aardvark-dns for per-network DNS), iptables
# (netavark runs it, and no package depends on it: without it every RUN of a build fails with
# "netavark: No such file or directory"), runc for the wrapper, Debian's docker-compose 1.29,
# mmdebstrap for the base image; no recommends (docker-compose recommends docker.io, which is
# not wanted here).
podman_install_packages() {
  local pkgs=(podman runc netavark aardvark-dns iptables uidmap docker-compose mmdebstrap curl python3 jq)
  local missing=() p status
  for p in "${pkgs[@]}"; do
    status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
    [[ $status == installed ]] || missing+=("$p")
  done
  ((${#missing[@]} == 0)) && return 0
  podman_log "installing ${missing[*]}"
  local sudo_cmd=()
  [[ $(id -u) -eq 0 ]] || sudo_cmd=(sudo)
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get update -qq
  DEBIAN_FRONTEND=noninteractive "${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
}

podman_configure() {
  mkdir -p "$PODMAN_STATE_DIR"
  cat >"$PODMAN_STATE_DIR/containers.conf" <<CONF
# Written by deploy/podman/podman.sh: runc behind a wrapper that drops process.rlimits.
[engine]
runtime = "runc"
[engine.runtimes]
runc = ["$podman_dir/oci-runtime-wrapper"]
CONF
  # Every podman command (the API service and any CLI call that execs into a container)
  # must see this file, or it runs the bare runtime and fails on rlimits.
  export CONTAINERS_CONF=$PODMAN_STATE_DIR/containers.conf
  export DOCKER_HOST=unix://$PODMAN_STATE_DIR/podman.sock
  # docker-compose 1.29 builds through the `docker` CLI by default; through the API
  # (docker-py) podman's builder serves the build, with RUN --mount=type=cache.
  export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
}

podman_api_ok() {
  curl -sf --max-time 5 --unix-socket "$PODMAN_STATE_DIR/podman.sock" http://d/_ping >/dev/null 2>&1
}

podman_service_start() {
  podman_api_ok && return 0
  rm -f "$PODMAN_STATE_DIR/podman.sock"
  podman system service --time=0 "unix://$PODMAN_STATE_DIR/podman.sock" \
    >"$PODMAN_STATE_DIR/service.log" 2>&1 &
  echo $! >"$PODMAN_STATE_DIR/service.pid"
  local _
  for _ in $(seq 100); do podman_api_ok && return 0; sleep 0.1; done
  podman_log "podman system service did not answer; log: $PODMAN_STATE_DIR/service.log"
  tail -20 "$PODMAN_STATE_DIR/service.log" >&2
  return 1
}

podman_health_driver_start() {
  local label=${1:-} interval=${2:-2}
  podman_health_driver_stop
  "$podman_dir/health-driver" "$PODMAN_STATE_DIR/podman.sock" "$interval" $label \
    >"$PODMAN_STATE_DIR/health-driver.log" 2>&1 &
  echo $! >"$PODMAN_STATE_DIR/health-driver.pid"
}

stop_pidfile() {
  local f=$1 pid
  [[ -s $f ]] || return 0
  pid=$(cat "$f")
  if kill -0 "$pid" 2>/dev/null; then
    kill -TERM "$pid" 2>/dev/null || true
    for _ in $(seq 50); do kill -0 "$pid" 2>/dev/null || break; sleep 0.1; done
  fi
  rm -f "$f"
}

podman_health_driver_stop() { stop_pidfile "$PODMAN_STATE_DIR/health-driver.pid"; }
podman_service_stop() { stop_pidfile "$PODMAN_STATE_DIR/service.pid"; }

image_missing() {
  [[ ${REBUILD_IMAGES:-0} == 1 ]] && return 0
  ! podman image exists "$1"
}

# Debian 12 minbase with the three suites the official image has (updates and security
# included, so runtime libraries match what the builder links against), trimmed like
# debian:bookworm-slim (no docs, man pages or locales).
podman_base_image() {
  image_missing "$OAUTH_BASE_IMAGE" || return 0
  local tar=$PODMAN_STATE_DIR/bookworm-base.tar
  podman_log "building $OAUTH_BASE_IMAGE with mmdebstrap (about 1-2 minutes)"
  mmdebstrap --quiet --variant=minbase --include=ca-certificates \
    --dpkgopt='path-exclude=/usr/share/doc/*' --dpkgopt='path-include=/usr/share/doc/*/copyright' \
    --dpkgopt='path-exclude=/usr/share/man/*' --dpkgopt='path-exclude=/usr/share/locale/*' \
    --dpkgopt='path-exclude=/usr/share/info/*' \
    --customize-hook='rm -rf "$1"/var/lib/apt/lists/* "$1"/var/cache/apt/*.bin' \
    bookworm "$tar" \
    "deb $DEBIAN_MIRROR bookworm main" \
    "deb $DEBIAN_MIRROR bookworm-updates main" \
    "deb $DEBIAN_SECURITY_MIRROR bookworm-security main"
  podman import --change 'CMD ["/bin/bash"]' "$tar" "$OAUTH_BASE_IMAGE" >/dev/null
  rm -f "$tar"
}

# PostgreSQL, Redis and nginx from Debian's packages, behind the environment variables,
# paths and entrypoints of the official postgres, redis and nginx images that
# docker-compose.yml relies on (deploy/standins/*/).
podman_standin_images() {
  local name image
  for name in postgres redis nginx; do
    case $name in
      postgres) image=$STANDIN_POSTGRES_IMAGE ;;
      redis) image=$STANDIN_REDIS_IMAGE ;;
      nginx) image=$STANDIN_NGINX_IMAGE ;;
    esac
    image_missing "$image" || continue
    podman_log "building stand-in $image"
    podman build --quiet --format docker --build-arg "BASE_IMAGE=$OAUTH_BASE_IMAGE" -t "$image" \
      "$deploy_dir/standins/$name" >/dev/null
  done
}

podman_exports() {
  cat <<ENV
export CONTAINERS_CONF=$CONTAINERS_CONF
export DOCKER_HOST=$DOCKER_HOST
export COMPOSE_DOCKER_CLI_BUILD=0 DOCKER_BUILDKIT=0
export BASE_IMAGE=$OAUTH_BASE_IMAGE
export POSTGRES_IMAGE=$STANDIN_POSTGRES_IMAGE
export REDIS_IMAGE=$STANDIN_REDIS_IMAGE
export NGINX_IMAGE=$STANDIN_NGINX_IMAGE
ENV
}

if [[ ${BASH_SOURCE[0]} == "$0" ]]; then
  case ${1:-} in
    up)
      podman_install_packages
      podman_configure
      podman_service_start
      podman_health_driver_start "" 3
      podman_base_image
      podman_standin_images
      podman_exports
      ;;
    env) podman_configure; podman_exports ;;
    images) podman_configure; podman_service_start; podman_base_image; podman_standin_images ;;
    down) podman_configure; podman_health_driver_stop; podman_service_stop ;;
    *) echo "usage: $0 up|env|images|down" >&2; exit 2 ;;
  esac
fi
