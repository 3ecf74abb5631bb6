//! What a model directory holds and whether this build of caveat can run it
//! (`caveat models inspect DIR`).
//!
//! [`inspect`] never fails: every problem it finds (a missing file, a delta not assembled, an
//! unsupported `model_type`, weights that do not fit the config) becomes a [`Problem`] with
//! what to do about it, and the rest of the report is filled in as far as the files allow.

use std::collections::BTreeSet;
use std::io::Read;
use std::path::Path;

use serde::Serialize;

use crate::encoder::{Architecture, EncoderConfig};
use crate::labels::{LabelSet, Role};
use crate::model_dir::{unsupported, HfConfig, FILES};
use crate::{BackendKind, ModelDir};

/// A weight format the backends can run a model in.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "lowercase")]
pub enum Quantization {
    /// 32-bit floats (the weights as stored, converted from fp16/bf16 if need be).
    Fp32,
    /// 8-bit integer weights per output row, activations quantised on the fly.
    Int8,
}

impl Quantization {
    /// Every weight format caveat knows.
    pub const ALL: [Quantization; 2] = [Quantization::Fp32, Quantization::Int8];

    /// Whether `backend` of this build runs models in this format.
    pub fn supported_by(self, backend: BackendKind) -> bool {
        match self {
            Quantization::Fp32 => backend.available(),
            // caveat's own encoder (`caveat-quant`'s kernels); rust-bert runs fp32 only.
            Quantization::Int8 => backend == BackendKind::Candle,
        }
    }

    /// The `quantize` option's value for this format: `none` or `int8`.
    pub fn name(self) -> &'static str {
        match self {
            Quantization::Fp32 => "none",
            Quantization::Int8 => "int8",
        }
    }

    /// The format of a `quantize` option value (`none` or `int8`).
    pub fn from_name(name: &str) -> Option<Quantization> {
        Quantization::ALL.into_iter().find(|q| q.name() == name)
    }
}

/// One backend's verdict on the model.
#[derive(Debug, Clone, Serialize)]
pub struct BackendReport {
    /// `candle` or `rust-bert`.
    pub backend: &'static str,
    /// Whether this build of caveat includes the backend.
    pub in_build: bool,
    /// Whether the backend loaded the model (false when not in the build or not tried).
    pub runs: bool,
    /// The weight formats it can run the model in.
    pub quantizations: Vec<Quantization>,
    /// Why it cannot run the model, and how to fix that.
    #[serde(skip_serializing_if = "Option::is_none")]
    pub problem: Option<String>,
}

/// The tokenizer of `tokenizer.json`.
#[derive(Debug, Clone, Serialize)]
pub struct TokenizerReport {
    /// `WordPiece`, `byte-level BPE`, `SentencePiece Unigram`, ...
    pub kind: String,
    /// Vocabulary size, added tokens included.
    pub vocab_size: usize,
}

/// The encoder's shape.
#[derive(Debug, Clone, Serialize)]
pub struct ShapeReport {
    /// Hidden size.
    pub hidden: usize,
    /// Layers.
    pub layers: usize,
    /// Attention heads.
    pub heads: usize,
    /// Feed-forward size.
    pub intermediate: usize,
    /// Longest window in subwords.
    pub max_window: usize,
}

/// Something that keeps the model from running, and the fix.
#[derive(Debug, Clone, Serialize)]
pub struct Problem {
    /// What is wrong.
    pub what: String,
    /// How to fix it.
    pub fix: String,
}

/// Everything `caveat models inspect` says about a model directory.
#[derive(Debug, Clone, Serialize)]
pub struct Inspection {
    /// The directory.
    pub path: String,
    /// Whether some backend of this build can run the model.
    pub runnable: bool,
    /// `model_type` of `config.json` (absent means `bert`).
    pub model_type: Option<String>,
    /// `architectures` of `config.json`.
    pub architectures: Vec<String>,
    /// The output labels, in order.
    pub labels: Vec<String>,
    /// `IOB2`, `IOBES` or `plain`.
    pub label_scheme: Option<&'static str>,
    /// The entity types the labels name.
    pub entity_types: Vec<String>,
    /// The tokenizer.
    pub tokenizer: Option<TokenizerReport>,
    /// The encoder's shape.
    pub shape: Option<ShapeReport>,
    /// Number of weights in `model.safetensors`.
    pub parameters: Option<u64>,
    /// Their storage types (`F32`, `F16`, ...).
    pub weight_dtypes: Vec<String>,
    /// Size of `model.safetensors` in bytes.
    pub weights_bytes: Option<u64>,
    /// Whether token type ids carry caveat's casing classes (`caveat_casing_type_ids`).
    pub casing_type_ids: bool,
    /// Whether the directory ships as a delta assembled by `scripts/fetch-models`.
    pub delta: bool,
    /// Each backend's verdict.
    pub backends: Vec<BackendReport>,
    /// What keeps the model from running.
    pub problems: Vec<Problem>,
}

