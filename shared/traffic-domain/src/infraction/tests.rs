use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::ids::infraction_id_for;
use crate::radar::OverspeedDetection;
use crate::testing::{
    at, each_needs_an_existing, each_refused_on, fields, given, problem, round_trip,
};

const RULE: RejectionKind = RejectionKind::BusinessRule;

fn owner() -> Uuid {
    Uuid::from_u128(0xA11CE)
}

fn detection(speed_kmh: u32, max_speed_kmh: u32) -> OverspeedDetection {
    let detection_id = Uuid::from_u128(0xD1);
    OverspeedDetection {
        detection_id,
        infraction_id: infraction_id_for(detection_id),
        radar_id: Uuid::from_u128(0xA1),
        plate: Plate::parse("AB123CD").unwrap(),
        speed_kmh,
        max_speed_kmh,
        excess_kmh: speed_kmh - max_speed_kmh,
        detected_at: at("2026-11-22T10:15:00.123Z"),
        latitude: 48.85,
        longitude: 2.35,
        road: "A1".into(),
    }
}

fn location() -> Location {
    Location {
        latitude: 48.85,
        longitude: 2.35,
        road: "A1".into(),
    }
}

/// 120 in a 90 zone: excess 30, fine 1000.
fn issued() -> InfractionEvent {
    InfractionEvent::InfractionIssued {
        infraction_id: infraction_id_for(Uuid::from_u128(0xD1)),
        detection_id: Uuid::from_u128(0xD1),
        radar_id: Uuid::from_u128(0xA1),
        plate: Plate::parse("AB123CD").unwrap(),
        owner_id: owner(),
        speed_kmh: 120,
        max_speed_kmh: 90,
        excess_kmh: 30,
        fine_amount: 1000,
        detected_at: at("2026-11-22T10:15:00.123Z"),
        location: location(),
    }
}

/// The detection of `issued()`, opened while the plate had no owner: the same data but the
/// `owner_id`, which is what the two events' schemas say.
fn pending() -> InfractionEvent {
    let (_, mut data) = es_core::envelope::encode_event(&issued()).unwrap();
    data.as_object_mut().unwrap().remove("owner_id");
    es_core::envelope::decode_event("InfractionPendingOwner", &data).unwrap()
}

fn assigned() -> InfractionEvent {
    InfractionEvent::InfractionOwnerAssigned { owner_id: owner() }
}

fn paid() -> InfractionEvent {
    InfractionEvent::InfractionPaid { amount: 1000 }
}

fn contested() -> InfractionEvent {
    InfractionEvent::InfractionContested {
        reason: "not my car".into(),
    }
}

fn cancelled() -> InfractionEvent {
    InfractionEvent::InfractionCancelled {
        reason: "radar miscalibrated".into(),
    }
}

fn open(owner_id: Option<Uuid>) -> InfractionCommand {
    InfractionCommand::Open {
        detection: detection(120, 90),
        owner_id,
    }
}

fn pay(amount: u64) -> InfractionCommand {
    PayInfraction { amount }.into()
}

fn contest() -> InfractionCommand {
    ContestInfraction {
        reason: "not my car".into(),
    }
    .into()
}

fn cancel() -> InfractionCommand {
    CancelInfraction {
        reason: "radar miscalibrated".into(),
    }
    .into()
}

fn amend(fine_amount: Option<u64>, notes: Option<&str>) -> InfractionCommand {
    AmendInfraction {
        fine_amount,
        notes: notes.map(str::to_owned),
    }
    .into()
}

/// A history leading to each status.
fn in_status(status: InfractionStatus) -> Vec<InfractionEvent> {
    match status {
        InfractionStatus::PendingOwner => vec![pending()],
        InfractionStatus::Issued => vec![issued()],
        InfractionStatus::Paid => vec![issued(), paid()],
        InfractionStatus::Contested => vec![issued(), contested()],
        InfractionStatus::Cancelled => vec![issued(), cancelled()],
    }
}

// ---- opening ----

#[test]
fn opens_an_issued_infraction_when_the_owner_is_known() {
    let state = given::<Infraction>(&[])
        .when(open(Some(owner())))
        .then(vec![issued()]);
    assert!(state.exists());
    assert_eq!(state.status, InfractionStatus::Issued);
    assert_eq!(state.owner_id, Some(owner()));
    assert_eq!(state.fine_amount, 1000);
    assert_eq!(
        state.infraction_id,
        Some(infraction_id_for(Uuid::from_u128(0xD1)))
    );
    assert_eq!(state.location, location());
    assert_eq!(state.notes, None);
}

