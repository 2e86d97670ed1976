//! Documents: the unit that zones, cuts, footnote pairing and the removal cap work on.
//!
//! Line rules judge each line alone. Some chaff can only be told by where it stands in an
//! article or by what else the article holds: an end-of-article marker ("Comments", "Related
//! stories") is chaff in the last lines and a subhead elsewhere; the `*` after "Daesh" is a
//! footnote marker only when the article carries the footnote; and a rule set that would remove
//! most of an article has misfired. So the filter can also see whole *documents*:
//!
//! - text mode: one input file (the default), a NUL-separated piece (`-z`, [`Boundary::Nul`]),
//!   or the lines between separator lines (`--doc-sep LINE`, [`Boundary::Separator`]);
//! - JSON Lines: the cleaned field of one record.
//!
//! # What the document pass does
//!
//! 1. Every line gets its verdict from the matcher with its position set in the [`Scratch`]
//!    (lines from the start and from the end, and the document's site), so `head=N`, `tail=N`
//!    and `site=HOST` rules apply exactly where they are scoped. Only the lines within the
//!    largest head and tail zone of the loaded rules are judged one by one; the lines between
//!    are scanned as one chunk, as the line path does, with no position (no zone rule can apply
//!    there).
//! 2. **cut**: the first line dropped by a `cut` rule (which always has `tail=N`) and every line
//!    after it are dropped. Lines after the marker report as cut by that rule. Lines longer
//!    than the line cap still pass unchecked.
//! 3. **before**: for every line still dropped by a `before=N` rule (which always has `tail=M`;
//!    a marker a cut swept away acts no more), the N non-blank lines directly before it are
//!    dropped too and report as cut by that rule: a site footer whose template prints a fixed
//!    block of N teasers above it. Blank lines in the block are kept. Lines in the block that
//!    other rules already drop (or another marker's block) count toward the N and keep their
//!    own rule; a line a strip rule changed goes whole; lines longer than the line cap count
//!    and pass unchecked. When fewer than N non-blank lines stand before the marker in its
//!    document, nothing before it is dropped: the block is not the template's, so it may be
//!    the story.
//! 4. **between**: lines still dropped by a `between=N` rule are paired in document order, each
//!    pair by the same rule: a widget that prints its heading above and below its teaser. When
//!    a pair has 1 to N non-blank lines between its two markers and each of them is a headline
//!    (at most [`BETWEEN_MAX_CHARS`] characters, trimmed, and within the line cap), those lines
//!    are dropped too and report as cut by that rule; blank lines stay. Otherwise the second
//!    marker opens the next pair, so a marker whose partner is missing takes nothing with it,
//!    and a story paragraph between two widgets is never taken. Lines between that other rules
//!    already drop count toward the N and keep their own rule; a line a strip rule changed goes
//!    whole.
//! 5. **footnote pairing**: for every line dropped by a `footnote` rule (also one later cut), its
//!    leading marker (`*`, `**`, `***`) and the names it explains are read: the name after the
//!    marker ("*Daesh, also known as IS/ISIS/ISIL/Islamic State, is ..." gives "Daesh"), the
//!    aliases after "also known as" or in brackets right after the name ("IS", "ISIS", "ISIL",
//!    "Islamic State"). In the document's kept and changed lines, the marker right after one of
//!    those names (an optional closing quote or bracket between) is stripped: "Daesh*" →
//!    "Daesh", `"Azov"*` → `"Azov"`. The marker must be exactly the footnote's (`Daesh**` is
//!    left alone by a `*` footnote) and must not be followed by a letter or digit. A footnote
//!    whose text after the marker starts with a lowercase letter ("*banned in Russia", the
//!    Russian "*запрещена в России") names nothing: it completes the marked word's sentence,
//!    so then the marker is stripped after any word. A footnote whose name is more than six
//!    words (no comma, bracket or verb ends it) pairs with nothing, and a marker with no
//!    footnote in its document stays: precision first.
//! 6. **the cap** (`--max-removed SHARE`): when the removals would take more than SHARE of the
//!    document's non-blank lines, or of its bytes, the document is written unchanged and
//!    reported as flagged: that much chaff means a rule misfired or the document is not an
//!    article. Documents of fewer than [`CAP_MIN_LINES`] non-blank lines are never flagged:
//!    their share says nothing (a one-line "Advertisement" document is all chaff and goes).
//!
//! # Bounded memory
//!
//! A text document is buffered whole, up to [`DocumentConfig::max_doc`] bytes
//! ([`DEFAULT_MAX_DOC`]). A longer one is reported once ([`DocKind::Oversize`]) and handled by
//! the line path: its buffered part and the rest of it are judged by the line rules alone (no
//! zones, cut, pairing or cap), streaming. When the input's size is known in advance (a
//! regular file, [`crate::Filter::run_parallel_sized`]) and already over the cap, nothing is
//! buffered: the file goes to the line path from its first byte, with the same result. A JSON
//! Lines record is capped by its own limit; a field longer than `max_doc` is likewise judged
//! by line rules only.
//!
//! With `-z` and `--doc-sep`, documents are also held in a batch until about 256 KiB of them
//! (or 4,096) have been read, the bytes between them with them; then the matcher makes one pass
//! over the whole batch and each document is judged from the lines it found,
//! and written, in order. A pass over each document of a few KiB alone cost more per byte
//! (BENCHMARKS.md, Round 7). A document over the cap, the end of input and a read error judge
//! and write the batch first, so output order and "nothing read is lost" hold as before.
//!
//! # Threads
//!
//! With document rules active, `-j N` keeps its meaning only where documents are large: a file
//! (one document) over the cap goes to the parallel line driver, whose output equals one
//! thread's. Documents within the cap, and all `-z`/`--doc-sep` input, are judged on one
//! thread, which keeps the output identical for every `-j` by construction.
//!
//! # The fast path
//!
//! With no document rule loaded (`head=`, `tail=`, `cut`, `before=`, `between=`, `footnote`),
//! no cap and no `-z` or `--doc-sep`, text runs on the line path exactly as before: nothing is
//! buffered beyond the line buffer. (`site=` alone does not need documents: the site of a text run is
//! fixed.)

use std::io::{self, Read, Write};
use std::ops::Range;

use memchr::{memchr, memchr_iter};

use crate::filter::{Cursor, Filter, OutputMode, RunError};
use crate::frame::{Chunker, Piece};
use crate::matcher::{
    LineHits, Matcher, RuleId, RuleInfo, Scratch, Span, Verdict, char_count, content_end,
    trim_bounds,
};
use crate::report::{DocEvent, DocKind, Event, EventKind, Observer};
use crate::rules::BETWEEN_MAX_CHARS;

