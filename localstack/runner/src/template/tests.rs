//! The template read as data: the real template.yaml, intrinsics and authorizers.

use std::collections::BTreeSet;
use std::path::Path;
use std::time::Duration;

use saphyr::{LoadableYamlNode, Yaml};

use super::document::yaml_to_json;
use super::*;

fn real_template() -> Template {
    let path = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    Template::load(&path).expect("template.yaml parses")
}

fn real_stack() -> Stack {
    Stack::from_template(
        &real_template(),
        StackContext::local("http://127.0.0.1:4566"),
    )
    .expect("the stack resolves")
}

fn tiny(yaml: &str) -> Template {
    Template::parse(yaml).expect("parses")
}

#[test]
fn the_real_template_has_the_event_store_and_read_model_tables() {
    let stack = real_stack();
    let names: BTreeSet<&str> = stack.tables.iter().map(|t| t.name.as_str()).collect();
    for table in [
        "EventsTable",
        "RadarsTable",
        "OwnersTable",
        "VehiclesTable",
        "InfractionsTable",
        "PlateOwnersTable",
        "InventoryTable",
        "CustomersTable",
        "CartsTable",
        "OrdersTable",
        "OrderReportsTable",
    ] {
        assert!(names.contains(table), "{table} in {names:?}");
    }
    let events = stack
        .tables
        .iter()
        .find(|t| t.name == "EventsTable")
        .unwrap();
    assert_eq!(events.stream_view_type.as_deref(), Some("NEW_IMAGE"));
    assert_eq!(
        events.key_schema,
        vec![
            KeyElement {
                name: "stream_id".into(),
                key_type: "HASH".into()
            },
            KeyElement {
                name: "version".into(),
                key_type: "RANGE".into()
            },
        ]
    );
    assert!(events.attributes.contains(&("version".into(), "N".into())));
    let indexes: Vec<&str> = events
        .global_indexes
        .iter()
        .map(|i| i.name.as_str())
        .collect();
    assert_eq!(indexes, ["by_correlation", "global_feed"]);
    let infractions = stack
        .tables
        .iter()
        .find(|t| t.name == "InfractionsTable")
        .unwrap();
    assert_eq!(infractions.global_indexes.len(), 4);
    assert!(infractions.stream_view_type.is_none());
}

#[test]
fn the_real_template_queues_redrive_to_their_dead_letter_queues_created_first() {
    let stack = real_stack();
    let position = |name: &str| {
        stack
            .queues
            .iter()
            .position(|q| q.name == name)
            .unwrap_or_else(|| panic!("queue {name}"))
    };
    for queue in [
        "RadarProjectionQueue",
        "OwnerProjectionQueue",
        "VehicleProjectionQueue",
        "InfractionProjectionQueue",
        "InfractionPolicyQueue",
        "InventoryProjectionQueue",
        "CustomerProjectionQueue",
        "CartProjectionQueue",
        "OrderProjectionQueue",
        "ReserveStockQueue",
        "TakePaymentQueue",
        "CommitStockQueue",
        "ReleaseStockQueue",
        "ConfirmOrderQueue",
        "CancelOrderQueue",
    ] {
        let spec = &stack.queues[position(queue)];
        let redrive = spec.redrive.as_ref().expect("a redrive policy");
        assert_eq!(
            redrive.dead_letter_arn,
            format!("arn:aws:sqs:us-east-1:123456789012:{queue}DLQ")
        );
        assert_eq!(redrive.max_receive_count, 5);
        assert_eq!(spec.visibility_timeout, Some(180));
        assert!(position(&format!("{queue}DLQ")) < position(queue));
        let policy: Value = serde_json::from_str(&spec.attributes["RedrivePolicy"]).unwrap();
        assert_eq!(policy["maxReceiveCount"], 5);
    }
    assert!(stack.queues.iter().any(|q| q.name == "PublishEventsDLQ"));
    // 15 consumer queues with their DLQs, PublishEventsDLQ and RuleTargetsDLQ.
    assert_eq!(stack.queues.len(), 32);
}

