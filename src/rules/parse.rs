//! Parsing rules files and grep-style pattern lists into [`RuleSpec`]s.

use std::collections::HashMap;
use std::sync::Arc;

use super::{Action, CORE_CATEGORIES, Kind, MAX_BEFORE, MAX_BETWEEN, Origin, RuleSpec, url_host};
use crate::error::{Error, Result};

/// Parses the text of one rules file. `source` names it in errors (`source:line: ...`).
///
/// `categories` holds the categories known so far (declared in earlier files); declarations in
/// this file are added to it, so that a later file may use them.
///
/// ```
/// let mut cats = Vec::new();
/// let specs = dechaff::rules::parse_rules(
///     "tips.rules",
///     "# ads\nmy.ad  ad  line  Sponsored\n",
///     &mut cats,
/// ).unwrap();
/// assert_eq!(specs[0].id, "my.ad");
/// let err = dechaff::rules::parse_rules("bad.rules", "x ad lines y\n", &mut cats).unwrap_err();
/// assert!(err.to_string().starts_with("bad.rules:1: unknown kind 'lines'"));
/// ```
pub fn parse_rules(
    source: &str,
    text: &str,
    categories: &mut Vec<String>,
) -> Result<Vec<RuleSpec>> {
    let source: Arc<str> = Arc::from(source);
    let mut specs = Vec::new();
    for (i, raw) in text.split('\n').enumerate() {
        let origin = Origin {
            source: source.clone(),
            line: i + 1,
        };
        let line = raw.strip_suffix('\r').unwrap_or(raw);
        let body = line.trim_start_matches([' ', '\t']);
        if body.is_empty() || body.starts_with('#') {
            continue;
        }
        if body.trim_end_matches([' ', '\t']).is_empty() {
            continue;
        }
        if let Some(rest) = body.strip_prefix('@') {
            parse_directive(rest, &origin, categories)?;
            continue;
        }
        specs.push(parse_rule(body, origin, categories)?);
    }
    Ok(specs)
}

fn parse_directive(rest: &str, origin: &Origin, categories: &mut Vec<String>) -> Result<()> {
    let (word, tail) = split_field(rest);
    match word {
        "category" => {
            let (name, extra) = split_field(tail);
            if name.is_empty() {
                return Err(Error::rule(origin.to_string(), "'@category' needs a name"));
            }
            if !extra.trim().is_empty() {
                return Err(Error::rule(
                    origin.to_string(),
                    format!(
                        "unexpected text after '@category {name}': '{}'",
                        extra.trim()
                    ),
                ));
            }
            if !valid_name(name) {
                return Err(Error::rule(
                    origin.to_string(),
                    format!("invalid category name '{name}' (use letters, digits, '_', '-')"),
                ));
            }
            if !CORE_CATEGORIES.contains(&name) && !categories.iter().any(|c| c == name) {
                categories.push(name.to_string());
            }
            Ok(())
        }
        _ => Err(Error::rule(
            origin.to_string(),
            format!("unknown directive '@{word}' (the only directive is '@category NAME')"),
        )),
    }
}

/// Splits off the first blank-separated field; the rest keeps its leading blanks trimmed.
fn split_field(s: &str) -> (&str, &str) {
    let s = s.trim_start_matches([' ', '\t']);
    match s.find([' ', '\t']) {
        Some(i) => (&s[..i], s[i..].trim_start_matches([' ', '\t'])),
        None => (s, ""),
    }
}

fn valid_id(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'.' | b'-'))
}

fn valid_name(s: &str) -> bool {
    !s.is_empty()
        && s.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'_' | b'-'))
}

