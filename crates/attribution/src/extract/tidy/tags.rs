//! Tags: how a source and its cue sit around the claim. An inverted tag (`..., said X.`) names
//! the speaker after it and keeps the claim before it, also before a participle (`..., he said,
//! adding that ...`); a quotation its tag interrupts (`"Q1," X said. "Q2."`) is one claim over both
//! parts, and so is a sentence a tag set off by commas interrupts (`The museum, Mr. Obama said,
//! would ...`); an opening question (`Asked who would lead the talks, ...`) is the question.

use caveat_core::{Attribution, Document, Span};

use super::super::features::DocFeatures;
use super::super::kind::is_quote;
use super::super::words::C_AUX;
use super::contents::when_len;
use super::sources::is_role;
use super::{closing_of, opening_mark, token_at, QUOTES};

/// Verbs in their base form that make a mid-sentence tag with a plural or `I` speaker
/// (`critics say`, `some believe`), besides [`INVERTED`].
const TAG_BASE_VERBS: &[&str] = &[
    "say", "believe", "fear", "fears", "think", "argue", "warn", "suggest", "insist", "note",
    "add", "explain", "claim", "estimate", "predict", "reckon", "admit", "recall", "write",
];

/// Words that open a tag's own words after its cue, which tell when or where, not what
/// (`said in a June report,`, `said last week,`, `said on Monday: "..."`).
pub(super) const TAG_TAIL: &[&str] = &[
    "afterwards",
    "in",
    "on",
    "at",
    "during",
    "after",
    "before",
    "from",
    "via",
    "last",
    "this",
    "earlier",
    "later",
    "yesterday",
    "today",
    "recently",
    "previously",
    "again",
    "also",
    "then",
    "once",
    "tuesday",
    "monday",
    "wednesday",
    "thursday",
    "friday",
    "saturday",
    "sunday",
];

/// The most words between a mid-sentence tag and its comma (`the agency said in a June
/// report, and ...`).
const MAX_TAG_TAIL_WORDS: usize = 6;

/// `Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt.`, `The museum, Mr. Obama
/// said, would make visitors face uncomfortable truths.`: a tag set off by commas inside a
/// sentence interrupts one claim, and the claim is the whole sentence around it (PolNeAR joins
/// the parts, the tag inside), not the part before or after it that the reading found. Only
/// when no other cue is in the sentence and the tag's own words after the cue (`in a June
/// report`) are few.
pub(super) fn interrupting_tag(doc: &Document, out: &mut [Attribution], keep: &[bool]) {
    let text = &doc.text;
    let cues: Vec<Span> = out
        .iter()
        .zip(keep)
        .filter(|(_, &k)| k)
        .filter_map(|(a, _)| a.cue)
        .collect();
    for (a, &kept) in out.iter_mut().zip(keep) {
        let (Some(c), Some(cue), Some(src), true) = (a.content, a.cue, a.source, kept) else {
            continue;
        };
        let Some(sentence) = doc.sentences.get(a.sentence).map(|s| s.span) else {
            continue;
        };
        let (first, last) = (src.start.min(cue.start), src.end.max(cue.end));
        let gap = if src.end <= cue.start {
            src.end..cue.start
        } else {
            cue.end..src.start
        };
        let apart = !gap.is_empty() && !text[gap].trim().is_empty();
        if apart || first <= sentence.start || sentence.end < last {
            continue;
        }
        // The part before: words, then a comma (inside a closing mark, too), from the last
        // clause boundary of the sentence before the tag (`Modi met Kishida in Tokyo — «the
        // talks», officials said, «focused on trade»`).
        let lead_from = text[sentence.start..first]
            .rmatch_indices([';', ':', '\u{2014}', '\u{2013}'])
            .map(|(k, m)| sentence.start + k + m.len())
            .chain(
                text[sentence.start..first]
                    .rmatch_indices(" -- ")
                    .map(|(k, m)| sentence.start + k + m.len()),
            )
            .max()
            .unwrap_or(sentence.start);
        let lead = &text[lead_from..first];
        let start = lead_from + (lead.len() - lead.trim_start().len());
        let before = lead.trim();
        let ends_in_comma = before.ends_with(',')
            || before
                .strip_suffix(['"', '\u{201d}'])
                .is_some_and(|b| b.ends_with(','));
        if !ends_in_comma || before.starts_with(QUOTES) || before.split_whitespace().count() < 2 {
            continue;
        }
        // The part after: a few words of the tag's own, a comma, then the rest of the claim.
        let rest = &text[last..sentence.end];
        let Some(comma) = rest.find(',') else {
            continue;
        };
        let tail = &rest[..comma];
        let after = rest[comma + 1..].trim_end();
        let after = after
            .strip_suffix(['.', '!', '?'])
            .unwrap_or(after)
            .trim_end();
        // The tag's own words open with a preposition or a time word (`said in a June
        // report,`, `said on Twitter,`), not a clause (`GM said higher costs would ...`).
        let tail_words: Vec<String> = tail.split_whitespace().map(str::to_lowercase).collect();
        let tag_words = tail_words
            .first()
            .is_none_or(|w| TAG_TAIL.contains(&w.as_str()));
        // `slower than forecast`: no speaker.
        let speaker = !src
            .slice(text)
            .split_whitespace()
            .last()
            .is_some_and(|w| ["than", "as", "of", "to", "for", "with", "by"].contains(&w));
        // A speech or thought verb makes the tag (`has argued`, `once said`, `some believe`),
        // not `promises to focus on`, `is estimated at`, `who observed, "..."`.
        let cue_text = cue.slice(text).to_lowercase();
        let cue_words: Vec<&str> = cue_text.split_whitespace().collect();
        let tag_verb = cue_words.last().is_some_and(|w| TAG_BASE_VERBS.contains(w))
            || INVERTED.iter().any(|v| {
                cue_text
                    .strip_suffix(v)
                    .is_some_and(|head| head.is_empty() || head.ends_with(' '))
            }) && !cue_text.starts_with("ask");
        // `..., said Raymond Wu, a political risk consultant`, `said Eric Fish, author of
        // ...`: after an inverted tag, what does not open with a verb says who the speaker
        // is.
        let first_after = after.split_whitespace().next().unwrap_or("");
        let apposition = cue.start < src.start
            && !(first_after.ends_with("ed")
                || [
                    "was", "were", "is", "are", "has", "have", "had", "would", "will", "could",
                    "can", "should", "may", "might", "must", "did", "does", "do", "that",
                ]
                .contains(&first_after));
        // A quotation before the tag is a quotation's tag (`"It's calm," said X, ahead of
        // ...`), unless it is a few words quoted inside the claim (`Oz is "smart as hell,"`).
        let quoted_before = before.strip_suffix(['"', '\u{201d}']).is_some_and(|b| {
            b.rfind(['"', '\u{201c}'])
                .is_none_or(|k| b[k..].split_whitespace().count() > 6)
        });
        let relative = matches!(
            src.slice(text).to_lowercase().as_str(),
            "who" | "which" | "that"
        );
        // `..., some analysts warned, while others doubted it`: a contrast is not theirs.
        let contrast = ["while", "whereas"].contains(&first_after.to_lowercase().as_str());
        if tail.contains(QUOTES)
            || contrast
            || !tag_verb
            || relative
            || apposition
            || quoted_before
            || after.trim_start().starts_with(QUOTES)
            || !tag_words
            || !speaker
            || tail_words.len() > MAX_TAG_TAIL_WORDS
            || after.split_whitespace().count() < 2
            || cue.slice(text).eq_ignore_ascii_case("according to")
        {
            continue;
        }
        let end = last + comma + 1 + after.len();
        // The content found is one of the parts; another cue in the sentence has its own.
        let one_part = (start <= c.start && c.end <= first) || (last <= c.start && c.end <= end);
        let other_cue = cues
            .iter()
            .any(|k| *k != cue && start <= k.start && k.end <= end);
        if one_part && !other_cue && start < end {
            a.content = Some(Span::new(start, end));
            a.quote = is_quote(text, Span::new(start, end));
        }
    }
}

