//! Fast int8 inference of transformer linear layers on the CPU, and the vectorised
//! element-wise functions around them (exact GELU, `exp`, softmax).
//!
//! # Int8 linear layers: [`QuantizedLinear`]
//!
//! `QuantizedLinear::from_f32(weight, out_features, in_features, bias)` takes a PyTorch /
//! safetensors linear weight (`[out, in]`, row-major) and `forward(x, rows, out)` computes
//! `out = x · Wᵀ + b` for `x` of shape `[rows, in]`, writing `[rows, out]`.
//!
//! ## Quantisation scheme
//!
//! * **Weights**: symmetric int8 per output row `n`:
//!   `s_w[n] = max_k |W[n,k]| / 127`, `q_w[n,k] = round(W[n,k] / s_w[n]) ∈ [-127, 127]`.
//!   They are quantised once, packed in panels of 16 output rows × 4 consecutive inputs (the
//!   operand layout of `vpdpbusd`), with the row sums `Σ_k q_w[n,k]` kept for the zero-point
//!   correction below.
//! * **Activations**: asymmetric unsigned per input row `m`, computed on the fly in every
//!   `forward`: with `lo = min(0, min_k x[m,k])`, `hi = max(0, max_k x[m,k])`,
//!   `s_x[m] = (hi − lo) / Q`, `z[m] = round(−lo / s_x[m])`,
//!   `q_x[m,k] = clamp(round(x[m,k] / s_x[m]) + z[m], 0, Q)` where `Q = 255` for the VNNI
//!   kernels and the scalar one and `Q = 127` for the AVX2 kernel (see below). Asymmetric
//!   activations use all 8 bits on one-signed inputs (the GELU outputs that feed every FFN
//!   down-projection lie in `[−0.17, ∞)`), for one i32 multiply-subtract per output.
//! * **Product**: the integer dot products `acc = Σ_k q_x[m,k] · q_w[n,k]` are exact in i32
//!   (`in_features ≤ 32768`), and
//!   `out[m,n] = (acc − z[m] · Σ_k q_w[n,k]) · (s_x[m] · s_w[n]) + b[n]`.
//!
//! Rounding is to nearest, ties to even, everywhere, so every kernel produces bit-identical
//! outputs for the same quantised inputs (the tests check this on every kernel the CPU has).
//!
//! ## Error bound
//!
//! Each weight is off by at most `s_w[n]/2` and each activation by at most `s_x[m]` (half a
//! step inside the range, one step at its clamped ends), so for every output
//!
//! ```text
//! |y[m,n] − ŷ[m,n]| ≤ ½ s_w[n] ‖x_m‖₁ + s_x[m] ‖ŵ_n‖₁        (+ f32 rounding, ~1e-6 relative)
//!                   ≤ √K (1/254 + 2/Q) ‖x_m‖₂ ‖w_n‖₂ (1 + 1/254)
//! ```
//!
//! (`K = in_features`, `ŵ` the dequantised weights). This worst case needs every rounding error
//! to line up; they are independent in practice, and on random Gaussian data the root mean
//! square of `|y − ŷ| / (‖x_m‖₂ ‖w_n‖₂)` is 0.0004 for `K = 384`, 0.0002 for `K = 1536` and
//! 0.00017 for `K = 3072` with `Q = 255` (1.5× that with `Q = 127`): the tests in `linear.rs`
//! check both the bound on every output and these typical values (with a 2.5× margin).
//!
//! ## Kernels
//!
//! [`Kernel::best`] picks, at run time with `is_x86_feature_detected!`, the first the CPU has:
//!
//! | kernel | instructions | tile (rows × columns) | Q |
//! |---|---|---|---|
//! | [`Kernel::Avx512Vnni`] | `vpdpbusd zmm` (avx512f + avx512bw + avx512vnni) | 6 × 64 | 255 |
//! | [`Kernel::AvxVnni`] | `vpdpbusd ymm` (avxvnni + avx2), e.g. Alder Lake and later clients | 6 × 16 | 255 |
//! | [`Kernel::Avx2`] | `vpmaddubsw` + `vpmaddwd` (avx2) | 4 × 16 | 127 |
//! | [`Kernel::Scalar`] | portable Rust (also aarch64 and every other target) | 1 × 16 | 255 |
//!
//! `vpmaddubsw` adds two u8 × i8 products into a *saturating* i16: with 8-bit activations
//! `2 · 255 · 127 = 64770` overflows it, so the AVX2 kernel quantises activations to 7 bits
//! (`Q = 127`, `2 · 127 · 127 = 32258` fits), the choice of oneDNN and FBGEMM ("reduce range").
//! That doubles the activation step on AVX2-only CPUs; the VNNI instructions accumulate in
//! i32 directly and keep 8 bits.
//!
//! The rows are processed in blocks of about 128 KiB of quantised activations (quantised just
//! before use, so they are still in L2); within a block each group of 64 (AVX-512) or 16
//! columns of packed weights is swept by all row tiles while it sits in L1/L2, and for
//! `in_features > 768` the inputs are cut in slices of at most 768 with i32 partial sums, so
//! that the weights of a column group stay cached. `forward` is single-threaded (caveat
//! parallelises over documents); with the feature `rayon`, `forward_parallel` splits the
//! rows over the current rayon pool.
//!
//! Measured on this repository's machine (AVX-512 VNNI, one thread): 460–590 GOP/s, 6–9× the
//! f32 `candle_nn::Linear` of candle 0.11 on MiniLM and BERT-base shapes, and 4× for a whole
//! MiniLM layer with the GELU and softmax below. On the shipped MiniLM NER model over the
//! CoNLL-2003 validation split, int8 linears keep the entity F1 within 0.1 of f32 (91.37 vs
//! 91.38) at 4.4× the words/s of the encoder. See the crate's README for the figures and the
//! commands.
//!
//! # Element-wise functions
//!
//! [`gelu_erf`], [`exp`] and [`softmax_rows`] work in place on `&mut [f32]`, vectorised for
//! AVX-512 / AVX2+FMA when the CPU has them. `gelu_erf` is the exact (erf-based) GELU that
//! BERT-style models use (candle's `gelu_erf`, PyTorch's `gelu` default) to within 1e-6
//! absolute of the f64 reference, and `exp` to within 2 ulp of `f64::exp`.
#![warn(unsafe_op_in_unsafe_fn)]

