//! `caveat run --shard K/N` (byte ranges of the inputs) and `caveat merge`.

use std::path::Path;
use std::process::Command;

use crate::harness::*;
use crate::run::numbered_corpus;

/// A corpus with every kind of line a shard boundary can fall on: records without ids
/// (whose id is their line number), broken JSON, blank lines, CRLF, a BOM, a line over the
/// limit, a file without a final newline, an empty file and a text file.
fn hostile_inputs(dir: &Path) -> Vec<String> {
    let mut a = String::from("\u{feff}");
    a.push_str(&numbered_corpus(30));
    a.push_str(
        "{\"id\": \"broken\n\n{\"text\": \"No id here, so the line number is the id.\"}\r\n",
    );
    a.push_str("   \n[1, 2]\n{\"id\": 7}\n");
    a.push_str(&format!(
        "{{\"id\": \"long\", \"text\": \"{}\"}}\n",
        "x".repeat(3000)
    ));
    a.push_str(&numbered_corpus(10).replace('\n', "\r\n"));
    a.push_str("{\"text\": \"Last line, without a newline: officials said it may rain.\"}");
    std::fs::write(dir.join("a.jsonl"), a).unwrap();
    std::fs::write(dir.join("empty.jsonl"), "").unwrap();
    std::fs::write(
        dir.join("note.txt"),
        "A text file is one document. It reportedly starts at its first byte.\n",
    )
    .unwrap();
    let mut b = numbered_corpus(12);
    b.push_str("{\"text\": 5}\nnot json at all\n");
    std::fs::write(dir.join("b.jsonl"), b).unwrap();
    ["a.jsonl", "empty.jsonl", "note.txt", "b.jsonl"]
        .map(String::from)
        .to_vec()
}

fn read(dir: &Path, f: &str) -> Vec<u8> {
    std::fs::read(dir.join(f)).unwrap_or_else(|e| panic!("{f}: {e}"))
}

fn ok(out: &std::process::Output) {
    assert!(
        matches!(out.status.code(), Some(0 | 3)),
        "exit {:?}: {}",
        out.status.code(),
        String::from_utf8_lossy(&out.stderr)
    );
}

/// Run `n` shards of `inputs` with `pipeline`, then merge them; returns the merged output
/// and errors, and the records (not footers) of each part.
fn shard_and_merge(
    dir: &Path,
    pipeline: &str,
    inputs: &[String],
    n: u64,
    extra: &[&str],
) -> (Vec<u8>, Vec<u8>, Vec<usize>) {
    let mut outs = Vec::new();
    let mut errs = Vec::new();
    let mut sizes = Vec::new();
    for k in 0..n {
        let (o, e) = (format!("out-{n}-{k}.jsonl"), format!("err-{n}-{k}.jsonl"));
        let shard = format!("{k}/{n}");
        let mut args = vec!["run", "-q", "-p", pipeline, "-o", &o, "-e", &e];
        args.extend(["--shard", &shard, "--overwrite"]);
        args.extend(extra);
        args.extend(inputs.iter().map(String::as_str));
        ok(&caveat(dir, &args));
        let part = read(dir, &o);
        let lines: Vec<&[u8]> = part.split(|&b| b == b'\n').collect();
        // Records, a footer, and the empty string after the last newline.
        assert!(lines.len() >= 2, "{o}");
        assert!(
            lines[lines.len() - 2].starts_with(b"{\"caveat_part\":"),
            "{o}"
        );
        sizes.push(lines.len() - 2);
        outs.push(o);
        errs.push(e);
    }
    // Parts in reverse order: merge sorts them by shard.
    outs.reverse();
    let merged_out = format!("merged-{n}.jsonl");
    let merged_err = format!("merged-{n}.err");
    for (parts, merged) in [(&outs, &merged_out), (&errs, &merged_err)] {
        let mut args = vec!["merge", "-o", merged.as_str(), "--overwrite"];
        args.extend(parts.iter().map(String::as_str));
        let m = caveat(dir, &args);
        assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    }
    (read(dir, &merged_out), read(dir, &merged_err), sizes)
}

