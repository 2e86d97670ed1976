//! `dechaff learn`: finds the lines that recur across many documents of one site (a site's own
//! promos, disclaimers, newsletter boxes, injected headlines) and writes them as rules for a
//! person to review.
//!
//! No built-in pack can list every site's chaff, but a site's chaff gives itself away by
//! repeating across that site's articles while its stories do not. Dropping every repeated line
//! blindly (as some corpus cleaners do) needs memory that grows with the corpus and also drops
//! quotes two stories share; so `learn` counts in fixed memory, keeps the evidence (how many
//! documents, what share of the site, an example) next to each rule, and holds back lines that
//! look like story text (see [`mod@line`] for the normalisation and the guard rails).
//!
//! # How it counts
//!
//! A document is a JSON Lines record (its `text` field, its site the host of its `url`, or the
//! value of another field) or a text document (a whole file; NUL-separated pieces with `-z`; the
//! lines between `--doc-sep` lines), whose site is `--site` or none. Each line is reduced to a
//! key (case, digits, blanks and punctuation folded), and each document counts a key once.
//!
//! 1. **First pass, candidates.** Keys go through a Bloom filter, so that a key is counted from
//!    its second document on (most lines are seen once and never take a counter), into a
//!    Misra-Gries table of `capacity` counters ([`sketch::MisraGries`]). The table keeps every
//!    key recurring in more than `total / (capacity + 1)` documents, where `total` is the number
//!    of counted occurrences, and undercounts any key by at most the number of its decrement
//!    rounds, which `learn` reports: with 0 rounds no recurring line was missed.
//! 2. **Second pass, exact.** The inputs are read again; for the candidates only, `learn`
//!    counts documents exactly, counts the documents of their sites, the sites each line
//!    appears in, and keeps one example line (from the `min_docs`-th document it is seen in).
//!
//! Exact duplicate documents of a site (same normalised text, a common scraping artefact)
//! count once: a second Bloom filter remembers each document's fingerprint. Its false
//! positives (about 0.2 % of documents at a million documents) make `learn` skip a document,
//! never invent a count.
//!
//! # Memory
//!
//! Fixed, whatever the input size: the two Bloom filters (2 MiB for document fingerprints,
//! 8 MiB for first sightings), the Misra-Gries table (about 24 bytes per counter: 6 MiB at
//! the default 262,144), and in the second pass the candidates (at most `capacity`) with one
//! example each (at most `max_chars` characters). One document's line keys are held while it is
//! read (at most [`MAX_DOC_LINES`]), and one JSON Lines record at a time (at most
//! `max_record` bytes).
//!
//! # Determinism
//!
//! `learn` reads on one thread, hashes with fixed seeds, and sorts its output by a total order
//! (evidence, then site, then example), so the same input gives the same rules file byte for
//! byte.

pub mod line;
pub mod sketch;

use std::io::{self, BufRead, BufReader, Read, Write};

use crate::error::{Error, Result};
use crate::jsonl::{decode, find_string_field};
use sketch::{Bloom, HashMap64, MisraGries, hash_bytes, map_with_capacity, mix};

/// Most distinct lines counted per document; the rest of a longer document is not learned
/// from (reported).
pub const MAX_DOC_LINES: usize = 100_000;

/// A line found this many times per document, on average, is held back as `repeated`.
pub const REPEATS: u64 = 3;

/// Bloom filter sizes (log2 of bits): document fingerprints, first sightings of a line.
const DOC_BITS: u32 = 24;
const SEEN_BITS: u32 = 26;

const SITE_SEED: u64 = 0x5175_7e11_a4c3_0001;
const LINE_SEED: u64 = 0x11ce_0f5e_ed00_0002;

/// How documents are framed in a text input.
#[derive(Debug, Clone, PartialEq, Eq, Default)]
pub enum Framing {
    /// The whole input is one document.
    #[default]
    File,
    /// Documents are separated by NUL bytes (`-z`).
    Nul,
    /// Documents are separated by lines equal to this one (`--doc-sep LINE`).
    Separator(Vec<u8>),
}

