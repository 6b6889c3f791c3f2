#!/bin/bash
# The part of the official redis image's entrypoint that docker-compose.yml relies on.
set -euo pipefail
if [[ ${1:-} == -* || ${1:-} == *.conf ]]; then set -- redis-server "$@"; fi
if [[ ${1:-} == redis-server ]]; then
  if [[ $(id -u) == 0 ]]; then
    chown -R redis:redis /data
    exec setpriv --reuid=redis --regid=redis --init-groups "$0" "$@"
  fi
  # The official image is built with protected mode off; Debian's binary has it on,
  # which refuses every non-loopback client when no password is set.
  shift
  set -- redis-server --protected-mode no --dir /data "$@"
fi
exec "$@"
