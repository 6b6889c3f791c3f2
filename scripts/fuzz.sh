#!/usr/bin/env bash
# Builds the libFuzzer harnesses of tests/fuzz (preset `fuzz`: clang-16, ASan+UBSan, build dir
# ./build-fuzz) and runs each for SECONDS (default 60), one after another, on a copy of its
# seed corpus (the committed corpus never grows).
#
#   scripts/fuzz.sh [SECONDS]            every harness
#   FUZZ_TARGETS="cursor router" scripts/fuzz.sh 30
#
# Prints one line per harness: name, executions, coverage (cov and ft from libFuzzer's last
# status line), seconds and exit status. Exits non-zero when any harness found a crash, a
# leak, a timeout or a violated invariant; the reproducer's path is printed (replay it with
# `build-fuzz/fuzz/<name>_fuzz <path>`).
set -euo pipefail
root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
cd "$root"
seconds=${1:-60}
if ! [[ $seconds =~ ^[0-9]+$ ]] || (( seconds < 1 )); then
  echo "usage: $0 [SECONDS]" >&2
  exit 2
fi

if ! command -v clang++-16 >/dev/null || ! dpkg -s libfuzzer-16-dev >/dev/null 2>&1; then
  echo "fuzz.sh: installing clang-16 and libfuzzer-16-dev" >&2
  sudo=""
  if (( EUID != 0 )); then sudo=sudo; fi
  $sudo apt-get install -y clang-16 libfuzzer-16-dev >/dev/null ||
    { $sudo apt-get update >/dev/null && $sudo apt-get install -y clang-16 libfuzzer-16-dev >/dev/null; }
fi

# Same ccache settings as build.sh: unchanged files hit across clones.
export CCACHE_BASEDIR=$root
export CCACHE_NOHASHDIR=1
export CCACHE_MAXSIZE=${CCACHE_MAXSIZE:-5G}
cmake --preset fuzz >/dev/null
cmake --build build-fuzz --target fuzz_harnesses -j "$(nproc)"

if [[ -n ${FUZZ_TARGETS:-} ]]; then
  read -r -a targets <<<"$FUZZ_TARGETS"
else
  targets=()
  for dir in tests/fuzz/corpus/*/; do targets+=("$(basename "$dir")"); done
fi

export ASAN_OPTIONS=${ASAN_OPTIONS:-detect_leaks=1:abort_on_error=1}
export UBSAN_OPTIONS=${UBSAN_OPTIONS:-print_stacktrace=1:halt_on_error=1}
runs=build-fuzz/fuzz-runs
failed=0
printf '%-18s %12s %8s %8s %6s  %s\n' harness execs cov ft secs status
for name in "${targets[@]}"; do
  binary=build-fuzz/fuzz/${name}_fuzz
  work=$runs/$name
  rm -rf "$work"
  mkdir -p "$work/corpus" "$work/artifacts"
  cp tests/fuzz/corpus/"$name"/* "$work/corpus/"
  started=$SECONDS
  status=0
  "$binary" "$work/corpus" -max_total_time="$seconds" -timeout=10 -rss_limit_mb=2048 \
    -print_final_stats=1 -artifact_prefix="$work/artifacts/" >"$work/log" 2>&1 || status=$?
  elapsed=$((SECONDS - started))
  execs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$work/log" | tail -1)
  last=$(grep -E '^#[0-9]+' "$work/log" | grep -E 'cov: [0-9]+' | tail -1 || true)
  cov=$(sed -nE 's/.*cov: ([0-9]+).*/\1/p' <<<"$last")
  ft=$(sed -nE 's/.*ft: ([0-9]+).*/\1/p' <<<"$last")
  printf '%-18s %12s %8s %8s %6s  %s\n' "$name" "${execs:--}" "${cov:--}" "${ft:--}" "$elapsed" \
    "$([[ $status == 0 ]] && echo ok || echo "FAILED ($status)")"
  if [[ $status != 0 ]]; then
    failed=1
    grep -E 'ERROR: |invariant violated|SUMMARY: ' "$work/log" | head -5 | sed 's/^/    /'
    sed -nE 's/.*Test unit written to (.*)/    reproducer: \1/p' "$work/log"
    echo "    log: $work/log"
  fi
done
exit $failed
