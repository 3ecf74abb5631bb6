//! Word normalisation: lower-casing (full Unicode, with an ASCII fast path) and folding
//! apostrophe-like characters to `'`, allocation-free where it matters.
//!
//! The crates differ in which apostrophes they fold, and the difference reaches shipped
//! models (hashed words, lexicon keys), so the fold is always explicit ([`Apostrophes`]):
//!
//! * `caveat-hedge` (lexicon and tagger): [`Apostrophes::QuotesAndModifier`];
//! * `caveat-attribution` (cue lexicon, word hash): [`Apostrophes::Quotes`];
//! * `caveat-ner` (lower-cased word feature): [`Apostrophes::Keep`].

/// Which apostrophe-like characters become `'` (U+0027).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Apostrophes {
    /// None: plain lower-casing.
    Keep,
    /// The typographic quotes `’` (U+2019) and `‘` (U+2018).
    Quotes,
    /// The typographic quotes and the modifier letter apostrophe `ʼ` (U+02BC).
    QuotesAndModifier,
}

impl Apostrophes {
    /// Whether this fold turns `c` into `'`.
    #[inline]
    pub fn folds(self, c: char) -> bool {
        match self {
            Apostrophes::Keep => false,
            Apostrophes::Quotes => matches!(c, '\u{2019}' | '\u{2018}'),
            Apostrophes::QuotesAndModifier => matches!(c, '\u{2019}' | '\u{2018}' | '\u{02BC}'),
        }
    }
}

/// The normalised form of one character: `'` for a folded apostrophe, else its lowercase
/// (one to three characters).
///
/// No character lower-cases to one of the apostrophes, so folding before or after
/// lower-casing gives the same result (a test checks every `char`).
#[inline]
pub fn fold_char(c: char, apostrophes: Apostrophes) -> std::char::ToLowercase {
    if apostrophes.folds(c) { '\'' } else { c }.to_lowercase()
}

/// Normalise `s` into `buf` (cleared first).
#[inline]
pub fn lower_into(s: &str, apostrophes: Apostrophes, buf: &mut String) {
    buf.clear();
    if s.is_ascii() {
        buf.push_str(s);
        buf.make_ascii_lowercase();
    } else {
        buf.extend(s.chars().flat_map(|c| fold_char(c, apostrophes)));
    }
}

/// The normalised form of `s`: `s` itself when normalising would not change it (ASCII
/// without capitals), else the form written into `buf`.
#[inline]
pub fn lower<'a>(s: &'a str, apostrophes: Apostrophes, buf: &'a mut String) -> &'a str {
    if !s.bytes().any(|b| b.is_ascii_uppercase() || b >= 0x80) {
        return s;
    }
    lower_into(s, apostrophes, buf);
    buf
}

/// The normalised form of `s`, as a new string.
pub fn lowercase(s: &str, apostrophes: Apostrophes) -> String {
    let mut out = String::with_capacity(s.len());
    lower_into(s, apostrophes, &mut out);
    out
}

/// A word as a lexicon stores it: whitespace trimmed, lower-cased, the typographic quotes and
/// U+02BC made `'` ([`Apostrophes::QuotesAndModifier`]; `caveat-hedge`'s lexicon words).
pub fn normalize_word(w: &str) -> String {
    lowercase(w.trim(), Apostrophes::QuotesAndModifier)
}

/// If the normalised form of `token` is a prefix of `word` (already normalised with the same
/// fold), the number of bytes of `word` it covers; `None` otherwise or when `token` is empty.
#[inline]
pub fn eq_lower_prefix(token: &str, word: &str, apostrophes: Apostrophes) -> Option<usize> {
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
        for lc in fold_char(c, apostrophes) {
            let enc = lc.encode_utf8(&mut tmp);
            rest = rest.strip_prefix(&*enc)?;
        }
    }
    Some(word.len() - rest.len())
}

#[cfg(test)]
mod tests {
    use super::*;
    use Apostrophes::*;

    #[test]
    fn lowercasing_and_folds() {
        let mut b = String::new();
        lower_into("MAY", QuotesAndModifier, &mut b);
        assert_eq!(b, "may");
        lower_into("DON\u{2019}T Éclair", QuotesAndModifier, &mut b);
        assert_eq!(b, "don't éclair");
        lower_into("\u{2018}Tis DON\u{02BC}T", QuotesAndModifier, &mut b);
        assert_eq!(b, "'tis don't");
        lower_into("\u{2018}Tis DON\u{02BC}T", Quotes, &mut b);
        assert_eq!(b, "'tis don\u{02BC}t");
        lower_into("\u{2018}Tis DON\u{02BC}T", Keep, &mut b);
        assert_eq!(b, "\u{2018}tis don\u{02BC}t");
        // One capital can become several characters.
        assert_eq!(lowercase("İ", Keep), "i\u{307}");
        assert_eq!(normalize_word("  Don\u{02BC}t \n"), "don't");
        assert_eq!(lowercase(" A ", Quotes), " a ", "lowercase does not trim");
    }

    #[test]
    fn lower_borrows_when_nothing_changes() {
        let mut b = String::from("junk");
        let s = "already lower";
        assert!(std::ptr::eq(lower(s, Keep, &mut b), s));
        assert_eq!(lower("Paris", Keep, &mut b), "paris");
        assert_eq!(lower("été", Keep, &mut b), "été");
        assert_eq!(lower("don\u{2019}t", Quotes, &mut b), "don't");
    }

    #[test]
    fn prefixes() {
        let p = |t, w| eq_lower_prefix(t, w, QuotesAndModifier);
        assert_eq!(p("Alleged", "alleged"), Some(7));
        assert_eq!(p("do", "don't"), Some(2));
        assert_eq!(p("n\u{2019}t", "n't"), Some(3));
        assert_eq!(p("n\u{02BC}t", "n't"), Some(3));
        assert_eq!(eq_lower_prefix("n\u{02BC}t", "n't", Quotes), None);
        assert_eq!(p("ÉCLAIR", "éclair"), Some("éclair".len()));
        assert_eq!(p("mayor", "may"), None);
        assert_eq!(p("", "may"), None);
    }

    #[test]
    fn folding_commutes_with_lowercasing_for_every_char() {
        // attribution lower-cased first and folded after, hedge the other way round.
        for c in (0..=0x10FFFFu32).filter_map(char::from_u32) {
            for ap in [Quotes, QuotesAndModifier] {
                let fold_first: String = fold_char(c, ap).collect();
                let lower_first: String = c
                    .to_lowercase()
                    .map(|l| if ap.folds(l) { '\'' } else { l })
                    .collect();
                assert_eq!(fold_first, lower_first, "{c:?}");
            }
            if c.is_ascii() {
                assert_eq!(
                    fold_char(c, Keep).collect::<String>(),
                    c.to_ascii_lowercase().to_string()
                );
            }
        }
    }
}
