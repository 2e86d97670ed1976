//! Floating-pattern search over a chunk of whole lines, with several DFA walks in lockstep.
//!
//! # Why this module exists
//!
//! The floating patterns (`contains` literals and unanchored regex keys) are searched once per
//! chunk. `AhoCorasick::find_overlapping_iter` does that with one DFA walk, and each step's
//! transition load must wait for the previous one: the search runs at the latency of a load per
//! byte. Its prefilter would skip ahead, but aho-corasick turns it off as soon as one
//! case-insensitive pattern lacks rare bytes, which chaff packs always have; on news text the
//! search ran at 250-450 MB/s.
//!
//! No pattern contains `\n`, so a walk that starts right after a `\n` starts in the DFA's
//! unanchored start state (reading `\n` leads back to it: no pattern prefix ends in `\n`) and no
//! match crosses a `\n`. [`Lockstep`] therefore cuts the chunk at line starts into [`LANES`]
//! segments and steps one walk per segment, interleaved in one loop. The walks are independent,
//! so the CPU overlaps their loads; the matches of each segment are kept apart and appended
//! segment by segment, which is exactly what one overlapping search of the whole chunk reports.
//!
//! The DFA is built by aho-corasick and copied into a table of our own (see [`Lockstep`]), so a
//! step is two loads and an add. The hot loop reads [`BLOCK`] bytes per lane at a time (one
//! bounds check per block) and only tests "is this a match state" (one compare) per step;
//! matches are decoded in a cold function. The match states of an unanchored, prefilter-free
//! standard DFA are its only special states (the dead state is unreachable; `new` checks).

use aho_corasick::automaton::{Automaton, StateID};
use aho_corasick::{Anchored, MatchKind, StartKind, dfa};
use memchr::memchr;

/// Number of DFA walks stepped together. With aho-corasick's own `next_state`, 4 was as fast as
/// 8 (its bounds checks and wide ids were the bottleneck, not the loads) and 16 was slowest (the
/// states no longer fit in registers). With the table below and 64-byte blocks, 8 lanes took
/// 8.8 instructions per byte against 11.7 before (callgrind, mixed list) and ran about a
/// quarter faster (BENCHMARKS.md).
pub(crate) const LANES: usize = 8;

/// Bytes each lane reads per block: one bounds check and one copy per block instead of per
/// byte. 16 left the per-block set-up at a quarter of the loop's instructions; 64 amortises it.
const BLOCK: usize = 64;

/// Chunks shorter than this (single lines, say) are searched with one walk: splitting would not
/// pay off.
const MIN_SPLIT: usize = 1024;

/// One match: (pattern index in the list given to [`Lockstep::new`], start, end).
type Hit = (u32, usize, usize);

/// An unanchored, ASCII case-insensitive DFA over the floating patterns, searched in lockstep.
///
/// The DFA is built by aho-corasick and then copied into a table of our own: `u32` state ids
/// premultiplied by the number of byte classes, match states numbered first so that "is this a
/// match state" is one compare, and no bounds check per step (the table is closed: every entry is
/// a valid state id). aho-corasick's `next_state` through its `Automaton` trait costs a bounds
/// check and a wider id per step, which at 8 lanes is most of the loop.
pub(crate) struct Lockstep {
    /// `trans[sid + class]` is the next state; `sid` is premultiplied by `stride`.
    trans: Box<[u32]>,
    /// Byte to equivalence class.
    classes: [u8; 256],
    /// Premultiplied id of the start state.
    start: u32,
    /// States below this premultiplied id are match states.
    match_limit: u32,
    stride: usize,
    /// Per match state (`sid / stride`): its range in `matches`.
    match_ranges: Box<[(u32, u32)]>,
    /// (pattern, pattern length) of every match state, in aho-corasick's order.
    matches: Box<[(u32, u32)]>,
}

