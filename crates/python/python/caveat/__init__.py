"""caveat from Python: entities, hedged claims and their sources in news.

The heavy lifting is Rust (the ``caveat._native`` extension module); every call releases the
GIL while the pipeline runs, in parallel over the batch. Output records are exactly the ones
``caveat run`` writes (same JSON, same offsets in Unicode code points, same error records)::

    import caveat
    p = caveat.Pipeline.from_toml("pipelines/news.toml")
    p.process(["North Korea may deploy more troops, according to the NIS."])
    p.process_batch([{"id": "a1", "text": "...", "title": "..."}])
    p.process_arrow(table)        # pyarrow.Table / RecordBatch -> pyarrow.Table
    p.process_pandas(df)          # pandas.DataFrame -> pandas.DataFrame

Records that cannot be processed are never dropped: ``process``/``process_batch`` return
``{"error": ERROR_RECORD}`` in their place, where ERROR_RECORD is the CLI's errors-file record
``{"id" (when known), "file", "line", "kind", "message"}``; the Arrow/pandas entry points put
it (as JSON text) in the ``error`` column.
"""

from __future__ import annotations

import datetime as _dt
import json
import os
from typing import Any, Iterable, Optional, Sequence

from caveat._native import Pipeline as _NativePipeline
from caveat._native import __version__, split_jsonl

__all__ = ["Pipeline", "split_jsonl", "read_jsonl", "__version__", "ARROW_COLUMNS"]

#: Columns of ``Pipeline.process_arrow`` / ``process_pandas`` output, in order.
ARROW_COLUMNS = (
    "id",
    "text",
    "sentences",
    "entities",
    "hedges",
    "attributions",
    "truncated",
    "meta",
    "record",
    "error",
)

_LAYERS = ("sentences", "entities", "hedges", "attributions")


def _json_default(o: Any) -> Any:
    """JSON for the non-JSON values that data frames hold (numpy scalars, timestamps)."""
    if hasattr(o, "item") and callable(o.item):  # numpy / pandas scalars
        return o.item()
    if isinstance(o, (_dt.datetime, _dt.date, _dt.time)):
        return o.isoformat()
    if hasattr(o, "tolist") and callable(o.tolist):  # numpy arrays
        return o.tolist()
    raise TypeError(f"{type(o).__name__} is not JSON serialisable")


def _dumps(record: Any) -> str:
    return json.dumps(record, ensure_ascii=False, default=_json_default)


def read_jsonl(path: str | os.PathLike, max_line_bytes: int = 64 << 20):
    """``[(line, record_bytes_or_too_long_length)]`` of a JSONL file, read as ``caveat run``
    reads it (physical 1-based lines, blank lines skipped, BOM and CR removed)."""
    with open(path, "rb") as f:
        return split_jsonl(f.read(), max_line_bytes)


