//! The extraction algorithm: cue tagging, source choice, content span, and the links to
//! entities, hedges and cited attributions.
//!
//! Per document, every token gets a small [`Tok`](features::Tok) record (hashes of its
//! lower-cased form and suffix, a shape, a word class, its cue-lexicon prior, quotation
//! state). Per sentence, tokens whose word is in the cue lexicon are scored by the cue
//! perceptron left to right (the previous decision is a feature); runs of accepted tokens
//! form one cue. For each cue, the source perceptron ranks the words of the sentence (plus a
//! "no source" option); the winner is grown into a noun phrase and completed with its
//! appositive. The content is the clause on the other side of the cue (after it, or before
//! it for quote-final and inverted cues), extended over the sentences of a quotation.
//!
//! One concern per submodule: `words` (built-in word lists), `resources` (lexicon, model and
//! per-word index), `features` (per-token records and prefix counts), `hashed` (hashed
//! feature ids), `cues` (cue tagging), `source` (source choice and growth), `content` (the
//! content span), `kind` (reporting cues, kinds, quotations), `layout` (relations made by
//! layout), `tidy` (clean-ups both backends share) and `link` (chains, entities, hedges). This
//! file runs them over a document.

mod content;
mod cues;
mod features;
mod hashed;
mod kind;
mod layout;
mod link;
mod resources;
mod source;
mod tidy;
mod words;

use std::ops::Range;

use caveat_core::{Attribution, Document, Span};

use self::content::{content_range, extend_content};
use self::cues::find_cues;
use self::link::{link_chains, link_entities, link_hedges};
use self::source::{choose_source, complete_source, grow_source, is_vague};

#[cfg(feature = "train")]
pub(crate) use self::cues::{cue_features, CueRun};
#[cfg(feature = "train")]
pub(crate) use self::features::strength;
pub(crate) use self::features::DocFeatures;
#[cfg(test)]
pub(crate) use self::kind::is_reporting as is_reporting_cue;
pub(crate) use self::resources::Resources;
#[cfg(feature = "train")]
pub(crate) use self::source::{source_candidates, source_features};
pub use self::words::DEFAULT_VAGUE;

