//! The JSONL output contract.
//!
//! One object per input record, in input order:
//!
//! ```text
//! {"id", "text",
//!  "sentences":   [{"start","end","uncertain","uncertainty"}],
//!  "entities":    [{"start","end","label","text","score"}],
//!  "hedges":      [{"start","end","text","category","sentence","score","negated","attribution"}],
//!  "attributions":[{"source","cue","content","source_entity","vague","cites","sentence","score"}],
//!  "tokens":      [{"start","end","text","kind"}]          (only with [output] tokens = true)
//!  "truncated": true                                       (only when the text was cut)
//!  "meta": {...}}                                          (the input's other fields)
//! ```
//!
//! `source`, `cue` and `content` are `{"start","end","text"}` or `null`. Offsets are Unicode
//! code points unless `[output] offsets = "bytes"`. Fields may be added in later versions;
//! existing ones never change meaning.

use caveat_core::{CharMap, Document, Span};
use serde::ser::{SerializeMap, Serializer};
use serde::Serialize;

use crate::config::{OffsetUnit, OutputOptions};
use crate::record::ErrorRecord;

struct Offsets<'a> {
    map: Option<CharMap<'a>>,
}

impl Offsets<'_> {
    #[inline]
    fn at(&self, byte: usize) -> usize {
        self.map.as_ref().map_or(byte, |m| m.char_offset(byte))
    }
}

/// Scores are written with 4 decimals.
#[inline]
fn round(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

#[derive(Serialize)]
struct SpanOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
}

struct Ctx<'a> {
    doc: &'a Document,
    off: Offsets<'a>,
}

impl<'a> Ctx<'a> {
    fn span(&self, s: Span) -> SpanOut<'a> {
        SpanOut {
            start: self.off.at(s.start),
            end: self.off.at(s.end),
            text: s.slice(&self.doc.text),
        }
    }
}

struct Seq<F>(F);

impl<F, I, T> Serialize for Seq<F>
where
    F: Fn() -> I,
    I: Iterator<Item = T>,
    T: Serialize,
{
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_seq((self.0)())
    }
}

#[derive(Serialize)]
struct SentenceOut {
    start: usize,
    end: usize,
    uncertain: bool,
    uncertainty: f32,
}

#[derive(Serialize)]
struct EntityOut<'a> {
    start: usize,
    end: usize,
    label: &'a str,
    text: &'a str,
    score: f32,
}

#[derive(Serialize)]
struct HedgeOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    category: &'static str,
    sentence: usize,
    score: f32,
    negated: bool,
    attribution: Option<usize>,
}

#[derive(Serialize)]
struct AttributionOut<'a> {
    source: Option<SpanOut<'a>>,
    cue: Option<SpanOut<'a>>,
    content: Option<SpanOut<'a>>,
    source_entity: Option<usize>,
    vague: bool,
    cites: Option<usize>,
    sentence: usize,
    score: f32,
}

#[derive(Serialize)]
struct TokenOut<'a> {
    start: usize,
    end: usize,
    text: &'a str,
    kind: caveat_core::TokenKind,
}

struct RecordOut<'a> {
    cx: Ctx<'a>,
    tokens: bool,
    seq: Option<u64>,
}

impl Serialize for RecordOut<'_> {
    fn serialize<S: Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        let cx = &self.cx;
        let d = cx.doc;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("id", &d.id)?;
        m.serialize_entry("text", &d.text)?;
        m.serialize_entry(
            "sentences",
            &Seq(|| {
                d.sentences.iter().map(|x| SentenceOut {
                    start: cx.off.at(x.span.start),
                    end: cx.off.at(x.span.end),
                    uncertain: x.uncertain,
                    uncertainty: round(x.uncertainty),
                })
            }),
        )?;
        m.serialize_entry(
            "entities",
            &Seq(|| {
                d.entities.iter().map(|e| {
                    let sp = cx.span(e.span);
                    EntityOut {
                        start: sp.start,
                        end: sp.end,
                        label: &e.label,
                        text: sp.text,
                        score: round(e.score),
                    }
                })
            }),
        )?;
        m.serialize_entry(
            "hedges",
            &Seq(|| {
                d.hedges.iter().map(|h| {
                    let sp = cx.span(h.span);
                    HedgeOut {
                        start: sp.start,
                        end: sp.end,
                        text: sp.text,
                        category: h.category.as_str(),
                        sentence: h.sentence,
                        score: round(h.score),
                        negated: h.negated,
                        attribution: h.attribution,
                    }
                })
            }),
        )?;
        m.serialize_entry(
            "attributions",
            &Seq(|| {
                d.attributions.iter().map(|a| AttributionOut {
                    source: a.source.map(|s| cx.span(s)),
                    cue: a.cue.map(|s| cx.span(s)),
                    content: a.content.map(|s| cx.span(s)),
                    source_entity: a.source_entity,
                    vague: a.vague,
                    cites: a.cites,
                    sentence: a.sentence,
                    score: round(a.score),
                })
            }),
        )?;
        if self.tokens {
            m.serialize_entry(
                "tokens",
                &Seq(|| {
                    d.tokens.iter().map(|t| {
                        let sp = cx.span(t.span);
                        TokenOut {
                            start: sp.start,
                            end: sp.end,
                            text: sp.text,
                            kind: t.kind,
                        }
                    })
                }),
            )?;
        }
        if d.truncated {
            m.serialize_entry("truncated", &true)?;
        }
        m.serialize_entry("meta", &d.meta)?;
        if let Some(seq) = self.seq {
            m.serialize_entry(SEQ_KEY, &seq)?;
        }
        m.end()
    }
}

