//! End-to-end tests: training on a tiny synthetic corpus, save/load, the stage.

#![allow(clippy::single_range_in_vec_init)] // one sentence spanning all tokens

use std::sync::Arc;

use caveat_core::{
    BuildContext, Document, Quantize, Sentence, Span, Stage, StageConfig, StageOptions, Token,
    TokenKind,
};

use crate::conll::{parse, ConllDoc};
use crate::eval::{spans_from_tags, Counts};
use crate::train::{evaluate, train, train_with_silver, TrainOptions};
use crate::{FeatureSet, Model, NerBackend, NerConfig, NerError, NerStage};

const PER: &[&str] = &[
    "John Smith",
    "Mary Jones",
    "Ahmed Khan",
    "Laura Petit",
    "Ivan Petrov",
];
const LOC: &[&str] = &["Paris", "Berlin", "Nairobi", "Lima", "Oslo", "New Delhi"];
const ORG: &[&str] = &["Acme Corp", "Globex", "Initech Bank", "Umbrella Group"];
const TEMPLATES: &[&str] = &[
    "{PER} visited {LOC} on Monday .",
    "{ORG} said {PER} will leave the company .",
    "shares of {ORG} rose in {LOC} .",
    "the mayor of {LOC} met {PER} .",
    "{PER} , a spokesman for {ORG} , declined to comment .",
];

/// CoNLL text of `n` sentences filled from the lists, starting at `offset`.
fn corpus(n: usize, offset: usize) -> String {
    let mut out = String::from("-DOCSTART- -X- -X- O\n\n");
    for k in 0..n {
        let i = k + offset;
        let t = TEMPLATES[i % TEMPLATES.len()];
        for tok in t.split(' ') {
            let (names, label): (&[&str], &str) = match tok {
                "{PER}" => (PER, "PER"),
                "{LOC}" => (LOC, "LOC"),
                "{ORG}" => (ORG, "ORG"),
                w => {
                    out.push_str(&format!("{w} X X O\n"));
                    continue;
                }
            };
            let name = names[(i * 7 + label.len()) % names.len()];
            for (j, w) in name.split(' ').enumerate() {
                let b = if j == 0 { "B" } else { "I" };
                out.push_str(&format!("{w} X X {b}-{label}\n"));
            }
        }
        out.push('\n');
        if k % 10 == 9 {
            out.push_str("-DOCSTART- -X- -X- O\n\n");
        }
    }
    out
}

fn clusters_file(dir: &std::path::Path) -> std::path::PathBuf {
    let p = dir.join("clusters.tsv");
    let mut text = String::new();
    for (i, w) in ["paris", "berlin", "oslo", "lima", "nairobi"]
        .iter()
        .enumerate()
    {
        text.push_str(&format!("{w}\t1\t2\t3\t{i}\n"));
    }
    for w in ["john", "mary", "ahmed", "laura", "ivan", "peter"] {
        text.push_str(&format!("{w}\t4\t5\t6\t7\n"));
    }
    std::fs::write(&p, text).unwrap();
    p
}

fn small_model(dir: &std::path::Path, features: FeatureSet) -> (Model, Vec<ConllDoc>) {
    let train_docs = parse(&corpus(30, 0)).unwrap();
    let dev_docs = parse(&corpus(10, 30)).unwrap();
    let opts = TrainOptions {
        epochs: 8,
        patience: 3,
        folds: 2,
        features,
        clusters: Some(clusters_file(dir)),
        ..TrainOptions::default()
    };
    let mut reports = Vec::new();
    let model = train(&train_docs, &dev_docs, &opts, &mut |r| {
        reports.push(r.clone())
    })
    .unwrap();
    assert!(reports
        .iter()
        .any(|r| r.pass == "pass2" || r.pass == "model"));
    assert!(reports.iter().any(|r| r.best));
    (model, dev_docs)
}

fn tag_sentence(model: &Model, sent: &str) -> Vec<(String, String)> {
    let toks: Vec<&str> = sent.split(' ').collect();
    model
        .tag(&toks, &[0..toks.len()])
        .into_iter()
        .map(|t| {
            (
                toks[t.tokens.clone()].join(" "),
                model.labels()[t.label].clone(),
            )
        })
        .collect()
}

