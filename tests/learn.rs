//! `dechaff learn`: the rules file it writes, its guard rails, determinism, bounded counting,
//! text framings, and its errors. Every article here is invented for these tests.

use std::path::{Path, PathBuf};

use crate::util::{run, stderr, tempdir, write};

/// `n` spelled in letters (digits fold in learn's keys, so they cannot make lines differ).
fn tag(n: usize) -> String {
    n.to_string()
        .bytes()
        .map(|d| char::from(b'k' + (d - b'0')))
        .collect()
}

/// A story body unique to `(site, n)`: three sentences no other document shares.
fn story(site: &str, n: usize) -> String {
    let t = tag(n);
    format!(
        "The {site} desk filed the {t} report on the harbour works.\n\
         Engineers said the {t} stage of the pier would open after an inspection.\n\
         Residents of ward {t} asked for a quieter schedule.\n"
    )
}

fn record(url: &str, text: &str) -> String {
    serde_json::json!({ "url": url, "text": text }).to_string() + "\n"
}

/// A shard: `n` articles of harbour-news.example.com with its app promo in every one and a
/// newsletter line in the even ones; `m` articles of quay-times.example.org with its own promo;
/// plus the lines the guards must hold back.
fn shard(n: usize, m: usize) -> String {
    let mut s = String::new();
    for i in 0..n {
        let mut t = story("harbour", i);
        t.push_str("Get the Harbour News app for alerts on 3 new stories a day!\n");
        if i % 2 == 0 {
            t.push_str("Sign up for the Harbour Morning Briefing newsletter here\n");
        }
        if i < 3 {
            // a quote the site repeats in three follow-ups: story text, not template
            t.push_str("“We will keep the pier open through the winter storms,” the mayor said.\n");
            // a sentence the site repeats in three follow-ups
            t.push_str("The pier was first opened to ferries in the spring of 1911.\n");
            // a short sub-heading
            t.push_str("Background\n");
            // a transcript's speaker name, all through the document
            for _ in 0..4 {
                t.push_str("Harbour Desk Anchor\n");
            }
        }
        s.push_str(&record(
            &format!("https://www.harbour-news.example.com/a/{i}"),
            &t,
        ));
    }
    for i in 0..m {
        let mut t = story("quay", i);
        t.push_str("Follow Quay Times on every platform for more local reporting\n");
        s.push_str(&record(
            &format!("http://quay-times.example.org:8080/s?id={i}"),
            &t,
        ));
    }
    s
}

fn learn(dir: &Path, input: &str, args: &[&str]) -> (String, std::process::Output) {
    let p = write(dir, "in.jsonl", input.as_bytes());
    let mut all = vec!["learn", p.to_str().unwrap()];
    all.extend_from_slice(args);
    let o = run(&all, b"");
    (String::from_utf8_lossy(&o.stdout).into_owned(), o)
}

fn rule_lines(rules: &str) -> Vec<&str> {
    rules
        .lines()
        .filter(|l| !l.starts_with('#') && !l.trim().is_empty() && !l.starts_with('@'))
        .collect()
}

#[test]
fn writes_site_scoped_rules_with_evidence_strongest_first() {
    // strongest first: more documents, then a larger share of the site
    let d = tempdir("learn-rules");
    let (rules, o) = learn(&d, &shard(8, 4), &[]);
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert!(rules.contains("\n@category learned\n"), "{rules}");
    let r = rule_lines(&rules);
    assert_eq!(
        r,
        [
            r"learned.harbour-news.example.com.1 learned regex,site=harbour-news.example.com ^\s*Get\W+the\W+Harbour\W+News\W+app\W+for\W+alerts\W+on\W+\d+\W+new\W+stories\W+a\W+day\W*$",
            r"learned.quay-times.example.org.1 learned regex,site=quay-times.example.org ^\s*Follow\W+Quay\W+Times\W+on\W+every\W+platform\W+for\W+more\W+local\W+reporting\W*$",
            r"learned.harbour-news.example.com.2 learned regex,site=harbour-news.example.com ^\s*Sign\W+up\W+for\W+the\W+Harbour\W+Morning\W+Briefing\W+newsletter\W+here\W*$",
        ],
        "{rules}"
    );
    assert!(rules.contains(
        "# 8 of 8 documents of harbour-news.example.com (100.0%); e.g. Get the Harbour News app for alerts on 3 new stories a day!\n"
    ), "{rules}");
    assert!(rules.contains("# 4 of 8 documents of harbour-news.example.com (50.0%);"));
    assert!(rules.contains("# 4 of 4 documents of quay-times.example.org (100.0%);"));
    assert!(
        rules.contains("# 3 rules; 4 recurring lines held back"),
        "{rules}"
    );
}

