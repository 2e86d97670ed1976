//! The `dechaff` binary: parses arguments, loads rules, dispatches. All the work is in the
//! library; this file only wires files, standard streams and exit codes to it.

mod cli;
mod streams;

use std::io::{self, BufReader, BufWriter, Write};
use std::path::Path;
use std::process::ExitCode;
use std::sync::Arc;

use clap::Parser;

use cli::{Args, BadRecordArg, Command, ExplainArg, RuleArgs, StatsFormat};
use dechaff::jsonl::{BadRecordPolicy, JsonlConfig, run_jsonl};
use dechaff::report::{Explain, ExplainFormat, Observer, RecordCounts, Stats};
use dechaff::rules::{GrepOptions, grep_specs, parse_rules};
use dechaff::{
    Boundary, DocumentConfig, Error, Filter, FilterConfig, Matcher, OutputMode, RunError,
};
use streams::Output;

/// Exit codes, in one place. 1 is kept for a future "something would be removed" check mode.
mod exit {
    /// Success, whether or not anything was removed.
    pub const OK: u8 = 0;
    /// Any error.
    pub const ERROR: u8 = 2;
}

fn main() -> ExitCode {
    let args = match Args::try_parse() {
        Ok(a) => a,
        Err(e) => {
            let code = if e.use_stderr() {
                exit::ERROR
            } else {
                exit::OK
            };
            let _ = e.print();
            return ExitCode::from(code);
        }
    };
    match run(args) {
        Ok(code) => ExitCode::from(code),
        Err(e) if e.is_broken_pipe() => ExitCode::from(exit::OK),
        Err(e) => {
            eprintln!("dechaff: {e}");
            ExitCode::from(exit::ERROR)
        }
    }
}

