//! Features: the candidate tokens, their sparse context features, and the hashing of
//! feature strings into domain copies (general and per training domain).

use caveat_core::{HedgeCategory, Sentence, Token, TokenKind};
use caveat_text::hash::{fx_hash_str, fx_step};
use caveat_text::normalize::{lower_into, Apostrophes};
use caveat_text::stem::derivational;

use super::model::{CueMap, CueStat};
use crate::context::{SentenceContext, Side};
use crate::LexiconMatch;

/// Version of the feature set; a model of another version is refused.
pub const FEATURES_VERSION: u32 = 3;

/// Words that are candidates even when neither the learned cue list nor the lexicon has
/// them: *will* is a cue in the consequent of a conditional (*if ..., they will*) and almost
/// never elsewhere, which only the sentence-context features can tell.
const EXTRA_CANDIDATES: &[&str] = &["will", "'ll", "shall"];

/// Feature-hash domain tags: the general copy, and per training domain.
pub(crate) const DOMAIN_ALL: u8 = 0;
pub(crate) const DOMAIN_WIKI: u8 = 1;
pub(crate) const DOMAIN_BIO: u8 = 2;

pub(crate) fn domain_tag(name: &str) -> Option<u8> {
    match name {
        "*" => Some(DOMAIN_ALL),
        "wiki" => Some(DOMAIN_WIKI),
        "bio" => Some(DOMAIN_BIO),
        _ => None,
    }
}

#[cfg(feature = "train")]
pub(crate) fn domain_name(tag: u8) -> &'static str {
    match tag {
        DOMAIN_WIKI => "wiki",
        DOMAIN_BIO => "bio",
        _ => "*",
    }
}

/// Hash of a feature string in a domain copy: the Fx hash of the string, one more Fx step
/// with `domain + 1` (see [`caveat_text::hash`]).
#[inline]
pub(crate) fn feature_hash(domain: u8, feature: &str) -> u64 {
    fx_step(fx_hash_str(feature), domain as u64 + 1)
}
/// Per token: the category of the lexicon match covering it (scored categories first), and
/// whether that match is negated.
pub(crate) fn lexicon_token_categories(
    n: usize,
    matches: &[LexiconMatch],
) -> Vec<Option<(HedgeCategory, bool)>> {
    let mut v = vec![None; n];
    for m in matches {
        for slot in v.get_mut(m.tokens.clone()).into_iter().flatten() {
            let replace = match slot {
                None => true,
                Some((c, _)) => !crate::is_scored(*c) && crate::is_scored(m.category),
            };
            if replace {
                *slot = Some((m.category, m.negated));
            }
        }
    }
    v
}

/// The context of one candidate token.
pub(crate) struct Candidate<'a> {
    word: &'a str,
    stem: &'a str,
    prev: [&'a str; 2],
    next: [&'a str; 2],
    next_kind: &'static str,
    cap: bool,
    initial: bool,
    stat: Option<CueStat>,
    lex: Option<(HedgeCategory, bool)>,
    /// Conditional markers in the sentence, relative to the candidate.
    cond: Side,
    /// Reporting / cognition verbs: `Bpast`, `Bpres` (nearest one before, its tense), `A`
    /// (only after), `0`.
    report: &'static str,
    /// A negation or modal before the candidate in its sentence.
    neg_modal: bool,
    /// Tense of the nearest auxiliary before the candidate.
    tense: &'static str,
    /// The sentence mentions a year.
    year: bool,
}

/// Reusable buffers for feature extraction (no allocation per token once warm).
#[derive(Default)]
pub(crate) struct FeatureExtractor {
    word: String,
    ctx: [String; 4],
    sent: SentenceContext,
}

const DETERMINERS: &[&str] = &[
    "the", "a", "an", "this", "that", "these", "those", "its", "their", "his", "her", "our", "my",
    "your",
];
const NEGATIONS: &[&str] = &["not", "n't", "no", "never", "without", "nor", "hardly"];
const BE: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "'s", "am",
];
const MODALS: &[&str] = &[
    "may", "might", "could", "would", "will", "can", "should", "must", "shall", "'ll", "'d",
];

