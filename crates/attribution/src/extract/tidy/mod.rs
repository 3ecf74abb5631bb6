//! Clean-ups of assembled relations that both backends share (the perceptron path and the
//! tagger path): a second cue coordinated with a first (`X said A but clarified B`, `said A and
//! added that B`) ends the first one's content and takes its source; a source never ends in an
//! auxiliary or a comma (`[The United Nations has] backed`) and is never a number nor a lone
//! article or adverb (`[the] claim`, `[really] believe`), a content
//! never ends in a dangling conjunction, article or comma (`«... a 'military operation,' but»`)
//! and stays in its paragraph unless it is a quotation; a tag followed by a participle
//! (`..., he said, adding that ...`) keeps the claim before it; a quotation its tag interrupts
//! (`"Q1," X said. "Q2."`) is one claim over both parts, and so is a sentence a tag set off by
//! commas interrupts (`The museum, Mr. Obama said, would ...`); a content that is one function word,
//! or a `claim` that takes its object (`claimed two lives`), is no claim.
//!
//! The passes live by theme: [`sources`], [`contents`] and [`tags`] (quotations and the tags
//! around them); [`tidy`] runs them in order.

mod contents;
mod sources;
mod tags;

use caveat_core::{Attribution, Document};

use super::features::DocFeatures;
use super::kind::is_quote;

use contents::{
    around_its_cue, before_its_cue, ends_before_the_next_claim, ends_before_the_next_speaker,
    from_cue_sentence, fronted_participle, fronted_phrase, in_fronted_clause, no_trailing_fragment,
    of_topic, one_paragraph, opens_with_closing_mark, over_relative_clause, passive_auxiliaries,
    quote_after_addressee, takes_not_says, trim_content, without_addressee, without_when,
};
use sources::{
    apposition_after_according, is_nobody, role_before_name, share_coordinated, trim_source,
    whole_source, with_apposition,
};
use tags::{
    interrupted_claim, interrupting_tag, inverted_name, one_statement, opening_question,
    outer_speaker_at_end, participle_after_tag, resumed_quote, tag_after_claim,
};

/// Words that say nothing as a whole content (`wanted «to»`, `is also encouraging «his»`);
/// a one-word content may be a name, a noun or a pronoun (`attacked «Machado»`, `scolded
/// «him»`).
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "to", "its", "his", "their", "what", "that", "of", "for", "and", "or", "but",
];

/// Whether `text` is one function word ([`FUNCTION_WORDS`]), spaces and marks aside.
pub(crate) fn is_function_word(text: &str) -> bool {
    only_word(text).is_some_and(|w| FUNCTION_WORDS.contains(&w))
}

/// The one word of `text`, spaces and marks aside (`None` for none or several).
fn only_word(text: &str) -> Option<&str> {
    let mut words = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty());
    match (words.next(), words.next()) {
        (Some(w), None) => Some(w),
        _ => None,
    }
}

