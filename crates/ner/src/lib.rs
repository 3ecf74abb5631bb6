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
//! Each entity's `score` is the probability that the entity (span and label) is right: the
//! smallest forward–backward posterior marginal of its tags (perceptron scores scaled by a
//! temperature fitted on dev data), mapped through the isotonic [`calibration`] fitted on dev
//! data. Transformer backends take their map from the stage's `calibration` option.

pub mod calibration;
#[cfg(feature = "train")]
pub mod conll;
mod decode;
#[cfg(feature = "train")]
pub mod eval;
mod features;
mod model;
#[cfg(feature = "train")]
pub mod silver;
mod tags;
#[cfg(feature = "train")]
pub mod train;
#[cfg(feature = "transformer")]
mod transformer;

use std::cell::RefCell;
use std::ops::Range;
use std::path::PathBuf;
use std::sync::Arc;

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Entity, Layer, Span, Stage, StageConfig,
    StageError, StageInfo, Unavailable,
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
    /// The `combine` options do not fit the models.
    #[error("ner `combine`: {0}")]
    Combine(String),
    /// A transformer model could not be loaded.
    #[cfg(feature = "transformer")]
    #[error(transparent)]
    Transformer(#[from] caveat_transformer::TransformerError),
    /// The config asks for a backend this build lacks.
    #[error("{0}")]
    Unavailable(caveat_core::Unavailable),
    /// `quantize` asks for a weight format the backend does not run.
    #[error("ner `quantize`: {0}")]
    Quantize(String),
    /// A score calibration is malformed or misplaced.
    #[error("calibration: {0}")]
    Calibration(String),
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

impl caveat_core::OptionType for NerBackend {
    fn option_type() -> String {
        "\"perceptron\" | \"candle\" | \"rust-bert\"".to_string()
    }
}

stage_options! {
    /// Options of the `ner` stage as written in a `[[stages]]` table.
    #[derive(Debug, Clone)]
    pub struct NerConfig {
        /// Model directory, relative to the pipeline file: model.toml for the perceptron,
        /// config.json + tokenizer.json + model.safetensors (Hugging Face layout) for the
        /// transformer backends.
        #[ty = "path"]
        pub model: String = "../models/ner-fast".into(),
        /// perceptron: the fast tagger; candle: a BERT-family model in pure Rust (a build with
        /// the cargo feature `transformer`); rust-bert: the same model on libtorch (feature
        /// `rust-bert`).
        pub backend: NerBackend = NerBackend::Perceptron,
        /// Transformer backends: longest window in subwords, [CLS] and [SEP] included.
        pub max_length: usize = 128,
        /// Transformer backends: subwords of context on each side of the pieces of a sentence
        /// longer than a window.
        pub stride: usize = 32,
        /// Transformer backends: windows per forward pass (windows of a batch of documents are
        /// sorted by length first).
        pub batch_size: usize = 16,
        /// candle backend: "int8" quantises the encoder's linear layers once at load time
        /// (int8 weights per output row, activations on the fly; the classifier stays fp32),
        /// several times faster on CPUs with AVX-512 VNNI, AVX-VNNI or AVX2; "none" runs fp32.
        /// rust-bert runs fp32 only.
        pub quantize: caveat_core::Quantize = caveat_core::Quantize::None,
        /// Transformer backends: fill each window with consecutive sentences (document
        /// context); false runs one sentence per window.
        pub pack_sentences: bool = true,
        /// Transformer backends: a perceptron model directory (e.g. ../models/ner-fast) whose
        /// per-word label probabilities are pooled (weighted geometric mean) with the
        /// transformer's before decoding; empty for none. The two err in opposite directions:
        /// the uncased transformer tags lower-case words, the perceptron over-trusts capitals.
        #[ty = "path"]
        pub combine: String = String::new(),
        /// Weight in [0, 1] of the `combine` model's probabilities.
        pub combine_weight: f32 = 0.5,
        /// Transformer backends: a TOML file with a `[calibration]` table (`caveat eval ner
        /// --fit-calibration` writes one) mapping entity scores to the probability that the
        /// entity is right; empty leaves the raw scores. Perceptron models carry their own
        /// in model.toml.
        #[ty = "path"]
        pub calibration: String = String::new(),
    }
}

impl NerBackend {
    /// The cargo feature of `caveat-cli` that builds this backend in.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            NerBackend::Perceptron => None,
            NerBackend::Candle => Some("transformer"),
            NerBackend::RustBert => Some("rust-bert"),
        }
    }

    /// Whether this build has the backend.
    pub fn available(self) -> bool {
        match self {
            NerBackend::Perceptron => true,
            NerBackend::Candle => cfg!(feature = "transformer"),
            NerBackend::RustBert => cfg!(feature = "rust-bert"),
        }
    }
}

