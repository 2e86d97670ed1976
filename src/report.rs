//! What the filter tells besides its output: per-rule statistics and line-by-line explanations.
//!
//! Both are [`Observer`]s, fed one [`Event`] per removed or changed line by the filter, so that
//! `--stats` and `--explain` never change what goes to the output and cost nothing when off.

use std::io::{self, Write};

use crate::matcher::{RuleId, RuleInfo};
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
        }
    }
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
}

impl RecordCounts {
    /// Adds another input's counts.
    pub fn add(&mut self, o: &RecordCounts) {
        self.records += o.records;
        self.changed += o.changed;
        self.missing_field += o.missing_field;
        self.bad += o.bad;
        self.too_long += o.too_long;
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
}

/// Counts removals per rule and per category.
#[derive(Debug, Clone, Default)]
pub struct Stats {
    /// Counters indexed by rule.
    pub per_rule: Vec<RuleCount>,
    /// Lines longer than the cap, passed through unchecked.
    pub long_lines: u64,
    /// JSON Lines record counts (all zero for plain text).
    pub records: RecordCounts,
}

impl Stats {
    /// Statistics for a matcher with `rules` rules.
    pub fn new(rules: usize) -> Stats {
        Stats {
            per_rule: vec![RuleCount::default(); rules],
            long_lines: 0,
            records: RecordCounts::default(),
        }
    }

    /// Adds another run's counts (e.g. another thread's).
    pub fn merge(&mut self, other: &Stats) {
        for (a, b) in self.per_rule.iter_mut().zip(&other.per_rule) {
            a.dropped += b.dropped;
            a.changed += b.changed;
            a.bytes += b.bytes;
        }
        self.long_lines += other.long_lines;
        self.records.add(&other.records);
    }

    /// Total lines dropped.
    pub fn dropped(&self) -> u64 {
        self.per_rule.iter().map(|c| c.dropped).sum()
    }

    /// Total lines changed.
    pub fn changed(&self) -> u64 {
        self.per_rule.iter().map(|c| c.changed).sum()
    }

    /// `(category, dropped, changed)` for every category with a rule, core categories first.
    pub fn per_category(&self, rules: &[RuleInfo]) -> Vec<(String, u64, u64)> {
        let mut out: Vec<(String, u64, u64)> = CORE_CATEGORIES
            .iter()
            .map(|c| (c.to_string(), 0, 0))
            .collect();
        for (info, c) in rules.iter().zip(&self.per_rule) {
            let slot = match out.iter().position(|(name, _, _)| *name == info.category) {
                Some(i) => i,
                None => {
                    out.push((info.category.clone(), 0, 0));
                    out.len() - 1
                }
            };
            out[slot].1 += c.dropped;
            out[slot].2 += c.changed;
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
        let r = &self.records;
        if r.records > 0 {
            writeln!(
                w,
                "dechaff: {} records, {} changed, {} without the field, {} bad, {} over the record cap",
                r.records, r.changed, r.missing_field, r.bad, r.too_long
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
        let cats: serde_json::Map<String, serde_json::Value> = self
            .per_category(rules)
            .into_iter()
            .map(|(c, d, ch)| (c, serde_json::json!({"removed": d, "changed": ch})))
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
            "long_lines": self.long_lines,
            "records": {"read": self.records.records, "changed": self.records.changed,
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
            }
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
    /// `{"input", "record", "line", "rule", "category", "action", "bytes", "text"}` (`record`
    /// is null for plain text; `text` is the line, invalid UTF-8 replaced).
    Json,
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
            EventKind::Dropped => ("drop", Some(&self.rules[ev.rule])),
            EventKind::Changed => ("strip", Some(&self.rules[ev.rule])),
            EventKind::LongLine => ("pass-long-line", None),
        };
        let v = serde_json::json!({
            "input": self.name,
            "record": if ev.record > 0 { serde_json::Value::from(ev.record) } else { serde_json::Value::Null },
            "line": ev.line_no,
            "rule": rule.map(|r| r.id.as_str()),
            "category": rule.map(|r| r.category.as_str()),
            "action": action,
            "bytes": ev.bytes_removed,
            "text": String::from_utf8_lossy(ev.line),
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