/// Participles in a tag that tell what the words were about, not words of their own
/// (`"Q1," X said, referring to the excuse, "Q2"`).
const ABOUT_PARTICIPLES: &[&str] = &[
    "referring",
    "speaking",
    "emphasizing",
    "emphasising",
    "answering",
    "responding",
    "pointing",
    "gesturing",
    "citing",
];

/// Words in a tag that pass the word on to the quotation after it (`she said, adding:
/// "..."`, `he said as demonstrators chanted: "..."`).
const PASSING_ON: &[&str] = &[
    "adding",
    "saying",
    "noting",
    "writing",
    "telling",
    "asking",
    "arguing",
    "insisting",
    "stating",
    "warning",
    "declaring",
    "explaining",
    "continuing",
    "replying",
    "chanted",
    "chanting",
    "shouted",
    "shouting",
    "replied",
    "added",
];

/// The first word of a cue, lower-cased.
fn cue_first_word(text: &str, cue: Span) -> Option<String> {
    cue.slice(text)
        .split_whitespace()
        .next()
        .map(str::to_lowercase)
}

/// The longest a tag between two parts of one quotation may run (`" Mr. Obama said on
/// Saturday night at the Congressional Black Caucus Foundation gala dinner in Washington,
/// where ... also spoke. "`), in words.
const MAX_TAG_WORDS: usize = 30;

