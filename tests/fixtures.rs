//! Every `fixtures/NAME.txt` filtered with the built-in packs must equal `NAME.expected` byte for
//! byte, through the binary and through the library at many read sizes.

use dechaff::{Filter, FilterConfig, Matcher};

use crate::util::{Trickle, fixture, root, run};

fn fixture_names() -> Vec<String> {
    let mut names: Vec<String> = std::fs::read_dir(root().join("fixtures"))
        .unwrap()
        .filter_map(|e| e.ok())
        .filter_map(|e| {
            e.file_name()
                .to_str()
                .and_then(|n| n.strip_suffix(".txt"))
                .map(String::from)
        })
        .collect();
    names.sort();
    names
}

#[test]
fn fixtures_cover_the_required_shapes() {
    let names = fixture_names();
    for needed in [
        "seed-shapes",
        "seed-shapes-crlf",
        "invalid-utf8",
        "no-final-newline",
        "empty",
    ] {
        assert!(
            names.iter().any(|n| n == needed),
            "missing fixture {needed}"
        );
    }
}

#[test]
fn binary_output_equals_expected_byte_for_byte() {
    for name in fixture_names() {
        let input = std::fs::read(fixture(&format!("{name}.txt"))).unwrap();
        let expected = std::fs::read(fixture(&format!("{name}.expected"))).unwrap();
        // once as a file argument, once on stdin
        let path = format!("fixtures/{name}.txt");
        let by_file = run(&[&path], b"");
        assert!(
            by_file.status.success(),
            "{name}: {}",
            crate::util::stderr(&by_file)
        );
        assert_eq!(by_file.stdout, expected, "{name} (file)");
        let by_stdin = run(&["-"], &input);
        assert_eq!(by_stdin.stdout, expected, "{name} (stdin)");
    }
}

#[test]
fn library_output_is_the_same_for_any_read_size() {
    let mut cats = Vec::new();
    let matcher = Matcher::new(&dechaff::packs::builtin_specs(None, &mut cats).unwrap()).unwrap();
    let filter = Filter::new(&matcher, FilterConfig::default());
    for name in fixture_names() {
        let input = std::fs::read(fixture(&format!("{name}.txt"))).unwrap();
        let expected = std::fs::read(fixture(&format!("{name}.expected"))).unwrap();
        for step in [1, 2, 3, 5, 17, 4096] {
            let mut out = Vec::new();
            filter
                .run(Trickle { data: &input, step }, &mut out, &mut ())
                .unwrap();
            assert_eq!(out, expected, "{name} at read size {step}");
        }
    }
}
