//! The order's last saga steps. Both are plain commands on the order, idempotent by its
//! status: a confirmed order confirms again as a no-op, a cancelled one keeps its first reason.
//!
//! - **Confirm** on `StockCommitted` (one per product of the order; the first confirms).
//! - **Cancel** on `StockUnavailable` (`out_of_stock`) or `StockReleased` (`payment_refused`,
//!   so that a `CANCELLED` order has its stock back). A reservation is also released after an
//!   order was cancelled by its deadline (`deadline`): that order keeps its first reason.

use es_core::EventEnvelope;
use event_consumer::{BoxError, Step};
use event_store::Expected;
use order_domain::{
    CancelOrder, CancellationReason, ConfirmSale, Order, OrderCommand, ProductEvent,
};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq)]
pub enum OrderStepOutcome {
    /// The order is now (or already was) in its final status.
    Concluded {
        order_id: Uuid,
        changed: bool,
    },
    Ignored,
}

/// The order and the command a product event of the saga calls for.
fn command_for(envelope: &EventEnvelope) -> Result<Option<(Uuid, OrderCommand)>, BoxError> {
    if envelope.aggregate_type != "product" {
        return Ok(None);
    }
    let cancel = |reason| OrderCommand::Cancel(CancelOrder { reason });
    Ok(match envelope.decode::<ProductEvent>()? {
        ProductEvent::StockCommitted { order_id, .. } => {
            Some((order_id, OrderCommand::Confirm(ConfirmSale)))
        }
        ProductEvent::StockUnavailable { order_id, .. } => {
            Some((order_id, cancel(CancellationReason::OutOfStock)))
        }
        ProductEvent::StockReleased { order_id, .. } => {
            Some((order_id, cancel(CancellationReason::PaymentRefused)))
        }
        _ => None,
    })
}

/// `confirm-order` (on `StockCommitted`) and `cancel-order` (on `StockUnavailable`,
/// `StockReleased`): the step's source names the function.
pub async fn conclude(
    commands: &Step,
    envelope: &EventEnvelope,
) -> Result<OrderStepOutcome, BoxError> {
    let Some((order_id, command)) = command_for(envelope)? else {
        return Ok(OrderStepOutcome::Ignored);
    };
    let ctx = commands.caused_by(envelope);
    let outcome = commands
        .execute::<Order>(&order_id.to_string(), &command, Expected::Any, &ctx)
        .await?;
    Ok(OrderStepOutcome::Concluded {
        order_id,
        changed: !outcome.events.is_empty(),
    })
}
