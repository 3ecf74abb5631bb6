//! The 64-bit hash functions of caveat: one home for three families whose outputs are baked
//! into shipped model files or shipped behaviour, so none of them may ever change.
//!
//! | family | functions | who depends on the exact values |
//! |---|---|---|
//! | key hash | [`hash_bytes`], [`hash_str`], [`mix64`], [`fmix64`] | `caveat-ner` model files (feature, gazetteer and cluster keys) and its training shuffle ([`SplitMix`](crate::rng::SplitMix)) |
//! | FNV-1a | [`fnv1a`], [`Fnv1a`], [`fnv_mix`], [`fnv_word_hash`] | `caveat-attribution-model 1` files (weight-table indices of hashed features); the footer of each `caveat run --shard K/N` part (`pipeline_hash`: [`fnv1a`] of the pipeline file, compared by `caveat merge`) |
//! | Fx | [`FxHasher`], [`fx_step`], [`fx_hash_str`] | `caveat-hedge` tagger: feature hashes of the weights it loads (its files store feature strings, so the values matter only through collisions), and its in-memory maps |
//!
//! [`PassThrough`] / [`HashedMap`] key hash maps by values that already are good hashes.
//! Every function is pinned by test vectors computed with the code each crate shipped.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// 2^64 / φ, the odd constant of the key hash and of [`SplitMix`](crate::rng::SplitMix).
pub const GOLDEN: u64 = 0x9E37_79B9_7F4A_7C15;

// ---------------------------------------------------------------------------------------------
// Key hash (caveat-ner)
// ---------------------------------------------------------------------------------------------

/// The MurmurHash3 finalizer (fmix64): spreads every input bit over the output.
///
/// Key hash family: finalizes [`hash_bytes`] and `caveat-ner`'s feature keys.
#[inline]
pub fn fmix64(mut h: u64) -> u64 {
    h ^= h >> 33;
    h = h.wrapping_mul(0xff51_afd7_ed55_8ccd);
    h ^= h >> 33;
    h = h.wrapping_mul(0xc4ce_b9fe_1a85_ec53);
    h ^= h >> 33;
    h
}

/// Combine a running hash `h` with one more 64-bit value `x` (not finalized: apply
/// [`fmix64`] to the last result).
///
/// Key hash family: `caveat-ner` builds its feature keys (template id and word hashes),
/// gazetteer sequence keys and word shapes with it.
#[inline]
pub fn mix64(h: u64, x: u64) -> u64 {
    (h.rotate_left(23) ^ x)
        .wrapping_mul(GOLDEN)
        .wrapping_add(0x632B_E59B_D9B4_E019)
}

/// Hash of a byte string, 8 bytes at a time (little-endian, the last chunk zero-padded; the
/// length is part of the seed, so `"ab"` and `"ab\0"` differ).
///
/// Key hash family: the word, prefix and suffix hashes of `caveat-ner`'s features.
#[inline]
pub fn hash_bytes(bytes: &[u8]) -> u64 {
    let mut h = 0x243F_6A88_85A3_08D3u64 ^ (bytes.len() as u64).wrapping_mul(GOLDEN);
    let mut chunks = bytes.chunks_exact(8);
    for c in &mut chunks {
        let mut b = [0u8; 8];
        b.copy_from_slice(c);
        h = mix64(h, u64::from_le_bytes(b));
    }
    let rest = chunks.remainder();
    if !rest.is_empty() {
        let mut b = [0u8; 8];
        b[..rest.len()].copy_from_slice(rest);
        h = mix64(h, u64::from_le_bytes(b));
    }
    fmix64(h)
}

/// [`hash_bytes`] of a string's UTF-8 bytes.
#[inline]
pub fn hash_str(s: &str) -> u64 {
    hash_bytes(s.as_bytes())
}

// ---------------------------------------------------------------------------------------------
// FNV-1a (caveat-attribution, caveat-cli's shard parts)
// ---------------------------------------------------------------------------------------------

const FNV_OFFSET: u64 = 0xcbf2_9ce4_8422_2325;
/// The 64-bit FNV prime.
pub const FNV_PRIME: u64 = 0x0000_0100_0000_01b3;

