//! Accuracy and speed of int8 linears on a real token-classification model: runs a BERT-style
//! model directory (`config.json`, `model.safetensors`, `vocab.txt` — e.g. the assembled
//! `models/ner-minilm`) over a CoNLL file in f32 and with every encoder linear int8 (the
//! classifier head stays f32), and reports entity F1 against the gold tags for both, how often
//! the two agree, and the time. One sentence per window (≤ 128 subwords), casing classes as
//! token types when the config asks for them, argmax labels, conlleval-style chunks: an
//! approximation of caveat's `ner` stage, close enough to compare f32 with int8.
//!
//! `cargo run --release -p caveat-quant --example ner_int8 -- MODEL_DIR CONLL [MAX_SENTENCES [VOCAB_TXT]]`
//! (`VOCAB_TXT` defaults to `MODEL_DIR/vocab.txt`).
#![allow(missing_docs)]

mod common;

use candle_core::{DType, Device, Module, Tensor};
use caveat_quant::QuantizedLinear;
use common::{cpu_ns, msg, Int8Op, Layer, Linear};
use std::collections::HashMap;
use std::path::Path;

type Res<T> = Result<T, Box<dyn std::error::Error>>;

/// As `caveat_transformer::window::casing`.
fn casing(word: &str) -> u32 {
    let (mut letters, mut upper) = (0usize, 0usize);
    for c in word.chars().filter(|c| c.is_alphabetic()) {
        letters += 1;
        upper += usize::from(c.is_uppercase());
    }
    if upper == 0 {
        0
    } else if letters >= 2 && upper == letters {
        2
    } else if word.chars().next().is_some_and(char::is_uppercase) {
        1
    } else {
        3
    }
}

/// Lower-cased BERT pre-tokenisation of one word (punctuation split off) and greedy WordPiece.
fn wordpiece(word: &str, vocab: &HashMap<String, u32>, unk: u32) -> Vec<u32> {
    let lower = word.to_lowercase();
    let mut pieces: Vec<String> = Vec::new();
    let mut cur = String::new();
    for c in lower.chars() {
        if c.is_ascii_punctuation() || (!c.is_alphanumeric() && !c.is_whitespace()) {
            if !cur.is_empty() {
                pieces.push(std::mem::take(&mut cur));
            }
            pieces.push(c.to_string());
        } else if !c.is_whitespace() {
            cur.push(c);
        }
    }
    if !cur.is_empty() {
        pieces.push(cur);
    }
    let mut ids = Vec::new();
    for p in pieces {
        let chars: Vec<char> = p.chars().collect();
        let (mut start, mut out) = (0, Vec::new());
        while start < chars.len() {
            let mut end = chars.len();
            let mut found = None;
            while end > start {
                let s: String = chars[start..end].iter().collect();
                let key = if start > 0 { format!("##{s}") } else { s };
                if let Some(&id) = vocab.get(&key) {
                    found = Some(id);
                    break;
                }
                end -= 1;
            }
            match found {
                Some(id) => {
                    out.push(id);
                    start = end;
                }
                None => {
                    out = vec![unk];
                    break;
                }
            }
        }
        ids.extend(out);
    }
    ids
}

/// Entities `(start, end, type)` of IOB/IOB2 tags, conlleval style.
fn chunks(tags: &[&str]) -> Vec<(usize, usize, String)> {
    let mut out = Vec::new();
    let mut open: Option<(usize, String)> = None;
    for (i, t) in tags.iter().chain(std::iter::once(&"O")).enumerate() {
        let (prefix, ty) = t.split_once('-').unwrap_or((t, ""));
        let continues = prefix == "I" && open.as_ref().is_some_and(|(_, o)| o == ty);
        if !continues {
            if let Some((s, o)) = open.take() {
                out.push((s, i, o));
            }
            if prefix == "B" || prefix == "I" {
                open = Some((i, ty.to_string()));
            }
        }
    }
    out
}