/// `"Q1," X said. "Q2."`: a quotation its tag interrupts is one claim (PolNeAR's content
/// runs from the first part's opening mark to the second part's closing mark, the tag
/// inside it), so a content that is the first part, followed right away by its source and
/// cue, takes the second part when that opens the next clause after the tag (after `.`, `,`,
/// `:` or `, but`) in the same paragraph and no other relation claims it (`"Q2," she
/// added`); a content that is the second part takes the first the same way (`"If he thinks
/// that makes him smart," the narrator says, "what does he think of you?"`).
pub(super) fn resumed_quote(doc: &Document, out: &mut [Attribution], keep: &[bool]) {
    let text = &doc.text;
    let spans: Vec<(Option<Span>, Option<Span>)> = out
        .iter()
        .zip(keep)
        .map(|(a, &k)| if k { (a.cue, a.content) } else { (None, None) })
        .collect();
    // Whether `part` is another relation's: its cue or content is in it, a cue in the tag
    // owns it (`she said, adding: "Q2"`, `Harward told ABC, but said of the job, "Q2"`;
    // not a participle that only tells what the words were about: `X said, referring to
    // the excuse, "Q2"`, whose claim ran on into `part`), or a verb in the tag that passes
    // the word on does (`chanted`, `adding` read as no cue).
    let claimed_elsewhere = |i: usize, part: Span, tag: Span| {
        let in_tag = |c: &Span| tag.start <= c.start && c.end <= tag.end;
        let owns = spans.iter().enumerate().any(|(j, (cue, content))| {
            j != i
                && match cue {
                    Some(k) if in_tag(k) => !cue_first_word(text, *k)
                        .is_some_and(|w| ABOUT_PARTICIPLES.contains(&w.as_str())),
                    Some(k) => [Some(*k), *content]
                        .into_iter()
                        .flatten()
                        .any(|s| s.start < part.end && part.start < s.end),
                    None => false,
                }
        });
        owns || tag
            .slice(text)
            .split(|c: char| !c.is_alphabetic())
            .any(|w| PASSING_ON.contains(&w.to_lowercase().as_str()))
    };
    for i in 0..out.len() {
        let a = &out[i];
        let (Some(c), Some(cue), true) = (a.content, a.cue, keep[i]) else {
            continue;
        };
        let (first, last) = a.source.map_or((cue.start, cue.end), |s| {
            (s.start.min(cue.start), s.end.max(cue.end))
        });
        // The tag is its source and cue side by side (`X said`, `said X`), not `X beams,
        // adding`.
        let side_by_side = a.source.is_none_or(|s| {
            let gap = if s.end <= cue.start {
                s.end..cue.start
            } else {
                cue.end..s.start
            };
            gap.is_empty() || text[gap].trim().is_empty()
        });
        if !side_by_side {
            continue;
        }
        let inner = c.slice(text);
        let Some(open) = opening_mark(inner) else {
            continue;
        };
        let Some(close) = closing_of(open) else {
            continue;
        };
        let whole = inner.trim_end_matches([',', '.', '?', '!']);
        let closes = whole.len() >= open.len() + close.len() && whole.ends_with(close);
        if !closes || whole[open.len()..whole.len() - close.len()].contains(close) {
            continue;
        }
        if c.end <= first && text[c.end..first].trim().is_empty() {
            // The first part: the second opens after the tag.
            if let Some(part) = part_after_tag(doc, last) {
                let tag = Span::new(last, part.start);
                // `"...?" I asked one of the officers. "..."`: the one asked answers.
                let asked_someone = cue.slice(text).to_lowercase().starts_with("ask")
                    && tag.slice(text).chars().any(char::is_alphanumeric);
                if !asked_someone && !claimed_elsewhere(i, part, tag) {
                    out[i].content = Some(Span::new(c.start, part.end));
                    // A participle in the tag whose claim ran on into the quotation ends
                    // before it (`referring to «the 1 percent excuse»`).
                    for (j, b) in out.iter_mut().enumerate() {
                        let in_tag = b
                            .cue
                            .is_some_and(|k| tag.start <= k.start && k.end <= tag.end);
                        if let (true, true, Some(bc)) = (j != i && keep[j], in_tag, b.content) {
                            if bc.start < part.start && part.start < bc.end {
                                let cut =
                                    text[bc.start..part.start].trim_end_matches(|ch: char| {
                                        ch.is_whitespace() || matches!(ch, ',' | '.' | ':')
                                    });
                                if !cut.is_empty() {
                                    b.content = Some(Span::new(bc.start, bc.start + cut.len()));
                                }
                            }
                        }
                    }
                }
            }
        } else if c.start >= last && text[last..c.start].trim() == "," {
            // The second part: the first ends right before the tag with a comma.
            if let Some(part) = part_before_tag(text, first, open, close) {
                if !claimed_elsewhere(i, part, Span::new(part.end, first)) {
                    out[i].content = Some(Span::new(part.start, c.end));
                }
            }
        }
    }
}

/// The quotation that opens the clause after a tag ending at `from` (`X said in August.
/// "Q2 ..."`, `X said, referring to ..., "Q2"`, `X said, but "Q2"`), to its closing mark (or
/// its paragraph's end, as a quotation that runs into the next paragraph does) — when the
/// tag is short, has no quotation mark, stays in one sentence and does not end its
/// paragraph.
fn part_after_tag(doc: &Document, from: usize) -> Option<Span> {
    let text = &doc.text;
    let rest = &text[from..];
    let line_end = rest.find('\n').unwrap_or(rest.len());
    let rest = &rest[..line_end];
    let at = [
        rest.find(['"', '\u{201c}', '\u{00ab}', '\u{201d}']),
        rest.find("''"),
    ]
    .into_iter()
    .flatten()
    .min()?;
    let tag = rest[..at].trim_end();
    let open = opening_mark(&rest[at..])?;
    let close = closing_of(open)?;
    // Not a colon: `he said as demonstrators chanted: "..."` passes the word on.
    let joins = [".", ",", ", but", ", and"]
        .iter()
        .any(|j| tag.ends_with(j))
        && (rest[at + open.len()..]).starts_with(|ch: char| ch.is_alphanumeric() || ch == '.');
    // No sentence but the quotation's own starts between the tag and the quotation (`Tim
    // Osborne told Reuters: "...". \n Rosneft said ...` is another sentence).
    let new_sentence = doc
        .sentences
        .iter()
        .any(|s| from < s.span.start && s.span.start < from + at);
    if !joins || new_sentence || tag.split_whitespace().count() > MAX_TAG_WORDS {
        return None;
    }
    let body = &rest[at + open.len()..];
    let end = body
        .find(close)
        .map_or(rest.len(), |k| at + open.len() + k + close.len());
    Some(Span::new(from + at, from + end))
}

