//! What `learn` does with one line: normalises it into the key it is counted under, judges it
//! with the guard rails, and turns it into a rule pattern.
//!
//! # Normalisation
//!
//! A line's key is its *word characters* (the regex crate's Unicode `\w`) lower-cased, every run
//! of decimal digits (`\d`) folded to `0`, and every run of other characters (blanks,
//! punctuation, symbols) folded to one space, trimmed. So `Visit Example's homepage for more
//! stories.` and `visit example’s  homepage for more stories` are the same line, and so are
//! `Updated 4 May` and `Updated 17 May`.
//!
//! The rule written for a line matches exactly the lines with the same key, with one exception:
//! the line must begin (after blanks) with the same word, so a bullet or a quote mark in front of
//! it stops the match. That keeps the rule's first word at the line start, where the matcher
//! looks it up almost for free. The rule is an anchored, case-insensitive regex: the words as
//! literals, `\d+` for digit runs, `\W+` between words, `\W*$` at the end. (A `line` literal
//! would be cheaper for a line of plain words, but would miss the same line with a `!` after
//! it, which is the same key.)
//!
//! # Guard rails
//!
//! A line that recurs across a site's documents is usually the site's template, but not always:
//! a sub-heading the site uses in every explainer, a quote the site repeats in a run of
//! follow-up stories, or wire copy. The guards, in order, each with the name `learn` writes
//! next to a line it held back:
//!
//! - `short`: fewer than `min_chars` word characters, or a single word. Short recurring lines
//!   are often sub-headings ("Conclusion", "Our ruling"), transcript turns ("Right.") or poll
//!   answers; the chaff among them ("Advertisement", "Email") is what the built-in packs
//!   already list.
//! - `label`: it ends with a colon. "Related:" introduces chaff, "Sources include:" or
//!   "What's next:" introduces the story's own list or section; the line alone cannot tell.
//! - `quote`: at least [`QUOTE_WORDS`] words inside quotation marks, counting an unclosed quote
//!   to the line's end and a closing mark with no opening one from the line's start. Recurring
//!   quoted speech is story text quoted again (a running story, a syndicated wire quote), not
//!   template; titles in quotes ("Accept & Close", a newsletter name) are shorter.
//! - `repeated`: found [`REPEATS`](super::REPEATS) times or more per document, on average.
//!   Template chaff stands once in a page, or twice; a line that comes back all through its
//!   documents is their structure (a transcript's speaker names, a list's column label).
//! - `syndicated`: at least [`SYNDICATED_WORDS`] words, found (once or more) in documents of
//!   `max_sites` or more sites, and not template text of its site (see `prose`): wire copy that
//!   outlets print alike, a few times each. A site's own line can travel too (its articles are
//!   republished elsewhere with "Visit SITE's homepage for more stories." in them), but at
//!   home it stands in many documents.
//! - `prose`: a sentence (it ends in `.`, `!`, `?` or `…`, perhaps before a closing quote or
//!   bracket, and has at least [`SENTENCE_WORDS`] words) found in fewer than `prose_docs`
//!   documents of its site and in less than `prose_share` of them. A site's boilerplate
//!   sentences (an opinion disclaimer, a newsletter box) come back across its whole run, so they
//!   recur in many documents or in most of them; a sentence of a story comes back in the few
//!   follow-ups of that story. For documents without a site only the count applies.
//! - `nosite`: any line of the documents without a site found in fewer than `prose_docs` of
//!   them. Those documents come from many outlets, so a few repeats there are as likely shared
//!   story text as anyone's template.
//!
//! A held-back line is written as a commented-out rule, with the guard's name, for the user to
//! review; nothing is dropped by it unless they uncomment it.

use std::fmt::Write as _;

/// Quoted words that make a line quoted speech.
pub const QUOTE_WORDS: usize = 5;
/// Words from which a line found in many sites counts as syndicated.
pub const SYNDICATED_WORDS: usize = 6;
/// Words from which a line ending in sentence punctuation counts as a sentence.
pub const SENTENCE_WORDS: usize = 2;

/// True for a character the key keeps (`\w`).
fn is_word(c: char) -> bool {
    regex_syntax::is_word_character(c)
}

/// True for a decimal digit (`\d`, Unicode `Nd`): a numeric word character that is not
/// alphabetic (letter numbers such as Roman numerals are alphabetic; `²` is not a word
/// character).
fn is_digit(c: char) -> bool {
    c.is_ascii_digit() || (!c.is_ascii() && c.is_numeric() && !c.is_alphabetic() && is_word(c))
}