/// The default cap on a buffered document: 4 MiB.
pub const DEFAULT_MAX_DOC: usize = 4 << 20;

/// Documents with fewer non-blank lines than this are never flagged by the removal cap.
pub const CAP_MIN_LINES: usize = 3;

/// How text input is split into documents.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub enum Boundary {
    /// Each input is one document.
    #[default]
    File,
    /// Documents end at a NUL byte (`-z`), which also ends their last line; the NUL is kept.
    Nul,
    /// A line whose content (without `\n` or `\r\n`) is exactly these bytes separates
    /// documents (`--doc-sep`). Separator lines are kept and belong to no document.
    Separator(Vec<u8>),
}

/// Settings of the document pass.
#[derive(Debug, Clone)]
pub struct DocumentConfig {
    /// Where documents end in text input.
    pub boundary: Boundary,
    /// Longer documents are judged by line rules only (counted as oversize).
    pub max_doc: usize,
    /// Leave a document unchanged (and flag it) when the rules would remove more than this
    /// share (0 to 1) of its non-blank lines or of its bytes.
    pub max_removed: Option<f64>,
    /// The site of text input (`--site`), for `site=` rules.
    pub site: Option<String>,
}

impl Default for DocumentConfig {
    fn default() -> Self {
        DocumentConfig {
            boundary: Boundary::File,
            max_doc: DEFAULT_MAX_DOC,
            max_removed: None,
            site: None,
        }
    }
}

/// Parses a `--max-removed` value: a share such as `0.5` or a percentage such as `50%`, more
/// than 0 and at most 1 (100%).
///
/// ```
/// use dechaff::document::parse_share;
/// assert_eq!(parse_share("0.5"), Ok(0.5));
/// assert_eq!(parse_share("40%"), Ok(0.4));
/// assert!(parse_share("0").is_err());
/// assert!(parse_share("150%").is_err());
/// ```
pub fn parse_share(s: &str) -> Result<f64, String> {
    let t = s.trim();
    let v = match t.strip_suffix('%') {
        Some(p) => p.trim().parse::<f64>().map(|x| x / 100.0),
        None => t.parse::<f64>(),
    };
    match v {
        Ok(x) if x > 0.0 && x <= 1.0 => Ok(x),
        _ => Err(format!(
            "expected a share such as 0.5 or 50% (more than 0, at most 1), got '{s}'"
        )),
    }
}

/// The document facts of a rule set: the largest zones and whether any rule needs documents.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Zones {
    /// The largest `head=N`.
    pub head: usize,
    /// The largest `tail=N`.
    pub tail: usize,
    /// The largest `before=N` (0: no rule has one).
    pub before: usize,
    /// True when some rule has `between=N`.
    pub between: bool,
    /// True when some rule has `head=`, `tail=`, `cut`, `before=`, `between=` or `footnote`.
    pub any: bool,
    /// True when some rule has `site=`.
    pub sites: bool,
}

impl Zones {
    /// The zones of `rules`.
    pub fn of(rules: &[RuleInfo]) -> Zones {
        let mut z = Zones::default();
        for r in rules {
            z.head = z.head.max(r.head.unwrap_or(0));
            z.tail = z.tail.max(r.tail.unwrap_or(0));
            z.before = z.before.max(r.before.unwrap_or(0));
            z.between |= r.between.is_some();
            z.any |= r.document;
            z.sites |= r.site.is_some();
        }
        z
    }
}

/// One line of a document: byte offsets into the document's text.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Line {
    pub start: usize,
    pub content_end: usize,
    pub end: usize,
    /// Longer than the line cap: passed through unchecked.
    pub long: bool,
}

/// What becomes of a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Fate {
    Keep,
    /// Longer than the line cap: kept unchecked.
    Long,
    Drop(RuleId),
    /// Dropped for the marker line of this rule rather than by its own match: after a `cut`
    /// marker, in the block before a `before=N` marker, or between two `between=N` markers.
    Cut(RuleId),
    /// Spans removed: the new content is `arena[text.0..text.1]`, the spans (in the line's
    /// coordinates) `spans[spans.0..spans.1]`.
    Change {
        rule: RuleId,
        text: (usize, usize),
        spans: (usize, usize),
    },
}

/// A footnote read from a dropped footnote line.
struct Note {
    rule: RuleId,
    marker: usize,
    /// The names it explains; empty: any word (a nameless footnote).
    names: Vec<Vec<u8>>,
}

/// Reusable buffers for judging documents; one per thread.
#[derive(Default)]
pub(crate) struct DocWork {
    pub scratch: Scratch,
    pub lines: Vec<Line>,
    pub fates: Vec<Fate>,
    pub arena: Vec<u8>,
    pub spans: Vec<Span>,
    notes: Vec<Note>,
    marks: Vec<Span>,
    merged: Vec<Span>,
    /// Starts of the zone lines worth judging (see `Matcher::candidate_lines`).
    cands: Vec<usize>,
}

/// The outcome of judging one document.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub(crate) struct Outcome {
    /// Left unchanged because of the cap.
    pub flagged: bool,
    /// Something was dropped or changed (and the document is not flagged).
    pub changed: bool,
    /// Lines the rules remove (counted only when there is a cap).
    pub removed_lines: usize,
    /// Bytes the rules remove (counted only when there is a cap).
    pub removed_bytes: usize,
}

/// Splits `text` into lines at `\n`; lines starting at an offset in `long_starts` (sorted) are
/// marked long.
pub(crate) fn split_lines(text: &[u8], long_starts: &[usize], out: &mut Vec<Line>) {
    out.clear();
    let mut ls = 0;
    let mut longs = long_starts.iter().peekable();
    while ls < text.len() {
        let le = memchr(b'\n', &text[ls..]).map_or(text.len(), |i| ls + i + 1);
        let ce = content_end(text, ls, le);
        while longs.next_if(|&&s| s < ls).is_some() {}
        let long = longs.next_if(|&&s| s < le).is_some();
        out.push(Line {
            start: ls,
            content_end: ce,
            end: le,
            long,
        });
        ls = le;
    }
}

