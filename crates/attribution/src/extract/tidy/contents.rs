//! Contents: where a claim begins and ends. It starts in its cue's sentence unless it is a
//! quotation, stays in its paragraph, does not run over its own source and cue, over a phrase
//! fronted before the speaker, out of a fronted subordinate clause or into another cue's
//! quotation, runs on over a relative clause that interrupts it, leaves out the one told
//! (`told Reuters «the company would appeal»`) and when it was said (`said on Monday «the two
//! went missing»`), and never starts with a dash nor ends in a dangling conjunction, article or
//! comma; a `claim` that takes its object (`claimed two lives`) is no claim.

use caveat_core::{Attribution, AttributionKind, Document, Span};

use super::super::features::DocFeatures;
use super::super::kind::is_quote;
use super::super::words::{C_AUX, C_DET, C_PREP, C_QUANT, C_THAT, DAYS};
use super::sources::TIME_NOUNS;
use super::tags::TAG_TAIL;
use super::{token_at, FRONTED_PREPOSITIONS, QUOTES, SUBORDINATORS};

/// Words that open a phrase fronted before a sentence's subject (`In an interview on CBS,
/// Ryan said ...`, `Speaking at a BMW event, Helmut Panke predicted ...`).
const FRONTED: &[&str] = &[
    "in",
    "on",
    "at",
    "during",
    "after",
    "before",
    "speaking",
    "writing",
    "asked",
    "last",
    "earlier",
    "later",
    "following",
    "despite",
    "since",
    "under",
    "amid",
    "for",
    "with",
    "by",
    "from",
    "appearing",
    "testifying",
];

/// `«In an interview on CBS's "Face the Nation,"» House Speaker Paul D. Ryan said the recent
/// spate ... demands ...`: a content that is a phrase fronted before its source (it opens
/// with a preposition or a participle, and a comma ends it right before the source) while
/// words follow the cue is no claim; the claim is what follows the cue, to the end of the
/// sentence.
pub(super) fn fronted_phrase(doc: &Document, out: &mut [Attribution]) {
    let text = &doc.text;
    for a in out.iter_mut() {
        let (Some(c), Some(cue), Some(src)) = (a.content, a.cue, a.source) else {
            continue;
        };
        let Some(sentence) = doc.sentences.get(a.sentence).map(|s| s.span) else {
            continue;
        };
        if !(c.end <= src.start && src.end <= cue.start && sentence.start <= c.start) {
            continue;
        }
        let phrase = c.slice(text);
        let opens = phrase
            .split_whitespace()
            .next()
            .is_some_and(|w| FRONTED.contains(&w.to_lowercase().as_str()));
        let comma_before_source = text[c.end..src.start].trim() == ","
            || phrase
                .trim_end_matches(['"', '\u{201d}', '\''])
                .ends_with(',');
        if !opens
            || !comma_before_source
            || !text[c.end..src.start]
                .trim()
                .trim_start_matches(',')
                .is_empty()
            || cue.slice(text).eq_ignore_ascii_case("according to")
            || cue.end >= sentence.end
        {
            continue;
        }
        let rest = &text[cue.end..sentence.end];
        let claim = rest.trim().trim_end_matches(['.', '!', '?']).trim_end();
        // `said in an email.`, `told the BBC News website.`: where or to whom, not what.
        let first = claim.split_whitespace().next().unwrap_or("").to_lowercase();
        let cue_text = cue.slice(text).to_lowercase();
        if rest.trim_start().starts_with([',', ';', ':', '-'])
            || claim.split_whitespace().count() < 3
            || ["in", "at", "on", "during", "via", "after", "before", "from"]
                .contains(&first.as_str())
            || cue_text.starts_with("tell")
            || cue_text.starts_with("told")
            || !claim.starts_with(|ch: char| ch.is_alphanumeric() || QUOTES.contains(&ch))
        {
            continue;
        }
        let start = cue.end + (rest.len() - rest.trim_start().len());
        let claim = Span::new(start, start + claim.len());
        a.content = Some(claim);
        a.quote = is_quote(text, claim);
    }
}

/// Whether `content` opens with a straight double quotation mark that closes: glued to the
/// word or mark before it and followed by a space (`... not right'." And he ...`); `saying, "
/// Anybody who ...` (a space before the mark) opens a quotation, and so may a `”` (some sites
/// print `” … what I learned ...` for an opening one).
pub(super) fn opens_with_closing_mark(text: &str, content: Span) -> bool {
    let mut chars = content.slice(text).chars();
    let (Some(mark), Some(next)) = (chars.next(), chars.next()) else {
        return false;
    };
    let glued = text[..content.start]
        .chars()
        .next_back()
        .is_some_and(|b| !b.is_whitespace());
    mark == '"' && glued && next.is_whitespace()
}

/// A content that is no quotation (and opens with no quotation mark) starts no earlier than
/// its cue's sentence (`Economists had
/// forecast growth of 5.6%. [Demand may weaken,] some analysts warned`, not both sentences); it
/// may run on after it (`Limbaugh added:` and the paragraph it introduces).
pub(super) fn from_cue_sentence(doc: &Document, sentence: usize, content: Span) -> Span {
    match doc.sentences.get(sentence) {
        Some(s) if content.start < s.span.start && s.span.start < content.end => {
            let start = s.span.start;
            Span::new(start, content.end)
        }
        _ => content,
    }
}

/// Words that go on with a clause after a relative clause set off by commas (`the production,
/// which cost £9m, [was] a blend ...`).
const CLAUSE_GOES_ON: &[&str] = &[
    "is", "are", "was", "were", "has", "have", "had", "will", "would", "could", "can", "should",
    "may", "might", "must", "did", "does",
];

/// A content cut before a relative clause set off by commas whose clause goes on after it
/// (`said «he hoped the production», which cost £9m to bring to the stage, was a blend of ...`)
/// is the whole clause, to its sentence's end: the relative clause only interrupts it.
pub(super) fn over_relative_clause(doc: &Document, sentence: usize, content: Span) -> Span {
    let text = &doc.text;
    let Some(s) = doc.sentences.get(sentence) else {
        return content;
    };
    if content.end >= s.span.end {
        return content;
    }
    let rest = &text[content.end..s.span.end];
    let Some(after) = rest
        .strip_prefix(", which ")
        .or_else(|| rest.strip_prefix(", who "))
    else {
        return content;
    };
    let Some(k) = after.find(", ") else {
        return content;
    };
    let relative = &after[..k];
    let next = after[k + 2..].split_whitespace().next().unwrap_or("");
    if relative.contains(['.', ';', '"', '\u{201c}', '\u{201d}', '\n'])
        || !CLAUSE_GOES_ON.contains(&next)
    {
        return content;
    }
    // To the sentence's end, or to a full stop the sentence split missed (`.-` in scraped
    // text).
    let tail = &after[k + 2..];
    let stop = tail
        .find(". ")
        .or_else(|| tail.find(".-"))
        .unwrap_or(tail.len());
    let end = s.span.end - (tail.len() - stop);
    let whole = text[content.start..end].trim_end();
    let whole = whole.strip_suffix('.').unwrap_or(whole).trim_end();
    Span::new(content.start, content.start + whole.len())
}

/// `Describing «him as an emotional man», [Judge Barry Hickson] said ...`, `While commenting
/// on «the situation ...», [he] said that ...`: a participle cue that opens its sentence has
/// its speaker in the main clause after the comma, and its content before that comma (not the
/// main clause's report). Returns the content.
pub(super) fn fronted_participle(
    doc: &Document,
    sentence: usize,
    cue: Span,
    source: Option<Span>,
    content: Span,
) -> Option<Span> {
    let text = &doc.text;
    let s = doc.sentences.get(sentence)?;
    let source = source?;
    let verb = cue.slice(text);
    let first = verb.split_whitespace().next()?;
    if !first.ends_with("ing")
        || first.eq_ignore_ascii_case("according")
        || source.start <= cue.end
        || content.start < source.end
        || cue.start < s.span.start
    {
        return None;
    }
    // Only a subordinator or quotation marks before the cue (`While commenting on`).
    let lead = text[s.span.start..cue.start].trim_matches(|c: char| !c.is_alphanumeric());
    if !(lead.is_empty() || SUBORDINATORS.contains(&lead.to_lowercase().as_str())) {
        return None;
    }
    let between = &text[cue.end..source.start];
    let comma = between.trim_end().strip_suffix(',')?;
    let claim = comma.trim();
    if claim.is_empty() || claim.contains(['"', '\u{201c}', '\u{201d}']) {
        return None;
    }
    let start = cue.end + (comma.len() - comma.trim_start().len());
    Some(Span::new(start, start + claim.len()))
}

/// Whether `s` holds a quotation mark; an apostrophe inside a word (`committee's`, `don't`)
/// or after a plural's `s` (`the members' votes`) is none.
fn has_quotation_mark(s: &str) -> bool {
    let chars: Vec<char> = s.chars().collect();
    chars.iter().enumerate().any(|(i, &c)| {
        if !QUOTES.contains(&c) {
            return false;
        }
        if !matches!(c, '\'' | '\u{2019}') {
            return true;
        }
        let before = i.checked_sub(1).and_then(|k| chars.get(k)).copied();
        let after = chars.get(i + 1).copied();
        let in_word =
            before.is_some_and(char::is_alphanumeric) && after.is_some_and(char::is_alphanumeric);
        let plural = before == Some('s') && after.is_none_or(|a| a == ' ');
        !(in_word || plural)
    })
}

