//! The averaged perceptron the stage crates train: one implementation, generic over where the
//! weights live ([`Slots`]) and how their average is kept ([`Averaging`]).
//!
//! A [`Perceptron`] holds one `f32` weight per slot. Training calls [`Perceptron::tick`] once
//! per example, *before* that example's updates, and adds to weights with
//! [`Perceptron::add`] / [`Perceptron::update`] (or does all of it for a binary decision with
//! [`Perceptron::learn_binary`]); the averaged weights come from [`Perceptron::average`] /
//! [`Perceptron::averages`] as `f64`, which each crate rounds into its model format.
//!
//! Weight storage ([`Slots`]):
//!
//! * [`Dense`]: slot = key, a fixed table; per-class rows are `row * classes + class`
//!   (`caveat-ner`: a row of one weight per BILOU tag for each feature, then the transition,
//!   start and end scores);
//! * [`Hashed`]: `2^bits` slots indexed by the top bits of a 64-bit feature hash, collisions
//!   shared (`caveat-attribution`'s cue and source models);
//! * [`Sparse`]: one slot per distinct 64-bit key, created by the first update
//!   (`caveat-hedge`'s tagger).
//!
//! Averaging ([`Averaging`]) — the crates trained with two different, *not* equivalent
//! schemes, and models retrain byte for byte only with the scheme (and float types) they were
//! trained with:
//!
//! * [`Lazy`]: each weight keeps the running total of its past values and the tick of its
//!   last change; average = (total + (now − last) · w) / ticks — the mean, over the ticks,
//!   of the weight each tick's example was scored with (`caveat-attribution`, `f64` totals);
//! * [`Summed`]: each weight keeps the sum of `tick · delta` of its updates; average =
//!   w − sum / (ticks + 1) (the "averaging trick"; `caveat-ner` with `f64` sums, `caveat-hedge`
//!   with `f32` sums). This is the mean over ticks scaled by ticks / (ticks + 1), and its
//!   roundings differ, so it is kept as it is.

use std::collections::HashMap;
use std::fmt::Debug;
use std::ops::{Add, Div, Mul, Sub};

use crate::hash::FxBuildHasher;

/// Where a perceptron's weights live: how a feature key maps to a weight slot.
pub trait Slots {
    /// What an update or a score names a weight by.
    type Key: Copy;
    /// Number of slots (weights).
    fn len(&self) -> usize;
    /// Whether there are no slots.
    fn is_empty(&self) -> bool {
        self.len() == 0
    }
    /// The slot of `key` when it has one (scoring: a key without a slot weighs 0).
    fn get(&self, key: Self::Key) -> Option<usize>;
    /// The slot of `key`, creating it (as slot number [`len`](Slots::len)) when the storage
    /// grows and `key` has none yet.
    fn slot(&mut self, key: Self::Key) -> usize;
}

/// A fixed table whose slot numbers are the keys (a key out of range panics).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Dense {
    len: usize,
}

impl Dense {
    /// A table of `len` slots.
    pub fn new(len: usize) -> Dense {
        Dense { len }
    }
}

impl Slots for Dense {
    type Key = usize;
    #[inline]
    fn len(&self) -> usize {
        self.len
    }
    #[inline]
    fn get(&self, key: usize) -> Option<usize> {
        Some(key)
    }
    #[inline]
    fn slot(&mut self, key: usize) -> usize {
        key
    }
}

/// `2^bits` slots indexed by the top `bits` bits of a 64-bit feature hash (features whose
/// hashes share those bits share a weight).
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Hashed {
    bits: u32,
}

impl Hashed {
    /// A table of `2^bits` slots; `bits` must be in `1..=32`.
    pub fn new(bits: u32) -> Hashed {
        assert!(
            (1..=32).contains(&bits),
            "Hashed bits must be in 1..=32, not {bits}"
        );
        Hashed { bits }
    }

    /// The number of index bits.
    pub fn bits(&self) -> u32 {
        self.bits
    }

    /// The slot of a feature hash: its top bits.
    #[inline]
    pub fn index(&self, key: u64) -> usize {
        (key >> (64 - self.bits)) as usize
    }
}

impl Slots for Hashed {
    type Key = u64;
    #[inline]
    fn len(&self) -> usize {
        1 << self.bits
    }
    #[inline]
    fn get(&self, key: u64) -> Option<usize> {
        Some(self.index(key))
    }
    #[inline]
    fn slot(&mut self, key: u64) -> usize {
        self.index(key)
    }
}

