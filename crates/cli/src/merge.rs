//! `caveat merge`: join shard outputs into the output of a single run.

use std::fs::File;
use std::io::{self, BufWriter, Read, Seek, SeekFrom, Write};
use std::path::{Path, PathBuf};

use anyhow::{anyhow, Context};
use caveat_pipeline::shard::{check_parts, PartFooter, PartKind};
use clap::Args;

use crate::{exit, Exit};

/// Flags of `caveat merge`.
#[derive(Args, Debug)]
pub struct MergeArgs {
    /// Every output (or every errors file) of one `caveat run --shard K/N` job, in any order.
    #[arg(required = true)]
    pub parts: Vec<PathBuf>,
    /// The merged file (default: stdout).
    #[arg(long, short)]
    pub output: Option<PathBuf>,
    /// Replace an existing output file.
    #[arg(long)]
    pub overwrite: bool,
}

/// The last line of `f` (without its newline), and where it starts. A footer is short, but
/// nothing is assumed about its length: the file is read backwards in blocks until the
/// newline before it.
fn last_line(f: &mut File, len: u64) -> io::Result<(Vec<u8>, u64)> {
    let end = if len > 0 {
        let mut b = [0u8];
        f.seek(SeekFrom::Start(len - 1))?;
        f.read_exact(&mut b)?;
        if b[0] == b'\n' {
            len - 1
        } else {
            len
        }
    } else {
        0
    };
    let mut start = end;
    let mut tail: Vec<u8> = Vec::new();
    const BLOCK: u64 = 64 * 1024;
    while start > 0 {
        let from = start.saturating_sub(BLOCK);
        let mut block = vec![0u8; (start - from) as usize];
        f.seek(SeekFrom::Start(from))?;
        f.read_exact(&mut block)?;
        if let Some(i) = memchr_rev(&block) {
            tail.splice(0..0, block[i + 1..].iter().copied());
            return Ok((tail, from + i as u64 + 1));
        }
        tail.splice(0..0, block);
        start = from;
        if tail.len() > 64 << 20 {
            break; // not a footer: no need to read a huge last line whole
        }
    }
    Ok((tail, start))
}

fn memchr_rev(b: &[u8]) -> Option<usize> {
    b.iter().rposition(|&c| c == b'\n')
}

/// Where the merged records go.
enum Out {
    File(File),
    Stdout(BufWriter<io::Stdout>),
}

/// A part file and its footer.
struct Part {
    path: PathBuf,
    footer: PartFooter,
}

fn read_part(path: &Path) -> Result<Part, Exit> {
    let mut f = File::open(path)
        .with_context(|| format!("cannot open {}", path.display()))
        .map_err(Exit::config)?;
    let len = f
        .metadata()
        .with_context(|| format!("reading {}", path.display()))
        .map_err(Exit::config)?
        .len();
    let (line, at) = last_line(&mut f, len)
        .with_context(|| format!("reading {}", path.display()))
        .map_err(Exit::runtime)?;
    let footer = match PartFooter::from_line(&line) {
        Some(Ok(footer)) => footer,
        Some(Err(e)) => {
            return Err(Exit::config(anyhow!(
                "{}: the shard footer (last line) does not parse ({e}); was the part cut short? \
                 an interrupted shard finishes with `--resume`",
                path.display()
            )))
        }
        None => {
            return Err(Exit::config(anyhow!(
                "{}: not a complete shard part (its last line is not a shard footer): merge the \
                 --output or --errors files of `caveat run --shard K/N` runs that finished; an \
                 interrupted shard finishes with `--resume`",
                path.display()
            )))
        }
    };
    if footer.bytes != at {
        return Err(Exit::config(anyhow!(
            "{}: {} bytes of records before the footer, but the footer says {}; the file was \
             changed after the shard finished",
            path.display(),
            at,
            footer.bytes
        )));
    }
    Ok(Part {
        path: path.to_path_buf(),
        footer,
    })
}

/// `caveat merge`: check that the parts are every part of one sharded run, then
/// concatenate their records in shard order (each part holds exactly the bytes a single run
/// writes for its records). Nothing is written when a check fails.
pub fn merge(args: MergeArgs) -> Result<u8, Exit> {
    let parts = args
        .parts
        .iter()
        .map(|p| read_part(p))
        .collect::<Result<Vec<_>, _>>()?;
    let named: Vec<(String, PartFooter)> = parts
        .iter()
        .map(|p| (p.path.display().to_string(), p.footer.clone()))
        .collect();
    let order = check_parts(&named).map_err(Exit::config)?;

    // A file is written unbuffered: copying a part from one file to another is then
    // `copy_file_range` (std's `io::copy` specialisation), with no copy through user space.
    let mut out: Out = match &args.output {
        Some(p) => {
            if p.exists() && !args.overwrite {
                return Err(Exit::config(anyhow!(
                    "{} already exists; pass --overwrite to replace it",
                    p.display()
                )));
            }
            if args.parts.iter().any(|part| same_file(part, p)) {
                return Err(Exit::config(anyhow!(
                    "{} is one of the parts; write the merged file elsewhere",
                    p.display()
                )));
            }
            let f = File::create(p)
                .with_context(|| format!("cannot create {}", p.display()))
                .map_err(Exit::config)?;
            Out::File(f)
        }
        None => Out::Stdout(BufWriter::with_capacity(1 << 20, io::stdout())),
    };
    let mut total = 0u64;
    for &i in &order {
        let part = &parts[i];
        let f = File::open(&part.path)
            .with_context(|| format!("cannot open {}", part.path.display()))
            .map_err(Exit::runtime)?;
        let mut records = f.take(part.footer.bytes);
        let copied = match &mut out {
            Out::File(o) => io::copy(&mut records, o),
            Out::Stdout(o) => io::copy(&mut records, o),
        }
        .with_context(|| format!("copying {}", part.path.display()))
        .map_err(Exit::runtime)?;
        if copied != part.footer.bytes {
            return Err(Exit::runtime(anyhow!(
                "{}: shorter than when it was checked",
                part.path.display()
            )));
        }
        total += copied;
    }
    match &mut out {
        Out::File(o) => o.flush(),
        Out::Stdout(o) => o.flush(),
    }
    .map_err(Exit::runtime)?;
    let what = match parts[order[0]].footer.part {
        PartKind::Output => "outputs",
        PartKind::Errors => "errors files",
    };
    eprintln!("caveat: merged {} {what} ({total} bytes)", parts.len());
    Ok(exit::OK)
}

/// Whether `a` and `b` name the same existing file.
fn same_file(a: &Path, b: &Path) -> bool {
    match (a.canonicalize(), b.canonicalize()) {
        (Ok(a), Ok(b)) => a == b,
        _ => false,
    }
}
