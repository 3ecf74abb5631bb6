//! Assemble a fine-tuned model from a base encoder and a small delta.
//!
//! A fine-tune of a 90 MB encoder is too big to commit, but it moves the weights only a little.
//! `models/ner-minilm/delta.safetensors` (written by that folder's `make_delta.py`) stores, per
//! tensor of the fine-tuned model:
//!
//! * nothing, if the tensor equals the base's (the frozen word embeddings);
//! * `NAME::q` (int8, `[rows, cols]`) and `NAME::scale` (f32, `[rows]`) for a changed matrix:
//!   `W = base + q * scale[row]`, each row quantised with its own absolute maximum;
//! * `NAME::delta` (f32) for a changed vector: `W = base + delta`;
//! * `NAME` (f32) for a tensor the base does not have or has in another shape (the
//!   classifier, the four casing token types).
//!
//! The metadata key `tensors` lists every tensor of the result, comma-separated. A base tensor
//! is found under the same name or without the `bert.` prefix (sentence-transformers encoders
//! are saved bare). The arithmetic is f32 in the order above, so Python (`make_delta.py
//! --check`) and this module produce the same bits.

use std::collections::HashMap;
use std::path::{Path, PathBuf};

use safetensors::tensor::{Dtype, SafeTensors, TensorView};

use crate::TransformerError;

/// The format tag in the delta's metadata.
pub const FORMAT: &str = "caveat-delta-1";

fn malformed(path: &Path, message: impl Into<String>) -> TransformerError {
    TransformerError::Malformed {
        path: path.to_path_buf(),
        message: message.into(),
    }
}

fn read(path: &Path) -> Result<Vec<u8>, TransformerError> {
    std::fs::read(path).map_err(|source| TransformerError::Io {
        path: path.to_path_buf(),
        source,
    })
}

fn f32s(view: &TensorView<'_>) -> Option<Vec<f32>> {
    (view.dtype() == Dtype::F32).then(|| {
        view.data()
            .chunks_exact(4)
            .map(|b| f32::from_le_bytes([b[0], b[1], b[2], b[3]]))
            .collect()
    })
}

