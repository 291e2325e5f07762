//! What the integration tests share: a private moto (through `moto_serial.py`, as the local
//! cloud runs it) and an invoker that records what it is asked and answers as told.

#![allow(dead_code)]

use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};

use futures::future::BoxFuture;
use local_cloud::aws::Clients;
use local_cloud::devkey::DevKey;
use local_cloud::invoke::{Invocation, Invoker};
use local_cloud::provision::{provision, Provisioned};
use local_cloud::template::{Stack, StackContext, Template};
use local_cloud::token::{self, LocalPool, TokenRequest};
use serde_json::Value;

/// moto through moto_serial.py, as the local cloud runs it (test-support's `Moto`).
pub struct MotoSerial {
    _moto: test_support::Moto,
    pub endpoint: String,
}

impl MotoSerial {
    /// Panics, loudly, when moto is not installed: run the tests through `scripts/test`.
    pub fn start() -> Self {
        let moto = test_support::Moto::start();
        Self {
            endpoint: moto.endpoint(),
            _moto: moto,
        }
    }

    pub fn clients(&self) -> Clients {
        Clients::new(&self.endpoint, StackContext::REGION)
    }
}

pub fn real_template() -> Template {
    Template::load(&Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml"))
        .expect("template.yaml")
}

/// `tests/fixtures/auth-template.yaml`: the user pool, its clients, the default JWT authorizer,
/// a protected route (`GET /radars`), a public one (`GET /openapi.json`), one with a scope
/// (`POST /scoped`) and `$default`.
pub fn auth_fixture_path() -> PathBuf {
    Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/fixtures/auth-template.yaml")
}

pub fn auth_fixture() -> Template {
    Template::load(&auth_fixture_path()).expect("the auth fixture")
}

/// The issuer the templates' authorizer resolves to locally.
pub const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool";

/// A development key of its own, in a fresh temporary folder.
pub fn dev_key(name: &str) -> Arc<DevKey> {
    Arc::new(DevKey::load_or_create(&temp_dir(name).join("key.pem")).expect("a key"))
}

/// A token of `role` (and `id`) from the template's local user pool, signed by `key`.
pub fn token_for(template: &Template, key: &DevKey, role: &str, id: Option<&str>) -> String {
    let stack = Stack::from_template(template, StackContext::local("http://127.0.0.1:1")).unwrap();
    let pool = LocalPool::from_template(template, &stack).expect("the local user pool");
    let mut args = vec![role.to_string()];
    args.extend(id.map(String::from));
    let request = TokenRequest::parse(&args, 3600).unwrap();
    token::sign(&pool.id_token_claims(&request, token::now()), key).unwrap()
}

/// The real template provisioned on `moto`: the stack (with its stream ARNs) and what
/// provisioning learnt.
pub async fn provisioned(moto: &MotoSerial) -> (Stack, Provisioned, Clients) {
    let clients = moto.clients();
    let template = real_template();
    let stack = Stack::from_template(&template, StackContext::local(&moto.endpoint)).unwrap();
    let provisioned = provision(&stack, &clients).await.expect("provisioning");
    let mut context = StackContext::local(&moto.endpoint);
    context.stream_arns = provisioned.stream_arns.clone();
    let stack = Stack::from_template(&template, context).unwrap();
    (stack, provisioned, clients)
}

type Respond = dyn Fn(&str, &Value, usize) -> Invocation + Send + Sync;

/// Records every invocation (function, payload) and answers with `respond(function, payload,
/// number of earlier calls)`.
pub struct RecordingInvoker {
    pub calls: Mutex<Vec<(String, Value)>>,
    respond: Box<Respond>,
}

impl RecordingInvoker {
    pub fn new(
        respond: impl Fn(&str, &Value, usize) -> Invocation + Send + Sync + 'static,
    ) -> Arc<Self> {
        Arc::new(Self {
            calls: Mutex::new(vec![]),
            respond: Box::new(respond),
        })
    }

    /// Answers `{}` (success) to everything.
    pub fn succeeding() -> Arc<Self> {
        Self::new(|_, _, _| Invocation::Ok(b"{}".to_vec()))
    }

    pub fn calls(&self) -> Vec<(String, Value)> {
        self.calls.lock().unwrap().clone()
    }

    /// Every record delivered so far, in order.
    pub fn records(&self) -> Vec<Value> {
        self.calls()
            .into_iter()
            .flat_map(|(_, payload)| payload["Records"].as_array().cloned().unwrap_or_default())
            .collect()
    }
}

impl Invoker for RecordingInvoker {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
        _timeout: Duration,
    ) -> BoxFuture<'a, Invocation> {
        let payload: Value = serde_json::from_slice(&payload).expect("a JSON payload");
        let mut calls = self.calls.lock().unwrap();
        let answer = (self.respond)(function, &payload, calls.len());
        calls.push((function.to_string(), payload));
        Box::pin(async move { answer })
    }
}

/// Waits until `done()` holds, panicking after `deadline`.
pub async fn eventually(deadline: Duration, what: &str, mut done: impl FnMut() -> bool) {
    let started = Instant::now();
    while !done() {
        assert!(started.elapsed() < deadline, "timed out waiting for {what}");
        tokio::time::sleep(Duration::from_millis(50)).await;
    }
}

/// A fresh temporary folder.
pub fn temp_dir(name: &str) -> PathBuf {
    let dir = std::env::temp_dir().join(format!("local-cloud-{name}-{}", std::process::id()));
    let _ = std::fs::remove_dir_all(&dir);
    std::fs::create_dir_all(&dir).unwrap();
    dir
}
