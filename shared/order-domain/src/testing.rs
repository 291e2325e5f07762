//! The shared given/when/then (`es_core::testing`), the ids the aggregates' tests share, and a
//! seeded generator for the property-style tests.

pub(crate) use es_core::testing::*;

use uuid::Uuid;

/// The customer of the tests (and of the order they place).
pub(crate) fn customer_id() -> Uuid {
    Uuid::from_u128(0xC1)
}

/// The order the order and cart tests place.
pub(crate) fn order_id() -> Uuid {
    Uuid::from_u128(0x0D1)
}

/// The `n`th of several orders paid for or reserved for in the saga steps' tests.
pub(crate) fn order(n: u128) -> Uuid {
    Uuid::from_u128(0x0D00 + n)
}

/// A tiny deterministic pseudo-random generator (xorshift64*), for property-style tests with a
/// fixed seed and no extra dependency.
pub(crate) struct Rng(u64);

impl Rng {
    pub(crate) fn new(seed: u64) -> Self {
        Self(seed.max(1))
    }

    pub(crate) fn next(&mut self) -> u64 {
        let mut x = self.0;
        x ^= x >> 12;
        x ^= x << 25;
        x ^= x >> 27;
        self.0 = x;
        x.wrapping_mul(0x2545_F491_4F6C_DD1D)
    }

    /// Uniform-ish in `0..n`.
    pub(crate) fn below(&mut self, n: u64) -> u64 {
        self.next() % n
    }
}
