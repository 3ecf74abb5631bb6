#!/usr/bin/env bash
# Retrain models/ner-fast exactly as shipped: label unlabelled news with the transformer
# teacher, build the gazetteer, then one `caveat train ner` over CoNLL-2003 + silver data.
#
# Usage: models/ner-fast/distil.sh CONLL_DIR OUT_DIR CORPUS.jsonl...
#   CONLL_DIR  holds CoNLL-2003 English train.txt and valid.txt (see README.md, "Retrain")
#   OUT_DIR    the model directory to write (models/ner-fast to replace the shipped one)
#   CORPUS     unlabelled news, one {"id", "text"} JSON object per line (the shipped model
#              used the BBC News and NewsArticles corpora, 6,049 articles, 2.9M words)
#
# The teacher is the transformer pipeline as it was before distillation: models/ner-minilm
# pooled (weight 0.35) with the first, CoNLL-only ner-fast, which this script takes from git
# (commit e3b40b2), so the student never labels its own training data. Labelling takes about
# 40 minutes on 2 shared cores; training about 8 minutes on one core. Needs a build with the
# transformer backend (`cargo build --release -p caveat-cli --features transformer`) and the
# assembled transformer (scripts/fetch-models).
set -euo pipefail
[ $# -ge 3 ] || { sed -n 2,17p "$0" >&2; exit 2; }
root=$(cd "$(dirname "$0")/../.." && pwd)
conll=$1 out=$2
shift 2
caveat=${CAVEAT:-$root/target/release/caveat}
work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT

# The teacher's pooled perceptron: the CoNLL-only ner-fast of commit e3b40b2.
mkdir -p "$work/ner-fast-v1"
for f in model.toml model.bin pass1.bin; do
  git -C "$root" show "e3b40b2:models/ner-fast/$f" >"$work/ner-fast-v1/$f"
done
cp "$root/models/ner-fast/clusters.tsv" "$work/ner-fast-v1/"
cat >"$work/teacher.toml" <<EOF
[pipeline]
name = "ner-teacher"
description = "Silver NER labels: MiniLM pooled with the CoNLL-only perceptron"
[output]
offsets = "bytes"
tokens = true
[[stages]]
type = "tokenize"
[[stages]]
type = "ner"
model = "$root/models/ner-minilm"
combine = "$work/ner-fast-v1"
combine_weight = 0.35
backend = "candle"
EOF
mkdir -p "$work/silver" "$work/gazetteer"
"$caveat" run -p "$work/teacher.toml" "$@" -o "$work/silver/news.jsonl"
"$root/scripts/build-gazetteer" "$work/gazetteer/gazetteer.tsv"
"$caveat" train ner --train "$conll/train.txt" --dev "$conll/valid.txt" --out "$out" \
  --clusters "$root/models/ner-fast/clusters.tsv" \
  --silver "$work/silver/news.jsonl" --silver-weight 0.5 --silver-min-score 0.3 \
  --gazetteer "$work/gazetteer/gazetteer.tsv"
