//! The u8 × i8 → i32 matrix product with its dequantising epilogue, per kernel.
//!
//! Packed weight layout (shared by every kernel): output rows in panels of [`PANEL`] = 16;
//! within a panel, for each group of 4 consecutive inputs `kq`, 64 bytes
//! `[n0 k0..k3, n1 k0..k3, …, n15 k0..k3]` — one `vpdpbusd` operand (two on 256-bit
//! registers). Panel `p` starts at `p · kq · 64`. Rows past `n` and inputs past `k` are zero.

#[cfg(target_arch = "x86_64")]
mod x86;

use crate::quantize::RowQuant;
use crate::Kernel;

/// Output rows per weight panel.
pub(crate) const PANEL: usize = 16;

/// Weights quantised and packed for the kernels, with everything the epilogue needs.
#[derive(Debug, Clone)]
pub(crate) struct PackedWeights {
    /// `panels · kq · 64` bytes, see the module docs.
    pub data: Vec<i8>,
    /// Output features.
    pub n: usize,
    /// Groups of 4 inputs (`ceil(k / 4)`); the quantised activation rows are `4 · kq` long.
    pub kq: usize,
    /// Number of panels, `ceil(n / 16)`.
    pub panels: usize,
    /// Per output row: weight scale, row sum of the quantised weights, bias (0 without);
    /// padded with zeros to `panels · 16`.
    pub scale: Vec<f32>,
    pub sum: Vec<i32>,
    pub bias: Vec<f32>,
}

impl PackedWeights {
    /// Packs row-major quantised weights `q` (`n × k`).
    pub(crate) fn pack(q: &[i8], n: usize, k: usize, scale: &[f32], bias: Option<&[f32]>) -> Self {
        let kq = k.div_ceil(4);
        let panels = n.div_ceil(PANEL);
        let mut data = vec![0i8; panels * kq * 64];
        let mut sum = vec![0i32; panels * PANEL];
        for (row, w) in q.chunks_exact(k).enumerate() {
            let (p, c) = (row / PANEL, row % PANEL);
            for (j, &v) in w.iter().enumerate() {
                data[p * kq * 64 + (j / 4) * 64 + c * 4 + j % 4] = v;
            }
            sum[row] = w.iter().map(|&v| i32::from(v)).sum();
        }
        let pad = |v: &[f32]| {
            let mut out = v.to_vec();
            out.resize(panels * PANEL, 0.0);
            out
        };
        PackedWeights {
            data,
            n,
            kq,
            panels,
            scale: pad(scale),
            sum,
            bias: bias.map_or_else(|| vec![0.0; panels * PANEL], pad),
        }
    }
}

/// Computes `out[r, ·]` (rows `n` apart) for the quantised activation rows `a` (rows `4 · kq`
/// apart) with their parameters `rows`.
#[allow(unsafe_code)]
pub(crate) fn gemm(
    kernel: Kernel,
    a: &[u8],
    rows: &[RowQuant],
    w: &PackedWeights,
    out: &mut [f32],
) {
    let lda = w.kq * 4;
    assert!(a.len() >= rows.len() * lda && out.len() >= rows.len() * w.n);
    match kernel {
        Kernel::Scalar => gemm_scalar(a, rows, w, out),
        // SAFETY: QuantizedLinear only runs kernels the CPU has (checked when it is chosen);
        // the buffers have the sizes asserted above, which is all the kernels read or write.
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx512Vnni => unsafe { x86::gemm_avx512vnni(a, rows, w, out) },
        #[cfg(target_arch = "x86_64")]
        Kernel::AvxVnni => unsafe { x86::gemm_avxvnni(a, rows, w, out) },
        #[cfg(target_arch = "x86_64")]
        Kernel::Avx2 => unsafe { x86::gemm_avx2(a, rows, w, out) },
        #[cfg(not(target_arch = "x86_64"))]
        _ => gemm_scalar(a, rows, w, out),
    }
}

/// The dequantising epilogue of one output, the formula every kernel follows op for op.
#[inline(always)]
pub(crate) fn dequantize(acc: i32, row: RowQuant, w: &PackedWeights, col: usize) -> f32 {
    let corrected = acc.wrapping_sub(row.zero.wrapping_mul(w.sum[col])) as f32;
    corrected * (row.scale * w.scale[col]) + w.bias[col]
}

fn gemm_scalar(a: &[u8], rows: &[RowQuant], w: &PackedWeights, out: &mut [f32]) {
    let lda = w.kq * 4;
    for p in 0..w.panels {
        let panel = &w.data[p * w.kq * 64..(p + 1) * w.kq * 64];
        let cols = (w.n - p * PANEL).min(PANEL);
        for (r, &row) in rows.iter().enumerate() {
            let x = &a[r * lda..(r + 1) * lda];
            let mut acc = [0i32; PANEL];
            for (xq, wq) in x.chunks_exact(4).zip(panel.chunks_exact(64)) {
                for (c, acc) in acc.iter_mut().enumerate() {
                    let wc = &wq[c * 4..c * 4 + 4];
                    *acc += (0..4)
                        .map(|t| i32::from(xq[t]) * i32::from(wc[t]))
                        .sum::<i32>();
                }
            }
            let o = &mut out[r * w.n + p * PANEL..r * w.n + p * PANEL + cols];
            for (c, o) in o.iter_mut().enumerate() {
                *o = dequantize(acc[c], row, w, p * PANEL + c);
            }
        }
    }
}
