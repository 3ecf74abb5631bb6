//! [`QuantizedLinear`]: an int8 linear layer built from f32 weights.

use crate::gemm::{gemm, PackedWeights};
use crate::quantize::{quantize_rows, QuantImpl, RowQuant};
use crate::{Kernel, QuantError, MAX_IN_FEATURES};
use std::cell::RefCell;

/// A linear layer `y = x · Wᵀ + b` with int8 weights (symmetric, one scale per output row)
/// and activations quantised per row on the fly (asymmetric u8); see the crate docs.
#[derive(Debug, Clone)]
pub struct QuantizedLinear {
    weights: PackedWeights,
    in_features: usize,
    kernel: Kernel,
}

/// Bytes of quantised activations per row block: the block stays in L2 while every panel of
/// weights passes over it.
const BLOCK_BYTES: usize = 128 * 1024;

thread_local! {
    /// Quantised activations and their row parameters, reused across calls (no allocation,
    /// no page faults per call).
    static SCRATCH: RefCell<(Vec<u8>, Vec<RowQuant>)> = const { RefCell::new((Vec::new(), Vec::new())) };
}

impl QuantizedLinear {
    /// Quantises a PyTorch/safetensors linear weight `[out_features, in_features]` (row-major)
    /// and its optional bias `[out_features]`, for the fastest kernel of this CPU.
    pub fn from_f32(
        weight: &[f32],
        out_features: usize,
        in_features: usize,
        bias: Option<&[f32]>,
    ) -> Result<Self, QuantError> {
        if in_features == 0 || in_features > MAX_IN_FEATURES {
            return Err(QuantError::Dimension {
                what: "in_features",
                got: in_features,
                max: MAX_IN_FEATURES,
                hint: "the i32 accumulators of int8 products overflow beyond it; keep this layer in f32",
            });
        }
        if out_features == 0 {
            return Err(QuantError::Dimension {
                what: "out_features",
                got: 0,
                max: usize::MAX,
                hint: "a layer needs at least one output",
            });
        }
        check_len(
            "weight",
            weight.len(),
            out_features.checked_mul(in_features),
            format!("[out_features = {out_features}, in_features = {in_features}]"),
        )?;
        if let Some(b) = bias {
            check_len(
                "bias",
                b.len(),
                Some(out_features),
                format!("[{out_features}]"),
            )?;
            if let Some(i) = b.iter().position(|v| !v.is_finite()) {
                return Err(QuantError::NonFinite {
                    what: "bias",
                    row: i,
                });
            }
        }
        let mut q = vec![0i8; weight.len()];
        let mut scale = Vec::with_capacity(out_features);
        for (row, (w, q)) in weight
            .chunks_exact(in_features)
            .zip(q.chunks_exact_mut(in_features))
            .enumerate()
        {
            if w.iter().any(|v| !v.is_finite()) {
                return Err(QuantError::NonFinite {
                    what: "weight",
                    row,
                });
            }
            let max = w.iter().fold(0f32, |m, v| m.max(v.abs()));
            let s = if max > 0.0 {
                ((f64::from(max) / 127.0) as f32).max(f32::MIN_POSITIVE)
            } else {
                1.0
            };
            for (q, &v) in q.iter_mut().zip(w) {
                *q = (f64::from(v) / f64::from(s))
                    .round_ties_even()
                    .clamp(-127.0, 127.0) as i8;
            }
            scale.push(s);
        }
        Ok(QuantizedLinear {
            weights: PackedWeights::pack(&q, out_features, in_features, &scale, bias),
            in_features,
            kernel: Kernel::best(),
        })
    }

    /// The same layer run by `kernel` (for comparisons and tests); fails if the CPU lacks it.
    pub fn with_kernel(mut self, kernel: Kernel) -> Result<Self, QuantError> {
        if !kernel.is_available() {
            return Err(QuantError::KernelUnavailable {
                kernel,
                needs: kernel.needs(),
            });
        }
        self.kernel = kernel;
        Ok(self)
    }

    /// The kernel `forward` runs.
    pub fn kernel(&self) -> Kernel {
        self.kernel
    }

    /// Inputs per row.
    pub fn in_features(&self) -> usize {
        self.in_features
    }

    /// Outputs per row.
    pub fn out_features(&self) -> usize {
        self.weights.n
    }

    /// The quantisation scale of each output row's weights (`W[n,k] ≈ scale[n] · q[n,k]`).
    pub fn weight_scales(&self) -> &[f32] {
        &self.weights.scale[..self.weights.n]
    }