impl StageConfig for NerConfig {
    const INFO: StageInfo = StageInfo::new(
        "ner",
        &[Layer::Tokens, Layer::Sentences],
        &[Layer::Entities],
    );

    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        let dir = ctx.resolve(&self.model);
        let mut files = match self.backend {
            NerBackend::Perceptron => vec![("model", dir.join("model.toml"))],
            // The other files are checked when the model loads, with a hint on how to get them.
            NerBackend::Candle | NerBackend::RustBert => {
                let mut files = vec![("model", dir.join("config.json"))];
                if !self.combine.is_empty() {
                    files.push(("combine", ctx.resolve(&self.combine).join("model.toml")));
                }
                files
            }
        };
        if !self.calibration.is_empty() {
            files.push(("calibration", ctx.resolve(&self.calibration)));
        }
        files
    }

    fn unavailable(&self) -> Option<Unavailable> {
        let feature = self
            .backend
            .feature()
            .filter(|_| !self.backend.available())?;
        Some(Unavailable::cargo_feature("backend", feature))
    }

    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        Ok(Box::new(NerConfig::build(self, ctx)?))
    }
}

impl NerConfig {
    /// Load the model once; the stage shares it between all threads.
    pub fn build(&self, ctx: &BuildContext) -> Result<NerStage, NerError> {
        if self.backend == NerBackend::Perceptron && !self.calibration.is_empty() {
            return Err(NerError::Calibration(
                "`calibration` maps a transformer's scores; a perceptron model carries its \
                 own calibration in model.toml (retrain it, or remove `calibration`)"
                    .into(),
            ));
        }
        if self.backend == NerBackend::Perceptron && !self.combine.is_empty() {
            return Err(NerError::Combine(
                "`combine` mixes a perceptron into a transformer model: set backend = \
                 \"candle\" or \"rust-bert\", or remove `combine`"
                    .into(),
            ));
        }
        self.quantize
            .check_backend(match self.backend {
                NerBackend::Perceptron => "perceptron",
                NerBackend::Candle => "candle",
                NerBackend::RustBert => "rust-bert",
            })
            .map_err(NerError::Quantize)?;
        let dir = ctx.resolve(&self.model);
        if !dir.is_dir() {
            return Err(NerError::ModelDir { path: dir });
        }
        if let Some(missing) = StageConfig::unavailable(self) {
            return Err(NerError::Unavailable(missing));
        }
        match self.backend {
            NerBackend::Perceptron => Ok(NerStage::new(Arc::new(Model::load(&dir)?))),
            #[cfg(feature = "transformer")]
            NerBackend::Candle | NerBackend::RustBert => {
                let tagger = transformer::build(self, ctx, &dir)?;
                Ok(NerStage {
                    tagger: Tagger::Transformer(tagger),
                })
            }
            #[cfg(not(feature = "transformer"))]
            NerBackend::Candle | NerBackend::RustBert => unreachable!("checked by unavailable()"),
        }
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
    #[cfg(feature = "transformer")]
    Transformer(transformer::Transformer),
}

thread_local! {
    static SCRATCH: RefCell<(features::Scratch, features::DocCtx, Vec<Tagged>)> =
        RefCell::new(Default::default());
}

/// A document's tokens as words, and its sentences as token ranges.
pub(crate) type Words<'a> = (Vec<&'a str>, Vec<Range<usize>>);

/// A document's words and sentences (the whole document when it has no sentence layer).
pub(crate) fn words_of(doc: &Document) -> Result<Words<'_>, StageError> {
    doc.words("ner")
}

pub(crate) fn entity(doc: &Document, tokens: Range<usize>, label: &str, score: f32) -> Entity {
    Entity {
        span: Span::new(
            doc.tokens[tokens.start].span.start,
            doc.tokens[tokens.end - 1].span.end,
        ),
        tokens,
        label: label.to_string(),
        score,
        cluster: None,
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
            #[cfg(feature = "transformer")]
            Tagger::Transformer(..) => None,
        }
    }
}

impl Stage for NerStage {
    fn info(&self) -> StageInfo {
        <NerConfig as StageConfig>::INFO
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
            #[cfg(feature = "transformer")]
            Tagger::Transformer(t) => t.tag(docs),
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

#[cfg(all(test, feature = "train"))]
mod tests;
