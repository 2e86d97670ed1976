//! A deterministic generator of news-like text for the benchmarks.
//!
//! Everything here is written for this project: the word lists, the sentence shapes and the
//! chaff lines. Nothing is copied from `../shared/corpus`. The same seed always gives the same
//! bytes, so benchmark inputs are stable from run to run and machine to machine.
//!
//! Shared by `benches/*.rs` (as `mod corpus;`) and `benches/tools/gen_corpus.rs` (via `#[path]`).

// Each including crate uses a different part of this module.
#![allow(dead_code)]

/// Size tiers of the generated corpora.
pub const TINY: usize = 10 * 1024;
/// ~1 MB.
pub const SMALL: usize = 1 << 20;
/// ~32 MB.
pub const LARGE: usize = 32 << 20;

/// One chaff line in this many non-blank lines (~3%).
const CHAFF_EVERY: u64 = 33;

const SUBJECTS: &[&str] = &[
    "The city council",
    "A spokesperson for the ministry",
    "Local residents",
    "The regional governor",
    "Officials at the port authority",
    "The company's chief executive",
    "Opposition lawmakers",
    "A group of teachers",
    "The central bank",
    "Police in the northern district",
    "The health department",
    "Farmers near the river valley",
    "The transport minister",
    "Several independent analysts",
    "The weather service",
    "Volunteers from the food bank",
    "The university's research team",
    "Union representatives",
    "The foreign ministry",
    "Emergency crews",
    "The mayor's office",
    "Shareholders of the utility",
    "A federal judge",
    "The national football team",
    "Hospital staff",
    "Environmental campaigners",
];

const VERBS: &[&str] = &[
    "said on Tuesday that",
    "announced late on Monday that",
    "warned that",
    "confirmed in a statement that",
    "told reporters that",
    "argued during the hearing that",
    "insisted that",
    "wrote in a letter that",
    "denied reports that",
    "acknowledged that",
    "predicted that",
    "revealed on Friday that",
    "estimated that",
    "suggested that",
];

const CLAUSES: &[&str] = &[
    "the ferry service would be extended until the end of the year",
    "fuel prices were likely to rise again before the winter",
    "the new bridge would open to traffic in the spring",
    "more than two hundred jobs could be lost at the plant",
    "the water supply was safe to drink after the storm",
    "the budget gap had narrowed for the third quarter in a row",
    "talks with the neighbouring province had stalled",
    "a second round of inspections was planned for next month",
    "the school year would start a week later than usual",
    "the harvest was the smallest in more than a decade",
    "the stadium would host the final for the first time",
    "no decision had been taken on the proposed merger",
    "the road closures were expected to last until Sunday",
    "interest rates would stay unchanged for now",
    "the museum had received a record number of visitors",
    "the vaccine campaign would be widened to older children",
    "flights from the main airport had been delayed for hours",
    "the election results would be announced on Thursday",
    "a new tram line was still years away",
    "the factory fire had been brought under control",
    "the housing programme had fallen behind schedule",
    "the trial had been postponed for a second time",
];

const TAILS: &[&str] = &[
    "",
    "",
    "",
    ", according to people familiar with the matter",
    ", citing figures from the statistics office",
    " in the capital",
    " despite weeks of protests",
    ", although details were scarce",
    " after a long meeting behind closed doors",
    ", a claim that critics quickly disputed",
    " as the deadline approached",
    " in a move that surprised many observers",
];

const QUOTES: &[&str] = &[
    "\"We listened to commuters and we acted,\" a spokesperson said.",
    "\"This is not the end of the story,\" one resident told the local paper.",
    "\"Nobody expected the numbers to move this fast,\" an economist said.",
    "\u{201c}It has been a difficult year for everyone,\u{201d} the director added.",
    "\"We will keep the public informed,\" the statement read.",
    "\u{201c}The figures speak for themselves\u{201d} \u{2014} or so the minister claimed.",
];

const HEADLINE_WORDS: &[&str] = &[
    "Ferry", "Fares", "Council", "Storm", "Budget", "Bridge", "Strike", "Harvest", "Election",
    "Court", "Museum", "Airport", "Vaccine", "Tram", "Factory", "Housing", "Talks", "Rates",
    "Protest", "Stadium", "River", "School", "Port", "Trial", "Merger", "Winter", "Deal",
];

