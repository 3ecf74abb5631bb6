//! Pipeline files: parsing and validation.
//!
//! Validation runs in three phases and collects every problem before reporting:
//! 1. **schema**: TOML syntax, unknown tables and keys, unknown stage types, option types —
//!    each with line and column and, where a name is misspelt, the closest valid one;
//! 2. **graph**: every layer a stage needs is provided by an earlier stage;
//! 3. **environment**: every file a stage names (models, lexicons) exists.
//!
//! Building the stages (loading models) is a fourth step, [`PipelineConfig::build`], whose
//! failures are reported the same way. A stage whose config asks for something this build
//! lacks (a backend behind a cargo feature) is reported in the environment phase as a
//! [`ProblemKind::Unavailable`] problem, with the feature and how to build with it.
//!
//! Pipelines built in code ([`PipelineSpec`]) go through the same phases, so a program and a
//! pipeline file cannot disagree on what is valid.

use std::collections::BTreeMap;
use std::fmt;
use std::path::{Path, PathBuf};

use caveat_core::{BuildContext, OptionDoc, ParsedStage, Registry, StageInfo};
use serde::Deserialize;
use toml::Spanned;

use crate::registry::{builtin, closest};
use crate::Pipeline;

/// A table whose keys and values remember where they were written.
type SpannedTable = BTreeMap<Spanned<String>, Spanned<toml::Value>>;

pub use caveat_output::OffsetUnit;

caveat_core::stage_options! {
    /// The `[output]` table: what the JSONL output contains.
    #[derive(Clone, Debug, PartialEq)]
    pub struct OutputOptions {
        /// Unit of every offset in the output: Unicode code points or UTF-8 bytes.
        #[ty = "\"chars\" | \"bytes\""]
        pub offsets: OffsetUnit = OffsetUnit::Chars,
        /// Write the token layer (`tokens`: start, end, text, kind) for each record.
        pub tokens: bool = false,
    }
}

fn output_options() -> Vec<OptionDoc> {
    <OutputOptions as caveat_core::StageOptions>::options()
}

const PIPELINE_KEYS: &[&str] = &["name", "description"];
const TOP_KEYS: &[&str] = &["pipeline", "output", "stages"];

/// Which phase found a problem.
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub enum ProblemKind {
    /// The file is not a valid pipeline (syntax, keys, types, stage order, missing files, a
    /// stage that fails to load).
    #[default]
    Invalid,
    /// The pipeline is valid but asks for something this build of caveat lacks (a backend
    /// behind a cargo feature).
    Unavailable {
        /// The cargo feature of `caveat-cli` that has it.
        feature: &'static str,
    },
}

/// One problem found in a pipeline file.
#[derive(Clone, Debug, PartialEq)]
pub struct ConfigProblem {
    /// Invalid, or valid but needing a feature this build lacks.
    pub kind: ProblemKind,
    /// The pipeline file.
    pub file: PathBuf,
    /// 1-based line, when the problem has a place in the file.
    pub line: Option<usize>,
    /// 1-based column (in characters).
    pub column: Option<usize>,
    /// What is wrong.
    pub message: String,
    /// How to fix it.
    pub help: Option<String>,
}

impl fmt::Display for ConfigProblem {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}", self.file.display())?;
        if let (Some(l), Some(c)) = (self.line, self.column) {
            write!(f, ":{l}:{c}")?;
        }
        write!(f, ": {}", self.message)?;
        if let Some(h) = &self.help {
            write!(f, "\n  help: {h}")?;
        }
        Ok(())
    }
}

/// Every problem found in a pipeline file (never empty).
#[derive(Debug)]
pub struct ConfigErrors(pub Vec<ConfigProblem>);

impl ConfigErrors {
    /// Whether every problem is a missing feature (the pipeline itself is valid).
    pub fn only_unavailable(&self) -> bool {
        self.0
            .iter()
            .all(|p| matches!(p.kind, ProblemKind::Unavailable { .. }))
    }
}

