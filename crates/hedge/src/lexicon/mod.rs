//! The hedge lexicon: cue phrases with categories, inflections and context rules, loaded from
//! a TOML file, compiled into a first-token index and matched on token boundaries.
//!
//! This module holds the compiled form; `schema` reads and compiles the file (see the crate
//! documentation for the format), `matcher` finds cues in text and applies the context rules,
//! and `inflect` generates English noun and verb forms.

mod inflect;
mod matcher;
mod schema;

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use caveat_core::HedgeCategory;
use caveat_text::hash::FxBuildHasher;

pub use inflect::{noun_forms, verb_forms};

/// What a context rule does when one of its conditions holds.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum RuleEffect {
    /// Drop the match: the words are not a hedge here (the month *May*, *insurance claims*).
    Veto,
    /// Keep the match but mark it negated (*no doubt*, *not likely*).
    Negate,
    /// Drop the match unless a condition holds (*appears* only before *to* or *that*).
    Require,
}

/// Which kind of neighbouring token a condition asks for.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum KindSel {
    Word,
    Number,
    Punct,
    /// No token: the cue is at the start (for `prev_kind`) or end (`next_kind`) of its sentence.
    None,
}

type WordSet = std::collections::HashSet<Box<str>, FxBuildHasher>;

#[derive(Debug, Default)]
struct Condition {
    prev: Option<WordSet>,
    /// Phrases (lowercase words) one of which must end within `prev_window` tokens before
    /// the cue: `no need to` before *speculate*.
    prev_phrase: Option<Vec<Box<[Box<str>]>>>,
    prev_window: usize,
    next: Option<WordSet>,
    prev_kind: Option<KindSel>,
    next_kind: Option<KindSel>,
    capitalized: Option<bool>,
    prev_capitalized: Option<bool>,
    next_capitalized: Option<bool>,
    sentence_initial: Option<bool>,
}

/// A named context rule of the lexicon.
#[derive(Debug)]
struct Rule {
    name: String,
    effect: RuleEffect,
    when: Vec<Condition>,
}

/// One cue phrase: lowercase words matched on consecutive tokens.
#[derive(Debug)]
struct Pattern {
    words: Box<[Box<str>]>,
    category: HedgeCategory,
    score: f32,
    rules: Box<[u16]>,
    defer: bool,
}

/// A cue found in a text by [`Lexicon::find`].
#[derive(Clone, Debug, PartialEq)]
pub struct LexiconMatch {
    /// The matched tokens (indices into the token layer).
    pub tokens: Range<usize>,
    /// Byte span of the match.
    pub span: caveat_core::Span,
    /// Category of the cue.
    pub category: HedgeCategory,
    /// Score of the cue as given in the lexicon (1 by default).
    pub score: f32,
    /// Whether a `negate` rule fired.
    pub negated: bool,
    /// Index of the sentence.
    pub sentence: usize,
    /// Whether the cue's group has `defer = true`: with a tagger, the tagger decides whether
    /// this occurrence is a cue; without one, it fires like any other.
    pub defer: bool,
}

/// A compiled hedge lexicon, ready to match.
///
/// Matching is case-insensitive and on whole tokens only: a cue word never matches inside a
/// longer token. A word of a cue may cover several adjacent tokens with nothing between them
/// (so `don't` matches whether the tokenizer keeps it whole or splits `do` + `n't`).
#[derive(Debug)]
pub struct Lexicon {
    name: String,
    path: PathBuf,
    patterns: Vec<Pattern>,
    /// First-token key -> patterns starting with it, longest first.
    index: HashMap<Box<str>, Vec<u32>, FxBuildHasher>,
    rules: Vec<Rule>,
    max_key_len: usize,
}

impl Lexicon {
    /// The lexicon's name (from its `[lexicon]` table).
    pub fn name(&self) -> &str {
        &self.name
    }

    /// The file the lexicon was loaded from.
    pub fn path(&self) -> &Path {
        &self.path
    }

    /// Number of compiled cue forms (after inflection).
    pub fn len(&self) -> usize {
        self.patterns.len()
    }

    /// Whether the lexicon has no cues.
    pub fn is_empty(&self) -> bool {
        self.patterns.is_empty()
    }

    /// The category of the single-word cue `word` (lowercase), if the lexicon has one.
    pub fn category_of(&self, word: &str) -> Option<HedgeCategory> {
        self.index.get(word).and_then(|ids| {
            ids.iter()
                .map(|&i| &self.patterns[i as usize])
                .find(|p| p.words.len() == 1 && &*p.words[0] == word)
                .map(|p| p.category)
        })
    }
}