/// Run the whole extraction over one document; appends to `doc.attributions` and links hedges.
pub(crate) fn extract(doc: &mut Document, res: &Resources) {
    let df = DocFeatures::new(doc, res);
    let n = doc.tokens.len();
    let mut feats = Vec::with_capacity(64);
    let mut runs = Vec::new();
    let mut out: Vec<Attribution> = Vec::new();
    let mut heads: Vec<usize> = Vec::new();
    for (si, sent) in doc.sentences.iter().enumerate() {
        let s = sent.tokens.start.min(n)..sent.tokens.end.min(n);
        if s.is_empty() {
            continue;
        }
        runs.clear();
        find_cues(&df, res, &s, &mut feats, &mut runs);
        // The next sentence, and whether a paragraph break separates it from this one.
        let next_range = doc
            .sentences
            .get(si + 1)
            .map(|x| x.tokens.start.min(n)..x.tokens.end.min(n));
        let next = next_range.as_ref().map(|r| {
            let gap = doc
                .text
                .get(
                    doc.tokens[s.end - 1].span.end
                        ..doc
                            .tokens
                            .get(r.start)
                            .map_or(doc.text.len(), |t| t.span.start),
                )
                .unwrap_or("");
            (r, !gap.contains('\n'))
        });
        for run in &runs {
            let src_head = choose_source(&df, res, &s, run, &mut feats)
                .map(|j| named_head(&df, &s, &run.tokens, j));
            let src = src_head.map(|j| {
                complete_source(
                    &df,
                    &s,
                    &run.tokens,
                    run.head,
                    grow_source(&df, &s, &run.tokens, j),
                )
            });
            let content = content_range(&df, &s, &run.tokens, run.head, src.as_ref());
            let content = extend_content(&df, &s, &run.tokens, src.as_ref(), content, next);
            // A passive cue's subject is what the claim is about, not who makes it (`Oz has
            // been called a charlatan by fellow physicians`): the source is the `by` phrase,
            // or none. The content stays as the active reading found it.
            let src = if source::is_passive(&df, doc, &run.tokens) {
                source::by_agent(&df, &s, &run.tokens)
            } else {
                src
            };
            // A cue without a content reports nothing, unless it cites (its content comes
            // from the attribution that cites it), as for the tagger backends.
            if content.is_none() && df.toks[run.head].class != words::C_CITE {
                continue;
            }
            let span = |r: &Range<usize>| {
                Span::new(
                    doc.tokens[r.start].span.start,
                    doc.tokens[r.end - 1].span.end,
                )
            };
            if res.reporting_only
                && (!kind::is_reporting(span(&run.tokens).slice(&doc.text))
                    || shows_noun(&df, &run.tokens)
                    || names_it(&df, &run.tokens)
                    || called_names(&df, &run.tokens)
                    || name_part(&df, &run.tokens)
                    || fell_by(&df, &run.tokens)
                    || source::is_reduced_relative(&df, doc, &run.tokens))
            {
                continue;
            }
            let vague = match &src {
                Some(r) => is_vague(&df, &s, r),
                // No source at all ("it is believed", "reportedly").
                None => true,
            };
            out.push(Attribution {
                source: src.as_ref().map(span),
                cue: Some(span(&run.tokens)),
                content: content.as_ref().map(span),
                source_entity: None,
                source_cluster: None,
                vague,
                kind: kind::kind_of(span(&run.tokens).slice(&doc.text)),
                quote: content
                    .as_ref()
                    .is_some_and(|c| kind::is_quote(&doc.text, span(c))),
                cites: None,
                sentence: si,
                score: 1.0 / (1.0 + (-run.margin).exp()),
            });
            heads.push(run.head);
        }
    }
    add_layout_relations(doc, &df, &mut out, &mut heads);
    retain_tidy(doc, &df, &mut out, &mut heads);
    link_chains(&df, &mut out, &heads);
    link_entities(doc, &mut out);
    let base = doc.attributions.len();
    doc.attributions.extend(out);
    link_hedges(doc, base);
}

/// [`tidy::tidy`] `out`, and drop the relations it rejects (with their entries in `heads`)
/// and those read in the headline of a link to another article (`READ MORE: Paris police
/// say ...`: that claim is the other article's) or whose cue is the colon of a link label
/// (`[MORE] <:>`, when the headline stays in its sentence).
fn retain_tidy(
    doc: &Document,
    df: &DocFeatures,
    out: &mut Vec<Attribution>,
    heads: &mut Vec<usize>,
) {
    let mut keep = tidy::tidy(doc, df, out);
    for (a, keep) in out.iter().zip(&mut keep) {
        *keep &= !in_link_headline(doc, a.sentence) && !a.cue.is_some_and(|c| label_colon(doc, c));
    }
    let mut k = keep.iter();
    out.retain(|_| *k.next().unwrap_or(&true));
    let mut k = keep.iter();
    heads.retain(|_| *k.next().unwrap_or(&true));
}

/// Whether sentence `s` of `doc` is a link label and its headline (`READ MORE: ...`; the
/// sentence splitter makes them a sentence of their own).
fn in_link_headline(doc: &Document, s: usize) -> bool {
    doc.sentences.get(s).is_some_and(|s| {
        let tok = |i: usize| doc.tokens.get(i).map_or("", |t| t.span.slice(&doc.text));
        caveat_text::links::is_link_headline(tok, s.tokens.clone())
    })
}

