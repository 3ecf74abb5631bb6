//! The streaming parallel runner.
//!
//! ```text
//! reader thread ─ records ─▶ batcher (calling thread) ─ batches ─▶ rayon pool (parse,
//!                                   ▲                              stages, serialise)
//!                                   │                                      │
//!                                   └── a slot is freed when the writer ◀──┘
//!                                       thread has written a batch
//! ```
//!
//! The reader only splits lines; the batcher watches the stop flag and flushes a partial
//! batch when the input pauses; JSON parsing, the stages and JSON writing all run on the
//! pool. At most `in_flight` batches exist at once (read, processing, or waiting in the
//! writer's reorder buffer), so memory is bounded by `in_flight × batch_bytes` however large
//! the corpus. The writer emits batches strictly in input order, so the output does not
//! depend on the thread count.

use std::collections::BTreeMap;
use std::io::{self, Write};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;
use std::time::{Duration, Instant};

use caveat_core::Document;
use crossbeam_channel::bounded;

use crate::output::{write_error, write_record};
use crate::record::{parse, ErrorRecord, RawBody, RawRecord};
use crate::Pipeline;

/// How to run (command-line flags, not pipeline config).
#[derive(Clone, Debug)]
pub struct RunOptions {
    /// Worker threads (0 = all cores).
    pub threads: usize,
    /// Documents per batch.
    pub batch_size: usize,
    /// A batch is cut early when its records reach this many bytes.
    pub batch_bytes: usize,
    /// Batches in flight at once (0 = 2 × threads + 2).
    pub in_flight: usize,
    /// Texts longer than this are truncated (at a character boundary) and flagged.
    pub max_doc_bytes: usize,
    /// JSONL lines longer than this become `line_too_long` error records.
    pub max_line_bytes: usize,
    /// Skip this many input records (already written by an earlier, interrupted run).
    pub skip_records: u64,
    /// Set to stop reading new records; what was read is still processed and written.
    pub stop: Option<Arc<AtomicBool>>,
    /// Flush both writers after every batch, before `progress` is called, so that what
    /// `progress` reports is on disk (needed for checkpoints).
    pub flush_each_batch: bool,
}

impl Default for RunOptions {
    fn default() -> Self {
        RunOptions {
            threads: 0,
            batch_size: 64,
            batch_bytes: 4 << 20,
            in_flight: 0,
            max_doc_bytes: 10 << 20,
            max_line_bytes: 64 << 20,
            skip_records: 0,
            stop: None,
            flush_each_batch: false,
        }
    }
}

/// A partial batch is dispatched when no record arrived for this long.
pub const IDLE_FLUSH: Duration = Duration::from_millis(200);

/// Counts of a run so far.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Summary {
    /// Records written to the output.
    pub documents: u64,
    /// Records written to the errors file.
    pub errors: u64,
    /// Bytes of text processed.
    pub bytes: u64,
    /// Tokens produced (words and punctuation).
    pub tokens: u64,
    /// Word tokens (tokens of kind word or number), for words/s.
    pub words: u64,
    /// Wall-clock time so far.
    pub elapsed: Duration,
    /// Input records consumed (processed or failed).
    pub input_records: u64,
    /// Bytes of input consumed (record lines and text files, without line ends).
    pub input_bytes: u64,
    /// Whether the run was stopped before the end of the input.
    pub stopped: bool,
}

