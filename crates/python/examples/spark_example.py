"""Run a caveat pipeline on (local) PySpark with mapInArrow; output equals `caveat run`'s.

    python spark_example.py -p pipelines/news.toml corpus.jsonl -o out.jsonl -e errors.jsonl \
        --workers 2

Flow: the driver lists the input files (like `caveat run`) -> `flatMap` reads each file into
one row per JSONL record (file index, name, physical line, raw bytes: exactly the CLI's
reader) -> `repartition(4 x workers)` -> `mapInArrow`: each Python worker builds the pipeline
once (`caveat.dist.cached_pipeline`) and annotates Arrow batches (Rust, GIL released) ->
`orderBy(file_index, line)` restores input order -> the driver writes the output and errors
files. `spark.read.json`/`spark.read.text` are not used for the same reasons as in
ray_example.py: they change records or lose the physical line numbers.

At scale, replace the driver-side writing with `df.select("json").write.text(DIR)` after
the `orderBy` (part files are then in input order), or partition the output by file.
"""

from __future__ import annotations

import argparse
import os
import sys
import time

import caveat.dist
from caveat.dist import ROW_FIELDS, expand_inputs, process_rows, read_rows, write_results

ROW_SCHEMA = "file_index long, source string, line long, raw binary, too_long long"
RESULT_SCHEMA = "file_index long, line long, ok boolean, json string"


def annotate_partition(pipeline_path: str):
    """The function for `mapInArrow`: Arrow record batches of rows -> of results."""

    def fn(batches):
        import pyarrow as pa

        pipeline = caveat.dist.cached_pipeline(pipeline_path, threads=1)
        for batch in batches:
            cols = {name: batch.column(name).to_pylist() for name in ROW_FIELDS}
            res = process_rows(pipeline, **cols)
            yield pa.RecordBatch.from_pydict(
                {
                    "file_index": pa.array(res["file_index"], pa.int64()),
                    "line": pa.array(res["line"], pa.int64()),
                    "ok": pa.array(res["ok"], pa.bool_()),
                    "json": pa.array(res["json"], pa.string()),
                }
            )

    return fn


def session(workers: int = 2):
    """A local Spark session with `workers` cores, using this Python for the workers."""
    from pyspark.sql import SparkSession

    os.environ.setdefault("PYSPARK_PYTHON", sys.executable)
    os.environ.setdefault("PYSPARK_DRIVER_PYTHON", sys.executable)
    return (
        SparkSession.builder.master(f"local[{workers}]")
        .appName("caveat")
        .config("spark.ui.enabled", "false")
        .config("spark.sql.shuffle.partitions", str(max(1, 4 * workers)))
        .config("spark.sql.execution.arrow.maxRecordsPerBatch", "64")
        .config("spark.driver.memory", "2g")
        .getOrCreate()
    )


def run(spark, pipeline: str, inputs, output: str, errors: str, partitions: int = 8) -> dict:
    """Annotate `inputs` into `output` / `errors`; returns counts and timings."""
    t0 = time.perf_counter()
    pipeline = os.path.abspath(pipeline)
    files = expand_inputs(inputs)
    items = [(i, p, os.path.abspath(p)) for i, p in enumerate(files)]
    rows = spark.sparkContext.parallelize(items, max(1, len(items))).flatMap(
        lambda t: [tuple(r[k] for k in ROW_FIELDS) for r in read_rows(*t)]
    )
    df = spark.createDataFrame(rows, ROW_SCHEMA).repartition(partitions)
    out = df.mapInArrow(annotate_partition(pipeline), RESULT_SCHEMA)
    # persist: orderBy samples its input first; do not annotate everything twice.
    out = out.persist().orderBy("file_index", "line")
    results = ((r.file_index, r.line, r.ok, r.json) for r in out.toLocalIterator())
    docs, errs = write_results(results, output, errors)
    return {"documents": docs, "errors": errs, "seconds": time.perf_counter() - t0}


def main(argv=None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("-p", "--pipeline", default="pipelines/news.toml")
    ap.add_argument("inputs", nargs="+", help="JSONL files or directories")
    ap.add_argument("-o", "--output", required=True)
    ap.add_argument("-e", "--errors", required=True)
    ap.add_argument("--workers", type=int, default=2, help="local Spark cores")
    a = ap.parse_args(argv)
    spark = session(a.workers)
    try:
        s = run(spark, a.pipeline, a.inputs, a.output, a.errors, partitions=4 * a.workers)
    finally:
        spark.stop()
    print(f"caveat/spark: {s['documents']} documents, {s['errors']} errors, "
          f"{s['seconds']:.1f} s", file=sys.stderr)
    return 3 if s["errors"] else 0


if __name__ == "__main__":
    sys.exit(main())
