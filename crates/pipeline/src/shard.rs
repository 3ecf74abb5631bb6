//! Byte-range shards (`caveat run --shard K/N`) and the parts they write.
//!
//! The inputs are seen as one byte string: the files concatenated in input order, `T` bytes
//! in all. Shard `K` of `N` owns the bytes `[K·T/N, (K+1)·T/N)` and, in them, every record
//! whose line *starts* there (a `.txt` file is one record starting at its first byte; the
//! last shard also owns what starts at `T`, i.e. empty `.txt` files at the end). Line starts
//! are partitioned by the ranges, so every record belongs to exactly one shard whatever `N`.
//! A shard opens only the files its range reaches into and parses only its own lines, up to
//! the end of the line straddling its range's end. In its first file, the bytes before its
//! range are read once to count their newlines, nothing more (see
//! [`RecordReader::shard`](crate::input::RecordReader::shard)), so that line numbers — the
//! `line` of error records and the id of a record without one — are those of a single run.
//!
//! A shard's output (and errors file) holds exactly the bytes a single run writes for its
//! records, followed by one [`PartFooter`] line saying which part of which run it is. So
//! joining the parts is a concatenation in shard order, after checking with
//! [`check_parts`] that they belong together and that none is missing or cut short.

use std::fs::File;
use std::path::PathBuf;

use serde::{Deserialize, Serialize};

use crate::input::Input;

/// Shard `k` of `n` (`k` from 0).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Shard {
    /// This shard.
    pub k: u64,
    /// How many shards there are.
    pub n: u64,
}

impl Shard {
    /// Shard `k` of `n`; needs `k < n`.
    pub fn new(k: u64, n: u64) -> Result<Shard, ShardError> {
        if k >= n {
            return Err(ShardError::Spec { k, n });
        }
        Ok(Shard { k, n })
    }

    /// The byte range `[start, end)` of the concatenated inputs (`total` bytes) that this
    /// shard owns. The last shard's `end` is `u64::MAX`: it also owns what starts at `total`.
    pub fn range(&self, total: u64) -> (u64, u64) {
        let at = |k: u64| (u128::from(total) * u128::from(k) / u128::from(self.n)) as u64;
        let end = if self.k + 1 == self.n {
            u64::MAX
        } else {
            at(self.k + 1)
        };
        (at(self.k), end)
    }
}

impl std::fmt::Display for Shard {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(f, "{}/{}", self.k, self.n)
    }
}

/// Why a sharded run cannot start, or why parts do not go together.
#[derive(Debug, thiserror::Error)]
pub enum ShardError {
    /// `k >= n`.
    #[error("--shard {k}/{n}: need 0 <= K < N")]
    Spec {
        /// The shard asked for.
        k: u64,
        /// The number of shards.
        n: u64,
    },
    /// Standard input cannot be split into byte ranges.
    #[error(
        "--shard needs input files: shards are byte ranges of seekable files, and standard input \
         (`-`, or no input path) is a stream; write it to a file first (e.g. `zcat in.jsonl.gz > in.jsonl`)"
    )]
    Stdin,
    /// An input that is not a regular file (a FIFO, a device), or whose size is unknown.
    #[error("--shard: input {path}: {message}")]
    Input {
        /// The input.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// The parts given to merge do not make up one sharded run.
    #[error("{0}")]
    Parts(String),
}

/// An input as a shard plan sees it: its name (as in error records) and size.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
pub struct InputSize {
    /// The input's name ([`Input::name`]).
    pub name: String,
    /// Its size in bytes when the run started.
    pub bytes: u64,
}

/// The inputs of a sharded run with their sizes: every shard of a run must see the same.
#[derive(Clone, Debug)]
pub struct ShardPlan {
    pub(crate) inputs: Vec<Input>,
    pub(crate) sizes: Vec<u64>,
}

impl ShardPlan {
    /// Plan shards over `inputs` (regular files only: standard input and other streams
    /// cannot be split into byte ranges).
    pub fn new(inputs: Vec<Input>) -> Result<ShardPlan, ShardError> {
        let mut sizes = Vec::with_capacity(inputs.len());
        for input in &inputs {
            let path = match input {
                Input::Stdin => return Err(ShardError::Stdin),
                Input::Jsonl(p) | Input::Text(p) => p,
            };
            let meta =
                File::open(path)
                    .and_then(|f| f.metadata())
                    .map_err(|e| ShardError::Input {
                        path: path.clone(),
                        message: e.to_string(),
                    })?;
            if !meta.is_file() {
                return Err(ShardError::Input {
                    path: path.clone(),
                    message: "not a regular file (a FIFO or device cannot be split into byte \
                              ranges; write it to a file first)"
                        .into(),
                });
            }
            sizes.push(meta.len());
        }
        Ok(ShardPlan { inputs, sizes })
    }

