//! Training the cue tagger on cue-annotated corpora (Szeged, BioScope).
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use caveat_hedge::train::{train, Domain, TrainOptions};
//! // a stage that provides tokens and sentences, e.g. caveat-tokenize's TokenizeStage
//! # let tok: Box<dyn caveat_core::Stage> = unimplemented!();
//! let opts = TrainOptions {
//!     files: vec![("szeged/wiki.xml".into(), Domain::Wiki), ("bioscope/abstracts.xml".into(), Domain::Bio)],
//!     lexicon: Some("models/hedge-lexicon/lexicon.toml".into()),
//!     ..TrainOptions::default()
//! };
//! let trained = train(&opts, tok.as_ref())?;
//! println!("{:?}", trained.report.dev);
//! trained.save("models/hedge-tagger")?;
//! # Ok(()) }
//! ```
//!
//! Two tenths of each file are held out: the dev split ([`is_dev`], reported per file) and
//! the tuning split ([`is_tune`]; its `wiki` documents fit the probability calibration and
//! the decision threshold). The learned cue list and the perceptron see only the rest.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use caveat_core::{Document, HedgeCategory, Stage};
use caveat_text::hash::FxBuildHasher;
use caveat_text::normalize::{lower_into, Apostrophes};
use caveat_text::perceptron::{Perceptron, Sparse, Summed};
use caveat_text::rng::XorShift;

use crate::corpus::{read_xml, GoldDoc};
use crate::eval::{parse_check_set, score_check_set, score_doc, CheckReport, Scores, NEWS_CHECK};
use crate::tagger::{
    domain_name, feature_hash, features, lexicon_token_categories, sigmoid, CueStat,
    FeatureExtractor, ModelMeta, Tagger, CUES_FILE, DOMAIN_ALL, DOMAIN_BIO, DOMAIN_WIKI,
    FEATURES_VERSION, MODEL_FILE, WEIGHTS_FILE,
};
use crate::{annotate_with, HedgeError, Lexicon};

/// Whether document `index` of a corpus file belongs to the dev split (every 10th document,
/// starting with the first): held out from training and used only to report scores.
pub fn is_dev(index: usize) -> bool {
    index % 10 == 0
}

/// Whether document `index` belongs to the tuning split (every 10th, starting with the
/// sixth): held out from training, used to fit the calibration and the threshold.
pub fn is_tune(index: usize) -> bool {
    index % 10 == 5
}

/// The domain of a training file: the features get a domain-specific copy, and the run time
/// uses the general and the `wiki` copies (Wikipedia is closest to news).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Domain {
    /// Encyclopedic / general text (Szeged Wikipedia).
    Wiki,
    /// Biomedical text (Szeged bio, BioScope).
    Bio,
}

impl Domain {
    fn tag(self) -> u8 {
        match self {
            Domain::Wiki => DOMAIN_WIKI,
            Domain::Bio => DOMAIN_BIO,
        }
    }
}

/// Training options.
#[derive(Clone, Debug)]
pub struct TrainOptions {
    /// Szeged or BioScope XML files and their domains.
    pub files: Vec<(PathBuf, Domain)>,
    /// A lexicon whose matches are features (and whose single words are candidates).
    pub lexicon: Option<PathBuf>,
    /// Perceptron passes over the training data.
    pub epochs: usize,
    /// A word enters the learned cue list when it was (part of) a cue at least this often.
    pub min_cue_count: u32,
    /// ... and at least this fraction of its occurrences.
    pub min_cue_rate: f32,
    /// How many times wiki examples are repeated per epoch (news is closer to Wikipedia).
    pub wiki_weight: usize,
    /// Weights with a smaller magnitude (in perceptron units, i.e. updates) are dropped.
    pub prune: f32,
    /// Seed of the example shuffling.
    pub seed: u64,
    /// The threshold is the best one (cue F1 + half sentence F1, on the wiki tuning
    /// documents) among those whose cue recall is at least this.
    pub min_recall: f64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            files: Vec::new(),
            lexicon: None,
            epochs: 8,
            min_cue_count: 2,
            min_cue_rate: 0.1,
            wiki_weight: 2,
            prune: 1.0,
            seed: 0x5eed,
            min_recall: 0.87,
        }
    }
}

