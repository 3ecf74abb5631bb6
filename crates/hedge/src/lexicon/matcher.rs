//! Matching: finding a lexicon's cues in tokenized text on whole-token boundaries, applying
//! the context rules (veto, negate, require) and keeping the longest match per category.

use std::ops::Range;

use caveat_core::{HedgeCategory, Sentence, Token, TokenKind};
use caveat_text::normalize::{eq_lower_prefix, lower_into, Apostrophes::QuotesAndModifier};

use super::{Condition, KindSel, Lexicon, LexiconMatch, RuleEffect};

impl KindSel {
    fn matches(self, tok: Option<&Token>) -> bool {
        match (self, tok) {
            (KindSel::None, None) => true,
            (KindSel::Word, Some(t)) => t.kind == TokenKind::Word,
            (KindSel::Number, Some(t)) => t.kind == TokenKind::Number,
            (KindSel::Punct, Some(t)) => t.kind == TokenKind::Punct,
            _ => false,
        }
    }
}

impl Lexicon {
    /// Find every cue in the sentences of a tokenized text, appending to `out` in text order.
    ///
    /// Overlapping matches of the same category keep only the longest (`it is believed`
    /// rather than `believed` when both are in one category); matches of different categories
    /// may overlap (`many believe` weasel and `believe` doxastic). Veto rules drop matches;
    /// negate rules mark them. Linear in the number of tokens; allocates nothing per token.
    pub fn find(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
    ) {
        self.find_inner(text, tokens, sentences, buf, out, None);
    }

    /// [`Lexicon::find`], also appending to `vetoed` the token ranges of matches a `veto` rule
    /// dropped, so that no other cue finder reports a hedge there either (a failed `require`
    /// rule only keeps the lexicon from firing by itself).
    pub fn find_with_vetoed(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
        vetoed: &mut Vec<Range<usize>>,
    ) {
        self.find_inner(text, tokens, sentences, buf, out, Some(vetoed));
    }

    fn find_inner(
        &self,
        text: &str,
        tokens: &[Token],
        sentences: &[Sentence],
        buf: &mut String,
        out: &mut Vec<LexiconMatch>,
        mut vetoed: Option<&mut Vec<Range<usize>>>,
    ) {
        for (si, sent) in sentences.iter().enumerate() {
            let range = sent.tokens.start.min(tokens.len())..sent.tokens.end.min(tokens.len());
            let first_new = out.len();
            for i in range.clone() {
                let tok = &tokens[i];
                if tok.kind != TokenKind::Word || tok.span.len() > self.max_key_len * 4 {
                    continue;
                }
                let Some(tt) = text.get(tok.span.range()) else {
                    continue;
                };
                lower_into(tt, QuotesAndModifier, buf);
                let Some(ids) = self.index.get(buf.as_str()) else {
                    continue;
                };
                for &id in ids {
                    let p = &self.patterns[id as usize];
                    let Some(end) = match_pattern(text, tokens, i, range.end, &p.words) else {
                        continue;
                    };
                    let mut m = LexiconMatch {
                        tokens: i..end,
                        span: caveat_core::Span::new(tok.span.start, tokens[end - 1].span.end),
                        category: p.category,
                        score: p.score,
                        negated: false,
                        sentence: si,
                        defer: p.defer,
                    };
                    match self.apply_rules(text, tokens, range.clone(), &p.rules, &mut m, buf) {
                        Ok(()) => out.push(m),
                        Err(true) => {
                            if let Some(v) = vetoed.as_deref_mut() {
                                v.push(m.tokens);
                            }
                        }
                        Err(false) => {}
                    }
                }
            }
            dedup_contained(out, first_new);
        }
    }

    /// Whether the conditions of the rule called `name` hold for the tokens `cue` of the
    /// sentence whose tokens are `sent` (`None` when the lexicon has no such rule). The
    /// stage applies the `negation` rule this way to cues the tagger found on its own.
    pub(crate) fn rule_holds(
        &self,
        name: &str,
        text: &str,
        tokens: &[Token],
        sent: Range<usize>,
        cue: Range<usize>,
        buf: &mut String,
    ) -> Option<bool> {
        let rule = self.rules.iter().find(|r| r.name == name)?;
        let sent = sent.start.min(tokens.len())..sent.end.min(tokens.len());
        if cue.start < sent.start || cue.end > sent.end || cue.is_empty() {
            return Some(false);
        }
        let m = LexiconMatch {
            span: caveat_core::Span::new(
                tokens[cue.start].span.start,
                tokens[cue.end - 1].span.end,
            ),
            tokens: cue,
            category: HedgeCategory::Epistemic,
            score: 1.0,
            negated: false,
            sentence: 0,
            defer: false,
        };
        Some(
            rule.when
                .iter()
                .any(|c| condition_holds(c, text, tokens, sent.clone(), &m, buf)),
        )
    }

