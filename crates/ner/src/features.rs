//! Feature extraction: every feature is a 64-bit key hashed from a template id and the
//! hashes of the values it combines; no feature string is ever built.
//!
//! Per token, the word-level values (word, lower case, shapes, affixes, clusters, gazetteer
//! and document flags) are computed once into a [`TokInfo`]; the window features of a token
//! then combine its own and its neighbours' values.

use std::ops::Range;

use caveat_text::hash::{fmix64, hash_bytes, hash_str, mix64, HashedMap};
use caveat_text::normalize::{self, Apostrophes};

/// Which optional feature groups a model uses (for ablations; stored in the model).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct FeatureSet {
    /// Word clusters from embeddings (needs a cluster table).
    pub clusters: bool,
    /// Gazetteer membership (built from the training data).
    pub gazetteer: bool,
    /// Document-level case evidence (how the word is written elsewhere in the document).
    pub doc: bool,
    /// Two-pass document consistency: labels a first-pass model gave the same word elsewhere
    /// in the document.
    pub stack: bool,
}

impl Default for FeatureSet {
    fn default() -> Self {
        FeatureSet {
            clusters: true,
            gazetteer: true,
            doc: true,
            stack: true,
        }
    }
}

impl FeatureSet {
    pub(crate) fn bits(self) -> u32 {
        self.clusters as u32
            | (self.gazetteer as u32) << 1
            | (self.doc as u32) << 2
            | (self.stack as u32) << 3
    }
    pub(crate) fn from_bits(b: u32) -> FeatureSet {
        FeatureSet {
            clusters: b & 1 != 0,
            gazetteer: b & 2 != 0,
            doc: b & 4 != 0,
            stack: b & 8 != 0,
        }
    }
}

/// Word clusters: lower-cased word hash -> cluster ids at several granularities.
#[derive(Debug, Default)]
pub struct Clusters {
    pub(crate) map: HashedMap<[u32; 4]>,
}

impl Clusters {
    /// Parse `word<TAB>id<TAB>id<TAB>id[<TAB>id]` lines (the word lower-cased).
    pub fn parse(text: &str) -> Result<Clusters, (usize, String)> {
        let mut map = HashedMap::default();
        map.reserve(text.len() / 24);
        for (i, line) in text.lines().enumerate() {
            if line.is_empty() {
                continue;
            }
            let mut parts = line.split('\t');
            let word = parts.next().unwrap_or_default();
            let mut ids = [u32::MAX; 4];
            let mut n = 0;
            for (slot, p) in ids.iter_mut().zip(parts) {
                *slot = p
                    .trim()
                    .parse()
                    .map_err(|_| (i + 1, format!("cluster id `{p}` is not a number")))?;
                n += 1;
            }
            if n == 0 {
                return Err((i + 1, "expected `word<TAB>cluster ids...`".to_string()));
            }
            map.insert(hash_str(word), ids);
        }
        Ok(Clusters { map })
    }

    /// Number of words.
    pub fn len(&self) -> usize {
        self.map.len()
    }

    /// Whether the table is empty.
    pub fn is_empty(&self) -> bool {
        self.map.is_empty()
    }
}

/// Gazetteer bit layout: bit `4 * label + pos` with pos B = 0, I = 1, L = 2, U = 3.
pub(crate) const GAZ_PREFIX: u16 = 1 << 15;

/// Looks up token-sequence keys in a gazetteer: returns a label mask (bit `l` = an entry of
/// label `l`), with [`GAZ_PREFIX`] set when the sequence is a proper prefix of some entry.
pub(crate) trait GazLookup {
    fn exact(&self, key: u64) -> u16;
    fn lower(&self, key: u64) -> u16;
}

/// The shipped gazetteer: entity strings of the training data (case-sensitive, and
/// lower-cased for all-caps sentences).
#[derive(Debug, Default, Clone)]
pub(crate) struct Gazetteer {
    pub(crate) exact: HashedMap<u16>,
    pub(crate) lower: HashedMap<u16>,
}

