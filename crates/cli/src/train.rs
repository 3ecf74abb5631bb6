//! `caveat train ner|hedge|attribution`: the one way to train caveat's models.
//!
//! Every command reads its corpora, trains, prints dev scores and writes the model directory
//! named by `--out`. Training is deterministic: the same data and flags give the same files,
//! byte for byte. The flags' defaults are the settings of the shipped models (their model
//! cards, `models/*/README.md`, give the full commands and where the data comes from).

use std::path::PathBuf;
use std::time::Instant;

use anyhow::{anyhow, Context};
use caveat_core::BuildContext;
use caveat_pipeline::attribution::brat::{self, GoldDoc};
use caveat_pipeline::attribution::training as attribution_train;
use caveat_pipeline::hedge::train as hedge_train;
use caveat_pipeline::ner::{conll, train as ner_train, FeatureSet};
use caveat_pipeline::tokenize::TokenizeConfig;
use clap::{Args, Subcommand};

use crate::{exit, Exit};

/// `caveat train ...`.
#[derive(Subcommand, Debug)]
pub enum TrainCommand {
    /// Train the fast NER tagger (averaged perceptron) on CoNLL files.
    Ner(TrainNerArgs),
    /// Train the hedge cue tagger (averaged perceptron over lexicon and learned cue
    /// candidates) on Szeged / BioScope XML.
    Hedge(TrainHedgeArgs),
    /// Train the attribution cue lexicon and perceptrons on brat standoff (PolNeAR layout).
    Attribution(TrainAttributionArgs),
}

/// Flags of `caveat train ner`.
#[derive(Args, Debug)]
pub struct TrainNerArgs {
    /// Training data (CoNLL: `token ... tag` lines, blank lines between sentences).
    #[arg(long)]
    pub train: PathBuf,
    /// Dev data for early stopping and the per-epoch report.
    #[arg(long)]
    pub dev: PathBuf,
    /// Model directory to write.
    #[arg(long)]
    pub out: PathBuf,
    /// Maximum epochs per training pass.
    #[arg(long, default_value_t = 30)]
    pub epochs: usize,
    /// Stop a pass after this many epochs without a better dev F1.
    #[arg(long, default_value_t = 4)]
    pub patience: usize,
    /// Seed of the sentence shuffle (training is deterministic for a given seed).
    #[arg(long, default_value_t = 1)]
    pub seed: u64,
    /// Drop features seen fewer times than this.
    #[arg(long, default_value_t = 1)]
    pub min_count: u32,
    /// Word-cluster table (`word<TAB>id...`); its content is stored in the model.
    #[arg(long)]
    pub clusters: Option<PathBuf>,
    /// Jackknife folds for the first-pass labels of two-pass (document consistency) models.
    #[arg(long, default_value_t = 5)]
    pub folds: usize,
    /// Model name written to model.toml.
    #[arg(long, default_value = "ner-fast")]
    pub name: String,
    /// Turn off the word-cluster features.
    #[arg(long)]
    pub no_clusters: bool,
    /// Turn off the gazetteer features.
    #[arg(long)]
    pub no_gazetteer: bool,
    /// Turn off document-level case features.
    #[arg(long)]
    pub no_doc: bool,
    /// Turn off the second (document-consistency) pass.
    #[arg(long)]
    pub no_stack: bool,
    /// Silver training data: a teacher pipeline's JSONL output with the token layer
    /// (`[output] tokens = true`), e.g. pipelines/news-transformer.toml over unlabelled news.
    /// Repeatable. Its sentences join the training data with `--silver-weight`.
    #[arg(long, value_name = "FILE")]
    pub silver: Vec<PathBuf>,
    /// How much a silver sentence counts in an update, relative to a gold one.
    #[arg(long, default_value_t = ner_train::TrainOptions::default().silver_weight)]
    pub silver_weight: f32,
    /// External gazetteer: a TSV of `name<TAB>LABEL[<TAB>...]` lines (scripts/build-gazetteer
    /// writes one from GeoNames and ISO 3166). Names are split by caveat's tokenizer and
    /// stored in the model; labels the training data lacks are skipped.
    #[arg(long, value_name = "FILE")]
    pub gazetteer: Option<PathBuf>,
    /// Share of training documents each gazetteer name is hidden from.
    #[arg(long, default_value_t = ner_train::TrainOptions::default().gazetteer_dropout)]
    pub gazetteer_dropout: f32,
    /// Leave out silver sentences holding an entity the teacher scored below this.
    #[arg(long, default_value_t = caveat_pipeline::ner::silver::SilverOptions::default().min_score)]
    pub silver_min_score: f32,
}

