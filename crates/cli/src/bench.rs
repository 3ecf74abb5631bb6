//! `caveat bench`: end-to-end throughput and peak memory per thread count.
//!
//! Each measurement is a fresh `caveat run` child process (so peak RSS is that run's own),
//! writing its output to a temporary file as a real run would.

use std::path::PathBuf;
use std::process::Command;

use anyhow::{anyhow, Context};
use clap::Args;
use serde_json::Value;

use crate::{exit, Exit};

/// Flags of `caveat bench`.
#[derive(Args, Debug)]
pub struct BenchArgs {
    /// The pipeline file.
    #[arg(long, short, default_value = "pipelines/news.toml")]
    pub pipeline: PathBuf,
    /// Corpus inputs (as for `caveat run`).
    #[arg(required = true)]
    pub corpus: Vec<PathBuf>,
    /// Thread counts to measure, comma-separated.
    #[arg(long, short = 'j', value_delimiter = ',', default_value = "1,2")]
    pub threads: Vec<usize>,
    /// Runs per thread count; the fastest is reported.
    #[arg(long, default_value_t = 3)]
    pub repeat: usize,
    /// Documents per batch.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Print the results as JSON lines instead of a table.
    #[arg(long)]
    pub json: bool,
}

/// `caveat bench`.
pub fn bench(args: BenchArgs) -> Result<u8, Exit> {
    let exe = std::env::current_exe()
        .context("locating the caveat binary")
        .map_err(Exit::runtime)?;
    let dir = tempfile_dir().map_err(Exit::runtime)?;
    if !args.json {
        println!(
            "pipeline {}  corpus {}",
            args.pipeline.display(),
            args.corpus
                .iter()
                .map(|p| p.display().to_string())
                .collect::<Vec<_>>()
                .join(" ")
        );
        println!(
            "{:>7} {:>9} {:>9} {:>10} {:>12} {:>10} {:>12}",
            "threads", "docs", "seconds", "docs/s", "words/s", "MB/s", "peak RSS MB"
        );
    }
    for &threads in &args.threads {
        let mut best: Option<Value> = None;
        for _ in 0..args.repeat.max(1) {
            let out = dir.join("out.jsonl");
            let report = dir.join("report.json");
            let status = Command::new(&exe)
                .arg("run")
                .arg("--pipeline")
                .arg(&args.pipeline)
                .args(&args.corpus)
                .arg("--output")
                .arg(&out)
                .arg("--errors")
                .arg(dir.join("errors.jsonl"))
                .args(["--overwrite", "--quiet", "--threads", &threads.to_string()])
                .args(["--batch-size", &args.batch_size.to_string()])
                .arg("--report-json")
                .arg(&report)
                .status()
                .context("starting caveat run")
                .map_err(Exit::runtime)?;
            if !matches!(status.code(), Some(0) | Some(3)) {
                return Err(Exit::runtime(anyhow!("caveat run failed ({status})")));
            }
            let r: Value = serde_json::from_slice(&std::fs::read(&report).map_err(Exit::runtime)?)
                .map_err(Exit::runtime)?;
            let secs = |v: &Value| v["seconds"].as_f64().unwrap_or(f64::MAX);
            if best.as_ref().is_none_or(|b| secs(&r) < secs(b)) {
                best = Some(r);
            }
        }
        let r = best.expect("at least one run");
        let secs = r["seconds"].as_f64().unwrap_or(0.0).max(1e-9);
        let num = |k: &str| r[k].as_f64().unwrap_or(0.0);
        let rss = num("peak_rss_bytes") / 1e6;
        if args.json {
            println!(
                "{}",
                serde_json::json!({
                    "threads": threads, "documents": num("documents"), "seconds": secs,
                    "docs_per_s": num("documents") / secs, "words_per_s": num("words") / secs,
                    "mb_per_s": num("bytes") / 1e6 / secs, "peak_rss_mb": rss,
                })
            );
        } else {
            println!(
                "{:>7} {:>9} {:>9.3} {:>10.0} {:>12.0} {:>10.2} {:>12.1}",
                threads,
                num("documents"),
                secs,
                num("documents") / secs,
                num("words") / secs,
                num("bytes") / 1e6 / secs,
                rss
            );
        }
    }
    let _ = std::fs::remove_dir_all(&dir);
    Ok(exit::OK)
}

fn tempfile_dir() -> anyhow::Result<PathBuf> {
    let dir = std::env::temp_dir().join(format!("caveat-bench-{}", std::process::id()));
    std::fs::create_dir_all(&dir).with_context(|| format!("creating {}", dir.display()))?;
    Ok(dir)
}
