//! `caveat report`, `caveat stats`, `caveat export`: looking at a run's output.

use std::fs::File;
use std::io::{BufWriter, Write};
use std::path::PathBuf;

use anyhow::Context;
use caveat_report::{
    export_conll, export_spacy_json, open_jsonl, render_html, stats, BratExporter, ConllOptions,
    HtmlOptions, OffsetUnit, SpacyOptions,
};
use clap::{Args, ValueEnum};

use crate::{exit, Exit};

/// Offset unit of the output being read.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum OffsetArg {
    /// Unicode code points (the default output).
    Chars,
    /// UTF-8 bytes (`[output] offsets = "bytes"`).
    Bytes,
}

impl From<OffsetArg> for OffsetUnit {
    fn from(o: OffsetArg) -> OffsetUnit {
        match o {
            OffsetArg::Chars => OffsetUnit::Chars,
            OffsetArg::Bytes => OffsetUnit::Bytes,
        }
    }
}

/// Flags of `caveat report`.
#[derive(Args, Debug)]
pub struct ReportArgs {
    /// A `caveat run` output file.
    pub input: PathBuf,
    /// The HTML file to write (one self-contained file).
    #[arg(long)]
    pub html: PathBuf,
    /// Page title.
    #[arg(long, default_value = "caveat report")]
    pub title: String,
    /// Articles per page.
    #[arg(long, default_value_t = 20)]
    pub page_size: usize,
    /// Rows in each overview table.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Skip unreadable lines instead of stopping.
    #[arg(long)]
    pub skip_invalid: bool,
    /// Offset unit of the input.
    #[arg(long, value_enum, default_value = "chars")]
    pub offsets: OffsetArg,
}

/// `caveat report`.
pub fn report(a: ReportArgs) -> Result<u8, Exit> {
    let records = open_jsonl(&a.input)
        .map_err(Exit::config)?
        .with_offsets(a.offsets.into());
    let file = File::create(&a.html)
        .with_context(|| format!("cannot create {}", a.html.display()))
        .map_err(Exit::config)?;
    let mut out = BufWriter::new(file);
    let opts = HtmlOptions {
        title: a.title,
        page_size: a.page_size,
        top: a.top,
        skip_invalid: a.skip_invalid,
        ..HtmlOptions::default()
    };
    let summary = render_html(records, &mut out, &opts).map_err(Exit::runtime)?;
    out.flush()
        .map_err(|e| Exit::runtime(anyhow::Error::from(e)))?;
    eprintln!(
        "caveat: wrote {} ({} articles{})",
        a.html.display(),
        summary.articles,
        if summary.skipped > 0 {
            format!(", {} lines skipped", summary.skipped)
        } else {
            String::new()
        }
    );
    Ok(exit::OK)
}

/// Flags of `caveat stats`.
#[derive(Args, Debug)]
pub struct StatsArgs {
    /// A `caveat run` output file.
    pub input: PathBuf,
    /// Print JSON instead of tables.
    #[arg(long)]
    pub json: bool,
    /// Rows in each ranking.
    #[arg(long, default_value_t = 20)]
    pub top: usize,
    /// Offset unit of the input.
    #[arg(long, value_enum, default_value = "chars")]
    pub offsets: OffsetArg,
}

/// `caveat stats`.
pub fn stats_cmd(a: StatsArgs) -> Result<u8, Exit> {
    let records = open_jsonl(&a.input)
        .map_err(Exit::config)?
        .with_offsets(a.offsets.into());
    let s = stats(records, a.top).map_err(Exit::runtime)?;
    if a.json {
        println!(
            "{}",
            serde_json::to_string_pretty(&s).map_err(|e| Exit::runtime(anyhow::Error::from(e)))?
        );
    } else {
        print!("{s}");
    }
    Ok(exit::OK)
}

/// Export formats.
#[derive(Clone, Copy, Debug, ValueEnum)]
pub enum Format {
    /// CoNLL: a token per line with its BIO entity tag, blank lines between sentences.
    Conll,
    /// brat standoff: `<id>.txt` + `<id>.ann` per document in a directory.
    Brat,
    /// spaCy `Doc.to_json()` objects, one per line.
    Spacy,
}

/// Flags of `caveat export`.
#[derive(Args, Debug)]
pub struct ExportArgs {
    /// The format.
    #[arg(value_enum)]
    pub format: Format,
    /// A `caveat run` output file.
    pub input: PathBuf,
    /// Output file (conll, spacy) or directory (brat).
    #[arg(long, short)]
    pub output: PathBuf,
    /// CoNLL: add a hedge-cue BIO column before the entity tag.
    #[arg(long)]
    pub hedge_column: bool,
    /// spaCy: add caveat's extra data under `_` (register the extensions before `Doc.from_json`).
    #[arg(long)]
    pub extensions: bool,
    /// Offset unit of the input.
    #[arg(long, value_enum, default_value = "chars")]
    pub offsets: OffsetArg,
}

/// `caveat export`.
pub fn export(a: ExportArgs) -> Result<u8, Exit> {
    let records = open_jsonl(&a.input)
        .map_err(Exit::config)?
        .with_offsets(a.offsets.into());
    let mut n = 0u64;
    match a.format {
        Format::Conll | Format::Spacy => {
            let file = File::create(&a.output)
                .with_context(|| format!("cannot create {}", a.output.display()))
                .map_err(Exit::config)?;
            let mut out = BufWriter::new(file);
            let conll = ConllOptions {
                hedge_column: a.hedge_column,
                ..ConllOptions::default()
            };
            let spacy = SpacyOptions {
                extensions: a.extensions,
            };
            for r in records {
                let r = r.map_err(Exit::runtime)?;
                match a.format {
                    Format::Conll => export_conll(&r, &mut out, &conll).map(|_| ()),
                    _ => export_spacy_json(&r, &mut out, &spacy),
                }
                .map_err(Exit::runtime)?;
                n += 1;
            }
            out.flush()
                .map_err(|e| Exit::runtime(anyhow::Error::from(e)))?;
        }
        Format::Brat => {
            let mut ex = BratExporter::new(&a.output).map_err(Exit::config)?;
            for r in records {
                ex.write(&r.map_err(Exit::runtime)?)
                    .map_err(Exit::runtime)?;
                n += 1;
            }
            ex.finish().map_err(Exit::runtime)?;
        }
    }
    eprintln!("caveat: exported {n} documents to {}", a.output.display());
    Ok(exit::OK)
}
