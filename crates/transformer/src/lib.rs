//! Transformer token classification for caveat's `ner` stage, and for the `attribution`
//! stage's tagger backends (`models/attribution-minilm` tags CUE, SOURCE and CONTENT spans
//! with the same windows, backends and decoding).
//!
//! A model is a directory in Hugging Face layout ([`ModelDir`]): `config.json` (architecture,
//! `id2label`), `tokenizer.json` (read by the `tokenizers` crate) and `model.safetensors`. Any
//! BERT-family token-classification model downloaded from a hub into a folder works; so does the
//! fine-tuned MiniLM in `models/ner-minilm` once `scripts/fetch-models` has assembled it.
//!
//! The work is split so that everything but the matrix arithmetic is shared by the backends:
//!
//! * [`window`] turns a document's words and sentences into model windows: subword ids, token
//!   type ids (the casing classes of `models/ner-minilm`, see [`casing`]), and which window
//!   position predicts which word. Consecutive sentences are packed into one window; a sentence
//!   longer than the window is cut into overlapping pieces, each word predicted where it has the
//!   most context.
//! * A [`backend::Encoder`] maps a padded batch of windows to label logits. [`backend::Candle`] is
//!   pure Rust (candle); `backend::RustBert` (cargo feature `rust-bert`) runs rust-bert on
//!   libtorch, one model per worker thread since rust-bert models are not `Sync`.
//! * [`labels`] reads the label scheme (IOB2, IOBES/BILOU or plain labels) and decodes word
//!   label probabilities into entity spans with a constrained Viterbi, so every span is well
//!   formed; each span's score is the smallest probability of its words' labels.
//! * [`Tagger`] ties them together and batches windows across documents, sorted by length so
//!   padding stays small.
//! * [`delta`] assembles a model directory from a base encoder and a small committed delta.
//!
//! Offsets never leave this crate: input and output are word indices, and the `ner` stage maps
//! them back to byte spans of the original text.

pub mod backend;
pub mod delta;
mod error;
pub mod labels;
mod model_dir;
mod tagger;
pub mod window;

pub use error::TransformerError;
pub use model_dir::{HfConfig, ModelDir};
pub use tagger::{DocWords, Tagged, Tagger, TaggerOptions};
pub use window::casing;

/// Which backend runs the encoder.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BackendKind {
    /// candle, pure Rust.
    Candle,
    /// rust-bert on libtorch (cargo feature `rust-bert`).
    RustBert,
}

impl BackendKind {
    /// Whether this build of caveat includes the backend.
    pub fn available(self) -> bool {
        match self {
            BackendKind::Candle => true,
            BackendKind::RustBert => cfg!(feature = "rust-bert"),
        }
    }
}
