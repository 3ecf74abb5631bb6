//! Cue-level and sentence-level scoring against Szeged / BioScope gold, exactly as the
//! project's scorer (`tools/eval/factbank.py`) does it:
//!
//! * predicted hedges of categories `evidential` and `weasel` are ignored (neither credited
//!   nor penalised);
//! * cues: each prediction, in text order, matches the first unused gold cue it overlaps
//!   (true positive) or is a false positive; unmatched gold cues are false negatives;
//! * sentences (the gold sentence spans): gold-uncertain when a gold cue starts in it,
//!   predicted-uncertain when a scored prediction starts in it.

use caveat_core::{Document, Hedge, Stage};

use crate::corpus::GoldDoc;
use crate::{is_scored, HedgeStage};

/// True positives, false positives and false negatives.
pub use caveat_core::Prf as Counts;

/// Cue-level and sentence-level counts.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Scores {
    /// Cue level (overlap match).
    pub cues: Counts,
    /// Sentence level (uncertain or not).
    pub sentences: Counts,
}

impl Scores {
    /// Add another document's counts.
    pub fn add(&mut self, o: Scores) {
        self.cues += o.cues;
        self.sentences += o.sentences;
    }
}

impl std::fmt::Display for Scores {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let c = &self.cues;
        let s = &self.sentences;
        write!(
            f,
            "cues      P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {})\n\
             sentences P {:.3}  R {:.3}  F1 {:.3}  (tp {} fp {} fn {})",
            c.precision(),
            c.recall(),
            c.f1(),
            c.tp,
            c.fp,
            c.fn_,
            s.precision(),
            s.recall(),
            s.f1(),
            s.tp,
            s.fp,
            s.fn_
        )
    }
}

/// Score one document's predicted hedges against its gold annotation.
pub fn score_doc(gold: &GoldDoc, hedges: &[Hedge]) -> Scores {
    let pred: Vec<(usize, usize)> = hedges
        .iter()
        .filter(|h| is_scored(h.category))
        .map(|h| (h.span.start, h.span.end))
        .collect();
    let mut used = vec![false; gold.cues.len()];
    let mut cues = Counts::default();
    for &(a, b) in &pred {
        let hit = gold
            .cues
            .iter()
            .enumerate()
            .find(|(i, g)| !used[*i] && a < g.span.end && g.span.start < b);
        match hit {
            Some((i, _)) => {
                used[i] = true;
                cues.tp += 1;
            }
            None => cues.fp += 1,
        }
    }
    cues.fn_ += used.iter().filter(|u| !**u).count();
    let mut sentences = Counts::default();
    for s in &gold.sentences {
        let g = gold
            .cues
            .iter()
            .any(|c| s.start <= c.span.start && c.span.start < s.end);
        let p = pred.iter().any(|&(a, _)| s.start <= a && a < s.end);
        match (g, p) {
            (true, true) => sentences.tp += 1,
            (false, true) => sentences.fp += 1,
            (true, false) => sentences.fn_ += 1,
            (false, false) => {}
        }
    }
    Scores { cues, sentences }
}

/// Run `preprocess` (a tokenizer stage: tokens and sentences) and the hedge stage on every
/// gold text and score the result.
pub fn evaluate(docs: &[GoldDoc], preprocess: &dyn Stage, hedge: &HedgeStage) -> Scores {
    let mut total = Scores::default();
    for g in docs {
        let mut doc = Document::new(g.id.clone(), g.text.clone());
        if preprocess.process(&mut doc).is_err() {
            doc.clear_layers();
        }
        hedge.annotate(&mut doc);
        total.add(score_doc(g, &doc.hedges));
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::corpus::GoldCue;
    use caveat_core::{HedgeCategory, Span};

    fn h(s: usize, e: usize, category: HedgeCategory) -> Hedge {
        Hedge {
            span: Span::new(s, e),
            category,
            sentence: 0,
            score: 1.0,
            negated: false,
            attribution: None,
        }
    }

    #[test]
    fn scoring_matches_the_reference_rules() {
        let gold = GoldDoc {
            id: "d".into(),
            text: "It may or may not rain.\nFine.\nIf so.".into(),
            sentences: vec![Span::new(0, 23), Span::new(24, 29), Span::new(30, 36)],
            cues: vec![
                GoldCue {
                    span: Span::new(3, 17),
                    class: "speculation_modal_probable_".into(),
                },
                GoldCue {
                    span: Span::new(30, 32),
                    class: "speculation_hypo_condition _".into(),
                },
            ],
        };
        use HedgeCategory::*;
        let pred = [
            h(3, 6, Epistemic),   // tp (overlaps the multiword cue)
            h(10, 13, Epistemic), // fp: that gold cue is used already
            h(24, 28, Weasel),    // ignored
            h(24, 28, Doxastic),  // fp, and a false-positive sentence
        ];
        let s = score_doc(&gold, &pred);
        assert_eq!(
            s.cues,
            Counts {
                tp: 1,
                fp: 2,
                fn_: 1
            }
        );
        assert_eq!(
            s.sentences,
            Counts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert!((s.cues.precision() - 1.0 / 3.0).abs() < 1e-9);
        assert!((s.cues.recall() - 0.5).abs() < 1e-9);
    }
}
