//! The transformer NER backends on the real model (`models/ner-minilm`, assembled by
//! `scripts/fetch-models`, which `scripts/test` runs first).

use std::collections::BTreeSet;
use std::path::Path;

use serde_json::Value;

use crate::harness::*;

/// Run `pipeline` over `input` in a temp dir; the records, checked for exit 0.
fn run(pipeline_file: &Path, input: &Path, extra: &[&str]) -> Vec<Value> {
    let dir = tempfile::tempdir().unwrap();
    let mut args = vec![
        "run",
        "--pipeline",
        pipeline_file.to_str().unwrap(),
        input.to_str().unwrap(),
        "--output",
        "out.jsonl",
    ];
    args.extend_from_slice(extra);
    let out = caveat(dir.path(), &args);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap())
}

fn model_is_assembled() {
    let weights = root().join("models/ner-minilm/model.safetensors");
    assert!(
        weights.is_file(),
        "{} is missing: run scripts/fetch-models (scripts/test does) before the tests",
        weights.display()
    );
}

/// `(record, start, end, label)` of every span of the output layer `layer` (`entities`,
/// `hedges`), its label read from the field `label` (`label`, `category`).
fn labelled_spans(recs: &[Value], layer: &str, label: &str) -> BTreeSet<(usize, u64, u64, String)> {
    recs.iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r[layer].as_array().unwrap().iter().map(move |e| {
                (
                    i,
                    e["start"].as_u64().unwrap(),
                    e["end"].as_u64().unwrap(),
                    e[label].as_str().unwrap().to_string(),
                )
            })
        })
        .collect()
}

/// `(record, start, end, label)` of every entity.
fn entities(recs: &[Value]) -> BTreeSet<(usize, u64, u64, String)> {
    labelled_spans(recs, "entities", "label")
}

fn f1(a: &BTreeSet<(usize, u64, u64, String)>, b: &BTreeSet<(usize, u64, u64, String)>) -> f64 {
    let both = a.intersection(b).count() as f64;
    2.0 * both / (a.len() + b.len()).max(1) as f64
}

/// A corpus the tests write: news-like sentences, and one article that is a single
/// 700-word sentence (no full stops), so the model must cut it into overlapping windows.
fn long_corpus(dir: &Path) -> std::path::PathBuf {
    let people = ["John Smith", "Angela Merkel", "Kim Jong Un", "Maria Garcia"];
    let places = ["Paris", "Seoul", "Nairobi", "Brazil"];
    let orgs = ["Reuters", "the United Nations", "Microsoft", "the NIS"];
    let mut lines = Vec::new();
    let mut long = String::new();
    for i in 0..100 {
        let (p, l, o) = (people[i % 4], places[(i / 4) % 4], orgs[(i / 16) % 4]);
        long.push_str(&format!(
            "{p} met officials in {l} and {o} reported it and "
        ));
    }
    lines.push(serde_json::json!({"id": "long", "text": long}).to_string());
    for i in 0..40 {
        let (p, l, o) = (people[i % 4], places[(i + 1) % 4], orgs[(i + 2) % 4]);
        let text = format!(
            "{p} arrived in {l} on Monday, according to {o}. Officials said the visit may \
             have been planned weeks ago. {o} could not confirm the report."
        );
        lines.push(serde_json::json!({"id": format!("n{i}"), "text": text}).to_string());
    }
    let path = dir.join("corpus.jsonl");
    std::fs::write(&path, lines.join("\n") + "\n").unwrap();
    path
}

#[test]
fn the_transformer_pipeline_tags_the_sample_with_exact_offsets() {
    model_is_assembled();
    let recs = run(&pipeline("news-transformer.toml"), &sample(), &[]);
    assert_eq!(recs.len(), jsonl(&std::fs::read(sample()).unwrap()).len());
    let mut n = 0;
    for rec in &recs {
        check_offsets(rec);
        for e in rec["entities"].as_array().unwrap() {
            n += 1;
            let label = e["label"].as_str().unwrap();
            assert!(["PER", "ORG", "LOC", "MISC"].contains(&label), "{e}");
            let score = e["score"].as_f64().unwrap();
            assert!(score > 0.0 && score <= 1.0, "{e}");
        }
    }
    assert!(n > 30, "only {n} entities");
    // Two independent taggers (perceptron on features, transformer on subwords) mostly
    // agree on the sample; a broken window, label or offset mapping would not.
    let fast = run(&pipeline("news.toml"), &sample(), &[]);
    let agreement = f1(&entities(&recs), &entities(&fast));
    assert!(
        agreement > 0.75,
        "transformer vs perceptron F1 {agreement:.3}"
    );
}

