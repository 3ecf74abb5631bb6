//! The typed annotation layers of a [`Document`](crate::Document).
//!
//! Every layer element carries a byte [`Span`] into the original text; indices into other
//! layers (`sentence`, `source_entity`, ...) refer to positions in those layers' vectors.

use std::fmt;
use std::ops::Range;
use std::str::FromStr;

use serde::{Deserialize, Serialize};

use crate::Span;

/// A kind of annotation layer; stages declare which layers they need and provide.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Layer {
    /// [`Token`]s: words, numbers, punctuation.
    Tokens,
    /// [`Sentence`]s, each a range of tokens.
    Sentences,
    /// Named [`Entity`] mentions.
    Entities,
    /// [`Hedge`] cues, and the sentence uncertainty flags they imply.
    Hedges,
    /// [`Attribution`]s: source, cue and content of reported speech or belief.
    Attributions,
    /// [`Cluster`]s: the entity mentions of one document grouped by what they refer to.
    Clusters,
}

impl Layer {
    /// Every layer, in pipeline order.
    pub const ALL: [Layer; 6] = [
        Layer::Tokens,
        Layer::Sentences,
        Layer::Entities,
        Layer::Hedges,
        Layer::Attributions,
        Layer::Clusters,
    ];

    /// The layer's name as used in configs and messages.
    pub fn as_str(self) -> &'static str {
        match self {
            Layer::Tokens => "tokens",
            Layer::Sentences => "sentences",
            Layer::Entities => "entities",
            Layer::Hedges => "hedges",
            Layer::Attributions => "attributions",
            Layer::Clusters => "clusters",
        }
    }
}

impl fmt::Display for Layer {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A field one stage sets on another stage's layer (a cross-link), declared in
/// [`StageInfo::links`](crate::StageInfo::links) by the stage that writes it.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Link {
    /// [`Sentence::uncertain`] and [`Sentence::uncertainty`] (set by `hedge`).
    SentenceUncertainty,
    /// [`Hedge::attribution`] (set by `attribution`).
    HedgeAttribution,
    /// [`Entity::cluster`], and [`Entity::label`] when the cluster's label differs (set by
    /// `coref`; it writes them last, after everything else succeeded, so a failure leaves
    /// the labels as the entity stage wrote them).
    EntityCluster,
    /// [`Attribution::source_cluster`] (set by `coref`).
    AttributionSourceCluster,
}

impl Link {
    /// The layer the field belongs to.
    pub fn layer(self) -> Layer {
        match self {
            Link::SentenceUncertainty => Layer::Sentences,
            Link::HedgeAttribution => Layer::Hedges,
            Link::EntityCluster => Layer::Entities,
            Link::AttributionSourceCluster => Layer::Attributions,
        }
    }
}

/// What a token is; assigned by the tokenizer and used as a cheap feature by later stages.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum TokenKind {
    /// Letters (possibly with inner hyphens, apostrophes or periods: `Jong-un`, `U.S.`).
    Word,
    /// Numbers, including `1,000.50`, `2-1`, `3rd`, `1990s` (`%` is a separate symbol, as in CoNLL).
    Number,
    /// Punctuation: `.`, `,`, quotes, dashes, brackets.
    Punct,
    /// Currency and other symbols: `$`, `£`, `€`, `&`.
    Symbol,
    /// A URL.
    Url,
    /// An e-mail address.
    Email,
    /// A social-media `@handle`.
    Handle,
    /// A `#hashtag`.
    Hashtag,
    /// Emoji and anything else.
    Other,
}

/// One token.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Token {
    /// Where the token is in the text.
    pub span: Span,
    /// What kind of token it is.
    pub kind: TokenKind,
}

/// One sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct Sentence {
    /// Where the sentence is in the text (first to last token, no surrounding white space).
    pub span: Span,
    /// The sentence's tokens, as indices into the token layer.
    pub tokens: Range<usize>,
    /// Whether the sentence expresses uncertainty (set by the hedge stage).
    pub uncertain: bool,
    /// Degree of uncertainty in `[0, 1]` (set by the hedge stage; 0 when no hedge stage ran).
    pub uncertainty: f32,
}

/// A named-entity mention.
#[derive(Clone, Debug, PartialEq)]
pub struct Entity {
    /// Where the mention is in the text.
    pub span: Span,
    /// The mention's tokens, as indices into the token layer.
    pub tokens: Range<usize>,
    /// Entity type, e.g. `PER`, `ORG`, `LOC`, `MISC` (a model may use other label sets).
    pub label: String,
    /// Confidence in `[0, 1]`.
    pub score: f32,
    /// Index of the [`Cluster`] the mention belongs to (set by the `coref` stage).
    pub cluster: Option<usize>,
}

/// The mentions of one entity in one document ("Donald Trump", "Trump", "Mr Trump"), with
/// the name and label a reader should see for all of them.
#[derive(Clone, Debug, PartialEq)]
pub struct Cluster {
    /// The canonical name: the longest proper mention, without a possessive ("Donald Trump",
    /// "National Intelligence Service").
    pub name: String,
    /// The label of the cluster, by score-weighted majority of its mentions.
    pub label: String,
    /// The mentions, as indices into the entity layer, in text order.
    pub mentions: Vec<usize>,
}

