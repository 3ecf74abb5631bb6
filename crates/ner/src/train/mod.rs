//! Training: an averaged structured perceptron over BILOU tags, with early stopping on dev
//! F1 and, for the two-pass model, jackknifed first-pass labels for the training data.
//!
//! Reproducible: the only randomness is a seeded shuffle of the training sentences (and of
//! the documents into jackknife folds).
//!
//! [`train`] runs the steps: check the inputs, collect the labels and prepare the documents
//! and gazetteer (`data`, `gazetteer`), train the first pass and, for two-pass models, the
//! jackknifed first-pass labels and the second pass (`passes`, each pass an averaged
//! perceptron in `perceptron`), then score dev and fit the temperature (`calibrate`).

mod calibrate;
mod data;
mod gazetteer;
mod passes;
mod perceptron;

use std::collections::HashMap;
use std::path::PathBuf;
use std::sync::Arc;

use caveat_text::rng::SplitMix;

use crate::conll::ConllDoc;
use crate::eval::{spans_from_tags, Counts};
use crate::features::{FeatureSet, Gazetteer};
use crate::model::{load_clusters, ClusterFile, Model, ModelInfo};
use crate::{tags, NerError};

use data::{prepare, Doc};
use gazetteer::{add_external, count_entities, full_gazetteer, GazCounts, OwnKeys};

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
    /// How much a silver (teacher-labelled) sentence counts in an update, relative to a gold
    /// one (see [`train_with_silver`]).
    pub silver_weight: f32,
    /// Description of the silver data for `model.toml` (empty: none).
    pub silver_on: String,
    /// External gazetteer names (tokens as the tokenizer splits them, label) added to the
    /// training data's names; names of labels the training data lacks are ignored.
    pub gazetteer: Vec<(Vec<String>, String)>,
    /// Share of training documents each external name is hidden from (seeded per document
    /// and name), so the tagger also learns to find names the list lacks.
    pub gazetteer_dropout: f32,
    /// Description of the external gazetteer for `model.toml` (empty: none).
    pub gazetteer_on: String,
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
            silver_weight: 0.5,
            silver_on: String::new(),
            gazetteer: Vec::new(),
            gazetteer_dropout: 0.5,
            gazetteer_on: String::new(),
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

/// What every pass shares: the options, labels, prepared documents, clusters and gazetteer.
struct Corpus<'a> {
    opts: &'a TrainOptions,
    labels: Vec<String>,
    nt: usize,
    feats: FeatureSet,
    clusters: Option<Arc<ClusterFile>>,
    train: Vec<Doc>,
    dev: Vec<Doc>,
    /// Entity document frequencies and each training document's own entities, for the
    /// leave-one-document-out gazetteer of the training data.
    gaz_counts: GazCounts,
    owns: Vec<OwnKeys>,
    /// The full gazetteer (empty without gazetteer features), for dev and the model.
    gaz: Gazetteer,
}

impl<'a> Corpus<'a> {
    /// Collect the labels, load the clusters, prepare the documents and the gazetteer.
    fn new(
        train_docs: &[ConllDoc],
        silver_docs: &[ConllDoc],
        dev_docs: &[ConllDoc],
        opts: &'a TrainOptions,
    ) -> Result<Corpus<'a>, NerError> {
        let labels = collect_labels(train_docs)?;
        let nt = tags::n_tags(labels.len());
        let feats = opts.features;
        let clusters = cluster_file(opts)?;
        let mut train = prepare(train_docs, &labels, 1.0);
        train.extend(prepare(silver_docs, &labels, opts.silver_weight));
        let dev = prepare(dev_docs, &labels, 1.0);
        let (mut gaz_counts, owns) = count_entities(&train, &labels);
        if feats.gazetteer && !opts.gazetteer.is_empty() {
            let names: Vec<(Vec<String>, usize)> = opts
                .gazetteer
                .iter()
                .filter_map(|(t, l)| Some((t.clone(), labels.iter().position(|x| x == l)?)))
                .collect();
            add_external(&mut gaz_counts, &names);
            gaz_counts.ext_dropout = opts.gazetteer_dropout;
        }
        let gaz = if feats.gazetteer {
            full_gazetteer(&gaz_counts)
        } else {
            Gazetteer::default()
        };
        Ok(Corpus {
            opts,
            labels,
            nt,
            feats,
            clusters,
            train,
            dev,
            gaz_counts,
            owns,
            gaz,
        })
    }

    fn clusters(&self) -> Option<&ClusterFile> {
        self.clusters.as_deref()
    }

    /// The leave-one-document-out gazetteer of the training documents.
    fn loo(&self) -> Option<(&GazCounts, &[OwnKeys])> {
        Some((&self.gaz_counts, self.owns.as_slice()))
    }
}

