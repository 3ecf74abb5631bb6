//! Per-document features computed once: a [`Tok`] record per token (word and suffix
//! hashes, shape, word class, cue prior, quotation state) and prefix counts over the tokens.

use caveat_core::{Document, TokenKind};
use caveat_text::hash::{fnv_mix, fnv_word_hash};

use super::resources::Resources;
use super::words::{C_AUX, C_PRON};

// Shapes.
pub(crate) const SH_LOWER: u8 = 0;
pub(crate) const SH_CAP: u8 = 1;
pub(crate) const SH_UPPER: u8 = 2;
pub(crate) const SH_NUM: u8 = 3;
pub(crate) const SH_COMMA: u8 = 4;
pub(crate) const SH_FINAL: u8 = 5;
pub(crate) const SH_OPENQ: u8 = 6;
pub(crate) const SH_CLOSEQ: u8 = 7;
pub(crate) const SH_QUOTE: u8 = 8;
pub(crate) const SH_COLON: u8 = 9;
pub(crate) const SH_DASH: u8 = 10;
pub(crate) const SH_OPENB: u8 = 11;
pub(crate) const SH_CLOSEB: u8 = 12;
pub(crate) const SH_OTHER: u8 = 13;

/// Per-token features, computed once per document.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct Tok {
    pub(crate) word: u64,
    pub(crate) suffix: u64,
    pub(crate) shape: u8,
    pub(crate) class: u8,
    /// Cue-lexicon prior bucket, 0 = not a cue candidate.
    pub(crate) prior: u8,
    /// Inside quotation marks.
    pub(crate) quoted: bool,
    /// Whether the word is a vague-source word.
    pub(crate) vague: bool,
    /// Whether the word ends in "ing" (a participle after a comma starts no appositive).
    pub(crate) ing: bool,
    /// Whether the token is a double quotation mark (`"`, `“`, `”`, `«`, `»`, ``` `` ```,
    /// `''`). Single marks are left out of quotation spans: `'` and `’` are apostrophes too.
    pub(crate) dmark: bool,
    /// Inside double quotation marks (the marks included).
    pub(crate) dq: bool,
    /// Whether a double quotation is open after this token (false on its closing mark).
    pub(crate) open: bool,
}

fn shape_of(text: &str, kind: TokenKind) -> u8 {
    let mut chars = text.chars();
    let first = chars.next().unwrap_or(' ');
    match kind {
        TokenKind::Number => SH_NUM,
        TokenKind::Word => {
            if first.is_uppercase() {
                if text.chars().count() > 1 && text.chars().all(|c| !c.is_lowercase()) {
                    SH_UPPER
                } else {
                    SH_CAP
                }
            } else {
                SH_LOWER
            }
        }
        _ => match text {
            "," => SH_COMMA,
            "." | "!" | "?" | "..." | "…" => SH_FINAL,
            "“" | "‘" | "``" | "«" => SH_OPENQ,
            "”" | "’" | "»" => SH_CLOSEQ,
            "\"" | "'" | "''" => SH_QUOTE,
            ":" | ";" => SH_COLON,
            "—" | "–" | "-" | "--" => SH_DASH,
            "(" | "[" | "{" => SH_OPENB,
            ")" | "]" | "}" => SH_CLOSEB,
            _ if first.is_alphabetic() => {
                if first.is_uppercase() {
                    SH_CAP
                } else {
                    SH_LOWER
                }
            }
            _ => SH_OTHER,
        },
    }
}

/// The prior bucket of a word or of its stem, 0..=6.
#[inline]
pub(crate) fn strength(prior: u8) -> u8 {
    if prior > 6 {
        prior - 6
    } else {
        prior
    }
}

/// A word with a high cue prior of its own (said, says, according).
#[inline]
pub(super) fn is_strong(prior: u8) -> bool {
    (5..=6).contains(&prior)
}

#[inline]
pub(super) fn is_quote(shape: u8) -> bool {
    matches!(shape, SH_OPENQ | SH_CLOSEQ | SH_QUOTE)
}

