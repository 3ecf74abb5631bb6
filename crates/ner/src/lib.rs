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
use caveat_transformer::BackendKind;
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
    /// A transformer model could not be loaded.
    #[error(transparent)]
    Transformer(#[from] caveat_transformer::TransformerError),
}

/// Which tagger the `ner` stage runs.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum NerBackend {
    /// The averaged perceptron of this crate (`model.toml` directory).
    Perceptron,
    /// A Hugging Face token-classification model run by candle (pure Rust).
    Candle,
    /// The same kind of model run by rust-bert on libtorch (cargo feature `rust-bert`).
    RustBert,
}

/// Options of the `ner` stage as written in a `[[stages]]` table.
#[derive(Debug, Clone, Deserialize, Serialize)]
#[serde(deny_unknown_fields, default)]
pub struct NerConfig {
    /// Model directory, relative to the pipeline file.
    pub model: String,
    /// Which tagger runs the model.
    pub backend: NerBackend,
    /// Transformer backends: longest window in subwords.
    pub max_length: usize,
    /// Transformer backends: subwords of context around the cut pieces of a long sentence.
    pub stride: usize,
    /// Transformer backends: windows per forward pass.
    pub batch_size: usize,
    /// Transformer backends: pack consecutive sentences into one window.
    pub pack_sentences: bool,
}

impl Default for NerConfig {
    fn default() -> Self {
        let t = caveat_transformer::TaggerOptions::default();
        NerConfig {
            model: "../models/ner-fast".into(),
            backend: NerBackend::Perceptron,
            max_length: t.max_length,
            stride: t.stride,
            batch_size: t.batch_size,
            pack_sentences: t.pack,
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
    pub const OPTIONS: &'static [OptionDoc] = &[
        OptionDoc {
            name: "model",
            ty: "path",
            default: "\"../models/ner-fast\"",
            help: "Model directory, relative to the pipeline file: model.toml for the perceptron, \
                   config.json + tokenizer.json + model.safetensors (Hugging Face layout) for the \
                   transformer backends",
        },
        OptionDoc {
            name: "backend",
            ty: "\"perceptron\" | \"candle\" | \"rust-bert\"",
            default: "\"perceptron\"",
            help: "perceptron: the fast tagger; candle: a BERT-family model in pure Rust; \
                   rust-bert: the same model on libtorch (build with --features rust-bert)",
        },
        OptionDoc {
            name: "max_length",
            ty: "integer",
            default: "128",
            help: "Transformer backends: longest window in subwords, [CLS] and [SEP] included",
        },
        OptionDoc {
            name: "stride",
            ty: "integer",
            default: "32",
            help: "Transformer backends: subwords of context on each side of the pieces of a \
                   sentence longer than a window",
        },
        OptionDoc {
            name: "batch_size",
            ty: "integer",
            default: "16",
            help: "Transformer backends: windows per forward pass (windows of a batch of \
                   documents are sorted by length first)",
        },
        OptionDoc {
            name: "pack_sentences",
            ty: "bool",
            default: "true",
            help: "Transformer backends: fill each window with consecutive sentences (document \
                   context); false runs one sentence per window",
        },
    ];

    /// Files the stage reads.
    pub fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        let dir = ctx.resolve(&self.model);
        match self.backend {
            NerBackend::Perceptron => vec![("model", dir.join("model.toml"))],
            // The other files are checked when the model loads, with a hint on how to get them.
            NerBackend::Candle | NerBackend::RustBert => vec![("model", dir.join("config.json"))],
        }
    }

    /// Load the model once; the stage shares it between all threads.
    pub fn build(&self, ctx: &BuildContext) -> Result<NerStage, NerError> {
        let dir = ctx.resolve(&self.model);
        if !dir.is_dir() {
            return Err(NerError::ModelDir { path: dir });
        }
        let kind = match self.backend {
            NerBackend::Perceptron => return Ok(NerStage::new(Arc::new(Model::load(&dir)?))),
            NerBackend::Candle => BackendKind::Candle,
            NerBackend::RustBert => BackendKind::RustBert,
        };
        let opts = caveat_transformer::TaggerOptions {
            max_length: self.max_length,
            stride: self.stride,
            batch_size: self.batch_size,
            pack: self.pack_sentences,
        };
        Ok(NerStage {
            tagger: Tagger::Transformer(Arc::new(caveat_transformer::Tagger::load(
                &dir, kind, opts,
            )?)),
        })
    }
}

