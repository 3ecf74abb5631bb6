use std::ops::Range;
use std::path::Path;

use crate::backend::{Batch, Candle, Encoder};
use crate::labels::{LabelSet, WordSpan};
use crate::window::{windows, Specials, Window, WindowOptions};
use crate::{BackendKind, ModelDir, Quantization, TransformerError};

/// How the tagger windows and batches.
#[derive(Debug, Clone, Copy)]
pub struct TaggerOptions {
    /// Longest window in subwords (at most the model's `max_position_embeddings`).
    pub max_length: usize,
    /// Context in subwords around the owned part of a sentence longer than a window.
    pub stride: usize,
    /// Windows per forward pass.
    pub batch_size: usize,
    /// Pack consecutive sentences into one window.
    pub pack: bool,
}

impl Default for TaggerOptions {
    fn default() -> Self {
        TaggerOptions {
            max_length: 128,
            stride: 32,
            batch_size: 16,
            pack: true,
        }
    }
}

/// An entity found by the tagger, over word indices.
pub type Tagged = WordSpan;

/// A loaded token-classification model with its tokenizer and backend.
pub struct Tagger {
    dir: ModelDir,
    encoder: Box<dyn Encoder>,
    specials: Specials,
    opts: TaggerOptions,
}

impl std::fmt::Debug for Tagger {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Tagger")
            .field("dir", &self.dir.path)
            .field("opts", &self.opts)
            .finish_non_exhaustive()
    }
}

/// One document to tag: its words and its sentences as word ranges.
#[derive(Debug, Clone, Copy)]
pub struct DocWords<'a> {
    /// The words.
    pub words: &'a [&'a str],
    /// Sentences as word ranges.
    pub sentences: &'a [Range<usize>],
}

impl Tagger {
    /// Open the model directory and load its weights into `backend`, in fp32.
    pub fn load(
        path: &Path,
        backend: BackendKind,
        opts: TaggerOptions,
    ) -> Result<Tagger, TransformerError> {
        Self::load_quantized(path, backend, opts, Quantization::Fp32)
    }

    /// Open the model directory and load its weights into `backend`, the encoder's linear
    /// layers in `quantization` (int8: the candle backend only).
    pub fn load_quantized(
        path: &Path,
        backend: BackendKind,
        opts: TaggerOptions,
        quantization: Quantization,
    ) -> Result<Tagger, TransformerError> {
        // A format the backend never runs is a config error, whether or not it is in the build.
        if quantization == Quantization::Int8 && backend != BackendKind::Candle {
            return Err(TransformerError::Quantization {
                backend: backend.name(),
                quantization: quantization.name(),
            });
        }
        if !backend.available() {
            return Err(TransformerError::Unavailable("rust-bert"));
        }
        let dir = ModelDir::open(path)?;
        let bad = |message: String| TransformerError::Malformed {
            path: path.join("config.json"),
            message,
        };
        let longest = dir.encoder.max_window();
        if opts.max_length < 8 || opts.max_length > longest {
            return Err(bad(format!(
                "max_length {} must be between 8 and the longest window the model's position \
                 embeddings allow ({longest})",
                opts.max_length
            )));
        }
        if dir.config.caveat_casing_type_ids && dir.encoder.type_vocab_size < 4 {
            return Err(bad(format!(
                "caveat_casing_type_ids needs token types (type_vocab_size 4); this {} model \
                 has {}",
                dir.arch.model_type(),
                dir.encoder.type_vocab_size
            )));
        }
        let specials = Specials::of(
            &dir.tokenizer,
            crate::encoder::non_negative(dir.config.pad_token_id),
        )
        .ok_or_else(|| TransformerError::Malformed {
            path: path.join("tokenizer.json"),
            message: "the vocabulary has neither [CLS]/[SEP] nor <s>/</s> tokens".into(),
        })?;
        let encoder: Box<dyn Encoder> = match backend {
            BackendKind::Candle => Box::new(Candle::load_as(&dir, quantization)?),
            #[cfg(feature = "rust-bert")]
            BackendKind::RustBert => Box::new(crate::backend::RustBert::load(&dir)?),
            #[cfg(not(feature = "rust-bert"))]
            BackendKind::RustBert => return Err(TransformerError::Unavailable("rust-bert")),
        };
        Ok(Tagger {
            dir,
            encoder,
            specials,
            opts: TaggerOptions {
                batch_size: opts.batch_size.max(1),
                ..opts
            },
        })
    }

    /// The entity types, indexed by [`Tagged::ty`].
    pub fn types(&self) -> &[String] {
        &self.dir.labels.types
    }

    /// The model directory.
    pub fn model_dir(&self) -> &ModelDir {
        &self.dir
    }

    /// The model's labels.
    pub fn labels(&self) -> &LabelSet {
        &self.dir.labels
    }

