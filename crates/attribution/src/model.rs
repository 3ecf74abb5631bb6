//! Hashed feature weights: the averaged perceptrons behind cue detection and source choice.
//!
//! Features are 64-bit hashes (built with [`fnv_mix`](caveat_text::hash::fnv_mix) from
//! template ids and [`fnv_word_hash`](caveat_text::hash::fnv_word_hash)es); a model keeps a
//! dense table of `2^bits` weights indexed by the top bits of a feature hash
//! ([`Hashed`]), so scoring allocates nothing. Training uses caveat-text's
//! [`Perceptron<Hashed, Lazy>`](caveat_text::perceptron::Perceptron) and rounds its averages
//! into [`Weights`] ([`Weights::averaged`]). The file format is plain text: a header line
//! `caveat-attribution-model 1`, then one section per perceptron (`[cue] bits=19`,
//! `[source] bits=18`) followed by `index weight` lines for the non-zero weights.

#[cfg(feature = "train")]
use std::fmt::Write as _;
use std::path::Path;

use caveat_text::perceptron::Hashed;
#[cfg(feature = "train")]
use caveat_text::perceptron::{Lazy, Perceptron};

use crate::AttributionError;

/// One linear model over hashed features.
#[derive(Clone, Debug)]
pub(crate) struct Weights {
    slots: Hashed,
    w: Vec<f32>,
}

impl Weights {
    /// All `2^bits` weights 0.
    pub(crate) fn new(bits: u32) -> Weights {
        Weights::from_vec(bits, vec![0.0; 1 << bits])
    }

    /// The table `w` of `2^bits` weights.
    pub(crate) fn from_vec(bits: u32, w: Vec<f32>) -> Weights {
        let slots = Hashed::new(bits);
        assert_eq!(w.len(), 1 << bits, "a weight table of {bits} bits");
        Weights { slots, w }
    }

    /// The averaged weights of a trained perceptron, rounded to 3 decimals (in `f64`) for a
    /// compact file.
    #[cfg(feature = "train")]
    pub(crate) fn averaged(p: &Perceptron<Hashed, Lazy>) -> Weights {
        let w = p
            .averages()
            .map(|a| ((a * 1000.0).round() / 1000.0) as f32)
            .collect();
        Weights::from_vec(p.slots().bits(), w)
    }

    /// Sum of the weights of `feats`.
    #[inline]
    pub(crate) fn score(&self, feats: &[u64]) -> f32 {
        feats.iter().map(|&f| self.w[self.slots.index(f)]).sum()
    }

    pub(crate) fn is_empty(&self) -> bool {
        self.w.iter().all(|&x| x == 0.0)
    }
}

/// The learned part of the stage: cue tagger and source ranker.
#[derive(Clone, Debug)]
pub(crate) struct Model {
    pub(crate) cue: Weights,
    pub(crate) source: Weights,
}

pub(crate) const CUE_BITS: u32 = 19;
pub(crate) const SOURCE_BITS: u32 = 18;
const HEADER: &str = "caveat-attribution-model 1";

impl Model {
    pub(crate) fn empty() -> Model {
        Model {
            cue: Weights::new(CUE_BITS),
            source: Weights::new(SOURCE_BITS),
        }
    }

    #[cfg(feature = "train")]
    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        out.push('\n');
        for (name, w) in [("cue", &self.cue), ("source", &self.source)] {
            let _ = writeln!(out, "[{name}] bits={}", w.slots.bits());
            for (i, &x) in w.w.iter().enumerate() {
                if x != 0.0 {
                    let _ = writeln!(out, "{i} {x}");
                }
            }
        }
        out
    }

    pub(crate) fn parse(text: &str, path: &Path) -> Result<Model, AttributionError> {
        let bad = |line: usize, message: String| AttributionError::Model {
            path: path.to_path_buf(),
            line,
            message,
        };
        let mut lines = text.lines().enumerate();
        match lines.next() {
            Some((_, h)) if h.trim() == HEADER => {}
            _ => {
                return Err(bad(
                    1,
                    format!("expected the header `{HEADER}`; is this an attribution model file?"),
                ))
            }
        }
        let mut model = Model::empty();
        let mut current: Option<&mut Weights> = None;
        for (n, line) in lines {
            let line = line.trim();
            if line.is_empty() || line.starts_with('#') {
                continue;
            }
            if let Some(rest) = line.strip_prefix('[') {
                let (name, bits) = rest
                    .split_once("] bits=")
                    .ok_or_else(|| bad(n + 1, format!("bad section header `{line}`")))?;
                let bits: u32 = bits
                    .parse()
                    .ok()
                    .filter(|b| (8..=24).contains(b))
                    .ok_or_else(|| bad(n + 1, format!("bits must be 8..=24 in `{line}`")))?;
                let slot = match name {
                    "cue" => &mut model.cue,
                    "source" => &mut model.source,
                    other => {
                        return Err(bad(
                            n + 1,
                            format!("unknown section `{other}` (expected cue or source)"),
                        ))
                    }
                };
                *slot = Weights::new(bits);
                current = Some(slot);
                continue;
            }
            let w = current
                .as_deref_mut()
                .ok_or_else(|| bad(n + 1, "weight line before any section".into()))?;
            let parsed = line
                .split_once(' ')
                .and_then(|(i, x)| Some((i.parse::<usize>().ok()?, x.parse::<f32>().ok()?)));
            match parsed {
                Some((i, x)) if i < w.w.len() && x.is_finite() => w.w[i] = x,
                _ => {
                    return Err(bad(
                        n + 1,
                        format!(
                            "expected `index weight` with index < {}: `{line}`",
                            w.w.len()
                        ),
                    ))
                }
            }
        }
        Ok(model)
    }
}

// Both tests write models, which only training does.
#[cfg(all(test, feature = "train"))]
mod tests {
    use super::*;

    #[test]
    fn model_text_round_trips_and_bad_files_say_where() {
        let mut m = Model::empty();
        m.cue.w[5] = 1.5;
        m.source.w[7] = -0.25;
        let text = m.to_text();
        let back = Model::parse(&text, Path::new("m.txt")).unwrap();
        assert_eq!(back.cue.w[5], 1.5);
        assert_eq!(back.source.w[7], -0.25);
        let err = Model::parse(
            "caveat-attribution-model 1\n[cue] bits=19\n3 x\n",
            Path::new("m"),
        )
        .unwrap_err()
        .to_string();
        assert!(err.contains("line 3"), "{err}");
        assert!(Model::parse("hello", Path::new("m")).is_err());
    }

    #[test]
    fn averaged_weights_are_rounded_averages() {
        let mut p: Perceptron<Hashed, Lazy> = Perceptron::new(Hashed::new(10));
        let data = [
            (vec![1u64 << 60, 3 << 58], 1.0f32),
            (vec![2u64 << 60, 3 << 58], -1.0),
        ];
        for _ in 0..3 {
            for (f, y) in &data {
                p.learn_binary(f, *y);
            }
        }
        let w = Weights::averaged(&p);
        assert_eq!(w.slots.bits(), 10);
        assert!(w.score(&data[0].0) > 0.0 && w.score(&data[1].0) < 0.0);
        // The first example's own feature weighs 1 from the second tick of 6 on: 5/6 is
        // written as 0.833.
        assert_eq!(w.score(&[1 << 60]), 0.833);
        for (i, a) in p.averages().enumerate() {
            assert_eq!(w.w[i], ((a * 1000.0).round() / 1000.0) as f32);
        }
    }
}
