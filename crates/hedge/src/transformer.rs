//! The transformer backends of the hedge stage (cargo feature `transformer`): a
//! token-classification model of hedge cues whose label types are hedge categories
//! (`B-EPISTEMIC`, `I-DOXASTIC`, ... such as `models/hedge-minilm`), run by
//! `caveat-transformer` over the document's words; [`crate::combine`] merges its per-token
//! output with the lexicon.

use std::path::Path;
use std::sync::Arc;

use caveat_core::{Document, HedgeCategory, StageError};
use caveat_transformer::{BackendKind, DocWords, Quantization, Tagger, TaggerOptions};

use crate::combine::TokenCue;
use crate::HedgeError;

/// A loaded cue model and the hedge category of each of its label types.
#[derive(Debug, Clone)]
pub(crate) struct Transformer {
    tagger: Arc<Tagger>,
    /// Category of each entry of [`Tagger::types`].
    categories: Vec<HedgeCategory>,
}

/// The hedge category named by a label type (`EPISTEMIC`, `doxastic`, ...).
pub(crate) fn category_of_type(ty: &str) -> Option<HedgeCategory> {
    HedgeCategory::ALL
        .into_iter()
        .find(|c| c.as_str().eq_ignore_ascii_case(ty))
}

impl Transformer {
    /// Load the model directory `dir` with the candle or (`rust_bert`) the libtorch backend.
    pub(crate) fn load(
        dir: &Path,
        rust_bert: bool,
        opts: TaggerOptions,
        quantize: caveat_core::Quantize,
    ) -> Result<Transformer, HedgeError> {
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
        let categories: Option<Vec<HedgeCategory>> =
            tagger.types().iter().map(|t| category_of_type(t)).collect();
        match categories {
            Some(categories) if !categories.is_empty() => Ok(Transformer {
                tagger: Arc::new(tagger),
                categories,
            }),
            _ => Err(HedgeError::Config(format!(
                "the model in `{}` has label types {} but a hedge cue model's types are hedge \
                 categories (B-/I- EPISTEMIC, DOXASTIC, INVESTIGATION, CONDITION, EVIDENTIAL, \
                 WEASEL); check the `model` option",
                dir.display(),
                if tagger.types().is_empty() {
                    "(none)".to_string()
                } else {
                    tagger.types().join(", ")
                }
            ))),
        }
    }

    /// Run the model over a batch of documents (their windows are batched together): one
    /// [`TokenCue`] per token of each document.
    pub(crate) fn token_cues(&self, docs: &[Document]) -> Vec<Result<Vec<TokenCue>, StageError>> {
        let inputs: Vec<Result<_, StageError>> = docs.iter().map(|d| d.words("hedge")).collect();
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
                        StageError::new("hedge", "the cue model returned too few documents")
                    })?
                    .map_err(|e| StageError::new("hedge", e.to_string()))?;
                Ok(self.cues_of(&p, words.len()))
            })
            .collect()
    }

    /// Per-word cues from label probabilities (`probs[w * labels + k]`).
    fn cues_of(&self, probs: &[f32], words: usize) -> Vec<TokenCue> {
        cues_from_probs(self.tagger.labels(), &self.categories, probs, words)
    }
}

