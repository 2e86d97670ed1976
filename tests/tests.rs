//! The integration tests: one binary, one module per area.

mod util;

/// The fuzz targets' recording observer and helpers, shared with the property tests.
#[path = "fuzz/fuzz_targets/common.rs"]
mod common;

mod before;
mod between;
mod cli;
mod documents;
mod fixtures;
mod grep_compat;
mod jsonl;
mod learn;
mod limits;
mod parallel;
mod properties;
mod seed;
mod unicode;
