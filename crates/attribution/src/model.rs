//! Hashed feature weights: the averaged perceptrons behind cue detection and source choice.
//!
//! Features are 64-bit hashes (see [`mix`]); a model keeps a dense table of `2^bits` weights
//! indexed by the top bits of a feature hash, so scoring allocates nothing. The file format is
//! plain text: a header line `caveat-attribution-model 1`, then one section per perceptron
//! (`[cue] bits=19`, `[source] bits=18`) followed by `index weight` lines for the non-zero
//! weights.

use std::fmt::Write as _;
use std::path::Path;

use crate::AttributionError;

/// FNV-1a style mixing of a feature template and a value into one hash.
#[inline]
pub(crate) fn mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(29)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
    x ^ (x >> 31)
}

/// Hash of a string after lower-casing (and mapping the typographic apostrophe to `'`).
#[inline]
pub(crate) fn word_hash(s: &str) -> u64 {
    let mut h: u64 = 0xcbf2_9ce4_8422_2325;
    let mut eat = |b: u8| {
        h ^= b as u64;
        h = h.wrapping_mul(0x0000_0100_0000_01b3);
    };
    for c in s.chars() {
        if c.is_ascii() {
            eat(c.to_ascii_lowercase() as u8);
        } else if c == '’' || c == '‘' {
            eat(b'\'');
        } else {
            let mut buf = [0u8; 4];
            for l in c.to_lowercase() {
                for &b in l.encode_utf8(&mut buf).as_bytes() {
                    eat(b);
                }
            }
        }
    }
    // Final avalanche so that the top bits (used for indexing) are well mixed.
    mix(h, 0x51_7cc1_b727_220a)
}

/// One linear model over hashed features.
#[derive(Clone, Debug)]
pub(crate) struct Weights {
    bits: u32,
    w: Vec<f32>,
}

impl Weights {
    pub(crate) fn new(bits: u32) -> Weights {
        Weights {
            bits,
            w: vec![0.0; 1 << bits],
        }
    }

    #[inline]
    fn index(&self, f: u64) -> usize {
        (f >> (64 - self.bits)) as usize
    }

    /// Sum of the weights of `feats`.
    #[inline]
    pub(crate) fn score(&self, feats: &[u64]) -> f32 {
        feats.iter().map(|&f| self.w[self.index(f)]).sum()
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

    pub(crate) fn to_text(&self) -> String {
        let mut out = String::new();
        out.push_str(HEADER);
        out.push('\n');
        for (name, w) in [("cue", &self.cue), ("source", &self.source)] {
            let _ = writeln!(out, "[{name}] bits={}", w.bits);
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

/// An averaged perceptron in training (dense, with lazy averaging).
#[derive(Clone, Debug)]
pub(crate) struct Averaged {
    w: Weights,
    total: Vec<f64>,
    stamp: Vec<u64>,
    clock: u64,
}

impl Averaged {
    pub(crate) fn new(bits: u32) -> Averaged {
        let n = 1usize << bits;
        Averaged {
            w: Weights::new(bits),
            total: vec![0.0; n],
            stamp: vec![0; n],
            clock: 0,
        }
    }

    pub(crate) fn weights(&self) -> &Weights {
        &self.w
    }

    /// Advance the example counter (call once per training example).
    pub(crate) fn tick(&mut self) {
        self.clock += 1;
    }

    /// Add `delta` to the weight of every feature in `feats`.
    pub(crate) fn update(&mut self, feats: &[u64], delta: f32) {
        for &f in feats {
            let i = self.w.index(f);
            self.total[i] += (self.clock - self.stamp[i]) as f64 * self.w.w[i] as f64;
            self.stamp[i] = self.clock;
            self.w.w[i] += delta;
        }
    }

    /// The averaged weights, rounded to 3 decimals for a compact file.
    pub(crate) fn average(&self) -> Weights {
        let mut out = Weights::new(self.w.bits);
        let c = self.clock.max(1) as f64;
        for i in 0..self.w.w.len() {
            let t = self.total[i] + (self.clock - self.stamp[i]) as f64 * self.w.w[i] as f64;
            let a = (t / c * 1000.0).round() / 1000.0;
            out.w[i] = a as f32;
        }
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn word_hash_folds_case_and_apostrophes() {
        assert_eq!(word_hash("Said"), word_hash("said"));
        assert_eq!(word_hash("don’t"), word_hash("don't"));
        assert_eq!(word_hash("ÉTÉ"), word_hash("été"));
        assert_ne!(word_hash("said"), word_hash("says"));
    }

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
    fn averaged_perceptron_learns_a_separable_rule() {
        let mut p = Averaged::new(10);
        let data = [
            (vec![1u64 << 60, 3 << 58], 1.0f32),
            (vec![2u64 << 60, 3 << 58], -1.0),
        ];
        for _ in 0..10 {
            for (f, y) in &data {
                p.tick();
                if p.weights().score(f) * y <= 0.0 {
                    p.update(f, *y);
                }
            }
        }
        let w = p.average();
        assert!(w.score(&data[0].0) > 0.0 && w.score(&data[1].0) < 0.0);
    }
}