/// The quotation right before a tag that starts at `to` (`"I will use every tool available,"
/// Blumenthal said this week.`): from the nearest opening mark in the paragraph (one after a
/// space or the line's start) to the closing mark after its `,`, `?` or `!`, a stray `?` or
/// `-` after the mark aside (encoding slips common in scraped text: `,"?the president said`).
/// Five words at least: fewer in marks are a title or a term (`"Ellen's Game of Games,"`).
fn quotation_before(text: &str, to: usize) -> Option<Span> {
    let before = text[..to].trim_end().trim_end_matches(['?', '-']);
    let (open, body) = [("\"", "\""), ("\u{201c}", "\u{201d}"), ("''", "''")]
        .into_iter()
        .find_map(|(open, close)| {
            let body = before.strip_suffix(close)?.strip_suffix([',', '?', '!'])?;
            Some((open, body))
        })?;
    let k = body.rfind(open)?;
    let opens = body[..k]
        .chars()
        .next_back()
        .is_none_or(|c| c.is_whitespace() || matches!(c, '(' | '[' | ':' | '-' | '\u{2014}'));
    let q = Span::new(k, before.len());
    (opens && !body[k..].contains('\n') && q.slice(text).split_whitespace().count() >= 5)
        .then_some(q)
}

/// The quotation that ends with a comma right before a tag starting at `to` (`"If he thinks
/// that makes him smart," the narrator says, "..."`), from its opening mark in the same
/// paragraph.
fn part_before_tag(text: &str, to: usize, open: &str, close: &str) -> Option<Span> {
    let before = text[..to].trim_end();
    let body = before.strip_suffix(close)?.strip_suffix([',', '?', '!'])?;
    let line_start = body.rfind('\n').map_or(0, |k| k + 1);
    let k = body[line_start..].rfind(open)? + line_start;
    if open == close && body[line_start..k].matches(open).count() % 2 == 1 {
        // An odd count of straight marks before: this one closes an earlier quotation.
        return None;
    }
    Some(Span::new(k, before.len()))
}

/// A content read from the comma after its tag (`That might, he suggests, «, lead to a hung
/// parliament»`) is the second part of a claim the tag interrupts: with a comma before the
/// tag too, the claim runs from its sentence's start (`«That might, he suggests, lead to a
/// hung parliament»`, joined as PolNeAR joins them); otherwise the marks are trimmed.
pub(super) fn interrupted_claim(
    doc: &Document,
    sentence: usize,
    cue: Span,
    source: Option<Span>,
    content: Span,
) -> Span {
    let text = &doc.text;
    let inner = content.slice(text);
    let trimmed = inner.trim_start_matches([',', ';', ':', ' ']);
    if content.start < cue.end || trimmed.len() == inner.len() || trimmed.is_empty() {
        return content;
    }
    let first = source.map_or(cue.start, |s| s.start.min(cue.start));
    match doc.sentences.get(sentence) {
        Some(s) if s.span.start < first && text[..first].trim_end().ends_with(',') => {
            Span::new(s.span.start, content.end)
        }
        _ => Span::new(content.end - trimmed.len(), content.end),
    }
}

/// `The airline said in a statement ...` is one claim: the noun cue right after a verb cue and
/// `in` (`said in [a statement]`, `told ... in a statement`) is dropped, and the verb's content
/// is the noun's when it had none or read the noun phrase as its claim (`said «in a
/// statement»`).
pub(super) fn one_statement(text: &str, out: &mut [Attribution], keep: &mut [bool]) {
    for k in 0..out.len() {
        let Some(noun) = out[k].cue else { continue };
        let noun_text = noun.slice(text).to_lowercase();
        let words: Vec<&str> = noun_text.split_whitespace().collect();
        let head = match words.first() {
            Some(&("a" | "an" | "the" | "its" | "his" | "her" | "their")) => words.get(1),
            w => w,
        };
        if !head.is_some_and(|w| matches!(*w, "statement" | "interview" | "tweet" | "letter"))
            || !keep[k]
        {
            continue;
        }
        let verb = (0..out.len()).find(|&v| {
            v != k
                && keep[v]
                && out[v].cue.is_some_and(|c| {
                    // `said in [a statement]`, `[said in] a [statement]`
                    c.end <= noun.start
                        && match text[c.end..noun.start].trim().to_lowercase().as_str() {
                            "in" | "in a" | "in an" => true,
                            "" | "a" | "an" => c.slice(text).to_lowercase().ends_with(" in"),
                            _ => false,
                        }
                })
        });
        let Some(v) = verb else { continue };
        let noun_content = out[k].content;
        let verb_content = out[v].content;
        if verb_content.is_none_or(|c| {
            c.start <= noun.start
                && noun.start < c.end
                && c.slice(text).split_whitespace().count() <= 5
        }) {
            if let Some(c) = noun_content {
                out[v].content = Some(c);
                out[v].quote = out[k].quote;
            }
        }
        keep[k] = false;
    }
}

