//! The local cloud the end-to-end tests run on: moto (one request at a time), `cargo lambda
//! watch --only-lambda-apis` serving the Invoke and runtime APIs, `local-cloud functions`
//! running every function binary against it, and the `local-cloud` runner (gateway + event
//! sources).
//! The runner can be stopped and started again while moto and the functions keep running.

use std::path::{Path, PathBuf};
use std::process::{Child, Command, Stdio};
use std::time::{Duration, Instant};

use test_support::{free_port, Moto};

use crate::{run_ok, Api};

const START_DEADLINE: Duration = Duration::from_secs(120);

pub struct LocalCloud {
    workspace: PathBuf,
    bin_dir: PathBuf,
    moto: Option<Moto>,
    watch: Option<Child>,
    /// `local-cloud functions`: the function binaries, run against the watch's runtime API.
    functions: Option<Child>,
    runner: Option<Child>,
    lambda_port: u16,
    api_port: u16,
    state_dir: PathBuf,
    /// Arguments of [`Self::start_with`]: every `local-cloud serve` gets them all, `local-cloud
    /// env` and `functions` their `--parameter KEY=VALUE` pairs.
    cloud_args: Vec<String>,
    /// Extra arguments of `local-cloud serve` (e.g. `--deliver-twice`).
    runner_args: Vec<String>,
    /// What [`Self::api`] calls with: the operator may do everything.
    operator_token: String,
    /// The functions' environment as `local-cloud env` computes it (table names among it).
    function_env: Vec<(String, String)>,
}

impl LocalCloud {
    /// Starts everything. Panics, loudly, when a part is missing: `scripts/test` installs the
    /// Python tools and builds the binaries first.
    pub async fn start() -> Self {
        Self::start_with(&[]).await
    }

    /// Starts everything with extra `local-cloud` arguments, e.g. `["--parameter",
    /// "OrderDeadlineSeconds=3", "--schedule-every", "1"]`: template parameters reach the
    /// functions' environment and the runner, the other options the runner (`serve`).
    pub async fn start_with(args: &[&str]) -> Self {
        let workspace = PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..");
        // The test runs from <target>/debug/deps; the workspace's binaries are in <target>/debug.
        let bin_dir = std::env::current_exe()
            .ok()
            .and_then(|exe| exe.parent()?.parent().map(Path::to_path_buf))
            .expect("the test executable's folder");
        assert!(
            bin_dir.join("local-cloud").exists(),
            "{} missing: run scripts/test, which builds every binary first",
            bin_dir.join("local-cloud").display()
        );
        let state_dir =
            std::env::temp_dir().join(format!("e2e-local-cloud-{}", std::process::id()));
        let mut cloud = Self {
            workspace,
            bin_dir,
            moto: None,
            watch: None,
            functions: None,
            runner: None,
            lambda_port: free_port(),
            api_port: free_port(),
            state_dir,
            cloud_args: args.iter().map(|a| a.to_string()).collect(),
            runner_args: Vec::new(),
            operator_token: String::new(),
            function_env: Vec::new(),
        };
        cloud.operator_token = cloud.token("operator", None);
        cloud.start_moto().await;
        cloud.start_functions().await;
        cloud.start_runner().await;
        cloud
    }

    /// Where each part listens, for debugging.
    pub fn describe(&self) -> String {
        format!(
            "moto {} lambda {} api http://127.0.0.1:{} state {}",
            self.moto_endpoint(),
            self.lambda_endpoint(),
            self.api_port,
            self.state_dir.display()
        )
    }

    /// The API, called as an operator.
    pub fn api(&self) -> Api {
        Api::new(&format!("http://127.0.0.1:{}", self.api_port)).with_token(&self.operator_token)
    }

    /// The API, called with a token of `role` (bound to `id` for radar, owner, customer).
    pub fn api_as(&self, role: &str, id: Option<&str>) -> Api {
        self.api().with_token(&self.token(role, id))
    }

    /// A token from `local-cloud token ROLE [ID]`, signed by the local development key.
    pub fn token(&self, role: &str, id: Option<&str>) -> String {
        let mut args = vec![role];
        args.extend(id);
        self.token_with(&args)
    }

    /// `local-cloud token ARGS`, e.g. `["operator", "--expires-in", "-60"]`.
    pub fn token_with(&self, args: &[&str]) -> String {
        self.mint(args, None)
    }

    /// A well-formed token of `role` signed by a key the local cloud does not know.
    pub fn foreign_token(&self, role: &str) -> String {
        let key = std::env::temp_dir().join(format!("foreign-key-{}.pem", uuid::Uuid::new_v4()));
        let token = self.mint(&[role], Some(&key));
        let _ = std::fs::remove_file(&key);
        token
    }

