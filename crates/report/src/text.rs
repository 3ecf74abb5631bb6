//! Offsets: code points ↔ UTF-8 bytes ↔ UTF-16 units, and name normalisation.

/// Maps code-point offsets of one text to byte and UTF-16 offsets in O(log n) each.
///
/// ASCII texts need no table; otherwise one `usize` per character is kept (texts are bounded by
/// caveat's `--max-doc-bytes`).
pub(crate) struct TextIndex<'a> {
    text: &'a str,
    len_chars: usize,
    /// Byte offset of every character, plus `text.len()`; empty for ASCII texts.
    bytes: Vec<usize>,
    /// Code-point offsets of characters outside the BMP (two UTF-16 units each).
    astral: Vec<usize>,
}

impl<'a> TextIndex<'a> {
    pub(crate) fn new(text: &'a str) -> Self {
        if text.is_ascii() {
            return TextIndex {
                text,
                len_chars: text.len(),
                bytes: Vec::new(),
                astral: Vec::new(),
            };
        }
        let mut bytes = Vec::with_capacity(text.len() + 1);
        let mut astral = Vec::new();
        for (i, (b, c)) in text.char_indices().enumerate() {
            bytes.push(b);
            if c.len_utf16() == 2 {
                astral.push(i);
            }
        }
        let len_chars = bytes.len();
        bytes.push(text.len());
        TextIndex {
            text,
            len_chars,
            bytes,
            astral,
        }
    }

    /// Number of code points.
    pub(crate) fn len_chars(&self) -> usize {
        self.len_chars
    }

    /// Byte offset of code point `cp` (clamped to the end of the text).
    pub(crate) fn byte_of(&self, cp: usize) -> usize {
        let cp = cp.min(self.len_chars);
        if self.bytes.is_empty() {
            cp
        } else {
            self.bytes[cp]
        }
    }

    /// The code point at or after byte `b` (clamped).
    pub(crate) fn char_of_byte(&self, b: usize) -> usize {
        if self.bytes.is_empty() {
            b.min(self.len_chars)
        } else {
            self.bytes.partition_point(|&x| x < b).min(self.len_chars)
        }
    }

    /// UTF-16 offset of code point `cp` (what JavaScript's `String.slice` takes).
    pub(crate) fn utf16_of(&self, cp: usize) -> usize {
        let cp = cp.min(self.len_chars);
        cp + self.astral.partition_point(|&a| a < cp)
    }

    /// The text between two code-point offsets (clamped; empty when `end <= start`).
    pub(crate) fn slice(&self, start: usize, end: usize) -> &'a str {
        let s = self.byte_of(start);
        let e = self.byte_of(end).max(s);
        &self.text[s..e]
    }

    /// The character at code point `cp`.
    pub(crate) fn char_at(&self, cp: usize) -> Option<char> {
        if cp >= self.len_chars {
            return None;
        }
        self.text[self.byte_of(cp)..].chars().next()
    }
}

/// Normalise a source or entity name: whitespace collapsed, surrounding quotes and punctuation,
/// a leading "the" and a trailing possessive removed. Returns `(key, display)` where `key` is
/// the lower-cased display form.
pub(crate) fn normalize_name(name: &str) -> (String, String) {
    let mut display = String::with_capacity(name.len());
    for word in name.split_whitespace() {
        if !display.is_empty() {
            display.push(' ');
        }
        display.push_str(word);
    }
    let trim = |s: &str| -> String {
        s.trim_matches(|c: char| !c.is_alphanumeric() && c != '.' && c != '&' && c != ')')
            .to_string()
    };
    let mut display = trim(&display);
    for prefix in ["the ", "The ", "THE "] {
        if let Some(rest) = display.strip_prefix(prefix) {
            display = rest.to_string();
            break;
        }
    }
    for suffix in ["'s", "\u{2019}s"] {
        if let Some(rest) = display.strip_suffix(suffix) {
            display = rest.to_string();
            break;
        }
    }
    let display = trim(&display);
    (display.to_lowercase(), display)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn offsets_in_all_units() {
        let text = "a\u{e9}\u{1f684}b"; // a é 🚄 b
        let ix = TextIndex::new(text);
        assert_eq!(ix.len_chars(), 4);
        assert_eq!(ix.byte_of(3), 7);
        assert_eq!(ix.utf16_of(3), 4);
        assert_eq!(ix.utf16_of(4), 5);
        assert_eq!(ix.slice(2, 4), "\u{1f684}b");
        assert_eq!(ix.char_of_byte(3), 2);
        assert_eq!(ix.char_at(2), Some('\u{1f684}'));
        assert_eq!(ix.slice(3, 99), "b");
        assert_eq!(ix.slice(3, 1), "");
        let ascii = TextIndex::new("abc");
        assert_eq!(
            (ascii.byte_of(9), ascii.utf16_of(2), ascii.slice(1, 3)),
            (3, 2, "bc")
        );
    }

    #[test]
    fn names_are_normalised() {
        assert_eq!(normalize_name("the  NIS").0, "nis");
        assert_eq!(normalize_name("South Korea's").1, "South Korea");
        assert_eq!(normalize_name(" \"Reuters,\" ").1, "Reuters");
        assert_eq!(normalize_name("U.S.").1, "U.S.");
        assert_eq!(normalize_name("").0, "");
    }
}
