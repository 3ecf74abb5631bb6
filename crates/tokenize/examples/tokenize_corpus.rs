//! Measure tokenizer throughput on a JSONL corpus (one `{"text": ...}` object per line).
//!
//! ```text
//! cargo run --release -p caveat-tokenize --example tokenize_corpus -- corpus.jsonl [rounds]
//! cargo run --release -p caveat-tokenize --example tokenize_corpus -- corpus.jsonl dump [docs]
//! ```
//!
//! Reads all texts into memory first, then tokenizes and splits them single-threaded and
//! prints tokens, white-space separated words, sentences, words/s and MB/s (best of `rounds`,
//! default 5). With `dump`, prints the sentences of the first `docs` documents (default 3)
//! instead, one per line, tokens separated by `|`, for eyeballing the rules.

use std::time::Instant;

use caveat_tokenize::{split_sentences, tokenize};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let path = args
        .next()
        .ok_or("usage: tokenize_corpus FILE.jsonl [rounds]")?;
    let second = args.next();
    let dump = second.as_deref() == Some("dump");
    let rounds: usize = if dump {
        args.next().map(|r| r.parse()).transpose()?.unwrap_or(3)
    } else {
        second.map(|r| r.parse()).transpose()?.unwrap_or(5)
    };
    let texts: Vec<String> = std::fs::read_to_string(&path)?
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l)?;
            Ok(v["text"].as_str().unwrap_or_default().to_string())
        })
        .collect::<Result<_, serde_json::Error>>()?;
    if dump {
        let (mut tokens, mut sentences) = (Vec::new(), Vec::new());
        for text in texts.iter().take(rounds) {
            tokenize(text, &mut tokens);
            split_sentences(text, &tokens, &mut sentences);
            for s in &sentences {
                let words: Vec<&str> = tokens[s.tokens.clone()]
                    .iter()
                    .map(|t| t.span.slice(text))
                    .collect();
                println!("{}", words.join("|"));
            }
            println!();
        }
        return Ok(());
    }
    let bytes: usize = texts.iter().map(String::len).sum();
    let words: usize = texts.iter().map(|t| t.split_whitespace().count()).sum();

    let (mut tokens, mut sentences) = (Vec::new(), Vec::new());
    let mut best = f64::INFINITY;
    let (mut n_tokens, mut n_sentences) = (0, 0);
    for _ in 0..rounds.max(1) {
        let (mut nt, mut ns) = (0, 0);
        let start = Instant::now();
        for text in &texts {
            tokenize(text, &mut tokens);
            split_sentences(text, &tokens, &mut sentences);
            nt += tokens.len();
            ns += sentences.len();
        }
        best = best.min(start.elapsed().as_secs_f64());
        (n_tokens, n_sentences) = (nt, ns);
    }
    println!(
        "{path}: {} docs, {:.1} MB, {words} words, {n_tokens} tokens, {n_sentences} sentences",
        texts.len(),
        bytes as f64 / 1e6
    );
    println!(
        "best of {rounds}: {:.1} ms, {:.2} M words/s, {:.2} M tokens/s, {:.0} MB/s",
        best * 1e3,
        words as f64 / best / 1e6,
        n_tokens as f64 / best / 1e6,
        bytes as f64 / best / 1e6
    );
    Ok(())
}
