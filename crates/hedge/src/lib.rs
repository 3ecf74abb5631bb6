//! caveat's hedge stage: finds the words that mark a claim as uncertain, unverified or
//! attributed (*may*, *alleges*, *according to*, *some experts*), and flags uncertain
//! sentences.
//!
//! The stage (`type = "hedge"`, needs tokens and sentences, provides hedges) combines two
//! cue finders:
//!
//! * a **lexicon** ([`Lexicon`]): a TOML file of cue words and phrases with a
//!   [`HedgeCategory`] each, inflections generated from lemmas, and named context rules that
//!   veto a match (the month *May*, *insurance claims*, *the expected guests*) or mark it
//!   negated (*no doubt*, *not likely*). Users extend or swap the file without recompiling.
//! * a **cue tagger** ([`Tagger`], `mode = "tagger"`, the default): an averaged perceptron
//!   trained on the Szeged uncertainty corpus and BioScope that decides per occurrence
//!   whether a word is a hedge cue in its context (`models/hedge-tagger`, see its model
//!   card). Lexicon matches always stand unless a context rule vetoes them — except groups
//!   marked `defer = true` (ambiguous words such as *could*, *if*, *considered*), which the
//!   tagger decides; the tagger also adds cues the lexicon lacks (*would*, *view*, *seen*).
//!
//! **Transformer backends** (`backend = "candle"` or `"rust-bert"`, cargo feature
//! `transformer`, with `mode = "tagger"`): a token-classification model of hedge cues
//! (`models/hedge-minilm`: MiniLM-L6 fine-tuned on the Szeged Wikipedia and biomedical
//! corpora, labels `B-`/`I-` + category) reads every word in the context of its sentence and
//! neighbours, and takes the perceptron's place: lexicon matches still stand unless a rule
//! vetoes them, deferred ones stand only when the model tags them, the model adds its own
//! cues with the categories of its labels, and the lexicon's `negation` rule applies to them
//! (see [`TokenCue`] and [`HedgeStage::annotate_with_cues`]).
//!
//! Behind the feature `train` (on by default): `train` trains a tagger (`train::train`,
//! `train::Trained::save`; the command is `caveat train hedge`), `corpus` reads Szeged /
//! BioScope XML, and `eval` scores hedges exactly like the project's scorer
//! (`tools/eval/score hedge`). Examples: `hedge_eval` (dev scores), `hedge_corpus` (show
//! hedges in a JSONL corpus, measure speed).
//!
//! Every [`Hedge`] has a byte span into the original text, a category, its sentence, a score
//! (1 for lexicon cues, the tagger's probability otherwise), `negated`, and `attribution:
//! None` (the attribution stage fills that in). Each sentence gets `uncertain` (any hedge
//! that is not negated) and `uncertainty = 1 - Π(1 - score)` over those hedges.
//!
//! Context decides more than the cue word: *would*, *could*, *will* and *should* are
//! `condition` only in a sentence with a conditional marker (*if*, *unless*, *provided
//! that*; not *as if*) and `epistemic` elsewhere; the lexicon's `negation` rule applies to
//! the tagger's cues too (*need not fear*, *no need to speculate*); and in news a *would*
//! outside reported speech, past narrative and conditionals is a hypothesis (*the bill would
//! require*). `testdata/news_check.txt` is a check set of hedged news sentences written for
//! the project (see `eval::NEWS_CHECK`).
//!
//! # Lexicon format
//!
//! ```toml
//! [lexicon]
//! name = "my-hedges"
//!
//! # A context rule: `veto` drops the match, `negate` keeps it with `negated = true`,
//! # `require` drops it unless a condition holds. A rule holds when any of its `when`
//! # conditions holds; all keys of one condition must hold.
//! [rules.month]
//! effect = "veto"
//! when = [
//!   { next_kind = "number" },                         # May 5, May 2024
//!   { prev = ["in", "since", "until", "early"] },     # in May
//!   { capitalized = true, sentence_initial = false }, # ... Theresa May said
//! ]
//!
//! [[cues]]
//! category = "epistemic"       # epistemic doxastic investigation condition evidential weasel
//! words = ["may"]
//! rules = ["month"]
//!
//! [[cues]]
//! category = "doxastic"
//! inflect = "verb"             # allege -> alleges alleged allegedly alleging
//! words = ["allege", "speculate", "critics say*"]   # `*`: the word to inflect (default: last)
//! rules = ["negation"]
//! score = 0.9                  # optional, default 1
//! defer = false                # optional: true lets the tagger decide each occurrence
//! ```
//!
//! Condition keys: `prev` (one of these words among the `prev_window` tokens before the cue,
//! default 1), `prev_phrase` (one of these phrases, such as `"no need to"`, ends within the
//! `prev_window` tokens before the cue), `next` (the token after), `prev_kind` / `next_kind` (`word`, `number`,
//! `punct`, or `none` at a sentence edge), `capitalized` (the cue's first letter),
//! `prev_capitalized` / `next_capitalized` (the neighbouring token's), `sentence_initial` (no
//! word before it in the sentence). Matching is case-insensitive, on
//! whole tokens, and a cue word may span tokens the tokenizer split without a gap (`don't`).
//! Overlapping matches of one category keep the longest; different categories may overlap
//! (`many believe` weasel over `believe` doxastic). Errors name the file, line and column.
//!
//! The default lexicon is `models/hedge-lexicon/lexicon.toml` (see its README for sources).