/// How [`judge`] finds the lines of a document worth judging.
#[derive(Debug, Clone)]
pub(crate) enum Pass<'a> {
    /// Every line is judged alone (its bounds need not be `\n`-split).
    Each,
    /// The matcher's one pass over the document: over each zone, and over the lines between
    /// them as one chunk. The line bounds must be `\n`-split, as [`split_lines`] gives.
    Scan,
    /// One pass over a batch of documents laid end to end (each starting a line) already found
    /// the lines worth judging, with their hits ([`Matcher::find_lines`]); this document is
    /// `batch[base..]` and its found lines are `lines`. Every other line is kept in any
    /// position. The line bounds must be `\n`-split, as for `Scan`.
    Found {
        /// The batch the pass was made over.
        batch: &'a [u8],
        /// What it found.
        found: &'a LineHits,
        /// This document's found lines (indices into `found`).
        lines: Range<usize>,
        /// Where this document starts in the batch.
        base: usize,
    },
}

impl<'a> Pass<'a> {
    /// [`Pass::Found`] for the document at `batch[t0..t1]`, whose found lines are the ones of
    /// `found` from index `*from` on that start in it; `*from` moves past them (documents come
    /// in batch order).
    pub(crate) fn found_in(
        batch: &'a [u8],
        found: &'a LineHits,
        from: &mut usize,
        (t0, t1): (usize, usize),
    ) -> Pass<'a> {
        let lo = found.first_from(*from, t0);
        *from = found.first_from(lo, t1);
        Pass::Found {
            batch,
            found,
            lines: lo..*from,
            base: t0,
        }
    }
}

/// Judges one document (`text`, already split into `work.lines`) into `work.fates`.
/// `whole == false` (a document over the cap) applies line rules only. `pass` says which lines
/// are judged; the fates are the same for each.
pub(crate) fn judge(
    matcher: &Matcher,
    zones: Zones,
    max_removed: Option<f64>,
    text: &[u8],
    work: &mut DocWork,
    whole: bool,
    pass: Pass<'_>,
) -> Outcome {
    let n = work.lines.len();
    work.fates.clear();
    work.fates.resize(n, Fate::Keep);
    work.arena.clear();
    work.spans.clear();
    match pass {
        Pass::Found {
            batch,
            found,
            lines,
            base,
        } => judge_found(matcher, work, whole, (batch, found), lines, base),
        Pass::Each | Pass::Scan => {
            judge_zones(
                matcher,
                zones,
                text,
                work,
                whole,
                matches!(pass, Pass::Scan),
            );
        }
    }
    for (l, f) in work.lines.iter().zip(work.fates.iter_mut()) {
        if l.long {
            *f = Fate::Long;
        }
    }
    finish(matcher, zones, max_removed, text, work, whole)
}

/// [`Pass::Found`]: only the found lines are judged, each in its position, from the hits the
/// batch's pass found in it.
fn judge_found(
    matcher: &Matcher,
    work: &mut DocWork,
    whole: bool,
    (batch, found): (&[u8], &LineHits),
    lines: Range<usize>,
    base: usize,
) {
    let n = work.lines.len();
    let mut i = 0;
    for k in lines {
        let s = found.start(k) - base;
        while i < n && work.lines[i].start < s {
            i += 1;
        }
        if i == n {
            break;
        }
        debug_assert_eq!(work.lines[i].start, s, "a found line starts a line");
        if work.lines[i].long {
            continue;
        }
        // Lines between the zones are outside every zone in their own position too.
        if whole {
            work.scratch.set_position(i, n - 1 - i);
        } else {
            work.scratch.clear_position();
        }
        let v = matcher.found_verdict(batch, found, k, &mut work.scratch);
        work.fates[i] = fate_of(v, &work.scratch, &mut work.arena, &mut work.spans);
    }
    work.scratch.clear_position();
}

/// [`Pass::Each`] and [`Pass::Scan`]: the zones line by line, the lines between them alone or
/// as one chunk.
fn judge_zones(
    matcher: &Matcher,
    zones: Zones,
    text: &[u8],
    work: &mut DocWork,
    whole: bool,
    scan: bool,
) {
    let n = work.lines.len();
    let (head, tail) = if whole {
        (zones.head, zones.tail)
    } else {
        (0, 0)
    };
    let mid_from = head.min(n);
    let mid_to = n.saturating_sub(tail).max(mid_from);
    // The zones, line by line, with their positions; with `scan`, only the lines where the
    // matcher's one pass over the zone found something (all others are kept in any position).
    for (from, to) in [(0, mid_from), (mid_to, n)] {
        if from >= to {
            continue;
        }
        let mut cands = std::mem::take(&mut work.cands);
        cands.clear();
        let base = work.lines[from].start;
        let chunk = &text[base..work.lines[to - 1].end];
        if scan && matcher.candidate_lines(chunk, &mut work.scratch, |ls| cands.push(base + ls)) {
            let mut k = from;
            for &start in &cands {
                while work.lines[k].start < start {
                    k += 1;
                }
                work.scratch.set_position(k, n - 1 - k);
                judge_line(matcher, text, work, k);
            }
        } else {
            for i in from..to {
                work.scratch.set_position(i, n - 1 - i);
                judge_line(matcher, text, work, i);
            }
        }
        work.cands = cands;
    }
    work.scratch.clear_position();
    if scan && mid_from < mid_to {
        let base = work.lines[mid_from].start;
        let chunk = &text[base..work.lines[mid_to - 1].end];
        let DocWork {
            scratch,
            lines,
            fates,
            arena,
            spans,
            ..
        } = work;
        let mut k = mid_from;
        let _ = matcher.scan(chunk, scratch, |ls, _ce, _le, v, sc| {
            while lines[k].start < base + ls {
                k += 1;
            }
            if !lines[k].long {
                fates[k] = fate_of(v, sc, arena, spans);
            }
            Ok::<(), ()>(())
        });
    } else {
        for i in mid_from..mid_to {
            judge_line(matcher, text, work, i);
        }
    }
}

