//! The parallel driver: N threads that read and filter chunks, one of them (the calling
//! thread) also writing the results in input order.
//!
//! Lines are independent, so a chunk of whole lines can be filtered anywhere. The threads take
//! turns at the input (`Source`, under a lock): each fills an owned buffer of `CHUNK` bytes
//! (grown up to the line limit only while no line ends in it), cuts it after its last line
//! terminator (the partial line is carried into the next buffer) and numbers it, then filters
//! it while another reads. A chunk's output is recorded as runs of the chunk itself (only
//! changed lines are copied), with its removals. The calling thread takes the results in
//! sequence order (`InOrder`), writes them from the chunk in one vectored write and replays
//! the removals to the observer with absolute line numbers; between writes it filters chunks
//! of its own. A fixed pool of buffer pairs bounds memory: the spawned workers wait for the
//! calling thread to hand a pair back, so at most `pool` chunks are in flight whatever the
//! input size, and output is byte-identical to the single-threaded [`Filter::run`], whatever
//! the thread count. The calling thread never waits for a pair (it is the one that frees
//! them): with none free it waits for a worker's result instead.
//!
//! There is no reader thread and no writer thread of their own: reading in the thread that
//! filters keeps the chunk in its core's cache, and on two cores a third thread preempted a
//! worker at every hand-off (about 1,200 context switches over 200 MB at `-j2` against about
//! 100 now; BENCHMARKS.md Round 12). The output and the observer stay on the calling thread,
//! so neither needs to be `Send`. A consequence: with `-j N` on a slow pipe, a finished
//! chunk can wait to be written while the calling thread waits for input of its own.
//!
//! When the rules need documents ([`crate::document`]), the document driver runs first on the
//! calling thread; an input that is one document over the document cap is handed back to this
//! driver for the rest of it (judged by line rules only, as one thread would), so large files
//! keep their threads. Smaller documents and `-z`/`--doc-sep` input stay on one thread, which
//! keeps the output identical for every thread count.

use std::collections::BTreeMap;
use std::io::{self, Read, Write};
use std::sync::mpsc::{Receiver, Sender, channel};
use std::sync::{Condvar, Mutex};

use memchr::memrchr;

use crate::filter::{Cursor, Filter, Gather, RunError};
use crate::matcher::{RuleId, Span};
use crate::report::{Event, EventKind, Observer};

/// A buffer pair: the input chunk and the output produced from it.
///
/// `input` keeps the length it was once grown to and only its first `filled` bytes are the
/// chunk: refilling a buffer then never zeroes it again (a `Vec` truncated and resized would
/// write every byte twice, once as zero and once from the reader: 2% of a `-j2` run's time in
/// `perf`).
struct Slot {
    input: Vec<u8>,
    filled: usize,
    /// The bytes of the output that are not runs of the chunk (lines a strip rule changed).
    output: Vec<u8>,
    /// The output, in order: runs of the chunk and of `output` (see [`Runs`]).
    runs: Vec<Run>,
}

/// A run of output bytes: `input[start..end]` of its slot when `chunk`, else
/// `output[start..end]`.
#[derive(Clone, Copy)]
struct Run {
    chunk: bool,
    start: usize,
    end: usize,
}

/// The writer a worker filters a chunk into. Kept lines are slices of the chunk: they are
/// recorded as runs of it, not copied, and the writer thread writes them from the chunk (which
/// travels back with the result) in one vectored write. Only other bytes (changed lines) are
/// copied, into the slot's `output`. That saves copying every kept byte once in the worker,
/// and once more in the output buffer for chunks smaller than it.
struct Runs<'a> {
    chunk: &'a [u8],
    output: &'a mut Vec<u8>,
    runs: &'a mut Vec<Run>,
}

