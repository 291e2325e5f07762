//! The joined order view on DynamoDB (moto): events of three kinds of streams, delivered
//! shuffled, duplicated and concurrently, give the item an ordered delivery gives.

use es_core::{CommandContext, DomainEvent, EventEnvelope, StreamId};
use order_domain::{CustomerEvent, OrderEvent, OrderLine, ProductEvent};
use order_views::tables::{ORDERS_BY_CUSTOMER, ORDERS_KEY};
use order_views::{OrderView, OrderViewStatus};
use projection::{create_view_table, JoinProjector, Joined, View, ViewTable};
use test_support::{unique_name, Moto};
use uuid::Uuid;

fn envelope<E: DomainEvent>(
    kind: &str,
    id: Uuid,
    version: u64,
    event: &E,
    ms: i64,
) -> EventEnvelope {
    let at = es_core::time::parse("2026-11-22T10:00:00.000Z").unwrap()
        + chrono::Duration::milliseconds(ms);
    let ctx = CommandContext::for_request("test", Some("checkout-1"), "r").at(at);
    EventEnvelope::new(&StreamId::new(kind, id.to_string()), version, event, &ctx).unwrap()
}

/// A confirmed two-line order's saga, in the order it happened.
fn saga(order_id: Uuid, customer_id: Uuid) -> Vec<EventEnvelope> {
    let (p1, p2) = (Uuid::new_v4(), Uuid::new_v4());
    let lines = vec![
        OrderLine {
            product_id: p1,
            quantity: 2,
            price_cents: 300,
        },
        OrderLine {
            product_id: p2,
            quantity: 1,
            price_cents: 50,
        },
    ];
    let placed = OrderEvent::OrderPlaced {
        order_id,
        customer_id,
        lines,
        total_cents: 650,
    };
    let reserved = |p, quantity| ProductEvent::StockReserved {
        order_id,
        product_id: p,
        quantity,
    };
    let committed = |p, quantity| ProductEvent::StockCommitted {
        order_id,
        product_id: p,
        quantity,
    };
    let paid = CustomerEvent::PaymentAccepted {
        order_id,
        amount_cents: 650,
    };
    vec![
        envelope("order", order_id, 1, &placed, 0),
        envelope("product", p1, 2, &reserved(p1, 2), 10),
        envelope("product", p2, 2, &reserved(p2, 1), 10),
        envelope("customer", customer_id, 2, &paid, 20),
        envelope("product", p1, 3, &committed(p1, 2), 30),
        envelope("product", p2, 3, &committed(p2, 1), 30),
        envelope("order", order_id, 2, &OrderEvent::SaleConfirmed, 40),
    ]
}

/// The joined order view on a fresh orders table of `moto`.
async fn orders_projector(moto: &Moto) -> JoinProjector<OrderView> {
    let client = moto.dynamodb();
    let name = unique_name("orders");
    create_view_table(&client, &name, ORDERS_KEY, &[ORDERS_BY_CUSTOMER])
        .await
        .unwrap();
    JoinProjector::new(ViewTable::<OrderView>::new(client, name))
}

/// The view of order `id`; it must exist.
async fn stored(projector: &JoinProjector<OrderView>, id: Uuid) -> OrderView {
    projector
        .table()
        .get(&id.to_string())
        .await
        .unwrap()
        .unwrap()
}

#[tokio::test]
async fn shuffled_duplicated_concurrent_deliveries_join_into_the_same_order() {
    let moto = Moto::start();
    let projector = orders_projector(&moto).await;
    let customer_id = Uuid::new_v4();

    let ordered_id = Uuid::new_v4();
    for event in saga(ordered_id, customer_id) {
        assert!(matches!(
            projector.project(&event).await.unwrap(),
            Joined::Applied { .. }
        ));
    }
    let ordered = stored(&projector, ordered_id).await;
    assert_eq!(ordered.status, OrderViewStatus::Confirmed);
    assert_eq!(ordered.version, 7);

    // The same saga for another order: reversed, every event twice, all at once.
    let shuffled_id = Uuid::new_v4();
    let mut events = saga(shuffled_id, customer_id);
    events.reverse();
    let twice: Vec<EventEnvelope> = events.iter().chain(events.iter()).cloned().collect();
    let outcomes = futures::future::join_all(twice.iter().map(|e| projector.project(e))).await;
    let applied = outcomes
        .into_iter()
        .map(Result::unwrap)
        .filter(|o| matches!(o, Joined::Applied { .. }))
        .count();
    assert_eq!(applied, 7, "each event applied once");
    let shuffled = stored(&projector, shuffled_id).await;
    // Same content as the ordered delivery, but for the ids of the order and its streams.
    let strip = |mut view: OrderView| {
        view.order_id = Uuid::nil();
        view.lines
            .iter_mut()
            .for_each(|l| l.product_id = Uuid::nil());
        view.timeline.iter_mut().for_each(|e| {
            e.aggregate_id.clear();
            e.event_id = Uuid::nil();
        });
        view
    };
    let expected = OrderView::replay(&events);
    assert_eq!(shuffled.timeline.len(), expected.timeline.len());
    assert_eq!(
        strip(shuffled.clone()).timeline,
        strip(ordered.clone()).timeline
    );
    assert_eq!(
        (shuffled.status, shuffled.total_cents, shuffled.version),
        (ordered.status, 650, 7)
    );

    let mine = projector
        .table()
        .query(
            &ORDERS_BY_CUSTOMER,
            &customer_id.to_string(),
            &[("status", "CONFIRMED")],
            10,
            None,
        )
        .await
        .unwrap();
    assert_eq!(mine.items.len(), 2);
}

#[tokio::test]
async fn events_of_no_order_are_ignored() {
    let moto = Moto::start();
    let projector = orders_projector(&moto).await;
    let deposit = envelope(
        "customer",
        Uuid::new_v4(),
        2,
        &CustomerEvent::DepositMade { amount_cents: 5 },
        0,
    );
    assert_eq!(projector.project(&deposit).await.unwrap(), Joined::Ignored);
}
