//! Grouping a document's entity mentions into clusters, and each cluster's canonical name
//! and label.
//!
//! Mentions are taken in text order; each joins the one earlier cluster it is compatible
//! with, or starts a new one. Two names are compatible when (in this order):
//!
//! 0. an acronym in parentheses right after a name is that name's ("the Federal Office for
//!    the Environment (FOEN)");
//! 1. they fold to the same key ([`names::fold`]: "Mr Trump" = "Trump");
//! 2. one is an acronym of the other ([`names::abbreviates`]: "NIS" ↔ "National
//!    Intelligence Service");
//! 3. a one-word name is the last word of a multi-word person's name ("Trump" ↔ "Donald
//!    Trump") or organisation's ("Commission" ↔ "European Commission"), or two person names
//!    share their first and last words ("Donald J. Trump"); failing that, a one-word name is
//!    the first word of one person's name ("Park" ↔ "Park Ji-hoon");
//! 4. a multi-word organisation, place or other name is a prefix of a longer one with the
//!    same label ("National Intelligence Service" ↔ "National Intelligence Service of South
//!    Korea"), or a name is another without its organisation suffix ("Amnesty" ↔ "Amnesty
//!    International", "Acme" ↔ "Acme Corp").
//!
//! Acronyms only stand for organisations, places and other names, never for people; a place
//! never joins a person by surname (Washington, Jordan, Holland are both).
//!
//! A mention compatible with two or more clusters is ambiguous ("Biden" after "Joe Biden"
//! and "Hunter Biden") and starts its own cluster: a wrong merge costs a reader more than a
//! missed one.

use std::collections::HashMap;

use caveat_core::{Cluster, Document};
use caveat_text::names;

/// What the clustering keeps of one mention.
#[derive(Debug, Clone)]
pub(crate) struct Mention {
    /// Index in the entity layer.
    pub entity: usize,
    /// The folded key ([`names::fold`]).
    pub key: String,
    /// The folded words (the key split on spaces).
    pub words: Vec<String>,
    /// The name as a reader should see it: the core words of the mention's text (no leading
    /// "the", title or possessive), joined by single spaces.
    pub display: String,
    /// Whether the mention is an acronym ("NIS").
    pub acronym: bool,
    /// The entity's label.
    pub label: String,
    /// The entity's score.
    pub score: f32,
    /// The entity's tokens.
    pub tokens: std::ops::Range<usize>,
}

impl Mention {
    pub(crate) fn new(doc: &Document, entity: usize) -> Mention {
        let e = &doc.entities[entity];
        let text = e.span.slice(&doc.text);
        let core = names::core_words(text);
        let key = names::fold(text);
        Mention {
            entity,
            words: key.split(' ').map(str::to_owned).collect(),
            acronym: core.len() == 1 && names::is_acronym(core[0]),
            display: core.join(" "),
            key,
            label: e.label.clone(),
            score: e.score,
            tokens: e.tokens.clone(),
        }
    }
}

/// A cluster while it is being built.
#[derive(Debug, Default)]
pub(crate) struct Building {
    /// Positions in the mention list, in text order.
    pub mentions: Vec<usize>,
}

/// The clusters of `doc`'s entities: each entity's cluster index (one per entity) and the
/// clusters, ordered by their first mention.
pub(crate) fn cluster(doc: &Document) -> (Vec<Cluster>, Vec<usize>) {
    let mut order: Vec<usize> = (0..doc.entities.len()).collect();
    order.sort_by_key(|&i| (doc.entities[i].span.start, doc.entities[i].span.end));
    let mentions: Vec<Mention> = order.iter().map(|&i| Mention::new(doc, i)).collect();

    let mut clusters: Vec<Building> = Vec::new();
    let mut by_key: HashMap<&str, usize> = HashMap::new();
    let mut cluster_of: Vec<usize> = Vec::with_capacity(mentions.len());
    for (m, mention) in mentions.iter().enumerate() {
        let target = if mention.key.is_empty() {
            None
        } else if let Some(c) = defined_acronym(doc, &mentions, m) {
            Some(cluster_of[c])
        } else if let Some(&c) = by_key.get(mention.key.as_str()) {
            Some(c)
        } else {
            let candidates = |ok: &dyn Fn(&Building) -> bool| {
                unique(
                    clusters
                        .iter()
                        .enumerate()
                        .filter(|(_, c)| ok(c))
                        .map(|(i, _)| i),
                )
            };
            candidates(&|c| compatible(mention, c, &mentions))
                .or_else(|| candidates(&|c| given_name(mention, c, &mentions)))
        };
        let c = target.unwrap_or_else(|| {
            clusters.push(Building::default());
            clusters.len() - 1
        });
        clusters[c].mentions.push(m);
        cluster_of.push(c);
        if !mention.key.is_empty() {
            by_key.entry(mention.key.as_str()).or_insert(c);
        }
    }

    let mut of_entity = vec![0; doc.entities.len()];
    let out = clusters
        .iter()
        .enumerate()
        .map(|(ci, b)| {
            let ms: Vec<&Mention> = b.mentions.iter().map(|&m| &mentions[m]).collect();
            for m in &ms {
                of_entity[m.entity] = ci;
            }
            Cluster {
                name: canonical_name(&ms),
                label: majority_label(&ms),
                mentions: ms.iter().map(|m| m.entity).collect(),
            }
        })
        .collect();
    (out, of_entity)
}

