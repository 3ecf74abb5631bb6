//! caveat's output records, read back from JSONL.
//!
//! The record types are the output contract of `caveat-output` (see also the README,
//! "Output"): every layer is optional (missing layers are empty), unknown fields are ignored,
//! and spans are clamped into the text so that no later step can slice out of bounds.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use caveat_output::{OffsetUnit, Record};
use serde_json::Value;

use crate::text::TextIndex;
use crate::ReportError;

/// Reading [`Record`]s: parsing with line numbers for errors, offsets converted to code points
/// and clamped into the text.
pub trait ReadRecord: Sized {
    /// Build a record from one parsed JSON object. `line` (1-based) stands in for a missing id
    /// and locates errors. Spans are converted to code points (when `offsets` is
    /// [`OffsetUnit::Bytes`]) and clamped into the text.
    fn from_value(value: Value, line: usize, offsets: OffsetUnit) -> Result<Self, ReportError>;

    /// Parse one JSONL line (see [`ReadRecord::from_value`]).
    fn from_json_line(
        line_text: &str,
        line: usize,
        offsets: OffsetUnit,
    ) -> Result<Self, ReportError>;

    /// The record's title: `meta.title` (or `meta.headline`) when it is a string.
    fn title(&self) -> Option<&str>;

    /// Convert byte offsets to code points (when asked) and clamp every span into the text,
    /// with `start <= end`. Returns how many spans had to be changed.
    fn normalize(&mut self, offsets: OffsetUnit) -> usize;
}

impl ReadRecord for Record {
    fn from_value(value: Value, line: usize, offsets: OffsetUnit) -> Result<Self, ReportError> {
        if let Some(footer) = value
            .as_object()
            .filter(|o| !o.contains_key("text"))
            .and_then(|o| o.get(PART_FOOTER_KEY))
        {
            return Err(shard_part(footer, line));
        }
        finish(serde_json::from_value(value), line, offsets)
    }

    fn from_json_line(
        line_text: &str,
        line: usize,
        offsets: OffsetUnit,
    ) -> Result<Self, ReportError> {
        if is_part_footer(line_text) {
            let value = serde_json::from_str::<Value>(line_text).unwrap_or(Value::Null);
            return Err(shard_part(&value[PART_FOOTER_KEY], line));
        }
        finish(serde_json::from_str(line_text), line, offsets)
    }

    fn title(&self) -> Option<&str> {
        ["title", "headline"]
            .iter()
            .find_map(|k| self.meta.get(*k).and_then(Value::as_str))
    }

    fn normalize(&mut self, offsets: OffsetUnit) -> usize {
        let index = TextIndex::new(&self.text);
        let len = index.len_chars();
        let mut changed = 0usize;
        let mut fix = |start: &mut usize, end: &mut usize| {
            let (mut s, mut e) = (*start, *end);
            if offsets == OffsetUnit::Bytes {
                s = index.char_of_byte(s);
                e = index.char_of_byte(e);
            }
            let s2 = s.min(len);
            let e2 = e.clamp(s2, len);
            if (s2, e2) != (s, e) {
                changed += 1;
            }
            *start = s2;
            *end = e2;
        };
        for s in &mut self.sentences {
            fix(&mut s.start, &mut s.end);
        }
        for e in &mut self.entities {
            fix(&mut e.start, &mut e.end);
        }
        for h in &mut self.hedges {
            fix(&mut h.start, &mut h.end);
        }
        for a in &mut self.attributions {
            for p in [&mut a.source, &mut a.cue, &mut a.content]
                .into_iter()
                .flatten()
            {
                fix(&mut p.start, &mut p.end);
            }
        }
        if let Some(tokens) = &mut self.tokens {
            for t in tokens {
                fix(&mut t.start, &mut t.end);
            }
        }
        changed
    }
}

/// The key of the footer line, `{"caveat_part":{...}}`, that `caveat run --shard K/N` ends
/// each part with (output and errors file alike). caveat's records start with `"id"` (or
/// `"file"` in an errors file), never with it.
const PART_FOOTER_KEY: &str = "caveat_part";