/// The document steps after the line verdicts (module docs, steps 2 to 6).
fn finish(
    matcher: &Matcher,
    zones: Zones,
    max_removed: Option<f64>,
    text: &[u8],
    work: &mut DocWork,
    whole: bool,
) -> Outcome {
    if whole && zones.any {
        let rules = matcher.rules();
        pair_footnotes(rules, text, work);
        if let Some(k) = work
            .fates
            .iter()
            .position(|f| matches!(f, Fate::Drop(r) if rules[*r].cut))
        {
            let Fate::Drop(r) = work.fates[k] else {
                unreachable!()
            };
            for f in &mut work.fates[k + 1..] {
                if *f != Fate::Long {
                    *f = Fate::Cut(r);
                }
            }
        }
        if zones.before > 0 {
            drop_blocks_before(rules, zones.tail, text, work);
        }
        if zones.between {
            drop_between_pairs(rules, text, work);
        }
    }
    let mut out = Outcome {
        changed: work
            .fates
            .iter()
            .any(|f| !matches!(f, Fate::Keep | Fate::Long)),
        ..Outcome::default()
    };
    let Some(share) = max_removed.filter(|_| whole && out.changed) else {
        return out;
    };
    let mut nonblank = 0;
    let mut removed_nonblank = 0;
    for (l, f) in work.lines.iter().zip(&work.fates) {
        let (a, b) = trim_bounds(&text[l.start..l.content_end]);
        let blank = a >= b;
        nonblank += usize::from(!blank);
        match *f {
            Fate::Keep | Fate::Long => {}
            Fate::Drop(_) | Fate::Cut(_) => {
                out.removed_lines += 1;
                removed_nonblank += usize::from(!blank);
                out.removed_bytes += l.end - l.start;
            }
            Fate::Change { text: (s, e), .. } => {
                out.removed_bytes += (l.content_end - l.start) - (e - s);
            }
        }
    }
    if nonblank >= CAP_MIN_LINES
        && (removed_nonblank as f64 > share * nonblank as f64
            || out.removed_bytes as f64 > share * text.len() as f64)
    {
        out.flagged = true;
        out.changed = false;
    }
    out
}

/// Step 3 of the module docs: the block of N non-blank lines before each `before=N` marker.
/// A marker's rule has `tail=M`, so markers are looked for in the last `tail` (the largest M)
/// lines only.
fn drop_blocks_before(rules: &[RuleInfo], tail: usize, text: &[u8], work: &mut DocWork) {
    let blank = |l: &Line| {
        let (a, b) = trim_bounds(&text[l.start..l.content_end]);
        a >= b
    };
    let n = work.fates.len();
    for k in n.saturating_sub(tail)..n {
        let Fate::Drop(r) = work.fates[k] else {
            continue;
        };
        let Some(size) = rules[r].before else {
            continue;
        };
        // The first line of the block: the N-th non-blank line counting up from the marker.
        let mut need = size;
        let mut from = k;
        while need > 0 && from > 0 {
            from -= 1;
            need -= usize::from(!blank(&work.lines[from]));
        }
        if need > 0 {
            continue;
        }
        for i in from..k {
            if matches!(work.fates[i], Fate::Keep | Fate::Change { .. }) && !blank(&work.lines[i]) {
                work.fates[i] = Fate::Cut(r);
            }
        }
    }
}

/// Step 4 of the module docs: the headlines between pairs of `between=N` markers.
fn drop_between_pairs(rules: &[RuleInfo], text: &[u8], work: &mut DocWork) {
    // The open marker: its line and rule.
    let mut open: Option<(usize, RuleId)> = None;
    for k in 0..work.fates.len() {
        let Fate::Drop(r) = work.fates[k] else {
            continue;
        };
        let Some(size) = rules[r].between else {
            continue;
        };
        let pairs = match open {
            Some((o, ro)) if ro == r => headlines_between(text, work, o + 1, k, size),
            _ => false,
        };
        if !pairs {
            open = Some((k, r));
            continue;
        }
        let (o, _) = open.take().expect("a pair has an open marker");
        for i in o + 1..k {
            let l = work.lines[i];
            let (a, b) = trim_bounds(&text[l.start..l.content_end]);
            if a < b && matches!(work.fates[i], Fate::Keep | Fate::Change { .. }) {
                work.fates[i] = Fate::Cut(r);
            }
        }
    }
}

/// True when lines `from..to` hold 1 to `size` non-blank lines, each a headline: within the
/// line cap and at most [`BETWEEN_MAX_CHARS`] characters, trimmed.
fn headlines_between(text: &[u8], work: &DocWork, from: usize, to: usize, size: usize) -> bool {
    let mut n = 0;
    for l in &work.lines[from..to] {
        let (a, b) = trim_bounds(&text[l.start..l.content_end]);
        if a >= b {
            continue;
        }
        n += 1;
        if n > size || l.long || char_count(&text[l.start + a..l.start + b]) > BETWEEN_MAX_CHARS {
            return false;
        }
    }
    n > 0
}

fn judge_line(matcher: &Matcher, text: &[u8], work: &mut DocWork, i: usize) {
    let l = work.lines[i];
    if l.long {
        return;
    }
    let v = matcher.verdict(&text[l.start..l.content_end], &mut work.scratch);
    work.fates[i] = fate_of(v, &work.scratch, &mut work.arena, &mut work.spans);
}

fn fate_of(v: Verdict, sc: &Scratch, arena: &mut Vec<u8>, spans: &mut Vec<Span>) -> Fate {
    match v {
        Verdict::Keep => Fate::Keep,
        Verdict::Drop(r) => Fate::Drop(r),
        Verdict::Strip => {
            let t0 = arena.len();
            arena.extend_from_slice(sc.stripped());
            let s0 = spans.len();
            spans.extend_from_slice(sc.spans());
            Fate::Change {
                rule: sc.spans()[0].rule,
                text: (t0, arena.len()),
                spans: (s0, spans.len()),
            }
        }
    }
}

/// Reads the marker and names of a footnote line; `None` when it has no leading marker or
/// names something too long to be a name.
fn read_note(rule: RuleId, content: &[u8]) -> Option<Note> {
    let (a, b) = trim_bounds(content);
    let t = &content[a..b];
    let marker = t.iter().take_while(|&&c| c == b'*').count();
    if marker == 0 || marker > 3 {
        return None;
    }
    let rest = String::from_utf8_lossy(&t[marker..]);
    let rest = rest.trim_start_matches([' ', '\t', '-', '–', '—', '\u{a0}']);
    let first = rest.chars().next()?;
    if first.is_lowercase() {
        return Some(Note {
            rule,
            marker,
            names: Vec::new(),
        });
    }
    let mut names = Vec::new();
    let end = name_end(rest);
    let name = rest[..end]
        .trim()
        .trim_matches(['"', '“', '”', '«', '»', '\'']);
    if !is_name(name) {
        return None;
    }
    names.push(name.as_bytes().to_vec());
    // Aliases: in brackets right after the name, or after "also known as".
    let after = &rest[end..];
    let mut alias_lists = Vec::new();
    if let Some(inner) = after.trim_start().strip_prefix('(') {
        alias_lists.push(&inner[..inner.find(')').unwrap_or(inner.len())]);
    }
    if let Some(i) = rest.find("also known as ") {
        let list = &rest[i + "also known as ".len()..];
        alias_lists.push(&list[..name_end(list)]);
    }
    for list in alias_lists {
        for alias in list.split(['/', ',', ';']).flat_map(|s| s.split(" or ")) {
            let alias = alias.trim().trim_matches(['"', '“', '”', '«', '»', '\'']);
            if is_name(alias) && !names.iter().any(|n| n == alias.as_bytes()) {
                names.push(alias.as_bytes().to_vec());
            }
        }
    }
    Some(Note {
        rule,
        marker,
        names,
    })
}

