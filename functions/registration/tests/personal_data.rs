//! Crypto-shredding of an owner end to end on moto (SPEC §7): registered through the real
//! sealer, no plaintext reaches the event table (the guard holds a fingerprint); once the key
//! is destroyed and the erasure appended, neither the events, the state nor the view yield a
//! personal value, while the owner stays.

use chrono::NaiveDate;
use es_core::{Aggregate, CommandContext, StreamId};
use event_store::{CommandError, Expected};
use personal_data::{reveal, KeyStore};
use registration_functions::{owner_subject, reveal_owner};
use serde_json::json;
use test_support::{scan_table, unique_name, EventStoreFixture};
use traffic_domain::{Owner, OwnerCommand, OwnerEvent, RegisterOwner};
use traffic_views::OwnerView;
use uuid::Uuid;

const PLAINTEXTS: [&str; 5] = [
    "Ada Lovelace",
    "ada@example.org",
    "1985-12-10",
    "+33 6 12 34 56 78",
    "FR-1985-0001",
];

fn ctx() -> CommandContext {
    CommandContext::for_request("test", Some("personal-data-test"), "request")
}

fn today() -> NaiveDate {
    NaiveDate::from_ymd_opt(2026, 11, 22).unwrap()
}

fn body() -> serde_json::Value {
    json!({"name": "Ada Lovelace", "birth_date": "1985-12-10", "email": "ada@example.org",
           "phone": "+33 6 12 34 56 78", "national_id": "fr-1985-0001"})
}

#[tokio::test]
async fn an_erased_owner_yields_no_personal_value_and_stays() {
    let fixture = EventStoreFixture::start().await;
    let (client, tables, store) = (&fixture.client, &fixture.tables, &fixture.store);
    let keys_table = unique_name("keys");
    personal_data::schema::create_keys_table(client, &keys_table)
        .await
        .unwrap();
    let commands = fixture.commands();
    let keys = KeyStore::new(client.clone(), &keys_table);

    // Register as register-owner does: key in memory, validate and seal, save, execute.
    let owner_id = Uuid::new_v4();
    let key = keys.create(&owner_subject(owner_id)).unwrap();
    let sealer = keys.sealer(&key).await.unwrap();
    let command = RegisterOwner::from_json(owner_id, &body(), today(), &sealer).unwrap();
    keys.save(&key).await.unwrap();
    let id = owner_id.to_string();
    commands
        .execute::<Owner>(&id, &command.into(), Expected::Any, &ctx())
        .await
        .unwrap();

    let raw = format!("{:?}", scan_table(client, &tables.events).await);
    for plaintext in PLAINTEXTS {
        assert!(!raw.contains(plaintext), "{plaintext} is stored in clear");
    }
    assert!(raw.contains("$unique#owner.national_id#"), "{raw}");

    // Another owner with the same national id, under another key: the fingerprint is the
    // same, so the guard refuses it.
    let twin_id = Uuid::new_v4();
    let twin_key = keys.create(&owner_subject(twin_id)).unwrap();
    let twin_sealer = keys.sealer(&twin_key).await.unwrap();
    let twin = RegisterOwner::from_json(twin_id, &body(), today(), &twin_sealer).unwrap();
    let refused = commands
        .execute::<Owner>(&twin_id.to_string(), &twin.into(), Expected::Any, &ctx())
        .await
        .unwrap_err();
    assert!(
        matches!(&refused, CommandError::Duplicate { scope, .. } if scope == "owner.national_id"),
        "{refused:?}"
    );

    // Revealed with its key, the view answers in clear.
    let stream = StreamId::new(Owner::TYPE, &id);
    let events = store.read_stream(&stream, 1, None).await.unwrap();
    let view = <OwnerView as projection::View>::replay(&events);
    let loaded = keys.load(&owner_subject(owner_id)).await.unwrap();
    let answer = serde_json::to_value(reveal_owner(&view, loaded.as_ref())).unwrap();
    assert_eq!(answer["name"], "Ada Lovelace");
    assert_eq!(answer["birth_date"], "1985-12-10");
    assert_eq!(answer["national_id"], "FR-1985-0001");

    // Erase as erase-owner-personal-data does: the key first, then the event; twice.
    for expected_version in [2, 2] {
        keys.erase(&owner_subject(owner_id)).await.unwrap();
        let outcome = commands
            .execute::<Owner>(&id, &OwnerCommand::ErasePersonalData, Expected::Any, &ctx())
            .await
            .unwrap();
        assert_eq!(outcome.version, expected_version);
        assert!(outcome.state.exists() && outcome.state.is_erased());
    }

    let events = store.read_stream(&stream, 1, None).await.unwrap();
    assert_eq!(events.len(), 2);
    let key = keys.load(&owner_subject(owner_id)).await.unwrap();
    assert!(key.is_none());
    // The first event still carries the sealed values: nothing opens them any more.
    let OwnerEvent::OwnerRegistered { name, email, .. } = events[0].decode().unwrap() else {
        panic!("not a registration: {:?}", events[0]);
    };
    for (field, sealed) in [("name", &name), ("email", &email)] {
        assert_eq!(reveal(key.as_ref(), field, sealed), None);
        // Not even with the key of another owner.
        assert_eq!(reveal(Some(&twin_key), field, sealed), None);
    }
    let view = <OwnerView as projection::View>::replay(&events);
    let answer = serde_json::to_value(reveal_owner(&view, key.as_ref())).unwrap();
    for field in traffic_domain::OWNER_PERSONAL_FIELDS {
        assert_eq!(answer[field], serde_json::Value::Null, "{field}");
    }
    assert_eq!(answer["owner_id"], id);
    assert_eq!(answer["version"], 2);
    let loaded = store.load::<Owner>(&id).await.unwrap();
    assert!(loaded.state.exists());
    assert_eq!(loaded.state.personal, None);
}