    /// Apply the pattern's rules to a match: `Ok(())` to keep it, `Err(true)` when a veto
    /// rule dropped it, `Err(false)` when a require rule did.
    fn apply_rules(
        &self,
        text: &str,
        tokens: &[Token],
        sent: Range<usize>,
        rules: &[u16],
        m: &mut LexiconMatch,
        buf: &mut String,
    ) -> Result<(), bool> {
        for &r in rules {
            let rule = &self.rules[r as usize];
            let holds = rule
                .when
                .iter()
                .any(|c| condition_holds(c, text, tokens, sent.clone(), m, buf));
            match (rule.effect, holds) {
                (RuleEffect::Veto, true) => return Err(true),
                (RuleEffect::Require, false) => return Err(false),
                (RuleEffect::Negate, true) => m.negated = true,
                _ => {}
            }
        }
        Ok(())
    }
}
fn condition_holds(
    c: &Condition,
    text: &str,
    tokens: &[Token],
    sent: Range<usize>,
    m: &LexiconMatch,
    buf: &mut String,
) -> bool {
    let prev = (m.tokens.start > sent.start).then(|| &tokens[m.tokens.start - 1]);
    let next = (m.tokens.end < sent.end).then(|| &tokens[m.tokens.end]);
    if let Some(k) = c.prev_kind {
        if !k.matches(prev) {
            return false;
        }
    }
    if let Some(k) = c.next_kind {
        if !k.matches(next) {
            return false;
        }
    }
    if let Some(want) = c.sentence_initial {
        // Initial: no word token before the cue in its sentence (quotes and dashes may be).
        let initial = tokens[sent.start..m.tokens.start]
            .iter()
            .all(|t| t.kind == TokenKind::Punct);
        if initial != want {
            return false;
        }
    }
    let cap = |t: Option<&Token>| {
        t.and_then(|t| text.get(t.span.range()))
            .and_then(|s| s.chars().next())
            .is_some_and(char::is_uppercase)
    };
    for (want, tok) in [
        (c.capitalized, tokens.get(m.tokens.start)),
        (c.prev_capitalized, prev),
        (c.next_capitalized, next),
    ] {
        if want.is_some_and(|w| w != cap(tok)) {
            return false;
        }
    }
    if let Some(set) = &c.prev {
        let from = m.tokens.start.saturating_sub(c.prev_window).max(sent.start);
        let hit = tokens[from..m.tokens.start].iter().any(|t| {
            lower_into(
                text.get(t.span.range()).unwrap_or(""),
                QuotesAndModifier,
                buf,
            );
            set.contains(buf.as_str())
        });
        if !hit {
            return false;
        }
    }
    if let Some(phrases) = &c.prev_phrase {
        // A phrase ending at token `e` (exclusive) with `e + prev_window > start`.
        let start = m.tokens.start;
        let longest = phrases.iter().map(|p| p.len()).max().unwrap_or(0);
        let from = start
            .saturating_sub(c.prev_window + 2 * longest)
            .max(sent.start);
        let hit = (from..start).any(|p| {
            phrases.iter().any(|ph| {
                match_pattern(text, tokens, p, start, ph).is_some_and(|e| e + c.prev_window > start)
            })
        });
        if !hit {
            return false;
        }
    }
    if let Some(set) = &c.next {
        let Some(t) = next else { return false };
        lower_into(
            text.get(t.span.range()).unwrap_or(""),
            QuotesAndModifier,
            buf,
        );
        if !set.contains(buf.as_str()) {
            return false;
        }
    }
    true
}

/// Match `words` at token `i`; returns the end token (exclusive).
fn match_pattern(
    text: &str,
    tokens: &[Token],
    i: usize,
    limit: usize,
    words: &[Box<str>],
) -> Option<usize> {
    let glued = |a: &Token, b: &Token| {
        a.span.end == b.span.start
            && matches!(a.kind, TokenKind::Word | TokenKind::Number)
            && matches!(b.kind, TokenKind::Word | TokenKind::Number)
    };
    if i > 0 && glued(&tokens[i - 1], &tokens[i]) {
        return None;
    }
    let mut j = i;
    for (wi, w) in words.iter().enumerate() {
        let w: &str = w;
        if j >= limit {
            return None;
        }
        // Words are separated by a gap (white space) in the text; within a word tokens touch.
        if wi > 0 && tokens[j].span.start == tokens[j - 1].span.end {
            return None;
        }
        let mut off = 0;
        loop {
            if j >= limit {
                return None;
            }
            if off > 0 && tokens[j].span.start != tokens[j - 1].span.end {
                return None;
            }
            let n = eq_lower_prefix(
                text.get(tokens[j].span.range())?,
                &w[off..],
                QuotesAndModifier,
            )?;
            off += n;
            j += 1;
            if off == w.len() {
                break;
            }
        }
    }
    // Whole tokens only: no word or number token glued to either end of the match.
    if j < tokens.len() && glued(&tokens[j - 1], &tokens[j]) {
        return None;
    }
    Some(j)
}

/// Drop matches (from `out[from..]`) inside a longer or earlier identical match of the same
/// category, join those that overlap one of the same category into one cue (`is thought` and
/// `thought to` in `is thought to`: one cue for the reader), and sort them by position.
/// Linear after the sort.
fn dedup_contained(out: &mut Vec<LexiconMatch>, from: usize) {
    out[from..].sort_by_key(|m| (m.span.start, std::cmp::Reverse(m.span.end)));
    // The last kept match of each category (kept matches stay below `k`).
    let mut last = [None::<usize>; HedgeCategory::ALL.len()];
    let mut k = from;
    for j in from..out.len() {
        let c = out[j].category as usize;
        if let Some(p) = last[c] {
            if out[p].span.end >= out[j].span.end {
                continue;
            }
            if out[j].span.start < out[p].span.end {
                let (span_end, tokens_end) = (out[j].span.end, out[j].tokens.end);
                let (score, defer) = (out[j].score, out[j].defer);
                let prev = &mut out[p];
                prev.span.end = span_end;
                prev.tokens.end = tokens_end;
                prev.score = prev.score.max(score);
                prev.defer &= defer;
                continue;
            }
        }
        out.swap(k, j);
        last[c] = Some(k);
        k += 1;
    }
    out.truncate(k);
}
