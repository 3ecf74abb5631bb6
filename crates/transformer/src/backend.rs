//! The backends: a padded batch of windows in, label logits out.

use crate::{ModelDir, TransformerError};

/// A padded batch: `rows` windows of `cols` subwords, row-major.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Subword ids (the model's padding id in padding).
    pub ids: Vec<u32>,
    /// Token type ids (ignored by models without token types).
    pub type_ids: Vec<u32>,
    /// 1 for real subwords, 0 for padding.
    pub mask: Vec<u32>,
    /// Number of windows.
    pub rows: usize,
    /// Length of the longest window.
    pub cols: usize,
}

/// Runs a token-classification model.
pub trait Encoder: Send + Sync {
    /// Logits `[rows, cols, labels]`, row-major.
    fn logits(&self, batch: &Batch) -> Result<Vec<f32>, TransformerError>;
}

/// The pure-Rust backend: caveat's encoder ([`crate::encoder`]) run by candle.
pub struct Candle {
    model: crate::encoder::TokenClassifier,
}

impl Candle {
    /// Load the weights of `dir`.
    pub fn load(dir: &ModelDir) -> Result<Candle, TransformerError> {
        Self::load_as(dir, crate::Quantization::Fp32)
    }

    /// Load the weights of `dir`, the encoder's linear layers in `quantization`.
    pub fn load_as(
        dir: &ModelDir,
        quantization: crate::Quantization,
    ) -> Result<Candle, TransformerError> {
        Ok(Candle {
            model: crate::encoder::TokenClassifier::load_as(dir, dir.encoder, quantization)?,
        })
    }
}

impl Encoder for Candle {
    fn logits(&self, batch: &Batch) -> Result<Vec<f32>, TransformerError> {
        self.model
            .forward(
                &batch.ids,
                &batch.type_ids,
                &batch.mask,
                batch.rows,
                batch.cols,
            )
            .map_err(|e| TransformerError::Backend {
                backend: "candle",
                message: e.to_string(),
            })
    }
}

#[cfg(feature = "rust-bert")]
pub use self::rust_bert_backend::RustBert;

#[cfg(feature = "rust-bert")]
mod rust_bert_backend {
    use std::sync::{Mutex, Once};

    use rust_bert::bert::{BertConfig, BertForTokenClassification};
    use rust_bert::deberta_v2::{DebertaV2Config, DebertaV2ForTokenClassification};
    use rust_bert::distilbert::{DistilBertConfig, DistilBertForTokenClassification};
    use rust_bert::roberta::RobertaForTokenClassification;
    use tch::{nn::VarStore, Device, Kind, Tensor};

    use super::{Batch, Encoder};
    use crate::encoder::{position_ids, Architecture};
    use crate::{ModelDir, TransformerError};

    /// The configuration rust-bert reads for each architecture.
    enum Config {
        Bert(BertConfig),
        DistilBert(DistilBertConfig),
        DebertaV2(Box<DebertaV2Config>),
    }

    /// rust-bert's token-classification models.
    enum Net {
        Bert(BertForTokenClassification),
        Roberta(RobertaForTokenClassification),
        DistilBert(DistilBertForTokenClassification),
        DebertaV2(Box<DebertaV2ForTokenClassification>),
    }

    /// A loaded rust-bert model and the variables it lives in.
    struct Model {
        _vs: VarStore,
        net: Net,
    }

    /// The libtorch backend: rust-bert's `BertForTokenClassification`,
    /// `RobertaForTokenClassification` (RoBERTa and XLM-RoBERTa) and
    /// `DistilBertForTokenClassification`.
    ///
    /// rust-bert models are `Send` but not `Sync`, so the backend keeps a pool: a worker takes
    /// a model, runs its batch and puts the model back; a new model is loaded when all are busy,
    /// so there is at most one per worker thread.
    ///
    /// rust-bert builds every LayerNorm with epsilon 1e-12. For the embeddings' LayerNorm the
    /// configured epsilon (RoBERTa's 1e-5) is restored exactly by scaling the embedding tables
    /// (LayerNorm(c·x, c²·ε) = LayerNorm(x, ε)); inside the layers, whose inputs have a variance
    /// near 1, the difference is of the order of 1e-5 relative.
    ///
    /// DeBERTa-v2 is refused ([`RustBert::load`] says so and points to candle): rust-bert
    /// 0.23's `DebertaV2ForTokenClassification` does not compute what `transformers` does —
    /// its content→position term indexes the relative embeddings without the `+ span` offset,
    /// both relative terms divide by head size × scale factor instead of its square root, and
    /// its log buckets divide `(max_position - 1) / (buckets / 2)` as integers — so its logits
    /// on `tests/data/tiny-deberta-v2` are off by far more than 1e-4
    /// ([`RustBert::load_unverified`] measures it, `tests/parity.rs` checks it).
    pub struct RustBert {
        dir: ModelDir,
        config: Config,
        pool: Mutex<Vec<Model>>,
    }

    static THREADS: Once = Once::new();