impl fmt::Display for ConfigErrors {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let n = self.0.len();
        writeln!(
            f,
            "{n} problem{} in the pipeline config:",
            if n == 1 { "" } else { "s" }
        )?;
        for p in &self.0 {
            writeln!(f, "{p}")?;
        }
        Ok(())
    }
}

impl std::error::Error for ConfigErrors {}

/// One `[[stages]]` entry, parsed.
pub struct StageEntry {
    /// The stage type's name.
    pub type_name: &'static str,
    /// 1-based line of the entry's `type` key (0 for a pipeline built in code).
    pub line: usize,
    info: StageInfo,
    parsed: Box<dyn ParsedStage>,
}

/// A parsed pipeline file.
pub struct PipelineConfig {
    /// Where it was read from.
    pub path: PathBuf,
    /// `[pipeline] name` (the file stem when absent).
    pub name: String,
    /// `[pipeline] description`.
    pub description: String,
    /// The `[output]` table.
    pub output: OutputOptions,
    /// The stages, in order.
    pub stages: Vec<StageEntry>,
    ctx: BuildContext,
}

/// Maps byte offsets of a source file to 1-based line and column.
struct Locator<'a> {
    src: &'a str,
    file: &'a Path,
}

impl Locator<'_> {
    fn problem(&self, at: Option<usize>, message: String, help: Option<String>) -> ConfigProblem {
        let (line, column) = match at {
            Some(pos) => {
                let (line, col) = caveat_text::linecol::line_col(self.src, pos);
                (Some(line), Some(col))
            }
            None => (None, None),
        };
        ConfigProblem {
            kind: ProblemKind::Invalid,
            file: self.file.to_path_buf(),
            line,
            column,
            message,
            help,
        }
    }
}

#[derive(Deserialize)]
struct RawFile {
    pipeline: Option<Spanned<SpannedTable>>,
    output: Option<Spanned<SpannedTable>>,
    stages: Option<Vec<Spanned<SpannedTable>>>,
}

fn unspan(table: &SpannedTable) -> toml::Value {
    toml::Value::Table(
        table
            .iter()
            .map(|(k, v)| (k.get_ref().clone(), v.get_ref().clone()))
            .collect(),
    )
}

/// Whether a TOML value fits an option's documented type.
fn type_fits(ty: &str, v: &toml::Value) -> bool {
    use toml::Value as V;
    match ty {
        "string" | "path" => matches!(v, V::String(_)),
        "bool" => matches!(v, V::Boolean(_)),
        "integer" => matches!(v, V::Integer(_)),
        "float" => matches!(v, V::Float(_) | V::Integer(_)),
        t if t.starts_with("list") || t.starts_with("array") => matches!(v, V::Array(_)),
        t if t.starts_with('"') => matches!(v, V::String(_)),
        _ => true,
    }
}

/// Report keys of `table` not in `known`.
fn unknown_keys(
    loc: &Locator,
    table: &SpannedTable,
    known: &[&str],
    what: &str,
    problems: &mut Vec<ConfigProblem>,
) {
    report_unknown(loc, &spanned_entries(table), known, what, problems);
}

/// Report the entries whose key is not in `known`, with the closest valid key.
fn report_unknown(
    loc: &Locator,
    entries: &[OptionEntry],
    known: &[&str],
    what: &str,
    problems: &mut Vec<ConfigProblem>,
) {
    for e in entries.iter().filter(|e| !known.contains(&e.key)) {
        problems.push(loc.problem(
            e.key_at,
            format!("unknown key `{}` in {what}", e.key),
            Some(unknown_key_help(e.key, known, what)),
        ));
    }
}

/// One option as written: its key, its value (`None` when it has no TOML form, e.g. a JSON
/// `null`), and where each is in the source (`None` for a pipeline built in code).
struct OptionEntry<'a> {
    key: &'a str,
    value: Option<&'a toml::Value>,
    key_at: Option<usize>,
    value_at: Option<usize>,
}

