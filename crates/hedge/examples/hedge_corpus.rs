//! Run the hedge stage over a JSONL corpus (`{"id", "text"}` per line): print the first
//! documents' sentences with their hedges marked, and measure throughput of the hedge stage
//! alone (tokenizing is timed separately).
//!
//! ```text
//! cargo run --release -p caveat-hedge --example hedge_corpus -- FILE.jsonl [--show N]
//!     [--mode lexicon|tagger]
//! ```

use std::io::BufRead;
use std::time::{Duration, Instant};

use caveat_core::{BuildContext, Document, Stage};
use caveat_hedge::{HedgeConfig, HedgeMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = HedgeConfig::default();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models");
    cfg.lexicon = format!("{root}/hedge-lexicon/lexicon.toml");
    cfg.model = format!("{root}/hedge-tagger");
    let mut file = None;
    let mut show = 0usize;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--show" => show = args.next().and_then(|s| s.parse().ok()).unwrap_or(3),
            "--mode" => {
                cfg.mode = match args.next().as_deref() {
                    Some("lexicon") => HedgeMode::Lexicon,
                    _ => HedgeMode::Tagger,
                }
            }
            _ => file = Some(a),
        }
    }
    let file = file.ok_or("usage: hedge_corpus FILE.jsonl [--show N] [--mode lexicon|tagger]")?;
    let ctx = BuildContext::new(".");
    let stage = cfg.build(&ctx)?;
    let tok = caveat_tokenize::TokenizeConfig::default().build(&ctx)?;
    let mut docs = Vec::new();
    for line in std::io::BufReader::new(std::fs::File::open(&file)?).lines() {
        let v: serde_json::Value = serde_json::from_str(&line?)?;
        let text = v["text"].as_str().unwrap_or_default().to_string();
        let mut d = Document::new(v["id"].clone(), text);
        tok.process(&mut d)?;
        docs.push(d);
    }
    let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
    let tokens: usize = docs.iter().map(|d| d.tokens.len()).sum();
    let mut spent = Duration::ZERO;
    let mut hedges = 0;
    let mut uncertain = 0;
    let mut sentences = 0;
    for d in &mut docs {
        let t = Instant::now();
        stage.process(d)?;
        spent += t.elapsed();
        hedges += d.hedges.len();
        uncertain += d.sentences.iter().filter(|s| s.uncertain).count();
        sentences += d.sentences.len();
    }
    for d in docs.iter().take(show) {
        println!("== {}", d.id_string());
        for (si, s) in d.sentences.iter().enumerate() {
            let hs: Vec<_> = d.hedges.iter().filter(|h| h.sentence == si).collect();
            if hs.is_empty() {
                continue;
            }
            let mut out = String::new();
            let mut pos = s.span.start;
            for h in &hs {
                if h.span.start < pos {
                    continue;
                }
                out.push_str(&d.text[pos..h.span.start]);
                out.push_str(&format!(
                    "[{}|{}{} {:.2}]",
                    &d.text[h.span.range()],
                    h.category,
                    if h.negated { " NEG" } else { "" },
                    h.score
                ));
                pos = h.span.end;
            }
            out.push_str(&d.text[pos..s.span.end]);
            println!("  {:.2} {}", s.uncertainty, out.replace('\n', " "));
        }
    }
    let secs = spent.as_secs_f64();
    println!(
        "{} docs, {tokens} tokens, {hedges} hedges, {uncertain}/{sentences} sentences uncertain; \
         hedge stage {:.3}s = {:.1} MB/s, {:.2}M tokens/s (single thread)",
        docs.len(),
        secs,
        bytes as f64 / secs / 1e6,
        tokens as f64 / secs / 1e6
    );
    Ok(())
}
