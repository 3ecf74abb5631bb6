//! Hostile input and hostile environments: every kind of bad record mixed with good ones,
//! giant records, unusable output paths, missing or broken models, and interrupted runs.
//!
//! The contract under test (README "Errors", "Exit codes", "Interrupted runs"): every
//! non-blank physical line ends up exactly once in the output or the errors file, with its
//! 1-based line number; good records come out as if they had been alone; nothing panics.

use std::collections::BTreeMap;
use std::fmt::Write as _;
use std::path::Path;
use std::process::Output;
use std::time::{Duration, Instant};

use serde_json::{json, Value};

use crate::harness::*;

fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

fn assert_no_panic(o: &Output) {
    let e = stderr(o);
    assert!(!e.contains("panicked"), "a panic was reported: {e}");
}

/// What a physical line of the hostile corpus must become.
#[derive(Clone, Debug, PartialEq)]
enum Want {
    /// Not a record (blank or white space only).
    Blank,
    /// An output record with this id.
    Doc(Value),
    /// An error record of this kind.
    Err(&'static str),
}

/// A JSONL file built line by line, remembering what each physical line must become.
#[derive(Default)]
struct Corpus {
    bytes: Vec<u8>,
    want: Vec<Want>,
    /// The physical lines of the good records, in order (for the run-alone comparison).
    good_lines: Vec<Vec<u8>>,
}

impl Corpus {
    /// The 1-based number of the next line.
    fn next_line(&self) -> u64 {
        self.want.len() as u64 + 1
    }
    fn raw(&mut self, content: &[u8], end: &[u8], want: Want) {
        self.bytes.extend_from_slice(content);
        self.bytes.extend_from_slice(end);
        self.want.push(want);
    }
    fn bad(&mut self, content: &[u8], kind: &'static str) {
        self.raw(content, b"\n", Want::Err(kind));
    }
    fn blank(&mut self, content: &[u8]) {
        self.raw(content, b"\n", Want::Blank);
    }
    /// A good record `{"id", "ln", "text"}`; `ln` (its physical line) is passed through to
    /// `meta`, which identifies output records even when ids repeat.
    fn doc_with(&mut self, prefix: &[u8], id: Value, text: &str, end: &[u8]) {
        let ln = self.next_line();
        let mut line = prefix.to_vec();
        serde_json::to_writer(&mut line, &json!({"id": id, "ln": ln, "text": text})).unwrap();
        self.good_lines.push(line.clone());
        let want_id = if id.is_null() { json!(ln) } else { id };
        self.raw(&line, end, Want::Doc(want_id));
    }
    fn doc(&mut self, id: &str, text: &str) {
        self.doc_with(b"", json!(id), text, b"\n");
    }
}

const NEWS: &str = "North Korea may deploy more troops to Russia, according to South Korea's \
                    spy agency. Reuters, citing the NIS, reported that the troops could reach \
                    the front line \"within weeks\".";

/// About `n` bytes of news prose, as paragraphs.
fn prose(n: usize) -> String {
    let sample = std::fs::read_to_string(sample()).unwrap();
    let texts: Vec<String> = jsonl(sample.as_bytes())
        .iter()
        .map(|r| r["text"].as_str().unwrap().to_string())
        .collect();
    let mut s = String::with_capacity(n + 4096);
    for t in texts.iter().cycle() {
        if s.len() >= n {
            break;
        }
        s.push_str(t);
        s.push('\n');
    }
    s
}

/// A giant article of about `n` bytes: paragraphs of news prose between long runs of white
/// space (cheap for the stages, so the test stays fast: the point is the size).
fn giant(n: usize) -> String {
    let para = prose(20_000);
    let gap = " ".repeat(200_000);
    let mut s = String::with_capacity(n + 300_000);
    while s.len() < n {
        s.push_str(&para);
        s.push_str(&gap);
        s.push('\n');
    }
    s
}

const MAX_DOC: usize = 4_000_000;
const MAX_LINE: usize = 8_000_000;

fn hostile_corpus() -> (Corpus, String) {
    let mut c = Corpus::default();
    // 1: a byte-order mark before the first record.
    c.doc_with(b"\xEF\xBB\xBF", json!("bom"), NEWS, b"\n");
    // CRLF line ends.
    c.doc_with(
        b"",
        json!("crlf"),
        "Officials said the talks may resume.",
        b"\r\n",
    );
    c.blank(b"");
    c.blank(b"   \t ");
    c.raw(b"", b"\r\n", Want::Blank);
    c.blank(b"\t\x0c\r");
    // Malformed JSON.
    c.bad(br#"{"id":"cut","text":"#, "invalid_json");
    c.bad(br#"{"id":"unterminated","text":"abc}"#, "invalid_json");
    c.bad(br#"{"id":"trailing","text":"x"} extra"#, "invalid_json");
    c.bad(br#"{id:"unquoted","text":"x"}"#, "invalid_json");
    c.bad(
        b"\xEF\xBB\xBF{\"id\":\"bom-not-first\",\"text\":\"x\"}",
        "invalid_json",
    );
    // Raw control characters are not allowed inside JSON strings.
    c.bad(b"{\"id\":\"raw-nul\",\"text\":\"a\x00b\"}", "invalid_json");
    c.bad(b"{\"id\":\"raw-cr\",\"text\":\"a\rb\"}", "invalid_json");
    c.bad(b"\x0b", "invalid_json");
    // A lone surrogate escape is not a Unicode scalar value.
    c.bad(br#"{"id":"lone","text":"\ud800 x"}"#, "invalid_json");
    // Deeply nested JSON (100k levels), alone and inside a record.
    let deep = format!("{}{}", "[".repeat(100_000), "]".repeat(100_000));
    c.bad(deep.as_bytes(), "invalid_json");
    let deep_obj = format!(
        "{{\"id\":\"deep\",\"text\":\"x\",\"m\":{}1{}}}",
        "{\"a\":".repeat(100_000),
        "}".repeat(100_000)
    );
    c.bad(deep_obj.as_bytes(), "invalid_json");
    // JSON values that are not objects.
    for v in [
        &b"[1, 2, 3]"[..],
        b"42",
        b"-1.5e300",
        br#""just a string""#,
        b"null",
        b"true",
    ] {
        c.bad(v, "not_object");
    }
    // No text, or a text that is not a string.
    c.bad(br#"{"id":"no-text","title":"T"}"#, "missing_text");
    c.bad(b"{}", "missing_text");
    for (i, v) in ["42", "null", "{\"a\":1}", "[\"x\"]", "true"]
        .iter()
        .enumerate()
    {
        c.bad(
            format!("{{\"id\":\"text-{i}\",\"text\":{v}}}").as_bytes(),
            "text_not_string",
        );
    }
    // Invalid UTF-8: Latin-1, a truncated sequence, an overlong encoding, a UTF-8-encoded
    // surrogate.
    c.bad(
        b"{\"id\":\"latin1\",\"text\":\"Caf\xe9 cr\xe8me\"}",
        "invalid_utf8",
    );
    c.bad(
        b"{\"id\":\"cut-utf8\",\"text\":\"caf\xc3\"}",
        "invalid_utf8",
    );
    c.bad(
        b"{\"id\":\"overlong\",\"text\":\"\xc0\xaf\"}",
        "invalid_utf8",
    );
    c.bad(
        b"{\"id\":\"surrogate\",\"text\":\"\xed\xa0\x80\"}",
        "invalid_utf8",
    );
    c.bad(b"\xff\xfe{\x00", "invalid_utf8");
    // Empty and white-space-only texts.
    c.doc("empty", "");
    c.doc("spaces", "   \t\n\n  \u{3000}\u{a0} ");
    // Control characters inside text (JSON-escaped) and raw characters that JSON allows
    // unescaped (DEL, C1 controls, line/paragraph separators, zero-width and BOM).
    c.doc(
        "controls",
        "Officials\u{0} may\u{1} resign\u{1f}.\u{0}\u{0}\nThe minister\u{7} said\u{8} so. \u{0}",
    );
    c.doc(
        "raw-legal",
        "Troops\u{7f} may\u{85}deploy\u{2028}soon.\u{2029}Officials\u{200b} \u{feff}said \
         \u{202e}so\u{202c}, according to\u{200d} Reuters.",
    );
    c.doc_with(b"", Value::Null, "A record whose id is null.", b"\n");
    c.doc_with(b"", json!(42), "A record with a numeric id.", b"\n");
    // Emoji, combining marks, right-to-left text, CJK.
    c.doc(
        "emoji",
        "👩‍👩‍👧‍👦 🇺🇦🇰🇷 👍🏽 ❤️ e\u{301}\u{301} Z̷̢̛a̸l̵g̶o̴ — the minister 🙂 may resign, \
         according to 🐦 Twitter. \u{301}\u{301}Leading marks.",
    );
    c.doc(
        "arabic",
        "قالت وزارة الخارجية إن المفاوضات قد تستأنف، وفقا لمسؤولين. ومن المحتمل أن تنتهي غدا.",
    );
    c.doc(
        "hebrew",
        "לפי הדיווח, ראש הממשלה עשוי להתפטר. According to \u{200f}שלום\u{200e} Reuters, \
         officials may ‏resign‎.",
    );
    c.doc(
        "cjk",
        "北京消息。据报道，官员可能辞职！東京でも「調査中」と報じられた。",
    );
    c.doc(
        "abbrev",
        "The U.S. Sen. J. K. Smith said Mr. Kim may visit the U.S. The next day, e.g. at \
         10 a.m., officials alleged \"no\" deal... etc. vs. U.K. Inc. Corp.",
    );
    c.doc(
        "quotes",
        "He said: \"It \\ may be\" — “curly” «guillemets» ‘single’ '' \"\"\" ",
    );
    // Duplicate ids: both records are kept, in order.
    c.doc("dup", "The first record with this id may be true.");
    c.doc(
        "dup",
        "The second record with this id is, according to officials, different.",
    );
    // A single token of 3 MB.
    c.doc("token-3mb", &"a".repeat(3_000_000));
    // A 5 MB article over --max-doc-bytes: truncated and flagged.
    // The limit falls inside a 3-byte character: the cut goes back to its start.
    let mut big = giant(MAX_DOC - 300_000);
    big.push_str(&" ".repeat(MAX_DOC - 1 - big.len()));
    big.push('€');
    let kept = MAX_DOC - 1;
    big.push_str(&giant(5_000_000 - big.len()));
    c.doc("big-5mb", &big);
    // A line over --max-line-bytes.
    c.bad(
        &serde_json::to_vec(&json!({"id": "too-long", "text": "b".repeat(MAX_LINE)})).unwrap(),
        "line_too_long",
    );
    c.doc("after-giants", NEWS);
    // The last record has no final newline.
    c.doc_with(b"", json!("last"), "The final record has no newline.", b"");
    (c, big[..kept].to_string())
}

fn run_news(dir: &Path, input: &str, out: &str, err: &str) -> Output {
    let news = pipeline("news.toml");
    let (max_doc, max_line) = (MAX_DOC.to_string(), MAX_LINE.to_string());
    caveat(
        dir,
        &[
            "run",
            "-p",
            news.to_str().unwrap(),
            input,
            "-o",
            out,
            "-e",
            err,
            "--threads",
            "2",
            "--batch-size",
            "4",
            "--max-doc-bytes",
            &max_doc,
            "--max-line-bytes",
            &max_line,
        ],
    )
}

#[test]
fn every_hostile_record_is_accounted_for_once_and_good_ones_are_unaffected() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    let (corpus, kept) = hostile_corpus();
    std::fs::write(dir.path().join("hostile.jsonl"), &corpus.bytes).unwrap();
    let out = run_news(dir.path(), "hostile.jsonl", "out.jsonl", "err.jsonl");
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_no_panic(&out);

    let out_bytes = std::fs::read(dir.path().join("out.jsonl")).unwrap();
    let recs = jsonl(&out_bytes);
    let errs = jsonl(&std::fs::read(dir.path().join("err.jsonl")).unwrap());

    // Every non-blank physical line exactly once, in output + errors, with the right outcome.
    let mut seen: BTreeMap<u64, Want> = BTreeMap::new();
    for r in &recs {
        let ln = r["meta"]["ln"].as_u64().expect("meta.ln passed through");
        assert!(
            seen.insert(ln, Want::Doc(r["id"].clone())).is_none(),
            "line {ln} twice"
        );
    }
    for e in &errs {
        let ln = e["line"].as_u64().unwrap();
        assert!(
            e["file"].as_str().unwrap().ends_with("hostile.jsonl"),
            "{e}"
        );
        assert!(!e["message"].as_str().unwrap().is_empty(), "{e}");
        let kind = corpus
            .want
            .get(ln as usize - 1)
            .and_then(|w| match w {
                Want::Err(k) if *k == e["kind"] => Some(*k),
                _ => None,
            })
            .unwrap_or_else(|| {
                panic!(
                    "line {ln}: unexpected error {e}, wanted {:?}",
                    corpus.want.get(ln as usize - 1)
                )
            });
        assert!(
            seen.insert(ln, Want::Err(kind)).is_none(),
            "line {ln} twice: {e}"
        );
    }
    for (i, want) in corpus.want.iter().enumerate() {
        let ln = i as u64 + 1;
        match want {
            Want::Blank => assert!(!seen.contains_key(&ln), "blank line {ln} became a record"),
            w => assert_eq!(seen.get(&ln), Some(w), "line {ln}"),
        }
    }
    // Output and errors are each in input order.
    let out_lines: Vec<u64> = recs
        .iter()
        .map(|r| r["meta"]["ln"].as_u64().unwrap())
        .collect();
    assert!(out_lines.windows(2).all(|w| w[0] < w[1]), "{out_lines:?}");
    let err_lines: Vec<u64> = errs.iter().map(|e| e["line"].as_u64().unwrap()).collect();
    assert!(err_lines.windows(2).all(|w| w[0] < w[1]), "{err_lines:?}");
    // An error keeps the id when the record had one.
    let no_text = errs.iter().find(|e| e["kind"] == "missing_text").unwrap();
    assert_eq!(no_text["id"], "no-text");
    // The summary agrees.
    let summary = format!("{} documents, {} errors", recs.len(), errs.len());
    assert!(
        stderr(&out).contains(&summary),
        "{summary}: {}",
        stderr(&out)
    );

    // Offsets slice in code points; texts come back unchanged except the truncated one.
    let by_id = |id: &str| recs.iter().find(|r| r["id"] == id).unwrap();
    let mut spans = 0;
    for r in &recs {
        spans += check_offsets(r);
        if r["id"] != "big-5mb" {
            assert!(
                r.get("truncated").is_none(),
                "{} flagged truncated",
                r["id"]
            );
        }
    }
    assert!(spans > 50, "only {spans} spans");
    let cut = by_id("big-5mb");
    assert_eq!(cut["truncated"], true);
    let cut_text = cut["text"].as_str().unwrap();
    assert_eq!(cut_text.len(), MAX_DOC - 1);
    assert!(
        cut_text == kept,
        "the truncated text is not the start of the article"
    );
    assert!(!cut["sentences"].as_array().unwrap().is_empty());
    let token = by_id("token-3mb");
    assert_eq!(token["text"].as_str().unwrap().len(), 3_000_000);
    let sents = token["sentences"].as_array().unwrap();
    assert_eq!(sents.len(), 1, "one token, one sentence");
    assert_eq!(sents[0]["end"], 3_000_000);
    assert!(by_id("empty")["sentences"].as_array().unwrap().is_empty());
    assert!(by_id("spaces")["sentences"].as_array().unwrap().is_empty());
    let dups: Vec<&Value> = recs.iter().filter(|r| r["id"] == "dup").collect();
    assert_eq!(dups.len(), 2);
    assert!(dups[0]["text"].as_str().unwrap().starts_with("The first"));

    // The good records (but the giants) alone give byte-identical output lines.
    let mut alone = Vec::new();
    let mut small_ids = Vec::new();
    for line in &corpus.good_lines {
        if line.len() < 100_000 {
            alone.extend_from_slice(line);
            alone.push(b'\n');
            let v: Value =
                serde_json::from_slice(line.strip_prefix(b"\xEF\xBB\xBF").unwrap_or(line)).unwrap();
            small_ids.push(v["ln"].as_u64().unwrap());
        }
    }
    std::fs::write(dir.path().join("alone.jsonl"), &alone).unwrap();
    let out2 = run_news(
        dir.path(),
        "alone.jsonl",
        "alone.out.jsonl",
        "alone.err.jsonl",
    );
    assert_eq!(out2.status.code(), Some(0), "{}", stderr(&out2));
    let alone_out = std::fs::read(dir.path().join("alone.out.jsonl")).unwrap();
    let alone_lines: Vec<&[u8]> = alone_out
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .collect();
    let mixed_lines: BTreeMap<u64, &[u8]> = out_bytes
        .split(|&b| b == b'\n')
        .filter(|l| !l.is_empty())
        .zip(&out_lines)
        .map(|(l, &ln)| (ln, l))
        .collect();
    assert_eq!(alone_lines.len(), small_ids.len());
    for (line, ln) in alone_lines.iter().zip(&small_ids) {
        // Except the id that stands in for a null one: the line number, which differs.
        if let Some(mixed) = mixed_lines.get(ln) {
            let (a, m): (Value, Value) = (
                serde_json::from_slice(line).unwrap(),
                serde_json::from_slice(mixed).unwrap(),
            );
            if a["id"].is_u64() && a["id"] != 42 {
                assert_eq!(m["id"], json!(ln));
                continue;
            }
            assert!(
                *line == *mixed,
                "line {ln} differs alone and mixed:\n{}\n{}",
                String::from_utf8_lossy(line),
                String::from_utf8_lossy(mixed)
            );
        } else {
            panic!("line {ln} missing from the mixed output");
        }
    }
    eprintln!("hostile corpus: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn hostile_records_on_stdin_are_accounted_for_too() {
    // The same contract for standard input (file `-`), with --threads 1.
    let dir = tempfile::tempdir().unwrap();
    let mut input = Vec::new();
    input.extend_from_slice(b"\xEF\xBB\xBF{\"id\":\"a\",\"text\":\"Officials may resign.\"}\r\n");
    input.extend_from_slice(b"\n");
    input.extend_from_slice(b"{\"id\":\"b\",\"text\":\"caf\xe9\"}\n");
    input.extend_from_slice(b"[[[[[[[[\n");
    input.extend_from_slice("{\"id\":\"c\",\"text\":\"\\u0000😀\u{301}\"}\n".as_bytes());
    input.extend_from_slice(b"{\"id\":\"d\",\"text\":null}");
    let news = pipeline("news.toml");
    let out = caveat_stdin(
        dir.path(),
        &["run", "-p", news.to_str().unwrap(), "--threads", "1"],
        Some(&input),
    );
    assert_eq!(out.status.code(), Some(3), "{}", stderr(&out));
    assert_no_panic(&out);
    let recs = jsonl(&out.stdout);
    let ids: Vec<&str> = recs.iter().map(|r| r["id"].as_str().unwrap()).collect();
    assert_eq!(ids, ["a", "c"]);
    for r in &recs {
        check_offsets(r);
    }
    // Errors go to standard error (before the summary).
    let errs: Vec<Value> = stderr(&out)
        .lines()
        .filter(|l| l.starts_with('{'))
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let got: Vec<(u64, &str, &str)> = errs
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["kind"].as_str().unwrap(),
                e["file"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (3, "invalid_utf8", "-"),
            (4, "invalid_json", "-"),
            (6, "text_not_string", "-")
        ]
    );
}

#[test]
fn a_50_mb_article_is_cut_at_the_default_limit_in_bounded_memory() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    // 50 MB of text, default limits (10 MiB per document, 64 MiB per line).
    let text = giant(50_000_000);
    let line = serde_json::to_vec(&json!({"id": "giant", "text": text})).unwrap();
    let mut input = line.clone();
    input.extend_from_slice(b"\n{\"id\":\"next\",\"text\":\"Officials may resign.\"}\n");
    std::fs::write(dir.path().join("giant.jsonl"), &input).unwrap();
    let news = pipeline("news.toml");
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            news.to_str().unwrap(),
            "giant.jsonl",
            "-o",
            "out.jsonl",
            "--threads",
            "2",
            "--report-json",
            "report.json",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
    assert_no_panic(&out);
    let recs = jsonl(&std::fs::read(dir.path().join("out.jsonl")).unwrap());
    assert_eq!(recs.len(), 2);
    assert_eq!(recs[0]["truncated"], true);
    let cut = recs[0]["text"].as_str().unwrap();
    assert!(
        cut.len() <= 10 << 20 && cut.len() > (10 << 20) - 4,
        "{}",
        cut.len()
    );
    assert!(text.starts_with(cut));
    check_offsets(&recs[0]);
    assert!(recs[1].get("truncated").is_none());
    let report: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("report.json")).unwrap()).unwrap();
    if let Some(rss) = report["peak_rss_bytes"].as_u64() {
        // A few copies of the 50 MB line and the 10 MiB document at most, not hundreds.
        assert!(rss < 1 << 30, "peak RSS {} MB", rss >> 20);
        eprintln!("50 MB article: peak RSS {} MB", rss >> 20);
    }
    eprintln!("50 MB article: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn unusable_output_paths_are_refused_before_any_record_is_read() {
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.jsonl"),
        "{\"text\":\"Officials may resign.\"}\n",
    )
    .unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();

    // The output's directory does not exist.
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "no-such-dir/out.jsonl",
            "-e",
            "err.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no-such-dir/out.jsonl"),
        "{}",
        stderr(&out)
    );
    assert!(
        !dir.path().join("err.jsonl").exists(),
        "the errors file was created"
    );
    assert!(out.stdout.is_empty());

    // The output is a directory.
    std::fs::create_dir(dir.path().join("a-dir")).unwrap();
    for extra in [&[][..], &["--overwrite"][..]] {
        let mut args = vec!["run", "-p", p, "in.jsonl", "-o", "a-dir"];
        args.extend_from_slice(extra);
        let out = caveat(dir.path(), &args);
        assert_eq!(out.status.code(), Some(2), "{extra:?}: {}", stderr(&out));
        assert!(stderr(&out).contains("a-dir"), "{}", stderr(&out));
        assert_no_panic(&out);
    }

    // The errors file cannot be created: nothing is processed.
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "out.jsonl",
            "-e",
            "no-such-dir/err.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(
        stderr(&out).contains("no-such-dir/err.jsonl"),
        "{}",
        stderr(&out)
    );
    let left = std::fs::read(dir.path().join("out.jsonl")).unwrap_or_default();
    assert!(
        left.is_empty(),
        "records were written before refusing the errors path"
    );

