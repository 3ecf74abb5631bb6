use std::fmt::Write as _;

use serde_json::Value;

use crate::harness::*;

fn run_sample(extra: &[&str]) -> (Vec<Value>, std::process::Output) {
    let dir = tempfile::tempdir().unwrap();
    let news = pipeline("news.toml");
    let sample = sample();
    let mut args = vec![
        "run",
        "--pipeline",
        news.to_str().unwrap(),
        sample.to_str().unwrap(),
        "--output",
        "out.jsonl",
    ];
    args.extend_from_slice(extra);
    let out = caveat(dir.path(), &args);
    let recs = jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap());
    (recs, out)
}

#[test]
fn the_default_pipeline_annotates_the_sample_with_exact_offsets() {
    let (recs, out) = run_sample(&[]);
    assert_eq!(
        out.status.code(),
        Some(0),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let input = jsonl(&std::fs::read(sample()).unwrap());
    assert_eq!(recs.len(), input.len());
    let mut spans = 0;
    for (rec, inp) in recs.iter().zip(&input) {
        assert_eq!(rec["id"], inp["id"]);
        assert_eq!(rec["text"], inp["text"]);
        assert_eq!(rec["meta"]["title"], inp["title"]);
        assert!(!rec["sentences"].as_array().unwrap().is_empty());
        spans += check_offsets(rec);
    }
    assert!(spans > 100, "only {spans} spans");
    // The hedges the sample was written around are found.
    let hedge_texts: Vec<String> = recs
        .iter()
        .flat_map(|r| {
            r["hedges"]
                .as_array()
                .unwrap()
                .iter()
                .map(|h| h["text"].as_str().unwrap().to_lowercase())
        })
        .collect();
    for cue in [
        "alleges",
        "unverified",
        "speculated",
        "may",
        "according to",
        "allegedly",
    ] {
        assert!(
            hedge_texts.iter().any(|h| h.contains(cue)),
            "no hedge `{cue}` in {hedge_texts:?}"
        );
    }
    // Plain facts carry no hedge.
    let plain = recs.iter().find(|r| r["id"] == "za-012").unwrap();
    assert_eq!(
        plain["hedges"].as_array().unwrap().len(),
        0,
        "{}",
        plain["hedges"]
    );
}

#[test]
fn byte_offsets_on_request() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bytes.toml");
    std::fs::write(
        &p,
        "[output]\noffsets = \"bytes\"\ntokens = true\n[[stages]]\ntype = \"tokenize\"\n",
    )
    .unwrap();
    let input = "{\"id\":1,\"text\":\"Japan’s café — “ok”.\"}\n";
    let out = caveat_stdin(
        dir.path(),
        &["run", "--pipeline", "bytes.toml"],
        Some(input.as_bytes()),
    );
    assert!(out.status.success());
    let rec = &jsonl(&out.stdout)[0];
    let text = rec["text"].as_str().unwrap();
    for t in rec["tokens"].as_array().unwrap() {
        let (s, e) = (
            t["start"].as_u64().unwrap() as usize,
            t["end"].as_u64().unwrap() as usize,
        );
        assert_eq!(&text[s..e], t["text"].as_str().unwrap());
    }
}

pub(crate) fn numbered_corpus(n: usize) -> String {
    let sample = std::fs::read_to_string(sample()).unwrap();
    let texts: Vec<Value> = jsonl(sample.as_bytes());
    let mut s = String::new();
    for i in 0..n {
        let t = &texts[i % texts.len()]["text"];
        writeln!(
            s,
            "{}",
            serde_json::json!({"id": format!("doc-{i}"), "text": t, "n": i})
        )
        .unwrap();
    }
    s
}

#[test]
fn output_is_in_input_order_and_identical_across_thread_counts() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(400)).unwrap();
    let news = pipeline("news.toml");
    let mut outputs = Vec::new();
    for threads in ["1", "2"] {
        let out_name = format!("out{threads}.jsonl");
        let out = caveat(
            dir.path(),
            &[
                "run",
                "-p",
                news.to_str().unwrap(),
                "in.jsonl",
                "-o",
                &out_name,
                "--threads",
                threads,
                "--batch-size",
                "7",
            ],
        );
        assert_eq!(
            out.status.code(),
            Some(0),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        outputs.push(std::fs::read(dir.path().join(&out_name)).unwrap());
    }
    assert!(
        outputs[0] == outputs[1],
        "--threads 1 and --threads 2 differ"
    );
    let recs = jsonl(&outputs[1]);
    assert_eq!(recs.len(), 400);
    for (i, r) in recs.iter().enumerate() {
        assert_eq!(r["id"], format!("doc-{i}"));
        assert_eq!(r["meta"]["n"], i);
        check_offsets(r);
    }
}

