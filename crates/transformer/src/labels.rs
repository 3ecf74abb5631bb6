//! Label schemes and constrained decoding from word label probabilities to entity spans.
//!
//! A model's `id2label` decides the scheme: `B-`/`I-` prefixes are IOB2, any `E-`/`S-` (or
//! `L-`/`U-`) makes it IOBES/BILOU, and labels without a prefix are plain types where a run of
//! the same type is one entity. Decoding is a Viterbi search over the words' log-probabilities
//! that only allows well-formed sequences (no `I-PER` after `O` or after `B-LOC`), which fixes
//! the broken spans a per-word argmax produces.

use std::collections::BTreeMap;
use std::ops::Range;

/// What a label says about its word's place in an entity.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Role {
    /// Not part of an entity (`O`).
    Outside,
    /// First word of a multi-word entity (`B-`).
    Begin,
    /// Inside an entity (`I-`).
    Inside,
    /// Last word of a multi-word entity (`E-`, `L-`).
    End,
    /// A one-word entity (`S-`, `U-`).
    Single,
    /// A bare type: runs of the same type form one entity.
    Plain,
}

/// One model output label.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Tag {
    /// Its role.
    pub role: Role,
    /// Index into [`LabelSet::types`] (0 for `O`).
    pub ty: usize,
}

/// The labels of a model, in output order.
#[derive(Debug, Clone)]
pub struct LabelSet {
    /// Each output's tag.
    pub tags: Vec<Tag>,
    /// Entity types (`PER`, `LOC`, ...), in order of first appearance.
    pub types: Vec<String>,
    /// Whether the set has `E-`/`S-` tags (then `B-` and `I-` must be closed by `E-`).
    pub closed: bool,
}

/// A decoded entity over word indices.
#[derive(Debug, Clone, PartialEq)]
pub struct WordSpan {
    /// The words.
    pub words: Range<usize>,
    /// Index into [`LabelSet::types`].
    pub ty: usize,
    /// The smallest probability among its words' labels.
    pub score: f32,
}

impl LabelSet {
    /// Read `id2label` (keys are output indices as strings).
    pub fn from_id2label(id2label: &BTreeMap<String, String>) -> Result<LabelSet, String> {
        if id2label.is_empty() {
            return Err(
                "no `id2label`: a token-classification model lists its labels there".into(),
            );
        }
        let mut by_index = vec![None; id2label.len()];
        for (k, v) in id2label {
            let i: usize = k
                .parse()
                .ok()
                .filter(|&i| i < id2label.len())
                .ok_or_else(|| {
                    format!(
                        "id2label key `{k}` is not an index below {}",
                        id2label.len()
                    )
                })?;
            by_index[i] = Some(v.as_str());
        }
        let labels: Vec<&str> = by_index.into_iter().map(|l| l.unwrap_or("O")).collect();
        Ok(Self::from_labels(&labels))
    }

    /// Parse labels such as `O`, `B-PER`, `I-PER`, `S-LOC` or `PER`.
    pub fn from_labels(labels: &[&str]) -> LabelSet {
        let mut types: Vec<String> = Vec::new();
        let mut tags = Vec::with_capacity(labels.len());
        for label in labels {
            let (role, name) = match label.split_once(['-', '_']) {
                _ if *label == "O" || label.is_empty() => (Role::Outside, None),
                Some((p, rest)) if p.len() == 1 && !rest.is_empty() => match p {
                    "B" => (Role::Begin, Some(rest)),
                    "I" => (Role::Inside, Some(rest)),
                    "E" | "L" => (Role::End, Some(rest)),
                    "S" | "U" => (Role::Single, Some(rest)),
                    _ => (Role::Plain, Some(*label)),
                },
                _ => (Role::Plain, Some(*label)),
            };
            let ty = match name {
                None => 0,
                Some(n) => match types.iter().position(|t| t == n) {
                    Some(i) => i,
                    None => {
                        types.push(n.to_string());
                        types.len() - 1
                    }
                },
            };
            tags.push(Tag { role, ty });
        }
        let closed = tags
            .iter()
            .any(|t| matches!(t.role, Role::End | Role::Single));
        LabelSet {
            tags,
            types,
            closed,
        }
    }