    /// The weights as the kernels see them, dequantised to f32, `[out_features, in_features]`.
    pub fn dequantized_weight(&self) -> Vec<f32> {
        let w = &self.weights;
        let mut out = Vec::with_capacity(w.n * self.in_features);
        for n in 0..w.n {
            let (p, c) = (n / crate::gemm::PANEL, n % crate::gemm::PANEL);
            for k in 0..self.in_features {
                let q = w.data[p * w.kq * 64 + (k / 4) * 64 + c * 4 + k % 4];
                out.push(f32::from(q) * w.scale[n]);
            }
        }
        out
    }

    /// Bytes of the packed weights and per-row vectors.
    pub fn size_bytes(&self) -> usize {
        let w = &self.weights;
        w.data.len() + 12 * w.scale.len()
    }

    /// `out = x · Wᵀ + b` for `x` of shape `[rows, in_features]` (row-major), writing `out`
    /// of shape `[rows, out_features]`. Single-threaded. Fails on buffers of the wrong length
    /// and on a NaN or infinite input (naming its row; `out` may then be partly written).
    pub fn forward(&self, x: &[f32], rows: usize, out: &mut [f32]) -> Result<(), QuantError> {
        self.forward_with(self.kernel, self.kernel.activation_max(), x, rows, out)
    }

    /// [`forward`](Self::forward) with the rows split in blocks over the current rayon pool.
    #[cfg(feature = "rayon")]
    pub fn forward_parallel(
        &self,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
    ) -> Result<(), QuantError> {
        use rayon::prelude::*;
        self.check_io(x, rows, out)?;
        let (k, n) = (self.in_features, self.weights.n);
        let threads = rayon::current_num_threads().max(1);
        // At least a few row tiles per task, and a few tasks per thread to balance.
        let per = rows.div_ceil(threads * 2).max(24);
        x.par_chunks(per * k)
            .zip(out.par_chunks_mut(per * n))
            .enumerate()
            .try_for_each(|(i, (x, out))| {
                self.forward(x, x.len() / k, out).map_err(|e| match e {
                    QuantError::NonFinite { what, row } => QuantError::NonFinite {
                        what,
                        row: row + i * per,
                    },
                    e => e,
                })
            })
    }

    fn check_io(&self, x: &[f32], rows: usize, out: &[f32]) -> Result<(), QuantError> {
        let (k, n) = (self.in_features, self.weights.n);
        check_len(
            "x",
            x.len(),
            rows.checked_mul(k),
            format!("[rows = {rows}, in_features = {k}]"),
        )?;
        check_len(
            "out",
            out.len(),
            rows.checked_mul(n),
            format!("[rows = {rows}, out_features = {n}]"),
        )
    }

    /// `forward` by a given kernel with a given activation maximum (the tests compare kernels
    /// on identical quantised inputs).
    pub(crate) fn forward_with(
        &self,
        kernel: Kernel,
        qmax: u8,
        x: &[f32],
        rows: usize,
        out: &mut [f32],
    ) -> Result<(), QuantError> {
        self.check_io(x, rows, out)?;
        if rows == 0 {
            return Ok(());
        }
        let (k, n) = (self.in_features, self.weights.n);
        let lda = self.weights.kq * 4;
        let block = (BLOCK_BYTES / lda).clamp(12, 480) / 12 * 12;
        let imp = QuantImpl::for_kernel(kernel);
        SCRATCH.with(|scratch| {
            let mut scratch = scratch.borrow_mut();
            let (a, params) = &mut *scratch;
            let m = block.min(rows);
            if a.len() < m * lda {
                a.resize(m * lda, 0);
            }
            if params.len() < m {
                params.resize(m, RowQuant::default());
            }
            for (b, (x, out)) in x
                .chunks(block * k)
                .zip(out.chunks_mut(block * n))
                .enumerate()
            {
                let m = x.len() / k;
                quantize_rows(imp, x, k, lda, qmax, &mut a[..m * lda], &mut params[..m]).map_err(
                    |r| QuantError::NonFinite {
                        what: "x",
                        row: b * block + r,
                    },
                )?;
                gemm(kernel, &a[..m * lda], &params[..m], &self.weights, out);
            }
            Ok(())
        })
    }
}

fn check_len(
    what: &'static str,
    got: usize,
    expected: Option<usize>,
    shape: String,
) -> Result<(), QuantError> {
    match expected {
        Some(e) if e == got => Ok(()),
        _ => Err(QuantError::Shape {
            what,
            shape,
            expected: expected.unwrap_or(usize::MAX),
            got,
        }),
    }
}

#[cfg(test)]
mod tests;
