//! The self-contained HTML report (`caveat report`).
//!
//! Layout of the file, written in one streaming pass:
//!
//! 1. head with the inline CSS; the claims-by-source section (`id="claims"`: filters for
//!    source, kind, hedge category and hedged only, an empty pager and list); the articles
//!    section (search, filters, layer switches for entities, hedges, attributions, clusters
//!    and uncertain sentences, empty pager and article containers);
//! 2. `<script type="application/json" id="caveat-data">`: one compact JSON object per
//!    article (text, spans in UTF-16 units for JavaScript, clusters, per-attribution source
//!    names and source keys; see `article_json`), written as each record is read;
//! 3. the corpus overview, rendered in Rust from [`CorpusStats`] once every record has been
//!    read, and shown first by CSS (`order: -1`), so it needs no JavaScript;
//! 4. `<script type="application/json" id="caveat-meta">`: labels, categories, kinds, and the
//!    source groups (the same grouping as `caveat stats`, module `sources`) with the group of
//!    every source key;
//! 5. a small vanilla script that renders, from the data, one page of claims (50 by default:
//!    the claims of the most-cited source first, hedge cues marked inside them, each linked to
//!    its article) and the articles of the current page (20 by default), with marks nested
//!    from all span boundaries, and caps the text rendered per article (more on demand) so
//!    that a megabyte article stays usable. Filters and pages live in the URL fragment.
//!
//! All text goes through HTML escaping (Rust) or `esc()` (JavaScript); JSON in `<script>`
//! has every `<` written as `\u003c`, so no article text can close the script element.
//!
//! ## Size and speed on 10,000 articles
//!
//! Measured on the 6,049 articles of `newsarticles.jsonl` and `bbc.jsonl` run through
//! `pipelines/news.toml` (with the coref stage), repeated with new ids to 10,000 records
//! (30.3 MB of text, 396k entities, 107,642 claims from 18,319 sources), in headless
//! Chromium 156 on a shared 2-core machine; medians of 3 rounds of 3 runs, before and after
//! interleaved. "First render" is the script's `caveat-first-render` mark: the first page of
//! claims (50) and of articles (20) is in the DOM; the page title paints at about 0.15 s.
//!
//! | report | page weight | first render | DOMContentLoaded | load event |
//! |---|---:|---:|---:|---:|
//! | before the claims view (999797c) | 48.6 MB | — | 1.86 s | 1.88 s |
//! | with it, 50 claims per page | 53.8 MB | 1.81 s | 2.01 s | 2.03 s |
//! | 5,000 claims per page | 53.8 MB | 2.28 s | 4.01 s | 4.04 s |
//! | every claim at once (no paging) | 53.8 MB | — | not loaded after 300 s | — |
//!
//! Most of the time is the browser reading and parsing the 54 MB file (about 1.0 s before
//! the script starts) and `JSON.parse` of the data (about 0.35 s); indexing the 107,642
//! claims by source, filtering them and rendering one page takes about 45 ms. Rendering
//! them all is what cannot be done, hence the paging. Clusters of one entity that no source
//! refers to are left out of the data (they are not shown): 56.3 MB with them.
//!
//! Reproduce with `crates/report/tests/report_10k.sh ../shared/corpora/newsarticles.jsonl
//! ../shared/corpora/bbc.jsonl` (it runs the pipeline, makes the 10,000 records, writes the
//! report and runs `tests/page_timing.mjs`, which measures over the DevTools protocol).

use std::collections::BTreeSet;
use std::fmt::Write as _;
use std::io::Write;

use caveat_output::Record;
use serde::Serialize;
use serde_json::{json, Value};

use crate::record::ReadRecord;
use crate::stats::{ellipsize, CorpusStats, RecordFacts, StatsAccumulator};
use crate::text::TextIndex;
use crate::ReportError;

const CSS: &str = include_str!("assets/report.css");
const JS: &str = include_str!("assets/report.js");

/// Options of [`render_html`].
#[derive(Clone, Debug)]
pub struct HtmlOptions {
    /// Title of the page.
    pub title: String,
    /// Articles per page.
    pub page_size: usize,
    /// Claims per page of the claims-by-source view.
    pub claims_page_size: usize,
    /// Rows per ranking in the overview.
    pub top: usize,
    /// Characters (UTF-16 units) of an article's text rendered at first; the reader can show
    /// more. Keeps megabyte articles responsive.
    pub max_chars: usize,
    /// Skip records that cannot be read (counted in [`ReportSummary::skipped`] and noted in
    /// the page) instead of failing on the first one. A shard part's footer
    /// ([`ReportError::ShardPart`]) still fails: the report would cover part of a corpus.
    pub skip_invalid: bool,
}

impl Default for HtmlOptions {
    fn default() -> Self {
        HtmlOptions {
            title: "caveat report".into(),
            page_size: 20,
            claims_page_size: 50,
            top: 20,
            max_chars: 20_000,
            skip_invalid: false,
        }
    }
}