    /// Number of labels.
    pub fn len(&self) -> usize {
        self.tags.len()
    }

    /// Whether there are none.
    pub fn is_empty(&self) -> bool {
        self.tags.is_empty()
    }

    fn open(t: Tag) -> bool {
        matches!(t.role, Role::Begin | Role::Inside)
    }

    /// Whether `cur` may follow `prev` (`None` = start of the document).
    pub fn allowed(&self, prev: Option<Tag>, cur: Tag) -> bool {
        let continues = matches!(cur.role, Role::Inside | Role::End);
        let after_open = prev.is_some_and(|p| Self::open(p) && p.ty == cur.ty);
        if continues {
            return after_open;
        }
        // Outside, Begin, Single, Plain: in IOBES an open entity must be closed first.
        !(self.closed && prev.is_some_and(Self::open))
    }

    /// Whether a sequence may end with `t`.
    fn may_end(&self, t: Tag) -> bool {
        !(self.closed && Self::open(t))
    }

    /// Decode word label probabilities (`probs[w * len + k]`; rows of words the model did not
    /// see, such as words with no subwords, are all zero and count as `O`) into entity spans.
    pub fn decode(&self, probs: &[f32], words: usize) -> Vec<WordSpan> {
        let n = self.len();
        debug_assert_eq!(probs.len(), words * n);
        if words == 0 || n == 0 {
            return Vec::new();
        }
        let outside = self.tags.iter().position(|t| t.role == Role::Outside);
        let logp = |w: usize, k: usize| -> f32 {
            let row = &probs[w * n..(w + 1) * n];
            if row.iter().all(|&p| p == 0.0) {
                return if Some(k) == outside || outside.is_none() {
                    0.0
                } else {
                    f32::NEG_INFINITY
                };
            }
            row[k].max(1e-12).ln()
        };
        let mut score = vec![f32::NEG_INFINITY; words * n];
        let mut back = vec![0u16; words * n];
        for (k, (s, &tag)) in score.iter_mut().zip(&self.tags).enumerate() {
            if self.allowed(None, tag) {
                *s = logp(0, k);
            }
        }
        for w in 1..words {
            for k in 0..n {
                let (mut best, mut arg) = (f32::NEG_INFINITY, 0usize);
                for j in 0..n {
                    let s = score[(w - 1) * n + j];
                    if s > best && self.allowed(Some(self.tags[j]), self.tags[k]) {
                        best = s;
                        arg = j;
                    }
                }
                score[w * n + k] = best + logp(w, k);
                back[w * n + k] = arg as u16;
            }
        }
        let last = &score[(words - 1) * n..];
        let mut k = (0..n)
            .filter(|&k| self.may_end(self.tags[k]))
            .max_by(|&a, &b| last[a].total_cmp(&last[b]))
            .unwrap_or(0);
        let mut path = vec![0usize; words];
        for w in (0..words).rev() {
            path[w] = k;
            k = back[w * n + k] as usize;
        }
        self.spans(&path, probs)
    }