/// A cue in a subordinate clause fronted before the main clause (`While Clinton talked about
/// «bringing communities together», Trump highlighted ...`, `When my mother mentioned «the
/// devil to me while driving», I laughed`): its content ends at the comma that ends the
/// clause, not in the main clause. Only for a content after its cue, with no quotation mark
/// before that comma, two words or more left, and no apposition or list after the comma.
pub(super) fn in_fronted_clause(doc: &Document, sentence: usize, cue: Span, content: Span) -> Span {
    let text = &doc.text;
    let Some(s) = doc.sentences.get(sentence) else {
        return content;
    };
    if content.start < cue.end || cue.start < s.span.start {
        return content;
    }
    let opening = text[s.span.start..cue.start]
        .split_whitespace()
        .next()
        .map(|w| {
            w.trim_matches(|c: char| !c.is_alphanumeric())
                .to_lowercase()
        });
    // Not `As one user pointed out, «the gap is vast»`: there the main clause is the claim.
    // A fronted prepositional phrase ends the same way (`Amid mounting criticism «of the
    // committee's delays», Rajoub remained confident`).
    if !opening.is_some_and(|w| {
        w != "as"
            && (SUBORDINATORS.contains(&w.as_str()) || FRONTED_PREPOSITIONS.contains(&w.as_str()))
    }) || text[s.span.start..cue.start].contains(',')
    {
        return content;
    }
    let inner = content.slice(text);
    let Some(k) = inner.find(", ") else {
        return content;
    };
    let claim = &inner[..k];
    // What follows the comma opens the main clause (`, Trump highlighted`), not an apposition
    // or a list (`, a tax loophole important to ...`, `, including`, `, trapping them`).
    let next = inner[k + 2..]
        .split_whitespace()
        .next()
        .unwrap_or("")
        .to_lowercase();
    if has_quotation_mark(claim)
        || claim.split_whitespace().count() < 2
        || next.ends_with("ing")
        || matches!(
            next.as_str(),
            "a" | "an"
                | "which"
                | "who"
                | "whose"
                | "where"
                | "such"
                | "especially"
                | "and"
                | "or"
                | "as"
                | "like"
        )
    {
        return content;
    }
    Span::new(content.start, content.start + k)
}

/// Whether a quotation opens a sentence at byte `at`: an opening mark after a sentence's end.
fn opens_a_quoted_sentence(text: &str, at: usize) -> bool {
    let before = text[..at].trim_end();
    let before = before.trim_end_matches(['"', '\u{201d}', '\'', '\u{2019}']);
    text[at..].starts_with(['"', '\u{201c}'])
        && (before.is_empty() || before.ends_with(['.', '?', '!']) || text[..at].ends_with('\n'))
}

/// A content that runs on into the claim of a later cue without holding that cue (`said «she
/// wanted to speak ...\n“How many times do we have to see this?”» Clinton said.`) ends before
/// that claim when it is a quotation opening a sentence: each claim has one speaker (PolNeAR's
/// contents never share words). A content that holds the other cue holds the whole report
/// (`said «X told Y that ...»`) and stays.
pub(super) fn ends_before_the_next_claim(text: &str, out: &mut [Attribution], keep: &[bool]) {
    for i in 0..out.len() {
        let (Some(c), Some(cue)) = (out[i].content, out[i].cue) else {
            continue;
        };
        if !keep[i] || cue.end > c.start {
            continue;
        }
        let next = (0..out.len())
            .filter(|&j| j != i && keep[j])
            .filter_map(|j| Some((out[j].content?, out[j].cue?)))
            .filter(|(o, ocue)| {
                c.start < o.start
                    && o.start < c.end
                    && c.end <= o.end
                    && !c.contains(*ocue)
                    && opens_a_quoted_sentence(text, o.start)
            })
            .map(|(o, _)| o.start)
            .min();
        let Some(at) = next else { continue };
        let claim = text[c.start..at].trim_end();
        if claim.split_whitespace().count() >= 2 {
            out[i].content = Some(Span::new(c.start, c.start + claim.len()));
        }
    }
}

/// A content that runs on over another speaker's report (`said «he did not have confidence in
/// the minister, Minister Ross said "If you don't ..."»`, `Commenting on «the announcement,
/// eShopWorld CEO Tommy Kelly said: "We are ..."»`) ends before that speaker: the other source
/// and cue stand inside the content, after a comma or before a colon, with their own claim
/// after them (or anywhere after a fronted `Asked`: `Asked «about Mr Smith's position» Mr
/// Johnson told ...`). A report the content opens with (`According to Mr Peston, «the prime minister
/// said: "..."»`) or after a complementizer (`said «that officials told him ...»`) stays: it
/// is what was reported.
pub(super) fn ends_before_the_next_speaker(text: &str, out: &mut [Attribution], keep: &[bool]) {
    for i in 0..out.len() {
        let (Some(c), Some(cue)) = (out[i].content, out[i].cue) else {
            continue;
        };
        if !keep[i] || cue.end > c.start {
            continue;
        }
        let asked = fronted_asked(text, cue);
        let at = (0..out.len())
            .filter(|&j| j != i && keep[j])
            // A statement (`said`, `replied:`), not a participle that goes on with the same
            // speaker (`had a "scorching" from [MPs] adding:`) nor a belief in a list
            // (`Darren Campbell, [Marlon Devonish and Mark Lewis-Francis] - knew`).
            .filter(|&j| out[j].kind == AttributionKind::Statement)
            .filter_map(|j| Some((out[j].source?, out[j].cue?, out[j].content?)))
            .filter(|&(s, k, o)| {
                let verb = k.slice(text);
                c.start < s.start
                    && s.end <= k.start
                    && k.end <= c.end
                    && k.end <= o.start
                    && verb.chars().any(char::is_alphabetic)
                    && !verb
                        .split_whitespace()
                        .next()
                        .is_some_and(|w| w.trim_end_matches(':').ends_with("ing"))
                    && (text[c.start..s.start].trim_end().ends_with(',')
                        || verb.ends_with(':')
                        || text[k.end..].starts_with(':')
                        || asked)
            })
            .map(|(s, _, _)| s.start)
            .min();
        // `Premier Annastacia Palaszczuk, [who] warned «the storm was ..., said more than
        // 30,000 homes ...»`: a cue in a relative clause on the speaker of the main clause; its
        // content ends at the comma before the main clause's cue.
        let main = relative_cue(text, cue)
            .then(|| {
                (0..out.len())
                    .filter(|&j| j != i && keep[j])
                    .filter_map(|j| Some((out[j].source?, out[j].cue?, out[j].content?)))
                    .filter(|&(s, k, o)| {
                        s.end <= cue.start
                            && c.start < k.start
                            && k.end <= c.end
                            && k.end <= o.start
                            && text[c.start..k.start].trim_end().ends_with(',')
                    })
                    .map(|(_, k, _)| k.start)
                    .min()
            })
            .flatten();
        let (at, relative) = match (at, main) {
            (Some(a), Some(m)) => (a.min(m), m < a),
            (Some(a), None) => (a, false),
            (None, Some(m)) => (m, true),
            (None, None) => continue,
        };
        let claim = text[c.start..at]
            .trim_end()
            .trim_end_matches([',', '-', '\u{2013}', '\u{2014}', ' '])
            .trim_end();
        // A clause fronted before the other speaker's is theirs too (`terrorism «If
        // elected», Le Pen vows`, `tonight" «- while Stephen Herring», the Institute's head
        // of taxation, said`).
        let claim = match fronted_clause_start(claim).filter(|_| !relative) {
            Some(k) => {
                let before = claim[..k]
                    .trim_end()
                    .trim_end_matches([',', '-'])
                    .trim_end();
                if before.split_whitespace().count() >= 3 {
                    before
                } else {
                    claim
                }
            }
            None => claim,
        };
        if claim.split_whitespace().count() >= 2 {
            out[i].content = Some(Span::new(c.start, c.start + claim.len()));
        }
    }
}

/// Auxiliaries a passive cue's verb group opens with.
const PASSIVE_AUX: &[&str] = &[
    "is", "are", "was", "were", "be", "been", "being", "has", "have", "had", "will", "would",
    "can", "could", "may", "might", "must", "should", "to",
];

/// Past participles of reporting verbs that do not end in `-ed` or `-en`.
const IRREGULAR_PARTICIPLES: &[&str] = &[
    "said", "told", "thought", "heard", "found", "felt", "held", "made", "meant", "led", "put",
];

