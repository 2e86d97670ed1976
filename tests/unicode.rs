//! Unicode robustness of matching, table by table: case beyond ASCII, NBSP and other spaces,
//! zero-width characters, typographic and full-width punctuation, right-to-left text. Each table
//! states what matches and what does not (README "Unicode in matching" documents the same), and
//! the last test checks that all of these characters in kept lines leave byte for byte.
//!
//! Every line here is written for this test; none comes from the corpus.

use dechaff::rules::parse_rules;
use dechaff::{Filter, FilterConfig, Matcher, Scratch, Verdict};

/// What a line should get.
#[derive(Debug, Clone, Copy, PartialEq)]
enum Want {
    /// Dropped by the rule with this id.
    Drop(&'static str),
    /// Kept whole.
    Keep,
}
use Want::*;

fn user_matcher(rules: &str) -> Matcher {
    let mut cats = Vec::new();
    Matcher::new(&parse_rules("unicode.rules", rules, &mut cats).unwrap()).unwrap()
}

/// All built-in packs, compiled once for the tests that share them.
fn builtin_matcher() -> &'static Matcher {
    static M: std::sync::OnceLock<Matcher> = std::sync::OnceLock::new();
    M.get_or_init(|| {
        let mut cats = Vec::new();
        Matcher::new(&dechaff::packs::builtin_specs(None, &mut cats).unwrap()).unwrap()
    })
}

/// Checks every row; reports all failing rows at once, each with its line escaped.
fn check(m: &Matcher, rows: &[(&str, Want)]) {
    let mut s = Scratch::new();
    let mut bad = Vec::new();
    for &(line, want) in rows {
        let got = match m.verdict(line.as_bytes(), &mut s) {
            Verdict::Drop(r) => match want {
                Drop(id) if m.rules()[r].id == id => want,
                _ => {
                    bad.push(format!(
                        "{line:?} ({}): dropped by {}, want {want:?}",
                        line.escape_unicode(),
                        m.rules()[r].id
                    ));
                    continue;
                }
            },
            Verdict::Keep => Keep,
            Verdict::Strip => {
                bad.push(format!(
                    "{:?}: stripped, want {want:?}",
                    line.escape_unicode()
                ));
                continue;
            }
        };
        if got != want {
            bad.push(format!(
                "{line:?} ({}): got {got:?}, want {want:?}",
                line.escape_unicode()
            ));
        }
    }
    assert!(bad.is_empty(), "\n{}", bad.join("\n"));
}

#[test]
fn literal_case_folding_covers_the_common_casings_of_cyrillic_greek_and_accented_latin() {
    let m = user_matcher(
        "cyr crosslink prefix читайте также\n\
         grk crosslink prefix διαβάστε επίσης\n\
         fr  crosslink prefix à lire aussi\n\
         de  crosslink line   straße gesperrt\n",
    );
    check(
        &m,
        &[
            // as written, lowercase, UPPERCASE, Capitalised, Title Case
            ("читайте также: x", Drop("cyr")),
            ("ЧИТАЙТЕ ТАКЖЕ: x", Drop("cyr")),
            ("Читайте также: x", Drop("cyr")),
            ("Читайте Также: x", Drop("cyr")),
            // other mixtures are not among the casings a literal is inserted in
            ("чИТАЙТЕ ТАКЖЕ: x", Keep),
            ("Διαβάστε επίσης: x", Drop("grk")),
            ("ΔΙΑΒΆΣΤΕ ΕΠΊΣΗΣ: x", Drop("grk")),
            // Greek capitals usually drop their accents: a different spelling, not a casing
            ("ΔΙΑΒΑΣΤΕ ΕΠΙΣΗΣ: x", Keep),
            ("À lire aussi : x", Drop("fr")),
            ("À LIRE AUSSI : x", Drop("fr")),
            // an unaccented capital or a decomposed accent (A + U+0300) is other text
            ("A lire aussi : x", Keep),
            ("A\u{300} lire aussi : x", Keep),
            // ß uppercases to SS; the capital sharp s is another letter
            ("Straße gesperrt", Drop("de")),
            ("STRASSE GESPERRT", Drop("de")),
            ("STRAẞE GESPERRT", Keep),
        ],
    );
    // `case` keeps the literal as written, also beyond ASCII
    let cs = user_matcher("cs crosslink prefix,case Читайте также\n");
    check(
        &cs,
        &[
            ("Читайте также: x", Drop("cs")),
            ("ЧИТАЙТЕ ТАКЖЕ: x", Keep),
            ("читайте также: x", Keep),
        ],
    );
}

