//! Required literals ("keys") of a regex, so the one literal automaton can act as its prefilter.
//!
//! The matcher runs a single Aho-Corasick pass over the input. For a regex rule to take part in
//! that pass it needs a set of strings of which at least one occurs in every match: then the
//! regex is run only on lines where one of them was found. This module computes such a set from
//! the regex's syntax tree. Keys are ASCII-lowercased because the automaton folds ASCII case; a
//! key set is therefore a superset filter even for case-sensitive regexes, and the regex itself
//! always has the last word. A regex without a usable key set runs on every line (slow path).
//!
//! Most chaff regexes are anchored (`^\s*READ MORE:`), and a key that must stand at the start
//! (or end) of the trimmed line is far cheaper to look for than one that may stand anywhere: the
//! matcher only steps an anchored automaton over the first bytes of each line. So [`regex_keys`]
//! first looks for a line-start key, then a line-end key, and only then a floating one.

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a key set or an exact set may hold before it is given up.
const MAX_SET: usize = 16;
/// Most distinct strings a character class may expand to.
const MAX_CLASS: usize = 16;

type Set = Vec<Vec<u8>>;

/// ſ (long s), K (Kelvin sign) and Å (Angstrom sign): Unicode case folding makes `(?i)s`, `k`
/// and `å` match them too. Counting them as key variants would double the key set for every
/// s and k of a case-insensitive regex, for letters no news text uses, so keys leave them out:
/// a line that spells a chaff phrase with them is kept unless some other key finds it. This is
/// the one place where a regex rule can match less than its regex.
const COMPAT_FOLDS: [char; 3] = ['\u{17f}', '\u{212a}', '\u{212b}'];

#[derive(Default)]
struct Info {
    /// Every string the node can match, when that set is finite and small.
    exact: Option<Set>,
    /// Strings one of which occurs in every match of the node.
    required: Option<Set>,
}

/// Where a regex's keys must stand for the regex to match.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Place {
    /// At the start of the trimmed line.
    Start,
    /// At the end of the trimmed line.
    End,
    /// Anywhere in the line.
    Floating,
}

impl Place {
    /// How `dechaff rules` names the place.
    pub(crate) fn name(self) -> &'static str {
        match self {
            Place::Start => "start",
            Place::End => "end",
            Place::Floating => "anywhere",
        }
    }
}

/// Returns the keys for `pattern` parsed with the given case handling and where they must
/// stand, or `None` when every line must be checked. Each key is non-empty and ASCII-lowercased.
#[cfg(test)]
pub(crate) fn regex_keys(pattern: &str, case_insensitive: bool) -> Option<(Place, Set)> {
    let (place, set, _) = regex_keys_and_more(pattern, case_insensitive).ok()??;
    Some((place, set))
}

/// Parses `pattern` as the matcher compiles it (`regex::bytes` settings: the haystack need
/// not be UTF-8), so that the key search ([`keys_of`]) and the regex's compilation read the
/// same syntax tree. `Err` when the pattern does not parse.
pub(crate) fn parse(pattern: &str, case_insensitive: bool) -> Result<Hir, ()> {
    regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .utf8(false)
        .build()
        .parse(pattern)
        .map_err(|_| ())
}

/// The keys for `pattern` (see [`keys_of`]); `Err` when it does not parse.
#[cfg(test)]
pub(crate) fn regex_keys_and_more(
    pattern: &str,
    case_insensitive: bool,
) -> Result<Option<(Place, Set, Option<Set>)>, ()> {
    Ok(keys_of(&parse(pattern, case_insensitive)?))
}

/// An edge key set with a one-byte key (a digit class, a `)`) finds a candidate on many lines;
/// a floating set whose every key is at least this many bytes is taken instead. (Length, not
/// [`rarity`]: short keys such as "abo" or "related" rate rare but sit inside common words.)
const LONG_FLOATING: usize = 8;