/// Check an options table against its documentation: unknown keys (with the closest valid
/// one), then value types. The one check for pipeline files and pipelines built in code.
fn check_options(
    loc: &Locator,
    entries: &[OptionEntry],
    docs: &[OptionDoc],
    what: &str,
    problems: &mut Vec<ConfigProblem>,
) {
    let known: Vec<&str> = docs.iter().map(|o| o.name).collect();
    report_unknown(loc, entries, &known, what, problems);
    for e in entries {
        let Some(doc) = docs.iter().find(|o| o.name == e.key) else {
            continue;
        };
        if !e.value.is_some_and(|v| type_fits(&doc.ty, v)) {
            problems.push(loc.problem(
                e.value_at,
                format!(
                    "`{}` in {what} must be {}, found {}",
                    doc.name,
                    doc.ty,
                    e.value.map_or("null", |v| v.type_str())
                ),
                Some(format!("{} (default: {})", doc.help, doc.default)),
            ));
        }
    }
}

/// The entries of a table read from a pipeline file, with their places.
fn spanned_entries(table: &SpannedTable) -> Vec<OptionEntry<'_>> {
    table
        .iter()
        .map(|(k, v)| OptionEntry {
            key: k.get_ref(),
            value: Some(v.get_ref()),
            key_at: Some(k.span().start),
            value_at: Some(v.span().start),
        })
        .collect()
}

impl PipelineConfig {
    /// Read, parse and check a pipeline file with caveat's own stage types (schema and graph;
    /// see [`Self::check_environment`]).
    pub fn from_file(path: &Path) -> Result<PipelineConfig, ConfigErrors> {
        PipelineConfig::from_file_with(&builtin(), path)
    }

    /// [`Self::from_file`] with the stage types of `registry`.
    pub fn from_file_with(
        registry: &Registry,
        path: &Path,
    ) -> Result<PipelineConfig, ConfigErrors> {
        let src = std::fs::read_to_string(path).map_err(|e| {
            ConfigErrors(vec![ConfigProblem {
                kind: ProblemKind::Invalid,
                file: path.to_path_buf(),
                line: None,
                column: None,
                message: format!("cannot read the pipeline file: {e}"),
                help: Some("check the path given to --pipeline".into()),
            }])
        })?;
        PipelineConfig::from_str_with(registry, &src, path)
    }

    /// Parse and check pipeline source `src` that was read from `path` (relative paths in it
    /// resolve against `path`'s directory), with caveat's own stage types.
    pub fn from_str(src: &str, path: &Path) -> Result<PipelineConfig, ConfigErrors> {
        PipelineConfig::from_str_with(&builtin(), src, path)
    }

