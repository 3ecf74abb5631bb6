//! `caveat run`.

use std::fs::{File, OpenOptions};
use std::io::{self, BufWriter, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Arc;

use anyhow::{anyhow, Context};
use caveat_pipeline::input::{expand, RecordReader};
use caveat_pipeline::shard::FOOTER_FORMAT;
use caveat_pipeline::{
    PartFooter, PartKind, PipelineConfig, RunOptions, Shard, ShardPlan, Summary,
};
use clap::Args;
use serde_json::json;

use crate::{exit, Exit};

/// Flags of `caveat run`.
#[derive(Args, Debug, Clone)]
pub struct RunArgs {
    /// The pipeline file.
    #[arg(long, short, default_value = "pipelines/news.toml")]
    pub pipeline: PathBuf,
    /// Inputs: JSONL files, .txt files, directories (walked recursively), `-` for stdin
    /// (the default when none is given).
    pub inputs: Vec<PathBuf>,
    /// Output JSONL file (default: stdout). It gets a progress file next to it
    /// (`OUT.progress.json`, for --resume), unless it is a device or FIFO (e.g. `/dev/null`):
    /// those are written as they are and cannot be resumed.
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Errors JSONL file: one record per input record that could not be processed
    /// (default: standard error). A device or FIFO (e.g. `/dev/null`) is accepted too.
    #[arg(long, short)]
    pub errors: Option<PathBuf>,
    /// Worker threads (default: all cores).
    #[arg(long, short = 'j', default_value_t = 0)]
    pub threads: usize,
    /// Documents per batch.
    #[arg(long, default_value_t = 64)]
    pub batch_size: usize,
    /// Texts longer than this many bytes are truncated at a character boundary and flagged
    /// `"truncated": true` in the output.
    #[arg(long, default_value_t = 10 << 20)]
    pub max_doc_bytes: usize,
    /// JSONL lines longer than this many bytes become `line_too_long` error records.
    #[arg(long, default_value_t = 64 << 20)]
    pub max_line_bytes: usize,
    /// Replace an existing output (and errors) file.
    #[arg(long, conflicts_with = "resume")]
    pub overwrite: bool,
    /// Continue an interrupted run: keep what the output holds up to the last complete
    /// batch and process the rest. The final output equals an uninterrupted run's.
    #[arg(long)]
    pub resume: bool,
    /// Process only shard K of N (K from 0): the inputs, concatenated in order, are cut into
    /// N equal byte ranges, and shard K gets the records whose line starts in range K (it
    /// parses only those, up to the line straddling the range's end; before the range it
    /// only counts newlines, for line numbers). The output and errors file
    /// hold exactly a single run's bytes for those records, then a footer line that
    /// `caveat merge` checks before concatenating the parts. Needs input files (not stdin).
    /// K may be `auto`: taken from JOB_COMPLETION_INDEX (Kubernetes Indexed Jobs) or
    /// SLURM_ARRAY_TASK_ID (Slurm job arrays).
    #[arg(long, value_name = "K/N")]
    pub shard: Option<String>,
    /// No progress and no summary on standard error.
    #[arg(long, short)]
    pub quiet: bool,
    /// Write the run's summary (counts, time, peak memory) as JSON to this file.
    #[arg(long, hide = true)]
    pub report_json: Option<PathBuf>,
}

/// Where a run stands, written next to the output after every batch (`OUT.progress.json`).
#[derive(serde::Serialize, serde::Deserialize, Debug, PartialEq)]
struct Checkpoint {
    /// Input records accounted for (output + errors).
    records: u64,
    /// Bytes of the output file that hold complete records.
    out_bytes: u64,
    /// Bytes of the errors file that hold complete records.
    err_bytes: u64,
    /// Whether the run reached the end of its input.
    complete: bool,
    /// The inputs, to refuse resuming with different ones.
    inputs: Vec<String>,
    /// The shard (`K/N`) of a sharded run, to refuse resuming another one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    shard: Option<String>,
    /// The inputs' sizes in a sharded run: its byte range depends on them.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    input_bytes: Option<Vec<u64>>,
}

fn checkpoint_path(output: &Path) -> PathBuf {
    let mut s = output.as_os_str().to_owned();
    s.push(".progress.json");
    PathBuf::from(s)
}

fn write_checkpoint(path: &Path, cp: &Checkpoint) -> io::Result<()> {
    let tmp = path.with_extension("tmp");
    std::fs::write(&tmp, serde_json::to_vec(cp).expect("serialisable"))?;
    std::fs::rename(&tmp, path)
}

/// Peak resident set size of this process in bytes (Linux), if known.
pub fn peak_rss_bytes() -> Option<u64> {
    let status = std::fs::read_to_string("/proc/self/status").ok()?;
    let line = status.lines().find(|l| l.starts_with("VmHWM:"))?;
    let kb: u64 = line.split_whitespace().nth(1)?.parse().ok()?;
    Some(kb * 1024)
}

/// A writer that counts the bytes it has written.
struct Counting<W> {
    inner: W,
    written: Arc<std::sync::atomic::AtomicU64>,
}

impl<W: Write> Write for Counting<W> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        let n = self.inner.write(buf)?;
        self.written.fetch_add(n as u64, Ordering::Relaxed);
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        self.inner.flush()
    }
}