impl Runs<'_> {
    fn add(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            return;
        }
        let (p, c) = (bytes.as_ptr() as usize, self.chunk.as_ptr() as usize);
        let run = if p >= c && p + bytes.len() <= c + self.chunk.len() {
            Run {
                chunk: true,
                start: p - c,
                end: p - c + bytes.len(),
            }
        } else {
            let start = self.output.len();
            self.output.extend_from_slice(bytes);
            Run {
                chunk: false,
                start,
                end: self.output.len(),
            }
        };
        match self.runs.last_mut() {
            Some(last) if last.chunk == run.chunk && last.end == run.start => last.end = run.end,
            _ => self.runs.push(run),
        }
    }
}

impl Write for Runs<'_> {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        self.add(buf);
        Ok(buf.len())
    }

    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        let mut n = 0;
        for b in bufs {
            self.add(b);
            n += b.len();
        }
        Ok(n)
    }

    fn flush(&mut self) -> io::Result<()> {
        Ok(())
    }
}

impl Slot {
    /// The chunk.
    fn data(&self) -> &[u8] {
        &self.input[..self.filled]
    }
}

enum JobKind {
    /// Whole lines to filter.
    Lines,
    /// Part of an over-long line; `true` when it ends the line.
    Raw(bool),
}

struct Job {
    seq: u64,
    kind: JobKind,
    slot: Slot,
}

/// A removal recorded by a worker: line number within the chunk and the line's byte range.
#[derive(Clone, Copy)]
struct Recorded {
    line_no: u64,
    start: usize,
    end: usize,
    kind: EventKind,
    rule: RuleId,
    bytes_removed: usize,
    /// The strip spans, as a range of `Done::spans`.
    spans: (usize, usize),
}

struct Done {
    seq: u64,
    slot: Slot,
    events: Vec<Recorded>,
    spans: Vec<Span>,
    lines: u64,
    long_line_end: bool,
}

enum Msg {
    Done(Done),
    ReadError(u64, io::Error),
}

/// Records a worker's events as offsets into the chunk.
struct Recorder<'a> {
    base: usize,
    numbered: bool,
    events: &'a mut Vec<Recorded>,
    spans: &'a mut Vec<Span>,
}

impl Observer for Recorder<'_> {
    fn wants_line_numbers(&self) -> bool {
        self.numbered
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        let start = ev.line.as_ptr() as usize - self.base;
        let s0 = self.spans.len();
        self.spans.extend_from_slice(ev.spans);
        self.events.push(Recorded {
            spans: (s0, self.spans.len()),
            line_no: ev.line_no,
            start,
            end: start + ev.line.len(),
            kind: ev.kind,
            rule: ev.rule,
            bytes_removed: ev.bytes_removed,
        });
        Ok(())
    }
}

