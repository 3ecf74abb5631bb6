//! Decoding: cue probabilities per token, and turning positive tokens and deferred lexicon
//! matches into hedges.

use caveat_core::{Document, Hedge, HedgeCategory, Span};
use caveat_text::hash::{fx_hash_str, fx_step};
use caveat_text::normalize::{lower_into, Apostrophes};

use super::features::{features, lexicon_token_categories};
use super::features::{FeatureExtractor, DOMAIN_ALL};
use super::Tagger;
use crate::context::SentenceContext;
use crate::{Lexicon, LexiconMatch};

/// Words after which *would* is no hypothesis (counterfactual past, politeness, preference).
const NOT_HYPOTHETICAL_AFTER: &[&str] = &["have", "'ve", "like", "rather", "love", "prefer"];

/// Adverbs after which (or after *would not*) *would* narrates a later event or a habit of
/// the past (*he would later become*, *she would often perform*): never a cue. In the
/// Szeged corpora such a *would* is a cue once in 34.
const NARRATIVE_AFTER: &[&str] = &[
    "later",
    "eventually",
    "subsequently",
    "finally",
    "soon",
    "often",
    "usually",
    "sometimes",
    "typically",
    "frequently",
];

/// The name of the lexicon rule that marks the tagger's cues negated.
pub(crate) const NEGATION_RULE: &str = "negation";

/// Words whose negation expresses uncertainty rather than cancelling it (*not clear*, *not
/// sure*): a tagger cue starting with one of them is never marked negated.
pub(crate) const CERTAINTY: &[&str] = &[
    "clear",
    "certain",
    "certainly",
    "certainty",
    "sure",
    "known",
    "understood",
    "proven",
    "proved",
    "confirmed",
    "established",
    "evident",
    "obvious",
    "definite",
    "definitely",
    "necessarily",
    "conclusive",
    "conclusively",
];

impl Tagger {
    /// Cue probability of every token (0 for non-candidates) of a tokenized document, given
    /// the lexicon's matches in it (features, and candidates besides the learned cue list).
    pub fn token_probs(&self, doc: &Document, lex_matches: &[LexiconMatch], out: &mut Vec<f32>) {
        out.clear();
        out.resize(doc.tokens.len(), 0.0);
        let lexcat = lexicon_token_categories(doc.tokens.len(), lex_matches);
        let mut fx = FeatureExtractor::default();
        let mut feat = String::new();
        for s in &doc.sentences {
            for i in s.tokens.clone() {
                let Some(ctx) = fx.candidate(&doc.text, &doc.tokens, s, i, &self.cues, &lexcat)
                else {
                    continue;
                };
                let mut score = 0.0f32;
                let domain = self.domain;
                features(&ctx, &mut feat, &mut |f| {
                    let b = fx_hash_str(f);
                    score += self
                        .weights
                        .get(&fx_step(b, DOMAIN_ALL as u64 + 1))
                        .unwrap_or(&0.0);
                    score += self
                        .weights
                        .get(&fx_step(b, domain as u64 + 1))
                        .unwrap_or(&0.0);
                });
                out[i] = sigmoid(self.meta.scale as f32 * score + self.meta.bias as f32);
            }
        }
    }

    /// News prior for *would* (see [`hypothetical_would`]) at this tagger's threshold.
    fn hypothetical_would(&self, doc: &Document, probs: &mut [f32]) {
        hypothetical_would(doc, probs, self.threshold, true);
    }