/// A run that could not go on.
#[derive(Debug, thiserror::Error)]
pub enum RunError {
    /// Reading an input failed.
    #[error("reading input: {0}")]
    Read(#[source] io::Error),
    /// Writing the output or errors file failed.
    #[error("writing output: {0}")]
    Write(#[source] io::Error),
    /// The thread pool could not be started.
    #[error("starting {threads} worker threads: {message}")]
    Pool {
        /// Threads asked for.
        threads: usize,
        /// Why.
        message: String,
    },
}

fn raw_len(r: &RawRecord) -> usize {
    match &r.body {
        RawBody::Json(b) => b.len(),
        RawBody::Text { bytes, .. } => bytes.len(),
        RawBody::Error { .. } | RawBody::TooLong { .. } => 0,
    }
}

#[derive(Default)]
struct BatchOut {
    input_records: u64,
    input_bytes: u64,
    out: Vec<u8>,
    err: Vec<u8>,
    documents: u64,
    errors: u64,
    bytes: u64,
    tokens: u64,
    words: u64,
}

/// What became of one input record, as [`process_records`] reports it.
pub enum Processed<'a> {
    /// The record went through every stage.
    Doc {
        /// The annotated document.
        doc: &'a Document,
        /// Its input position.
        seq: u64,
    },
    /// The record could not be read or a stage failed on it.
    Error {
        /// The error record, as written to the errors file.
        error: ErrorRecord,
        /// Its input position.
        seq: u64,
    },
}

/// Parse and annotate a batch of raw records (input positions from `first_seq`), then
/// report each record to `emit`, in input order. This is the one place that turns records
/// into documents or error records; the runner and the Python bindings both use it.
pub fn process_records(
    pipeline: &Pipeline,
    raws: Vec<RawRecord>,
    first_seq: u64,
    max_doc_bytes: usize,
    mut emit: impl FnMut(Processed<'_>),
) {
    enum Slot {
        Doc(usize, u64),
        Err(ErrorRecord, u64),
    }
    let mut docs: Vec<Document> = Vec::with_capacity(raws.len());
    let mut origin: Vec<(Arc<str>, u64)> = Vec::with_capacity(raws.len());
    let mut slots = Vec::with_capacity(raws.len());
    for (raw, seq) in raws.into_iter().zip(first_seq..) {
        match parse(raw, max_doc_bytes) {
            Ok(p) => {
                slots.push(Slot::Doc(docs.len(), seq));
                origin.push((p.source, p.line));
                docs.push(p.doc);
            }
            Err(e) => slots.push(Slot::Err(e, seq)),
        }
    }
    let failures = pipeline.annotate(&mut docs);
    for slot in slots {
        match slot {
            Slot::Err(error, seq) => emit(Processed::Error { error, seq }),
            Slot::Doc(i, seq) => match &failures[i] {
                None => emit(Processed::Doc { doc: &docs[i], seq }),
                Some(f) => {
                    let (source, line) = &origin[i];
                    let error = ErrorRecord {
                        id: Some(docs[i].id.clone()),
                        file: source.clone(),
                        line: *line,
                        kind: f.kind,
                        message: format!("stage `{}`: {}", f.stage, f.message),
                    };
                    emit(Processed::Error { error, seq })
                }
            },
        }
    }
}

fn process_batch(
    pipeline: &Pipeline,
    raws: Vec<RawRecord>,
    first_seq: u64,
    max_doc_bytes: usize,
) -> BatchOut {
    use caveat_core::TokenKind;
    let mut b = BatchOut {
        input_records: raws.len() as u64,
        input_bytes: raws.iter().map(|r| raw_len(r) as u64).sum(),
        out: Vec::with_capacity(raws.iter().map(|r| raw_len(r) * 3).sum()),
        ..Default::default()
    };
    process_records(pipeline, raws, first_seq, max_doc_bytes, |p| match p {
        Processed::Error { error, .. } => {
            write_error(&mut b.err, &error);
            b.errors += 1;
        }
        Processed::Doc { doc, .. } => {
            write_record(&mut b.out, doc, pipeline.output());
            b.documents += 1;
            b.bytes += doc.text.len() as u64;
            b.tokens += doc.tokens.len() as u64;
            b.words += doc
                .tokens
                .iter()
                .filter(|t| matches!(t.kind, TokenKind::Word | TokenKind::Number))
                .count() as u64;
        }
    });
    b
}

/// Run `pipeline` over `records`, writing output records to `out` and error records to
/// `errors`, both in input order. `progress` is called after each written batch.
///
/// `records` is read on a thread of its own, so that a stop request (SIGINT/SIGTERM) is
/// honoured even while the input blocks (a quiet pipe), and a partial batch is processed
/// when the input pauses for [`IDLE_FLUSH`] instead of waiting for the batch to fill.
pub fn run(
    pipeline: &Pipeline,
    records: impl Iterator<Item = io::Result<RawRecord>> + Send + 'static,
    out: &mut (dyn Write + Send),
    errors: &mut (dyn Write + Send),
    opts: &RunOptions,
    progress: &(dyn Fn(&Summary) + Sync),
) -> Result<Summary, RunError> {
    let start = Instant::now();
    let threads = if opts.threads == 0 {
        std::thread::available_parallelism().map_or(1, |n| n.get())
    } else {
        opts.threads
    };
    let in_flight = if opts.in_flight == 0 {
        2 * threads + 2
    } else {
        opts.in_flight
    };
    let pool = rayon::ThreadPoolBuilder::new()
        .num_threads(threads)
        .thread_name(|i| format!("caveat-worker-{i}"))
        .build()
        .map_err(|e| RunError::Pool {
            threads,
            message: e.to_string(),
        })?;

    let (slot_tx, slot_rx) = bounded::<()>(in_flight);
    let (res_tx, res_rx) = bounded::<(u64, BatchOut)>(in_flight);
    let max_doc = opts.max_doc_bytes;
    let stop = opts.stop.clone().unwrap_or_default();
    let flush_each_batch = opts.flush_each_batch;

    std::thread::scope(|ts| {
        let writer = ts.spawn(move || -> Result<Summary, RunError> {
            let mut pending: BTreeMap<u64, BatchOut> = BTreeMap::new();
            let mut next = 0u64;
            let mut sum = Summary::default();
            for (seq, batch) in res_rx.iter() {
                pending.insert(seq, batch);
                while let Some(b) = pending.remove(&next) {
                    out.write_all(&b.out).map_err(RunError::Write)?;
                    errors.write_all(&b.err).map_err(RunError::Write)?;
                    sum.input_records += b.input_records;
                    sum.input_bytes += b.input_bytes;
                    sum.documents += b.documents;
                    sum.errors += b.errors;
                    sum.bytes += b.bytes;
                    sum.tokens += b.tokens;
                    sum.words += b.words;
                    sum.elapsed = start.elapsed();
                    next += 1;
                    let _ = slot_rx.recv();
                    if flush_each_batch {
                        out.flush().map_err(RunError::Write)?;
                        errors.flush().map_err(RunError::Write)?;
                    }
                    progress(&sum);
                }
            }
            out.flush().map_err(RunError::Write)?;
            errors.flush().map_err(RunError::Write)?;
            Ok(sum)
        });

        let read_result = pool.in_place_scope(|scope| -> Result<bool, RunError> {
            // Input position of the next batch's first record (skipped records count).
            let mut seq = opts.skip_records;
            let mut batch: Vec<RawRecord> = Vec::with_capacity(opts.batch_size);
            let mut batch_bytes = 0usize;
            let mut skipped = 0u64;
            let mut batch_no = 0u64;
            let mut dispatch = |batch: Vec<RawRecord>| -> bool {
                if slot_tx.send(()).is_err() {
                    return false; // the writer is gone (write error): stop reading
                }
                let tx = res_tx.clone();
                let first = seq;
                let s = batch_no;
                seq += batch.len() as u64;
                batch_no += 1;
                scope.spawn(move |_| {
                    let b = process_batch(pipeline, batch, first, max_doc);
                    let _ = tx.send((s, b));
                });
                true
            };
            // The reader thread is detached: if it is blocked on input when the run stops,
            // it ends with the process.
            let (rec_tx, rec_rx) = bounded::<io::Result<RawRecord>>(opts.batch_size.max(1) * 2);
            std::thread::Builder::new()
                .name("caveat-reader".into())
                .spawn(move || {
                    for rec in records {
                        if rec_tx.send(rec).is_err() {
                            break;
                        }
                    }
                })
                .map_err(|e| RunError::Pool {
                    threads: 1,
                    message: format!("reader thread: {e}"),
                })?;
            let mut stopped = false;
            loop {
                if stop.load(Ordering::Relaxed) {
                    stopped = true;
                    break;
                }
                let rec = match rec_rx.recv_timeout(IDLE_FLUSH) {
                    Ok(rec) => rec,
                    Err(crossbeam_channel::RecvTimeoutError::Timeout) => {
                        if !batch.is_empty() {
                            batch_bytes = 0;
                            if !dispatch(std::mem::replace(
                                &mut batch,
                                Vec::with_capacity(opts.batch_size),
                            )) {
                                return Ok(false);
                            }
                        }
                        continue;
                    }
                    Err(crossbeam_channel::RecvTimeoutError::Disconnected) => break,
                };
                let rec = rec.map_err(RunError::Read)?;
                if skipped < opts.skip_records {
                    skipped += 1;
                    continue;
                }
                batch_bytes += raw_len(&rec);
                batch.push(rec);
                if batch.len() >= opts.batch_size.max(1) || batch_bytes >= opts.batch_bytes {
                    batch_bytes = 0;
                    if !dispatch(std::mem::replace(
                        &mut batch,
                        Vec::with_capacity(opts.batch_size),
                    )) {
                        return Ok(false);
                    }
                }
            }
            // A stop request that came with the end of the input still counts.
            stopped |= stop.load(Ordering::Relaxed);
            if !batch.is_empty() {
                dispatch(batch);
            }
            Ok(stopped)
        });
        drop(res_tx);
        let written = writer.join().expect("the writer thread does not panic");
        let mut sum = written?;
        sum.stopped = read_result?;
        sum.elapsed = start.elapsed();
        Ok(sum)
    })
}
