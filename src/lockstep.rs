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
//! No pattern contains `\n` except as its first byte or in a line break at its end, so a walk
//! that starts right after a `\n` behaves the same whatever came before (`new` checks this on
//! the table), and no match crosses a line's content. [`Lockstep`] therefore cuts the chunk at
//! line starts into [`LANES`] segments and steps one walk per segment, interleaved in one loop.
//! The walks are independent, so the CPU overlaps their loads; the matches of each segment are
//! kept apart and appended segment by segment, which is exactly what one overlapping search of
//! the whole chunk reports. Patterns with a leading `\n` or a final line break are how the
//! matcher searches its line-start and line-end keys in the same pass
//! ([`Lockstep::find_lines`]).
//!
//! The DFA is built here, straight into a table of our own (see [`Lockstep`]), so a step is a
//! class lookup, an add and a load. The hot loop reads [`BLOCK`] bytes per lane at a time (one
//! bounds check per block) and only tests "is this a match state" (one compare) per step.
//! The loop has no call in it, so every lane's state stays in a register: on a match state it
//! only notes the state, lane and offset, and after the block the notes are reported from a
//! cold function (a match state's matches do not depend on how it was reached). Where the CPU
//! has AVX-512 VBMI, the blocks are filled with the bytes' classes rather than the bytes (see
//! `classify`), which takes the class lookup out of the loop. The match states of an
//! unanchored standard Aho-Corasick DFA are its only special states (it has no dead state).
//! The tests compare every search with aho-corasick's `find_overlapping_iter`, match order
//! included.

use memchr::memchr;

/// Number of DFA walks stepped together. With aho-corasick's own `next_state`, 4 was as fast as
/// 8 (its bounds checks and wide ids were the bottleneck, not the loads) and 16 was slowest (the
/// states no longer fit in registers). With the table below and 64-byte blocks, 8 lanes took
/// 8.8 instructions per byte against 11.7 before (callgrind, mixed list) and ran about a
/// quarter faster (BENCHMARKS.md); with every lane's state in a register, 6.3 (see
/// `Lockstep::block`).
pub(crate) const LANES: usize = 8;

/// Bytes each lane reads per block: one bounds check and one copy per block instead of per
/// byte. 16 left the per-block set-up at a quarter of the loop's instructions; 64 amortised
/// it, and 128 halves what is left per round (the class translation call, the busy lanes, the
/// notes): callgrind, `lit -j1` over 20 MB 146.2 -> 140.4 M instructions, packs 417.6 -> 411.7
/// M; `benches/rr.sh 15` over 200 MB, medians `lit` 134 -> 127 ms, `mixed` 164 -> 161 ms.
/// 256 counted a little fewer instructions still (409.5 M) but was no faster by the clock,
/// and leaves longer tails for a lane to walk alone.
const BLOCK: usize = 128;

/// Room for a match state noted at every step of a round of [`Lockstep::block`]: 16 lanes
/// (the most the tests run) of a [`BLOCK`] each.
const FOUND_CAP: usize = 16 * BLOCK;

/// A match state entered in [`Lockstep::block`]: its premultiplied id, lane and offset in the
/// lane's block, packed in a `u64` (id above bit 16, lane in bits 8-15, offset in bits 0-7).
#[derive(Clone, Copy)]
struct Found(u64);

impl Found {
    #[inline(always)]
    fn new(sid: usize, lane: usize, offset: usize) -> Found {
        Found(((sid as u64) << 16) | ((lane as u64) << 8) | offset as u64)
    }

    /// (state, lane, offset).
    fn get(self) -> (usize, usize, usize) {
        (
            (self.0 >> 16) as usize,
            ((self.0 >> 8) & 0xff) as usize,
            (self.0 & 0xff) as usize,
        )
    }
}

/// Chunks shorter than this (single lines, say) are searched with one walk: splitting would not
/// pay off.
const MIN_SPLIT: usize = 1024;

/// The bytes of prose, most frequent first (English letter frequencies; then the bytes that
/// follow and lead UTF-8 sequences of other scripts; then every other byte), in the order
/// [`Lockstep::build`] numbers the byte classes. A state's transitions on the bytes a text is
/// mostly made of then sit side by side in its row, a cache line or two rather than spread
/// over the whole row: with the packs the table is 7.6 MB, far more than a core's cache.
fn class_order() -> impl Iterator<Item = u8> {
    const FREQUENT: &[u8] = b" etaoinsrhldcumfpgwyb,.vk\n-'\"xjqz0123456789";
    let utf8 = || {
        (0x80..=0xbfu8)
            .chain([0xd0, 0xd1, 0xd8, 0xd9])
            .chain(0xe0..=0xefu8)
    };
    let first = move || FREQUENT.iter().copied().chain(utf8());
    first().chain((0..=255u8).filter(move |&b| !first().any(|f| f == b)))
}

/// One match: (pattern index in the list given to [`Lockstep::new`], start, end).
type Hit = (u32, usize, usize);

