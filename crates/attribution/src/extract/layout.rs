//! Attributions that the layout of a text makes, not a reporting verb: a transcript's speaker
//! label (`PENCE: Well, look, ...`, also inside a quoted transcript, `"WALLACE: If I may`) and a
//! quotation signed after a dash (`“He represents our greatest shame.” ― Sonya Herridge`, the
//! way pull quotes and readers' comments are printed), and a paragraph introduced by a short
//! line that ends in a reporting verb and a colon (`Limbaugh added:` / the quoted paragraph), and
//! a quotation that opens a sentence followed by a speech tag (`“...,” she said`): where neither
//! backend found a cue there, the tag is unmistakable.
//! The cue perceptron sees words, and the tagger reads one sentence window, so these are found
//! by rule, over lines.

use std::ops::Range;

use caveat_core::Document;

/// One relation found by layout: token ranges of its cue, source and content.
#[derive(Debug, Clone, PartialEq)]
pub(crate) struct LayoutRelation {
    pub(crate) cue: Range<usize>,
    pub(crate) source: Range<usize>,
    pub(crate) content: Range<usize>,
}

/// Labels written like a speaker's name that head a paragraph without being anyone:
/// `UPDATE: ...`, `WATCH: ...`.
const NOT_SPEAKERS: &[&str] = &[
    "ALERT",
    "BREAKING",
    "CLICK",
    "CLARIFICATION",
    "CORRECTION",
    "DEVELOPING",
    "EDITOR",
    "EDITORS",
    "EXCLUSIVE",
    "FACT",
    "LISTEN",
    "LIVE",
    "MORE",
    "NEWS",
    "NOTE",
    "PHOTO",
    "PHOTOS",
    "READ",
    "RELATED",
    "SEE",
    "SOURCE",
    "SOURCES",
    "UPDATE",
    "UPDATED",
    "VIDEO",
    "WARNING",
    "WATCH",
];

/// Dashes that sign a quotation.
const DASHES: &[&str] = &["―", "—", "–", "--", "‒"];

/// Quotation marks, either way round (texts use `”` to open too).
fn is_quote_mark(s: &str) -> bool {
    matches!(s, "\"" | "“" | "”" | "″" | "«" | "»" | "„" | "''" | "``")
}

/// The relations the layout of `doc` makes, in text order.
pub(crate) fn layout_relations(doc: &Document) -> Vec<LayoutRelation> {
    let toks = &doc.tokens;
    let text = doc.text.as_str();
    let tok = |i: usize| toks[i].span.slice(text);
    // Lines: maximal token runs with no line break between neighbours.
    let mut lines: Vec<Range<usize>> = Vec::new();
    let mut start = 0;
    while start < toks.len() {
        let mut end = start + 1;
        while end < toks.len()
            && !text
                .get(toks[end - 1].span.end..toks[end].span.start)
                .unwrap_or("\n")
                .contains('\n')
        {
            end += 1;
        }
        lines.push(start..end);
        start = end;
    }
    let mut out = Vec::new();
    for (li, line) in lines.iter().enumerate() {
        if let Some(mut rel) = speaker_label(&tok, line.clone()) {
            // A transcript printed as one quotation opens every paragraph with a mark and
            // closes none: the turn runs on over the paragraphs that open with a mark, up to
            // the next speaker.
            if is_quote_mark(tok(line.start)) && !is_quote_mark(tok(line.end - 1)) {
                for next in &lines[li + 1..] {
                    if !is_quote_mark(tok(next.start))
                        || speaker_label(&tok, next.clone()).is_some()
                    {
                        break;
                    }
                    rel.content.end = trim_marks(&tok, next.start + 1..next.end).end;
                    if is_quote_mark(tok(next.end - 1)) {
                        break;
                    }
                }
            }
            out.push(rel);
        }
        signed_quotes(&tok, text, toks, line.clone(), &mut out);
        if let Some(next) = lines.get(li + 1) {
            out.extend(introduced_paragraph(&tok, line.clone(), next.clone()));
        }
        tagged_quotes(&tok, line.clone(), &mut out);
    }
    out
}

/// Words that show a line ending in `VERB:` is a sentence, not `SOURCE VERB:`
/// (`Here is what he said:`, `It gets better:`).
const NOT_IN_SOURCE: &[&str] = &[
    "are", "as", "how", "here", "is", "it", "that", "there", "this", "was", "were", "what", "when",
    "which", "who",
];