/// Whether `cue` is the colon that ends a link label (`READ MORE:`).
fn label_colon(doc: &Document, cue: Span) -> bool {
    let Some(k) = tidy::token_at(doc, cue.start) else {
        return false;
    };
    let tok = |i: usize| doc.tokens.get(i).map_or("", |t| t.span.slice(&doc.text));
    tok(k) == ":"
        && (1..=2).any(|back| {
            k >= back
                && caveat_text::links::link_label_len(tok, k - back, doc.tokens.len())
                    == Some(back + 1)
        })
}

/// Add the attributions the layout makes (speaker labels, quotations signed after a dash;
/// [`layout`]) whose cue no attribution in `out` has already, in text order.
fn add_layout_relations(
    doc: &Document,
    df: &DocFeatures,
    out: &mut Vec<Attribution>,
    heads: &mut Vec<usize>,
) {
    let span = |r: &Range<usize>| {
        Span::new(
            doc.tokens[r.start].span.start,
            doc.tokens[r.end - 1].span.end,
        )
    };
    for rel in layout::layout_relations(doc) {
        let cue = span(&rel.cue);
        if let Some(a) = out.iter_mut().find(|a| {
            a.cue
                .is_some_and(|c| c.start < cue.end && cue.start < c.end)
        }) {
            // A speaker label's turn follows the label: a content read before it (the
            // previous turn, `«"WALLACE: Will she be there?»` for `PENCE:`) is the layout's.
            if cue.slice(&doc.text) == ":" && a.content.is_some_and(|c| c.end <= cue.start) {
                a.content = Some(span(&rel.content));
                a.source = Some(span(&rel.source));
                a.quote = kind::is_quote(&doc.text, span(&rel.content));
            }
            continue;
        }
        let sentence = doc
            .sentences
            .iter()
            .position(|s| s.tokens.contains(&rel.cue.start))
            .unwrap_or(0);
        let n = doc.tokens.len();
        let s = doc
            .sentences
            .get(sentence)
            .map_or(0..n, |s| s.tokens.start.min(n)..s.tokens.end.min(n));
        let content = span(&rel.content);
        let at = out
            .iter()
            .position(|a| a.cue.is_some_and(|c| c.start > cue.start))
            .unwrap_or(out.len());
        out.insert(
            at,
            Attribution {
                source: Some(span(&rel.source)),
                cue: Some(cue),
                content: Some(content),
                source_entity: None,
                source_cluster: None,
                vague: is_vague(df, &s, &rel.source),
                kind: kind::kind_of(cue.slice(&doc.text)),
                quote: kind::is_quote(&doc.text, content),
                cites: None,
                sentence,
                score: 1.0,
            },
        );
        heads.insert(at, rel.cue.start);
    }
}

