//! `local-cloud token` and `localstack/token`: what they print passes the local JWT authorizer
//! with the claims of its role; wrong arguments exit with 2; the development key is made once.

mod common;

use std::os::unix::fs::PermissionsExt;
use std::path::{Path, PathBuf};
use std::process::{Command, Output};

use local_cloud::auth::{self, Refusal};
use local_cloud::devkey::DevKey;
use local_cloud::template::{RouteAuth, Stack, StackContext};

const BIN: &str = env!("CARGO_BIN_EXE_local-cloud");

fn local_cloud(key_file: &Path, args: &[&str]) -> Command {
    let mut command = Command::new(BIN);
    command
        .arg("token")
        .args(args)
        .arg("--template")
        .arg(common::auth_fixture_path())
        .env("ES_LOCAL_KEY_FILE", key_file)
        .env_remove("LOCAL_CLOUD_LOG");
    command
}

fn key_file(name: &str) -> PathBuf {
    common::temp_dir(name).join("nested").join("key.pem")
}

/// The authorizer of the fixture's `GET /radars`.
fn route_auth() -> RouteAuth {
    let stack = Stack::from_template(
        &common::auth_fixture(),
        StackContext::local("http://127.0.0.1:1"),
    )
    .unwrap();
    stack.function("list-radars").unwrap().routes[0]
        .auth
        .clone()
        .expect("a protected route")
}

/// The one line of standard output.
fn printed_token(output: &Output) -> String {
    assert!(
        output.status.success(),
        "{}",
        String::from_utf8_lossy(&output.stderr)
    );
    let stdout = String::from_utf8(output.stdout.clone()).unwrap();
    assert!(stdout.ends_with('\n'), "{stdout:?}");
    assert_eq!(stdout.lines().count(), 1, "{stdout:?}");
    let token = stdout.trim_end().to_string();
    assert_eq!(token.split('.').count(), 3, "{token}");
    token
}

fn verify(token: &str, key_file: &Path) -> Result<auth::JwtContext, Refusal> {
    let key = DevKey::load_or_create(key_file).unwrap();
    auth::verify(token, &route_auth(), &key, local_cloud::token::now())
}

#[test]
fn the_token_command_prints_a_token_the_authorizer_accepts() {
    let key = key_file("token-cli");
    let operator = printed_token(&local_cloud(&key, &["operator"]).output().unwrap());
    let mode = std::fs::metadata(&key).unwrap().permissions().mode();
    assert_eq!(mode & 0o777, 0o600);
    let claims = verify(&operator, &key).expect("a valid token").claims;
    assert_eq!(claims["cognito:groups"], "[operator]");
    assert_eq!(claims["aud"], "localpeopleclient");
    assert_eq!(claims["iss"], common::ISSUER);
    assert_eq!(claims["token_use"], "id");
    assert!(!claims.contains_key("custom:subject_id"));
    let lifetime: i64 =
        claims["exp"].parse::<i64>().unwrap() - claims["iat"].parse::<i64>().unwrap();
    assert_eq!(lifetime, 3600);

    let radar = printed_token(&local_cloud(&key, &["radar", "r-7"]).output().unwrap());
    let claims = verify(&radar, &key).expect("a valid token").claims;
    assert_eq!(claims["cognito:groups"], "[radar]");
    assert_eq!(claims["custom:subject_id"], "r-7");
    assert_eq!(claims["aud"], "localradarclient");

    for (role, id) in [("owner", "o-1"), ("customer", "c-1")] {
        let token = printed_token(&local_cloud(&key, &[role, id]).output().unwrap());
        let claims = verify(&token, &key).expect("a valid token").claims;
        assert_eq!(claims["custom:subject_id"], id);
        assert_eq!(claims["aud"], "localpeopleclient");
    }

    let expired = printed_token(
        &local_cloud(&key, &["auditor", "--expires-in", "-60"])
            .output()
            .unwrap(),
    );
    assert_eq!(
        verify(&expired, &key).unwrap_err(),
        Refusal::Invalid("expired token".into())
    );
    // A token of another key file does not pass with this one.
    let foreign = printed_token(
        &local_cloud(&key_file("token-cli-foreign"), &["operator"])
            .output()
            .unwrap(),
    );
    assert!(
        matches!(verify(&foreign, &key), Err(Refusal::Invalid(m)) if m.contains("bad signature"))
    );
}

#[test]
fn wrong_roles_and_ids_exit_with_2_and_say_why() {
    let key = key_file("token-cli-errors");
    for (args, says) in [
        (&["radar"][..], "radar"),
        (&["owner"], "owner"),
        (&["operator", "o-1"], "operator"),
        (&["boss"], "boss"),
        (&[], "ROLE"),
    ] {
        let output = local_cloud(&key, args).output().unwrap();
        assert_eq!(output.status.code(), Some(2), "{args:?}");
        assert!(output.stdout.is_empty(), "{args:?}");
        let stderr = String::from_utf8_lossy(&output.stderr);
        assert!(stderr.contains(says), "{args:?}: {stderr}");
    }
    // Nothing was signed, so no key was made.
    assert!(!key.exists());
}

#[test]
fn processes_that_make_the_key_at_once_agree_on_one() {
    let key = key_file("token-cli-race");
    let children: Vec<_> = (0..4)
        .map(|_| {
            local_cloud(&key, &["operator"])
                .stdout(std::process::Stdio::piped())
                .stderr(std::process::Stdio::piped())
                .spawn()
                .unwrap()
        })
        .collect();
    let kids: Vec<String> = children
        .into_iter()
        .map(|child| {
            let token = printed_token(&child.wait_with_output().unwrap());
            jsonwebtoken::decode_header(&token).unwrap().kid.unwrap()
        })
        .collect();
    assert!(kids.iter().all(|kid| kid == &kids[0]), "{kids:?}");
    assert_eq!(DevKey::load_or_create(&key).unwrap().kid, kids[0]);
    let leftovers = std::fs::read_dir(key.parent().unwrap()).unwrap().count();
    assert_eq!(leftovers, 1, "temporary files left behind");
}

#[test]
fn the_token_script_prints_only_the_token() {
    let key = key_file("token-script");
    let script = Path::new(env!("CARGO_MANIFEST_DIR")).join("../token");
    let output = Command::new(&script)
        .args(["customer", "c-9", "--template"])
        .arg(common::auth_fixture_path())
        .env("ES_LOCAL_KEY_FILE", &key)
        // The binary cargo built for this test (the script's own choice depends on mtimes).
        .env("LOCAL_CLOUD_BIN", BIN)
        .current_dir(std::env::temp_dir())
        .output()
        .unwrap();
    let token = printed_token(&output);
    let claims = verify(&token, &key).expect("a valid token").claims;
    assert_eq!(claims["custom:subject_id"], "c-9");
    assert_eq!(claims["cognito:groups"], "[customer]");
}
