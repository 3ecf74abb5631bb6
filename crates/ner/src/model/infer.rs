//! Inference: tagging a document (Viterbi spans with marginal confidences), IOB marginals
//! for combining taggers, the first pass of two-pass models, and the gold-tag likelihood
//! used to fit the temperature.

use std::ops::Range;

use caveat_text::hash::HashedMap;

use super::layer::Layer;
use super::Model;
#[cfg(feature = "train")]
use crate::decode::ExpTransitions;
use crate::decode::{marginals, viterbi};
use crate::features::{build_doc_ctx, doc_info, sentence_info, sentence_keys, DocCtx, Scratch};
use crate::tags;

/// A found entity: token range (indices into the document's tokens), label index, confidence.
#[derive(Clone, Debug, PartialEq)]
pub struct Tagged {
    /// Token indices of the entity.
    pub tokens: Range<usize>,
    /// Index into [`Model::labels`].
    pub label: usize,
    /// Confidence in `[0, 1]`: the smallest posterior marginal of the entity's tags, mapped
    /// through the model's calibration when it has one.
    pub score: f32,
}

impl Model {
    /// Tag a document given its tokens and sentences (token ranges). Tokens outside every
    /// sentence are not tagged. Entities come back in token order.
    pub fn tag<S: AsRef<str>>(&self, tokens: &[S], sentences: &[Range<usize>]) -> Vec<Tagged> {
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let mut out = Vec::new();
        self.tag_with(tokens, sentences, &mut s, &mut ctx, &mut out);
        out
    }

    pub(crate) fn tag_with<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        s: &mut Scratch,
        ctx: &mut DocCtx,
        out: &mut Vec<Tagged>,
    ) {
        self.tag_raw(tokens, sentences, s, ctx, out);
        if let Some(c) = &self.calibration {
            for t in out.iter_mut() {
                t.score = c.apply(t.score);
            }
        }
    }

    /// [`Model::tag_with`] with raw confidences (no calibration).
    pub(crate) fn tag_raw<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        s: &mut Scratch,
        ctx: &mut DocCtx,
        out: &mut Vec<Tagged>,
    ) {
        out.clear();
        let sentences = self.prepare_doc(tokens, sentences, s, ctx);
        for r in &sentences {
            self.run_layer(&self.layer, r.clone(), ctx, s, true, out);
        }
    }

    /// Posterior probability of each token's IOB2 label, for combining this tagger with
    /// another: column 0 is `O`, then `B-` and `I-` of each of [`Model::labels`] in order
    /// (BILOU marginals with U folded into B and L into I). Rows of tokens outside every
    /// sentence are zero. Returns `tokens.len() * (1 + 2 * labels)` values.
    pub fn iob_marginals<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
    ) -> Vec<f32> {
        let nt = self.n_tags();
        let width = 1 + 2 * self.labels.len();
        let mut out = vec![0.0; tokens.len() * width];
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let sentences = self.prepare_doc(tokens, sentences, &mut s, &mut ctx);
        let layer = &self.layer;
        for r in &sentences {
            let n = r.len();
            if n == 0 {
                continue;
            }
            self.emissions_of(layer, r.clone(), &ctx, &mut s);
            self.marginals_into_alpha(n, &mut s);
            for i in 0..n {
                let row = &mut out[(r.start + i) * width..(r.start + i + 1) * width];
                for (t, &p) in s.alpha[i * nt..(i + 1) * nt].iter().enumerate() {
                    let col = match tags::split(t) {
                        (tags::Pos::O, _) => 0,
                        (tags::Pos::B | tags::Pos::U, l) => 1 + 2 * l,
                        (tags::Pos::I | tags::Pos::L, l) => 2 + 2 * l,
                    };
                    row[col] += p;
                }
            }
        }
        out
    }

    /// Word values and document context of a document, and the first pass when the model
    /// has one; returns the usable sentences.
    fn prepare_doc<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        s: &mut Scratch,
        ctx: &mut DocCtx,
    ) -> Vec<Range<usize>> {
        let clusters = self.clusters.as_ref().map(|c| &c.table);
        let sentences = sanitize(sentences, tokens.len());
        doc_info(tokens, clusters, s);
        build_doc_ctx(&sentences, self.layer.feats, s, ctx);
        if let Some(p1) = &self.pass1 {
            let mut first = std::mem::take(&mut s.first);
            first.clear();
            for r in &sentences {
                self.run_layer(p1, r.clone(), ctx, s, false, &mut first);
            }
            fill_stack(tokens, &first, s, ctx);
            s.first = first;
        }
        sentences
    }

    /// Emission scores of sentence `r` under `layer`, into `s.em`.
    fn emissions_of(&self, layer: &Layer, r: Range<usize>, ctx: &DocCtx, s: &mut Scratch) {
        let caps = sentence_info(r, layer.feats, &layer.gaz, ctx, s);
        s.keys.clear();
        s.offsets.clear();
        sentence_keys(layer.feats, caps, s);
        layer.emissions(self.n_tags(), s);
    }

    /// Posterior tag marginals of the `n` tokens whose emissions are in `s.em`, into
    /// `s.alpha` (`s.delta` lends its buffer as scratch).
    fn marginals_into_alpha(&self, n: usize, s: &mut Scratch) {
        let mut emx = std::mem::take(&mut s.delta);
        marginals(
            &s.em,
            n,
            self.n_tags(),
            &self.exp_trans,
            &mut s.alpha,
            &mut s.beta,
            &mut emx,
        );
        s.delta = emx;
    }

    /// Tag one sentence with `layer`, appending its entities (document token indices).
    fn run_layer(
        &self,
        layer: &Layer,
        r: Range<usize>,
        ctx: &DocCtx,
        s: &mut Scratch,
        with_scores: bool,
        out: &mut Vec<Tagged>,
    ) {
        let nt = self.n_tags();
        let n = r.len();
        if n == 0 {
            return;
        }
        self.emissions_of(layer, r.clone(), ctx, s);
        viterbi(
            &s.em,
            n,
            &layer.trans,
            &mut s.delta,
            &mut s.back,
            &mut s.tags,
        );
        let mut spans = std::mem::take(&mut s.spans);
        tags::decode(&s.tags, &mut spans);
        if !spans.is_empty() && with_scores {
            self.marginals_into_alpha(n, s);
        }
        for &(a, b, l) in &spans {
            let score = if with_scores {
                (a..b)
                    .map(|i| s.alpha[i * nt + s.tags[i] as usize])
                    .fold(1.0f32, f32::min)
                    .clamp(0.0, 1.0)
            } else {
                1.0
            };
            out.push(Tagged {
                tokens: r.start + a..r.start + b,
                label: l,
                score,
            });
        }
        s.spans = spans;
    }

    /// Per-token gold-tag log-likelihood on sentences (for fitting the temperature).
    #[cfg(feature = "train")]
    pub(crate) fn gold_log_likelihood<S: AsRef<str>>(
        &self,
        tokens: &[S],
        sentences: &[Range<usize>],
        gold_tags: &[u8],
        scales: &[f32],
        sums: &mut [f64],
    ) {
        let nt = self.n_tags();
        let mut s = Scratch::default();
        let mut ctx = DocCtx::default();
        let sentences = self.prepare_doc(tokens, sentences, &mut s, &mut ctx);
        let exps: Vec<ExpTransitions> = scales
            .iter()
            .map(|&sc| ExpTransitions::new(&self.layer.trans, sc))
            .collect();
        for r in &sentences {
            let n = r.len();
            if n == 0 {
                continue;
            }
            self.emissions_of(&self.layer, r.clone(), &ctx, &mut s);
            for (k, ex) in exps.iter().enumerate() {
                let mut emx = Vec::new();
                marginals(&s.em, n, nt, ex, &mut s.alpha, &mut s.beta, &mut emx);
                for i in 0..n {
                    let p = s.alpha[i * nt + gold_tags[r.start + i] as usize];
                    sums[k] += (p.max(1e-6) as f64).ln();
                }
            }
        }
    }
}

