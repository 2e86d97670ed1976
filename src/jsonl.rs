//! JSON Lines records: clean one string field of each record, leave every other byte alone.
//!
//! Pipelines keep articles as `{"id": ..., "text": "...", ...}` records, one per line. Parsing a
//! record into a tree and printing it again would reorder keys, re-round floats and change
//! escapes, so this module never does that. It validates the record with serde_json, finds the
//! raw bytes of the chosen string field with a small scanner, and splits them at the `\n`
//! escapes into the text's lines. Each line is decoded only to be matched; a kept line keeps its
//! raw, escaped bytes, a dropped line is cut out with its `\n` escape, and only a line changed by
//! a strip rule is re-encoded (in the escape style its record used). A record with nothing to
//! remove is written back byte for byte.
//!
//! Records are framed with a cap on their size (`max_record`): a longer record is passed
//! through unchecked and counted, so memory stays bounded whatever the input.
//!
//! Records are judged in batches of about 256 KiB of decoded fields (or 1 MiB of records, or
//! 4,096 records). The fields of a batch are laid end to end and the matcher makes one pass over
//! them all; each record is then judged as its own document from the lines that pass found, and
//! the batch is written in order. A pass over each record's few KiB alone cost more per byte
//! than one over 256 KiB (BENCHMARKS.md, Round 7). The output is block-buffered in chunks of the
//! same size anyway, so a batch holds nothing back that the writer would have sent sooner.
//!
//! Each record's field is one *document* ([`crate::document`]): zones, cuts, footnote pairing
//! and the removal cap apply within it, and its site (for `site=` rules) is the host of the
//! record's `url` field (or of the field named by [`JsonlConfig::site_field`]; without one,
//! [`JsonlConfig::site`]). A record flagged by the cap is written back byte for byte.

use std::io::{self, BufRead, Write};

use crate::document::{self, DEFAULT_MAX_DOC, DocWork, Fate, Line, Pass, Zones};
use crate::filter::{Cursor, RunError};
use crate::matcher::{LineHits, Matcher};
use crate::report::{DocEvent, DocKind, Observer, RecordCounts};

/// What to do with a line that is not a valid JSON object.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum BadRecordPolicy {
    /// Stop with an error naming the record (the default).
    #[default]
    Fail,
    /// Write the record through unchanged and count it.
    Pass,
    /// Leave the record out of the output and count it.
    Skip,
}

/// Settings for JSON Lines input.
#[derive(Debug, Clone)]
pub struct JsonlConfig {
    /// Path of the string field to clean: `["text"]`, or `["meta", "body"]` for nested objects.
    pub field: Vec<String>,
    /// What to do with invalid records.
    pub on_bad_record: BadRecordPolicy,
    /// Records longer than this many bytes pass through unchecked.
    pub max_record: usize,
    /// Path of the field whose host is the record's site (a URL or a bare host): `["url"]`.
    pub site_field: Vec<String>,
    /// The site of records without that field.
    pub site: Option<String>,
    /// A field longer than this (decoded) is judged by line rules only.
    pub max_doc: usize,
    /// The removal cap (see [`crate::document::DocumentConfig::max_removed`]).
    pub max_removed: Option<f64>,
}

impl Default for JsonlConfig {
    fn default() -> Self {
        JsonlConfig {
            field: vec!["text".into()],
            on_bad_record: BadRecordPolicy::Fail,
            max_record: 64 << 20,
            site_field: vec!["url".into()],
            site: None,
            max_doc: DEFAULT_MAX_DOC,
            max_removed: None,
        }
    }
}

/// Fields are judged in batches: a batch is judged and written once its decoded fields hold
/// this many bytes, ...
const BATCH_TEXT: usize = 256 << 10;
/// ... or its records this many bytes, ...
const BATCH_BYTES: usize = 1 << 20;
/// ... or it holds this many records (or the input ends, or a record over the cap or a bad
/// record stops it).
const BATCH_RECORDS: usize = 4096;

