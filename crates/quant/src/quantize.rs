//! Dynamic per-row activation quantisation: f32 rows to asymmetric u8 (scale, zero point).
//!
//! Every implementation gives bit-identical results: min/max are exact, the row parameters
//! are computed by the same scalar code, and each value is `round_ties_even(x * inv) + zero`
//! clamped to `[0, qmax]`.

/// Scale and zero point of one quantised activation row: `x ≈ scale · (q − zero)`.
#[derive(Debug, Clone, Copy, Default, PartialEq)]
pub(crate) struct RowQuant {
    pub scale: f32,
    pub zero: i32,
}

/// Which implementation quantises the rows.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum QuantImpl {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
}

impl QuantImpl {
    /// The implementation to pair with an int8 kernel (the kernel's features imply its own).
    pub(crate) fn for_kernel(kernel: crate::Kernel) -> QuantImpl {
        match kernel {
            crate::Kernel::Scalar => QuantImpl::Scalar,
            #[cfg(target_arch = "x86_64")]
            crate::Kernel::Avx2 | crate::Kernel::AvxVnni => QuantImpl::Avx2,
            #[cfg(target_arch = "x86_64")]
            crate::Kernel::Avx512Vnni => QuantImpl::Avx512,
            #[cfg(not(target_arch = "x86_64"))]
            _ => QuantImpl::Scalar,
        }
    }
}

/// The parameters of a row whose values lie in `[min, max]`.
fn row_params(min: f32, max: f32, qmax: u8) -> (RowQuant, f32) {
    let lo = f64::from(min.min(0.0));
    let hi = f64::from(max.max(0.0));
    let range = hi - lo;
    if range == 0.0 {
        return (
            RowQuant {
                scale: 1.0,
                zero: 0,
            },
            1.0,
        );
    }
    // A normal scale keeps 1/scale finite for rows of subnormals.
    let scale = ((range / f64::from(qmax)) as f32).max(f32::MIN_POSITIVE);
    let zero = (-lo / f64::from(scale))
        .round_ties_even()
        .clamp(0.0, f64::from(qmax)) as i32;
    (RowQuant { scale, zero }, 1.0 / scale)
}

/// Quantises the `params.len()` rows of `x` (each `k` long) into `out` (rows `lda ≥ k` apart;
/// the bytes past `k` are zeroed). Returns the index of the first row with a NaN or infinity.
#[allow(unsafe_code)]
pub(crate) fn quantize_rows(
    imp: QuantImpl,
    x: &[f32],
    k: usize,
    lda: usize,
    qmax: u8,
    out: &mut [u8],
    params: &mut [RowQuant],
) -> Result<(), usize> {
    debug_assert!(x.len() >= params.len() * k && out.len() >= params.len() * lda);
    for (r, ((row, q), p)) in x
        .chunks_exact(k)
        .zip(out.chunks_exact_mut(lda))
        .zip(params.iter_mut())
        .enumerate()
    {
        let (q, pad) = q.split_at_mut(k);
        pad.fill(0);
        let ok = match imp {
            QuantImpl::Scalar => quantize_row_scalar(row, qmax, q, p),
            // SAFETY: the implementation is only chosen when the CPU has its features
            // (QuantImpl::for_kernel of an available kernel, or the tests' checks).
            #[cfg(target_arch = "x86_64")]
            QuantImpl::Avx2 => unsafe { x86::quantize_row_avx2(row, qmax, q, p) },
            #[cfg(target_arch = "x86_64")]
            QuantImpl::Avx512 => unsafe { x86::quantize_row_avx512(row, qmax, q, p) },
        };
        if !ok {
            return Err(r);
        }
    }
    Ok(())
}

#[inline(always)]
fn quantize_one(x: f32, inv: f32, zero: i32, qmax: u8) -> u8 {
    ((x * inv).round_ties_even() as i32 + zero).clamp(0, i32::from(qmax)) as u8
}

/// Returns false if the row has a non-finite value.
fn quantize_row_scalar(row: &[f32], qmax: u8, q: &mut [u8], p: &mut RowQuant) -> bool {
    let (mut min, mut max, mut bad) = (0.0f32, 0.0f32, 0.0f32);
    for &x in row {
        min = if x < min { x } else { min };
        max = if x > max { x } else { max };
        bad += x * 0.0;
    }
    if bad.is_nan() {
        return false;
    }
    let (params, inv) = row_params(min, max, qmax);
    *p = params;
    for (o, &x) in q.iter_mut().zip(row) {
        *o = quantize_one(x, inv, params.zero, qmax);
    }
    true
}

#[cfg(target_arch = "x86_64")]
#[allow(unsafe_code)]
mod x86 {
    use super::{quantize_one, row_params, RowQuant};
    use std::arch::x86_64::*;

