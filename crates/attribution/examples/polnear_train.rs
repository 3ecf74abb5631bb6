//! Train the cue lexicon and the perceptrons on PolNeAR train, reporting dev scores.
//!
//! ```text
//! cargo run --release -p caveat-attribution --example polnear_train -- \
//!     [--data ../shared/data/attribution/polnear] [--out models/attribution] \
//!     [--epochs 4] [--source-epochs 8] [--min-cue 2]
//! ```
//! Writes `OUT/cues.toml` and `OUT/model.txt`. PolNeAR text itself is never written.

use caveat_attribution::brat as polnear;
#[path = "common/prep.rs"]
mod prep;

use std::path::PathBuf;

use caveat_attribution::training::{GoldRel, LexiconCounter, Trainer};
use caveat_attribution::Lexicon;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let arg = |name: &str, default: &str| prep::flag(&args, name, default);
    let root = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
    let data = PathBuf::from(arg(
        "--data",
        &root
            .join("../shared/data/attribution/polnear")
            .to_string_lossy(),
    ));
    let out = PathBuf::from(arg(
        "--out",
        &root.join("models/attribution").to_string_lossy(),
    ));
    let epochs: usize = arg("--epochs", "4").parse().expect("--epochs N");
    let source_epochs: usize = arg("--source-epochs", "8")
        .parse()
        .expect("--source-epochs N");
    let min_cue: u32 = arg("--min-cue", "2").parse().expect("--min-cue N");

    let train = polnear::read(&data.join("train")).expect("read train");
    let dev = polnear::read(&data.join("dev")).expect("read dev");
    let train: Vec<_> = train.iter().map(prep::prepare).collect();
    let dev_docs: Vec<_> = dev.iter().map(prep::prepare).collect();
    eprintln!("train {} docs, dev {} docs", train.len(), dev_docs.len());

    let mut counter = LexiconCounter::default();
    for p in &train {
        counter.add(&p.doc, &p.in_cue);
    }
    let file = counter.finish(min_cue);
    let lexicon = Lexicon::from_file(&file);
    eprintln!(
        "lexicon: {} words, {} candidates",
        file.words.len(),
        lexicon.len()
    );
    // Upper bound of cue recall given the candidates.
    let mut reach = [0usize; 2];
    for (p, g) in train.iter().zip(0..) {
        let _ = g;
        for r in &p.rels {
            reach[1] += 1;
            if r.cue.clone().any(|i| {
                let t = p.doc.tokens[i].span.slice(&p.doc.text);
                file.words
                    .get(&caveat_attribution::training::normalize(t))
                    .is_some_and(|c| {
                        c[0] >= min_cue
                            && c[0] as f32 / c[1].max(1) as f32 >= caveat_attribution::MIN_PRIOR
                    })
            }) {
                reach[0] += 1;
            }
        }
    }
    eprintln!(
        "train cues reachable from candidates: {:.3}",
        reach[0] as f64 / reach[1] as f64
    );
    let mut trainer = Trainer::new(lexicon.clone());
    let mut order: Vec<usize> = (0..train.len()).collect();
    let mut seed = 0x2545_f491_4f6c_dd1du64;
    for epoch in 0..epochs.max(source_epochs) {
        trainer.train_cues = epoch < epochs;
        trainer.train_sources = epoch < source_epochs;
        for i in (1..order.len()).rev() {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            order.swap(i, (seed % (i as u64 + 1)) as usize);
        }
        trainer.errors = (0, 0);
        trainer.seen = (0, 0);
        for &k in &order {
            let p = &train[k];
            let rels: Vec<GoldRel> = p.rels.clone();
            trainer.train_doc(&p.doc, &p.in_cue, &rels);
        }
        let stage = trainer.stage(0.5);
        let score = prep::evaluate(&stage, &dev, &dev_docs);
        eprintln!(
            "epoch {} cue err {:.3} source err {:.3}\n{}",
            epoch + 1,
            trainer.errors.0 as f64 / trainer.seen.0.max(1) as f64,
            trainer.errors.1 as f64 / trainer.seen.1.max(1) as f64,
            score.report()
        );
    }
    for t in [0.3f32, 0.35, 0.4, 0.45, 0.5, 0.55] {
        let score = prep::evaluate(&trainer.stage(t), &dev, &dev_docs);
        let (p, r, f) = score.prf();
        eprintln!("min_score {t}: P {p:.3} R {r:.3} F1 {f:.3}");
    }
    std::fs::create_dir_all(&out).expect("create output dir");
    let mut toml = String::from(
        "# Cue lexicon of caveat's attribution stage: word = [times inside a cue, times in the text].\n\
         # Derived (counts only) from the PolNeAR train split (Newell et al., LREC 2018; research use).\n\
         # Regenerate: cargo run --release -p caveat-attribution --example polnear_train\n",
    );
    toml.push_str(&toml::to_string(&file).expect("serialise lexicon"));
    std::fs::write(out.join("cues.toml"), toml).expect("write cues.toml");
    std::fs::write(out.join("model.txt"), trainer.model_text()).expect("write model.txt");
    eprintln!("wrote {}", out.display());
}
