use std::collections::{BTreeSet, HashMap};

use lambda_http::http::Method;
use saphyr::{LoadableYamlNode, Yaml};

use super::*;
use crate::serve::respond;
use crate::{ApiError, ApiRequest, ApiResponse, App};

/// `METHOD /path` of every `HttpApi` event of every function in template.yaml.
fn template_routes() -> BTreeSet<String> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../template.yaml");
    let text = std::fs::read_to_string(path).expect("template.yaml");
    let docs = Yaml::load_from_str(&text).expect("template.yaml is YAML");
    let resources = docs[0]["Resources"].as_mapping().expect("Resources");
    let mut routes = BTreeSet::new();
    for (_, resource) in resources {
        let events = resource
            .as_mapping_get("Properties")
            .and_then(|p| p.as_mapping_get("Events"))
            .and_then(Yaml::as_mapping);
        let Some(events) = events else {
            continue;
        };
        for (_, event) in events {
            if event.as_mapping_get("Type").and_then(Yaml::as_str) != Some("HttpApi") {
                continue;
            }
            let field = |name: &str| {
                event
                    .as_mapping_get("Properties")
                    .and_then(|p| p.as_mapping_get(name))
                    .and_then(Yaml::as_str)
            };
            match (field("Method"), field("Path")) {
                (Some(method), Some(path)) => {
                    routes.insert(format!("{} {path}", method.to_ascii_uppercase()));
                }
                _ => {
                    routes.insert("$default".to_owned());
                }
            }
        }
    }
    routes
}

#[test]
fn every_route_of_the_template_has_a_rule_and_every_rule_a_route() {
    let template = template_routes();
    let declared: BTreeSet<String> = ROUTES
        .iter()
        .map(Route::key)
        .chain([DEFAULT_ROUTE.path.to_owned()])
        .collect();
    assert_same_routes(
        (&template, "template routes without a rule"),
        (&declared, "rules for routes the template lacks"),
    );
    for key in &template {
        assert!(rule_for(key).is_some(), "{key}");
    }
}

/// One operation of docs/openapi.yaml, the published contract (SPEC §8).
struct Operation {
    /// `METHOD /path`, as a route key.
    key: String,
    /// Its `x-roles`.
    roles: BTreeSet<String>,
    /// `security: []`: no token needed.
    public: bool,
    /// `(in, lower-case name)` of every parameter, the path item's included.
    parameters: BTreeSet<(String, String)>,
    /// The statuses it documents.
    statuses: BTreeSet<String>,
}

impl Operation {
    fn has(&self, location: &str, name: &str) -> bool {
        self.parameters
            .contains(&(location.to_owned(), name.to_ascii_lowercase()))
    }

    fn answers(&self, status: &str) -> bool {
        self.statuses.contains(status)
    }
}

fn text_of(node: &Yaml) -> Option<String> {
    node.as_str()
        .map(str::to_owned)
        .or_else(|| node.as_integer().map(|n| n.to_string()))
}

/// Every operation of docs/openapi.yaml.
fn contract_operations() -> Vec<Operation> {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/../../docs/openapi.yaml");
    let text = std::fs::read_to_string(path).expect("docs/openapi.yaml");
    let docs = Yaml::load_from_str(&text).expect("docs/openapi.yaml is YAML");
    let document = &docs[0];
    let components = document["components"]["parameters"]
        .as_mapping()
        .expect("components.parameters");
    let parameter = |node: &Yaml| -> (String, String) {
        let node = match node.as_mapping_get("$ref").and_then(Yaml::as_str) {
            Some(reference) => {
                let name = reference
                    .strip_prefix("#/components/parameters/")
                    .unwrap_or_else(|| panic!("a parameter's $ref: {reference}"));
                components
                    .iter()
                    .find(|(key, _)| key.as_str() == Some(name))
                    .map(|(_, value)| value)
                    .unwrap_or_else(|| panic!("no parameter {name}"))
            }
            None => node,
        };
        let field = |name: &str| {
            node.as_mapping_get(name)
                .and_then(Yaml::as_str)
                .unwrap_or_else(|| panic!("a parameter without {name}"))
        };
        (field("in").to_owned(), field("name").to_ascii_lowercase())
    };
    let parameters_of = |node: &Yaml| -> Vec<(String, String)> {
        node.as_mapping_get("parameters")
            .and_then(Yaml::as_sequence)
            .map(|list| list.iter().map(parameter).collect())
            .unwrap_or_default()
    };
    let mut operations = Vec::new();
    for (path, item) in document["paths"].as_mapping().expect("paths") {
        let path = path.as_str().expect("a path is text");
        let shared = parameters_of(item);
        for method in ["get", "put", "post", "delete", "patch", "head", "options"] {
            let Some(operation) = item.as_mapping_get(method) else {
                continue;
            };
            let roles = operation
                .as_mapping_get("x-roles")
                .and_then(Yaml::as_sequence)
                .unwrap_or_else(|| panic!("{method} {path} has no x-roles"))
                .iter()
                .map(|role| role.as_str().expect("a role").to_owned())
                .collect();
            let public = operation
                .as_mapping_get("security")
                .and_then(Yaml::as_sequence)
                .is_some_and(|security| security.is_empty());
            let statuses = operation
                .as_mapping_get("responses")
                .and_then(Yaml::as_mapping)
                .unwrap_or_else(|| panic!("{method} {path} has no responses"))
                .keys()
                .map(|status| text_of(status).expect("a status"))
                .collect();
            operations.push(Operation {
                key: format!("{} {path}", method.to_ascii_uppercase()),
                roles,
                public,
                parameters: shared
                    .iter()
                    .cloned()
                    .chain(parameters_of(operation))
                    .collect(),
                statuses,
            });
        }
    }
    operations
}

