//! Source choice: the source ranker's features and candidates, picking a cue's source head
//! (with the rule fallback), growing it into a noun phrase, and whether it is vague.

use std::ops::Range;

use super::cues::CueRun;
use super::features::{
    is_quote, is_wordish, DocFeatures, Tok, SH_CAP, SH_CLOSEQ, SH_COLON, SH_COMMA, SH_FINAL,
    SH_LOWER, SH_NUM, SH_OTHER, SH_QUOTE, SH_UPPER,
};
use super::hashed::{bucket, f1, f2, NONE_WORD};
use super::resources::Resources;
use super::words::{
    C_ACCORDING, C_ADV, C_AUX, C_CITE, C_DET, C_POSS, C_PREP, C_PRON, C_QUANT, C_REL, C_THAT,
    C_TITLE, DAYS,
};

/// The source ranker's features for candidate `j` (None = "no source") of cue `cue`.
pub(crate) fn source_features(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &CueRun,
    j: Option<usize>,
    out: &mut Vec<u64>,
) {
    out.clear();
    let t = &df.toks;
    let h = t[cue.head];
    let cw = h.word;
    let Some(j) = j else {
        out.push(f1(100, 0));
        out.push(f1(101, cw));
        out.push(f1(102, h.suffix));
        let before = DocFeatures::between(&df.words, s.start, cue.tokens.start) as usize;
        out.push(f1(103, bucket(before)));
        out.push(f2(104, cw, (before > 0) as u64));
        let m1 = if cue.tokens.start > s.start {
            t[cue.tokens.start - 1]
        } else {
            Tok::default()
        };
        out.push(f2(105, m1.class as u64, m1.shape as u64));
        out.push(f2(106, m1.word, 1));
        return;
    };
    let c = t[j];
    let after = j >= cue.tokens.end;
    let dir = after as u64;
    let dist = if after {
        j - cue.tokens.end
    } else {
        cue.tokens.start - 1 - j
    };
    let db = bucket(dist);
    let (lo, hi) = if after {
        (cue.tokens.end, j)
    } else {
        (j + 1, cue.tokens.start)
    };
    let commas = DocFeatures::between(&df.commas, lo, hi).min(3) as u64;
    let quotes = DocFeatures::between(&df.quotes, lo, hi).min(2) as u64;
    let verbs = DocFeatures::between(&df.verbs, lo, hi).min(2) as u64;
    let get = |k: usize| -> Tok {
        if k >= s.start && k < s.end {
            t[k]
        } else {
            Tok {
                word: NONE_WORD,
                shape: 20,
                ..Tok::default()
            }
        }
    };
    let prev = if j > 0 { get(j - 1) } else { get(usize::MAX) };
    let next = get(j + 1);
    out.push(f2(110, dir, db));
    out.push(f2(111, dir, c.shape as u64));
    out.push(f2(112, dir, c.class as u64));
    out.push(f1(113, c.word));
    out.push(f2(114, c.suffix, dir));
    out.push(f2(115, cw, dir));
    out.push(f2(116, f1(cw, dir), db));
    out.push(f2(117, dir, commas));
    out.push(f2(118, dir, quotes));
    out.push(f2(119, dir, verbs));
    out.push(f2(120, next.shape as u64, c.shape as u64));
    out.push(f2(121, next.word, dir));
    out.push(f2(122, prev.shape as u64, c.shape as u64));
    out.push(f2(123, prev.word, dir));
    out.push(f2(124, f1(dir, prev.class as u64), next.class as u64));
    out.push(f2(125, (j == s.start) as u64, c.shape as u64));
    out.push(f2(126, f1(dir, db), c.shape as u64));
    out.push(f2(127, f1(dir, db), c.class as u64));
    out.push(f2(128, h.suffix, f1(dir, c.class as u64)));
    out.push(f2(129, c.quoted as u64, dir));
    out.push(f2(130, f1(dir, commas), c.shape as u64));
    out.push(f2(131, c.prior as u64, dir));
    out.push(f2(132, f1(cw, dir), c.class as u64));
    out.push(f2(133, f1(cw, dir), c.shape as u64));
    out.push(f2(134, next.class as u64, c.shape as u64));
}

/// Added to the "no source" score: a guessed source overlaps more often than none.
const NO_SOURCE_BIAS: f32 = -4.0;

/// Token window searched for a source around a cue.
pub(super) const SOURCE_WINDOW: usize = 40;

