//! The key store against moto, through the real SDK: keys are saved, loaded and erased; one
//! pepper whatever the race; what a key sealed, only that key reveals; no plaintext is stored.

use std::collections::HashSet;

use aws_sdk_dynamodb::types::AttributeValue;
use personal_data::{reveal, schema, subject, KeyStore, KeyStoreError, Sealer};
use test_support::{unique_name, Moto};

struct Harness {
    _moto: Moto,
    client: aws_sdk_dynamodb::Client,
    table: String,
    store: KeyStore,
}

async fn harness() -> Harness {
    let moto = Moto::start();
    let client = moto.dynamodb();
    let table = unique_name("personal-data-keys");
    schema::create_keys_table(&client, &table)
        .await
        .expect("keys table");
    Harness {
        store: KeyStore::new(client.clone(), &table),
        _moto: moto,
        client,
        table,
    }
}

impl Harness {
    async fn items(&self) -> Vec<std::collections::HashMap<String, AttributeValue>> {
        self.client
            .scan()
            .table_name(&self.table)
            .send()
            .await
            .expect("scan")
            .items
            .unwrap_or_default()
    }
}

fn owner(n: u128) -> String {
    subject("owner", uuid_like(n))
}

fn uuid_like(n: u128) -> String {
    format!("00000000-0000-4000-8000-{n:012x}")
}

#[tokio::test]
async fn a_key_is_saved_loaded_and_erased_and_what_it_sealed_then_reveals_nothing() {
    let h = harness().await;
    let ada = owner(1);

    // Created in memory only: nothing is stored until it is saved.
    let key = h.store.create(&ada).unwrap();
    assert!(h.store.load(&ada).await.unwrap().is_none());
    assert!(h.items().await.is_empty());

    let sealer = h.store.sealer(&key).await.unwrap();
    let name = sealer.seal("name", "Ada Lovelace");
    h.store.save(&key).await.unwrap();
    // A retried save of the same key finds its own key: fine.
    h.store.save(&key).await.unwrap();
    // Another key for the same subject is never stored over it.
    let other = h.store.create(&ada).unwrap();
    assert!(matches!(
        h.store.save(&other).await,
        Err(KeyStoreError::KeyExists(s)) if s == ada
    ));

    let loaded = h.store.load(&ada).await.unwrap().expect("the saved key");
    assert_eq!(loaded.subject(), ada);
    assert_eq!(
        reveal(Some(&loaded), "name", &name).as_deref(),
        Some("Ada Lovelace")
    );
    // Deterministic: the loaded key seals the same value to the same text.
    assert_eq!(
        h.store
            .sealer(&loaded)
            .await
            .unwrap()
            .seal("name", "Ada Lovelace"),
        name
    );
    assert_eq!(reveal(Some(&other), "name", &name), None);

    h.store.erase(&ada).await.unwrap();
    let after = h.store.load(&ada).await.unwrap();
    assert!(after.is_none());
    assert_eq!(reveal(after.as_ref(), "name", &name), None);
    // Erasing again is not an error, and destroys nothing more.
    h.store.erase(&ada).await.unwrap();
    assert!(h.store.load(&ada).await.unwrap().is_none());
}

#[tokio::test]
async fn concurrent_cold_starts_agree_on_one_pepper() {
    let h = harness().await;
    let key = h.store.create(&owner(2)).unwrap();
    // Twelve processes, each with its own cache, race to create the pepper.
    let fingerprints = futures::future::join_all((0..12).map(|_| {
        let store = KeyStore::isolated(h.client.clone(), &h.table);
        let key = &key;
        async move {
            let sealer = store.sealer(key).await.expect("a pepper");
            sealer.fingerprint("owner.national_id", "AB-1234")
        }
    }))
    .await;
    let distinct: HashSet<_> = fingerprints.iter().collect();
    assert_eq!(distinct.len(), 1, "{fingerprints:?}");
    let fingerprint = fingerprints[0].clone();
    assert_eq!(fingerprint.len(), 64);
    assert_ne!(fingerprint, "AB-1234");

    let peppers = h
        .items()
        .await
        .into_iter()
        .filter(|item| item.get("subject") == Some(&AttributeValue::S("$pepper".into())))
        .count();
    assert_eq!(peppers, 1);

    // A later cold start, and the process-wide cache, read the same pepper.
    for store in [
        KeyStore::isolated(h.client.clone(), &h.table),
        h.store.clone(),
    ] {
        let sealer = store.sealer(&key).await.unwrap();
        assert_eq!(
            sealer.fingerprint("owner.national_id", "AB-1234"),
            fingerprint
        );
        assert_ne!(
            sealer.fingerprint("owner.national_id", "AB-1235"),
            fingerprint
        );
    }
}