/// Where a name ends: at a comma, bracket, colon, semicolon, dash or a verb after it.
fn name_end(s: &str) -> usize {
    let mut end = s
        .find([',', '(', ')', ';', ':', '—', '–'])
        .unwrap_or(s.len());
    for stop in [" is ", " are ", " was ", " were ", " has ", " - "] {
        if let Some(i) = s[..end].find(stop) {
            end = i;
        }
    }
    end
}

fn is_name(s: &str) -> bool {
    !s.is_empty() && s.len() <= 60 && s.split_whitespace().count() <= 6
}

/// The last character of `s` (UTF-8), if any.
fn last_char(s: &[u8]) -> Option<char> {
    let mut i = s.len().checked_sub(1)?;
    while i > 0 && s.len() - i < 4 && (s[i] & 0xC0) == 0x80 {
        i -= 1;
    }
    std::str::from_utf8(&s[i..]).ok()?.chars().next_back()
}

/// Strips the markers of the footnotes dropped in this document from its kept lines.
fn pair_footnotes(rules: &[RuleInfo], text: &[u8], work: &mut DocWork) {
    work.notes.clear();
    for (l, f) in work.lines.iter().zip(&work.fates) {
        if let Fate::Drop(r) = *f
            && rules[r].footnote
            && let Some(note) = read_note(r, &text[l.start..l.content_end])
        {
            work.notes.push(note);
        }
    }
    if work.notes.is_empty() {
        return;
    }
    for i in 0..work.lines.len() {
        let l = work.lines[i];
        let line = &text[l.start..l.content_end];
        let old = match work.fates[i] {
            Fate::Keep => (0, 0),
            Fate::Change { spans, .. } => spans,
            _ => continue,
        };
        if memchr(b'*', line).is_none() {
            continue;
        }
        work.marks.clear();
        let mut mark_rule = None;
        let mut p = 0;
        while let Some(j) = memchr(b'*', &line[p..]) {
            let s = p + j;
            let e = s + line[s..].iter().take_while(|&&c| c == b'*').count();
            p = e;
            if line[e..]
                .utf8_chunks()
                .next()
                .and_then(|c| c.valid().chars().next())
                .is_some_and(char::is_alphanumeric)
            {
                continue;
            }
            let inside = work.spans[old.0..old.1]
                .iter()
                .any(|sp| sp.start < e && s < sp.end);
            if inside {
                continue;
            }
            // An optional closing quote or bracket between the name and the marker.
            let mut before = &line[..s];
            for close in ["\"", "”", "»", ")", "'", "’"] {
                if let Some(b) = before.strip_suffix(close.as_bytes()) {
                    before = b;
                    break;
                }
            }
            let hit = work.notes.iter().find(|n| {
                n.marker == e - s
                    && if n.names.is_empty() {
                        last_char(before).is_some_and(char::is_alphanumeric)
                    } else {
                        n.names.iter().any(|name| {
                            before.ends_with(name)
                                && !last_char(&before[..before.len() - name.len()])
                                    .is_some_and(char::is_alphanumeric)
                        })
                    }
            });
            if let Some(n) = hit {
                mark_rule.get_or_insert(n.rule);
                work.marks.push(Span {
                    start: s,
                    end: e,
                    rule: n.rule,
                });
            }
        }
        if mark_rule.is_none() {
            continue;
        }
        work.merged.clear();
        work.merged.extend_from_slice(&work.spans[old.0..old.1]);
        work.merged.extend_from_slice(&work.marks);
        work.merged.sort_unstable_by_key(|s| (s.start, s.end));
        let t0 = work.arena.len();
        let mut at = 0;
        for sp in &work.merged {
            work.arena.extend_from_slice(&line[at..sp.start]);
            at = sp.end;
        }
        work.arena.extend_from_slice(&line[at..]);
        let s0 = work.spans.len();
        work.spans.extend_from_slice(&work.merged);
        // As for strip rules: the rule of the first span is the one reported.
        work.fates[i] = Fate::Change {
            rule: work.merged[0].rule,
            text: (t0, work.arena.len()),
            spans: (s0, work.spans.len()),
        };
    }
}

/// Reports a judged document's line events (or its flag) to `obs`. `at` holds the line number
/// and byte offset of the document's first line; `record` is the JSON Lines record number or 0.
pub(crate) fn report<O: Observer + ?Sized>(
    text: &[u8],
    work: &DocWork,
    outcome: &Outcome,
    at: Cursor,
    record: u64,
    obs: &mut O,
) -> io::Result<()> {
    if outcome.flagged {
        obs.document(&DocEvent {
            kind: DocKind::Flagged,
            record,
            line_no: at.line + 1,
            offset: at.byte,
            lines: work.lines.len() as u64,
            bytes: text.len() as u64,
            removed_lines: outcome.removed_lines as u64,
            removed_bytes: outcome.removed_bytes as u64,
        })?;
    }
    for (i, (l, f)) in work.lines.iter().zip(&work.fates).enumerate() {
        let line_no = at.line + i as u64 + 1;
        let offset = at.byte + l.start as u64;
        let content = &text[l.start..l.content_end];
        let (kind, rule, bytes_removed, spans, cut): (_, _, _, &[Span], _) = match *f {
            Fate::Keep => continue,
            Fate::Long => {
                let mut ev = Event::long_line(line_no);
                ev.record = record;
                ev.offset = offset;
                obs.event(&ev)?;
                continue;
            }
            _ if outcome.flagged => continue,
            Fate::Drop(r) => (EventKind::Dropped, r, l.end - l.start, &[], false),
            Fate::Cut(r) => (EventKind::Dropped, r, l.end - l.start, &[], true),
            Fate::Change {
                rule,
                text: (s, e),
                spans: (a, b),
            } => (
                EventKind::Changed,
                rule,
                content.len() - (e - s),
                &work.spans[a..b],
                false,
            ),
        };
        obs.event(&Event {
            line_no,
            record,
            line: content,
            kind,
            rule,
            bytes_removed,
            offset,
            spans,
            cut,
        })?;
    }
    Ok(())
}

