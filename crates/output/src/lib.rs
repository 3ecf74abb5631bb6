//! caveat's output contract: the JSONL record that `caveat run` writes and `caveat-report`
//! reads back, and the unit its offsets are counted in.
//!
//! One object per input record, in input order, fields in this order:
//!
//! ```text
//! {"id", "text",
//!  "sentences":   [{"start","end","uncertain","uncertainty"}],
//!  "entities":    [{"start","end","label","text","score","cluster"}],
//!  "hedges":      [{"start","end","text","category","sentence","score","negated","attribution"}],
//!  "attributions":[{"source","cue","content","source_entity","source_cluster","vague","kind",
//!                   "quote","cites","sentence","score"}],
//!  "clusters":    [{"name","label","mentions"}],
//!  "tokens":      [{"start","end","text","kind"}]          (only with [output] tokens = true)
//!  "truncated": true                                       (only when the text was cut)
//!  "meta": {...}}                                          (the input's other fields)
//! ```
//!
//! `source`, `cue` and `content` are `{"start","end","text"}` ([`Part`]) or `null`. Offsets
//! are Unicode code points unless `[output] offsets = "bytes"` ([`OffsetUnit`]); every span's
//! `text` is the text between its offsets. Scores are written with at most 4 decimals
//! ([`round_score`]). Optional indices (`attribution`, `source_entity`, `cites`, `cluster`,
//! `source_cluster`) are `null` when absent, never left out. Fields may be added in later versions; existing ones never
//! change meaning.
//!
//! The types below are that contract, field by field; their field order is the order in which
//! the fields are written. They are generic over a [`Repr`], how a record holds its values:
//! [`Owned`] (the default: `String`s and `f64` scores, what a reader deserialises into) or the
//! writer's own representation borrowing from the document it writes (`&str`s, `f32` scores
//! rounded with [`round_score`]), so that writing copies no text.

use std::fmt::Debug;

use serde::{Deserialize, Deserializer, Serialize};
use serde_json::{Map, Value};

/// Unit of every offset in the output (`[output] offsets` of a pipeline file).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum OffsetUnit {
    /// Unicode code points (`text[start:end]` in Python): the default.
    #[default]
    Chars,
    /// UTF-8 bytes.
    Bytes,
}

/// Round a score to the 4 decimals it is written with (in `f32`, as the writer does).
#[inline]
pub fn round_score(x: f32) -> f32 {
    (x * 10_000.0).round() / 10_000.0
}

/// How a record holds its values: the types of its id, its strings, its scores, its `meta`
/// and its token kinds. Each must serialise to the JSON the contract describes.
pub trait Repr {
    /// The record's id: a JSON string or number.
    type Id: Serialize + Clone + Debug + PartialEq;
    /// A string: the text, span texts, labels, categories.
    type Str: Serialize + Clone + Debug + PartialEq;
    /// A score, 0..=1.
    type Score: Serialize + Clone + Debug + PartialEq;
    /// The input record's other fields: a JSON object.
    type Meta: Serialize + Clone + Debug + PartialEq;
    /// A token's kind: a lowercase name.
    type Kind: Serialize + Clone + Debug + PartialEq;
}

/// Records that own their values, as read back from JSONL: the default [`Repr`].
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Owned;

impl Repr for Owned {
    /// Numbers are turned into strings when read; a missing or null id is empty.
    type Id = String;
    type Str = String;
    type Score = f64;
    type Meta = Map<String, Value>;
    type Kind = String;
}