/// A reporter's question put as an opening participle (`Asked to describe the device, O'Neill
/// said ...`, `Asked by reporters who would lead the talks, Mr Smith said ...`): its content is
/// what follows the cue (and the asker, when named) up to the speaker of the main clause,
/// not the answer, and that speaker is not its source (PolNeAR leaves the asker unnamed unless
/// the text names them).
pub(super) fn opening_question(doc: &Document, out: &mut [Attribution]) {
    for i in 0..out.len() {
        let Some(cue) = out[i].cue else {
            continue;
        };
        let Some(sentence) = doc.sentences.get(out[i].sentence) else {
            continue;
        };
        let opens = doc.text[sentence.span.start.min(cue.start)..cue.start]
            .trim_matches(|c: char| c.is_whitespace() || QUOTES.contains(&c))
            .is_empty();
        if !opens || !cue.slice(&doc.text).to_lowercase().starts_with("asked") {
            continue;
        }
        // The speaker of the main clause: the first source of another relation of the
        // sentence after the cue.
        let main = out
            .iter()
            .enumerate()
            .filter(|&(j, _)| j != i)
            .filter_map(|(_, a)| a.source)
            .filter(|s| s.start >= cue.end && s.end <= sentence.span.end)
            .min_by_key(|s| s.start);
        let Some(main) = main else {
            continue;
        };
        let a = &mut out[i];
        if a.source.is_some_and(|s| s.start >= main.start) {
            a.source = None;
            a.vague = true;
        }
        // The named asker (`by reporters`) comes before the question.
        let from = match a.source {
            Some(s) if s.start >= cue.end => s.end.min(main.start),
            _ => cue.end,
        };
        let question = &doc.text[from..main.start];
        let start = from + (question.len() - question.trim_start().len());
        let end = start
            + doc.text[start..main.start]
                .trim_end()
                .trim_end_matches(',')
                .trim_end()
                .len();
        if doc.text[start..end].split_whitespace().count() >= 2 {
            a.content = Some(Span::new(start, end));
        }
    }
}

/// Cues that may precede their speaker in a tag after the claim (`..., points out Reardon.`).
const INVERTED: &[&str] = &[
    "said",
    "says",
    "added",
    "adds",
    "points out",
    "pointed out",
    "notes",
    "noted",
    "explains",
    "explained",
    "argues",
    "argued",
    "writes",
    "wrote",
    "warns",
    "warned",
    "insists",
    "insisted",
    "estimates",
    "estimated",
    "predicts",
    "predicted",
    "reckons",
    "believes",
    "thinks",
    "suggests",
    "claims",
    "claimed",
    "reports",
    "reported",
    "observes",
    "observed",
    "concludes",
    "concluded",
    "admits",
    "admitted",
    "recalls",
    "recalled",
    "asks",
    "asked",
];

/// Words that are capitalised after an inverted cue but say when, not who (`..., said
/// Thursday.`).
const NOT_SPEAKERS: &[&str] = &[
    "Monday",
    "Tuesday",
    "Wednesday",
    "Thursday",
    "Friday",
    "Saturday",
    "Sunday",
    "Today",
    "Yesterday",
    "Tonight",
    "Earlier",
    "Later",
    "Last",
    "This",
];

/// `<claim>, points out Reardon.`, `..., says gamesindustry.biz.`: a name (capitalised words,
/// perhaps after `the`, or a web address) between an inverted cue ([`INVERTED`]) after a comma
/// and the end of the sentence is the speaker, whatever the reading took (`[they] <points
/// out>`, `[Nintendo DS] <says>` from `..., Nintendo DS, says gamesindustry.biz.`, or none); a
/// content it took becomes the clause before the comma.
pub(super) fn inverted_name(doc: &Document, out: &mut [Attribution]) {
    let text = &doc.text;
    for a in out.iter_mut() {
        let (Some(cue), Some(sentence)) = (a.cue, doc.sentences.get(a.sentence)) else {
            continue;
        };
        if a.quote
            || !INVERTED.contains(&cue.slice(text).to_lowercase().as_str())
            || !text[..cue.start].trim_end().ends_with(',')
            || a.source.is_some_and(|s| s.start >= cue.end)
        {
            continue;
        }
        // The cue's last token.
        let Some(k) = doc
            .tokens
            .partition_point(|t| t.span.end <= cue.end)
            .checked_sub(1)
        else {
            continue;
        };
        let last = sentence.tokens.end.min(doc.tokens.len()).saturating_sub(1);
        let tok = |i: usize| doc.tokens.get(i).map_or("", |t| t.span.slice(text));
        let names = k + 1..last;
        let is_name = |w: &str| {
            w.chars().next().is_some_and(char::is_uppercase) && !NOT_SPEAKERS.contains(&w)
                || w.contains('.') && w.chars().next().is_some_and(char::is_lowercase)
        };
        // `..., estimates the Consumer Electronics Association.`
        let the = usize::from(tok(k + 1) == "the");
        if last <= k + 1 + the
            || names.len() > 6
            || tok(last) != "."
            || !names.clone().skip(the).all(|i| is_name(tok(i)))
        {
            continue;
        }
        let name = Span::new(doc.tokens[k + 1].span.start, doc.tokens[last - 1].span.end);
        let claim = match a.content {
            Some(c) if c.end <= cue.start && !(c.start < name.end && name.start < c.end) => c,
            _ => match clause_before_tag(text, sentence.span.start, cue.start) {
                Some(c) => c,
                None => continue,
            },
        };
        a.source = Some(name);
        a.vague = false;
        a.content = Some(claim);
    }
}

