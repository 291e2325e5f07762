//! Function instances the runner starts itself, from the binaries `cargo build` made, as
//! clients of `cargo lambda watch --only-lambda-apis`.
//!
//! Left to itself, `cargo lambda watch` starts a function on its first invocation with
//! `cargo run --bin NAME`: every start takes the build directory's lock and checks the whole
//! workspace's fingerprints, one function after the other, so starting the 60 functions took
//! minutes on two cores (and a warm-up of all of them timed out). Without reloading there is
//! nothing to rebuild: the runner runs each binary directly, pointed at the watch's runtime
//! API for its name (`AWS_LAMBDA_RUNTIME_API=<endpoint>/.rt/<name>`, what the watch itself
//! would set), and the watch only serves the Invoke and runtime APIs. A function's instances
//! take its invocations in turn, so [`INSTANCES_PER_FUNCTION`] invocations of one function
//! run at the same time, as Lambda runs concurrent invocations in separate instances.

use std::collections::BTreeMap;
use std::fs::OpenOptions;
use std::path::Path;
use std::process::{Command, Stdio};

use crate::process::Child;
use crate::template::Stack;
use crate::{Error, Result};

/// Instances started per function: two, so that concurrent invocations of one function (two
/// checkouts racing for the last item) still race as they do on AWS.
pub const INSTANCES_PER_FUNCTION: usize = 2;

/// The runtime API of function `name` served by `cargo lambda watch` at `lambda_endpoint`.
pub fn runtime_api(lambda_endpoint: &str, name: &str) -> String {
    format!("{}/.rt/{name}", lambda_endpoint.trim_end_matches('/'))
}

/// Starts `per_function` instances of every function of `stack` from `bin_dir`, with `env`
/// (the functions' environment) and the Lambda runtime variables; their output is appended to
/// `log`. Call it from the main thread (see [`crate::process`]).
pub fn start(
    bin_dir: &Path,
    stack: &Stack,
    env: &BTreeMap<String, String>,
    lambda_endpoint: &str,
    per_function: usize,
    log: &Path,
) -> Result<Vec<Child>> {
    let missing: Vec<&str> = stack
        .functions
        .iter()
        .map(|f| f.name.as_str())
        .filter(|name| !bin_dir.join(name).is_file())
        .collect();
    if !missing.is_empty() {
        return Err(Error::new(format!(
            "no binary for {} in {}: run `cargo build --workspace --bins` first",
            missing.join(", "),
            bin_dir.display()
        )));
    }
    let log = OpenOptions::new()
        .create(true)
        .append(true)
        .open(log)
        .map_err(|e| Error::new(format!("cannot open {}: {e}", log.display())))?;
    let mut instances = Vec::new();
    for function in &stack.functions {
        for instance in 0..per_function.max(1) {
            let mut command = Command::new(bin_dir.join(&function.name));
            command
                .envs(env)
                .envs(&function.environment)
                .env("AWS_LAMBDA_FUNCTION_NAME", &function.name)
                .env("AWS_LAMBDA_FUNCTION_VERSION", "1")
                .env("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128")
                .env(
                    "AWS_LAMBDA_RUNTIME_API",
                    runtime_api(lambda_endpoint, &function.name),
                )
                .stdin(Stdio::null())
                .stdout(Stdio::from(log.try_clone()?))
                .stderr(Stdio::from(log.try_clone()?));
            let name = format!("{} #{instance}", function.name);
            instances.push(Child::spawn(&name, command)?);
        }
    }
    tracing::info!(
        "{} function instances started from {}",
        instances.len(),
        bin_dir.display()
    );
    Ok(instances)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_runtime_api_is_the_watch_s_path_for_the_function() {
        assert_eq!(
            runtime_api("http://127.0.0.1:9000/", "install-radar"),
            "http://127.0.0.1:9000/.rt/install-radar"
        );
    }
}
