//! Transformer token classification for caveat's `ner` stage, and for the `attribution`
//! stage's tagger backends (`models/attribution-minilm` tags CUE, SOURCE and CONTENT spans
//! with the same windows, backends and decoding).
//!
//! A model is a directory in Hugging Face layout ([`ModelDir`]): `config.json` (architecture,
//! `id2label`), `tokenizer.json` (read by the `tokenizers` crate) and `model.safetensors`. The
//! encoders people download for token classification run: `model_type` `bert` (BERT, MiniLM,
//! ...), `roberta`, `xlm-roberta`, `distilbert` and `deberta-v2` (DeBERTa-v2 and v3)
//! ([`Architecture`]), with their WordPiece, byte-level BPE or SentencePiece Unigram
//! tokenizers; any other `model_type` is refused with the list of these. The fine-tuned MiniLM
//! in `models/ner-minilm` runs once `scripts/fetch-models` has assembled it. [`inspect::inspect`] describes a directory
//! (`caveat models inspect`): architecture, labels, tokenizer, size, which backends run it,
//! and what is missing when none can.
//!
//! Both backends match Python `transformers` to 1e-4 on every architecture they run:
//! `tests/parity.rs` runs tiny random-weight models (`tests/data/tiny-*`, made with their
//! reference logits by `scripts/gen-tiny-models`) through tokenisation, windows and each
//! backend. DeBERTa-v2 runs on candle only: rust-bert 0.23's implementation does not match
//! `transformers`, so that backend refuses it and says why.
//!
//! The work is split so that everything but the matrix arithmetic is shared by the backends:
//!
//! * [`window`] turns a document's words and sentences into model windows: subword ids, token
//!   type ids (the casing classes of `models/ner-minilm`, see [`casing`]), and which window
//!   position predicts which word. Consecutive sentences are packed into one window; a sentence
//!   longer than the window is cut into overlapping pieces, each word predicted where it has the
//!   most context.
//! * A [`backend::Encoder`] maps a padded batch of windows to label logits. [`backend::Candle`] is
//!   pure Rust: caveat's own implementation of the post-LayerNorm encoder family
//!   ([`encoder`]: one forward pass, a table of weight names per architecture, DeBERTa's
//!   disentangled relative-position attention, every linear layer behind one internal type)
//!   on candle's tensors; [`Quantization::Int8`] runs its linear layers, softmax and GELU with
//!   `caveat-quant`'s int8 and vectorised kernels
//!   ([`Tagger::load_quantized`], the `ner` stage's `quantize = "int8"`).
//!   `backend::RustBert` (cargo feature `rust-bert`) runs rust-bert's BERT, RoBERTa and
//!   DistilBERT token classifiers on libtorch (not DeBERTa-v2, see above), one model per
//!   worker thread since rust-bert models are not `Sync`.
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
pub mod encoder;
mod error;
pub mod inspect;
pub mod labels;
mod model_dir;
mod tagger;
pub mod window;

pub use encoder::Architecture;
pub use error::TransformerError;
pub use inspect::Quantization;
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
    /// `candle` or `rust-bert`, as pipelines spell it.
    pub fn name(self) -> &'static str {
        match self {
            BackendKind::Candle => "candle",
            BackendKind::RustBert => "rust-bert",
        }
    }

    /// Whether this build of caveat includes the backend.
    pub fn available(self) -> bool {
        match self {
            BackendKind::Candle => true,
            BackendKind::RustBert => cfg!(feature = "rust-bert"),
        }
    }
}
