//! Cold starts of a command function against a hello-world `lambda_runtime` binary, both
//! release builds, under the same runtime-API stub: init (spawn → first `/next`), the first
//! invocation (event handed out → response), its DynamoDB time (moto behind the timing proxy),
//! and peak RSS (`VmHWM`, read while the function waits for its second event).

use std::path::{Path, PathBuf};
use std::process::Stdio;
use std::sync::Arc;
use std::time::{Duration, Instant};
use test_support::{unique_name, Moto};
use tokio::process::Command;

use crate::compare::client;
use crate::proxy::{self, Busy};
use crate::stub;

pub const RUNS: usize = 20;
const DEADLINE: Duration = Duration::from_secs(30);

/// One cold start.
#[derive(Debug, Clone, Copy)]
struct Start {
    init: Duration,
    invocation: Duration,
    dynamodb: Duration,
    dynamodb_requests: u64,
    peak_rss_kb: u64,
}

/// The medians of `RUNS` cold starts.
#[derive(Debug, Clone, Copy)]
pub struct Medians {
    pub init: Duration,
    pub invocation: Duration,
    pub invocation_without_dynamodb: Duration,
    pub dynamodb_requests: u64,
    pub peak_rss_kb: u64,
}

/// The tables and settings `register-owner` is given by the template.
struct Environment {
    vars: Vec<(String, String)>,
}

async fn register_owner_environment(moto: &Moto, endpoint: &str) -> Environment {
    let plain = client(&moto.endpoint(), None);
    let events = unique_name("cold-events");
    let keys = unique_name("cold-keys");
    let idempotency = unique_name("cold-idempotency");
    event_store::schema::create_event_table(&plain, &events)
        .await
        .expect("event table");
    // The key store's and the idempotency records' tables: each keyed by one string.
    for (table, key) in [(&keys, "subject"), (&idempotency, "key")] {
        projection::create_view_table(&plain, table, key, &[])
            .await
            .expect("table");
    }
    let vars = [
        ("EVENTS_TABLE", events.as_str()),
        ("PERSONAL_DATA_KEYS_TABLE", keys.as_str()),
        ("IDEMPOTENCY_TABLE", idempotency.as_str()),
        ("CURSOR_SECRET", "bench-cursor-secret"),
        ("RUST_LOG", "info"),
        ("AWS_ENDPOINT_URL", endpoint),
    ];
    Environment {
        vars: vars
            .iter()
            .map(|(k, v)| (k.to_string(), v.to_string()))
            .collect(),
    }
}

/// What Lambda sets for every function (fake credentials: moto accepts any).
fn lambda_environment(runtime_api: u16, name: &str) -> Vec<(String, String)> {
    [
        ("AWS_LAMBDA_RUNTIME_API", format!("127.0.0.1:{runtime_api}")),
        ("AWS_LAMBDA_FUNCTION_NAME", name.to_string()),
        ("AWS_LAMBDA_FUNCTION_MEMORY_SIZE", "128".into()),
        ("AWS_LAMBDA_FUNCTION_VERSION", "$LATEST".into()),
        ("AWS_LAMBDA_LOG_GROUP_NAME", format!("/aws/lambda/{name}")),
        ("AWS_LAMBDA_LOG_STREAM_NAME", "bench".into()),
        ("AWS_REGION", "us-east-1".into()),
        ("AWS_DEFAULT_REGION", "us-east-1".into()),
        ("AWS_ACCESS_KEY_ID", "test".into()),
        ("AWS_SECRET_ACCESS_KEY", "test".into()),
        ("AWS_SESSION_TOKEN", "test".into()),
        ("TZ", ":UTC".into()),
        ("LANG", "en_US.UTF-8".into()),
        ("PATH", "/usr/local/bin:/usr/bin:/bin".into()),
    ]
    .into_iter()
    .map(|(k, v)| (k.to_string(), v))
    .collect()
}

