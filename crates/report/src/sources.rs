//! Who said it, once: the sources of attributions grouped by canonical name across a corpus.
//!
//! `caveat stats` (the "Most-cited sources" ranking) and the HTML report (the overview and the
//! claims-by-source view) both group sources here, so that they always agree.
//!
//! **One attribution's name** ([`source_name`]): the name of the cluster its source was
//! resolved to (`source_cluster`, set by a `coref` stage: "he" → "Evgeny Mikhaylov"), else the
//! linked entity's cluster or text when the entity names the source ("the NIS" → "NIS",
//! "Environment Minister Marina Silva" → "Marina Silva", not "a judge in New York" → "New
//! York"), else the source text. Whitespace, quotes, "the" and a possessive are dropped, and
//! the name is folded with [`caveat_text::names::fold`] (case, titles, periods: "Mr Trump",
//! "President Trump" and "TRUMP" all fold to `trump`). Sources that are only a pronoun or a
//! determiner ("he", "they", "the") and were not resolved to a cluster name nobody: they are
//! counted, never ranked.
//!
//! **Joins across the corpus** ([`SourceIndex::finish`]), once every record has been read:
//!
//! - an *acronym* joins its expansion when some article defines it — a cluster whose
//!   mentions include the acronym and whose name (or another mention) it abbreviates
//!   ([`caveat_text::names::abbreviates`]), or, in output written without clusters, an entity
//!   followed by the acronym in parentheses ("National Intelligence Service (NIS)") — and
//!   every definition in the corpus gives the same expansion (otherwise nothing is joined);
//! - a *one-word* name (a surname: `trump`) labelled `PER` in at least half of its claims, or
//!   never labelled, joins the multi-word `PER` name ending in that word (`donald trump`) when
//!   that name is the only one, or has at least [`SURNAME_DOMINANCE`] of the claims of all
//!   such names; otherwise ("Smith": John Smith and Jane Smith) it stays a row of its own;
//! - a name with middle initials (`donald j trump`) joins the same name without them when
//!   that is cited too.
//!
//! A group's display name is its most frequent multi-word name (titles dropped), else its most
//! frequent name; its label is the majority label of its claims.

use std::collections::HashMap;

use caveat_output::{Attribution, Entity, Part, Record};
use caveat_text::names;

use crate::text::{normalize_name, TextIndex};

/// Share of the claims of all multi-word `PER` names ending in a surname that one of them
/// needs for the surname to join it.
pub const SURNAME_DOMINANCE: f64 = 0.8;

/// How one attribution's source is named (see the module docs).
#[derive(Clone, Debug, PartialEq)]
pub(crate) enum SourceOf {
    /// No source, or nothing left of it.
    Missing,
    /// A pronoun, determiner or quantifier not resolved to a cluster ("he", "the", "some").
    Pronoun,
    /// A name.
    Named(SourceName),
}

/// A named source of one attribution.
#[derive(Clone, Debug, PartialEq)]
pub(crate) struct SourceName {
    /// The folded name ([`names::fold`]): what sources are grouped by before the joins.
    pub(crate) key: String,
    /// The name as written, whitespace collapsed, titles, "the" and possessive dropped.
    pub(crate) display: String,
    /// The label of the cluster or linked entity, when there is one.
    pub(crate) label: Option<String>,
}

impl SourceOf {
    /// The display name, when named.
    pub(crate) fn display(&self) -> Option<&str> {
        match self {
            SourceOf::Named(n) => Some(&n.display),
            _ => None,
        }
    }
}

/// The name of attribution `a` of record `r` (see the module docs).
pub(crate) fn source_name(r: &Record, index: &TextIndex<'_>, a: &Attribution) -> SourceOf {
    let Some(source) = a.source.as_ref() else {
        return SourceOf::Missing;
    };
    let linked = a
        .source_entity
        .and_then(|i| r.entities.get(i))
        .filter(|e| names_source(index, source, e));
    let cluster = a
        .source_cluster
        .or_else(|| linked.and_then(|e| e.cluster))
        .and_then(|c| r.clusters.get(c))
        .filter(|c| !c.name.trim().is_empty());
    let (name, label) = match (cluster, linked) {
        (Some(c), _) => (c.name.as_str(), Some(c.label.as_str())),
        (None, Some(e)) => (index.slice(e.start, e.end), Some(e.label.as_str())),
        (None, None) => (index.slice(source.start, source.end), None),
    };
    let (lower, display) = normalize_name(name);
    if lower.is_empty() {
        return SourceOf::Missing;
    }
    if cluster.is_none() && is_pronoun(&lower) && !names::is_acronym(&display) {
        return SourceOf::Pronoun;
    }
    let core = names::core_words(&display).join(" ");
    let display = if core.is_empty() { display } else { core };
    let mut key = names::fold(&display);
    if key.is_empty() {
        key = lower;
    }
    SourceOf::Named(SourceName {
        key,
        display,
        label: label.filter(|l| !l.is_empty()).map(str::to_string),
    })
}

