//! Streaming corpus input: JSONL files, `.txt` files, directories and stdin.
//!
//! Records are read one at a time with bounded memory: a JSONL line longer than the line
//! limit is skipped (without being buffered) and reported as a `line_too_long` record, and a
//! `.txt` file is read up to the document size limit. Line numbers are physical, 1-based;
//! blank lines are not records. A UTF-8 byte-order mark at the start of a file and `\r`
//! before `\n` are removed.

use std::fs::File;
use std::io::{self, BufRead, BufReader, Read};
use std::path::{Path, PathBuf};
use std::sync::Arc;

use crate::record::{RawBody, RawRecord};
use crate::shard::{Shard, ShardPlan};

/// One input source.
#[derive(Clone, Debug, PartialEq, Eq)]
pub enum Input {
    /// Standard input, read as JSONL.
    Stdin,
    /// A JSONL file: one `{"id", "text", ...}` object per line.
    Jsonl(PathBuf),
    /// A text file: one document, whose id is the path.
    Text(PathBuf),
}

impl Input {
    /// How the input is named in error records.
    pub fn name(&self) -> String {
        match self {
            Input::Stdin => "-".to_string(),
            Input::Jsonl(p) | Input::Text(p) => p.display().to_string(),
        }
    }
}

/// An input path that cannot be read.
#[derive(Debug, thiserror::Error)]
#[error("input {path}: {message}")]
pub struct InputError {
    /// The path as given.
    pub path: PathBuf,
    /// What is wrong.
    pub message: String,
}

fn is_text(p: &Path) -> bool {
    matches!(p.extension().and_then(|e| e.to_str()), Some("txt" | "text"))
}

fn is_corpus_file(p: &Path) -> bool {
    matches!(
        p.extension().and_then(|e| e.to_str()),
        Some("txt" | "text" | "jsonl" | "ndjson" | "json")
    )
}

fn walk(dir: &Path, out: &mut Vec<Input>) -> io::Result<()> {
    let mut entries: Vec<PathBuf> = std::fs::read_dir(dir)?
        .map(|e| e.map(|e| e.path()))
        .collect::<Result<_, _>>()?;
    entries.sort();
    for p in entries {
        if p.is_dir() {
            walk(&p, out)?;
        } else if is_corpus_file(&p) {
            out.push(if is_text(&p) {
                Input::Text(p)
            } else {
                Input::Jsonl(p)
            });
        }
    }
    Ok(())
}

/// Turn command-line paths into inputs: `-` (or no path) is stdin; directories are walked
/// recursively in sorted order, taking `.jsonl`, `.ndjson`, `.json`, `.txt` and `.text`
/// files; a file named explicitly is a text document when it ends in `.txt`/`.text` and
/// JSONL otherwise. Every path is checked before any record is read.
pub fn expand(paths: &[PathBuf]) -> Result<Vec<Input>, InputError> {
    if paths.is_empty() {
        return Ok(vec![Input::Stdin]);
    }
    let mut out = Vec::new();
    for p in paths {
        if p.as_os_str() == "-" {
            out.push(Input::Stdin);
        } else if p.is_dir() {
            walk(p, &mut out).map_err(|e| InputError {
                path: p.clone(),
                message: e.to_string(),
            })?;
        } else {
            File::open(p).map_err(|e| InputError {
                path: p.clone(),
                message: format!("cannot open: {e}"),
            })?;
            out.push(if is_text(p) {
                Input::Text(p.clone())
            } else {
                Input::Jsonl(p.clone())
            });
        }
    }
    Ok(out)
}

/// Outcome of reading one line.
enum Line {
    Eof,
    /// A line was read into the buffer.
    Read,
    /// The line had this many bytes, more than the limit; it was skipped.
    TooLong(u64),
}

