//! Training the attribution model: [`train`] turns gold documents into a cue lexicon and the
//! cue and source perceptrons ([`Trained`], written by [`Trained::save`]); it is what
//! `caveat train attribution` runs.
//!
//! ```no_run
//! # fn main() -> Result<(), Box<dyn std::error::Error>> {
//! use caveat_attribution::{brat, training::{train, TrainOptions}};
//! // a stage that provides tokens and sentences, e.g. caveat-tokenize's TokenizeStage
//! # let tok: Box<dyn caveat_core::Stage> = unimplemented!();
//! let gold_train = brat::read("polnear/train".as_ref())?;
//! let gold_dev = brat::read("polnear/dev".as_ref())?;
//! let trained = train(&gold_train, &gold_dev, &TrainOptions::default(), tok.as_ref(), |p| {
//!     eprintln!("{p:?}")
//! })?;
//! trained.save("models/attribution")?;
//! # Ok(()) }
//! ```
//!
//! Its parts are public for the examples and for experiments: turning gold documents into
//! tokenized, labelled ones ([`prepare`]), counting a cue lexicon ([`LexiconCounter`]),
//! training the perceptrons ([`Trainer`]) and scoring a stage on gold documents
//! ([`evaluate`]).

use std::collections::BTreeMap;
use std::ops::Range;
use std::path::{Path, PathBuf};

use caveat_core::{Document, Stage, StageError, Token};
use caveat_text::normalize::{lowercase, Apostrophes};
use caveat_text::perceptron::{Hashed, Lazy, Perceptron};
use caveat_text::rng::XorShift;

use crate::brat::{GoldDoc, Rel, Score};
use crate::extract::{self, CueRun, DocFeatures, Resources};
use crate::lexicon::{Lexicon, LexiconFile, MIN_PRIOR};
use crate::model::{Model, Weights, CUE_BITS, SOURCE_BITS};
use crate::{AttributionStage, DEFAULT_VAGUE};

/// A word as the lexicon stores it: lower-cased, the typographic quotes `’` and `‘` made
/// `'` (caveat-text's [`lowercase`] with [`Apostrophes::Quotes`]; U+02BC is kept, as the
/// lexicon's word hash keeps it).
pub fn normalize(word: &str) -> String {
    lowercase(word, Apostrophes::Quotes)
}

/// Counts of words inside gold cues and in the whole text.
#[derive(Debug, Default, Clone)]
pub struct LexiconCounter {
    counts: BTreeMap<String, [u32; 2]>,
}

impl LexiconCounter {
    /// Count the tokens of `doc`; `in_cue[i]` tells whether token `i` is inside a gold cue.
    pub fn add(&mut self, doc: &Document, in_cue: &[bool]) {
        for (i, t) in doc.tokens.iter().enumerate() {
            let w = normalize(t.span.slice(&doc.text));
            let e = self.counts.entry(w).or_default();
            e[1] += 1;
            if in_cue.get(i).copied().unwrap_or(false) {
                e[0] += 1;
            }
        }
    }

    /// The lexicon file: words seen in a cue at least `min_cue` times.
    pub fn finish(&self, min_cue: u32) -> LexiconFile {
        LexiconFile {
            words: self
                .counts
                .iter()
                .filter(|(_, c)| c[0] >= min_cue)
                .map(|(w, c)| (w.clone(), *c))
                .collect(),
        }
    }
}

/// A gold attribution in token indices.
#[derive(Debug, Clone)]
pub struct GoldRel {
    /// The cue's tokens.
    pub cue: Range<usize>,
    /// The source's tokens, if it has one.
    pub source: Option<Range<usize>>,
}

/// A gold document tokenized and sentence-split, with token-level labels.
pub struct Prepared {
    /// The document with tokens and sentences.
    pub doc: Document,
    /// Per token: inside a gold cue.
    pub in_cue: Vec<bool>,
    /// The gold attributions whose cue covers at least one token.
    pub rels: Vec<GoldRel>,
}

/// The tokens of `span` (byte offsets) in `tokens` (sorted): those overlapping it, or an
/// empty range when none does.
pub fn token_range(tokens: &[Token], span: (usize, usize)) -> Range<usize> {
    let lo = tokens.partition_point(|t| t.span.end <= span.0);
    let hi = tokens.partition_point(|t| t.span.start < span.1);
    lo..hi.max(lo)
}

