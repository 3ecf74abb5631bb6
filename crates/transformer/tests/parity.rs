//! Parity with Python `transformers` on the tiny random-weight models of `tests/data/tiny-*`
//! (made by `scripts/gen-tiny-models`, which also computed `reference.json` with
//! `transformers`): the same subwords for the same pre-split words, and the same logits
//! (max abs difference ≤ 1e-4 in fp32) from each backend, in padded batches.

use std::path::PathBuf;

use caveat_transformer::backend::{Batch, Candle, Encoder};
use caveat_transformer::window::{windows, Specials, WindowOptions};
use caveat_transformer::{BackendKind, DocWords, ModelDir, Tagger, TaggerOptions};
use serde::Deserialize;

const TOLERANCE: f32 = 1e-4;

#[derive(Deserialize)]
struct Reference {
    model_type: String,
    labels: Vec<String>,
    sentences: Vec<Sentence>,
}

#[derive(Deserialize)]
struct Sentence {
    words: Vec<String>,
    input_ids: Vec<u32>,
    word_ids: Vec<Option<usize>>,
    logits: Vec<Vec<f32>>,
}

fn dir(model_type: &str) -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
        .join("tests/data")
        .join(format!("tiny-{model_type}"))
}

fn reference(model_type: &str) -> Reference {
    let path = dir(model_type).join("reference.json");
    let text = std::fs::read_to_string(&path).unwrap_or_else(|e| panic!("{path:?}: {e}"));
    let r: Reference = serde_json::from_str(&text).unwrap();
    assert_eq!(r.model_type, model_type);
    // The reference is worth comparing against: logits differ between tokens.
    let all: Vec<f32> = r
        .sentences
        .iter()
        .flat_map(|s| s.logits.iter().map(|l| l[0]))
        .collect();
    let spread = all.iter().fold(f32::NEG_INFINITY, |a, &b| a.max(b))
        - all.iter().fold(f32::INFINITY, |a, &b| a.min(b));
    assert!(spread > 0.5, "{model_type}: logits barely vary ({spread})");
    r
}

/// Position of each word's first subword in the reference encoding.
fn first_subwords(s: &Sentence) -> Vec<(usize, usize)> {
    let mut out = Vec::new();
    for (pos, w) in s.word_ids.iter().enumerate() {
        if let Some(w) = *w {
            if !out.iter().any(|&(seen, _)| seen == w) {
                out.push((w, pos));
            }
        }
    }
    out
}

/// caveat's windows of each sentence alone are `transformers`' encoding of its words.
fn tokenization(model_type: &str) {
    let r = reference(model_type);
    let d = ModelDir::open(&dir(model_type)).unwrap();
    assert_eq!(d.arch.model_type(), model_type);
    assert_eq!(d.labels.len(), r.labels.len());
    let specials = Specials::of(&d.tokenizer, Some(d.encoder.pad_token_id)).unwrap();
    let opts = WindowOptions {
        max_length: 64,
        stride: 8,
        pack: false,
        casing: false,
    };
    for s in &r.sentences {
        let words: Vec<&str> = s.words.iter().map(String::as_str).collect();
        let all = 0..words.len();
        let ws = windows(
            &d.tokenizer,
            specials,
            &words,
            std::slice::from_ref(&all),
            opts,
        )
        .unwrap();
        assert_eq!(ws.len(), 1, "{words:?}");
        assert_eq!(
            ws[0].ids, s.input_ids,
            "{model_type}: subwords of {words:?}"
        );
        assert_eq!(ws[0].predicts, first_subwords(s), "{words:?}");
        assert!(ws[0].type_ids.iter().all(|&t| t == 0));
    }
}

/// The reference inputs as one padded batch.
fn batch(r: &Reference, pad: u32) -> Batch {
    let rows = r.sentences.len();
    let cols = r.sentences.iter().map(|s| s.input_ids.len()).max().unwrap();
    let mut b = Batch {
        ids: vec![pad; rows * cols],
        type_ids: vec![0; rows * cols],
        mask: vec![0; rows * cols],
        rows,
        cols,
    };
    for (i, s) in r.sentences.iter().enumerate() {
        let n = s.input_ids.len();
        b.ids[i * cols..i * cols + n].copy_from_slice(&s.input_ids);
        b.mask[i * cols..i * cols + n].fill(1);
    }
    b
}

