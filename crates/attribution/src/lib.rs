//! caveat's attribution stage: who said or believes what.
//!
//! The stage finds source–cue–content triples of reported speech and attributed belief in
//! news text — `According to The Guardian, ...`, `Reuters, citing the NIS, reported ...`,
//! `"...," she said`, `..., said John Smith, a spokesman` — and fills the document's
//! [`Attribution`](caveat_core::Attribution) layer.
//!
//! * **Cues** are found by a cue lexicon (words with their counts inside and outside cues on
//!   an annotated corpus, see [`Lexicon`]) and an averaged perceptron that decides, for every
//!   candidate occurrence, from its context (neighbouring words and shapes, quotation marks,
//!   "that"-complements, its prior, the previous decision) whether it is (part of) a cue.
//!   Adjacent accepted tokens form one multi-word cue (`has said`, `according to`).
//! * **Sources** are chosen by a second perceptron ranking the words of the sentence (and a
//!   "no source" option) for the cue; the winner is grown into a noun phrase. Pronouns are
//!   kept as sources. A source overlapping an entity of the entity layer is linked to it
//!   (`source_entity`). Vague sources ("officials", "some experts", "a source familiar
//!   with", no source at all) are flagged `vague`.
//! * **Content** is the clause on the other side of the cue: after it (`said that ...`, and
//!   always for a participle cue: `..., adding that ...`), or before it for quote-final and
//!   inverted cues (`"...," said X`).
//! * **Kind and quotation**: the cue says whether the attribution reports speech
//!   (`statement`: said, according to), a `belief` (believes, expects, fears) or a
//!   `perception` (saw, heard, found); `quote` is set when the content is inside quotation
//!   marks.
//! * **Chains**: in `Reuters, citing the NIS, reported X` both `reported` (source Reuters)
//!   and `citing` (source the NIS) are attributions; the *outer* one's
//!   [`cites`](caveat_core::Attribution::cites) is the index of the *inner* (cited) one,
//!   and the inner one gets the outer one's content.
//! * **Hedges**: a hedge that is (part of) an attribution's cue or source ("alleges", "some
//!   experts"), or lies in its content, gets `Hedge.attribution = Some(index)` (the shortest
//!   containing content wins; on a tie, the outer attribution of a chain).
//!
//! Without a model file (`model = ""`), a rule fallback accepts lexicon words with a high
//! prior outside quotations and takes the nearest name or pronoun before the cue as source.
//!
//! A source is the whole phrase a reader would quote: its noun phrase up to the cue, an
//! appositive or relative clause between commas (`Laurence Tribe, a law professor, said`), an
//! appositive after an inverted cue (`said John Smith, a spokesman for the group.`). A content
//! stays in the cue's sentence unless it is a quotation: then it runs over the quotation's
//! sentences and around its source (`"First," X said. "Second."`, `"My hope," he said, "is
//! ..."`), never over a paragraph break. A content ends before a clause of its own after a
//! comma (`, which ...`, `, while ...`, `, contradicting ...`). Every attribution has a cue
//! and, unless it cites, a content; `score` is the cue's confidence.
//!
//! The shipped model (`models/attribution/`, see its README) was trained on PolNeAR train with
//! `caveat train attribution` (its code is the `training` and `brat` modules, behind the
//! feature `train`); `examples/polnear_eval.rs` scores a PolNeAR-layout directory
//! like the project's scorer, and `examples/show.rs` prints what the stage finds in a text.
//!
//! The work is linear in the number of tokens: only lexicon candidates are scored, each with
//! a fixed number of hashed features, and each cue looks at a bounded window for its source.
//!
//! **Transformer backends** (`backend = "candle"` or `"rust-bert"`, cargo feature
//! `transformer`): a token-classification model (`models/attribution-minilm`: MiniLM
//! fine-tuned on PolNeAR) tags every word `O` or `B-`/`I-` `CUE`, `SOURCE`, `CONTENT`, with
//! the document's neighbouring sentences as context; [`tagged`] assembles the spans into
//! relations (each cue with its nearest source in its sentence and its nearest content,
//! which may run over several sentences), and the links above (vagueness, kind, quotation,
//! chains, entities, hedges) are filled the same way. The lexicon is still read, for the
//! word classes of those links.

