//! One input record: from raw bytes to a [`Document`], or to an [`ErrorRecord`].

use std::sync::Arc;

use caveat_core::Document;
use serde::Serialize;
use serde_json::Value;

/// What the reader hands to the workers: one record's bytes and where they came from.
#[derive(Debug)]
pub struct RawRecord {
    /// The input file (`-` for stdin).
    pub source: Arc<str>,
    /// 1-based physical line of the record in its file (1 for a `.txt` document).
    pub line: u64,
    /// The record's content.
    pub body: RawBody,
}

/// Content of a [`RawRecord`].
#[derive(Debug)]
pub enum RawBody {
    /// One JSONL line (without its line terminator).
    Json(Vec<u8>),
    /// A whole `.txt` document; `truncated` when the file was longer than the maximum.
    Text {
        /// The document id (the file's path).
        id: String,
        /// The file's bytes, at most the maximum document size plus 3.
        bytes: Vec<u8>,
        /// Whether the file was cut short at reading.
        truncated: bool,
    },
    /// A JSONL line of `len` bytes, over the limit of `max` bytes (it was not kept).
    TooLong {
        /// The line's length.
        len: u64,
        /// The limit (`--max-line-bytes`).
        max: usize,
    },
    /// The reader already knows the record is unusable.
    Error {
        /// Machine-readable kind.
        kind: &'static str,
        /// What went wrong.
        message: String,
    },
}

/// A record that could not be processed, as written to the errors file.
#[derive(Clone, Debug, PartialEq, Serialize)]
pub struct ErrorRecord {
    /// The record's id when it could be read.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub id: Option<Value>,
    /// The input file.
    pub file: Arc<str>,
    /// 1-based physical line in the input file.
    pub line: u64,
    /// Machine-readable kind: `invalid_utf8`, `invalid_json`, `not_object`, `missing_text`,
    /// `text_not_string`, `line_too_long`, `stage_failed`, `stage_panicked`.
    pub kind: &'static str,
    /// What went wrong and, where it helps, how to fix it.
    pub message: String,
}

/// A parsed record: its document, and where it came from.
#[derive(Debug)]
pub struct Parsed {
    /// The document.
    pub doc: Document,
    /// Input file.
    pub source: Arc<str>,
    /// Input line.
    pub line: u64,
}

/// Cut `text` to at most `max` bytes at a character boundary. Returns whether it was cut.
fn truncate(text: &mut String, max: usize) -> bool {
    if text.len() <= max {
        return false;
    }
    let mut cut = max;
    while !text.is_char_boundary(cut) {
        cut -= 1;
    }
    text.truncate(cut);
    true
}

/// Validate UTF-8, reporting the first bad byte.
fn utf8(bytes: Vec<u8>) -> Result<String, String> {
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        format!(
            "invalid UTF-8 at byte {} of the record (column {}); re-encode the input as UTF-8 \
             (e.g. `iconv -f latin1 -t utf-8`)",
            at,
            at + 1
        )
    })
}

