//! Limits of hostile input, through the binary: each test is one way scraped data or a user can
//! push dechaff to an edge, and asserts that it neither panics nor loses bytes, and that it
//! says where and why it stopped.
//!
//! - one very long line (text) and one very long record (JSON Lines) stream through byte for
//!   byte in bounded memory (peak RSS read from `/proc`);
//! - 100,000 user rules compile and work;
//! - a regex over the regex crate's size limit is refused with its `file:line`, before any input
//!   is read, from `--rules`, `-e` and `-f` alike;
//! - empty inputs of every kind;
//! - truncated compressed input at several cut points: exit 2 with the input's name, after
//!   writing what was read;
//! - write errors with several threads and with JSON Lines;
//! - pattern files that are not UTF-8.

use std::io::{Read, Write};
use std::process::Stdio;
use std::sync::mpsc;
use std::time::Duration;

use crate::util::{dechaff, read_stderr, run, spawn, stderr, tempdir, write};

/// The repeating text of the long line: chaff phrases that a judged line would lose, no line
/// break, nothing JSON would have to escape. 4,096 bytes, so that any window of the stream is a
/// slice of two periods.
fn period() -> Vec<u8> {
    let phrase = b"Advertisement READ MORE: Daesh* banned in Russia [ad] SUBSCRIBE ";
    let mut p: Vec<u8> = phrase.iter().copied().cycle().take(4096).collect();
    p[4095] = b'.';
    p
}

/// Peak resident memory (`VmHWM`) of a running process, in KiB.
fn peak_rss_kib(pid: u32) -> u64 {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).expect("/proc (Linux)");
    let line = status
        .lines()
        .find(|l| l.starts_with("VmHWM:"))
        .expect("VmHWM in /proc/PID/status");
    line.split_whitespace().nth(1).unwrap().parse().unwrap()
}

/// Streams `head`, then `len` bytes of [`period`], then `tail` through `dechaff args` on
/// standard input, without either side holding the stream in memory, and checks that standard
/// output is `head`, the same `len` bytes, then `want_tail`. Returns the child's peak RSS in
/// KiB, read while it is still running (its input not yet closed), after the long part went
/// through.
fn stream_long(args: &[&str], head: &[u8], len: usize, tail: &[u8], want_tail: &[u8]) -> u64 {
    let mut child = spawn(args);
    let pid = child.id();
    let mut stdin = child.stdin.take().unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let (release_tx, release_rx) = mpsc::channel::<()>();
    let (head_in, tail_in) = (head.to_vec(), tail.to_vec());
    let feeder = std::thread::spawn(move || {
        let p = period();
        stdin.write_all(&head_in).unwrap();
        let mut left = len;
        while left > 0 {
            let n = left.min(p.len());
            stdin.write_all(&p[..n]).unwrap();
            left -= n;
        }
        // Hold the input open until the peak RSS is read, so that the process is still there.
        // If the line's bytes do not come out before the input ends (they are being held), the
        // reader never asks; end the input anyway so the test fails instead of hanging.
        let held = release_rx.recv_timeout(Duration::from_secs(60)).is_err();
        stdin.write_all(&tail_in).unwrap();
        held
    });

    let mut got_head = vec![0; head.len()];
    stdout.read_exact(&mut got_head).unwrap();
    assert!(got_head == head, "the head of the stream changed");
    let p = period();
    let twice = [&p[..], &p[..]].concat();
    let mut buf = vec![0u8; p.len()];
    let mut seen = 0usize;
    let mut peak = None;
    // Everything but the last few MiB (at most a line buffer and an output buffer behind) must
    // come out before the input ends: the line is streamed, not collected.
    let early = len.saturating_sub(4 << 20);
    while seen < len {
        let want = (len - seen).min(buf.len());
        let n = stdout.read(&mut buf[..want]).unwrap();
        assert!(n > 0, "output ended after {seen} of {len} bytes");
        let at = seen % p.len();
        assert!(
            buf[..n] == twice[at..at + n],
            "byte {seen}..{} changed",
            seen + n
        );
        seen += n;
        if peak.is_none() && seen >= early {
            peak = Some(peak_rss_kib(pid));
            let _ = release_tx.send(());
        }
    }
    let mut rest = Vec::new();
    stdout.read_to_end(&mut rest).unwrap();
    let held = feeder.join().unwrap();
    assert!(!held, "the long part came out only after the input ended");
    let err = read_stderr(&mut child);
    let status = child.wait().unwrap();
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert_eq!(
        String::from_utf8_lossy(&rest),
        String::from_utf8_lossy(want_tail)
    );
    peak.expect("peak RSS was read")
}

