//! The stage types a pipeline file can name: [`builtin`] is caveat's own (`tokenize`, `ner`,
//! `hedge`, `attribution`, `coref`). The table is a [`Registry`] value: a program that embeds caveat
//! adds its own stage types with [`Registry::register`] and passes the registry to
//! [`PipelineConfig::from_file_with`](crate::PipelineConfig::from_file_with).

pub use caveat_core::{Registry, StageFactory};

/// caveat's own stage types, in the order a typical pipeline uses them.
pub fn builtin() -> Registry {
    let mut r = Registry::new();
    r.register::<caveat_tokenize::TokenizeConfig>()
        .register::<caveat_ner::NerConfig>()
        .register::<caveat_hedge::HedgeConfig>()
        .register::<caveat_attribution::AttributionConfig>()
        .register::<caveat_coref::CorefConfig>();
    r
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
        let registry = builtin();
        assert_eq!(
            registry.names(),
            ["tokenize", "ner", "hedge", "attribution", "coref"]
        );
        for t in registry.iter() {
            let name = t.info().name;
            let options = t.options();
            for o in &options {
                assert!(!o.help.is_empty(), "{name}.{} has no help", o.name);
            }
            // The defaults parse: an empty table is a valid config of every stage type, and
            // so is a table that spells out every documented default.
            assert!(
                t.parse(serde_json::json!({})).is_ok(),
                "{name} has no default config"
            );
            let mut table = toml::Table::new();
            for o in options.iter().filter(|o| !o.default.is_empty()) {
                let one: toml::Table = format!("{} = {}", o.name, o.default)
                    .parse()
                    .unwrap_or_else(|e| panic!("{name}.{}: {e}", o.name));
                table.extend(one);
            }
            let value = serde_json::to_value(&table).unwrap();
            if let Err(e) = t.parse(value) {
                panic!("{name}: the documented defaults do not parse: {e}");
            }
        }
    }
}
