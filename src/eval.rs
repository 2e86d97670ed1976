//! Evaluation against the hand-labelled corpus sample (`../shared/corpus`).
//!
//! Lives in the library, not only the CLI, so that tests and benches can run it and so the
//! numbers in the README come from the same code users run with `dechaff eval`. The metric is
//! the corpus README's: precision = removed labelled lines that are not `content` / removed
//! labelled lines; core recall = removed `crosslink|promo|ad|disclaimer|widget` lines / all such
//! lines. A line changed by a strip rule is not removed.

use std::collections::{BTreeMap, HashMap};
use std::fs::File;
use std::io::{self, BufRead, BufReader, Write};
use std::path::Path;

use crate::error::{Error, Result};
use crate::filter::{Filter, FilterConfig};
use crate::matcher::Matcher;
use crate::report::{Event, EventKind, Observer};
use crate::rules::CORE_CATEGORIES;

/// What to print besides the figures.
#[derive(Debug, Clone, Default)]
pub struct EvalOptions {
    /// Print every removed `content` line (false positives).
    pub show_false_positives: bool,
    /// Print every core chaff line that was not removed.
    pub show_misses: bool,
    /// Also run over every article (labelled or not) and count removals per rule; with
    /// `sample_rule`, print the lines that rule removes.
    pub whole_corpus: bool,
    /// The rule whose removals to print with `whole_corpus`.
    pub sample_rule: Option<String>,
    /// Run each article through the JSON Lines path (as a `{"text": ...}` record) instead of
    /// the text path: the figures must be the same.
    pub via_jsonl: bool,
}

/// Counts for one group of articles (a language, or all).
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Score {
    /// Labelled articles.
    pub articles: usize,
    /// Labelled lines.
    pub lines: usize,
    /// Labelled lines removed.
    pub removed: usize,
    /// Removed lines labelled `content`.
    pub removed_content: usize,
    /// Core chaff lines.
    pub core: usize,
    /// Core chaff lines removed.
    pub core_removed: usize,
    /// Per label: (lines, removed).
    pub per_label: BTreeMap<String, (usize, usize)>,
}

impl Score {
    /// Removed non-content lines over removed lines (1.0 when nothing was removed).
    pub fn precision(&self) -> f64 {
        if self.removed == 0 {
            1.0
        } else {
            (self.removed - self.removed_content) as f64 / self.removed as f64
        }
    }

    /// Removed core lines over core lines (1.0 when there are none).
    pub fn core_recall(&self) -> f64 {
        if self.core == 0 {
            1.0
        } else {
            self.core_removed as f64 / self.core as f64
        }
    }

    fn add(&mut self, o: &Score) {
        self.articles += o.articles;
        self.lines += o.lines;
        self.removed += o.removed;
        self.removed_content += o.removed_content;
        self.core += o.core;
        self.core_removed += o.core_removed;
        for (k, (a, b)) in &o.per_label {
            let e = self.per_label.entry(k.clone()).or_default();
            e.0 += a;
            e.1 += b;
        }
    }
}

/// An article of the corpus.
struct Article {
    id: String,
    lang: String,
    url: String,
    text: String,
}

/// Records removed line numbers and their rules.
struct Removed(Vec<(u64, usize)>);

impl Observer for Removed {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        if ev.kind == EventKind::Dropped {
            // (lines after a cut marker are Dropped events too)
            self.0.push((ev.line_no, ev.rule));
        }
        Ok(())
    }
}

