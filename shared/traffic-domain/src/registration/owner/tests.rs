use chrono::NaiveDate;
use es_core::{Aggregate, DomainError, RejectionKind, Sealer, UniqueClaim};
use serde_json::json;
use uuid::Uuid;

use super::*;
use crate::testing::{date, fields, given, problem, round_trip, snapshot_round_trip, PlainSealer};

/// What the test sealer seals `text` as.
fn sealed(text: &str) -> Sealed {
    PlainSealer::sealed(text)
}

fn personal(state: &Owner) -> &OwnerPersonalData {
    state.personal.as_ref().expect("personal data")
}

fn owner_id() -> Uuid {
    Uuid::from_u128(0x0E)
}

fn today() -> NaiveDate {
    date("2026-11-22")
}

fn registered() -> OwnerEvent {
    OwnerEvent::OwnerRegistered {
        owner_id: owner_id(),
        name: sealed("Ada Lovelace"),
        birth_date: sealed("1990-12-10"),
        email: sealed("ada@example.org"),
        phone: Some(sealed("+33 6 12 34 56 78")),
        address: None,
        national_id: sealed("AB-1234"),
        national_id_fingerprint: "fp:owner.national_id:AB-1234".into(),
    }
}

fn register(body: &serde_json::Value) -> Result<RegisterOwner, es_core::ValidationError> {
    RegisterOwner::from_json(owner_id(), body, today(), &PlainSealer)
}

fn register_body() -> serde_json::Value {
    json!({
        "name": " Ada Lovelace ", "birth_date": "1990-12-10", "email": " ada@example.org ",
        "phone": "+33 6 12 34 56 78", "national_id": " ab-1234 "
    })
}

fn change(body: serde_json::Value) -> OwnerCommand {
    ChangeOwnerDetails::from_json(&body, today(), &PlainSealer)
        .unwrap()
        .into()
}

#[test]
fn registers_an_owner_with_normalised_fields() {
    let command = register(&register_body()).unwrap();
    let state = given::<Owner>(&[])
        .when(command.into())
        .then(vec![registered()]);
    assert!(state.exists());
    assert!(!state.is_erased());
    assert_eq!(state.owner_id, Some(owner_id()));
    assert_eq!(personal(&state).national_id, sealed("AB-1234"));
    assert_eq!(personal(&state).email, sealed("ada@example.org"));
    assert_eq!(personal(&state).birth_date, sealed("1990-12-10"));
    assert_eq!(personal(&state).address, None);
}

#[test]
fn registering_twice_is_a_conflict() {
    let command = register(&register_body()).unwrap();
    given::<Owner>(&[registered()])
        .when(command.into())
        .then_refused(RejectionKind::Conflict, "owner_already_registered");
}

#[test]
fn a_taken_national_id_is_presented_as_a_conflict() {
    let rejection = OwnerError::NationalIdTaken.rejection();
    assert_eq!(rejection.kind, RejectionKind::Conflict);
    assert_eq!(rejection.code, "owner_already_registered");
}

#[test]
fn registration_claims_the_national_id_fingerprint_never_the_value() {
    assert_eq!(
        Owner::unique_claims(&registered()),
        vec![UniqueClaim {
            scope: "owner.national_id",
            value: "fp:owner.national_id:AB-1234".into(),
        }]
    );
    let command = register(&register_body()).unwrap();
    assert_eq!(
        command.national_id_fingerprint,
        "fp:owner.national_id:AB-1234"
    );
    let changed = OwnerEvent::OwnerDetailsChanged {
        name: Some(sealed("x")),
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
        .then_not_found();
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
            email: Some(sealed("ada@lovelace.org")),
            phone: None,
            address: Some(sealed("12 rue de la Paix")),
        }]);
    let personal = personal(&state);
    assert_eq!(personal.email, sealed("ada@lovelace.org"));
    assert_eq!(personal.address, Some(sealed("12 rue de la Paix")));
    assert_eq!(personal.phone, Some(sealed("+33 6 12 34 56 78")));
    assert_eq!(personal.name, sealed("Ada Lovelace"));
}