/// Fill `doc.attributions` from relations assembled from a tagger's spans
/// ([`crate::tagged::assemble`]): the same vagueness, kind, quotation, citing-chain, entity and
/// hedge links as [`extract`], except that a citing attribution keeps a content of its own
/// (PolNeAR tags one: `McCain said X, citing Y`), and that hedges are linked to contents
/// that run over several sentences. Relations without a content are left out, except citing
/// ones. The attributions the layout makes (speaker labels, signed quotations) are added where
/// the tagger has no cue, as in [`extract`].
pub(crate) fn from_relations(
    doc: &mut Document,
    res: &Resources,
    rels: &[crate::tagged::Relation],
) {
    let df = DocFeatures::new(doc, res);
    let n = doc.tokens.len();
    let span = |r: &Range<usize>| {
        Span::new(
            doc.tokens[r.start].span.start,
            doc.tokens[r.end - 1].span.end,
        )
    };
    let mut out: Vec<Attribution> = Vec::with_capacity(rels.len());
    let mut heads: Vec<usize> = Vec::with_capacity(rels.len());
    for r in rels {
        if r.cue.is_empty() || r.cue.end > n {
            continue;
        }
        let s = doc
            .sentences
            .get(r.sentence)
            .map_or(0..n, |s| s.tokens.start.min(n)..s.tokens.end.min(n));
        // A passive cue's subject is what the claim is about (`[Haider al-Abadi] has been
        // criticised`): its source is the `by` phrase, or none, as in [`extract`].
        let source = match &r.source {
            Some(src) if src.end <= r.cue.start && source::is_passive(&df, doc, &r.cue) => {
                source::by_agent(&df, &s, &r.cue)
            }
            other => other.clone(),
        };
        let vague = match &source {
            Some(src) => is_vague(&df, &s, src),
            None => true,
        };
        let content = r
            .content
            .as_ref()
            .filter(|c| !c.is_empty() && c.end <= n)
            .map(span)
            // Marks alone (`«"»` before a transcript's `PENCE:`) are no content: the layout's
            // relation takes the line instead.
            .filter(|c| c.slice(&doc.text).chars().any(char::is_alphanumeric));
        // A fragment the tagger left as the whole content (`demands «a»`, `promise «to»`):
        // the clause the perceptron path would take instead.
        let content = match content {
            Some(c) if tidy::is_function_word(c.slice(&doc.text)) => {
                content_range(&df, &s, &r.cue, r.cue.end - 1, source.as_ref())
                    .map(|c| span(&c))
                    .or(Some(c))
            }
            other => other,
        };
        let head = r.cue.clone().find(|&i| df.toks[i].class == words::C_CITE);
        // A cue without a content is dropped, unless it cites (its content comes from the
        // attribution that cites it).
        if content.is_none() && head.is_none() {
            continue;
        }
        let cue = span(&r.cue);
        if res.reporting_only
            && (!kind::is_reporting(cue.slice(&doc.text))
                || name_part(&df, &r.cue)
                || names_it(&df, &r.cue)
                || called_names(&df, &r.cue)
                || fell_by(&df, &r.cue))
        {
            continue;
        }
        out.push(Attribution {
            source: source.as_ref().map(span),
            cue: Some(cue),
            content,
            source_entity: None,
            source_cluster: None,
            vague,
            kind: kind::kind_of(cue.slice(&doc.text)),
            quote: content.is_some_and(|c| kind::is_quote(&doc.text, c)),
            cites: None,
            sentence: r.sentence,
            score: r.score,
        });
        // The head: a citing word of the cue if there is one.
        heads.push(head.unwrap_or(r.cue.start));
    }
    add_layout_relations(doc, &df, &mut out, &mut heads);
    retain_tidy(doc, &df, &mut out, &mut heads);
    let own: Vec<Option<Span>> = out.iter().map(|a| a.content).collect();
    link_chains(&df, &mut out, &heads);
    for (a, c) in out.iter_mut().zip(own) {
        if c.is_some() {
            a.content = c;
        }
    }
    link_entities(doc, &mut out);
    let base = doc.attributions.len();
    doc.attributions.extend(out);
    link_hedges(doc, base);
}

/// A one-word cue that is part of a name: capitalised after a capitalised word and before a
/// lower-case one, a comma, a dash or a closing bracket (`Hayley [Yelling] were out of
/// contention`, `three of them Grand [Slams] -`); a Title-Case headline keeps
/// its cue (`Trump Says Wall Will Be Built`, `Amid Allegations of Fraud`).
fn name_part(df: &DocFeatures, cue: &Range<usize>) -> bool {
    let t = &df.toks;
    cue.len() == 1
        && cue.start > 0
        && cue.end < t.len()
        && t[cue.start].shape == features::SH_CAP
        && t[cue.start - 1].shape == features::SH_CAP
        && matches!(
            t[cue.end].shape,
            features::SH_LOWER | features::SH_COMMA | features::SH_DASH | features::SH_CLOSEB
        )
        // Title Case leaves short function words in lower case (`Amid Allegations of Fraud`).
        && ![
            "of", "for", "to", "and", "or", "in", "on", "at", "by", "with", "from", "as", "the",
            "a", "an",
        ]
        .iter()
        .any(|w| caveat_text::hash::fnv_word_hash(w) == t[cue.end].word)
}

