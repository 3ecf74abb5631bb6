use crate::harness::*;

/// The feature a shipped pipeline needs beyond the default build, if any.
fn needs_feature(p: &std::path::Path) -> Option<&'static str> {
    let name = p.file_name().unwrap().to_str().unwrap();
    if name.contains("rust-bert") {
        Some("rust-bert")
    } else if name.contains("transformer") {
        Some("transformer")
    } else {
        None
    }
}

fn has_feature(feature: &str) -> bool {
    let mut built = Vec::new();
    if cfg!(feature = "transformer") {
        built.push("transformer");
    }
    if cfg!(feature = "rust-bert") {
        built.push("rust-bert");
    }
    built.contains(&feature)
}

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
    // All at once, as the README shows it: valid pipelines that need a feature this build
    // lacks are listed apart and do not fail the command.
    let args: Vec<&str> = std::iter::once("validate")
        .chain(pipelines.iter().map(|p| p.to_str().unwrap()))
        .collect();
    let out = caveat(dir.path(), &args);
    let stdout = String::from_utf8_lossy(&out.stdout);
    let stderr = String::from_utf8_lossy(&out.stderr);
    assert!(out.status.success(), "{stdout}{stderr}");
    let mut lacking = 0;
    for p in &pipelines {
        let line = stdout
            .lines()
            .find(|l| l.ends_with(p.to_str().unwrap()) || l.contains(&format!("{} —", p.display())))
            .unwrap_or_else(|| panic!("{} not reported: {stdout}", p.display()));
        match needs_feature(p).filter(|f| !has_feature(f)) {
            None => assert!(line.starts_with("ok: "), "{line}\n{stderr}"),
            Some(f) => {
                lacking += 1;
                assert!(line.starts_with(&format!("needs feature `{f}`")), "{line}");
                assert!(stderr.contains(&format!("--features {f}")), "{stderr}");
            }
        }
    }
    // --strict counts them as failures.
    let mut strict = args.clone();
    strict.insert(1, "--strict");
    let out = caveat(dir.path(), &strict);
    assert_eq!(out.status.code(), Some(if lacking > 0 { 2 } else { 0 }));
}

/// A pipeline naming a backend the build lacks is refused by `run` with exit 2 and the
/// build command that has it.
#[test]
fn run_refuses_a_backend_the_build_lacks() {
    for (pipeline_file, feature) in [
        ("news-transformer.toml", "transformer"),
        ("news-rust-bert.toml", "rust-bert"),
    ] {
        if has_feature(feature) {
            continue;
        }
        let dir = tempfile::tempdir().unwrap();
        let out = caveat_stdin(
            dir.path(),
            &["run", "-p", pipeline(pipeline_file).to_str().unwrap()],
            Some(b"{\"id\": 1, \"text\": \"Hello.\"}\n"),
        );
        assert_eq!(out.status.code(), Some(2));
        let err = String::from_utf8_lossy(&out.stderr);
        assert!(err.contains(&format!("needs feature `{feature}`")), "{err}");
        assert!(err.contains(&format!("--features {feature}")), "{err}");
        assert!(out.stdout.is_empty());
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
