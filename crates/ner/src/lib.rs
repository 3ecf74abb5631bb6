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
    /// The `combine` options do not fit the models.
    #[error("ner `combine`: {0}")]
    Combine(String),
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
    /// Transformer backends: a perceptron model directory whose label probabilities are mixed
    /// into the transformer's before decoding (empty: none). The two err in opposite
    /// directions: the uncased transformer tags lower-case words, the perceptron over-trusts
    /// capitals.
    pub combine: String,
    /// Weight of the `combine` model's probabilities, in `[0, 1]`.
    pub combine_weight: f32,
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
            combine: String::new(),
            combine_weight: 0.5,
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
        OptionDoc {
            name: "combine",
            ty: "path",
            default: "\"\"",
            help: "Transformer backends: a perceptron model directory (e.g. ../models/ner-fast) \
                   whose per-word label probabilities are pooled (weighted geometric mean) with \
                   the transformer's before decoding; empty for none",
        },
        OptionDoc {
            name: "combine_weight",
            ty: "float",
            default: "0.5",
            help: "Weight in [0, 1] of the `combine` model's probabilities",
        },
    ];

    /// Files the stage reads.
    pub fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        let dir = ctx.resolve(&self.model);
        match self.backend {
            NerBackend::Perceptron => vec![("model", dir.join("model.toml"))],
            // The other files are checked when the model loads, with a hint on how to get them.
            NerBackend::Candle | NerBackend::RustBert => {
                let mut files = vec![("model", dir.join("config.json"))];
                if !self.combine.is_empty() {
                    files.push(("combine", ctx.resolve(&self.combine).join("model.toml")));
                }
                files
            }
        }
    }

    /// Load the model once; the stage shares it between all threads.
    pub fn build(&self, ctx: &BuildContext) -> Result<NerStage, NerError> {
        if self.backend == NerBackend::Perceptron && !self.combine.is_empty() {
            return Err(NerError::Combine(
                "`combine` mixes a perceptron into a transformer model: set backend = \
                 \"candle\" or \"rust-bert\", or remove `combine`"
                    .into(),
            ));
        }
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
        let tagger = caveat_transformer::Tagger::load(&dir, kind, opts)?;
        let combine = if self.combine.is_empty() {
            None
        } else {
            if !(0.0..=1.0).contains(&self.combine_weight) {
                return Err(NerError::Combine(format!(
                    "combine_weight {} is not in [0, 1]",
                    self.combine_weight
                )));
            }
            let model = Model::load(ctx.resolve(&self.combine))?;
            let columns = combine_columns(tagger.labels(), model.labels())?;
            Some(Arc::new(Combine {
                model,
                weight: self.combine_weight,
                columns,
            }))
        };
        Ok(NerStage {
            tagger: Tagger::Transformer(Arc::new(tagger), combine),
        })
    }
}

/// A perceptron mixed into a transformer, per word and label, as a weighted geometric mean
/// (log-linear pool): `p ∝ p_transformer^(1 - weight) · max(p_perceptron, 1e-4)^weight`, then
/// the transformer's constrained decoding. The floor keeps the perceptron's hard zeros (tags
/// its BILOU constraints rule out) from vetoing the transformer. On CoNLL-2003 dev this pool
/// at weight 0.35 beat a linear pool (best 93.95 at 0.4) and both models alone.
#[derive(Debug)]
struct Combine {
    model: Model,
    weight: f32,
    /// For each transformer label, its column in [`Model::iob_marginals`].
    columns: Vec<usize>,
}

/// Where each IOB2 label of the transformer is in the perceptron's marginals.
fn combine_columns(
    labels: &caveat_transformer::labels::LabelSet,
    perceptron: &[String],
) -> Result<Vec<usize>, NerError> {
    use caveat_transformer::labels::Role;
    labels
        .tags
        .iter()
        .map(|t| {
            let ty = |ty: usize| {
                let name = &labels.types[ty];
                perceptron.iter().position(|l| l == name).ok_or_else(|| {
                    NerError::Combine(format!(
                        "the transformer's type `{name}` is not one of the perceptron's \
                         ({})",
                        perceptron.join(", ")
                    ))
                })
            };
            match t.role {
                Role::Outside => Ok(0),
                Role::Begin => Ok(1 + 2 * ty(t.ty)?),
                Role::Inside => Ok(2 + 2 * ty(t.ty)?),
                _ => Err(NerError::Combine(
                    "`combine` needs a transformer with IOB2 labels (O, B-X, I-X)".into(),
                )),
            }
        })
        .collect()
}

/// The `ner` stage: tags each sentence of a document and adds its entities.
#[derive(Debug, Clone)]
pub struct NerStage {
    tagger: Tagger,
}

#[derive(Debug, Clone)]
enum Tagger {
    Perceptron(Arc<Model>),
    Transformer(Arc<caveat_transformer::Tagger>, Option<Arc<Combine>>),
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
            Tagger::Transformer(..) => None,
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
            Tagger::Transformer(t, combine) => tag_transformer(t, combine.as_deref(), docs),
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

/// Mix the perceptron's IOB2 marginals `m` into the transformer's probabilities `p` (see
/// [`Combine`]). A word the transformer did not see (all-zero row) takes the perceptron's
/// probabilities alone.
fn mix(c: &Combine, p: &mut [f32], m: &[f32]) {
    let n = c.columns.len();
    let width = 1 + 2 * c.model.labels().len();
    for (row, mrow) in p.chunks_exact_mut(n).zip(m.chunks_exact(width)) {
        let w = if row.iter().all(|&x| x == 0.0) {
            1.0
        } else {
            c.weight
        };
        let mut sum = 0.0;
        for (x, &col) in row.iter_mut().zip(&c.columns) {
            *x = ((1.0 - w) * x.max(1e-12).ln() + w * mrow[col].max(1e-4).ln()).exp();
            sum += *x;
        }
        row.iter_mut().for_each(|x| *x /= sum);
    }
}

/// Tag all documents of a batch together, so the transformer batches windows across them.
fn tag_transformer(
    tagger: &caveat_transformer::Tagger,
    combine: Option<&Combine>,
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
        let mut probs = tagger.probs(&ok).into_iter();
        inputs
            .into_iter()
            .map(|input| {
                let (words, sentences) = input?;
                let mut p = probs
                    .next()
                    .ok_or_else(|| StageError::new("ner", "the tagger returned too few documents"))?
                    .map_err(|e| StageError::new("ner", e.to_string()))?;
                if let Some(c) = combine {
                    mix(c, &mut p, &c.model.iob_marginals(&words, &sentences));
                }
                Ok(tagger.labels().decode(&p, words.len()))
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