/// The `ner` stage: tags each sentence of a document and adds its entities.
#[derive(Debug, Clone)]
pub struct NerStage {
    tagger: Tagger,
}

#[derive(Debug, Clone)]
enum Tagger {
    Perceptron(Arc<Model>),
    Transformer(Arc<caveat_transformer::Tagger>),
}

thread_local! {
    static SCRATCH: RefCell<(features::Scratch, features::DocCtx, Vec<Tagged>)> =
        RefCell::new(Default::default());
}

/// A document's tokens as words, and its sentences as token ranges.
type Words<'a> = (Vec<&'a str>, Vec<Range<usize>>);

/// A document's words and sentences (the whole document when it has no sentence layer).
fn words_of(doc: &Document) -> Result<Words<'_>, StageError> {
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
    Ok((words, sentences))
}

fn entity(doc: &Document, tokens: Range<usize>, label: &str, score: f32) -> Entity {
    Entity {
        span: Span::new(
            doc.tokens[tokens.start].span.start,
            doc.tokens[tokens.end - 1].span.end,
        ),
        tokens,
        label: label.to_string(),
        score,
    }
}

impl NerStage {
    /// A stage around a loaded perceptron model.
    pub fn new(model: Arc<Model>) -> NerStage {
        NerStage {
            tagger: Tagger::Perceptron(model),
        }
    }

    /// The perceptron model, if the stage runs one.
    pub fn model(&self) -> Option<&Arc<Model>> {
        match &self.tagger {
            Tagger::Perceptron(m) => Some(m),
            Tagger::Transformer(_) => None,
        }
    }
}

impl Stage for NerStage {
    fn info(&self) -> StageInfo {
        NerConfig::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.process_batch(std::slice::from_mut(doc))
            .pop()
            .unwrap_or(Ok(()))
    }

    fn process_batch(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
        match &self.tagger {
            Tagger::Perceptron(model) => {
                docs.iter_mut().map(|d| tag_perceptron(model, d)).collect()
            }
            Tagger::Transformer(t) => tag_transformer(t, docs),
        }
    }
}

fn tag_perceptron(model: &Model, doc: &mut Document) -> Result<(), StageError> {
    if doc.tokens.is_empty() {
        return Ok(());
    }
    let (words, sentences) = words_of(doc)?;
    let entities = SCRATCH.with(|cell| {
        let mut guard = cell.borrow_mut();
        let (s, ctx, out) = &mut *guard;
        model.tag_with(&words, &sentences, s, ctx, out);
        out.iter()
            .map(|t| entity(doc, t.tokens.clone(), &model.labels()[t.label], t.score))
            .collect::<Vec<_>>()
    });
    doc.entities = entities;
    Ok(())
}

/// Tag all documents of a batch together, so the transformer batches windows across them.
fn tag_transformer(
    tagger: &caveat_transformer::Tagger,
    docs: &mut [Document],
) -> Vec<Result<(), StageError>> {
    // Per document: its words, or why it has none; then the tagger's spans over the words.
    let mut spans: Vec<Result<Vec<caveat_transformer::Tagged>, StageError>> = {
        let inputs: Vec<Result<Words<'_>, StageError>> = docs.iter().map(words_of).collect();
        let ok: Vec<caveat_transformer::DocWords<'_>> = inputs
            .iter()
            .flatten()
            .map(|(words, sentences)| caveat_transformer::DocWords { words, sentences })
            .collect();
        let mut tagged = tagger.tag(&ok).into_iter();
        inputs
            .into_iter()
            .map(|input| {
                input?;
                tagged
                    .next()
                    .unwrap_or_else(|| Ok(Vec::new()))
                    .map_err(|e| StageError::new("ner", e.to_string()))
            })
            .collect()
    };
    docs.iter_mut()
        .zip(spans.drain(..))
        .map(|(doc, r)| {
            doc.entities = r?
                .into_iter()
                .map(|s| entity(doc, s.words, &tagger.types()[s.ty], s.score))
                .collect();
            Ok(())
        })
        .collect()
}

#[cfg(test)]
mod tests;