/// Parse one raw record into a document.
// An error record is data here, not an exceptional path, and the `Ok` side (a whole
// document) is larger still: boxing would only add an allocation per bad record.
#[allow(clippy::result_large_err)]
pub fn parse(raw: RawRecord, max_doc_bytes: usize) -> Result<Parsed, ErrorRecord> {
    let RawRecord { source, line, body } = raw;
    let fail = |id: Option<Value>, kind: &'static str, message: String| ErrorRecord {
        id,
        file: source.clone(),
        line,
        kind,
        message,
    };
    let doc = match body {
        RawBody::Error { kind, message } => return Err(fail(None, kind, message)),
        RawBody::TooLong { len, max } => {
            return Err(fail(
                None,
                "line_too_long",
                format!("the line has {len} bytes, over the limit of {max} (--max-line-bytes)"),
            ))
        }
        RawBody::Text {
            id,
            mut bytes,
            truncated,
        } => {
            if truncated {
                // The reader may have cut inside a character: drop a partial last character.
                if let Err(e) = std::str::from_utf8(&bytes) {
                    if e.error_len().is_none() {
                        bytes.truncate(e.valid_up_to());
                    }
                }
            }
            let mut text = utf8(bytes)
                .map_err(|m| fail(Some(Value::String(id.clone())), "invalid_utf8", m))?;
            let cut = truncate(&mut text, max_doc_bytes);
            let mut doc = Document::new(id, text);
            doc.truncated = truncated || cut;
            doc
        }
        RawBody::Json(bytes) => {
            let s = utf8(bytes).map_err(|m| fail(None, "invalid_utf8", m))?;
            let value: Value = serde_json::from_str(&s).map_err(|e| {
                fail(
                    None,
                    "invalid_json",
                    format!("invalid JSON at column {}: {e}", e.column()),
                )
            })?;
            let Value::Object(mut map) = value else {
                return Err(fail(
                    None,
                    "not_object",
                    format!(
                        "expected a JSON object {{\"id\": ..., \"text\": ...}}, found {}",
                        kind_of(&value)
                    ),
                ));
            };
            let id = map.shift_remove("id");
            let text = match map.shift_remove("text") {
                Some(Value::String(t)) => t,
                Some(other) => {
                    return Err(fail(
                        id,
                        "text_not_string",
                        format!("`text` must be a string, found {}", kind_of(&other)),
                    ))
                }
                None => {
                    return Err(fail(
                        id,
                        "missing_text",
                        "the record has no `text` field".to_string(),
                    ))
                }
            };
            let id = match id {
                Some(v @ (Value::String(_) | Value::Number(_))) => v,
                // Other id types are kept as their JSON text so they stay unique and visible.
                Some(v) if !v.is_null() => Value::String(v.to_string()),
                _ => Value::from(line),
            };
            let mut doc = Document::new(id, text);
            doc.meta = map;
            doc.truncated = truncate(&mut doc.text, max_doc_bytes);
            doc
        }
    };
    Ok(Parsed { doc, source, line })
}

fn kind_of(v: &Value) -> &'static str {
    match v {
        Value::Null => "null",
        Value::Bool(_) => "a boolean",
        Value::Number(_) => "a number",
        Value::String(_) => "a string",
        Value::Array(_) => "an array",
        Value::Object(_) => "an object",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[allow(clippy::result_large_err)]
    fn json(line: &[u8]) -> Result<Parsed, ErrorRecord> {
        parse(
            RawRecord {
                source: "in.jsonl".into(),
                line: 7,
                body: RawBody::Json(line.to_vec()),
            },
            16,
        )
    }

    #[test]
    fn good_records_keep_id_text_and_meta() {
        let p = json(br#"{"id":"a1","title":"T","text":"Hello.","n":[1,2]}"#).unwrap();
        assert_eq!(p.doc.id, Value::String("a1".into()));
        assert_eq!(p.doc.text, "Hello.");
        assert_eq!(
            serde_json::to_string(&p.doc.meta).unwrap(),
            r#"{"title":"T","n":[1,2]}"#
        );
        // No id: the line number stands in.
        assert_eq!(json(br#"{"text":"x"}"#).unwrap().doc.id, Value::from(7));
    }

    #[test]
    fn bad_records_say_what_and_where() {
        let kinds: Vec<_> = [
            &b"{\"text\": \"caf\xe9\"}"[..],
            b"{\"text\": ",
            b"[1, 2]",
            b"{\"id\": 3}",
            b"{\"id\": 3, \"text\": 5}",
        ]
        .iter()
        .map(|l| json(l).unwrap_err())
        .collect();
        let k: Vec<_> = kinds.iter().map(|e| e.kind).collect();
        assert_eq!(
            k,
            [
                "invalid_utf8",
                "invalid_json",
                "not_object",
                "missing_text",
                "text_not_string"
            ]
        );
        assert!(kinds[0].message.contains("byte 13"));
        assert_eq!(kinds[3].id, Some(Value::from(3)));
        assert!(kinds.iter().all(|e| e.line == 7));
    }

    #[test]
    fn deep_nesting_is_an_error_not_a_crash() {
        let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
        assert_eq!(json(deep.as_bytes()).unwrap_err().kind, "invalid_json");
    }

    #[test]
    fn long_texts_are_truncated_on_a_char_boundary() {
        let p = json("{\"text\": \"aaaaaaaaaaaaaaa\u{e9}\u{e9}\"}".as_bytes()).unwrap();
        assert!(p.doc.truncated);
        assert_eq!(p.doc.text, "aaaaaaaaaaaaaaa");
        let short = json(br#"{"text": "short"}"#).unwrap();
        assert!(!short.doc.truncated);
    }
}