/// Writes a judged text document.
fn write_doc<W: Write + ?Sized>(
    text: &[u8],
    work: &DocWork,
    outcome: &Outcome,
    mode: OutputMode,
    out: &mut W,
) -> io::Result<()> {
    if outcome.flagged || !outcome.changed {
        if mode == OutputMode::Kept {
            out.write_all(text)?;
        }
        return Ok(());
    }
    let mut from = 0; // kept bytes from here are not yet written (Kept mode)
    for (l, f) in work.lines.iter().zip(&work.fates) {
        match (*f, mode) {
            (Fate::Keep | Fate::Long, _) => {}
            (Fate::Drop(_) | Fate::Cut(_), OutputMode::Kept) => {
                out.write_all(&text[from..l.start])?;
                from = l.end;
            }
            (Fate::Change { text: (s, e), .. }, OutputMode::Kept) => {
                out.write_all(&text[from..l.start])?;
                out.write_all(&work.arena[s..e])?;
                from = l.content_end;
            }
            (_, OutputMode::Removed) => out.write_all(&text[l.start..l.end])?,
        }
    }
    if mode == OutputMode::Kept {
        out.write_all(&text[from..])?;
    }
    Ok(())
}

/// What [`Filter::run_documents`] leaves to its caller: an input that is one document over
/// the cap, whose rest (`rest`, then `reader`) can go to the parallel line driver.
pub(crate) struct Handoff<R> {
    pub rest: Vec<u8>,
    pub reader: R,
    pub at: Cursor,
}

impl Filter<'_> {
    /// The text document driver: frames `input` into documents and judges each (see the
    /// module docs). With `handoff`, an input that is one document over the cap is returned
    /// half-read once the buffered part is written, for the caller's parallel line driver.
    /// `len`, the input's size when known, lets a one-document input already over the cap
    /// skip the buffer (see [`Filter::run_parallel_sized`]).
    pub(crate) fn run_documents<R: Read, W: Write + ?Sized, O: Observer + ?Sized>(
        &self,
        input: R,
        out: &mut W,
        obs: &mut O,
        handoff: bool,
        len: Option<u64>,
    ) -> Result<Option<Handoff<R>>, RunError> {
        let numbered = obs.wants_line_numbers();
        let mut d = Docs {
            filter: self,
            config: self.documents(),
            zones: self.matcher().zones(),
            out,
            obs,
            numbered,
            work: DocWork {
                scratch: self.scratch(),
                ..DocWork::default()
            },
            buf: Vec::new(),
            long_starts: Vec::new(),
            batch: Batch::default(),
            over: false,
            in_long: false,
            last_nl: true,
            at: Cursor::default(),
        };
        let file = d.config.boundary == Boundary::File;
        if file && len.is_some_and(|n| n > d.config.max_doc as u64) {
            // Over the cap whatever is read: nothing to buffer.
            d.go_over().map_err(RunError::Write)?;
            if handoff {
                return Ok(Some(Handoff {
                    rest: Vec::new(),
                    reader: input,
                    at: d.at,
                }));
            }
        }
        let mut chunker = Chunker::new(input, self.config().max_line);
        loop {
            let piece = match chunker.next() {
                Ok(p) => p,
                Err(e) => {
                    // Nothing read is lost: the unfinished document goes out by line rules.
                    d.flush_unfinished().map_err(RunError::Write)?;
                    return Err(RunError::Read(e));
                }
            };
            match piece {
                None => break,
                Some(Piece::Lines(chunk)) => d.lines(chunk).map_err(RunError::Write)?,
                Some(Piece::Long { bytes, end }) => d.long(bytes, end).map_err(RunError::Write)?,
            }
            if handoff && file && d.over && !d.in_long {
                let (rest, reader) = chunker.into_parts();
                return Ok(Some(Handoff {
                    rest,
                    reader,
                    at: d.at,
                }));
            }
        }
        d.end_doc().map_err(RunError::Write)?;
        d.flush_batch().map_err(RunError::Write)?;
        Ok(None)
    }
}

/// Documents of `-z` and `--doc-sep` input are judged in batches: once the documents read hold
/// this many bytes (or [`BATCH_DOCS`] documents), they are judged from one pass of the matcher
/// over all of them, as JSON Lines records are ([`crate::jsonl`]); a pass over each document
/// of a few KiB alone cost more per byte.
const BATCH_BYTES: usize = 256 << 10;
/// See [`BATCH_BYTES`].
const BATCH_DOCS: usize = 4096;

/// Documents read and not yet judged, and the bytes between them, in input order.
#[derive(Default)]
struct Batch {
    /// The documents end to end. One that does not end in `\n` is followed by one, so that
    /// every document starts a line of the pass.
    text: Vec<u8>,
    /// The bytes between documents (NULs, separator lines).
    gaps: Vec<u8>,
    items: Vec<Item>,
    /// The documents' long line starts, relative to each document.
    longs: Vec<usize>,
    /// The lines where the pass found something.
    cands: LineHits,
}

/// One entry of a [`Batch`].
enum Item {
    /// A document: its bytes in `text` and its long line starts in `longs`.
    Doc {
        text: (usize, usize),
        longs: (usize, usize),
    },
    /// Bytes between documents, in `gaps`, and how many lines they are.
    Gap((usize, usize), u64),
}

/// The text document driver's state for one input.
struct Docs<'f, 'm, W: ?Sized, O: ?Sized> {
    filter: &'f Filter<'m>,
    config: &'f DocumentConfig,
    zones: Zones,
    out: &'f mut W,
    obs: &'f mut O,
    numbered: bool,
    work: DocWork,
    /// The current document's bytes (while it fits the cap).
    buf: Vec<u8>,
    /// Offsets in `buf` where long lines (or their continuations after a NUL) start.
    long_starts: Vec<usize>,
    /// With `-z` or `--doc-sep`: the documents read and not yet judged (see [`Batch`]).
    batch: Batch,
    /// The current document went over the cap: it streams through the line path.
    over: bool,
    /// A long line is being read.
    in_long: bool,
    /// Over the cap: the last byte streamed ended a line (or nothing was streamed yet).
    last_nl: bool,
    /// Line number and byte offset of the first byte not yet written: the first document of the
    /// batch, else the current document's first line (once over the cap: the next byte the
    /// line path sees).
    at: Cursor,
}

