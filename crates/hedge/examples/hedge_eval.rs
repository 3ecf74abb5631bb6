//! Score the hedge stage on Szeged / BioScope XML, the way `tools/eval/score hedge` does.
//!
//! ```text
//! cargo run --release -p caveat-hedge --example hedge_eval -- [--mode lexicon|tagger]
//!     [--backend perceptron|candle|rust-bert] [--model DIR] [--lexicon FILE] [--threshold T]
//!     [--dev-only] [--dump OUT.jsonl] [--news-check] FILE.xml...
//! ```
//!
//! `--backend candle` (or `rust-bert`) needs `--features transformer` (`rust-bert`) and a
//! transformer `--model` such as `models/hedge-minilm`. `--news-check` also scores the news
//! check set (`testdata/news_check.txt`) and lists what it misses and adds.
//!
//! `--mode` defaults to `tagger` (the stage default). With `--dev-only`, only every 10th
//! document (index % 10 == 0) is scored: the dev split held out from training (see
//! `caveat_hedge::train::is_dev`).

use std::time::Instant;

use caveat_core::BuildContext;
use caveat_hedge::{corpus, eval, train, HedgeBackend, HedgeConfig, HedgeMode};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut cfg = HedgeConfig::default();
    let root = concat!(env!("CARGO_MANIFEST_DIR"), "/../../models");
    cfg.lexicon = format!("{root}/hedge-lexicon/lexicon.toml");
    cfg.model = format!("{root}/hedge-tagger");
    let mut files = Vec::new();
    let mut dev_only = false;
    let mut dump: Option<String> = None;
    let mut news_check = false;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--mode" => {
                cfg.mode = match args.next().as_deref() {
                    Some("tagger") => HedgeMode::Tagger,
                    _ => HedgeMode::Lexicon,
                }
            }
            "--backend" => {
                cfg.backend = match args.next().as_deref() {
                    Some("candle") => HedgeBackend::Candle,
                    Some("rust-bert") => HedgeBackend::RustBert,
                    _ => HedgeBackend::Perceptron,
                }
            }
            "--news-check" => news_check = true,
            "--model" => cfg.model = args.next().unwrap_or_default(),
            "--lexicon" => cfg.lexicon = args.next().unwrap_or_default(),
            "--threshold" => cfg.threshold = args.next().and_then(|t| t.parse().ok()),
            "--dev-only" => dev_only = true,
            "--dump" => dump = args.next(),
            _ => files.push(a),
        }
    }
    let ctx = BuildContext::new(".");
    let stage = cfg.build(&ctx)?;
    let tok = caveat_tokenize::TokenizeConfig::default().build(&ctx)?;
    if news_check {
        let set = eval::parse_check_set(eval::NEWS_CHECK);
        let r = eval::score_check_set(&set, &tok, &mut |d| stage.annotate(d));
        let c = &r.counts;
        println!(
            "news check: {}/{} cues found, {} false positives",
            c.tp,
            c.tp + c.fn_,
            c.fp
        );
        for m in &r.missed {
            println!("  missed: {m}");
        }
        for m in &r.extra {
            println!("  extra:  {m}");
        }
    }
    for f in files {
        let mut docs = corpus::read_xml(&f)?;
        if dev_only {
            docs = docs
                .into_iter()
                .enumerate()
                .filter(|(i, _)| train::is_dev(*i))
                .map(|(_, d)| d)
                .collect();
        }
        let bytes: usize = docs.iter().map(|d| d.text.len()).sum();
        let t = Instant::now();
        let s = eval::evaluate(&docs, &tok, &stage);
        let secs = t.elapsed().as_secs_f64();
        if let Some(path) = &dump {
            // Predictions as JSONL with code-point offsets, for cross-checking with factbank.py.
            use caveat_core::Stage;
            use std::io::Write;
            let mut w = std::io::BufWriter::new(std::fs::File::create(path)?);
            for g in &docs {
                let mut doc = caveat_core::Document::new(g.id.clone(), g.text.clone());
                tok.process(&mut doc)?;
                stage.process(&mut doc)?;
                let map = caveat_core::CharMap::new(&doc.text);
                let hs: Vec<String> = doc
                    .hedges
                    .iter()
                    .map(|h| {
                        format!(
                            "{{\"start\":{},\"end\":{},\"category\":\"{}\"}}",
                            map.char_offset(h.span.start),
                            map.char_offset(h.span.end),
                            h.category
                        )
                    })
                    .collect();
                let id = g.id.replace('\\', "\\\\").replace('"', "\\\"");
                writeln!(w, "{{\"id\":\"{id}\",\"hedges\":[{}]}}", hs.join(","))?;
            }
        }
        println!(
            "{f} ({} docs{}, {:.1} MB/s incl. tokenizing)\n{s}",
            docs.len(),
            if dev_only { ", dev" } else { "" },
            bytes as f64 / secs / 1e6
        );
    }
    Ok(())
}