#[test]
fn the_real_template_bus_and_rules_resolve_to_names_and_queue_arns() {
    let stack = real_stack();
    assert_eq!(stack.buses.len(), 1);
    assert_eq!(stack.buses[0].name, "es-serverless-traffic");
    assert_eq!(stack.rules.len(), 15);
    for rule in &stack.rules {
        assert_eq!(rule.bus_name, "es-serverless-traffic");
        assert!(rule.enabled);
        assert_eq!(rule.targets.len(), 1);
        assert!(stack.queue_by_arn(&rule.targets[0].arn).is_some());
    }
    let rule = |name: &str| stack.rules.iter().find(|r| r.name == name).unwrap();
    let owners = rule("OwnerProjectionRule");
    assert_eq!(
        owners.pattern,
        serde_json::json!({"source": ["registration-service"], "detail": {"aggregate_type": ["owner"]}})
    );
    assert_eq!(
        owners.targets[0].arn,
        "arn:aws:sqs:us-east-1:123456789012:OwnerProjectionQueue"
    );
    let policy = rule("InfractionPolicyRule");
    assert_eq!(
        policy.pattern["detail-type"],
        serde_json::json!([
            "OverspeedDetected",
            "VehicleRegistered",
            "VehicleOwnershipTransferred"
        ])
    );
}

#[test]
fn the_real_template_functions_have_their_binaries_routes_and_environment() {
    let stack = real_stack();
    let install = stack.function("install-radar").expect("install-radar");
    assert_eq!(install.logical_id, "InstallRadarFunction");
    assert_eq!(install.routes.len(), 1);
    assert_eq!(
        install.routes[0].method_and_path,
        Some(("POST".into(), "/radars".into()))
    );
    assert_eq!(install.environment["EVENTS_TABLE"], "EventsTable");
    // Snapshots live in the events table: no table of their own.
    assert!(!install.environment.contains_key("SNAPSHOTS_TABLE"));
    // Globals.Function: environment merged, timeout inherited.
    assert_eq!(install.environment["RUST_LOG"], "info");
    assert_eq!(install.timeout, Duration::from_secs(10));

    let not_found = stack.function("route-not-found").expect("route-not-found");
    assert_eq!(not_found.routes.len(), 1);
    assert_eq!(not_found.routes[0].method_and_path, None);
    assert_eq!(
        stack.function("record-detection").unwrap().routes[0].route_key(),
        "POST /radars/{radar_id}/detections"
    );
    let routes: usize = stack.functions.iter().map(|f| f.routes.len()).sum();
    // 27 routes of the contract and $default (more come with the order system).
    assert!(routes >= 28, "{routes} routes");
}

#[test]
fn the_real_template_event_sources_are_the_stream_and_the_queues() {
    let stack = real_stack();
    let publish = stack.function("publish-events").expect("publish-events");
    assert_eq!(
        publish.environment["EVENT_BUS_NAME"],
        "es-serverless-traffic"
    );
    assert_eq!(publish.timeout, Duration::from_secs(30));
    assert_eq!(
        publish.stream_sources,
        vec![StreamSource {
            stream_arn: "arn:aws:dynamodb:us-east-1:123456789012:table/EventsTable/stream/*".into(),
            table_name: "EventsTable".into(),
            batch_size: 10,
            starting_position: "TRIM_HORIZON".into(),
            maximum_retry_attempts: Some(100),
            report_batch_item_failures: true,
            on_failure_arn: Some("arn:aws:sqs:us-east-1:123456789012:PublishEventsDLQ".into()),
            enabled: true,
        }]
    );
    let mut consumers: Vec<(String, String)> = stack
        .functions
        .iter()
        .flat_map(|f| {
            f.sqs_sources
                .iter()
                .map(|s| (s.queue_name.clone(), f.name.clone()))
        })
        .collect();
    consumers.sort();
    assert_eq!(
        consumers,
        [
            ("CancelOrderQueue", "cancel-order"),
            ("CartProjectionQueue", "project-carts"),
            ("CommitStockQueue", "commit-stock"),
            ("ConfirmOrderQueue", "confirm-order"),
            ("CustomerProjectionQueue", "project-customers"),
            ("InfractionPolicyQueue", "infraction-policy"),
            ("InfractionProjectionQueue", "project-infractions"),
            ("InventoryProjectionQueue", "project-inventory"),
            ("OrderProjectionQueue", "project-orders"),
            ("OwnerProjectionQueue", "project-owners"),
            ("RadarProjectionQueue", "project-radars"),
            ("ReleaseStockQueue", "release-stock"),
            ("ReserveStockQueue", "reserve-stock"),
            ("TakePaymentQueue", "take-payment"),
            ("VehicleProjectionQueue", "project-vehicles"),
        ]
        .map(|(q, f)| (q.to_string(), f.to_string()))
    );
    for function in stack.functions.iter().filter(|f| !f.sqs_sources.is_empty()) {
        assert!(function.sqs_sources[0].report_batch_item_failures);
        assert_eq!(function.sqs_sources[0].batch_size, 10);
    }
}