impl<W: Write + ?Sized, O: Observer + ?Sized> Docs<'_, '_, W, O> {
    /// A chunk of whole lines: split at document boundaries.
    fn lines(&mut self, chunk: &[u8]) -> io::Result<()> {
        match &self.config.boundary {
            Boundary::File => self.push(chunk, false, false),
            Boundary::Nul => {
                let mut p = 0;
                for i in memchr_iter(0, chunk) {
                    self.push(&chunk[p..i], false, false)?;
                    self.end_doc()?;
                    self.between(b"\0", 0)?;
                    p = i + 1;
                }
                self.push(&chunk[p..], false, false)
            }
            Boundary::Separator(sep) => {
                let mut p = 0;
                let mut ls = 0;
                while ls < chunk.len() {
                    let le = memchr(b'\n', &chunk[ls..]).map_or(chunk.len(), |i| ls + i + 1);
                    let line = &chunk[ls..le];
                    if chunk[ls..content_end(chunk, ls, le)] == sep[..] {
                        self.push(&chunk[p..ls], false, false)?;
                        self.end_doc()?;
                        self.between(line, 1)?;
                        p = le;
                    }
                    ls = le;
                }
                self.push(&chunk[p..], false, false)
            }
        }
    }

    /// Part of a line longer than the line cap. With `-z`, a NUL in it ends the document.
    fn long(&mut self, bytes: &[u8], end: bool) -> io::Result<()> {
        let mut p = 0;
        if self.config.boundary == Boundary::Nul {
            for i in memchr_iter(0, bytes) {
                self.push(&bytes[p..i], true, true)?;
                self.end_doc()?;
                self.between(b"\0", 0)?;
                p = i + 1;
            }
        }
        self.push(&bytes[p..], true, end)
    }

    /// Appends bytes of the current document; `long` marks them as part of a long line, which
    /// `long_end` ends.
    fn push(&mut self, bytes: &[u8], long: bool, long_end: bool) -> io::Result<()> {
        if !self.over && self.buf.len() + bytes.len() > self.config.max_doc {
            self.go_over()?;
        }
        if self.over {
            return self.stream(bytes, long, long_end);
        }
        if long && !self.in_long {
            self.long_starts.push(self.buf.len());
        }
        self.in_long = long && !long_end;
        self.buf.extend_from_slice(bytes);
        Ok(())
    }

    /// Reading failed inside a document: what is buffered goes through the line path.
    fn flush_unfinished(&mut self) -> io::Result<()> {
        self.flush_batch()?;
        if self.over {
            return Ok(());
        }
        self.pass_buffered()
    }

    /// The document is over the cap: report it, then pass what is buffered to the line path.
    fn go_over(&mut self) -> io::Result<()> {
        // The documents before this one go first.
        self.flush_batch()?;
        self.obs.document(&DocEvent {
            kind: DocKind::Oversize,
            record: 0,
            line_no: self.at.line + 1,
            offset: self.at.byte,
            lines: 0,
            bytes: self.buf.len() as u64,
            removed_lines: 0,
            removed_bytes: 0,
        })?;
        self.pass_buffered()
    }

    /// Switches the current document to the line path, passing what is buffered through it.
    fn pass_buffered(&mut self) -> io::Result<()> {
        self.over = true;
        self.last_nl = true;
        let buf = std::mem::take(&mut self.buf);
        let longs = std::mem::take(&mut self.long_starts);
        let was_long = self.in_long;
        self.in_long = false;
        let mut ls = 0;
        let mut next_long = longs.iter().copied().peekable();
        while ls < buf.len() {
            if next_long.peek() == Some(&ls) {
                next_long.next();
                let le = memchr(b'\n', &buf[ls..]).map_or(buf.len(), |i| ls + i + 1);
                let ended = le < buf.len() || !was_long;
                self.stream(&buf[ls..le], true, ended)?;
                ls = le;
            } else {
                let to = next_long.peek().copied().unwrap_or(buf.len());
                self.stream(&buf[ls..to], false, false)?;
                ls = to;
            }
        }
        self.in_long = was_long;
        self.buf = buf;
        self.buf.clear();
        self.long_starts = longs;
        self.long_starts.clear();
        Ok(())
    }

    /// The line path, for part of an over-cap document.
    fn stream(&mut self, bytes: &[u8], long: bool, long_end: bool) -> io::Result<()> {
        if bytes.is_empty() && !(long && long_end && self.in_long) {
            return Ok(());
        }
        if long {
            if self.filter.config().output == OutputMode::Kept {
                self.out.write_all(bytes)?;
            }
            let start = self.at.byte;
            self.at.byte += bytes.len() as u64;
            self.in_long = !long_end;
            self.last_nl = long_end;
            if long_end {
                self.at.line += 1;
                let mut ev = Event::long_line(self.at.line);
                ev.offset = start;
                self.obs.event(&ev)?;
            }
            return Ok(());
        }
        self.in_long = false;
        self.last_nl = bytes.last() == Some(&b'\n');
        let scratch = &mut self.work.scratch;
        scratch.clear_position();
        self.filter.chunk(
            bytes,
            &mut self.at,
            self.numbered,
            scratch,
            self.out,
            self.obs,
        )
    }

    /// Ends the current document: judge and write it (or finish streaming it).
    fn end_doc(&mut self) -> io::Result<()> {
        if self.over {
            if self.in_long {
                // The document ended inside a long line (at a NUL).
                self.at.line += 1;
                self.obs.event(&Event::long_line(self.at.line))?;
            } else if !self.last_nl {
                self.at.line += 1;
            }
            self.over = false;
            self.in_long = false;
            self.last_nl = true;
            return Ok(());
        }
        self.in_long = false;
        if self.buf.is_empty() {
            return Ok(());
        }
        if self.config.boundary != Boundary::File {
            return self.queue_doc();
        }
        let buf = std::mem::take(&mut self.buf);
        split_lines(&buf, &self.long_starts, &mut self.work.lines);
        let f = self.filter;
        let outcome = judge(
            f.matcher(),
            self.zones,
            self.config.max_removed,
            &buf,
            &mut self.work,
            true,
            Pass::Scan,
        );
        write_doc(&buf, &self.work, &outcome, f.config().output, self.out)?;
        report(&buf, &self.work, &outcome, self.at, 0, self.obs)?;
        self.at.line += self.work.lines.len() as u64;
        self.at.byte += buf.len() as u64;
        self.buf = buf;
        self.buf.clear();
        self.long_starts.clear();
        Ok(())
    }

    /// Puts the current (buffered, non-empty) document into the batch, and judges the batch
    /// once it is full.
    fn queue_doc(&mut self) -> io::Result<()> {
        let b = &mut self.batch;
        let t0 = b.text.len();
        b.text.extend_from_slice(&self.buf);
        let t1 = b.text.len();
        if b.text[t1 - 1] != b'\n' {
            b.text.push(b'\n');
        }
        let l0 = b.longs.len();
        b.longs.extend_from_slice(&self.long_starts);
        b.items.push(Item::Doc {
            text: (t0, t1),
            longs: (l0, b.longs.len()),
        });
        // `self.at` moves past the document when the batch is judged (its lines are counted
        // there), so it stays at the first byte not yet written.
        self.buf.clear();
        self.long_starts.clear();
        if self.batch.text.len() >= BATCH_BYTES || self.batch.items.len() >= BATCH_DOCS {
            self.flush_batch()?;
        }
        Ok(())
    }

