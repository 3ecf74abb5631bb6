//! Sources resolved to the entity they refer to (`coref` stage, issue #13), on articles written
//! for the repository with name variants ("Donald Trump", "Mr Trump", "the president"), acronyms
//! defined in parentheses, pronoun, surname and nominal sources, and sources a careful reader
//! cannot resolve ("he" after two men, "the club" after two clubs, an unnamed lawyer):
//! `tests/data/coref-news.jsonl`, with the expected referent of each source in
//! `tests/data/coref-news.expected.jsonl` (`name` null where there is none).
//!
//! The attribution stage decides which sources exist; these tests judge what the coref stage
//! does with the ones it found, and report every failure at once.

use std::collections::{BTreeSet, HashMap};
use std::sync::OnceLock;

use caveat_text::names::{abbreviates, fold, is_acronym};
use serde_json::Value;

use crate::harness::*;

/// The articles, the expected sources, the pipeline's output and `caveat stats --json` on it.
struct Run {
    input: Vec<Value>,
    expected: HashMap<String, Vec<Value>>,
    output: Vec<Value>,
    stats: Value,
}

fn run() -> &'static Run {
    static RUN: OnceLock<Run> = OnceLock::new();
    RUN.get_or_init(|| {
        let data = root().join("tests/data");
        let articles = data.join("coref-news.jsonl");
        let input = jsonl(&std::fs::read(&articles).unwrap());
        let expected = jsonl(&std::fs::read(data.join("coref-news.expected.jsonl")).unwrap())
            .into_iter()
            .map(|e| {
                let id = e["id"].as_str().unwrap().to_string();
                (id, e["sources"].as_array().unwrap().clone())
            })
            .collect();
        let dir = tempfile::tempdir().unwrap();
        let news = pipeline("news.toml");
        let out = caveat(
            dir.path(),
            &[
                "run",
                "-q",
                "-p",
                news.to_str().unwrap(),
                articles.to_str().unwrap(),
                "-o",
                "out.jsonl",
            ],
        );
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        let output = jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap());
        let s = caveat(
            dir.path(),
            &["stats", "--json", "--top", "100000", "out.jsonl"],
        );
        assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
        let stats = serde_json::from_slice(&s.stdout).unwrap();
        Run {
            input,
            expected,
            output,
            stats,
        }
    })
}

fn span(v: &Value) -> (u64, u64) {
    (v["start"].as_u64().unwrap(), v["end"].as_u64().unwrap())
}

/// Words that say nothing about who a source is: an output source made of these alone ("the"
/// for "the UN agency", "One" for "One resident") is an attribution-stage miss, not a source
/// to judge.
const EMPTY_WORDS: &[&str] = &["the", "a", "an", "one", "some"];

fn content_words(s: &str) -> BTreeSet<String> {
    s.split(|c: char| !c.is_alphanumeric() && c != '-')
        .map(str::to_lowercase)
        .filter(|w| !w.is_empty() && !EMPTY_WORDS.contains(&w.as_str()))
        .collect()
}

/// The output attribution for an expected source: its source overlaps the expected span and
/// shares a word with it; among several, the one whose cue contains the expected cue.
fn matching<'a>(rec: &'a Value, exp: &Value) -> Option<&'a Value> {
    let (s, e) = span(exp);
    let words = content_words(exp["text"].as_str().unwrap());
    let cue = exp["cue"].as_str().unwrap().to_lowercase();
    let found: Vec<&Value> = rec["attributions"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|a| {
            let src = &a["source"];
            if src.is_null() {
                return false;
            }
            let (as_, ae) = span(src);
            as_ < e && s < ae && !content_words(src["text"].as_str().unwrap()).is_disjoint(&words)
        })
        .collect();
    found
        .iter()
        .find(|a| {
            a["cue"]["text"]
                .as_str()
                .is_some_and(|c| c.to_lowercase().contains(&cue))
        })
        .or(found.first())
        .copied()
}

fn index(v: &Value) -> Option<usize> {
    v.as_u64().map(|i| i as usize)
}