fn parse_rule(body: &str, origin: Origin, categories: &[String]) -> Result<RuleSpec> {
    let at = origin.to_string();
    let (id, rest) = split_field(body);
    if !valid_id(id) {
        return Err(Error::rule(
            at,
            format!("invalid rule id '{id}' (use letters, digits, '_', '.', '-')"),
        ));
    }
    let (category, rest) = split_field(rest);
    if category.is_empty() {
        return Err(Error::rule(
            at,
            format!("rule '{id}' has no category, kind or pattern"),
        ));
    }
    if !CORE_CATEGORIES.contains(&category) && !categories.iter().any(|c| c == category) {
        return Err(Error::rule(
            at,
            format!(
                "unknown category '{category}' (core categories: {}; declare others with '@category {category}')",
                CORE_CATEGORIES.join(", ")
            ),
        ));
    }
    let (kind_opts, rest) = split_field(rest);
    if kind_opts.is_empty() {
        return Err(Error::rule(
            at,
            format!("rule '{id}' has no kind (line, prefix, suffix, contains, regex)"),
        ));
    }
    let mut parts = kind_opts.split(',');
    let kind_word = parts.next().unwrap_or("");
    let kind = Kind::from_keyword(kind_word).ok_or_else(|| {
        Error::rule(
            at.clone(),
            format!(
                "unknown kind '{kind_word}' (expected line, prefix, suffix, contains or regex)"
            ),
        )
    })?;
    let mut spec = RuleSpec::new(
        id.to_string(),
        category.to_string(),
        kind,
        String::new(),
        origin,
    );
    for opt in parts {
        apply_option(&mut spec, opt, &at)?;
    }
    check_document_options(&spec, &at)?;
    let pattern = rest.trim_end_matches([' ', '\t']);
    if pattern.is_empty() {
        return Err(Error::rule(at, format!("rule '{id}' has no pattern")));
    }
    spec.pattern = match kind {
        Kind::Regex => pattern.to_string(),
        _ => unescape(pattern).map_err(|m| Error::rule(at.clone(), m))?,
    };
    Ok(spec)
}

fn apply_option(spec: &mut RuleSpec, opt: &str, at: &str) -> Result<()> {
    let number = |v: &str, name: &str| -> Result<usize> {
        match v.parse::<usize>() {
            Ok(n) if n > 0 => Ok(n),
            _ => Err(Error::rule(
                at,
                format!("option '{name}' needs a positive whole number, got '{v}'"),
            )),
        }
    };
    // A count of lines with an upper bound.
    let lines = |v: &str, name: &str, max: usize| -> Result<usize> {
        match number(v, name)? {
            n if n <= max => Ok(n),
            n => Err(Error::rule(
                at,
                format!("option '{name}' takes at most {max} lines, got {n}"),
            )),
        }
    };
    match opt.split_once('=') {
        None if opt == "case" => spec.case_sensitive = true,
        None if opt == "strip" => spec.action = Action::Strip,
        Some(("max-chars", v)) => spec.max_chars = Some(number(v, "max-chars")?),
        Some(("max-words", v)) => spec.max_words = Some(number(v, "max-words")?),
        Some(("head", v)) => spec.head = Some(number(v, "head")?),
        Some(("tail", v)) => spec.tail = Some(number(v, "tail")?),
        None if opt == "cut" => spec.cut = true,
        Some(("before", v)) => spec.before = Some(lines(v, "before", MAX_BEFORE)?),
        Some(("between", v)) => spec.between = Some(lines(v, "between", MAX_BETWEEN)?),
        None if opt == "footnote" => spec.footnote = true,
        Some(("site", v)) => spec.site = Some(site_host(v, at)?),
        _ if opt.is_empty() => {
            return Err(Error::rule(
                at,
                "empty option (two commas, or a trailing comma, after the kind)",
            ));
        }
        _ => {
            return Err(Error::rule(
                at,
                format!(
                    "unknown option '{opt}' (expected case, strip, max-chars=N, max-words=N, head=N, tail=N, cut, before=N, between=N, footnote or site=HOST)"
                ),
            ));
        }
    }
    Ok(())
}

/// Validates a `site=` value: a bare host name, stored lowercase.
fn site_host(v: &str, at: &str) -> Result<String> {
    let ok = !v.is_empty()
        && !v.starts_with(['.', '-'])
        && !v.ends_with(['.', '-'])
        && v.contains(|c: char| c.is_ascii_alphanumeric())
        && v.bytes()
            .all(|b| b.is_ascii_alphanumeric() || matches!(b, b'.' | b'-'));
    if !ok {
        return Err(Error::rule(
            at,
            format!("option 'site' needs a host name such as example.com, got '{v}'"),
        ));
    }
    // Exactly as a record's site is read from its URL: lowercase, without "www.". A valid host
    // name has no scheme, port, user or path, so `url_host` only normalises it.
    url_host(v)
        .ok_or_else(|| Error::rule(at, format!("option 'site' needs a host name, got '{v}'")))
}

