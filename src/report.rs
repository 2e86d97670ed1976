//! What the filter tells besides its output: per-rule statistics and line-by-line explanations.
//!
//! Both are [`Observer`]s, fed one [`Event`] per removed or changed line by the filter, so that
//! `--stats` and `--explain` never change what goes to the output and cost nothing when off.

use std::io::{self, Write};

use crate::matcher::{RuleId, RuleInfo, Span};
use crate::rules::CORE_CATEGORIES;

/// What happened to a line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum EventKind {
    /// The line was removed.
    Dropped,
    /// Spans were stripped from the line and the rest was kept.
    Changed,
    /// The line was longer than the line cap and was passed through unchecked.
    LongLine,
}

/// One removal or change, as the filter reports it.
#[derive(Debug, Clone, Copy)]
pub struct Event<'a> {
    /// 1-based line number within the current input (within the record's text for JSON Lines),
    /// or 0 when the observer did not ask for line numbers.
    pub line_no: u64,
    /// 1-based record number for JSON Lines input; 0 for plain text.
    pub record: u64,
    /// The line's content, without terminator, as it was read.
    pub line: &'a [u8],
    /// Dropped or changed.
    pub kind: EventKind,
    /// The rule that removed the line, or that stripped its first span.
    pub rule: RuleId,
    /// Bytes removed from the output, terminator included for dropped lines.
    pub bytes_removed: usize,
    /// Byte offset of the line's start: in the input for plain text, in the decoded field
    /// text for JSON Lines.
    pub offset: u64,
    /// For a changed line, the removed spans, as offsets into [`Event::line`].
    pub spans: &'a [Span],
    /// True for a line dropped for its document's marker line of `rule` rather than by its own
    /// match: after a `cut` marker, in the block before a `before=N` marker, or between two
    /// `between=N` markers ([`RuleInfo::before`] and [`RuleInfo::between`] tell which).
    pub cut: bool,
}

impl Event<'_> {
    /// The event for a line longer than the line cap, passed through unchecked.
    pub fn long_line(line_no: u64) -> Event<'static> {
        Event {
            line_no,
            record: 0,
            line: b"",
            kind: EventKind::LongLine,
            rule: 0,
            bytes_removed: 0,
            offset: 0,
            spans: &[],
            cut: false,
        }
    }
}

/// What happened to a whole document.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DocKind {
    /// The rules would have removed more than the `--max-removed` share: written unchanged.
    Flagged,
    /// Longer than the document cap: judged by line rules only.
    Oversize,
}

/// An event about a whole document (see [`crate::document`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct DocEvent {
    /// Flagged or oversize.
    pub kind: DocKind,
    /// 1-based JSON Lines record number, or 0 for plain text.
    pub record: u64,
    /// 1-based number of the document's first line (in the input, or 1 in a record).
    pub line_no: u64,
    /// Byte offset of the document's start.
    pub offset: u64,
    /// Lines in the document (0 when unknown: an oversize document).
    pub lines: u64,
    /// Bytes in the document (for an oversize one: the bytes buffered before it was found
    /// over the cap).
    pub bytes: u64,
    /// For a flagged document: the lines the rules would have removed.
    pub removed_lines: u64,
    /// For a flagged document: the bytes the rules would have removed.
    pub removed_bytes: u64,
}

/// Receives the filter's events.
pub trait Observer {
    /// True when events must carry line numbers (costs a count of line terminators).
    fn wants_line_numbers(&self) -> bool {
        false
    }
    /// Called before each input with its display name.
    fn start_input(&mut self, _name: &str) {}
    /// Called for every dropped or changed line, in input order.
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()>;
    /// Called for a document flagged by the removal cap or over the document cap, before its
    /// line events.
    fn document(&mut self, _ev: &DocEvent) -> io::Result<()> {
        Ok(())
    }
}