/// Edge key sets with a key shorter than this also get a floating set (see [`keys_of`]). A
/// short edge key ("for ", "here.") stands at the edge of many story lines; the floating set
/// beside it ("newsletter", "try the magazine") lets the matcher skip most of them before it
/// runs the regex. At 4 bytes, 20 MB of English took 658 M instructions with the packs; at 8,
/// 585 M (fewer regex runs, and fewer regexes ever compiled; BENCHMARKS.md "Round 6").
const SHORT_EDGE: usize = 8;

/// The keys of a parsed regex and where they must stand; `None` when every line must be
/// checked. Also the key set of the other kind that was not chosen (the floating set beside a
/// line-edge one, or the other way round), when there is one. Every match holds one of those
/// too, somewhere in the line: the matcher checks that with a substring search before it runs
/// (or first compiles) the regex.
pub(crate) fn keys_of(hir: &Hir) -> Option<(Place, Set, Option<Set>)> {
    let edge = edge_keys(hir, Place::Start)
        .map(|s| (Place::Start, s))
        .or_else(|| edge_keys(hir, Place::End).map(|s| (Place::End, s)));
    // The floating analysis costs more than the edge one; beside an edge set of long keys,
    // which finds few lines, it is not worth its start-up. (For the built-in packs both run
    // at build time, `src/build.rs`.)
    let short_edge = edge
        .as_ref()
        .is_none_or(|(_, set)| set.iter().any(|k| k.len() < SHORT_EDGE));
    let floating = short_edge
        .then(|| analyze(hir).required)
        .flatten()
        .filter(|set| !set.is_empty() && set.iter().all(|k| !k.is_empty()));
    match (edge, floating) {
        // Edge keys are cheap to look for, so they win unless they are single bytes and a
        // rare floating key exists (`\bshow all of america who you're voting for in [0-9]{4}$`
        // is keyed on its words, not on every line that ends in a digit).
        (Some((place, set)), Some(f)) => {
            if set.iter().any(|k| k.len() == 1) && f.iter().all(|k| k.len() >= LONG_FLOATING) {
                Some((Place::Floating, f, Some(set)))
            } else {
                Some((place, set, Some(f)))
            }
        }
        (Some((place, set)), None) => Some((place, set, None)),
        (None, Some(f)) => Some((Place::Floating, f, None)),
        (None, None) => None,
    }
}

#[cfg(test)]
pub(crate) fn required_keys(pattern: &str, case_insensitive: bool) -> Option<Set> {
    regex_keys(pattern, case_insensitive).map(|(_, s)| s)
}

/// True for the characters the matcher trims from both ends of a line.
pub(crate) fn is_blank(c: char) -> bool {
    matches!(c, '\t'..='\r' | ' ' | '\u{85}' | '\u{a0}' | '\u{1680}' | '\u{2000}'..='\u{200f}')
        || matches!(
            c,
            '\u{2028}'
                | '\u{2029}'
                | '\u{202f}'
                | '\u{205f}'
                | '\u{2060}'
                | '\u{3000}'
                | '\u{feff}'
        )
}

/// True when `h` is `X*` (or `X?`, `X{0,n}`) for a class `X` of blank characters only.
fn optional_blanks(h: &Hir) -> bool {
    let HirKind::Repetition(rep) = h.kind() else {
        return false;
    };
    if rep.min != 0 {
        return false;
    }
    match rep.sub.kind() {
        HirKind::Class(Class::Unicode(u)) => u
            .ranges()
            .iter()
            .all(|r| (r.start()..=r.end()).all(is_blank)),
        HirKind::Class(Class::Bytes(b)) => b
            .ranges()
            .iter()
            .all(|r| (r.start()..=r.end()).all(|x| x.is_ascii() && is_blank(x as char))),
        HirKind::Literal(l) => std::str::from_utf8(&l.0).is_ok_and(|s| s.chars().all(is_blank)),
        _ => false,
    }
}

fn is_line_edge(h: &Hir, place: Place) -> bool {
    use regex_syntax::hir::Look;
    let HirKind::Look(look) = h.kind() else {
        return false;
    };
    match place {
        Place::Start => matches!(look, Look::Start | Look::StartLF | Look::StartCRLF),
        _ => matches!(look, Look::End | Look::EndLF | Look::EndCRLF),
    }
}

