//! Command-line arguments, and their translation into plain settings.
//!
//! clap lives here alone: [`Args`] is parsed from the command line and turned into the
//! library's types ([`crate`]'s rule specs, [`dechaff::FilterConfig`]) by `main.rs`, so the
//! library never depends on how options are spelled.

use std::path::PathBuf;

use clap::{Args as ClapArgs, Parser, Subcommand, ValueEnum};

const EXAMPLES: &str = "\
Examples:
  dechaff article.txt                      clean a file to stdout
  dechaff < scraped.txt > clean.txt        as a filter (no FILE, or '-', reads stdin)
  dechaff --stats a.txt b.txt -o out.txt   clean two files into one, counts to stderr
  dechaff --explain --only-removed a.txt   review what would be removed, and why
  dechaff --rules mysite.rules a.txt       add your own rules to the built-in packs
  dechaff -z --max-removed 50% pages.bin   NUL-separated documents; leave alone any document
                                           the rules would take more than half of
  dechaff --doc-sep '<<<END>>>' dump.txt   documents separated by a line '<<<END>>>'
  dechaff --site example.com a.txt         apply the site=example.com rules too
  dechaff --no-default-rules -F -i -f words.txt a.txt
                                           exactly `grep -v -F -i -f words.txt a.txt`
  dechaff eval --show-fp                   precision/recall on ../shared/corpus

Exit status: 0 on success (also when nothing was removed), 2 on any error.
A closed output pipe ends the run quietly with status 0.";

/// Removes chaff (cross-link promos, share/subscribe lines, ad slots, disclaimers, widget text)
/// from scraped article text; every other byte is written back unchanged.
#[derive(Parser, Debug)]
#[command(name = "dechaff", version, after_help = EXAMPLES, args_conflicts_with_subcommands = true)]
pub struct Args {
    /// Input files; none or '-' reads standard input. (A file named like a subcommand: ./eval)
    #[arg(value_name = "FILE")]
    pub files: Vec<PathBuf>,

    /// Write output to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,

    #[command(flatten)]
    pub rules: RuleArgs,

    /// Print per-rule and per-category counts of removed lines to stderr (text or json).
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "text", require_equals = true)]
    pub stats: Option<StatsFormat>,

    /// For every removed or changed line, print FILE:LINE, the rule id, its category and the
    /// line (escaped) to stderr, or one JSON object per line with --explain=json. Does not
    /// change the output.
    #[arg(long, value_name = "FORMAT", num_args = 0..=1, default_missing_value = "text", require_equals = true)]
    pub explain: Option<ExplainArg>,

    /// Read JSON Lines records and clean one string field of each (implied by a .jsonl,
    /// .jsonl.gz or .jsonl.zst file name). Every other byte of a record is kept.
    #[arg(long)]
    pub jsonl: bool,

    /// The field to clean in JSON Lines records; a.b.c for nested objects.
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,

    /// What to do with a JSON Lines record that is not valid JSON: stop with an error (fail),
    /// write it unchanged (pass) or leave it out (skip). Passed and skipped records are counted.
    #[arg(long, value_name = "POLICY", value_enum, default_value_t = BadRecordArg::Fail)]
    pub on_bad_record: BadRecordArg,

    /// JSON Lines records longer than this many bytes pass through unchecked.
    #[arg(long, value_name = "BYTES", default_value_t = 64 << 20)]
    pub max_record: usize,

    /// Decompress standard input when it is gzip or zstd (files are decompressed by their
    /// .gz/.zst name; -o FILE.gz or FILE.zst compresses the output).
    #[arg(long)]
    pub decompress: bool,

    /// Write only the removed lines (and changed lines as they were read) instead of the kept ones.
    #[arg(long)]
    pub only_removed: bool,

    /// Lines longer than this many bytes are passed through unchecked (also the read buffer size).
    #[arg(long, value_name = "BYTES", default_value_t = dechaff::frame::DEFAULT_MAX_LINE)]
    pub max_line: usize,

    /// Matching threads. Default: all cores for input files of 8 MiB or more, else 1. The rules
    /// are compiled on as many threads (for the largest input). Output is identical for every
    /// value.
    #[arg(short = 'j', long = "jobs", value_name = "N")]
    pub jobs: Option<usize>,

    /// Documents in text input are separated by NUL bytes (as in GNU grep -z); each NUL is kept.
    /// Without -z or --doc-sep, each input file is one document.
    #[arg(short = 'z', long = "null-data", conflicts_with = "doc_sep")]
    pub null_data: bool,

    /// Documents in text input are separated by lines that are exactly LINE (without the line
    /// end); separator lines are kept and belong to no document.
    #[arg(long, value_name = "LINE", value_parser = parse_doc_sep, allow_hyphen_values = true)]
    pub doc_sep: Option<String>,

    /// Documents longer than this many bytes are judged by line rules only (no zones, cut,
    /// before, between pairs, footnote pairing or cap), and counted.
    #[arg(long, value_name = "BYTES", default_value_t = dechaff::document::DEFAULT_MAX_DOC)]
    pub max_doc: usize,

    /// Leave a document unchanged, and count it as flagged, when the rules would remove more
    /// than this share of its non-blank lines or of its bytes (0.5 or 50%). Documents of fewer
    /// than 3 non-blank lines are never flagged. Default: off.
    #[arg(long, value_name = "SHARE", value_parser = dechaff::document::parse_share)]
    pub max_removed: Option<f64>,

    /// The site of text input (a host such as example.com, or a URL), for site= rules. JSON
    /// Lines records take theirs from --site-field; this is the fallback.
    #[arg(long, value_name = "HOST", value_parser = parse_site)]
    pub site: Option<String>,

    /// The JSON Lines field holding each record's URL (or host), for site= rules; a.b for
    /// nested objects.
    #[arg(long, value_name = "PATH", default_value = "url")]
    pub site_field: String,

    #[command(subcommand)]
    pub command: Option<Command>,
}

