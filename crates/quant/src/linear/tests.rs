use super::*;

struct Rng(u64);
impl Rng {
    fn uniform(&mut self) -> f32 {
        self.0 = self
            .0
            .wrapping_mul(6364136223846793005)
            .wrapping_add(1442695040888963407);
        (self.0 >> 40) as f32 / (1u64 << 24) as f32
    }
    /// Roughly normal (sum of 4 uniforms).
    fn normal(&mut self) -> f32 {
        ((0..4).map(|_| self.uniform()).sum::<f32>() - 2.0) * 1.732
    }
    fn vec(&mut self, n: usize, scale: f32) -> Vec<f32> {
        (0..n).map(|_| self.normal() * scale).collect()
    }
}

fn available() -> Vec<Kernel> {
    Kernel::ALL
        .into_iter()
        .filter(|k| k.is_available())
        .collect()
}

fn matmul_f64(x: &[f32], w: &[f32], b: Option<&[f32]>, m: usize, n: usize, k: usize) -> Vec<f64> {
    let mut out = vec![0f64; m * n];
    for i in 0..m {
        for j in 0..n {
            let s: f64 = (0..k)
                .map(|t| f64::from(x[i * k + t]) * f64::from(w[j * k + t]))
                .sum();
            out[i * n + j] = s + b.map_or(0.0, |b| f64::from(b[j]));
        }
    }
    out
}

/// Every kernel of this CPU gives the scalar kernel's outputs bit for bit, on the same
/// quantised inputs (Q = 127 for the AVX2 kernel, 255 for the others).
fn assert_kernels_match(x: &[f32], w: &[f32], bias: Option<&[f32]>, m: usize, n: usize, k: usize) {
    let layer = QuantizedLinear::from_f32(w, n, k, bias).unwrap();
    for kernel in available() {
        let q = kernel.activation_max();
        let mut want = vec![f32::NAN; m * n];
        layer
            .forward_with(Kernel::Scalar, q, x, m, &mut want)
            .unwrap();
        let mut got = vec![f32::NAN; m * n];
        layer.forward_with(kernel, q, x, m, &mut got).unwrap();
        let same = want
            .iter()
            .zip(&got)
            .all(|(a, b)| a.to_bits() == b.to_bits());
        assert!(same, "{kernel} differs from scalar: m={m} n={n} k={k}");
        assert!(
            got.iter().all(|v| v.is_finite()),
            "{kernel}: non-finite output"
        );
    }
}

#[test]
fn kernels_match_scalar_on_random_shapes() {
    let mut rng = Rng(3);
    // K not a multiple of 4 or 16, odd N, N not a multiple of 16/64, M = 1 and not a
    // multiple of the tile rows, and rows beyond one block (block = 128 KiB / K).
    for &(m, n, k) in &[
        (1, 1, 1),
        (1, 16, 4),
        (1, 64, 384),
        (2, 3, 5),
        (5, 17, 7),
        (7, 33, 61),
        (13, 64, 64),
        (6, 65, 130),
        (25, 127, 99),
        (12, 200, 384),
        (37, 48, 1536),
        (9, 70, 1001),
        (700, 20, 384),
    ] {
        let x = rng.vec(m * k, 1.0);
        let w = rng.vec(n * k, 0.05);
        let b = rng.vec(n, 0.1);
        assert_kernels_match(&x, &w, Some(&b), m, n, k);
        assert_kernels_match(&x, &w, None, m, n, k);
    }
}

#[test]
fn kernels_match_scalar_on_edge_inputs() {
    let (m, n, k) = (9, 35, 67);
    let mut rng = Rng(5);
    let w = rng.vec(n * k, 0.05);
    let zeros = vec![0.0; m * k];
    assert_kernels_match(&zeros, &w, None, m, n, k);
    assert_kernels_match(&zeros, &vec![0.0; n * k], Some(&vec![1.5; n]), m, n, k);
    // Large magnitudes, all-positive rows (GELU-like), constant rows, one huge outlier.
    let large: Vec<f32> = rng.vec(m * k, 1e6);
    assert_kernels_match(&large, &w, None, m, n, k);
    let large_w: Vec<f32> = rng.vec(n * k, 1e5);
    assert_kernels_match(&large, &large_w, None, m, n, k);
    let positive: Vec<f32> = rng.vec(m * k, 1.0).iter().map(|v| v.abs()).collect();
    assert_kernels_match(&positive, &w, None, m, n, k);
    let negative: Vec<f32> = positive.iter().map(|v| -v).collect();
    assert_kernels_match(&negative, &w, None, m, n, k);
    assert_kernels_match(&vec![0.75; m * k], &w, None, m, n, k);
    let mut outlier = rng.vec(m * k, 1.0);
    outlier[k + 3] = 500.0;
    assert_kernels_match(&outlier, &w, None, m, n, k);
    // Extreme quantised values everywhere: every activation at Q, every weight at ±127.
    let sat_x = vec![1.0; m * k];
    let sat_w: Vec<f32> = (0..n * k)
        .map(|i| if i % 3 == 0 { -1.0 } else { 1.0 })
        .collect();
    assert_kernels_match(&sat_x, &sat_w, None, m, n, k);
    assert_kernels_match(&vec![-1.0; m * k], &sat_w, None, m, n, k);
}