/// Flags of `caveat train hedge`. The defaults are those of the shipped `models/hedge-tagger`.
#[derive(Args, Debug)]
pub struct TrainHedgeArgs {
    /// Model directory to write (`model.toml`, `cues.tsv`, `weights.tsv` and the `README.md`
    /// model card).
    #[arg(long)]
    pub out: PathBuf,
    /// A Szeged / BioScope XML file of the general domain (Szeged `wiki.xml`); repeatable.
    /// Files are read in the order given, every `--wiki` file before every `--bio` file.
    /// In each file, documents 0, 10, 20, ... are dev and 5, 15, 25, ... tuning; the rest
    /// train.
    #[arg(long, value_name = "FILE")]
    pub wiki: Vec<PathBuf>,
    /// A Szeged / BioScope XML file of the biomedical domain (Szeged `bio_*.xml`, BioScope
    /// `abstracts.xml`, `full_papers.xml`); repeatable.
    #[arg(long, value_name = "FILE")]
    pub bio: Vec<PathBuf>,
    /// The hedge lexicon whose matches are features (and whose single words are candidates).
    /// The tagger must run with the lexicon it was trained with.
    #[arg(
        long,
        value_name = "FILE",
        default_value = "models/hedge-lexicon/lexicon.toml"
    )]
    pub lexicon: PathBuf,
    /// Train without lexicon features (ignores `--lexicon`).
    #[arg(long)]
    pub no_lexicon: bool,
    /// Perceptron passes over the training examples.
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().epochs)]
    pub epochs: usize,
    /// How many times wiki examples count per epoch (news is closer to Wikipedia).
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().wiki_weight)]
    pub wiki_weight: usize,
    /// A word enters the learned cue list when it was (part of) a cue at least this often ...
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().min_cue_count)]
    pub min_count: u32,
    /// ... and in at least this fraction of its occurrences.
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().min_cue_rate)]
    pub min_rate: f32,
    /// The decision threshold is the best one on the wiki tuning documents among those
    /// whose cue recall reaches this.
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().min_recall)]
    pub min_recall: f64,
    /// Drop weights whose magnitude is below this (in perceptron updates).
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().prune)]
    pub prune: f32,
    /// Seed of the example shuffle.
    #[arg(long, default_value_t = hedge_train::TrainOptions::default().seed)]
    pub seed: u64,
}

/// Flags of `caveat train attribution`. The defaults are those of the shipped
/// `models/attribution`.
#[derive(Args, Debug)]
pub struct TrainAttributionArgs {
    /// The corpus directory: `train/` and `dev/`, each with `text/*.txt` and
    /// `attributions/*.ann` (brat standoff, the layout of PolNeAR's `data/` directory).
    /// Only train is learned from; dev is scored after every epoch.
    #[arg(long, value_name = "DIR")]
    pub data: PathBuf,
    /// Model directory to write (`cues.toml`, `model.txt`). No corpus text is written.
    #[arg(long, value_name = "DIR")]
    pub out: PathBuf,
    /// Epochs of the cue perceptron.
    #[arg(long, default_value_t = attribution_train::TrainOptions::default().epochs)]
    pub epochs: usize,
    /// Epochs of the source perceptron.
    #[arg(long, default_value_t = attribution_train::TrainOptions::default().source_epochs)]
    pub source_epochs: usize,
    /// A word enters the cue lexicon when it was inside a gold cue at least this often.
    #[arg(long, default_value_t = attribution_train::TrainOptions::default().min_cue)]
    pub min_cue: u32,
    /// Seed of the document shuffle (xorshift).
    #[arg(long, default_value_t = attribution_train::TrainOptions::default().seed)]
    pub seed: u64,
}

/// Dispatch `caveat train`.
pub fn train(cmd: TrainCommand) -> Result<u8, Exit> {
    match cmd {
        TrainCommand::Ner(a) => train_ner(a),
        TrainCommand::Hedge(a) => train_hedge(a),
        TrainCommand::Attribution(a) => train_attribution(a),
    }
}

