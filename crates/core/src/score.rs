use std::ops::AddAssign;

/// True positives, false positives and false negatives, with precision, recall and F1: the
/// counts every evaluation in caveat reports (entities, hedge cues, sentences).
#[derive(Clone, Copy, Debug, Default, PartialEq, Eq)]
pub struct Prf {
    /// Predictions that match the gold annotation.
    pub tp: usize,
    /// Predictions that match nothing.
    pub fp: usize,
    /// Gold annotations that no prediction matches.
    pub fn_: usize,
}

fn ratio(a: usize, b: usize) -> f64 {
    if b == 0 {
        0.0
    } else {
        a as f64 / b as f64
    }
}

impl Prf {
    /// Precision in `[0, 1]` (0 when nothing was predicted).
    pub fn precision(&self) -> f64 {
        ratio(self.tp, self.tp + self.fp)
    }

    /// Recall in `[0, 1]` (0 when there is no gold annotation).
    pub fn recall(&self) -> f64 {
        ratio(self.tp, self.tp + self.fn_)
    }

    /// Harmonic mean of precision and recall (0 when both are 0).
    pub fn f1(&self) -> f64 {
        let (p, r) = (self.precision(), self.recall());
        if p + r == 0.0 {
            0.0
        } else {
            2.0 * p * r / (p + r)
        }
    }
}

impl AddAssign for Prf {
    fn add_assign(&mut self, o: Prf) {
        self.tp += o.tp;
        self.fp += o.fp;
        self.fn_ += o.fn_;
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn precision_recall_f1() {
        let mut c = Prf {
            tp: 3,
            fp: 1,
            fn_: 2,
        };
        assert_eq!((c.precision(), c.recall()), (0.75, 0.6));
        assert!((c.f1() - 2.0 * 0.75 * 0.6 / 1.35).abs() < 1e-12);
        assert_eq!(Prf::default().f1(), 0.0);
        c += Prf {
            tp: 1,
            fp: 0,
            fn_: 0,
        };
        assert_eq!(
            c,
            Prf {
                tp: 4,
                fp: 1,
                fn_: 2
            }
        );
    }
}