/// The combinations of document options that make sense.
fn check_document_options(spec: &RuleSpec, at: &str) -> Result<()> {
    let id = &spec.id;
    let fail = |m: String| Err(Error::rule(at, m));
    if spec.head.is_some() && spec.tail.is_some() {
        return fail(format!(
            "rule '{id}': 'head=' and 'tail=' exclude each other (write two rules)"
        ));
    }
    if spec.cut && spec.tail.is_none() {
        return fail(format!(
            "rule '{id}': 'cut' needs 'tail=N' (an end marker is only trusted in the last N lines)"
        ));
    }
    if spec.before.is_some() && spec.tail.is_none() {
        return fail(format!(
            "rule '{id}': 'before=' needs 'tail=N' (a footer is only trusted in the last N lines)"
        ));
    }
    let actions = [
        (spec.cut, "cut"),
        (spec.before.is_some(), "before="),
        (spec.between.is_some(), "between="),
        (spec.footnote, "footnote"),
    ];
    for (set, name) in actions {
        if set && spec.action == Action::Strip {
            return fail(format!(
                "rule '{id}': '{name}' drops lines and cannot be combined with 'strip'"
            ));
        }
    }
    let mut set = actions.iter().filter(|(set, _)| *set).map(|(_, name)| name);
    if let (Some(a), Some(b)) = (set.next(), set.next()) {
        return fail(format!("rule '{id}': '{a}' and '{b}' cannot be combined"));
    }
    Ok(())
}

/// Resolves the literal escapes `\\`, `\s` and `\t`.
fn unescape(s: &str) -> std::result::Result<String, String> {
    if !s.contains('\\') {
        return Ok(s.to_string());
    }
    let mut out = String::with_capacity(s.len());
    let mut chars = s.chars();
    while let Some(c) = chars.next() {
        if c != '\\' {
            out.push(c);
            continue;
        }
        match chars.next() {
            Some('\\') => out.push('\\'),
            Some('s') => out.push(' '),
            Some('t') => out.push('\t'),
            Some(o) => {
                return Err(format!(
                    "unknown escape '\\{o}' in literal pattern (literals know \\\\, \\s and \\t; use the regex kind for more)"
                ));
            }
            None => {
                return Err(
                    "literal pattern ends with a lone '\\' (write '\\\\' for a backslash)".into(),
                );
            }
        }
    }
    Ok(out)
}

/// How grep-style patterns (`-e`, `-f`) are to be read, mirroring grep's `-F` and `-i`.
#[derive(Clone, Copy, Debug, Default)]
pub struct GrepOptions {
    /// `-F`: patterns are fixed strings, not regexes.
    pub fixed_strings: bool,
    /// `-i`: ignore case.
    pub ignore_case: bool,
}

/// Turns grep-style patterns into drop-line rules with grep's meaning: a line is dropped when
/// any pattern matches anywhere in it (`grep -v`). Each item is `(source, line, pattern)`;
/// rules get the category `pattern` and ids `pattern-N` in order.
///
/// An empty pattern matches every line, as in grep.
pub fn grep_specs<'a>(
    patterns: impl IntoIterator<Item = (Arc<str>, usize, &'a str)>,
    opts: GrepOptions,
) -> Vec<RuleSpec> {
    patterns
        .into_iter()
        .enumerate()
        .map(|(i, (source, line, pat))| {
            let (kind, pattern) = if opts.fixed_strings {
                if pat.is_empty() {
                    (Kind::Regex, String::new())
                } else {
                    (Kind::Contains, pat.to_string())
                }
            } else {
                (Kind::Regex, pat.to_string())
            };
            let mut spec = RuleSpec::new(
                format!("pattern-{}", i + 1),
                "pattern".to_string(),
                kind,
                pattern,
                Origin { source, line },
            );
            spec.case_sensitive = !opts.ignore_case;
            spec
        })
        .collect()
}