/// `Limbaugh added:` / `The New York Times reports:` as a line of its own, and the paragraph
/// after it: the speaker (one to six words, the first capitalised, after an opening `But` or
/// `And`), the reporting verb before the colon as the cue, the next line as the content.
fn introduced_paragraph<'a>(
    tok: &impl Fn(usize) -> &'a str,
    line: Range<usize>,
    next: Range<usize>,
) -> Option<LayoutRelation> {
    if line.len() < 3 || tok(line.end - 1) != ":" {
        return None;
    }
    let verb = line.end - 2;
    if !super::kind::is_reporting(tok(verb)) {
        return None;
    }
    let mut start = line.start;
    if matches!(tok(start), "But" | "And" | "So") {
        start += 1;
    }
    let words = verb - start;
    if words == 0
        || words > 6
        || !tok(start).chars().next().is_some_and(char::is_uppercase)
        || (start..verb).any(|k| NOT_IN_SOURCE.contains(&tok(k).to_lowercase().as_str()))
        || !(start..verb).all(|k| is_word(tok(k)) || matches!(tok(k), "'s" | "’s" | "." | "-"))
    {
        return None;
    }
    if !next.clone().any(|k| is_word(tok(k))) {
        return None;
    }
    Some(LayoutRelation {
        cue: verb..verb + 1,
        source: start..verb,
        content: next,
    })
}

/// `range` without the quotation marks at its end.
fn trim_marks<'a>(tok: &impl Fn(usize) -> &'a str, range: Range<usize>) -> Range<usize> {
    let mut end = range.end;
    while end > range.start + 1 && is_quote_mark(tok(end - 1)) {
        end -= 1;
    }
    range.start..end
}

/// `PENCE: ...` / `"MR. TRUMP: ...` at the start of `line`: the name in capitals (one to three
/// words), the colon as the cue, the rest of the line as the content.
fn speaker_label<'a>(
    tok: &impl Fn(usize) -> &'a str,
    line: Range<usize>,
) -> Option<LayoutRelation> {
    let mut i = line.start;
    while i < line.end && is_quote_mark(tok(i)) {
        i += 1;
    }
    let name_start = i;
    while i < line.end && i - name_start < 4 && is_capitals_word(tok(i)) {
        i += 1;
    }
    let words = i - name_start;
    if words == 0 || words > 3 || i >= line.end || tok(i) != ":" {
        return None;
    }
    // `UPDATE:`, `BREAKING NEWS:`, `EDITOR'S NOTE:` label a paragraph, not a turn.
    if (name_start..i).any(|k| {
        let w = tok(k).trim_end_matches('.');
        let w = w
            .strip_suffix("'S")
            .or_else(|| w.strip_suffix("’S"))
            .unwrap_or(w);
        NOT_SPEAKERS.contains(&w)
    }) {
        return None;
    }
    let colon = i;
    let content = trim_marks(tok, colon + 1..line.end);
    // The content must say something: a word after the colon.
    if content.is_empty() || !content.clone().any(|k| is_word(tok(k))) {
        return None;
    }
    Some(LayoutRelation {
        cue: colon..colon + 1,
        source: name_start..colon,
        content,
    })
}

/// `“...” ― Sonya Herridge` in `line`: a dash right after a closing quotation mark, then a
/// name (one to five capitalised words) that ends the line or is followed by a comma. The
/// content is the quotation, marks included, back to the nearest quotation mark on the line.
fn signed_quotes<'a>(
    tok: &impl Fn(usize) -> &'a str,
    text: &str,
    toks: &[caveat_core::Token],
    line: Range<usize>,
    out: &mut Vec<LayoutRelation>,
) {
    for d in line.start + 1..line.end {
        if !DASHES.contains(&tok(d)) || !is_quote_mark(tok(d - 1)) {
            continue;
        }
        // The dash follows the mark on the same line with nothing but spaces between.
        let gap = text
            .get(toks[d - 1].span.end..toks[d].span.start)
            .unwrap_or("x");
        if !gap.chars().all(|c| c == ' ' || c == '\u{a0}') {
            continue;
        }
        let name_start = d + 1;
        // Name words, and the periods of initials split off by the tokenizer (`Julie A.
        // Diaz`); a period that ends the line ends the name.
        let mut k = name_start;
        while k < line.end
            && k - name_start < 8
            && (is_name_word(tok(k)) || (k > name_start && tok(k) == "."))
        {
            k += 1;
        }
        while k > name_start && tok(k - 1) == "." {
            k -= 1;
        }
        let words = (name_start..k).filter(|&j| tok(j) != ".").count();
        let ends = k == line.end
            || tok(k) == ","
            || (tok(k) == "." && (k + 1 == line.end || tok(k + 1) == "."));
        if words == 0 || words > 5 || !ends {
            continue;
        }
        // The quotation: back from the closing mark to the nearest mark on the line.
        let close = d - 1;
        let Some(open) = (line.start..close).rev().find(|&j| is_quote_mark(tok(j))) else {
            continue;
        };
        if !(open + 1..close).any(|j| is_word(tok(j))) {
            continue;
        }
        out.push(LayoutRelation {
            cue: d..d + 1,
            source: name_start..k,
            content: open..close + 1,
        });
    }
}

