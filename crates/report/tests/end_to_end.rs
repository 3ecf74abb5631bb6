//! End to end: a JSONL file of caveat output (written here, with awkward records) through the
//! report, the statistics and every export, read back and checked against the text.

use std::fs;
use std::io::Write;

use caveat_report::{
    export_conll, export_spacy_json, open_jsonl, render_html, stats, BratExporter, ConllOptions,
    HtmlOptions, Record, SpacyOptions,
};
use serde_json::{json, Value};

/// Code-point slice.
fn cp(text: &str, s: usize, e: usize) -> String {
    text.chars().skip(s).take(e - s).collect()
}

/// A record whose spans are found by searching the text (code points), so they are right by
/// construction.
fn record(id: &str, text: &str, ents: &[(&str, &str)], hedges: &[(&str, &str)]) -> Value {
    let find = |needle: &str| {
        let b = text.find(needle).expect("needle in text");
        let s = text[..b].chars().count();
        (s, s + needle.chars().count())
    };
    let n = text.chars().count();
    json!({
        "id": id,
        "text": text,
        "sentences": [{"start": 0, "end": n, "uncertain": !hedges.is_empty(), "uncertainty": 1.0}],
        "entities": ents.iter().map(|(t, l)| { let (s, e) = find(t); json!({"start": s, "end": e, "label": l, "text": t, "score": 0.9}) }).collect::<Vec<_>>(),
        "hedges": hedges.iter().map(|(t, c)| { let (s, e) = find(t); json!({"start": s, "end": e, "text": t, "category": c, "sentence": 0, "score": 1.0, "negated": false, "attribution": 0}) }).collect::<Vec<_>>(),
        "attributions": if ents.is_empty() { json!([]) } else {
            let (s, e) = find(ents[0].0);
            json!([{"source": {"start": s, "end": e, "text": ents[0].0}, "cue": null,
                    "content": {"start": e, "end": n, "text": cp(text, e, n)}, "source_entity": 0,
                    "vague": false, "cites": null, "sentence": 0, "score": 1.0}])
        },
        "meta": {"title": format!("Title of {id}")},
    })
}

fn corpus_file(dir: &std::path::Path) -> (std::path::PathBuf, usize) {
    let mut lines = vec![
        record(
            "a/1",
            "Zoë Ça said the 🚄 may be late in Köln.",
            &[("Zoë Ça", "PER"), ("Köln", "LOC")],
            &[("may", "epistemic")],
        ),
        record(
            "<script>alert(1)</script>",
            "<script>alert(1)</script> Reuters reportedly said so.",
            &[("Reuters", "ORG")],
            &[("reportedly", "evidential")],
        ),
        record("empty", "", &[], &[]),
        record(
            "lines",
            "Officials said\r\nParis could\n\nfall.",
            &[("Paris", "LOC")],
            &[("could", "epistemic")],
        ),
    ];
    // A 1 MB article with 20,000 entities and hedges: everything must stay linear.
    let unit = "Ann Lee thinks rain may fall in Oslo. ";
    let big_text = unit.repeat(28_000);
    let mut big = record("big", &big_text, &[], &[]);
    let per_unit: Vec<Value> = (0..20_000)
        .map(|k| json!({"start": k * 38, "end": k * 38 + 7, "label": "PER", "text": "Ann Lee", "score": 1.0}))
        .collect();
    let hedges: Vec<Value> = (0..20_000)
        .map(|k| json!({"start": k * 38 + 20, "end": k * 38 + 23, "text": "may", "category": "epistemic", "sentence": 0, "score": 1.0, "negated": false, "attribution": null}))
        .collect();
    big["entities"] = Value::Array(per_unit);
    big["hedges"] = Value::Array(hedges);
    big["sentences"][0]["uncertain"] = json!(true);
    lines.push(big);
    let path = dir.join("out.jsonl");
    let mut f = std::io::BufWriter::new(fs::File::create(&path).unwrap());
    f.write_all("\u{feff}".as_bytes()).unwrap();
    for (i, l) in lines.iter().enumerate() {
        // CRLF line ends and a blank line, as caveat's reader accepts.
        write!(f, "{l}\r\n").unwrap();
        if i == 1 {
            f.write_all(b"\n").unwrap();
        }
    }
    f.flush().unwrap();
    (path, lines.len())
}

fn read_all(path: &std::path::Path) -> Vec<Record> {
    open_jsonl(path).unwrap().map(Result::unwrap).collect()
}