/// An observer that ignores everything.
impl Observer for () {
    fn event(&mut self, _ev: &Event<'_>) -> io::Result<()> {
        Ok(())
    }
}

impl<O: Observer + ?Sized> Observer for &mut O {
    fn wants_line_numbers(&self) -> bool {
        (**self).wants_line_numbers()
    }
    fn start_input(&mut self, name: &str) {
        (**self).start_input(name);
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        (**self).event(ev)
    }
    fn document(&mut self, ev: &DocEvent) -> io::Result<()> {
        (**self).document(ev)
    }
}

impl<A: Observer, B: Observer> Observer for (A, B) {
    fn wants_line_numbers(&self) -> bool {
        self.0.wants_line_numbers() || self.1.wants_line_numbers()
    }
    fn start_input(&mut self, name: &str) {
        self.0.start_input(name);
        self.1.start_input(name);
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        self.0.event(ev)?;
        self.1.event(ev)
    }
    fn document(&mut self, ev: &DocEvent) -> io::Result<()> {
        self.0.document(ev)?;
        self.1.document(ev)
    }
}

impl<O: Observer> Observer for Option<O> {
    fn wants_line_numbers(&self) -> bool {
        self.as_ref().is_some_and(Observer::wants_line_numbers)
    }
    fn start_input(&mut self, name: &str) {
        if let Some(o) = self {
            o.start_input(name);
        }
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match self {
            Some(o) => o.event(ev),
            None => Ok(()),
        }
    }
    fn document(&mut self, ev: &DocEvent) -> io::Result<()> {
        match self {
            Some(o) => o.document(ev),
            None => Ok(()),
        }
    }
}

/// Per-rule counters.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RuleCount {
    /// Lines removed.
    pub dropped: u64,
    /// Lines changed by strip rules.
    pub changed: u64,
    /// Bytes removed (whole lines with terminators, or stripped spans).
    pub bytes: u64,
    /// Of `dropped`, the lines dropped for the rule's marker line rather than by its own match
    /// (after a `cut` marker, in the block before a `before=N` marker, or between two
    /// `between=N` markers).
    pub marked: u64,
}

impl RecordCounts {
    /// Adds another input's counts.
    pub fn add(&mut self, o: &RecordCounts) {
        self.records += o.records;
        self.changed += o.changed;
        self.missing_field += o.missing_field;
        self.bad += o.bad;
        self.too_long += o.too_long;
        self.flagged += o.flagged;
    }
}

/// Counts of JSON Lines records.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RecordCounts {
    /// Records read.
    pub records: u64,
    /// Records whose field was changed.
    pub changed: u64,
    /// Records without the field (or where it is not a string), passed through unchanged.
    pub missing_field: u64,
    /// Lines that were not valid JSON (stopped the run, passed or skipped, by policy).
    pub bad: u64,
    /// Records longer than the record cap, passed through unchecked.
    pub too_long: u64,
    /// Records whose field the removal cap left unchanged.
    pub flagged: u64,
}

/// Counts removals per rule and per category.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Counters indexed by rule.
    pub per_rule: Vec<RuleCount>,
    /// Lines longer than the cap, passed through unchecked.
    pub long_lines: u64,
    /// Documents (text or records) left unchanged by the removal cap.
    pub flagged_documents: u64,
    /// Documents over the document cap, judged by line rules only.
    pub oversize_documents: u64,
    /// JSON Lines record counts (all zero for plain text).
    pub records: RecordCounts,
}

impl Stats {
    /// Statistics for a matcher with `rules` rules.
    pub fn new(rules: usize) -> Stats {
        Stats {
            per_rule: vec![RuleCount::default(); rules],
            long_lines: 0,
            flagged_documents: 0,
            oversize_documents: 0,
            records: RecordCounts::default(),
        }
    }

