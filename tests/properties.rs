//! Property tests of the library API (no process is spawned), with the built-in packs plus a few
//! custom rules compiled once:
//!
//! - nothing panics on any bytes (`Filter::run`, `Filter::run_parallel`, `Matcher::verdict`);
//! - the output is the input with the dropped lines removed and the changed lines replaced,
//!   reconstructed from the input and the observer's events alone, and every line's events
//!   agree with [`Matcher::verdict`] on that line;
//! - filtering the output again changes nothing but lines a strip rule changed (see
//!   `filtering_again_only_revisits_stripped_lines` for why those are the exception);
//! - output and events do not depend on the buffer size, the thread count or the read chunking,
//!   and lines longer than `max_line` come out unchanged;
//! - JSON Lines: untouched records come out byte for byte, every record still parses with the
//!   same keys and non-text values, and the cleaned text equals the text filter's output.

use std::sync::OnceLock;

use dechaff::jsonl::{JsonlConfig, run_jsonl};
use dechaff::report::{EventKind, RecordCounts};
use dechaff::{
    Boundary, DocumentConfig, Filter, FilterConfig, Matcher, OutputMode, Scratch, Verdict,
};

use crate::common::{Log, Trickle, lines, split_line};
use proptest::prelude::*;
use serde_json::{Map, Value};

/// Rules added to the built-in packs: one of each place (start, end, anywhere, every line) and a
/// strip rule with a capture group.
const CUSTOM_RULES: &str = "\
prop.ad.sponsor        ad         line                  Sponsored by Example
prop.promo.subscribe   promo      contains,case         SUBSCRIBE NOW
prop.promo.tail        promo      suffix,max-words=6    -- share this
prop.widget.poll       widget     regex,max-words=10    ^\\s*poll:\\s
prop.ad.bracket        ad         regex,strip           \\s*(\\[ad\\])
";

/// The built-in packs (all languages) plus [`CUSTOM_RULES`], compiled once for all tests.
fn matcher() -> &'static Matcher {
    static M: OnceLock<Matcher> = OnceLock::new();
    M.get_or_init(|| {
        let mut cats = Vec::new();
        let mut specs = dechaff::packs::builtin_specs(None, &mut cats).unwrap();
        specs.extend(dechaff::rules::parse_rules("prop.rules", CUSTOM_RULES, &mut cats).unwrap());
        Matcher::new(&specs).unwrap()
    })
}

/// A filter over [`matcher`] with the given buffer size.
fn filter(max_line: usize) -> Filter<'static> {
    Filter::new(
        matcher(),
        FilterConfig {
            max_line,
            ..FilterConfig::default()
        },
    )
}

/// Filters `data` with `max_line`, `jobs` threads and reads of at most `step` bytes.
fn run(data: &[u8], max_line: usize, jobs: usize, step: usize) -> (Vec<u8>, Log) {
    run_with(&filter(max_line), data, jobs, step)
}

/// As [`run`], with a document cap of 16 bytes: the packs have document rules, so an input
/// under the cap is judged whole on the calling thread, and only what lies past the cap goes
/// to the parallel line driver (in chunks of at most `max_line` bytes).
fn run_lines(data: &[u8], max_line: usize, jobs: usize, step: usize) -> (Vec<u8>, Log) {
    let f = filter(max_line).with_documents(DocumentConfig {
        max_doc: 16,
        ..Default::default()
    });
    run_with(&f, data, jobs, step)
}

/// Filters `data` with `f`, `jobs` threads and reads of at most `step` bytes.
fn run_with(f: &Filter<'_>, data: &[u8], jobs: usize, step: usize) -> (Vec<u8>, Log) {
    let (mut out, mut log) = (Vec::new(), Log::default());
    f.run_parallel(Trickle { data, step }, &mut out, &mut log, jobs)
        .unwrap();
    (out, log)
}

