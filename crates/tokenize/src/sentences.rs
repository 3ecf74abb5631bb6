//! The sentence splitter: a single pass over the tokens, looking at the token before a
//! candidate boundary, the white space between, and the token after.

use caveat_core::{Sentence, Span, Token, TokenKind};
use caveat_text::links::{link_label_len, MAX_HEADLINE};
use caveat_text::quotes::straight_quote_opens;

use crate::abbrev::{self, AbbrevClass};
use crate::TokenizeConfig;

/// Split `tokens` (made by [`tokenize`](crate::tokenize) from `text`) into sentences with the
/// default options, replacing the contents of `out`.
///
/// Sentences cover the tokens in order: each holds a non-empty contiguous range of token
/// indices, the first starts at token 0 and each starts where the previous ended. A
/// sentence's span runs from its first token's start to its last token's end. Tokens that
/// were not made from `text` give meaningless sentences, but no panic.
pub fn split_sentences(text: &str, tokens: &[Token], out: &mut Vec<Sentence>) {
    split_sentences_with(text, tokens, &TokenizeConfig::default(), out);
}

/// [`split_sentences`] with the given options (`split_on_newline`, `max_sentence_tokens`).
pub fn split_sentences_with(
    text: &str,
    tokens: &[Token],
    config: &TokenizeConfig,
    out: &mut Vec<Sentence>,
) {
    out.clear();
    let n = tokens.len();
    let b = text.as_bytes();
    // Tokens that do not belong to `text` (out of range, off char boundaries, unsorted) make
    // for poor sentences but never a panic.
    let tok = |i: usize| text.get(tokens[i].span.range()).unwrap_or("");
    // Line breaks in the white space between token `i` and `i + 1` (0, 1, or 2 for a blank
    // line or more).
    let breaks = |i: usize| {
        let (end, next) = (tokens[i].span.end, tokens[i + 1].span.start);
        if next == end + 1 && b.get(end) == Some(&b' ') {
            return 0;
        }
        line_breaks(
            b.get(tokens[i].span.end..tokens[i + 1].span.start)
                .unwrap_or_default(),
        )
    };
    let attached = |i: usize| tokens[i].span.end == tokens[i + 1].span.start;
    // Which way the straight quote token `i` faces, when its sides tell.
    let opens = |i: usize| straight_quote_opens(text, tokens[i].span.start, tokens[i].span.end);
    // A wire credit line from token `k` on (`hg/jd (AFP, dpa)`, `ipj/rt-(AFP, dpa, Reuters)`):
    // the editors' initials, slash-separated, then the agencies in brackets. Pages flattened
    // to text glue it to the article's last sentence.
    let credit_line = |k: usize| {
        let initials = |j: usize| {
            j < n
                && (2..=4).contains(&tok(j).len())
                && tok(j).bytes().all(|c| c.is_ascii_lowercase())
        };
        if !initials(k) {
            return false;
        }
        let mut j = k + 1;
        while j + 1 < n && tok(j) == "/" && initials(j + 1) {
            j += 2;
        }
        if j == k + 1 {
            return false;
        }
        if j < n && matches!(tok(j), "-" | "--") {
            j += 1;
        }
        j + 1 < n && tok(j) == "(" && tok(j + 1).chars().all(char::is_alphabetic)
    };
    let min_breaks = if config.split_on_newline { 1 } else { 2 };
    let max = if config.max_sentence_tokens == 0 {
        usize::MAX
    } else {
        config.max_sentence_tokens
    };

    let push = |out: &mut Vec<Sentence>, first: usize, last: usize| {
        let (a, z) = (tokens[first].span.start, tokens[last].span.end);
        out.push(Sentence {
            span: Span::new(a, z.max(a)),
            tokens: first..last + 1,
            uncertain: false,
            uncertainty: 0.0,
        });
    };
    let mut start = 0;
    let mut i = 0;
    // Whether a straight double quote is open on the current line.
    let mut open_quote = false;
    while i < n {
        // `READ MORE: <headline>` run into the text: the label and the headline are a
        // sentence of their own (what comes before the label too: `Sanaa.- READ MORE:`).
        if matches!(b.get(tokens[i].span.start), Some(b'R' | b'A' | b'W' | b'S')) {
            if let Some(h) = link_headline_end(&tok, &breaks, &attached, i, n) {
                if i > start && h + 1 - start <= max {
                    push(out, start, i - 1);
                    start = i;
                }
                if h + 1 - start <= max {
                    push(out, start, h);
                    start = h + 1;
                    i = h + 1;
                    open_quote = false;
                    continue;
                }
            }
        }
        let mut end = i;
        let mut split = false;
        let t = &tokens[i];
        // Most tokens are words without a final period: look at their text only then.
        let ender = match t.kind {
            TokenKind::Punct => {
                let s = tok(i);
                if s == "\"" {
                    open_quote = opens(i).unwrap_or(!open_quote);
                } else if s == "''" {
                    open_quote = !open_quote;
                }
                terminator(s).map(|cjk| (None, cjk))
            }
            TokenKind::Word if t.span.len() > 1 && b.get(t.span.end - 1) == Some(&b'.') => {
                Some((Some(abbrev_class(tok(i))), false))
            }
            _ => None,
        };
        if let Some((abbrev, cjk)) = ender {
            // Absorb further terminators ("?!", ". . .") and closing quotes and brackets:
            // attached ones (`“No.” Then`, `(see above.) Next`), and detached ones that
            // cannot open anything (`No . ” Then`, a straight quote closing an open one or
            // ending the line: `" No . "` in already tokenised text).
            while end + 1 < n && breaks(end) == 0 {
                let next = tok(end + 1);
                let absorb = (abbrev.is_none() && terminator(next).is_some())
                    || (closer(next)
                        && (attached(end)
                            || match next {
                                // `''` opens and closes in newswire typed on ASCII keyboards.
                                // A straight quote whose sides tell: only a closing one.
                                "\"" if opens(end + 1).is_some() => opens(end + 1) == Some(false),
                                "\"" | "''" => open_quote || end + 2 == n || breaks(end + 1) > 0,
                                "'" => end + 2 == n || breaks(end + 1) > 0,
                                _ => true,
                            }));
                if !absorb {
                    break;
                }
                if next == "\"" {
                    open_quote = opens(end + 1).unwrap_or(!open_quote);
                } else if next == "''" {
                    open_quote = !open_quote;
                }
                end += 1;
            }
            split = if end + 1 == n || breaks(end) >= min_breaks {
                true
            } else if attached(end) && !cjk {
                // Pages flattened to text join paragraphs with a dash (`autism.- "Claims`,
                // `Feb. 11.-The musical`): the dash ends the sentence. Not after an
                // abbreviation (`U.S.-Mexico` is one token anyway, `Jan.-March`).
                let dash = end + 1;
                let paragraph_dash = abbrev.is_none()
                    && matches!(tok(dash), "-" | "--")
                    && (dash + 1 == n || opens_paragraph(tok(dash + 1)) || credit_line(dash + 1));
                if paragraph_dash {
                    end = dash;
                }
                // The same pages lost the character after a closing quote to a `?`
                // (`schools."?Before the vote`).
                let lost_space = abbrev.is_none()
                    && end >= 2
                    && tok(end) == "?"
                    && tok(end - 1) == "\""
                    && terminator(tok(end - 2)).is_some()
                    && opens_paragraph(tok(end + 1));
                paragraph_dash || lost_space
            } else {
                let next = &tokens[end + 1];
                let next_text = tok(end + 1);
                match abbrev {
                    None => starts_sentence(next, next_text) || credit_line(end + 1),
                    Some(AbbrevClass::Other) => {
                        abbrev::is_starter(next_text) || matches!(next_text, "\"" | "“")
                    }
                    Some(_) => false,
                }
            };
        } else if i + 1 < n && breaks(i) >= min_breaks {
            split = true;
        }
        if end + 1 < n && breaks(end) > 0 {
            open_quote = false;
        }
        if end + 1 - start >= max {
            end = start + max - 1;
            split = true;
        }
        if split || end + 1 == n {
            push(out, start, end);
            start = end + 1;
        }
        i = end + 1;
    }
}

