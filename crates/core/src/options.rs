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

/// The weight format a transformer backend runs a model's encoder in: the `quantize` option
/// of every stage with a transformer backend (`ner`, `hedge`, `attribution`).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq, serde::Deserialize, serde::Serialize)]
#[serde(rename_all = "kebab-case")]
pub enum Quantize {
    /// fp32, the weights as stored.
    #[default]
    None,
    /// int8 linear layers, quantised once at load time (`caveat-quant`'s kernels); the
    /// candle backend only.
    Int8,
}

impl crate::OptionType for Quantize {
    fn option_type() -> String {
        "\"none\" | \"int8\"".to_string()
    }
}

impl Quantize {
    /// Check that a stage's `backend` can run this format: `backend` is the option's value as
    /// written (`"perceptron"`, `"candle"`, `"rust-bert"`). The error says how to fix it.
    pub fn check_backend(self, backend: &str) -> Result<(), String> {
        if self == Quantize::None || backend == "candle" {
            return Ok(());
        }
        Err(format!(
            "quantize = \"int8\" is not supported by the {backend} backend; use backend = \
             \"candle\" (a transformer model) or quantize = \"none\""
        ))
    }
}

#[cfg(test)]
mod quantize_tests {
    use super::Quantize;

    #[derive(serde::Deserialize)]
    struct Opt {
        quantize: Quantize,
    }

    #[test]
    fn parses_kebab_case_and_rejects_other_formats() {
        let q = |s: &str| serde_json::from_str::<Opt>(s).map(|o| o.quantize);
        assert_eq!(q(r#"{"quantize":"int8"}"#).unwrap(), Quantize::Int8);
        assert_eq!(q(r#"{"quantize":"none"}"#).unwrap(), Quantize::None);
        assert!(q(r#"{"quantize":"int4"}"#).is_err());
        assert_eq!(Quantize::default(), Quantize::None);
    }

    #[test]
    fn int8_needs_the_candle_backend() {
        assert!(Quantize::Int8.check_backend("candle").is_ok());
        assert!(Quantize::None.check_backend("rust-bert").is_ok());
        let err = Quantize::Int8.check_backend("rust-bert").unwrap_err();
        assert!(
            err.contains("rust-bert") && err.contains("backend = \"candle\""),
            "{err}"
        );
        assert!(Quantize::Int8.check_backend("perceptron").is_err());
    }
}
