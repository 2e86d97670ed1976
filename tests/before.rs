//! `before=N`: a footer line drops the fixed block of N non-blank lines its site's template
//! prints above it, within its document only, with the precision guard, the removal cap and the
//! reports (`--explain`, `--stats`) that name the footer's rule. Fixtures are invented.

use crate::util::{assert_rules_errors, run, stderr, tempdir, write};

/// A footer rule taking the 3 non-blank lines above it, trusted in the last 4 lines, and a
/// plain drop rule for lines inside such a block.
const RULES: &str = "\
t.ad     ad         line                     Advertisement
t.foot   crosslink  regex,tail=4,before=3    ^Reprints of our texts are welcome
";

/// The rules file in a fresh directory; returns the directory (kept alive) and the arguments.
fn args(test: &str, extra: &[&str]) -> (std::path::PathBuf, Vec<String>) {
    let d = tempdir(test);
    let p = write(&d, "before.rules", RULES.as_bytes());
    let mut a = vec![
        "--no-default-rules".to_string(),
        "--rules".to_string(),
        p.to_str().unwrap().to_string(),
    ];
    a.extend(extra.iter().map(|s| s.to_string()));
    (d, a)
}

fn filter(test: &str, extra: &[&str], stdin: &[u8]) -> (Vec<u8>, String) {
    let (_d, a) = args(test, extra);
    let a: Vec<&str> = a.iter().map(String::as_str).collect();
    let o = run(&a, stdin);
    assert_eq!(o.status.code(), Some(0), "{a:?}: {}", stderr(&o));
    let err = stderr(&o);
    (o.stdout, err)
}

fn json_lines(s: &str) -> Vec<serde_json::Value> {
    s.lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect()
}

/// A story, then three teasers separated by blank lines (one CRLF, one of blanks only), the
/// footer marker, and one more footer line without a final newline.
const DOC: &[u8] = b"The mill reopened on Monday.\n\nIts owners hired forty people.\r\n\
\n\
Harbour fees to rise in May\n\
\r\n\
New tram line opens downtown\n \t\n\
Council debates the budget\n\n\
Reprints of our texts are welcome with a link.\n\
Example Gazette, registered 2001";

#[test]
fn the_block_above_the_marker_goes_and_blank_lines_stay_byte_for_byte() {
    let (out, _) = filter("block", &[], DOC);
    assert_eq!(
        out,
        b"The mill reopened on Monday.\n\nIts owners hired forty people.\r\n\
\n\r\n \t\n\n\
Example Gazette, registered 2001"
    );
}

#[test]
fn fewer_lines_than_the_block_before_the_marker_drop_nothing_but_the_marker() {
    let doc = b"Harbour fees to rise in May\n\nNew tram line opens downtown\n\
Reprints of our texts are welcome.\n";
    let (out, _) = filter("guard", &[], doc);
    assert_eq!(
        out,
        b"Harbour fees to rise in May\n\nNew tram line opens downtown\n"
    );
    // Exactly three lines above: all three go.
    let doc = b"One.\nTwo.\nThree.\nReprints of our texts are welcome.\n";
    assert_eq!(filter("guard-exact", &[], doc).0, b"");
}

#[test]
fn a_marker_outside_its_tail_zone_drops_nothing() {
    let doc = b"One.\nTwo.\nThree.\nReprints of our texts are welcome.\nA.\nB.\nC.\nD.\n";
    assert_eq!(filter("outside-tail", &[], doc).0, doc);
    // One line less after it, and the marker is in the zone: it and its block go.
    let doc = b"One.\nTwo.\nThree.\nReprints of our texts are welcome.\nA.\nB.\nC.\n";
    assert_eq!(filter("inside-tail", &[], doc).0, b"A.\nB.\nC.\n");
}

