//! The traffic system end to end, on the local cloud, through its HTTP API (issue 3).
//!
//! `cargo test -p e2e-tests --test traffic [-- FILTER]` (scripts/test builds the functions
//! first). One local cloud serves every scenario; each scenario makes its own radars, owners
//! and plates, so they do not see each other.

use e2e_tests::roads::{
    self, an_hour_ago, change_speed_limit, detect, detect_overspeed, install_radar,
    register_vehicle, unique_plate, watched_car,
};
use e2e_tests::{eventually, strings, Api, Cloud, Reply, Suite};
use futures::StreamExt;
use reqwest::Method;
use serde_json::{json, Value};
use std::time::{Duration, Instant};
use uuid::Uuid;

/// How long an event may take to travel to a read model before a scenario fails. The latency
/// actually seen is printed, not asserted.
const PROPAGATION: Duration = Duration::from_secs(30);
/// How long a burst of 200 detections may take to be recorded, or turned into infractions,
/// locally (every detection is a DynamoDB transaction, which moto makes slow).
const BURST: Duration = Duration::from_secs(300);

async fn api(cloud: &Cloud) -> Api {
    cloud.lock().await.api()
}

/// An owner of a national id no other test uses.
async fn register_owner(api: &Api) -> String {
    roads::register_owner(api, &format!("NID{}", Uuid::new_v4().simple())).await
}

/// Waits until the read model of `path` satisfies `ready`.
async fn until(api: &Api, path: &str, ready: impl Fn(&Reply) -> bool) -> Reply {
    api.until(path, PROPAGATION, ready).await
}

/// A radar's stored events, oldest first.
async fn radar_history(api: &Api, radar_id: &str) -> Vec<Value> {
    let history = api.get(&format!("/radars/{radar_id}/events")).await;
    assert_eq!(history.status, 200, "{}", history.body);
    history.body["items"].as_array().unwrap().clone()
}

/// `method path body`, which must answer 200; the reply.
async fn accepted(api: &Api, method: Method, path: &str, body: Value) -> Reply {
    let reply = api.call(method.clone(), path, Some(body), &[]).await;
    assert_eq!(reply.status, 200, "{method} {path}: {}", reply.body);
    reply
}