fn run(args: Args) -> Result<u8, Error> {
    match &args.command {
        Some(Command::Eval(e)) => return eval(e),
        Some(Command::Rules(l)) => return list_rules(&l.rules, l.cost.as_deref()),
        Some(Command::Learn(l)) => return learn(l),
        None => {}
    }
    // Rules compile on as many threads as the largest input will be filtered with.
    let compile_threads = args
        .files
        .iter()
        .map(|p| jobs_for(args.jobs, p))
        .max()
        .unwrap_or_else(|| jobs_for(args.jobs, Path::new("-")));
    // Never dropped: the process ends after this run, and freeing each compiled regex, its
    // caches and the automata one by one only delays the exit.
    let matcher = std::mem::ManuallyDrop::new(load_rules(&args.rules, compile_threads)?);
    let config = FilterConfig {
        output: if args.only_removed {
            OutputMode::Removed
        } else {
            OutputMode::Kept
        },
        max_line: args.max_line.max(1),
    };
    let boundary = match (&args.doc_sep, args.null_data) {
        (Some(sep), _) => Boundary::Separator(sep.as_bytes().to_vec()),
        (None, true) => Boundary::Nul,
        (None, false) => Boundary::File,
    };
    let filter = Filter::new(&matcher, config).with_documents(DocumentConfig {
        boundary: boundary.clone(),
        max_doc: args.max_doc.max(1),
        max_removed: args.max_removed,
        site: args.site.clone(),
    });
    let jsonl_config = JsonlConfig {
        field: args.field.split('.').map(String::from).collect(),
        on_bad_record: match args.on_bad_record {
            BadRecordArg::Fail => BadRecordPolicy::Fail,
            BadRecordArg::Pass => BadRecordPolicy::Pass,
            BadRecordArg::Skip => BadRecordPolicy::Skip,
        },
        max_record: args.max_record.max(1),
        site_field: args.site_field.split('.').map(String::from).collect(),
        site: args.site.clone(),
        max_doc: args.max_doc.max(1),
        max_removed: args.max_removed,
    };
    let out_name = args
        .output
        .as_ref()
        .map_or("<stdout>".to_string(), |p| p.display().to_string());
    let mut out =
        Output::open(args.output.as_deref()).map_err(|e| Error::io(out_name.clone(), e))?;
    let mut stats = Stats::new(matcher.rules().len());
    let want_stats = args.stats.is_some();
    let mut explain = args.explain.map(|f| {
        let format = match f {
            ExplainArg::Text => ExplainFormat::Text,
            ExplainArg::Json => ExplainFormat::Json,
        };
        Explain::new(matcher.rules(), BufWriter::new(io::stderr().lock()), format)
    });
    let inputs: Vec<&Path> = if args.files.is_empty() {
        vec![Path::new("-")]
    } else {
        args.files.iter().map(|p| p.as_path()).collect()
    };
    let mut failed = false;
    for path in inputs {
        let stdin = path.as_os_str() == "-";
        let name = if stdin {
            "<stdin>".to_string()
        } else {
            path.display().to_string()
        };
        let reader = match streams::open_input(path, args.decompress) {
            Ok(r) => r,
            Err(e) => {
                eprintln!("dechaff: {name}: {e}");
                failed = true;
                continue;
            }
        };
        let jsonl = args.jsonl || (!stdin && streams::is_jsonl_name(path));
        let jobs = jobs_for(args.jobs, path);
        let mut stats_obs = want_stats.then_some(&mut stats);
        let mut obs = (&mut stats_obs, &mut explain);
        obs.start_input(&name);
        let result = if jsonl {
            if args.only_removed {
                return Err(Error::other(
                    "--only-removed works on plain text, not with --jsonl",
                ));
            }
            if boundary != Boundary::File {
                return Err(Error::other(
                    "-z and --doc-sep split plain text; with --jsonl each record is one document",
                ));
            }
            let mut counts = RecordCounts::default();
            let r = run_jsonl(
                &matcher,
                &jsonl_config,
                BufReader::with_capacity(256 << 10, reader),
                &mut out,
                &mut obs,
                &mut counts,
            );
            stats.records.add(&counts);
            r
        } else {
            let len = streams::plain_len(path, args.decompress);
            filter.run_parallel_sized(reader, &mut out, &mut obs, jobs, len)
        };
        match result {
            Ok(()) => {}
            Err(RunError::Read(e)) => {
                eprintln!("dechaff: {name}: {e}");
                failed = true;
            }
            Err(RunError::BadRecord { record, message }) => {
                eprintln!(
                    "dechaff: {name}: record {record}: {message} (use --on-bad-record=pass or skip to go on)"
                );
                failed = true;
                break;
            }
            Err(RunError::Write(e)) => return Err(Error::io(out_name, e)),
        }
    }
    out.finish().map_err(|e| Error::io(out_name, e))?;
    if let Some(x) = explain {
        x.into_inner().map_err(|e| Error::io("<stderr>", e))?;
    }
    if let Some(fmt) = args.stats {
        let mut err = io::stderr().lock();
        let r = match fmt {
            StatsFormat::Text => stats.write_text(matcher.rules(), &mut err),
            StatsFormat::Json => stats.write_json(matcher.rules(), &mut err),
        };
        r.map_err(|e| Error::io("<stderr>", e))?;
    }
    Ok(if failed { exit::ERROR } else { exit::OK })
}

/// The matching threads for `path` (`-` is standard input): `-j N` when given, else
/// [`default_jobs`], one thread for standard input.
fn jobs_for(jobs: Option<usize>, path: &Path) -> usize {
    jobs.unwrap_or_else(|| {
        if path.as_os_str() == "-" {
            1
        } else {
            default_jobs(path)
        }
    })
}

/// All cores for a regular file of 8 MiB or more; one thread otherwise, where starting
/// threads would cost more than it saves.
fn default_jobs(path: &Path) -> usize {
    const LARGE: u64 = 8 << 20;
    if streams::by_name(path) != streams::Compression::None {
        // A decompressing reader is the bottleneck; more matching threads would only wait.
        return 1;
    }
    match std::fs::metadata(path) {
        Ok(m) if m.is_file() && m.len() >= LARGE => {
            std::thread::available_parallelism().map_or(1, |n| n.get())
        }
        _ => 1,
    }
}

fn read_text(path: &Path, what: &str) -> Result<String, Error> {
    let bytes = std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    String::from_utf8(bytes).map_err(|e| {
        let at = e.utf8_error().valid_up_to();
        let line = e.as_bytes()[..at].iter().filter(|&&b| b == b'\n').count() + 1;
        Error::rule(
            format!("{}:{line}", path.display()),
            format!("{what} is not valid UTF-8 (byte {at})"),
        )
    })
}

