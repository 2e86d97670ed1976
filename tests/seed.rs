//! The canonical example: `dechaff < ../shared/seed-article.txt` removes exactly the two
//! "READ MORE:" lines and the designation footnote, and the footnote's marker.
//!
//! The seed lives beside the repository, not in it. The same check runs on
//! `fixtures/seed-shapes.txt`, an article we wrote with the seed's shapes (two cross-links, a
//! footnote, a marked name), so the test asserts the same thing on a clone without `../shared`.

use crate::util::{fixture, root, run};

/// Builds the expectation independently of the tool (drop the lines known to be chaff, strip
/// the marker after the footnote's name), then checks the binary's output against it.
fn loses_exactly_its_chaff(input: &[u8], what: &str) -> String {
    let text = String::from_utf8(input.to_vec()).unwrap();
    let mut expected = String::new();
    let mut dropped = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("READ MORE:") || line.starts_with("*Daesh") {
            dropped += 1;
            continue;
        }
        expected.push_str(&line.replace("Daesh* ", "Daesh "));
    }
    assert_eq!(dropped, 3, "{what}: two READ MORE lines and one footnote");
    assert!(text.contains("Daesh* "), "{what}: a marked name to strip");
    let out = run(&[], input);
    assert!(out.status.success(), "{what}");
    let got = String::from_utf8(out.stdout).unwrap();
    assert_eq!(got, expected, "{what}");
    got
}

#[test]
fn seed_article_loses_exactly_its_chaff() {
    let shapes = std::fs::read(fixture("seed-shapes.txt")).unwrap();
    loses_exactly_its_chaff(&shapes, "fixtures/seed-shapes.txt");
    let path = root().join("../shared/seed-article.txt");
    match std::fs::read(&path) {
        Ok(seed) => {
            let out = loses_exactly_its_chaff(&seed, "the seed");
            assert!(
                out.ends_with("miles).\n"),
                "output ends with the last kept line's newline"
            );
        }
        Err(_) => eprintln!(
            "seed article not present at {}: checked on fixtures/seed-shapes.txt only",
            path.display()
        ),
    }
}