/// An unanchored, ASCII case-insensitive DFA over the floating patterns, searched in lockstep.
///
/// The DFA lives in a table of our own: `u32` state ids
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
    /// Premultiplied id of the state after a `\n`: where every walk but the first starts, and
    /// where [`Lockstep::find_lines`] starts the first one too. It is `start` unless some
    /// pattern begins with `\n` (see [`Lockstep::new`]).
    line_start: u32,
    /// States below this premultiplied id are match states.
    match_limit: u32,
    stride: usize,
    /// Per match state (`sid / stride`): its range in `matches`.
    match_ranges: Box<[(u32, u32)]>,
    /// (pattern, bytes from the reported start to the match end, line-break bytes at the
    /// pattern's end) of every match state, in aho-corasick's order.
    matches: Box<[(u32, u32, u32)]>,
    /// The CPU translates a block of bytes to their classes in a few instructions (see
    /// [`classify`]), so the hot loop reads classes and skips its own class lookup.
    simd_classes: bool,
}

impl Lockstep {
    /// Builds the DFA for `patterns`. Returns `None` when the set cannot be searched this way:
    /// it is empty, a pattern is empty or holds a `\n` anywhere but as its first byte or in a
    /// line break (`\n` or `\r\n`) at its end, or the DFA cannot be built. The caller then
    /// keeps its `AhoCorasick` search.
    ///
    /// A pattern beginning with `\n` matches at line starts and one ending in a line break at
    /// line ends: [`Lockstep::find_lines`] reads a chunk as if a `\n` stood before it, and
    /// reports such a match without its `\n` and line break, so its span is inside the line.
    pub(crate) fn new(patterns: &[Vec<u8>]) -> Option<Lockstep> {
        let inner_ok = |p: &[u8]| {
            let (lead, trail) = edges(p);
            lead + trail < p.len() && !p[lead..p.len() - trail].contains(&b'\n')
        };
        if patterns.is_empty() || !patterns.iter().all(|p| inner_ok(p)) {
            return None;
        }
        let ls = Self::build(patterns)?;
        ls.lines_are_independent().then_some(ls)
    }

    /// What the segments rely on: after a `\n`, every walk behaves as one started in
    /// `line_start`. That is, `\n` leads from every state either to `line_start` or to a match
    /// state with the same successors (a pattern ending in a line break was found), and
    /// `line_start` reports nothing and stays put on `\n` (idle lanes read `\n`).
    fn lines_are_independent(&self) -> bool {
        let nl = self.classes[b'\n' as usize] as usize;
        let (ls, stride) = (self.line_start as usize, self.stride);
        let row = |s: usize| &self.trans[s..s + stride];
        if self.line_start < self.match_limit || self.trans[ls + nl] != self.line_start {
            return false;
        }
        (0..self.trans.len()).step_by(stride).all(|s| {
            let t = self.trans[s + nl];
            t == self.line_start || (t < self.match_limit && row(t as usize) == row(ls))
        })
    }

    /// Builds the Aho-Corasick DFA of `patterns` (ASCII case folded, every overlapping match
    /// reported) straight into our table: a sparse trie over byte classes; breadth first, each
    /// state's failure state and its matches (its own patterns followed by its failure state's);
    /// then the table, row by row in breadth-first order and already in its final numbering,
    /// each row a copy of its failure state's row with the state's own edges written over it.
    /// That is the automaton and the match order of aho-corasick's DFA (`MatchKind::Standard`),
    /// which the tests compare against. Each entry of the table is written once, mostly by a
    /// row copy: with the packs (1.9 M entries) this took 13.7 M instructions against 41.0 M for
    /// a dense trie completed in place and renumbered afterwards (BENCHMARKS.md Round 8), and
    /// the aho-corasick build before that cost about a hundred per entry.
    ///
    /// Byte classes come from the patterns: every byte that occurs in a pattern has a class of
    /// its own (shared with its ASCII case twin), numbered in [`class_order`]'s order; all
    /// other bytes share class 0, which leads every state back to the start state.
    fn build(patterns: &[Vec<u8>]) -> Option<Lockstep> {
        let mut present = [false; 256];
        for &b in patterns.iter().flatten() {
            present[b.to_ascii_lowercase() as usize] = true;
        }
        let mut classes = [0u8; 256];
        let mut stride = 1usize;
        for b in class_order() {
            if present[b as usize] {
                if stride > 255 {
                    return None;
                }
                classes[b as usize] = stride as u8;
                classes[b.to_ascii_uppercase() as usize] = stride as u8;
                stride += 1;
            }
        }
        let mut trie = Trie::new();
        for (i, p) in patterns.iter().enumerate() {
            trie.insert(i as u32, p.iter().map(|&b| classes[b as usize]))?;
        }
        // Each state's patterns, and after the breadth-first pass all its matches.
        let mut own = std::mem::take(&mut trie.own);
        let states = own.len();
        // Breadth first: failure states (the longest proper suffix that is a trie state) and
        // match lists; a state's failure state is shallower, so it is done before it.
        let mut order: Vec<u32> = trie.children(0).collect();
        let mut fail = vec![0u32; states];
        let mut i = 0;
        while i < order.len() {
            let sid = order[i] as usize;
            i += 1;
            let f = fail[sid] as usize;
            // `f` is shallower, so its list already holds its failure states' matches too.
            if !own[f].is_empty() {
                let mut m = std::mem::take(&mut own[sid]);
                m.extend_from_slice(&own[f]);
                own[sid] = m;
            }
            for child in trie.children(sid) {
                let x = trie.label[child as usize];
                let mut g = f;
                let to = loop {
                    if let Some(t) = trie.child(g, x) {
                        break t;
                    }
                    if g == 0 {
                        break 0;
                    }
                    g = fail[g] as usize;
                };
                fail[child as usize] = to;
                order.push(child);
            }
        }
        // New numbering: match states first, the others after, each in breadth-first order
        // (the root first among the others).
        let mut renum = vec![0u32; states];
        let mut next = 0u32;
        for sid in order
            .iter()
            .map(|&s| s as usize)
            .filter(|&s| !own[s].is_empty())
        {
            renum[sid] = next;
            next += 1;
        }
        let n_match = next;
        for sid in std::iter::once(0).chain(order.iter().map(|&s| s as usize)) {
            if own[sid].is_empty() {
                renum[sid] = next;
                next += 1;
            }
        }
        let premul = |s: u32| -> Option<u32> { u32::try_from(s as usize * stride).ok() };
        // Every premultiplied id fits in a `u32` when the largest does.
        premul(states as u32)?;
        let renum_premul: Vec<u32> = renum.iter().map(|&r| r * stride as u32).collect();
        // The table, filled in breadth-first order straight in the new numbering: a state's
        // row is its failure state's row (complete, being shallower) with its own edges over
        // it; the root's missing edges lead back to the root.
        let mut table = vec![0u32; states * stride];
        let r0 = renum[0] as usize * stride;
        for (to, &c) in table[r0..r0 + stride].iter_mut().zip(&trie.root) {
            *to = renum_premul[if c == NONE { 0 } else { c as usize }];
        }
        for &sid in &order {
            let sid = sid as usize;
            let row = renum[sid] as usize * stride;
            let from = renum[fail[sid] as usize] as usize * stride;
            table.copy_within(from..from + stride, row);
            for child in trie.children(sid) {
                table[row + trie.label[child as usize] as usize] = renum_premul[child as usize];
            }
        }
        let mut match_ranges = vec![(0u32, 0u32); n_match as usize];
        let mut matches = Vec::new();
        for sid in order.iter().map(|&s| s as usize) {
            if !own[sid].is_empty() {
                let from = matches.len() as u32;
                for &p in &own[sid] {
                    let pat = &patterns[p as usize];
                    let (lead, trail) = edges(pat);
                    matches.push((p, (pat.len() - lead) as u32, trail as u32));
                }
                match_ranges[renum[sid] as usize] = (from, matches.len() as u32);
            }
        }
        let start = premul(renum[0])?;
        let nl = classes[b'\n' as usize] as usize;
        let line_start = table[start as usize + nl];
        Some(Lockstep {
            trans: table.into_boxed_slice(),
            classes,
            start,
            line_start,
            match_limit: premul(n_match)?,
            stride,
            match_ranges: match_ranges.into_boxed_slice(),
            matches: matches.into_boxed_slice(),
            simd_classes: classify::available(),
        })
    }