impl Filter<'_> {
    /// Like [`Filter::run`], with `jobs` matching threads. Output and events are identical to
    /// the single-threaded run; `jobs <= 1` simply calls it.
    pub fn run_parallel<R: Read + Send, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
        jobs: usize,
    ) -> Result<(), RunError> {
        self.run_parallel_sized(input, out, obs, jobs, None)
    }

    /// Like [`Filter::run_parallel`], given how many bytes `input` holds when that is known in
    /// advance (a regular file's size). In text mode with one document per input, an input
    /// already longer than the document cap is then judged by line rules from its first byte
    /// instead of after its first `--max-doc` bytes were buffered: the same output and counts
    /// (its oversize event reports 0 bytes buffered), without the buffer. `len` is only a
    /// hint: an input that turns out shorter is still judged correctly as one oversize
    /// document by line rules.
    pub fn run_parallel_sized<R: Read + Send, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
        jobs: usize,
        len: Option<u64>,
    ) -> Result<(), RunError> {
        if jobs <= 1 {
            if self.uses_documents() {
                return self.run_documents(input, out, obs, false, len).map(|_| ());
            }
            return self.run(input, out, obs);
        }
        if self.uses_documents() {
            return match self.run_documents(input, out, obs, true, len)? {
                None => Ok(()),
                Some(h) => self.run_parallel_lines(
                    io::Cursor::new(h.rest).chain(h.reader),
                    out,
                    obs,
                    jobs,
                    h.at,
                ),
            };
        }
        self.run_parallel_lines(input, out, obs, jobs, Cursor::default())
    }

    /// The parallel line path, numbering from `at`.
    fn run_parallel_lines<R: Read + Send, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
        jobs: usize,
        at: Cursor,
    ) -> Result<(), RunError> {
        let capacity = self.config().max_line.max(1);
        let numbered = obs.wants_line_numbers();
        let pool_size = jobs + 2;
        let pool = Pool::new(pool_size);
        let source = Mutex::new(Source {
            input,
            capacity,
            carry: Vec::new(),
            seq: 0,
            in_long: false,
            eof: false,
            finished: false,
        });
        std::thread::scope(|s| {
            let (done_tx, done_rx) = channel::<Msg>();
            for _ in 1..jobs {
                let done = done_tx.clone();
                let (source, pool) = (&source, &pool);
                s.spawn(move || self.work(source, pool, done, numbered));
            }
            drop(done_tx);
            // Closing the pool and dropping the receiver (at the end of this closure) let the
            // workers go if the writing stopped early, or unwinds: the scope waits for them.
            let _close = CloseOnDrop(&pool);
            self.lead(&source, &pool, &done_rx, out, obs, numbered, at)
        })
    }

    /// The calling thread's part: it writes the finished chunks in input order and, between
    /// writes, filters chunks of its own, so that `jobs` threads in all share the cores and no
    /// thread only waits to write (on two cores a third thread, the writer, preempted a worker
    /// at every chunk).
    #[allow(clippy::too_many_arguments)]
    fn lead<R: Read, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        source: &Mutex<Source<R>>,
        pool: &Pool,
        done: &Receiver<Msg>,
        out: &mut W,
        obs: &mut O,
        numbered: bool,
        at: Cursor,
    ) -> Result<(), RunError> {
        let mut order = InOrder::new(at);
        let mut scratch = self.scratch();
        let mut reading = true;
        loop {
            while let Ok(m) = done.try_recv() {
                order.accept(m);
            }
            order.write_ready(out, obs, pool)?;
            if reading && let Some(slot) = pool.try_take() {
                let (job, error) = {
                    // Poisoned: a worker panicked while reading, and the scope raises its
                    // panic once every thread is joined, so this result is never seen.
                    let Ok(mut src) = source.lock() else {
                        return Ok(());
                    };
                    src.next(slot)
                };
                if let Some((at, e)) = error {
                    order.accept(Msg::ReadError(at, e));
                }
                match job {
                    Some(job) => {
                        order.accept(Msg::Done(self.process(job, numbered, &mut scratch)));
                        continue;
                    }
                    None => {
                        reading = false;
                        // No chunk follows: workers waiting for a buffer can stop.
                        pool.close();
                    }
                }
            }
            // Nothing to write and no buffer to fill: wait for a worker.
            match done.recv() {
                Ok(m) => order.accept(m),
                Err(_) => break,
            }
        }
        order.write_ready(out, obs, pool)?;
        order.finish()
    }

    /// A worker: takes a buffer and the next chunk (reading it itself, so the chunk is still
    /// in this core's cache when it is filtered), filters it and hands the result to the
    /// calling thread, until the input ends or the writing stops.
    fn work<R: Read>(
        &self,
        source: &Mutex<Source<R>>,
        pool: &Pool,
        done: Sender<Msg>,
        numbered: bool,
    ) {
        let mut scratch = self.scratch();
        while let Some(slot) = pool.take() {
            let (job, error) = {
                let Ok(mut src) = source.lock() else { return };
                src.next(slot)
            };
            if let Some(e) = error
                && done.send(Msg::ReadError(e.0, e.1)).is_err()
            {
                return;
            }
            let Some(job) = job else { return };
            if done
                .send(Msg::Done(self.process(job, numbered, &mut scratch)))
                .is_err()
            {
                return;
            }
        }
    }

    /// Filters one chunk into its buffer's runs, recording its removals.
    fn process(&self, job: Job, numbered: bool, scratch: &mut crate::matcher::Scratch) -> Done {
        let Job {
            seq,
            kind,
            mut slot,
        } = job;
        let mut events = Vec::new();
        let mut spans = Vec::new();
        let mut lines = Cursor::default();
        slot.output.clear();
        slot.runs.clear();
        let mut runs = Runs {
            chunk: &slot.input[..slot.filled],
            output: &mut slot.output,
            runs: &mut slot.runs,
        };
        let long_line_end = match kind {
            JobKind::Lines => {
                let mut rec = Recorder {
                    base: slot.input.as_ptr() as usize,
                    numbered,
                    events: &mut events,
                    spans: &mut spans,
                };
                // Recording runs cannot fail.
                let _ = self.chunk(
                    &slot.input[..slot.filled],
                    &mut lines,
                    numbered,
                    scratch,
                    &mut runs,
                    &mut rec,
                );
                false
            }
            JobKind::Raw(end) => {
                if self.config().output == crate::OutputMode::Kept {
                    runs.add(&slot.input[..slot.filled]);
                }
                end
            }
        };
        Done {
            seq,
            slot,
            events,
            spans,
            lines: lines.line,
            long_line_end,
        }
    }
}

