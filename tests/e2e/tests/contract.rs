//! The published contract (SPEC §8), end to end on the local cloud: `GET /openapi.json`
//! answers docs/openapi.yaml without a token, and schemathesis, driven by that document, finds
//! no 5xx and no undocumented status, content type or body shape, once as an operator and once
//! as a customer (who is mostly refused: every 403 must be documented too).
//!
//! The fuzzer is given a copy of the document whose example ids are those of a radar, owner,
//! vehicle, infraction, product, customer and order created first, so that it reaches real
//! resources rather than only 404s; and without `min_version`, whose every miss would wait the
//! view's 5 seconds (a scenario below checks it instead).
//!
//! `cargo test -p e2e-tests --test contract [-- FILTER]` (scripts/test builds the functions and
//! installs schemathesis first).

use e2e_tests::roads::{created, Offence};
use e2e_tests::shop::Purchase;
use e2e_tests::{run_ok, Api, Cloud, Suite};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::Command;
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long an event may take to reach a read model before a scenario fails.
const PROPAGATION: Duration = Duration::from_secs(60);
/// The checks of SPEC §8: no 5xx, and nothing undocumented.
const CHECKS: &str =
    "not_a_server_error,status_code_conformance,content_type_conformance,response_schema_conformance";
/// Fixed, so that a failure can be replayed.
const SEED: &str = "20261122";

/// The example values of docs/openapi.yaml that stand for real resources.
mod placeholder {
    pub const RADAR: &str = "7ada0000-0000-4000-8000-000000000001";
    pub const OWNER: &str = "0a7e0000-0000-4000-8000-000000000002";
    pub const INFRACTION: &str = "1f0a0000-0000-4000-8000-000000000003";
    pub const PRODUCT: &str = "9d0c0000-0000-4000-8000-000000000004";
    pub const CUSTOMER: &str = "c0570000-0000-4000-8000-000000000005";
    pub const ORDER: &str = "0d0e0000-0000-4000-8000-000000000006";
    pub const PLATE: &str = "AB123CD";
}

fn workspace() -> PathBuf {
    PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../..")
}

/// The project's Python (scripts/python-env.sh sets `ES_PYTHON`), else the one on the `PATH`.
fn python() -> PathBuf {
    std::env::var_os("ES_PYTHON")
        .map(PathBuf::from)
        .unwrap_or_else(|| PathBuf::from("python3"))
}

/// A tool of the project's Python environment: beside its Python, or on the `PATH`.
fn python_tool(name: &str) -> PathBuf {
    python()
        .parent()
        .map(|dir| dir.join(name))
        .filter(|tool| tool.exists())
        .unwrap_or_else(|| PathBuf::from(name))
}

/// One of each resource, for the fuzzer to find.
struct World {
    radar: String,
    owner: String,
    plate: String,
    infraction: String,
    product: String,
    customer: String,
    order: String,
}

impl World {
    async fn create(api: &Api) -> Self {
        let Offence {
            radar,
            owner,
            plate,
            infraction,
        } = Offence::create(api, "CT").await;
        let Purchase {
            product,
            customer,
            order,
        } = Purchase::place(api, 1000, 2, 100_000).await;
        // Every view holds its resource before the fuzzer looks.
        for path in [
            format!("/radars/{radar}"),
            format!("/owners/{owner}"),
            format!("/vehicles/{plate}"),
            format!("/infractions/{infraction}"),
            format!("/inventory/{product}"),
            format!("/customers/{customer}"),
            format!("/orders/{order}"),
        ] {
            api.until(&path, PROPAGATION, |r| r.status == 200).await;
        }
        Self {
            radar,
            owner,
            plate,
            infraction,
            product,
            customer,
            order,
        }
    }