/// Strings one of which every match of the sequence `items` starts with (or, for `End`, ends
/// with; `items` are then given last first). A string may be empty when nothing is known.
fn edge_run<'a>(items: impl Iterator<Item = &'a Hir>, place: Place) -> Set {
    let join = |a: &Set, b: &Set| {
        if place == Place::Start {
            product(a, b)
        } else {
            product(b, a)
        }
    };
    let mut acc: Set = vec![Vec::new()];
    for child in items {
        if let Some(exact) = exact(child) {
            match join(&acc, &exact) {
                Some(next) => acc = next,
                None => break,
            }
            continue;
        }
        if let Some(next) = edge_set(child, place).and_then(|edge| join(&acc, &edge)) {
            acc = next;
        }
        break;
    }
    acc
}

/// Strings one of which every match of `h` starts with (ends with, for `End`).
fn edge_set(h: &Hir, place: Place) -> Option<Set> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => Some(vec![lower(lit.0.to_vec())]),
        HirKind::Class(c) => class_set(c),
        HirKind::Capture(c) => edge_set(&c.sub, place),
        HirKind::Repetition(rep) => {
            let mut s = edge_set(&rep.sub, place)?;
            if rep.min == 0 {
                s.push(Vec::new());
            }
            Some(dedup(s))
        }
        HirKind::Concat(children) => {
            let mut items: Vec<&Hir> = children.iter().collect();
            if place == Place::End {
                items.reverse();
            }
            Some(edge_run(items.into_iter(), place))
        }
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(edge_set(a, place)?);
            }
            (all.len() <= MAX_SET * 4).then(|| dedup(all))
        }
    }
}

/// Keys that must stand at the start (or end) of the trimmed line: `^`, optional blanks, then
/// a run of exactly known text (mirrored for `$`).
fn edge_keys(h: &Hir, place: Place) -> Option<Set> {
    match h.kind() {
        HirKind::Capture(c) => edge_keys(&c.sub, place),
        HirKind::Alternation(alts) => {
            let mut all = Vec::new();
            for a in alts {
                all.extend(edge_keys(a, place)?);
            }
            (all.len() <= MAX_SET * 4).then(|| dedup(all))
        }
        HirKind::Concat(children) => {
            let mut items: Vec<&Hir> = children.iter().collect();
            if place == Place::End {
                items.reverse();
            }
            let mut it = items.into_iter().peekable();
            if !it.next().is_some_and(|first| is_line_edge(first, place)) {
                return None;
            }
            while it.next_if(|h| optional_blanks(h)).is_some() {}
            let run = edge_run(it, place);
            let ok = |k: &Vec<u8>| {
                let s = String::from_utf8_lossy(k);
                let edge = if place == Place::Start {
                    s.chars().next()
                } else {
                    s.chars().next_back()
                };
                edge.is_some_and(|c| !is_blank(c))
            };
            (non_empty(&run) && run.iter().all(ok)).then_some(run)
        }
        _ => None,
    }
}

fn lower(mut v: Vec<u8>) -> Vec<u8> {
    v.make_ascii_lowercase();
    v
}

fn dedup(mut s: Set) -> Set {
    s.sort();
    s.dedup();
    s
}

fn non_empty(s: &Set) -> bool {
    !s.is_empty() && s.iter().all(|k| !k.is_empty())
}

fn product(a: &Set, b: &Set) -> Option<Set> {
    if a.len() * b.len() > MAX_SET {
        return None;
    }
    let mut out = Vec::with_capacity(a.len() * b.len());
    for x in a {
        for y in b {
            let mut k = x.clone();
            k.extend_from_slice(y);
            out.push(k);
        }
    }
    Some(dedup(out))
}