#[test]
fn opens_a_pending_infraction_when_the_plate_has_no_owner() {
    let state = given::<Infraction>(&[])
        .when(open(None))
        .then(vec![pending()]);
    assert_eq!(state.status, InfractionStatus::PendingOwner);
    assert_eq!(state.owner_id, None);
    assert_eq!(state.plate, Plate::parse("AB123CD"));
}

#[test]
fn the_fine_follows_the_schedule() {
    for (speed, fine) in [(100, 150), (101, 500), (190, 3000), (191, 4000)] {
        let InfractionEvent::InfractionPendingOwner {
            infraction_id,
            detection_id,
            radar_id,
            plate,
            detected_at,
            location,
            ..
        } = pending()
        else {
            unreachable!()
        };
        let state = given::<Infraction>(&[])
            .when(InfractionCommand::Open {
                detection: detection(speed, 90),
                owner_id: None,
            })
            .then(vec![InfractionEvent::InfractionPendingOwner {
                infraction_id,
                detection_id,
                radar_id,
                plate,
                speed_kmh: speed,
                max_speed_kmh: 90,
                excess_kmh: speed - 90,
                fine_amount: fine,
                detected_at,
                location,
            }]);
        assert_eq!(state.fine_amount, fine, "speed {speed}");
    }
}

#[test]
fn opening_an_existing_infraction_appends_nothing() {
    for history in [vec![issued()], vec![pending()], vec![issued(), paid()]] {
        given::<Infraction>(&history)
            .when(open(Some(owner())))
            .then_nothing();
        given::<Infraction>(&history)
            .when(open(None))
            .then_nothing();
    }
}

#[test]
fn every_other_command_needs_an_open_infraction() {
    let commands = [
        InfractionCommand::AssignOwner { owner_id: owner() },
        amend(Some(10), None),
        pay(1000),
        contest(),
        cancel(),
    ];
    each_needs_an_existing::<Infraction>(commands);
}

// ---- owner assignment ----

#[test]
fn an_infraction_without_owner_gets_one_pending_is_issued_contested_stays_contested() {
    for (history, status) in [
        (vec![pending()], InfractionStatus::Issued),
        (vec![pending(), contested()], InfractionStatus::Contested),
    ] {
        let state = given::<Infraction>(&history)
            .when(InfractionCommand::AssignOwner { owner_id: owner() })
            .then(vec![assigned()]);
        assert_eq!(state.owner_id, Some(owner()));
        assert_eq!(state.status, status);
    }
}

#[test]
fn assigning_when_there_is_already_an_owner_or_it_is_cancelled_appends_nothing() {
    let other = Uuid::from_u128(0xB0B);
    for history in [
        vec![issued()],
        vec![pending(), assigned()],
        vec![issued(), contested()],
        vec![issued(), paid()],
        vec![pending(), cancelled()],
    ] {
        for owner_id in [owner(), other] {
            given::<Infraction>(&history)
                .when(InfractionCommand::AssignOwner { owner_id })
                .then_nothing();
        }
    }
}

// ---- transitions ----

#[test]
fn every_allowed_and_refused_transition() {
    use InfractionStatus::*;
    // (from, pay, contest, cancel): Some(status) = allowed and leads there, None = refused.
    let table = [
        (PendingOwner, None, Some(Contested), Some(Cancelled)),
        (Issued, Some(Paid), Some(Contested), Some(Cancelled)),
        (Paid, None, None, None),
        (Contested, None, None, Some(Cancelled)),
        (Cancelled, None, None, None),
    ];
    for (from, after_pay, after_contest, after_cancel) in table {
        let history = in_status(from);
        let expected_events = [
            (pay(1000), after_pay, paid()),
            (contest(), after_contest, contested()),
            (cancel(), after_cancel, cancelled()),
        ];
        for (command, after, event) in expected_events {
            let outcome = given::<Infraction>(&history).when(command.clone());
            match after {
                Some(status) => {
                    let state = outcome.then(vec![event]);
                    assert_eq!(state.status, status, "{from} with {command:?}");
                }
                None => {
                    outcome.then_refused(RULE, "invalid_transition");
                }
            }
        }
    }
}

