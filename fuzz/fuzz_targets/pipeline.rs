//! Arbitrary UTF-8 text through the whole default pipeline (`pipelines/news.toml`): no
//! failure, every span valid, and the JSON output's code-point offsets slice to each span's
//! text.
#![no_main]

use std::sync::OnceLock;

use caveat_core::{Document, Span};
use caveat_pipeline::{Pipeline, PipelineConfig};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn pipeline() -> &'static Pipeline {
    static P: OnceLock<Pipeline> = OnceLock::new();
    P.get_or_init(|| {
        let file = std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("../pipelines/news.toml");
        PipelineConfig::from_file(&file)
            .unwrap_or_else(|e| panic!("{e}"))
            .build()
            .unwrap_or_else(|e| panic!("{e}"))
    })
}

fn check_span(text: &str, s: Span, what: &str) {
    assert!(
        s.start <= s.end && s.end <= text.len(),
        "{what} {s:?} out of range"
    );
    assert!(
        text.is_char_boundary(s.start) && text.is_char_boundary(s.end),
        "{what} {s:?} not on char boundaries"
    );
}

fn check_json_span(chars: &[usize], text: &str, v: &Value) {
    let (s, e) = (
        v["start"].as_u64().unwrap() as usize,
        v["end"].as_u64().unwrap() as usize,
    );
    assert!(s <= e && e < chars.len(), "{v}");
    if let Some(t) = v.get("text") {
        assert_eq!(&text[chars[s]..chars[e]], t.as_str().unwrap(), "{v}");
    }
}

fuzz_target!(|data: &[u8]| {
    let Ok(text) = std::str::from_utf8(data) else {
        return;
    };
    let p = pipeline();
    let mut docs = vec![Document::new("fuzz", text)];
    let failures = p.annotate(&mut docs);
    assert_eq!(failures[0], None, "annotate failed on {text:?}");
    let d = &docs[0];
    assert_eq!(d.text, text, "the text changed");
    let mut prev = 0;
    for t in &d.tokens {
        check_span(text, t.span, "token");
        assert!(
            t.span.start >= prev && t.span.start < t.span.end,
            "token order"
        );
        prev = t.span.end;
    }
    for s in &d.sentences {
        check_span(text, s.span, "sentence");
        assert!(s.tokens.start <= s.tokens.end && s.tokens.end <= d.tokens.len());
    }
    for e in &d.entities {
        check_span(text, e.span, "entity");
        assert!(e.tokens.start < e.tokens.end && e.tokens.end <= d.tokens.len());
    }
    for h in &d.hedges {
        check_span(text, h.span, "hedge");
        assert!(h.sentence < d.sentences.len(), "hedge sentence");
        assert!(h.attribution.iter().all(|&a| a < d.attributions.len()));
    }
    for a in &d.attributions {
        for s in [a.source, a.cue, a.content].into_iter().flatten() {
            check_span(text, s, "attribution part");
        }
        assert!(a.source_entity.iter().all(|&e| e < d.entities.len()));
        assert!(a.cites.iter().all(|&c| c < d.attributions.len()));
        assert!(a.sentence < d.sentences.len(), "attribution sentence");
        assert!(a.source_cluster.iter().all(|&c| c < d.clusters.len()));
    }
    // The coref stage: every entity in exactly the cluster that lists it.
    for (i, e) in d.entities.iter().enumerate() {
        let c = e.cluster.expect("coref gives every entity a cluster");
        assert!(d.clusters[c].mentions.contains(&i), "cluster lists its mention");
    }
    let listed: usize = d.clusters.iter().map(|c| c.mentions.len()).sum();
    assert_eq!(listed, d.entities.len(), "each entity in one cluster");
    let mut buf = Vec::new();
    caveat_pipeline::output::write_record(&mut buf, d, p.output());
    let v: Value = serde_json::from_slice(&buf).unwrap();
    assert_eq!(v["text"].as_str(), Some(text));
    let chars: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    for layer in ["sentences", "entities", "hedges", "tokens"] {
        for s in v.get(layer).and_then(Value::as_array).into_iter().flatten() {
            check_json_span(&chars, text, s);
        }
    }
    for a in v["attributions"].as_array().unwrap() {
        for part in ["source", "cue", "content"] {
            if !a[part].is_null() {
                check_json_span(&chars, text, &a[part]);
            }
        }
    }
});
