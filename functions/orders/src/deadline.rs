//! The order deadline (SPEC §9): an order not settled `ORDER_DEADLINE_SECONDS` after it was
//! placed is cancelled with reason `timeout`, its reservation released, exactly once,
//! whatever arrives later.
//!
//! `expire-orders` runs on a schedule. It reads the open orders placed before the cutoff
//! (`order_views::reports::open_orders`: its cost is the orders still open, not the history)
//! and decides each one on the event store in ONE transaction:
//! - `OrderCancelled { reason: timeout }` on the order's stream, on the condition that the
//!   stream is still at the version read (still `PENDING`);
//! - the payment's guard `customer.payment/{order_id}`: `take-payment` claims the same guard
//!   in the write that debits, so of a late payment and the timeout exactly one wins, and a
//!   `StockReserved` handled after the timeout debits nothing;
//! - the reservation's guard `stock.reservation/{order_id}` when it is not taken yet: an
//!   `OrderPlaced` still on its way then reserves nothing.
//!
//! `release-stock` gives back the reservation, if one was made, on that `OrderCancelled`.
//! An order whose payment was already decided is left to its saga: accepted, its money is
//! taken and its stock is being committed; refused, it is being released and cancelled. If
//! one of those steps is stuck, its message is in a dead-letter queue with an alarm on it
//! (`es-admin dlq redrive` finishes it).

use chrono::{DateTime, Duration, Utc};
use es_core::{Aggregate, CommandContext, StreamId, UniqueClaim};
use event_consumer::BoxError;
use event_store::{CommandError, CommandHandler};
use order_domain::{
    CancelOrder, CancellationReason, Order, OrderCommand, OrderError, PAYMENT_SCOPE,
    RESERVATION_SCOPE,
};
use order_views::reports::open_orders::OpenOrder;
use order_views::reports::ReportsTable;
use serde::Serialize;

/// The environment variable holding the deadline, in seconds.
pub const ORDER_DEADLINE_SECONDS: &str = "ORDER_DEADLINE_SECONDS";

pub const SOURCE: &str = "expire-orders";

/// How many times an order is decided again when one of its guards was taken meanwhile.
const ATTEMPTS: u32 = 3;

/// What became of one overdue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Cancelled now, with reason `timeout`.
    Cancelled,
    /// Its payment was decided before the deadline ran out: left to the saga.
    PaymentDecided,
    /// Confirmed or cancelled meanwhile (the open-order item is removed a moment later).
    AlreadySettled,
}

/// What one run did, for its log line and its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    pub overdue: usize,
    pub cancelled: usize,
    pub payment_decided: usize,
    pub already_settled: usize,
}

/// The deadline from `ORDER_DEADLINE_SECONDS`.
pub fn deadline_from_env() -> Result<Duration, BoxError> {
    let text = std::env::var(ORDER_DEADLINE_SECONDS)
        .map_err(|_| format!("environment variable {ORDER_DEADLINE_SECONDS} is not set"))?;
    match text.parse::<i64>() {
        Ok(seconds) if seconds > 0 => Ok(Duration::seconds(seconds)),
        _ => Err(
            format!("{ORDER_DEADLINE_SECONDS}={text} is not a positive number of seconds").into(),
        ),
    }
}

/// Cancels every open order placed more than `deadline` before `now`.
pub async fn sweep(
    commands: &CommandHandler,
    reports: &ReportsTable,
    deadline: Duration,
    now: DateTime<Utc>,
) -> Result<Sweep, BoxError> {
    let overdue = reports.open_orders_placed_before(now - deadline).await?;
    let mut sweep = Sweep {
        overdue: overdue.len(),
        ..Sweep::default()
    };
    for order in &overdue {
        match expire(commands, order).await? {
            Expiry::Cancelled => sweep.cancelled += 1,
            Expiry::PaymentDecided => sweep.payment_decided += 1,
            Expiry::AlreadySettled => sweep.already_settled += 1,
        }
    }
    Ok(sweep)
}

/// Decides one overdue order (see the module documentation).
pub async fn expire(commands: &CommandHandler, open: &OpenOrder) -> Result<Expiry, BoxError> {
    let order_id = open.order_id.to_string();
    let ctx = &CommandContext::for_request(
        SOURCE,
        Some(&open.correlation_id),
        &format!("deadline-{order_id}"),
    );
    let guard = |scope| UniqueClaim {
        scope,
        value: order_id.clone(),
    };
    let (payment, reservation) = (&guard(PAYMENT_SCOPE), &guard(RESERVATION_SCOPE));
    let stream = &StreamId::new(Order::TYPE, order_id.clone());
    let order_id = &order_id;
    for _ in 0..ATTEMPTS {
        let decided = commands
            .transact::<_, OrderError, _, _>(move || async move {
                let store = commands.store();
                let loaded = store.load::<Order>(order_id).await?;
                if !loaded.exists() {
                    return Err(CommandError::Rejected(OrderError::NotFound));
                }
                if loaded.state.status.is_final() {
                    return Ok((commands.transaction(), Expiry::AlreadySettled));
                }
                if store.claimed_by(payment).await?.is_some() {
                    return Ok((commands.transaction(), Expiry::PaymentDecided));
                }
                let timeout = OrderCommand::Cancel(CancelOrder {
                    reason: CancellationReason::Timeout,
                });
                let events = loaded
                    .state
                    .handle(&timeout)
                    .map_err(CommandError::Rejected)?;
                let mut transaction = commands.transaction();
                transaction.record(order_id, &loaded, &events, ctx)?;
                transaction.claim(payment.clone(), stream.clone());
                if store.claimed_by(reservation).await?.is_none() {
                    transaction.claim(reservation.clone(), stream.clone());
                }
                Ok((transaction, Expiry::Cancelled))
            })
            .await;
        match decided {
            Ok(expiry) => {
                if expiry == Expiry::Cancelled {
                    tracing::info!(order_id = %order_id, "order cancelled: deadline passed");
                }
                return Ok(expiry);
            }
            // The payment or the reservation was decided while this was: decide again.
            Err(CommandError::Duplicate { scope, .. }) => {
                tracing::debug!(order_id = %order_id, %scope, "guard taken meanwhile");
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(format!("order {order_id}: its guards kept changing ({ATTEMPTS} attempts)").into())
}

/// The `expire-orders` function: every scheduled invocation is one [`sweep`].
pub async fn run() -> Result<(), lambda_runtime::Error> {
    use lambda_runtime::{service_fn, LambdaEvent};

    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let commands = &event_consumer::command_handler_from_env().await?;
    let reports = &ReportsTable::from_env(aws_sdk_dynamodb::Client::new(&config))?;
    let deadline = deadline_from_env()?;
    let service = service_fn(move |_: LambdaEvent<serde_json::Value>| async move {
        let sweep = sweep(commands, reports, deadline, Utc::now()).await?;
        tracing::info!(
            overdue = sweep.overdue,
            cancelled = sweep.cancelled,
            payment_decided = sweep.payment_decided,
            already_settled = sweep.already_settled,
            "deadline sweep"
        );
        Ok::<_, BoxError>(sweep)
    });
    lambda_runtime::run(service).await
}
