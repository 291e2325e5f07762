use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use std::io::{BufRead, BufReader};
use std::net::TcpListener;
use std::path::PathBuf;
use std::process::{Child, ChildStdout, Command, Stdio};
use std::sync::mpsc;
use std::time::Duration;

use crate::RequestCounter;

/// A `moto_server` owned by one test: started on a free loopback port, killed on drop.
pub struct Moto {
    child: Child,
    port: u16,
}

const STARTUP_DEADLINE: Duration = Duration::from_secs(60);

impl Moto {
    /// Starts moto and waits until it accepts connections.
    ///
    /// moto runs through `localstack/moto_serial.py`, which serves one request at a time so
    /// that a transaction moto rolls back cannot take concurrent writes with it.
    ///
    /// Panics, loudly, when moto is not installed: an integration test that silently passes
    /// without its server would prove nothing. `scripts/test` installs it and sets
    /// `ES_PYTHON`; otherwise the `python3` on the PATH must have moto.
    pub fn start() -> Self {
        let program = python();
        // Port 0: moto binds a port the OS picks and prints it. Picking a free port here and
        // passing it on would leave a window in which another test's server takes it, and this
        // test would then talk to that server.
        let mut child = Command::new(&program)
            .arg(serial_moto_script())
            .args(["-H", "127.0.0.1", "-p", "0"])
            .stdin(Stdio::null())
            .stdout(Stdio::piped())
            .stderr(Stdio::null())
            .spawn()
            .unwrap_or_else(|e| {
                panic!(
                    "cannot start {}: {e}. Run `scripts/test` (it installs moto into a \
                     virtual environment) or set ES_PYTHON to a Python that has moto.",
                    program.display()
                )
            });
        let stdout = child.stdout.take().expect("moto's stdout is piped");
        let mut moto = Self { child, port: 0 };
        moto.port = moto.bound_port(stdout);
        moto
    }

    pub fn endpoint(&self) -> String {
        format!("http://127.0.0.1:{}", self.port)
    }

    pub fn port(&self) -> u16 {
        self.port
    }

    /// A DynamoDB client for this server.
    pub fn dynamodb(&self) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(self.dynamodb_config().build())
    }

    /// A DynamoDB client for this server whose requests are counted by `counter`.
    pub fn counted_dynamodb(&self, counter: &RequestCounter) -> aws_sdk_dynamodb::Client {
        aws_sdk_dynamodb::Client::from_conf(
            self.dynamodb_config().interceptor(counter.clone()).build(),
        )
    }

    fn dynamodb_config(&self) -> aws_sdk_dynamodb::config::Builder {
        aws_sdk_dynamodb::Config::builder()
            .behavior_version(BehaviorVersion::latest())
            .region(Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(self.endpoint())
    }

    /// An SQS client for this server.
    pub fn sqs(&self) -> aws_sdk_sqs::Client {
        sqs_client(&self.endpoint())
    }

    /// An EventBridge client for this server.
    pub fn eventbridge(&self) -> aws_sdk_eventbridge::Client {
        aws_sdk_eventbridge::Client::from_conf(
            aws_sdk_eventbridge::Config::builder()
                .behavior_version(aws_sdk_eventbridge::config::BehaviorVersion::latest())
                .region(aws_sdk_eventbridge::config::Region::new(REGION))
                .credentials_provider(credentials())
                .endpoint_url(self.endpoint())
                .build(),
        )
    }

    /// The port moto says it bound (`listening on PORT`, its first line), within the start-up
    /// deadline; its pipe stays open (in a thread that drains it) for as long as moto runs.
    fn bound_port(&mut self, stdout: ChildStdout) -> u16 {
        let (sender, receiver) = mpsc::channel();
        std::thread::spawn(move || {
            let mut lines = BufReader::new(stdout).lines();
            let first = lines.next().and_then(Result::ok);
            let _ = sender.send(first);
            for _ in lines {}
        });
        let first = receiver.recv_timeout(STARTUP_DEADLINE).unwrap_or_else(|_| {
            panic!("moto_server did not say where it listens within {STARTUP_DEADLINE:?}")
        });
        match first
            .as_deref()
            .and_then(|l| l.strip_prefix("listening on "))
        {
            Some(port) => port.trim().parse().expect("moto's port is a number"),
            None => {
                let status = self.child.try_wait().ok().flatten();
                panic!(
                    "moto exited or did not start ({status:?}, said {first:?}): is moto installed \
                     for {}? Run `scripts/test`, which installs it.",
                    python().display()
                )
            }
        }
    }
}

impl Drop for Moto {
    fn drop(&mut self) {
        let _ = self.child.kill();
        let _ = self.child.wait();
    }
}

/// The region every emulated client is in.
const REGION: &str = "us-east-1";

/// moto takes any credentials; these name it.
fn credentials() -> Credentials {
    Credentials::new("test", "test", None, None, "moto")
}

/// An SQS client of the emulator at `endpoint` (a moto this process did not start, too).
pub fn sqs_client(endpoint: &str) -> aws_sdk_sqs::Client {
    aws_sdk_sqs::Client::from_conf(
        aws_sdk_sqs::Config::builder()
            .behavior_version(aws_sdk_sqs::config::BehaviorVersion::latest())
            .region(aws_sdk_sqs::config::Region::new(REGION))
            .credentials_provider(credentials())
            .endpoint_url(endpoint)
            .build(),
    )
}

fn python() -> PathBuf {
    std::env::var_os("ES_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

fn serial_moto_script() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../localstack/moto_serial.py")
}

/// A loopback port free right now, for a server a test is about to start.
pub fn free_port() -> u16 {
    // The OS picks a free port; the caller's server binds it a moment later, and another server
    // starting in between could take it. Moto does not use this (it binds port 0 itself, see
    // `Moto::start`); the end-to-end harness's Lambda and API ports do, and its suites run alone.
    TcpListener::bind("127.0.0.1:0")
        .and_then(|l| l.local_addr())
        .map(|a| a.port())
        .expect("a free loopback port")
}