/// Tokenize and sentence-split a gold document with `tokenizer` (a stage that provides tokens
/// and sentences, e.g. caveat's `tokenize` stage) and label its tokens: a token is in a cue
/// when it overlaps a gold cue span; gold attributions whose cue covers no token are dropped,
/// and a source covering no token counts as none.
pub fn prepare(g: &GoldDoc, tokenizer: &dyn Stage) -> Result<Prepared, StageError> {
    let mut doc = Document::new(g.id.as_str(), g.text.as_str());
    tokenizer.process(&mut doc)?;
    let mut in_cue = vec![false; doc.tokens.len()];
    let mut rels = Vec::new();
    for r in &g.rels {
        let cue = token_range(&doc.tokens, r.cue);
        for i in cue.clone() {
            in_cue[i] = true;
        }
        let source = r
            .source
            .map(|s| token_range(&doc.tokens, s))
            .filter(|s| !s.is_empty());
        if !cue.is_empty() {
            rels.push(GoldRel { cue, source });
        }
    }
    Ok(Prepared { doc, in_cue, rels })
}

/// Run `stage` on the prepared documents (`docs[i]` prepared from `gold[i]`) and score it
/// against their gold attributions.
pub fn evaluate(stage: &AttributionStage, gold: &[GoldDoc], docs: &[Prepared]) -> Score {
    let mut score = Score::default();
    for (g, p) in gold.iter().zip(docs) {
        let mut d = p.doc.clone();
        stage.annotate(&mut d);
        let pred: Vec<Rel> = d
            .attributions
            .iter()
            .filter_map(|a| {
                Some(Rel {
                    cue: a.cue.map(|c| (c.start, c.end))?,
                    source: a.source.map(|c| (c.start, c.end)),
                    content: a.content.map(|c| (c.start, c.end)),
                })
            })
            .collect();
        score.add(&g.rels, &pred);
    }
    score
}

/// Trains the cue tagger and the source ranker.
pub struct Trainer {
    res: Resources,
    cue: Perceptron<Hashed, Lazy>,
    source: Perceptron<Hashed, Lazy>,
    feats: Vec<u64>,
    gold_feats: Vec<u64>,
    /// Mistakes in the current epoch (cue decisions, source choices).
    pub errors: (usize, usize),
    /// Decisions in the current epoch (cue decisions, source choices).
    pub seen: (usize, usize),
    /// Whether [`Trainer::train_doc`] trains the cue tagger.
    pub train_cues: bool,
    /// Whether [`Trainer::train_doc`] trains the source ranker.
    pub train_sources: bool,
}

impl Trainer {
    /// A trainer over the given lexicon.
    pub fn new(lexicon: Lexicon) -> Trainer {
        let vague: Vec<String> = DEFAULT_VAGUE.iter().map(|s| s.to_string()).collect();
        let mut res = Resources::new(lexicon, Model::empty(), &vague, 0.5);
        res.learned = true;
        Trainer {
            res,
            cue: Perceptron::new(Hashed::new(CUE_BITS)),
            source: Perceptron::new(Hashed::new(SOURCE_BITS)),
            feats: Vec::new(),
            gold_feats: Vec::new(),
            errors: (0, 0),
            seen: (0, 0),
            train_cues: true,
            train_sources: true,
        }
    }