/// The scheme of a label set, for people.
pub fn label_scheme(labels: &LabelSet) -> &'static str {
    if labels.closed {
        "IOBES"
    } else if labels
        .tags
        .iter()
        .any(|t| matches!(t.role, Role::Begin | Role::Inside))
    {
        "IOB2"
    } else {
        "plain"
    }
}

/// Inspect the model directory `dir`. Loads the weights into each backend of this build to
/// tell whether it runs them.
pub fn inspect(dir: &Path) -> Inspection {
    let mut r = Inspection {
        path: dir.display().to_string(),
        runnable: false,
        model_type: None,
        architectures: Vec::new(),
        labels: Vec::new(),
        label_scheme: None,
        entity_types: Vec::new(),
        tokenizer: None,
        shape: None,
        parameters: None,
        weight_dtypes: Vec::new(),
        weights_bytes: None,
        casing_type_ids: false,
        delta: dir.join(ModelDir::DELTA_FILE).is_file(),
        backends: Vec::new(),
        problems: Vec::new(),
    };
    if !dir.is_dir() {
        r.problems.push(Problem {
            what: format!("`{}` is not a directory", dir.display()),
            fix: "pass a Hugging Face model directory (config.json, tokenizer.json, \
                  model.safetensors)"
                .into(),
        });
        return r;
    }
    for file in FILES {
        if !dir.join(file).is_file() {
            r.problems.push(Problem {
                what: format!("{file} is missing"),
                fix: ModelDir::hint(dir, file),
            });
        }
    }
    config_part(dir, &mut r);
    tokenizer_part(dir, &mut r);
    weights_part(dir, &mut r);
    backends_part(dir, &mut r);
    r.runnable = r.backends.iter().any(|b| b.runs);
    r
}

fn config_part(dir: &Path, r: &mut Inspection) {
    let Ok(text) = std::fs::read_to_string(dir.join("config.json")) else {
        return;
    };
    let config: HfConfig = match serde_json::from_str(&text) {
        Ok(c) => c,
        Err(e) => {
            r.problems.push(Problem {
                what: format!("config.json cannot be read: {e}"),
                fix: "it must be a Hugging Face config.json".into(),
            });
            return;
        }
    };
    r.model_type = config.model_type.clone();
    r.architectures = config.architectures.clone().unwrap_or_default();
    r.casing_type_ids = config.caveat_casing_type_ids;
    let model_type = config.model_type.as_deref().unwrap_or("bert");
    match Architecture::from_model_type(model_type) {
        None => r.problems.push(Problem {
            what: format!("model_type `{model_type}` is not supported"),
            fix: unsupported(model_type),
        }),
        Some(arch) => match EncoderConfig::parse(arch, &text) {
            Ok(c) => {
                r.shape = Some(ShapeReport {
                    hidden: c.hidden,
                    layers: c.layers,
                    heads: c.heads,
                    intermediate: c.intermediate,
                    max_window: c.max_window(),
                })
            }
            Err(e) => r.problems.push(Problem {
                what: format!("config.json: {e}"),
                fix: "save the config with `transformers` (`model.config.save_pretrained(dir)`)"
                    .into(),
            }),
        },
    }
    let mut by_index: Vec<(usize, &String)> = config
        .id2label
        .iter()
        .filter_map(|(k, v)| Some((k.parse().ok()?, v)))
        .collect();
    by_index.sort();
    r.labels = by_index.into_iter().map(|(_, v)| v.clone()).collect();
    match LabelSet::from_id2label(&config.id2label) {
        Ok(labels) => {
            r.label_scheme = Some(label_scheme(&labels));
            r.entity_types = labels.types;
        }
        Err(e) => r.problems.push(Problem {
            what: format!("config.json: {e}"),
            fix: "a token-classification model's config has `id2label`; set it to the \
                  labels the classifier was trained with"
                .into(),
        }),
    }
}

