//! Sources: a source is the whole name (`[Ernst & Young]`, not `[Young]`) with its apposition
//! (`[Donald Trump, her Republican opponent,] said`) or the role set off before it (`[the
//! president of Paris Airports, Augustin de Romanet,] told`), never ends in an auxiliary, a
//! comma, a colon or a time phrase (`[The United Nations has] backed`), and is never a number
//! nor a lone article or adverb (`[the] claim`, `[really] believe`); a second cue coordinated with
//! a first (`X said A but clarified B`) takes the first one's source and ends its content.

use caveat_core::{Attribution, Document, Span};

use super::super::features::DocFeatures;
use super::super::words::{C_ADV, C_AUX, C_CONJ, C_DET, C_PREP};
use super::{only_word, token_at, FRONTED_PREPOSITIONS, SUBORDINATORS};

/// Words that name nobody when they stand alone as a source. A possessive does (`[his]
/// claim`, `[her] supporting it`: PolNeAR marks it, and coreference resolves it).
const NOBODY: &[&str] = &[
    "a",
    "an",
    "the",
    "of",
    "for",
    "and",
    "or",
    "but",
    // Clitics, split off as words (`[ve] said`, `doesn[n"t] tout`).
    "s",
    "t",
    "d",
    "m",
    "ve",
    "re",
    "ll",
    "n't",
    "n\"t",
    "n’t",
    // Auxiliaries (`Mexico, which [has] made it clear`); not `May`, `Will`, which are names.
    "has",
    "have",
    "had",
    "is",
    "are",
    "was",
    "were",
    "been",
    "does",
    "did",
    "would",
    "could",
    "should",
    "soon",
    "also",
    "now",
    "just",
    "even",
    "still",
    "then",
    "so",
    "meanwhile",
    "however",
    "moreover",
    "furthermore",
    "nevertheless",
    "instead",
    "indeed",
    // Prepositions that open a fronted phrase (`[Despite] opposing sides, ...`).
    "despite",
    "amid",
    "amidst",
    "following",
    "regardless",
];

/// Whether a source's text is one word that names nobody: [`NOBODY`], or an adverb in `-ly`.
pub(super) fn is_nobody(text: &str) -> bool {
    only_word(text).is_some_and(|w| {
        NOBODY.contains(&w.to_lowercase().as_str())
            || (w.len() > 4 && w.ends_with("ly") && w.chars().all(|c| c.is_lowercase()))
    })
}

/// Nouns that head a role named before a speaker's name (`the deputy commander of ...`,
/// `Russia's ambassador to Seoul`, `her lawyer`).
const ROLES: &[&str] = &[
    "minister",
    "ambassador",
    "commander",
    "spokesman",
    "spokeswoman",
    "spokesperson",
    "envoy",
    "head",
    "director",
    "chief",
    "president",
    "chairman",
    "chairwoman",
    "chair",
    "secretary",
    "official",
    "leader",
    "deputy",
    "governor",
    "mayor",
    "representative",
    "adviser",
    "advisor",
    "editor",
    "professor",
    "analyst",
    "executive",
    "founder",
    "senator",
    "counsel",
    "attorney",
    "lawyer",
    "economist",
    "researcher",
    "expert",
    "manager",
    "coordinator",
    "rapporteur",
    "general",
    "commissioner",
    "prosecutor",
    "judge",
    "chancellor",
    "premier",
    "speaker",
    "aide",
    "consultant",
    "strategist",
    "ceo",
];

/// Words that end the head of a role phrase (`the chief [of] the General Staff`).
const ROLE_TAIL: &[&str] = &[
    "of", "to", "at", "in", "for", "with", "on", "from", "after", "before", "by",
];

/// Whether `phrase` names a role: a short noun phrase, no clause and no quotation, whose head
/// (its last word before a preposition) is one of [`ROLES`].
pub(super) fn is_role(phrase: &str) -> bool {
    if phrase.contains(['"', '\u{201c}', '\u{201d}', '(', ')']) {
        return false;
    }
    let words: Vec<String> = phrase
        .split_whitespace()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        })
        .collect();
    if words.is_empty()
        || words.len() > 14
        || words.iter().any(|w| {
            matches!(
                w.as_str(),
                "that" | "which" | "who" | "whom" | "whose" | "and"
            )
        })
    {
        return false;
    }
    let head = words
        .iter()
        .position(|w| ROLE_TAIL.contains(&w.as_str()))
        .unwrap_or(words.len());
    head > 0 && ROLES.contains(&words[head - 1].as_str())
}

