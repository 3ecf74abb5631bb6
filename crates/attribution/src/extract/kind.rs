//! What an attribution reports (speech, belief, perception) and whether its content is a
//! direct quotation.

use caveat_core::{AttributionKind, Span};

/// Word beginnings of cues that report a belief, thought or expectation.
const BELIEF: &[&str] = &[
    "aim",
    "assum",
    "bearish",
    "believ",
    "cares",
    "conclu",
    "contemplat",
    "convinc",
    "despair",
    "despis",
    "doubt",
    "envision",
    "expect",
    "fathom",
    "fear",
    "feel",
    "felt",
    "hope",
    "hoping",
    "idea",
    "illusion",
    "imagin",
    "intend",
    "intent",
    "judg",
    "knew",
    "know",
    "likes",
    "loves",
    "passionate",
    "plan",
    "reckon",
    "recogni",
    "resent",
    "reservation",
    "suppos",
    "suspect",
    "think",
    "thought",
    "understand",
    "understood",
    "view",
    "wish",
    "wonder",
    "worr",
];

/// Word beginnings of cues that report a perception or a finding.
const PERCEPTION: &[&str] = &[
    "discover", "find", "found", "hear", "heard", "notic", "observ", "saw", "see", "seen", "spot",
    "watch", "witness",
];

/// Word beginnings of cues that report speech or writing (`said`, `according to`, `alleges`,
/// `statement`): with [`BELIEF`] and [`PERCEPTION`], what makes a cue a reporting or
/// cognition cue (see [`is_reporting`]).
const STATEMENT: &[&str] = &[
    "accord",
    "accus",
    "acknowledg",
    "add",
    "admir",
    "admit",
    "advocat",
    "affirm",
    "afraid",
    "agree",
    "alleg",
    "announc",
    "answer",
    "apolog",
    "argu",
    "articulat",
    "ask",
    "assert",
    "assur",
    "attack",
    "bemoan",
    "blam",
    "blast",
    "boast",
    "brag",
    "brand",
    "bristl",
    "call",
    "caution",
    "champion",
    "chant",
    "characteri",
    "charg",
    "chastis",
    "chronicl",
    "cit",
    "claim",
    "clarif",
    "comment",
    "compar",
    "complain",
    "compliment",
    "conced",
    "concern",
    "condemn",
    "confess",
    "confirm",
    "consider",
    "contend",
    "continu",
    "counter",
    "critic",
    "critici",
    "debat",
    "declar",
    "declin",
    "decri",
    "defend",
    "demand",
    "deni",
    "denounc",
    "deny",
    "derid",
    "describ",
    "detail",
    "determin",
    "disagree",
    "disclos",
    "discuss",
    "dismiss",
    "disput",
    "document",
    "downplay",
    "dub",
    "echo",
    "emphasi",
    "encourag",
    "endors",
    "estimat",
    "exhort",
    "explain",
    "express",
    "forecast",
    "frustrat",
    "hail",
    "herald",
    "highlight",
    "implor",
    "incens",
    "indicat",
    "inform",
    "insist",
    "interview",
    "invok",
    "joke",
    "label",
    "lambast",
    "lament",
    "laud",
    "learn",
    "lie",
    "liken",
    "maintain",
    "mention",
    "messag",
    "misgiving",
    "mock",
    "note",
    "noting",
    "object",
    "observ",
    "oppos",
    "outlin",
    "outrage",
    "persuad",
    "phrase",
    "pitch",
    "plead",
    "pledg",
    "point",
    "portray",
    "post",
    "prais",
    "predict",
    "prefer",
    "proclaim",
    "promis",
    "promot",
    "pronounc",
    "propos",
    "protest",
    "publish",
    "question",
    "quip",
    "quot",
    "rail",
    "rated",
    "reads",
    "recall",
    "recit",
    "recommend",
    "recount",
    "refer",
    "refus",
    "regard",
    "reiterat",
    "reject",
    "remark",
    "remind",
    "repl",
    "report",
    "resist",
    "respond",
    "retweet",
    "reveal",
    "rhetoric",
    "rul",
    "said",
    "sang",
    "say",
    "scold",
    "shout",
    "show",
    "signal",
    "sing",
    "skeptic",
    "slam",
    "speak",
    "specif",
    "specul",
    "spok",
    "spoke",
    "stat",
    "stress",
    "suggest",
    "sum",
    "support",
    "swear",
    "swore",
    "talk",
    "tell",
    "testif",
    "testimon",
    "thank",
    "threat",
    "titl",
    "told",
    "tout",
    "tweet",
    "urg",
    "vow",
    "want",
    "warn",
    "weigh",
    "welcom",
    "write",
    "writing",
    "written",
    "wrote",
    "yell",
];