/// Cleans JSON Lines from `input` into `out`, reporting removals to `obs` (with record numbers)
/// and record counts to `counts`.
///
/// Records are read and judged in batches (see the module docs). A record that stops the run
/// (a bad one under [`BadRecordPolicy::Fail`]) or a read error is reported after every record
/// before it has been written.
///
/// ```
/// use dechaff::jsonl::{run_jsonl, JsonlConfig};
/// use dechaff::report::RecordCounts;
/// let mut cats = Vec::new();
/// let specs = dechaff::rules::parse_rules("r", "ad ad line Advertisement\n", &mut cats).unwrap();
/// let m = dechaff::Matcher::new(&specs).unwrap();
/// let input = br#"{"id": 7, "text": "Story.\nAdvertisement\nMore.", "n": 1.50}"#;
/// let mut out = Vec::new();
/// let mut counts = RecordCounts::default();
/// run_jsonl(&m, &JsonlConfig::default(), &input[..], &mut out, &mut (), &mut counts).unwrap();
/// assert_eq!(out, br#"{"id": 7, "text": "Story.\nMore.", "n": 1.50}"#);
/// assert_eq!(counts.changed, 1);
/// ```
pub fn run_jsonl<R: BufRead, W: Write + ?Sized, O: Observer + ?Sized>(
    matcher: &Matcher,
    config: &JsonlConfig,
    mut input: R,
    out: &mut W,
    obs: &mut O,
    counts: &mut RecordCounts,
) -> Result<(), RunError> {
    let mut b = Batch {
        zones: matcher.zones(),
        ..Batch::default()
    };
    let mut n = 0u64;
    loop {
        if b.text.len() >= BATCH_TEXT
            || b.recs.len() >= BATCH_BYTES
            || b.entries.len() >= BATCH_RECORDS
        {
            b.flush(matcher, config, out, obs, counts)?;
        }
        let start = b.recs.len();
        let read = read_record(&mut input, &mut b.recs, start, config.max_record);
        let Some(complete) = (match read {
            Ok(r) => r,
            Err(e) => {
                // What was read before the error is written: the whole records before it.
                b.recs.truncate(start);
                b.flush(matcher, config, out, obs, counts)?;
                return Err(RunError::Read(e));
            }
        }) else {
            return b.flush(matcher, config, out, obs, counts);
        };
        n += 1;
        counts.records += 1;
        if !complete {
            // Over the cap: the records before it go first, then its head, then its rest.
            counts.too_long += 1;
            let head = b.recs.split_off(start);
            b.flush(matcher, config, out, obs, counts)?;
            out.write_all(&head).map_err(RunError::Write)?;
            pass_rest(&mut input, out).map_err(|e| match e {
                ReadErr::Read(e) => RunError::Read(e),
                ReadErr::Write(e) => RunError::Write(e),
            })?;
            continue;
        }
        let (body, _) = split_terminator(&b.recs[start..]);
        if body.iter().all(u8::is_ascii_whitespace) {
            b.keep(n, start);
            continue;
        }
        if let Err(e) = serde_json::from_slice::<serde::de::IgnoredAny>(body) {
            counts.bad += 1;
            match config.on_bad_record {
                BadRecordPolicy::Fail => {
                    b.recs.truncate(start);
                    b.flush(matcher, config, out, obs, counts)?;
                    return Err(RunError::BadRecord {
                        record: n,
                        message: format!("not valid JSON: {e}"),
                    });
                }
                BadRecordPolicy::Pass => b.keep(n, start),
                BadRecordPolicy::Skip => b.recs.truncate(start),
            }
            continue;
        }
        let Some((vs, ve)) = find_string_field(body, &config.field) else {
            counts.missing_field += 1;
            b.keep(n, start);
            continue;
        };
        // Only `site=` rules read the site: without them, no field lookup per record.
        let site = if b.zones.sites {
            find_string_field(body, &config.site_field).and_then(|(a, e)| {
                b.site_raw.clear();
                decode(&body[a..e], &mut b.site_raw);
                crate::rules::url_host(&String::from_utf8_lossy(&b.site_raw))
            })
        } else {
            None
        };
        b.add_field(n, start, (vs, ve), site);
    }
}