/// Whether the linked entity names the source: it lies inside the source, nothing but
/// punctuation or a possessive follows it there, and what precedes it is only a determiner or
/// a title without a preposition ("the NIS", "Environment Minister Marina Silva", but not
/// "a federal judge in New York" or "South Korea's spy agency").
fn names_source(index: &TextIndex<'_>, source: &Part, e: &Entity) -> bool {
    if e.start < source.start || e.end > source.end || e.start >= e.end {
        return false;
    }
    let after = index.slice(e.end, source.end);
    let after = after
        .strip_prefix("'s")
        .or_else(|| after.strip_prefix("\u{2019}s"))
        .unwrap_or(after);
    if after.chars().any(char::is_alphanumeric) {
        return false;
    }
    const PREPOSITIONS: &[&str] = &[
        "in", "at", "of", "for", "from", "with", "by", "on", "to", "near", "close", "about",
    ];
    !index
        .slice(source.start, e.start)
        .split(|c: char| !c.is_alphanumeric())
        .any(|w| PREPOSITIONS.contains(&w))
}

/// Pronouns, relative pronouns, bare determiners and quantifiers: sources that name nobody.
fn is_pronoun(key: &str) -> bool {
    matches!(
        key,
        "he" | "she"
            | "it"
            | "they"
            | "we"
            | "i"
            | "you"
            | "him"
            | "her"
            | "them"
            | "us"
            | "me"
            | "who"
            | "whom"
            | "which"
            | "that"
            | "this"
            | "these"
            | "those"
            | "one"
            | "the"
            | "a"
            | "an"
            | "his"
            | "its"
            | "their"
            | "our"
            | "my"
            | "your"
            | "there"
            | "what"
    )
}

/// Acronyms defined in one record: `(acronym key, expansion key, expansion display)`.
///
/// A cluster with a multi-word name defines each of its mentions that is an acronym
/// abbreviating the name or another of its mentions ("NIS" in the cluster "National
/// Intelligence Service of South Korea" with the mention "National Intelligence Service").
/// Without clusters, an entity followed by `(ACRONYM)` defines it.
pub(crate) fn acronym_definitions(r: &Record) -> Vec<(String, String, String)> {
    let mut out = Vec::new();
    let entity_name = |e: &Entity| normalize_name(&e.text).1;
    for c in &r.clusters {
        let core = names::core_words(&c.name);
        if core.len() < 2 {
            continue;
        }
        let mentions: Vec<String> = c
            .mentions
            .iter()
            .filter_map(|&m| r.entities.get(m))
            .map(entity_name)
            .collect();
        for acronym in mentions.iter().filter(|m| names::is_acronym(m)) {
            let defined = std::iter::once(c.name.as_str())
                .chain(mentions.iter().map(String::as_str))
                .any(|name| expands(acronym, name));
            if defined {
                out.push((names::fold(acronym), names::fold(&c.name), core.join(" ")));
            }
        }
    }
    if r.clusters.is_empty() {
        let index = TextIndex::new(&r.text);
        for e in &r.entities {
            let name = entity_name(e);
            if names::core_words(&name).len() < 2 {
                continue;
            }
            // " (NIS)" right after the entity.
            let rest = index.slice(e.end, e.end + 14);
            let Some(inner) = rest
                .trim_start_matches([' ', '\u{a0}'])
                .strip_prefix('(')
                .and_then(|t| t.split_once(')'))
                .map(|(inner, _)| inner.trim())
            else {
                continue;
            };
            if names::abbreviates(inner, &name) {
                let display = names::core_words(&name).join(" ");
                out.push((names::fold(inner), names::fold(&name), display));
            }
        }
    }
    out
}

/// Whether `acronym` abbreviates `name` or the part of it before "of", "in" or "for"
/// ("NIS" ← "National Intelligence Service of South Korea").
fn expands(acronym: &str, name: &str) -> bool {
    if names::abbreviates(acronym, name) {
        return true;
    }
    let words: Vec<&str> = name.split_whitespace().collect();
    words
        .iter()
        .position(|w| matches!(*w, "of" | "in" | "for"))
        .is_some_and(|i| i >= 2 && names::abbreviates(acronym, &words[..i].join(" ")))
}

