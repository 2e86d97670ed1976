//! Required literals ("keys") of a regex, so the one literal automaton can act as its prefilter.
//!
//! The matcher runs a single Aho-Corasick pass over the input. For a regex rule to take part in
//! that pass it needs a set of strings of which at least one occurs in every match: then the
//! regex is run only on lines where one of them was found. This module computes such a set from
//! the regex's syntax tree. Keys are ASCII-lowercased because the automaton folds ASCII case; a
//! key set is therefore a superset filter even for case-sensitive regexes, and the regex itself
//! always has the last word. A regex without a usable key set runs on every line (slow path).

use regex_syntax::hir::{Class, Hir, HirKind};

/// Most strings a key set or an exact set may hold before it is given up.
const MAX_SET: usize = 64;
/// Most distinct strings a character class may expand to.
const MAX_CLASS: usize = 16;

type Set = Vec<Vec<u8>>;

#[derive(Default)]
struct Info {
    /// Every string the node can match, when that set is finite and small.
    exact: Option<Set>,
    /// Strings one of which occurs in every match of the node.
    required: Option<Set>,
}

/// Returns keys for `pattern` parsed with the given case handling, or `None` when every line
/// must be checked. Each key is non-empty and ASCII-lowercased.
pub(crate) fn required_keys(pattern: &str, case_insensitive: bool) -> Option<Set> {
    let hir = regex_syntax::ParserBuilder::new()
        .case_insensitive(case_insensitive)
        .utf8(false)
        .build()
        .parse(pattern)
        .ok()?;
    let info = analyze(&hir);
    let set = info.required?;
    if set.is_empty() || set.iter().any(|k| k.is_empty()) {
        return None;
    }
    Some(set)
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

/// Higher is better: the shortest key's length, then fewer keys.
fn score(s: &Set) -> (usize, std::cmp::Reverse<usize>) {
    (
        s.iter().map(Vec::len).min().unwrap_or(0),
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
                    (Some(mut a), Some(b)) if a.len() + b.len() <= MAX_SET * 4 => {
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
        // (?i)s also matches U+017F LONG S, so both spellings must be keys.
        let k = keys("subscribe", true).unwrap();
        assert!(k.contains(&"subscribe".to_string()));
        assert!(k.iter().all(|x| x.chars().count() == 9));
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
    fn repetitions_with_a_minimum_keep_their_key() {
        assert_eq!(keys(r"(?:ab)+c", false), Some(vec!["ab".into()]));
        assert_eq!(keys(r"x{3}", false), Some(vec!["xxx".into()]));
    }
}
