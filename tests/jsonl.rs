//! JSON Lines records and compressed streams: byte preservation and every error path.

use std::io::Write;

use crate::util::{run, stderr, tempdir, write};

const REC1: &str = r#"{"id": "a1", "n": 1.50, "text": "First para.\nAdvertisement\nREAD MORE: Other Story\nLast para.", "meta": {"k": [1, 2]}}"#;
const REC2: &str = r#"{"text": "Nothing to remove.\nAt all.", "z": 1e10}"#;
const REC3: &str = r#"{"id": 3, "body": "no text field"}"#;

fn jsonl(lines: &[&str]) -> Vec<u8> {
    let mut v = Vec::new();
    for l in lines {
        v.extend_from_slice(l.as_bytes());
        v.push(b'\n');
    }
    v
}

#[test]
fn only_the_text_value_changes_and_untouched_records_are_identical() {
    let o = run(&["--jsonl", "--stats=json"], &jsonl(&[REC1, REC2, REC3]));
    assert!(o.status.success(), "{}", stderr(&o));
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    let lines: Vec<&str> = out.lines().collect();
    assert_eq!(
        lines[0],
        r#"{"id": "a1", "n": 1.50, "text": "First para.\nLast para.", "meta": {"k": [1, 2]}}"#
    );
    assert_eq!(lines[1], REC2);
    assert_eq!(lines[2], REC3);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["records"]["read"], 3);
    assert_eq!(v["records"]["changed"], 1);
    assert_eq!(v["records"]["missing_field"], 1);
    assert_eq!(v["lines_removed"], 2);
}

#[test]
fn escapes_crlf_and_nested_fields_are_kept() {
    // \u-escaped text (an ASCII-only writer), CRLF inside the text, a nested field.
    let rec = r#"{"doc": {"body": "Caf\u00e9 opens.\r\nAdvertisement\r\nQuote: \"hi\" \\ end"}, "text": "Advertisement"}"#;
    let o = run(&["--jsonl", "--field", "doc.body"], &jsonl(&[rec]));
    assert!(o.status.success(), "{}", stderr(&o));
    let want =
        r#"{"doc": {"body": "Caf\u00e9 opens.\r\nQuote: \"hi\" \\ end"}, "text": "Advertisement"}"#;
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!("{want}\n")
    );
}

#[test]
fn strip_rules_re_encode_only_the_changed_line() {
    // (the marker goes because its footnote is in the same record)
    let rec = r#"{"text": "Units of Daesh* fled.\n*Daesh is a terrorist group banned in Russia\nAnother line."}"#;
    let o = run(&["--jsonl"], &jsonl(&[rec]));
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        "{\"text\": \"Units of Daesh fled.\\nAnother line.\"}\n"
    );
}

#[test]
fn a_bad_record_stops_the_run_naming_its_number_after_writing_the_ones_before() {
    let o = run(&["--jsonl"], &jsonl(&[REC2, "{\"text\": broken", REC3]));
    assert_eq!(o.status.code(), Some(2));
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!("{REC2}\n")
    );
    let e = stderr(&o);
    assert!(
        e.starts_with("dechaff: <stdin>: record 2: not valid JSON:"),
        "{e}"
    );
    assert!(e.contains("--on-bad-record"), "{e}");
}

#[test]
fn bad_records_can_be_passed_or_skipped_and_are_counted() {
    let input = jsonl(&[REC2, "not json at all", REC3]);
    let o = run(&["--jsonl", "--on-bad-record=pass", "--stats=json"], &input);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(o.stdout, input);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["records"]["bad"], 1);
    let o = run(&["--jsonl", "--on-bad-record=skip", "--stats=json"], &input);
    assert_eq!(o.status.code(), Some(0));
    assert_eq!(
        String::from_utf8(o.stdout.clone()).unwrap(),
        format!("{REC2}\n{REC3}\n")
    );
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["records"]["bad"], 1);
}

#[test]
fn records_over_the_cap_pass_through_and_are_counted() {
    let big = format!(r#"{{"text": "Advertisement\n{}"}}"#, "x".repeat(5000));
    let input = jsonl(&[&big, REC1]);
    let o = run(&["--jsonl", "--max-record", "1000", "--stats=json"], &input);
    assert!(o.status.success());
    let out = String::from_utf8(o.stdout.clone()).unwrap();
    assert!(out.starts_with(&big), "the long record is unchanged");
    assert!(
        !out.contains("READ MORE"),
        "the next record is still cleaned"
    );
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["records"]["too_long"], 1);
}

#[test]
fn explain_json_gives_record_line_rule_and_category() {
    let o = run(&["--jsonl", "--explain=json"], &jsonl(&[REC2, REC1]));
    let e = stderr(&o);
    let events: Vec<serde_json::Value> = e
        .lines()
        .map(|l| serde_json::from_str(l).unwrap())
        .collect();
    assert_eq!(events.len(), 2);
    assert_eq!(events[0]["record"], 2);
    assert_eq!(events[0]["line"], 2);
    assert_eq!(events[0]["category"], "ad");
    assert_eq!(events[0]["action"], "drop");
    assert_eq!(events[1]["line"], 3);
    assert_eq!(events[1]["text"], "READ MORE: Other Story");
    // plain text: record is null
    let o = run(&["--explain=json"], b"x\nAdvertisement\n");
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert!(v["record"].is_null());
    assert_eq!(v["line"], 2);
}

