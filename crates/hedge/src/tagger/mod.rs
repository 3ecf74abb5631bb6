//! The trained cue tagger: an averaged perceptron that decides, per occurrence, whether a
//! candidate word is a hedge cue in its context.
//!
//! Candidates are the words that were cues in the training data (the learned cue list,
//! `cues.tsv`, with each word's cue rate), the single-word cues of the lexicon, and *will*.
//! Each candidate gets sparse features — the word, a suffix-stripped stem, its cue-rate
//! bucket, lexicon membership and category, the neighbouring words and word classes
//! (determiner, negation, *be*, modal), *that* / *to* after it, capitalisation and sentence
//! position, and the sentence around it (conditional markers, reporting verbs, negations and
//! modals before it, tense, years), so that *would* and *will* are cues in a conditional
//! and rarely after *said* — each both domain-independent and as a copy for the training
//! domain closest to news (frustratingly easy domain adaptation; the runtime uses the
//! general and `wiki` copies).
//! Positive adjacent tokens merge into one cue.
//!
//! A model directory holds `model.toml` (format, threshold, provenance), `cues.tsv` (word,
//! cue count, occurrences, category) and `weights.tsv` (feature, weight).
//!
//! `model` holds the model directory's file formats and loads them; `features` turns a
//! candidate token into hashed features; `decode` scores tokens and turns them into hedges.

mod decode;
mod features;
mod model;

use std::collections::HashMap;

use caveat_text::hash::FxBuildHasher;

#[cfg(feature = "train")]
pub(crate) use decode::sigmoid;
pub(crate) use decode::{hypothetical_would, CERTAINTY, NEGATION_RULE};
pub use features::FEATURES_VERSION;
#[cfg(feature = "train")]
pub(crate) use features::{
    domain_name, feature_hash, features, lexicon_token_categories, FeatureExtractor, DOMAIN_ALL,
    DOMAIN_BIO, DOMAIN_WIKI,
};
pub use model::{CueStat, ModelMeta, CUES_FILE, MODEL_FILE, WEIGHTS_FILE};

/// A loaded cue tagger.
#[derive(Debug)]
pub struct Tagger {
    meta: ModelMeta,
    cues: HashMap<Box<str>, CueStat, FxBuildHasher>,
    weights: HashMap<u64, f32, FxBuildHasher>,
    domain: u8,
    threshold: f32,
}

impl Tagger {
    /// The learned cue list.
    pub fn cue_list(&self) -> impl Iterator<Item = (&str, CueStat)> + '_ {
        self.cues.iter().map(|(w, c)| (&**w, *c))
    }

    #[cfg(feature = "train")]
    pub(crate) fn weight_list(&self) -> impl Iterator<Item = (u64, f32)> + '_ {
        self.weights.iter().map(|(h, w)| (*h, *w))
    }

    /// The model description.
    pub fn meta(&self) -> &ModelMeta {
        &self.meta
    }

    /// The decision threshold in use.
    pub fn threshold(&self) -> f32 {
        self.threshold
    }

    /// Override the decision threshold.
    pub fn set_threshold(&mut self, t: f32) {
        self.threshold = t;
    }

    /// The learned cue statistics of a lowercase word.
    pub fn cue_stat(&self, word: &str) -> Option<CueStat> {
        self.cues.get(word).copied()
    }
}