impl GazLookup for Gazetteer {
    #[inline]
    fn exact(&self, key: u64) -> u16 {
        self.exact.get(&key).copied().unwrap_or(0)
    }
    #[inline]
    fn lower(&self, key: u64) -> u16 {
        self.lower.get(&key).copied().unwrap_or(0)
    }
}

/// Maximum entity length (tokens) the gazetteer matches.
pub(crate) const GAZ_MAX: usize = 6;

const SEQ_SEED: u64 = 0x0005_EED0_F5E9;

/// Key of a token sequence from its token hashes.
#[inline]
pub(crate) fn seq_step(h: u64, tok: u64) -> u64 {
    mix64(h, tok)
}
#[inline]
pub(crate) fn seq_start() -> u64 {
    SEQ_SEED
}
#[inline]
pub(crate) fn seq_key(h: u64) -> u64 {
    fmix64(h)
}

/// Word-level values of one token.
#[derive(Clone, Copy, Debug, Default)]
pub(crate) struct TokInfo {
    pub(crate) word: u64,
    pub(crate) lower: u64,
    shape: u64,
    short: u64,
    pre: [u64; 4],
    suf: [u64; 4],
    nchars: u8,
    /// 0 no letters, 1 lower-initial, 2 upper-initial, 3 all upper (2+ letters).
    pub(crate) case: u8,
    clusters: [u32; 4],
    gaz: u32,
    gazl: u32,
    doc: u8,
    stack: u16,
}

/// Per-document evidence, keyed by lower-cased word hash.
#[derive(Debug, Default)]
pub(crate) struct DocCtx {
    /// Bits: 1 written lower-initial, 2 upper-initial, 4 all upper; only occurrences that are
    /// not sentence-initial and not in an all-caps sentence count.
    pub(crate) case: HashedMap<u8>,
    /// First-pass labels (bit per label) of entities containing the word, from the first pass.
    pub(crate) stack: HashedMap<u16>,
}

/// Reusable buffers of one thread.
#[derive(Debug, Default)]
pub(crate) struct Scratch {
    pub(crate) lower_buf: String,
    pub(crate) doc_info: Vec<TokInfo>,
    pub(crate) info: Vec<TokInfo>,
    pub(crate) keys: Vec<u64>,
    pub(crate) offsets: Vec<u32>,
    pub(crate) rows: Vec<u32>,
    pub(crate) em: Vec<f32>,
    pub(crate) tags: Vec<u8>,
    pub(crate) back: Vec<u8>,
    pub(crate) delta: Vec<f32>,
    pub(crate) alpha: Vec<f32>,
    pub(crate) beta: Vec<f32>,
    pub(crate) spans: Vec<(usize, usize, usize)>,
    pub(crate) first: Vec<crate::model::Tagged>,
}

#[inline]
fn char_class(c: char) -> u8 {
    if c.is_ascii() {
        let b = c as u8;
        match b {
            b'A'..=b'Z' => b'X',
            b'a'..=b'z' => b'x',
            b'0'..=b'9' => b'd',
            _ => b,
        }
    } else if c.is_uppercase() {
        b'X'
    } else if c.is_lowercase() {
        b'x'
    } else if c.is_numeric() {
        b'd'
    } else if c.is_alphabetic() {
        b'a'
    } else {
        b'q'
    }
}

/// Hash of the lower-cased form of `w` (`buf` is scratch space). No apostrophe is folded
/// ([`Apostrophes::Keep`]): model files store these hashes, so the fold must not change.
#[inline]
pub(crate) fn lower_hash(w: &str, buf: &mut String) -> u64 {
    hash_str(normalize::lower(w, Apostrophes::Keep, buf))
}

