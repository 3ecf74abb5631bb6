//! Combining a contextual cue model's per-token output (the transformer backends) with the
//! lexicon, under the policy of the perceptron tagger mode:
//!
//! * a lexicon match stands unless a context rule vetoed it — except matches of groups marked
//!   `defer = true` (*could*, *if*, *considered*), which stand only when the model tags one of
//!   their tokens as a cue (then with the model's probability as score);
//! * the model adds its own cues (adjacent cue tokens form one cue; a `B-` label starts a new
//!   one), never on tokens a lexicon rule vetoed and never over a lexicon hedge of a scored
//!   category (the lexicon's span stands);
//! * categories come from the model's labels: a model cue takes the label of its most
//!   probable token, and a lexicon match of one of the corpus categories (epistemic,
//!   doxastic, investigation, condition) the model also tags takes the model's category;
//!   evidential and weasel matches, which the training corpora do not mark, keep theirs;
//! * the perceptron's news prior for *would* applies: a *would* the model leaves below the
//!   threshold in a sentence with no conditional marker, reporting verb, past auxiliary or
//!   year (*the bill would require*) is raised to it;
//! * the lexicon's `negation` rule applies to the model's cues as to the perceptron's
//!   (*need not fear* is negated; *not clear* is not).
//!
//! The stage then fixes the categories of modal cues from their sentence and sets sentence
//! uncertainty, as for every mode (see `annotate_with`).

use std::ops::Range;

use caveat_core::{Document, Hedge, HedgeCategory, Span};
use caveat_text::normalize::{lower_into, Apostrophes};

use crate::tagger::{hypothetical_would, CERTAINTY, NEGATION_RULE};
use crate::{is_scored, Lexicon, LexiconMatch};

/// What a token-classification cue model says about one token.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct TokenCue {
    /// Probability that the token is part of a hedge cue (1 − P(`O`); 0 for a token the model
    /// did not see).
    pub prob: f32,
    /// Whether the model's most probable cue label of the token begins a cue (`B-`), so two
    /// adjacent cues stay apart.
    pub begin: bool,
    /// The category of the model's most probable cue label of the token.
    pub category: HedgeCategory,
}

impl TokenCue {
    /// A token the model does not consider a cue.
    pub const NONE: TokenCue = TokenCue {
        prob: 0.0,
        begin: false,
        category: HedgeCategory::Epistemic,
    };
}

/// The most probable token of `range` (the first of equals), if any has a probability.
fn best(cues: &[TokenCue], range: Range<usize>) -> Option<TokenCue> {
    cues.get(range)?
        .iter()
        .copied()
        .fold(None, |acc: Option<TokenCue>, c| match acc {
            Some(a) if a.prob >= c.prob => Some(a),
            _ => Some(c),
        })
}

/// Whether `span` is taken by an overlapping hedge of a scored category, or by any hedge on
/// exactly that span (an evidential *reportedly* must not come out twice).
fn taken(hs: &[Hedge], span: Span) -> bool {
    hs.iter()
        .any(|h| h.span == span || (is_scored(h.category) && h.span.overlaps(span)))
}

