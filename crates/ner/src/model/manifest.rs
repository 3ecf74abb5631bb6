//! The model directory: the `model.toml` manifest and the files it names (weights, the
//! first pass, word clusters); [`Model::load`] and [`Model::save`].

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::sync::Arc;

use serde::{Deserialize, Serialize};

use super::format::FORMAT;
use super::layer::Layer;
use super::Model;
use crate::calibration::Calibration;
use crate::features::Clusters;
use crate::tags;
use crate::NerError;

/// Training-time descriptive metadata, written to `model.toml`.
#[derive(Clone, Debug, Default, Serialize, Deserialize)]
#[serde(default)]
pub struct ModelInfo {
    /// Model name.
    pub name: String,
    /// What it was trained on.
    pub trained_on: String,
    /// What it was tuned (early-stopped) on.
    pub tuned_on: String,
    /// Training parameters, for the record (`epochs`, `seed`, ...).
    pub training: BTreeMap<String, String>,
    /// Dev scores: `precision`, `recall`, `f1` overall and `<LABEL>_f1` per label, in percent.
    pub dev: BTreeMap<String, f64>,
}

/// The `model.toml` manifest.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct Manifest {
    name: String,
    kind: String,
    version: String,
    format: String,
    labels: Vec<String>,
    trained_on: String,
    #[serde(default)]
    tuned_on: String,
    /// Scale of the perceptron scores for the confidence (forward–backward marginals).
    temperature: f32,
    features: ManifestFeatures,
    files: ManifestFiles,
    #[serde(default)]
    training: BTreeMap<String, String>,
    #[serde(default)]
    dev: BTreeMap<String, f64>,
    /// Map from raw confidence to calibrated entity score (none: raw scores).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    calibration: Option<Calibration>,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFeatures {
    clusters: bool,
    gazetteer: bool,
    doc: bool,
    stack: bool,
}

#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
struct ManifestFiles {
    weights: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pass1: Option<String>,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    clusters: Option<String>,
}

/// The manifest `kind` of this crate's models.
pub const KIND: &str = "ner-perceptron";

/// Cluster table with the file it came from (copied next to the model on save).
#[derive(Debug)]
pub(crate) struct ClusterFile {
    pub(crate) table: Clusters,
    pub(crate) source: PathBuf,
}

impl Model {
    /// Load a model directory (`model.toml` and the files it names).
    pub fn load(dir: impl AsRef<Path>) -> Result<Model, NerError> {
        let dir = dir.as_ref();
        let mpath = dir.join("model.toml");
        let man = read_manifest(&mpath)?;
        let nt = tags::n_tags(man.labels.len());
        let layer_at = |name: &str| -> Result<Layer, NerError> {
            let p = dir.join(name);
            let bytes = std::fs::read(&p).map_err(|source| NerError::Io {
                path: p.clone(),
                source,
            })?;
            Layer::read(&bytes, nt).map_err(|message| NerError::Format { path: p, message })
        };
        let layer = layer_at(&man.files.weights)?;
        let pass1 = man.files.pass1.as_deref().map(layer_at).transpose()?;
        if layer.feats.stack != pass1.is_some() {
            return Err(NerError::Manifest {
                path: mpath,
                message: "the weights use first-pass features but no `files.pass1` is given (or \
                          the reverse)"
                    .into(),
            });
        }
        let clusters = match &man.files.clusters {
            Some(name) => Some(Arc::new(load_clusters(&dir.join(name))?)),
            None => None,
        };
        if layer.feats.clusters && clusters.is_none() {
            return Err(NerError::Manifest {
                path: mpath,
                message: "the weights use cluster features but no `files.clusters` is given".into(),
            });
        }
        if let Some(c) = &man.calibration {
            c.check().map_err(|message| NerError::Manifest {
                path: mpath.clone(),
                message: format!("[calibration]: {message}"),
            })?;
        }
        let info = ModelInfo {
            name: man.name,
            trained_on: man.trained_on,
            tuned_on: man.tuned_on,
            training: man.training,
            dev: man.dev,
        };
        let mut model = Model::assemble(man.labels, layer, pass1, clusters, man.temperature, info);
        model.calibration = man.calibration;
        Ok(model)
    }