/// Chaff lines of several kinds (built-in and custom rules, drop and strip) without terminator.
const CHAFF: &[&str] = &[
    "Advertisement",
    "  ADVERTISEMENT  ",
    "READ MORE: x",
    "READ MORE: Ferry Fares to Rise in Spring — Council",
    "Units of Daesh* fled",
    "\"We listened,\" a spokesperson said of ISIS* defectors.",
    "*Daesh, also known as IS/ISIS/ISIL/Islamic State, is a terrorist organisation banned in Russia",
    "The town (RELATED: Another story here) was quiet.",
    "Story continues below",
    "Sponsored content",
    "Sponsored by Example",
    "Click here to SUBSCRIBE NOW for more",
    "Great article -- share this",
    "Poll: which is best?",
    "Prices rose [ad] again",
    "[ad]",
    "Читайте также: Новости дня",
    "Also on rt.com Another headline",
];

/// Bytes that often break text handling: NUL, a lone CR, invalid UTF-8, zero-width space, NBSP.
const ODD_BYTES: &[&[u8]] = &[
    b"\0",
    b"\r",
    b"\xff\xfe",
    b"\xc3",
    b"\xe2\x80\x8b",
    b"\xc2\xa0",
    b"*",
    b"\t",
];

/// Fragments that line generators glue together, so that rules meet each other on one line.
fn fragment() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        3 => proptest::sample::select(CHAFF).prop_map(|s| s.as_bytes().to_vec()),
        3 => "[A-Za-z0-9 ,.:()*\\[\\]-]{0,30}".prop_map(String::into_bytes),
        1 => "\\PC{0,12}".prop_map(String::into_bytes),
        1 => proptest::collection::vec(any::<u8>(), 0..12),
        1 => proptest::sample::select(ODD_BYTES).prop_map(<[u8]>::to_vec),
    ]
}

/// One line's content: a chaff line, a few fragments, or occasionally a long run of bytes.
fn line_content() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        4 => proptest::sample::select(CHAFF).prop_map(|s| s.as_bytes().to_vec()),
        4 => proptest::collection::vec(fragment(), 0..4).prop_map(|v| v.concat()),
        1 => (proptest::sample::select(CHAFF), 20usize..300).prop_map(|(s, n)| {
            // A long line: chaff padded with blanks, still chaff when it is judged.
            let mut v = s.as_bytes().to_vec();
            v.extend(std::iter::repeat_n(b' ', n));
            v
        }),
        1 => (any::<u8>(), 20usize..400).prop_map(|(b, n)| vec![b; n]),
    ]
}

/// Text input: lines with `\n`, `\r\n` or no terminator (which joins it to the next line).
fn text_input() -> impl Strategy<Value = Vec<u8>> {
    let terminated = (
        line_content(),
        prop_oneof![4 => Just(&b"\n"[..]), 2 => Just(&b"\r\n"[..]), 1 => Just(&b""[..])],
    )
        .prop_map(|(mut l, t)| {
            l.extend_from_slice(t);
            l
        });
    proptest::collection::vec(terminated, 0..24).prop_map(|v| v.concat())
}

/// Arbitrary bytes, or structured text.
fn any_input() -> impl Strategy<Value = Vec<u8>> {
    prop_oneof![
        1 => proptest::collection::vec(any::<u8>(), 0..512),
        3 => text_input(),
    ]
}

