//! The stock service's saga steps. Each reads the products of one order, lets
//! [`order_domain::stock`] decide for all of them, and appends every product's events in one
//! atomic write ([`event_store::CommandHandler::transact`]); a conflict with a concurrent order decides
//! again on fresh loads.
//!
//! - **Reserve** (on `OrderPlaced`): every line or none. The write also takes the guard
//!   `stock.reservation/{order_id}`, so the decision is made once: a redelivered or concurrent
//!   `OrderPlaced` finds it taken and appends nothing, even after the reservation was settled.
//! - **Commit** / **release** (on `PaymentAccepted` / `PaymentRefused`, or an order cancelled by
//!   its deadline): settle the order's reservation on each product that still holds it. A
//!   product settles an order only while it holds its reservation, so a redelivery finds nothing
//!   left to do. A commit also takes the guard `stock.settlement/{order_id}`, which the order
//!   deadline takes when it gives a payment back: a paid order is sold or refunded, never both.

use es_core::{Aggregate, EventEnvelope, StreamId, UniqueClaim};
use event_consumer::{BoxError, Step};
use event_store::{CommandError, EventStore, Loaded};
use futures::future::try_join_all;
use order_domain::stock::{
    self, quantities, Reservation, Settlement, RESERVATION_SCOPE, SETTLEMENT_SCOPE,
};
use order_domain::{CancellationReason, CustomerEvent, Order, OrderEvent, Product, ProductError};
use std::collections::BTreeMap;
use uuid::Uuid;

/// What a step did, for logs and tests.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum StockOutcome {
    /// Every line of the order was reserved.
    Reserved { order_id: Uuid },
    /// `product_id` was short: nothing reserved, `StockUnavailable` recorded.
    Unavailable { order_id: Uuid, product_id: Uuid },
    /// The order's reservation was already decided (a redelivery): nothing appended.
    AlreadyDecided { order_id: Uuid },
    /// The reservation was settled on `products` products (0: it already was).
    Settled { order_id: Uuid, products: usize },
    /// Not an event this step handles.
    Ignored,
}

/// The products of `ids`, each as loaded now (an unknown one at version 0), read concurrently.
async fn load_products(
    store: &EventStore,
    ids: impl IntoIterator<Item = Uuid>,
) -> Result<BTreeMap<Uuid, Loaded<Product>>, event_store::StoreError> {
    let loads = ids.into_iter().map(|id| async move {
        let loaded = store.load::<Product>(&id.to_string()).await?;
        Ok::<_, event_store::StoreError>((id, loaded))
    });
    Ok(try_join_all(loads).await?.into_iter().collect())
}

fn states(loaded: &BTreeMap<Uuid, Loaded<Product>>) -> BTreeMap<Uuid, Product> {
    loaded
        .iter()
        .map(|(id, l)| (*id, l.state.clone()))
        .collect()
}

/// `reserve-stock`, on `OrderPlaced`.
pub async fn reserve(commands: &Step, envelope: &EventEnvelope) -> Result<StockOutcome, BoxError> {
    let Some(OrderEvent::OrderPlaced {
        order_id, lines, ..
    }) = decode::<OrderEvent>(envelope, Order::TYPE)?
    else {
        return Ok(StockOutcome::Ignored);
    };
    let ctx = &commands.caused_by(envelope);
    let guard = &UniqueClaim {
        scope: RESERVATION_SCOPE,
        value: order_id.to_string(),
    };
    let order_stream = &StreamId::new(Order::TYPE, order_id.to_string());
    let lines = &lines;
    let decided = commands
        .transact::<_, ProductError, _, _>(move || async move {
            if commands.store().claimed_by(guard).await?.is_some() {
                return Ok((
                    commands.transaction(),
                    StockOutcome::AlreadyDecided { order_id },
                ));
            }
            let loaded = load_products(
                commands.store(),
                quantities(lines).into_iter().map(|(id, _)| id),
            )
            .await?;
            let mut transaction = commands.transaction();
            let outcome = match stock::reserve(order_id, lines, &states(&loaded)) {
                Reservation::Reserved(decided) => {
                    for (product_id, events) in &decided {
                        transaction.record(
                            &product_id.to_string(),
                            &loaded[product_id],
                            events,
                            ctx,
                        )?;
                    }
                    StockOutcome::Reserved { order_id }
                }
                Reservation::Unavailable { product_id, event } => {
                    transaction.record(
                        &product_id.to_string(),
                        &loaded[&product_id],
                        &[event],
                        ctx,
                    )?;
                    StockOutcome::Unavailable {
                        order_id,
                        product_id,
                    }
                }
            };
            transaction.claim(guard.clone(), order_stream.clone());
            Ok((transaction, outcome))
        })
        .await;
    match decided {
        Ok(outcome) => Ok(outcome),
        // A concurrent invocation decided first.
        Err(CommandError::Duplicate { .. }) => Ok(StockOutcome::AlreadyDecided { order_id }),
        Err(other) => Err(other.into()),
    }
}

