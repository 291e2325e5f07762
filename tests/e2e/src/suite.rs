use std::future::Future;
use std::pin::Pin;
use std::sync::Arc;
use std::time::{Duration, Instant};
use tokio::sync::Mutex;

use crate::LocalCloud;

/// The local cloud the scenarios of one test binary share.
pub type Cloud = Arc<Mutex<LocalCloud>>;

type Scenario<C> = Box<dyn Fn(C) -> Pin<Box<dyn Future<Output = ()> + Send>>>;

/// Runs named scenarios one after the other, each in its own task so that a failed assertion
/// (a panic) fails that scenario only, and prints `N passed, M failed` at the end.
pub struct Suite<C> {
    scenarios: Vec<(&'static str, Scenario<C>)>,
}

impl<C: Clone + Send + 'static> Suite<C> {
    pub fn new() -> Self {
        Self {
            scenarios: Vec::new(),
        }
    }

    pub fn add<F, Fut>(mut self, name: &'static str, scenario: F) -> Self
    where
        F: Fn(C) -> Fut + 'static,
        Fut: Future<Output = ()> + Send + 'static,
    {
        self.scenarios
            .push((name, Box::new(move |c| Box::pin(scenario(c)))));
        self
    }

    /// Runs the scenarios whose name contains `filter` (all without one); true if all passed.
    pub async fn run(self, context: C, filter: Option<&str>) -> bool {
        let (mut passed, mut failed) = (0, 0);
        for (name, scenario) in &self.scenarios {
            if filter.is_some_and(|f| !name.contains(f)) {
                continue;
            }
            let started = Instant::now();
            let outcome = tokio::spawn(scenario(context.clone())).await;
            let took = started.elapsed();
            match outcome {
                Ok(()) => {
                    passed += 1;
                    println!("test {name} ... ok ({took:.1?})");
                }
                Err(error) => {
                    failed += 1;
                    println!("test {name} ... FAILED ({took:.1?}): {error}");
                }
            }
        }
        println!("{passed} passed, {failed} failed");
        failed == 0 && passed > 0
    }
}

impl Suite<Cloud> {
    /// The `main` of an end-to-end test binary: starts the local cloud, runs the scenarios
    /// whose name contains the first argument that is not a flag, stops the cloud, and exits
    /// non-zero unless every scenario passed. With `E2E_KEEP_CLOUD` set, a failed run leaves
    /// the cloud up for 10 minutes, for debugging.
    pub fn run_on_local_cloud(self) -> ! {
        self.run_on_local_cloud_with(&[])
    }

    /// [`Suite::run_on_local_cloud`] on a cloud started with `args` (see
    /// [`LocalCloud::start_with`]).
    pub fn run_on_local_cloud_with(self, args: &[&str]) -> ! {
        let filter = std::env::args().skip(1).find(|a| !a.starts_with('-'));
        let runtime = tokio::runtime::Runtime::new().expect("tokio");
        let passed = runtime.block_on(async {
            let cloud = Arc::new(Mutex::new(LocalCloud::start_with(args).await));
            let passed = self.run(cloud.clone(), filter.as_deref()).await;
            if !passed && std::env::var_os("E2E_KEEP_CLOUD").is_some() {
                println!("E2E_KEEP_CLOUD: {}", cloud.lock().await.describe());
                tokio::time::sleep(Duration::from_secs(600)).await;
            }
            cloud.lock().await.stop();
            passed
        });
        std::process::exit(if passed { 0 } else { 1 });
    }
}

impl<C: Clone + Send + 'static> Default for Suite<C> {
    fn default() -> Self {
        Self::new()
    }
}

/// Polls `probe` until it yields a value or `deadline` passes (then panics with `what`).
///
/// The pause between probes grows from 50 ms to 1 s: a quick answer is seen quickly, and a
/// long wait does not load the system under test with probes (each one is a read of moto,
/// which serves one request at a time).
pub async fn eventually<T, F, Fut>(what: &str, deadline: Duration, mut probe: F) -> T
where
    F: FnMut() -> Fut,
    Fut: Future<Output = Option<T>>,
{
    let started = Instant::now();
    let mut pause = Duration::from_millis(50);
    loop {
        if let Some(value) = probe().await {
            return value;
        }
        if started.elapsed() > deadline {
            panic!("{what}: not within {deadline:?}");
        }
        tokio::time::sleep(pause).await;
        pause = (pause * 2).min(Duration::from_secs(1));
    }
}