#[test]
fn bad_lines_go_to_the_errors_file_with_their_line_numbers() {
    let dir = tempfile::tempdir().unwrap();
    let mut input: Vec<u8> = Vec::new();
    input.extend_from_slice(b"{\"id\":\"a\",\"text\":\"Fine text.\"}\n"); // 1
    input.extend_from_slice(b"{\"id\":\"b\",\"text\":\n"); // 2: broken JSON
    input.extend_from_slice(b"\n"); // 3: blank, not a record
    input.extend_from_slice(b"{\"id\":\"c\",\"text\":\"caf\xe9\"}\n"); // 4: Latin-1
    input.extend_from_slice(b"[\"not\", \"an object\"]\n"); // 5
    input.extend_from_slice(b"{\"id\":\"d\"}\n"); // 6: no text
    input.extend_from_slice(b"{\"id\":\"e\",\"text\":42}\r\n"); // 7: text not a string, CRLF
    input.extend_from_slice(b"{\"id\":\"f\",\"text\":\"Also fine.\"}"); // 8: no final newline
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    let news = pipeline("news.toml");
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            news.to_str().unwrap(),
            "in.jsonl",
            "-o",
            "out.jsonl",
            "-e",
            "err.jsonl",
        ],
    );
    assert_eq!(
        out.status.code(),
        Some(3),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap());
    let ids: Vec<_> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "f"]);
    let errs = jsonl(&std::fs::read(dir.path().join("err.jsonl")).unwrap());
    let got: Vec<(u64, &str)> = errs
        .iter()
        .map(|e| (e["line"].as_u64().unwrap(), e["kind"].as_str().unwrap()))
        .collect();
    assert_eq!(
        got,
        [
            (2, "invalid_json"),
            (4, "invalid_utf8"),
            (5, "not_object"),
            (6, "missing_text"),
            (7, "text_not_string")
        ]
    );
    assert_eq!(errs[3]["id"], "d");
    assert!(String::from_utf8_lossy(&out.stderr).contains("2 documents, 5 errors"));
}

#[test]
fn text_files_directories_and_stdin_are_inputs() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::create_dir(dir.path().join("corpus")).unwrap();
    std::fs::write(dir.path().join("corpus/b.txt"), "Officials may resign.").unwrap();
    std::fs::write(
        dir.path().join("corpus/a.jsonl"),
        "{\"text\":\"One.\"}\n{\"text\":\"Two.\"}\n",
    )
    .unwrap();
    let news = pipeline("news.toml");
    let out = caveat(dir.path(), &["run", "-p", news.to_str().unwrap(), "corpus"]);
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let recs = jsonl(&out.stdout);
    assert_eq!(recs.len(), 3);
    assert_eq!(
        (recs[0]["id"].as_u64(), recs[1]["id"].as_u64()),
        (Some(1), Some(2))
    );
    assert!(recs[2]["id"].as_str().unwrap().ends_with("corpus/b.txt"));
    let out = caveat_stdin(
        dir.path(),
        &["run", "-p", news.to_str().unwrap(), "-"],
        Some(b"{\"id\":\"s\",\"text\":\"From stdin.\"}\n"),
    );
    assert_eq!(jsonl(&out.stdout)[0]["id"], "s");
}

#[test]
fn an_existing_output_is_not_overwritten_by_accident() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("out.jsonl"), "precious\n").unwrap();
    std::fs::write(dir.path().join("in.jsonl"), "{\"text\":\"x\"}\n").unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();
    let out = caveat(dir.path(), &["run", "-p", p, "in.jsonl", "-o", "out.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&out.stderr).contains("--overwrite"));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("out.jsonl")).unwrap(),
        "precious\n"
    );
    let out = caveat(
        dir.path(),
        &["run", "-p", p, "in.jsonl", "-o", "out.jsonl", "--overwrite"],
    );
    assert!(out.status.success());
    assert_eq!(
        jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap()).len(),
        1
    );
}

#[test]
fn a_killed_run_resumes_to_the_same_output() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(3000)).unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();
    let reference = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "ref.jsonl",
            "--batch-size",
            "16",
        ],
    );
    assert!(reference.status.success());

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_caveat"))
        .args([
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "out.jsonl",
            "--batch-size",
            "16",
            "--quiet",
        ])
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    kill_when_grown(child, &dir.path().join("out.jsonl"), 200_000);
    // Simulate a torn last line on top of whatever the kill left.
    {
        use std::io::Write;
        let mut f = std::fs::OpenOptions::new()
            .append(true)
            .open(dir.path().join("out.jsonl"))
            .unwrap();
        f.write_all(b"{\"id\":\"torn").unwrap();
    }
    let resumed = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "out.jsonl",
            "--batch-size",
            "16",
            "--resume",
        ],
    );
    assert!(
        resumed.status.success(),
        "{}",
        String::from_utf8_lossy(&resumed.stderr)
    );
    let a = std::fs::read(dir.path().join("ref.jsonl")).unwrap();
    let b = std::fs::read(dir.path().join("out.jsonl")).unwrap();
    assert!(
        a == b,
        "resumed output differs from an uninterrupted run ({} vs {} bytes)",
        a.len(),
        b.len()
    );
}

#[test]
fn no_span_is_reported_twice_as_a_hedge() {
    // Regression: the tagger re-proposed the lexicon's evidential "reportedly" on the same span.
    let dir = tempfile::tempdir().unwrap();
    let news = pipeline("news.toml");
    let input = b"{\"id\":1,\"text\":\"The company reportedly plans to cut jobs. It apparently approved the deal.\"}\n";
    let out = caveat_stdin(
        dir.path(),
        &["run", "-p", news.to_str().unwrap()],
        Some(input),
    );
    let rec = &jsonl(&out.stdout)[0];
    let spans: Vec<(u64, u64)> = rec["hedges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| (h["start"].as_u64().unwrap(), h["end"].as_u64().unwrap()))
        .collect();
    let mut unique = spans.clone();
    unique.dedup();
    assert_eq!(spans, unique, "{}", rec["hedges"]);
    let texts: Vec<&str> = rec["hedges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap())
        .collect();
    assert!(
        texts.contains(&"reportedly") && texts.contains(&"apparently"),
        "{texts:?}"
    );
}