const HEADLINE_LINKS: &[&str] = &[
    "to Rise in",
    "Delayed Again as",
    "Faces New",
    "Wins Vote on",
    "Braces for",
    "Set to Open After",
    "Under Pressure Over",
    "Calls Off",
    "Backs",
];

const OUTLETS: &[&str] = &[
    "example.com",
    "newsdesk.net",
    "dailywire-example.org",
    "rt.com",
];

/// A small, fast, deterministic PRNG (SplitMix64).
pub struct Rng(u64);

impl Rng {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Rng {
        Rng(seed)
    }

    /// The next 64 random bits.
    pub fn next_u64(&mut self) -> u64 {
        self.0 = self.0.wrapping_add(0x9E37_79B9_7F4A_7C15);
        let mut z = self.0;
        z = (z ^ (z >> 30)).wrapping_mul(0xBF58_476D_1CE4_E5B9);
        z = (z ^ (z >> 27)).wrapping_mul(0x94D0_49BB_1331_11EB);
        z ^ (z >> 31)
    }

    /// A number in `0..n`.
    pub fn below(&mut self, n: usize) -> usize {
        (self.next_u64() % n as u64) as usize
    }

    /// One item of `list`.
    pub fn pick<'a>(&mut self, list: &[&'a str]) -> &'a str {
        list[self.below(list.len())]
    }
}

/// Generates news-like lines.
pub struct Gen {
    rng: Rng,
    lines: u64,
}

impl Gen {
    /// A generator started from `seed`.
    pub fn new(seed: u64) -> Gen {
        Gen {
            rng: Rng::new(seed),
            lines: 0,
        }
    }

    /// Appends one sentence (no terminator).
    pub fn sentence(&mut self, out: &mut Vec<u8>) {
        if self.rng.below(8) == 0 {
            out.extend_from_slice(self.rng.pick(QUOTES).as_bytes());
            return;
        }
        let s = self.rng.pick(SUBJECTS);
        let v = self.rng.pick(VERBS);
        let c = self.rng.pick(CLAUSES);
        let t = self.rng.pick(TAILS);
        out.extend_from_slice(s.as_bytes());
        out.push(b' ');
        out.extend_from_slice(v.as_bytes());
        out.push(b' ');
        out.extend_from_slice(c.as_bytes());
        out.extend_from_slice(t.as_bytes());
        if self.rng.below(5) == 0 {
            let n = 2 + self.rng.below(990);
            out.extend_from_slice(format!(", with {n} people affected").as_bytes());
        }
        out.push(b'.');
    }

    /// Appends a headline (no terminator).
    pub fn headline(&mut self, out: &mut Vec<u8>) {
        let a = self.rng.pick(HEADLINE_WORDS);
        let l = self.rng.pick(HEADLINE_LINKS);
        let b = self.rng.pick(HEADLINE_WORDS);
        out.extend_from_slice(format!("{a} {l} {b}").as_bytes());
        if self.rng.below(3) == 0 {
            out.extend_from_slice(" \u{2014} Council".as_bytes());
        }
    }

    /// Appends a paragraph of `sentences` sentences (no terminator).
    pub fn paragraph(&mut self, out: &mut Vec<u8>, sentences: usize) {
        for i in 0..sentences {
            if i > 0 {
                out.push(b' ');
            }
            self.sentence(out);
        }
    }

    /// Appends one chaff line (no terminator) of the kinds the built-in English pack and the
    /// comparison's literal list remove.
    pub fn chaff(&mut self, out: &mut Vec<u8>) {
        match self.rng.below(12) {
            0 | 1 => {
                out.extend_from_slice(b"READ MORE: ");
                self.headline(out);
            }
            2 => out.extend_from_slice(b"Advertisement"),
            3 => out.extend_from_slice(b"Share this story!"),
            4 => {
                out.extend_from_slice(b"Also on rt.com ");
                self.headline(out);
            }
            5 => {
                out.extend_from_slice(b"Related: ");
                self.headline(out);
            }
            6 => out.extend_from_slice(b"Subscribe to our newsletter"),
            7 => out.extend_from_slice(b"Follow us on Twitter and Facebook"),
            8 => out.extend_from_slice(b"Story continues below advertisement"),
            9 => out.extend_from_slice(
                b"Sign up for our daily newsletter to get the latest headlines in your inbox.",
            ),
            10 => {
                let o = self.rng.pick(OUTLETS);
                out.extend_from_slice(
                    format!(
                        "The views expressed in this article are those of the author and do not \
                         necessarily reflect the position of {o}."
                    )
                    .as_bytes(),
                );
            }
            _ => out.extend_from_slice(b"Click here to read the full report."),
        }
    }