/// Read one line into `buf` (without `\n`), keeping at most `max` bytes in memory. Adds the
/// bytes consumed (the line and its `\n`) to `consumed`.
fn read_line_limited(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    max: usize,
    consumed: &mut u64,
) -> io::Result<Line> {
    buf.clear();
    let mut total: u64 = 0;
    let mut any = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            break;
        }
        any = true;
        let (part, done) = match memchr::memchr(b'\n', chunk) {
            Some(i) => (&chunk[..i], Some(i + 1)),
            None => (chunk, None),
        };
        total += part.len() as u64;
        if total <= max as u64 {
            buf.extend_from_slice(part);
        } else if !buf.is_empty() {
            buf.clear();
            buf.shrink_to(64 * 1024);
        }
        let used = done.unwrap_or(chunk.len());
        r.consume(used);
        *consumed += used as u64;
        if done.is_some() {
            break;
        }
    }
    if !any {
        return Ok(Line::Eof);
    }
    if total > max as u64 {
        return Ok(Line::TooLong(total));
    }
    if buf.last() == Some(&b'\r') {
        buf.pop();
    }
    Ok(Line::Read)
}

/// Position `r` (at the start of a file) at the first line that starts at or after byte
/// `from` (> 0), without parsing anything before it. Returns the number of lines before that
/// line and its byte offset (the file's length when no line starts there).
///
/// The newlines before `from` are counted (memchr over the bytes, nothing else) because line
/// numbers are part of the output: a record without an id gets its line number as id, and
/// error records name their line. A shard therefore reads the part of its first file before
/// its range once, at memory speed, but parses only its own lines.
fn seek_line(r: &mut impl BufRead, from: u64) -> io::Result<(u64, u64)> {
    let mut lines = 0u64;
    let mut pos = 0u64;
    // Count the newlines in [0, from - 1): the byte at from - 1 decides whether `from`
    // starts a line.
    while pos < from - 1 {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((lines, pos));
        }
        let take = chunk.len().min((from - 1 - pos) as usize);
        lines += memchr::memchr_iter(b'\n', &chunk[..take]).count() as u64;
        r.consume(take);
        pos += take as u64;
    }
    // Then skip to the end of the line holding byte from - 1 (it belongs to the shard
    // before); the next line is this shard's first.
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok((lines, pos));
        }
        match memchr::memchr(b'\n', chunk) {
            Some(i) => {
                r.consume(i + 1);
                return Ok((lines + 1, pos + i as u64 + 1));
            }
            None => {
                let n = chunk.len();
                r.consume(n);
                pos += n as u64;
            }
        }
    }
}

/// An input still to be read, with the part of it that is read: the lines starting in
/// `[from, until)` (bytes of the file).
struct Pending {
    input: Input,
    from: u64,
    until: u64,
}

impl Pending {
    fn whole(input: Input) -> Pending {
        Pending {
            input,
            from: 0,
            until: u64::MAX,
        }
    }
}

/// The JSONL stream being read.
struct Open {
    name: Arc<str>,
    reader: Box<dyn BufRead + Send>,
    /// Physical lines read so far (the file's, also when reading started inside it).
    line: u64,
    /// Byte offset of the next line.
    pos: u64,
    /// No line starting at or after this offset is read.
    until: u64,
}

/// Streams [`RawRecord`]s from a list of inputs, in order.
pub struct RecordReader {
    inputs: std::vec::IntoIter<Pending>,
    current: Option<Open>,
    max_line_bytes: usize,
    max_doc_bytes: usize,
    buf: Vec<u8>,
}

impl RecordReader {
    /// A reader over `inputs`. JSONL lines over `max_line_bytes` become `line_too_long`
    /// error records; `.txt` files are read up to `max_doc_bytes` (and flagged truncated).
    pub fn new(inputs: Vec<Input>, max_line_bytes: usize, max_doc_bytes: usize) -> RecordReader {
        RecordReader {
            inputs: inputs
                .into_iter()
                .map(Pending::whole)
                .collect::<Vec<_>>()
                .into_iter(),
            current: None,
            max_line_bytes,
            max_doc_bytes,
            buf: Vec::new(),
        }
    }

