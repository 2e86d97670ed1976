//! The driver: frames input into chunks, asks the matcher, writes what is kept.
//!
//! Output is pushed to any [`Write`]r and every removal to an [`Observer`], so tests filter into
//! a `Vec<u8>` and the CLI adds statistics and explanations without the filter knowing of them.
//! Kept bytes between two removals are one slice of the read buffer; a chunk's slices go out
//! together in one vectored write (`Gather`), so they are not copied on the way.
//!
//! This is the *line path*: each line judged alone, streaming. When the rules need whole
//! documents (zones, `cut`, `before=`, `between=`, `footnote`), a removal cap is set or documents are
//! delimited (`-z`, `--doc-sep`), [`Filter::run`] hands the input to the document driver in
//! [`crate::document`] instead, which falls back to this path for documents over its cap.

use std::io::{self, IoSlice, Read, Write};

use memchr::memchr_iter;

use crate::document::{Boundary, DocumentConfig};
use crate::frame::{Chunker, DEFAULT_MAX_LINE, Piece};
use crate::matcher::{Matcher, Scratch, Verdict};
use crate::report::{Event, EventKind, Observer};

/// A position in the input: lines and bytes before it.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Cursor {
    /// Lines before it (kept up to date only when line numbers are wanted).
    pub line: u64,
    /// Bytes before it.
    pub byte: u64,
}

/// Which lines go to the output.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum OutputMode {
    /// Kept and changed lines: the cleaned text (the default).
    #[default]
    Kept,
    /// Only the removed lines, as they were read, and the changed lines in their original form:
    /// for reviewing what the rules take out.
    Removed,
}

/// Settings of a filter run that are not rules.
#[derive(Debug, Clone, Copy)]
pub struct FilterConfig {
    /// Which lines are written.
    pub output: OutputMode,
    /// Lines longer than this many bytes (terminator included) pass through unchecked. It is
    /// also the read buffer's size.
    pub max_line: usize,
}

impl Default for FilterConfig {
    fn default() -> Self {
        FilterConfig {
            output: OutputMode::Kept,
            max_line: DEFAULT_MAX_LINE,
        }
    }
}

/// An error of a filter run: reading failed, or writing did. They are told apart because a
/// closed output pipe is a quiet end for the CLI while a read error is not.
#[derive(Debug)]
pub enum RunError {
    /// Reading the input failed.
    Read(io::Error),
    /// Writing the output (or an observer's output) failed.
    Write(io::Error),
    /// A JSON Lines record was not valid and the policy is to stop.
    BadRecord {
        /// The 1-based record number.
        record: u64,
        /// What is wrong with it.
        message: String,
    },
}

/// Applies a [`Matcher`] to whole inputs.
pub struct Filter<'m> {
    matcher: &'m Matcher,
    config: FilterConfig,
    docs: DocumentConfig,
    /// True when the document driver is needed.
    document_pass: bool,
}

impl<'m> Filter<'m> {
    /// A filter with the given matcher and settings; each input is one document
    /// ([`DocumentConfig::default`]).
    pub fn new(matcher: &'m Matcher, config: FilterConfig) -> Filter<'m> {
        Filter {
            matcher,
            config,
            docs: DocumentConfig::default(),
            document_pass: matcher.zones().any,
        }
    }

    /// The same filter with other document settings (boundaries, cap, removal share, site).
    pub fn with_documents(mut self, docs: DocumentConfig) -> Filter<'m> {
        self.document_pass = self.matcher.zones().any
            || docs.max_removed.is_some()
            || docs.boundary != Boundary::File;
        self.docs = docs;
        self
    }

    /// The filter's settings.
    pub fn config(&self) -> FilterConfig {
        self.config
    }

    /// The document settings.
    pub fn documents(&self) -> &DocumentConfig {
        &self.docs
    }