/// Records read ahead and not yet written, with their fields decoded end to end.
#[derive(Default)]
struct Batch {
    zones: Zones,
    doc: DocWork,
    /// The records, back to back, each with its terminator.
    recs: Vec<u8>,
    entries: Vec<Entry>,
    /// The decoded fields, back to back. A field that does not end in `\n` is followed by one,
    /// so that every field starts a line.
    text: Vec<u8>,
    /// The fields' lines, in offsets from the start of their field's text.
    lines: Vec<Line>,
    /// Per line: raw start, raw end of its content, raw start of the next line (offsets into
    /// the field's raw value).
    segs: Vec<(usize, usize, usize)>,
    /// The lines where the batch's one pass found something.
    cands: LineHits,
    /// The decoded site field of the current record.
    site_raw: Vec<u8>,
    /// The new raw value of the record being written.
    value: Vec<u8>,
}

/// One record of a batch.
struct Entry {
    /// Its number in the input, from 1.
    record: u64,
    /// Its bytes in `Batch::recs`.
    rec: (usize, usize),
    /// The field to clean; `None`: the record is written as it is.
    field: Option<Field>,
}

/// The field of a record in a batch.
struct Field {
    /// The raw value (inside its quotes), in offsets into the record.
    raw: (usize, usize),
    /// Its decoded text in `Batch::text` (without the `\n` added after it).
    text: (usize, usize),
    /// Its lines in `Batch::lines` and `Batch::segs`.
    lines: (usize, usize),
    /// Its lines are `\n`-split as text mode frames them, so a pass can find them.
    scan: bool,
    /// The record's site, for `site=` rules.
    site: Option<String>,
}

impl Batch {
    /// Adds the record at `recs[start..]` to be written as it is.
    fn keep(&mut self, record: u64, start: usize) {
        self.entries.push(Entry {
            record,
            rec: (start, self.recs.len()),
            field: None,
        });
    }

    /// Adds the record at `recs[start..]` with its field at `raw` (in the record's offsets):
    /// splits the raw value at its `\n` escapes into the lines of a document, each decoded
    /// only to be matched, and puts them at the end of `text`.
    fn add_field(&mut self, record: u64, start: usize, raw: (usize, usize), site: Option<String>) {
        let value = &self.recs[start + raw.0..start + raw.1];
        let text = &mut self.text;
        let base = text.len();
        let first = self.lines.len();
        let mut at = 0;
        // A `\u000a` escape puts a `\n` inside a line: then `\n` does not split the text into
        // its lines, and a pass cannot find them.
        let mut inner_newline = false;
        // Lines as text mode frames them: after a final `\n` there is no further (empty) line.
        while at < value.len() {
            let (seg_end, next) = match find_newline_escape(value, at) {
                Some(i) => (i, i + 2),
                None => (value.len(), value.len() + 1),
            };
            let ls = text.len();
            inner_newline |= decode(&value[at..seg_end], text);
            let content_end = text.len() - usize::from(text[ls..].last() == Some(&b'\r'));
            if next <= value.len() {
                text.push(b'\n');
            }
            self.lines.push(Line {
                start: ls - base,
                content_end: content_end - base,
                end: text.len() - base,
                long: false,
            });
            self.segs.push((at, seg_end, next));
            at = next;
        }
        let own = &text[base..];
        // Nor when an unterminated last line ends in `\r`, which this framing leaves out of the
        // line's content and a pass would not.
        let scan = !inner_newline && (own.last() == Some(&b'\n') || !own.ends_with(b"\r"));
        let end = text.len();
        if end > base && text[end - 1] != b'\n' {
            text.push(b'\n');
        }
        self.entries.push(Entry {
            record,
            rec: (start, self.recs.len()),
            field: Some(Field {
                raw,
                text: (base, end),
                lines: (first, self.lines.len()),
                scan,
                site,
            }),
        });
    }

