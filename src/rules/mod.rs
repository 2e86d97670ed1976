//! The rules format: text in, validated [`RuleSpec`]s out.
//!
//! This module only *reads* rules; turning them into automata is the matcher's job
//! ([`crate::Matcher`]). Keeping the two apart means every syntax error is found, with its
//! `path:line:`, before anything is compiled or any input is read, and that the grep-style
//! patterns of the CLI (`-e`, `-f`, `-F`, `-i`) become ordinary specs through [`grep_specs`].
//!
//! # Grammar
//!
//! ```text
//! file      = { line "\n" }
//! line      = blank | comment | directive | rule
//! comment   = { " " | "\t" } "#" { any }
//! directive = "@category" ws NAME
//! rule      = ID ws CATEGORY ws KIND { "," OPTION } ws PATTERN
//! KIND      = "line" | "prefix" | "suffix" | "contains" | "regex"
//! OPTION    = "case" | "strip" | "max-chars=" N | "max-words=" N
//!           | "head=" N | "tail=" N | "cut" | "before=" N | "between=" N | "footnote"
//!           | "site=" HOST
//! ID        = 1*( ALNUM | "_" | "." | "-" )
//! CATEGORY  = "crosslink" | "promo" | "ad" | "disclaimer" | "widget" | a declared NAME
//! ```
//!
//! `PATTERN` is the rest of the line with surrounding blanks removed. Literal patterns know
//! three escapes: `\\`, `\s` (a space) and `\t`. See the README for the meaning of each kind.
//!
//! The document options (`head=`, `tail=`, `cut`, `before=`, `between=`, `footnote`, `site=`)
//! scope a rule
//! to part of a document or to one site, or give it a document-wide effect; [`crate::document`]
//! says what a document is and applies them. They are checked here for consistency: `cut` and
//! `before=N` need `tail=N` (an end-of-article marker or a site footer is only trusted near the
//! end), `cut`, `before=`, `between=` and `footnote` are drop actions and so exclude `strip` and
//! each other, `before=N` takes 1 to [`MAX_BEFORE`] lines, `between=N` 1 to [`MAX_BETWEEN`], and
//! `head=` and `tail=` exclude each other.

mod parse;

pub(crate) use parse::check_unique_ids;
pub use parse::{GrepOptions, grep_specs, parse_rules};

use std::fmt;
use std::sync::Arc;

/// The largest `before=N`: a site template's block of teasers is a few dozen lines at most, and
/// a larger block would reach into the story.
pub const MAX_BEFORE: usize = 64;

/// The largest `between=N`: a widget prints its heading around a teaser or two, not around a
/// section of story.
pub const MAX_BETWEEN: usize = 8;

/// The longest line, in characters after trimming, that a `between=N` pair takes with it: a
/// teaser is a headline; a longer line between two headings leaves the pair alone.
pub const BETWEEN_MAX_CHARS: usize = 250;

/// The five kinds of chaff the tool exists to remove; every rule file may use them undeclared.
pub const CORE_CATEGORIES: [&str; 5] = ["crosslink", "promo", "ad", "disclaimer", "widget"];

/// How a rule's pattern is compared with a line.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Kind {
    /// The trimmed line equals the pattern.
    Line,
    /// The trimmed line starts with the pattern.
    Prefix,
    /// The trimmed line ends with the pattern.
    Suffix,
    /// The pattern occurs anywhere in the line.
    Contains,
    /// A regular expression (Rust `regex` syntax over bytes) matches the line.
    Regex,
}

impl Kind {
    /// The keyword that names this kind in a rules file.
    pub fn keyword(self) -> &'static str {
        match self {
            Kind::Line => "line",
            Kind::Prefix => "prefix",
            Kind::Suffix => "suffix",
            Kind::Contains => "contains",
            Kind::Regex => "regex",
        }
    }

    fn from_keyword(s: &str) -> Option<Kind> {
        Some(match s {
            "line" => Kind::Line,
            "prefix" => Kind::Prefix,
            "suffix" => Kind::Suffix,
            "contains" => Kind::Contains,
            "regex" => Kind::Regex,
            _ => return None,
        })
    }
}

/// What happens to a line a rule matches.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Action {
    /// The whole line, terminator included, is removed.
    Drop,
    /// Only the matched span is removed; the rest of the line is kept.
    Strip,
}

/// Where a rule was defined: a source name (file path, `<builtin:en>`, `-e`) and a 1-based line.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Origin {
    /// The file or other source the rule came from.
    pub source: Arc<str>,
    /// The 1-based line within it.
    pub line: usize,
}

impl fmt::Display for Origin {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}:{}", self.source, self.line)
    }
}

