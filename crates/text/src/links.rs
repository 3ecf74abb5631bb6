//! Labels of links to other articles that scraped news pages run into the text.
//!
//! Pages flattened to plain text keep their `READ MORE: <headline>` boxes inline, with no
//! line break or full stop around the headline (`... on it. READ MORE: Israel's settlement
//! bill 'big step towards annexation' The international community ...`). The sentence
//! splitter makes the label and its headline a sentence of their own; the attribution stage
//! reads no claim in them (the headline is another article's, not this one's).

/// The labels, as token sequences, colon included.
pub const LINK_LABELS: &[&[&str]] = &[
    &["READ", "MORE", ":"],
    &["Read", "more", ":"],
    &["ALSO", "READ", ":"],
    &["RELATED", ":"],
    &["WATCH", ":"],
    &["SEE", "ALSO", ":"],
];

/// The number of tokens of the link label that starts at token `i` of the `n` tokens whose
/// texts `tok` gives, if one does (and something follows it).
pub fn link_label_len<'a>(tok: impl Fn(usize) -> &'a str, i: usize, n: usize) -> Option<usize> {
    LINK_LABELS
        .iter()
        .find(|l| i + l.len() < n && l.iter().enumerate().all(|(k, w)| tok(i + k) == *w))
        .map(|l| l.len())
}

/// Longest headline after a link label, in tokens: the sentence splitter looks this far for
/// its end.
pub const MAX_HEADLINE: usize = 30;

/// Whether the sentence of tokens `range` (texts from `tok`) is a link label and its headline,
/// as the sentence splitter makes them: it starts with a label, is no longer than the label
/// and [`MAX_HEADLINE`], and has no full stop (headlines have none; when the splitter finds
/// no end for the headline, the label stays in the sentence it runs into, which the full
/// stop ends).
pub fn is_link_headline<'a>(tok: impl Fn(usize) -> &'a str, range: std::ops::Range<usize>) -> bool {
    link_label_len(&tok, range.start, range.end).is_some_and(|label| {
        range.len() <= label + MAX_HEADLINE && !range.clone().any(|k| tok(k).starts_with('.'))
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn labels_are_found_at_their_token() {
        let words = ["it", ".", "READ", "MORE", ":", "Trump", "wins"];
        let tok = |i: usize| words[i];
        assert_eq!(link_label_len(tok, 2, words.len()), Some(3));
        assert_eq!(link_label_len(tok, 3, words.len()), None);
        assert_eq!(link_label_len(tok, 0, words.len()), None);
        // A label with nothing after it labels nothing.
        assert_eq!(link_label_len(tok, 2, 5), None);
        assert!(is_link_headline(tok, 2..7));
        assert!(!is_link_headline(tok, 0..7));
        // The label run into a sentence that its full stop ends.
        let words = [
            "READ",
            "MORE",
            ":",
            "Yemen",
            "-",
            "Who",
            "controls",
            "what",
            "Residents",
            "said",
            "so",
            ".",
        ];
        assert!(!is_link_headline(|i: usize| words[i], 0..words.len()));
        let long: Vec<&str> = ["READ", "MORE", ":"]
            .into_iter()
            .chain(std::iter::repeat_n("word", MAX_HEADLINE + 1))
            .collect();
        assert!(!is_link_headline(|i: usize| long[i], 0..long.len()));
        let words = ["WATCH", ":", "Iceland"];
        assert_eq!(link_label_len(|i: usize| words[i], 0, 3), Some(2));
    }
}
