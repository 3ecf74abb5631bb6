"""What every caveat token-classification fine-tune of the MiniLM-L6 encoder shares.

The models this helps write are plain Hugging Face `BertForTokenClassification` directories with
the two additions `caveat-transformer` (crates/transformer, both backends) reproduces exactly:

* **Casing in the token types.** The encoder is uncased, so `type_vocab_size` is 4 and every
  subword carries its word's casing class as its token type id (0 no capitals, 1 Capitalised,
  2 ALL CAPS, 3 other mixed case); `config.json` says so with `"caveat_casing_type_ids": true`.
* **Document context.** Consecutive sentences of a document are packed into one window of at most
  `max_length` subwords (a longer sentence is cut into pieces), the way the stage packs them.

Labels go on the first subword of each word (IOB2). Word embeddings stay frozen, which keeps the
shipped delta small (models/ner-minilm/make_delta.py).

A task script (e.g. models/hedge-minilm/train.py) reads its corpus into documents, each a list of
sentences, each a list of (word, IOB2 tag) over caveat's own words, and calls `fine_tune`.
(models/ner-minilm/train.py and models/attribution-minilm/train.py predate this module and keep
their own copies; their shipped models were trained with them.)
"""

import json
import math
import os
import random
import subprocess
import time

import torch
from tokenizers import Tokenizer
from transformers import BertForTokenClassification

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


def caveat_tokenize(caveat, docs, workdir, name):
    """caveat's own tokens and sentences for `docs` ([{"id", "text"}]), through `caveat run -p
    pipelines/tokenize.toml` (the binary `caveat`), so training sees the words the stage sees.

    Returns {id: (tokens, sentences)}, each token {"text", "start", "end"} and each sentence
    {"start", "end"} in code points. Inputs and outputs are kept in `workdir` as NAME.jsonl and
    NAME.tok.jsonl."""
    os.makedirs(workdir, exist_ok=True)
    src = os.path.join(workdir, name + ".jsonl")
    out = os.path.join(workdir, name + ".tok.jsonl")
    with open(src, "w", encoding="utf-8") as f:
        for d in docs:
            f.write(json.dumps({"id": d["id"], "text": d["text"]}, ensure_ascii=False) + "\n")
    pipeline = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pipelines", "tokenize.toml")
    subprocess.run([caveat, "run", "-p", pipeline, src, "--output", out, "--overwrite", "--quiet"], check=True)
    res = {}
    with open(out, encoding="utf-8") as f:
        for line in f:
            rec = json.loads(line)
            res[rec["id"]] = (rec.get("tokens") or [], rec.get("sentences") or [])
    return res


def sentences_of(tokens, sentences, tags):
    """Group per-token tags into the stage's sentences: [[(word, tag)]]; a token outside every
    sentence is not predicted by the stage and is left out."""
    out, ti = [], 0
    for s in sentences:
        sent = []
        while ti < len(tokens) and tokens[ti]["start"] < s["start"]:
            ti += 1
        while ti < len(tokens) and tokens[ti]["end"] <= s["end"]:
            sent.append((tokens[ti]["text"], tags[ti]))
            ti += 1
        if sent:
            out.append(sent)
    return out


def windows(docs, tok, max_length, l2i):
    """Pack each document's sentences into windows of at most max_length - 2 subwords.

    Returns [(ids, labels, types)], labels -100 except at each word's first subword."""
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
            cur, n = [], 0
            for i, (w, t) in enumerate(sent):
                sub = per_word[i][:budget] or [100]  # [UNK] for a word with no subword
                if n + len(sub) > budget and cur:
                    pieces.append(cur)
                    cur, n = [], 0
                cur.append((sub, l2i[t], casing(w)))
                n += len(sub)
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
    """Pad a batch of windows into (ids, types, mask, labels) tensors."""
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
    """Exact IOB2 spans (start, end, type); an I- after O or another type starts a span."""
    out, start, typ = set(), None, None
    for i, t in enumerate(tags + ["O"]):
        if t == "O" or t.startswith("B-") or (t.startswith("I-") and t[2:] != typ):
            if start is not None:
                out.add((start, i, typ))
            start, typ = (i, t[2:]) if t != "O" else (None, None)
    return out


def f1(tp, fp, fn):
    """F1 from counts (0 when undefined)."""
    p = tp / max(tp + fp, 1)
    r = tp / max(tp + fn, 1)
    return 2 * p * r / max(p + r, 1e-9)


@torch.no_grad()
def predict(model, data, batch_size=32):
    """Per window: (gold label ids, softmax rows) at the labelled subwords."""
    model.eval()
    out = []
    for i in range(0, len(data), batch_size):
        batch = data[i : i + batch_size]
        ids, types, mask, labels = collate(batch)
        probs = model(input_ids=ids, token_type_ids=types, attention_mask=mask).logits.softmax(-1)
        for b in range(len(batch)):
            keep = labels[b] != -100
            out.append((labels[b][keep].tolist(), probs[b][keep]))
    model.train()
    return out


