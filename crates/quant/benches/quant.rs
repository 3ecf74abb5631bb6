//! int8 `QuantizedLinear::forward` against candle's f32 `Linear` (matmul + bias, candle-core
//! 0.11, its `gemm` crate) on the shapes of MiniLM / BERT-base layers, single-threaded; and
//! the vectorised GELU / exp / softmax against candle's.
//!
//! `cargo bench -p caveat-quant --bench quant` runs everything and ends with a Markdown table
//! (GFLOP/s and ratios, read from criterion's estimates). Set `QUANT_BENCH_QUICK=1` for
//! M = 1024 only. candle's matmul threads over `RAYON_NUM_THREADS` (default: the physical
//! cores); this bench sets it to 1 unless it is set, so both sides use one core.
#![allow(missing_docs)]

use candle_core::{Device, Tensor};
use candle_nn::Module;
use caveat_quant::{Kernel, QuantizedLinear};
use criterion::{BenchmarkId, Criterion, Throughput};
use std::hint::black_box;
use std::time::Duration;

/// (K, N) = (in, out) of the linears of MiniLM (384 hidden, 1536 FFN) and BERT-base (768, 3072).
const SHAPES: [(usize, usize); 6] = [
    (384, 384),
    (384, 1536),
    (1536, 384),
    (768, 768),
    (768, 3072),
    (3072, 768),
];

fn rows() -> Vec<usize> {
    if std::env::var_os("QUANT_BENCH_QUICK").is_some() {
        vec![1024]
    } else {
        vec![256, 1024, 4096]
    }
}

fn random(n: usize, scale: f32, seed: u64) -> Vec<f32> {
    let mut s = seed;
    (0..n)
        .map(|_| {
            s = s
                .wrapping_mul(6364136223846793005)
                .wrapping_add(1442695040888963407);
            ((s >> 40) as f32 / (1u64 << 24) as f32 - 0.5) * 2.0 * scale
        })
        .collect()
}

fn group_name(k: usize, n: usize, m: usize) -> String {
    format!("linear K={k} N={n} M={m}")
}

fn bench_linear(c: &mut Criterion) {
    let dev = Device::Cpu;
    for m in rows() {
        for (k, n) in SHAPES {
            let w = random(n * k, 0.05, 1);
            let b = random(n, 0.1, 2);
            let x = random(m * k, 1.0, 3);
            let mut g = c.benchmark_group(group_name(k, n, m));
            g.throughput(Throughput::Elements((2 * m * n * k) as u64));
            let flops = (2 * m * n * k) as f64;
            // About 20 samples of at least one call, within ~2 s per function.
            g.sample_size(10)
                .warm_up_time(Duration::from_millis(500))
                .measurement_time(Duration::from_secs_f64((flops / 20e9).clamp(1.0, 4.0)));

            let linear = candle_nn::Linear::new(
                Tensor::from_slice(&w, (n, k), &dev).unwrap(),
                Some(Tensor::from_slice(&b, n, &dev).unwrap()),
            );
            let xt = Tensor::from_slice(&x, (m, k), &dev).unwrap();
            g.bench_function("candle_f32", |bench| {
                bench.iter(|| black_box(linear.forward(black_box(&xt)).unwrap()))
            });

            let layer = QuantizedLinear::from_f32(&w, n, k, Some(&b)).unwrap();
            let mut out = vec![0f32; m * n];
            let kernels: Vec<Kernel> = if m == 1024 {
                Kernel::ALL
                    .into_iter()
                    .filter(|k| k.is_available() && *k != Kernel::Scalar)
                    .collect()
            } else {
                vec![Kernel::best()]
            };
            for kernel in kernels {
                let layer = layer.clone().with_kernel(kernel).unwrap();
                g.bench_function(BenchmarkId::new("int8", kernel), |bench| {
                    bench.iter(|| layer.forward(black_box(&x), m, &mut out).unwrap())
                });
            }
            #[cfg(feature = "rayon")]
            if m == 1024 {
                g.bench_function("int8_parallel", |bench| {
                    bench.iter(|| layer.forward_parallel(black_box(&x), m, &mut out).unwrap())
                });
            }
            g.finish();
        }
    }
}

