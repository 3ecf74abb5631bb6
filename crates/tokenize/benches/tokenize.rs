//! Throughput of the tokenizer and sentence splitter on a fixed news-like text.

// `criterion_group!` generates an undocumented public function.
#![allow(missing_docs)]

use caveat_tokenize::{split_sentences, tokenize};
use criterion::{black_box, criterion_group, criterion_main, Criterion, Throughput};

const PARAGRAPHS: &str = "\
Ad sales boost Time Warner profit

Quarterly profits at US media giant TimeWarner jumped 76% to $1.13bn (£600m) for the three \
months to December, from $639m year-earlier. The firm, which is now one of the biggest investors \
in Google, benefited from sales of high-speed internet connections and higher advert sales.

Dr. Jane Smith-Jones, a well-known analyst at Acme Inc. in the U.S., said: “It’s not clear \
whether the 2-1 vote on 1996-08-22 will hold... We don't know yet.” Critics weren't convinced; \
some said the company's 3rd-quarter results were “disappointing” — others disagreed.

Kim Jong-un reportedly met J. K. Rowling at 9 a.m. on Jan. 5, according to @BBCNews and \
https://www.example.com/news?id=42 (see also info@example.org). Shares rose 1,000.50 points \
to €12.5bn, the highest since the 1990s! Was it worth it? Officials in Zürich declined to comment.
";

fn bench(c: &mut Criterion) {
    let text = PARAGRAPHS.repeat(50);
    let mut tokens = Vec::new();
    tokenize(&text, &mut tokens);
    let expected = tokens.len();
    let mut sentences = Vec::new();
    split_sentences(&text, &tokens, &mut sentences);
    let expected_sentences = sentences.len();

    let mut group = c.benchmark_group("tokenize");
    group.throughput(Throughput::Bytes(text.len() as u64));
    group.bench_function("tokens", |b| {
        b.iter(|| {
            tokenize(black_box(&text), &mut tokens);
            assert_eq!(tokens.len(), expected);
        })
    });
    group.bench_function("tokens+sentences", |b| {
        b.iter(|| {
            tokenize(black_box(&text), &mut tokens);
            split_sentences(&text, &tokens, &mut sentences);
            assert_eq!(sentences.len(), expected_sentences);
        })
    });
    group.finish();
}

criterion_group!(benches, bench);
criterion_main!(benches);
