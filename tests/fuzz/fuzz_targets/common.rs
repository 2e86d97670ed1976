//! Checks the fuzz targets share: the line filter's invariants for any matcher and input.

#![allow(dead_code)]

use std::io::{self, Read};

use dechaff::report::{Event, EventKind, Observer};
use dechaff::{Filter, FilterConfig, Matcher, Scratch, Verdict};

/// A reader that returns at most `step` bytes per read, like a pipe.
pub struct Trickle<'a> {
    pub data: &'a [u8],
    pub step: usize,
}

impl Read for Trickle<'_> {
    fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
        let n = self.step.min(buf.len()).min(self.data.len());
        buf[..n].copy_from_slice(&self.data[..n]);
        self.data = &self.data[n..];
        Ok(n)
    }
}

/// One recorded event, owned.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Ev {
    pub record: u64,
    pub line_no: u64,
    pub line: Vec<u8>,
    pub kind: EventKind,
    pub rule: usize,
    pub bytes_removed: usize,
}

/// An observer that records every event with line numbers.
#[derive(Debug, Default, PartialEq, Eq)]
pub struct Log(pub Vec<Ev>);

impl Observer for Log {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        self.0.push(Ev {
            record: ev.record,
            line_no: ev.line_no,
            line: ev.line.to_vec(),
            kind: ev.kind,
            rule: ev.rule,
            bytes_removed: ev.bytes_removed,
        });
        Ok(())
    }
}

/// The input's lines, each with its terminator (`\n`, or nothing for a last unterminated line).
pub fn lines(data: &[u8]) -> Vec<&[u8]> {
    data.split_inclusive(|&b| b == b'\n').collect()
}

/// A line's content and terminator (`\n`, `\r\n` or nothing).
pub fn split_line(line: &[u8]) -> (&[u8], &[u8]) {
    let n = if line.ends_with(b"\r\n") {
        2
    } else {
        usize::from(line.ends_with(b"\n"))
    };
    line.split_at(line.len() - n)
}

/// Filters `data` with `m`, `max_line`, `jobs` threads and reads of at most `step` bytes.
pub fn run(m: &Matcher, data: &[u8], max_line: usize, jobs: usize, step: usize) -> (Vec<u8>, Log) {
    let (mut out, mut log) = (Vec::new(), Log::default());
    let config = FilterConfig {
        max_line,
        ..FilterConfig::default()
    };
    Filter::new(m, config)
        .run_parallel(Trickle { data, step }, &mut out, &mut log, jobs)
        .expect("filtering into memory cannot fail");
    (out, log)
}

/// The filter's invariants on one input:
///
/// - the output is the input's lines, in order, minus the dropped ones, with changed lines
///   replaced by what the matcher strips them to; it is rebuilt here from the input and the
///   events alone, and every line without an event is one the matcher keeps;
/// - output and events are the same at any thread count and read size;
/// - filtering the output again removes and changes nothing.
pub fn check_filter(m: &Matcher, data: &[u8], max_line: usize, jobs: usize, step: usize) {
    let (out, log) = run(m, data, max_line, 1, usize::MAX);

    let mut scratch = Scratch::new();
    let mut events = log.0.iter().peekable();
    let mut want = Vec::new();
    for (i, line) in lines(data).into_iter().enumerate() {
        let line_no = i as u64 + 1;
        let (content, term) = split_line(line);
        let ev = events.next_if(|e| e.line_no == line_no);
        match ev.map(|e| e.kind) {
            None => {
                assert!(
                    line.len() <= max_line,
                    "line {line_no}: long line without event"
                );
                let v = m.verdict(content, &mut scratch);
                assert_eq!(v, Verdict::Keep, "line {line_no} kept without Keep verdict");
                want.extend_from_slice(line);
            }
            Some(EventKind::LongLine) => {
                assert!(
                    line.len() >= max_line,
                    "line {line_no}: LongLine event on a short line"
                );
                want.extend_from_slice(line);
            }
            Some(EventKind::Dropped) => {
                let e = ev.unwrap();
                assert_eq!(e.line, content, "line {line_no}");
                let v = m.verdict(content, &mut scratch);
                assert_eq!(v, Verdict::Drop(e.rule), "line {line_no}");
                assert_eq!(e.bytes_removed, line.len(), "line {line_no}");
            }
            Some(EventKind::Changed) => {
                let e = ev.unwrap();
                assert_eq!(e.line, content, "line {line_no}");
                let v = m.verdict(content, &mut scratch);
                assert_eq!(v, Verdict::Strip, "line {line_no}");
                let stripped = scratch.stripped();
                assert_eq!(
                    e.bytes_removed,
                    content.len() - stripped.len(),
                    "line {line_no}"
                );
                let mut cut = Vec::new();
                let mut at = 0;
                for sp in scratch.spans() {
                    assert!(at <= sp.start && sp.start < sp.end && sp.end <= content.len());
                    cut.extend_from_slice(&content[at..sp.start]);
                    at = sp.end;
                }
                cut.extend_from_slice(&content[at..]);
                assert_eq!(
                    cut, stripped,
                    "line {line_no}: spans and stripped text disagree"
                );
                want.extend_from_slice(stripped);
                want.extend_from_slice(term);
            }
        }
    }
    assert_eq!(events.next(), None, "events past the last line");
    assert!(
        out == want,
        "output differs from input minus reported removals"
    );

    let (par, par_log) = run(m, data, max_line, jobs, step);
    assert!(
        par == out,
        "output differs at {jobs} threads, reads of {step}"
    );
    assert_eq!(
        par_log, log,
        "events differ at {jobs} threads, reads of {step}"
    );

    let (twice, log2) = run(m, &out, max_line, 1, usize::MAX);
    assert!(
        log2.0.iter().all(|e| e.kind == EventKind::LongLine),
        "second pass removed something: {:?}",
        log2.0
    );
    assert!(twice == out, "second pass changed the output");
}