/// The single long line and record are this long: enough that holding it would show in the
/// peak RSS many times over, small enough for a debug build to stream it in a second or two.
/// The full 1 GiB is measured by hand with the release build (README, "Guarantees").
const LONG: usize = 256 << 20;

/// The bar for peak RSS on one long line (the issue's 64 MiB), with the built-in packs loaded.
const PEAK_KIB: u64 = 64 << 10;

#[test]
fn a_single_line_of_256_mib_streams_through_in_bounded_memory() {
    let peak = stream_long(
        &["--stats"],
        b"",
        LONG,
        b"\nAdvertisement\nThe story goes on.\n",
        b"\nThe story goes on.\n",
    );
    assert!(peak < PEAK_KIB, "peak RSS {peak} KiB on a {LONG}-byte line");
}

#[test]
fn a_json_record_of_256_mib_streams_through_in_bounded_memory_under_max_record() {
    let peak = stream_long(
        &["--jsonl", "--max-record", "1048576"],
        br#"{"id": 1, "text": ""#,
        LONG,
        b"\"}\n{\"id\": 2, \"text\": \"Advertisement\\nThe story goes on.\"}\n",
        b"\"}\n{\"id\": 2, \"text\": \"The story goes on.\"}\n",
    );
    assert!(
        peak < PEAK_KIB,
        "peak RSS {peak} KiB on a {LONG}-byte record"
    );
}

/// `n` distinct lowercase words of 8 to 20 letters from a fixed-seed generator.
fn words(n: usize) -> Vec<String> {
    let mut x: u64 = 0x2545_F491_4F6C_DD1D;
    let mut next = move || {
        x ^= x << 13;
        x ^= x >> 7;
        x ^= x << 17;
        x
    };
    let mut seen = std::collections::HashSet::new();
    let mut out = Vec::with_capacity(n);
    while out.len() < n {
        let len = 8 + (next() % 13) as usize;
        let w: String = (0..len)
            .map(|_| char::from(b'a' + (next() % 26) as u8))
            .collect();
        if seen.insert(w.clone()) {
            out.push(w);
        }
    }
    out
}

#[test]
fn a_hundred_thousand_user_rules_compile_and_each_kind_works() {
    const N: usize = 100_000;
    let w = words(N);
    let kinds = ["line", "prefix", "suffix", "contains"];
    let mut rules = String::with_capacity(N * 48);
    for (i, word) in w.iter().enumerate() {
        let kind = kinds[i % 4];
        rules.push_str(&format!("u.r{i} promo {kind} {word} promo\n"));
    }
    let d = tempdir("many-rules");
    let path = write(&d, "many.rules", rules.as_bytes());
    // The first, a middle and the last rule of each kind, and story lines that only come near.
    let mut input = String::new();
    let mut want = String::new();
    let mut dropped = Vec::new();
    for i in [
        0,
        1,
        2,
        3,
        50_000,
        50_001,
        50_002,
        50_003,
        N - 4,
        N - 3,
        N - 2,
        N - 1,
    ] {
        let line = match kinds[i % 4] {
            "line" => format!("  {} PROMO", w[i]),
            "prefix" => format!("{} promo, and then more", w[i]),
            "suffix" => format!("A story ends with {} Promo", w[i]),
            _ => format!("A story mentions {} promo in passing", w[i]),
        };
        input.push_str(&line);
        input.push('\n');
        dropped.push(format!("u.r{i}"));
        let near = format!("The story goes on about {} and more.\n", w[i]);
        input.push_str(&near);
        want.push_str(&near);
    }
    let o = run(
        &[
            "--no-default-rules",
            "--rules",
            path.to_str().unwrap(),
            "--explain=json",
        ],
        input.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(String::from_utf8_lossy(&o.stdout), want);
    let err = stderr(&o);
    let ids: Vec<String> = err
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            v["rule"].as_str().unwrap().to_string()
        })
        .collect();
    assert_eq!(ids, dropped);
}

/// A regex that parses but compiles to more than the 10 MiB limit (Unicode `\w` repeated), even
/// as the forward-only NFA that drop rules get.
const HUGE_REGEX: &str = r"\w{100}\w{100}\w{100}\w{100}\w{100}\w{100}";

