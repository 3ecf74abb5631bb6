//! Evaluation of a whole pipeline against gold annotations, on raw text.
//!
//! Gold files are turned into raw article text the same way the project's held-out checks do
//! it, run through the complete pipeline (tokenizer included), and the predicted layer is
//! compared with the gold spans.

use caveat_core::Document;
use rayon::prelude::*;

use crate::Pipeline;

/// Run `pipeline` over `docs` in parallel (on the current rayon pool). Documents whose
/// stages fail keep whatever layers they have; the count of failures is returned.
pub fn annotate_all(pipeline: &Pipeline, docs: &mut [Document]) -> usize {
    docs.par_chunks_mut(16)
        .map(|chunk| {
            pipeline
                .annotate(chunk)
                .iter()
                .filter(|f| f.is_some())
                .count()
        })
        .sum()
}

/// NER: CoNLL gold documents, scored exactly (span and label) the way conlleval does.
pub mod ner {
    use caveat_ner::conll::ConllDoc;
    use caveat_ner::eval::{spans_from_tags, Counts, LabeledSpan};

    use super::*;

    /// The raw text of a CoNLL document (one sentence per line, tokens joined by spaces) and
    /// its gold entities as byte spans.
    pub fn to_text(doc: &ConllDoc) -> (String, Vec<LabeledSpan>) {
        let mut text = String::new();
        let mut gold = Vec::new();
        for (si, sent) in doc.sentences.iter().enumerate() {
            if si > 0 {
                text.push('\n');
            }
            let mut offsets = Vec::with_capacity(sent.len());
            for (ti, (tok, _)) in sent.iter().enumerate() {
                if ti > 0 {
                    text.push(' ');
                }
                offsets.push((text.len(), text.len() + tok.len()));
                text.push_str(tok);
            }
            let tags: Vec<&str> = sent.iter().map(|(_, t)| t.as_str()).collect();
            for (a, b, label) in spans_from_tags(&tags) {
                gold.push((offsets[a].0, offsets[b - 1].1, label));
            }
        }
        (text, gold)
    }

    /// Score `pipeline`'s entities on `gold` documents.
    pub fn evaluate(pipeline: &Pipeline, gold: &[ConllDoc]) -> (Counts, usize) {
        let (counts, _, failed) = evaluate_scored(pipeline, gold);
        (counts, failed)
    }

    /// [`evaluate`], also returning each predicted entity's `score` and whether it is right
    /// (span and label exactly a gold entity), for reliability tables and calibration.
    pub fn evaluate_scored(
        pipeline: &Pipeline,
        gold: &[ConllDoc],
    ) -> (Counts, Vec<(f32, bool)>, usize) {
        let (mut docs, golds): (Vec<Document>, Vec<Vec<LabeledSpan>>) = gold
            .iter()
            .enumerate()
            .map(|(i, d)| {
                let (text, g) = to_text(d);
                (Document::new(i, text), g)
            })
            .unzip();
        let failed = annotate_all(pipeline, &mut docs);
        let mut counts = Counts::default();
        let mut scored = Vec::new();
        for (doc, g) in docs.iter().zip(&golds) {
            let pred: Vec<LabeledSpan> = doc
                .entities
                .iter()
                .map(|e| (e.span.start, e.span.end, e.label.clone()))
                .collect();
            for (e, p) in doc.entities.iter().zip(&pred) {
                scored.push((e.score, g.contains(p)));
            }
            counts.add(g, &pred);
        }
        (counts, scored, failed)
    }

    #[cfg(test)]
    mod tests {
        use super::*;

        #[test]
        fn conll_documents_become_raw_text_with_gold_byte_spans() {
            let doc = ConllDoc {
                sentences: vec![
                    vec![
                        ("EU".into(), "B-ORG".into()),
                        ("rejects".into(), "O".into()),
                        ("German".into(), "B-MISC".into()),
                    ],
                    vec![
                        ("Peter".into(), "B-PER".into()),
                        ("Blackburn".into(), "I-PER".into()),
                    ],
                ],
            };
            let (text, gold) = to_text(&doc);
            assert_eq!(text, "EU rejects German\nPeter Blackburn");
            let got: Vec<(&str, &str)> = gold
                .iter()
                .map(|(a, b, l)| (&text[*a..*b], l.as_str()))
                .collect();
            assert_eq!(
                got,
                [
                    ("EU", "ORG"),
                    ("German", "MISC"),
                    ("Peter Blackburn", "PER")
                ]
            );
        }
    }
}

/// Hedges: Szeged / BioScope XML, cue-level (overlap) and sentence-level scores, with
/// `evidential` and `weasel` hedges neither credited nor penalised.
pub mod hedge {
    use caveat_hedge::corpus::GoldDoc;
    use caveat_hedge::eval::{score_doc, Scores};

    use super::*;

    /// Score `pipeline`'s hedges on `gold` documents (their text goes through every stage).
    pub fn evaluate(pipeline: &Pipeline, gold: &[GoldDoc]) -> (Scores, usize) {
        let mut docs: Vec<Document> = gold
            .iter()
            .map(|g| Document::new(g.id.clone(), g.text.clone()))
            .collect();
        let failed = annotate_all(pipeline, &mut docs);
        let mut total = Scores::default();
        for (doc, g) in docs.iter().zip(gold) {
            total.add(score_doc(g, &doc.hedges));
        }
        (total, failed)
    }
}

/// Attribution: brat standoff in the PolNeAR layout; cue F1 by overlap, and source and
/// content overlap on matched cues.
pub mod attribution {
    use caveat_attribution::brat::{GoldDoc, Rel, Score};

    use super::*;

    /// Score `pipeline`'s attributions on `gold` documents.
    pub fn evaluate(pipeline: &Pipeline, gold: &[GoldDoc]) -> (Score, usize) {
        let mut docs: Vec<Document> = gold
            .iter()
            .map(|g| Document::new(g.id.clone(), g.text.clone()))
            .collect();
        let failed = annotate_all(pipeline, &mut docs);
        let mut total = Score::default();
        let span = |s: caveat_core::Span| (s.start, s.end);
        for (doc, g) in docs.iter().zip(gold) {
            let pred: Vec<Rel> = doc
                .attributions
                .iter()
                .filter_map(|a| {
                    Some(Rel {
                        cue: span(a.cue?),
                        source: a.source.map(span),
                        content: a.content.map(span),
                    })
                })
                .collect();
            total.add(&g.rels, &pred);
        }
        (total, failed)
    }
}
