//! `-e`, `-f`, `-F`, `-i` keep grep's meaning, so `grep -v -f` moves over unchanged.

use crate::util::{run, tempdir, write};

const TEXT: &[u8] = b"alpha Beta\nGAMMA ray\ndelta\r\nepsilon a.c\nabc\nZeta BETA\n";

fn grep_v(patterns: &[&str], fixed: bool, icase: bool) -> Vec<u8> {
    // What grep -v keeps, computed here by hand for these simple ASCII patterns.
    let mut out = Vec::new();
    for line in TEXT.split_inclusive(|&b| b == b'\n') {
        let content =
            String::from_utf8_lossy(line.strip_suffix(b"\n").unwrap_or(line)).into_owned();
        let hit = patterns.iter().any(|p| {
            let (hay, pat) = if icase {
                (content.to_lowercase(), p.to_lowercase())
            } else {
                (content.clone(), p.to_string())
            };
            if fixed {
                hay.contains(&pat)
            } else {
                regex::Regex::new(&pat).unwrap().is_match(&hay)
            }
        });
        if !hit {
            out.extend_from_slice(line);
        }
    }
    out
}

#[test]
fn fixed_strings_case_sensitive_and_insensitive() {
    let d = tempdir("grepF");
    let f = write(&d, "pats.txt", b"beta\na.c\n");
    for icase in [false, true] {
        let mut args = vec!["--no-default-rules", "-F", "-f", f.to_str().unwrap()];
        if icase {
            args.push("-i");
        }
        let o = run(&args, TEXT);
        assert_eq!(
            o.stdout,
            grep_v(&["beta", "a.c"], true, icase),
            "icase {icase}"
        );
    }
}

#[test]
fn regex_patterns_from_e_and_f() {
    let d = tempdir("grepE");
    let f = write(&d, "pats.txt", b"^del\n");
    let o = run(
        &[
            "--no-default-rules",
            "-e",
            "a.c$",
            "-f",
            f.to_str().unwrap(),
        ],
        TEXT,
    );
    assert_eq!(o.stdout, grep_v(&["a.c$", "^del"], false, false));
    let o = run(&["--no-default-rules", "-i", "-e", "gamma"], TEXT);
    assert_eq!(o.stdout, grep_v(&["gamma"], false, true));
}

#[test]
fn an_empty_pattern_matches_every_line_as_in_grep() {
    let o = run(&["--no-default-rules", "-F", "-e", ""], TEXT);
    assert!(o.status.success());
    assert_eq!(o.stdout, b"");
}

#[test]
fn grep_patterns_are_counted_under_their_own_category() {
    let o = run(
        &["--no-default-rules", "-F", "-e", "delta", "--stats=json"],
        TEXT,
    );
    let v: serde_json::Value = serde_json::from_slice(&o.stderr).unwrap();
    assert_eq!(v["categories"]["pattern"]["removed"], 1);
    assert_eq!(v["rules"][0]["id"], "pattern-1");
}
