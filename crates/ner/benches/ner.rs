//! Decode throughput of the shipped model (`models/ner-fast`) on a fixed news-like text.
//!
//! Tokens come from a simple whitespace-and-punctuation split done once outside the timed
//! loop, so the figure is the NER stage alone (features, Viterbi, confidence scores).
//! Run: `cargo bench -p caveat-ner --bench ner`; tokens/s = bytes/s × tokens / bytes, printed
//! once before the measurement.

#![allow(missing_docs)] // criterion_group! generates an undocumented function

use std::path::Path;
use std::sync::Arc;
use std::time::Instant;

use caveat_core::{Document, Sentence, Span, Stage, Token, TokenKind};
use caveat_ner::{Model, NerStage};
use criterion::{criterion_group, criterion_main, Criterion, Throughput};

const TEXT: &str = "\
LONDON (Reuters) - Shares in Northwind Holdings fell sharply on Tuesday after the company said \
its chief executive, Maria Gonzalez, would step down at the end of the year. The announcement \
came a day after Northwind reported a 12 percent drop in quarterly profit, citing weak demand in \
Germany and France. Analysts at Barclays said the move was unexpected. \"We did not see this \
coming,\" said Tom Becker, a fund manager at Aberdeen Standard Investments in Edinburgh. \
The European Commission is reviewing the group's planned takeover of the Dutch retailer \
Van Dijk, and officials in Brussels are expected to decide by March. \
WASHINGTON - President Obama met Japanese Prime Minister Shinzo Abe at the White House on \
Friday to discuss trade and security in the Pacific, a spokesman for the State Department said. \
The talks followed a summit of the Group of Seven in Toronto, where leaders from Canada, Italy \
and Britain discussed the economy. Abe told reporters he was optimistic about an agreement. \
SOCCER - MANCHESTER UNITED BEAT ARSENAL 2-1 IN PREMIER LEAGUE CLASH. \
Wayne Rooney scored twice as Manchester United beat Arsenal at Old Trafford on Saturday, \
lifting Alex Ferguson's side to second place behind Chelsea. Arsenal manager Arsene Wenger \
said his team had been unlucky. The result leaves Liverpool, who drew 0-0 with Everton, \
five points adrift. ";

const PUNCT: &[char] = &['.', ',', '"', '(', ')', '-', ':', ';', '?', '!', '\''];

/// A rough tokenizer for the bench: split at white space, then peel punctuation and "'s".
fn tokenize(text: &str) -> Document {
    let mut doc = Document::new("bench", text);
    let mut pos = 0;
    for word in text.split(' ') {
        let (mut s, mut e) = (pos, pos + word.len());
        pos = e + 1;
        let mut tail = Vec::new();
        while s < e && text[s..e].starts_with(PUNCT) && e - s > 1 {
            doc.tokens.push(tok(s, s + 1));
            s += 1;
        }
        while s < e && text[s..e].ends_with(PUNCT) && e - s > 1 {
            tail.push(tok(e - 1, e));
            e -= 1;
        }
        if text[s..e].ends_with("'s") && e - s > 2 {
            tail.push(tok(e - 2, e));
            e -= 2;
        }
        if s < e {
            doc.tokens.push(tok(s, e));
        }
        doc.tokens.extend(tail.into_iter().rev());
    }
    let mut start = 0;
    for i in 0..doc.tokens.len() {
        if &text[doc.tokens[i].span.range()] == "." || i + 1 == doc.tokens.len() {
            doc.sentences.push(Sentence {
                span: doc.tokens[start].span.cover(doc.tokens[i].span),
                tokens: start..i + 1,
                uncertain: false,
                uncertainty: 0.0,
            });
            start = i + 1;
        }
    }
    doc
}

fn tok(s: usize, e: usize) -> Token {
    Token {
        span: Span::new(s, e),
        kind: TokenKind::Word,
    }
}

fn bench(c: &mut Criterion) {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../models/ner-fast");
    let t = Instant::now();
    let model = Model::load(&dir).expect("the shipped model in models/ner-fast");
    eprintln!("model loaded in {:.0} ms", t.elapsed().as_secs_f64() * 1e3);
    let stage = NerStage::new(Arc::new(model));
    // About 20 kB: several articles' worth of text in one document.
    let text = TEXT.repeat(8);
    let mut doc = tokenize(&text);
    let n_tokens = doc.tokens.len();
    stage.process(&mut doc).unwrap();
    let n_entities = doc.entities.len();
    assert!(n_entities > 100, "only {n_entities} entities");
    // Plain timing for a tokens/s figure.
    let t = Instant::now();
    let reps = 50;
    for _ in 0..reps {
        stage.process(&mut doc).unwrap();
    }
    let secs = t.elapsed().as_secs_f64();
    eprintln!(
        "{n_tokens} tokens, {} bytes per document: {:.0} tokens/s",
        text.len(),
        (reps * n_tokens) as f64 / secs
    );
    let mut g = c.benchmark_group("ner");
    g.throughput(Throughput::Bytes(text.len() as u64));
    g.bench_function("ner-fast", |b| {
        b.iter(|| {
            stage.process(&mut doc).unwrap();
            assert_eq!(doc.entities.len(), n_entities);
        })
    });
    g.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