/// If a link label (`READ MORE:`, `RELATED:`, `WATCH:`) starts at token `i` (on one line),
/// the index of the last token of its headline, which news pages flattened to text run into
/// the next sentence. Within [`MAX_HEADLINE`] tokens, the headline ends before a double
/// quotation mark that opens a sentence (`ban "This is`), after a closing single quote
/// followed by a capital (`'big step towards annexation' The`), at `?` or `!` (`bombed?'
/// Fethullah`), before a typical sentence starter not right after the headline's own dash or
/// colon (`... in CAR The governor`), or at the end of its line. `None` when nothing tells
/// (`... in dire need of aid Gunmen in ...`) or a full stop comes first: headlines have none.
fn link_headline_end<'a>(
    tok: &impl Fn(usize) -> &'a str,
    breaks: &impl Fn(usize) -> u32,
    attached: &impl Fn(usize) -> bool,
    i: usize,
    n: usize,
) -> Option<usize> {
    let first = i + link_label_len(tok, i, n)?;
    if (i..first).any(|k| breaks(k) > 0) {
        return None;
    }
    let capital = |k: usize| tok(k).chars().next().is_some_and(char::is_uppercase);
    let mut j = first + 1;
    while j < n && j <= first + MAX_HEADLINE {
        let (prev, t) = (tok(j - 1), tok(j));
        // A full stop ends the sentence the label runs into, not a headline (headlines have
        // none): nothing told where the headline ends.
        if prev.starts_with('.') {
            return None;
        }
        if breaks(j - 1) > 0 {
            // The headline has its line.
            return Some(j - 1);
        }
        if terminator(prev).is_some() {
            // `bombed?' Fethullah`: the closers attached to the terminator go with it.
            let mut end = j - 1;
            while end + 1 < n && attached(end) && closer(tok(end + 1)) {
                end += 1;
            }
            return Some(end);
        }
        let closing_single = matches!(prev, "'" | "’") && attached(j - 2) && !attached(j - 1);
        if (matches!(t, "\"" | "“") && j + 1 < n && capital(j + 1))
            || (closing_single && capital(j))
            || (abbrev::is_starter(t) && !matches!(prev, "-" | "–" | "—" | ":" | ","))
        {
            return Some(j - 1);
        }
        j += 1;
    }
    // The headline runs to the end of the text; or nothing tells where it ends, and the text
    // splits as if there were no label (that sentence has a full stop or is longer than a
    // headline: `caveat_text::links::is_link_headline` tells them apart so).
    (j == n && !tok(n - 1).starts_with('.')).then(|| n - 1)
}

