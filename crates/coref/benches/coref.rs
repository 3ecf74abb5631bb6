//! Throughput of the coref stage on a news-like text with entities and attributions given.
#![allow(missing_docs)] // criterion_group! generates an undocumented function

use caveat_core::{Attribution, Document, Entity, Span, Stage};
use caveat_coref::CorefConfig;
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const TEXT: &str = "\
Military expert Evgeny Mikhaylov said the tanks may move. He said the drills were routine. \
The National Intelligence Service (NIS) alleges that Kim Jong Un is ill. The NIS said so on Monday. \
Donald Trump met Joe Biden. Mr Trump said the talks were good, and Biden said nothing. \
The company said sales had fallen, according to Reuters. Acme Corp cut jobs. \
Mikhaylov's comments were disputed by the Ministry of Defence. The ministry said they were wrong.\n\n";

const ENTITIES: &[(&str, &str)] = &[
    ("Evgeny Mikhaylov", "PER"),
    ("National Intelligence Service", "ORG"),
    ("NIS", "ORG"),
    ("Kim Jong Un", "PER"),
    ("NIS", "ORG"),
    ("Donald Trump", "PER"),
    ("Joe Biden", "PER"),
    ("Trump", "PER"),
    ("Biden", "PER"),
    ("Reuters", "ORG"),
    ("Acme Corp", "ORG"),
    ("Mikhaylov", "PER"),
    ("Ministry of Defence", "ORG"),
];

const SOURCES: &[&str] = &[
    "He",
    "The NIS",
    "Mr Trump",
    "Biden",
    "The company",
    "The ministry",
];

fn bench(c: &mut Criterion) {
    let stage = CorefConfig::default().build().expect("build stage");
    let text = TEXT.repeat(50);
    let mut doc = Document::new("bench", text.as_str());
    caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
    let mut sentences = Vec::new();
    caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut sentences);
    doc.sentences = sentences;
    let mut from = 0;
    for _ in 0..50 {
        for &(name, label) in ENTITIES {
            let start = from + doc.text[from..].find(name).expect(name);
            let end = start + name.len();
            let first = doc.tokens.partition_point(|t| t.span.start < start);
            let last = doc.tokens.partition_point(|t| t.span.end <= end);
            doc.entities.push(Entity {
                span: Span::new(start, end),
                tokens: first..last,
                label: label.into(),
                score: 0.9,
                cluster: None,
            });
            from = end;
        }
    }
    for (start, _) in SOURCES
        .iter()
        .flat_map(|s| doc.text.match_indices(s).collect::<Vec<_>>())
    {
        let end = start + doc.text[start..].find(' ').unwrap_or(3);
        doc.attributions.push(Attribution {
            source: Some(Span::new(start, end)),
            ..Attribution::default()
        });
    }
    let words = doc.tokens.len() as u64;
    let mut g = c.benchmark_group("coref");
    g.throughput(Throughput::Elements(words));
    g.bench_function("news_x50", |b| {
        b.iter(|| {
            let mut d = doc.clone();
            stage.process(&mut d).unwrap();
            d.clusters.len()
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
