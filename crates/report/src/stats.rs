//! Corpus statistics in one streaming pass (`caveat stats`).

use std::collections::HashMap;
use std::fmt;
use std::fmt::Write as _;

use caveat_output::Record;
use serde::Serialize;

use crate::record::ReadRecord;
use crate::sources::{source_name, Claim, Grouping, SourceIndex, SourceOf};
use crate::text::{normalize_name, TextIndex};
use crate::ReportError;

/// Statistics of a corpus of caveat output records.
///
/// Shares are fractions in `0..=1` (0 when there is nothing to divide by). Rankings hold at
/// most `top` rows each. Serialises to JSON for `caveat stats --json`; `Display` prints
/// terminal tables.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct CorpusStats {
    /// Number of records.
    pub documents: u64,
    /// Records whose text was truncated by `--max-doc-bytes`.
    pub truncated_documents: u64,
    /// Total length of the texts in code points.
    pub characters: u64,
    /// Number of sentences.
    pub sentences: u64,
    /// Sentences marked uncertain (containing a non-negated hedge).
    pub uncertain_sentences: u64,
    /// `uncertain_sentences / sentences`.
    pub uncertain_sentence_share: f64,
    /// Documents with at least one uncertain sentence.
    pub documents_with_uncertainty: u64,
    /// Distribution of the per-document share of uncertain sentences (documents with at least
    /// one sentence).
    pub uncertain_share_histogram: Vec<Bucket>,
    /// Number of entities.
    pub entities: u64,
    /// Entities per label, most frequent first.
    pub entities_by_label: Vec<Count>,
    /// Number of hedge cues.
    pub hedges: u64,
    /// Negated hedge cues ("not likely").
    pub negated_hedges: u64,
    /// Hedge cues per category, most frequent first.
    pub hedges_by_category: Vec<Count>,
    /// Number of attributions.
    pub attributions: u64,
    /// Attributions with a vague or anonymous source.
    pub vague_attributions: u64,
    /// `vague_attributions / attributions`.
    pub vague_source_share: f64,
    /// Attributions whose source cites another attribution's source.
    pub citing_attributions: u64,
    /// Attributions with neither source nor content.
    pub attributions_without_source: u64,
    /// Attributions whose source is only a pronoun, determiner or quantifier ("he", "they",
    /// "who", "the", "some"): counted here, left out of the source rankings.
    pub pronoun_sources: u64,
    /// Distinct sources (pronouns excluded): groups of names after folding and joining (see
    /// [`SourceStat`]).
    pub distinct_sources: u64,
    /// Most-cited sources, one row per source (person, organisation, ...) however it is named.
    pub top_sources: Vec<SourceStat>,
    /// Entities most often mentioned in hedged context.
    pub top_hedged_entities: Vec<EntityStat>,
    /// Most frequent hedge cues (lower-cased) with their category.
    pub top_hedge_cues: Vec<CueStat>,
    /// Documents with the highest share of uncertain sentences.
    pub most_uncertain_documents: Vec<DocStat>,
}

/// A label (or category) and how often it occurs.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Count {
    /// Entity label or hedge category.
    pub name: String,
    /// Occurrences.
    pub count: u64,
}

/// One bar of [`CorpusStats::uncertain_share_histogram`].
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct Bucket {
    /// The range of shares, e.g. `"(25%, 50%]"`.
    pub range: String,
    /// Number of documents in it.
    pub documents: u64,
}