/// What training produced besides the model: sizes and dev scores.
#[derive(Clone, Debug, Default)]
pub struct TrainReport {
    /// Per file: (file, training documents, dev documents); as many as dev are tuning.
    pub files: Vec<(String, usize, usize)>,
    /// Candidate examples used to train.
    pub examples: usize,
    /// Learned cue-list size.
    pub cue_words: usize,
    /// Non-zero weights saved.
    pub weights: usize,
    /// Dev scores per file: lexicon alone, tagger without lexicon, tagger + lexicon (the
    /// tagger alone misses the lexicon features it was trained with, so it scores low).
    pub dev: Vec<(String, Scores, Scores, Scores)>,
    /// The news check set ([`NEWS_CHECK`]): lexicon alone, and tagger + lexicon.
    pub news_check: (CheckReport, CheckReport),
}

struct Prepared {
    gold: GoldDoc,
    doc: Document,
    domain: Domain,
    dev: bool,
    tune: bool,
    file: usize,
    /// Per token: gold cue label and category.
    labels: Vec<Option<HedgeCategory>>,
}

fn prepare(
    opts: &TrainOptions,
    preprocess: &dyn Stage,
    report: &mut TrainReport,
) -> Result<Vec<Prepared>, HedgeError> {
    let mut out = Vec::new();
    for (fi, (path, domain)) in opts.files.iter().enumerate() {
        let docs = read_xml(path)?;
        let n = docs.len();
        let ndev = (0..n).filter(|&i| is_dev(i)).count();
        let ntune = (0..n).filter(|&i| is_tune(i)).count();
        report
            .files
            .push((path.display().to_string(), n - ndev - ntune, ndev));
        for (i, gold) in docs.into_iter().enumerate() {
            let mut doc = Document::new(gold.id.clone(), gold.text.clone());
            if preprocess.process(&mut doc).is_err() {
                continue;
            }
            let mut labels = vec![None; doc.tokens.len()];
            for c in &gold.cues {
                let first = doc.tokens.partition_point(|t| t.span.end <= c.span.start);
                for (t, l) in doc.tokens[first..].iter().zip(&mut labels[first..]) {
                    if t.span.start >= c.span.end {
                        break;
                    }
                    *l = Some(c.category());
                }
            }
            out.push(Prepared {
                gold,
                doc,
                domain: *domain,
                dev: is_dev(i),
                tune: is_tune(i),
                file: fi,
                labels,
            });
        }
    }
    Ok(out)
}

fn learn_cue_list(
    data: &[Prepared],
    opts: &TrainOptions,
) -> HashMap<Box<str>, CueStat, FxBuildHasher> {
    let mut counts: HashMap<String, (u32, u32, [u32; 6])> = HashMap::new();
    let mut buf = String::new();
    for p in data.iter().filter(|p| !p.dev && !p.tune) {
        for (t, l) in p.doc.tokens.iter().zip(&p.labels) {
            if t.kind != caveat_core::TokenKind::Word {
                continue;
            }
            lower_into(
                t.span.slice(&p.doc.text),
                Apostrophes::QuotesAndModifier,
                &mut buf,
            );
            let e = match counts.get_mut(buf.as_str()) {
                Some(e) => e,
                None => counts.entry(buf.clone()).or_default(),
            };
            e.1 += 1;
            if let Some(c) = l {
                e.0 += 1;
                e.2[*c as usize] += 1;
            }
        }
    }
    counts
        .into_iter()
        .filter(|(_, (c, n, _))| {
            *c >= opts.min_cue_count && *c as f32 / *n as f32 >= opts.min_cue_rate
        })
        .map(|(w, (c, n, cats))| {
            let best = (0..6).max_by_key(|&k| cats[k]).unwrap_or(0);
            (
                w.into_boxed_str(),
                CueStat {
                    cue: c,
                    total: n,
                    category: HedgeCategory::ALL[best],
                },
            )
        })
        .collect()
}