/// SPEC §8: "It matches template.yaml's routes exactly".
#[test]
fn the_published_contract_has_exactly_the_routes_of_the_template() {
    let template: BTreeSet<String> = template_routes()
        .into_iter()
        .filter(|key| key != "$default")
        .collect();
    let operations = contract_operations();
    let documented: BTreeSet<String> = operations.iter().map(|o| o.key.clone()).collect();
    assert_eq!(documented.len(), operations.len(), "an operation twice");
    assert_same_routes(
        (
            &template,
            "routes of template.yaml that docs/openapi.yaml lacks",
        ),
        (
            &documented,
            "operations of docs/openapi.yaml that template.yaml does not route",
        ),
    );
}

/// Asserts that two lists of route keys are the same, each given with what is said of the
/// routes only it has.
fn assert_same_routes(
    (left, only_left): (&BTreeSet<String>, &str),
    (right, only_right): (&BTreeSet<String>, &str),
) {
    let left_only: Vec<_> = left.difference(right).collect();
    let right_only: Vec<_> = right.difference(left).collect();
    assert!(left_only.is_empty(), "{only_left}: {left_only:?}");
    assert!(right_only.is_empty(), "{only_right}: {right_only:?}");
}

/// Each operation's `x-roles` are the roles its access rule admits; only a public route says
/// `security: []`, and every other documents 401 and 403.
#[test]
fn the_published_contract_says_who_may_call_each_operation() {
    for operation in contract_operations() {
        let route =
            rule_for(&operation.key).unwrap_or_else(|| panic!("{}: no access rule", operation.key));
        assert_eq!(operation.public, route.is_public(), "{}", operation.key);
        let roles: BTreeSet<String> = Role::ALL
            .iter()
            .copied()
            .filter(|role| !route.is_public() && route.allows(*role))
            .map(|role| role.as_str().to_owned())
            .collect();
        assert_eq!(operation.roles, roles, "x-roles of {}", operation.key);
        if !route.is_public() {
            for status in ["401", "403"] {
                assert!(
                    operation.answers(status),
                    "{} lacks {status}",
                    operation.key
                );
            }
        }
    }
}

/// SPEC §8: every `POST` takes `Idempotency-Key` (a reused one is a 422, one in flight a 409);
/// every `GET` of one resource takes `min_version` (a view still behind is a 503), and no
/// other operation does; every list pages and documents its 400.
#[test]
fn the_published_contract_states_the_guarantees_of_spec_8() {
    const SINGLE_RESOURCES: [&str; 8] = [
        "GET /radars/{radar_id}",
        "GET /owners/{owner_id}",
        "GET /vehicles/{plate}",
        "GET /infractions/{infraction_id}",
        "GET /customers/{customer_id}",
        "GET /customers/{customer_id}/cart",
        "GET /orders/{order_id}",
        "GET /inventory/{product_id}",
    ];
    let operations = contract_operations();
    for single in SINGLE_RESOURCES {
        assert!(
            operations.iter().any(|o| o.key == single),
            "{single} is not documented"
        );
    }
    for operation in &operations {
        let key = operation.key.as_str();
        if key.starts_with("POST ") {
            assert!(
                operation.has("header", "Idempotency-Key"),
                "{key} lacks the Idempotency-Key header"
            );
            for status in ["409", "422"] {
                assert!(operation.answers(status), "{key} lacks {status}");
            }
        }
        let single = SINGLE_RESOURCES.contains(&key);
        assert_eq!(
            operation.has("query", "min_version"),
            single,
            "min_version on {key}"
        );
        if single {
            assert!(operation.answers("503"), "{key} lacks 503 view_behind");
        }
        if operation.has("query", "limit") {
            assert!(
                operation.has("query", "cursor"),
                "{key} pages without cursor"
            );
            assert!(operation.answers("400"), "{key} lacks 400 invalid_cursor");
        }
    }
}

