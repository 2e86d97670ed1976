//! The driver: frames input into chunks, asks the matcher, writes what is kept.
//!
//! Output is pushed to any [`Write`]r and every removal to an [`Observer`], so tests filter into
//! a `Vec<u8>` and the CLI adds statistics and explanations without the filter knowing of them.
//! Kept bytes between two removals are written as one slice straight from the read buffer.
//!
//! This is the *line path*: each line judged alone, streaming. When the rules need whole
//! documents (zones, `cut`, `before=`, `between=`, `footnote`), a removal cap is set or documents are
//! delimited (`-z`, `--doc-sep`), [`Filter::run`] hands the input to the document driver in
//! [`crate::document`] instead, which falls back to this path for documents over its cap.

use std::io::{self, Read, Write};

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
                        out.write_all(&chunk[emit_from..ls])?;
                        if kind == EventKind::Changed {
                            out.write_all(scratch.stripped())?;
                            out.write_all(&chunk[ce..le])?;
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
            out.write_all(&chunk[emit_from..])?;
        }
        if numbered {
            *line_base += memchr_iter(b'\n', &chunk[counted_to..]).count() as u64;
        }
        at.byte += chunk.len() as u64;
        Ok(())
    }
}