#[test]
fn regex_case_folding_is_full_unicode_simple_folding() {
    let m = user_matcher(
        "cyr crosslink regex ^\\s*смотрите также\n\
         grk crosslink regex ^\\s*σχετικά άρθρα\n\
         sig crosslink regex ^\\s*επίσης$\n",
    );
    check(
        &m,
        &[
            ("Смотрите также", Drop("cyr")),
            ("сМОТРИТЕ ТАКЖЕ", Drop("cyr")),
            ("ΣΧΕΤΙΚΆ ΆΡΘΡΑ", Drop("grk")),
            ("ΣΧΕΤΙΚΑ ΑΡΘΡΑ", Keep),
            // final sigma ς, capital Σ and σ fold together
            ("ΕΠΊΣΗΣ", Drop("sig")),
            ("επίσησ", Drop("sig")),
        ],
    );
}

#[test]
fn blanks_at_the_edges_are_trimmed_but_a_space_in_a_pattern_is_a_space() {
    let m = user_matcher(
        "lit crosslink line  читайте также\n\
         rxs crosslink regex ^\\s*lies\\s+mehr\\s*$\n\
         rxl crosslink regex ^\\s*lies auch\\s*$\n",
    );
    check(
        &m,
        &[
            // NBSP, narrow NBSP, ideographic space, em space, tab at either end
            ("\u{a0}Читайте также\u{a0}", Drop("lit")),
            ("\u{202f}Читайте также\u{3000}", Drop("lit")),
            ("\u{2003}\tЧитайте также \r", Drop("lit")),
            // inside a literal, NBSP is not a space
            ("Читайте\u{a0}также", Keep),
            // in a regex, \s is Unicode White_Space: NBSP, U+202F and U+3000 included
            ("Lies\u{a0}mehr", Drop("rxs")),
            ("Lies\u{202f}mehr\u{3000}", Drop("rxs")),
            // a literal space in a regex matches U+0020 only
            ("Lies auch", Drop("rxl")),
            ("Lies\u{a0}auch", Keep),
        ],
    );
}

#[test]
fn zero_width_characters_are_trimmed_at_the_edges_only() {
    let m = user_matcher("lit ad line Реклама\nsfx promo suffix подписывайтесь!\n");
    check(
        &m,
        &[
            ("\u{200b}Реклама", Drop("lit")),
            ("\u{feff}Реклама\u{200b}", Drop("lit")),
            ("\u{200e}Реклама\u{200f}", Drop("lit")),
            ("\u{2060}Реклама\u{200d}", Drop("lit")),
            ("Будьте с нами, подписывайтесь!\u{200b}", Drop("sfx")),
            // inside a word they are letters of another word
            ("Рек\u{200b}лама", Keep),
            ("Рек\u{ad}лама", Keep),
        ],
    );
    // The built-in packs' anchored regexes allow the same invisible characters at the edges
    // as literal rules do (their `^` is followed by a class with them, not a bare `\s*`).
    check(
        builtin_matcher(),
        &[
            (
                "\u{200b}Читайте также: Рынок вырос",
                Drop("ru.crosslink.read-also"),
            ),
            (
                "\u{feff}Читайте также: Рынок вырос",
                Drop("ru.crosslink.read-also"),
            ),
            (
                "\u{200e}Читайте также: Рынок вырос",
                Drop("ru.crosslink.read-also"),
            ),
            ("Advertisement\u{200b}", Drop("en.ad.advertisement")),
            (
                "\u{feff}READ MORE: A new bridge opens",
                Drop("en.crosslink.read-more"),
            ),
        ],
    );
}

