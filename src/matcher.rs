//! Compiled rules: the bytes of a line (or a chunk of whole lines) in, verdicts out.
//!
//! # Design
//!
//! Rules are sorted by *where* their text must stand, because that decides how cheaply a line
//! can be cleared:
//!
//! - **line-start patterns**: `line` and `prefix` literals, and the keys of regexes anchored
//!   with `^` (see `keys.rs`). They go into one anchored automaton that is stepped from the
//!   first non-blank byte of each line and stops at its dead state, usually after a byte or
//!   two: a DFA when it runs on every line, a plain trie when the keys are folded (below).
//! - **line-end patterns**: `suffix` literals and keys of regexes anchored with `$`, reversed,
//!   in a second anchored automaton of the same kind, stepped backwards from the last non-blank
//!   byte.
//! - **floating patterns**: `contains` literals and the other regex keys, in one unanchored
//!   Aho-Corasick automaton run once over the whole chunk.
//!
//! When the lockstep DFA can hold them, the line-start and line-end keys are also put into it,
//! as `\n` + key and key + line break (see `Fold`). [`Matcher::scan`] then needs no per-line
//! work at all: it visits only lines where the one pass found something (or whose edges are
//! blank, where the edge automata decide as before).
//!
//! All three fold ASCII case. Only lines where some pattern was found ("candidate lines") are
//! looked at again: there anchors, case, length guards and regexes are checked. Cost per line is
//! thus a newline search plus a few DFA steps, whatever the number of rules. A regex with no
//! usable key is the one exception: it runs on every line.
//!
//! Non-ASCII case-insensitive literals are inserted in their common casings (as written,
//! lowercase, UPPERCASE, Capitalised, Title Case) because the automata only fold ASCII; regexes
//! get full Unicode case folding from the regex crate, and their keys every case variant.
//!
//! The matcher does no I/O and, once its [`Scratch`] has warmed up, no allocation per line.
//!
//! Rules scoped to part of a document (`head=`, `tail=`) or to a site (`site=`) are checked
//! like the length guards, on candidate lines only, against the [`Scope`] held in the
//! [`Scratch`]: the document pass ([`crate::document`]) sets it, and its default (no site, no
//! position) keeps every scoped rule out, so the plain line path never applies one. `cut` rules
//! are compiled first, so that on a line both a cut and a drop rule match, the cut wins.

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::nfa::contiguous;
use aho_corasick::{AhoCorasick, AhoCorasickKind, Anchored, MatchKind, StartKind, dfa};
use memchr::{memchr, memrchr};
use std::ops::Range;
use std::sync::OnceLock;

use regex::bytes::{CaptureLocations, Regex, RegexBuilder};
use regex_automata::Input;
use regex_automata::hybrid;
use regex_automata::nfa::thompson::{backtrack, pikevm};
use regex_automata::util::pool::Pool;
use regex_syntax::hir::{Hir, Look};

use crate::error::{Error, Result};
use crate::keys::{self, Place};
use crate::rules::{Action, Kind, Origin, RuleSpec};

/// Above this many bytes of patterns an automaton is built as an NFA rather than a DFA, to keep
/// memory bounded for very large user rule lists (a DFA costs a transition table per state).
const DFA_PATTERN_BYTES: usize = 256 * 1024;

/// The lazy DFA cache of each regex. Regexes only verify candidate lines, so a small cache
/// costs little time and keeps memory bounded with hundreds of rules.
const REGEX_CACHE_BYTES: usize = 128 * 1024;

/// Edge automata hold at most this many bytes of each pattern. They are prefilters: a hit is
/// confirmed against the whole literal (or by the regex), so short keys only cost a compare on
/// the few lines that share them, while the automaton stays small and shallow.
const EDGE_KEY_BYTES: usize = 8;

/// The bytes of `pattern` an automaton holds for `place`: the first [`EDGE_KEY_BYTES`] at line
/// starts, the last ones (reversed) at line ends, all of it anywhere.
fn edge_key(pattern: &[u8], place: Place) -> Vec<u8> {
    match place {
        Place::Start => pattern[..pattern.len().min(EDGE_KEY_BYTES)].to_vec(),
        Place::End => pattern[pattern.len().saturating_sub(EDGE_KEY_BYTES)..]
            .iter()
            .rev()
            .copied()
            .collect(),
        Place::Floating => pattern.to_vec(),
    }
}

impl Rule {
    fn form_eq(&self, a: &[u8], b: &[u8]) -> bool {
        if self.case_sensitive {
            a == b
        } else {
            a.eq_ignore_ascii_case(b)
        }
    }

    /// The length of a form of this literal that starts the line at `ts` (and, for `line`
    /// rules, ends it at `te`).
    fn form_at_start(&self, line: &[u8], ts: usize, te: usize) -> Option<usize> {
        let rest = &line[ts..];
        self.forms
            .iter()
            .map(Vec::len)
            .zip(&self.forms)
            .find_map(|(n, f)| {
                let fits = rest.len() >= n && self.form_eq(&rest[..n], f);
                (fits && (self.kind != Kind::Line || ts + n == te)).then_some(n)
            })
    }

    /// The length of a form of this literal that ends the line at `te`.
    fn form_at_end(&self, line: &[u8], te: usize) -> Option<usize> {
        let head = &line[..te];
        self.forms.iter().find_map(|f| {
            let n = f.len();
            (head.len() >= n && self.form_eq(&head[te - n..], f)).then_some(n)
        })
    }
}

/// Sources of built-in rules start with this (`<builtin:en>`).
const BUILTIN_PREFIX: &str = "<builtin:";

/// Most NFA bytes a drop rule's regex may compile to: the limit `regex` and
/// `regex_automata::meta` apply by default (10 MiB), so a too-large pattern fails as it did.
const NFA_SIZE_LIMIT: usize = 10 << 20;

/// Lines up to this many bytes are tested by the bounded backtracker first (when its bitmap
/// of visited states covers them), longer ones by the lazy DFA; warm small regexes try the
/// lazy DFA first whatever the length (see [`DFA_FIRST_STATES`]). Each regex meets only a few
/// candidate lines, so the lazy DFA rarely earns back the states it builds: on 20 MB of
/// English and 15 MB of other languages this order cost 6% and 2% fewer instructions than
/// the lazy DFA first (callgrind, BENCHMARKS.md "Round 5").
const BACKTRACK_BYTES: usize = 256;

/// A regex whose NFA has at most this many states goes to the lazy DFA first once it has
/// verified [`WARM_CALLS`] lines with one cache (in effect, one per thread): such a DFA soon
/// holds the states its lines need, and then decides a line in a step per byte, where the
/// backtracker visits every (state, position) pair it can reach and first clears a bit per
/// pair. Larger NFAs (`.{0,160}`
/// between words, say) keep building new DFA states for each line they meet, so they stay
/// with the backtracker. With the packs on 200 MB this cut the run's instructions by 5%
/// (callgrind, 2,447 -> 2,318 M; 20 MB: 438.0 -> 432.5 M), where the lazy DFA first for
/// every regex had cost more on 20 MB than it saved on 200 (BENCHMARKS.md Round 10).
const DFA_FIRST_STATES: usize = 400;

/// Lines a small regex verifies with one cache before it goes to the lazy DFA first (see
/// [`DFA_FIRST_STATES`]): most regexes meet only a few lines, too few to pay for the DFA states
/// they would build.
const WARM_CALLS: u32 = 100;

/// A regex compiled on first use.
///
/// Drop rules only ask "does the line match", so their regex is compiled without capture groups,
/// leftmost-first like `regex`, and forward only (see [`Tester`]): fewer NFA states to compile and
/// less memory per regex and per thread's cache (see BENCHMARKS.md, rounds 2 and 5). Strip rules
/// need the span of a group and get a [`Regex`].
struct LazyRegex {
    pattern: String,
    case_insensitive: bool,
    captures: bool,
    regex: OnceLock<Compiled>,
}

enum Compiled {
    /// Match or not (drop rules).
    Test(Box<Tester>),
    /// Match or not for a regex anchored at the line end only (drop rules): `meta` searches it
    /// backwards from the end, which needs a reverse NFA but stops after a few bytes.
    TestFromEnd(regex_automata::meta::Regex),
    /// Spans and groups (strip rules).
    Spans(Regex),
}

impl Compiled {
    fn is_match(&self, line: &[u8]) -> bool {
        match self {
            Compiled::Test(t) => t.is_match(line),
            Compiled::TestFromEnd(re) => re.is_match(line),
            Compiled::Spans(re) => re.is_match(line),
        }
    }

    /// As [`Compiled::is_match`], with the lazy DFA first or not (see [`Tester::is_match_in`]).
    #[cfg(test)]
    fn is_match_in(&self, line: &[u8], dfa_first: bool) -> bool {
        match self {
            Compiled::Test(t) => t.is_match_in(line, Some(dfa_first)),
            other => other.is_match(line),
        }
    }

    fn spans(&self) -> Option<&Regex> {
        match self {
            Compiled::Spans(re) => Some(re),
            _ => None,
        }
    }
}

/// "Does the line match" with forward engines only.
///
/// `regex_automata::meta` (what `regex` runs) also compiles every regex a second time, as a
/// reverse NFA, for its lazy DFA to find where a match starts; an is-match search never asks
/// that. The reverse NFA was about 40% of the cost of compiling the packs' regexes (callgrind,
/// BENCHMARKS.md "Round 5"), and compilation is a fixed cost that no thread count shortens.
/// The engines are meta's, tried in another order: the bounded backtracker on short lines (see
/// [`BACKTRACK_BYTES`]), the lazy DFA on longer ones, and the PikeVM when the lazy DFA gives
/// up (a Unicode `\b` met a non-ASCII byte, or its cache thrashes). A small regex that has
/// met many lines tries the lazy DFA before the backtracker (see [`DFA_FIRST_STATES`]). Every
/// engine decides the same language, so only the cost differs.
struct Tester {
    /// `None` when the lazy DFA cannot be built (its cache cannot hold this NFA's minimum).
    dfa: Option<hybrid::dfa::DFA>,
    backtrack: backtrack::BoundedBacktracker,
    pikevm: pikevm::PikeVM,
    /// Lines shorter than this cannot match.
    min_len: usize,
    /// Lines longer than this cannot match (regexes anchored at both ends).
    max_len: usize,
    /// The NFA is small enough for the lazy DFA first once warm (see [`DFA_FIRST_STATES`]).
    small: bool,
    pool: Pool<TesterCache, CacheFn>,
}

/// Builds a [`TesterCache`] for a thread that has none.
type CacheFn = Box<dyn Fn() -> TesterCache + Send + Sync>;

/// One thread's mutable search state for a [`Tester`].
struct TesterCache {
    dfa: Option<hybrid::dfa::Cache>,
    backtrack: backtrack::Cache,
    /// Made on first use: the PikeVM's cache is sized by the NFA and rarely needed.
    pikevm: Option<pikevm::Cache>,
    /// Lines verified with this cache, counted up to [`WARM_CALLS`] and only for small
    /// regexes (see [`DFA_FIRST_STATES`]).
    calls: u32,
}

impl Tester {
    /// `None` when the NFA exceeds its size limit.
    fn new(hir: &Hir) -> Option<Tester> {
        let nfa = NFA_COMPILER.with(|c| c.build_from_hir(hir).ok())?;
        // `meta`'s lazy DFA settings, less its reverse half.
        let dfa = hybrid::dfa::Builder::new()
            .configure(
                hybrid::dfa::Config::new()
                    .unicode_word_boundary(true)
                    .cache_capacity(REGEX_CACHE_BYTES)
                    .skip_cache_capacity_check(false)
                    .minimum_cache_clear_count(Some(3))
                    .minimum_bytes_per_state(Some(10)),
            )
            .build_from_nfa(nfa.clone())
            .ok();
        let small = nfa.states().len() <= DFA_FIRST_STATES && dfa.is_some();
        let backtrack = backtrack::BoundedBacktracker::new_from_nfa(nfa.clone()).ok()?;
        let pikevm = pikevm::PikeVM::new_from_nfa(nfa).ok()?;
        let props = hir.properties();
        let both_ends = props.look_set_prefix().contains(Look::Start)
            && props.look_set_suffix().contains(Look::End);
        let max_len = props
            .maximum_len()
            .filter(|_| both_ends)
            .unwrap_or(usize::MAX);
        let (d, b) = (dfa.clone(), backtrack.clone());
        let create: CacheFn = Box::new(move || TesterCache {
            dfa: d.as_ref().map(hybrid::dfa::DFA::create_cache),
            backtrack: b.create_cache(),
            pikevm: None,
            calls: 0,
        });
        Some(Tester {
            dfa,
            backtrack,
            pikevm,
            min_len: props.minimum_len().unwrap_or(usize::MAX),
            max_len,
            small,
            pool: Pool::new(create),
        })
    }

    fn is_match(&self, line: &[u8]) -> bool {
        self.is_match_in(line, None)
    }