/// What [`render_html`] did.
#[derive(Clone, Debug, Serialize)]
pub struct ReportSummary {
    /// Articles in the report.
    pub articles: u64,
    /// Records skipped as unreadable (with [`HtmlOptions::skip_invalid`]).
    pub skipped: u64,
    /// The first skipped record's error, if any.
    pub first_error: Option<String>,
    /// The corpus statistics shown in the overview.
    pub stats: CorpusStats,
}

/// Escape text for HTML element content and attribute values.
pub(crate) fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len() + 8);
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            _ => out.push(c),
        }
    }
    out
}

/// A CSS class suffix: ASCII letters, digits, `-` and `_`; anything else `_`.
/// (The script uses the same rule.)
fn class_name(s: &str) -> String {
    s.chars()
        .map(|c| {
            if c.is_ascii_alphanumeric() || c == '-' || c == '_' {
                c
            } else {
                '_'
            }
        })
        .collect()
}

/// A writer that escapes `<` as `\u003c` (valid only for JSON, where `<` occurs in strings),
/// so that JSON can sit inside a `<script>` element.
struct ScriptSafe<'w, W: Write>(&'w mut W);

impl<W: Write> Write for ScriptSafe<'_, W> {
    fn write(&mut self, buf: &[u8]) -> std::io::Result<usize> {
        let mut rest = buf;
        while let Some(i) = rest.iter().position(|&b| b == b'<') {
            self.0.write_all(&rest[..i])?;
            self.0.write_all(b"\\u003c")?;
            rest = &rest[i + 1..];
        }
        self.0.write_all(rest)?;
        Ok(buf.len())
    }

    fn flush(&mut self) -> std::io::Result<()> {
        self.0.flush()
    }
}

/// Round a score for the page.
fn r3(x: f64) -> f64 {
    (x * 1000.0).round() / 1000.0
}

/// The compact JSON object of one article for the script (offsets in UTF-16 units):
///
/// - `i` id, `t` title, `x` text, `n` sentences, `u` uncertain sentences, `s` uncertain
///   sentence spans, `tr` truncated;
/// - `e` entities: `[start, end, label, score, cluster]` (cluster `-1` when none, or when
///   the cluster is not shown);
/// - `h` hedges: `[start, end, category, score, negated, attribution]`;
/// - `a` attributions: `[source start, source end, cue start, cue end, content start, content
///   end, vague, cites, source name, hedged, source key, kind, quote, source cluster]`: offsets
///   `-1` for a missing part; `source key` is the id of the source's name in the page
///   metadata's `gk` table (`-1`: pronoun or no source); `kind` indexes the metadata's
///   `kinds`;
/// - `c` clusters (when some are shown): `[name, label]` for a cluster shown — of two entity
///   mentions or more, or the source cluster of an attribution — and `0` for the others
///   (singletons are most clusters; leaving them out keeps the page smaller).
fn article_json(r: &Record, facts: &RecordFacts, keys: &[Option<u32>], kinds: &mut Kinds) -> Value {
    let ix = TextIndex::new(&r.text);
    let u = |cp: usize| ix.utf16_of(cp);
    let mut cluster_of = entity_clusters(r);
    let mut mentions = vec![0usize; r.clusters.len()];
    for &c in &cluster_of {
        if c >= 0 {
            mentions[c as usize] += 1;
        }
    }
    let shown: Vec<bool> = (0..r.clusters.len())
        .map(|c| mentions[c] > 1 || r.attributions.iter().any(|a| a.source_cluster == Some(c)))
        .collect();
    for c in &mut cluster_of {
        if *c >= 0 && !shown[*c as usize] {
            *c = -1;
        }
    }
    let part = |p: &Option<caveat_output::Part>| match p {
        Some(p) => (u(p.start) as i64, u(p.end) as i64),
        None => (-1, -1),
    };
    let atts: Vec<Value> = r
        .attributions
        .iter()
        .enumerate()
        .map(|(i, a)| {
            let (sa, sb) = part(&a.source);
            let (ca, cb) = part(&a.cue);
            let (ka, kb) = part(&a.content);
            let name = facts.sources[i].display().unwrap_or("");
            let key = keys.get(i).copied().flatten().map_or(-1, i64::from);
            let cluster = a
                .source_cluster
                .filter(|&c| c < r.clusters.len())
                .map_or(-1, |c| c as i64);
            json!([
                sa,
                sb,
                ca,
                cb,
                ka,
                kb,
                u8::from(a.vague),
                a.cites.map_or(-1, |c| c as i64),
                name,
                u8::from(facts.hedged_attributions[i]),
                key,
                kinds.id(&a.kind),
                u8::from(a.quote),
                cluster,
            ])
        })
        .collect();
    let mut obj = json!({
        "i": r.id,
        "t": r.title(),
        "x": r.text,
        "n": r.sentences.len(),
        "u": facts.uncertain_sentences,
        "s": r.sentences.iter().filter(|s| s.uncertain).map(|s| json!([u(s.start), u(s.end)])).collect::<Vec<_>>(),
        "e": r.entities.iter().enumerate().map(|(i, e)| json!([u(e.start), u(e.end), e.label, r3(e.score), cluster_of[i]])).collect::<Vec<_>>(),
        "h": r.hedges.iter().map(|h| json!([u(h.start), u(h.end), h.category, r3(h.score), u8::from(h.negated), h.attribution.map_or(-1, |a| a as i64)])).collect::<Vec<_>>(),
        "a": atts,
    });
    if r.truncated {
        obj["tr"] = json!(1);
    }
    if shown.contains(&true) {
        obj["c"] = r
            .clusters
            .iter()
            .zip(&shown)
            .map(|(c, &shown)| {
                if shown {
                    json!([c.name, c.label])
                } else {
                    json!(0)
                }
            })
            .collect();
    }
    obj
}