struct Model {
    word: Tensor,
    position: Tensor,
    token_type: Tensor,
    emb_norm: candle_nn::LayerNorm,
    layers: Vec<Layer>,
    classifier: candle_nn::Linear,
}

impl Model {
    fn load(dir: &Path, int8: bool, fast: bool) -> Res<Model> {
        let cfg: serde_json::Value =
            serde_json::from_str(&std::fs::read_to_string(dir.join("config.json"))?)?;
        let h = cfg["hidden_size"].as_u64().ok_or("hidden_size")? as usize;
        let heads = cfg["num_attention_heads"].as_u64().ok_or("heads")? as usize;
        let n_layers = cfg["num_hidden_layers"].as_u64().ok_or("layers")? as usize;
        let eps = cfg["layer_norm_eps"].as_f64().unwrap_or(1e-12);
        let t = candle_core::safetensors::load(dir.join("model.safetensors"), &Device::Cpu)?;
        let get = |name: &str| -> Res<Tensor> {
            Ok(t.get(name)
                .ok_or_else(|| format!("tensor {name} missing"))?
                .to_dtype(DType::F32)?)
        };
        let norm = |p: &str| -> Res<candle_nn::LayerNorm> {
            Ok(candle_nn::LayerNorm::new(
                get(&format!("{p}.weight"))?,
                get(&format!("{p}.bias"))?,
                eps,
            ))
        };
        let linear = |ws: &[String]| -> Res<Linear> {
            let w = Tensor::cat(
                &ws.iter()
                    .map(|n| get(&format!("{n}.weight")))
                    .collect::<Res<Vec<_>>>()?,
                0,
            )?;
            let b = Tensor::cat(
                &ws.iter()
                    .map(|n| get(&format!("{n}.bias")))
                    .collect::<Res<Vec<_>>>()?,
                0,
            )?;
            Ok(if int8 {
                let (out, inp) = w.dims2()?;
                let wv: Vec<f32> = w.flatten_all()?.to_vec1()?;
                let bv: Vec<f32> = b.to_vec1()?;
                Linear::Int8(Int8Op(
                    QuantizedLinear::from_f32(&wv, out, inp, Some(&bv)).map_err(msg)?,
                ))
            } else {
                Linear::F32(candle_nn::Linear::new(w, Some(b)))
            })
        };
        let mut layers = Vec::new();
        for i in 0..n_layers {
            let p = format!("bert.encoder.layer.{i}.");
            let n = |s: &str| format!("{p}{s}");
            layers.push(Layer {
                qkv: linear(&[
                    n("attention.self.query"),
                    n("attention.self.key"),
                    n("attention.self.value"),
                ])?,
                attn_out: linear(&[n("attention.output.dense")])?,
                attn_norm: norm(&n("attention.output.LayerNorm"))?,
                ffn_in: linear(&[n("intermediate.dense")])?,
                ffn_out: linear(&[n("output.dense")])?,
                out_norm: norm(&n("output.LayerNorm"))?,
                hidden: h,
                heads,
                fast_elementwise: fast,
            });
        }
        Ok(Model {
            word: get("bert.embeddings.word_embeddings.weight")?,
            position: get("bert.embeddings.position_embeddings.weight")?,
            token_type: get("bert.embeddings.token_type_embeddings.weight")?,
            emb_norm: norm("bert.embeddings.LayerNorm")?,
            layers,
            classifier: candle_nn::Linear::new(
                get("classifier.weight")?,
                Some(get("classifier.bias")?),
            ),
        })
    }