    /// As [`Tester::is_match`], with the lazy DFA first or not as `dfa_first` says (tests try
    /// both orders on every line), or as the regex's size and use decide when it is `None`.
    fn is_match_in(&self, line: &[u8], dfa_first: Option<bool>) -> bool {
        // What `meta` rules out before it searches; the anchors it checks there need a search
        // that starts or ends inside the haystack, which this one never does.
        if line.len() < self.min_len || line.len() > self.max_len {
            return false;
        }
        let input = Input::new(line).earliest(true);
        let mut cache = self.pool.get();
        let cache = &mut *cache;
        let dfa_first = dfa_first.unwrap_or_else(|| {
            let warm = cache.calls >= WARM_CALLS;
            if self.small && !warm {
                cache.calls += 1;
            }
            self.small && warm
        });
        // The lazy DFA quits on a non-ASCII byte when the regex has a Unicode `\b`: a short
        // line then goes to the backtracker, as before, not straight to the slower PikeVM.
        let mut lazy_dfa = || match (&self.dfa, cache.dfa.as_mut()) {
            (Some(dfa), Some(c)) => dfa.try_search_fwd(c, &input).ok().map(|m| m.is_some()),
            _ => None,
        };
        if dfa_first && let Some(hit) = lazy_dfa() {
            return hit;
        }
        if line.len() <= BACKTRACK_BYTES
            && line.len() < self.backtrack.max_haystack_len()
            && let Ok(hit) = self
                .backtrack
                .try_is_match(&mut cache.backtrack, input.clone())
        {
            return hit;
        }
        if !dfa_first && let Some(hit) = lazy_dfa() {
            return hit;
        }
        let c = cache
            .pikevm
            .get_or_insert_with(|| self.pikevm.create_cache());
        self.pikevm.is_match(c, input)
    }
}

thread_local! {
    /// The forward NFA compiler, kept per thread: each new one allocates (and, dropped, frees)
    /// a 10,000-entry cache of UTF-8 suffixes, a sixth of the cost of compiling a pack regex
    /// (callgrind). It clears its state before each regex.
    static NFA_COMPILER: regex_automata::nfa::thompson::Compiler = {
        use regex_automata::nfa::thompson::{self, WhichCaptures};
        // The forward NFA as `meta` builds it for `regex::bytes` (empty matches may split a
        // UTF-8 sequence; `$` is the end of the line).
        let mut c = thompson::Compiler::new();
        c.configure(
            thompson::Config::new()
                .utf8(false)
                .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                .shrink(false)
                .which_captures(WhichCaptures::None),
        );
        c
    };
}

impl LazyRegex {
    fn new(pattern: &str, case_insensitive: bool, captures: bool) -> LazyRegex {
        LazyRegex {
            pattern: pattern.to_string(),
            case_insensitive,
            captures,
            regex: OnceLock::new(),
        }
    }

    fn build(&self) -> std::result::Result<Compiled, regex::Error> {
        let full = || {
            RegexBuilder::new(&self.pattern)
                .case_insensitive(self.case_insensitive)
                .dfa_size_limit(REGEX_CACHE_BYTES)
                .build()
        };
        if self.captures {
            return Ok(Compiled::Spans(full()?));
        }
        // Parsed again rather than kept from the key search: keeping the packs' syntax trees
        // saved 51 M instructions on 20 MB of English but held 7 MB more from the start and
        // made start-up slower (BENCHMARKS.md "Round 5").
        let Ok(hir) = keys::parse(&self.pattern, self.case_insensitive) else {
            // The error message `regex` gives (the same pattern fails there too).
            return full().map(Compiled::Spans);
        };
        let props = hir.properties();
        let built = if props.look_set_suffix().contains(Look::End)
            && !props.look_set_prefix().contains(Look::Start)
        {
            use regex_automata::{meta, nfa::thompson::WhichCaptures};
            meta::Builder::new()
                .configure(
                    meta::Config::new()
                        .nfa_size_limit(Some(NFA_SIZE_LIMIT))
                        .hybrid_cache_capacity(REGEX_CACHE_BYTES)
                        .utf8_empty(false)
                        .which_captures(WhichCaptures::None)
                        // The one-pass DFA serves only anchored searches that the lazy DFA
                        // gave up on; building it for every `^` regex cost more than it saved
                        // (callgrind, BENCHMARKS.md "Round 2").
                        .onepass(false)
                        // Only lines where a key was found are tested, so a prefilter would
                        // rarely skip anything, and choosing one (literal extraction and
                        // optimisation) was a fifth of the start-up cost of a 124-regex list.
                        .auto_prefilter(false),
                )
                .build_from_hir(&hir)
                .map(Compiled::TestFromEnd)
                .ok()
        } else {
            Tester::new(&hir).map(|t| Compiled::Test(Box::new(t)))
        };
        // On failure (too large), the error `regex` gives for the same pattern.
        built.map_or_else(|| full().map(Compiled::Spans), Ok)
    }

    fn get_or_try(&self) -> std::result::Result<&Compiled, regex::Error> {
        if let Some(r) = self.regex.get() {
            return Ok(r);
        }
        let r = self.build()?;
        Ok(self.regex.get_or_init(|| r))
    }

    fn get(&self) -> &Compiled {
        // Built-in patterns are compiled by `Matcher::compile_all` in the tests; user patterns
        // were compiled in `Matcher::new`.
        self.regex
            .get_or_init(|| self.build().expect("built-in regex compiles (tested)"))
    }
}

fn compile_error(s: &RuleSpec, e: &regex::Error) -> Error {
    let message = match e {
        regex::Error::CompiledTooBig(limit) => format!(
            "rule '{}': regex too large: compiled, it exceeds the regex crate's limit of {} \
             (bound its repetitions, or split it into several rules)",
            s.id,
            if limit % (1 << 20) == 0 {
                format!("{} MiB", limit >> 20)
            } else {
                format!("{limit} bytes")
            }
        ),
        _ => format!(
            "rule '{}': invalid regex: {}",
            s.id,
            one_line(&e.to_string())
        ),
    };
    Error::rule(s.origin.to_string(), message)
}

/// An anchored automaton stepped over the edge of each line (the aho-corasick ones with their
/// anchored start state).
enum EdgeAutomaton {
    Dfa(dfa::DFA, StateID),
    Nfa(contiguous::NFA, StateID),
    Trie(EdgeTrie),
}

/// The edge keys in a plain trie over ASCII-lowercased bytes, for edges folded into the one
/// pass: they are then only stepped on lines with a blank edge (a few steps each), so the
/// cheapest build wins.
struct EdgeTrie(crate::lockstep::Trie);

impl EdgeTrie {
    fn new(patterns: &[Vec<u8>]) -> Result<EdgeTrie> {
        let mut t = crate::lockstep::Trie::new();
        for (i, p) in patterns.iter().enumerate() {
            t.insert(i as u32, p.iter().map(u8::to_ascii_lowercase))
                .ok_or_else(|| Error::other("too many rule patterns"))?;
        }
        Ok(EdgeTrie(t))
    }

    /// Reports `(pattern, bytes consumed)` for every key that `bytes` starts with, shortest
    /// first.
    fn run(&self, bytes: impl Iterator<Item = u8>, base: u32, found: &mut impl FnMut(u32, usize)) {
        let mut sid = 0usize;
        for (i, b) in bytes.enumerate() {
            match self.0.child(sid, b.to_ascii_lowercase()) {
                Some(c) => sid = c as usize,
                None => return,
            }
            for &p in self.0.own(sid) {
                found(base + p, i + 1);
            }
        }
    }
}

struct Edge {
    automaton: EdgeAutomaton,
    /// Global id of this automaton's pattern 0.
    base: u32,
}

impl Edge {
    /// `every_line`: the automaton will be stepped on every line, so it is worth a DFA (when
    /// the patterns are not too large). With the edges folded into the one pass it only runs
    /// on lines with a blank edge and an unterminated last line, and a plain trie
    /// ([`EdgeTrie`]), which costs a fraction of the DFA to build, is enough (start-up with the
    /// packs: 100.8 -> 73.3 M instructions with aho-corasick's NFA, 26.9 M with the trie;
    /// BENCHMARKS.md Round 8).
    fn build(patterns: &[Vec<u8>], base: usize, every_line: bool) -> Result<Option<Edge>> {
        if patterns.is_empty() {
            return Ok(None);
        }
        let base = base as u32;
        if !every_line {
            let automaton = EdgeAutomaton::Trie(EdgeTrie::new(patterns)?);
            return Ok(Some(Edge { automaton, base }));
        }
        let err = |e: aho_corasick::BuildError| {
            Error::other(format!("cannot build the rule automaton: {e}"))
        };
        let no_start = |e: aho_corasick::MatchError| {
            Error::other(format!("cannot start the rule automaton: {e}"))
        };
        let bytes: usize = patterns.iter().map(Vec::len).sum();
        let automaton = if bytes <= DFA_PATTERN_BYTES {
            let a = dfa::Builder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .start_kind(StartKind::Anchored)
                .prefilter(false)
                .build(patterns)
                .map_err(err)?;
            let start = a.start_state(Anchored::Yes).map_err(no_start)?;
            EdgeAutomaton::Dfa(a, start)
        } else {
            let a = contiguous::Builder::new()
                .ascii_case_insensitive(true)
                .match_kind(MatchKind::Standard)
                .prefilter(false)
                .build(patterns)
                .map_err(err)?;
            let start = a.start_state(Anchored::Yes).map_err(no_start)?;
            EdgeAutomaton::Nfa(a, start)
        };
        Ok(Some(Edge { automaton, base }))
    }

    /// Steps the automaton over `bytes` and reports `(global pattern, bytes consumed)` for every
    /// match, stopping at the dead state.
    #[inline]
    fn run(&self, bytes: impl Iterator<Item = u8>, mut found: impl FnMut(u32, usize)) {
        match &self.automaton {
            EdgeAutomaton::Dfa(a, start) => step(a, *start, self.base, bytes, &mut found),
            EdgeAutomaton::Nfa(a, start) => step(a, *start, self.base, bytes, &mut found),
            EdgeAutomaton::Trie(t) => t.run(bytes, self.base, &mut found),
        }
    }
}

#[inline(always)]
fn step<A: Automaton>(
    a: &A,
    start: StateID,
    base: u32,
    bytes: impl Iterator<Item = u8>,
    found: &mut impl FnMut(u32, usize),
) {
    let mut sid = start;
    for (i, b) in bytes.enumerate() {
        sid = a.next_state(Anchored::Yes, sid, b);
        if a.is_special(sid) {
            if a.is_dead(sid) {
                return;
            }
            if a.is_match(sid) {
                for k in 0..a.match_len(sid) {
                    found(base + a.match_pattern(sid, k).as_u32(), i + 1);
                }
            }
        }
    }
}

/// A rule's index in its [`Matcher`]; lower indices win when several rules match a line.
pub type RuleId = usize;

/// A compiled rule's public facts, for reports and explanations.
#[derive(Debug, Clone)]
pub struct RuleInfo {
    /// The rule's id.
    pub id: String,
    /// Its category.
    pub category: String,
    /// Its match kind.
    pub kind: Kind,
    /// Drop or strip.
    pub action: Action,
    /// Where it was defined.
    pub origin: Origin,
    /// False for a regex that has no required literal and so runs on every line.
    pub keyed: bool,
    /// Where the rule's patterns are looked for: `start`, `end`, `anywhere` or `every-line`.
    pub place: &'static str,
    /// `head=N`: only the first N lines of a document.
    pub head: Option<usize>,
    /// `tail=N`: only the last N lines of a document.
    pub tail: Option<usize>,
    /// `cut`: the line and the rest of its document are dropped.
    pub cut: bool,
    /// `before=N`: the line and the N non-blank lines before it in its document are dropped.
    pub before: Option<usize>,
    /// `between=N`: a pair of matched lines takes the at most N non-blank lines between them.
    pub between: Option<usize>,
    /// `footnote`: the markers the dropped footnote explains are stripped from its document.
    pub footnote: bool,
    /// `site=HOST`: only documents of this site.
    pub site: Option<String>,
    /// True when the rule needs whole documents ([`RuleSpec::is_document_rule`]).
    pub document: bool,
}

struct Rule {
    kind: Kind,
    action: Action,
    case_sensitive: bool,
    max_chars: Option<usize>,
    max_words: Option<usize>,
    /// The literal as written, for the exact comparison of case-sensitive rules.
    literal: Vec<u8>,
    /// The literal's forms (casings) as inserted: edge automata only hold their first (or last)
    /// [`EDGE_KEY_BYTES`] bytes, so a hit is confirmed against these.
    forms: Vec<Vec<u8>>,
    /// Index of this rule's regex in [`Matcher::regexes`] (shared by rules with the same one).
    regex: Option<u32>,
    /// The regex's other key set (see `keys::regex_keys_and_more`), ASCII-lowercased: one of
    /// them occurs in the ASCII-lowercased line, or the regex cannot match. Empty: no such set.
    also: Vec<memchr::memmem::Finder<'static>>,
    /// Index of this rule's capture-location slot, for strip regexes.
    locs_slot: usize,
    /// True when `head`, `tail` or `site` is set: the [`Scope`] must be checked.
    scoped: bool,
    head: Option<usize>,
    tail: Option<usize>,
    site: Option<Box<str>>,
}

/// Where the line being judged stands: its 0-based index from the start of its document and
/// from the end, and the document's site. Rules with `head=`, `tail=` or `site=` apply only
/// when it says so; the default (no position, no site) keeps all of them out.
#[derive(Debug, Clone)]
pub struct Scope {
    from_start: usize,
    from_end: usize,
    site: Option<String>,
}

impl Default for Scope {
    fn default() -> Scope {
        Scope {
            from_start: usize::MAX,
            from_end: usize::MAX,
            site: None,
        }
    }
}

