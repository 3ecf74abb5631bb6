//! x86-64 kernels: AVX-512 VNNI, AVX-VNNI and AVX2 register tiles under one blocking driver.
#![allow(unsafe_code)]

use super::{PackedWeights, PANEL};
use crate::quantize::RowQuant;
use std::arch::x86_64::*;

/// Pointers of one register tile: `MR` activation rows × `NP` weight panels.
#[derive(Clone, Copy)]
struct Tile {
    /// First activation row, rows `lda` apart (`lda = 4 · kq`).
    a: *const u8,
    lda: usize,
    kq: usize,
    /// First weight panel, panels `pstride` bytes apart.
    b: *const i8,
    pstride: usize,
    /// Row parameters of the tile's rows.
    rows: *const RowQuant,
    /// Per-column epilogue values from the tile's first column (padded to whole panels).
    scale: *const f32,
    sum: *const i32,
    bias: *const f32,
    /// First output, rows `ldc` apart; only the first `cols` columns are written.
    out: *mut f32,
    ldc: usize,
    cols: usize,
    /// i32 partial sums of the tile's rows, [`ACC_STRIDE`] apart, carried between slices
    /// of `k`: read unless `first`, written unless `last` (which runs the epilogue instead).
    acc: *mut i32,
    first: bool,
    last: bool,
}

/// Row stride of the partial sums: the widest tile (4 panels).
const ACC_STRIDE: usize = 64;

/// At most this many groups of 4 inputs per slice of `k`: 64 columns × 768 inputs of weights
/// (48 KiB) stay in L1/L2 while every row tile of the block passes over them (best of 64, 128,
/// 192, 256 and no slicing on K = 768 and 3072 here; K = 768 needs no slice).
const KC_QUADS: usize = 192;

/// Runs `tile(mr, np, ·)` over every tile of rows × panels: panel groups of `np_max` outside
/// (their weights stay in L1/L2 while every row tile uses them), row tiles of `mr_max` inside.
///
/// # Safety
/// `a`, `rows` and `out` must hold `rows.len()` rows; `tile` must be runnable on this CPU.
unsafe fn drive(
    a: &[u8],
    rows: &[RowQuant],
    w: &PackedWeights,
    out: &mut [f32],
    mr_max: usize,
    np_max: usize,
    tile: unsafe fn(usize, usize, Tile),
) {
    let lda = w.kq * 4;
    let pstride = w.kq * 64;
    let m = rows.len();
    // Slices of k (equal, at most KC_QUADS quads) when the weights of a panel group would
    // not stay in L1; partial sums then go through `acc`.
    let slices = w.kq.div_ceil(KC_QUADS);
    let per = w.kq.div_ceil(slices);
    let mut acc = vec![0i32; if slices > 1 { m * ACC_STRIDE } else { 0 }];
    let mut p0 = 0;
    while p0 < w.panels {
        let np = np_max.min(w.panels - p0);
        let col0 = p0 * PANEL;
        let cols = (w.n - col0).min(np * PANEL);
        let mut q0 = 0;
        while q0 < w.kq {
            let kq = per.min(w.kq - q0);
            let mut r0 = 0;
            while r0 < m {
                let mr = mr_max.min(m - r0);
                // SAFETY: every offset is inside its buffer: r0 < m rows, p0 < panels,
                // q0 < kq, col0 < n (the per-column vectors are padded to panels · 16), and
                // `acc` holds m rows when k is sliced (it is not touched otherwise).
                unsafe {
                    let t = Tile {
                        a: a.as_ptr().add(r0 * lda + q0 * 4),
                        lda,
                        kq,
                        b: w.data.as_ptr().add(p0 * pstride + q0 * 64),
                        pstride,
                        rows: rows.as_ptr().add(r0),
                        scale: w.scale.as_ptr().add(col0),
                        sum: w.sum.as_ptr().add(col0),
                        bias: w.bias.as_ptr().add(col0),
                        out: out.as_mut_ptr().add(r0 * w.n + col0),
                        ldc: w.n,
                        cols,
                        acc: acc.as_mut_ptr().wrapping_add(r0 * ACC_STRIDE),
                        first: q0 == 0,
                        last: q0 + kq == w.kq,
                    };
                    tile(mr, np, t);
                }
                r0 += mr;
            }
            q0 += kq;
        }
        p0 += np;
    }
}