/// The routes a token of `role` opens: SPEC §7's table is about the routes that need a token,
/// so the public ones (open to every role and to no token at all) are left out.
fn allowed(role: Role) -> BTreeSet<String> {
    ROUTES
        .iter()
        .filter(|route| !route.is_public() && route.allows(role))
        .map(Route::key)
        .collect()
}

fn set(keys: &[&str]) -> BTreeSet<String> {
    keys.iter().map(|k| (*k).to_owned()).collect()
}

/// SPEC §7: "Every route needs a token, except `GET /openapi.json`".
#[test]
fn only_the_contract_is_public() {
    let public: Vec<String> = ROUTES
        .iter()
        .filter(|route| route.is_public())
        .map(Route::key)
        .collect();
    assert_eq!(public, ["GET /openapi.json"]);
    assert!(!DEFAULT_ROUTE.is_public());
}

/// SPEC §7's table, role by role, written out from the SPEC rather than from the rules.
#[test]
fn each_roles_routes_are_the_specs() {
    let every: BTreeSet<String> = ROUTES
        .iter()
        .filter(|route| !route.is_public())
        .map(Route::key)
        .collect();
    assert_eq!(
        allowed(Role::Operator),
        every,
        "operator: every command and query"
    );

    let gets: BTreeSet<String> = every
        .iter()
        .filter(|k| k.starts_with("GET "))
        .cloned()
        .collect();
    assert_eq!(allowed(Role::Auditor), gets, "auditor: every GET");

    assert_eq!(
        allowed(Role::Radar),
        set(&["POST /radars/{radar_id}/detections"])
    );
    assert_eq!(
        allowed(Role::Owner),
        set(&[
            "GET /owners/{owner_id}",
            "GET /owners/{owner_id}/infractions",
            "GET /vehicles",
            "GET /vehicles/{plate}",
            "GET /infractions",
            "GET /infractions/{infraction_id}",
            "POST /infractions/{infraction_id}/payments",
            "POST /infractions/{infraction_id}/contest",
        ])
    );
    assert_eq!(
        allowed(Role::Customer),
        set(&[
            "GET /inventory",
            "GET /inventory/{product_id}",
            "GET /inventory/low-stock",
            "POST /customers/{customer_id}/deposits",
            "GET /customers/{customer_id}",
            "POST /customers/{customer_id}/cart/items",
            "DELETE /customers/{customer_id}/cart/items/{product_id}",
            "PUT /customers/{customer_id}/cart/items/{product_id}",
            "POST /customers/{customer_id}/cart/checkout",
            "GET /customers/{customer_id}/cart",
            "DELETE /customers/{customer_id}/cart",
            "GET /customers/{customer_id}/orders",
            "GET /customers/{customer_id}/summary",
            "GET /orders/{order_id}",
        ])
    );
}

#[test]
fn a_bound_role_is_always_bound_to_something() {
    for route in ROUTES {
        for grant in route.grants {
            if let Grant::Bound(role, binding) = grant {
                assert!(role.is_bound(), "{}", route.key());
                if let Binding::Path(name) = binding {
                    assert!(
                        route.path.contains(&format!("{{{name}}}")),
                        "{}",
                        route.key()
                    );
                }
            }
        }
    }
}