/// `CLAIM, the deputy commander of Russia's airborne troops, Major-General Nariman Timergazin,
/// told the media`: a role set off by commas right before the speaker's name belongs to the
/// source (`[the deputy commander of ..., Major-General Nariman Timergazin]`), not to the end
/// of the claim before it.
pub(super) fn role_before_name(text: &str, out: &mut [Attribution]) {
    for a in out.iter_mut() {
        let (Some(s), Some(cue), Some(c)) = (a.source, a.cue, a.content) else {
            continue;
        };
        if c.end > s.start
            || s.end > cue.start
            || &text[c.end..s.start] != ", "
            || !matches!(text[s.end..cue.start].trim(), "" | ",")
            || !s.slice(text).starts_with(char::is_uppercase)
        {
            continue;
        }
        let claim = c.slice(text);
        let Some(k) = claim.rfind(", ") else { continue };
        let rest = claim[..k].trim_end();
        if !is_role(&claim[k + 2..]) || rest.split_whitespace().count() < 3 {
            continue;
        }
        a.source = Some(Span::new(c.start + k + 2, s.end));
        a.content = Some(Span::new(c.start, c.start + rest.len()));
    }
}

/// Words that open no apposition after a name: a relative clause, an adverbial, a clause or
/// a verb phrase (`Sir Bernard Ingham, [Margaret Thatcher's former press secretary], took a
/// less charitable view,`).
#[rustfmt::skip]
const NOT_APPOSITION: &[&str] = &[
    "who", "which", "that", "whose", "where", "when", "for", "on", "in", "at", "as", "however",
    "meanwhile", "though", "too", "also", "then", "and", "but", "or", "not", "if", "while",
    "after", "before", "by", "with", "without", "like", "unlike", "according", "he", "she", "they",
    "it", "we", "i", "you", "this", "there", "is", "are", "was", "were", "has", "have", "had",
    "will", "would", "could", "can", "may", "might", "should", "must", "did", "does", "took",
    "made", "gave", "went", "came", "got", "thought", "found", "left", "kept", "held", "brought",
    "became", "began", "ran", "saw", "knew", "put", "set", "won", "lost", "paid", "sent", "spent",
    "met", "led", "felt", "stood", "wrote", "spoke", "broke", "chose", "to", "despite",
];

/// Words that make a clause of what follows a name, wherever they stand in it.
#[rustfmt::skip]
const CLAUSE_WORDS: &[&str] = &[
    "who", "which", "that", "whose", "said", "says", "told", "is", "are", "was", "were", "has",
    "have", "had", "will", "would", "can", "could", "also", "not", "never",
];

/// A source before its cue with the apposition that follows it (`[Donald Trump, her Republican
/// opponent,] bemoaned ... and said`, `[Rep. Jim Clyburn (D-S.C.), the assistant leader of the
/// Democratic caucus,] added`): PolNeAR's source, and the reader's, names the speaker with
/// it. Not a relative clause (`Cruz, who says ...,`), an adverbial (`The government, for
/// instance,`), a participle (`Clinton, clearly frustrated,`) nor anything with a cue in it.
pub(super) fn with_apposition(text: &str, source: Span, cue: Span, content: Option<Span>) -> Span {
    if source.end >= cue.start
        || content.is_some_and(|c| c.start < cue.start && c.end > source.end)
        || !source.slice(text).chars().any(char::is_alphabetic)
        || is_nobody(source.slice(text))
    {
        return source;
    }
    let after = &text[source.end..cue.start];
    // A parenthesis right after the name (`(D-S.C.)`, `(R)`).
    let paren = match after.strip_prefix(" (") {
        Some(r) => match r.find(')') {
            Some(k) if k < 20 => k + 3,
            _ => return source,
        },
        None => 0,
    };
    let Some(rest) = after[paren..].strip_prefix(", ") else {
        return source;
    };
    let Some(k) = rest.find(',') else {
        return source;
    };
    if !is_apposition(&rest[..k]) {
        return source;
    }
    Span::new(source.start, source.end + paren + 2 + k)
}

