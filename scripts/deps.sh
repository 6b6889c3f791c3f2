#!/usr/bin/env bash
# Installs every Debian 12 package the build, the tests and the local servers need.
# Idempotent: when everything is present it only runs dpkg-query and exits.
set -euo pipefail

packages=(
  build-essential cmake ninja-build ccache pkg-config git curl ca-certificates
  libboost1.81-dev libboost-json1.81-dev
  libssl-dev libhiredis-dev libpq-dev libsodium-dev libcrypt-dev libjemalloc-dev doctest-dev
  postgresql-15 postgresql-client-15 redis-server
  openssl procps python3
)
if [[ "${WITH_BENCH:-0}" == 1 ]]; then packages+=(wrk); fi
# The browser test needs chromium and a node with npm (the image may ship its own node).
if [[ "${WITH_BROWSER:-0}" == 1 ]]; then packages+=(chromium); command -v npm >/dev/null || packages+=(nodejs npm); fi

# The browser test's npm packages (playwright-core, pinned by tests/browser/package-lock.json;
# it drives Debian's chromium and never downloads a browser), reinstalled when the pin changes.
browser_modules() {
  [[ "${WITH_BROWSER:-0}" == 1 ]] || return 0
  local dir
  dir=$(cd "$(dirname "${BASH_SOURCE[0]}")/../tests/browser" && pwd)
  local want have
  want=$(node -p 'require(process.argv[1]).packages["node_modules/playwright-core"].version' "$dir/package-lock.json")
  have=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/playwright-core/package.json" 2>/dev/null || true)
  [[ "$want" == "$have" ]] && return 0
  echo "deps: npm ci in tests/browser (playwright-core $want)" >&2
  (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
}

missing=()
for p in "${packages[@]}"; do
  status=$(dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null || true)
  [[ "$status" == installed ]] || missing+=("$p")
done

if ((${#missing[@]} == 0)); then
  browser_modules
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
browser_modules