#[test]
fn a_contested_pending_infraction_can_still_be_cancelled_but_not_paid() {
    given::<Infraction>(&[pending(), contested()])
        .when(cancel())
        .then(vec![cancelled()]);
    given::<Infraction>(&[pending(), contested()])
        .when(pay(1000))
        .then_refused(RULE, "invalid_transition");
}

#[test]
fn payment_must_match_the_fine() {
    for amount in [999, 1001, 1] {
        given::<Infraction>(&[issued()])
            .when(pay(amount))
            .then_refused(RULE, "wrong_amount");
    }
}

#[test]
fn payment_matches_the_amended_fine() {
    let amended = InfractionEvent::InfractionAmended {
        fine_amount: Some(750),
        notes: None,
    };
    given::<Infraction>(&[issued(), amended.clone()])
        .when(pay(1000))
        .then_refused(RULE, "wrong_amount");
    let state = given::<Infraction>(&[issued(), amended])
        .when(pay(750))
        .then(vec![InfractionEvent::InfractionPaid { amount: 750 }]);
    assert_eq!(state.status, InfractionStatus::Paid);
}

#[test]
fn a_pending_infraction_is_paid_once_it_has_an_owner() {
    given::<Infraction>(&[pending(), assigned()])
        .when(pay(1000))
        .then(vec![paid()]);
}

// ---- amendments ----

#[test]
fn amends_the_fine_and_the_notes() {
    let state = given::<Infraction>(&[issued()])
        .when(amend(Some(500), Some("reduced: first offence")))
        .then(vec![InfractionEvent::InfractionAmended {
            fine_amount: Some(500),
            notes: Some("reduced: first offence".into()),
        }]);
    assert_eq!(state.fine_amount, 500);
    assert_eq!(state.notes.as_deref(), Some("reduced: first offence"));
    assert_eq!(state.status, InfractionStatus::Issued);
}

#[test]
fn amendment_records_only_what_changes() {
    given::<Infraction>(&[issued()])
        .when(amend(Some(1000), Some("n")))
        .then(vec![InfractionEvent::InfractionAmended {
            fine_amount: None,
            notes: Some("n".into()),
        }]);
}

#[test]
fn amendment_that_changes_nothing_appends_nothing() {
    given::<Infraction>(&[issued()])
        .when(amend(Some(1000), Some("")))
        .then_nothing();
    let noted = InfractionEvent::InfractionAmended {
        fine_amount: None,
        notes: Some("n".into()),
    };
    given::<Infraction>(&[issued(), noted])
        .when(amend(None, Some("n")))
        .then_nothing();
}

#[test]
fn empty_notes_clear_the_notes() {
    let noted = InfractionEvent::InfractionAmended {
        fine_amount: None,
        notes: Some("n".into()),
    };
    let state = given::<Infraction>(&[issued(), noted])
        .when(amend(None, Some("")))
        .then(vec![InfractionEvent::InfractionAmended {
            fine_amount: None,
            notes: Some(String::new()),
        }]);
    assert_eq!(state.notes, None);
}

#[test]
fn amending_is_refused_once_paid_only() {
    given::<Infraction>(&[issued(), paid()])
        .when(amend(Some(10), None))
        .then_refused(RULE, "invalid_transition");
    for status in [
        InfractionStatus::PendingOwner,
        InfractionStatus::Issued,
        InfractionStatus::Contested,
        InfractionStatus::Cancelled,
    ] {
        given::<Infraction>(&in_status(status))
            .when(amend(Some(10), None))
            .then(vec![InfractionEvent::InfractionAmended {
                fine_amount: Some(10),
                notes: None,
            }]);
    }
}

#[test]
fn infraction_type_is_infraction() {
    assert_eq!(Infraction::TYPE, "infraction");
    assert!(Infraction::unique_claims(&issued()).is_empty());
}