#[test]
fn the_merged_function_environment_has_every_contract_name() {
    let stack = real_stack();
    let (env, conflicts) = stack.function_environment();
    assert!(conflicts.is_empty(), "{conflicts:?}");
    for (key, value) in [
        ("EVENTS_TABLE", "EventsTable"),
        ("RADARS_TABLE", "RadarsTable"),
        ("OWNERS_TABLE", "OwnersTable"),
        ("VEHICLES_TABLE", "VehiclesTable"),
        ("INFRACTIONS_TABLE", "InfractionsTable"),
        ("PLATE_OWNERS_TABLE", "PlateOwnersTable"),
        ("INVENTORY_TABLE", "InventoryTable"),
        ("CUSTOMERS_TABLE", "CustomersTable"),
        ("CARTS_TABLE", "CartsTable"),
        ("ORDERS_TABLE", "OrdersTable"),
        ("ORDER_REPORTS_TABLE", "OrderReportsTable"),
        ("EVENT_BUS_NAME", "es-serverless-traffic"),
    ] {
        assert_eq!(env.get(key).map(String::as_str), Some(value), "{key}");
    }
}

#[test]
fn intrinsics_resolve_refs_attributes_and_substitutions() {
    let template = tiny(
        r#"
Parameters:
  Stage:
    Type: String
    Default: dev
Resources:
  Table:
    Type: AWS::DynamoDB::Table
    Properties:
      TableName:
        Fn::Sub: ${AWS::StackName}-table-${Stage}
  Queue:
    Type: AWS::SQS::Queue
  Bus:
    Type: AWS::Events::EventBus
    Properties:
      Name: my-bus
"#,
    );
    let ctx = StackContext::local("http://127.0.0.1:4566/");
    let r = Resolver::new(&template, &ctx);
    let resolve = |yaml: &str| r.resolve(&tiny_value(yaml)).unwrap();
    assert_eq!(resolve("Ref: Table"), "es-serverless-table-dev");
    assert_eq!(
        resolve("Ref: Queue"),
        "http://127.0.0.1:4566/123456789012/Queue"
    );
    assert_eq!(
        resolve("Fn::GetAtt: [Queue, Arn]"),
        "arn:aws:sqs:us-east-1:123456789012:Queue"
    );
    assert_eq!(
        resolve("Fn::GetAtt: Table.Arn"),
        "arn:aws:dynamodb:us-east-1:123456789012:table/es-serverless-table-dev"
    );
    assert_eq!(
        resolve("Fn::Sub: ${Table.Arn}/index/*"),
        "arn:aws:dynamodb:us-east-1:123456789012:table/es-serverless-table-dev/index/*"
    );
    assert_eq!(
        resolve("Fn::Sub: ${!Literal}-${AWS::Region}-${Bus}"),
        "${Literal}-us-east-1-my-bus"
    );
    assert_eq!(
        resolve("Fn::Sub: [\"${X}-${AWS::AccountId}\", {X: {Ref: Bus}}]"),
        "my-bus-123456789012"
    );
    assert_eq!(resolve("Fn::Join: [\":\", [a, {Ref: Stage}]]"), "a:dev");
    assert_eq!(
        resolve("{Nested: [{Ref: Bus}, 3]}"),
        serde_json::json!({"Nested": ["my-bus", 3]})
    );
    assert!(r.resolve(&tiny_value("Ref: Missing")).is_err());
    assert!(r.resolve(&tiny_value("Fn::GetAtt: [Queue, Nope]")).is_err());
    assert!(r.resolve(&tiny_value("Fn::If: [c, a, b]")).is_err());
}