/// Reporting phrases none of whose words is a reporting word (`as she put it`).
const PHRASES: &[&str] = &[
    "brought up",
    "chalk",
    "laid out",
    "lay out",
    "lays out",
    "made it clear",
    "make it clear",
    "makes it clear",
    "put it",
    "the case",
    "went on",
    "would like",
];

/// Words that begin like a reporting or cognition word but name a person, a thing or a
/// place (`spokesman`, `founder`, `city`, `planet`, `Champions` League, `summit`): a cue made
/// only of such words reports nothing. Exact words; see [`FALSE_FRIEND_BEGINNINGS`] too.
const FALSE_FRIEND_WORDS: &[&str] = &[
    "accord",
    "accords",
    "champions",
    "chronicle",
    "defender",
    "defenders",
    "cities",
    "city",
    "herald",
    "plane",
    "planes",
    "poster",
    "seed",
    "seeds",
    "seeded",
    "specific",
    "title",
    "titles",
    "witnesses",
];

/// Word beginnings of such false friends (`founde`: founded, founder, founders).
const FALSE_FRIEND_BEGINNINGS: &[&str] = &[
    "addition",
    "admiral",
    "championship",
    "citizen",
    "commentator",
    "comparab",
    "considerab",
    "contender",
    "counterpart",
    "documentar",
    "dubai",
    "dublin",
    "dubious",
    "expressway",
    "foundation",
    "founde",
    "heart",
    "ideal",
    "indicator",
    "informal",
    "lieutenant",
    "planet",
    "plant",
    "postal",
    "postpone",
    "predictab",
    "protester",
    "protestor",
    "publisher",
    "referee",
    "regardless",
    "remarkab",
    "replac",
    "replay",
    "speaker",
    "spokes",
    "station",
    "statist",
    "status",
    "statue",
    "summer",
    "summit",
    "urgen",
    "viewer",
    "watchdog",
    "weight",
    "wonderful",
    "writer",
    "yellow",
];

/// Phrases with a cognition word that name or describe, not report (`known as Project Eagle`,
/// `known for`); a cue ending in `known` (`best known`, `also known`) is one too.
const NAMING: &[&str] = &["known as", "known for"];

/// Whether a cue (its text) reports speech, writing, a belief or a perception: one of its
/// words begins like a reporting or cognition word (and is not one of the false friends,
/// `spokesman`, `city`), or it is the colon after a speaker's
/// name in a transcript or a dash signing a quotation. PolNeAR's broad cues (`was approved`,
/// `voted`, `offers`, `have`) are not.
pub(crate) fn is_reporting(cue: &str) -> bool {
    // A transcript's speaker label (`PENCE: Well, look, ...`) or the dash that signs a
    // quotation (`“...” ― Sonya Herridge`).
    if matches!(cue.trim(), ":" | "―" | "—" | "–" | "--" | "‒") {
        return true;
    }
    let lower = cue.to_lowercase();
    // `also known as`: the cue may stop before the `as`.
    if NAMING.iter().any(|p| lower.contains(p)) || lower.trim_end().ends_with("known") {
        return false;
    }
    if PHRASES.iter().any(|p| lower.contains(p)) {
        return true;
    }
    lower.split_whitespace().any(|w| {
        let w = w.trim_matches(|c: char| !c.is_alphanumeric());
        STATEMENT
            .iter()
            .chain(BELIEF)
            .chain(PERCEPTION)
            .any(|b| w.starts_with(b))
            && !FALSE_FRIEND_WORDS.contains(&w)
            && !FALSE_FRIEND_BEGINNINGS.iter().any(|b| w.starts_with(b))
    })
}