    /// Adds another run's counts (e.g. another thread's).
    pub fn merge(&mut self, other: &Stats) {
        for (a, b) in self.per_rule.iter_mut().zip(&other.per_rule) {
            a.dropped += b.dropped;
            a.changed += b.changed;
            a.bytes += b.bytes;
            a.marked += b.marked;
        }
        self.long_lines += other.long_lines;
        self.flagged_documents += other.flagged_documents;
        self.oversize_documents += other.oversize_documents;
        self.records.add(&other.records);
    }

    /// Total lines dropped.
    pub fn dropped(&self) -> u64 {
        self.per_rule.iter().map(|c| c.dropped).sum()
    }

    /// Lines dropped for a marker line of `rules` (the rules these stats count): after a cut
    /// marker, in the block before a before=N marker, between a pair of between=N markers.
    /// Also counted under the marker's rule.
    pub fn marked_lines(&self, rules: &[RuleInfo]) -> MarkedLines {
        let mut m = MarkedLines::default();
        for (info, c) in rules.iter().zip(&self.per_rule) {
            if info.before.is_some() {
                m.before += c.marked;
            } else if info.between.is_some() {
                m.between += c.marked;
            } else {
                m.cut += c.marked;
            }
        }
        m
    }

    /// Total lines changed.
    pub fn changed(&self) -> u64 {
        self.per_rule.iter().map(|c| c.changed).sum()
    }

    /// `(category, dropped, changed)` for every category with a rule, core categories first.
    pub fn per_category(&self, rules: &[RuleInfo]) -> Vec<(String, u64, u64)> {
        self.per_category_counts(rules)
            .into_iter()
            .map(|(c, n)| (c, n.dropped, n.changed))
            .collect()
    }

    /// Lines dropped, lines changed and bytes removed per category, core categories first.
    pub fn per_category_counts(&self, rules: &[RuleInfo]) -> Vec<(String, RuleCount)> {
        let mut out: Vec<(String, RuleCount)> = CORE_CATEGORIES
            .iter()
            .map(|c| (c.to_string(), RuleCount::default()))
            .collect();
        for (info, c) in rules.iter().zip(&self.per_rule) {
            let slot = match out.iter().position(|(name, _)| *name == info.category) {
                Some(i) => i,
                None => {
                    out.push((info.category.clone(), RuleCount::default()));
                    out.len() - 1
                }
            };
            out[slot].1.dropped += c.dropped;
            out[slot].1.changed += c.changed;
            out[slot].1.bytes += c.bytes;
        }
        out
    }

    /// Writes the human-readable table: per category, then every rule that fired.
    pub fn write_text(&self, rules: &[RuleInfo], w: &mut dyn Write) -> io::Result<()> {
        writeln!(
            w,
            "dechaff: {} lines removed, {} lines changed",
            self.dropped(),
            self.changed()
        )?;
        if self.long_lines > 0 {
            writeln!(
                w,
                "dechaff: {} lines longer than the line cap passed through unchecked",
                self.long_lines
            )?;
        }
        let MarkedLines {
            cut: cut_lines,
            before: before_lines,
            between: between_lines,
        } = self.marked_lines(rules);
        if cut_lines > 0 {
            writeln!(
                w,
                "dechaff: {cut_lines} of the removed lines followed a cut marker"
            )?;
        }
        if before_lines > 0 {
            writeln!(
                w,
                "dechaff: {before_lines} of the removed lines stood in the block before a before=N marker"
            )?;
        }
        if between_lines > 0 {
            writeln!(
                w,
                "dechaff: {between_lines} of the removed lines stood between a pair of between=N markers"
            )?;
        }
        if self.flagged_documents + self.oversize_documents > 0 {
            writeln!(
                w,
                "dechaff: {} documents left unchanged by --max-removed, {} over the document cap (line rules only)",
                self.flagged_documents, self.oversize_documents
            )?;
        }
        let r = &self.records;
        if r.records > 0 {
            writeln!(
                w,
                "dechaff: {} records, {} changed, {} flagged, {} without the field, {} bad, {} over the record cap",
                r.records, r.changed, r.flagged, r.missing_field, r.bad, r.too_long
            )?;
        }
        writeln!(w, "{:<12} {:>9} {:>9}", "category", "removed", "changed")?;
        for (cat, d, c) in self.per_category(rules) {
            writeln!(w, "{cat:<12} {d:>9} {c:>9}")?;
        }
        let mut fired: Vec<(usize, &RuleCount)> = self
            .per_rule
            .iter()
            .enumerate()
            .filter(|(_, c)| c.dropped + c.changed > 0)
            .collect();
        fired.sort_by(|a, b| {
            (b.1.dropped + b.1.changed)
                .cmp(&(a.1.dropped + a.1.changed))
                .then(a.0.cmp(&b.0))
        });
        if !fired.is_empty() {
            writeln!(
                w,
                "{:<40} {:<12} {:>9} {:>9}",
                "rule", "category", "removed", "changed"
            )?;
            for (i, c) in fired {
                writeln!(
                    w,
                    "{:<40} {:<12} {:>9} {:>9}",
                    rules[i].id, rules[i].category, c.dropped, c.changed
                )?;
            }
        }
        Ok(())
    }