#[test]
fn a_regex_over_the_size_limit_names_its_file_and_line_before_reading_input() {
    let d = tempdir("huge-regex");
    let rules = write(
        &d,
        "big.rules",
        format!("# a comment\nok ad line Advertisement\nbig ad regex {HUGE_REGEX}\n").as_bytes(),
    );
    let pats = write(&d, "pats.txt", format!("fine\n{HUGE_REGEX}\n").as_bytes());
    let cases: [(Vec<&str>, String, &str); 3] = [
        (
            vec!["--rules", rules.to_str().unwrap()],
            format!("{}:3:", rules.display()),
            "big",
        ),
        (
            vec!["-e", "fine", "-e", HUGE_REGEX],
            "-e:2:".into(),
            "pattern-2",
        ),
        (
            vec!["-f", pats.to_str().unwrap()],
            format!("{}:2:", pats.display()),
            "pattern-2",
        ),
    ];
    for (args, origin, id) in cases {
        let o = run(&args, b"Advertisement\nA story.\n");
        let e = stderr(&o);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(
            e.starts_with(&format!("dechaff: {origin} rule '{id}': regex too large:")),
            "{args:?}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "one message: {e}");
        assert!(o.stdout.is_empty(), "{args:?}: input was read");
    }
}

#[test]
fn a_rules_file_named_like_a_builtin_pack_is_still_checked_before_input() {
    // Regexes of `<builtin:..>` sources are compiled on first use; a user's file of that name
    // must not slip past the check (it used to panic on the first line instead).
    let d = tempdir("builtin-name");
    let name = "<builtin:en>";
    write(&d, name, format!("big ad regex {HUGE_REGEX}\n").as_bytes());
    let o = dechaff()
        .current_dir(&d)
        .args(["--rules", name])
        .stdin(Stdio::null())
        .output()
        .unwrap();
    let e = stderr(&o);
    assert_eq!(o.status.code(), Some(2), "{e}");
    assert!(
        e.starts_with("dechaff: ./<builtin:en>:1: rule 'big': regex too large:"),
        "{e}"
    );
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::default());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn empty_inputs_of_every_kind_give_empty_output_and_exit_zero() {
    let d = tempdir("empty");
    let plain = write(&d, "empty.txt", b"");
    let gz = write(&d, "empty.txt.gz", &gzip(b""));
    let zst = write(&d, "empty.txt.zst", &zstd::encode_all(&b""[..], 3).unwrap());
    let jsonl = write(&d, "empty.jsonl", b"");
    let jgz = write(&d, "empty.jsonl.gz", &gzip(b""));
    for args in [
        vec![],
        vec!["-j", "2"],
        vec!["--jsonl"],
        vec!["--stats"],
        vec!["--explain=json"],
        vec![plain.to_str().unwrap()],
        vec!["-j", "2", plain.to_str().unwrap()],
        vec![gz.to_str().unwrap()],
        vec![zst.to_str().unwrap()],
        vec![jsonl.to_str().unwrap()],
        vec![jgz.to_str().unwrap()],
        vec!["--decompress"],
    ] {
        let o = run(&[&["--lang", "en"], &args[..]].concat(), b"");
        assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
        assert!(o.stdout.is_empty(), "{args:?}");
        if !args.contains(&"--stats") {
            assert_eq!(stderr(&o), "", "{args:?}");
        }
    }
}

#[test]
fn a_zero_byte_compressed_file_is_an_error_not_an_empty_success() {
    // An empty .gz/.zst file is not a compressed empty text: something cut it off.
    let d = tempdir("zero-byte");
    for name in ["cut.txt.gz", "cut.txt.zst", "cut.jsonl.gz"] {
        let p = write(&d, name, b"");
        let o = run(&[p.to_str().unwrap()], b"");
        assert_eq!(o.status.code(), Some(2), "{name}");
        assert!(
            stderr(&o).starts_with(&format!("dechaff: {}: ", p.display())),
            "{name}: {}",
            stderr(&o)
        );
    }
}

/// What a decoder gets out of a truncated stream before it fails: the bytes dechaff can read.
fn readable(name: &str, packed: &[u8]) -> Vec<u8> {
    let mut dec: Box<dyn Read> = if name.ends_with(".gz") {
        Box::new(flate2::read::MultiGzDecoder::new(packed))
    } else {
        match zstd::stream::read::Decoder::new(packed) {
            Ok(d) => Box::new(d),
            Err(_) => return Vec::new(),
        }
    };
    let (mut got, mut buf) = (Vec::new(), [0u8; 4096]);
    while let Ok(n) = dec.read(&mut buf) {
        if n == 0 {
            break;
        }
        got.extend_from_slice(&buf[..n]);
    }
    got
}

#[test]
fn truncated_compressed_input_at_any_cut_is_exit_2_after_writing_what_was_read() {
    let d = tempdir("cuts");
    let mut text = Vec::new();
    for i in 0..3_000 {
        text.extend_from_slice(format!("Line {i} of a story.\nAdvertisement\n").as_bytes());
    }
    let want: Vec<u8> = text
        .split_inclusive(|&b| b == b'\n')
        .filter(|l| *l != b"Advertisement\n")
        .flatten()
        .copied()
        .collect();
    let records: Vec<u8> = (0..2_000)
        .flat_map(|i| format!("{{\"id\": {i}, \"text\": \"Story {i}.\"}}\n").into_bytes())
        .collect();
    let zst = zstd::encode_all(&text[..], 3).unwrap();
    let cases: Vec<(&str, Vec<u8>, &[u8])> = vec![
        ("t.txt.gz", gzip(&text), &want),
        ("t.txt.zst", zst, &want),
        ("t.jsonl.gz", gzip(&records), &records),
    ];
    for (name, packed, full) in &cases {
        // Inside the header, inside the stream, inside the trailer (gzip's CRC and length).
        for cut in [5, packed.len() / 3, packed.len() - 3] {
            let p = write(&d, name, &packed[..cut]);
            // Two threads read ahead of the writer; the middle cut shows both stop the same way.
            let jobs: &[&str] = if cut == packed.len() / 3 {
                &["1", "2"]
            } else {
                &["1"]
            };
            for jobs in jobs {
                let o = run(&["--lang", "en", "-j", jobs, p.to_str().unwrap()], b"");
                let e = stderr(&o);
                assert_eq!(o.status.code(), Some(2), "{name} cut at {cut}: {e}");
                assert!(
                    e.starts_with(&format!("dechaff: {}: ", p.display())),
                    "{name} cut at {cut}: {e}"
                );
                assert!(
                    full.starts_with(&o.stdout),
                    "{name} cut at {cut}: not a prefix"
                );
                // At least every whole line that could be decoded was written.
                let read = readable(name, &packed[..cut]);
                let whole = &read[..read.iter().rposition(|&b| b == b'\n').map_or(0, |i| i + 1)];
                let kept: Vec<u8> = whole
                    .split_inclusive(|&b| b == b'\n')
                    .filter(|l| *l != b"Advertisement\n")
                    .flatten()
                    .copied()
                    .collect();
                assert!(
                    o.stdout.starts_with(&kept),
                    "{name} cut at {cut}: {} bytes written, {} were readable",
                    o.stdout.len(),
                    kept.len()
                );
                if cut == packed.len() - 3 && name.ends_with(".gz") {
                    // Only gzip's trailer is cut: all of the text was read, and written.
                    assert!(
                        o.stdout == *full,
                        "{name}: what was read was not all written"
                    );
                }
            }
        }
    }
}

#[test]
fn write_errors_at_any_thread_count_and_in_json_lines_are_exit_2() {
    let d = tempdir("dev-full");
    let text: Vec<u8> = (0..50_000)
        .flat_map(|i| format!("Line {i} of a story.\n").into_bytes())
        .collect();
    let t = write(&d, "t.txt", &text);
    let records: Vec<u8> = (0..20_000)
        .flat_map(|i| format!("{{\"text\": \"Story {i}.\\nAdvertisement\"}}\n").into_bytes())
        .collect();
    let j = write(&d, "t.jsonl", &records);
    let t = t.to_str().unwrap();
    for (args, to_stdout) in [
        (vec!["-j", "1", t], true),
        (vec!["-j", "2", t], true),
        (vec!["-j", "1", "--explain", t], true),
        (vec!["-j", "2", "--explain", t], true),
        (vec![j.to_str().unwrap()], true),
        // -o is honoured: standard output is not /dev/full here.
        (vec!["-o", "/dev/full", "-j", "1", t], false),
        (vec!["-o", "/dev/full", "-j", "2", t], false),
    ] {
        let stdout = if to_stdout {
            Stdio::from(
                std::fs::OpenOptions::new()
                    .write(true)
                    .open("/dev/full")
                    .expect("this test needs Linux's /dev/full"),
            )
        } else {
            Stdio::null()
        };
        let o = dechaff()
            .args(&args)
            .stdout(stdout)
            .stderr(Stdio::piped())
            .output()
            .unwrap();
        let e = String::from_utf8_lossy(&o.stderr);
        assert_eq!(o.status.code(), Some(2), "{args:?}: {e}");
        assert!(
            e.ends_with("No space left on device (os error 28)\n") && !e.contains("panicked"),
            "{args:?}: {e}"
        );
        assert_eq!(e.lines().count(), 1, "one message: {args:?}: {e}");
    }
}

#[test]
fn a_pattern_file_that_is_not_utf8_is_an_error_with_its_line() {
    let d = tempdir("pattern-utf8");
    let p = write(&d, "pats.txt", b"fine\nalso fine\nbad \xff byte\n");
    let o = run(&["-f", p.to_str().unwrap()], b"a story\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!(
            "dechaff: {}:3: pattern file is not valid UTF-8",
            p.display()
        )),
        "{}",
        stderr(&o)
    );
    assert!(o.stdout.is_empty());
}
