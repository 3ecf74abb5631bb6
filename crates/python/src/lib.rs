//! Python bindings of caveat: the native module `caveat._native`.
//!
//! The Python package `caveat` (python/caveat/__init__.py) wraps it with the user-facing API
//! (`Pipeline.process`, `process_batch`, `process_arrow`, `process_pandas`). Everything here
//! works on JSONL lines so that every output and error record is *byte-identical* to what
//! `caveat run` writes for the same record at the same input line:
//!
//! * [`split_jsonl`] splits a JSONL file's bytes into records exactly as the CLI's reader does
//!   (physical 1-based line numbers, blank lines skipped, BOM and `\r` removed, over-long
//!   lines reported);
//! * [`Pipeline::process_lines`] runs `record::parse` → `Pipeline::annotate` →
//!   `output::write_record` / `write_error` on each record, in parallel (rayon), with the GIL
//!   released.

// pyo3 0.22's #[pyfunction]/#[pymethods] expansions trip this lint on newer clippy.
#![allow(clippy::useless_conversion)]

use std::path::Path;
use std::sync::Arc;

use caveat_pipeline::input::RecordReader;
use caveat_pipeline::output::{write_error, write_record};
use caveat_pipeline::record::{RawBody, RawRecord};
use caveat_pipeline::{process_records, PipelineConfig, Processed};
use pyo3::exceptions::{PyTypeError, PyValueError};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyInt, PyList, PyString, PyTuple};
use rayon::prelude::*;

/// The CLI's default `--max-doc-bytes`.
const MAX_DOC_BYTES: usize = 10 << 20;
/// The CLI's default `--max-line-bytes`.
const MAX_LINE_BYTES: usize = 64 << 20;
/// Records per unit of parallel work (the CLI's default `--batch-size`).
const CHUNK: usize = 64;

/// One record handed to [`process`].
enum Item {
    /// A JSONL line (without its line end).
    Json(Vec<u8>),
    /// A bare text: processed as the JSONL record `{"text": ...}`.
    Text(String),
    /// A line of this many bytes, over the line limit (`line_too_long`).
    TooLong(u64),
}

/// Run the pipeline over one chunk of records; one `(ok, json)` per record, in order.
/// `caveat_pipeline::process_records` does the work, exactly as for `caveat run`.
fn process_chunk(
    pipeline: &caveat_pipeline::Pipeline,
    items: Vec<(u64, Item)>,
    source: &Arc<str>,
    max_doc_bytes: usize,
    max_line_bytes: usize,
) -> Vec<(bool, String)> {
    let raws: Vec<RawRecord> = items
        .into_iter()
        .map(|(line, item)| {
            let body = match item {
                Item::Json(bytes) => RawBody::Json(bytes),
                Item::Text(text) => RawBody::Json(
                    serde_json::to_vec(&serde_json::json!({ "text": text }))
                        .expect("serialising a string cannot fail"),
                ),
                Item::TooLong(n) => RawBody::TooLong { len: n, max: max_line_bytes },
            };
            RawRecord {
                source: source.clone(),
                line,
                body,
            }
        })
        .collect();
    let mut out = Vec::with_capacity(raws.len());
    let mut buf = Vec::new();
    let mut finish = |buf: &mut Vec<u8>, ok: bool| {
        buf.pop(); // the newline
        out.push((ok, String::from_utf8(std::mem::take(buf)).expect("serde_json writes UTF-8")));
    };
    process_records(pipeline, raws, 0, max_doc_bytes, |p| match p {
        Processed::Doc { doc, .. } => {
            write_record(&mut buf, doc, pipeline.output());
            finish(&mut buf, true);
        }
        Processed::Error { error, .. } => {
            write_error(&mut buf, &error);
            finish(&mut buf, false);
        }
    });
    out
}

/// Split a JSONL file's bytes into records with the CLI's own reader
/// (`caveat_pipeline::input::RecordReader`): `(line, body)` with 1-based physical line
/// numbers, blank lines skipped, a UTF-8 BOM and `\r` removed; a line over
/// `max_line_bytes` gives `Err(length)`.
fn split(data: &[u8], max_line_bytes: usize) -> Vec<(u64, Result<Vec<u8>, u64>)> {
    let reader = RecordReader::from_reader(
        "-",
        Box::new(std::io::Cursor::new(data.to_vec())),
        max_line_bytes,
        MAX_DOC_BYTES,
    );
    reader
        .map(|r| {
            let r = r.expect("reading from memory cannot fail");
            let body = match r.body {
                RawBody::Json(b) => Ok(b),
                RawBody::TooLong { len, .. } => Err(len),
                RawBody::Text { .. } | RawBody::Error { .. } => {
                    unreachable!("a JSONL stream yields JSON lines and over-long lines only")
                }
            };
            (r.line, body)
        })
        .collect()
}

