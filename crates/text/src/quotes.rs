//! Which way a straight double quote faces.
//!
//! The ASCII `"` both opens and closes a quotation. Counting them (parity) breaks at the first
//! quotation run on without its closing mark, which newswire does when a quoted paragraph is
//! followed by another (`...as well. "By making these changes...`): every mark after it is then
//! read the wrong way round. The sides of the mark tell the way in almost every case.

/// Whether the straight double quote at `start..end` of `text` opens (`Some(true)`) or closes
/// (`Some(false)`) a quotation, from its neighbours: after a space, an opening bracket, a colon
/// or a dash, and before anything else, it opens (`said "We`, `well. "By`, `("yes`); before a
/// space, punctuation or the end, and after anything else, it closes (`won." The`, `"chaos".`).
/// `None` when the neighbours do not tell (`" No . "` in pre-tokenized text, `a"b`): count
/// then.
pub fn straight_quote_opens(text: &str, start: usize, end: usize) -> Option<bool> {
    let prev = text.get(..start).and_then(|t| t.chars().next_back());
    let next = text.get(end..).and_then(|t| t.chars().next());
    let open_side = prev.is_none_or(|c| c.is_whitespace() || "([{:-\u{2013}\u{2014}".contains(c));
    let close_side =
        next.is_none_or(|c| c.is_whitespace() || ".,;:!?)]}-\u{2013}\u{2014}".contains(c));
    match (open_side, close_side) {
        (true, false) => Some(true),
        (false, true) => Some(false),
        _ => None,
    }
}

#[cfg(test)]
mod tests {
    use super::straight_quote_opens;

    /// The way of every `"` in `text`.
    fn ways(text: &str) -> Vec<Option<bool>> {
        text.match_indices('"')
            .map(|(i, _)| straight_quote_opens(text, i, i + 1))
            .collect()
    }

    #[test]
    fn sides_tell_the_way() {
        assert_eq!(ways(r#"He said "we won." Then"#), [Some(true), Some(false)]);
        assert_eq!(
            ways(r#"as "chaos". "It's"#),
            [Some(true), Some(false), Some(true)]
        );
        // A quoted paragraph run on without its closing mark: the next one still opens.
        assert_eq!(
            ways(r#""Trust matters. "By making"#),
            [Some(true), Some(true)]
        );
        assert_eq!(
            ways(r#"("yes"), said:"no""#),
            [Some(true), Some(false), Some(true), Some(false)]
        );
        assert_eq!(ways(r#"" No . ""#), [None, None]);
        assert_eq!(ways(r#"a"b"#), [None]);
        assert_eq!(ways("\""), [None]);
    }

    #[test]
    fn offsets_off_char_boundaries_or_past_the_end_do_not_panic() {
        // `é` is two bytes: offset 1 is inside it.
        assert_eq!(straight_quote_opens("é\"x", 1, 3), Some(true));
        assert_eq!(straight_quote_opens("é\"x", 99, 100), None);
    }
}