/// A tag after its claim whose reading took the wrong side of the cue: `It has requested the
/// advert be removed, said [a spokeswoman]` (the tagger: source `It`, content `«a
/// spokeswoman»`), `Trump could embrace a clean energy policy, Graham told «The Huffington
/// Post»`. When the cue (`said`, `told`, ...) follows a comma and its content is a short
/// phrase with no verb that ends the sentence, the claim is the clause before the comma, and
/// after `said` an indefinite or definite phrase (`a spokeswoman`) is the speaker.
pub(super) fn tag_after_claim(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
    let text = &doc.text;
    for a in out.iter_mut() {
        let (Some(c), Some(cue), Some(sentence)) =
            (a.content, a.cue, doc.sentences.get(a.sentence))
        else {
            continue;
        };
        let cue_text = cue.slice(text).to_lowercase();
        let told = matches!(cue_text.as_str(), "told" | "has told" | "told reporters");
        let said = matches!(cue_text.as_str(), "said" | "says" | "added");
        let phrase = c.slice(text);
        let words: Vec<&str> = phrase.split_whitespace().collect();
        let first_word = words.first().map(|w| w.to_lowercase()).unwrap_or_default();
        // `..., points out Reardon.`, `..., argued Smith.`: a name after an inverted verb (a
        // source before the comma is the claim's subject).
        let name = INVERTED.contains(&cue_text.as_str())
            && words.len() <= 3
            && words
                .iter()
                .all(|w| w.chars().next().is_some_and(char::is_uppercase));
        let speaker = name
            || (said
                && words.len() <= 5
                && ["a", "an", "the", "one", "another"].contains(&first_word.as_str()));
        // `..., Sergei Rudskoi said «on Friday».`: only when it was said.
        // `The best guarantee ..., Grushko reiterated«.- Russia is ...»`: the cue ends its
        // sentence (a stray `-` in scraped text kept the sentence going); the claim is before.
        let ended = c.start >= cue.end && phrase.starts_with('.');
        let when = ended || when_len(phrase) >= phrase.trim_end().len();
        if when && a.source.is_some_and(|s| s.start >= cue.end) && !a.quote && c.start >= cue.end {
            // `"...," said Ken Kutaragi, chief operating officer of Sony, «last year».`
            if let Some(q) = quotation_before(text, cue.start) {
                a.content = Some(q);
                a.quote = true;
            }
            continue;
        }
        if !(told || speaker || when)
            || a.quote
            || c.start < cue.end
            || a.source.is_some_and(|s| s.start >= cue.end)
            || words.is_empty()
            || (words.len() > 6 && !ended)
            // `..., agencies reported «on Wednesday», citing ...` ends its claim too.
            || !(ended
                || text[c.end..].starts_with('.')
                || (when && text[c.end..].starts_with(',')))
            || phrase.starts_with(QUOTES)
        {
            continue;
        }
        // No verb in the phrase: no auxiliary, no `-ed` word.
        if !ended {
            let (Some(k0), k1) = (
                token_at(doc, c.start),
                doc.tokens.partition_point(|t| t.span.end <= c.end),
            ) else {
                continue;
            };
            if (k0..k1).any(|k| {
                df.toks[k].class == C_AUX || doc.tokens[k].span.slice(text).ends_with("ed")
            }) {
                continue;
            }
        }
        // The tag follows a comma, and the clause before it is the claim (a source before
        // the comma is the claim's subject, read as the speaker).
        let first = match a.source {
            Some(s) if !speaker => s.start.min(cue.start),
            _ => cue.start,
        };
        let Some(claim) = clause_before_tag(text, sentence.span.start, first) else {
            if when {
                claim_before_time_tag(text, sentence.span.start, first, a);
            }
            continue;
        };
        if speaker {
            a.source = Some(c);
            a.vague = !name && first_word != "the";
        }
        a.content = Some(claim);
    }
}