/// Checks `out` and `log` against the input: the expected output is rebuilt from the input's
/// lines and the events alone (dropped lines left out, changed lines with their reported spans
/// cut out, long lines as they are), every line without an event must be one the matcher keeps,
/// and the events agree with [`Matcher::verdict`] on each line, except where the document pass
/// adds to it: lines after a `cut` marker, before a `before=N` one or between `between=N` ones,
/// rules scoped to a zone, and footnote markers (only `*` bytes) stripped because their
/// footnote was dropped from the same input.
fn check_reconstruction(data: &[u8], max_line: usize, out: &[u8], log: &Log) {
    let m = matcher();
    let mut scratch = Scratch::new();
    let mut events = log.0.iter().peekable();
    let mut want = Vec::new();
    for (i, line) in lines(data).into_iter().enumerate() {
        let line_no = i as u64 + 1;
        let (content, term) = split_line(line);
        let ev = events.next_if(|e| e.line_no == line_no);
        let verdict = m.verdict(content, &mut scratch);
        match ev.map(|e| e.kind) {
            None => {
                // Long lines are reported, so a line without an event was judged and kept.
                assert!(
                    line.len() <= max_line,
                    "line {line_no} longer than {max_line} without a LongLine event"
                );
                assert_eq!(verdict, Verdict::Keep, "line {line_no} {content:?}");
                want.extend_from_slice(line);
            }
            Some(EventKind::LongLine) => {
                assert!(line.len() >= max_line, "line {line_no} is not long");
                want.extend_from_slice(line);
            }
            Some(EventKind::Dropped) => {
                let e = ev.unwrap();
                let rule = &m.rules()[e.rule];
                assert_eq!(e.line, content, "line {line_no}");
                if e.cut {
                    assert!(
                        rule.cut || rule.before.is_some() || rule.between.is_some(),
                        "line {line_no}: cut by a rule without 'cut', 'before=' or 'between='"
                    );
                } else if rule.head.is_none() && rule.tail.is_none() {
                    assert_eq!(verdict, Verdict::Drop(e.rule), "line {line_no} {content:?}");
                }
                assert_eq!(e.bytes_removed, line.len(), "line {line_no}");
            }
            Some(EventKind::Changed) => {
                let e = ev.unwrap();
                assert_eq!(e.line, content, "line {line_no}");
                assert_eq!(e.spans[0].2, e.rule, "line {line_no}");
                // The changed content is the line with the reported spans cut out.
                let mut cut = Vec::new();
                let mut at = 0;
                for &(s, end, _) in &e.spans {
                    assert!(at <= s && s < end && end <= content.len(), "line {line_no}");
                    cut.extend_from_slice(&content[at..s]);
                    at = end;
                }
                cut.extend_from_slice(&content[at..]);
                assert_eq!(e.bytes_removed, content.len() - cut.len());
                // The matcher's own spans are among them; any other is a footnote marker.
                let own: Vec<(usize, usize)> = match verdict {
                    Verdict::Strip => scratch.spans().iter().map(|s| (s.start, s.end)).collect(),
                    v => {
                        assert_eq!(v, Verdict::Keep, "line {line_no} {content:?}");
                        Vec::new()
                    }
                };
                for &(s, end, r) in &e.spans {
                    if !own.contains(&(s, end)) {
                        assert!(m.rules()[r].footnote, "line {line_no}: span of {r}");
                        assert!(content[s..end].iter().all(|&b| b == b'*'), "line {line_no}");
                    }
                }
                for sp in &own {
                    assert!(
                        e.spans.iter().any(|&(s, end, _)| (s, end) == *sp),
                        "line {line_no}"
                    );
                }
                want.extend_from_slice(&cut);
                want.extend_from_slice(term);
            }
        }
    }
    assert_eq!(events.next(), None, "events past the last line");
    assert_eq!(out, &want[..], "output differs from the reconstruction");
}

/// Default number of cases per property; `PROPTEST_CASES` overrides it.
fn config(cases: u32) -> ProptestConfig {
    ProptestConfig {
        cases: std::env::var("PROPTEST_CASES")
            .ok()
            .and_then(|s| s.parse().ok())
            .unwrap_or(cases),
        ..ProptestConfig::default()
    }
}

