//! Content span: the clause on the other side of a cue (after it, or before it for
//! quote-final and inverted cues).

use std::ops::Range;

use super::features::{
    is_quote, DocFeatures, SH_CLOSEQ, SH_COLON, SH_COMMA, SH_DASH, SH_FINAL, SH_LOWER, SH_QUOTE,
};
use super::source::SOURCE_WINDOW;
use super::words::{C_ACCORDING, C_CONJ, C_PREP, C_PRON, C_REL, C_THAT, DAYS};

/// The content span's token range for a cue with the given source tokens.
pub(crate) fn content_range(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    head: usize,
    source: Option<&Range<usize>>,
) -> Option<Range<usize>> {
    let t = &df.toks;
    let src_after = source.is_some_and(|r| r.start >= cue.end);
    let left_edge = source.map_or(cue.start, |r| r.start.min(cue.start));
    let right_edge = match source {
        Some(r) if r.start >= cue.end => r.end,
        _ => cue.end,
    };
    let words = |r: Range<usize>| DocFeatures::between(&df.words, r.start, r.end) as usize;
    let before_words = words(s.start..left_edge);
    let after_words = words(right_edge.min(s.end)..s.end);
    let prev_shape = if left_edge > s.start {
        t[left_edge - 1].shape
    } else {
        20
    };
    let according = matches!(t[head].class, C_ACCORDING);
    // `The party was fined, an independent watchdog said this morning in a blow for May.`:
    // after an inverted reporting clause only circumstances follow (a time or a prepositional
    // phrase, no complement marker), and the claim is the clause before the source's comma.
    let after_start = right_edge.min(s.end);
    let circumstances = after_start < s.end && {
        let x = &t[after_start];
        (x.class == C_PREP
            || CIRCUMSTANCE
                .iter()
                .chain(DAYS)
                .any(|w| caveat_text::hash::fnv_word_hash(w) == x.word))
            && !(after_start..s.end.min(after_start + 15))
                .any(|k| t[k].class == C_THAT || t[k].dmark || t[k].shape == SH_COLON)
    };
    // `Demand may weaken, some analysts warned, while others ...`: what follows the inverted
    // reporting clause is a clause of its own (a conjunction or relative after a comma), so the
    // claim is the clause before the source's comma.
    let new_clause_after = after_start + 1 < s.end
        && t[after_start].shape == SH_COMMA
        && matches!(t[after_start + 1].class, C_REL | C_CONJ);
    // `the ministry has not confirmed it.`: a pronoun object alone is the content.
    let pronoun_after = after_words == 1 && after_start < s.end && t[after_start].class == C_PRON;
    // `X said Y, adding that Z`: a participle cue's content follows it.
    let participle = t[head].ing && t[head].shape == SH_LOWER && after_words >= 2;
    let before = if according {
        before_words >= 2
    } else if participle {
        false
    } else {
        before_words >= 2
            && (src_after
                || matches!(prev_shape, SH_CLOSEQ | SH_QUOTE)
                || (prev_shape == SH_COMMA && left_edge >= 2 && is_quote(t[left_edge - 2].shape))
                || (prev_shape == SH_COMMA && before_words >= 6 && circumstances)
                || (prev_shape == SH_COMMA && before_words >= 3 && new_clause_after)
                || (after_words < 2 && !pronoun_after))
    };
    let range = if before {
        let mut hi = left_edge;
        while hi > s.start && matches!(t[hi - 1].shape, SH_COMMA | SH_DASH | SH_COLON) {
            hi -= 1;
        }
        s.start..hi
    } else {
        let mut lo = right_edge;
        if according && source.is_some_and(|r| r.start >= cue.end) {
            // "According to X, <content>": skip to after the next comma.
            if let Some(k) = (lo..s.end.min(lo + SOURCE_WINDOW)).find(|&k| t[k].shape == SH_COMMA) {
                lo = k + 1;
            }
        }
        // `told reporters in Mexico City Thursday that X`, `said in an interview published by
        // Izvestia that X`: an object or circumstances before a `that` are not the claim.
        if lo < s.end && t[lo].class != C_THAT {
            let tell = TELL
                .iter()
                .any(|w| caveat_text::hash::fnv_word_hash(w) == t[head].word);
            let lead = t[lo].class == C_PREP
                || tell
                || CIRCUMSTANCE
                    .iter()
                    .chain(DAYS)
                    .any(|w| caveat_text::hash::fnv_word_hash(w) == t[lo].word);
            if lead {
                if let Some(k) = (lo + 1..s.end.min(lo + THAT_WINDOW))
                    .take_while(|&k| {
                        // The hearer may have an appositive (`told supporters in Iraq's
                        // capital, Baghdad, that`).
                        !matches!(t[k].shape, SH_COLON | SH_FINAL)
                            && (tell || t[k].shape != SH_COMMA)
                            && !is_quote(t[k].shape)
                            && t[k].class != C_REL
                    })
                    .find(|&k| t[k].class == C_THAT)
                {
                    lo = k;
                }
            }
        }
        while lo < s.end
            && (matches!(t[lo].shape, SH_COMMA | SH_COLON | SH_DASH) || t[lo].class == C_THAT)
        {
            lo += 1;
        }
        let mut hi = s.end;
        if hi > lo && t[hi - 1].shape == SH_FINAL {
            hi -= 1;
        }
        // A clause after a comma that cannot continue the reported one ends it: `denounced
        // the annexation, which RT pointed to`, `said X, while Y`.
        if let Some(k) = (lo + 1..hi.saturating_sub(1)).find(|&k| {
            t[k].shape == SH_COMMA
                && !t[k].dq
                && (matches!(t[k + 1].class, C_REL | C_CONJ)
                    || (t[k + 1].ing && t[k + 1].shape == SH_LOWER))
        }) {
            hi = k;
        }
        lo..hi
    };
    (range.start < range.end).then_some(range)
}