#[test]
fn guards_hold_back_quotes_sentences_and_short_lines_as_comments() {
    let d = tempdir("learn-guards");
    let (rules, o) = learn(&d, &shard(8, 4), &[]);
    assert!(o.status.success());
    let held: Vec<&str> = rules
        .lines()
        .filter(|l| l.starts_with("#learned"))
        .collect();
    assert_eq!(held.len(), 4, "{rules}");
    for (guard, pattern) in [
        (
            "quote",
            r"regex,site=harbour-news.example.com ^\W*We\W+will\W+keep",
        ),
        (
            "prose",
            r"regex,site=harbour-news.example.com ^\s*The\W+pier\W+was",
        ),
        (
            "short",
            r"regex,site=harbour-news.example.com ^\s*Background\W*$",
        ),
        (
            "repeated",
            r"regex,site=harbour-news.example.com ^\s*Harbour\W+Desk\W+Anchor\W*$",
        ),
    ] {
        let at = rules
            .find(pattern)
            .unwrap_or_else(|| panic!("{pattern}\n{rules}"));
        let line_start = rules[..at].rfind('\n').unwrap() + 1;
        assert!(rules[line_start..].starts_with("#learned.harbour-news.example.com."));
        let comment = rules[..line_start - 1].lines().last().unwrap();
        assert!(
            comment.contains(&format!("held back: {guard}")),
            "{comment}"
        );
    }
    // Without the guards' thresholds the sentence becomes a rule: --prose-docs 3.
    let (rules, _) = learn(&d, &shard(8, 4), &["--prose-docs", "3"]);
    assert!(
        rule_lines(&rules)
            .iter()
            .any(|l| l.contains(r"^\s*The\W+pier")),
        "{rules}"
    );
    // The quote stays held back whatever the counts.
    let quote = rules
        .lines()
        .find(|l| l.contains(r"^\W*We\W+will"))
        .unwrap();
    assert!(quote.starts_with("#learned."), "{quote}");
}

#[test]
fn a_line_in_many_sites_is_syndicated_unless_it_is_template_at_home() {
    let d = tempdir("learn-syndicated");
    let wire = "Officials said the agreement would be signed by the end of the month\n";
    let home = "Visit the Harbour Tribune homepage for more stories\n";
    let mut s = String::new();
    for site in ["one.example", "two.example", "three.example"] {
        for i in 0..10 {
            let mut t = story(site, i);
            if i < 3 {
                t.push_str(wire); // wire copy: a few documents in each of three sites
            }
            if site == "one.example" || i == 0 {
                t.push_str(home); // one.example's own promo, carried by a republished story
            }
            s.push_str(&record(&format!("https://{site}/{i}"), &t));
        }
    }
    let (rules, o) = learn(&d, &s, &[]);
    assert!(o.status.success());
    let r = rule_lines(&rules);
    assert_eq!(r.len(), 1, "{rules}");
    assert!(
        r[0].starts_with("learned.one.example.1 learned regex,site=one.example ^\\s*Visit"),
        "{rules}"
    );
    assert!(
        rules.contains("# 10 of 10 documents of one.example (100.0%); in 3+ sites; e.g. Visit"),
        "{rules}"
    );
    assert_eq!(rules.matches("held back: syndicated").count(), 3, "{rules}");
}