/// Train a model on `train_docs`, early-stopping on `dev_docs` (which must not be empty).
pub fn train(
    train_docs: &[ConllDoc],
    dev_docs: &[ConllDoc],
    opts: &TrainOptions,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Model, NerError> {
    train_with_silver(train_docs, &[], dev_docs, opts, on_epoch)
}

/// Train a model on gold `train_docs` and teacher-labelled `silver_docs` (knowledge
/// distillation: see [`crate::silver`]), early-stopping on `dev_docs`.
///
/// Silver documents are training documents like the gold ones (in the shuffle, the jackknife
/// folds and the gazetteer), except that their perceptron updates are scaled by
/// [`TrainOptions::silver_weight`]. Their labels must be among the gold data's; others are
/// read as `O`.
pub fn train_with_silver(
    train_docs: &[ConllDoc],
    silver_docs: &[ConllDoc],
    dev_docs: &[ConllDoc],
    opts: &TrainOptions,
    on_epoch: &mut dyn FnMut(&EpochReport),
) -> Result<Model, NerError> {
    check_inputs(train_docs, dev_docs, opts)?;
    let weight_ok = opts.silver_weight > 0.0 && opts.silver_weight.is_finite();
    if !silver_docs.is_empty() && !weight_ok {
        return Err(NerError::Train(format!(
            "the silver weight must be a positive number, not {}",
            opts.silver_weight
        )));
    }
    if !(0.0..=1.0).contains(&opts.gazetteer_dropout) {
        return Err(NerError::Train(format!(
            "the gazetteer dropout must be in [0, 1], not {}",
            opts.gazetteer_dropout
        )));
    }
    let c = Corpus::new(train_docs, silver_docs, dev_docs, opts)?;
    let mut rng = SplitMix::new(opts.seed);

    let p1 = passes::first_pass(&c, &mut rng, on_epoch);
    let layer1 = perceptron::make_layer(p1.feats, &p1.keys, &p1.res, c.nt, &c.gaz);
    let mut training = HashMap::new();
    training.insert("epochs_max".to_string(), opts.epochs.to_string());
    training.insert("patience".to_string(), opts.patience.to_string());
    training.insert("seed".to_string(), opts.seed.to_string());
    training.insert("min_count".to_string(), opts.min_count.to_string());
    if !opts.gazetteer.is_empty() && c.feats.gazetteer {
        training.insert("gazetteer".to_string(), opts.gazetteer_on.clone());
        training.insert(
            "gazetteer_dropout".to_string(),
            opts.gazetteer_dropout.to_string(),
        );
    }
    if !silver_docs.is_empty() {
        training.insert("silver".to_string(), opts.silver_on.clone());
        training.insert("silver_weight".to_string(), opts.silver_weight.to_string());
    }
    training.insert(
        "best_epoch_pass1".to_string(),
        p1.res.best_epoch.to_string(),
    );
    let (layer, pass1) = if !c.feats.stack {
        (layer1, None)
    } else {
        let p2 = passes::second_pass(&c, p1, &mut rng, on_epoch);
        training.insert("best_epoch_pass2".to_string(), p2.best_epoch.to_string());
        training.insert("folds".to_string(), p2.folds.to_string());
        (p2.layer, Some(layer1))
    };

    let info = ModelInfo {
        name: opts.name.clone(),
        trained_on: opts.trained_on.clone(),
        tuned_on: opts.tuned_on.clone(),
        training: training.into_iter().collect(),
        dev: Default::default(),
    };
    let Corpus {
        labels,
        clusters,
        dev,
        ..
    } = c;
    let mut model = Model::assemble(labels, layer, pass1, clusters, 1.0, info);
    calibrate::calibrate(&mut model, &dev);
    Ok(model)
}

/// Reject empty training or dev data and zero epochs.
fn check_inputs(
    train_docs: &[ConllDoc],
    dev_docs: &[ConllDoc],
    opts: &TrainOptions,
) -> Result<(), NerError> {
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
    Ok(())
}

/// The entity labels of the training data, sorted (1 to 7 of them).
fn collect_labels(train_docs: &[ConllDoc]) -> Result<Vec<String>, NerError> {
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
    Ok(labels)
}

/// The word-cluster table when cluster features are on (then a file is required).
fn cluster_file(opts: &TrainOptions) -> Result<Option<Arc<ClusterFile>>, NerError> {
    if !opts.features.clusters {
        return Ok(None);
    }
    let path = opts.clusters.as_ref().ok_or_else(|| {
        NerError::Train(
            "cluster features are on but no cluster file is given (--clusters FILE, or \
             turn clusters off)"
                .into(),
        )
    })?;
    Ok(Some(Arc::new(load_clusters(path)?)))
}

/// Score a model on documents (exact spans), through the run-time tagging path.
pub fn evaluate(model: &Model, docs: &[ConllDoc]) -> Counts {
    let labels = model.labels().to_vec();
    let prepared = prepare(docs, &labels, 1.0);
    calibrate::score_runtime(model, &prepared)
}
