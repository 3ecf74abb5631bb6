//! caveat's pipeline: from a TOML file to annotated JSONL.
//!
//! * [`config`]: parses a pipeline file, validates it in three phases (schema, stage graph,
//!   environment) and reports *all* problems at once with file, line and column.
//! * [`registry`]: caveat's own stage types (`tokenize`, `ner`, `hedge`, `attribution`) as a
//!   [`Registry`](caveat_core::Registry) value; other crates register more stage types on it
//!   and pass it to [`PipelineConfig::from_file_with`] or [`PipelineSpec::build_with`].
//! * [`Pipeline`]: the built stages, shared by every worker thread; runs a batch of documents
//!   through them, isolating failures and panics per document.
//! * [`input`]: streams records from JSONL files, `.txt` files, directories and stdin, keeping
//!   physical line numbers; [`record`] turns one raw record into a [`Document`] or an
//!   [`ErrorRecord`].
//! * [`output`]: the writer: one document to one JSONL line of the output contract
//!   (`caveat-output`: the record types and offset units; code points by default).
//! * [`eval`]: scores a whole pipeline on gold files turned into raw text.
//! * [`runner`]: the streaming parallel runner — bounded batches in flight on a rayon pool,
//!   output in input order.
//! * [`shard`]: byte-range shards of the inputs (`caveat run --shard K/N`) and the footer
//!   that lets `caveat merge` check and concatenate their parts.
//!
//! [`Document`]: caveat_core::Document

pub mod config;
#[cfg(feature = "train")]
pub mod eval;
pub mod input;
pub mod output;
mod pipeline;
pub mod record;
pub mod registry;
pub mod runner;
pub mod shard;

/// The stage crates, for training and evaluation commands.
pub use caveat_attribution as attribution;
pub use caveat_hedge as hedge;
pub use caveat_ner as ner;
pub use caveat_tokenize as tokenize;

pub use config::{
    ConfigErrors, ConfigProblem, OffsetUnit, OutputOptions, PipelineConfig, PipelineSpec,
    ProblemKind,
};
pub use pipeline::{DocFailure, Pipeline};
pub use record::ErrorRecord;
pub use runner::{process_records, run, Processed, RunError, RunOptions, Summary};
pub use shard::{PartFooter, PartKind, Shard, ShardError, ShardPlan};