proptest! {
    #![proptest_config(config(256))]

    /// No input, buffer size or thread count makes the filter or the matcher panic.
    #[test]
    fn never_panics_on_any_bytes(
        data in any_input(),
        max_line in prop_oneof![1usize..64, Just(1usize << 20)],
        jobs in 2usize..=3,
        step in 1usize..100,
    ) {
        let f = filter(max_line);
        f.run(&data[..], &mut Vec::new(), &mut Log::default()).unwrap();
        f.run(Trickle { data: &data, step }, &mut Vec::new(), &mut ()).unwrap();
        f.run_parallel(&data[..], &mut Vec::new(), &mut Log::default(), jobs).unwrap();
        let removed = Filter::new(matcher(), FilterConfig { output: OutputMode::Removed, max_line });
        removed.run_parallel(&data[..], &mut Vec::new(), &mut (), jobs).unwrap();
        let mut scratch = Scratch::new();
        matcher().verdict(&data, &mut scratch);
        for line in lines(&data) {
            matcher().verdict(line, &mut scratch);
            matcher().verdict(split_line(line).0, &mut scratch);
        }
    }

    /// Output = input minus dropped lines, with changed lines replaced, as the events say.
    #[test]
    fn output_is_the_input_minus_reported_removals(
        data in text_input(),
        max_line in prop_oneof![3 => Just(1usize << 20), 1 => 16usize..200],
        jobs in 1usize..=3,
    ) {
        let (out, log) = run(&data, max_line, jobs, usize::MAX);
        check_reconstruction(&data, max_line, &out, &log);
    }

    /// Lines longer than `max_line` pass through unchanged, chaff or not, at any read size.
    #[test]
    fn lines_longer_than_max_line_come_out_unchanged(
        data in text_input(),
        max_line in 8usize..64,
        jobs in 1usize..=3,
        step in 1usize..80,
    ) {
        let (out, log) = run(&data, max_line, jobs, step);
        check_reconstruction(&data, max_line, &out, &log);
        let long: Vec<u64> = lines(&data)
            .iter()
            .enumerate()
            .filter(|(_, l)| l.len() > max_line)
            .map(|(i, _)| i as u64 + 1)
            .collect();
        let reported: Vec<u64> = log
            .0
            .iter()
            .filter(|e| e.kind == EventKind::LongLine)
            .map(|e| e.line_no)
            .filter(|n| long.contains(n))
            .collect();
        prop_assert_eq!(reported, long);
    }

    /// Output and events do not depend on buffer size (above the longest line), thread count or
    /// read chunking; nor, at a buffer size below it, on threads and chunking.
    #[test]
    fn same_result_for_any_buffer_threads_and_chunking(
        data in text_input(),
        extra in 0usize..64,
        jobs in 1usize..=4,
        step in 1usize..64,
        small in 4usize..48,
    ) {
        let longest = lines(&data).iter().map(|l| l.len()).max().unwrap_or(0);
        let (want, want_log) = run(&data, 1 << 20, 1, usize::MAX);
        let (got, log) = run(&data, longest + 1 + extra, jobs, step);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&log, &want_log);
        let (small_want, small_log) = run(&data, small, 1, usize::MAX);
        let (got, log) = run(&data, small, jobs, step);
        prop_assert_eq!(got, small_want);
        prop_assert_eq!(log, small_log);
    }

    /// The parallel line driver gives what one thread gives, at any thread count, buffer size
    /// (small ones cut the input into many chunks and make long lines) and read chunking.
    #[test]
    fn parallel_line_driver_equals_one_thread(
        data in any_input(),
        jobs in 2usize..=4,
        step in 1usize..64,
        max_line in prop_oneof![4usize..48, Just(1usize << 20)],
    ) {
        let (want, want_log) = run_lines(&data, max_line, 1, usize::MAX);
        let (got, log) = run_lines(&data, max_line, jobs, step);
        prop_assert_eq!(got, want);
        prop_assert_eq!(log, want_log);
    }

    /// Filtering the output again changes nothing: the filter is idempotent. (An earlier
    /// version of the matcher did not judge what a strip left behind, and this property found
    /// `Advertisement (a terrorist group banned in Russia)` -> `Advertisement` -> dropped, and
    /// `Units of Daesh** fled` losing one `*` per pass; the matcher now strips to a fixed point.)
    #[test]
    fn filtering_is_idempotent(data in text_input()) {
        let (once, _) = run(&data, 1 << 20, 1, usize::MAX);
        let (twice, log2) = run(&once, 1 << 20, 1, usize::MAX);
        prop_assert!(log2.0.iter().all(|e| e.kind == EventKind::LongLine), "second pass removed something");
        prop_assert_eq!(&twice, &once);
    }
}