    /// Tag a batch of documents: [`Tagger::probs`], then [`LabelSet::decode`].
    pub fn tag(&self, docs: &[DocWords<'_>]) -> Vec<Result<Vec<Tagged>, TransformerError>> {
        self.probs(docs)
            .into_iter()
            .zip(docs)
            .map(|(r, doc)| r.map(|probs| self.dir.labels.decode(&probs, doc.words.len())))
            .collect()
    }

    /// Label probabilities of every word of a batch of documents (`words * labels` values per
    /// document, read at each word's first subword; all zero for a word the model did not
    /// see). Windows of all documents are sorted by length and run in batches of
    /// `batch_size`, so short and long documents do not pad each other. A failure affects
    /// only the documents whose windows were in the failing batch.
    pub fn probs(&self, docs: &[DocWords<'_>]) -> Vec<Result<Vec<f32>, TransformerError>> {
        let n_labels = self.dir.labels.len();
        let wopts = WindowOptions {
            max_length: self.opts.max_length,
            stride: self.opts.stride,
            pack: self.opts.pack,
            casing: self.dir.config.caveat_casing_type_ids,
        };
        let mut results: Vec<Result<Vec<f32>, TransformerError>> = Vec::with_capacity(docs.len());
        let mut all: Vec<(usize, Window)> = Vec::new();
        for (d, doc) in docs.iter().enumerate() {
            match windows(
                &self.dir.tokenizer,
                self.specials,
                doc.words,
                doc.sentences,
                wopts,
            ) {
                Ok(ws) => {
                    results.push(Ok(vec![0.0; doc.words.len() * n_labels]));
                    all.extend(ws.into_iter().map(|w| (d, w)));
                }
                Err(e) => results.push(Err(e)),
            }
        }
        all.sort_by_key(|(_, w)| w.ids.len());
        for chunk in all.chunks(self.opts.batch_size) {
            let batch = pad(chunk.iter().map(|(_, w)| w), self.specials.pad);
            match self.encoder.logits(&batch) {
                Ok(logits) if logits.len() == batch.rows * batch.cols * n_labels => {
                    for (row, (d, w)) in chunk.iter().enumerate() {
                        if let Ok(probs) = &mut results[*d] {
                            for &(word, pos) in &w.predicts {
                                let at = (row * batch.cols + pos) * n_labels;
                                softmax_into(
                                    &logits[at..at + n_labels],
                                    &mut probs[word * n_labels..(word + 1) * n_labels],
                                );
                            }
                        }
                    }
                }
                other => {
                    let message = match other {
                        Err(e) => e.to_string(),
                        Ok(l) => format!(
                            "{} logits for a {}x{} batch of {n_labels} labels",
                            l.len(),
                            batch.rows,
                            batch.cols
                        ),
                    };
                    for (d, _) in chunk {
                        if results[*d].is_ok() {
                            results[*d] = Err(TransformerError::Backend {
                                backend: "model",
                                message: message.clone(),
                            });
                        }
                    }
                }
            }
        }
        results
    }
}

/// Pad windows to the longest with the padding id `pad_id`.
pub(crate) fn pad<'a>(windows: impl Iterator<Item = &'a Window> + Clone, pad_id: u32) -> Batch {
    let rows = windows.clone().count();
    let cols = windows.clone().map(|w| w.ids.len()).max().unwrap_or(0);
    let mut b = Batch {
        ids: vec![pad_id; rows * cols],
        type_ids: vec![0; rows * cols],
        mask: vec![0; rows * cols],
        rows,
        cols,
    };
    for (r, w) in windows.enumerate() {
        let at = r * cols;
        b.ids[at..at + w.ids.len()].copy_from_slice(&w.ids);
        b.type_ids[at..at + w.ids.len()].copy_from_slice(&w.type_ids);
        b.mask[at..at + w.ids.len()].fill(1);
    }
    b
}

fn softmax_into(logits: &[f32], out: &mut [f32]) {
    let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    let mut sum = 0.0;
    for (o, &l) in out.iter_mut().zip(logits) {
        *o = (l - max).exp();
        sum += *o;
    }
    for o in out.iter_mut() {
        *o /= sum;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn padding_and_softmax() {
        let a = Window {
            ids: vec![2, 5, 3],
            type_ids: vec![0, 1, 0],
            predicts: vec![(0, 1)],
        };
        let b = Window {
            ids: vec![2, 3],
            type_ids: vec![0, 0],
            predicts: vec![],
        };
        let batch = pad([a, b].iter(), 7);
        assert_eq!((batch.rows, batch.cols), (2, 3));
        assert_eq!(batch.ids, [2, 5, 3, 2, 3, 7]);
        assert_eq!(batch.mask, [1, 1, 1, 1, 1, 0]);
        assert_eq!(batch.type_ids, [0, 1, 0, 0, 0, 0]);
        let mut out = [0.0; 3];
        softmax_into(&[1000.0, 1000.0, -1000.0], &mut out);
        assert!((out[0] - 0.5).abs() < 1e-6 && out[2] == 0.0);
    }
}