/// The format of one input.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Format {
    /// JSON Lines: one record, one document.
    Jsonl,
    /// Plain text, framed by [`Framing`].
    Text,
}

/// One input of `learn`: a name (for messages; the opener maps it to a stream) and its format.
#[derive(Debug, Clone)]
pub struct Input {
    /// How messages name it (usually its path).
    pub name: String,
    /// How to read it.
    pub format: Format,
}

/// What `learn` looks for and how it writes it. [`LearnConfig::default`] gives the CLI's
/// defaults.
#[derive(Debug, Clone)]
pub struct LearnConfig {
    /// A line becomes a rule only when found in at least this many documents of one site.
    pub min_docs: u32,
    /// Lines with fewer word characters (or a single word) are held back as `short`.
    pub min_chars: usize,
    /// A sentence needs this many documents of its site, or `prose_share` of them.
    pub prose_docs: u32,
    /// See `prose_docs`.
    pub prose_share: f64,
    /// A line of several words found in this many sites or more is held back as `syndicated`.
    pub max_sites: usize,
    /// Lines longer than this many characters are not learned.
    pub max_chars: usize,
    /// Counters of the first pass.
    pub capacity: usize,
    /// The category of the written rules.
    pub category: String,
    /// The first part of every rule id.
    pub prefix: String,
    /// Write `site=HOST` on rules learned from one site (off: every rule applies everywhere).
    pub scope_sites: bool,
    /// JSON Lines: the field holding the text (a path, `a.b` for nested objects).
    pub field: Vec<String>,
    /// JSON Lines: the field giving the site; a URL gives its host.
    pub group_by: Vec<String>,
    /// Text inputs: their site.
    pub site: Option<String>,
    /// Text inputs: how documents are separated.
    pub framing: Framing,
    /// JSON Lines records longer than this are skipped (and reported).
    pub max_record: usize,
}

impl Default for LearnConfig {
    fn default() -> LearnConfig {
        LearnConfig {
            min_docs: 3,
            min_chars: 12,
            prose_docs: 10,
            prose_share: 0.5,
            max_sites: 3,
            max_chars: 400,
            capacity: 1 << 18,
            category: "learned".into(),
            prefix: "learned".into(),
            scope_sites: true,
            field: vec!["text".into()],
            group_by: vec!["url".into()],
            site: None,
            framing: Framing::File,
            max_record: 64 << 20,
        }
    }
}

/// Why a recurring line was held back instead of becoming a rule (see [`mod@line`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord)]
pub enum Guard {
    /// Too few word characters, or a single word.
    Short,
    /// Ends with a colon: a label for what follows.
    Label,
    /// Quoted speech.
    Quote,
    /// Found in many sites: wire copy.
    Syndicated,
    /// A sentence found in few of its site's documents.
    Prose,
    /// Found in few documents without a site.
    NoSite,
    /// Repeats inside its documents.
    Repeated,
}

impl Guard {
    /// The name written in the rules file.
    pub fn name(self) -> &'static str {
        match self {
            Guard::Short => "short",
            Guard::Label => "label",
            Guard::Quote => "quote",
            Guard::Syndicated => "syndicated",
            Guard::Prose => "prose",
            Guard::NoSite => "nosite",
            Guard::Repeated => "repeated",
        }
    }
}

/// One recurring line with its evidence.
#[derive(Debug, Clone, PartialEq)]
pub struct LearnedLine {
    /// The site (group) it recurs in; `None` for documents without one.
    pub site: Option<String>,
    /// Documents of the site it is found in.
    pub docs: u32,
    /// Times it is found in those documents (a line may repeat inside one).
    pub lines: u64,
    /// Documents of the site.
    pub site_docs: u32,
    /// Sites it is found in, counted up to `max_sites`.
    pub sites_seen: usize,
    /// The line as found in one document, trimmed.
    pub example: String,
    /// Why it is not a rule, or `None` when it is one.
    pub held: Option<Guard>,
}

impl LearnedLine {
    /// `docs / site_docs`.
    pub fn share(&self) -> f64 {
        f64::from(self.docs) / f64::from(self.site_docs.max(1))
    }
}

