#!/usr/bin/env bash
# Runs node as the README promises it: Debian 12's own nodejs 18 (18.20.4), whatever newer
# node the machine may also have, so that no test can come to depend on a node a fresh
# Debian 12 machine does not get.
#   scripts/node.sh ARGS...        like `node ARGS...`
#   OAUTH_NODE=/path/to/node       uses that node instead (you were told: nothing checks it)
#
# Which node:
#   - OAUTH_NODE when set;
#   - the node on PATH when it is major 18 (a fresh Debian 12: `apt-get install nodejs`);
#   - otherwise Debian 12's nodejs unpacked under var/node-debian12 by `WITH_BROWSER=1
#     scripts/deps.sh`. Debian builds it with some built-in modules loaded from fixed paths
#     under /usr/share/nodejs, so it runs in a private mount namespace where that unpacked
#     tree is overlaid on /usr (read-only, for this process and its children alone: the
#     Chromium it starts sees the same /usr plus Debian's node files). Needs root, or
#     unprivileged user namespaces.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
want_major=18

if [[ -n ${OAUTH_NODE:-} ]]; then exec "$OAUTH_NODE" "$@"; fi

system_node=$(command -v node || true)
if [[ -n $system_node ]] && [[ $("$system_node" -p 'process.versions.node.split(".")[0]' 2>/dev/null) == "$want_major" ]]; then
  exec "$system_node" "$@"
fi

prefix=${VAR_DIR:-$root/var}/node-debian12
if [[ ! -x $prefix/usr/bin/node ]]; then
  echo "node.sh: the node on PATH is not Debian 12's node $want_major and $prefix has none: run WITH_BROWSER=1 scripts/deps.sh (or set OAUTH_NODE)" >&2
  exit 127
fi
userns=()
if [[ $(id -u) -ne 0 ]]; then userns=(--map-root-user); fi
# `exec "$@"` keeps node's arguments exactly as given (no second round of shell parsing).
exec unshare "${userns[@]}" --mount --propagation private -- \
  sh -c 'mount -t overlay overlay -o "lowerdir=$1/usr:/usr" /usr || exit 126; shift; exec /usr/bin/node "$@"' \
  node-debian12 "$prefix" "$@"
