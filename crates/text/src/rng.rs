//! Small seeded generators for reproducible shuffling of training examples. Retraining gives
//! byte-identical models only if every trainer keeps its generator, so there are two:
//!
//! * [`SplitMix`]: `caveat-ner` (sentences each epoch, documents into jackknife folds);
//! * [`XorShift`]: `caveat-hedge` (seeded with `seed | 1`) and `caveat-attribution`'s trainer.
//!
//! Both shuffle the same way (Fisher–Yates from the back, `j = next % (i + 1)`).

use crate::hash::{fmix64, GOLDEN};

/// A SplitMix-style generator: a Weyl sequence (step [`GOLDEN`]) through the MurmurHash3
/// finalizer [`fmix64`] (not the finalizer of Vigna's SplitMix64).
#[derive(Clone, Debug)]
pub struct SplitMix(u64);

impl SplitMix {
    /// A generator starting from `seed` (any value, 0 included).
    pub fn new(seed: u64) -> SplitMix {
        SplitMix(seed)
    }

    /// The next value.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(GOLDEN);
        fmix64(self.0)
    }

    /// Shuffle `v` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        shuffle(v, || self.next_u64());
    }
}

/// Marsaglia's xorshift64 (shifts 13, 7, 17); the value is the state.
#[derive(Clone, Debug)]
pub struct XorShift(u64);

impl XorShift {
    /// A generator with state `seed`. A zero seed stays zero forever: callers pass a non-zero
    /// one (`caveat-hedge` uses `seed | 1`).
    pub fn new(seed: u64) -> XorShift {
        XorShift(seed)
    }

    /// The next value.
    #[inline]
    pub fn next_u64(&mut self) -> u64 {
        self.0 ^= self.0 << 13;
        self.0 ^= self.0 >> 7;
        self.0 ^= self.0 << 17;
        self.0
    }

    /// Shuffle `v` in place (Fisher–Yates).
    pub fn shuffle<T>(&mut self, v: &mut [T]) {
        shuffle(v, || self.next_u64());
    }
}

fn shuffle<T>(v: &mut [T], mut next: impl FnMut() -> u64) {
    for i in (1..v.len()).rev() {
        let j = (next() % (i as u64 + 1)) as usize;
        v.swap(i, j);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn splitmix_matches_the_ner_trainer() {
        // Computed with crates/ner/src/hash.rs as of commit 3e5e8b8.
        let mut r = SplitMix::new(1);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                0xe5fd_c025_e13e_eed5,
                0xe850_28e6_b31f_8e7a,
                0xa288_ccdc_2664_74e3
            ]
        );
        let mut v: Vec<u32> = (0..10).collect();
        SplitMix::new(7).shuffle(&mut v);
        assert_eq!(v, [6, 2, 9, 8, 4, 3, 7, 0, 5, 1]);
    }

    #[test]
    fn xorshift_matches_the_hedge_and_attribution_trainers() {
        // Computed with the inline shuffles of crates/hedge/src/train.rs and
        // crates/attribution/examples/polnear_train.rs as of commit 3e5e8b8.
        let mut r = XorShift::new(0x5eed | 1);
        let got: Vec<u64> = (0..3).map(|_| r.next_u64()).collect();
        assert_eq!(
            got,
            [
                0x0000_1794_81ea_4510,
                0xc7ba_5713_31ee_d59a,
                0x8edb_ec5a_ebe9_2eb1
            ]
        );
        let mut v: Vec<u32> = (0..10).collect();
        XorShift::new(0x2545_f491_4f6c_dd1d).shuffle(&mut v);
        assert_eq!(v, [3, 4, 9, 6, 2, 8, 5, 7, 0, 1]);
    }

    #[test]
    fn shuffles_are_permutations() {
        let mut v: Vec<u32> = (0..50).collect();
        SplitMix::new(0).shuffle(&mut v);
        let mut w: Vec<u32> = (0..50).collect();
        XorShift::new(1).shuffle(&mut w);
        assert_ne!(v, w);
        for mut x in [v, w] {
            assert_ne!(x, (0..50).collect::<Vec<_>>());
            x.sort_unstable();
            assert_eq!(x, (0..50).collect::<Vec<_>>());
        }
        let mut empty: [u8; 0] = [];
        SplitMix::new(3).shuffle(&mut empty);
        let mut one = [9];
        XorShift::new(3).shuffle(&mut one);
        assert_eq!(one, [9]);
    }
}
