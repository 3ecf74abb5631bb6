//! The lexicon file format: the TOML schema (serde side) and its compilation into a
//! [`Lexicon`], with errors that name the file, line and column.

use std::collections::HashMap;
use std::ops::Range;
use std::path::Path;

use caveat_core::HedgeCategory;
use caveat_text::linecol::line_col;
use caveat_text::normalize::normalize_word;
use serde::Deserialize;
use toml::Spanned;

use super::inflect::{expand, Inflect};
use super::{Condition, KindSel, Lexicon, Pattern, Rule, RuleEffect, WordSet};
use crate::HedgeError;

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawLexicon {
    #[serde(default)]
    lexicon: RawMeta,
    #[serde(default)]
    rules: std::collections::BTreeMap<String, RawRule>,
    #[serde(default)]
    cues: Vec<RawGroup>,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawMeta {
    #[serde(default)]
    name: String,
    #[serde(default)]
    version: String,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawRule {
    effect: Spanned<String>,
    #[serde(default)]
    when: Vec<RawCondition>,
    #[serde(default)]
    description: String,
}

#[derive(Deserialize, Default)]
#[serde(deny_unknown_fields)]
struct RawCondition {
    prev: Option<Vec<String>>,
    prev_phrase: Option<Vec<Spanned<String>>>,
    prev_window: Option<Spanned<i64>>,
    next: Option<Vec<String>>,
    prev_kind: Option<Spanned<String>>,
    next_kind: Option<Spanned<String>>,
    capitalized: Option<bool>,
    prev_capitalized: Option<bool>,
    next_capitalized: Option<bool>,
    sentence_initial: Option<bool>,
}

#[derive(Deserialize)]
#[serde(deny_unknown_fields)]
struct RawGroup {
    category: Spanned<String>,
    words: Vec<Spanned<String>>,
    #[serde(default)]
    inflect: Option<Spanned<String>>,
    #[serde(default)]
    rules: Option<Vec<Spanned<String>>>,
    #[serde(default)]
    score: Option<Spanned<f64>>,
    #[serde(default)]
    defer: bool,
}

const INFLECTIONS: &str = "verb, noun";

impl KindSel {
    fn parse(s: &str) -> Option<KindSel> {
        Some(match s {
            "word" => KindSel::Word,
            "number" => KindSel::Number,
            "punct" => KindSel::Punct,
            "none" => KindSel::None,
            _ => return None,
        })
    }
}

impl Lexicon {
    /// Load and compile a lexicon file.
    pub fn load(path: impl AsRef<Path>) -> Result<Lexicon, HedgeError> {
        let path = path.as_ref();
        let text = std::fs::read_to_string(path).map_err(|source| HedgeError::Io {
            path: path.to_path_buf(),
            source,
        })?;
        Lexicon::from_toml_str(&text, path)
    }

    /// Compile a lexicon from TOML text; `origin` names the file in error messages.
    pub fn from_toml_str(text: &str, origin: impl AsRef<Path>) -> Result<Lexicon, HedgeError> {
        let origin = origin.as_ref();
        let err = |span: Option<Range<usize>>, message: String| {
            let (line, column) = span.map_or((0, 0), |s| line_col(text, s.start));
            HedgeError::Lexicon {
                path: origin.to_path_buf(),
                line,
                column,
                message,
            }
        };
        let raw: RawLexicon =
            toml::from_str(text).map_err(|e| err(e.span(), e.message().to_string()))?;

        let mut rules = Vec::new();
        let mut rule_ids: HashMap<String, u16> = HashMap::new();
        for (name, rr) in raw.rules {
            let effect = match rr.effect.get_ref().as_str() {
                "veto" => RuleEffect::Veto,
                "negate" => RuleEffect::Negate,
                "require" => RuleEffect::Require,
                other => {
                    return Err(err(
                        Some(rr.effect.span()),
                        format!(
                            "rule `{name}`: unknown effect `{other}`, expected `veto`, `negate` or `require`"
                        ),
                    ))
                }
            };
            let _ = rr.description;
            let mut when = Vec::new();
            for rc in rr.when {
                let kind = |k: &Option<Spanned<String>>| -> Result<Option<KindSel>, HedgeError> {
                    match k {
                        None => Ok(None),
                        Some(s) => KindSel::parse(s.get_ref()).map(Some).ok_or_else(|| {
                            err(
                                Some(s.span()),
                                format!(
                                    "rule `{name}`: unknown token kind `{}`, expected one of: \
                                     word, number, punct, none",
                                    s.get_ref()
                                ),
                            )
                        }),
                    }
                };
                let prev_window = match &rc.prev_window {
                    None => 1,
                    Some(w) if (1..=10).contains(w.get_ref()) => *w.get_ref() as usize,
                    Some(w) => {
                        return Err(err(
                            Some(w.span()),
                            format!(
                                "rule `{name}`: prev_window must be between 1 and 10, got {}",
                                w.get_ref()
                            ),
                        ))
                    }
                };
                let mut prev_phrase = None;
                if let Some(list) = rc.prev_phrase {
                    let mut v = Vec::new();
                    for ph in list {
                        let words: Box<[Box<str>]> = ph
                            .get_ref()
                            .split_whitespace()
                            .map(|w| normalize_word(w).into_boxed_str())
                            .collect();
                        if words.is_empty() {
                            return Err(err(
                                Some(ph.span()),
                                format!("rule `{name}`: empty phrase in prev_phrase"),
                            ));
                        }
                        v.push(words);
                    }
                    prev_phrase = Some(v);
                }
                when.push(Condition {
                    prev: rc.prev.map(word_set),
                    prev_phrase,
                    prev_window,
                    next: rc.next.map(word_set),
                    prev_kind: kind(&rc.prev_kind)?,
                    next_kind: kind(&rc.next_kind)?,
                    capitalized: rc.capitalized,
                    prev_capitalized: rc.prev_capitalized,
                    next_capitalized: rc.next_capitalized,
                    sentence_initial: rc.sentence_initial,
                });
            }
            rule_ids.insert(name.clone(), rules.len() as u16);
            rules.push(Rule { name, effect, when });
        }

        let mut lex = Lexicon {
            name: raw.lexicon.name,
            path: origin.to_path_buf(),
            patterns: Vec::new(),
            index: HashMap::default(),
            rules,
            max_key_len: 0,
        };
        let _ = (raw.lexicon.version, raw.lexicon.description);
        for group in raw.cues {
            let category: HedgeCategory = group
                .category
                .get_ref()
                .parse()
                .map_err(|m| err(Some(group.category.span()), m))?;
            let score = match &group.score {
                None => 1.0,
                Some(s) if (0.0..=1.0).contains(s.get_ref()) => *s.get_ref() as f32,
                Some(s) => {
                    return Err(err(
                        Some(s.span()),
                        format!("score must be in [0, 1], got {}", s.get_ref()),
                    ))
                }
            };
            let inflect = match &group.inflect {
                None => None,
                Some(s) => match s.get_ref().as_str() {
                    "verb" => Some(Inflect::Verb),
                    "noun" => Some(Inflect::Noun),
                    other => {
                        return Err(err(
                            Some(s.span()),
                            format!(
                                "unknown inflection `{other}`, expected one of: {INFLECTIONS} \
                                 (or leave `inflect` out and list every form)"
                            ),
                        ))
                    }
                },
            };
            let mut rule_list = Vec::new();
            for r in group.rules.iter().flatten() {
                match rule_ids.get(r.get_ref()) {
                    Some(&id) => rule_list.push(id),
                    None => {
                        let mut known: Vec<&str> =
                            lex.rules.iter().map(|r| r.name.as_str()).collect();
                        known.sort_unstable();
                        return Err(err(
                            Some(r.span()),
                            format!(
                                "unknown rule `{}`; define it as a [rules.{}] table or use one \
                                 of: {}",
                                r.get_ref(),
                                r.get_ref(),
                                if known.is_empty() {
                                    "(none defined)".to_string()
                                } else {
                                    known.join(", ")
                                }
                            ),
                        ));
                    }
                }
            }
            let rule_list: Box<[u16]> = rule_list.into();
            for w in &group.words {
                let phrase = w.get_ref();
                let words: Vec<String> = phrase.split_whitespace().map(normalize_word).collect();
                if words.is_empty() {
                    return Err(err(Some(w.span()), "empty cue".to_string()));
                }
                for form in expand(&words, inflect) {
                    lex.add(form, category, score, rule_list.clone(), group.defer);
                }
            }
        }
        for ids in lex.index.values_mut() {
            ids.sort_by_key(|&i| std::cmp::Reverse(lex.patterns[i as usize].words.len()));
            ids.dedup();
        }
        Ok(lex)
    }

    fn add(
        &mut self,
        words: Vec<String>,
        category: HedgeCategory,
        score: f32,
        rules: Box<[u16]>,
        defer: bool,
    ) {
        // Skip exact duplicates (same words, category, rules and deferral): the first entry
        // wins. The same words may stand in two groups with different rules (`a possible`
        // stands by itself, other `possible`s are deferred); on one span the earlier group's
        // match is kept (`dedup_contained`).
        let first = words[0].clone();
        if let Some(ids) = self.index.get(first.as_str()) {
            if ids.iter().any(|&i| {
                let p = &self.patterns[i as usize];
                p.category == category
                    && p.rules == rules
                    && p.defer == defer
                    && p.words
                        .iter()
                        .map(|w| &**w)
                        .eq(words.iter().map(|w| w.as_str()))
            }) {
                return;
            }
        }
        let id = self.patterns.len() as u32;
        let mut keys = vec![first.clone()];
        // Keys for tokenizers that split inside the first word: `don't` -> `do` + `n't`.
        if let Some(p) = first.find(|c: char| !c.is_alphanumeric()) {
            if p > 0 {
                keys.push(first[..p].to_string());
            }
            if let Some(stem) = first.strip_suffix("n't") {
                if !stem.is_empty() {
                    keys.push(stem.to_string());
                }
            }
        }
        keys.dedup();
        for k in keys {
            self.max_key_len = self.max_key_len.max(k.len());
            self.index.entry(k.into_boxed_str()).or_default().push(id);
        }
        self.patterns.push(Pattern {
            words: words.into_iter().map(String::into_boxed_str).collect(),
            category,
            score,
            rules,
            defer,
        });
    }
}

fn word_set(words: Vec<String>) -> WordSet {
    words
        .iter()
        .map(|w| normalize_word(w).into_boxed_str())
        .collect()
}
