//! Training: an averaged structured perceptron over BILOU tags, with early stopping on dev
//! F1 and, for the two-pass model, jackknifed first-pass labels for the training data.
//!
//! Reproducible: the only randomness is a seeded shuffle of the training sentences (and of
//! the documents into jackknife folds).

use std::collections::HashMap;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;
use std::time::Instant;

use crate::conll::ConllDoc;
use crate::decode::{viterbi, Transitions};
use crate::eval::{spans_from_tags, Counts, LabeledSpan};
use crate::features::{
    build_doc_ctx, doc_info, lower_hash, sentence_info, sentence_keys, seq_key, seq_start,
    seq_step, DocCtx, FeatureSet, GazLookup, Gazetteer, Scratch, GAZ_MAX, GAZ_PREFIX,
};
use crate::hash::{hash_str, HashedMap, SplitMix};
use crate::model::{
    fill_stack, load_clusters, ClusterFile, Layer, Model, ModelInfo, Table, Tagged,
};
use crate::{tags, NerError};

/// Training options (the flags of `caveat train ner`).
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Maximum number of epochs per pass.
    pub epochs: usize,
    /// Stop a pass after this many epochs without a better dev F1.
    pub patience: usize,
    /// Seed of the sentence shuffle.
    pub seed: u64,
    /// Drop features seen fewer times than this in the training data.
    pub min_count: u32,
    /// Feature groups to use.
    pub features: FeatureSet,
    /// Word-cluster table (`word<TAB>ids...`), required when `features.clusters` is on.
    pub clusters: Option<PathBuf>,
    /// Jackknife folds for the first-pass labels of the training data (two-pass models).
    pub folds: usize,
    /// Model name for `model.toml`.
    pub name: String,
    /// Description of the training data for `model.toml`.
    pub trained_on: String,
    /// Description of the dev data for `model.toml`.
    pub tuned_on: String,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 30,
            patience: 4,
            seed: 1,
            min_count: 1,
            features: FeatureSet::default(),
            clusters: None,
            folds: 5,
            name: "ner-fast".into(),
            trained_on: String::new(),
            tuned_on: String::new(),
        }
    }
}

/// Progress of one epoch.
#[derive(Clone, Debug)]
pub struct EpochReport {
    /// Which model is being trained: `pass1`, `fold k/K`, `pass2` (or `model`).
    pub pass: String,
    /// 1-based epoch.
    pub epoch: usize,
    /// Training sentences whose predicted tags differed from the gold ones.
    pub mistakes: usize,
    /// Training sentences seen.
    pub sentences: usize,
    /// Dev scores with the averaged weights (empty when there is no dev evaluation).
    pub dev: Counts,
    /// Whether this is the best epoch so far.
    pub best: bool,
    /// Seconds the epoch took (training and evaluation).
    pub seconds: f64,
}

/// A document prepared for training: tokens, sentences, BILOU gold tags, gold spans.
struct Doc {
    tokens: Vec<String>,
    sents: Vec<Range<usize>>,
    gold: Vec<u8>,
    spans: Vec<LabeledSpan>,
}

fn prepare(docs: &[ConllDoc], labels: &[String]) -> Vec<Doc> {
    docs.iter()
        .map(|d| {
            let mut doc = Doc {
                tokens: Vec::new(),
                sents: Vec::new(),
                gold: Vec::new(),
                spans: Vec::new(),
            };
            for s in &d.sentences {
                let start = doc.tokens.len();
                let tags_s: Vec<&str> = s.iter().map(|(_, t)| t.as_str()).collect();
                let spans = spans_from_tags(&tags_s);
                let idx: Vec<(usize, usize, usize)> = spans
                    .iter()
                    .filter_map(|(a, b, l)| {
                        labels.iter().position(|x| x == l).map(|li| (*a, *b, li))
                    })
                    .collect();
                doc.gold.extend(tags::encode(s.len(), &idx));
                for (a, b, l) in spans {
                    doc.spans.push((start + a, start + b, l));
                }
                doc.tokens.extend(s.iter().map(|(w, _)| w.clone()));
                doc.sents.push(start..doc.tokens.len());
            }
            doc
        })
        .collect()
}

