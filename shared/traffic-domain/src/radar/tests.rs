use chrono::Duration;
use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::plate::Plate;
use crate::testing::{
    at, each_needs_an_existing, each_refused_on, field_bounds, fields, given, problem, round_trip,
};

fn radar_id() -> Uuid {
    Uuid::from_u128(0xA1)
}

fn installed() -> RadarEvent {
    RadarEvent::RadarInstalled {
        radar_id: radar_id(),
        name: "A1 km 12".into(),
        road: "A1".into(),
        latitude: 48.85,
        longitude: 2.35,
        altitude_m: Some(35.0),
        max_speed_kmh: 90,
        status: RadarStatus::Active,
    }
}

fn status_changed(previous: RadarStatus, status: RadarStatus) -> RadarEvent {
    RadarEvent::RadarStatusChanged {
        status,
        previous_status: previous,
    }
}

fn detection(speed_kmh: u32) -> RadarCommand {
    RadarCommand::RecordDetection(RecordDetection {
        detection_id: Uuid::from_u128(0xD1),
        plate: Plate::parse("AB-123-CD").unwrap(),
        speed_kmh,
        detected_at: at("2026-11-22T10:15:00.123Z"),
    })
}

fn detected(speed_kmh: u32) -> OverspeedDetection {
    OverspeedDetection {
        detection_id: Uuid::from_u128(0xD1),
        infraction_id: crate::ids::infraction_id_for(Uuid::from_u128(0xD1)),
        radar_id: radar_id(),
        plate: Plate::parse("AB123CD").unwrap(),
        speed_kmh,
        max_speed_kmh: 90,
        excess_kmh: speed_kmh.saturating_sub(90),
        detected_at: at("2026-11-22T10:15:00.123Z"),
        latitude: 48.85,
        longitude: 2.35,
        road: "A1".into(),
    }
}

fn install_body() -> serde_json::Value {
    json!({
        "name": "A1 km 12", "road": "A1", "latitude": 48.85, "longitude": 2.35,
        "altitude_m": 35.0, "max_speed_kmh": 90
    })
}

// ---- install ----

#[test]
fn installs_a_radar() {
    let command = InstallRadar::from_json(radar_id(), &install_body()).unwrap();
    let state = given::<Radar>(&[])
        .when(command.into())
        .then(vec![installed()]);
    assert!(state.exists());
    assert_eq!(state.radar_id, Some(radar_id()));
    assert_eq!(state.status, RadarStatus::Active);
    assert_eq!(state.max_speed_kmh, 90);
    assert_eq!(state.altitude_m, Some(35.0));
    assert_eq!(state.detections_count, 0);
}

#[test]
fn install_status_may_be_given() {
    let mut body = install_body();
    body["status"] = json!("OFF");
    let command = InstallRadar::from_json(radar_id(), &body).unwrap();
    assert_eq!(command.status, RadarStatus::Off);
    assert_eq!(command.radar_id, radar_id());
}

#[test]
fn installing_twice_is_a_conflict() {
    let command = InstallRadar::from_json(radar_id(), &install_body()).unwrap();
    given::<Radar>(&[installed()])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "radar_already_installed");
}

#[test]
fn every_other_command_needs_an_installed_radar() {
    let commands: Vec<RadarCommand> = vec![
        ChangeRadarDetails {
            name: Some("x".into()),
            ..Default::default()
        }
        .into(),
        ChangeSpeedLimit { max_speed_kmh: 50 }.into(),
        ChangeRadarStatus {
            status: RadarStatus::Off,
        }
        .into(),
        detection(120),
    ];
    each_needs_an_existing::<Radar>(commands);
}

// ---- details, limit, status ----

/// A `PATCH` of every detail, each as `installed()` left it.
fn same_details() -> ChangeRadarDetails {
    ChangeRadarDetails {
        name: Some("A1 km 12".into()),
        road: Some("A1".into()),
        latitude: Some(48.85),
        longitude: Some(2.35),
        altitude_m: Some(35.0),
    }
}

