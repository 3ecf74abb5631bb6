//! Sentence context of a cue candidate: where in its sentence the conditional markers
//! (*if*, *unless*, *provided that*), reporting and cognition verbs (*said*, *hopes*),
//! negations and modals, and past or present auxiliaries are. The tagger turns it into
//! features (a *would* or *will* in a conditional is a cue far more often than one after
//! *said*), and the stage uses it for the categories of modal cues: *would*, *could*, *will*
//! are `condition` only in a sentence with a conditional marker, else `epistemic`.
//!
//! Computing it is one pass over the sentence's tokens, done only for sentences that have a
//! candidate or a modal hedge.

use std::ops::Range;

use std::collections::HashMap;
use std::sync::OnceLock;

use caveat_core::{Token, TokenKind};
use caveat_text::hash::FxBuildHasher;
use caveat_text::normalize::{lower_into, Apostrophes};

/// Reporting and cognition verbs: a modal after one of them is usually reported speech or
/// thought (*said the plan would*, *hopes the talks would*), the future-in-the-past rather
/// than a hypothesis. Past forms are marked `true`.
const REPORT: &[(&str, bool)] = &[
    ("said", true),
    ("says", false),
    ("say", false),
    ("told", true),
    ("tells", false),
    ("tell", false),
    ("announced", true),
    ("announces", false),
    ("stated", true),
    ("added", true),
    ("claimed", true),
    ("insisted", true),
    ("insists", false),
    ("promised", true),
    ("promises", false),
    ("pledged", true),
    ("vowed", true),
    ("warned", true),
    ("warns", false),
    ("predicted", true),
    ("predicts", false),
    ("hoped", true),
    ("hopes", false),
    ("hope", false),
    ("hoping", false),
    ("expected", true),
    ("expects", false),
    ("believed", true),
    ("believes", false),
    ("thought", true),
    ("thinks", false),
    ("think", false),
    ("felt", true),
    ("feels", false),
    ("feared", true),
    ("fears", false),
    ("knew", true),
    ("knows", false),
    ("decided", true),
    ("agreed", true),
    ("confirmed", true),
    ("indicated", true),
    ("revealed", true),
    ("suggested", true),
    ("argued", true),
    ("argues", false),
    ("noted", true),
    ("explained", true),
    ("estimated", true),
    ("reported", true),
    ("assured", true),
    ("declared", true),
    ("admitted", true),
    ("denied", true),
    ("wrote", true),
    ("writes", false),
    ("realised", true),
    ("realized", true),
    ("understood", true),
    ("guaranteed", true),
    ("threatened", true),
    ("signalled", true),
    ("signaled", true),
    ("saying", false),
    ("telling", false),
    ("announcing", false),
    ("claiming", false),
    ("promising", false),
    ("warning", false),
    ("insisting", false),
    ("predicting", false),
    ("expecting", false),
    ("arguing", false),
    ("suggesting", false),
    ("noting", false),
    ("adding", false),
    ("believing", false),
    ("fearing", false),
];

/// Negations and modals (*won't ... until*, *not until*).
const NEG_MODAL: &[&str] = &[
    "not", "n't", "never", "no", "will", "would", "'ll", "wo", "can", "cannot", "could", "should",
    "shall", "must", "may", "might",
];

const PAST_AUX: &[&str] = &["was", "were", "had", "did"];
const PRESENT_AUX: &[&str] = &["is", "are", "am", "has", "have", "does", "do", "'s", "'re"];

// Word classes, as bits, so that one table lookup per token classifies it.
const C_COND: u8 = 1;
const C_REPORT_PAST: u8 = 2;
const C_REPORT_PRESENT: u8 = 4;
const C_NEG_MODAL: u8 = 8;
const C_PAST_AUX: u8 = 16;
const C_PRESENT_AUX: u8 = 32;

/// Words that start a conditional marker, with context checked in [`SentenceContext::fill`].
const COND_WORDS: &[&str] = &[
    "if",
    "unless",
    "supposing",
    "otherwise",
    "provided",
    "providing",
    "assuming",
    "long",
    "case",
    "event",
];