    /// Judges and writes every record of the batch, in order, and empties it.
    fn flush<W: Write + ?Sized, O: Observer + ?Sized>(
        &mut self,
        matcher: &Matcher,
        config: &JsonlConfig,
        out: &mut W,
        obs: &mut O,
        counts: &mut RecordCounts,
    ) -> Result<(), RunError> {
        let Batch {
            zones,
            doc,
            recs,
            entries,
            text,
            lines,
            segs,
            cands,
            value,
            ..
        } = self;
        let found = entries
            .iter()
            .any(|e| e.field.as_ref().is_some_and(|f| f.scan))
            && matcher.find_lines(text, cands);
        let mut from = 0;
        for e in entries.iter() {
            let rec = &recs[e.rec.0..e.rec.1];
            let Some(f) = &e.field else {
                out.write_all(rec).map_err(RunError::Write)?;
                continue;
            };
            if zones.sites {
                doc.scratch
                    .set_site(f.site.as_deref().or(config.site.as_deref()));
            }
            let (t0, t1) = f.text;
            let pass = match (f.scan, found) {
                (false, _) => Pass::Each,
                (true, false) => Pass::Scan,
                (true, true) => Pass::found_in(text, cands, &mut from, f.text),
            };
            doc.lines.clear();
            doc.lines.extend_from_slice(&lines[f.lines.0..f.lines.1]);
            let changed = clean_field(
                matcher,
                config,
                *zones,
                &text[t0..t1],
                pass,
                (&rec[f.raw.0..f.raw.1], &segs[f.lines.0..f.lines.1]),
                e.record,
                obs,
                doc,
                value,
            )
            .map_err(RunError::Write)?;
            counts.flagged += u64::from(changed == Some(false));
            if changed == Some(true) {
                counts.changed += 1;
                out.write_all(&rec[..f.raw.0]).map_err(RunError::Write)?;
                out.write_all(value).map_err(RunError::Write)?;
                out.write_all(&rec[f.raw.1..]).map_err(RunError::Write)?;
            } else {
                out.write_all(rec).map_err(RunError::Write)?;
            }
        }
        recs.clear();
        entries.clear();
        text.clear();
        lines.clear();
        segs.clear();
        Ok(())
    }
}

enum ReadErr {
    Read(io::Error),
    Write(io::Error),
}

/// How many buffered bytes there are up to and including the next `\n` (or all of them, then
/// `false`); 0 at the end of input. The bytes are then `input.fill_buf()`, which does not read
/// again while its buffer holds data.
fn next_piece<R: BufRead>(input: &mut R) -> io::Result<(usize, bool)> {
    loop {
        match input.fill_buf() {
            Ok(avail) => {
                return Ok(match memchr::memchr(b'\n', avail) {
                    Some(i) => (i + 1, true),
                    None => (avail.len(), false),
                });
            }
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        }
    }
}

/// Reads one record (through its `\n`) onto the end of `buf`, where it starts at `start`.
/// `Ok(None)` at the end of input; `Ok(false)` when the record is longer than `cap`: then
/// `buf[start..]` holds its head and the rest is still to be read.
fn read_record<R: BufRead>(
    input: &mut R,
    buf: &mut Vec<u8>,
    start: usize,
    cap: usize,
) -> io::Result<Option<bool>> {
    loop {
        let (n, done) = next_piece(input)?;
        if n == 0 {
            return Ok((buf.len() > start).then_some(true));
        }
        if buf.len() - start + n > cap {
            return Ok(Some(false));
        }
        buf.extend_from_slice(&input.fill_buf()?[..n]);
        input.consume(n);
        if done {
            return Ok(Some(true));
        }
    }
}

/// Streams the rest of an over-long record to `out`.
fn pass_rest<R: BufRead, W: Write + ?Sized>(input: &mut R, out: &mut W) -> Result<(), ReadErr> {
    loop {
        let (n, done) = next_piece(input).map_err(ReadErr::Read)?;
        if n == 0 {
            return Ok(());
        }
        out.write_all(&input.fill_buf().map_err(ReadErr::Read)?[..n])
            .map_err(ReadErr::Write)?;
        input.consume(n);
        if done {
            return Ok(());
        }
    }
}

fn split_terminator(rec: &[u8]) -> (&[u8], &[u8]) {
    let mut end = rec.len();
    if end > 0 && rec[end - 1] == b'\n' {
        end -= 1;
        if end > 0 && rec[end - 1] == b'\r' {
            end -= 1;
        }
    }
    rec.split_at(end)
}