/// One output record: a document with its layers.
///
/// Reading is lenient: besides `text` and the spans' offsets, `label` and `category`, any
/// field may be missing (its default is used), unknown fields are ignored, and a numeric id
/// is read as its JSON text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "",
    deserialize = "R::Id: Deserialize<'de> + Default + From<String>, \
                   R::Str: Deserialize<'de> + Default, R::Score: Deserialize<'de> + Default, \
                   R::Meta: Deserialize<'de> + Default, R::Kind: Deserialize<'de> + Default"
))]
pub struct Record<R: Repr = Owned> {
    /// The input record's id as it was given (a string or a number); for inputs without one,
    /// the 1-based line number or the file path.
    #[serde(default, deserialize_with = "de_id")]
    pub id: R::Id,
    /// The text, exactly as read (cut at `--max-doc-bytes` when `truncated`).
    pub text: R::Str,
    /// Sentences, in order.
    #[serde(default)]
    pub sentences: Vec<Sentence<R>>,
    /// Named entities.
    #[serde(default)]
    pub entities: Vec<Entity<R>>,
    /// Hedge cues.
    #[serde(default)]
    pub hedges: Vec<Hedge<R>>,
    /// Attributions (source → cue → content).
    #[serde(default)]
    pub attributions: Vec<Attribution<R>>,
    /// Entity clusters: the mentions of one referent ("Donald Trump", "Trump", "Mr Trump"),
    /// with its canonical name (empty when no `coref` stage ran).
    #[serde(default)]
    pub clusters: Vec<Cluster<R>>,
    /// The token layer: written only with `[output] tokens = true`, left out otherwise.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub tokens: Option<Vec<Token<R>>>,
    /// The text was longer than `--max-doc-bytes` and was cut at a character boundary:
    /// written (as `true`) only then.
    #[serde(default, skip_serializing_if = "is_false")]
    pub truncated: bool,
    /// The input record's fields other than `id` and `text` (`title`, `url`, ...), unchanged.
    #[serde(default)]
    pub meta: R::Meta,
}

/// A sentence.
#[derive(Clone, Copy, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "", deserialize = "R::Score: Deserialize<'de> + Default"))]
pub struct Sentence<R: Repr = Owned> {
    /// Offset of the first character.
    pub start: usize,
    /// Offset one past the last character.
    pub end: usize,
    /// The sentence contains a hedge cue that is not negated.
    #[serde(default)]
    pub uncertain: bool,
    /// Degree of uncertainty, 0..=1 (0 when no hedge stage ran).
    #[serde(default)]
    pub uncertainty: R::Score,
}

/// A named entity.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "",
    deserialize = "R::Str: Deserialize<'de> + Default, R::Score: Deserialize<'de> + Default"
))]
pub struct Entity<R: Repr = Owned> {
    /// Offset of the first character.
    pub start: usize,
    /// Offset one past the last character.
    pub end: usize,
    /// The entity type: `PER`, `ORG`, `LOC`, `MISC`, ... (the NER model's labels).
    pub label: R::Str,
    /// The entity's text.
    #[serde(default)]
    pub text: R::Str,
    /// The tagger's confidence, 0..=1.
    #[serde(default)]
    pub score: R::Score,
    /// Index of the entity's cluster in `clusters`; `null` when no `coref` stage ran.
    #[serde(default)]
    pub cluster: Option<usize>,
}

/// A cluster: the mentions of one entity in a document.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "", deserialize = "R::Str: Deserialize<'de> + Default"))]
pub struct Cluster<R: Repr = Owned> {
    /// The canonical name: the longest proper mention ("Donald Trump"), without a possessive.
    pub name: R::Str,
    /// The cluster's label (score-weighted majority of its mentions).
    #[serde(default)]
    pub label: R::Str,
    /// Its mentions, as indices into `entities`, in text order.
    #[serde(default)]
    pub mentions: Vec<usize>,
}

/// A hedge cue: a word or phrase that makes a claim uncertain.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "",
    deserialize = "R::Str: Deserialize<'de> + Default, R::Score: Deserialize<'de> + Default"
))]
pub struct Hedge<R: Repr = Owned> {
    /// Offset of the first character.
    pub start: usize,
    /// Offset one past the last character.
    pub end: usize,
    /// The cue's text.
    #[serde(default)]
    pub text: R::Str,
    /// `epistemic`, `doxastic`, `investigation`, `condition`, `evidential` or `weasel`.
    pub category: R::Str,
    /// Index of the sentence the cue is in (always written; may be missing when read).
    #[serde(default)]
    pub sentence: Option<usize>,
    /// Confidence, 0..=1.
    #[serde(default)]
    pub score: R::Score,
    /// The cue is negated ("not likely", "no doubt") and does not make its sentence
    /// uncertain.
    #[serde(default)]
    pub negated: bool,
    /// Index of the attribution whose content (or cue) the cue is in; `null` if none.
    #[serde(default)]
    pub attribution: Option<usize>,
}