/// Closes the pool when dropped, on return and on unwinding alike.
struct CloseOnDrop<'a>(&'a Pool);

impl Drop for CloseOnDrop<'_> {
    fn drop(&mut self) {
        self.0.close();
    }
}

/// The buffer pairs: a fixed number, so at most that many chunks are in flight. Workers wait
/// here for one; the calling thread only takes one when it is free (it is the one that hands
/// them back, so it must never wait for one).
struct Pool {
    /// The free buffers, and whether the pool is closed (no more are handed out).
    free: Mutex<(Vec<Slot>, bool)>,
    given_back: Condvar,
}

impl Pool {
    /// `size` empty buffer pairs.
    fn new(size: usize) -> Pool {
        let slots = (0..size)
            .map(|_| Slot {
                input: Vec::new(),
                filled: 0,
                output: Vec::new(),
                runs: Vec::new(),
            })
            .collect();
        Pool {
            free: Mutex::new((slots, false)),
            given_back: Condvar::new(),
        }
    }

    /// A free buffer, waiting for one; `None` once the pool is closed.
    fn take(&self) -> Option<Slot> {
        let mut free = self.free.lock().ok()?;
        loop {
            if free.1 {
                return None;
            }
            if let Some(slot) = free.0.pop() {
                return Some(slot);
            }
            free = self.given_back.wait(free).ok()?;
        }
    }

    /// A free buffer if there is one.
    fn try_take(&self) -> Option<Slot> {
        let mut free = self.free.lock().ok()?;
        if free.1 { None } else { free.0.pop() }
    }

    /// Returns a written buffer, waking a worker that waits for one.
    fn give(&self, slot: Slot) {
        if let Ok(mut free) = self.free.lock() {
            free.0.push(slot);
            self.given_back.notify_one();
        }
    }

    /// Hands out no more buffers, waking every worker that waits for one.
    fn close(&self) {
        if let Ok(mut free) = self.free.lock() {
            free.1 = true;
            self.given_back.notify_all();
        }
    }
}

/// The usual size of a chunk handed to a worker. Against 256 KiB, 512 KiB chunks took about
/// 7-11% less wall clock at `-j2` on 200 MB (the `lit` and `mixed` lists, BENCHMARKS.md Round
/// 8), as much as 1 MiB ones (the default line limit) with half the memory: the pool of
/// `jobs + 2` buffer pairs stays a few MiB.
const CHUNK: usize = 512 << 10;

/// The input and the state of cutting it into chunks of whole lines, which the workers take
/// turns at under a lock. A worker reads its own chunk: read by one thread and filtered by
/// another, each chunk's bytes had to move between the cores' caches, and a reader thread of
/// its own competed with the workers for the two cores (BENCHMARKS.md, Round 8).
struct Source<R> {
    input: R,
    /// The line limit: how far a buffer grows while no line ends in it.
    capacity: usize,
    /// The partial line after the last chunk's last terminator.
    carry: Vec<u8>,
    /// The next chunk's sequence number.
    seq: u64,
    /// A line longer than the limit continues into the next buffer.
    in_long: bool,
    eof: bool,
    /// No chunk follows: the input ended or failed, or the writer stopped.
    finished: bool,
}