fn train_ner(a: TrainNerArgs) -> Result<u8, Exit> {
    if a.clusters.is_none() && !a.no_clusters {
        return Err(Exit::config(anyhow!(
            "word clusters are a core feature: pass --clusters FILE (e.g. models/ner-fast/clusters.tsv) or --no-clusters"
        )));
    }
    let train_docs = conll::read(&a.train).map_err(Exit::config)?;
    let dev_docs = conll::read(&a.dev).map_err(Exit::config)?;
    let mut silver_docs = Vec::new();
    let silver_opts = caveat_pipeline::ner::silver::SilverOptions {
        min_score: a.silver_min_score,
    };
    for path in &a.silver {
        let (docs, s) =
            caveat_pipeline::ner::silver::read(path, silver_opts).map_err(Exit::config)?;
        eprintln!(
            "silver {}: {} documents, {} sentences ({} tokens, {} entities) kept; left out {} \
             sentences with an entity scored below {}, {} misaligned, {} records",
            path.display(),
            s.documents,
            s.sentences,
            s.tokens,
            s.entities,
            s.low_confidence,
            a.silver_min_score,
            s.misaligned,
            s.skipped_records
        );
        silver_docs.extend(docs);
    }
    let features = FeatureSet {
        clusters: !a.no_clusters && a.clusters.is_some(),
        gazetteer: !a.no_gazetteer,
        doc: !a.no_doc,
        stack: !a.no_stack,
    };
    let opts = ner_train::TrainOptions {
        epochs: a.epochs,
        patience: a.patience,
        seed: a.seed,
        min_count: a.min_count,
        features,
        clusters: a.clusters.clone(),
        folds: a.folds,
        name: a.name.clone(),
        // File names only: the model records what it was trained on, not where that file
        // sat on the machine that trained it (so retraining elsewhere writes the same bytes).
        trained_on: file_name(&a.train),
        tuned_on: file_name(&a.dev),
        gazetteer: match &a.gazetteer {
            Some(path) => read_gazetteer(path)?,
            None => Vec::new(),
        },
        gazetteer_dropout: a.gazetteer_dropout,
        gazetteer_on: a.gazetteer.as_deref().map(file_name).unwrap_or_default(),
        silver_weight: a.silver_weight,
        silver_on: a
            .silver
            .iter()
            .map(|p| format!("{} (min score {})", file_name(p), a.silver_min_score))
            .collect::<Vec<_>>()
            .join(", "),
    };
    eprintln!(
        "training on {} ({} documents), dev {} ({} documents); features {features:?}",
        a.train.display(),
        train_docs.len(),
        a.dev.display(),
        dev_docs.len()
    );
    let mut report = |r: &ner_train::EpochReport| {
        eprintln!(
            "{:>8} epoch {:>2}: {:>5}/{} sentences wrong; dev P {:.2} R {:.2} F1 {:.2}{} ({:.1} s)",
            r.pass,
            r.epoch,
            r.mistakes,
            r.sentences,
            100.0 * r.dev.overall.precision(),
            100.0 * r.dev.overall.recall(),
            100.0 * r.dev.overall.f1(),
            if r.best { " *" } else { "" },
            r.seconds
        );
    };
    let model =
        ner_train::train_with_silver(&train_docs, &silver_docs, &dev_docs, &opts, &mut report)
            .map_err(Exit::runtime)?;
    model.save(&a.out).map_err(Exit::runtime)?;
    let dev = ner_train::evaluate(&model, &dev_docs);
    println!(
        "saved {}
dev (gold tokenisation):
{dev}",
        a.out.display()
    );
    Ok(exit::OK)
}

