"""Helpers for running caveat on Ray, Spark or any other engine that maps over batches.

The unit of distributed work is a *row* ``(file_index, source, line, raw, too_long)``: one
JSONL record of input file number ``file_index`` (named ``source`` as given by the user, as
``caveat run`` names it in error records), at 1-based physical line ``line``, with its bytes
``raw`` (or, when the line is over the line limit, ``raw`` empty and ``too_long`` its length).
``process_rows`` turns rows into ``(file_index, line, ok, json)``; sorting by ``(file_index,
line)`` and writing ``json`` to the output (``ok``) or errors file (not ``ok``) gives exactly
what a single ``caveat run`` writes.
"""

from __future__ import annotations

import os
from typing import Iterable, Iterator, List, Sequence

import caveat

#: Row fields produced by ``read_rows``.
ROW_FIELDS = ("file_index", "source", "line", "raw", "too_long")
#: Fields produced by ``process_rows``.
RESULT_FIELDS = ("file_index", "line", "ok", "json")

_CORPUS_EXT = (".jsonl", ".ndjson", ".json")


def expand_inputs(paths: Sequence[str]) -> List[str]:
    """Input files in ``caveat run`` order: files as given, directories walked recursively
    in sorted order taking ``.jsonl``/``.ndjson``/``.json`` files. (``.txt`` documents and
    stdin are not supported by the distributed examples.)"""
    out: List[str] = []

    def walk(d: str) -> None:
        for name in sorted(os.listdir(d)):
            p = os.path.join(d, name)
            if os.path.isdir(p):
                walk(p)
            elif p.endswith(_CORPUS_EXT):
                out.append(p)
            elif p.endswith((".txt", ".text")):
                raise ValueError(f"{p}: .txt documents are not supported here; use caveat run")

    for p in paths:
        if os.path.isdir(p):
            walk(p)
        elif p.endswith((".txt", ".text")) or p == "-":
            raise ValueError(f"{p}: only JSONL files and directories are supported here")
        else:
            out.append(p)
    return out


def read_rows(file_index: int, source: str, path: str = None,
              max_line_bytes: int = 64 << 20) -> Iterator[dict]:
    """The records of one JSONL file as rows (see the module doc). ``source`` is the name
    for error records (the path as the user gave it); ``path`` (default ``source``) is where
    this worker reads the file (e.g. an absolute path on a shared file system)."""
    for line, rec in caveat.read_jsonl(path or source, max_line_bytes):
        if isinstance(rec, int):
            yield {"file_index": file_index, "source": source, "line": line, "raw": b"",
                   "too_long": rec}
        else:
            yield {"file_index": file_index, "source": source, "line": line, "raw": rec,
                   "too_long": 0}


def process_rows(pipeline: "caveat.Pipeline", file_index: Sequence[int], source: Sequence[str],
                 line: Sequence[int], raw: Sequence[bytes], too_long: Sequence[int],
                 max_doc_bytes: int = 10 << 20, max_line_bytes: int = 64 << 20) -> dict:
    """Run the pipeline over rows given as columns; returns the result columns
    ``file_index, line, ok, json`` (lists, in the order of the rows)."""
    n = len(line)
    ok_col: List[bool] = [False] * n
    json_col: List[str] = [""] * n
    # process_lines takes one source name: process each run of rows of the same file.
    start = 0
    while start < n:
        end = start
        while end < n and source[end] == source[start]:
            end += 1
        items = [too_long[i] if too_long[i] else raw[i] for i in range(start, end)]
        results = pipeline.process_lines(items, list(line[start:end]), source[start],
                                         max_doc_bytes, max_line_bytes)
        for i, (ok, js) in enumerate(results, start):
            ok_col[i] = ok
            json_col[i] = js
        start = end
    return {"file_index": list(file_index), "line": list(line), "ok": ok_col, "json": json_col}


def write_results(results: Iterable[tuple], output: str, errors: str) -> tuple:
    """Write ``(file_index, line, ok, json)`` results, already in input order, to the output
    and errors files; checks the order. Returns (documents, errors)."""
    docs = errs = 0
    last = None
    with open(output, "w", encoding="utf-8", newline="\n") as out, \
            open(errors, "w", encoding="utf-8", newline="\n") as err:
        for file_index, line, ok, js in results:
            key = (file_index, line)
            if last is not None and key <= last:
                raise RuntimeError(f"results out of input order: {key} after {last}")
            last = key
            if ok:
                out.write(js)
                out.write("\n")
                docs += 1
            else:
                err.write(js)
                err.write("\n")
                errs += 1
    return docs, errs


_PIPELINES: dict = {}


def cached_pipeline(path: str, threads: int = 1) -> "caveat.Pipeline":
    """The pipeline of ``path``, built once per worker process (for engines such as Spark
    that call a function per partition rather than keeping an object per worker)."""
    key = (os.path.abspath(path), threads)
    p = _PIPELINES.get(key)
    if p is None:
        p = _PIPELINES[key] = caveat.Pipeline.from_toml(key[0], threads=threads)
    return p