impl<R: Read> Source<R> {
    /// The next chunk: `slot` filled with whole lines and numbered. `None` when there is
    /// none. A read error comes with the chunk of what was read before it (so nothing read is
    /// lost), as the sequence number the writer fails at.
    fn next(&mut self, mut slot: Slot) -> (Option<Job>, Option<(u64, io::Error)>) {
        if self.finished {
            return (None, None);
        }
        let carry = &mut self.carry;
        if slot.input.len() < carry.len() {
            slot.input.resize(carry.len(), 0);
        }
        slot.input[..carry.len()].copy_from_slice(carry);
        slot.filled = carry.len();
        // The carry is a partial line: it holds no terminator.
        let mut scanned = carry.len();
        carry.clear();
        // Fill the buffer up to `target`: for a line-aligned cut the chunk should be full. A
        // chunk is `CHUNK` bytes unless no line ends in it, when it grows up to `capacity`, the
        // line limit, so that every line within the limit is still matched as a line.
        let mut target = CHUNK.min(self.capacity);
        loop {
            while !self.eof && slot.filled < target {
                if slot.input.len() < target {
                    slot.input.resize(target, 0);
                }
                let len = slot.filled;
                match self.input.read(&mut slot.input[len..target]) {
                    Ok(0) => self.eof = true,
                    Ok(n) => slot.filled = len + n,
                    Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                    Err(e) => {
                        // Hand on what was read, then the error, so nothing read is lost.
                        self.finished = true;
                        let (job, _) = cut(self.seq, self.in_long, true, slot, &mut self.carry);
                        return (Some(job), Some((self.seq + 1, e)));
                    }
                }
            }
            if self.eof || self.in_long || target >= self.capacity {
                break;
            }
            if memchr::memchr(b'\n', &slot.data()[scanned..]).is_some() {
                break;
            }
            scanned = slot.filled;
            target = target.saturating_mul(2).min(self.capacity);
        }
        if slot.filled == 0 {
            self.finished = true;
            // A long line that ended exactly at the end of input.
            let job = self.in_long.then_some(Job {
                seq: self.seq,
                kind: JobKind::Raw(true),
                slot,
            });
            return (job, None);
        }
        let (job, still_long) = cut(self.seq, self.in_long, self.eof, slot, &mut self.carry);
        self.in_long = still_long;
        self.seq += 1;
        if self.eof && self.carry.is_empty() {
            self.finished = true;
        }
        (Some(job), None)
    }
}

/// Cuts `slot` after its last terminator (moving the rest to `carry`) into chunk `seq`.
/// Returns the job and whether a long line continues past this buffer.
fn cut(seq: u64, in_long: bool, eof: bool, mut slot: Slot, carry: &mut Vec<u8>) -> (Job, bool) {
    let (kind, still_long) = if in_long {
        // Continue the long line up to its terminator; what follows starts fresh next time.
        match memchr::memchr(b'\n', slot.data()) {
            Some(i) => {
                carry.extend_from_slice(&slot.data()[i + 1..]);
                slot.filled = i + 1;
                (JobKind::Raw(true), false)
            }
            None => (JobKind::Raw(eof), !eof),
        }
    } else {
        match memrchr(b'\n', slot.data()) {
            _ if eof => (JobKind::Lines, false),
            Some(i) => {
                carry.extend_from_slice(&slot.data()[i + 1..]);
                slot.filled = i + 1;
                (JobKind::Lines, false)
            }
            // A full buffer without a terminator: a line longer than the cap.
            None => (JobKind::Raw(false), true),
        }
    };
    (Job { seq, kind, slot }, still_long)
}

/// The results in sequence order: finished chunks wait here until every chunk before them is
/// written, then go to the output (in one vectored write) and their removals to the observer
/// (with absolute line numbers), and their buffers back to the pool.
struct InOrder {
    next: u64,
    waiting: BTreeMap<u64, Done>,
    read_error: Option<(u64, io::Error)>,
    line_base: u64,
    byte_base: u64,
}

