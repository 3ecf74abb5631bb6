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
        finish(serde_json::from_value(value), line, offsets)
    }

    fn from_json_line(
        line_text: &str,
        line: usize,
        offsets: OffsetUnit,
    ) -> Result<Self, ReportError> {
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
    fn converts_byte_offsets() {
        let line =
            r#"{"id":"a","text":"Zoë met Ana","entities":[{"start":9,"end":12,"label":"PER"}]}"#;
        let r = Record::from_json_line(line, 1, OffsetUnit::Bytes).unwrap();
        assert_eq!((r.entities[0].start, r.entities[0].end), (8, 11));
    }
}
