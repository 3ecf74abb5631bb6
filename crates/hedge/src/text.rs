//! Small text helpers shared by the lexicon and the tagger: allocation-free lowercasing and
//! case-insensitive comparison with an ASCII fast path.

/// Lowercase `s` into `buf` (cleared first). Curly apostrophes become `'`.
#[inline]
pub fn lower_into(s: &str, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        for c in s.chars() {
            push_lower(c, buf);
        }
    }
}

#[inline]
fn push_lower(c: char, buf: &mut String) {
    match c {
        '\u{2019}' | '\u{2018}' | '\u{02BC}' => buf.push('\''),
        c => buf.extend(c.to_lowercase()),
    }
}

/// A cue word as stored: lowercase, curly apostrophes straightened, trimmed.
pub fn normalize_word(w: &str) -> String {
    let mut s = String::with_capacity(w.len());
    lower_into(w.trim(), &mut s);
    s
}

/// If the lowercase form of `token` is a prefix of `word` (already lowercase), the number of
/// bytes of `word` it covers; `None` otherwise or when `token` is empty.
#[inline]
pub fn eq_lower_prefix(token: &str, word: &str) -> Option<usize> {
    if token.is_empty() {
        return None;
    }
    if token.is_ascii() {
        let n = token.len();
        let w = word.as_bytes().get(..n)?;
        return token.as_bytes().eq_ignore_ascii_case(w).then_some(n);
    }
    let mut rest = word;
    let mut tmp = [0u8; 4];
    for c in token.chars() {
        let mapped = match c {
            '\u{2019}' | '\u{2018}' | '\u{02BC}' => '\'',
            c => c,
        };
        for lc in mapped.to_lowercase() {
            let enc = lc.encode_utf8(&mut tmp);
            rest = rest.strip_prefix(&*enc)?;
        }
    }
    Some(word.len() - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lowercasing_and_prefixes() {
        let mut b = String::new();
        lower_into("MAY", &mut b);
        assert_eq!(b, "may");
        lower_into("DON\u{2019}T Éclair", &mut b);
        assert_eq!(b, "don't éclair");
        assert_eq!(eq_lower_prefix("Alleged", "alleged"), Some(7));
        assert_eq!(eq_lower_prefix("do", "don't"), Some(2));
        assert_eq!(eq_lower_prefix("n\u{2019}t", "n't"), Some(3));
        assert_eq!(eq_lower_prefix("ÉCLAIR", "éclair"), Some("éclair".len()));
        assert_eq!(eq_lower_prefix("mayor", "may"), None);
        assert_eq!(eq_lower_prefix("", "may"), None);
    }
}
