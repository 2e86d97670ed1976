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

/// A Cyrillic literal against an ASCII one of the same length in characters, as `prefix`
/// (line-start automaton) and `contains` (floating walk) rules, on lines of the same length in
/// characters that hold the literal or not. The project's bar: the Cyrillic case costs no more
/// than 1.5x the ASCII one.
fn script(c: &mut Criterion) {
    let rules = "\
        t.cyr-prefix  crosslink  prefix    читайте также\n\
        t.lat-prefix  crosslink  prefix    read also now\n\
        t.cyr-any     promo      contains  подпишитесь на канал\n\
        t.lat-any     promo      contains  subscribe to channel\n";
    let mut cats = Vec::new();
    let specs = dechaff::rules::parse_rules("bench", rules, &mut cats).unwrap();
    let matcher = dechaff::Matcher::new(&specs).unwrap();
    // Invented lines of 55-56 characters; the Cyrillic ones are 103-104 bytes, the ASCII 56.
    let lines: [(&str, &str, bool); 6] = [
        (
            "ascii-prefix-hit",
            "Read also now: the council voted on the ferry plan today",
            true,
        ),
        (
            "cyrillic-prefix-hit",
            "Читайте также: совет проголосовал за план парома сегодня",
            true,
        ),
        (
            "ascii-contains-hit",
            "Please subscribe to channel for more ferry plan news now",
            true,
        ),
        (
            "cyrillic-contains-hit",
            "Пожалуйста, подпишитесь на канал про новости паромов тут",
            true,
        ),
        (
            "ascii-miss",
            "The council voted on the ferry plan today after a debate",
            false,
        ),
        (
            "cyrillic-miss",
            "Совет проголосовал за план парома сегодня после дебатов.",
            false,
        ),
    ];
    let mut scratch = Scratch::new();
    let mut g = common::group(c, "script");
    for (name, line, dropped) in lines {
        let v = matcher.verdict(line.as_bytes(), &mut scratch);
        assert_eq!(matches!(v, Verdict::Drop(_)), dropped, "{name}: {v:?}");
        common::bench_bytes(&mut g, name, line.len(), |b| {
            b.iter(|| matcher.verdict(black_box(line.as_bytes()), &mut scratch))
        });
    }
    g.finish();
}

/// The same question with the text held fixed: one matcher holding only a Cyrillic `contains`
/// literal, one holding only an ASCII literal of the same length in characters, each over the
/// same Cyrillic and the same ASCII line (neither holds the literal). What a literal costs
/// depends on the bytes of the text it is looked for in, not on its own script.
fn literal_script(c: &mut Criterion) {
    let one = |rule: &str| {
        let mut cats = Vec::new();
        let specs = dechaff::rules::parse_rules("bench", rule, &mut cats).unwrap();
        dechaff::Matcher::new(&specs).unwrap()
    };
    let matchers = [
        (
            "cyrillic-literal",
            one("t.cyr promo contains подпишитесь на канал\n"),
        ),
        (
            "ascii-literal",
            one("t.lat promo contains subscribe to channel\n"),
        ),
    ];
    let texts = [
        (
            "cyrillic-text",
            "Совет проголосовал за план парома сегодня после дебатов.",
        ),
        (
            "ascii-text",
            "The council voted on the ferry plan today after a debate",
        ),
    ];
    let mut scratch = Scratch::new();
    let mut g = common::group(c, "literal-script");
    for (text_name, text) in texts {
        for (m_name, m) in &matchers {
            assert_eq!(m.verdict(text.as_bytes(), &mut scratch), Verdict::Keep);
            common::bench_bytes(&mut g, &format!("{m_name}/{text_name}"), text.len(), |b| {
                b.iter(|| m.verdict(black_box(text.as_bytes()), &mut scratch))
            });
        }
    }
    g.finish();
}

criterion_group!(benches, verdict, script, literal_script);
criterion_main!(benches);