/// What `learn` saw, for the rules file's header.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct LearnStats {
    /// Input names.
    pub inputs: Vec<String>,
    /// Documents learned from (duplicates excluded).
    pub documents: u64,
    /// Exact duplicate documents of a site, not counted again.
    pub duplicates: u64,
    /// Documents without a site.
    pub without_site: u64,
    /// JSON Lines records without the text field (or whose field is not a string).
    pub without_text: u64,
    /// JSON Lines records longer than `max_record`, skipped.
    pub long_records: u64,
    /// Lines not learned from: longer than `max_chars`, not UTF-8, or past
    /// [`MAX_DOC_LINES`].
    pub lines_skipped: u64,
    /// Distinct sites among the documents with candidate lines.
    pub candidate_sites: usize,
    /// Keys the first pass passed to the second.
    pub candidates: usize,
    /// Occurrences counted by the first pass.
    pub counted: u64,
    /// Its decrement rounds: how far below the truth a first-pass count may be.
    pub rounds: u64,
    /// Its counters.
    pub capacity: usize,
}

/// The result of [`learn`]: recurring lines, strongest evidence first (rules, then held-back
/// lines), and the statistics.
#[derive(Debug, Clone)]
pub struct Learned {
    /// The lines.
    pub lines: Vec<LearnedLine>,
    /// What was read.
    pub stats: LearnStats,
}

/// Opens an input for reading; called once per input per pass.
pub type Opener<'a> = dyn Fn(&Input) -> io::Result<Box<dyn Read + 'a>> + 'a;

/// Receives documents line by line.
trait Sink {
    fn begin(&mut self, site: Option<&str>);
    fn line(&mut self, line: &[u8]);
    fn end(&mut self);
}

/// Reads `inputs` twice (see the module docs) and returns the recurring lines, judged.
///
/// Errors: an input that cannot be opened or read (named), a JSON Lines record that is not
/// valid JSON (`NAME: record N: ...`).
pub fn learn(inputs: &[Input], open: &Opener<'_>, cfg: &LearnConfig) -> Result<Learned> {
    let mut stats = LearnStats {
        inputs: inputs.iter().map(|i| i.name.clone()).collect(),
        capacity: cfg.capacity.max(1),
        ..LearnStats::default()
    };
    // Pass 1.
    let mut p1 = Pass::new(
        cfg,
        Stage::Candidates(First {
            seen: Bloom::new(SEEN_BITS, 2),
            table: MisraGries::new(cfg.capacity),
            sites: map_with_capacity(0),
        }),
    );
    read_all(inputs, open, cfg, &mut p1, &mut stats)?;
    let Stage::Candidates(first) = p1.stage else {
        unreachable!("pass 1 stage")
    };
    stats.counted = first.table.total();
    stats.rounds = first.table.rounds();
    let slack = first.table.rounds() + 1;
    let mut cands: HashMap64<Cand> = map_with_capacity(0);
    let mut sites: HashMap64<SiteInfo> = map_with_capacity(0);
    for (key, count) in first.table.iter() {
        if u64::from(count) + slack < u64::from(cfg.min_docs) {
            continue;
        }
        let (site, line) = first.sites[&key];
        cands.insert(
            key,
            Cand {
                site,
                line,
                docs: 0,
                lines: 0,
                example: None,
            },
        );
        sites.entry(site).or_default();
    }
    drop(first);
    stats.candidates = cands.len();
    stats.candidate_sites = sites.len();
    let mut line_sites: HashMap64<Vec<u64>> = map_with_capacity(cands.len());
    for c in cands.values() {
        line_sites.entry(c.line).or_default();
    }
    // Pass 2.
    let mut p2 = Pass::new(
        cfg,
        Stage::Exact(Second {
            cands,
            sites,
            line_sites,
        }),
    );
    let mut stats2 = LearnStats::default();
    read_all(inputs, open, cfg, &mut p2, &mut stats2)?;
    stats.documents = stats2.documents;
    stats.duplicates = stats2.duplicates;
    stats.without_site = stats2.without_site;
    stats.without_text = stats2.without_text;
    stats.long_records = stats2.long_records;
    stats.lines_skipped = stats2.lines_skipped;
    let Stage::Exact(second) = p2.stage else {
        unreachable!("pass 2 stage")
    };
    let mut lines = Vec::new();
    for c in second.cands.into_values() {
        if c.docs < cfg.min_docs {
            continue;
        }
        let Some(example) = c.example else { continue };
        let site = &second.sites[&c.site];
        let mut l = LearnedLine {
            site: site.name.clone(),
            docs: c.docs,
            lines: c.lines,
            site_docs: site.docs,
            sites_seen: second.line_sites.get(&c.line).map_or(1, Vec::len),
            example,
            held: None,
        };
        l.held = judge(&l, cfg);
        lines.push(l);
    }
    lines.sort_by(|a, b| {
        (a.held.is_some(), std::cmp::Reverse(a.docs))
            .cmp(&(b.held.is_some(), std::cmp::Reverse(b.docs)))
            .then(b.share().total_cmp(&a.share()))
            .then_with(|| a.site.cmp(&b.site))
            .then_with(|| a.example.cmp(&b.example))
    });
    Ok(Learned { lines, stats })
}