/// Whether `path` is an existing file that is neither a regular file nor a directory: a
/// character device (`/dev/null`, a terminal), a FIFO, a socket. Such an output is a stream:
/// it is opened as it is (never created, truncated or sought), and gets no progress file, so
/// a run into it cannot be resumed.
fn is_stream(path: &Path) -> bool {
    std::fs::metadata(path).is_ok_and(|m| !m.is_file() && !m.is_dir())
}

/// Refuse an output path that exists (without --overwrite/--resume) or whose directory does
/// not exist. A stream ([`is_stream`]) is always accepted.
fn check_output_path(path: &Path, args: &RunArgs) -> Result<(), Exit> {
    if is_stream(path) {
        return Ok(());
    }
    if path.exists() && !args.overwrite && !args.resume {
        return Err(Exit::config(anyhow!(
            "{} already exists; pass --overwrite to replace it or --resume to continue an interrupted run",
            path.display()
        )));
    }
    if path.is_dir() {
        return Err(Exit::config(anyhow!(
            "{} is a directory; name a file",
            path.display()
        )));
    }
    let parent = path
        .parent()
        .filter(|p| !p.as_os_str().is_empty())
        .unwrap_or(Path::new("."));
    if !parent.is_dir() {
        return Err(Exit::config(anyhow!(
            "cannot write {}: the directory {} does not exist",
            path.display(),
            parent.display()
        )));
    }
    Ok(())
}

/// Open an output file (already checked by [`check_output_path`]), keeping its first `keep`
/// bytes (0 for a new run; the checkpoint's length on `--resume`), positioned after them.
/// A stream is opened for writing as it is.
fn open_output(path: &Path, keep: u64) -> Result<File, Exit> {
    if is_stream(path) {
        return OpenOptions::new()
            .write(true)
            .open(path)
            .with_context(|| format!("cannot open {} for writing", path.display()))
            .map_err(Exit::config);
    }
    let mut f = OpenOptions::new()
        .create(true)
        .write(true)
        .truncate(false)
        .open(path)
        .with_context(|| format!("cannot open {} for writing", path.display()))
        .map_err(Exit::config)?;
    f.set_len(keep)
        .and_then(|_| f.seek(SeekFrom::Start(keep)))
        .map_err(Exit::runtime)?;
    Ok(f)
}