/// The documented bound: |y − ŷ| ≤ ½ s_w ‖x‖₁ + s_x ‖ŵ‖₁ (+ f32 rounding), and the typical
/// error relative to ‖x‖‖w‖.
#[test]
fn quantised_outputs_are_within_the_documented_bound() {
    let mut rng = Rng(11);
    for &(m, n, k) in &[(16, 48, 384), (8, 40, 1536), (4, 20, 3072)] {
        let w = rng.vec(n * k, 0.04);
        let b = rng.vec(n, 0.1);
        // Gaussian rows and GELU-like (mostly positive) rows.
        let mut x = rng.vec(m * k, 1.0);
        for v in &mut x[m / 2 * k..] {
            *v = v.max(-0.17);
        }
        let exact = matmul_f64(&x, &w, Some(&b), m, n, k);
        for kernel in available() {
            let layer = QuantizedLinear::from_f32(&w, n, k, Some(&b))
                .unwrap()
                .with_kernel(kernel)
                .unwrap();
            let wq = layer.dequantized_weight();
            let q = f64::from(kernel.activation_max());
            let mut y = vec![0f32; m * n];
            layer.forward(&x, m, &mut y).unwrap();
            let mut rel_sq = 0f64;
            for i in 0..m {
                let xr = &x[i * k..(i + 1) * k];
                let l1x: f64 = xr.iter().map(|v| f64::from(v.abs())).sum();
                let l2x: f64 = xr.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>().sqrt();
                let lo = xr.iter().fold(0f32, |a, &v| a.min(v));
                let hi = xr.iter().fold(0f32, |a, &v| a.max(v));
                let sx = f64::from(hi - lo) / q;
                for j in 0..n {
                    let wr = &w[j * k..(j + 1) * k];
                    let l1wq: f64 = wq[j * k..(j + 1) * k]
                        .iter()
                        .map(|v| f64::from(v.abs()))
                        .sum();
                    let l2w: f64 = wr.iter().map(|v| f64::from(*v).powi(2)).sum::<f64>().sqrt();
                    let sw = f64::from(layer.weight_scales()[j]);
                    let bound = 0.5 * sw * l1x + sx * l1wq;
                    let err = (f64::from(y[i * n + j]) - exact[i * n + j]).abs();
                    let rounding = 1e-6 * (l1x * l1wq + b[j].abs() as f64);
                    assert!(
                        err <= bound + rounding,
                        "{kernel} ({m},{n},{k}) [{i},{j}]: {err} > {bound}"
                    );
                    // The worst case, from the norms alone.
                    let norm_bound = (k as f64).sqrt()
                        * (1.0 / 254.0 + 2.0 / q)
                        * l2x
                        * l2w
                        * (1.0 + 1.0 / 254.0);
                    assert!(err <= norm_bound + rounding);
                    rel_sq += (err / (l2x * l2w)).powi(2);
                }
            }
            let rms = (rel_sq / (m * n) as f64).sqrt();
            // Measured 0.0004 (K = 384) to 0.00017 (K = 3072) for Q = 255, 1.5× for Q = 127.
            let typical = if q > 200.0 { 0.001 } else { 0.0015 };
            assert!(
                rms <= typical,
                "{kernel} ({m},{n},{k}): rms relative error {rms}"
            );
            eprintln!("{kernel} ({m},{n},{k}): rms error / (|x||w|) = {rms:.5}");
        }
    }
}