    /// [`Self::from_str`] with the stage types of `registry`.
    pub fn from_str_with(
        registry: &Registry,
        src: &str,
        path: &Path,
    ) -> Result<PipelineConfig, ConfigErrors> {
        let loc = Locator { src, file: path };
        let mut problems = Vec::new();
        let top: SpannedTable = match toml::from_str(src) {
            Ok(t) => t,
            Err(e) => {
                let msg = e.message().trim().to_string();
                return Err(ConfigErrors(vec![loc.problem(
                    e.span().map(|s| s.start),
                    format!("invalid TOML: {msg}"),
                    None,
                )]));
            }
        };
        unknown_keys(&loc, &top, TOP_KEYS, "the pipeline file", &mut problems);
        let raw: RawFile = match toml::from_str(src) {
            Ok(r) => r,
            Err(e) => {
                problems.push(loc.problem(
                    e.span().map(|s| s.start),
                    e.message().trim().to_string(),
                    Some("`pipeline` and `output` are tables, `stages` an array of tables ([[stages]])".into()),
                ));
                return Err(ConfigErrors(problems));
            }
        };

        let stem = path
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_default();
        let (mut name, mut description) = (stem, String::new());
        if let Some(p) = &raw.pipeline {
            unknown_keys(
                &loc,
                p.get_ref(),
                PIPELINE_KEYS,
                "[pipeline]",
                &mut problems,
            );
            for (k, v) in p.get_ref() {
                match (k.get_ref().as_str(), v.get_ref()) {
                    ("name", toml::Value::String(s)) => name = s.clone(),
                    ("description", toml::Value::String(s)) => description = s.clone(),
                    ("name" | "description", other) => problems.push(loc.problem(
                        Some(v.span().start),
                        format!(
                            "`{}` in [pipeline] must be a string, found {}",
                            k.get_ref(),
                            other.type_str()
                        ),
                        None,
                    )),
                    _ => {}
                }
            }
        }

        let mut output = OutputOptions::default();
        if let Some(o) = &raw.output {
            let before = problems.len();
            check_options(
                &loc,
                &spanned_entries(o.get_ref()),
                &output_options(),
                "[output]",
                &mut problems,
            );
            if problems.len() == before {
                match unspan(o.get_ref()).try_into::<OutputOptions>() {
                    Ok(v) => output = v,
                    Err(e) => problems.push(loc.problem(
                        Some(o.span().start),
                        format!("in [output]: {}", e.message().trim()),
                        Some("offsets is \"chars\" or \"bytes\"".into()),
                    )),
                }
            }
        }

        let names = registry.names();
        let mut stages = Vec::new();
        let raw_stages = raw.stages.unwrap_or_default();
        if raw_stages.is_empty() {
            problems.push(loc.problem(
                None,
                "the pipeline has no stages".into(),
                Some("add at least one [[stages]] table, e.g. `[[stages]]\\ntype = \"tokenize\"`".into()),
            ));
        }
        for (i, st) in raw_stages.iter().enumerate() {
            let table = st.get_ref();
            let Some((type_key, type_val)) = table.iter().find(|(k, _)| k.get_ref() == "type")
            else {
                problems.push(loc.problem(
                    Some(st.span().start),
                    format!("stage #{} has no `type`", i + 1),
                    Some(format!(
                        "add `type = \"...\"`, one of: {}",
                        names.join(", ")
                    )),
                ));
                continue;
            };
            let Some(type_name) = type_val.get_ref().as_str() else {
                problems.push(loc.problem(
                    Some(type_val.span().start),
                    format!("stage #{}: `type` must be a string", i + 1),
                    Some(format!("one of: {}", names.join(", "))),
                ));
                continue;
            };
            let Some(factory) = registry.get(type_name) else {
                problems.push(loc.problem(
                    Some(type_val.span().start),
                    format!("unknown stage type `{type_name}`"),
                    Some(unknown_type_help(type_name, &names)),
                ));
                continue;
            };
            let mut options = table.clone();
            options.retain(|k, _| k.get_ref() != "type");
            let what = format!("stage #{} (`{type_name}`)", i + 1);
            let before = problems.len();
            check_options(
                &loc,
                &spanned_entries(&options),
                &factory.options(),
                &what,
                &mut problems,
            );
            if problems.len() != before {
                continue;
            }
            let line = loc
                .problem(Some(type_key.span().start), String::new(), None)
                .line
                .unwrap_or(0);
            match parse_stage(factory, unspan(&options)) {
                Ok(parsed) => stages.push(StageEntry {
                    type_name: factory.info().name,
                    line,
                    info: factory.info(),
                    parsed,
                }),
                Err(e) => problems.push(loc.problem(
                    Some(st.span().start),
                    format!("in {what}: {e}"),
                    Some("`caveat stages` lists every option with its type and default".into()),
                )),
            }
        }

        if problems.is_empty() {
            problems = graph_problems(registry, path, &stages);
        }
        if !problems.is_empty() {
            return Err(ConfigErrors(problems));
        }
        let base = path.parent().map(Path::to_path_buf).unwrap_or_default();
        let base = if base.as_os_str().is_empty() {
            PathBuf::from(".")
        } else {
            base
        };
        Ok(PipelineConfig {
            path: path.to_path_buf(),
            name,
            description,
            output,
            stages,
            ctx: BuildContext::new(base),
        })
    }