mod combine;
mod context;
mod lexicon;
#[cfg(feature = "transformer")]
mod transformer;

#[cfg(feature = "train")]
pub mod corpus;
#[cfg(feature = "train")]
pub mod eval;
pub mod tagger;
#[cfg(feature = "train")]
pub mod train;

use std::path::PathBuf;

use caveat_core::{
    stage_options, BoxError, BuildContext, Document, Hedge, HedgeCategory, Layer, Link, Stage,
    StageConfig, StageError, StageInfo, Unavailable,
};
use serde::{Deserialize, Serialize};

pub use combine::TokenCue;
pub use lexicon::{noun_forms, verb_forms, Lexicon, LexiconMatch, RuleEffect};
pub use tagger::Tagger;

/// How the stage finds cues.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum HedgeMode {
    /// Lexicon matches only.
    Lexicon,
    /// The trained cue tagger, combined with the lexicon (lexicon cues always stand, except
    /// those of `defer = true` groups, which the tagger decides).
    #[default]
    Tagger,
}

impl caveat_core::OptionType for HedgeMode {
    fn option_type() -> String {
        "\"lexicon\" | \"tagger\"".to_string()
    }
}

/// Which cue tagger decides in `mode = "tagger"`.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "kebab-case")]
pub enum HedgeBackend {
    /// The averaged-perceptron cue tagger of this crate (`models/hedge-tagger`).
    #[default]
    Perceptron,
    /// A token-classification cue model (labels `B-`/`I-` + hedge category) run by candle
    /// (pure Rust; cargo feature `transformer`).
    Candle,
    /// The same kind of model run by rust-bert on libtorch (cargo feature `rust-bert`).
    RustBert,
}

impl caveat_core::OptionType for HedgeBackend {
    fn option_type() -> String {
        "\"perceptron\" | \"candle\" | \"rust-bert\"".to_string()
    }
}

impl HedgeBackend {
    /// The cargo feature of `caveat-cli` that builds this backend in.
    pub fn feature(self) -> Option<&'static str> {
        match self {
            HedgeBackend::Perceptron => None,
            HedgeBackend::Candle => Some("transformer"),
            HedgeBackend::RustBert => Some("rust-bert"),
        }
    }

    /// Whether this build has the backend.
    pub fn available(self) -> bool {
        match self {
            HedgeBackend::Perceptron => true,
            HedgeBackend::Candle => cfg!(feature = "transformer"),
            HedgeBackend::RustBert => cfg!(feature = "rust-bert"),
        }
    }

    fn is_transformer(self) -> bool {
        self != HedgeBackend::Perceptron
    }
}

