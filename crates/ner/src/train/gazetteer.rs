//! The training gazetteer: entity names of the training data with per-label document
//! frequencies, names from an external list (e.g. GeoNames), the full gazetteer of the model,
//! and the view a training document sees: leave-one-document-out for the training names (so
//! it never finds its own entities), and each external name hidden from a seeded share of the
//! documents (dropout, so the tagger does not learn to trust the list blindly).

use caveat_text::hash::{hash_str, mix64, HashedMap};

use super::data::Doc;
use crate::features::{
    lower_hash, seq_key, seq_start, seq_step, GazLookup, Gazetteer, GAZ_MAX, GAZ_PREFIX,
};

/// Gazetteer document frequencies: key -> (prefix flag, per-label document counts); and the
/// external names: key -> label mask (with the prefix flag).
#[derive(Default)]
pub(super) struct GazCounts {
    pub(super) exact: HashedMap<(u16, [u16; 8])>,
    pub(super) lower: HashedMap<(u16, [u16; 8])>,
    pub(super) ext_exact: HashedMap<u16>,
    pub(super) ext_lower: HashedMap<u16>,
    /// Share of training documents each external name is hidden from.
    pub(super) ext_dropout: f32,
}

/// Add external names (token sequences of at most [`GAZ_MAX`] tokens, label index) to
/// `counts`; longer names are skipped. Returns how many were added.
pub(super) fn add_external(counts: &mut GazCounts, names: &[(Vec<String>, usize)]) -> usize {
    let mut buf = String::new();
    let mut added = 0;
    for (tokens, label) in names {
        if tokens.is_empty() || tokens.len() > GAZ_MAX {
            continue;
        }
        let (mut he, mut hl) = (seq_start(), seq_start());
        for (i, t) in tokens.iter().enumerate() {
            he = seq_step(he, hash_str(t));
            hl = seq_step(hl, lower_hash(t, &mut buf));
            let bit = if i + 1 < tokens.len() {
                GAZ_PREFIX
            } else {
                1 << label
            };
            *counts.ext_exact.entry(seq_key(he)).or_insert(0) |= bit;
            *counts.ext_lower.entry(seq_key(hl)).or_insert(0) |= bit;
        }
        added += 1;
    }
    added
}

/// Entity keys of one document: (exact, lower) key -> label mask.
pub(super) type OwnKeys = (HashedMap<u16>, HashedMap<u16>);

fn doc_gaz_keys(doc: &Doc, labels: &[String], buf: &mut String) -> (OwnKeys, Vec<u64>, Vec<u64>) {
    let mut own: OwnKeys = Default::default();
    let (mut pre_e, mut pre_l) = (Vec::new(), Vec::new());
    for (a, b, l) in &doc.spans {
        let Some(li) = labels.iter().position(|x| x == l) else {
            continue;
        };
        if b - a > GAZ_MAX {
            continue;
        }
        let (mut he, mut hl) = (seq_start(), seq_start());
        for i in *a..*b {
            he = seq_step(he, hash_str(&doc.tokens[i]));
            hl = seq_step(hl, lower_hash(&doc.tokens[i], buf));
            if i + 1 < *b {
                pre_e.push(seq_key(he));
                pre_l.push(seq_key(hl));
            }
        }
        *own.0.entry(seq_key(he)).or_insert(0) |= 1 << li;
        *own.1.entry(seq_key(hl)).or_insert(0) |= 1 << li;
    }
    (own, pre_e, pre_l)
}

/// Document frequencies of the training entities, and each document's own entity keys.
pub(super) fn count_entities(train: &[Doc], labels: &[String]) -> (GazCounts, Vec<OwnKeys>) {
    let mut buf = String::new();
    let mut counts = GazCounts::default();
    let mut owns: Vec<OwnKeys> = Vec::with_capacity(train.len());
    for doc in train {
        let (own, pre_e, pre_l) = doc_gaz_keys(doc, labels, &mut buf);
        for (map, own_map, pre) in [
            (&mut counts.exact, &own.0, &pre_e),
            (&mut counts.lower, &own.1, &pre_l),
        ] {
            for (&k, &m) in own_map {
                let e = map.entry(k).or_insert((0, [0; 8]));
                for l in 0..8 {
                    if m & (1 << l) != 0 {
                        e.1[l] += 1;
                    }
                }
            }
            for &k in pre {
                map.entry(k).or_insert((0, [0; 8])).0 |= GAZ_PREFIX;
            }
        }
        owns.push(own);
    }
    (counts, owns)
}

/// The model's gazetteer: every training entity name and external name (and name prefix)
/// with its labels.
pub(super) fn full_gazetteer(counts: &GazCounts) -> Gazetteer {
    let mut gaz = Gazetteer::default();
    for (src, dst) in [
        (&counts.ext_exact, &mut gaz.exact),
        (&counts.ext_lower, &mut gaz.lower),
    ] {
        for (&k, &m) in src {
            *dst.entry(k).or_insert(0) |= m;
        }
    }
    for (src, dst) in [
        (&counts.exact, &mut gaz.exact),
        (&counts.lower, &mut gaz.lower),
    ] {
        for (&k, (pf, df)) in src {
            let mut m = *pf;
            for (l, &c) in df.iter().enumerate() {
                if c > 0 {
                    m |= 1 << l;
                }
            }
            *dst.entry(k).or_insert(0) |= m;
        }
    }
    gaz
}