    /// Add the tagger's cues to `doc.hedges` (which holds the lexicon's): adjacent positive
    /// tokens form one cue; a cue overlapping a lexicon hedge of a scored category is left
    /// out (the lexicon's stands); tokens in `vetoed` (token ranges of matches a lexicon rule
    /// vetoed, from [`Lexicon::find_with_vetoed`]) are never cues. Categories come from the
    /// lexicon, else the learned list.
    pub fn add_cues(
        &self,
        doc: &mut Document,
        lexicon: Option<&Lexicon>,
        lex: &[LexiconMatch],
        vetoed: &[std::ops::Range<usize>],
    ) {
        let mut probs = Vec::new();
        self.token_probs(doc, lex, &mut probs);
        self.hypothetical_would(doc, &mut probs);
        for r in vetoed {
            for p in probs.get_mut(r.clone()).into_iter().flatten() {
                *p = 0.0;
            }
        }
        let mut consumed = vec![false; probs.len()];
        let mut new = Vec::new();
        // A span is taken by an overlapping scored hedge, or by any hedge on exactly that
        // span (an evidential "reportedly" must not come out twice).
        let taken = |hs: &[Hedge], span: Span| {
            hs.iter()
                .any(|h| h.span == span || (crate::is_scored(h.category) && h.span.overlaps(span)))
        };
        // Deferred lexicon matches: the tagger decides; the match keeps its span and category.
        for m in lex.iter().filter(|m| m.defer) {
            let p = probs
                .get(m.tokens.clone())
                .map_or(0.0, |ps| ps.iter().fold(0.0f32, |a, &b| a.max(b)));
            if p < self.threshold || taken(&doc.hedges, m.span) || taken(&new, m.span) {
                continue;
            }
            for c in consumed.get_mut(m.tokens.clone()).into_iter().flatten() {
                *c = true;
            }
            new.push(Hedge {
                span: m.span,
                category: m.category,
                sentence: m.sentence,
                score: p,
                negated: m.negated,
                attribution: None,
            });
        }
        let mut buf = String::new();
        for (si, s) in doc.sentences.iter().enumerate() {
            let end = s.tokens.end.min(probs.len());
            let mut i = s.tokens.start;
            while i < end {
                if probs[i] < self.threshold || consumed[i] {
                    i += 1;
                    continue;
                }
                let start = i;
                let mut p = probs[i];
                while i + 1 < end && probs[i + 1] >= self.threshold && !consumed[i + 1] {
                    i += 1;
                    p = p.max(probs[i]);
                }
                let span = Span::new(doc.tokens[start].span.start, doc.tokens[i].span.end);
                i += 1;
                if taken(&doc.hedges, span) || taken(&new, span) {
                    continue;
                }
                lower_into(
                    doc.tokens[start].span.slice(&doc.text),
                    Apostrophes::QuotesAndModifier,
                    &mut buf,
                );
                let category = lexicon
                    .and_then(|l| l.category_of(&buf))
                    .or_else(|| self.cues.get(buf.as_str()).map(|c| c.category))
                    .unwrap_or(HedgeCategory::Epistemic);
                // The lexicon's `negation` rule applies to the tagger's own cues too (*need
                // not fear*), except to certainty words, whose negation is the hedge (*not
                // clear*, *not certain*).
                let negated = !CERTAINTY.contains(&buf.as_str())
                    && lexicon.is_some_and(|l| {
                        l.rule_holds(
                            NEGATION_RULE,
                            &doc.text,
                            &doc.tokens,
                            s.tokens.clone(),
                            start..i,
                            &mut buf,
                        )
                        .unwrap_or(false)
                    });
                new.push(Hedge {
                    span,
                    category,
                    sentence: si,
                    score: p,
                    negated,
                    attribution: None,
                });
            }
        }
        doc.hedges.extend(new);
    }
}

/// News prior for *would*: the training corpora (Wikipedia, biomedical text) use it mostly
/// for the past (*he would later become*), news mostly for hypotheses (*the bill would
/// require*, *that would be a mistake*). A *would* below `threshold` in a sentence with no
/// conditional marker, no reporting or cognition verb, no past auxiliary before it and no
/// year, and not before *have*, *like*, *rather*, *love*, *prefer* (counterfactual past,
/// politeness, preference), is raised to the threshold. A *would* that narrates
/// ([`NARRATIVE_AFTER`]: *would later*, *would often*) is no cue whatever its probability.
/// With `candidates_only`, only tokens with a probability above 0 (the perceptron's
/// candidates) are considered.
pub(crate) fn hypothetical_would(
    doc: &Document,
    probs: &mut [f32],
    threshold: f32,
    candidates_only: bool,
) {
    let mut ctx = SentenceContext::default();
    let mut buf = String::new();
    let word = |i: usize, buf: &mut String| {
        buf.clear();
        if let Some(t) = doc.tokens.get(i) {
            lower_into(t.span.slice(&doc.text), Apostrophes::QuotesAndModifier, buf);
        }
    };
    for s in &doc.sentences {
        for i in s.tokens.clone() {
            // A candidate (when asked), spelt *would*.
            if !matches!(probs.get(i), Some(&p) if p > 0.0 || !candidates_only)
                || !doc.tokens[i]
                    .span
                    .slice(&doc.text)
                    .eq_ignore_ascii_case("would")
            {
                continue;
            }
            if i + 1 < s.tokens.end {
                word(i + 1, &mut buf);
                if matches!(buf.as_str(), "not" | "n't") && i + 2 < s.tokens.end {
                    word(i + 2, &mut buf);
                }
                if NARRATIVE_AFTER.contains(&buf.as_str()) {
                    probs[i] = 0.0;
                    continue;
                }
                word(i + 1, &mut buf);
                if NOT_HYPOTHETICAL_AFTER.contains(&buf.as_str()) {
                    continue;
                }
            }
            if probs[i] >= threshold {
                continue;
            }
            ctx.fill(&doc.text, &doc.tokens, s.tokens.clone());
            if ctx.bare_hypothesis(i) {
                probs[i] = threshold;
            }
        }
    }
}

#[inline]
pub(crate) fn sigmoid(x: f32) -> f32 {
    1.0 / (1.0 + (-x).exp())
}