impl Scope {
    #[inline]
    fn allows(&self, rule: &Rule) -> bool {
        rule.head.is_none_or(|n| self.from_start < n)
            && rule.tail.is_none_or(|n| self.from_end < n)
            && rule.site.as_deref().is_none_or(|h| {
                self.site
                    .as_deref()
                    .is_some_and(|s| crate::rules::site_matches(s, h))
            })
    }
}

#[derive(Clone, Copy)]
enum Target {
    Literal(u32),
    Key(u32),
}

/// What the matcher decided for one line.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Verdict {
    /// No rule applies: the line is written back unchanged.
    Keep,
    /// The line is removed because of this rule.
    Drop(RuleId),
    /// Spans were stripped; the new content (without terminator) is in
    /// [`Scratch::stripped`] and the spans with their rules in [`Scratch::spans`].
    Strip,
}

/// A span removed from a line by a strip rule, as byte offsets into the line's content.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Span {
    /// First byte removed.
    pub start: usize,
    /// One past the last byte removed.
    pub end: usize,
    /// The rule that removed it.
    pub rule: RuleId,
}

/// Reusable working memory for matching; one per thread.
#[derive(Default)]
pub struct Scratch {
    hits: Vec<(u32, usize, usize)>,
    floating: Vec<(u32, usize, usize)>,
    pending: Vec<u32>,
    stamp: Vec<u32>,
    epoch: u32,
    /// Per shared regex: the `epoch` it last ran in, and whether it matched then.
    re_epoch: Vec<u32>,
    re_hit: Vec<bool>,
    /// The line ASCII-lowercased, for `Rule::also`, as of `lower_epoch`.
    lower: Vec<u8>,
    lower_epoch: u32,
    spans: Vec<Span>,
    stripped: Vec<u8>,
    acc_spans: Vec<Span>,
    acc_text: Vec<u8>,
    locs: Vec<Option<CaptureLocations>>,
    scope: Scope,
}

impl Scratch {
    /// A fresh scratch space.
    pub fn new() -> Scratch {
        Scratch::default()
    }

    /// Sets the site (a lowercase host) that `site=` rules are checked against; `None` keeps
    /// them all out.
    pub fn set_site(&mut self, site: Option<&str>) {
        match (site, &mut self.scope.site) {
            // Reuses the buffer: JSON Lines sets a site per record.
            (Some(s), Some(buf)) => {
                buf.clear();
                buf.push_str(s);
            }
            (s, slot) => *slot = s.map(str::to_string),
        }
    }

    /// The site set with [`Scratch::set_site`].
    pub fn site(&self) -> Option<&str> {
        self.scope.site.as_deref()
    }

    /// Sets the position of the next lines judged: `from_start` lines before them and
    /// `from_end` after them in their document, for `head=` and `tail=` rules.
    pub fn set_position(&mut self, from_start: usize, from_end: usize) {
        self.scope.from_start = from_start;
        self.scope.from_end = from_end;
    }

    /// Puts the next lines outside every zone, so `head=` and `tail=` rules do not apply.
    pub fn clear_position(&mut self) {
        self.set_position(usize::MAX, usize::MAX);
    }

    /// After a [`Verdict::Strip`], the line's content with the spans removed.
    pub fn stripped(&self) -> &[u8] {
        &self.stripped
    }

    /// After a [`Verdict::Strip`], the removed spans, sorted and merged.
    pub fn spans(&self) -> &[Span] {
        &self.spans
    }
}

/// A compiled rule set. Build it once with [`Matcher::new`]; it is immutable and `Sync`, so
/// threads share one.
pub struct Matcher {
    rules: Vec<Rule>,
    infos: Vec<RuleInfo>,
    starts: Option<Edge>,
    ends: Option<Edge>,
    /// Floating patterns: searched with walks in lockstep when that can be built, else with
    /// Aho-Corasick (very large pattern sets, where only an NFA keeps memory bounded).
    lockstep: Option<crate::lockstep::Lockstep>,
    floating: Option<AhoCorasick>,
    floating_base: u32,
    /// The line-edge patterns again, inside the lockstep DFA, when they could be put there.
    fold: Option<Fold>,
    /// Per global pattern id: the rule it stands for.
    targets: Vec<Target>,
    /// Per global pattern id: its length in bytes.
    pat_len: Vec<usize>,
    unkeyed: Vec<u32>,
    /// The rules' regexes, one per distinct pattern, case and capture need.
    regexes: Vec<LazyRegex>,
    strip_regexes: usize,
    /// What the rules need of documents, worked out once from `infos`.
    zones: crate::document::Zones,
}

/// Line-start and line-end patterns folded into the floating DFA, so that [`Matcher::scan`]
/// only visits the lines where some pattern was found.
///
/// A line-start key `k` is searched as `\n` + `k`, a line-end key as `k` + `\n` and `k` +
/// `\r\n`; the chunk is read as if a `\n` stood before it ([`crate::lockstep`]). That finds a
/// key at the very start or end of a line's content, while the edge automata look from the
/// first and last non-blank byte. So a *mark* is searched too: `\n` + each blank character
/// (when there are line-start keys) and each blank + line break (when there are line-end keys).
/// A line with a mark, and a last line without a terminator, gets its edge hits from the edge
/// automata as before, and its folded hits are set aside; on every other line the two agree.
struct Fold {
    /// The global id (as [`Matcher::floating_hits`] numbers patterns) of the first folded one.
    base: u32,
    /// Per folded pattern: the global id of the edge pattern it stands for, or [`MARK`].
    edge: Box<[u32]>,
}

/// [`Fold::edge`] of a mark.
const MARK: u32 = u32::MAX;

/// The blank characters [`trim_bounds`] trims, but `\n`, which never is inside a line; a
/// unit test checks the list against `blank_prefix` and `blank_suffix`.
const BLANKS: &[&[u8]] = &[
    b" ",
    b"\t",
    b"\r",
    b"\x0B",
    b"\x0C",
    b"\xC2\xA0",
    b"\xC2\x85",
    b"\xE2\x80\x80",
    b"\xE2\x80\x81",
    b"\xE2\x80\x82",
    b"\xE2\x80\x83",
    b"\xE2\x80\x84",
    b"\xE2\x80\x85",
    b"\xE2\x80\x86",
    b"\xE2\x80\x87",
    b"\xE2\x80\x88",
    b"\xE2\x80\x89",
    b"\xE2\x80\x8A",
    b"\xE2\x80\x8B",
    b"\xE2\x80\x8C",
    b"\xE2\x80\x8D",
    b"\xE2\x80\x8E",
    b"\xE2\x80\x8F",
    b"\xE2\x80\xA8",
    b"\xE2\x80\xA9",
    b"\xE2\x80\xAF",
    b"\xE2\x81\x9F",
    b"\xE2\x81\xA0",
    b"\xE1\x9A\x80",
    b"\xE3\x80\x80",
    b"\xEF\xBB\xBF",
];

/// The folded patterns for `starts` (line-start keys) and `ends` (line-end keys, stored
/// reversed), with [`Fold::edge`]: global ids `0..` for `starts`, then `ends`. `None` when a key
/// holds a line-break byte: it could match across the edge.
fn fold_patterns(starts: &[Vec<u8>], ends: &[Vec<u8>]) -> Option<(Vec<Vec<u8>>, Vec<u32>)> {
    let breaks = |k: &Vec<u8>| k.contains(&b'\n') || k.contains(&b'\r');
    if starts.iter().chain(ends).any(breaks) {
        return None;
    }
    let mut pats = Vec::new();
    let mut edge = Vec::new();
    for (i, k) in starts.iter().enumerate() {
        pats.push([b"\n", &k[..]].concat());
        edge.push(i as u32);
    }
    for (j, k) in ends.iter().enumerate() {
        let k: Vec<u8> = k.iter().rev().copied().collect();
        for lb in [&b"\n"[..], b"\r\n"] {
            pats.push([&k[..], lb].concat());
            edge.push((starts.len() + j) as u32);
        }
    }
    if !starts.is_empty() {
        for b in BLANKS {
            pats.push([b"\n", *b].concat());
            edge.push(MARK);
        }
    }
    if !ends.is_empty() {
        for b in BLANKS {
            // Content never ends in one `\r` before a `\n`: that `\r` is the terminator's.
            let lbs: &[&[u8]] = if *b == b"\r" {
                &[b"\r\n"]
            } else {
                &[b"\n", b"\r\n"]
            };
            for lb in lbs {
                pats.push([*b, *lb].concat());
                edge.push(MARK);
            }
        }
    }
    Some((pats, edge))
}

impl std::fmt::Debug for Matcher {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        f.debug_struct("Matcher")
            .field("rules", &self.rules.len())
            .field("patterns", &self.targets.len())
            .field("unkeyed", &self.unkeyed.len())
            .finish()
    }
}

/// Casings in which a case-insensitive literal with non-ASCII letters is inserted.
fn casings(lit: &str) -> Vec<String> {
    let lower = lit.to_lowercase();
    let upper = lit.to_uppercase();
    let mut cap = String::with_capacity(lower.len());
    let mut title = String::with_capacity(lower.len());
    let mut first = true;
    let mut word_start = true;
    for c in lower.chars() {
        if first {
            cap.extend(c.to_uppercase());
            first = false;
        } else {
            cap.push(c);
        }
        if word_start && c.is_alphanumeric() {
            title.extend(c.to_uppercase());
        } else {
            title.push(c);
        }
        word_start = c.is_whitespace() || c == '-' || c == '(' || c == '«' || c == '"';
    }
    let mut v = vec![lit.to_string(), lower, upper, cap, title];
    v.sort();
    v.dedup();
    v
}

/// What the key search found for a regex rule: where its keys are looked for, the keys, and
/// the other key set (see [`keys::keys_of`]), or `Err` for a syntax error.
type FoundKeys = std::result::Result<Option<(Place, Vec<Vec<u8>>, Option<Vec<Vec<u8>>>)>, ()>;

/// What the key search found for one regex of the built-in packs, worked out by the build
/// script (`src/build.rs`) with the same code: the `FoundKeys` of `pattern` with its case
/// handling, in `'static` form.
struct PackKeys {
    pattern: &'static str,
    case_insensitive: bool,
    found: PackFound,
}

/// [`FoundKeys`] with static key sets.
type PackFound = std::result::Result<
    Option<(
        Place,
        &'static [&'static [u8]],
        Option<&'static [&'static [u8]]>,
    )>,
    (),
>;

// `static PACK_KEYS: &[PackKeys]`, sorted by `(pattern, case_insensitive)`.
include!(concat!(env!("OUT_DIR"), "/pack_keys.rs"));

/// The build script's key search for this regex, when it is one of the packs'.
fn precomputed_keys(pattern: &str, case_insensitive: bool) -> Option<FoundKeys> {
    let i = PACK_KEYS
        .binary_search_by(|e| (e.pattern, e.case_insensitive).cmp(&(pattern, case_insensitive)))
        .ok()?;
    let owned = |set: &[&[u8]]| set.iter().map(|k| k.to_vec()).collect::<Vec<_>>();
    Some(
        PACK_KEYS[i]
            .found
            .map(|f| f.map(|(p, s, m)| (p, owned(s), m.map(owned)))),
    )
}

/// The key search of every regex rule in `specs` (`None` for the other kinds), in order.
///
/// Regexes of the built-in packs are looked up in the build script's table (`src/build.rs`);
/// only the others are searched, shared out to up to `threads` threads in contiguous runs when
/// there are enough of them to pay for the threads.
fn key_search(specs: &[RuleSpec], threads: usize) -> Vec<Option<FoundKeys>> {
    let mut found = Vec::with_capacity(specs.len());
    let mut unlisted = Vec::new();
    for (i, s) in specs.iter().enumerate() {
        let keys = (s.kind == Kind::Regex)
            .then(|| precomputed_keys(&s.pattern, !s.case_sensitive))
            .flatten();
        if s.kind == Kind::Regex && keys.is_none() {
            unlisted.push(i);
        }
        found.push(keys);
    }
    let search = |&i: &usize| {
        let s = &specs[i];
        keys::parse(&s.pattern, !s.case_sensitive).map(|h| keys::keys_of(&h))
    };
    // Below this many regexes a thread costs more than it saves.
    const MIN_PER_THREAD: usize = 32;
    let threads = threads.min(unlisted.len() / MIN_PER_THREAD).max(1);
    let searched: Vec<FoundKeys> = if threads == 1 {
        unlisted.iter().map(search).collect()
    } else {
        let run = unlisted.len().div_ceil(threads);
        std::thread::scope(|sc| {
            let parts: Vec<_> = unlisted
                .chunks(run)
                .map(|part| sc.spawn(move || part.iter().map(search).collect::<Vec<_>>()))
                .collect();
            parts
                .into_iter()
                .flat_map(|p| p.join().expect("the key search panicked"))
                .collect()
        })
    };
    for (i, keys) in unlisted.into_iter().zip(searched) {
        found[i] = Some(keys);
    }
    found
}

/// Whether the folded edge patterns and the floating ones are small enough for one lockstep
/// DFA. `Matcher::with_threads` asks this before `floating_search` is done, to build the edge
/// automata it will need alongside it.
fn fold_fits(fold_p: &[Vec<u8>], float_p: &[Vec<u8>]) -> bool {
    fold_p.iter().chain(float_p).map(Vec::len).sum::<usize>() <= DFA_PATTERN_BYTES
}

