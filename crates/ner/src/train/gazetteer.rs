//! The training gazetteer: entity names of the training data with per-label document
//! frequencies, the full gazetteer of the model, and the leave-one-document-out view a
//! training document sees (so it never finds its own entities).

use caveat_text::hash::{hash_str, HashedMap};

use super::data::Doc;
use crate::features::{
    lower_hash, seq_key, seq_start, seq_step, GazLookup, Gazetteer, GAZ_MAX, GAZ_PREFIX,
};

/// Gazetteer document frequencies: key -> (prefix flag, per-label document counts).
#[derive(Default)]
pub(super) struct GazCounts {
    pub(super) exact: HashedMap<(u16, [u16; 8])>,
    pub(super) lower: HashedMap<(u16, [u16; 8])>,
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

/// The model's gazetteer: every training entity name (and name prefix) with its labels.
pub(super) fn full_gazetteer(counts: &GazCounts) -> Gazetteer {
    let mut gaz = Gazetteer::default();
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
            dst.insert(k, m);
        }
    }
    gaz
}

/// Leave-one-document-out view of the gazetteer for a training document.
pub(super) struct Loo<'a> {
    pub(super) counts: &'a GazCounts,
    pub(super) own: &'a OwnKeys,
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
        )
    }
    fn lower(&self, key: u64) -> u16 {
        loo_mask(
            self.counts.lower.get(&key),
            self.own.1.get(&key).copied().unwrap_or(0),
        )
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
        };
        // Document 0 still sees Paris (document 1 has it) but not its own Smith.
        assert_eq!(view(0).exact(key("Paris")), 1);
        assert_eq!(view(0).exact(key("Smith")), 0);
        // Document 1 sees Smith from document 0.
        assert_eq!(view(1).exact(key("Smith")), 2);
        assert_eq!(view(1).exact(key("rain")), 0);
    }
}