/// The source name of a user's rules or pattern file. The matcher trusts sources named
/// `<builtin:..>` to be the tested packs and compiles their regexes lazily, so a file that
/// happens to be called that is named `./<builtin:..>` instead: its regexes are compiled, and
/// checked, before any input is read.
fn rule_source(path: &Path) -> String {
    let name = path.display().to_string();
    if name.starts_with('<') {
        format!("./{name}")
    } else {
        name
    }
}

/// The matcher of the rules `a` selects, compiled with up to `threads` threads.
fn load_rules(a: &RuleArgs, threads: usize) -> Result<Matcher, Error> {
    let mut cats = Vec::new();
    let mut specs = Vec::new();
    if !a.no_default_rules {
        if let Some(langs) = &a.lang {
            for l in langs {
                if dechaff::packs::pack(l).is_none() {
                    let known: Vec<&str> = dechaff::packs::PACKS.iter().map(|p| p.lang).collect();
                    return Err(Error::other(format!(
                        "unknown pack '{l}' in --lang (packs: {})",
                        known.join(", ")
                    )));
                }
            }
        }
        specs.extend(dechaff::packs::builtin_specs(a.lang.as_deref(), &mut cats)?);
    }
    for path in &a.rule_files {
        let text = read_text(path, "rules file")?;
        specs.extend(parse_rules(&rule_source(path), &text, &mut cats)?);
    }
    let mut pats: Vec<(Arc<str>, usize, String)> = Vec::new();
    let src_e: Arc<str> = Arc::from("-e");
    for (i, p) in a.patterns.iter().enumerate() {
        pats.push((src_e.clone(), i + 1, p.clone()));
    }
    for path in &a.pattern_files {
        let text = read_text(path, "pattern file")?;
        let src: Arc<str> = Arc::from(rule_source(path));
        let body = text.strip_suffix('\n').unwrap_or(&text);
        if text.is_empty() {
            continue;
        }
        for (i, line) in body.split('\n').enumerate() {
            pats.push((
                src.clone(),
                i + 1,
                line.strip_suffix('\r').unwrap_or(line).to_string(),
            ));
        }
    }
    let opts = GrepOptions {
        fixed_strings: a.fixed_strings,
        ignore_case: a.ignore_case,
    };
    specs.extend(grep_specs(
        pats.iter().map(|(s, l, p)| (s.clone(), *l, p.as_str())),
        opts,
    ));
    Matcher::with_threads(&specs, threads)
}

fn eval(e: &cli::EvalArgs) -> Result<u8, Error> {
    let matcher = load_rules(&e.rules, 1)?;
    let dir = if e.multi {
        e.corpus.join("multi")
    } else {
        e.corpus.clone()
    };
    let opts = dechaff::eval::EvalOptions {
        show_false_positives: e.show_fp,
        show_misses: e.show_misses,
        whole_corpus: e.whole || e.rule.is_some(),
        sample_rule: e.rule.clone(),
        via_jsonl: e.jsonl,
    };
    let mut out = BufWriter::new(io::stdout().lock());
    dechaff::eval::evaluate(&matcher, &dir, &opts, &mut out)?;
    out.flush().map_err(|e| Error::io("<stdout>", e))?;
    Ok(exit::OK)
}

