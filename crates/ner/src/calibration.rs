//! Calibrated entity scores: a monotone map from a tagger's raw confidence to the probability
//! that the entity (span and label) is right, fitted by isotonic regression on dev data, and
//! the reliability table that checks it.
//!
//! The map is piecewise linear through `(score, probability)` knots, flat outside them. It is
//! stored as a `[calibration]` table (`scores = [...]`, `probabilities = [...]`), in a
//! perceptron model's `model.toml` or in a file named by the `ner` stage's `calibration`
//! option (for any backend).

use serde::{Deserialize, Serialize};

/// A monotone map from raw entity confidence to calibrated probability.
#[derive(Clone, Debug, PartialEq, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct Calibration {
    /// Raw scores of the knots, increasing.
    pub scores: Vec<f32>,
    /// Calibrated probability at each knot, non-decreasing, in `[0, 1]`.
    pub probabilities: Vec<f32>,
}

/// The file form of a calibration: a `[calibration]` table.
#[derive(Clone, Debug, Serialize, Deserialize)]
#[serde(deny_unknown_fields)]
pub struct CalibrationFile {
    /// The map.
    pub calibration: Calibration,
    /// Where it was fitted and how, for the record.
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub fitted_on: String,
}

impl Calibration {
    /// Check the knots: same length, at least one, scores increasing, probabilities
    /// non-decreasing in `[0, 1]`. The message says what is wrong.
    pub fn check(&self) -> Result<(), String> {
        let (x, y) = (&self.scores, &self.probabilities);
        if x.is_empty() || x.len() != y.len() {
            return Err(format!(
                "`scores` and `probabilities` must have the same, non-zero length ({} and {})",
                x.len(),
                y.len()
            ));
        }
        if x.iter().chain(y).any(|v| !v.is_finite()) {
            return Err("knots must be finite numbers".into());
        }
        if x.windows(2).any(|w| w[0] >= w[1]) {
            return Err("`scores` must be strictly increasing".into());
        }
        if y.windows(2).any(|w| w[0] > w[1]) || y.iter().any(|&p| !(0.0..=1.0).contains(&p)) {
            return Err("`probabilities` must be non-decreasing and within [0, 1]".into());
        }
        Ok(())
    }

    /// The calibrated probability of raw score `s`.
    pub fn apply(&self, s: f32) -> f32 {
        let (x, y) = (&self.scores, &self.probabilities);
        let i = x.partition_point(|&k| k <= s);
        if i == 0 {
            return y[0];
        }
        if i == x.len() {
            return y[x.len() - 1];
        }
        let t = (s - x[i - 1]) / (x[i] - x[i - 1]);
        y[i - 1] + t * (y[i] - y[i - 1])
    }

    /// Fit by isotonic regression (pool adjacent violators) on `(raw score, right?)` pairs.
    /// Each pooled block becomes a knot at its mean score with its accuracy; `None` when
    /// there are no pairs.
    pub fn fit(pairs: &[(f32, bool)]) -> Option<Calibration> {
        let mut v: Vec<(f32, bool)> = pairs.iter().copied().filter(|p| p.0.is_finite()).collect();
        if v.is_empty() {
            return None;
        }
        v.sort_by(|a, b| a.0.total_cmp(&b.0));
        // Blocks of (sum of scores, sum of labels, count); equal scores start in one block.
        let mut blocks: Vec<(f64, f64, f64)> = Vec::new();
        let mut i = 0;
        while i < v.len() {
            let mut j = i;
            let mut b = (0.0, 0.0, 0.0);
            while j < v.len() && v[j].0 == v[i].0 {
                b.0 += v[j].0 as f64;
                b.1 += v[j].1 as u8 as f64;
                b.2 += 1.0;
                j += 1;
            }
            blocks.push(b);
            while blocks.len() > 1 {
                let (last, prev) = (blocks[blocks.len() - 1], blocks[blocks.len() - 2]);
                if prev.1 / prev.2 < last.1 / last.2 {
                    break;
                }
                blocks.pop();
                let n = blocks.len();
                blocks[n - 1] = (prev.0 + last.0, prev.1 + last.1, prev.2 + last.2);
            }
            i = j;
        }
        let mut c = Calibration {
            scores: Vec::with_capacity(blocks.len()),
            probabilities: Vec::with_capacity(blocks.len()),
        };
        for (sx, sy, n) in blocks {
            let x = (sx / n) as f32;
            let y = (sy / n) as f32;
            // Mean scores of successive blocks increase; keep them strictly so in f32.
            if c.scores.last().is_some_and(|&l| x <= l) {
                *c.probabilities.last_mut().expect("a knot") = y;
                continue;
            }
            c.scores.push(x);
            c.probabilities.push(y);
        }
        Some(c)
    }
}

/// One bin of a reliability table.
#[derive(Clone, Copy, Debug, Default, PartialEq)]
pub struct Bin {
    /// Lower edge of the bin's scores (upper edge: the next bin's, or 1).
    pub lower: f32,
    /// Entities in the bin.
    pub count: usize,
    /// Their mean score.
    pub mean_score: f64,
    /// The share of them that is right.
    pub accuracy: f64,
}