impl RuleSpec {
    /// A drop rule with no options: case-insensitive, no length limits, no document options.
    pub fn new(
        id: String,
        category: String,
        kind: Kind,
        pattern: String,
        origin: Origin,
    ) -> RuleSpec {
        RuleSpec {
            id,
            category,
            kind,
            pattern,
            case_sensitive: false,
            action: Action::Drop,
            max_chars: None,
            max_words: None,
            head: None,
            tail: None,
            cut: false,
            before: None,
            between: None,
            footnote: false,
            site: None,
            origin,
        }
    }

    /// True when the rule needs whole documents: a zone (`head=`/`tail=`), `cut`, `before=`,
    /// `between=` or `footnote`. (`site=` alone does not: a run's or a record's site is known before its first
    /// line.)
    pub fn is_document_rule(&self) -> bool {
        self.head.is_some()
            || self.tail.is_some()
            || self.cut
            || self.before.is_some()
            || self.between.is_some()
            || self.footnote
    }
}

/// True when `site` (a lowercase host) is `rule_site` or one of its subdomains.
///
/// ```
/// use dechaff::rules::site_matches;
/// assert!(site_matches("news.example.com", "example.com"));
/// assert!(site_matches("example.com", "example.com"));
/// assert!(!site_matches("badexample.com", "example.com"));
/// ```
pub fn site_matches(site: &str, rule_site: &str) -> bool {
    site == rule_site
        || (site.len() > rule_site.len()
            && site.ends_with(rule_site)
            && site.as_bytes()[site.len() - rule_site.len() - 1] == b'.')
}

/// The host of a URL, lowercased, without `www.`, port or user: what a JSON Lines record's
/// `url` field gives as its site. `None` when there is no host.
///
/// ```
/// use dechaff::rules::url_host;
/// assert_eq!(url_host("https://WWW.Example.com:443/a/b?c").as_deref(), Some("example.com"));
/// assert_eq!(url_host("news.example.org/story").as_deref(), Some("news.example.org"));
/// assert_eq!(url_host(""), None);
/// ```
pub fn url_host(url: &str) -> Option<String> {
    let rest = url.trim();
    let rest = match rest.find("://") {
        Some(i) => &rest[i + 3..],
        None => rest.strip_prefix("//").unwrap_or(rest),
    };
    let end = rest.find(['/', '?', '#']).unwrap_or(rest.len());
    let auth = &rest[..end];
    let auth = auth.rsplit_once('@').map_or(auth, |(_, h)| h);
    let host = match auth.rfind(':') {
        Some(i) if !auth.starts_with('[') || auth[..i].ends_with(']') => &auth[..i],
        _ => auth,
    };
    let mut host = host.trim_end_matches('.').to_ascii_lowercase();
    if host.starts_with("www.") {
        host.drain(..4);
    }
    (!host.is_empty() && host.contains(|c: char| c.is_ascii_alphanumeric())).then_some(host)
}

/// One parsed, validated rule, not yet compiled.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct RuleSpec {
    /// The rule's id, unique within a rule set.
    pub id: String,
    /// The category it reports under.
    pub category: String,
    /// How the pattern is compared.
    pub kind: Kind,
    /// The pattern: a literal (escapes already resolved) or a regex source.
    pub pattern: String,
    /// True when matching is case-sensitive (`case` option).
    pub case_sensitive: bool,
    /// Drop the line or strip the match.
    pub action: Action,
    /// Apply only to lines of at most this many characters (after trimming).
    pub max_chars: Option<usize>,
    /// Apply only to lines of at most this many words.
    pub max_words: Option<usize>,
    /// `head=N`: apply only to the first N lines of a document.
    pub head: Option<usize>,
    /// `tail=N`: apply only to the last N lines of a document.
    pub tail: Option<usize>,
    /// `cut`: a matched line and every line after it in its document are dropped.
    pub cut: bool,
    /// `before=N`: a matched line and the N non-blank lines directly before it in its document
    /// are dropped (a site footer and the fixed block of teasers its template prints above it).
    pub before: Option<usize>,
    /// `between=N`: two lines the rule matches with at most N non-blank lines between them in
    /// their document take those lines with them (a widget that prints its heading above and
    /// below its teaser). Lines are paired in order; each between line must be a headline of at
    /// most [`BETWEEN_MAX_CHARS`] characters.
    pub between: Option<usize>,
    /// `footnote`: when the rule drops a footnote line, the markers it explains (`Name*`) are
    /// stripped from the rest of the document.
    pub footnote: bool,
    /// `site=HOST`: apply only to documents of this site (lowercase host) or its subdomains.
    pub site: Option<String>,
    /// Where the rule was defined.
    pub origin: Origin,
}