fn read_articles(path: &Path) -> Result<Vec<Article>> {
    let f = File::open(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let r = BufReader::new(flate2::read::MultiGzDecoder::new(f));
    let mut out = Vec::new();
    for (i, line) in r.lines().enumerate() {
        let line = line.map_err(|e| Error::io(path.display().to_string(), e))?;
        if line.trim().is_empty() {
            continue;
        }
        let v: serde_json::Value = serde_json::from_str(&line)
            .map_err(|e| Error::other(format!("{}: record {}: {e}", path.display(), i + 1)))?;
        let s = |k: &str| v.get(k).and_then(|x| x.as_str()).unwrap_or("").to_string();
        out.push(Article {
            id: s("id"),
            lang: s("lang"),
            url: s("url"),
            text: s("text"),
        });
    }
    Ok(out)
}

type Labels = HashMap<String, HashMap<u64, (String, bool)>>;

fn read_labels(path: &Path) -> Result<Labels> {
    let text =
        std::fs::read_to_string(path).map_err(|e| Error::io(path.display().to_string(), e))?;
    let mut out: Labels = HashMap::new();
    for (i, line) in text.lines().enumerate() {
        let f: Vec<&str> = line.split('\t').collect();
        if f.len() < 3 {
            continue;
        }
        let n: u64 = f[1].parse().map_err(|_| {
            Error::other(format!(
                "{}:{}: bad line number '{}'",
                path.display(),
                i + 1,
                f[1]
            ))
        })?;
        let mixed = f.get(3).is_some_and(|m| m.trim() == "mixed");
        out.entry(f[0].to_string())
            .or_default()
            .insert(n, (f[2].trim().to_string(), mixed));
    }
    Ok(out)
}

fn is_core(label: &str) -> bool {
    CORE_CATEGORIES.contains(&label)
}

fn nth_line(text: &str, n: u64) -> &str {
    text.split('\n').nth((n - 1) as usize).unwrap_or("")
}

/// Runs the matcher over the labelled articles in `dir` (`articles.jsonl.gz` + `labels.tsv`)
/// and writes a report to `w`. Returns the overall score and the per-language scores (keyed by
/// the articles' `lang` field, `""` when absent).
pub fn evaluate(
    matcher: &Matcher,
    dir: &Path,
    opts: &EvalOptions,
    w: &mut dyn Write,
) -> Result<(Score, BTreeMap<String, Score>)> {
    let articles = read_articles(&dir.join("articles.jsonl.gz"))?;
    let labels = read_labels(&dir.join("labels.tsv"))?;
    let rules = matcher.rules();
    let io = |e: io::Error| Error::io("<report>", e);
    let mut per_lang: BTreeMap<String, Score> = BTreeMap::new();
    let mut hits = vec![0u64; rules.len()];
    let mut whole_removed = 0u64;
    for a in &articles {
        let lab = labels.get(&a.id);
        if lab.is_none() && !opts.whole_corpus {
            continue;
        }
        let mut removed = Removed(Vec::new());
        if opts.via_jsonl {
            let record =
                serde_json::json!({ "id": a.id, "url": a.url, "text": a.text }).to_string();
            let mut counts = crate::report::RecordCounts::default();
            let config = crate::jsonl::JsonlConfig::default();
            crate::jsonl::run_jsonl(
                matcher,
                &config,
                record.as_bytes(),
                &mut io::sink(),
                &mut removed,
                &mut counts,
            )
            .map_err(|_| Error::other("evaluation run failed"))?;
        } else {
            // Each article is one document of its site (the host of its url), as a record is.
            let site = crate::rules::url_host(&a.url);
            let docs = crate::document::DocumentConfig {
                site,
                ..Default::default()
            };
            Filter::new(matcher, FilterConfig::default())
                .with_documents(docs)
                .run(a.text.as_bytes(), &mut io::sink(), &mut removed)
                .map_err(|_| Error::other("evaluation run failed"))?;
        }
        if opts.whole_corpus {
            for &(n, r) in &removed.0 {
                hits[r] += 1;
                whole_removed += 1;
                if opts.sample_rule.as_deref() == Some(rules[r].id.as_str()) {
                    writeln!(w, "{}:{}: {}", a.id, n, nth_line(&a.text, n)).map_err(io)?;
                }
            }
        }
        let Some(lab) = lab else { continue };
        let score = per_lang.entry(a.lang.clone()).or_default();
        score.articles += 1;
        let removed_at: HashMap<u64, usize> = removed.0.iter().copied().collect();
        let mut nums: Vec<&u64> = lab.keys().collect();
        nums.sort();
        for n in nums {
            let (label, _mixed) = &lab[n];
            let gone = removed_at.get(n);
            score.lines += 1;
            let e = score.per_label.entry(label.clone()).or_default();
            e.0 += 1;
            if gone.is_some() {
                e.1 += 1;
                score.removed += 1;
            }
            if label == "content" && gone.is_some() {
                score.removed_content += 1;
                if opts.show_false_positives {
                    let r = &rules[*gone.unwrap_or(&0)];
                    writeln!(w, "FP {}:{} [{}]: {}", a.id, n, r.id, nth_line(&a.text, *n))
                        .map_err(io)?;
                }
            }
            if is_core(label) {
                score.core += 1;
                if gone.is_some() {
                    score.core_removed += 1;
                } else if opts.show_misses {
                    writeln!(
                        w,
                        "MISS {}:{} ({label}): {}",
                        a.id,
                        n,
                        nth_line(&a.text, *n)
                    )
                    .map_err(io)?;
                }
            }
        }
    }
    let mut all = Score::default();
    for s in per_lang.values() {
        all.add(s);
    }
    if opts.whole_corpus {
        writeln!(
            w,
            "whole corpus: {} articles, {whole_removed} lines removed",
            articles.len()
        )
        .map_err(io)?;
        let mut order: Vec<usize> = (0..rules.len()).filter(|&i| hits[i] > 0).collect();
        order.sort_by_key(|&i| std::cmp::Reverse(hits[i]));
        for i in order {
            writeln!(w, "  {:>6}  {}", hits[i], rules[i].id).map_err(io)?;
        }
    }
    write_score(w, "all", &all).map_err(io)?;
    if per_lang.len() > 1 {
        for (lang, s) in &per_lang {
            write_score(w, if lang.is_empty() { "?" } else { lang }, s).map_err(io)?;
        }
    }
    Ok((all, per_lang))
}

fn write_score(w: &mut dyn Write, name: &str, s: &Score) -> io::Result<()> {
    writeln!(
        w,
        "[{name}] articles {}  labelled lines {}  removed {}  precision {:.4} ({} content removed)  core recall {:.4} ({}/{})",
        s.articles,
        s.lines,
        s.removed,
        s.precision(),
        s.removed_content,
        s.core_recall(),
        s.core_removed,
        s.core
    )?;
    let mut parts = Vec::new();
    for (label, (n, r)) in &s.per_label {
        if label == "content" {
            continue;
        }
        parts.push(format!("{label} {r}/{n}"));
    }
    writeln!(w, "[{name}]   removed per label: {}", parts.join(", "))
}