fn gzip(data: &[u8]) -> Vec<u8> {
    let mut e = flate2::write::GzEncoder::new(Vec::new(), flate2::Compression::fast());
    e.write_all(data).unwrap();
    e.finish().unwrap()
}

#[test]
fn gz_and_zst_by_name_in_and_out_and_jsonl_detected_from_the_name() {
    let d = tempdir("compress");
    let input = jsonl(&[REC1, REC2]);
    // multi-member gzip, as Common Crawl WET files are
    let mut two = gzip(&input[..REC1.len() + 1]);
    two.extend(gzip(&input[REC1.len() + 1..]));
    let gz = write(&d, "shard.jsonl.gz", &two);
    let out_zst = d.join("clean.jsonl.zst");
    let o = run(
        &[gz.to_str().unwrap(), "-o", out_zst.to_str().unwrap()],
        b"",
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let clean = zstd::decode_all(std::fs::File::open(&out_zst).unwrap()).unwrap();
    let text = String::from_utf8(clean).unwrap();
    assert!(
        text.contains(r#""text": "First para.\nLast para.""#),
        "{text}"
    );
    assert!(text.ends_with(&format!("{REC2}\n")));
    // and back through stdin with --decompress, to a .gz
    let out_gz = d.join("again.jsonl.gz");
    let zst_bytes = std::fs::read(&out_zst).unwrap();
    let o = run(
        &["--decompress", "--jsonl", "-o", out_gz.to_str().unwrap()],
        &zst_bytes,
    );
    assert!(o.status.success(), "{}", stderr(&o));
    let mut back = String::new();
    std::io::Read::read_to_string(
        &mut flate2::read::MultiGzDecoder::new(std::fs::File::open(&out_gz).unwrap()),
        &mut back,
    )
    .unwrap();
    assert_eq!(back, text);
}

#[test]
fn a_truncated_gz_is_an_error_after_writing_what_was_read() {
    let d = tempdir("truncated");
    let mut text = Vec::new();
    for i in 0..20_000 {
        text.extend_from_slice(format!("Line {i} of a story that goes on.\n").as_bytes());
    }
    let gz = gzip(&text);
    let cut = write(&d, "story.txt.gz", &gz[..gz.len() / 2]);
    let o = run(&[cut.to_str().unwrap()], b"");
    assert_eq!(o.status.code(), Some(2));
    assert!(
        stderr(&o).starts_with(&format!("dechaff: {}:", cut.display())),
        "{}",
        stderr(&o)
    );
    assert!(
        !o.stdout.is_empty(),
        "what was read before the damage is written"
    );
    assert!(
        text.starts_with(&o.stdout),
        "the output is a prefix of the text"
    );
}

#[test]
fn only_removed_with_jsonl_is_refused_clearly() {
    let o = run(&["--jsonl", "--only-removed"], &jsonl(&[REC1]));
    assert_eq!(o.status.code(), Some(2));
    assert!(stderr(&o).contains("--only-removed works on plain text"));
}

#[test]
fn explain_text_names_the_record_and_the_line_within_it() {
    let o = run(&["--jsonl", "--explain"], &jsonl(&[REC2, REC1]));
    let e = stderr(&o);
    let lines: Vec<&str> = e.lines().collect();
    assert_eq!(lines.len(), 2, "{e}");
    assert!(
        lines[0].starts_with("<stdin>: record 2, line 2: dropped en.ad."),
        "{e}"
    );
    assert!(
        lines[1].starts_with("<stdin>: record 2, line 3: dropped en.crosslink."),
        "{e}"
    );
}

#[test]
fn an_escaped_newline_inside_a_line_and_a_final_cr_keep_the_line_framing() {
    // Only `\n` escapes split a record's text into lines: `\u000a` decodes to a newline byte
    // inside one line, which must not be judged as a line of its own (nor shift the judgement
    // onto the next line), in the zones or in the middle of a long record. A last line that
    // ends in `\r` without a newline keeps it.
    let mut lines: Vec<String> = (0..40).map(|i| format!("Story line {i}.")).collect();
    lines[20] = r"Story twenty.\u000aAdvertisement".to_string();
    lines[2] = r"Story two.\u000aAdvertisement".to_string();
    lines[30] = "Advertisement".to_string();
    let rec = format!(r#"{{"text": "{}\r"}}"#, lines.join(r"\n"));
    let o = run(&["--jsonl", "--stats=json"], &jsonl(&[&rec]));
    assert!(o.status.success(), "{}", stderr(&o));
    lines.remove(30);
    let want = format!("{{\"text\": \"{}\\r\"}}\n", lines.join(r"\n"));
    assert_eq!(String::from_utf8(o.stdout.clone()).unwrap(), want);
    let v: serde_json::Value = serde_json::from_str(stderr(&o).trim()).unwrap();
    assert_eq!(v["lines_removed"], 1);
}