fn word_class(w: &str) -> &'static str {
    if DETERMINERS.contains(&w) {
        "det"
    } else if NEGATIONS.contains(&w) {
        "neg"
    } else if BE.contains(&w) {
        "be"
    } else if MODALS.contains(&w) {
        "modal"
    } else if w.starts_with(|c: char| c.is_ascii_digit()) {
        "num"
    } else if w.chars().all(|c| !c.is_alphanumeric()) {
        "punct"
    } else {
        "w"
    }
}

impl FeatureExtractor {
    /// The candidate at token `i` of sentence `s` (a word of the learned cue list, or inside
    /// a lexicon match), or `None` when the token is not one.
    pub(crate) fn candidate<'a>(
        &'a mut self,
        text: &str,
        tokens: &[Token],
        s: &Sentence,
        i: usize,
        cues: &CueMap,
        lexcat: &[Option<(HedgeCategory, bool)>],
    ) -> Option<Candidate<'a>> {
        let tok = tokens.get(i)?;
        if tok.kind != TokenKind::Word || tok.span.len() > 40 {
            return None;
        }
        let t = text.get(tok.span.range())?;
        lower_into(t, Apostrophes::QuotesAndModifier, &mut self.word);
        let lex = lexcat.get(i).copied().flatten();
        let stat = cues.get(self.word.as_str()).copied();
        if stat.is_none() && lex.is_none() && !EXTRA_CANDIDATES.contains(&self.word.as_str()) {
            return None;
        }
        self.sent.fill(text, tokens, s.tokens.clone());
        let sc = &self.sent;
        let report = match sc.report_side(i) {
            (Side::Before, true) => "Bpast",
            (Side::Before, false) => "Bpres",
            (Side::After, _) => "A",
            (Side::None, _) => "0",
        };
        let (cond, neg_modal, tense, year) = (
            sc.cond_side(i),
            sc.neg_modal_before(i),
            sc.tense_before(i),
            sc.year(),
        );
        let at = |j: isize, buf: &mut String| {
            buf.clear();
            if j < s.tokens.start as isize {
                buf.push_str("<s>");
            } else if j >= s.tokens.end as isize || j as usize >= tokens.len() {
                buf.push_str("</s>");
            } else {
                let tt = text.get(tokens[j as usize].span.range()).unwrap_or("");
                if tt.len() > 30 {
                    buf.push_str("<long>");
                } else {
                    lower_into(tt, Apostrophes::QuotesAndModifier, buf);
                }
            }
        };
        let ii = i as isize;
        let [c0, c1, c2, c3] = &mut self.ctx;
        at(ii - 1, c0);
        at(ii - 2, c1);
        at(ii + 1, c2);
        at(ii + 2, c3);
        let next_kind = match tokens.get(i + 1) {
            Some(n) if i + 1 < s.tokens.end => match n.kind {
                TokenKind::Word => {
                    if text[n.span.range()].starts_with(char::is_uppercase) {
                        "Cap"
                    } else {
                        "w"
                    }
                }
                TokenKind::Number => "num",
                TokenKind::Punct => "punct",
                _ => "other",
            },
            _ => "end",
        };
        let initial = tokens[s.tokens.start..i]
            .iter()
            .all(|t| t.kind == TokenKind::Punct);
        Some(Candidate {
            word: &self.word,
            stem: derivational(&self.word),
            prev: [c0, c1],
            next: [c2, c3],
            next_kind,
            cap: t.starts_with(char::is_uppercase),
            initial,
            stat,
            lex,
            cond,
            report,
            neg_modal,
            tense,
            year,
        })
    }
}