    /// Entity spans of a well-formed tag path.
    fn spans(&self, path: &[usize], probs: &[f32]) -> Vec<WordSpan> {
        let n = self.len();
        let mut out = Vec::new();
        let mut open: Option<WordSpan> = None;
        for (w, &k) in path.iter().enumerate() {
            let tag = self.tags[k];
            let p = probs[w * n + k];
            let p = if probs[w * n..(w + 1) * n].iter().all(|&x| x == 0.0) {
                1.0
            } else {
                p
            };
            let extend = match tag.role {
                Role::Inside | Role::End => true,
                Role::Plain => open
                    .as_ref()
                    .is_some_and(|o| o.ty == tag.ty && o.words.end == w),
                _ => false,
            };
            if extend {
                if let Some(o) = open.as_mut() {
                    o.words.end = w + 1;
                    o.score = o.score.min(p);
                }
            } else if let Some(o) = open.take() {
                out.push(o);
            }
            if !extend && tag.role != Role::Outside {
                open = Some(WordSpan {
                    words: w..w + 1,
                    ty: tag.ty,
                    score: p,
                });
            }
            if matches!(tag.role, Role::End | Role::Single) {
                if let Some(o) = open.take() {
                    out.push(o);
                }
            }
        }
        out.extend(open);
        out
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn iob() -> LabelSet {
        LabelSet::from_labels(&["O", "B-PER", "I-PER", "B-LOC", "I-LOC"])
    }

    /// One-hot-ish rows: the named label gets `p`, the rest share `1 - p`.
    fn rows(set: &LabelSet, labels: &[(&str, f32)], names: &[&str]) -> Vec<f32> {
        let mut out = Vec::new();
        for (label, p) in labels {
            let k = names.iter().position(|n| n == label).unwrap();
            let rest = (1.0 - p) / (set.len() - 1) as f32;
            out.extend((0..set.len()).map(|j| if j == k { *p } else { rest }));
        }
        out
    }

    #[test]
    fn schemes_are_recognised() {
        let s = iob();
        assert_eq!(s.types, ["PER", "LOC"]);
        assert!(!s.closed);
        assert_eq!(
            s.tags[2],
            Tag {
                role: Role::Inside,
                ty: 0
            }
        );
        let b = LabelSet::from_labels(&["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG"]);
        assert!(b.closed);
        let p = LabelSet::from_labels(&["O", "PER", "LOC"]);
        assert_eq!(p.tags[1].role, Role::Plain);
        let mut m = BTreeMap::new();
        m.insert("1".to_string(), "B-X".to_string());
        m.insert("0".to_string(), "O".to_string());
        assert_eq!(
            LabelSet::from_id2label(&m).unwrap().tags[1].role,
            Role::Begin
        );
        m.insert("7".to_string(), "I-X".to_string());
        assert!(LabelSet::from_id2label(&m).unwrap_err().contains("`7`"));
    }

    #[test]
    fn viterbi_repairs_an_inside_after_outside() {
        let names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        let s = iob();
        // Argmax would say O I-PER I-PER: the decoder must start the entity properly.
        let probs = rows(&s, &[("O", 0.9), ("I-PER", 0.6), ("I-PER", 0.9)], &names);
        let spans = s.decode(&probs, 3);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].words, 1..3);
        assert_eq!(s.types[spans[0].ty], "PER");
        assert!(spans[0].score < 0.6);
    }

    #[test]
    fn adjacent_entities_and_scores() {
        let names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        let s = iob();
        let probs = rows(
            &s,
            &[("B-PER", 0.8), ("I-PER", 0.7), ("B-LOC", 0.95), ("O", 0.9)],
            &names,
        );
        let spans = s.decode(&probs, 4);
        assert_eq!(spans.len(), 2);
        assert_eq!((spans[0].words.clone(), spans[0].ty), (0..2, 0));
        assert!((spans[0].score - 0.7).abs() < 1e-6);
        assert_eq!((spans[1].words.clone(), spans[1].ty), (2..3, 1));
    }

    #[test]
    fn bilou_must_close_and_plain_runs_merge() {
        let names = ["O", "B-ORG", "I-ORG", "L-ORG", "U-ORG"];
        let s = LabelSet::from_labels(&names);
        // B-ORG then O would leave the entity open: the decoder picks a closed reading.
        let probs = rows(&s, &[("B-ORG", 0.5), ("O", 0.6)], &names);
        let spans = s.decode(&probs, 2);
        assert!(spans
            .iter()
            .all(|sp| sp.words == (0..1) || sp.words == (0..2)));
        let plain = LabelSet::from_labels(&["O", "PER"]);
        let probs = [0.1, 0.9, 0.2, 0.8, 0.9, 0.1];
        let spans = plain.decode(&probs, 3);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].words, 0..2);
    }

    #[test]
    fn unseen_words_count_as_outside() {
        let s = iob();
        let names = ["O", "B-PER", "I-PER", "B-LOC", "I-LOC"];
        let mut probs = rows(&s, &[("B-PER", 0.9)], &names);
        probs.extend([0.0; 5]);
        let spans = s.decode(&probs, 2);
        assert_eq!(spans.len(), 1);
        assert_eq!(spans[0].words, 0..1);
        assert!(s.decode(&[], 0).is_empty());
    }
}
