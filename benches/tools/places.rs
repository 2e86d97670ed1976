//! Matcher throughput by where rules are looked for: all built-in rules, only the anchored
//! ones (line start/end), only the floating ones, and no rules (the line walk alone).
//!
//! `cargo run --release --example places -- FILE [LANG...]` reads FILE into memory and times
//! `Matcher::scan` over it (after one warm-up pass, so lazily compiled regexes are built).
//! Used for the "Where the time goes" figures in BENCHMARKS.md.

use dechaff::{Matcher, Scratch};

fn main() {
    let mut args = std::env::args().skip(1);
    let Some(path) = args.next() else {
        eprintln!("usage: places FILE [LANG...]");
        std::process::exit(2);
    };
    let langs: Vec<String> = args.collect();
    let mut cats = Vec::new();
    let specs = dechaff::packs::builtin_specs(
        if langs.is_empty() { None } else { Some(&langs) },
        &mut cats,
    )
    .expect("built-in packs parse");
    let all = Matcher::new(&specs).expect("built-in packs compile");
    let data = std::fs::read(&path).expect("read FILE");
    let pick = |places: &[&str]| -> Vec<_> {
        specs
            .iter()
            .zip(all.rules())
            .filter(|(_, r)| places.contains(&r.place))
            .map(|(s, _)| s.clone())
            .collect()
    };
    let run = |m: &Matcher, name: &str| {
        let mut s = Scratch::new();
        m.scan::<()>(&data, &mut s, |_, _, _, _, _| Ok(())).unwrap();
        let t = std::time::Instant::now();
        let mut lines = 0u64;
        m.scan::<()>(&data, &mut s, |_, _, _, _, _| {
            lines += 1;
            Ok(())
        })
        .unwrap();
        let el = t.elapsed();
        let mbs = data.len() as f64 / el.as_secs_f64() / 1e6;
        println!(
            "{name:<14} patterns (start, end, anywhere) {:?}: {el:?}, {lines} lines not kept, {mbs:.0} MB/s",
            m.pattern_places()
        );
    };
    run(&all, "all");
    run(
        &Matcher::new(&pick(&["start", "end"])).unwrap(),
        "anchored-only",
    );
    run(
        &Matcher::new(&pick(&["anywhere", "every-line"])).unwrap(),
        "floating-only",
    );
    run(&Matcher::new(&[]).unwrap(), "no rules");
}
