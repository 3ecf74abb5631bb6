//! caveat's own implementation of the post-LayerNorm encoder family (BERT, RoBERTa, XLM-RoBERTa,
//! DistilBERT, DeBERTa-v2/v3) with a token-classification head, run by candle.
//!
//! The architectures differ only in details, all read from `config.json` and the weight names:
//!
//! | model_type    | weights      | token types | position ids                   |
//! |---------------|--------------|-------------|--------------------------------|
//! | `bert`        | `bert.*`     | yes         | `0..len`                       |
//! | `roberta`     | `roberta.*`  | yes (one)   | `padding_idx + 1 ..`, skipping padding |
//! | `xlm-roberta` | `roberta.*`  | yes (one)   | as RoBERTa                     |
//! | `distilbert`  | `distilbert.*` | no        | `0..len`                       |
//! | `deberta-v2`  | `deberta.*`  | if `type_vocab_size` > 0 | `0..len`, or none (`position_biased_input` false) |
//!
//! Bare encoder weights (`embeddings.*`, `encoder.*`, as in a base model saved without its
//! head's prefix) are accepted too. The model is embeddings → N × (self-attention → add &
//! LayerNorm → feed-forward with the configured activation → add & LayerNorm) → a linear
//! classifier, as Hugging Face `transformers` computes it. All linear layers are one internal
//! `Linear` type, so another weight format slots in without touching the forward pass.
//!
//! DeBERTa-v2 (and the DeBERTa-v3 checkpoints, which share its code) adds disentangled attention
//! ([`Relative`]): the attention scores get content→position (`c2p`) and position→content
//! (`p2c`) terms from relative position embeddings (`encoder.rel_embeddings`, LayerNorm-ed when
//! `norm_rel_ebd` says `layer_norm`), with relative positions log-bucketed beyond half of
//! `position_buckets` ([`Relative::position`]), and every score is divided by
//! √(head size × (1 + number of those terms)). The positions' projections by the layers' key
//! and query matrices (or `pos_key_proj`/`pos_query_proj` without `share_att_key`) do not
//! depend on the input, so they are computed once at load time, in fp32 whatever the
//! quantisation. The embeddings are LayerNorm-ed and then zeroed at padding, as `transformers`
//! does. The convolution layer of some DeBERTa-v2 checkpoints (`conv_kernel_size`), a separate
//! embedding size (`embedding_size`), an `attention_head_size` other than hidden / heads and
//! the `p2p` attention term are not implemented: such configs are refused by name.
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
    /// DeBERTa-v2 and DeBERTa-v3 (`microsoft/deberta-v3-*` and their fine-tunes): `model_type`
    /// `deberta-v2`.
    DebertaV2,
}

