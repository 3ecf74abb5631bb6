//! Train the hedge cue tagger and write it to a model directory.
//!
//! ```text
//! cargo run --release -p caveat-hedge --example hedge_train -- OUT_DIR \
//!     --wiki ../shared/data/hedge/szeged/wiki.xml \
//!     --bio ../shared/data/hedge/szeged/bio_bmc.xml ... \
//!     [--lexicon models/hedge-lexicon/lexicon.toml] [--epochs 8] [--wiki-weight 2]
//!     [--min-rate 0.1] [--min-recall 0.87] [--prune 1.0]
//! ```

use caveat_core::BuildContext;
use caveat_hedge::train::{train, Domain, TrainOptions};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let mut opts = TrainOptions::default();
    let mut out = None;
    let mut args = std::env::args().skip(1);
    while let Some(a) = args.next() {
        match a.as_str() {
            "--wiki" => opts
                .files
                .push((args.next().unwrap_or_default().into(), Domain::Wiki)),
            "--bio" => opts
                .files
                .push((args.next().unwrap_or_default().into(), Domain::Bio)),
            "--lexicon" => opts.lexicon = args.next().map(Into::into),
            "--epochs" => opts.epochs = args.next().and_then(|s| s.parse().ok()).unwrap_or(8),
            "--wiki-weight" => {
                opts.wiki_weight = args.next().and_then(|s| s.parse().ok()).unwrap_or(2)
            }
            "--min-rate" => {
                opts.min_cue_rate = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.1)
            }
            "--min-recall" => {
                opts.min_recall = args.next().and_then(|s| s.parse().ok()).unwrap_or(0.87)
            }
            "--prune" => opts.prune = args.next().and_then(|s| s.parse().ok()).unwrap_or(1.0),
            _ => out = Some(a),
        }
    }
    let out = out.ok_or("usage: hedge_train OUT_DIR --wiki FILE --bio FILE ...")?;
    let tok = caveat_tokenize::TokenizeConfig::default().build(&BuildContext::new("."))?;
    let t = std::time::Instant::now();
    let trained = train(&opts, &tok)?;
    let r = &trained.report;
    println!(
        "trained in {:.1}s: {} examples, {} cue words, {} weights, threshold {}",
        t.elapsed().as_secs_f64(),
        r.examples,
        r.cue_words,
        r.weights,
        trained.tagger.threshold()
    );
    for (f, lex, tag, both) in &r.dev {
        println!(
            "dev {f}\n  lexicon only\n{lex}\n  tagger only\n{tag}\n  tagger + lexicon\n{both}"
        );
    }
    trained.save(&out)?;
    Ok(())
}