/// The floating search: the lockstep DFA over the floating patterns (with the line-edge keys
/// folded in when they can be: `folded` is what [`fold_patterns`] gave for them), else an
/// `AhoCorasick` automaton. Returns the DFA, the fold and the automaton; `base` is the id of
/// the first floating pattern.
fn floating_search(
    folded: Option<(Vec<Vec<u8>>, Vec<u32>)>,
    float_p: &[Vec<u8>],
    base: u32,
) -> Result<(
    Option<crate::lockstep::Lockstep>,
    Option<Fold>,
    Option<AhoCorasick>,
)> {
    let bytes: usize = float_p.iter().map(Vec::len).sum();
    let mut fold = None;
    let mut lockstep = None;
    if let Some((fold_p, edge)) = folded
        && fold_fits(&fold_p, float_p)
    {
        let all: Vec<Vec<u8>> = float_p.iter().cloned().chain(fold_p).collect();
        lockstep = crate::lockstep::Lockstep::new(&all);
        if lockstep.is_some() && !edge.is_empty() {
            fold = Some(Fold {
                base: base + float_p.len() as u32,
                edge: edge.into_boxed_slice(),
            });
        }
    }
    if lockstep.is_none() && bytes <= DFA_PATTERN_BYTES {
        lockstep = crate::lockstep::Lockstep::new(float_p);
    }
    let floating = if float_p.is_empty() || lockstep.is_some() {
        None
    } else {
        let kind = if bytes <= DFA_PATTERN_BYTES {
            AhoCorasickKind::DFA
        } else {
            AhoCorasickKind::ContiguousNFA
        };
        let ac = AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(kind))
            .build(float_p)
            .map_err(|e| Error::other(format!("cannot build the rule automaton: {e}")))?;
        Some(ac)
    };
    Ok((lockstep, fold, floating))
}

impl Matcher {
    /// Compiles rule specs. Order matters: when several drop rules match a line, the first one is
    /// reported. Fails with the rule's `path:line:` when a regex does not compile (or compiles
    /// too large) or an id is used twice. Regexes whose source starts with `<builtin:` are
    /// taken to be the built-in packs' (tested to compile) and compiled on first use; all others
    /// are compiled here, before any input is read.
    pub fn new(specs: &[RuleSpec]) -> Result<Matcher> {
        Matcher::with_threads(specs, 1)
    }

    /// [`Matcher::new`] with up to `threads` threads for the work that splits: the key search
    /// of the regex rules (parsing each regex and reading its required literals, two thirds of
    /// start-up with the built-in packs) is shared out in order, and the floating DFA is built
    /// beside the line-edge automata. The matcher is the same whatever the thread count; with
    /// `threads <= 1` nothing is spawned.
    pub fn with_threads(specs: &[RuleSpec], threads: usize) -> Result<Matcher> {
        crate::rules::check_unique_ids(specs)?;
        // Marker rules (`cut`, `before=`, `between=`) come first: their document action beats a
        // plain drop.
        let cut_first: Vec<RuleSpec>;
        let marks = |s: &RuleSpec| s.cut || s.before.is_some() || s.between.is_some();
        let specs = if specs.iter().any(marks) {
            let (cuts, rest): (Vec<&RuleSpec>, Vec<&RuleSpec>) =
                specs.iter().partition(|s| marks(s));
            cut_first = cuts.into_iter().chain(rest).cloned().collect();
            &cut_first[..]
        } else {
            specs
        };
        let mut rules = Vec::with_capacity(specs.len());
        let mut infos = Vec::with_capacity(specs.len());
        // Patterns and their targets per place; `End` patterns are stored reversed.
        let mut pats: [(Vec<Vec<u8>>, Vec<Target>); 3] = Default::default();
        let slot = |p: Place| match p {
            Place::Start => 0,
            Place::End => 1,
            Place::Floating => 2,
        };
        let mut unkeyed = Vec::new();
        let mut strip_regexes = 0;
        // Rules with the same regex (the same pattern, case and capture needs) share it: it is
        // compiled once, and run once per line whichever of them asks (see `evaluate_once`).
        let mut regexes: Vec<LazyRegex> = Vec::new();
        let mut regex_ids: std::collections::HashMap<(&str, bool, bool), u32> =
            std::collections::HashMap::new();
        let mut found = key_search(specs, threads);
        for (i, s) in specs.iter().enumerate() {
            let idx = u32::try_from(i).map_err(|_| Error::other("too many rules"))?;
            let mut keyed = true;
            let mut place_name = "every-line";
            let mut literal_forms = Vec::new();
            let mut regex = None;
            let mut also = Vec::new();
            let mut locs_slot = 0;
            match s.kind {
                Kind::Regex => {
                    let shape = (
                        s.pattern.as_str(),
                        !s.case_sensitive,
                        s.action == Action::Strip,
                    );
                    // The key search parsed the pattern; a syntax error found there is
                    // reported by compiling it, which gives the regex crate's message.
                    let keys = found[i]
                        .take()
                        .expect("every regex rule was searched for keys");
                    let (id, lazy) = match regex_ids.get(&shape) {
                        Some(&id) => (id, &regexes[id as usize]),
                        None => {
                            let id = regexes.len() as u32;
                            regex_ids.insert(shape, id);
                            regexes.push(LazyRegex::new(shape.0, shape.1, shape.2));
                            (id, &regexes[id as usize])
                        }
                    };
                    if keys.is_err() || !s.origin.source.starts_with(BUILTIN_PREFIX) {
                        // User rules are compiled now, so a bad one stops the run before any
                        // input is read. Built-in packs are tested to compile and are compiled
                        // on first use: most of their regexes never meet a candidate line.
                        lazy.get_or_try().map_err(|e| compile_error(s, &e))?;
                    }
                    if s.action == Action::Strip {
                        locs_slot = strip_regexes;
                        strip_regexes += 1;
                    }
                    match keys.ok().flatten() {
                        Some((place, keys, more)) => {
                            // Keys of one or two bytes are in too many lines to be worth a
                            // search of their own.
                            if let Some(more) = more.filter(|m| m.iter().all(|k| k.len() >= 3)) {
                                also = more
                                    .iter()
                                    .map(|k| memchr::memmem::Finder::new(k).into_owned())
                                    .collect();
                            }
                            place_name = place.name();
                            let (p, t) = &mut pats[slot(place)];
                            let mut keys: Vec<Vec<u8>> =
                                keys.iter().map(|k| edge_key(k, place)).collect();
                            keys.sort();
                            keys.dedup();
                            for k in keys {
                                p.push(k);
                                t.push(Target::Key(idx));
                            }
                        }
                        None => {
                            keyed = false;
                            unkeyed.push(idx);
                        }
                    }
                    regex = Some(id);
                }
                _ => {
                    if s.pattern.is_empty() {
                        return Err(Error::rule(
                            s.origin.to_string(),
                            format!("rule '{}' has an empty pattern", s.id),
                        ));
                    }
                    if s.pattern.contains(['\n', '\r']) {
                        return Err(Error::rule(
                            s.origin.to_string(),
                            format!("rule '{}': a literal cannot contain a line break", s.id),
                        ));
                    }
                    let place = match s.kind {
                        Kind::Line | Kind::Prefix => Place::Start,
                        Kind::Suffix => Place::End,
                        _ => Place::Floating,
                    };
                    let forms = if s.case_sensitive || s.pattern.is_ascii() {
                        vec![s.pattern.clone()]
                    } else {
                        casings(&s.pattern)
                    };
                    place_name = place.name();
                    let (p, t) = &mut pats[slot(place)];
                    let mut keys: Vec<Vec<u8>> = forms
                        .iter()
                        .map(|f| edge_key(f.as_bytes(), place))
                        .collect();
                    keys.sort();
                    keys.dedup();
                    for k in keys {
                        p.push(k);
                        t.push(Target::Literal(idx));
                    }
                    literal_forms = forms.into_iter().map(String::into_bytes).collect();
                }
            }
            rules.push(Rule {
                kind: s.kind,
                action: s.action,
                case_sensitive: s.case_sensitive,
                max_chars: s.max_chars,
                max_words: s.max_words,
                literal: s.pattern.as_bytes().to_vec(),
                forms: literal_forms,
                regex,
                also,
                locs_slot,
                scoped: s.head.is_some() || s.tail.is_some() || s.site.is_some(),
                head: s.head,
                tail: s.tail,
                site: s.site.as_deref().map(Box::from),
            });
            infos.push(RuleInfo {
                id: s.id.clone(),
                category: s.category.clone(),
                kind: s.kind,
                action: s.action,
                origin: s.origin.clone(),
                keyed,
                place: place_name,
                head: s.head,
                tail: s.tail,
                cut: s.cut,
                before: s.before,
                between: s.between,
                footnote: s.footnote,
                site: s.site.clone(),
                document: s.is_document_rule(),
            });
        }
        let [(start_p, start_t), (end_p, end_t), (float_p, float_t)] = pats;
        let floating_base = (start_p.len() + end_p.len()) as u32;
        let folded = fold_patterns(&start_p, &end_p);
        // Whether the edges will be folded into the one pass (`floating_search` tells for
        // sure; it only fails to fold these when the DFA cannot be built at all).
        let folds = folded.as_ref().is_some_and(|(p, _)| fold_fits(p, &float_p));
        let float_ref = &float_p;
        let build_floating = move || floating_search(folded, float_ref, floating_base);
        let build_edges = |every_line: bool| -> Result<(Option<Edge>, Option<Edge>)> {
            Ok((
                Edge::build(&start_p, 0, every_line)?,
                Edge::build(&end_p, start_p.len(), every_line)?,
            ))
        };
        let ((mut starts, mut ends), (lockstep, fold, floating)) = if threads > 1 {
            std::thread::scope(|sc| {
                let floating = sc.spawn(build_floating);
                let edges = build_edges(!folds);
                let floating = floating.join().expect("the floating DFA build panicked");
                Ok::<_, Error>((edges?, floating?))
            })?
        } else {
            (build_edges(!folds)?, build_floating()?)
        };
        if folds && fold.is_none() {
            // Predicted wrong: the edges run on every line after all.
            (starts, ends) = build_edges(true)?;
        }
        let pat_len = start_p
            .iter()
            .chain(&end_p)
            .chain(&float_p)
            .map(Vec::len)
            .collect();
        let targets = start_t.into_iter().chain(end_t).chain(float_t).collect();
        Ok(Matcher {
            rules,
            zones: crate::document::Zones::of(&infos),
            infos,
            starts,
            ends,
            lockstep,
            floating,
            floating_base,
            fold,
            targets,
            pat_len,
            unkeyed,
            regexes,
            strip_regexes,
        })
    }

    /// What the rules need of documents: the largest zones, whether any rule needs whole
    /// documents, whether any is scoped to a site.
    pub fn zones(&self) -> crate::document::Zones {
        self.zones
    }

    /// Compiles every regex now (built-in ones are otherwise compiled on first use). Fails with
    /// the first rule that does not compile.
    pub fn compile_all(&self) -> Result<()> {
        for (rule, info) in self.rules.iter().zip(&self.infos) {
            if let Some(id) = rule.regex {
                self.regexes[id as usize].get_or_try().map_err(|e| {
                    Error::rule(
                        info.origin.to_string(),
                        format!(
                            "rule '{}': invalid regex: {}",
                            info.id,
                            one_line(&e.to_string())
                        ),
                    )
                })?;
            }
        }
        Ok(())
    }

    /// The compiled rules' facts, indexed by [`RuleId`].
    pub fn rules(&self) -> &[RuleInfo] {
        &self.infos
    }

    /// Number of patterns in the automata (literal casings plus regex keys).
    pub fn pattern_count(&self) -> usize {
        self.targets.len()
    }

    /// How many patterns stand at line starts, at line ends and anywhere, in that order.
    pub fn pattern_places(&self) -> (usize, usize, usize) {
        let f = self.floating_base as usize;
        let e = self.ends.as_ref().map_or(f, |e| e.base as usize);
        (e, f - e, self.targets.len() - f)
    }

    /// Adds the line-start and line-end pattern hits of `line` (content without terminator).
    #[inline]
    fn edge_hits(&self, line: &[u8], hits: &mut Vec<(u32, usize, usize)>) {
        if line.is_empty() {
            return;
        }
        let (ts, te) = trim_bounds(line);
        // A match state also lists the patterns that end there but start later (Aho-Corasick
        // keeps them for unanchored searches): only a pattern as long as the walk so far
        // stands at the line's edge.
        if let Some(e) = &self.starts {
            e.run(line[ts..].iter().copied(), |p, n| {
                if self.pat_len[p as usize] == n {
                    hits.push((p, ts, ts + n));
                }
            });
        }
        if let Some(e) = &self.ends {
            e.run(line[..te].iter().rev().copied(), |p, n| {
                if self.pat_len[p as usize] == n {
                    hits.push((p, te - n, te));
                }
            });
        }
    }

    /// The verdict for one line's content (without its terminator).
    ///
    /// ```
    /// use dechaff::{Matcher, Scratch, Verdict};
    /// let mut cats = Vec::new();
    /// let specs = dechaff::rules::parse_rules("r", "rm crosslink prefix READ MORE:\n", &mut cats).unwrap();
    /// let m = Matcher::new(&specs).unwrap();
    /// let mut s = Scratch::new();
    /// assert_eq!(m.verdict(b"  read more: Another story", &mut s), Verdict::Drop(0));
    /// assert_eq!(m.verdict(b"He said to read more: books.", &mut s), Verdict::Keep);
    /// ```
    pub fn verdict(&self, line: &[u8], scratch: &mut Scratch) -> Verdict {
        scratch.hits.clear();
        self.edge_hits(line, &mut scratch.hits);
        self.floating_hits(line, &mut scratch.hits);
        if scratch.hits.is_empty() && self.unkeyed.is_empty() {
            return Verdict::Keep;
        }
        self.evaluate(line, scratch)
    }