/// Leave-one-document-out view of the gazetteer for a training document.
pub(super) struct Loo<'a> {
    pub(super) counts: &'a GazCounts,
    pub(super) own: &'a OwnKeys,
    /// The document's index (seeds which external names it does not see).
    pub(super) doc: usize,
}

impl Loo<'_> {
    /// The external label mask of `key`, unless this document is one the name is hidden from.
    fn external(&self, map: &HashedMap<u16>, key: u64) -> u16 {
        let Some(&m) = map.get(&key) else {
            return 0;
        };
        // A uniform draw per (document, name), the same for every occurrence in the document.
        let u = (mix64(self.doc as u64, key) >> 40) as f32 / (1u64 << 24) as f32;
        if u < self.counts.ext_dropout {
            0
        } else {
            m
        }
    }
}

fn loo_mask(entry: Option<&(u16, [u16; 8])>, own: u16) -> u16 {
    match entry {
        None => 0,
        Some((pf, df)) => {
            let mut m = *pf;
            for (l, &c) in df.iter().enumerate() {
                if c > ((own >> l) & 1) {
                    m |= 1 << l;
                }
            }
            m
        }
    }
}

impl GazLookup for Loo<'_> {
    fn exact(&self, key: u64) -> u16 {
        loo_mask(
            self.counts.exact.get(&key),
            self.own.0.get(&key).copied().unwrap_or(0),
        ) | self.external(&self.counts.ext_exact, key)
    }
    fn lower(&self, key: u64) -> u16 {
        loo_mask(
            self.counts.lower.get(&key),
            self.own.1.get(&key).copied().unwrap_or(0),
        ) | self.external(&self.counts.ext_lower, key)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gazetteer_hides_a_documents_own_entities() {
        let labels = vec!["LOC".to_string(), "PER".to_string()];
        let doc = |names: &[(&str, &str)]| Doc {
            tokens: names.iter().map(|(w, _)| w.to_string()).collect(),
            sents: std::iter::once(0..names.len()).collect(),
            gold: Vec::new(),
            spans: names
                .iter()
                .enumerate()
                .filter(|(_, (_, l))| !l.is_empty())
                .map(|(i, (_, l))| (i, i + 1, l.to_string()))
                .collect(),
            weight: 1.0,
        };
        // "Paris" is a LOC in two documents, "Smith" a PER in one.
        let docs = [
            doc(&[("Paris", "LOC"), ("Smith", "PER")]),
            doc(&[("Paris", "LOC"), ("rain", "")]),
        ];
        let mut buf = String::new();
        let mut counts = GazCounts::default();
        let mut owns = Vec::new();
        for d in &docs {
            let (own, _, _) = doc_gaz_keys(d, &labels, &mut buf);
            for (&k, &m) in &own.0 {
                let e = counts.exact.entry(k).or_insert((0, [0; 8]));
                for l in 0..2 {
                    if m & (1 << l) != 0 {
                        e.1[l] += 1;
                    }
                }
            }
            owns.push(own);
        }
        let key = |w: &str| seq_key(seq_step(seq_start(), hash_str(w)));
        let view = |d: usize| Loo {
            counts: &counts,
            own: &owns[d],
            doc: d,
        };
        // Document 0 still sees Paris (document 1 has it) but not its own Smith.
        assert_eq!(view(0).exact(key("Paris")), 1);
        assert_eq!(view(0).exact(key("Smith")), 0);
        // Document 1 sees Smith from document 0.
        assert_eq!(view(1).exact(key("Smith")), 2);
        assert_eq!(view(1).exact(key("rain")), 0);
    }

    #[test]
    fn external_names_are_hidden_from_a_seeded_share_of_documents() {
        let mut counts = GazCounts {
            ext_dropout: 0.3,
            ..Default::default()
        };
        let names = vec![
            (vec!["Buenos".to_string(), "Aires".to_string()], 0),
            (vec!["x".to_string(); GAZ_MAX + 1], 0),
        ];
        assert_eq!(
            add_external(&mut counts, &names),
            1,
            "too long a name is skipped"
        );
        let mut buf = String::new();
        let key = |ws: &[&str], lower: bool, buf: &mut String| {
            let mut h = seq_start();
            for w in ws {
                h = seq_step(
                    h,
                    if lower {
                        lower_hash(w, buf)
                    } else {
                        hash_str(w)
                    },
                );
            }
            seq_key(h)
        };
        let full = key(&["Buenos", "Aires"], false, &mut buf);
        let prefix = key(&["Buenos"], false, &mut buf);
        let gaz = full_gazetteer(&counts);
        assert_eq!(gaz.exact.get(&full), Some(&1));
        assert_eq!(gaz.exact.get(&prefix), Some(&GAZ_PREFIX));
        assert_eq!(
            gaz.lower.get(&key(&["buenos", "aires"], true, &mut buf)),
            Some(&1)
        );

        let own = OwnKeys::default();
        let seen = (0..10_000)
            .filter(|&doc| {
                let view = Loo {
                    counts: &counts,
                    own: &own,
                    doc,
                };
                let m = view.exact(full);
                assert_eq!(m, view.exact(full), "the same answer within a document");
                m == 1
            })
            .count();
        assert!(
            (6_700..7_300).contains(&seen),
            "{seen} of 10000 documents see it"
        );
    }
}
