//! The hedge lexicon: cue phrases with categories, inflections and context rules, loaded from
//! a TOML file, compiled into a first-token index and matched on token boundaries.
//!
//! See the crate documentation for the file format.

use std::collections::HashMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use caveat_core::{HedgeCategory, Sentence, Token, TokenKind};
use serde::Deserialize;
use toml::Spanned;

use crate::fxhash::FxBuildHasher;
use crate::text::{eq_lower_prefix, lower_into, normalize_word};
use crate::HedgeError;

// ---------------------------------------------------------------------------------------------
// File format (serde side)

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

// ---------------------------------------------------------------------------------------------
// Compiled form

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

    fn matches(self, tok: Option<&Token>) -> bool {
        match (self, tok) {
            (KindSel::None, None) => true,
            (KindSel::Word, Some(t)) => t.kind == TokenKind::Word,
            (KindSel::Number, Some(t)) => t.kind == TokenKind::Number,
            (KindSel::Punct, Some(t)) => t.kind == TokenKind::Punct,
            _ => false,
        }
    }
}

type WordSet = std::collections::HashSet<Box<str>, FxBuildHasher>;

#[derive(Debug, Default)]
struct Condition {
    prev: Option<WordSet>,
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

const INFLECTIONS: &str = "verb, noun";

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
                when.push(Condition {
                    prev: rc.prev.map(word_set),
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
        // Skip exact duplicates (same words and category): the first entry wins.
        let first = words[0].clone();
        if let Some(ids) = self.index.get(first.as_str()) {
            if ids.iter().any(|&i| {
                let p = &self.patterns[i as usize];
                p.category == category
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

    /// Find every cue in the sentences of a tokenized text, appending to `out` in text order.
    ///
    /// Overlapping matches of the same category keep only the longest (`it is believed`
    /// rather than `believed` when both are in one category); matches of different categories
    /// may overlap (`many believe` weasel and `believe` doxastic). Veto rules drop matches;
    /// negate rules mark them. Linear in the number of tokens; allocates nothing per token.
    pub fn find(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
    ) {
        self.find_inner(text, tokens, sentences, buf, out, None);
    }

    /// [`Lexicon::find`], also appending to `vetoed` the token ranges of matches a `veto` rule
    /// dropped, so that no other cue finder reports a hedge there either (a failed `require`
    /// rule only keeps the lexicon from firing by itself).
    pub fn find_with_vetoed(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
        vetoed: &mut Vec<Range<usize>>,
    ) {
        self.find_inner(text, tokens, sentences, buf, out, Some(vetoed));
    }

    fn find_inner(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
        mut vetoed: Option<&mut Vec<Range<usize>>>,
    ) {
        for (si, sent) in sentences.iter().enumerate() {
            let range = sent.tokens.start.min(tokens.len())..sent.tokens.end.min(tokens.len());
            let first_new = out.len();
            for i in range.clone() {
                let tok = &tokens[i];
                if tok.kind != TokenKind::Word || tok.span.len() > self.max_key_len * 4 {
                    continue;
                }
                let Some(tt) = text.get(tok.span.range()) else {
                    continue;
                };
                lower_into(tt, buf);
                let Some(ids) = self.index.get(buf.as_str()) else {
                    continue;
                };
                for &id in ids {
                    let p = &self.patterns[id as usize];
                    let Some(end) = match_pattern(text, tokens, i, range.end, &p.words) else {
                        continue;
                    };
                    let mut m = LexiconMatch {
                        tokens: i..end,
                        span: caveat_core::Span::new(tok.span.start, tokens[end - 1].span.end),
                        category: p.category,
                        score: p.score,
                        negated: false,
                        sentence: si,
                        defer: p.defer,
                    };
                    match self.apply_rules(text, tokens, range.clone(), &p.rules, &mut m, buf) {
                        Ok(()) => out.push(m),
                        Err(true) => {
                            if let Some(v) = vetoed.as_deref_mut() {
                                v.push(m.tokens);
                            }
                        }
                        Err(false) => {}
                    }
                }
            }
            dedup_contained(out, first_new);
        }
    }

    /// Apply the pattern's rules to a match: `Ok(())` to keep it, `Err(true)` when a veto
    /// rule dropped it, `Err(false)` when a require rule did.
    fn apply_rules(
        &self,
        text: &str,
        tokens: &[Token],
        sent: Range<usize>,
        rules: &[u16],
        m: &mut LexiconMatch,
        buf: &mut String,
    ) -> Result<(), bool> {
        for &r in rules {
            let rule = &self.rules[r as usize];
            let holds = rule
                .when
                .iter()
                .any(|c| condition_holds(c, text, tokens, sent.clone(), m, buf));
            match (rule.effect, holds) {
                (RuleEffect::Veto, true) => return Err(true),
                (RuleEffect::Require, false) => return Err(false),
                (RuleEffect::Negate, true) => m.negated = true,
                _ => {}
            }
        }
        Ok(())
    }
}

fn condition_holds(
    c: &Condition,
    text: &str,
    tokens: &[Token],
    sent: Range<usize>,
    m: &LexiconMatch,
    buf: &mut String,
) -> bool {
    let prev = (m.tokens.start > sent.start).then(|| &tokens[m.tokens.start - 1]);
    let next = (m.tokens.end < sent.end).then(|| &tokens[m.tokens.end]);
    if let Some(k) = c.prev_kind {
        if !k.matches(prev) {
            return false;
        }
    }
    if let Some(k) = c.next_kind {
        if !k.matches(next) {
            return false;
        }
    }
    if let Some(want) = c.sentence_initial {
        // Initial: no word token before the cue in its sentence (quotes and dashes may be).
        let initial = tokens[sent.start..m.tokens.start]
            .iter()
            .all(|t| t.kind == TokenKind::Punct);
        if initial != want {
            return false;
        }
    }
    let cap = |t: Option<&Token>| {
        t.and_then(|t| text.get(t.span.range()))
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_uppercase)
    };
    for (want, tok) in [
        (c.capitalized, tokens.get(m.tokens.start)),
        (c.prev_capitalized, prev),
        (c.next_capitalized, next),
    ] {
        if want.is_some_and(|w| w != cap(tok)) {
            return false;
        }
    }
    if let Some(set) = &c.prev {
        let from = m.tokens.start.saturating_sub(c.prev_window).max(sent.start);
        let hit = tokens[from..m.tokens.start].iter().any(|t| {
            lower_into(text.get(t.span.range()).unwrap_or(""), buf);
            set.contains(buf.as_str())
        });
        if !hit {
            return false;
        }
    }
    if let Some(set) = &c.next {
        let Some(t) = next else { return false };
        lower_into(text.get(t.span.range()).unwrap_or(""), buf);
        if !set.contains(buf.as_str()) {
            return false;
        }
    }
    true
}

/// Match `words` at token `i`; returns the end token (exclusive).
fn match_pattern(
    text: &str,
    tokens: &[Token],
    i: usize,
    limit: usize,
    words: &[Box<str>],
) -> Option<usize> {
    let glued = |a: &Token, b: &Token| {
        a.span.end == b.span.start
            && matches!(a.kind, TokenKind::Word | TokenKind::Number)
            && matches!(b.kind, TokenKind::Word | TokenKind::Number)
    };
    if i > 0 && glued(&tokens[i - 1], &tokens[i]) {
        return None;
    }
    let mut j = i;
    for (wi, w) in words.iter().enumerate() {
        let w: &str = w;
        if j >= limit {
            return None;
        }
        // Words are separated by a gap (white space) in the text; within a word tokens touch.
        if wi > 0 && tokens[j].span.start == tokens[j - 1].span.end {
            return None;
        }
        let mut off = 0;
        loop {
            if j >= limit {
                return None;
            }
            if off > 0 && tokens[j].span.start != tokens[j - 1].span.end {
                return None;
            }
            let n = eq_lower_prefix(text.get(tokens[j].span.range())?, &w[off..])?;
            off += n;
            j += 1;
            if off == w.len() {
                break;
            }
        }
    }
    // Whole tokens only: no word or number token glued to either end of the match.
    if j < tokens.len() && glued(&tokens[j - 1], &tokens[j]) {
        return None;
    }
    Some(j)
}

/// Drop matches (from `out[from..]`) inside a longer or earlier identical match of the same
/// category, and sort them by position. Linear after the sort.
fn dedup_contained(out: &mut Vec<LexiconMatch>, from: usize) {
    out[from..].sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    let mut max_end = [0usize; HedgeCategory::ALL.len()];
    let mut seen = [false; HedgeCategory::ALL.len()];
    let mut k = from;
    for j in from..out.len() {
        let c = out[j].category as usize;
        if seen[c] && max_end[c] >= out[j].span.end {
            continue;
        }
        seen[c] = true;
        max_end[c] = max_end[c].max(out[j].span.end);
        out.swap(k, j);
        k += 1;
    }
    out.truncate(k);
}

fn word_set(words: Vec<String>) -> WordSet {
    words
        .iter()
        .map(|w| normalize_word(w).into_boxed_str())
        .collect()
}

#[derive(Clone, Copy, Debug)]
enum Inflect {
    Verb,
    Noun,
}

/// The forms of a cue: the inflected word is the one marked with a trailing `*`, else the last.
fn expand(words: &[String], inflect: Option<Inflect>) -> Vec<Vec<String>> {
    let marked = words.iter().position(|w| w.ends_with('*') && w.len() > 1);
    let base: Vec<String> = words
        .iter()
        .map(|w| {
            w.strip_suffix('*')
                .filter(|s| !s.is_empty())
                .unwrap_or(w)
                .to_string()
        })
        .collect();
    let Some(kind) = inflect else {
        return vec![base];
    };
    let at = marked.unwrap_or(base.len() - 1);
    let forms = match kind {
        Inflect::Verb => verb_forms(&base[at]),
        Inflect::Noun => noun_forms(&base[at]),
    };
    forms
        .into_iter()
        .map(|f| {
            let mut v = base.clone();
            v[at] = f;
            v
        })
        .collect()
}

fn is_vowel(c: u8) -> bool {
    matches!(c, b'a' | b'e' | b'i' | b'o' | b'u')
}

/// Third person, past (also `-edly` adverb) and `-ing` forms of a regular verb lemma.
///
/// Irregular forms (`think` -> `thought`) must be listed as words of their own. Spelling
/// variants that may not exist (doubled consonants) are generated too; forms that are not
/// words simply never match.
pub fn verb_forms(lemma: &str) -> Vec<String> {
    let b = lemma.as_bytes();
    let mut out = vec![lemma.to_string()];
    if b.len() < 2 || !lemma.is_ascii() {
        return out;
    }
    let last = b[b.len() - 1];
    let before = b[b.len() - 2];
    let cons_y = last == b'y' && !is_vowel(before);
    // third person
    if cons_y {
        out.push(format!("{}ies", &lemma[..lemma.len() - 1]));
    } else if lemma.ends_with(['s', 'x', 'z']) || lemma.ends_with("ch") || lemma.ends_with("sh") {
        out.push(format!("{lemma}es"));
    } else {
        out.push(format!("{lemma}s"));
    }
    // past and -ing stems
    let mut pasts = Vec::new();
    let mut ings = Vec::new();
    if cons_y {
        pasts.push(format!("{}ied", &lemma[..lemma.len() - 1]));
        ings.push(format!("{lemma}ing"));
    } else if last == b'e' {
        pasts.push(format!("{lemma}d"));
        if lemma.ends_with("ee") || lemma.ends_with("ye") || lemma.ends_with("oe") {
            ings.push(format!("{lemma}ing"));
        } else if let Some(stem) = lemma.strip_suffix("ie") {
            ings.push(format!("{stem}ying"));
        } else {
            ings.push(format!("{}ing", &lemma[..lemma.len() - 1]));
        }
    } else {
        pasts.push(format!("{lemma}ed"));
        ings.push(format!("{lemma}ing"));
        // consonant-vowel-consonant ending: also the doubled spelling (admit -> admitted)
        if b.len() >= 3
            && !is_vowel(last)
            && !matches!(last, b'w' | b'x' | b'y')
            && is_vowel(before)
            && !is_vowel(b[b.len() - 3])
        {
            let c = last as char;
            pasts.push(format!("{lemma}{c}ed"));
            ings.push(format!("{lemma}{c}ing"));
        }
    }
    for p in pasts {
        out.push(format!("{p}ly"));
        out.push(p);
    }
    out.extend(ings);
    out
}

/// Singular and plural of a regular noun.
pub fn noun_forms(lemma: &str) -> Vec<String> {
    let b = lemma.as_bytes();
    let mut out = vec![lemma.to_string()];
    if b.len() < 2 || !lemma.is_ascii() {
        return out;
    }
    if b[b.len() - 1] == b'y' && !is_vowel(b[b.len() - 2]) {
        out.push(format!("{}ies", &lemma[..lemma.len() - 1]));
    } else if lemma.ends_with(['s', 'x', 'z']) || lemma.ends_with("ch") || lemma.ends_with("sh") {
        out.push(format!("{lemma}es"));
    } else {
        out.push(format!("{lemma}s"));
    }
    out
}

/// 1-based line and column (in characters) of byte `pos` of `text`.
pub(crate) fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let pos = pos.min(text.len());
    let mut p = pos;
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    let before = &text[..p];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, text[line_start..p].chars().count() + 1)
}
