//! Two crude English suffix strippers. They are different on purpose and both are baked into
//! shipped models, so neither may change:
//!
//! * [`inflectional`]: inflections and a final `e` (`asserts`, `asserted`, `asserting`,
//!   `assert` → `assert`), case-insensitive, ASCII words of 5+ bytes only. Used by
//!   `caveat-attribution`'s cue lexicon (stem-only prior buckets, which are features of
//!   `caveat-attribution-model 1`).
//! * [`derivational`]: inflections and derivations (`-ation`, `-ion`, `-ingly`, `-ly`, ...),
//!   case-sensitive (give it a lower-cased word). Used by `caveat-hedge`'s tagger (the
//!   `stem|...` features stored in its `weights.tsv`, feature set 1).
//!
//! Both return a prefix of their input, so they allocate nothing.

/// A crude inflectional stem: cut `-ies`/`-ied`/`-ing` (3 bytes), else `-ed`/`-es` (2), else a
/// final `-s` not in `-ss` (1) — each only when more than 2 bytes stay before the suffix, case
/// ignored — then a final `e`/`E` when more than 3 bytes stay. Words shorter than 5 bytes and
/// non-ASCII words are returned whole.
///
/// `asserts`, `asserted`, `asserting` → `assert`; `despised`, `despise` → `despis`;
/// `worries` → `worr`; `says` → `says`.
pub fn inflectional(word: &str) -> &str {
    let b = word.as_bytes();
    if b.len() < 5 || !b.is_ascii() {
        return word;
    }
    let ends = |suf: &str| {
        b.len() > suf.len() + 2 && b[b.len() - suf.len()..].eq_ignore_ascii_case(suf.as_bytes())
    };
    let cut = if ends("ies") || ends("ied") || ends("ing") {
        3
    } else if ends("ed") || ends("es") {
        2
    } else if ends("s") && !ends("ss") {
        1
    } else {
        0
    };
    let mut w = &word[..word.len() - cut];
    if w.len() > 3 && (w.ends_with('e') || w.ends_with('E')) {
        w = &w[..w.len() - 1];
    }
    w
}

/// The suffixes [`derivational`] tries, in order.
const DERIVATIONAL: &[&str] = &[
    "ations", "ation", "itions", "ition", "ions", "ion", "edly", "ingly", "ings", "ing", "ies",
    "ied", "ed", "es", "ly", "s", "e",
];

/// A crude stem shared by inflections and derivations: the word without the first suffix of
/// `ations ation itions ition ions ion edly ingly ings ing ies ied ed es ly s e` (in that
/// order) that leaves at least 3 bytes; the whole word when none does. Case-sensitive.
///
/// `suggestions` → `suggest`; `allegedly` → `alleg`; `possibly` → `possib`; `may` → `may`.
pub fn derivational(word: &str) -> &str {
    for suf in DERIVATIONAL {
        if let Some(stem) = word.strip_suffix(suf) {
            if stem.len() >= 3 {
                return stem;
            }
        }
    }
    word
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn inflections_share_a_stem() {
        assert_eq!(inflectional("asserts"), "assert");
        assert_eq!(inflectional("asserted"), "assert");
        assert_eq!(inflectional("asserting"), "assert");
        assert_eq!(inflectional("assert"), "assert");
        assert_eq!(inflectional("despised"), "despis");
        assert_eq!(inflectional("despise"), "despis");
        assert_eq!(inflectional("worries"), "worr");
        assert_eq!(inflectional("says"), "says", "short words stay");
        assert_eq!(inflectional("CLAIMED"), "CLAIM", "case is ignored and kept");
        assert_eq!(inflectional("Denies"), "Den");
        assert_eq!(inflectional("stress"), "stress", "-ss is no plural");
        assert_eq!(
            inflectional("bring"),
            "bring",
            "a suffix needs 3 bytes before it"
        );
        assert_eq!(inflectional("noted"), "not");
        assert_eq!(inflectional("café"), "café", "non-ASCII words stay");
    }

    #[test]
    fn derivations_share_a_stem() {
        assert_eq!(derivational("suggestions"), "suggest");
        assert_eq!(derivational("suggestion"), "suggest");
        assert_eq!(derivational("allegedly"), "alleg");
        assert_eq!(derivational("alleged"), "alleg");
        assert_eq!(derivational("allege"), "alleg");
        assert_eq!(derivational("seemingly"), "seem");
        assert_eq!(derivational("possibly"), "possib");
        assert_eq!(derivational("speculations"), "specul");
        assert_eq!(derivational("indicates"), "indicat");
        assert_eq!(derivational("may"), "may");
        assert_eq!(
            derivational("lies"),
            "lie",
            "-ies and -es would leave too little"
        );
        assert_eq!(derivational("uses"), "use");
        assert_eq!(derivational("Claims"), "Claim");
        assert_eq!(derivational("CLAIMS"), "CLAIMS", "case-sensitive");
    }
}