fn tokenizer_part(dir: &Path, r: &mut Inspection) {
    let Ok(text) = std::fs::read_to_string(dir.join("tokenizer.json")) else {
        return;
    };
    let json: serde_json::Value = match serde_json::from_str(&text) {
        Ok(j) => j,
        Err(e) => {
            r.problems.push(Problem {
                what: format!("tokenizer.json cannot be read: {e}"),
                fix: ModelDir::hint(dir, "tokenizer.json"),
            });
            return;
        }
    };
    let pre = json["pre_tokenizer"].to_string();
    let kind = match json["model"]["type"].as_str().unwrap_or("unknown") {
        "BPE" if pre.contains("ByteLevel") => "byte-level BPE".to_string(),
        "Unigram" if pre.contains("Metaspace") => "SentencePiece Unigram".to_string(),
        "BPE" if pre.contains("Metaspace") => "SentencePiece BPE".to_string(),
        other => other.to_string(),
    };
    match text.parse::<tokenizers::Tokenizer>() {
        Ok(t) => {
            r.tokenizer = Some(TokenizerReport {
                kind,
                vocab_size: t.get_vocab_size(true),
            })
        }
        Err(e) => r.problems.push(Problem {
            what: format!("tokenizer.json cannot be loaded: {e}"),
            fix: ModelDir::hint(dir, "tokenizer.json"),
        }),
    }
}

/// Parameter count and storage types from the safetensors header (the file is not read).
fn weights_part(dir: &Path, r: &mut Inspection) {
    let path = dir.join("model.safetensors");
    let Ok(meta) = std::fs::metadata(&path) else {
        return;
    };
    r.weights_bytes = Some(meta.len());
    let header = (|| -> Option<serde_json::Value> {
        let mut f = std::fs::File::open(&path).ok()?;
        let mut n = [0u8; 8];
        f.read_exact(&mut n).ok()?;
        let n = u64::from_le_bytes(n);
        if n > meta.len().min(100 << 20) {
            return None;
        }
        let mut buf = vec![0u8; n as usize];
        f.read_exact(&mut buf).ok()?;
        serde_json::from_slice(&buf).ok()
    })();
    let Some(serde_json::Value::Object(tensors)) = header else {
        r.problems.push(Problem {
            what: "model.safetensors is not a safetensors file".into(),
            fix: ModelDir::hint(dir, "model.safetensors"),
        });
        return;
    };
    let mut params = 0u64;
    let mut dtypes = BTreeSet::new();
    for (name, t) in &tensors {
        if name == "__metadata__" {
            continue;
        }
        if let Some(d) = t["dtype"].as_str() {
            dtypes.insert(d.to_string());
        }
        params += t["shape"]
            .as_array()
            .map_or(0, |s| s.iter().filter_map(|d| d.as_u64()).product());
    }
    r.parameters = Some(params);
    r.weight_dtypes = dtypes.into_iter().collect();
}

fn backends_part(dir: &Path, r: &mut Inspection) {
    // Load once: a directory that does not open cannot run anywhere.
    let opened = if r.problems.is_empty() {
        Some(ModelDir::open(dir))
    } else {
        None
    };
    if let Some(Err(e)) = &opened {
        r.problems.push(Problem {
            what: e.to_string(),
            fix: "see the message".into(),
        });
    }
    for (kind, name) in [
        (BackendKind::Candle, "candle"),
        (BackendKind::RustBert, "rust-bert"),
    ] {
        let mut b = BackendReport {
            backend: name,
            in_build: kind.available(),
            runs: false,
            quantizations: Vec::new(),
            problem: None,
        };
        if !b.in_build {
            b.problem = Some(crate::TransformerError::Unavailable(name).to_string());
        } else if let Some(Ok(d)) = &opened {
            match load(kind, d) {
                Ok(()) => {
                    b.runs = true;
                    b.quantizations = Quantization::ALL
                        .into_iter()
                        .filter(|q| q.supported_by(kind))
                        .collect();
                }
                Err(e) => b.problem = Some(e.to_string()),
            }
        } else {
            b.problem = Some("the model directory has problems (see below)".into());
        }
        r.backends.push(b);
    }
    if !r.backends.iter().any(|b| b.runs) {
        if let Some(p) = r.backends.iter().find_map(|b| b.problem.clone()) {
            if r.problems.is_empty() {
                r.problems.push(Problem {
                    what: p,
                    fix: "see the message".into(),
                });
            }
        }
    }
}