/// The guard that holds `l` back, if any (see [`mod@line`]).
pub fn judge(l: &LearnedLine, cfg: &LearnConfig) -> Option<Guard> {
    let t = l.example.as_str();
    let word_chars = line::normalise(t, &mut String::new());
    let words = line::words(t);
    if word_chars < cfg.min_chars || words < 2 {
        return Some(Guard::Short);
    }
    if t.ends_with([':', '：']) {
        return Some(Guard::Label);
    }
    if line::is_quoted_speech(t) {
        return Some(Guard::Quote);
    }
    if l.lines >= REPEATS * u64::from(l.docs) {
        return Some(Guard::Repeated);
    }
    // Template text recurs in many of its site's documents, or in most of them.
    let template = l.docs >= cfg.prose_docs || (l.site.is_some() && l.share() >= cfg.prose_share);
    if words >= line::SYNDICATED_WORDS && l.sites_seen >= cfg.max_sites && !template {
        return Some(Guard::Syndicated);
    }
    if words >= line::SENTENCE_WORDS && line::ends_like_sentence(t) && !template {
        return Some(Guard::Prose);
    }
    if l.site.is_none() && l.docs < cfg.prose_docs {
        return Some(Guard::NoSite);
    }
    None
}

struct Cand {
    site: u64,
    line: u64,
    docs: u32,
    lines: u64,
    example: Option<String>,
}

#[derive(Default)]
struct SiteInfo {
    name: Option<String>,
    docs: u32,
}

struct First {
    seen: Bloom,
    table: MisraGries,
    /// key -> (site hash, line hash), for the keys in `table`.
    sites: HashMap64<(u64, u64)>,
}

struct Second {
    cands: HashMap64<Cand>,
    sites: HashMap64<SiteInfo>,
    line_sites: HashMap64<Vec<u64>>,
}

enum Stage {
    Candidates(First),
    Exact(Second),
}

/// One pass over the documents: turns lines into keys, drops duplicate documents, counts.
struct Pass<'c> {
    cfg: &'c LearnConfig,
    stage: Stage,
    docs_seen: Bloom,
    site: Option<String>,
    site_hash: u64,
    keys: Vec<(u64, u64)>,
    fingerprint: u64,
    norm: String,
    open: bool,
    documents: u64,
    duplicates: u64,
    without_site: u64,
    lines_skipped: u64,
}

impl<'c> Pass<'c> {
    fn new(cfg: &'c LearnConfig, stage: Stage) -> Pass<'c> {
        Pass {
            cfg,
            stage,
            docs_seen: Bloom::new(DOC_BITS, 4),
            site: None,
            site_hash: 0,
            keys: Vec::new(),
            fingerprint: 0,
            norm: String::new(),
            open: false,
            documents: 0,
            duplicates: 0,
            without_site: 0,
            lines_skipped: 0,
        }
    }
}

fn site_hash(site: Option<&str>) -> u64 {
    match site {
        None => mix(SITE_SEED),
        Some(s) => hash_bytes(SITE_SEED, s.as_bytes()),
    }
}

impl Sink for Pass<'_> {
    fn begin(&mut self, site: Option<&str>) {
        self.site = site.map(str::to_string);
        self.site_hash = site_hash(site);
        self.keys.clear();
        self.fingerprint = self.site_hash;
        self.open = true;
    }

