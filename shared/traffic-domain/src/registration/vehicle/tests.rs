use es_core::{Aggregate, RejectionKind};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::testing::{each_needs_an_existing, field_bounds, fields, given, problem, round_trip};

fn plate() -> Plate {
    Plate::parse("AB123CD").unwrap()
}

fn alice() -> Uuid {
    Uuid::from_u128(0xA11CE)
}

fn bob() -> Uuid {
    Uuid::from_u128(0xB0B)
}

fn registered() -> VehicleEvent {
    VehicleEvent::VehicleRegistered {
        plate: plate(),
        owner_id: alice(),
        vehicle_type: VehicleType::Car,
        brand: "Renault".into(),
        model: "Clio".into(),
        fiscal_power: 5,
    }
}

fn register_body() -> serde_json::Value {
    json!({
        "plate": "ab-123 cd", "owner_id": alice().to_string(), "type": "CAR",
        "brand": "Renault", "model": "Clio", "fiscal_power": 5
    })
}

fn register(owner_exists: bool) -> VehicleCommand {
    RegisterVehicle::from_json(&register_body())
        .unwrap()
        .into_command(owner_exists)
}

fn transfer(owner_id: Uuid, owner_exists: bool) -> VehicleCommand {
    TransferVehicle::from_json(&json!({ "owner_id": owner_id.to_string() }))
        .unwrap()
        .into_command(owner_exists)
}

#[test]
fn registers_a_vehicle_under_its_normalised_plate() {
    let state = given::<Vehicle>(&[])
        .when(register(true))
        .then(vec![registered()]);
    assert!(state.exists());
    assert_eq!(state.plate, Some(plate()));
    assert_eq!(state.owner_id, alice());
    assert_eq!(state.fiscal_power, 5);
}

#[test]
fn an_unknown_owner_is_refused() {
    given::<Vehicle>(&[])
        .when(register(false))
        .then_refused(RejectionKind::BusinessRule, "unknown_owner");
}

#[test]
fn a_registered_plate_is_a_conflict_before_the_owner_is_checked() {
    for owner_exists in [true, false] {
        given::<Vehicle>(&[registered()])
            .when(register(owner_exists))
            .then_refused(RejectionKind::Conflict, "vehicle_already_registered");
    }
}

#[test]
fn commands_on_a_missing_vehicle_are_not_found() {
    let commands = [
        ChangeVehicleDetails {
            brand: Some("Peugeot".into()),
            ..Default::default()
        }
        .into(),
        transfer(bob(), true),
    ];
    each_needs_an_existing::<Vehicle>(commands);
}

#[test]
fn changes_only_what_differs() {
    let body = json!({"type": "TRUCK", "brand": "Renault", "model": "Master", "fiscal_power": 5});
    let state = given::<Vehicle>(&[registered()])
        .when(ChangeVehicleDetails::from_json(&body).unwrap().into())
        .then(vec![VehicleEvent::VehicleDetailsChanged {
            vehicle_type: Some(VehicleType::Truck),
            brand: None,
            model: Some("Master".into()),
            fiscal_power: None,
        }]);
    assert_eq!(state.vehicle_type, VehicleType::Truck);
    assert_eq!(state.model, "Master");
    assert_eq!(state.brand, "Renault");
}

#[test]
fn same_details_append_nothing() {
    let body = json!({"type": "CAR", "brand": "Renault", "model": "Clio", "fiscal_power": 5});
    given::<Vehicle>(&[registered()])
        .when(ChangeVehicleDetails::from_json(&body).unwrap().into())
        .then_nothing();
}

#[test]
fn transfers_to_another_owner() {
    let state = given::<Vehicle>(&[registered()])
        .when(transfer(bob(), true))
        .then(vec![VehicleEvent::VehicleOwnershipTransferred {
            plate: plate(),
            previous_owner_id: alice(),
            owner_id: bob(),
        }]);
    assert_eq!(state.owner_id, bob());
}

#[test]
fn transfer_to_an_unknown_owner_is_refused() {
    given::<Vehicle>(&[registered()])
        .when(transfer(bob(), false))
        .then_refused(RejectionKind::BusinessRule, "unknown_owner");
}