/// What is known of one folded name while the corpus is read.
#[derive(Default)]
struct KeyAgg {
    /// Display forms and how many claims each.
    displays: HashMap<String, u64>,
    /// Labels and how many claims each.
    labels: HashMap<String, u64>,
    /// Claim kinds (`statement`, `belief`, `perception`) and how many each.
    kinds: HashMap<String, u64>,
    claims: u64,
    hedged: u64,
    vague: u64,
    /// Indices of the documents citing it, ascending, without repeats.
    docs: Vec<u32>,
}

/// The expansions of one acronym in a corpus: expansion key → (definitions, display).
type Expansions = HashMap<String, (u64, String)>;

/// One claim of a source, as [`SourceIndex::add`] takes it.
pub(crate) struct Claim<'a> {
    /// The source's name.
    pub(crate) name: &'a SourceName,
    /// The claim is hedged (see `RecordFacts`).
    pub(crate) hedged: bool,
    /// The source is vague.
    pub(crate) vague: bool,
    /// The attribution's kind (may be empty).
    pub(crate) kind: &'a str,
}

/// Collects the named sources of a corpus, one record at a time, then groups them
/// ([`SourceIndex::finish`]). Memory grows with the distinct names and the (name, document)
/// pairs.
#[derive(Default)]
pub(crate) struct SourceIndex {
    ids: HashMap<String, u32>,
    keys: Vec<String>,
    aggs: Vec<KeyAgg>,
    /// Acronym key → its expansions.
    acronyms: HashMap<String, Expansions>,
}

/// A group of names that are one source.
#[derive(Clone, Debug, Default, PartialEq)]
pub(crate) struct SourceGroup {
    /// The folded name the others joined.
    pub(crate) key: String,
    /// Display name.
    pub(crate) name: String,
    /// Majority label.
    pub(crate) label: Option<String>,
    /// Its names and how many claims each, most frequent first.
    pub(crate) aliases: Vec<(String, u64)>,
    /// Claim kinds and how many each, most frequent first.
    pub(crate) kinds: Vec<(String, u64)>,
    pub(crate) claims: u64,
    pub(crate) hedged: u64,
    pub(crate) vague: u64,
    pub(crate) documents: u64,
}

/// The sources of a corpus, grouped.
#[derive(Clone, Debug, Default)]
pub(crate) struct Grouping {
    /// The groups, most claims first.
    pub(crate) groups: Vec<SourceGroup>,
    /// For every key id [`SourceIndex::add`] returned, the index of its group in `groups`.
    pub(crate) group_of: Vec<u32>,
}