/// The most frequent letter pairs of English text (published bigram counts, e.g. Norvig's
/// tables of the Google Books corpus), lowercased. A key made only of them ("enter": en, nt, te,
/// er) turns up in many more lines than one of the same length that is not ("ctrl").
const COMMON_PAIRS: [&[u8; 2]; 50] = [
    b"th", b"he", b"in", b"er", b"an", b"re", b"on", b"at", b"en", b"nd", b"ti", b"es", b"or",
    b"te", b"of", b"ed", b"is", b"it", b"al", b"ar", b"st", b"to", b"nt", b"ng", b"se", b"ha",
    b"as", b"ou", b"io", b"le", b"ve", b"co", b"me", b"de", b"hi", b"ri", b"ro", b"ic", b"ne",
    b"ea", b"ra", b"ce", b"li", b"ch", b"ll", b"be", b"ma", b"si", b"om", b"ur",
];

/// [`COMMON_PAIRS`] as a table: bit `j` of row `i` is set for the pair (`a` + `i`, `a` + `j`).
/// Key sets of a hundred keys and more are scored several times each, and a scan of the 50
/// pairs for every byte was 6% of the start-up with the packs (callgrind).
const COMMON_TABLE: [u32; 26] = {
    let mut t = [0u32; 26];
    let mut i = 0;
    while i < COMMON_PAIRS.len() {
        let p = COMMON_PAIRS[i];
        t[(p[0] - b'a') as usize] |= 1 << (p[1] - b'a');
        i += 1;
    }
    t
};

/// True when `a` then `b` is one of [`COMMON_PAIRS`].
fn common_pair(a: u8, b: u8) -> bool {
    a.is_ascii_lowercase()
        && b.is_ascii_lowercase()
        && COMMON_TABLE[(a - b'a') as usize] >> (b - b'a') & 1 == 1
}

/// How rare a key is likely to be in running text: 2, plus 1 for each pair of adjacent bytes
/// that is common in English (a blank with anything, or one of [`COMMON_PAIRS`]) and 3 for any
/// other pair. For keys without common pairs this is about 3 per byte, so between keys of one
/// kind longer still wins; between an ordinary word and a rarer string the rarer one wins even
/// if it is a little shorter. Only the choice among a regex's candidate key sets depends on it,
/// never whether a line matches.
fn rarity(k: &[u8]) -> usize {
    if k.is_empty() {
        return 0;
    }
    let pairs: usize = k
        .windows(2)
        .map(|w| {
            let common = w[0] == b' ' || w[1] == b' ' || common_pair(w[0], w[1]);
            if common { 1 } else { 3 }
        })
        .sum();
    2 + pairs
}

/// Higher is better: the least rare key's [`rarity`], then fewer keys.
fn score(s: &Set) -> (usize, std::cmp::Reverse<usize>) {
    (
        s.iter().map(|k| rarity(k)).min().unwrap_or(0),
        std::cmp::Reverse(s.len()),
    )
}

fn better(best: &mut Option<Set>, cand: Set) {
    if !non_empty(&cand) {
        return;
    }
    match best {
        Some(b) if score(b) >= score(&cand) => {}
        _ => *best = Some(cand),
    }
}

fn class_set(c: &Class) -> Option<Set> {
    let mut out = Vec::new();
    match c {
        Class::Unicode(u) => {
            let mut n = 0usize;
            for r in u.ranges() {
                n += (r.end() as usize) - (r.start() as usize) + 1;
                if n > MAX_CLASS * 2 {
                    return None;
                }
                for ch in r.start()..=r.end() {
                    // The compatibility letters that (?i) adds to s, k and å are left out of
                    // keys: see `COMPAT_FOLDS`.
                    if COMPAT_FOLDS.contains(&ch) && n > 1 {
                        continue;
                    }
                    let mut buf = [0u8; 4];
                    out.push(lower(ch.encode_utf8(&mut buf).as_bytes().to_vec()));
                }
            }
        }
        Class::Bytes(b) => {
            let mut n = 0usize;
            for r in b.ranges() {
                n += (r.end() as usize) - (r.start() as usize) + 1;
                if n > MAX_CLASS * 2 {
                    return None;
                }
                for by in r.start()..=r.end() {
                    out.push(vec![by.to_ascii_lowercase()]);
                }
            }
        }
    }
    let out = dedup(out);
    (out.len() <= MAX_CLASS).then_some(out)
}