/// Parse `K/N` (K may be `auto`).
fn parse_shard(spec: &str) -> anyhow::Result<Shard> {
    let (k, n) = spec
        .split_once('/')
        .ok_or_else(|| anyhow!("--shard takes K/N, e.g. 0/4; got `{spec}`"))?;
    let n: u64 = n
        .trim()
        .parse()
        .map_err(|_| anyhow!("--shard {spec}: N must be a positive integer"))?;
    let k: u64 = if k.trim() == "auto" {
        let (var, value) = ["JOB_COMPLETION_INDEX", "SLURM_ARRAY_TASK_ID"]
            .iter()
            .find_map(|v| std::env::var(v).ok().map(|x| (*v, x)))
            .ok_or_else(|| {
                anyhow!(
                    "--shard auto/{n}: neither JOB_COMPLETION_INDEX nor SLURM_ARRAY_TASK_ID is set"
                )
            })?;
        value
            .trim()
            .parse()
            .map_err(|_| anyhow!("--shard auto: {var}={value} is not an integer"))?
    } else {
        k.trim()
            .parse()
            .map_err(|_| anyhow!("--shard {spec}: K must be an integer or `auto`"))?
    };
    Shard::new(k, n).map_err(|_| anyhow!("--shard {spec}: need 0 <= K < N (K = {k})"))
}

