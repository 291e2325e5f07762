//! Recording detections against the event store as moto serves it.

use es_core::{CommandContext, StreamId};
use event_store::{CommandHandler, Expected};
use http_api::ApiError;
use radar_functions::detection::{record_detection, DetectionAccepted};
use serde_json::json;
use test_support::EventStoreFixture;
use traffic_domain::{infraction_id_for, InstallRadar, Radar, RadarCommand, RecordDetection};
use uuid::Uuid;

fn ctx() -> CommandContext {
    CommandContext::for_request("record-detection", None, "request")
}

async fn install(commands: &CommandHandler) -> Uuid {
    let radar_id = Uuid::new_v4();
    let body = json!({"name": "A7 km 12", "road": "A7", "latitude": 45.1, "longitude": 4.8, "max_speed_kmh": 90});
    let command = RadarCommand::Install(InstallRadar::from_json(radar_id, &body).unwrap());
    commands
        .execute::<Radar>(&radar_id.to_string(), &command, Expected::Any, &ctx())
        .await
        .unwrap();
    radar_id
}

fn detection(detection_id: Uuid, speed: u32) -> RecordDetection {
    let an_hour_ago = es_core::time::format(&(chrono::Utc::now() - chrono::Duration::hours(1)));
    let body = json!({"plate": "ab-123-cd", "speed_kmh": speed, "detected_at": an_hour_ago, "detection_id": detection_id});
    RecordDetection::from_json(&body, chrono::Utc::now(), Uuid::new_v4()).unwrap()
}

async fn radar_events(commands: &CommandHandler, radar_id: Uuid) -> usize {
    commands
        .store()
        .read_stream(&StreamId::new("radar", radar_id.to_string()), 1, None)
        .await
        .unwrap()
        .len()
}

/// Records detection `detection_id` at `speed` km/h on radar `radar_id`.
async fn record(
    commands: &CommandHandler,
    radar_id: Uuid,
    detection_id: Uuid,
    speed: u32,
) -> Result<DetectionAccepted, ApiError> {
    record_detection(commands, radar_id, detection(detection_id, speed), &ctx()).await
}

/// Records detection `detection_id`, an overspeed (120 km/h past the radar's 90), on radar
/// `radar_id`; it must be accepted.
async fn overspeed(
    commands: &CommandHandler,
    radar_id: Uuid,
    detection_id: Uuid,
) -> DetectionAccepted {
    record(commands, radar_id, detection_id, 120).await.unwrap()
}

/// Moto with an event table (kept alive by the fixture), its command handler, and one radar
/// installed there.
async fn one_radar() -> (EventStoreFixture, CommandHandler, Uuid) {
    let fixture = EventStoreFixture::start().await;
    let commands = fixture.commands();
    let radar_id = install(&commands).await;
    (fixture, commands, radar_id)
}

#[tokio::test]
async fn the_same_detection_id_twice_gives_the_same_answer_and_one_event() {
    let (_fixture, commands, radar_id) = one_radar().await;
    let detection_id = Uuid::new_v4();

    let first = overspeed(&commands, radar_id, detection_id).await;
    let again = overspeed(&commands, radar_id, detection_id).await;

    assert_eq!(first.infraction_id, infraction_id_for(detection_id));
    assert_eq!(
        (first.detection_id, first.infraction_id),
        (again.detection_id, again.infraction_id)
    );
    assert!(first.recorded_now && !again.recorded_now);
    assert_eq!(
        radar_events(&commands, radar_id).await,
        2,
        "installed + one detection"
    );
}

#[tokio::test]
async fn a_resent_detection_is_answered_even_after_the_radar_was_switched_off() {
    let (_fixture, commands, radar_id) = one_radar().await;
    let detection_id = Uuid::new_v4();
    overspeed(&commands, radar_id, detection_id).await;
    let off = RadarCommand::ChangeStatus(
        traffic_domain::ChangeRadarStatus::from_json(&json!({"status": "OFF"})).unwrap(),
    );
    commands
        .execute::<Radar>(&radar_id.to_string(), &off, Expected::Any, &ctx())
        .await
        .unwrap();

    let again = overspeed(&commands, radar_id, detection_id).await;
    assert_eq!(again.infraction_id, infraction_id_for(detection_id));
    let fresh = record(&commands, radar_id, Uuid::new_v4(), 120)
        .await
        .unwrap_err();
    assert_eq!(
        fresh.status(),
        422,
        "a new detection on an OFF radar is refused"
    );
    assert_eq!(radar_events(&commands, radar_id).await, 3);
}

#[tokio::test]
async fn a_detection_id_used_by_another_radar_is_a_conflict() {
    let fixture = EventStoreFixture::start().await;
    let commands = fixture.commands();
    let (first_radar, second_radar) = (install(&commands).await, install(&commands).await);
    let detection_id = Uuid::new_v4();
    overspeed(&commands, first_radar, detection_id).await;

    let error = record(&commands, second_radar, detection_id, 120)
        .await
        .unwrap_err();
    assert_eq!(error.status(), 409);
    assert_eq!(radar_events(&commands, second_radar).await, 1);
}

#[tokio::test]
async fn not_an_overspeed_is_refused_and_appends_nothing() {
    let (_fixture, commands, radar_id) = one_radar().await;
    let error = record(&commands, radar_id, Uuid::new_v4(), 90)
        .await
        .unwrap_err();
    assert_eq!(error.status(), 422);
    assert_eq!(error.body()["error"]["code"], "not_an_overspeed");
    assert_eq!(radar_events(&commands, radar_id).await, 1);
}