#[cfg(feature = "train")]
pub mod brat;
mod extract;
mod lexicon;
mod model;
pub mod tagged;
#[cfg(feature = "train")]
pub mod training;
#[cfg(feature = "transformer")]
mod transformer;

use std::path::{Path, PathBuf};

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Layer, Link, Stage, StageConfig, StageError,
    StageInfo, Unavailable,
};
use serde::{Deserialize, Serialize};

pub use extract::DEFAULT_VAGUE;
pub use lexicon::{Lexicon, LexiconFile, MIN_PRIOR};

/// Which model finds the attributions.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Deserialize, Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum AttributionBackend {
    /// The cue and source perceptrons of this crate (`model.txt`) with rule-based contents.
    Perceptron,
    /// A token-classification model (CUE / SOURCE / CONTENT tags) run by candle (pure Rust).
    Candle,
    /// The same kind of model run by rust-bert on libtorch (cargo feature `rust-bert`).
    RustBert,
}

impl caveat_core::OptionType for AttributionBackend {
    fn option_type() -> String {
        "\"perceptron\" | \"candle\" | \"rust-bert\"".to_string()
    }
}

impl AttributionBackend {
    /// The cargo feature of `caveat-cli` that builds this backend in.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            AttributionBackend::Perceptron => None,
            AttributionBackend::Candle => Some("transformer"),
            AttributionBackend::RustBert => Some("rust-bert"),
        }
    }

    /// Whether this build has the backend.
    pub fn available(self) -> bool {
        match self {
            AttributionBackend::Perceptron => true,
            AttributionBackend::Candle => cfg!(feature = "transformer"),
            AttributionBackend::RustBert => cfg!(feature = "rust-bert"),
        }
    }
}

stage_options! {
    /// Options of the attribution stage as written in a `[[stages]]` table.
    #[derive(Debug, Clone)]
    pub struct AttributionConfig {
        /// Cue lexicon (TOML, see [`Lexicon`]: a [words] table of `word = [times in a cue,
        /// times in text]`), relative to the pipeline file.
        #[ty = "path"]
        pub cues: String = "../models/attribution/cues.toml".into(),
        /// perceptron: the weights for cue and source decisions ("" uses the rule fallback);
        /// candle / rust-bert: the model directory (config.json, tokenizer.json,
        /// model.safetensors), e.g. ../models/attribution-minilm.
        #[ty = "path"]
        pub model: String = "../models/attribution/model.txt".into(),
        /// perceptron: the fast cue and source perceptrons; candle: a token-classification
        /// model tagging CUE / SOURCE / CONTENT in pure Rust (a build with the cargo feature
        /// `transformer`); rust-bert: the same model on libtorch (feature `rust-bert`).
        pub backend: AttributionBackend = AttributionBackend::Perceptron,
        /// Words that make a source vague or anonymous ("officials", "critics", ...).
        pub vague_sources: Vec<String> = DEFAULT_VAGUE.iter().map(|s| s.to_string()).collect(),
        /// Minimum cue confidence in (0, 1); lower finds more cues, higher is more precise.
        /// Transformer backends: a cue's confidence is the smallest probability of its words'
        /// tags.
        pub min_score: f32 = 0.5,
        /// Keep only attributions whose cue reports speech or writing, a belief or a
        /// perception (`said`, `according to`, `alleges`, `believes`, `found`, `criticized`);
        /// false keeps every cue the model finds, PolNeAR's broad notion of attribution
        /// included (`voted`, `was approved`, `offers`).
        pub reporting_only: bool = true,
        /// Transformer backends: longest window in subwords, [CLS] and [SEP] included.
        pub max_length: usize = 128,
        /// Transformer backends: subwords of context on each side of the pieces of a sentence
        /// longer than a window.
        pub stride: usize = 32,
        /// Transformer backends: windows per forward pass.
        pub batch_size: usize = 16,
        /// candle backend: "int8" quantises the encoder's linear layers once at load time
        /// (int8 weights per output row, activations on the fly; the classifier stays fp32);
        /// "none" runs fp32. rust-bert runs fp32 only.
        pub quantize: caveat_core::Quantize = caveat_core::Quantize::None,
        /// Transformer backends: fill each window with consecutive sentences (the model was
        /// trained so); false runs one sentence per window.
        pub pack_sentences: bool = true,
    }
}