/// The linears of one MiniLM-L6 layer as caveat's candle encoder runs them (query, key and
/// value fused into one 384 → 1152 matrix; attention output 384 → 384; FFN 384 → 1536 → 384)
/// on M = 1024 token rows, with the exact GELU between the FFN's two linears.
fn bench_minilm_layer(c: &mut Criterion) {
    let dev = Device::Cpu;
    let m = 1024;
    let shapes = [(384, 1152), (384, 384), (384, 1536), (1536, 384)];
    let weights: Vec<(usize, usize, Vec<f32>, Vec<f32>)> = shapes
        .iter()
        .enumerate()
        .map(|(i, &(k, n))| {
            (
                k,
                n,
                random(n * k, 0.05, 10 + i as u64),
                random(n, 0.1, 20 + i as u64),
            )
        })
        .collect();
    let x384 = random(m * 384, 1.0, 30);
    let x1536 = random(m * 1536, 1.0, 31);
    let input = |k: usize| if k == 384 { &x384 } else { &x1536 };
    let flops: usize = shapes.iter().map(|&(k, n)| 2 * m * n * k).sum();
    let mut g = c.benchmark_group(MINILM);
    g.throughput(Throughput::Elements(flops as u64));
    g.sample_size(20);

    let candle: Vec<(Tensor, candle_nn::Linear)> = weights
        .iter()
        .map(|(k, n, w, b)| {
            let linear = candle_nn::Linear::new(
                Tensor::from_slice(w, (*n, *k), &dev).unwrap(),
                Some(Tensor::from_slice(b, *n, &dev).unwrap()),
            );
            (
                Tensor::from_slice(input(*k), (m, *k), &dev).unwrap(),
                linear,
            )
        })
        .collect();
    g.bench_function("candle_f32", |bench| {
        bench.iter(|| {
            for (x, l) in &candle {
                black_box(l.forward(x).unwrap());
            }
        })
    });
    g.bench_function("candle_f32+gelu", |bench| {
        bench.iter(|| {
            for (i, (x, l)) in candle.iter().enumerate() {
                let y = l.forward(x).unwrap();
                black_box(if i == 2 { y.gelu_erf().unwrap() } else { y });
            }
        })
    });
    let quant: Vec<(usize, QuantizedLinear)> = weights
        .iter()
        .map(|(k, n, w, b)| (*k, QuantizedLinear::from_f32(w, *n, *k, Some(b)).unwrap()))
        .collect();
    let mut out = vec![0f32; m * 1536];
    g.bench_function("int8", |bench| {
        bench.iter(|| {
            for (k, l) in &quant {
                l.forward(input(*k), m, &mut out[..m * l.out_features()])
                    .unwrap();
            }
        })
    });
    g.bench_function("int8+gelu", |bench| {
        bench.iter(|| {
            for (i, (k, l)) in quant.iter().enumerate() {
                let out = &mut out[..m * l.out_features()];
                l.forward(input(*k), m, out).unwrap();
                if i == 2 {
                    caveat_quant::gelu_erf(out);
                }
            }
        })
    });
    g.finish();
}

const MINILM: &str = "minilm layer linears M=1024";

fn bench_elementwise(c: &mut Criterion) {
    let dev = Device::Cpu;
    // One MiniLM FFN activation (1024 tokens × 1536) and the attention scores of 64 windows
    // of 128 tokens × 12 heads... scaled to 1536 rows of 128.
    let (rows, cols) = (1024, 1536);
    let x = random(rows * cols, 4.0, 5);
    let xt = Tensor::from_slice(&x, (rows, cols), &dev).unwrap();
    let mut g = c.benchmark_group("gelu_erf 1024x1536");
    g.throughput(Throughput::Elements((rows * cols) as u64));
    g.sample_size(20);
    g.bench_function("candle", |b| b.iter(|| black_box(xt.gelu_erf().unwrap())));
    let mut buf = x.clone();
    g.bench_function("quant", |b| {
        b.iter(|| {
            buf.copy_from_slice(&x);
            caveat_quant::gelu_erf(&mut buf)
        })
    });
    g.finish();

    let mut g = c.benchmark_group("exp 1024x1536");
    g.throughput(Throughput::Elements((rows * cols) as u64));
    g.sample_size(20);
    g.bench_function("candle", |b| b.iter(|| black_box(xt.exp().unwrap())));
    g.bench_function("quant", |b| {
        b.iter(|| {
            buf.copy_from_slice(&x);
            caveat_quant::exp(&mut buf)
        })
    });
    g.finish();

    let (rows, cols) = (1536 * 8, 128);
    let s = random(rows * cols, 8.0, 6);
    let st = Tensor::from_slice(&s, (rows, cols), &dev).unwrap();
    let mut g = c.benchmark_group("softmax 12288x128");
    g.throughput(Throughput::Elements((rows * cols) as u64));
    g.sample_size(20);
    g.bench_function("candle", |b| {
        b.iter(|| black_box(candle_nn::ops::softmax_last_dim(&st).unwrap()))
    });
    let mut buf = s.clone();
    g.bench_function("quant", |b| {
        b.iter(|| {
            buf.copy_from_slice(&s);
            caveat_quant::softmax_rows(&mut buf, cols).unwrap()
        })
    });
    g.finish();
}