/// `«The idea of a "civic commons" was» originally proposed by ...`, `«This has been» widely
/// reported`: a content right before a passive cue does not end in the cue's auxiliaries;
/// they join the cue (PolNeAR's cue is `was originally proposed`), and an expletive `, it`
/// left before them goes too (`«Curtis is to be made into a film, it» has been announced`).
/// Returns the cue and the content.
pub(super) fn passive_auxiliaries(text: &str, cue: Span, content: Span) -> Option<(Span, Span)> {
    if content.end > cue.start || !text[content.end..cue.start].trim().is_empty() {
        return None;
    }
    let verb = cue.slice(text);
    let participle = verb.split_whitespace().any(|w| {
        (w.len() > 3 && (w.ends_with("ed") || w.ends_with("en")))
            || IRREGULAR_PARTICIPLES.contains(&w)
    });
    if !participle || !verb.starts_with(char::is_lowercase) {
        return None;
    }
    let inner = content.slice(text);
    let mut end = inner.len();
    while let Some((head, last)) = inner[..end].trim_end().rsplit_once(' ') {
        if !PASSIVE_AUX.contains(&last) {
            break;
        }
        end = head.len();
    }
    if end == inner.len() {
        return None;
    }
    let aux_start = content.start + inner[..end].len() + 1;
    let mut kept = inner[..end].trim_end();
    if let Some(head) = kept.strip_suffix(", it") {
        kept = head.trim_end();
    }
    if kept.split_whitespace().count() < 1 {
        return None;
    }
    Some((
        Span::new(aux_start, cue.end),
        Span::new(content.start, content.start + kept.len()),
    ))
}

/// Whether `cue` opens a relative clause set off by a comma (`Palaszczuk, who warned`).
fn relative_cue(text: &str, cue: Span) -> bool {
    let before = text[..cue.start].trim_end();
    ["who", "which"].iter().any(|w| {
        before
            .strip_suffix(w)
            .is_some_and(|b| b.trim_end().ends_with(','))
    })
}

/// Whether `cue` is a fronted `Asked` (`Asked about X, he said ...`, `When asked if X he
/// replied ...`): the question's content ends where the answer's speaker starts, comma or not.
fn fronted_asked(text: &str, cue: Span) -> bool {
    let verb = cue.slice(text);
    if !(verb == "Asked" || verb == "asked") {
        return false;
    }
    let before = text[..cue.start].trim_end();
    let last = before.rsplit(char::is_whitespace).next().unwrap_or("");
    before.is_empty()
        || before.ends_with(['.', '!', '?', '"', '\u{201d}', '\n'])
        || (verb == "Asked" && !last.chars().any(char::is_alphanumeric))
        || last == "When"
        || last == "when"
}

/// Words that open a subordinate clause and hardly anything else (`after`, `before`, `as`,
/// `since` head phrases as often).
const CLAUSE_OPENERS: &[&str] = &[
    "if", "while", "when", "although", "though", "because", "whereas", "unless",
];

/// Where the last subordinate clause of `claim` starts (`... terrorism [If elected]`), when no
/// comma follows its opener (not the claim's first word).
fn fronted_clause_start(claim: &str) -> Option<usize> {
    let mut at = None;
    let mut offset = 0;
    for piece in claim.split_inclusive(' ') {
        let word = piece
            .trim()
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if offset > 0 && CLAUSE_OPENERS.contains(&word.as_str()) {
            at = Some(offset);
        }
        if piece.contains(',') {
            at = None;
        }
        offset += piece.len();
    }
    at
}

/// A content that opens with its own source and cue (`«The company's chief executive, Richard
/// Parsons, told investors the results were "encouraging"»`) is what follows them, when that
/// is two words or more; so is one that holds them followed by `that` (`In an indication
/// «Washington is set to ..., Tillerson said this week that the US ...»`).
pub(super) fn around_its_cue(text: &str, cue: Span, source: Option<Span>, content: Span) -> Span {
    let holds = |s: Span| content.start <= s.start && s.end <= content.end;
    // `In an indication «Washington is set to ...», Tillerson said this week that ...`: a
    // source and cue inside the content, followed by `that`, head the claim after them.
    if source
        .is_some_and(|s| content.start < s.start && holds(s) && holds(cue) && s.end <= cue.start)
    {
        let rest = text[cue.end..content.end].trim_start();
        if rest.starts_with("that ") && rest.split_whitespace().count() >= 3 {
            return Span::new(content.end - rest.len(), content.end);
        }
    }
    // `«the centre's closure, Human Rights Watch said: "Instead of ..."»`: a source and cue
    // inside the content, followed by a quotation, introduce it; the claim is the quotation
    // (not when a quotation ends before them: `«"Q1," said X, "Q2"»` is one claim).
    if source.is_some_and(|s| {
        content.start < s.start
            && holds(s)
            && holds(cue)
            && !text[content.start..s.start.min(cue.start)]
                .trim_end()
                .trim_end_matches(',')
                .ends_with(['"', '\u{201d}', '\u{2019}', '\''])
    }) {
        // Only a colon introduces it (`said: "..."`); `according to German outlet "Der
        // Spiegel"` names a paper.
        let after = source.map_or(cue.end, |s| s.end.max(cue.end));
        let rest = text[after..content.end].trim_start_matches([' ', ',', ':']);
        let colon =
            cue.slice(text).ends_with(':') || text[after..content.end - rest.len()].contains(':');
        if colon && rest.starts_with(['"', '\u{201c}']) && rest.split_whitespace().count() >= 2 {
            return Span::new(content.end - rest.len(), content.end);
        }
    }
    // Otherwise only when nothing of the claim comes before the source: `X, officials said,
    // Y` is one interrupted content (PolNeAR joins its parts), `Officials said Y` is not.
    if !(content.start < cue.start
        && holds(cue)
        && source.is_some_and(|s| holds(s) && s.start == content.start))
    {
        return content;
    }
    let after = source.map_or(
        cue.end,
        |s| if s.start >= cue.end { s.end } else { cue.end },
    );
    let rest = &text[after..content.end];
    let skip = rest.len()
        - rest
            .trim_start_matches(|c: char| c.is_whitespace() || c == ',')
            .len();
    let start = after + skip;
    if text[start..content.end].split_whitespace().count() >= 2 {
        Span::new(start, content.end)
    } else {
        content
    }
}

/// A content that runs a few words into a later sentence without finishing it (`«broadcasters
/// were "more than willing". Opinion polls suggested»`, `«"... we certainly did." McClaren»`)
/// ends with the sentence before: at most four words and no quotation mark in the last
/// sentence, which goes on after the content. The caller keeps quotations out (`“The launch
/// may have failed. Nobody knows why,” the NIS said` is one quotation).
pub(super) fn no_trailing_fragment(doc: &Document, content: Span) -> Span {
    let text = &doc.text;
    let k = doc
        .sentences
        .partition_point(|s| s.span.end <= content.start);
    let Some(last) = doc.sentences[k..]
        .iter()
        .take_while(|s| s.span.start < content.end)
        .last()
    else {
        return content;
    };
    // Only a content that ends inside that sentence (not in the space after it).
    if last.span.start <= content.start || last.span.end < content.end {
        return content;
    }
    let tail = &text[last.span.start..content.end];
    let rest = text[content.end..last.span.end].trim();
    if tail.split_whitespace().count() > 4
        || tail.contains(QUOTES)
        || rest.chars().all(|c| !c.is_alphanumeric())
    {
        return content;
    }
    let end = content.start + text[content.start..last.span.start].trim_end().len();
    if end > content.start {
        Span::new(content.start, end)
    } else {
        content
    }
}

/// A content that runs on over its own inverted cue and source into what follows them (`«This
/// is only the tip of the iceberg, thinks Tim Danton, editor of PC Pro. The new rules are
/// unfair»`, `«Clinton beats Trump by 46 percent, according to the poll. Twelve percent»`), or
/// over a source and cue that end its sentence (`«About 3,600 drivers were fined, the
/// Department for Transport said. Adverts aimed at»`), is what comes before them, when that
/// is two words or more. A quotation split by its
/// speaker (`“A,” said X. “B.”`) stays whole, as does a claim followed by a quotation of the
/// same speaker (PolNeAR joins their parts).
pub(super) fn before_its_cue(text: &str, cue: Span, source: Option<Span>, content: Span) -> Span {
    let holds = |s: Span| content.start <= s.start && s.end <= content.end;
    let Some(source) = source else {
        return content;
    };
    if content.slice(text).starts_with(QUOTES) {
        return content;
    }
    let (first, last) = (cue.start.min(source.start), cue.end.max(source.end));
    if !(content.start < first && holds(cue) && holds(source)) {
        return content;
    }
    let rest = &text[last..content.end];
    if source.start < cue.start {
        // `X, the ministry said. Y`: only a sentence that ends right after the source and cue
        // ends the claim; `X, officials said, Y` is one interrupted claim.
        if source.end > cue.start || !rest.trim_start().starts_with(['.', '!', '?']) {
            return content;
        }
    }
    // What follows the speaker opens a quotation: the speaker's words go on (PolNeAR joins
    // them: `The answers are "not meeting the demand," says Paul Rieckhoff. "..."`).
    let after =
        rest.trim_start_matches(|c: char| c.is_whitespace() || matches!(c, ',' | '.' | ':'));
    if after.starts_with(QUOTES) {
        return content;
    }
    let before = text[content.start..first]
        .trim_end()
        .trim_end_matches(',')
        .trim_end();
    if before.split_whitespace().count() >= 2 {
        Span::new(content.start, content.start + before.len())
    } else {
        content
    }
}

