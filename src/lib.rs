//! # dechaff
//!
//! Removes the chaff from scraped article text: cross-link promos ("READ MORE: ..."), promo
//! lines (share, follow, subscribe), ad slots, editorial and legal disclaimers, and widget text
//! flattened into the article. Everything else is written back byte for byte.
//!
//! Data flows one way: rules text → [`rules::RuleSpec`]s ([`rules`]) → a compiled
//! [`Matcher`] → a [`Filter`] that frames the input into lines ([`frame`]), asks the matcher
//! for a [`Verdict`] per line and pushes kept bytes to a writer and removals to an
//! [`report::Observer`] ([`report`]). [`parallel`] runs the same filter on several threads with
//! identical output; [`jsonl`] applies the matcher to one string field of JSON Lines records;
//! [`eval`] measures the packs ([`packs`]) on the labelled corpus. Rules that need a whole
//! article (zones, end-of-article cuts, footnote pairing) and the removal cap work on
//! *documents* ([`document`]): an input file, a `-z` or `--doc-sep` piece, or a record.
//!
//! ```
//! use dechaff::{Filter, FilterConfig, Matcher};
//!
//! let mut categories = Vec::new();
//! let mut specs = dechaff::packs::builtin_specs(None, &mut categories).unwrap();
//! specs.extend(dechaff::rules::parse_rules("my.rules", "my.ad ad line Sponsored\n", &mut categories).unwrap());
//! let matcher = Matcher::new(&specs).unwrap();
//!
//! let article = b"First paragraph.\nREAD MORE: Another headline\nSponsored\nLast paragraph.\n";
//! let mut out = Vec::new();
//! Filter::new(&matcher, FilterConfig::default()).run(&article[..], &mut out, &mut ()).unwrap();
//! assert_eq!(out, b"First paragraph.\nLast paragraph.\n");
//! ```
//!
//! ## Lines
//! A line is the bytes up to and including `\n`. Rules see its content without `\n` or `\r\n`;
//! a kept line is written back with its terminator exactly as read, so CRLF, invalid UTF-8 and a
//! missing final newline survive. Lines longer than [`FilterConfig::max_line`] pass through
//! unchecked, which keeps memory bounded whatever the input.

#![deny(missing_docs)]

pub mod document;
pub mod error;
pub mod eval;
pub mod filter;
pub mod frame;
pub mod jsonl;
mod keys;
mod lockstep;
pub mod matcher;
pub mod packs;
pub mod parallel;
pub mod report;
pub mod rules;

pub use document::{Boundary, DocumentConfig};
pub use error::{Error, Result};
pub use filter::{Cursor, Filter, FilterConfig, OutputMode, RunError};
pub use matcher::{Matcher, RuleId, RuleInfo, Scope, Scratch, Span, Verdict};
