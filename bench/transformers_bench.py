#!/usr/bin/env python3
"""The Python peer for bench/compare-transformers: Hugging Face `transformers`
token-classification pipeline on the same model directory and texts as caveat.

    transformers_bench.py MODEL_DIR CORPUS.jsonl --limit N --threads 1,2 --repeat R --words W
                          [--dtypes fp32,int8] [--entities-out PREFIX]

Prints one JSON line per dtype and thread count: impl ("transformers"), dtype, seconds (fastest
of R runs), words/s, where W is the word count caveat reported for the same texts (so both sides
divide by the same number), the number of entities found, and the 1-minute load average when
the dtype's runs started.
The pipeline gets the window caveat uses (128 subwords, stride 32) and batches 16 windows.
For a model whose config.json has "caveat_casing_type_ids": true (models/ner-minilm: an uncased
encoder that reads each word's casing class from the token type ids) the pipeline sets those
ids as caveat does (CasingTypeIdsPipeline); without them it runs the same computation but finds
far fewer entities (110 instead of 156 in the first 5 BBC articles).

dtypes: fp32 is the model as loaded; int8 is the same model passed through PyTorch's standard
dynamic quantisation, `torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear},
dtype=torch.qint8)` (int8 weights per tensor, activations quantised on the fly; every Linear,
the classifier included), on the default quantised engine (x86/fbgemm here).

--entities-out PREFIX writes PREFIX.<dtype>.jsonl: one line per document, the list of
[start, end, label] of the entities found (start/end in code points, as caveat's offsets).
"""

import argparse
import json
import os
import re
import time

os.environ.setdefault("OMP_WAIT_POLICY", "PASSIVE")
os.environ.setdefault("HF_HUB_OFFLINE", "1")
os.environ.setdefault("TRANSFORMERS_OFFLINE", "1")

import torch  # noqa: E402
from transformers import (  # noqa: E402
    AutoModelForTokenClassification,
    AutoTokenizer,
    TokenClassificationPipeline,
    pipeline,
)

DTYPES = ("fp32", "int8")
WORD = re.compile(r"[^\W_]+|[^\w\s]|_")


def casing(word):
    """caveat_transformer::casing: 0 no capitals, 1 Capitalised, 2 ALL CAPS, 3 other mixed case."""
    if word == word.lower():  # the common case, in C
        return 0
    letters = [c for c in word if c.isalpha()]
    upper = sum(c.isupper() for c in letters)
    if upper == 0:
        return 0
    if len(letters) >= 2 and upper == len(letters):
        return 2
    return 1 if word[:1].isupper() else 3


class CasingTypeIdsPipeline(TokenClassificationPipeline):
    """The token-classification pipeline, with each subword's token type id set to its word's
    casing class, as caveat does for models whose config.json has "caveat_casing_type_ids": true
    (models/ner-minilm is uncased and learnt casing from these ids). Words are runs of letters
    and digits, or single punctuation characters: BERT's pre-tokenizer words up to rare symbols
    (a regular expression is 3× faster than the tokenizer's pre_tokenize_str here)."""

    def preprocess(self, sentence, offset_mapping=None, **preprocess_params):
        words = [(m.start(), casing(m.group())) for m in WORD.finditer(sentence)] or [(0, 0)]
        starts = torch.tensor([start for start, _ in words])
        classes = torch.tensor([c for _, c in words])
        for model_inputs in super().preprocess(sentence, offset_mapping, **preprocess_params):
            offsets = model_inputs["offset_mapping"][0]
            word = torch.searchsorted(starts, offsets[:, 0].contiguous(), right=True) - 1
            types = classes[word.clamp(min=0)]
            special = model_inputs["special_tokens_mask"][0] != 0
            types[special | (offsets[:, 1] <= offsets[:, 0])] = 0
            ids = model_inputs["token_type_ids"]
            model_inputs["token_type_ids"] = types.to(ids.dtype).unsqueeze(0)
            yield model_inputs


def load_model(model_dir, dtype):
    model = AutoModelForTokenClassification.from_pretrained(model_dir)
    model.eval()
    if dtype == "int8":
        model = torch.ao.quantization.quantize_dynamic(model, {torch.nn.Linear}, dtype=torch.qint8)
    return model


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("model")
    ap.add_argument("corpus")
    ap.add_argument("--limit", type=int, default=200)
    ap.add_argument("--threads", default="1,2")
    ap.add_argument("--repeat", type=int, default=1)
    ap.add_argument("--words", type=int, required=True)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--dtypes", default="fp32", help="comma-separated: fp32, int8")
    ap.add_argument("--entities-out", help="write PREFIX.<dtype>.jsonl with the entities found")
    args = ap.parse_args()
    dtypes = [d.strip() for d in args.dtypes.split(",") if d.strip()]
    for d in dtypes:
        if d not in DTYPES:
            ap.error(f"--dtypes: unknown dtype {d!r}; use a comma-separated list of fp32, int8")

    texts = []
    with open(args.corpus, encoding="utf-8") as f:
        for line in f:
            if args.limit and len(texts) >= args.limit:
                break
            texts.append(json.loads(line)["text"])
    tok = AutoTokenizer.from_pretrained(args.model, model_max_length=128)
    with open(os.path.join(args.model, "config.json"), encoding="utf-8") as f:
        casing_ids = bool(json.load(f).get("caveat_casing_type_ids", False))
    for dtype in dtypes:
        load = os.getloadavg()[0]
        model = load_model(args.model, dtype)
        ner = pipeline(
            "token-classification",
            model=model,
            tokenizer=tok,
            pipeline_class=CasingTypeIdsPipeline if casing_ids else TokenClassificationPipeline,
            aggregation_strategy="first",
            stride=32,
            device=-1,
        )
        out = None
        for threads in [int(t) for t in args.threads.split(",")]:
            torch.set_num_threads(threads)
            best = None
            for _ in range(args.repeat):
                t0 = time.perf_counter()
                with torch.inference_mode():
                    out = ner(texts, batch_size=args.batch_size)
                dt = time.perf_counter() - t0
                best = dt if best is None else min(best, dt)
            print(
                json.dumps(
                    {
                        "impl": "transformers",
                        "dtype": dtype,
                        "threads": threads,
                        "documents": len(texts),
                        "entities": sum(len(o) for o in out),
                        "seconds": best,
                        "words_per_s": args.words / best,
                        "torch": torch.__version__,
                        "load": load,
                    }
                ),
                flush=True,
            )
        if args.entities_out and out is not None:
            with open(f"{args.entities_out}.{dtype}.jsonl", "w", encoding="utf-8") as f:
                for doc in out:
                    ents = [[int(e["start"]), int(e["end"]), e["entity_group"]] for e in doc]
                    f.write(json.dumps(ents) + "\n")
        del ner, model


if __name__ == "__main__":
    main()