#[test]
fn typographic_and_full_width_punctuation_in_the_built_in_packs() {
    check(
        builtin_matcher(),
        &[
            // full-width and ASCII colons, with and without a space, and 【】 brackets
            ("推荐阅读：", Drop("zh.crosslink.header-2")),
            ("推荐阅读:", Drop("zh.crosslink.header-2")),
            ("推荐阅读 ：", Drop("zh.crosslink.header-2")),
            ("【推荐阅读】", Drop("zh.crosslink.header")),
            ("\u{3000}推荐阅读", Drop("zh.crosslink.header-2")),
            // French spacing before the colon: space, NBSP or narrow NBSP
            ("À lire aussi : Les marchés", Drop("fr.crosslink.read-also")),
            (
                "À lire aussi\u{a0}: Les marchés",
                Drop("fr.crosslink.read-also"),
            ),
            (
                "À lire aussi\u{202f}: Les marchés",
                Drop("fr.crosslink.read-also"),
            ),
            // en dash, em dash and hyphen after a header
            (
                "Mehr zum Thema – Neue Regeln",
                Drop("de.crosslink.more-on-topic"),
            ),
            (
                "Mehr zum Thema — Neue Regeln",
                Drop("de.crosslink.more-on-topic"),
            ),
            (
                "Mehr zum Thema - Neue Regeln",
                Drop("de.crosslink.more-on-topic"),
            ),
            // guillemets inside a designation footnote
            (
                "*Движение «Пример» запрещено в России",
                Drop("ru.disclaimer.designation-star"),
            ),
            // full-width Latin letters and signs are other characters (no NFKC folding)
            ("ＲＥＡＤ ＭＯＲＥ: A new bridge opens", Keep),
            ("Нажмите Ctrl＋Enter", Keep),
            ("Нажмите Ctrl+Enter", Drop("ru.widget.typo-report")),
        ],
    );
}

#[test]
fn right_to_left_lines_match_in_logical_order() {
    check(
        builtin_matcher(),
        &[
            ("اقرأ أيضا: افتتاح جسر جديد", Drop("ar.crosslink.read-also")),
            // RLM / LRM marks at either end are trimmed like other zero-width characters
            (
                "\u{200f}اقرأ أيضا: افتتاح جسر جديد",
                Drop("ar.crosslink.read-also"),
            ),
            (
                "اقرأ أيضا: افتتاح جسر جديد\u{200f}",
                Drop("ar.crosslink.read-also"),
            ),
            // bidi embeddings and isolates (U+202A..U+202E, U+2066..U+2069) are not trimmed
            ("\u{202b}اقرأ أيضا: افتتاح جسر جديد\u{202c}", Keep),
            ("\u{2067}اقرأ أيضا: افتتاح جسر جديد\u{2069}", Keep),
            // story text that merely mentions reading stays
            ("قال الوزير إن اقرأ أيضا عبارة شائعة في المواقع", Keep),
        ],
    );
}

#[test]
fn kept_lines_with_odd_unicode_leave_byte_for_byte() {
    let kept: &[&[u8]] = &[
        "\u{feff}The first line starts with a BOM.\n".as_bytes(),
        "Цена\u{a0}— 100\u{a0}₽, «кавычки» и „другие“.\r\n".as_bytes(),
        "Zwischen\u{200b}Wörtern steht ein Nullbreitenzeichen.\n".as_bytes(),
        "全角：标点，（括号）与　全角空格。\n".as_bytes(),
        "\u{200f}قال المتحدث إن الجسر سيفتح غدا.\u{200e}\n".as_bytes(),
        "Ａ full-width line ＲＥＡＤ ＭＯＲＥ stays\u{202f}!\n".as_bytes(),
        "\u{202b}نص مضمن\u{202c}\n".as_bytes(),
        b"invalid \xff\xfe bytes \xc2 stay\n",
        "Ελληνικά ΕΠΊΣΗΣ, τελικό ς.".as_bytes(),
    ];
    let dropped: &[&[u8]] = &[
        "\u{200b}Читайте также: Рынок вырос\n".as_bytes(),
        "推荐阅读：\r\n".as_bytes(),
        "\u{200f}اقرأ أيضا: افتتاح جسر جديد\n".as_bytes(),
    ];
    // interleave: kept, dropped, kept, ...; the last kept line has no final newline
    let mut input = Vec::new();
    let mut want = Vec::new();
    for (i, k) in kept.iter().enumerate() {
        input.extend_from_slice(k);
        want.extend_from_slice(k);
        if let Some(d) = dropped.get(i) {
            input.extend_from_slice(d);
        }
    }
    let m = builtin_matcher();
    let mut out = Vec::new();
    Filter::new(m, FilterConfig::default())
        .run(&input[..], &mut out, &mut ())
        .unwrap();
    assert_eq!(
        String::from_utf8_lossy(&out),
        String::from_utf8_lossy(&want)
    );
    assert_eq!(out, want);
}