    fn line(&mut self, raw: &[u8]) {
        let raw = raw.strip_suffix(b"\r").unwrap_or(raw);
        let Ok(text) = std::str::from_utf8(raw) else {
            self.lines_skipped += 1;
            self.fingerprint = mix(self.fingerprint.rotate_left(7) ^ hash_bytes(0, raw));
            return;
        };
        line::normalise(text, &mut self.norm);
        if self.norm.is_empty() {
            return;
        }
        let line_hash = hash_bytes(LINE_SEED, self.norm.as_bytes());
        self.fingerprint = mix(self.fingerprint.rotate_left(7) ^ line_hash);
        if text.len() > self.cfg.max_chars && text.chars().count() > self.cfg.max_chars {
            self.lines_skipped += 1;
            return;
        }
        if self.keys.len() >= MAX_DOC_LINES {
            self.lines_skipped += 1;
            return;
        }
        let key = mix(self.site_hash.wrapping_mul(0x9E37_79B9_7F4A_7C15) ^ line_hash);
        self.keys.push((key, line_hash));
        if let Stage::Exact(s) = &mut self.stage
            && let Some(c) = s.cands.get_mut(&key)
            && c.example.is_none()
            && c.docs + 1 >= self.cfg.min_docs
        {
            c.example = Some(text.trim_matches(crate::keys::is_blank).to_string());
        }
    }

    fn end(&mut self) {
        if !self.open {
            return;
        }
        self.open = false;
        if self.fingerprint == self.site_hash {
            return; // no words at all: not a document worth counting
        }
        if self
            .docs_seen
            .check_and_set(mix(self.fingerprint ^ self.site_hash))
        {
            self.duplicates += 1;
            return;
        }
        self.documents += 1;
        if self.site.is_none() {
            self.without_site += 1;
        }
        self.keys.sort_unstable();
        match &mut self.stage {
            Stage::Candidates(f) => {
                self.keys.dedup_by_key(|k| k.0);
                for &(key, line) in &self.keys {
                    if !f.seen.check_and_set(key) {
                        continue;
                    }
                    f.table.add(key);
                    if f.table.count(key) > 0 {
                        f.sites.insert(key, (self.site_hash, line));
                    }
                }
                if f.sites.len() > 2 * f.table.len() + 1024 {
                    let table = &f.table;
                    f.sites.retain(|k, _| table.count(*k) > 0);
                }
            }
            Stage::Exact(s) => {
                if let Some(info) = s.sites.get_mut(&self.site_hash) {
                    info.docs += 1;
                    if info.name.is_none() {
                        info.name.clone_from(&self.site);
                    }
                }
                for run in self.keys.chunk_by(|a, b| a.0 == b.0) {
                    let (key, line) = run[0];
                    if let Some(c) = s.cands.get_mut(&key) {
                        c.docs += 1;
                        c.lines += run.len() as u64;
                    }
                    if let Some(v) = s.line_sites.get_mut(&line)
                        && v.len() < self.cfg.max_sites
                        && !v.contains(&self.site_hash)
                    {
                        v.push(self.site_hash);
                    }
                }
            }
        }
    }
}

fn read_all(
    inputs: &[Input],
    open: &Opener<'_>,
    cfg: &LearnConfig,
    pass: &mut Pass<'_>,
    stats: &mut LearnStats,
) -> Result<()> {
    for input in inputs {
        let r = open(input).map_err(|e| Error::io(input.name.clone(), e))?;
        let mut r = BufReader::with_capacity(256 << 10, r);
        match input.format {
            Format::Jsonl => read_jsonl(&input.name, &mut r, cfg, pass, stats)?,
            Format::Text => read_text(&input.name, &mut r, cfg, pass)?,
        }
    }
    stats.documents = pass.documents;
    stats.duplicates = pass.duplicates;
    stats.without_site = pass.without_site;
    stats.lines_skipped = pass.lines_skipped;
    Ok(())
}

