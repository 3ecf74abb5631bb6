#!/usr/bin/env bash
# CI's fuzz step: every cargo-fuzz target for a short budget on the committed seeds.
#
#   fuzz/ci.sh [SECONDS_PER_TARGET]      (default 45; or CAVEAT_FUZZ_SECONDS)
#
# * installs cargo-fuzz if missing (`cargo install cargo-fuzz --locked`, from crates.io) and
#   builds with the stable toolchain: RUSTC_BOOTSTRAP=1 lets cargo-fuzz pass its nightly-only
#   flags; `-s none` (no sanitizer: the crates use no `unsafe`), `-O`;
# * builds into its own target directory (fuzz/target, or CAVEAT_FUZZ_TARGET_DIR): the
#   instrumented build must not share artefacts with the main workspace's;
# * fuzzes each target on a temporary copy of fuzz/seeds/<target> (libFuzzer adds what it
#   finds to its corpus directory; the committed seeds stay as they are), one at a time;
# * fails on the first crash, timeout (5 s) or out-of-memory (2 GB), printing libFuzzer's
#   report and the reproducer (base64, and the command to replay it), and keeps the
#   reproducer under fuzz/artifacts/ci/ (git-ignored).
# A reproducer belongs in fuzz/regressions/<target>/ and in a unit test of the crate that
# owns the code; regressions are replayed here before fuzzing.
set -euo pipefail
cd "$(dirname "$0")"
budget=${1:-${CAVEAT_FUZZ_SECONDS:-45}}
targets=(tokenize jsonl_reader config pipeline)
export RUSTC_BOOTSTRAP=1
target_dir=${CAVEAT_FUZZ_TARGET_DIR:-$PWD/target}

if ! cargo fuzz --version >/dev/null 2>&1; then
  echo "installing cargo-fuzz"
  cargo install cargo-fuzz --locked
fi
# fuzz/ is its own workspace with its own lock file: it must list the crates' current
# dependencies (cargo update -w in fuzz/ refreshes it without touching versions).
if ! cargo tree --locked -e normal --prefix none >/dev/null; then
  echo "fuzz/Cargo.lock is stale: run (cd fuzz && cargo update -w) and commit it"
  exit 1
fi
cargo fuzz build -s none -O --target-dir "$target_dir"
host=$(rustc -vV | sed -n 's/^host: //p')
bin="$target_dir/$host/release"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
mkdir -p artifacts/ci
fail=0
report() { # target, log, artifact dir
  local t=$1 log=$2 art=$3
  echo "!! fuzz target $t failed; libFuzzer's report:"
  grep -v '^#[0-9]' "$log" | tail -n 60
  for f in "$art"/*; do
    [ -f "$f" ] || continue
    cp "$f" "artifacts/ci/$t-$(basename "$f")"
    echo "!! reproducer $(basename "$f") ($(wc -c <"$f") bytes; kept as fuzz/artifacts/ci/$t-$(basename "$f")); to replay, from the repository root:"
    echo "echo '$(base64 -w 0 "$f")' | base64 -d > crash-input && (cd fuzz && RUSTC_BOOTSTRAP=1 cargo fuzz run -s none -O $t ../crash-input)"
  done
}

for t in "${targets[@]}"; do
  # Earlier findings first: each must pass (libFuzzer runs the given files once).
  if [ -d "regressions/$t" ] && [ -n "$(ls -A "regressions/$t")" ]; then
    log="$work/$t.regressions.log"
    if ! "$bin/$t" -timeout=5 -rss_limit_mb=2048 regressions/"$t"/* >"$log" 2>&1; then
      report "$t" "$log" /dev/null
      echo "!! a regression input in fuzz/regressions/$t fails again"
      exit 1
    fi
  fi
  corpus="$work/corpus/$t" art="$work/artifacts/$t"
  mkdir -p "$corpus" "$art"
  cp -R "seeds/$t/." "$corpus/"
  log="$work/$t.log"
  status=0
  "$bin/$t" "$corpus" -max_total_time="$budget" -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
    -artifact_prefix="$art/" -print_final_stats=1 >"$log" 2>&1 || status=$?
  stats=$(grep -o 'cov: [0-9]* ft: [0-9]*' "$log" | tail -1 || true)
  runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log")
  echo "fuzz $t: exit $status, ${runs:-?} runs in ${budget} s, ${stats:-no coverage line}"
  if [ "$status" -ne 0 ]; then
    report "$t" "$log" "$art"
    fail=1
  fi
done
exit "$fail"