/// The largest difference between the backend's logits of the reference inputs, padded, and
/// `transformers`' logits.
fn max_difference(model_type: &str, encoder: &dyn Encoder, d: &ModelDir) -> f32 {
    let r = reference(model_type);
    let pad = Specials::of(&d.tokenizer, Some(d.encoder.pad_token_id))
        .unwrap()
        .pad;
    let b = batch(&r, pad);
    let out = encoder.logits(&b).unwrap();
    let n_labels = r.labels.len();
    assert_eq!(out.len(), b.rows * b.cols * n_labels);
    let mut worst = 0f32;
    for (i, s) in r.sentences.iter().enumerate() {
        for (pos, expected) in s.logits.iter().enumerate() {
            let at = (i * b.cols + pos) * n_labels;
            for (got, want) in out[at..at + n_labels].iter().zip(expected) {
                worst = worst.max((got - want).abs());
            }
        }
    }
    worst
}

/// The backend's logits of the reference inputs, padded, match `transformers`' logits.
fn logits(model_type: &str, encoder: &dyn Encoder, d: &ModelDir) -> f32 {
    let worst = max_difference(model_type, encoder, d);
    assert!(
        worst <= TOLERANCE,
        "{model_type}: logits differ from transformers by up to {worst}"
    );
    worst
}

/// The tagger's word probabilities (windows of one sentence each, batches of two, so short
/// sentences are padded) are the softmax of `transformers`' logits at each word's first
/// subword.
fn tagger(model_type: &str, backend: BackendKind) {
    let r = reference(model_type);
    let opts = TaggerOptions {
        max_length: 64,
        stride: 8,
        batch_size: 2,
        pack: false,
    };
    let t = Tagger::load(&dir(model_type), backend, opts).unwrap();
    let words: Vec<&str> = r
        .sentences
        .iter()
        .flat_map(|s| s.words.iter().map(String::as_str))
        .collect();
    let mut sentences = Vec::new();
    for s in &r.sentences {
        let start = sentences
            .last()
            .map_or(0, |r: &std::ops::Range<usize>| r.end);
        sentences.push(start..start + s.words.len());
    }
    let probs = t
        .probs(&[DocWords {
            words: &words,
            sentences: &sentences,
        }])
        .pop()
        .unwrap()
        .unwrap();
    let n = r.labels.len();
    for (s, range) in r.sentences.iter().zip(&sentences) {
        for (w, pos) in first_subwords(s) {
            let l = &s.logits[pos];
            let max = l.iter().copied().fold(f32::NEG_INFINITY, f32::max);
            let sum: f32 = l.iter().map(|x| (x - max).exp()).sum();
            let got = &probs[(range.start + w) * n..(range.start + w + 1) * n];
            for (g, x) in got.iter().zip(l) {
                let want = (x - max).exp() / sum;
                assert!(
                    (g - want).abs() <= TOLERANCE,
                    "{model_type}: word {:?}: probability {g} vs {want}",
                    s.words[w]
                );
            }
        }
    }
}

fn candle(model_type: &str) {
    tokenization(model_type);
    let d = ModelDir::open(&dir(model_type)).unwrap();
    let worst = logits(model_type, &Candle::load(&d).unwrap(), &d);
    eprintln!("{model_type}, candle: max abs logit difference {worst:e}");
    tagger(model_type, BackendKind::Candle);
}

#[test]
fn candle_bert() {
    candle("bert");
}

#[test]
fn candle_distilbert() {
    candle("distilbert");
}

#[test]
fn candle_roberta() {
    candle("roberta");
}

#[test]
fn candle_xlm_roberta() {
    candle("xlm-roberta");
}

#[test]
fn candle_deberta_v2() {
    candle("deberta-v2");
}

#[cfg(feature = "rust-bert")]
mod rust_bert {
    use super::*;
    use caveat_transformer::backend::RustBert;

    fn rust_bert(model_type: &str) {
        let d = ModelDir::open(&dir(model_type)).unwrap();
        let worst = logits(model_type, &RustBert::load(&d).unwrap(), &d);
        eprintln!("{model_type}, rust-bert: max abs logit difference {worst:e}");
        tagger(model_type, BackendKind::RustBert);
    }

    #[test]
    fn rust_bert_bert() {
        rust_bert("bert");
    }

    #[test]
    fn rust_bert_distilbert() {
        rust_bert("distilbert");
    }

    #[test]
    fn rust_bert_roberta() {
        rust_bert("roberta");
    }

    #[test]
    fn rust_bert_xlm_roberta() {
        rust_bert("xlm-roberta");
    }

