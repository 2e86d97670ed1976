//! Writes a benchmark input of at least SIZE bytes to OUT, for `benches/compare.sh`.
//!
//! ```text
//! cargo run --release --example gen_corpus -- SIZE OUT [JSONL_GZ]
//! ```
//!
//! With JSONL_GZ (e.g. `../shared/corpus/articles.jsonl.gz`), the `text` of every article is
//! written, each ending in a newline, over and over until SIZE is reached. Without it, text
//! comes from the project's own generator (`benches/corpus.rs`): news-like sentences with ~3%
//! chaff lines. Either way the output is deterministic. The input is only read; nothing of it
//! is written anywhere but OUT.
//!
//! SIZE may also be `xN` (with JSONL_GZ only): exactly N copies of all the texts, so that a
//! text input and JSON Lines records repeated N times (`benches/compare.sh`) hold the same texts.

use std::fs::File;
use std::io::{BufRead, BufReader, BufWriter, Write};

#[path = "../corpus.rs"]
mod corpus;

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    if args.len() < 2 || args.len() > 3 {
        return Err("usage: gen_corpus SIZE OUT [JSONL_GZ]".into());
    }
    let copies: Option<usize> = args[0].strip_prefix('x').map(str::parse).transpose()?;
    let size: usize = if copies.is_some() {
        0
    } else {
        args[0].parse()?
    };
    let mut out = BufWriter::with_capacity(1 << 20, File::create(&args[1])?);
    let mut written = 0;
    if let Some(src) = args.get(2) {
        let mut texts = Vec::new();
        let reader = BufReader::new(flate2::read::GzDecoder::new(File::open(src)?));
        for line in reader.lines() {
            let v: serde_json::Value = serde_json::from_str(&line?)?;
            if let Some(t) = v.get("text").and_then(|t| t.as_str()) {
                texts.extend_from_slice(t.as_bytes());
                if !t.ends_with('\n') {
                    texts.push(b'\n');
                }
            }
        }
        if texts.is_empty() {
            return Err(format!("{src}: no texts").into());
        }
        for _ in 0..copies.unwrap_or(0) {
            out.write_all(&texts)?;
            written += texts.len();
        }
        while written < size {
            // The last copy is cut after the first line that reaches SIZE.
            let need = size - written;
            let end = match texts[need.min(texts.len())..]
                .iter()
                .position(|&b| b == b'\n')
            {
                Some(i) => need + i + 1,
                None => texts.len(),
            };
            out.write_all(&texts[..end])?;
            written += end;
        }
    } else {
        let mut seed = 1;
        while written < size {
            let block = corpus::news((size - written).min(64 << 20), seed);
            out.write_all(&block)?;
            written += block.len();
            seed += 1;
        }
    }
    out.flush()?;
    eprintln!("gen_corpus: wrote {written} bytes to {}", args[1]);
    Ok(())
}
