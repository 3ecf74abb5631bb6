//! The factory side of a stage: how a `[[stages]]` table becomes a [`Stage`].
//!
//! A stage type is a config struct that implements [`StageConfig`]. Its options, their types,
//! defaults and help all come from that one struct, declared with [`stage_options!`](crate::stage_options): the
//! field docs are the help, the field initialisers are the defaults (rendered for
//! `caveat stages` from the same `Default` the parser uses), and the field types give the
//! option types. [`Registry`] is the table of stage types a pipeline can name: the pipeline
//! crate fills one with caveat's own stages, and any crate can [`Registry::register`] more.
//!
//! ```
//! use caveat_core::{
//!     stage_options, BoxError, BuildContext, Document, Layer, Registry, Stage, StageConfig,
//!     StageError, StageInfo,
//! };
//!
//! stage_options! {
//!     /// Options of the `shout` stage.
//!     #[derive(Debug, Clone)]
//!     pub struct ShoutConfig {
//!         /// Upper-case the id too.
//!         pub ids: bool = false,
//!     }
//! }
//!
//! struct Shout;
//! impl Stage for Shout {
//!     fn info(&self) -> StageInfo {
//!         ShoutConfig::INFO
//!     }
//!     fn process(&self, doc: &mut Document) -> Result<(), StageError> {
//!         Ok(())
//!     }
//! }
//!
//! impl StageConfig for ShoutConfig {
//!     const INFO: StageInfo = StageInfo::new("shout", &[], &[]);
//!     fn build(&self, _ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
//!         Ok(Box::new(Shout))
//!     }
//! }
//!
//! let mut registry = Registry::new();
//! registry.register::<ShoutConfig>();
//! assert!(registry.get("shout").is_some());
//! let options = registry.get("shout").unwrap().options();
//! assert_eq!((options[0].name, options[0].ty.as_str(), options[0].default.as_str()), ("ids", "bool", "false"));
//! ```

use std::marker::PhantomData;
use std::path::PathBuf;

use serde::de::DeserializeOwned;
use serde::Serialize;

use crate::{BuildContext, OptionDoc, Stage, StageInfo};

/// A boxed error from building a stage (each stage crate has its own typed error).
pub type BoxError = Box<dyn std::error::Error + Send + Sync + 'static>;

/// The type of an option value as a user writes it in TOML (`"bool"`, `"integer"`, ...).
///
/// Config validation checks values against it before parsing, so that a wrong type is
/// reported at the value with the option's help. Enums of string values implement it with
/// their choices (`"\"lexicon\" | \"tagger\""`).
pub trait OptionType {
    /// The type's name.
    fn option_type() -> String;
}

macro_rules! option_types {
    ($name:literal: $($t:ty),*) => {
        $(impl OptionType for $t {
            fn option_type() -> String {
                $name.to_string()
            }
        })*
    };
}
option_types!("string": String);
option_types!("bool": bool);
option_types!("integer": u8, u16, u32, u64, usize, i8, i16, i32, i64, isize);
option_types!("float": f32, f64);

impl OptionType for PathBuf {
    fn option_type() -> String {
        "path".to_string()
    }
}

impl<T: OptionType> OptionType for Option<T> {
    fn option_type() -> String {
        T::option_type()
    }
}

impl<T: OptionType> OptionType for Vec<T> {
    fn option_type() -> String {
        format!("array of {}s", T::option_type())
    }
}

/// A config struct whose options are documented: implemented by [`stage_options!`](crate::stage_options).
pub trait StageOptions: Default + Serialize + DeserializeOwned {
    /// Every option with its type, default (from `Default`) and help (from the field docs).
    fn options() -> Vec<OptionDoc>;
}

/// Something a stage config needs that this build of caveat lacks (a cargo feature).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Unavailable {
    /// The option that asks for it (`backend`).
    pub option: &'static str,
    /// The cargo feature of `caveat-cli` that provides it (`transformer`).
    pub feature: &'static str,
    /// How to get a build that has it.
    pub hint: String,
}