fn train_hedge(a: TrainHedgeArgs) -> Result<u8, Exit> {
    use hedge_train::Domain;
    if a.wiki.is_empty() && a.bio.is_empty() {
        return Err(Exit::config(anyhow!(
            "no training data: pass --wiki FILE and/or --bio FILE (Szeged / BioScope XML)"
        )));
    }
    let opts = hedge_train::TrainOptions {
        files: (a.wiki.iter().map(|f| (f.clone(), Domain::Wiki)))
            .chain(a.bio.iter().map(|f| (f.clone(), Domain::Bio)))
            .collect(),
        lexicon: (!a.no_lexicon).then(|| a.lexicon.clone()),
        epochs: a.epochs,
        min_cue_count: a.min_count,
        min_cue_rate: a.min_rate,
        wiki_weight: a.wiki_weight,
        prune: a.prune,
        seed: a.seed,
        min_recall: a.min_recall,
    };
    // Tokens and sentences as the shipped pipelines make them (default tokenize options).
    let tok = TokenizeConfig::default()
        .build(&BuildContext::new("."))
        .map_err(Exit::config)?;
    let start = Instant::now();
    let trained = hedge_train::train(&opts, &tok).map_err(Exit::config)?;
    let r = &trained.report;
    println!(
        "trained in {:.1} s: {} examples, {} cue words, {} weights, threshold {}",
        start.elapsed().as_secs_f64(),
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
    trained.save(&a.out).map_err(Exit::runtime)?;
    println!("saved {}", a.out.display());
    Ok(exit::OK)
}

fn read_brat(dir: PathBuf) -> Result<Vec<GoldDoc>, Exit> {
    brat::read(&dir)
        .with_context(|| {
            format!(
                "reading brat standoff from {} (expects text/*.txt and attributions/*.ann)",
                dir.display()
            )
        })
        .map_err(Exit::config)
}

fn train_attribution(a: TrainAttributionArgs) -> Result<u8, Exit> {
    use attribution_train::Progress;
    let start = Instant::now();
    let train = read_brat(a.data.join("train"))?;
    let dev = read_brat(a.data.join("dev"))?;
    // Tokens and sentences as `caveat run` makes them with the default `tokenize` stage.
    let tokenizer = TokenizeConfig::default()
        .build(&BuildContext::new("."))
        .map_err(Exit::config)?;
    let opts = attribution_train::TrainOptions {
        epochs: a.epochs,
        source_epochs: a.source_epochs,
        min_cue: a.min_cue,
        seed: a.seed,
    };
    let report = |p: &Progress| match *p {
        Progress::Prepared { train, dev } => eprintln!("train {train} docs, dev {dev} docs"),
        Progress::Lexicon {
            words,
            candidates,
            reachable,
            cues,
        } => {
            eprintln!("lexicon: {words} words, {candidates} candidates");
            eprintln!(
                "train cues reachable from candidates: {:.3}",
                reachable as f64 / cues.max(1) as f64
            );
        }
        Progress::Epoch {
            epoch,
            cue_errors,
            cue_decisions,
            source_errors,
            source_choices,
            dev,
        } => eprintln!(
            "epoch {epoch} cue err {:.3} source err {:.3}\n{}",
            cue_errors as f64 / cue_decisions.max(1) as f64,
            source_errors as f64 / source_choices.max(1) as f64,
            dev.report()
        ),
        Progress::MinScore { min_score, dev } => {
            let (p, r, f) = dev.prf();
            eprintln!("min_score {min_score}: P {p:.3} R {r:.3} F1 {f:.3}");
        }
        _ => {}
    };
    let trained =
        attribution_train::train(&train, &dev, &opts, &tokenizer, report).map_err(Exit::runtime)?;
    trained.save(&a.out).map_err(Exit::runtime)?;
    println!(
        "trained in {:.1} s; saved {}",
        start.elapsed().as_secs_f64(),
        a.out.display()
    );
    Ok(exit::OK)
}

/// Read a gazetteer TSV (`name<TAB>LABEL[<TAB>...]`, `#` comments) and split each name into
/// tokens with the default tokenizer, as text is split at run time.
fn read_gazetteer(path: &std::path::Path) -> Result<Vec<(Vec<String>, String)>, Exit> {
    use caveat_core::{Document, Stage};
    let text = std::fs::read_to_string(path)
        .with_context(|| format!("cannot read the gazetteer {}", path.display()))
        .map_err(Exit::config)?;
    let tok = TokenizeConfig::default()
        .build(&BuildContext::new("."))
        .map_err(Exit::config)?;
    let mut names = Vec::new();
    for (i, line) in text.lines().enumerate() {
        if line.trim().is_empty() || line.starts_with('#') {
            continue;
        }
        let mut cols = line.split('\t');
        let (Some(name), Some(label)) = (cols.next(), cols.next()) else {
            return Err(Exit::config(anyhow!(
                "{}:{}: expected `name<TAB>LABEL`, found {line:?}",
                path.display(),
                i + 1
            )));
        };
        let mut doc = Document::new(0, name.to_string());
        tok.process(&mut doc).map_err(Exit::runtime)?;
        let tokens: Vec<String> = doc
            .tokens
            .iter()
            .map(|t| name[t.span.range()].to_string())
            .collect();
        names.push((tokens, label.trim().to_string()));
    }
    Ok(names)
}

/// The last two components of `path` ("conll2003/train.txt"), for provenance fields in model
/// files: which data set and file, without the directory of the machine that trained it.
pub(crate) fn file_name(path: &std::path::Path) -> String {
    let names: Vec<String> = path
        .components()
        .filter_map(|c| match c {
            std::path::Component::Normal(n) => Some(n.to_string_lossy().into_owned()),
            _ => None,
        })
        .collect();
    names[names.len().saturating_sub(2)..].join("/")
}