/// A source and how it is cited: one row per source, however it is named.
///
/// Each attribution's source is named by the cluster it was resolved to (`source_cluster`),
/// else by the linked entity when it names the source ("the NIS" → "NIS", "Environment
/// Minister Marina Silva" → "Marina Silva"; not "a judge in New York"), else by its text.
/// Names are folded (case, titles, "the", possessive, periods: "Mr Trump", "President Trump"
/// → `trump`), then joined across the corpus: an acronym to the expansion some article
/// defines, a surname to the one full `PER` name ending in it ("Trump" → "Donald Trump"). The
/// module `sources` of this crate has the details; `caveat report` groups the same way.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct SourceStat {
    /// Display name: the group's most frequent multi-word name ("Donald Trump"), titles
    /// dropped; else its most frequent name.
    pub name: String,
    /// Majority label of the clusters or entities naming it, when there are some.
    pub label: Option<String>,
    /// Attributions (claims) with this source.
    pub citations: u64,
    /// Documents citing it.
    pub documents: u64,
    /// Attributions where the source is vague.
    pub vague: u64,
    /// Attributions that are hedged: a hedge cue that is not negated is in the attribution
    /// (its content or cue), or its sentence is uncertain.
    pub hedged: u64,
    /// `hedged / citations`.
    pub hedged_share: f64,
    /// The folded name the group is known by (`donald trump`).
    pub key: String,
    /// `vague / citations`.
    pub vague_share: f64,
    /// Whether the source is vague ("officials", "some experts"): most of its attributions
    /// say so.
    pub vague_source: bool,
    /// The names grouped into this row and how many attributions each, most frequent first
    /// (at most 10).
    pub aliases: Vec<Count>,
    /// Attributions per kind (`statement`, `belief`, `perception`), most frequent first;
    /// empty for output written before kinds existed.
    pub kinds: Vec<Count>,
}

/// An entity and how often it is mentioned in hedged context.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct EntityStat {
    /// Normalised entity text.
    pub text: String,
    /// Entity label.
    pub label: String,
    /// All mentions.
    pub mentions: u64,
    /// Mentions in an uncertain sentence or inside the content of a hedged attribution.
    pub hedged: u64,
    /// `hedged / mentions`.
    pub hedged_share: f64,
}

/// A hedge cue and how often it occurs.
#[derive(Clone, Debug, Default, Serialize, PartialEq, Eq)]
pub struct CueStat {
    /// The cue, lower-cased, whitespace collapsed.
    pub cue: String,
    /// Its category.
    pub category: String,
    /// Occurrences.
    pub count: u64,
    /// Negated occurrences.
    pub negated: u64,
}

/// A document's share of uncertain sentences.
#[derive(Clone, Debug, Default, Serialize, PartialEq)]
pub struct DocStat {
    /// Record id.
    pub id: String,
    /// Title from `meta`, when there is one.
    pub title: Option<String>,
    /// Position of the record in the input (0-based).
    pub index: u64,
    /// Sentences.
    pub sentences: u64,
    /// Uncertain sentences.
    pub uncertain: u64,
    /// `uncertain / sentences`.
    pub share: f64,
}

#[derive(Default)]
struct EntityAgg {
    display: String,
    mentions: u64,
    hedged: u64,
}

const HISTOGRAM: [&str; 5] = ["0%", "(0%, 25%]", "(25%, 50%]", "(50%, 75%]", "(75%, 100%]"];

/// Collects [`CorpusStats`] one record at a time; memory grows only with the number of
/// distinct labels, source names, entities and cues (and the number of documents citing each
/// source name, to count documents once sources are joined).
#[derive(Default)]
pub struct StatsAccumulator {
    s: CorpusStats,
    labels: HashMap<String, u64>,
    categories: HashMap<String, u64>,
    sources: SourceIndex,
    entities: HashMap<(String, String), EntityAgg>,
    cues: HashMap<(String, String), (u64, u64)>,
    histogram: [u64; 5],
    docs: Vec<DocStat>,
    top: usize,
}

/// Facts about one record that both the statistics and the HTML report use.
pub(crate) struct RecordFacts {
    /// How the source of every attribution is named.
    pub(crate) sources: Vec<SourceOf>,
    /// Whether each attribution is hedged: a non-negated hedge cue has its index as
    /// `attribution`, or its sentence is uncertain. The one definition of "hedged claim" for
    /// the statistics and the report.
    pub(crate) hedged_attributions: Vec<bool>,
    /// Whether each entity is in hedged context.
    pub(crate) hedged_entities: Vec<bool>,
    /// Number of uncertain sentences.
    pub(crate) uncertain_sentences: usize,
}