/// A content that does not open with a quotation mark stays in one paragraph: the cue's side
/// of the first blank line after a cue before it (`have claimed «a high-profile victim.»`, not
/// `«a high-profile victim.\n\nThe campaign of legal action»`), of the last blank line before
/// a cue after it (`«Employers have spent ...» research suggests`, not the headline above).
pub(super) fn one_paragraph(text: &str, cue: Span, content: Span) -> Span {
    let inner = content.slice(text);
    // A paragraph ends at a blank line (a single line break may only wrap the text).
    const BREAK: &str = "\n\n";
    if !inner.contains(BREAK) {
        return content;
    }
    if inner.starts_with(QUOTES) {
        // A quotation that runs on over a blank line into its own cue's paragraph
        // (`«"It is one of the things ...."\n\nCaddell went on to discuss recent polls»`)
        // was read across the paragraphs: the claim is what follows the cue.
        let rest = text[cue.end.min(content.end)..content.end].trim();
        if content.start < cue.start
            && cue.end <= content.end
            && text[content.start..cue.start].contains(BREAK)
            && rest.split_whitespace().count() >= 2
        {
            let start = content.end - text[cue.end..content.end].trim_start().len();
            return Span::new(start, start + rest.len());
        }
        return content;
    }
    let (mut start, mut end) = (content.start, content.end);
    if cue.end <= content.start {
        // A paragraph that opens with a quotation mark continues a quoted turn (a transcript
        // printed as one quotation): the content runs on over it.
        let mut from = 0;
        let cut = loop {
            match inner[from..].find(BREAK) {
                Some(i) if inner[from + i..].trim_start().starts_with(QUOTES) => {
                    from += i + BREAK.len();
                }
                Some(i) => break from + i,
                None => break inner.len(),
            }
        };
        end = content.start + cut;
    } else if cue.start >= content.end {
        start = content.start + inner.rfind(BREAK).map_or(0, |i| i + BREAK.len());
    }
    let s = text[start..end].trim();
    if s.is_empty() {
        return content;
    }
    let start = start + (text[start..end].len() - text[start..end].trim_start().len());
    Span::new(start, start + s.len())
}

/// Things one claims by taking them, not by saying so (`the flood claimed «two lives»`,
/// `studios have claimed «a high-profile victim»`, `claimed «victory»`).
const TAKEN: &[&str] = &[
    "victim",
    "victims",
    "life",
    "lives",
    "victory",
    "title",
    "titles",
    "seat",
    "seats",
    "crown",
    "prize",
    "medal",
    "responsibility",
];

/// Whether a `claim` cue takes its object ([`TAKEN`] among the content's first four words)
/// rather than reporting it.
pub(super) fn takes_not_says(cue: &str, content: &str) -> bool {
    let last = cue.split_whitespace().last().unwrap_or("").to_lowercase();
    last.starts_with("claim")
        && content
            .split_whitespace()
            .take(4)
            .any(|w| TAKEN.contains(&w.trim_matches(|c: char| !c.is_alphanumeric())))
}

/// Cues (by their last word) after which `of` names a topic, not a claim (`said «of the March
/// for Science»`, `think «of growth»`, `knew «of no contacts»`, `ruled out «of the clash»`).
const OF_TOPIC: &[&str] = &[
    "say", "says", "said", "saying", "think", "thinks", "thought", "know", "knows", "knew", "tell",
    "tells", "told", "talk", "talks", "feel", "feels", "out",
];

/// `told «Reuters the company would appeal»`, `told «African-Americans this weekend he would
/// consider it ...»`: after `told` the content may open with the one told; the claim is the
/// clause after it, which opens (within eight words) with `that`, a subject pronoun or a
/// determiner not after a preposition, followed within five words by an auxiliary or an `-ed`
/// verb. `Some` of the clause, `None` when nothing that looks like one follows.
pub(super) fn without_addressee(
    doc: &Document,
    df: &DocFeatures,
    cue: Span,
    content: Span,
) -> Option<Span> {
    let text = &doc.text;
    let verb = cue.slice(text).split_whitespace().last()?.to_lowercase();
    // (`was told «how I was ...»`: a passive `told` has no one told after it.)
    let passive = cue.slice(text).split_whitespace().any(|w| {
        matches!(
            w.to_lowercase().as_str(),
            "was" | "were" | "been" | "being" | "is" | "are"
        )
    });
    if !matches!(verb.as_str(), "told" | "tell" | "tells" | "telling")
        || passive
        || content.start < cue.end
        || content.slice(text).starts_with(QUOTES)
    {
        return None;
    }
    let k0 = token_at(doc, content.start)?;
    let k1 = doc.tokens.partition_point(|t| t.span.end <= content.end);
    if k1 < k0 + 4 || df.toks[k0].class == C_THAT {
        return None;
    }
    let word = |k: usize| doc.tokens[k].span.slice(text).to_lowercase();
    // (`told reporters this weekend he ...`: a time phrase is no subject.)
    let subject = |k: usize| {
        let w = word(k);
        matches!(
            w.as_str(),
            "he" | "she" | "they" | "i" | "we" | "you" | "it" | "there"
        ) || (matches!(df.toks[k].class, C_DET | C_QUANT)
            && (k == 0 || df.toks[k - 1].class != C_PREP)
            && !(k + 1 < k1 && TIME_NOUNS.contains(&word(k + 1).as_str())))
    };
    let verb_follows = |k: usize| {
        (k + 1..(k + 6).min(k1))
            .any(|j| df.toks[j].class == C_AUX || (word(j).len() > 3 && word(j).ends_with("ed")))
    };
    // A content that opens with the clause already (`told Al Jazeera «the investigation into
    // his death is ...»`) has no one told in it.
    if subject(k0) && verb_follows(k0) {
        return None;
    }
    let k = (k0 + 1..(k0 + 9).min(k1.saturating_sub(1)))
        .find(|&k| df.toks[k].class == C_THAT || (subject(k) && verb_follows(k)))?;
    // The one told is a few words with no verb, no sentence end and no question of their own
    // (`told the owner how much «a product would cost»`).
    if (k0..k).any(|j| {
        df.toks[j].class == C_AUX
            || matches!(
                word(j).as_str(),
                "," | ";"
                    | ":"
                    | "."
                    | "?"
                    | "!"
                    | "how"
                    | "what"
                    | "why"
                    | "where"
                    | "when"
                    | "whether"
                    | "if"
                    | "who"
            )
    }) {
        return None;
    }
    Some(Span::new(doc.tokens[k].span.start, content.end))
}

/// `told the BBC: «"..."»`, `asked the minister: «"..."»`, `said on Monday: «"..."»`: a
/// content that opens with the addressee (or when or where) and a colon before a quotation
/// is the quotation. `Some` of the quotation; `None` when the phrase before the colon could be
/// the claim (`said Mr Blair had shown he could rouse the party: "..."`).
pub(super) fn quote_after_addressee(text: &str, cue: Span, content: Span) -> Option<Span> {
    if content.start < cue.end {
        return None;
    }
    let inner = content.slice(text);
    let colon = inner.find(':')?;
    let phrase = &inner[..colon];
    let after = &inner[colon + 1..];
    let quote = after.trim_start();
    if phrase.contains(['"', '\u{201c}', '\n']) || !quote.starts_with(['"', '\u{201c}']) {
        return None;
    }
    let words: Vec<String> = phrase
        .split_whitespace()
        .map(|w| w.to_lowercase())
        .collect();
    let verb = cue
        .slice(text)
        .split_whitespace()
        .last()
        .unwrap_or("")
        .to_lowercase();
    let addressed = matches!(
        verb.as_str(),
        "told" | "tells" | "tell" | "telling" | "asked" | "asks" | "asking"
    ) && words.len() <= 12;
    let when_where = matches!(
        verb.as_str(),
        "said" | "says" | "say" | "added" | "adds" | "wrote" | "writes"
    ) && words.len() <= 6
        && words
            .first()
            .is_some_and(|w| TAG_TAIL.contains(&w.as_str()));
    // `told CNN that ...:`, `asked if he ...:` carry a claim or a question of their own.
    let clause = words.iter().any(|w| {
        matches!(
            w.as_str(),
            "that" | "if" | "whether" | "how" | "why" | "what" | "who" | "about" | "to"
        )
    });
    if words.is_empty() || clause || !(addressed || when_where) {
        return None;
    }
    let start = content.end - quote.len();
    Some(Span::new(start, content.end))
}

/// For a content that opens with `of` after a cue in [`OF_TOPIC`] (or a cue read as `said of`):
/// `Some` of the cue without the `of` and what is left of the content, the quotation after a
/// colon, comma or full stop (`said of the Tory leader: «"He is clever ..."»`) or nothing;
/// `None` for any other content.
pub(super) fn of_topic(text: &str, cue: Span, content: Span) -> Option<(Span, Option<Span>)> {
    let cue_text = cue.slice(text);
    let c = content.slice(text);
    let (cue, verb) = match cue_text.strip_suffix(" of") {
        Some(verb) => (Span::new(cue.start, cue.start + verb.len()), verb),
        None if c
            .strip_prefix("of")
            .is_some_and(|r| r.starts_with(char::is_whitespace)) =>
        {
            (cue, cue_text)
        }
        None => return None,
    };
    let last = verb.split_whitespace().last()?.to_lowercase();
    if !OF_TOPIC.contains(&last.as_str()) {
        return None;
    }
    // The first quotation mark that opens the content or follows a colon, comma, full stop or
    // dash and opens a word opens the claim, if it has three words or more.
    let quote = c
        .match_indices(QUOTES)
        .find(|&(at, q)| {
            let before = c[..at].trim_end();
            (before.is_empty() || before.ends_with([':', ',', '.', '-', '\u{2013}', '\u{2014}']))
                && c[at + q.len()..]
                    .trim_start_matches(QUOTES)
                    .starts_with(char::is_alphanumeric)
        })
        .map(|(at, _)| at)
        .filter(|&at| c[at..].split_whitespace().count() >= 3);
    Some((
        cue,
        quote.map(|at| Span::new(content.start + at, content.end)),
    ))
}