/// A running 64-bit FNV-1a hash (byte at a time). As a [`Hasher`] it hashes exactly the bytes
/// written (`write_u64` and friends write their native-endian bytes).
///
/// FNV-1a family: [`fnv1a`] and [`fnv_word_hash`].
#[derive(Clone, Copy, Debug)]
pub struct Fnv1a(u64);

impl Default for Fnv1a {
    fn default() -> Self {
        Fnv1a(FNV_OFFSET)
    }
}

impl Fnv1a {
    /// A hash of nothing yet (the FNV offset basis).
    #[inline]
    pub fn new() -> Fnv1a {
        Fnv1a::default()
    }

    /// Feed one byte.
    #[inline]
    pub fn byte(&mut self, b: u8) {
        self.0 ^= u64::from(b);
        self.0 = self.0.wrapping_mul(FNV_PRIME);
    }

    /// Feed bytes.
    #[inline]
    pub fn bytes(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.byte(b);
        }
    }

    /// The hash of what was fed.
    #[inline]
    pub fn value(&self) -> u64 {
        self.0
    }
}

impl Hasher for Fnv1a {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.bytes(bytes);
    }
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
}

/// 64-bit FNV-1a of `bytes`.
///
/// FNV-1a family: a shard part's footer (`caveat run --shard K/N`) holds `fnv1a` of the
/// pipeline file's bytes, and `caveat merge` refuses parts whose hashes differ.
#[inline]
pub fn fnv1a(bytes: &[u8]) -> u64 {
    let mut h = Fnv1a::new();
    h.bytes(bytes);
    h.value()
}

/// Mix a value `b` into a hash `a` with an avalanche (`(a ^ b.rotl(29)) * GOLDEN`, then
/// `x ^ x >> 31`), so that the top bits are well mixed.
///
/// FNV-1a family: `caveat-attribution-model 1` indexes its weight tables by the top bits of
/// feature hashes built with it (template id times [`FNV_PRIME`], then word hashes).
#[inline]
pub fn fnv_mix(a: u64, b: u64) -> u64 {
    let x = (a ^ b.rotate_left(29)).wrapping_mul(GOLDEN);
    x ^ (x >> 31)
}

