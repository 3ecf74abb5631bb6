//! Seeing caveat's results: an HTML report, corpus statistics and exports.
//!
//! Everything here reads caveat's output JSONL (see the README, "Output") one record at a
//! time, so memory stays flat however big the corpus:
//!
//! - [`render_html`] writes one self-contained HTML file (inline CSS and JavaScript, no
//!   external assets): a corpus overview, every claim under its source (filterable by source,
//!   kind and hedge category), then every article with entities, clusters, hedge cues and
//!   attributions (source → cue → content) marked, layers switchable, with search, filters and
//!   paging (`caveat report`).
//! - [`stats`] / [`StatsAccumulator`] compute [`CorpusStats`] (serialisable to JSON, printable
//!   as terminal tables) (`caveat stats`).
//!
//! Both group the sources of attributions by canonical name across the corpus — the cluster a
//! source was resolved to, names folded ("Mr Trump", "President Trump" → `trump`), a surname
//! joined to the one full name ending in it, an acronym to the expansion an article defines —
//! in one place, so that they agree (see [`SourceStat`]).
//! - [`export_conll`], [`BratExporter`] and [`export_spacy_json`] write CoNLL (BIO), brat
//!   standoff and spaCy `Doc.to_json()` data (`caveat export`).
//!
//! The records are `caveat-output`'s output contract ([`Record`], read with [`ReadRecord`]).
//! Offsets in the input are Unicode code points (caveat's default; [`OffsetUnit::Bytes`] reads
//! the output of `[output] offsets = "bytes"`). brat and spaCy count characters the same way,
//! so exported offsets are code points too; the HTML report converts them to UTF-16 for the
//! browser.
//!
//! ```no_run
//! use caveat_report::{open_jsonl, render_html, HtmlOptions};
//! let records = open_jsonl("out.jsonl".as_ref())?;
//! let mut html = std::io::BufWriter::new(std::fs::File::create("report.html").unwrap());
//! let summary = render_html(records, &mut html, &HtmlOptions::default())?;
//! eprintln!("{} articles", summary.articles);
//! # Ok::<(), caveat_report::ReportError>(())
//! ```

mod brat;
mod conll;
mod html;
mod record;
mod sources;
mod spacy;
mod stats;
mod text;
mod tokens;

use std::path::PathBuf;

pub use brat::{brat_annotations, export_brat, write_brat_config, BratExporter};
pub use conll::{export_conll, ConllOptions};
pub use html::{render_html, HtmlOptions, ReportSummary};
// The output contract: the record types this crate reads, and the offset units.
pub use caveat_output::{
    Attribution, Entity, Hedge, OffsetUnit, Owned, Part, Record, Sentence, Token,
};
pub use record::{open_jsonl, JsonlRecords, ReadRecord};
pub use spacy::{export_spacy_json, spacy_doc, SpacyOptions};
pub use stats::{
    stats, Bucket, CorpusStats, Count, CueStat, DocStat, EntityStat, SourceStat, StatsAccumulator,
};
pub use tokens::export_tokens;

/// What can go wrong while reading records or writing a report or an export.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum ReportError {
    /// A file could not be read or written.
    #[error("{}: {source}", path.display())]
    Io {
        /// The file (`-` for a stream).
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// A line is not JSON.
    #[error("line {line}: invalid JSON: {message}")]
    Json {
        /// 1-based line number.
        line: usize,
        /// What the parser said.
        message: String,
    },
    /// A line is JSON but not a caveat output record.
    #[error("line {line}: not a caveat output record: {message}")]
    Record {
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// A line is the footer (`{"caveat_part":{...}}`) that `caveat run --shard K/N` writes at
    /// the end of each part: the file is one shard's part (or parts joined without
    /// `caveat merge`), not a whole run's output. Never skipped: reading on would give
    /// statistics or a report of part of a corpus as if it were all of it.
    #[error(
        "line {line}: footer of {}: this file is one shard's part of a sharded run, not a \
         whole output; run `caveat merge` on all the parts first and read the merged file",
        which_shard(.shard, .of)
    )]
    ShardPart {
        /// 1-based line number.
        line: usize,
        /// The shard (`K`), when the footer says.
        shard: Option<u64>,
        /// The number of shards (`N`), when the footer says.
        of: Option<u64>,
    },
}

/// "shard K/N's part (...)" for [`ReportError::ShardPart`].
fn which_shard(shard: &Option<u64>, of: &Option<u64>) -> String {
    match (shard, of) {
        (Some(k), Some(n)) => format!("shard {k}/{n}'s part (`caveat run --shard {k}/{n}`)"),
        _ => "a shard's part (`caveat run --shard K/N`)".to_string(),
    }
}

impl ReportError {
    /// An I/O error on an output stream (no path known).
    pub(crate) fn output(source: std::io::Error) -> Self {
        ReportError::Io {
            path: PathBuf::from("<output>"),
            source,
        }
    }
}
