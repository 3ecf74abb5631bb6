//! One averaged structured perceptron (caveat-text's, dense, summed in `f64`): an epoch of
//! training updates, decoding and scoring with the averaged weights, early stopping on dev
//! F1, and the model layer built from the chosen weights.

use std::ops::Range;
use std::time::Instant;

use caveat_text::perceptron::{Dense, Perceptron, Summed};
use caveat_text::rng::SplitMix;

use super::data::{Data, Doc};
use super::EpochReport;
use crate::decode::{viterbi, Transitions};
use crate::eval::{Counts, LabeledSpan};
use crate::features::{FeatureSet, Gazetteer};
use crate::model::{Layer, Table};
use crate::tags;

/// The perceptron of one pass: all its weights in one table, the emission weights first
/// (feature `f`, tag `t` at `f * nt + t`), then from `ne = nf * nt` on the transition, start
/// and end scores (`nt * nt + 2 * nt`), averaged by summed updates in `f64`.
struct Weights {
    p: Perceptron<Dense, Summed<f64>>,
    /// Number of emission weights: where the transition scores start.
    ne: usize,
}

impl Weights {
    fn new(nf: usize, nt: usize) -> Weights {
        let ne = nf * nt;
        Weights {
            p: Perceptron::new(Dense::new(ne + nt * nt + 2 * nt)),
            ne,
        }
    }

    /// Current emission weights.
    fn emissions(&self) -> &[f32] {
        &self.p.weights()[..self.ne]
    }

    /// Current transition, start and end scores.
    fn transitions(&self) -> &[f32] {
        &self.p.weights()[self.ne..]
    }

    /// Averaged weights: emission weights and transition scores.
    fn averaged(&self) -> (Vec<f32>, Vec<f32>) {
        let mut w: Vec<f32> = self.p.averages().map(|a| a as f32).collect();
        let tw = w.split_off(self.ne);
        (w, tw)
    }

    /// The perceptron update for sentence `r` of `data` predicted as `pred` (gold `gold`):
    /// reward the gold tags' features and transitions, penalize the predicted ones, by `w`.
    fn update(
        &mut self,
        data: &Data,
        r: &Range<usize>,
        gold: &[u8],
        pred: &[u8],
        nt: usize,
        w: f32,
    ) {
        let nn = nt * nt;
        let n = r.len();
        let (p, ne) = (&mut self.p, self.ne);
        for (i, t) in r.clone().enumerate() {
            let (g, q) = (gold[i] as usize, pred[i] as usize);
            if g != q {
                for &f in &data.idx[data.off[t] as usize..data.off[t + 1] as usize] {
                    let b = f as usize * nt;
                    p.add(b + g, w);
                    p.add(b + q, -w);
                }
            }
            let (gi, pi) = if i == 0 {
                (nn + g, nn + q)
            } else {
                let (gp, pp) = (gold[i - 1] as usize, pred[i - 1] as usize);
                (gp * nt + g, pp * nt + q)
            };
            if gi != pi {
                p.add(ne + gi, w);
                p.add(ne + pi, -w);
            }
        }
        let (ge, pe) = (
            nn + nt + gold[n - 1] as usize,
            nn + nt + pred[n - 1] as usize,
        );
        if ge != pe {
            p.add(ne + ge, w);
            p.add(ne + pe, -w);
        }
    }
}

fn transitions(nt: usize, tw: &[f32]) -> Transitions {
    Transitions::constrained(
        nt,
        &tw[..nt * nt],
        &tw[nt * nt..nt * nt + nt],
        &tw[nt * nt + nt..],
    )
}

fn emissions(data: &Data, r: &Range<usize>, w: &[f32], nt: usize, em: &mut Vec<f32>) {
    em.clear();
    em.resize(r.len() * nt, 0.0);
    for (i, t) in r.clone().enumerate() {
        let row = &mut em[i * nt..(i + 1) * nt];
        for &f in &data.idx[data.off[t] as usize..data.off[t + 1] as usize] {
            let ws = &w[f as usize * nt..(f as usize + 1) * nt];
            for (a, b) in row.iter_mut().zip(ws) {
                *a += b;
            }
        }
    }
}

/// Decode the given sentences; returns entities per document (document token offsets).
pub(super) fn decode_docs(
    data: &Data,
    sents: &[usize],
    w: &[f32],
    tw: &[f32],
    nt: usize,
    n_docs: usize,
) -> Vec<Vec<(usize, usize, usize)>> {
    let tr = transitions(nt, tw);
    let mut out = vec![Vec::new(); n_docs];
    let (mut em, mut delta, mut back, mut tg, mut spans) =
        (Vec::new(), Vec::new(), Vec::new(), Vec::new(), Vec::new());
    for &si in sents {
        let (r, d) = &data.sents[si];
        emissions(data, r, w, nt, &mut em);
        viterbi(&em, r.len(), &tr, &mut delta, &mut back, &mut tg);
        tags::decode(&tg, &mut spans);
        let base = r.start - data.doc_start[*d];
        for &(a, b, l) in &spans {
            out[*d].push((base + a, base + b, l));
        }
    }
    out
}

fn score_docs(docs: &[Doc], pred: &[Vec<(usize, usize, usize)>], labels: &[String]) -> Counts {
    let mut c = Counts::default();
    for (doc, p) in docs.iter().zip(pred) {
        let p: Vec<LabeledSpan> = p
            .iter()
            .map(|&(a, b, l)| (a, b, labels[l].clone()))
            .collect();
        c.add(&doc.spans, &p);
    }
    c
}

