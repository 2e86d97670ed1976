//! The whole filter over generated corpora into a `Vec`, and rule compilation.
//!
//! Groups: `filter` (size tiers, built-in packs, `Filter::run` and `run_parallel` with 2 jobs),
//! `pathological` (lines longer than the 1 MiB line cap, 100 KB lines, a hit on every line,
//! 10,000 literal rules) and `compile` (`Matcher::new` for 10,000 literals and for the packs).

use std::hint::black_box;

use criterion::{Criterion, Throughput, criterion_group, criterion_main};
use dechaff::{Filter, FilterConfig, Matcher};

mod common;
mod corpus;

/// `Filter::run` and `run_parallel` with 2 jobs over `input`, as `<name>/run` and `<name>/j2`.
fn both(
    g: &mut criterion::BenchmarkGroup<'_, criterion::measurement::WallTime>,
    name: &str,
    matcher: &Matcher,
    input: &[u8],
) {
    let filter = Filter::new(matcher, FilterConfig::default());
    let mut out = Vec::with_capacity(input.len());
    common::bench_bytes(g, &format!("{name}/run"), input.len(), |b| {
        b.iter(|| {
            out.clear();
            filter.run(black_box(input), &mut out, &mut ()).unwrap();
            out.len()
        })
    });
    common::bench_bytes(g, &format!("{name}/j2"), input.len(), |b| {
        b.iter(|| {
            out.clear();
            filter
                .run_parallel(black_box(input), &mut out, &mut (), 2)
                .unwrap();
            out.len()
        })
    });
}

fn tiers(c: &mut Criterion) {
    let matcher = common::builtin_matcher();
    let mut g = common::group(c, "filter");
    for (name, size, seed) in [
        ("tiny-10KB", corpus::TINY, 1),
        ("small-1MB", corpus::SMALL, 2),
        ("large-32MB", corpus::LARGE, 3),
    ] {
        let input = corpus::news(size, seed);
        both(&mut g, name, &matcher, &input);
    }
    g.finish();
}

fn pathological(c: &mut Criterion) {
    let builtin = common::builtin_matcher();
    let mut g = common::group(c, "pathological");
    // Lines of 2 MiB: past the 1 MiB cap, passed through in pieces unchecked.
    let over_cap = corpus::long_lines(8 << 20, 2 << 20, 4);
    both(&mut g, "lines-2MiB", &builtin, &over_cap);
    // Lines of 100 KB: under the cap, matched whole.
    let long = corpus::long_lines(8 << 20, 100_000, 5);
    both(&mut g, "lines-100KB", &builtin, &long);
    // Every line is chaff: every line is a candidate and is verified.
    let hits = corpus::all_chaff(corpus::SMALL, 6);
    both(&mut g, "hit-every-line", &builtin, &hits);
    // 10,000 generated literals (`-F -i`) over ordinary text.
    let many = Matcher::new(&common::literal_specs(&corpus::literals(10_000, 8))).unwrap();
    let news = corpus::news(corpus::SMALL, 7);
    both(&mut g, "10k-literals", &many, &news);
    g.finish();
}

fn compile(c: &mut Criterion) {
    let literals = common::literal_specs(&corpus::literals(10_000, 8));
    let builtin = common::builtin_specs();
    let mut g = common::group(c, "compile");
    g.throughput(Throughput::Elements(literals.len() as u64));
    g.bench_function("10k-literals", |b| {
        b.iter(|| Matcher::new(black_box(&literals)).unwrap())
    });
    g.throughput(Throughput::Elements(builtin.len() as u64));
    g.bench_function("builtin-packs", |b| {
        b.iter(|| Matcher::new(black_box(&builtin)).unwrap())
    });
    g.finish();
}

criterion_group!(benches, tiers, pathological, compile);
criterion_main!(benches);