/// Filters `data` as documents split at `boundary`, with `max_doc`, an optional removal cap,
/// `jobs` threads and reads of at most `step` bytes.
fn run_docs(
    data: &[u8],
    docs: &DocumentConfig,
    max_line: usize,
    jobs: usize,
    step: usize,
) -> (Vec<u8>, Log) {
    let (mut out, mut log) = (Vec::new(), Log::default());
    filter(max_line)
        .with_documents(docs.clone())
        .run_parallel(Trickle { data, step }, &mut out, &mut log, jobs)
        .unwrap();
    (out, log)
}

proptest! {
    #![proptest_config(config(128))]

    /// Document mode (`-z`, `--doc-sep`), with or without `--max-removed` and with document caps
    /// down to a few bytes: the result does not depend on the thread count, the read size or,
    /// above the longest line, the buffer size, and nothing panics.
    #[test]
    fn documents_give_the_same_result_for_any_threads_and_chunking(
        docs in proptest::collection::vec(text_input(), 0..5),
        nul in any::<bool>(),
        max_removed in proptest::option::of(prop_oneof![Just(0.5), Just(1.0)]),
        max_doc in prop_oneof![Just(4usize << 20), 8usize..256],
        jobs in 2usize..=3,
        step in 1usize..64,
    ) {
        let (boundary, data) = if nul {
            (Boundary::Nul, docs.join(&b"\0"[..]))
        } else {
            (Boundary::Separator(b"----".to_vec()), docs.join(&b"\n----\n"[..]))
        };
        let cfg = DocumentConfig { boundary, max_doc, max_removed, site: None };
        let longest = lines(&data).iter().map(|l| l.len()).max().unwrap_or(0);
        let (want, want_log) = run_docs(&data, &cfg, 1 << 20, 1, usize::MAX);
        let (got, log) = run_docs(&data, &cfg, 1 << 20, jobs, step);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&log, &want_log);
        let (got, log) = run_docs(&data, &cfg, longest + 1, jobs, step);
        prop_assert_eq!(&got, &want);
        prop_assert_eq!(&log, &want_log);
        // Documents never lose bytes outside what the events report.
        let removed: usize = log.0.iter().map(|e| e.bytes_removed).sum();
        prop_assert_eq!(got.len() + removed, data.len());
    }
}

/// A JSON value other than the text: strings (some chaff), numbers, booleans, null, nesting.
fn other_value() -> impl Strategy<Value = Value> {
    let leaf = prop_oneof![
        "\\PC{0,16}".prop_map(Value::from),
        proptest::sample::select(CHAFF).prop_map(Value::from),
        any::<i64>().prop_map(Value::from),
        any::<f64>()
            .prop_filter("finite", |f| f.is_finite())
            .prop_map(Value::from),
        any::<bool>().prop_map(Value::from),
        Just(Value::Null),
    ];
    leaf.prop_recursive(2, 8, 3, |inner| {
        prop_oneof![
            proptest::collection::vec(inner.clone(), 0..3).prop_map(Value::Array),
            proptest::collection::btree_map("[a-z]{1,4}|text", inner, 0..3)
                .prop_map(|m| Value::Object(m.into_iter().collect())),
        ]
    })
}

/// A record's text: chaff and prose lines joined with `\n` or `\r\n`.
fn record_text() -> impl Strategy<Value = String> {
    let line = prop_oneof![
        2 => proptest::sample::select(CHAFF).prop_map(String::from),
        2 => "[A-Za-z0-9 ,.:()*\\[\\]-]{0,30}",
        1 => "\\PC{0,16}",
    ];
    (
        proptest::collection::vec(line, 0..8),
        prop_oneof![Just("\n"), Just("\r\n")],
    )
        .prop_map(|(lines, sep)| lines.join(sep))
}

