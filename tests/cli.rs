//! The command line: exit codes, errors, statistics, explanations, pipes.

use std::io::Read;
use std::process::Stdio;

use crate::util::{dechaff, read_stderr, run, stderr, tempdir, write};

const ARTICLE: &[u8] = b"A council voted on the ferry plan.\nAdvertisement\nREAD MORE: Ferry Fares Rise\nThe vote was close.\n";

#[test]
fn exit_zero_when_something_or_nothing_is_removed() {
    let o = run(&[], ARTICLE);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        o.stdout,
        b"A council voted on the ferry plan.\nThe vote was close.\n"
    );
    let o = run(&[], b"Nothing to remove here.\n");
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, b"Nothing to remove here.\n");
}

#[test]
fn dash_reads_stdin_between_files() {
    let d = tempdir("dash");
    let a = write(&d, "a.txt", b"first file\nAdvertisement\n");
    let o = run(&[a.to_str().unwrap(), "-"], b"from stdin\n");
    assert_eq!(o.stdout, b"first file\nfrom stdin\n");
}

#[test]
fn output_file_option_writes_there() {
    let d = tempdir("out");
    let out = d.join("clean.txt");
    let o = run(&["-o", out.to_str().unwrap()], ARTICLE);
    assert!(o.status.success());
    assert!(o.stdout.is_empty());
    assert_eq!(
        std::fs::read(&out).unwrap(),
        b"A council voted on the ferry plan.\nThe vote was close.\n"
    );
}