/// Writes `line`'s key into `out` (cleared first). Returns the number of word characters.
pub fn normalise(line: &str, out: &mut String) -> usize {
    out.clear();
    let mut word_chars = 0;
    let mut last = Last::Sep;
    for c in line.chars() {
        if !is_word(c) {
            if last != Last::Sep {
                out.push(' ');
                last = Last::Sep;
            }
            continue;
        }
        word_chars += 1;
        if is_digit(c) {
            if last != Last::Digit {
                out.push('0');
                last = Last::Digit;
            }
        } else {
            for l in c.to_lowercase() {
                out.push(l);
            }
            last = Last::Letter;
        }
    }
    if out.ends_with(' ') {
        out.pop();
    }
    word_chars
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum Last {
    Sep,
    Letter,
    Digit,
}

/// The regex rule pattern for `example` (a line whose key is the learned one; see the module
/// docs).
pub fn pattern(example: &str) -> String {
    let t = example.trim_matches(crate::keys::is_blank);
    let mut re = String::new();
    let starts_with_word = t.chars().next().is_some_and(is_word);
    re.push_str(if starts_with_word { r"^\s*" } else { r"^\W*" });
    let mut last = Last::Sep;
    let mut pending_sep = false;
    let mut word = String::new();
    let flush = |word: &mut String, re: &mut String| {
        if !word.is_empty() {
            re.push_str(&regex::escape(word));
            word.clear();
        }
    };
    for c in t.chars() {
        if !is_word(c) {
            if last != Last::Sep {
                flush(&mut word, &mut re);
                pending_sep = true;
                last = Last::Sep;
            }
            continue;
        }
        if pending_sep {
            re.push_str(r"\W+");
            pending_sep = false;
        }
        if is_digit(c) {
            if last != Last::Digit {
                flush(&mut word, &mut re);
                re.push_str(r"\d+");
                last = Last::Digit;
            }
        } else {
            word.push(c);
            last = Last::Letter;
        }
    }
    flush(&mut word, &mut re);
    re.push_str(r"\W*$");
    re
}

/// Words of a line: runs of non-blank characters that hold a word character.
pub fn words(line: &str) -> usize {
    line.split(|c: char| c.is_whitespace())
        .filter(|w| w.chars().any(is_word))
        .count()
}

fn is_quote(c: char) -> Option<QuoteMark> {
    Some(match c {
        '“' | '«' | '„' | '‹' => QuoteMark::Open,
        '”' | '»' | '›' => QuoteMark::Close,
        '"' | '＂' => QuoteMark::Straight,
        _ => return None,
    })
}

#[derive(Clone, Copy, PartialEq, Eq)]
enum QuoteMark {
    Open,
    Close,
    Straight,
}

/// True when at least [`QUOTE_WORDS`] words of `line` stand inside quotation marks (see the
/// module docs for unclosed and unopened quotes).
pub fn is_quoted_speech(line: &str) -> bool {
    // Split at quote marks; decide for each piece whether it is inside a quotation.
    let mut inside = false;
    let mut first = true;
    let mut piece_start = 0;
    let chars: Vec<(usize, char)> = line.char_indices().collect();
    for (i, &(at, c)) in chars.iter().enumerate() {
        let Some(mark) = is_quote(c) else { continue };
        let piece = &line[piece_start..at];
        let opening = match mark {
            QuoteMark::Open => true,
            QuoteMark::Close => false,
            // A straight quote opens after a blank or at the start, else it closes.
            QuoteMark::Straight => !inside && (i == 0 || chars[i - 1].1.is_whitespace()),
        };
        // A closing mark with nothing opened before it closes a quote begun before the line.
        let piece_inside = inside || (first && !opening);
        if piece_inside && words(piece) >= QUOTE_WORDS {
            return true;
        }
        inside = opening;
        first = false;
        piece_start = at + c.len_utf8();
    }
    inside && words(&line[piece_start..]) >= QUOTE_WORDS
}

/// True when `line` ends like a sentence: `.`, `!`, `?` or `…`, perhaps followed by closing
/// quotes, brackets or blanks.
pub fn ends_like_sentence(line: &str) -> bool {
    let t = line.trim_end_matches(|c: char| {
        c.is_whitespace() || matches!(c, '"' | '”' | '’' | '\'' | ')' | ']' | '»')
    });
    t.ends_with(['.', '!', '?', '…'])
}

/// Writes `s` shortened to at most `max` characters (with `…` when cut), for comments.
pub fn shorten(s: &str, max: usize, out: &mut String) {
    for (n, c) in s.chars().enumerate() {
        if n == max {
            out.push('…');
            return;
        }
        let _ = out.write_char(if c.is_control() { ' ' } else { c });
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(s: &str) -> String {
        let mut k = String::new();
        normalise(s, &mut k);
        k
    }

    #[test]
    fn keys_fold_case_digits_blanks_and_punctuation() {
        assert_eq!(
            key("  Visit Example's homepage — for MORE stories. "),
            "visit example s homepage for more stories"
        );
        assert_eq!(
            key("visit example’s homepage for more stories"),
            key("Visit Example's homepage, for more stories!")
        );
        assert_eq!(key("Updated 4:11 p.m. ET"), "updated 0 0 p m et");
        assert_eq!(key("Updated 12:05 p.m. ET"), key("Updated 4:11 p.m. ET"));
        assert_eq!(key("covid19"), "covid0");
        assert_ne!(key("covid19"), key("covid 19"));
        assert_eq!(key("Читайте ТАКЖЕ: 5 новостей"), "читайте также 0 новостей");
        assert_eq!(key("***"), "");
        let mut k = String::new();
        assert_eq!(normalise("A1 b!", &mut k), 3);
    }

    #[test]
    fn patterns_are_anchored_regexes_matching_the_same_key() {
        assert_eq!(
            pattern("  Story Continued Below "),
            r"^\s*Story\W+Continued\W+Below\W*$"
        );
        let p = pattern("Visit Example's homepage for more stories.");
        assert_eq!(
            p,
            r"^\s*Visit\W+Example\W+s\W+homepage\W+for\W+more\W+stories\W*$"
        );
        let re = regex::RegexBuilder::new(&p)
            .case_insensitive(true)
            .build()
            .unwrap();
        for yes in [
            "Visit Example's homepage for more stories.",
            "  visit example’s homepage  for more stories",
            "VISIT EXAMPLE'S HOMEPAGE FOR MORE STORIES!!",
        ] {
            assert!(re.is_match(yes), "{yes}");
            assert_eq!(key(yes), key("Visit Example's homepage for more stories."));
        }
        for no in [
            "Visit Example's homepage for more stories about cats.",
            "Please visit Example's homepage for more stories.",
            "Visit Examples homepage for more stories.",
        ] {
            assert!(!re.is_match(no), "{no}");
        }
        let p = pattern("Updated at 4:11 p.m. ET");
        assert_eq!(p, r"^\s*Updated\W+at\W+\d+\W+\d+\W+p\W+m\W+ET\W*$");
        let re = regex::RegexBuilder::new(&p)
            .case_insensitive(true)
            .build()
            .unwrap();
        assert!(!re.is_match("Updated at 10:45 a.m. ET"));
        assert!(re.is_match("Updated at 10:45 p.m. ET"));
        // regex metacharacters in words cannot occur (they are not word characters), and a
        // line starting with punctuation gets a leading \W*
        assert_eq!(
            pattern("*The top stories (3)"),
            r"^\W*The\W+top\W+stories\W+\d+\W*$"
        );
    }

    #[test]
    fn quoted_speech_is_recognised() {
        assert!(is_quoted_speech(
            "“We will not back down from this fight,” the governor said."
        ));
        assert!(is_quoted_speech(
            "He said: \"we will not back down from this\" and left."
        ));
        assert!(is_quoted_speech(
            "we will not back down from this fight,” she said."
        ));
        assert!(is_quoted_speech(
            "Others say “this is the start of something that"
        ));
        assert!(!is_quoted_speech(
            "Sign up for the \"Morning Five\" newsletter here"
        ));
        assert!(!is_quoted_speech(
            "By clicking the “Accept & Close” button you agree to our terms."
        ));
        assert!(!is_quoted_speech(
            "It’s the site’s own line, with apostrophes only, and many words."
        ));
    }

    #[test]
    fn sentence_endings_and_words() {
        assert!(ends_like_sentence("He left."));
        assert!(ends_like_sentence("Did he leave?”"));
        assert!(ends_like_sentence("(He left.) "));
        assert!(!ends_like_sentence("Read more about it here"));
        assert!(!ends_like_sentence("Related:"));
        assert_eq!(words("Send letters to letters@example.com."), 4);
        assert_eq!(words("— by  the — editors"), 3);
    }

    #[test]
    fn comments_are_shortened() {
        let mut s = String::new();
        shorten("abcdef", 3, &mut s);
        assert_eq!(s, "abc…");
    }
}
