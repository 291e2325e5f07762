use es_core::{Aggregate, DomainError, RejectionKind, UniqueClaim};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::testing::{date, fields, given, problem, round_trip};

fn owner_id() -> Uuid {
    Uuid::from_u128(0x0E)
}

fn today() -> NaiveDate {
    date("2026-11-22")
}

fn registered() -> OwnerEvent {
    OwnerEvent::OwnerRegistered {
        owner_id: owner_id(),
        name: "Ada Lovelace".into(),
        birth_date: date("1990-12-10"),
        email: "ada@example.org".into(),
        phone: Some("+33 6 12 34 56 78".into()),
        address: None,
        national_id: "AB-1234".into(),
    }
}

fn register_body() -> serde_json::Value {
    json!({
        "name": " Ada Lovelace ", "birth_date": "1990-12-10", "email": " ada@example.org ",
        "phone": "+33 6 12 34 56 78", "national_id": " ab-1234 "
    })
}

fn change(body: serde_json::Value) -> OwnerCommand {
    ChangeOwnerDetails::from_json(&body, today())
        .unwrap()
        .into()
}

#[test]
fn registers_an_owner_with_normalised_fields() {
    let command = RegisterOwner::from_json(owner_id(), &register_body(), today()).unwrap();
    let state = given::<Owner>(&[])
        .when(command.into())
        .then(vec![registered()]);
    assert!(state.exists());
    assert_eq!(state.owner_id, Some(owner_id()));
    assert_eq!(state.national_id, "AB-1234");
    assert_eq!(state.email, "ada@example.org");
    assert_eq!(state.address, None);
}

#[test]
fn registering_twice_is_a_conflict() {
    let command = RegisterOwner::from_json(owner_id(), &register_body(), today()).unwrap();
    given::<Owner>(&[registered()])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "owner_already_registered");
}

#[test]
fn a_taken_national_id_is_presented_as_a_conflict() {
    let rejection = OwnerError::NationalIdTaken {
        national_id: "AB-1234".into(),
    }
    .rejection();
    assert_eq!(rejection.kind, RejectionKind::Conflict);
    assert_eq!(rejection.code, "owner_already_registered");
    assert!(rejection.message.contains("AB-1234"));
}

#[test]
fn registration_claims_the_national_id() {
    assert_eq!(
        Owner::unique_claims(&registered()),
        vec![UniqueClaim {
            scope: "owner.national_id",
            value: "AB-1234".into(),
        }]
    );
    let changed = OwnerEvent::OwnerDetailsChanged {
        name: Some("x".into()),
        birth_date: None,
        email: None,
        phone: None,
        address: None,
    };
    assert!(Owner::unique_claims(&changed).is_empty());
}

#[test]
fn changing_a_missing_owner_is_not_found() {
    given::<Owner>(&[])
        .when(change(json!({"name": "Ada"})))
        .then_refused(RejectionKind::NotFound, "not_found");
}

#[test]
fn changes_only_what_differs() {
    let state = given::<Owner>(&[registered()])
        .when(change(json!({
            "name": "Ada Lovelace", "email": "ada@lovelace.org",
            "phone": "+33 6 12 34 56 78", "address": "12 rue de la Paix"
        })))
        .then(vec![OwnerEvent::OwnerDetailsChanged {
            name: None,
            birth_date: None,
            email: Some("ada@lovelace.org".into()),
            phone: None,
            address: Some("12 rue de la Paix".into()),
        }]);
    assert_eq!(state.email, "ada@lovelace.org");
    assert_eq!(state.address.as_deref(), Some("12 rue de la Paix"));
    assert_eq!(state.phone.as_deref(), Some("+33 6 12 34 56 78"));
    assert_eq!(state.name, "Ada Lovelace");
}

#[test]
fn changes_birth_date_and_name() {
    let state = given::<Owner>(&[registered()])
        .when(change(
            json!({"name": "Ada King", "birth_date": "1991-01-01"}),
        ))
        .then(vec![OwnerEvent::OwnerDetailsChanged {
            name: Some("Ada King".into()),
            birth_date: Some(date("1991-01-01")),
            email: None,
            phone: None,
            address: None,
        }]);
    assert_eq!(state.birth_date, date("1991-01-01"));
    assert_eq!(state.name, "Ada King");
}

#[test]
fn same_details_append_nothing() {
    given::<Owner>(&[registered()])
        .when(change(json!({
            "name": "Ada Lovelace", "birth_date": "1990-12-10", "email": "ada@example.org",
            "phone": "+33 6 12 34 56 78"
        })))
        .then_nothing();
}

#[test]
fn owner_type_is_owner() {
    assert_eq!(Owner::TYPE, "owner");
}

// ---- validation ----

#[test]
fn registration_reports_every_problem_at_once() {
    let body = json!({
        "name": "", "birth_date": "2027-01-01", "email": "nobody", "phone": "call me",
        "address": "", "national_id": "AB 12", "nickname": "ada"
    });
    assert_eq!(
        fields(RegisterOwner::from_json(owner_id(), &body, today())),
        [
            "nickname",
            "name",
            "birth_date",
            "email",
            "phone",
            "address",
            "national_id"
        ]
    );
    assert_eq!(
        fields(RegisterOwner::from_json(owner_id(), &json!({}), today())),
        ["name", "birth_date", "email", "national_id"]
    );
}

fn register_with(
    field: &str,
    value: serde_json::Value,
) -> Result<RegisterOwner, es_core::ValidationError> {
    let mut body = register_body();
    body[field] = value;
    RegisterOwner::from_json(owner_id(), &body, today())
}

