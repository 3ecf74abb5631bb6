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

/// The news check set written for the project (`testdata/news_check.txt`): hedged news
/// sentences with the cues a careful reader marks in `[brackets]`, and hedge-free ones.
pub const NEWS_CHECK: &str = include_str!("../testdata/news_check.txt");

/// One sentence of a check set: its text and the byte spans of its marked cues.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct CheckSentence {
    /// The sentence without the brackets.
    pub text: String,
    /// The marked cues (byte spans into `text`).
    pub cues: Vec<caveat_core::Span>,
}

/// Parse a check set: one sentence per line, cues in `[brackets]`; empty lines and lines
/// starting with `#` are skipped.
pub fn parse_check_set(src: &str) -> Vec<CheckSentence> {
    let mut out = Vec::new();
    for line in src.lines() {
        let line = line.trim_end();
        if line.is_empty() || line.starts_with('#') {
            continue;
        }
        let mut text = String::new();
        let mut cues = Vec::new();
        let mut rest = line;
        while let Some(a) = rest.find('[') {
            text.push_str(&rest[..a]);
            let Some(b) = rest[a..].find(']') else {
                break;
            };
            let start = text.len();
            text.push_str(&rest[a + 1..a + b]);
            cues.push(caveat_core::Span::new(start, text.len()));
            rest = &rest[a + b + 1..];
        }
        text.push_str(rest);
        out.push(CheckSentence { text, cues });
    }
    out
}

/// How a hedge finder does on a check set. Every category counts; negated hedges count
/// neither as finding a cue nor as false positives.
#[derive(Clone, Debug, Default, PartialEq, Eq)]
pub struct CheckReport {
    /// `tp`: marked cues that a hedge overlaps; `fn_`: marked cues none does; `fp`: hedges
    /// that overlap no marked cue.
    pub counts: Counts,
    /// The missed cues, as `cue | sentence`.
    pub missed: Vec<String>,
    /// The false positives, as `hedge | sentence`.
    pub extra: Vec<String>,
}

/// Tokenize every check sentence with `preprocess`, find hedges with `annotate`, and score.
pub fn score_check_set(
    sentences: &[CheckSentence],
    preprocess: &dyn Stage,
    annotate: &mut dyn FnMut(&mut Document),
) -> CheckReport {
    let mut r = CheckReport::default();
    for s in sentences {
        let mut doc = Document::new("check", s.text.clone());
        if preprocess.process(&mut doc).is_err() {
            doc.clear_layers();
        }
        annotate(&mut doc);
        let hs: Vec<&Hedge> = doc.hedges.iter().filter(|h| !h.negated).collect();
        for c in &s.cues {
            if hs.iter().any(|h| h.span.overlaps(*c)) {
                r.counts.tp += 1;
            } else {
                r.counts.fn_ += 1;
                r.missed.push(format!("{} | {}", c.slice(&s.text), s.text));
            }
        }
        for h in hs {
            if !s.cues.iter().any(|c| h.span.overlaps(*c)) {
                r.counts.fp += 1;
                r.extra
                    .push(format!("{} | {}", h.span.slice(&s.text), s.text));
            }
        }
    }
    r
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
    fn check_sets_parse_and_score() {
        let src = "# comment\n\nThe plan [could] fail [if] rates rise.\nA plain fact.\n";
        let sents = parse_check_set(src);
        assert_eq!(sents.len(), 2);
        assert_eq!(sents[0].text, "The plan could fail if rates rise.");
        let cues: Vec<&str> = sents[0]
            .cues
            .iter()
            .map(|c| c.slice(&sents[0].text))
            .collect();
        assert_eq!(cues, ["could", "if"]);
        assert!(sents[1].cues.is_empty());
        // A finder that marks every `could` and `fact`, and `rates` negated.
        struct Tok;
        impl Stage for Tok {
            fn info(&self) -> caveat_core::StageInfo {
                caveat_core::StageInfo::new("t", &[], &[])
            }
            fn process(&self, doc: &mut Document) -> Result<(), caveat_core::StageError> {
                crate::tests::real_tokenize(doc);
                Ok(())
            }
        }
        let r = score_check_set(&sents, &Tok, &mut |doc: &mut Document| {
            for (w, neg) in [("could", false), ("fact", false), ("rates", true)] {
                if let Some(p) = doc.text.find(w) {
                    let mut x = h(p, p + w.len(), HedgeCategory::Epistemic);
                    x.negated = neg;
                    doc.hedges.push(x);
                }
            }
        });
        assert_eq!(
            r.counts,
            Counts {
                tp: 1,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(r.missed, ["if | The plan could fail if rates rise."]);
        assert_eq!(r.extra, ["fact | A plain fact."]);
        // The shipped check set parses: every line has text, cues lie inside it.
        let shipped = parse_check_set(NEWS_CHECK);
        assert!(shipped.len() >= 40);
        for s in &shipped {
            for c in &s.cues {
                assert!(!c.is_empty() && c.slice(&s.text).trim() == c.slice(&s.text));
            }
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