/// Call `f` with every feature string of a candidate (`b` is a reusable buffer).
pub(crate) fn features(c: &Candidate<'_>, b: &mut String, f: &mut dyn FnMut(&str)) {
    {
        let mut emit = |parts: &[&str]| {
            b.clear();
            for (k, p) in parts.iter().enumerate() {
                if k > 0 {
                    b.push('|');
                }
                b.push_str(p);
            }
            f(b);
        };
        let w = c.word;
        emit(&["bias"]);
        emit(&["w", w]);
        emit(&["stem", c.stem]);
        let (rate_b, count_b) = match c.stat {
            Some(s) => (
                RATE_BUCKETS[bucket(s.rate())],
                COUNT_BUCKETS[count_bucket(s.total)],
            ),
            None => ("none", "none"),
        };
        emit(&["rate", rate_b]);
        emit(&["rate", rate_b, count_b]);
        match c.lex {
            Some((cat, neg)) => {
                emit(&["lex", cat.as_str()]);
                emit(&["lexneg", if neg { "1" } else { "0" }]);
                emit(&["lex", cat.as_str(), "w", w]);
            }
            None => emit(&["lex", "none"]),
        }
        if let Some(s) = c.stat {
            emit(&["cat", s.category.as_str(), rate_b]);
        }
        let [p1, p2] = c.prev;
        let [n1, n2] = c.next;
        emit(&["p1", p1]);
        emit(&["n1", n1]);
        emit(&["p2", p2]);
        emit(&["n2", n2]);
        emit(&["w", w, "p1", p1]);
        emit(&["w", w, "n1", n1]);
        emit(&["w", w, "n1n2", n1, n2]);
        emit(&["w", w, "p2p1", p2, p1]);
        emit(&["stem", c.stem, "n1", n1]);
        emit(&["stem", c.stem, "p1", p1]);
        let pc1 = word_class(p1);
        let pc2 = word_class(p2);
        let nc1 = word_class(n1);
        emit(&["pc1", pc1]);
        emit(&["pc2", pc2]);
        emit(&["nc1", nc1]);
        emit(&["w", w, "pc1", pc1]);
        emit(&["w", w, "pc2", pc2]);
        emit(&["w", w, "nc1", nc1]);
        emit(&["w", w, "nk", c.next_kind]);
        emit(&["rate", rate_b, "pc1", pc1]);
        emit(&["rate", rate_b, "nc1", nc1]);
        let that_to = match n1 {
            "that" => "that",
            "to" => "to",
            "if" | "whether" => "if",
            _ => "",
        };
        if !that_to.is_empty() {
            emit(&["then", that_to]);
            emit(&["stem", c.stem, "then", that_to]);
        }
        // Sentence context (feature sets 2 and 3; 3 knows the -ing reporting verbs).
        let cs = c.cond.as_str();
        emit(&["cond", cs]);
        emit(&["w", w, "cond", cs]);
        emit(&["rate", rate_b, "cond", cs]);
        emit(&["rep", c.report]);
        emit(&["w", w, "rep", c.report]);
        if c.neg_modal {
            emit(&["negmod"]);
            emit(&["w", w, "negmod"]);
        }
        emit(&["w", w, "tense", c.tense]);
        if c.year {
            emit(&["w", w, "year"]);
        }
        emit(&[
            "cap",
            if c.cap { "1" } else { "0" },
            "init",
            if c.initial { "1" } else { "0" },
        ]);
        emit(&[
            "w",
            w,
            "cap",
            if c.cap { "1" } else { "0" },
            if c.initial { "1" } else { "0" },
        ]);
    }
}

const RATE_BUCKETS: [&str; 10] = ["r0", "r1", "r2", "r3", "r4", "r5", "r6", "r7", "r8", "r9"];
const COUNT_BUCKETS: [&str; 5] = ["c1", "c3", "c10", "c30", "cmany"];

fn bucket(r: f32) -> usize {
    ((r * 10.0) as usize).min(9)
}

fn count_bucket(n: u32) -> usize {
    match n {
        0..=2 => 0,
        3..=9 => 1,
        10..=29 => 2,
        30..=99 => 3,
        _ => 4,
    }
}