/// A record: a text field, usually, and other keys with other values.
fn record() -> impl Strategy<Value = Map<String, Value>> {
    (
        proptest::option::weighted(0.9, record_text()),
        proptest::collection::btree_map("[a-z_]{1,6}|\\PC{1,6}", other_value(), 0..4),
    )
        .prop_map(|(text, others)| {
            let mut m: Map<String, Value> =
                others.into_iter().filter(|(k, _)| k != "text").collect();
            if let Some(t) = text {
                m.insert("text".into(), Value::from(t));
            }
            m
        })
}

/// A record as serde_json writes it, or with every non-ASCII character `\u`-escaped, as an
/// ASCII-only writer would (non-ASCII bytes occur only inside strings, so this stays valid).
fn serialize(m: &Map<String, Value>, ascii: bool) -> String {
    let s = serde_json::to_string(m).unwrap();
    if !ascii {
        return s;
    }
    let mut o = String::new();
    for c in s.chars() {
        if c.is_ascii() {
            o.push(c);
        } else {
            let mut units = [0u16; 2];
            for u in c.encode_utf16(&mut units) {
                o.push_str(&format!("\\u{u:04x}"));
            }
        }
    }
    o
}

proptest! {
    #![proptest_config(config(256))]

    /// JSON Lines: records without removals are byte-identical, every record keeps its keys and
    /// non-text values, and the cleaned text is what the text filter makes of the text.
    #[test]
    fn jsonl_keeps_everything_but_the_cleaned_text(
        records in proptest::collection::vec((record(), any::<bool>()), 0..6),
        crlf_records in any::<bool>(),
    ) {
        let term = if crlf_records { "\r\n" } else { "\n" };
        let lines_in: Vec<String> = records.iter().map(|(m, ascii)| serialize(m, *ascii)).collect();
        let input: String = lines_in.iter().map(|l| format!("{l}{term}")).collect();
        let (mut out, mut log, mut counts) = (Vec::new(), Log::default(), RecordCounts::default());
        run_jsonl(matcher(), &JsonlConfig::default(), input.as_bytes(), &mut out, &mut log, &mut counts)
            .unwrap();
        let out = String::from_utf8(out).unwrap();
        let lines_out: Vec<&str> = out.split_inclusive('\n').collect();
        prop_assert_eq!(lines_out.len(), records.len());
        for (i, ((m, _), (line_in, line_out))) in
            records.iter().zip(lines_in.iter().zip(lines_out)).enumerate()
        {
            let n = i as u64 + 1;
            let line_out = line_out.strip_suffix(term).expect("record keeps its terminator");
            if log.0.iter().all(|e| e.record != n) {
                prop_assert_eq!(line_out, line_in.as_str(), "untouched record {} changed", n);
            }
            // Compared with the input as parsed (not with `m`): serde_json's default float
            // parsing does not round-trip every f64 it prints.
            let v: Map<String, Value> = serde_json::from_str(line_out).unwrap();
            let parsed_in: Map<String, Value> = serde_json::from_str(line_in).unwrap();
            prop_assert_eq!(
                v.keys().collect::<Vec<_>>(),
                parsed_in.keys().collect::<Vec<_>>(),
                "keys of record {}", n
            );
            for (k, want) in &parsed_in {
                if k != "text" {
                    prop_assert_eq!(&v[k], want, "record {} key {}", n, k);
                }
            }
            if let Some(Value::String(text)) = m.get("text") {
                prop_assert_eq!(&parsed_in["text"], &m["text"]);
                let mut want = Vec::new();
                filter(1 << 20).run(text.as_bytes(), &mut want, &mut ()).unwrap();
                prop_assert_eq!(
                    v["text"].as_str().unwrap().as_bytes(),
                    &want[..],
                    "record {} text", n
                );
            }
        }
    }
}