impl SourceIndex {
    /// Add the named sources of document number `doc`; returns the key id of each claim.
    pub(crate) fn add<'a>(
        &mut self,
        doc: u32,
        claims: impl IntoIterator<Item = Claim<'a>>,
    ) -> Vec<u32> {
        claims
            .into_iter()
            .map(|c| {
                let id = match self.ids.get(&c.name.key) {
                    Some(&id) => id,
                    None => {
                        let id = self.keys.len() as u32;
                        self.ids.insert(c.name.key.clone(), id);
                        self.keys.push(c.name.key.clone());
                        self.aggs.push(KeyAgg::default());
                        id
                    }
                };
                let agg = &mut self.aggs[id as usize];
                *agg.displays.entry(c.name.display.clone()).or_default() += 1;
                if let Some(l) = &c.name.label {
                    *agg.labels.entry(l.clone()).or_default() += 1;
                }
                if !c.kind.is_empty() {
                    *agg.kinds.entry(c.kind.to_string()).or_default() += 1;
                }
                agg.claims += 1;
                agg.hedged += u64::from(c.hedged);
                agg.vague += u64::from(c.vague);
                if agg.docs.last() != Some(&doc) {
                    agg.docs.push(doc);
                }
                id
            })
            .collect()
    }

    /// Note the acronyms record `r` defines (see [`acronym_definitions`]).
    pub(crate) fn add_definitions(&mut self, r: &Record) {
        for (acronym, expansion, display) in acronym_definitions(r) {
            if acronym.is_empty() || expansion.is_empty() || acronym == expansion {
                continue;
            }
            let e = self
                .acronyms
                .entry(acronym)
                .or_default()
                .entry(expansion)
                .or_insert((0, display));
            e.0 += 1;
        }
    }

    /// Join the names (see the module docs) and group them.
    pub(crate) fn finish(self) -> Grouping {
        let n = self.keys.len();
        let label_of: Vec<Option<&str>> = self.aggs.iter().map(|a| majority(&a.labels)).collect();
        let mut parent: Vec<u32> = (0..n as u32).collect();
        // Expansions of acronyms that are not cited themselves: their display names.
        let mut extra_display: HashMap<u32, (String, String)> = HashMap::new();
        let mut acronyms: Vec<(&String, &Expansions)> = self.acronyms.iter().collect();
        acronyms.sort_by(|a, b| a.0.cmp(b.0));
        for (acronym, expansions) in acronyms {
            let (Some(&a), 1) = (self.ids.get(acronym), expansions.len()) else {
                continue;
            };
            let Some((expansion, (_, display))) = expansions.iter().next() else {
                continue;
            };
            match self.ids.get(expansion) {
                Some(&e) => parent[a as usize] = e,
                None => {
                    extra_display.insert(a, (expansion.clone(), display.clone()));
                }
            }
        }
        // Middle initials: "donald j trump" joins "donald trump" when that is a name too.
        for (id, key) in self.keys.iter().enumerate() {
            let words: Vec<&str> = key.split(' ').collect();
            if parent[id] != id as u32 || words.len() < 3 {
                continue;
            }
            let last = words.len() - 1;
            let kept: Vec<&str> = words
                .iter()
                .enumerate()
                .filter(|&(i, w)| i == 0 || i == last || w.chars().count() > 1)
                .map(|(_, w)| *w)
                .collect();
            if kept.len() < words.len() {
                if let Some(&to) = self.ids.get(&kept.join(" ")) {
                    parent[id] = to;
                }
            }
        }
        let root = |parent: &[u32], mut k: u32| {
            for _ in 0..8 {
                let p = parent[k as usize];
                if p == k {
                    break;
                }
                k = p;
            }
            k
        };
        // Surnames: the multi-word PER names (after the joins above) by their last word, with
        // the claims of everything joined to them.
        let mut claims_of = vec![0u64; n];
        for id in 0..n as u32 {
            claims_of[root(&parent, id) as usize] += self.aggs[id as usize].claims;
        }
        let mut by_last: HashMap<&str, Vec<u32>> = HashMap::new();
        for (id, key) in self.keys.iter().enumerate() {
            if parent[id] == id as u32 && label_of[id] == Some("PER") {
                if let Some((_, last)) = key.rsplit_once(' ') {
                    by_last.entry(last).or_default().push(id as u32);
                }
            }
        }
        for (id, key) in self.keys.iter().enumerate() {
            // Unlabelled, or a person in at least half of its claims ("Trump" now and then
            // tagged ORG is still him; "Washington" the place is not a surname).
            let labels = &self.aggs[id].labels;
            let per = labels.get("PER").copied().unwrap_or(0);
            let person = 2 * per >= labels.values().sum::<u64>();
            if parent[id] != id as u32
                || key.contains(' ')
                || self.acronyms.contains_key(key)
                || !person
            {
                continue;
            }
            let Some(candidates) = by_last.get(key.as_str()) else {
                continue;
            };
            let claims = |c: &u32| claims_of[*c as usize];
            let total: u64 = candidates.iter().map(claims).sum();
            let best = candidates
                .iter()
                .max_by(|a, b| {
                    claims(a)
                        .cmp(&claims(b))
                        .then_with(|| self.keys[**b as usize].cmp(&self.keys[**a as usize]))
                })
                .copied();
            if let Some(best) = best {
                if candidates.len() == 1 || claims(&best) as f64 >= SURNAME_DOMINANCE * total as f64
                {
                    parent[id] = best;
                }
            }
        }
        let root = |k: u32| root(&parent, k);

        // Merge into groups.
        #[derive(Default)]
        struct Acc {
            displays: HashMap<String, u64>,
            labels: HashMap<String, u64>,
            kinds: HashMap<String, u64>,
            claims: u64,
            hedged: u64,
            vague: u64,
            docs: Vec<u32>,
            extra: Option<String>,
            key: String,
        }
        let mut slot_of_root: HashMap<u32, usize> = HashMap::new();
        let mut accs: Vec<Acc> = Vec::new();
        let mut slot = vec![0usize; n];
        for id in 0..n as u32 {
            let r = root(id);
            let s = *slot_of_root.entry(r).or_insert_with(|| {
                accs.push(Acc {
                    key: self.keys[r as usize].clone(),
                    ..Acc::default()
                });
                accs.len() - 1
            });
            slot[id as usize] = s;
        }
        for (id, agg) in self.aggs.into_iter().enumerate() {
            let acc = &mut accs[slot[id]];
            for (k, v) in agg.displays {
                *acc.displays.entry(k).or_default() += v;
            }
            for (k, v) in agg.labels {
                *acc.labels.entry(k).or_default() += v;
            }
            for (k, v) in agg.kinds {
                *acc.kinds.entry(k).or_default() += v;
            }
            acc.claims += agg.claims;
            acc.hedged += agg.hedged;
            acc.vague += agg.vague;
            acc.docs = if acc.docs.is_empty() {
                agg.docs
            } else {
                merge_sorted(&acc.docs, &agg.docs)
            };
            if let Some((key, display)) = extra_display.remove(&(id as u32)) {
                acc.extra = Some(display);
                acc.key = key;
            }
        }
        let mut groups: Vec<(SourceGroup, usize)> = accs
            .into_iter()
            .enumerate()
            .map(|(s, acc)| {
                let label = majority(&acc.labels).map(str::to_string);
                let name = display_name(&acc.displays, &acc.key, acc.extra.as_deref());
                (
                    SourceGroup {
                        key: acc.key,
                        name,
                        label,
                        aliases: sorted(acc.displays),
                        kinds: sorted(acc.kinds),
                        claims: acc.claims,
                        hedged: acc.hedged,
                        vague: acc.vague,
                        documents: acc.docs.len() as u64,
                    },
                    s,
                )
            })
            .collect();
        groups.sort_by(|(a, _), (b, _)| {
            b.claims
                .cmp(&a.claims)
                .then(b.hedged.cmp(&a.hedged))
                .then_with(|| a.name.cmp(&b.name))
                .then_with(|| a.key.cmp(&b.key))
        });
        let mut rank = vec![0u32; groups.len()];
        for (i, (_, s)) in groups.iter().enumerate() {
            rank[*s] = i as u32;
        }
        Grouping {
            group_of: slot.iter().map(|&s| rank[s]).collect(),
            groups: groups.into_iter().map(|(g, _)| g).collect(),
        }
    }
}