#[test]
fn same_input_gives_the_same_bytes_and_small_counters_the_same_counts() {
    let d = tempdir("learn-determinism");
    let input = shard(30, 12);
    let (a, _) = learn(&d, &input, &[]);
    let (b, _) = learn(&d, &input, &[]);
    assert_eq!(a, b);
    // With 4 counters the first pass runs decrement rounds and says so; the heavy lines are
    // still found and every figure comes from the exact second pass.
    let (c, o) = learn(&d, &input, &["--capacity", "4"]);
    assert!(o.status.success());
    assert!(!c.contains(" 0 decrement rounds"), "{c}");
    assert!(c.contains("may have been missed"), "{c}");
    for needle in [
        "# 30 of 30 documents of harbour-news.example.com (100.0%)",
        "# 12 of 12 documents of quay-times.example.org (100.0%)",
    ] {
        assert!(a.contains(needle) && c.contains(needle), "{needle}\n{c}");
    }
    assert!(a.contains(" 0 decrement rounds: no recurring line was missed"));
    // Every rule and its counts are the same: the heavy lines survive the decrement rounds and
    // are counted exactly. (Lines in only 3 documents, held back as suggestions here, may be
    // missed with 4 counters, as the header says.)
    let rules = |s: &str| -> Vec<String> {
        let end = s.find("# ---- held back").unwrap_or(s.len());
        s[..end]
            .lines()
            .skip_while(|l| !l.starts_with("@category"))
            .map(str::to_owned)
            .collect()
    };
    let (ra, rc) = (rules(&a), rules(&c));
    assert_eq!(
        ra.iter().filter(|l| l.starts_with("learned.")).count(),
        3,
        "{a}"
    );
    assert_eq!(ra, rc);
}

#[test]
fn duplicate_documents_count_once() {
    let d = tempdir("learn-dups");
    let mut s = String::new();
    // one article scraped four times under four urls, then two other articles
    let t = story("pier", 1) + "Watch the pier cam live from our studio\n";
    for i in 0..4 {
        s.push_str(&record(&format!("https://pier.example.net/{i}"), &t));
    }
    for i in 2..4 {
        let t = story("pier", i) + "Watch the pier cam live from our studio\n";
        s.push_str(&record(&format!("https://pier.example.net/{i}"), &t));
    }
    let (rules, o) = learn(&d, &s, &[]);
    assert!(o.status.success());
    assert!(
        rules.contains("3 exact duplicates not counted again"),
        "{rules}"
    );
    assert!(
        rules.contains("# 3 of 3 documents of pier.example.net"),
        "{rules}"
    );
    // the story's own sentences recur only in the four copies: no rule, no suggestion
    assert!(!rules.contains("harbour works"), "{rules}");
    assert_eq!(rule_lines(&rules).len(), 1, "{rules}");
}