/// `analyze(h).exact` without computing the required sets, which cost most of `analyze`:
/// edge keys only need this half.
fn exact(h: &Hir) -> Option<Set> {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Some(vec![Vec::new()]),
        HirKind::Literal(lit) => Some(vec![lower(lit.0.to_vec())]),
        HirKind::Class(c) => class_set(c),
        HirKind::Capture(cap) => exact(&cap.sub),
        HirKind::Repetition(rep) => {
            if rep.min == 0 {
                if rep.max != Some(1) {
                    return None;
                }
                let mut s = exact(&rep.sub)?;
                s.push(Vec::new());
                return Some(dedup(s));
            }
            if rep.max != Some(rep.min) {
                return None;
            }
            let e = exact(&rep.sub)?;
            let mut acc: Option<Set> = Some(vec![Vec::new()]);
            for _ in 0..rep.min {
                acc = acc.and_then(|a| product(&a, &e));
            }
            acc
        }
        HirKind::Concat(children) => {
            let mut whole: Set = vec![Vec::new()];
            for child in children {
                whole = product(&whole, &exact(child)?)?;
            }
            Some(whole)
        }
        HirKind::Alternation(children) => {
            let mut all: Set = Vec::new();
            for child in children {
                let b = exact(child)?;
                if all.len() + b.len() > MAX_SET {
                    return None;
                }
                all.extend(b);
            }
            Some(dedup(all))
        }
    }
}