/// Whether `appos`, set off by commas after a name, is an apposition to it (`her Republican
/// opponent`), not a relative clause, an adverbial, a participle or anything with a cue in it.
fn is_apposition(appos: &str) -> bool {
    let words: Vec<&str> = appos.split_whitespace().collect();
    let Some(first) = words.first() else {
        return false;
    };
    // `I've`, `he’s`: a clause.
    let first_lower = first
        .split(['\'', '\u{2019}'])
        .next()
        .unwrap_or(first)
        .to_lowercase();
    !(words.len() > 15
        || appos.contains(['.', ';', ':', '"', '\u{201c}', '\u{201d}', '(', ')', '\n'])
        || NOT_APPOSITION.contains(&first_lower.as_str())
        || words.iter().any(|w| CLAUSE_WORDS.contains(w))
        || (first_lower.len() > 4 && first_lower.ends_with("ly"))
        || first_lower.ends_with("ing")
        || (first_lower.ends_with("ed") && first.starts_with(char::is_lowercase)))
}

/// `According to [The Soufan Group], «an international strategic consultancy firm, around
/// 1,200 Moroccans traveled ...»`: an indefinite apposition right after an `according to`
/// source describes the source (PolNeAR's source, and the reader's, takes it), and the claim
/// starts after its comma. Returns the new source and content.
pub(super) fn apposition_after_according(
    text: &str,
    source: Span,
    cue: Span,
    content: Span,
) -> Option<(Span, Span)> {
    if !cue.slice(text).to_lowercase().starts_with("according")
        || source.start < cue.end
        || content.start <= source.end
        || text[source.end..content.start].trim() != ","
    {
        return None;
    }
    let inner = content.slice(text);
    // A named source (`The Soufan Group`, `a research note by JLL`), not `authorities, a
    // friend dropped Elizabeth off ...`.
    if !(inner.starts_with("a ") || inner.starts_with("an "))
        || !source.slice(text).contains(|c: char| c.is_uppercase())
    {
        return None;
    }
    let k = inner.find(", ")?;
    let (appos, claim) = (&inner[..k], &inner[k + 2..]);
    let words: Vec<&str> = appos.split_whitespace().collect();
    // A verb with its object (`a friend dropped Elizabeth off`) makes a clause.
    let clause = words.windows(2).any(|w| {
        w[0].ends_with("ed")
            && !w[0].contains('-')
            && w[0].starts_with(char::is_lowercase)
            && (w[1].starts_with(char::is_uppercase)
                || ["the", "a", "an", "his", "her", "its", "their"].contains(&w[1]))
    });
    // What follows the comma is the claim's subject, not a second name of the apposition's
    // (`a journalist from Ekho Moskvy, Alexander Plyushchev, was detained`) nor a figure (`a
    // majority, 53%, disapprove`).
    let first = claim.split_whitespace().next().unwrap_or("");
    let named_again = first.starts_with(char::is_uppercase)
        && claim.split_whitespace().take(4).any(|w| w.ends_with(','));
    if !is_apposition(appos)
        || clause
        || named_again
        || first.starts_with(|c: char| c.is_ascii_digit())
        || claim.split_whitespace().count() < 3
    {
        return None;
    }
    Some((
        Span::new(source.start, content.start + k),
        Span::new(content.start + k + 2, content.end),
    ))
}

/// `X said A but clarified B`: when a cue follows `and`/`but` (adverbs such as `also` may come
/// between) right where the content of an earlier cue of its sentence reaches (or inside it),
/// nothing names another subject, so both cues share the earlier source, and the earlier
/// content ends before the conjunction.
pub(super) fn share_coordinated(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
    let t = &df.toks;
    for b in 1..out.len() {
        let Some(cue) = out[b].cue else { continue };
        let Some(k) = token_at(doc, cue.start) else {
            continue;
        };
        let mut j = k;
        while j > 0 && t[j - 1].class == C_ADV {
            j -= 1;
        }
        if j == 0 || t[j - 1].class != C_CONJ {
            continue;
        }
        let conj = doc.tokens[j - 1].span.slice(&doc.text);
        if !matches!(conj, "and" | "but") {
            continue;
        }
        // The content ends at the token before the conjunction (and its comma).
        let mut end = j - 1;
        if end > 0 && doc.tokens[end - 1].span.slice(&doc.text) == "," {
            end -= 1;
        }
        if end == 0 {
            continue;
        }
        // The earlier relation: its content reaches the conjunction (or runs over it).
        let before = doc.tokens[end - 1].span.end;
        let Some(a) = (0..b).rev().find(|&a| {
            out[a].sentence == out[b].sentence
                && out[a].cue.is_some_and(|c| c.end < before)
                && out[a]
                    .content
                    .is_some_and(|c| c.start < before && c.end >= before)
        }) else {
            continue;
        };
        let content = out[a].content.expect("checked above");
        out[a].content = Some(Span::new(content.start, before));
        // The later cue's source, when it has one, was found inside the earlier content or
        // after the earlier cue: no subject of its own.
        let a_cue = out[a].cue.expect("checked above");
        if out[b].source.is_none_or(|s| s.start >= a_cue.end) {
            out[b].source = out[a].source;
            out[b].vague = out[a].vague;
        }
    }
}