    /// Total bytes of the inputs.
    pub fn total(&self) -> u64 {
        self.sizes.iter().sum()
    }

    /// The inputs with their sizes.
    pub fn input_sizes(&self) -> Vec<InputSize> {
        self.inputs
            .iter()
            .zip(&self.sizes)
            .map(|(i, &bytes)| InputSize {
                name: i.name(),
                bytes,
            })
            .collect()
    }

    /// How many bytes of input `shard` owns.
    pub fn shard_bytes(&self, shard: Shard) -> u64 {
        let total = self.total();
        let (start, end) = shard.range(total);
        end.min(total) - start
    }
}

/// Which file of a sharded run a part is.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum PartKind {
    /// The output (`--output`).
    Output,
    /// The errors file (`--errors`).
    Errors,
}

/// The last line of a shard's output and errors file, written when the shard completes:
/// `{"caveat_part":{...}}`. Records never start with that key (they start with `"id"` or
/// `"file"`), so a footer cannot be mistaken for a record.
#[derive(Clone, Debug, PartialEq, Eq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct PartFooter {
    /// The footer format (this is 1).
    pub format: u32,
    /// Output or errors file.
    pub part: PartKind,
    /// The shard (`K`).
    pub shard: u64,
    /// The number of shards (`N`).
    pub of: u64,
    /// The pipeline's name.
    pub pipeline: String,
    /// FNV-1a (hex) of the pipeline file's bytes.
    pub pipeline_hash: String,
    /// The inputs, in order, with their sizes.
    pub inputs: Vec<InputSize>,
    /// The first byte of the concatenated inputs this shard owns.
    pub start: u64,
    /// The end of its range (exclusive; the total size for the last shard).
    pub end: u64,
    /// Bytes of records before the footer.
    pub bytes: u64,
}

/// The key of a [`PartFooter`] line.
pub const FOOTER_KEY: &str = "caveat_part";

/// The current [`PartFooter::format`].
pub const FOOTER_FORMAT: u32 = 1;

#[derive(Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct FooterLine {
    caveat_part: PartFooter,
}

impl PartFooter {
    /// The footer as a line (with its newline).
    pub fn to_line(&self) -> Vec<u8> {
        let mut v = serde_json::to_vec(&FooterLine {
            caveat_part: self.clone(),
        })
        .expect("serialising to memory cannot fail");
        v.push(b'\n');
        v
    }

    /// Read a footer line (with or without its newline). `None` when the line is not a
    /// footer at all; an error when it starts like one but does not parse.
    pub fn from_line(line: &[u8]) -> Option<Result<PartFooter, serde_json::Error>> {
        let line = line.strip_suffix(b"\n").unwrap_or(line);
        let prefix = format!("{{\"{FOOTER_KEY}\":");
        if !line.starts_with(prefix.as_bytes()) {
            return None;
        }
        Some(serde_json::from_slice::<FooterLine>(line).map(|f| f.caveat_part))
    }
}

