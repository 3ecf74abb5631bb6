//! The dependency invariants of ARCHITECTURE.md, checked against the Cargo manifests: a
//! change that breaks one fails here, next to the document that states it.

use std::collections::{BTreeMap, BTreeSet};

use crate::harness::root;

/// A workspace member: its package name and its normal (non-dev) dependencies, with whether
/// each is optional.
struct Member {
    name: String,
    deps: BTreeMap<String, bool>,
}

fn manifest(path: &std::path::Path) -> toml::Table {
    let src = std::fs::read_to_string(path).unwrap_or_else(|e| panic!("{}: {e}", path.display()));
    src.parse()
        .unwrap_or_else(|e| panic!("{}: {e}", path.display()))
}

fn members() -> Vec<Member> {
    let ws = manifest(&root().join("Cargo.toml"));
    let paths = ws["workspace"]["members"].as_array().unwrap();
    paths
        .iter()
        .map(|p| {
            let m = manifest(&root().join(p.as_str().unwrap()).join("Cargo.toml"));
            let name = m["package"]["name"].as_str().unwrap().to_string();
            let deps = m
                .get("dependencies")
                .and_then(|d| d.as_table())
                .map(|t| {
                    t.iter()
                        .map(|(k, v)| {
                            let optional =
                                v.get("optional").and_then(|o| o.as_bool()).unwrap_or(false);
                            (k.clone(), optional)
                        })
                        .collect()
                })
                .unwrap_or_default();
            Member { name, deps }
        })
        .collect()
}

fn member<'a>(all: &'a [Member], name: &str) -> &'a Member {
    all.iter()
        .find(|m| m.name == name)
        .unwrap_or_else(|| panic!("{name} is not a workspace member"))
}

const STAGES: [&str; 4] = [
    "caveat-tokenize",
    "caveat-ner",
    "caveat-hedge",
    "caveat-attribution",
];
const HEAVY: [&str; 7] = [
    "candle-core",
    "candle-nn",
    "candle-transformers",
    "tokenizers",
    "safetensors",
    "tch",
    "rust-bert",
];

#[test]
fn core_depends_on_nothing_in_the_workspace_nor_anything_heavy() {
    let all = members();
    let core = member(&all, "caveat-core");
    let deps: BTreeSet<&str> = core.deps.keys().map(String::as_str).collect();
    assert_eq!(deps, BTreeSet::from(["serde", "serde_json", "thiserror"]));
}

#[test]
fn the_shared_crates_are_small() {
    let all = members();
    let text = member(&all, "caveat-text");
    assert!(text.deps.is_empty(), "caveat-text depends on nothing");
    let output = member(&all, "caveat-output");
    let deps: BTreeSet<&str> = output.deps.keys().map(String::as_str).collect();
    assert_eq!(deps, BTreeSet::from(["serde", "serde_json"]));
}

#[test]
fn stage_crates_depend_on_core_and_text_only() {
    let all = members();
    for stage in STAGES {
        let m = member(&all, stage);
        assert!(
            m.deps.contains_key("caveat-core"),
            "{stage} must use caveat-core"
        );
        for (dep, &optional) in &m.deps {
            if !dep.starts_with("caveat-") {
                continue;
            }
            match dep.as_str() {
                "caveat-core" | "caveat-text" => {}
                // The ner, attribution and hedge stages' transformer backends, only behind a
                // feature.
                "caveat-transformer"
                    if stage == "caveat-ner"
                        || stage == "caveat-attribution"
                        || stage == "caveat-hedge" =>
                {
                    assert!(optional, "caveat-transformer must be optional in {stage}")
                }
                other => panic!("{stage} depends on {other}: stage crates depend on caveat-core and caveat-text only"),
            }
        }
    }
}

#[test]
fn heavy_dependencies_live_only_in_the_transformer_crate() {
    let all = members();
    for m in &all {
        if m.name == "caveat-transformer" {
            continue;
        }
        for heavy in HEAVY {
            assert!(
                !m.deps.contains_key(heavy),
                "{} depends on {heavy}; only caveat-transformer may",
                m.name
            );
        }
        if let Some(&optional) = m.deps.get("caveat-transformer") {
            assert!(
                optional,
                "{} depends on caveat-transformer unconditionally: it must sit behind the `transformer` feature",
                m.name
            );
        }
    }
}

#[test]
fn report_reads_only_the_output_contract() {
    let all = members();
    let report = member(&all, "caveat-report");
    assert!(report.deps.contains_key("caveat-output"));
    // The output contract, and the dependency-free text primitives (`names`: the one folding
    // of names shared with the coref stage); never the pipeline, core or a stage.
    for dep in report.deps.keys().filter(|d| d.starts_with("caveat-")) {
        assert!(
            dep == "caveat-output" || dep == "caveat-text",
            "caveat-report depends on {dep}"
        );
    }
    let pipeline = member(&all, "caveat-pipeline");
    assert!(
        pipeline.deps.contains_key("caveat-output"),
        "the writer must use the output contract crate"
    );
}

#[test]
fn only_the_cli_knows_the_terminal() {
    let all = members();
    for m in &all {
        if m.name == "caveat-cli" {
            continue;
        }
        for dep in [
            "anyhow",
            "clap",
            "indicatif",
            "clap_complete",
            "signal-hook",
        ] {
            assert!(
                !m.deps.contains_key(dep),
                "{} depends on {dep}; only caveat-cli may",
                m.name
            );
        }
    }
}

#[test]
fn the_crate_table_lists_every_member() {
    let doc = std::fs::read_to_string(root().join("ARCHITECTURE.md")).unwrap();
    for m in members() {
        if m.name.starts_with("caveat-example") {
            continue;
        }
        assert!(
            doc.contains(&format!("| `{}` |", m.name)),
            "ARCHITECTURE.md's crate table has no row for {}",
            m.name
        );
    }
}
