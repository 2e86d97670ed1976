//! The integration tests: one binary, one module per area.

mod util;

mod before;
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
