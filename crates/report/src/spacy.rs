//! spaCy export: `Doc.to_json()`-shaped JSON that `Doc.from_json` loads.

use std::io::Write;

use caveat_output::Record;
use serde::Serialize;
use serde_json::{json, Value};

use crate::conll::non_overlapping;
use crate::text::TextIndex;
use crate::tokens::export_tokens;
use crate::ReportError;

/// Options of [`spacy_doc`] / [`export_spacy_json`].
#[derive(Clone, Debug, Default)]
pub struct SpacyOptions {
    /// Add caveat's own data as custom attributes under `"_"` (`caveat_id`, `caveat_meta`,
    /// `caveat_uncertain_sentences`, `caveat_hedges`, `caveat_attributions`,
    /// `caveat_clusters`). spaCy 3.8's
    /// `Doc.from_json` fails on `"_"` keys that are not registered yet, so readers must first
    /// call `Doc.set_extension(name, default=None)` for each; off by default.
    pub extensions: bool,
}

/// Shrink `(start, end)` past leading and trailing whitespace (`None` when nothing is left).
fn trim(index: &TextIndex<'_>, start: usize, end: usize) -> Option<(usize, usize)> {
    let (mut s, mut e) = (start, end);
    while s < e && index.char_at(s).is_some_and(char::is_whitespace) {
        s += 1;
    }
    while e > s && index.char_at(e - 1).is_some_and(char::is_whitespace) {
        e -= 1;
    }
    (s < e).then_some((s, e))
}

/// The spaCy tokens: [`crate::export_tokens`] plus the whitespace between them, the way
/// spaCy's tokenizer keeps it (one space after a token is its `whitespace_`; any other
/// whitespace is a token of its own), so that `Doc.from_json` rebuilds the exact text.
fn spacy_tokens(record: &Record, index: &TextIndex<'_>) -> Vec<(usize, usize)> {
    let words = export_tokens(record);
    let n = index.len_chars();
    let mut out = Vec::with_capacity(words.len() + 8);
    let mut pos = 0;
    let gap = |pos: usize, next: usize, out: &mut Vec<(usize, usize)>| {
        let mut s = pos;
        if !out.is_empty() && s < next && index.char_at(s) == Some(' ') {
            s += 1;
        }
        if s < next {
            out.push((s, next));
        }
    };
    for (s, e) in words {
        gap(pos, s, &mut out);
        out.push((s, e));
        pos = e;
    }
    gap(pos, n, &mut out);
    out
}

/// One record as spaCy's `Doc.to_json()` data, offsets in characters (code points):
///
/// - `text`; `tokens`: `{id, start, end}` (see [`crate::export_tokens`], plus whitespace tokens
///   where spaCy has them);
/// - `ents`: `{start, end, label}` (overlapping entities keep the first, longest one);
/// - `sents`: `{start, end}`;
/// - `spans`: span groups `caveat_hedges` (label = category), `caveat_sources`,
///   `caveat_cues`, `caveat_contents` (label = attribution index), and one group
///   `coref_clusters_N` per entity cluster `N` (caveat's index in `clusters`) of two mentions
///   or more, the key spaCy's coreference resolver (`spacy-experimental`'s
///   `CoreferenceResolver`, default prefix `coref_clusters`) writes: the cluster's entity
///   mentions plus the sources of attributions resolved to it that are not one of them ("he");
///   label = the cluster's label;
/// - with [`SpacyOptions::extensions`], `_`: custom data `caveat_id`, `caveat_meta`,
///   `caveat_uncertain_sentences` (`[start, end]` of uncertain sentences), `caveat_hedges`,
///   `caveat_attributions` and `caveat_clusters` (with the canonical names: the record's
///   layers as caveat wrote them).
///
/// Spans are trimmed of surrounding whitespace so that they align with tokens.
/// `Doc(Vocab()).from_json(data)` loads it (see `tests/spacy_roundtrip.py`).
pub fn spacy_doc(record: &Record, opts: &SpacyOptions) -> Value {
    serde_json::to_value(build(record, opts)).unwrap_or(Value::Null)
}