/// Judges one field's document (`text`, its lines in `doc.lines`, found by `pass`) and builds
/// its new raw value in `value` from the old one and its line segments (`raw`): kept lines keep
/// their raw bytes, dropped ones go with their `\n` escape, changed ones are re-encoded.
/// Returns `Some(true)` when the record changed, `Some(false)` when the cap flagged it, and
/// `None` when there was nothing to remove.
#[allow(clippy::too_many_arguments)]
fn clean_field<O: Observer + ?Sized>(
    matcher: &Matcher,
    config: &JsonlConfig,
    zones: Zones,
    text: &[u8],
    pass: Pass<'_>,
    (raw, segs): (&[u8], &[(usize, usize, usize)]),
    record: u64,
    obs: &mut O,
    doc: &mut DocWork,
    value: &mut Vec<u8>,
) -> io::Result<Option<bool>> {
    value.clear();
    let whole = text.len() <= config.max_doc;
    if !whole && (zones.any || config.max_removed.is_some()) {
        obs.document(&DocEvent {
            kind: DocKind::Oversize,
            record,
            line_no: 1,
            offset: 0,
            lines: doc.lines.len() as u64,
            bytes: text.len() as u64,
            removed_lines: 0,
            removed_bytes: 0,
        })?;
    }
    let outcome = document::judge(matcher, zones, config.max_removed, text, doc, whole, pass);
    document::report(text, doc, &outcome, Cursor::default(), record, obs)?;
    if outcome.flagged {
        return Ok(Some(false));
    }
    if !outcome.changed {
        return Ok(None);
    }
    let mut copied = 0; // raw bytes before this are already settled in `value`
    for (i, &(at, seg_end, next)) in segs.iter().enumerate() {
        let line = doc.lines[i];
        match doc.fates[i] {
            Fate::Keep | Fate::Long => {}
            Fate::Drop(_) | Fate::Cut(_) => {
                value.extend_from_slice(&raw[copied..at]);
                copied = next.min(raw.len());
            }
            Fate::Change { text: (s, e), .. } => {
                value.extend_from_slice(&raw[copied..at]);
                let seg = &raw[at..seg_end];
                let ascii_style = seg.is_ascii() && seg.windows(2).any(|w| w == b"\\u");
                encode(&doc.arena[s..e], ascii_style, value);
                if line.content_end < line.end - usize::from(next <= raw.len()) {
                    value.extend_from_slice(b"\\r");
                }
                copied = seg_end;
            }
        }
    }
    value.extend_from_slice(&raw[copied.min(raw.len())..]);
    Ok(Some(true))
}

/// The position of the next `\n` escape at or after `from`, skipping other escapes.
fn find_newline_escape(raw: &[u8], from: usize) -> Option<usize> {
    let mut i = from;
    while let Some(j) = memchr::memchr(b'\\', &raw[i..]) {
        let k = i + j;
        match raw.get(k + 1) {
            Some(b'n') => return Some(k),
            Some(_) => i = k + 2,
            None => return None,
        }
    }
    None
}

fn hex4(b: &[u8]) -> Option<u32> {
    if b.len() < 4 {
        return None;
    }
    let s = std::str::from_utf8(&b[..4]).ok()?;
    u32::from_str_radix(s, 16).ok()
}

/// Decodes the inside of a JSON string (valid JSON assumed). A lone surrogate escape becomes its
/// three-byte WTF-8 form (invalid UTF-8, so no rule mistakes it for text), which [`encode`]
/// turns back into the escape: a changed line keeps it. Returns whether a `\n` was written
/// (valid JSON holds none raw, so only from a `\n` or `\u000a` escape).
pub(crate) fn decode(raw: &[u8], out: &mut Vec<u8>) -> bool {
    let mut newline = false;
    let mut i = 0;
    while i < raw.len() {
        let Some(j) = memchr::memchr(b'\\', &raw[i..]) else {
            out.extend_from_slice(&raw[i..]);
            return newline;
        };
        out.extend_from_slice(&raw[i..i + j]);
        i += j;
        let Some(&c) = raw.get(i + 1) else {
            return newline;
        };
        i += 2;
        match c {
            b'n' => {
                newline = true;
                out.push(b'\n');
            }
            b't' => out.push(b'\t'),
            b'r' => out.push(b'\r'),
            b'b' => out.push(8),
            b'f' => out.push(12),
            b'u' => {
                let Some(hi) = hex4(&raw[i..]) else {
                    return newline;
                };
                i += 4;
                let cp = if (0xD800..0xDC00).contains(&hi) && raw[i..].starts_with(b"\\u") {
                    match hex4(&raw[i + 2..]) {
                        Some(lo) if (0xDC00..0xE000).contains(&lo) => {
                            i += 6;
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        }
                        _ => hi,
                    }
                } else {
                    hi
                };
                newline |= cp == 0x0A;
                match char::from_u32(cp) {
                    Some(ch) => {
                        let mut buf = [0u8; 4];
                        out.extend_from_slice(ch.encode_utf8(&mut buf).as_bytes());
                    }
                    // A lone surrogate (`cp` < 0x10000 here): WTF-8.
                    None => out.extend_from_slice(&[
                        0xE0 | (cp >> 12) as u8,
                        0x80 | ((cp >> 6) & 0x3F) as u8,
                        0x80 | (cp & 0x3F) as u8,
                    ]),
                }
            }
            other => out.push(other),
        }
    }
    newline
}

