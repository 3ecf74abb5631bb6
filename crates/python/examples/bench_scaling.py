"""Throughput of the same corpus through the CLI, the Python API, Ray and Spark.

    python crates/python/examples/bench_scaling.py /work/shared/corpora/bbc.jsonl \
        [--repeat 2] [--engines cli,python,ray,spark]

Run from the repository root after crates/python/run-tests.sh (or with the venv active and
target/release/caveat built). Prints one Markdown table row per configuration: the best
wall-clock time of `--repeat` runs, documents/s and words/s (words as counted by `caveat
run`). Ray and Spark times are end to end (cluster start, model loading, reading, writing);
the "engine" column is the time of the job alone, as the example reports it.
"""

from __future__ import annotations

import argparse
import json
import os
import re
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
PIPELINE = "pipelines/news.toml"
CAVEAT = os.environ.get("CAVEAT_BIN", "target/release/caveat")


def timed(cmd) -> tuple:
    t = time.perf_counter()
    r = subprocess.run(cmd, capture_output=True, text=True)
    wall = time.perf_counter() - t
    if r.returncode not in (0, 3):
        sys.exit(f"{' '.join(cmd)} -> {r.returncode}\n{r.stderr[-3000:]}")
    m = re.search(r"caveat/\w+: .* ([0-9.]+) s", r.stderr)
    return wall, float(m.group(1)) if m else None


def main() -> None:
    ap = argparse.ArgumentParser()
    ap.add_argument("corpus")
    ap.add_argument("--repeat", type=int, default=2)
    ap.add_argument("--engines", default="cli,python,ray,spark")
    a = ap.parse_args()
    engines = a.engines.split(",")
    tmp = tempfile.mkdtemp(prefix="caveat-bench-")
    out, err, rep = (os.path.join(tmp, n) for n in ("out.jsonl", "err.jsonl", "rep.json"))

    subprocess.run([CAVEAT, "run", "-q", "-p", PIPELINE, a.corpus, "-o", out, "-e", err,
                    "--overwrite", "--report-json", rep], check=False)
    summary = json.load(open(rep))
    docs = summary.get("documents")
    words = summary.get("words")

    configs = []
    for n in (1, 2):
        if "cli" in engines:
            configs.append((f"CLI --threads {n}",
                            [CAVEAT, "run", "-q", "-p", PIPELINE, a.corpus, "-o", out, "-e", err,
                             "--overwrite", "--threads", str(n)]))
        if "python" in engines:
            configs.append((f"Python API, threads={n}",
                            [sys.executable, "-c",
                             "import sys, time, caveat\n"
                             f"p = caveat.Pipeline.from_toml({PIPELINE!r}, threads={n})\n"
                             f"recs = caveat.read_jsonl({a.corpus!r})\n"
                             "t = time.perf_counter()\n"
                             f"r = p.process_lines([x for _, x in recs], [l for l, _ in recs], {a.corpus!r})\n"
                             "print(f'caveat/python: {len(r)} records, {time.perf_counter() - t:.2f} s', file=sys.stderr)\n"]))
        if "ray" in engines:
            configs.append((f"Ray Data, {n} actor(s)",
                            [sys.executable, os.path.join(HERE, "ray_example.py"), "-p", PIPELINE,
                             a.corpus, "-o", out, "-e", err, "--concurrency", str(n),
                             "--num-cpus", "2"]))
        if "spark" in engines:
            configs.append((f"Spark local[{n}]",
                            [sys.executable, os.path.join(HERE, "spark_example.py"), "-p", PIPELINE,
                             a.corpus, "-o", out, "-e", err, "--workers", str(n)]))

    print(f"corpus {a.corpus}: {docs} documents, {words} words, "
          f"{os.path.getsize(a.corpus) / 1e6:.2f} MB; load average {os.getloadavg()[0]:.1f}")
    print("| configuration | wall s (best of %d) | engine s | docs/s | words/s |" % a.repeat)
    print("|---|---:|---:|---:|---:|")
    env = dict(os.environ, RAY_AUTH_MODE="disabled", RAY_USAGE_STATS_ENABLED="0")
    os.environ.update(env)
    for name, cmd in configs:
        runs = [timed(cmd) for _ in range(a.repeat)]
        wall = min(r[0] for r in runs)
        engine = min((r[1] for r in runs if r[1] is not None), default=None)
        base = engine if engine is not None else wall
        print(f"| {name} | {wall:.2f} | {'' if engine is None else f'{engine:.2f}'} | "
              f"{docs / base:,.0f} | {words / base:,.0f} |", flush=True)


if __name__ == "__main__":
    main()