#[test]
fn details_change_records_only_what_changes() {
    let state = given::<Radar>(&[installed()])
        .when(
            ChangeRadarDetails {
                name: Some("A1 km 13".into()),
                latitude: Some(48.9),
                altitude_m: Some(40.0),
                ..same_details()
            }
            .into(),
        )
        .then(vec![RadarEvent::RadarDetailsChanged {
            name: Some("A1 km 13".into()),
            road: None,
            latitude: Some(48.9),
            longitude: None,
            altitude_m: Some(40.0),
        }]);
    assert_eq!(state.name, "A1 km 13");
    assert_eq!(state.road, "A1");
    assert_eq!(state.latitude, 48.9);
    assert_eq!(state.longitude, 2.35);
    assert_eq!(state.altitude_m, Some(40.0));
}

#[test]
fn details_change_to_the_same_details_appends_nothing() {
    given::<Radar>(&[installed()])
        .when(same_details().into())
        .then_nothing();
}

#[test]
fn changes_the_speed_limit() {
    let state = given::<Radar>(&[installed()])
        .when(ChangeSpeedLimit { max_speed_kmh: 70 }.into())
        .then(vec![RadarEvent::RadarSpeedLimitChanged {
            max_speed_kmh: 70,
            previous_max_speed_kmh: 90,
        }]);
    assert_eq!(state.max_speed_kmh, 70);
}

#[test]
fn same_speed_limit_appends_nothing() {
    given::<Radar>(&[installed()])
        .when(ChangeSpeedLimit { max_speed_kmh: 90 }.into())
        .then_nothing();
}

#[test]
fn changes_the_status() {
    let state = given::<Radar>(&[installed()])
        .when(
            ChangeRadarStatus {
                status: RadarStatus::OutOfOrder,
            }
            .into(),
        )
        .then(vec![status_changed(
            RadarStatus::Active,
            RadarStatus::OutOfOrder,
        )]);
    assert_eq!(state.status, RadarStatus::OutOfOrder);
}

#[test]
fn same_status_appends_nothing() {
    given::<Radar>(&[
        installed(),
        status_changed(RadarStatus::Active, RadarStatus::Off),
    ])
    .when(
        ChangeRadarStatus {
            status: RadarStatus::Off,
        }
        .into(),
    )
    .then_nothing();
}

// ---- detections ----

#[test]
fn records_an_overspeed_with_a_deterministic_infraction_id() {
    let state = given::<Radar>(&[installed()])
        .when(detection(120))
        .then(vec![RadarEvent::OverspeedDetected(detected(120))]);
    assert_eq!(state.detections_count, 1);

    let again = given::<Radar>(&[installed()])
        .when(detection(120))
        .then(vec![RadarEvent::OverspeedDetected(detected(120))]);
    assert_eq!(again.detections_count, 1);
}

#[test]
fn one_over_the_limit_is_an_overspeed() {
    given::<Radar>(&[installed()])
        .when(detection(91))
        .then(vec![RadarEvent::OverspeedDetected(detected(91))]);
}

#[test]
fn speed_equal_to_the_limit_is_not_an_overspeed() {
    given::<Radar>(&[installed()])
        .when(detection(90))
        .then_refused(RejectionKind::BusinessRule, "not_an_overspeed");
}

#[test]
fn speed_under_the_limit_is_not_an_overspeed() {
    given::<Radar>(&[installed()])
        .when(detection(50))
        .then_refused(RejectionKind::BusinessRule, "not_an_overspeed");
}

#[test]
fn a_radar_out_of_order_or_off_records_nothing() {
    for status in [RadarStatus::OutOfOrder, RadarStatus::Off] {
        given::<Radar>(&[installed(), status_changed(RadarStatus::Active, status)])
            .when(detection(120))
            .then_refused(RejectionKind::BusinessRule, "radar_not_active");
    }
}

#[test]
fn a_radar_back_in_service_records_again() {
    given::<Radar>(&[
        installed(),
        status_changed(RadarStatus::Active, RadarStatus::OutOfOrder),
        status_changed(RadarStatus::OutOfOrder, RadarStatus::Active),
    ])
    .when(detection(120))
    .then(vec![RadarEvent::OverspeedDetected(detected(120))]);
}