/// Gazetteer document frequencies: key -> (prefix flag, per-label document counts).
#[derive(Default)]
struct GazCounts {
    exact: HashedMap<(u16, [u16; 8])>,
    lower: HashedMap<(u16, [u16; 8])>,
}

/// Entity keys of one document: (exact, lower) key -> label mask.
type OwnKeys = (HashedMap<u16>, HashedMap<u16>);

fn doc_gaz_keys(doc: &Doc, labels: &[String], buf: &mut String) -> (OwnKeys, Vec<u64>, Vec<u64>) {
    let mut own: OwnKeys = Default::default();
    let (mut pre_e, mut pre_l) = (Vec::new(), Vec::new());
    for (a, b, l) in &doc.spans {
        let Some(li) = labels.iter().position(|x| x == l) else {
            continue;
        };
        if b - a > GAZ_MAX {
            continue;
        }
        let (mut he, mut hl) = (seq_start(), seq_start());
        for i in *a..*b {
            he = seq_step(he, hash_str(&doc.tokens[i]));
            hl = seq_step(hl, lower_hash(&doc.tokens[i], buf));
            if i + 1 < *b {
                pre_e.push(seq_key(he));
                pre_l.push(seq_key(hl));
            }
        }
        *own.0.entry(seq_key(he)).or_insert(0) |= 1 << li;
        *own.1.entry(seq_key(hl)).or_insert(0) |= 1 << li;
    }
    (own, pre_e, pre_l)
}

/// Leave-one-document-out view of the gazetteer for a training document.
struct Loo<'a> {
    counts: &'a GazCounts,
    own: &'a OwnKeys,
}

fn loo_mask(entry: Option<&(u16, [u16; 8])>, own: u16) -> u16 {
    match entry {
        None => 0,
        Some((pf, df)) => {
            let mut m = *pf;
            for (l, &c) in df.iter().enumerate() {
                if c > ((own >> l) & 1) {
                    m |= 1 << l;
                }
            }
            m
        }
    }
}

impl GazLookup for Loo<'_> {
    fn exact(&self, key: u64) -> u16 {
        loo_mask(
            self.counts.exact.get(&key),
            self.own.0.get(&key).copied().unwrap_or(0),
        )
    }
    fn lower(&self, key: u64) -> u16 {
        loo_mask(
            self.counts.lower.get(&key),
            self.own.1.get(&key).copied().unwrap_or(0),
        )
    }
}

/// First-pass evidence of one document: labels of the words' mentions.
type Stack = HashedMap<u16>;

/// Feature indices of a set of documents.
struct Data {
    /// Feature indices, per token `idx[off[t]..off[t+1]]` (global token numbering).
    idx: Vec<u32>,
    off: Vec<u32>,
    /// Sentences as global token ranges, and their document.
    sents: Vec<(Range<usize>, usize)>,
    /// Global index of each document's first token.
    doc_start: Vec<usize>,
    gold: Vec<u8>,
}

/// Extract feature keys of all documents (sentence by sentence).
#[allow(clippy::too_many_arguments)]
fn extract_keys(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    mut each: impl FnMut(&[u64], &[u32]),
) {
    let mut s = Scratch::default();
    let mut ctx = DocCtx::default();
    for (d, doc) in docs.iter().enumerate() {
        doc_info(&doc.tokens, clusters.map(|c| &c.table), &mut s);
        build_doc_ctx(&doc.sents, feats, &s, &mut ctx);
        if let Some(st) = stacks {
            ctx.stack = st[d].clone();
        }
        for r in &doc.sents {
            let caps = match loo {
                Some((counts, owns)) => {
                    let g = Loo {
                        counts,
                        own: &owns[d],
                    };
                    sentence_info(r.clone(), feats, &g, &ctx, &mut s)
                }
                None => sentence_info(r.clone(), feats, gaz_full, &ctx, &mut s),
            };
            s.keys.clear();
            s.offsets.clear();
            sentence_keys(feats, caps, &mut s);
            each(&s.keys, &s.offsets);
        }
    }
}