    /// The document with this world's ids in place of the example ids, and without
    /// `min_version`.
    fn fuzz_copy(&self, document: &Value) -> Value {
        let mut document = document.clone();
        drop_parameter(&mut document, "#/components/parameters/MinVersion");
        let mut text = document.to_string();
        for (example, real) in [
            (placeholder::RADAR, &self.radar),
            (placeholder::OWNER, &self.owner),
            (placeholder::INFRACTION, &self.infraction),
            (placeholder::PRODUCT, &self.product),
            (placeholder::CUSTOMER, &self.customer),
            (placeholder::ORDER, &self.order),
            (placeholder::PLATE, &self.plate),
        ] {
            assert!(
                text.contains(example),
                "docs/openapi.yaml lost the example {example}"
            );
            text = text.replace(example, real);
        }
        serde_json::from_str(&text).expect("still JSON")
    }
}

/// Removes every use of the parameter `reference` from the operations.
fn drop_parameter(document: &mut Value, reference: &str) {
    let Some(paths) = document["paths"].as_object_mut() else {
        return;
    };
    for item in paths.values_mut() {
        for node in item
            .as_object_mut()
            .into_iter()
            .flat_map(|item| item.values_mut())
        {
            if let Some(parameters) = node.get_mut("parameters").and_then(Value::as_array_mut) {
                parameters.retain(|p| p["$ref"] != reference);
            }
        }
    }
}

/// Reads docs/openapi.yaml with PyYAML (a YAML reader independent of the function's), checks
/// it is a valid OpenAPI 3.1 document (openapi-spec-validator, which moto brings), and prints
/// it as JSON.
const READ_DOCUMENT: &str = "
import json, sys, yaml
document = yaml.safe_load(open(sys.argv[1]))
try:
    from openapi_spec_validator import validate
except ImportError:
    validate = None
if validate:
    validate(document)
json.dump(document, sys.stdout)
";

/// docs/openapi.yaml as JSON, validated.
fn documented() -> Value {
    let output = run_ok(
        Command::new(python())
            .args(["-c", READ_DOCUMENT])
            .arg(workspace().join("docs/openapi.yaml")),
        "python (run scripts/test, which installs the project's Python tools)",
    );
    serde_json::from_slice(&output.stdout).expect("JSON")
}

async fn the_contract_is_served_without_a_token(cloud: Cloud) {
    let api = cloud.lock().await.api().anonymous();
    let reply = api.get("/openapi.json").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    assert!(
        reply
            .header("content-type")
            .is_some_and(|t| t.starts_with("application/json")),
        "{:?}",
        reply.headers
    );
    assert!(reply.header("x-correlation-id").is_some());
    assert_eq!(reply.body["openapi"], "3.1.0");
    assert!(
        reply.body == documented(),
        "GET /openapi.json is not docs/openapi.yaml"
    );
    // A token changes nothing, even one of a role that may call nothing else.
    let radar = cloud
        .lock()
        .await
        .api_as("radar", Some(&Uuid::new_v4().to_string()));
    assert_eq!(radar.get("/openapi.json").await.status, 200);
}

/// `?min_version=` is left out of the fuzzer's copy (a miss waits 5 seconds); its documented
/// answers, here.
async fn min_version_answers_as_documented(cloud: Cloud) {
    let api = cloud.lock().await.api();
    let radar = created(
        &api.post("/radars", json!({"name": "A9", "road": "A9", "latitude": 43.6, "longitude": 3.9, "max_speed_kmh": 110}))
            .await,
        "radar_id",
    );
    // Once the view holds version 1, asking for it answers at once.
    api.until(&format!("/radars/{radar}"), PROPAGATION, |r| {
        r.status == 200
    })
    .await;
    let reached = api.get(&format!("/radars/{radar}?min_version=1")).await;
    assert_eq!(reached.status, 200, "{}", reached.body);
    for bad in ["-1", "one", "1.5"] {
        let reply = api.get(&format!("/radars/{radar}?min_version={bad}")).await;
        assert_eq!(reply.status, 400, "min_version={bad}: {}", reply.body);
        assert_eq!(reply.code(), "invalid_input");
    }
    let behind = api.get(&format!("/radars/{radar}?min_version=99")).await;
    assert_eq!(behind.status, 503, "{}", behind.body);
    assert_eq!(behind.code(), "view_behind");
    assert!(behind.body["error"]["message"].is_string());
    assert!(behind.body["error"]["details"].is_array());
    let retry_after = behind.header("retry-after").unwrap_or_default();
    assert!(
        retry_after.parse::<u64>().is_ok(),
        "Retry-After {retry_after:?}"
    );
}