#[test]
fn detection_captures_the_limit_and_position_at_that_moment() {
    let state = given::<Radar>(&[
        installed(),
        RadarEvent::RadarSpeedLimitChanged {
            max_speed_kmh: 70,
            previous_max_speed_kmh: 90,
        },
        RadarEvent::RadarDetailsChanged {
            name: None,
            road: Some("N7".into()),
            latitude: Some(45.0),
            longitude: Some(4.8),
            altitude_m: None,
        },
    ])
    .when(detection(85))
    .then(vec![RadarEvent::OverspeedDetected(OverspeedDetection {
        max_speed_kmh: 70,
        excess_kmh: 15,
        latitude: 45.0,
        longitude: 4.8,
        road: "N7".into(),
        ..detected(85)
    })]);
    assert_eq!(
        detected(85).excess_kmh,
        0,
        "the fixture is overridden above"
    );
    assert_eq!(state.max_speed_kmh, 70);
    assert_eq!(
        state.altitude_m,
        Some(35.0),
        "absent altitude keeps the old one"
    );
}

#[test]
fn the_limit_is_checked_against_the_current_limit() {
    given::<Radar>(&[
        installed(),
        RadarEvent::RadarSpeedLimitChanged {
            max_speed_kmh: 130,
            previous_max_speed_kmh: 90,
        },
    ])
    .when(detection(120))
    .then_refused(RejectionKind::BusinessRule, "not_an_overspeed");
}

#[test]
fn counts_detections_without_keeping_them() {
    let events = vec![
        installed(),
        RadarEvent::OverspeedDetected(detected(120)),
        RadarEvent::OverspeedDetected(detected(130)),
    ];
    let state = Radar::replay(&events);
    assert_eq!(state.detections_count, 2);
    let snapshot = serde_json::to_value(&state).unwrap();
    assert_eq!(snapshot["detections_count"], 2);
    let back: Radar = serde_json::from_value(snapshot).unwrap();
    assert_eq!(back, state);
}

#[test]
fn a_detection_claims_its_detection_id() {
    let claims = Radar::unique_claims(&RadarEvent::OverspeedDetected(detected(120)));
    assert_eq!(
        claims,
        vec![es_core::UniqueClaim {
            scope: "radar.detection_id",
            value: Uuid::from_u128(0xD1).to_string(),
        }]
    );
    assert!(Radar::unique_claims(&installed()).is_empty());
    assert!(
        Radar::unique_claims(&status_changed(RadarStatus::Active, RadarStatus::Off)).is_empty()
    );
}

#[test]
fn radar_type_is_radar() {
    assert_eq!(Radar::TYPE, "radar");
}

// ---- validation ----

#[test]
fn install_reports_every_problem_at_once() {
    let body = json!({
        "name": "", "road": 7, "latitude": 91, "longitude": -181,
        "altitude_m": 9001, "max_speed_kmh": 301, "status": "BROKEN", "colour": "red"
    });
    assert_eq!(
        fields(InstallRadar::from_json(radar_id(), &body)),
        [
            "colour",
            "name",
            "road",
            "latitude",
            "longitude",
            "altitude_m",
            "max_speed_kmh",
            "status"
        ]
    );
}

#[test]
fn install_requires_its_fields() {
    assert_eq!(
        fields(InstallRadar::from_json(radar_id(), &json!({}))),
        ["name", "road", "latitude", "longitude", "max_speed_kmh"]
    );
}

