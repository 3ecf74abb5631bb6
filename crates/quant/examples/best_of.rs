//! Best-of-N timings of int8 `QuantizedLinear::forward` against candle's f32 `Linear` on one
//! thread: the minimum over N runs is what the hardware can do, robust to other processes
//! on a shared machine (criterion's mean in `benches/quant.rs` is not); on Linux the time is
//! the process's on-CPU time (`CLOCK_PROCESS_CPUTIME_ID`), so descheduling does not count.
//!
//! `cargo run --release -p caveat-quant --example best_of [-- M [N_RUNS]]`
#![allow(missing_docs)]

use candle_core::{Device, Tensor};
use candle_nn::Module;
use caveat_quant::{Kernel, QuantizedLinear};
use std::time::Instant;

/// On-CPU nanoseconds of every thread of this process so far
/// (`CLOCK_PROCESS_CPUTIME_ID`), so that time spent descheduled on a shared machine does not
/// count.
#[allow(unsafe_code)]
fn cpu_ns() -> Option<u64> {
    let mut ts = libc::timespec {
        tv_sec: 0,
        tv_nsec: 0,
    };
    // SAFETY: clock_gettime writes the timespec it is given.
    let ok = unsafe { libc::clock_gettime(libc::CLOCK_PROCESS_CPUTIME_ID, &mut ts) } == 0;
    ok.then(|| ts.tv_sec as u64 * 1_000_000_000 + ts.tv_nsec as u64)
}

/// The shortest of `runs` calls: on-CPU time where the OS reports it, else wall time.
fn best_of(runs: usize, mut f: impl FnMut()) -> f64 {
    f();
    (0..runs)
        .map(|_| {
            let (t, c) = (Instant::now(), cpu_ns());
            f();
            let wall = t.elapsed().as_secs_f64();
            match (c, cpu_ns()) {
                (Some(c), Some(now)) => (now - c) as f64 * 1e-9,
                _ => wall,
            }
        })
        .fold(f64::MAX, f64::min)
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

fn main() {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let args: Vec<usize> = std::env::args()
        .skip(1)
        .filter_map(|a| a.parse().ok())
        .collect();
    let m = args.first().copied().unwrap_or(1024);
    let runs = args.get(1).copied().unwrap_or(15);
    let kernels: Vec<Kernel> = Kernel::ALL
        .into_iter()
        .rev()
        .filter(|k| k.is_available() && *k != Kernel::Scalar)
        .collect();
    println!("M = {m}, best of {runs} runs (on-CPU time), one thread; GFLOP/s (int8: GOP/s)");
    print!("| K | N | candle f32 |");
    for k in &kernels {
        print!(" int8 {k} |");
    }
    println!(" speed-up ({}) |", kernels[0]);
    println!("|---|---|---|{}---|", "---|".repeat(kernels.len()));
    let dev = Device::Cpu;
    for (k, n) in [
        (384, 384),
        (384, 1152),
        (384, 1536),
        (1536, 384),
        (768, 768),
        (768, 3072),
        (3072, 768),
    ] {
        let w = random(n * k, 0.05, 1);
        let b = random(n, 0.1, 2);
        let x = random(m * k, 1.0, 3);
        let flops = 2.0 * (m * n * k) as f64;
        let linear = candle_nn::Linear::new(
            Tensor::from_slice(&w, (n, k), &dev).unwrap(),
            Some(Tensor::from_slice(&b, n, &dev).unwrap()),
        );
        let xt = Tensor::from_slice(&x, (m, k), &dev).unwrap();
        let f32_s = best_of(runs, || {
            std::hint::black_box(linear.forward(&xt).unwrap());
        });
        print!("| {k} | {n} | {:.1} |", flops / f32_s / 1e9);
        let mut first = None;
        for &kernel in &kernels {
            let layer = QuantizedLinear::from_f32(&w, n, k, Some(&b))
                .unwrap()
                .with_kernel(kernel)
                .unwrap();
            let mut out = vec![0f32; m * n];
            let s = best_of(runs, || layer.forward(&x, m, &mut out).unwrap());
            first.get_or_insert(s);
            print!(" {:.1} |", flops / s / 1e9);
        }
        println!(" {:.2}× |", f32_s / first.unwrap());
    }
}