    /// Scans a chunk of whole lines and calls `on_line(start, content_end, end, verdict,
    /// scratch)` for every line that is not kept, in order. `start..content_end` is the line's
    /// content, `content_end..end` its terminator (`\n`, `\r\n` or nothing at the end of input).
    pub fn scan<E>(
        &self,
        chunk: &[u8],
        scratch: &mut Scratch,
        mut on_line: impl FnMut(usize, usize, usize, Verdict, &Scratch) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let every = !self.unkeyed.is_empty();
        // All floating hits of the chunk first (one pass, walks in lockstep), then per line.
        let mut found = std::mem::take(&mut scratch.floating);
        found.clear();
        if let Some(fold) = self.find_hits(chunk, &mut found) {
            let r = self.scan_hit_lines(chunk, &found, fold, scratch, &mut on_line);
            scratch.floating = found;
            return r;
        }
        self.floating_hits(chunk, &mut found);
        let mut next = 0;
        let n = chunk.len();
        let mut ls = 0;
        while ls < n {
            let le = memchr(b'\n', &chunk[ls..]).map_or(n, |i| ls + i + 1);
            let ce = content_end(chunk, ls, le);
            scratch.hits.clear();
            self.edge_hits(&chunk[ls..ce], &mut scratch.hits);
            while let Some(&(p, s, e)) = found.get(next).filter(|h| h.1 < le) {
                scratch.hits.push((p, s - ls, e - ls));
                next += 1;
            }
            if every || !scratch.hits.is_empty() {
                let v = self.evaluate(&chunk[ls..ce], scratch);
                if v != Verdict::Keep
                    && let Err(e) = on_line(ls, ce, le, v, scratch)
                {
                    scratch.floating = found;
                    return Err(e);
                }
            }
            ls = le;
        }
        scratch.floating = found;
        Ok(())
    }

    /// The one pass of the paths that visit only the lines holding a hit. `None`, with nothing
    /// searched, when a line without a hit could still lose something: there are unkeyed
    /// regexes, or edge patterns that could not be folded. Otherwise `found` holds every hit by
    /// global pattern id (folded ones included), and the result is the fold, if any.
    fn find_hits(
        &self,
        chunk: &[u8],
        found: &mut Vec<(u32, usize, usize)>,
    ) -> Option<Option<&Fold>> {
        if !self.unkeyed.is_empty() {
            return None;
        }
        match (&self.fold, &self.lockstep) {
            (Some(f), Some(lk)) => {
                lk.find_lines(chunk, found);
                for h in found.iter_mut() {
                    h.0 += self.floating_base;
                }
                Some(Some(f))
            }
            _ if self.starts.is_none() && self.ends.is_none() => {
                self.floating_hits(chunk, found);
                Some(None)
            }
            _ => None,
        }
    }

    /// Calls `each(start, end, hits)` for every line of `chunk` holding a hit of `found` (hits
    /// come in the order of their ends, hence line by line), with its hits; and, when `fold` is
    /// set, for an unterminated last line without hits, with none: a line-end key is only folded
    /// with a line break after it, so that line needs the edge automata. `end` is past the
    /// line's terminator.
    fn for_hit_lines<E>(
        chunk: &[u8],
        found: &[(u32, usize, usize)],
        fold: Option<&Fold>,
        mut each: impl FnMut(usize, usize, Range<usize>) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        let n = chunk.len();
        let mut tail = match (fold, chunk.last()) {
            (Some(_), Some(&b)) if b != b'\n' => Some(memrchr(b'\n', chunk).map_or(0, |i| i + 1)),
            _ => None,
        };
        let mut next = 0;
        while let Some(&(_, first, _)) = found.get(next) {
            let ls = memrchr(b'\n', &chunk[..first]).map_or(0, |i| i + 1);
            let le = memchr(b'\n', &chunk[first..]).map_or(n, |i| first + i + 1);
            let from = next;
            while found.get(next).is_some_and(|h| h.1 < le) {
                next += 1;
            }
            if tail == Some(ls) {
                tail = None;
            }
            each(ls, le, from..next)?;
        }
        match tail {
            Some(t) => each(t, n, 0..0),
            None => Ok(()),
        }
    }

    /// Calls `on_line(start)` with the start of every line of `chunk` (whole lines, split at
    /// `\n`) that [`Matcher::verdict`] could judge anything but [`Verdict::Keep`], whatever the
    /// [`Scope`]: the lines where the one pass found a pattern (marks of blank edges included),
    /// and an unterminated last line. Every other line is kept, in any scope. Returns `false`,
    /// having called nothing, when that cannot be told from the pass ([`Matcher::find_hits`]):
    /// then every line must be judged.
    ///
    /// For the document pass, whose zone lines are judged one by one with their positions: one
    /// pass in lockstep over the zone instead of one serial walk per line.
    pub(crate) fn candidate_lines(
        &self,
        chunk: &[u8],
        scratch: &mut Scratch,
        mut on_line: impl FnMut(usize),
    ) -> bool {
        let mut found = std::mem::take(&mut scratch.floating);
        found.clear();
        let fold = self.find_hits(chunk, &mut found);
        if let Some(fold) = fold {
            let _ = Self::for_hit_lines(chunk, &found, fold, |ls, _, _: Range<usize>| {
                on_line(ls);
                Ok::<(), ()>(())
            });
        }
        scratch.floating = found;
        fold.is_some()
    }

    /// [`Matcher::scan`] over the hits [`Matcher::find_hits`] found: only the lines holding one
    /// are judged (and, with `fold`, an unterminated last line).
    fn scan_hit_lines<E>(
        &self,
        chunk: &[u8],
        found: &[(u32, usize, usize)],
        fold: Option<&Fold>,
        scratch: &mut Scratch,
        on_line: &mut impl FnMut(usize, usize, usize, Verdict, &Scratch) -> std::result::Result<(), E>,
    ) -> std::result::Result<(), E> {
        Self::for_hit_lines(chunk, found, fold, |ls, le, group| {
            let v = self.group_verdict(chunk, ls, le, &found[group], fold, scratch);
            if v != Verdict::Keep {
                on_line(ls, content_end(chunk, ls, le), le, v, scratch)?;
            }
            Ok(())
        })
    }

    /// The verdict of the line `chunk[ls..le]` from the hits the one pass over `chunk` found in
    /// it (`group`), in the scope set in `scratch`.
    fn group_verdict(
        &self,
        chunk: &[u8],
        ls: usize,
        le: usize,
        group: &[(u32, usize, usize)],
        fold: Option<&Fold>,
        scratch: &mut Scratch,
    ) -> Verdict {
        let n = chunk.len();
        let ce = content_end(chunk, ls, le);
        scratch.hits.clear();
        // With edges folded, an unterminated last line is judged as a marked one.
        let mut marked = fold.is_some() && le == n && chunk[n - 1] != b'\n';
        for &(p, s, e) in group {
            match fold {
                Some(f) if p >= f.base => match f.edge[(p - f.base) as usize] {
                    MARK => marked = true,
                    q => scratch.hits.push((q, s - ls, e - ls)),
                },
                _ => scratch.hits.push((p, s - ls, e - ls)),
            }
        }
        if marked {
            // Edge ids come before floating ones: keep the floating hits, and let the edge
            // automata find this line's edge hits from its non-blank bytes.
            scratch.hits.retain(|h| h.0 >= self.floating_base);
            self.edge_hits(&chunk[ls..ce], &mut scratch.hits);
            if scratch.hits.is_empty() {
                return Verdict::Keep;
            }
        }
        self.evaluate(&chunk[ls..ce], scratch)
    }

    /// One pass over `chunk` (a batch of documents laid end to end, each starting a line):
    /// every line of it that [`Matcher::verdict`] could judge anything but [`Verdict::Keep`],
    /// in any scope, with the hits the pass found in it, into `out`. Returns `false`, having
    /// found nothing, when that cannot be told from the pass (as for
    /// [`Matcher::candidate_lines`]).
    pub(crate) fn find_lines(&self, chunk: &[u8], out: &mut LineHits) -> bool {
        let LineHits {
            hits,
            lines,
            folded,
        } = out;
        hits.clear();
        lines.clear();
        let Some(fold) = self.find_hits(chunk, hits) else {
            return false;
        };
        *folded = fold.is_some();
        let _ = Self::for_hit_lines(chunk, hits, fold, |ls, le, group| {
            lines.push(FoundLine { ls, le, group });
            Ok::<(), ()>(())
        });
        true
    }

    /// The verdict of line `k` of `found`, which [`Matcher::find_lines`] found in `chunk`, in the
    /// scope set in `scratch`: what [`Matcher::verdict`] gives for its content, without
    /// searching the line again.
    pub(crate) fn found_verdict(
        &self,
        chunk: &[u8],
        found: &LineHits,
        k: usize,
        scratch: &mut Scratch,
    ) -> Verdict {
        let l = &found.lines[k];
        let fold = self.fold.as_ref().filter(|_| found.folded);
        let group = &found.hits[l.group.clone()];
        self.group_verdict(chunk, l.ls, l.le, group, fold, scratch)
    }

    /// Appends `(global pattern, start, end)` for every floating pattern found in `hay`, in the
    /// order of their ends.
    fn floating_hits(&self, hay: &[u8], out: &mut Vec<(u32, usize, usize)>) {
        if let Some(lk) = &self.lockstep {
            let from = out.len();
            lk.find_all(hay, out);
            for h in &mut out[from..] {
                h.0 += self.floating_base;
            }
            // Folded patterns need a `\n`, which a line's content lacks; a chunk of several
            // lines has them, but this search does not stand for the edge automata.
            if let Some(f) = &self.fold {
                let mut w = from;
                for i in from..out.len() {
                    if out[i].0 < f.base {
                        out[w] = out[i];
                        w += 1;
                    }
                }
                out.truncate(w);
            }
        } else if let Some(ac) = &self.floating {
            for m in ac.find_overlapping_iter(hay) {
                out.push((
                    self.floating_base + m.pattern().as_u32(),
                    m.start(),
                    m.end(),
                ));
            }
        }
    }

    /// Decides a line given the automaton hits already in `scratch.hits`.
    ///
    /// What a strip leaves is judged again, until nothing more applies: otherwise a second pass
    /// over the output could remove more (`Advertisement (banned in Russia)` stripped to
    /// `Advertisement`), and filtering would not be idempotent. Each round removes at least one
    /// byte, so the loop ends. The spans returned are in the original line's coordinates.
    fn evaluate(&self, line: &[u8], scratch: &mut Scratch) -> Verdict {
        let v = self.evaluate_once(line, scratch);
        if v != Verdict::Strip {
            return v;
        }
        let mut cuts = std::mem::take(&mut scratch.acc_spans);
        let mut text = std::mem::take(&mut scratch.acc_text);
        cuts.clear();
        cuts.extend_from_slice(&scratch.spans);
        text.clear();
        text.extend_from_slice(&scratch.stripped);
        let result = loop {
            scratch.hits.clear();
            self.edge_hits(&text, &mut scratch.hits);
            self.floating_hits(&text, &mut scratch.hits);
            if scratch.hits.is_empty() && self.unkeyed.is_empty() {
                break Verdict::Strip;
            }
            match self.evaluate_once(&text, scratch) {
                Verdict::Keep => break Verdict::Strip,
                Verdict::Drop(r) => break Verdict::Drop(r),
                Verdict::Strip => {
                    // A second round is rare: allocating here is fine.
                    let mut mapped = Vec::new();
                    for sp in &scratch.spans {
                        map_back(&cuts, line.len(), *sp, &mut mapped);
                    }
                    cuts.extend(mapped);
                    merge_spans(&mut cuts);
                    std::mem::swap(&mut text, &mut scratch.stripped);
                }
            }
        };
        if result == Verdict::Strip {
            scratch.spans.clear();
            scratch.spans.extend_from_slice(&cuts);
            scratch.stripped.clear();
            scratch.stripped.extend_from_slice(&text);
        }
        scratch.acc_spans = cuts;
        scratch.acc_text = text;
        result
    }