/// Words a time phrase is made of besides [`DAYS`], [`TIME_NOUNS`] and [`MONTHS`].
const WHEN_WORDS: &[&str] = &[
    "on", "in", "last", "this", "next", "earlier", "later", "late", "early", "tomorrow",
];

/// Month names and their abbreviations (not `mar`): part of a time phrase next to a day's
/// number or after `on`/`in` (`on March 10`, `on Jan. 17`, `in January`), not alone (`said May
/// would ...`).
const MONTHS: &[&str] = &[
    "january",
    "february",
    "march",
    "april",
    "may",
    "june",
    "july",
    "august",
    "september",
    "october",
    "november",
    "december",
    "jan",
    "feb",
    "apr",
    "jun",
    "jul",
    "aug",
    "sep",
    "sept",
    "oct",
    "nov",
    "dec",
];

/// The byte length of the time phrase `s` opens with (`on Thursday`, `last week`, `earlier
/// this month`, `on March 10`), spaces after it included; 0 for none.
pub(super) fn when_len(s: &str) -> usize {
    let words: Vec<(usize, &str)> = s
        .split_whitespace()
        .take(8)
        .map(|w| (w.as_ptr() as usize - s.as_ptr() as usize, w))
        .collect();
    let lower = |w: &str| w.trim_end_matches([',', '.', ';']).to_lowercase();
    let is_number = |w: &str| {
        let w = w.trim_end_matches([',', '.']);
        !w.is_empty() && w.len() <= 4 && w.bytes().all(|b| b.is_ascii_digit())
    };
    let mut end = 0;
    for (i, &(at, w)) in words.iter().enumerate() {
        let word = lower(w);
        let prev = if i > 0 {
            lower(words[i - 1].1)
        } else {
            String::new()
        };
        let month = MONTHS.contains(&word.as_str());
        // `last week`, `Monday night`, not `winter "ice jams"` nor `this fall from 2.1%`.
        let after_when = WHEN_WORDS.contains(&prev.as_str()) || DAYS.contains(&prev.as_str());
        let anchor = DAYS.contains(&word.as_str())
            || (TIME_NOUNS.contains(&word.as_str()) && word != "fall" && after_when)
            || (month
                && (matches!(prev.as_str(), "on" | "in")
                    || is_number(&prev)
                    || words.get(i + 1).is_some_and(|n| is_number(n.1))))
            || (is_number(w)
                && (MONTHS.contains(&prev.as_str())
                    || prev == "in"
                    || words
                        .get(i + 1)
                        .is_some_and(|n| MONTHS.contains(&lower(n.1).as_str()))));
        if !anchor && !WHEN_WORDS.contains(&word.as_str()) {
            break;
        }
        if anchor {
            end = at + w.len();
        }
        // (`Jan.` is an abbreviation, and `30 July, 2002` goes on to its year.)
        let year_next = month
            && words
                .get(i + 1)
                .is_some_and(|n| is_number(n.1) && n.1.trim_end_matches([',', '.']).len() == 4);
        if (w.ends_with(',') && !year_next)
            || w.ends_with(';')
            || (w.ends_with('.') && !(month && word.len() <= 4))
        {
            break;
        }
    }
    // `said «Monday night's vote showed ...»`: the time belongs to what follows.
    let possessive = |w: &str| w.ends_with("'s") || w.ends_with("\u{2019}s");
    if end == 0
        || words
            .iter()
            .find(|(at, _)| *at >= end)
            .is_some_and(|(_, w)| possessive(w))
    {
        return 0;
    }
    let tail = &s[end..];
    end + tail.len() - tail.trim_start_matches([',', ' ']).len()
}

/// A content read right after its cue that opens with when it was said (`said «on Monday the
/// two went missing»`, `said «last week it would pay $850m»`) is what follows (PolNeAR leaves
/// the time out of the claim); one that is nothing but the time (`said «on Thursday»`) is no
/// claim (`None`). `Some(content)` when nothing changes.
pub(super) fn without_when(text: &str, cue: Span, content: Span) -> Option<Span> {
    if content.start < cue.end || !text[cue.end..content.start].trim().is_empty() {
        return Some(content);
    }
    let inner = content.slice(text);
    if inner.starts_with('.') {
        // `reiterated«.- Russia is ...»`: the cue ended its sentence.
        return None;
    }
    if only_setting(cue.slice(text), inner) {
        return None;
    }
    let n = match occasion_len(inner) {
        Some(n) if n == inner.len() => return None,
        Some(n) => n,
        None => when_len(inner),
    };
    if n == 0 {
        return Some(content);
    }
    let rest = &inner[n..];
    let rest = rest.strip_prefix("that ").unwrap_or(rest);
    let first = rest.split_whitespace().next().unwrap_or("");
    if !first.chars().any(char::is_alphanumeric) {
        return None;
    }
    if matches!(first, "and" | "but" | "or" | "to" | "against" | "with") {
        return Some(content);
    }
    Some(Span::new(content.end - rest.len(), content.end))
}

/// Prepositions that open the occasion of a statement (`after the debate`).
const OCCASION_OPENERS: &[&str] = &["after", "before", "during", "following", "amid", "ahead"];

/// Words that start the clause after an occasion (`before Wednesday's game «he would ...»`).
const OCCASION_CLAUSE_STARTS: &[&str] = &["he", "she", "they", "we", "i", "it", "that", "whether"];

/// Words that make an occasion run on into a clause of its own (`during a press conference
/// after he met them`) or that no short noun phrase holds (`after you`, `before this is`).
#[rustfmt::skip]
const NOT_IN_OCCASION: &[&str] = &[
    "after", "before", "when", "while", "as", "since", "until", "because", "if", "you", "this",
    "there", "is", "was", "are", "were", "will", "would", "had", "has", "have",
];

/// Words that open a clause after an occasion and its comma (`after the debate, «the senator
/// ...»`), not a participle (`during the summit, hosted by ...`).
#[rustfmt::skip]
const CLAUSE_AFTER_COMMA: &[&str] = &[
    "the", "a", "an", "he", "she", "they", "we", "it", "there", "this", "his", "her", "their",
    "its", "our",
];

/// The occasion a content opens with: a temporal preposition and a short noun phrase (no verb
/// form, no auxiliary), `Some(n)` with the byte length of `after the debate, ` or `after the
/// convention ` before a subject pronoun or `that`, `Some(inner.len())` when the content is
/// nothing but the occasion (`questioned «after the debate»`, `was rejected «after an arduous
/// interview process»`: no claim), `None` otherwise (`according to «after examining Clinton's
/// leg»`).
fn occasion_len(inner: &str) -> Option<usize> {
    let mut words = inner
        .split_whitespace()
        .map(|w| (w.as_ptr() as usize - inner.as_ptr() as usize, w));
    let (_, first) = words.next()?;
    if !OCCASION_OPENERS.contains(&first.to_lowercase().as_str())
        || inner.contains(['"', '\u{201c}', '\u{201d}', ':', ';'])
    {
        return None;
    }
    for (i, (at, raw)) in words.enumerate() {
        let w = raw
            .trim_matches(|c: char| !c.is_alphanumeric())
            .to_lowercase();
        if OCCASION_CLAUSE_STARTS.contains(&w.as_str()) {
            return (i > 0).then_some(at);
        }
        if i >= 5
            || w.is_empty()
            || w.ends_with("ing")
            || w.ends_with("ed")
            || NOT_IN_OCCASION.contains(&w.as_str())
        {
            return None;
        }
        if raw.ends_with(',') {
            let rest = inner[at + raw.len()..].trim_start();
            let next = rest.split_whitespace().next().unwrap_or("");
            let clause = next.starts_with(char::is_uppercase) || CLAUSE_AFTER_COMMA.contains(&next);
            return clause.then(|| inner.len() - rest.len());
        }
    }
    (inner.split_whitespace().count() >= 2).then_some(inner.len())
}

/// Verbs of saying and writing whose content may be only where it was said.
const SAYING: &[&str] = &[
    "said",
    "says",
    "say",
    "wrote",
    "writes",
    "write",
    "told",
    "tells",
    "stated",
    "states",
    "announced",
    "reiterated",
    "added",
    "adds",
];

/// Where a thing is said or written (`in a statement`, `at the press conference`).
const SETTINGS: &[&str] = &[
    "statement",
    "statements",
    "email",
    "e-mail",
    "conference",
    "interview",
    "ruling",
    "memo",
    "video",
    "notice",
    "report",
    "post",
    "letter",
    "speech",
    "event",
    "briefing",
    "decision",
    "tweet",
    "twitter",
    "facebook",
    "blog",
    "address",
    "remarks",
    "release",
    "time",
    "hearing",
    "meeting",
    "rally",
    "summit",
    "session",
];

