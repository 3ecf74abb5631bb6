//! The lexical resources shared by all threads: cue lexicon, model, and one hash index of
//! what is known about each word.

use caveat_text::hash::{fnv_word_hash, HashedMap};

use crate::lexicon::Lexicon;
use crate::model::Model;

use super::words::CLASS_WORDS;

/// What the resources know about one word (one hash lookup per token).
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct WordInfo {
    pub(super) class: u8,
    pub(super) vague: bool,
    pub(super) prior: u8,
}

/// Lexical resources shared by all threads.
#[derive(Debug, Clone)]
pub(crate) struct Resources {
    pub(crate) lexicon: Lexicon,
    /// Word classes, vague-source words and cue priors by word hash.
    pub(super) words: HashedMap<WordInfo>,
    pub(crate) model: Model,
    /// Whether the model has cue weights (else the rule fallback is used).
    pub(crate) learned: bool,
    /// Margin a cue token needs (logit of `min_score`).
    pub(crate) min_margin: f32,
    /// Keep only attributions with a reporting or cognition cue (the stage's
    /// `reporting_only`).
    pub(crate) reporting_only: bool,
}

impl Resources {
    pub(crate) fn new(lexicon: Lexicon, model: Model, vague: &[String], min_score: f32) -> Self {
        let mut words: HashedMap<WordInfo> = HashedMap::default();
        for (c, list) in CLASS_WORDS {
            for w in *list {
                let e = words.entry(fnv_word_hash(w)).or_default();
                if e.class == 0 {
                    e.class = *c;
                }
            }
        }
        for w in vague {
            words.entry(fnv_word_hash(w)).or_default().vague = true;
        }
        for (h, b) in lexicon.buckets() {
            words.entry(h).or_default().prior = b;
        }
        let learned = !model.cue.is_empty();
        let p = min_score.clamp(1e-4, 1.0 - 1e-4);
        Resources {
            lexicon,
            words,
            model,
            learned,
            min_margin: (p / (1.0 - p)).ln(),
            reporting_only: true,
        }
    }
}