/// Apply the clean-ups to `out`, the relations of `doc` in text order; returns, per relation,
/// whether it stays (a content that is one function word outside quotation marks says
/// nothing).
pub(crate) fn tidy(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) -> Vec<bool> {
    share_coordinated(doc, df, out);
    opening_question(doc, out);
    outer_speaker_at_end(doc, out);
    tag_after_claim(doc, df, out);
    inverted_name(doc, out);
    role_before_name(&doc.text, out);
    participle_after_tag(doc, out);
    fronted_phrase(doc, out);
    let mut keep = vec![true; out.len()];
    for (a, keep) in out.iter_mut().zip(&mut keep) {
        if let (Some(c), Some(cue)) = (a.content, a.cue) {
            let c = interrupted_claim(doc, a.sentence, cue, a.source, c);
            let c = fronted_participle(doc, a.sentence, cue, a.source, c).unwrap_or(c);
            let c = one_paragraph(&doc.text, cue, trim_content(&doc.text, c));
            let Some(c) = without_when(&doc.text, cue, c) else {
                // `said «on Thursday»`: no claim.
                *keep = false;
                continue;
            };
            if a.quote && !c.slice(&doc.text).starts_with(QUOTES) {
                // The quotation was another paragraph's (`«"..."\n\nX went on to discuss
                // recent polls»` → `«recent polls»`).
                a.quote = is_quote(&doc.text, c);
            }
            let c = if a.quote || c.slice(&doc.text).starts_with(QUOTES) {
                c
            } else {
                from_cue_sentence(doc, a.sentence, c)
            };
            let c = around_its_cue(&doc.text, cue, a.source, c);
            let c = if a.quote {
                c
            } else {
                before_its_cue(&doc.text, cue, a.source, c)
            };
            let c = if a.quote {
                c
            } else {
                let c = over_relative_clause(doc, a.sentence, no_trailing_fragment(doc, c));
                in_fronted_clause(doc, a.sentence, cue, c)
            };
            a.content = Some(c);
            if !a.quote && a.cites.is_none() && is_function_word(c.slice(&doc.text)) {
                *keep = false;
            }
            // A content that opens with the closing mark of an earlier quotation (`"... not
            // right'." And he highlighted ...`: the marks were paired wrongly) is no quotation
            // of this cue's.
            if opens_with_closing_mark(&doc.text, c) {
                *keep = false;
            }
            // A content of marks alone (`said «"»`) says nothing.
            if a.cites.is_none() && !c.slice(&doc.text).chars().any(char::is_alphanumeric) {
                *keep = false;
            }
            if takes_not_says(cue.slice(&doc.text), c.slice(&doc.text)) {
                *keep = false;
            }
            let (cue, c) = passive_auxiliaries(&doc.text, cue, c).unwrap_or((cue, c));
            a.cue = Some(cue);
            let c = without_addressee(doc, df, cue, c).unwrap_or(c);
            a.content = Some(c);
            if let Some(q) = quote_after_addressee(&doc.text, cue, c) {
                a.content = Some(q);
                a.quote = is_quote(&doc.text, q);
            }
            if let Some((cue, claim)) = of_topic(&doc.text, cue, c) {
                a.cue = Some(cue);
                a.content = claim;
                a.quote |= claim.is_some();
                *keep &= claim.is_some();
            }
        }
        if let Some(s) = a.source {
            let s = trim_source(doc, df, whole_source(doc, a.sentence, a.cue, a.content, s));
            let s = match a.cue {
                Some(cue) => with_apposition(&doc.text, s, cue, a.content),
                None => s,
            };
            // A number or a mark is nobody (`[19.45] see`), nor is a lone article or adverb
            // (`[the] claim`, `[really] believe`, `don"[t] know`).
            let st = s.slice(&doc.text);
            if st.chars().any(char::is_alphabetic) && !is_nobody(st) {
                a.source = Some(s);
            } else {
                a.source = None;
                a.vague = true;
            }
        }
        if let (Some(s), Some(cue), Some(c)) = (a.source, a.cue, a.content) {
            if let Some((s, c)) = apposition_after_according(&doc.text, s, cue, c) {
                a.source = Some(s);
                a.content = Some(c);
            }
        }
    }
    one_statement(&doc.text, out, &mut keep);
    resumed_quote(doc, out, &keep);
    interrupting_tag(doc, out, &keep);
    ends_before_the_next_claim(&doc.text, out, &keep);
    ends_before_the_next_speaker(&doc.text, out, &keep);
    // The passes may have moved a content's end again, to a sentence's end (`.-`).
    for a in out.iter_mut() {
        a.content = a.content.map(|c| trim_content(&doc.text, c));
    }
    keep
}

/// The closing mark that pairs with the opening quotation mark `open` (`''` pairs with `''`).
fn closing_of(open: &str) -> Option<&'static str> {
    Some(match open {
        "\"" => "\"",
        "\u{201c}" => "\u{201d}",
        "\u{00ab}" => "\u{00bb}",
        "''" => "''",
        _ => return None,
    })
}

/// The opening quotation mark `s` starts with, if any (`''` before `"`-less text counts).
fn opening_mark(s: &str) -> Option<&'static str> {
    ["''", "\"", "\u{201c}", "\u{00ab}"]
        .into_iter()
        .find(|m| s.starts_with(m))
}

/// Words that open a subordinate clause fronted before its sentence's main clause (`While
/// Clinton talked about ..., Trump ...`).
const SUBORDINATORS: &[&str] = &[
    "when", "while", "as", "after", "although", "though", "because", "if", "since", "before",
    "once", "unless", "whereas", "until",
];

/// Prepositions that open a phrase fronted before a sentence's main clause, with a nominal
/// cue in it (`Amid widespread allegations of ...,`, `Despite criticism over ...,`).
const FRONTED_PREPOSITIONS: &[&str] = &["amid", "amidst", "despite", "regardless", "following"];

/// Marks that open a quotation.
const QUOTES: [char; 7] = [
    '"', '\u{201c}', '\u{201d}', '\u{00ab}', '\u{2018}', '\'', '`',
];

/// The index of the token that starts at byte `at`, if one does.
pub(crate) fn token_at(doc: &Document, at: usize) -> Option<usize> {
    let k = doc.tokens.partition_point(|t| t.span.start < at);
    (doc.tokens.get(k)?.span.start == at).then_some(k)
}

/// The span of the first `p` in `text` (tests).
#[cfg(test)]
fn at_in(text: &str, p: &str) -> caveat_core::Span {
    let s = text.find(p).unwrap();
    caveat_core::Span::new(s, s + p.len())
}
