//! The rules parser and compiler on arbitrary text, then the line filter with whatever compiled.
//!
//! Input: a flags byte, then the rules text, then (after the first NUL) a text to filter.
//! Flags bit 0 chooses grep-style patterns (`-e`/`-f`, one per line) instead of a rules file,
//! bit 1 `-F`, bit 2 `-i`. Invariants: parsing and compiling never panic; every error names the
//! rule's `file:line`; when the rules compile, `common::check_filter` holds on the text (and on
//! the rules text itself, which is full of strings the rules match).

#![no_main]

mod common;

use std::sync::Arc;

use dechaff::Matcher;
use dechaff::rules::{GrepOptions, grep_specs, parse_rules};
use libfuzzer_sys::fuzz_target;

const SOURCE: &str = "fz.rules";

fn names_the_line(e: &dechaff::Error) -> bool {
    let s = e.to_string();
    let Some(rest) = s.strip_prefix(SOURCE).and_then(|r| r.strip_prefix(':')) else {
        return false;
    };
    let digits = rest.bytes().take_while(u8::is_ascii_digit).count();
    digits > 0 && rest[digits..].starts_with(": ")
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, rest)) = data.split_first() else {
        return;
    };
    let (rules, text) = match rest.iter().position(|&b| b == 0) {
        Some(i) => (&rest[..i], &rest[i + 1..]),
        None => (rest, &b"Advertisement\nA story line.\nREAD MORE: x\n"[..]),
    };
    let Ok(rules) = std::str::from_utf8(rules) else {
        return;
    };
    let mut cats = Vec::new();
    let specs = if flags & 1 == 0 {
        match parse_rules(SOURCE, rules, &mut cats) {
            Ok(s) => s,
            Err(e) => {
                assert!(names_the_line(&e), "parse error without {SOURCE}:LINE: {e}");
                return;
            }
        }
    } else {
        let src: Arc<str> = Arc::from(SOURCE);
        let opts = GrepOptions {
            fixed_strings: flags & 2 != 0,
            ignore_case: flags & 4 != 0,
        };
        grep_specs(
            rules
                .split('\n')
                .enumerate()
                .map(|(i, p)| (src.clone(), i + 1, p)),
            opts,
        )
    };
    let m = match Matcher::new(&specs) {
        Ok(m) => m,
        Err(e) => {
            assert!(
                names_the_line(&e),
                "compile error without {SOURCE}:LINE: {e}"
            );
            return;
        }
    };
    let max_line = if flags & 8 == 0 { 64 << 10 } else { 16 };
    common::check_filter(&m, text, max_line, 2, usize::from(flags >> 4) + 1);
    common::check_filter(&m, rules.as_bytes(), max_line, 2, 7);
});