/// Reporting verbs whose object (the hearer) comes before the `that` of the claim.
const TELL: &[&str] = &[
    "told",
    "tell",
    "tells",
    "telling",
    "assured",
    "assures",
    "informed",
    "informs",
    "reminded",
    "reminds",
    "warned",
    "warns",
    "promised",
    "promises",
    "convinced",
    "persuaded",
];

/// Most tokens between a cue and the `that` of its claim, for [`TELL`] verbs and
/// circumstances (`told reporters in Mexico City Thursday that`).
const THAT_WINDOW: usize = 12;

/// Words that start a time phrase after a reporting verb (`said this morning`), with the
/// [`DAYS`] (`said Monday`).
const CIRCUMSTANCE: &[&str] = &["this", "last", "earlier", "later"];

/// Most tokens a content may gain from the sentences around its own.
const QUOTE_MAX: usize = 400;

/// Extend a content over the sentences of its quotation, as a reader (and PolNeAR) takes it:
/// * a quotation still open where the content ends runs on to its closing mark (`X said:
///   "First. Second. Third."`), and one opened in an earlier sentence starts at its opening
///   mark (`"First. Second," X said.`);
/// * `"First," X said. "Second."`: the quotation right after the cue's sentence belongs to
///   the same content (its source interrupts it);
/// * a cue ending its sentence with a colon and no content (`X added:`) takes the next
///   sentence, or the quotation it opens.
///
/// A paragraph break ends a quotation, so contents never cross paragraphs. `next` is the
/// token range of the following sentence, `same_paragraph` whether it is in the same
/// paragraph as the cue.
pub(crate) fn extend_content(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    source: Option<&Range<usize>>,
    content: Option<Range<usize>>,
    next: Option<(&Range<usize>, bool)>,
) -> Option<Range<usize>> {
    let t = &df.toks;
    let n = t.len();
    // The end of the quotation open after token `k` (one past its closing mark).
    let close_after = |k: usize| {
        let mut e = k + 1;
        while e < n && e - k < QUOTE_MAX && t[e].open {
            e += 1;
        }
        if e < n && t[e].dmark {
            e += 1;
        }
        e
    };
    let opens = |k: usize| t[k].dmark && t[k].open;
    let Some(mut c) = content else {
        let colon = cue.end < s.end && t[cue.end].shape == SH_COLON
            || (cue.end == s.end && t[s.end - 1].shape == SH_COLON);
        let tail_words = DocFeatures::between(&df.words, cue.end.min(s.end), s.end);
        return match next {
            Some((r, true)) if colon && tail_words == 0 && !r.is_empty() => Some(
                r.start..if opens(r.start) {
                    close_after(r.start)
                } else {
                    r.end
                },
            ),
            _ => None,
        };
    };
    if c.end > c.start && t[c.end - 1].open {
        c.end = close_after(c.end - 1).max(c.end);
    }
    if t[c.start].dq && !opens(c.start) {
        let mut k = c.start;
        while k > 0 && c.start - k < QUOTE_MAX && t[k - 1].open {
            k -= 1;
        }
        if opens(k) {
            c.start = k;
        }
    }
    let right_edge = match source {
        Some(r) if r.start >= cue.end => r.end,
        _ => cue.end,
    };
    let left_edge = source.map_or(cue.start, |r| r.start.min(cue.start));
    if c.start >= right_edge && opens(c.start) {
        // `"First," X said, "second."`: the quotation began before its source.
        let mut k = left_edge;
        while k > s.start && t[k - 1].shape == SH_COMMA {
            k -= 1;
        }
        if k > s.start && t[k - 1].dmark && !t[k - 1].open && t[k - 1].dq {
            let mut j = k - 1;
            while j > s.start && t[j - 1].dq && left_edge - j < QUOTE_MAX {
                j -= 1;
            }
            if opens(j) {
                c.start = j;
            }
        }
    }
    if c.end <= cue.start && right_edge <= s.end {
        // `"First," X said, "second."`: the quotation goes on in the same sentence.
        let mut k = right_edge;
        while k < s.end && t[k].shape == SH_COMMA {
            k += 1;
        }
        if k < s.end && opens(k) {
            c.end = close_after(k);
        } else if let Some((r, true)) = next {
            let tail = right_edge..s.end;
            let tail_words = DocFeatures::between(&df.words, tail.start, tail.end);
            if tail_words <= 20
                && !tail.clone().any(|k| t[k].dmark)
                && !r.is_empty()
                && opens(r.start)
                // A quotation with a tag of its own is another claim (`Minsk confirms ..., a
                // spokesman said. "The ministry ...," he said.`).
                && DocFeatures::between(&df.words, close_after(r.start).min(r.end), r.end) == 0
            {
                c.end = close_after(r.start);
            }
        }
    }
    Some(c)
}