/// Errors of building the attribution stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum AttributionError {
    /// A file could not be read.
    #[error("cannot read {what} `{}`: {source} (check the `{what}` option of the attribution stage; relative paths are relative to the pipeline file)", path.display())]
    Io {
        /// Which option named the file.
        what: &'static str,
        /// The resolved path.
        path: PathBuf,
        /// The underlying error.
        source: std::io::Error,
    },
    /// The cue lexicon is malformed.
    #[error("bad cue lexicon `{}`: {message} (expected a `[words]` table of `word = [in_cue, total]`)", path.display())]
    Lexicon {
        /// The file.
        path: PathBuf,
        /// What is wrong, with line and column.
        message: String,
    },
    /// The model file is malformed.
    #[error("bad attribution model `{}`, line {line}: {message}", path.display())]
    Model {
        /// The file.
        path: PathBuf,
        /// 1-based line number.
        line: usize,
        /// What is wrong.
        message: String,
    },
    /// An option has an invalid value.
    #[error("attribution option `{option}`: {message}")]
    Option {
        /// The option's name.
        option: &'static str,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The transformer model directory does not exist.
    #[error("attribution model directory `{}` not found (check the `model` option; relative paths are relative to the pipeline file; models/attribution-minilm is assembled by scripts/fetch-models)", path.display())]
    ModelDir {
        /// The resolved path.
        path: PathBuf,
    },
    /// A transformer model could not be loaded.
    #[cfg(feature = "transformer")]
    #[error(transparent)]
    Transformer(#[from] caveat_transformer::TransformerError),
    /// The config asks for a backend this build lacks.
    #[error("{0}")]
    Unavailable(Unavailable),
}

impl StageConfig for AttributionConfig {
    const INFO: StageInfo = StageInfo::new(
        "attribution",
        &[Layer::Tokens, Layer::Sentences],
        &[Layer::Attributions],
    )
    .with_links(&[Link::HedgeAttribution]);

    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        let mut v = vec![("cues", ctx.resolve(&self.cues))];
        match self.backend {
            AttributionBackend::Perceptron if !self.model.is_empty() => {
                v.push(("model", ctx.resolve(&self.model)));
            }
            AttributionBackend::Perceptron => {}
            // The other files are checked when the model loads, with a hint on how to get them.
            AttributionBackend::Candle | AttributionBackend::RustBert => {
                v.push(("model", ctx.resolve(&self.model).join("config.json")));
            }
        }
        v
    }

    fn unavailable(&self) -> Option<Unavailable> {
        let feature = self
            .backend
            .feature()
            .filter(|_| !self.backend.available())?;
        Some(Unavailable::cargo_feature("backend", feature))
    }

    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        Ok(Box::new(AttributionConfig::build(self, ctx)?))
    }
}

