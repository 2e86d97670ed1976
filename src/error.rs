//! The library's one error type.
//!
//! Every failure the library can report is an [`Error`]: a rules file that does not parse or
//! compile (always with `path:line:`), an I/O failure on input or output, or a bad record.
//! Messages are lower-case, name the offending value and the limit, and are meant to be printed
//! after a `dechaff: ` prefix.

use std::fmt;
use std::io;

/// An error from parsing rules, compiling them, or filtering input.
#[derive(Debug)]
pub struct Error {
    kind: ErrorKind,
}

/// What went wrong; see [`Error::kind`].
#[derive(Debug)]
#[non_exhaustive]
pub enum ErrorKind {
    /// A rule could not be parsed or compiled. `origin` is `path:line`.
    Rule {
        /// Where the rule stands, as `path:line`.
        origin: String,
        /// What is wrong with it.
        message: String,
    },
    /// Reading input or writing output failed.
    Io {
        /// What was being read or written (a path, `<stdin>`, `<stdout>`).
        what: String,
        /// The underlying error.
        source: io::Error,
    },
    /// Some other failure with a plain message.
    Other(String),
}

impl Error {
    /// A rule error at `origin` (`path:line`).
    pub fn rule(origin: impl Into<String>, message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Rule {
                origin: origin.into(),
                message: message.into(),
            },
        }
    }

    /// An I/O error while handling `what`.
    pub fn io(what: impl Into<String>, source: io::Error) -> Error {
        Error {
            kind: ErrorKind::Io {
                what: what.into(),
                source,
            },
        }
    }

    /// An error with a plain message.
    pub fn other(message: impl Into<String>) -> Error {
        Error {
            kind: ErrorKind::Other(message.into()),
        }
    }

    /// What went wrong.
    pub fn kind(&self) -> &ErrorKind {
        &self.kind
    }

    /// True when this is a write to a closed pipe, which the CLI treats as a quiet, successful end.
    pub fn is_broken_pipe(&self) -> bool {
        matches!(&self.kind, ErrorKind::Io { source, .. } if source.kind() == io::ErrorKind::BrokenPipe)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match &self.kind {
            ErrorKind::Rule { origin, message } => write!(f, "{origin}: {message}"),
            ErrorKind::Io { what, source } => write!(f, "{what}: {source}"),
            ErrorKind::Other(m) => f.write_str(m),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match &self.kind {
            ErrorKind::Io { source, .. } => Some(source),
            _ => None,
        }
    }
}

/// The library's result type.
pub type Result<T> = std::result::Result<T, Error>;