/// One slot per distinct 64-bit key, in the order the keys were first updated.
#[derive(Clone, Debug, Default)]
pub struct Sparse {
    index: HashMap<u64, usize, FxBuildHasher>,
    keys: Vec<u64>,
}

impl Sparse {
    /// No slots yet.
    pub fn new() -> Sparse {
        Sparse::default()
    }

    /// The key of every slot, by slot number.
    pub fn keys(&self) -> &[u64] {
        &self.keys
    }
}

impl Slots for Sparse {
    type Key = u64;
    #[inline]
    fn len(&self) -> usize {
        self.keys.len()
    }
    #[inline]
    fn get(&self, key: u64) -> Option<usize> {
        self.index.get(&key).copied()
    }
    #[inline]
    fn slot(&mut self, key: u64) -> usize {
        let next = self.keys.len();
        let slot = *self.index.entry(key).or_insert(next);
        if slot == next {
            self.keys.push(key);
        }
        slot
    }
}

/// How a perceptron keeps what it needs to average its weights (see the module docs).
pub trait Averaging {
    /// The state for `len` slots, before any tick.
    fn with_len(len: usize) -> Self;
    /// Add slots up to `len` (new slots have never been updated).
    fn grow(&mut self, len: usize);
    /// One more example.
    fn tick(&mut self);
    /// Add `delta` to `weight`, the current weight of `slot`, keeping the average's state.
    fn add(&mut self, slot: usize, weight: &mut f32, delta: f32);
    /// The averaged weight of `slot`, whose current weight is `weight`.
    fn average(&self, slot: usize, weight: f32) -> f64;
}

/// Lazy averaging with timestamps: per slot the `f64` total of the weight over past ticks and
/// the tick of its last change (`caveat-attribution`).
///
/// Adding `delta` at tick `t`: `total += (t − last) · w` (in `f64`), `last = t`, `w += delta`
/// (so an update counts from the next tick on). Average at tick `t`:
/// `(total + (t − last) · w) / max(t, 1)`.
#[derive(Clone, Debug, Default)]
pub struct Lazy {
    total: Vec<f64>,
    stamp: Vec<u64>,
    clock: u64,
}

impl Lazy {
    /// Ticks so far.
    pub fn ticks(&self) -> u64 {
        self.clock
    }
}

impl Averaging for Lazy {
    fn with_len(len: usize) -> Lazy {
        Lazy {
            total: vec![0.0; len],
            stamp: vec![0; len],
            clock: 0,
        }
    }
    fn grow(&mut self, len: usize) {
        self.total.resize(len, 0.0);
        self.stamp.resize(len, 0);
    }
    #[inline]
    fn tick(&mut self) {
        self.clock += 1;
    }
    #[inline]
    fn add(&mut self, slot: usize, weight: &mut f32, delta: f32) {
        self.total[slot] += (self.clock - self.stamp[slot]) as f64 * *weight as f64;
        self.stamp[slot] = self.clock;
        *weight += delta;
    }
    #[inline]
    fn average(&self, slot: usize, weight: f32) -> f64 {
        let c = self.clock.max(1) as f64;
        let t = self.total[slot] + (self.clock - self.stamp[slot]) as f64 * weight as f64;
        t / c
    }
}

/// The float type of [`Summed`]'s sums and clock: `f32` or `f64`.
pub trait Float:
    Copy
    + Debug
    + Default
    + PartialEq
    + Add<Output = Self>
    + Sub<Output = Self>
    + Mul<Output = Self>
    + Div<Output = Self>
    + private::Sealed
{
    /// 1.
    const ONE: Self;
    /// `x` in this type (exact).
    fn from_f32(x: f32) -> Self;
    /// `self` as `f64` (exact).
    fn to_f64(self) -> f64;
}

impl Float for f32 {
    const ONE: f32 = 1.0;
    #[inline]
    fn from_f32(x: f32) -> f32 {
        x
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self as f64
    }
}

impl Float for f64 {
    const ONE: f64 = 1.0;
    #[inline]
    fn from_f32(x: f32) -> f64 {
        x as f64
    }
    #[inline]
    fn to_f64(self) -> f64 {
        self
    }
}

mod private {
    pub trait Sealed {}
    impl Sealed for f32 {}
    impl Sealed for f64 {}
}