/// A part of an attribution (its source, cue or content): a span with its text.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(serialize = "", deserialize = "R::Str: Deserialize<'de> + Default"))]
pub struct Part<R: Repr = Owned> {
    /// Offset of the first character.
    pub start: usize,
    /// Offset one past the last character.
    pub end: usize,
    /// The text between the offsets.
    #[serde(default)]
    pub text: R::Str,
}

/// An attribution: who (source) says (cue) what (content).
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "",
    deserialize = "R::Str: Deserialize<'de> + Default, R::Score: Deserialize<'de> + Default"
))]
pub struct Attribution<R: Repr = Owned> {
    /// Who the claim is attributed to; `null` if not found.
    #[serde(default)]
    pub source: Option<Part<R>>,
    /// The attribution cue ("said", "according to"); `null` if none.
    #[serde(default)]
    pub cue: Option<Part<R>>,
    /// The attributed claim; `null` if not found.
    #[serde(default)]
    pub content: Option<Part<R>>,
    /// Index of the entity the source overlaps; `null` if none.
    #[serde(default)]
    pub source_entity: Option<usize>,
    /// Index of the cluster the source refers to (its entity's, or the one a pronoun, surname
    /// or description was resolved to); `null` if unknown or no `coref` stage ran.
    #[serde(default)]
    pub source_cluster: Option<usize>,
    /// The source is anonymous or vague ("officials", "some experts").
    #[serde(default)]
    pub vague: bool,
    /// `statement` (said, according to), `belief` (believes, expects) or `perception` (saw,
    /// heard); empty when read from output written before kinds existed.
    #[serde(default)]
    pub kind: R::Str,
    /// The content is a direct quotation.
    #[serde(default)]
    pub quote: bool,
    /// Index of the attribution the source relies on (Reuters *citing* the NIS); `null` if
    /// none.
    #[serde(default)]
    pub cites: Option<usize>,
    /// Index of the sentence of the cue (always written; may be missing when read).
    #[serde(default)]
    pub sentence: Option<usize>,
    /// Confidence, 0..=1.
    #[serde(default)]
    pub score: R::Score,
}

/// A token of the optional token layer.
#[derive(Clone, Debug, Default, PartialEq, Serialize, Deserialize)]
#[serde(bound(
    serialize = "",
    deserialize = "R::Str: Deserialize<'de> + Default, R::Kind: Deserialize<'de> + Default"
))]
pub struct Token<R: Repr = Owned> {
    /// Offset of the first character.
    pub start: usize,
    /// Offset one past the last character.
    pub end: usize,
    /// The token's text.
    #[serde(default)]
    pub text: R::Str,
    /// `word`, `number`, `punct`, `symbol`, `url`, `email`, `handle`, `hashtag` or `other`.
    #[serde(default)]
    pub kind: R::Kind,
}

fn is_false(b: &bool) -> bool {
    !*b
}

