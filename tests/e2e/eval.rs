//! `caveat eval`: its figures must equal what a hand-written scorer computes from `caveat run`
//! output on the same raw text (tiny gold files written here).

use serde_json::Value;

use crate::harness::*;

fn f1(tp: usize, fp: usize, fn_: usize) -> (f64, f64, f64) {
    let p = if tp + fp > 0 {
        tp as f64 / (tp + fp) as f64
    } else {
        0.0
    };
    let r = if tp + fn_ > 0 {
        tp as f64 / (tp + fn_) as f64
    } else {
        0.0
    };
    (
        p,
        r,
        if p + r > 0.0 {
            2.0 * p * r / (p + r)
        } else {
            0.0
        },
    )
}

/// Run the default pipeline on `{"id","text"}` records; returns the output records.
fn run_texts(dir: &std::path::Path, texts: &[(&str, String)]) -> Vec<Value> {
    let input: String = texts
        .iter()
        .map(|(id, t)| serde_json::json!({"id": id, "text": t}).to_string() + "\n")
        .collect();
    let news = pipeline("news.toml");
    let out = caveat_stdin(
        dir,
        &["run", "-p", news.to_str().unwrap()],
        Some(input.as_bytes()),
    );
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    jsonl(&out.stdout)
}

fn stdout(out: &std::process::Output) -> String {
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    String::from_utf8(out.stdout.clone()).unwrap()
}