/// `said «in a statement»`, `wrote «in the memo»`, `said «at the press conference»`: a verb
/// of saying whose content is only where it was said reports no claim there.
fn only_setting(cue: &str, inner: &str) -> bool {
    let verb = cue.split_whitespace().last().unwrap_or("").to_lowercase();
    let words: Vec<&str> = inner.split_whitespace().collect();
    SAYING.contains(&verb.as_str())
        && (2..=5).contains(&words.len())
        && matches!(words[0], "in" | "at" | "during" | "on" | "via")
        && words.last().is_some_and(|w| {
            SETTINGS.contains(
                &w.trim_matches(|c: char| !c.is_alphanumeric())
                    .to_lowercase()
                    .as_str(),
            )
        })
}

/// `content` without a leading dash, nor a trailing comma, semicolon, dash, conjunction (`and`,
/// `but`, `or`), article, `of` or relative pronoun (a tagger's content cut short: `«to be
/// behind the closure of the»`, `«the Ed Sullivan of podcasting which»`).
pub(super) fn trim_content(text: &str, content: Span) -> Span {
    // `said «-That is why ...»`, `says «-- The study ...»` (dashes for lost characters in
    // scraped text).
    let inner = content.slice(text);
    let dashes = inner.len()
        - inner
            .trim_start_matches(['-', '\u{2014}', '\u{2013}', ' '])
            .len();
    let content = if dashes < inner.len() {
        Span::new(content.start + dashes, content.end)
    } else {
        content
    };
    // `say that«'s not likely»`: a clitic takes its word back (not a possessive's name:
    // `According to [the Pensions Commission]«'s report ...»` is another error).
    let inner = content.slice(text);
    let content = if ["'s ", "\u{2019}s ", "\"s "]
        .iter()
        .any(|c| inner.starts_with(c))
    {
        let before = text[..content.start].trim_end_matches(|c: char| c.is_alphanumeric());
        let word = text[before.len()..content.start].to_lowercase();
        if before.ends_with(' ')
            && matches!(
                word.as_str(),
                "that" | "it" | "this" | "there" | "here" | "what" | "he" | "she" | "who"
            )
        {
            Span::new(before.len(), content.end)
        } else {
            content
        }
    } else {
        content
    };
    let mut end = content.end;
    loop {
        let s = text[content.start..end].trim_end();
        let cut = if let Some(r) = s.strip_suffix([',', ';', '—', '–']) {
            r
        } else if let Some(r) = s
            .strip_suffix('-')
            .filter(|r| r.ends_with(['.', '?', '!', '"', '”', '’', '-']))
        {
            // The dash that joins flattened paragraphs (`to The Huffington Post.-`), and the
            // full stop before it, which a content does not keep.
            r.strip_suffix('.').unwrap_or(r)
        } else if let Some(r) = s.strip_suffix('?').filter(|r| r.ends_with('"')) {
            // The same pages lost the character after a closing quote to a `?` (`,"?`).
            r
        } else if let Some(r) = [
            " and", " but", " or", " the", " a", " an", " of", " which", " who", " whose",
        ]
        .iter()
        .find_map(|w| s.strip_suffix(w))
        {
            r
        } else {
            s
        };
        let cut = cut.trim_end();
        if cut.is_empty() || cut.len() == end - content.start {
            break;
        }
        end = content.start + cut.len();
    }
    without_unclosed_quotation(text, Span::new(content.start, end))
}

/// A content that runs past a sentence end into a quotation it does not close ends at that
/// sentence end: the opening mark a tagger took along (`says «it is already moving in that
/// direction. "»`), or a next quotation's first words (`said «the CBO estimates made it harder
/// to sell their proposal. "Overall, this is a really bad number»`). A content that opens
/// with a quotation keeps its own (`«"We are in for a long day," Palaszczuk said. "The
/// intensity ... is increasing»` is one speaker's, its last mark lost by the tagger) unless
/// only the mark is left over; a quotation that opens a paragraph continues the content.
fn without_unclosed_quotation(text: &str, content: Span) -> Span {
    let inner = content.slice(text);
    let Some((q, mark)) = inner
        .char_indices()
        .rfind(|(_, c)| matches!(c, '"' | '\u{201c}' | '\u{201d}'))
    else {
        return content;
    };
    // A straight mark's way from its sides in the text (`well. "By`), by count when they do
    // not tell (`... on that..." "` at the end).
    let opening = match mark {
        '\u{201c}' => true,
        '\u{201d}' => false,
        _ => {
            let at = content.start + q;
            caveat_text::quotes::straight_quote_opens(text, at, at + 1).unwrap_or_else(|| {
                inner.matches('"').count() % 2 == 1 && inner[..q].ends_with(char::is_whitespace)
            })
        }
    };
    let before = inner[..q].trim_end();
    let after = inner[q + mark.len_utf8()..].trim();
    let sentence_end = before
        .trim_end_matches(['"', '\u{201d}'])
        .ends_with(['.', '!', '?']);
    let quoted = inner.starts_with(['"', '\u{201c}']);
    // A quotation that opens a paragraph continues the last one's (`serious.\n\n"But the
    // truth is plain.`: a speaker's paragraphs each open with a mark, only the last closes).
    let new_paragraph = inner[before.len()..q].contains('\n');
    if !opening
        || new_paragraph
        || !sentence_end
        || !before.chars().any(char::is_alphanumeric)
        || (quoted && !after.is_empty())
    {
        return content;
    }
    Span::new(content.start, content.start + before.len())
}

#[cfg(test)]
mod tests {
    use super::super::at_in;
    use super::*;

    #[test]
    fn contents_stay_in_their_paragraph_unless_quoted() {
        let text = "Studios have claimed a high-profile victim.\n\nThe campaign goes on.";
        let at = |w: &str| {
            let s = text.find(w).unwrap();
            Span::new(s, s + w.len())
        };
        let cue = at("have claimed");
        let content = Span::new(text.find("a high").unwrap(), text.len() - 1);
        assert_eq!(
            one_paragraph(text, cue, content).slice(text),
            "a high-profile victim."
        );
        let text = "Firms pump billions\n\nEmployers have spent billions, research suggests.";
        let cue = Span::new(text.find("suggests").unwrap(), text.len() - 1);
        let content = Span::new(0, text.find(", research").unwrap());
        assert_eq!(
            one_paragraph(text, cue, content).slice(text),
            "Employers have spent billions"
        );
        let text = "He said: \"One.\n\nTwo.\"";
        let content = Span::new(text.find('"').unwrap(), text.len());
        assert_eq!(one_paragraph(text, Span::new(3, 7), content), content);
        // A quotation read on into its cue's paragraph: the claim follows the cue.
        let text = "\"It can be deadly.\"\n\nCaddell went on to discuss recent polls.";
        let cue = at_in(text, "went on to discuss");
        let content = Span::new(0, text.len() - 1);
        assert_eq!(
            one_paragraph(text, cue, content).slice(text),
            "recent polls"
        );
    }

    #[test]
    fn a_quotation_after_its_addressee_is_the_claim() {
        let check = |text: &str, cue: &str, from: &str, want: Option<&str>| {
            let cue = at_in(text, cue);
            let content = Span::new(text.find(from).unwrap(), text.len());
            let got = quote_after_addressee(text, cue, content);
            assert_eq!(got.map(|q| q.slice(text)), want, "{text}");
        };
        check(
            "He told BBC Radio 4's Today programme: \"It is over.\"",
            "told",
            "BBC",
            Some("\"It is over.\""),
        );
        check(
            "She said on Monday: \"We will go.\"",
            "said",
            "on Monday",
            Some("\"We will go.\""),
        );
        // The phrase before the colon may be the claim, or a question.
        check(
            "He said Mr Blair had shown he could rouse the party: \"I think so.\"",
            "said",
            "Mr Blair",
            None,
        );
        check(
            "He told CNN that the plan was dead: \"It is over.\"",
            "told",
            "CNN",
            None,
        );
        check("She asked if he knew: \"No.\"", "asked", "if he", None);
    }

    #[test]
    fn a_content_opening_with_its_source_and_cue_is_what_follows() {
        let text = "The chief executive, Richard Parsons, told investors the results were good.";
        let at = |p: &str| {
            let s = text.find(p).unwrap();
            Span::new(s, s + p.len())
        };
        let (cue, source) = (at("told"), at("The chief executive, Richard Parsons"));
        let whole = Span::new(0, text.len() - 1);
        assert_eq!(
            around_its_cue(text, cue, Some(source), whole).slice(text),
            "investors the results were good"
        );
        // An interrupted content (`X, officials said, Y`) stays whole.
        let text = "The talks, officials said, focused on trade.";
        let whole = Span::new(0, text.len() - 1);
        let cue = Span::new(text.find("said").unwrap(), text.find("said").unwrap() + 4);
        let source = Span::new(11, 20);
        assert_eq!(around_its_cue(text, cue, Some(source), whole), whole);
    }

    #[test]
    fn a_quotation_introduced_inside_the_content_is_the_claim() {
        let text = "On the closure, the group said: \"This is a grave step.\"";
        // (The colon introduces the quotation; `according to the outlet "Der Spiegel"` does
        // not.)
        let whole = Span::new(3, text.len());
        let cue = at_in(text, "said:");
        let source = at_in(text, "the group");
        let c = around_its_cue(text, cue, Some(source), whole);
        assert_eq!(c.slice(text), "\"This is a grave step.\"");
        // A quotation before the tag: one claim over both parts.
        let text = "\"I welcome it,\" said Joaquin Almunia, \"but we will see.\"";
        let whole = Span::new(0, text.len());
        let cue = at_in(text, "said");
        let source = at_in(text, "Joaquin Almunia");
        assert_eq!(around_its_cue(text, cue, Some(source), whole), whole);
    }