/// Whether a line is a shard part's footer: an object whose first key is
/// [`PART_FOOTER_KEY`]. Checked before parsing, so that a part fails with
/// [`ReportError::ShardPart`] rather than as a malformed record.
fn is_part_footer(line_text: &str) -> bool {
    line_text
        .trim_start()
        .strip_prefix('{')
        .and_then(|t| t.trim_start().strip_prefix('"'))
        .and_then(|t| t.strip_prefix(PART_FOOTER_KEY))
        .is_some_and(|t| t.starts_with('"'))
}

/// The error for a footer (`footer` is its `caveat_part` object; `Null` if unreadable).
fn shard_part(footer: &Value, line: usize) -> ReportError {
    let number = |k: &str| footer.get(k).and_then(Value::as_u64);
    ReportError::ShardPart {
        line,
        shard: number("shard"),
        of: number("of"),
    }
}

fn finish(
    parsed: Result<Record, serde_json::Error>,
    line: usize,
    offsets: OffsetUnit,
) -> Result<Record, ReportError> {
    let mut record = parsed.map_err(|e| {
        let message = e.to_string();
        match e.classify() {
            serde_json::error::Category::Data => ReportError::Record { line, message },
            _ => ReportError::Json { line, message },
        }
    })?;
    if record.id.is_empty() {
        record.id = line.to_string();
    }
    record.normalize(offsets);
    Ok(record)
}

/// Streaming reader of caveat's JSONL output: one [`Record`] per non-blank line.
///
/// Blank lines are skipped, a UTF-8 byte-order mark and CRLF line ends are accepted. Each
/// item is the record or the error of that line (the iterator goes on after an error).
pub struct JsonlRecords<R> {
    reader: R,
    line: usize,
    buf: String,
    offsets: OffsetUnit,
    path: Option<PathBuf>,
}

impl<R: BufRead> JsonlRecords<R> {
    /// Read records from `reader`, offsets in code points.
    pub fn new(reader: R) -> Self {
        JsonlRecords {
            reader,
            line: 0,
            buf: String::new(),
            offsets: OffsetUnit::Chars,
            path: None,
        }
    }

    /// Read byte offsets instead (output of a pipeline with `[output] offsets = "bytes"`).
    pub fn with_offsets(mut self, offsets: OffsetUnit) -> Self {
        self.offsets = offsets;
        self
    }
}

