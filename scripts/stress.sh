#!/usr/bin/env bash
# The whole test suite RUNS times in a row (default 20) under `nice`, with a CPU hog beside it:
# a flaky test (a wall-clock race, a sleep taken for an event) shows up here, not in CI.
#   scripts/stress.sh [RUNS]
# Env: SUITE_NICE (default 10: the suite yields to the hog), HOG_PROCS (default: one per core;
# each is `stress-ng --cpu 1` when Debian's stress-ng is installed, else a shell busy loop),
# BUILD_DIR (default build; `./scripts/build.sh` first). Prints one line per run and the flake
# count; exits non-zero if any run failed. Logs: var/stress/run-N.log.
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
runs=${1:-20}
build_dir=${BUILD_DIR:-build}
procs=${HOG_PROCS:-$(nproc)}
nice_level=${SUITE_NICE:-10}
[[ -d $build_dir ]] || { echo "stress: no $build_dir (run ./scripts/build.sh first)" >&2; exit 1; }

./scripts/services.sh start >/dev/null
eval "$(./scripts/services.sh env)"
export OAUTH_BUILD_DIR=$root/$build_dir
mkdir -p var/stress

hogs=()
stop_hogs() { for p in "${hogs[@]}"; do kill "$p" 2>/dev/null || true; done; wait 2>/dev/null || true; }
trap stop_hogs EXIT
for _ in $(seq "$procs"); do
  if command -v stress-ng >/dev/null; then
    stress-ng --cpu 1 --quiet >/dev/null 2>&1 &
  else
    bash -c 'while :; do :; done' &
  fi
  hogs+=($!)
done
echo "# $(date -u +%FT%TZ) $runs runs of the suite ($build_dir) at nice $nice_level beside $procs busy processes; $(nproc) cores"

failed=0
for i in $(seq "$runs"); do
  start=$(date +%s)
  if nice -n "$nice_level" ctest --test-dir "$build_dir" -j "$(nproc)" --output-on-failure > "var/stress/run-$i.log" 2>&1; then
    outcome=pass
  else
    outcome="FAIL: $(grep -E '^\s+[0-9]+ - ' "var/stress/run-$i.log" | sed 's/^ *//' | tr '\n' ';')"
    failed=$((failed + 1))
  fi
  echo "run $i: $(( $(date +%s) - start )) s, $(grep -oE '[0-9]+% tests passed.*' "var/stress/run-$i.log" || echo '?'), $outcome"
done
echo "flaky runs: $failed of $runs"
[[ $failed -eq 0 ]]