impl Unavailable {
    /// `option` needs `caveat-cli`'s cargo `feature`, with the command that builds it in
    /// (`rust-bert` through `scripts/with-libtorch`).
    pub fn cargo_feature(option: &'static str, feature: &'static str) -> Unavailable {
        let flag = if feature == "rust-bert" {
            "scripts/with-libtorch cargo install --path crates/cli --features rust-bert".to_string()
        } else {
            format!("cargo install --path crates/cli --features {feature}")
        };
        Unavailable {
            option,
            feature,
            hint: format!(
                "build with `{flag}` (or `--features caveat-cli/{feature}` in cargo build)"
            ),
        }
    }
}

impl std::fmt::Display for Unavailable {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        write!(
            f,
            "`{}` needs the cargo feature `{}`, which this build of caveat lacks: {}",
            self.option, self.feature, self.hint
        )
    }
}

/// A stage type: its config struct is parsed from the `[[stages]]` table and builds the stage.
///
/// The config is also the stage type's one source of truth for its name, layers and
/// options; [`Registry::register`] turns it into a [`StageFactory`].
pub trait StageConfig: StageOptions + Send + Sync + 'static {
    /// Name, needed and provided layers, and the links the stage sets on other layers.
    const INFO: StageInfo;

    /// Files the stage will read (option name, resolved path); checked to exist before any
    /// stage is built.
    fn files(&self, _ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        Vec::new()
    }

    /// What this config asks for that the build lacks (a backend behind a cargo feature).
    fn unavailable(&self) -> Option<Unavailable> {
        None
    }

    /// Load the stage (models, lexicons); called once, before the first record.
    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError>;
}

/// A parsed `[[stages]]` table, ready to be checked and built (a type-erased [`StageConfig`]).
pub trait ParsedStage: Send + Sync {
    /// See [`StageConfig::files`].
    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)>;
    /// See [`StageConfig::unavailable`].
    fn unavailable(&self) -> Option<Unavailable>;
    /// See [`StageConfig::build`].
    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError>;
}

impl<C: StageConfig> ParsedStage for C {
    fn files(&self, ctx: &BuildContext) -> Vec<(&'static str, PathBuf)> {
        StageConfig::files(self, ctx)
    }
    fn unavailable(&self) -> Option<Unavailable> {
        StageConfig::unavailable(self)
    }
    fn build(&self, ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
        StageConfig::build(self, ctx)
    }
}

/// One entry of a [`Registry`]: a stage type's facts and its parser.
///
/// [`Registry::register`] makes one from a [`StageConfig`]; implement it by hand only for a
/// stage type whose options are not a serde struct.
pub trait StageFactory: Send + Sync {
    /// Name, needed and provided layers.
    fn info(&self) -> StageInfo;
    /// The options a `[[stages]]` table of this type may have.
    fn options(&self) -> Vec<OptionDoc>;
    /// Parse the options (the table without `type`, as a JSON object).
    fn parse(&self, options: serde_json::Value) -> Result<Box<dyn ParsedStage>, String>;
}

struct ConfigFactory<C>(PhantomData<fn() -> C>);

impl<C: StageConfig> StageFactory for ConfigFactory<C> {
    fn info(&self) -> StageInfo {
        C::INFO
    }
    fn options(&self) -> Vec<OptionDoc> {
        C::options()
    }
    fn parse(&self, options: serde_json::Value) -> Result<Box<dyn ParsedStage>, String> {
        let config: C = serde_json::from_value(options).map_err(|e| e.to_string())?;
        Ok(Box::new(config))
    }
}

/// The stage types a pipeline can name, in the order `caveat stages` lists them.
#[derive(Default)]
pub struct Registry {
    types: Vec<Box<dyn StageFactory>>,
}

impl Registry {
    /// An empty registry (`caveat_pipeline::registry::builtin()` has caveat's own stages).
    pub fn new() -> Registry {
        Registry::default()
    }

    /// Add the stage type `C`; a type of the same name is replaced (so a crate can swap in
    /// its own `ner`).
    pub fn register<C: StageConfig>(&mut self) -> &mut Registry {
        self.register_factory(Box::new(ConfigFactory::<C>(PhantomData)))
    }

