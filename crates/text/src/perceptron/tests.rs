use super::*;
use crate::hash::{fmix64, Fnv1a};
use crate::rng::{SplitMix, XorShift};

// ---- Hand-checked semantics ----------------------------------------------------------------

#[test]
fn lazy_average_is_the_mean_over_ticks() {
    let mut p: Perceptron<Dense, Lazy> = Perceptron::new(Dense::new(2));
    // An update during tick t counts from tick t + 1 (each tick counts the weight its example
    // was scored with). w0: 0 in ticks 1-2, 2 in ticks 3-4, 1 in tick 5: (0 + 0 + 2 + 2 + 1) / 5.
    p.tick();
    p.tick();
    p.add(0, 2.0);
    p.tick();
    p.tick();
    p.add(0, -1.0);
    p.add(1, 0.5);
    p.tick();
    assert_eq!(p.weights(), &[1.0, 0.5]);
    assert_eq!(p.average(0), 1.0);
    assert_eq!(p.average(1), 0.5 / 5.0);
    assert_eq!(p.averaging().ticks(), 5);
    // No tick yet: the current weights.
    let mut q: Perceptron<Dense, Lazy> = Perceptron::new(Dense::new(1));
    q.add(0, 3.0);
    assert_eq!(
        q.average(0),
        0.0,
        "an update before any tick counts for no tick"
    );
}

#[test]
fn summed_average_is_w_minus_sum_over_clock_plus_one() {
    let mut p: Perceptron<Dense, Summed<f64>> = Perceptron::new(Dense::new(2));
    p.tick(); // clock 1
    p.add(0, 1.0);
    p.add(1, -1.0);
    p.tick(); // clock 2
    p.tick(); // clock 3
    p.add(0, 1.0);
    assert_eq!(p.averaging().clock(), 3.0);
    // w0 = 2, sum0 = 1 + 3 = 4: 2 - 4 / 4; w1 = -1, sum1 = -1: -1 + 1 / 4.
    assert_eq!(p.average(0), 1.0);
    assert_eq!(p.average(1), -0.75);
    let mut q: Perceptron<Dense, Summed<f32>> = Perceptron::new(Dense::new(1));
    q.tick();
    q.add(0, 1.0);
    assert_eq!(q.average(0), 0.5);
}

#[test]
fn sparse_slots_come_from_updates_only() {
    let mut p: Perceptron<Sparse, Summed<f32>> = Perceptron::new(Sparse::new());
    assert!(p.slots().is_empty());
    assert_eq!(p.score(&[7, 9]), 0.0);
    assert!(p.slots().is_empty(), "scoring creates no slot");
    p.tick();
    p.update(&[9, 7, 9], 1.0);
    assert_eq!(p.slots().keys(), &[9, 7]);
    assert_eq!(p.weights(), &[2.0, 1.0]);
    assert_eq!(p.weight(9), 2.0);
    assert_eq!(p.weight(8), 0.0);
    assert_eq!(p.score(&[7, 9, 9, 8]), 5.0);
    assert_eq!(p.averages().len(), 2);
}

#[test]
fn hashed_slots_are_the_top_bits() {
    let h = Hashed::new(4);
    assert_eq!((h.len(), h.bits()), (16, 4));
    assert_eq!(h.index(0xF000_0000_0000_0001), 15);
    assert_eq!(h.index(0x0FFF_FFFF_FFFF_FFFF), 0);
    let mut p: Perceptron<Hashed, Lazy> = Perceptron::new(h);
    p.tick();
    p.add(0x1000_0000_0000_0000, 1.0);
    assert_eq!(
        p.weight(0x1FFF_0000_0000_0000),
        1.0,
        "same top bits, same weight"
    );
    assert_eq!(p.weight(0x2000_0000_0000_0000), 0.0);
}

#[test]
#[should_panic(expected = "1..=32")]
fn hashed_refuses_zero_bits() {
    Hashed::new(0);
}

