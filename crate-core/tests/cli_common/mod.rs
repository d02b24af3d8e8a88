//! Running the `efiviz` binary from integration tests.

use std::io::Write;
use std::process::{Command, Output, Stdio};

/// Runs `efiviz ARGS`, feeding `stdin` when given, and collects everything it printed.
pub fn efiviz(args: &[&str], stdin: Option<&[u8]>) -> Output {
    let mut child = Command::new(env!("CARGO_BIN_EXE_efiviz"))
        .args(args)
        .stdin(Stdio::piped())
        .stdout(Stdio::piped())
        .stderr(Stdio::piped())
        .spawn()
        .expect("start efiviz");
    if let Some(bytes) = stdin {
        child
            .stdin
            .take()
            .expect("stdin")
            .write_all(bytes)
            .expect("write stdin");
    }
    drop(child.stdin.take());
    child.wait_with_output().expect("efiviz output")
}
