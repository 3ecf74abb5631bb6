//! The core of caveat: the document model every stage works on.
//!
//! * [`Document`] owns an article's text, its id and pass-through metadata, and one typed
//!   layer per kind of annotation ([`Token`], [`Sentence`], [`Entity`], [`Hedge`],
//!   [`Attribution`], [`Cluster`]).
//! * [`Span`] is a `Copy` byte range into the document text. Spans never change the text;
//!   conversion to Unicode code points happens only at the output edge ([`CharMap`]).
//! * [`StageConfig`] is the factory side of a stage type: a config struct declared with
//!   [`stage_options!`] (options, defaults and help in one place) that builds the stage;
//!   [`Registry`] is the table of stage types a pipeline can name, open to other crates.
//! * [`Stage`] is the trait every pipeline stage implements: `&self`, `Send + Sync`, working on
//!   a batch of documents so model stages can batch across documents, and declaring the
//!   [`Layer`]s it needs and provides.
//!
//! This crate deliberately knows nothing about TOML, rayon, clap or model formats.

extern crate self as caveat_core;

/// serde, for the code [`stage_options!`] generates (a stage crate needs no serde of its own).
#[doc(hidden)]
pub use serde;

mod document;
mod error;
pub mod factory;
mod layers;
mod offsets;
mod options;
mod score;
mod span;
mod stage;

pub use document::Document;
pub use error::StageError;
pub use factory::{
    BoxError, OptionType, ParsedStage, Registry, StageConfig, StageFactory, StageOptions,
    Unavailable,
};
pub use layers::{
    Attribution, AttributionKind, Cluster, Entity, Hedge, HedgeCategory, Layer, Link, Sentence,
    Token, TokenKind,
};
pub use offsets::CharMap;
pub use options::{BuildContext, OptionDoc, Quantize};
pub use score::Prf;
pub use span::Span;
pub use stage::{Stage, StageInfo};