/// The order whose reservation `envelope` settles this way: commit on `PaymentAccepted`,
/// release on `PaymentRefused` or on an order cancelled by its deadline (`expire-orders`
/// took the payment's guard, so no payment can come after it; the reservation, if any, goes
/// back).
fn settlement_for(
    envelope: &EventEnvelope,
    settlement: Settlement,
) -> Result<Option<Uuid>, BoxError> {
    if let Some(OrderEvent::OrderCancelled {
        reason: CancellationReason::Timeout,
    }) = decode::<OrderEvent>(envelope, Order::TYPE)?
    {
        return Ok((settlement == Settlement::Release)
            .then(|| envelope.aggregate_id.parse().ok())
            .flatten());
    }
    Ok(
        match (decode::<CustomerEvent>(envelope, "customer")?, settlement) {
            (Some(CustomerEvent::PaymentAccepted { order_id, .. }), Settlement::Commit)
            | (Some(CustomerEvent::PaymentRefused { order_id, .. }), Settlement::Release) => {
                Some(order_id)
            }
            _ => None,
        },
    )
}

/// `commit-stock`, on `PaymentAccepted`.
pub async fn commit(commands: &Step, envelope: &EventEnvelope) -> Result<StockOutcome, BoxError> {
    settle(commands, envelope, Settlement::Commit).await
}

/// `release-stock`, on `PaymentRefused` or a timed-out order.
pub async fn release(commands: &Step, envelope: &EventEnvelope) -> Result<StockOutcome, BoxError> {
    settle(commands, envelope, Settlement::Release).await
}

/// [`commit`] or [`release`]: the step's source names the function.
pub async fn settle(
    commands: &Step,
    envelope: &EventEnvelope,
    settlement: Settlement,
) -> Result<StockOutcome, BoxError> {
    let Some(order_id) = settlement_for(envelope, settlement)? else {
        return Ok(StockOutcome::Ignored);
    };
    let ctx = &commands.caused_by(envelope);
    // An order's lines never change: read them once, outside the retried decision.
    let order = commands
        .store()
        .load::<Order>(&order_id.to_string())
        .await?;
    if !order.exists() {
        return Err(format!("order {order_id} of a payment decision does not exist").into());
    }
    let product_ids: Vec<Uuid> = quantities(&order.state.lines)
        .into_iter()
        .map(|(id, _)| id)
        .collect();
    let product_ids = &product_ids;
    let settlement_guard = &UniqueClaim {
        scope: SETTLEMENT_SCOPE,
        value: order_id.to_string(),
    };
    let order_stream = &StreamId::new(Order::TYPE, order_id.to_string());
    let settled = commands
        .transact::<_, ProductError, _, _>(move || async move {
            let loaded = load_products(commands.store(), product_ids.iter().copied()).await?;
            let mut transaction = commands.transaction();
            let decided = stock::settle(order_id, settlement, &states(&loaded));
            for (product_id, events) in &decided {
                transaction.record(&product_id.to_string(), &loaded[product_id], events, ctx)?;
            }
            if settlement == Settlement::Commit && !decided.is_empty() {
                // A sale, unless the order deadline gave the payment back first.
                transaction.claim(settlement_guard.clone(), order_stream.clone());
            }
            Ok((
                transaction,
                StockOutcome::Settled {
                    order_id,
                    products: decided.len(),
                },
            ))
        })
        .await;
    match settled {
        Ok(settled) => Ok(settled),
        // The order deadline refunded the payment and cancelled the order: nothing to sell.
        Err(CommandError::Duplicate { .. }) => Ok(StockOutcome::Settled {
            order_id,
            products: 0,
        }),
        Err(other) => Err(other.into()),
    }
}

/// The event of an envelope of `aggregate_type`; `None` for other aggregate types.
fn decode<E: es_core::DomainEvent>(
    envelope: &EventEnvelope,
    aggregate_type: &str,
) -> Result<Option<E>, BoxError> {
    if envelope.aggregate_type != aggregate_type {
        return Ok(None);
    }
    envelope
        .decode::<E>()
        .map(Some)
        .map_err(|e| format!("{} does not decode: {e}", envelope.event_type).into())
}
