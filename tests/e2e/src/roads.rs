//! The traffic system's first steps, as a client takes them: radars, owners, vehicles and the
//! detections that make infractions (shared by the traffic, guarantee and contract suites).

use reqwest::Method;
use serde_json::json;
use uuid::Uuid;

use crate::{Api, Reply};

/// A detection time an hour ago, as the API takes it (RFC 3339, milliseconds).
pub fn an_hour_ago() -> String {
    (chrono::Utc::now() - chrono::Duration::hours(1))
        .to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

/// A plate no other test uses: `prefix` and eight characters.
pub fn unique_plate(prefix: &str) -> String {
    let digits = Uuid::new_v4().simple().to_string().to_uppercase();
    format!("{prefix}{}", &digits[..8])
}

/// The id a `201 Created` answers in `id_field`.
pub fn created(reply: &Reply, id_field: &str) -> String {
    reply.id(201, id_field)
}

/// A radar on the A7 with that speed limit; its id.
pub async fn install_radar(api: &Api, max_speed_kmh: u32) -> String {
    install_radar_with(api, max_speed_kmh, &[]).await
}

/// [`install_radar`], sent with `headers`.
pub async fn install_radar_with(api: &Api, max_speed_kmh: u32, headers: &[(&str, &str)]) -> String {
    let body = json!({"name": "A7 km 12", "road": "A7", "latitude": 45.1, "longitude": 4.8, "max_speed_kmh": max_speed_kmh});
    let reply = api.call(Method::POST, "/radars", Some(body), headers).await;
    created(&reply, "radar_id")
}

/// `PUT /radars/{radar_id}/speed-limit` with `headers`, which must be accepted; the reply (its
/// body holds the radar's new version).
pub async fn change_speed_limit(
    api: &Api,
    radar_id: &str,
    max_speed_kmh: u32,
    headers: &[(&str, &str)],
) -> Reply {
    let reply = api
        .call(
            Method::PUT,
            &format!("/radars/{radar_id}/speed-limit"),
            Some(json!({ "max_speed_kmh": max_speed_kmh })),
            headers,
        )
        .await;
    assert_eq!(reply.status, 200, "{}", reply.body);
    reply
}

/// An owner whose national id is `national_id`; the owner's id.
pub async fn register_owner(api: &Api, national_id: &str) -> String {
    let reply = api
        .post("/owners", json!({"name": "Ada Lovelace", "birth_date": "1985-12-10", "email": "ada@example.org", "national_id": national_id}))
        .await;
    created(&reply, "owner_id")
}

/// `POST /vehicles`: a Renault Clio of `owner_id`.
pub async fn register_vehicle(api: &Api, plate: &str, owner_id: &str) -> Reply {
    api.post("/vehicles", json!({"plate": plate, "owner_id": owner_id, "type": "CAR", "brand": "Renault", "model": "Clio", "fiscal_power": 5}))
        .await
}

/// `POST /radars/{radar_id}/detections`: `plate` at `speed` an hour ago, with the client's
/// `detection_id` if given.
pub async fn detect(
    api: &Api,
    radar_id: &str,
    plate: &str,
    speed: u32,
    detection_id: Option<Uuid>,
) -> Reply {
    let mut body = json!({"plate": plate, "speed_kmh": speed, "detected_at": an_hour_ago()});
    if let Some(id) = detection_id {
        body["detection_id"] = json!(id);
    }
    api.post(&format!("/radars/{radar_id}/detections"), body)
        .await
}

/// A detection that must be accepted as an overspeed; the infraction's id.
pub async fn detect_overspeed(api: &Api, radar_id: &str, plate: &str, speed: u32) -> String {
    let detection = detect(api, radar_id, plate, speed, None).await;
    detection.id(202, "infraction_id")
}

/// A radar (limit 90), and an owner whose car is registered, not yet detected: `(radar id,
/// owner id, plate)`. `tag` starts the plate and the owner's national id, so that a suite's
/// data can be told apart.
pub async fn watched_car(api: &Api, tag: &str) -> (String, String, String) {
    let radar = install_radar(api, 90).await;
    let owner = register_owner(api, &format!("{tag}-{}", Uuid::new_v4())).await;
    let plate = unique_plate(tag);
    let vehicle = register_vehicle(api, &plate, &owner).await;
    assert_eq!(vehicle.status, 201, "{}", vehicle.body);
    (radar, owner, plate)
}

/// A radar (limit 90), an owner with a car, and an infraction on that car (121 km/h).
pub struct Offence {
    pub radar: String,
    pub owner: String,
    pub plate: String,
    pub infraction: String,
}

impl Offence {
    /// Makes one, as [`watched_car`] does.
    pub async fn create(api: &Api, tag: &str) -> Self {
        let (radar, owner, plate) = watched_car(api, tag).await;
        let infraction = detect_overspeed(api, &radar, &plate, 121).await;
        Self {
            radar,
            owner,
            plate,
            infraction,
        }
    }
}
