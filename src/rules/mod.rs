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
//! ID        = 1*( ALNUM | "_" | "." | "-" )
//! CATEGORY  = "crosslink" | "promo" | "ad" | "disclaimer" | "widget" | a declared NAME
//! ```
//!
//! `PATTERN` is the rest of the line with surrounding blanks removed. Literal patterns know
//! three escapes: `\\`, `\s` (a space) and `\t`. See the README for the meaning of each kind.

mod parse;

pub(crate) use parse::check_unique_ids;
pub use parse::{GrepOptions, grep_specs, parse_rules};

use std::fmt;
use std::sync::Arc;

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
    /// Where the rule was defined.
    pub origin: Origin,
}
