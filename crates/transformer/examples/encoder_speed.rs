//! Encoder throughput: caveat's encoder (`backend::Candle`) against candle-transformers' BERT
//! (the candle backend until #14) on the same windows, in one process, alternating.
//!
//! ```text
//! CANDLE_NUM_THREADS=1 cargo run --release -p caveat-transformer --example encoder_speed -- \
//!     models/ner-minilm ../shared/corpora/bbc.jsonl [--limit 200] [--repeat 3]
//! ```
//!
//! Words are the corpus texts split at whitespace with punctuation split off, sentences end at
//! `.`, `!` or `?`; windows as the ner stage makes them (128 subwords, stride 32, packed),
//! sorted by length and run in batches of 16, each batch by both (alternating which goes
//! first). Prints words per CPU second and per wall second of each, and the largest logit
//! difference between the two. `CANDLE_NUM_THREADS=1` makes both single threaded, as `caveat`
//! runs each worker.

use std::io::BufRead;
use std::path::PathBuf;
use std::time::Instant;

use candle_core::{DType, Device, Module, Tensor};
use caveat_transformer::backend::{Batch, Candle, Encoder};
use caveat_transformer::window::{windows, Specials, Window, WindowOptions};
use caveat_transformer::ModelDir;

/// The candle backend before #14: candle-transformers' `BertModel` and a linear head.
struct Previous {
    bert: candle_transformers::models::bert::BertModel,
    classifier: candle_nn::Linear,
}

impl Previous {
    fn load(dir: &ModelDir) -> Previous {
        let config: candle_transformers::models::bert::Config =
            serde_json::from_str(&dir.config_json).unwrap();
        let bytes = std::fs::read(dir.weights()).unwrap();
        let vb = candle_nn::VarBuilder::from_buffered_safetensors(bytes, DType::F32, &Device::Cpu)
            .unwrap();
        let bert = candle_transformers::models::bert::BertModel::load(vb.clone(), &config).unwrap();
        let classifier =
            candle_nn::linear(config.hidden_size, dir.labels.len(), vb.pp("classifier")).unwrap();
        Previous { bert, classifier }
    }

    fn logits(&self, b: &Batch) -> Vec<f32> {
        let shape = (b.rows, b.cols);
        let t = |v: &[u32]| Tensor::from_slice(v, shape, &Device::Cpu).unwrap();
        let hidden = self
            .bert
            .forward(&t(&b.ids), &t(&b.type_ids), Some(&t(&b.mask)))
            .unwrap();
        self.classifier
            .forward(&hidden)
            .unwrap()
            .flatten_all()
            .unwrap()
            .to_vec1()
            .unwrap()
    }
}

fn words_of(text: &str) -> Vec<String> {
    let mut out = Vec::new();
    for w in text.split_whitespace() {
        let core = w.trim_end_matches(|c: char| c.is_ascii_punctuation());
        if !core.is_empty() {
            out.push(core.to_string());
        }
        for c in w[core.len()..].chars() {
            out.push(c.to_string());
        }
    }
    out
}

fn pad(ws: &[Window], pad_id: u32) -> Batch {
    let rows = ws.len();
    let cols = ws.iter().map(|w| w.ids.len()).max().unwrap_or(0);
    let mut b = Batch {
        ids: vec![pad_id; rows * cols],
        type_ids: vec![0; rows * cols],
        mask: vec![0; rows * cols],
        rows,
        cols,
    };
    for (r, w) in ws.iter().enumerate() {
        let at = r * cols;
        b.ids[at..at + w.ids.len()].copy_from_slice(&w.ids);
        b.type_ids[at..at + w.ids.len()].copy_from_slice(&w.type_ids);
        b.mask[at..at + w.ids.len()].fill(1);
    }
    b
}