/// Checks that rule ids are unique across all specs, naming both places on a clash.
pub(crate) fn check_unique_ids(specs: &[RuleSpec]) -> Result<()> {
    let mut seen: HashMap<&str, &Origin> = HashMap::with_capacity(specs.len());
    for s in specs {
        if let Some(first) = seen.insert(&s.id, &s.origin) {
            return Err(Error::rule(
                s.origin.to_string(),
                format!("duplicate rule id '{}' (first defined at {first})", s.id),
            ));
        }
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn one(text: &str) -> RuleSpec {
        let mut cats = Vec::new();
        let mut v = parse_rules("t.rules", text, &mut cats).unwrap();
        assert_eq!(v.len(), 1);
        v.remove(0)
    }

    fn err(text: &str) -> String {
        let mut cats = Vec::new();
        parse_rules("t.rules", text, &mut cats)
            .unwrap_err()
            .to_string()
    }

    #[test]
    fn parses_every_kind_and_option() {
        let s = one("a.b  crosslink  prefix,case,max-chars=200,max-words=12   READ MORE:  \n");
        assert_eq!(s.id, "a.b");
        assert_eq!(s.category, "crosslink");
        assert_eq!(s.kind, Kind::Prefix);
        assert_eq!(s.pattern, "READ MORE:");
        assert!(s.case_sensitive);
        assert_eq!(s.max_chars, Some(200));
        assert_eq!(s.max_words, Some(12));
        assert_eq!(s.origin.line, 1);
        for (kw, k) in [
            ("line", Kind::Line),
            ("suffix", Kind::Suffix),
            ("contains", Kind::Contains),
            ("regex", Kind::Regex),
        ] {
            assert_eq!(one(&format!("x ad {kw} p")).kind, k);
        }
        assert_eq!(one("x ad contains,strip p").action, Action::Strip);
    }

    #[test]
    fn skips_comments_and_blank_lines_and_counts_lines() {
        let mut cats = Vec::new();
        let v = parse_rules(
            "t",
            "# c\n\n   # indented\r\n \t\nid ad line Advertisement\r\n",
            &mut cats,
        )
        .unwrap();
        assert_eq!(v.len(), 1);
        assert_eq!(v[0].origin.line, 5);
        assert_eq!(v[0].pattern, "Advertisement");
    }

    #[test]
    fn literal_escapes() {
        assert_eq!(one(r"x ad contains \sa\\b\tc\s").pattern, " a\\b\tc ");
        assert!(err(r"x ad contains a\d").contains("unknown escape '\\d'"));
        assert!(err("x ad contains a\\").contains("lone '\\'"));
        // regexes are kept verbatim
        assert_eq!(one(r"x ad regex ^\s*a\d").pattern, r"^\s*a\d");
    }

    #[test]
    fn errors_name_file_line_and_problem() {
        assert_eq!(
            err("\nx ad lines y"),
            "t.rules:2: unknown kind 'lines' (expected line, prefix, suffix, contains or regex)"
        );
        assert!(err("x adv line y").starts_with("t.rules:1: unknown category 'adv'"));
        assert!(err("x ad line,nocase y").starts_with("t.rules:1: unknown option 'nocase'"));
        assert!(err("x ad line,max-chars=0 y").contains("positive whole number, got '0'"));
        assert!(err("x ad line,max-chars=ten y").contains("got 'ten'"));
        assert!(err("x ad line,,case y").contains("empty option"));
        assert!(err("x ad line").contains("has no pattern"));
        assert!(err("x ad").contains("has no kind"));
        assert!(err("x").contains("has no category"));
        assert!(err("x/y ad line z").contains("invalid rule id 'x/y'"));
        assert!(err("@categry foo").contains("unknown directive '@categry'"));
        assert!(err("@category").contains("needs a name"));
        assert!(err("@category a b").contains("unexpected text"));
    }

    #[test]
    fn document_options_parse() {
        let s = one("x crosslink line,tail=5,cut Comments");
        assert_eq!((s.tail, s.cut, s.head), (Some(5), true, None));
        assert!(s.is_document_rule());
        let s = one("x disclaimer regex,footnote,max-chars=300 ^\\*.*banned");
        assert!(s.footnote && s.is_document_rule());
        let s = one("x ad line,head=3,site=News.Example.COM Top");
        assert_eq!(s.head, Some(3));
        assert_eq!(s.site.as_deref(), Some("news.example.com"));
        let s = one("x crosslink regex,tail=6,before=15 ^Reprints allowed");
        assert_eq!((s.tail, s.before, s.cut), (Some(6), Some(15), false));
        assert!(s.is_document_rule());
        assert_eq!(one("x ad line,before=64,tail=1 y").before, Some(64));
        let s = one("x ad line,site=WWW.example.com Top");
        assert!(!s.is_document_rule());
        assert_eq!(s.site.as_deref(), Some("example.com"));
    }

    #[test]
    fn document_option_errors_name_file_line_and_problem() {
        assert_eq!(
            err("x ad line,head=0 y"),
            "t.rules:1: option 'head' needs a positive whole number, got '0'"
        );
        assert!(
            err("x ad line,tail=-2 y")
                .contains("option 'tail' needs a positive whole number, got '-2'")
        );
        assert!(err("x ad line,tail= y").contains("got ''"));
        assert_eq!(
            err("x ad line,cut Comments"),
            "t.rules:1: rule 'x': 'cut' needs 'tail=N' (an end marker is only trusted in the last N lines)"
        );
        assert!(
            err("x ad line,head=2,tail=2 y").contains("'head=' and 'tail=' exclude each other")
        );
        assert!(
            err("x ad line,tail=2,cut,strip y")
                .contains("'cut' drops lines and cannot be combined with 'strip'")
        );
        assert!(err("x ad regex,footnote,strip y").contains("'footnote' drops lines"));
        assert!(
            err("x ad line,tail=2,cut,footnote y")
                .contains("'cut' and 'footnote' cannot be combined")
        );
        assert_eq!(
            err("x ad line,before=3 Footer"),
            "t.rules:1: rule 'x': 'before=' needs 'tail=N' (a footer is only trusted in the last N lines)"
        );
        assert_eq!(
            err("x ad line,tail=2,before=0 y"),
            "t.rules:1: option 'before' needs a positive whole number, got '0'"
        );
        assert!(err("x ad line,tail=2,before= y").contains("got ''"));
        assert!(err("x ad line,tail=2,before=three y").contains("got 'three'"));
        assert_eq!(
            err("\nx ad line,tail=2,before=65 y"),
            "t.rules:2: option 'before' takes at most 64 lines, got 65"
        );
        assert!(
            err("x ad line,tail=2,before=3,strip y")
                .contains("'before=' drops lines and cannot be combined with 'strip'")
        );
        assert!(
            err("x ad line,tail=2,cut,before=3 y")
                .contains("'cut' and 'before=' cannot be combined")
        );
        assert!(
            err("x ad line,tail=2,before=3,footnote y")
                .contains("'before=' and 'footnote' cannot be combined")
        );
        assert!(
            err("x ad line,site=http://a.com/ y").contains(
                "option 'site' needs a host name such as example.com, got 'http://a.com/'"
            )
        );
        assert!(err("x ad line,site= y").contains("got ''"));
        assert!(err("x ad line,zone=3 y").contains("unknown option 'zone=3'"));
    }

    #[test]
    fn declared_categories_are_accepted_and_carry_over() {
        let mut cats = Vec::new();
        let v = parse_rules("a", "@category credit\nx credit line Reuters\n", &mut cats).unwrap();
        assert_eq!(v[0].category, "credit");
        assert_eq!(cats, vec!["credit".to_string()]);
        let v = parse_rules("b", "y credit line AP\n", &mut cats).unwrap();
        assert_eq!(v[0].category, "credit");
    }

    #[test]
    fn duplicate_ids_name_both_places() {
        let mut cats = Vec::new();
        let v = parse_rules("f", "a ad line x\n\na ad line y\n", &mut cats).unwrap();
        let e = check_unique_ids(&v).unwrap_err().to_string();
        assert_eq!(e, "f:3: duplicate rule id 'a' (first defined at f:1)");
    }

    #[test]
    fn grep_patterns_keep_grep_meaning() {
        let src: Arc<str> = Arc::from("-e");
        let v = grep_specs(
            [(src.clone(), 1, "foo"), (src.clone(), 2, "")],
            GrepOptions {
                fixed_strings: true,
                ignore_case: false,
            },
        );
        assert_eq!(v[0].kind, Kind::Contains);
        assert!(v[0].case_sensitive);
        assert_eq!(v[1].kind, Kind::Regex);
        assert_eq!(v[1].pattern, "");
        let v = grep_specs(
            [(src, 1, "a+b")],
            GrepOptions {
                fixed_strings: false,
                ignore_case: true,
            },
        );
        assert_eq!(v[0].kind, Kind::Regex);
        assert!(!v[0].case_sensitive);
        assert_eq!(v[0].id, "pattern-1");
    }
}