class Pipeline:
    """A built caveat pipeline: models are loaded once, then shared by all threads."""

    def __init__(self, native: _NativePipeline):
        self._native = native

    @classmethod
    def from_toml(cls, path: str | os.PathLike, threads: int = 0) -> "Pipeline":
        """Load, validate and build a pipeline file (``pipelines/news.toml``).

        ``threads``: 0 = all cores (rayon's global pool); 1 = the calling thread only (use
        this under Ray or Spark, which parallelise across processes); n = n threads.
        Raises ``ValueError`` listing every problem of the file (file:line:column).
        """
        return cls(_NativePipeline.from_toml(os.fspath(path), threads))

    @property
    def name(self) -> str:
        """The pipeline's name."""
        return self._native.name

    @property
    def stages(self) -> list:
        """The stage types, in order."""
        return self._native.stages

    def __repr__(self) -> str:
        return repr(self._native)

    # -- JSONL lines: the exact, fastest entry point -------------------------------------

    def process_lines(
        self,
        lines: Sequence[Any],
        line_numbers: Optional[Sequence[int]] = None,
        source: str = "-",
        max_doc_bytes: int = 10 << 20,
        max_line_bytes: int = 64 << 20,
    ) -> list:
        """Process JSONL lines (``str``/``bytes``; an ``int`` is an over-long line's length,
        as ``split_jsonl`` gives). Returns one ``(ok, json_text)`` per line, in order: the
        output record when ``ok``, else the error record, byte-for-byte as ``caveat run``
        writes them for a record at ``line_numbers[i]`` (default ``i + 1``) of ``source``."""
        return self._native.process_lines(
            lines,
            None if line_numbers is None else list(line_numbers),
            source,
            max_doc_bytes,
            max_line_bytes,
        )

    # -- Python objects ------------------------------------------------------------------

    def process(self, texts: Sequence[str], max_doc_bytes: int = 10 << 20) -> list:
        """Annotate bare texts. ``texts[i]`` is processed as the JSONL record
        ``{"text": texts[i]}`` at line ``i + 1``: its id is ``i + 1`` and ``meta`` is empty.
        Returns one dict per text (an output record, or ``{"error": ...}``)."""
        results = self._native.process_texts(list(texts), "-", max_doc_bytes)
        return [_to_dict(ok, js) for ok, js in results]

    def process_batch(
        self,
        records: Iterable[dict],
        source: str = "-",
        line_numbers: Optional[Sequence[int]] = None,
        max_doc_bytes: int = 10 << 20,
    ) -> list:
        """Annotate records shaped like JSONL input records: ``{"id", "text", other
        fields}``. Record ``i`` is processed as the JSONL line ``json.dumps(records[i])`` at
        line ``line_numbers[i]`` (default ``i + 1``), so a record without ``id`` gets that
        number and other fields go to ``meta``. Returns one dict per record, in order: the
        output record, or ``{"error": ERROR_RECORD}``."""
        records = list(records)
        numbers = list(range(1, len(records) + 1)) if line_numbers is None else list(line_numbers)
        if len(numbers) != len(records):
            raise ValueError(f"line_numbers has {len(numbers)} entries for {len(records)} records")
        return [
            _to_dict(ok, js)
            for ok, js in self._process_records(records, numbers, source, max_doc_bytes)
        ]

    def _process_records(self, records, numbers, source, max_doc_bytes):
        """(ok, json) per record; records that json.dumps refuses become error records."""
        lines, where, out = [], [], [None] * len(records)
        for i, rec in enumerate(records):
            try:
                lines.append(_dumps(rec))
                where.append(i)
            except (TypeError, ValueError) as e:
                err = {"file": source, "line": numbers[i], "kind": "invalid_json",
                       "message": f"the record cannot be written as JSON: {e}"}
                rid = rec.get("id") if isinstance(rec, dict) else None
                if isinstance(rid, (str, int, float)) and not isinstance(rid, bool):
                    err = {"id": rid, **err}
                out[i] = (False, json.dumps(err, ensure_ascii=False, separators=(",", ":")))
        results = self._native.process_lines(
            lines, [numbers[i] for i in where], source, max_doc_bytes, 64 << 20
        )
        for i, r in zip(where, results):
            out[i] = r
        return out

    # -- Arrow and pandas ----------------------------------------------------------------

    def process_arrow(self, data, source: str = "-", first_line: int = 1,
                      max_doc_bytes: int = 10 << 20):
        """Annotate a ``pyarrow.Table`` or ``RecordBatch`` whose rows are input records
        (a ``text`` column, optionally ``id``, other columns go to ``meta``; row ``i`` is
        line ``first_line + i``). Returns a ``pyarrow.Table`` with one row per input row
        and the columns of ``ARROW_COLUMNS``: ``id`` and ``text`` (the output record's),
        ``sentences``/``entities``/``hedges``/``attributions``/``meta`` as JSON text,
        ``truncated`` (bool), ``record`` (the whole output record, exactly as ``caveat
        run`` writes it) and ``error`` (the error record as JSON, null when the row went
        through; then the other columns but ``id`` and ``text`` are null)."""
        records = data.to_pylist()
        return _arrow_table(self._rows(records, source, first_line, max_doc_bytes))

    def process_pandas(self, df, source: str = "-", first_line: int = 1,
                       max_doc_bytes: int = 10 << 20):
        """``process_arrow`` for a ``pandas.DataFrame`` (its index is ignored); returns a
        ``DataFrame`` with the columns of ``ARROW_COLUMNS``."""
        import pandas as pd

        # Missing values (NaN, NaT, None) become JSON null, as in process_arrow.
        records = df.astype(object).where(pd.notna(df), None).to_dict(orient="records")
        rows = self._rows(records, source, first_line, max_doc_bytes)
        return pd.DataFrame(rows, columns=list(ARROW_COLUMNS))

    def _rows(self, records, source, first_line, max_doc_bytes):
        numbers = list(range(first_line, first_line + len(records)))
        rows = []
        for rec, (ok, js) in zip(
            records, self._process_records(records, numbers, source, max_doc_bytes)
        ):
            if ok:
                out = json.loads(js)
                row = {"id": out["id"], "text": out["text"]}
                for k in _LAYERS:
                    row[k] = _compact(out[k])
                row["truncated"] = bool(out.get("truncated", False))
                row["meta"] = _compact(out["meta"])
                row["record"] = js
                row["error"] = None
            else:
                err = json.loads(js)
                row = dict.fromkeys(ARROW_COLUMNS)
                row["id"] = err.get("id", rec.get("id") if isinstance(rec, dict) else None)
                text = rec.get("text") if isinstance(rec, dict) else None
                row["text"] = text if isinstance(text, str) else None
                row["error"] = js
            rows.append(row)
        return rows


def _compact(v: Any) -> str:
    return json.dumps(v, ensure_ascii=False, separators=(",", ":"))


def _to_dict(ok: bool, js: str) -> dict:
    return json.loads(js) if ok else {"error": json.loads(js)}


def _arrow_table(rows):
    import pyarrow as pa

    ids = [r["id"] for r in rows]
    try:
        id_array = pa.array(ids)
    except (pa.ArrowInvalid, pa.ArrowTypeError):
        # Mixed string and number ids: keep them all as text.
        id_array = pa.array([None if i is None else str(i) for i in ids], pa.string())
    columns = {"id": id_array}
    for name in ARROW_COLUMNS[1:]:
        typ = pa.bool_() if name == "truncated" else pa.string()
        columns[name] = pa.array([r[name] for r in rows], typ)
    return pa.table(columns)