    fn mint(&self, args: &[&str], key_file: Option<&Path>) -> String {
        let mut command = Command::new(self.bin_dir.join("local-cloud"));
        command.arg("token").args(args).current_dir(&self.workspace);
        if let Some(key_file) = key_file {
            command.env("ES_LOCAL_KEY_FILE", key_file);
        }
        let output = run_ok(&mut command, &format!("local-cloud token {args:?}"));
        String::from_utf8(output.stdout)
            .expect("a token is ASCII")
            .trim()
            .to_owned()
    }

    /// A DynamoDB client of the emulator, to look at raw items as AWS would hold them.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        self.moto.as_ref().expect("moto started").dynamodb()
    }

    /// An SQS client of the emulator (queue depths, dead-letter queues).
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        self.moto.as_ref().expect("moto started").sqs()
    }

    /// An EventBridge client of the emulator (probes on the bus).
    pub fn eventbridge(&self) -> aws_sdk_eventbridge::Client {
        self.moto.as_ref().expect("moto started").eventbridge()
    }

    /// `es-admin --local ARGS` against this cloud, as `localstack/admin` runs it.
    pub fn es_admin(&self, args: &[&str]) -> std::process::Output {
        self.es_admin_command(args)
            .output()
            .expect("es-admin (built by scripts/test)")
    }

    /// The command of [`Self::es_admin`], for a test that reads it as it runs (`tail`).
    pub fn es_admin_command(&self, args: &[&str]) -> Command {
        let mut command = Command::new(self.bin_dir.join("es-admin"));
        command
            .arg("--local")
            .args(args)
            .env("AWS_ENDPOINT_URL", self.moto_endpoint())
            .env("AWS_REGION", "us-east-1")
            .env("AWS_ACCESS_KEY_ID", "test")
            .env("AWS_SECRET_ACCESS_KEY", "test")
            // The emulator's credentials, not a profile's.
            .env_remove("AWS_PROFILE");
        command
    }

    /// A table's name, from the variable the functions read it from (e.g. `EVENTS_TABLE`).
    pub fn table(&self, variable: &str) -> String {
        self.function_env
            .iter()
            .find(|(key, _)| key == variable)
            .map(|(_, value)| value.clone())
            .unwrap_or_else(|| panic!("{variable} is not in the functions' environment"))
    }

    /// The emulator's endpoint (for tools run against this cloud, e.g. es-admin).
    pub fn moto_endpoint(&self) -> String {
        self.moto.as_ref().expect("moto started").endpoint()
    }

    fn lambda_endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.lambda_port)
    }

    /// moto through `localstack/moto_serial.py`, as test-support starts it for every test.
    async fn start_moto(&mut self) {
        self.moto = Some(Moto::start());
    }

    /// The `--parameter KEY=VALUE` pairs of [`Self::cloud_args`] (both spellings).
    fn parameter_args(&self) -> Vec<String> {
        self.picked_args(&["--parameter"])
    }

    /// The pairs of `flags` among the cloud's arguments (`--flag value` or `--flag=value`).
    fn picked_args(&self, flags: &[&str]) -> Vec<String> {
        let mut picked = vec![];
        let mut args = self.cloud_args.iter();
        while let Some(arg) = args.next() {
            if flags.contains(&arg.as_str()) {
                picked.push(arg.clone());
                picked.extend(args.next().cloned());
            } else if flags.iter().any(|f| arg.starts_with(&format!("{f}="))) {
                picked.push(arg.clone());
            }
        }
        picked
    }

    /// `cargo lambda watch`, with the functions' environment as the runner computes it from
    /// template.yaml.
    async fn start_functions(&mut self) {
        let env = run_ok(
            Command::new(self.bin_dir.join("local-cloud"))
                .args(["env", "--moto-endpoint", &self.moto_endpoint()])
                .args(self.parameter_args())
                .current_dir(&self.workspace),
            "local-cloud env",
        );
        let mut watch = Command::new("cargo");
        watch
            .args([
                "lambda",
                "watch",
                "--ignore-changes",
                "--quiet",
                // The Invoke and runtime APIs only: `local-cloud functions` runs the binaries
                // (the watch would start each with `cargo run`, one after the other).
                "--only-lambda-apis",
            ])
            .args(["-A", "127.0.0.1", "-P", &self.lambda_port.to_string()])
            .current_dir(&self.workspace)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null());
        for line in String::from_utf8_lossy(&env.stdout).lines() {
            if let Some((key, value)) = line.split_once('=') {
                self.function_env.push((key.to_owned(), value.to_owned()));
                watch.env(key, value);
            }
        }
        self.watch = Some(
            watch
                .spawn()
                .expect("cargo lambda watch (is cargo-lambda installed? run scripts/test)"),
        );
        // An unknown function answers 404 once watch serves the Invoke API.
        wait_for_http(
            &format!(
                "{}/2015-03-31/functions/none/invocations",
                self.lambda_endpoint()
            ),
            "cargo lambda watch",
        )
        .await;
        // The instances connect to the watch's runtime API at once: start them once it serves.
        let args = self.picked_args(&["--parameter", "--function-env"]);
        self.spawn_functions(&args);
    }

    /// `local-cloud functions` with `args` (parameters, function environments).
    fn spawn_functions(&mut self, args: &[String]) {
        let functions = Command::new(self.bin_dir.join("local-cloud"))
            .args(["functions", "--moto-endpoint", &self.moto_endpoint()])
            .args(args)
            .args(["--lambda-endpoint", &self.lambda_endpoint()])
            .arg("--state-dir")
            .arg(&self.state_dir)
            .current_dir(&self.workspace)
            .stdin(Stdio::null())
            .stdout(Stdio::null())
            .stderr(Stdio::null())
            .spawn()
            .expect("local-cloud functions");
        self.functions = Some(functions);
    }

    /// Starts the functions again with the template's parameters and `args` only (e.g.
    /// without the `--function-env` the cloud was started with: the cause of a failure gone).
    pub fn restart_functions_with(&mut self, args: &[&str]) {
        self.stop_functions();
        let mut all = self.parameter_args();
        all.extend(args.iter().map(|a| a.to_string()));
        self.spawn_functions(&all);
    }

    fn stop_functions(&mut self) {
        if let Some(functions) = self.functions.take() {
            // SIGTERM: it stops every instance it started.
            terminate(functions, Duration::from_secs(20));
        }
    }

    /// Starts (or restarts) the runner: provisioning is idempotent and stream positions are
    /// kept in the state folder.
    pub async fn start_runner(&mut self) {
        let log = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(std::env::temp_dir().join(format!("e2e-local-cloud-{}.log", std::process::id())))
            .expect("runner log");
        let child = Command::new(self.bin_dir.join("local-cloud"))
            .args(["serve", "--moto-endpoint", &self.moto_endpoint()])
            .args(["--lambda-endpoint", &self.lambda_endpoint()])
            .args(["--port", &self.api_port.to_string()])
            .arg("--state-dir")
            .arg(&self.state_dir)
            .args(&self.cloud_args)
            .args(&self.runner_args)
            .current_dir(&self.workspace)
            .stdin(Stdio::null())
            .stdout(log.try_clone().expect("log"))
            .stderr(log)
            .spawn()
            .expect("local-cloud serve");
        self.runner = Some(child);
        wait_for_http(
            &format!("http://127.0.0.1:{}/", self.api_port),
            "local-cloud",
        )
        .await;
    }

    /// Restarts the runner with `args` added to `local-cloud serve` (moto and the functions
    /// keep running, and so does every saga in flight).
    pub async fn restart_runner_with(&mut self, args: &[&str]) {
        self.stop_runner();
        self.runner_args = args.iter().map(|a| a.to_string()).collect();
        self.start_runner().await;
    }

    /// Kills the runner at once, as a crash would.
    pub fn stop_runner(&mut self) {
        if let Some(mut runner) = self.runner.take() {
            let _ = runner.kill();
            let _ = runner.wait();
        }
    }

    pub fn stop(&mut self) {
        self.stop_runner();
        self.stop_functions();
        if let Some(watch) = self.watch.take() {
            // SIGTERM lets watch stop the function processes it started.
            terminate(watch, Duration::from_secs(10));
        }
        // Dropping moto stops it.
        self.moto.take();
    }
}

impl Drop for LocalCloud {
    fn drop(&mut self) {
        self.stop();
    }
}

/// Sends `child` SIGTERM, so that it can stop what it started, and kills it if it has not
/// exited within `grace`.
fn terminate(mut child: Child, grace: Duration) {
    let _ = Command::new("kill")
        .args(["-TERM", &child.id().to_string()])
        .status();
    let deadline = Instant::now() + grace;
    while Instant::now() < deadline && matches!(child.try_wait(), Ok(None)) {
        std::thread::sleep(Duration::from_millis(50));
    }
    let _ = child.kill();
    let _ = child.wait();
}

/// Waits until `url` answers HTTP at all (any status).
async fn wait_for_http(url: &str, what: &str) {
    let client = reqwest::Client::builder()
        .timeout(Duration::from_secs(2))
        .build()
        .expect("client");
    let started = Instant::now();
    while started.elapsed() < START_DEADLINE {
        if client.post(url).body("{}").send().await.is_ok() {
            return;
        }
        tokio::time::sleep(Duration::from_millis(100)).await;
    }
    panic!("{what} did not answer at {url} within {START_DEADLINE:?}");
}