/// Map keys to indices (building the vocabulary from the training data when `vocab` is
/// being built: `grow`).
#[allow(clippy::too_many_arguments)]
fn build_data(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    vocab: &HashedMap<u32>,
) -> Data {
    let mut data = Data {
        idx: Vec::new(),
        off: vec![0],
        sents: Vec::new(),
        doc_start: Vec::new(),
        gold: Vec::new(),
    };
    let mut tok = 0usize;
    for (d, doc) in docs.iter().enumerate() {
        data.doc_start.push(tok);
        for r in &doc.sents {
            data.sents.push((tok + r.start..tok + r.end, d));
        }
        data.gold.extend_from_slice(&doc.gold);
        tok += doc.tokens.len();
    }
    extract_keys(
        docs,
        feats,
        clusters,
        gaz_full,
        loo,
        stacks,
        |keys, offs| {
            for w in offs.windows(2) {
                for &k in &keys[w[0] as usize..w[1] as usize] {
                    if let Some(&i) = vocab.get(&k) {
                        data.idx.push(i);
                    }
                }
                data.off.push(data.idx.len() as u32);
            }
        },
    );
    data
}

fn build_vocab(
    docs: &[Doc],
    feats: FeatureSet,
    clusters: Option<&ClusterFile>,
    gaz_full: &Gazetteer,
    loo: Option<(&GazCounts, &[OwnKeys])>,
    stacks: Option<&[Stack]>,
    min_count: u32,
) -> (HashedMap<u32>, Vec<u64>) {
    let mut counts: HashedMap<u32> = HashedMap::default();
    extract_keys(docs, feats, clusters, gaz_full, loo, stacks, |keys, _| {
        for &k in keys {
            *counts.entry(k).or_insert(0) += 1;
        }
    });
    let mut keys: Vec<u64> = counts
        .iter()
        .filter(|(_, &c)| c >= min_count)
        .map(|(&k, _)| k)
        .collect();
    keys.sort_unstable();
    let vocab = keys
        .iter()
        .enumerate()
        .map(|(i, &k)| (k, i as u32))
        .collect();
    (vocab, keys)
}

/// Perceptron weights with the sums for averaging.
struct Weights {
    w: Vec<f32>,
    acc: Vec<f64>,
    /// Transitions, then start, then end scores: `nt * nt + 2 * nt`.
    tw: Vec<f32>,
    tacc: Vec<f64>,
    c: f64,
}

impl Weights {
    fn new(nf: usize, nt: usize) -> Weights {
        Weights {
            w: vec![0.0; nf * nt],
            acc: vec![0.0; nf * nt],
            tw: vec![0.0; nt * nt + 2 * nt],
            tacc: vec![0.0; nt * nt + 2 * nt],
            c: 1.0,
        }
    }

