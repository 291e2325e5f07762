//! Progress bars on standard error: drawn on a terminal only, so that piped or captured output
//! holds just the results.

use indicatif::{ProgressBar, ProgressStyle};

/// A bar over `total` items; `what` names them (e.g. "events").
pub fn bar(total: u64, what: &str) -> ProgressBar {
    let bar = ProgressBar::new(total);
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{elapsed_precise}} [{{bar:40}}] {{pos}}/{{len}} {what} ({{per_sec}}, {{eta}} left) {{msg}}"
        ))
        .expect("a valid template")
        .progress_chars("=> "),
    );
    bar
}

/// A counter for work of unknown size.
pub fn spinner(what: &str) -> ProgressBar {
    let bar = ProgressBar::new_spinner();
    bar.set_style(
        ProgressStyle::with_template(&format!(
            "{{spinner}} {{elapsed_precise}} {{pos}} {what} {{msg}}"
        ))
        .expect("a valid template"),
    );
    bar
}
