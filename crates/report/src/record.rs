//! caveat's output records, read back from JSONL.
//!
//! The types mirror the output contract in the README ("Output"): every layer is optional
//! (a pipeline without `ner` writes no `entities`), unknown fields are ignored, and spans are
//! clamped into the text so that no later step can slice out of bounds.

use std::fs::File;
use std::io::{BufRead, BufReader};
use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};
use serde_json::{Map, Value};

use crate::text::TextIndex;
use crate::ReportError;

/// How the offsets in the input are counted (`[output] offsets` of the pipeline that wrote it).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum Offsets {
    /// Unicode code points (caveat's default).
    #[default]
    Chars,
    /// UTF-8 bytes; converted to code points when the record is read.
    Bytes,
}

/// One output record of `caveat run`, with every span in Unicode code points.
#[derive(Clone, Debug, Default, Deserialize, Serialize)]
pub struct Record {
    /// The record's id (numbers are turned into strings; a missing, null or empty id becomes
    /// the line number).
    #[serde(default, deserialize_with = "de_id")]
    pub id: String,
    /// The article text.
    pub text: String,
    /// Sentences, in order.
    #[serde(default)]
    pub sentences: Vec<Sentence>,
    /// Named entities.
    #[serde(default)]
    pub entities: Vec<Entity>,
    /// Hedge cues.
    #[serde(default)]
    pub hedges: Vec<Hedge>,
    /// Attributions (source → cue → content).
    #[serde(default)]
    pub attributions: Vec<Attribution>,
    /// The token layer (only written with `[output] tokens = true`).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<Token>>,
    /// Everything else of the input record (`title`, ...).
    #[serde(default)]
    pub meta: Map<String, Value>,
    /// The text was cut at `--max-doc-bytes`.
    #[serde(default)]
    pub truncated: bool,
}

/// A sentence.
#[derive(Clone, Copy, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Sentence {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The sentence contains a (non-negated) hedge.
    #[serde(default)]
    pub uncertain: bool,
    /// Strength of the uncertainty, 0..=1.
    #[serde(default)]
    pub uncertainty: f64,
}

/// A named entity.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Entity {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// `PER`, `ORG`, `LOC`, `MISC`, ...
    pub label: String,
    /// The entity's text.
    #[serde(default)]
    pub text: String,
    /// Tagger confidence.
    #[serde(default)]
    pub score: f64,
}

/// A hedge cue.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Hedge {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The cue's text.
    #[serde(default)]
    pub text: String,
    /// `epistemic`, `doxastic`, `investigation`, `condition`, `evidential`, `weasel`, ...
    pub category: String,
    /// Index of the sentence the cue is in.
    #[serde(default)]
    pub sentence: Option<usize>,
    /// Confidence.
    #[serde(default)]
    pub score: f64,
    /// The cue is negated ("not likely") and does not make its sentence uncertain.
    #[serde(default)]
    pub negated: bool,
    /// Index of the attribution whose content (or cue) the hedge is in.
    #[serde(default)]
    pub attribution: Option<usize>,
}

/// A part of an attribution: a span with its text.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Part {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The text between the offsets.
    #[serde(default)]
    pub text: String,
}

/// An attribution: who (source) says (cue) what (content).
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Attribution {
    /// Who the claim is attributed to.
    #[serde(default)]
    pub source: Option<Part>,
    /// The attribution cue ("said", "according to").
    #[serde(default)]
    pub cue: Option<Part>,
    /// The attributed claim.
    #[serde(default)]
    pub content: Option<Part>,
    /// Index of the entity the source overlaps.
    #[serde(default)]
    pub source_entity: Option<usize>,
    /// The source is anonymous or vague ("officials", "some experts").
    #[serde(default)]
    pub vague: bool,
    /// Index of the attribution the source relies on (Reuters *citing* the NIS).
    #[serde(default)]
    pub cites: Option<usize>,
    /// Index of the sentence of the cue.
    #[serde(default)]
    pub sentence: Option<usize>,
    /// Confidence.
    #[serde(default)]
    pub score: f64,
}

/// A token of the optional token layer.
#[derive(Clone, Debug, Default, Deserialize, Serialize, PartialEq)]
pub struct Token {
    /// First code point.
    pub start: usize,
    /// One past the last code point.
    pub end: usize,
    /// The token's text.
    #[serde(default)]
    pub text: String,
    /// `word`, `number`, `punct`, ...
    #[serde(default)]
    pub kind: String,
}

impl Record {
    /// Build a record from one parsed JSON object. `line` (1-based) stands in for a missing id
    /// and locates errors. Spans are converted to code points (when `offsets` is
    /// [`Offsets::Bytes`]) and clamped into the text.
    pub fn from_value(value: Value, line: usize, offsets: Offsets) -> Result<Self, ReportError> {
        Self::finish(serde_json::from_value(value), line, offsets)
    }

    /// Parse one JSONL line (see [`Record::from_value`]).
    pub fn from_json_line(
        line_text: &str,
        line: usize,
        offsets: Offsets,
    ) -> Result<Self, ReportError> {
        Self::finish(serde_json::from_str(line_text), line, offsets)
    }

    fn finish(
        parsed: Result<Record, serde_json::Error>,
        line: usize,
        offsets: Offsets,
    ) -> Result<Self, ReportError> {
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

    /// The record's title: `meta.title` (or `meta.headline`) when it is a string.
    pub fn title(&self) -> Option<&str> {
        ["title", "headline"]
            .iter()
            .find_map(|k| self.meta.get(*k).and_then(Value::as_str))
    }

    /// Convert byte offsets to code points (when asked) and clamp every span into the text,
    /// with `start <= end`. Returns how many spans had to be changed.
    pub fn normalize(&mut self, offsets: Offsets) -> usize {
        let index = TextIndex::new(&self.text);
        let len = index.len_chars();
        let mut changed = 0usize;
        let mut fix = |start: &mut usize, end: &mut usize| {
            let (mut s, mut e) = (*start, *end);
            if offsets == Offsets::Bytes {
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

fn de_id<'de, D: serde::Deserializer<'de>>(d: D) -> Result<String, D::Error> {
    Ok(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    })
}

/// Streaming reader of caveat's JSONL output: one [`Record`] per non-blank line.
///
/// Blank lines are skipped, a UTF-8 byte-order mark and CRLF line ends are accepted. Each
/// item is the record or the error of that line (the iterator goes on after an error).
pub struct JsonlRecords<R> {
    reader: R,
    line: usize,
    buf: String,
    offsets: Offsets,
    path: Option<PathBuf>,
}

impl<R: BufRead> JsonlRecords<R> {
    /// Read records from `reader`, offsets in code points.
    pub fn new(reader: R) -> Self {
        JsonlRecords {
            reader,
            line: 0,
            buf: String::new(),
            offsets: Offsets::Chars,
            path: None,
        }
    }

    /// Read byte offsets instead (output of a pipeline with `[output] offsets = "bytes"`).
    pub fn with_offsets(mut self, offsets: Offsets) -> Self {
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
        let r = Record::from_json_line(line, 1, Offsets::Bytes).unwrap();
        assert_eq!((r.entities[0].start, r.entities[0].end), (8, 11));
    }
}