    /// Judges and writes the batch's documents, and writes the bytes between them, in order,
    /// moving `self.at` past each.
    fn flush_batch(&mut self) -> io::Result<()> {
        let Batch {
            text,
            gaps,
            items,
            longs,
            cands,
        } = &mut self.batch;
        if items.is_empty() {
            return Ok(());
        }
        let f = self.filter;
        let mode = f.config().output;
        let found = f.matcher().find_lines(text, cands);
        let mut from = 0;
        for item in items.iter() {
            let (t0, t1, l) = match *item {
                Item::Gap((g0, g1), lines) => {
                    if mode == OutputMode::Kept {
                        self.out.write_all(&gaps[g0..g1])?;
                    }
                    self.at.byte += (g1 - g0) as u64;
                    self.at.line += lines;
                    continue;
                }
                Item::Doc {
                    text: (t0, t1),
                    longs: l,
                } => (t0, t1, l),
            };
            let doc = &text[t0..t1];
            // An unterminated last line ending in `\r` is framed apart from the pass's
            // (which sees it end in `\r\n`): such a document gets a pass of its own.
            let pass = if found && !doc.ends_with(b"\r") {
                Pass::found_in(text, cands, &mut from, (t0, t1))
            } else {
                Pass::Scan
            };
            split_lines(doc, &longs[l.0..l.1], &mut self.work.lines);
            let outcome = judge(
                f.matcher(),
                self.zones,
                self.config.max_removed,
                doc,
                &mut self.work,
                true,
                pass,
            );
            write_doc(doc, &self.work, &outcome, mode, self.out)?;
            report(doc, &self.work, &outcome, self.at, 0, self.obs)?;
            self.at.line += self.work.lines.len() as u64;
            self.at.byte += doc.len() as u64;
        }
        text.clear();
        gaps.clear();
        items.clear();
        longs.clear();
        Ok(())
    }

    /// Bytes between documents (a NUL, a separator line), written as they are.
    fn between(&mut self, bytes: &[u8], lines: u64) -> io::Result<()> {
        let b = &mut self.batch;
        if !b.items.is_empty() {
            // Written, and counted into `self.at`, after the documents before it.
            let g0 = b.gaps.len();
            b.gaps.extend_from_slice(bytes);
            b.items.push(Item::Gap((g0, b.gaps.len()), lines));
            return Ok(());
        }
        if self.filter.config().output == OutputMode::Kept {
            self.out.write_all(bytes)?;
        }
        self.at.byte += bytes.len() as u64;
        self.at.line += lines;
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Judges `text` as one whole document, its lines found by `pass`.
    fn fates(m: &Matcher, text: &[u8], pass: Pass<'_>) -> (Vec<Fate>, Outcome) {
        let mut work = DocWork::default();
        split_lines(text, &[], &mut work.lines);
        let out = judge(m, m.zones(), None, text, &mut work, true, pass);
        (work.fates, out)
    }

    /// The pack matcher and documents of 3 to 45 story lines with chaff spread through them
    /// (zones included), with `\n` and `\r\n` ends, terminated or not.
    fn pack_and_documents() -> (Matcher, Vec<String>) {
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let m = Matcher::new(&specs).unwrap();
        let story: Vec<String> = (0..45)
            .map(|i| format!("The ferry council met again on day {i} and argued about fares."))
            .collect();
        let chaff = [
            "READ MORE: Ferry fares to rise in spring",
            "  Advertisement  ",
            "\u{a0}READ MORE: Another story\u{200b}",
            "Share this article",
            "Читайте также: Новости дня",
            "Подписывайтесь на наш канал в Telegram",
            "Units of Daesh* fled the town.",
            "*Daesh is a terrorist organisation banned in Russia",
            "",
            " ",
        ];
        let mut docs = Vec::new();
        for (n, step) in [(3, 1), (12, 5), (45, 7), (45, 2)] {
            let mut lines: Vec<&str> = story[..n].iter().map(String::as_str).collect();
            for (k, c) in chaff.iter().enumerate() {
                let at = (k * step) % (lines.len() + 1);
                lines.insert(at, c);
            }
            for end in ["\n", "\r\n"] {
                for last in [true, false] {
                    let mut text = lines.join(end);
                    if last {
                        text.push_str(end);
                    }
                    docs.push(text);
                }
            }
        }
        (m, docs)
    }

    #[test]
    fn zone_lines_found_by_one_pass_are_judged_as_every_line_would_be() {
        let (m, docs) = pack_and_documents();
        for text in &docs {
            let (a, oa) = fates(&m, text.as_bytes(), Pass::Scan);
            let (b, ob) = fates(&m, text.as_bytes(), Pass::Each);
            assert_eq!(a, b, "{text:?}");
            assert_eq!(oa, ob);
            assert!(a.iter().filter(|f| **f != Fate::Keep).count() >= 5);
        }
        assert_eq!(docs.len(), 16);
    }

    #[test]
    fn lines_found_by_one_pass_over_a_batch_are_judged_as_every_line_would_be() {
        let (m, mut docs) = pack_and_documents();
        // Documents that end in chaff without a final newline (the batch adds one), an empty
        // one, and one of a blank line.
        docs.push("Story line one.\nAdvertisement".into());
        docs.push(String::new());
        docs.push("\n".into());
        docs.push("READ MORE: Ferry fares to rise in spring".into());
        let mut batch = Vec::new();
        let mut bases = Vec::new();
        for d in &docs {
            bases.push(batch.len());
            batch.extend_from_slice(d.as_bytes());
            if !d.is_empty() && !d.ends_with('\n') {
                batch.push(b'\n');
            }
        }
        let mut found = LineHits::default();
        assert!(m.find_lines(&batch, &mut found));
        let mut from = 0;
        let mut changed = 0;
        for (d, &base) in docs.iter().zip(&bases) {
            let pass = Pass::found_in(&batch, &found, &mut from, (base, base + d.len()));
            let (a, oa) = fates(&m, d.as_bytes(), pass);
            let (b, ob) = fates(&m, d.as_bytes(), Pass::Each);
            assert_eq!(a, b, "{d:?}");
            assert_eq!(oa, ob);
            changed += usize::from(oa.changed);
        }
        assert_eq!(
            changed,
            docs.len() - 2,
            "all but the empty and blank documents change"
        );
    }
}