    fn evaluate_once(&self, line: &[u8], scratch: &mut Scratch) -> Verdict {
        scratch.epoch = scratch.epoch.wrapping_add(1);
        if scratch.epoch == 0
            || scratch.stamp.len() != self.rules.len()
            || scratch.re_epoch.len() != self.regexes.len()
        {
            scratch.stamp.clear();
            scratch.stamp.resize(self.rules.len(), 0);
            scratch.re_epoch.clear();
            scratch.re_epoch.resize(self.regexes.len(), 0);
            scratch.re_hit.clear();
            scratch.re_hit.resize(self.regexes.len(), false);
            scratch.lower_epoch = 0;
            scratch.epoch = 1;
        }
        if scratch.locs.len() != self.strip_regexes {
            scratch.locs.clear();
            scratch.locs.resize_with(self.strip_regexes, || None);
        }
        let epoch = scratch.epoch;
        let (ts, te) = trim_bounds(line);
        let mut measure = Measure::default();
        let mut best = u32::MAX;
        scratch.spans.clear();
        scratch.pending.clear();
        for &(pat, s, e) in &scratch.hits {
            match self.targets[pat as usize] {
                Target::Literal(r) => {
                    let rule = &self.rules[r as usize];
                    if rule.action == Action::Drop && r >= best {
                        continue;
                    }
                    if rule.scoped && !scratch.scope.allows(rule) {
                        continue;
                    }
                    let span = match rule.kind {
                        Kind::Line | Kind::Prefix if s == ts => {
                            rule.form_at_start(line, ts, te).map(|n| (ts, ts + n))
                        }
                        Kind::Suffix if e == te => rule.form_at_end(line, te).map(|n| (te - n, te)),
                        Kind::Contains
                            if !rule.case_sensitive || line[s..e] == rule.literal[..] =>
                        {
                            Some((s, e))
                        }
                        _ => None,
                    };
                    let Some((s, e)) = span else { continue };
                    if !measure.allows(rule, &line[ts..te]) {
                        continue;
                    }
                    match rule.action {
                        Action::Drop => best = r,
                        Action::Strip => scratch.spans.push(Span {
                            start: s,
                            end: e,
                            rule: r as usize,
                        }),
                    }
                }
                Target::Key(r) => {
                    let slot = &mut scratch.stamp[r as usize];
                    if *slot != epoch {
                        *slot = epoch;
                        scratch.pending.push(r);
                    }
                }
            }
        }
        scratch.pending.extend_from_slice(&self.unkeyed);
        // Lowest rule first: once a drop rule matches, every later one is skipped unchecked
        // (the verdict is the lowest matching drop rule whatever the order).
        scratch.pending.sort_unstable();
        for &r in &scratch.pending {
            let rule = &self.rules[r as usize];
            if rule.action == Action::Drop && r >= best {
                continue;
            }
            if rule.scoped && !scratch.scope.allows(rule) {
                continue;
            }
            if !measure.allows(rule, &line[ts..te]) {
                continue;
            }
            let Some(id) = rule.regex.map(|i| i as usize) else {
                continue;
            };
            if !rule.also.is_empty() {
                if scratch.lower_epoch != epoch {
                    scratch.lower_epoch = epoch;
                    scratch.lower.clear();
                    scratch
                        .lower
                        .extend(line.iter().map(u8::to_ascii_lowercase));
                }
                let lower = &scratch.lower[..];
                if !rule.also.iter().any(|f| f.find(lower).is_some()) {
                    continue;
                }
            }
            let re = self.regexes[id].get();
            match rule.action {
                Action::Drop => {
                    let hit = if scratch.re_epoch[id] == epoch {
                        scratch.re_hit[id]
                    } else {
                        let hit = re.is_match(line);
                        scratch.re_epoch[id] = epoch;
                        scratch.re_hit[id] = hit;
                        hit
                    };
                    if hit {
                        best = r;
                    }
                }
                Action::Strip => {
                    let Some(re) = re.spans() else { continue };
                    let locs =
                        scratch.locs[rule.locs_slot].get_or_insert_with(|| re.capture_locations());
                    let group = if locs.len() > 1 { 1 } else { 0 };
                    let mut at = 0;
                    while at <= line.len() {
                        let Some(m) = re.captures_read_at(locs, line, at) else {
                            break;
                        };
                        if let Some((s, e)) = locs.get(group).filter(|(s, e)| e > s) {
                            scratch.spans.push(Span {
                                start: s,
                                end: e,
                                rule: r as usize,
                            });
                        }
                        at = if m.end() > m.start() {
                            m.end()
                        } else {
                            m.end() + 1
                        };
                    }
                }
            }
        }
        if best != u32::MAX {
            return Verdict::Drop(best as usize);
        }
        if scratch.spans.is_empty() {
            return Verdict::Keep;
        }
        merge_spans(&mut scratch.spans);
        scratch.stripped.clear();
        let mut at = 0;
        for sp in &scratch.spans {
            scratch.stripped.extend_from_slice(&line[at..sp.start]);
            at = sp.end;
        }
        scratch.stripped.extend_from_slice(&line[at..]);
        let (a, b) = trim_bounds(&scratch.stripped);
        if a >= b {
            let first = scratch.spans.iter().map(|s| s.rule).min().unwrap_or(0);
            return Verdict::Drop(first);
        }
        Verdict::Strip
    }
}

/// Sorts spans and merges those that overlap or touch, keeping the earliest span's rule.
fn merge_spans(spans: &mut Vec<Span>) {
    // The rule breaks ties, so that the hits' order (which the search decides) does not.
    spans.sort_unstable_by_key(|s| (s.start, s.end, s.rule));
    let mut w = 0;
    for i in 1..spans.len() {
        let sp = spans[i];
        if sp.start <= spans[w].end {
            spans[w].end = spans[w].end.max(sp.end);
        } else {
            w += 1;
            spans[w] = sp;
        }
    }
    spans.truncate(w + 1);
}

/// Maps a span of the text left after `cuts` (sorted, merged, in the original line of `len`
/// bytes) back to the original line: one span per kept piece it covers.
fn map_back(cuts: &[Span], len: usize, sp: Span, out: &mut Vec<Span>) {
    let mut text_pos = 0;
    let mut orig = 0;
    let pieces = cuts
        .iter()
        .map(|c| (c.start, c.end))
        .chain(std::iter::once((len, len)));
    for (cut_start, cut_end) in pieces {
        let (ks, ke) = (orig, cut_start);
        let seg = ke - ks;
        let (a, b) = (sp.start.max(text_pos), sp.end.min(text_pos + seg));
        if a < b {
            out.push(Span {
                start: ks + (a - text_pos),
                end: ks + (b - text_pos),
                rule: sp.rule,
            });
        }
        text_pos += seg;
        orig = cut_end;
    }
}

/// What one pass over a batch of documents found ([`Matcher::find_lines`]): the lines worth
/// judging, each with its hits, so that judging a line needs no second search of it.
#[derive(Debug, Default)]
pub(crate) struct LineHits {
    hits: Vec<(u32, usize, usize)>,
    lines: Vec<FoundLine>,
    /// The pass folded edge patterns into its automaton.
    folded: bool,
}

/// A line found by the pass: its start and end (past its terminator) in the batch, and its hits
/// as a range of [`LineHits::hits`].
#[derive(Debug, Clone)]
struct FoundLine {
    ls: usize,
    le: usize,
    group: Range<usize>,
}

impl LineHits {
    /// The start of found line `k` in the batch.
    pub(crate) fn start(&self, k: usize) -> usize {
        self.lines[k].ls
    }

    /// The index of the first found line at or after `from` that starts at or after `end`.
    pub(crate) fn first_from(&self, from: usize, end: usize) -> usize {
        from + self.lines[from..].partition_point(|l| l.ls < end)
    }
}

/// Lazily computed line measures for the length guards.
#[derive(Default)]
struct Measure {
    chars: Option<usize>,
    /// Words counted so far, and whether that is all of them (see [`word_count_upto`]).
    words: Option<(usize, bool)>,
}

impl Measure {
    fn allows(&mut self, rule: &Rule, trimmed: &[u8]) -> bool {
        if let Some(max) = rule.max_chars {
            // A character is 1 to 4 bytes: most lines are decided without counting.
            if trimmed.len() > max.saturating_mul(4) {
                return false;
            }
            if trimmed.len() > max && *self.chars.get_or_insert_with(|| char_count(trimmed)) > max {
                return false;
            }
        }
        if let Some(max) = rule.max_words {
            // n words take at least 2n - 1 bytes; past that, count only as far as max + 1.
            if trimmed.len().div_ceil(2) > max {
                let (n, done) = match self.words {
                    Some((n, done)) if done || n > max => (n, done),
                    _ => {
                        let w = word_count_upto(trimmed, max + 1);
                        self.words = Some(w);
                        w
                    }
                };
                debug_assert!(done || n > max);
                if n > max {
                    return false;
                }
            }
        }
        true
    }
}

/// Characters in UTF-8 text; each invalid byte counts as one.
///
/// A byte starts a character unless it is a continuation byte (`0x80..=0xBF`, below -64 as an
/// `i8`). Counted in `u8` per run of 255 bytes: LLVM then sums 16 or 32 bytes per step, where
/// a `usize` count widened every byte to 64 bits and took four bytes per step.
pub(crate) fn char_count(s: &[u8]) -> usize {
    s.chunks(255)
        .map(|run| run.iter().fold(0u8, |n, &b| n + u8::from(b as i8 >= -64)) as usize)
        .sum()
}

/// Words separated by ASCII whitespace or NBSP.
#[cfg(test)]
fn word_count(s: &[u8]) -> usize {
    word_count_upto(s, usize::MAX).0
}

/// Counts words (separated by ASCII whitespace or NBSP), but stops once there are more than
/// `cap`: then it returns `(cap, false)`, else `(count, true)`.
///
/// A word starts at a byte that is no separator and follows one (or the start). Whether a byte
/// starts a word depends only on it and its neighbours (NBSP is the pair `C2 A0`), so the bytes
/// are judged side by side, without a branch, and the starts summed in `u8` per run of 255
/// bytes, like [`char_count`]: LLVM then judges 16 or 32 bytes per step. The byte-by-byte
/// walk it replaces took 2-3% of a packs run on 200 MB (`Measure::allows` in `perf`).
fn word_count_upto(s: &[u8], cap: usize) -> (usize, bool) {
    /// What `u8::is_ascii_whitespace` says, as comparisons LLVM can vectorise.
    #[inline(always)]
    fn ws(b: u8) -> bool {
        (b == b' ') | (b == b'\t') | (b == b'\n') | (b == 0x0C) | (b == b'\r')
    }
    /// Whether the byte `c` starts a word, given the two bytes before it and the one after.
    #[inline(always)]
    fn starts(p2: u8, p1: u8, c: u8, next: u8) -> bool {
        let sep = ws(c) | ((c == 0xC2) & (next == 0xA0)) | ((c == 0xA0) & (p1 == 0xC2));
        // `p1` is a separator: whitespace, or the end of an NBSP (`p1` as the start of one
        // would make `c` its end, a separator).
        !sep & (ws(p1) | ((p1 == 0xA0) & (p2 == 0xC2)))
    }
    // Outside the line, a blank.
    let at = |i: isize| -> u8 {
        usize::try_from(i)
            .ok()
            .and_then(|i| s.get(i))
            .copied()
            .unwrap_or(b' ')
    };
    let edge = |i: usize| {
        let i = i as isize;
        usize::from(starts(at(i - 2), at(i - 1), at(i), at(i + 1)))
    };
    let result = |count: usize| {
        if count > cap {
            (cap, false)
        } else {
            (count, true)
        }
    };
    let n = s.len();
    if n < 4 {
        return result((0..n).map(edge).sum());
    }
    // Bytes 0, 1 and the last on their own; bytes 2..n-1 with both neighbours in the line.
    let mut count = edge(0) + edge(1) + edge(n - 1);
    let mut from = 2;
    while from < n - 1 {
        let to = (from + 255).min(n - 1);
        let run = s[from - 2..to - 2]
            .iter()
            .zip(&s[from - 1..to - 1])
            .zip(&s[from..to])
            .zip(&s[from + 1..to + 1])
            .fold(0u8, |k, (((&p2, &p1), &c), &next)| {
                k + u8::from(starts(p2, p1, c, next))
            });
        count += run as usize;
        if count > cap {
            break;
        }
        from = to;
    }
    result(count)
}

/// The end of a line's content: before a final `\n` or `\r\n`.
pub(crate) fn content_end(chunk: &[u8], ls: usize, le: usize) -> usize {
    let mut ce = le;
    if ce > ls && chunk[ce - 1] == b'\n' {
        ce -= 1;
        if ce > ls && chunk[ce - 1] == b'\r' {
            ce -= 1;
        }
    }
    ce
}

/// Length of the blank (whitespace or zero-width) character at the start of `s`, if any.
fn blank_prefix(s: &[u8]) -> usize {
    match s {
        [b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C, ..] => 1,
        [0xC2, 0xA0 | 0x85, ..] => 2,
        // U+2000..U+200F (spaces, zero-width, LRM/RLM), U+2028/2029, U+202F, U+205F, U+2060
        [0xE2, 0x80, 0x80..=0x8F | 0xA8 | 0xA9 | 0xAF, ..] | [0xE2, 0x81, 0x9F | 0xA0, ..] => 3,
        [0xE1, 0x9A, 0x80, ..] | [0xE3, 0x80, 0x80, ..] | [0xEF, 0xBB, 0xBF, ..] => 3,
        _ => 0,
    }
}

fn blank_suffix(s: &[u8]) -> usize {
    match s {
        [.., b' ' | b'\t' | b'\r' | b'\n' | 0x0B | 0x0C] => 1,
        [.., 0xC2, 0xA0 | 0x85] => 2,
        [.., 0xE2, 0x80, 0x80..=0x8F | 0xA8 | 0xA9 | 0xAF] | [.., 0xE2, 0x81, 0x9F | 0xA0] => 3,
        [.., 0xE1, 0x9A, 0x80] | [.., 0xE3, 0x80, 0x80] | [.., 0xEF, 0xBB, 0xBF] => 3,
        _ => 0,
    }
}

/// The bounds of `line` without leading and trailing blanks (Unicode spaces, NBSP, zero-width
/// characters, BOM).
pub fn trim_bounds(line: &[u8]) -> (usize, usize) {
    let (mut a, mut b) = (0, line.len());
    loop {
        let n = blank_prefix(&line[a..b]);
        if n == 0 {
            break;
        }
        a += n;
    }
    loop {
        let n = blank_suffix(&line[a..b]);
        if n == 0 {
            break;
        }
        b -= n;
    }
    (a, b)
}