    /// Writes the statistics as one JSON object.
    pub fn write_json(&self, rules: &[RuleInfo], w: &mut dyn Write) -> io::Result<()> {
        let marked = self.marked_lines(rules);
        let cats: serde_json::Map<String, serde_json::Value> = self
            .per_category_counts(rules)
            .into_iter()
            .map(|(c, n)| {
                let v = serde_json::json!({"removed": n.dropped, "changed": n.changed,
                    "bytes": n.bytes});
                (c, v)
            })
            .collect();
        let per_rule: Vec<serde_json::Value> = rules
            .iter()
            .zip(&self.per_rule)
            .filter(|(_, c)| c.dropped + c.changed > 0)
            .map(|(r, c)| {
                serde_json::json!({"id": r.id, "category": r.category, "removed": c.dropped,
                    "changed": c.changed, "bytes": c.bytes})
            })
            .collect();
        let v = serde_json::json!({
            "lines_removed": self.dropped(),
            "lines_changed": self.changed(),
            "bytes_removed": self.per_rule.iter().map(|c| c.bytes).sum::<u64>(),
            "long_lines": self.long_lines,
            "cut_lines": marked.cut,
            "before_lines": marked.before,
            "between_lines": marked.between,
            "documents": {"flagged": self.flagged_documents,
                "oversize": self.oversize_documents},
            "records": {"read": self.records.records, "changed": self.records.changed,
                "flagged": self.records.flagged,
                "missing_field": self.records.missing_field, "bad": self.records.bad,
                "too_long": self.records.too_long},
            "categories": cats,
            "rules": per_rule,
        });
        serde_json::to_writer(&mut *w, &v)?;
        writeln!(w)
    }
}

impl Observer for Stats {
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match ev.kind {
            EventKind::LongLine => self.long_lines += 1,
            EventKind::Dropped | EventKind::Changed => {
                let c = &mut self.per_rule[ev.rule];
                if ev.kind == EventKind::Dropped {
                    c.dropped += 1;
                } else {
                    c.changed += 1;
                }
                c.bytes += ev.bytes_removed as u64;
                c.marked += u64::from(ev.cut);
            }
        }
        Ok(())
    }
    fn document(&mut self, ev: &DocEvent) -> io::Result<()> {
        match ev.kind {
            DocKind::Flagged => self.flagged_documents += 1,
            DocKind::Oversize => self.oversize_documents += 1,
        }
        Ok(())
    }
}