/// `split_jsonl(data, max_line_bytes=64 MiB) -> list[tuple[int, bytes | int]]`
///
/// Split the bytes of a JSONL file into `(line, record)` pairs exactly as `caveat run` reads
/// the file: `line` is the 1-based physical line, `record` the line's bytes (without line
/// end, BOM or `\r`), or the line's length (an `int`) when it is over `max_line_bytes`
/// (pass it on to `Pipeline.process_lines`, which makes it a `line_too_long` error record).
/// Blank lines are not records.
#[pyfunction]
#[pyo3(signature = (data, max_line_bytes = MAX_LINE_BYTES))]
fn split_jsonl<'py>(
    py: Python<'py>,
    data: &Bound<'py, PyBytes>,
    max_line_bytes: usize,
) -> PyResult<Bound<'py, PyList>> {
    let parts = split(data.as_bytes(), max_line_bytes);
    let list = PyList::empty_bound(py);
    for (line, rec) in parts {
        let rec: PyObject = match rec {
            Ok(b) => PyBytes::new_bound(py, &b).into_any().unbind(),
            Err(n) => n.into_py(py),
        };
        list.append(PyTuple::new_bound(py, [line.into_py(py), rec]))?;
    }
    Ok(list)
}

/// A built caveat pipeline (models loaded once), shared by all threads.
#[pyclass(frozen, module = "caveat._native")]
struct Pipeline {
    inner: Arc<caveat_pipeline::Pipeline>,
    /// `None`: rayon's global pool; `Some(None)`: the calling thread only; else own pool.
    pool: Option<Option<rayon::ThreadPool>>,
}

impl Pipeline {
    fn run(
        &self,
        items: Vec<(u64, Item)>,
        source: &str,
        max_doc_bytes: usize,
        max_line_bytes: usize,
    ) -> Vec<(bool, String)> {
        let source: Arc<str> = source.into();
        let p = &*self.inner;
        let mut chunks: Vec<Vec<(u64, Item)>> = Vec::new();
        let mut it = items.into_iter().peekable();
        while it.peek().is_some() {
            chunks.push(it.by_ref().take(CHUNK).collect());
        }
        let work = |chunks: Vec<Vec<(u64, Item)>>| -> Vec<(bool, String)> {
            chunks
                .into_par_iter()
                .map(|c| process_chunk(p, c, &source, max_doc_bytes, max_line_bytes))
                .flatten_iter()
                .collect()
        };
        match &self.pool {
            None => work(chunks),
            Some(Some(pool)) => pool.install(|| work(chunks)),
            Some(None) => chunks
                .into_iter()
                .flat_map(|c| process_chunk(p, c, &source, max_doc_bytes, max_line_bytes))
                .collect(),
        }
    }
}