#[test]
fn install_bounds() {
    let long = "x".repeat(101);
    let refused = [
        ("name", json!("")),
        ("name", json!("   ")),
        ("name", json!(long)),
        ("road", json!("")),
        ("road", json!(long)),
        ("latitude", json!(-90.01)),
        ("latitude", json!(90.01)),
        ("longitude", json!(-180.01)),
        ("longitude", json!(180.01)),
        ("altitude_m", json!(-500.1)),
        ("altitude_m", json!(9000.1)),
        ("altitude_m", json!("high")),
        ("max_speed_kmh", json!(4)),
        ("max_speed_kmh", json!(301)),
        ("max_speed_kmh", json!(90.5)),
        ("status", json!("active")),
    ];
    let accepted = [
        ("name", json!("x".repeat(100))),
        ("road", json!("x")),
        ("latitude", json!(-90)),
        ("latitude", json!(90)),
        ("longitude", json!(-180)),
        ("longitude", json!(180)),
        ("altitude_m", json!(-500)),
        ("altitude_m", json!(9000)),
        ("altitude_m", json!(null)),
        ("max_speed_kmh", json!(5)),
        ("max_speed_kmh", json!(300)),
        ("status", json!("OUT_OF_ORDER")),
    ];
    field_bounds(
        &install_body(),
        |body| InstallRadar::from_json(radar_id(), body),
        refused,
        accepted,
    );
}

#[test]
fn details_patch_must_change_something() {
    assert_eq!(
        problem(ChangeRadarDetails::from_json(&json!({}))),
        (
            "body".to_string(),
            "must change at least one of name, road, latitude, longitude, altitude_m".to_string()
        )
    );
    let only_null = ChangeRadarDetails::from_json(&json!({"name": null}));
    assert_eq!(problem(only_null).0, "body");
    let one = ChangeRadarDetails::from_json(&json!({"longitude": 3.0})).unwrap();
    assert_eq!(
        one,
        ChangeRadarDetails {
            longitude: Some(3.0),
            ..Default::default()
        }
    );
}

#[test]
fn details_patch_points_to_the_other_routes_and_checks_bounds() {
    let body = json!({"name": "", "latitude": 100, "max_speed_kmh": 50, "status": "OFF"});
    assert_eq!(
        fields(ChangeRadarDetails::from_json(&body)),
        ["name", "latitude", "max_speed_kmh", "status"]
    );
    assert_eq!(
        fields(ChangeRadarDetails::from_json(&json!([1]))),
        ["body"],
        "a non-object body is one problem"
    );
}

#[test]
fn speed_limit_body() {
    assert_eq!(
        ChangeSpeedLimit::from_json(&json!({"max_speed_kmh": 5})).unwrap(),
        ChangeSpeedLimit { max_speed_kmh: 5 }
    );
    assert!(ChangeSpeedLimit::from_json(&json!({"max_speed_kmh": 300})).is_ok());
    each_refused_on(
        "max_speed_kmh",
        ChangeSpeedLimit::from_json,
        [
            json!({"max_speed_kmh": 4}),
            json!({"max_speed_kmh": 301}),
            json!({}),
        ],
    );
}

#[test]
fn status_body() {
    for status in <RadarStatus as strum::VariantArray>::VARIANTS {
        assert_eq!(
            ChangeRadarStatus::from_json(&json!({ "status": status.as_str() })).unwrap(),
            ChangeRadarStatus { status: *status }
        );
    }
    assert_eq!(
        problem(ChangeRadarStatus::from_json(&json!({"status": "BROKEN"}))),
        (
            "status".to_string(),
            "must be one of ACTIVE, OUT_OF_ORDER, OFF".to_string()
        )
    );
    assert_eq!(
        problem(ChangeRadarStatus::from_json(&json!({}))).0,
        "status"
    );
}

fn now() -> chrono::DateTime<chrono::Utc> {
    at("2026-11-22T10:20:00.000Z")
}

#[test]
fn detection_body_normalises_the_plate_and_defaults_the_id() {
    let generated = Uuid::from_u128(0x6E);
    let body = json!({"plate": "ab-12 cd", "speed_kmh": 120, "detected_at": "2026-11-22T11:15:00.123+01:00"});
    let command = RecordDetection::from_json(&body, now(), generated).unwrap();
    assert_eq!(
        command,
        RecordDetection {
            detection_id: generated,
            plate: Plate::parse("AB12CD").unwrap(),
            speed_kmh: 120,
            detected_at: at("2026-11-22T10:15:00.123Z"),
        }
    );

    let given_id = Uuid::from_u128(0xD1);
    let mut body = body;
    body["detection_id"] = json!(given_id.to_string());
    let command = RecordDetection::from_json(&body, now(), generated).unwrap();
    assert_eq!(command.detection_id, given_id);
}

