#!/usr/bin/env bash
# The whole test suite from nothing: packages, build, real PostgreSQL and Redis on
# loopback (under ./var), then every unit, integration and end-to-end test.
#   PRESET=asan ./scripts/test.sh   runs the suite under AddressSanitizer + UBSan
#   PRESET=tsan ./scripts/test.sh   runs the unit and integration tests under ThreadSanitizer
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
preset=${PRESET:-release}

# The suite includes the playground's browser test: chromium and playwright-core too.
WITH_BROWSER=${WITH_BROWSER:-1} ./scripts/deps.sh
PRESET=$preset ./scripts/build.sh
./scripts/services.sh start
eval "$(./scripts/services.sh env)"

case $preset in
  release) build_dir=build ;;
  *) build_dir=build-$preset ;;
esac
export OAUTH_BUILD_DIR=$root/$build_dir
if [[ $preset == asan ]]; then
  export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
  export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
fi
if [[ $preset == tsan ]]; then
  export TSAN_OPTIONS=${TSAN_OPTIONS:-halt_on_error=1 second_deadlock_stack=1 suppressions=$root/tests/tsan.supp}
  # The end-to-end tests drive the services from node and Chromium: not TSan's to judge.
  set -- -L 'unit|integration' "$@"
fi
# Unit tests run in parallel; integration tests hold the "servers" lock and run one at a time.
ctest --test-dir "$build_dir" --output-on-failure -j "$(nproc)" "$@"