/// Candidate source tokens of a cue.
pub(crate) fn source_candidates<'a>(
    df: &'a DocFeatures,
    s: &Range<usize>,
    cue: &CueRun,
) -> impl Iterator<Item = usize> + 'a {
    let lo = cue.tokens.start.saturating_sub(SOURCE_WINDOW).max(s.start);
    let hi = (cue.tokens.end + SOURCE_WINDOW).min(s.end);
    let cue_range = cue.tokens.clone();
    (lo..hi).filter(move |&j| !cue_range.contains(&j) && is_wordish(df.toks[j].shape))
}

/// Pick the source head token of a cue (None = no source).
pub(crate) fn choose_source(
    df: &DocFeatures,
    res: &Resources,
    s: &Range<usize>,
    cue: &CueRun,
    feats: &mut Vec<u64>,
) -> Option<usize> {
    let t = &df.toks;
    if !res.learned || res.model.source.is_empty() {
        // Rule fallback: "according to X" and "citing X" look right; else the nearest
        // pronoun, relative pronoun or capitalised word before the cue, else after it.
        let h = t[cue.head];
        if matches!(h.class, C_ACCORDING | C_CITE) {
            return (cue.tokens.end..s.end)
                .find(|&j| is_wordish(t[j].shape) && t[j].class != C_PREP);
        }
        let before = (s.start..cue.tokens.start)
            .rev()
            .take(SOURCE_WINDOW)
            .find(|&j| {
                matches!(t[j].class, C_PRON | C_REL) || matches!(t[j].shape, SH_CAP | SH_UPPER)
            });
        return before.or_else(|| {
            (cue.tokens.end..s.end)
                .take(SOURCE_WINDOW)
                .find(|&j| matches!(t[j].class, C_PRON) || matches!(t[j].shape, SH_CAP | SH_UPPER))
        });
    }
    if t[cue.head].class == C_CITE {
        // "citing X", "quoting X": the cited source follows.
        return (cue.tokens.end..s.end.min(cue.tokens.end + 6))
            .find(|&j| is_wordish(t[j].shape) && !matches!(t[j].class, C_DET | C_PREP | C_QUANT));
    }
    source_features(df, s, cue, None, feats);
    let mut best = None;
    let mut best_score = res.model.source.score(feats) + NO_SOURCE_BIAS;
    // A time word says when, never who (`AIB today reported`).
    let time: Vec<u64> = DAYS
        .iter()
        .chain(&["now"])
        .map(|w| caveat_text::hash::fnv_word_hash(w))
        .collect();
    for j in source_candidates(df, s, cue).filter(|&j| !time.contains(&t[j].word)) {
        source_features(df, s, cue, Some(j), feats);
        let sc = res.model.source.score(feats);
        if sc > best_score {
            best_score = sc;
            best = Some(j);
        }
    }
    best
}

