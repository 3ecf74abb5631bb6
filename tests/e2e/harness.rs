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
        // The command may exit without reading its input (e.g. when it refuses standard
        // input): then the write fails with a broken pipe, and the exit status is the answer.
        if let Err(e) = child.stdin.take().unwrap().write_all(input) {
            assert_eq!(e.kind(), std::io::ErrorKind::BrokenPipe, "{e}");
        }
    }
    child.wait_with_output().unwrap()
}

/// Kill `child` (SIGKILL) once `path` holds more than `bytes` bytes, or after 20 s (so
/// somewhere in the middle of its run, or after its end, which must work too), and reap it.
pub fn kill_when_grown(mut child: std::process::Child, path: &Path, bytes: u64) {
    let started = std::time::Instant::now();
    loop {
        let len = std::fs::metadata(path).map(|m| m.len()).unwrap_or(0);
        if len > bytes || started.elapsed().as_secs() > 20 {
            break;
        }
        std::thread::sleep(std::time::Duration::from_millis(2));
    }
    child.kill().unwrap();
    child.wait().unwrap();
}

/// Parse JSONL.
pub fn jsonl(bytes: &[u8]) -> Vec<Value> {
    std::str::from_utf8(bytes)
        .unwrap()
        .lines()
        .map(|l| serde_json::from_str(l).unwrap_or_else(|e| panic!("bad JSON line {l:?}: {e}")))
        .collect()
}

/// Assert that every span of every layer of `rec` slices its text to the span's `text`, in
/// code points as Python's `text[start:end]` would (linear time, so megabyte records are
/// fine). Returns how many spans were checked.
pub fn check_offsets(rec: &Value) -> usize {
    let text = rec["text"].as_str().unwrap();
    // Byte offset of every code point, and of the end.
    let starts: Vec<usize> = text
        .char_indices()
        .map(|(i, _)| i)
        .chain(std::iter::once(text.len()))
        .collect();
    let n = starts.len() - 1;
    let mut checked = 0;
    let mut check = |span: &Value| {
        let (s, e) = (
            span["start"].as_u64().unwrap() as usize,
            span["end"].as_u64().unwrap() as usize,
        );
        assert!(
            s <= e && e <= n,
            "span {span} out of bounds in {}",
            rec["id"]
        );
        if let Some(t) = span.get("text") {
            assert_eq!(
                &text[starts[s]..starts[e]],
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