#[test]
fn eval_ner_is_conlleval_on_raw_text() {
    let dir = tempfile::tempdir().unwrap();
    // Gold: 5 entities; "Smith" is deliberately mislabelled ORG so that some disagreement is certain.
    let conll = "-DOCSTART- -X- -X- O\n\nJohn NNP B-NP B-PER\nSmith NNP I-NP I-PER\nvisited VBD B-VP O\nParis NNP B-NP B-LOC\n. . O O\n\nThe DT B-NP O\nEuropean NNP I-NP B-ORG\nCommission NNP I-NP I-ORG\nsaid VBD B-VP O\nMary NNP B-NP B-ORG\nSmith NNP I-NP I-ORG\nwas VBD B-VP O\nright JJ B-ADJP O\n. . O O\n\nGerman JJ B-NP B-MISC\nbeer NN I-NP O\n. . O O\n";
    std::fs::write(dir.path().join("gold.conll"), conll).unwrap();
    let text = "John Smith visited Paris .\nThe European Commission said Mary Smith was right .\nGerman beer .";
    let gold: Vec<(usize, usize, &str)> = vec![
        (0, 10, "PER"),
        (19, 24, "LOC"),
        (31, 50, "ORG"),
        (56, 66, "ORG"),
        (79, 85, "MISC"),
    ];
    let names: Vec<&str> = gold.iter().map(|(s, e, _)| &text[*s..*e]).collect();
    assert_eq!(
        names,
        [
            "John Smith",
            "Paris",
            "European Commission",
            "Mary Smith",
            "German"
        ]
    );
    let recs = run_texts(dir.path(), &[("d", text.to_string())]);
    let pred: Vec<(usize, usize, String)> = recs[0]["entities"]
        .as_array()
        .unwrap()
        .iter()
        .map(|e| {
            (
                e["start"].as_u64().unwrap() as usize,
                e["end"].as_u64().unwrap() as usize,
                e["label"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let tp = pred
        .iter()
        .filter(|p| {
            gold.iter()
                .any(|g| (g.0, g.1, g.2) == (p.0, p.1, p.2.as_str()))
        })
        .count();
    let (p, r, f) = f1(tp, pred.len() - tp, gold.len() - tp);
    let out = stdout(&caveat(
        dir.path(),
        &[
            "eval",
            "ner",
            "-p",
            pipeline("news.toml").to_str().unwrap(),
            "--gold",
            "gold.conll",
        ],
    ));
    let expected = format!(
        "overall  P {:6.2}  R {:6.2}  F1 {:6.2}  (tp {tp} fp {} fn {})",
        100.0 * p,
        100.0 * r,
        100.0 * f,
        pred.len() - tp,
        gold.len() - tp
    );
    assert!(out.contains(&expected), "expected `{expected}` in\n{out}");
    assert!(tp >= 3 && tp < gold.len(), "tp {tp}: {pred:?}");
}

#[test]
fn eval_hedge_scores_cues_and_sentences_like_the_checks() {
    let dir = tempfile::tempdir().unwrap();
    let xml = r#"<?xml version="1.0" encoding="UTF-8"?>
<Annotation>
<Document type="Wiki">
<DocID>d1</DocID>
<Sentence id="s1">The agency <ccue type="speculation_hypo_doxastic">alleges</ccue> that troops <ccue type="speculation_modal_possible_">may</ccue> move.</Sentence>
<Sentence id="s2">Paris is the capital of France.</Sentence>
<Sentence id="s3">The <ccue type="speculation_modal_probable_">unverified</ccue> report was read by a table of experts.</Sentence>
<Sentence id="s4">He said the results were <ccue type="speculation_modal_possible_">table</ccue>.</Sentence>
</Document>
</Annotation>
"#;
    std::fs::write(dir.path().join("gold.xml"), xml).unwrap();
    let sents = [
        "The agency alleges that troops may move.",
        "Paris is the capital of France.",
        "The unverified report was read by a table of experts.",
        "He said the results were table.",
    ];
    let text = sents.join("\n");
    // Gold cue spans (bytes = chars here) and sentence spans.
    let find = |s: usize, w: &str| {
        let start: usize =
            sents[..s].iter().map(|x| x.len() + 1).sum::<usize>() + sents[s].find(w).unwrap();
        (start, start + w.len())
    };
    let gold = [
        find(0, "alleges"),
        find(0, "may"),
        find(2, "unverified"),
        find(3, "table"),
    ];
    let mut sent_spans = Vec::new();
    let mut pos = 0;
    for s in sents {
        sent_spans.push((pos, pos + s.len()));
        pos += s.len() + 1;
    }
    let recs = run_texts(dir.path(), &[("d1#0", text.clone())]);
    let pred: Vec<(usize, usize)> = recs[0]["hedges"]
        .as_array()
        .unwrap()
        .iter()
        .filter(|h| !matches!(h["category"].as_str().unwrap(), "evidential" | "weasel"))
        .map(|h| {
            (
                h["start"].as_u64().unwrap() as usize,
                h["end"].as_u64().unwrap() as usize,
            )
        })
        .collect();
    let mut used = [false; 4];
    let (mut tp, mut fp) = (0, 0);
    for &(a, b) in &pred {
        match (0..4).find(|&i| !used[i] && a < gold[i].1 && gold[i].0 < b) {
            Some(i) => {
                used[i] = true;
                tp += 1
            }
            None => fp += 1,
        }
    }
    let fn_ = used.iter().filter(|u| !**u).count();
    let (mut stp, mut sfp, mut sfn) = (0, 0, 0);
    for &(s, e) in &sent_spans {
        let g = gold.iter().any(|&(a, _)| s <= a && a < e);
        let p = pred.iter().any(|&(a, _)| s <= a && a < e);
        stp += (g && p) as usize;
        sfp += (p && !g) as usize;
        sfn += (g && !p) as usize;
    }
    let out = stdout(&caveat(
        dir.path(),
        &[
            "eval",
            "hedge",
            "-p",
            pipeline("news.toml").to_str().unwrap(),
            "--gold",
            "gold.xml",
        ],
    ));
    let (p, r, f) = f1(tp, fp, fn_);
    let cues = format!("cues       P {p:.3}  R {r:.3}  F1 {f:.3}   (tp {tp} fp {fp} fn {fn_})");
    let (p, r, f) = f1(stp, sfp, sfn);
    let sentences =
        format!("sentences  P {p:.3}  R {r:.3}  F1 {f:.3}   (tp {stp} fp {sfp} fn {sfn})");
    assert!(
        out.contains(&cues) && out.contains(&sentences),
        "expected `{cues}` and `{sentences}` in\n{out}"
    );
    // The model finds the three real cues, and the gold "table" is not a hedge.
    assert_eq!((tp, fn_), (3, 1), "{pred:?}");
}

#[test]
fn eval_attribution_scores_brat_standoff() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir_all(dir.path().join("gold/text")).unwrap();
    std::fs::create_dir_all(dir.path().join("gold/attributions")).unwrap();
    let text = "Officials said the bridge would reopen in May. The mayor told reporters that repairs were finished. Cats sleep a lot.";
    std::fs::write(dir.path().join("gold/text/a.txt"), text).unwrap();
    let at = |w: &str| {
        let s = text.find(w).unwrap();
        (s, s + w.len())
    };
    let (s1, c1, k1) = (
        at("Officials"),
        at("said"),
        at("the bridge would reopen in May"),
    );
    let (s2, c2, k2) = (at("The mayor"), at("told"), at("repairs were finished"));
    let (x, y) = (at("Cats"), at("sleep"));
    let ann = format!(
        "T1\tSource {} {}\tOfficials\nT2\tCue {} {}\tsaid\nT3\tContent {} {}\tthe bridge\nE1\tAttribution:T2 Source:T1 Cue:T2 Content:T3\n\
         T4\tSource {} {}\tThe mayor\nT5\tCue {} {}\ttold\nT6\tContent {} {}\trepairs\nE2\tAttribution:T5 Source:T4 Cue:T5 Content:T6\n\
         T7\tSource {} {}\tCats\nT8\tCue {} {}\tsleep\nE3\tAttribution:T8 Source:T7 Cue:T8\n",
        s1.0, s1.1, c1.0, c1.1, k1.0, k1.1, s2.0, s2.1, c2.0, c2.1, k2.0, k2.1, x.0, x.1, y.0, y.1
    );
    std::fs::write(dir.path().join("gold/attributions/a.ann"), ann).unwrap();
    let out = stdout(&caveat(
        dir.path(),
        &[
            "eval",
            "attribution",
            "-p",
            pipeline("news.toml").to_str().unwrap(),
            "--gold",
            "gold",
        ],
    ));
    // "said" and "told" are found with their sources and contents; "sleep" (a made-up cue) is missed.
    assert!(
        out.contains("cues      P 1.000  R 0.667  F1 0.800   (tp 2 fp 0 fn 1"),
        "{out}"
    );
    assert!(
        out.contains("source overlap on matched cues 1.000; content 1.000"),
        "{out}"
    );
    // A directory that is not brat standoff is refused with a hint.
    let bad = caveat(
        dir.path(),
        &[
            "eval",
            "attribution",
            "--gold",
            "nope",
            "-p",
            pipeline("news.toml").to_str().unwrap(),
        ],
    );
    assert_eq!(bad.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&bad.stderr).contains("text/*.txt"));
}