/// The most frequent key (ties: the smallest), if any.
fn majority(counts: &HashMap<String, u64>) -> Option<&str> {
    counts
        .iter()
        .max_by(|a, b| a.1.cmp(b.1).then_with(|| b.0.cmp(a.0)))
        .map(|(k, _)| k.as_str())
}

/// Counts, most frequent first (ties alphabetical).
fn sorted(counts: HashMap<String, u64>) -> Vec<(String, u64)> {
    let mut v: Vec<(String, u64)> = counts.into_iter().collect();
    v.sort_by(|a, b| b.1.cmp(&a.1).then_with(|| a.0.cmp(&b.0)));
    v
}

/// The display name of a group: the most frequent multi-word name, else the expansion of an
/// acronym cited only as the acronym, else the most frequent name. Ties go to the name that
/// folds to the group's `key`, then to the longer one.
fn display_name(displays: &HashMap<String, u64>, key: &str, expansion: Option<&str>) -> String {
    let multi = |s: &str| s.split_whitespace().nth(1).is_some();
    let best = |only_multi: bool| {
        displays
            .iter()
            .filter(|(k, _)| !only_multi || multi(k))
            .max_by(|a, b| {
                a.1.cmp(b.1)
                    .then((names::fold(a.0) == key).cmp(&(names::fold(b.0) == key)))
                    .then(a.0.chars().count().cmp(&b.0.chars().count()))
                    .then_with(|| b.0.cmp(a.0))
            })
            .map(|(k, _)| k.clone())
    };
    best(true)
        .or_else(|| expansion.map(str::to_string))
        .or_else(|| best(false))
        .unwrap_or_default()
}

/// Union of two ascending lists without repeats.
fn merge_sorted(a: &[u32], b: &[u32]) -> Vec<u32> {
    let mut out = Vec::with_capacity(a.len() + b.len());
    let (mut i, mut j) = (0, 0);
    while i < a.len() || j < b.len() {
        let x = match (a.get(i), b.get(j)) {
            (Some(&x), Some(&y)) if x <= y => {
                i += 1;
                if x == y {
                    j += 1;
                }
                x
            }
            (_, Some(&y)) => {
                j += 1;
                y
            }
            (Some(&x), None) => {
                i += 1;
                x
            }
            (None, None) => break,
        };
        out.push(x);
    }
    out
}