/// Encodes text as the inside of a JSON string. With `ascii_style`, non-ASCII characters are
/// written as `\uXXXX` escapes, as a record written with only ASCII would have them. Bytes that
/// are not UTF-8 are written as they are (they can only have come raw from the record), except
/// the WTF-8 form of a lone surrogate, which [`decode`] made of an escape and becomes one again.
fn encode(text: &[u8], ascii_style: bool, out: &mut Vec<u8>) {
    let mut rest = text;
    while let Some(chunk) = rest.utf8_chunks().next() {
        encode_chars(chunk.valid(), ascii_style, out);
        rest = &rest[chunk.valid().len()..];
        if let [0xED, b1 @ 0xA0..=0xBF, b2 @ 0x80..=0xBF, ..] = *rest {
            let u = 0xD000 | (u32::from(b1 & 0x3F) << 6) | u32::from(b2 & 0x3F);
            out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
            rest = &rest[3..];
        } else {
            out.extend_from_slice(chunk.invalid());
            rest = &rest[chunk.invalid().len()..];
        }
    }
}

/// [`encode`] for valid text.
fn encode_chars(text: &str, ascii_style: bool, out: &mut Vec<u8>) {
    for c in text.chars() {
        match c {
            '"' => out.extend_from_slice(b"\\\""),
            '\\' => out.extend_from_slice(b"\\\\"),
            '\n' => out.extend_from_slice(b"\\n"),
            '\r' => out.extend_from_slice(b"\\r"),
            '\t' => out.extend_from_slice(b"\\t"),
            c if (c as u32) < 0x20 || (ascii_style && !c.is_ascii()) => {
                let mut units = [0u16; 2];
                for u in c.encode_utf16(&mut units) {
                    out.extend_from_slice(format!("\\u{u:04x}").as_bytes());
                }
            }
            c => {
                let mut buf = [0u8; 4];
                out.extend_from_slice(c.encode_utf8(&mut buf).as_bytes());
            }
        }
    }
}

fn skip_ws(b: &[u8], mut i: usize) -> usize {
    while i < b.len() && matches!(b[i], b' ' | b'\t' | b'\n' | b'\r') {
        i += 1;
    }
    i
}

/// The end (one past the closing quote) of the string starting at `i` (the opening quote).
fn string_end(b: &[u8], mut i: usize) -> Option<usize> {
    i += 1;
    loop {
        let j = memchr::memchr2(b'"', b'\\', &b[i..])?;
        i += j;
        if b[i] == b'"' {
            return Some(i + 1);
        }
        i += 2;
    }
}

/// The end of the value starting at `i`.
fn value_end(b: &[u8], i: usize) -> Option<usize> {
    match *b.get(i)? {
        b'"' => string_end(b, i),
        b'{' | b'[' => {
            let mut depth = 0usize;
            let mut k = i;
            while k < b.len() {
                match b[k] {
                    b'"' => {
                        k = string_end(b, k)?;
                        continue;
                    }
                    b'{' | b'[' => depth += 1,
                    b'}' | b']' => {
                        depth -= 1;
                        if depth == 0 {
                            return Some(k + 1);
                        }
                    }
                    _ => {}
                }
                k += 1;
            }
            None
        }
        _ => {
            let mut k = i;
            while k < b.len() && !matches!(b[k], b',' | b'}' | b']' | b' ' | b'\t' | b'\n' | b'\r')
            {
                k += 1;
            }
            Some(k)
        }
    }
}

