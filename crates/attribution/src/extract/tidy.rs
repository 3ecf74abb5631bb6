//! Clean-ups of assembled relations that both backends share (the perceptron path and the
//! tagger path): a second cue coordinated with a first (`X said A but clarified B`, `said A and
//! added that B`) ends the first one's content and takes its source; a source never ends in an
//! auxiliary or a comma (`[The United Nations has] backed`) and is never a number nor a lone
//! article or adverb (`[the] claim`, `[really] believe`), a content
//! never ends in a dangling conjunction, article or comma (`«... a 'military operation,' but»`)
//! and stays in its paragraph unless it is a quotation; a tag followed by a participle
//! (`..., he said, adding that ...`) keeps the claim before it; a quotation its tag interrupts
//! (`"Q1," X said. "Q2."`) is one claim over both parts, and so is a sentence a tag set off by
//! commas interrupts (`The museum, Mr. Obama said, would ...`); a content that is one function word,
//! or a `claim` that takes its object (`claimed two lives`), is no claim.

use caveat_core::{Attribution, Document, Span};

use super::features::DocFeatures;
use super::kind::is_quote;
use super::words::{C_ADV, C_AUX, C_CONJ, C_DET, C_PREP, C_QUANT, C_THAT};

/// Words that say nothing as a whole content (`wanted «to»`, `is also encouraging «his»`);
/// a one-word content may be a name, a noun or a pronoun (`attacked «Machado»`, `scolded
/// «him»`).
const FUNCTION_WORDS: &[&str] = &[
    "a", "an", "the", "to", "its", "his", "their", "what", "that", "of", "for", "and", "or", "but",
];

/// Whether `text` is one function word ([`FUNCTION_WORDS`]), spaces and marks aside.
pub(crate) fn is_function_word(text: &str) -> bool {
    only_word(text).is_some_and(|w| FUNCTION_WORDS.contains(&w))
}

/// The one word of `text`, spaces and marks aside (`None` for none or several).
fn only_word(text: &str) -> Option<&str> {
    let mut words = text
        .split_whitespace()
        .map(|w| w.trim_matches(|c: char| !c.is_alphanumeric()))
        .filter(|w| !w.is_empty());
    match (words.next(), words.next()) {
        (Some(w), None) => Some(w),
        _ => None,
    }
}

/// Words that name nobody when they stand alone as a source. A possessive does (`[his]
/// claim`, `[her] supporting it`: PolNeAR marks it, and coreference resolves it).
const NOBODY: &[&str] = &[
    "a", "an", "the", "of", "for", "and", "or", "but", "s", "t", "soon", "also", "now", "just",
    "even", "still", "then", "so",
];

/// Whether a source's text is one word that names nobody: [`NOBODY`], or an adverb in `-ly`.
fn is_nobody(text: &str) -> bool {
    only_word(text).is_some_and(|w| {
        NOBODY.contains(&w.to_lowercase().as_str())
            || (w.len() > 4 && w.ends_with("ly") && w.chars().all(|c| c.is_lowercase()))
    })
}

