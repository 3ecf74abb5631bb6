//! Train the NER model with the same flags as `caveat train ner`:
//!
//! ```text
//! cargo run --release -p caveat-ner --example train -- \
//!     --train ../shared/data/ner/conll2003/train.txt --dev ../shared/data/ner/conll2003/valid.txt \
//!     --out models/ner-fast --clusters models/ner-fast/clusters.tsv
//! ```
//!
//! Extra flags: `--epochs N` `--patience N` `--seed S` `--min-count N` `--folds K`
//! `--no-clusters` `--no-gazetteer` `--no-doc` `--no-stack` (ablations) and `--no-save`.

use std::path::PathBuf;
use std::process::ExitCode;
use std::time::Instant;

use caveat_ner::train::{evaluate, train, TrainOptions};
use caveat_ner::{conll, Model};

fn main() -> ExitCode {
    match run() {
        Ok(()) => ExitCode::SUCCESS,
        Err(e) => {
            eprintln!("error: {e}");
            ExitCode::FAILURE
        }
    }
}

fn run() -> Result<(), Box<dyn std::error::Error>> {
    let mut args = std::env::args().skip(1);
    let (mut train_p, mut dev_p, mut out) = (None, None, None);
    let mut opts = TrainOptions::default();
    let mut save = true;
    while let Some(a) = args.next() {
        let mut val = || args.next().ok_or_else(|| format!("{a} needs a value"));
        match a.as_str() {
            "--train" => train_p = Some(PathBuf::from(val()?)),
            "--dev" => dev_p = Some(PathBuf::from(val()?)),
            "--out" => out = Some(PathBuf::from(val()?)),
            "--clusters" => opts.clusters = Some(PathBuf::from(val()?)),
            "--epochs" => opts.epochs = val()?.parse()?,
            "--patience" => opts.patience = val()?.parse()?,
            "--seed" => opts.seed = val()?.parse()?,
            "--min-count" => opts.min_count = val()?.parse()?,
            "--folds" => opts.folds = val()?.parse()?,
            "--no-clusters" => opts.features.clusters = false,
            "--no-gazetteer" => opts.features.gazetteer = false,
            "--no-doc" => opts.features.doc = false,
            "--no-stack" => opts.features.stack = false,
            "--no-save" => save = false,
            other => return Err(format!("unknown flag {other}").into()),
        }
    }
    let train_p = train_p.ok_or("--train FILE is required")?;
    let dev_p = dev_p.ok_or("--dev FILE is required")?;
    let t0 = Instant::now();
    let train_docs = conll::read(&train_p)?;
    let dev_docs = conll::read(&dev_p)?;
    opts.trained_on = format!(
        "CoNLL-2003 English train ({}: {} documents, {} tokens)",
        train_p.file_name().unwrap_or_default().to_string_lossy(),
        train_docs.len(),
        train_docs.iter().map(|d| d.n_tokens()).sum::<usize>()
    );
    opts.tuned_on = format!(
        "CoNLL-2003 English valid ({}: {} documents, {} tokens), early stopping on F1",
        dev_p.file_name().unwrap_or_default().to_string_lossy(),
        dev_docs.len(),
        dev_docs.iter().map(|d| d.n_tokens()).sum::<usize>()
    );
    let model = train(&train_docs, &dev_docs, &opts, &mut |r| {
        eprintln!(
            "{:8} epoch {:2}  mistakes {:5}/{}  dev F1 {:6.2}{}  ({:.1}s)",
            r.pass,
            r.epoch,
            r.mistakes,
            r.sentences,
            100.0 * r.dev.overall.f1(),
            if r.best { " *" } else { "" },
            r.seconds
        );
    })?;
    eprintln!(
        "trained in {:.1}s; {} feature rows; temperature {}",
        t0.elapsed().as_secs_f64(),
        model.n_features(),
        model.temperature()
    );
    let counts = evaluate(&model, &dev_docs);
    println!("dev (run-time path):\n{counts}");
    if let (true, Some(out)) = (save, out) {
        model.save(&out)?;
        let t = Instant::now();
        let back = Model::load(&out)?;
        eprintln!(
            "saved to {}; reloaded in {:.0} ms",
            out.display(),
            t.elapsed().as_secs_f64() * 1e3
        );
        let again = evaluate(&back, &dev_docs);
        if again != counts {
            return Err("reloaded model scores differently".into());
        }
    }
    Ok(())
}