    /// Heap bytes held by the table and the match lists.
    #[cfg(test)]
    pub(crate) fn memory_usage(&self) -> usize {
        self.trans.len() * 4 + self.match_ranges.len() * 8 + self.matches.len() * 8
    }

    /// The state after `sid` on byte `b`.
    #[inline(always)]
    fn next(&self, sid: usize, b: u8) -> usize {
        let i = sid + self.classes[b as usize] as usize;
        debug_assert!(i < self.trans.len());
        // SAFETY: `sid` is a premultiplied state id (the start state or an entry of `trans`, all
        // of which `copy` built as `state * stride` with `state` < the number of states) and a
        // class is < `stride`, so `i` < states * stride = `trans.len()`.
        unsafe { *self.trans.get_unchecked(i) as usize }
    }

    /// The state after `sid` on a byte of class `class`.
    ///
    /// # Safety
    ///
    /// `class` must be below `stride`, as every entry of `classes` is (what [`classify::fill`]
    /// writes), and `sid` a premultiplied state id.
    #[inline(always)]
    unsafe fn next_by_class(&self, sid: usize, class: u8) -> usize {
        debug_assert!((class as usize) < self.stride);
        let i = sid + class as usize;
        debug_assert!(i < self.trans.len());
        // SAFETY: `sid` is a premultiplied state id (see `next`) and the caller vouches that
        // `class` < `stride`, so `i` < states * stride = `trans.len()`.
        unsafe { *self.trans.get_unchecked(i) as usize }
    }

    /// Appends to `out` every overlapping match in `chunk` as `(pattern, start, end)`, in the
    /// order `AhoCorasick::find_overlapping_iter` (ASCII case-insensitive, standard match kind)
    /// reports them: by end, then in the DFA's order among matches with the same end. `chunk` can
    /// be any bytes (a single line too); it is only ever split right after a `\n`.
    pub(crate) fn find_all(&self, chunk: &[u8], out: &mut Vec<Hit>) {
        self.search(chunk, self.start, out);
    }

    /// As [`Lockstep::find_all`], but `chunk` is read as if it followed a `\n` (it is a chunk of
    /// whole lines), so patterns that begin with `\n` match at its first line too. The span of a
    /// match leaves out a pattern's leading `\n` and its final line break: it covers the bytes
    /// of one line's content.
    pub(crate) fn find_lines(&self, chunk: &[u8], out: &mut Vec<Hit>) {
        self.search(chunk, self.line_start, out);
    }

    fn search(&self, chunk: &[u8], first: u32, out: &mut Vec<Hit>) {
        if chunk.len() < MIN_SPLIT {
            self.walk(chunk, 0, chunk.len(), first as usize, out);
        } else {
            self.lockstep::<LANES>(chunk, first, out);
        }
    }

