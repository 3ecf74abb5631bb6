//! Sentence context of a cue: where in its sentence the conditional markers (*if*,
//! *unless*, *provided that*) are. The stage uses it for the categories of modal cues:
//! *would*, *could*, *will* are `condition` only in a sentence with a conditional marker,
//! else `epistemic`.
//!
//! Computing it is one pass over the sentence's tokens, done only for sentences that have a
//! modal hedge.

use std::ops::Range;

use caveat_core::{Token, TokenKind};
use caveat_text::normalize::{lower_into, Apostrophes};

/// Words whose category depends on whether their sentence is a conditional.
pub(crate) const CONDITIONAL_MODALS: &[&str] =
    &["would", "could", "will", "'ll", "should", "shall"];

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
    buf: String,
    prev: String,
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
        self.prev.clear();
        let word = |j: usize, buf: &mut String| {
            if j < range.start || j >= range.end {
                buf.clear();
                return;
            }
            lower_into(
                text.get(tokens[j].span.range()).unwrap_or(""),
                Apostrophes::QuotesAndModifier,
                buf,
            );
        };
        let mut next = String::new();
        for j in range.clone() {
            let t = &tokens[j];
            if t.kind != TokenKind::Word {
                self.prev.clear();
                continue;
            }
            word(j, &mut self.buf);
            let w = self.buf.as_str();
            let p = self.prev.as_str();
            let cond = match w {
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
                        word(j.saturating_sub(2), &mut next);
                        p == "the" && next == "in"
                    }
                }
                _ => false,
            };
            if cond {
                self.cond.push(j);
            }
            std::mem::swap(&mut self.prev, &mut self.buf);
        }
    }

    /// Whether the sentence is a conditional: it has a conditional marker other than the
    /// token `i` itself.
    pub(crate) fn conditional(&self, i: usize) -> bool {
        self.cond.iter().any(|&j| j != i)
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
