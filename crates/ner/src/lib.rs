//! caveat's `ner` stage: a fast statistical named-entity tagger in pure Rust.
//!
//! The tagger is an averaged structured perceptron over BILOU tags with Viterbi decoding
//! (see `models/ner-fast/README.md` for why not a CRF). Its features are the ones that made
//! such taggers strong on CoNLL-2003: word, lower case, long and short shapes, prefixes and
//! suffixes, a ±2 window of words and shapes, sentence position, an all-caps-sentence flag,
//! a gazetteer built from the training data (multi-token, with BILOU position), word clusters
//! from embeddings learned on unlabelled text, document-level case evidence and a two-pass
//! document-consistency scheme (labels a first pass gave the same word elsewhere in the
//! article). Features are hashed to 64-bit keys without building strings; the weights live
//! in an open-addressing hash table of dense per-tag rows.
//!
//! * [`conll::read`] reads CoNLL-2003 files; [`train::train`] trains a [`Model`];
//!   [`Model::save`] / [`Model::load`] write and read a model directory; [`eval`] scores
//!   exact spans like conlleval.
//! * [`NerConfig`] / [`NerStage`] are the pipeline stage (`type = "ner"`).
//!
//! Each entity's `score` is the smallest forward–backward posterior marginal of its tags,
//! computed from the perceptron scores scaled by a temperature fitted on dev data.

pub mod conll;
mod decode;
pub mod eval;
mod features;
mod hash;
mod model;
mod tags;
pub mod train;

use std::cell::RefCell;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use caveat_core::{
    BuildContext, Document, Entity, Layer, OptionDoc, Span, Stage, StageError, StageInfo,
};
use serde::{Deserialize, Serialize};

pub use features::{Clusters, FeatureSet};
pub use model::{Model, ModelInfo, Tagged, KIND};

/// Errors of this crate: what went wrong, where, and how to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum NerError {
    /// A file could not be read or written.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The model directory does not exist.
    #[error(
        "NER model directory `{}` not found (the `model` option is relative to the pipeline \
         file; the default model lives in models/ner-fast)",
        path.display()
    )]
    ModelDir {
        /// The resolved directory.
        path: PathBuf,
    },
    /// A CoNLL file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Conll {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// `model.toml` is missing fields or describes another kind of model.
    #[error("bad model manifest `{}`: {message}", path.display())]
    Manifest {
        /// The manifest.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A binary model file is corrupt or from another version.
    #[error("bad model file `{}`: {message} (retrain or restore the model directory)", path.display())]
    Format {
        /// The file.
        path: PathBuf,
        /// What is wrong.
        message: String,
    },
    /// A word-cluster file is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Clusters {
        /// The file.
        path: PathBuf,
        /// 1-based line.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// Training could not run with the given data or options.
    #[error("cannot train: {0}")]
    Train(String),
}

/// Options of the `ner` stage as written in a `[[stages]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NerConfig {
    /// Model directory (with `model.toml`), relative to the pipeline file.
    pub model: String,
}

impl Default for NerConfig {
    fn default() -> Self {
        NerConfig {
            model: "../models/ner-fast".into(),
        }
    }
}

impl NerConfig {
    /// Name, needed and provided layers of the stage type.
    pub const INFO: StageInfo = StageInfo {
        name: "ner",
        needs: &[Layer::Tokens, Layer::Sentences],
        provides: &[Layer::Entities],
    };

    /// Every option of the stage.
    pub const OPTIONS: &'static [OptionDoc] = &[OptionDoc {
        name: "model",
        ty: "path",
        default: "\"../models/ner-fast\"",
        help: "Model directory (holding model.toml), relative to the pipeline file",
    }];

    /// Files the stage reads.
    pub fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        vec![("model", ctx.resolve(&self.model).join("model.toml"))]
    }

    /// Load the model once; the stage shares it between all threads.
    pub fn build(&self, ctx: &BuildContext) -> Result<NerStage, NerError> {
        let dir = ctx.resolve(&self.model);
        if !dir.is_dir() {
            return Err(NerError::ModelDir { path: dir });
        }
        Ok(NerStage::new(Arc::new(Model::load(&dir)?)))
    }
}

/// The `ner` stage: tags each sentence of a document and adds its entities.
#[derive(Debug, Clone)]
pub struct NerStage {
    model: Arc<Model>,
}

thread_local! {
    static SCRATCH: RefCell<(features::Scratch, features::DocCtx, Vec<Tagged>)> =
        RefCell::new(Default::default());
}

impl NerStage {
    /// A stage around a loaded model.
    pub fn new(model: Arc<Model>) -> NerStage {
        NerStage { model }
    }

    /// The model.
    pub fn model(&self) -> &Arc<Model> {
        &self.model
    }
}

impl Stage for NerStage {
    fn info(&self) -> StageInfo {
        NerConfig::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        if doc.tokens.is_empty() {
            return Ok(());
        }
        let mut words: Vec<&str> = Vec::with_capacity(doc.tokens.len());
        for (i, t) in doc.tokens.iter().enumerate() {
            let w = doc.text.get(t.span.range()).ok_or_else(|| {
                StageError::new(
                    "ner",
                    format!(
                        "token {i} has span {}..{} outside the text or off a character \
                         boundary (text length {})",
                        t.span.start,
                        t.span.end,
                        doc.text.len()
                    ),
                )
            })?;
            words.push(w);
        }
        let sentences: Vec<Range<usize>> = if doc.sentences.is_empty() {
            std::iter::once(0..words.len()).collect()
        } else {
            doc.sentences.iter().map(|s| s.tokens.clone()).collect()
        };
        let model = &self.model;
        let entities = SCRATCH.with(|cell| {
            let mut guard = cell.borrow_mut();
            let (s, ctx, out) = &mut *guard;
            model.tag_with(&words, &sentences, s, ctx, out);
            out.iter()
                .map(|t| Entity {
                    span: Span::new(
                        doc.tokens[t.tokens.start].span.start,
                        doc.tokens[t.tokens.end - 1].span.end,
                    ),
                    tokens: t.tokens.clone(),
                    label: model.labels()[t.label].clone(),
                    score: t.score,
                })
                .collect::<Vec<_>>()
        });
        doc.entities = entities;
        Ok(())
    }
}

#[cfg(test)]
mod tests;