#[test]
fn shards_merge_into_the_single_run_output() {
    let dir = tempfile::tempdir().unwrap();
    let inputs = hostile_inputs(dir.path());
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    let mut args = vec![
        "run",
        "-q",
        "-p",
        p,
        "-o",
        "single.jsonl",
        "-e",
        "single.err",
    ];
    args.extend(["--max-line-bytes", "2000"]);
    args.extend(inputs.iter().map(String::as_str));
    let single = caveat(dir.path(), &args);
    assert_eq!(single.status.code(), Some(3));
    let (single_out, single_err) = (
        read(dir.path(), "single.jsonl"),
        read(dir.path(), "single.err"),
    );
    let records = jsonl(&single_out).len() + jsonl(&single_err).len();
    assert_eq!(records, 46 + 1 + 14);
    // Error records name their file and line; the id-less record's id is its line.
    let errors = jsonl(&single_err);
    assert!(errors
        .iter()
        .any(|e| e["file"] == "a.jsonl" && e["line"] == 31 && e["kind"] == "invalid_json"));
    assert!(errors
        .iter()
        .any(|e| e["file"] == "b.jsonl" && e["line"] == 14 && e["kind"] == "invalid_json"));
    assert!(jsonl(&single_out).iter().any(|r| r["id"] == 33));

    // 1 shard, a few, more shards than lines: always the single run's bytes.
    for n in [1, 2, 3, 7, 64, 200] {
        let (out, err, sizes) =
            shard_and_merge(dir.path(), p, &inputs, n, &["--max-line-bytes", "2000"]);
        assert!(out == single_out, "{n} shards: merged output differs");
        assert!(err == single_err, "{n} shards: merged errors differ");
        if n <= 7 {
            // Byte ranges of ~equal size: every shard gets records.
            assert!(sizes.iter().all(|&s| s > 0), "{n} shards: {sizes:?}");
        }
        if n == 200 {
            // More shards than records: most parts are empty (a footer only).
            assert!(sizes.iter().filter(|&&s| s == 0).count() > 100, "{sizes:?}");
        }
    }
}

#[test]
fn the_full_pipeline_shards_too() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = numbered_corpus(200);
    corpus.push_str("{\"id\": \"broken\n{\"text\": \"no id here.\"}\n");
    std::fs::write(dir.path().join("in.jsonl"), corpus).unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();
    let args = [
        "run",
        "-q",
        "-p",
        p,
        "in.jsonl",
        "-o",
        "single.jsonl",
        "-e",
        "single.err",
    ];
    assert_eq!(caveat(dir.path(), &args).status.code(), Some(3));
    let (out, err, sizes) = shard_and_merge(dir.path(), p, &["in.jsonl".into()], 3, &["-j", "2"]);
    assert_eq!(sizes.iter().sum::<usize>(), 201);
    assert!(sizes.iter().all(|&n| n > 30), "{sizes:?}");
    assert!(out == read(dir.path(), "single.jsonl"));
    assert!(err == read(dir.path(), "single.err"));
}