/// Apply the clean-ups to `out`, the relations of `doc` in text order; returns, per relation,
/// whether it stays (a content that is one function word outside quotation marks says
/// nothing).
pub(crate) fn tidy(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) -> Vec<bool> {
    share_coordinated(doc, df, out);
    opening_question(doc, out);
    outer_speaker_at_end(doc, out);
    tag_after_claim(doc, df, out);
    inverted_name(doc, out);
    participle_after_tag(doc, out);
    fronted_phrase(doc, out);
    let mut keep = vec![true; out.len()];
    for (a, keep) in out.iter_mut().zip(&mut keep) {
        if let (Some(c), Some(cue)) = (a.content, a.cue) {
            let c = interrupted_claim(doc, a.sentence, cue, a.source, c);
            let c = one_paragraph(&doc.text, cue, trim_content(&doc.text, c));
            if a.quote && !c.slice(&doc.text).starts_with(QUOTES) {
                // The quotation was another paragraph's (`«"..."\n\nX went on to discuss
                // recent polls»` → `«recent polls»`).
                a.quote = is_quote(&doc.text, c);
            }
            let c = if a.quote || c.slice(&doc.text).starts_with(QUOTES) {
                c
            } else {
                from_cue_sentence(doc, a.sentence, c)
            };
            let c = around_its_cue(&doc.text, cue, a.source, c);
            let c = if a.quote {
                c
            } else {
                before_its_cue(&doc.text, cue, a.source, c)
            };
            let c = if a.quote {
                c
            } else {
                no_trailing_fragment(doc, c)
            };
            a.content = Some(c);
            if !a.quote && a.cites.is_none() && is_function_word(c.slice(&doc.text)) {
                *keep = false;
            }
            // A content that opens with the closing mark of an earlier quotation (`"... not
            // right'." And he highlighted ...`: the marks were paired wrongly) is no quotation
            // of this cue's.
            if opens_with_closing_mark(&doc.text, c) {
                *keep = false;
            }
            // A content of marks alone (`said «"»`) says nothing.
            if a.cites.is_none() && !c.slice(&doc.text).chars().any(char::is_alphanumeric) {
                *keep = false;
            }
            if takes_not_says(cue.slice(&doc.text), c.slice(&doc.text)) {
                *keep = false;
            }
            let c = without_addressee(doc, df, cue, c).unwrap_or(c);
            a.content = Some(c);
            if let Some(q) = quote_after_addressee(&doc.text, cue, c) {
                a.content = Some(q);
                a.quote = is_quote(&doc.text, q);
            }
            if let Some((cue, claim)) = of_topic(&doc.text, cue, c) {
                a.cue = Some(cue);
                a.content = claim;
                a.quote |= claim.is_some();
                *keep &= claim.is_some();
            }
        }
        if let Some(s) = a.source {
            let s = trim_source(doc, df, whole_source(doc, a.sentence, a.cue, a.content, s));
            // A number or a mark is nobody (`[19.45] see`), nor is a lone article or adverb
            // (`[the] claim`, `[really] believe`, `don"[t] know`).
            let st = s.slice(&doc.text);
            if st.chars().any(char::is_alphabetic) && !is_nobody(st) {
                a.source = Some(s);
            } else {
                a.source = None;
                a.vague = true;
            }
        }
    }
    one_statement(&doc.text, out, &mut keep);
    resumed_quote(doc, out, &keep);
    interrupting_tag(doc, out, &keep);
    keep
}

/// Verbs in their base form that make a mid-sentence tag with a plural or `I` speaker
/// (`critics say`, `some believe`), besides [`INVERTED`].
const TAG_BASE_VERBS: &[&str] = &[
    "say", "believe", "fear", "fears", "think", "argue", "warn", "suggest", "insist", "note",
    "add", "explain", "claim", "estimate", "predict", "reckon", "admit", "recall", "write",
];

