//! Functions started before the API is announced: `cargo lambda watch` starts a function's
//! process on its first invocation (`cargo run --bin NAME`: a second or more each, one at a
//! time on cargo's lock), so without this the first request after `API:` would pay for every
//! function on its path (a detection's infraction: four of them, 5 to 14 s).
//!
//! Each function is invoked once with a payload no event type reads (a JSON string, not an
//! object): the runtime cannot deserialize it and answers an error at once, so no handler code
//! runs and nothing is written, and the process stays up for the real requests.

use std::sync::Arc;
use std::time::{Duration, Instant};

use futures::StreamExt;

use crate::invoke::{Invocation, Invoker};
use crate::template::FunctionSpec;

/// What the functions receive: readable as no event.
pub const WARM_UP_PAYLOAD: &[u8] = br#""local-cloud warm-up: not an event""#;

/// How many functions are started at once: their `cargo run` wait on one lock anyway, and each
/// waiting cargo costs memory.
pub const PARALLEL: usize = 4;

/// How a warm-up went.
#[derive(Debug, Default)]
pub struct Warmed {
    pub started: usize,
    /// Functions that did not answer at all (unreachable, timed out), with why.
    pub failed: Vec<(String, String)>,
    pub took: Duration,
}

/// Invokes every function once, `PARALLEL` at a time. An answer of any kind, an error
/// included, means the function's process runs.
pub async fn warm(invoker: Arc<dyn Invoker>, functions: &[FunctionSpec]) -> Warmed {
    let started = Instant::now();
    let answers: Vec<(String, Invocation)> = futures::stream::iter(functions.iter().map(|f| {
        let invoker = invoker.clone();
        let (name, timeout) = (f.name.clone(), crate::invoke::client_timeout(f.timeout));
        async move {
            let answer = invoker
                .invoke(&name, WARM_UP_PAYLOAD.to_vec(), timeout)
                .await;
            (name, answer)
        }
    }))
    .buffer_unordered(PARALLEL)
    .collect()
    .await;
    let mut warmed = Warmed::default();
    for (name, answer) in answers {
        match answer {
            Invocation::Ok(_) | Invocation::FunctionError(_) => warmed.started += 1,
            Invocation::Timeout => warmed.failed.push((name, "no answer in time".into())),
            Invocation::Unreachable(why) => warmed.failed.push((name, why)),
        }
    }
    warmed.took = started.elapsed();
    warmed
}