/// Instantiates `$tile::<MR, NP>` for every `MR ≤ 6`, `NP ≤ $np` and dispatches on the pair.
macro_rules! dispatcher {
    ($name:ident, $tile:ident, $features:literal) => {
        #[target_feature(enable = $features)]
        unsafe fn $name(mr: usize, np: usize, t: Tile) {
            #[target_feature(enable = $features)]
            unsafe fn by_np<const MR: usize>(np: usize, t: Tile) {
                // SAFETY: forwarded from the caller.
                unsafe {
                    match np {
                        1 => $tile::<MR, 1>(t),
                        2 => $tile::<MR, 2>(t),
                        3 => $tile::<MR, 3>(t),
                        _ => $tile::<MR, 4>(t),
                    }
                }
            }
            // SAFETY: forwarded from the caller.
            unsafe {
                match mr {
                    1 => by_np::<1>(np, t),
                    2 => by_np::<2>(np, t),
                    3 => by_np::<3>(np, t),
                    4 => by_np::<4>(np, t),
                    5 => by_np::<5>(np, t),
                    _ => by_np::<6>(np, t),
                }
            }
        }
    };
}

// ---------------------------------------------------------------- AVX-512 VNNI

dispatcher!(dispatch_512, tile_512, "avx512f,avx512bw,avx512vnni");

/// # Safety
/// avx512f, avx512bw and avx512vnni; see [`drive`].
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
pub(super) unsafe fn gemm_avx512vnni(
    a: &[u8],
    rows: &[RowQuant],
    w: &PackedWeights,
    out: &mut [f32],
) {
    // 6 × 4 accumulators + 4 weight registers of the 32 zmm.
    // SAFETY: forwarded from the caller.
    unsafe { drive(a, rows, w, out, 6, 4, dispatch_512) }
}

#[inline]
#[target_feature(enable = "avx512f,avx512bw,avx512vnni")]
unsafe fn tile_512<const MR: usize, const NP: usize>(t: Tile) {
    let mut acc = [[_mm512_setzero_si512(); NP]; MR];
    // SAFETY (whole body): the tile's rows hold 4 · kq bytes, its panels kq · 64 bytes, its
    // per-column vectors NP · 16 values, its partial sums MR rows of ACC_STRIDE, and its
    // outputs `cols` columns (masked stores).
    unsafe {
        if !t.first {
            for (r, acc) in acc.iter_mut().enumerate() {
                for (j, acc) in acc.iter_mut().enumerate() {
                    *acc = _mm512_loadu_si512(t.acc.add(r * ACC_STRIDE + j * 16).cast());
                }
            }
        }
        for q in 0..t.kq {
            let mut wv = [_mm512_setzero_si512(); NP];
            for (j, wv) in wv.iter_mut().enumerate() {
                *wv = _mm512_loadu_si512(t.b.add(j * t.pstride + q * 64).cast());
            }
            for (r, acc) in acc.iter_mut().enumerate() {
                let av =
                    _mm512_set1_epi32(t.a.add(r * t.lda + q * 4).cast::<i32>().read_unaligned());
                for j in 0..NP {
                    acc[j] = _mm512_dpbusd_epi32(acc[j], av, wv[j]);
                }
            }
        }
        if !t.last {
            for (r, acc) in acc.iter().enumerate() {
                for (j, &acc) in acc.iter().enumerate() {
                    _mm512_storeu_si512(t.acc.add(r * ACC_STRIDE + j * 16).cast(), acc);
                }
            }
            return;
        }
        for (r, acc) in acc.iter().enumerate() {
            let rq = *t.rows.add(r);
            let zero = _mm512_set1_epi32(rq.zero);
            let sx = _mm512_set1_ps(rq.scale);
            for (j, &acc) in acc.iter().enumerate() {
                let c = j * 16;
                if c >= t.cols {
                    break;
                }
                let sum = _mm512_loadu_si512(t.sum.add(c).cast());
                let sw = _mm512_loadu_ps(t.scale.add(c));
                let bias = _mm512_loadu_ps(t.bias.add(c));
                let corr = _mm512_sub_epi32(acc, _mm512_mullo_epi32(zero, sum));
                let v = _mm512_add_ps(
                    _mm512_mul_ps(_mm512_cvtepi32_ps(corr), _mm512_mul_ps(sx, sw)),
                    bias,
                );
                let dst = t.out.add(r * t.ldc + c);
                let valid = t.cols - c;
                if valid >= 16 {
                    _mm512_storeu_ps(dst, v);
                } else {
                    _mm512_mask_storeu_ps(dst, ((1u32 << valid) - 1) as __mmask16, v);
                }
            }
        }
    }
}