impl RecordFacts {
    pub(crate) fn new(r: &Record) -> Self {
        let uncertain_sentences = r.sentences.iter().filter(|s| s.uncertain).count();
        let mut hedge_in = vec![false; r.attributions.len()];
        for h in &r.hedges {
            if let Some(a) = h.attribution.filter(|_| !h.negated) {
                if let Some(slot) = hedge_in.get_mut(a) {
                    *slot = true;
                }
            }
        }
        let sentence_uncertain = |i: Option<usize>| {
            i.and_then(|i| r.sentences.get(i))
                .is_some_and(|s| s.uncertain)
        };
        let hedged_attributions: Vec<bool> = r
            .attributions
            .iter()
            .zip(&hedge_in)
            .map(|(a, &h)| h || sentence_uncertain(a.sentence))
            .collect();
        let index = TextIndex::new(&r.text);
        let sources = r
            .attributions
            .iter()
            .map(|a| source_name(r, &index, a))
            .collect();
        // Entities in hedged context: in an uncertain sentence, or inside the content of an
        // attribution that has a hedge. Both checks are binary searches over sorted intervals.
        let mut uncertain: Vec<(usize, usize)> = r
            .sentences
            .iter()
            .filter(|s| s.uncertain)
            .map(|s| (s.start, s.end))
            .collect();
        uncertain.extend(
            r.attributions
                .iter()
                .zip(&hedge_in)
                .filter(|(_, &h)| h)
                .filter_map(|(a, _)| a.content.as_ref().map(|c| (c.start, c.end))),
        );
        let merged = merge_intervals(uncertain);
        let hedged_entities = r
            .entities
            .iter()
            .map(|e| {
                let i = merged.partition_point(|&(_, end)| end <= e.start);
                merged
                    .get(i)
                    .is_some_and(|&(s, end)| s <= e.start && e.end <= end && e.start < e.end)
            })
            .collect();
        RecordFacts {
            sources,
            hedged_attributions,
            hedged_entities,
            uncertain_sentences,
        }
    }
}

/// Sort and merge overlapping or touching intervals.
fn merge_intervals(mut v: Vec<(usize, usize)>) -> Vec<(usize, usize)> {
    v.sort_unstable();
    let mut out: Vec<(usize, usize)> = Vec::with_capacity(v.len());
    for (s, e) in v {
        match out.last_mut() {
            Some(last) if s <= last.1 => last.1 = last.1.max(e),
            _ => out.push((s, e)),
        }
    }
    out
}

fn share(a: u64, b: u64) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

fn sorted_counts(map: HashMap<String, u64>) -> Vec<Count> {
    let mut v: Vec<Count> = map
        .into_iter()
        .map(|(name, count)| Count { name, count })
        .collect();
    v.sort_by(|a, b| b.count.cmp(&a.count).then_with(|| a.name.cmp(&b.name)));
    v
}

impl StatsAccumulator {
    /// A new accumulator keeping `top` rows per ranking.
    pub fn new(top: usize) -> Self {
        StatsAccumulator {
            top,
            ..Default::default()
        }
    }

    /// Add one record.
    pub fn add(&mut self, r: &Record) {
        let facts = RecordFacts::new(r);
        self.add_with(r, &facts);
    }

    /// Add one record whose facts are known; returns, for each attribution, the id of its
    /// source name in the [`Grouping`] that [`StatsAccumulator::finish_grouped`] gives (`None`
    /// for a missing or pronoun source).
    pub(crate) fn add_with(&mut self, r: &Record, facts: &RecordFacts) -> Vec<Option<u32>> {
        let doc_index = self.s.documents;
        let s = &mut self.s;
        s.documents += 1;
        s.truncated_documents += u64::from(r.truncated);
        s.characters += r.text.chars().count() as u64;
        let n = r.sentences.len() as u64;
        let u = facts.uncertain_sentences as u64;
        s.sentences += n;
        s.uncertain_sentences += u;
        s.documents_with_uncertainty += u64::from(u > 0);
        if n > 0 {
            let bucket = if u == 0 {
                0
            } else {
                (((u * 4).div_ceil(n)) as usize).clamp(1, 4)
            };
            self.histogram[bucket] += 1;
            if u > 0 {
                self.docs.push(DocStat {
                    id: r.id.clone(),
                    title: r.title().map(str::to_string),
                    index: doc_index,
                    sentences: n,
                    uncertain: u,
                    share: share(u, n),
                });
            }
        }

        s.entities += r.entities.len() as u64;
        for (e, &hedged) in r.entities.iter().zip(&facts.hedged_entities) {
            *self.labels.entry(e.label.clone()).or_default() += 1;
            let (key, display) = normalize_name(&e.text);
            if key.is_empty() {
                continue;
            }
            let agg = self.entities.entry((key, e.label.clone())).or_default();
            if agg.display.is_empty() {
                agg.display = display;
            }
            agg.mentions += 1;
            agg.hedged += u64::from(hedged);
        }

        s.hedges += r.hedges.len() as u64;
        for h in &r.hedges {
            s.negated_hedges += u64::from(h.negated);
            *self.categories.entry(h.category.clone()).or_default() += 1;
            let cue = h
                .text
                .split_whitespace()
                .collect::<Vec<_>>()
                .join(" ")
                .to_lowercase();
            let c = self.cues.entry((cue, h.category.clone())).or_default();
            c.0 += 1;
            c.1 += u64::from(h.negated);
        }

        s.attributions += r.attributions.len() as u64;
        let mut claims = Vec::new();
        let mut named = Vec::new();
        for (i, ((a, source), &hedged)) in r
            .attributions
            .iter()
            .zip(&facts.sources)
            .zip(&facts.hedged_attributions)
            .enumerate()
        {
            s.vague_attributions += u64::from(a.vague);
            s.citing_attributions += u64::from(a.cites.is_some());
            match source {
                SourceOf::Missing => s.attributions_without_source += 1,
                SourceOf::Pronoun => s.pronoun_sources += 1,
                SourceOf::Named(name) => {
                    claims.push(Claim {
                        name,
                        hedged,
                        vague: a.vague,
                        kind: &a.kind,
                    });
                    named.push(i);
                }
            }
        }
        let doc = u32::try_from(doc_index).unwrap_or(u32::MAX);
        let ids = self.sources.add(doc, claims);
        self.sources.add_definitions(r);
        let mut out = vec![None; r.attributions.len()];
        for (i, id) in named.into_iter().zip(ids) {
            out[i] = Some(id);
        }
        if self.docs.len() > 4 * self.top.max(16) {
            self.trim_docs();
        }
        out
    }

