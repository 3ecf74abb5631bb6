//! The tokens the exports use.

use caveat_output::Record;
use unicode_general_category::{get_general_category, GeneralCategory as G};

fn is_word_char(c: char) -> bool {
    c.is_alphanumeric()
        || c == '_'
        || matches!(
            get_general_category(c),
            G::NonspacingMark | G::SpacingMark | G::EnclosingMark
        )
}

/// Fallback tokenizer on `chars[start..end]`: a token is a maximal run of letters, digits,
/// combining marks and `_`, or any other single non-whitespace character.
fn fallback(chars: &[char], start: usize, end: usize, out: &mut Vec<(usize, usize)>) {
    let mut i = start;
    while i < end {
        let c = chars[i];
        if c.is_whitespace() {
            i += 1;
        } else if is_word_char(c) {
            let s = i;
            while i < end && is_word_char(chars[i]) {
                i += 1;
            }
            out.push((s, i));
        } else {
            out.push((i, i + 1));
            i += 1;
        }
    }
}

/// The tokens of a record as the exports (CoNLL, spaCy) write them, as code-point spans:
///
/// 1. the record's `tokens` layer when it has one (sorted; empty, overlapping or
///    whitespace-only tokens dropped); text the layer leaves out and that is not whitespace
///    is tokenized by the fallback below; without a token layer the fallback does it all:
///    a token is a maximal run of letters, digits, combining marks and `_`, or any other
///    single non-whitespace character (so `Korea's` is `Korea`, `'`, `s`);
/// 2. then every token is split where an annotation (sentence, entity, hedge cue, attribution
///    source / cue / content) starts or ends inside it, so that every annotation covers whole
///    tokens.
///
/// No token contains whitespace unless the token layer says so.
pub fn export_tokens(record: &Record) -> Vec<(usize, usize)> {
    let chars: Vec<char> = record.text.chars().collect();
    let n = chars.len();
    let mut base: Vec<(usize, usize)> = Vec::new();
    match &record.tokens {
        Some(layer) if !layer.is_empty() => {
            let mut spans: Vec<(usize, usize)> = layer
                .iter()
                .map(|t| (t.start.min(n), t.end.min(n)))
                .filter(|&(s, e)| s < e && chars[s..e].iter().any(|c| !c.is_whitespace()))
                .collect();
            spans.sort_unstable();
            let mut pos = 0;
            for (s, e) in spans {
                if s < pos {
                    continue;
                }
                fallback(&chars, pos, s, &mut base);
                base.push((s, e));
                pos = e;
            }
            fallback(&chars, pos, n, &mut base);
        }
        _ => fallback(&chars, 0, n, &mut base),
    }

    let mut cuts: Vec<usize> = Vec::new();
    cuts.extend(record.sentences.iter().flat_map(|s| [s.start, s.end]));
    cuts.extend(record.entities.iter().flat_map(|e| [e.start, e.end]));
    cuts.extend(record.hedges.iter().flat_map(|h| [h.start, h.end]));
    for a in &record.attributions {
        for p in [&a.source, &a.cue, &a.content].into_iter().flatten() {
            cuts.extend([p.start, p.end]);
        }
    }
    cuts.sort_unstable();
    cuts.dedup();

    let mut out = Vec::with_capacity(base.len());
    for (mut s, e) in base {
        let mut i = cuts.partition_point(|&c| c <= s);
        while i < cuts.len() && cuts[i] < e {
            out.push((s, cuts[i]));
            s = cuts[i];
            i += 1;
        }
        out.push((s, e));
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    #[test]
    fn fallback_splits_words_and_punctuation_and_annotations() {
        let r = Record::from_json_line(
            r#"{"text":"Korea's  spy-agency\u0928\u093f said: ok","entities":[{"start":13,"end":15,"label":"X"}]}"#,
            1,
            OffsetUnit::Chars,
        )
        .unwrap();
        let toks: Vec<String> = export_tokens(&r)
            .into_iter()
            .map(|(s, e)| r.text.chars().skip(s).take(e - s).collect())
            .collect();
        let expected = [
            "Korea",
            "'",
            "s",
            "spy",
            "-",
            "ag",
            "ency\u{928}\u{93f}",
            "said",
            ":",
            "ok",
        ];
        assert_eq!(toks, expected);
    }

    #[test]
    fn layer_tokens_are_split_at_entity_boundaries_and_gaps_filled() {
        let r = Record::from_json_line(
            r#"{"text":"NewYork is #1","tokens":[{"start":0,"end":7},{"start":8,"end":10},{"start":2,"end":4}],
               "entities":[{"start":3,"end":7,"label":"LOC"}]}"#,
            1,
            OffsetUnit::Chars,
        )
        .unwrap();
        assert_eq!(
            export_tokens(&r),
            [(0, 3), (3, 7), (8, 10), (11, 12), (12, 13)]
        );
    }

    #[test]
    fn empty_text() {
        let r = Record::from_json_line(r#"{"text":""}"#, 1, OffsetUnit::Chars).unwrap();
        assert!(export_tokens(&r).is_empty());
    }
}