impl Lockstep {
    /// Builds the DFA for `patterns`. Returns `None` when the set cannot be searched this way:
    /// it is empty, a pattern is empty or contains `\n` (segments would not be independent), or
    /// the DFA cannot be built. The caller then keeps its `AhoCorasick` search.
    pub(crate) fn new(patterns: &[Vec<u8>]) -> Option<Lockstep> {
        if patterns.is_empty() || patterns.iter().any(|p| p.is_empty() || p.contains(&b'\n')) {
            return None;
        }
        let dfa = dfa::Builder::new()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .start_kind(StartKind::Unanchored)
            .byte_classes(true)
            .prefilter(false)
            .build(patterns)
            .ok()?;
        let start = dfa.start_state(Anchored::No).ok()?;
        // What the segments rely on: `\n` leads back to the start state, which reports nothing.
        if dfa.is_special(start) || dfa.next_state(Anchored::No, start, b'\n') != start {
            return None;
        }
        Self::copy(&dfa, start, patterns)
    }

    /// Copies the states reachable from `start` into our own table.
    ///
    /// Byte classes come from the patterns: every byte that occurs in a pattern has a class of
    /// its own (shared with its ASCII case twin), all other bytes share class 0. With ASCII case
    /// folding and without anchoring, bytes of one class lead to the same state from every state;
    /// the copy checks that on all 256 bytes of every state and gives up (returns `None`) if not.
    fn copy(dfa: &dfa::DFA, start: StateID, patterns: &[Vec<u8>]) -> Option<Lockstep> {
        let mut classes = [0u8; 256];
        let mut stride = 1usize;
        for &b in patterns.iter().flatten() {
            let b = b.to_ascii_lowercase();
            if classes[b as usize] == 0 {
                if stride > 255 {
                    return None;
                }
                classes[b as usize] = stride as u8;
                classes[b.to_ascii_uppercase() as usize] = stride as u8;
                stride += 1;
            }
        }
        let mut rep = [0u8; 256];
        for b in (0..=255u8).rev() {
            rep[classes[b as usize] as usize] = b;
        }
        // aho-corasick's state ids index its transition table, which is part of its memory.
        let mut index = vec![u32::MAX; dfa.memory_usage() / 4 + 1];
        let mut order: Vec<StateID> = vec![start];
        *index.get_mut(start.as_usize())? = 0;
        // Successors per state and class, as indices into `order`.
        let mut rows: Vec<u32> = Vec::new();
        let mut next_of = [StateID::ZERO; 256];
        let mut i = 0;
        while i < order.len() {
            let sid = order[i];
            for b in 0..=255u8 {
                next_of[b as usize] = dfa.next_state(Anchored::No, sid, b);
            }
            if (0..256).any(|b| next_of[b] != next_of[rep[classes[b] as usize] as usize]) {
                return None;
            }
            for &b in &rep[..stride] {
                let next = next_of[b as usize];
                if dfa.is_dead(next) {
                    return None;
                }
                let slot = index.get_mut(next.as_usize())?;
                if *slot == u32::MAX {
                    *slot = order.len() as u32;
                    order.push(next);
                }
                rows.push(*slot);
            }
            i += 1;
        }
        let states = order.len();
        // New numbering: match states first, the others after, each in discovery order.
        let is_match: Vec<bool> = order.iter().map(|&s| dfa.is_match(s)).collect();
        let mut renum = vec![0u32; states];
        let mut next = 0u32;
        for pass in [true, false] {
            for s in 0..states {
                if is_match[s] == pass {
                    renum[s] = next;
                    next += 1;
                }
            }
        }
        let n_match = is_match.iter().filter(|&&m| m).count();
        let premul = |s: u32| -> Option<u32> { u32::try_from(s as usize * stride).ok() };
        premul(states as u32)?;
        let mut trans = vec![0u32; states * stride];
        for s in 0..states {
            let row = renum[s] as usize * stride;
            for c in 0..stride {
                trans[row + c] = premul(renum[rows[s * stride + c] as usize])?;
            }
        }
        let mut match_ranges = vec![(0u32, 0u32); n_match];
        let mut matches = Vec::new();
        for (s, &sid) in order.iter().enumerate() {
            if is_match[s] {
                let from = matches.len() as u32;
                for k in 0..dfa.match_len(sid) {
                    let p = dfa.match_pattern(sid, k);
                    matches.push((p.as_u32(), dfa.pattern_len(p) as u32));
                }
                match_ranges[renum[s] as usize] = (from, matches.len() as u32);
            }
        }
        Some(Lockstep {
            trans: trans.into_boxed_slice(),
            classes,
            start: premul(renum[0])?,
            match_limit: premul(n_match as u32)?,
            stride,
            match_ranges: match_ranges.into_boxed_slice(),
            matches: matches.into_boxed_slice(),
        })
    }