#[test]
fn detection_body_reports_every_problem_at_once() {
    let body = json!({"plate": "A", "speed_kmh": 0, "detected_at": "yesterday", "detection_id": "nope", "lane": 2});
    assert_eq!(
        fields(RecordDetection::from_json(&body, now(), Uuid::nil())),
        ["lane", "plate", "speed_kmh", "detected_at", "detection_id"]
    );
    assert_eq!(
        fields(RecordDetection::from_json(&json!({}), now(), Uuid::nil())),
        ["plate", "speed_kmh", "detected_at"]
    );
}

#[test]
fn detection_speed_bounds() {
    let with_speed = |speed: i64| {
        let body =
            json!({"plate": "AB12", "speed_kmh": speed, "detected_at": "2026-11-22T10:00:00Z"});
        RecordDetection::from_json(&body, now(), Uuid::nil())
    };
    assert!(with_speed(1).is_ok());
    assert!(with_speed(500).is_ok());
    assert_eq!(problem(with_speed(0)).0, "speed_kmh");
    assert_eq!(problem(with_speed(501)).0, "speed_kmh");
}

#[test]
fn detection_time_may_not_be_more_than_five_minutes_ahead() {
    let with_time = |detected_at: chrono::DateTime<chrono::Utc>| {
        let body = json!({"plate": "AB12", "speed_kmh": 100, "detected_at": es_core::time::format(&detected_at)});
        RecordDetection::from_json(&body, now(), Uuid::nil())
    };
    assert!(with_time(now() - Duration::days(3)).is_ok());
    assert!(with_time(now() + Duration::minutes(5)).is_ok());
    assert_eq!(
        problem(with_time(
            now() + Duration::minutes(5) + Duration::milliseconds(1)
        )),
        (
            "detected_at".to_string(),
            "must not be in the future".to_string()
        )
    );
}

// ---- events on the wire ----

#[test]
fn events_round_trip_with_their_spec_names() {
    let data = round_trip(&installed(), "RadarInstalled");
    assert_eq!(data["status"], "ACTIVE");
    assert_eq!(data["radar_id"], radar_id().to_string());

    let details = RadarEvent::RadarDetailsChanged {
        name: None,
        road: Some("N7".into()),
        latitude: None,
        longitude: None,
        altitude_m: None,
    };
    assert_eq!(
        round_trip(&details, "RadarDetailsChanged"),
        json!({"road": "N7"}),
        "unchanged fields are left out"
    );

    let limit = RadarEvent::RadarSpeedLimitChanged {
        max_speed_kmh: 70,
        previous_max_speed_kmh: 90,
    };
    assert_eq!(
        round_trip(&limit, "RadarSpeedLimitChanged"),
        json!({"max_speed_kmh": 70, "previous_max_speed_kmh": 90})
    );

    let status = status_changed(RadarStatus::Active, RadarStatus::OutOfOrder);
    assert_eq!(
        round_trip(&status, "RadarStatusChanged"),
        json!({"status": "OUT_OF_ORDER", "previous_status": "ACTIVE"})
    );

    let data = round_trip(
        &RadarEvent::OverspeedDetected(detected(120)),
        "OverspeedDetected",
    );
    assert_eq!(data["detected_at"], "2026-11-22T10:15:00.123Z");
    assert_eq!(data["plate"], "AB123CD");
    assert_eq!(data["excess_kmh"], 30);
    assert_eq!(
        data["infraction_id"],
        crate::ids::infraction_id_for(Uuid::from_u128(0xD1)).to_string()
    );
}

#[test]
fn installed_without_altitude_decodes_from_null_or_absent() {
    let data = json!({
        "radar_id": radar_id(), "name": "n", "road": "r", "latitude": 1.0, "longitude": 2.0,
        "max_speed_kmh": 50, "status": "OFF"
    });
    let event: RadarEvent = es_core::envelope::decode_event("RadarInstalled", &data).unwrap();
    assert!(matches!(
        event,
        RadarEvent::RadarInstalled {
            altitude_m: None,
            ..
        }
    ));
}