fn list_rules(a: &RuleArgs, cost: Option<&Path>) -> Result<u8, Error> {
    let matcher = load_rules(a, 1)?;
    let mut out = BufWriter::new(io::stdout().lock());
    let w = |e| Error::io("<stdout>", e);
    if let Some(path) = cost {
        let text = std::fs::read(path).map_err(|e| Error::io(path.display().to_string(), e))?;
        let lines = memchr::memchr_iter(b'\n', &text).count();
        let counts = matcher.candidate_counts(&text);
        let mut order: Vec<usize> = (0..counts.len()).filter(|&i| counts[i] > 0).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(counts[i]));
        writeln!(
            out,
            "# candidate lines per rule in {} ({lines} lines)",
            path.display()
        )
        .map_err(w)?;
        for i in order {
            let r = &matcher.rules()[i];
            writeln!(out, "{}\t{}\t{}", counts[i], r.id, r.place).map_err(w)?;
        }
        out.flush().map_err(w)?;
        return Ok(exit::OK);
    }
    writeln!(out, "# id\tcategory\tkind\taction\twhere\torigin").map_err(w)?;
    for r in matcher.rules() {
        let mut action = String::from(match (r.action, r.cut, r.footnote) {
            (_, true, _) => "cut",
            (_, _, true) => "drop,footnote",
            (dechaff::rules::Action::Drop, ..) => "drop",
            _ => "strip",
        });
        // Document scopes, as written in the rules format.
        for (name, n) in [
            ("head", r.head),
            ("tail", r.tail),
            ("before", r.before),
            ("between", r.between),
        ] {
            if let Some(n) = n {
                action.push_str(&format!(",{name}={n}"));
            }
        }
        if let Some(site) = &r.site {
            action.push_str(&format!(",site={site}"));
        }
        let (id, cat, kind, place) = (&r.id, &r.category, r.kind.keyword(), r.place);
        writeln!(out, "{id}\t{cat}\t{kind}\t{action}\t{place}\t{}", r.origin).map_err(w)?;
    }
    writeln!(
        out,
        "# {} rules, {} automaton patterns",
        matcher.rules().len(),
        matcher.pattern_count()
    )
    .map_err(w)?;
    out.flush().map_err(w)?;
    Ok(exit::OK)
}

fn learn(a: &cli::LearnArgs) -> Result<u8, Error> {
    use dechaff::learn::{Format, Framing, Input, LearnConfig};
    let valid = |s: &str, extra: &[u8]| {
        !s.is_empty()
            && s.bytes()
                .all(|b| b.is_ascii_alphanumeric() || b == b'_' || extra.contains(&b))
    };
    if !valid(&a.category, b"-") {
        return Err(Error::other(format!(
            "invalid --category '{}' (use letters, digits, '_', '-')",
            a.category
        )));
    }
    if !valid(&a.prefix, b"-.") {
        return Err(Error::other(format!(
            "invalid --prefix '{}' (use letters, digits, '_', '.', '-')",
            a.prefix
        )));
    }
    if a.min_docs < 2 || !(0.0..=1.0).contains(&a.prose_share) {
        return Err(Error::other(
            "--min-docs must be at least 2 and --prose-share between 0 and 1",
        ));
    }
    let mut inputs = Vec::new();
    for p in &a.files {
        if p.as_os_str() == "-" {
            return Err(Error::other(
                "learn reads its inputs twice and cannot take standard input; give files",
            ));
        }
        let jsonl = a.jsonl || streams::is_jsonl_name(p);
        inputs.push(Input {
            name: p.display().to_string(),
            format: if jsonl { Format::Jsonl } else { Format::Text },
        });
    }
    let cfg = LearnConfig {
        min_docs: a.min_docs,
        min_chars: a.min_chars,
        prose_docs: a.prose_docs,
        prose_share: a.prose_share,
        max_sites: a.max_sites.max(2),
        max_chars: a.max_chars.max(1),
        capacity: a.capacity.max(1),
        category: a.category.clone(),
        prefix: a.prefix.clone(),
        scope_sites: !a.no_site,
        field: a.field.split('.').map(String::from).collect(),
        group_by: a.group_by.split('.').map(String::from).collect(),
        site: a.site.clone(),
        framing: match (&a.doc_sep, a.null_data) {
            (Some(sep), _) => Framing::Separator(sep.as_bytes().to_vec()),
            (None, true) => Framing::Nul,
            (None, false) => Framing::File,
        },
        ..LearnConfig::default()
    };
    let open = |i: &Input| -> io::Result<Box<dyn io::Read>> {
        Ok(streams::open_input(Path::new(&i.name), false)?)
    };
    let learned = dechaff::learn::learn(&inputs, &open, &cfg)?;
    let out_name = a
        .output
        .as_ref()
        .map_or("<stdout>".to_string(), |p| p.display().to_string());
    let mut out = Output::open(a.output.as_deref()).map_err(|e| Error::io(out_name.clone(), e))?;
    dechaff::learn::write_rules(&learned, &cfg, &mut out)
        .and_then(|()| out.finish())
        .map_err(|e| Error::io(out_name, e))?;
    Ok(exit::OK)
}
