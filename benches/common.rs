//! Helpers shared by the criterion benches: group settings, byte throughput, matchers.

// Each bench target uses a different part of this module.
#![allow(dead_code)]

use std::sync::Arc;
use std::time::Duration;

use criterion::measurement::WallTime;
use criterion::{Bencher, BenchmarkGroup, Criterion, Throughput};
use dechaff::Matcher;
use dechaff::rules::{GrepOptions, RuleSpec, grep_specs};

/// A group with short default settings, so that `cargo bench` stays within a few minutes on
/// two cores. `DECHAFF_BENCH_LONG=1` measures longer for steadier figures.
pub fn group<'a>(c: &'a mut Criterion, name: &str) -> BenchmarkGroup<'a, WallTime> {
    let long = std::env::var_os("DECHAFF_BENCH_LONG").is_some();
    let mut g = c.benchmark_group(name);
    g.sample_size(10)
        .warm_up_time(Duration::from_millis(if long { 2000 } else { 300 }))
        .measurement_time(Duration::from_secs(if long { 10 } else { 2 }));
    g
}

/// Benchmarks `f` as processing `len` bytes per iteration, so results read as MB/s.
pub fn bench_bytes(
    g: &mut BenchmarkGroup<'_, WallTime>,
    id: &str,
    len: usize,
    f: impl FnMut(&mut Bencher<'_, WallTime>),
) {
    g.throughput(Throughput::Bytes(len as u64));
    g.bench_function(id, f);
}

/// The rule specs of all built-in packs.
pub fn builtin_specs() -> Vec<RuleSpec> {
    let mut categories = Vec::new();
    dechaff::packs::builtin_specs(None, &mut categories).expect("built-in packs parse")
}

/// The matcher of all built-in packs.
pub fn builtin_matcher() -> Matcher {
    Matcher::new(&builtin_specs()).expect("built-in packs compile")
}

/// Specs for `literals` as `-F -i` grep patterns.
pub fn literal_specs(literals: &[String]) -> Vec<RuleSpec> {
    let source: Arc<str> = Arc::from("<bench>");
    grep_specs(
        literals
            .iter()
            .enumerate()
            .map(|(i, l)| (Arc::clone(&source), i + 1, l.as_str())),
        GrepOptions {
            fixed_strings: true,
            ignore_case: true,
        },
    )
}