/// The claim of a tag that says only when (`said «on Tuesday»`, its tag starting at `first`)
/// when no comma comes right before the tag: the quotation before it, the clause before a
/// stray `-` after the comma (`...,-Malaysia's attorney general said on Tuesday.`), or the
/// clause before a name the source was read from inside (`..., Head of the Russian General
/// Staff's Main Operations Department Sergei Rudskoi said on Friday.`, which also widens the
/// source). Nothing changes when none is found.
fn claim_before_time_tag(text: &str, sentence_start: usize, first: usize, a: &mut Attribution) {
    let tag = text[..first].trim_end().trim_end_matches('-').len();
    if let Some(q) = quotation_before(text, first) {
        a.content = Some(q);
        a.quote = true;
    } else if let Some(claim) = clause_before_tag(text, sentence_start, tag) {
        a.content = Some(claim);
    } else if let (Some(s), Some(name)) = (a.source, name_start(text, sentence_start, first)) {
        if let Some(claim) = clause_before_tag(text, sentence_start, name) {
            a.source = Some(Span::new(name, s.end));
            a.content = Some(claim);
        }
    }
}

/// Where a name or role starts that runs on into a source starting at `first`: after the
/// sentence's last comma before it, when every word between is capitalized, a role
/// (`Head of the`, `the International Federation of the Phonographic Industry (`) or a
/// function word of a name.
fn name_start(text: &str, sentence_start: usize, first: usize) -> Option<usize> {
    if sentence_start >= first {
        return None;
    }
    let comma = text[sentence_start..first].rfind(", ")? + sentence_start + 2;
    let between = &text[comma..first];
    let words = between.split_whitespace().count();
    let in_name = |w: &str| {
        let w = w.trim_matches(['(', ')']);
        w.is_empty()
            || w.starts_with(char::is_uppercase)
            || matches!(w, "of" | "the" | "for" | "and" | "on" | "to")
            || is_role(w)
    };
    (words > 0 && words <= 12 && between.split_whitespace().all(in_name)).then_some(comma)
}

/// The clause from `sentence_start` to the comma before a tag that starts at `first`
/// (`<claim>, said a spokeswoman`), when the tag follows a comma in the sentence and the
/// clause has three words or more.
fn clause_before_tag(text: &str, sentence_start: usize, first: usize) -> Option<Span> {
    let pre = text[..first].trim_end();
    if !pre.ends_with(',') || sentence_start >= pre.len() {
        return None;
    }
    let claim = &text[sentence_start..pre.len() - 1];
    let start = sentence_start + (claim.len() - claim.trim_start().len());
    let end = sentence_start + claim.trim_end().len();
    (start < end && text[start..end].split_whitespace().count() >= 3).then(|| Span::new(start, end))
}

/// `<claim>, Lissner said, adding that <more>`: the participle (`adding`, `noting`, `citing`)
/// has its own relation, and the claim of the tag before it is the clause before the tag's
/// comma, not `«adding that ...»` (how the claim was read when the tag follows it). The
/// participle's claim follows it: a content of the participle that runs back over the tag
/// (`«"We need strong programs," he said, adding that "..."»`) starts after the participle.
pub(super) fn participle_after_tag(doc: &Document, out: &mut [Attribution]) {
    let text = &doc.text;
    // `according to` is a preposition: its claim may come before it.
    let is_participle = |cue: Span| {
        cue.slice(text).split_whitespace().next().is_some_and(|w| {
            // (`adding:` is a cue with its colon.)
            let w = w.trim_end_matches([':', ',']).to_lowercase();
            w.len() > 4 && w.ends_with("ing") && w != "according"
        })
    };
    let participles: Vec<usize> = out
        .iter()
        .filter_map(|a| a.cue.filter(|&c| is_participle(c)).map(|c| c.start))
        .collect();
    for a in out.iter_mut() {
        let (Some(c), Some(cue)) = (a.content, a.cue) else {
            continue;
        };
        // The participle's own content, run back over the tag before it.
        if is_participle(cue) {
            // (`citing military sources`: what follows is the source.)
            if c.start < cue.start
                && cue.end < c.end
                && a.source.is_none_or(|s| s.end <= cue.start)
                && text[..cue.start].trim_end().ends_with(',')
            {
                let after = &text[cue.end..c.end];
                let start =
                    cue.end + (after.len() - after.trim_start_matches([' ', ',', ':']).len());
                if text[start..c.end].split_whitespace().count() >= 2 {
                    a.content = Some(Span::new(start, c.end));
                }
            }
            continue;
        }
        // The tag's content read as the participle's clause; the tag is one verb (`said`,
        // `adds`; `released a statement, explaining ...` reads its claim otherwise).
        if c.start < cue.end
            || !participles.contains(&c.start)
            || cue.slice(text).split_whitespace().count() != 1
        {
            continue;
        }
        let tail = match a.source {
            Some(s) if s.start >= cue.end => s.end,
            _ => cue.end,
        };
        if tail > c.start || text[tail..c.start].trim() != "," {
            continue;
        }
        let first = match a.source {
            Some(s) if s.start < cue.start => s.start,
            _ => cue.start,
        };
        let Some(sentence) = doc.sentences.get(a.sentence) else {
            continue;
        };
        if let Some(claim) = clause_before_tag(text, sentence.span.start, first) {
            a.content = Some(claim);
        }
    }
}