#[test]
fn french_headers_that_run_on_to_a_colon_and_blog_promos() {
    check(
        builtin_matcher(),
        &[
            (
                "Sur le même sujet, trois exemples de ports rénovés :",
                Drop("fr.crosslink.same-topic-intro"),
            ),
            (
                "Sur le même sujet des lectures pour l'été\u{a0}:",
                Drop("fr.crosslink.same-topic-intro"),
            ),
            // A sentence of the story that starts the same way ends in a full stop.
            (
                "Sur le même sujet, le maire a parlé hier : rien n'est décidé.",
                Keep,
            ),
            (
                "Pour aller plus loin, toutes mes analyses du budget sur mon blog.",
                Drop("fr.promo.more-on-my-blog"),
            ),
            (
                "Pour aller plus loin, le conseil propose une réforme du port.",
                Keep,
            ),
        ],
    );
}

/// Footer and header lines of their own that sites in eight languages print, none of which the
/// labelled sample holds (so `eval` cannot show them): each goes whole, and a sentence of a
/// story that starts with the same words stays.
#[test]
fn lone_headers_and_footers_in_other_languages() {
    check(
        builtin_matcher(),
        &[
            (
                "También te puede interesar",
                Drop("es.crosslink.may-interest-alone"),
            ),
            (
                "Quizás te interese:",
                Drop("es.crosslink.may-interest-alone"),
            ),
            (
                "También te puede interesar saber que el puerto abre el lunes.",
                Keep,
            ),
            ("Cet article vous a plu ?", Drop("fr.promo.liked-it")),
            ("Cet article vous a plu, nous dit le maire du port.", Keep),
            ("© RIPRODUZIONE RISERVATA", Drop("it.disclaimer.all-rights")),
            ("Riproduzione riservata ©", Drop("it.disclaimer.all-rights")),
            (
                "Tutti i diritti riservati.",
                Drop("it.disclaimer.all-rights"),
            ),
            (
                "La riproduzione riservata ai soci è stata vietata dal tribunale.",
                Keep,
            ),
            ("Weiterlesen »", Drop("de.crosslink.read-more-end")),
            ("Mehr lesen", Drop("de.crosslink.read-more-end")),
            ("Weiterlesen will der Rat erst im Mai.", Keep),
            ("Artikel teilen", Drop("de.promo.share-alone")),
            ("Teilen", Drop("de.promo.share-alone")),
            (
                "Teilen Sie diesen Artikel mit Freunden",
                Drop("de.promo.share"),
            ),
            (
                "Teilen sich zwei Gemeinden die Kosten, sinkt der Preis.",
                Keep,
            ),
            ("Jetzt teilen die Parteien die Macht.", Keep),
            (
                "Больше новостей в Telegram-канале «Порт»",
                Drop("ru.promo.more-news-in"),
            ),
            ("Больше новостей в порту не будет до весны.", Keep),
            ("Новости партнёров", Drop("ru.widget.partner-news")),
            ("Новости партнеров компании обсуждали весь день.", Keep),
            ("分享到：", Drop("zh.promo.share-to-alone")),
            ("分享到朋友圈的照片引起了讨论。", Keep),
            (
                "اقرأ المزيد: الميناء يفتح أبوابه",
                Drop("ar.crosslink.read-more"),
            ),
            ("اقرأ المزيد عن تاريخ الميناء في الكتاب الجديد.", Keep),
        ],
    );
}