/// Add the lexicon's matches and the model's cues to `doc.hedges` (cleared first), under the
/// policy in the module docs. `cues` has one entry per token (missing entries count as
/// [`TokenCue::NONE`]); `vetoed` holds the token ranges of matches a lexicon rule vetoed.
pub(crate) fn add_model_cues(
    doc: &mut Document,
    lexicon: Option<&Lexicon>,
    lex: &[LexiconMatch],
    vetoed: &[Range<usize>],
    cues: &[TokenCue],
    threshold: f32,
) {
    let mut cues: Vec<TokenCue> = (0..doc.tokens.len())
        .map(|i| cues.get(i).copied().unwrap_or(TokenCue::NONE))
        .collect();
    // The perceptron's news prior for *would* (the corpora use it mostly for the past,
    // news mostly for hypotheses): a bare hypothetical *would* reaches the threshold.
    let mut probs: Vec<f32> = cues.iter().map(|c| c.prob).collect();
    hypothetical_would(doc, &mut probs, threshold, false);
    for (c, p) in cues.iter_mut().zip(probs) {
        if p > c.prob {
            *c = TokenCue {
                prob: p,
                begin: true,
                category: HedgeCategory::Epistemic,
            };
        }
    }
    for r in vetoed {
        for c in cues.get_mut(r.clone()).into_iter().flatten() {
            c.prob = 0.0;
        }
    }
    let mut consumed = vec![false; cues.len()];
    doc.hedges.clear();
    // Matches that stand first, then the deferred ones the model confirms.
    for deferred in [false, true] {
        for m in lex.iter().filter(|m| m.defer == deferred) {
            let model = best(&cues, m.tokens.clone()).filter(|c| c.prob >= threshold);
            if deferred && (model.is_none() || taken(&doc.hedges, m.span)) {
                continue;
            }
            let mut category = m.category;
            if let Some(c) = model {
                if is_scored(m.category) {
                    category = c.category;
                }
                for t in consumed.get_mut(m.tokens.clone()).into_iter().flatten() {
                    *t = true;
                }
            }
            doc.hedges.push(Hedge {
                span: m.span,
                category,
                sentence: m.sentence,
                score: match (deferred, model) {
                    (true, Some(c)) => c.prob,
                    _ => m.score,
                },
                negated: m.negated,
                attribution: None,
            });
        }
    }
    let mut new = Vec::new();
    let mut buf = String::new();
    for (si, s) in doc.sentences.iter().enumerate() {
        let end = s.tokens.end.min(cues.len());
        let mut i = s.tokens.start;
        while i < end {
            if cues[i].prob < threshold || consumed[i] {
                i += 1;
                continue;
            }
            let start = i;
            while i + 1 < end
                && cues[i + 1].prob >= threshold
                && !consumed[i + 1]
                && !cues[i + 1].begin
            {
                i += 1;
            }
            let Some(top) = best(&cues, start..i + 1) else {
                i += 1;
                continue;
            };
            let span = Span::new(doc.tokens[start].span.start, doc.tokens[i].span.end);
            let cue_tokens = start..i + 1;
            i += 1;
            if taken(&doc.hedges, span) || taken(&new, span) {
                continue;
            }
            lower_into(
                doc.tokens[start].span.slice(&doc.text),
                Apostrophes::QuotesAndModifier,
                &mut buf,
            );
            let negated = !CERTAINTY.contains(&buf.as_str())
                && lexicon.is_some_and(|l| {
                    l.rule_holds(
                        NEGATION_RULE,
                        &doc.text,
                        &doc.tokens,
                        s.tokens.clone(),
                        cue_tokens,
                        &mut buf,
                    )
                    .unwrap_or(false)
                });
            new.push(Hedge {
                span,
                category: top.category,
                sentence: si,
                score: top.prob,
                negated,
                attribution: None,
            });
        }
    }
    doc.hedges.extend(new);
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::tests::{default_lexicon_path, real_tokenize};
    use crate::HedgeStage;
    use HedgeCategory::*;

    fn stage() -> &'static HedgeStage {
        static S: std::sync::OnceLock<HedgeStage> = std::sync::OnceLock::new();
        S.get_or_init(|| {
            HedgeStage::new(Some(Lexicon::load(default_lexicon_path()).unwrap()), None)
        })
    }

    /// Run the stage on `text` with the model saying `(word, prob, category, begin)` for the
    /// first token spelt `word`; every hedge as (text, category, score, negated).
    fn run(
        text: &str,
        model: &[(&str, f32, HedgeCategory, bool)],
    ) -> Vec<(String, HedgeCategory, f32, bool)> {
        let mut doc = Document::new("t", text);
        real_tokenize(&mut doc);
        let mut cues = vec![TokenCue::NONE; doc.tokens.len()];
        for &(w, prob, category, begin) in model {
            let i = (0..doc.tokens.len())
                .find(|&i| doc.token_text(i) == w)
                .unwrap_or_else(|| panic!("no token {w} in {text}"));
            cues[i] = TokenCue {
                prob,
                begin,
                category,
            };
        }
        stage().annotate_with_cues(&mut doc, &cues, 0.5);
        for h in &doc.hedges {
            assert!(doc.sentences[h.sentence].span.contains(h.span));
        }
        doc.hedges
            .iter()
            .map(|h| {
                (
                    h.span.slice(&doc.text).to_string(),
                    h.category,
                    h.score,
                    h.negated,
                )
            })
            .collect()
    }

    fn texts(hs: &[(String, HedgeCategory, f32, bool)]) -> Vec<&str> {
        hs.iter().map(|h| h.0.as_str()).collect()
    }

    #[test]
    fn lexicon_cues_stand_and_deferred_ones_need_the_model() {
        // No model cue: `might` stands (not deferred), `if` (deferred) does not.
        let hs = run("He might resign if pressed.", &[]);
        assert_eq!(hs, [("might".to_string(), Epistemic, 1.0, false)]);
        // The model tags `if`: it stands, with the model's probability.
        let hs = run(
            "He might resign if pressed.",
            &[("if", 0.9, Condition, true)],
        );
        assert_eq!(texts(&hs), ["might", "if"]);
        assert_eq!((hs[1].1, hs[1].2), (Condition, 0.9));
        // Below the threshold the deferred match stays out.
        let hs = run(
            "He might resign if pressed.",
            &[("if", 0.4, Condition, true)],
        );
        assert_eq!(texts(&hs), ["might"]);
    }

    #[test]
    fn categories_come_from_the_model_except_for_unscored_lexicon_cues() {
        // A scored lexicon match the model tags takes the model's category, keeps its score.
        let hs = run("He might resign.", &[("might", 0.8, Doxastic, true)]);
        assert_eq!(hs, [("might".to_string(), Doxastic, 1.0, false)]);
        // An evidential match keeps its category and is not doubled by the model's cue.
        let hs = run(
            "Officials reportedly left.",
            &[("reportedly", 0.9, Epistemic, true)],
        );
        assert_eq!(hs, [("reportedly".to_string(), Evidential, 1.0, false)]);
        // A cue the lexicon lacks gets the model's category and probability.
        let hs = run(
            "In our view the plan fails.",
            &[("view", 0.7, Doxastic, true)],
        );
        assert_eq!(hs, [("view".to_string(), Doxastic, 0.7, false)]);
        // Modal cues still get their category from the sentence.
        let hs = run(
            "The bill would require audits.",
            &[("would", 0.9, Condition, true)],
        );
        assert_eq!(hs[0].1, Epistemic);
        let hs = run(
            "If it passes, the bill would require audits.",
            &[
                ("would", 0.9, Epistemic, true),
                ("If", 0.9, Condition, true),
            ],
        );
        assert_eq!(texts(&hs), ["If", "would"]);
        assert!(hs.iter().all(|h| h.1 == Condition));
    }

    #[test]
    fn the_news_prior_for_would_applies_to_the_model() {
        // A bare hypothesis is a cue even when the model reads *would* as past ...
        let hs = run(
            "The merger would create the largest producer.",
            &[("would", 0.1, Condition, true)],
        );
        assert_eq!(hs, [("would".to_string(), Epistemic, 0.5, false)]);
        // ... reported speech is not.
        let hs = run("He said it would rain.", &[("would", 0.1, Condition, true)]);
        assert!(hs.is_empty(), "{hs:?}");
    }

    #[test]
    fn negation_vetoes_and_cue_boundaries() {
        // The lexicon's negation rule applies to the model's cues ...
        let hs = run(
            "We need not fear the vote.",
            &[("fear", 0.8, Doxastic, true)],
        );
        assert_eq!(hs, [("fear".to_string(), Doxastic, 0.8, true)]);
        // ... except to certainty words, whose negation is the hedge.
        let hs = run("It is not clear.", &[("clear", 0.8, Epistemic, true)]);
        assert!(hs.iter().any(|h| h.0.contains("clear") && !h.3), "{hs:?}");
        // A token a lexicon rule vetoed (the month May) is never a cue.
        let hs = run("The vote is in May 2025.", &[("May", 0.9, Epistemic, true)]);
        assert!(hs.is_empty(), "{hs:?}");
        // Adjacent cue tokens form one cue unless the next one begins a cue.
        let hs = run(
            "It foo bar baz now.",
            &[
                ("foo", 0.9, Epistemic, true),
                ("bar", 0.6, Epistemic, false),
                ("baz", 0.9, Doxastic, true),
            ],
        );
        assert_eq!(texts(&hs), ["foo bar", "baz"]);
        assert_eq!((hs[0].2, hs[1].1), (0.9, Doxastic));
    }

    #[test]
    fn short_or_empty_model_output_never_panics() {
        let mut doc = Document::new("t", "He might resign if pressed. Maybe.");
        real_tokenize(&mut doc);
        for cues in [
            vec![],
            vec![TokenCue::NONE; 2],
            vec![
                TokenCue {
                    prob: 1.0,
                    begin: true,
                    category: Weasel
                };
                50
            ],
        ] {
            stage().annotate_with_cues(&mut doc, &cues, 0.5);
            for h in &doc.hedges {
                assert!(doc.text.is_char_boundary(h.span.start) && h.span.end <= doc.text.len());
            }
        }
    }
}