impl AttributionConfig {
    /// Load the lexicon and model.
    pub fn build(&self, ctx: &BuildContext) -> Result<AttributionStage, AttributionError> {
        if !(self.min_score > 0.0 && self.min_score < 1.0) {
            return Err(AttributionError::Option {
                option: "min_score",
                message: format!(
                    "must be between 0 and 1 (exclusive), got {}",
                    self.min_score
                ),
            });
        }
        let read = |what: &'static str, path: &Path| {
            std::fs::read_to_string(path).map_err(|source| AttributionError::Io {
                what,
                path: path.to_path_buf(),
                source,
            })
        };
        if let Some(missing) = StageConfig::unavailable(self) {
            return Err(AttributionError::Unavailable(missing));
        }
        self.quantize
            .check_backend(match self.backend {
                AttributionBackend::Perceptron => "perceptron",
                AttributionBackend::Candle => "candle",
                AttributionBackend::RustBert => "rust-bert",
            })
            .map_err(|message| AttributionError::Option {
                option: "quantize",
                message,
            })?;
        let cues_path = ctx.resolve(&self.cues);
        let lexicon = Lexicon::parse(&read("cues", &cues_path)?, &cues_path)?;
        if self.backend != AttributionBackend::Perceptron {
            let dir = ctx.resolve(&self.model);
            if !dir.is_dir() {
                return Err(AttributionError::ModelDir { path: dir });
            }
            #[cfg(feature = "transformer")]
            {
                let opts = caveat_transformer::TaggerOptions {
                    max_length: self.max_length,
                    stride: self.stride,
                    batch_size: self.batch_size,
                    pack: self.pack_sentences,
                };
                let t = transformer::Transformer::load(
                    &dir,
                    self.backend == AttributionBackend::RustBert,
                    opts,
                    self.quantize,
                )?;
                let mut stage = AttributionStage::new(
                    lexicon,
                    model::Model::empty(),
                    &self.vague_sources,
                    self.min_score,
                );
                stage.res.reporting_only = self.reporting_only;
                stage.tagger = Some(t);
                return Ok(stage);
            }
        }
        let model = if self.model.is_empty() {
            model::Model::empty()
        } else {
            let p = ctx.resolve(&self.model);
            model::Model::parse(&read("model", &p)?, &p)?
        };
        let mut stage = AttributionStage::new(lexicon, model, &self.vague_sources, self.min_score);
        stage.res.reporting_only = self.reporting_only;
        Ok(stage)
    }
}

/// The built attribution stage (shared by all threads).
#[derive(Debug, Clone)]
pub struct AttributionStage {
    res: extract::Resources,
    /// The transformer backend, when the stage runs one.
    #[cfg(feature = "transformer")]
    tagger: Option<transformer::Transformer>,
    /// Smallest cue confidence kept from tagged spans.
    min_score: f32,
}

impl AttributionStage {
    fn new(lexicon: Lexicon, model: model::Model, vague: &[String], min_score: f32) -> Self {
        AttributionStage {
            res: extract::Resources::new(lexicon, model, vague, min_score),
            #[cfg(feature = "transformer")]
            tagger: None,
            min_score,
        }
    }

    /// A stage with the rule fallback only (no model), for a lexicon built in code.
    pub fn with_rules(lexicon: Lexicon) -> Self {
        let vague: Vec<String> = DEFAULT_VAGUE.iter().map(|s| s.to_string()).collect();
        AttributionStage::new(lexicon, model::Model::empty(), &vague, 0.5)
    }

    /// Annotate one document with the perceptron backend (infallible; the same as
    /// [`Stage::process`] when the stage runs no transformer).
    pub fn annotate(&self, doc: &mut Document) {
        doc.attributions.clear();
        for h in &mut doc.hedges {
            h.attribution = None;
        }
        extract::extract(doc, &self.res);
    }

    /// Annotate one document from tagged cue, source and content spans over its tokens (what
    /// the transformer backends do with their model's spans): the relations are assembled by
    /// [`tagged::assemble`], cues below `min_score` are dropped, and the links (vagueness,
    /// kind, quotation, chains, entities, hedges) are filled as for the perceptron.
    pub fn annotate_tagged(&self, doc: &mut Document, spans: &[tagged::RoleSpan]) {
        doc.attributions.clear();
        for h in &mut doc.hedges {
            h.attribution = None;
        }
        let kept: Vec<tagged::RoleSpan> = spans
            .iter()
            .filter(|s| s.role != tagged::Role::Cue || s.score >= self.min_score)
            .cloned()
            .collect();
        let rels = tagged::assemble(doc, &kept);
        extract::from_relations(doc, &self.res, &rels);
    }
}

impl Stage for AttributionStage {
    fn info(&self) -> StageInfo {
        <AttributionConfig as StageConfig>::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.process_batch(std::slice::from_mut(doc))
            .pop()
            .unwrap_or(Ok(()))
    }

    fn process_batch(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
        #[cfg(feature = "transformer")]
        if let Some(t) = &self.tagger {
            let spans = t.spans(docs);
            return docs
                .iter_mut()
                .zip(spans)
                .map(|(doc, spans)| {
                    self.annotate_tagged(doc, &spans?);
                    Ok(())
                })
                .collect();
        }
        docs.iter_mut()
            .map(|doc| {
                self.annotate(doc);
                Ok(())
            })
            .collect()
    }
}

#[cfg(test)]
mod tests;