    /// # Safety
    /// The CPU must have avx2.
    #[target_feature(enable = "avx2")]
    pub(super) unsafe fn quantize_row_avx2(
        row: &[f32],
        qmax: u8,
        q: &mut [u8],
        p: &mut RowQuant,
    ) -> bool {
        let n = row.len();
        let ptr = row.as_ptr();
        let zero = _mm256_setzero_ps();
        let (mut vmin, mut vmax, mut vbad) = (zero, zero, zero);
        let mut i = 0;
        while i + 8 <= n {
            // SAFETY: i + 8 <= row.len().
            let x = unsafe { _mm256_loadu_ps(ptr.add(i)) };
            vmin = _mm256_min_ps(vmin, x);
            vmax = _mm256_max_ps(vmax, x);
            vbad = _mm256_add_ps(vbad, _mm256_mul_ps(x, zero));
            i += 8;
        }
        let (mut min, mut max, mut bad) = ([0f32; 8], [0f32; 8], [0f32; 8]);
        // SAFETY: the arrays hold 8 f32.
        unsafe {
            _mm256_storeu_ps(min.as_mut_ptr(), vmin);
            _mm256_storeu_ps(max.as_mut_ptr(), vmax);
            _mm256_storeu_ps(bad.as_mut_ptr(), vbad);
        }
        let mut mn = min.iter().fold(0f32, |a, &b| if b < a { b } else { a });
        let mut mx = max.iter().fold(0f32, |a, &b| if b > a { b } else { a });
        let mut bd = bad.iter().sum::<f32>();
        for &x in &row[i..] {
            mn = if x < mn { x } else { mn };
            mx = if x > mx { x } else { mx };
            bd += x * 0.0;
        }
        if bd.is_nan() {
            return false;
        }
        let (params, inv) = row_params(mn, mx, qmax);
        *p = params;
        let vinv = _mm256_set1_ps(inv);
        let vzero = _mm256_set1_epi32(params.zero);
        let vqmax = _mm256_set1_epi8(qmax as i8);
        let perm = _mm256_setr_epi32(0, 4, 1, 5, 2, 6, 3, 7);
        let qp = q.as_mut_ptr();
        let mut i = 0;
        while i + 32 <= n {
            let cvt = |j: usize| {
                // SAFETY: i + j + 8 <= i + 32 <= row.len().
                let x = unsafe { _mm256_loadu_ps(ptr.add(i + j)) };
                let r = _mm256_round_ps(
                    _mm256_mul_ps(x, vinv),
                    _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC,
                );
                _mm256_add_epi32(_mm256_cvttps_epi32(r), vzero)
            };
            let ab = _mm256_packs_epi32(cvt(0), cvt(8));
            let cd = _mm256_packs_epi32(cvt(16), cvt(24));
            let abcd = _mm256_permutevar8x32_epi32(_mm256_packus_epi16(ab, cd), perm);
            let v = _mm256_min_epu8(abcd, vqmax);
            // SAFETY: q.len() == row.len() >= i + 32.
            unsafe { _mm256_storeu_si256(qp.add(i).cast(), v) };
            i += 32;
        }
        for (o, &x) in q[i..].iter_mut().zip(&row[i..]) {
            *o = quantize_one(x, inv, params.zero, qmax);
        }
        true
    }

