//! The backends: a padded batch of windows in, label logits out.

use crate::{ModelDir, TransformerError};

/// A padded batch: `rows` windows of `cols` subwords, row-major.
#[derive(Debug, Clone, Default)]
pub struct Batch {
    /// Subword ids (0 in padding).
    pub ids: Vec<u32>,
    /// Token type ids.
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

fn weights_error(dir: &ModelDir, e: impl std::fmt::Display) -> TransformerError {
    TransformerError::Malformed {
        path: dir.weights(),
        message: format!(
            "{e} (the weights do not fit config.json: a BERT token-classification model \
             needs `bert.*` or bare encoder tensors and `classifier.weight`/`classifier.bias`)"
        ),
    }
}

/// The pure-Rust backend: candle's BERT with a linear classification head.
pub struct Candle {
    bert: candle_transformers::models::bert::BertModel,
    classifier: candle_nn::Linear,
}

impl Candle {
    /// Load the weights of `dir`.
    pub fn load(dir: &ModelDir) -> Result<Candle, TransformerError> {
        use candle_core::{DType, Device};
        use candle_nn::VarBuilder;
        let config: candle_transformers::models::bert::Config =
            serde_json::from_str(&dir.config_json).map_err(|e| TransformerError::Malformed {
                path: dir.path.join("config.json"),
                message: format!("{e} (candle needs a complete BERT config)"),
            })?;
        let path = dir.weights();
        let bytes = std::fs::read(&path).map_err(|source| TransformerError::Io {
            path: path.clone(),
            source,
        })?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| weights_error(dir, e))?;
        let bert = candle_transformers::models::bert::BertModel::load(vb.clone(), &config)
            .map_err(|e| weights_error(dir, e))?;
        let classifier =
            candle_nn::linear(config.hidden_size, dir.labels.len(), vb.pp("classifier"))
                .map_err(|e| weights_error(dir, e))?;
        Ok(Candle { bert, classifier })
    }

    fn run(&self, batch: &Batch) -> candle_core::Result<Vec<f32>> {
        use candle_core::{Device, Module, Tensor};
        let shape = (batch.rows, batch.cols);
        let ids = Tensor::from_slice(&batch.ids, shape, &Device::Cpu)?;
        let types = Tensor::from_slice(&batch.type_ids, shape, &Device::Cpu)?;
        let mask = Tensor::from_slice(&batch.mask, shape, &Device::Cpu)?;
        let hidden = self.bert.forward(&ids, &types, Some(&mask))?;
        self.classifier.forward(&hidden)?.flatten_all()?.to_vec1()
    }
}

impl Encoder for Candle {
    fn logits(&self, batch: &Batch) -> Result<Vec<f32>, TransformerError> {
        self.run(batch).map_err(|e| TransformerError::Backend {
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
    use tch::{nn::VarStore, Device, Kind, Tensor};

    use super::{weights_error, Batch, Encoder};
    use crate::{ModelDir, TransformerError};

    /// A loaded rust-bert model and the variables it lives in.
    struct Model {
        _vs: VarStore,
        model: BertForTokenClassification,
    }

    /// The libtorch backend: rust-bert's `BertForTokenClassification`.
    ///
    /// rust-bert models are `Send` but not `Sync`, so the backend keeps a pool: a worker takes
    /// a model, runs its batch and puts the model back; a new model is loaded when all are busy,
    /// so there is at most one per worker thread.
    pub struct RustBert {
        dir: ModelDir,
        config: BertConfig,
        pool: Mutex<Vec<Model>>,
    }

    static THREADS: Once = Once::new();

    impl RustBert {
        /// Load one model of `dir` (more follow on demand).
        pub fn load(dir: &ModelDir) -> Result<RustBert, TransformerError> {
            let config: BertConfig = serde_json::from_str(&dir.config_json).map_err(|e| {
                TransformerError::Malformed {
                    path: dir.path.join("config.json"),
                    message: format!("{e} (rust-bert needs a complete BERT config)"),
                }
            })?;
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
            let mut vs = VarStore::new(Device::Cpu);
            let model = BertForTokenClassification::new(vs.root(), &self.config)
                .map_err(|e| weights_error(&self.dir, e))?;
            vs.load(self.dir.weights())
                .map_err(|e| weights_error(&self.dir, e))?;
            Ok(Model { _vs: vs, model })
        }

        fn take(&self) -> Option<Model> {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).pop()
        }

        fn put(&self, m: Model) {
            self.pool.lock().unwrap_or_else(|e| e.into_inner()).push(m);
        }

        fn run(&self, model: &Model, batch: &Batch) -> Result<Vec<f32>, tch::TchError> {
            let shape = [batch.rows as i64, batch.cols as i64];
            let to_tensor = |v: &[u32]| {
                let v: Vec<i64> = v.iter().map(|&x| i64::from(x)).collect();
                Tensor::from_slice(&v).reshape(shape)
            };
            let ids = to_tensor(&batch.ids);
            let types = to_tensor(&batch.type_ids);
            let mask = to_tensor(&batch.mask);
            let out = tch::no_grad(|| {
                model
                    .model
                    .forward_t(Some(&ids), Some(&mask), Some(&types), None, None, false)
            });
            let logits = out.logits.to_kind(Kind::Float).contiguous().view(-1);
            Vec::<f32>::try_from(&logits)
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
            result.map_err(|e| TransformerError::Backend {
                backend: "rust-bert",
                message: e.to_string(),
            })
        }
    }
}