/// The longest word in the lists above, in bytes (longer tokens are in no class).
const MAX_CLASS_WORD: usize = 12;

/// The class table: every word of the lists above with its class bits, and a quick filter
/// (per ASCII first byte, a bit per word length present) that rejects most tokens without
/// hashing them.
struct Classes {
    words: HashMap<&'static str, u8, FxBuildHasher>,
    lengths: [u16; 128],
}

impl Classes {
    /// Whether a token (as written) may be in the table: false for most tokens, decided from
    /// its first byte and length alone.
    #[inline]
    fn may_have(&self, raw: &str) -> bool {
        let (Some(&b), n) = (raw.as_bytes().first(), raw.len()) else {
            return false;
        };
        let b = b.to_ascii_lowercase();
        b >= 128 || (n <= MAX_CLASS_WORD && self.lengths[b as usize] & (1 << n) != 0)
    }

    /// The classes of a lowercase word (0: none).
    #[inline]
    fn get(&self, w: &str) -> u8 {
        self.words.get(w).copied().unwrap_or(0)
    }
}

/// The classes of every word in the lists above.
fn classes() -> &'static Classes {
    static T: OnceLock<Classes> = OnceLock::new();
    T.get_or_init(|| {
        let mut t: HashMap<&'static str, u8, FxBuildHasher> = HashMap::default();
        let mut add = |w: &'static str, c: u8| *t.entry(w).or_insert(0) |= c;
        for w in COND_WORDS {
            add(w, C_COND);
        }
        for &(w, past) in REPORT {
            add(
                w,
                if past {
                    C_REPORT_PAST
                } else {
                    C_REPORT_PRESENT
                },
            );
        }
        for w in NEG_MODAL {
            add(w, C_NEG_MODAL);
        }
        for w in PAST_AUX {
            add(w, C_PAST_AUX);
        }
        for w in PRESENT_AUX {
            add(w, C_PRESENT_AUX);
        }
        let mut lengths = [0u16; 128];
        for w in t.keys() {
            let b = w.as_bytes()[0];
            if b < 128 && w.len() <= MAX_CLASS_WORD {
                lengths[b as usize] |= 1 << w.len();
            }
        }
        Classes { words: t, lengths }
    })
}

/// Words whose category depends on whether their sentence is a conditional.
pub(crate) const CONDITIONAL_MODALS: &[&str] =
    &["would", "could", "will", "'ll", "should", "shall"];

/// Where a token stands relative to the candidate: before it, only after it, or neither.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum Side {
    /// At least one occurrence before the candidate.
    Before,
    /// Occurrences only after it.
    After,
    /// None in the sentence (besides the candidate itself).
    None,
}

impl Side {
    pub(crate) fn as_str(self) -> &'static str {
        match self {
            Side::Before => "B",
            Side::After => "A",
            Side::None => "0",
        }
    }

    /// Where the positions `at` are relative to `i` (`i` itself does not count).
    fn of(at: &[usize], i: usize) -> Side {
        if at.iter().any(|&j| j < i) {
            Side::Before
        } else if at.iter().any(|&j| j > i) {
            Side::After
        } else {
            Side::None
        }
    }
}

/// Words before *if* that make it a comparison (*as if*) or an indirect question (*asked
/// if*, *not sure if*) rather than a condition.
const NOT_BEFORE_IF: &[&str] = &[
    "as",
    "ask",
    "asks",
    "asked",
    "asking",
    "wonder",
    "wonders",
    "wondered",
    "wondering",
    "know",
    "knows",
    "knew",
    "see",
    "check",
    "checks",
    "checked",
    "checking",
    "decide",
    "decides",
    "decided",
    "determine",
    "sure",
    "unclear",
    "clear",
    "doubt",
    "tell",
    "unsure",
    "uncertain",
];

