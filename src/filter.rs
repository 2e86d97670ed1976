//! The driver: frames input into chunks, asks the matcher, writes what is kept.
//!
//! Output is pushed to any [`Write`]r and every removal to an [`Observer`], so tests filter into
//! a `Vec<u8>` and the CLI adds statistics and explanations without the filter knowing of them.
//! Kept bytes between two removals are written as one slice straight from the read buffer.

use std::io::{self, Read, Write};

use memchr::memchr_iter;

use crate::frame::{Chunker, DEFAULT_MAX_LINE, Piece};
use crate::matcher::{Matcher, Scratch, Verdict};
use crate::report::{Event, EventKind, Observer};

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
}

impl<'m> Filter<'m> {
    /// A filter with the given matcher and settings.
    pub fn new(matcher: &'m Matcher, config: FilterConfig) -> Filter<'m> {
        Filter { matcher, config }
    }

    /// The filter's settings.
    pub fn config(&self) -> FilterConfig {
        self.config
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
        let mut chunker = Chunker::new(input, self.config.max_line);
        let mut scratch = Scratch::new();
        let mut line_base = 0u64;
        let numbered = obs.wants_line_numbers();
        while let Some(piece) = chunker.next().map_err(RunError::Read)? {
            match piece {
                Piece::Lines(chunk) => {
                    self.chunk(chunk, &mut line_base, numbered, &mut scratch, out, obs)
                        .map_err(RunError::Write)?;
                }
                Piece::Long { bytes, end } => {
                    if self.config.output == OutputMode::Kept {
                        out.write_all(bytes).map_err(RunError::Write)?;
                    }
                    if end {
                        line_base += 1;
                        obs.event(&Event::long_line(line_base))
                            .map_err(RunError::Write)?;
                    }
                }
            }
        }
        Ok(())
    }

    /// Filters one chunk of whole lines. `line_base` counts the lines before the chunk (kept up
    /// to date only when `numbered`).
    pub fn chunk<W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        chunk: &[u8],
        line_base: &mut u64,
        numbered: bool,
        scratch: &mut Scratch,
        out: &mut W,
        obs: &mut O,
    ) -> io::Result<()> {
        let mode = self.config.output;
        let mut emit_from = 0;
        let mut counted_to = 0;
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
                })
            })?;
        if mode == OutputMode::Kept {
            out.write_all(&chunk[emit_from..])?;
        }
        if numbered {
            *line_base += memchr_iter(b'\n', &chunk[counted_to..]).count() as u64;
        }
        Ok(())
    }
}
