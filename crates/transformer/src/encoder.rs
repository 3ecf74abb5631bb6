//! caveat's own implementation of the post-LayerNorm encoder family (BERT, RoBERTa, XLM-RoBERTa,
//! DistilBERT) with a token-classification head, run by candle.
//!
//! The architectures differ only in details, all read from `config.json` and the weight names:
//!
//! | model_type    | weights      | token types | position ids                   |
//! |---------------|--------------|-------------|--------------------------------|
//! | `bert`        | `bert.*`     | yes         | `0..len`                       |
//! | `roberta`     | `roberta.*`  | yes (one)   | `padding_idx + 1 ..`, skipping padding |
//! | `xlm-roberta` | `roberta.*`  | yes (one)   | as RoBERTa                     |
//! | `distilbert`  | `distilbert.*` | no        | `0..len`                       |
//!
//! Bare encoder weights (`embeddings.*`, `encoder.*`, as in a base model saved without its
//! head's prefix) are accepted too. The model is embeddings → N × (self-attention → add &
//! LayerNorm → feed-forward with the configured activation → add & LayerNorm) → a linear
//! classifier, as Hugging Face `transformers` computes it. All linear layers are one internal
//! `Linear` type, so another weight format (int8) slots in without touching the forward pass.

use candle_core::{DType, Device, Module, Tensor};
use candle_nn::VarBuilder;
use serde::Deserialize;

use crate::{ModelDir, TransformerError};

/// The encoder architectures caveat runs, by `config.json`'s `model_type`.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Architecture {
    /// BERT and BERT-architecture models (MiniLM, ...): `model_type` `bert`.
    Bert,
    /// RoBERTa: `model_type` `roberta`.
    Roberta,
    /// XLM-RoBERTa: `model_type` `xlm-roberta`.
    XlmRoberta,
    /// DistilBERT: `model_type` `distilbert`.
    DistilBert,
}

impl Architecture {
    /// Every supported architecture.
    pub const ALL: [Architecture; 4] = [
        Architecture::Bert,
        Architecture::Roberta,
        Architecture::XlmRoberta,
        Architecture::DistilBert,
    ];

    /// The architecture of a `model_type` (a missing `model_type` means `bert`).
    pub fn from_model_type(model_type: &str) -> Option<Architecture> {
        Architecture::ALL
            .into_iter()
            .find(|a| a.model_type() == model_type)
    }

    /// The `model_type` of `config.json`.
    pub fn model_type(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::Roberta => "roberta",
            Architecture::XlmRoberta => "xlm-roberta",
            Architecture::DistilBert => "distilbert",
        }
    }

    /// The supported `model_type`s, for messages.
    pub fn supported() -> String {
        Architecture::ALL
            .iter()
            .map(|a| format!("\"{}\"", a.model_type()))
            .collect::<Vec<_>>()
            .join(", ")
    }

    /// Whether the model takes token type ids.
    pub fn has_token_types(self) -> bool {
        self != Architecture::DistilBert
    }

    /// Whether position ids start after the padding id (RoBERTa's
    /// `create_position_ids_from_input_ids`).
    pub fn offsets_positions(self) -> bool {
        matches!(self, Architecture::Roberta | Architecture::XlmRoberta)
    }

    /// The prefix of the encoder's weights in a token-classification checkpoint.
    fn prefix(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::Roberta | Architecture::XlmRoberta => "roberta",
            Architecture::DistilBert => "distilbert",
        }
    }
}

/// The activation of the feed-forward layers.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Activation {
    /// Exact GELU (`gelu`), with erf.
    Gelu,
    /// GELU's tanh approximation (`gelu_new`, `gelu_pytorch_tanh`).
    GeluTanh,
    /// ReLU.
    Relu,
}

impl Activation {
    fn parse(name: &str) -> Option<Activation> {
        match name {
            "gelu" => Some(Activation::Gelu),
            "gelu_new" | "gelu_pytorch_tanh" | "gelu_fast" => Some(Activation::GeluTanh),
            "relu" => Some(Activation::Relu),
            _ => None,
        }
    }

    fn forward(self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Activation::Gelu => x.gelu_erf(),
            Activation::GeluTanh => x.gelu(),
            Activation::Relu => x.relu(),
        }
    }
}