    fn bad_config(dir: &ModelDir, e: impl std::fmt::Display) -> TransformerError {
        TransformerError::Malformed {
            path: dir.path.join("config.json"),
            message: format!(
                "{e} (rust-bert needs a complete `{}` config)",
                dir.arch.model_type()
            ),
        }
    }

    fn bad_weights(dir: &ModelDir, e: impl std::fmt::Display) -> TransformerError {
        TransformerError::Malformed {
            path: dir.weights(),
            message: format!(
                "{e} (the weights do not fit config.json: rust-bert needs a {} \
                 token-classification checkpoint with `classifier.weight`/`classifier.bias`)",
                dir.arch.model_type()
            ),
        }
    }

    impl RustBert {
        /// Load one model of `dir` (more follow on demand). DeBERTa-v2 is refused (see the
        /// type's documentation).
        pub fn load(dir: &ModelDir) -> Result<RustBert, TransformerError> {
            if dir.arch == Architecture::DebertaV2 {
                return Err(TransformerError::Backend {
                    backend: "rust-bert",
                    message: "rust-bert 0.23's DeBERTa-v2 does not match transformers (its \
                              relative-position attention terms are indexed and scaled \
                              differently, logits off by far more than 1e-4); run deberta-v2 \
                              models with backend = \"candle\""
                        .into(),
                });
            }
            Self::load_unverified(dir)
        }

        /// Load `dir` even where rust-bert is known not to match `transformers` (DeBERTa-v2),
        /// to measure how far off it is. Use [`RustBert::load`] to run models.
        pub fn load_unverified(dir: &ModelDir) -> Result<RustBert, TransformerError> {
            let mut json: serde_json::Value =
                serde_json::from_str(&dir.config_json).map_err(|e| bad_config(dir, e))?;
            let config = if dir.arch == Architecture::DebertaV2 {
                let defaults = serde_json::json!({
                    "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                    "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
                    "max_position_embeddings": 512, "type_vocab_size": 0,
                });
                fill(&mut json, &defaults);
                Config::DebertaV2(Box::new(
                    serde_json::from_value(json).map_err(|e| bad_config(dir, e))?,
                ))
            } else if dir.arch == Architecture::DistilBert {
                // Fields rust-bert requires that recent `transformers` no longer writes.
                let defaults = serde_json::json!({
                    "tie_weights_": true, "qa_dropout": 0.1, "seq_classif_dropout": 0.2,
                    "sinusoidal_pos_embds": false, "initializer_range": 0.02,
                    "dropout": 0.1, "attention_dropout": 0.1, "activation": "gelu",
                });
                fill(&mut json, &defaults);
                Config::DistilBert(serde_json::from_value(json).map_err(|e| bad_config(dir, e))?)
            } else {
                let defaults = serde_json::json!({
                    "hidden_act": "gelu", "hidden_dropout_prob": 0.1,
                    "attention_probs_dropout_prob": 0.1, "initializer_range": 0.02,
                    "type_vocab_size": 2,
                });
                fill(&mut json, &defaults);
                Config::Bert(serde_json::from_value(json).map_err(|e| bad_config(dir, e))?)
            };
            let backend = RustBert {
                dir: dir.clone(),
                config,
                pool: Mutex::new(Vec::new()),
            };
            let first = backend.load_model()?;
            backend.put(first);
            Ok(backend)
        }

        fn load_model(&self) -> Result<Model, TransformerError> {
            let vs = VarStore::new(Device::Cpu);
            let bad = |e: rust_bert::RustBertError| bad_weights(&self.dir, e);
            let net = match (&self.config, self.dir.arch) {
                (Config::DebertaV2(c), _) => Net::DebertaV2(Box::new(
                    DebertaV2ForTokenClassification::new(vs.root(), c).map_err(bad)?,
                )),
                (Config::DistilBert(c), _) => Net::DistilBert(
                    DistilBertForTokenClassification::new(vs.root() / "distilbert", c)
                        .map_err(bad)?,
                ),
                (Config::Bert(c), Architecture::Roberta | Architecture::XlmRoberta) => {
                    Net::Roberta(RobertaForTokenClassification::new(vs.root(), c).map_err(bad)?)
                }
                (Config::Bert(c), _) => {
                    Net::Bert(BertForTokenClassification::new(vs.root(), c).map_err(bad)?)
                }
            };
            self.copy_weights(&vs)?;
            self.restore_embedding_eps(&vs);
            Ok(Model { _vs: vs, net })
        }

