use std::path::PathBuf;

/// Errors of this crate: what went wrong, where, and how to fix it.
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TransformerError {
    /// A required file of the model directory is missing.
    #[error("model file `{}` not found: {hint}", path.display())]
    Missing {
        /// The file.
        path: PathBuf,
        /// How to get it.
        hint: String,
    },
    /// A model file exists but cannot be used.
    #[error("bad model file `{}`: {message}", path.display())]
    Malformed {
        /// The file.
        path: PathBuf,
        /// What is wrong and how to fix it.
        message: String,
    },
    /// A file could not be read or written.
    #[error("cannot access `{}`: {source}", path.display())]
    Io {
        /// The file.
        path: PathBuf,
        /// The I/O error.
        #[source]
        source: std::io::Error,
    },
    /// The backend was not compiled into this binary.
    #[error(
        "the {0} backend is not in this build of caveat; rebuild with \
         `scripts/with-libtorch cargo build --release --features rust-bert` \
         or use backend = \"candle\""
    )]
    Unavailable(&'static str),
    /// The backend cannot run the model in the asked weight format.
    #[error(
        "quantize = \"{quantization}\" is not supported by the {backend} backend; use \
         backend = \"candle\" or quantize = \"none\""
    )]
    Quantization {
        /// Which backend.
        backend: &'static str,
        /// The format asked for, as pipelines spell it.
        quantization: &'static str,
    },
    /// The backend failed while running the model.
    #[error("{backend} backend: {message}")]
    Backend {
        /// Which backend.
        backend: &'static str,
        /// Its message.
        message: String,
    },
    /// Tokenizing a document failed.
    #[error("tokenizer: {0}")]
    Tokenizer(String),
}
