use std::path::{Path, PathBuf};

/// Documentation of one stage option, for `caveat stages` and config validation.
///
/// Stage configs do not write these by hand: [`stage_options!`](crate::stage_options)
/// derives them from the config struct (field docs, types and `Default`).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct OptionDoc {
    /// The option's key in the `[[stages]]` table.
    pub name: &'static str,
    /// Its type as a user writes it (`"string"`, `"path"`, `"bool"`, `"integer"`, ...).
    pub ty: String,
    /// Its default, as TOML (`""` when there is none).
    pub default: String,
    /// What it does.
    pub help: String,
}

/// What a stage needs to know to build itself from its config.
#[derive(Clone, Debug)]
pub struct BuildContext {
    /// The directory of the pipeline file: relative paths in a config are relative to it,
    /// never to the working directory.
    pub base_dir: PathBuf,
}

impl BuildContext {
    /// A context resolving paths against `base_dir`.
    pub fn new(base_dir: impl Into<PathBuf>) -> BuildContext {
        BuildContext {
            base_dir: base_dir.into(),
        }
    }

    /// Resolve a path from a config against the pipeline file's directory.
    pub fn resolve(&self, path: impl AsRef<Path>) -> PathBuf {
        let path = path.as_ref();
        if path.is_absolute() {
            path.to_path_buf()
        } else {
            self.base_dir.join(path)
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn relative_paths_resolve_against_the_pipeline_dir() {
        let ctx = BuildContext::new("/etc/caveat/pipelines");
        assert_eq!(
            ctx.resolve("../models/x"),
            PathBuf::from("/etc/caveat/pipelines/../models/x")
        );
        assert_eq!(ctx.resolve("/abs"), PathBuf::from("/abs"));
    }
}