/// Compute the word-level values of `w` (not the context-dependent ones).
pub(crate) fn tok_info(w: &str, clusters: Option<&Clusters>, buf: &mut String) -> TokInfo {
    let mut t = TokInfo {
        word: hash_str(w),
        lower: lower_hash(w, buf),
        ..TokInfo::default()
    };
    let (mut shape, mut short) = (0x51u64, 0x52u64);
    let mut last = 0u8;
    let mut n = 0usize;
    let (mut upper, mut lower_n) = (0usize, 0usize);
    let mut first_class = 0u8;
    for (i, c) in w.char_indices() {
        let cl = char_class(c);
        if n == 0 {
            first_class = cl;
        }
        match cl {
            b'X' => upper += 1,
            b'x' => lower_n += 1,
            _ => {}
        }
        if n < 16 {
            shape = mix64(shape, cl as u64);
        }
        if cl != last {
            short = mix64(short, cl as u64);
            last = cl;
        }
        if n < 4 {
            t.pre[n] = hash_bytes(&w.as_bytes()[..i + c.len_utf8()]);
        }
        n += 1;
    }
    // Suffixes: the last 1..=4 characters.
    for (k, (i, _)) in w.char_indices().rev().take(4).enumerate() {
        t.suf[k] = hash_bytes(&w.as_bytes()[i..]);
    }
    t.shape = fmix64(shape);
    t.short = fmix64(short);
    t.nchars = n.min(255) as u8;
    t.case = if upper + lower_n == 0 {
        0
    } else if first_class == b'X' {
        if lower_n == 0 && upper >= 2 {
            3
        } else {
            2
        }
    } else if upper > 0 {
        2
    } else {
        1
    };
    t.clusters = match clusters.and_then(|c| c.map.get(&t.lower)) {
        Some(ids) => *ids,
        None => [u32::MAX; 4],
    };
    t
}

/// Whether a sentence is written in capitals only (CoNLL headlines): at least one token with
/// letters and none with a lower-case letter.
pub(crate) fn all_caps(info: &[TokInfo]) -> bool {
    let mut any = false;
    for t in info {
        match t.case {
            1 => return false,
            2 => {
                // Upper-initial but with lower-case letters.
                return false;
            }
            3 => any = true,
            _ => {}
        }
    }
    any
}

// Template ids.
const T_BIAS: u64 = 1;
const T_WORD: u64 = 2;
const T_LOWER: u64 = 3;
const T_SHAPE: u64 = 4;
const T_SHORT: u64 = 5;
const T_PRE: u64 = 6; // ..9
const T_SUF: u64 = 10; // ..13
const T_LM1: u64 = 14;
const T_LP1: u64 = 15;
const T_LM2: u64 = 16;
const T_LP2: u64 = 17;
const T_SM1: u64 = 18;
const T_SP1: u64 = 19;
const T_SM2: u64 = 20;
const T_SP2: u64 = 21;
const T_S3: u64 = 22;
const T_BIL: u64 = 23;
const T_BIR: u64 = 24;
const T_FIRST: u64 = 25;
const T_CAPS_S: u64 = 26;
const T_CAPS_L: u64 = 27;
const T_WM1: u64 = 28;
const T_WP1: u64 = 29;
const T_CL: u64 = 30; // ..33
const T_CLM1: u64 = 34;
const T_CLP1: u64 = 35;
const T_CLM1B: u64 = 36;
const T_CLP1B: u64 = 37;
const T_GAZ: u64 = 40;

const T_GAZL: u64 = 41;
const T_GAZM1: u64 = 42;
const T_GAZP1: u64 = 43;
const T_DOC: u64 = 50;
const T_DOCF: u64 = 51;
const T_STACK: u64 = 60;
const T_STACK_S: u64 = 61;
const T_STACKM1: u64 = 62;
const T_STACKP1: u64 = 63;

const BOS: u64 = 0xB05;
const EOS: u64 = 0xE05;

#[inline]
fn f1(t: u64, a: u64) -> u64 {
    fmix64(mix64(t.wrapping_mul(0x2545_F491_4F6C_DD1D), a))
}
#[inline]
fn f2(t: u64, a: u64, b: u64) -> u64 {
    fmix64(mix64(mix64(t.wrapping_mul(0x2545_F491_4F6C_DD1D), a), b))
}
#[inline]
fn f3(t: u64, a: u64, b: u64, c: u64) -> u64 {
    fmix64(mix64(
        mix64(mix64(t.wrapping_mul(0x2545_F491_4F6C_DD1D), a), b),
        c,
    ))
}

