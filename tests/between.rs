//! `between=N`: a widget heading printed above and below its teaser takes the teaser's headline
//! with it, pair by pair, within its document only, never a story paragraph; `--explain` and
//! `--stats` name the heading's rule. Fixtures are invented.

use crate::util::{assert_rules_errors, run, stderr, tempdir, write};

/// A heading rule pairing around at most 2 non-blank lines, and a plain drop rule.
const RULES: &str = "\
t.ad      ad         line                Advertisement
t.video   crosslink  line,between=2      Watch on this topic
";

fn filter(test: &str, extra: &[&str], stdin: &[u8]) -> (Vec<u8>, String) {
    let d = tempdir(test);
    let p = write(&d, "between.rules", RULES.as_bytes());
    let mut a = vec!["--no-default-rules", "--rules", p.to_str().unwrap()];
    a.extend_from_slice(extra);
    let o = run(&a, stdin);
    assert_eq!(o.status.code(), Some(0), "{a:?}: {}", stderr(&o));
    let err = stderr(&o);
    (o.stdout, err)
}

/// Two widgets, each heading / headline / heading, with a story paragraph between them (which
/// also stands between two headings), blank lines of every kind and a CRLF line.
const DOC: &[u8] = b"The ferry resumed service on Monday.\n\n\
Watch on this topic\n\n\
Mayor opens the new pier\r\n\n\
Watch on this topic\n\n\
The operator said the timetable would stay the same all summer.\n \t\n\
Watch on this topic\n\n\
Harbour fees to rise in May\n\n\
Watch on this topic\n\n\
Tickets are sold at the quay.";

#[test]
fn the_headline_between_each_pair_goes_and_the_story_between_pairs_stays() {
    let (out, _) = filter("pairs", &[], DOC);
    assert_eq!(
        out,
        b"The ferry resumed service on Monday.\n\n\n\n\n\
The operator said the timetable would stay the same all summer.\n \t\n\n\n\n\
Tickets are sold at the quay."
    );
}

#[test]
fn a_marker_without_its_partner_takes_nothing() {
    let doc = b"Watch on this topic\nMayor opens the new pier\nThe pier cost two million.\n";
    let (out, _) = filter("alone", &[], doc);
    assert_eq!(
        out,
        b"Mayor opens the new pier\nThe pier cost two million.\n"
    );
}

#[test]
fn more_lines_than_n_or_a_long_line_between_leave_the_pair_alone() {
    let three = b"Watch on this topic\nOne headline\nTwo headline\nThree headline\n\
Watch on this topic\n";
    let (out, _) = filter("three", &[], three);
    assert_eq!(out, b"One headline\nTwo headline\nThree headline\n");
    let two = b"Watch on this topic\nOne headline\n\nTwo headline\nWatch on this topic\n";
    assert_eq!(filter("two", &[], two).0, b"\n");
    // A paragraph of 251 characters is not a headline (the limit is 250).
    for (len, kept) in [(251, true), (250, false)] {
        let para = "é".repeat(len);
        let doc = format!("Watch on this topic\n{para}\nWatch on this topic\n");
        let (out, _) = filter("long", &[], doc.as_bytes());
        let want = if kept {
            format!("{para}\n")
        } else {
            String::new()
        };
        assert_eq!(String::from_utf8(out).unwrap(), want, "{len} characters");
    }
}

#[test]
fn after_a_failed_pair_the_second_marker_opens_the_next() {
    // The first two headings hold three lines: no pair. The second and third pair up.
    let doc = b"Watch on this topic\nA.\nB.\nC.\nWatch on this topic\nTeaser\n\
Watch on this topic\nStory goes on.\n";
    let (out, _) = filter("reopen", &[], doc);
    assert_eq!(out, b"A.\nB.\nC.\nStory goes on.\n");
}