fn load(kind: BackendKind, d: &ModelDir) -> Result<(), crate::TransformerError> {
    match kind {
        BackendKind::Candle => crate::backend::Candle::load(d).map(drop),
        #[cfg(feature = "rust-bert")]
        BackendKind::RustBert => crate::backend::RustBert::load(d).map(drop),
        #[cfg(not(feature = "rust-bert"))]
        BackendKind::RustBert => Err(crate::TransformerError::Unavailable("rust-bert")),
    }
}

impl std::fmt::Display for Inspection {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let or = |o: Option<String>| o.unwrap_or_else(|| "?".into());
        writeln!(f, "model         {}", self.path)?;
        writeln!(
            f,
            "architecture  {} ({})",
            self.model_type.as_deref().unwrap_or("bert (no model_type)"),
            if self.architectures.is_empty() {
                "no architectures listed".to_string()
            } else {
                self.architectures.join(", ")
            }
        )?;
        if let Some(s) = &self.shape {
            writeln!(
                f,
                "shape         {} layers, hidden {}, {} heads, feed-forward {}, windows up to {} \
                 subwords",
                s.layers, s.hidden, s.heads, s.intermediate, s.max_window
            )?;
        }
        writeln!(
            f,
            "labels        {} {} ({}): {}",
            self.labels.len(),
            self.label_scheme.unwrap_or("?"),
            if self.entity_types.is_empty() {
                "no entity types".to_string()
            } else {
                format!("types {}", self.entity_types.join(", "))
            },
            self.labels.join(" ")
        )?;
        writeln!(
            f,
            "tokenizer     {}",
            or(self
                .tokenizer
                .as_ref()
                .map(|t| format!("{}, vocabulary {}", t.kind, t.vocab_size)))
        )?;
        writeln!(
            f,
            "weights       {} parameters ({}), {}",
            or(self.parameters.map(group)),
            if self.weight_dtypes.is_empty() {
                "?".into()
            } else {
                self.weight_dtypes.join(", ")
            },
            or(self
                .weights_bytes
                .map(|b| format!("{:.1} MB model.safetensors", b as f64 / 1e6)))
        )?;
        writeln!(
            f,
            "type ids      {}",
            if self.casing_type_ids {
                "caveat casing classes (caveat_casing_type_ids)"
            } else {
                "standard"
            }
        )?;
        if self.delta {
            writeln!(
                f,
                "delta         yes (model.safetensors is assembled by scripts/fetch-models)"
            )?;
        }
        for b in &self.backends {
            let verdict = if b.runs {
                let q: Vec<String> = b
                    .quantizations
                    .iter()
                    .map(|q| format!("{q:?}").to_lowercase())
                    .collect();
                format!("runs it ({})", q.join(", "))
            } else {
                format!("cannot run it: {}", b.problem.as_deref().unwrap_or("?"))
            };
            writeln!(f, "backend       {:<9} {verdict}", b.backend)?;
        }
        if self.runnable {
            writeln!(f, "status        ready")?;
        } else {
            writeln!(f, "status        cannot run")?;
        }
        for p in &self.problems {
            writeln!(f, "problem       {}", p.what)?;
            writeln!(f, "  fix         {}", p.fix)?;
        }
        Ok(())
    }
}