#[test]
fn report_stats_and_exports_of_a_file() {
    let dir = tempfile::tempdir().unwrap();
    let (path, n) = corpus_file(dir.path());
    let records = read_all(&path);
    assert_eq!(records.len(), n);
    assert_eq!(cp(&records[0].text, 0, 3), "Zoë");

    // HTML: every article, nothing injected.
    let mut html = Vec::new();
    let summary = render_html(
        open_jsonl(&path).unwrap(),
        &mut html,
        &HtmlOptions::default(),
    )
    .unwrap();
    let html = String::from_utf8(html).unwrap();
    assert_eq!(summary.articles as usize, n);
    assert_eq!(html.matches("<script").count(), 3);
    for r in &records {
        let id = serde_json::to_string(&r.id)
            .unwrap()
            .replace('<', "\\u003c");
        assert!(
            html.contains(&format!("\"i\":{id}")),
            "article {} missing",
            r.id
        );
    }

    // Statistics agree with the records.
    let s = stats(open_jsonl(&path).unwrap(), 5).unwrap();
    assert_eq!(s.documents as usize, n);
    assert_eq!(
        s.entities as usize,
        records.iter().map(|r| r.entities.len()).sum::<usize>()
    );
    assert_eq!(
        s.hedges as usize,
        records.iter().map(|r| r.hedges.len()).sum::<usize>()
    );
    assert_eq!(s.top_hedged_entities[0].text, "Ann Lee");

    // brat: every T span (and fragment) slices the .txt in code points.
    let brat = dir.path().join("brat");
    let mut ex = BratExporter::new(&brat).unwrap();
    let anns: Vec<_> = records.iter().map(|r| ex.write(r).unwrap()).collect();
    ex.finish().unwrap();
    let mut spans = 0;
    for ann in &anns {
        let txt = fs::read_to_string(ann.with_extension("txt")).unwrap();
        let chars: Vec<char> = txt.chars().collect();
        for line in fs::read_to_string(ann)
            .unwrap()
            .lines()
            .filter(|l| l.starts_with('T'))
        {
            let cols: Vec<&str> = line.split('\t').collect();
            let (_, offsets) = cols[1].split_once(' ').unwrap();
            let text: Vec<String> = offsets
                .split(';')
                .map(|f| {
                    let (s, e) = f.split_once(' ').unwrap();
                    chars[s.parse::<usize>().unwrap()..e.parse::<usize>().unwrap()]
                        .iter()
                        .collect()
                })
                .collect();
            assert_eq!(text.join(" "), cols[2], "{}: {line}", ann.display());
            spans += 1;
        }
    }
    assert!(spans > 40_000);
    assert!(
        anns.iter().all(|p| p.parent() == Some(brat.as_path())),
        "ids stay in the directory"
    );

    // CoNLL: entities read back from the BIO tags equal the records' entities.
    for r in &records {
        let mut out = Vec::new();
        export_conll(r, &mut out, &ConllOptions::default()).unwrap();
        let conll = String::from_utf8(out).unwrap();
        let chars: Vec<char> = r.text.chars().collect();
        let mut pos = 0;
        let mut got: Vec<(usize, usize, String)> = Vec::new();
        for line in conll
            .lines()
            .filter(|l| !l.is_empty() && !l.starts_with("-DOCSTART-"))
        {
            let (tok, tag) = line.rsplit_once(' ').unwrap();
            let tok: Vec<char> = tok.chars().collect();
            let start = (pos..chars.len())
                .find(|&i| chars[i..].starts_with(&tok))
                .unwrap();
            pos = start + tok.len();
            if let Some(l) = tag.strip_prefix("B-") {
                got.push((start, pos, l.to_string()));
            } else if tag.starts_with("I-") {
                got.last_mut().unwrap().1 = pos;
            }
        }
        let want: Vec<(usize, usize, String)> = r
            .entities
            .iter()
            .map(|e| (e.start, e.end, e.label.clone()))
            .collect();
        assert_eq!(got, want, "{}", r.id);
    }

    // spaCy: the tokens and their gaps rebuild the text; entity offsets are token edges.
    for r in &records {
        let mut out = Vec::new();
        export_spacy_json(r, &mut out, &SpacyOptions::default()).unwrap();
        let doc: Value = serde_json::from_slice(&out).unwrap();
        let toks = doc["tokens"].as_array().unwrap();
        let chars: Vec<char> = r.text.chars().collect();
        let mut pos = 0;
        for t in toks {
            let (s, e) = (
                t["start"].as_u64().unwrap() as usize,
                t["end"].as_u64().unwrap() as usize,
            );
            assert!(
                s == pos || (s == pos + 1 && chars[pos] == ' '),
                "{} at {s}",
                r.id
            );
            pos = e;
        }
        assert!(chars.len() - pos <= 1);
        assert_eq!(doc["ents"].as_array().unwrap().len(), r.entities.len());
    }
}