/// Averaging by summed updates (the "averaging trick"): per slot the sum of `tick · delta` of
/// its updates, in `F` (`caveat-ner`: `f64`; `caveat-hedge`: `f32`).
///
/// The clock (in `F`) starts at 0 and each tick adds 1. Adding `delta` at clock `c`:
/// `w += delta` (in `f32`), `sum += c · delta` (in `F`). Average: `w − sum / (c + 1)` (in `F`).
#[derive(Clone, Debug, Default)]
pub struct Summed<F> {
    sum: Vec<F>,
    clock: F,
}

impl<F: Float> Summed<F> {
    /// The clock: ticks so far, counted in `F` (an `f32` clock stops at 2^24).
    pub fn clock(&self) -> F {
        self.clock
    }
}

impl<F: Float> Averaging for Summed<F> {
    fn with_len(len: usize) -> Summed<F> {
        Summed {
            sum: vec![F::default(); len],
            clock: F::default(),
        }
    }
    fn grow(&mut self, len: usize) {
        self.sum.resize(len, F::default());
    }
    #[inline]
    fn tick(&mut self) {
        self.clock = self.clock + F::ONE;
    }
    #[inline]
    fn add(&mut self, slot: usize, weight: &mut f32, delta: f32) {
        *weight += delta;
        self.sum[slot] = self.sum[slot] + self.clock * F::from_f32(delta);
    }
    #[inline]
    fn average(&self, slot: usize, weight: f32) -> f64 {
        (F::from_f32(weight) - self.sum[slot] / (self.clock + F::ONE)).to_f64()
    }
}

/// An averaged perceptron: `f32` weights in the slots of `S`, averaged by `A`.
#[derive(Clone, Debug)]
pub struct Perceptron<S, A> {
    slots: S,
    weights: Vec<f32>,
    avg: A,
}

impl<S: Slots, A: Averaging> Perceptron<S, A> {
    /// All weights 0, no tick yet.
    pub fn new(slots: S) -> Self {
        let n = slots.len();
        Perceptron {
            slots,
            weights: vec![0.0; n],
            avg: A::with_len(n),
        }
    }

    /// Start the next training example: call once per example, before its updates.
    #[inline]
    pub fn tick(&mut self) {
        self.avg.tick();
    }

    /// The current weight of `key` (0 when it has no slot).
    #[inline]
    pub fn weight(&self, key: S::Key) -> f32 {
        self.slots.get(key).map_or(0.0, |i| self.weights[i])
    }

    /// The sum of the current weights of `keys`, in order (a key listed twice counts twice).
    #[inline]
    pub fn score(&self, keys: &[S::Key]) -> f32 {
        keys.iter().map(|&k| self.weight(k)).sum()
    }

    /// Add `delta` to the weight of `key`.
    #[inline]
    pub fn add(&mut self, key: S::Key, delta: f32) {
        let i = self.slots.slot(key);
        if i >= self.weights.len() {
            let n = self.slots.len();
            self.weights.resize(n, 0.0);
            self.avg.grow(n);
        }
        self.avg.add(i, &mut self.weights[i], delta);
    }

    /// Add `delta` to the weight of every key of `keys`, in order.
    #[inline]
    pub fn update(&mut self, keys: &[S::Key], delta: f32) {
        for &k in keys {
            self.add(k, delta);
        }
    }

    /// One example of a binary decision with gold label `y` (`1.0` or `-1.0`): tick, score
    /// `keys`, and on a mistake (`y · score ≤ 0`) add `y` to their weights. Returns the score
    /// (before the update).
    pub fn learn_binary(&mut self, keys: &[S::Key], y: f32) -> f32 {
        self.tick();
        let score = self.score(keys);
        if y * score <= 0.0 {
            self.update(keys, y);
        }
        score
    }

    /// The current weights, by slot.
    #[inline]
    pub fn weights(&self) -> &[f32] {
        &self.weights
    }

    /// The storage (e.g. [`Sparse::keys`] to name the slots).
    pub fn slots(&self) -> &S {
        &self.slots
    }

    /// The averaging state.
    pub fn averaging(&self) -> &A {
        &self.avg
    }

    /// The averaged weight of slot `slot`.
    #[inline]
    pub fn average(&self, slot: usize) -> f64 {
        self.avg.average(slot, self.weights[slot])
    }

    /// The averaged weights, by slot.
    pub fn averages(&self) -> impl ExactSizeIterator<Item = f64> + '_ {
        (0..self.weights.len()).map(|i| self.average(i))
    }
}

#[cfg(test)]
mod tests;