    /// Logits `[rows · cols, labels]` of a padded batch.
    fn forward(
        &self,
        ids: &[u32],
        types: &[u32],
        mask: &[bool],
        rows: usize,
        cols: usize,
    ) -> Res<Vec<f32>> {
        let dev = &Device::Cpu;
        let n = rows * cols;
        let pos: Vec<u32> = (0..n).map(|i| (i % cols) as u32).collect();
        let emb = |table: &Tensor, v: &[u32]| -> Res<Tensor> {
            Ok(candle_nn::Embedding::new(table.clone(), table.dim(1)?)
                .forward(&Tensor::from_slice(v, n, dev)?)?)
        };
        let x = ((emb(&self.word, ids)? + emb(&self.position, &pos)?)?
            + emb(&self.token_type, types)?)?;
        let mut x = self.emb_norm.forward(&x)?;
        let bias: Vec<f32> = mask
            .iter()
            .map(|&m| if m { 0.0 } else { f32::MIN })
            .collect();
        let bias = Tensor::from_vec(bias, (rows, 1, 1, cols), dev)?;
        for layer in &self.layers {
            x = layer.forward(&x, &bias, rows, cols)?;
        }
        Ok(self.classifier.forward(&x)?.flatten_all()?.to_vec1()?)
    }
}