/// The cluster of each entity: from the clusters' mention lists (the authority), else the
/// entity's own `cluster`; `-1` for none or an index out of range.
fn entity_clusters(r: &Record) -> Vec<i64> {
    let n = r.clusters.len();
    let mut out: Vec<i64> = r
        .entities
        .iter()
        .map(|e| e.cluster.filter(|&c| c < n).map_or(-1, |c| c as i64))
        .collect();
    for (c, cluster) in r.clusters.iter().enumerate() {
        for &m in &cluster.mentions {
            if let Some(slot) = out.get_mut(m) {
                *slot = c as i64;
            }
        }
    }
    out
}

/// Attribution kinds seen, numbered for the page (`0` is the empty kind).
struct Kinds(Vec<String>);

impl Kinds {
    fn id(&mut self, kind: &str) -> usize {
        match self.0.iter().position(|k| k == kind) {
            Some(i) => i,
            None => {
                self.0.push(kind.to_string());
                self.0.len() - 1
            }
        }
    }
}

/// Colour of an entity label: fixed for caveat's CoNLL labels, a hash-derived hue otherwise.
fn label_colour(label: &str) -> String {
    match label {
        "PER" => "#ffd6a5".into(),
        "ORG" => "#a0c4ff".into(),
        "LOC" => "#b9fbc0".into(),
        "MISC" => "#e0c3fc".into(),
        _ => {
            let h = label
                .bytes()
                .fold(7u32, |h, b| h.wrapping_mul(31).wrapping_add(u32::from(b)));
            format!("hsl({} 85% 82%)", h % 360)
        }
    }
}

