//! The parallel driver gives the same bytes and the same events as the single-threaded one.

use std::io;

use dechaff::report::{Event, Observer};
use dechaff::{Filter, FilterConfig, Matcher};

#[derive(Default, PartialEq, Debug)]
struct Log(Vec<(u64, Vec<u8>, usize, String)>);

impl Observer for Log {
    fn wants_line_numbers(&self) -> bool {
        true
    }
    fn event(&mut self, ev: &Event<'_>) -> io::Result<()> {
        self.0.push((
            ev.line_no,
            ev.line.to_vec(),
            ev.rule,
            format!("{:?}", ev.kind),
        ));
        Ok(())
    }
}

/// A deterministic mix: prose, chaff, CRLF, blank lines, long lines, no final newline.
fn input() -> Vec<u8> {
    let mut v = Vec::new();
    let mut x: u32 = 12345;
    for i in 0..4000 {
        x = x.wrapping_mul(1_103_515_245).wrapping_add(12345);
        match x % 11 {
            0 => v.extend_from_slice(b"Advertisement\r\n"),
            1 => v.extend_from_slice(b"READ MORE: Another Headline Here\n"),
            2 => v.extend_from_slice(b"\n"),
            3 => v.extend(std::iter::repeat_n(b'w', 300 + (x % 900) as usize)),
            4 => v.extend_from_slice("Units of Daesh* fled the town.\n".as_bytes()),
            _ => v.extend_from_slice(
                format!("Paragraph {i} of the story, with ordinary words.\n").as_bytes(),
            ),
        }
    }
    v.extend_from_slice(b"last line without newline");
    v
}

#[test]
fn any_thread_count_and_buffer_size_gives_identical_output_and_events() {
    let mut cats = Vec::new();
    let m =
        Matcher::new(&dechaff::packs::builtin_specs(Some(&["en".to_string()]), &mut cats).unwrap())
            .unwrap();
    let data = input();
    for max_line in [512, 4096, 1 << 20] {
        let f = Filter::new(
            &m,
            FilterConfig {
                max_line,
                ..FilterConfig::default()
            },
        );
        let (mut want, mut want_log) = (Vec::new(), Log::default());
        f.run(&data[..], &mut want, &mut want_log).unwrap();
        assert!(want.len() < data.len() && !want_log.0.is_empty());
        for jobs in [2, 3, 5] {
            let (mut got, mut log) = (Vec::new(), Log::default());
            f.run_parallel(&data[..], &mut got, &mut log, jobs).unwrap();
            assert_eq!(got, want, "bytes, jobs {jobs}, max_line {max_line}");
            assert_eq!(log, want_log, "events, jobs {jobs}, max_line {max_line}");
        }
    }
}
