//! The `watchlist` stage, defined in this crate, runs from a TOML pipeline next to caveat's
//! own stages, and from a pipeline built in code; both go through caveat's validation.

use std::io::Write;
use std::path::Path;
use std::process::{Command, Stdio};

use caveat_example_custom_stage::registry;
use caveat_pipeline::{PipelineConfig, PipelineSpec};

const TEXT: &str =
    "Seoul’s National Intelligence Service alleges a leak. The NIS may be wrong, Reuters said.";

fn pipeline_file() -> std::path::PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("pipeline.toml")
}

#[test]
fn runs_from_a_toml_pipeline_through_the_binary() {
    let mut child = Command::new(env!("CARGO_BIN_EXE_caveat-example-custom-stage"))
        .arg(pipeline_file())
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let line = serde_json::json!({"id": "a", "text": TEXT}).to_string();
    child
        .stdin
        .take()
        .unwrap()
        .write_all(format!("{line}\n").as_bytes())
        .unwrap();
    let out = child.wait_with_output().unwrap();
    assert!(
        out.status.success(),
        "{}",
        String::from_utf8_lossy(&out.stderr)
    );
    let record: serde_json::Value = serde_json::from_slice(&out.stdout).unwrap();
    let chars: Vec<char> = TEXT.chars().collect();
    let entities = record["entities"].as_array().unwrap();
    let found: Vec<(&str, &str)> = entities
        .iter()
        .map(|e| (e["text"].as_str().unwrap(), e["label"].as_str().unwrap()))
        .collect();
    assert_eq!(
        found,
        [
            ("National Intelligence Service", "WATCH"),
            ("NIS", "WATCH"),
            ("Reuters", "WATCH")
        ]
    );
    for e in entities {
        // Offsets are code points into the original text ("’" is one code point, 3 bytes).
        let (s, t) = (
            e["start"].as_u64().unwrap() as usize,
            e["end"].as_u64().unwrap() as usize,
        );
        let slice: String = chars[s..t].iter().collect();
        assert_eq!(slice, e["text"].as_str().unwrap());
    }
    // caveat's own hedge stage ran after it in the same pipeline.
    let hedges: Vec<&str> = record["hedges"]
        .as_array()
        .unwrap()
        .iter()
        .map(|h| h["text"].as_str().unwrap())
        .collect();
    assert!(
        hedges.contains(&"alleges") && hedges.contains(&"may"),
        "{hedges:?}"
    );
}

#[test]
fn the_new_stage_is_validated_like_a_builtin() {
    let registry = registry();
    // Without the registry, the stage type is unknown.
    let err = PipelineConfig::from_file(&pipeline_file()).err().unwrap();
    assert!(
        err.to_string().contains("unknown stage type `watchlist`"),
        "{err}"
    );
    // Options are checked against the struct: a typo is located and a fix suggested.
    let src = "[[stages]]\ntype = \"tokenize\"\n[[stages]]\ntype = \"watchlist\"\nname = [\"x\"]\n";
    let err = PipelineConfig::from_str_with(&registry, src, Path::new("/p/w.toml"))
        .err()
        .unwrap();
    let p = &err.0[0];
    assert_eq!(p.line, Some(5));
    assert!(
        p.help.as_deref().unwrap().contains("did you mean `names`"),
        "{p}"
    );
    // The graph phase: it needs tokens.
    let err = PipelineSpec::new("w", ".")
        .stage("watchlist", serde_json::json!({"names": ["NIS"]}))
        .build_with(&registry)
        .err()
        .unwrap();
    assert!(
        err.to_string().contains("needs the `tokens` layer"),
        "{err}"
    );
    assert!(
        err.to_string().contains("put a `tokenize` stage before it"),
        "{err}"
    );
    // The build phase: its own errors, with the stage named.
    let err = PipelineSpec::new("w", ".")
        .stage("tokenize", serde_json::json!({}))
        .stage("watchlist", serde_json::json!({}))
        .build_with(&registry)
        .err()
        .unwrap();
    assert!(err.to_string().contains("`names` is empty"), "{err}");
}

#[test]
fn a_pipeline_built_in_code_runs() {
    let pipeline = PipelineSpec::new("w", ".")
        .stage("tokenize", serde_json::json!({}))
        .stage(
            "watchlist",
            serde_json::json!({"names": ["NIS"], "label": "AGENCY"}),
        )
        .build_with(&registry())
        .unwrap();
    let mut docs = vec![caveat_core::Document::new("d", "The NIS said so. NIS!")];
    assert_eq!(pipeline.annotate(&mut docs), vec![None]);
    let labels: Vec<&str> = docs[0].entities.iter().map(|e| e.label.as_str()).collect();
    assert_eq!(labels, ["AGENCY", "AGENCY"]);
}