/// Line breaks in a stretch of white space, capped at 2 (a paragraph break).
#[inline]
fn line_breaks(gap: &[u8]) -> u32 {
    if gap.len() == 1 && gap[0] == b' ' {
        return 0;
    }
    let mut count = 0;
    let mut k = 0;
    while k < gap.len() {
        match gap[k] {
            b'\n' => count += 1,
            b'\r' if gap.get(k + 1) != Some(&b'\n') => count += 1,
            0x0B | 0x0C => count += 2,
            // U+0085 NEXT LINE
            0xC2 if gap.get(k + 1) == Some(&0x85) => count += 1,
            // U+2028 LINE SEPARATOR, U+2029 PARAGRAPH SEPARATOR
            0xE2 if gap.get(k + 1) == Some(&0x80) => match gap.get(k + 2) {
                Some(0xA8) => count += 1,
                Some(0xA9) => count += 2,
                _ => {}
            },
            _ => {}
        }
        if count >= 2 {
            return 2;
        }
        k += 1;
    }
    count
}

/// If the punctuation token ends sentences, whether it is a CJK full stop (which needs no
/// following space).
#[inline]
fn terminator(t: &str) -> Option<bool> {
    match t.as_bytes().first()? {
        b'.' | b'!' | b'?' => Some(false),
        _ => match t.chars().next() {
            Some('…' | '‽' | '⁇' | '⁈' | '⁉') => Some(false),
            Some('。' | '！' | '？' | '｡') => Some(true),
            _ => None,
        },
    }
}

/// Whether the token closes a quotation or bracket.
#[inline]
fn closer(t: &str) -> bool {
    matches!(
        t,
        "\"" | "'" | "”" | "’" | "»" | "›" | ")" | "]" | "}" | "」" | "』" | "''"
    )
}

/// Whether the token opens a quotation or bracket.
#[inline]
fn opening(t: &str) -> bool {
    matches!(
        t,
        "\"" | "'" | "“" | "‘" | "«" | "‹" | "(" | "[" | "{" | "¿" | "¡" | "„" | "`" | "``" | "''"
    )
}

/// The class of a word token ending in a period (kept only by abbreviations and initials).
fn abbrev_class(t: &str) -> AbbrevClass {
    let w = &t[..t.len() - 1];
    let mut chars = w.chars();
    if let (Some(c), None) = (chars.next(), chars.next()) {
        if c.is_uppercase() {
            return AbbrevClass::Title;
        }
    }
    // Listed abbreviations, or initialisms like `U.S.`, `a.m.` (treated as `Other`).
    abbrev::lookup(w.as_bytes()).unwrap_or(AbbrevClass::Other)
}

/// Whether a token can begin a paragraph run into the previous one after a dash: a capitalised
/// word or an opening quotation mark.
fn opens_paragraph(t: &str) -> bool {
    t.starts_with(|c: char| c.is_uppercase()) || matches!(t, "\"" | "“" | "‘" | "«")
}

/// Whether a token can begin a sentence after a terminator: not a lower-case word and not
/// punctuation other than an opening quote or bracket, a dash or a bullet.
#[inline]
fn starts_sentence(t: &Token, text: &str) -> bool {
    match t.kind {
        TokenKind::Word => {
            let c = text.chars().next().unwrap_or(' ');
            !c.is_lowercase() && c != '\'' && c != '’'
        }
        // Opening quotes and brackets; dashes and bullets that start list items.
        TokenKind::Punct => {
            opening(text)
                || matches!(text.as_bytes().first(), Some(b'-' | b'*'))
                || text.starts_with(['—', '–', '•', '·'])
        }
        _ => true,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn line_break_counting() {
        assert_eq!(line_breaks(b" "), 0);
        assert_eq!(line_breaks(b" \t "), 0);
        assert_eq!(line_breaks(b"\n"), 1);
        assert_eq!(line_breaks(b"\r\n"), 1);
        assert_eq!(line_breaks(b"\r"), 1);
        assert_eq!(line_breaks(b"\r\n \r\n"), 2);
        assert_eq!(line_breaks(b"\n  \n\n\n"), 2);
        assert_eq!(line_breaks("\u{2029}".as_bytes()), 2);
        assert_eq!(line_breaks("\u{2028}".as_bytes()), 1);
        assert_eq!(line_breaks("\u{A0}\u{85}".as_bytes()), 1);
    }
}