/// Fill `s.info` for the tokens of one sentence, with gazetteer and document values.
/// The word-level values come from `s.doc_info` (see [`doc_info`]); returns whether the
/// sentence is in capitals only.
pub(crate) fn sentence_info<G: GazLookup>(
    r: Range<usize>,
    feats: FeatureSet,
    gaz: &G,
    ctx: &DocCtx,
    s: &mut Scratch,
) -> bool {
    s.info.clear();
    s.info.extend_from_slice(&s.doc_info[r]);
    let caps = all_caps(&s.info);
    let n = s.info.len();
    if feats.gazetteer {
        for i in 0..n {
            let (mut h, mut hl) = (seq_start(), seq_start());
            let (mut live, mut live_l) = (true, caps);
            for len in 1..=GAZ_MAX.min(n - i) {
                if !live && !live_l {
                    break;
                }
                let last = i + len - 1;
                if live {
                    h = seq_step(h, s.info[last].word);
                    let m = gaz.exact(seq_key(h));
                    mark(&mut s.info, i, len, m, false);
                    live = m & GAZ_PREFIX != 0;
                }
                if live_l {
                    hl = seq_step(hl, s.info[last].lower);
                    let m = gaz.lower(seq_key(hl));
                    mark(&mut s.info, i, len, m, true);
                    live_l = m & GAZ_PREFIX != 0;
                }
            }
        }
    }
    if feats.doc || feats.stack {
        for t in s.info.iter_mut() {
            if feats.doc {
                t.doc = ctx.case.get(&t.lower).copied().unwrap_or(0);
            }
            if feats.stack {
                t.stack = ctx.stack.get(&t.lower).copied().unwrap_or(0);
            }
        }
    }
    caps
}

/// Set gazetteer position bits (of the case-sensitive or the lower-case gazetteer).
fn mark(info: &mut [TokInfo], start: usize, len: usize, mask: u16, lower: bool) {
    let labels = mask & !GAZ_PREFIX;
    if labels == 0 {
        return;
    }
    for l in 0..8u32 {
        if labels & (1 << l) == 0 {
            continue;
        }
        for k in 0..len {
            let pos = if len == 1 {
                3
            } else if k == 0 {
                0
            } else if k == len - 1 {
                2
            } else {
                1
            };
            let bit = 1u32 << (4 * l + pos);
            let t = &mut info[start + k];
            if lower {
                t.gazl |= bit;
            } else {
                t.gaz |= bit;
            }
        }
    }
}