#[test]
fn merge_refuses_parts_that_do_not_make_one_run() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(40)).unwrap();
    std::fs::write(dir.path().join("other.jsonl"), numbered_corpus(41)).unwrap();
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    let run = |input: &str, shard: &str, o: &str, e: &str| {
        ok(&caveat(
            dir.path(),
            &[
                "run", "-q", "-p", p, input, "--shard", shard, "-o", o, "-e", e,
            ],
        ));
    };
    run("in.jsonl", "0/3", "a0", "e0");
    run("in.jsonl", "1/3", "a1", "e1");
    run("in.jsonl", "2/3", "a2", "e2");
    run("in.jsonl", "1/2", "b1", "f1");
    run("other.jsonl", "1/3", "c1", "g1");
    std::fs::write(dir.path().join("plain.jsonl"), numbered_corpus(2)).unwrap();
    let refused = |parts: &[&str], why: &str| {
        let mut args = vec!["merge", "-o", "merged.jsonl"];
        args.extend(parts);
        let m = caveat(dir.path(), &args);
        let stderr = String::from_utf8_lossy(&m.stderr);
        assert_eq!(m.status.code(), Some(2), "{parts:?}: {stderr}");
        assert!(stderr.contains(why), "{parts:?}: {stderr}");
        assert!(
            !dir.path().join("merged.jsonl").exists(),
            "nothing is written"
        );
    };
    refused(&["a0", "a2"], "missing outputs of 3: shard 1");
    refused(&["a0", "a1", "a1", "a2"], "are both shard 1/3");
    refused(&["a0", "b1", "a2"], "another number of shards");
    refused(&["a0", "c1", "a2"], "other inputs");
    refused(&["a0", "e1", "a2"], "errors file");
    refused(
        &["a0", "a1", "a2", "plain.jsonl"],
        "not a complete shard part",
    );
    // A part cut short, or with something appended, is caught by its byte count.
    let a1 = read(dir.path(), "a1");
    let mut changed = a1.clone();
    changed.drain(..10);
    std::fs::write(dir.path().join("a1"), &changed).unwrap();
    refused(&["a0", "a1", "a2"], "the file was changed");
    std::fs::write(dir.path().join("a1"), &a1).unwrap();
    // An interrupted part has no footer yet; a torn footer does not parse.
    let footer_at = a1[..a1.len() - 1]
        .iter()
        .rposition(|&b| b == b'\n')
        .unwrap()
        + 1;
    std::fs::write(dir.path().join("a1"), &a1[..footer_at]).unwrap();
    refused(&["a0", "a1", "a2"], "--resume");
    std::fs::write(dir.path().join("a1"), &a1[..a1.len() - 10]).unwrap();
    refused(&["a0", "a1", "a2"], "does not parse");
    std::fs::write(dir.path().join("a1"), &a1).unwrap();
    // The merged file must not be a part.
    let a0 = read(dir.path(), "a0");
    let m = caveat(
        dir.path(),
        &["merge", "-o", "a0", "--overwrite", "a0", "a1", "a2"],
    );
    assert_eq!(m.status.code(), Some(2));
    assert!(read(dir.path(), "a0") == a0, "the part is left alone");
    let m = caveat(dir.path(), &["merge", "a2", "a1", "a0"]);
    assert!(m.status.success());
    let single = caveat(dir.path(), &["run", "-q", "-p", p, "in.jsonl"]);
    assert!(m.stdout == single.stdout, "merged to stdout = a single run");
}

#[test]
fn sharding_needs_files() {
    let dir = tempfile::tempdir().unwrap();
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    let out = caveat_stdin(
        dir.path(),
        &["run", "-p", p, "--shard", "0/2"],
        Some(b"{\"text\": \"x\"}\n"),
    );
    assert_eq!(out.status.code(), Some(2));
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(stderr.contains("standard input"), "{stderr}");
    let out = caveat(dir.path(), &["run", "-p", p, "--shard", "2/2", "x.jsonl"]);
    assert_eq!(out.status.code(), Some(2));
}

#[test]
fn a_shard_writes_to_stdout_and_takes_k_from_the_scheduler() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(20)).unwrap();
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    for k in 0..2 {
        let out = Command::new(env!("CARGO_BIN_EXE_caveat"))
            .args(["run", "-q", "-p", p, "in.jsonl", "--shard", "auto/2"])
            .env_remove("JOB_COMPLETION_INDEX")
            .env("SLURM_ARRAY_TASK_ID", k.to_string())
            .current_dir(dir.path())
            .output()
            .unwrap();
        assert!(
            out.status.success(),
            "{}",
            String::from_utf8_lossy(&out.stderr)
        );
        std::fs::write(dir.path().join(format!("part{k}")), &out.stdout).unwrap();
    }
    let m = caveat(dir.path(), &["merge", "part1", "part0"]);
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let single = caveat(dir.path(), &["run", "-q", "-p", p, "in.jsonl"]);
    assert!(m.stdout == single.stdout);
}