/// Sentence ranges clipped to the token count, empty ones dropped.
fn sanitize(sentences: &[Range<usize>], n: usize) -> Vec<Range<usize>> {
    sentences
        .iter()
        .map(|r| r.start.min(n)..r.end.min(n))
        .filter(|r| r.start < r.end)
        .collect()
}

/// Record first-pass labels per lower-cased word of every entity.
pub(crate) fn fill_stack<S: AsRef<str>>(
    tokens: &[S],
    first: &[Tagged],
    s: &mut Scratch,
    ctx: &mut DocCtx,
) {
    ctx.stack.clear();
    let mut counts: HashedMap<[u16; 8]> = HashedMap::default();
    for e in first {
        let multi = e.tokens.len() > 1;
        for i in e.tokens.clone() {
            let h = crate::features::lower_hash(tokens[i].as_ref(), &mut s.lower_buf);
            let v = ctx.stack.entry(h).or_insert(0);
            *v |= 1 << e.label;
            *v |= if multi { 1 << 12 } else { 1 << 13 };
            let c = counts.entry(h).or_insert([0; 8]);
            c[e.label.min(7)] = c[e.label.min(7)].saturating_add(1);
        }
    }
    // Bits 8..12: 1 + the majority label (first-pass votes of the word's mentions).
    for (h, c) in counts {
        let (best, _) = c
            .iter()
            .enumerate()
            .fold((0, 0), |acc, (l, &n)| if n > acc.1 { (l, n) } else { acc });
        if let Some(v) = ctx.stack.get_mut(&h) {
            *v |= ((best as u16 + 1) & 0xF) << 8;
        }
    }
}