fn parse_doc_sep(s: &str) -> Result<String, String> {
    if s.is_empty() {
        return Err("a separator line cannot be empty (an empty line is a paragraph break)".into());
    }
    if s.contains(['\n', '\r', '\0']) {
        return Err("a separator line cannot contain a line break or a NUL".into());
    }
    Ok(s.to_string())
}

fn parse_site(s: &str) -> Result<String, String> {
    dechaff::rules::url_host(s)
        .ok_or_else(|| format!("expected a host such as example.com, got '{s}'"))
}

/// Where rules come from; shared by the filter and `eval`.
#[derive(ClapArgs, Debug, Clone, Default)]
pub struct RuleArgs {
    /// Add the rules in FILE (repeatable). See README for the format.
    #[arg(long = "rules", value_name = "FILE")]
    pub rule_files: Vec<PathBuf>,

    /// Do not load the built-in rule packs.
    #[arg(long)]
    pub no_default_rules: bool,

    /// Load only these built-in packs (comma-separated language codes, e.g. en,de).
    #[arg(long, value_name = "LIST", value_delimiter = ',')]
    pub lang: Option<Vec<String>>,

    /// Drop lines matching PATTERN, as `grep -v -e` (repeatable; Rust regex syntax, like rg).
    #[arg(
        short = 'e',
        long = "regexp",
        value_name = "PATTERN",
        allow_hyphen_values = true
    )]
    pub patterns: Vec<String>,

    /// Drop lines matching any pattern in FILE, one per line, as `grep -v -f`.
    #[arg(short = 'f', long = "file", value_name = "FILE")]
    pub pattern_files: Vec<PathBuf>,

    /// Treat -e/-f patterns as fixed strings, as `grep -F`.
    #[arg(short = 'F', long)]
    pub fixed_strings: bool,

    /// Match -e/-f patterns without regard to case, as `grep -i`.
    #[arg(short = 'i', long)]
    pub ignore_case: bool,
}

/// Explanation formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum ExplainArg {
    /// `FILE:LINE: dropped RULE (CATEGORY): LINE` for people.
    Text,
    /// One JSON object per removal, for audit trails.
    Json,
}

/// Policies for invalid JSON Lines records.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum BadRecordArg {
    /// Stop with exit status 2, naming the record.
    Fail,
    /// Write the record through unchanged.
    Pass,
    /// Leave the record out.
    Skip,
}

/// Statistics formats.
#[derive(ValueEnum, Clone, Copy, Debug, PartialEq, Eq)]
pub enum StatsFormat {
    /// A table for people.
    Text,
    /// One JSON object.
    Json,
}

/// Subcommands.
#[derive(Subcommand, Debug)]
pub enum Command {
    /// Measure precision and recall on the hand-labelled corpus sample.
    Eval(EvalArgs),
    /// List the loaded rules (built-in packs and --rules files) with their ids and origins.
    Rules(ListArgs),
    /// Find lines that recur across many documents of one site and write them as rules.
    Learn(LearnArgs),
}