struct Example {
    feats: Vec<u64>,
    label: bool,
}

/// Train a tagger (see the module docs); `preprocess` must provide tokens and sentences.
pub fn train(opts: &TrainOptions, preprocess: &dyn Stage) -> Result<Trained, HedgeError> {
    let mut report = TrainReport::default();
    let lexicon = match &opts.lexicon {
        Some(p) => Some(Lexicon::load(p)?),
        None => None,
    };
    let data = prepare(opts, preprocess, &mut report)?;
    let cues = learn_cue_list(&data, opts);
    report.cue_words = cues.len();

    // Feature extraction: hashed features with their strings kept for saving.
    let mut names: HashMap<u64, (u8, String), FxBuildHasher> = HashMap::default();
    let mut fx = FeatureExtractor::default();
    let mut feat = String::new();
    let mut buf = String::new();
    let mut lex_matches = Vec::new();
    let mut examples = Vec::new();
    // Per tuning document: (document, [(token, feature hashes)]).
    type Held = Vec<(usize, Vec<u64>)>;
    let mut dev_sets: Vec<(usize, Held)> = Vec::new();
    for (pi, p) in data.iter().enumerate() {
        lex_matches.clear();
        if let Some(l) = &lexicon {
            l.find(
                &p.doc.text,
                &p.doc.tokens,
                &p.doc.sentences,
                &mut buf,
                &mut lex_matches,
            );
        }
        let lexcat = lexicon_token_categories(p.doc.tokens.len(), &lex_matches);
        let mut dev_feats = Vec::new();
        for s in &p.doc.sentences {
            for i in s.tokens.clone() {
                let Some(ctx) = fx.candidate(&p.doc.text, &p.doc.tokens, s, i, &cues, &lexcat)
                else {
                    continue;
                };
                let mut fs = Vec::with_capacity(96);
                let dom = p.domain.tag();
                let held_out = p.dev || p.tune;
                features(&ctx, &mut feat, &mut |f| {
                    for d in [DOMAIN_ALL, dom] {
                        let h = feature_hash(d, f);
                        if !held_out {
                            names.entry(h).or_insert_with(|| (d, f.to_string()));
                        }
                        fs.push(h);
                    }
                });
                if held_out {
                    // Held-out examples are scored with the run-time (wiki) domain copy.
                    let mut rs = Vec::with_capacity(fs.len());
                    features(&ctx, &mut feat, &mut |f| {
                        rs.push(feature_hash(DOMAIN_ALL, f));
                        rs.push(feature_hash(DOMAIN_WIKI, f));
                    });
                    dev_feats.push((i, rs));
                } else {
                    examples.push(Example {
                        feats: fs,
                        label: p.labels[i].is_some(),
                    });
                    if p.domain == Domain::Wiki {
                        for _ in 1..opts.wiki_weight {
                            let last = examples.last().map(|e: &Example| e.feats.clone());
                            examples.push(Example {
                                feats: last.unwrap_or_default(),
                                label: p.labels[i].is_some(),
                            });
                        }
                    }
                }
            }
        }
        if p.tune && p.domain == Domain::Wiki {
            dev_sets.push((pi, dev_feats));
        }
    }
    report.examples = examples.len();

    // Averaged perceptron (f32 weights, averaged by f32 sums of tick-weighted updates).
    let mut perceptron: Perceptron<Sparse, Summed<f32>> = Perceptron::new(Sparse::new());
    let mut order: Vec<usize> = (0..examples.len()).collect();
    let mut rng = XorShift::new(opts.seed | 1);
    for _ in 0..opts.epochs {
        rng.shuffle(&mut order);
        for &e in &order {
            let ex = &examples[e];
            perceptron.learn_binary(&ex.feats, if ex.label { 1.0 } else { -1.0 });
        }
    }
    let weights: HashMap<u64, f32, FxBuildHasher> = perceptron
        .slots()
        .keys()
        .iter()
        .zip(perceptron.averages())
        .map(|(&h, a)| (h, ((a as f32) * 1e4).round() / 1e4))
        .filter(|(h, x)| x.abs() >= opts.prune && names.get(h).is_some_and(|n| n.0 != DOMAIN_BIO))
        .collect();
    report.weights = weights.len();

    // Calibration and threshold on the wiki tuning documents.
    let raw = |fs: &[u64]| -> f32 { fs.iter().map(|h| weights.get(h).unwrap_or(&0.0)).sum() };
    let dev_raw: Vec<(usize, Vec<(usize, f32)>)> = dev_sets
        .iter()
        .map(|(pi, v)| (*pi, v.iter().map(|(i, fs)| (*i, raw(fs))).collect()))
        .collect();
    // Platt-style scale/bias by grid search on log-loss over wiki dev candidates.
    let mut best = (f64::INFINITY, 1.0f64, 0.0f64);
    for scale in [0.05f64, 0.1, 0.2, 0.3, 0.5, 0.75, 1.0, 1.5, 2.0, 3.0] {
        for bi in -20..=20 {
            let bias = bi as f64 / 4.0;
            let mut loss = 0.0f64;
            for (pi, v) in &dev_raw {
                let p = &data[*pi];
                if p.domain != Domain::Wiki {
                    continue;
                }
                for &(i, s) in v {
                    let q = sigmoid(scale as f32 * s + bias as f32).clamp(1e-6, 1.0 - 1e-6) as f64;
                    loss -= if p.labels[i].is_some() {
                        q.ln()
                    } else {
                        (1.0 - q).ln()
                    };
                }
            }
            if loss < best.0 {
                best = (loss, scale, bias);
            }
        }
    }
    let mut meta = ModelMeta {
        name: "caveat-hedge-tagger".to_string(),
        features: FEATURES_VERSION,
        threshold: 0.5,
        domain: domain_name(DOMAIN_WIKI).to_string(),
        scale: best.1,
        bias: best.2,
        training: toml::Table::new(),
    };
    let mut tagger = Tagger::from_parts(meta.clone(), cues, weights);
    // Threshold: on the wiki tuning documents, the best cue F1 (+ half the sentence F1) of
    // tagger + lexicon among the thresholds whose cue recall reaches `min_recall`; when none
    // does, the one with the highest recall.
    let wiki_tune: Vec<&Prepared> = data
        .iter()
        .filter(|p| p.tune && p.domain == Domain::Wiki)
        .collect();
    let mut best_t = (f64::MIN, 0.5f64);
    let mut most_recall = (f64::MIN, 0.5f64);
    for ti in 2..=16 {
        let t = ti as f64 / 20.0;
        tagger.set_threshold(t as f32);
        let mut total = Scores::default();
        for p in &wiki_tune {
            let mut doc = p.doc.clone();
            annotate_with(&mut doc, lexicon.as_ref(), Some(&tagger));
            total.add(score_doc(&p.gold, &doc.hedges));
        }
        let f = total.cues.f1() + 0.5 * total.sentences.f1();
        if total.cues.recall() >= opts.min_recall && f > best_t.0 {
            best_t = (f, t);
        }
        if total.cues.recall() > most_recall.0 {
            most_recall = (total.cues.recall(), t);
        }
    }
    if best_t.0 == f64::MIN {
        best_t = most_recall;
    }
    meta.threshold = best_t.1;
    tagger.set_threshold(best_t.1 as f32);

    // Dev scores per file.
    for (fi, (path, _)) in opts.files.iter().enumerate() {
        let mut lex_only = Scores::default();
        let mut tag_only = Scores::default();
        let mut both = Scores::default();
        for p in data.iter().filter(|p| p.dev && p.file == fi) {
            for (slot, l, t) in [
                (&mut lex_only, lexicon.as_ref(), None),
                (&mut tag_only, None, Some(&tagger)),
                (&mut both, lexicon.as_ref(), Some(&tagger)),
            ] {
                let mut doc = p.doc.clone();
                annotate_with(&mut doc, l, t);
                slot.add(score_doc(&p.gold, &doc.hedges));
            }
        }
        report
            .dev
            .push((path.display().to_string(), lex_only, tag_only, both));
    }
    // The news check set written for the project (no training data in it).
    let check = parse_check_set(NEWS_CHECK);
    report.news_check = (
        score_check_set(&check, preprocess, &mut |d: &mut Document| {
            annotate_with(d, lexicon.as_ref(), None)
        }),
        score_check_set(&check, preprocess, &mut |d: &mut Document| {
            annotate_with(d, lexicon.as_ref(), Some(&tagger))
        }),
    );
    let mut tr = toml::Table::new();
    tr.insert(
        "files".into(),
        toml::Value::Array(
            report
                .files
                .iter()
                .map(|(f, a, b)| {
                    let name = Path::new(f)
                        .file_name()
                        .map_or(f.clone(), |n| n.to_string_lossy().into_owned());
                    toml::Value::String(format!("{name}: {a} train, {b} dev, {b} tuning docs"))
                })
                .collect(),
        ),
    );
    tr.insert("epochs".into(), toml::Value::Integer(opts.epochs as i64));
    tr.insert("min_recall".into(), toml::Value::Float(opts.min_recall));
    tr.insert(
        "examples".into(),
        toml::Value::Integer(report.examples as i64),
    );
    tr.insert(
        "wiki_weight".into(),
        toml::Value::Integer(opts.wiki_weight as i64),
    );
    tr.insert(
        "min_cue_count".into(),
        toml::Value::Integer(opts.min_cue_count as i64),
    );
    tr.insert(
        "min_cue_rate".into(),
        toml::Value::Float(opts.min_cue_rate as f64),
    );
    for (f, l, _, b) in &report.dev {
        let name = Path::new(f)
            .file_name()
            .map_or(f.clone(), |n| n.to_string_lossy().into_owned());
        tr.insert(
            format!("dev_{name}"),
            toml::Value::String(format!(
                "lexicon: cue F1 {:.3}, sentence F1 {:.3}; tagger+lexicon: cue P {:.3} R {:.3} F1 {:.3}, sentence F1 {:.3}",
                l.cues.f1(),
                l.sentences.f1(),
                b.cues.precision(),
                b.cues.recall(),
                b.cues.f1(),
                b.sentences.f1()
            )),
        );
    }
    let c = &report.news_check.1.counts;
    tr.insert(
        "news_check".into(),
        toml::Value::String(format!(
            "tagger+lexicon: cue recall {}/{} ({:.3}), false positives {}",
            c.tp,
            c.tp + c.fn_,
            c.recall(),
            c.fp
        )),
    );
    meta.training = tr;
    let (cues, weights) = tagger.into_parts();
    Ok(Trained {
        tagger: Tagger::from_parts(meta, cues, weights),
        report,
        names,
    })
}