/// Every entity is in exactly the cluster that lists it; clusters have a name and mentions;
/// every `source_cluster` is a cluster. Pushes what is wrong onto `failures`.
fn check_clusters(rec: &Value, failures: &mut Vec<String>) {
    let id = rec["id"].as_str().unwrap();
    let entities = rec["entities"].as_array().unwrap();
    let clusters = rec["clusters"].as_array().unwrap();
    for (i, e) in entities.iter().enumerate() {
        match index(&e["cluster"]) {
            Some(c) if c < clusters.len() => {
                if !clusters[c]["mentions"]
                    .as_array()
                    .unwrap()
                    .iter()
                    .any(|m| index(m) == Some(i))
                {
                    failures.push(format!(
                        "{id}: entity {i} {:?} says cluster {c}, which does not list it",
                        e["text"]
                    ));
                }
            }
            c => failures.push(format!(
                "{id}: entity {i} {:?} has cluster {c:?} (of {})",
                e["text"],
                clusters.len()
            )),
        }
    }
    for (c, cl) in clusters.iter().enumerate() {
        let name = cl["name"].as_str().unwrap_or_default();
        let mentions = cl["mentions"].as_array().unwrap();
        if name.trim().is_empty() || mentions.is_empty() {
            failures.push(format!("{id}: cluster {c} {cl} has no name or no mentions"));
        }
        for m in mentions {
            match index(m).and_then(|i| entities.get(i)) {
                Some(e) if index(&e["cluster"]) == Some(c) => {}
                _ => failures.push(format!(
                    "{id}: cluster {c} {name:?} lists mention {m}, not an entity of that cluster"
                )),
            }
        }
        // The canonical name is one of its mentions (the longest proper one).
        if !mentions.iter().any(|m| {
            index(m)
                .and_then(|i| entities.get(i))
                .is_some_and(|e| fold(e["text"].as_str().unwrap()) == fold(name))
        }) {
            failures.push(format!(
                "{id}: cluster {c} is named {name:?}, which none of its mentions is"
            ));
        }
    }
    for (i, a) in rec["attributions"].as_array().unwrap().iter().enumerate() {
        if let Some(c) = index(&a["source_cluster"]) {
            if c >= clusters.len() {
                failures.push(format!(
                    "{id}: attribution {i} has source_cluster {c} of {}",
                    clusters.len()
                ));
            }
        }
    }
}

#[test]
fn sources_resolve_to_the_cluster_of_their_referent() {
    let run = run();
    assert_eq!(run.output.len(), run.input.len());
    let mut failures = Vec::new();
    let (mut named, mut named_found, mut unnamed, mut unnamed_found) = (0, 0, 0, 0);
    for (rec, inp) in run.output.iter().zip(&run.input) {
        let id = rec["id"].as_str().unwrap();
        assert_eq!(rec["id"], inp["id"]);
        assert_eq!(rec["text"], inp["text"]);
        check_offsets(rec);
        check_clusters(rec, &mut failures);
        let clusters = rec["clusters"].as_array().unwrap();
        let text: Vec<char> = rec["text"].as_str().unwrap().chars().collect();
        for exp in &run.expected[id] {
            let (s, e) = span(exp);
            // The expected file's own offsets slice the text too.
            let sliced: String = text[s as usize..e as usize].iter().collect();
            assert_eq!(sliced, exp["text"].as_str().unwrap(), "{id}: {exp}");
            let want = exp["name"].as_str();
            if want.is_some() {
                named += 1;
            } else {
                unnamed += 1;
            }
            let Some(a) = matching(rec, exp) else {
                continue;
            };
            let got = index(&a["source_cluster"]).and_then(|c| clusters.get(c));
            let got_name = got.map(|c| c["name"].as_str().unwrap());
            let what = format!(
                "{id}: source {:?} ({}) of {:?} at {s}..{e}",
                a["source"]["text"], exp["type"], a["cue"]["text"]
            );
            match want {
                Some(name) => {
                    named_found += 1;
                    if got_name.map(fold) != Some(fold(name)) {
                        failures.push(format!("{what}: cluster {got_name:?}, want {name:?}"));
                    }
                }
                None => {
                    unnamed_found += 1;
                    if let Some(g) = got_name {
                        failures.push(format!(
                            "{what}: resolved to {g:?}, but a careful reader cannot name it"
                        ));
                    }
                }
            }
        }
    }
    eprintln!(
        "coref-news: {named_found} of {named} sources with a referent found by the attribution \
         stage, {unnamed_found} of {unnamed} without one"
    );
    // The attribution stage must find most of them, or this test would judge little.
    assert!(
        named_found * 4 >= named * 3,
        "only {named_found} of {named} expected sources found"
    );
    assert!(
        failures.is_empty(),
        "{} failures:\n{}",
        failures.len(),
        failures.join("\n")
    );
}