// ---------------------------------------------------------------- 256-bit kernels

/// The epilogue of one 8-column half-panel on 256-bit registers.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn store_256(t: &Tile, r: usize, c: usize, acc: __m256i) {
    if c >= t.cols {
        return;
    }
    // SAFETY: c < cols ≤ the padded per-column vectors; stores cover only valid columns.
    unsafe {
        let rq = *t.rows.add(r);
        let zero = _mm256_set1_epi32(rq.zero);
        let sx = _mm256_set1_ps(rq.scale);
        let sum = _mm256_loadu_si256(t.sum.add(c).cast());
        let sw = _mm256_loadu_ps(t.scale.add(c));
        let bias = _mm256_loadu_ps(t.bias.add(c));
        let corr = _mm256_sub_epi32(acc, _mm256_mullo_epi32(zero, sum));
        let v = _mm256_add_ps(
            _mm256_mul_ps(_mm256_cvtepi32_ps(corr), _mm256_mul_ps(sx, sw)),
            bias,
        );
        let dst = t.out.add(r * t.ldc + c);
        let valid = t.cols - c;
        if valid >= 8 {
            _mm256_storeu_ps(dst, v);
        } else {
            let mut tmp = [0f32; 8];
            _mm256_storeu_ps(tmp.as_mut_ptr(), v);
            std::ptr::copy_nonoverlapping(tmp.as_ptr(), dst, valid);
        }
    }
}

/// Loads the partial sums of a one-panel tile.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn load_partial_256<const MR: usize>(t: &Tile, acc: &mut [[__m256i; 2]; MR]) {
    for (r, acc) in acc.iter_mut().enumerate() {
        for (j, acc) in acc.iter_mut().enumerate() {
            // SAFETY: the tile's partial sums hold MR rows of ACC_STRIDE ≥ 16.
            *acc = unsafe { _mm256_loadu_si256(t.acc.add(r * ACC_STRIDE + j * 8).cast()) };
        }
    }
}

/// Stores the partial sums of a one-panel tile.
#[inline]
#[target_feature(enable = "avx2")]
unsafe fn store_partial_256<const MR: usize>(t: &Tile, acc: &[[__m256i; 2]; MR]) {
    for (r, acc) in acc.iter().enumerate() {
        for (j, &acc) in acc.iter().enumerate() {
            // SAFETY: as in load_partial_256.
            unsafe { _mm256_storeu_si256(t.acc.add(r * ACC_STRIDE + j * 8).cast(), acc) };
        }
    }
}

dispatcher!(dispatch_vnni256, tile_vnni256, "avx2,avxvnni");