fn analyze(h: &Hir) -> Info {
    match h.kind() {
        HirKind::Empty | HirKind::Look(_) => Info {
            exact: Some(vec![Vec::new()]),
            required: None,
        },
        HirKind::Literal(lit) => {
            let s = vec![lower(lit.0.to_vec())];
            Info {
                exact: Some(s.clone()),
                required: Some(s),
            }
        }
        HirKind::Class(c) => {
            let exact = class_set(c);
            let required = exact.clone().filter(non_empty);
            Info { exact, required }
        }
        HirKind::Capture(cap) => analyze(&cap.sub),
        HirKind::Repetition(rep) => {
            let sub = analyze(&rep.sub);
            if rep.min == 0 {
                let exact = match (rep.max, &sub.exact) {
                    (Some(1), Some(e)) => {
                        let mut s = e.clone();
                        s.push(Vec::new());
                        Some(dedup(s))
                    }
                    _ => None,
                };
                return Info {
                    exact,
                    required: None,
                };
            }
            let exact = match (rep.max, &sub.exact) {
                (Some(max), Some(e)) if max == rep.min => {
                    let mut acc: Option<Set> = Some(vec![Vec::new()]);
                    for _ in 0..rep.min {
                        acc = acc.and_then(|a| product(&a, e));
                    }
                    acc
                }
                _ => None,
            };
            let mut required = sub.required;
            if let Some(e) = &exact {
                better(&mut required, e.clone());
            }
            Info { exact, required }
        }
        HirKind::Concat(children) => {
            let infos: Vec<Info> = children.iter().map(analyze).collect();
            let mut best: Option<Set> = None;
            // Runs of exact children concatenate into longer keys.
            let mut run: Option<Set> = None;
            let mut whole: Option<Set> = Some(vec![Vec::new()]);
            for info in &infos {
                whole = match (&whole, &info.exact) {
                    (Some(w), Some(e)) => product(w, e),
                    _ => None,
                };
                match &info.exact {
                    Some(e) => {
                        run = match &run {
                            None => Some(e.clone()),
                            Some(r) => match product(r, e) {
                                Some(p) => Some(p),
                                None => {
                                    better(&mut best, r.clone());
                                    Some(e.clone())
                                }
                            },
                        };
                    }
                    None => {
                        if let Some(r) = run.take() {
                            better(&mut best, r);
                        }
                        if let Some(req) = &info.required {
                            better(&mut best, req.clone());
                        }
                    }
                }
            }
            if let Some(r) = run.take() {
                better(&mut best, r);
            }
            Info {
                exact: whole,
                required: best,
            }
        }
        HirKind::Alternation(children) => {
            let infos: Vec<Info> = children.iter().map(analyze).collect();
            let mut exact: Option<Set> = Some(Vec::new());
            let mut required: Option<Set> = Some(Vec::new());
            for info in infos {
                exact = match (exact, info.exact) {
                    (Some(mut a), Some(b)) if a.len() + b.len() <= MAX_SET => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
                required = match (required, info.required) {
                    (Some(mut a), Some(b)) if a.len() + b.len() <= MAX_SET * 16 => {
                        a.extend(b);
                        Some(a)
                    }
                    _ => None,
                };
            }
            Info {
                exact: exact.map(dedup),
                required: required.map(dedup).filter(non_empty),
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::required_keys;

    fn keys(p: &str, ci: bool) -> Option<Vec<String>> {
        required_keys(p, ci).map(|v| {
            v.into_iter()
                .map(|k| String::from_utf8_lossy(&k).into_owned())
                .collect()
        })
    }

    #[test]
    fn literal_runs_become_one_key() {
        assert_eq!(
            keys(r"^\s*read more:\s+\w+", false),
            Some(vec!["read more:".into()])
        );
    }

    #[test]
    fn alternations_union_their_keys() {
        assert_eq!(
            keys(r"(?:views|opinions) expressed", false),
            Some(vec!["opinions expressed".into(), "views expressed".into()])
        );
        assert_eq!(
            keys(r"foo\d+|bar", false),
            Some(vec!["bar".into(), "foo".into()])
        );
    }

    #[test]
    fn case_insensitive_keys_fold_ascii_but_keep_unicode_variants() {
        // (?i)s also matches U+017F LONG S; keys leave such compatibility letters out.
        assert_eq!(keys("subscribe", true), Some(vec!["subscribe".to_string()]));
        // Cyrillic letters have two or three case forms each, so the set grows per letter and the
        // key is the longest run that fits; it is still a real piece of the word in every casing.
        let k = keys("читайте", true).unwrap();
        assert!(k.iter().any(|x| x.chars().all(char::is_uppercase)));
        assert!(k.iter().all(|x| x.chars().count() >= 3), "{k:?}");
    }

    #[test]
    fn optional_parts_and_wildcards_give_no_key() {
        assert_eq!(keys(r"\w+", false), None);
        assert_eq!(keys(r"(?:abc)?\d", false), None);
        assert_eq!(keys(r"", false), None);
        assert_eq!(keys(r"a|\w+", false), None);
    }

    #[test]
    fn anchored_regexes_get_edge_keys() {
        use super::{Place, regex_keys};
        let (p, k) = regex_keys(r"^\s*read more:\s+\w+", true).unwrap();
        assert_eq!(p, Place::Start);
        assert_eq!(k, vec![b"read more:".to_vec()]);
        let (p, k) = regex_keys(r"^(?:also on|see also) \S+", false).unwrap();
        assert_eq!(p, Place::Start);
        assert_eq!(k.len(), 2);
        let (p, k) = regex_keys(r"\w+ share this story!\s*$", false).unwrap();
        assert_eq!(p, Place::End);
        assert_eq!(k, vec![b" share this story!".to_vec()]);
        // a leading class that is not only blanks can move the key away from the line start
        let (p, _) = regex_keys(r"^[>\s]*read more", false).unwrap();
        assert_eq!(p, Place::Floating);
        // optional words and alternatives still give start keys, as long as none is empty
        let (p, k) = regex_keys(r"^\s*(?:the )?(?:views|opinions)\s+expressed", false).unwrap();
        assert_eq!(p, Place::Start);
        assert_eq!(k.len(), 4, "{k:?}");
        let (p, k) = regex_keys(r"^\s*(?:also on|\(\s*also on)\s", false).unwrap();
        assert_eq!(
            (p, k),
            (Place::Start, vec![b"(".to_vec(), b"also on".to_vec()])
        );
        // an optional word followed by something unknown leaves an empty key: not anchored
        assert_ne!(
            regex_keys(r"^\s*(?:the )?\w+ expressed", false).unwrap().0,
            Place::Start
        );
        // the key may not start with a blank, or trimming would move the line start past it
        let (p, _) = regex_keys(r"^\s* read more", false).unwrap();
        assert_eq!(p, Place::Floating);
        // optional blanks before the key are what trimming removes, so the key still anchors
        assert_eq!(regex_keys(r"^ ?read more", false).unwrap().0, Place::Start);
    }

    #[test]
    fn a_rarer_literal_beats_a_longer_common_word() {
        // "enter" is longer, but every pair in it is common in English ("center", "entered").
        assert_eq!(keys(r"ctrl\s*\+\s*enter", true), Some(vec!["ctrl".into()]));
        // between keys of one kind the longer one still wins
        assert_eq!(
            keys(r"read\s+subscribe", true),
            Some(vec!["subscribe".into()])
        );
    }

    #[test]
    fn a_one_byte_edge_key_gives_way_to_long_floating_keys_only() {
        use super::{LONG_FLOATING, Place, regex_keys};
        // Ends in a digit: the end key would be every digit; the words are a far better key.
        let (p, k) = regex_keys(
            r"\bshow all of america who you're voting for in [0-9]{4}$",
            false,
        )
        .unwrap();
        assert_eq!(p, Place::Floating);
        assert!(k.iter().all(|k| k.len() >= LONG_FLOATING), "{k:?}");
        // Short floating keys ("abo" sits inside "about") leave the edge key in place.
        assert_eq!(
            regex_keys(r"^\s*\[[^\]]*(?:Newsletter|Abo\b)[^\]]*\]", false)
                .unwrap()
                .0,
            Place::Start
        );
        // So do edge keys longer than a byte.
        assert_eq!(
            regex_keys(
                r"^\s*advertisement\b.*whatever the rest of the line says",
                false
            )
            .unwrap()
            .0,
            Place::Start
        );
    }

    #[test]
    fn short_edge_keys_come_with_the_other_set() {
        use super::{Place, regex_keys_and_more};
        let more = |p: &str| regex_keys_and_more(p, true).unwrap().unwrap();
        // A one-byte edge key, short floating keys: keyed on the edge, the words come beside.
        let (p, k, m) = more(r"^\s*\[[^\]]*(?:Newsletter|Abo\b)[^\]]*\]");
        assert_eq!((p, k), (Place::Start, vec![b"[".to_vec()]));
        assert_eq!(m.unwrap(), vec![b"abo".to_vec(), b"newsletter".to_vec()]);
        // Long floating keys win over the one-byte edge key; the edge set comes beside.
        let (p, _, m) = more(r"\bshow all of america who you're voting for in [0-9]{4}$");
        assert_eq!(p, Place::Floating);
        assert_eq!(m.unwrap().len(), 10);
        // An edge key of four bytes or more is enough on its own.
        assert_eq!(more(r"^\s*advertisement\b.*sponsor").2, None);
        // A floating key set alone has nothing beside it.
        assert_eq!(more(r"\bsponsored by\b").2, None);
        assert!(regex_keys_and_more("(", false).is_err());
    }

    #[test]
    fn the_pair_table_holds_the_common_pairs_and_nothing_else() {
        for a in 0..=255u8 {
            for b in 0..=255u8 {
                let listed = super::COMMON_PAIRS.iter().any(|p| p[..] == [a, b]);
                assert_eq!(super::common_pair(a, b), listed, "{:?}", [a, b]);
            }
        }
    }

    #[test]
    fn repetitions_with_a_minimum_keep_their_key() {
        assert_eq!(keys(r"(?:ab)+c", false), Some(vec!["ab".into()]));
        assert_eq!(keys(r"x{3}", false), Some(vec!["xxx".into()]));
    }
}