    /// One perceptron pass over a document with tokens and sentences.
    pub fn train_doc(&mut self, doc: &Document, in_cue: &[bool], rels: &[GoldRel]) {
        let df = DocFeatures::new(doc, &self.res);
        let n = doc.tokens.len();
        // Cue tagging, greedy left to right per sentence.
        let sentences = if self.train_cues {
            &doc.sentences[..]
        } else {
            &[]
        };
        for sent in sentences {
            let s = sent.tokens.start.min(n)..sent.tokens.end.min(n);
            let mut prev = false;
            let mut last = None;
            for i in s.clone() {
                if df.toks[i].prior == 0 {
                    prev = false;
                    continue;
                }
                extract::cue_features(&df, &s, i, prev, last, &mut self.feats);
                let y = if in_cue.get(i).copied().unwrap_or(false) {
                    1.0
                } else {
                    -1.0
                };
                // Updates on a mistake (`y * m <= 0`); `m` is the score before it.
                let m = self.cue.learn_binary(&self.feats, y);
                self.seen.0 += 1;
                if m * y <= 0.0 {
                    self.errors.0 += 1;
                }
                prev = m > 0.0;
                if prev {
                    last = Some(i);
                }
            }
        }
        // Source ranking on gold cues.
        let rels = if self.train_sources { rels } else { &[] };
        for r in rels {
            if r.cue.is_empty() || r.cue.end > n {
                continue;
            }
            let Some(si) = doc
                .sentences
                .iter()
                .position(|s| s.tokens.contains(&r.cue.start))
            else {
                continue;
            };
            let st = &doc.sentences[si].tokens;
            let s = st.start.min(n)..st.end.min(n);
            let head = r
                .cue
                .clone()
                .max_by_key(|&i| (extract::strength(df.toks[i].prior), i))
                .unwrap_or(r.cue.start);
            let run = CueRun {
                tokens: r.cue.start..r.cue.end.min(s.end).max(r.cue.start + 1),
                head,
                margin: 0.0,
            };
            let is_gold = |j: Option<usize>| match (&r.source, j) {
                (None, None) => true,
                (Some(g), Some(j)) => g.contains(&j),
                _ => false,
            };
            let cands: Vec<Option<usize>> = std::iter::once(None)
                .chain(extract::source_candidates(&df, &s, &run).map(Some))
                .collect();
            if !cands.iter().any(|&j| is_gold(j)) {
                continue;
            }
            let mut best: Option<(f32, Option<usize>)> = None;
            let mut best_gold: Option<(f32, Option<usize>)> = None;
            for &j in &cands {
                extract::source_features(&df, &s, &run, j, &mut self.feats);
                let sc = self.source.score(&self.feats);
                if best.is_none_or(|(b, _)| sc > b) {
                    best = Some((sc, j));
                }
                if is_gold(j) && best_gold.is_none_or(|(b, _)| sc > b) {
                    best_gold = Some((sc, j));
                }
            }
            self.source.tick();
            self.seen.1 += 1;
            let (Some((_, pred)), Some((_, gold))) = (best, best_gold) else {
                continue;
            };
            if !is_gold(pred) {
                self.errors.1 += 1;
                extract::source_features(&df, &s, &run, gold, &mut self.gold_feats);
                extract::source_features(&df, &s, &run, pred, &mut self.feats);
                self.source.update(&self.gold_feats, 1.0);
                self.source.update(&self.feats, -1.0);
            }
        }
    }

    fn model(&self) -> Model {
        Model {
            cue: Weights::averaged(&self.cue),
            source: Weights::averaged(&self.source),
        }
    }

    /// The averaged model as the text of a model file.
    pub fn model_text(&self) -> String {
        self.model().to_text()
    }

    /// A stage using the averaged model so far.
    pub fn stage(&self, min_score: f32) -> AttributionStage {
        let vague: Vec<String> = DEFAULT_VAGUE.iter().map(|s| s.to_string()).collect();
        AttributionStage::new(self.res.lexicon.clone(), self.model(), &vague, min_score)
    }
}

/// Settings of [`train`]. The defaults are those of the shipped `models/attribution`.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct TrainOptions {
    /// Epochs of the cue perceptron.
    pub epochs: usize,
    /// Epochs of the source perceptron.
    pub source_epochs: usize,
    /// A word enters the cue lexicon when it was inside a gold cue at least this often.
    pub min_cue: u32,
    /// Seed of the document shuffle (xorshift).
    pub seed: u64,
}

impl Default for TrainOptions {
    fn default() -> Self {
        TrainOptions {
            epochs: 4,
            source_epochs: 8,
            min_cue: 2,
            seed: 0x2545_f491_4f6c_dd1d,
        }
    }
}

/// The `min_score`s at which [`train`] reports dev scores of the final model
/// ([`Progress::MinScore`]).
pub const REPORTED_MIN_SCORES: [f32; 6] = [0.3, 0.35, 0.4, 0.45, 0.5, 0.55];

/// The cue lexicon's file name in a model directory.
pub const CUES_FILE: &str = "cues.toml";
/// The weights' file name in a model directory.
pub const MODEL_FILE: &str = "model.txt";

