//! The canonical example: `dechaff < ../shared/seed-article.txt` removes exactly the two
//! "READ MORE:" lines and the designation footnote, and the footnote's marker.

use crate::util::{root, run};

#[test]
fn seed_article_loses_exactly_its_chaff() {
    let path = root().join("../shared/seed-article.txt");
    let Ok(input) = std::fs::read(&path) else {
        // The seed lives outside the repository; the fixture seed-shapes covers the same shapes.
        eprintln!(
            "seed article not present at {}; covered by fixtures/seed-shapes",
            path.display()
        );
        return;
    };
    let text = String::from_utf8(input.clone()).unwrap();
    // Build the expectation independently of the tool: drop the lines we know are chaff.
    let mut expected = String::new();
    let mut dropped = 0;
    for line in text.split_inclusive('\n') {
        if line.starts_with("READ MORE:") || line.starts_with("*Daesh") {
            dropped += 1;
            continue;
        }
        expected.push_str(&line.replace("Daesh* terrorist", "Daesh terrorist"));
    }
    assert_eq!(
        dropped, 3,
        "the seed has two READ MORE lines and one footnote"
    );
    let out = run(&[], &input);
    assert!(out.status.success());
    assert_eq!(String::from_utf8(out.stdout).unwrap(), expected);
    assert!(
        expected.ends_with("miles).\n"),
        "output ends with the last kept line's newline"
    );
}