    fn trim_docs(&mut self) {
        self.docs.sort_by(|a, b| {
            b.share
                .total_cmp(&a.share)
                .then(b.uncertain.cmp(&a.uncertain))
                .then(a.index.cmp(&b.index))
        });
        self.docs.truncate(self.top);
    }

    /// The statistics of everything added so far.
    pub fn finish(self) -> CorpusStats {
        self.finish_grouped().0
    }

    /// The statistics, and every source group (not only the top ones) for the report.
    pub(crate) fn finish_grouped(mut self) -> (CorpusStats, Grouping) {
        self.trim_docs();
        let top = self.top;
        let mut s = self.s;
        s.uncertain_sentence_share = share(s.uncertain_sentences, s.sentences);
        s.vague_source_share = share(s.vague_attributions, s.attributions);
        s.uncertain_share_histogram = HISTOGRAM
            .iter()
            .zip(self.histogram)
            .map(|(range, documents)| Bucket {
                range: range.to_string(),
                documents,
            })
            .collect();
        s.entities_by_label = sorted_counts(self.labels);
        s.hedges_by_category = sorted_counts(self.categories);
        let grouping = self.sources.finish();
        s.distinct_sources = grouping.groups.len() as u64;
        let counts = |v: &[(String, u64)], n: usize| -> Vec<Count> {
            v.iter()
                .take(n)
                .map(|(name, count)| Count {
                    name: name.clone(),
                    count: *count,
                })
                .collect()
        };
        // Groups come sorted: most claims first, then most hedged, then by name.
        s.top_sources = grouping
            .groups
            .iter()
            .take(top)
            .map(|g| SourceStat {
                name: g.name.clone(),
                label: g.label.clone(),
                citations: g.claims,
                documents: g.documents,
                vague: g.vague,
                hedged: g.hedged,
                hedged_share: share(g.hedged, g.claims),
                key: g.key.clone(),
                vague_share: share(g.vague, g.claims),
                vague_source: 2 * g.vague > g.claims,
                aliases: counts(&g.aliases, 10),
                kinds: counts(&g.kinds, usize::MAX),
            })
            .collect();

        let mut entities: Vec<EntityStat> = self
            .entities
            .into_iter()
            .filter(|(_, a)| a.hedged > 0)
            .map(|((_, label), a)| EntityStat {
                text: a.display,
                label,
                mentions: a.mentions,
                hedged: a.hedged,
                hedged_share: share(a.hedged, a.mentions),
            })
            .collect();
        entities.sort_by(|a, b| {
            b.hedged
                .cmp(&a.hedged)
                .then(b.mentions.cmp(&a.mentions))
                .then_with(|| a.text.cmp(&b.text))
                .then_with(|| a.label.cmp(&b.label))
        });
        entities.truncate(top);
        s.top_hedged_entities = entities;

        let mut cues: Vec<CueStat> = self
            .cues
            .into_iter()
            .map(|((cue, category), (count, negated))| CueStat {
                cue,
                category,
                count,
                negated,
            })
            .collect();
        cues.sort_by(|a, b| {
            b.count
                .cmp(&a.count)
                .then_with(|| a.cue.cmp(&b.cue))
                .then_with(|| a.category.cmp(&b.category))
        });
        cues.truncate(top);
        s.top_hedge_cues = cues;
        s.most_uncertain_documents = self.docs;
        (s, grouping)
    }
}