/// What [`train`] reports as it goes, in this order: `Prepared`, `Lexicon`, one `Epoch` per
/// epoch, one `MinScore` per [`REPORTED_MIN_SCORES`] entry.
#[derive(Debug, Clone, Copy)]
#[non_exhaustive]
pub enum Progress {
    /// The documents are tokenized and labelled.
    Prepared {
        /// Training documents.
        train: usize,
        /// Dev documents.
        dev: usize,
    },
    /// The cue lexicon is counted.
    Lexicon {
        /// Words in the lexicon file (seen in a gold cue at least `min_cue` times).
        words: usize,
        /// Of those, the cue candidates (see [`Lexicon`]).
        candidates: usize,
        /// Gold training cues with a token whose word passes `min_cue` and [`MIN_PRIOR`]:
        /// `reachable / cues` bounds the cue recall.
        reachable: usize,
        /// Gold training cues.
        cues: usize,
    },
    /// An epoch is done.
    Epoch {
        /// The epoch, counted from 1.
        epoch: usize,
        /// Cue decisions that were wrong in this epoch (0 once the cue epochs are over).
        cue_errors: usize,
        /// Cue decisions made in this epoch.
        cue_decisions: usize,
        /// Source choices that were wrong in this epoch.
        source_errors: usize,
        /// Source choices made in this epoch.
        source_choices: usize,
        /// Dev scores of the averaged model so far at `min_score` 0.5.
        dev: Score,
    },
    /// Dev scores of the final model at one `min_score`.
    MinScore {
        /// The stage's `min_score`.
        min_score: f32,
        /// The scores.
        dev: Score,
    },
}

/// Errors of [`train`] and [`Trained::save`]. The message names what failed; the cause is
/// the error's [`source`](std::error::Error::source).
#[derive(Debug, thiserror::Error)]
#[non_exhaustive]
pub enum TrainError {
    /// The tokenizer failed on a document.
    #[error("tokenizing document `{doc}`")]
    Tokenize {
        /// The document's id.
        doc: String,
        /// The tokenizer's error.
        source: StageError,
    },
    /// The cue lexicon could not be serialised.
    #[error("serialising the cue lexicon")]
    Serialize(#[from] toml::ser::Error),
    /// The model directory or one of its files could not be written.
    #[error("cannot write `{}`", path.display())]
    Write {
        /// The directory or file.
        path: PathBuf,
        /// The I/O error.
        source: std::io::Error,
    },
}

/// Train the attribution model: tokenize the gold documents with `tokenizer` (a stage that
/// provides tokens and sentences, e.g. caveat's `tokenize` stage; use the one the stage will
/// run after), count the cue lexicon on `train`, then train the cue perceptron for
/// `opts.epochs` and the source perceptron for `opts.source_epochs` epochs over `train` in an
/// order shuffled anew every epoch, scoring on `dev` after each. Deterministic: the same
/// documents and options give the same model, byte for byte.
pub fn train(
    train: &[GoldDoc],
    dev: &[GoldDoc],
    opts: &TrainOptions,
    tokenizer: &dyn Stage,
    mut report: impl FnMut(&Progress),
) -> Result<Trained, TrainError> {
    let prepare_all = |docs: &[GoldDoc]| -> Result<Vec<Prepared>, TrainError> {
        docs.iter()
            .map(|g| {
                prepare(g, tokenizer).map_err(|source| TrainError::Tokenize {
                    doc: g.id.clone(),
                    source,
                })
            })
            .collect()
    };
    let train_docs = prepare_all(train)?;
    let dev_docs = prepare_all(dev)?;
    report(&Progress::Prepared {
        train: train_docs.len(),
        dev: dev_docs.len(),
    });

    let mut counter = LexiconCounter::default();
    for p in &train_docs {
        counter.add(&p.doc, &p.in_cue);
    }
    let file = counter.finish(opts.min_cue);
    let lexicon = Lexicon::from_file(&file);
    // Upper bound of cue recall given the candidates.
    let (mut reachable, mut cues) = (0usize, 0usize);
    for p in &train_docs {
        for r in &p.rels {
            cues += 1;
            if r.cue.clone().any(|i| {
                let t = p.doc.tokens[i].span.slice(&p.doc.text);
                file.words.get(&normalize(t)).is_some_and(|c| {
                    c[0] >= opts.min_cue && c[0] as f32 / c[1].max(1) as f32 >= MIN_PRIOR
                })
            }) {
                reachable += 1;
            }
        }
    }
    report(&Progress::Lexicon {
        words: file.words.len(),
        candidates: lexicon.len(),
        reachable,
        cues,
    });

    let mut trainer = Trainer::new(lexicon);
    let mut order: Vec<usize> = (0..train_docs.len()).collect();
    let mut rng = XorShift::new(opts.seed);
    for epoch in 0..opts.epochs.max(opts.source_epochs) {
        trainer.train_cues = epoch < opts.epochs;
        trainer.train_sources = epoch < opts.source_epochs;
        rng.shuffle(&mut order);
        trainer.errors = (0, 0);
        trainer.seen = (0, 0);
        for &k in &order {
            let p = &train_docs[k];
            trainer.train_doc(&p.doc, &p.in_cue, &p.rels);
        }
        let score = evaluate(&trainer.stage(0.5), dev, &dev_docs);
        report(&Progress::Epoch {
            epoch: epoch + 1,
            cue_errors: trainer.errors.0,
            cue_decisions: trainer.seen.0,
            source_errors: trainer.errors.1,
            source_choices: trainer.seen.1,
            dev: score,
        });
    }
    let trained = Trained {
        lexicon: file,
        trainer,
    };
    for t in REPORTED_MIN_SCORES {
        let score = evaluate(&trained.stage(t), dev, &dev_docs);
        report(&Progress::MinScore {
            min_score: t,
            dev: score,
        });
    }
    Ok(trained)
}

/// A trained model: the cue lexicon's counts and the perceptrons' averaged weights.
pub struct Trained {
    lexicon: LexiconFile,
    trainer: Trainer,
}

impl Trained {
    /// The cue lexicon's counts.
    pub fn lexicon(&self) -> &LexiconFile {
        &self.lexicon
    }