/// Words that open a time phrase (`last week`, `this month`, `earlier this year`).
const TIME_OPENERS: &[&str] = &["last", "this", "next", "earlier", "later"];

/// Nouns that close a time phrase.
pub(super) const TIME_NOUNS: &[&str] = &[
    "week",
    "month",
    "year",
    "weekend",
    "night",
    "morning",
    "afternoon",
    "evening",
    "spring",
    "summer",
    "autumn",
    "fall",
    "winter",
];

/// The number of tokens of a time phrase (`last week`, `earlier this month`) that tokens
/// `from..to` of `doc` open with (`forward`) or end with, if any.
fn time_phrase(doc: &Document, from: usize, to: usize, forward: bool) -> usize {
    let word = |i: usize| doc.tokens[i].span.slice(&doc.text).to_ascii_lowercase();
    for len in [3, 2] {
        if to - from < len {
            continue;
        }
        let start = if forward { from } else { to - len };
        let ws: Vec<String> = (start..start + len).map(word).collect();
        let opens = TIME_OPENERS.contains(&ws[0].as_str())
            && (len == 2 || ws[1] == "this" || ws[1] == "last");
        if opens && TIME_NOUNS.contains(&ws[len - 1].as_str()) {
            return len;
        }
    }
    0
}

/// `source` ending with the sentence of its cue (sentence `sentence`) when it runs over that
/// sentence's end (`said [Mr Singh. Swashbuckling adventure film ...]`; one that starts
/// before the sentence is a name on a line of its own, and stays), and then with whole
/// names: a source that starts or ends inside an entity (`[shadow chancellor Oliver] Letwin
/// branding`, `the anti-settlement organization [Peace] Now`) takes the rest of it, unless that
/// would reach its cue or content.
pub(super) fn whole_source(
    doc: &Document,
    sentence: usize,
    cue: Option<Span>,
    content: Option<Span>,
    source: Span,
) -> Span {
    let mut s = source;
    if let Some(sent) = doc.sentences.get(sentence).map(|x| x.span) {
        if s.start < sent.end && sent.end < s.end {
            s = Span::new(s.start, sent.end);
        }
    }
    let touches = |x: Span| {
        [cue, content]
            .into_iter()
            .flatten()
            .any(|y| x.start < y.end && y.start < x.end)
    };
    for e in &doc.entities {
        let e = e.span;
        let cut_end = e.start < s.end && s.end < e.end && e.start >= s.start;
        let cut_start = e.start < s.start && s.start < e.end && e.end <= s.end;
        if cut_end || cut_start {
            let whole = Span::new(s.start.min(e.start), s.end.max(e.end));
            if !touches(whole) {
                s = whole;
            }
        }
    }
    s
}

/// `source` without trailing auxiliaries (`The United Nations has`), conjunctions, articles
/// and prepositions (`[Travis Kalanick, founder of Red Swoosh, and] soon`, `[a source who has
/// talked to both in the]`: a tagger's source cut short), commas, colons and dashes
/// (`According to [Phillip Benoit, head of the APAC market, BNP Paribas:]`), the relative
/// pronoun of a clause the cue opens (`[Premier Annastacia Palaszczuk, who] warned`), without the word
/// that opens its clause (`[Although Trump]`), and without a
/// time phrase at either end (`[Trump's administration last week] expressed`, `its statement
/// [last week that] said`): it says when, not who.
pub(super) fn trim_source(doc: &Document, df: &DocFeatures, source: Span) -> Span {
    let (Some(mut first), Some(mut last)) = (
        token_at(doc, source.start),
        doc.tokens
            .partition_point(|t| t.span.end <= source.end)
            .checked_sub(1),
    ) else {
        return source;
    };
    if last < first || doc.tokens[last].span.end <= source.start {
        return source;
    }
    loop {
        while last > first
            && (matches!(df.toks[last].class, C_AUX | C_CONJ | C_PREP)
                || (df.toks[last].class == C_DET
                    && matches!(doc.tokens[last].span.slice(&doc.text), "the" | "a" | "an"))
                || matches!(
                    doc.tokens[last].span.slice(&doc.text),
                    "," | ":" | ";" | "-" | "--" | "\u{2013}" | "\u{2014}" | "who" | "which"
                ))
        {
            last -= 1;
        }
        let n = time_phrase(doc, first, last + 1, false);
        if n == 0 || last + 1 - first <= n {
            break;
        }
        // A time phrase that belongs to a clause inside the source stays (`who served until
        // earlier this year`, `a poll released last week`).
        let before = last - n;
        let w = doc.tokens[before].span.slice(&doc.text);
        if df.toks[before].class == C_PREP
            || w.ends_with("ed")
            || ["until", "since", "till"].contains(&w)
        {
            break;
        }
        last -= n;
    }
    let n = time_phrase(doc, first, last + 1, true);
    if n > 0 && last + 1 - first > n {
        first += n;
    }
    // `[Although Trump] has admitted`, `[Despite Taliban's actions]`: the clause's or the
    // phrase's opening word is not part of the name.
    while first < last && {
        let w = doc.tokens[first].span.slice(&doc.text).to_lowercase();
        SUBORDINATORS.contains(&w.as_str()) || FRONTED_PREPOSITIONS.contains(&w.as_str())
    } {
        first += 1;
    }
    let start = doc.tokens[first].span.start.max(source.start);
    Span::new(start, doc.tokens[last].span.end.min(source.end))
}