    /// A reader over the records of `shard` (see [`crate::shard`]): those whose line starts
    /// in the shard's byte range of the concatenated inputs. Each file the range reaches
    /// into is opened at the range (its earlier lines only have their newlines counted, so
    /// that line numbers stay the file's) and read up to the end of the line that straddles
    /// the range's end. Files wholly outside the range are not opened.
    pub fn shard(
        plan: &ShardPlan,
        shard: Shard,
        max_line_bytes: usize,
        max_doc_bytes: usize,
    ) -> RecordReader {
        let (start, end) = shard.range(plan.total());
        let mut pending = Vec::new();
        let mut base = 0u64;
        for (input, &size) in plan.inputs.iter().zip(&plan.sizes) {
            let owned = match input {
                // One record, starting at the file's first byte (also when it is empty).
                Input::Text(_) => start <= base && base < end,
                // Lines start in [base, base + size).
                _ => size > 0 && base < end && start < base + size,
            };
            if owned {
                pending.push(Pending {
                    input: input.clone(),
                    from: start.saturating_sub(base),
                    until: end.saturating_sub(base),
                });
            }
            base += size;
        }
        RecordReader {
            inputs: pending.into_iter(),
            current: None,
            max_line_bytes,
            max_doc_bytes,
            buf: Vec::new(),
        }
    }

    /// A reader over one JSONL stream (e.g. bytes in memory), named `name` in error records.
    pub fn from_reader(
        name: &str,
        reader: Box<dyn BufRead + Send>,
        max_line_bytes: usize,
        max_doc_bytes: usize,
    ) -> RecordReader {
        RecordReader {
            inputs: Vec::new().into_iter(),
            current: Some(Open {
                name: name.into(),
                reader,
                line: 0,
                pos: 0,
                until: u64::MAX,
            }),
            max_line_bytes,
            max_doc_bytes,
            buf: Vec::new(),
        }
    }

    fn open(&mut self, pending: Pending) -> io::Result<Option<RawRecord>> {
        let name: Arc<str> = pending.input.name().into();
        let whole = |reader: Box<dyn BufRead + Send>| Open {
            name: name.clone(),
            reader,
            line: 0,
            pos: 0,
            until: pending.until,
        };
        match pending.input {
            Input::Stdin => {
                self.current = Some(whole(Box::new(BufReader::with_capacity(
                    1 << 20,
                    io::stdin(),
                ))));
                Ok(None)
            }
            Input::Jsonl(p) => {
                let f = File::open(&p)?;
                let mut reader = BufReader::with_capacity(1 << 20, f);
                let (line, pos) = if pending.from > 0 {
                    seek_line(&mut reader, pending.from).map_err(|e| {
                        io::Error::new(e.kind(), format!("reading {}: {e}", p.display()))
                    })?
                } else {
                    (0, 0)
                };
                self.current = Some(Open {
                    line,
                    pos,
                    ..whole(Box::new(reader))
                });
                Ok(None)
            }
            Input::Text(p) => {
                let f = File::open(&p)?;
                let mut bytes = Vec::new();
                let limit = self.max_doc_bytes as u64 + 3;
                f.take(limit + 1).read_to_end(&mut bytes)?;
                let truncated = bytes.len() as u64 > limit;
                if truncated {
                    bytes.truncate(limit as usize);
                }
                if bytes.starts_with(b"\xEF\xBB\xBF") {
                    bytes.drain(..3);
                }
                Ok(Some(RawRecord {
                    source: name.clone(),
                    line: 1,
                    body: RawBody::Text {
                        id: name.to_string(),
                        bytes,
                        truncated,
                    },
                }))
            }
        }
    }
}

impl Iterator for RecordReader {
    type Item = io::Result<RawRecord>;