/// The kind of the cue `cue` (its text): the first word of the cue with a belief or
/// perception beginning decides; otherwise a statement.
pub(crate) fn kind_of(cue: &str) -> AttributionKind {
    for w in cue.split_whitespace() {
        let w = w.to_lowercase();
        // `seek`, `seem` begin like `see` and perceive nothing.
        if w.starts_with("seek") || w.starts_with("seem") {
            continue;
        }
        if BELIEF.iter().any(|b| w.starts_with(b)) {
            return AttributionKind::Belief;
        }
        if PERCEPTION.iter().any(|p| w.starts_with(p)) {
            return AttributionKind::Perception;
        }
    }
    AttributionKind::Statement
}

const OPENING: &[char] = &['"', '\u{201c}', '\u{2018}', '\u{00ab}'];
const CLOSING: &[char] = &['"', '\u{201d}', '\u{2019}', '\u{00bb}'];

/// Whether `content` is a direct quotation in `text`: an opening quotation mark starts it or
/// comes right before it, and a closing one ends it or comes right after it (after a comma
/// or full stop that belongs to the quotation, too).
pub(crate) fn is_quote(text: &str, content: Span) -> bool {
    let inner = content.slice(text);
    let before = text[..content.start].trim_end();
    let after = text[content.end..].trim_start();
    let opens = inner.starts_with(OPENING) || before.ends_with(OPENING);
    let closes = inner
        .trim_end_matches([',', '.', '?', '!'])
        .ends_with(CLOSING)
        || after
            .trim_start_matches([',', '.', '?', '!'])
            .starts_with(CLOSING);
    opens && closes && inner.chars().filter(|c| c.is_alphabetic()).count() > 0
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn kinds_come_from_the_cue() {
        assert_eq!(kind_of("said"), AttributionKind::Statement);
        assert_eq!(kind_of("according to"), AttributionKind::Statement);
        assert_eq!(kind_of("believes"), AttributionKind::Belief);
        assert_eq!(kind_of("has long suspected"), AttributionKind::Belief);
        assert_eq!(kind_of("Thinks"), AttributionKind::Belief);
        assert_eq!(kind_of("saw"), AttributionKind::Perception);
        assert_eq!(kind_of("found"), AttributionKind::Perception);
        assert_eq!(kind_of("has seen"), AttributionKind::Perception);
        assert_eq!(kind_of("will seek"), AttributionKind::Statement);
        assert_eq!(kind_of("seems to see"), AttributionKind::Perception);
    }

    #[test]
    fn reporting_cues_report_speech_belief_or_perception() {
        for cue in [
            "said",
            "according to",
            "has repeatedly alleged",
            "believes",
            "found",
            "told",
            "criticized",
            "speculated",
            ":",
            "plans",
            "has steadfastly refused",
            "continued:",
            "also views",
            "as she put it",
            "made the case",
            "noted",
        ] {
            assert!(is_reporting(cue), "{cue}");
        }
        for cue in [
            "was approved",
            "voted",
            "offers",
            "have",
            "imposed",
            "already",
            "was not",
            "nothing",
            "known as",
            "best known",
            "also known",
            // Words that begin like reporting words but name people, things and places.
            "Champions",
            "spokesman",
            "founded",
            "postponed",
            "city",
            "summit",
        ] {
            assert!(!is_reporting(cue), "{cue}");
        }
        // Their reporting relatives still report.
        for cue in ["championed", "posted", "cited", "summed up", "stated"] {
            assert!(is_reporting(cue), "{cue}");
        }
    }

    #[test]
    fn quotes_are_inside_quotation_marks() {
        let at = |t: &str, c: &str| {
            let s = t.find(c).unwrap();
            Span::new(s, s + c.len())
        };
        let t = "\u{201c}The evidence is thin,\u{201d} she said.";
        assert!(is_quote(t, at(t, "The evidence is thin")));
        assert!(is_quote(t, at(t, "\u{201c}The evidence is thin,\u{201d}")));
        let t = "She said \"we will win\" on Monday.";
        assert!(is_quote(t, at(t, "we will win")));
        let t = "She said that they would win.";
        assert!(!is_quote(t, at(t, "they would win")));
        // A quoted phrase inside reported speech is not a direct quotation of the whole.
        let t = "He said the decision was \"a disgrace\" and left.";
        assert!(!is_quote(t, at(t, "the decision was \"a disgrace\"")));
    }
}
