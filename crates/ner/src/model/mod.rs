//! The trained tagger: one or two linear-chain layers (the first pass of two-pass models),
//! word clusters and the confidence temperature; the [`Model`] type and its accessors.
//!
//! * `table`: the feature-weight hash table;
//! * `layer`: one layer (weights, transitions, gazetteer) and its emission scores;
//! * `infer`: tagging, marginals and the first pass;
//! * `manifest`: the model directory (`model.toml`), loading and saving;
//! * `format`: the binary weight files.

mod format;
mod infer;
mod layer;
mod manifest;
mod table;

use std::sync::Arc;

use crate::calibration::Calibration;
use crate::decode::ExpTransitions;
use crate::features::FeatureSet;
use crate::tags;

#[cfg(feature = "train")]
pub(crate) use infer::fill_stack;
pub use infer::Tagged;
pub(crate) use layer::Layer;
#[cfg(feature = "train")]
pub(crate) use manifest::load_clusters;
pub(crate) use manifest::ClusterFile;
pub use manifest::{ModelInfo, KIND};
#[cfg(feature = "train")]
pub(crate) use table::Table;

/// A trained NER model. Immutable after loading; share it between threads with `Arc`.
#[derive(Debug)]
pub struct Model {
    pub(crate) labels: Vec<String>,
    pub(crate) layer: Layer,
    pub(crate) pass1: Option<Box<Layer>>,
    pub(crate) clusters: Option<Arc<ClusterFile>>,
    pub(crate) temperature: f32,
    pub(crate) exp_trans: ExpTransitions,
    /// Map from the raw confidence to the probability that an entity is right.
    pub(crate) calibration: Option<Calibration>,
    pub(crate) info: ModelInfo,
}

impl Model {
    pub(crate) fn assemble(
        labels: Vec<String>,
        layer: Layer,
        pass1: Option<Layer>,
        clusters: Option<Arc<ClusterFile>>,
        temperature: f32,
        info: ModelInfo,
    ) -> Model {
        let exp_trans = ExpTransitions::new(&layer.trans, temperature);
        Model {
            labels,
            layer,
            pass1: pass1.map(Box::new),
            clusters,
            temperature,
            exp_trans,
            calibration: None,
            info,
        }
    }

    /// The entity labels, in tag-index order.
    pub fn labels(&self) -> &[String] {
        &self.labels
    }

    /// Descriptive metadata (name, training data, dev scores).
    pub fn info(&self) -> &ModelInfo {
        &self.info
    }

    /// Which feature groups the model uses.
    pub fn features(&self) -> FeatureSet {
        self.layer.feats
    }

    /// Scale applied to the perceptron scores before computing marginals for `score`.
    pub fn temperature(&self) -> f32 {
        self.temperature
    }

    /// The map from raw confidence (smallest tag marginal) to calibrated entity score, if
    /// the model has one.
    pub fn calibration(&self) -> Option<&Calibration> {
        self.calibration.as_ref()
    }

    #[cfg(feature = "train")]
    pub(crate) fn set_calibration(&mut self, c: Option<Calibration>) {
        self.calibration = c;
    }

    /// Number of stored feature rows (both passes).
    pub fn n_features(&self) -> usize {
        self.layer.table.rows() + self.pass1.as_ref().map_or(0, |p| p.table.rows())
    }

    pub(crate) fn n_tags(&self) -> usize {
        tags::n_tags(self.labels.len())
    }

    #[cfg(feature = "train")]
    pub(crate) fn set_temperature(&mut self, t: f32) {
        self.temperature = t;
        self.exp_trans = ExpTransitions::new(&self.layer.trans, t);
    }
}