#[test]
fn known_stream_arns_replace_the_placeholder() {
    let template = tiny("Resources:\n  T:\n    Type: AWS::DynamoDB::Table\n");
    let mut ctx = StackContext::local("http://h:1");
    let r = Resolver::new(&template, &ctx);
    assert_eq!(
        r.resolve(&tiny_value("Fn::GetAtt: [T, StreamArn]"))
            .unwrap(),
        "arn:aws:dynamodb:us-east-1:123456789012:table/T/stream/*"
    );
    ctx.stream_arns
        .insert("T".into(), "arn:aws:dynamodb:x:table/T/stream/2026".into());
    let r = Resolver::new(&template, &ctx);
    assert_eq!(
        r.resolve(&tiny_value("Fn::GetAtt: [T, StreamArn]"))
            .unwrap(),
        "arn:aws:dynamodb:x:table/T/stream/2026"
    );
}

#[test]
fn short_form_tags_are_refused_with_a_clear_error() {
    let error = Template::parse("Resources:\n  Q:\n    Type: AWS::SQS::Queue\n    Properties:\n      QueueName: !Ref Other\n")
        .expect_err("a tag is refused");
    assert!(error.to_string().contains("long form"), "{error}");
}

const ISSUER: &str = "https://cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool";

fn auth_fixture() -> Template {
    tiny(include_str!("../../tests/fixtures/auth-template.yaml"))
}

fn route_of<'s>(stack: &'s Stack, function: &str) -> &'s RouteSpec {
    &stack.function(function).expect(function).routes[0]
}

#[test]
fn routes_are_behind_the_default_jwt_authorizer_unless_none() {
    let stack = Stack::from_template(&auth_fixture(), StackContext::local("http://h:1")).unwrap();
    let expected = JwtAuthorizerSpec {
        name: "HttpApi.CognitoJwt".into(),
        header: "authorization".into(),
        issuer: ISSUER.into(),
        audiences: vec!["localpeopleclient".into(), "localradarclient".into()],
    };
    assert_eq!(
        route_of(&stack, "list-radars").auth,
        Some(RouteAuth {
            authorizer: expected.clone(),
            scopes: vec![]
        })
    );
    assert_eq!(route_of(&stack, "openapi").auth, None);
    let fallback = route_of(&stack, "route-not-found");
    assert_eq!(fallback.method_and_path, None);
    assert_eq!(
        fallback.auth.as_ref().map(|a| &a.authorizer),
        Some(&expected)
    );
    assert_eq!(
        route_of(&stack, "scoped").auth.as_ref().unwrap().scopes,
        ["radars/write"]
    );
    assert_eq!(stack.jwt_authorizers(), [&expected]);
    // The user pool is stood in for, not missing.
    assert!(stack.warnings.is_empty(), "{:?}", stack.warnings);
}

#[test]
fn cognito_resources_resolve_to_stable_local_ids() {
    let template = auth_fixture();
    let ctx = StackContext::local("http://h:1");
    let r = Resolver::new(&template, &ctx);
    let resolve = |yaml: &str| r.resolve(&tiny_value(yaml)).unwrap();
    assert_eq!(resolve("Ref: UserPool"), "us-east-1_UserPool");
    assert_eq!(resolve("Ref: PeopleClient"), "localpeopleclient");
    assert_eq!(resolve("Ref: RadarClient"), "localradarclient");
    assert_eq!(resolve("Ref: OperatorGroup"), "operator");
    assert_eq!(
        resolve("Fn::GetAtt: [UserPool, Arn]"),
        "arn:aws:cognito-idp:us-east-1:123456789012:userpool/us-east-1_UserPool"
    );
    assert_eq!(
        resolve("Fn::GetAtt: UserPool.ProviderURL"),
        "cognito-idp.us-east-1.amazonaws.com/us-east-1_UserPool"
    );
    assert_eq!(
        resolve("Fn::GetAtt: [RadarClient, ClientId]"),
        "localradarclient"
    );
}

