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
    /// For a changed line: the removed spans and their rules.
    pub spans: Vec<(usize, usize, usize)>,
    /// Dropped for a marker line: after a cut marker, before a `before=N` marker or between
    /// `between=N` markers.
    pub cut: bool,
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
            spans: ev.spans.iter().map(|s| (s.start, s.end, s.rule)).collect(),
            cut: ev.cut,
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

/// True when a rule depends on where its line stands in the document (or on the site), which
/// [`Matcher::verdict`] on the line alone cannot know.
fn placed(m: &Matcher, rule: usize) -> bool {
    let r = &m.rules()[rule];
    r.head.is_some() || r.tail.is_some() || r.cut || r.site.is_some()
}

/// The filter's invariants on one input (the whole input is one document):
///
/// - the output is the input's lines, in order, minus the dropped ones, with changed lines
///   replaced by the line with the reported spans cut out; it is rebuilt here from the input
///   and the events alone;
/// - the events agree with [`Matcher::verdict`] on each line, except where the document pass
///   adds to it: rules scoped to the head or tail, lines after a `cut` marker, and footnote
///   markers (only `*` bytes) stripped because their footnote was dropped;
/// - output and events are the same at any thread count and read size;
/// - filtering the output again removes and changes nothing, unless a user rule is scoped to a
///   zone (removing lines moves others into it, so such rules are not idempotent; README).
pub fn check_filter(m: &Matcher, data: &[u8], max_line: usize, jobs: usize, step: usize) {
    let (out, log) = run(m, data, max_line, 1, usize::MAX);

    let mut scratch = Scratch::new();
    let mut events = log.0.iter().peekable();
    let mut want = Vec::new();
    for (i, line) in lines(data).into_iter().enumerate() {
        let line_no = i as u64 + 1;
        let (content, term) = split_line(line);
        let ev = events.next_if(|e| e.line_no == line_no);
        let verdict = m.verdict(content, &mut scratch);
        let verdict_placed = match verdict {
            Verdict::Drop(r) => placed(m, r),
            Verdict::Strip => scratch.spans().iter().any(|s| placed(m, s.rule)),
            Verdict::Keep => false,
        };
        match ev.map(|e| e.kind) {
            None => {
                assert!(
                    line.len() <= max_line,
                    "line {line_no}: long line without event"
                );
                assert!(
                    verdict == Verdict::Keep || verdict_placed,
                    "line {line_no} kept, verdict {verdict:?}"
                );
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
                if e.cut {
                    assert!(
                        m.rules()[e.rule].cut
                            || m.rules()[e.rule].before.is_some()
                            || m.rules()[e.rule].between.is_some(),
                        "line {line_no}: cut by a rule without 'cut', 'before=' or 'between='"
                    );
                } else if !placed(m, e.rule) && !verdict_placed {
                    assert_eq!(verdict, Verdict::Drop(e.rule), "line {line_no}");
                }
                assert_eq!(e.bytes_removed, line.len(), "line {line_no}");
            }
            Some(EventKind::Changed) => {
                let e = ev.unwrap();
                assert_eq!(e.line, content, "line {line_no}");
                assert_eq!(e.spans[0].2, e.rule, "line {line_no}");
                let mut cut = Vec::new();
                let mut at = 0;
                for &(s, end, _) in &e.spans {
                    assert!(at <= s && s < end && end <= content.len(), "line {line_no}");
                    cut.extend_from_slice(&content[at..s]);
                    at = end;
                }
                cut.extend_from_slice(&content[at..]);
                assert_eq!(e.bytes_removed, content.len() - cut.len(), "line {line_no}");
                if !verdict_placed && !e.spans.iter().any(|s| placed(m, s.2)) {
                    // The matcher's own spans are among them; any other is a footnote marker.
                    let own: Vec<(usize, usize)> = match verdict {
                        Verdict::Strip => {
                            scratch.spans().iter().map(|s| (s.start, s.end)).collect()
                        }
                        v => {
                            assert_eq!(v, Verdict::Keep, "line {line_no}");
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
                            "line {line_no}: a span of the matcher was not reported"
                        );
                    }
                }
                want.extend_from_slice(&cut);
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

    // The packs' zoned rules are idempotent (`properties::filtering_is_idempotent`).
    let zoned = m.rules().iter().any(|r| {
        (r.head.is_some() || r.tail.is_some()) && !r.origin.to_string().starts_with("<builtin:")
    });
    if !zoned {
        let (twice, log2) = run(m, &out, max_line, 1, usize::MAX);
        assert!(
            log2.0.iter().all(|e| e.kind == EventKind::LongLine),
            "second pass removed something: {:?}",
            log2.0
        );
        assert!(twice == out, "second pass changed the output");
    }
}
