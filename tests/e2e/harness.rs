//! A temp-dir harness that runs the real binary.

use std::path::{Path, PathBuf};
use std::process::{Command, Output, Stdio};

use serde_json::Value;

/// The repository root.
pub fn root() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR"))
        .join("../..")
        .canonicalize()
        .unwrap()
}

/// A shipped pipeline file.
pub fn pipeline(name: &str) -> PathBuf {
    root().join("pipelines").join(name)
}

/// The sample corpus written for the repository.
pub fn sample() -> PathBuf {
    root().join("tests/data/sample-news.jsonl")
}

/// `caveat` with `args`, run in `dir`.
pub fn caveat(dir: &Path, args: &[&str]) -> Output {
    caveat_stdin(dir, args, None)
}

/// `caveat` with `args` and `stdin`.
pub fn caveat_stdin(dir: &Path, args: &[&str], stdin: Option<&[u8]>) -> Output {
    use std::io::Write;
    let mut child = Command::new(env!("CARGO_BIN_EXE_caveat"))
        .args(args)
        .current_dir(dir)
        .stdin(if stdin.is_some() {
            Stdio::piped()
        } else {
            Stdio::null()
        })
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("caveat starts");
    if let Some(input) = stdin {
        child.stdin.take().unwrap().write_all(input).unwrap();
    }
    child.wait_with_output().unwrap()
}

/// Parse JSONL.
pub fn jsonl(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// `text[start..end]` in code points, as Python would slice it.
pub fn slice_chars(text: &str, start: u64, end: u64) -> String {
    text.chars()
        .skip(start as usize)
        .take((end - start) as usize)
        .collect()
}

/// Assert that every span of every layer of `rec` slices its text to the span's `text`.
/// Returns how many spans were checked.
pub fn check_offsets(rec: &Value) -> usize {
    let text = rec["text"].as_str().unwrap();
    let n = text.chars().count() as u64;
    let mut checked = 0;
    let mut check = |span: &Value| {
        let (s, e) = (
            span["start"].as_u64().unwrap(),
            span["end"].as_u64().unwrap(),
        );
        assert!(
            s <= e && e <= n,
            "span {span} out of bounds in {}",
            rec["id"]
        );
        if let Some(t) = span.get("text") {
            assert_eq!(
                slice_chars(text, s, e),
                t.as_str().unwrap(),
                "span {span} in {}",
                rec["id"]
            );
        }
        checked += 1;
    };
    for layer in ["sentences", "entities", "hedges", "tokens"] {
        for span in rec
            .get(layer)
            .and_then(Value::as_array)
            .into_iter()
            .flatten()
        {
            check(span);
        }
    }
    for a in rec["attributions"].as_array().unwrap() {
        for part in ["source", "cue", "content"] {
            if !a[part].is_null() {
                check(&a[part]);
            }
        }
    }
    checked
}
