//! Framing: a reader becomes a stream of chunks of whole lines, in bounded memory.
//!
//! The filter never sees a partial line: [`Chunker`] hands out slices that end on a line
//! terminator (or at the end of input). Its buffer has a fixed capacity, which is also the cap
//! on line length: a line longer than the buffer cannot be judged whole, so it is handed out in
//! pieces as [`Piece::Long`] and written through unchanged, never dropped, truncated or buffered
//! whole. A promo line is never that long.

use std::io::{self, Read};

use memchr::memrchr;

/// The default buffer size, and so the longest line that is matched: 1 MiB.
pub const DEFAULT_MAX_LINE: usize = 1 << 20;

/// One piece of input.
#[derive(Debug, PartialEq, Eq)]
pub enum Piece<'a> {
    /// One or more whole lines; the last may lack a terminator only at the end of input.
    Lines(&'a [u8]),
    /// Part of a line longer than the cap, to be passed through as it is. `end` is true on the
    /// piece that holds the line's terminator (or the end of input).
    Long {
        /// The bytes.
        bytes: &'a [u8],
        /// True when this piece ends the long line.
        end: bool,
    },
}

/// Reads chunks of whole lines from `R` with a buffer of fixed capacity.
pub struct Chunker<R> {
    reader: R,
    buf: Vec<u8>,
    start: usize,
    end: usize,
    eof: bool,
    in_long: bool,
    /// A read error, reported once the bytes read before it were handed out (as if the input
    /// had ended there), so that nothing read is lost, as with the parallel driver.
    error: Option<io::Error>,
}

impl<R: Read> Chunker<R> {
    /// A chunker whose buffer, and so line cap, is `capacity` bytes (at least 1).
    pub fn new(reader: R, capacity: usize) -> Chunker<R> {
        Chunker {
            reader,
            buf: vec![0; capacity.max(1)],
            start: 0,
            end: 0,
            eof: false,
            in_long: false,
            error: None,
        }
    }

    /// Reads more into the buffer. A read error ends the input here; [`Chunker::next`]
    /// reports it after the rest.
    fn fill(&mut self) {
        if self.start > 0 {
            self.buf.copy_within(self.start..self.end, 0);
            self.end -= self.start;
            self.start = 0;
        }
        loop {
            match self.reader.read(&mut self.buf[self.end..]) {
                Ok(n) => {
                    if n == 0 {
                        self.eof = true;
                    }
                    self.end += n;
                    return;
                }
                Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
                Err(e) => {
                    self.eof = true;
                    self.error = Some(e);
                    return;
                }
            }
        }
    }

    /// The bytes read but not yet handed out, and the reader: the rest of the input. Only
    /// meaningful between lines (not inside a long line).
    pub fn into_parts(self) -> (Vec<u8>, R) {
        (self.buf[self.start..self.end].to_vec(), self.reader)
    }

    /// The end of input: `None`, or the read error that ended it.
    fn finish(&mut self) -> io::Result<Option<Piece<'_>>> {
        match self.error.take() {
            Some(e) => Err(e),
            None => Ok(None),
        }
    }

    /// The next piece, or `None` at the end of input. A read error is returned after the
    /// pieces of everything read before it, the last one cut as at the end of input.
    #[allow(clippy::should_implement_trait)]
    pub fn next(&mut self) -> io::Result<Option<Piece<'_>>> {
        loop {
            let avail = &self.buf[self.start..self.end];
            if self.in_long {
                if !avail.is_empty() {
                    let (take, end) = match memchr::memchr(b'\n', avail) {
                        Some(i) => (i + 1, true),
                        None => (avail.len(), false),
                    };
                    let s = self.start;
                    self.start += take;
                    self.in_long = !end;
                    return Ok(Some(Piece::Long {
                        bytes: &self.buf[s..s + take],
                        end,
                    }));
                }
                if self.eof {
                    self.in_long = false;
                    return self.finish();
                }
                self.fill();
                if self.eof && self.start == self.end {
                    self.in_long = false;
                    return Ok(Some(Piece::Long {
                        bytes: &[],
                        end: true,
                    }));
                }
                continue;
            }
            if let Some(i) = memrchr(b'\n', avail) {
                let s = self.start;
                self.start += i + 1;
                return Ok(Some(Piece::Lines(&self.buf[s..s + i + 1])));
            }
            if self.eof {
                if avail.is_empty() {
                    return self.finish();
                }
                let s = self.start;
                self.start = self.end;
                return Ok(Some(Piece::Lines(&self.buf[s..self.end])));
            }
            if self.start == 0 && self.end == self.buf.len() {
                // A full buffer without a terminator: the line is longer than the cap.
                self.in_long = true;
                let n = self.end;
                self.start = self.end;
                return Ok(Some(Piece::Long {
                    bytes: &self.buf[..n],
                    end: false,
                }));
            }
            self.fill();
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// A reader that returns at most `step` bytes per read, like a pipe.
    struct Trickle<'a> {
        data: &'a [u8],
        step: usize,
    }

    impl Read for Trickle<'_> {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = self.step.min(buf.len()).min(self.data.len());
            buf[..n].copy_from_slice(&self.data[..n]);
            self.data = &self.data[n..];
            Ok(n)
        }
    }

    /// Reassembles the pieces and checks that `Lines` pieces hold whole lines.
    fn pieces(data: &[u8], cap: usize, step: usize) -> (Vec<u8>, usize) {
        let mut c = Chunker::new(Trickle { data, step }, cap);
        let mut out = Vec::new();
        let mut long = 0;
        while let Some(p) = c.next().unwrap() {
            match p {
                Piece::Lines(b) => {
                    assert!(!b.is_empty());
                    assert!(b.len() <= cap);
                    let whole = b.ends_with(b"\n") || out.len() + b.len() == data.len();
                    assert!(whole, "partial line {b:?}");
                    out.extend_from_slice(b);
                }
                Piece::Long { bytes, end } => {
                    out.extend_from_slice(bytes);
                    if end {
                        long += 1;
                    }
                }
            }
        }
        (out, long)
    }

    #[test]
    fn every_byte_comes_back_in_order_at_any_buffer_and_read_size() {
        let data = b"one\ntwo\r\n\nthree long line here\nno final newline";
        for cap in 1..=data.len() + 2 {
            for step in [1, 2, 3, 7, 64] {
                let (out, _) = pieces(data, cap, step);
                assert_eq!(out, data, "cap {cap} step {step}");
            }
        }
    }

    #[test]
    fn lines_longer_than_the_cap_pass_as_long_pieces() {
        let data = b"short\nthis line is far too long\nok\n";
        let (out, long) = pieces(data, 8, 3);
        assert_eq!(out, data);
        assert_eq!(long, 1);
    }

    #[test]
    fn empty_input_gives_nothing() {
        assert_eq!(pieces(b"", 4, 1), (Vec::new(), 0));
    }
}
