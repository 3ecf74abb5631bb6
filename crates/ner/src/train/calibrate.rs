//! After the passes: the dev scores of the run-time tagging path, the confidence temperature
//! fitted on dev (maximum likelihood of the gold tags' marginals), and the isotonic map from
//! the resulting confidence to the probability that an entity is right.

use super::data::Doc;
use crate::calibration::{Calibration, Reliability};
use crate::eval::{Counts, LabeledSpan};
use crate::features::{DocCtx, Scratch};
use crate::model::{Model, ModelInfo};

/// Score prepared documents (exact spans) through the run-time tagging path.
pub(super) fn score_runtime(model: &Model, docs: &[Doc]) -> Counts {
    let labels = model.labels();
    let mut c = Counts::default();
    for doc in docs {
        let pred: Vec<LabeledSpan> = model
            .tag(&doc.tokens, &doc.sents)
            .into_iter()
            .map(|t| (t.tokens.start, t.tokens.end, labels[t.label].clone()))
            .collect();
        c.add(&doc.spans, &pred);
    }
    c
}

/// Score `dev` through the run-time path, fit the model's temperature and then its score
/// calibration on it, and record the scores in the model's info: F1s, and the expected
/// calibration error (10 bins) of the raw confidences (`ece_raw`) and of calibrated scores
/// cross-fitted over two halves of the documents (`ece_crossfit`: each half scored by the map
/// fitted on the other, an honest in-domain estimate).
pub(super) fn calibrate(model: &mut Model, dev: &[Doc]) {
    model.set_calibration(None);
    let counts_rt = score_runtime(model, dev);
    let t = fit_temperature(model, dev);
    model.set_temperature(t);
    let per_doc: Vec<Vec<(f32, bool)>> = dev.iter().map(|d| scored_entities(model, d)).collect();
    let half = |parity: usize| -> Vec<(f32, bool)> {
        per_doc
            .iter()
            .enumerate()
            .filter(|(i, _)| i % 2 == parity)
            .flat_map(|(_, v)| v.iter().copied())
            .collect()
    };
    let (even, odd) = (half(0), half(1));
    let mut cross = Vec::with_capacity(even.len() + odd.len());
    for (fit_on, score) in [(&odd, &even), (&even, &odd)] {
        if let Some(c) = Calibration::fit(fit_on) {
            cross.extend(score.iter().map(|&(s, r)| (c.apply(s), r)));
        }
    }
    let all: Vec<(f32, bool)> = per_doc.into_iter().flatten().collect();
    let raw = Reliability::new(&all, 10);
    let crossfit = Reliability::new(&cross, 10);
    model.set_calibration(Calibration::fit(&all));
    record_dev_scores(&mut model.info, &counts_rt);
    model.info.dev.insert("ece_raw".into(), round4(raw.ece));
    model
        .info
        .dev
        .insert("ece_crossfit".into(), round4(crossfit.ece));
}

/// The raw confidence of each entity the model finds in `doc`, and whether it is right
/// (span and label exactly a gold entity).
fn scored_entities(model: &Model, doc: &Doc) -> Vec<(f32, bool)> {
    let labels = model.labels();
    let (mut s, mut ctx, mut out) = (Scratch::default(), DocCtx::default(), Vec::new());
    model.tag_raw(&doc.tokens, &doc.sents, &mut s, &mut ctx, &mut out);
    out.iter()
        .map(|t| {
            let right = doc.spans.iter().any(|(a, b, l)| {
                *a == t.tokens.start && *b == t.tokens.end && *l == labels[t.label]
            });
            (t.score, right)
        })
        .collect()
}

/// The scale, of 40 on a geometric grid, under which the gold tags of `dev` are likeliest.
fn fit_temperature(model: &Model, dev: &[Doc]) -> f32 {
    let scales: Vec<f32> = (0..40).map(|i| 0.01 * 1.35f32.powi(i)).collect();
    let mut sums = vec![0.0f64; scales.len()];
    for doc in dev {
        model.gold_log_likelihood(&doc.tokens, &doc.sents, &doc.gold, &scales, &mut sums);
    }
    let best = sums
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    scales[best]
}

/// Dev precision, recall and F1 (overall and per label), in percent to two decimals.
fn record_dev_scores(info: &mut ModelInfo, counts: &Counts) {
    let o = counts.overall;
    info.dev
        .insert("precision".into(), round2(100.0 * o.precision()));
    info.dev.insert("recall".into(), round2(100.0 * o.recall()));
    info.dev.insert("f1".into(), round2(100.0 * o.f1()));
    for (l, c) in &counts.per_label {
        info.dev.insert(format!("{l}_f1"), round2(100.0 * c.f1()));
    }
}

fn round4(x: f64) -> f64 {
    (x * 10_000.0).round() / 10_000.0
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