/// The weights a pass settled on.
pub(super) struct PassResult {
    pub(super) w: Vec<f32>,
    pub(super) tw: Vec<f32>,
    pub(super) best_epoch: usize,
    pub(super) dev: Counts,
}

/// Decoding buffers reused across sentences.
#[derive(Default)]
struct Buffers {
    em: Vec<f32>,
    delta: Vec<f32>,
    back: Vec<u8>,
    pred: Vec<u8>,
}

/// One epoch over the sentences of `train` in `order`: decode each with the current
/// weights and update on mistakes. Returns the number of mistaken sentences.
fn train_epoch(
    wt: &mut Weights,
    train: &Data,
    order: &[usize],
    nt: usize,
    buf: &mut Buffers,
) -> usize {
    let mut mistakes = 0;
    for &si in order {
        wt.p.tick();
        let (r, _) = &train.sents[si];
        let n = r.len();
        let tr = transitions(nt, wt.transitions());
        emissions(train, r, wt.emissions(), nt, &mut buf.em);
        viterbi(
            &buf.em,
            n,
            &tr,
            &mut buf.delta,
            &mut buf.back,
            &mut buf.pred,
        );
        let gold = &train.gold[r.clone()];
        if buf.pred.as_slice() != gold {
            mistakes += 1;
            wt.update(train, r, gold, &buf.pred, nt, train.weight[si]);
        }
    }
    mistakes
}

/// Early stopping: the best epoch so far and the epochs since.
#[derive(Default)]
struct Selection {
    best: Option<PassResult>,
    since_best: usize,
}

impl Selection {
    /// Score the averaged weights on dev; keep them if their F1 beats the best so far.
    /// Returns whether they did, and the dev scores.
    fn observe_dev(
        &mut self,
        wt: &Weights,
        (dd, ddocs): (&Data, &[Doc]),
        labels: &[String],
        nt: usize,
        epoch: usize,
    ) -> (bool, Counts) {
        let (w, tw) = wt.averaged();
        let all: Vec<usize> = (0..dd.sents.len()).collect();
        let pred = decode_docs(dd, &all, &w, &tw, nt, ddocs.len());
        let counts = score_docs(ddocs, &pred, labels);
        let f = counts.overall.f1();
        if self.best.as_ref().is_none_or(|b| f > b.dev.overall.f1()) {
            self.since_best = 0;
            self.best = Some(PassResult {
                w,
                tw,
                best_epoch: epoch,
                dev: counts.clone(),
            });
            (true, counts)
        } else {
            self.since_best += 1;
            (false, counts)
        }
    }

    /// Without dev data: keep the averaged weights of the last epoch.
    fn keep_last(&mut self, wt: &Weights, epoch: usize, epochs: usize) {
        if epoch == epochs {
            let (w, tw) = wt.averaged();
            self.best = Some(PassResult {
                w,
                tw,
                best_epoch: epoch,
                dev: Counts::default(),
            });
        }
    }
}

/// Train one perceptron on `train_sents`; with `dev`, stop early on dev F1 and return the
/// best epoch's averaged weights, else train exactly `epochs` epochs.
#[allow(clippy::too_many_arguments)]
pub(super) fn train_pass(
    name: &str,
    train: &Data,
    train_sents: &[usize],
    nf: usize,
    nt: usize,
    dev: Option<(&Data, &[Doc])>,
    labels: &[String],
    epochs: usize,
    patience: usize,
    rng: &mut SplitMix,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> PassResult {
    let mut wt = Weights::new(nf, nt);
    let mut order: Vec<usize> = train_sents.to_vec();
    let mut buf = Buffers::default();
    let mut sel = Selection::default();
    for epoch in 1..=epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let mistakes = train_epoch(&mut wt, train, &order, nt, &mut buf);
        let mut report = EpochReport {
            pass: name.to_string(),
            epoch,
            mistakes,
            sentences: order.len(),
            dev: Counts::default(),
            best: false,
            seconds: 0.0,
        };
        match dev {
            Some(dev) => (report.best, report.dev) = sel.observe_dev(&wt, dev, labels, nt, epoch),
            None => sel.keep_last(&wt, epoch, epochs),
        }
        report.seconds = t0.elapsed().as_secs_f64();
        on_epoch(&report);
        if dev.is_some() && sel.since_best >= patience {
            break;
        }
    }
    sel.best.unwrap_or_else(|| {
        let (w, tw) = wt.averaged();
        PassResult {
            w,
            tw,
            best_epoch: 0,
            dev: Counts::default(),
        }
    })
}

/// The model layer of a pass's weights (feature `i` has key `keys[i]`).
pub(super) fn make_layer(
    feats: FeatureSet,
    keys: &[u64],
    res: &PassResult,
    nt: usize,
    gaz: &Gazetteer,
) -> Layer {
    let table = Table::build(
        nt,
        keys.iter()
            .enumerate()
            .map(|(i, &k)| (k, &res.w[i * nt..(i + 1) * nt])),
    );
    let nn = nt * nt;
    Layer::new(
        feats,
        table,
        nt,
        res.tw[..nn].to_vec(),
        res.tw[nn..nn + nt].to_vec(),
        res.tw[nn + nt..].to_vec(),
        gaz.clone(),
    )
}
