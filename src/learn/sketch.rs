//! Fixed-size counting structures for `learn`: a Bloom filter and a Misra-Gries heavy-hitter
//! table, both keyed by 64-bit hashes.
//!
//! They exist so that `learn` finds recurring lines in memory that does not grow with its
//! input: both are allocated once, at their full size, before any input is read. Their errors
//! only ever lose evidence (a line is counted less, or a document is taken for a duplicate), so
//! they can make `learn` propose fewer rules, never a rule the input does not support: every
//! figure `learn` writes comes from an exact second pass.

use std::collections::HashMap;
use std::hash::{BuildHasherDefault, Hasher};

/// A hasher for keys that are already well-mixed 64-bit hashes: it passes them through. Keeps
/// the tables deterministic (no random seed) and cheap.
#[derive(Default, Clone, Copy)]
pub struct PassThrough(u64);

impl Hasher for PassThrough {
    fn finish(&self) -> u64 {
        self.0
    }
    fn write(&mut self, bytes: &[u8]) {
        for &b in bytes {
            self.0 = (self.0.rotate_left(8) ^ u64::from(b)).wrapping_mul(0x9E37_79B9_7F4A_7C15);
        }
    }
    fn write_u64(&mut self, n: u64) {
        self.0 = n;
    }
}

/// A `HashMap` keyed by a pre-mixed hash.
pub type HashMap64<V> = HashMap<u64, V, BuildHasherDefault<PassThrough>>;

/// An empty [`HashMap64`] with room for `n` entries.
pub fn map_with_capacity<V>(n: usize) -> HashMap64<V> {
    HashMap::with_capacity_and_hasher(n, BuildHasherDefault::default())
}

/// The SplitMix64 finaliser: a bijective mix of 64 bits.
pub fn mix(mut z: u64) -> u64 {
    z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
    z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
    z ^ (z >> 31)
}

/// A 64-bit FNV-1a hash of `bytes` after `seed`, finished with [`mix`]. Stable across runs and
/// platforms, so `learn`'s output depends on its input only.
pub fn hash_bytes(seed: u64, bytes: &[u8]) -> u64 {
    let mut h = 0xCBF2_9CE4_8422_2325 ^ seed;
    for &b in bytes {
        h ^= u64::from(b);
        h = h.wrapping_mul(0x0000_0100_0000_01B3);
    }
    mix(h)
}

/// A Bloom filter of `2^bits` bits probed `probes` times per key (double hashing).
///
/// With `n` keys inserted, a key never inserted is reported present with probability about
/// `(1 - e^(-probes * n / 2^bits))^probes`.
pub struct Bloom {
    words: Vec<u64>,
    mask: u64,
    probes: u32,
}

impl Bloom {
    /// A filter of `2^bits` bits (`bits` from 6 to 40), all clear.
    pub fn new(bits: u32, probes: u32) -> Bloom {
        let bits = bits.clamp(6, 40);
        Bloom {
            words: vec![0; 1usize << (bits - 6)],
            mask: (1u64 << bits) - 1,
            probes: probes.max(1),
        }
    }

    /// The word index and bit of `key`'s `i`-th probe.
    fn probe(&self, key: u64, i: u32) -> (usize, u64) {
        let h2 = mix(key ^ 0xA076_1D64_78BD_642F) | 1;
        let bit = key.wrapping_add(u64::from(i).wrapping_mul(h2)) & self.mask;
        ((bit >> 6) as usize, 1 << (bit & 63))
    }

    /// Sets `key`'s bits; returns true when they were all set already ("probably seen").
    pub fn check_and_set(&mut self, key: u64) -> bool {
        let mut seen = true;
        for i in 0..self.probes {
            let (w, b) = self.probe(key, i);
            if self.words[w] & b == 0 {
                seen = false;
                self.words[w] |= b;
            }
        }
        seen
    }

    /// True when all of `key`'s bits are set ("probably seen"), without setting them.
    pub fn contains(&self, key: u64) -> bool {
        (0..self.probes).all(|i| {
            let (w, b) = self.probe(key, i);
            self.words[w] & b != 0
        })
    }

    /// The memory the filter holds, in bytes.
    pub fn bytes(&self) -> usize {
        self.words.len() * 8
    }
}

/// The Misra-Gries summary: at most `capacity` counters. When a new key finds the table full,
/// every counter is decremented and the ones at zero are dropped ("a decrement round").
///
/// For every key, `true count - rounds <= count(key) <= true count`, and `rounds` is at most
/// `total / (capacity + 1)`, where `total` is the number of [`MisraGries::add`] calls. So a key
/// added more than `total / (capacity + 1)` times is always in the table. The table never
/// overestimates, and which keys it keeps does not depend on the hash map's iteration order.
pub struct MisraGries {
    counts: HashMap64<u32>,
    capacity: usize,
    rounds: u64,
    total: u64,
}