#[test]
fn birth_date_is_strictly_past_and_not_before_1900() {
    assert!(register_with("birth_date", json!("2026-11-21")).is_ok());
    assert!(register_with("birth_date", json!("1900-01-01")).is_ok());
    assert_eq!(
        problem(register_with("birth_date", json!("2026-11-22"))),
        ("birth_date".into(), "must be in the past".into())
    );
    assert_eq!(
        problem(register_with("birth_date", json!("2030-01-01"))).1,
        "must be in the past"
    );
    assert_eq!(
        problem(register_with("birth_date", json!("1899-12-31"))),
        ("birth_date".into(), "must not be before 1900-01-01".into())
    );
    assert_eq!(
        problem(register_with("birth_date", json!("10/12/1990"))).1,
        "must be a date YYYY-MM-DD"
    );
}

#[test]
fn email_bounds() {
    let local = "a".repeat(245);
    assert_eq!(format!("{local}@mail.org").len(), 254);
    assert!(register_with("email", json!(format!("{local}@mail.org"))).is_ok());
    assert_eq!(
        problem(register_with("email", json!(format!("{local}a@mail.org")))).0,
        "email"
    );
    for bad in [
        "ada",
        "@example.org",
        "ada@example",
        "ada@.org",
        "ada@org.",
        "a@b@c.org",
        "ada lovelace@example.org",
    ] {
        assert_eq!(
            problem(register_with("email", json!(bad))),
            (
                "email".into(),
                "must be an email address like name@example.com".into()
            ),
            "{bad}"
        );
    }
    assert_eq!(
        register_with("email", json!("  ada@example.org  "))
            .unwrap()
            .email,
        "ada@example.org"
    );
}

#[test]
fn phone_bounds() {
    assert!(register_with("phone", json!("12345")).is_ok());
    assert!(register_with("phone", json!("+(33) 1-23 45 67 89 00 11 2233")).is_ok());
    assert_eq!("+(33) 1-23 45 67 89 00 11 2233".len(), 30);
    assert!(register_with("phone", json!(null)).is_ok());
    assert_eq!(problem(register_with("phone", json!("1234"))).0, "phone");
    assert_eq!(
        problem(register_with("phone", json!("1".repeat(31)))).0,
        "phone"
    );
    assert_eq!(
        problem(register_with("phone", json!("06 12 ab 56"))),
        (
            "phone".into(),
            "must contain only digits, spaces and + - ( )".into()
        )
    );
}

#[test]
fn name_and_address_bounds() {
    assert!(register_with("name", json!("x".repeat(200))).is_ok());
    assert_eq!(
        problem(register_with("name", json!("x".repeat(201)))).0,
        "name"
    );
    assert_eq!(problem(register_with("name", json!(" "))).0, "name");
    assert!(register_with("address", json!("x".repeat(300))).is_ok());
    assert_eq!(
        problem(register_with("address", json!("x".repeat(301)))).0,
        "address"
    );
    assert_eq!(problem(register_with("address", json!(""))).0, "address");
}

#[test]
fn national_id_is_trimmed_upper_cased_and_checked() {
    assert_eq!(
        register_with("national_id", json!("  fr-99-x "))
            .unwrap()
            .national_id,
        "FR-99-X"
    );
    assert!(register_with("national_id", json!("A".repeat(50))).is_ok());
    assert_eq!(
        problem(register_with("national_id", json!("A".repeat(51)))).0,
        "national_id"
    );
    assert_eq!(
        problem(register_with("national_id", json!("  "))).0,
        "national_id"
    );
    for bad in ["AB 12", "AB_12", "AB.12", "É12"] {
        assert_eq!(
            problem(register_with("national_id", json!(bad))),
            (
                "national_id".into(),
                "must contain only letters, digits and dashes".into()
            ),
            "{bad}"
        );
    }
}

#[test]
fn details_patch_must_change_something_and_keeps_the_national_id() {
    assert_eq!(
        problem(ChangeOwnerDetails::from_json(&json!({}), today())),
        (
            "body".into(),
            "must change at least one of name, birth_date, email, phone, address".into()
        )
    );
    assert_eq!(
        fields(ChangeOwnerDetails::from_json(
            &json!({"national_id": "X1"}),
            today()
        )),
        ["national_id", "body"]
    );
    let problems =
        ChangeOwnerDetails::from_json(&json!({"name": "A", "national_id": "X1"}), today())
            .unwrap_err()
            .0;
    assert_eq!(problems.len(), 1);
    assert_eq!(
        (problems[0].field.as_str(), problems[0].problem.as_str()),
        ("national_id", "cannot be changed")
    );
}

#[test]
fn details_patch_validates_what_it_is_given() {
    let body = json!({"name": "", "birth_date": "2026-11-22", "email": "x", "phone": "abcde", "address": ""});
    assert_eq!(
        fields(ChangeOwnerDetails::from_json(&body, today())),
        ["name", "birth_date", "email", "phone", "address"]
    );
    assert_eq!(
        ChangeOwnerDetails::from_json(&json!({"email": "b@c.de"}), today()).unwrap(),
        ChangeOwnerDetails {
            email: Some("b@c.de".into()),
            ..Default::default()
        }
    );
}

// ---- events on the wire ----

#[test]
fn events_round_trip_with_their_spec_names() {
    let data = round_trip(&registered(), "OwnerRegistered");
    assert_eq!(data["birth_date"], "1990-12-10");
    assert_eq!(data["address"], serde_json::Value::Null);
    assert_eq!(data["national_id"], "AB-1234");

    let changed = OwnerEvent::OwnerDetailsChanged {
        name: None,
        birth_date: Some(date("1991-02-03")),
        email: None,
        phone: None,
        address: None,
    };
    assert_eq!(
        round_trip(&changed, "OwnerDetailsChanged"),
        json!({"birth_date": "1991-02-03"})
    );
}
