//! Byte offsets to human positions: 1-based line and column, the column counted in
//! characters (what editors show), for error messages about configuration and model files.

/// The 1-based line and column (in characters) of byte `pos` of `text`.
///
/// A `pos` past the end is the end of the text; a `pos` inside a multi-byte character is the
/// start of that character. Lines end at `\n` (a `\r` before it counts as a character of its
/// line).
pub fn line_col(text: &str, pos: usize) -> (usize, usize) {
    let mut p = pos.min(text.len());
    while !text.is_char_boundary(p) {
        p -= 1;
    }
    let before = &text[..p];
    let line = before.matches('\n').count() + 1;
    let line_start = before.rfind('\n').map_or(0, |i| i + 1);
    (line, before[line_start..].chars().count() + 1)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lines_and_columns() {
        let t = "ab\ncdé\n\nx";
        assert_eq!(line_col(t, 0), (1, 1));
        assert_eq!(line_col(t, 2), (1, 3), "the newline itself");
        assert_eq!(line_col(t, 3), (2, 1));
        assert_eq!(line_col(t, 5), (2, 3), "é");
        assert_eq!(line_col(t, 6), (2, 3), "inside é: its start");
        assert_eq!(line_col(t, 7), (2, 4), "columns count characters");
        assert_eq!(line_col(t, 8), (3, 1), "empty line");
        assert_eq!(line_col(t, 9), (4, 1));
        assert_eq!(line_col(t, 10), (4, 2), "end of text");
        assert_eq!(line_col(t, 99), (4, 2), "past the end");
        assert_eq!(line_col("", 5), (1, 1));
        assert_eq!(line_col("a\r\nb", 2), (1, 3), "\\r is a character");
    }
}
