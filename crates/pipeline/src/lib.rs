//! caveat's pipeline: from a TOML file to annotated JSONL.
//!
//! * [`config`]: parses a pipeline file, validates it in three phases (schema, stage graph,
//!   environment) and reports *all* problems at once with file, line and column.
//! * [`registry`]: the table of stage types (`tokenize`, `ner`, `hedge`, `attribution`), their
//!   options and how to build them. Adding a stage type is one line there.
//! * [`Pipeline`]: the built stages, shared by every worker thread; runs a batch of documents
//!   through them, isolating failures and panics per document.
//! * [`input`]: streams records from JSONL files, `.txt` files, directories and stdin, keeping
//!   physical line numbers; [`record`] turns one raw record into a [`Document`] or an
//!   [`ErrorRecord`].
//! * [`output`]: the JSONL output contract (code-point offsets by default).
//! * [`eval`]: scores a whole pipeline on gold files turned into raw text.
//! * [`runner`]: the streaming parallel runner — bounded batches in flight on a rayon pool,
//!   output in input order.
//!
//! [`Document`]: caveat_core::Document

pub mod config;
pub mod eval;
pub mod input;
pub mod output;
mod pipeline;
pub mod record;
pub mod registry;
pub mod runner;

/// The stage crates, for training and evaluation commands.
pub use caveat_attribution as attribution;
pub use caveat_hedge as hedge;
pub use caveat_ner as ner;
pub use caveat_tokenize as tokenize;

pub use config::{ConfigErrors, ConfigProblem, OffsetUnit, OutputOptions, PipelineConfig};
pub use pipeline::{DocFailure, Pipeline};
pub use record::ErrorRecord;
pub use runner::{process_records, run, shard_of, Processed, RunError, RunOptions, Summary};
