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
//! `Linear` type, so another weight format slots in without touching the forward pass.
//!
//! With [`Quantization::Int8`] every linear layer of the encoder (query/key/value, attention
//! output, both feed-forward layers) is quantised once at load time by `caveat-quant`
//! (int8 weights per output row, activations quantised on the fly, AVX-512 VNNI / AVX-VNNI /
//! AVX2 kernels); the classifier head stays fp32. The attention softmax and the exact GELU then
//! run in place through `caveat-quant`'s vectorised functions too.

use candle_core::{
    CpuStorage, CustomOp1, DType, Device, InplaceOp1, Layout, Module, Shape, Tensor,
};
use candle_nn::VarBuilder;
use caveat_quant::QuantizedLinear;
use serde::Deserialize;

use crate::inspect::Quantization;
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

/// A linear layer, `y = x Wᵀ + b`, over rows of `x`. The forward pass only sees this type.
#[derive(Debug, Clone)]
pub(crate) enum Linear {
    /// fp32 weights `[out, in]`, run by candle's gemm.
    F32(candle_nn::Linear),
    /// int8 weights, run by `caveat-quant`'s kernels.
    Int8(Int8Linear),
}

impl Linear {
    /// `x`: `[n, in]` → `[n, out]`.
    fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::F32(l) => l.forward(x),
            Linear::Int8(q) => x.contiguous()?.apply_op1_no_bwd(q),
        }
    }

    /// fp32 `weight` `[out, in]` and `bias` `[out]` as this format asks.
    fn new(weight: Tensor, bias: Tensor, q: Quantization) -> Result<Linear, String> {
        match q {
            Quantization::Fp32 => Ok(Linear::F32(candle_nn::Linear::new(weight, Some(bias)))),
            Quantization::Int8 => {
                let (out, inp) = weight.dims2().map_err(|e| e.to_string())?;
                let w = weight
                    .flatten_all()
                    .and_then(|w| w.to_vec1::<f32>())
                    .map_err(|e| e.to_string())?;
                let b = bias.to_vec1::<f32>().map_err(|e| e.to_string())?;
                let q = QuantizedLinear::from_f32(&w, out, inp, Some(&b))
                    .map_err(|e| format!("cannot quantise to int8: {e}"))?;
                Ok(Linear::Int8(Int8Linear(q)))
            }
        }
    }
}

/// A [`QuantizedLinear`] as a candle op over a contiguous f32 `[n, in]` tensor.
#[derive(Debug, Clone)]
pub(crate) struct Int8Linear(QuantizedLinear);

fn op_error(e: impl std::fmt::Display) -> candle_core::Error {
    candle_core::Error::Msg(e.to_string())
}

impl CustomOp1 for Int8Linear {
    fn name(&self) -> &'static str {
        "caveat-int8-linear"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let (start, end) = l
            .contiguous_offsets()
            .ok_or_else(|| op_error("int8 linear: the input must be contiguous"))?;
        let x = &s.as_slice::<f32>()?[start..end];
        let (rows, _) = l.shape().dims2()?;
        let mut out = vec![0f32; rows * self.0.out_features()];
        self.0.forward(x, rows, &mut out).map_err(op_error)?;
        Ok((
            CpuStorage::F32(out),
            Shape::from((rows, self.0.out_features())),
        ))
    }
}

/// `caveat-quant`'s vectorised exact GELU or last-dimension softmax, in place (only ever
/// applied to a tensor the forward pass has just created, which nothing else shares).
enum InPlace {
    Gelu,
    Softmax,
}

impl InplaceOp1 for InPlace {
    fn name(&self) -> &'static str {
        "caveat-quant-elementwise"
    }

    fn cpu_fwd(&self, s: &mut CpuStorage, l: &Layout) -> candle_core::Result<()> {
        let (start, end) = l
            .contiguous_offsets()
            .ok_or_else(|| op_error("in-place op: the input must be contiguous"))?;
        let CpuStorage::F32(v) = s else {
            return Err(op_error("in-place op: f32 only"));
        };
        let x = &mut v[start..end];
        match self {
            InPlace::Gelu => caveat_quant::gelu_erf(x),
            InPlace::Softmax => {
                let cols = l.dims().last().copied().unwrap_or(1);
                caveat_quant::softmax_rows(x, cols).map_err(op_error)?
            }
        }
        Ok(())
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
    /// Softmax and GELU by `caveat-quant` in place (the int8 path).
    fast_elementwise: bool,
}