    // An existing errors file is not overwritten by accident either.
    std::fs::write(dir.path().join("precious.jsonl"), "precious\n").unwrap();
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "new.jsonl",
            "-e",
            "precious.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert!(stderr(&out).contains("--overwrite"), "{}", stderr(&out));
    assert_eq!(
        std::fs::read_to_string(dir.path().join("precious.jsonl")).unwrap(),
        "precious\n"
    );

    // A read-only directory (meaningless when the tests run as root, who may write anyway).
    let ro = dir.path().join("ro");
    std::fs::create_dir(&ro).unwrap();
    let mut perms = std::fs::metadata(&ro).unwrap().permissions();
    perms.set_readonly(true);
    std::fs::set_permissions(&ro, perms).unwrap();
    if std::fs::write(ro.join("probe"), "").is_err() {
        let out = caveat(
            dir.path(),
            &["run", "-p", p, "in.jsonl", "-o", "ro/out.jsonl"],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(stderr(&out).contains("ro/out.jsonl"), "{}", stderr(&out));
    }
}

/// A copy of `news.toml` at `dir/pipelines/NAME`, with `replace` applied, next to a link
/// `dir/models` to the shipped models (so that the default paths of stages still resolve).
/// Returns its path relative to `dir`.
fn news_variant(dir: &Path, name: &str, replace: &[(&str, &str)]) -> String {
    std::fs::create_dir_all(dir.join("pipelines")).unwrap();
    if !dir.join("models").exists() {
        std::os::unix::fs::symlink(root().join("models"), dir.join("models")).unwrap();
    }
    let mut src = std::fs::read_to_string(pipeline("news.toml")).unwrap();
    for (from, to) in replace {
        assert!(src.contains(from), "news.toml has no {from:?}");
        src = src.replace(from, to);
    }
    std::fs::write(dir.join("pipelines").join(name), src).unwrap();
    format!("pipelines/{name}")
}

fn run_refused(dir: &Path, pipeline_file: &str) -> String {
    std::fs::write(
        dir.join("in.jsonl"),
        "{\"text\":\"Officials may resign.\"}\n",
    )
    .unwrap();
    let out = caveat(
        dir,
        &["run", "-p", pipeline_file, "in.jsonl", "-o", "out.jsonl"],
    );
    assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
    assert_no_panic(&out);
    assert!(
        !dir.join("out.jsonl").exists(),
        "output created by a refused run"
    );
    stderr(&out)
}

#[test]
fn missing_model_and_lexicon_files_are_named() {
    let dir = tempfile::tempdir().unwrap();
    let p = news_variant(
        dir.path(),
        "no-lexicon.toml",
        &[(
            "../models/hedge-lexicon/lexicon.toml",
            "missing/lexicon.toml",
        )],
    );
    let err = run_refused(dir.path(), &p);
    assert!(err.contains("missing/lexicon.toml"), "{err}");
    assert!(err.contains("no-lexicon.toml:"), "{err}");

    let p = news_variant(
        dir.path(),
        "no-model.toml",
        &[("../models/ner-fast", "no-such-model")],
    );
    let err = run_refused(dir.path(), &p);
    assert!(err.contains("no-such-model"), "{err}");

    // `validate` says the same.
    let out = caveat(dir.path(), &["validate", &p]);
    assert_eq!(out.status.code(), Some(2));
    assert!(stderr(&out).contains("no-such-model"), "{}", stderr(&out));
}

#[test]
fn broken_model_and_lexicon_files_are_refused_with_their_names() {
    let dir = tempfile::tempdir().unwrap();
    let copy = dir.path().join("ner-copy");
    std::fs::create_dir(&copy).unwrap();
    for e in std::fs::read_dir(root().join("models/ner-fast")).unwrap() {
        let e = e.unwrap();
        if e.file_type().unwrap().is_file() {
            std::fs::copy(e.path(), copy.join(e.file_name())).unwrap();
        }
    }
    let p = news_variant(
        dir.path(),
        "copy.toml",
        &[("../models/ner-fast", copy.to_str().unwrap())],
    );
    let bin = std::fs::read(copy.join("model.bin")).unwrap();
    // Cut in half, cut to a few bytes, emptied, and garbage of the same length.
    let garbage: Vec<u8> = (0..bin.len()).map(|i| (i * 7919 % 251) as u8).collect();
    for (what, bytes) in [
        ("half", &bin[..bin.len() / 2]),
        ("few bytes", &bin[..bin.len().min(7)]),
        ("empty", &bin[..0]),
        ("garbage", &garbage[..]),
    ] {
        std::fs::write(copy.join("model.bin"), bytes).unwrap();
        let err = run_refused(dir.path(), &p);
        assert!(err.contains("model.bin"), "{what}: {err}");
    }
    std::fs::write(copy.join("model.bin"), &bin).unwrap();

    // A lexicon that is not TOML.
    let lex = dir.path().join("lexicon.toml");
    std::fs::write(&lex, "[[cues]\ncategory = ").unwrap();
    let p = news_variant(
        dir.path(),
        "bad-lexicon.toml",
        &[(
            "../models/hedge-lexicon/lexicon.toml",
            lex.to_str().unwrap(),
        )],
    );
    let err = run_refused(dir.path(), &p);
    assert!(err.contains("lexicon.toml:1"), "{err}");
}

/// `n` JSONL records from the sample texts, with a bad line every 97 lines.
fn numbered_corpus(n: usize) -> String {
    let sample = std::fs::read_to_string(sample()).unwrap();
    let texts: Vec<Value> = jsonl(sample.as_bytes());
    let mut s = String::new();
    for i in 0..n {
        if i % 97 == 50 {
            writeln!(s, "{{\"id\":\"broken-{i}\",\"text\":").unwrap();
            continue;
        }
        let t = &texts[i % texts.len()]["text"];
        writeln!(s, "{}", json!({"id": format!("doc-{i}"), "text": t})).unwrap();
    }
    s
}

fn run_args<'a>(p: &'a str, out: &'a str, err: &'a str, extra: &[&'a str]) -> Vec<&'a str> {
    let mut args = vec![
        "run",
        "-p",
        p,
        "in.jsonl",
        "-o",
        out,
        "-e",
        err,
        "--batch-size",
        "16",
        "--threads",
        "2",
        "--quiet",
    ];
    args.extend_from_slice(extra);
    args
}

#[test]
fn sigterm_stops_after_complete_lines_and_resume_completes_identically() {
    let started = Instant::now();
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(dir.path().join("in.jsonl"), numbered_corpus(5_000)).unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();
    let reference = caveat(dir.path(), &run_args(p, "ref.jsonl", "ref.err.jsonl", &[]));
    assert_eq!(reference.status.code(), Some(3), "{}", stderr(&reference));
    let reference_time = started.elapsed();

    let child = std::process::Command::new(env!("CARGO_BIN_EXE_caveat"))
        .args(run_args(p, "out.jsonl", "err.jsonl", &[]))
        .current_dir(dir.path())
        .stderr(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    // Once output appears the signal handlers are installed; stop it early in the run.
    let t0 = Instant::now();
    while std::fs::metadata(dir.path().join("out.jsonl")).map_or(0, |m| m.len()) < 30_000 {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "no output after 30 s"
        );
        std::thread::sleep(Duration::from_millis(2));
    }
    let kill = std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    assert!(kill.success());
    let interrupted = child.wait_with_output().unwrap();
    assert_no_panic(&interrupted);
    assert_eq!(
        interrupted.status.code(),
        Some(130),
        "the run was not interrupted (the reference took {reference_time:?}): {}",
        stderr(&interrupted)
    );
    let partial = std::fs::read(dir.path().join("out.jsonl")).unwrap();
    let complete = std::fs::read(dir.path().join("ref.jsonl")).unwrap();
    assert!(partial.len() < complete.len(), "nothing left to resume");
    assert!(partial.ends_with(b"\n"), "a torn last line");
    let part_recs = jsonl(&partial);
    assert!(!part_recs.is_empty());
    // What was written is a prefix of the uninterrupted output.
    assert!(complete.starts_with(&partial));
    let cp: Value =
        serde_json::from_slice(&std::fs::read(dir.path().join("out.jsonl.progress.json")).unwrap())
            .unwrap();
    assert_eq!(cp["complete"], false);
    assert_eq!(cp["out_bytes"], partial.len() as u64);

    let resumed = caveat(
        dir.path(),
        &run_args(p, "out.jsonl", "err.jsonl", &["--resume"]),
    );
    assert_eq!(resumed.status.code(), Some(3), "{}", stderr(&resumed));
    for (a, b) in [("ref.jsonl", "out.jsonl"), ("ref.err.jsonl", "err.jsonl")] {
        let a_bytes = std::fs::read(dir.path().join(a)).unwrap();
        let b_bytes = std::fs::read(dir.path().join(b)).unwrap();
        assert!(
            a_bytes == b_bytes,
            "{b} after --resume differs from an uninterrupted run ({} vs {} bytes)",
            a_bytes.len(),
            b_bytes.len()
        );
    }
    // Resuming a complete run changes nothing.
    let again = caveat(
        dir.path(),
        &run_args(p, "out.jsonl", "err.jsonl", &["--resume"]),
    );
    assert_eq!(again.status.code(), Some(0), "{}", stderr(&again));
    assert!(std::fs::read(dir.path().join("out.jsonl")).unwrap() == complete);
    eprintln!("sigterm + resume: {:.1} s", started.elapsed().as_secs_f64());
}

#[test]
fn sigterm_is_honoured_while_waiting_for_stdin() {
    // `producer | caveat run -` with a producer that goes quiet: the signal must still stop
    // the run promptly (exit 130), not when (if ever) the next line arrives.
    let dir = tempfile::tempdir().unwrap();
    let news = pipeline("news.toml");
    let mut child = std::process::Command::new(env!("CARGO_BIN_EXE_caveat"))
        .args([
            "run",
            "-p",
            news.to_str().unwrap(),
            "-",
            "-o",
            "out.jsonl",
            "--batch-size",
            "1",
            "--quiet",
        ])
        .current_dir(dir.path())
        .stdin(std::process::Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdin = child.stdin.take().unwrap();
    {
        use std::io::Write;
        stdin
            .write_all(b"{\"id\":\"a\",\"text\":\"Officials may resign.\"}\n")
            .unwrap();
        stdin.flush().unwrap();
    }
    // The record is written (so the signal handlers are installed); the reader now waits.
    let t0 = Instant::now();
    while std::fs::metadata(dir.path().join("out.jsonl")).map_or(0, |m| m.len()) == 0 {
        assert!(
            t0.elapsed() < Duration::from_secs(30),
            "no output after 30 s"
        );
        std::thread::sleep(Duration::from_millis(5));
    }
    std::process::Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status()
        .unwrap();
    let t1 = Instant::now();
    let status = loop {
        if let Some(status) = child.try_wait().unwrap() {
            break Some(status);
        }
        if t1.elapsed() > Duration::from_secs(5) {
            break None;
        }
        std::thread::sleep(Duration::from_millis(10));
    };
    drop(stdin);
    let _ = child.kill();
    let _ = child.wait();
    let status = status.expect("still running 5 s after SIGTERM (blocked reading stdin)");
    assert_eq!(status.code(), Some(130));
}

#[test]
fn a_run_refused_for_its_errors_path_leaves_no_output_behind() {
    // Otherwise the corrected command is refused in turn, for want of --overwrite.
    let dir = tempfile::tempdir().unwrap();
    std::fs::write(
        dir.path().join("in.jsonl"),
        "{\"text\":\"Officials may resign.\"}\n",
    )
    .unwrap();
    std::fs::write(dir.path().join("taken.jsonl"), "precious\n").unwrap();
    let news = pipeline("news.toml");
    let p = news.to_str().unwrap();
    for errors in ["no-such-dir/err.jsonl", "taken.jsonl"] {
        let out = caveat(
            dir.path(),
            &["run", "-p", p, "in.jsonl", "-o", "out.jsonl", "-e", errors],
        );
        assert_eq!(out.status.code(), Some(2), "{}", stderr(&out));
        assert!(
            !dir.path().join("out.jsonl").exists(),
            "-e {errors}: the refused run created out.jsonl"
        );
    }
    let out = caveat(
        dir.path(),
        &[
            "run",
            "-p",
            p,
            "in.jsonl",
            "-o",
            "out.jsonl",
            "-e",
            "err.jsonl",
        ],
    );
    assert_eq!(out.status.code(), Some(0), "{}", stderr(&out));
}
