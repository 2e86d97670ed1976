//! Opening inputs and outputs for the binary: files, standard streams, and transparent gzip and
//! zstd (by file name, or by magic bytes on stdin with `--decompress`).

use std::fs::File;
use std::io::{self, BufRead, BufReader, BufWriter, Read, Write};
use std::path::Path;

/// How a stream is compressed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Compression {
    /// Plain bytes.
    None,
    /// gzip, possibly several members (as Common Crawl WET files are).
    Gzip,
    /// Zstandard.
    Zstd,
}

/// The compression a file name says: `.gz` or `.zst`.
pub fn by_name(path: &Path) -> Compression {
    match path.extension().and_then(|e| e.to_str()) {
        Some("gz") => Compression::Gzip,
        Some("zst") => Compression::Zstd,
        _ => Compression::None,
    }
}

/// True when the name, less a compression suffix, ends in `.jsonl`.
pub fn is_jsonl_name(path: &Path) -> bool {
    let name = path.file_name().and_then(|n| n.to_str()).unwrap_or("");
    let name = name
        .strip_suffix(".gz")
        .or_else(|| name.strip_suffix(".zst"))
        .unwrap_or(name);
    name.ends_with(".jsonl")
}

/// The compression given by a stream's first bytes.
fn sniff<R: BufRead>(r: &mut R) -> io::Result<Compression> {
    let head = r.fill_buf()?;
    Ok(if head.starts_with(&[0x1f, 0x8b]) {
        Compression::Gzip
    } else if head.starts_with(&[0x28, 0xb5, 0x2f, 0xfd]) {
        Compression::Zstd
    } else {
        Compression::None
    })
}

/// Wraps `r` in a decoder for `c`.
fn decoder<R: Read + Send + 'static>(r: R, c: Compression) -> io::Result<Box<dyn Read + Send>> {
    Ok(match c {
        Compression::None => Box::new(r),
        Compression::Gzip => Box::new(flate2::read::MultiGzDecoder::new(BufReader::with_capacity(
            256 << 10,
            r,
        ))),
        Compression::Zstd => Box::new(zstd::stream::read::Decoder::new(r)?),
    })
}

/// Opens an input: `-` is standard input (decompressed when `decompress` and its magic bytes
/// say so); a file is decompressed by its name.
pub fn open_input(path: &Path, decompress: bool) -> io::Result<Box<dyn Read + Send>> {
    if path.as_os_str() == "-" {
        if decompress {
            let mut r = BufReader::with_capacity(256 << 10, io::stdin());
            let c = sniff(&mut r)?;
            return decoder(r, c);
        }
        return Ok(Box::new(io::stdin()));
    }
    let f = File::open(path)?;
    decoder(f, by_name(path))
}

/// The number of bytes `open_input(path, decompress)` will yield, when the input is a regular
/// file read as it is (not decompressed): its size, less what was already read from standard
/// input. `None` when that is unknown (pipes, terminals, compressed or possibly compressed
/// input). The filter uses it only as a hint (see [`dechaff::Filter::run_parallel_sized`]).
pub fn plain_len(path: &Path, decompress: bool) -> Option<u64> {
    if path.as_os_str() == "-" {
        if decompress {
            return None;
        }
        return stdin_len();
    }
    if by_name(path) != Compression::None {
        return None;
    }
    let m = std::fs::metadata(path).ok()?;
    m.is_file().then_some(m.len())
}

#[cfg(unix)]
fn stdin_len() -> Option<u64> {
    use std::io::Seek;
    use std::os::fd::AsFd;
    let mut f = File::from(io::stdin().as_fd().try_clone_to_owned().ok()?);
    let m = f.metadata().ok()?;
    if !m.is_file() {
        return None;
    }
    let pos = f.stream_position().ok()?;
    Some(m.len().saturating_sub(pos))
}

#[cfg(not(unix))]
fn stdin_len() -> Option<u64> {
    None
}

/// The output: standard output, a file, or a compressed file.
pub enum Output {
    /// Buffered standard output or plain file.
    Plain(BufWriter<Box<dyn Write>>),
    /// A gzip file.
    Gzip(flate2::write::GzEncoder<BufWriter<File>>),
    /// A zstd file.
    Zstd(zstd::stream::write::Encoder<'static, BufWriter<File>>),
}

impl Output {
    /// Opens `path` (`None` or `-`: standard output), compressing by its name.
    pub fn open(path: Option<&Path>) -> io::Result<Output> {
        const CAP: usize = 256 << 10;
        let Some(path) = path.filter(|p| p.as_os_str() != "-") else {
            return Ok(Output::Plain(BufWriter::with_capacity(
                CAP,
                Box::new(io::stdout().lock()),
            )));
        };
        let f = File::create(path)?;
        Ok(match by_name(path) {
            Compression::None => Output::Plain(BufWriter::with_capacity(CAP, Box::new(f))),
            Compression::Gzip => Output::Gzip(flate2::write::GzEncoder::new(
                BufWriter::with_capacity(CAP, f),
                flate2::Compression::default(),
            )),
            Compression::Zstd => Output::Zstd(zstd::stream::write::Encoder::new(
                BufWriter::with_capacity(CAP, f),
                3,
            )?),
        })
    }

    /// Writes the compressed stream's trailer and flushes everything.
    pub fn finish(self) -> io::Result<()> {
        match self {
            Output::Plain(mut w) => w.flush(),
            Output::Gzip(e) => e.finish()?.flush(),
            Output::Zstd(e) => e.finish()?.flush(),
        }
    }
}

impl Write for Output {
    fn write(&mut self, buf: &[u8]) -> io::Result<usize> {
        match self {
            Output::Plain(w) => w.write(buf),
            Output::Gzip(w) => w.write(buf),
            Output::Zstd(w) => w.write(buf),
        }
    }
    fn write_vectored(&mut self, bufs: &[io::IoSlice<'_>]) -> io::Result<usize> {
        match self {
            Output::Plain(w) => w.write_vectored(bufs),
            Output::Gzip(w) => w.write_vectored(bufs),
            Output::Zstd(w) => w.write_vectored(bufs),
        }
    }
    fn write_all(&mut self, buf: &[u8]) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.write_all(buf),
            Output::Gzip(w) => w.write_all(buf),
            Output::Zstd(w) => w.write_all(buf),
        }
    }
    fn flush(&mut self) -> io::Result<()> {
        match self {
            Output::Plain(w) => w.flush(),
            Output::Gzip(w) => w.flush(),
            Output::Zstd(w) => w.flush(),
        }
    }
}