/// Append the feature keys of every token of the sentence in `s.info` to `s.keys`, with
/// `s.offsets` marking where each token's keys start (`offsets.len() == n + 1` afterwards
/// when it started empty).
pub(crate) fn sentence_keys(feats: FeatureSet, caps: bool, s: &mut Scratch) {
    let info = &s.info;
    let keys = &mut s.keys;
    let n = info.len();
    if s.offsets.is_empty() {
        s.offsets.push(keys.len() as u32);
    }
    let lower = |j: isize| -> u64 {
        if j < 0 {
            BOS
        } else if j as usize >= n {
            EOS
        } else {
            info[j as usize].lower
        }
    };
    let short = |j: isize| -> u64 {
        if j < 0 {
            BOS
        } else if j as usize >= n {
            EOS
        } else {
            info[j as usize].short
        }
    };
    let word = |j: isize| -> u64 {
        if j < 0 {
            BOS
        } else if j as usize >= n {
            EOS
        } else {
            info[j as usize].word
        }
    };
    for i in 0..n {
        let t = &info[i];
        let ii = i as isize;
        keys.push(f1(T_BIAS, 0));
        keys.push(f1(T_WORD, t.word));
        keys.push(f1(T_LOWER, t.lower));
        keys.push(f1(T_SHAPE, t.shape));
        keys.push(f1(T_SHORT, t.short));
        for k in 0..(t.nchars as usize).min(4) {
            keys.push(f1(T_PRE + k as u64, t.pre[k]));
            keys.push(f1(T_SUF + k as u64, t.suf[k]));
        }
        keys.push(f1(T_LM1, lower(ii - 1)));
        keys.push(f1(T_LP1, lower(ii + 1)));
        keys.push(f1(T_LM2, lower(ii - 2)));
        keys.push(f1(T_LP2, lower(ii + 2)));
        keys.push(f1(T_WM1, word(ii - 1)));
        keys.push(f1(T_WP1, word(ii + 1)));
        keys.push(f1(T_SM1, short(ii - 1)));
        keys.push(f1(T_SP1, short(ii + 1)));
        keys.push(f1(T_SM2, short(ii - 2)));
        keys.push(f1(T_SP2, short(ii + 2)));
        keys.push(f3(T_S3, short(ii - 1), t.short, short(ii + 1)));
        keys.push(f2(T_BIL, lower(ii - 1), t.lower));
        keys.push(f2(T_BIR, t.lower, lower(ii + 1)));
        if i == 0 {
            keys.push(f1(T_FIRST, t.short));
        }
        if caps {
            keys.push(f1(T_CAPS_S, t.short));
            keys.push(f1(T_CAPS_L, t.lower));
        }
        if feats.clusters {
            for k in 0..4 {
                keys.push(f1(T_CL + k as u64, t.clusters[k] as u64));
            }
            let cl = |j: isize, k: usize| -> u64 {
                if j < 0 {
                    BOS
                } else if j as usize >= n {
                    EOS
                } else {
                    info[j as usize].clusters[k] as u64
                }
            };
            keys.push(f1(T_CLM1, cl(ii - 1, 1)));
            keys.push(f1(T_CLP1, cl(ii + 1, 1)));
            keys.push(f1(T_CLM1B, cl(ii - 1, 2)));
            keys.push(f1(T_CLP1B, cl(ii + 1, 2)));
        }
        if feats.gazetteer {
            push_bits(keys, T_GAZ, t.gaz, 0);
            if caps {
                push_bits(keys, T_GAZL, t.gazl, 0);
            }
            if i > 0 {
                push_bits(keys, T_GAZM1, info[i - 1].gaz | info[i - 1].gazl, 0);
            }
            if i + 1 < n {
                push_bits(keys, T_GAZP1, info[i + 1].gaz | info[i + 1].gazl, 0);
            }
        }
        if feats.doc && t.case >= 2 {
            keys.push(f2(T_DOC, t.doc as u64, t.short));
            keys.push(f3(T_DOCF, t.doc as u64, (i == 0) as u64, caps as u64));
        }
        if feats.stack {
            if t.stack != 0 || t.case >= 2 {
                keys.push(f2(T_STACK, t.stack as u64, t.case as u64));
                keys.push(f2(T_STACK_S, t.stack as u64, t.short));
            }
            if i > 0 && info[i - 1].stack != 0 {
                keys.push(f1(T_STACKM1, info[i - 1].stack as u64));
            }
            if i + 1 < n && info[i + 1].stack != 0 {
                keys.push(f1(T_STACKP1, info[i + 1].stack as u64));
            }
        }
        s.offsets.push(keys.len() as u32);
    }
}

#[inline]
fn push_bits(keys: &mut Vec<u64>, t: u64, mut bits: u32, extra: u64) {
    while bits != 0 {
        let b = bits.trailing_zeros();
        keys.push(f2(t, b as u64, extra));
        bits &= bits - 1;
    }
}

/// Compute the word-level values of every token of a document into `s.doc_info`.
pub(crate) fn doc_info<S: AsRef<str>>(tokens: &[S], clusters: Option<&Clusters>, s: &mut Scratch) {
    s.doc_info.clear();
    for w in tokens {
        let t = tok_info(w.as_ref(), clusters, &mut s.lower_buf);
        s.doc_info.push(t);
    }
}

