#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the local servers need.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libhiredis-dev libpq-dev libsodium-dev libcrypt-dev doctest-dev
  postgresql-15 postgresql-client-15 redis-server
  openssl procps python3
)
if [[ "${WITH_BENCH:-0}" == 1 ]]; then packages+=(wrk); fi
# The browser test needs chromium and a node with npm (the image may ship its own node).
if [[ "${WITH_BROWSER:-0}" == 1 ]]; then packages+=(chromium); command -v npm >/dev/null || packages+=(nodejs npm); fi

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  exit 0
fi

echo "deps: installing ${missing[*]}" >&2
sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi
export DEBIAN_FRONTEND=noninteractive
"${sudo_cmd[@]}" apt-get update -qq
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package starts a cluster on 5432 via systemd/init; our own
# servers live under ./var on their own ports, so the distribution cluster is left alone.
