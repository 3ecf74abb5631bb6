//! Throughput of the attribution stage on a fixed news-like text (tokens and sentences given).
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::path::PathBuf;

use caveat_attribution::AttributionConfig;
use caveat_core::{BuildContext, Document, Stage};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const TEXT: &str = "\
WASHINGTON — The senator said on Tuesday that the bill would pass before the end of the month. \
“We have the votes,” she told reporters outside the Capitol. \
According to The Guardian, the minister resigned after the report was published. \
Reuters, citing the National Intelligence Service of South Korea, reported that the launch had failed. \
Some experts say the economy will slow next year, while officials insist that growth remains strong. \
The bridge was closed for repairs, and traffic moved slowly through the city center all afternoon. \
“This is not over,” said John Smith, a spokesman for the group. \
The company announced record profits, but analysts warned that the results may not last. \
He added that the decision was final and declined to comment further on the investigation. \
A source familiar with the talks said a deal could be reached as early as Friday.\n\n";

fn bench(c: &mut Criterion) {
    let models = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../models/attribution");
    let config = AttributionConfig {
        cues: "cues.toml".into(),
        model: "model.txt".into(),
        ..AttributionConfig::default()
    };
    let stage = config
        .build(&BuildContext::new(models))
        .expect("build stage");
    let text = TEXT.repeat(50);
    let mut doc = Document::new("bench", text.as_str());
    caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
    let mut sentences = Vec::new();
    caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut sentences);
    doc.sentences = sentences;
    stage.process(&mut doc).unwrap();
    let expected = doc.attributions.len();
    assert!(expected >= 50 * 8, "only {expected} attributions");

    let mut group = c.benchmark_group("attribution");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("news", |b| {
        b.iter(|| {
            stage.process(&mut doc).unwrap();
            assert_eq!(doc.attributions.len(), expected);
        })
    });
    group.finish();
    eprintln!(
        "{} tokens, {} bytes per iteration",
        doc.tokens.len(),
        text.len()
    );
}

criterion_group!(benches, bench);
criterion_main!(benches);