/// Open a JSONL file of caveat output (see [`JsonlRecords`]).
pub fn open_jsonl(path: &Path) -> Result<JsonlRecords<BufReader<File>>, ReportError> {
    let file = File::open(path).map_err(|source| ReportError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let mut records = JsonlRecords::new(BufReader::with_capacity(1 << 20, file));
    records.path = Some(path.to_path_buf());
    Ok(records)
}

impl<R: BufRead> Iterator for JsonlRecords<R> {
    type Item = Result<Record, ReportError>;

    fn next(&mut self) -> Option<Self::Item> {
        loop {
            self.buf.clear();
            match self.reader.read_line(&mut self.buf) {
                Ok(0) => return None,
                Ok(_) => {}
                Err(source) => {
                    self.line += 1;
                    let err = match source.kind() {
                        std::io::ErrorKind::InvalidData => ReportError::Json {
                            line: self.line,
                            message: "invalid UTF-8".into(),
                        },
                        _ => ReportError::Io {
                            path: self.path.clone().unwrap_or_else(|| PathBuf::from("-")),
                            source,
                        },
                    };
                    return Some(Err(err));
                }
            }
            self.line += 1;
            let mut text = self.buf.as_str();
            if self.line == 1 {
                text = text.strip_prefix('\u{feff}').unwrap_or(text);
            }
            let text = text.trim_end_matches(['\n', '\r']);
            if text.trim().is_empty() {
                continue;
            }
            return Some(Record::from_json_line(text, self.line, self.offsets));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn reads_ids_layers_and_skips_blank_lines() {
        let input = "\u{feff}{\"id\": 7, \"text\": \"Hi\", \"meta\": {\"title\": \"T\"}}\r\n\n\
                     {\"text\": \"x\", \"entities\": [{\"start\": 0, \"end\": 9, \"label\": \"PER\"}]}\n\
                     [1]\n{\"id\":\"e\",\"kind\":\"invalid_json\"}\n";
        let items: Vec<_> = JsonlRecords::new(input.as_bytes()).collect();
        assert_eq!(items.len(), 4);
        let first = items[0].as_ref().unwrap();
        assert_eq!(first.id, "7");
        assert_eq!(first.title(), Some("T"));
        let second = items[1].as_ref().unwrap();
        assert_eq!(second.id, "3", "missing id = line number");
        assert_eq!(
            (second.entities[0].start, second.entities[0].end),
            (0, 1),
            "clamped"
        );
        assert!(matches!(items[2], Err(ReportError::Record { line: 4, .. })));
        assert!(matches!(items[3], Err(ReportError::Record { line: 5, .. })));
    }

    #[test]
    fn a_shard_part_fails_at_its_footer_and_says_to_merge() {
        // The records of shard 1 of 4, then the footer `caveat run --shard 1/4` wrote.
        let part = "{\"id\":\"a\",\"text\":\"Hi\"}\n{\"id\":\"b\",\"text\":\"Yo\"}\n\
                    {\"caveat_part\":{\"format\":1,\"part\":\"output\",\"shard\":1,\"of\":4,\
                    \"pipeline\":\"news\",\"pipeline_hash\":\"00ff\",\"inputs\":[{\"name\":\"in.jsonl\",\
                    \"bytes\":90}],\"start\":22,\"end\":45,\"bytes\":46}}\n";
        let items: Vec<_> = JsonlRecords::new(part.as_bytes()).collect();
        assert_eq!(items.len(), 3);
        assert_eq!(items[1].as_ref().unwrap().id, "b");
        let err = items[2].as_ref().unwrap_err();
        assert!(
            matches!(
                err,
                ReportError::ShardPart {
                    line: 3,
                    shard: Some(1),
                    of: Some(4)
                }
            ),
            "{err:?}"
        );
        let message = err.to_string();
        assert!(
            message.starts_with("line 3: footer of shard 1/4's part"),
            "{message}"
        );
        assert!(message.contains("run `caveat merge`"), "{message}");
        // So `caveat stats` stops rather than counting a quarter of the corpus.
        let e = crate::stats(JsonlRecords::new(part.as_bytes()), 5).unwrap_err();
        assert!(matches!(e, ReportError::ShardPart { .. }), "{e:?}");

        // Spaced out, unreadable, or handed over as a parsed value: still a footer.
        for line in [
            " { \"caveat_part\" : {\"shard\": 0, \"of\": 2}}",
            "{\"caveat_part\":{",
        ] {
            let e = Record::from_json_line(line, 9, OffsetUnit::Chars).unwrap_err();
            assert!(
                matches!(e, ReportError::ShardPart { line: 9, .. }),
                "{line}: {e:?}"
            );
        }
        let e = Record::from_json_line("{\"caveat_part\":[]}", 2, OffsetUnit::Chars).unwrap_err();
        assert_eq!(
            e.to_string().split(':').nth(1),
            Some(" footer of a shard's part (`caveat run --shard K/N`)"),
        );
        let value = serde_json::json!({"caveat_part": {"shard": 3, "of": 8}});
        let e = Record::from_value(value, 5, OffsetUnit::Chars).unwrap_err();
        assert!(
            matches!(
                e,
                ReportError::ShardPart {
                    line: 5,
                    shard: Some(3),
                    of: Some(8)
                }
            ),
            "{e:?}"
        );
        // A record is not a footer because some value mentions the key.
        let r = Record::from_json_line(
            "{\"id\":\"caveat_part\",\"text\":\"x\",\"meta\":{\"caveat_part\":1}}",
            1,
            OffsetUnit::Chars,
        )
        .unwrap();
        assert_eq!(r.id, "caveat_part");
    }

    #[test]
    fn converts_byte_offsets() {
        let line =
            r#"{"id":"a","text":"Zoë met Ana","entities":[{"start":9,"end":12,"label":"PER"}]}"#;
        let r = Record::from_json_line(line, 1, OffsetUnit::Bytes).unwrap();
        assert_eq!((r.entities[0].start, r.entities[0].end), (8, 11));
    }
}
