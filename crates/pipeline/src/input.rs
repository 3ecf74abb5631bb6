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
    /// A line of this many bytes was read into the buffer.
    Read,
    /// The line had this many bytes, more than the limit; it was skipped.
    TooLong(u64),
}

/// Read one line into `buf` (without `\n`), keeping at most `max` bytes in memory.
fn read_line_limited(r: &mut impl BufRead, buf: &mut Vec<u8>, max: usize) -> io::Result<Line> {
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

/// Streams [`RawRecord`]s from a list of inputs, in order.
pub struct RecordReader {
    inputs: std::vec::IntoIter<Input>,
    current: Option<(Arc<str>, Box<dyn BufRead + Send>, u64)>,
    max_line_bytes: usize,
    max_doc_bytes: usize,
    buf: Vec<u8>,
}

impl RecordReader {
    /// A reader over `inputs`. JSONL lines over `max_line_bytes` become `line_too_long`
    /// error records; `.txt` files are read up to `max_doc_bytes` (and flagged truncated).
    pub fn new(inputs: Vec<Input>, max_line_bytes: usize, max_doc_bytes: usize) -> RecordReader {
        RecordReader {
            inputs: inputs.into_iter(),
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
            current: Some((name.into(), reader, 0)),
            max_line_bytes,
            max_doc_bytes,
            buf: Vec::new(),
        }
    }

    fn open(&mut self, input: Input) -> io::Result<Option<RawRecord>> {
        let name: Arc<str> = input.name().into();
        match input {
            Input::Stdin => {
                self.current = Some((
                    name,
                    Box::new(BufReader::with_capacity(1 << 20, io::stdin())),
                    0,
                ));
                Ok(None)
            }
            Input::Jsonl(p) => {
                let f = File::open(&p)?;
                self.current = Some((name, Box::new(BufReader::with_capacity(1 << 20, f)), 0));
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
            if let Some((name, reader, line)) = &mut self.current {
                match read_line_limited(reader, &mut self.buf, self.max_line_bytes) {
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
                        if *line == 1 && self.buf.starts_with(b"\xEF\xBB\xBF") {
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