fn to_py_results(py: Python<'_>, results: Vec<(bool, String)>) -> PyResult<Bound<'_, PyList>> {
    let list = PyList::empty_bound(py);
    for (ok, json) in results {
        list.append(PyTuple::new_bound(
            py,
            [
                ok.into_py(py),
                PyString::new_bound(py, &json).into_any().unbind(),
            ],
        ))?;
    }
    Ok(list)
}

#[pymethods]
impl Pipeline {
    /// `Pipeline.from_toml(path, threads=0)`: load and validate a pipeline file (schema,
    /// stage order, files) and build every stage. `threads`: 0 = rayon's global pool (all
    /// cores), 1 = only the calling thread (best under Ray or Spark, which parallelise
    /// across processes), n = a pool of n threads. Raises `ValueError` with every problem
    /// of the file (file:line:column) when it does not validate or a model does not load.
    #[staticmethod]
    #[pyo3(signature = (path, threads = 0))]
    fn from_toml(py: Python<'_>, path: std::path::PathBuf, threads: usize) -> PyResult<Self> {
        let pipeline = py
            .allow_threads(|| PipelineConfig::from_file(Path::new(&path))?.build())
            .map_err(|e| PyValueError::new_err(e.to_string()))?;
        let pool = match threads {
            0 => None,
            1 => Some(None),
            n => Some(Some(
                rayon::ThreadPoolBuilder::new()
                    .num_threads(n)
                    .thread_name(|i| format!("caveat-py-{i}"))
                    .build()
                    .map_err(|e| PyValueError::new_err(e.to_string()))?,
            )),
        };
        Ok(Pipeline {
            inner: Arc::new(pipeline),
            pool,
        })
    }

    /// The pipeline's name (`[pipeline] name`).
    #[getter]
    fn name(&self) -> String {
        self.inner.name().to_string()
    }

    /// The stages' type names, in order.
    #[getter]
    fn stages(&self) -> Vec<&'static str> {
        self.inner.stage_names()
    }

    /// `process_lines(lines, line_numbers=None, source="-", max_doc_bytes=10 MiB,
    /// max_line_bytes=64 MiB) -> list[tuple[bool, str]]`
    ///
    /// Process JSONL records. Each item of `lines` is one JSONL line (`str` or `bytes`,
    /// without line end) or an `int`: the length of a line that was over `max_line_bytes`
    /// (see `split_jsonl`). `line_numbers` gives each record's physical line in `source`
    /// (default 1, 2, 3, ...): it stands in for a missing id and appears in error records.
    /// Returns one `(ok, json)` per item, in order: `ok` is `True` with the output record,
    /// `False` with the error record, each exactly as `caveat run` writes it (without the
    /// newline). Runs in parallel with the GIL released.
    #[pyo3(signature = (lines, line_numbers = None, source = "-", max_doc_bytes = MAX_DOC_BYTES, max_line_bytes = MAX_LINE_BYTES))]
    fn process_lines<'py>(
        &self,
        py: Python<'py>,
        lines: &Bound<'py, PyAny>,
        line_numbers: Option<Vec<u64>>,
        source: &str,
        max_doc_bytes: usize,
        max_line_bytes: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let mut items = Vec::new();
        for (i, obj) in lines.iter()?.enumerate() {
            let obj = obj?;
            let item = if let Ok(b) = obj.downcast::<PyBytes>() {
                Item::Json(b.as_bytes().to_vec())
            } else if let Ok(s) = obj.downcast::<PyString>() {
                Item::Json(s.to_cow()?.as_bytes().to_vec())
            } else if obj.is_instance_of::<PyInt>() {
                Item::TooLong(obj.extract()?)
            } else {
                return Err(PyTypeError::new_err(format!(
                    "lines[{i}]: expected a JSONL line (str or bytes) or an over-long line's length (int), found {}",
                    obj.get_type().name()?
                )));
            };
            items.push(item);
        }
        let numbered = number(items, line_numbers)?;
        let results =
            py.allow_threads(|| self.run(numbered, source, max_doc_bytes, max_line_bytes));
        to_py_results(py, results)
    }

    /// `process_texts(texts, source="-", max_doc_bytes=10 MiB) -> list[tuple[bool, str]]`
    ///
    /// Process bare texts: `texts[i]` is processed as the JSONL record `{"text": texts[i]}`
    /// at line `i + 1` (so its id is `i + 1`). Returns what `process_lines` returns.
    #[pyo3(signature = (texts, source = "-", max_doc_bytes = MAX_DOC_BYTES))]
    fn process_texts<'py>(
        &self,
        py: Python<'py>,
        texts: Vec<String>,
        source: &str,
        max_doc_bytes: usize,
    ) -> PyResult<Bound<'py, PyList>> {
        let items = texts.into_iter().map(Item::Text).collect();
        let numbered = number(items, None)?;
        let results =
            py.allow_threads(|| self.run(numbered, source, max_doc_bytes, MAX_LINE_BYTES));
        to_py_results(py, results)
    }

    fn __repr__(&self) -> String {
        format!(
            "caveat.Pipeline(name={:?}, stages={:?})",
            self.inner.name(),
            self.inner.stage_names()
        )
    }
}

fn number(items: Vec<Item>, line_numbers: Option<Vec<u64>>) -> PyResult<Vec<(u64, Item)>> {
    match line_numbers {
        None => Ok((1..).zip(items).collect()),
        Some(ns) if ns.len() == items.len() => Ok(ns.into_iter().zip(items).collect()),
        Some(ns) => Err(PyValueError::new_err(format!(
            "line_numbers has {} entries for {} lines",
            ns.len(),
            items.len()
        ))),
    }
}

/// The native part of the `caveat` Python package.
#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<Pipeline>()?;
    m.add_function(wrap_pyfunction!(split_jsonl, m)?)?;
    m.add("__version__", env!("CARGO_PKG_VERSION"))?;
    Ok(())
}
