//! Arbitrary bytes as a JSONL file, read by `RecordReader` and parsed by `record::parse`
//! with small limits. Every non-blank physical line must yield exactly one record (a document
//! or an error) carrying its 1-based line number, in order; documents respect the size limit.
//! Read as byte-range shards (`RecordReader::shard`, the file alone and cut in two files),
//! the shards together must yield exactly the records of the whole read, in order.
#![no_main]

use std::io::Write;
use std::path::PathBuf;
use std::sync::OnceLock;

use caveat_pipeline::input::{Input, RecordReader};
use caveat_pipeline::record::{parse, RawBody, RawRecord};
use caveat_pipeline::{Shard, ShardPlan};
use libfuzzer_sys::fuzz_target;

const MAX_LINE: usize = 512;
const MAX_DOC: usize = 48;

fn dir() -> &'static PathBuf {
    static DIR: OnceLock<PathBuf> = OnceLock::new();
    DIR.get_or_init(|| {
        if std::path::Path::new("/dev/shm").is_dir() {
            PathBuf::from("/dev/shm")
        } else {
            std::env::temp_dir()
        }
    })
}

fn path() -> &'static PathBuf {
    static PATH: OnceLock<PathBuf> = OnceLock::new();
    PATH.get_or_init(|| dir().join(format!("caveat-fuzz-{}.jsonl", std::process::id())))
}

/// What a record is, for comparing reads: file, line and body.
fn key(raw: &RawRecord) -> (String, u64, Vec<u8>) {
    let body = match &raw.body {
        RawBody::Json(b) => b.clone(),
        RawBody::TooLong { len, .. } => format!("<too long: {len}>").into_bytes(),
        RawBody::Text { bytes, .. } => bytes.clone(),
        RawBody::Error { kind, .. } => format!("<{kind}>").into_bytes(),
    };
    (raw.source.to_string(), raw.line, body)
}

fn read_all(reader: RecordReader) -> Vec<(String, u64, Vec<u8>)> {
    reader
        .map(|r| key(&r.expect("reading a regular file does not fail")))
        .collect()
}

/// Shards of `inputs` for a few shard counts (from `seed`), compared with the whole read.
fn check_shards(inputs: Vec<Input>, seed: u64, total: usize) {
    let whole = read_all(RecordReader::new(inputs.clone(), MAX_LINE, MAX_DOC));
    let plan = ShardPlan::new(inputs).expect("regular files");
    let mut counts = vec![1 + seed % 5, 2 + seed % 13];
    if total < 64 {
        counts.push(total as u64 + 2); // more shards than bytes
    }
    for n in counts {
        let mut joined = Vec::new();
        for k in 0..n {
            let shard = Shard::new(k, n).unwrap();
            joined.extend(read_all(RecordReader::shard(
                &plan, shard, MAX_LINE, MAX_DOC,
            )));
        }
        assert_eq!(joined, whole, "{n} shards");
    }
}

/// The physical lines (1-based) that must become records, and whether each is over the
/// line limit.
fn expected(data: &[u8]) -> Vec<(u64, bool)> {
    let mut out = Vec::new();
    let mut lines: Vec<&[u8]> = data.split(|&b| b == b'\n').collect();
    if lines.last().is_some_and(|l| l.is_empty()) {
        lines.pop(); // after the final newline
    }
    for (i, line) in lines.iter().enumerate() {
        let too_long = line.len() > MAX_LINE;
        let mut l = *line;
        if i == 0 {
            l = l.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(l);
        }
        let blank = l.iter().all(u8::is_ascii_whitespace);
        // A white-space-only line over the limit is reported as too long (it is never
        // buffered, so it cannot be seen to be blank).
        if !blank || too_long {
            out.push((i as u64 + 1, too_long));
        }
    }
    out
}

fuzz_target!(|data: &[u8]| {
    let p = path();
    std::fs::File::create(p).unwrap().write_all(data).unwrap();
    let want = expected(data);
    let mut got = Vec::new();
    for rec in RecordReader::new(vec![Input::Jsonl(p.clone())], MAX_LINE, MAX_DOC) {
        let raw = rec.expect("reading a regular file does not fail");
        let line = raw.line;
        match parse(raw, MAX_DOC) {
            Ok(parsed) => {
                assert_eq!(parsed.line, line);
                let doc = parsed.doc;
                assert!(
                    doc.text.len() <= MAX_DOC,
                    "text of {} bytes",
                    doc.text.len()
                );
                assert!(!doc.id.is_null(), "a null id");
                got.push((line, false));
            }
            Err(e) => {
                assert_eq!(e.line, line);
                assert!(!e.message.is_empty());
                let too_long = e.kind == "line_too_long";
                assert!(
                    matches!(
                        e.kind,
                        "invalid_utf8"
                            | "invalid_json"
                            | "not_object"
                            | "missing_text"
                            | "text_not_string"
                            | "line_too_long"
                    ),
                    "kind {}",
                    e.kind
                );
                let v = serde_json::to_value(&e).unwrap();
                assert_eq!(v["line"], line);
                got.push((line, too_long));
            }
        }
    }
    assert_eq!(got, want, "records per physical line");

    let seed = data
        .iter()
        .fold(0u64, |h, &b| h.wrapping_mul(31).wrapping_add(b as u64));
    check_shards(vec![Input::Jsonl(p.clone())], seed, data.len());
    // The same bytes cut into two files (the cut falls anywhere, also inside a line).
    let second = dir().join(format!("caveat-fuzz-{}-b.jsonl", std::process::id()));
    let cut = (seed as usize) % (data.len() + 1);
    std::fs::write(p, &data[..cut]).unwrap();
    std::fs::write(&second, &data[cut..]).unwrap();
    check_shards(
        vec![Input::Jsonl(p.clone()), Input::Jsonl(second)],
        seed >> 8,
        data.len(),
    );
});
