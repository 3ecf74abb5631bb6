//! Names of people and organisations as a reader compares them: titles and possessives
//! folded away ("Mr Trump's" → `trump`), acronyms matched to their expansions ("NIS" ←
//! "National Intelligence Service").
//!
//! The `coref` stage uses these to group the mentions of one document, and the report and
//! `caveat stats` use the same functions to group canonical names across a corpus, so that
//! both agree on when two names are the same.

/// Words that come before a name without being part of it: honorifics, ranks and offices.
/// Compared lower-case, without a final period ("Dr." → `dr`).
pub const TITLES: &[&str] = &[
    "mr",
    "mrs",
    "ms",
    "miss",
    "mx",
    "dr",
    "prof",
    "professor",
    "sir",
    "dame",
    "lord",
    "lady",
    "president",
    "vice",
    "vice-president",
    "deputy",
    "acting",
    "former",
    "premier",
    "chancellor",
    "minister",
    "secretary",
    "senator",
    "sen",
    "rep",
    "representative",
    "congressman",
    "congresswoman",
    "governor",
    "gov",
    "mayor",
    "judge",
    "justice",
    "general",
    "gen",
    "colonel",
    "col",
    "captain",
    "capt",
    "lieutenant",
    "lt",
    "sergeant",
    "sgt",
    "admiral",
    "adm",
    "commander",
    "king",
    "queen",
    "prince",
    "princess",
    "pope",
    "reverend",
    "rev",
    "father",
    "sheikh",
    "ayatollah",
    "chairman",
    "chairwoman",
    "ambassador",
    "coach",
    "detective",
    "inspector",
    "officer",
    "constable",
    "superintendent",
    "garda",
    "st",
];

/// Words that do not count in an acronym ("Bank *of* England" → BoE → `BE`).
const ACRONYM_SKIP: &[&str] = &[
    "of", "the", "and", "for", "on", "in", "de", "du", "des", "&",
];

/// Whether `word` (any case, with or without a final period) is a title in [`TITLES`].
pub fn is_title(word: &str) -> bool {
    let w = word.strip_suffix('.').unwrap_or(word);
    TITLES.iter().any(|t| t.eq_ignore_ascii_case(w))
}

/// `name` without a possessive ending: "Trump's" → "Trump", "Reuters'" → "Reuters"
/// (straight or curly apostrophe).
pub fn strip_possessive(name: &str) -> &str {
    for suffix in ["'s", "\u{2019}s", "'S", "\u{2019}S"] {
        if let Some(s) = name.strip_suffix(suffix) {
            return s;
        }
    }
    for suffix in ["'", "\u{2019}"] {
        if let Some(s) = name.strip_suffix(suffix) {
            if s.ends_with(['s', 'S']) {
                return s;
            }
        }
    }
    name
}

/// The words of `name` a reader compares: split on white space, possessive and a leading
/// "the" and titles dropped, periods removed ("U.S." → "US"). Case is kept.
pub fn core_words(name: &str) -> Vec<&str> {
    let name = strip_possessive(name.trim());
    let mut words: Vec<&str> = name.split_whitespace().collect();
    let mut start = 0;
    while start < words.len()
        && (words[start].eq_ignore_ascii_case("the")
            || (is_title(words[start]) && start + 1 < words.len()))
    {
        start += 1;
    }
    words.drain(..start);
    words
}

/// The key under which two names count as the same: [`core_words`], lower-cased, periods
/// removed, joined by single spaces ("President Donald J. Trump's" → `donald j trump`,
/// "the U.N." → `un`).
pub fn fold(name: &str) -> String {
    let mut out = String::with_capacity(name.len());
    for w in core_words(name) {
        if !out.is_empty() {
            out.push(' ');
        }
        for c in w.chars().filter(|&c| c != '.') {
            out.extend(c.to_lowercase());
        }
    }
    out
}

/// Whether `word` looks like an acronym: 2 to 8 capital letters and digits (a capital
/// first), optionally with periods or `&` ("NIS", "U.N.", "G7", "AT&T").
pub fn is_acronym(word: &str) -> bool {
    let n = word.chars().filter(|c| c.is_alphanumeric()).count();
    (2..=8).contains(&n)
        && word.chars().next().is_some_and(char::is_uppercase)
        && word
            .chars()
            .all(|c| c.is_uppercase() || c.is_ascii_digit() || c == '.' || c == '&')
}

/// The acronym a multi-word name would have: the first letters of its capitalised words,
/// upper-cased, skipping "of", "the", "and" ("National Intelligence Service" → `NIS`,
/// "Bank of England" → `BE`). `None` for a name of fewer than two such words.
pub fn initials(name: &str) -> Option<String> {
    let mut out = String::new();
    for w in core_words(name) {
        if ACRONYM_SKIP.iter().any(|s| s.eq_ignore_ascii_case(w)) {
            continue;
        }
        // "Al-Qaeda" gives one letter; "Anti-Corruption" one too.
        let c = w.chars().next()?;
        if !c.is_uppercase() {
            return None;
        }
        out.push(c);
    }
    (out.chars().count() >= 2).then_some(out)
}

/// Whether `acronym` abbreviates `name`: its letters (periods dropped) are the name's
/// [`initials`] ("WHO" ← "World Health Organization"), or the first letters of all its
/// words, function words included ("BOE" ← "Bank of England").
pub fn abbreviates(acronym: &str, name: &str) -> bool {
    if !is_acronym(acronym) {
        return false;
    }
    let letters: String = acronym.chars().filter(|&c| c != '.').collect();
    if initials(name).is_some_and(|i| i == letters) {
        return true;
    }
    let all: String = core_words(name)
        .iter()
        .filter_map(|w| w.chars().next())
        .flat_map(char::to_uppercase)
        .collect();
    all.len() >= 2 && all == letters.to_uppercase()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn folding_drops_titles_possessives_and_case() {
        assert_eq!(fold("Mr Trump"), "trump");
        assert_eq!(fold("President Donald J. Trump's"), "donald j trump");
        assert_eq!(fold("the U.N."), "un");
        assert_eq!(fold("Reuters'"), "reuters");
        assert_eq!(fold("Dr. Anthony Fauci"), "anthony fauci");
        // A title alone is a name ("the President"): kept.
        assert_eq!(fold("President"), "president");
        assert_eq!(fold("  The   Associated Press "), "associated press");
        assert_eq!(fold("Trump\u{2019}s"), "trump");
        assert_eq!(fold("Vice President Mike Pence"), "mike pence");
        assert_eq!(fold("former President Barack Obama"), "barack obama");
    }

    #[test]
    fn acronyms() {
        assert!(is_acronym("NIS") && is_acronym("U.N.") && is_acronym("G7"));
        assert!(is_acronym("AT&T"));
        assert!(!is_acronym("Nis") && !is_acronym("I") && !is_acronym("NATIONALIST"));
        assert_eq!(
            initials("National Intelligence Service").as_deref(),
            Some("NIS")
        );
        assert_eq!(
            initials("the National Intelligence Service of South Korea").as_deref(),
            Some("NISSK")
        );
        assert_eq!(initials("Reuters"), None);
        assert_eq!(initials("tax office"), None);
        assert!(abbreviates("NIS", "National Intelligence Service"));
        assert!(abbreviates("FBI", "Federal Bureau of Investigation"));
        assert!(abbreviates("WHO", "World Health Organization"));
        assert!(abbreviates("U.N.", "United Nations"));
        assert!(abbreviates("BOE", "Bank of England"));
        assert!(!abbreviates("NIS", "National Health Service"));
        assert!(!abbreviates("Nis", "National Intelligence Service"));
    }
}