/// Arguments of `dechaff eval`.
#[derive(ClapArgs, Debug)]
pub struct EvalArgs {
    /// The corpus folder holding articles.jsonl.gz and labels.tsv.
    #[arg(long, value_name = "DIR", default_value = "../shared/corpus")]
    pub corpus: PathBuf,
    /// Evaluate the multilingual sample (CORPUS/multi), per language.
    #[arg(long)]
    pub multi: bool,
    /// Print every removed content line.
    #[arg(long)]
    pub show_fp: bool,
    /// Print every core chaff line that was kept.
    #[arg(long)]
    pub show_misses: bool,
    /// Also count removals per rule over every article, labelled or not.
    #[arg(long)]
    pub whole: bool,
    /// With --whole: print every line this rule removes.
    #[arg(long, value_name = "ID")]
    pub rule: Option<String>,
    /// Run each article through the JSON Lines path instead of the text path.
    #[arg(long)]
    pub jsonl: bool,
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Arguments of `dechaff rules`.
#[derive(ClapArgs, Debug)]
pub struct ListArgs {
    /// Instead of the list, count per rule the lines of FILE where one of its patterns was found
    /// (candidate lines, each checked further): what each rule costs on that text.
    #[arg(long, value_name = "FILE")]
    pub cost: Option<PathBuf>,
    #[command(flatten)]
    pub rules: RuleArgs,
}

/// Arguments of `dechaff learn`.
#[derive(ClapArgs, Debug)]
#[command(after_help = "\
Each file is read twice (candidates in fixed memory, then exact counts), so standard input is
not accepted. Held-back lines are written as commented-out rules, with the guard that held them:
  short       fewer than --min-chars word characters, or one word
  label       ends with a colon (a heading for what follows)
  quote       5 or more words in quotation marks (story text quoted again)
  repeated    found 3 or more times per document on average (transcript speakers, labels)
  syndicated  6 or more words, found in --max-sites sites or more, and like prose at home
  prose       a sentence in fewer than --prose-docs documents and --prose-share of its site
  nosite      a line of documents without a site, in fewer than --prose-docs of them
Apply the result with `dechaff --rules FILE`.")]
pub struct LearnArgs {
    /// Inputs: JSON Lines (.jsonl, .jsonl.gz, .jsonl.zst, or --jsonl) or text documents.
    #[arg(value_name = "FILE", required = true)]
    pub files: Vec<PathBuf>,
    /// Write the rules to FILE instead of standard output.
    #[arg(short = 'o', long = "output", value_name = "FILE")]
    pub output: Option<PathBuf>,
    /// Read every input as JSON Lines.
    #[arg(long)]
    pub jsonl: bool,
    /// JSON Lines: the field holding the text (a.b for nested objects).
    #[arg(long, value_name = "PATH", default_value = "text")]
    pub field: String,
    /// JSON Lines: the field naming the site; a URL gives its host (www. removed).
    #[arg(long, value_name = "PATH", default_value = "url")]
    pub group_by: String,
    /// Text inputs: the site of their documents.
    #[arg(long, value_name = "HOST", value_parser = parse_site)]
    pub site: Option<String>,
    /// Text inputs: documents are separated by NUL bytes.
    #[arg(short = 'z', long = "null-data")]
    pub null_data: bool,
    /// Text inputs: documents are separated by lines equal to LINE.
    #[arg(
        long,
        value_name = "LINE",
        value_parser = parse_doc_sep,
        conflicts_with = "null_data",
        allow_hyphen_values = true
    )]
    pub doc_sep: Option<String>,
    /// A line must recur in at least N documents of one site.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub min_docs: u32,
    /// Hold back lines with fewer word characters than N.
    #[arg(long, value_name = "N", default_value_t = 12)]
    pub min_chars: usize,
    /// A sentence must recur in N documents of its site (or --prose-share of them).
    #[arg(long, value_name = "N", default_value_t = 10)]
    pub prose_docs: u32,
    /// See --prose-docs (a fraction, 0 to 1).
    #[arg(long, value_name = "F", default_value_t = 0.5)]
    pub prose_share: f64,
    /// Hold back lines of 6+ words found in N sites or more.
    #[arg(long, value_name = "N", default_value_t = 3)]
    pub max_sites: usize,
    /// Do not learn lines longer than N characters.
    #[arg(long, value_name = "N", default_value_t = 400)]
    pub max_chars: usize,
    /// Counters of the first pass (memory: about 24 bytes each).
    #[arg(long, value_name = "N", default_value_t = 1 << 18)]
    pub capacity: usize,
    /// The category of the written rules (declared with @category unless a core one).
    #[arg(long, value_name = "NAME", default_value = "learned")]
    pub category: String,
    /// The first part of every rule id.
    #[arg(long, value_name = "ID", default_value = "learned")]
    pub prefix: String,
    /// Write rules without site=HOST: every rule applies to every document.
    #[arg(long)]
    pub no_site: bool,
}