#[test]
fn missing_input_file_is_exit_2_and_other_files_still_go_through() {
    let d = tempdir("missing");
    let a = write(&d, "a.txt", b"kept line\n");
    let o = run(&["/no/such/file.txt", a.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with("dechaff: /no/such/file.txt: No such file or directory"),
        "{}",
        stderr(&o)
    );
    assert_eq!(o.stdout, b"kept line\n");
}

#[test]
fn bad_rules_file_names_file_and_line_and_reads_no_input() {
    let d = tempdir("badrules");
    let r = write(
        &d,
        "my.rules",
        b"# my rules\nok.one ad line Sponsored\nbad.two ad prefx Promoted\n",
    );
    let o = run(&["--rules", r.to_str().unwrap()], ARTICLE);
    assert_eq!(o.status.code(), Some(2));
    assert!(o.stdout.is_empty(), "no output when rules are bad");
    let want = format!(
        "dechaff: {}:3: unknown kind 'prefx' (expected line, prefix, suffix, contains or regex)\n",
        r.display()
    );
    assert_eq!(stderr(&o), want);
}

#[test]
fn unknown_option_in_a_rule_is_an_error_not_ignored() {
    let d = tempdir("badopt");
    let r = write(&d, "x.rules", b"x ad line,maxchars=3 Sponsored\n");
    let o = run(&["--rules", r.to_str().unwrap()], ARTICLE);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("x.rules:1: unknown option 'maxchars=3'"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn bad_regex_error_names_the_rule() {
    let d = tempdir("badre");
    let r = write(&d, "x.rules", b"\n\nre.bad ad regex (unclosed\n");
    let o = run(&["--rules", r.to_str().unwrap()], ARTICLE);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("x.rules:3: rule 're.bad': invalid regex:"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn rules_file_that_is_not_utf8_is_an_error() {
    let d = tempdir("nonutf8");
    let r = write(&d, "x.rules", b"a ad line ok\nb ad line caf\xe9\n");
    let o = run(&["--rules", r.to_str().unwrap()], ARTICLE);
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).contains("x.rules:2: rules file is not valid UTF-8"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn user_rules_add_to_the_packs_and_no_default_rules_drops_them() {
    let d = tempdir("userrules");
    let r = write(
        &d,
        "x.rules",
        b"@category credit\nmy.credit credit prefix,case Reporting by\n",
    );
    let input = b"Story.\nReporting by Jane Roe\nAdvertisement\n";
    let o = run(&["--rules", r.to_str().unwrap()], input);
    assert_eq!(o.stdout, b"Story.\n");
    let o = run(
        &["--no-default-rules", "--rules", r.to_str().unwrap()],
        input,
    );
    assert_eq!(o.stdout, b"Story.\nAdvertisement\n");
}

#[test]
fn unknown_lang_is_an_error() {
    let o = run(&["--lang", "xx"], ARTICLE);
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("unknown pack 'xx'"));
}

#[test]
fn stats_count_per_rule_and_category() {
    let o = run(&["--stats"], ARTICLE);
    let e = stderr(&o);
    assert!(
        e.starts_with("dechaff: 2 lines removed, 0 lines changed\n"),
        "{e}"
    );
    assert!(
        e.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["ad", "1", "0"]),
        "{e}"
    );
    assert!(
        e.lines()
            .any(|l| l.split_whitespace().collect::<Vec<_>>() == ["crosslink", "1", "0"]),
        "{e}"
    );
    assert_eq!(
        o.stdout,
        b"A council voted on the ferry plan.\nThe vote was close.\n"
    );
}

#[test]
fn stats_json_is_machine_readable() {
    let o = run(&["--stats=json"], ARTICLE);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["lines_removed"], 2);
    assert_eq!(v["categories"]["ad"]["removed"], 1);
    let rules = v["rules"].as_array().unwrap();
    assert_eq!(rules.len(), 2);
    assert!(
        rules
            .iter()
            .all(|r| r["removed"] == 1 && r["id"].as_str().unwrap().starts_with("en."))
    );
}

#[test]
fn explain_names_line_rule_and_category_without_changing_output() {
    let plain = run(&[], ARTICLE);
    let o = run(
        &["--explain"],
        b"ok\nAdvertisement\r\nsee \x1b\tDaesh* fled\n*Daesh is a terrorist group banned in Russia\n",
    );
    let e = stderr(&o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 3, "{e}");
    assert!(
        lines[2].starts_with("<stdin>:4: dropped en.disclaimer."),
        "{e}"
    );
    assert!(lines[0].starts_with("<stdin>:2: dropped en.ad."), "{e}");
    assert!(lines[0].ends_with("(ad): Advertisement"), "{e}");
    assert!(
        lines[1].starts_with("<stdin>:3: changed en.disclaimer."),
        "{e}"
    );
    assert!(lines[1].ends_with(": see \\u{1b}\\tDaesh* fled"), "{e}");
    let with = run(&["--explain"], ARTICLE);
    assert_eq!(with.stdout, plain.stdout);
}

#[test]
fn only_removed_prints_what_the_rules_take_out() {
    let o = run(&["--only-removed"], ARTICLE);
    assert_eq!(o.stdout, b"Advertisement\nREAD MORE: Ferry Fares Rise\n");
}

#[test]
fn long_lines_pass_through_unchanged() {
    let mut input = b"Advertisement\n".to_vec();
    input.extend(std::iter::repeat_n(b'x', 5000));
    input.extend_from_slice(b" Advertisement\nAdvertisement\n");
    let o = run(&["--max-line", "1024", "--stats"], &input);
    let mut want = std::iter::repeat_n(b'x', 5000).collect::<Vec<u8>>();
    want.extend_from_slice(b" Advertisement\n");
    assert_eq!(o.stdout, want);
    assert!(
        stderr(&o).contains("1 lines longer than the line cap"),
        "{}",
        stderr(&o)
    );
}

#[test]
fn help_shows_examples_and_version_works() {
    let o = run(&["--help"], b"");
    assert_eq!(o.status.code(), Some(0));
    let h = String::from_utf8_lossy(&o.stdout);
    assert!(
        h.contains("Examples:") && h.contains("--no-default-rules -F -i -f"),
        "{h}"
    );
    assert_eq!(run(&["--version"], b"").status.code(), Some(0));
    assert_eq!(run(&["--no-such-flag"], b"").status.code(), Some(2));
}

#[test]
fn closed_output_pipe_ends_quietly_with_exit_zero() {
    // Enough output that the writer is still busy when the reader goes away.
    let d = tempdir("pipe");
    let line = b"A long enough line of ordinary article text that will be kept as it is.\n";
    let mut big = Vec::with_capacity(line.len() * 200_000);
    for _ in 0..200_000 {
        big.extend_from_slice(line);
    }
    let input = write(&d, "big.txt", &big);
    let mut child = dechaff()
        .arg(&input)
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .unwrap();
    let mut stdout = child.stdout.take().unwrap();
    let mut first = [0u8; 100];
    stdout.read_exact(&mut first).unwrap();
    drop(stdout);
    let status = child.wait().unwrap();
    let err = read_stderr(&mut child);
    assert_eq!(status.code(), Some(0), "stderr: {err}");
    assert_eq!(err, "");
}

#[test]
fn rules_subcommand_lists_every_rule_with_its_origin() {
    let o = run(&["rules"], b"");
    assert!(o.status.success());
    let t = String::from_utf8_lossy(&o.stdout);
    assert!(
        t.lines()
            .any(|l| l.starts_with("en.") && l.contains("<builtin:en>:")),
        "{t}"
    );
    assert!(t.lines().last().unwrap().starts_with("# "));
}

#[test]
fn a_write_error_is_exit_2_with_a_message_not_a_panic() {
    let full = std::path::Path::new("/dev/full");
    assert!(full.exists(), "this test needs Linux's /dev/full");
    let out = std::fs::OpenOptions::new().write(true).open(full).unwrap();
    let o = dechaff()
        .arg("fixtures/every-kind.txt")
        .stdout(out)
        .stderr(Stdio::piped())
        .output()
        .unwrap();
    assert_eq!(o.status.code(), Some(2));
    let e = String::from_utf8_lossy(&o.stderr);
    assert_eq!(
        e,
        "dechaff: <stdout>: No space left on device (os error 28)\n"
    );
}

#[test]
fn binary_input_passes_through_byte_for_byte() {
    // Deterministic pseudo-random bytes, NULs and lone CRs included; no rule can match them.
    let mut x: u64 = 0x9E37_79B9_7F4A_7C15;
    let data: Vec<u8> = (0..3_000_000)
        .map(|_| {
            x ^= x << 13;
            x ^= x >> 7;
            x ^= x << 17;
            (x >> 24) as u8
        })
        .collect();
    let d = tempdir("binary");
    let p = write(&d, "blob.bin", &data);
    for jobs in ["1", "2"] {
        let o = run(&["-j", jobs, p.to_str().unwrap()], b"");
        assert!(o.status.success());
        assert!(o.stdout == data, "binary input changed with -j {jobs}");
    }
}
