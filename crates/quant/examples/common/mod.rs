//! What the examples share: int8 linears and the element-wise functions as candle ops, and
//! one encoder layer as caveat-transformer's `encoder.rs` runs it.
#![allow(dead_code)]

use candle_core::{CpuStorage, CustomOp1, InplaceOp1, Layout, Module, Shape, Tensor};
use caveat_quant::QuantizedLinear;

/// A linear layer of the encoder: candle f32, or int8.
pub enum Linear {
    F32(candle_nn::Linear),
    Int8(Int8Op),
}

impl Linear {
    pub fn forward(&self, x: &Tensor) -> candle_core::Result<Tensor> {
        match self {
            Linear::F32(l) => l.forward(x),
            Linear::Int8(q) => x.apply_op1_no_bwd(q),
        }
    }
}

/// `QuantizedLinear` as a candle op over a contiguous f32 `[n, in]` tensor (no copy in).
pub struct Int8Op(pub QuantizedLinear);

pub fn msg(e: impl std::fmt::Display) -> candle_core::Error {
    candle_core::Error::Msg(e.to_string())
}

fn contiguous_f32<'a>(s: &'a CpuStorage, l: &Layout) -> candle_core::Result<&'a [f32]> {
    let (start, end) = l
        .contiguous_offsets()
        .ok_or_else(|| msg("int8 op: the input must be contiguous"))?;
    Ok(&s.as_slice::<f32>()?[start..end])
}

impl CustomOp1 for Int8Op {
    fn name(&self) -> &'static str {
        "int8-linear"
    }

    fn cpu_fwd(&self, s: &CpuStorage, l: &Layout) -> candle_core::Result<(CpuStorage, Shape)> {
        let x = contiguous_f32(s, l)?;
        let (rows, _) = l.shape().dims2()?;
        let n = self.0.out_features();
        let mut out = vec![0f32; rows * n];
        self.0.forward(x, rows, &mut out).map_err(msg)?;
        Ok((CpuStorage::F32(out), Shape::from((rows, n))))
    }
}

/// In-place exact GELU or last-dimension softmax.
pub enum Elementwise {
    Gelu,
    Softmax,
}

impl InplaceOp1 for Elementwise {
    fn name(&self) -> &'static str {
        "caveat-quant-elementwise"
    }

    fn cpu_fwd(&self, s: &mut CpuStorage, l: &Layout) -> candle_core::Result<()> {
        let (start, end) = l
            .contiguous_offsets()
            .ok_or_else(|| msg("elementwise op: the input must be contiguous"))?;
        let CpuStorage::F32(v) = s else {
            return Err(msg("elementwise op: f32 only"));
        };
        let x = &mut v[start..end];
        match self {
            Elementwise::Gelu => caveat_quant::gelu_erf(x),
            Elementwise::Softmax => {
                caveat_quant::softmax_rows(x, l.dims()[l.dims().len() - 1]).map_err(msg)?
            }
        }
        Ok(())
    }
}

pub struct Layer {
    pub qkv: Linear,
    pub attn_out: Linear,
    pub attn_norm: candle_nn::LayerNorm,
    pub ffn_in: Linear,
    pub ffn_out: Linear,
    pub out_norm: candle_nn::LayerNorm,
    pub hidden: usize,
    pub heads: usize,
    pub fast_elementwise: bool,
}

impl Layer {
    /// As `TokenClassifier::forward`'s loop body in crates/transformer/src/encoder.rs.
    pub fn forward(
        &self,
        x: &Tensor,
        bias: &Tensor,
        rows: usize,
        cols: usize,
    ) -> candle_core::Result<Tensor> {
        let (h, heads) = (self.hidden, self.heads);
        let hd = h / heads;
        let n = rows * cols;
        let scale = 1.0 / (hd as f64).sqrt();
        let qkv = self.qkv.forward(x)?.reshape((rows, cols, 3, heads, hd))?;
        let part = |i: usize| -> candle_core::Result<Tensor> {
            qkv.narrow(2, i, 1)?
                .squeeze(2)?
                .transpose(1, 2)?
                .contiguous()
        };
        let (q, k, v) = ((part(0)? * scale)?, part(1)?, part(2)?);
        let scores = q.matmul(&k.t()?)?.broadcast_add(bias)?;
        let probs = if self.fast_elementwise {
            scores.inplace_op1(&Elementwise::Softmax)?;
            scores
        } else {
            candle_nn::ops::softmax_last_dim(&scores)?
        };
        let ctx = probs
            .matmul(&v)?
            .transpose(1, 2)?
            .contiguous()?
            .reshape((n, h))?;
        let a = self.attn_out.forward(&ctx)?;
        let x = self.attn_norm.forward(&(a + x)?)?;
        let f = self.ffn_in.forward(&x)?;
        let f = if self.fast_elementwise {
            f.inplace_op1(&Elementwise::Gelu)?;
            f
        } else {
            f.gelu_erf()?
        };
        let f = self.ffn_out.forward(&f)?;
        self.out_norm.forward(&(f + &x)?)
    }
}

/// On-CPU nanoseconds of every thread of this process so far
/// (`CLOCK_PROCESS_CPUTIME_ID`), so that time spent descheduled on a shared machine does not
/// count.
#[allow(unsafe_code)]
pub fn cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    ok.then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}