/// Grow a source head token into a noun phrase (token range), staying inside `s` and off
/// the cue.
pub(crate) fn grow_source(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    j: usize,
) -> Range<usize> {
    let t = &df.toks;
    if matches!(t[j].class, C_PRON | C_REL) {
        return j..j + 1;
    }
    let ok = |k: usize| s.contains(&k) && !cue.contains(&k);
    let mut lo = j;
    let mut hi = j + 1;
    let capital = |x: &Tok| matches!(x.shape, SH_CAP | SH_UPPER) || x.class == C_TITLE;
    if capital(&t[j]) {
        while hi < s.end && ok(hi) && (capital(&t[hi]) || t[hi].shape == SH_NUM) && hi - j < 6 {
            hi += 1;
        }
    }
    // Leftwards: capitalised words, adjectives and nouns up to a determiner or quantifier,
    // across at most two prepositions ("a source familiar with the talks", "the head of the
    // FBI", "officials at the Pentagon").
    let mut steps = 0;
    let mut hops = 0;
    let and = caveat_text::hash::fnv_word_hash("and");
    let first = caveat_text::hash::fnv_word_hash("first");
    let after = caveat_text::hash::fnv_word_hash("after");
    let before = caveat_text::hash::fnv_word_hash("before");
    let think = caveat_text::hash::fnv_word_hash("think");
    let tank = caveat_text::hash::fnv_word_hash("tank");
    let tanks = caveat_text::hash::fnv_word_hash("tanks");
    while lo > s.start && ok(lo - 1) && steps < 8 {
        let p = &t[lo - 1];
        if matches!(p.class, C_DET | C_QUANT) {
            lo -= 1;
            // Continue only through a preposition before the determiner.
            if !(lo > s.start + 1 && ok(lo - 1) && t[lo - 1].class == C_PREP && hops < 2) {
                break;
            }
            continue;
        }
        // A possessive takes its possessor whatever its cue prior (`Friday's
        // demonstration`: "Friday" is often inside PolNeAR cues, `said Friday`).
        if p.class == C_POSS {
            lo -= 1;
            steps += 1;
            if lo > s.start
                && ok(lo - 1)
                && matches!(t[lo - 1].shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
            {
                lo -= 1;
                steps += 1;
            }
            continue;
        }
        // `First Deputy Prime Minister Igor Shuvalov`: "first" is an adverb elsewhere.
        if p.word == first && p.shape == SH_CAP && matches!(t[lo].shape, SH_CAP | SH_UPPER) {
            lo -= 1;
            steps += 1;
            continue;
        }
        // A word like a cue inside a name or a compound noun stays in it (`The Resolution
        // Foundation says`, `The think tank says`).
        let in_name = p.shape == SH_CAP
            && matches!(t[lo].shape, SH_CAP | SH_UPPER)
            && lo - 1 > s.start
            && t[lo - 2].class != C_PRON;
        let compound = p.word == think && (t[lo].word == tank || t[lo].word == tanks);
        // A gerund that modifies the noun after it (`the region's top economic [planning]
        // official says`), between that noun and a determiner, a possessive or an adjective.
        let modifier = p.ing
            && p.shape == SH_LOWER
            && t[lo].shape == SH_LOWER
            && t[lo].class == 0
            && lo - 1 > s.start
            && (matches!(t[lo - 2].class, C_DET | C_POSS)
                || (t[lo - 2].class == 0
                    && t[lo - 2].shape == SH_LOWER
                    && !t[lo - 2].ing
                    && !(3..=6).contains(&t[lo - 2].prior)));
        let content_word = p.class == 0
            && matches!(p.shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
            && (!(3..=6).contains(&p.prior) || in_name || compound || modifier);
        // A preposition inside the phrase ("the head of the FBI"), or `and` between two
        // coordinated noun phrases ("Obama and Clinton", "World leaders and diplomats").
        // ... but not `after` or `before`, which start a clause of their own (`this month
        // after The Associated Press reported`).
        let linker = (p.class == C_PREP && hops < 2 && p.word != after && p.word != before)
            || (p.word == and && steps + hops < 6);
        if content_word || p.class == C_TITLE {
            lo -= 1;
            steps += 1;
        } else if linker
            && lo >= s.start + 2
            && ok(lo - 2)
            && matches!(t[lo - 2].shape, SH_LOWER | SH_CAP | SH_UPPER)
            && t[lo - 2].class == 0
            && !(3..=6).contains(&t[lo - 2].prior)
        {
            lo -= 1;
            hops += 1;
        } else {
            break;
        }
    }
    // Never start on a preposition.
    while lo < j && t[lo].class == C_PREP {
        lo += 1;
    }
    // A determiner or quantifier chosen alone (`according to [the] Federal Office for
    // Migration`): its noun phrase follows it.
    if hi == j + 1 && matches!(t[j].class, C_DET | C_QUANT) {
        while hi < s.end && ok(hi) && hi - j < 6 {
            let x = &t[hi];
            let content_word = (x.class == 0 || x.class == C_TITLE || x.word == first)
                && matches!(x.shape, SH_LOWER | SH_CAP | SH_UPPER | SH_NUM)
                && !(3..=6).contains(&x.prior);
            if !content_word {
                break;
            }
            hi += 1;
        }
    }
    lo..hi
}

/// Whether a source is vague: it (or the two words after it, for "people familiar with")
/// has a vague word, and no capitalised name follows that word ("spokesman Jason Miller").
/// Only the head phrase counts, not an appositive after a comma ("John Smith, a spokesman").
pub(super) fn is_vague(df: &DocFeatures, s: &Range<usize>, r: &Range<usize>) -> bool {
    let r = &match (r.start + 1..r.end).find(|&k| df.toks[k].shape == SH_COMMA) {
        Some(k) => r.start..k,
        None => r.clone(),
    };
    let look = (r.end + 2).min(s.end).max(r.end);
    let toks = &df.toks[r.start..look];
    match toks.iter().position(|x| x.vague) {
        None => false,
        Some(p) => !toks[(p + 1).min(r.len())..r.len()]
            .iter()
            .any(|x| matches!(x.shape, SH_CAP | SH_UPPER)),
    }
}

/// Most tokens an appositive or a completed noun phrase may add to a source.
const APPOSITIVE_MAX: usize = 30;

/// Complete a grown source into the phrase a reader would quote (PolNeAR's source spans):
/// * the words after it that can only continue the noun phrase, when they run up to the cue
///   or to a comma (`[the] Consumer Financial Protection Bureau imposed`, `according to [a]
///   recent Reuters survey`; auxiliaries and adverbs before the cue stay out: `X has also
///   said`);
/// * before the cue, an appositive or relative clause between commas (`Laurence H. Tribe, a
///   law professor, said`, `Joseph, who has four children, said`);
/// * after an inverted cue, an appositive running to the end of the sentence (`"...," said
///   David Wasserman, House editor for the Cook Political Report.`).
///
/// Quotations, colons and cue words never join a source, nor does a participle or
/// prepositional phrase after a comma (`President Obama, dedicating the museum, said`).
pub(crate) fn complete_source(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
    head: usize,
    src: Range<usize>,
) -> Range<usize> {
    let t = &df.toks;
    if src.is_empty() || (matches!(t[src.start].class, C_PRON | C_REL) && src.len() == 1) {
        return src;
    }
    let before = src.end <= cue.start;
    // Cue-like words (said, claims) end a source before its cue; after it, nouns with a cue
    // prior (`a recent Reuters survey`) may belong to it, strong cue words never.
    let weakest = if before { 3 } else { 5 };
    let plain = |k: usize| {
        !is_quote(t[k].shape) && !(weakest..=6).contains(&t[k].prior) && t[k].shape != SH_COLON
    };
    let first = caveat_text::hash::fnv_word_hash("first");
    let np_word = |k: usize| {
        let x = &t[k];
        plain(k)
            && (matches!(x.class, C_DET | C_QUANT | C_TITLE | C_POSS)
                || (x.class == 0 && (is_wordish(x.shape) || x.shape == SH_OTHER))
                // `the Russian first deputy foreign minister`
                || (x.word == first && k > src.start))
    };
    // A preposition inside a name or noun phrase (`the Roper Center for Public Opinion
    // Research`, `officials at the Pentagon`).
    // ... and `and` inside a name (`the Federal Office for Migration and Refugees`).
    let and = caveat_text::hash::fnv_word_hash("and");
    let np_prep = |k: usize, limit: usize| {
        (t[k].class == C_PREP && k + 1 < limit && np_word(k + 1))
            || (t[k].word == and
                && k > src.start
                && k + 1 < limit
                && t[k - 1].shape == SH_CAP
                && t[k + 1].shape == SH_CAP
                && np_word(k + 1))
    };
    // An appositive starts like a noun phrase or a relative clause, not with a participle,
    // a preposition or an adverb.
    let appositive_start = |k: usize| {
        let x = &t[k];
        matches!(x.class, C_DET | C_QUANT | C_REL | C_POSS | C_TITLE)
            || (x.class == 0
                && matches!(x.shape, SH_CAP | SH_UPPER | SH_NUM | SH_LOWER)
                && !(x.shape == SH_LOWER && x.ing))
    };
    // The end of the region the source may grow into.
    let limit = if before {
        let mut stop = cue.start;
        while stop > src.end && matches!(t[stop - 1].class, C_AUX | C_ADV) {
            stop -= 1;
        }
        stop
    } else {
        let mut last = s.end;
        while last > src.end && matches!(t[last - 1].shape, SH_FINAL | SH_CLOSEQ | SH_QUOTE) {
            last -= 1;
        }
        last
    };
    let mut end = src.end;
    while end < limit && end - src.end < 10 && (np_word(end) || np_prep(end, limit)) {
        end += 1;
    }
    // Only a phrase that runs into the cue, the end of the sentence or a punctuation mark is
    // surely one noun phrase.
    if end < limit && is_wordish(t[end].shape) && !matches!(t[end].class, C_PREP | C_REL | C_THAT) {
        end = src.end;
    }
    while end > src.end && t[end - 1].class == C_PREP {
        end -= 1;
    }
    if before {
        // `X, <appositive>, said`: a comma-bounded segment up to the cue.
        if end < limit
            && t[end].shape == SH_COMMA
            && t[limit - 1].shape == SH_COMMA
            && limit - end >= 3
            && limit - end <= APPOSITIVE_MAX
            && appositive_start(end + 1)
            && (end + 1..limit - 1).all(plain)
        {
            end = limit - 1;
        }
        return src.start..end;
    }
    // After an inverted cue (`"...," said X, a spokesman.`): the appositive to the end of the
    // sentence.
    let inverted =
        t[head].class != C_ACCORDING && DocFeatures::between(&df.words, s.start, cue.start) >= 2;
    if inverted && end < limit && t[end].shape == SH_COMMA {
        let tail = end + 1..limit;
        if !tail.is_empty()
            && tail.len() <= APPOSITIVE_MAX
            && appositive_start(end + 1)
            && tail.clone().all(plain)
        {
            end = limit;
        }
    }
    src.start..end
}

/// Participles after `be` whose subject is who thinks or feels (`is convinced`, `are worried`),
/// not a passive's target.
const EXPERIENCER: &[&str] = &[
    "worried",
    "concerned",
    "convinced",
    "pleased",
    "alarmed",
    "frightened",
    "scared",
    "surprised",
    "shocked",
    "disappointed",
    "satisfied",
    "determined",
    "interested",
    "confused",
    "puzzled",
    "troubled",
    "encouraged",
    "heartened",
    "dismayed",
    "outraged",
    "angered",
    "bothered",
    "impressed",
    "amazed",
    "relieved",
    "resigned",
    "committed",
    "opposed",
    "inclined",
    "prepared",
    "tired",
    "persuaded",
    "unconvinced",
    "unimpressed",
    "delighted",
    "thrilled",
    "saddened",
    "frustrated",
    "annoyed",
    "irritated",
    "baffled",
    "stunned",
    "horrified",
];

/// Whether a cue is passive: a form of `be` followed by a participle (`has been called`,
/// `were echoed`, `is expected`), other than one of an experiencer ([`EXPERIENCER`]).
pub(crate) fn is_passive(
    df: &DocFeatures,
    doc: &caveat_core::Document,
    cue: &Range<usize>,
) -> bool {
    let t = &df.toks;
    let be =
        ["is", "are", "was", "were", "be", "been", "being"].map(caveat_text::hash::fnv_word_hash);
    let Some(b) = cue.clone().position(|k| be.contains(&t[k].word)) else {
        return false;
    };
    let last = cue.end - 1;
    if cue.start + b >= last || t[last].shape != SH_LOWER {
        return false;
    }
    let w = doc.tokens[last].span.slice(&doc.text);
    // `X is convinced that`, `voters are worried`: the subject holds the belief.
    if EXPERIENCER.contains(&w) {
        return false;
    }
    w.ends_with("ed")
        || w.ends_with("en")
        || w.ends_with("wn")
        || [
            "told",
            "said",
            "thought",
            "heard",
            "taught",
            "understood",
            "held",
        ]
        .contains(&w)
}

/// A participle cue right after a noun and right before `by` modifies the noun (`the
/// guidelines [outlined] by the administration`, `a report released by the agency`): a reduced
/// relative clause, not a claim of the noun's.
pub(crate) fn is_reduced_relative(
    df: &DocFeatures,
    doc: &caveat_core::Document,
    cue: &Range<usize>,
) -> bool {
    let t = &df.toks;
    if cue.len() != 1 || cue.start == 0 || cue.end >= t.len() {
        return false;
    }
    let w = doc.tokens[cue.start].span.slice(&doc.text);
    let prev = &t[cue.start - 1];
    t[cue.end].word == caveat_text::hash::fnv_word_hash("by")
        && t[cue.start].shape == SH_LOWER
        && w.ends_with("ed")
        && prev.class == 0
        && matches!(prev.shape, SH_LOWER | SH_CAP | SH_UPPER)
}

/// The agent of a passive cue: the noun phrase after a `by` that follows the cue within a few
/// words (`called a charlatan by [fellow physicians]`), or none.
pub(crate) fn by_agent(
    df: &DocFeatures,
    s: &Range<usize>,
    cue: &Range<usize>,
) -> Option<Range<usize>> {
    let t = &df.toks;
    let by = caveat_text::hash::fnv_word_hash("by");
    let k = (cue.end..s.end.min(cue.end + 6))
        .take_while(|&k| {
            !matches!(t[k].shape, SH_COMMA | SH_FINAL | SH_COLON) && !is_quote(t[k].shape)
        })
        .find(|&k| t[k].word == by)?;
    let start = k + 1;
    let mut end = start;
    while end < s.end
        && end - start < 8
        && (matches!(t[end].class, C_DET | C_QUANT | C_TITLE | C_POSS)
            || (t[end].class == 0 && is_wordish(t[end].shape)))
    {
        end += 1;
    }
    (end > start).then_some(start..end)
}