/// The document; serialised by [`Out`] (with `spans` as an object).
struct DocJson<'a> {
    text: &'a str,
    ents: Vec<SpanJson<'a>>,
    sents: Vec<SentJson>,
    tokens: Vec<TokenJson>,
    spans: Vec<(String, Vec<SpanJson<'a>>)>,
    ext: Option<Value>,
}

#[derive(Serialize)]
struct SpanJson<'a> {
    start: usize,
    end: usize,
    label: std::borrow::Cow<'a, str>,
    #[serde(skip_serializing_if = "Option::is_none")]
    kb_id: Option<&'static str>,
}

#[derive(Serialize)]
struct SentJson {
    start: usize,
    end: usize,
}

#[derive(Serialize)]
struct TokenJson {
    id: usize,
    start: usize,
    end: usize,
}

/// Span groups: an object in spaCy's JSON, kept in this order.
struct Groups<'g, 'a>(&'g [(String, Vec<SpanJson<'a>>)]);

impl Serialize for Groups<'_, '_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        s.collect_map(self.0.iter().map(|(k, v)| (k, v)))
    }
}

fn build<'a>(record: &'a Record, opts: &SpacyOptions) -> impl Serialize + 'a {
    let index = TextIndex::new(&record.text);
    let tokens = spacy_tokens(record, &index)
        .into_iter()
        .enumerate()
        .map(|(id, (start, end))| TokenJson { id, start, end })
        .collect();
    let ents = non_overlapping(
        record
            .entities
            .iter()
            .enumerate()
            .filter_map(|(i, e)| trim(&index, e.start, e.end).map(|(s, e)| (s, e, i)))
            .collect(),
    )
    .into_iter()
    .map(|(start, end, i)| SpanJson {
        start,
        end,
        label: record.entities[i].label.as_str().into(),
        kb_id: None,
    })
    .collect();
    let span = |(start, end): (usize, usize), label: std::borrow::Cow<'a, str>| SpanJson {
        start,
        end,
        label,
        kb_id: Some(""),
    };
    let mut spans = vec![(
        "caveat_hedges".to_string(),
        record
            .hedges
            .iter()
            .filter_map(|h| {
                Some(span(
                    trim(&index, h.start, h.end)?,
                    h.category.as_str().into(),
                ))
            })
            .collect(),
    )];
    for (group, pick) in [
        ("caveat_sources", 0usize),
        ("caveat_cues", 1),
        ("caveat_contents", 2),
    ] {
        let list = record
            .attributions
            .iter()
            .enumerate()
            .filter_map(|(i, a)| {
                let part = [&a.source, &a.cue, &a.content][pick].as_ref()?;
                Some(span(
                    trim(&index, part.start, part.end)?,
                    i.to_string().into(),
                ))
            })
            .collect();
        spans.push((group.to_string(), list));
    }
    for (i, mentions) in cluster_mentions(record, &index).into_iter().enumerate() {
        if mentions.len() >= 2 {
            let label = record.clusters[i].label.as_str();
            let list = mentions
                .into_iter()
                .map(|m| span(m, label.into()))
                .collect();
            spans.push((format!("coref_clusters_{i}"), list));
        }
    }
    let sents = record
        .sentences
        .iter()
        .filter_map(|s| trim(&index, s.start, s.end))
        .map(|(start, end)| SentJson { start, end })
        .collect();
    let ext = opts.extensions.then(|| {
        let uncertain: Vec<[usize; 2]> = record
            .sentences
            .iter()
            .filter(|s| s.uncertain)
            .map(|s| [s.start, s.end])
            .collect();
        json!({
            "caveat_id": record.id,
            "caveat_meta": record.meta,
            "caveat_uncertain_sentences": uncertain,
            "caveat_hedges": record.hedges,
            "caveat_attributions": record.attributions,
            "caveat_clusters": record.clusters,
        })
    });
    Out {
        doc: DocJson {
            text: &record.text,
            ents,
            sents,
            tokens,
            spans,
            ext,
        },
    }
}

