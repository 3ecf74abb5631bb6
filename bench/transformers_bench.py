#!/usr/bin/env python3
"""The Python peer for bench/compare-transformers: Hugging Face `transformers`
token-classification pipeline on the same model directory and texts as caveat.

    transformers_bench.py MODEL_DIR CORPUS.jsonl --limit N --threads 1,2 --repeat R --words W

Prints one JSON line per thread count: seconds (fastest of R runs) and words/s, where W is the
word count caveat reported for the same texts (so both sides divide by the same number).
The pipeline gets the window caveat uses (128 subwords, stride 32) and batches 16 windows.
"""

import argparse
import json
import os
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import AutoModelForTokenClassification, AutoTokenizer, pipeline  # noqa: E402


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--words", type=int, required=True)
    ap.add_argument("--batch-size", type=int, default=16)
    args = ap.parse_args()

    texts = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            if args.limit and len(texts) >= args.limit:
                break
            texts.append(json.loads(line)["text"])
    tok = AutoTokenizer.from_pretrained(args.model, model_max_length=128)
    model = AutoModelForTokenClassification.from_pretrained(args.model)
    model.eval()
    ner = pipeline(
        "token-classification",
        model=model,
        tokenizer=tok,
        aggregation_strategy="first",
        stride=32,
        device=-1,
    )
    for threads in [int(t) for t in args.threads.split(",")]:
        torch.set_num_threads(threads)
        best = None
        entities = 0
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            with torch.inference_mode():
                out = ner(texts, batch_size=args.batch_size)
            dt = time.perf_counter() - t0
            entities = sum(len(o) for o in out)
            best = dt if best is None else min(best, dt)
        print(
            json.dumps(
                {
                    "impl": "transformers",
                    "threads": threads,
                    "documents": len(texts),
                    "entities": entities,
                    "seconds": best,
                    "words_per_s": args.words / best,
                    "torch": torch.__version__,
                }
            ),
            flush=True,
        )


if __name__ == "__main__":
    main()
