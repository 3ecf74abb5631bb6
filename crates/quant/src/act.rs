//! Vectorised element-wise functions: exact (erf) GELU, `exp`, row softmax.
//!
//! Each is written once as branch-free scalar code that LLVM vectorises; the public functions
//! run it compiled for AVX-512 or AVX2+FMA when the CPU has them (chosen at run time), else
//! as portable code (no FMA: results may differ from the x86 ones in the last bit).

use crate::QuantError;

/// `a · b + c`, fused where the target has FMA.
#[inline(always)]
fn madd<const FMA: bool>(a: f32, b: f32, c: f32) -> f32 {
    if FMA {
        a.mul_add(b, c)
    } else {
        a * b + c
    }
}

/// Above it `exp` overflows.
const EXP_HI: f32 = 88.722_83;
/// Below it `exp` returns 0 (exactly: `exp(−86) ≈ 4.5e-38`, so the absolute error is smaller).
const EXP_LO: f32 = -86.0;

/// Cephes' `expf`: `x = n ln 2 + r`, `|r| ≤ ln 2 / 2`, a degree-6 polynomial for `e^r`.
#[inline(always)]
fn exp_one<const FMA: bool>(x: f32) -> f32 {
    // clamp keeps NaN, unlike f32::min/max.
    let xc = x.clamp(EXP_LO, EXP_HI);
    // n = round(x / ln 2) by the 1.5 · 2²³ trick: t's low mantissa bits hold n, so both n
    // and 2ⁿ come from plain float and integer ops (a float → int cast would not vectorise).
    const MAGIC: f32 = 12_582_912.0;
    let t = xc * std::f32::consts::LOG2_E + MAGIC;
    let n = t - MAGIC;
    let r = madd::<FMA>(n, -0.693_359_4, xc);
    let r = madd::<FMA>(n, 2.121_944_4e-4, r);
    let mut p = 1.987_569_2e-4f32;
    p = madd::<FMA>(p, r, 1.398_2e-3);
    p = madd::<FMA>(p, r, 8.333_452e-3);
    p = madd::<FMA>(p, r, 4.166_579_6e-2);
    p = madd::<FMA>(p, r, 1.666_666_5e-1);
    p = madd::<FMA>(p, r, 0.5);
    let y = madd::<FMA>(p, r * r, r) + 1.0;
    // 2^(n − 1) · 2 keeps the biased exponent in 1..=254 for n in −124..=128.
    let scale = f32::from_bits(t.to_bits().wrapping_sub(MAGIC.to_bits()).wrapping_add(126) << 23);
    let y = (y + y) * scale;
    if x > EXP_HI {
        f32::INFINITY
    } else if x < EXP_LO {
        0.0
    } else {
        y
    }
}

/// `x · Φ(x)` with the normal tail `Q(a) = φ(a) · t·P(t)`, `t = 1 / (1 + 0.2316419 a)`
/// (Abramowitz & Stegun 26.2.17, |ε| < 7.5e-8), so `Φ(x) = 1 − Q(x)` for `x ≥ 0`, `Q(−x)`
/// below: no cancellation for negative inputs, and `gelu(x) = x` exactly for large `x`.
#[inline(always)]
fn gelu_one<const FMA: bool>(x: f32) -> f32 {
    let a = x.abs();
    let t = 1.0 / madd::<FMA>(0.231_641_9, a, 1.0);
    let mut p = 1.330_274_5f32;
    p = madd::<FMA>(p, t, -1.821_256);
    p = madd::<FMA>(p, t, 1.781_477_9);
    p = madd::<FMA>(p, t, -0.356_563_78);
    p = madd::<FMA>(p, t, 0.319_381_53);
    let phi = exp_one::<FMA>(-0.5 * a * a)
        * std::f32::consts::FRAC_1_SQRT_2
        * 0.5
        * std::f32::consts::FRAC_2_SQRT_PI;
    let q = phi * (p * t);
    let cdf = if x >= 0.0 { 1.0 - q } else { q };
    // NaN stays NaN (the comparisons above are false and the products carry it).
    x * cdf
}

#[inline(always)]
fn gelu_slice<const FMA: bool>(x: &mut [f32]) {
    for v in x {
        *v = gelu_one::<FMA>(*v);
    }
}

#[inline(always)]
fn exp_slice<const FMA: bool>(x: &mut [f32]) {
    for v in x {
        *v = exp_one::<FMA>(*v);
    }
}

