//! Content span: the clause on the other side of a cue (after it, or before it for
//! quote-final and inverted cues).

use std::ops::Range;

use super::features::{
    is_quote, DocFeatures, SH_CLOSEQ, SH_COLON, SH_COMMA, SH_DASH, SH_FINAL, SH_QUOTE,
};
use super::source::SOURCE_WINDOW;
use super::words::{C_ACCORDING, C_THAT};

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
    let before = if according {
        before_words >= 2
    } else {
        before_words >= 2
            && (src_after
                || matches!(prev_shape, SH_CLOSEQ | SH_QUOTE)
                || (prev_shape == SH_COMMA && left_edge >= 2 && is_quote(t[left_edge - 2].shape))
                || after_words < 2)
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
        while lo < s.end
            && (matches!(t[lo].shape, SH_COMMA | SH_COLON | SH_DASH) || t[lo].class == C_THAT)
        {
            lo += 1;
        }
        let mut hi = s.end;
        if hi > lo && t[hi - 1].shape == SH_FINAL {
            hi -= 1;
        }
        lo..hi
    };
    (range.start < range.end).then_some(range)
}