    /// Add a hand-written factory; a type of the same name is replaced.
    pub fn register_factory(&mut self, factory: Box<dyn StageFactory>) -> &mut Registry {
        let name = factory.info().name;
        match self.types.iter_mut().find(|t| t.info().name == name) {
            Some(slot) => *slot = factory,
            None => self.types.push(factory),
        }
        self
    }

    /// The stage type called `name`.
    pub fn get(&self, name: &str) -> Option<&dyn StageFactory> {
        self.types
            .iter()
            .find(|t| t.info().name == name)
            .map(|t| &**t)
    }

    /// Every stage type, in registration order.
    pub fn iter(&self) -> impl Iterator<Item = &dyn StageFactory> {
        self.types.iter().map(|t| &**t)
    }

    /// The names of every stage type.
    pub fn names(&self) -> Vec<&'static str> {
        self.types.iter().map(|t| t.info().name).collect()
    }
}

/// Render a default value the way a user would write it in TOML (`""` when there is none).
#[doc(hidden)]
pub fn render_default<T: Serialize>(value: &T) -> String {
    // Scalars straight from the value (an f32 0.35 stays "0.35"); arrays element by element,
    // with TOML's usual ", " between them.
    match serde_json::to_value(value) {
        Ok(serde_json::Value::Null) | Err(_) => String::new(),
        Ok(serde_json::Value::Array(items)) => {
            let items: Vec<String> = items.iter().map(|v| v.to_string()).collect();
            format!("[{}]", items.join(", "))
        }
        Ok(_) => serde_json::to_string(value).unwrap_or_default(),
    }
}

/// Join doc-comment lines into one help text.
#[doc(hidden)]
pub fn join_doc(lines: &[&str]) -> String {
    let mut out = String::new();
    for l in lines {
        let l = l.trim();
        if l.is_empty() {
            continue;
        }
        if !out.is_empty() {
            out.push(' ');
        }
        out.push_str(l);
    }
    strip_doc_links(&out)
}

/// Rustdoc links as plain text: "[`Lexicon`]" and "[`Lexicon`](crate::Lexicon)" become
/// "`Lexicon`", for help printed in a terminal.
fn strip_doc_links(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(open) = rest.find("[`") {
        let Some(close) = rest[open + 2..].find("`]") else {
            break;
        };
        let code_end = open + 2 + close + 1; // one past the closing backtick
        out.push_str(&rest[..open]);
        out.push_str(&rest[open + 1..code_end]);
        rest = &rest[code_end + 1..];
        if rest.starts_with('(') {
            if let Some(end) = rest.find(')') {
                rest = &rest[end + 1..];
            }
        }
    }
    out.push_str(rest);
    out
}