/// How [`Explain`] writes.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum ExplainFormat {
    /// One line per removal for people: `NAME:LINE: dropped|changed RULE (CATEGORY): LINE`,
    /// or `NAME: record R, line L: ...` for JSON Lines; the line escaped.
    Text,
    /// One JSON object per removal, for audit trails kept beside shards:
    /// `{"input", "record", "line", "rule", "category", "action", "bytes", "span", "text"}`
    /// (`record` is null for plain text; `action` is `drop`, `cut` (a line after a cut
    /// marker), `before` (a line in the block before a `before=N` marker, `rule`), `between` (a
    /// line between two `between=N` markers, `rule`), `strip` or
    /// `pass-long-line`; `span` is `[start, end]`, the byte range removed:
    /// offsets in the input for plain text, in the decoded field text for JSON Lines; a strip
    /// gives `spans`, a list of them; `text` is the line, invalid UTF-8 replaced). A document
    /// left unchanged by the cap or over the document cap is one object with `action` `flag`
    /// or `pass-long-document`, its first `line`, its `lines`, `bytes` and the `removed_lines`
    /// and `removed_bytes` the rules would have taken.
    Json,
}

/// How a line dropped for a marker line of `rule` is explained: `cut` after a cut marker,
/// `before` in the block before a `before=N` marker, `between` between two `between=N` markers.
fn marked_action(rule: &RuleInfo) -> &'static str {
    if rule.before.is_some() {
        "before"
    } else if rule.between.is_some() {
        "between"
    } else {
        "cut"
    }
}

/// How many removed lines went with a marker line rather than by their own match
/// ([`Stats::marked_lines`]).
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct MarkedLines {
    /// After a `cut` marker.
    pub cut: u64,
    /// In the block before a `before=N` marker.
    pub before: u64,
    /// Between a pair of `between=N` markers.
    pub between: u64,
}

/// Writes an explanation of every removed or changed line (and every line passed through as
/// too long) to a writer, as text or JSON.
pub struct Explain<'r, W: Write> {
    rules: &'r [RuleInfo],
    out: W,
    name: String,
    format: ExplainFormat,
}

impl<'r, W: Write> Explain<'r, W> {
    /// Explanations for `rules`, written to `out` in `format`.
    pub fn new(rules: &'r [RuleInfo], out: W, format: ExplainFormat) -> Self {
        Explain {
            rules,
            out,
            name: String::from("<stdin>"),
            format,
        }
    }

    /// Flushes and returns the writer.
    pub fn into_inner(mut self) -> io::Result<W> {
        self.out.flush()?;
        Ok(self.out)
    }

    fn write_text(&mut self, ev: &Event<'_>) -> io::Result<()> {
        if ev.record > 0 {
            write!(
                self.out,
                "{}: record {}, line {}: ",
                self.name, ev.record, ev.line_no
            )?;
        } else {
            write!(self.out, "{}:{}: ", self.name, ev.line_no)?;
        }
        let what = match ev.kind {
            EventKind::Dropped if ev.cut => marked_action(&self.rules[ev.rule]),
            EventKind::Dropped => "dropped",
            EventKind::Changed => "changed",
            EventKind::LongLine => return writeln!(self.out, "passed (line longer than the cap)"),
        };
        let r = &self.rules[ev.rule];
        write!(self.out, "{what} {} ({}): ", r.id, r.category)?;
        write_escaped(&mut self.out, ev.line)?;
        writeln!(self.out)
    }