/// A JSON string as it is, anything else (a number) as its JSON text, `null` as empty.
fn de_id<'de, D: Deserializer<'de>, T: From<String>>(d: D) -> Result<T, D::Error> {
    Ok(T::from(match Value::deserialize(d)? {
        Value::String(s) => s,
        Value::Null => String::new(),
        other => other.to_string(),
    }))
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A record as the writer would hold it: borrowed strings, `f32` scores.
    struct Borrowed<'a>(std::marker::PhantomData<&'a ()>);

    impl<'a> Repr for Borrowed<'a> {
        type Id = &'a Value;
        type Str = &'a str;
        type Score = f32;
        type Meta = &'a Map<String, Value>;
        type Kind = &'a str;
    }

    #[test]
    fn fields_are_written_in_contract_order_and_read_back() {
        let id = Value::from(7);
        let meta: Map<String, Value> = serde_json::from_str(r#"{"title":"T"}"#).unwrap();
        let part = |start, end, text| Part::<Borrowed> { start, end, text };
        let rec = Record::<Borrowed> {
            id: &id,
            text: "Zoë may go, Kim said.",
            sentences: vec![Sentence {
                start: 0,
                end: 21,
                uncertain: true,
                uncertainty: round_score(0.123_456),
            }],
            entities: vec![Entity {
                start: 12,
                end: 15,
                label: "PER",
                text: "Kim",
                score: round_score(0.987_65),
                cluster: Some(0),
            }],
            hedges: vec![Hedge {
                start: 4,
                end: 7,
                text: "may",
                category: "epistemic",
                sentence: Some(0),
                score: 1.0,
                negated: false,
                attribution: None,
            }],
            attributions: vec![Attribution {
                source: Some(part(12, 15, "Kim")),
                cue: Some(part(16, 20, "said")),
                content: None,
                source_entity: Some(0),
                source_cluster: Some(0),
                vague: false,
                kind: "statement",
                quote: false,
                cites: None,
                sentence: Some(0),
                score: 0.9,
            }],
            clusters: vec![Cluster {
                name: "Kim",
                label: "PER",
                mentions: vec![0],
            }],
            tokens: None,
            truncated: false,
            meta: &meta,
        };
        let json = serde_json::to_string(&rec).unwrap();
        assert_eq!(
            json,
            r#"{"id":7,"text":"Zoë may go, Kim said.","#.to_owned()
                + r#""sentences":[{"start":0,"end":21,"uncertain":true,"uncertainty":0.1235}],"#
                + r#""entities":[{"start":12,"end":15,"label":"PER","text":"Kim","score":0.9877,"cluster":0}],"#
                + r#""hedges":[{"start":4,"end":7,"text":"may","category":"epistemic","sentence":0,"score":1.0,"negated":false,"attribution":null}],"#
                + r#""attributions":[{"source":{"start":12,"end":15,"text":"Kim"},"cue":{"start":16,"end":20,"text":"said"},"content":null,"source_entity":0,"source_cluster":0,"vague":false,"kind":"statement","quote":false,"cites":null,"sentence":0,"score":0.9}],"#
                + r#""clusters":[{"name":"Kim","label":"PER","mentions":[0]}],"#
                + r#""meta":{"title":"T"}}"#
        );

        let back: Record = serde_json::from_str(&json).unwrap();
        assert_eq!(back.id, "7");
        assert_eq!(back.entities[0].score, 0.9877);
        assert_eq!(back.attributions[0].cue.as_ref().unwrap().text, "said");
        assert_eq!(back.meta["title"], "T");
        assert_eq!(back.clusters[0].name, "Kim");
        assert_eq!(back.attributions[0].source_cluster, Some(0));
        assert_eq!(back.tokens, None);
        assert!(!back.truncated);
    }

    #[test]
    fn tokens_and_truncated_are_written_only_when_present() {
        let rec = Record {
            id: "a".to_owned(),
            text: "Hi".to_owned(),
            tokens: Some(vec![Token {
                start: 0,
                end: 2,
                text: "Hi".to_owned(),
                kind: "word".to_owned(),
            }]),
            truncated: true,
            ..Record::default()
        };
        let json = serde_json::to_string(&rec).unwrap();
        assert_eq!(
            json,
            r#"{"id":"a","text":"Hi","sentences":[],"entities":[],"hedges":[],"attributions":[],"clusters":[],"tokens":[{"start":0,"end":2,"text":"Hi","kind":"word"}],"truncated":true,"meta":{}}"#
        );
        assert_eq!(serde_json::from_str::<Record>(&json).unwrap(), rec);
    }

    #[test]
    fn reading_is_lenient() {
        let r: Record = serde_json::from_str(
            r#"{"text":"x","entities":[{"start":0,"end":1,"label":"PER"}],"extra":1}"#,
        )
        .unwrap();
        assert_eq!((r.id.as_str(), r.entities[0].score), ("", 0.0));
        let r: Record = serde_json::from_str(r#"{"id":null,"text":""}"#).unwrap();
        assert_eq!(r.id, "");
        assert!(serde_json::from_str::<Record>(r#"{"id":"a"}"#).is_err());
    }

    #[test]
    fn offset_units_are_lowercase() {
        assert_eq!(OffsetUnit::default(), OffsetUnit::Chars);
        assert_eq!(
            serde_json::to_string(&OffsetUnit::Bytes).unwrap(),
            r#""bytes""#
        );
        assert_eq!(
            serde_json::from_str::<OffsetUnit>(r#""chars""#).unwrap(),
            OffsetUnit::Chars
        );
    }

    #[test]
    fn scores_keep_four_decimals() {
        assert_eq!(round_score(0.912_345), 0.9123);
        assert_eq!(serde_json::to_string(&round_score(0.5)).unwrap(), "0.5");
    }
}