    #[test]
    fn a_content_running_over_its_inverted_cue_is_what_comes_before_it() {
        let text = "This is only the tip of the iceberg, thinks Tim Danton, editor of PC Pro. \
                    The new rules are unfair.";
        let at = |p: &str| {
            let s = text.find(p).unwrap();
            Span::new(s, s + p.len())
        };
        let (cue, source) = (at("thinks"), at("Tim Danton, editor of PC Pro"));
        let whole = Span::new(0, text.len() - 1);
        assert_eq!(
            before_its_cue(text, cue, Some(source), whole).slice(text),
            "This is only the tip of the iceberg"
        );
        // A quotation split by its speaker stays whole.
        let text = "“It was a sad day,” said Donald Tusk, summing up. “People are worried.”";
        let at = |p: &str| {
            let s = text.find(p).unwrap();
            Span::new(s, s + p.len())
        };
        let whole = Span::new(0, text.len());
        let (cue, source) = (at("said"), at("Donald Tusk"));
        assert_eq!(before_its_cue(text, cue, Some(source), whole), whole);
        // A source before its cue: an interrupted content, whole.
        let text = "The talks, officials said, focused on trade.";
        let whole = Span::new(0, text.len() - 1);
        let (cue, source) = (at_in(text, "said"), at_in(text, "officials"));
        assert_eq!(before_its_cue(text, cue, Some(source), whole), whole);
        // A source and cue that end the sentence end the claim.
        let text =
            "About 3,600 drivers were fined, the Department for Transport said. Adverts aimed at";
        let whole = Span::new(0, text.len());
        let (cue, source) = (
            at_in(text, "said"),
            at_in(text, "the Department for Transport"),
        );
        assert_eq!(
            before_its_cue(text, cue, Some(source), whole).slice(text),
            "About 3,600 drivers were fined"
        );
    }

    #[test]
    fn a_content_does_not_end_a_few_words_into_a_later_sentence() {
        let text =
            "He said broadcasters were willing. Opinion polls suggested the idea had backing.";
        let mut doc = Document::new("t", text);
        caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
        caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
        let c = Span::new(8, text.find(" suggested").unwrap());
        assert_eq!(
            no_trailing_fragment(&doc, c).slice(text),
            "broadcasters were willing."
        );
        // A content that runs to the end of the later sentence is left alone.
        let c = Span::new(8, text.len());
        assert_eq!(no_trailing_fragment(&doc, c), c);
        // ... as is one that ends in the space after a sentence (no panic).
        let text = "He said it works. Then it went. Fine.";
        let mut doc = Document::new("t", text);
        caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
        caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
        let c = Span::new(8, text.find(" Fine").unwrap() + 1);
        assert_eq!(no_trailing_fragment(&doc, c), c);
    }

    #[test]
    fn a_content_that_is_no_quotation_starts_in_its_cues_sentence() {
        let mut doc = Document::new("t", "Growth was 5%. Demand may weaken, analysts warned.");
        caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
        caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
        let c = from_cue_sentence(&doc, 1, Span::new(0, 32));
        assert_eq!(c.slice(&doc.text), "Demand may weaken");
        // A content inside its cue's sentence is left alone.
        assert_eq!(
            from_cue_sentence(&doc, 1, Span::new(15, 32)),
            Span::new(15, 32)
        );
    }

    #[test]
    fn claims_that_take_are_not_reports() {
        assert!(takes_not_says("have claimed", "a high-profile victim."));
        assert!(takes_not_says("claimed", "the lives of 40 people"));
        assert!(!takes_not_says("claimed", "the vote was rigged"));
        assert!(!takes_not_says("said", "two lives were lost"));
    }

    #[test]
    fn a_closing_mark_opens_no_quotation() {
        let text = "\"It is not right.\" And he went on. He said, \" Anybody can see it.\"";
        let at = |p: &str| text.find(p).unwrap();
        let closing = Span::new(at("\" And"), at(" He said"));
        assert!(opens_with_closing_mark(text, closing));
        let opening = Span::new(at("\" Anybody"), text.len());
        assert!(!opens_with_closing_mark(text, opening));
        assert!(!opens_with_closing_mark(text, Span::new(0, 1)));
        assert!(!opens_with_closing_mark(text, Span::new(0, 0)));
    }

    #[test]
    fn contents_lose_dangling_conjunctions_and_commas() {
        let text = "He said -- That is why we act.";
        let c = Span::new(text.find("--").unwrap(), text.len() - 1);
        assert_eq!(trim_content(text, c).slice(text), "That is why we act");
        let text = "He said it was a 'military operation,' but went on.";
        let start = text.find("it").unwrap();
        let end = text.find(" went").unwrap();
        let c = trim_content(text, Span::new(start, end));
        assert_eq!(c.slice(text), "it was a 'military operation,'");
        let end = text.find(",'").unwrap() + 1;
        let c = trim_content(text, Span::new(start, end));
        assert_eq!(c.slice(text), "it was a 'military operation");
        // Nothing to trim, or nothing left but the conjunction: unchanged.
        let c = Span::new(start, text.find(" but").unwrap());
        assert_eq!(trim_content(text, c), c);
        let text = "It is thought to be behind the closure of the";
        let c = trim_content(text, Span::new(6, text.len()));
        assert_eq!(c.slice(text), "thought to be behind the closure");
        let text = "He has been called the Ed Sullivan of podcasting which";
        let c = trim_content(text, Span::new(text.find("the").unwrap(), text.len()));
        assert_eq!(c.slice(text), "the Ed Sullivan of podcasting");
        // A flattened page's paragraph dash and the full stop before it; a hyphen stays.
        for (text, want) in [
            ("He said it was over.- Then", "it was over"),
            ("He said it was \"over\".-- Then", "it was \"over\""),
            ("He said it was over?- Then", "it was over?"),
            ("He said it was cross-", "it was cross-"),
            ("He said \"it was over,\"? Then", "\"it was over,\""),
            ("He said \"was it over?\" Then", "\"was it over?\""),
        ] {
            let end = text.find(" Then").unwrap_or(text.len());
            let c = trim_content(text, Span::new(text.find(&want[..2]).unwrap(), end));
            assert_eq!(c.slice(text), want);
        }
        // A clitic takes its word back.
        let text = "They say that's it";
        let c = trim_content(text, Span::new(text.find("'s").unwrap(), text.len()));
        assert_eq!(c.slice(text), "that's it");
    }

    #[test]
    fn a_content_ends_before_a_quotation_it_does_not_close() {
        for (inner, want) in [
            (
                "it is already moving in that direction. \"",
                "it is already moving in that direction.",
            ),
            (
                "\"I will definitely touch base with the president on that...\" \"",
                "\"I will definitely touch base with the president on that...\"",
            ),
            (
                "the CBO estimates made it harder. \"Overall, this is a bad number for the AHCA.",
                "the CBO estimates made it harder.",
            ),
            (
                "the cuts were \"huge\". \u{201c}",
                "the cuts were \"huge\".",
            ),
            // Its own quotation, or one it closes, stays.
            (
                "\"We are in for a long day,\" Palaszczuk said. \"The winds are increasing.",
                "\"We are in for a long day,\" Palaszczuk said. \"The winds are increasing.",
            ),
            (
                "the plan was \"dead on arrival\"",
                "the plan was \"dead on arrival\"",
            ),
            (
                "the plan failed. \"It is dead,\" he said",
                "the plan failed. \"It is dead,\" he said",
            ),
            ("the plan was \"unworkable and", "the plan was \"unworkable"),
        ] {
            let text = format!("He said {inner}");
            let c = trim_content(&text, Span::new(8, text.len()));
            assert_eq!(c.slice(&text), want, "{inner}");
        }
    }

    #[test]
    fn the_occasion_is_not_the_claim() {
        for (s, occasion) in [
            ("after the debate", Some("after the debate")),
            (
                "after an arduous interview process",
                Some("after an arduous interview process"),
            ),
            (
                "before Wednesday's game he would leave",
                Some("before Wednesday's game "),
            ),
            (
                "after the debate, the senator lied",
                Some("after the debate, "),
            ),
            (
                "after the protests whether I was surprised",
                Some("after the protests "),
            ),
            ("after examining Clinton's leg", None),
            ("before he died", None),
            ("during a press conference after he met them", None),
            ("during the summit, hosted by the magazine", None),
            ("during his speech: \"we will win\"", None),
            ("in a statement", None),
        ] {
            assert_eq!(occasion_len(s).map(|n| &s[..n]), occasion, "{s}");
        }
    }

