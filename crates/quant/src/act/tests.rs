use super::*;

fn gelu_ref(x: f64) -> f64 {
    0.5 * x * libm::erfc(-x / std::f64::consts::SQRT_2)
}

/// Inputs: a dense grid over the interesting range, the extremes, and special values.
fn inputs() -> Vec<f32> {
    let mut v: Vec<f32> = (-200_000..=200_000).map(|i| i as f32 * 1e-4).collect();
    v.extend((-100..=100).map(|i| i as f32 * 0.37));
    v.extend([
        0.0,
        -0.0,
        1e-30,
        -1e-30,
        1e-45,
        1e3,
        -1e3,
        3e38,
        -3e38,
        f32::MAX,
        f32::MIN,
    ]);
    v
}

fn run_isa(isa: Isa, op: Op, x: &[f32], cols: usize) -> Vec<f32> {
    let mut y = x.to_vec();
    run(isa, op, &mut y, cols);
    y
}

#[test]
fn gelu_is_within_1e6_of_the_f64_formula_on_every_isa() {
    let x = inputs();
    for isa in Isa::available() {
        let y = run_isa(isa, Op::Gelu, &x, 0);
        let mut worst = (0f64, 0f32);
        for (&x, &y) in x.iter().zip(&y) {
            let err = (f64::from(y) - gelu_ref(f64::from(x))).abs();
            if err > worst.0 {
                worst = (err, x);
            }
        }
        assert!(
            worst.0 <= 1e-6,
            "{isa:?}: error {} at x = {}",
            worst.0,
            worst.1
        );
        eprintln!(
            "gelu {isa:?}: max abs error {:.2e} at x = {}",
            worst.0, worst.1
        );
    }
}

#[test]
fn gelu_special_values() {
    for isa in Isa::available() {
        let y = run_isa(
            isa,
            Op::Gelu,
            &[f32::NAN, f32::INFINITY, f32::NEG_INFINITY, 10.0, -20.0],
            0,
        );
        assert!(y[0].is_nan(), "{isa:?}");
        assert_eq!(y[1], f32::INFINITY, "{isa:?}");
        assert!(y[2] == 0.0 || y[2].is_nan(), "{isa:?}: {}", y[2]);
        assert_eq!(y[3], 10.0, "{isa:?}");
        assert_eq!(y[4], 0.0, "{isa:?}");
    }
}

#[test]
fn exp_is_within_2_ulp_on_every_isa() {
    let mut x: Vec<f32> = (-860_000..=887_228)
        .step_by(7)
        .map(|i| i as f32 * 1e-4)
        .collect();
    x.extend([0.0, -0.0, 1e-30, -1e-30, -86.0, 88.72]);
    for isa in Isa::available() {
        let y = run_isa(isa, Op::Exp, &x, 0);
        for (&x, &y) in x.iter().zip(&y) {
            let exact = f64::from(x).exp();
            let ulp =
                f64::from(f32::from_bits((exact as f32).to_bits() + 1)) - f64::from(exact as f32);
            let err = (f64::from(y) - exact).abs() / ulp;
            assert!(
                err <= 2.0,
                "{isa:?}: exp({x}) = {y}, exact {exact}, {err} ulp"
            );
        }
        let y = run_isa(
            isa,
            Op::Exp,
            &[f32::NAN, 89.0, f32::INFINITY, -87.0, f32::NEG_INFINITY],
            0,
        );
        assert!(y[0].is_nan(), "{isa:?}");
        assert_eq!(
            &y[1..],
            &[f32::INFINITY, f32::INFINITY, 0.0, 0.0],
            "{isa:?}"
        );
    }
}

#[test]
fn softmax_rows_sum_to_one_and_match_f64() {
    let cols = 37; // not a multiple of the 16 lanes
    let mut seed = 1u64;
    let x: Vec<f32> = (0..cols * 9)
        .map(|i| {
            seed = seed.wrapping_mul(6364136223846793005).wrapping_add(1);
            let r = (seed >> 40) as f32 / (1u64 << 24) as f32;
            if i % cols == 3 {
                1000.0
            } else {
                (r - 0.5) * 40.0
            }
        })
        .collect();
    for isa in Isa::available() {
        let y = run_isa(isa, Op::Softmax, &x, cols);
        for (xr, yr) in x.chunks(cols).zip(y.chunks(cols)) {
            let max = xr
                .iter()
                .fold(f64::NEG_INFINITY, |m, &v| m.max(f64::from(v)));
            let sum: f64 = xr.iter().map(|&v| (f64::from(v) - max).exp()).sum();
            for (&x, &y) in xr.iter().zip(yr) {
                let exact = (f64::from(x) - max).exp() / sum;
                assert!(
                    (f64::from(y) - exact).abs() <= 1e-6 * exact.max(1e-30) + 1e-37,
                    "{isa:?}"
                );
            }
        }
    }
    let mut masked = vec![f32::NEG_INFINITY; 4];
    softmax_rows(&mut masked, 4).unwrap();
    assert_eq!(masked, vec![0.25; 4]);
    assert!(softmax_rows(&mut [1.0, 2.0, 3.0], 2).is_err());
    assert!(softmax_rows(&mut [1.0], 0).is_err());
}

#[test]
fn public_functions_use_the_best_isa() {
    let x = inputs();
    let mut y = x.clone();
    gelu_erf(&mut y);
    assert_eq!(
        y.iter().map(|v| v.to_bits()).collect::<Vec<_>>(),
        run_isa(Isa::best(), Op::Gelu, &x, 0)
            .iter()
            .map(|v| v.to_bits())
            .collect::<Vec<_>>()
    );
    let mut y: Vec<f32> = (0..100).map(|i| i as f32 * 0.5 - 25.0).collect();
    let x = y.clone();
    exp(&mut y);
    assert_eq!(y, run_isa(Isa::best(), Op::Exp, &x, 0));
}
