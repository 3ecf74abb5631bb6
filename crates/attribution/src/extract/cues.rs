//! Cue tagging: the cue perceptron's features of a candidate token, and the left-to-right
//! tagging of a sentence into runs of cue tokens (with the rule fallback).

use std::ops::Range;

use super::features::{is_strong, strength, DocFeatures, Tok};
use super::hashed::{bucket, f1, f2, NONE_WORD};
use super::resources::Resources;
use super::words::C_THAT;

/// The features of cue candidate `i` in sentence `s` (token range).
pub(crate) fn cue_features(
    df: &DocFeatures,
    s: &Range<usize>,
    i: usize,
    prev: bool,
    last: Option<usize>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let t = &df.toks;
    let at = |k: isize| -> Tok {
        let j = i as isize + k;
        if j < s.start as isize || j >= s.end as isize {
            Tok {
                word: NONE_WORD,
                suffix: NONE_WORD,
                shape: 20,
                ..Tok::default()
            }
        } else {
            t[j as usize]
        }
    };
    let (m2, m1, c, p1, p2) = (at(-2), at(-1), t[i], at(1), at(2));
    let w = c.word;
    out.push(f1(0, 0));
    out.push(f1(1, w));
    out.push(f1(2, c.prior as u64));
    out.push(f1(3, c.suffix));
    out.push(f1(4, c.shape as u64));
    out.push(f1(5, m1.word));
    out.push(f1(6, p1.word));
    out.push(f1(7, m2.word));
    out.push(f1(8, p2.word));
    out.push(f2(9, m1.shape as u64, c.shape as u64));
    out.push(f2(10, p1.shape as u64, c.prior as u64));
    out.push(f2(11, m1.shape as u64, p1.shape as u64));
    out.push(f2(12, m1.word, w));
    out.push(f2(13, w, p1.word));
    out.push(f2(14, m1.class as u64, c.prior as u64));
    out.push(f2(15, p1.class as u64, c.prior as u64));
    out.push(f2(16, w, m1.class as u64));
    out.push(f2(17, w, p1.shape as u64));
    out.push(f2(18, c.quoted as u64, c.prior as u64));
    out.push(f2(19, w, c.quoted as u64));
    out.push(f2(20, prev as u64, c.prior as u64));
    out.push(f2(21, w, prev as u64));
    out.push(f1(22, bucket(i - s.start)));
    out.push(f1(23, bucket(s.end - 1 - i)));
    let qb = DocFeatures::between(&df.quotes, s.start, i).min(3) as u64;
    let qa = DocFeatures::between(&df.quotes, i + 1, s.end).min(3) as u64;
    out.push(f2(24, qb, qa));
    out.push(f2(25, w, qb.min(1) * 2 + qa.min(1)));
    out.push(f2(26, m1.suffix, c.suffix));
    out.push(f2(27, c.suffix, p1.word));
    out.push(f2(28, m2.shape as u64, m1.shape as u64));
    out.push(f2(29, m2.class as u64, m1.class as u64));
    out.push(f2(30, w, m2.class as u64));
    out.push(f2(31, w, p2.class as u64));
    out.push(f2(32, c.suffix, c.prior as u64));
    let vb = DocFeatures::between(&df.verbs, s.start, i).min(2) as u64;
    out.push(f2(33, vb, c.prior as u64));
    out.push(f2(34, (i == s.start) as u64, c.shape as u64));
    let (m3, p3) = (at(-3), at(3));
    out.push(f1(45, m3.word));
    out.push(f1(46, p3.word));
    out.push(f2(47, p1.suffix, c.prior as u64));
    let that_soon = [p1, p2, p3].iter().any(|x| x.class == C_THAT);
    out.push(f2(48, that_soon as u64, c.prior as u64));
    out.push(f2(49, w, that_soon as u64));
    out.push(f2(
        50,
        f1(m1.shape as u64, m1.class as u64),
        f1(p1.shape as u64, p1.class as u64),
    ));
    // An earlier cue of the sentence: its content usually holds no further cue.
    let (lb, lq) = match last {
        Some(l) if !prev => (
            1 + bucket(i - l),
            DocFeatures::between(&df.quotes, l, i).min(2) as u64,
        ),
        _ => (0, 0),
    };
    out.push(f2(35, lb, lq));
    out.push(f2(36, f1(lb, lq), c.prior as u64));
    out.push(f2(37, w, lb.min(3)));
    // The nearest strong cue word after and before (same sentence).
    let sa = df.strong_after[i] as usize;
    if sa < s.end {
        let d = bucket(sa - i);
        let cm = DocFeatures::between(&df.commas, i + 1, sa).min(2) as u64;
        out.push(f2(38, d, cm));
        out.push(f2(39, f1(d, cm), c.prior as u64));
        out.push(f2(40, t[sa].word, d.min(2)));
        out.push(f2(41, w, d.min(4)));
    } else {
        out.push(f1(38, 99));
    }
    let sb = df.strong_before[i] as usize;
    if sb < i && sb >= s.start {
        let d = bucket(i - sb);
        let cm = DocFeatures::between(&df.commas, sb + 1, i).min(2) as u64;
        out.push(f2(42, d, cm));
        out.push(f2(43, f1(d, cm), c.prior as u64));
        out.push(f2(44, w, d.min(4)));
    } else {
        out.push(f1(42, 99));
    }
}

/// A cue found in a sentence: token range, head token, margin.
#[derive(Clone, Debug)]
pub(crate) struct CueRun {
    pub(crate) tokens: Range<usize>,
    pub(crate) head: usize,
    pub(crate) margin: f32,
}

/// Tag the cues of sentence `s`.
pub(crate) fn find_cues(
    df: &DocFeatures,
    res: &Resources,
    s: &Range<usize>,
    feats: &mut Vec<u64>,
    out: &mut Vec<CueRun>,
) {
    let mut prev = false;
    let mut last = None;
    for i in s.clone() {
        let t = df.toks[i];
        if t.prior == 0 {
            prev = false;
            continue;
        }
        let margin = if res.learned {
            cue_features(df, s, i, prev, last, feats);
            res.model.cue.score(feats)
        } else if is_strong(t.prior) && !t.quoted {
            1.0
        } else {
            -1.0
        };
        let pos = margin > res.min_margin;
        if pos {
            last = Some(i);
            match out.last_mut() {
                Some(run) if prev && run.tokens.end == i => {
                    run.tokens.end = i + 1;
                    if strength(t.prior) >= strength(df.toks[run.head].prior) {
                        run.head = i;
                    }
                    run.margin = run.margin.max(margin);
                }
                _ => out.push(CueRun {
                    tokens: i..i + 1,
                    head: i,
                    margin,
                }),
            }
        }
        prev = pos;
    }
}