    /// Steps one walk from state `sid` over `chunk[from..to]`, appending its matches to `out`.
    #[inline]
    fn walk(&self, chunk: &[u8], from: usize, to: usize, mut sid: usize, out: &mut Vec<Hit>) {
        let limit = self.match_limit as usize;
        for (i, &b) in chunk[from..to].iter().enumerate() {
            sid = self.next(sid, b);
            if sid < limit {
                self.report(sid, from + i + 1, out);
            }
        }
    }

    /// Appends the matches of match state `sid`, entered on the byte before offset `end`.
    #[cold]
    #[inline(never)]
    fn report(&self, sid: usize, end: usize, out: &mut Vec<Hit>) {
        let (a, b) = self.match_ranges[sid / self.stride];
        for &(p, back, trail) in &self.matches[a as usize..b as usize] {
            out.push((p, end - back as usize, end - trail as usize));
        }
    }

    /// Steps lane `l` from state `sids[l]` over `blocks[l]`, all lanes together, notes in
    /// `found` each match state entered on the way, and returns how many it noted; their
    /// matches are not reported here. A note is [`Found`]: the state, the lane and the offset
    /// in the block, in the order of the steps, so each lane's notes are in input order. The
    /// blocks hold input bytes, or with `CLASSES` their classes (see [`classify`]). A function
    /// of its own, with no call inside, so that every lane's state stays in a register: with
    /// the report call inside the loop, LLVM kept four or five of the eight on the stack (a
    /// load and a store more per step), and the loop took 8.8 instructions per byte against
    /// 6.3 with bytes (callgrind, BENCHMARKS.md Round 9).
    ///
    /// # Safety
    ///
    /// With `CLASSES`, every byte of `blocks` must be a class (below `stride`), as
    /// [`classify::fill`] writes them; without it, any bytes will do.
    #[inline(never)]
    // `k` indexes every lane's block: a byte of each lane per step is the point of the loop.
    #[allow(clippy::needless_range_loop)]
    unsafe fn block<const L: usize, const CLASSES: bool>(
        &self,
        sids: &mut [usize; L],
        blocks: &[[u8; BLOCK]; L],
        found: &mut [Found; FOUND_CAP],
    ) -> usize {
        const { assert!(L * BLOCK <= FOUND_CAP && L <= 256 && BLOCK <= 256) };
        let limit = self.match_limit as usize;
        let mut s = *sids;
        let mut n = 0;
        for k in 0..BLOCK {
            for l in 0..L {
                s[l] = if CLASSES {
                    // SAFETY: the caller vouches that the blocks hold classes.
                    unsafe { self.next_by_class(s[l], blocks[l][k]) }
                } else {
                    self.next(s[l], blocks[l][k])
                };
                if s[l] < limit {
                    // Keeps this a branch, one fused compare-and-branch per step.
                    std::hint::cold_path();
                    // At most one note per step, and `L * BLOCK <= FOUND_CAP`.
                    debug_assert!(n < FOUND_CAP);
                    // SAFETY: `n` < the number of steps so far < L * BLOCK <= FOUND_CAP.
                    unsafe { *found.get_unchecked_mut(n) = Found::new(s[l], l, k) };
                    n += 1;
                }
            }
        }
        *sids = s;
        n
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
    /// `\n` (as a byte or its class), which keeps it in `line_start` (non-matching; see
    /// [`Lockstep::lines_are_independent`]), so uneven segments do not
    /// leave one long serial tail. When only a quarter of the lanes are still busy, they finish
    /// one after the other.
    fn lockstep<const L: usize>(&self, chunk: &[u8], first: u32, out: &mut Vec<Hit>) {
        self.lockstep_in::<L>(chunk, first, out, self.simd_classes);
    }

    /// As [`Lockstep::lockstep`], with the lanes' blocks holding classes when `classes` is
    /// true and bytes when false. Searches pass `simd_classes`; the tests try both forms on
    /// every machine (classes come from the portable lookup where the CPU lacks VBMI).
    fn lockstep_in<const L: usize>(
        &self,
        chunk: &[u8],
        first: u32,
        out: &mut Vec<Hit>,
        classes: bool,
    ) {
        const IDLE: [u8; BLOCK] = [b'\n'; BLOCK];
        let (mut pos, ends) = Self::split::<L>(chunk);
        // Lane 0 appends to `out` directly; the others collect apart and are appended in order.
        let mut bufs: [Vec<Hit>; L] = std::array::from_fn(|_| Vec::new());
        bufs[0] = std::mem::take(out);
        let mut sids = [self.line_start as usize; L];
        sids[0] = first as usize;
        // Every lane's block is written each round (idle lanes get `\n`, as a byte or as its
        // class) before the loop reads it.
        let mut blocks = [IDLE; L];
        let mut found = [Found(0); FOUND_CAP];
        loop {
            let busy: [bool; L] = std::array::from_fn(|l| ends[l] - pos[l] >= BLOCK);
            for l in 0..L {
                if !busy[l] && pos[l] < ends[l] {
                    self.walk(chunk, pos[l], ends[l], sids[l], &mut bufs[l]);
                    pos[l] = ends[l];
                    sids[l] = self.line_start as usize;
                }
            }
            if busy.iter().filter(|&&b| b).count() * 4 <= L {
                break;
            }
            // Filled in place: built as a new array each round, each block was copied three
            // times on its way in.
            if classes {
                classify::fill(&self.classes, chunk, &pos, &busy, &mut blocks);
            } else {
                for l in 0..L {
                    if busy[l] {
                        blocks[l].copy_from_slice(&chunk[pos[l]..pos[l] + BLOCK]);
                    } else {
                        blocks[l] = IDLE;
                    }
                }
            }
            // SAFETY: with `classes`, `fill` wrote classes to every lane's block this round.
            let n = if classes {
                unsafe { self.block::<L, true>(&mut sids, &blocks, &mut found) }
            } else {
                unsafe { self.block::<L, false>(&mut sids, &blocks, &mut found) }
            };
            // A match state's matches do not depend on the way there: each note is reported
            // as it stands (walking a noted lane's block again cost 3.9% of the lane blocks
            // with the packs on 200 MB, a block of dependent steps each).
            for f in &found[..n] {
                let (sid, l, k) = f.get();
                // Idle lanes stay in `line_start` on `\n`, which reports nothing.
                debug_assert!(busy[l]);
                self.report(sid, pos[l] + k + 1, &mut bufs[l]);
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

/// Bytes to byte classes, 64 at a time (a [`BLOCK`] is two such), with AVX-512 VBMI.
///
/// # Why this module exists
///
/// Each step of the hot loop ([`Lockstep::block`]) loaded a byte, its class and then the next
/// state: three loads, and the loop is bound by the CPU's load ports rather than by the chain
/// of dependent loads (eight walks keep that busy). The lanes' blocks are copied out of the
/// chunk anyway; with VBMI the copy can write each byte's class instead, looked up in the
/// 256-byte class table by two `vpermt2b` (128 entries each) and a blend on the top bit, so the
/// loop loads twice per step. `-j1` over 200 MB, medians: `lit` 264 -> 238 ms, packs 544 ->
/// 517 ms (`benches/rr.sh 9`, BENCHMARKS.md Round 10). Searches use classes only where the CPU
/// has VBMI ([`available`]); elsewhere (no VBMI, not x86-64, or under valgrind, which has no
/// AVX-512) the loop looks classes up itself, as that is cheaper than a scalar translation.
/// [`fill`] still works everywhere, with a portable lookup, so that the tests run the class
/// form of the loop on every machine.
mod classify {
    use super::BLOCK;

    /// Whether this CPU can translate with VBMI.
    pub(super) fn available() -> bool {
        #[cfg(target_arch = "x86_64")]
        {
            std::is_x86_feature_detected!("avx512f")
                && std::is_x86_feature_detected!("avx512bw")
                && std::is_x86_feature_detected!("avx512vbmi")
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            false
        }
    }

    /// Fills `blocks[l]` with the classes of the [`BLOCK`] bytes of `chunk` at `pos[l]` for
    /// each busy lane `l`, and with the class of `\n` for the others: one call per round, so
    /// the class table is loaded once for all lanes. With VBMI where the CPU has it, else with
    /// [`portable`].
    pub(super) fn fill<const L: usize>(
        classes: &[u8; 256],
        chunk: &[u8],
        pos: &[usize; L],
        busy: &[bool; L],
        blocks: &mut [[u8; BLOCK]; L],
    ) {
        #[cfg(target_arch = "x86_64")]
        if available() {
            // SAFETY: `available()` said the CPU has what `translate` uses.
            unsafe { translate(classes, chunk, pos, busy, blocks) };
            return;
        }
        portable(classes, chunk, pos, busy, blocks);
    }

    /// [`fill`] one byte at a time.
    pub(super) fn portable<const L: usize>(
        classes: &[u8; 256],
        chunk: &[u8],
        pos: &[usize; L],
        busy: &[bool; L],
        blocks: &mut [[u8; BLOCK]; L],
    ) {
        for l in 0..L {
            if busy[l] {
                for (t, &b) in blocks[l].iter_mut().zip(&chunk[pos[l]..pos[l] + BLOCK]) {
                    *t = classes[b as usize];
                }
            } else {
                blocks[l] = [classes[b'\n' as usize]; BLOCK];
            }
        }
    }

    /// [`fill`] with VBMI.
    ///
    /// # Safety
    ///
    /// The CPU must have AVX-512 F, BW and VBMI ([`available`] says so).
    #[cfg(target_arch = "x86_64")]
    #[target_feature(enable = "avx512f,avx512bw,avx512vbmi")]
    pub(super) unsafe fn translate<const L: usize>(
        classes: &[u8; 256],
        chunk: &[u8],
        pos: &[usize; L],
        busy: &[bool; L],
        blocks: &mut [[u8; BLOCK]; L],
    ) {
        use std::arch::x86_64::*;
        // One 512-bit register per 64 bytes of a block.
        const { assert!(BLOCK.is_multiple_of(64)) };
        let t = classes.as_ptr();
        // SAFETY: every load and store is of 64 bytes inside `classes`, a block of `chunk`
        // (bounds-checked slice) or `blocks` (at offsets 0, 64, ... below `BLOCK`; unaligned
        // forms), and the caller vouches for the instructions.
        unsafe {
            let [t0, t1, t2, t3] = [0, 64, 128, 192].map(|i| _mm512_loadu_si512(t.add(i).cast()));
            let idle = _mm512_set1_epi8(classes[b'\n' as usize] as i8);
            for l in 0..L {
                let block: *mut u8 = blocks[l].as_mut_ptr();
                for h in (0..BLOCK).step_by(64) {
                    let to = block.add(h).cast();
                    if !busy[l] {
                        _mm512_storeu_si512(to, idle);
                        continue;
                    }
                    let from = pos[l] + h;
                    let bytes = _mm512_loadu_si512(chunk[from..from + 64].as_ptr().cast());
                    // Each picks by the low 7 bits of a byte: entries 0-127, and 128-255.
                    let low = _mm512_permutex2var_epi8(t0, bytes, t1);
                    let high = _mm512_permutex2var_epi8(t2, bytes, t3);
                    let top = _mm512_movepi8_mask(bytes);
                    _mm512_storeu_si512(to, _mm512_mask_blend_epi8(top, low, high));
                }
            }
        }
    }
}

/// No state, in a [`Trie`].
const NONE: u32 = u32::MAX;

/// A trie over byte labels, kept sparse: each state's children in a list in label order
/// (`first`, `sibling`; `label` is the label of the edge into a state), the root's also in a
/// full row. `own` holds the patterns that end at each state, in the order they were added.
/// The lockstep DFA is built from one over byte classes; the matcher's line-edge automata,
/// when folded into the one pass, are one over ASCII-lowercased bytes.
pub(crate) struct Trie {
    /// The root's child per label (256 entries).
    root: Vec<u32>,
    first: Vec<u32>,
    sibling: Vec<u32>,
    label: Vec<u8>,
    own: Vec<Vec<u32>>,
}

impl Trie {
    /// A trie with only its root, state 0.
    pub(crate) fn new() -> Trie {
        Trie {
            root: vec![NONE; 256],
            first: vec![NONE],
            sibling: vec![NONE],
            label: vec![0],
            own: vec![Vec::new()],
        }
    }

    /// Adds pattern `id`, spelled by `labels`. `None` when the states no longer fit a `u32`.
    pub(crate) fn insert(&mut self, id: u32, labels: impl IntoIterator<Item = u8>) -> Option<()> {
        let mut sid = 0usize;
        for x in labels {
            if sid == 0 && self.root[x as usize] != NONE {
                sid = self.root[x as usize] as usize;
                continue;
            }
            // The child for `x`, or where a new one goes to keep the list in label order.
            let (mut prev, mut at) = (NONE, self.first[sid]);
            while at != NONE && self.label[at as usize] < x {
                (prev, at) = (at, self.sibling[at as usize]);
            }
            if at != NONE && self.label[at as usize] == x {
                sid = at as usize;
                continue;
            }
            let new = u32::try_from(self.own.len()).ok().filter(|&n| n != NONE)?;
            self.first.push(NONE);
            self.sibling.push(at);
            self.label.push(x);
            self.own.push(Vec::new());
            if prev == NONE {
                self.first[sid] = new;
            } else {
                self.sibling[prev as usize] = new;
            }
            if sid == 0 {
                self.root[x as usize] = new;
            }
            sid = new as usize;
        }
        self.own[sid].push(id);
        Some(())
    }

    /// The child of state `sid` on label `x`.
    pub(crate) fn child(&self, sid: usize, x: u8) -> Option<u32> {
        if sid == 0 {
            return Some(self.root[x as usize]).filter(|&c| c != NONE);
        }
        let mut c = self.first[sid];
        while c != NONE && self.label[c as usize] < x {
            c = self.sibling[c as usize];
        }
        (c != NONE && self.label[c as usize] == x).then_some(c)
    }

    /// The children of state `sid`, in label order.
    pub(crate) fn children(&self, sid: usize) -> impl Iterator<Item = u32> + '_ {
        let head = Some(self.first[sid]).filter(|&c| c != NONE);
        std::iter::successors(head, |&c| {
            Some(self.sibling[c as usize]).filter(|&n| n != NONE)
        })
    }

    /// The patterns that end at state `sid`.
    pub(crate) fn own(&self, sid: usize) -> &[u32] {
        &self.own[sid]
    }
}

/// How many bytes of `p` are line edges: a leading `\n`, and a final `\n` or `\r\n`.
fn edges(p: &[u8]) -> (usize, usize) {
    let lead = usize::from(p.first() == Some(&b'\n'));
    let trail = if p.len() > lead && p.ends_with(b"\r\n") {
        2
    } else {
        usize::from(p.len() > lead && p.ends_with(b"\n"))
    };
    (lead, trail)
}

#[cfg(test)]
mod tests {
    use super::*;
    use aho_corasick::{AhoCorasick, AhoCorasickKind, MatchKind};

    /// Every byte gets a class in [`class_order`]'s order exactly once, frequent prose bytes
    /// first.
    #[test]
    fn class_order_is_a_permutation_of_all_bytes() {
        let order: Vec<u8> = class_order().collect();
        assert_eq!(order.len(), 256);
        let mut seen = [false; 256];
        for &b in &order {
            assert!(!seen[b as usize], "byte {b:#04x} twice");
            seen[b as usize] = true;
        }
        assert_eq!(&order[..3], b" et");
    }

    /// What `Matcher` uses today: the search `find_all` must reproduce.
    fn searcher(patterns: &[Vec<u8>]) -> AhoCorasick {
        AhoCorasick::builder()
            .ascii_case_insensitive(true)
            .match_kind(MatchKind::Standard)
            .kind(Some(AhoCorasickKind::DFA))
            .build(patterns)
            .unwrap()
    }

    /// The reference's matches, each without its pattern's leading `\n` and final line break
    /// (as `Lockstep` reports them; patterns without such edges are reported as found).
    fn reference(ac: &AhoCorasick, pats: &[Vec<u8>], chunk: &[u8]) -> Vec<Hit> {
        ac.find_overlapping_iter(chunk)
            .map(|m| {
                let (lead, trail) = edges(&pats[m.pattern().as_usize()]);
                (m.pattern().as_u32(), m.start() + lead, m.end() - trail)
            })
            .collect()
    }

    /// A search under test.
    type Search = fn(&Lockstep, &[u8], &mut Vec<Hit>);

    /// Checks `find_all` and the lockstep search with several lane counts against the reference,
    /// appending after existing content of `out`.
    fn check(ls: &Lockstep, ac: &AhoCorasick, pats: &[Vec<u8>], chunk: &[u8]) {
        let want = reference(ac, pats, chunk);
        let seed = (7, 0, 0);
        let runs: [(&str, Search); 9] = [
            ("find_all", |l, c, o| l.find_all(c, o)),
            ("2 lanes", |l, c, o| l.lockstep::<2>(c, l.start, o)),
            ("3 lanes", |l, c, o| l.lockstep::<3>(c, l.start, o)),
            ("LANES", |l, c, o| l.lockstep::<LANES>(c, l.start, o)),
            ("8 lanes", |l, c, o| l.lockstep::<8>(c, l.start, o)),
            ("16 lanes", |l, c, o| l.lockstep::<16>(c, l.start, o)),
            ("3 lanes, byte lookup", |l, c, o| {
                l.lockstep_in::<3>(c, l.start, o, false)
            }),
            ("LANES, byte lookup", |l, c, o| {
                l.lockstep_in::<LANES>(c, l.start, o, false)
            }),
            ("LANES, classes", |l, c, o| {
                l.lockstep_in::<LANES>(c, l.start, o, true)
            }),
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

    /// The patterns as byte strings.
    fn bytes_of(list: &[&str]) -> Vec<Vec<u8>> {
        list.iter().map(|p| p.as_bytes().to_vec()).collect()
    }

    #[test]
    fn table() {
        let pats = bytes_of(&["he", "she", "his", "hers", "é"]);
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
        check(&ls, &ac, &pats, chunk);
        // Long enough to be split: every lane finds its share, in order.
        let mut long = Vec::new();
        while long.len() < 3 * MIN_SPLIT {
            long.extend_from_slice(chunk);
            long.push(b'\n');
        }
        got.clear();
        ls.find_all(&long, &mut got);
        assert_eq!(got.len(), long.len() / (chunk.len() + 1) * want.len());
        check(&ls, &ac, &pats, &long);
        // No match, empty chunk, a chunk shorter than the lane count, one long line.
        check(&ls, &ac, &pats, b"");
        check(&ls, &ac, &pats, b"\n");
        check(&ls, &ac, &pats, b"she\nhe");
        check(&ls, &ac, &pats, b"xyz\r\n");
        check(&ls, &ac, &pats, &b"ushers ".repeat(2 * MIN_SPLIT));
        check(
            &ls,
            &ac,
            &pats,
            &[b"x".repeat(3 * MIN_SPLIT), b"\nhers\n".to_vec()].concat(),
        );
    }

    /// What `find_lines` must report: the overlapping matches in `\n` + `chunk`, shifted back
    /// by that `\n`, each without its pattern's leading `\n` and final line break.
    fn reference_lines(ac: &AhoCorasick, pats: &[Vec<u8>], chunk: &[u8]) -> Vec<Hit> {
        let hay = [b"\n", chunk].concat();
        ac.find_overlapping_iter(&hay)
            .map(|m| {
                let (lead, trail) = edges(&pats[m.pattern().as_usize()]);
                (
                    m.pattern().as_u32(),
                    m.start() + lead - 1,
                    m.end() - trail - 1,
                )
            })
            .collect()
    }

    /// Checks `find_lines`, and the lockstep search started as it does, against
    /// [`reference_lines`]; and `find_all` against the plain reference.
    fn check_lines(ls: &Lockstep, ac: &AhoCorasick, pats: &[Vec<u8>], chunk: &[u8]) {
        let want = reference_lines(ac, pats, chunk);
        let runs: [(&str, Search); 6] = [
            ("find_lines", |l, c, o| l.find_lines(c, o)),
            ("2 lanes", |l, c, o| l.lockstep::<2>(c, l.line_start, o)),
            ("3 lanes", |l, c, o| l.lockstep::<3>(c, l.line_start, o)),
            ("LANES", |l, c, o| l.lockstep::<LANES>(c, l.line_start, o)),
            ("LANES, byte lookup", |l, c, o| {
                l.lockstep_in::<LANES>(c, l.line_start, o, false)
            }),
            ("LANES, classes", |l, c, o| {
                l.lockstep_in::<LANES>(c, l.line_start, o, true)
            }),
        ];
        for (name, run) in runs {
            let mut got = Vec::new();
            run(ls, chunk, &mut got);
            assert!(
                got == want,
                "{name} differs on {:?} with {:?}",
                String::from_utf8_lossy(chunk),
                pats.iter()
                    .map(|p| String::from_utf8_lossy(p))
                    .collect::<Vec<_>>()
            );
        }
        check(ls, ac, pats, chunk);
    }

    #[test]
    fn line_edge_patterns_match_at_line_starts_and_ends() {
        let pats = bytes_of(&["\nab", "b\n", "b\r\n", "ab", "\n ", "\r\r\n"]);
        let ls = Lockstep::new(&pats).unwrap();
        assert_ne!(ls.line_start, ls.start);
        let mut got = Vec::new();
        ls.find_lines(b"AB\nxab\r\n ab\nab", &mut got);
        let want = vec![
            (0, 0, 2),
            (3, 0, 2),
            (1, 1, 2),
            (3, 4, 6),
            (2, 5, 6),
            (4, 8, 9),
            (3, 9, 11),
            (1, 10, 11),
            (0, 12, 14),
            (3, 12, 14),
        ];
        assert_eq!(got, want);
        let ac = searcher(&pats);
        check_lines(&ls, &ac, &pats, b"AB\nxab\r\n ab\nab");
        check_lines(&ls, &ac, &pats, b"");
        check_lines(&ls, &ac, &pats, b"\n\n\r\r\n");
        let long = b"ab b\n\nab\r\r\n ".repeat(3 * MIN_SPLIT / 10);
        check_lines(&ls, &ac, &pats, &long);
    }

    #[test]
    fn line_edge_patterns_on_generated_chunks() {
        let mut rng = Rng(0x2545_f491_4f6c_dd1d);
        for case in 0..300 {
            let mut pats = patterns(&mut rng);
            for p in &mut pats {
                match rng.below(4) {
                    0 => p.insert(0, b'\n'),
                    1 => p.push(b'\n'),
                    2 => p.extend_from_slice(b"\r\n"),
                    _ => {}
                }
            }
            let ac = searcher(&pats);
            let Some(ls) = Lockstep::new(&pats) else {
                // Only a pattern that is all line break can be refused here ("\r" + "\n").
                assert!(pats.iter().any(|p| edges(p).0 + edges(p).1 >= p.len()));
                continue;
            };
            let (min_len, pieces) = match case % 3 {
                0 => (0, 3),
                1 => (40, 12),
                _ => (MIN_SPLIT + rng.below(MIN_SPLIT), 30),
            };
            let c = chunk(&mut rng, &pats, min_len, pieces);
            check_lines(&ls, &ac, &pats, &c);
        }
    }

    #[test]
    fn unusable_pattern_sets_are_refused() {
        assert!(Lockstep::new(&[]).is_none());
        assert!(Lockstep::new(&[b"a".to_vec(), Vec::new()]).is_none());
        assert!(Lockstep::new(&[b"a\nb".to_vec()]).is_none());
        assert!(Lockstep::new(&[b"\n".to_vec()]).is_none());
        assert!(Lockstep::new(&[b"\r\n".to_vec()]).is_none());
        assert!(Lockstep::new(&[b"\na\nb".to_vec()]).is_none());
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
            check(&ls, &ac, &pats, &c);
            // Every prefix ending in a newline is a chunk of whole lines too; short ones have
            // fewer bytes than lanes.
            if case % 4 == 0 {
                for n in 0..c.len().min(20) {
                    check(&ls, &ac, &pats, &c[..n]);
                }
            }
        }
    }

    #[test]
    fn matches_on_every_byte_and_across_block_edges() {
        // Every byte enters a match state, in every lane and block (a note at every step of a
        // round: with 16 lanes, `FOUND_CAP` notes), and "aab" and "aaaa" matches straddle
        // block edges, where the state carried over decides what is reported.
        let pats = bytes_of(&["a", "aa", "aab", "aaaa", "b"]);
        let ls = Lockstep::new(&pats).unwrap();
        let ac = searcher(&pats);
        let mut c = Vec::new();
        for n in (1..40).chain(60..70).chain(120..135).cycle().take(400) {
            c.extend(std::iter::repeat_n(b'a', n));
            c.extend_from_slice(b"b\n");
        }
        assert!(c.len() > 8 * MIN_SPLIT);
        check(&ls, &ac, &pats, &c);
        // The same with uppercase bytes (ASCII case folded) and no final newline.
        c.make_ascii_uppercase();
        c.pop();
        check(&ls, &ac, &pats, &c);
    }

    /// `classify::fill` (VBMI where the CPU has it, else the portable lookup) and
    /// `classify::portable` must both give the class table's entry for every byte value in
    /// every position of a block, and the class of `\n` in idle lanes.
    #[test]
    fn block_classes_equal_the_class_table() {
        let pats = bytes_of(&["ab", "\u{e9}t\u{e9}", "\n(", "*x\r\n", "\u{ff}"]);
        let ls = Lockstep::new(&pats).unwrap();
        // Four busy lanes, 64 bytes apart, whose blocks hold every byte value, shifted so that
        // each value meets every position of every lane over the set, and an idle fifth lane.
        for shift in 0..256 {
            let chunk: Vec<u8> = (0..192 + BLOCK)
                .map(|i| ((i + shift) % 256) as u8)
                .collect();
            let pos = [0, 64, 128, 192, 0];
            let busy = [true, true, true, true, false];
            let want: [[u8; BLOCK]; 5] = std::array::from_fn(|l| {
                std::array::from_fn(|i| {
                    let b = if busy[l] { chunk[pos[l] + i] } else { b'\n' };
                    ls.classes[b as usize]
                })
            });
            let mut blocks = [[0u8; BLOCK]; 5];
            classify::fill(&ls.classes, &chunk, &pos, &busy, &mut blocks);
            assert_eq!(blocks, want, "fill, shift {shift}");
            let mut blocks = [[0u8; BLOCK]; 5];
            classify::portable(&ls.classes, &chunk, &pos, &busy, &mut blocks);
            assert_eq!(blocks, want, "portable, shift {shift}");
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
            check(&ls, &ac, &pats, &c);
        }
    }
}