/// Statistics of a stream of records (one pass; the first error stops it).
pub fn stats<I>(records: I, top: usize) -> Result<CorpusStats, ReportError>
where
    I: IntoIterator<Item = Result<Record, ReportError>>,
{
    let mut acc = StatsAccumulator::new(top);
    for r in records {
        acc.add(&r?);
    }
    Ok(acc.finish())
}

fn pct(x: f64) -> String {
    format!("{:.1}%", x * 100.0)
}

/// A plain-text table: header, then rows; columns padded to their widest cell (in chars).
/// The first column (names) is left-aligned, the others (numbers) right-aligned.
fn table(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    head: &[&str],
    rows: &[Vec<String>],
) -> fmt::Result {
    table_aligned(f, title, head, rows, &[0])
}

/// [`table`] with the columns in `left` left-aligned.
fn table_aligned(
    f: &mut fmt::Formatter<'_>,
    title: &str,
    head: &[&str],
    rows: &[Vec<String>],
    left: &[usize],
) -> fmt::Result {
    writeln!(f, "\n{title}")?;
    if rows.is_empty() {
        return writeln!(f, "  (none)");
    }
    let mut width: Vec<usize> = head.iter().map(|h| h.chars().count()).collect();
    for row in rows {
        for (w, cell) in width.iter_mut().zip(row) {
            *w = (*w).max(cell.chars().count());
        }
    }
    let line = |f: &mut fmt::Formatter<'_>, cells: &mut dyn Iterator<Item = &str>| {
        let mut out = String::from(" ");
        for (i, (cell, w)) in cells.zip(&width).enumerate() {
            let gap = if i == 0 { " " } else { "  " };
            if left.contains(&i) {
                let _ = write!(out, "{gap}{cell:<w$}");
            } else {
                let _ = write!(out, "{gap}{cell:>w$}");
            }
        }
        writeln!(f, "{}", out.trim_end())
    };
    line(f, &mut head.iter().copied())?;
    let total: usize = width.iter().sum::<usize>() + 2 * width.len();
    writeln!(f, "  {}", "-".repeat(total.saturating_sub(1)))?;
    for row in rows {
        line(f, &mut row.iter().map(String::as_str))?;
    }
    Ok(())
}

/// Shorten to `n` characters with an ellipsis.
pub(crate) fn ellipsize(s: &str, n: usize) -> String {
    if s.chars().count() <= n {
        s.to_string()
    } else {
        let mut out: String = s.chars().take(n.saturating_sub(1)).collect();
        out.push('…');
        out
    }
}

impl fmt::Display for CorpusStats {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let rows = vec![
            vec![
                "documents".into(),
                self.documents.to_string(),
                String::new(),
            ],
            vec![
                "truncated documents".into(),
                self.truncated_documents.to_string(),
                String::new(),
            ],
            vec![
                "characters".into(),
                self.characters.to_string(),
                String::new(),
            ],
            vec![
                "sentences".into(),
                self.sentences.to_string(),
                String::new(),
            ],
            vec![
                "uncertain sentences".into(),
                self.uncertain_sentences.to_string(),
                pct(self.uncertain_sentence_share),
            ],
            vec![
                "documents with uncertainty".into(),
                self.documents_with_uncertainty.to_string(),
                pct(share(self.documents_with_uncertainty, self.documents)),
            ],
            vec!["entities".into(), self.entities.to_string(), String::new()],
            vec!["hedge cues".into(), self.hedges.to_string(), String::new()],
            vec![
                "negated hedge cues".into(),
                self.negated_hedges.to_string(),
                pct(share(self.negated_hedges, self.hedges)),
            ],
            vec![
                "attributions".into(),
                self.attributions.to_string(),
                String::new(),
            ],
            vec![
                "vague sources".into(),
                self.vague_attributions.to_string(),
                pct(self.vague_source_share),
            ],
            vec![
                "citing another source".into(),
                self.citing_attributions.to_string(),
                String::new(),
            ],
            vec![
                "pronoun sources (not ranked)".into(),
                self.pronoun_sources.to_string(),
                pct(share(self.pronoun_sources, self.attributions)),
            ],
            vec![
                "distinct sources".into(),
                self.distinct_sources.to_string(),
                String::new(),
            ],
        ];
        table(f, "Corpus", &["", "count", "share"], &rows)?;