/// Apply `delta` to the base encoder's weights `base` and write the model to `out`
/// (atomically: a temporary file renamed into place). Returns the number of tensors written.
pub fn assemble(delta: &Path, base: &Path, out: &Path) -> Result<usize, TransformerError> {
    let delta_bytes = read(delta)?;
    let base_bytes = read(base)?;
    let d = SafeTensors::deserialize(&delta_bytes)
        .map_err(|e| malformed(delta, format!("not a safetensors file: {e}")))?;
    let b = SafeTensors::deserialize(&base_bytes)
        .map_err(|e| malformed(base, format!("not a safetensors file: {e}")))?;
    let (_, meta) =
        SafeTensors::read_metadata(&delta_bytes).map_err(|e| malformed(delta, e.to_string()))?;
    let meta = meta.metadata().clone().unwrap_or_default();
    if meta.get("format").map(String::as_str) != Some(FORMAT) {
        return Err(malformed(
            delta,
            format!("metadata `format` is not `{FORMAT}`: not a caveat delta"),
        ));
    }
    let names: Vec<&str> = meta
        .get("tensors")
        .map(|s| s.split(',').filter(|n| !n.is_empty()).collect())
        .unwrap_or_default();
    if names.is_empty() {
        return Err(malformed(delta, "metadata `tensors` is empty"));
    }
    let base_view = |name: &str| {
        b.tensor(name)
            .or_else(|_| b.tensor(name.strip_prefix("bert.").unwrap_or(name)))
            .ok()
    };
    let mut tensors: Vec<(String, Vec<usize>, Vec<u8>)> = Vec::with_capacity(names.len());
    for name in names {
        let bad = |what: String| malformed(delta, format!("tensor `{name}`: {what}"));
        let (shape, values): (Vec<usize>, Vec<f32>) = if let Ok(full) = d.tensor(name) {
            let v = f32s(&full).ok_or_else(|| bad("a full tensor must be f32".into()))?;
            (full.shape().to_vec(), v)
        } else {
            let bv = base_view(name).ok_or_else(|| {
                malformed(
                    base,
                    format!("the base encoder has no tensor `{name}`: wrong base model?"),
                )
            })?;
            let mut w = f32s(&bv).ok_or_else(|| malformed(base, format!("`{name}` is not f32")))?;
            let shape = bv.shape().to_vec();
            if let (Ok(q), Ok(scale)) = (
                d.tensor(&format!("{name}::q")),
                d.tensor(&format!("{name}::scale")),
            ) {
                let scale = f32s(&scale).ok_or_else(|| bad("scale must be f32".into()))?;
                if q.dtype() != Dtype::I8
                    || q.shape() != shape.as_slice()
                    || shape.len() != 2
                    || scale.len() != shape[0]
                {
                    return Err(bad(format!(
                        "quantised delta {:?} {:?} with {} scales does not fit base shape {shape:?}",
                        q.dtype(),
                        q.shape(),
                        scale.len()
                    )));
                }
                let cols = shape[1];
                for (i, (x, &qb)) in w.iter_mut().zip(q.data()).enumerate() {
                    *x += f32::from(qb as i8) * scale[i / cols];
                }
            } else if let Ok(dv) = d.tensor(&format!("{name}::delta")) {
                let dv = f32s(&dv).ok_or_else(|| bad("delta must be f32".into()))?;
                if dv.len() != w.len() {
                    return Err(bad(format!(
                        "delta of {} values for {} weights",
                        dv.len(),
                        w.len()
                    )));
                }
                for (x, y) in w.iter_mut().zip(dv) {
                    *x += y;
                }
            }
            (shape, w)
        };
        let bytes = values.iter().flat_map(|x| x.to_le_bytes()).collect();
        tensors.push((name.to_string(), shape, bytes));
    }
    let views = tensors
        .iter()
        .map(|(n, s, bytes)| {
            TensorView::new(Dtype::F32, s.clone(), bytes)
                .map(|v| (n.clone(), v))
                .map_err(|e| malformed(delta, e.to_string()))
        })
        .collect::<Result<Vec<_>, _>>()?;
    let tmp: PathBuf = out.with_extension("safetensors.part");
    let mut info = HashMap::new();
    info.insert("format".to_string(), "pt".to_string());
    safetensors::serialize_to_file(views, Some(info), &tmp)
        .map_err(|e| malformed(&tmp, format!("cannot write: {e}")))?;
    std::fs::rename(&tmp, out).map_err(|source| TransformerError::Io {
        path: out.to_path_buf(),
        source,
    })?;
    Ok(tensors.len())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn bytes(v: &[f32]) -> Vec<u8> {
        v.iter().flat_map(|x| x.to_le_bytes()).collect()
    }

    #[test]
    fn deltas_apply_and_bad_files_are_named() {
        let dir = tempfile::tempdir().unwrap();
        let base = dir.path().join("base.safetensors");
        let w = bytes(&[1.0, 2.0, 3.0, 4.0]);
        let v = bytes(&[0.5, 0.5]);
        let e = bytes(&[9.0, 9.0]);
        safetensors::serialize_to_file(
            [
                (
                    "encoder.w",
                    TensorView::new(Dtype::F32, vec![2, 2], &w).unwrap(),
                ),
                (
                    "encoder.b",
                    TensorView::new(Dtype::F32, vec![2], &v).unwrap(),
                ),
                (
                    "embeddings.e",
                    TensorView::new(Dtype::F32, vec![2], &e).unwrap(),
                ),
            ],
            None,
            &base,
        )
        .unwrap();
        let delta = dir.path().join("delta.safetensors");
        let q: Vec<u8> = [1i8, -1, 0, 2].iter().map(|&x| x as u8).collect();
        let scale = bytes(&[0.5, 0.25]);
        let db = bytes(&[1.0, -1.0]);
        let cls = bytes(&[7.0]);
        let mut meta = HashMap::new();
        meta.insert("format".to_string(), FORMAT.to_string());
        meta.insert(
            "tensors".to_string(),
            "bert.encoder.w,bert.encoder.b,bert.embeddings.e,classifier.bias".to_string(),
        );
        safetensors::serialize_to_file(
            [
                (
                    "bert.encoder.w::q",
                    TensorView::new(Dtype::I8, vec![2, 2], &q).unwrap(),
                ),
                (
                    "bert.encoder.w::scale",
                    TensorView::new(Dtype::F32, vec![2], &scale).unwrap(),
                ),
                (
                    "bert.encoder.b::delta",
                    TensorView::new(Dtype::F32, vec![2], &db).unwrap(),
                ),
                (
                    "classifier.bias",
                    TensorView::new(Dtype::F32, vec![1], &cls).unwrap(),
                ),
            ],
            Some(meta),
            &delta,
        )
        .unwrap();
        let out = dir.path().join("model.safetensors");
        assert_eq!(assemble(&delta, &base, &out).unwrap(), 4);
        let got = std::fs::read(&out).unwrap();
        let st = SafeTensors::deserialize(&got).unwrap();
        let get = |n: &str| f32s(&st.tensor(n).unwrap()).unwrap();
        assert_eq!(get("bert.encoder.w"), [1.5, 1.5, 3.0, 4.5]);
        assert_eq!(get("bert.encoder.b"), [1.5, -0.5]);
        assert_eq!(get("bert.embeddings.e"), [9.0, 9.0]);
        assert_eq!(get("classifier.bias"), [7.0]);

        // The base is the delta: no `format`, named in the error.
        let err = assemble(&base, &base, &out).unwrap_err().to_string();
        assert!(
            err.contains("base.safetensors") && err.contains("format"),
            "{err}"
        );
        let err = assemble(&delta, &dir.path().join("nope"), &out)
            .unwrap_err()
            .to_string();
        assert!(err.contains("nope"), "{err}");
    }
}