/// Words that open a tag's own words after its cue, which tell when or where, not what
/// (`said in a June report,`, `said last week,`, `said on Monday: "..."`).
const TAG_TAIL: &[&str] = &[
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
fn fronted_phrase(doc: &Document, out: &mut [Attribution]) {
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

/// The most words between a mid-sentence tag and its comma (`the agency said in a June
/// report, and ...`).
const MAX_TAG_TAIL_WORDS: usize = 6;

/// `Lenox was a juggernaut, Mr. Clarke said, until it went bankrupt.`, `The museum, Mr. Obama
/// said, would make visitors face uncomfortable truths.`: a tag set off by commas inside a
/// sentence interrupts one claim, and the claim is the whole sentence around it (PolNeAR joins
/// the parts, the tag inside), not the part before or after it that the reading found. Only
/// when no other cue is in the sentence and the tag's own words after the cue (`in a June
/// report`) are few.
fn interrupting_tag(doc: &Document, out: &mut [Attribution], keep: &[bool]) {
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
        // The part before: words, then a comma (inside a closing mark, too).
        let lead = &text[sentence.start..first];
        let start = sentence.start + (lead.len() - lead.trim_start().len());
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

/// The closing mark that pairs with the opening quotation mark `open` (`''` pairs with `''`).
fn closing_of(open: &str) -> Option<&'static str> {
    Some(match open {
        "\"" => "\"",
        "\u{201c}" => "\u{201d}",
        "\u{00ab}" => "\u{00bb}",
        "''" => "''",
        _ => return None,
    })
}

/// The opening quotation mark `s` starts with, if any (`''` before `"`-less text counts).
fn opening_mark(s: &str) -> Option<&'static str> {
    ["''", "\"", "\u{201c}", "\u{00ab}"]
        .into_iter()
        .find(|m| s.starts_with(m))
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
fn resumed_quote(doc: &Document, out: &mut [Attribution], keep: &[bool]) {
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

/// Whether `content` opens with a straight double quotation mark that closes: glued to the
/// word or mark before it and followed by a space (`... not right'." And he ...`); `saying, "
/// Anybody who ...` (a space before the mark) opens a quotation, and so may a `”` (some sites
/// print `” … what I learned ...` for an opening one).
fn opens_with_closing_mark(text: &str, content: Span) -> bool {
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

/// A content read from the comma after its tag (`That might, he suggests, «, lead to a hung
/// parliament»`) is the second part of a claim the tag interrupts: with a comma before the
/// tag too, the claim runs from its sentence's start (`«That might, he suggests, lead to a
/// hung parliament»`, joined as PolNeAR joins them); otherwise the marks are trimmed.
fn interrupted_claim(
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
fn one_statement(text: &str, out: &mut [Attribution], keep: &mut [bool]) {
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

/// A content that is no quotation (and opens with no quotation mark) starts no earlier than
/// its cue's sentence (`Economists had
/// forecast growth of 5.6%. [Demand may weaken,] some analysts warned`, not both sentences); it
/// may run on after it (`Limbaugh added:` and the paragraph it introduces).
fn from_cue_sentence(doc: &Document, sentence: usize, content: Span) -> Span {
    match doc.sentences.get(sentence) {
        Some(s) if content.start < s.span.start && s.span.start < content.end => {
            let start = s.span.start;
            Span::new(start, content.end)
        }
        _ => content,
    }
}

/// A content that opens with its own source and cue (`«The company's chief executive, Richard
/// Parsons, told investors the results were "encouraging"»`) is what follows them, when that
/// is two words or more; so is one that holds them followed by `that` (`In an indication
/// «Washington is set to ..., Tillerson said this week that the US ...»`).
fn around_its_cue(text: &str, cue: Span, source: Option<Span>, content: Span) -> Span {
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

/// A reporter's question put as an opening participle (`Asked to describe the device, O'Neill
/// said ...`, `Asked by reporters who would lead the talks, Mr Smith said ...`): its content is
/// what follows the cue (and the asker, when named) up to the speaker of the main clause,
/// not the answer, and that speaker is not its source (PolNeAR leaves the asker unnamed unless
/// the text names them).
fn opening_question(doc: &Document, out: &mut [Attribution]) {
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
fn inverted_name(doc: &Document, out: &mut [Attribution]) {
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
fn tag_after_claim(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
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
        if !(told || speaker)
            || a.quote
            || c.start < cue.end
            || a.source.is_some_and(|s| s.start >= cue.end)
            || words.is_empty()
            || words.len() > 6
            || !text[c.end..].starts_with('.')
            || phrase.starts_with(QUOTES)
        {
            continue;
        }
        // No verb in the phrase: no auxiliary, no `-ed` word.
        let (Some(k0), k1) = (
            token_at(doc, c.start),
            doc.tokens.partition_point(|t| t.span.end <= c.end),
        ) else {
            continue;
        };
        if (k0..k1)
            .any(|k| df.toks[k].class == C_AUX || doc.tokens[k].span.slice(text).ends_with("ed"))
        {
            continue;
        }
        // The tag follows a comma, and the clause before it is the claim (a source before
        // the comma is the claim's subject, read as the speaker).
        let first = match a.source {
            Some(s) if !speaker => s.start.min(cue.start),
            _ => cue.start,
        };
        let Some(claim) = clause_before_tag(text, sentence.span.start, first) else {
            continue;
        };
        if speaker {
            a.source = Some(c);
            a.vague = !name && first_word != "the";
        }
        a.content = Some(claim);
    }
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
fn participle_after_tag(doc: &Document, out: &mut [Attribution]) {
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

/// A content that runs a few words into a later sentence without finishing it (`«broadcasters
/// were "more than willing". Opinion polls suggested»`, `«"... we certainly did." McClaren»`)
/// ends with the sentence before: at most four words and no quotation mark in the last
/// sentence, which goes on after the content. The caller keeps quotations out (`“The launch
/// may have failed. Nobody knows why,” the NIS said` is one quotation).
fn no_trailing_fragment(doc: &Document, content: Span) -> Span {
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

/// A claim reported inside another one's inverted tag ends before that tag: `Opinion polls
/// suggested «the idea had the backing of the public», he said`, not `«..., he said»`.
fn outer_speaker_at_end(doc: &Document, out: &mut [Attribution]) {
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

/// A content that runs on over its own inverted cue and source into what follows them (`«This
/// is only the tip of the iceberg, thinks Tim Danton, editor of PC Pro. The new rules are
/// unfair»`, `«Clinton beats Trump by 46 percent, according to the poll. Twelve percent»`), or
/// over a source and cue that end its sentence (`«About 3,600 drivers were fined, the
/// Department for Transport said. Adverts aimed at»`), is what comes before them, when that
/// is two words or more. A quotation split by its
/// speaker (`“A,” said X. “B.”`) stays whole, as does a claim followed by a quotation of the
/// same speaker (PolNeAR joins their parts).
fn before_its_cue(text: &str, cue: Span, source: Option<Span>, content: Span) -> Span {
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

/// Marks that open a quotation.
const QUOTES: [char; 7] = [
    '"', '\u{201c}', '\u{201d}', '\u{00ab}', '\u{2018}', '\'', '`',
];

/// A content that does not open with a quotation mark stays in one paragraph: the cue's side
/// of the first blank line after a cue before it (`have claimed «a high-profile victim.»`, not
/// `«a high-profile victim.\n\nThe campaign of legal action»`), of the last blank line before
/// a cue after it (`«Employers have spent ...» research suggests`, not the headline above).
fn one_paragraph(text: &str, cue: Span, content: Span) -> Span {
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

/// The index of the token that starts at byte `at`, if one does.
pub(crate) fn token_at(doc: &Document, at: usize) -> Option<usize> {
    let k = doc.tokens.partition_point(|t| t.span.start < at);
    (doc.tokens.get(k)?.span.start == at).then_some(k)
}

/// `X said A but clarified B`: when a cue follows `and`/`but` (adverbs such as `also` may come
/// between) right where the content of an earlier cue of its sentence reaches (or inside it),
/// nothing names another subject, so both cues share the earlier source, and the earlier
/// content ends before the conjunction.
fn share_coordinated(doc: &Document, df: &DocFeatures, out: &mut [Attribution]) {
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
fn takes_not_says(cue: &str, content: &str) -> bool {
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
fn without_addressee(doc: &Document, df: &DocFeatures, cue: Span, content: Span) -> Option<Span> {
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
fn quote_after_addressee(text: &str, cue: Span, content: Span) -> Option<Span> {
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
fn of_topic(text: &str, cue: Span, content: Span) -> Option<(Span, Option<Span>)> {
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

/// `content` without a trailing comma, semicolon, dash, conjunction (`and`, `but`, `or`),
/// article, `of` or relative pronoun (a tagger's content cut short: `«to be behind the
/// closure of the»`, `«the Ed Sullivan of podcasting which»`).
fn trim_content(text: &str, content: Span) -> Span {
    let mut end = content.end;
    loop {
        let s = text[content.start..end].trim_end();
        let cut = if let Some(r) = s.strip_suffix([',', ';', '—', '–']) {
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
    Span::new(content.start, end)
}

/// Words that open a time phrase (`last week`, `this month`, `earlier this year`).
const TIME_OPENERS: &[&str] = &["last", "this", "next", "earlier", "later"];

/// Nouns that close a time phrase.
const TIME_NOUNS: &[&str] = &[
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
fn whole_source(
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
/// talked to both in the]`: a tagger's source cut short), commas and dashes, and without a
/// time phrase at either end (`[Trump's administration last week] expressed`, `its statement
/// [last week that] said`): it says when, not who.
fn trim_source(doc: &Document, df: &DocFeatures, source: Span) -> Span {
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
                    "," | "-" | "--" | "\u{2013}" | "\u{2014}"
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
    let start = doc.tokens[first].span.start.max(source.start);
    Span::new(start, doc.tokens[last].span.end.min(source.end))
}

#[cfg(test)]
mod tests {
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

    fn at_in(text: &str, p: &str) -> Span {
        let s = text.find(p).unwrap();
        Span::new(s, s + p.len())
    }

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
    fn lone_articles_and_adverbs_name_nobody() {
        for s in ["the", "'s", "really", "actually", "t", "soon"] {
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
        ] {
            assert!(!is_nobody(s), "{s}");
        }
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
    }
}