    /// The matcher.
    pub fn matcher(&self) -> &'m Matcher {
        self.matcher
    }

    /// True when inputs go through the document driver rather than the line path.
    pub fn uses_documents(&self) -> bool {
        self.document_pass
    }

    /// A scratch space with this filter's site set.
    pub(crate) fn scratch(&self) -> Scratch {
        let mut s = Scratch::new();
        s.set_site(self.docs.site.as_deref());
        s
    }

    /// Filters `input` into `out`, reporting removals to `obs`.
    ///
    /// ```
    /// use dechaff::{Filter, FilterConfig, Matcher};
    /// let mut cats = Vec::new();
    /// let specs = dechaff::rules::parse_rules("r", "ad ad line Advertisement\n", &mut cats).unwrap();
    /// let m = Matcher::new(&specs).unwrap();
    /// let mut out = Vec::new();
    /// Filter::new(&m, FilterConfig::default())
    ///     .run(&b"Story.\r\nAdvertisement\r\nMore story."[..], &mut out, &mut ())
    ///     .unwrap();
    /// assert_eq!(out, b"Story.\r\nMore story.");
    /// ```
    pub fn run<R: Read, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
    ) -> Result<(), RunError> {
        if self.document_pass {
            return self.run_documents(input, out, obs, false, None).map(|_| ());
        }
        self.run_lines(input, out, obs, Cursor::default())
    }

    /// The line path over `input`, numbering from `at`.
    pub(crate) fn run_lines<R: Read, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
        mut at: Cursor,
    ) -> Result<(), RunError> {
        let mut chunker = Chunker::new(input, self.config.max_line);
        let mut scratch = self.scratch();
        let numbered = obs.wants_line_numbers();
        while let Some(piece) = chunker.next().map_err(RunError::Read)? {
            match piece {
                Piece::Lines(chunk) => {
                    self.chunk(chunk, &mut at, numbered, &mut scratch, out, obs)
                        .map_err(RunError::Write)?;
                }
                Piece::Long { bytes, end } => {
                    if self.config.output == OutputMode::Kept {
                        out.write_all(bytes).map_err(RunError::Write)?;
                    }
                    at.byte += bytes.len() as u64;
                    if end {
                        at.line += 1;
                        let mut ev = Event::long_line(at.line);
                        ev.offset = at.byte;
                        obs.event(&ev).map_err(RunError::Write)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Filters one chunk of whole lines with line rules only. `at` is the position of the
    /// chunk's start and is moved past it (lines counted only when `numbered`).
    pub fn chunk<W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        chunk: &[u8],
        at: &mut Cursor,
        numbered: bool,
        scratch: &mut Scratch,
        out: &mut W,
        obs: &mut O,
    ) -> io::Result<()> {
        let mode = self.config.output;
        let mut kept = Gather::new();
        let mut emit_from = 0;
        let mut counted_to = 0;
        let byte_base = at.byte;
        let line_base = &mut at.line;
        self.matcher
            .scan(chunk, scratch, |ls, ce, le, verdict, scratch| {
                let line_no = if numbered {
                    *line_base += memchr_iter(b'\n', &chunk[counted_to..ls]).count() as u64;
                    counted_to = ls;
                    *line_base + 1
                } else {
                    0
                };
                let (kind, rule, bytes_removed) = match verdict {
                    Verdict::Keep => return Ok(()),
                    Verdict::Drop(rule) => (EventKind::Dropped, rule, le - ls),
                    Verdict::Strip => {
                        let spans = scratch.spans();
                        (
                            EventKind::Changed,
                            spans[0].rule,
                            (ce - ls) - scratch.stripped().len(),
                        )
                    }
                };
                match mode {
                    OutputMode::Kept => {
                        kept.push(&chunk[emit_from..ls], out)?;
                        if kind == EventKind::Changed {
                            // The stripped line lives in `scratch` only until the next line.
                            kept.flush(out)?;
                            out.write_all(scratch.stripped())?;
                            kept.push(&chunk[ce..le], out)?;
                        }
                    }
                    OutputMode::Removed => out.write_all(&chunk[ls..le])?,
                }
                emit_from = le;
                obs.event(&Event {
                    line_no,
                    record: 0,
                    line: &chunk[ls..ce],
                    kind,
                    rule,
                    bytes_removed,
                    offset: byte_base + ls as u64,
                    spans: if kind == EventKind::Changed {
                        scratch.spans()
                    } else {
                        &[]
                    },
                    cut: false,
                })
            })?;
        if mode == OutputMode::Kept {
            kept.push(&chunk[emit_from..], out)?;
            kept.flush(out)?;
        }
        if numbered {
            *line_base += memchr_iter(b'\n', &chunk[counted_to..]).count() as u64;
        }
        at.byte += chunk.len() as u64;
        Ok(())
    }
}

/// Kept runs of one chunk, written with one vectored write instead of one write each.
///
/// Between two removals the kept bytes are one slice of the read buffer. Written one by one,
/// each slice (a few KiB) is smaller than the output's buffer and is copied into it; gathered,
/// the chunk's runs (a whole chunk, less its removed lines) go to the output in one
/// `write_vectored`, which a buffered writer passes straight through once they are at least
/// its capacity. That saves copying every kept byte once more (6% of a run with the built-in
/// packs, BENCHMARKS.md). The slices sit in a fixed array, so gathering allocates nothing.
pub(crate) struct Gather<'a> {
    slices: [IoSlice<'a>; GATHER_SLICES],
    len: usize,
}

/// Runs gathered before they are written.
const GATHER_SLICES: usize = 64;

impl<'a> Gather<'a> {
    pub(crate) fn new() -> Gather<'a> {
        Gather {
            slices: [IoSlice::new(&[]); GATHER_SLICES],
            len: 0,
        }
    }

    /// Adds `bytes` (skipped when empty), writing what is gathered first when the array is
    /// full.
    pub(crate) fn push<W: Write + ?Sized>(
        &mut self,
        bytes: &'a [u8],
        out: &mut W,
    ) -> io::Result<()> {
        if bytes.is_empty() {
            return Ok(());
        }
        if self.len == GATHER_SLICES {
            self.flush(out)?;
        }
        self.slices[self.len] = IoSlice::new(bytes);
        self.len += 1;
        Ok(())
    }

    /// Writes every gathered slice, in order, and empties the array.
    pub(crate) fn flush<W: Write + ?Sized>(&mut self, out: &mut W) -> io::Result<()> {
        let mut rest = &mut self.slices[..self.len];
        self.len = 0;
        while !rest.is_empty() {
            match out.write_vectored(rest) {
                Ok(0) => return Err(io::ErrorKind::WriteZero.into()),
                Ok(n) => IoSlice::advance_slices(&mut rest, n),
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rules;

    /// A writer that takes at most `step` bytes per call, vectored or not, and counts the
    /// vectored calls.
    struct Narrow {
        out: Vec<u8>,
        step: usize,
        vectored: usize,
    }

    impl Write for Narrow {
        fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
            let n = buf.len().min(self.step);
            self.out.extend_from_slice(&buf[..n]);
            Ok(n)
        }
        fn write_vectored(&mut self, bufs: &[IoSlice<'_>]) -> io::Result<usize> {
            self.vectored += 1;
            let mut n = 0;
            for b in bufs {
                let take = b.len().min(self.step - n);
                self.out.extend_from_slice(&b[..take]);
                n += take;
                if n == self.step {
                    break;
                }
            }
            Ok(n)
        }
        fn flush(&mut self) -> io::Result<()> {
            Ok(())
        }
    }

    #[test]
    fn gathered_kept_runs_survive_partial_writes_in_order() {
        let mut cats = Vec::new();
        let specs = parse_rules(
            "t",
            "a ad line Advertisement\nb promo regex,strip \\s*\\[share\\]\n",
            &mut cats,
        )
        .unwrap();
        let m = Matcher::new(&specs).unwrap();
        let f = Filter::new(&m, FilterConfig::default());
        // More kept runs than one gather holds, a stripped line among them, no final newline.
        let mut input = Vec::new();
        let mut want = Vec::new();
        for i in 0..3 * GATHER_SLICES {
            let story = format!("story line {i}, kept as it came\r\n");
            input.extend_from_slice(story.as_bytes());
            want.extend_from_slice(story.as_bytes());
            input.extend_from_slice(b"Advertisement\n");
            if i % 50 == 7 {
                input.extend_from_slice(b"a quote [share]\n");
                want.extend_from_slice(b"a quote\n");
            }
        }
        input.extend_from_slice(b"the end");
        want.extend_from_slice(b"the end");
        for step in [1, 3, 64, 1 << 20] {
            let mut out = Narrow {
                out: Vec::new(),
                step,
                vectored: 0,
            };
            f.run(&input[..], &mut out, &mut ()).unwrap();
            assert_eq!(out.out, want, "step {step}");
            assert!(out.vectored > 0, "kept runs went through write_vectored");
        }
    }
}