    /// Environment phase: every file a stage needs exists, and the build has every backend
    /// the stages ask for.
    pub fn check_environment(&self) -> Vec<ConfigProblem> {
        (0..self.stages.len())
            .flat_map(|i| self.stage_environment(i))
            .collect()
    }

    /// A problem located at stage `entry` (its `type` line in a pipeline file; no place for a
    /// pipeline built in code).
    fn stage_problem(
        &self,
        entry: &StageEntry,
        kind: ProblemKind,
        message: String,
        help: Option<String>,
    ) -> ConfigProblem {
        let line = (entry.line > 0).then_some(entry.line);
        ConfigProblem {
            kind,
            file: self.path.clone(),
            line,
            column: line.map(|_| 1),
            message,
            help,
        }
    }

    /// The environment problems of stage `i`.
    fn stage_environment(&self, i: usize) -> Vec<ConfigProblem> {
        let entry = &self.stages[i];
        if let Some(missing) = entry.parsed.unavailable() {
            return vec![self.stage_problem(
                entry,
                ProblemKind::Unavailable {
                    feature: missing.feature,
                },
                format!(
                    "stage #{} (`{}`): `{}` needs feature `{}`, which this build of caveat lacks",
                    i + 1,
                    entry.type_name,
                    missing.option,
                    missing.feature
                ),
                Some(missing.hint),
            )];
        }
        entry
            .parsed
            .files(&self.ctx)
            .into_iter()
            .filter(|(_, file)| !file.exists())
            .map(|(option, file)| {
                self.stage_problem(
                    entry,
                    ProblemKind::Invalid,
                    format!(
                        "stage #{} (`{}`): `{option}` names {}, which does not exist",
                        i + 1,
                        entry.type_name,
                        file.display()
                    ),
                    Some(
                        "paths are relative to the pipeline file's directory; fix the path or create the file".into(),
                    ),
                )
            })
            .collect()
    }

    /// Check the environment and load every stage. Every stage whose environment is fine is
    /// built even when another is not, so that one report lists every problem (a transformer
    /// stage the build lacks does not hide a broken lexicon in a later stage).
    pub fn build(&self) -> Result<Pipeline, ConfigErrors> {
        let mut problems = Vec::new();
        let mut stages = Vec::new();
        for (i, entry) in self.stages.iter().enumerate() {
            let env = self.stage_environment(i);
            if !env.is_empty() {
                problems.extend(env);
                continue;
            }
            match entry.parsed.build(&self.ctx) {
                Ok(s) => stages.push(s),
                Err(e) => problems.push(self.stage_problem(
                    entry,
                    ProblemKind::Invalid,
                    format!(
                        "stage #{} (`{}`) could not be built: {e}",
                        i + 1,
                        entry.type_name
                    ),
                    None,
                )),
            }
        }
        if !problems.is_empty() {
            return Err(ConfigErrors(problems));
        }
        Pipeline::new(self.name.clone(), stages, self.output.clone()).map_err(|e| {
            ConfigErrors(
                e.0.into_iter()
                    .map(|p| ConfigProblem {
                        file: self.path.clone(),
                        ..p
                    })
                    .collect(),
            )
        })
    }

    /// Documentation of the `[output]` table's options.
    pub fn output_options() -> Vec<OptionDoc> {
        output_options()
    }
}

fn unknown_key_help(key: &str, known: &[&str], what: &str) -> String {
    match closest(key, known.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? valid keys: {}", known.join(", ")),
        None if known.is_empty() => format!("{what} takes no options"),
        None => format!("valid keys: {}", known.join(", ")),
    }
}

fn unknown_type_help(type_name: &str, names: &[&str]) -> String {
    match closest(type_name, names.iter().copied()) {
        Some(c) => format!("did you mean `{c}`? stage types: {}", names.join(", ")),
        None => format!("stage types: {}", names.join(", ")),
    }
}

