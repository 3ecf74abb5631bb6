//! Clean-ups of assembled relations that both backends share (the perceptron path and the
//! tagger path): a second cue coordinated with a first (`X said A but clarified B`, `said A and
//! added that B`) ends the first one's content and takes its source; a source never ends in an
//! auxiliary or a comma (`[The United Nations has] backed`) and is never a number, a content
//! never ends in a dangling conjunction or comma (`«... a 'military operation,' but»`).

use caveat_core::{Attribution, Document, Span};

use super::features::DocFeatures;
use super::words::{C_ADV, C_AUX, C_CONJ};

/// Apply the clean-ups to `out`, the relations of `doc` in text order.
pub(crate) fn tidy(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
    share_coordinated(doc, df, out);
    for a in out.iter_mut() {
        if let Some(c) = a.content {
            a.content = Some(trim_content(&doc.text, c));
        }
        if let Some(s) = a.source {
            let s = trim_source(doc, df, s);
            // A number or a mark is nobody (`[19.45] see`).
            if s.slice(&doc.text).chars().any(char::is_alphabetic) {
                a.source = Some(s);
            } else {
                a.source = None;
                a.vague = true;
            }
        }
    }
}

/// The index of the token that starts at byte `at`, if one does.
fn token_at(doc: &Document, at: usize) -> Option<usize> {
    let k = doc.tokens.partition_point(|t| t.span.start < at);
    (doc.tokens.get(k)?.span.start == at).then_some(k)
}

/// `X said A but clarified B`: when a cue follows `and`/`but` (adverbs such as `also` may come
/// between) right where the content of an earlier cue of its sentence reaches (or inside it),
/// nothing names another subject, so both cues share the earlier source, and the earlier
/// content ends before the conjunction.
fn share_coordinated(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
    let t = &df.toks;
    for b in 1..out.len() {
        let Some(cue) = out[b].cue else { continue };
        let Some(k) = token_at(doc, cue.start) else {
            continue;
        };
        let mut j = k;
        while j > 0 && t[j - 1].class == C_ADV {
            j -= 1;
        }
        if j == 0 || t[j - 1].class != C_CONJ {
            continue;
        }
        let conj = doc.tokens[j - 1].span.slice(&doc.text);
        if !matches!(conj, "and" | "but") {
            continue;
        }
        // The content ends at the token before the conjunction (and its comma).
        let mut end = j - 1;
        if end > 0 && doc.tokens[end - 1].span.slice(&doc.text) == "," {
            end -= 1;
        }
        if end == 0 {
            continue;
        }
        // The earlier relation: its content reaches the conjunction (or runs over it).
        let before = doc.tokens[end - 1].span.end;
        let Some(a) = (0..b).rev().find(|&a| {
            out[a].sentence == out[b].sentence
                && out[a].cue.is_some_and(|c| c.end < before)
                && out[a]
                    .content
                    .is_some_and(|c| c.start < before && c.end >= before)
        }) else {
            continue;
        };
        let content = out[a].content.expect("checked above");
        out[a].content = Some(Span::new(content.start, before));
        // The later cue's source, when it has one, was found inside the earlier content or
        // after the earlier cue: no subject of its own.
        let a_cue = out[a].cue.expect("checked above");
        if out[b].source.is_none_or(|s| s.start >= a_cue.end) {
            out[b].source = out[a].source;
            out[b].vague = out[a].vague;
        }
    }
}

/// `content` without a trailing comma, semicolon, dash or conjunction (`and`, `but`, `or`).
fn trim_content(text: &str, content: Span) -> Span {
    let mut end = content.end;
    loop {
        let s = text[content.start..end].trim_end();
        let cut = if let Some(r) = s.strip_suffix([',', ';', '—', '–']) {
            r
        } else if let Some(r) = [" and", " but", " or"]
            .iter()
            .find_map(|w| s.strip_suffix(w))
        {
            r
        } else {
            s
        };
        let cut = cut.trim_end();
        if cut.is_empty() || cut.len() == end - content.start {
            break;
        }
        end = content.start + cut.len();
    }
    Span::new(content.start, end)
}

/// `source` without trailing auxiliaries (`The United Nations has`) and commas.
fn trim_source(doc: &Document, df: &DocFeatures, source: Span) -> Span {
    let (Some(first), Some(mut last)) = (
        token_at(doc, source.start),
        doc.tokens
            .partition_point(|t| t.span.end <= source.end)
            .checked_sub(1),
    ) else {
        return source;
    };
    while last > first
        && (df.toks[last].class == C_AUX || doc.tokens[last].span.slice(&doc.text) == ",")
    {
        last -= 1;
    }
    if last < first || doc.tokens[last].span.end <= source.start {
        return source;
    }
    Span::new(source.start, doc.tokens[last].span.end.min(source.end))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn contents_lose_dangling_conjunctions_and_commas() {
        let text = "He said it was a 'military operation,' but went on.";
        let start = text.find("it").unwrap();
        let end = text.find(" went").unwrap();
        let c = trim_content(text, Span::new(start, end));
        assert_eq!(c.slice(text), "it was a 'military operation,'");
        let end = text.find(",'").unwrap() + 1;
        let c = trim_content(text, Span::new(start, end));
        assert_eq!(c.slice(text), "it was a 'military operation");
        // Nothing to trim, or nothing left but the conjunction: unchanged.
        let c = Span::new(start, text.find(" but").unwrap());
        assert_eq!(trim_content(text, c), c);
    }
}
