//! The line verdict: `Matcher::verdict` on single lines with the built-in packs.

use std::hint::black_box;

use criterion::{Criterion, criterion_group, criterion_main};
use dechaff::{Scratch, Verdict};

mod common;
mod corpus;

fn verdict(c: &mut Criterion) {
    let matcher = common::builtin_matcher();
    let long = corpus::long_paragraph();
    let lines: [(&str, &[u8], bool); 4] = [
        ("short-promo", corpus::PROMO_LINE.as_bytes(), true),
        ("long-paragraph", &long, false),
        ("cyrillic", corpus::CYRILLIC_LINE.as_bytes(), false),
        ("cjk", corpus::CJK_LINE.as_bytes(), false),
    ];
    let mut scratch = Scratch::new();
    let mut g = common::group(c, "verdict");
    for (name, line, dropped) in lines {
        // The inputs mean what their names say.
        let v = matcher.verdict(line, &mut scratch);
        assert_eq!(matches!(v, Verdict::Drop(_)), dropped, "{name}: {v:?}");
        common::bench_bytes(&mut g, name, line.len(), |b| {
            b.iter(|| matcher.verdict(black_box(line), &mut scratch))
        });
    }
    g.finish();
}

criterion_group!(benches, verdict);
criterion_main!(benches);
