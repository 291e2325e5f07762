//! The payment step, on `StockReserved`.
//!
//! An order's reservation is one atomic write of a `StockReserved` per product, so the step
//! acts on the event of the order's first product only (the others say nothing new). It reads
//! the order (its customer and total, from the event store) and lets the customer decide:
//! `PaymentAccepted` (debited) or `PaymentRefused`. Both claim the guard
//! `customer.payment/{order_id}` in the same write, so a redelivered or concurrent event
//! never debits twice: the second claim fails, and the step counts it as done.

use es_core::EventEnvelope;
use event_consumer::{BoxError, Step};
use event_store::{CommandError, Expected};
use order_domain::stock::quantities;
use order_domain::{Customer, CustomerCommand, Order, PayForOrder, ProductEvent};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum PaymentOutcome {
    Accepted {
        order_id: Uuid,
    },
    Refused {
        order_id: Uuid,
    },
    /// The payment of this order was already decided: nothing appended.
    AlreadyDecided {
        order_id: Uuid,
    },
    /// Another line's `StockReserved`, or not an event this step handles.
    Ignored,
}

/// `take-payment`, on `StockReserved`.
pub async fn take_payment(
    commands: &Step,
    envelope: &EventEnvelope,
) -> Result<PaymentOutcome, BoxError> {
    if envelope.aggregate_type != "product" || envelope.event_type != "StockReserved" {
        return Ok(PaymentOutcome::Ignored);
    }
    let ProductEvent::StockReserved {
        order_id,
        product_id,
        ..
    } = envelope.decode::<ProductEvent>()?
    else {
        return Ok(PaymentOutcome::Ignored);
    };
    let order = commands
        .store()
        .load::<Order>(&order_id.to_string())
        .await?;
    // Only a placed order has a customer.
    let Some(customer_id) = order.state.customer_id else {
        return Err(format!("order {order_id} of a reservation does not exist").into());
    };
    if quantities(&order.state.lines).first().map(|(id, _)| *id) != Some(product_id) {
        return Ok(PaymentOutcome::Ignored);
    }
    let ctx = commands.caused_by(envelope);
    let command = CustomerCommand::Pay(PayForOrder {
        order_id,
        amount_cents: order.state.total_cents,
    });
    match commands
        .execute::<Customer>(&customer_id.to_string(), &command, Expected::Any, &ctx)
        .await
    {
        Ok(outcome) => Ok(
            match outcome.events.first().map(|e| e.event_type.as_str()) {
                Some("PaymentAccepted") => PaymentOutcome::Accepted { order_id },
                _ => PaymentOutcome::Refused { order_id },
            },
        ),
        Err(CommandError::Duplicate { .. }) => Ok(PaymentOutcome::AlreadyDecided { order_id }),
        Err(other) => Err(other.into()),
    }
}