    /// Heap bytes held by the table and the match lists.
    #[cfg(test)]
    pub(crate) fn memory_usage(&self) -> usize {
        self.trans.len() * 4 + self.match_ranges.len() * 8 + self.matches.len() * 8
    }

    /// The state after `sid` on byte `b`.
    #[inline(always)]
    fn next(&self, sid: u32, b: u8) -> u32 {
        let i = sid as usize + self.classes[b as usize] as usize;
        debug_assert!(i < self.trans.len());
        // SAFETY: `sid` is a premultiplied state id (the start state or an entry of `trans`, all
        // of which `copy` built as `state * stride` with `state` < the number of states) and a
        // class is < `stride`, so `i` < states * stride = `trans.len()`.
        unsafe { *self.trans.get_unchecked(i) }
    }

    /// Appends to `out` every overlapping match in `chunk` as `(pattern, start, end)`, in the
    /// order `AhoCorasick::find_overlapping_iter` (ASCII case-insensitive, standard match kind)
    /// reports them: by end, then in the DFA's order among matches with the same end. `chunk` can
    /// be any bytes (a single line too); it is only ever split right after a `\n`.
    pub(crate) fn find_all(&self, chunk: &[u8], out: &mut Vec<Hit>) {
        if chunk.len() < MIN_SPLIT {
            self.walk(chunk, 0, chunk.len(), self.start, out);
        } else {
            self.lockstep::<LANES>(chunk, out);
        }
    }

    /// Steps one walk from state `sid` over `chunk[from..to]`, appending its matches to `out`.
    #[inline]
    fn walk(&self, chunk: &[u8], from: usize, to: usize, mut sid: u32, out: &mut Vec<Hit>) {
        for (i, &b) in chunk[from..to].iter().enumerate() {
            sid = self.next(sid, b);
            if sid < self.match_limit {
                self.report(sid, from + i + 1, out);
            }
        }
    }

    /// Appends the matches of match state `sid`, entered on the byte before offset `end`.
    #[cold]
    #[inline(never)]
    fn report(&self, sid: u32, end: usize, out: &mut Vec<Hit>) {
        let (a, b) = self.match_ranges[sid as usize / self.stride];
        for &(p, len) in &self.matches[a as usize..b as usize] {
            out.push((p, end - len as usize, end));
        }
    }

    /// Cuts `chunk` into `L` segments, each starting at offset 0 or right after a `\n`:
    /// `(starts, ends)`. Segments can be empty when lines are long.
    fn split<const L: usize>(chunk: &[u8]) -> ([usize; L], [usize; L]) {
        let n = chunk.len();
        let mut starts = [0; L];
        let mut ends = [n; L];
        for l in 1..L {
            let target = (n / L * l).max(starts[l - 1]);
            let cut = memchr(b'\n', &chunk[target..]).map_or(n, |i| target + i + 1);
            starts[l] = cut;
            ends[l - 1] = cut;
        }
        (starts, ends)
    }