impl Architecture {
    /// Every supported architecture.
    pub const ALL: [Architecture; 5] = [
        Architecture::Bert,
        Architecture::Roberta,
        Architecture::XlmRoberta,
        Architecture::DistilBert,
        Architecture::DebertaV2,
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
            Architecture::DebertaV2 => "deberta-v2",
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

    /// Whether the architecture can take token type ids (DeBERTa-v2 only when its
    /// `type_vocab_size` is not 0, see [`EncoderConfig::type_vocab_size`]).
    pub fn has_token_types(self) -> bool {
        self != Architecture::DistilBert
    }

    /// Whether position ids start after the padding id (RoBERTa's
    /// `create_position_ids_from_input_ids`).
    pub fn offsets_positions(self) -> bool {
        matches!(self, Architecture::Roberta | Architecture::XlmRoberta)
    }

    /// The prefix of the encoder's weights in a token-classification checkpoint.
    pub fn prefix(self) -> &'static str {
        match self {
            Architecture::Bert => "bert",
            Architecture::Roberta | Architecture::XlmRoberta => "roberta",
            Architecture::DistilBert => "distilbert",
            Architecture::DebertaV2 => "deberta",
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
    /// Rows of the token type embeddings (0 for DistilBERT, and for DeBERTa-v2 models without
    /// token types).
    pub type_vocab_size: usize,
    /// LayerNorm epsilon.
    pub layer_norm_eps: f64,
    /// The padding id (RoBERTa's position ids start after it).
    pub pad_token_id: u32,
    /// Whether absolute position embeddings are added to the word embeddings (all but
    /// DeBERTa-v2 with `position_biased_input` false, as DeBERTa-v3).
    pub absolute_positions: bool,
    /// DeBERTa-v2's disentangled attention, if `relative_attention` is on.
    pub relative: Option<Relative>,
    /// Attention scores are divided by √(head size × this): 1, or for DeBERTa-v2 one more for
    /// each of the `c2p` and `p2c` attention terms.
    pub attention_scale_factor: usize,
}

/// DeBERTa-v2's relative attention settings (`transformers`' `DisentangledSelfAttention`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Relative {
    /// Relative positions are clamped to `-span..span` and index `2 * span` rows of the relative
    /// embeddings: `position_buckets`, or `max_relative_positions` without buckets.
    pub span: usize,
    /// `position_buckets`: relative distances beyond half of it share log-spaced buckets.
    pub buckets: Option<usize>,
    /// The largest distance the buckets cover (`max_relative_positions`, or
    /// `max_position_embeddings` when that is below 1).
    pub max_position: usize,
    /// The content→position term (`c2p` in `pos_att_type`).
    pub c2p: bool,
    /// The position→content term (`p2c`).
    pub p2c: bool,
    /// Positions are projected by the layer's own key and query matrices (`share_att_key`),
    /// not by `pos_key_proj`/`pos_query_proj`.
    pub share_att_key: bool,
    /// The relative embeddings go through `encoder.LayerNorm` first (`norm_rel_ebd`
    /// `layer_norm`).
    pub norm_embeddings: bool,
}

impl Relative {
    /// The relative position of query `i` to key `j` (`i - j`), bucketed as `transformers`'
    /// `make_log_bucket_position` does it (in f32, as there), before clamping.
    pub fn position(&self, i: usize, j: usize) -> i64 {
        let delta = i as i64 - j as i64;
        let Some(buckets) = self.buckets else {
            return delta;
        };
        let mid = (buckets / 2) as i64;
        let abs = if delta < mid && delta > -mid {
            mid - 1
        } else {
            delta.abs()
        };
        if abs <= mid {
            return delta;
        }
        let ratio = ((self.max_position - 1) as f64 / mid as f64) as f32;
        let log =
            ((abs as f32 / mid as f32).ln() / ratio.ln() * (mid - 1) as f32).ceil() + mid as f32;
        log as i64 * delta.signum()
    }

    /// The row of the relative embeddings the `c2p` term of query `i` and key `j` uses; the
    /// `p2c` term uses `c2p_row(j, i)`'s mirror, [`Relative::p2c_row`].
    pub fn c2p_row(&self, i: usize, j: usize) -> u32 {
        self.clamp(self.position(i, j) + self.span as i64)
    }

    /// The row of the relative embeddings the `p2c` term of key `j` and query `i` uses.
    pub fn p2c_row(&self, j: usize, i: usize) -> u32 {
        self.clamp(self.span as i64 - self.position(j, i))
    }

