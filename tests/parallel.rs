//! The parallel driver gives the same bytes and the same events as the single-threaded one.

use std::io;

use dechaff::filter::RunError;
use dechaff::report::{Event, Observer};
use dechaff::{Filter, FilterConfig, Matcher};

#[derive(Default, PartialEq, Debug)]
struct Log(Vec<(u64, Vec<u8>, usize, String)>);

impl Observer for Log {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        self.0.push((
            ev.line_no,
            ev.line.to_vec(),
            ev.rule,
            format!("{:?}", ev.kind),
        ));
        Ok(())
    }
}

/// A deterministic mix: prose, chaff, CRLF, blank lines, long lines, no final newline.
fn input() -> Vec<u8> {
    let mut v = Vec::new();
    let mut x: u32 = 12345;
    for i in 0..4000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        match x % 11 {
            0 => v.extend_from_slice(b"Advertisement\r\n"),
            1 => v.extend_from_slice(b"READ MORE: Another Headline Here\n"),
            2 => v.extend_from_slice(b"\n"),
            3 => v.extend(std::iter::repeat_n(b'w', 300 + (x % 900) as usize)),
            4 => v.extend_from_slice("Units of Daesh* fled the town.\n".as_bytes()),
            _ => v.extend_from_slice(
                format!("Paragraph {i} of the story, with ordinary words.\n").as_bytes(),
            ),
        }
    }
    v.extend_from_slice(b"last line without newline");
    v
}

/// The English pack's matcher.
fn en_matcher() -> Matcher {
    let mut cats = Vec::new();
    Matcher::new(&dechaff::packs::builtin_specs(Some(&["en".to_string()]), &mut cats).unwrap())
        .unwrap()
}

/// Document settings with a cap far below the test inputs: the packs have document rules, so
/// an input under the cap (4 MiB by default) would be judged whole on the calling thread, and
/// only the part over the cap goes to the parallel line driver these tests are about.
fn small_cap() -> dechaff::DocumentConfig {
    dechaff::DocumentConfig {
        max_doc: 10_000,
        ..Default::default()
    }
}

#[test]
fn any_thread_count_and_buffer_size_gives_identical_output_and_events() {
    let m = en_matcher();
    let data = input();
    for max_line in [512, 4096, 1 << 20] {
        let f = Filter::new(
            &m,
            FilterConfig {
                max_line,
                ..FilterConfig::default()
            },
        )
        .with_documents(small_cap());
        let (mut want, mut want_log) = (Vec::new(), Log::default());
        f.run(&data[..], &mut want, &mut want_log).unwrap();
        assert!(want.len() < data.len() && !want_log.0.is_empty());
        for jobs in [2, 3, 5] {
            let (mut got, mut log) = (Vec::new(), Log::default());
            f.run_parallel(&data[..], &mut got, &mut log, jobs).unwrap();
            assert_eq!(got, want, "bytes, jobs {jobs}, max_line {max_line}");
            assert_eq!(log, want_log, "events, jobs {jobs}, max_line {max_line}");
        }
    }
}

/// Lines between the worker chunk size (512 KiB) and the line limit (1 MiB) are still judged
/// as lines at any thread count: a worker grows a chunk that holds no line end.
#[test]
fn lines_longer_than_a_chunk_but_within_the_limit_are_matched_at_any_thread_count() {
    let specs = dechaff::rules::parse_rules(
        "t",
        "t.needle ad contains NEEDLE-AT-THE-END\n",
        &mut Vec::new(),
    )
    .unwrap();
    let m = Matcher::new(&specs).unwrap();
    let f = Filter::new(&m, FilterConfig::default());
    let mut data = Vec::new();
    for (i, len) in [
        100usize,
        300 << 10,
        600 << 10,
        700 << 10,
        (1 << 20) - 40,
        5 << 10,
    ]
    .into_iter()
    .enumerate()
    {
        data.extend_from_slice(format!("Story line {i}.\n").as_bytes());
        data.extend(std::iter::repeat_n(b'q', len));
        data.extend_from_slice(b" NEEDLE-AT-THE-END\n");
    }
    let mut one = Vec::new();
    f.run(&data[..], &mut one, &mut ()).unwrap();
    let kept = String::from_utf8(one.clone()).unwrap();
    assert!(
        !kept.contains("NEEDLE"),
        "every needle line is within the limit"
    );
    assert_eq!(kept.lines().count(), 6, "the story lines stay");
    for jobs in [2, 3] {
        let mut got = Vec::new();
        f.run_parallel(&data[..], &mut got, &mut (), jobs).unwrap();
        assert_eq!(got, one, "-j{jobs}");
    }
}

/// Given a known length over the document cap, the document driver skips its buffer but
/// gives the same bytes and the same removals as when it finds the cap by reading.
#[test]
fn a_known_length_over_the_document_cap_gives_the_same_output() {
    let data = input();
    let mut cats = Vec::new();
    let m = Matcher::new(&dechaff::packs::builtin_specs(None, &mut cats).unwrap()).unwrap();
    let f = Filter::new(&m, FilterConfig::default()).with_documents(dechaff::DocumentConfig {
        max_doc: 10_000,
        ..Default::default()
    });
    assert!(f.uses_documents(), "the packs have document rules");
    let mut want = Vec::new();
    let mut want_log = Log::default();
    f.run(&data[..], &mut want, &mut want_log).unwrap();
    for jobs in [1, 2] {
        for len in [Some(data.len() as u64), None] {
            let mut got = Vec::new();
            let mut log = Log::default();
            f.run_parallel_sized(&data[..], &mut got, &mut log, jobs, len)
                .unwrap();
            assert_eq!(got, want, "-j{jobs} len {len:?}");
            assert_eq!(log, want_log, "-j{jobs} len {len:?}");
        }
    }
}

