//! The passes of training: the first pass (no stacked features); for two-pass models, the
//! jackknifed first-pass labels of the training documents, the first-pass labels of the dev
//! documents, and the second pass trained with them.

use caveat_text::rng::SplitMix;

use super::data::{build_data, build_vocab, Data, Stack};
use super::perceptron::{decode_docs, make_layer, train_pass, PassResult};
use super::{Corpus, EpochReport};
use crate::features::{DocCtx, FeatureSet, Scratch};
use crate::model::{fill_stack, Layer, Tagged};

/// The first pass: its features, vocabulary keys, indexed data and chosen weights.
pub(super) struct FirstPass {
    pub(super) feats: FeatureSet,
    pub(super) keys: Vec<u64>,
    train: Data,
    dev: Data,
    /// Every training sentence (indices into the data's sentences).
    all_train: Vec<usize>,
    pub(super) res: PassResult,
}

/// Train the first pass (the only pass of one-pass models), early-stopping on dev.
pub(super) fn first_pass(
    c: &Corpus<'_>,
    rng: &mut SplitMix,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> FirstPass {
    let f1 = FeatureSet {
        stack: false,
        ..c.feats
    };
    let (cl, loo) = (c.clusters(), c.loo());
    let (vocab1, keys1) = build_vocab(&c.train, f1, cl, &c.gaz, loo, None, c.opts.min_count);
    let tdata1 = build_data(&c.train, f1, cl, &c.gaz, loo, None, &vocab1);
    let ddata1 = build_data(&c.dev, f1, cl, &c.gaz, None, None, &vocab1);
    let all_train: Vec<usize> = (0..tdata1.sents.len()).collect();
    let name1 = if c.feats.stack { "pass1" } else { "model" };
    let res1 = train_pass(
        name1,
        &tdata1,
        &all_train,
        keys1.len(),
        c.nt,
        Some((&ddata1, &c.dev)),
        &c.labels,
        c.opts.epochs,
        c.opts.patience,
        rng,
        on_epoch,
    );
    FirstPass {
        feats: f1,
        keys: keys1,
        train: tdata1,
        dev: ddata1,
        all_train,
        res: res1,
    }
}

/// The second pass of a two-pass model.
pub(super) struct SecondPass {
    pub(super) layer: Layer,
    pub(super) best_epoch: usize,
    /// Number of jackknife folds used.
    pub(super) folds: usize,
}

/// Train the second pass on the first pass's labels (jackknifed for the training data).
pub(super) fn second_pass(
    c: &Corpus<'_>,
    p1: FirstPass,
    rng: &mut SplitMix,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> SecondPass {
    let k = c.opts.folds.clamp(2, c.train.len().max(2));
    let mut s = Scratch::default();
    let stacks = jackknife_stacks(c, &p1, k, rng, on_epoch, &mut s);
    let dstacks = dev_stacks(c, &p1, &mut s);
    let FirstPass {
        train: tdata1,
        all_train,
        ..
    } = p1;
    drop(tdata1);
    let (feats, cl, loo) = (c.feats, c.clusters(), c.loo());
    let (vocab2, keys2) = build_vocab(
        &c.train,
        feats,
        cl,
        &c.gaz,
        loo,
        Some(&stacks),
        c.opts.min_count,
    );
    let tdata2 = build_data(&c.train, feats, cl, &c.gaz, loo, Some(&stacks), &vocab2);
    let ddata2 = build_data(&c.dev, feats, cl, &c.gaz, None, Some(&dstacks), &vocab2);
    let res2 = train_pass(
        "pass2",
        &tdata2,
        &all_train,
        keys2.len(),
        c.nt,
        Some((&ddata2, &c.dev)),
        &c.labels,
        c.opts.epochs,
        c.opts.patience,
        rng,
        on_epoch,
    );
    SecondPass {
        layer: make_layer(feats, &keys2, &res2, c.nt, &c.gaz),
        best_epoch: res2.best_epoch,
        folds: k,
    }
}

/// Shuffle the `n_docs` documents into `k` folds; returns each document's fold.
fn assign_folds(n_docs: usize, k: usize, rng: &mut SplitMix) -> Vec<usize> {
    let mut doc_order: Vec<usize> = (0..n_docs).collect();
    rng.shuffle(&mut doc_order);
    let mut fold_of = vec![0usize; n_docs];
    for (i, &d) in doc_order.iter().enumerate() {
        fold_of[d] = i % k;
    }
    fold_of
}

/// First-pass labels of each training document, from a first pass trained (for the first
/// pass's best number of epochs) on the other folds.
fn jackknife_stacks(
    c: &Corpus<'_>,
    p1: &FirstPass,
    k: usize,
    rng: &mut SplitMix,
    on_epoch: &mut dyn FnMut(&EpochReport),
    s: &mut Scratch,
) -> Vec<Stack> {
    let n_docs = c.train.len();
    let fold_of = assign_folds(n_docs, k, rng);
    let tdata1 = &p1.train;
    let mut stacks: Vec<Stack> = vec![Stack::default(); n_docs];
    for fold in 0..k {
        let tr_s: Vec<usize> = (0..tdata1.sents.len())
            .filter(|&i| fold_of[tdata1.sents[i].1] != fold)
            .collect();
        let held: Vec<usize> = (0..tdata1.sents.len())
            .filter(|&i| fold_of[tdata1.sents[i].1] == fold)
            .collect();
        let res = train_pass(
            &format!("fold {}/{k}", fold + 1),
            tdata1,
            &tr_s,
            p1.keys.len(),
            c.nt,
            None,
            &c.labels,
            p1.res.best_epoch.max(1),
            c.opts.patience,
            rng,
            on_epoch,
        );
        let pred = decode_docs(tdata1, &held, &res.w, &res.tw, c.nt, n_docs);
        for (d, ents) in pred.iter().enumerate() {
            if fold_of[d] != fold {
                continue;
            }
            stacks[d] = stack_of(&c.train[d].tokens, ents, s);
        }
    }
    stacks
}

/// First-pass labels of the dev documents, from the full first-pass model.
fn dev_stacks(c: &Corpus<'_>, p1: &FirstPass, s: &mut Scratch) -> Vec<Stack> {
    let all_dev: Vec<usize> = (0..p1.dev.sents.len()).collect();
    let dpred = decode_docs(&p1.dev, &all_dev, &p1.res.w, &p1.res.tw, c.nt, c.dev.len());
    dpred
        .iter()
        .zip(&c.dev)
        .map(|(ents, doc)| stack_of(&doc.tokens, ents, s))
        .collect()
}

/// The stacked-feature evidence of a document's first-pass entities.
fn stack_of(tokens: &[String], ents: &[(usize, usize, usize)], s: &mut Scratch) -> Stack {
    let tagged: Vec<Tagged> = ents
        .iter()
        .map(|&(a, b, l)| Tagged {
            tokens: a..b,
            label: l,
            score: 1.0,
        })
        .collect();
    let mut ctx = DocCtx::default();
    fill_stack(tokens, &tagged, s, &mut ctx);
    ctx.stack
}
