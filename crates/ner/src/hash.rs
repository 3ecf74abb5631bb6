//! Allocation-free 64-bit hashing of feature strings and feature templates.
//!
//! Features are never materialised as strings: a feature key is a mix of a template id and
//! the hashes of the words (or shapes, clusters, ...) it combines. Keys are 64-bit, so
//! collisions among the ~10^6 features of a model are negligible (expected < 10^-7).

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

const K: u64 = 0x9E37_79B9_7F4A_7C15;

/// Finalizer of MurmurHash3 (fmix64): spreads every input bit over the output.
#[inline]
pub(crate) fn fmix(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// Combine a running hash with one more 64-bit value.
#[inline]
pub(crate) fn mix(h: u64, x: u64) -> u64 {
    (h.rotate_left(23) ^ x)
        .wrapping_mul(K)
        .wrapping_add(0x632B_E59B_D9B4_E019)
}

/// Hash a byte string (8 bytes at a time).
#[inline]
pub(crate) fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64 ^ (bytes.len() as u64).wrapping_mul(K);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = mix(h, u64::from_le_bytes(b));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = mix(h, u64::from_le_bytes(b));
    }
    fmix(h)
}

/// Hash of a string.
#[inline]
pub(crate) fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

/// A hasher for keys that already are good 64-bit hashes (it passes them through).
#[derive(Default, Clone, Copy)]
pub(crate) struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        // Only used for u64 keys; fall back to a real hash for anything else.
        self.0 = hash_bytes(bytes);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

/// A map keyed by pre-hashed 64-bit keys.
pub(crate) type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// Small seeded PRNG (SplitMix64) for reproducible shuffling.
#[derive(Clone, Debug)]
pub(crate) struct SplitMix(u64);

impl SplitMix {
    pub(crate) fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }
    pub(crate) fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(K);
        fmix(self.0)
    }
    /// Fisher–Yates shuffle.
    pub(crate) fn shuffle<T>(&mut self, v: &mut [T]) {
        for i in (1..v.len()).rev() {
            let j = (self.next_u64() % (i as u64 + 1)) as usize;
            v.swap(i, j);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn hashes_differ_and_are_stable() {
        assert_ne!(hash_str("Paris"), hash_str("paris"));
        assert_ne!(hash_str("abcdefgh"), hash_str("abcdefgh\0"));
        assert_eq!(hash_str("Reuters"), hash_str("Reuters"));
        assert_ne!(mix(1, 2), mix(2, 1));
        let mut r = SplitMix::new(7);
        let mut v: Vec<u32> = (0..50).collect();
        r.shuffle(&mut v);
        let mut s = v.clone();
        s.sort();
        assert_eq!(s, (0..50).collect::<Vec<_>>());
        assert_ne!(v, s);
    }
}