#[test]
fn learn_binary_updates_on_mistakes_only() {
    let mut p: Perceptron<Sparse, Lazy> = Perceptron::new(Sparse::new());
    assert_eq!(
        p.learn_binary(&[1, 2], 1.0),
        0.0,
        "a zero score is a mistake"
    );
    assert_eq!(p.weights(), &[1.0, 1.0]);
    assert_eq!(p.learn_binary(&[1, 2], 1.0), 2.0);
    assert_eq!(p.weights(), &[1.0, 1.0], "right: no update");
    assert_eq!(p.learn_binary(&[2, 3], -1.0), 1.0);
    assert_eq!(p.weights(), &[1.0, 0.0, -1.0]);
    assert_eq!(p.averaging().ticks(), 3);
}

#[test]
fn learns_a_separable_rule() {
    let data = [
        (vec![1u64 << 60, 3 << 58], 1.0f32),
        (vec![2u64 << 60, 3 << 58], -1.0),
    ];
    let mut lazy: Perceptron<Hashed, Lazy> = Perceptron::new(Hashed::new(10));
    let mut summed: Perceptron<Sparse, Summed<f32>> = Perceptron::new(Sparse::new());
    for _ in 0..10 {
        for (f, y) in &data {
            lazy.learn_binary(f, *y);
            summed.learn_binary(f, *y);
        }
    }
    let score = |avg: &dyn Fn(u64) -> f64, f: &[u64]| f.iter().map(|&k| avg(k)).sum::<f64>();
    let lazy_avg = |k: u64| lazy.average(lazy.slots().index(k));
    let summed_avg = |k: u64| {
        let i = summed.slots().keys().iter().position(|&x| x == k).unwrap();
        summed.average(i)
    };
    for avg in [&lazy_avg as &dyn Fn(u64) -> f64, &summed_avg] {
        assert!(score(avg, &data[0].0) > 0.0 && score(avg, &data[1].0) < 0.0);
    }
}

// ---- Pinned: the three trainers' exact numbers -----------------------------------------------
//
// Synthetic data, trained the way each crate trains; the digests (FNV-1a of the f32 bits of
// the model's weights, in the crate's rounding) were computed with the crates' own
// perceptrons as of commit 3e5e8b8 (ner train.rs `Weights`, hedge train.rs's inline
// perceptron, attribution model.rs `Averaged`), which agreed bit for bit with these on
// larger runs too (up to 1.6M hedge updates, where its f32 sums round).

/// Binary examples: 3..=8 hashed features from `space` ids, label from a noisy rule.
fn binary_data(seed: u64, n: usize, space: u64) -> Vec<(Vec<u64>, f32)> {
    let mut r = XorShift::new(seed | 1);
    (0..n)
        .map(|_| {
            let k = 3 + (r.next_u64() % 6) as usize;
            let ids: Vec<u64> = (0..k).map(|_| r.next_u64() % space).collect();
            let votes = ids.iter().filter(|&&i| i % 3 == 0).count();
            let noise = r.next_u64().is_multiple_of(10);
            let y = if (votes * 3 >= k) != noise { 1.0 } else { -1.0 };
            (ids.iter().map(|&i| fmix64(i + 1)).collect(), y)
        })
        .collect()
}

/// Per token: feature indices, gold tag, predicted tag.
type Sentence = Vec<(Vec<usize>, usize, usize)>;

/// Sequence examples: per token 2..=5 feature indices below `nf`, a gold and a predicted tag
/// below `nt`, like a structured perceptron's mistakes.
fn sequence_data(seed: u64, n: usize, nf: usize, nt: usize) -> Vec<Sentence> {
    let mut r = XorShift::new(seed | 1);
    (0..n)
        .map(|_| {
            let len = 1 + (r.next_u64() % 7) as usize;
            (0..len)
                .map(|_| {
                    let k = 2 + (r.next_u64() % 4) as usize;
                    let f: Vec<usize> = (0..k)
                        .map(|_| (r.next_u64() % nf as u64) as usize)
                        .collect();
                    let gold = f[0] % nt;
                    let pred = if r.next_u64().is_multiple_of(4) {
                        (r.next_u64() % nt as u64) as usize
                    } else {
                        gold
                    };
                    (f, gold, pred)
                })
                .collect()
        })
        .collect()
}

fn digest(xs: impl IntoIterator<Item = f32>) -> u64 {
    let mut h = Fnv1a::new();
    for x in xs {
        h.bytes(&x.to_bits().to_le_bytes());
    }
    h.value()
}