#[test]
fn lines_other_rules_drop_count_toward_n_and_keep_their_rule() {
    let doc = b"Watch on this topic\nAdvertisement\nTeaser\nWatch on this topic\n";
    let (out, err) = filter("other", &["--explain"], doc);
    assert_eq!(out, b"");
    assert_eq!(
        err.lines().collect::<Vec<_>>(),
        [
            "<stdin>:1: dropped t.video (crosslink): Watch on this topic",
            "<stdin>:2: dropped t.ad (ad): Advertisement",
            "<stdin>:3: between t.video (crosslink): Teaser",
            "<stdin>:4: dropped t.video (crosslink): Watch on this topic",
        ]
    );
}

#[test]
fn explain_json_and_stats_count_the_lines_between() {
    let (_, err) = filter("explain-json", &["--explain=json"], DOC);
    let actions: Vec<(u64, String)> = err
        .lines()
        .map(|l| {
            let v: serde_json::Value = serde_json::from_str(l).unwrap();
            (
                v["line"].as_u64().unwrap(),
                v["action"].as_str().unwrap().to_string(),
            )
        })
        .collect();
    let want: Vec<(u64, String)> = [
        (3, "drop"),
        (5, "between"),
        (7, "drop"),
        (11, "drop"),
        (13, "between"),
        (15, "drop"),
    ]
    .iter()
    .map(|&(l, a)| (l, a.to_string()))
    .collect();
    assert_eq!(actions, want);
    let (_, err) = filter("stats-json", &["--stats=json"], DOC);
    let s: serde_json::Value = serde_json::from_str(err.trim()).unwrap();
    assert_eq!(s["lines_removed"], 6);
    assert_eq!(s["between_lines"], 2);
    assert_eq!(s["before_lines"], 0);
    let (_, err) = filter("stats-text", &["--stats"], DOC);
    assert!(
        err.contains("dechaff: 2 of the removed lines stood between a pair of between=N markers"),
        "{err}"
    );
}

#[test]
fn pairs_stay_within_their_document() {
    let mut z = b"Watch on this topic\nTeaser A\n".to_vec();
    z.push(0);
    z.extend_from_slice(b"Watch on this topic\nStory.\n");
    let (out, _) = filter("nul", &["-z"], &z);
    assert_eq!(out, b"Teaser A\n\0Story.\n");
    let input = concat!(
        r#"{"text":"Watch on this topic\nTeaser\nWatch on this topic\nStory."}"#,
        "\n",
        r#"{"text":"Watch on this topic\nStory."}"#,
        "\n",
    );
    let (out, _) = filter("jsonl", &["--jsonl"], input.as_bytes());
    assert_eq!(
        String::from_utf8(out).unwrap(),
        concat!(r#"{"text":"Story."}"#, "\n", r#"{"text":"Story."}"#, "\n")
    );
}

#[test]
fn misused_between_options_are_errors_with_path_and_line() {
    assert_rules_errors(
        "between-errors",
        &[
            (
                "x ad line,between=0 Heading\n",
                ":1: option 'between' needs a positive whole number, got '0'",
            ),
            (
                "# c\nx ad line,between=9 Heading\n",
                ":2: option 'between' takes at most 8 lines, got 9",
            ),
            (
                "x ad line,between=2,strip Heading\n",
                ":1: rule 'x': 'between=' drops lines and cannot be combined with 'strip'",
            ),
            (
                "x ad line,tail=3,before=2,between=2 Heading\n",
                ":1: rule 'x': 'before=' and 'between=' cannot be combined",
            ),
        ],
    );
}

#[test]
fn the_italian_pack_takes_the_video_teaser_between_its_headings() {
    let doc = "Il consiglio comunale ha approvato il piano per il porto.\n\n\
Video su questo argomento\n\n\
Il sindaco inaugura il nuovo molo\n\n\
Video su questo argomento\n\n\
I lavori dureranno due anni, ha detto l'assessore.\n\n\
Video su questo argomento\n";
    let o = run(&["--lang", "it", "--explain"], doc.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        "Il consiglio comunale ha approvato il piano per il porto.\n\n\n\n\n\
I lavori dureranno due anni, ha detto l'assessore.\n\n"
    );
    assert!(
        stderr(&o).contains("<stdin>:5: between it.crosslink.topic-widget (crosslink): Il sindaco"),
        "{}",
        stderr(&o)
    );
}