/// Parse a stage's options (TOML, already checked against its documented keys and types).
fn parse_stage(
    factory: &dyn caveat_core::StageFactory,
    options: toml::Value,
) -> Result<Box<dyn ParsedStage>, String> {
    let json = serde_json::to_value(&options).map_err(|e| e.to_string())?;
    factory.parse(json)
}

/// The graph phase: each stage's needed layers are provided by an earlier stage.
fn graph_problems(registry: &Registry, file: &Path, stages: &[StageEntry]) -> Vec<ConfigProblem> {
    let infos: Vec<(StageInfo, usize)> = stages.iter().map(|e| (e.info, e.line)).collect();
    crate::pipeline::missing_layers(&infos)
        .into_iter()
        .map(|m| {
            let mut providers: Vec<&str> = registry
                .iter()
                .filter(|t| m.missing.iter().any(|l| t.info().provides.contains(l)))
                .map(|t| t.info().name)
                .collect();
            providers.dedup();
            let mut p = m.problem(file);
            if !providers.is_empty() {
                p.help = Some(format!(
                    "put a `{}` stage before it",
                    providers.join("` and a `")
                ));
            }
            p
        })
        .collect()
}

/// A pipeline assembled in code instead of read from a file: the same phases run (schema,
/// graph, environment, build), so a program gets the same checks and messages as a user.
///
/// ```no_run
/// use caveat_pipeline::config::PipelineSpec;
/// let pipeline = PipelineSpec::new("mine", "/etc/caveat/pipelines")
///     .stage("tokenize", serde_json::json!({}))
///     .stage("ner", serde_json::json!({"model": "../models/ner-fast"}))
///     .build()?;
/// # Ok::<(), caveat_pipeline::ConfigErrors>(())
/// ```
pub struct PipelineSpec {
    name: String,
    base_dir: PathBuf,
    output: OutputOptions,
    stages: Vec<(String, serde_json::Value)>,
}

impl PipelineSpec {
    /// An empty pipeline called `name`; relative paths in options resolve against `base_dir`.
    pub fn new(name: impl Into<String>, base_dir: impl Into<PathBuf>) -> PipelineSpec {
        PipelineSpec {
            name: name.into(),
            base_dir: base_dir.into(),
            output: OutputOptions::default(),
            stages: Vec::new(),
        }
    }

    /// Append a stage of type `type_name` with `options` (a JSON object; `{}` for defaults).
    pub fn stage(mut self, type_name: impl Into<String>, options: serde_json::Value) -> Self {
        self.stages.push((type_name.into(), options));
        self
    }

    /// The `[output]` options.
    pub fn output(mut self, output: OutputOptions) -> Self {
        self.output = output;
        self
    }

    /// Schema and graph phases with caveat's own stage types.
    pub fn config(self) -> Result<PipelineConfig, ConfigErrors> {
        self.config_with(&builtin())
    }

    /// Schema and graph phases with the stage types of `registry`.
    pub fn config_with(self, registry: &Registry) -> Result<PipelineConfig, ConfigErrors> {
        let file = PathBuf::from(format!("<pipeline `{}`>", self.name));
        let names = registry.names();
        let mut problems = Vec::new();
        let mut stages = Vec::new();
        // No source: every problem is placed at the pipeline's name only.
        let loc = Locator {
            src: "",
            file: &file,
        };
        let problem = |message: String, help: Option<String>| loc.problem(None, message, help);
        if self.stages.is_empty() {
            problems.push(problem("the pipeline has no stages".into(), None));
        }
        for (i, (type_name, options)) in self.stages.into_iter().enumerate() {
            let Some(factory) = registry.get(&type_name) else {
                problems.push(problem(
                    format!("unknown stage type `{type_name}`"),
                    Some(unknown_type_help(&type_name, &names)),
                ));
                continue;
            };
            let what = format!("stage #{} (`{type_name}`)", i + 1);
            let before = problems.len();
            let values: Vec<(&String, Option<toml::Value>)> = options
                .as_object()
                .into_iter()
                .flatten()
                .map(|(k, v)| (k, toml::Value::try_from(v).ok()))
                .collect();
            let entries: Vec<OptionEntry> = values
                .iter()
                .map(|(k, v)| OptionEntry {
                    key: k,
                    value: v.as_ref(),
                    key_at: None,
                    value_at: None,
                })
                .collect();
            check_options(&loc, &entries, &factory.options(), &what, &mut problems);
            if problems.len() != before {
                continue;
            }
            match factory.parse(options) {
                Ok(parsed) => stages.push(StageEntry {
                    type_name: factory.info().name,
                    line: 0,
                    info: factory.info(),
                    parsed,
                }),
                Err(e) => problems.push(problem(format!("in {what}: {e}"), None)),
            }
        }
        if problems.is_empty() {
            problems = graph_problems(registry, &file, &stages);
        }
        if !problems.is_empty() {
            return Err(ConfigErrors(problems));
        }
        Ok(PipelineConfig {
            path: file,
            name: self.name,
            description: String::new(),
            output: self.output,
            stages,
            ctx: BuildContext::new(self.base_dir),
        })
    }