/// Reads the next line into `buf` (cleared), without its terminator, keeping at most `cap`
/// bytes. A line ends at `\n`, or also at a NUL when `nul` (so a NUL after an over-long line is
/// still seen). Returns `None` at the end, else whether the line was longer than `cap` and
/// whether a NUL ended it.
fn read_line_capped(
    r: &mut impl BufRead,
    buf: &mut Vec<u8>,
    cap: usize,
    nul: bool,
) -> io::Result<Option<(bool, bool)>> {
    buf.clear();
    let mut any = false;
    let mut over = false;
    loop {
        let chunk = match r.fill_buf() {
            Ok(c) => c,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => continue,
            Err(e) => return Err(e),
        };
        if chunk.is_empty() {
            return Ok(any.then_some((over, false)));
        }
        any = true;
        let end = if nul {
            memchr::memchr2(b'\n', 0, chunk)
        } else {
            memchr::memchr(b'\n', chunk)
        };
        let (take, term) = match end {
            Some(i) => (i, Some(chunk[i])),
            None => (chunk.len(), None),
        };
        let room = cap.saturating_sub(buf.len());
        if take > room {
            over = true;
        }
        buf.extend_from_slice(&chunk[..take.min(room)]);
        r.consume(take + usize::from(term.is_some()));
        if let Some(t) = term {
            return Ok(Some((over, t == 0)));
        }
    }
}

fn read_jsonl(
    name: &str,
    r: &mut impl BufRead,
    cfg: &LearnConfig,
    pass: &mut Pass<'_>,
    stats: &mut LearnStats,
) -> Result<()> {
    let (mut buf, mut text, mut site_raw) = (Vec::new(), Vec::new(), Vec::new());
    let mut record = 0u64;
    while let Some((over, _)) =
        read_line_capped(r, &mut buf, cfg.max_record, false).map_err(|e| Error::io(name, e))?
    {
        record += 1;
        if over {
            stats.long_records += 1;
            continue;
        }
        let body = buf.strip_suffix(b"\r").unwrap_or(&buf);
        if body.iter().all(u8::is_ascii_whitespace) {
            continue;
        }
        // Validated and read as the filter reads records (`crate::jsonl`), so a record the
        // filter accepts (a lone surrogate escape, say) is learned from, not refused.
        serde_json::from_slice::<serde::de::IgnoredAny>(body)
            .map_err(|e| Error::other(format!("{name}: record {record}: not valid JSON: {e}")))?;
        let Some((ts, te)) = find_string_field(body, &cfg.field) else {
            stats.without_text += 1;
            continue;
        };
        text.clear();
        decode(&body[ts..te], &mut text);
        let site = find_string_field(body, &cfg.group_by).and_then(|(a, b)| {
            site_raw.clear();
            decode(&body[a..b], &mut site_raw);
            site_of(&String::from_utf8_lossy(&site_raw))
        });
        pass.begin(site.as_deref());
        for l in text.split(|&b| b == b'\n') {
            pass.line(l);
        }
        pass.end();
    }
    Ok(())
}

fn read_text(
    name: &str,
    r: &mut impl BufRead,
    cfg: &LearnConfig,
    pass: &mut Pass<'_>,
) -> Result<()> {
    let site = cfg.site.as_deref().and_then(site_of);
    let cap = cfg.max_chars.saturating_mul(4).max(64);
    let nul = matches!(cfg.framing, Framing::Nul);
    let mut buf = Vec::new();
    pass.begin(site.as_deref());
    while let Some((over, ends_doc)) =
        read_line_capped(r, &mut buf, cap, nul).map_err(|e| Error::io(name, e))?
    {
        let body = &buf[..];
        if let Framing::Separator(sep) = &cfg.framing
            && !over
            && body.strip_suffix(b"\r").unwrap_or(body) == &sep[..]
        {
            pass.end();
            pass.begin(site.as_deref());
            continue;
        }
        if over {
            // Longer than any learnable line: not learned from, but part of the document.
            pass.lines_skipped += 1;
            pass.fingerprint = mix(pass.fingerprint.rotate_left(7) ^ hash_bytes(1, body));
        } else if !(ends_doc && body.is_empty()) {
            pass.line(body);
        }
        if ends_doc {
            pass.end();
            pass.begin(site.as_deref());
        }
    }
    pass.end();
    Ok(())
}

