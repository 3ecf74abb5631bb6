//! The cue lexicon: which words take part in attribution cues, and how often.
//!
//! File format (TOML): a `[words]` table mapping a lower-cased word to
//! `[times inside a cue, times in the text]`, counted on an annotated corpus. The ratio is the
//! word's prior probability of being (part of) a cue; only words with a prior of at least
//! [`MIN_PRIOR`] and seen in a cue at least twice become candidates.
//!
//! ```toml
//! [words]
//! said = [3963, 4094]
//! according = [387, 389]
//! ```

use std::collections::BTreeMap;
use std::path::Path;

use caveat_text::hash::{fnv_word_hash, HashedMap};
use caveat_text::stem::inflectional;
use serde::{Deserialize, Serialize};

use crate::AttributionError;

/// Words below this prior are never cue candidates.
pub const MIN_PRIOR: f32 = 0.01;

/// The on-disk form of the lexicon.
#[derive(Debug, Clone, Default, Deserialize, Serialize)]
#[serde(deny_unknown_fields)]
pub struct LexiconFile {
    /// Lower-cased word -> `[times inside a cue, times in the text]`.
    pub words: BTreeMap<String, [u32; 2]>,
}

/// A loaded cue lexicon: word hash -> prior bucket (1..=6; absent = not a candidate), and
/// stem hash -> prior bucket of the stem's words (so that `asserts` is a candidate when
/// `asserted` was seen as a cue). Words hash with caveat-text's [`fnv_word_hash`], stems are
/// its [`inflectional`] stems.
#[derive(Debug, Clone, Default)]
pub struct Lexicon {
    buckets: HashedMap<u8>,
    stems: HashedMap<u8>,
}

/// Quantise a prior probability into a small bucket number (1..=6).
pub(crate) fn prior_bucket(p: f32) -> u8 {
    match p {
        p if p < 0.03 => 1,
        p if p < 0.1 => 2,
        p if p < 0.25 => 3,
        p if p < 0.5 => 4,
        p if p < 0.8 => 5,
        _ => 6,
    }
}

impl Lexicon {
    /// Build from counts (`word -> [in cue, in text]`).
    pub fn from_file(file: &LexiconFile) -> Lexicon {
        let mut buckets = HashedMap::default();
        let mut stem_counts: HashedMap<[u32; 2]> = HashedMap::default();
        for (w, &[cue, total]) in &file.words {
            let p = cue as f32 / total.max(cue).max(1) as f32;
            if cue >= 2 && p >= MIN_PRIOR {
                buckets.insert(fnv_word_hash(w), prior_bucket(p));
            }
            let e = stem_counts
                .entry(fnv_word_hash(inflectional(w)))
                .or_default();
            e[0] += cue;
            e[1] += total.max(cue);
        }
        let stems = stem_counts
            .into_iter()
            .filter_map(|(h, [cue, total])| {
                let p = cue as f32 / total.max(1) as f32;
                (cue >= 3 && p >= 0.05).then_some((h, prior_bucket(p)))
            })
            .collect();
        Lexicon { buckets, stems }
    }

    /// Parse TOML text; `path` is only used in error messages.
    pub fn parse(text: &str, path: &Path) -> Result<Lexicon, AttributionError> {
        let file: LexiconFile = toml::from_str(text).map_err(|e| AttributionError::Lexicon {
            path: path.to_path_buf(),
            message: e.to_string(),
        })?;
        Ok(Lexicon::from_file(&file))
    }

    /// The prior bucket of a word: 1..=6 from the word itself, 7..=12 from its stem only,
    /// 0 when it is not a candidate.
    #[cfg(test)]
    pub(crate) fn lookup(&self, word: &str, hash: u64) -> u8 {
        match self.buckets.get(&hash) {
            Some(&b) => b,
            None => self.stem_bucket(word),
        }
    }

    /// The candidate words' hashes and prior buckets.
    pub(crate) fn buckets(&self) -> impl Iterator<Item = (u64, u8)> + '_ {
        self.buckets.iter().map(|(&h, &b)| (h, b))
    }

    /// The stem-only bucket (7..=12) of a word of at least 5 bytes, else 0.
    #[inline]
    pub(crate) fn stem_bucket(&self, word: &str) -> u8 {
        if word.len() < 5 {
            return 0;
        }
        self.stems
            .get(&fnv_word_hash(inflectional(word)))
            .map_or(0, |&b| b + 6)
    }

    /// Number of candidate words.
    pub fn len(&self) -> usize {
        self.buckets.len()
    }

    /// Whether the lexicon has no candidate words.
    pub fn is_empty(&self) -> bool {
        self.buckets.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_counts_and_filters_rare_words() {
        let lex = Lexicon::parse(
            "[words]\nsaid = [90, 100]\nthe = [2, 10000]\nonce = [1, 1]\n",
            Path::new("cues.toml"),
        )
        .unwrap();
        assert_eq!(lex.lookup("Said", fnv_word_hash("Said")), 6);
        assert_eq!(lex.lookup("the", fnv_word_hash("the")), 0);
        assert_eq!(lex.lookup("once", fnv_word_hash("once")), 0);
        assert_eq!(lex.len(), 1);
    }

    #[test]
    fn inflections_share_a_stem() {
        let lex = Lexicon::parse(
            "[words]\nasserted = [30, 40]\nasserting = [5, 10]\n",
            Path::new("cues.toml"),
        )
        .unwrap();
        assert_eq!(
            lex.lookup("asserts", fnv_word_hash("asserts")),
            6 + 5,
            "stem-only bucket"
        );
        assert_eq!(lex.lookup("asserted", fnv_word_hash("asserted")), 5);
    }

    #[test]
    fn errors_name_the_file_and_line() {
        let err = Lexicon::parse("[words]\nsaid = \"x\"\n", Path::new("cues.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("cues.toml") && err.contains("line 2"), "{err}");
    }
}