/// A reliability table: predicted entities binned by score, with the expected calibration
/// error (the count-weighted mean of `|accuracy - mean score|` over the bins).
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Reliability {
    /// Equal-width bins over `[0, 1]`.
    pub bins: Vec<Bin>,
    /// Expected calibration error.
    pub ece: f64,
    /// Entities scored.
    pub total: usize,
}

impl Reliability {
    /// Bin `(score, right?)` pairs into `n` equal-width bins (scores are clamped to
    /// `[0, 1]`; a score of 1 falls in the last bin).
    pub fn new(pairs: &[(f32, bool)], n: usize) -> Reliability {
        let n = n.max(1);
        let mut sums = vec![(0usize, 0.0f64, 0usize); n];
        for &(s, right) in pairs {
            let s = if s.is_finite() {
                s.clamp(0.0, 1.0)
            } else {
                0.0
            };
            let b = ((s * n as f32) as usize).min(n - 1);
            sums[b].0 += 1;
            sums[b].1 += s as f64;
            sums[b].2 += right as usize;
        }
        let total = pairs.len();
        let mut ece = 0.0;
        let bins = sums
            .iter()
            .enumerate()
            .map(|(i, &(count, ssum, right))| {
                let (mean_score, accuracy) = if count == 0 {
                    (0.0, 0.0)
                } else {
                    (ssum / count as f64, right as f64 / count as f64)
                };
                if total > 0 {
                    ece += count as f64 / total as f64 * (accuracy - mean_score).abs();
                }
                Bin {
                    lower: i as f32 / n as f32,
                    count,
                    mean_score,
                    accuracy,
                }
            })
            .collect();
        Reliability { bins, ece, total }
    }
}

impl std::fmt::Display for Reliability {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        writeln!(f, "| score bin | entities | mean score | right |")?;
        writeln!(f, "|---|---:|---:|---:|")?;
        let n = self.bins.len() as f32;
        for b in self.bins.iter().filter(|b| b.count > 0) {
            writeln!(
                f,
                "| {:.1}–{:.1} | {} | {:.3} | {:.3} |",
                b.lower,
                b.lower + 1.0 / n,
                b.count,
                b.mean_score,
                b.accuracy
            )?;
        }
        write!(
            f,
            "expected calibration error (ECE, {} bins, {} entities): {:.4}",
            self.bins.len(),
            self.total,
            self.ece
        )
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn isotonic_fit_pools_violators_and_interpolates() {
        // Scores 0.1..0.4 right 0/1 in a non-monotone pattern.
        let pairs = [
            (0.1, false),
            (0.2, true),
            (0.3, false),
            (0.4, true),
            (0.4, true),
        ];
        let c = Calibration::fit(&pairs).unwrap();
        c.check().unwrap();
        // 0.2 (right) and 0.3 (wrong) pool into one block of accuracy 0.5 at score 0.25.
        assert_eq!(c.scores, vec![0.1, 0.25, 0.4]);
        assert_eq!(c.probabilities, vec![0.0, 0.5, 1.0]);
        assert_eq!(c.apply(0.0), 0.0);
        assert!((c.apply(0.325) - 0.75).abs() < 1e-6);
        assert_eq!(c.apply(0.9), 1.0);
        assert!(Calibration::fit(&[]).is_none());
    }

    #[test]
    fn fitted_scores_are_calibrated_on_their_own_data() {
        // Raw scores overconfident: true accuracy is raw^2.
        let mut rng = caveat_text::rng::SplitMix::new(7);
        let pairs: Vec<(f32, bool)> = (0..20_000)
            .map(|_| {
                let s = (rng.next_u64() % 1000) as f32 / 1000.0;
                let u = (rng.next_u64() % 1000) as f32 / 1000.0;
                (s, u < s * s)
            })
            .collect();
        let before = Reliability::new(&pairs, 10);
        assert!(before.ece > 0.1, "{before}");
        let c = Calibration::fit(&pairs).unwrap();
        let after: Vec<(f32, bool)> = pairs.iter().map(|&(s, r)| (c.apply(s), r)).collect();
        let r = Reliability::new(&after, 10);
        assert!(r.ece < 0.02, "{r}");
        assert_eq!(r.total, 20_000);
        assert_eq!(r.bins.iter().map(|b| b.count).sum::<usize>(), 20_000);
    }

    #[test]
    fn bad_knots_are_refused_with_a_reason() {
        let c = |s: Vec<f32>, p: Vec<f32>| Calibration {
            scores: s,
            probabilities: p,
        };
        assert!(c(vec![], vec![]).check().is_err());
        assert!(c(vec![0.2, 0.1], vec![0.1, 0.2]).check().is_err());
        assert!(c(vec![0.1, 0.2], vec![0.3, 0.2]).check().is_err());
        assert!(c(vec![0.1, 0.2], vec![0.3, 1.2]).check().is_err());
        assert!(c(vec![0.1], vec![0.3, 0.4]).check().is_err());
        c(vec![0.1, 0.2], vec![0.3, 0.3]).check().unwrap();
        let file: CalibrationFile =
            toml::from_str("[calibration]\nscores = [0.5]\nprobabilities = [0.7]\n").unwrap();
        assert_eq!(file.calibration.apply(0.1), 0.7);
    }
}