#[test]
fn learns_a_tiny_corpus_and_tags_a_held_out_sentence() {
    let dir = tempfile::tempdir().unwrap();
    let (model, dev) = small_model(dir.path(), FeatureSet::default());
    assert_eq!(model.labels(), ["LOC", "ORG", "PER"]);
    // A combination of names and template that is not in the training data.
    let got = tag_sentence(&model, "the mayor of Oslo met Ivan Petrov .");
    assert_eq!(
        got,
        vec![
            ("Oslo".to_string(), "LOC".to_string()),
            ("Ivan Petrov".to_string(), "PER".to_string())
        ]
    );
    let c = evaluate(&model, &dev);
    assert!(c.overall.f1() > 0.9, "{c}");
    for t in model.tag(
        &["Globex", "said", "Mary", "Jones", "will", "leave", "."],
        &[0..7],
    ) {
        assert!((0.0..=1.0).contains(&t.score), "{t:?}");
    }
}

#[test]
fn save_then_load_gives_identical_predictions() {
    let dir = tempfile::tempdir().unwrap();
    let (model, dev) = small_model(dir.path(), FeatureSet::default());
    let out = dir.path().join("model");
    model.save(&out).unwrap();
    for f in ["model.toml", "model.bin", "pass1.bin", "clusters.tsv"] {
        assert!(out.join(f).is_file(), "{f} missing");
    }
    let back = Model::load(&out).unwrap();
    assert_eq!(back.labels(), model.labels());
    assert_eq!(back.temperature(), model.temperature());
    for doc in &dev {
        let toks: Vec<&str> = doc
            .sentences
            .iter()
            .flatten()
            .map(|(w, _)| w.as_str())
            .collect();
        let mut sents = Vec::new();
        let mut at = 0;
        for s in &doc.sentences {
            sents.push(at..at + s.len());
            at += s.len();
        }
        assert_eq!(model.tag(&toks, &sents), back.tag(&toks, &sents));
    }
    assert_eq!(evaluate(&model, &dev), evaluate(&back, &dev));
    // A corrupt weight file is reported, not a panic.
    let bin = std::fs::read(out.join("model.bin")).unwrap();
    std::fs::write(out.join("model.bin"), &bin[..bin.len() / 2]).unwrap();
    assert!(matches!(Model::load(&out), Err(NerError::Format { .. })));
}

#[test]
fn ablated_model_without_optional_features_trains_and_loads() {
    let dir = tempfile::tempdir().unwrap();
    let none = FeatureSet {
        clusters: false,
        gazetteer: false,
        doc: false,
        stack: false,
    };
    let (model, _) = small_model(dir.path(), none);
    let out = dir.path().join("plain");
    model.save(&out).unwrap();
    assert!(!out.join("pass1.bin").exists());
    let back = Model::load(&out).unwrap();
    assert_eq!(back.features(), none);
    assert_eq!(
        tag_sentence(&back, "Laura Petit visited Lima on Monday ."),
        tag_sentence(&model, "Laura Petit visited Lima on Monday .")
    );
}

/// Whitespace tokens of `text` as core tokens.
fn whitespace_doc(text: &str) -> Document {
    let mut doc = Document::new("t", text);
    let mut start = None;
    for (i, c) in text
        .char_indices()
        .chain(std::iter::once((text.len(), ' ')))
    {
        match (c.is_whitespace(), start) {
            (true, Some(s)) => {
                doc.tokens.push(Token {
                    span: Span::new(s, i),
                    kind: TokenKind::Word,
                });
                start = None;
            }
            (false, None) => start = Some(i),
            _ => {}
        }
    }
    doc
}