#[inline(always)]
fn softmax_row<const FMA: bool>(row: &mut [f32]) {
    const L: usize = 16;
    let mut lanes = [f32::NEG_INFINITY; L];
    let mut chunks = row.chunks_exact(L);
    for c in &mut chunks {
        for (m, &v) in lanes.iter_mut().zip(c) {
            *m = if v > *m { v } else { *m };
        }
    }
    let mut max = f32::NEG_INFINITY;
    for &v in lanes.iter().chain(chunks.remainder()) {
        max = if v > max { v } else { max };
    }
    if max == f32::NEG_INFINITY {
        // All −inf (fully masked): uniform, as the limit of equal logits.
        let n = row.len() as f32;
        row.fill(1.0 / n);
        return;
    }
    let mut sums = [0f32; L];
    let mut chunks = row.chunks_exact_mut(L);
    for c in &mut chunks {
        for (s, v) in sums.iter_mut().zip(c) {
            *v = exp_one::<FMA>(*v - max);
            *s += *v;
        }
    }
    let mut sum = 0f32;
    for v in chunks.into_remainder() {
        *v = exp_one::<FMA>(*v - max);
        sum += *v;
    }
    let sum = sum + sums.iter().sum::<f32>();
    let inv = 1.0 / sum;
    for v in row.iter_mut() {
        *v *= inv;
    }
}

#[inline(always)]
fn softmax_slice<const FMA: bool>(x: &mut [f32], cols: usize) {
    for row in x.chunks_exact_mut(cols) {
        softmax_row::<FMA>(row);
    }
}

/// Which compiled variant [`gelu_erf`], [`exp`] and [`softmax_rows`] run on this CPU.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Isa {
    Portable,
    #[cfg(target_arch = "x86_64")]
    Avx2Fma,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl Isa {
    pub(crate) fn best() -> Isa {
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("fma") {
                return Isa::Avx512;
            }
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                return Isa::Avx2Fma;
            }
        }
        Isa::Portable
    }

    /// Every variant this CPU can run (for the tests).
    #[cfg(test)]
    pub(crate) fn available() -> Vec<Isa> {
        let mut v = vec![Isa::Portable];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") && is_x86_feature_detected!("fma") {
                v.push(Isa::Avx2Fma);
            }
            if Isa::best() == Isa::Avx512 {
                v.push(Isa::Avx512);
            }
        }
        v
    }
}

/// Runs `op` compiled for `isa`.
#[allow(unsafe_code)]
fn run(isa: Isa, op: Op, x: &mut [f32], cols: usize) {
    #[cfg(target_arch = "x86_64")]
    {
        #[target_feature(enable = "avx512f,fma")]
        fn avx512(op: Op, x: &mut [f32], cols: usize) {
            match op {
                Op::Gelu => gelu_slice::<true>(x),
                Op::Exp => exp_slice::<true>(x),
                Op::Softmax => softmax_slice::<true>(x, cols),
            }
        }
        #[target_feature(enable = "avx2,fma")]
        fn avx2(op: Op, x: &mut [f32], cols: usize) {
            match op {
                Op::Gelu => gelu_slice::<true>(x),
                Op::Exp => exp_slice::<true>(x),
                Op::Softmax => softmax_slice::<true>(x, cols),
            }
        }
        match isa {
            // SAFETY: Isa::Avx512 / Avx2Fma are only chosen when the CPU has the features.
            Isa::Avx512 => return unsafe { avx512(op, x, cols) },
            Isa::Avx2Fma => return unsafe { avx2(op, x, cols) },
            Isa::Portable => {}
        }
    }
    let _ = isa;
    match op {
        Op::Gelu => gelu_slice::<false>(x),
        Op::Exp => exp_slice::<false>(x),
        Op::Softmax => softmax_slice::<false>(x, cols),
    }
}

#[derive(Debug, Clone, Copy)]
pub(crate) enum Op {
    Gelu,
    Exp,
    Softmax,
}

fn best_isa() -> Isa {
    use std::sync::OnceLock;
    static BEST: OnceLock<Isa> = OnceLock::new();
    *BEST.get_or_init(Isa::best)
}

/// The exact GELU, `x · Φ(x) = ½ x (1 + erf(x / √2))`, in place: within 1e-6 absolute of the
/// f64 formula for every finite `x` (measured ≤ 5e-7), `gelu(x) = x` for `x ≳ 5.9` and 0 for
/// `x ≲ −13`; NaN stays NaN. What BERT-style models call `gelu` (candle's `gelu_erf`).
pub fn gelu_erf(x: &mut [f32]) {
    run(best_isa(), Op::Gelu, x, 0);
}

/// `eˣ` in place: within 2 ulp of the exact value for `x ∈ [−86, 88.72]`; 0 below
/// (`e⁻⁸⁶ < 4.5e-38`), +inf above; NaN stays NaN.
pub fn exp(x: &mut [f32]) {
    run(best_isa(), Op::Exp, x, 0);
}

/// Softmax of each row of `cols` values of `x` (row-major), in place, with the row maximum
/// subtracted first. A row of only `−inf` becomes uniform.
pub fn softmax_rows(x: &mut [f32], cols: usize) -> Result<(), QuantError> {
    if cols == 0 || !x.len().is_multiple_of(cols) {
        return Err(QuantError::Shape {
            what: "softmax input",
            shape: format!("[rows, cols = {cols}]"),
            expected: x.len().checked_div(cols).map_or(0, |rows| rows * cols),
            got: x.len(),
        });
    }
    run(best_isa(), Op::Softmax, x, cols);
    Ok(())
}

#[cfg(test)]
mod tests;