stage_options! {
    /// Options of the hedge stage as written in a `[[stages]]` table.
    #[derive(Debug, Clone)]
    pub struct HedgeConfig {
        /// Hedge lexicon (TOML: cues, categories, inflections, context rules), relative to the
        /// pipeline file; "" for none (tagger only).
        #[ty = "path"]
        pub lexicon: String = "../models/hedge-lexicon/lexicon.toml".to_string(),
        /// "lexicon": lexicon matches only; "tagger": trained cue tagger plus the lexicon.
        pub mode: HedgeMode = HedgeMode::default(),
        /// Cue tagger model directory, relative to the pipeline file; used when mode =
        /// "tagger". perceptron: model.toml, cues.tsv, weights.tsv; candle / rust-bert:
        /// config.json, tokenizer.json, model.safetensors (e.g. ../models/hedge-minilm).
        #[ty = "path"]
        pub model: String = "../models/hedge-tagger".to_string(),
        /// The cue tagger of mode = "tagger": "perceptron" (fast); "candle": a
        /// token-classification cue model in pure Rust (a build with the cargo feature
        /// `transformer`); "rust-bert": the same model on libtorch (feature `rust-bert`).
        pub backend: HedgeBackend = HedgeBackend::default(),
        /// Tagger probability at or above which a word is a cue (default: the perceptron
        /// model's own; 0.5 for the transformer backends, whose probability is 1 - P(O)).
        pub threshold: Option<f32> = None,
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

impl StageConfig for HedgeConfig {
    const INFO: StageInfo = StageInfo::new(
        "hedge",
        &[Layer::Tokens, Layer::Sentences],
        &[Layer::Hedges],
    )
    .with_links(&[Link::SentenceUncertainty]);

    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        let mut v = Vec::new();
        if !self.lexicon.is_empty() {
            v.push(("lexicon", ctx.resolve(&self.lexicon)));
        }
        if self.mode == HedgeMode::Tagger {
            let dir = ctx.resolve(&self.model);
            if self.backend.is_transformer() {
                // The other files are checked when the model loads, with a hint on how to
                // get them.
                v.push(("model", dir.join("config.json")));
            } else {
                v.push(("model", dir.join(tagger::MODEL_FILE)));
                v.push(("model", dir.join(tagger::CUES_FILE)));
                v.push(("model", dir.join(tagger::WEIGHTS_FILE)));
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
        Ok(Box::new(HedgeConfig::build(self, ctx)?))
    }
}

impl HedgeConfig {
    /// Load the lexicon (and the tagger model) once.
    pub fn build(&self, ctx: &BuildContext) -> Result<HedgeStage, HedgeError> {
        if let Some(t) = self.threshold {
            if !(0.0..=1.0).contains(&t) {
                return Err(HedgeError::Config(format!(
                    "threshold must be in [0, 1], got {t}"
                )));
            }
        }
        let lexicon = if self.lexicon.is_empty() {
            None
        } else {
            Some(Lexicon::load(ctx.resolve(&self.lexicon))?)
        };
        if self.backend.is_transformer() && self.mode != HedgeMode::Tagger {
            return Err(HedgeError::Config(format!(
                "backend = \"{}\" is a cue tagger: it needs mode = \"tagger\" (or leave \
                 `backend` out for the lexicon alone)",
                if self.backend == HedgeBackend::Candle {
                    "candle"
                } else {
                    "rust-bert"
                }
            )));
        }
        if let Some(missing) = StageConfig::unavailable(self) {
            return Err(HedgeError::Unavailable(missing));
        }
        self.quantize
            .check_backend(match self.backend {
                HedgeBackend::Perceptron => "perceptron",
                HedgeBackend::Candle => "candle",
                HedgeBackend::RustBert => "rust-bert",
            })
            .map_err(|message| HedgeError::Config(format!("`quantize`: {message}")))?;
        if self.backend.is_transformer() {
            let dir = ctx.resolve(&self.model);
            if !dir.is_dir() {
                return Err(HedgeError::ModelDir { path: dir });
            }
            #[cfg(feature = "transformer")]
            {
                let opts = caveat_transformer::TaggerOptions {
                    max_length: self.max_length,
                    stride: self.stride,
                    batch_size: self.batch_size,
                    pack: self.pack_sentences,
                };
                let model = transformer::Transformer::load(
                    &dir,
                    self.backend == HedgeBackend::RustBert,
                    opts,
                    self.quantize,
                )?;
                return Ok(HedgeStage {
                    lexicon,
                    tagger: None,
                    model: Some(model),
                    model_threshold: self.threshold.unwrap_or(DEFAULT_MODEL_THRESHOLD),
                });
            }
        }
        let tagger = match self.mode {
            HedgeMode::Lexicon => None,
            HedgeMode::Tagger => {
                let mut t = Tagger::load(ctx.resolve(&self.model))?;
                if let Some(th) = self.threshold {
                    t.set_threshold(th);
                }
                Some(t)
            }
        };
        if lexicon.is_none() && tagger.is_none() {
            return Err(HedgeError::Config(
                "mode = \"lexicon\" needs a lexicon: set `lexicon` to a file".to_string(),
            ));
        }
        Ok(HedgeStage::new(lexicon, tagger))
    }
}

/// The cue threshold of the transformer backends when the `threshold` option is not set.
pub const DEFAULT_MODEL_THRESHOLD: f32 = 0.5;

/// The built hedge stage; shared by all worker threads.
#[derive(Debug)]
pub struct HedgeStage {
    lexicon: Option<Lexicon>,
    tagger: Option<Tagger>,
    /// The transformer cue model, when the stage runs one.
    #[cfg(feature = "transformer")]
    model: Option<transformer::Transformer>,
    /// Cue threshold of the transformer model.
    #[cfg_attr(not(feature = "transformer"), allow(dead_code))]
    model_threshold: f32,
}

/// Errors of building the hedge stage.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum HedgeError {
    /// A file could not be read.
    #[error("cannot read {}: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The cause.
        source: std::io::Error,
    },
    /// The lexicon is malformed.
    #[error("{}:{line}:{column}: {message}", path.display())]
    Lexicon {
        /// The lexicon file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// 1-based column (0 when unknown).
        column: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The tagger model is malformed.
    #[error("{}:{line}: {message}", path.display())]
    Model {
        /// The model file.
        path: PathBuf,
        /// 1-based line (0 when unknown).
        line: usize,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// The stage options are inconsistent.
    #[error("hedge stage: {0}")]
    Config(String),
    /// The transformer model directory does not exist.
    #[error("hedge model directory `{}` not found (check the `model` option; relative paths are relative to the pipeline file; models/hedge-minilm is assembled by scripts/fetch-models)", path.display())]
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

impl HedgeStage {
    /// A stage from an already loaded lexicon and/or tagger.
    pub fn new(lexicon: Option<Lexicon>, tagger: Option<Tagger>) -> HedgeStage {
        HedgeStage {
            lexicon,
            tagger,
            #[cfg(feature = "transformer")]
            model: None,
            model_threshold: DEFAULT_MODEL_THRESHOLD,
        }
    }

    /// The lexicon, if any.
    pub fn lexicon(&self) -> Option<&Lexicon> {
        self.lexicon.as_ref()
    }

    /// The tagger, if any.
    pub fn tagger(&self) -> Option<&Tagger> {
        self.tagger.as_ref()
    }

    /// Find the hedges of a tokenized, sentence-split document (replacing `doc.hedges`) and
    /// set each sentence's `uncertain` and `uncertainty`. With a transformer backend, a
    /// document the model fails on gets no hedges ([`Stage::process`] reports the failure).
    pub fn annotate(&self, doc: &mut Document) {
        #[cfg(feature = "transformer")]
        if self.model.is_some() {
            if self.process(doc).is_err() {
                doc.hedges.clear();
                set_uncertainty(doc);
            }
            return;
        }
        annotate_with(doc, self.lexicon.as_ref(), self.tagger.as_ref());
    }

    /// Find the hedges of a document from a cue model's per-token output (what the
    /// transformer backends do with their model's probabilities): `cues` has one entry per
    /// token, and the lexicon is combined with it as the perceptron tagger is: lexicon
    /// matches stand unless a rule vetoes them, deferred ones only when the model tags them
    /// (at or above `threshold`); the model adds its cues with its labels' categories (also
    /// given to the scored lexicon matches it tags), never on vetoed tokens, and the
    /// lexicon's `negation` rule applies to them.
    pub fn annotate_with_cues(&self, doc: &mut Document, cues: &[TokenCue], threshold: f32) {
        annotate_cues(doc, self.lexicon.as_ref(), cues, threshold);
    }
}

/// Lexicon matches combined with a cue model's per-token output, then modal categories and
/// sentence uncertainty.
pub(crate) fn annotate_cues(
    doc: &mut Document,
    lexicon: Option<&Lexicon>,
    cues: &[TokenCue],
    threshold: f32,
) {
    let mut buf = String::new();
    let mut matches = Vec::new();
    let mut vetoed = Vec::new();
    if let Some(lex) = lexicon {
        lex.find_with_vetoed(
            &doc.text,
            &doc.tokens,
            &doc.sentences,
            &mut buf,
            &mut matches,
            &mut vetoed,
        );
    }
    combine::add_model_cues(doc, lexicon, &matches, &vetoed, cues, threshold);
    doc.hedges
        .sort_by_key(|h| (h.span.start, std::cmp::Reverse(h.span.end)));
    modal_categories(doc);
    set_uncertainty(doc);
}

/// Lexicon matches (without a tagger: all of them; with one: those not deferred), then the
/// tagger's cues (never on tokens a lexicon rule vetoed), then sentence uncertainty.
pub(crate) fn annotate_with(
    doc: &mut Document,
    lexicon: Option<&Lexicon>,
    tagger: Option<&Tagger>,
) {
    let mut buf = String::new();
    let mut matches = Vec::new();
    let mut vetoed = Vec::new();
    if let Some(lex) = lexicon {
        lex.find_with_vetoed(
            &doc.text,
            &doc.tokens,
            &doc.sentences,
            &mut buf,
            &mut matches,
            &mut vetoed,
        );
    }
    doc.hedges.clear();
    doc.hedges.extend(
        matches
            .iter()
            .filter(|m| tagger.is_none() || !m.defer)
            .map(|m| Hedge {
                span: m.span,
                category: m.category,
                sentence: m.sentence,
                score: m.score,
                negated: m.negated,
                attribution: None,
            }),
    );
    if let Some(tagger) = tagger {
        tagger.add_cues(doc, lexicon, &matches, &vetoed);
    }
    doc.hedges
        .sort_by_key(|h| (h.span.start, std::cmp::Reverse(h.span.end)));
    modal_categories(doc);
    set_uncertainty(doc);
}

/// Categories of modal cues from their sentence: *would*, *could*, *will*, *should* are
/// `condition` in a sentence with a conditional marker (*if*, *unless*, *provided that*,
/// *as long as*, ...; not *as if*) and `epistemic` elsewhere (*hopes the situation would be
/// resolved* is no condition). Other hedges keep their category.
fn modal_categories(doc: &mut Document) {
    let mut ctx = context::SentenceContext::default();
    let mut buf = String::new();
    for h in &mut doc.hedges {
        if !matches!(
            h.category,
            HedgeCategory::Epistemic | HedgeCategory::Condition
        ) {
            continue;
        }
        let Some(s) = doc.sentences.get(h.sentence) else {
            continue;
        };
        caveat_text::normalize::lower_into(
            h.span.slice(&doc.text),
            caveat_text::normalize::Apostrophes::QuotesAndModifier,
            &mut buf,
        );
        if !context::CONDITIONAL_MODALS.contains(&buf.as_str()) {
            continue;
        }
        ctx.fill(&doc.text, &doc.tokens, s.tokens.clone());
        h.category = if ctx.conditional(usize::MAX) {
            HedgeCategory::Condition
        } else {
            HedgeCategory::Epistemic
        };
    }
}

/// Set `uncertain` and `uncertainty` of every sentence from the document's hedges.
pub fn set_uncertainty(doc: &mut Document) {
    for s in &mut doc.sentences {
        s.uncertain = false;
        s.uncertainty = 0.0;
    }
    // `uncertainty` holds Π(1 - score) while accumulating.
    let mut keep = vec![1.0f32; doc.sentences.len()];
    for h in &doc.hedges {
        if h.negated {
            continue;
        }
        if let Some(k) = keep.get_mut(h.sentence) {
            *k *= 1.0 - h.score.clamp(0.0, 1.0);
            doc.sentences[h.sentence].uncertain = true;
        }
    }
    for (s, k) in doc.sentences.iter_mut().zip(keep) {
        if s.uncertain {
            s.uncertainty = (1.0 - k).clamp(0.0, 1.0);
        }
    }
}

impl Stage for HedgeStage {
    fn info(&self) -> StageInfo {
        <HedgeConfig as StageConfig>::INFO
    }

    fn process(&self, doc: &mut Document) -> Result<(), StageError> {
        self.process_batch(std::slice::from_mut(doc))
            .pop()
            .unwrap_or(Ok(()))
    }

    fn process_batch(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
        #[cfg(feature = "transformer")]
        if let Some(model) = &self.model {
            let cues = model.token_cues(docs);
            return docs
                .iter_mut()
                .zip(cues)
                .map(|(doc, cues)| {
                    annotate_cues(doc, self.lexicon.as_ref(), &cues?, self.model_threshold);
                    Ok(())
                })
                .collect();
        }
        docs.iter_mut()
            .map(|doc| {
                annotate_with(doc, self.lexicon.as_ref(), self.tagger.as_ref());
                Ok(())
            })
            .collect()
    }
}

/// The categories the Szeged-style scorer counts (evidential and weasel are not scored).
pub fn is_scored(c: HedgeCategory) -> bool {
    !matches!(c, HedgeCategory::Evidential | HedgeCategory::Weasel)
}

#[cfg(test)]
mod tagger_tests;
#[cfg(test)]
mod tests;