    /// rust-bert 0.23's DeBERTa-v2 does not compute what `transformers` computes (see
    /// `RustBert`'s documentation), so the backend refuses deberta-v2 models and says to use
    /// candle; the difference it would make is measured here. Should a rust-bert upgrade fix
    /// it, this test fails: then let `RustBert::load` take deberta-v2 and test it as above.
    #[test]
    fn rust_bert_deberta_v2_is_refused() {
        let d = ModelDir::open(&dir("deberta-v2")).unwrap();
        let e = RustBert::load(&d).err().unwrap().to_string();
        assert!(e.contains("DeBERTa-v2") && e.contains("candle"), "{e}");
        let opts = TaggerOptions {
            max_length: 64,
            ..TaggerOptions::default()
        };
        match Tagger::load(&dir("deberta-v2"), BackendKind::RustBert, opts) {
            Ok(_) => panic!("the rust-bert tagger took a deberta-v2 model"),
            Err(e) => assert!(e.to_string().contains("candle"), "{e}"),
        }
        let worst = max_difference("deberta-v2", &RustBert::load_unverified(&d).unwrap(), &d);
        eprintln!("deberta-v2, rust-bert 0.23 (refused): max abs logit difference {worst:e}");
        assert!(
            worst > TOLERANCE,
            "rust-bert's DeBERTa-v2 now matches: {worst}"
        );
    }
}

/// A model of another architecture is refused with the list of those that run and what to do.
#[test]
fn unsupported_model_type_says_what_runs() {
    let tmp = tempfile::tempdir().unwrap();
    let src = dir("bert");
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    let config = std::fs::read_to_string(src.join("config.json"))
        .unwrap()
        .replace("\"model_type\": \"bert\"", "\"model_type\": \"gpt2\"");
    assert!(config.contains("gpt2"));
    std::fs::write(tmp.path().join("config.json"), config).unwrap();
    let e = ModelDir::open(tmp.path()).unwrap_err().to_string();
    for needed in [
        "gpt2",
        "not supported",
        "\"bert\"",
        "\"xlm-roberta\"",
        "fine-tune",
    ] {
        assert!(e.contains(needed), "{e}");
    }
}

/// Copy a tiny model's files into a temporary directory, `edit` changing tokenizer.json.
fn edited_copy(model_type: &str, edit: impl Fn(String) -> String) -> tempfile::TempDir {
    let tmp = tempfile::tempdir().unwrap();
    let src = dir(model_type);
    for f in ["config.json", "tokenizer.json", "model.safetensors"] {
        std::fs::copy(src.join(f), tmp.path().join(f)).unwrap();
    }
    let tok = std::fs::read_to_string(src.join("tokenizer.json")).unwrap();
    std::fs::write(tmp.path().join("tokenizer.json"), edit(tok)).unwrap();
    tmp
}

/// A RoBERTa tokenizer.json saved without `add_prefix_space` (as hub checkpoints often are)
/// still encodes each pre-split word with its leading space, as transformers' fine-tuning does.
#[test]
fn byte_level_words_get_their_prefix_space() {
    let tmp = edited_copy("roberta", |t| {
        let t = t.replace("\"add_prefix_space\": true", "\"add_prefix_space\": false");
        assert!(t.contains("\"add_prefix_space\": false"));
        t
    });
    let r = reference("roberta");
    let d = ModelDir::open(tmp.path()).unwrap();
    let specials = Specials::of(&d.tokenizer, None).unwrap();
    let words: Vec<&str> = r.sentences[0].words.iter().map(String::as_str).collect();
    let all = 0..words.len();
    let opts = WindowOptions {
        max_length: 64,
        stride: 8,
        pack: false,
        casing: false,
    };
    let ws = windows(
        &d.tokenizer,
        specials,
        &words,
        std::slice::from_ref(&all),
        opts,
    )
    .unwrap();
    assert_eq!(ws[0].ids, r.sentences[0].input_ids);
}

/// A tokenizer.json that is not a tokenizer is an error naming the file, not a panic.
#[test]
fn a_broken_tokenizer_is_an_error() {
    for text in ["[1, 2]", "\"text\"", "{\"pre_tokenizer\": 3}", "{"] {
        let tmp = edited_copy("bert", |_| text.to_string());
        let e = ModelDir::open(tmp.path()).unwrap_err().to_string();
        assert!(e.contains("tokenizer.json"), "{e}");
    }
}