        /// Copy the checkpoint's tensors into rust-bert's variables. Names are matched as
        /// written, without the encoder's prefix (bare encoder checkpoints), and with
        /// DistilBERT's classifier moved to the top level where `transformers` keeps it.
        fn copy_weights(&self, vs: &VarStore) -> Result<(), TransformerError> {
            let tensors: std::collections::HashMap<String, Tensor> =
                Tensor::read_safetensors(self.dir.weights())
                    .map_err(|e| bad_weights(&self.dir, e))?
                    .into_iter()
                    .collect();
            let prefix = match self.dir.arch {
                Architecture::Bert => "bert.",
                Architecture::Roberta | Architecture::XlmRoberta => "roberta.",
                Architecture::DistilBert => "distilbert.",
                Architecture::DebertaV2 => "deberta.",
            };
            tch::no_grad(|| {
                for (name, mut var) in vs.variables() {
                    let bare = name.strip_prefix(prefix).unwrap_or(&name);
                    let src = [name.as_str(), bare]
                        .iter()
                        .find_map(|n| tensors.get(*n))
                        .ok_or_else(|| {
                            bad_weights(&self.dir, format!("tensor `{name}` is missing"))
                        })?;
                    if src.size() != var.size() {
                        return Err(bad_weights(
                            &self.dir,
                            format!(
                                "tensor `{name}` has shape {:?}, the config says {:?}",
                                src.size(),
                                var.size()
                            ),
                        ));
                    }
                    var.f_copy_(src).map_err(|e| bad_weights(&self.dir, e))?;
                }
                Ok(())
            })
        }

        /// See the type's documentation: scale the embedding tables so that rust-bert's
        /// embedding LayerNorm (epsilon 1e-12) computes the configured epsilon's result.
        fn restore_embedding_eps(&self, vs: &VarStore) {
            const RUST_BERT_EPS: f64 = 1e-12;
            if self.dir.arch == Architecture::DebertaV2 {
                // rust-bert's DeBERTa-v2 reads layer_norm_eps from the config.
                return;
            }
            let eps = self.dir.encoder.layer_norm_eps;
            if (eps - RUST_BERT_EPS).abs() <= f64::EPSILON * RUST_BERT_EPS {
                return;
            }
            let c = (RUST_BERT_EPS / eps).sqrt();
            tch::no_grad(|| {
                for (name, mut t) in vs.variables() {
                    if name.contains("embeddings.") && (name.ends_with("_embeddings.weight")) {
                        let _ = t.f_mul_scalar_(c);
                    }
                }
            });
        }

        fn take(&self) -> Option<Model> {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop()
        }

        fn put(&self, m: Model) {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(m);
        }

        fn run(&self, model: &Model, batch: &Batch) -> Result<Vec<f32>, TransformerError> {
            let shape = [batch.rows as i64, batch.cols as i64];
            let to_tensor = |v: &[u32]| {
                let v: Vec<i64> = v.iter().map(|&x| i64::from(x)).collect();
                Tensor::from_slice(&v).reshape(shape)
            };
            let ids = to_tensor(&batch.ids);
            let types = to_tensor(&batch.type_ids);
            let mask = to_tensor(&batch.mask);
            let positions = to_tensor(&position_ids(
                &self.dir.encoder,
                &batch.mask,
                batch.rows,
                batch.cols,
            ));
            let logits = tch::no_grad(|| match &model.net {
                Net::Bert(m) => Ok(m
                    .forward_t(
                        Some(&ids),
                        Some(&mask),
                        Some(&types),
                        Some(&positions),
                        None,
                        false,
                    )
                    .logits),
                Net::Roberta(m) => Ok(m
                    .forward_t(
                        Some(&ids),
                        Some(&mask),
                        Some(&types),
                        Some(&positions),
                        None,
                        false,
                    )
                    .logits),
                Net::DistilBert(m) => m
                    .forward_t(Some(&ids), Some(&mask), None, false)
                    .map(|o| o.logits),
                Net::DebertaV2(m) => m
                    .forward_t(Some(&ids), Some(&mask), None, None, None, false)
                    .map(|o| o.logits),
            })
            .map_err(|e| e.to_string())
            .and_then(|l| {
                let l = l.to_kind(Kind::Float).contiguous().view(-1);
                Vec::<f32>::try_from(&l).map_err(|e| e.to_string())
            });
            logits.map_err(|message| TransformerError::Backend {
                backend: "rust-bert",
                message,
            })
        }
    }

    /// Add the fields of `defaults` that `json` lacks.
    fn fill(json: &mut serde_json::Value, defaults: &serde_json::Value) {
        if let (Some(obj), Some(defaults)) = (json.as_object_mut(), defaults.as_object()) {
            for (k, v) in defaults {
                obj.entry(k.clone()).or_insert_with(|| v.clone());
            }
        }
    }

    impl Encoder for RustBert {
        fn logits(&self, batch: &Batch) -> Result<Vec<f32>, TransformerError> {
            // Each worker runs its own model; libtorch's intra-op threads share the cores
            // between them instead of each worker using them all.
            THREADS.call_once(|| {
                let cores = std::thread::available_parallelism().map_or(1, |n| n.get());
                let workers = rayon::current_num_threads().max(1);
                tch::set_num_threads((cores / workers).max(1) as i32);
            });
            let model = match self.take() {
                Some(m) => m,
                None => self.load_model()?,
            };
            let result = self.run(&model, batch);
            self.put(model);
            result
        }
    }
}