/// 22713216 → "22,713,216".
fn group(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::new();
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i).is_multiple_of(3) {
            out.push(',');
        }
        out.push(c);
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;

    fn tiny(arch: &str) -> std::path::PathBuf {
        Path::new(env!("CARGO_MANIFEST_DIR"))
            .join("tests/data")
            .join(format!("tiny-{arch}"))
    }

    #[test]
    fn a_runnable_model() {
        let r = inspect(&tiny("roberta"));
        assert!(r.runnable, "{r}");
        assert!(r.problems.is_empty(), "{r}");
        assert_eq!(r.model_type.as_deref(), Some("roberta"));
        assert_eq!(r.architectures, ["RobertaForTokenClassification"]);
        assert_eq!(r.label_scheme, Some("IOB2"));
        assert_eq!(r.entity_types, ["PER", "LOC", "ORG"]);
        assert_eq!(r.labels.first().map(String::as_str), Some("O"));
        let t = r.tokenizer.as_ref().unwrap();
        assert_eq!(t.kind, "byte-level BPE");
        let s = r.shape.as_ref().unwrap();
        assert_eq!((s.hidden, s.layers, s.heads), (32, 2, 4));
        // Word embeddings alone are vocabulary × hidden.
        assert!(r.parameters.unwrap() > (t.vocab_size * s.hidden) as u64);
        assert_eq!(r.weight_dtypes, ["F32"]);
        let candle = &r.backends[0];
        assert!(
            candle.runs && candle.quantizations == [Quantization::Fp32, Quantization::Int8],
            "{r}"
        );
        assert!(!Quantization::Int8.supported_by(BackendKind::RustBert));
        assert_eq!(
            r.backends[1].in_build,
            BackendKind::RustBert.available(),
            "{r}"
        );
        let text = r.to_string();
        assert!(text.contains("roberta") && text.contains("ready"), "{text}");
        let json = serde_json::to_value(&r).unwrap();
        assert_eq!(json["backends"][0]["quantizations"][0], "fp32");
        assert_eq!(json["backends"][0]["quantizations"][1], "int8");
        assert!(text.contains("runs it (fp32, int8)"), "{text}");
        assert_eq!(json["tokenizer"]["vocab_size"], t.vocab_size);
    }

    #[test]
    fn tokenizer_kinds() {
        let kind = |a| inspect(&tiny(a)).tokenizer.unwrap().kind;
        assert_eq!(kind("bert"), "WordPiece");
        assert_eq!(kind("xlm-roberta"), "SentencePiece Unigram");
        assert_eq!(kind("deberta-v2"), "SentencePiece Unigram");
    }

    /// DeBERTa-v2 runs on candle (fp32 and int8); rust-bert, when in the build, is named as
    /// unable to run it and points to candle.
    #[test]
    fn a_deberta_v2_model() {
        let r = inspect(&tiny("deberta-v2"));
        assert!(r.runnable && r.problems.is_empty(), "{r}");
        assert_eq!(r.model_type.as_deref(), Some("deberta-v2"));
        assert_eq!(r.architectures, ["DebertaV2ForTokenClassification"]);
        let candle = &r.backends[0];
        assert_eq!(candle.backend, "candle");
        assert!(candle.runs, "{r}");
        assert_eq!(
            candle.quantizations,
            [Quantization::Fp32, Quantization::Int8]
        );
        let rust_bert = &r.backends[1];
        assert_eq!(rust_bert.backend, "rust-bert");
        assert!(!rust_bert.runs);
        let problem = rust_bert.problem.as_deref().unwrap_or_default();
        if rust_bert.in_build {
            assert!(
                problem.contains("DeBERTa-v2") && problem.contains("candle"),
                "{r}"
            );
        }
        let text = r.to_string();
        assert!(text.contains("architecture  deberta-v2"), "{text}");
        assert!(text.contains("runs it (fp32, int8)"), "{text}");
    }

    #[test]
    fn what_is_missing_and_how_to_fix_it() {
        let tmp = tempfile::tempdir().unwrap();
        let src = tiny("distilbert");
        std::fs::copy(src.join("config.json"), tmp.path().join("config.json")).unwrap();
        std::fs::write(tmp.path().join(ModelDir::DELTA_FILE), b"").unwrap();
        let r = inspect(tmp.path());
        assert!(!r.runnable);
        assert_eq!(r.model_type.as_deref(), Some("distilbert"));
        assert!(r.problems.iter().any(
            |p| p.what.contains("model.safetensors") && p.fix.contains("scripts/fetch-models")
        ));
        assert!(r.backends.iter().all(|b| !b.runs));
        assert!(r.to_string().contains("cannot run"));

        let config = std::fs::read_to_string(src.join("config.json"))
            .unwrap()
            .replace("\"distilbert\"", "\"t5\"");
        std::fs::write(tmp.path().join("config.json"), config).unwrap();
        let r = inspect(tmp.path());
        assert!(r
            .problems
            .iter()
            .any(|p| p.what.contains("`t5`") && p.fix.contains("\"xlm-roberta\"")));

        let r = inspect(&tmp.path().join("nowhere"));
        assert!(!r.runnable && r.problems[0].what.contains("not a directory"));
    }

    #[test]
    fn schemes_and_numbers() {
        assert_eq!(
            label_scheme(&LabelSet::from_labels(&["O", "S-PER", "B-PER", "E-PER"])),
            "IOBES"
        );
        assert_eq!(label_scheme(&LabelSet::from_labels(&["O", "PER"])), "plain");
        assert_eq!(group(22713216), "22,713,216");
        assert_eq!(group(999), "999");
    }
}
