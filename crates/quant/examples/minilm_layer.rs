//! One MiniLM-L6 encoder layer (hidden 384, 12 heads, FFN 1536) on 8 windows × 128 tokens,
//! written as caveat-transformer's candle encoder runs it (`encoder.rs`), timed with f32
//! candle linears and with `QuantizedLinear` plugged in through a candle `CustomOp1`, with
//! candle's or this crate's GELU and softmax (through `InplaceOp1`). Random weights: the
//! output difference is a sanity check, not an accuracy figure for a trained model.
//!
//! `cargo run --release -p caveat-quant --example minilm_layer [-- N_RUNS [VARIANT]]`
#![allow(missing_docs)]

use candle_core::Tensor;
use caveat_quant::QuantizedLinear;
use std::time::Instant;

mod common;
use common::{cpu_ns, msg, Int8Op, Layer, Linear};

const H: usize = 384;
const HEADS: usize = 12;
const FFN: usize = 1536;

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

impl Layer {
    fn new(int8: bool, fast_elementwise: bool) -> candle_core::Result<Layer> {
        let dev = &candle_core::Device::Cpu;
        let lin = |out: usize, inp: usize, seed: u64| -> candle_core::Result<Linear> {
            let w = random(out * inp, 0.08, seed);
            let b = random(out, 0.05, seed + 100);
            Ok(if int8 {
                Linear::Int8(Int8Op(
                    QuantizedLinear::from_f32(&w, out, inp, Some(&b)).map_err(msg)?,
                ))
            } else {
                Linear::F32(candle_nn::Linear::new(
                    Tensor::from_vec(w, (out, inp), dev)?,
                    Some(Tensor::from_vec(b, out, dev)?),
                ))
            })
        };
        let norm = || -> candle_core::Result<candle_nn::LayerNorm> {
            Ok(candle_nn::LayerNorm::new(
                Tensor::ones(H, candle_core::DType::F32, dev)?,
                Tensor::zeros(H, candle_core::DType::F32, dev)?,
                1e-12,
            ))
        };
        Ok(Layer {
            qkv: lin(3 * H, H, 1)?,
            attn_out: lin(H, H, 2)?,
            attn_norm: norm()?,
            ffn_in: lin(FFN, H, 3)?,
            ffn_out: lin(H, FFN, 4)?,
            out_norm: norm()?,
            hidden: H,
            heads: HEADS,
            fast_elementwise,
        })
    }
}

fn main() -> candle_core::Result<()> {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let runs: usize = std::env::args()
        .nth(1)
        .and_then(|a| a.parse().ok())
        .unwrap_or(10);
    let dev = &candle_core::Device::Cpu;
    let (rows, cols) = (8, 128);
    let x = Tensor::from_vec(random(rows * cols * H, 1.0, 9), (rows * cols, H), dev)?;
    // The last 28 tokens of every window are padding, as in real batches.
    let bias: Vec<f32> = (0..rows * cols)
        .map(|i| if i % cols < 100 { 0.0 } else { f32::MIN })
        .collect();
    let bias = Tensor::from_vec(bias, (rows, 1, 1, cols), dev)?;
    let variants = [
        ("f32 linears, candle gelu/softmax (today)", false, false),
        ("f32 linears, caveat-quant gelu/softmax", false, true),
        ("int8 linears, candle gelu/softmax", true, false),
        ("int8 linears, caveat-quant gelu/softmax", true, true),
    ];
    let mut reference: Option<(Vec<f32>, f64)> = None;
    println!("one MiniLM layer, {rows} windows × {cols} tokens, best of {runs} (on-CPU time of all threads), one thread");
    // An optional second argument runs only that variant (0–3), e.g. under a profiler.
    let only: Option<usize> = std::env::args().nth(2).and_then(|a| a.parse().ok());
    for (i, (name, int8, fast)) in variants.into_iter().enumerate() {
        if only.is_some_and(|o| o != i) {
            continue;
        }
        let layer = Layer::new(int8, fast)?;
        let (mut best, mut best_cpu) = (f64::MAX, f64::MAX);
        let mut y = layer.forward(&x, &bias, rows, cols)?;
        for _ in 0..runs {
            let (t, c) = (Instant::now(), cpu_ns());
            y = layer.forward(&x, &bias, rows, cols)?;
            best = best.min(t.elapsed().as_secs_f64());
            if let (Some(c), Some(now)) = (c, cpu_ns()) {
                best_cpu = best_cpu.min((now - c) as f64 * 1e-9);
            }
        }
        // Prefer on-CPU time where the OS reports it.
        if best_cpu < f64::MAX {
            best = best_cpu;
        }
        let y: Vec<f32> = y.flatten_all()?.to_vec1()?;
        let diff = match &reference {
            None => String::new(),
            Some((r, ms)) => {
                let max = r
                    .iter()
                    .zip(&y)
                    .map(|(a, b)| (a - b).abs())
                    .fold(0f32, f32::max);
                format!(
                    ", {:.2}× the f32 layer; max |Δ| vs it {max:.4} (outputs have unit variance)",
                    ms / (best * 1e3)
                )
            }
        };
        println!("{name}: {:.1} ms{diff}", best * 1e3);
        if reference.is_none() {
            reference = Some((y, best * 1e3));
        }
    }
    Ok(())
}