/// Declare a stage's config struct: each option once, with its doc (the help), its type and
/// its default.
///
/// Generates the struct (serde `Deserialize` + `Serialize`, unknown keys refused, missing keys
/// defaulted), its `Default`, and [`StageOptions`]. `#[ty = "path"]` before a field overrides
/// the option type shown to users (a `String` that names a file). See the module docs for an
/// example.
#[macro_export]
macro_rules! stage_options {
    (
        $(#[doc = $sdoc:literal])*
        $(#[derive($($derive:path),* $(,)?)])?
        $vis:vis struct $name:ident {
            $(
                $(#[doc = $doc:literal])*
                $(#[ty = $tyname:literal])?
                $fvis:vis $field:ident : $fty:ty = $default:expr
            ),* $(,)?
        }
    ) => {
        $(#[doc = $sdoc])*
        $(#[derive($($derive),*)])?
        #[derive($crate::serde::Deserialize, $crate::serde::Serialize)]
        #[serde(crate = "caveat_core::serde", deny_unknown_fields, default)]
        $vis struct $name {
            $(
                $(#[doc = $doc])*
                $fvis $field: $fty,
            )*
        }

        impl ::std::default::Default for $name {
            fn default() -> Self {
                $name {
                    $($field: $default,)*
                }
            }
        }

        impl $crate::StageOptions for $name {
            fn options() -> ::std::vec::Vec<$crate::OptionDoc> {
                let defaults = <$name as ::std::default::Default>::default();
                ::std::vec![$(
                    $crate::OptionDoc {
                        name: stringify!($field),
                        ty: $crate::stage_options!(@ty $fty $(, $tyname)?),
                        default: $crate::factory::render_default(&defaults.$field),
                        help: $crate::factory::join_doc(&[$($doc),*]),
                    }
                ),*]
            }
        }
    };
    (@ty $fty:ty) => {
        <$fty as $crate::OptionType>::option_type()
    };
    (@ty $fty:ty, $tyname:literal) => {
        ::std::string::String::from($tyname)
    };
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::{Document, Layer, StageError};

    /// A test enum.
    #[derive(Debug, Clone, Copy, PartialEq, serde::Deserialize, serde::Serialize)]
    #[serde(rename_all = "lowercase")]
    pub enum Mode {
        /// Fast.
        Fast,
        /// Slow.
        Slow,
    }
    impl OptionType for Mode {
        fn option_type() -> String {
            "\"fast\" | \"slow\"".into()
        }
    }

    stage_options! {
        /// Test options.
        #[derive(Debug, Clone, PartialEq)]
        pub struct Opts {
            /// A model
            /// directory.
            #[ty = "path"]
            pub model: String = "../models/x".into(),
            /// How fast.
            pub mode: Mode = Mode::Fast,
            /// A weight.
            pub weight: f32 = 0.35,
            /// Optional.
            pub threshold: Option<f32> = None,
            /// Words.
            pub words: Vec<String> = vec!["a,\",\"b".into(), "c".into()],
        }
    }

    struct Nop;
    impl Stage for Nop {
        fn info(&self) -> StageInfo {
            Opts::INFO
        }
        fn process(&self, _doc: &mut Document) -> Result<(), StageError> {
            Ok(())
        }
    }
    impl StageConfig for Opts {
        const INFO: StageInfo = StageInfo::new("nop", &[Layer::Tokens], &[]);
        fn build(&self, _ctx: &BuildContext) -> Result<Box<dyn Stage>, BoxError> {
            if self.weight > 1.0 {
                return Err("weight must be at most 1".into());
            }
            Ok(Box::new(Nop))
        }
    }

    #[test]
    fn options_come_from_the_struct() {
        let o = Opts::options();
        let row = |i: usize| (o[i].name, o[i].ty.as_str(), o[i].default.as_str());
        assert_eq!(row(0), ("model", "path", "\"../models/x\""));
        assert_eq!(o[0].help, "A model directory.");
        assert_eq!(row(1), ("mode", "\"fast\" | \"slow\"", "\"fast\""));
        assert_eq!(row(2), ("weight", "float", "0.35"));
        assert_eq!(row(3), ("threshold", "float", ""));
        assert_eq!(
            row(4),
            ("words", "array of strings", "[\"a,\\\",\\\"b\", \"c\"]")
        );
    }

    #[test]
    fn help_reads_as_plain_text() {
        assert_eq!(
            join_doc(&[
                " Cue lexicon (see [`Lexicon`] and",
                " [`Link`](crate::Link)): `x` [a]"
            ]),
            "Cue lexicon (see `Lexicon` and `Link`): `x` [a]"
        );
        assert_eq!(join_doc(&["[`unclosed"]), "[`unclosed");
    }

    #[test]
    fn the_registry_parses_and_builds() {
        let mut r = Registry::new();
        r.register::<Opts>();
        let f = r.get("nop").expect("registered");
        assert_eq!(f.info().needs, &[Layer::Tokens]);
        let parsed = f
            .parse(serde_json::json!({"mode": "slow", "weight": 1}))
            .unwrap();
        assert!(parsed.build(&BuildContext::new(".")).is_ok());
        let heavy = f.parse(serde_json::json!({"weight": 2.0})).unwrap();
        assert!(heavy.build(&BuildContext::new(".")).is_err());
        let err = f.parse(serde_json::json!({"mood": 1})).err().unwrap();
        assert!(err.contains("unknown field `mood`"), "{err}");
        let err = f
            .parse(serde_json::json!({"mode": "medium"}))
            .err()
            .unwrap();
        assert!(err.contains("unknown variant `medium`"), "{err}");
        // Registering a type of the same name replaces it.
        r.register::<Opts>();
        assert_eq!(r.names(), vec!["nop"]);
    }
}