/// The context of one sentence (token indices into the document's token layer).
#[derive(Debug, Default)]
pub(crate) struct SentenceContext {
    /// Which sentence this is: (first token, end token, text address); see [`Self::fill`].
    key: (usize, usize, usize),
    /// Conditional markers: *if* (not *as if*), *unless*, *provided / providing that*,
    /// *as / so long as*, *in case*, *in the event*, *assuming that*, *supposing*, *otherwise*.
    cond: Vec<usize>,
    /// Reporting and cognition verbs, with whether the form is past.
    report: Vec<(usize, bool)>,
    neg_modal: Vec<usize>,
    past: Vec<usize>,
    present: Vec<usize>,
    /// A year (a four-digit number 1000..=2099): narrative about the past, often.
    year: bool,
    buf: String,
}

impl SentenceContext {
    /// Compute the context of the sentence with tokens `range` (kept when it is the sentence
    /// last computed for this `text`: one pass per sentence however many candidates it has).
    pub(crate) fn fill(&mut self, text: &str, tokens: &[Token], range: Range<usize>) {
        let range = range.start.min(tokens.len())..range.end.min(tokens.len());
        let key = (range.start, range.end, text.as_ptr() as usize ^ text.len());
        if key == self.key && key != (0, 0, 0) {
            return;
        }
        self.key = key;
        self.cond.clear();
        self.report.clear();
        self.neg_modal.clear();
        self.past.clear();
        self.present.clear();
        self.year = false;
        // The lowercase word at token `j` (empty outside the sentence or for a non-word).
        let word = |j: usize, buf: &mut String| {
            buf.clear();
            if j < range.start || j >= range.end || tokens[j].kind != TokenKind::Word {
                return;
            }
            lower_into(
                text.get(tokens[j].span.range()).unwrap_or(""),
                Apostrophes::QuotesAndModifier,
                buf,
            );
        };
        let mut prev = String::new();
        let mut next = String::new();
        let table = classes();
        for j in range.clone() {
            let t = &tokens[j];
            let raw = text.get(t.span.range()).unwrap_or("");
            match t.kind {
                TokenKind::Number => {
                    if raw.len() == 4
                        && raw.bytes().all(|b| b.is_ascii_digit())
                        && (raw.starts_with('1') || raw.starts_with("20"))
                    {
                        self.year = true;
                    }
                    continue;
                }
                TokenKind::Word => {}
                _ => continue,
            }
            // Most tokens are in no class: rule them out before lower-casing them (short ASCII
            // words are lower-cased on the stack).
            if !table.may_have(raw) {
                continue;
            }
            let mut small = [0u8; MAX_CLASS_WORD];
            let w: &str = if raw.is_ascii() {
                if raw.len() > MAX_CLASS_WORD {
                    continue;
                }
                let small = &mut small[..raw.len()];
                small.copy_from_slice(raw.as_bytes());
                small.make_ascii_lowercase();
                std::str::from_utf8(small).unwrap_or("")
            } else {
                lower_into(raw, Apostrophes::QuotesAndModifier, &mut self.buf);
                &self.buf
            };
            let class = table.get(w);
            if class == 0 {
                continue;
            }
            let cond = class & C_COND != 0 && {
                word(j.wrapping_sub(1), &mut prev);
                let p = prev.as_str();
                match w {
                    // Not *as if* (a comparison), nor *asked if* / *unclear if* (a question).
                    "if" => !NOT_BEFORE_IF.contains(&p),
                    "unless" | "supposing" | "otherwise" => true,
                    "provided" | "providing" | "assuming" => {
                        word(j + 1, &mut next);
                        next == "that"
                    }
                    "long" => {
                        word(j + 1, &mut next);
                        (p == "as" || p == "so") && next == "as"
                    }
                    "case" | "event" => {
                        p == "in" || {
                            word(j.wrapping_sub(2), &mut next);
                            p == "the" && next == "in"
                        }
                    }
                    _ => false,
                }
            };
            if cond {
                self.cond.push(j);
            }
            if class & (C_REPORT_PAST | C_REPORT_PRESENT) != 0 {
                self.report.push((j, class & C_REPORT_PAST != 0));
            }
            if class & C_NEG_MODAL != 0 {
                self.neg_modal.push(j);
            }
            if class & C_PAST_AUX != 0 {
                self.past.push(j);
            } else if class & C_PRESENT_AUX != 0 {
                self.present.push(j);
            }
        }
    }