mod act;
mod gemm;
mod linear;
mod quantize;

pub use act::{exp, gelu_erf, softmax_rows};
pub use linear::QuantizedLinear;

use std::fmt;

/// The largest `in_features` a [`QuantizedLinear`] accepts: beyond it the i32 dot products
/// of 8-bit values could overflow.
pub const MAX_IN_FEATURES: usize = 32768;

/// What went wrong building or running a quantised layer.
#[derive(Debug, Clone, thiserror::Error, PartialEq)]
pub enum QuantError {
    /// A buffer does not have the length its shape implies.
    #[error("{what} has {got} values but {expected} were expected ({shape}); pass a buffer of that shape")]
    Shape {
        /// Which argument.
        what: &'static str,
        /// The shape it should have.
        shape: String,
        /// Its expected length.
        expected: usize,
        /// Its actual length.
        got: usize,
    },
    /// A dimension is zero or too large.
    #[error("{what} = {got} is out of range (1..={max}); {hint}")]
    Dimension {
        /// Which dimension.
        what: &'static str,
        /// Its value.
        got: usize,
        /// The largest accepted value.
        max: usize,
        /// How to fix it.
        hint: &'static str,
    },
    /// A weight, bias or input value is NaN or infinite.
    #[error("{what} has a non-finite value (NaN or ±inf) in row {row}; int8 quantisation needs finite values")]
    NonFinite {
        /// Which argument.
        what: &'static str,
        /// The row (of the weight, or of the input) holding it.
        row: usize,
    },
    /// The requested kernel needs CPU features this machine lacks.
    #[error("kernel {kernel} needs CPU features this machine lacks ({needs}); use Kernel::best()")]
    KernelUnavailable {
        /// The kernel asked for.
        kernel: Kernel,
        /// What it needs.
        needs: &'static str,
    },
}

/// An int8 matrix-multiplication kernel. [`Kernel::best`] is the fastest one the CPU has.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub enum Kernel {
    /// Portable Rust, every target.
    Scalar,
    /// x86-64 AVX2 (`vpmaddubsw`/`vpmaddwd`), 7-bit activations.
    Avx2,
    /// x86-64 AVX-VNNI (`vpdpbusd` on 256-bit registers).
    AvxVnni,
    /// x86-64 AVX-512 VNNI (`vpdpbusd` on 512-bit registers).
    Avx512Vnni,
}

impl Kernel {
    /// Every kernel, slowest first.
    pub const ALL: [Kernel; 4] = [
        Kernel::Scalar,
        Kernel::Avx2,
        Kernel::AvxVnni,
        Kernel::Avx512Vnni,
    ];

    /// The fastest kernel this CPU supports (detected once, at run time).
    pub fn best() -> Kernel {
        use std::sync::OnceLock;
        static BEST: OnceLock<Kernel> = OnceLock::new();
        *BEST.get_or_init(|| {
            Kernel::ALL
                .into_iter()
                .rev()
                .find(|k| k.is_available())
                .unwrap_or(Kernel::Scalar)
        })
    }

    /// Whether this CPU can run the kernel.
    pub fn is_available(self) -> bool {
        match self {
            Kernel::Scalar => true,
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx2 => is_x86_feature_detected!("avx2"),
            #[cfg(target_arch = "x86_64")]
            Kernel::AvxVnni => {
                is_x86_feature_detected!("avx2") && is_x86_feature_detected!("avxvnni")
            }
            #[cfg(target_arch = "x86_64")]
            Kernel::Avx512Vnni => {
                is_x86_feature_detected!("avx512f")
                    && is_x86_feature_detected!("avx512bw")
                    && is_x86_feature_detected!("avx512vnni")
            }
            #[cfg(not(target_arch = "x86_64"))]
            _ => false,
        }
    }

    /// The CPU features the kernel needs.
    pub fn needs(self) -> &'static str {
        match self {
            Kernel::Scalar => "nothing",
            Kernel::Avx2 => "x86-64 avx2",
            Kernel::AvxVnni => "x86-64 avx2 and avxvnni",
            Kernel::Avx512Vnni => "x86-64 avx512f, avx512bw and avx512vnni",
        }
    }

    /// The largest quantised activation value: 255, or 127 for [`Kernel::Avx2`] (whose
    /// `vpmaddubsw` would saturate its i16 sums with 8-bit activations).
    pub fn activation_max(self) -> u8 {
        match self {
            Kernel::Avx2 => 127,
            _ => 255,
        }
    }
}

impl fmt::Display for Kernel {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(match self {
            Kernel::Scalar => "scalar",
            Kernel::Avx2 => "avx2",
            Kernel::AvxVnni => "avx-vnni",
            Kernel::Avx512Vnni => "avx512-vnni",
        })
    }
}