/// The raw span (inside the quotes) of the string at `path` in the JSON object `b`, if the
/// path exists and ends at a string. `b` must be valid JSON.
pub(crate) fn find_string_field(b: &[u8], path: &[String]) -> Option<(usize, usize)> {
    find_in_object(b, skip_ws(b, 0), path)
}

fn find_in_object(b: &[u8], start: usize, path: &[String]) -> Option<(usize, usize)> {
    let (want, rest) = path.split_first()?;
    if b.get(start) != Some(&b'{') {
        return None;
    }
    let mut i = skip_ws(b, start + 1);
    let mut key = Vec::new();
    while b.get(i) == Some(&b'"') {
        let kend = string_end(b, i)?;
        key.clear();
        decode(&b[i + 1..kend - 1], &mut key);
        i = skip_ws(b, kend);
        if b.get(i) != Some(&b':') {
            return None;
        }
        i = skip_ws(b, i + 1);
        let vend = value_end(b, i)?;
        if key == want.as_bytes() {
            return if rest.is_empty() {
                (b[i] == b'"').then_some((i + 1, vend - 1))
            } else {
                find_in_object(b, i, rest)
            };
        }
        i = skip_ws(b, vend);
        if b.get(i) == Some(&b',') {
            i = skip_ws(b, i + 1);
        }
    }
    None
}

#[cfg(test)]
mod tests {
    use super::*;

    fn field(json: &str, path: &[&str]) -> Option<String> {
        let p: Vec<String> = path.iter().map(|s| s.to_string()).collect();
        find_string_field(json.as_bytes(), &p).map(|(a, b)| json[a..b].to_string())
    }

    #[test]
    fn finds_top_level_and_nested_string_fields() {
        let j =
            r#"{"id": 1, "meta": {"text": "inner", "x": [1, {"text": "no"}]}, "text": "a\"b\\n"}"#;
        assert_eq!(field(j, &["text"]).as_deref(), Some(r#"a\"b\\n"#));
        assert_eq!(field(j, &["meta", "text"]).as_deref(), Some("inner"));
        assert_eq!(field(j, &["missing"]), None);
        assert_eq!(field(r#"{"text": null}"#, &["text"]), None);
        assert_eq!(
            field(r#"{"te\u0078t": "escaped key"}"#, &["text"]).as_deref(),
            Some("escaped key")
        );
    }

    #[test]
    fn decode_and_encode_round_trip() {
        let mut d = Vec::new();
        assert!(!decode(br#"caf\u00e9 \ud83d\ude00 \"q\" \\ \t"#, &mut d));
        assert_eq!(String::from_utf8(d.clone()).unwrap(), "café 😀 \"q\" \\ \t");
        let mut e = Vec::new();
        encode(&d, true, &mut e);
        assert_eq!(
            String::from_utf8(e).unwrap(),
            r#"caf\u00e9 \ud83d\ude00 \"q\" \\ \t"#
        );
        let mut e = Vec::new();
        encode(&d, false, &mut e);
        assert_eq!(String::from_utf8(e).unwrap(), r#"café 😀 \"q\" \\ \t"#);
        // A newline escape is reported: it is the one way a `\n` gets into decoded text.
        let mut nl = Vec::new();
        assert!(decode(br"a\u000Ab", &mut nl));
        assert_eq!(nl, b"a\nb");
        assert!(decode(br"a\nb", &mut nl));
        // Lone surrogates and bytes that are not UTF-8 come back as they were.
        let mut d = Vec::new();
        decode(br"lone \ud800 \udfff \ud800\u0041 end", &mut d);
        assert_eq!(d, b"lone \xed\xa0\x80 \xed\xbf\xbf \xed\xa0\x80A end");
        let mut e = Vec::new();
        encode(&d, false, &mut e);
        assert_eq!(e, br"lone \ud800 \udfff \ud800A end");
        let mut e = Vec::new();
        encode(b"raw \xd3 \xed\xa0 \xff\xfe", false, &mut e);
        assert_eq!(e, b"raw \xd3 \xed\xa0 \xff\xfe");
    }

    #[test]
    fn newline_escapes_are_told_from_escaped_backslashes() {
        assert_eq!(find_newline_escape(br"a\\nb\nc", 0), Some(5));
        assert_eq!(find_newline_escape(br"a\tb", 0), None);
    }
}