fn one_line(s: &str) -> String {
    s.lines()
        .map(str::trim_end)
        .filter(|l| !l.is_empty())
        .collect::<Vec<_>>()
        .join(" / ")
}

impl Matcher {
    /// Counts, per rule, the lines on which one of its patterns was found (candidate lines):
    /// what a rule costs beyond the automaton pass. For tuning rule packs.
    pub fn candidate_counts(&self, chunk: &[u8]) -> Vec<u64> {
        let mut counts = vec![0u64; self.rules.len()];
        let mut hits = Vec::new();
        let mut seen = vec![false; self.rules.len()];
        let mut ls = 0;
        while ls < chunk.len() {
            let le = memchr(b'\n', &chunk[ls..]).map_or(chunk.len(), |i| ls + i + 1);
            let ce = content_end(chunk, ls, le);
            hits.clear();
            self.edge_hits(&chunk[ls..ce], &mut hits);
            self.floating_hits(&chunk[ls..ce], &mut hits);
            seen.iter_mut().for_each(|s| *s = false);
            for &(p, _, _) in &hits {
                let r = match self.targets[p as usize] {
                    Target::Literal(r) | Target::Key(r) => r as usize,
                };
                if !seen[r] {
                    seen[r] = true;
                    counts[r] += 1;
                }
            }
            ls = le;
        }
        counts
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::rules::parse_rules;

    fn matcher(rules: &str) -> Matcher {
        let mut cats = Vec::new();
        Matcher::new(&parse_rules("t", rules, &mut cats).unwrap()).unwrap()
    }

    fn verdicts(rules: &str, rows: &[(&str, Verdict)]) {
        let m = matcher(rules);
        let mut s = Scratch::new();
        for (line, want) in rows {
            assert_eq!(m.verdict(line.as_bytes(), &mut s), *want, "line {line:?}");
        }
    }

    #[test]
    fn build_time_pack_keys_cover_every_pack_regex_and_equal_a_fresh_search() {
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let mut regexes = 0;
        for s in specs.iter().filter(|s| s.kind == Kind::Regex) {
            regexes += 1;
            let ci = !s.case_sensitive;
            let table = precomputed_keys(&s.pattern, ci)
                .unwrap_or_else(|| panic!("{}: not in the build script's table", s.id));
            let fresh = keys::parse(&s.pattern, ci).map(|h| keys::keys_of(&h));
            assert_eq!(table, fresh, "{}", s.id);
        }
        assert!(regexes > 300, "{regexes} pack regexes");
        assert!(PACK_KEYS.len() <= regexes);
        assert!(
            PACK_KEYS
                .windows(2)
                .all(|w| (w[0].pattern, w[0].case_insensitive)
                    < (w[1].pattern, w[1].case_insensitive)),
            "the table is sorted, so binary search finds every entry"
        );
        // A regex of no pack is searched at start-up.
        assert!(precomputed_keys("^no pack has this regex", true).is_none());
    }

    #[test]
    fn kinds_anchor_on_the_trimmed_line() {
        use Verdict::*;
        verdicts(
            "a ad line Advertisement\nb crosslink prefix READ MORE:\nc promo suffix share this story!\nd widget contains cookie policy\n",
            &[
                ("Advertisement", Drop(0)),
                (" \u{a0}ADVERTISEMENT\u{200b} ", Drop(0)),
                ("Advertisement here", Keep),
                ("Read more: x", Drop(1)),
                ("To read more: x", Keep),
                ("Like it? Share this story!", Drop(2)),
                ("Share this story! now", Keep),
                ("See our Cookie Policy for details", Drop(3)),
                ("cookies", Keep),
            ],
        );
    }

    #[test]
    fn case_option_and_unicode_casings() {
        use Verdict::*;
        verdicts(
            "a crosslink prefix,case READ MORE:\nb crosslink prefix читайте также\n",
            &[
                ("READ MORE: x", Drop(0)),
                ("Read more: x", Keep),
                ("ЧИТАЙТЕ ТАКЖЕ: x", Drop(1)),
                ("Читайте также: x", Drop(1)),
                ("Читайте Также x", Drop(1)),
                ("читайте также", Drop(1)),
            ],
        );
    }

    #[test]
    fn guards_limit_chars_and_words() {
        use Verdict::*;
        verdicts(
            "a crosslink prefix,max-chars=20 Related:\nb promo contains,max-words=3 subscribe\n",
            &[
                ("Related: short one", Drop(0)),
                ("Related: a headline far too long to be a link", Keep),
                ("Please subscribe now", Drop(1)),
                ("You should really subscribe now", Keep),
            ],
        );
    }

    #[test]
    fn regexes_run_on_keyed_and_unkeyed_lines() {
        use Verdict::*;
        verdicts(
            "a disclaimer regex ^the views expressed .* do not necessarily reflect\nb ad regex ^\\W*$\n",
            &[
                (
                    "The views expressed here do not necessarily reflect ours.",
                    Drop(0),
                ),
                (
                    "He said the views expressed do not necessarily reflect",
                    Keep,
                ),
                ("***", Drop(1)),
                ("words", Keep),
            ],
        );
    }

    #[test]
    fn the_other_key_set_is_checked_in_any_ascii_case() {
        use Verdict::*;
        // Keyed on the line-start `[`; "abo" or "newsletter" must be in the line too (any
        // ASCII case), or the regex is not run.
        let rules = "a promo regex ^\\s*\\[[^\\]]*(?:Newsletter|Abo\\b)[^\\]]*\\]\n";
        assert!(!matcher(rules).rules[0].also.is_empty());
        verdicts(
            rules,
            &[
                ("[NEWSLETTER: hier anmelden]", Drop(0)),
                ("  [Über Ärzte – im ABO lesen]", Drop(0)),
                ("[Fotos: dpa]", Keep),
                ("Newsletter [mehr]", Keep),
            ],
        );
    }

    #[test]
    fn rules_with_one_regex_share_it_and_keep_their_own_guards() {
        use Verdict::*;
        let rules = "a promo regex,max-words=4 ^follow us on \\w+\n\
                     b promo regex ^follow us on \\w+\n";
        let m = matcher(rules);
        assert_eq!(m.regexes.len(), 1);
        verdicts(
            rules,
            &[
                ("Follow us on Mastodon", Drop(0)),
                ("Follow us on Mastodon and Bluesky today", Drop(1)),
                ("Follow me", Keep),
            ],
        );
    }

    #[test]
    fn first_rule_wins_and_drop_beats_strip() {
        use Verdict::*;
        verdicts(
            "a ad contains,strip foo\nb ad contains foo bar\nc ad contains bar\n",
            &[("foo bar", Drop(1)), ("bar", Drop(2))],
        );
    }

    #[test]
    fn strip_removes_spans_and_drops_lines_left_blank() {
        let m = matcher(
            "a disclaimer regex,strip,case \\b(?:Daesh|ISIS)(\\*)\nb crosslink contains,strip [READ MORE]\n",
        );
        let mut s = Scratch::new();
        assert_eq!(
            m.verdict(b"units of Daesh* and ISIS* fled", &mut s),
            Verdict::Strip
        );
        assert_eq!(s.stripped(), b"units of Daesh and ISIS fled");
        assert_eq!(s.spans().len(), 2);
        assert_eq!(m.verdict(b"Daesh fled", &mut s), Verdict::Keep);
        assert_eq!(m.verdict(b"daesh* fled", &mut s), Verdict::Keep);
        assert_eq!(m.verdict(b"  [read more] ", &mut s), Verdict::Drop(1));
    }

    #[test]
    fn scan_reports_only_non_kept_lines_with_their_bounds() {
        let m = matcher("a ad line Advertisement\n");
        let chunk = b"story\r\nAdvertisement\r\nmore story\nadvertisement";
        let mut s = Scratch::new();
        let mut seen = Vec::new();
        m.scan::<()>(chunk, &mut s, |a, b, c, v, _| {
            seen.push((a, b, c, v));
            Ok(())
        })
        .unwrap();
        assert_eq!(
            seen,
            vec![
                (7, 20, 22, Verdict::Drop(0)),
                (33, 46, 46, Verdict::Drop(0))
            ]
        );
    }

    #[test]
    fn compile_errors_name_the_rule() {
        let mut cats = Vec::new();
        let specs = parse_rules("f.rules", "\nx ad regex a(b\n", &mut cats).unwrap();
        let e = Matcher::new(&specs).unwrap_err().to_string();
        assert!(e.starts_with("f.rules:2: rule 'x': invalid regex:"), "{e}");
        // Valid syntax, but too large to compile: said so, not "invalid".
        let specs = parse_rules(
            "f.rules",
            "# big\ny ad regex \\w{100}\\w{100}\\w{100}\\w{100}\\w{100}\\w{100}\n",
            &mut cats,
        )
        .unwrap();
        let e = Matcher::new(&specs).unwrap_err().to_string();
        assert!(
            e.starts_with("f.rules:2: rule 'y': regex too large: compiled, it exceeds the regex crate's limit of 10 MiB"),
            "{e}"
        );
    }

    #[test]
    fn what_a_strip_leaves_is_judged_again() {
        let m = matcher(concat!(
            "a ad line Advertisement\n",
            r"b disclaimer regex,strip \s*\(banned in russia\)",
            "\n",
            r"c ad regex,strip,case (\*)",
            "\n"
        ));
        assert_eq!(
            m.verdict(b"Units of Daesh** fled", &mut Scratch::new()),
            Verdict::Strip
        );
        let mut s = Scratch::new();
        assert_eq!(
            m.verdict(b"Advertisement (banned in Russia)", &mut s),
            Verdict::Drop(0)
        );
        // a second round's span maps back to the original line
        let m = matcher("x ad contains,strip bc\ny ad contains,strip ad\n");
        assert_eq!(m.verdict(b"abcd!", &mut s), Verdict::Strip);
        assert_eq!(s.stripped(), b"!");
        let spans: Vec<(usize, usize)> = s.spans().iter().map(|p| (p.start, p.end)).collect();
        assert_eq!(spans, vec![(0, 4)]);
    }

    #[test]
    fn edge_keys_only_hit_at_the_edge() {
        // "ver" ends where "adver" does, but does not start the line.
        let m =
            matcher("a ad prefix advert\nb ad prefix ver\nc ad suffix ment\nd ad suffix isem\n");
        let mut hits = Vec::new();
        m.edge_hits(b"Advertisement", &mut hits);
        let rules: Vec<u32> = hits
            .iter()
            .map(|h| match m.targets[h.0 as usize] {
                Target::Literal(r) | Target::Key(r) => r,
            })
            .collect();
        assert_eq!(rules, vec![0, 2]);
    }

    #[test]
    fn blanks_are_the_characters_trim_bounds_trims() {
        for b in BLANKS {
            assert_eq!(blank_prefix(b), b.len(), "{b:?}");
            assert_eq!(blank_suffix(b), b.len(), "{b:?}");
        }
        // Every sequence of up to three bytes that starts (or ends) with a blank starts (or
        // ends) with one of BLANKS, or is a `\n`.
        let lead = |s: &[u8]| BLANKS.iter().any(|b| s.starts_with(b)) || s[0] == b'\n';
        let trail = |s: &[u8]| BLANKS.iter().any(|b| s.ends_with(b)) || s.ends_with(b"\n");
        for x in 0..=255u8 {
            for y in 0..=255u8 {
                for z in [0x80, 0x8B, 0x9F, 0xA0, 0xAF, 0xBF, b'a'] {
                    let s = [x, y, z];
                    assert_eq!(blank_prefix(&s) > 0, lead(&s), "{s:?}");
                    let s = [z, x, y];
                    assert_eq!(blank_suffix(&s) > 0, trail(&s), "{s:?}");
                }
            }
        }
    }

    #[test]
    fn the_builtin_packs_fold_their_edges() {
        // So the property tests, which compare every scanned line with `verdict`, exercise the
        // folded search.
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let m = Matcher::new(&specs).unwrap();
        let f = m.fold.as_ref().unwrap();
        assert!(f.edge.iter().filter(|&&e| e != MARK).count() > 2000);
    }

    #[test]
    fn edge_automata_are_tries_when_folded_and_dfas_when_they_run_on_every_line() {
        let is_dfa =
            |e: &Option<Edge>| matches!(e.as_ref().unwrap().automaton, EdgeAutomaton::Dfa(..));
        let is_trie =
            |e: &Option<Edge>| matches!(e.as_ref().unwrap().automaton, EdgeAutomaton::Trie(_));
        // Folded: the edge automata only see lines with a blank edge.
        let m = matcher("p crosslink prefix Read more:\ns promo suffix share this\n");
        assert!(m.fold.is_some());
        assert!(is_trie(&m.starts) && is_trie(&m.ends));
        let mut s = Scratch::new();
        assert_eq!(m.verdict(b"  READ MORE: x", &mut s), Verdict::Drop(0));
        assert_eq!(
            m.verdict("Please Share This\u{a0}".as_bytes(), &mut s),
            Verdict::Drop(1)
        );
        assert_eq!(m.verdict(b" We read more: x", &mut s), Verdict::Keep);
        // Over 256 KiB of floating patterns nothing is folded: the edges run on every line.
        let mut rules = String::from("p crosslink prefix Read more:\ns promo suffix share this\n");
        for i in 0..3000 {
            rules.push_str(&format!("c{i} ad contains {i:0>100}\n"));
        }
        let m = matcher(&rules);
        assert!(m.fold.is_none());
        assert!(is_dfa(&m.starts) && is_dfa(&m.ends));
        assert_eq!(m.verdict(b"  Read more: x", &mut s), Verdict::Drop(0));
        assert_eq!(m.verdict(b"Please share this ", &mut s), Verdict::Drop(1));
        assert_eq!(m.verdict(b"We read more: x", &mut s), Verdict::Keep);
    }

    #[test]
    fn folded_edges_give_what_the_edge_automata_give() {
        let m = matcher(
            "p crosslink prefix Read more:\n\
             s promo suffix share this\n\
             l ad line Advertisement\n\
             r widget regex ^Poll: .*\\?$\n\
             f ad contains sponsored\n",
        );
        assert!(m.fold.is_some());
        let lines: &[&[u8]] = &[
            b"Read more: x",
            b"  Read more: x",
            b"\xC2\xA0Read more: x\xE2\x80\x8B",
            b"We read more: books",
            b"Please share this",
            b"Please share this \t",
            b"Please share this\r ",
            b"share this",
            b"Advertisement",
            b"\xEF\xBB\xBFAdvertisement ",
            b"Advertisement here",
            b"Poll: yes?",
            b" Poll: yes? ",
            b"A sponsored line",
            b"",
            b" ",
            b"plain text",
        ];
        let mut scratch = Scratch::new();
        for ends in [&b"\n"[..], b"\r\n"] {
            for last in [true, false] {
                let mut chunk = Vec::new();
                let mut bounds = Vec::new();
                for (i, l) in lines.iter().chain(lines).enumerate() {
                    let ls = chunk.len();
                    chunk.extend_from_slice(l);
                    let ce = chunk.len();
                    if !(last && i == 2 * lines.len() - 1) {
                        chunk.extend_from_slice(ends);
                    }
                    bounds.push((ls, ce, chunk.len()));
                }
                let want: Vec<_> = bounds
                    .iter()
                    .filter_map(|&(ls, ce, le)| {
                        let v = m.verdict(&chunk[ls..ce], &mut scratch);
                        (v != Verdict::Keep).then_some((ls, ce, le, v))
                    })
                    .collect();
                let mut got = Vec::new();
                m.scan::<()>(&chunk, &mut scratch, |ls, ce, le, v, _| {
                    got.push((ls, ce, le, v));
                    Ok(())
                })
                .unwrap();
                assert_eq!(got, want, "{ends:?} last unterminated: {last}");
                assert!(want.len() >= 20);
            }
        }
    }

    #[test]
    fn trim_and_counts() {
        assert_eq!(trim_bounds(b"\xef\xbb\xbf a \xc2\xa0"), (4, 5));
        assert_eq!(trim_bounds(b"   "), (3, 3));
        assert_eq!(char_count("añb".as_bytes()), 3);
        // Runs of 255 bytes and more, every byte value: the same count as byte by byte.
        let all: Vec<u8> = (0..2000u32).map(|i| (i * 7 % 256) as u8).collect();
        for n in [0, 1, 254, 255, 256, 510, 511, 2000] {
            let want = all[..n].iter().filter(|&&b| (b & 0xC0) != 0x80).count();
            assert_eq!(char_count(&all[..n]), want, "{n} bytes");
        }
        // Every byte starts a character: a run's count reaches 255.
        assert_eq!(char_count(&[b'a'; 600]), 600);
        assert_eq!(word_count(b" a  b\xc2\xa0c "), 3);
        assert_eq!(word_count_upto(b"a b c", 3), (3, true));
        assert_eq!(word_count_upto(b"a b c d", 3), (3, false));
        assert_eq!(word_count_upto(b"", 0), (0, true));
    }

    /// The byte-by-byte word count that `word_count_upto` replaced.
    fn word_count_walk(s: &[u8], cap: usize) -> (usize, bool) {
        let (mut n, mut in_word, mut i) = (0, false, 0);
        while i < s.len() {
            if s[i].is_ascii_whitespace() || (s[i] == 0xC2 && s.get(i + 1) == Some(&0xA0)) {
                in_word = false;
                i += if s[i] == 0xC2 { 2 } else { 1 };
                continue;
            }
            if !in_word {
                if n == cap {
                    return (cap, false);
                }
                n += 1;
                in_word = true;
            }
            i += 1;
        }
        (n, true)
    }

    /// The side-by-side count equals the walk on lines built from the bytes that matter
    /// (blanks, NBSP halves, letters, vertical tab, which is no separator), of every length up
    /// to past a 255-byte run, with caps below, at and above the count.
    #[test]
    fn word_count_equals_the_byte_walk() {
        let alphabet = [
            b' ', b'\t', b'\n', 0x0B, 0x0C, b'\r', 0xC2, 0xA0, b'a', 0xD0,
        ];
        let mut seed = 0x2545_f491_u32;
        for len in (0..40).chain([254, 255, 256, 257, 258, 600]) {
            for _ in 0..200 {
                let line: Vec<u8> = (0..len)
                    .map(|_| {
                        seed ^= seed << 13;
                        seed ^= seed >> 17;
                        seed ^= seed << 5;
                        alphabet[seed as usize % alphabet.len()]
                    })
                    .collect();
                let (all, _) = word_count_walk(&line, usize::MAX);
                for cap in [0, all.saturating_sub(1), all, all + 1, usize::MAX] {
                    assert_eq!(
                        word_count_upto(&line, cap),
                        word_count_walk(&line, cap),
                        "{line:?} cap {cap}"
                    );
                }
            }
        }
    }

    /// The invented example lines quoted in the packs' comments, and every line of four
    /// fixtures.
    fn example_lines() -> Vec<String> {
        let mut examples: Vec<String> = Vec::new();
        for p in crate::packs::PACKS {
            for c in p.text.lines().filter(|l| l.starts_with('#')) {
                for (open, close) in [('"', '"'), ('“', '”'), ('«', '»')] {
                    let mut rest = c;
                    while let Some(a) = rest.find(open) {
                        let tail = &rest[a + open.len_utf8()..];
                        let Some(b) = tail.find(close) else { break };
                        examples.push(tail[..b].to_string());
                        rest = &tail[b + close.len_utf8()..];
                    }
                }
            }
        }
        for f in [
            include_str!("../fixtures/every-kind.txt"),
            include_str!("../fixtures/only-chaff.txt"),
            include_str!("../fixtures/seed-shapes.txt"),
            include_str!("../fixtures/documents-footnotes.txt"),
        ] {
            examples.extend(f.lines().map(str::to_string));
        }
        examples
    }

    /// Drop rules' regexes are searched by engines chosen here (forward only, see `Tester`),
    /// not by `regex`: on the packs' own example lines and the fixtures, every built-in regex
    /// must give `regex`'s answer on each path. Each line is tried as it is (backtracker, or
    /// the lazy DFA first), behind 300 blanks (past `BACKTRACK_BYTES`: lazy DFA), behind 150
    /// no-break spaces (past it, and a lazy DFA with a Unicode `\b` gives up on non-ASCII:
    /// PikeVM), behind 20 no-break spaces (short: with the lazy DFA first, a DFA that gives up
    /// hands the line to the backtracker) and followed by 300 blanks; in both orders and in
    /// the order the regex's size and use choose.
    #[test]
    fn built_in_regexes_give_the_regex_crates_answer_on_every_engine_path() {
        let examples = example_lines();
        assert!(examples.len() > 150, "{}", examples.len());
        let pads = [
            (String::new(), String::new()),
            (" ".repeat(300), String::new()),
            ("\u{a0}".repeat(150), String::new()),
            ("\u{a0}".repeat(20), String::new()),
            (String::new(), " ".repeat(300)),
        ];
        let lines: Vec<(usize, String)> = pads
            .iter()
            .enumerate()
            .flat_map(|(i, (head, tail))| {
                examples
                    .iter()
                    .map(move |e| (i, format!("{head}{e}{tail}")))
            })
            .collect();
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let mut hits = [0usize; 5];
        let mut shapes = [0usize; 2];
        for s in specs.iter().filter(|s| s.kind == Kind::Regex) {
            let ci = !s.case_sensitive;
            let strip = s.action == Action::Strip;
            let ours = LazyRegex::new(&s.pattern, ci, strip).build().unwrap();
            match (&ours, strip) {
                (Compiled::Test(_), false) => shapes[0] += 1,
                (Compiled::TestFromEnd(_), false) => shapes[1] += 1,
                (Compiled::Spans(_), true) => {}
                _ => panic!("{}: compiled for the wrong use", s.id),
            }
            let reference = RegexBuilder::new(&s.pattern)
                .case_insensitive(ci)
                .build()
                .unwrap();
            for (i, line) in &lines {
                let want = reference.is_match(line.as_bytes());
                let line = line.as_bytes();
                assert_eq!(ours.is_match(line), want, "{}: {line:?}", s.id);
                for dfa_first in [false, true] {
                    let got = ours.is_match_in(line, dfa_first);
                    assert_eq!(got, want, "{} (DFA first: {dfa_first}): {line:?}", s.id);
                }
                hits[*i] += usize::from(want);
            }
        }
        // Both drop shapes occur, and every padding leaves lines that match.
        assert!(shapes.iter().all(|&n| n > 0), "{shapes:?}");
        assert!(hits.iter().all(|&n| n > 20), "{hits:?}");
    }

    /// A small regex counts the lines it verifies up to `WARM_CALLS`, leaving its lazy DFA
    /// untouched, and then tries the lazy DFA first (its cache fills with states); on a
    /// non-ASCII line its Unicode `\b` makes that DFA quit, and the answer still equals
    /// `regex`'s. A large regex never counts and never touches its lazy DFA.
    #[test]
    fn a_small_regex_tries_the_lazy_dfa_first_once_warm() {
        let hir = keys::parse(r"\bfoo\b", true).unwrap();
        let small = Tester::new(&hir).unwrap();
        assert!(small.small);
        let reference = Regex::new(r"(?i)\bfoo\b").unwrap();
        let dfa_bytes = |t: &Tester| t.pool.get().dfa.as_ref().unwrap().memory_usage();
        let fresh = dfa_bytes(&small);
        let lines = ["a foo b", "afoob", "é foo é", "éfooé", "FOO", "xyz"];
        for i in 0..WARM_CALLS as usize * 2 {
            let line = lines[i % lines.len()].as_bytes();
            assert_eq!(small.is_match(line), reference.is_match(line), "{line:?}");
            let calls = small.pool.get().calls as usize;
            assert_eq!(calls, (i + 1).min(WARM_CALLS as usize));
            if i < WARM_CALLS as usize {
                assert_eq!(
                    dfa_bytes(&small),
                    fresh,
                    "lazy DFA used before warm, line {i}"
                );
            }
        }
        assert!(dfa_bytes(&small) > fresh, "lazy DFA not used once warm");
        let hir = keys::parse(r"^\s*sign up\b.{0,160}\bnewsletters?\b", true).unwrap();
        let large = Tester::new(&hir).unwrap();
        assert!(!large.small);
        let fresh = dfa_bytes(&large);
        for _ in 0..WARM_CALLS * 2 {
            assert!(large.is_match(b"Sign up for our daily newsletter"));
        }
        assert_eq!(large.pool.get().calls, 0);
        assert_eq!(dfa_bytes(&large), fresh, "a large regex used its lazy DFA");
    }

    /// Compiling on several threads gives the same rules and the same verdicts, and reports the
    /// same first error.
    #[test]
    fn compiling_on_threads_gives_the_same_matcher() {
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let text = example_lines().join("\n");
        let judge = |m: &Matcher| -> Vec<Verdict> {
            let mut sc = Scratch::new();
            text.lines()
                .map(|l| m.verdict(l.as_bytes(), &mut sc))
                .collect()
        };
        let one = Matcher::new(&specs).unwrap();
        let want = judge(&one);
        let dropped = want.iter().filter(|v| **v != Verdict::Keep).count();
        assert!(dropped > 100, "{dropped}");
        for threads in [2, 3, 8] {
            let m = Matcher::with_threads(&specs, threads).unwrap();
            assert_eq!(format!("{:?}", m.rules()), format!("{:?}", one.rules()));
            assert_eq!(judge(&m), want, "{threads} threads");
        }
        // The packs' keys come from the build script's table; the same regexes written
        // differently miss it, so their key search runs, split over the threads.
        let unlisted: Vec<RuleSpec> = specs
            .iter()
            .cloned()
            .map(|mut s| {
                if s.kind == Kind::Regex {
                    s.pattern = format!("(?:){}", s.pattern);
                    assert!(precomputed_keys(&s.pattern, !s.case_sensitive).is_none());
                }
                s
            })
            .collect();
        let one = Matcher::new(&unlisted).unwrap();
        let want = judge(&one);
        assert!(want.iter().filter(|v| **v != Verdict::Keep).count() > 100);
        for threads in [2, 3, 8] {
            let m = Matcher::with_threads(&unlisted, threads).unwrap();
            assert_eq!(format!("{:?}", m.rules()), format!("{:?}", one.rules()));
            assert_eq!(judge(&m), want, "{threads} threads, searched at start-up");
        }
        // A bad regex among enough others that the key search is split.
        let rules: String = (0..100)
            .map(|i| match i {
                70 => "bad ad regex (unclosed\n".to_string(),
                _ => format!("u{i} ad regex ^teaser {i}\\b\n"),
            })
            .collect();
        let user = parse_rules("t", &rules, &mut Vec::new()).unwrap();
        let err = |t| Matcher::with_threads(&user, t).err().unwrap().to_string();
        assert!(err(1).contains("bad"), "{}", err(1));
        assert_eq!(err(1), err(2));
    }
}