/// A claim reported inside another one's inverted tag ends before that tag: `Opinion polls
/// suggested «the idea had the backing of the public», he said`, not `«..., he said»`.
pub(super) fn outer_speaker_at_end(doc: &Document, out: &mut [Attribution]) {
    let text = &doc.text;
    for i in 0..out.len() {
        let (Some(c), Some(own)) = (out[i].content, out[i].cue) else {
            continue;
        };
        if out[i].quote || c.slice(text).starts_with(QUOTES) {
            continue;
        }
        let tag = out.iter().enumerate().find_map(|(j, a)| {
            let (cue, source) = (a.cue?, a.source?);
            let (first, last) = (cue.start.min(source.start), cue.end.max(source.end));
            let tail = &text[last.min(c.end)..c.end];
            (j != i
                && c.start < first
                && own.end <= first
                && last <= c.end
                && text[..first].trim_end().ends_with(',')
                && tail
                    .trim_matches(|ch: char| ch.is_whitespace() || ".,;".contains(ch))
                    .is_empty())
            .then_some(first)
        });
        if let Some(first) = tag {
            let before = text[c.start..first]
                .trim_end()
                .trim_end_matches(',')
                .trim_end();
            if before.split_whitespace().count() >= 2 {
                out[i].content = Some(Span::new(c.start, c.start + before.len()));
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::at_in;
    use super::*;

    #[test]
    fn a_claim_inside_an_inverted_tag_ends_before_the_tag() {
        let text = "Opinion polls suggested the idea had the backing of the public, he said.";
        let doc = Document::new("t", text);
        let rel = |source: &str, cue: &str, content: Span| Attribution {
            source: Some(at_in(text, source)),
            cue: Some(at_in(text, cue)),
            content: Some(content),
            ..Attribution::default()
        };
        let inner = Span::new(text.find("the idea").unwrap(), text.len() - 1);
        let outer = Span::new(0, text.find(", he").unwrap());
        let he = text.find(", he").unwrap() + 2;
        let mut out = [
            rel("polls", "suggested", inner),
            Attribution {
                source: Some(Span::new(he, he + 2)),
                ..rel("polls", "said", outer)
            },
        ];
        outer_speaker_at_end(&doc, &mut out);
        assert_eq!(
            out[0].content.map(|c| c.slice(text)),
            Some("the idea had the backing of the public")
        );
        assert_eq!(out[1].content, Some(outer));
    }

    #[test]
    fn a_claim_interrupted_by_its_tag_is_joined() {
        let text =
            "There is room. That might, he suggests, lead to a hung parliament. He said, then, go.";
        let mut doc = Document::new("t", text);
        caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
        caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
        let at = |p: &str| {
            let s = text.find(p).unwrap();
            Span::new(s, s + p.len())
        };
        // The pronoun that opens `p`.
        let he = |p: &str| Span::new(text.find(p).unwrap(), text.find(p).unwrap() + 2);
        let c = interrupted_claim(
            &doc,
            1,
            at("suggests"),
            Some(he("he suggests")),
            at(", lead to a hung parliament"),
        );
        assert_eq!(
            c.slice(text),
            "That might, he suggests, lead to a hung parliament"
        );
        // No comma before the tag: the marks alone go.
        let c = interrupted_claim(&doc, 2, at("said"), Some(he("He said")), at(", then, go"));
        assert_eq!(c.slice(text), "then, go");
        // A content that opens with no mark is left alone.
        let c = at("lead to a hung parliament");
        assert_eq!(interrupted_claim(&doc, 1, at("suggests"), None, c), c);
    }

    #[test]
    fn an_opening_question_is_the_question_not_the_answer() {
        let text = "Asked by reporters who would lead the talks, Mr Smith said he had not decided.";
        let mut doc = Document::new("t", text);
        caveat_tokenize::tokenize(&doc.text, &mut doc.tokens);
        caveat_tokenize::split_sentences(&doc.text, &doc.tokens, &mut doc.sentences);
        let rel = |source: &str, cue: &str, content: &str| Attribution {
            source: Some(at_in(text, source)),
            cue: Some(at_in(text, cue)),
            content: Some(at_in(text, content)),
            ..Attribution::default()
        };
        let mut out = [
            rel(
                "reporters",
                "Asked",
                "who would lead the talks, Mr Smith said he had not",
            ),
            rel("Mr Smith", "said", "he had not decided"),
        ];
        opening_question(&doc, &mut out);
        let text_of = |s: Option<Span>| s.map(|s| s.slice(text));
        assert_eq!(text_of(out[0].content), Some("who would lead the talks"));
        assert_eq!(text_of(out[0].source), Some("reporters"));
        // The answerer is not the asker; the main relation is left alone.
        let mut out = [
            rel(
                "Mr Smith",
                "Asked",
                "by reporters who would lead the talks, Mr Smith",
            ),
            rel("Mr Smith", "said", "he had not decided"),
        ];
        opening_question(&doc, &mut out);
        assert_eq!(out[0].source, None);
        assert_eq!(
            text_of(out[0].content),
            Some("by reporters who would lead the talks")
        );
        assert_eq!(text_of(out[1].content), Some("he had not decided"));
    }
}