/// Write the HTML report of `records` to `out`: one self-contained page (no external assets)
/// with the corpus overview, every article with entities, hedge cues and attributions
/// marked, search and filters, and client-side paging (see the module docs for the layout).
///
/// Reads the records once and keeps only the statistics in memory. Fails on the first
/// unreadable record unless [`HtmlOptions::skip_invalid`] is set, and on write errors.
pub fn render_html<I, W>(
    records: I,
    out: &mut W,
    opts: &HtmlOptions,
) -> Result<ReportSummary, ReportError>
where
    I: IntoIterator<Item = Result<Record, ReportError>>,
    W: Write,
{
    let mut acc = StatsAccumulator::new(opts.top.max(1));
    let mut labels = BTreeSet::new();
    let mut categories = BTreeSet::new();
    let mut kinds = Kinds(vec![String::new()]);
    let mut articles = 0u64;
    let mut skipped = 0u64;
    let mut first_error = None;
    let io = ReportError::output;

    let title = esc(&opts.title);
    write!(
        out,
        "<!DOCTYPE html>\n<html lang=\"en\">\n<head>\n<meta charset=\"utf-8\">\n\
         <meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">\n\
         <meta name=\"generator\" content=\"caveat report\">\n<title>{title}</title>\n\
         <style>\n{CSS}</style>\n</head>\n<body>\n\
         <header class=\"page-head\"><h1>{title}</h1>\
         <p class=\"sub\">Entities, hedged claims and who they are attributed to.</p></header>\n\
         <main id=\"main\">\n\
         <section id=\"claims\" class=\"claims\" aria-label=\"Claims by source\">\n\
         <h2 class=\"section\">Claims by source</h2>\n\
         <p class=\"hint\">Every attributed claim under its source, sources grouped by canonical name \
         (\u{201c}Mr Trump\u{201d}, \u{201c}Trump\u{201d} \u{2192} Donald Trump; an acronym \u{2192} its expansion), \
         most-cited first. Hedged claims are marked; hedge cues are underlined by category.</p>\n\
         <div id=\"claims-toolbar\" class=\"toolbar\">\n\
         <input id=\"c-source\" type=\"search\" list=\"claim-sources\" placeholder=\"Source…\" aria-label=\"Source\"><datalist id=\"claim-sources\"></datalist>\n\
         <select id=\"c-kind\" aria-label=\"Claim kind\"><option value=\"\">any kind</option></select>\n\
         <select id=\"c-cat\" aria-label=\"Hedge category in the claim\"><option value=\"\">any hedge category</option></select>\n\
         <label><input id=\"c-hedged\" type=\"checkbox\"> hedged only</label>\n\
         <button id=\"c-clear\" type=\"button\">Clear</button>\n\
         </div>\n<nav class=\"pager\" id=\"claims-pager\" aria-label=\"Claim pages\"></nav>\n\
         <div id=\"claims-list\"><noscript><p class=\"note\">The claims are rendered by JavaScript, \
         which is disabled.</p></noscript></div>\n</section>\n\
         <section id=\"articles-section\" aria-label=\"Articles\">\n\
         <h2 class=\"section\">Articles</h2>\n\
         <div id=\"toolbar\" class=\"toolbar\">\n\
         <input id=\"q\" type=\"search\" placeholder=\"Search text, id, title…\" aria-label=\"Search\">\n\
         <select id=\"f-label\" aria-label=\"Entity label\"><option value=\"\">any entity label</option></select>\n\
         <select id=\"f-cat\" aria-label=\"Hedge category\"><option value=\"\">any hedge category</option></select>\n\
         <input id=\"f-source\" list=\"sources\" placeholder=\"Source…\" aria-label=\"Source\"><datalist id=\"sources\"></datalist>\n\
         <label><input id=\"f-unc\" type=\"checkbox\"> uncertain only</label>\n\
         <button id=\"f-clear\" type=\"button\">Clear</button>\n\
         <span class=\"layers\">Show: <label><input type=\"checkbox\" data-layer=\"ents\" checked> entities</label>\
         <label><input type=\"checkbox\" data-layer=\"hedges\" checked> hedges</label>\
         <label><input type=\"checkbox\" data-layer=\"atts\" checked> attributions</label>\
         <label><input type=\"checkbox\" data-layer=\"clusters\" checked> clusters</label>\
         <label><input type=\"checkbox\" data-layer=\"sents\" checked> uncertain sentences</label></span>\n\
         </div>\n<nav class=\"pager\" id=\"pager-top\" aria-label=\"Pages\"></nav>\n\
         <div id=\"articles\"><noscript><p class=\"note\">The articles are rendered by JavaScript, \
         which is disabled; the overview below works without it.</p></noscript></div>\n\
         <nav class=\"pager\" id=\"pager-bottom\" aria-label=\"Pages\"></nav>\n</section>\n\
         <script type=\"application/json\" id=\"caveat-data\">["
    )
    .map_err(io)?;

    for item in records {
        let record = match item {
            Ok(r) => r,
            Err(e) if opts.skip_invalid && !matches!(e, ReportError::ShardPart { .. }) => {
                skipped += 1;
                first_error.get_or_insert_with(|| e.to_string());
                continue;
            }
            Err(e) => return Err(e),
        };
        let facts = RecordFacts::new(&record);
        let keys = acc.add_with(&record, &facts);
        labels.extend(record.entities.iter().map(|e| e.label.clone()));
        categories.extend(record.hedges.iter().map(|h| h.category.clone()));
        if articles > 0 {
            out.write_all(b",\n").map_err(io)?;
        }
        serde_json::to_writer(
            ScriptSafe(out),
            &article_json(&record, &facts, &keys, &mut kinds),
        )
        .map_err(|e| io(e.into()))?;
        articles += 1;
    }
    out.write_all(b"]</script>\n").map_err(io)?;

    let (stats, grouping) = acc.finish_grouped();
    let mut html = String::new();
    overview(
        &mut html,
        &stats,
        skipped,
        first_error.as_deref(),
        &labels,
        &categories,
    );
    out.write_all(html.as_bytes()).map_err(io)?;

    // Colours of every label seen; then the metadata the script needs.
    let mut style = String::from("<style>\n");
    for l in &labels {
        let _ = writeln!(
            style,
            ".ent-{c}{{--ec:{col}}}",
            c = class_name(l),
            col = label_colour(l)
        );
    }
    style.push_str("</style>\n");
    out.write_all(style.as_bytes()).map_err(io)?;
    // The source groups for the claims view: `[name, label, claims, hedged, vague, articles,
    // other names]`, most claims first, and the group of every source key (`gk`).
    let groups: Vec<Value> = grouping
        .groups
        .iter()
        .map(|g| {
            let other: Vec<&str> = g
                .aliases
                .iter()
                .map(|(a, _)| a.as_str())
                .filter(|a| *a != g.name)
                .take(5)
                .collect();
            json!([
                g.name,
                g.label.as_deref().unwrap_or(""),
                g.claims,
                g.hedged,
                g.vague,
                g.documents,
                other.join("|"),
            ])
        })
        .collect();
    let meta = json!({
        "pageSize": opts.page_size.max(1),
        "claimPageSize": opts.claims_page_size.max(1),
        "maxChars": opts.max_chars.max(1000),
        "labels": labels,
        "categories": categories,
        "sources": stats.top_sources.iter().map(|s| s.name.as_str()).collect::<Vec<_>>(),
        "kinds": kinds.0,
        "groups": groups,
        "gk": grouping.group_of,
    });
    out.write_all(b"<script type=\"application/json\" id=\"caveat-meta\">")
        .map_err(io)?;
    serde_json::to_writer(ScriptSafe(out), &meta).map_err(|e| io(e.into()))?;
    write!(
        out,
        "</script>\n</main>\n<script>\n{JS}</script>\n</body>\n</html>\n"
    )
    .map_err(io)?;
    out.flush().map_err(io)?;
    Ok(ReportSummary {
        articles,
        skipped,
        first_error,
        stats,
    })
}

