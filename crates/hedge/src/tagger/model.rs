//! Model I/O: the files of a model directory (`model.toml`, `cues.tsv`, `weights.tsv`), their
//! formats, and loading them into a [`Tagger`].

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use caveat_core::HedgeCategory;
use caveat_text::hash::FxBuildHasher;
use caveat_text::linecol::line_col;
use serde::{Deserialize, Serialize};

#[cfg(feature = "train")]
use super::features::DOMAIN_WIKI;
use super::features::{domain_tag, feature_hash, DOMAIN_ALL, FEATURES_VERSION};
use super::Tagger;
use crate::HedgeError;

/// Name of the model description file in a model directory.
pub const MODEL_FILE: &str = "model.toml";
/// Name of the weights file in a model directory.
pub const WEIGHTS_FILE: &str = "weights.tsv";
/// Name of the learned cue list in a model directory.
pub const CUES_FILE: &str = "cues.tsv";

/// `model.toml`.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct ModelMeta {
    /// Model name.
    pub name: String,
    /// Feature-set version ([`FEATURES_VERSION`]).
    pub features: u32,
    /// Probability from which a candidate is a cue.
    pub threshold: f64,
    /// The domain copy of the features used at run time (`wiki`).
    pub domain: String,
    /// Calibration: probability = sigmoid(scale * perceptron score + bias).
    pub scale: f64,
    /// Calibration bias.
    pub bias: f64,
    /// Free-form provenance: data, epochs, dev scores.
    #[serde(default)]
    pub training: toml::Table,
}

/// One entry of the learned cue list.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct CueStat {
    /// How often the word was (part of) a cue in training.
    pub cue: u32,
    /// How often it occurred.
    pub total: u32,
    /// The most frequent category of its cue uses.
    pub category: HedgeCategory,
}

impl CueStat {
    /// Cue rate with add-one smoothing towards 0.
    pub fn rate(&self) -> f32 {
        self.cue as f32 / (self.total as f32 + 1.0)
    }
}

/// The learned cue list, by lowercase word.
pub(crate) type CueMap = HashMap<Box<str>, CueStat, FxBuildHasher>;
/// Feature hash -> weight.
#[cfg(feature = "train")]
pub(crate) type WeightMap = HashMap<u64, f32, FxBuildHasher>;

impl Tagger {
    /// Load a model directory.
    pub fn load(dir: impl AsRef<Path>) -> Result<Tagger, HedgeError> {
        let dir = dir.as_ref();
        let read = |name: &str| -> Result<(PathBuf, String), HedgeError> {
            let path = dir.join(name);
            std::fs::read_to_string(&path)
                .map(|t| (path.clone(), t))
                .map_err(|source| HedgeError::Io { path, source })
        };
        let (mpath, mtext) = read(MODEL_FILE)?;
        let meta: ModelMeta = toml::from_str(&mtext).map_err(|e| HedgeError::Model {
            path: mpath.clone(),
            line: e.span().map_or(0, |s| line_col(&mtext, s.start).0),
            message: e.message().to_string(),
        })?;
        if meta.features != FEATURES_VERSION {
            return Err(HedgeError::Model {
                path: mpath,
                line: 0,
                message: format!(
                    "model has feature set {}, this build of caveat-hedge uses {}; retrain it \
                     (caveat_hedge::train) or use a matching caveat version",
                    meta.features, FEATURES_VERSION
                ),
            });
        }
        let domain = domain_tag(&meta.domain).ok_or_else(|| HedgeError::Model {
            path: mpath.clone(),
            line: 0,
            message: format!(
                "unknown domain `{}`, expected `wiki`, `bio` or `*`",
                meta.domain
            ),
        })?;
        let (cpath, ctext) = read(CUES_FILE)?;
        let mut cues = HashMap::default();
        for (n, line) in ctext.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| HedgeError::Model {
                path: cpath.clone(),
                line: n + 1,
                message: format!("{what}; expected `word<TAB>cue count<TAB>count<TAB>category`"),
            };
            let f: Vec<&str> = line.split('\t').collect();
            if f.len() != 4 {
                return Err(bad("wrong number of fields"));
            }
            let stat = CueStat {
                cue: f[1].parse().map_err(|_| bad("bad cue count"))?,
                total: f[2].parse().map_err(|_| bad("bad count"))?,
                category: f[3].parse().map_err(|e: String| bad(&e))?,
            };
            cues.insert(f[0].into(), stat);
        }
        let (wpath, wtext) = read(WEIGHTS_FILE)?;
        let mut weights = HashMap::default();
        for (n, line) in wtext.lines().enumerate() {
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            let bad = |what: &str| HedgeError::Model {
                path: wpath.clone(),
                line: n + 1,
                message: format!("{what}; expected `domain<TAB>feature<TAB>weight`"),
            };
            let mut f = line.splitn(3, '\t');
            let (Some(d), Some(feat), Some(w)) = (f.next(), f.next(), f.next()) else {
                return Err(bad("wrong number of fields"));
            };
            let d = domain_tag(d).ok_or_else(|| bad("unknown domain"))?;
            let w: f32 = w.parse().map_err(|_| bad("bad weight"))?;
            if d == DOMAIN_ALL || d == domain {
                weights.insert(feature_hash(d, feat), w);
            }
        }
        Ok(Tagger {
            threshold: meta.threshold as f32,
            meta,
            cues,
            weights,
            domain,
        })
    }

    /// Build from parts (used by training).
    #[cfg(feature = "train")]
    pub(crate) fn from_parts(
        meta: ModelMeta,
        cues: HashMap<Box<str>, CueStat, FxBuildHasher>,
        weights: HashMap<u64, f32, FxBuildHasher>,
    ) -> Tagger {
        let domain = domain_tag(&meta.domain).unwrap_or(DOMAIN_WIKI);
        Tagger {
            threshold: meta.threshold as f32,
            meta,
            cues,
            weights,
            domain,
        }
    }

    #[cfg(feature = "train")]
    pub(crate) fn into_parts(self) -> (CueMap, WeightMap) {
        (self.cues, self.weights)
    }
}