/// A trained tagger with its report, ready to [`save`](Trained::save).
#[derive(Debug)]
pub struct Trained {
    /// The tagger (usable right away).
    pub tagger: Tagger,
    /// Sizes and dev scores.
    pub report: TrainReport,
    /// Feature strings of the weights (the model file stores strings, not hashes).
    names: HashMap<u64, (u8, String), FxBuildHasher>,
}

impl Trained {
    /// Write the model to `dir` (`model.toml`, `cues.tsv`, `weights.tsv`); a README model
    /// card is the trainer's to write.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), HedgeError> {
        let (tagger, report) = (&self.tagger, &self.report);
        use std::fmt::Write as _;
        let dir = dir.as_ref();
        let io = |path: PathBuf| move |source| HedgeError::Io { path, source };
        std::fs::create_dir_all(dir).map_err(io(dir.to_path_buf()))?;
        let meta = toml::to_string(tagger.meta()).map_err(|e| HedgeError::Config(e.to_string()))?;
        let header = "# caveat hedge cue tagger; see README.md (the model card).\n";
        std::fs::write(dir.join(MODEL_FILE), format!("{header}{meta}"))
            .map_err(io(dir.join(MODEL_FILE)))?;
        let mut cues: Vec<(&str, CueStat)> = tagger.cue_list().collect();
        cues.sort_by(|a, b| b.1.cue.cmp(&a.1.cue).then(a.0.cmp(b.0)));
        let mut s =
            String::from("# word\tcue count\tcount\tcategory (learned from the training split)\n");
        for (w, c) in cues {
            let _ = writeln!(s, "{w}\t{}\t{}\t{}", c.cue, c.total, c.category);
        }
        std::fs::write(dir.join(CUES_FILE), s).map_err(io(dir.join(CUES_FILE)))?;
        let mut rows: Vec<(String, f32)> = tagger
            .weight_list()
            .filter_map(|(h, w)| {
                self.names
                    .get(&h)
                    .map(|(d, f)| (format!("{}\t{f}", domain_name(*d)), w))
            })
            .collect();
        if rows.len() != report.weights {
            return Err(HedgeError::Config(format!(
                "feature names of {} weights are missing",
                report.weights - rows.len().min(report.weights)
            )));
        }
        rows.sort_by(|a, b| a.0.cmp(&b.0));
        let mut s = String::from("# domain\tfeature\tweight (averaged perceptron)\n");
        for (f, w) in rows {
            let _ = writeln!(s, "{f}\t{w:.4}");
        }
        std::fs::write(dir.join(WEIGHTS_FILE), s).map_err(io(dir.join(WEIGHTS_FILE)))?;
        let card = dir.join("README.md");
        std::fs::write(&card, self.model_card()).map_err(io(card))?;
        Ok(())
    }

    /// The model card (`README.md` of the model directory): data and terms, features,
    /// dev scores, how to retrain.
    pub fn model_card(&self) -> String {
        use std::fmt::Write as _;
        let r = &self.report;
        let m = self.tagger.meta();
        let mut s = String::new();
        let _ = write!(
            s,
            "# caveat hedge cue tagger\n\n\
             Model of the `hedge` stage (`crates/hedge`, `mode = \"tagger\"`, the default): an \
             averaged perceptron that decides per occurrence whether a word is a hedge cue, \
             combined with the lexicon `models/hedge-lexicon/lexicon.toml` (lexicon cues always \
             fire unless a context rule vetoes them, except groups marked `defer = true`, which \
             this tagger decides). This file is written by `caveat_hedge::train::Trained::save`.\n\n\
             ## Files\n\n\
             * `model.toml`: feature-set version, decision threshold ({:.2}), calibration \
             (probability = sigmoid({:.3} * score + {:.3})), run-time domain copy (`{}`), provenance;\n\
             * `cues.tsv`: the learned cue list ({} words that were (part of) a cue at least twice \
             and in at least 10% of their occurrences in the training split; cue count, count, \
             majority category) — the candidates the tagger looks at, besides lexicon words and \
             *will* / *'ll* / *shall*;\n\
             * `weights.tsv`: {} feature weights (domain copy, feature string, weight).\n\n",
            m.threshold, m.scale, m.bias, m.domain, r.cue_words, r.weights
        );
        s.push_str(
            "## Training data and terms\n\n\
             * Szeged Uncertainty Corpus (Vincze 2014), Wikipedia part (`wiki.xml`, domain \
             `wiki`) and biomedical part (`bio_*.xml`, domain `bio`): speculation cues with \
             classes (modal -> epistemic, doxastic, investigation, condition). Research use.\n\
             * BioScope (Vincze et al. 2008) abstracts and full papers (domain `bio`): \
             speculation cues (negation cues ignored). Research use.\n\
             * Not used: the SFU Review corpus (GPL-3 terms, and product reviews are far from \
             news); the Szeged news part (withheld for the project's held-out check).\n\n\
             No corpus text is in this directory: only words of the learned cue list with counts, \
             and feature strings (words and word pairs next to cue candidates) with weights. The \
             corpora are for research use; check their terms before using this model commercially.\n\n\
             Split: in each file, documents 0, 10, 20, ... are dev (reported below), 5, 15, 25, \
             ... are tuning (calibration and threshold, wiki only), the rest train. Wiki training \
             examples count twice. The threshold is the one with the best cue F1 (+ half the \
             sentence F1) on the tuning documents among those reaching 87% cue recall there: the \
             project asks for high recall on news, where cues are sparser than in the training \
             data.\n\n",
        );
        s.push_str("| file | train docs | dev docs |\n|---|---|---|\n");
        for (f, a, b) in &r.files {
            let name = Path::new(f)
                .file_name()
                .map_or(f.clone(), |n| n.to_string_lossy().into_owned());
            let _ = writeln!(s, "| {name} | {a} | {b} |");
        }
        s.push_str(
            "\n## Features\n\n\
             Per candidate token (a word in the learned cue list or a single-word lexicon cue): \
             lowercase word; suffix-stripped stem; cue-rate bucket and count bucket from the \
             learned list, and its majority category; lexicon match category and negation; the \
             previous two and next two words (lowercase) and word pairs with the candidate; classes \
             of the neighbours (determiner, negation, *be*, modal, number, punctuation); the kind of \
             the next token; *that* / *to* / *if* after it; capitalisation and sentence-initial \
             position; and the sentence around it (feature sets 2 and 3): whether a conditional marker \
             (*if*, *unless*, *provided that*, *as long as* ...; not *as if* or *asked if*) comes \
             before it, only after it or not at all, whether a reporting or cognition verb \
             (*said*, *hopes*, *saying*) comes before it (past or present form) or only after it, \
             a negation or modal before it (*won't ... until*), the tense of the nearest auxiliary \
             before it, and whether the sentence mentions a year — so *would* and *will* are cues \
             in a conditional and rarely after *said* or in a narrative of the past, as the \
             Szeged annotation marks them. Every feature exists as a general copy and a domain copy (Daumé's \
             frustratingly easy domain adaptation); at run time the general and `wiki` copies are \
             used (the `bio` copies are not saved). Adjacent positive tokens form one cue; a cue's \
             category comes from the lexicon, else from the learned list, except that *would*, \
             *could*, *will* and *should* are `condition` only in a sentence with a conditional \
             marker and `epistemic` elsewhere. The tagger's own cues follow the lexicon's \
             `negation` rule (*need not fear* is negated), except certainty words (*not clear*).\n\n\
             A news prior for *would*, a rule rather than learned: the training corpora use it \
             mostly for the past (*he would later become*), news mostly for hypotheses (*the bill \
             would require*, *that would be a mistake*). A *would* below the threshold in a \
             sentence with no conditional marker, no reporting or cognition verb, no past auxiliary \
             before it and no year, and not before *have*, *like*, *rather*, *love*, *prefer*, is \
             raised to the threshold (so it is a cue, `epistemic`). The threshold search below \
             runs with the rule on.\n\n\
             ## Dev scores\n\n\
             Scored like `tools/eval/score hedge` (cue: overlap match; sentence: uncertain or not; \
             evidential and weasel hedges unscored), on the dev documents, with the caveat \
             tokenizer.\n\n\
             | dev file | lexicon only: cue P / R / F1 | sentence F1 | tagger + lexicon: cue P / R / F1 | sentence F1 |\n\
             |---|---|---|---|---|\n",
        );
        for (f, l, _, b) in &r.dev {
            let name = Path::new(f)
                .file_name()
                .map_or(f.clone(), |n| n.to_string_lossy().into_owned());
            let _ = writeln!(
                s,
                "| {name} | {:.3} / {:.3} / {:.3} | {:.3} | {:.3} / {:.3} / {:.3} | {:.3} |",
                l.cues.precision(),
                l.cues.recall(),
                l.cues.f1(),
                l.sentences.f1(),
                b.cues.precision(),
                b.cues.recall(),
                b.cues.f1(),
                b.sentences.f1()
            );
        }
        s.push_str(
            "\nThe bio files other than `bio_hbc.xml` and `abstracts.xml` have a single dev \
             document each; their figures are noisy. The target domain is news, for which there \
             is no dev data here: Wikipedia is the closest.\n\n\
             ## News check set\n\n\
             `crates/hedge/testdata/news_check.txt`: hedged news sentences written for the project \
             (no corpus text) with the cues a careful reader marks (*alleges*, *unverified*, \
             *speculated*, *potential*, conditional *would* / *will*, ...), and hedge-free ones \
             (*need not fear*, *said it would*, *until midnight*, *full potential*). Every category \
             counts; a cue is found when a hedge that is not negated overlaps it.\n\n",
        );
        let (lc, tc) = (&r.news_check.0, &r.news_check.1);
        let _ = writeln!(
            s,
            "| | cues found | false positives |\n|---|---|---|\n\
             | lexicon only | {}/{} ({:.3}) | {} |\n\
             | tagger + lexicon | {}/{} ({:.3}) | {} |\n",
            lc.counts.tp,
            lc.counts.tp + lc.counts.fn_,
            lc.counts.recall(),
            lc.counts.fp,
            tc.counts.tp,
            tc.counts.tp + tc.counts.fn_,
            tc.counts.recall(),
            tc.counts.fp
        );
        if !tc.missed.is_empty() {
            s.push_str("Missed by tagger + lexicon:\n\n");
            for m in &tc.missed {
                let (cue, sentence) = m.split_once(" | ").unwrap_or((m, ""));
                let _ = writeln!(s, "* *{cue}* in: {sentence}");
            }
            s.push('\n');
        }
        s.push_str(
            "## Retraining\n\n\
             The corpora are not in this repository. Both are published by the University of \
             Szeged for research use: the Szeged Uncertainty Corpus \
             (<https://rgai.inf.u-szeged.hu/node/160>; its Wikipedia part `wiki.xml` and \
             biomedical parts `bio_bmc.xml`, `bio_fly.xml`, `bio_hbc.xml`) and BioScope \
             (<https://rgai.inf.u-szeged.hu/node/105>; `abstracts.xml`, `full_papers.xml`). With \
             them in `$DATA/szeged/` and `$DATA/bioscope/`, from the repository root:\n\n\
             ```sh\n\
             DATA=path/to/hedge-corpora    # szeged/*.xml, bioscope/*.xml\n\
             cargo run --release -p caveat-cli -- train hedge --out models/hedge-tagger \\\n\
             \x20 --lexicon models/hedge-lexicon/lexicon.toml --wiki $DATA/szeged/wiki.xml \\\n\
             \x20 --bio $DATA/szeged/bio_bmc.xml --bio $DATA/szeged/bio_fly.xml --bio $DATA/szeged/bio_hbc.xml \\\n\
             \x20 --bio $DATA/bioscope/abstracts.xml --bio $DATA/bioscope/full_papers.xml\n\
             ```\n\n\
             The other flags' defaults (`caveat train hedge --help`) are the settings of the \
             shipped files. Training is deterministic (fixed shuffling seed) and takes seconds: \
             the same corpora, lexicon and flags give the same files, byte for byte. Retrain \
             after changing the lexicon: its matches are features. Library API: \
             `caveat_hedge::train::train(&TrainOptions, &tokenize_stage)` then `Trained::save`.\n",
        );
        s
    }
}