/// Per-word cues from label probabilities: the cue probability is the mass of the labels
/// other than `O`, the category and `begin` those of the most probable of them. A word whose
/// row is all zero (the model did not see it) is no cue.
pub(crate) fn cues_from_probs(
    labels: &caveat_transformer::labels::LabelSet,
    categories: &[HedgeCategory],
    probs: &[f32],
    words: usize,
) -> Vec<TokenCue> {
    use caveat_transformer::labels::Role;
    let n = labels.tags.len();
    (0..words)
        .map(|w| {
            let Some(row) = probs.get(w * n..(w + 1) * n) else {
                return TokenCue::NONE;
            };
            let mut mass = 0.0f32;
            let mut top: Option<(f32, usize)> = None;
            for (k, (&p, tag)) in row.iter().zip(&labels.tags).enumerate() {
                if tag.role == Role::Outside {
                    continue;
                }
                mass += p;
                if top.map_or(true, |(q, _)| p > q) {
                    top = Some((p, k));
                }
            }
            match top {
                Some((_, k)) if mass > 0.0 => {
                    let tag = labels.tags[k];
                    TokenCue {
                        prob: mass.min(1.0),
                        begin: matches!(tag.role, Role::Begin | Role::Single),
                        category: categories
                            .get(tag.ty)
                            .copied()
                            .unwrap_or(HedgeCategory::Epistemic),
                    }
                }
                _ => TokenCue::NONE,
            }
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_transformer::labels::LabelSet;

    #[test]
    fn label_types_name_categories() {
        assert_eq!(
            category_of_type("EPISTEMIC"),
            Some(HedgeCategory::Epistemic)
        );
        assert_eq!(category_of_type("doxastic"), Some(HedgeCategory::Doxastic));
        assert_eq!(category_of_type("PER"), None);
    }

    #[test]
    fn cue_probability_is_the_mass_off_outside() {
        let labels = LabelSet::from_labels(&["O", "B-EPISTEMIC", "I-EPISTEMIC", "B-CONDITION"]);
        let cats: Vec<HedgeCategory> = labels
            .types
            .iter()
            .map(|t| category_of_type(t).unwrap())
            .collect();
        #[rustfmt::skip]
        let probs = [
            0.9, 0.05, 0.05, 0.0,  // mostly O
            0.2, 0.1, 0.0, 0.7,    // B-CONDITION
            0.3, 0.0, 0.7, 0.0,    // I-EPISTEMIC
            0.0, 0.0, 0.0, 0.0,    // unseen
        ];
        let c = cues_from_probs(&labels, &cats, &probs, 4);
        assert!((c[0].prob - 0.1).abs() < 1e-6);
        assert!((c[1].prob - 0.8).abs() < 1e-6);
        assert_eq!(c[1].category, HedgeCategory::Condition);
        assert!(c[1].begin);
        assert_eq!(c[2].category, HedgeCategory::Epistemic);
        assert!(!c[2].begin);
        assert_eq!(c[3], TokenCue::NONE);
        // A short probability table never panics: missing words are no cues.
        assert_eq!(
            cues_from_probs(&labels, &cats, &probs[..4], 3)[2],
            TokenCue::NONE
        );
    }
}

/// The shipped model (`models/hedge-minilm`, assembled by `scripts/fetch-models`) through the
/// stage; skipped with a message when its weights are not assembled.
#[cfg(test)]
mod real_model {
    use caveat_core::{BuildContext, Document, Stage};

    use crate::eval::{parse_check_set, score_check_set, NEWS_CHECK};
    use crate::tests::real_tokenize;
    use crate::{HedgeBackend, HedgeConfig, HedgeStage};

    fn stage() -> Option<HedgeStage> {
        let root = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../..");
        if !root.join("models/hedge-minilm/model.safetensors").is_file() {
            eprintln!(
                "skipped: models/hedge-minilm/model.safetensors is not assembled (run \
                 scripts/fetch-models)"
            );
            return None;
        }
        let cfg = HedgeConfig {
            backend: HedgeBackend::Candle,
            model: "../models/hedge-minilm".into(),
            ..HedgeConfig::default()
        };
        Some(
            cfg.build(&BuildContext::new(root.join("pipelines")))
                .expect("the assembled model loads"),
        )
    }

    struct Tok;
    impl Stage for Tok {
        fn info(&self) -> caveat_core::StageInfo {
            caveat_core::StageInfo::new("t", &[], &[])
        }
        fn process(&self, doc: &mut Document) -> Result<(), caveat_core::StageError> {
            real_tokenize(doc);
            Ok(())
        }
    }

    #[test]
    fn shipped_model_finds_the_news_check_cues_and_batches_like_single_documents() {
        let Some(stage) = stage() else { return };
        let set = parse_check_set(NEWS_CHECK);
        let r = score_check_set(&set, &Tok, &mut |doc| stage.process(doc).unwrap());
        let found = r.counts.tp as f64 / (r.counts.tp + r.counts.fn_) as f64;
        assert!(
            found >= 0.8,
            "found {found:.3} of the check cues; missed {:?}",
            r.missed
        );
        // One batch of all check sentences gives what one document at a time gives, and every
        // hedge lies on token boundaries inside its sentence.
        let mut docs: Vec<Document> = set
            .iter()
            .map(|s| {
                let mut d = Document::new("c", s.text.clone());
                real_tokenize(&mut d);
                d
            })
            .collect();
        let mut single = docs.clone();
        assert!(stage.process_batch(&mut docs).iter().all(|r| r.is_ok()));
        for (a, b) in docs.iter().zip(&mut single) {
            stage.process(b).unwrap();
            let spans = |d: &Document| {
                d.hedges
                    .iter()
                    .map(|h| (h.span, h.category))
                    .collect::<Vec<_>>()
            };
            assert_eq!(spans(a), spans(b), "{}", a.text);
            for h in &a.hedges {
                assert!(a.tokens.iter().any(|t| t.span.start == h.span.start));
                assert!(a.tokens.iter().any(|t| t.span.end == h.span.end));
                assert!(a.sentences[h.sentence].span.contains(h.span));
                assert!((0.0..=1.0).contains(&h.score));
            }
        }
    }
}
