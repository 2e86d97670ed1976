//! Documents: boundaries (file, `-z`, `--doc-sep`, JSON Lines records), zones, cut, footnote
//! pairing, site scoping, the removal cap, the document cap, and every new error path.

use crate::util::{fixture, run, stderr, tempdir, write};

fn out_of(args: &[&str], stdin: &[u8]) -> Vec<u8> {
    let o = run(args, stdin);
    assert_eq!(o.status.code(), Some(0), "{args:?}: {}", stderr(&o));
    o.stdout
}

/// Asserts exit status 2 and that standard error contains `message`.
fn fails_with(args: &[&str], stdin: &[u8], message: &str) {
    let o = run(args, stdin);
    assert_eq!(o.status.code(), Some(2), "{args:?}: {}", stderr(&o));
    assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    assert!(!stderr(&o).contains("panicked"), "{}", stderr(&o));
}

#[test]
fn nul_separated_documents_are_judged_apart_and_nuls_are_kept() {
    let input = std::fs::read(fixture("documents/nul.txt")).unwrap();
    let expected = std::fs::read(fixture("documents/nul.expected")).unwrap();
    assert_eq!(input.iter().filter(|&&b| b == 0).count(), 2);
    assert_eq!(out_of(&["-z"], &input), expected);
    assert_eq!(out_of(&["--null-data", "-j2"], &input), expected);
    // Read as one document, the second piece's "Daesh*" pairs with the first piece's footnote.
    let one = out_of(&[], &input);
    assert_ne!(one, expected);
    assert!(!String::from_utf8_lossy(&one).contains("Daesh*"));
    assert!(String::from_utf8_lossy(&expected).contains("Daesh* was not discussed"));
}

#[test]
fn separator_lines_split_documents_and_are_kept() {
    let input = std::fs::read(fixture("documents/sep.txt")).unwrap();
    let expected = std::fs::read(fixture("documents/sep.expected")).unwrap();
    assert_eq!(out_of(&["--doc-sep", "====="], &input), expected);
    assert_eq!(out_of(&["--doc-sep======", "-j", "3"], &input), expected);
}

#[test]
fn each_input_file_is_its_own_document() {
    let d = tempdir("files-are-documents");
    let a = write(
        &d,
        "a.txt",
        b"Units of Daesh* left.\n*Daesh is a terrorist group banned in Russia\n",
    );
    let b = write(&d, "b.txt", b"Daesh* was not mentioned again.\n");
    let o = out_of(&[a.to_str().unwrap(), b.to_str().unwrap()], b"");
    assert_eq!(
        o,
        b"Units of Daesh left.\nDaesh* was not mentioned again.\n"
    );
}

const ZONE_RULES: &str = "\
z.top    promo      line,head=2       Top stories
z.end    promo      line,tail=2       Share this
z.cut    crosslink  line,tail=3,cut   Comments
z.site   ad         line,site=example.com   Example sponsor
";

fn zone_rules(test: &str) -> (std::path::PathBuf, String) {
    let d = tempdir(test);
    let p = write(&d, "zones.rules", ZONE_RULES.as_bytes());
    let s = p.to_str().unwrap().to_string();
    (p, s)
}

#[test]
fn head_and_tail_rules_apply_only_in_their_zones() {
    let (_p, rules) = zone_rules("zones-head-tail");
    let args = ["--no-default-rules", "--rules", &rules];
    let doc =
        b"Top stories\nLine two.\nTop stories\nLine four.\nShare this\nLine six.\nShare this\n";
    // "Top stories" goes in line 1 (within head=2), stays in line 3; "Share this" goes in the
    // last line (within tail=2), stays in line 5.
    assert_eq!(
        out_of(&args, doc),
        b"Line two.\nTop stories\nLine four.\nShare this\nLine six.\n"
    );
}