#[test]
fn long_sentences_are_windowed_and_threads_do_not_change_the_output() {
    model_is_assembled();
    let dir = tempfile::tempdir().unwrap();
    let corpus = long_corpus(dir.path());
    let one = run(
        &pipeline("news-transformer.toml"),
        &corpus,
        &["--threads", "1", "--batch-size", "5"],
    );
    let two = run(
        &pipeline("news-transformer.toml"),
        &corpus,
        &["--threads", "2", "--batch-size", "3"],
    );
    assert_eq!(one, two, "output depends on threads or batching");
    let long = &one[0];
    check_offsets(long);
    let text = long["text"].as_str().unwrap();
    // The tokenizer caps sentence length, but its pieces are still far longer than a window.
    let chars: Vec<char> = text.chars().collect();
    let longest = long["sentences"]
        .as_array()
        .unwrap()
        .iter()
        .map(|s| {
            let (a, b) = (s["start"].as_u64().unwrap(), s["end"].as_u64().unwrap());
            chars[a as usize..b as usize]
                .iter()
                .collect::<String>()
                .split_whitespace()
                .count()
        })
        .max()
        .unwrap();
    assert!(longest > 150, "longest sentence has {longest} words");
    // Entities are found from the start to the end of the 700-word sentence.
    let found: Vec<&Value> = long["entities"].as_array().unwrap().iter().collect();
    let chars = chars.len() as u64;
    let last = found
        .iter()
        .map(|e| e["end"].as_u64().unwrap())
        .max()
        .unwrap();
    let first = found
        .iter()
        .map(|e| e["start"].as_u64().unwrap())
        .min()
        .unwrap();
    assert!(
        first < 20 && last > chars - 120,
        "entities only in {first}..{last} of {chars}"
    );
    let people = found
        .iter()
        .filter(|e| e["label"] == "PER" && e["text"] == "Angela Merkel")
        .count();
    assert!(
        people >= 20,
        "Angela Merkel tagged PER {people} times of 25"
    );
}

#[test]
fn a_model_without_its_weights_says_how_to_assemble_them() {
    let dir = tempfile::tempdir().unwrap();
    let model = dir.path().join("ner-minilm");
    std::fs::create_dir(&model).unwrap();
    for f in ["config.json", "tokenizer.json", "delta.safetensors"] {
        std::fs::copy(root().join("models/ner-minilm").join(f), model.join(f)).unwrap();
    }
    let toml = "[[stages]]\ntype = \"tokenize\"\n\n[[stages]]\ntype = \"ner\"\n\
                model = \"ner-minilm\"\nbackend = \"candle\"\n";
    std::fs::write(dir.path().join("p.toml"), toml).unwrap();
    let out = caveat(dir.path(), &["validate", "p.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("model.safetensors") && err.contains("scripts/fetch-models"),
        "{err}"
    );
}

/// Attributions as (record, cue, source, content) offsets.
#[cfg(feature = "rust-bert")]
fn attributions(recs: &[Value]) -> BTreeSet<(usize, u64, u64, String)> {
    let span = |v: &Value| match v {
        Value::Object(o) => format!("{}-{}", o["start"], o["end"]),
        _ => "-".into(),
    };
    recs.iter()
        .enumerate()
        .flat_map(|(i, r)| {
            r["attributions"]
                .as_array()
                .into_iter()
                .flatten()
                .map(move |a| {
                    (
                        i,
                        a["cue"]["start"].as_u64().unwrap(),
                        a["cue"]["end"].as_u64().unwrap(),
                        format!("{} {}", span(&a["source"]), span(&a["content"])),
                    )
                })
        })
        .collect()
}

/// Both backends run the same models over the same windows; they must agree on ≥ 98% of
/// entities, hedges and whole attributions (in practice all, as both compute in f32).
#[cfg(feature = "rust-bert")]
#[test]
fn rust_bert_and_candle_find_the_same_entities() {
    model_is_assembled();
    let dir = tempfile::tempdir().unwrap();
    let corpus = long_corpus(dir.path());
    for input in [sample(), corpus] {
        let candle_recs = run(&pipeline("news-transformer.toml"), &input, &[]);
        let candle = entities(&candle_recs);
        let rb_recs = run(
            &pipeline("news-rust-bert.toml"),
            &input,
            &["--threads", "2"],
        );
        rb_recs.iter().for_each(|r| {
            check_offsets(r);
        });
        let rb = entities(&rb_recs);
        let agreement = f1(&candle, &rb);
        eprintln!(
            "{}: candle {} entities, rust-bert {}, agreement {agreement:.4}",
            input.display(),
            candle.len(),
            rb.len()
        );
        assert!(candle.len() > 30);
        assert!(agreement >= 0.98, "agreement {agreement:.4}");
        let (ca, ra) = (attributions(&candle_recs), attributions(&rb_recs));
        let agreement = f1(&ca, &ra);
        eprintln!(
            "{}: candle {} attributions, rust-bert {}, agreement {agreement:.4}",
            input.display(),
            ca.len(),
            ra.len()
        );
        assert!(!ca.is_empty());
        assert!(agreement >= 0.98, "attribution agreement {agreement:.4}");
        let (ch, rh) = (
            labelled_spans(&candle_recs, "hedges", "category"),
            labelled_spans(&rb_recs, "hedges", "category"),
        );
        let agreement = f1(&ch, &rh);
        eprintln!(
            "{}: candle {} hedges, rust-bert {}, agreement {agreement:.4}",
            input.display(),
            ch.len(),
            rh.len()
        );
        assert!(!ch.is_empty());
        assert!(agreement >= 0.98, "hedge agreement {agreement:.4}");
    }
}
