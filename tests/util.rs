//! Helpers shared by the integration tests: running the binary and reading fixtures.

use std::io::{Read, Write};
use std::path::{Path, PathBuf};
use std::process::{Child, Command, Output, Stdio};

/// The repository root.
pub fn root() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR"))
}

/// A path under `fixtures/`.
pub fn fixture(name: &str) -> PathBuf {
    root().join("fixtures").join(name)
}

/// A command for the dechaff binary, run from the repository root.
pub fn dechaff() -> Command {
    let mut c = Command::new(env!("CARGO_BIN_EXE_dechaff"));
    c.current_dir(root());
    c
}

/// Starts dechaff with `args` and all three standard streams piped.
pub fn spawn(args: &[&str]) -> Child {
    dechaff()
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("spawn dechaff")
}

/// All that a child started with [`spawn`] wrote to its standard error.
pub fn read_stderr(child: &mut Child) -> String {
    let mut err = String::new();
    child
        .stderr
        .take()
        .expect("stderr is piped")
        .read_to_string(&mut err)
        .expect("stderr is UTF-8");
    err
}

/// Runs dechaff with `args`, feeding `stdin`.
pub fn run(args: &[&str], stdin: &[u8]) -> Output {
    let mut child = spawn(args);
    let mut input = child.stdin.take().unwrap();
    let data = stdin.to_vec();
    let feeder = std::thread::spawn(move || {
        let _ = input.write_all(&data);
    });
    let out = child.wait_with_output().expect("wait for dechaff");
    feeder.join().unwrap();
    out
}

/// Standard error as text.
pub fn stderr(o: &Output) -> String {
    String::from_utf8_lossy(&o.stderr).into_owned()
}

/// A fresh temporary directory for one test.
pub fn tempdir(name: &str) -> PathBuf {
    let d = std::env::temp_dir().join(format!("dechaff-test-{}-{name}", std::process::id()));
    let _ = std::fs::remove_dir_all(&d);
    std::fs::create_dir_all(&d).unwrap();
    d
}

/// Writes `bytes` to `dir/name` and returns the path.
pub fn write(dir: &Path, name: &str, bytes: &[u8]) -> PathBuf {
    let p = dir.join(name);
    std::fs::write(&p, bytes).unwrap();
    p
}

/// A reader that returns at most `step` bytes per read, like a pipe (shared with the fuzz
/// targets).
pub use crate::common::Trickle;

/// For each `(rules file text, message)`: dechaff with that rules file exits 2 with
/// `PATH:LINE: ...` (`message` starts at the `:` after the path), before writing anything.
pub fn assert_rules_errors(test: &str, cases: &[(&str, &str)]) {
    let d = tempdir(test);
    for (text, message) in cases {
        let p = write(&d, "bad.rules", text.as_bytes());
        let path = p.to_str().unwrap();
        let o = run(&["--rules", path], b"Footer\n");
        assert_eq!(o.status.code(), Some(2), "{text}: {}", stderr(&o));
        assert!(
            stderr(&o).contains(&format!("{path}{message}")),
            "{text}: {}",
            stderr(&o)
        );
        assert!(o.stdout.is_empty());
    }
}