/// The mention an acronym in parentheses right after it defines: "the Federal Office for the
/// Environment (FOEN)", whatever the letters.
fn defined_acronym(doc: &Document, mentions: &[Mention], m: usize) -> Option<usize> {
    let me = &mentions[m];
    let prev = &mentions[m.checked_sub(1)?];
    let open = me.tokens.start.checked_sub(1)?;
    (me.acronym
        && prev.label != "PER"
        && !prev.acronym
        && prev.tokens.end == open
        && doc.token_text(open) == "("
        && doc
            .tokens
            .get(me.tokens.end)
            .is_some_and(|t| t.span.slice(&doc.text) == ")"))
    .then_some(m - 1)
}

/// A one-word name that is the first word of a person's full name ("Park" ↔ "Park Ji-hoon",
/// where the family name comes first): tried only when no rule of [`compatible`] matched.
fn given_name(m: &Mention, c: &Building, all: &[Mention]) -> bool {
    m.words.len() == 1
        && !m.acronym
        && m.label != "LOC"
        && c.mentions
            .iter()
            .map(|&i| &all[i])
            .any(|x| x.words.len() > 1 && x.label == "PER" && x.words.first() == m.words.first())
}

/// The only item of `it`, or `None` if there are none or several.
pub(crate) fn unique(mut it: impl Iterator<Item = usize>) -> Option<usize> {
    let first = it.next()?;
    it.all(|x| x == first).then_some(first)
}

/// Whether `m` may join cluster `c` (rules 2–4 of the module docs; rule 1 is a key lookup).
fn compatible(m: &Mention, c: &Building, all: &[Mention]) -> bool {
    let members = || c.mentions.iter().map(|&i| &all[i]);
    if m.acronym {
        // "NIS" after "National Intelligence Service" (people's initials are not names here).
        return members()
            .any(|x| !x.acronym && x.label != "PER" && names::abbreviates(&m.display, &x.display));
    }
    if m.label != "PER"
        && members().any(|x| x.acronym && names::abbreviates(&x.display, &m.display))
    {
        // "National Intelligence Service" after "NIS".
        return true;
    }
    // Place names are often surnames too (Washington, Jordan, Holland): a place never joins
    // a person by surname, and a person never joins a cluster that has a place in it.
    let has_place = members().any(|x| x.label == "LOC");
    if members().any(|x| {
        x.label == m.label && (short_org(&m.words, &x.words) || short_org(&x.words, &m.words))
    }) {
        // "Amnesty" and "Amnesty International".
        return true;
    }
    if m.words.len() == 1 {
        // A surname after the full name: the tagger may have called it ORG or MISC. An
        // organisation's head noun after its full name: "the Commission" ↔ "European
        // Commission".
        return m.label != "LOC"
            && members().any(|x| {
                x.words.len() > 1
                    && (x.label == "PER" || (x.label == "ORG" && m.label == "ORG"))
                    && x.words.last() == m.words.last()
            });
    }
    if m.label == "PER" {
        // The full name after the surname alone, or with a middle initial.
        let all_single = members().all(|x| x.words.len() == 1);
        return !has_place
            && ((all_single && members().any(|x| x.words.last() == m.words.last()))
                || members().any(|x| {
                    x.label == "PER"
                        && x.words.len() > 1
                        && x.words.first() == m.words.first()
                        && x.words.last() == m.words.last()
                }));
    }
    members().any(|x| {
        x.label == m.label
            && x.words.len() > 1
            && (x.words.starts_with(&m.words) || m.words.starts_with(&x.words))
    })
}

/// Words that end an organisation's full name and are left out of its short name
/// ("Amnesty International" → "Amnesty", "Acme Corp." → "Acme").
const ORG_SUFFIXES: &[&str] = &[
    "international",
    "inc",
    "corp",
    "corporation",
    "co",
    "company",
    "ltd",
    "limited",
    "plc",
    "llc",
    "group",
    "holdings",
    "ag",
    "sa",
    "party",
];

/// Whether `long` is `short` followed by organisation suffixes only.
fn short_org(short: &[String], long: &[String]) -> bool {
    long.len() > short.len()
        && long.starts_with(short)
        && long[short.len()..]
            .iter()
            .all(|w| ORG_SUFFIXES.contains(&w.as_str()))
}

/// The longest proper (non-acronym) name, by number of words; ties go to the more frequent,
/// then the earlier. A cluster of acronyms only is named by its acronym.
fn canonical_name(ms: &[&Mention]) -> String {
    let count = |d: &str| ms.iter().filter(|m| m.display == d).count();
    let mut best: Option<&Mention> = None;
    for &m in ms {
        let better = match best {
            None => true,
            Some(b) => {
                (!m.acronym, m.words.len(), count(&m.display))
                    > (!b.acronym, b.words.len(), count(&b.display))
            }
        };
        if better && !m.display.is_empty() {
            best = Some(m);
        }
    }
    best.map_or_else(String::new, |m| m.display.clone())
}

/// The label with the largest total score (every mention counts at least 0.01); ties go to
/// the label seen first.
fn majority_label(ms: &[&Mention]) -> String {
    let mut totals: Vec<(&str, f32)> = Vec::new();
    for m in ms {
        let w = m.score.max(0.01);
        match totals.iter_mut().find(|(l, _)| *l == m.label) {
            Some((_, t)) => *t += w,
            None => totals.push((&m.label, w)),
        }
    }
    let mut best: Option<(&str, f32)> = None;
    for (l, t) in totals {
        match best {
            Some((_, bt)) if t <= bt => {}
            _ => best = Some((l, t)),
        }
    }
    best.map_or_else(String::new, |(l, _)| l.to_owned())
}