/// # Safety
/// avx2 and avxvnni; see [`drive`].
#[target_feature(enable = "avx2,avxvnni")]
pub(super) unsafe fn gemm_avxvnni(a: &[u8], rows: &[RowQuant], w: &PackedWeights, out: &mut [f32]) {
    // 6 × 2 accumulators + 2 weight registers + 1 broadcast of the 16 ymm.
    // SAFETY: forwarded from the caller.
    unsafe { drive(a, rows, w, out, 6, 1, dispatch_vnni256) }
}

#[inline]
#[target_feature(enable = "avx2,avxvnni")]
unsafe fn tile_vnni256<const MR: usize, const NP: usize>(t: Tile) {
    debug_assert_eq!(NP, 1);
    let mut acc = [[_mm256_setzero_si256(); 2]; MR];
    // SAFETY: as in tile_512, on one panel.
    unsafe {
        if !t.first {
            load_partial_256(&t, &mut acc);
        }
        for q in 0..t.kq {
            let w0 = _mm256_loadu_si256(t.b.add(q * 64).cast());
            let w1 = _mm256_loadu_si256(t.b.add(q * 64 + 32).cast());
            for (r, acc) in acc.iter_mut().enumerate() {
                let av =
                    _mm256_set1_epi32(t.a.add(r * t.lda + q * 4).cast::<i32>().read_unaligned());
                acc[0] = _mm256_dpbusd_avx_epi32(acc[0], av, w0);
                acc[1] = _mm256_dpbusd_avx_epi32(acc[1], av, w1);
            }
        }
        if !t.last {
            store_partial_256(&t, &acc);
            return;
        }
        for (r, acc) in acc.iter().enumerate() {
            store_256(&t, r, 0, acc[0]);
            store_256(&t, r, 8, acc[1]);
        }
    }
}

dispatcher!(dispatch_avx2, tile_avx2, "avx2");

/// # Safety
/// avx2; activations at most 127; see [`drive`].
#[target_feature(enable = "avx2")]
pub(super) unsafe fn gemm_avx2(a: &[u8], rows: &[RowQuant], w: &PackedWeights, out: &mut [f32]) {
    // 4 × 2 accumulators + 2 weights + broadcast + ones + 2 temporaries of the 16 ymm.
    // SAFETY: forwarded from the caller.
    unsafe { drive(a, rows, w, out, 4, 1, dispatch_avx2) }
}

#[inline]
#[target_feature(enable = "avx2")]
unsafe fn tile_avx2<const MR: usize, const NP: usize>(t: Tile) {
    debug_assert_eq!(NP, 1);
    let ones = _mm256_set1_epi16(1);
    let mut acc = [[_mm256_setzero_si256(); 2]; MR];
    // SAFETY: as in tile_512, on one panel.
    unsafe {
        if !t.first {
            load_partial_256(&t, &mut acc);
        }
        for q in 0..t.kq {
            let w0 = _mm256_loadu_si256(t.b.add(q * 64).cast());
            let w1 = _mm256_loadu_si256(t.b.add(q * 64 + 32).cast());
            for (r, acc) in acc.iter_mut().enumerate() {
                let av =
                    _mm256_set1_epi32(t.a.add(r * t.lda + q * 4).cast::<i32>().read_unaligned());
                // u8 ≤ 127 × i8: pair sums ≤ 2 · 127 · 127 = 32258, no i16 saturation.
                let p0 = _mm256_madd_epi16(_mm256_maddubs_epi16(av, w0), ones);
                let p1 = _mm256_madd_epi16(_mm256_maddubs_epi16(av, w1), ones);
                acc[0] = _mm256_add_epi32(acc[0], p0);
                acc[1] = _mm256_add_epi32(acc[1], p1);
            }
        }
        if !t.last {
            store_partial_256(&t, &acc);
            return;
        }
        for (r, acc) in acc.iter().enumerate() {
            store_256(&t, r, 0, acc[0]);
            store_256(&t, r, 8, acc[1]);
        }
    }
}