/// What one schemathesis run found.
struct Fuzzed {
    cases: u64,
    took: Duration,
    passed: bool,
    output: String,
    /// How many answers of each status it got, from its HAR report.
    statuses: BTreeMap<u16, u64>,
}

impl Fuzzed {
    fn answered(&self, range: std::ops::RangeInclusive<u16>) -> u64 {
        self.statuses
            .iter()
            .filter(|(status, _)| range.contains(status))
            .map(|(_, n)| n)
            .sum()
    }
}

/// `schemathesis run` over `document` against the API, with `token`.
fn schemathesis(api: &Api, document: &Value, token: &str, extra: &[&str]) -> Fuzzed {
    let dir = std::env::temp_dir().join(format!("contract-{}", Uuid::new_v4()));
    std::fs::create_dir_all(&dir).expect("a temporary folder");
    let schema = dir.join("openapi.json");
    std::fs::write(&schema, document.to_string()).expect("the fuzzer's copy");
    let started = Instant::now();
    let output = Command::new(python_tool("schemathesis"))
        .arg("run")
        .arg(&schema)
        .args(["--url", &api.base])
        .args(["--header", &format!("Authorization: Bearer {token}")])
        .args(["--checks", CHECKS])
        .args(["--seed", SEED])
        .args(["--generation-database", "none"])
        .args(["--request-timeout", "30"])
        .args(["--no-color"])
        .args(["--report", "har", "--report-har-path"])
        .arg(dir.join("run.har"))
        .args(extra)
        .current_dir(&dir)
        .output()
        .expect("schemathesis (run scripts/test, which installs the project's Python tools)");
    let took = started.elapsed();
    let statuses = statuses_of(&dir.join("run.har"));
    let _ = std::fs::remove_dir_all(&dir);
    let text = format!(
        "{}{}",
        String::from_utf8_lossy(&output.stdout),
        String::from_utf8_lossy(&output.stderr)
    );
    Fuzzed {
        cases: cases_of(&text),
        took,
        passed: output.status.success(),
        output: text,
        statuses,
    }
}

/// The statuses of the answers a HAR file records.
fn statuses_of(har: &Path) -> BTreeMap<u16, u64> {
    let mut statuses = BTreeMap::new();
    let Ok(text) = std::fs::read(har) else {
        return statuses;
    };
    let har: Value = serde_json::from_slice(&text).unwrap_or_default();
    for entry in har["log"]["entries"].as_array().into_iter().flatten() {
        if let Some(status) = entry["response"]["status"].as_u64() {
            *statuses.entry(status as u16).or_default() += 1;
        }
    }
    statuses
}

/// `N generated` of the summary's "Test cases" line.
fn cases_of(output: &str) -> u64 {
    output
        .lines()
        .skip_while(|line| !line.starts_with("Test cases:"))
        .nth(1)
        .and_then(|line| line.split_whitespace().next())
        .and_then(|n| n.parse().ok())
        .unwrap_or(0)
}

/// Prints what the run did (its warnings and summary, and the statuses it was answered) and
/// fails the scenario if it found anything.
fn report(who: &str, fuzzed: &Fuzzed) {
    let summary: Vec<&str> = fuzzed
        .output
        .lines()
        .skip_while(|line| !line.contains(" WARNINGS ") && !line.contains(" SUMMARY "))
        .filter(|line| !line.trim().is_empty())
        .collect();
    println!("{}", summary.join("\n"));
    let statuses: Vec<String> = fuzzed
        .statuses
        .iter()
        .map(|(status, n)| format!("{status}×{n}"))
        .collect();
    println!(
        "schemathesis as {who}: {} test cases in {:.0?}; answers: {}",
        fuzzed.cases,
        fuzzed.took,
        statuses.join(" ")
    );
    assert!(
        fuzzed.passed,
        "schemathesis as {who} found problems:\n{}",
        fuzzed.output
    );
    assert!(
        fuzzed.cases > 0,
        "schemathesis ran nothing:\n{}",
        fuzzed.output
    );
}

