//! The weight table: feature weights in a compact open-addressing hash table of dense
//! per-tag rows (lookup and row addition; the file layout is in `format`).

/// Feature weights in an open-addressing hash table.
///
/// Slots are 8 bytes: the high 32 bits of the feature key (a fingerprint; the low bits pick
/// the slot) and 1 + the feature's row number; 0 marks an empty slot. Rows hold one weight
/// per tag (dense, so adding a row is a branch-free vector add; files store only the non-zero
/// weights). Two keys that share a probe chain and the fingerprint would be confused; with
/// 64-bit hashed keys that has probability ~2^-32 per lookup of an unknown feature, far
/// below any effect on accuracy.
#[derive(Clone, Debug, Default)]
pub(crate) struct Table {
    slots: Vec<u64>,
    mask: usize,
    /// Keys in row order.
    pub(super) keys: Vec<u64>,
    /// Row `r` is `weights[r * nt..(r + 1) * nt]`.
    pub(super) weights: Vec<f32>,
    pub(super) nt: usize,
}

impl Table {
    /// Build from `(key, weights per tag)` rows of `nt` weights; all-zero rows are dropped.
    #[cfg(any(test, feature = "train"))]
    pub(crate) fn build<'a>(nt: usize, rows: impl Iterator<Item = (u64, &'a [f32])>) -> Table {
        let mut keys = Vec::new();
        let mut weights = Vec::new();
        for (key, w) in rows {
            if w.iter().any(|&v| v != 0.0) {
                keys.push(key);
                weights.extend_from_slice(&w[..nt]);
            }
        }
        Table::from_rows(nt, keys, weights)
    }

    pub(super) fn from_rows(nt: usize, keys: Vec<u64>, weights: Vec<f32>) -> Table {
        // Load factor 0.375–0.75: half the slots of a 2x table, so more of it stays in cache.
        let cap = (keys.len() * 4 / 3 + 1).next_power_of_two().max(16);
        let mut slots = vec![0u64; cap];
        let mask = cap - 1;
        for (r, &key) in keys.iter().enumerate() {
            let mut i = (key as usize) & mask;
            while slots[i] != 0 {
                i = (i + 1) & mask;
            }
            slots[i] = (key & 0xFFFF_FFFF_0000_0000) | (r as u64 + 1);
        }
        Table {
            slots,
            mask,
            keys,
            weights,
            nt,
        }
    }

    /// Number of rows.
    pub(crate) fn rows(&self) -> usize {
        self.keys.len()
    }

    /// The row of feature `key`, or `u32::MAX`.
    #[inline]
    pub(super) fn find(&self, key: u64) -> u32 {
        let fp = key & 0xFFFF_FFFF_0000_0000;
        let mut i = (key as usize) & self.mask;
        loop {
            let s = self.slots[i];
            if s == 0 {
                return u32::MAX;
            }
            if s & 0xFFFF_FFFF_0000_0000 == fp {
                return s as u32 - 1;
            }
            i = (i + 1) & self.mask;
        }
    }

    /// Add the weights of row `r` to `scores`.
    #[inline]
    pub(super) fn add_row(&self, r: usize, scores: &mut [f32]) {
        let w = &self.weights[r * self.nt..(r + 1) * self.nt];
        for (a, b) in scores.iter_mut().zip(w) {
            *a += b;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn table_lookup_adds_packed_weights() {
        let rows: Vec<(u64, Vec<f32>)> = (0..1000u64)
            .map(|k| (k * 7919, vec![k as f32, 0.0, -1.0]))
            .collect();
        let t = Table::build(3, rows.iter().map(|(k, w)| (*k, w.as_slice())));
        assert_eq!(t.rows(), 1000);
        let mut s = [0.0f32; 3];
        t.add_row(t.find(5 * 7919) as usize, &mut s);
        assert_eq!(s, [5.0, 0.0, -1.0]);
        assert_eq!(t.find(123_456_789), u32::MAX);
    }
}