/// The site a group-by value names, exactly as the filter finds a record's site
/// ([`crate::rules::url_host`]): the host of a URL (without `www.`, port or user, lower-cased),
/// a bare value taken the same way (up to a `/`, `?` or `#`); `None` when nothing is left.
pub fn site_of(value: &str) -> Option<String> {
    crate::rules::url_host(value)
}

/// True when `site` can stand in a `site=HOST` option: a host name (ASCII letters, digits,
/// `-` and `.`, not at either end) with at least one dot. Other groups (an outlet's name) give
/// rules without a scope.
pub fn is_host(site: &str) -> bool {
    site.contains('.')
        && !site.starts_with(['.', '-'])
        && !site.ends_with(['.', '-'])
        && site
            .bytes()
            .all(|b| b.is_ascii_alphanumeric() || b == b'-' || b == b'.')
}

/// Writes `learned` as a rules file (see the README's "Learning a site's chaff").
pub fn write_rules(learned: &Learned, cfg: &LearnConfig, w: &mut dyn Write) -> io::Result<()> {
    let s = &learned.stats;
    let rules = learned.lines.iter().filter(|l| l.held.is_none()).count();
    writeln!(
        w,
        "# Learned by `dechaff learn` from {}.",
        s.inputs.join(", ")
    )?;
    writeln!(
        w,
        "# {} documents learned from ({} of them without a site); {} exact duplicates not counted again.",
        s.documents, s.without_site, s.duplicates
    )?;
    if s.without_text + s.long_records + s.lines_skipped > 0 {
        writeln!(
            w,
            "# Not read: {} records without a text field, {} records over the size limit, {} lines (too long, not UTF-8, or past {} lines a document).",
            s.without_text, s.long_records, s.lines_skipped, MAX_DOC_LINES
        )?;
    }
    writeln!(
        w,
        "# A rule is a line found in at least {} documents of one site (case, digits, blanks and punctuation folded).",
        cfg.min_docs
    )?;
    writeln!(
        w,
        "# {} rules; {} recurring lines held back as comments, with the guard that held them: short, label, quote, repeated, syndicated, prose, nosite.",
        rules,
        learned.lines.len() - rules
    )?;
    let missed = if s.rounds == 0 {
        "no recurring line was missed".to_string()
    } else {
        format!(
            "lines in fewer than {} documents of a site may have been missed",
            s.rounds + 2
        )
    };
    writeln!(
        w,
        "# First pass: {} counters, {} occurrences counted, {} decrement rounds: {missed}.",
        s.capacity, s.counted, s.rounds
    )?;
    if !crate::rules::CORE_CATEGORIES.contains(&cfg.category.as_str()) {
        writeln!(w, "@category {}", cfg.category)?;
    }
    // Numbered per id slug, not per site: two sites can share a slug ("Gazette A", "gazette-a").
    let mut numbers: std::collections::HashMap<String, usize> = Default::default();
    let mut held_header = false;
    for l in &learned.lines {
        if l.held.is_some() && !held_header {
            held_header = true;
            writeln!(w)?;
            writeln!(
                w,
                "# ---- held back: review, and uncomment the ones that are chaff ----"
            )?;
        }
        let scope = match &l.site {
            Some(site) if cfg.scope_sites && is_host(site) => Some(site.as_str()),
            _ => None,
        };
        let slug = match &l.site {
            None => "any".to_string(),
            Some(site) => site
                .chars()
                .map(|c| {
                    if c.is_ascii_alphanumeric() || c == '.' || c == '-' {
                        c.to_ascii_lowercase()
                    } else {
                        '-'
                    }
                })
                .collect(),
        };
        let n = numbers.entry(slug.clone()).or_default();
        *n += 1;
        let mut comment = String::new();
        let whose = match &l.site {
            None => "documents without a site".to_string(),
            Some(site) => format!("documents of {site}"),
        };
        comment.push_str(&format!(
            "# {} of {} {whose} ({:.1}%)",
            l.docs,
            l.site_docs,
            100.0 * l.share()
        ));
        if l.sites_seen > 1 {
            let plus = if l.sites_seen >= cfg.max_sites {
                "+"
            } else {
                ""
            };
            comment.push_str(&format!("; in {}{plus} sites", l.sites_seen));
        }
        if let Some(g) = l.held {
            comment.push_str(&format!("; held back: {}", g.name()));
        }
        if l.site.is_some() && scope.is_none() {
            comment.push_str("; applies everywhere");
        }
        comment.push_str("; e.g. ");
        line::shorten(&l.example, 160, &mut comment);
        writeln!(w)?;
        writeln!(w, "{comment}")?;
        let text = line::pattern(&l.example);
        let opts = scope.map(|s| format!(",site={s}")).unwrap_or_default();
        writeln!(
            w,
            "{}{}.{slug}.{n} {} regex{opts} {text}",
            if l.held.is_some() { "#" } else { "" },
            cfg.prefix,
            cfg.category,
        )?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn sites_are_hosts_of_urls_or_values() {
        let s = |v: &str| site_of(v);
        assert_eq!(
            s("https://user@WWW.Example.com:8080/a?b#c").as_deref(),
            Some("example.com")
        );
        assert_eq!(
            s("http://news.example.org.").as_deref(),
            Some("news.example.org")
        );
        assert_eq!(s("http://[::1]:80/").as_deref(), Some("[::1]"));
        assert_eq!(s("example.com/a/b").as_deref(), Some("example.com"));
        assert_eq!(s(" Harbour Gazette ").as_deref(), Some("harbour gazette"));
        assert_eq!(s("  "), None);
        assert!(is_host("news.example.org") && !is_host("harbour gazette") && !is_host("local"));
        assert!(!is_host("a.example-") && !is_host("[::1]"));
    }

    #[test]
    fn learns_from_any_reader_and_reads_each_input_twice() {
        let mut shard = String::new();
        for i in 0..4 {
            let text = format!(
                "Story {} of the pier.\nJoin the Pier Club for weekly pier news\n",
                ["one", "two", "three", "four"][i]
            );
            shard += &(serde_json::json!({ "url": "https://pier.example.net/x", "text": text })
                .to_string()
                + "\n");
        }
        let opened = std::cell::Cell::new(0);
        let open = |_: &Input| -> io::Result<Box<dyn Read>> {
            opened.set(opened.get() + 1);
            Ok(Box::new(io::Cursor::new(shard.clone().into_bytes())))
        };
        let inputs = [Input {
            name: "mem".into(),
            format: Format::Jsonl,
        }];
        let l = learn(&inputs, &open, &LearnConfig::default()).unwrap();
        assert_eq!(opened.get(), 2);
        assert_eq!(l.lines.len(), 1);
        let line = &l.lines[0];
        assert_eq!(line.site.as_deref(), Some("pier.example.net"));
        assert_eq!((line.docs, line.site_docs, line.lines), (4, 4, 4));
        assert_eq!(line.example, "Join the Pier Club for weekly pier news");
        assert_eq!(line.held, None);
        assert_eq!(l.stats.documents, 4);
        let mut out = Vec::new();
        write_rules(&l, &LearnConfig::default(), &mut out).unwrap();
        let out = String::from_utf8(out).unwrap();
        // the written file parses as rules
        let mut cats = Vec::new();
        let text = out.replace(",site=pier.example.net", "");
        let specs = crate::rules::parse_rules("learned.rules", &text, &mut cats).unwrap();
        assert_eq!(specs.len(), 1);
        assert_eq!(specs[0].id, "learned.pier.example.net.1");
    }
}
