//! The JSON Lines path on arbitrary bytes as a record stream, with the built-in packs.
//!
//! The first byte chooses the record cap and the read buffer's size. Invariants: no panic; with
//! `--on-bad-record=pass` every record comes out, in order, and a record no event names comes
//! out byte for byte; a cleaned record is still valid JSON and its text is what the text filter
//! makes of the input's text; the result does not depend on the read buffer's size; `fail`
//! writes a prefix of what `pass` writes, and `skip` a subsequence of its records.

#![no_main]

mod common;

use std::io::BufReader;
use std::sync::OnceLock;

use common::Log;
use dechaff::jsonl::{BadRecordPolicy, JsonlConfig, run_jsonl};
use dechaff::report::RecordCounts;
use dechaff::{Filter, FilterConfig, Matcher, RunError};
use libfuzzer_sys::fuzz_target;
use serde_json::Value;

fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut cats = Vec::new();
        let specs = dechaff::packs::builtin_specs(None, &mut cats).unwrap();
        Matcher::new(&specs).unwrap()
    })
}

fn run(data: &[u8], config: &JsonlConfig, capacity: usize) -> (Vec<u8>, Log, Result<(), RunError>) {
    let (mut out, mut log, mut counts) = (Vec::new(), Log::default(), RecordCounts::default());
    let input = BufReader::with_capacity(capacity, data);
    let r = run_jsonl(matcher(), config, input, &mut out, &mut log, &mut counts);
    (out, log, r)
}

fn records(data: &[u8]) -> Vec<&[u8]> {
    data.split_inclusive(|&b| b == b'\n').collect()
}

fuzz_target!(|data: &[u8]| {
    let Some((&flags, data)) = data.split_first() else {
        return;
    };
    let max_record = if flags & 1 == 0 {
        64 << 20
    } else {
        usize::from(flags >> 1) + 1
    };
    let capacity = usize::from(flags >> 3) + 1;
    let pass = JsonlConfig {
        on_bad_record: BadRecordPolicy::Pass,
        max_record,
        ..JsonlConfig::default()
    };
    let (out, log, r) = run(data, &pass, data.len().max(1));
    assert!(r.is_ok(), "pass policy failed: {r:?}");

    let ins = records(data);
    let outs = records(&out);
    assert_eq!(ins.len(), outs.len(), "record count changed");
    let text_filter = Filter::new(matcher(), FilterConfig::default());
    for (i, (a, b)) in ins.iter().zip(&outs).enumerate() {
        let n = i as u64 + 1;
        if log.0.iter().all(|e| e.record != n) {
            assert!(a == b, "untouched record {n} changed");
            continue;
        }
        // Changed: JSON in and out as dechaff checks it (serde_json without building values,
        // which lets invalid UTF-8 inside strings through: scraped text has it, and dechaff
        // keeps those bytes as they are).
        let valid = |r: &[u8]| serde_json::from_slice::<serde::de::IgnoredAny>(r).is_ok();
        assert!(valid(a), "record {n} was changed but is not JSON");
        assert!(valid(b), "record {n}: the cleaned record is not JSON");
        // Where the record is also valid UTF-8, its values can be compared.
        let (Ok(vin), Ok(vout)) = (
            serde_json::from_slice::<Value>(a),
            serde_json::from_slice::<Value>(b),
        ) else {
            continue;
        };
        if let (Value::Object(mi), Value::Object(mo)) = (&vin, &vout) {
            assert_eq!(
                mi.keys().collect::<Vec<_>>(),
                mo.keys().collect::<Vec<_>>(),
                "record {n}: keys changed"
            );
            for (k, v) in mi {
                if k != "text" {
                    assert_eq!(&mo[k], v, "record {n}: key {k} changed");
                }
            }
            if let (Some(Value::String(t)), Some(Value::String(t2))) =
                (mi.get("text"), mo.get("text"))
            {
                let mut want = Vec::new();
                text_filter.run(t.as_bytes(), &mut want, &mut ()).unwrap();
                assert!(
                    want == t2.as_bytes(),
                    "record {n}: text differs from the text filter's"
                );
            }
        }
    }

    let (small, small_log, r) = run(data, &pass, capacity);
    assert!(r.is_ok());
    assert!(
        small == out,
        "output depends on the read buffer ({capacity})"
    );
    assert_eq!(
        small_log, log,
        "events depend on the read buffer ({capacity})"
    );

    let fail = JsonlConfig {
        on_bad_record: BadRecordPolicy::Fail,
        ..pass.clone()
    };
    let (f, _, r) = run(data, &fail, capacity);
    assert!(out.starts_with(&f), "fail policy wrote what pass did not");
    if r.is_ok() {
        assert!(f == out, "fail policy succeeded with a different output");
    }

    let skip = JsonlConfig {
        on_bad_record: BadRecordPolicy::Skip,
        ..pass
    };
    let (s, _, r) = run(data, &skip, capacity);
    assert!(r.is_ok());
    let mut kept = outs.iter();
    for rec in records(&s) {
        assert!(
            kept.any(|o| *o == rec),
            "skip policy wrote a record pass did not"
        );
    }
});
