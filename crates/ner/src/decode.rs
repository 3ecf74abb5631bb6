//! Viterbi decoding and forward–backward marginals over BILOU tags.

use crate::tags;

/// Transition scores with the BILOU constraints applied (`-inf` where not allowed).
#[derive(Clone, Debug)]
pub(crate) struct Transitions {
    pub(crate) nt: usize,
    /// `trans[from * nt + to]`.
    pub(crate) trans: Vec<f32>,
    pub(crate) start: Vec<f32>,
    pub(crate) end: Vec<f32>,
    /// Allowed predecessors of each tag, ascending: `preds[pred_at[t]..pred_at[t + 1]]`.
    /// BILOU allows ~6 of 17 on average, so Viterbi visits only those.
    preds: Vec<u8>,
    pred_at: Vec<usize>,
}

impl Transitions {
    /// Allowed predecessors of tag `to`, ascending.
    #[inline]
    pub(crate) fn preds(&self, to: usize) -> &[u8] {
        &self.preds[self.pred_at[to]..self.pred_at[to + 1]]
    }

    /// Apply the constraints to learned scores.
    pub(crate) fn constrained(nt: usize, trans: &[f32], start: &[f32], end: &[f32]) -> Self {
        let mut t = Transitions {
            nt,
            trans: trans.to_vec(),
            start: start.to_vec(),
            end: end.to_vec(),
            preds: Vec::new(),
            pred_at: vec![0],
        };
        for b in 0..nt {
            t.preds
                .extend((0..nt).filter(|&a| tags::allowed(a, b)).map(|a| a as u8));
            t.pred_at.push(t.preds.len());
        }
        for a in 0..nt {
            for b in 0..nt {
                if !tags::allowed(a, b) {
                    t.trans[a * nt + b] = f32::NEG_INFINITY;
                }
            }
            if !tags::allowed_start(a) {
                t.start[a] = f32::NEG_INFINITY;
            }
            if !tags::allowed_end(a) {
                t.end[a] = f32::NEG_INFINITY;
            }
        }
        t
    }
}

/// Best tag sequence for emission scores `em` (`n * nt`, row per token) into `out`.
pub(crate) fn viterbi(
    em: &[f32],
    n: usize,
    tr: &Transitions,
    delta: &mut Vec<f32>,
    back: &mut Vec<u8>,
    out: &mut Vec<u8>,
) {
    let nt = tr.nt;
    out.clear();
    if n == 0 {
        return;
    }
    delta.clear();
    delta.resize(n * nt, 0.0);
    back.clear();
    back.resize(n * nt, 0);
    for t in 0..nt {
        delta[t] = tr.start[t] + em[t];
    }
    for i in 1..n {
        let (prev, cur) = delta.split_at_mut(i * nt);
        let prev = &prev[(i - 1) * nt..];
        let cur = &mut cur[..nt];
        let e = &em[i * nt..(i + 1) * nt];
        let bk = &mut back[i * nt..(i + 1) * nt];
        for to in 0..nt {
            // Disallowed transitions are -inf and can never win: skip them. The order of
            // the allowed ones is ascending, so ties break exactly as a full scan would.
            let mut best = f32::NEG_INFINITY;
            let mut arg = 0u8;
            for &from in tr.preds(to) {
                let v = prev[from as usize] + tr.trans[from as usize * nt + to];
                if v > best {
                    best = v;
                    arg = from;
                }
            }
            cur[to] = best + e[to];
            bk[to] = arg;
        }
    }
    let last = &delta[(n - 1) * nt..n * nt];
    let mut best = f32::NEG_INFINITY;
    let mut arg = 0usize;
    for (t, (&l, &e)) in last.iter().zip(&tr.end).enumerate() {
        let v = l + e;
        if v > best {
            best = v;
            arg = t;
        }
    }
    out.resize(n, 0);
    out[n - 1] = arg as u8;
    for i in (1..n).rev() {
        arg = back[i * nt + arg] as usize;
        out[i - 1] = arg as u8;
    }
}

/// `exp(scale * score)` of the constrained transitions, for forward–backward.
#[derive(Clone, Debug)]
pub(crate) struct ExpTransitions {
    pub(crate) trans: Vec<f32>,
    pub(crate) start: Vec<f32>,
    pub(crate) end: Vec<f32>,
    pub(crate) scale: f32,
}

impl ExpTransitions {
    pub(crate) fn new(tr: &Transitions, scale: f32) -> Self {
        // Each of the three tables is shifted by its largest finite score before `exp`. Every
        // path of a sentence gets the same shifts, so the marginals do not change, but
        // `exp(scale * v)` can no longer overflow to infinity (and turn into NaN next to the
        // zeros of forbidden transitions).
        let e = |v: &[f32]| -> Vec<f32> {
            let max = v
                .iter()
                .copied()
                .filter(|x| x.is_finite())
                .fold(f32::NEG_INFINITY, f32::max);
            v.iter()
                .map(|&x| {
                    if x.is_finite() {
                        (scale * (x - max)).exp()
                    } else {
                        0.0
                    }
                })
                .collect()
        };
        ExpTransitions {
            trans: e(&tr.trans),
            start: e(&tr.start),
            end: e(&tr.end),
            scale,
        }
    }
}