/// `futures declined 1.92%`, `prices declined in comparison to 2015`, `their moods actually
/// declined.`: `declined` that says a quantity fell (a number, a preposition, a manner adverb
/// or the sentence's end after it), not a refusal (`declined to comment`, `declined an
/// invitation`).
pub(crate) fn fell_by(df: &DocFeatures, cue: &Range<usize>) -> bool {
    let t = &df.toks;
    let Some(last) = cue.end.checked_sub(1) else {
        return false;
    };
    let is = |k: usize, words: &[&str]| {
        words
            .iter()
            .any(|w| caveat_text::hash::fnv_word_hash(w) == t[k].word)
    };
    if !is(last, &["declined", "declines", "decline", "declining"]) {
        return false;
    }
    let Some(next) = t.get(cue.end) else {
        return true;
    };
    matches!(next.shape, features::SH_NUM | features::SH_FINAL)
        || is(
            cue.end,
            &[
                "in",
                "for",
                "by",
                "from",
                "sharply",
                "slightly",
                "steadily",
                "significantly",
                "dramatically",
                "further",
                "steeply",
                "over",
                "since",
                "during",
            ],
        )
}

/// A source head inside the name an appositive participle gives (`the report, called [As
/// Time Goes By], adds`): the head becomes the named noun before the comma.
fn named_head(df: &DocFeatures, s: &Range<usize>, cue: &Range<usize>, j: usize) -> usize {
    let k = grow_source(df, s, cue, j).start;
    // The participle right before the name, or one word before it (`called [As] Time ...`,
    // where `As` stays out of the grown name).
    (k.saturating_sub(2)..k)
        .rev()
        .find(|&m| m >= s.start + 2 && names_it(df, &(m..m + 1)))
        .map(|m| m - 2)
        .filter(|&h| features::is_wordish(df.toks[h].shape) && !cue.contains(&h))
        .unwrap_or(j)
}

/// A participle between commas that names what comes before it (`the report, called As Time
/// Goes By, adds`, `the program, called EB-5, allows`): no cue. A speaker's verb after an
/// appositive (`Minyon Moore, a senior adviser, called Mr. Obama's remarks "a true wake-up
/// call"`) has no comma right after a short name.
pub(crate) fn names_it(df: &DocFeatures, cue: &Range<usize>) -> bool {
    let t = &df.toks;
    cue.len() == 1
        && cue.start > 0
        && cue.end < t.len()
        && t[cue.start - 1].shape == features::SH_COMMA
        && ["called", "named", "dubbed", "titled", "entitled"]
            .iter()
            .any(|w| caveat_text::hash::fnv_word_hash(w) == t[cue.start].word)
        && matches!(
            t[cue.end].shape,
            features::SH_CAP | features::SH_UPPER | features::SH_OPENQ | features::SH_QUOTE
        )
        && t[cue.end + 1..t.len().min(cue.end + 7)]
            .iter()
            .any(|x| x.shape == features::SH_COMMA)
}

