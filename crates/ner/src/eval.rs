//! Exact-span precision, recall and F1, overall and per type, as conlleval computes them: a
//! predicted entity counts only when its boundaries and its label equal a gold entity's.

use std::collections::BTreeMap;
use std::fmt;

/// An entity as `(start, end, label)`: token (or byte) offsets, end exclusive.
pub type LabeledSpan = (usize, usize, String);

/// Entity spans of a tag sequence, read the way conlleval reads IOB1, IOB2, BIOES and BILOU:
/// an entity starts at `B-`/`S-`/`U-`, or at `I-`/`E-`/`L-` when the previous tag is not
/// part of an entity of the same type; it ends before `O`, `B-`, `S-`, `U-` or a type change,
/// and after `E-`/`L-`/`S-`/`U-`. Returns token ranges `(start, end)` with labels.
pub fn spans_from_tags<S: AsRef<str>>(tags: &[S]) -> Vec<LabeledSpan> {
    let mut out = Vec::new();
    let mut open: Option<(usize, &str)> = None;
    for (i, t) in tags.iter().enumerate() {
        let t = t.as_ref();
        let (prefix, label) = match t.split_once('-') {
            Some((p, l)) if t != "O" => (p, l),
            _ => ("O", ""),
        };
        match prefix {
            "B" | "S" | "U" => {
                if let Some((s, l)) = open.take() {
                    out.push((s, i, l.to_string()));
                }
                if prefix == "B" {
                    open = Some((i, label));
                } else {
                    out.push((i, i + 1, label.to_string()));
                }
            }
            "I" | "E" | "L" => {
                match open {
                    Some((_, l)) if l == label => {}
                    Some((s, l)) => {
                        out.push((s, i, l.to_string()));
                        open = Some((i, label));
                    }
                    None => open = Some((i, label)),
                }
                if prefix != "I" {
                    if let Some((s, l)) = open.take() {
                        out.push((s, i + 1, l.to_string()));
                    }
                }
            }
            _ => {
                if let Some((s, l)) = open.take() {
                    out.push((s, i, l.to_string()));
                }
            }
        }
    }
    if let Some((s, l)) = open {
        out.push((s, tags.len(), l.to_string()));
    }
    out
}

/// True positives, false positives and false negatives (exact spans with their labels).
pub use caveat_core::Prf;

/// Counts overall and per label; add any number of sentences or documents with [`Counts::add`].
#[derive(Clone, Debug, Default, PartialEq)]
pub struct Counts {
    /// Counts over all labels.
    pub overall: Prf,
    /// Counts per label, sorted by label.
    pub per_label: BTreeMap<String, Prf>,
}

impl Counts {
    /// Add the entities of one unit (sentence or document; offsets only need to agree
    /// between `gold` and `pred`). Duplicate spans count once.
    pub fn add(&mut self, gold: &[LabeledSpan], pred: &[LabeledSpan]) {
        let mut g: Vec<&LabeledSpan> = gold.iter().collect();
        let mut p: Vec<&LabeledSpan> = pred.iter().collect();
        g.sort();
        g.dedup();
        p.sort();
        p.dedup();
        for x in &p {
            let e = self.per_label.entry(x.2.clone()).or_default();
            if g.binary_search(x).is_ok() {
                e.tp += 1;
                self.overall.tp += 1;
            } else {
                e.fp += 1;
                self.overall.fp += 1;
            }
        }
        for x in &g {
            if p.binary_search(x).is_err() {
                self.per_label.entry(x.2.clone()).or_default().fn_ += 1;
                self.overall.fn_ += 1;
            }
        }
    }

    /// Merge another set of counts into this one.
    pub fn merge(&mut self, other: &Counts) {
        self.overall += other.overall;
        for (l, c) in &other.per_label {
            *self.per_label.entry(l.clone()).or_default() += *c;
        }
    }
}

/// Score predicted against gold entities of one unit (see [`Counts::add`]).
pub fn score(gold: &[LabeledSpan], pred: &[LabeledSpan]) -> Counts {
    let mut c = Counts::default();
    c.add(gold, pred);
    c
}

impl fmt::Display for Counts {
    /// A conlleval-like table: one line overall, then one per label, in percent.
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let line = |f: &mut fmt::Formatter<'_>, name: &str, c: &Prf| {
            writeln!(
                f,
                "{name:<8} P {:6.2}  R {:6.2}  F1 {:6.2}  (tp {} fp {} fn {})",
                100.0 * c.precision(),
                100.0 * c.recall(),
                100.0 * c.f1(),
                c.tp,
                c.fp,
                c.fn_
            )
        };
        line(f, "overall", &self.overall)?;
        for (l, c) in &self.per_label {
            line(f, l, c)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn sp(s: usize, e: usize, l: &str) -> LabeledSpan {
        (s, e, l.to_string())
    }

    #[test]
    fn iob1_and_iob2_read_alike() {
        let iob2 = ["B-PER", "I-PER", "O", "B-LOC", "B-LOC", "I-ORG"];
        let iob1 = ["I-PER", "I-PER", "O", "I-LOC", "B-LOC", "I-ORG"];
        let want = vec![
            sp(0, 2, "PER"),
            sp(3, 4, "LOC"),
            sp(4, 5, "LOC"),
            sp(5, 6, "ORG"),
        ];
        assert_eq!(spans_from_tags(&iob2), want);
        assert_eq!(spans_from_tags(&iob1), want);
        let bilou = ["B-PER", "L-PER", "O", "U-LOC", "U-LOC", "U-ORG"];
        assert_eq!(spans_from_tags(&bilou), want);
        // A type change inside I- tags splits the entity.
        assert_eq!(
            spans_from_tags(&["I-PER", "I-ORG"]),
            vec![sp(0, 1, "PER"), sp(1, 2, "ORG")]
        );
    }

    #[test]
    fn hand_computed_scores() {
        // gold: 4 entities; pred: 2 exact, 1 wrong boundary, 1 wrong label, 1 spurious.
        let gold = vec![
            sp(0, 2, "PER"),
            sp(3, 4, "LOC"),
            sp(5, 7, "ORG"),
            sp(8, 9, "MISC"),
        ];
        let pred = vec![
            sp(0, 2, "PER"),
            sp(3, 4, "LOC"),
            sp(5, 6, "ORG"),
            sp(8, 9, "LOC"),
            sp(10, 11, "PER"),
        ];
        let c = score(&gold, &pred);
        assert_eq!(
            c.overall,
            Prf {
                tp: 2,
                fp: 3,
                fn_: 2
            }
        );
        assert!((c.overall.precision() - 0.4).abs() < 1e-12);
        assert!((c.overall.recall() - 0.5).abs() < 1e-12);
        assert!((c.overall.f1() - 2.0 * 0.4 * 0.5 / 0.9).abs() < 1e-12);
        assert_eq!(
            c.per_label["PER"],
            Prf {
                tp: 1,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(
            c.per_label["LOC"],
            Prf {
                tp: 1,
                fp: 1,
                fn_: 0
            }
        );
        assert_eq!(
            c.per_label["ORG"],
            Prf {
                tp: 0,
                fp: 1,
                fn_: 1
            }
        );
        assert_eq!(
            c.per_label["MISC"],
            Prf {
                tp: 0,
                fp: 0,
                fn_: 1
            }
        );
        let mut twice = c.clone();
        twice.merge(&c);
        assert_eq!(twice.overall.tp, 4);
        let table = c.to_string();
        assert!(
            table.contains("overall") && table.contains("MISC"),
            "{table}"
        );
        assert_eq!(score(&[], &[]).overall.f1(), 0.0);
    }
}