/// Speech verbs of a tag after a quotation (`“...,” she said`).
const TAG_VERBS: &[&str] = &[
    "said",
    "says",
    "added",
    "adds",
    "asked",
    "explained",
    "wrote",
    "noted",
];

/// Pronouns that can be the whole speaker of a tag.
const TAG_PRONOUNS: &[&str] = &["he", "she", "they", "I", "we", "it"];

/// `“A. B,” she said.`, `“A?” Trump said, looking on.`, `“A,” said Rep. Elijah Cummings of
/// Maryland, the panel's ranking Democrat.`: a quotation that opens a sentence of `line` and
/// closes on `,` `.` `?` `!`, then a speech tag: a speaker (a pronoun, or one to five
/// capitalised words) before a speech verb, or the verb before the speaker (up to the end of
/// the sentence, appositive included). The content is the quotation, marks included.
fn tagged_quotes<'a>(
    tok: &impl Fn(usize) -> &'a str,
    line: Range<usize>,
    out: &mut Vec<LayoutRelation>,
) {
    let is_verb = |k: usize| TAG_VERBS.contains(&tok(k));
    for q in line.start + 2..line.end.saturating_sub(1) {
        if !is_quote_mark(tok(q)) || !matches!(tok(q - 1), "," | "." | "?" | "!") {
            continue;
        }
        // The quotation opens a sentence: at the start of the line or after one ends.
        let Some(open) = (line.start..q).rev().find(|&j| is_quote_mark(tok(j))) else {
            continue;
        };
        if !(open + 1..q - 1).any(|j| is_word(tok(j)))
            || !(open == line.start || matches!(tok(open - 1), "." | "?" | "!" | ":"))
        {
            continue;
        }
        let mut k = q + 1;
        if tok(k) == "," {
            k += 1;
        }
        if k >= line.end {
            continue;
        }
        let (cue, source) = if is_verb(k) {
            // `said NAME[, APPOSITIVE].`: the speaker runs to the end of the sentence.
            let start = k + 1;
            let mut end = start;
            // A period after a short capitalised word is an abbreviation's (`Rep.`, `Mr.`).
            let ends = |j: usize| {
                matches!(tok(j), "?" | "!")
                    || (tok(j) == "."
                        && !(j > start
                            && tok(j - 1).len() <= 3
                            && is_name_word(tok(j - 1))
                            && j + 1 < line.end))
            };
            while end < line.end && end - start < 16 && !ends(end) {
                end += 1;
            }
            if end == start || !is_name_word(tok(start)) || (end < line.end && tok(end) != ".") {
                continue;
            }
            (k..k + 1, start..end)
        } else if TAG_PRONOUNS.contains(&tok(k)) && k + 1 < line.end && is_verb(k + 1) {
            (k + 1..k + 2, k..k + 1)
        } else {
            let start = k;
            let mut v = k;
            while v < line.end && v - start < 6 && (is_name_word(tok(v)) || tok(v) == ".") {
                v += 1;
            }
            let words = (start..v).filter(|&j| tok(j) != ".").count();
            if words == 0 || words > 5 || v >= line.end || !is_verb(v) {
                continue;
            }
            (v..v + 1, start..v)
        };
        out.push(LayoutRelation {
            cue,
            source,
            content: open..q + 1,
        });
    }
}

/// A word in capitals (`PENCE`, `MR.`, `O'ROURKE`): two letters or more, no lower case.
fn is_capitals_word(s: &str) -> bool {
    s.chars().filter(|c| c.is_alphabetic()).count() >= 2
        && s.chars().any(char::is_uppercase)
        && !s.chars().any(char::is_lowercase)
        && s.chars().all(|c| c.is_alphabetic() || "'’.-".contains(c))
}

/// A capitalised word of a name (`Sonya`, `O'Brien`, `Dr.`, `J.`).
fn is_name_word(s: &str) -> bool {
    s.chars().next().is_some_and(char::is_uppercase)
        && s.chars().all(|c| c.is_alphabetic() || "'’.-".contains(c))
}