    /// Appends one line with its `\n`: mostly paragraphs, some headlines and blank lines, and
    /// a chaff line about one time in 33.
    pub fn line(&mut self, out: &mut Vec<u8>) {
        self.lines += 1;
        if self.lines.is_multiple_of(CHAFF_EVERY) {
            self.chaff(out);
        } else {
            match self.rng.below(10) {
                0 => self.headline(out),
                1 | 2 => {}
                _ => {
                    let n = 1 + self.rng.below(4);
                    self.paragraph(out, n);
                }
            }
        }
        out.push(b'\n');
    }
}

/// At least `bytes` bytes of news-like text in whole lines, ~3% of them chaff.
pub fn news(bytes: usize, seed: u64) -> Vec<u8> {
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(bytes + 4096);
    while out.len() < bytes {
        g.line(&mut out);
    }
    out
}

/// Lines of `line_len` bytes each (sentences run together, `\n` included), about `total` bytes
/// in all, each followed by a short normal paragraph.
pub fn long_lines(total: usize, line_len: usize, seed: u64) -> Vec<u8> {
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(total + line_len);
    while out.len() < total {
        let start = out.len();
        while out.len() - start < line_len - 1 {
            g.sentence(&mut out);
            out.push(b' ');
        }
        out.truncate(start + line_len - 1);
        out.push(b'\n');
        g.paragraph(&mut out, 2);
        out.push(b'\n');
    }
    out
}

/// At least `bytes` bytes where every line is a chaff line.
pub fn all_chaff(bytes: usize, seed: u64) -> Vec<u8> {
    let mut g = Gen::new(seed);
    let mut out = Vec::with_capacity(bytes + 256);
    while out.len() < bytes {
        g.chaff(&mut out);
        out.push(b'\n');
    }
    out
}

const SYLLABLES: &[&str] = &[
    "ka", "lo", "vri", "zen", "mu", "tas", "ber", "qui", "dro", "fel", "nox", "pra", "sil", "tor",
    "wen", "yul", "gar", "hin", "jo", "rex",
];

/// `n` distinct made-up phrases of two or three invented words and a number, e.g.
/// "kavri zenmu 17". They occur nowhere in [`news`] text, so they cost the matcher its full
/// automaton but yield no removals.
pub fn literals(n: usize, seed: u64) -> Vec<String> {
    let mut rng = Rng::new(seed);
    let word = |rng: &mut Rng| {
        let k = 2 + rng.below(3);
        (0..k).map(|_| rng.pick(SYLLABLES)).collect::<String>()
    };
    (0..n)
        .map(|i| {
            let a = word(&mut rng);
            let b = word(&mut rng);
            if i % 3 == 0 {
                let c = word(&mut rng);
                format!("{a} {b} {c} {i}")
            } else {
                format!("{a} {b} {i}")
            }
        })
        .collect()
}

/// A short promo line for the single-line benchmark.
pub const PROMO_LINE: &str = "READ MORE: Ferry Fares to Rise in Spring \u{2014} Council";

/// A Russian paragraph written for this project (no chaff in it).
pub const CYRILLIC_LINE: &str = "Городской совет во вторник проголосовал за продление паромного \
    сообщения до конца года, сообщили в мэрии. По словам представителя администрации, новое \
    расписание начнёт действовать в мае, а стоимость проезда пока не изменится. Жители \
    прибрежных районов давно просили добавить вечерние рейсы.";

/// A Chinese paragraph written for this project (no chaff in it).
pub const CJK_LINE: &str = "市议会周二投票决定将渡轮服务延长至年底，市长办公室表示。\
    一位发言人说，新的时刻表将于五月开始实施，票价暂时不会调整。沿岸社区的居民长期以来一直要求增加晚间班次。";

/// A long paragraph (~2 KB) of generated sentences, no chaff.
pub fn long_paragraph() -> Vec<u8> {
    let mut g = Gen::new(7);
    let mut out = Vec::new();
    while out.len() < 2000 {
        if !out.is_empty() {
            out.push(b' ');
        }
        g.sentence(&mut out);
    }
    out
}