/// `POST /owners` as API Gateway hands it over, by an operator, with a fresh national id.
fn register_owner_event(run: usize) -> Vec<u8> {
    let body = serde_json::json!({
        "name": "Ada Lovelace",
        "birth_date": "1990-12-10",
        "email": "ada@example.org",
        "national_id": format!("BENCH-{}-{run}", std::process::id()),
    });
    serde_json::to_vec(&serde_json::json!({
        "version": "2.0",
        "routeKey": "POST /owners",
        "rawPath": "/owners",
        "rawQueryString": "",
        "headers": {"content-type": "application/json", "host": "localhost"},
        "requestContext": {
            "accountId": "123456789012",
            "apiId": "bench",
            "domainName": "localhost",
            "domainPrefix": "localhost",
            "http": {"method": "POST", "path": "/owners", "protocol": "HTTP/1.1",
                     "sourceIp": "127.0.0.1", "userAgent": "bench"},
            "requestId": format!("bench-{run}"),
            "routeKey": "POST /owners",
            "stage": "$default",
            "time": "10/Feb/2026:10:00:00 +0000",
            "timeEpoch": 1_770_717_600_000u64,
            "authorizer": {"jwt": {"claims": {
                "sub": "bench-operator", "cognito:groups": "operator"
            }, "scopes": null}},
        },
        "body": body.to_string(),
        "isBase64Encoded": false,
    }))
    .expect("event")
}

fn peak_rss_kb(pid: u32) -> Option<u64> {
    let status = std::fs::read_to_string(format!("/proc/{pid}/status")).ok()?;
    status
        .lines()
        .find_map(|l| l.strip_prefix("VmHWM:"))?
        .split_whitespace()
        .next()?
        .parse()
        .ok()
}

async fn cold_start(
    binary: &Path,
    name: &str,
    env: &[(String, String)],
    event: Vec<u8>,
    busy: &Arc<Busy>,
    log: &Path,
) -> Result<Start, String> {
    let mut stub = stub::start(event, busy.clone()).await;
    let output = std::fs::File::create(log).map_err(|e| e.to_string())?;
    let mut command = Command::new(binary);
    command
        .env_clear()
        .envs(lambda_environment(stub.port, name))
        .envs(env.iter().cloned())
        .stdin(Stdio::null())
        .stdout(output.try_clone().map_err(|e| e.to_string())?)
        .stderr(output)
        .kill_on_drop(true);
    let spawned = Instant::now();
    let mut child = command
        .spawn()
        .map_err(|e| format!("{}: {e}", binary.display()))?;
    let pid = child.id().ok_or("no pid")?;
    let waited = tokio::time::timeout(DEADLINE, async {
        loop {
            let seen = stub.seen.borrow_and_update().clone();
            if seen.idle || matches!(&seen.answer, Some((kind, _)) if kind != "response") {
                return Ok(seen);
            }
            tokio::select! {
                changed = stub.seen.changed() => changed.map_err(|e| e.to_string())?,
                exited = child.wait() => return Err(format!("exited early: {exited:?}")),
            }
        }
    })
    .await;
    // Read before stopping it: the function waits on its second /next, still alive.
    let peak = peak_rss_kb(pid);
    let _ = child.start_kill();
    let _ = child.wait().await;
    let seen = waited.map_err(|_| "no answer in time".to_string())??;
    let (kind, body) = seen.answer.clone().unwrap_or_default();
    if kind != "response" {
        return Err(format!("{kind}: {body} (log: {})", log.display()));
    }
    let first_next = seen.first_next.ok_or("no /next")?;
    let (sent, time_before, requests_before) = seen.event_sent.ok_or("no event sent")?;
    let (answered, time_after, requests_after) = seen.answered.ok_or("no answer")?;
    if name == "register-owner" && !body.contains("\"statusCode\":201") {
        return Err(format!("unexpected response: {body}"));
    }
    Ok(Start {
        init: first_next - spawned,
        invocation: answered - sent,
        dynamodb: time_after.saturating_sub(time_before),
        dynamodb_requests: requests_after - requests_before,
        peak_rss_kb: peak.ok_or("no VmHWM")?,
    })
}

fn median<T: Ord + Copy>(mut values: Vec<T>) -> T {
    values.sort();
    values[values.len() / 2]
}

/// `RUNS` cold starts of `binary`; the first invocation of each is `event(run)`.
async fn measure(
    binary: &Path,
    name: &str,
    env: &[(String, String)],
    event: impl Fn(usize) -> Vec<u8>,
    busy: &Arc<Busy>,
) -> Result<Medians, String> {
    let log = std::env::temp_dir().join(format!("es-bench-{name}.log"));
    let mut starts = Vec::new();
    for run in 0..RUNS {
        starts.push(cold_start(binary, name, env, event(run), busy, &log).await?);
    }
    Ok(Medians {
        init: median(starts.iter().map(|s| s.init).collect()),
        invocation: median(starts.iter().map(|s| s.invocation).collect()),
        invocation_without_dynamodb: median(
            starts
                .iter()
                .map(|s| s.invocation.saturating_sub(s.dynamodb))
                .collect(),
        ),
        dynamodb_requests: median(starts.iter().map(|s| s.dynamodb_requests).collect()),
        peak_rss_kb: median(starts.iter().map(|s| s.peak_rss_kb).collect()),
    })
}

