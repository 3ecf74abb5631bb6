//! `caveat merge`: join shard outputs into the output of a single run.

use std::collections::BinaryHeap;
use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};
use std::path::PathBuf;

use anyhow::{anyhow, Context};
use caveat_pipeline::output::split_seq;
use clap::Args;

use crate::{exit, Exit};

/// Flags of `caveat merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Shard outputs (or shard errors files) of `caveat run --shard K/N`, in any order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// The merged file (default: stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub overwrite: bool,
}

struct Part {
    path: PathBuf,
    reader: BufReader<File>,
    line: u64,
    buf: Vec<u8>,
}

impl Part {
    /// The next (input position, record) of this part.
    fn next(&mut self) -> anyhow::Result<Option<(u64, Vec<u8>)>> {
        loop {
            self.buf.clear();
            if self.reader.read_until(b'\n', &mut self.buf)? == 0 {
                return Ok(None);
            }
            self.line += 1;
            let line = self.buf.trim_ascii_end();
            if line.is_empty() {
                continue;
            }
            let (rec, seq) = split_seq(line).ok_or_else(|| {
                anyhow!(
                    "{}:{}: not a shard output line (no `_seq` field); merge the outputs of `caveat run --shard K/N`",
                    self.path.display(),
                    self.line
                )
            })?;
            return Ok(Some((seq, rec)));
        }
    }
}

/// `caveat merge`: a k-way merge on the input positions; memory is one line per part.
pub fn merge(args: MergeArgs) -> Result<u8, Exit> {
    let mut parts = Vec::new();
    for p in &args.parts {
        let f = File::open(p)
            .with_context(|| format!("cannot open {}", p.display()))
            .map_err(Exit::config)?;
        parts.push(Part {
            path: p.clone(),
            reader: BufReader::with_capacity(1 << 20, f),
            line: 0,
            buf: Vec::new(),
        });
    }
    let mut out: Box<dyn Write> = match &args.output {
        Some(p) => {
            if p.exists() && !args.overwrite {
                return Err(Exit::config(anyhow!(
                    "{} already exists; pass --overwrite to replace it",
                    p.display()
                )));
            }
            let f = File::create(p)
                .with_context(|| format!("cannot create {}", p.display()))
                .map_err(Exit::config)?;
            Box::new(BufWriter::with_capacity(1 << 20, f))
        }
        None => Box::new(BufWriter::new(std::io::stdout())),
    };
    // Min-heap on (position, part).
    let mut heap = BinaryHeap::new();
    for (i, part) in parts.iter_mut().enumerate() {
        if let Some((seq, rec)) = part.next().map_err(Exit::runtime)? {
            heap.push(std::cmp::Reverse((seq, i, rec)));
        }
    }
    let mut last: Option<u64> = None;
    let mut n = 0u64;
    while let Some(std::cmp::Reverse((seq, i, rec))) = heap.pop() {
        if last == Some(seq) {
            return Err(Exit::runtime(anyhow!(
                "input position {seq} appears twice (in {}); were the shards run with different N or inputs?",
                parts[i].path.display()
            )));
        }
        last = Some(seq);
        out.write_all(&rec)
            .and_then(|_| out.write_all(b"\n"))
            .map_err(Exit::runtime)?;
        n += 1;
        if let Some((s2, r2)) = parts[i].next().map_err(Exit::runtime)? {
            if s2 <= seq {
                return Err(Exit::runtime(anyhow!(
                    "{}:{}: input positions go backwards; is this a complete shard output?",
                    parts[i].path.display(),
                    parts[i].line
                )));
            }
            heap.push(std::cmp::Reverse((s2, i, r2)));
        }
    }
    out.flush().map_err(Exit::runtime)?;
    eprintln!("caveat: merged {n} records from {} parts", parts.len());
    Ok(exit::OK)
}
