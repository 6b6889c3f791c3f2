#!/usr/bin/env bash
# Configures and builds one CMake preset (default: release → ./build).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
preset=${PRESET:-release}
# Relative paths and no working-directory hash: every clone on this machine (a developer's,
# CI's fresh one) shares the cache entries of unchanged files.
export CCACHE_BASEDIR=$root
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
cmake --preset "$preset" >/dev/null
cmake --build --preset "$preset" -j "$(nproc)"