impl MisraGries {
    /// An empty summary with room for `capacity` counters (at least 1), allocated now.
    pub fn new(capacity: usize) -> MisraGries {
        let capacity = capacity.max(1);
        MisraGries {
            counts: map_with_capacity(capacity),
            capacity,
            rounds: 0,
            total: 0,
        }
    }

    /// Counts one occurrence of `key`.
    pub fn add(&mut self, key: u64) {
        self.total += 1;
        if let Some(c) = self.counts.get_mut(&key) {
            *c += 1;
            return;
        }
        if self.counts.len() < self.capacity {
            self.counts.insert(key, 1);
            return;
        }
        // The new key's own count of 1 is cancelled by the round, so it is not inserted.
        self.rounds += 1;
        self.counts.retain(|_, c| {
            *c -= 1;
            *c > 0
        });
    }

    /// The kept count of `key` (0 when not kept): a lower bound of its true count.
    pub fn count(&self, key: u64) -> u32 {
        self.counts.get(&key).copied().unwrap_or(0)
    }

    /// Decrement rounds so far: the most any count may be below the truth.
    pub fn rounds(&self) -> u64 {
        self.rounds
    }

    /// Occurrences counted so far.
    pub fn total(&self) -> u64 {
        self.total
    }

    /// The kept keys and counts, in no particular order.
    pub fn iter(&self) -> impl Iterator<Item = (u64, u32)> + '_ {
        self.counts.iter().map(|(&k, &c)| (k, c))
    }

    /// Counters held.
    pub fn len(&self) -> usize {
        self.counts.len()
    }

    /// True when no counter is held.
    pub fn is_empty(&self) -> bool {
        self.counts.is_empty()
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn bloom_reports_inserted_keys_and_few_others() {
        let mut b = Bloom::new(16, 3);
        for k in 0..2000u64 {
            b.check_and_set(mix(k));
        }
        for k in 0..2000u64 {
            assert!(b.contains(mix(k)), "inserted key {k} must be reported");
        }
        // 2000 keys in 65536 bits with 3 probes: expected false-positive rate
        // (1 - e^(-3 * 2000 / 65536))^3, about 0.07 %.
        let false_pos = (10_000..20_000u64).filter(|&k| b.contains(mix(k))).count();
        assert!(false_pos < 50, "{false_pos} false positives of 10000");
        assert!(b.check_and_set(mix(5)));
        assert!(!b.check_and_set(mix(123_456)));
        assert_eq!(b.bytes(), 8192);
    }

    #[test]
    fn misra_gries_keeps_exact_counts_until_full() {
        let mut mg = MisraGries::new(4);
        for k in [1, 2, 1, 3, 1, 2] {
            mg.add(k);
        }
        assert_eq!((mg.count(1), mg.count(2), mg.count(3)), (3, 2, 1));
        assert_eq!(mg.rounds(), 0);
        assert_eq!(mg.len(), 3);
    }

    #[test]
    fn misra_gries_never_overestimates_and_keeps_heavy_keys() {
        // A stream with 3 heavy keys among 5000 distinct light ones.
        let mut mg = MisraGries::new(64);
        let mut truth: HashMap<u64, u32> = HashMap::new();
        let mut n = 0u64;
        for i in 0..20_000u64 {
            let key = if i % 5 == 0 {
                i % 3
            } else {
                100 + mix(i) % 5000
            };
            mg.add(key);
            *truth.entry(key).or_default() += 1;
            n += 1;
        }
        assert_eq!(mg.total(), n);
        let bound = n / 65;
        assert!(mg.rounds() <= bound, "{} rounds > {bound}", mg.rounds());
        for (&k, &t) in &truth {
            let c = mg.count(k);
            assert!(c <= t, "key {k}: kept {c} > true {t}");
            assert!(u64::from(t) - u64::from(c) <= mg.rounds(), "key {k}");
            if u64::from(t) > bound {
                assert!(c > 0, "heavy key {k} ({t}) was lost");
            }
        }
        for k in 0..3 {
            assert!(mg.count(k) > 1000);
        }
        assert!(mg.len() <= 64);
    }

    #[test]
    fn hashes_are_stable() {
        // Fixed values: the output of learn must not change between runs or builds.
        assert_eq!(hash_bytes(0, b""), mix(0xCBF2_9CE4_8422_2325));
        assert_ne!(hash_bytes(0, b"ab"), hash_bytes(0, b"ba"));
        assert_ne!(hash_bytes(1, b"ab"), hash_bytes(2, b"ab"));
    }
}
