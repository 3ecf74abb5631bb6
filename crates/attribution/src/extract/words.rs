//! Built-in word lists: the closed word classes the cue and source features and rules look
//! at, and the default vague-source words.

// Word classes.
pub(super) const C_PRON: u8 = 1;
pub(super) const C_REL: u8 = 2;
pub(super) const C_THAT: u8 = 3;
pub(super) const C_DET: u8 = 4;
pub(super) const C_QUANT: u8 = 5;
pub(super) const C_AUX: u8 = 6;
pub(super) const C_ADV: u8 = 7;
pub(super) const C_PREP: u8 = 8;
pub(super) const C_CONJ: u8 = 9;
pub(super) const C_TITLE: u8 = 10;
pub(super) const C_POSS: u8 = 11;
pub(super) const C_CITE: u8 = 12;
pub(super) const C_ACCORDING: u8 = 13;

/// Day words: when something was said (`said on Monday`, `AIB today reported`), never who.
pub(super) const DAYS: &[&str] = &[
    "today",
    "yesterday",
    "tonight",
    "monday",
    "tuesday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// Closed-class words by word class (a word keeps the first class it is listed under).
pub(super) const CLASS_WORDS: &[(u8, &[&str])] = &[
    (
        C_PRON,
        &[
            "he", "she", "they", "i", "we", "you", "it", "him", "them", "us", "me",
        ],
    ),
    (C_REL, &["who", "which", "whom"]),
    (C_THAT, &["that"]),
    (
        C_DET,
        &[
            "the", "a", "an", "this", "these", "those", "his", "her", "their", "its", "our", "my",
            "your",
        ],
    ),
    (
        C_QUANT,
        &[
            "some", "many", "several", "most", "few", "all", "other", "others", "both", "each",
            "one", "two", "three",
        ],
    ),
    (
        C_AUX,
        &[
            "has", "have", "had", "is", "was", "are", "were", "be", "been", "being", "will",
            "would", "could", "should", "may", "might", "can", "did", "does", "do", "must",
        ],
    ),
    (
        C_ADV,
        &[
            "also",
            "not",
            "never",
            "later",
            "earlier",
            "previously",
            "recently",
            "repeatedly",
            "often",
            "still",
            "even",
            "already",
            "publicly",
            "privately",
            "once",
            "reportedly",
            "just",
            "then",
            "now",
            "again",
            "first",
            "has",
            "n't",
        ],
    ),
    (
        C_PREP,
        &[
            "to", "of", "in", "on", "at", "for", "with", "by", "from", "about", "during", "after",
            "before",
        ],
    ),
    (
        C_CONJ,
        &["and", "but", "or", "while", "as", "because", "if", "when"],
    ),
    (
        C_TITLE,
        &[
            "mr.",
            "mrs.",
            "ms.",
            "dr.",
            "sen.",
            "rep.",
            "gov.",
            "gen.",
            "president",
            "senator",
            "sen",
            "rep",
            "gov",
            "mr",
            "mrs",
            "ms",
            "dr",
        ],
    ),
    (C_POSS, &["'s", "'", "s"]),
    (C_CITE, &["citing", "quoting"]),
    (C_ACCORDING, &["according"]),
];

/// Built-in vague source words (heads of anonymous or collective sources).
pub const DEFAULT_VAGUE: &[&str] = &[
    "some",
    "many",
    "others",
    "experts",
    "expert",
    "officials",
    "official",
    "critics",
    "sources",
    "source",
    "analysts",
    "analyst",
    "observers",
    "people",
    "insiders",
    "aides",
    "critic",
    "reports",
    "report",
    "rumors",
    "rumours",
    "someone",
    "somebody",
    "anonymous",
    "unnamed",
    "several",
    "familiar",
    "close",
    "commentators",
    "pundits",
    "strategists",
    "scientists",
    "researchers",
    "studies",
    "diplomats",
    "activists",
    "advocates",
    "opponents",
    "supporters",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "staffers",
    "allies",
    "members",
];