#[test]
fn stats_give_one_row_per_person_or_organisation() {
    let run = run();
    let rows: Vec<(String, String)> = run.stats["top_sources"]
        .as_array()
        .unwrap()
        .iter()
        .map(|r| {
            let name = r["name"].as_str().unwrap().to_string();
            (fold(&name), name)
        })
        .collect();
    let mut failures = Vec::new();
    for (i, (fa, a)) in rows.iter().enumerate() {
        for (fb, b) in &rows[i + 1..] {
            if fa == fb {
                failures.push(format!("two rows {a:?} and {b:?}"));
            }
        }
        for (fb, b) in &rows {
            // "Trump" beside "Donald Trump", "Commission" beside "European Commission", "Park"
            // beside "Park Ji-hoon" (family name first).
            let (first, last) = (
                fb.split(' ').next().unwrap(),
                fb.rsplit(' ').next().unwrap(),
            );
            if !fa.contains(' ') && fb.contains(' ') && (fa == first || fa == last) {
                failures.push(format!("{a:?} is a row of its own beside {b:?}"));
            }
            // "NIS" beside "National Intelligence Service".
            if is_acronym(a) && a != b && abbreviates(a, b) {
                failures.push(format!("{a:?} is a row of its own beside {b:?}"));
            }
        }
    }

    // Across the corpus a person is one row under the fullest name any article gives: "Trump"
    // (an article that never says "Donald") goes with "Donald Trump".
    let names: BTreeSet<String> = run
        .expected
        .values()
        .flatten()
        .filter_map(|s| s["name"].as_str().map(fold))
        .collect();
    let corpus_name = |n: &str| -> String {
        let f = fold(n);
        if !f.contains(' ') {
            if let Some(full) = names
                .iter()
                .find(|m| m.contains(' ') && m.rsplit(' ').next() == Some(f.as_str()))
            {
                return full.clone();
            }
        }
        f
    };
    // Surfaces that never name anyone ("the club" in one article) may be rows of their own.
    let unnamed: BTreeSet<String> = run
        .expected
        .values()
        .flatten()
        .filter(|s| s["name"].is_null())
        .map(|s| fold(s["text"].as_str().unwrap()))
        .collect();
    let folded: BTreeSet<&str> = rows.iter().map(|(f, _)| f.as_str()).collect();
    for rec in &run.output {
        let id = rec["id"].as_str().unwrap();
        for exp in &run.expected[id] {
            let (Some(name), Some(_)) = (exp["name"].as_str(), matching(rec, exp)) else {
                continue;
            };
            let canonical = corpus_name(name);
            if !folded.contains(canonical.as_str()) {
                failures.push(format!(
                    "{id}: no row for {canonical:?}, the source of {:?} ({})",
                    exp["text"], exp["cue"]
                ));
            }
            let variant = fold(exp["text"].as_str().unwrap());
            if exp["type"] != "pronoun"
                && variant != canonical
                && !unnamed.contains(&variant)
                && folded.contains(variant.as_str())
            {
                failures.push(format!(
                    "{id}: {:?} is a row of its own, not counted under {canonical:?}",
                    exp["text"]
                ));
            }
        }
    }
    failures.sort();
    failures.dedup();
    assert!(
        failures.is_empty(),
        "{} failures in top_sources {rows:?}:\n{}",
        failures.len(),
        failures.join("\n")
    );
}
