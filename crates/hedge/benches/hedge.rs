//! Throughput of the hedge stage (lexicon only, and tagger + lexicon) on a fixed news-like
//! text.
//!
//! The text is tokenized once outside the loop (with a whitespace/punctuation splitter, so the
//! bench does not depend on the tokenizer crate); the loop measures cue matching, context
//! rules and sentence uncertainty.

use caveat_core::{Document, Sentence, Span, Token, TokenKind};
use caveat_hedge::{HedgeStage, Lexicon, Tagger};
use criterion::{criterion_main, Criterion, Throughput};

const PARAGRAPH: &str = "Officials said on Tuesday that the fire may have been set deliberately, \
according to a police statement. Some experts believe the damage could exceed $4 million. \
The company alleges that its rival speculated about the merger in May 2024. \
Theresa May met the mayor of Lyon in May. Insurance claims rose by 4% in the quarter. \
It is not likely that the vote will be delayed, and there is no doubt about the outcome. \
The expected guests arrived at 10 a.m. and the ceremony went ahead as planned. \
Investigators will examine whether the unverified video is genuine. ";

fn tokenize(text: &str) -> Document {
    let mut doc = Document::new(1, text);
    let b = text.as_bytes();
    let mut i = 0;
    let mut start = 0;
    while i < b.len() {
        let c = b[i];
        if c == b' ' {
            i += 1;
            continue;
        }
        let s = i;
        let kind = if c.is_ascii_alphabetic() {
            while i < b.len() && (b[i].is_ascii_alphabetic() || b[i] == b'\'') {
                i += 1;
            }
            TokenKind::Word
        } else if c.is_ascii_digit() {
            while i < b.len()
                && (b[i].is_ascii_digit()
                    || b[i] == b'.' && i + 1 < b.len() && b[i + 1].is_ascii_digit())
            {
                i += 1;
            }
            TokenKind::Number
        } else {
            i += 1;
            TokenKind::Punct
        };
        doc.tokens.push(Token {
            span: Span::new(s, i),
            kind,
        });
        if c == b'.' && (i >= b.len() || b[i] == b' ') && i >= 2 && b[i - 2] != b'm' {
            let n = doc.tokens.len();
            doc.sentences.push(Sentence {
                span: Span::new(doc.tokens[start].span.start, i),
                tokens: start..n,
                uncertain: false,
                uncertainty: 0.0,
            });
            start = n;
        }
    }
    doc
}

fn bench(c: &mut Criterion) {
    let models = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models");
    let lexicon =
        || Lexicon::load(format!("{models}/hedge-lexicon/lexicon.toml")).expect("lexicon");
    let tagger = Tagger::load(format!("{models}/hedge-tagger")).expect("tagger model");
    let text = PARAGRAPH.repeat(200);
    let mut g = c.benchmark_group("hedge");
    g.throughput(Throughput::Bytes(text.len() as u64));
    for (name, stage) in [
        ("lexicon", HedgeStage::new(Some(lexicon()), None)),
        ("tagger", HedgeStage::new(Some(lexicon()), Some(tagger))),
    ] {
        let mut doc = tokenize(&text);
        stage.annotate(&mut doc);
        let expected = doc.hedges.len();
        assert!(expected > 0);
        g.bench_function(name, |b| {
            b.iter(|| {
                stage.annotate(&mut doc);
                assert_eq!(doc.hedges.len(), expected);
            })
        });
    }
    g.finish();
}

#[allow(missing_docs)]
mod group {
    criterion::criterion_group!(benches, super::bench);
}
use group::benches;
criterion_main!(benches);