/// Found by the `jsonl` fuzz target (`tests/fuzz`): scraped records carry bytes that are not
/// UTF-8 inside their strings (serde_json's validation lets them through) and lone surrogate
/// escapes. A line a strip rule changes is re-encoded; it used to turn both into U+FFFD, so
/// bytes of the story were lost. They now come back as they were, and kept lines and other
/// fields are untouched as before.
#[test]
fn jsonl_changed_lines_keep_bytes_that_are_not_utf8_and_lone_surrogates() {
    let input: &[u8] = b"{\"text\": \"Prices \xd3 rose [ad] again \\ud800 \\udc00x\\nAdvertisement\\nKept \xff \\ud800\", \"x\": \"\xfe\"}\n";
    let want: &[u8] = b"{\"text\": \"Prices \xd3 rose  again \\ud800 \\udc00x\\nKept \xff \\ud800\", \"x\": \"\xfe\"}\n";
    let (mut out, mut log, mut counts) = (Vec::new(), Log::default(), RecordCounts::default());
    run_jsonl(
        matcher(),
        &JsonlConfig::default(),
        input,
        &mut out,
        &mut log,
        &mut counts,
    )
    .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(want),
        "{out:?}"
    );
    assert_eq!(out, want);
    let kinds: Vec<EventKind> = log.0.iter().map(|e| e.kind).collect();
    assert_eq!(kinds, [EventKind::Changed, EventKind::Dropped]);
}