/// The document context: how each word is written elsewhere in the document (from
/// `s.doc_info`, see [`doc_info`]). Clears the first-pass evidence.
pub(crate) fn build_doc_ctx(
    sentences: &[Range<usize>],
    feats: FeatureSet,
    s: &Scratch,
    ctx: &mut DocCtx,
) {
    ctx.case.clear();
    ctx.stack.clear();
    if !feats.doc {
        return;
    }
    for r in sentences {
        let info = &s.doc_info[r.clone()];
        if all_caps(info) {
            continue;
        }
        for t in info.iter().skip(1) {
            let bit = match t.case {
                1 => 1,
                2 => 2,
                3 => 4,
                _ => 0,
            };
            if bit != 0 {
                *ctx.case.entry(t.lower).or_insert(0) |= bit;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn lower_hash_matches_the_values_models_store() {
        // Computed with the lowering and hash of crates/ner/src/hash.rs and features.rs as
        // of commit 3dd3a88: full Unicode lower-casing, no apostrophe folded.
        let want: [(&str, u64); 9] = [
            ("paris", 0xc0f3_1fa9_0191_62f8),
            ("PARIS", 0xc0f3_1fa9_0191_62f8),
            ("McDonald's", 0x4442_c58b_4131_4944),
            ("ÉIRE", 0x66cd_dfc7_1efb_2b4f),
            ("DON\u{2019}T", 0xa9b2_b8da_58e6_b2dc),
            ("\u{2018}Tis", 0xb8ef_e702_9e71_d37f),
            ("don\u{02BC}t", 0x39da_25e1_5f2e_70bd),
            ("İSTANBUL", 0x85d4_d26e_f884_7106),
            ("ΑΘΗΝΑ", 0xc6a8_110e_b952_663f),
        ];
        let mut buf = String::new();
        for (w, h) in want {
            assert_eq!(lower_hash(w, &mut buf), h, "lower_hash({w:?})");
        }
    }

    #[test]
    fn token_values() {
        let mut buf = String::new();
        let a = tok_info("Paris", None, &mut buf);
        let b = tok_info("PARIS", None, &mut buf);
        assert_eq!(a.lower, b.lower);
        assert_ne!(a.word, b.word);
        assert_eq!((a.case, b.case), (2, 3));
        assert_eq!(a.nchars, 5);
        let c = tok_info("Lyon", None, &mut buf);
        assert_eq!(a.short, c.short);
        assert_ne!(a.shape, c.shape);
        let e = tok_info("Éire", None, &mut buf);
        assert_eq!(e.case, 2);
        assert_eq!(lower_hash("ÉIRE", &mut buf), lower_hash("éire", &mut buf));
        let x = tok_info("", None, &mut buf);
        assert_eq!(x.nchars, 0);
    }

    #[test]
    fn gazetteer_marks_bilou_positions() {
        let mut gaz = Gazetteer::default();
        let mut buf = String::new();
        let toks = ["New", "York", "Times"];
        let mut h = seq_start();
        for (k, w) in toks.iter().enumerate() {
            h = seq_step(h, tok_info(w, None, &mut buf).word);
            let e = gaz.exact.entry(seq_key(h)).or_insert(0);
            if k < 2 {
                *e |= GAZ_PREFIX;
            }
            if k == 1 {
                *e |= 1 << 2; // LOC "New York" (label 2)
            }
            if k == 2 {
                *e |= 1 << 1; // ORG "New York Times" (label 1)
            }
        }
        let mut s = Scratch::default();
        let sent = ["the", "New", "York", "Times", "said"];
        let feats = FeatureSet::default();
        doc_info(&sent, None, &mut s);
        sentence_info(0..sent.len(), feats, &gaz, &DocCtx::default(), &mut s);
        assert_eq!(s.info[0].gaz, 0);
        assert_eq!(s.info[1].gaz, (1 << (4 * 2)) | (1 << 4));
        assert_eq!(s.info[2].gaz, (1 << (4 * 2 + 2)) | (1 << (4 + 1)));
        assert_eq!(s.info[3].gaz, 1 << (4 + 2));
        sentence_keys(feats, false, &mut s);
        assert_eq!(s.offsets.len(), sent.len() + 1);
        assert!(s.keys.len() > 30 * sent.len());
    }
}