#[tokio::test]
async fn many_keys_load_in_batches_of_a_hundred() {
    let h = harness().await;
    let saved: Vec<String> = (0..130)
        .map(|n| subject("customer", uuid_like(n)))
        .collect();
    let mut sealed = Vec::new();
    for s in &saved {
        let key = h.store.create(s).unwrap();
        sealed.push(key.seal("email", &format!("{s}@example.org")));
        h.store.save(&key).await.unwrap();
    }
    // Asked for: every saved subject, some twice, and subjects with no key.
    let mut asked = saved.clone();
    asked.extend(saved[..10].iter().cloned());
    asked.extend((500..520).map(|n| subject("customer", uuid_like(n))));
    let keys = h.store.load_many(&asked).await.unwrap();
    assert_eq!(keys.len(), saved.len());
    for (s, sealed) in saved.iter().zip(&sealed) {
        let key = keys.get(s).expect("a saved key");
        assert_eq!(
            reveal(Some(key), "email", sealed),
            Some(format!("{s}@example.org"))
        );
    }
    assert!(h.store.load_many::<String>(&[]).await.unwrap().is_empty());

    h.store.erase(&saved[0]).await.unwrap();
    let keys = h.store.load_many(&saved[..3]).await.unwrap();
    assert_eq!(keys.len(), 2);
    assert_eq!(reveal(keys.get(&saved[0]), "email", &sealed[0]), None);
}

#[tokio::test]
async fn the_table_holds_keys_and_never_a_plaintext() {
    let h = harness().await;
    let values = [
        ("name", "Grace Hopper"),
        ("email", "grace@example.org"),
        ("national_id", "US-1906-1209"),
    ];
    let grace = subject("customer", uuid_like(3));
    let key = h.store.create(&grace).unwrap();
    let sealer = h.store.sealer(&key).await.unwrap();
    let sealed: Vec<_> = values
        .iter()
        .map(|(field, value)| sealer.seal(field, value))
        .collect();
    let fingerprint = sealer.fingerprint("owner.national_id", "US-1906-1209");
    h.store.save(&key).await.unwrap();

    for ((_, value), sealed) in values.iter().zip(&sealed) {
        assert!(sealed.as_str().starts_with("pd1:"));
        assert!(!sealed.as_str().contains(value));
    }
    assert!(!fingerprint.contains("US-1906"));

    let items = h.items().await;
    assert_eq!(items.len(), 2, "the subject's key and the pepper");
    for item in &items {
        let mut names: Vec<&str> = item.keys().map(String::as_str).collect();
        names.sort_unstable();
        assert_eq!(names, ["data_key", "subject"]);
        match item.get("data_key") {
            Some(AttributeValue::B(blob)) => assert_eq!(blob.as_ref().len(), 32),
            other => panic!("data_key is {other:?}"),
        }
        let printed = format!("{item:?}");
        for (_, value) in values {
            assert!(!printed.contains(value), "{printed}");
        }
    }
}

#[tokio::test]
async fn the_pepper_item_is_not_a_subject() {
    let h = harness().await;
    for reserved in ["$pepper", ""] {
        assert!(matches!(
            h.store.erase(reserved).await,
            Err(KeyStoreError::Reserved(_))
        ));
        assert!(matches!(
            h.store.load(reserved).await,
            Err(KeyStoreError::Reserved(_))
        ));
        assert!(h.store.create(reserved).is_err());
    }
}