    /// The attribution stage with this model and `min_score`.
    pub fn stage(&self, min_score: f32) -> AttributionStage {
        self.trainer.stage(min_score)
    }

    /// The text of the weights file ([`MODEL_FILE`]).
    pub fn model_text(&self) -> String {
        self.trainer.model_text()
    }

    /// The text of the cue lexicon file ([`CUES_FILE`]): a comment header naming the data
    /// (PolNeAR, the corpus whose layout [`brat::read`](crate::brat::read) reads), then the
    /// `[words]` table.
    pub fn cues_text(&self) -> Result<String, TrainError> {
        let mut text = String::from(
            "# Cue lexicon of caveat's attribution stage: word = [times inside a cue, times in the text].\n\
             # Derived (counts only) from the PolNeAR train split (Newell et al., LREC 2018; research use).\n\
             # Regenerate: caveat train attribution (see models/attribution/README.md)\n",
        );
        text.push_str(&toml::to_string(&self.lexicon)?);
        Ok(text)
    }

    /// Write [`CUES_FILE`] and [`MODEL_FILE`] into `dir`, creating it if needed. No corpus
    /// text is written: the lexicon holds word counts only.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), TrainError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| TrainError::Write {
            path: dir.to_path_buf(),
            source,
        })?;
        for (name, text) in [
            (CUES_FILE, self.cues_text()?),
            (MODEL_FILE, self.model_text()),
        ] {
            let path = dir.join(name);
            std::fs::write(&path, text).map_err(|source| TrainError::Write { path, source })?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use caveat_text::hash::fnv_word_hash;

    #[test]
    fn prepare_labels_the_tokens_of_gold_cues_and_sources() {
        // Tokens: Officials(0) said(1) the(2) plan(3) works(4) .(5) It(6) rains(7) .(8)
        let text = "Officials said the plan works. It rains.";
        let rel = |cue, source| Rel {
            cue,
            source,
            content: None,
        };
        let g = GoldDoc {
            id: "d".into(),
            text: text.into(),
            rels: vec![
                rel((10, 14), Some((0, 9))),
                // A two-token cue; its source is white space only, so it has none.
                rel((15, 23), Some((9, 10))),
                // A cue on white space covers no token: dropped.
                rel((30, 31), Some((31, 33))),
            ],
        };
        let tokenizer = caveat_tokenize::TokenizeConfig::default()
            .build(&caveat_core::BuildContext::new("."))
            .unwrap();
        let p = prepare(&g, &tokenizer).unwrap();
        let words: Vec<&str> = p.doc.tokens.iter().map(|t| t.span.slice(text)).collect();
        assert_eq!(
            words,
            [
                "Officials",
                "said",
                "the",
                "plan",
                "works",
                ".",
                "It",
                "rains",
                "."
            ]
        );
        assert_eq!(p.doc.sentences.len(), 2);
        assert_eq!(
            p.in_cue,
            [false, true, true, true, false, false, false, false, false]
        );
        let rels: Vec<_> = p
            .rels
            .iter()
            .map(|r| (r.cue.clone(), r.source.clone()))
            .collect();
        assert_eq!(rels, [(1..2, Some(0..1)), (2..4, None)]);
        // A span overlapping parts of tokens takes every token it touches.
        assert_eq!(token_range(&p.doc.tokens, (12, 25)), 1..5);
        assert_eq!(token_range(&p.doc.tokens, (40, 40)), 9..9);
    }

    /// A gold document whose attributions are given as (cue, source) substrings, each the
    /// first occurrence after the previous attribution's cue.
    fn gold(id: &str, text: &str, rels: &[(&str, Option<&str>)]) -> GoldDoc {
        let mut from = 0;
        let mut out = Vec::new();
        for &(cue, source) in rels {
            let c = from + text[from..].find(cue).unwrap();
            let s = source.map(|s| {
                let at = text.find(s).unwrap();
                (at, at + s.len())
            });
            out.push(Rel {
                cue: (c, c + cue.len()),
                source: s,
                content: None,
            });
            from = c + cue.len();
        }
        GoldDoc {
            id: id.into(),
            text: text.into(),
            rels: out,
        }
    }

    #[test]
    fn train_is_deterministic_and_saves_what_it_trained() {
        let train_docs = [
            gold(
                "a",
                "Smith said the plan would work. The road was closed on Monday.",
                &[("said", Some("Smith"))],
            ),
            gold(
                "b",
                "The plan would work, Jones said. Brown told reporters the deal was done.",
                &[("said", Some("Jones")), ("told", Some("Brown"))],
            ),
            gold(
                "c",
                "According to Reuters, the vote was close. Green said the team had won.",
                &[("According to", Some("Reuters")), ("said", Some("Green"))],
            ),
            gold(
                "d",
                "The said document was lost. Officials told the court it was false.",
                &[("told", Some("Officials"))],
            ),
        ];
        let dev_docs = [gold(
            "e",
            "White said the vote was close. It rained.",
            &[("said", Some("White"))],
        )];
        let tokenizer = caveat_tokenize::TokenizeConfig::default()
            .build(&caveat_core::BuildContext::new("."))
            .unwrap();
        let opts = TrainOptions {
            epochs: 2,
            source_epochs: 3,
            ..TrainOptions::default()
        };
        let run = || {
            let mut events = Vec::new();
            let trained = train(&train_docs, &dev_docs, &opts, &tokenizer, |p| {
                events.push(format!("{p:?}"))
            })
            .unwrap();
            (trained, events)
        };
        let (a, events) = run();
        let (b, events_b) = run();
        assert_eq!(a.model_text(), b.model_text(), "same data, same weights");
        assert_eq!(a.cues_text().unwrap(), b.cues_text().unwrap());
        assert_eq!(events, events_b);

        // Prepared, Lexicon, 3 epochs, one line per reported min_score.
        assert_eq!(
            events.len(),
            2 + 3 + REPORTED_MIN_SCORES.len(),
            "{events:#?}"
        );
        assert!(events[0].starts_with("Prepared { train: 4, dev: 1 }"));
        assert!(events[4].starts_with("Epoch { epoch: 3, cue_errors: 0, cue_decisions: 0,"));
        // `said` (3 of 4 occurrences in a cue) and `told` (2 of 2) pass min_cue 2.
        let words: Vec<(&str, [u32; 2])> = a
            .lexicon()
            .words
            .iter()
            .map(|(w, c)| (w.as_str(), *c))
            .collect();
        assert_eq!(words, [("said", [3, 4]), ("told", [2, 2])]);
        let model = Model::parse(&a.model_text(), "m".as_ref()).unwrap();
        assert!(!model.cue.is_empty() && !model.source.is_empty());

        let dir =
            std::env::temp_dir().join(format!("caveat-attribution-train-{}", std::process::id()));
        a.save(&dir).unwrap();
        let read = |name| std::fs::read_to_string(dir.join(name)).unwrap();
        assert_eq!(read(MODEL_FILE), a.model_text());
        let cues = read(CUES_FILE);
        assert_eq!(cues, a.cues_text().unwrap());
        assert_eq!(Lexicon::parse(&cues, "c".as_ref()).unwrap().len(), 2);
        std::fs::remove_dir_all(&dir).unwrap();
    }

    #[test]
    fn normalized_words_hash_like_the_tokens_they_come_from() {
        assert_eq!(normalize("DON\u{2019}T \u{2018}Éclair"), "don't 'éclair");
        assert_eq!(normalize("Don\u{02BC}t"), "don\u{02BC}t", "U+02BC is kept");
        // The lexicon stores normalised words; tokens are looked up by their hash.
        for t in ["Said", "DON\u{2019}T", "ÉTÉ", "don\u{02BC}t", "İstanbul"] {
            assert_eq!(fnv_word_hash(&normalize(t)), fnv_word_hash(t), "{t}");
        }
    }
}
