//! The transformer backends of the attribution stage (cargo feature `transformer`): a
//! token-classification model with `CUE`, `SOURCE` and `CONTENT` labels (such as
//! `models/attribution-minilm`) run by `caveat-transformer` over the document's words; its
//! decoded spans are assembled into relations by [`crate::tagged::assemble`].

use std::ops::Range;
use std::path::Path;
use std::sync::Arc;

use caveat_core::{Document, StageError};
use caveat_transformer::{BackendKind, DocWords, Quantization, Tagger, TaggerOptions};

use crate::tagged::{Role, RoleSpan};
use crate::AttributionError;

/// A loaded tagger and the role of each of its label types.
#[derive(Debug, Clone)]
pub(crate) struct Transformer {
    tagger: Arc<Tagger>,
    /// Role of each entry of [`Tagger::types`] (`None`: a type this stage does not use).
    roles: Vec<Option<Role>>,
}

impl Transformer {
    /// Load the model directory `dir` with `backend`.
    pub(crate) fn load(
        dir: &Path,
        rust_bert: bool,
        opts: TaggerOptions,
        quantize: caveat_core::Quantize,
    ) -> Result<Transformer, AttributionError> {
        let kind = if rust_bert {
            BackendKind::RustBert
        } else {
            BackendKind::Candle
        };
        let quantization = match quantize {
            caveat_core::Quantize::None => Quantization::Fp32,
            caveat_core::Quantize::Int8 => Quantization::Int8,
        };
        let tagger = Tagger::load_quantized(dir, kind, opts, quantization)?;
        let roles: Vec<Option<Role>> = tagger.types().iter().map(|t| Role::from_label(t)).collect();
        if !roles.contains(&Some(Role::Cue)) {
            return Err(AttributionError::Option {
                option: "model",
                message: format!(
                    "the model in `{}` has no CUE label (its types: {}); an attribution \
                     model tags CUE, SOURCE and CONTENT",
                    dir.display(),
                    tagger.types().join(", ")
                ),
            });
        }
        Ok(Transformer {
            tagger: Arc::new(tagger),
            roles,
        })
    }

    /// Tag a batch of documents (their windows are batched together): each document's cue,
    /// source and content spans.
    pub(crate) fn spans(&self, docs: &[Document]) -> Vec<Result<Vec<RoleSpan>, StageError>> {
        let inputs: Vec<Result<Words<'_>, StageError>> = docs.iter().map(words_of).collect();
        let ok: Vec<DocWords<'_>> = inputs
            .iter()
            .flatten()
            .map(|(words, sentences)| DocWords { words, sentences })
            .collect();
        let mut probs = self.tagger.probs(&ok).into_iter();
        inputs
            .into_iter()
            .map(|input| {
                let (words, _) = input?;
                let p = probs
                    .next()
                    .ok_or_else(|| {
                        StageError::new("attribution", "the tagger returned too few documents")
                    })?
                    .map_err(|e| StageError::new("attribution", e.to_string()))?;
                Ok(self
                    .tagger
                    .labels()
                    .decode(&p, words.len())
                    .into_iter()
                    .filter_map(|s| {
                        Some(RoleSpan {
                            role: self.roles.get(s.ty).copied().flatten()?,
                            tokens: s.words,
                            score: s.score,
                        })
                    })
                    .collect())
            })
            .collect()
    }
}

/// A document's tokens as words, and its sentences as token ranges.
type Words<'a> = (Vec<&'a str>, Vec<Range<usize>>);

/// A document's words and sentences (the whole document when it has no sentence layer).
fn words_of(doc: &Document) -> Result<Words<'_>, StageError> {
    doc.words("attribution")
}