/// The shape of an encoder, read from `config.json` whatever the architecture's field names.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct EncoderConfig {
    /// The architecture.
    pub arch: Architecture,
    /// Vocabulary size.
    pub vocab_size: usize,
    /// Hidden size.
    pub hidden: usize,
    /// Number of layers.
    pub layers: usize,
    /// Attention heads.
    pub heads: usize,
    /// Feed-forward size.
    pub intermediate: usize,
    /// Feed-forward activation.
    pub activation: Activation,
    /// Rows of the position embeddings.
    pub max_position_embeddings: usize,
    /// Rows of the token type embeddings (0 for DistilBERT).
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// The padding id (RoBERTa's position ids start after it).
    pub pad_token_id: u32,
}

#[derive(Deserialize)]
struct BertFields {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "gelu")]
    hidden_act: String,
    max_position_embeddings: usize,
    #[serde(default = "two")]
    type_vocab_size: usize,
    #[serde(default = "bert_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    pad_token_id: Option<i64>,
    #[serde(default)]
    position_embedding_type: Option<String>,
}

#[derive(Deserialize)]
struct DistilBertFields {
    vocab_size: usize,
    dim: usize,
    n_layers: usize,
    n_heads: usize,
    hidden_dim: usize,
    #[serde(default = "gelu")]
    activation: String,
    max_position_embeddings: usize,
    #[serde(default)]
    pad_token_id: Option<i64>,
}

fn gelu() -> String {
    "gelu".into()
}
fn two() -> usize {
    2
}
fn bert_eps() -> f64 {
    1e-12
}

impl EncoderConfig {
    /// Read the encoder's shape from `config.json` text.
    pub fn parse(arch: Architecture, config_json: &str) -> Result<EncoderConfig, String> {
        let complete = |e: serde_json::Error| {
            format!("{e} (a complete `{}` config is needed)", arch.model_type())
        };
        let config = if arch == Architecture::DistilBert {
            let f: DistilBertFields = serde_json::from_str(config_json).map_err(complete)?;
            EncoderConfig {
                arch,
                vocab_size: f.vocab_size,
                hidden: f.dim,
                layers: f.n_layers,
                heads: f.n_heads,
                intermediate: f.hidden_dim,
                activation: Activation::parse(&f.activation)
                    .ok_or_else(|| unknown_activation(&f.activation))?,
                max_position_embeddings: f.max_position_embeddings,
                type_vocab_size: 0,
                // transformers' DistilBERT uses a fixed epsilon.
                layer_norm_eps: 1e-12,
                pad_token_id: non_negative(f.pad_token_id).unwrap_or(0),
            }
        } else {
            let f: BertFields = serde_json::from_str(config_json).map_err(complete)?;
            if let Some(p) = f.position_embedding_type.filter(|p| p != "absolute") {
                return Err(format!(
                    "position_embedding_type `{p}` is not supported; caveat runs absolute \
                     position embeddings (the default)"
                ));
            }
            EncoderConfig {
                arch,
                vocab_size: f.vocab_size,
                hidden: f.hidden_size,
                layers: f.num_hidden_layers,
                heads: f.num_attention_heads,
                intermediate: f.intermediate_size,
                activation: Activation::parse(&f.hidden_act)
                    .ok_or_else(|| unknown_activation(&f.hidden_act))?,
                max_position_embeddings: f.max_position_embeddings,
                type_vocab_size: f.type_vocab_size,
                layer_norm_eps: f.layer_norm_eps,
                pad_token_id: non_negative(f.pad_token_id)
                    .unwrap_or(u32::from(arch.offsets_positions())),
            }
        };
        if config.heads == 0 || config.hidden % config.heads != 0 {
            return Err(format!(
                "the hidden size {} is not a multiple of the {} attention heads",
                config.hidden, config.heads
            ));
        }
        Ok(config)
    }

    /// The longest window the position embeddings allow.
    pub fn max_window(&self) -> usize {
        if self.arch.offsets_positions() {
            self.max_position_embeddings
                .saturating_sub(self.pad_token_id as usize + 1)
        } else {
            self.max_position_embeddings
        }
    }
}

/// A `pad_token_id` that is an id (not -1 or absent).
pub(crate) fn non_negative(id: Option<i64>) -> Option<u32> {
    id.and_then(|i| u32::try_from(i).ok())
}

fn unknown_activation(name: &str) -> String {
    format!("activation `{name}` is not supported; caveat runs gelu, gelu_new and relu")
}

