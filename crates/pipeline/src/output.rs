//! Writing the JSONL output contract: one [`caveat_output::Record`] per document.
//!
//! The record types, their field order and the offset units are defined (and documented) in
//! `caveat-output`; here a [`Document`] is turned into a record that borrows its text and
//! meta (offsets converted to code points with [`CharMap`] unless `[output] offsets =
//! "bytes"`, scores rounded with [`round_score`]) and serialised.

use std::marker::PhantomData;

use caveat_core::{CharMap, Document, Span, TokenKind};
use caveat_output::{
    round_score, Attribution, Cluster, Entity, Hedge, Part, Record, Repr, Sentence, Token,
};
use serde_json::{Map, Value};

use crate::config::{OffsetUnit, OutputOptions};
use crate::record::ErrorRecord;

/// A record borrowing from the document it is written from: no text is copied.
struct Borrowed<'a>(PhantomData<&'a ()>);

impl<'a> Repr for Borrowed<'a> {
    type Id = &'a Value;
    type Str = &'a str;
    type Score = f32;
    type Meta = &'a Map<String, Value>;
    type Kind = TokenKind;
}

struct Offsets<'a> {
    map: Option<CharMap<'a>>,
}

impl Offsets<'_> {
    #[inline]
    fn at(&self, byte: usize) -> usize {
        self.map.as_ref().map_or(byte, |m| m.char_offset(byte))
    }
}

/// The output record of `doc`, borrowing from it.
fn record<'a>(doc: &'a Document, off: &Offsets<'_>, tokens: bool) -> Record<Borrowed<'a>> {
    let span = |s: Span| Part::<Borrowed<'a>> {
        start: off.at(s.start),
        end: off.at(s.end),
        text: s.slice(&doc.text),
    };
    Record {
        id: &doc.id,
        text: &doc.text,
        sentences: doc
            .sentences
            .iter()
            .map(|x| Sentence {
                start: off.at(x.span.start),
                end: off.at(x.span.end),
                uncertain: x.uncertain,
                uncertainty: round_score(x.uncertainty),
            })
            .collect(),
        entities: doc
            .entities
            .iter()
            .map(|e| {
                let sp = span(e.span);
                Entity {
                    start: sp.start,
                    end: sp.end,
                    label: e.label.as_str(),
                    text: sp.text,
                    score: round_score(e.score),
                    cluster: e.cluster,
                }
            })
            .collect(),
        hedges: doc
            .hedges
            .iter()
            .map(|h| {
                let sp = span(h.span);
                Hedge {
                    start: sp.start,
                    end: sp.end,
                    text: sp.text,
                    category: h.category.as_str(),
                    sentence: Some(h.sentence),
                    score: round_score(h.score),
                    negated: h.negated,
                    attribution: h.attribution,
                }
            })
            .collect(),
        attributions: doc
            .attributions
            .iter()
            .map(|a| Attribution {
                source: a.source.map(span),
                cue: a.cue.map(span),
                content: a.content.map(span),
                source_entity: a.source_entity,
                source_cluster: a.source_cluster,
                vague: a.vague,
                kind: a.kind.as_str(),
                quote: a.quote,
                cites: a.cites,
                sentence: Some(a.sentence),
                score: round_score(a.score),
            })
            .collect(),
        clusters: doc
            .clusters
            .iter()
            .map(|c| Cluster {
                name: c.name.as_str(),
                label: c.label.as_str(),
                mentions: c.mentions.clone(),
            })
            .collect(),
        tokens: tokens.then(|| {
            doc.tokens
                .iter()
                .map(|t| {
                    let sp = span(t.span);
                    Token {
                        start: sp.start,
                        end: sp.end,
                        text: sp.text,
                        kind: t.kind,
                    }
                })
                .collect()
        }),
        truncated: doc.truncated,
        meta: &doc.meta,
    }
}

/// Append one output record (and a newline) to `buf`.
pub fn write_record(buf: &mut Vec<u8>, doc: &Document, opts: &OutputOptions) {
    let map = match opts.offsets {
        OffsetUnit::Chars => Some(CharMap::new(&doc.text)),
        OffsetUnit::Bytes => None,
    };
    let rec = record(doc, &Offsets { map }, opts.tokens);
    serde_json::to_writer(&mut *buf, &rec).expect("serialising to memory cannot fail");
    buf.push(b'\n');
}