    /// Write the model into `dir` (created if needed): `model.toml`, `model.bin`, `pass1.bin`
    /// for two-pass models, and `clusters.tsv` (copied) when clusters are used.
    pub fn save(&self, dir: impl AsRef<Path>) -> Result<(), NerError> {
        let dir = dir.as_ref();
        std::fs::create_dir_all(dir).map_err(|source| NerError::Io {
            path: dir.to_path_buf(),
            source,
        })?;
        let nt = self.n_tags();
        let write = |name: &str, bytes: &[u8]| -> Result<(), NerError> {
            let p = dir.join(name);
            std::fs::write(&p, bytes).map_err(|source| NerError::Io { path: p, source })
        };
        let mut buf = Vec::new();
        self.layer.write(nt, &mut buf);
        write("model.bin", &buf)?;
        if let Some(p1) = &self.pass1 {
            buf.clear();
            p1.write(nt, &mut buf);
            write("pass1.bin", &buf)?;
        }
        if let Some(c) = &self.clusters {
            let target = dir.join("clusters.tsv");
            let same = match (c.source.canonicalize(), target.canonicalize()) {
                (Ok(a), Ok(b)) => a == b,
                _ => false,
            };
            if !same {
                std::fs::copy(&c.source, &target).map_err(|source| NerError::Io {
                    path: c.source.clone(),
                    source,
                })?;
            }
        }
        let man = self.manifest();
        let text = toml::to_string(&man).map_err(|e| NerError::Manifest {
            path: dir.join("model.toml"),
            message: e.to_string(),
        })?;
        write("model.toml", text.as_bytes())
    }

    /// The manifest describing this model, naming the files [`Model::save`] writes.
    fn manifest(&self) -> Manifest {
        let f = self.layer.feats;
        Manifest {
            name: self.info.name.clone(),
            kind: KIND.into(),
            version: env!("CARGO_PKG_VERSION").into(),
            format: FORMAT.into(),
            labels: self.labels.clone(),
            trained_on: self.info.trained_on.clone(),
            tuned_on: self.info.tuned_on.clone(),
            temperature: self.temperature,
            features: ManifestFeatures {
                clusters: f.clusters,
                gazetteer: f.gazetteer,
                doc: f.doc,
                stack: f.stack,
            },
            files: ManifestFiles {
                weights: "model.bin".into(),
                pass1: self.pass1.as_ref().map(|_| "pass1.bin".into()),
                clusters: self.clusters.as_ref().map(|_| "clusters.tsv".into()),
            },
            training: self.info.training.clone(),
            dev: self.info.dev.clone(),
            calibration: self.calibration.clone(),
        }
    }
}

/// Read and check `model.toml`: this crate's kind and format, 1 to 7 labels.
fn read_manifest(mpath: &Path) -> Result<Manifest, NerError> {
    let text = read_text(mpath)?;
    let man: Manifest = toml::from_str(&text).map_err(|e| NerError::Manifest {
        path: mpath.to_path_buf(),
        message: e.to_string(),
    })?;
    if man.kind != KIND || man.format != FORMAT {
        return Err(NerError::Manifest {
            path: mpath.to_path_buf(),
            message: format!(
                "kind `{}` / format `{}` is not `{KIND}` / `{FORMAT}`; this loader reads only \
                 caveat's perceptron models",
                man.kind, man.format
            ),
        });
    }
    if man.labels.is_empty() || man.labels.len() > 7 {
        return Err(NerError::Manifest {
            path: mpath.to_path_buf(),
            message: format!("expected 1 to 7 labels, found {}", man.labels.len()),
        });
    }
    Ok(man)
}

/// Read a word-cluster file (`word<TAB>ids...`).
pub(crate) fn load_clusters(path: &Path) -> Result<ClusterFile, NerError> {
    let text = read_text(path)?;
    let table = Clusters::parse(&text).map_err(|(line, message)| NerError::Clusters {
        path: path.to_path_buf(),
        line,
        message,
    })?;
    Ok(ClusterFile {
        table,
        source: path.to_path_buf(),
    })
}

fn read_text(path: &Path) -> Result<String, NerError> {
    std::fs::read_to_string(path).map_err(|source| NerError::Io {
        path: path.to_path_buf(),
        source,
    })
}
