//! Building blocks of the hashed perceptron features shared by the cue and source features:
//! feature ids from a template number and values, and distance buckets.

use caveat_text::hash::{fnv_mix, FNV_PRIME};

pub(super) const NONE_WORD: u64 = 0x7777_1234;

#[inline]
pub(super) fn f1(t: u64, a: u64) -> u64 {
    fnv_mix(t.wrapping_mul(FNV_PRIME), a)
}
#[inline]
pub(super) fn f2(t: u64, a: u64, b: u64) -> u64 {
    fnv_mix(f1(t, a), b)
}

pub(super) fn bucket(d: usize) -> u64 {
    match d {
        0..=3 => d as u64,
        4..=5 => 4,
        6..=8 => 5,
        9..=14 => 6,
        _ => 7,
    }
}
