//! The line filter on arbitrary bytes, with the built-in packs (all languages) and a few rules of
//! each place and action: the invariants of `common::check_filter` must hold for every input.
//! The first two bytes choose the line cap, the thread count and the read size.

#![no_main]

mod common;

use std::sync::OnceLock;

use dechaff::Matcher;
use libfuzzer_sys::fuzz_target;

const CUSTOM_RULES: &str = "\
fz.ad.sponsor        ad         line                  Sponsored by Example
fz.promo.subscribe   promo      contains,case         SUBSCRIBE NOW
fz.promo.tail        promo      suffix,max-words=6    -- share this
fz.widget.poll       widget     regex,max-words=10    ^\\s*poll:\\s
fz.ad.bracket        ad         regex,strip           \\s*(\\[ad\\])
fz.ad.star           ad         regex,strip,case      \\w(\\*+)
";

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut cats = Vec::new();
        let mut specs = dechaff::packs::builtin_specs(None, &mut cats).unwrap();
        specs.extend(dechaff::rules::parse_rules("fz.rules", CUSTOM_RULES, &mut cats).unwrap());
        Matcher::new(&specs).unwrap()
    })
}

fuzz_target!(|data: &[u8]| {
    let (max_line, jobs, step, text) = match data {
        [a, b, rest @ ..] => {
            let max_line = if a & 0x80 == 0 {
                64 << 10
            } else {
                usize::from(a & 0x7f) + 1
            };
            (
                max_line,
                usize::from(b & 3) + 1,
                usize::from(b >> 2) + 1,
                rest,
            )
        }
        _ => (64 << 10, 1, 1, data),
    };
    common::check_filter(matcher(), text, max_line, jobs, step);
});