/// Hash of a word after lower-casing and turning `’` and `‘` into `'`
/// ([`Apostrophes::Quotes`](crate::normalize::Apostrophes::Quotes): U+02BC is *not* folded),
/// i.e. FNV-1a of [`lowercase`](crate::normalize::lowercase)`(s, Quotes)`, finished with
/// [`fnv_mix`] so that the top bits are well mixed. Allocation-free.
///
/// FNV-1a family: the word hash of `caveat-attribution` (cue lexicon and every word feature
/// of `caveat-attribution-model 1` files).
#[inline]
pub fn fnv_word_hash(s: &str) -> u64 {
    use crate::normalize::{fold_char, Apostrophes};
    let mut h = Fnv1a::new();
    for c in s.chars() {
        if c.is_ascii() {
            h.byte(c.to_ascii_lowercase() as u8);
        } else {
            let mut buf = [0u8; 4];
            for l in fold_char(c, Apostrophes::Quotes) {
                h.bytes(l.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
    fnv_mix(h.value(), 0x51_7cc1_b727_220a)
}

// ---------------------------------------------------------------------------------------------
// Fx (caveat-hedge)
// ---------------------------------------------------------------------------------------------

const FX_SEED: u64 = 0x51_7c_c1_b7_27_22_0a_95;

/// One step of the Fx hash: `(h.rotl(5) ^ word) * 0x517cc1b727220a95`.
///
/// Fx family: `caveat-hedge` derives a feature's per-domain hash as
/// `fx_step(fx_hash_str(feature), domain + 1)`.
#[inline]
pub fn fx_step(h: u64, word: u64) -> u64 {
    (h.rotate_left(5) ^ word).wrapping_mul(FX_SEED)
}

/// The Fx hash (rustc's) as a [`Hasher`]: fast, not DoS-resistant, for keys the user controls.
/// `write` takes 8 bytes at a time (little-endian, the last chunk zero-padded).
#[derive(Default, Clone, Copy, Debug)]
pub struct FxHasher {
    hash: u64,
}

impl Hasher for FxHasher {
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        let mut chunks = bytes.chunks_exact(8);
        for c in &mut chunks {
            let mut b = [0u8; 8];
            b.copy_from_slice(c);
            self.hash = fx_step(self.hash, u64::from_le_bytes(b));
        }
        let rest = chunks.remainder();
        if !rest.is_empty() {
            let mut b = [0u8; 8];
            b[..rest.len()].copy_from_slice(rest);
            self.hash = fx_step(self.hash, u64::from_le_bytes(b));
        }
    }

    #[inline]
    fn write_u8(&mut self, i: u8) {
        self.hash = fx_step(self.hash, i as u64);
    }

    #[inline]
    fn write_usize(&mut self, i: usize) {
        self.hash = fx_step(self.hash, i as u64);
    }

    #[inline]
    fn finish(&self) -> u64 {
        self.hash
    }
}

/// `BuildHasher` for [`FxHasher`] (for `HashMap`s and `HashSet`s).
pub type FxBuildHasher = BuildHasherDefault<FxHasher>;

/// [`FxHasher`] of exactly the bytes of `s` (no length or terminator, unlike `str`'s `Hash`).
///
/// Fx family: `caveat-hedge`'s hash of a feature string.
#[inline]
pub fn fx_hash_str(s: &str) -> u64 {
    let mut h = FxHasher::default();
    h.write(s.as_bytes());
    h.finish()
}

// ---------------------------------------------------------------------------------------------
// Maps keyed by hashes
// ---------------------------------------------------------------------------------------------

/// A [`Hasher`] for `u64` keys that already are good hashes: it passes them through
/// (any other key falls back to [`hash_bytes`] of its bytes).
#[derive(Default, Clone, Copy, Debug)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    #[inline]
    fn finish(&self) -> u64 {
        self.0
    }
    #[inline]
    fn write(&mut self, bytes: &[u8]) {
        self.0 = hash_bytes(bytes);
    }
    #[inline]
    fn write_u64(&mut self, i: u64) {
        self.0 = i;
    }
}

/// A map keyed by pre-hashed 64-bit keys.
pub type HashedMap<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

#[cfg(test)]
mod tests {
    use super::*;
    use std::hash::BuildHasher;

    /// Strings of every chunking case (empty, short, 8 bytes, 9 bytes) and non-ASCII text.
    const WORDS: [&str; 10] = [
        "",
        "a",
        "Paris",
        "abcdefgh",
        "abcdefgh\0",
        "Reuters said",
        "w|said|n1|that",
        "DON\u{2019}T",
        "ÉTÉ",
        "don\u{02BC}t",
    ];

    #[test]
    fn key_hash_matches_the_values_caveat_ner_models_store() {
        // Computed with crates/ner/src/hash.rs as of commit 3e5e8b8.
        let want: [u64; 10] = [
            0x7acd_bb98_b134_4213,
            0xb6cc_4baf_a4a8_545a,
            0x60f6_7d84_b348_53ff,
            0x1ae4_ec0a_de1c_06e7,
            0x1379_5b38_6bd1_d797,
            0xaa44_b66e_c07b_753e,
            0xbeb3_2f02_d61e_2017,
            0x3e37_b21f_a2ca_1c5a,
            0x1752_1eba_1604_f1ce,
            0x39da_25e1_5f2e_70bd,
        ];
        for (w, h) in WORDS.iter().zip(want) {
            assert_eq!(hash_str(w), h, "hash_str({w:?})");
            assert_eq!(hash_bytes(w.as_bytes()), h);
        }
        assert_eq!(mix64(1, 2), 0x7c5a_7e4c_e2c9_d843);
        assert_eq!(mix64(0x0005_EED0_F5E9, 42), 0xd083_2b8e_ca6d_3b8b);
        assert_eq!(fmix64(1), 0xb456_bcfc_34c2_cb2c);
        assert_eq!(fmix64(0x51), 0x8c8f_017c_7c7e_3c22);
        assert_ne!(mix64(1, 2), mix64(2, 1));
    }

    #[test]
    fn fnv_matches_attribution_models_and_part_footers() {
        // Computed with crates/attribution/src/model.rs and crates/pipeline/src/runner.rs (which
        // then sharded records by the hash of their id) as of commit 3e5e8b8.
        let fnv: [u64; 10] = [
            0xcbf2_9ce4_8422_2325,
            0xaf63_dc4c_8601_ec8c,
            0xcbb5_7d0e_13c0_3ee0,
            0x25da_8c18_36a8_d66d,
            0xfb32_7a24_e0e4_5b37,
            0xb052_de5f_b127_eb70,
            0xda52_bb50_66c3_36e9,
            0xe5a5_a7d3_630c_6ce1,
            0xef7a_ce03_27df_5d37,
            0x8fd5_686a_1362_392c,
        ];
        let word: [u64; 10] = [
            0xd314_4c17_493e_0fac,
            0x0f79_c7b0_5fcf_3fc4,
            0xafd1_7ad2_f23d_555f,
            0x07ef_78f7_779d_dcf7,
            0x209d_1291_7e90_7379,
            0x9f55_65f6_8535_8647,
            0x07d5_e09b_0fd0_1373,
            0xb6e2_0cce_7f8e_ef47,
            0x8109_8255_eb9e_d352,
            0xa57b_b763_5466_6200,
        ];
        for ((w, f), wh) in WORDS.iter().zip(fnv).zip(word) {
            assert_eq!(fnv1a(w.as_bytes()), f, "fnv1a({w:?})");
            assert_eq!(fnv_word_hash(w), wh, "fnv_word_hash({w:?})");
        }
        assert_eq!(fnv_mix(1, 2), 0xfe0a_18bf_435e_4d68);
        assert_eq!(
            fnv_mix(23u64.wrapping_mul(FNV_PRIME), 7),
            0x6e9f_4e2e_f73d_fce5
        );
        // The word hash folds case and typographic quotes, not U+02BC.
        assert_eq!(fnv_word_hash("Said"), fnv_word_hash("said"));
        assert_eq!(fnv_word_hash("don\u{2019}t"), fnv_word_hash("don't"));
        assert_eq!(fnv_word_hash("\u{2018}Tis"), fnv_word_hash("'tis"));
        assert_eq!(fnv_word_hash("ÉTÉ"), fnv_word_hash("été"));
        assert_ne!(fnv_word_hash("don\u{02BC}t"), fnv_word_hash("don't"));
        assert_ne!(fnv_word_hash("said"), fnv_word_hash("says"));
        // Fed as a Hasher, Fnv1a hashes exactly the bytes written.
        let mut h = Fnv1a::new();
        h.write(b"Par");
        h.write(b"is");
        assert_eq!(h.finish(), fnv1a(b"Paris"));
    }

    #[test]
    fn fx_matches_the_hedge_tagger() {
        // Computed with crates/hedge/src/fxhash.rs and tagger.rs as of commit 3e5e8b8.
        let want: [u64; 10] = [
            0x0000_0000_0000_0000,
            0xe045_6665_d3e6_0275,
            0xb34a_137e_f3ff_c390,
            0xe223_7c76_2792_0c75,
            0x601a_b7ef_28b3_6b6c,
            0xdc7b_6652_3e5a_dfdd,
            0xa844_ec49_b2fb_b20e,
            0x3d81_4af0_a9b4_ca94,
            0xd9d2_016b_fe7b_cc7f,
            0xd819_0be9_29e8_bd34,
        ];
        for (w, h) in WORDS.iter().zip(want) {
            assert_eq!(fx_hash_str(w), h, "fx_hash_str({w:?})");
        }
        assert_eq!(fx_step(fx_hash_str("w|may"), 1), 0xabd7_904b_70ad_d384);
        assert_eq!(fx_step(fx_hash_str("w|may"), 2), 0xa04d_d570_e613_f343);
        // As a map hasher: str keys (bytes, then 0xff) and u64 keys.
        let b = FxBuildHasher::default();
        assert_eq!(b.hash_one("may"), 0x72ba_03f4_24a0_747b);
        assert_eq!(b.hash_one(42u64), 0x5e77_c80c_6b95_bc72);
    }

    #[test]
    fn pass_through_keeps_u64_keys() {
        let b = BuildHasherDefault::<PassThrough>::default();
        assert_eq!(b.hash_one(0x1234_5678_9abc_def0u64), 0x1234_5678_9abc_def0);
        let mut m: HashedMap<u8> = HashedMap::default();
        m.insert(hash_str("x"), 1);
        assert_eq!(m.get(&hash_str("x")), Some(&1));
        assert_eq!(m.get(&hash_str("y")), None);
    }
}