def evaluate(model, data, labels):
    """Exact-span F1 over all types and per type (window-level argmax), word accuracy."""
    types = sorted({l[2:] for l in labels if l != "O"})
    counts = {r: [0, 0, 0] for r in types}
    right = total = 0
    for g_ids, probs in predict(model, data):
        h_ids = probs.argmax(-1).tolist()
        right += sum(x == y for x, y in zip(g_ids, h_ids))
        total += len(g_ids)
        g, h = spans([labels[x] for x in g_ids]), spans([labels[x] for x in h_ids])
        for r in types:
            gr = {s for s in g if s[2] == r}
            hr = {s for s in h if s[2] == r}
            counts[r][0] += len(gr & hr)
            counts[r][1] += len(hr - gr)
            counts[r][2] += len(gr - hr)
    tp, fp, fn = (sum(c[k] for c in counts.values()) for k in range(3))
    per = {r.lower(): round(f1(*counts[r]), 4) for r in types}
    return f1(tp, fp, fn), per, right / max(total, 1)


def load_base(base, labels):
    """The base encoder as a token classifier with casing token types and frozen word embeddings."""
    model = BertForTokenClassification.from_pretrained(
        base,
        num_labels=len(labels),
        id2label=dict(enumerate(labels)),
        label2id={l: i for i, l in enumerate(labels)},
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
    return model


def base_tokenizer(base):
    """The base encoder's WordPiece tokenizer, without truncation or padding."""
    tok = Tokenizer.from_file(os.path.join(base, "tokenizer.json"))
    tok.no_truncation()
    tok.no_padding()
    return tok


def fine_tune(args, labels, train_parts, dev, tok, select=None):
    """Fine-tune and keep the best epoch (by `select(model)`, default dev span F1) in args.out.

    `args`: base, out, epochs, batch_size, lr, seed, log (optional), eval_every (optional).
    `train_parts`: [(windows, fraction)]: each epoch takes a fresh random `fraction` of each
    part's windows (1.0: all), so a large out-of-domain part can count less.
    Returns the per-epoch log entries."""
    model = load_base(args.base, labels)
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
    per_epoch_windows = sum(round(len(w) * frac) for w, frac in train_parts)
    per_epoch = math.ceil(per_epoch_windows / args.batch_size)
    steps = args.epochs * per_epoch
    warmup = steps // 10
    sched = torch.optim.lr_scheduler.LambdaLR(
        opt, lambda s: s / max(warmup, 1) if s < warmup else max(0.0, (steps - s) / max(steps - warmup, 1))
    )
    print(f"{sum(p.numel() for p in params)} trainable parameters, {per_epoch_windows} windows "
          f"per epoch, {steps} steps", flush=True)

    def score():
        if select is not None:
            return select(model)
        f, per, acc = evaluate(model, dev, labels)
        return {"dev_f1": f, "dev_per_type": per, "dev_word_acc": acc}

    def emit(entry):
        print(json.dumps(entry), flush=True)
        if getattr(args, "log", None):
            with open(args.log, "a") as f:
                f.write(json.dumps(entry) + "\n")

    best, log = -1.0, []
    model.train()
    step, t_start = 0, time.time()
    eval_every = getattr(args, "eval_every", 0) or 0
    for epoch in range(1, args.epochs + 1):
        t0 = time.time()
        order = []
        for k, (w, frac) in enumerate(train_parts):
            idx = list(range(len(w)))
            random.shuffle(idx)
            order += [(k, j) for j in idx[: round(len(w) * frac)]]
        random.shuffle(order)
        total = 0.0
        for i in range(0, len(order), args.batch_size):
            batch = [train_parts[k][0][j] for k, j in order[i : i + args.batch_size]]
            ids, types, mask, lab = collate(batch)
            loss = model(input_ids=ids, token_type_ids=types, attention_mask=mask, labels=lab).loss
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
            if eval_every and step % eval_every == 0 and step % per_epoch:
                emit({"step": step, **score()})
        entry = {"epoch": epoch, "loss": total / per_epoch, **score(), "seconds": time.time() - t0}
        log.append(entry)
        emit(entry)
        if entry["dev_f1"] > best:
            best = entry["dev_f1"]
            model.save_pretrained(args.out, safe_serialization=True)
            tok.save(os.path.join(args.out, "tokenizer.json"))
    with open(os.path.join(args.out, "training-log.json"), "w") as f:
        json.dump({"args": vars(args), "epochs": log, "best_dev_f1": best}, f, indent=1)
    return log