async fn traffic_scenario(cloud: Cloud) {
    let api = api(&cloud).await;
    let (radar_id, owner_id, plate) = watched_car(&api, "E2E").await;

    let started = Instant::now();
    let detected = detect(&api, &radar_id, &plate.to_lowercase(), 121, None).await;
    let infraction_id = detected.id(202, "infraction_id");
    let correlation_id = detected.header("x-correlation-id").unwrap().to_owned();

    let listed = until(&api, &format!("/owners/{owner_id}/infractions"), |r| {
        r.body["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    println!(
        "    overspeed visible in the owner's infractions after {:?}",
        started.elapsed()
    );
    let infraction = &listed.body["items"][0];
    assert_eq!(infraction["infraction_id"], json!(infraction_id));
    assert_eq!(infraction["status"], "ISSUED");
    assert_eq!(
        infraction["fine_amount"], 1000,
        "an excess of 31 km/h is fined 1000"
    );
    assert_eq!(infraction["excess_kmh"], 31);
    assert_eq!(infraction["plate"], json!(plate));
    assert_eq!(infraction["location"]["road"], "A7");

    let one = api.get(&format!("/infractions/{infraction_id}")).await;
    assert_eq!(one.status, 200);
    assert_eq!(one.body["owner_id"], json!(owner_id));
    assert_eq!(one.body["timeline"][0]["event_type"], "InfractionIssued");

    let caused = api.events_of(&correlation_id).await;
    let types = strings(&caused, "event_type");
    assert!(types.contains(&"OverspeedDetected"), "{types:?}");
    assert!(types.contains(&"InfractionIssued"), "{types:?}");
    assert!(caused
        .iter()
        .all(|e| e["correlation_id"] == json!(correlation_id)));

    let radar = until(&api, &format!("/radars/{radar_id}"), |r| {
        r.body["detections_count"] == 1
    })
    .await;
    assert_eq!(radar.body["version"], 2);
    let history = radar_history(&api, &radar_id).await;
    assert_eq!(
        strings(&history, "event_type"),
        ["RadarInstalled", "OverspeedDetected"]
    );

    // The first detection met cold functions; a second one shows the warm path.
    let started = Instant::now();
    assert_eq!(detect(&api, &radar_id, &plate, 95, None).await.status, 202);
    until(&api, &format!("/owners/{owner_id}/infractions"), |r| {
        r.body["items"].as_array().is_some_and(|i| i.len() == 2)
    })
    .await;
    println!(
        "    warm: overspeed visible in the owner's infractions after {:?}",
        started.elapsed()
    );
}

async fn pending_owner_then_issued(cloud: Cloud) {
    let api = api(&cloud).await;
    let radar_id = install_radar(&api, 50).await;
    let plate = unique_plate("E2E");
    let detected = detect(&api, &radar_id, &plate, 62, None).await;
    let path = format!("/infractions/{}", detected.id(202, "infraction_id"));
    let pending = until(&api, &path, |r| r.status == 200).await;
    assert_eq!(pending.body["status"], "PENDING_OWNER");
    assert_eq!(pending.body["owner_id"], Value::Null);
    assert_eq!(pending.body["fine_amount"], 500);

    let owner_id = register_owner(&api).await;
    assert_eq!(register_vehicle(&api, &plate, &owner_id).await.status, 201);
    let issued = until(&api, &path, |r| r.body["status"] == "ISSUED").await;
    assert_eq!(issued.body["owner_id"], json!(owner_id));
    let owners = until(&api, &format!("/owners/{owner_id}/infractions"), |r| {
        r.body["items"].as_array().is_some_and(|i| i.len() == 1)
    })
    .await;
    assert_eq!(owners.body["items"][0]["status"], "ISSUED");
}

async fn radar_off_refuses_detections(cloud: Cloud) {
    let api = api(&cloud).await;
    let radar_id = install_radar(&api, 90).await;
    let status = format!("/radars/{radar_id}/status");
    accepted(&api, Method::PUT, &status, json!({"status": "OFF"})).await;
    let refused = detect(&api, &radar_id, &unique_plate("E2E"), 150, None).await;
    assert_eq!((refused.status, refused.code()), (422, "radar_not_active"));
    let history = radar_history(&api, &radar_id).await;
    assert_eq!(history.len(), 2, "installed + status only");
}

async fn same_detection_twice_gives_one_infraction(cloud: Cloud) {
    let api = api(&cloud).await;
    let radar_id = install_radar(&api, 90).await;
    let detection_id = Uuid::new_v4();
    let plate = unique_plate("E2E");
    let first = detect(&api, &radar_id, &plate, 130, Some(detection_id)).await;
    let again = detect(&api, &radar_id, &plate, 130, Some(detection_id)).await;
    assert_eq!((first.status, again.status), (202, 202));
    assert_eq!(first.body, again.body, "the same answer");
    let listed = until(&api, &format!("/infractions?radar_id={radar_id}"), |r| {
        r.body["items"].as_array().is_some_and(|i| !i.is_empty())
    })
    .await;
    assert_eq!(listed.body["items"].as_array().unwrap().len(), 1);
    let history = radar_history(&api, &radar_id).await;
    assert_eq!(history.len(), 2, "one OverspeedDetected");
}

/// SPEC §8: a `POST` retried with its `Idempotency-Key` gets the first answer and appends
/// nothing more; the same key with another body is refused.
async fn a_retried_install_is_made_once(cloud: Cloud) {
    let api = api(&cloud).await;
    let key = format!("install-{}", Uuid::new_v4());
    let correlation = format!("idempotent-{}", Uuid::new_v4());
    let body = json!({"name": "A7 km 40", "road": "A7", "latitude": 45.3, "longitude": 4.8, "max_speed_kmh": 110});
    let install = |headers: Vec<(&'static str, String)>, body: Value| {
        let api = api.clone();
        async move {
            let headers: Vec<(&str, &str)> =
                headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
            api.call(Method::POST, "/radars", Some(body), &headers)
                .await
        }
    };
    let with_key = vec![
        ("idempotency-key", key.clone()),
        ("x-correlation-id", correlation.clone()),
    ];
    let first = install(with_key.clone(), body.clone()).await;
    assert_eq!(first.status, 201, "{}", first.body);
    assert_eq!(first.header("idempotent-replayed"), None);

    let again = install(with_key.clone(), body.clone()).await;
    assert_eq!(again.status, 201, "{}", again.body);
    assert_eq!(again.body, first.body, "the same radar, the same answer");
    for header in ["location", "etag", "content-type"] {
        assert_eq!(again.header(header), first.header(header), "{header}");
    }
    assert_eq!(again.header("idempotent-replayed"), Some("true"));
    // Without a correlation id of its own, the retry learns the one its events carry.
    let bare = install(vec![("idempotency-key", key.clone())], body.clone()).await;
    assert_eq!(bare.body, first.body);
    assert_eq!(bare.header("x-correlation-id"), Some(correlation.as_str()));

    let mut other = body.clone();
    other["max_speed_kmh"] = json!(130);
    let reused = install(with_key.clone(), other).await;
    assert_eq!(
        (reused.status, reused.code()),
        (422, "idempotency_key_reused"),
        "{}",
        reused.body
    );
    let bad_key = install(vec![("idempotency-key", "x".repeat(129))], body.clone()).await;
    assert_eq!(bad_key.status, 400, "{}", bad_key.body);
    assert_eq!(bad_key.problem_fields(), ["Idempotency-Key"]);

    let installed: Vec<Value> = api
        .events_of(&correlation)
        .await
        .into_iter()
        .filter(|e| e["event_type"] == "RadarInstalled")
        .collect();
    assert_eq!(installed.len(), 1, "one RadarInstalled: {installed:?}");
    assert_eq!(installed[0]["aggregate_id"], first.body["radar_id"]);
}

/// A request the API must refuse, and how.
struct Refusal {
    status: u16,
    code: &'static str,
    method: Method,
    path: String,
    body: Option<String>,
    headers: Vec<(&'static str, String)>,
}

/// Every refusal of SPEC §2, each appending nothing (checked through its correlation id).
async fn refusals_append_nothing(cloud: Cloud) {
    let api = api(&cloud).await;
    let (radar_id, owner_id, plate) = watched_car(&api, "E2E").await;

    let cases: Vec<Refusal> = vec![
        Refusal { status: 400, code: "invalid_input", method: Method::POST, path: "/radars".into(), body: Some(json!({"name": "", "latitude": 91, "max_speed_kmh": "fast", "colour": "red"}).to_string()), headers: vec![] },
        Refusal { status: 400, code: "malformed_json", method: Method::POST, path: "/owners".into(), body: Some("{\"name\": ".into()), headers: vec![] },
        Refusal { status: 404, code: "not_found", method: Method::POST, path: format!("/radars/{}/detections", Uuid::new_v4()), body: Some(json!({"plate": "AB123CD", "speed_kmh": 150, "detected_at": an_hour_ago()}).to_string()), headers: vec![] },
        Refusal { status: 404, code: "not_found", method: Method::GET, path: "/nowhere".into(), body: None, headers: vec![] },
        Refusal { status: 405, code: "method_not_allowed", method: Method::DELETE, path: format!("/radars/{radar_id}"), body: None, headers: vec![] },
        Refusal { status: 409, code: "vehicle_already_registered", method: Method::POST, path: "/vehicles".into(), body: Some(json!({"plate": plate, "owner_id": owner_id, "type": "CAR", "brand": "Fiat", "model": "500", "fiscal_power": 4}).to_string()), headers: vec![] },
        Refusal { status: 412, code: "precondition_failed", method: Method::PATCH, path: format!("/radars/{radar_id}"), body: Some(json!({"name": "renamed"}).to_string()), headers: vec![("if-match", "\"7\"".into())] },
        Refusal { status: 413, code: "payload_too_large", method: Method::POST, path: "/radars".into(), body: Some(json!({"name": "x".repeat(70_000)}).to_string()), headers: vec![] },
        Refusal { status: 422, code: "not_an_overspeed", method: Method::POST, path: format!("/radars/{radar_id}/detections"), body: Some(json!({"plate": plate, "speed_kmh": 80, "detected_at": an_hour_ago()}).to_string()), headers: vec![] },
        Refusal { status: 422, code: "unknown_owner", method: Method::POST, path: "/vehicles".into(), body: Some(json!({"plate": unique_plate("E2E"), "owner_id": Uuid::new_v4(), "type": "CAR", "brand": "Fiat", "model": "500", "fiscal_power": 4}).to_string()), headers: vec![] },
    ];
    for Refusal {
        status,
        code,
        method,
        path,
        body,
        headers,
    } in cases
    {
        let headers: Vec<(&str, &str)> = headers.iter().map(|(n, v)| (*n, v.as_str())).collect();
        let (reply, correlation) = api
            .refused_appending_nothing(
                (status, code),
                (method, &path, body.as_deref()),
                &headers,
                "refusal",
            )
            .await;
        assert_eq!(
            reply.header("x-correlation-id"),
            Some(correlation.as_str()),
            "echoed on errors too"
        );
    }

    let invalid = api
        .post(
            "/radars",
            json!({"name": "", "latitude": 91, "max_speed_kmh": "fast", "colour": "red"}),
        )
        .await;
    assert_eq!(
        invalid.problem_fields(),
        [
            "colour",
            "latitude",
            "longitude",
            "max_speed_kmh",
            "name",
            "road"
        ],
        "every problem at once"
    );

    let national_id = format!("NID{}", Uuid::new_v4().simple());
    let owner = json!({"name": "Twin", "birth_date": "1990-01-01", "email": "t@example.org", "national_id": national_id});
    assert_eq!(api.post("/owners", owner.clone()).await.status, 201);
    assert_eq!(
        api.post("/owners", owner).await.status,
        409,
        "a national_id is unique"
    );
}

/// The routes of SPEC §4 and §5 not exercised above, each answering as the SPEC says.
async fn every_route_answers(cloud: Cloud) {
    let api = api(&cloud).await;
    let radar_id = install_radar(&api, 90).await;
    let patched = api
        .call(
            Method::PATCH,
            &format!("/radars/{radar_id}"),
            Some(json!({"name": "A7 km 13"})),
            &[("if-match", "\"1\"")],
        )
        .await;
    assert_eq!(
        (patched.status, patched.header("etag")),
        (200, Some("\"2\"")),
        "{}",
        patched.body
    );
    let limit = change_speed_limit(&api, &radar_id, 110, &[]).await;
    assert_eq!(limit.body["version"], 3);
    let radar = until(&api, &format!("/radars/{radar_id}"), |r| {
        r.body["version"] == 3
    })
    .await;
    assert_eq!(
        (
            radar.body["name"].clone(),
            radar.body["max_speed_kmh"].clone()
        ),
        (json!("A7 km 13"), json!(110))
    );
    assert!(api
        .all_items("/radars")
        .await
        .iter()
        .any(|r| r["radar_id"] == json!(radar_id)));

    let owner_id = register_owner(&api).await;
    let other_owner = register_owner(&api).await;
    let phone = json!({"phone": "+33 6 12 34 56 78"});
    accepted(&api, Method::PATCH, &format!("/owners/{owner_id}"), phone).await;
    let plate = unique_plate("E2E");
    assert_eq!(register_vehicle(&api, &plate, &owner_id).await.status, 201);
    let model = json!({"model": "Megane"});
    accepted(&api, Method::PATCH, &format!("/vehicles/{plate}"), model).await;
    let owner = until(&api, &format!("/owners/{owner_id}"), |r| {
        r.body["vehicles"] == json!([plate]) && r.body["phone"] == "+33 6 12 34 56 78"
    })
    .await;
    assert_eq!(owner.body["name"], "Ada Lovelace");
    assert!(api
        .all_items("/owners")
        .await
        .iter()
        .any(|o| o["owner_id"] == json!(owner_id)));
    let vehicle = until(&api, &format!("/vehicles/{plate}"), |r| {
        r.body["model"] == "Megane"
    })
    .await;
    assert_eq!(vehicle.body["owner_id"], json!(owner_id));
    let sold = json!({"owner_id": other_owner});
    accepted(&api, Method::PUT, &format!("/vehicles/{plate}/owner"), sold).await;
    until(&api, &format!("/vehicles?owner_id={other_owner}"), |r| {
        r.body["items"].as_array().is_some_and(|i| i.len() == 1)
    })
    .await;

    // An infraction through its life: amend, contest, cancel; another paid.
    let to_pay = detect_overspeed(&api, &radar_id, &plate, 125).await;
    let to_cancel = detect_overspeed(&api, &radar_id, &plate, 250).await;
    for infraction in [&to_cancel, &to_pay] {
        until(&api, &format!("/infractions/{infraction}"), |r| {
            r.body["status"] == "ISSUED"
        })
        .await;
    }
    let wrong = api
        .post(
            &format!("/infractions/{to_pay}/payments"),
            json!({"amount": 1}),
        )
        .await;
    assert_eq!((wrong.status, wrong.code()), (422, "wrong_amount"));
    let fine = json!({"amount": 500});
    accepted(
        &api,
        Method::POST,
        &format!("/infractions/{to_pay}/payments"),
        fine,
    )
    .await;
    let paid_amend = api
        .patch(&format!("/infractions/{to_pay}"), json!({"notes": "late"}))
        .await;
    assert_eq!(
        (paid_amend.status, paid_amend.code()),
        (422, "invalid_transition")
    );
    for (method, action, body) in [
        (
            Method::PATCH,
            "",
            json!({"fine_amount": 3500, "notes": "checked"}),
        ),
        (Method::POST, "/contest", json!({"reason": "not me"})),
        (Method::POST, "/cancel", json!({"reason": "photo unclear"})),
    ] {
        let path = format!("/infractions/{to_cancel}{action}");
        accepted(&api, method, &path, body).await;
    }
    let cancelled = until(&api, &format!("/infractions/{to_cancel}"), |r| {
        r.body["status"] == "CANCELLED"
    })
    .await;
    assert_eq!(
        (
            cancelled.body["fine_amount"].clone(),
            cancelled.body["notes"].clone()
        ),
        (json!(3500), json!("checked"))
    );
    let timeline = cancelled.body["timeline"].as_array().unwrap();
    assert_eq!(
        strings(timeline, "event_type"),
        [
            "InfractionIssued",
            "InfractionAmended",
            "InfractionContested",
            "InfractionCancelled"
        ]
    );
    let paid = until(
        &api,
        &format!("/infractions?plate={plate}&status=PAID"),
        |r| r.body["items"].as_array().is_some_and(|i| i.len() == 1),
    )
    .await;
    assert_eq!(paid.body["items"][0]["infraction_id"], json!(to_pay));

    // The event store API.
    let stream = api
        .get(&format!(
            "/aggregates/infraction/{to_cancel}/events?from_version=2&to_version=3"
        ))
        .await;
    let versions: Vec<u64> = stream.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .filter_map(|e| e["version"].as_u64())
        .collect();
    assert_eq!(versions, [2, 3]);
    let at_2 = api
        .aggregate_state("infraction", &to_cancel, "at_version=2")
        .await;
    assert_eq!(
        (at_2.status, at_2.body["version"].clone()),
        (200, json!(2)),
        "{}",
        at_2.body
    );
    assert_eq!(at_2.body["state"]["status"], "ISSUED");
    let now = api.aggregate_state("infraction", &to_cancel, "").await;
    assert_eq!(now.body["state"]["status"], "CANCELLED");
    let before = api
        .aggregate_state("radar", &radar_id, "at_time=2000-01-01T00:00:00.000Z")
        .await;
    assert_eq!(
        (
            before.status,
            before.body["version"].clone(),
            before.body["state"].clone()
        ),
        (200, json!(0), Value::Null)
    );
    assert_eq!(
        api.get(&format!("/aggregates/radar/{}/state", Uuid::new_v4()))
            .await
            .status,
        404
    );
    let typed = api.get("/events?type=InfractionCancelled&limit=5").await;
    assert_eq!(typed.status, 200);
    assert!(typed.body["items"]
        .as_array()
        .unwrap()
        .iter()
        .all(|e| e["event_type"] == "InfractionCancelled"));
    let newest = api.get("/events?limit=3").await;
    let times = strings(newest.body["items"].as_array().unwrap(), "occurred_at");
    assert!(
        times.windows(2).all(|w| w[0] >= w[1]),
        "newest first: {times:?}"
    );
    assert_eq!(api.get("/events?limit=0").await.status, 400);
}

/// Stopping the runner in the middle of a burst of 200 detections and starting it again loses
/// no infraction and duplicates none. Detections the stopped gateway could not take are sent
/// again with the same detection_id, as a radar would.
async fn runner_restart_during_a_burst(cloud: Cloud) {
    let api = api(&cloud).await;
    let (radar_id, _, plate) = watched_car(&api, "E2E").await;
    let detections: Vec<Uuid> = (0..200).map(|_| Uuid::new_v4()).collect();

    // Sends detections `parallel` at a time and returns those not accepted (the gateway was
    // down, or a 409 after concurrent writers on the radar's stream outlasted the retries).
    let send_all = |ids: Vec<Uuid>, parallel: usize| {
        let (api, radar_id, plate) = (api.clone(), radar_id.clone(), plate.clone());
        async move {
            let sends = ids.into_iter().map(|id| {
                let (api, radar_id, plate) = (api.clone(), radar_id.clone(), plate.clone());
                async move {
                    let body = json!({"plate": plate, "speed_kmh": 120, "detected_at": an_hour_ago(), "detection_id": id}).to_string();
                    let path = format!("/radars/{radar_id}/detections");
                    match api.send(Method::POST, &path, Some(&body), &[]).await {
                        Ok(reply) if reply.status == 202 => None,
                        _ => Some(id),
                    }
                }
            });
            futures::stream::iter(sends)
                .buffer_unordered(parallel)
                .filter_map(|unsent| async move { unsent })
                .collect::<Vec<Uuid>>()
                .await
        }
    };
    let burst = tokio::spawn(send_all(detections.clone(), 4));
    eventually("half the burst recorded", BURST, || async {
        let events = api
            .get(&format!("/radars/{radar_id}/events?limit=100"))
            .await;
        (events.body["items"].as_array().map_or(0, Vec::len) >= 100).then_some(())
    })
    .await;
    cloud.lock().await.stop_runner();
    let mut unsent = burst.await.unwrap();
    cloud.lock().await.start_runner().await;
    println!(
        "    {} detections to resend after the restart",
        unsent.len()
    );
    // A radar resends what was not accepted, with the same detection_id, until it is.
    for _ in 0..5 {
        if unsent.is_empty() {
            break;
        }
        unsent = send_all(unsent, 1).await;
    }
    assert!(
        unsent.is_empty(),
        "{} detections never accepted",
        unsent.len()
    );

    let all = eventually("200 infractions", BURST, || async {
        let items = api
            .all_items(&format!("/infractions?radar_id={radar_id}"))
            .await;
        (items.len() >= 200).then_some(items)
    })
    .await;
    let mut ids = strings(&all, "infraction_id");
    ids.sort();
    ids.dedup();
    assert_eq!(
        (all.len(), ids.len()),
        (200, 200),
        "no infraction lost or duplicated"
    );
    let history = api.all_items(&format!("/radars/{radar_id}/events")).await;
    assert_eq!(history.len(), 201, "one OverspeedDetected per detection_id");
}

fn main() {
    Suite::new()
        .add("traffic_scenario", traffic_scenario)
        .add("pending_owner_then_issued", pending_owner_then_issued)
        .add("radar_off_refuses_detections", radar_off_refuses_detections)
        .add(
            "same_detection_twice_gives_one_infraction",
            same_detection_twice_gives_one_infraction,
        )
        .add("refusals_append_nothing", refusals_append_nothing)
        .add(
            "a_retried_install_is_made_once",
            a_retried_install_is_made_once,
        )
        .add("every_route_answers", every_route_answers)
        .add(
            "runner_restart_during_a_burst",
            runner_restart_during_a_burst,
        )
        .run_on_local_cloud()
}
