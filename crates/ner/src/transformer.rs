//! The transformer backends of the `ner` stage (cargo feature `transformer`): a Hugging Face
//! token-classification model run by `caveat-transformer`, optionally pooled with a perceptron
//! (`combine`).

use std::path::Path;
use std::sync::Arc;

use caveat_core::{BuildContext, Document, StageError};
use caveat_transformer::{BackendKind, Quantization};

use crate::calibration::{Calibration, CalibrationFile};
use crate::{entity, words_of, Model, NerBackend, NerConfig, NerError, Words};

/// A loaded transformer tagger and the perceptron pooled into it, if any.
#[derive(Debug, Clone)]
pub(crate) struct Transformer {
    tagger: Arc<caveat_transformer::Tagger>,
    combine: Option<Arc<Combine>>,
    calibration: Option<Arc<Calibration>>,
}

/// Load the transformer model in `dir` (and the `combine` perceptron) for `config`.
pub(crate) fn build(
    config: &NerConfig,
    ctx: &BuildContext,
    dir: &Path,
) -> Result<Transformer, NerError> {
    let kind = match config.backend {
        NerBackend::RustBert => BackendKind::RustBert,
        _ => BackendKind::Candle,
    };
    let opts = caveat_transformer::TaggerOptions {
        max_length: config.max_length,
        stride: config.stride,
        batch_size: config.batch_size,
        pack: config.pack_sentences,
    };
    let quantization = match config.quantize {
        caveat_core::Quantize::None => Quantization::Fp32,
        caveat_core::Quantize::Int8 => Quantization::Int8,
    };
    let tagger = caveat_transformer::Tagger::load_quantized(dir, kind, opts, quantization)?;
    let combine = if config.combine.is_empty() {
        None
    } else {
        if !(0.0..=1.0).contains(&config.combine_weight) {
            return Err(NerError::Combine(format!(
                "combine_weight {} is not in [0, 1]",
                config.combine_weight
            )));
        }
        let model = Model::load(ctx.resolve(&config.combine))?;
        let columns = combine_columns(tagger.labels(), model.labels())?;
        Some(Arc::new(Combine {
            model,
            weight: config.combine_weight,
            columns,
        }))
    };
    let calibration = if config.calibration.is_empty() {
        None
    } else {
        Some(Arc::new(load_calibration(
            &ctx.resolve(&config.calibration),
        )?))
    };
    Ok(Transformer {
        tagger: Arc::new(tagger),
        combine,
        calibration,
    })
}

/// Read a `[calibration]` file and check its knots.
fn load_calibration(path: &Path) -> Result<Calibration, NerError> {
    let text = std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.to_path_buf(),
        source,
    })?;
    let file: CalibrationFile = toml::from_str(&text)
        .map_err(|e| NerError::Calibration(format!("{}: {e}", path.display())))?;
    file.calibration
        .check()
        .map_err(|e| NerError::Calibration(format!("{}: {e}", path.display())))?;
    Ok(file.calibration)
}

impl Transformer {
    /// Tag a batch of documents.
    pub(crate) fn tag(&self, docs: &mut [Document]) -> Vec<Result<(), StageError>> {
        tag_transformer(
            &self.tagger,
            self.combine.as_deref(),
            self.calibration.as_deref(),
            docs,
        )
    }
}

/// A perceptron mixed into a transformer, per word and label, as a weighted geometric mean
/// (log-linear pool): `p ∝ p_transformer^(1 - weight) · max(p_perceptron, 1e-4)^weight`, then
/// the transformer's constrained decoding. The floor keeps the perceptron's hard zeros (tags
/// its BILOU constraints rule out) from vetoing the transformer. On CoNLL-2003 dev this pool
/// beat a linear pool and both models alone: with the CoNLL-only perceptron at weight 0.35
/// (94.41 vs 93.95 linear), with the distilled one, whose marginals are softer, at 0.5
/// (94.80; models/ner-minilm/README.md).
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
    calibration: Option<&Calibration>,
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
                .map(|s| {
                    let score = calibration.map_or(s.score, |c| c.apply(s.score));
                    entity(doc, s.words, &tagger.types()[s.ty], score)
                })
                .collect();
            Ok(())
        })
        .collect()
}