/// Append one error record (and a newline) to `buf`.
pub fn write_error(buf: &mut Vec<u8>, err: &ErrorRecord) {
    serde_json::to_writer(&mut *buf, err).expect("serialising to memory cannot fail");
    buf.push(b'\n');
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
            cluster: None,
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

    /// Every field of the contract, byte for byte as the writer has always written it
    /// (`truncated`, `tokens` only when asked, `null` optional indices, 4-decimal scores,
    /// numeric ids, `meta` last).
    #[test]
    fn writes_the_contract_byte_for_byte() {
        use caveat_core::{Attribution, Hedge, HedgeCategory, Token, TokenKind};
        let text = "\u{201c}Kim\u{201d} may go \u{1f684}, \"officials\" said.";
        let at = |w: &str| {
            let s = text.find(w).unwrap();
            Span::new(s, s + w.len())
        };
        let mut d = Document::new(42, text);
        d.meta = serde_json::from_str(r#"{"title":"T","n":[1,2.5,null]}"#).unwrap();
        d.truncated = true;
        for (w, kind) in [
            ("\u{201c}", TokenKind::Punct),
            ("Kim", TokenKind::Word),
            ("may", TokenKind::Word),
            ("\u{1f684}", TokenKind::Other),
            ("said", TokenKind::Word),
        ] {
            d.tokens.push(Token { span: at(w), kind });
        }
        d.sentences.push(Sentence {
            span: Span::new(0, text.len()),
            tokens: 0..5,
            uncertain: true,
            uncertainty: 0.666_666_7,
        });
        d.entities.push(Entity {
            span: at("Kim"),
            tokens: 1..2,
            label: "PER".into(),
            score: 0.912_345,
            cluster: Some(0),
        });
        d.hedges.push(Hedge {
            span: at("may"),
            category: HedgeCategory::Epistemic,
            sentence: 0,
            score: 1.0,
            negated: false,
            attribution: Some(0),
        });
        d.attributions.push(Attribution {
            source: Some(at("\"officials\"")),
            cue: Some(at("said")),
            content: None,
            source_entity: Some(0),
            source_cluster: Some(0),
            vague: true,
            kind: caveat_core::AttributionKind::Belief,
            quote: true,
            cites: None,
            sentence: 0,
            score: 0.899_99,
        });
        d.clusters.push(caveat_core::Cluster {
            name: "Kim".into(),
            label: "PER".into(),
            mentions: vec![0],
        });

        let mut buf = Vec::new();
        let chars_with_tokens = OutputOptions {
            offsets: OffsetUnit::Chars,
            tokens: true,
        };
        write_record(&mut buf, &d, &chars_with_tokens);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            concat!(
                r#"{"id":42,"text":"“Kim” may go 🚄, \"officials\" said.","sentences":[{"start":0,"end":33,"uncertain":true,"uncertainty":0.6667}],"entities":[{"start":1,"end":4,"label":"PER","text":"Kim","score":0.9123,"cluster":0}],"hedges":[{"start":6,"end":9,"text":"may","category":"epistemic","sentence":0,"score":1.0,"negated":false,"attribution":0}],"attributions":[{"source":{"start":16,"end":27,"text":"\"officials\""},"cue":{"start":28,"end":32,"text":"said"},"content":null,"source_entity":0,"source_cluster":0,"vague":true,"kind":"belief","quote":true,"cites":null,"sentence":0,"score":0.9}],"clusters":[{"name":"Kim","label":"PER","mentions":[0]}],"tokens":[{"start":0,"end":1,"text":"“","kind":"punct"},{"start":1,"end":4,"text":"Kim","kind":"word"},{"start":6,"end":9,"text":"may","kind":"word"},{"start":13,"end":14,"text":"🚄","kind":"other"},{"start":28,"end":32,"text":"said","kind":"word"}],"truncated":true,"meta":{"title":"T","n":[1,2.5,null]}}"#,
                "\n"
            )
        );
        let mut buf = Vec::new();
        let bytes = OutputOptions {
            offsets: OffsetUnit::Bytes,
            tokens: false,
        };
        write_record(&mut buf, &d, &bytes);
        assert_eq!(
            String::from_utf8(buf).unwrap(),
            concat!(
                r#"{"id":42,"text":"“Kim” may go 🚄, \"officials\" said.","sentences":[{"start":0,"end":40,"uncertain":true,"uncertainty":0.6667}],"entities":[{"start":3,"end":6,"label":"PER","text":"Kim","score":0.9123,"cluster":0}],"hedges":[{"start":10,"end":13,"text":"may","category":"epistemic","sentence":0,"score":1.0,"negated":false,"attribution":0}],"attributions":[{"source":{"start":23,"end":34,"text":"\"officials\""},"cue":{"start":35,"end":39,"text":"said"},"content":null,"source_entity":0,"source_cluster":0,"vague":true,"kind":"belief","quote":true,"cites":null,"sentence":0,"score":0.9}],"clusters":[{"name":"Kim","label":"PER","mentions":[0]}],"truncated":true,"meta":{"title":"T","n":[1,2.5,null]}}"#,
                "\n"
            )
        );
    }
}