#[test]
fn cut_drops_the_rest_of_the_document_only_in_the_tail() {
    let (_p, rules) = zone_rules("zones-cut");
    let args = ["--no-default-rules", "--rules", &rules, "--explain=json"];
    let doc = b"Story.\nComments\nMore story.\nEnd.\nComments\nJo: nice\nAl: no\n";
    let o = run(&args, doc);
    assert_eq!(o.status.code(), Some(0));
    // The first "Comments" is 5 lines from the end: outside tail=3, kept.
    assert_eq!(o.stdout, b"Story.\nComments\nMore story.\nEnd.\n");
    let events: Vec<serde_json::Value> = stderr(&o)
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    let actions: Vec<&str> = events
        .iter()
        .map(|e| e["action"].as_str().unwrap())
        .collect();
    assert_eq!(actions, ["drop", "cut", "cut"]);
    assert!(events.iter().all(|e| e["rule"] == "z.cut"));
    assert_eq!(events[1]["line"], 6);
    assert_eq!(events[1]["span"], serde_json::json!([42, 51]));
    // A cut wins over a drop rule loaded before it on the same line.
    let d = tempdir("cut-wins");
    let first = write(&d, "first.rules", b"a.drop crosslink line Comments\n");
    let o = out_of(
        &[
            "--no-default-rules",
            "--rules",
            first.to_str().unwrap(),
            "--rules",
            &rules,
        ],
        b"Story.\nComments\nJo: nice\n",
    );
    assert_eq!(o, b"Story.\n");
}