/// A linear layer, `y = x Wᵀ + b`, over rows of `x`. The forward pass only sees this type,
/// so a quantised variant is one more arm here.
#[derive(Debug, Clone)]
pub(crate) enum Linear {
    /// fp32 weights `[out, in]`, run by candle's gemm.
    F32(candle_nn::Linear),
}

impl Linear {
    /// `x`: `[n, in]` → `[n, out]`.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::F32(l) => l.forward(x),
        }
    }
}

struct LayerNorm(candle_nn::LayerNorm);

impl LayerNorm {
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        self.0.forward(x)
    }
}

struct Layer {
    /// Query, key and value in one `[3 * hidden, hidden]` matrix.
    qkv: Linear,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ffn_in: Linear,
    ffn_out: Linear,
    out_norm: LayerNorm,
}

/// The names of one architecture's weights.
struct Names {
    /// `bert.embeddings.` etc.
    embeddings: String,
    /// `bert.encoder.layer.` etc.
    layers: String,
    q: &'static str,
    k: &'static str,
    v: &'static str,
    attn_out: &'static str,
    attn_norm: &'static str,
    ffn_in: &'static str,
    ffn_out: &'static str,
    out_norm: &'static str,
}

impl Names {
    fn of(arch: Architecture, prefix: &str) -> Names {
        if arch == Architecture::DistilBert {
            Names {
                embeddings: format!("{prefix}embeddings."),
                layers: format!("{prefix}transformer.layer."),
                q: "attention.q_lin",
                k: "attention.k_lin",
                v: "attention.v_lin",
                attn_out: "attention.out_lin",
                attn_norm: "sa_layer_norm",
                ffn_in: "ffn.lin1",
                ffn_out: "ffn.lin2",
                out_norm: "output_layer_norm",
            }
        } else {
            Names {
                embeddings: format!("{prefix}embeddings."),
                layers: format!("{prefix}encoder.layer."),
                q: "attention.self.query",
                k: "attention.self.key",
                v: "attention.self.value",
                attn_out: "attention.output.dense",
                attn_norm: "attention.output.LayerNorm",
                ffn_in: "intermediate.dense",
                ffn_out: "output.dense",
                out_norm: "output.LayerNorm",
            }
        }
    }
}

/// A token-classification encoder loaded for candle.
pub struct TokenClassifier {
    config: EncoderConfig,
    word: Tensor,
    position: Tensor,
    token_type: Option<Tensor>,
    emb_norm: LayerNorm,
    layers: Vec<Layer>,
    classifier: Linear,
}

struct Loader<'a> {
    vb: VarBuilder<'a>,
}

impl Loader<'_> {
    fn tensor(&self, name: &str, shape: &[usize]) -> Result<Tensor, String> {
        if !self.vb.contains_tensor(name) {
            return Err(format!("tensor `{name}` is missing"));
        }
        self.vb
            .get(shape, name)
            .map_err(|e| format!("tensor `{name}`: {e}"))
    }

    fn linear(&self, name: &str, out: usize, inp: usize) -> Result<Linear, String> {
        let w = self.tensor(&format!("{name}.weight"), &[out, inp])?;
        let b = self.tensor(&format!("{name}.bias"), &[out])?;
        Ok(Linear::F32(candle_nn::Linear::new(w, Some(b))))
    }

    /// Query, key and value stacked into one matrix.
    fn qkv(&self, names: [&str; 3], hidden: usize) -> Result<Linear, String> {
        let mut ws = Vec::with_capacity(3);
        let mut bs = Vec::with_capacity(3);
        for name in names {
            ws.push(self.tensor(&format!("{name}.weight"), &[hidden, hidden])?);
            bs.push(self.tensor(&format!("{name}.bias"), &[hidden])?);
        }
        let cat = |ts: &[Tensor]| Tensor::cat(ts, 0).map_err(|e| e.to_string());
        Ok(Linear::F32(candle_nn::Linear::new(
            cat(&ws)?,
            Some(cat(&bs)?),
        )))
    }

    /// LayerNorm `weight`/`bias`, or the `gamma`/`beta` of old TensorFlow conversions.
    fn norm(&self, name: &str, size: usize, eps: f64) -> Result<LayerNorm, String> {
        let (w, b) = if self.vb.contains_tensor(&format!("{name}.gamma")) {
            ("gamma", "beta")
        } else {
            ("weight", "bias")
        };
        let w = self.tensor(&format!("{name}.{w}"), &[size])?;
        let b = self.tensor(&format!("{name}.{b}"), &[size])?;
        Ok(LayerNorm(candle_nn::LayerNorm::new(w, b, eps)))
    }
}