    /// Every phase, then load the stages.
    pub fn build(self) -> Result<Pipeline, ConfigErrors> {
        self.config()?.build()
    }

    /// Every phase with the stage types of `registry`, then load the stages.
    pub fn build_with(self, registry: &Registry) -> Result<Pipeline, ConfigErrors> {
        self.config_with(registry)?.build()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn problems(src: &str) -> Vec<ConfigProblem> {
        match PipelineConfig::from_str(src, Path::new("/p/x.toml")) {
            Ok(_) => vec![],
            Err(e) => e.0,
        }
    }

    #[test]
    fn a_valid_pipeline_parses() {
        let src = "[pipeline]\nname = \"t\"\n[output]\noffsets = \"bytes\"\n[[stages]]\ntype = \"tokenize\"\n";
        let c = PipelineConfig::from_str(src, Path::new("/p/x.toml")).unwrap();
        assert_eq!(c.name, "t");
        assert_eq!(c.output.offsets, OffsetUnit::Bytes);
        assert_eq!(c.stages.len(), 1);
        assert_eq!(c.stages[0].line, 6);
    }

    #[test]
    fn unknown_stage_type_is_located_and_a_fix_suggested() {
        let p = problems("[[stages]]\ntype = \"tokenize\"\n\n[[stages]]\ntype = \"nerr\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert_eq!((p[0].line, p[0].column), (Some(5), Some(8)));
        assert!(p[0].message.contains("unknown stage type `nerr`"));
        assert!(p[0].help.as_deref().unwrap().contains("did you mean `ner`"));
    }

    #[test]
    fn all_problems_are_reported_at_once() {
        let src = "colour = 1\n[output]\noffset = \"chars\"\n[[stages]]\ntype = \"tokenize\"\nfoo = 1\n[[stages]]\ntype = 3\n";
        let p = problems(src);
        let msgs: Vec<_> = p.iter().map(|p| (p.line, p.message.as_str())).collect();
        assert_eq!(p.len(), 4, "{msgs:?}");
        assert!(p
            .iter()
            .any(|p| p.message.contains("`colour`") && p.line == Some(1)));
        assert!(p.iter().any(|p| p.message.contains("`offset`")
            && p.help
                .as_deref()
                .unwrap()
                .contains("did you mean `offsets`")));
        assert!(p
            .iter()
            .any(|p| p.message.contains("`foo`") && p.line == Some(6)));
        assert!(p
            .iter()
            .any(|p| p.message.contains("must be a string") && p.line == Some(8)));
    }

    #[test]
    fn wrong_option_types_are_reported_at_the_value() {
        let p = problems("[output]\ntokens = \"yes\"\n[[stages]]\ntype = \"tokenize\"\n");
        assert_eq!(p.len(), 1);
        assert_eq!((p[0].line, p[0].column), (Some(2), Some(10)));
        assert!(p[0].message.contains("must be bool"), "{}", p[0].message);
    }

    #[test]
    fn syntax_errors_have_a_location() {
        let p = problems("[[stages]]\ntype = \"tokenize\n");
        assert_eq!(p.len(), 1);
        assert_eq!(p[0].line, Some(2));
        assert!(p[0].message.starts_with("invalid TOML"));
    }

    #[test]
    fn missing_layers_are_refused() {
        let p = problems("[[stages]]\ntype = \"hedge\"\n");
        assert_eq!(p.len(), 1, "{p:?}");
        assert!(
            p[0].message
                .contains("needs the `tokens` and `sentences` layers"),
            "{}",
            p[0].message
        );
        assert!(p[0].help.as_deref().unwrap().contains("tokenize"));
    }

    #[test]
    fn an_empty_pipeline_is_refused() {
        assert!(problems("[pipeline]\nname = \"x\"\n")[0]
            .message
            .contains("no stages"));
    }

    #[test]
    fn missing_files_are_found_before_the_run() {
        let src = "[[stages]]\ntype = \"tokenize\"\n[[stages]]\ntype = \"hedge\"\nlexicon = \"nope/lexicon.toml\"\n";
        let c = PipelineConfig::from_str(src, Path::new("/nonexistent/p.toml")).unwrap();
        let p = c.check_environment();
        assert!(!p.is_empty());
        assert!(
            p[0].message.contains("nope/lexicon.toml"),
            "{}",
            p[0].message
        );
        assert_eq!(p[0].line, Some(4));
    }

    /// A stage the build lacks does not hide a broken stage after it.
    #[cfg(not(feature = "rust-bert"))]
    #[test]
    fn an_unavailable_stage_does_not_hide_a_broken_one() {
        let dir = tempfile::tempdir().unwrap();
        std::fs::write(dir.path().join("bad.toml"), "[[cues]]\nwords = 3\n").unwrap();
        let src = "[[stages]]\ntype = \"tokenize\"\n[[stages]]\ntype = \"ner\"\nbackend = \"rust-bert\"\n\
                   [[stages]]\ntype = \"hedge\"\nmode = \"lexicon\"\nlexicon = \"bad.toml\"\n";
        let c = PipelineConfig::from_str(src, &dir.path().join("p.toml")).unwrap();
        let e = c.build().err().unwrap();
        assert!(!e.only_unavailable(), "{e}");
        assert_eq!(e.0.len(), 2, "{e}");
        assert_eq!(
            e.0[0].kind,
            ProblemKind::Unavailable {
                feature: "rust-bert"
            }
        );
        assert_eq!((e.0[0].line, e.0[1].line), (Some(4), Some(7)));
        assert!(
            e.0[1]
                .message
                .contains("stage #3 (`hedge`) could not be built"),
            "{e}"
        );
    }

    /// Pipelines built in code go through the same phases, with messages that have no place.
    #[test]
    fn pipeline_specs_are_checked_like_files() {
        let e = PipelineSpec::new("x", "/nonexistent")
            .stage("tokenize", serde_json::json!({"split_on_newlines": false}))
            .stage("hedge", serde_json::json!({"mode": 3}))
            .config()
            .err()
            .unwrap();
        assert_eq!(e.0.len(), 2, "{e}");
        assert!(e.0.iter().all(|p| p.line.is_none()));
        assert!(
            e.0[0]
                .help
                .as_deref()
                .unwrap()
                .contains("did you mean `split_on_newline`"),
            "{e}"
        );
        assert!(e.0[1].message.contains("`mode`"), "{e}");
        let e = PipelineSpec::new("x", "/nonexistent")
            .stage("tokenize", serde_json::json!({}))
            .stage(
                "hedge",
                serde_json::json!({"lexicon": "no.toml", "mode": "lexicon"}),
            )
            .build()
            .err()
            .unwrap();
        assert!(
            e.to_string().contains("no.toml, which does not exist"),
            "{e}"
        );
        assert_eq!(e.0[0].line, None);
        assert!(
            e.to_string().starts_with("1 problem") && !e.to_string().contains(":0:"),
            "{e}"
        );
    }
}