#[test]
fn lines_other_rules_drop_count_toward_the_block_and_keep_their_rule() {
    let doc = b"Story.\nTeaser A\nAdvertisement\nTeaser C\nReprints of our texts are welcome.\n";
    let (out, err) = filter("counted", &["--explain=json"], doc);
    assert_eq!(out, b"Story.\n");
    let ev = json_lines(&err);
    let got: Vec<(u64, &str, &str)> = ev
        .iter()
        .map(|e| {
            (
                e["line"].as_u64().unwrap(),
                e["action"].as_str().unwrap(),
                e["rule"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (2, "before", "t.foot"),
            (3, "drop", "t.ad"),
            (4, "before", "t.foot"),
            (5, "drop", "t.foot"),
        ]
    );
    assert_eq!(ev[0]["category"], "crosslink");
    assert_eq!(ev[0]["span"], serde_json::json!([7, 16]));
}

#[test]
fn a_line_a_strip_rule_changed_in_the_block_goes_whole() {
    let d = tempdir("strip-in-block");
    let strip = write(&d, "strip.rules", b"s.tag ad contains,strip [promo]\\s\n");
    let foot = write(&d, "before.rules", RULES.as_bytes());
    let base = [
        "--no-default-rules",
        "--rules",
        strip.to_str().unwrap(),
        "--rules",
        foot.to_str().unwrap(),
    ];
    let o = run(&base, b"Story [promo] one.\n[promo] Teaser A\nTeaser B\nTeaser C\nReprints of our texts are welcome.\n");
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, b"Story one.\n");
}

#[test]
fn explain_and_stats_name_the_footer_rule_for_the_block() {
    let (_, err) = filter("explain-text", &["--explain"], DOC);
    let lines: Vec<&str> = err.lines().collect();
    assert_eq!(
        lines,
        [
            "<stdin>:5: before t.foot (crosslink): Harbour fees to rise in May",
            "<stdin>:7: before t.foot (crosslink): New tram line opens downtown",
            "<stdin>:9: before t.foot (crosslink): Council debates the budget",
            "<stdin>:11: dropped t.foot (crosslink): Reprints of our texts are welcome with a link.",
        ]
    );
    let (_, err) = filter("stats-json", &["--stats=json"], DOC);
    let s: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(s["lines_removed"], 4);
    assert_eq!(s["before_lines"], 3);
    assert_eq!(s["cut_lines"], 0);
    assert_eq!(s["rules"][0]["id"], "t.foot");
    assert_eq!(s["rules"][0]["removed"], 4);
    let (_, err) = filter("stats-text", &["--stats"], DOC);
    assert!(
        err.contains("dechaff: 3 of the removed lines stood in the block before a before=N marker"),
        "{err}"
    );
    assert!(!err.contains("followed a cut marker"), "{err}");
}

#[test]
fn the_block_stays_within_its_document_with_nul_and_separator_lines() {
    let first = b"Story one.\nStory two.\nTeaser X\n";
    let second = b"Teaser Y\nTeaser Z\nReprints of our texts are welcome.\n";
    // The second document has two lines above its marker: too few, so only the marker goes.
    let mut z = first.to_vec();
    z.push(0);
    z.extend_from_slice(second);
    let (out, _) = filter("nul", &["-z"], &z);
    assert_eq!(
        out,
        b"Story one.\nStory two.\nTeaser X\n\0Teaser Y\nTeaser Z\n"
    );
    let mut sep = first.to_vec();
    sep.extend_from_slice(b"=====\n");
    sep.extend_from_slice(second);
    let (out, _) = filter("sep", &["--doc-sep", "====="], &sep);
    assert_eq!(
        out,
        b"Story one.\nStory two.\nTeaser X\n=====\nTeaser Y\nTeaser Z\n"
    );
    // Read as one document, the separator line would complete the block.
    let (out, _) = filter("sep-one-doc", &[], &sep);
    assert_eq!(out, b"Story one.\nStory two.\nTeaser X\n");
    // A second document with its own full block loses it, the first is untouched.
    let mut z = first.to_vec();
    z.push(0);
    z.extend_from_slice(b"Lead.\n");
    z.extend_from_slice(second);
    let (out, _) = filter("nul-full", &["-z"], &z);
    assert_eq!(out, b"Story one.\nStory two.\nTeaser X\n\0");
}

#[test]
fn a_json_lines_record_is_its_own_document() {
    let input = concat!(
        r#"{"id":1,"text":"Story.\n\nTeaser A\n\nTeaser B\n\nTeaser C\n\nReprints of our texts are welcome.\n"}"#,
        "\n",
        r#"{"id":2,"text":"Teaser D\nReprints of our texts are welcome.\n"}"#,
        "\n",
    );
    let (out, err) = filter("jsonl", &["--jsonl", "--explain=json"], input.as_bytes());
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(
            r#"{"id":1,"text":"Story.\n\n\n\n\n"}"#,
            "\n",
            r#"{"id":2,"text":"Teaser D\n"}"#,
            "\n",
        )
    );
    let ev = json_lines(&err);
    let got: Vec<(u64, u64, &str)> = ev
        .iter()
        .map(|e| {
            (
                e["record"].as_u64().unwrap(),
                e["line"].as_u64().unwrap(),
                e["action"].as_str().unwrap(),
            )
        })
        .collect();
    assert_eq!(
        got,
        [
            (1, 3, "before"),
            (1, 5, "before"),
            (1, 7, "before"),
            (1, 9, "drop"),
            (2, 2, "drop"),
        ]
    );
}