#[test]
fn stage_spans_slice_the_text() {
    let dir = tempfile::tempdir().unwrap();
    let (model, _) = small_model(dir.path(), FeatureSet::default());
    let out = dir.path().join("m");
    model.save(&out).unwrap();
    let cfg = NerConfig {
        model: "m".into(),
        ..NerConfig::default()
    };
    let ctx = BuildContext::new(dir.path());
    assert!(cfg.files(&ctx)[0].1.is_file());
    let stage = cfg.build(&ctx).unwrap();
    // Two sentences with irregular spacing and a non-ASCII character before the names.
    let text =
        "Ünïcode  the mayor of Berlin met Mary Jones .\nJohn Smith visited Paris on Monday .";
    let mut doc = whitespace_doc(text);
    let n = doc.tokens.len();
    let split = doc
        .tokens
        .iter()
        .position(|t| &text[t.span.range()] == "John")
        .unwrap();
    for r in [0..split, split..n] {
        doc.sentences.push(Sentence {
            span: doc.tokens[r.start].span.cover(doc.tokens[r.end - 1].span),
            tokens: r,
            uncertain: false,
            uncertainty: 0.0,
        });
    }
    stage.process(&mut doc).unwrap();
    let got: Vec<(&str, &str)> = doc
        .entities
        .iter()
        .map(|e| (&text[e.span.range()], e.label.as_str()))
        .collect();
    assert_eq!(
        got,
        vec![
            ("Berlin", "LOC"),
            ("Mary Jones", "PER"),
            ("John Smith", "PER"),
            ("Paris", "LOC")
        ]
    );
    for e in &doc.entities {
        assert_eq!(e.span.start, doc.tokens[e.tokens.start].span.start);
        assert_eq!(e.span.end, doc.tokens[e.tokens.end - 1].span.end);
        assert!((0.0..=1.0).contains(&e.score));
    }
    // Shared between threads.
    let shared = Arc::new(stage);
    let handles: Vec<_> = (0..2)
        .map(|_| {
            let st = Arc::clone(&shared);
            let t = text.to_string();
            std::thread::spawn(move || {
                let mut d = whitespace_doc(&t);
                st.process(&mut d).unwrap();
                d.entities.len()
            })
        })
        .collect();
    for h in handles {
        assert!(h.join().unwrap() >= 3);
    }
}

#[test]
fn stage_survives_odd_input() {
    let dir = tempfile::tempdir().unwrap();
    let (model, _) = small_model(dir.path(), FeatureSet::default());
    let stage = NerStage::new(Arc::new(model));
    let big = "X".repeat(1 << 20);
    for text in ["", "\0\0 \u{0} a", "😀 Ünïcode ÉIRE", big.as_str()] {
        let mut doc = whitespace_doc(text);
        stage.process(&mut doc).unwrap();
        for e in &doc.entities {
            assert!(text.get(e.span.range()).is_some());
        }
    }
    // Tokens without sentences are tagged as one sentence; bad spans are an error.
    let mut doc = whitespace_doc("Mary Jones visited Paris .");
    stage.process(&mut doc).unwrap();
    assert!(!doc.entities.is_empty());
    doc.tokens.push(Token {
        span: Span::new(3, 400),
        kind: TokenKind::Word,
    });
    assert!(stage.process(&mut doc).is_err());
    // Sentence ranges beyond the tokens are clipped.
    let toks = ["Mary", "Jones"];
    let _ = stage.model().unwrap().tag(&toks, &[0..5, 7..9]);
}

#[test]
fn config_errors_say_what_and_where() {
    let err = NerConfig::default()
        .build(&BuildContext::new("/nonexistent/pipelines"))
        .unwrap_err();
    assert!(matches!(err, NerError::ModelDir { .. }));
    assert!(err
        .to_string()
        .contains("/nonexistent/pipelines/../models/ner-fast"));
    let bad: Result<NerConfig, _> = toml::from_str("modle = \"x\"");
    assert!(bad.unwrap_err().to_string().contains("modle"));
    let ok: NerConfig = toml::from_str("").unwrap();
    assert_eq!(ok.model, "../models/ner-fast");
    assert_eq!(NerConfig::options().len(), 10);
    let c: NerConfig = toml::from_str("calibration = \"cal.toml\"").unwrap();
    let err = c.build(&BuildContext::new("/nonexistent")).unwrap_err();
    assert!(err.to_string().contains("model.toml"), "{err}");
    let p: NerConfig = toml::from_str("combine = \"../models/ner-fast\"").unwrap();
    let err = p.build(&BuildContext::new("/nonexistent")).unwrap_err();
    assert!(err.to_string().contains("backend"), "{err}");
    let t: NerConfig = toml::from_str("backend = \"rust-bert\"\nmax_length = 64").unwrap();
    assert_eq!((t.backend, t.max_length), (NerBackend::RustBert, 64));
    let bad: Result<NerConfig, _> = toml::from_str("backend = \"torch\"");
    assert!(bad.unwrap_err().to_string().contains("candle"));
}