    #[test]
    fn when_it_was_said_is_not_the_claim() {
        for (s, when) in [
            ("on Monday the two went missing", "on Monday "),
            ("last week it would pay $850m", "last week "),
            (
                "earlier this month, that prices rose",
                "earlier this month, ",
            ),
            ("on March 10 issues on the agenda", "on March 10 "),
            ("in November 2003 he would stand down", "in November 2003 "),
            ("Monday night, the vote", "Monday night, "),
            ("on Thursday.", "on Thursday."),
        ] {
            assert_eq!(&s[..when_len(s)], when, "{s}");
        }
        for s in [
            "Monday night's vote showed the government had lost",
            "May would lose the vote",
            "winter \"ice jams\" cause floods",
            "this fall from the current 2.1% level",
            "this was wrong",
            "10 people died",
            "in a statement that it would appeal",
        ] {
            assert_eq!(when_len(s), 0, "{s}");
        }
        let text = "Officials said on Monday the two went missing. He said on Thursday.";
        let cue = at_in(text, "said");
        let content = Span::new(cue.end + 1, text.find('.').unwrap());
        assert_eq!(
            without_when(text, cue, content).map(|c| c.slice(text)),
            Some("the two went missing")
        );
        let cue = Span::new(text.rfind("said").unwrap(), text.rfind("said").unwrap() + 4);
        let content = Span::new(cue.end + 1, text.len() - 1);
        assert_eq!(without_when(text, cue, content), None);
    }

    #[test]
    fn a_claim_in_a_fronted_clause_ends_with_the_clause() {
        let claim = |text: &str, cue: &str, from: &str| {
            let mut doc = Document::new("t", text);
            caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
            caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
            let content = Span::new(text.find(from).unwrap(), text.len() - 1);
            in_fronted_clause(&doc, 0, at_in(text, cue), content)
                .slice(text)
                .to_string()
        };
        assert_eq!(
            claim(
                "While Clinton talked about bringing communities together, Trump highlighted \
                 law and order.",
                "talked about",
                "bringing"
            ),
            "bringing communities together"
        );
        // The main clause is the claim of `As ... said,`; a cue in the main clause keeps its
        // claim; so does one whose clause would leave one word.
        let text = "As one user pointed out with a chart, the gap is vast.";
        assert_eq!(
            claim(text, "pointed out", "with"),
            "with a chart, the gap is vast"
        );
        let text = "Trump said the gap, which is vast, would grow.";
        assert_eq!(
            claim(text, "said", "the gap"),
            "the gap, which is vast, would grow"
        );
        let text = "When he said prices, wages and rents would rise, nobody listened.";
        assert_eq!(
            claim(text, "said", "prices"),
            "prices, wages and rents would rise, nobody listened"
        );
    }

    #[test]
    fn a_claim_ends_before_the_next_quoted_claim() {
        let rel = |text: &str, cue: &str, content: Span| Attribution {
            cue: Some(at_in(text, cue)),
            content: Some(content),
            ..Attribution::default()
        };
        let text = "She said she wanted to speak to them.\n\"How many times?\" Clinton said.";
        let quote = at_in(text, "\"How many times?\"");
        let claim = Span::new(at_in(text, "she wanted").start, quote.end);
        let mut out = [rel(text, "said", claim), rel(text, "Clinton said", quote)];
        ends_before_the_next_claim(text, &mut out, &[true, true]);
        assert_eq!(
            out[0].content.map(|c| c.slice(text)),
            Some("she wanted to speak to them.")
        );
        assert_eq!(out[1].content, Some(quote));
        // A content that holds the other cue holds the whole report.
        let text = "He said \"Smith told us \"it is over\" yesterday.\"";
        let inner = at_in(text, "\"it is over\"");
        let outer = Span::new(at_in(text, "\"Smith").start, text.len());
        let mut out = [rel(text, "said", outer), rel(text, "told", inner)];
        ends_before_the_next_claim(text, &mut out, &[true, true]);
        assert_eq!(out[0].content, Some(outer));
    }

    #[test]
    fn a_claim_ends_before_the_next_speaker() {
        let rel = |text: &str, source: &str, cue: &str, content: &str| Attribution {
            source: Some(at_in(text, source)),
            cue: Some(at_in(text, cue)),
            content: Some(Span::new(at_in(text, content).start, text.len())),
            ..Attribution::default()
        };
        let outer =
            |out: &[Attribution], text: &str| out[0].content.unwrap().slice(text).to_string();
        // After a comma, and before a colon.
        let text =
            "He said he had no confidence in the minister, Minister Ross replied \"If not, go\"";
        let mut out = [
            rel(text, "He", "said", "he had"),
            rel(text, "Minister Ross", "replied", "\"If"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(outer(&out, text), "he had no confidence in the minister");
        let text = "When asked if they would start Eriksson replied: \"I could tell you yes.\"";
        let mut out = [
            rel(text, "When", "asked", "if they"),
            rel(text, "Eriksson", "replied:", "\"I could"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(outer(&out, text), "if they would start");
        // A clause fronted before the other speaker's is theirs.
        let text = "He said it had put France at risk If elected, Le Pen replied \"we win\"";
        let mut out = [
            rel(text, "He", "said", "it had"),
            rel(text, "Le Pen", "replied", "\"we"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(outer(&out, text), "it had put France at risk");
        // After a fronted `Asked`, no comma is needed.
        let text = "Asked about Mr Smith's position Mr Johnson told the BBC he thought it fine.";
        let mut out = [
            rel(text, "Asked", "Asked", "about"),
            rel(text, "Mr Johnson", "told", "he thought"),
        ];
        out[0].source = None;
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(outer(&out, text), "about Mr Smith's position");
        // A cue in a relative clause on the main clause's speaker: its claim ends before the
        // main clause's cue.
        let text = "Premier Anna Smith, who warned the storm was a monster, said homes were hit.";
        let mut out = [
            rel(text, "who", "warned", "the storm"),
            rel(text, "Premier Anna Smith", "said", "homes"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(outer(&out, text), "the storm was a monster");
        // Not without the comma that closes the relative clause, nor after a plain `asked`.
        let text = "Ann Lee, who warned the storm was a monster said homes were hit.";
        let mut out = [
            rel(text, "who", "warned", "the storm"),
            rel(text, "Ann Lee", "said", "homes"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(out[0].content.unwrap().end, text.len());
        let text = "The judge asked if he was sorry Mr Lee told the court he was.";
        let mut out = [
            rel(text, "The judge", "asked", "if he"),
            rel(text, "Mr Lee", "told", "the court"),
        ];
        ends_before_the_next_speaker(text, &mut out, &[true, true]);
        assert_eq!(out[0].content.unwrap().end, text.len());
        // What was reported (`said X told Y: ...`), a participle going on with the same speaker
        // and a belief stay.
        for (text, inner_source, inner_cue, kind) in [
            (
                "Peston said the prime minister said: \"Help me.\"",
                "the prime minister",
                "minister said:",
                AttributionKind::Statement,
            ),
            (
                "Flynn said they had a scorching from MPs adding: \"It was bad.\"",
                "MPs",
                "adding:",
                AttributionKind::Statement,
            ),
            (
                "I said the four of them, Mark and Lewis - knew it was their chance",
                "Mark and Lewis",
                "knew",
                AttributionKind::Belief,
            ),
        ] {
            let first = text.split_whitespace().nth(2).unwrap();
            let mut out = [
                rel(text, text.split_whitespace().next().unwrap(), "said", first),
                Attribution {
                    kind,
                    ..rel(
                        text,
                        inner_source,
                        inner_cue,
                        &text[at_in(text, inner_cue).end..].trim_start()[..2],
                    )
                },
            ];
            let before = out[0].content;
            ends_before_the_next_speaker(text, &mut out, &[true, true]);
            assert_eq!(out[0].content, before, "{text}");
        }
    }

    #[test]
    fn a_relative_clause_set_off_by_commas_interrupts_the_claim() {
        let claim = |text: &str, from: &str, to: &str| {
            let mut doc = Document::new("t", text);
            caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
            caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
            let start = text.find(from).unwrap();
            let end = text.find(to).unwrap() + to.len();
            over_relative_clause(&doc, 0, Span::new(start, end))
                .slice(text)
                .to_string()
        };
        let text = "He said he hoped the production, which cost £9m, was a blend of film and book.";
        assert_eq!(
            claim(text, "he hoped", "the production"),
            "he hoped the production, which cost £9m, was a blend of film and book"
        );
        // Not when the sentence goes on with something else after the relative clause.
        let text = "He backed the AFD party, which has been critical, even calling for more.";
        assert_eq!(claim(text, "the AFD", "party"), "the AFD party");
    }
    #[test]
    fn a_passive_cue_takes_its_auxiliaries_from_the_content() {
        let run = |text: &str, cue: &str| {
            let cue = at_in(text, cue);
            passive_auxiliaries(text, cue, Span::new(0, cue.start - 1))
                .map(|(k, c)| (k.slice(text).to_string(), c.slice(text).to_string()))
        };
        assert_eq!(
            run(
                "The idea of a commons was originally proposed by Stephen Coleman.",
                "originally proposed"
            ),
            Some((
                "was originally proposed".to_string(),
                "The idea of a commons".to_string()
            ))
        );
        assert_eq!(
            run(
                "Curtis is to be made into a film, it has been announced.",
                "announced"
            ),
            Some((
                "has been announced".to_string(),
                "Curtis is to be made into a film".to_string()
            ))
        );
        // Not before an active cue, nor when the content ends in no auxiliary.
        assert_eq!(run("The difference is points out.", "points out"), None);
        assert_eq!(run("The plan was widely praised.", "praised"), None);
    }
}