fn main() {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let flag = |name: &str, default: usize| {
        args.iter()
            .position(|a| a == name)
            .and_then(|i| args.get(i + 1))
            .map_or(default, |v| v.parse().unwrap())
    };
    let (limit, repeat) = (flag("--limit", 200), flag("--repeat", 3));
    let model = PathBuf::from(&args[0]);
    // `--load-only new|previous`: load one encoder and print the peak memory.
    if let Some(which) = args
        .iter()
        .position(|a| a == "--load-only")
        .and_then(|i| args.get(i + 1))
    {
        let dir = ModelDir::open(&model).unwrap();
        let before = peak_rss_mb();
        let (rows, cols) = (16, 128);
        let batch = Batch {
            ids: (0..rows * cols).map(|i| 1000 + (i % 997) as u32).collect(),
            type_ids: vec![0; rows * cols],
            mask: vec![1; rows * cols],
            rows,
            cols,
        };
        let loaded;
        if which == "new" {
            let m = Candle::load(&dir).unwrap();
            loaded = peak_rss_mb();
            drop(m.logits(&batch).unwrap());
        } else {
            let m = Previous::load(&dir);
            loaded = peak_rss_mb();
            drop(m.logits(&batch));
        }
        println!(
            "{which}: peak RSS {before:.0} MB after opening the directory, {loaded:.0} MB after \
             loading, {:.0} MB after a 16 x 128 batch",
            peak_rss_mb()
        );
        return;
    }
    let corpus = PathBuf::from(&args[1]);
    let dir = ModelDir::open(&model).unwrap();
    let specials = Specials::of(&dir.tokenizer, Some(dir.encoder.pad_token_id)).unwrap();
    let opts = WindowOptions {
        max_length: 128,
        stride: 32,
        pack: true,
        casing: dir.config.caveat_casing_type_ids,
    };
    let mut all = Vec::new();
    let mut n_words = 0;
    let file = std::io::BufReader::new(std::fs::File::open(&corpus).unwrap());
    for line in file.lines().take(limit) {
        let v: serde_json::Value = serde_json::from_str(&line.unwrap()).unwrap();
        let words = words_of(v["text"].as_str().unwrap_or(""));
        let mut sentences = Vec::new();
        let mut start = 0;
        for (i, w) in words.iter().enumerate() {
            if matches!(w.as_str(), "." | "!" | "?") || i + 1 == words.len() {
                sentences.push(start..i + 1);
                start = i + 1;
            }
        }
        let refs: Vec<&str> = words.iter().map(String::as_str).collect();
        all.extend(windows(&dir.tokenizer, specials, &refs, &sentences, opts).unwrap());
        n_words += words.len();
    }
    all.sort_by_key(|w| w.ids.len());
    let batches: Vec<Batch> = all.chunks(16).map(|c| pad(c, specials.pad)).collect();
    let new = Candle::load(&dir).unwrap();
    let old = Previous::load(&dir);
    let mut diff = 0f32;
    for b in batches.iter().step_by(8) {
        let (a, o) = (new.logits(b).unwrap(), old.logits(b));
        for r in 0..b.rows {
            for c in 0..b.cols {
                if b.mask[r * b.cols + c] == 1 {
                    let n = dir.labels.len();
                    let at = (r * b.cols + c) * n;
                    for k in at..at + n {
                        diff = diff.max((a[k] - o[k]).abs());
                    }
                }
            }
        }
    }
    println!(
        "{n_words} words, {} windows, {} batches; max logit difference new vs previous {diff:e}",
        all.len(),
        batches.len()
    );
    // Paired: each batch runs on both, in alternating order, so load changes on a shared
    // machine hit both alike. Time is this thread's CPU time (words per CPU second, i.e. per
    // core) and wall time.
    let (mut cpu, mut wall) = ([0f64; 2], [0f64; 2]);
    for r in 0..repeat {
        for (i, b) in batches.iter().enumerate() {
            for k in [(i + r) % 2, (i + r + 1) % 2] {
                let (c0, t0) = (thread_cpu_seconds(), Instant::now());
                if k == 0 {
                    drop(new.logits(b).unwrap());
                } else {
                    drop(old.logits(b));
                }
                wall[k] += t0.elapsed().as_secs_f64();
                cpu[k] += thread_cpu_seconds() - c0;
            }
        }
    }
    let words = (n_words * repeat) as f64;
    for (k, name) in ["caveat encoder", "candle-transformers BERT"]
        .iter()
        .enumerate()
    {
        println!(
            "{name}: {:.0} words per CPU second, {:.0} words/s wall",
            words / cpu[k],
            words / wall[k]
        );
    }
    println!(
        "caveat encoder / candle-transformers BERT: {:.3}x per CPU second, {:.3}x wall",
        cpu[1] / cpu[0],
        wall[1] / wall[0]
    );
}

/// Peak resident memory of the process (`VmHWM`), MB.
fn peak_rss_mb() -> f64 {
    std::fs::read_to_string("/proc/self/status")
        .ok()
        .and_then(|s| {
            let line = s.lines().find(|l| l.starts_with("VmHWM:"))?;
            line.split_whitespace().nth(1)?.parse::<f64>().ok()
        })
        .map_or(0.0, |kb| kb / 1024.0)
}

/// CPU time of the calling thread (`/proc/thread-self/schedstat`, nanoseconds on Linux).
fn thread_cpu_seconds() -> f64 {
    std::fs::read_to_string("/proc/thread-self/schedstat")
        .ok()
        .and_then(|s| s.split_whitespace().next()?.parse::<f64>().ok())
        .map_or(0.0, |ns| ns / 1e9)
}
