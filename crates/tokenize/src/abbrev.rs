//! Static word lists: abbreviations that keep their period, and words that typically start a
//! sentence. Lookups are binary searches over sorted slices of short ASCII strings, done on a
//! stack buffer: no allocation.

/// How an abbreviation behaves at a possible sentence boundary.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum AbbrevClass {
    /// Titles and name prefixes (`Dr.`, `Mr.`, `Gen.`, `Mt.`, `vs.`): always followed by more of
    /// the same sentence, so never a sentence end (except before a line break).
    Title,
    /// Only an abbreviation before a number (`No. 5`, `Vol. 2`, `pp. 10`); elsewhere the
    /// period is split off as usual ("I said no.").
    BeforeNumber,
    /// Abbreviations that often end a sentence (`Inc.`, `Corp.`, `etc.`, `Jan.`, `Calif.`):
    /// a sentence ends after them when the next word is a typical sentence starter.
    Other,
}

/// Whether the first letter must be upper case for the word to count as the abbreviation
/// (`Gen.` but not `gen.`, `Mass.` but not `mass.`).
const CAP: bool = true;
const ANY: bool = false;

use AbbrevClass::{BeforeNumber as N, Other as O, Title as T};

/// Abbreviations (lower case, without the period), sorted by bytes.
static ABBREVS: &[(&str, AbbrevClass, bool)] = &[
    ("adm", T, CAP),
    ("al", O, ANY),
    ("ala", O, CAP),
    ("approx", O, ANY),
    ("apr", O, CAP),
    ("ariz", O, CAP),
    ("ark", O, CAP),
    ("art", N, ANY),
    ("assn", O, ANY),
    ("atty", T, CAP),
    ("aug", O, CAP),
    ("ave", O, CAP),
    ("bhd", O, CAP),
    ("blvd", O, CAP),
    ("brig", T, CAP),
    ("bros", O, CAP),
    ("calif", O, CAP),
    ("capt", T, CAP),
    ("cf", O, ANY),
    ("ch", N, ANY),
    ("cmdr", T, CAP),
    ("co", O, CAP),
    ("col", T, CAP),
    ("colo", O, CAP),
    ("conn", O, CAP),
    ("corp", O, ANY),
    ("cpl", T, CAP),
    ("dec", O, CAP),
    ("del", O, CAP),
    ("dept", O, ANY),
    ("det", T, CAP),
    ("dr", T, CAP),
    ("etc", O, ANY),
    ("feb", O, CAP),
    ("fig", N, ANY),
    ("figs", N, ANY),
    ("fla", O, CAP),
    ("fr", T, CAP),
    ("ft", T, CAP),
    ("ga", O, CAP),
    ("gen", T, CAP),
    ("gov", T, CAP),
    ("govs", T, CAP),
    ("hon", T, CAP),
    ("ill", O, CAP),
    ("inc", O, ANY),
    ("ind", O, CAP),
    ("insp", T, CAP),
    ("intl", O, CAP),
    ("jan", O, CAP),
    ("jr", O, CAP),
    ("jul", O, CAP),
    ("jun", O, CAP),
    ("kan", O, CAP),
    ("kans", O, CAP),
    ("ky", O, CAP),
    ("la", O, CAP),
    ("llc", O, ANY),
    ("lt", T, CAP),
    ("ltd", O, ANY),
    ("maj", T, CAP),
    ("mar", O, CAP),
    ("mass", O, CAP),
    ("md", O, CAP),
    ("messrs", T, CAP),
    ("mfg", O, CAP),
    ("mich", O, CAP),
    ("minn", O, CAP),
    ("miss", O, CAP),
    ("mlle", T, CAP),
    ("mme", T, CAP),
    ("mo", O, CAP),
    ("mont", O, CAP),
    ("mr", T, CAP),
    ("mrs", T, CAP),
    ("ms", T, CAP),
    ("msgr", T, CAP),
    ("mt", T, CAP),
    ("natl", O, CAP),
    ("neb", O, CAP),
    ("nev", O, CAP),
    ("no", N, CAP),
    ("nos", N, CAP),
    ("nov", O, CAP),
    ("oct", O, CAP),
    ("okla", O, CAP),
    ("op", N, CAP),
    ("ore", O, CAP),
    ("p", N, ANY),
    ("pa", O, CAP),
    ("para", N, ANY),
    ("penn", O, CAP),
    ("pp", N, ANY),
    ("pres", T, CAP),
    ("prof", T, CAP),
    ("pvt", T, CAP),
    ("rd", O, CAP),
    ("rep", T, CAP),
    ("reps", T, CAP),
    ("rev", T, CAP),
    ("rt", T, CAP),
    ("sec", N, ANY),
    ("sen", T, CAP),
    ("sens", T, CAP),
    ("sep", O, CAP),
    ("sept", O, CAP),
    ("sgt", T, CAP),
    ("sr", O, CAP),
    ("st", O, CAP),
    ("supt", T, CAP),
    ("tenn", O, CAP),
    ("tex", O, CAP),
    ("univ", O, ANY),
    ("v", T, ANY),
    ("va", O, CAP),
    ("viz", O, ANY),
    ("vol", N, ANY),
    ("vols", N, ANY),
    ("vs", T, ANY),
    ("vt", O, CAP),
    ("wash", O, CAP),
    ("wis", O, CAP),
    ("wyo", O, CAP),
];