/// The kind of uncertainty a hedge cue expresses.
///
/// The first four follow the classes of the Szeged uncertainty corpus; `evidential` and
/// `weasel` cover what news adds (reportative evidence and vague sources).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HedgeCategory {
    /// Epistemic possibility or probability: may, might, could, likely, possibly, unverified.
    Epistemic,
    /// Beliefs and allegations: believe, expect, suspect, allege, accuse.
    Doxastic,
    /// Open questions and inquiries: whether, investigate.
    Investigation,
    /// Conditions: if, unless.
    Condition,
    /// Reportative evidence: reportedly, according to, citing, claims.
    Evidential,
    /// Vague or anonymous sources: some experts, critics say, it is believed.
    Weasel,
}

impl HedgeCategory {
    /// Every category.
    pub const ALL: [HedgeCategory; 6] = [
        HedgeCategory::Epistemic,
        HedgeCategory::Doxastic,
        HedgeCategory::Investigation,
        HedgeCategory::Condition,
        HedgeCategory::Evidential,
        HedgeCategory::Weasel,
    ];

    /// The category's name as written in lexicons and output.
    pub fn as_str(self) -> &'static str {
        match self {
            HedgeCategory::Epistemic => "epistemic",
            HedgeCategory::Doxastic => "doxastic",
            HedgeCategory::Investigation => "investigation",
            HedgeCategory::Condition => "condition",
            HedgeCategory::Evidential => "evidential",
            HedgeCategory::Weasel => "weasel",
        }
    }
}

impl fmt::Display for HedgeCategory {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

impl FromStr for HedgeCategory {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, String> {
        HedgeCategory::ALL
            .into_iter()
            .find(|c| c.as_str().eq_ignore_ascii_case(s))
            .ok_or_else(|| {
                format!(
                    "unknown hedge category `{s}`, expected one of: {}",
                    HedgeCategory::ALL.map(|c| c.as_str()).join(", ")
                )
            })
    }
}

/// A hedge cue: a word or phrase that marks a claim as uncertain or unverified.
#[derive(Clone, Debug, PartialEq)]
pub struct Hedge {
    /// Where the cue is in the text.
    pub span: Span,
    /// What kind of uncertainty it expresses.
    pub category: HedgeCategory,
    /// Index of the sentence the cue is in.
    pub sentence: usize,
    /// Confidence in `[0, 1]` (1 for a lexicon match without a model).
    pub score: f32,
    /// Whether the cue is negated ("not likely", "no doubt"): the claim is then asserted
    /// rather than hedged, and the cue does not make its sentence uncertain.
    pub negated: bool,
    /// Index of the attribution whose content the cue falls in (set by the attribution stage).
    pub attribution: Option<usize>,
}

/// What an attribution reports: speech, a belief, or a perception.
#[derive(
    Clone, Copy, Debug, Default, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize,
)]
#[serde(rename_all = "lowercase")]
pub enum AttributionKind {
    /// Something said or written: said, told, according to, announced, alleged.
    #[default]
    Statement,
    /// A belief, thought or expectation: believes, thinks, expects, fears, suspects.
    Belief,
    /// Something seen, heard or found: saw, heard, noticed, found.
    Perception,
}

impl AttributionKind {
    /// Every kind.
    pub const ALL: [AttributionKind; 3] = [
        AttributionKind::Statement,
        AttributionKind::Belief,
        AttributionKind::Perception,
    ];

    /// The kind's name as written in output.
    pub fn as_str(self) -> &'static str {
        match self {
            AttributionKind::Statement => "statement",
            AttributionKind::Belief => "belief",
            AttributionKind::Perception => "perception",
        }
    }
}

impl fmt::Display for AttributionKind {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

/// A source–cue–content triple: who said or believes what.
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Attribution {
    /// Who the content is attributed to ("Reuters", "some experts").
    pub source: Option<Span>,
    /// The reporting expression ("said", "according to", "alleges").
    pub cue: Option<Span>,
    /// What is attributed.
    pub content: Option<Span>,
    /// Index of the entity the source overlaps, if any.
    pub source_entity: Option<usize>,
    /// Index of the [`Cluster`] the source refers to, if known: the cluster of its entity,
    /// or, for a pronoun, surname or description ("he", "the agency"), the cluster it was
    /// resolved to (set by the `coref` stage).
    pub source_cluster: Option<usize>,
    /// Whether the source is vague or anonymous ("officials", "critics", "some experts").
    pub vague: bool,
    /// Whether the cue reports speech, a belief or a perception.
    pub kind: AttributionKind,
    /// Whether the content is a direct quotation (inside quotation marks).
    pub quote: bool,
    /// Index of the attribution this source cites or relies on (Reuters *citing* the NIS).
    pub cites: Option<usize>,
    /// Index of the sentence the cue is in.
    pub sentence: usize,
    /// Confidence in `[0, 1]`.
    pub score: f32,
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hedge_category_names_round_trip() {
        for c in HedgeCategory::ALL {
            assert_eq!(c.as_str().parse::<HedgeCategory>().unwrap(), c);
        }
        assert!("speculative"
            .parse::<HedgeCategory>()
            .unwrap_err()
            .contains("epistemic"));
    }
}
