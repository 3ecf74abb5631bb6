//! Turning gold documents into tokenized documents with token-level labels, and evaluation.
#![allow(dead_code)]

use std::ops::Range;

use caveat_attribution::training::GoldRel;
use caveat_attribution::AttributionStage;
use caveat_core::{Document, Token};

use crate::polnear::{GoldDoc, Rel, Score};

/// A tokenized document with its labels.
pub struct Prepared {
    pub doc: Document,
    pub in_cue: Vec<bool>,
    pub rels: Vec<GoldRel>,
}

/// Tokenize and split `text` into a document.
pub fn document(id: &str, text: &str) -> Document {
    let mut doc = Document::new(id, text);
    caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
    let mut sents = Vec::new();
    caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut sents);
    doc.sentences = sents;
    doc
}

fn token_range(tokens: &[Token], span: (usize, usize)) -> Range<usize> {
    let lo = tokens.partition_point(|t| t.span.end <= span.0);
    let hi = tokens.partition_point(|t| t.span.start < span.1);
    lo..hi.max(lo)
}

pub fn prepare(g: &GoldDoc) -> Prepared {
    let doc = document(&g.id, &g.text);
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
    Prepared { doc, in_cue, rels }
}

/// Run the stage on the prepared documents and score against the gold.
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

/// The value after `--name` on the command line, or `default`.
pub fn flag(args: &[String], name: &str, default: &str) -> String {
    args.iter()
        .position(|a| a == name)
        .and_then(|i| args.get(i + 1).cloned())
        .unwrap_or_else(|| default.to_string())
}