    /// Averaged weights: emission weights and transition scores.
    fn averaged(&self) -> (Vec<f32>, Vec<f32>) {
        let avg = |w: &[f32], a: &[f64]| -> Vec<f32> {
            w.iter()
                .zip(a)
                .map(|(&w, &a)| (w as f64 - a / self.c) as f32)
                .collect()
        };
        (avg(&self.w, &self.acc), avg(&self.tw, &self.tacc))
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
fn decode_docs(
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

struct PassResult {
    w: Vec<f32>,
    tw: Vec<f32>,
    best_epoch: usize,
    dev: Counts,
}

/// Train one perceptron on `train_sents`; with `dev`, stop early on dev F1 and return the
/// best epoch's averaged weights, else train exactly `opts.epochs` epochs.
#[allow(clippy::too_many_arguments)]
fn train_pass(
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
    let (mut em, mut delta, mut back, mut pred) = (Vec::new(), Vec::new(), Vec::new(), Vec::new());
    let mut best: Option<PassResult> = None;
    let mut since_best = 0;
    let nn = nt * nt;
    for epoch in 1..=epochs {
        let t0 = Instant::now();
        rng.shuffle(&mut order);
        let mut mistakes = 0;
        for &si in &order {
            let (r, _) = &train.sents[si];
            let n = r.len();
            let tr = transitions(nt, &wt.tw);
            emissions(train, r, &wt.w, nt, &mut em);
            viterbi(&em, n, &tr, &mut delta, &mut back, &mut pred);
            let gold = &train.gold[r.clone()];
            if pred.as_slice() != gold {
                mistakes += 1;
                let c = wt.c;
                for (i, t) in r.clone().enumerate() {
                    let (g, p) = (gold[i] as usize, pred[i] as usize);
                    if g != p {
                        for &f in &train.idx[train.off[t] as usize..train.off[t + 1] as usize] {
                            let b = f as usize * nt;
                            wt.w[b + g] += 1.0;
                            wt.acc[b + g] += c;
                            wt.w[b + p] -= 1.0;
                            wt.acc[b + p] -= c;
                        }
                    }
                    let (gi, pi) = if i == 0 {
                        (nn + g, nn + p)
                    } else {
                        let (gp, pp) = (gold[i - 1] as usize, pred[i - 1] as usize);
                        (gp * nt + g, pp * nt + p)
                    };
                    if gi != pi {
                        wt.tw[gi] += 1.0;
                        wt.tacc[gi] += c;
                        wt.tw[pi] -= 1.0;
                        wt.tacc[pi] -= c;
                    }
                }
                let (ge, pe) = (
                    nn + nt + gold[n - 1] as usize,
                    nn + nt + pred[n - 1] as usize,
                );
                if ge != pe {
                    wt.tw[ge] += 1.0;
                    wt.tacc[ge] += c;
                    wt.tw[pe] -= 1.0;
                    wt.tacc[pe] -= c;
                }
            }
            wt.c += 1.0;
        }
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
            Some((dd, ddocs)) => {
                let (w, tw) = wt.averaged();
                let all: Vec<usize> = (0..dd.sents.len()).collect();
                let pred = decode_docs(dd, &all, &w, &tw, nt, ddocs.len());
                let counts = score_docs(ddocs, &pred, labels);
                let f = counts.overall.f1();
                if best.as_ref().is_none_or(|b| f > b.dev.overall.f1()) {
                    report.best = true;
                    since_best = 0;
                    best = Some(PassResult {
                        w,
                        tw,
                        best_epoch: epoch,
                        dev: counts.clone(),
                    });
                } else {
                    since_best += 1;
                }
                report.dev = counts;
            }
            None => {
                if epoch == epochs {
                    let (w, tw) = wt.averaged();
                    best = Some(PassResult {
                        w,
                        tw,
                        best_epoch: epoch,
                        dev: Counts::default(),
                    });
                }
            }
        }
        report.seconds = t0.elapsed().as_secs_f64();
        on_epoch(&report);
        if dev.is_some() && since_best >= patience {
            break;
        }
    }
    best.unwrap_or_else(|| {
        let (w, tw) = wt.averaged();
        PassResult {
            w,
            tw,
            best_epoch: 0,
            dev: Counts::default(),
        }
    })
}

fn make_layer(
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

/// Train a model on `train_docs`, early-stopping on `dev_docs` (which must not be empty).
pub fn train(
    train_docs: &[ConllDoc],
    dev_docs: &[ConllDoc],
    opts: &TrainOptions,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Model, NerError> {
    if train_docs.iter().all(|d| d.n_tokens() == 0) {
        return Err(NerError::Train("the training data has no sentences".into()));
    }
    if dev_docs.iter().all(|d| d.n_tokens() == 0) {
        return Err(NerError::Train(
            "the dev data has no sentences (it is needed for early stopping)".into(),
        ));
    }
    if opts.epochs == 0 {
        return Err(NerError::Train("epochs must be at least 1".into()));
    }
    // Labels, sorted.
    let mut labels: Vec<String> = Vec::new();
    for d in train_docs {
        for s in &d.sentences {
            let tg: Vec<&str> = s.iter().map(|(_, t)| t.as_str()).collect();
            for (_, _, l) in spans_from_tags(&tg) {
                if !labels.contains(&l) {
                    labels.push(l);
                }
            }
        }
    }
    labels.sort();
    if labels.is_empty() || labels.len() > 7 {
        return Err(NerError::Train(format!(
            "expected 1 to 7 entity labels in the training data, found {}: {labels:?}",
            labels.len()
        )));
    }
    let nt = tags::n_tags(labels.len());
    let feats = opts.features;
    let clusters: Option<Arc<ClusterFile>> = if feats.clusters {
        let path = opts.clusters.as_ref().ok_or_else(|| {
            NerError::Train(
                "cluster features are on but no cluster file is given (--clusters FILE, or \
                 turn clusters off)"
                    .into(),
            )
        })?;
        Some(Arc::new(load_clusters(path)?))
    } else {
        None
    };
    let cl = clusters.as_deref();
    let train = prepare(train_docs, &labels);
    let dev = prepare(dev_docs, &labels);

    // Gazetteer from the training entities, with document frequencies.
    let mut buf = String::new();
    let mut counts = GazCounts::default();
    let mut owns: Vec<OwnKeys> = Vec::with_capacity(train.len());
    for doc in &train {
        let (own, pre_e, pre_l) = doc_gaz_keys(doc, &labels, &mut buf);
        for (map, own_map, pre) in [
            (&mut counts.exact, &own.0, &pre_e),
            (&mut counts.lower, &own.1, &pre_l),
        ] {
            for (&k, &m) in own_map {
                let e = map.entry(k).or_insert((0, [0; 8]));
                for l in 0..8 {
                    if m & (1 << l) != 0 {
                        e.1[l] += 1;
                    }
                }
            }
            for &k in pre {
                map.entry(k).or_insert((0, [0; 8])).0 |= GAZ_PREFIX;
            }
        }
        owns.push(own);
    }
    let mut gaz = Gazetteer::default();
    if feats.gazetteer {
        for (src, dst) in [
            (&counts.exact, &mut gaz.exact),
            (&counts.lower, &mut gaz.lower),
        ] {
            for (&k, (pf, df)) in src {
                let mut m = *pf;
                for (l, &c) in df.iter().enumerate() {
                    if c > 0 {
                        m |= 1 << l;
                    }
                }
                dst.insert(k, m);
            }
        }
    }
    let loo = Some((&counts, owns.as_slice()));
    let mut rng = SplitMix::new(opts.seed);

    // Pass 1 (the only pass without stacking).
    let f1 = FeatureSet {
        stack: false,
        ..feats
    };
    let (vocab1, keys1) = build_vocab(&train, f1, cl, &gaz, loo, None, opts.min_count);
    let tdata1 = build_data(&train, f1, cl, &gaz, loo, None, &vocab1);
    let ddata1 = build_data(&dev, f1, cl, &gaz, None, None, &vocab1);
    let all_train: Vec<usize> = (0..tdata1.sents.len()).collect();
    let name1 = if feats.stack { "pass1" } else { "model" };
    let res1 = train_pass(
        name1,
        &tdata1,
        &all_train,
        keys1.len(),
        nt,
        Some((&ddata1, &dev)),
        &labels,
        opts.epochs,
        opts.patience,
        &mut rng,
        on_epoch,
    );
    let layer1 = make_layer(f1, &keys1, &res1, nt, &gaz);
    let mut training = HashMap::new();
    training.insert("epochs_max".to_string(), opts.epochs.to_string());
    training.insert("patience".to_string(), opts.patience.to_string());
    training.insert("seed".to_string(), opts.seed.to_string());
    training.insert("min_count".to_string(), opts.min_count.to_string());
    training.insert("best_epoch_pass1".to_string(), res1.best_epoch.to_string());

    let (layer, pass1) = if !feats.stack {
        (layer1, None)
    } else {
        // Jackknifed first-pass labels of the training documents.
        let k = opts.folds.clamp(2, train.len().max(2));
        let mut doc_order: Vec<usize> = (0..train.len()).collect();
        rng.shuffle(&mut doc_order);
        let mut fold_of = vec![0usize; train.len()];
        for (i, &d) in doc_order.iter().enumerate() {
            fold_of[d] = i % k;
        }
        let mut stacks: Vec<Stack> = vec![Stack::default(); train.len()];
        let mut s = Scratch::default();
        for fold in 0..k {
            let tr_s: Vec<usize> = (0..tdata1.sents.len())
                .filter(|&i| fold_of[tdata1.sents[i].1] != fold)
                .collect();
            let held: Vec<usize> = (0..tdata1.sents.len())
                .filter(|&i| fold_of[tdata1.sents[i].1] == fold)
                .collect();
            let res = train_pass(
                &format!("fold {}/{k}", fold + 1),
                &tdata1,
                &tr_s,
                keys1.len(),
                nt,
                None,
                &labels,
                res1.best_epoch.max(1),
                opts.patience,
                &mut rng,
                on_epoch,
            );
            let pred = decode_docs(&tdata1, &held, &res.w, &res.tw, nt, train.len());
            for (d, ents) in pred.iter().enumerate() {
                if fold_of[d] != fold {
                    continue;
                }
                let tagged: Vec<Tagged> = ents
                    .iter()
                    .map(|&(a, b, l)| Tagged {
                        tokens: a..b,
                        label: l,
                        score: 1.0,
                    })
                    .collect();
                let mut ctx = DocCtx::default();
                fill_stack(&train[d].tokens, &tagged, &mut s, &mut ctx);
                stacks[d] = ctx.stack;
            }
        }
        // First-pass labels of the dev documents, from the full first-pass model.
        let all_dev: Vec<usize> = (0..ddata1.sents.len()).collect();
        let dpred = decode_docs(&ddata1, &all_dev, &res1.w, &res1.tw, nt, dev.len());
        let dstacks: Vec<Stack> = dpred
            .iter()
            .zip(&dev)
            .map(|(ents, doc)| {
                let tagged: Vec<Tagged> = ents
                    .iter()
                    .map(|&(a, b, l)| Tagged {
                        tokens: a..b,
                        label: l,
                        score: 1.0,
                    })
                    .collect();
                let mut ctx = DocCtx::default();
                fill_stack(&doc.tokens, &tagged, &mut s, &mut ctx);
                ctx.stack
            })
            .collect();
        drop(tdata1);
        let (vocab2, keys2) =
            build_vocab(&train, feats, cl, &gaz, loo, Some(&stacks), opts.min_count);
        let tdata2 = build_data(&train, feats, cl, &gaz, loo, Some(&stacks), &vocab2);
        let ddata2 = build_data(&dev, feats, cl, &gaz, None, Some(&dstacks), &vocab2);
        let res2 = train_pass(
            "pass2",
            &tdata2,
            &all_train,
            keys2.len(),
            nt,
            Some((&ddata2, &dev)),
            &labels,
            opts.epochs,
            opts.patience,
            &mut rng,
            on_epoch,
        );
        training.insert("best_epoch_pass2".to_string(), res2.best_epoch.to_string());
        training.insert("folds".to_string(), k.to_string());
        (make_layer(feats, &keys2, &res2, nt, &gaz), Some(layer1))
    };

    let info = ModelInfo {
        name: opts.name.clone(),
        trained_on: opts.trained_on.clone(),
        tuned_on: opts.tuned_on.clone(),
        training: training.into_iter().collect(),
        dev: Default::default(),
    };
    let mut model = Model::assemble(labels.clone(), layer, pass1, clusters, 1.0, info);

    // Fit the confidence temperature on dev (max. likelihood of the gold tags' marginals),
    // and score dev through the run-time code path.
    let scales: Vec<f32> = (0..40).map(|i| 0.01 * 1.35f32.powi(i)).collect();
    let mut sums = vec![0.0f64; scales.len()];
    let mut counts_rt = Counts::default();
    for doc in &dev {
        model.gold_log_likelihood(&doc.tokens, &doc.sents, &doc.gold, &scales, &mut sums);
        let pred: Vec<LabeledSpan> = model
            .tag(&doc.tokens, &doc.sents)
            .into_iter()
            .map(|t| (t.tokens.start, t.tokens.end, labels[t.label].clone()))
            .collect();
        counts_rt.add(&doc.spans, &pred);
    }
    let best = sums
        .iter()
        .enumerate()
        .max_by(|a, b| a.1.total_cmp(b.1))
        .map_or(0, |(i, _)| i);
    model.set_temperature(scales[best]);
    let o = counts_rt.overall;
    model
        .info
        .dev
        .insert("precision".into(), round2(100.0 * o.precision()));
    model
        .info
        .dev
        .insert("recall".into(), round2(100.0 * o.recall()));
    model.info.dev.insert("f1".into(), round2(100.0 * o.f1()));
    for (l, c) in &counts_rt.per_label {
        model
            .info
            .dev
            .insert(format!("{l}_f1"), round2(100.0 * c.f1()));
    }
    Ok(model)
}

fn round2(x: f64) -> f64 {
    (x * 100.0).round() / 100.0
}

/// Score a model on documents (exact spans), through the run-time tagging path.
pub fn evaluate(model: &Model, docs: &[ConllDoc]) -> Counts {
    let labels = model.labels().to_vec();
    let prepared = prepare(docs, &labels);
    let mut c = Counts::default();
    for doc in &prepared {
        let pred: Vec<LabeledSpan> = model
            .tag(&doc.tokens, &doc.sents)
            .into_iter()
            .map(|t| (t.tokens.start, t.tokens.end, labels[t.label].clone()))
            .collect();
        c.add(&doc.spans, &pred);
    }
    c
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteer_hides_a_documents_own_entities() {
        let labels = vec!["LOC".to_string(), "PER".to_string()];
        let doc = |names: &[(&str, &str)]| Doc {
            tokens: names.iter().map(|(w, _)| w.to_string()).collect(),
            sents: std::iter::once(0..names.len()).collect(),
            gold: Vec::new(),
            spans: names
                .iter()
                .enumerate()
                .filter(|(_, (_, l))| !l.is_empty())
                .map(|(i, (_, l))| (i, i + 1, l.to_string()))
                .collect(),
        };
        // "Paris" is a LOC in two documents, "Smith" a PER in one.
        let docs = [
            doc(&[("Paris", "LOC"), ("Smith", "PER")]),
            doc(&[("Paris", "LOC"), ("rain", "")]),
        ];
        let mut buf = String::new();
        let mut counts = GazCounts::default();
        let mut owns = Vec::new();
        for d in &docs {
            let (own, _, _) = doc_gaz_keys(d, &labels, &mut buf);
            for (&k, &m) in &own.0 {
                let e = counts.exact.entry(k).or_insert((0, [0; 8]));
                for l in 0..2 {
                    if m & (1 << l) != 0 {
                        e.1[l] += 1;
                    }
                }
            }
            owns.push(own);
        }
        let key = |w: &str| seq_key(seq_step(seq_start(), hash_str(w)));
        let view = |d: usize| Loo {
            counts: &counts,
            own: &owns[d],
        };
        // Document 0 still sees Paris (document 1 has it) but not its own Smith.
        assert_eq!(view(0).exact(key("Paris")), 1);
        assert_eq!(view(0).exact(key("Smith")), 0);
        // Document 1 sees Smith from document 0.
        assert_eq!(view(1).exact(key("Smith")), 2);
        assert_eq!(view(1).exact(key("rain")), 0);
    }
}