/// Check that `parts` (in any order) are every part of one sharded run: the same kind of
/// file, pipeline, inputs (names and sizes) and `N`, each shard exactly once, ranges that
/// follow each other. Returns them sorted by shard.
pub fn check_parts(parts: &[(String, PartFooter)]) -> Result<Vec<usize>, ShardError> {
    let bad = |m: String| Err(ShardError::Parts(m));
    let Some((first_name, first)) = parts.first() else {
        return bad("no parts to merge".into());
    };
    for (name, p) in parts {
        if p.format != FOOTER_FORMAT {
            return bad(format!(
                "{name}: part format {} (this caveat reads format {FOOTER_FORMAT})",
                p.format
            ));
        }
        let differs = if p.part != first.part {
            Some("is an errors file and the other an output, or the reverse")
        } else if p.of != first.of {
            Some("was run with another number of shards")
        } else if p.pipeline_hash != first.pipeline_hash || p.pipeline != first.pipeline {
            Some("was run with another pipeline")
        } else if p.inputs != first.inputs {
            Some("was run on other inputs (names or sizes differ)")
        } else {
            None
        };
        if let Some(why) = differs {
            return bad(format!(
                "{name} and {first_name} are not parts of the same run: {name} {why}"
            ));
        }
    }
    let n = first.of;
    let mut order: Vec<usize> = (0..parts.len()).collect();
    order.sort_by_key(|&i| parts[i].1.shard);
    for w in order.windows(2) {
        let (a, b) = (&parts[w[0]], &parts[w[1]]);
        if a.1.shard == b.1.shard {
            return bad(format!(
                "{} and {} are both shard {}/{n}",
                a.0, b.0, a.1.shard
            ));
        }
    }
    if let Some(&i) = order.last().filter(|&&i| parts[i].1.shard >= n) {
        let (name, p) = &parts[i];
        return bad(format!("{name}: shard {} of {n} does not exist", p.shard));
    }
    if (order.len() as u64) < n {
        // The shards in 0..n that no part is (the first 20 named).
        let count = n - order.len() as u64;
        let mut missing = Vec::new();
        let mut have = order.iter().map(|&i| parts[i].1.shard).peekable();
        let mut k = 0u64;
        while missing.len() < 20 && k < n {
            if have.peek() == Some(&k) {
                have.next();
            } else {
                missing.push(k.to_string());
            }
            k += 1;
        }
        let shown = if count > missing.len() as u64 {
            format!("{} … ({count} in all)", missing.join(", "))
        } else {
            missing.join(", ")
        };
        return bad(format!(
            "missing {} of {n}: shard {shown}; merge every part of the run",
            if first.part == PartKind::Output {
                "outputs"
            } else {
                "errors files"
            }
        ));
    }
    let total: u64 = first.inputs.iter().map(|i| i.bytes).sum();
    let mut at = 0;
    for &i in &order {
        let (name, p) = &parts[i];
        let (start, end) = Shard { k: p.shard, n }.range(total);
        if p.start != at || p.start != start || p.end != end.min(total) {
            return bad(format!(
                "{name}: shard {}/{n} covers bytes {}..{}, expected {start}..{}",
                p.shard,
                p.start,
                p.end,
                end.min(total)
            ));
        }
        at = p.end;
    }
    Ok(order)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn ranges_tile_the_input_for_any_n() {
        for total in [0u64, 1, 2, 7, 100, 1 << 40, u64::MAX / 3] {
            for n in [1u64, 2, 3, 7, 16, 1000, 5000] {
                let mut at = 0;
                for k in 0..n {
                    let (s, e) = Shard::new(k, n).unwrap().range(total);
                    assert_eq!(s, at, "total {total} n {n} k {k}");
                    assert!(s <= total);
                    at = e;
                }
                assert_eq!(at, u64::MAX, "the last shard is open-ended");
            }
        }
        assert!(Shard::new(3, 3).is_err());
        assert!(Shard::new(0, 0).is_err());
    }

    fn footer(k: u64, n: u64) -> PartFooter {
        let inputs = vec![InputSize {
            name: "a.jsonl".into(),
            bytes: 10,
        }];
        let (start, end) = Shard { k, n }.range(10);
        PartFooter {
            format: FOOTER_FORMAT,
            part: PartKind::Output,
            shard: k,
            of: n,
            pipeline: "p".into(),
            pipeline_hash: "00".into(),
            inputs,
            start,
            end: end.min(10),
            bytes: 0,
        }
    }

    #[test]
    fn footers_round_trip_and_are_recognised() {
        let f = footer(1, 3);
        let line = f.to_line();
        assert!(line.starts_with(b"{\"caveat_part\":{\"format\":1,\"part\":\"output\""));
        assert_eq!(PartFooter::from_line(&line).unwrap().unwrap(), f);
        assert!(PartFooter::from_line(b"{\"id\":1,\"text\":\"x\"}").is_none());
        assert!(PartFooter::from_line(b"{\"caveat_part\":{\"format\":1}}")
            .unwrap()
            .is_err());
    }

    #[test]
    fn parts_must_be_complete_and_of_one_run() {
        let named = |fs: Vec<PartFooter>| -> Vec<(String, PartFooter)> {
            fs.into_iter()
                .map(|f| (format!("part{}", f.shard), f))
                .collect()
        };
        let order = check_parts(&named(vec![footer(2, 3), footer(0, 3), footer(1, 3)])).unwrap();
        assert_eq!(order, [1, 2, 0]);
        // More shards than bytes: empty ranges still count.
        let many: Vec<PartFooter> = (0..25).rev().map(|k| footer(k, 25)).collect();
        assert_eq!(check_parts(&named(many)).unwrap().len(), 25);

        let err = |fs| check_parts(&named(fs)).unwrap_err().to_string();
        assert!(err(vec![footer(0, 3), footer(2, 3)]).contains("missing outputs of 3: shard 1"));
        assert!(err(vec![footer(0, 3), footer(0, 3), footer(1, 3)]).contains("both shard 0/3"));
        assert!(err(vec![footer(0, 3), footer(1, 2)]).contains("another number of shards"));
        let mut other = footer(1, 2);
        other.inputs[0].bytes = 11;
        assert!(err(vec![footer(0, 2), other]).contains("other inputs"));
        let mut other = footer(1, 2);
        other.pipeline_hash = "01".into();
        assert!(err(vec![footer(0, 2), other]).contains("another pipeline"));
        let mut other = footer(1, 2);
        other.part = PartKind::Errors;
        assert!(err(vec![footer(0, 2), other]).contains("errors file"));
        let mut other = footer(1, 2);
        other.start = 4;
        assert!(err(vec![footer(0, 2), other]).contains("expected 5..10"));
        assert!(err(vec![]).contains("no parts"));
    }
}