/// `a web tool called EdgeScape that ...`, `The practice is called "podcasting"`, `an e-store
/// called Mmaicco to sell ...`: `called` that gives a name (a capitalised or quoted one, with
/// no second object after it) to a thing before it, or in the passive, names and reports
/// nothing. A speaker's `called` (`Trump called Clinton "a liar"`, `the president called
/// Clinton a liar`) has a second object after the name, or a name or pronoun before it.
pub(crate) fn called_names(df: &DocFeatures, cue: &Range<usize>) -> bool {
    let t = &df.toks;
    let called = caveat_text::hash::fnv_word_hash("called");
    let Some(last) = cue.end.checked_sub(1) else {
        return false;
    };
    if cue.start == 0 || cue.end >= t.len() || t[last].word != called {
        return false;
    }
    // `is called`, `was also called`; `has called` is a speaker's.
    let be =
        ["is", "are", "was", "were", "be", "been", "being"].map(caveat_text::hash::fnv_word_hash);
    let mut passive = false;
    for x in &t[cue.start..last] {
        match x.class {
            words::C_AUX if be.contains(&x.word) => passive = true,
            words::C_ADV => {}
            _ => return false,
        }
    }
    // (After a comma it may be a speaker's verb after an appositive: [`names_it`].)
    let before = &t[cue.start - 1];
    let thing_before = before.shape == features::SH_LOWER && before.class == 0;
    if !(passive || thing_before) {
        return false;
    }
    // The name: a quotation, or capitalised words (`of`, `and`, `&` may join them).
    let mut j = cue.end;
    match t[j].shape {
        features::SH_OPENQ | features::SH_QUOTE => {
            j += 1;
            while j < t.len() && !matches!(t[j].shape, features::SH_CLOSEQ | features::SH_QUOTE) {
                j += 1;
            }
            j += 1;
        }
        features::SH_CAP | features::SH_UPPER => {
            while j < t.len()
                && (matches!(t[j].shape, features::SH_CAP | features::SH_UPPER)
                    || ["of", "and", "&"]
                        .iter()
                        .any(|w| caveat_text::hash::fnv_word_hash(w) == t[j].word))
            {
                j += 1;
            }
        }
        _ => return false,
    }
    // A second object (`a liar`, `"unhinged"`), a name that goes on as a noun phrase
    // (`called Democratic bigwigs to the stage`), an agent (`was called "a pirate" by the
    // judge`) or a place the named are called to makes it a speaker's verb.
    let (by, to) = (
        caveat_text::hash::fnv_word_hash("by"),
        caveat_text::hash::fnv_word_hash("to"),
    );
    let det = |k: usize| {
        t.get(k)
            .is_some_and(|x| matches!(x.class, words::C_DET | words::C_POSS | words::C_QUANT))
    };
    !(det(j)
        || t.get(j).is_some_and(|x| {
            matches!(x.shape, features::SH_OPENQ | features::SH_QUOTE)
                || (x.shape == features::SH_LOWER && x.class == 0)
                || x.word == by
                || (x.word == to && det(j + 1))
        }))
}

/// `the show`, `their current shows`, `held talks`, `a radio show`, `a bomb blast`, `for
/// blasts and gun attacks`: the noun, not the verb of `a poll shows that ...`, `she talks
/// about` or `Robinson blasts officials`.
pub(crate) fn shows_noun(df: &DocFeatures, cue: &Range<usize>) -> bool {
    let t = &df.toks;
    let is = |k: usize, words: &[&str]| {
        words
            .iter()
            .any(|w| caveat_text::hash::fnv_word_hash(w) == t[k].word)
    };
    let blast = cue.len() == 1 && is(cue.start, &["blast", "blasts"]);
    cue.len() == 1
        && cue.start > 0
        && (blast || is(cue.start, &["show", "shows", "talks"]))
        && (matches!(
            t[cue.start - 1].class,
            words::C_DET | words::C_POSS | words::C_QUANT
        ) || (blast && t[cue.start - 1].class == words::C_PREP)
            || is(
                cue.start - 1,
                &[
                    "held",
                    "hold",
                    "holds",
                    "holding",
                    "peace",
                    "trade",
                    "further",
                    "direct",
                    "radio",
                    "tv",
                    "television",
                    "chat",
                    "talk",
                    "game",
                    "reality",
                    "comedy",
                    "quiz",
                    "road",
                    "fashion",
                    "motor",
                    "pirate",
                    "breakfast",
                    "cookery",
                    "awards",
                    "bomb",
                    "suicide",
                    "twin",
                    "huge",
                    "massive",
                    "powerful",
                    "large",
                    "roadside",
                    "absolute",
                    "latest",
                ],
            ))
}