#[cfg(test)]
mod tests {
    use super::super::at_in;
    use super::*;

    #[test]
    fn lone_articles_and_adverbs_name_nobody() {
        for s in [
            "the", "'s", "really", "actually", "t", "soon", "\"ve", "n\"t", "'ll", "has",
        ] {
            assert!(is_nobody(s), "{s}");
        }
        for s in [
            "Spicer",
            "officials",
            "he",
            "Italy",
            "the ministry",
            "Kelly",
            "who",
            "those",
            "May",
        ] {
            assert!(!is_nobody(s), "{s}");
        }
    }

    #[test]
    fn a_role_before_the_name_is_part_of_the_source() {
        let text = "Flights were disrupted for about 2,000 people, the president of Paris \
                    Airports, Augustin de Romanet, told CNN.";
        let rel = |content: &str| Attribution {
            source: Some(at_in(text, "Augustin de Romanet")),
            cue: Some(at_in(text, "told")),
            content: Some(at_in(text, content)),
            ..Attribution::default()
        };
        let mut out = [rel(
            "Flights were disrupted for about 2,000 people, the president of Paris Airports",
        )];
        role_before_name(text, &mut out);
        assert_eq!(
            out[0].source.map(|s| s.slice(text)),
            Some("the president of Paris Airports, Augustin de Romanet")
        );
        assert_eq!(
            out[0].content.map(|s| s.slice(text)),
            Some("Flights were disrupted for about 2,000 people")
        );
        // The end of the claim that is no role stays the claim's.
        let mut out = [rel("Flights were disrupted for about 2,000 people")];
        let before = out[0].clone();
        role_before_name(text, &mut out);
        assert_eq!(out[0], before);
        assert!(is_role("Russia's ambassador to Seoul"));
        assert!(is_role("her lawyer"));
        assert!(!is_role(
            "won the best foreign language film award after its director"
        ));
        assert!(!is_role(
            "the fact that the first national security adviser"
        ));
        assert!(!is_role(
            "Russian President Vladimir Putin will participate in the forum"
        ));
    }

    #[test]
    fn an_apposition_after_the_name_is_part_of_the_source() {
        let source = |text: &str, name: &str, cue: &str| {
            with_apposition(text, at_in(text, name), at_in(text, cue), None)
                .slice(text)
                .to_string()
        };
        let text = "Donald Trump, her Republican opponent, bemoaned the unrest and said it hurt.";
        assert_eq!(
            source(text, "Donald Trump", "said"),
            "Donald Trump, her Republican opponent"
        );
        let text = "Rep. Jim Clyburn (D-S.C.), the assistant leader, added that it was wrong.";
        assert_eq!(
            source(text, "Rep. Jim Clyburn", "added"),
            "Rep. Jim Clyburn (D-S.C.), the assistant leader"
        );
        for (text, name) in [
            (
                "Cruz, who says the polls tightened, said it was wrong.",
                "Cruz",
            ),
            (
                "The government, for instance, said it was wrong.",
                "The government",
            ),
            ("Clinton, clearly frustrated, said it was wrong.", "Clinton"),
            ("Pence, I've got to ask you, said it was wrong.", "Pence"),
            (
                "However, a referendum has failed, officials said it was wrong.",
                "However",
            ),
        ] {
            assert_eq!(source(text, name, "said"), name, "{text}");
        }
    }
}