#[test]
fn transfer_to_the_current_owner_appends_nothing() {
    given::<Vehicle>(&[registered()])
        .when(transfer(alice(), true))
        .then_nothing();
    given::<Vehicle>(&[
        registered(),
        VehicleEvent::VehicleOwnershipTransferred {
            plate: plate(),
            previous_owner_id: alice(),
            owner_id: bob(),
        },
    ])
    .when(transfer(bob(), true))
    .then_nothing();
}

#[test]
fn vehicle_type_is_vehicle() {
    assert_eq!(Vehicle::TYPE, "vehicle");
    assert!(Vehicle::unique_claims(&registered()).is_empty());
}

// ---- validation ----

#[test]
fn registration_reads_every_field() {
    assert_eq!(
        RegisterVehicle::from_json(&register_body()).unwrap(),
        RegisterVehicle {
            plate: plate(),
            owner_id: alice(),
            vehicle_type: VehicleType::Car,
            brand: "Renault".into(),
            model: "Clio".into(),
            fiscal_power: 5,
        }
    );
}

#[test]
fn registration_reports_every_problem_at_once() {
    let body = json!({
        "plate": "A", "owner_id": "alice", "type": "PLANE", "brand": "",
        "model": "x".repeat(51), "fiscal_power": 0, "colour": "red"
    });
    assert_eq!(
        fields(RegisterVehicle::from_json(&body)),
        [
            "colour",
            "plate",
            "owner_id",
            "type",
            "brand",
            "model",
            "fiscal_power"
        ]
    );
    assert_eq!(
        fields(RegisterVehicle::from_json(&json!({}))),
        [
            "plate",
            "owner_id",
            "type",
            "brand",
            "model",
            "fiscal_power"
        ]
    );
}

#[test]
fn registration_bounds() {
    let refused = [
        ("plate", json!("ABCDEFGHIJKLM")),
        ("plate", json!("AB_12")),
        ("brand", json!("x".repeat(51))),
        ("model", json!("")),
        ("fiscal_power", json!(101)),
        ("fiscal_power", json!(0)),
        ("type", json!("car")),
    ];
    let accepted = [
        ("plate", json!("AB")),
        ("brand", json!("x".repeat(50))),
        ("model", json!("x".repeat(50))),
        ("fiscal_power", json!(1)),
        ("fiscal_power", json!(100)),
        ("type", json!("MOTORCYCLE")),
        ("type", json!("BUS")),
        ("type", json!("TRUCK")),
    ];
    field_bounds(
        &register_body(),
        RegisterVehicle::from_json,
        refused,
        accepted,
    );
}

#[test]
fn details_patch_must_change_something_and_names_the_transfer_route() {
    assert_eq!(
        problem(ChangeVehicleDetails::from_json(&json!({}))),
        (
            "body".into(),
            "must change at least one of type, brand, model, fiscal_power".into()
        )
    );
    let body =
        json!({"brand": "", "fiscal_power": 101, "owner_id": alice().to_string(), "plate": "XY12"});
    assert_eq!(
        fields(ChangeVehicleDetails::from_json(&body)),
        ["brand", "fiscal_power", "plate", "owner_id"]
    );
}

#[test]
fn transfer_body() {
    assert_eq!(
        problem(TransferVehicle::from_json(&json!({}))).0,
        "owner_id"
    );
    assert_eq!(
        problem(TransferVehicle::from_json(&json!({"owner_id": "bob"}))),
        ("owner_id".into(), "must be a UUID".into())
    );
}

// ---- events on the wire ----

#[test]
fn events_round_trip_with_their_spec_names() {
    let data = round_trip(&registered(), "VehicleRegistered");
    assert_eq!(data["type"], "CAR");
    assert_eq!(data["plate"], "AB123CD");
    assert!(data.get("vehicle_type").is_none());

    let changed = VehicleEvent::VehicleDetailsChanged {
        vehicle_type: Some(VehicleType::Bus),
        brand: None,
        model: None,
        fiscal_power: Some(9),
    };
    assert_eq!(
        round_trip(&changed, "VehicleDetailsChanged"),
        json!({"type": "BUS", "fiscal_power": 9})
    );

    let transferred = VehicleEvent::VehicleOwnershipTransferred {
        plate: plate(),
        previous_owner_id: alice(),
        owner_id: bob(),
    };
    assert_eq!(
        round_trip(&transferred, "VehicleOwnershipTransferred"),
        json!({"plate": "AB123CD", "previous_owner_id": alice(), "owner_id": bob()})
    );
}
