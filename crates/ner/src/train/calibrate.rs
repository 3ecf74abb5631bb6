//! After the passes: the dev scores of the run-time tagging path and the confidence
//! temperature fitted on dev (maximum likelihood of the gold tags' marginals).

use super::data::Doc;
use crate::eval::{Counts, LabeledSpan};
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

/// Score `dev` through the run-time path, fit the model's temperature on it and record the
/// scores in the model's info.
pub(super) fn calibrate(model: &mut Model, dev: &[Doc]) {
    let counts_rt = score_runtime(model, dev);
    let t = fit_temperature(model, dev);
    model.set_temperature(t);
    record_dev_scores(&mut model.info, &counts_rt);
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

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}
