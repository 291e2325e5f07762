//! Our store against dynamo-es, on one moto: DynamoDB requests per command and write units
//! per event, for a create, an update and a multi-stream transaction of the same account.

use aws_sdk_dynamodb::config::{BehaviorVersion, Credentials, Region};
use aws_sdk_dynamodb::Client;
use event_store::{schema, CommandHandler, EventStore, Tables};
use std::collections::BTreeMap;
use std::future::Future;
use test_support::{unique_name, Moto};

use crate::meter::{Meter, Spent};
use crate::units::Pricing;
use crate::{ours, peer};

/// Commands of each kind, averaged: snapshots and the like show at their real rate.
const ROUNDS: usize = 20;

/// What one kind of command cost, on average.
struct Cost {
    requests: f64,
    units_per_event: f64,
    mix: String,
}

pub fn client(endpoint: &str, meter: Option<&Meter>) -> Client {
    let mut config = aws_sdk_dynamodb::Config::builder()
        .behavior_version(BehaviorVersion::latest())
        .region(Region::new("us-east-1"))
        .credentials_provider(Credentials::new("test", "test", None, None, "bench"))
        .endpoint_url(endpoint);
    if let Some(meter) = meter {
        config = config.interceptor(meter.clone());
    }
    Client::from_conf(config.build())
}

/// Our event store on fresh tables of `client`'s server.
async fn our_store(client: Client, plain: &Client) -> (EventStore, String) {
    let tables = Tables::new(unique_name("events"));
    schema::create_event_table(plain, &tables.events)
        .await
        .expect("event table");
    let events = tables.events.clone();
    (EventStore::new(client, tables), events)
}

/// Runs `command` `ROUNDS` times (the `i`th with argument `i`) and prices what it sent.
async fn measure<F, Fut>(
    meter: &Meter,
    pricing: &mut Pricing,
    events_each: usize,
    command: F,
) -> Cost
where
    F: Fn(usize) -> Fut,
    Fut: Future<Output = ()>,
{
    meter.take();
    let mut spent = Spent::default();
    for i in 0..ROUNDS {
        command(i).await;
        let one = meter.take();
        for (name, n) in one.requests {
            *spent.requests.entry(name).or_default() += n;
        }
        spent.writes.extend(one.writes);
    }
    let units = pricing.units(&spent.writes).await;
    Cost {
        requests: spent.request_count() as f64 / ROUNDS as f64,
        units_per_event: units as f64 / (ROUNDS * events_each) as f64,
        mix: mix(&spent.requests),
    }
}

fn mix(requests: &BTreeMap<String, usize>) -> String {
    requests
        .iter()
        .map(|(name, n)| {
            let each = *n as f64 / ROUNDS as f64;
            if each.fract() == 0.0 {
                format!("{name} {each}")
            } else {
                format!("{name} {each:.2}")
            }
        })
        .collect::<Vec<_>>()
        .join(" + ")
}

pub async fn run(moto: &Moto) {
    let endpoint = moto.endpoint();
    let plain = client(&endpoint, None);
    let mut pricing = Pricing::new(plain.clone());

    // Ours.
    let ours_meter = Meter::default();
    let (store, events_table) = our_store(client(&endpoint, Some(&ours_meter)), &plain).await;
    let handler = CommandHandler::new(store);
    let ids: Vec<String> = (0..ROUNDS)
        .map(|_| uuid::Uuid::new_v4().to_string())
        .collect();
    let our_create = measure(&ours_meter, &mut pricing, 1, |i| {
        ours::open(&handler, &ids[i])
    })
    .await;
    let our_update = measure(&ours_meter, &mut pricing, 1, |_| {
        ours::deposit(&handler, &ids[0], 10)
    })
    .await;
    let our_transfer = measure(&ours_meter, &mut pricing, 2, |i| {
        ours::transfer(&handler, &ids[0], &ids[1 + i % (ROUNDS - 1)], 1)
    })
    .await;
    let indexes = pricing.describe(&events_table).await;

    // dynamo-es, without and with its snapshot store.
    let peer_meter = Meter::default();
    let peer_events = unique_name("peer-events");
    let peer_snapshots = unique_name("peer-snapshots");
    peer::create_tables(&plain, &peer_events, &peer_snapshots).await;
    let peer_client = client(&endpoint, Some(&peer_meter));
    let plain_peer = peer::framework(peer_client.clone(), &peer_events, &peer_snapshots, None);
    let snapshot_peer = peer::framework(peer_client, &peer_events, &peer_snapshots, Some(10));
    let mut peers = Vec::new();
    for cqrs in [&plain_peer, &snapshot_peer] {
        let ids: Vec<String> = (0..ROUNDS)
            .map(|_| uuid::Uuid::new_v4().to_string())
            .collect();
        let create = measure(&peer_meter, &mut pricing, 1, |i| peer::open(cqrs, &ids[i])).await;
        let update = measure(&peer_meter, &mut pricing, 1, |_| {
            peer::deposit(cqrs, &ids[0], 10)
        })
        .await;
        peers.push((create, update));
    }

    println!();
    println!("== Store: DynamoDB requests per command and write units per event (moto, {ROUNDS} commands each, averaged)");
    println!(
        "   our event table's indexes (DescribeTable): {}",
        if indexes.is_empty() {
            "none".to_string()
        } else {
            indexes.join(", ")
        }
    );
    println!(
        "   {:<30} {:>22} {:>22} {:>26}",
        "command", "ours", "dynamo-es", "dynamo-es, snapshot every 10"
    );
    let cell = |c: &Cost| format!("{:.2} req, {:.2} WU/ev", c.requests, c.units_per_event);
    let (peer_create, peer_update) = &peers[0];
    let (snap_create, snap_update) = &peers[1];
    println!(
        "   {:<30} {:>22} {:>22} {:>26}",
        "create (new id)",
        cell(&our_create),
        cell(peer_create),
        cell(snap_create)
    );
    println!(
        "   {:<30} {:>22} {:>22} {:>26}",
        "update (existing stream)",
        cell(&our_update),
        cell(peer_update),
        cell(snap_update)
    );
    println!(
        "   {:<30} {:>22} {:>22} {:>26}",
        "transaction (2 streams)",
        cell(&our_transfer),
        "n/a",
        "n/a"
    );
    println!("   request mix per command:");
    for (name, cost) in [
        ("ours, create", &our_create),
        ("ours, update", &our_update),
        ("ours, transaction", &our_transfer),
        ("dynamo-es, create", peer_create),
        ("dynamo-es, update", peer_update),
        ("dynamo-es+snapshots, create", snap_create),
        ("dynamo-es+snapshots, update", snap_update),
    ] {
        println!("     {name:<28} {}", cost.mix);
    }
    // One line per figure, for scripts and notes.
    for (name, cost) in [
        ("ours create", &our_create),
        ("ours update", &our_update),
        ("ours transaction", &our_transfer),
        ("dynamo-es create", peer_create),
        ("dynamo-es update", peer_update),
        ("dynamo-es+snapshots create", snap_create),
        ("dynamo-es+snapshots update", snap_update),
    ] {
        println!("FIGURE store {name}: requests/command {:.2}", cost.requests);
        println!(
            "FIGURE store {name}: write units/event {:.2}",
            cost.units_per_event
        );
    }
    println!("FIGURE store dynamo-es transaction: n/a (cqrs-es commands one aggregate)");
}