#[cfg(test)]
pub(crate) mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;
    use serde_json::{json, Value};

    /// Code-point span of the `n`-th (1-based) occurrence of `needle` in `text`.
    fn find(text: &str, needle: &str, n: usize) -> (usize, usize) {
        let b = text
            .match_indices(needle)
            .nth(n - 1)
            .unwrap_or_else(|| panic!("{needle} #{n} not in {text}"))
            .0;
        let s = text[..b].chars().count();
        (s, s + needle.chars().count())
    }

    /// `"needle"` or `"needle#n"` (the n-th occurrence).
    fn span(text: &str, spec: &str) -> Value {
        let (needle, n) = match spec.rsplit_once('#') {
            Some((s, n)) if n.chars().all(|c| c.is_ascii_digit()) => (s, n.parse().unwrap()),
            _ => (spec, 1),
        };
        let (s, e) = find(text, needle, n);
        json!({"start": s, "end": e, "text": needle})
    }

    /// An attribution of a hand-written record.
    pub(crate) struct Att<'a> {
        pub(crate) source: &'a str,
        pub(crate) entity: Option<usize>,
        pub(crate) cluster: Option<usize>,
        pub(crate) cue: &'a str,
        pub(crate) content: &'a str,
    }

    /// A record written by hand: entities `(spec, label)`, clusters `(name, label, mentions)`,
    /// attributions; every span found in the text, so that it slices it by construction.
    pub(crate) fn record(
        id: &str,
        text: &str,
        ents: &[(&str, &str)],
        clusters: &[(&str, &str, &[usize])],
        atts: &[Att<'_>],
    ) -> Record {
        let mut cluster_of = vec![Value::Null; ents.len()];
        for (c, (_, _, mentions)) in clusters.iter().enumerate() {
            for &m in *mentions {
                cluster_of[m] = json!(c);
            }
        }
        let entities: Vec<Value> = ents
            .iter()
            .zip(&cluster_of)
            .map(|((spec, label), cluster)| {
                let mut v = span(text, spec);
                v["label"] = json!(label);
                v["score"] = json!(0.9);
                v["cluster"] = cluster.clone();
                v
            })
            .collect();
        let attributions: Vec<Value> = atts
            .iter()
            .map(|a| {
                json!({
                    "source": span(text, a.source),
                    "cue": span(text, a.cue),
                    "content": span(text, a.content),
                    "source_entity": a.entity,
                    "source_cluster": a.cluster,
                    "vague": false, "kind": "statement", "quote": false, "cites": null,
                    "sentence": 0, "score": 0.9,
                })
            })
            .collect();
        let n = text.chars().count();
        let v = json!({
            "id": id, "text": text,
            "sentences": [{"start": 0, "end": n, "uncertain": false}],
            "entities": entities,
            "hedges": [],
            "attributions": attributions,
            "clusters": clusters.iter().map(|(name, label, mentions)| json!({"name": name, "label": label, "mentions": mentions})).collect::<Vec<_>>(),
            "meta": {"title": format!("Title {id}")},
        });
        let r = Record::from_json_line(&v.to_string(), 1, OffsetUnit::Chars).unwrap();
        for e in &r.entities {
            assert_eq!(
                r.text
                    .chars()
                    .skip(e.start)
                    .take(e.end - e.start)
                    .collect::<String>(),
                e.text
            );
        }
        r
    }

    /// A plain "X said it." attribution by the entity `e` (or no entity).
    pub(crate) fn said<'a>(source: &'a str, entity: Option<usize>) -> Att<'a> {
        Att {
            source,
            entity,
            cluster: None,
            cue: "said",
            content: "it",
        }
    }

    fn names_of(r: &Record) -> Vec<SourceOf> {
        let index = TextIndex::new(&r.text);
        r.attributions
            .iter()
            .map(|a| source_name(r, &index, a))
            .collect()
    }

    /// Group the records' sources.
    fn group(records: &[Record]) -> Grouping {
        let mut ix = SourceIndex::default();
        for (d, r) in records.iter().enumerate() {
            let names = names_of(r);
            let claims = names.iter().filter_map(|n| match n {
                SourceOf::Named(name) => Some(Claim {
                    name,
                    hedged: false,
                    vague: false,
                    kind: "statement",
                }),
                _ => None,
            });
            ix.add(d as u32, claims);
            ix.add_definitions(r);
        }
        ix.finish()
    }

    fn rows(g: &Grouping) -> Vec<(String, u64, u64)> {
        g.groups
            .iter()
            .map(|g| (g.name.clone(), g.claims, g.documents))
            .collect()
    }

    #[test]
    fn source_names_prefer_the_entity_only_when_it_names_the_source() {
        let text = "A judge in New York said it. Minister Ann Lee said it. Kenya's police said it.";
        let r = record(
            "a",
            text,
            &[("New York", "LOC"), ("Ann Lee", "PER"), ("Kenya", "LOC")],
            &[],
            &[
                Att {
                    source: "A judge in New York",
                    ..said("", Some(0))
                },
                Att {
                    source: "Minister Ann Lee",
                    cue: "said#2",
                    content: "it#2",
                    ..said("", Some(1))
                },
                Att {
                    source: "Kenya's police",
                    cue: "said#3",
                    content: "it#3",
                    ..said("", Some(2))
                },
            ],
        );
        let names = names_of(&r);
        let displays: Vec<&str> = names.iter().filter_map(SourceOf::display).collect();
        assert_eq!(
            displays,
            ["A judge in New York", "Ann Lee", "Kenya's police"]
        );
        // The label comes with the entity only when the entity names the source.
        let labels: Vec<Option<&str>> = names
            .iter()
            .map(|n| match n {
                SourceOf::Named(n) => n.label.as_deref(),
                _ => None,
            })
            .collect();
        assert_eq!(labels, [None, Some("PER"), None]);
    }

    #[test]
    fn a_resolved_pronoun_is_named_by_its_cluster_and_an_unresolved_one_by_nobody() {
        let text = "Military expert Evgeny Mikhaylov said it. He added that. They said so.";
        let r = record(
            "a",
            text,
            &[("Evgeny Mikhaylov", "PER")],
            &[("Evgeny Mikhaylov", "PER", &[0])],
            &[
                Att {
                    cluster: Some(0),
                    ..said("Military expert Evgeny Mikhaylov", Some(0))
                },
                Att {
                    source: "He",
                    cluster: Some(0),
                    cue: "added",
                    content: "that",
                    entity: None,
                },
                Att {
                    source: "They",
                    cluster: None,
                    cue: "said#2",
                    content: "so",
                    entity: None,
                },
            ],
        );
        let names = names_of(&r);
        let SourceOf::Named(first) = &names[0] else {
            panic!("{names:?}")
        };
        let SourceOf::Named(he) = &names[1] else {
            panic!("{names:?}")
        };
        assert_eq!(
            (first.key.as_str(), he.key.as_str()),
            ("evgeny mikhaylov", "evgeny mikhaylov")
        );
        assert_eq!(he.display, "Evgeny Mikhaylov");
        assert_eq!(he.label.as_deref(), Some("PER"));
        assert_eq!(names[2], SourceOf::Pronoun);
        // A cluster index out of range or a cluster without a name is ignored.
        let mut broken = r.clone();
        broken.attributions[1].source_cluster = Some(7);
        assert_eq!(names_of(&broken)[1], SourceOf::Pronoun);
    }

    #[test]
    fn titles_case_and_surnames_fold_into_one_row() {
        let records = vec![
            record(
                "1",
                "Donald Trump said it.",
                &[("Donald Trump", "PER")],
                &[],
                &[said("Donald Trump", Some(0))],
            ),
            record(
                "2",
                "Mr Trump said it.",
                &[("Trump", "PER")],
                &[],
                &[said("Mr Trump", Some(0))],
            ),
            record(
                "3",
                "President Trump said it.",
                &[("President Trump", "PER")],
                &[],
                &[said("President Trump", Some(0))],
            ),
            // The tagger took him for an organisation here; still him (PER by majority).
            record(
                "4",
                "TRUMP said it.",
                &[("TRUMP", "ORG")],
                &[],
                &[said("TRUMP", Some(0))],
            ),
            // An article with a cluster: its canonical name.
            record(
                "5",
                "Trump said it. Donald J. Trump added that.",
                &[("Trump", "PER"), ("Donald J. Trump", "PER")],
                &[("Donald J. Trump", "PER", &[0, 1])],
                &[Att {
                    cluster: Some(0),
                    ..said("Trump", Some(0))
                }],
            ),
        ];
        let g = group(&records);
        // "Donald J. Trump" joins "Donald Trump" (a middle initial), and the rest joins them.
        assert_eq!(rows(&g), [("Donald Trump".to_string(), 5, 5)]);
        assert_eq!(g.group_of.len(), 3, "donald trump, trump, donald j trump");
        assert!(g.group_of.iter().all(|&i| i == 0));

        // Without the cluster: one row for all four.
        let g = group(&records[..4]);
        assert_eq!(rows(&g), [("Donald Trump".to_string(), 4, 4)]);
        let row = &g.groups[0];
        assert_eq!(row.key, "donald trump");
        assert_eq!(row.label.as_deref(), Some("PER"));
        let aliases: Vec<&str> = row.aliases.iter().map(|(a, _)| a.as_str()).collect();
        assert!(
            aliases.contains(&"Trump") && aliases.contains(&"TRUMP"),
            "{aliases:?}"
        );
        assert_eq!(g.group_of.len(), 2, "two folded names: donald trump, trump");
    }

    #[test]
    fn a_surname_joins_a_full_name_only_when_it_dominates() {
        let smith = |id: &str, full: &str| {
            let text = format!("{full} said it.");
            record(id, &text, &[(full, "PER")], &[], &[said(full, Some(0))])
        };
        let mut records = vec![
            smith("1", "John Smith"),
            smith("2", "Jane Smith"),
            smith("3", "Smith"),
        ];
        let g = group(&records);
        assert_eq!(
            g.groups.len(),
            3,
            "John and Jane Smith: `Smith` stays alone"
        );
        // Nine John Smiths, one Jane: John has 90% of the claims.
        for i in 0..8 {
            records.push(smith(&format!("j{i}"), "John Smith"));
        }
        let g = group(&records);
        let john = g.groups.iter().find(|g| g.name == "John Smith").unwrap();
        assert_eq!((john.claims, john.documents), (10, 10));
        assert_eq!(g.groups.len(), 2);
        // A one-word place is not a surname.
        let records = vec![
            record(
                "1",
                "George Washington said it.",
                &[("George Washington", "PER")],
                &[],
                &[said("George Washington", Some(0))],
            ),
            record(
                "2",
                "Washington said it.",
                &[("Washington", "LOC")],
                &[],
                &[said("Washington", Some(0))],
            ),
        ];
        assert_eq!(group(&records).groups.len(), 2);
    }

    #[test]
    fn acronyms_join_the_expansion_an_article_defines() {
        let defined = record(
            "1",
            "The National Intelligence Service of South Korea (NIS) said it. The NIS added that.",
            &[
                ("National Intelligence Service of South Korea", "ORG"),
                ("NIS", "ORG"),
                ("NIS#2", "ORG"),
            ],
            &[(
                "National Intelligence Service of South Korea",
                "ORG",
                &[0, 1, 2],
            )],
            &[
                Att {
                    cluster: Some(0),
                    ..said(
                        "The National Intelligence Service of South Korea (NIS)",
                        Some(0),
                    )
                },
                Att {
                    source: "The NIS",
                    entity: Some(2),
                    cluster: Some(0),
                    cue: "added",
                    content: "that",
                },
            ],
        );
        // Another article, without clusters (written before they existed), cites "the NIS".
        let later = record(
            "2",
            "the NIS said it.",
            &[("NIS", "ORG")],
            &[],
            &[said("the NIS", Some(0))],
        );
        let g = group(&[defined.clone(), later.clone()]);
        assert_eq!(
            rows(&g),
            [(
                "National Intelligence Service of South Korea".to_string(),
                3,
                2
            )]
        );
        // Only the acronym is cited: the row still has the expansion's name.
        let g = group(&[
            record(
                "1",
                "The National Intelligence Service (NIS) is a spy agency.",
                &[("National Intelligence Service", "ORG"), ("NIS", "ORG")],
                &[("National Intelligence Service", "ORG", &[0, 1])],
                &[],
            ),
            later.clone(),
        ]);
        assert_eq!(
            rows(&g),
            [("National Intelligence Service".to_string(), 1, 1)]
        );
        // Two expansions in the corpus: ambiguous, not joined.
        let other = record(
            "3",
            "The National Insurance Scheme (NIS) said it.",
            &[("National Insurance Scheme", "ORG"), ("NIS", "ORG")],
            &[("National Insurance Scheme", "ORG", &[0, 1])],
            &[Att {
                cluster: Some(0),
                ..said("The National Insurance Scheme", Some(0))
            }],
        );
        let g = group(&[defined, later, other]);
        let names: Vec<&str> = g.groups.iter().map(|g| g.name.as_str()).collect();
        assert!(names.contains(&"NIS"), "{names:?}");
        assert_eq!(g.groups.len(), 3, "{names:?}");
    }

    #[test]
    fn without_clusters_a_parenthesised_acronym_defines_it() {
        let records = vec![
            record(
                "1",
                "The World Health Organization (WHO) said it.",
                &[("World Health Organization", "ORG"), ("WHO", "ORG")],
                &[],
                &[said("The World Health Organization", Some(0))],
            ),
            // "WHO" is an acronym here, not the pronoun "who".
            record(
                "2",
                "WHO said it.",
                &[("WHO", "ORG")],
                &[],
                &[said("WHO", Some(0))],
            ),
            record(
                "3",
                "The man who said it left.",
                &[],
                &[],
                &[said("who", None)],
            ),
        ];
        assert_eq!(names_of(&records[2])[0], SourceOf::Pronoun);
        let g = group(&records);
        assert_eq!(rows(&g), [("World Health Organization".to_string(), 2, 2)]);
    }

    #[test]
    fn records_without_clusters_group_by_folded_names() {
        let records = vec![
            record(
                "1",
                "Reuters said it.",
                &[("Reuters", "ORG")],
                &[],
                &[said("Reuters", Some(0))],
            ),
            record("2", "REUTERS said it.", &[], &[], &[said("REUTERS", None)]),
            record(
                "3",
                "The Reuters' said it.",
                &[],
                &[],
                &[said("The Reuters'", None)],
            ),
        ];
        let g = group(&records);
        assert_eq!(rows(&g), [("Reuters".to_string(), 3, 3)]);
        assert_eq!(g.groups[0].label.as_deref(), Some("ORG"));
    }

    #[test]
    fn merging_document_lists() {
        assert_eq!(merge_sorted(&[1, 3, 5], &[2, 3, 6]), [1, 2, 3, 5, 6]);
        assert_eq!(merge_sorted(&[], &[4]), [4]);
        assert_eq!(merge_sorted(&[4], &[]), [4]);
    }
}