/// Posterior marginals `p(tag_i = t)` of a linear-chain model whose log-potentials are
/// `scale * score`, written into `alpha` (`n * nt`); `beta` is scratch.
pub(crate) fn marginals(
    em: &[f32],
    n: usize,
    nt: usize,
    ex: &ExpTransitions,
    alpha: &mut Vec<f32>,
    beta: &mut Vec<f32>,
    emx: &mut Vec<f32>,
) {
    alpha.clear();
    alpha.resize(n * nt, 0.0);
    beta.clear();
    beta.resize(n * nt, 0.0);
    emx.clear();
    emx.resize(n * nt, 0.0);
    if n == 0 {
        return;
    }
    for i in 0..n {
        let row = &em[i * nt..(i + 1) * nt];
        let m = row.iter().copied().fold(f32::NEG_INFINITY, f32::max);
        for t in 0..nt {
            emx[i * nt + t] = (ex.scale * (row[t] - m)).exp();
        }
    }
    let norm = |v: &mut [f32]| {
        let s: f32 = v.iter().sum();
        if s > 0.0 && s.is_finite() {
            // Divide rather than multiply by 1/s: for a subnormal sum 1/s is infinite.
            v.iter_mut().for_each(|x| *x /= s);
        } else {
            let u = 1.0 / v.len() as f32;
            v.iter_mut().for_each(|x| *x = u);
        }
    };
    for t in 0..nt {
        alpha[t] = ex.start[t] * emx[t];
    }
    norm(&mut alpha[..nt]);
    for i in 1..n {
        let (prev, cur) = alpha.split_at_mut(i * nt);
        let prev = &prev[(i - 1) * nt..];
        let cur = &mut cur[..nt];
        for (from, &p) in prev.iter().enumerate() {
            if p == 0.0 {
                continue;
            }
            let row = &ex.trans[from * nt..(from + 1) * nt];
            for to in 0..nt {
                cur[to] += p * row[to];
            }
        }
        for t in 0..nt {
            cur[t] *= emx[i * nt + t];
        }
        norm(cur);
    }
    beta[(n - 1) * nt..].copy_from_slice(&ex.end);
    norm(&mut beta[(n - 1) * nt..]);
    for i in (0..n - 1).rev() {
        let (cur, next) = beta.split_at_mut((i + 1) * nt);
        let next = &next[..nt];
        let cur = &mut cur[i * nt..];
        let e = &emx[(i + 1) * nt..(i + 2) * nt];
        for (from, c) in cur.iter_mut().enumerate().take(nt) {
            let row = &ex.trans[from * nt..(from + 1) * nt];
            let mut s = 0.0;
            for to in 0..nt {
                s += row[to] * e[to] * next[to];
            }
            *c = s;
        }
        norm(cur);
    }
    for i in 0..n {
        let a = &mut alpha[i * nt..(i + 1) * nt];
        let b = &beta[i * nt..(i + 1) * nt];
        for t in 0..nt {
            a[t] *= b[t];
        }
        norm(a);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn viterbi_respects_constraints_and_marginals_sum_to_one() {
        let nt = tags::n_tags(1); // O B I L U
        let tr = Transitions::constrained(nt, &vec![0.0; nt * nt], &vec![0.0; nt], &vec![0.0; nt]);
        // Token 0 prefers B, token 1 prefers O: B O is illegal, so the best legal path wins.
        let em = vec![
            0.0, 5.0, 0.0, 0.0, 4.0, //
            3.0, 0.0, 0.0, 2.5, 0.0,
        ];
        let (mut d, mut b, mut out) = (Vec::new(), Vec::new(), Vec::new());
        viterbi(&em, 2, &tr, &mut d, &mut b, &mut out);
        // B L = 5 + 2.5 = 7.5 beats U O = 4 + 3 = 7.
        assert_eq!(out, vec![1, 3]);
        let ex = ExpTransitions::new(&tr, 1.0);
        let (mut a, mut be, mut e) = (Vec::new(), Vec::new(), Vec::new());
        marginals(&em, 2, nt, &ex, &mut a, &mut be, &mut e);
        for i in 0..2 {
            let s: f32 = a[i * nt..(i + 1) * nt].iter().sum();
            assert!((s - 1.0).abs() < 1e-5);
        }
        // Impossible tags get no mass: I at token 0 and B at the last token.
        assert_eq!(a[2], 0.0);
        assert_eq!(a[nt + 1], 0.0);
        viterbi(&em, 0, &tr, &mut d, &mut b, &mut out);
        assert!(out.is_empty());
    }

    #[test]
    fn large_scores_times_a_sharp_temperature_stay_finite() {
        // exp(5.5 * 60) overflows f32: the marginals must still be probabilities, and the
        // same as with the scores shifted down (a shift that changes no path's ranking).
        let nt = tags::n_tags(1);
        let high = vec![60.0; nt * nt];
        let low = vec![0.0; nt * nt];
        let em = vec![
            0.0, 50.0, 0.0, 0.0, 40.0, //
            30.0, 0.0, 0.0, 25.0, 0.0,
        ];
        let mut got = Vec::new();
        for trans in [&high, &low] {
            let tr = Transitions::constrained(nt, trans, &vec![70.0; nt], &vec![0.0; nt]);
            let ex = ExpTransitions::new(&tr, 5.5);
            let (mut a, mut be, mut e) = (Vec::new(), Vec::new(), Vec::new());
            marginals(&em, 2, nt, &ex, &mut a, &mut be, &mut e);
            assert!(a.iter().all(|x| x.is_finite()), "{a:?}");
            got.push(a);
        }
        for (x, y) in got[0].iter().zip(&got[1]) {
            assert!((x - y).abs() < 1e-5);
        }
    }
}