/// `caveat run`.
pub fn run(args: RunArgs) -> Result<u8, Exit> {
    let shard = args
        .shard
        .as_deref()
        .map(parse_shard)
        .transpose()
        .map_err(Exit::config)?;
    let config = PipelineConfig::from_file(&args.pipeline).map_err(Exit::config)?;
    let pipeline = config.build().map_err(Exit::config)?;
    let inputs = expand(&args.inputs).map_err(Exit::config)?;
    let input_names: Vec<String> = inputs.iter().map(|i| i.name()).collect();
    let plan = match shard {
        Some(_) => Some(ShardPlan::new(inputs.clone()).map_err(Exit::config)?),
        None => None,
    };
    let shard_name = shard.map(|s| s.to_string());
    let input_bytes: Option<Vec<u64>> = plan
        .as_ref()
        .map(|p| p.input_sizes().iter().map(|i| i.bytes).collect());

    if args.resume && args.output.is_none() {
        return Err(Exit::config(anyhow!(
            "--resume needs --output (a run to stdout cannot be resumed)"
        )));
    }
    if let Some(out) = args
        .output
        .as_deref()
        .filter(|p| args.resume && is_stream(p))
    {
        return Err(Exit::config(anyhow!(
            "--resume needs a regular output file; {} is not one (a run into it cannot be resumed)",
            out.display()
        )));
    }
    // Where the run stands, next to a regular output file (a stream has no place for it).
    let checkpoint_file = args
        .output
        .as_deref()
        .filter(|p| !is_stream(p))
        .map(checkpoint_path);
    let mut start = Checkpoint {
        records: 0,
        out_bytes: 0,
        err_bytes: 0,
        complete: false,
        inputs: input_names.clone(),
        shard: shard_name.clone(),
        input_bytes: input_bytes.clone(),
    };
    if args.resume {
        if let Some(cp) = checkpoint_file.as_deref().filter(|p| p.exists()) {
            let text = std::fs::read(cp)
                .with_context(|| format!("reading {}", cp.display()))
                .map_err(Exit::config)?;
            let found: Checkpoint = serde_json::from_slice(&text)
                .with_context(|| {
                    format!(
                        "{} is not a caveat checkpoint; delete it to start over",
                        cp.display()
                    )
                })
                .map_err(Exit::config)?;
            if found.inputs != input_names {
                return Err(Exit::config(anyhow!(
                    "the interrupted run read other inputs ({}); resume with the same inputs",
                    found.inputs.join(" ")
                )));
            }
            if found.shard != shard_name {
                return Err(Exit::config(anyhow!(
                    "the interrupted run was {}; resume it with the same --shard",
                    found
                        .shard
                        .as_deref()
                        .map_or("not sharded".to_string(), |s| format!("shard {s}"))
                )));
            }
            if found.input_bytes != input_bytes {
                return Err(Exit::config(anyhow!(
                    "the inputs changed size since the interrupted shard started, which moves \
                     every shard's byte range; run every shard again from the start (--overwrite)"
                )));
            }
            if found.complete {
                // Nothing left to process; still cut anything written after the end.
                let out = args.output.as_deref().expect("checked above");
                open_output(out, found.out_bytes)?;
                if let Some(e) = &args.errors {
                    open_output(e, found.err_bytes)?;
                }
                if !args.quiet {
                    eprintln!(
                        "caveat: {} is already complete ({} records)",
                        args.output.as_ref().unwrap().display(),
                        found.records
                    );
                }
                return Ok(exit::OK);
            }
            start = found;
        }
    }

    // Check both output paths before creating either, so that a refused start leaves
    // nothing behind.
    for path in [args.output.as_deref(), args.errors.as_deref()]
        .into_iter()
        .flatten()
    {
        check_output_path(path, &args)?;
    }
    // Bytes of each file holding complete records (what a checkpoint records).
    let out_count = Arc::new(std::sync::atomic::AtomicU64::new(start.out_bytes));
    let err_count = Arc::new(std::sync::atomic::AtomicU64::new(start.err_bytes));
    let mut out: Box<dyn Write + Send> = match &args.output {
        Some(p) => Box::new(Counting {
            inner: BufWriter::with_capacity(1 << 20, open_output(p, start.out_bytes)?),
            written: out_count.clone(),
        }),
        None => Box::new(Counting {
            inner: BufWriter::with_capacity(1 << 20, io::stdout()),
            written: out_count.clone(),
        }),
    };
    let mut errors: Box<dyn Write + Send> = match &args.errors {
        Some(p) => Box::new(Counting {
            inner: BufWriter::new(open_output(p, start.err_bytes)?),
            written: err_count.clone(),
        }),
        None => Box::new(io::stderr()),
    };

    let stop = Arc::new(AtomicBool::new(false));
    for sig in [signal_hook::consts::SIGINT, signal_hook::consts::SIGTERM] {
        signal_hook::flag::register(sig, stop.clone()).map_err(Exit::runtime)?;
    }

    let opts = RunOptions {
        threads: args.threads,
        batch_size: args.batch_size,
        max_doc_bytes: args.max_doc_bytes,
        max_line_bytes: args.max_line_bytes,
        skip_records: start.records,
        stop: Some(stop),
        flush_each_batch: checkpoint_file.is_some(),
        ..RunOptions::default()
    };
    let base_records = start.records;
    let checkpoint = |s: &Summary| {
        if let Some(cp) = &checkpoint_file {
            let state = Checkpoint {
                records: base_records + s.input_records,
                out_bytes: out_count.load(Ordering::Relaxed),
                err_bytes: err_count.load(Ordering::Relaxed),
                complete: false,
                inputs: input_names.clone(),
                shard: shard_name.clone(),
                input_bytes: input_bytes.clone(),
            };
            // A failed checkpoint only weakens --resume; the run itself goes on.
            let _ = write_checkpoint(cp, &state);
        }
    };
    let total_bytes = match (&plan, shard) {
        (Some(plan), Some(shard)) => Some(plan.shard_bytes(shard)),
        _ => inputs
            .iter()
            .map(|i| match i {
                caveat_pipeline::input::Input::Stdin => None,
                caveat_pipeline::input::Input::Jsonl(p)
                | caveat_pipeline::input::Input::Text(p) => {
                    std::fs::metadata(p).ok().map(|m| m.len())
                }
            })
            .sum::<Option<u64>>(),
    };
    let progress = crate::progress::Progress::new(args.quiet, total_bytes);
    let on_batch = |s: &Summary| {
        checkpoint(s);
        progress.update(s);
    };
    let reader = match (&plan, shard) {
        (Some(plan), Some(shard)) => {
            RecordReader::shard(plan, shard, args.max_line_bytes, args.max_doc_bytes)
        }
        _ => RecordReader::new(inputs, args.max_line_bytes, args.max_doc_bytes),
    };
    let summary = caveat_pipeline::run(&pipeline, reader, &mut out, &mut errors, &opts, &on_batch)
        .map_err(Exit::runtime)?;
    progress.finish();
    if let (Some(plan), Some(shard), false) = (&plan, shard, summary.stopped) {
        // The footers that make the parts mergeable, written only when the shard is complete.
        let pipeline_hash = std::fs::read(&args.pipeline)
            .map(|b| format!("{:016x}", caveat_text::hash::fnv1a(&b)))
            .with_context(|| format!("reading {}", args.pipeline.display()))
            .map_err(Exit::runtime)?;
        let total = plan.total();
        let (start, end) = shard.range(total);
        let footer = |part, bytes| PartFooter {
            format: FOOTER_FORMAT,
            part,
            shard: shard.k,
            of: shard.n,
            pipeline: config.name.clone(),
            pipeline_hash: pipeline_hash.clone(),
            inputs: plan.input_sizes(),
            start,
            end: end.min(total),
            bytes,
        };
        let out_bytes = out_count.load(Ordering::Relaxed);
        out.write_all(&footer(PartKind::Output, out_bytes).to_line())
            .and_then(|_| out.flush())
            .map_err(Exit::runtime)?;
        // Errors on standard error (no --errors) are for reading, not merging: no footer.
        if args.errors.is_some() {
            let err_bytes = err_count.load(Ordering::Relaxed);
            errors
                .write_all(&footer(PartKind::Errors, err_bytes).to_line())
                .and_then(|_| errors.flush())
                .map_err(Exit::runtime)?;
        }
    }
    drop(out);
    drop(errors);
    if let Some(cp) = &checkpoint_file {
        let state = Checkpoint {
            records: base_records + summary.input_records,
            out_bytes: out_count.load(Ordering::Relaxed),
            err_bytes: err_count.load(Ordering::Relaxed),
            complete: !summary.stopped,
            inputs: input_names.clone(),
            shard: shard_name.clone(),
            input_bytes: input_bytes.clone(),
        };
        write_checkpoint(cp, &state)
            .with_context(|| format!("writing {}", cp.display()))
            .map_err(Exit::runtime)?;
    }

    let secs = summary.elapsed.as_secs_f64().max(1e-9);
    if !args.quiet {
        eprintln!(
            "caveat: {} documents, {} errors, {:.1} MB, {} words in {:.2} s ({:.1} MB/s, {:.0} words/s, {:.0} docs/s){}",
            summary.documents,
            summary.errors,
            summary.bytes as f64 / 1e6,
            summary.words,
            secs,
            summary.bytes as f64 / 1e6 / secs,
            summary.words as f64 / secs,
            summary.documents as f64 / secs,
            match (summary.stopped, args.output.as_deref().is_some_and(is_stream)) {
                (false, _) => "",
                (true, false) => "; interrupted: resume with --resume",
                (true, true) => "; interrupted (the output is a stream: run again to redo it)",
            }
        );
    }
    if let Some(path) = &args.report_json {
        let report = json!({
            "documents": summary.documents,
            "errors": summary.errors,
            "bytes": summary.bytes,
            "words": summary.words,
            "tokens": summary.tokens,
            "seconds": secs,
            "peak_rss_bytes": peak_rss_bytes(),
        });
        std::fs::write(path, report.to_string()).map_err(Exit::runtime)?;
    }
    Ok(if summary.stopped {
        exit::INTERRUPTED
    } else if summary.errors > 0 {
        exit::RECORD_ERRORS
    } else {
        exit::OK
    })
}