#[test]
fn a_killed_shard_resumes_to_the_same_part() {
    let dir = tempfile::tempdir().unwrap();
    let mut corpus = numbered_corpus(3000);
    corpus.insert_str(corpus.len() / 2, "{\"broken\n");
    std::fs::write(dir.path().join("in.jsonl"), corpus).unwrap();
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    let shard = |o: &str, e: &str, extra: &[&str]| {
        let mut args = vec!["run", "-q", "-p", p, "in.jsonl", "--shard", "1/2"];
        args.extend(["--batch-size", "16", "-j", "1", "-o", o, "-e", e]);
        args.extend(extra);
        args.iter().map(|s| s.to_string()).collect::<Vec<_>>()
    };
    ok(&caveat(
        dir.path(),
        &shard("ref.jsonl", "ref.err", &[])
            .iter()
            .map(String::as_str)
            .collect::<Vec<_>>(),
    ));
    let child = Command::new(env!("CARGO_BIN_EXE_caveat"))
        .args(shard("out.jsonl", "out.err", &[]))
        .current_dir(dir.path())
        .spawn()
        .unwrap();
    kill_when_grown(child, &dir.path().join("out.jsonl"), 300_000);
    // Resuming as another shard is refused.
    let other: Vec<String> = shard("out.jsonl", "out.err", &["--resume"])
        .into_iter()
        .map(|a| if a == "1/2" { "0/2".into() } else { a })
        .collect();
    let refused = caveat(
        dir.path(),
        &other.iter().map(String::as_str).collect::<Vec<_>>(),
    );
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("same --shard"));
    let resumed = shard("out.jsonl", "out.err", &["--resume"]);
    let resumed: Vec<&str> = resumed.iter().map(String::as_str).collect();
    // Inputs that changed size move every range: resuming is refused.
    let input = read(dir.path(), "in.jsonl");
    std::fs::write(dir.path().join("in.jsonl"), [&input[..], b"{}\n"].concat()).unwrap();
    let refused = caveat(dir.path(), &resumed);
    assert_eq!(refused.status.code(), Some(2));
    assert!(String::from_utf8_lossy(&refused.stderr).contains("changed size"));
    std::fs::write(dir.path().join("in.jsonl"), &input).unwrap();
    ok(&caveat(dir.path(), &resumed));
    assert!(read(dir.path(), "out.jsonl") == read(dir.path(), "ref.jsonl"));
    assert!(read(dir.path(), "out.err") == read(dir.path(), "ref.err"));
    // Resuming a finished shard changes nothing.
    ok(&caveat(dir.path(), &resumed));
    assert!(read(dir.path(), "out.jsonl") == read(dir.path(), "ref.jsonl"));
}

#[test]
fn stats_and_report_refuse_an_unmerged_part() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(12)).unwrap();
    let tokenize = pipeline("tokenize.toml");
    let p = tokenize.to_str().unwrap();
    for k in ["0/2", "1/2"] {
        let o = format!("part{}.jsonl", &k[..1]);
        ok(&caveat(
            dir.path(),
            &["run", "-q", "-p", p, "in.jsonl", "--shard", k, "-o", &o],
        ));
    }
    // One part alone is half the corpus: every reader stops at its footer and says to merge,
    // even `report --skip-invalid`.
    for args in [
        &["stats", "part1.jsonl"][..],
        &["stats", "--json", "part1.jsonl"],
        &[
            "report",
            "part1.jsonl",
            "--html",
            "r.html",
            "--skip-invalid",
        ],
        &["export", "conll", "part1.jsonl", "-o", "x.conll"],
    ] {
        let out = caveat(dir.path(), args);
        let stderr = String::from_utf8_lossy(&out.stderr);
        assert!(!out.status.success(), "{args:?}: {stderr}");
        assert!(
            stderr.contains("footer of shard 1/2's part") && stderr.contains("`caveat merge`"),
            "{args:?}: {stderr}"
        );
    }
    let m = caveat(
        dir.path(),
        &["merge", "part1.jsonl", "part0.jsonl", "-o", "merged.jsonl"],
    );
    assert!(m.status.success(), "{}", String::from_utf8_lossy(&m.stderr));
    let s = caveat(dir.path(), &["stats", "--json", "merged.jsonl"]);
    assert!(s.status.success(), "{}", String::from_utf8_lossy(&s.stderr));
    let stats: serde_json::Value = serde_json::from_slice(&s.stdout).unwrap();
    assert_eq!(stats["documents"], 12, "{stats}");
}