/// Mean time in ns of a benchmark, from criterion's saved estimates (`function` may be
/// `name/parameter`, which criterion stores as nested directories).
fn mean_ns(group: &str, function: &str) -> Option<f64> {
    let bases: Vec<std::path::PathBuf> = match std::env::var_os("CRITERION_HOME") {
        Some(home) => vec![home.into()],
        None => match std::env::var_os("CARGO_TARGET_DIR") {
            Some(dir) => vec![std::path::Path::new(&dir).join("criterion")],
            // cargo runs benches in the package directory; the workspace target is two up.
            None => vec!["../../target/criterion".into(), "target/criterion".into()],
        },
    };
    let safe = |s: &str| s.replace(['?', '"', '/', '\\', '*', '<', '>', ':', '|', '^'], "_");
    bases.into_iter().find_map(|base| {
        let mut path = base.join(safe(group));
        for part in function.split('/') {
            path.push(safe(part));
        }
        let text = std::fs::read_to_string(path.join("new/estimates.json")).ok()?;
        let json: serde_json::Value = serde_json::from_str(&text).ok()?;
        json["mean"]["point_estimate"].as_f64()
    })
}

fn print_table() {
    let best = Kernel::best();
    println!("\n| M | K | N | candle f32 GFLOP/s | int8 ({best}) GFLOP/s | speed-up | other kernels (GFLOP/s) |");
    println!("|---|---|---|---|---|---|---|");
    for m in rows() {
        for (k, n) in SHAPES {
            let group = group_name(k, n, m);
            let flops = (2 * m * n * k) as f64;
            let Some(f32_ns) = mean_ns(&group, "candle_f32") else {
                continue;
            };
            let Some(q_ns) = mean_ns(&group, &format!("int8/{best}")) else {
                continue;
            };
            let mut others = Vec::new();
            for kernel in [Kernel::AvxVnni, Kernel::Avx2] {
                if kernel != best {
                    if let Some(ns) = mean_ns(&group, &format!("int8/{kernel}")) {
                        others.push(format!("{kernel} {:.0}", flops / ns));
                    }
                }
            }
            if let Some(ns) = mean_ns(&group, "int8_parallel") {
                others.push(format!("parallel {:.0}", flops / ns));
            }
            println!(
                "| {m} | {k} | {n} | {:.1} | {:.1} | {:.2}× | {} |",
                flops / f32_ns,
                flops / q_ns,
                f32_ns / q_ns,
                others.join(", ")
            );
        }
    }
    let (c, q) = (mean_ns(MINILM, "candle_f32"), mean_ns(MINILM, "int8"));
    let (cg, qg) = (
        mean_ns(MINILM, "candle_f32+gelu"),
        mean_ns(MINILM, "int8+gelu"),
    );
    if let (Some(c), Some(q), Some(cg), Some(qg)) = (c, q, cg, qg) {
        println!(
            "{MINILM}: candle {:.1} ms, int8 {:.1} ms ({:.2}×); with GELU: {:.1} ms vs {:.1} ms ({:.2}×)",
            c / 1e6, q / 1e6, c / q, cg / 1e6, qg / 1e6, cg / qg
        );
    }
    for g in ["gelu_erf 1024x1536", "exp 1024x1536", "softmax 12288x128"] {
        if let (Some(c), Some(q)) = (mean_ns(g, "candle"), mean_ns(g, "quant")) {
            println!(
                "{g}: candle {:.2} ms, quant {:.2} ms ({:.1}×)",
                c / 1e6,
                q / 1e6,
                c / q
            );
        }
    }
}

fn main() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let mut c = Criterion::default().configure_from_args();
    bench_linear(&mut c);
    bench_minilm_layer(&mut c);
    bench_elementwise(&mut c);
    c.final_summary();
    print_table();
}