#[test]
fn claims_as_api_gateway_passes_them() {
    let claims = |pairs: &[(&str, &str)]| -> HashMap<String, String> {
        pairs
            .iter()
            .map(|(k, v)| ((*k).into(), (*v).into()))
            .collect()
    };
    let operator = Caller::from_claims(&claims(&[(GROUPS_CLAIM, "[operator]")])).unwrap();
    assert_eq!(
        operator,
        Caller {
            role: Role::Operator,
            subject: None
        }
    );
    let owner = Caller::from_claims(&claims(&[
        (GROUPS_CLAIM, "[owner]"),
        (SUBJECT_CLAIM, "o-1"),
    ]))
    .unwrap();
    assert_eq!(owner.subject.as_deref(), Some("o-1"));
    // Groups that are no role of this API are ignored; none, or two roles, is no role.
    assert_eq!(
        Caller::from_claims(&claims(&[(GROUPS_CLAIM, "[staff auditor]")]))
            .unwrap()
            .role,
        Role::Auditor
    );
    for groups in ["[]", "[staff]", "[operator auditor]"] {
        assert!(matches!(
            Caller::from_claims(&claims(&[(GROUPS_CLAIM, groups), ("sub", "x")])),
            Err(CallerError::NoRole(_))
        ));
    }
    // A bound role without its id is refused.
    assert!(Caller::from_claims(&claims(&[(GROUPS_CLAIM, "[customer]")])).is_err());
    assert_eq!(
        Caller::from_claims(&HashMap::new()),
        Err(CallerError::Unauthenticated)
    );
}

// Through `respond`, as `serve` runs every function.

fn app() -> App {
    let config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(aws_sdk_dynamodb::config::BehaviorVersion::latest())
        .build();
    App::new(aws_sdk_dynamodb::Client::from_conf(config), None)
}

fn request(method: Method, route_key: &str, path: &str) -> ApiRequest {
    ApiRequest::new(method, path, "").with_route_key(route_key)
}

fn as_role(request: ApiRequest, role: &str, subject: Option<&str>) -> ApiRequest {
    let request = request.with_claim(GROUPS_CLAIM, &format!("[{role}]"));
    match subject {
        Some(subject) => request.with_claim(SUBJECT_CLAIM, subject),
        None => request,
    }
}

async fn status_of(
    request: ApiRequest,
    handler: impl Fn(App, ApiRequest) -> std::future::Ready<Result<ApiResponse, ApiError>>,
) -> (u16, lambda_http::Response<lambda_http::Body>) {
    let response = respond(app(), request, handler).await;
    (response.status().as_u16(), response)
}

fn ok(_: App, _: ApiRequest) -> std::future::Ready<Result<ApiResponse, ApiError>> {
    std::future::ready(Ok(ApiResponse::ok(serde_json::json!({"secret": true}))))
}

#[tokio::test]
async fn a_route_nobody_declared_is_refused_and_its_function_never_runs() {
    let ran = std::sync::Arc::new(std::sync::atomic::AtomicBool::new(false));
    let seen = ran.clone();
    let request = as_role(
        request(
            Method::POST,
            "POST /radars/{radar_id}/self-destruct",
            "/radars/x/self-destruct",
        ),
        "operator",
        None,
    );
    let (status, _) = status_of(request, move |_, _| {
        seen.store(true, std::sync::atomic::Ordering::SeqCst);
        std::future::ready(Ok(ApiResponse::ok(serde_json::json!({}))))
    })
    .await;
    assert_eq!(status, 403);
    assert!(!ran.load(std::sync::atomic::Ordering::SeqCst));
}

#[tokio::test]
async fn no_token_is_a_401_that_says_bearer() {
    let (status, response) = status_of(request(Method::GET, "GET /radars", "/radars"), ok).await;
    assert_eq!(status, 401);
    assert_eq!(response.headers()["www-authenticate"], "Bearer");
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], "unauthenticated");
}

#[tokio::test]
async fn the_public_route_answers_without_a_token_and_with_one() {
    let get = || request(Method::GET, "GET /openapi.json", "/openapi.json");
    assert_eq!(status_of(get(), ok).await.0, 200);
    for role in ["operator", "radar"] {
        assert_eq!(
            status_of(as_role(get(), role, Some("r-1")), ok).await.0,
            200,
            "{role}"
        );
    }
}

#[tokio::test]
async fn a_role_the_route_does_not_allow_is_a_403() {
    let request = as_role(
        request(Method::POST, "POST /radars", "/radars"),
        "auditor",
        None,
    );
    let (status, response) = status_of(request, ok).await;
    assert_eq!(status, 403);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(body["error"]["code"], "forbidden");
}