#[test]
fn changes_birth_date_and_name() {
    let state = given::<Owner>(&[registered()])
        .when(change(
            json!({"name": "Ada King", "birth_date": "1991-01-01"}),
        ))
        .then(vec![OwnerEvent::OwnerDetailsChanged {
            name: Some(sealed("Ada King")),
            birth_date: Some(sealed("1991-01-01")),
            email: None,
            phone: None,
            address: None,
        }]);
    assert_eq!(personal(&state).birth_date, sealed("1991-01-01"));
    assert_eq!(personal(&state).name, sealed("Ada King"));
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
        fields(register(&body)),
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
        fields(register(&json!({}))),
        ["name", "birth_date", "email", "national_id"]
    );
}

fn register_with(
    field: &str,
    value: serde_json::Value,
) -> Result<RegisterOwner, es_core::ValidationError> {
    let mut body = register_body();
    body[field] = value;
    register(&body)
}

#[test]
fn birth_date_is_strictly_past_and_not_before_1900() {
    assert!(register_with("birth_date", json!("2026-11-21")).is_ok());
    assert!(register_with("birth_date", json!("1900-01-01")).is_ok());
    for (date, refusal) in [
        ("2026-11-22", "must be in the past"),
        ("2030-01-01", "must be in the past"),
        ("1899-12-31", "must not be before 1900-01-01"),
        ("10/12/1990", "must be a date YYYY-MM-DD"),
    ] {
        assert_eq!(
            problem(register_with("birth_date", json!(date))),
            ("birth_date".into(), refusal.into()),
            "{date}"
        );
    }
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
        sealed("ada@example.org")
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
        sealed("FR-99-X")
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
        problem(ChangeOwnerDetails::from_json(
            &json!({}),
            today(),
            &PlainSealer
        )),
        (
            "body".into(),
            "must change at least one of name, birth_date, email, phone, address".into()
        )
    );
    assert_eq!(
        fields(ChangeOwnerDetails::from_json(
            &json!({"national_id": "X1"}),
            today(),
            &PlainSealer
        )),
        ["national_id", "body"]
    );
    let problems = ChangeOwnerDetails::from_json(
        &json!({"name": "A", "national_id": "X1"}),
        today(),
        &PlainSealer,
    )
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
        fields(ChangeOwnerDetails::from_json(&body, today(), &PlainSealer)),
        ["name", "birth_date", "email", "phone", "address"]
    );
    assert_eq!(
        ChangeOwnerDetails::from_json(&json!({"email": "b@c.de"}), today(), &PlainSealer).unwrap(),
        ChangeOwnerDetails {
            email: Some(sealed("b@c.de")),
            ..Default::default()
        }
    );
}

// ---- events on the wire ----

#[test]
fn events_round_trip_with_their_spec_names() {
    let data = round_trip(&registered(), "OwnerRegistered");
    assert_eq!(data["birth_date"], "sealed:1990-12-10");
    assert_eq!(data["address"], serde_json::Value::Null);
    assert_eq!(data["national_id"], "sealed:AB-1234");
    assert_eq!(
        data["national_id_fingerprint"],
        "fp:owner.national_id:AB-1234"
    );

    let changed = OwnerEvent::OwnerDetailsChanged {
        name: None,
        birth_date: Some(sealed("1991-02-03")),
        email: None,
        phone: None,
        address: None,
    };
    assert_eq!(
        round_trip(&changed, "OwnerDetailsChanged"),
        json!({"birth_date": "sealed:1991-02-03"})
    );
    assert_eq!(
        round_trip(
            &OwnerEvent::OwnerPersonalDataErased {},
            "OwnerPersonalDataErased"
        ),
        json!({})
    );
}

// ---- sealing and erasure (SPEC §7) ----

/// A sealer that records what it was asked to seal, to check that nothing is sealed before
/// the whole body is valid.
#[derive(Default)]
struct CountingSealer(std::cell::Cell<usize>);

impl Sealer for CountingSealer {
    fn seal(&self, field: &str, plaintext: &str) -> Sealed {
        self.0.set(self.0.get() + 1);
        PlainSealer.seal(field, plaintext)
    }

    fn fingerprint(&self, scope: &str, value: &str) -> String {
        self.0.set(self.0.get() + 1);
        PlainSealer.fingerprint(scope, value)
    }
}

