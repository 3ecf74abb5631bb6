//! Training support: turning gold documents into tokenized, labelled ones ([`prepare`]),
//! counting a cue lexicon, training the cue and source perceptrons, and scoring a stage on
//! gold documents ([`evaluate`]); used by `caveat train attribution` and the examples.

use std::collections::BTreeMap;
use std::ops::Range;

use caveat_core::{Document, Stage, StageError, Token};
use caveat_text::normalize::{lowercase, Apostrophes};
use caveat_text::perceptron::{Hashed, Lazy, Perceptron};

use crate::brat::{GoldDoc, Rel, Score};
use crate::extract::{self, CueRun, DocFeatures, Resources};
use crate::lexicon::{Lexicon, LexiconFile};
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