/// A promo's imperative quoted in a story ("Support us, the fans shouted"), or a sentence that
/// opens with the same words, stays; the promo lines themselves still go. Each kept line was
/// dropped before its rule got the guard it has now.
#[test]
fn quoted_imperatives_and_look_alike_openings_stay_in_other_languages() {
    check(
        builtin_matcher(),
        &[
            ("Hazte socio del club, le dijo su padre.", Keep),
            ("Hazte socio", Drop("es.promo.support")),
            ("Colabora con la policía desde 2010, dijo su abogado.", Keep),
            (
                "Aidez-nous à retrouver cet enfant, a lancé la gendarmerie.",
                Keep,
            ),
            (
                "Aidez-nous à continuer notre travail",
                Drop("fr.promo.support"),
            ),
            ("Contribua com o que puder, pediu o padre.", Keep),
            ("Contribua com o nosso jornalismo", Drop("pt.promo.support")),
            ("Dołącz do nas, wołali protestujący.", Keep),
            ("Dołącz do nas na Facebooku!", Drop("pl.promo.follow")),
            ("Поддержите нас, кричали болельщики.", Keep),
            ("Поддержите нас рублём", Drop("ru.promo.donate")),
            ("Получите бесплатный доступ к воде, требуют жители.", Keep),
            (
                "ПОЛУЧИТЕ БЕСПЛАТНЫЙ ДОСТУП К СИСТЕМЕ НА 3 ДНЯ!",
                Drop("ru.ad.free-access"),
            ),
            ("Подписаться на петицию можно до пятницы.", Keep),
            ("Підписатися на петицію можна до пʼятниці.", Keep),
            (
                "Подпишитесь на наш канал в Telegram",
                Drop("ru.promo.subscribe"),
            ),
            ("Читайте также внимательно договор, советует юрист.", Keep),
            ("Смотрите также на цены, говорит эксперт.", Keep),
            ("Читайте также на ria.ru", Drop("ru.crosslink.read-also")),
            (
                "Читайте также в РИА Новости",
                Drop("ru.crosslink.read-also"),
            ),
            (
                "Смотрите также: Путин провел совещание",
                Drop("ru.crosslink.read-also"),
            ),
            ("Присоединяйтесь к нам, призвал мэр жителей.", Keep),
            (
                "Присоединяйтесь к нам в Одноклассниках",
                Drop("ru.promo.join-us"),
            ),
            ("اقرأ أيضا التقرير كاملا، قال القاضي.", Keep),
            (
                "اقرأ أيضا الحكومة تعلن خطة جديدة",
                Drop("ar.crosslink.read-also"),
            ),
            ("Приєднуйтесь до нас, закликав мер.", Keep),
            ("Приєднуйтесь до нас у Telegram", Drop("uk.promo.join-us")),
            ("Підтримайте нас, кричали вболівальники.", Keep),
            ("Підтримайте нас", Drop("uk.promo.donate")),
            ("Последвайте ни, извика полицаят.", Keep),
            ("Последвайте ни във Facebook", Drop("bg.promo.follow")),
            ("Unterstützen Sie uns, riefen die Fans.", Keep),
            ("Unterstützen Sie uns!", Drop("de.promo.support")),
            ("Jetzt spenden viele Bürger für das Tierheim.", Keep),
            ("Jetzt spenden!", Drop("de.promo.support")),
            ("Hier bestellen die Gäste meist Fisch.", Keep),
            ("Hier bestellen", Drop("de.promo.order-book")),
            ("Soutenez-nous, criaient les supporters.", Keep),
            ("Soutenez-nous sur Tipeee", Drop("fr.promo.support")),
            ("Seguici su per la collina, disse la guida.", Keep),
            ("Seguici su Facebook", Drop("it.promo.telegram")),
            ("Sostienici, gridavano i tifosi.", Keep),
            ("Sostienici", Drop("it.promo.support")),
            ("请关注天气变化，注意出行安全。", Keep),
            ("关注《政府工作报告》中的民生内容。", Keep),
            ("欢迎关注我们的公众号", Drop("zh.promo.follow-bare")),
            ("关注该公众号", Drop("zh.promo.follow-bare")),
        ],
    );
}