#[test]
fn nothing_is_sealed_unless_the_whole_body_is_valid() {
    let sealer = CountingSealer::default();
    let mut body = register_body();
    body["email"] = json!("nobody");
    assert!(RegisterOwner::from_json(owner_id(), &body, today(), &sealer).is_err());
    assert!(ChangeOwnerDetails::from_json(
        &json!({"name": "", "email": "b@c.de"}),
        today(),
        &sealer
    )
    .is_err());
    assert_eq!(sealer.0.get(), 0);
    RegisterOwner::from_json(owner_id(), &register_body(), today(), &sealer).unwrap();
    // name, birth_date, email, phone, national_id, and the fingerprint
    assert_eq!(sealer.0.get(), 6);
}

#[test]
fn every_personal_value_is_sealed_under_its_field() {
    struct FieldSealer;
    impl Sealer for FieldSealer {
        fn seal(&self, field: &str, plaintext: &str) -> Sealed {
            Sealed::from_sealed_text(format!("{field}={plaintext}"))
        }
        fn fingerprint(&self, scope: &str, value: &str) -> String {
            format!("{scope}~{value}")
        }
    }
    let mut body = register_body();
    body["address"] = json!("1 Main St");
    let command = RegisterOwner::from_json(owner_id(), &body, today(), &FieldSealer).unwrap();
    let texts = [
        &command.name,
        &command.birth_date,
        &command.email,
        command.phone.as_ref().unwrap(),
        command.address.as_ref().unwrap(),
        &command.national_id,
    ]
    .map(|s| s.as_str().to_owned());
    assert_eq!(
        texts,
        [
            "name=Ada Lovelace",
            "birth_date=1990-12-10",
            "email=ada@example.org",
            "phone=+33 6 12 34 56 78",
            "address=1 Main St",
            "national_id=AB-1234"
        ]
    );
    assert_eq!(command.national_id_fingerprint, "owner.national_id~AB-1234");
    let change = ChangeOwnerDetails::from_json(
        &json!({"birth_date": "1991-01-02", "phone": "12345"}),
        today(),
        &FieldSealer,
    )
    .unwrap();
    assert_eq!(change.birth_date.unwrap().as_str(), "birth_date=1991-01-02");
    assert_eq!(change.phone.unwrap().as_str(), "phone=12345");
}

#[test]
fn erasing_forgets_the_personal_data_and_keeps_the_owner() {
    let changed = OwnerEvent::OwnerDetailsChanged {
        name: None,
        birth_date: None,
        email: None,
        phone: None,
        address: Some(sealed("12 rue de la Paix")),
    };
    let state = given::<Owner>(&[registered(), changed])
        .when(OwnerCommand::ErasePersonalData)
        .then(vec![OwnerEvent::OwnerPersonalDataErased {}]);
    assert!(state.exists());
    assert!(state.is_erased());
    assert_eq!(state.owner_id, Some(owner_id()));
    assert_eq!(state.personal, None);
    // A snapshot taken now holds no sealed value.
    let snapshot = serde_json::to_string(&state).unwrap();
    assert!(!snapshot.contains("sealed:"), "{snapshot}");
    snapshot_round_trip(&state);
}

#[test]
fn erasing_twice_appends_nothing() {
    given::<Owner>(&[registered(), OwnerEvent::OwnerPersonalDataErased {}])
        .when(OwnerCommand::ErasePersonalData)
        .then_nothing();
}

#[test]
fn erasing_a_missing_owner_is_not_found() {
    given::<Owner>(&[])
        .when(OwnerCommand::ErasePersonalData)
        .then_not_found();
}

#[test]
fn an_erased_owner_refuses_new_details_even_the_same_ones() {
    for body in [json!({"name": "Ada King"}), json!({"name": "Ada Lovelace"})] {
        given::<Owner>(&[registered(), OwnerEvent::OwnerPersonalDataErased {}])
            .when(change(body))
            .then_refused(RejectionKind::BusinessRule, "personal_data_erased");
    }
}

#[test]
fn an_erased_owner_cannot_be_registered_again() {
    given::<Owner>(&[registered(), OwnerEvent::OwnerPersonalDataErased {}])
        .when(register(&register_body()).unwrap().into())
        .then_refused(RejectionKind::Conflict, "owner_already_registered");
    assert!(Owner::unique_claims(&OwnerEvent::OwnerPersonalDataErased {}).is_empty());
}

#[test]
fn the_state_snapshots_and_is_rebuilt_the_same() {
    snapshot_round_trip(&Owner::replay(&[registered()]));
    assert_eq!(Owner::SNAPSHOT_SCHEMA, 2);
}