    /// Searches `chunk` as `L` segments stepped together, a block of `BLOCK` bytes per lane at a
    /// time. A lane with less than a block left walks its rest on its own and then idles on
    /// `\n` bytes, which keep it in the (non-matching) start state, so uneven segments do not
    /// leave one long serial tail. When only a quarter of the lanes are still busy, they finish
    /// one after the other.
    // `k` indexes every lane's block: a byte of each lane per step is the point of the loop.
    #[allow(clippy::needless_range_loop)]
    fn lockstep<const L: usize>(&self, chunk: &[u8], out: &mut Vec<Hit>) {
        const IDLE: [u8; BLOCK] = [b'\n'; BLOCK];
        let (mut pos, ends) = Self::split::<L>(chunk);
        // Lane 0 appends to `out` directly; the others collect apart and are appended in order.
        let mut bufs: [Vec<Hit>; L] = std::array::from_fn(|_| Vec::new());
        bufs[0] = std::mem::take(out);
        let mut sids = [self.start; L];
        let limit = self.match_limit;
        loop {
            let busy: [bool; L] = std::array::from_fn(|l| ends[l] - pos[l] >= BLOCK);
            for l in 0..L {
                if !busy[l] && pos[l] < ends[l] {
                    self.walk(chunk, pos[l], ends[l], sids[l], &mut bufs[l]);
                    pos[l] = ends[l];
                    sids[l] = self.start;
                }
            }
            if busy.iter().filter(|&&b| b).count() * 4 <= L {
                break;
            }
            let blocks: [[u8; BLOCK]; L] = std::array::from_fn(|l| {
                let at = pos[l];
                if busy[l] {
                    chunk[at..at + BLOCK].try_into().unwrap()
                } else {
                    IDLE
                }
            });
            for k in 0..BLOCK {
                for l in 0..L {
                    let sid = self.next(sids[l], blocks[l][k]);
                    sids[l] = sid;
                    if sid < limit {
                        self.report(sid, pos[l] + k + 1, &mut bufs[l]);
                    }
                }
            }
            for l in 0..L {
                if busy[l] {
                    pos[l] += BLOCK;
                }
            }
        }
        for l in 0..L {
            self.walk(chunk, pos[l], ends[l], sids[l], &mut bufs[l]);
        }
        *out = std::mem::take(&mut bufs[0]);
        for b in &bufs[1..] {
            out.extend_from_slice(b);
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, AhoCorasickKind};

    /// What `Matcher` uses today: the search `find_all` must reproduce.
    fn searcher(patterns: &[Vec<u8>]) -> AhoCorasick {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(patterns)
            .unwrap()
    }

    fn reference(ac: &AhoCorasick, chunk: &[u8]) -> Vec<Hit> {
        ac.find_overlapping_iter(chunk)
            .map(|m| (m.pattern().as_u32(), m.start(), m.end()))
            .collect()
    }

    /// A search under test.
    type Search = fn(&Lockstep, &[u8], &mut Vec<Hit>);

    /// Checks `find_all` and the lockstep search with several lane counts against the reference,
    /// appending after existing content of `out`.
    fn check(ls: &Lockstep, ac: &AhoCorasick, chunk: &[u8]) {
        let want = reference(ac, chunk);
        let seed = (7, 0, 0);
        let runs: [(&str, Search); 6] = [
            ("find_all", |l, c, o| l.find_all(c, o)),
            ("2 lanes", |l, c, o| l.lockstep::<2>(c, o)),
            ("3 lanes", |l, c, o| l.lockstep::<3>(c, o)),
            ("LANES", |l, c, o| l.lockstep::<LANES>(c, o)),
            ("8 lanes", |l, c, o| l.lockstep::<8>(c, o)),
            ("16 lanes", |l, c, o| l.lockstep::<16>(c, o)),
        ];
        for (name, run) in runs {
            let mut got = vec![seed];
            run(ls, chunk, &mut got);
            assert_eq!(got[0], seed, "{name}: existing content kept");
            assert!(
                got[1..] == want[..],
                "{name} differs on {:?}",
                String::from_utf8_lossy(chunk)
            );
        }
    }

    /// A small deterministic generator (xorshift64*), so failures reproduce without a seed file.
    struct Rng(u64);

    impl Rng {
        fn next(&mut self) -> u64 {
            self.0 ^= self.0 >> 12;
            self.0 ^= self.0 << 25;
            self.0 ^= self.0 >> 27;
            self.0.wrapping_mul(0x2545_f491_4f6c_dd1d)
        }

        fn below(&mut self, n: usize) -> usize {
            (self.next() % n as u64) as usize
        }

        fn pick<'a>(&mut self, items: &[&'a [u8]]) -> &'a [u8] {
            items[self.below(items.len())]
        }
    }

    /// Pieces of pattern and text: a small alphabet so that matches overlap and share prefixes,
    /// non-ASCII letters whose case ASCII folding leaves alone, and `\r`.
    const PIECES: [&[u8]; 10] = [
        b"a",
        b"b",
        b"c",
        b"A",
        b"B",
        b" ",
        "é".as_bytes(),
        "É".as_bytes(),
        b"\r",
        b"ab",
    ];

    /// A line of random pieces with some patterns planted, each byte's ASCII case flipped at
    /// random.
    fn line(rng: &mut Rng, patterns: &[Vec<u8>], max_pieces: usize) -> Vec<u8> {
        let mut l = Vec::new();
        for _ in 0..rng.below(max_pieces + 1) {
            if !patterns.is_empty() && rng.below(4) == 0 {
                let p = &patterns[rng.below(patterns.len())];
                l.extend(p.iter().map(|&b| {
                    if rng.below(2) == 0 {
                        b.to_ascii_uppercase()
                    } else {
                        b.to_ascii_lowercase()
                    }
                }));
            } else {
                l.extend_from_slice(rng.pick(&PIECES));
            }
        }
        l
    }

    /// Lines with `\n` or `\r\n` endings, empty lines, and sometimes no final newline.
    fn chunk(rng: &mut Rng, patterns: &[Vec<u8>], min_len: usize, max_pieces: usize) -> Vec<u8> {
        let mut c = Vec::new();
        while c.len() < min_len || rng.below(3) != 0 {
            if rng.below(6) != 0 {
                c.extend(line(rng, patterns, max_pieces));
            }
            c.extend_from_slice(if rng.below(3) == 0 { b"\r\n" } else { b"\n" });
            if c.len() > min_len && rng.below(8) == 0 {
                break;
            }
        }
        if rng.below(3) == 0 {
            c.extend(line(rng, patterns, max_pieces));
        }
        c
    }

    fn patterns(rng: &mut Rng) -> Vec<Vec<u8>> {
        (0..1 + rng.below(12))
            .map(|_| {
                let mut p = Vec::new();
                while p.is_empty() || (p.len() < 6 && rng.below(2) == 0) {
                    p.extend_from_slice(rng.pick(&PIECES));
                }
                p
            })
            .collect()
    }

    #[test]
    fn table() {
        let pats: Vec<Vec<u8>> = ["he", "she", "his", "hers", "é"]
            .iter()
            .map(|p| p.as_bytes().to_vec())
            .collect();
        let ls = Lockstep::new(&pats).unwrap();
        let ac = searcher(&pats);
        let chunk = "Ushers\r\nHIS\n\nshe\nÉé".as_bytes();
        let mut got = Vec::new();
        ls.find_all(chunk, &mut got);
        // Same end: the longer pattern first. "É" is not folded to "é" (ASCII folding only).
        let want = vec![
            (1, 1, 4),
            (0, 2, 4),
            (3, 2, 6),
            (2, 8, 11),
            (1, 13, 16),
            (0, 14, 16),
            (4, 19, 21),
        ];
        assert_eq!(got, want);
        check(&ls, &ac, chunk);
        // Long enough to be split: every lane finds its share, in order.
        let mut long = Vec::new();
        while long.len() < 3 * MIN_SPLIT {
            long.extend_from_slice(chunk);
            long.push(b'\n');
        }
        got.clear();
        ls.find_all(&long, &mut got);
        assert_eq!(got.len(), long.len() / (chunk.len() + 1) * want.len());
        check(&ls, &ac, &long);
        // No match, empty chunk, a chunk shorter than the lane count, one long line.
        check(&ls, &ac, b"");
        check(&ls, &ac, b"\n");
        check(&ls, &ac, b"she\nhe");
        check(&ls, &ac, b"xyz\r\n");
        check(&ls, &ac, &b"ushers ".repeat(2 * MIN_SPLIT));
        check(
            &ls,
            &ac,
            &[b"x".repeat(3 * MIN_SPLIT), b"\nhers\n".to_vec()].concat(),
        );
    }

    #[test]
    fn unusable_pattern_sets_are_refused() {
        assert!(Lockstep::new(&[]).is_none());
        assert!(Lockstep::new(&[b"a".to_vec(), Vec::new()]).is_none());
        assert!(Lockstep::new(&[b"a\nb".to_vec()]).is_none());
        let ls = Lockstep::new(&[b"a\rb".to_vec()]).unwrap();
        assert!(ls.memory_usage() > 0);
    }

    #[test]
    fn equals_find_overlapping_iter_on_generated_chunks() {
        let mut rng = Rng(0x9e37_79b9_7f4a_7c15);
        for case in 0..400 {
            let pats = patterns(&mut rng);
            let ls = Lockstep::new(&pats).unwrap();
            let ac = searcher(&pats);
            let (min_len, pieces) = match case % 4 {
                0 => (0, 3),
                1 => (40, 12),
                2 => (MIN_SPLIT + rng.below(MIN_SPLIT), 30),
                _ => (MIN_SPLIT, 400),
            };
            let c = chunk(&mut rng, &pats, min_len, pieces);
            check(&ls, &ac, &c);
            // Every prefix ending in a newline is a chunk of whole lines too; short ones have
            // fewer bytes than lanes.
            if case % 4 == 0 {
                for n in 0..c.len().min(20) {
                    check(&ls, &ac, &c[..n]);
                }
            }
        }
    }

    /// The floating patterns of the built-in packs, collected as `Matcher::new` does (casings of
    /// non-ASCII literals approximated).
    fn builtin_floating() -> Vec<Vec<u8>> {
        use crate::keys::{Place, regex_keys};
        use crate::rules::Kind;
        let mut cats = Vec::new();
        let specs = crate::packs::builtin_specs(None, &mut cats).unwrap();
        let mut out = Vec::new();
        for s in &specs {
            match s.kind {
                Kind::Regex => {
                    if let Some((Place::Floating, keys)) = regex_keys(&s.pattern, !s.case_sensitive)
                    {
                        out.extend(keys);
                    }
                }
                Kind::Line | Kind::Prefix | Kind::Suffix => {}
                _ if s.case_sensitive || s.pattern.is_ascii() => {
                    out.push(s.pattern.as_bytes().to_vec());
                }
                _ => {
                    let lower = s.pattern.to_lowercase();
                    let mut v = vec![s.pattern.clone(), s.pattern.to_uppercase()];
                    let mut c = lower.chars();
                    if let Some(f) = c.next() {
                        v.push(f.to_uppercase().chain(c).collect());
                    }
                    v.push(lower);
                    v.sort();
                    v.dedup();
                    out.extend(v.into_iter().map(String::into_bytes));
                }
            }
        }
        out
    }

    #[test]
    fn equals_find_overlapping_iter_with_builtin_patterns() {
        let pats = builtin_floating();
        assert!(pats.len() > 50);
        assert!(pats.iter().any(|p| !p.is_ascii()));
        let ls = Lockstep::new(&pats).unwrap();
        let ac = searcher(&pats);
        let mut rng = Rng(42);
        for min_len in [0, 100, MIN_SPLIT, 5 * MIN_SPLIT] {
            let c = chunk(&mut rng, &pats, min_len, 20);
            check(&ls, &ac, &c);
        }
    }
}