    /// Whether the sentence is a conditional: it has a conditional marker other than the
    /// token `i` itself.
    pub(crate) fn conditional(&self, i: usize) -> bool {
        self.cond.iter().any(|&j| j != i)
    }

    /// Where the conditional markers are relative to token `i`.
    pub(crate) fn cond_side(&self, i: usize) -> Side {
        Side::of(&self.cond, i)
    }

    /// Where the reporting / cognition verbs are relative to token `i`, and whether the
    /// nearest one before it is a past form.
    pub(crate) fn report_side(&self, i: usize) -> (Side, bool) {
        let before = self.report.iter().rev().find(|(j, _)| *j < i);
        match before {
            Some(&(_, past)) => (Side::Before, past),
            None if self.report.iter().any(|(j, _)| *j > i) => (Side::After, false),
            None => (Side::None, false),
        }
    }

    /// Whether a negation or modal comes before token `i` in the sentence.
    pub(crate) fn neg_modal_before(&self, i: usize) -> bool {
        self.neg_modal.iter().any(|&j| j < i)
    }

    /// The tense of the nearest auxiliary before token `i`: `past`, `pres` or `none`.
    pub(crate) fn tense_before(&self, i: usize) -> &'static str {
        let p = self.past.iter().rev().find(|&&j| j < i);
        let q = self.present.iter().rev().find(|&&j| j < i);
        match (p, q) {
            (Some(a), Some(b)) => {
                if a > b {
                    "past"
                } else {
                    "pres"
                }
            }
            (Some(_), None) => "past",
            (None, Some(_)) => "pres",
            (None, None) => "none",
        }
    }

    /// Whether token `i` (a *would*) reads as a hypothesis in news: no conditional marker
    /// (the tagger decides those), no reporting or cognition verb anywhere in the sentence
    /// (*said the plan would* is reported speech), no past auxiliary before it and no year
    /// in the sentence (a narrative of the past: *was ... would later*).
    pub(crate) fn bare_hypothesis(&self, i: usize) -> bool {
        self.cond.is_empty()
            && self.report.is_empty()
            && !self.past.iter().any(|&j| j < i)
            && !self.year
    }

    /// Whether the sentence mentions a year.
    pub(crate) fn year(&self) -> bool {
        self.year
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_core::Document;

    fn conditional(text: &str) -> bool {
        let mut doc = Document::new("t", text);
        crate::tests::real_tokenize(&mut doc);
        let mut c = SentenceContext::default();
        c.fill(&doc.text, &doc.tokens, doc.sentences[0].tokens.clone());
        c.conditional(usize::MAX)
    }

    #[test]
    fn conditional_markers() {
        for yes in [
            "Ministers would resign if the vote were lost.",
            "If the talks fail, the union will strike.",
            "The strike will go ahead unless the offer improves.",
            "The aid would flow provided that the truce holds.",
            "They will pay as long as the bank agrees.",
            "In case of a fire, the doors would open.",
            "In the event that talks fail, prices would rise.",
            "Otherwise the deal would collapse.",
            "Even if the vote passes, the law could be challenged.",
        ] {
            assert!(conditional(yes), "{yes}");
        }
        for no in [
            "She hopes the situation would be resolved.",
            "He said the company would sell the unit.",
            "It looked as if the storm would pass.",
            "Reporters asked if the minister would resign.",
            "It is unclear if the plan would work.",
            "The data provided by the bank would help.",
            "He was assuming the role of chairman.",
            "The case would go to trial next year.",
            "They stayed long after the match.",
        ] {
            assert!(!conditional(no), "{no}");
        }
    }

    /// The context of the first sentence of `text`, and the index of the token `word`.
    fn context_at(text: &str, word: &str) -> (SentenceContext, usize) {
        let mut doc = Document::new("t", text);
        crate::tests::real_tokenize(&mut doc);
        let mut c = SentenceContext::default();
        c.fill(&doc.text, &doc.tokens, doc.sentences[0].tokens.clone());
        let i = doc
            .tokens
            .iter()
            .position(|t| t.span.slice(text) == word)
            .expect("word in text");
        (c, i)
    }

    #[test]
    fn reporting_verbs_negations_tense_and_years() {
        let (c, i) = context_at("He said the company would sell the unit.", "would");
        assert_eq!(c.report_side(i), (Side::Before, true));
        assert_eq!(c.cond_side(i), Side::None);
        let (c, i) = context_at("She hopes the talks would end.", "would");
        assert_eq!(c.report_side(i), (Side::Before, false));
        let (c, i) = context_at("He resigned, saying the board would decide.", "would");
        assert_eq!(c.report_side(i), (Side::Before, false));
        assert!(!c.bare_hypothesis(i));
        let (c, i) = context_at("The plan would cut costs, he said.", "would");
        assert!(!c.bare_hypothesis(i));
        assert_eq!(c.report_side(i), (Side::After, false));
        let (c, i) = context_at("The plan would cut costs.", "would");
        assert_eq!(c.report_side(i), (Side::None, false));
        assert!(c.bare_hypothesis(i));
        assert!(!c.neg_modal_before(i));
        assert_eq!(c.tense_before(i), "none");
        assert!(!c.year());
        let (c, i) = context_at("Ministers would resign if the vote failed.", "would");
        assert_eq!(c.cond_side(i), Side::After);
        let (c, i) = context_at("If it rains, we will stay.", "will");
        assert_eq!(c.cond_side(i), Side::Before);
        let (c, i) = context_at("Shares won't trade until the review ends.", "until");
        assert!(c.neg_modal_before(i));
        let (c, i) = context_at("It was clear in 1998 that he would win.", "would");
        assert_eq!(c.tense_before(i), "past");
        assert!(c.year());
        let (c, i) = context_at("It was late but it is clear he would win.", "would");
        assert_eq!(c.tense_before(i), "pres");
    }

    #[test]
    fn word_lists_fit_the_class_table() {
        let all = COND_WORDS
            .iter()
            .chain(REPORT.iter().map(|(w, _)| w))
            .chain(NEG_MODAL)
            .chain(PAST_AUX)
            .chain(PRESENT_AUX);
        for w in all {
            assert!(
                w.len() <= MAX_CLASS_WORD,
                "{w} is longer than MAX_CLASS_WORD"
            );
            assert_eq!(*w, w.to_lowercase(), "{w} must be lowercase");
            assert!(classes().get(w) != 0, "{w}");
        }
        // Capitals and curly apostrophes fold like the lexicon's matching.
        let (c, i) = context_at("SAID he WOULD go.", "WOULD");
        assert_eq!(c.report_side(i), (Side::Before, true));
        let (c, i) = context_at("It\u{2019}s clear he would win.", "would");
        assert_eq!(c.tense_before(i), "pres");
    }

    #[test]
    fn computed_once_per_sentence_and_refreshed_for_another() {
        let mut doc = Document::new("t", "If it rains, we stay. We go.");
        crate::tests::real_tokenize(&mut doc);
        assert_eq!(doc.sentences.len(), 2);
        let mut c = SentenceContext::default();
        c.fill(&doc.text, &doc.tokens, doc.sentences[0].tokens.clone());
        assert!(c.conditional(usize::MAX));
        // The marker itself does not make its own sentence conditional for it.
        let if_tok = doc.sentences[0].tokens.start;
        assert!(!c.conditional(if_tok));
        c.fill(&doc.text, &doc.tokens, doc.sentences[1].tokens.clone());
        assert!(!c.conditional(usize::MAX));
        c.fill(&doc.text, &doc.tokens, doc.sentences[0].tokens.clone());
        assert!(c.conditional(usize::MAX));
    }
}