fn main() -> Res<()> {
    if std::env::var_os("RAYON_NUM_THREADS").is_none() {
        std::env::set_var("RAYON_NUM_THREADS", "1");
    }
    let args: Vec<String> = std::env::args().skip(1).collect();
    let (dir, conll) = match (args.first(), args.get(1)) {
        (Some(d), Some(c)) => (Path::new(d), c),
        _ => return Err("usage: ner_int8 MODEL_DIR CONLL [MAX_SENTENCES [VOCAB_TXT]]".into()),
    };
    let max: usize = args
        .get(2)
        .and_then(|a| a.parse().ok())
        .unwrap_or(usize::MAX);
    let vocab_path = args
        .get(3)
        .map_or_else(|| dir.join("vocab.txt"), |v| Path::new(v).to_path_buf());
    let vocab: HashMap<String, u32> = std::fs::read_to_string(vocab_path)?
        .lines()
        .enumerate()
        .map(|(i, l)| (l.to_string(), i as u32))
        .collect();
    let cfg: serde_json::Value =
        serde_json::from_str(&std::fs::read_to_string(dir.join("config.json"))?)?;
    let casing_types = cfg["caveat_casing_type_ids"].as_bool().unwrap_or(false);
    let labels: Vec<String> = (0..cfg["id2label"].as_object().ok_or("id2label")?.len())
        .map(|i| {
            cfg["id2label"][i.to_string()]
                .as_str()
                .unwrap_or("O")
                .to_string()
        })
        .collect();
    let (unk, cls, sep) = (vocab["[UNK]"], vocab["[CLS]"], vocab["[SEP]"]);

    // Sentences of (word, gold tag).
    let mut sentences: Vec<Vec<(String, String)>> = vec![Vec::new()];
    for line in std::fs::read_to_string(conll)?.lines() {
        let cols: Vec<&str> = line.split_whitespace().collect();
        if cols.is_empty() || cols[0] == "-DOCSTART-" {
            if !sentences.last().is_some_and(Vec::is_empty) {
                sentences.push(Vec::new());
            }
            continue;
        }
        sentences
            .last_mut()
            .unwrap()
            .push((cols[0].to_string(), cols[cols.len() - 1].to_string()));
    }
    sentences.retain(|s| !s.is_empty());
    sentences.truncate(max);

    // One window per sentence: ids, types, and the position of each word's first subword.
    struct Window {
        ids: Vec<u32>,
        types: Vec<u32>,
        first: Vec<Option<usize>>,
    }
    let windows: Vec<Window> = sentences
        .iter()
        .map(|s| {
            let mut w = Window {
                ids: vec![cls],
                types: vec![0],
                first: Vec::new(),
            };
            for (word, _) in s {
                let sub = wordpiece(word, &vocab, unk);
                if w.ids.len() + sub.len() > 127 || sub.is_empty() {
                    w.first.push(None);
                    continue;
                }
                w.first.push(Some(w.ids.len()));
                let ty = if casing_types { casing(word) } else { 0 };
                w.types.extend(std::iter::repeat_n(ty, sub.len()));
                w.ids.extend(sub);
            }
            w.ids.push(sep);
            w.types.push(0);
            w
        })
        .collect();

    let gold: Vec<Vec<&str>> = sentences
        .iter()
        .map(|s| s.iter().map(|(_, t)| t.as_str()).collect())
        .collect();
    let words: usize = gold.iter().map(Vec::len).sum();
    let mut predictions: Vec<Vec<Vec<usize>>> = Vec::new();
    println!("{} sentences, {words} words of {conll}", sentences.len());
    for (name, int8, fast) in [
        ("f32 (candle)", false, false),
        ("int8 linears", true, false),
        ("int8 linears + caveat-quant gelu/softmax", true, true),
    ] {
        let model = Model::load(dir, int8, fast)?;
        let (t0, c0) = (std::time::Instant::now(), cpu_ns());
        let mut pred: Vec<Vec<usize>> = Vec::new();
        // Batches of 32 windows of similar length (sorted), padded to the longest.
        let mut order: Vec<usize> = (0..windows.len()).collect();
        order.sort_by_key(|&i| windows[i].ids.len());
        let mut by_sentence: Vec<Vec<usize>> = vec![Vec::new(); windows.len()];
        for batch in order.chunks(32) {
            let cols = batch
                .iter()
                .map(|&i| windows[i].ids.len())
                .max()
                .unwrap_or(1);
            let (mut ids, mut types, mut mask) = (Vec::new(), Vec::new(), Vec::new());
            for &i in batch {
                let w = &windows[i];
                for j in 0..cols {
                    ids.push(w.ids.get(j).copied().unwrap_or(0));
                    types.push(w.types.get(j).copied().unwrap_or(0));
                    mask.push(j < w.ids.len());
                }
            }
            let logits = model.forward(&ids, &types, &mask, batch.len(), cols)?;
            let nl = labels.len();
            for (r, &i) in batch.iter().enumerate() {
                by_sentence[i] = windows[i]
                    .first
                    .iter()
                    .map(|f| match f {
                        Some(p) => {
                            let row = &logits[(r * cols + p) * nl..(r * cols + p + 1) * nl];
                            (0..nl)
                                .max_by(|&a, &b| row[a].total_cmp(&row[b]))
                                .unwrap_or(0)
                        }
                        None => 0,
                    })
                    .collect();
            }
        }
        pred.extend(by_sentence);
        let wall = t0.elapsed().as_secs_f64();
        let cpu = match (c0, cpu_ns()) {
            (Some(a), Some(b)) => (b - a) as f64 * 1e-9,
            _ => wall,
        };
        let (mut tp, mut np, mut ng) = (0usize, 0usize, 0usize);
        for (p, g) in pred.iter().zip(&gold) {
            let tags: Vec<&str> = p.iter().map(|&l| labels[l].as_str()).collect();
            let (pc, gc) = (chunks(&tags), chunks(g));
            np += pc.len();
            ng += gc.len();
            tp += pc.iter().filter(|c| gc.contains(c)).count();
        }
        let (prec, rec) = (tp as f64 / np.max(1) as f64, tp as f64 / ng.max(1) as f64);
        let f1 = 2.0 * prec * rec / (prec + rec).max(1e-12);
        let agree = predictions.first().map(|base: &Vec<Vec<usize>>| {
            let same: usize = base
                .iter()
                .zip(&pred)
                .map(|(a, b)| a.iter().zip(b).filter(|(x, y)| x == y).count())
                .sum();
            format!(
                ", word labels equal to f32: {:.3}%",
                100.0 * same as f64 / words as f64
            )
        });
        println!(
            "{name}: F1 {:.2} (P {:.2} R {:.2}), {:.1} s on-CPU ({:.0} words/s){}",
            100.0 * f1,
            100.0 * prec,
            100.0 * rec,
            cpu,
            words as f64 / cpu,
            agree.unwrap_or_default()
        );
        predictions.push(pred);
    }
    Ok(())
}