/// The key of the input position that shard outputs carry as their last field, for
/// `caveat merge`; a single run never writes it.
pub const SEQ_KEY: &str = "_seq";

/// Append one output record (and a newline) to `buf`.
pub fn write_record(buf: &mut Vec<u8>, doc: &Document, opts: &OutputOptions) {
    write_record_seq(buf, doc, opts, None)
}

/// Append one output record, with its input position as a last `_seq` field when given.
pub fn write_record_seq(buf: &mut Vec<u8>, doc: &Document, opts: &OutputOptions, seq: Option<u64>) {
    let map = match opts.offsets {
        OffsetUnit::Chars => Some(CharMap::new(&doc.text)),
        OffsetUnit::Bytes => None,
    };
    let rec = RecordOut {
        cx: Ctx {
            doc,
            off: Offsets { map },
        },
        tokens: opts.tokens,
        seq,
    };
    serde_json::to_writer(&mut *buf, &rec).expect("serialising to memory cannot fail");
    buf.push(b'\n');
}

/// Append one error record (and a newline) to `buf`, with its input position as a last
/// `_seq` field when given.
pub fn write_error(buf: &mut Vec<u8>, err: &ErrorRecord, seq: Option<u64>) {
    serde_json::to_writer(&mut *buf, err).expect("serialising to memory cannot fail");
    if let Some(seq) = seq {
        // Replace the closing brace: `{...}` -> `{...,"_seq":N}`.
        buf.pop();
        buf.extend_from_slice(format!(",\"{SEQ_KEY}\":{seq}}}").as_bytes());
    }
    buf.push(b'\n');
}

/// Split a shard output line into the record as a single run writes it and its input
/// position: `{...,"_seq":N}` -> (`{...}`, N). `None` when the line has no `_seq` field.
pub fn split_seq(line: &[u8]) -> Option<(Vec<u8>, u64)> {
    let line = line.strip_suffix(b"}")?;
    let key = format!(",\"{SEQ_KEY}\":");
    let at = memchr::memmem::rfind(line, key.as_bytes())?;
    let digits = &line[at + key.len()..];
    let seq = std::str::from_utf8(digits).ok()?.parse().ok()?;
    let mut rec = line[..at].to_vec();
    rec.push(b'}');
    Some((rec, seq))
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_core::{Entity, Sentence};
    use serde_json::Value;

    #[test]
    fn offsets_are_code_points_by_default() {
        let mut d = Document::new("x", "“Kim” said");
        let kim = Span::new(3, 6); // bytes: “ is 3 bytes
        assert_eq!(kim.slice(&d.text), "Kim");
        d.entities.push(Entity {
            span: kim,
            tokens: 1..2,
            label: "PER".into(),
            score: 0.912345,
        });
        d.sentences.push(Sentence {
            span: Span::new(0, d.text.len()),
            tokens: 0..4,
            uncertain: false,
            uncertainty: 0.0,
        });
        let mut buf = Vec::new();
        write_record(&mut buf, &d, &OutputOptions::default());
        let v: Value = serde_json::from_slice(&buf).unwrap();
        let e = &v["entities"][0];
        assert_eq!((e["start"].as_u64(), e["end"].as_u64()), (Some(1), Some(4)));
        assert_eq!(e["text"], "Kim");
        assert_eq!(e["score"].as_f64().unwrap(), 0.9123);
        assert_eq!(v["sentences"][0]["end"].as_u64(), Some(10));
        assert!(v.get("tokens").is_none() && v.get("truncated").is_none());

        let mut buf = Vec::new();
        write_record(
            &mut buf,
            &d,
            &OutputOptions {
                offsets: OffsetUnit::Bytes,
                tokens: true,
            },
        );
        let v: Value = serde_json::from_slice(&buf).unwrap();
        assert_eq!(v["entities"][0]["start"].as_u64(), Some(3));
        assert!(v["tokens"].is_array());
    }
}