    fn write_json(&mut self, ev: &Event<'_>) -> io::Result<()> {
        let (action, rule) = match ev.kind {
            EventKind::Dropped if ev.cut => {
                let r = &self.rules[ev.rule];
                (marked_action(r), Some(r))
            }
            EventKind::Dropped => ("drop", Some(&self.rules[ev.rule])),
            EventKind::Changed => ("strip", Some(&self.rules[ev.rule])),
            EventKind::LongLine => ("pass-long-line", None),
        };
        let mut v = serde_json::json!({
            "input": self.name,
            "record": if ev.record > 0 { serde_json::Value::from(ev.record) } else { serde_json::Value::Null },
            "line": ev.line_no,
            "rule": rule.map(|r| r.id.as_str()),
            "category": rule.map(|r| r.category.as_str()),
            "action": action,
            "bytes": ev.bytes_removed,
        });
        if ev.kind == EventKind::Changed {
            let spans: Vec<[u64; 2]> = ev
                .spans
                .iter()
                .map(|s| [ev.offset + s.start as u64, ev.offset + s.end as u64])
                .collect();
            v["spans"] = serde_json::json!(spans);
        } else if ev.kind == EventKind::Dropped {
            v["span"] = serde_json::json!([ev.offset, ev.offset + ev.bytes_removed as u64]);
        }
        v["text"] = serde_json::Value::from(String::from_utf8_lossy(ev.line));
        serde_json::to_writer(&mut self.out, &v)?;
        writeln!(self.out)
    }

    fn write_document(&mut self, ev: &DocEvent) -> io::Result<()> {
        let what = match ev.kind {
            DocKind::Flagged => "flag",
            DocKind::Oversize => "pass-long-document",
        };
        if self.format == ExplainFormat::Text {
            if ev.record > 0 {
                write!(self.out, "{}: record {}: ", self.name, ev.record)?;
            } else {
                write!(self.out, "{}:{}: ", self.name, ev.line_no)?;
            }
            return match ev.kind {
                DocKind::Flagged => writeln!(
                    self.out,
                    "document left unchanged (the rules would remove {} of {} lines, {} of {} bytes)",
                    ev.removed_lines, ev.lines, ev.removed_bytes, ev.bytes
                ),
                DocKind::Oversize => writeln!(
                    self.out,
                    "document longer than the document cap: line rules only"
                ),
            };
        }
        let v = serde_json::json!({
            "input": self.name,
            "record": if ev.record > 0 { serde_json::Value::from(ev.record) } else { serde_json::Value::Null },
            "line": ev.line_no,
            "action": what,
            "lines": ev.lines,
            "bytes": ev.bytes,
            "removed_lines": ev.removed_lines,
            "removed_bytes": ev.removed_bytes,
        });
        serde_json::to_writer(&mut self.out, &v)?;
        writeln!(self.out)
    }
}

impl<W: Write> Observer for Explain<'_, W> {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn start_input(&mut self, name: &str) {
        self.name = name.to_string();
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        match self.format {
            ExplainFormat::Text => self.write_text(ev),
            ExplainFormat::Json => self.write_json(ev),
        }
    }
    fn document(&mut self, ev: &DocEvent) -> io::Result<()> {
        self.write_document(ev)
    }
}

/// Writes `bytes` so that the result is one printable line: valid UTF-8 is kept except control
/// characters and backslashes, which are escaped (`\t`, `\r`, `\\`, `\x1b`); invalid bytes are
/// written as `\xHH`.
pub fn write_escaped(w: &mut dyn Write, bytes: &[u8]) -> io::Result<()> {
    for chunk in bytes.utf8_chunks() {
        for c in chunk.valid().chars() {
            match c {
                '\\' => w.write_all(b"\\\\")?,
                '\t' => w.write_all(b"\\t")?,
                '\r' => w.write_all(b"\\r")?,
                '\n' => w.write_all(b"\\n")?,
                c if c.is_control() => write!(w, "\\u{{{:x}}}", c as u32)?,
                c => {
                    let mut buf = [0; 4];
                    w.write_all(c.encode_utf8(&mut buf).as_bytes())?;
                }
            }
        }
        for b in chunk.invalid() {
            write!(w, "\\x{b:02X}")?;
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escaping_makes_one_printable_line() {
        let mut v = Vec::new();
        write_escaped(&mut v, b"a\tb\\c\r\xffd\x1b\xc3\xa9").unwrap();
        assert_eq!(String::from_utf8(v).unwrap(), "a\\tb\\\\c\\r\\xFFd\\u{1b}é");
    }
}
