//! Running the project's own tools from a test.

use std::process::{Command, Output};

/// Runs `command` (`what` names it in failures), which must succeed; its output. A failure
/// shows the tool's standard error, which says why.
pub fn run_ok(command: &mut Command, what: &str) -> Output {
    let output = command.output().unwrap_or_else(|e| panic!("{what}: {e}"));
    assert!(
        output.status.success(),
        "{what}: {}",
        String::from_utf8_lossy(&output.stderr)
    );
    output
}