impl TokenClassifier {
    /// Load the weights of `dir` (`model.safetensors`, any float type, computed in fp32).
    pub fn load(
        dir: &ModelDir,
        config: EncoderConfig,
    ) -> Result<TokenClassifier, TransformerError> {
        let path = dir.weights();
        let bytes = std::fs::read(&path).map_err(|source| TransformerError::Io {
            path: path.clone(),
            source,
        })?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| bad_weights(dir, config.arch, e))?;
        Self::from_vb(Loader { vb }, config, dir.labels.len())
            .map_err(|e| bad_weights(dir, config.arch, e))
    }

    fn from_vb(
        l: Loader<'_>,
        config: EncoderConfig,
        labels: usize,
    ) -> Result<TokenClassifier, String> {
        let arch = config.arch;
        let prefix = [format!("{}.", arch.prefix()), String::new()]
            .into_iter()
            .find(|p| {
                l.vb.contains_tensor(&format!("{p}embeddings.word_embeddings.weight"))
            })
            .ok_or_else(|| {
                format!(
                    "no `{}.embeddings.word_embeddings.weight` (nor a bare \
                     `embeddings.word_embeddings.weight`)",
                    arch.prefix()
                )
            })?;
        let n = Names::of(arch, &prefix);
        let (h, eps) = (config.hidden, config.layer_norm_eps);
        let e = &n.embeddings;
        let word = l.tensor(
            &format!("{e}word_embeddings.weight"),
            &[config.vocab_size, h],
        )?;
        let position = l.tensor(
            &format!("{e}position_embeddings.weight"),
            &[config.max_position_embeddings, h],
        )?;
        let token_type = if arch.has_token_types() {
            Some(l.tensor(
                &format!("{e}token_type_embeddings.weight"),
                &[config.type_vocab_size, h],
            )?)
        } else {
            None
        };
        let emb_norm = l.norm(&format!("{e}LayerNorm"), h, eps)?;
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            let p = |s: &str| format!("{}{i}.{s}", n.layers);
            layers.push(Layer {
                qkv: l.qkv([&p(n.q), &p(n.k), &p(n.v)], h)?,
                attn_out: l.linear(&p(n.attn_out), h, h)?,
                attn_norm: l.norm(&p(n.attn_norm), h, eps)?,
                ffn_in: l.linear(&p(n.ffn_in), config.intermediate, h)?,
                ffn_out: l.linear(&p(n.ffn_out), h, config.intermediate)?,
                out_norm: l.norm(&p(n.out_norm), h, eps)?,
            });
        }
        let classifier = l.linear("classifier", labels, h)?;
        Ok(TokenClassifier {
            config,
            word,
            position,
            token_type,
            emb_norm,
            layers,
            classifier,
        })
    }

    /// The encoder's shape.
    pub fn config(&self) -> &EncoderConfig {
        &self.config
    }

    /// Logits `[rows * cols * labels]` of a padded batch: `ids`, `type_ids` and `mask` are
    /// `rows × cols`, row-major, `mask` 1 for real tokens (which come before padding).
    pub fn forward(
        &self,
        ids: &[u32],
        type_ids: &[u32],
        mask: &[u32],
        rows: usize,
        cols: usize,
    ) -> candle_core::Result<Vec<f32>> {
        let dev = &Device::Cpu;
        let c = &self.config;
        let (h, heads) = (c.hidden, c.heads);
        let hd = h / heads;
        let n = rows * cols;
        let ids_t = Tensor::from_slice(ids, n, dev)?;
        let positions: Vec<u32> = position_ids(c, mask, rows, cols);
        let pos_t = Tensor::from_slice(&positions, n, dev)?;
        let mut x = (self.word.embedding(&ids_t)? + self.position.embedding(&pos_t)?)?;
        if let Some(tt) = &self.token_type {
            let types = Tensor::from_slice(type_ids, n, dev)?;
            x = (x + tt.embedding(&types)?)?;
        }
        let mut x = self.emb_norm.forward(&x)?;
        // Additive mask [rows, 1, 1, cols]: 0 for real tokens, the most negative f32 for padding.
        let bias: Vec<f32> = mask
            .iter()
            .map(|&m| if m != 0 { 0.0 } else { f32::MIN })
            .collect();
        let bias = Tensor::from_vec(bias, (rows, 1, 1, cols), dev)?;
        let scale = 1.0 / (hd as f64).sqrt();
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?.reshape((rows, cols, 3, heads, hd))?;
            let part = |i: usize| -> candle_core::Result<Tensor> {
                qkv.narrow(2, i, 1)?
                    .squeeze(2)?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let (q, k, v) = ((part(0)? * scale)?, part(1)?, part(2)?);
            let scores = q.matmul(&k.t()?)?.broadcast_add(&bias)?;
            let probs = candle_nn::ops::softmax_last_dim(&scores)?;
            let ctx = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((n, h))?;
            let a = layer.attn_out.forward(&ctx)?;
            x = layer.attn_norm.forward(&(a + &x)?)?;
            let f = c.activation.forward(&layer.ffn_in.forward(&x)?)?;
            let f = layer.ffn_out.forward(&f)?;
            x = layer.out_norm.forward(&(f + &x)?)?;
        }
        self.classifier.forward(&x)?.flatten_all()?.to_vec1()
    }
}