/// The mentions of each cluster, trimmed, in text order without repeats: its entities (from
/// the cluster's `mentions`) and the sources of attributions resolved to it (`source_cluster`)
/// that hold none of those entities ("he", "the agency").
pub(crate) fn cluster_mentions(record: &Record, index: &TextIndex<'_>) -> Vec<Vec<(usize, usize)>> {
    let mut out: Vec<Vec<(usize, usize)>> = record
        .clusters
        .iter()
        .map(|c| {
            c.mentions
                .iter()
                .filter_map(|&m| record.entities.get(m))
                .filter_map(|e| trim(index, e.start, e.end))
                .collect()
        })
        .collect();
    for a in &record.attributions {
        let (Some(c), Some(source)) = (a.source_cluster, a.source.as_ref()) else {
            continue;
        };
        let Some(list) = out.get_mut(c) else {
            continue;
        };
        let Some((s, e)) = trim(index, source.start, source.end) else {
            continue;
        };
        if !list.iter().any(|&(ms, me)| s <= ms && me <= e) {
            list.push((s, e));
        }
    }
    for list in &mut out {
        list.sort_unstable();
        list.dedup();
    }
    out
}

/// Serialises [`DocJson`] with `spans` as a JSON object.
struct Out<'a> {
    doc: DocJson<'a>,
}

impl Serialize for Out<'_> {
    fn serialize<S: serde::Serializer>(&self, s: S) -> Result<S::Ok, S::Error> {
        use serde::ser::SerializeMap;
        let d = &self.doc;
        let mut m = s.serialize_map(None)?;
        m.serialize_entry("text", d.text)?;
        m.serialize_entry("ents", &d.ents)?;
        m.serialize_entry("sents", &d.sents)?;
        m.serialize_entry("tokens", &d.tokens)?;
        m.serialize_entry("spans", &Groups(&d.spans))?;
        if let Some(ext) = &d.ext {
            m.serialize_entry("_", ext)?;
        }
        m.end()
    }
}