/// Gives `data` in pieces of at most `piece` bytes, then fails instead of ending.
struct FailsAfter<'a> {
    data: &'a [u8],
    piece: usize,
}

impl io::Read for FailsAfter<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        if self.data.is_empty() {
            return Err(io::Error::other("disk on fire"));
        }
        let n = buf.len().min(self.piece).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// A read error ends the run with that error at any thread count, after everything read
/// before it was filtered and written in order, as one thread does.
#[test]
fn a_read_error_keeps_what_was_read_before_it_at_any_thread_count() {
    let m = en_matcher();
    let data = input();
    let f = Filter::new(&m, FilterConfig::default()).with_documents(small_cap());
    let reader = || FailsAfter {
        data: &data,
        piece: 100_000,
    };
    let (mut want, mut want_log) = (Vec::new(), Log::default());
    let e = f.run(reader(), &mut want, &mut want_log).unwrap_err();
    assert!(
        matches!(&e, RunError::Read(e) if e.to_string() == "disk on fire"),
        "{e:?}"
    );
    let (mut all, mut all_log) = (Vec::new(), Log::default());
    f.run(&data[..], &mut all, &mut all_log).unwrap();
    assert_eq!(
        want, all,
        "one thread wrote everything read before the error"
    );
    assert_eq!(want_log, all_log);
    for jobs in [2, 3] {
        let (mut got, mut log) = (Vec::new(), Log::default());
        let e = f
            .run_parallel(reader(), &mut got, &mut log, jobs)
            .unwrap_err();
        assert!(
            matches!(&e, RunError::Read(e) if e.to_string() == "disk on fire"),
            "-j{jobs}: {e:?}"
        );
        assert_eq!(got, want, "bytes, -j{jobs}");
        assert_eq!(log, want_log, "events, -j{jobs}");
    }
}

/// Takes `left` bytes, then fails as a closed pipe does.
struct ClosesAfter {
    taken: Vec<u8>,
    left: usize,
}

impl io::Write for ClosesAfter {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        if self.left == 0 {
            return Err(io::ErrorKind::BrokenPipe.into());
        }
        let n = buf.len().min(self.left);
        self.taken.extend_from_slice(&buf[..n]);
        self.left -= n;
        Ok(n)
    }
    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

/// A failing output stops the run with the write error at any thread count, and what the
/// output took before it failed is the start of what one thread writes. The run returns only
/// once every worker has stopped, so a worker left waiting would show as a hang.
#[test]
fn a_failing_output_stops_every_thread_with_the_write_error() {
    let m = en_matcher();
    // Several 512 KiB chunks, so that workers are busy when the output fails.
    let data = input().repeat(8);
    let f = Filter::new(&m, FilterConfig::default()).with_documents(small_cap());
    let mut all = Vec::new();
    f.run(&data[..], &mut all, &mut Log::default()).unwrap();
    for jobs in [2, 3, 8] {
        for left in [0, 1, 700_000, all.len() - 1] {
            let mut out = ClosesAfter {
                taken: Vec::new(),
                left,
            };
            let e = f
                .run_parallel(&data[..], &mut out, &mut Log::default(), jobs)
                .unwrap_err();
            assert!(
                matches!(&e, RunError::Write(e) if e.kind() == io::ErrorKind::BrokenPipe),
                "-j{jobs}, {left} bytes: {e:?}"
            );
            assert_eq!(out.taken, all[..left], "-j{jobs}, {left} bytes");
        }
    }
}

/// Panics at its first event past the first megabyte (well into the part the parallel line
/// driver judges), after a pause in which the workers fill every free buffer and wait for one
/// to come back.
struct PanicsPastAMegabyte;

impl Observer for PanicsPastAMegabyte {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        if ev.offset >= 1 << 20 {
            std::thread::sleep(std::time::Duration::from_millis(300));
            panic!("observer gave up");
        }
        Ok(())
    }
}

/// A panic on the calling thread (here in the observer) unwinds out of the run at any thread
/// count: the workers waiting for a buffer are let go, where they would otherwise keep the run
/// from ever returning.
#[test]
fn a_panic_while_writing_unwinds_out_of_every_thread_count() {
    let m: &'static Matcher = Box::leak(Box::new(en_matcher()));
    let data: &'static [u8] = input().repeat(8).leak();
    for jobs in [2, 3, 8] {
        let (tx, rx) = std::sync::mpsc::channel();
        std::thread::spawn(move || {
            let f = Filter::new(m, FilterConfig::default()).with_documents(small_cap());
            let r = std::panic::catch_unwind(std::panic::AssertUnwindSafe(|| {
                f.run_parallel(data, &mut Vec::new(), &mut PanicsPastAMegabyte, jobs)
            }));
            let message = r
                .expect_err("the observer's panic comes out")
                .downcast_ref::<&str>()
                .map(|s| s.to_string());
            let _ = tx.send(message);
        });
        let message = rx
            .recv_timeout(std::time::Duration::from_secs(120))
            .unwrap_or_else(|_| panic!("-j{jobs}: the run did not return"));
        assert_eq!(message.as_deref(), Some("observer gave up"), "-j{jobs}");
    }
}
