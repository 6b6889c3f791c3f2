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
# The node tests (tests/browser, tests/e2e) need node with npm, the browser test chromium.
# Their node is the one a fresh Debian 12 gets, Debian's nodejs 18 (scripts/node.sh runs it):
# installed from Debian when the machine
# has no node; when the machine has another node, Debian's is unpacked under var/node-debian12
# beside it (the shared libraries it links are ordinary Debian packages), so a newer node can
# never hide a dependency on it.
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
node_dir=${VAR_DIR:-$root/var}/node-debian12
debian_node_major=18
unpack_debian_node=0
if [[ "${WITH_BROWSER:-0}" == 1 ]]; then
  packages+=(chromium)
  if ! command -v node >/dev/null; then
    packages+=(nodejs npm)
  else
    command -v npm >/dev/null || packages+=(npm)
    if [[ -z ${OAUTH_NODE:-} && $(node -p 'process.versions.node.split(".")[0]' 2>/dev/null) != "$debian_node_major" ]]; then
      packages+=(libuv1 libc-ares2 libicu72 libnghttp2-14 libbrotli1)
      unpack_debian_node=1
    fi
  fi
fi

apt_update_done=0
apt_update() {
  [[ $apt_update_done == 1 ]] && return 0
  "${sudo_cmd[@]}" apt-get update -qq
  apt_update_done=1
}

# Debian 12's nodejs (and the packages holding the built-in modules it loads from
# /usr/share/nodejs) unpacked under var/node-debian12; again only when Debian's version changed.
debian_node() {
  [[ $unpack_debian_node == 1 ]] || return 0
  local version
  version=$(apt-cache madison nodejs | awk -F' *[|] *' '$2 ~ /deb12/ {print $2}' | sort -V | tail -1)
  if [[ -z $version ]]; then apt_update; version=$(apt-cache madison nodejs | awk -F' *[|] *' '$2 ~ /deb12/ {print $2}' | sort -V | tail -1); fi
  if [[ -z $version ]]; then echo "deps: Debian 12's nodejs is not in the apt sources: cannot provide node $debian_node_major" >&2; exit 1; fi
  [[ -x $node_dir/usr/bin/node && $(cat "$node_dir/VERSION" 2>/dev/null) == "$version" ]] && return 0
  echo "deps: unpacking Debian's nodejs $version under $node_dir (the machine's node is $(node --version))" >&2
  local tmp
  tmp=$(mktemp -d)
  chmod 755 "$tmp"  # apt-get download drops privileges to _apt where it can
  (cd "$tmp" && apt-get download -q=2 "nodejs=$version" "libnode108=$version" node-undici node-acorn node-cjs-module-lexer 2>/dev/null) ||
    { echo "deps: apt-get download of Debian's nodejs $version failed" >&2; rm -rf "$tmp"; exit 1; }
  rm -rf "$node_dir"
  mkdir -p "$node_dir"
  for deb in "$tmp"/*.deb; do dpkg-deb -x "$deb" "$node_dir"; done
  rm -rf "$tmp"
  echo "$version" >"$node_dir/VERSION"
}

# The node tests' npm packages, each directory pinned by its package-lock.json: tests/browser
# (playwright-core; it drives Debian's chromium and never downloads a browser) and tests/client
# (oauth4webapi, the third-party client library of tests/e2e/oauth4webapi.test.mjs). Each is
# reinstalled with `npm ci` when its pin changes, then checked against the node that will run it
# (one line per package that cannot work). oauth4webapi declares no `engines` (its README names
# node 20 as baseline): on node 18 the test gives it node:crypto's webcrypto as globalThis.crypto,
# and the test passing on scripts/node.sh is what shows the pin works there.
npm_modules() {
  local dir=$root/tests/$1 package=$2
  local want have
  want=$(node -p 'require(process.argv[1]).packages["node_modules/" + process.argv[2]].version' "$dir/package-lock.json" "$package")
  have=$(node -p 'require(process.argv[1]).version' "$dir/node_modules/$package/package.json" 2>/dev/null || true)
  if [[ "$want" != "$have" ]]; then
    echo "deps: npm ci in tests/$1 ($package $want)" >&2
    (cd "$dir" && PLAYWRIGHT_SKIP_BROWSER_DOWNLOAD=1 npm ci --no-audit --no-fund --loglevel=error >/dev/null)
  fi
  "$root/scripts/node.sh" "$root/scripts/check-node-engines.mjs" "$dir/package-lock.json" >&2 ||
    { echo "deps: the pinned npm packages above do not run on node $("$root/scripts/node.sh" --version) (scripts/node.sh)" >&2; exit 1; }
}

browser_modules() {
  [[ "${WITH_BROWSER:-0}" == 1 ]] || return 0
  debian_node
  npm_modules browser playwright-core
  npm_modules client oauth4webapi
}

sudo_cmd=()
if [[ $(id -u) -ne 0 ]]; then sudo_cmd=(sudo); fi

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
export DEBIAN_FRONTEND=noninteractive
apt_update
"${sudo_cmd[@]}" apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
# Debian's postgresql package starts a cluster on 5432 via systemd/init; our own
# servers live under ./var on their own ports, so the distribution cluster is left alone.
browser_modules
