#!/usr/bin/env bash
# Fuzz every target in turn (one process at a time), each for its budget in seconds,
# restarting after a crash so that one finding does not end the session; crashes are kept in
# artifacts/<target>/, logs in artifacts/logs/. Usage: fuzz/run-all.sh [SECONDS_PER_TARGET]
# Needs: cargo install cargo-fuzz. Only stable Rust? RUSTC_BOOTSTRAP=1 lets cargo-fuzz use
# its nightly-only flags.
set -euo pipefail
cd "$(dirname "$0")"
budget=${1:-600}
export RUSTC_BOOTSTRAP=1
cargo fuzz build -s none -O
bin=target/x86_64-unknown-linux-gnu/release
mkdir -p artifacts/logs
for t in tokenize jsonl_reader config pipeline; do
  mkdir -p "artifacts/$t" "corpus/$t"
  end=$((SECONDS + budget)); i=0
  while [ $((end - SECONDS)) -gt 20 ]; do
    i=$((i + 1))
    status=0
    "$bin/$t" "corpus/$t" "seeds/$t" -max_total_time=$((end - SECONDS)) -artifact_prefix="artifacts/$t/" \
      -print_final_stats=1 -max_len=8192 -timeout=5 -rss_limit_mb=2048 \
      > "artifacts/logs/$t.$i.log" 2>&1 || status=$?
    echo "$t run $i: exit $status at $(date +%T); $(grep -o 'cov: [0-9]* ft: [0-9]*' "artifacts/logs/$t.$i.log" | tail -1)"
  done
done
