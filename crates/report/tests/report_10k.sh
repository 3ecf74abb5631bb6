#!/usr/bin/env bash
# Page weight and time to first render of `caveat report` on 10,000 real articles.
#
#   crates/report/tests/report_10k.sh INPUT.jsonl...     (from the repository root)
#
# e.g. with ../shared/corpora/newsarticles.jsonl ../shared/corpora/bbc.jsonl (6,049 articles).
# Runs `caveat run -p $PIPELINE` over the inputs, repeats the output records (with new ids,
# `dup-<id>`) until there are 10,000, writes the report with `caveat report`, and measures it
# in headless Chromium with page_timing.mjs (5 runs; medians in ms and the size in bytes).
#
# Environment (all optional):
#   CAVEAT_BIN  the caveat binary   (default: target/release/caveat)
#   REPORT_BIN  a report program `REPORT_BIN IN OUT` (default: `caveat report IN --html OUT`)
#   PIPELINE    (default: pipelines/news.toml)
#   OUT_DIR     where the outputs go (default: a new temporary directory)
#   N           number of records (default: 10000)
#   RUNS        browser runs (default: 5)
set -euo pipefail

ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/../../.." && pwd)"
CAVEAT_BIN="${CAVEAT_BIN:-$ROOT/target/release/caveat}"
PIPELINE="${PIPELINE:-$ROOT/pipelines/news.toml}"
OUT_DIR="${OUT_DIR:-$(mktemp -d -t caveat-report-10k-XXXXXX)}"
N="${N:-10000}"
RUNS="${RUNS:-5}"
[[ $# -gt 0 ]] || { echo "usage: $0 INPUT.jsonl..." >&2; exit 2; }
mkdir -p "$OUT_DIR"

"$CAVEAT_BIN" run -p "$PIPELINE" "$@" -o "$OUT_DIR/run.out.jsonl" --overwrite
# Repeat the records up to N, each repeat with a new id (ids are strings or numbers).
awk -v n="$N" '
    { line[NR] = $0 }
    END {
        k = 0
        for (pass = 0; k < n; pass++) {
            for (i = 1; i <= NR && k < n; i++) {
                l = line[i]
                if (pass > 0 && l ~ /^\{"id":"/) {
                    l = "{\"id\":\"dup" pass "-" substr(l, 8)
                } else if (pass > 0 && match(l, /^\{"id":[-0-9.eE+]+/)) {
                    l = "{\"id\":\"dup" pass "-" substr(l, 7, RLENGTH - 6) "\"" substr(l, RLENGTH + 1)
                }
                print l; k++
            }
        }
    }' "$OUT_DIR/run.out.jsonl" >"$OUT_DIR/corpus.out.jsonl"
if [[ -n "${REPORT_BIN:-}" ]]; then
    "$REPORT_BIN" "$OUT_DIR/corpus.out.jsonl" "$OUT_DIR/report.html"
else
    "$CAVEAT_BIN" report "$OUT_DIR/corpus.out.jsonl" --html "$OUT_DIR/report.html"
fi
echo "records: $(wc -l <"$OUT_DIR/corpus.out.jsonl"), report: $(wc -c <"$OUT_DIR/report.html") bytes" >&2
node --experimental-websocket "$ROOT/crates/report/tests/page_timing.mjs" "$OUT_DIR/report.html" "$RUNS"