#[test]
fn the_removal_cap_counts_the_block() {
    // The marker alone is 1 of 7 non-blank lines and 35 of 250 bytes; with its block it is 4 of
    // 7 lines: over half, so under --max-removed 50% the document stays whole.
    let story = b"The mill on the river reopened on Monday after a long winter.\n\
Its owners said that forty people would be hired by the spring.\n\
The town council welcomed the news at its meeting on Tuesday.\n";
    let mut doc = story.to_vec();
    doc.extend_from_slice(b"Teaser A\nTeaser B\nTeaser C\nReprints of our texts are welcome.\n");
    assert_eq!(doc.len(), 250);
    let (out, err) = filter("cap", &["--max-removed", "50%", "--explain=json"], &doc);
    assert_eq!(out, doc);
    let ev = json_lines(&err);
    assert_eq!(ev.len(), 1);
    assert_eq!(ev[0]["action"], "flag");
    assert_eq!(ev[0]["removed_lines"], 4);
    // Under 60% the same removals pass.
    let (out, _) = filter("cap-60", &["--max-removed", "60%"], &doc);
    assert_eq!(out, story);
}

#[test]
fn an_oversize_document_gets_no_block() {
    // Over --max-doc the document is judged by line rules only: the tail-scoped marker and its
    // block stay; the plain rule still applies.
    let doc = b"Story.\nTeaser A\nAdvertisement\nTeaser C\nReprints of our texts are welcome.\n";
    let (out, err) = filter("oversize", &["--max-doc", "16", "--stats=json"], doc);
    assert_eq!(
        out,
        b"Story.\nTeaser A\nTeaser C\nReprints of our texts are welcome.\n"
    );
    let s: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(s["documents"]["oversize"], 1);
    // Within the cap, the block goes.
    assert_eq!(filter("within", &["--max-doc", "1000"], doc).0, b"Story.\n");
}

#[test]
fn a_before_rule_beats_a_drop_rule_loaded_before_it_on_the_same_line() {
    let d = tempdir("before-wins");
    let first = write(
        &d,
        "first.rules",
        b"a.drop disclaimer prefix Reprints of our\n",
    );
    let second = write(&d, "before.rules", RULES.as_bytes());
    let o = run(
        &[
            "--no-default-rules",
            "--rules",
            first.to_str().unwrap(),
            "--rules",
            second.to_str().unwrap(),
        ],
        b"One.\nTwo.\nThree.\nFour.\nReprints of our texts are welcome.\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(o.stdout, b"One.\n");
}

#[test]
fn misused_before_options_are_errors_with_path_and_line() {
    assert_rules_errors(
        "before-errors",
        &[
            (
                "# c\nx ad line,before=3 Footer\n",
                ":2: rule 'x': 'before=' needs 'tail=N' (a footer is only trusted in the last N lines)",
            ),
            (
                "x ad line,tail=3,before=0 Footer\n",
                ":1: option 'before' needs a positive whole number, got '0'",
            ),
            (
                "x ad line,tail=3,before=65 Footer\n",
                ":1: option 'before' takes at most 64 lines, got 65",
            ),
            (
                "x ad line,tail=3,before=2,strip Footer\n",
                ":1: rule 'x': 'before=' drops lines and cannot be combined with 'strip'",
            ),
            (
                "x ad line,tail=3,before=2,cut Footer\n",
                ":1: rule 'x': 'cut' and 'before=' cannot be combined",
            ),
        ],
    );
}

#[test]
fn the_russian_pack_takes_the_fifteen_teasers_above_the_reprint_notice() {
    let story = "Городской совет утвердил план ремонта дорог.\n\nРаботы начнутся весной.\n\n";
    let teasers: String = (1..=15)
        .map(|i| format!("Новость {i}: в области открылся музей ремёсел.\n\n"))
        .collect();
    let notice = "Информационные тексты, опубликованные на сайте rueconomics.ru могут быть \
воспроизведены со ссылкой на источник.\n\n";
    let registration = "Сетевое издание «Пример» зарегистрировано в Федеральной службе по надзору в сфере связи.\n";
    let doc = format!("{story}{teasers}{notice}{registration}");
    let o = run(&["--lang", "ru", "--stats=json"], doc.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let blank_lines = "\n".repeat(16);
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!("{story}{blank_lines}")
    );
    let s: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(s["before_lines"], 15);
    // Away from the end, the notice goes alone (a line rule), so a second pass finds nothing.
    let doc = format!("{story}{notice}{teasers}");
    let o = run(&["--lang", "ru"], doc.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let left = String::from_utf8(o.stdout).unwrap();
    assert_eq!(left, format!("{story}\n{teasers}"));
    let o = run(&["--lang", "ru"], left.as_bytes());
    assert_eq!(String::from_utf8(o.stdout).unwrap(), left);
}