#[test]
fn retrains_ner_models_bit_for_bit() {
    // caveat-ner: one row of `nt` tag weights per feature, then transitions (nt * nt), start
    // and end scores (nt each); f64 sums; averages cast to f32; SplitMix-shuffled sentences.
    let (nf, nt) = (50, 9);
    let data = sequence_data(1, 500, nf, nt);
    let (ne, nn) = (nf * nt, nt * nt);
    let mut p: Perceptron<Dense, Summed<f64>> = Perceptron::new(Dense::new(ne + nn + 2 * nt));
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = SplitMix::new(1);
    let mut avg = Vec::new();
    for _ in 0..5 {
        rng.shuffle(&mut order);
        for &si in &order {
            let s = &data[si];
            p.tick();
            let gold: Vec<usize> = s.iter().map(|t| t.1).collect();
            let pred: Vec<usize> = s.iter().map(|t| t.2).collect();
            if pred == gold {
                continue;
            }
            for (i, tok) in s.iter().enumerate() {
                let (g, q) = (gold[i], pred[i]);
                if g != q {
                    for &f in &tok.0 {
                        p.add(f * nt + g, 1.0);
                        p.add(f * nt + q, -1.0);
                    }
                }
                let (gi, qi) = if i == 0 {
                    (nn + g, nn + q)
                } else {
                    (gold[i - 1] * nt + g, pred[i - 1] * nt + q)
                };
                if gi != qi {
                    p.add(ne + gi, 1.0);
                    p.add(ne + qi, -1.0);
                }
            }
            let n = s.len();
            let (ge, qe) = (nn + nt + gold[n - 1], nn + nt + pred[n - 1]);
            if ge != qe {
                p.add(ne + ge, 1.0);
                p.add(ne + qe, -1.0);
            }
        }
        avg = p.averages().map(|a| a as f32).collect::<Vec<f32>>();
    }
    assert_eq!(digest(avg), 0xc638_7bba_20b4_e9aa);
}

#[test]
fn retrains_hedge_models_bit_for_bit() {
    // caveat-hedge: sparse weights, f32 sums and clock, learn_binary on each example,
    // XorShift(seed | 1) shuffles, averages rounded to 1e-4 in f32.
    let data = binary_data(5, 2000, 300);
    let mut p: Perceptron<Sparse, Summed<f32>> = Perceptron::new(Sparse::new());
    let mut order: Vec<usize> = (0..data.len()).collect();
    let mut rng = XorShift::new(5 | 1);
    for _ in 0..3 {
        rng.shuffle(&mut order);
        for &e in &order {
            p.learn_binary(&data[e].0, data[e].1);
        }
    }
    let mut w: Vec<(u64, f32)> = p
        .slots()
        .keys()
        .iter()
        .zip(p.averages())
        .map(|(&k, a)| (k, ((a as f32) * 1e4).round() / 1e4))
        .collect();
    w.sort_unstable_by_key(|&(k, _)| k);
    assert_eq!(w.len(), 300);
    assert_eq!(digest(w.into_iter().map(|(_, x)| x)), 0x3eb3_01bf_b544_ab6c);
}

#[test]
fn retrains_attribution_models_bit_for_bit() {
    // caveat-attribution: 2^bits hashed slots, lazy f64 averaging, averages rounded to 1e-3
    // in f64; a cue-like binary decision and a source-like ranking update per example.
    let data = binary_data(11, 2000, 300);
    let mut cue: Perceptron<Hashed, Lazy> = Perceptron::new(Hashed::new(8));
    let mut src: Perceptron<Hashed, Lazy> = Perceptron::new(Hashed::new(8));
    for _ in 0..3 {
        for (i, (f, y)) in data.iter().enumerate() {
            cue.learn_binary(f, *y);
            let g = &data[(i + 1) % data.len()].0;
            let (sg, sp) = (src.score(g), src.score(f));
            src.tick();
            if sp >= sg {
                src.update(g, 1.0);
                src.update(f, -1.0);
            }
        }
    }
    let round = |p: &Perceptron<Hashed, Lazy>| -> Vec<f32> {
        p.averages()
            .map(|a| ((a * 1000.0).round() / 1000.0) as f32)
            .collect()
    };
    assert_eq!(
        digest(round(&cue).into_iter().chain(round(&src))),
        0x3276_9445_27c9_3c55
    );
}
