"""Run a caveat pipeline on Ray Data; the output equals `caveat run`'s, byte for byte.

    python ray_example.py -p pipelines/news.toml corpus.jsonl -o out.jsonl -e errors.jsonl \
        --concurrency 2

Flow: the driver lists the input files (like `caveat run`: files as given, directories walked
in sorted order) -> `flat_map` reads each file into one row per JSONL record (physical line
number and raw bytes, exactly as the CLI's reader) (cut into blocks of
~1 MiB, so that even one big file feeds every actor) -> `map_batches(CaveatPipeline, concurrency=N)`: N actors, each loading the models
ONCE in its constructor, annotate batches of records (Rust, GIL released) -> the driver
writes the records in input order (Ray Data keeps the order with `preserve_order`, and the
writer checks it).

Why not `ray.data.read_json`? It turns records into Arrow rows: it changes them (a record
without `id` gets `id: null`; fields missing from some records come back as `null`; mixed
string/number ids fail; physical line numbers, which stand in for missing ids and appear in
error records, are lost; a malformed line fails the whole read instead of becoming an error
record). Reading the raw lines keeps `caveat run`'s record semantics exactly. For a table
that is already in Arrow (Parquet, Delta, ...), use `caveat.Pipeline.process_arrow` in
`map_batches` instead (see `CaveatArrow` below).

At scale, write the `json` column of each block to its own file (e.g. `write_parquet`, or
`caveat run --shard` + `caveat merge`, see deploy/) instead of collecting in the driver.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import pyarrow as pa
import ray

import caveat
from caveat.dist import ROW_FIELDS, expand_inputs, process_rows, read_rows, write_results


class CaveatPipeline:
    """Ray Data callable class: one instance per actor, the pipeline is built once."""

    def __init__(self, pipeline_path: str, threads: int = 1):
        self.pipeline = caveat.Pipeline.from_toml(pipeline_path, threads=threads)

    def __call__(self, batch: pa.Table) -> pa.Table:
        cols = {name: batch.column(name).to_pylist() for name in ROW_FIELDS}
        res = process_rows(self.pipeline, **cols)
        return pa.table(
            {
                "file_index": pa.array(res["file_index"], pa.int64()),
                "line": pa.array(res["line"], pa.int64()),
                "ok": pa.array(res["ok"], pa.bool_()),
                "json": pa.array(res["json"], pa.string()),
            }
        )


class CaveatArrow:
    """Alternative callable for tabular inputs (`read_parquet`, `read_json`, ...):
    `process_arrow` on each batch (columns `text`, optional `id`, others go to `meta`)."""

    def __init__(self, pipeline_path: str):
        self.pipeline = caveat.Pipeline.from_toml(pipeline_path, threads=1)

    def __call__(self, batch: pa.Table) -> pa.Table:
        return self.pipeline.process_arrow(batch)


def run(pipeline: str, inputs, output: str, errors: str, concurrency: int = 2,
        batch_size: int = 64, block_bytes: int = 1 << 20) -> dict:
    """Annotate `inputs` into `output` / `errors`; returns counts and timings."""
    t0 = time.perf_counter()
    pipeline = os.path.abspath(pipeline)
    files = expand_inputs(inputs)
    items = [{"file_index": i, "source": p, "path": os.path.abspath(p)}
             for i, p in enumerate(files)]
    ctx = ray.data.DataContext.get_current()
    ctx.execution_options.preserve_order = True
    # Small blocks, so that one big file still feeds every actor. (A `repartition` here
    # would deadlock on a small cluster: the actors hold every CPU its tasks need.)
    ctx.target_max_block_size = block_bytes
    ds = ray.data.from_items(items)
    # Reading is light: num_cpus=0 so that it never waits for CPUs held by the actors.
    ds = ds.flat_map(lambda r: read_rows(r["file_index"], r["source"], r["path"]),
                     num_cpus=0)
    ds = ds.map_batches(
        CaveatPipeline,
        fn_constructor_args=(pipeline,),
        compute=ray.data.ActorPoolStrategy(size=concurrency),  # = concurrency=N in Ray < 2.51
        num_cpus=1,
        batch_size=batch_size,
        batch_format="pyarrow",
    )

    def results():
        for b in ds.iter_batches(batch_format="pyarrow", batch_size=None):
            yield from zip(*(b.column(c).to_pylist() for c in ("file_index", "line", "ok", "json")))

    docs, errs = write_results(results(), output, errors)
    return {"documents": docs, "errors": errs, "seconds": time.perf_counter() - t0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-p", "--pipeline", default="pipelines/news.toml")
    ap.add_argument("inputs", nargs="+", help="JSONL files or directories")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("-e", "--errors", required=True)
    ap.add_argument("--concurrency", type=int, default=2, help="actors (one pipeline each)")
    ap.add_argument("--num-cpus", type=int, default=2, help="CPUs of the local Ray instance")
    ap.add_argument("--batch-size", type=int, default=64)
    a = ap.parse_args(argv)
    ray.init(num_cpus=a.num_cpus, include_dashboard=False, log_to_driver=False)
    try:
        s = run(a.pipeline, a.inputs, a.output, a.errors, a.concurrency, a.batch_size)
    finally:
        ray.shutdown()
    print(f"caveat/ray: {s['documents']} documents, {s['errors']} errors, "
          f"{s['seconds']:.1f} s", file=sys.stderr)
    return 3 if s["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