#[test]
fn quantize_option_parses_and_needs_the_candle_backend() {
    assert_eq!(NerConfig::default().quantize, Quantize::None);
    let q: NerConfig = toml::from_str("backend = \"candle\"\nquantize = \"int8\"").unwrap();
    assert_eq!(
        (q.backend, q.quantize),
        (NerBackend::Candle, Quantize::Int8)
    );
    let n: NerConfig = toml::from_str("quantize = \"none\"").unwrap();
    assert_eq!(n.quantize, Quantize::None);
    let bad: Result<NerConfig, _> = toml::from_str("quantize = \"int4\"");
    assert!(bad.unwrap_err().to_string().contains("int8"));
    // Refused when the stage is built, before any model is read, whatever the build.
    let ctx = BuildContext::new("/nonexistent");
    for backend in ["rust-bert", "perceptron"] {
        let c: NerConfig =
            toml::from_str(&format!("backend = \"{backend}\"\nquantize = \"int8\"")).unwrap();
        let err = c.build(&ctx).unwrap_err().to_string();
        assert!(
            err.contains("int8") && err.contains(backend) && err.contains("\"candle\""),
            "{err}"
        );
    }
}

#[test]
fn backends_this_build_lacks_are_named_with_the_feature() {
    let ctx = BuildContext::new("/nonexistent");
    for (backend, feature) in [
        (NerBackend::Candle, "transformer"),
        (NerBackend::RustBert, "rust-bert"),
    ] {
        let cfg = NerConfig {
            backend,
            ..NerConfig::default()
        };
        match cfg.unavailable() {
            Some(u) => {
                assert!(!backend.available());
                assert_eq!((u.option, u.feature), ("backend", feature));
                assert!(u.hint.contains(&format!("--features {feature}")), "{u}");
            }
            None => assert!(backend.available()),
        }
    }
    let fast = NerConfig::default();
    assert_eq!(fast.unavailable(), None);
    assert_eq!(
        fast.files(&ctx)[0].1,
        ctx.resolve("../models/ner-fast/model.toml")
    );
}

#[cfg(feature = "transformer")]
#[test]
fn transformer_model_errors_name_the_file_and_the_fix() {
    let dir = tempfile::tempdir().unwrap();
    let ctx = BuildContext::new(dir.path());
    std::fs::create_dir(dir.path().join("m")).unwrap();
    let cfg = NerConfig {
        model: "m".into(),
        backend: NerBackend::Candle,
        ..NerConfig::default()
    };
    assert_eq!(cfg.files(&ctx)[0].1, dir.path().join("m/config.json"));
    let err = cfg.build(&ctx).unwrap_err().to_string();
    assert!(
        err.contains("config.json") && err.contains("not found"),
        "{err}"
    );
    // A delta-shipped model without its assembled weights points at scripts/fetch-models.
    for f in ["config.json", "tokenizer.json", "delta.safetensors"] {
        std::fs::write(dir.path().join("m").join(f), "{}").unwrap();
    }
    let err = cfg.build(&ctx).unwrap_err().to_string();
    assert!(
        err.contains("model.safetensors") && err.contains("scripts/fetch-models"),
        "{err}"
    );
    if !cfg!(feature = "rust-bert") {
        std::fs::write(dir.path().join("m/model.safetensors"), "").unwrap();
        let rb = NerConfig {
            backend: NerBackend::RustBert,
            ..cfg.clone()
        };
        let err = rb.build(&ctx).unwrap_err().to_string();
        assert!(err.contains("--features rust-bert"), "{err}");
    }
}

#[test]
fn scoring_a_tagged_corpus() {
    let docs = parse(&corpus(5, 0)).unwrap();
    let mut c = Counts::default();
    for s in docs.iter().flat_map(|d| &d.sentences) {
        let tags: Vec<&str> = s.iter().map(|(_, t)| t.as_str()).collect();
        let spans = spans_from_tags(&tags);
        c.add(&spans, &spans);
    }
    assert_eq!(c.overall.fp + c.overall.fn_, 0);
    assert_eq!(c.overall.f1(), 1.0);
}