pub struct Binaries {
    pub function: PathBuf,
    pub hello: PathBuf,
    /// The arm64 `bootstrap` of `sam build`, if one was built.
    pub sam_artifact: PathBuf,
}

pub async fn run(moto: &Moto, binaries: &Binaries) {
    let busy = Arc::new(Busy::default());
    let proxy_port = proxy::start(moto.port(), busy.clone()).await;
    let endpoint = format!("http://127.0.0.1:{proxy_port}");
    let function_env = register_owner_environment(moto, &endpoint).await;
    let hello_env = vec![("AWS_ENDPOINT_URL".to_string(), endpoint.clone())];

    let function = measure(
        &binaries.function,
        "register-owner",
        &function_env.vars,
        register_owner_event,
        &busy,
    )
    .await;
    let hello = measure(
        &binaries.hello,
        "hello",
        &hello_env,
        register_owner_event,
        &busy,
    )
    .await;

    println!();
    println!(
        "== Cold start: release builds under the runtime-API stub, x86_64, {RUNS} runs, medians"
    );
    let (function, hello) = match (function, hello) {
        (Ok(f), Ok(h)) => (f, h),
        (f, h) => {
            println!(
                "   cold start failed: register-owner {:?}; hello {:?}",
                f.err(),
                h.err()
            );
            return;
        }
    };
    let ms = |d: Duration| d.as_secs_f64() * 1000.0;
    let mb = |kb: u64| kb as f64 / 1000.0;
    println!(
        "   {:<44} {:>14} {:>12} {:>8}",
        "", "register-owner", "hello world", "ratio"
    );
    let rows = [
        (
            "init (spawn → first /next), ms",
            ms(function.init),
            ms(hello.init),
        ),
        (
            "first invocation, ms",
            ms(function.invocation),
            ms(hello.invocation),
        ),
        (
            "first invocation minus DynamoDB time, ms",
            ms(function.invocation_without_dynamodb),
            ms(hello.invocation_without_dynamodb),
        ),
        (
            "peak RSS (VmHWM), MB",
            mb(function.peak_rss_kb),
            mb(hello.peak_rss_kb),
        ),
    ];
    for (name, f, h) in rows {
        println!("   {name:<44} {f:>14.2} {h:>12.2} {:>7.2}×", f / h);
    }
    println!(
        "   DynamoDB requests in the first invocation: {} (time measured at a proxy in front of moto)",
        function.dynamodb_requests
    );
    let size = std::fs::metadata(&binaries.sam_artifact)
        .map(|m| format!("{:.1} MB", m.len() as f64 / 1e6))
        .unwrap_or_else(|_| "not built".into());
    println!(
        "   sam build arm64 binary ({}): {size}",
        binaries.sam_artifact.display()
    );
    let size_of = |p: &Path| {
        std::fs::metadata(p)
            .map(|m| format!("{:.1} MB", m.len() as f64 / 1e6))
            .unwrap_or_else(|_| "?".into())
    };
    println!(
        "   x86_64 release binaries: register-owner {}, hello world {}",
        size_of(&binaries.function),
        size_of(&binaries.hello)
    );
    println!(
        "FIGURE cold start register-owner: init ms {:.2}",
        ms(function.init)
    );
    println!(
        "FIGURE cold start hello world: init ms {:.2}",
        ms(hello.init)
    );
    println!(
        "FIGURE cold start init ratio: {:.2}",
        ms(function.init) / ms(hello.init)
    );
    println!(
        "FIGURE cold start register-owner: first invocation minus DynamoDB ms {:.2}",
        ms(function.invocation_without_dynamodb)
    );
    println!(
        "FIGURE cold start hello world: first invocation ms {:.2}",
        ms(hello.invocation_without_dynamodb)
    );
    println!(
        "FIGURE cold start register-owner: peak RSS MB {:.2}",
        mb(function.peak_rss_kb)
    );
    println!(
        "FIGURE cold start hello world: peak RSS MB {:.2}",
        mb(hello.peak_rss_kb)
    );
    println!(
        "FIGURE cold start peak RSS ratio: {:.2}",
        function.peak_rss_kb as f64 / hello.peak_rss_kb as f64
    );
    println!("FIGURE sam build arm64 binary: {size}");
}