        let counts = |v: &[Count], total: u64| -> Vec<Vec<String>> {
            v.iter()
                .map(|c| {
                    vec![
                        c.name.clone(),
                        c.count.to_string(),
                        pct(share(c.count, total)),
                    ]
                })
                .collect()
        };
        table(
            f,
            "Entities by label",
            &["label", "count", "share"],
            &counts(&self.entities_by_label, self.entities),
        )?;
        table(
            f,
            "Hedge cues by category",
            &["category", "count", "share"],
            &counts(&self.hedges_by_category, self.hedges),
        )?;
        let hist: Vec<Vec<String>> = self
            .uncertain_share_histogram
            .iter()
            .map(|b| vec![b.range.clone(), b.documents.to_string()])
            .collect();
        table(
            f,
            "Documents by share of uncertain sentences",
            &["share", "documents"],
            &hist,
        )?;
        let rows: Vec<Vec<String>> = self
            .top_sources
            .iter()
            .map(|s| {
                let also: Vec<&str> = s
                    .aliases
                    .iter()
                    .map(|a| a.name.as_str())
                    .filter(|a| *a != s.name)
                    .take(3)
                    .collect();
                vec![
                    ellipsize(&s.name, 40),
                    s.label.clone().unwrap_or_else(|| "-".into()),
                    s.citations.to_string(),
                    s.hedged.to_string(),
                    pct(s.hedged_share),
                    if s.vague_source {
                        format!("yes {}", s.vague)
                    } else {
                        s.vague.to_string()
                    },
                    s.documents.to_string(),
                    ellipsize(&also.join(", "), 36),
                ]
            })
            .collect();
        table_aligned(
            f,
            "Most-cited sources (names folded and joined: \"Mr Trump\", \"Trump\" -> Donald Trump)",
            &[
                "source", "entity", "claims", "hedged", "share", "vague", "articles", "also as",
            ],
            &rows,
            &[0, 7],
        )?;
        let rows: Vec<Vec<String>> = self
            .top_hedged_entities
            .iter()
            .map(|e| {
                vec![
                    ellipsize(&e.text, 40),
                    e.label.clone(),
                    e.hedged.to_string(),
                    e.mentions.to_string(),
                    pct(e.hedged_share),
                ]
            })
            .collect();
        table(
            f,
            "Most hedged entities (in uncertain sentences or hedged attributed content)",
            &["entity", "label", "hedged", "mentions", "share"],
            &rows,
        )?;
        let rows: Vec<Vec<String>> = self
            .top_hedge_cues
            .iter()
            .map(|c| {
                vec![
                    ellipsize(&c.cue, 40),
                    c.category.clone(),
                    c.count.to_string(),
                    c.negated.to_string(),
                ]
            })
            .collect();
        table(
            f,
            "Most frequent hedge cues",
            &["cue", "category", "count", "negated"],
            &rows,
        )?;
        let rows: Vec<Vec<String>> = self
            .most_uncertain_documents
            .iter()
            .map(|d| {
                vec![
                    ellipsize(&d.id, 30),
                    ellipsize(d.title.as_deref().unwrap_or(""), 40),
                    format!("{}/{}", d.uncertain, d.sentences),
                    pct(d.share),
                ]
            })
            .collect();
        table(
            f,
            "Most uncertain documents",
            &["id", "title", "uncertain", "share"],
            &rows,
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    fn rec(json: &str) -> Record {
        Record::from_json_line(json, 1, OffsetUnit::Chars).unwrap()
    }

    /// "NIS alleges X may happen. Paris is nice." with one attribution (hedged by "may") and
    /// a second document citing "the NIS" (vague-free) and "officials" (vague).
    fn corpus() -> Vec<Record> {
        vec![
            rec(
                r#"{"id":"a","text":"NIS alleges Kim may go. Paris is nice.",
              "sentences":[{"start":0,"end":23,"uncertain":true},{"start":24,"end":38,"uncertain":false}],
              "entities":[{"start":0,"end":3,"label":"ORG","text":"NIS"},{"start":12,"end":15,"label":"PER","text":"Kim"},{"start":24,"end":29,"label":"LOC","text":"Paris"}],
              "hedges":[{"start":4,"end":11,"text":"alleges","category":"doxastic","sentence":0,"negated":false,"attribution":0},
                        {"start":16,"end":19,"text":"may","category":"epistemic","sentence":0,"negated":false,"attribution":0}],
              "attributions":[{"source":{"start":0,"end":3,"text":"NIS"},"cue":{"start":4,"end":11,"text":"alleges"},"content":{"start":12,"end":22,"text":"Kim may go"},"source_entity":0,"vague":false,"cites":null,"sentence":0}]}"#,
            ),
            rec(
                r#"{"id":2,"text":"The NIS said so. Officials said no. Not likely.",
              "sentences":[{"start":0,"end":16},{"start":17,"end":35},{"start":36,"end":47}],
              "hedges":[{"start":36,"end":46,"text":"Not  Likely","category":"epistemic","sentence":2,"negated":true}],
              "attributions":[{"source":{"start":0,"end":7,"text":"The NIS"},"cue":{"start":8,"end":12,"text":"said"},"content":null,"vague":false,"sentence":0},
                              {"source":{"start":17,"end":26,"text":"Officials"},"cue":{"start":27,"end":31,"text":"said"},"content":{"start":32,"end":34,"text":"no"},"vague":true,"cites":0,"sentence":1},
                              {"source":{"start":36,"end":39,"text":"Not"},"cue":null,"content":null,"sentence":2},
                              {"source":{"start":0,"end":3,"text":"The"},"cue":null,"content":null,"sentence":0}]}"#,
            ),
        ]
    }

    #[test]
    fn counts_and_rankings() {
        let s = stats(corpus().into_iter().map(Ok), 10).unwrap();
        assert_eq!(s.documents, 2);
        assert_eq!(s.sentences, 5);
        assert_eq!(s.uncertain_sentences, 1);
        assert!((s.uncertain_sentence_share - 0.2).abs() < 1e-9);
        assert_eq!(s.entities, 3);
        assert_eq!(s.entities_by_label.len(), 3);
        assert_eq!(s.hedges, 3);
        assert_eq!(s.negated_hedges, 1);
        assert_eq!(
            s.hedges_by_category[0],
            Count {
                name: "epistemic".into(),
                count: 2
            }
        );
        assert_eq!(s.attributions, 5);
        assert_eq!(s.pronoun_sources, 1, "`The` is not a source");
        assert_eq!(s.vague_attributions, 1);
        assert_eq!(s.citing_attributions, 1);
        // "NIS" (linked entity) and "The NIS" are one source, cited in two documents.
        let nis = &s.top_sources[0];
        assert_eq!(
            (nis.name.as_str(), nis.citations, nis.documents),
            ("NIS", 2, 2)
        );
        assert_eq!(nis.label.as_deref(), Some("ORG"));
        assert_eq!(nis.hedged, 1);
        assert_eq!(s.distinct_sources, 3, "NIS, Officials, Not");
        // Kim (in the uncertain sentence and hedged content) and NIS (uncertain sentence) are
        // hedged, Paris is not.
        let names: Vec<&str> = s
            .top_hedged_entities
            .iter()
            .map(|e| e.text.as_str())
            .collect();
        assert_eq!(names, ["Kim", "NIS"]);
        let not_likely = s
            .top_hedge_cues
            .iter()
            .find(|c| c.cue == "not likely")
            .unwrap();
        assert_eq!((not_likely.count, not_likely.negated), (1, 1));
        assert_eq!(s.most_uncertain_documents.len(), 1);
        assert_eq!(s.most_uncertain_documents[0].id, "a");
        let hist: Vec<u64> = s
            .uncertain_share_histogram
            .iter()
            .map(|b| b.documents)
            .collect();
        assert_eq!(hist, [1, 0, 1, 0, 0]);
    }

    #[test]
    fn display_has_every_section_and_top_limits_rows() {
        let s = stats(corpus().into_iter().map(Ok), 1).unwrap();
        assert_eq!(s.top_sources.len(), 1);
        let text = s.to_string();
        for needle in [
            "documents",
            "Most-cited sources",
            "NIS",
            "Most hedged entities",
            "alleges",
        ] {
            assert!(text.contains(needle), "{needle} missing in\n{text}");
        }
        let json = serde_json::to_value(&s).unwrap();
        assert_eq!(json["top_sources"][0]["citations"], 2);
    }

    #[test]
    fn top_sources_have_one_row_per_source_with_its_canonical_name() {
        use crate::sources::tests::{record, said, Att};
        let mut records = vec![
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
            // Tagged as a place here, and written before clusters existed: folded all the same.
            record(
                "3",
                "President Trump said it.",
                &[("Trump", "LOC")],
                &[],
                &[said("President Trump", Some(0))],
            ),
            record(
                "4",
                "The National Intelligence Service (NIS) said it. He added that.",
                &[("National Intelligence Service", "ORG"), ("NIS", "ORG")],
                &[("National Intelligence Service", "ORG", &[0, 1])],
                &[
                    Att {
                        cluster: Some(0),
                        ..said("The National Intelligence Service (NIS)", Some(0))
                    },
                    // "He" resolved to the agency by the coref stage: counted for it.
                    Att {
                        source: "He",
                        entity: None,
                        cluster: Some(0),
                        cue: "added",
                        content: "that",
                    },
                ],
            ),
            record(
                "5",
                "The NIS said it.",
                &[("NIS", "ORG")],
                &[],
                &[said("The NIS", Some(0))],
            ),
        ];
        // A hedged claim of Mr Trump's.
        records[1].hedges.push(caveat_output::Hedge {
            start: 13,
            end: 15,
            text: "it".into(),
            category: "epistemic".into(),
            attribution: Some(0),
            ..Default::default()
        });
        let s = stats(records.into_iter().map(Ok), 10).unwrap();
        let rows: Vec<(&str, Option<&str>, u64, u64, u64)> = s
            .top_sources
            .iter()
            .map(|r| {
                (
                    r.name.as_str(),
                    r.label.as_deref(),
                    r.citations,
                    r.hedged,
                    r.documents,
                )
            })
            .collect();
        assert_eq!(
            rows,
            [
                ("Donald Trump", Some("PER"), 3, 1, 3),
                ("National Intelligence Service", Some("ORG"), 3, 0, 2),
            ]
        );
        assert_eq!(s.distinct_sources, 2);
        assert_eq!(s.pronoun_sources, 0, "the resolved `He` names the agency");
        let trump = &s.top_sources[0];
        assert_eq!(trump.key, "donald trump");
        assert!((trump.hedged_share - 1.0 / 3.0).abs() < 1e-9);
        assert!(!trump.vague_source);
        assert_eq!(
            trump.kinds,
            [Count {
                name: "statement".into(),
                count: 3
            }]
        );
        let aliases: Vec<&str> = trump.aliases.iter().map(|a| a.name.as_str()).collect();
        assert_eq!(aliases, ["Trump", "Donald Trump"]);
        // JSON: the old fields, and the new ones.
        let json = serde_json::to_value(&s).unwrap();
        let row = &json["top_sources"][1];
        for field in [
            "name",
            "label",
            "citations",
            "documents",
            "vague",
            "hedged",
            "hedged_share",
            "key",
            "aliases",
            "kinds",
            "vague_share",
            "vague_source",
        ] {
            assert!(row.get(field).is_some(), "{field} missing in {row}");
        }
        assert_eq!(row["name"], "National Intelligence Service");
        // The table names the other names it joined.
        let text = s.to_string();
        let line = text
            .lines()
            .find(|l| l.trim_start().starts_with("Donald Trump"))
            .unwrap();
        assert!(line.ends_with("Trump"), "{line}");
        assert!(
            text.lines()
                .any(|l| l.contains("National Intelligence Service") && l.ends_with("NIS")),
            "{text}"
        );
    }

    #[test]
    fn empty_corpus() {
        let s = stats(std::iter::empty(), 5).unwrap();
        assert_eq!(s.documents, 0);
        assert_eq!(s.uncertain_sentence_share, 0.0);
        assert!(s.to_string().contains("(none)"));
    }
}