/// JSON Lines are judged in batches whose fields are walked in one pass. Over a few thousand
/// records of every kind (cleaned, flagged by the cap, without the field, blank, bad and passed
/// through, over the record cap, with a `\u000a` escape or a final `\r` that keep them out of
/// the pass), many batches in all, the output, the events and the counts equal those of the
/// same records each run alone.
#[test]
fn jsonl_batches_give_what_each_record_alone_gives() {
    let config = JsonlConfig {
        on_bad_record: dechaff::jsonl::BadRecordPolicy::Pass,
        max_record: 8 << 10,
        max_removed: Some(0.5),
        ..JsonlConfig::default()
    };
    let story = "The harbour board met on Tuesday and agreed to dredge the channel again.";
    let mut records = Vec::new();
    for i in 0..6_000 {
        let body = (0..(i % 11)).map(|_| story).collect::<Vec<_>>().join("\\n");
        let rec = match i % 9 {
            0 => format!(
                r#"{{"id": {i}, "url": "https://www.rt.com/news/{i}", "text": "Forces of Daesh* left.\nREAD MORE: Dredging {i}\n{body}\nAdvertisement\n*Daesh is a terrorist group banned in Russia"}}"#
            ),
            1 => format!(r#"{{"id": {i}, "body": "{body}"}}"#),
            2 => "   ".to_string(),
            3 => format!(r#"{{"id": {i}, "text": "{body}"#),
            4 => format!(
                r#"{{"text": "Advertisement\u000aREAD MORE: x\n{body}\nShare this article"}}"#
            ),
            5 => format!(r#"{{"text": "{body}\nAdvertisement\n\r"}}"#),
            // A bare "READ MORE:" is chaff (and cuts what follows) only in the last 12 lines.
            6 => format!(
                r#"{{"text": "Advertisement\nREAD MORE:\n{}{story}"}}"#,
                format!("{story}\\n").repeat(12 + i % 3)
            ),
            7 if i % 100 == 7 => format!(r#"{{"text": "{}"}}"#, story.repeat(120)),
            _ => format!(
                r#"{{"id": {i}, "text": "{body}\nREAD MORE: Fares {i}\nREAD MORE:\nFares rise\n"}}"#
            ),
        };
        records.push(rec + if i % 4 == 0 { "\r\n" } else { "\n" });
    }
    let input: String = records.concat();
    assert!(input.len() > 2 << 20, "several batches");
    let (mut out, mut log, mut counts) = (Vec::new(), Log::default(), RecordCounts::default());
    run_jsonl(
        matcher(),
        &config,
        input.as_bytes(),
        &mut out,
        &mut log,
        &mut counts,
    )
    .unwrap();
    let (mut want, mut want_log, mut want_counts) =
        (Vec::new(), Log::default(), RecordCounts::default());
    for (i, rec) in records.iter().enumerate() {
        let mut one = Log::default();
        let mut c = RecordCounts::default();
        run_jsonl(
            matcher(),
            &config,
            rec.as_bytes(),
            &mut want,
            &mut one,
            &mut c,
        )
        .unwrap();
        want_log.0.extend(one.0.into_iter().map(|mut e| {
            e.record = i as u64 + 1;
            e
        }));
        want_counts.add(&c);
    }
    assert!(out == want, "outputs differ");
    assert_eq!(log, want_log);
    assert_eq!(counts, want_counts);
    assert!(counts.changed > 2_000 && counts.flagged > 300 && counts.too_long >= 5);
    assert!(counts.bad > 600 && counts.missing_field > 600);
}

/// `-z` and `--doc-sep` documents are judged in batches whose documents are walked in one pass.
/// Over a few thousand documents of many kinds (cleaned, flagged by the cap, empty, CRLF, ending
/// in `\r` or in chaff without a final newline, over the document cap, holding a line over the
/// line cap), many batches in all, the output and the events equal those of each document run
/// alone, its line numbers shifted by the lines before it.
#[test]
fn document_batches_give_what_each_document_alone_gives() {
    let story = "The harbour board met on Tuesday and agreed to dredge the channel again.";
    let mut docs: Vec<Vec<u8>> = Vec::new();
    for i in 0..3_000 {
        let body = format!("{story}\n").repeat(i % 13);
        let doc = match i % 8 {
            0 => format!(
                "Forces of Daesh* left.\nREAD MORE: Dredging {i}\n{body}Advertisement\n*Daesh is a terrorist group banned in Russia\n"
            ),
            1 => String::new(),
            2 => format!("{body}Advertisement\r\n")
                .replace('\n', "\r\n")
                .replace("\r\r", "\r"),
            3 => format!("{body}READ MORE:\nFares rise\r"),
            4 => format!(
                "{body}READ MORE:\n{}Advertisement",
                format!("{story}\n").repeat(14)
            ),
            5 if i % 100 == 5 => format!("{story}\n").repeat(40),
            6 if i % 50 == 6 => format!("{}\nAdvertisement\n{body}", "x".repeat(5_000)),
            _ => format!("{body}READ MORE: Fares {i}\nShare this article\n"),
        };
        docs.push(doc.into_bytes());
    }
    for nul in [true, false] {
        // Separator lines need the line before them ended: there, every document gets a final
        // newline.
        let (boundary, sep): (Boundary, &[u8]) = if nul {
            (Boundary::Nul, b"\0")
        } else {
            (Boundary::Separator(b"----".to_vec()), b"----\n")
        };
        let docs: Vec<Vec<u8>> = docs
            .iter()
            .map(|d| {
                let mut d = d.clone();
                if !nul && !d.is_empty() && !d.ends_with(b"\n") {
                    d.push(b'\n');
                }
                d
            })
            .collect();
        let cfg = DocumentConfig {
            boundary,
            max_doc: 2_000,
            max_removed: Some(0.5),
            site: None,
        };
        let data = docs.join(sep);
        assert!(data.len() > 1 << 20, "several batches");
        let (out, log) = run_docs(&data, &cfg, 4_096, 1, usize::MAX);
        let (mut want, mut want_log) = (Vec::new(), Log::default());
        let mut lines_before = 0;
        for (k, d) in docs.iter().enumerate() {
            if k > 0 {
                want.extend_from_slice(sep);
                lines_before += u64::from(!nul);
            }
            let (o, l) = run_docs(d, &cfg, 4_096, 1, usize::MAX);
            want.extend_from_slice(&o);
            want_log.0.extend(l.0.into_iter().map(|mut e| {
                e.line_no += lines_before;
                e
            }));
            lines_before += lines(d).len() as u64;
        }
        assert!(out == want, "outputs differ (nul: {nul})");
        assert_eq!(log, want_log, "nul: {nul}");
        assert!(log.0.len() > 5_000);
    }
}
