//! The stage types a pipeline file can name, and how each is parsed, checked and built.

use std::error::Error;
use std::path::PathBuf;

use caveat_core::{BuildContext, OptionDoc, Stage, StageInfo};

/// A boxed error from a stage crate.
pub type BoxError = Box<dyn Error + Send + Sync + 'static>;

/// A parsed stage config, ready to be checked and built.
pub trait StageFactory: Send + Sync {
    /// Files the stage will read (option name, resolved path).
    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)>;
    /// Load the stage (models, lexicons).
    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError>;
}

/// One stage type: its facts, its options and its parser.
pub struct StageType {
    /// Name, needed and provided layers.
    pub info: StageInfo,
    /// The options a `[[stages]]` table of this type may have.
    pub options: &'static [OptionDoc],
    /// Parse the options table (without `type`).
    pub parse: fn(toml::Value) -> Result<Box<dyn StageFactory>, toml::de::Error>,
}

macro_rules! stage_types {
    ($($config:ty),* $(,)?) => {
        $(
            impl StageFactory for $config {
                fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
                    <$config>::files(self, ctx)
                }
                fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
                    Ok(Box::new(<$config>::build(self, ctx)?))
                }
            }
        )*

        /// Every stage type, in the order a typical pipeline uses them.
        pub fn stage_types() -> &'static [StageType] {
            const TYPES: &[StageType] = &[$(StageType {
                info: <$config>::INFO,
                options: <$config>::OPTIONS,
                parse: |v| Ok(Box::new(v.try_into::<$config>()?)),
            }),*];
            TYPES
        }
    };
}

stage_types!(
    caveat_tokenize::TokenizeConfig,
    caveat_ner::NerConfig,
    caveat_hedge::HedgeConfig,
    caveat_attribution::AttributionConfig,
);

/// The stage type called `name`.
pub fn stage_type(name: &str) -> Option<&'static StageType> {
    stage_types().iter().find(|t| t.info.name == name)
}

/// The candidate closest to `word` (Levenshtein distance at most a third of its length, at
/// least 2), for "did you mean" hints.
pub fn closest<'a>(word: &str, candidates: impl IntoIterator<Item = &'a str>) -> Option<&'a str> {
    let limit = (word.chars().count() / 3).max(2);
    candidates
        .into_iter()
        .map(|c| (levenshtein(word, c), c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| c)
}

fn levenshtein(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut row: Vec<usize> = (0..=b.len()).collect();
    for (i, ca) in a.chars().enumerate() {
        let mut prev = row[0];
        row[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let cur = row[j + 1];
            row[j + 1] = (prev + usize::from(ca != cb)).min(row[j] + 1).min(cur + 1);
            prev = cur;
        }
    }
    row[b.len()]
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn suggestions() {
        assert_eq!(closest("nerr", ["tokenize", "ner", "hedge"]), Some("ner"));
        assert_eq!(closest("lexicn", ["lexicon", "mode"]), Some("lexicon"));
        assert_eq!(closest("zzzzzz", ["tokenize", "ner"]), None);
        assert_eq!(levenshtein("kitten", "sitting"), 3);
    }

    #[test]
    fn every_stage_type_documents_its_options() {
        for t in stage_types() {
            assert!(!t.info.name.is_empty());
            for o in t.options {
                assert!(!o.help.is_empty(), "{}.{} has no help", t.info.name, o.name);
            }
            // The defaults parse: an empty table is a valid config of every stage type.
            let empty = toml::Value::Table(Default::default());
            assert!(
                (t.parse)(empty).is_ok(),
                "{} has no default config",
                t.info.name
            );
        }
    }
}