struct Loader<'a> {
    vb: VarBuilder<'a>,
    /// The format of the encoder's linear layers (the classifier stays fp32).
    quantization: Quantization,
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
        self.linear_as(name, out, inp, self.quantization)
    }

    fn linear_as(
        &self,
        name: &str,
        out: usize,
        inp: usize,
        q: Quantization,
    ) -> Result<Linear, String> {
        let w = self.tensor(&format!("{name}.weight"), &[out, inp])?;
        let b = self.tensor(&format!("{name}.bias"), &[out])?;
        Linear::new(w, b, q).map_err(|e| format!("`{name}`: {e}"))
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
        Linear::new(cat(&ws)?, cat(&bs)?, self.quantization)
            .map_err(|e| format!("`{}`: {e}", names[0]))
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
        Self::load_as(dir, config, Quantization::Fp32)
    }

    /// Load the weights of `dir`, the encoder's linear layers in `quantization` (the
    /// classifier head stays fp32).
    pub fn load_as(
        dir: &ModelDir,
        config: EncoderConfig,
        quantization: Quantization,
    ) -> Result<TokenClassifier, TransformerError> {
        let path = dir.weights();
        let bytes = std::fs::read(&path).map_err(|source| TransformerError::Io {
            path: path.clone(),
            source,
        })?;
        let vb = VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .map_err(|e| bad_weights(dir, config.arch, e))?;
        Self::from_vb(Loader { vb, quantization }, config, dir.labels.len())
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
        let classifier = l.linear_as("classifier", labels, h, Quantization::Fp32)?;
        Ok(TokenClassifier {
            fast_elementwise: l.quantization == Quantization::Int8,
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
            let probs = if self.fast_elementwise {
                // `scores` is fresh, contiguous and shared with nothing.
                scores.inplace_op1(&InPlace::Softmax)?;
                scores
            } else {
                candle_nn::ops::softmax_last_dim(&scores)?
            };
            let ctx = probs
                .matmul(&v)?
                .transpose(1, 2)?
                .contiguous()?
                .reshape((n, h))?;
            let a = layer.attn_out.forward(&ctx)?;
            x = layer.attn_norm.forward(&(a + &x)?)?;
            let f = layer.ffn_in.forward(&x)?;
            let f = if self.fast_elementwise && c.activation == Activation::Gelu {
                // The int8 linear's output is fresh, contiguous and shared with nothing.
                f.inplace_op1(&InPlace::Gelu)?;
                f
            } else {
                c.activation.forward(&f)?
            };
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

    /// The tiny random-weight BERT of `tests/data` and a padded batch of its reference
    /// sentences: (model dir, batch ids, mask, rows, cols, positions of words' first subwords).
    fn tiny_bert_batch() -> (ModelDir, Vec<u32>, Vec<u32>, usize, usize, Vec<usize>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny-bert");
        let dir = ModelDir::open(&path).unwrap();
        let text = std::fs::read_to_string(path.join("reference.json")).unwrap();
        let r: serde_json::Value = serde_json::from_str(&text).unwrap();
        let sentences = r["sentences"].as_array().unwrap();
        let ids: Vec<Vec<u32>> = sentences
            .iter()
            .map(|s| {
                s["input_ids"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .map(|x| x.as_u64().unwrap() as u32)
                    .collect()
            })
            .collect();
        let (rows, cols) = (ids.len(), ids.iter().map(Vec::len).max().unwrap());
        let (mut flat, mut mask, mut firsts) = (Vec::new(), Vec::new(), Vec::new());
        for (row, (s, i)) in sentences.iter().zip(&ids).enumerate() {
            let mut last = None;
            for (pos, w) in s["word_ids"].as_array().unwrap().iter().enumerate() {
                if let Some(w) = w.as_u64().filter(|&w| Some(w) != last) {
                    firsts.push(row * cols + pos);
                    last = Some(w);
                }
            }
            flat.extend(
                i.iter()
                    .copied()
                    .chain(std::iter::repeat_n(0, cols - i.len())),
            );
            mask.extend((0..cols).map(|c| u32::from(c < i.len())));
        }
        (dir, flat, mask, rows, cols, firsts)
    }

    fn argmax(v: &[f32]) -> usize {
        (0..v.len()).fold(0, |b, i| if v[i] > v[b] { i } else { b })
    }

    /// Int8 linears (and caveat-quant's softmax and GELU) keep the logits of every real token
    /// within 5% of the largest fp32 logit, and their root mean square difference within 5% of
    /// the fp32 logits' (measured: 2.6% and 2.2%; the relative error of an int8 dot product
    /// shrinks with its length, and this random-weight model's hidden size is only 32, against
    /// 384 for MiniLM), and the label of at least 90% of the words.
    #[test]
    fn int8_logits_stay_close_to_fp32() {
        let (dir, ids, mask, rows, cols, firsts) = tiny_bert_batch();
        let types = vec![0; ids.len()];
        let run = |q| {
            let m = TokenClassifier::load_as(&dir, dir.encoder, q).unwrap();
            assert_eq!(m.fast_elementwise, q == Quantization::Int8);
            m.forward(&ids, &types, &mask, rows, cols).unwrap()
        };
        let (f, q) = (run(Quantization::Fp32), run(Quantization::Int8));
        let labels = dir.labels.len();
        assert_eq!(
            (f.len(), q.len()),
            (rows * cols * labels, rows * cols * labels)
        );
        let range = f.iter().fold(0f32, |m, x| m.max(x.abs()));
        let (mut worst, mut sq_diff, mut sq, mut n) = (0f32, 0f64, 0f64, 0usize);
        for (t, &m) in mask.iter().enumerate() {
            if m == 0 {
                continue;
            }
            let (a, b) = (&f[t * labels..][..labels], &q[t * labels..][..labels]);
            for (x, y) in a.iter().zip(b) {
                worst = worst.max((x - y).abs());
                sq_diff += f64::from(x - y).powi(2);
                sq += f64::from(*x).powi(2);
                n += 1;
            }
        }
        let (rms_diff, rms) = ((sq_diff / n as f64).sqrt(), (sq / n as f64).sqrt());
        eprintln!(
            "int8 vs fp32: max abs logit difference {worst:e}, logit range {range:e}, \
             rms difference {rms_diff:e}, rms logit {rms:e}"
        );
        assert!(worst > 0.0, "the int8 path was not taken");
        assert!(worst <= 0.05 * range, "{worst} > 5% of {range}");
        assert!(rms_diff <= 0.05 * rms, "{rms_diff} > 5% of {rms}");
        let same = firsts
            .iter()
            .filter(|&&t| argmax(&f[t * labels..][..labels]) == argmax(&q[t * labels..][..labels]))
            .count();
        eprintln!("int8 vs fp32: {same} of {} word labels agree", firsts.len());
        assert!(!firsts.is_empty() && same * 10 >= firsts.len() * 9);
    }

    #[test]
    fn quantize_names_round_trip() {
        for q in Quantization::ALL {
            assert_eq!(Quantization::from_name(q.name()), Some(q));
        }
        assert_eq!(Quantization::from_name("int8"), Some(Quantization::Int8));
        assert_eq!(Quantization::from_name("none"), Some(Quantization::Fp32));
        assert_eq!(Quantization::from_name("int4"), None);
    }

    #[test]
    fn int8_is_refused_for_rust_bert() {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/tiny-bert");
        let err = crate::Tagger::load_quantized(
            &path,
            crate::BackendKind::RustBert,
            crate::TaggerOptions::default(),
            Quantization::Int8,
        )
        .unwrap_err()
        .to_string();
        assert!(
            err.contains("int8") && err.contains("rust-bert") && err.contains("candle"),
            "{err}"
        );
        let ok = crate::Tagger::load_quantized(
            &path,
            crate::BackendKind::Candle,
            crate::TaggerOptions {
                max_length: 64,
                ..crate::TaggerOptions::default()
            },
            Quantization::Int8,
        );
        assert!(ok.is_ok(), "{ok:?}");
    }

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