    fn next(&mut self) -> Option<io::Result<RawRecord>> {
        loop {
            if let Some(open) = &mut self.current {
                if open.pos >= open.until {
                    // The line starting here belongs to the next shard.
                    self.current = None;
                    continue;
                }
                let at = open.pos;
                let read = read_line_limited(
                    &mut open.reader,
                    &mut self.buf,
                    self.max_line_bytes,
                    &mut open.pos,
                );
                let (name, line) = (&open.name, &mut open.line);
                match read {
                    Err(e) => {
                        let e = io::Error::new(
                            e.kind(),
                            format!("reading {name} after line {line}: {e}"),
                        );
                        self.current = None;
                        return Some(Err(e));
                    }
                    Ok(Line::Eof) => self.current = None,
                    Ok(Line::TooLong(n)) => {
                        *line += 1;
                        return Some(Ok(RawRecord {
                            source: name.clone(),
                            line: *line,
                            body: RawBody::TooLong {
                                len: n,
                                max: self.max_line_bytes,
                            },
                        }));
                    }
                    Ok(Line::Read) => {
                        *line += 1;
                        if at == 0 && self.buf.starts_with(b"\xEF\xBB\xBF") {
                            self.buf.drain(..3);
                        }
                        if self.buf.iter().all(|b| b.is_ascii_whitespace()) {
                            continue;
                        }
                        let body = RawBody::Json(std::mem::take(&mut self.buf));
                        return Some(Ok(RawRecord {
                            source: name.clone(),
                            line: *line,
                            body,
                        }));
                    }
                }
                continue;
            }
            let input = self.inputs.next()?;
            match self.open(input) {
                Ok(Some(rec)) => return Some(Ok(rec)),
                Ok(None) => {}
                Err(e) => return Some(Err(e)),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn read_all(content: &[u8], max_line: usize) -> Vec<(u64, String)> {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("in.jsonl");
        std::fs::write(&p, content).unwrap();
        RecordReader::new(vec![Input::Jsonl(p)], max_line, 1 << 20)
            .map(|r| {
                let r = r.unwrap();
                let body = match r.body {
                    RawBody::Json(b) => String::from_utf8_lossy(&b).into_owned(),
                    RawBody::Error { kind, .. } => format!("<{kind}>"),
                    RawBody::TooLong { .. } => "<line_too_long>".to_string(),
                    RawBody::Text { .. } => unreachable!(),
                };
                (r.line, body)
            })
            .collect()
    }

    #[test]
    fn physical_line_numbers_skip_blank_lines_and_strip_bom_and_cr() {
        let got = read_all(b"\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"b\":2}\n{\"c\":3}", 100);
        assert_eq!(
            got,
            vec![
                (1, "{\"a\":1}".into()),
                (4, "{\"b\":2}".into()),
                (5, "{\"c\":3}".into())
            ]
        );
    }

    #[test]
    fn overlong_lines_become_error_records() {
        let long = format!("{{\"text\":\"{}\"}}\n{{\"x\":1}}\n", "a".repeat(5000));
        let got = read_all(long.as_bytes(), 100);
        assert_eq!(
            got,
            vec![(1, "<line_too_long>".into()), (2, "{\"x\":1}".into())]
        );
    }

    #[test]
    fn directories_are_walked_in_order() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::create_dir(dir.path().join("sub")).unwrap();
        std::fs::write(dir.path().join("b.txt"), "B").unwrap();
        std::fs::write(dir.path().join("a.jsonl"), "").unwrap();
        std::fs::write(dir.path().join("sub/c.txt"), "C").unwrap();
        std::fs::write(dir.path().join("skip.png"), "").unwrap();
        let inputs = expand(&[dir.path().to_path_buf()]).unwrap();
        let names: Vec<String> = inputs
            .iter()
            .map(|i| {
                Path::new(&i.name())
                    .strip_prefix(dir.path())
                    .unwrap()
                    .display()
                    .to_string()
            })
            .collect();
        assert_eq!(names, ["a.jsonl", "b.txt", "sub/c.txt"]);
        assert!(expand(&[dir.path().join("missing.jsonl")]).is_err());
    }

    /// Every record of `files` as (file, line, body), read whole or as `n` shards.
    fn records(reader: RecordReader) -> Vec<(String, u64, String)> {
        reader
            .map(|r| {
                let r = r.unwrap();
                let body = match r.body {
                    RawBody::Json(b) => String::from_utf8_lossy(&b).into_owned(),
                    RawBody::Text { bytes, .. } => String::from_utf8_lossy(&bytes).into_owned(),
                    RawBody::TooLong { len, .. } => format!("<too long: {len}>"),
                    RawBody::Error { kind, .. } => format!("<{kind}>"),
                };
                (r.source.to_string(), r.line, body)
            })
            .collect()
    }

    fn sharded(inputs: &[Input], n: u64, max_line: usize) -> Vec<Vec<(String, u64, String)>> {
        let plan = ShardPlan::new(inputs.to_vec()).unwrap();
        (0..n)
            .map(|k| {
                let shard = Shard::new(k, n).unwrap();
                records(RecordReader::shard(&plan, shard, max_line, 1 << 20))
            })
            .collect()
    }

    #[test]
    fn shards_partition_the_records_whatever_n() {
        let dir = tempfile::tempdir().unwrap();
        let files: &[(&str, &[u8])] = &[
            (
                "a.jsonl",
                b"\xEF\xBB\xBF{\"a\":1}\r\n\n   \n{\"b\":2}\r\n{\"c\":3}",
            ),
            ("empty.jsonl", b""),
            ("b.jsonl", b"\n\n{\"d\":4}\n"),
            ("t.txt", b"a text file\n"),
            ("e.txt", b""),
            (
                "c.jsonl",
                b"{\"x\":\"a long line, over the limit of 20 bytes\"}\n{\"y\":5}\n\n",
            ),
            ("d.jsonl", b"{\"z\":6}\n{\"w\":7}"),
            ("last.txt", b""),
        ];
        let inputs: Vec<Input> = files
            .iter()
            .map(|(name, bytes)| {
                let p = dir.path().join(name);
                std::fs::write(&p, bytes).unwrap();
                if name.ends_with(".txt") {
                    Input::Text(p)
                } else {
                    Input::Jsonl(p)
                }
            })
            .collect();
        let whole = records(RecordReader::new(inputs.clone(), 20, 1 << 20));
        assert_eq!(whole.len(), 11);
        let total: u64 = files.iter().map(|f| f.1.len() as u64).sum();
        for n in (1..=total + 3).chain([1000, 4096]) {
            let parts = sharded(&inputs, n, 20);
            let joined: Vec<_> = parts.concat();
            assert_eq!(joined, whole, "{n} shards");
        }
        // Each file alone, too (one file: the ranges fall inside its lines).
        for input in &inputs {
            let whole = records(RecordReader::new(vec![input.clone()], 20, 1 << 20));
            for n in 1..=40 {
                assert_eq!(
                    sharded(std::slice::from_ref(input), n, 20).concat(),
                    whole,
                    "{n} shards"
                );
            }
        }
    }

    #[test]
    fn a_shard_owns_the_lines_starting_in_its_range() {
        // 16 bytes; the second line starts at byte 8.
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.jsonl");
        std::fs::write(&p, "{\"a\":1}\n{\"b\":2}\n").unwrap();
        let sizes = |n| -> Vec<usize> {
            sharded(&[Input::Jsonl(p.clone())], n, 100)
                .iter()
                .map(Vec::len)
                .collect()
        };
        assert_eq!(sizes(2), [1, 1]); // [0, 8) and [8, 16)
        assert_eq!(sizes(3), [1, 1, 0]); // [0, 5), [5, 10), [10, 16)
        assert_eq!(sizes(4), [1, 0, 1, 0]); // 0..4, 4..8, 8..12, 12..16
        let parts = sharded(&[Input::Jsonl(p)], 3, 100);
        assert_eq!(parts[1][0].1, 2, "line numbers stay the file's");
    }

    #[test]
    fn standard_input_and_fifos_cannot_be_sharded() {
        let e = ShardPlan::new(vec![Input::Stdin]).unwrap_err();
        assert!(e.to_string().contains("standard input"), "{e}");
        let e = ShardPlan::new(vec![Input::Jsonl("/dev/null".into())]).unwrap_err();
        assert!(e.to_string().contains("not a regular file"), "{e}");
    }

    #[test]
    fn text_files_are_one_document_cut_at_the_limit() {
        let dir = tempfile::tempdir().unwrap();
        let p = dir.path().join("a.txt");
        std::fs::write(&p, "x".repeat(100)).unwrap();
        let recs: Vec<_> = RecordReader::new(vec![Input::Text(p)], 10, 10).collect();
        assert_eq!(recs.len(), 1);
        match &recs[0].as_ref().unwrap().body {
            RawBody::Text {
                bytes, truncated, ..
            } => assert!(*truncated && bytes.len() == 13),
            _ => panic!("not text"),
        }
    }
}