#[test]
fn authorizers_that_are_not_emulated_are_refused() {
    let with = |authorizer: &str, route_auth: &str| {
        tiny(&format!(
            r#"
Resources:
  Api:
    Type: AWS::Serverless::HttpApi
    Properties:
      Auth:
        DefaultAuthorizer: Default
        Authorizers:
          Default:
{authorizer}
  F:
    Type: AWS::Serverless::Function
    Properties:
      Events:
        E:
          Type: HttpApi
          Properties:
            ApiId:
              Ref: Api
            Path: /x
            Method: GET
{route_auth}
"#
        ))
    };
    let jwt = "            JwtConfiguration:\n              issuer: https://i\n              audience: [a]";
    let stack = |t: Template| Stack::from_template(&t, StackContext::local("http://h:1"));
    let lambda = with("            FunctionArn: arn:aws:lambda:x", "");
    let error = stack(lambda).unwrap_err().to_string();
    assert!(error.contains("only those are emulated"), "{error}");
    let unknown = with(jwt, "            Auth:\n              Authorizer: Other");
    assert!(stack(unknown).unwrap_err().to_string().contains("Other"));
    let no_audience = with(
        "            JwtConfiguration:\n              issuer: https://i",
        "",
    );
    assert!(stack(no_audience).is_err());
    let public = with(jwt, "            Auth:\n              Authorizer: NONE");
    assert_eq!(stack(public).unwrap().functions[0].routes[0].auth, None);
    let protected = stack(with(jwt, "")).unwrap();
    let auth = protected.functions[0].routes[0].auth.clone().unwrap();
    assert_eq!(
        (auth.authorizer.issuer.as_str(), auth.authorizer.audiences),
        ("https://i", vec!["a".to_string()])
    );
}

/// SPEC §7: every route of template.yaml needs a token of its user pool, except
/// `GET /openapi.json`.
#[test]
fn the_real_template_protects_every_route_but_the_openapi_document() {
    let stack = real_stack();
    for function in &stack.functions {
        for route in &function.routes {
            let key = route.route_key();
            match &route.auth {
                None => assert_eq!(key, "GET /openapi.json", "{} is public", function.name),
                Some(auth) => {
                    assert_eq!(auth.authorizer.issuer, ISSUER, "{key}");
                    assert_eq!(
                        auth.authorizer.audiences,
                        ["localpeopleclient", "localradarclient"],
                        "{key}"
                    );
                    assert_eq!(auth.authorizer.header, "authorization");
                }
            }
        }
    }
}

/// The queue pollers are woken after the functions that may put messages on queues ran.
#[test]
fn functions_that_may_send_messages_are_read_from_their_policies() {
    let stack = real_stack();
    let sends = |name: &str| stack.function(name).expect(name).sends_messages;
    assert!(sends("publish-events"), "EventBridgePutEventsPolicy");
    assert!(!sends("project-radars"), "DynamoDB policies only");
    assert!(!sends("install-radar"), "statements of DynamoDB actions");

    let template = tiny(
        r#"
Resources:
  Sending:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: [dynamodb:GetItem, sqs:SendMessageBatch]
            Resource: "*"
  Reading:
    Type: AWS::IAM::ManagedPolicy
    Properties:
      PolicyDocument:
        Statement:
          - Effect: Allow
            Action: dynamodb:GetItem
            Resource: "*"
"#,
    );
    let policies = |yaml: &str| sends_messages(&template, Some(&tiny_value(yaml)));
    assert!(policies("- SQSSendMessagePolicy: {QueueName: q}"));
    assert!(policies(
        "- Statement: [{Effect: Allow, Action: 'events:*', Resource: '*'}]"
    ));
    assert!(policies("- Ref: Sending"));
    assert!(policies("- SomeManagedPolicyOfMine"));
    assert!(!policies("- Ref: Reading"));
    assert!(!policies("- AWSLambdaBasicExecutionRole"));
    assert!(!policies("- DynamoDBCrudPolicy: {TableName: t}"));
    assert!(!sends_messages(&template, None));
}

fn tiny_value(yaml: &str) -> Value {
    let docs = Yaml::load_from_str(yaml).unwrap();
    yaml_to_json(&docs[0], "").unwrap()
}
