#!/usr/bin/env bash
# Builds the "fuzz" preset and runs every registered fuzzer (see tests/fuzz/CMakeLists.txt) for
# SECONDS seconds each, one after the other, on a scratch copy of its seed corpus. Fails if any
# fuzzer finds a crash, a sanitizer report, a leak, an out-of-memory or a timeout.
#
#   tests/fuzz/run.sh SECONDS [NAME...]      # e.g. tests/fuzz/run.sh 60, or run.sh 20 jcs rfc3339
#
# Environment:
#   ASSENT_FUZZ_BUILD_DIR  build here instead of the preset's build-fuzz/ (e.g. a private /tmp dir)
#   ASSENT_FUZZ_WORK_DIR   keep corpora, logs and crash artifacts here (default: a new temp dir)
set -euo pipefail

if [[ $# -lt 1 || ! "$1" =~ ^[0-9]+$ || "$1" -lt 1 ]]; then
  echo "usage: $0 SECONDS [NAME...]" >&2
  exit 2
fi
seconds=$1
shift
only=("$@")

root=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
cd "$root"

if [[ -n "${ASSENT_FUZZ_BUILD_DIR:-}" ]]; then
  build=$ASSENT_FUZZ_BUILD_DIR
  cmake --preset fuzz -B "$build"
  cmake --build "$build" -j2
else
  build=$root/build-fuzz
  cmake --preset fuzz
  cmake --build --preset fuzz
fi

work=${ASSENT_FUZZ_WORK_DIR:-$(mktemp -d "${TMPDIR:-/tmp}/assent-fuzz.XXXXXX")}
mkdir -p "$work"

shopt -s nullglob
manifests=("$build"/fuzzers/*.fuzzer)
if [[ ${#manifests[@]} -eq 0 ]]; then
  echo "no fuzzers registered in $build/fuzzers" >&2
  exit 1
fi

failed=()
ran=0
for manifest in "${manifests[@]}"; do
  name=$(basename "$manifest" .fuzzer)
  if [[ ${#only[@]} -gt 0 && ! " ${only[*]} " =~ " $name " ]]; then
    continue
  fi
  binary=$(sed -n 's/^binary=//p' "$manifest")
  corpus=$(sed -n 's/^corpus=//p' "$manifest")
  dict=$(sed -n 's/^dict=//p' "$manifest")

  # libFuzzer adds what it finds to its first corpus directory: give it a copy.
  rm -rf "$work/$name"
  mkdir -p "$work/$name/corpus" "$work/$name/artifacts"
  cp -R "$corpus"/. "$work/$name/corpus/"
  args=(-max_total_time="$seconds" -timeout=5 -rss_limit_mb=2048 -print_final_stats=1
        -artifact_prefix="$work/$name/artifacts/")
  if [[ -n "$dict" ]]; then
    args+=(-dict="$dict")
  fi

  echo "== fuzz_$name: ${seconds}s"
  ran=$((ran + 1))
  status=0
  "$binary" "${args[@]}" "$work/$name/corpus" >"$work/$name/log.txt" 2>&1 || status=$?
  if [[ $status -eq 0 ]]; then
    grep -E '^stat::number_of_executed_units|^stat::peak_rss_mb' "$work/$name/log.txt" | sed 's/^/   /' || true
    echo "   corpus: $(find "$work/$name/corpus" -type f | wc -l) inputs"
  else
    failed+=("$name")
    echo "   FAILED (exit $status); log: $work/$name/log.txt; artifacts:"
    find "$work/$name/artifacts" -type f | sed 's/^/     /'
    tail -n 40 "$work/$name/log.txt" | sed 's/^/   | /'
  fi
done

if [[ $ran -eq 0 ]]; then
  echo "no fuzzer matched: ${only[*]}" >&2
  exit 1
fi
if [[ ${#failed[@]} -gt 0 ]]; then
  echo "fuzzers failed: ${failed[*]} (work dir: $work)" >&2
  exit 1
fi
echo "all $ran fuzzers ran ${seconds}s without findings (work dir: $work)"