/// Position ids of a padded batch: `0..cols` for each row, or for RoBERTa-style models
/// `padding_idx + 1 + i` for the i-th real token and `padding_idx` for padding (as
/// `create_position_ids_from_input_ids` of `transformers` computes them).
pub fn position_ids(c: &EncoderConfig, mask: &[u32], rows: usize, cols: usize) -> Vec<u32> {
    let mut out = Vec::with_capacity(rows * cols);
    for r in 0..rows {
        let mut seen = 0;
        for (i, &m) in mask[r * cols..(r + 1) * cols].iter().enumerate() {
            if !c.arch.offsets_positions() {
                out.push(i as u32);
            } else if m != 0 {
                seen += 1;
                out.push(c.pad_token_id + seen);
            } else {
                out.push(c.pad_token_id);
            }
        }
    }
    out
}

fn bad_weights(dir: &ModelDir, arch: Architecture, e: impl std::fmt::Display) -> TransformerError {
    TransformerError::Malformed {
        path: dir.weights(),
        message: format!(
            "{e} (the weights do not fit config.json: a {} token-classification model needs \
             `{}.*` or bare encoder tensors and `classifier.weight`/`classifier.bias`)",
            arch.model_type(),
            arch.prefix()
        ),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn model_types_round_trip() {
        for a in Architecture::ALL {
            assert_eq!(Architecture::from_model_type(a.model_type()), Some(a));
        }
        assert_eq!(Architecture::from_model_type("gpt2"), None);
        assert!(Architecture::supported().contains("\"xlm-roberta\""));
    }

    #[test]
    fn roberta_positions_skip_padding() {
        let json = r#"{"vocab_size": 10, "hidden_size": 8, "num_hidden_layers": 1,
            "num_attention_heads": 2, "intermediate_size": 16, "max_position_embeddings": 20,
            "type_vocab_size": 1, "layer_norm_eps": 1e-5, "pad_token_id": 1}"#;
        let c = EncoderConfig::parse(Architecture::Roberta, json).unwrap();
        assert_eq!(c.max_window(), 18);
        assert_eq!(
            position_ids(&c, &[1, 1, 1, 1, 1, 0], 2, 3),
            [2, 3, 4, 2, 3, 1]
        );
        let c = EncoderConfig::parse(Architecture::Bert, json).unwrap();
        assert_eq!(c.max_window(), 20);
        assert_eq!(
            position_ids(&c, &[1, 1, 1, 1, 1, 0], 2, 3),
            [0, 1, 2, 0, 1, 2]
        );
        let none = json.replace("\"pad_token_id\": 1", "\"pad_token_id\": -1");
        let c = EncoderConfig::parse(Architecture::XlmRoberta, &none).unwrap();
        assert_eq!(c.pad_token_id, 1);
        let bad = json.replace("\"hidden_size\": 8", "\"hidden_size\": 7");
        assert!(EncoderConfig::parse(Architecture::Bert, &bad)
            .unwrap_err()
            .contains("multiple"));
        let relative = json.replace(
            "\"type_vocab_size\"",
            "\"position_embedding_type\": \"relative_key\", \"type_vocab_size\"",
        );
        assert!(EncoderConfig::parse(Architecture::Bert, &relative)
            .unwrap_err()
            .contains("relative_key"));
    }
}