/// Longest entry of [`ABBREVS`], in bytes.
const MAX_ABBREV: usize = 6;

/// The class of `word` (without its period) if it is a listed abbreviation.
pub(crate) fn lookup(word: &[u8]) -> Option<AbbrevClass> {
    if word.is_empty() || word.len() > MAX_ABBREV {
        return None;
    }
    let mut buf = [0u8; MAX_ABBREV];
    for (d, &s) in buf.iter_mut().zip(word) {
        if !s.is_ascii_alphabetic() {
            return None;
        }
        *d = s.to_ascii_lowercase();
    }
    let key = &buf[..word.len()];
    let i = ABBREVS
        .binary_search_by(|(w, _, _)| w.as_bytes().cmp(key))
        .ok()?;
    let (_, class, cap) = ABBREVS[i];
    (!cap || word[0].is_ascii_uppercase()).then_some(class)
}

/// Capitalised words that typically begin a sentence, sorted by bytes. After an abbreviation
/// that can end a sentence (`U.S.`, `Inc.`, `a.m.`), one of these words starts a new one.
static STARTERS: &[&str] = &[
    "A",
    "After",
    "Also",
    "An",
    "And",
    "As",
    "At",
    "But",
    "By",
    "Dr.",
    "During",
    "For",
    "From",
    "He",
    "Her",
    "His",
    "How",
    "However",
    "I",
    "If",
    "In",
    "It",
    "Its",
    "Last",
    "Meanwhile",
    "Mr.",
    "Mrs.",
    "Ms.",
    "My",
    "Nor",
    "Now",
    "On",
    "One",
    "Our",
    "She",
    "Since",
    "So",
    "Some",
    "That",
    "The",
    "Their",
    "There",
    "These",
    "They",
    "This",
    "Those",
    "Thus",
    "To",
    "Under",
    "We",
    "What",
    "When",
    "Where",
    "While",
    "Who",
    "Why",
    "With",
    "Yet",
    "You",
];

/// Whether `word` is a typical sentence starter (exact, case-sensitive match).
pub(crate) fn is_starter(word: &str) -> bool {
    word.len() <= 9 && STARTERS.binary_search(&word).is_ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lists_are_sorted_and_fit_the_buffer() {
        assert!(ABBREVS.windows(2).all(|w| w[0].0 < w[1].0));
        assert!(ABBREVS
            .iter()
            .all(|(w, _, _)| w.len() <= MAX_ABBREV && w.bytes().all(|b| b.is_ascii_lowercase())));
        assert!(STARTERS.windows(2).all(|w| w[0] < w[1]));
        assert!(STARTERS.iter().all(|w| w.len() <= 9));
    }

    #[test]
    fn lookup_respects_case_rules() {
        assert_eq!(lookup(b"Dr"), Some(AbbrevClass::Title));
        assert_eq!(lookup(b"DR"), Some(AbbrevClass::Title));
        assert_eq!(lookup(b"dr"), None);
        assert_eq!(lookup(b"etc"), Some(AbbrevClass::Other));
        assert_eq!(lookup(b"Inc"), Some(AbbrevClass::Other));
        assert_eq!(lookup(b"No"), Some(AbbrevClass::BeforeNumber));
        assert_eq!(lookup(b"no"), None);
        assert_eq!(lookup(b"mass"), None);
        assert_eq!(lookup(b"house"), None);
        assert_eq!(lookup(b"messrsx"), None);
        assert_eq!(lookup("Dé".as_bytes()), None);
        assert!(is_starter("The") && !is_starter("the") && !is_starter("Senate"));
    }
}