#[inline]
pub(super) fn is_wordish(shape: u8) -> bool {
    matches!(shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
}

/// Everything computed once per document.
pub(crate) struct DocFeatures {
    pub(crate) toks: Vec<Tok>,
    /// Number of comma tokens before each token (len = tokens + 1).
    pub(super) commas: Vec<u32>,
    /// Number of quote tokens before each token (len = tokens + 1).
    pub(super) quotes: Vec<u32>,
    /// Number of strong cue candidates (prior bucket >= 4) before each token.
    pub(super) verbs: Vec<u32>,
    /// Number of word and number tokens before each token (len = tokens + 1).
    pub(super) words: Vec<u32>,
    /// Index of the nearest very strong cue word (prior bucket >= 5) before / after each
    /// token (`u32::MAX` when none).
    pub(super) strong_before: Vec<u32>,
    pub(super) strong_after: Vec<u32>,
}

impl DocFeatures {
    pub(crate) fn new(doc: &Document, res: &Resources) -> DocFeatures {
        let n = doc.tokens.len();
        let mut toks = Vec::with_capacity(n);
        let mut commas = Vec::with_capacity(n + 1);
        let mut quotes = Vec::with_capacity(n + 1);
        let mut verbs = Vec::with_capacity(n + 1);
        let mut words = Vec::with_capacity(n + 1);
        let (mut nc, mut nq, mut nv, mut nw) = (0u32, 0u32, 0u32, 0u32);
        let mut inside = false;
        let mut dq_inside = false;
        let mut prev_end = 0usize;
        let bytes = doc.text.as_bytes();
        let ing_suffix = fnv_mix(fnv_word_hash("ing"), 0x5f);
        for t in &doc.tokens {
            let (start, end) = (t.span.start.min(bytes.len()), t.span.end.min(bytes.len()));
            let text = doc.text.get(start..end).unwrap_or("");
            // A paragraph break ends any open quotation.
            if prev_end <= start && bytes[prev_end..start].contains(&b'\n') {
                inside = false;
                dq_inside = false;
            }
            prev_end = end.max(prev_end);
            let word = fnv_word_hash(text);
            let mut shape = shape_of(text, t.kind);
            // A lone `'` or `’` right after a word, with no quotation open, is an apostrophe
            // (`the Institute of Directors' head`), not a closing quotation mark.
            if matches!(text, "'" | "\u{2019}")
                && !inside
                && doc
                    .text
                    .get(..start)
                    .and_then(|t| t.chars().next_back())
                    .is_some_and(char::is_alphanumeric)
                && (text != "'"
                    || caveat_text::quotes::straight_quote_opens(&doc.text, start, end)
                        == Some(false))
            {
                shape = SH_OTHER;
            }
            let suffix = {
                let cut = text
                    .char_indices()
                    .rev()
                    .nth(2)
                    .map(|(i, _)| i)
                    .unwrap_or(0);
                fnv_mix(fnv_word_hash(&text[cut..]), 0x5f)
            };
            let info = res.words.get(&word).copied().unwrap_or_default();
            let prior = if matches!(shape, SH_COMMA | SH_FINAL | SH_OPENQ | SH_CLOSEQ | SH_QUOTE) {
                0
            } else if info.prior > 0 {
                info.prior
            } else {
                res.lexicon.stem_bucket(text)
            };
            let quoted = match shape {
                SH_OPENQ => {
                    inside = true;
                    true
                }
                SH_CLOSEQ => {
                    // `’` is also an apostrophe: it only closes when something is open.
                    let was = inside;
                    inside = false;
                    was
                }
                SH_QUOTE => {
                    inside = caveat_text::quotes::straight_quote_opens(&doc.text, start, end)
                        .unwrap_or(!inside);
                    true
                }
                _ => inside,
            };
            let dmark = matches!(text, "\"" | "“" | "”" | "«" | "»" | "``" | "''");
            let dq = match text {
                "“" | "«" | "``" => {
                    dq_inside = true;
                    true
                }
                "”" | "»" => std::mem::replace(&mut dq_inside, false),
                "\"" => {
                    dq_inside = caveat_text::quotes::straight_quote_opens(&doc.text, start, end)
                        .unwrap_or(!dq_inside);
                    true
                }
                "''" => {
                    dq_inside = !dq_inside;
                    true
                }
                _ => dq_inside,
            };
            commas.push(nc);
            quotes.push(nq);
            verbs.push(nv);
            words.push(nw);
            nw += u32::from(is_wordish(shape));
            nc += u32::from(shape == SH_COMMA);
            nq += u32::from(is_quote(shape));
            nv += u32::from((4..=6).contains(&prior));
            toks.push(Tok {
                word,
                suffix,
                shape,
                // `US`, `IT` in capitals are names, not the pronouns `us`, `it`; nor is a
                // capitalised modal after a capitalised word (`Theresa May said`, `Mrs May`,
                // `Will` in `Prince Will`) an auxiliary.
                class: if (shape == SH_UPPER && info.class == C_PRON)
                    || (shape == SH_CAP
                        && info.class == C_AUX
                        && ["may", "will", "can", "might"]
                            .iter()
                            .any(|m| text.eq_ignore_ascii_case(m))
                        && toks.last().is_some_and(|p: &Tok| p.shape == SH_CAP))
                {
                    0
                } else {
                    info.class
                },
                prior,
                quoted,
                vague: info.vague,
                ing: suffix == ing_suffix,
                dmark,
                dq,
                open: dq_inside,
            });
        }
        commas.push(nc);
        quotes.push(nq);
        verbs.push(nv);
        words.push(nw);
        let mut strong_before = vec![u32::MAX; n];
        let mut strong_after = vec![u32::MAX; n];
        let mut last = u32::MAX;
        for (i, t) in toks.iter().enumerate() {
            strong_before[i] = last;
            if is_strong(t.prior) {
                last = i as u32;
            }
        }
        last = u32::MAX;
        for (i, t) in toks.iter().enumerate().rev() {
            strong_after[i] = last;
            if is_strong(t.prior) {
                last = i as u32;
            }
        }
        DocFeatures {
            toks,
            commas,
            quotes,
            verbs,
            words,
            strong_before,
            strong_after,
        }
    }

    #[inline]
    pub(super) fn between(prefix: &[u32], a: usize, b: usize) -> u32 {
        let (a, b) = if a <= b { (a, b) } else { (b, a) };
        prefix[b] - prefix[a]
    }
}