/// Write [`spacy_doc`] of one record as one JSON line.
pub fn export_spacy_json<W: Write>(
    record: &Record,
    out: &mut W,
    opts: &SpacyOptions,
) -> Result<(), ReportError> {
    serde_json::to_writer(&mut *out, &build(record, opts))
        .map_err(|e| ReportError::output(e.into()))?;
    out.write_all(b"\n").map_err(ReportError::output)
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    fn slice(text: &str, s: usize, e: usize) -> String {
        text.chars().skip(s).take(e - s).collect()
    }

    #[test]
    fn tokens_rebuild_the_text_and_spans_align() {
        let r = Record::from_json_line(
            r#"{"id":"s","text":"  Zoë  met\n\nBob 🚄 in Paris . ",
              "sentences":[{"start":0,"end":10},{"start":12,"end":29}],
              "entities":[{"start":2,"end":5,"label":"PER"},{"start":12,"end":16,"label":"PER"},{"start":21,"end":26,"label":"LOC"}],
              "hedges":[{"start":7,"end":10,"category":"x"}],
              "attributions":[{"source":{"start":2,"end":5},"cue":{"start":7,"end":10},"content":null}]}"#,
            1,
            OffsetUnit::Chars,
        )
        .unwrap();
        let doc = spacy_doc(&r, &SpacyOptions { extensions: true });
        assert!(spacy_doc(&r, &SpacyOptions::default()).get("_").is_none());
        let text = doc["text"].as_str().unwrap();
        // Rebuild the text the way spaCy does: token text + one space when the next token
        // starts one character later with a space in between.
        let toks: Vec<(usize, usize)> = doc["tokens"]
            .as_array()
            .unwrap()
            .iter()
            .map(|t| {
                (
                    t["start"].as_u64().unwrap() as usize,
                    t["end"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        let mut rebuilt = String::new();
        let mut pos = 0;
        for &(s, e) in &toks {
            assert!(
                s == pos || (s == pos + 1 && slice(text, pos, s) == " "),
                "gap before {s}"
            );
            rebuilt.push_str(&slice(text, pos, e));
            pos = e;
        }
        rebuilt.push_str(&slice(text, pos, text.chars().count()));
        assert_eq!(rebuilt, text);
        assert!(slice(text, pos, text.chars().count()).len() <= 1);
        let starts: Vec<usize> = toks.iter().map(|t| t.0).collect();
        let ends: Vec<usize> = toks.iter().map(|t| t.1).collect();
        for key in ["ents", "sents"] {
            for s in doc[key].as_array().unwrap() {
                let (a, b) = (
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                );
                assert!(
                    starts.contains(&a) && ends.contains(&b),
                    "{key} {a}..{b} not aligned"
                );
            }
        }
        let ents: Vec<String> = doc["ents"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| {
                slice(
                    text,
                    e["start"].as_u64().unwrap() as usize,
                    e["end"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        assert_eq!(ents, ["Zoë", "Bob", "Paris"]);
        // The second sentence (12..29) is trimmed to end after the final ".".
        assert_eq!(doc["sents"][1]["end"], 28);
        assert_eq!(doc["spans"]["caveat_cues"][0]["label"], "0");
        assert_eq!(doc["_"]["caveat_id"], "s");
        assert_eq!(doc["_"]["caveat_clusters"], json!([]));
        // No clusters, no coreference span groups.
        let groups: Vec<&String> = doc["spans"].as_object().unwrap().keys().collect();
        assert!(
            groups.iter().all(|k| k.starts_with("caveat_")),
            "{groups:?}"
        );
    }

    #[test]
    fn clusters_are_coref_span_groups() {
        use crate::sources::tests::{record, said, Att};
        let text = "Military expert Evgeny Mikhaylov said it. He added that in Moscow. Mikhaylov's comments said so.";
        let r = record(
            "m",
            text,
            &[
                ("Evgeny Mikhaylov", "PER"),
                ("Moscow", "LOC"),
                ("Mikhaylov#2", "PER"),
            ],
            &[
                ("Evgeny Mikhaylov", "PER", &[0, 2]),
                ("Moscow", "LOC", &[1]),
            ],
            &[
                Att {
                    cluster: Some(0),
                    ..said("Military expert Evgeny Mikhaylov", Some(0))
                },
                Att {
                    source: "He",
                    entity: None,
                    cluster: Some(0),
                    cue: "added",
                    content: "that",
                },
            ],
        );
        let doc = spacy_doc(&r, &SpacyOptions { extensions: true });
        let group = doc["spans"]["coref_clusters_0"].as_array().unwrap();
        let texts: Vec<String> = group
            .iter()
            .map(|s| {
                slice(
                    text,
                    s["start"].as_u64().unwrap() as usize,
                    s["end"].as_u64().unwrap() as usize,
                )
            })
            .collect();
        // The resolved pronoun is a mention; the source holding "Evgeny Mikhaylov" is not
        // another one.
        assert_eq!(texts, ["Evgeny Mikhaylov", "He", "Mikhaylov"]);
        assert!(group.iter().all(|s| s["label"] == "PER"));
        assert!(
            doc["spans"].get("coref_clusters_1").is_none(),
            "one mention: no group"
        );
        assert_eq!(doc["_"]["caveat_clusters"][0]["name"], "Evgeny Mikhaylov");
        // Every mention is aligned with tokens (spaCy's Doc.from_json needs it).
        let toks = doc["tokens"].as_array().unwrap();
        for s in group {
            assert!(toks.iter().any(|t| t["start"] == s["start"]), "{s}");
            assert!(toks.iter().any(|t| t["end"] == s["end"]), "{s}");
        }
    }
}