fn is_word(s: &str) -> bool {
    s.chars().any(char::is_alphanumeric)
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_core::{Span, Token, TokenKind};

    /// A document tokenised on spaces, with quotation marks, colons, commas and periods
    /// before a space split off.
    fn doc(text: &str) -> Document {
        let mut d = Document::new("t", text);
        let mut start = None;
        for (i, c) in text.char_indices().chain([(text.len(), ' ')]) {
            let period = c == '.' && text[i + 1..].chars().next().is_none_or(char::is_whitespace);
            let split = c.is_whitespace() || "\"“”:,".contains(c) || period;
            if split {
                if let Some(s) = start.take() {
                    d.tokens.push(Token {
                        span: Span::new(s, i),
                        kind: TokenKind::Word,
                    });
                }
                if !c.is_whitespace() {
                    d.tokens.push(Token {
                        span: Span::new(i, i + c.len_utf8()),
                        kind: TokenKind::Punct,
                    });
                }
            } else if start.is_none() {
                start = Some(i);
            }
        }
        d
    }

    fn texts(d: &Document, r: &LayoutRelation) -> [String; 3] {
        let s = |x: &Range<usize>| {
            Span::new(d.tokens[x.start].span.start, d.tokens[x.end - 1].span.end)
                .slice(&d.text)
                .to_string()
        };
        [s(&r.source), s(&r.cue), s(&r.content)]
    }

    #[test]
    fn speaker_labels_in_a_transcript() {
        let d = doc("Partial transcript:\n\n\"WALLACE: Let's start with the news.\n\n\"PENCE: Well, look, it is serious.\n\n\"But the truth is plain.\n\n\"WALLACE: Governor.\nUPDATE: more soon\nBREAKING NEWS: a vote\nEDITOR'S NOTE: corrected");
        let rels = layout_relations(&d);
        let got: Vec<_> = rels.iter().map(|r| texts(&d, r)).collect();
        assert_eq!(
            got,
            [
                ["WALLACE", ":", "Let's start with the news."],
                [
                    "PENCE",
                    ":",
                    "Well, look, it is serious.\n\n\"But the truth is plain."
                ],
                ["WALLACE", ":", "Governor."],
            ]
            .map(|r| r.map(String::from))
        );
    }

    #[test]
    fn paragraphs_introduced_by_a_speaker_and_a_colon() {
        let text = "He spoke on the radio.\n\nLimbaugh added:\n\nThis reeks of the old days.\n\nThe New York Times reports:\n\n\"Turnout fell.\"\n\nHere is what he said:\n\nNothing.\n\nIt gets better:\n\nMore.";
        let d = doc(text);
        let got: Vec<_> = layout_relations(&d).iter().map(|r| texts(&d, r)).collect();
        assert_eq!(
            got,
            [
                ["Limbaugh", "added", "This reeks of the old days."],
                ["The New York Times", "reports", "\"Turnout fell.\""],
            ]
            .map(|r| r.map(String::from))
        );
    }

    #[test]
    fn quotations_with_a_speech_tag() {
        let text = "Intro.\n“We are a team,” Trump said, looking out.\n“It works. It is fine,” she said.\n“They want a photo op,” said Rep. Elijah Cummings of Maryland, the ranking Democrat.\nHe called it a “disgrace,” he said.\n“Fine,” the man replied.";
        let d = doc(text);
        let got: Vec<_> = layout_relations(&d).iter().map(|r| texts(&d, r)).collect();
        assert_eq!(
            got,
            [
                ["Trump", "said", "“We are a team,”"],
                ["she", "said", "“It works. It is fine,”"],
                [
                    "Rep. Elijah Cummings of Maryland, the ranking Democrat",
                    "said",
                    "“They want a photo op,”"
                ],
            ]
            .map(|r| r.map(String::from))
        );
    }

    #[test]
    fn quotations_signed_after_a_dash() {
        let text = "Comments.\n”He represents our greatest shame.” ― Sonya Herridge\n“I am so ashamed.”― Pamela Padilla, Texas\n“Build a wall around him.” ― Julie A. Diaz.\nThe “plan” — as they call it — failed.";
        let d = doc(text);
        let got: Vec<_> = layout_relations(&d).iter().map(|r| texts(&d, r)).collect();
        assert_eq!(
            got,
            [
                ["Sonya Herridge", "―", "”He represents our greatest shame.”"],
                ["Pamela Padilla", "―", "“I am so ashamed.”"],
                ["Julie A. Diaz", "―", "“Build a wall around him.”"],
            ]
            .map(|r| r.map(String::from))
        );
    }
}
