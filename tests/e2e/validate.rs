use crate::harness::*;

#[test]
fn every_shipped_pipeline_is_valid() {
    let dir = tempfile::tempdir().unwrap();
    let mut pipelines: Vec<_> = std::fs::read_dir(root().join("pipelines"))
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.extension().is_some_and(|e| e == "toml"))
        .collect();
    pipelines.sort();
    assert!(pipelines.len() >= 2);
    for p in &pipelines {
        // news-rust-bert.toml needs a binary built with the rust-bert feature; without it,
        // tests/e2e/transformer.rs checks that validation explains how to build one.
        if !cfg!(feature = "rust-bert") && p.ends_with("news-rust-bert.toml") {
            continue;
        }
        let out = caveat(dir.path(), &["validate", p.to_str().unwrap()]);
        assert!(
            out.status.success(),
            "{}: {}",
            p.display(),
            String::from_utf8_lossy(&out.stderr)
        );
        assert!(String::from_utf8_lossy(&out.stdout).starts_with("ok: "));
    }
}

#[test]
fn an_unknown_stage_type_is_refused_with_its_location() {
    let dir = tempfile::tempdir().unwrap();
    let p = dir.path().join("bad.toml");
    std::fs::write(&p, "[pipeline]\nname = \"bad\"\n\n[[stages]]\ntype = \"tokenize\"\n\n[[stages]]\ntype = \"hedgee\"\n").unwrap();
    let out = caveat(dir.path(), &["validate", "bad.toml"]);
    assert_eq!(out.status.code(), Some(2));
    let err = String::from_utf8_lossy(&out.stderr);
    assert!(
        err.contains("bad.toml:8:8: unknown stage type `hedgee`"),
        "{err}"
    );
    assert!(err.contains("did you mean `hedge`"), "{err}");
}

#[test]
fn stages_lists_every_type_with_options() {
    let out = caveat(&root(), &["stages"]);
    assert!(out.status.success());
    let s = String::from_utf8_lossy(&out.stdout);
    for t in ["tokenize", "ner", "hedge", "attribution"] {
        assert!(s.contains(&format!("type = \"{t}\"")), "{s}");
    }
    assert!(s.contains("lexicon") && s.contains("offsets"));
}