#[test]
fn learned_rules_apply_and_match_other_digits_case_and_punctuation() {
    let d = tempdir("learn-apply");
    let (rules, o) = learn(&d, &shard(8, 4), &["--no-site", "--category", "promo"]);
    assert!(o.status.success());
    assert!(
        !rules.contains("@category"),
        "a core category is not declared: {rules}"
    );
    assert!(!rules.contains("site="), "{rules}");
    assert!(rules.contains("applies everywhere"));
    let rules_path = write(&d, "learned.rules", rules.as_bytes());
    let text = "A new pier story.\n\
                GET THE HARBOUR NEWS APP FOR ALERTS ON 12 NEW STORIES A DAY\n\
                get the harbour news app -- for alerts on 7 new stories a day.\n\
                Get the Harbour News app for alerts on new stories a day!\n\
                Sign up for the Harbour Morning Briefing newsletter here.\n\
                The end.\n";
    let o = run(
        &[
            "--rules",
            rules_path.to_str().unwrap(),
            "--no-default-rules",
        ],
        text.as_bytes(),
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    assert_eq!(
        String::from_utf8_lossy(&o.stdout),
        "A new pier story.\nGet the Harbour News app for alerts on new stories a day!\nThe end.\n"
    );
}

#[test]
fn site_scoped_learned_rules_apply_only_to_their_site() {
    let d = tempdir("learn-site");
    let (rules, o) = learn(&d, &shard(8, 4), &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(rules.contains("site=harbour-news.example.com"), "{rules}");
    let rules_path = write(&d, "learned.rules", rules.as_bytes());
    let promo = "Get the Harbour News app for alerts on 5 new stories a day!";
    let input = record(
        "https://harbour-news.example.com/b/1",
        &format!("Pier story.\n{promo}\n"),
    ) + &record(
        "https://news.harbour-news.example.com/b/2",
        &format!("Ward story.\n{promo}\n"),
    ) + &record(
        "https://other.example.net/c/3",
        &format!("Quay story.\n{promo}\n"),
    ) + &record("", &format!("Siteless story.\n{promo}\n"));
    let shard_path = write(&d, "apply.jsonl", input.as_bytes());
    let o = run(
        &[
            "--no-default-rules",
            "--rules",
            rules_path.to_str().unwrap(),
            shard_path.to_str().unwrap(),
        ],
        b"",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let expected = record("https://harbour-news.example.com/b/1", "Pier story.\n")
        + &record("https://news.harbour-news.example.com/b/2", "Ward story.\n")
        + &record(
            "https://other.example.net/c/3",
            &format!("Quay story.\n{promo}\n"),
        )
        + &record("", &format!("Siteless story.\n{promo}\n"));
    assert_eq!(String::from_utf8_lossy(&o.stdout), expected);

    // In text mode the site comes from --site; without it, site-scoped rules stay out.
    let text = format!("Pier story.\n{promo}\n");
    let args = [
        "--no-default-rules",
        "--rules",
        rules_path.to_str().unwrap(),
    ];
    let o = run(&args, text.as_bytes());
    assert_eq!(String::from_utf8_lossy(&o.stdout), text);
    let mut with_site = args.to_vec();
    with_site.extend(["--site", "harbour-news.example.com"]);
    let o = run(&with_site, text.as_bytes());
    assert_eq!(String::from_utf8_lossy(&o.stdout), "Pier story.\n");
}

#[test]
fn text_documents_files_nul_and_separator_framing() {
    let d = tempdir("learn-text");
    let promo = "Listen to the Harbour Hour podcast every Friday\n";
    let mut files: Vec<PathBuf> = Vec::new();
    for i in 0..3 {
        files.push(write(
            &d,
            &format!("a{i}.txt"),
            (story("t", i) + promo).as_bytes(),
        ));
    }
    let mut args = vec!["learn", "--site", "https://harbour-news.example.com/"];
    args.extend(files.iter().map(|p| p.to_str().unwrap()));
    let o = run(&args, b"");
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(out.contains("learned.harbour-news.example.com.1 learned regex,site=harbour-news.example.com ^\\s*Listen\\W+to\\W+the\\W+Harbour\\W+Hour\\W+podcast\\W+every\\W+Friday\\W*$"), "{out}");
    // The same three documents in one file, NUL-separated, and separated by a line.
    let docs: Vec<String> = (0..3).map(|i| story("t", i) + promo).collect();
    let z = write(&d, "all.z", docs.join("\0").as_bytes());
    let o = run(&["learn", "-z", z.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let out_z = String::from_utf8_lossy(&o.stdout).into_owned();
    assert!(
        out_z.contains("# 3 of 3 documents without a site"),
        "{out_z}"
    );
    let sep = write(&d, "all.sep", docs.join("----\n").as_bytes());
    let o = run(&["learn", "--doc-sep", "----", sep.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let out_sep = String::from_utf8_lossy(&o.stdout).into_owned();
    assert_eq!(
        out_sep.lines().skip(1).collect::<Vec<_>>(),
        out_z.lines().skip(1).collect::<Vec<_>>(),
        "only the header's input name differs"
    );
    // Unframed, the file is one document: nothing recurs.
    let o = run(&["learn", sep.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let out_one = String::from_utf8_lossy(&o.stdout);
    assert!(out_one.contains("# 1 documents learned from"), "{out_one}");
    assert!(rule_lines(&out_one).is_empty());
}

#[test]
fn sites_that_share_an_id_slug_get_distinct_rule_ids() {
    let d = tempdir("learn-slug");
    let mut shard = String::new();
    for (outlet, promo) in [
        (
            "Gazette A",
            "Read the Gazette A morning digest every weekday",
        ),
        (
            "gazette-a",
            "Listen to the gazette-a radio hour every Sunday",
        ),
    ] {
        for i in 0..3 {
            let text = story(outlet, i) + promo + "\n";
            shard += &(serde_json::json!({ "outlet": outlet, "text": text }).to_string() + "\n");
        }
    }
    let (rules, o) = learn(&d, &shard, &["--group-by", "outlet"]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert_eq!(rule_lines(&rules).len(), 2, "{rules}");
    let path = write(&d, "learned.rules", rules.as_bytes());
    let o = run(
        &["--no-default-rules", "--rules", path.to_str().unwrap()],
        b"x\n",
    );
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
}

#[test]
fn group_by_another_field_and_gzip_input() {
    let d = tempdir("learn-group");
    let mut s = String::new();
    for i in 0..3 {
        let t = story("g", i) + "Support independent harbour journalism today\n";
        s.push_str(
            &(serde_json::json!({ "meta": { "outlet": "Harbour Gazette" }, "body": t })
                .to_string()
                + "\n"),
        );
    }
    let gz = d.join("in.jsonl.gz");
    let mut e = flate2::write::GzEncoder::new(
        std::fs::File::create(&gz).unwrap(),
        flate2::Compression::fast(),
    );
    std::io::Write::write_all(&mut e, s.as_bytes()).unwrap();
    e.finish().unwrap();
    let o = run(
        &[
            "learn",
            "--group-by",
            "meta.outlet",
            "--field",
            "body",
            gz.to_str().unwrap(),
        ],
        b"",
    );
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(o.status.success(), "{}", stderr(&o));
    // not a host name: the rule cannot be scoped, and says so
    assert!(
        out.contains("# 3 of 3 documents of harbour gazette (100.0%); applies everywhere;"),
        "{out}"
    );
    assert!(
        out.contains(
            r"learned.harbour-gazette.1 learned regex ^\s*Support\W+independent\W+harbour\W+journalism\W+today\W*$"
        ),
        "{out}"
    );
}

#[test]
fn bad_input_is_exit_2_with_a_message() {
    let d = tempdir("learn-errors");
    let bad = format!(
        "{}{{\"url\": \"https://x.example/\", \"text\": \n",
        record("https://x.example/", "fine\n")
    );
    let (_, o) = learn(&d, &bad, &[]);
    assert_eq!(o.status.code(), Some(2));
    let e = stderr(&o);
    assert!(
        e.starts_with("dechaff: ") && e.contains("in.jsonl: record 2: not valid JSON"),
        "{e}"
    );
    let o = run(&["learn", "/no/such/shard.jsonl"], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("dechaff: /no/such/shard.jsonl: "),
        "{}",
        stderr(&o)
    );
    let o = run(&["learn", "-"], b"{}\n");
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("cannot take standard input"));
    let ok = write(&d, "ok.jsonl", b"");
    for (args, message) in [
        (
            vec!["learn", "--category", "bad name", ok.to_str().unwrap()],
            "invalid --category 'bad name'",
        ),
        (
            vec!["learn", "--min-docs", "1", ok.to_str().unwrap()],
            "--min-docs must be at least 2",
        ),
        (
            vec!["learn", "--doc-sep", "", ok.to_str().unwrap()],
            "a separator line cannot be empty",
        ),
        (vec!["learn"], "required arguments were not provided"),
    ] {
        let o = run(&args, b"");
        assert_eq!(o.status.code(), Some(2), "{args:?}");
        assert!(stderr(&o).contains(message), "{args:?}: {}", stderr(&o));
    }
    // records without the text field are counted, not silently lost
    let (rules, o) = learn(&d, "{\"url\": \"https://x.example/\"}\n", &[]);
    assert!(o.status.success());
    assert!(rules.contains("1 records without a text field"), "{rules}");
}

#[test]
fn a_nul_after_an_over_long_line_still_ends_a_document() {
    let d = tempdir("learn-nul-long");
    let promo = "Listen to the Harbour Hour podcast every Friday\n";
    // The last line of each document is longer than learn keeps, and the NUL follows it.
    let long = "word ".repeat(600);
    let docs: Vec<String> = (0..4).map(|i| story("t", i) + promo + &long).collect();
    let z = write(&d, "all.z", docs.join("\0").as_bytes());
    let o = run(&["learn", "-z", z.to_str().unwrap()], b"");
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8_lossy(&o.stdout);
    assert!(out.contains("# 4 documents learned from"), "{out}");
    assert!(out.contains("# 4 of 4 documents without a site"), "{out}");
}

#[test]
fn records_the_filter_accepts_are_learned_from_lone_surrogates_included() {
    let d = tempdir("learn-surrogate");
    let mut shard = String::new();
    for i in 0..3 {
        // A raw JSON line with a lone surrogate escape, which the filter passes.
        shard += &format!(
            "{{\"url\": \"https://pier.example.net/{i}\", \"text\": \"Story {} a\\ud800b.\\nJoin the Pier Club for weekly pier news\"}}\n",
            tag(i)
        );
    }
    let o = run(&["--no-default-rules"], shard.as_bytes());
    assert_eq!(o.status.code(), Some(0), "{}", stderr(&o));
    let (rules, o) = learn(&d, &shard, &[]);
    assert!(o.status.success(), "{}", stderr(&o));
    assert!(
        rules.contains("# 3 of 3 documents of pier.example.net"),
        "{rules}"
    );
}