    fn clamp(&self, row: i64) -> u32 {
        row.clamp(0, 2 * self.span as i64 - 1) as u32
    }
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

#[derive(Deserialize)]
struct DebertaV2Fields {
    vocab_size: usize,
    hidden_size: usize,
    num_hidden_layers: usize,
    num_attention_heads: usize,
    intermediate_size: usize,
    #[serde(default = "gelu")]
    hidden_act: String,
    #[serde(default = "five_twelve")]
    max_position_embeddings: usize,
    #[serde(default)]
    type_vocab_size: usize,
    #[serde(default = "deberta_eps")]
    layer_norm_eps: f64,
    #[serde(default)]
    pad_token_id: Option<i64>,
    #[serde(default)]
    relative_attention: bool,
    #[serde(default = "minus_one")]
    max_relative_positions: i64,
    #[serde(default = "minus_one")]
    position_buckets: i64,
    #[serde(default)]
    norm_rel_ebd: Option<String>,
    #[serde(default)]
    share_att_key: bool,
    #[serde(default)]
    pos_att_type: Option<OneOrMany>,
    #[serde(default = "yes")]
    position_biased_input: bool,
    #[serde(default)]
    conv_kernel_size: Option<i64>,
    #[serde(default)]
    embedding_size: Option<usize>,
    #[serde(default)]
    attention_head_size: Option<usize>,
}

/// `pos_att_type`: `"p2c|c2p"` or `["p2c", "c2p"]`.
#[derive(Deserialize)]
#[serde(untagged)]
enum OneOrMany {
    One(String),
    Many(Vec<String>),
}

impl OneOrMany {
    fn items(&self) -> Vec<String> {
        let all: Vec<&str> = match self {
            OneOrMany::One(s) => s.split('|').collect(),
            OneOrMany::Many(v) => v.iter().map(String::as_str).collect(),
        };
        all.into_iter()
            .map(|s| s.trim().to_lowercase())
            .filter(|s| !s.is_empty())
            .collect()
    }
}

fn five_twelve() -> usize {
    512
}
fn deberta_eps() -> f64 {
    1e-7
}
fn minus_one() -> i64 {
    -1
}
fn yes() -> bool {
    true
}

/// DeBERTa-v2's config, read as `transformers` 4.44's `modeling_deberta_v2` reads it.
fn parse_deberta_v2(config_json: &str) -> Result<EncoderConfig, String> {
    let f: DebertaV2Fields = serde_json::from_str(config_json)
        .map_err(|e| format!("{e} (a complete `deberta-v2` config is needed)"))?;
    let unsupported = |what: String| {
        format!(
            "{what} is not supported by caveat's DeBERTa-v2 encoder (it runs DeBERTa-v3's \
             layout: no convolution layer, embedding size = hidden size, c2p/p2c attention); \
             pick a checkpoint without it"
        )
    };
    if let Some(k) = f.conv_kernel_size.filter(|&k| k > 0) {
        return Err(unsupported(format!(
            "the convolution layer (conv_kernel_size {k})"
        )));
    }
    if let Some(e) = f.embedding_size.filter(|&e| e != f.hidden_size) {
        return Err(unsupported(format!(
            "embedding_size {e} (other than hidden_size {})",
            f.hidden_size
        )));
    }
    let heads = f.num_attention_heads;
    if let Some(a) = f
        .attention_head_size
        .filter(|&a| heads == 0 || a * heads != f.hidden_size)
    {
        return Err(unsupported(format!(
            "attention_head_size {a} (other than hidden_size / num_attention_heads)"
        )));
    }
    let types = f
        .pos_att_type
        .as_ref()
        .map(OneOrMany::items)
        .unwrap_or_default();
    if let Some(t) = types.iter().find(|t| *t != "c2p" && *t != "p2c") {
        return Err(unsupported(format!("pos_att_type `{t}`")));
    }
    let (c2p, p2c) = (
        types.iter().any(|t| t == "c2p"),
        types.iter().any(|t| t == "p2c"),
    );
    let relative = if f.relative_attention {
        let max_position = if f.max_relative_positions < 1 {
            f.max_position_embeddings
        } else {
            f.max_relative_positions as usize
        };
        let buckets = usize::try_from(f.position_buckets).ok().filter(|&b| b > 0);
        if let Some(b) = buckets {
            if b < 2 || max_position <= b / 2 + 1 {
                return Err(format!(
                    "position_buckets {b} with max_relative_positions {max_position}: log \
                     buckets need position_buckets >= 2 and max_relative_positions > \
                     position_buckets / 2 + 1"
                ));
            }
        }
        if max_position == 0 {
            return Err("relative_attention needs max_relative_positions or \
                        max_position_embeddings above 0"
                .into());
        }
        let norm = f
            .norm_rel_ebd
            .as_deref()
            .unwrap_or("none")
            .to_lowercase()
            .split('|')
            .any(|t| t.trim() == "layer_norm");
        Some(Relative {
            span: buckets.unwrap_or(max_position),
            buckets,
            max_position,
            c2p,
            p2c,
            share_att_key: f.share_att_key,
            norm_embeddings: norm,
        })
    } else {
        None
    };
    Ok(EncoderConfig {
        arch: Architecture::DebertaV2,
        vocab_size: f.vocab_size,
        hidden: f.hidden_size,
        layers: f.num_hidden_layers,
        heads,
        intermediate: f.intermediate_size,
        activation: Activation::parse(&f.hidden_act)
            .ok_or_else(|| unknown_activation(&f.hidden_act))?,
        max_position_embeddings: f.max_position_embeddings,
        type_vocab_size: f.type_vocab_size,
        layer_norm_eps: f.layer_norm_eps,
        pad_token_id: non_negative(f.pad_token_id).unwrap_or(0),
        absolute_positions: f.position_biased_input,
        relative,
        attention_scale_factor: 1 + usize::from(c2p) + usize::from(p2c),
    })
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
        let config = if arch == Architecture::DebertaV2 {
            parse_deberta_v2(config_json)?
        } else if arch == Architecture::DistilBert {
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
                absolute_positions: true,
                relative: None,
                attention_scale_factor: 1,
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
                absolute_positions: true,
                relative: None,
                attention_scale_factor: 1,
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
    /// DeBERTa-v2's projected relative embeddings.
    positions: Option<PositionTerms>,
    attn_out: Linear,
    attn_norm: LayerNorm,
    ffn_in: Linear,
    ffn_out: Linear,
    out_norm: LayerNorm,
}

/// A DeBERTa-v2 layer's relative embeddings projected for its attention terms, computed once at
/// load time: `[1, heads, head size, 2 * span]`, ready to multiply the layer's queries (`c2p`,
/// already scaled) or keys (`p2c`, scaled here).
struct PositionTerms {
    /// Keys of the relative positions, for the content→position term.
    c2p: Option<Tensor>,
    /// Queries of the relative positions × the attention scale, for position→content.
    p2c: Option<Tensor>,
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
        } else if arch == Architecture::DebertaV2 {
            Names {
                embeddings: format!("{prefix}embeddings."),
                layers: format!("{prefix}encoder.layer."),
                q: "attention.self.query_proj",
                k: "attention.self.key_proj",
                v: "attention.self.value_proj",
                attn_out: "attention.output.dense",
                attn_norm: "attention.output.LayerNorm",
                ffn_in: "intermediate.dense",
                ffn_out: "output.dense",
                out_norm: "output.LayerNorm",
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
    /// Absolute position embeddings (all but DeBERTa-v3).
    position: Option<Tensor>,
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

    /// `x Wᵀ + b` for the fp32 weights of linear layer `name` (`x`: `[n, inp]`).
    fn apply_f32(&self, name: &str, x: &Tensor, out: usize, inp: usize) -> Result<Tensor, String> {
        let w = self.tensor(&format!("{name}.weight"), &[out, inp])?;
        let b = self.tensor(&format!("{name}.bias"), &[out])?;
        candle_nn::Linear::new(w, Some(b))
            .forward(x)
            .map_err(|e| format!("`{name}`: {e}"))
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
        let position = if config.absolute_positions {
            Some(l.tensor(
                &format!("{e}position_embeddings.weight"),
                &[config.max_position_embeddings, h],
            )?)
        } else {
            None
        };
        let token_type = if arch.has_token_types() && config.type_vocab_size > 0 {
            Some(l.tensor(
                &format!("{e}token_type_embeddings.weight"),
                &[config.type_vocab_size, h],
            )?)
        } else {
            None
        };
        let emb_norm = l.norm(&format!("{e}LayerNorm"), h, eps)?;
        let rel_embeddings = match config.relative {
            Some(r) => {
                let name = format!("{prefix}encoder.rel_embeddings.weight");
                let t = l.tensor(&name, &[2 * r.span, h])?;
                Some(if r.norm_embeddings {
                    l.norm(&format!("{prefix}encoder.LayerNorm"), h, eps)?
                        .forward(&t)
                        .map_err(|e| format!("`{name}`: {e}"))?
                } else {
                    t
                })
            }
            None => None,
        };
        let mut layers = Vec::with_capacity(config.layers);
        for i in 0..config.layers {
            let p = |s: &str| format!("{}{i}.{s}", n.layers);
            let positions = match (config.relative, &rel_embeddings) {
                (Some(r), Some(rel)) => Some(position_terms(&l, &config, r, rel, &p)?),
                _ => None,
            };
            layers.push(Layer {
                positions,
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
        let mut x = self.word.embedding(&ids_t)?;
        if let Some(position) = &self.position {
            let pos_t = Tensor::from_slice(&positions, n, dev)?;
            x = (x + position.embedding(&pos_t)?)?;
        }
        if let Some(tt) = &self.token_type {
            let types = Tensor::from_slice(type_ids, n, dev)?;
            x = (x + tt.embedding(&types)?)?;
        }
        let mut x = self.emb_norm.forward(&x)?;
        if c.arch == Architecture::DebertaV2 {
            // transformers' DeBERTa zeroes the embeddings of padding.
            let m: Vec<f32> = mask.iter().map(|&m| f32::from(u8::from(m != 0))).collect();
            x = x.broadcast_mul(&Tensor::from_vec(m, (n, 1), dev)?)?;
        }
        // Additive mask [rows, 1, 1, cols]: 0 for real tokens, the most negative f32 for padding.
        let bias: Vec<f32> = mask
            .iter()
            .map(|&m| if m != 0 { 0.0 } else { f32::MIN })
            .collect();
        let bias = Tensor::from_vec(bias, (rows, 1, 1, cols), dev)?;
        let scale = 1.0 / ((hd * c.attention_scale_factor) as f64).sqrt();
        // DeBERTa-v2: which relative embedding each (query, key) pair's c2p term uses, and
        // each (key, query) pair's p2c term, for every row and head `[rows, heads, cols, cols]`.
        let rows_of = |f: &dyn Fn(usize, usize) -> u32| -> candle_core::Result<Tensor> {
            let v: Vec<u32> = (0..cols * cols).map(|t| f(t / cols, t % cols)).collect();
            Tensor::from_vec(v, (1, 1, cols, cols), dev)?
                .broadcast_as((rows, heads, cols, cols))?
                .contiguous()
        };
        let (c2p_rows, p2c_rows) = match c.relative {
            Some(r) => (
                Some(rows_of(&|i, j| r.c2p_row(i, j))?).filter(|_| r.c2p),
                Some(rows_of(&|j, i| r.p2c_row(j, i))?).filter(|_| r.p2c),
            ),
            None => (None, None),
        };
        for layer in &self.layers {
            let qkv = layer.qkv.forward(&x)?.reshape((rows, cols, 3, heads, hd))?;
            let part = |i: usize| -> candle_core::Result<Tensor> {
                qkv.narrow(2, i, 1)?
                    .squeeze(2)?
                    .transpose(1, 2)?
                    .contiguous()
            };
            let (q, k, v) = ((part(0)? * scale)?, part(1)?, part(2)?);
            let mut scores = q.matmul(&k.t()?)?;
            if let Some(terms) = &layer.positions {
                if let (Some(keys), Some(at)) = (&terms.c2p, &c2p_rows) {
                    // scores[i, j] += q_i · key(row(i, j)) / scale.
                    let all = q.broadcast_matmul(keys)?;
                    scores = (scores + all.gather(at, 3)?)?;
                }
                if let (Some(queries), Some(at)) = (&terms.p2c, &p2c_rows) {
                    // scores[i, j] += k_j · query(row(j, i)) / scale.
                    let all = k.broadcast_matmul(queries)?;
                    scores = (scores + all.gather(at, 3)?.transpose(2, 3)?)?;
                }
            }
            let scores = scores.broadcast_add(&bias)?;
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

/// A DeBERTa-v2 layer's [`PositionTerms`]: the relative embeddings `rel` `[2 * span, hidden]`
/// through the layer's key and query projections (or `pos_key_proj`/`pos_query_proj`), in fp32.
fn position_terms(
    l: &Loader<'_>,
    c: &EncoderConfig,
    r: Relative,
    rel: &Tensor,
    p: &dyn Fn(&str) -> String,
) -> Result<PositionTerms, String> {
    let (h, heads) = (c.hidden, c.heads);
    let hd = h / heads;
    let scale = 1.0 / ((hd * c.attention_scale_factor) as f64).sqrt();
    let project = |name: &str, scaled: bool| -> Result<Tensor, String> {
        let t = l.apply_f32(&p(name), rel, h, h)?;
        let t = if scaled {
            (t * scale).map_err(|e| e.to_string())?
        } else {
            t
        };
        // [2 * span, hidden] → [1, heads, head size, 2 * span].
        t.reshape((2 * r.span, heads, hd))
            .and_then(|t| t.permute((1, 2, 0)))
            .and_then(|t| t.unsqueeze(0))
            .and_then(|t| t.contiguous())
            .map_err(|e| format!("`{}`: {e}", p(name)))
    };
    let (key, query) = if r.share_att_key {
        ("attention.self.key_proj", "attention.self.query_proj")
    } else {
        (
            "attention.self.pos_key_proj",
            "attention.self.pos_query_proj",
        )
    };
    Ok(PositionTerms {
        c2p: if r.c2p {
            Some(project(key, false)?)
        } else {
            None
        },
        p2c: if r.p2c {
            Some(project(query, true)?)
        } else {
            None
        },
    })
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

    /// A tiny random-weight model of `tests/data` (`tiny-{name}`) and a padded batch of its
    /// reference sentences: (model dir, batch ids, mask, rows, cols, positions of words' first
    /// subwords).
    fn tiny_batch(name: &str) -> (ModelDir, Vec<u32>, Vec<u32>, usize, usize, Vec<usize>) {
        let path = std::path::Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(format!("tiny-{name}"));
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
    /// 384 for MiniLM), and the label of at least 90% of the words. The same holds for the
    /// DeBERTa-v2 model, whose relative-position terms stay fp32 (measured: 4.0% and 2.4%).
    #[test]
    fn int8_logits_stay_close_to_fp32() {
        int8_close_to_fp32("bert");
        int8_close_to_fp32("deberta-v2");
    }

    fn int8_close_to_fp32(name: &str) {
        let (dir, ids, mask, rows, cols, firsts) = tiny_batch(name);
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
            "{name}: int8 vs fp32: max abs logit difference {worst:e}, logit range {range:e}, \
             rms difference {rms_diff:e}, rms logit {rms:e}"
        );
        assert!(worst > 0.0, "the int8 path was not taken");
        assert!(worst <= 0.05 * range, "{worst} > 5% of {range}");
        assert!(rms_diff <= 0.05 * rms, "{rms_diff} > 5% of {rms}");
        let same = firsts
            .iter()
            .filter(|&&t| argmax(&f[t * labels..][..labels]) == argmax(&q[t * labels..][..labels]))
            .count();
        eprintln!(
            "{name}: int8 vs fp32: {same} of {} word labels agree",
            firsts.len()
        );
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

    /// DeBERTa-v3's settings: span 256, relative positions exact up to half of it and
    /// log-bucketed beyond, mirrored for negative distances, growing with the distance, and
    /// the largest distance in the last bucket.
    #[test]
    fn deberta_log_buckets() {
        let r = Relative {
            span: 256,
            buckets: Some(256),
            max_position: 512,
            c2p: true,
            p2c: true,
            share_att_key: true,
            norm_embeddings: true,
        };
        for d in 0..=128 {
            assert_eq!(r.position(d, 0), d as i64);
            assert_eq!(r.position(0, d), -(d as i64));
        }
        let mut last = 128;
        for d in 129..600 {
            let p = r.position(d, 0);
            assert_eq!(r.position(0, d), -p);
            assert!(p >= last && p > 128, "{d} → {p}");
            last = p;
        }
        assert_eq!(r.position(511, 0), 255);
        assert!(r.position(300, 0) < 255);
        // Rows: c2p and p2c mirror each other around the span; distances beyond
        // max_relative_positions fall past the last bucket and are clamped to 0..2 * span.
        for (i, j) in [(0, 0), (5, 0), (0, 5), (0, 511), (511, 0)] {
            assert_eq!(r.c2p_row(i, j) + r.p2c_row(i, j), 512, "{i} {j}");
        }
        assert!(r.position(700, 0) > 256);
        assert_eq!((r.c2p_row(700, 0), r.p2c_row(700, 0)), (511, 0));
        assert_eq!(r.c2p_row(3, 3), 256);
        // Without buckets, distances beyond the span are clamped to the first and last rows.
        let plain = Relative {
            buckets: None,
            span: 4,
            ..r
        };
        assert_eq!(plain.position(9, 0), 9);
        assert_eq!((plain.c2p_row(9, 0), plain.c2p_row(0, 9)), (7, 0));
        assert_eq!((plain.p2c_row(9, 0), plain.p2c_row(0, 9)), (0, 7));
    }

    /// A DeBERTa-v3 config is read as transformers reads it, and what caveat does not
    /// implement is refused by name.
    #[test]
    fn deberta_v2_configs() {
        let v3 = r#"{"model_type": "deberta-v2", "vocab_size": 100, "hidden_size": 8,
            "num_hidden_layers": 1, "num_attention_heads": 2, "intermediate_size": 16,
            "hidden_act": "gelu", "max_position_embeddings": 512, "type_vocab_size": 0,
            "layer_norm_eps": 1e-7, "relative_attention": true, "max_relative_positions": -1,
            "position_buckets": 256, "norm_rel_ebd": "layer_norm", "share_att_key": true,
            "pos_att_type": "p2c|c2p", "position_biased_input": false, "pad_token_id": 0}"#;
        let c = EncoderConfig::parse(Architecture::DebertaV2, v3).unwrap();
        assert_eq!(c.attention_scale_factor, 3);
        assert!(!c.absolute_positions);
        assert_eq!((c.type_vocab_size, c.max_window()), (0, 512));
        let r = c.relative.unwrap();
        assert_eq!((r.span, r.buckets, r.max_position), (256, Some(256), 512));
        assert!(r.c2p && r.p2c && r.share_att_key && r.norm_embeddings);
        let listed = v3.replace("\"p2c|c2p\"", "[\"c2p\"]");
        let c = EncoderConfig::parse(Architecture::DebertaV2, &listed).unwrap();
        assert_eq!(c.attention_scale_factor, 2);
        assert!(c.relative.is_some_and(|r| r.c2p && !r.p2c));
        // Without relative attention nor buckets: plain attention, the scale still counts
        // the position terms (as transformers does).
        let plain = v3
            .replace(
                "\"relative_attention\": true",
                "\"relative_attention\": false",
            )
            .replace(
                "\"position_biased_input\": false",
                "\"position_biased_input\": true",
            );
        let c = EncoderConfig::parse(Architecture::DebertaV2, &plain).unwrap();
        assert!(c.relative.is_none() && c.absolute_positions);
        assert_eq!(c.attention_scale_factor, 3);
        for (field, value) in [
            ("conv_kernel_size", "3"),
            ("embedding_size", "16"),
            ("attention_head_size", "2"),
            ("pos_att_type", "\"p2c|p2p\""),
            ("position_buckets", "1"),
        ] {
            let json = v3.replacen('{', &format!("{{\"{field}\": {value}, "), 1);
            let json = if field == "pos_att_type" || field == "position_buckets" {
                json.replace(&format!("\"{field}\": \"p2c|c2p\""), "\"x\": 0")
                    .replace(&format!("\"{field}\": 256"), "\"x\": 0")
            } else {
                json
            };
            let e = EncoderConfig::parse(Architecture::DebertaV2, &json).unwrap_err();
            let name = if field == "pos_att_type" {
                "p2p"
            } else {
                field
            };
            assert!(e.contains(name), "{field}: {e}");
        }
    }
}