#[test]
fn training_is_reproducible() {
    let dir = tempfile::tempdir().unwrap();
    let (a, _) = small_model(dir.path(), FeatureSet::default());
    let (b, _) = small_model(dir.path(), FeatureSet::default());
    a.save(dir.path().join("a")).unwrap();
    b.save(dir.path().join("b")).unwrap();
    for f in ["model.bin", "pass1.bin", "model.toml"] {
        let x = std::fs::read(dir.path().join("a").join(f)).unwrap();
        let y = std::fs::read(dir.path().join("b").join(f)).unwrap();
        assert!(x == y, "{f} differs between two runs with the same seed");
    }
}

mod props {
    use super::*;
    use proptest::prelude::*;

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(64))]
        /// Arbitrary text (any Unicode, NULs, long runs) never panics and every entity
        /// slices the text at its first and last token.
        #[test]
        fn any_text_gives_valid_entity_spans(text in "\\PC{0,300}") {
            let model = shared_model();
            let stage = NerStage::new(model);
            let mut doc = whitespace_doc(&text);
            stage.process(&mut doc).unwrap();
            for e in &doc.entities {
                prop_assert!(text.get(e.span.range()).is_some());
                prop_assert!(e.tokens.start < e.tokens.end && e.tokens.end <= doc.tokens.len());
                prop_assert!((0.0..=1.0).contains(&e.score));
            }
        }
    }

    fn shared_model() -> Arc<Model> {
        static MODEL: std::sync::OnceLock<Arc<Model>> = std::sync::OnceLock::new();
        MODEL
            .get_or_init(|| {
                let dir = tempfile::tempdir().unwrap();
                Arc::new(small_model(dir.path(), FeatureSet::default()).0)
            })
            .clone()
    }
}

#[test]
fn silver_documents_join_training_with_their_weight() {
    let dir = tempfile::tempdir().unwrap();
    let gold = parse(&corpus(10, 0)).unwrap();
    let silver = parse(&corpus(40, 10)).unwrap();
    let dev = parse(&corpus(10, 50)).unwrap();
    let opts = TrainOptions {
        epochs: 4,
        patience: 2,
        folds: 2,
        clusters: Some(clusters_file(dir.path())),
        silver_weight: 0.5,
        silver_on: "teacher.jsonl".into(),
        ..TrainOptions::default()
    };
    let mut sentences = Vec::new();
    let model = train_with_silver(&gold, &silver, &dev, &opts, &mut |r| {
        if r.pass == "pass1" {
            sentences.push(r.sentences)
        }
    })
    .unwrap();
    assert!(sentences.iter().all(|&n| n == 50), "{sentences:?}");
    let training = &model.info().training;
    assert_eq!(
        training.get("silver_weight").map(String::as_str),
        Some("0.5")
    );
    assert_eq!(
        training.get("silver").map(String::as_str),
        Some("teacher.jsonl")
    );
    assert!(evaluate(&model, &dev).overall.f1() > 0.9);

    let bad = TrainOptions {
        silver_weight: 0.0,
        ..opts.clone()
    };
    let err = train_with_silver(&gold, &silver, &dev, &bad, &mut |_| {}).unwrap_err();
    assert!(err.to_string().contains("silver weight"), "{err}");
}

#[test]
fn trained_models_carry_a_score_calibration_that_survives_save_and_load() {
    let dir = tempfile::tempdir().unwrap();
    let (model, _) = small_model(dir.path(), FeatureSet::default());
    let c = model.calibration().expect("fitted on dev").clone();
    c.check().unwrap();
    assert!(model.info().dev.contains_key("ece_crossfit"));
    let out = dir.path().join("m");
    model.save(&out).unwrap();
    let back = Model::load(&out).unwrap();
    assert_eq!(back.calibration(), Some(&c));
    for t in back.tag(&["Ivan", "Petrov", "visited", "Oslo"], &[0..4]) {
        assert!((0.0..=1.0).contains(&t.score), "{t:?}");
    }
}
