//! One linear-chain layer of the tagger: feature set, weight table, transition scores and
//! gazetteer, and the emission scores of a sentence's feature keys.

use caveat_text::hash::HashedMap;

use super::table::Table;
use crate::decode::Transitions;
use crate::features::{FeatureSet, GazLookup, Gazetteer, Scratch};

/// One linear-chain layer: weights, transitions, features and gazetteer.
#[derive(Debug)]
pub(crate) struct Layer {
    pub(crate) feats: FeatureSet,
    pub(crate) table: Table,
    pub(crate) raw_trans: Vec<f32>,
    pub(crate) raw_start: Vec<f32>,
    pub(crate) raw_end: Vec<f32>,
    pub(crate) trans: Transitions,
    pub(crate) gaz: Gazetteer,
}

impl Layer {
    pub(crate) fn new(
        feats: FeatureSet,
        table: Table,
        nt: usize,
        trans: Vec<f32>,
        start: Vec<f32>,
        end: Vec<f32>,
        gaz: Gazetteer,
    ) -> Layer {
        let tr = Transitions::constrained(nt, &trans, &start, &end);
        Layer {
            feats,
            table,
            raw_trans: trans,
            raw_start: start,
            raw_end: end,
            trans: tr,
            gaz,
        }
    }

    /// Emission scores of the keys in `s.keys`/`s.offsets` into `s.em`.
    pub(super) fn emissions(&self, nt: usize, s: &mut Scratch) {
        let n = s.offsets.len() - 1;
        s.em.clear();
        s.em.resize(n * nt, 0.0);
        // Two phases: find every key's row first (independent loads the CPU can overlap),
        // then add the rows.
        s.rows.clear();
        s.rows.extend(s.keys.iter().map(|&k| self.table.find(k)));
        for i in 0..n {
            let row = &mut s.em[i * nt..(i + 1) * nt];
            for &r in &s.rows[s.offsets[i] as usize..s.offsets[i + 1] as usize] {
                if r != u32::MAX {
                    self.table.add_row(r as usize, row);
                }
            }
        }
    }
}

/// A map from keys to gazetteer masks, for building [`Gazetteer`]s.
pub(crate) type GazMap = HashedMap<u16>;

impl GazLookup for (&GazMap, &GazMap) {
    fn exact(&self, key: u64) -> u16 {
        self.0.get(&key).copied().unwrap_or(0)
    }
    fn lower(&self, key: u64) -> u16 {
        self.1.get(&key).copied().unwrap_or(0)
    }
}