#[test]
fn bad_input_is_an_error_not_a_panic() {
    let w = vec![0.1f32; 6];
    assert!(matches!(
        QuantizedLinear::from_f32(&w, 2, 4, None),
        Err(QuantError::Shape { what: "weight", .. })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&w, 2, 3, Some(&[1.0])),
        Err(QuantError::Shape { what: "bias", .. })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&[], 0, 3, None),
        Err(QuantError::Dimension { .. })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&[], 3, 0, None),
        Err(QuantError::Dimension { .. })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&[0.0; 4], 1, MAX_IN_FEATURES + 1, None),
        Err(QuantError::Dimension { .. }) | Err(QuantError::Shape { .. })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&[0.1, f32::NAN, 0.0, 0.0, 0.0, 0.0], 2, 3, None),
        Err(QuantError::NonFinite {
            what: "weight",
            row: 0
        })
    ));
    assert!(matches!(
        QuantizedLinear::from_f32(&w, 2, 3, Some(&[0.0, f32::INFINITY])),
        Err(QuantError::NonFinite {
            what: "bias",
            row: 1
        })
    ));
    let layer = QuantizedLinear::from_f32(&w, 2, 3, None).unwrap();
    let mut out = vec![0.0; 4];
    assert!(matches!(
        layer.forward(&[0.0; 5], 2, &mut out),
        Err(QuantError::Shape { what: "x", .. })
    ));
    assert!(matches!(
        layer.forward(&[0.0; 6], 2, &mut out[..3]),
        Err(QuantError::Shape { what: "out", .. })
    ));
    assert!(layer.forward(&[0.0; 6], usize::MAX, &mut out).is_err());
    assert_eq!(
        layer.forward(&[0.0, 0.0, 0.0, 1.0, f32::NAN, 0.0], 2, &mut out),
        Err(QuantError::NonFinite { what: "x", row: 1 })
    );
    assert_eq!(layer.forward(&[], 0, &mut []), Ok(()));
    for kernel in Kernel::ALL {
        let r = layer.clone().with_kernel(kernel);
        assert_eq!(r.is_ok(), kernel.is_available(), "{kernel}");
    }
    let msg = QuantizedLinear::from_f32(&w, 2, 4, None)
        .unwrap_err()
        .to_string();
    assert!(
        msg.contains("weight") && msg.contains("[out_features = 2, in_features = 4]"),
        "{msg}"
    );
}

#[test]
fn layers_can_be_shared_across_threads() {
    fn shareable<T: Send + Sync + Clone + 'static>() {}
    shareable::<QuantizedLinear>();
    shareable::<QuantError>();
    let layer = QuantizedLinear::from_f32(&[0.5; 64], 8, 8, None).unwrap();
    let x = [1.0f32; 16];
    let outs: Vec<Vec<f32>> = std::thread::scope(|s| {
        let handles: Vec<_> = (0..2)
            .map(|_| {
                s.spawn(|| {
                    let mut out = vec![0f32; 16];
                    layer.forward(&x, 2, &mut out).unwrap();
                    out
                })
            })
            .collect();
        handles.into_iter().map(|h| h.join().unwrap()).collect()
    });
    assert_eq!(outs[0], outs[1]);
    assert!(
        outs[0].iter().all(|&v| (v - 4.0).abs() < 0.05),
        "{:?}",
        outs[0]
    );
}

#[test]
fn the_weight_layout_is_pytorch_s_out_by_in() {
    // W = [[1, 2, 3], [-4, 5, 6]] (out = 2, in = 3), b = [0.5, -1]; x = [[1, 0, 0], [0, 1, 1]].
    let w = [1.0, 2.0, 3.0, -4.0, 5.0, 6.0];
    let layer = QuantizedLinear::from_f32(&w, 2, 3, Some(&[0.5, -1.0])).unwrap();
    let mut out = [0f32; 4];
    layer
        .forward(&[1.0, 0.0, 0.0, 0.0, 1.0, 1.0], 2, &mut out)
        .unwrap();
    let want = [1.5, -5.0, 5.5, 10.0];
    for (o, w) in out.iter().zip(want) {
        assert!((o - w).abs() < 0.05, "{out:?} vs {want:?}");
    }
    assert_eq!(layer.in_features(), 3);
    assert_eq!(layer.out_features(), 2);
}

#[cfg(feature = "rayon")]
#[test]
fn forward_parallel_equals_forward() {
    let (m, n, k) = (203, 70, 96);
    let mut rng = Rng(17);
    let x = rng.vec(m * k, 1.0);
    let layer = QuantizedLinear::from_f32(&rng.vec(n * k, 0.1), n, k, None).unwrap();
    let (mut a, mut b) = (vec![0f32; m * n], vec![0f32; m * n]);
    layer.forward(&x, m, &mut a).unwrap();
    layer.forward_parallel(&x, m, &mut b).unwrap();
    assert_eq!(a, b);
    let mut bad = x.clone();
    bad[150 * k] = f32::NAN;
    assert_eq!(
        layer.forward_parallel(&bad, m, &mut b),
        Err(QuantError::NonFinite {
            what: "x",
            row: 150
        })
    );
}