impl InOrder {
    fn new(at: Cursor) -> InOrder {
        InOrder {
            next: 0,
            waiting: BTreeMap::new(),
            read_error: None,
            line_base: at.line,
            byte_base: at.byte,
        }
    }

    fn accept(&mut self, m: Msg) {
        match m {
            Msg::Done(d) => {
                self.waiting.insert(d.seq, d);
            }
            Msg::ReadError(at, e) => self.read_error = Some((at, e)),
        }
    }

    /// Writes every result whose turn has come; fails with the read error once every chunk
    /// read before it is written.
    fn write_ready<W: Write + ?Sized, O: Observer + ?Sized>(
        &mut self,
        out: &mut W,
        obs: &mut O,
        pool: &Pool,
    ) -> Result<(), RunError> {
        while let Some(d) = self.waiting.remove(&self.next) {
            let mut gather = Gather::new();
            for r in &d.slot.runs {
                let from = if r.chunk {
                    &d.slot.input
                } else {
                    &d.slot.output
                };
                gather
                    .push(&from[r.start..r.end], out)
                    .map_err(RunError::Write)?;
            }
            gather.flush(out).map_err(RunError::Write)?;
            for r in &d.events {
                let ev = Event {
                    line_no: if r.line_no == 0 {
                        0
                    } else {
                        self.line_base + r.line_no
                    },
                    record: 0,
                    line: &d.slot.data()[r.start..r.end],
                    kind: r.kind,
                    rule: r.rule,
                    bytes_removed: r.bytes_removed,
                    offset: self.byte_base + r.start as u64,
                    spans: &d.spans[r.spans.0..r.spans.1],
                    cut: false,
                };
                obs.event(&ev).map_err(RunError::Write)?;
            }
            self.line_base += d.lines;
            self.byte_base += d.slot.filled as u64;
            if d.long_line_end {
                self.line_base += 1;
                obs.event(&Event::long_line(self.line_base))
                    .map_err(RunError::Write)?;
            }
            self.next += 1;
            pool.give(d.slot);
        }
        if self
            .read_error
            .as_ref()
            .is_some_and(|(at, _)| *at <= self.next)
        {
            let (_, e) = self.read_error.take().expect("checked");
            return Err(RunError::Read(e));
        }
        Ok(())
    }

    /// The end: the read error if one is left.
    fn finish(self) -> Result<(), RunError> {
        match self.read_error {
            Some((_, e)) => Err(RunError::Read(e)),
            None => Ok(()),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Slices of the chunk become runs of it (adjacent ones merged), other bytes are copied, and
    /// writing the runs back gives exactly what was written, in order.
    #[test]
    fn runs_record_chunk_slices_and_copy_the_rest() {
        let chunk = b"kept one\ndropped\nkept two\nkept three\n".to_vec();
        let changed = b"changed line".to_vec();
        let (mut output, mut runs) = (Vec::new(), Vec::new());
        let mut w = Runs {
            chunk: &chunk,
            output: &mut output,
            runs: &mut runs,
        };
        w.write_all(&chunk[..9]).unwrap();
        let n = w
            .write_vectored(&[
                io::IoSlice::new(&chunk[17..26]),
                io::IoSlice::new(&chunk[26..]),
            ])
            .unwrap();
        assert_eq!(n, 20, "every byte taken");
        w.write_all(&changed).unwrap();
        w.write_all(b"").unwrap();
        w.write_all(&chunk[..4]).unwrap();
        let kinds: Vec<(bool, usize, usize)> =
            runs.iter().map(|r| (r.chunk, r.start, r.end)).collect();
        assert_eq!(
            kinds,
            [(true, 0, 9), (true, 17, 37), (false, 0, 12), (true, 0, 4)]
        );
        let mut back = Vec::new();
        for r in &runs {
            let from = if r.chunk { &chunk } else { &output };
            back.extend_from_slice(&from[r.start..r.end]);
        }
        assert_eq!(
            back,
            b"kept one\nkept two\nkept three\nchanged linekept".to_vec()
        );
    }
}
