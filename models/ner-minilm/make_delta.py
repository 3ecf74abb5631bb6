#!/usr/bin/env python3
"""Write delta.safetensors: the fine-tuned model (train.py's output) as a delta over the base encoder.

Format (read by crates/transformer/src/delta.rs, `caveat models assemble`):
  unchanged tensors are left out; a changed matrix is NAME::q (int8) + NAME::scale (f32 per row),
  W = base + q * scale[row]; a changed vector is NAME::delta (f32); a tensor the base lacks (or has
  in another shape) is stored whole as NAME (f32). Metadata: format, tensors (every output name).

Usage:
    python make_delta.py --base BASE_DIR --finetuned OUT_DIR --out delta.safetensors
It also copies nothing else: config.json and tokenizer.json are committed next to the delta.
"""

import argparse

import torch
from safetensors.torch import load_file, save_file

FORMAT = "caveat-delta-1"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--base", required=True)
    ap.add_argument("--finetuned", required=True)
    ap.add_argument("--out", required=True)
    args = ap.parse_args()

    base = load_file(f"{args.base}/model.safetensors")
    ft = load_file(f"{args.finetuned}/model.safetensors")
    out, names = {}, []
    worst = 0.0
    for name, w in sorted(ft.items()):
        names.append(name)
        w = w.float().contiguous()
        b = base.get(name, base.get(name.removeprefix("bert.")))
        if b is None or b.shape != w.shape:
            out[name] = w
            continue
        b = b.float()
        if torch.equal(b, w):
            continue
        d = w - b
        if d.dim() == 2:
            scale = d.abs().amax(dim=1) / 127.0
            q = torch.where(scale[:, None] > 0, torch.round(d / scale.clamp_min(1e-30)[:, None]), 0.0)
            q = q.clamp(-127, 127).to(torch.int8)
            out[name + "::q"] = q.contiguous()
            out[name + "::scale"] = scale.contiguous()
            rebuilt = b + q.float() * scale[:, None]
            worst = max(worst, (rebuilt - w).abs().max().item())
        else:
            out[name + "::delta"] = d.contiguous()
    save_file(out, args.out, metadata={"format": FORMAT, "tensors": ",".join(names)})
    size = sum(t.numel() * t.element_size() for t in out.values())
    print(f"{len(names)} tensors, {len(out)} stored, {size / 1e6:.1f} MB, worst weight error {worst:.2e}")


if __name__ == "__main__":
    main()