fn pct(x: f64) -> String {
    format!("{:.0}%", x * 100.0)
}

fn bar(x: f64) -> String {
    format!(
        "<span class=\"bar\"><span style=\"width:{:.1}%\"></span></span>",
        (x * 100.0).clamp(0.0, 100.0)
    )
}

/// The corpus overview (Rust-rendered, no script needed).
fn overview(
    h: &mut String,
    s: &CorpusStats,
    skipped: u64,
    first_error: Option<&str>,
    labels: &BTreeSet<String>,
    categories: &BTreeSet<String>,
) {
    let share = |a: u64, b: u64| if b == 0 { 0.0 } else { a as f64 / b as f64 };
    h.push_str("<section id=\"overview\" class=\"overview\" aria-label=\"Corpus overview\">\n<h2 class=\"section\">Corpus overview</h2>\n");
    if skipped > 0 {
        let _ = writeln!(
            h,
            "<p class=\"note warn\">{skipped} unreadable records were skipped (first: {}).</p>",
            esc(first_error.unwrap_or(""))
        );
    }
    h.push_str("<div class=\"cards\">\n");
    let card = |h: &mut String, n: String, label: &str, extra: String| {
        let _ = writeln!(
            h,
            "<div class=\"card\"><div class=\"n\">{n}</div><div class=\"l\">{label}</div><div class=\"x\">{extra}</div></div>"
        );
    };
    card(
        h,
        s.documents.to_string(),
        "articles",
        format!("{} characters", s.characters),
    );
    card(h, s.sentences.to_string(), "sentences", String::new());
    card(
        h,
        pct(s.uncertain_sentence_share),
        "uncertain sentences",
        format!("{} of {}", s.uncertain_sentences, s.sentences),
    );
    card(
        h,
        s.documents_with_uncertainty.to_string(),
        "articles with hedging",
        pct(share(s.documents_with_uncertainty, s.documents)),
    );
    card(h, s.entities.to_string(), "entities", String::new());
    card(
        h,
        s.hedges.to_string(),
        "hedge cues",
        format!("{} negated", s.negated_hedges),
    );
    card(
        h,
        s.attributions.to_string(),
        "attributions",
        format!("{} distinct sources", s.distinct_sources),
    );
    card(
        h,
        s.vague_attributions.to_string(),
        "vague sources",
        format!("{} of attributions", pct(s.vague_source_share)),
    );
    h.push_str("</div>\n<div class=\"panels\">\n");

    // Most-cited sources.
    h.push_str("<div class=\"panel\" id=\"ov-sources\"><h3>Most-cited sources</h3>");
    if s.top_sources.is_empty() {
        h.push_str("<p class=\"empty\">No attributions.</p>");
    } else {
        h.push_str("<p class=\"hint\">One row per source, however it is named; a name shows its claims, the article count the articles citing it.</p>");
        h.push_str("<table><thead><tr><th>source</th><th title=\"attributions\">cited</th><th title=\"articles\">arts</th><th>vague</th><th colspan=\"2\" title=\"attributions with a hedge cue or in an uncertain sentence\">hedged</th></tr></thead><tbody>");
        for src in &s.top_sources {
            let tag = src.label.as_deref().map_or(String::new(), |l| {
                format!(
                    " <span class=\"tag ent-{}\">{}</span>",
                    class_name(l),
                    esc(l)
                )
            });
            let also: Vec<&str> = src
                .aliases
                .iter()
                .map(|a| a.name.as_str())
                .filter(|a| *a != src.name)
                .collect();
            let also = if also.is_empty() {
                String::new()
            } else {
                format!(" (also as {})", also.join(", "))
            };
            let _ = write!(
                h,
                "<tr><td><a href=\"#\" class=\"go\" data-claims-source=\"{n}\" title=\"claims of {n}{also}\">{n}</a>{tag}</td>\
                 <td>{}</td><td><a href=\"#\" class=\"go\" data-source=\"{n}\" title=\"articles citing {n}\">{}</a></td><td>{}</td><td>{}</td><td>{}</td></tr>",
                src.citations,
                src.documents,
                src.vague,
                pct(src.hedged_share),
                bar(src.hedged_share),
                n = esc(&src.name),
                also = esc(&also),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div>\n");

    // Most hedged entities.
    h.push_str("<div class=\"panel\" id=\"ov-entities\"><h3>Most hedged entities</h3><p class=\"hint\">Mentions in uncertain sentences or inside hedged attributed content.</p>");
    if s.top_hedged_entities.is_empty() {
        h.push_str("<p class=\"empty\">None.</p>");
    } else {
        h.push_str("<table><thead><tr><th>entity</th><th>hedged</th><th>mentions</th><th colspan=\"2\">share</th></tr></thead><tbody>");
        for e in &s.top_hedged_entities {
            let _ = write!(
                h,
                "<tr><td><a href=\"#\" class=\"go\" data-search=\"{t}\">{t}</a> <span class=\"tag ent-{c}\">{l}</span></td>\
                 <td>{}</td><td>{}</td><td>{}</td><td>{}</td></tr>",
                e.hedged,
                e.mentions,
                pct(e.hedged_share),
                bar(e.hedged_share),
                t = esc(&e.text),
                c = class_name(&e.label),
                l = esc(&e.label),
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div>\n");

    // Hedged sentences per article.
    h.push_str("<div class=\"panel\" id=\"ov-articles\"><h3>Hedged sentences per article</h3><div class=\"hist\">");
    let max = s
        .uncertain_share_histogram
        .iter()
        .map(|b| b.documents)
        .max()
        .unwrap_or(0)
        .max(1);
    for b in &s.uncertain_share_histogram {
        let _ = write!(
            h,
            "<div class=\"hrow\"><span class=\"hlab\">{}</span>{}<span class=\"hn\">{}</span></div>",
            esc(&b.range),
            bar(b.documents as f64 / max as f64),
            b.documents
        );
    }
    h.push_str("</div>");
    if !s.most_uncertain_documents.is_empty() {
        h.push_str("<h4>Most uncertain articles</h4><table><thead><tr><th>article</th><th>hedged</th><th>share</th></tr></thead><tbody>");
        for d in &s.most_uncertain_documents {
            let name = d.title.as_deref().unwrap_or(&d.id);
            let _ = write!(
                h,
                "<tr><td><a href=\"#\" class=\"go\" data-goto=\"{}\" title=\"{}\">{}</a></td><td>{}/{}</td><td>{}</td></tr>",
                d.index,
                esc(&d.id),
                esc(&ellipsize(name, 60)),
                d.uncertain,
                d.sentences,
                pct(d.share)
            );
        }
        h.push_str("</tbody></table>");
    }
    h.push_str("</div>\n");

    // Hedge categories and cues; entity labels (one wide panel).
    h.push_str("<div class=\"panel wide\" id=\"ov-hedges\"><div><h3>Hedge cues by category</h3><table><tbody>");
    for c in &s.hedges_by_category {
        let _ = write!(
            h,
            "<tr><td><a href=\"#\" class=\"go\" data-cat=\"{n}\"><span class=\"hedge h-{k}\">{n}</span></a></td><td>{}</td><td>{}</td></tr>",
            c.count,
            pct(share(c.count, s.hedges)),
            n = esc(&c.name),
            k = class_name(&c.name)
        );
    }
    h.push_str("</tbody></table></div><div><h3>Most frequent cues</h3><p class=\"cues\">");
    for c in &s.top_hedge_cues {
        let _ = write!(
            h,
            "<span class=\"cue-chip\"><a href=\"#\" class=\"go\" data-search=\"{t}\"><span class=\"hedge h-{}\">{t}</span></a> {}</span> ",
            class_name(&c.category),
            c.count,
            t = esc(&c.cue),
        );
    }
    h.push_str("</p></div><div><h3>Entities by label</h3><table><tbody>");
    for c in &s.entities_by_label {
        let _ = write!(
            h,
            "<tr><td><a href=\"#\" class=\"go\" data-label=\"{n}\"><span class=\"ent ent-{k}\">{n}</span></a></td><td>{}</td><td>{}</td></tr>",
            c.count,
            pct(share(c.count, s.entities)),
            n = esc(&c.name),
            k = class_name(&c.name)
        );
    }
    h.push_str("</tbody></table></div></div>\n</div>\n");

    // Legend.
    h.push_str("<div class=\"legend\"><strong>Legend</strong> ");
    for l in labels {
        let _ = write!(
            h,
            "<span class=\"ent ent-{}\">{}</span> ",
            class_name(l),
            esc(l)
        );
    }
    for c in categories {
        let _ = write!(
            h,
            "<span class=\"hedge h-{}\" title=\"hedge cue\">{}</span> ",
            class_name(c),
            esc(c)
        );
    }
    h.push_str(
        "<span class=\"att-source\">source</span> <span class=\"att-cue\">cue</span> \
         <span class=\"att-content\">content</span> <span class=\"sent-u\">uncertain sentence</span> \
         <span class=\"flag vague\">vague</span></div>\n</section>\n",
    );
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::record::ReadRecord;
    use caveat_output::OffsetUnit;

    fn rec(json: &str) -> Result<Record, ReportError> {
        Record::from_json_line(json, 1, OffsetUnit::Chars)
    }

    fn render(
        records: Vec<Result<Record, ReportError>>,
        opts: &HtmlOptions,
    ) -> (String, ReportSummary) {
        let mut out = Vec::new();
        let summary = render_html(records, &mut out, opts).unwrap();
        (String::from_utf8(out).unwrap(), summary)
    }

    /// The JSON array in the data script, parsed back.
    fn data(html: &str) -> Vec<Value> {
        let start = html.find("id=\"caveat-data\">").unwrap() + "id=\"caveat-data\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end]).unwrap()
    }

    #[test]
    fn every_article_is_in_the_page_and_markup_is_escaped() {
        let evil = r#"{"id":"<img src=x onerror=alert(1)>","text":"</script><script>alert(1)</script> 🚄 Paris may fall.",
            "meta":{"title":"<b>bold</b>"},
            "sentences":[{"start":0,"end":52,"uncertain":true}],
            "entities":[{"start":37,"end":42,"label":"LOC\"><script>","text":"Paris"}],
            "hedges":[{"start":43,"end":46,"category":"epi<s>","attribution":null}],
            "attributions":[{"source":{"start":37,"end":42,"text":"Paris"},"cue":null,"content":{"start":43,"end":51,"text":"may fall"},"source_entity":0}]}"#;
        let records = vec![rec(evil), rec(r#"{"id":"b","text":"Nothing here."}"#)];
        let (html, summary) = render(records, &HtmlOptions::default());
        assert_eq!(summary.articles, 2);
        // The only script elements are ours: two JSON blocks, one style-free code block.
        assert_eq!(html.matches("<script").count(), 3, "injected script tags");
        assert!(!html.contains("<img src=x"));
        assert!(!html.contains("<b>bold</b>"));
        let d = data(&html);
        assert_eq!(d.len(), 2);
        assert_eq!(d[0]["i"], "<img src=x onerror=alert(1)>");
        assert_eq!(d[1]["i"], "b");
        // UTF-16 offsets: the emoji counts twice, so "Paris" starts at 38.
        assert_eq!(d[0]["e"][0][0], 38);
        let text = d[0]["x"].as_str().unwrap();
        let units: Vec<u16> = text.encode_utf16().collect();
        assert_eq!(String::from_utf16(&units[38..43]).unwrap(), "Paris");
        assert!(html.contains("id=\"caveat-meta\""));
        assert!(html.contains("id=\"overview\""));
    }

    #[test]
    fn paging_metadata_and_overview() {
        let records: Vec<_> = (0..45)
            .map(|i| {
                rec(&format!(
                    r#"{{"id":"d{i}","text":"Officials said it may rain.","sentences":[{{"start":0,"end":27,"uncertain":true}}],
                    "hedges":[{{"start":18,"end":21,"text":"may","category":"epistemic","attribution":0}}],
                    "attributions":[{{"source":{{"start":0,"end":9,"text":"Officials"}},"cue":{{"start":10,"end":14,"text":"said"}},"content":{{"start":15,"end":26,"text":"it may rain"}},"vague":true}}]}}"#
                ))
            })
            .collect();
        let opts = HtmlOptions {
            page_size: 20,
            ..HtmlOptions::default()
        };
        let (html, summary) = render(records, &opts);
        assert_eq!(summary.articles, 45);
        assert_eq!(data(&html).len(), 45);
        assert!(html.contains("\"pageSize\":20"));
        assert!(html.contains("data-source=\"Officials\""));
        assert_eq!(summary.stats.vague_attributions, 45);
        assert!(html.contains("id=\"pager-top\""));
    }

    /// The page's metadata, parsed back.
    fn meta(html: &str) -> Value {
        let start = html.find("id=\"caveat-meta\">").unwrap() + "id=\"caveat-meta\">".len();
        let end = start + html[start..].find("</script>").unwrap();
        serde_json::from_str(&html[start..end]).unwrap()
    }

    #[test]
    fn claims_by_source_and_the_cluster_layer() {
        use crate::sources::tests::{record, said, Att};
        let mut first = record(
            "1",
            "Donald Trump said it may rain. He added that.",
            &[("Donald Trump", "PER")],
            &[("Donald Trump", "PER", &[0])],
            &[
                Att {
                    cluster: Some(0),
                    ..said("Donald Trump", Some(0))
                },
                Att {
                    source: "He",
                    entity: None,
                    cluster: Some(0),
                    cue: "added",
                    content: "that",
                },
            ],
        );
        first.attributions[0].content = Some(caveat_output::Part {
            start: 18,
            end: 29,
            text: "it may rain".into(),
        });
        first.attributions[1].kind = "belief".into();
        first.hedges.push(caveat_output::Hedge {
            start: 21,
            end: 24,
            text: "may".into(),
            category: "epistemic".into(),
            attribution: Some(0),
            ..Default::default()
        });
        let second = record(
            "2",
            "Mr Trump said it in Paris.",
            &[("Trump", "PER"), ("Paris", "LOC")],
            &[("Paris", "LOC", &[1])],
            &[said("Mr Trump", Some(0))],
        );
        let third = record("3", "They said it.", &[], &[], &[said("They", None)]);
        let (html, summary) = render(
            vec![Ok(first), Ok(second), Ok(third)],
            &HtmlOptions::default(),
        );
        assert!(html.contains("<section id=\"claims\""));
        assert!(html.contains("id=\"claims-list\""));
        for filter in ["c-source", "c-kind", "c-cat", "c-hedged"] {
            assert!(html.contains(&format!("id=\"{filter}\"")), "{filter}");
        }
        assert!(html.contains("data-layer=\"clusters\""));
        // The overview's source names lead to their claims.
        assert!(html.contains("data-claims-source=\"Donald Trump\""));
        assert_eq!(summary.stats.top_sources.len(), 1);

        let d = data(&html);
        let m = meta(&html);
        let group = |t: &Value| -> Option<String> {
            let k = t[10].as_i64().unwrap();
            (k >= 0).then(|| {
                let g = m["gk"][k as usize].as_u64().unwrap() as usize;
                m["groups"][g][0].as_str().unwrap().to_string()
            })
        };
        // All three named claims are Donald Trump's: "He" through the cluster, "Mr Trump"
        // through the corpus-wide join; "They" names nobody.
        let groups: Vec<Option<String>> = d
            .iter()
            .flat_map(|doc| doc["a"].as_array().unwrap().iter().map(group))
            .collect();
        let trump = Some("Donald Trump".to_string());
        assert_eq!(groups, [trump.clone(), trump.clone(), trump, None]);
        assert_eq!(m["groups"][0][2], 3, "claims");
        assert_eq!(m["groups"][0][3], 1, "hedged");
        let kinds: Vec<&str> = m["kinds"]
            .as_array()
            .unwrap()
            .iter()
            .map(|k| k.as_str().unwrap())
            .collect();
        let kind_of = |t: &Value| kinds[t[11].as_u64().unwrap() as usize];
        assert_eq!(kind_of(&d[0]["a"][0]), "statement");
        assert_eq!(kind_of(&d[0]["a"][1]), "belief");
        // Hedged, with the hedge cue inside its content and pointing at it.
        let a = &d[0]["a"][0];
        assert_eq!(a[9], 1);
        let h = &d[0]["h"][0];
        assert_eq!((h[2].as_str(), h[5].as_i64()), (Some("epistemic"), Some(0)));
        assert!(a[4].as_i64() <= h[0].as_i64() && h[1].as_i64() <= a[5].as_i64());
        // Clusters: names, each entity's cluster, each attribution's source cluster.
        assert_eq!(d[0]["c"], json!([["Donald Trump", "PER"]]));
        assert_eq!(d[0]["e"][0][4], 0);
        assert_eq!(d[0]["a"][1][13], 0);
        // A cluster of one mention that no source refers to is not shown.
        assert!(d[1].get("c").is_none());
        assert_eq!(
            (d[1]["e"][0][4].as_i64(), d[1]["e"][1][4].as_i64()),
            (Some(-1), Some(-1))
        );
        let r = record(
            "4",
            "Ann Lee met Bob Smith. Ann said it.",
            &[("Ann Lee", "PER"), ("Bob Smith", "PER"), ("Ann#2", "PER")],
            &[("Ann Lee", "PER", &[0, 2]), ("Bob Smith", "PER", &[1])],
            &[],
        );
        let facts = RecordFacts::new(&r);
        let v = article_json(&r, &facts, &[], &mut Kinds(vec![String::new()]));
        assert_eq!(v["c"], json!([["Ann Lee", "PER"], 0]));
        let clusters: Vec<i64> = v["e"]
            .as_array()
            .unwrap()
            .iter()
            .map(|e| e[4].as_i64().unwrap())
            .collect();
        assert_eq!(clusters, [0, -1, 0]);
    }

    #[test]
    fn invalid_records_fail_or_are_skipped() {
        let bad = || vec![rec(r#"{"id":"a","text":"x"}"#), rec("[1]")];
        assert!(render_html(bad(), &mut Vec::new(), &HtmlOptions::default()).is_err());
        let opts = HtmlOptions {
            skip_invalid: true,
            ..HtmlOptions::default()
        };
        let (html, summary) = render(bad(), &opts);
        assert_eq!((summary.articles, summary.skipped), (1, 1));
        assert!(html.contains("1 unreadable records were skipped"));
        // A shard part is not skipped into a report of part of the corpus.
        let part = vec![
            rec(r#"{"id":"a","text":"x"}"#),
            rec(r#"{"caveat_part":{"format":1,"shard":0,"of":2}}"#),
        ];
        let e = render_html(part, &mut Vec::new(), &opts).unwrap_err();
        assert!(matches!(e, ReportError::ShardPart { line: 1, .. }), "{e:?}");
    }

    #[test]
    fn script_safe_escapes_every_lt() {
        let mut out = Vec::new();
        ScriptSafe(&mut out).write_all(b"a<b<</").unwrap();
        assert_eq!(out, b"a\\u003cb\\u003c\\u003c/");
    }
}