async fn contract_document(api: &Api) -> Value {
    let reply = api.anonymous().get("/openapi.json").await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply.body
}

/// The world to fuzz and the fuzzer's copy of the contract, every function started meanwhile.
async fn prepare(api: &Api) -> (World, Value) {
    let document = contract_document(api).await;
    let (world, ()) = tokio::join!(World::create(api), warm_up(api, &document));
    let copy = world.fuzz_copy(&document);
    (world, copy)
}

/// Calls every operation once, on resources that do not exist, so that each function has
/// started before the fuzzer times its answers (a first call starts the function's process).
async fn warm_up(api: &Api, document: &Value) {
    let mut calls = Vec::new();
    for (path, item) in document["paths"].as_object().into_iter().flatten() {
        let path: String = path
            .split('/')
            .map(|segment| match segment {
                "{aggregate_type}" => "radar".to_owned(),
                "{plate}" => "ZZ99".to_owned(),
                s if s.starts_with('{') => Uuid::new_v4().to_string(),
                s => s.to_owned(),
            })
            .collect::<Vec<_>>()
            .join("/");
        for (name, method) in [
            ("get", Method::GET),
            ("post", Method::POST),
            ("put", Method::PUT),
            ("patch", Method::PATCH),
            ("delete", Method::DELETE),
        ] {
            if item.get(name).is_some() {
                calls.push((method, path.clone()));
            }
        }
    }
    futures::stream::iter(calls)
        .for_each_concurrent(4, |(method, path)| async move {
            let _ = api.send(method, &path, None, &[]).await;
        })
        .await;
}

/// Fuzzes `document` with `token` (schemathesis' `phases`, at most `max_examples` examples an
/// operation, two workers) and reports it as `who` did it, failing if it found anything.
async fn fuzz_as(
    who: &str,
    (api, token): (Api, String),
    document: Value,
    (phases, max_examples): (&'static str, &'static str),
) -> Fuzzed {
    let extra = [
        "--phases",
        phases,
        "--max-examples",
        max_examples,
        "--workers",
        "2",
    ];
    let fuzzed = tokio::task::spawn_blocking(move || schemathesis(&api, &document, &token, &extra))
        .await
        .expect("schemathesis ran");
    report(who, &fuzzed);
    fuzzed
}

async fn the_fuzzer_finds_nothing_as_an_operator(cloud: Cloud) {
    let (api, token) = {
        let cloud = cloud.lock().await;
        (cloud.api(), cloud.token("operator", None))
    };
    let (_, document) = prepare(&api).await;
    let phases = ("examples,coverage,fuzzing", "5");
    let fuzzed = fuzz_as("an operator", (api, token), document, phases).await;
    // It reached the resources of the world: reads and commands that succeeded.
    assert!(
        fuzzed.answered(200..=299) > 0,
        "no 2xx at all: {:?}",
        fuzzed.statuses
    );
}

async fn the_fuzzer_finds_nothing_as_a_customer(cloud: Cloud) {
    let api = cloud.lock().await.api();
    let (world, document) = prepare(&api).await;
    let token = cloud.lock().await.token("customer", Some(&world.customer));
    let phases = ("examples,fuzzing", "3");
    let fuzzed = fuzz_as("a customer", (api, token), document, phases).await;
    assert!(
        fuzzed.answered(200..=299) > 0 && fuzzed.answered(403..=403) > 0,
        "a customer reaches its own resources and is refused the others': {:?}",
        fuzzed.statuses
    );
}

fn main() {
    assert!(
        workspace().join("docs/openapi.yaml").exists(),
        "docs/openapi.yaml is missing"
    );
    Suite::new()
        .add(
            "the_contract_is_served_without_a_token",
            the_contract_is_served_without_a_token,
        )
        .add(
            "min_version_answers_as_documented",
            min_version_answers_as_documented,
        )
        .add(
            "the_fuzzer_finds_nothing_as_an_operator",
            the_fuzzer_finds_nothing_as_an_operator,
        )
        .add(
            "the_fuzzer_finds_nothing_as_a_customer",
            the_fuzzer_finds_nothing_as_a_customer,
        )
        .run_on_local_cloud()
}
