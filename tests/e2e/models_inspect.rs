//! `caveat models inspect`: the real CLI on the shipped model and on a tiny test model.

use serde_json::Value;

use crate::harness::*;

fn inspect(dir: &std::path::Path, json: bool) -> (Option<i32>, String) {
    let mut args = vec!["models", "inspect", dir.to_str().unwrap()];
    if json {
        args.push("--json");
    }
    let out = caveat(&root(), &args);
    (
        out.status.code(),
        String::from_utf8_lossy(&out.stdout).into_owned(),
    )
}

#[test]
fn the_shipped_ner_model() {
    let dir = root().join("models/ner-minilm");
    if !dir.join("model.safetensors").is_file() {
        eprintln!(
            "skipped: {} is not assembled (run scripts/fetch-models)",
            dir.join("model.safetensors").display()
        );
        return;
    }
    let (code, text) = inspect(&dir, false);
    assert_eq!(code, Some(0), "{text}");
    for needed in [
        "bert",
        "BertForTokenClassification",
        "IOB2",
        "PER",
        "WordPiece",
    ] {
        assert!(text.contains(needed), "no {needed:?} in:\n{text}");
    }
    let (code, json) = inspect(&dir, true);
    assert_eq!(code, Some(0));
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["model_type"], "bert");
    assert_eq!(r["runnable"], true);
    assert_eq!(r["casing_type_ids"], true);
    assert_eq!(r["labels"][0], "O");
    assert!(r["parameters"].as_u64().unwrap() > 1_000_000);
    assert_eq!(r["backends"][0]["backend"], "candle");
    assert_eq!(r["backends"][0]["quantizations"][0], "fp32");
}

#[test]
fn a_tiny_xlm_roberta_and_a_broken_copy() {
    let dir = root().join("crates/transformer/tests/data/tiny-xlm-roberta");
    let (code, json) = inspect(&dir, true);
    assert_eq!(code, Some(0), "{json}");
    let r: Value = serde_json::from_str(&json).unwrap();
    assert_eq!(r["model_type"], "xlm-roberta");
    assert_eq!(r["architectures"][0], "XLMRobertaForTokenClassification");
    assert_eq!(r["tokenizer"]["kind"], "SentencePiece Unigram");
    assert_eq!(r["label_scheme"], "IOB2");
    assert!(r["problems"].as_array().unwrap().is_empty());

    // Without its weights, the report says so, how to fix it, and the exit code is 2.
    let tmp = tempfile::tempdir().unwrap();
    for f in ["config.json", "tokenizer.json"] {
        std::fs::copy(dir.join(f), tmp.path().join(f)).unwrap();
    }
    let (code, text) = inspect(tmp.path(), false);
    assert_eq!(code, Some(2), "{text}");
    assert!(text.contains("cannot run"), "{text}");
    assert!(text.contains("model.safetensors is missing"), "{text}");
    assert!(text.contains("safe_serialization"), "{text}");
}