#[tokio::test]
async fn a_path_bound_caller_reaches_only_its_own_subject() {
    let key = "POST /radars/{radar_id}/detections";
    let to = |radar: &str| {
        request(Method::POST, key, &format!("/radars/{radar}/detections"))
            .with_path_parameter("radar_id", radar)
    };
    let mine = "6f1c0b5e-0000-4000-8000-000000000001";
    // The status a radar bound to `mine` gets on the detections of `radar`.
    let status = |radar: &str| status_of(as_role(to(radar), "radar", Some(mine)), ok);
    assert_eq!(status(mine).await.0, 200);
    // UUIDs compare in any case.
    assert_eq!(status(&mine.to_ascii_uppercase()).await.0, 200);
    let other = "6f1c0b5e-0000-4000-8000-000000000002";
    assert_eq!(status(other).await.0, 403);
}

#[tokio::test]
async fn a_list_is_narrowed_to_the_bound_subject() {
    let key = "GET /infractions";
    let seen_filter = |_: App, request: ApiRequest| {
        std::future::ready(Ok(ApiResponse::ok(
            serde_json::json!({"owner_id": request.query("owner_id")}),
        )))
    };
    let owner = "ab000000-0000-4000-8000-000000000001";
    let (status, response) = status_of(
        as_role(
            request(Method::GET, key, "/infractions"),
            "owner",
            Some(owner),
        ),
        seen_filter,
    )
    .await;
    assert_eq!(status, 200);
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert_eq!(
        body["owner_id"], owner,
        "the filter is forced to the caller"
    );
    let another = request(Method::GET, key, "/infractions")
        .with_query("owner_id", "ab000000-0000-4000-8000-000000000002");
    assert_eq!(
        status_of(as_role(another, "owner", Some(owner)), seen_filter)
            .await
            .0,
        403
    );
    // The auditor is not narrowed.
    let (_, response) = status_of(
        as_role(request(Method::GET, key, "/infractions"), "auditor", None),
        seen_filter,
    )
    .await;
    let body: serde_json::Value = serde_json::from_slice(response.body()).unwrap();
    assert!(body["owner_id"].is_null());
}

#[tokio::test]
async fn a_resource_bound_route_must_check_whose_resource_it_is() {
    let key = "GET /orders/{order_id}";
    let customer = "cc000000-0000-4000-8000-000000000001";
    let get = || {
        as_role(
            request(Method::GET, key, "/orders/o1").with_path_parameter("order_id", "o1"),
            "customer",
            Some(customer),
        )
    };
    // A function that forgets the check answers nothing of the resource.
    assert_eq!(status_of(get(), ok).await.0, 403);
    let owned_by = |owner: &'static str| {
        move |_: App, request: ApiRequest| {
            std::future::ready(
                request
                    .ensure_subject(Some(owner), "order", "o1")
                    .map(|()| ApiResponse::ok(serde_json::json!({"order_id": "o1"}))),
            )
        }
    };
    assert_eq!(
        status_of(get(), owned_by("cc000000-0000-4000-8000-000000000001"))
            .await
            .0,
        200
    );
    assert_eq!(
        status_of(get(), owned_by("cc000000-0000-4000-8000-000000000002"))
            .await
            .0,
        404
    );
    // Unbound readers pass the check whoever owns the resource.
    let auditor = as_role(
        request(Method::GET, key, "/orders/o1").with_path_parameter("order_id", "o1"),
        "auditor",
        None,
    );
    assert_eq!(status_of(auditor, owned_by("anyone")).await.0, 200);
}

#[test]
fn parameters_match_one_segment() {
    assert!(matches("/radars/{radar_id}", "/radars/abc"));
    assert!(matches("/radars/{radar_id}", "/radars/abc/"));
    assert!(!matches("/radars/{radar_id}", "/radars"));
    assert!(!matches("/radars/{radar_id}", "/radars/abc/status"));
    assert!(!matches("/radars", "/owners"));
}

#[test]
fn allowed_methods_of_known_and_unknown_paths() {
    assert_eq!(allowed_methods("/radars"), ["GET", "POST"]);
    assert_eq!(allowed_methods("/radars/r1"), ["GET", "PATCH"]);
    assert_eq!(allowed_methods("/infractions/i1/payments"), ["POST"]);
    assert_eq!(
        allowed_methods("/customers/c1/cart/items/p1"),
        ["DELETE", "PUT"]
    );
    assert_eq!(allowed_methods("/customers/c1/cart/items"), ["POST"]);
    assert_eq!(allowed_methods("/customers/c1"), ["GET"]);
    assert_eq!(allowed_methods("/owners/o1/personal-data"), ["DELETE"]);
    assert_eq!(allowed_methods("/inventory/low-stock"), ["GET"]);
    assert_eq!(allowed_methods("/products"), ["POST"]);
    assert!(allowed_methods("/nothing/here").is_empty());
}