#[test]
fn site_rules_apply_to_their_site_and_its_subdomains_only() {
    let (_p, rules) = zone_rules("zones-site");
    let base = ["--no-default-rules", "--rules", &rules];
    let doc = b"Story.\nExample sponsor\n";
    assert_eq!(out_of(&base, doc), doc, "no site: site rules are out");
    let with = |site: &str| {
        let mut a = base.to_vec();
        a.extend(["--site", site]);
        out_of(&a, doc)
    };
    assert_eq!(with("example.com"), b"Story.\n");
    assert_eq!(with("https://news.Example.com/a?b"), b"Story.\n");
    assert_eq!(with("example.org"), doc);
    assert_eq!(with("notexample.com"), doc);
    // A site= rule alone needs no documents: the line path checks it against --site too.
    let d = tempdir("site-only");
    let only = write(
        &d,
        "site.rules",
        b"s ad line,site=example.com Example sponsor\n",
    );
    let only = only.to_str().unwrap();
    assert_eq!(
        out_of(
            &[
                "--no-default-rules",
                "--rules",
                only,
                "--site",
                "example.com"
            ],
            doc
        ),
        b"Story.\n"
    );
    assert_eq!(out_of(&["--no-default-rules", "--rules", only], doc), doc);
    // JSON Lines: the site is the host of the url field, or of --site-field.
    let recs = concat!(
        r#"{"url": "https://www.example.com/x", "text": "A.\nExample sponsor"}"#,
        "\n",
        r#"{"url": "https://example.net/x", "text": "B.\nExample sponsor"}"#,
        "\n",
        r#"{"src": {"host": "example.com"}, "text": "C.\nExample sponsor"}"#,
        "\n"
    );
    let mut a = base.to_vec();
    a.push("--jsonl");
    let o = String::from_utf8(out_of(&a, recs.as_bytes())).unwrap();
    let texts: Vec<String> = o
        .lines()
        .map(|l| serde_json::from_str::<serde_json::Value>(l).unwrap()["text"].to_string())
        .collect();
    assert_eq!(
        texts,
        [
            r#""A.\n""#,
            r#""B.\nExample sponsor""#,
            r#""C.\nExample sponsor""#
        ]
    );
    a.extend(["--site-field", "src.host"]);
    let o = String::from_utf8(out_of(&a, recs.as_bytes())).unwrap();
    assert!(o.lines().nth(2).unwrap().contains(r#""C.\n""#), "{o}");
}

#[test]
fn footnote_pairing_strips_named_markers_and_leaves_others() {
    for name in ["documents-footnotes", "documents-nameless"] {
        let input = std::fs::read(fixture(&format!("{name}.txt"))).unwrap();
        let expected = std::fs::read(fixture(&format!("{name}.expected"))).unwrap();
        assert_eq!(out_of(&[], &input), expected, "{name}");
    }
    // A marker with no footnote in its document stays.
    let lone = b"Units of Daesh* left the town.\n";
    assert_eq!(out_of(&[], lone), lone);
}

#[test]
fn the_removal_cap_leaves_a_document_unchanged_and_counts_it() {
    let chaffy = b"Advertisement\nREAD MORE: Another story\nAdvertisement\nOne line of story.\n";
    let args = [
        "-z",
        "--max-removed",
        "50%",
        "--stats=json",
        "--explain=json",
    ];
    let mut input = chaffy.to_vec();
    input.push(0);
    input.extend_from_slice(b"Story.\nAdvertisement\nMore story.\nEnd.\n");
    let o = run(&args, &input);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let mut want = chaffy.to_vec();
    want.push(0);
    want.extend_from_slice(b"Story.\nMore story.\nEnd.\n");
    assert_eq!(o.stdout, want);
    let err = stderr(&o);
    let lines: Vec<serde_json::Value> = err
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(lines[0]["action"], "flag");
    assert_eq!(lines[0]["line"], 1);
    assert_eq!(lines[0]["removed_lines"], 3);
    assert_eq!(lines[1]["action"], "drop");
    let stats = lines.last().unwrap();
    assert_eq!(stats["documents"]["flagged"], 1);
    assert_eq!(stats["lines_removed"], 1);
    // 0.9 lets the same document through; tiny documents are never flagged.
    assert_eq!(
        out_of(&["--max-removed", "0.9"], chaffy),
        b"One line of story.\n"
    );
    assert_eq!(out_of(&["--max-removed", "0.1"], b"Advertisement\n"), b"");
    // JSON Lines: the record is written back byte for byte and counted as flagged.
    let rec = br#"{"id": 1, "text": "Advertisement\nAdvertisement\nADVERTISEMENT\nStory."}"#;
    let o = run(&["--jsonl", "--max-removed=0.5", "--stats=json"], rec);
    assert_eq!(o.stdout, rec);
    let stats: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(stats["records"]["flagged"], 1);
    assert_eq!(stats["records"]["changed"], 0);
}

#[test]
fn documents_over_the_cap_get_line_rules_only_and_are_counted() {
    let input = std::fs::read(fixture("documents-footnotes.txt")).unwrap();
    let o = run(&["--max-doc", "100", "--stats=json"], &input);
    assert_eq!(o.status.code(), Some(0));
    let text = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(text.contains("Daesh*"), "no pairing over the cap: {text}");
    assert!(!text.contains("Advertisement"), "line rules still apply");
    assert!(
        !text.contains("banned in Russia"),
        "the footnote line itself still goes"
    );
    let stats: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(stats["documents"]["oversize"], 1);
    // Any thread count gives the same output and explanations (the rest of the file goes to
    // the parallel line driver), also with long lines and a 40-byte line buffer, which cuts
    // the input into many chunks so the threads really share it.
    let explain = |extra: &[&str], jobs: &str| {
        let mut args = vec!["--max-doc", "100", "--explain=json", "-j", jobs];
        args.extend_from_slice(extra);
        let o = run(&args, &input);
        assert_eq!(o.status.code(), Some(0));
        let why = stderr(&o);
        (o.stdout, why)
    };
    let small = ["--max-line", "40"];
    let (_, one) = explain(&[], "1");
    assert!(one.contains(r#""action":"pass-long-document""#), "{one}");
    assert!(one.contains(r#""rule":"en.ad.advertisement""#), "{one}");
    let (small_out, small_one) = explain(&small, "1");
    assert!(
        small_one.contains(r#""action":"pass-long-line""#),
        "{small_one}"
    );
    for jobs in ["1", "2", "3"] {
        let (out, why) = explain(&[], jobs);
        assert_eq!(why, one, "explanations at -j{jobs}");
        assert_eq!(out, o.stdout, "-j{jobs}");
        let (out, why) = explain(&small, jobs);
        assert_eq!(why, small_one, "explanations at -j{jobs}, 40-byte lines");
        assert_eq!(out, small_out, "-j{jobs}, 40-byte lines");
    }
    // Without a NUL in the input, -z gives the same output.
    let z = out_of(&["--max-doc", "100", "--max-line", "40", "-z"], &input);
    assert_eq!(z, small_out);
}

#[test]
fn jsonl_records_round_trip_and_match_text_mode() {
    let input = std::fs::read(fixture("documents/records.jsonl")).unwrap();
    let expected = std::fs::read(fixture("documents/records.expected")).unwrap();
    assert_eq!(out_of(&["--jsonl"], &input), expected);
    // Each record's cleaned text equals text mode's output for that text.
    for (rec, want) in String::from_utf8(input)
        .unwrap()
        .lines()
        .zip(String::from_utf8(expected).unwrap().lines())
    {
        let text = serde_json::from_str::<serde_json::Value>(rec).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string();
        let want = serde_json::from_str::<serde_json::Value>(want).unwrap()["text"]
            .as_str()
            .unwrap()
            .to_string();
        assert_eq!(
            String::from_utf8(out_of(&[], text.as_bytes())).unwrap(),
            want
        );
    }
}

#[test]
fn bad_document_rules_are_errors_with_file_and_line() {
    let d = tempdir("bad-doc-rules");
    let cases: [(&str, &str); 6] = [
        (
            "x promo line,head=0 Top",
            "x.rules:1: option 'head' needs a positive whole number, got '0'",
        ),
        (
            "x promo line,tail=many Top",
            "x.rules:1: option 'tail' needs a positive whole number, got 'many'",
        ),
        (
            "x promo line,cut Comments",
            "x.rules:1: rule 'x': 'cut' needs 'tail=N'",
        ),
        (
            "x promo line,zone=3 Top",
            "x.rules:1: unknown option 'zone=3'",
        ),
        (
            "x promo line,site=a/b Top",
            "x.rules:1: option 'site' needs a host name such as example.com, got 'a/b'",
        ),
        (
            "x promo line,tail=3,cut,strip Top",
            "x.rules:1: rule 'x': 'cut' drops lines and cannot be combined with 'strip'",
        ),
    ];
    for (rule, message) in cases {
        let p = write(&d, "x.rules", format!("{rule}\n").as_bytes());
        let o = run(&["--rules", p.to_str().unwrap()], b"never read\n");
        assert_eq!(o.status.code(), Some(2), "{rule}");
        assert!(
            stderr(&o).contains(&message.replace("x.rules", p.to_str().unwrap())),
            "{rule}: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}

#[test]
fn bad_document_options_are_errors() {
    let share = "expected a share such as 0.5 or 50% (more than 0, at most 1)";
    fails_with(&["--max-removed", "0"], b"", &format!("{share}, got '0'"));
    fails_with(
        &["--max-removed", "150%"],
        b"",
        &format!("{share}, got '150%'"),
    );
    fails_with(
        &["--max-removed", "half"],
        b"",
        &format!("{share}, got 'half'"),
    );
    fails_with(&["--doc-sep", ""], b"", "a separator line cannot be empty");
    fails_with(
        &["--doc-sep", "a\nb"],
        b"",
        "cannot contain a line break or a NUL",
    );
    fails_with(&["-z", "--doc-sep", "==="], b"", "cannot be used with");
    fails_with(
        &["--site", "/"],
        b"",
        "expected a host such as example.com, got '/'",
    );
    fails_with(
        &["--max-doc", "lots"],
        b"",
        "invalid value 'lots' for '--max-doc <BYTES>'",
    );
    fails_with(
        &["--jsonl", "-z"],
        b"{\"text\": \"a\"}\n",
        "dechaff: -z and --doc-sep split plain text; with --jsonl each record is one document",
    );
}

/// A regular file whose size is already over the document cap goes through the line rules
/// without being buffered (its oversize event reports 0 bytes buffered), from a path or
/// redirected to standard input; a pipe is buffered up to the cap first. Output is the same.
#[test]
fn a_file_known_to_be_over_the_cap_is_not_buffered_and_gives_the_same_output() {
    let mut input = Vec::new();
    for i in 0..200 {
        input.extend_from_slice(format!("Paragraph {i} of the story.\nAdvertisement\n").as_bytes());
    }
    let dir = tempdir("known-len");
    let path = write(&dir, "big.txt", &input);
    // A 100-byte read buffer: the driver reads many pieces before the cap is reached.
    let args = [
        "--max-doc",
        "1000",
        "--max-line",
        "100",
        "--explain=json",
        "-j",
        "2",
    ];
    let piped = run(&args, &input);
    assert_eq!(piped.status.code(), Some(0));
    assert!(stderr(&piped).contains(r#""action":"pass-long-document","bytes":"#));
    assert!(
        !stderr(&piped).contains(r#""bytes":0,"#),
        "a pipe is buffered first"
    );
    let mut with_path = args.to_vec();
    let p = path.to_str().unwrap();
    with_path.push(p);
    let from_file = crate::util::dechaff().args(&with_path).output().unwrap();
    let redirected = crate::util::dechaff()
        .args(args)
        .stdin(std::fs::File::open(&path).unwrap())
        .output()
        .unwrap();
    for o in [&from_file, &redirected] {
        assert_eq!(o.status.code(), Some(0));
        assert_eq!(o.stdout, piped.stdout, "same output");
        let why = stderr(o);
        assert!(
            why.contains(r#""action":"pass-long-document","bytes":0,"#),
            "{why}"
        );
        // Every removal is the same; only the buffered byte count differs.
        let rest = |s: &str| {
            s.lines()
                .skip(1)
                .map(|l| {
                    let mut v: serde_json::Value = serde_json::from_str(l).unwrap();
                    v.as_object_mut().unwrap().remove("input");
                    v
                })
                .collect::<Vec<_>>()
        };
        let (a, b) = (rest(&why), rest(&stderr(&piped)));
        assert_eq!(a.len(), 200);
        assert!(a == b, "the removals differ");
    }
}