    /// # Safety
    /// The CPU must have avx512f and avx512bw.
    #[target_feature(enable = "avx512f,avx512bw")]
    pub(super) unsafe fn quantize_row_avx512(
        row: &[f32],
        qmax: u8,
        q: &mut [u8],
        p: &mut RowQuant,
    ) -> bool {
        let n = row.len();
        let ptr = row.as_ptr();
        let zero = _mm512_setzero_ps();
        let (mut vmin, mut vmax, mut vbad) = (zero, zero, zero);
        let mut i = 0;
        while i < n {
            let left = n - i;
            let mask: __mmask16 = if left >= 16 { 0xffff } else { (1 << left) - 1 };
            // SAFETY: the masked lanes are in bounds; the others are not read (zeros, which
            // change neither min(0, ·) nor max(0, ·)).
            let x = unsafe { _mm512_maskz_loadu_ps(mask, ptr.add(i)) };
            vmin = _mm512_min_ps(vmin, x);
            vmax = _mm512_max_ps(vmax, x);
            vbad = _mm512_add_ps(vbad, _mm512_mul_ps(x, zero));
            i += 16;
        }
        let (mut min, mut max, mut bad) = ([0f32; 16], [0f32; 16], [0f32; 16]);
        // SAFETY: the arrays hold 16 f32.
        unsafe {
            _mm512_storeu_ps(min.as_mut_ptr(), vmin);
            _mm512_storeu_ps(max.as_mut_ptr(), vmax);
            _mm512_storeu_ps(bad.as_mut_ptr(), vbad);
        }
        let mn = min.iter().fold(0f32, |a, &b| if b < a { b } else { a });
        let mx = max.iter().fold(0f32, |a, &b| if b > a { b } else { a });
        if bad.iter().sum::<f32>().is_nan() {
            return false;
        }
        let (params, inv) = row_params(mn, mx, qmax);
        *p = params;
        let vinv = _mm512_set1_ps(inv);
        let vzero = _mm512_set1_epi32(params.zero);
        let vlo = _mm512_setzero_si512();
        let vhi = _mm512_set1_epi32(i32::from(qmax));
        let qp = q.as_mut_ptr();
        let mut i = 0;
        while i < n {
            let left = n - i;
            let mask: __mmask16 = if left >= 16 { 0xffff } else { (1 << left) - 1 };
            // SAFETY: masked loads and stores touch only lanes < left (in bounds of both).
            unsafe {
                let x = _mm512_maskz_loadu_ps(mask, ptr.add(i));
                let r = _mm512_cvt_roundps_epi32::<{ _MM_FROUND_TO_NEAREST_INT | _MM_FROUND_NO_EXC }>(
                    _mm512_mul_ps(x, vinv),
                );
                let v = _mm512_min_epi32(_mm512_max_epi32(_mm512_add_epi32(r, vzero), vlo), vhi);
                _mm512_mask_cvtepi32_storeu_epi8(qp.add(i).cast(), mask, v);
            }
            i += 16;
        }
        true
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn impls() -> Vec<QuantImpl> {
        let mut v = vec![QuantImpl::Scalar];
        #[cfg(target_arch = "x86_64")]
        {
            if is_x86_feature_detected!("avx2") {
                v.push(QuantImpl::Avx2);
            }
            if is_x86_feature_detected!("avx512f") && is_x86_feature_detected!("avx512bw") {
                v.push(QuantImpl::Avx512);
            }
        }
        v
    }

    fn lcg(seed: &mut u64) -> f32 {
        *seed = seed
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        ((*seed >> 40) as f32 / (1u64 << 24) as f32) * 2.0 - 1.0
    }

    #[test]
    fn every_implementation_matches_scalar_bit_for_bit() {
        let mut seed = 7;
        let mut cases: Vec<(usize, Vec<f32>)> = Vec::new();
        for k in [1usize, 3, 7, 15, 16, 17, 31, 32, 33, 63, 64, 65, 100, 384] {
            cases.push((k, (0..3 * k).map(|_| lcg(&mut seed) * 3.0).collect()));
            cases.push((k, (0..3 * k).map(|_| lcg(&mut seed).abs() + 0.5).collect()));
            cases.push((k, (0..3 * k).map(|_| -lcg(&mut seed).abs() * 1e6).collect()));
            cases.push((k, vec![0.0; 3 * k]));
            cases.push((k, (0..3 * k).map(|i| (i % 5) as f32 * 0.5).collect()));
            cases.push((k, vec![1e-40; 3 * k]));
        }
        for (k, x) in cases {
            for qmax in [127u8, 255] {
                let lda = k.div_ceil(4) * 4;
                let run = |imp| {
                    let mut q = vec![0xAAu8; 3 * lda];
                    let mut p = vec![RowQuant::default(); 3];
                    quantize_rows(imp, &x, k, lda, qmax, &mut q, &mut p).unwrap();
                    (q, p)
                };
                let (q0, p0) = run(QuantImpl::Scalar);
                for imp in impls() {
                    assert_eq!(
                        run(imp),
                        (q0.clone(), p0.clone()),
                        "{imp:?} k={k} qmax={qmax}"
                    );
                }
                // Dequantised values are within one step of the inputs.
                for r in 0..3 {
                    for j in 0..k {
                        let deq = p0[r].scale * (i32::from(q0[r * lda + j]) - p0[r].zero) as f32;
                        let x = x[r * k + j];
                        assert!(
                            (deq - x).abs() <= p0[r].scale * 1.0001,
                            "{x} -> {deq} (scale {})",
                            p0[r].scale
                        );
                        assert!(q0[r * lda + j] <= qmax);
                    }
                    assert!(q0[r * lda + k..(r + 1) * lda].iter().all(|&b| b == 0));
                }
            }
        }
    }

    #[test]
    fn non_finite_rows_are_reported() {
        for imp in impls() {
            for bad in [f32::NAN, f32::INFINITY, f32::NEG_INFINITY] {
                for k in [5usize, 40] {
                    let mut x = vec![0.5f32; 2 * k];
                    x[k + k / 2] = bad;
                    let mut q = vec![0u8; 2 * k.div_ceil(4) * 4];
                    let mut p = vec![RowQuant::default(); 2];
                    let r = quantize_rows(imp, &x, k, k.div_ceil(4) * 4, 255, &mut q, &mut p);
                    assert_eq!(r, Err(1), "{imp:?} {bad} k={k}");
                }
            }
        }
    }
}