#[test]
fn state_after_each_event() {
    use InfractionStatus::*;
    let steps = [
        (pending(), PendingOwner),
        (contested(), Contested),
        (assigned(), Contested),
        (cancelled(), Cancelled),
    ];
    let mut state = Infraction::default();
    assert!(!state.exists());
    for (event, status) in steps {
        state.apply(&event);
        assert_eq!(state.status, status, "after {event:?}");
    }
    let snapshot = serde_json::to_value(&state).unwrap();
    assert_eq!(snapshot["detected_at"], "2026-11-22T10:15:00.123Z");
    assert_eq!(snapshot["status"], "CANCELLED");
    let back: Infraction = serde_json::from_value(snapshot).unwrap();
    assert_eq!(back, state);
}

// ---- validation ----

#[test]
fn amend_body() {
    assert_eq!(
        AmendInfraction::from_json(&json!({"fine_amount": 1, "notes": ""})).unwrap(),
        AmendInfraction {
            fine_amount: Some(1),
            notes: Some(String::new()),
        }
    );
    assert!(AmendInfraction::from_json(&json!({"fine_amount": 1_000_000})).is_ok());
    assert!(AmendInfraction::from_json(&json!({"notes": "x".repeat(2000)})).is_ok());
    assert_eq!(
        problem(AmendInfraction::from_json(&json!({}))),
        (
            "body".into(),
            "must change at least one of fine_amount, notes".into()
        )
    );
    assert_eq!(
        problem(AmendInfraction::from_json(
            &json!({"notes": "x".repeat(2001)})
        ))
        .0,
        "notes"
    );
    assert_eq!(
        problem(AmendInfraction::from_json(
            &json!({"fine_amount": 1_000_001})
        ))
        .0,
        "fine_amount"
    );
    assert_eq!(
        fields(AmendInfraction::from_json(
            &json!({"fine_amount": 0, "notes": 5, "status": "PAID"})
        )),
        ["status", "fine_amount", "notes"]
    );
}

#[test]
fn pay_body() {
    assert_eq!(
        PayInfraction::from_json(&json!({"amount": 1})).unwrap(),
        PayInfraction { amount: 1 }
    );
    assert!(PayInfraction::from_json(&json!({"amount": 1_000_000})).is_ok());
    each_refused_on(
        "amount",
        PayInfraction::from_json,
        [
            json!({"amount": 0}),
            json!({"amount": 1_000_001}),
            json!({"amount": 10.5}),
            json!({"amount": "1000"}),
            json!({}),
        ],
    );
}

#[test]
fn reason_bodies() {
    assert_eq!(
        ContestInfraction::from_json(&json!({"reason": " not me "})).unwrap(),
        ContestInfraction {
            reason: "not me".into()
        }
    );
    assert!(CancelInfraction::from_json(&json!({"reason": "x".repeat(1000)})).is_ok());
    let refused = [
        json!({"reason": ""}),
        json!({"reason": "x".repeat(1001)}),
        json!({}),
    ];
    each_refused_on("reason", ContestInfraction::from_json, refused.clone());
    each_refused_on("reason", CancelInfraction::from_json, refused);
    assert_eq!(
        fields(CancelInfraction::from_json(
            &json!({"reason": "", "why": 1})
        )),
        ["why", "reason"]
    );
}

// ---- events on the wire ----

#[test]
fn events_round_trip_with_their_spec_names() {
    let data = round_trip(&issued(), "InfractionIssued");
    assert_eq!(
        data["location"],
        json!({"latitude": 48.85, "longitude": 2.35, "road": "A1"})
    );
    assert_eq!(data["detected_at"], "2026-11-22T10:15:00.123Z");
    assert_eq!(data["owner_id"], owner().to_string());
    assert_eq!(data["fine_amount"], 1000);

    let data = round_trip(&pending(), "InfractionPendingOwner");
    assert!(data.get("owner_id").is_none());

    assert_eq!(
        round_trip(&assigned(), "InfractionOwnerAssigned"),
        json!({"owner_id": owner()})
    );
    assert_eq!(
        round_trip(
            &InfractionEvent::InfractionAmended {
                fine_amount: None,
                notes: Some("n".into())
            },
            "InfractionAmended"
        ),
        json!({"notes": "n"})
    );
    assert_eq!(
        round_trip(&paid(), "InfractionPaid"),
        json!({"amount": 1000})
    );
    assert_eq!(
        round_trip(&contested(), "InfractionContested"),
        json!({"reason": "not my car"})
    );
    assert_eq!(
        round_trip(&cancelled(), "InfractionCancelled"),
        json!({"reason": "radar miscalibrated"})
    );
}
