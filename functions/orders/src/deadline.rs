//! The order deadline (SPEC §9): an order not settled `ORDER_DEADLINE_SECONDS` after it was
//! placed is cancelled with reason `timeout`, its reservation released, exactly once,
//! whatever arrives later.
//!
//! `expire-orders` runs on a schedule. It reads the open orders placed before the cutoff
//! (`order_views::reports::open_orders`: its cost is the orders still open, not the history)
//! and decides each one in ONE transaction, by the guards its saga decides by, so that every
//! race with a late or concurrent step has exactly one winner:
//! - **payment not decided** (`customer.payment/{order_id}` free): `OrderCancelled (timeout)`
//!   and that guard (`take-payment` claims it in the write that debits, so a `StockReserved`
//!   handled afterwards debits nothing), plus `stock.reservation/{order_id}` if free (an
//!   `OrderPlaced` still on its way then reserves nothing);
//! - **payment refused**: `OrderCancelled (timeout)` (the release under way is idempotent);
//! - **payment accepted, stock not sold** (`stock.settlement/{order_id}` free):
//!   `OrderCancelled (timeout)`, `PaymentRefunded` on the customer, and that guard, which
//!   `commit-stock` claims with its `StockCommitted`s: a paid order is sold or refunded, never
//!   both;
//! - **stock sold and paid** (the settlement guard taken by `commit-stock`): only the
//!   confirmation is missing, so the order is confirmed (`SaleConfirmed`), as `confirm-order`
//!   would: cancelling it would take back a completed sale.
//!
//! Every `OrderCancelled (timeout)` reaches `release-stock`, which gives back the reservation
//! if one is held. Each write is conditional on the order's version, so `confirm-order` or
//! `cancel-order` acting at the same moment makes one of the two a no-op.

use chrono::{DateTime, Duration, Utc};
use es_core::{Aggregate, CommandContext, StreamId, UniqueClaim};
use event_consumer::{BoxError, FromEnv, SdkConfig, Step};
use event_store::{
    CommandError, CommandHandler, EventFilter, EventStore, Transaction, MAX_PAGE_SIZE,
};
use order_domain::{
    CancelOrder, CancellationReason, ConfirmSale, Customer, CustomerCommand, CustomerEvent, Order,
    OrderCommand, OrderError, RefundPayment, PAYMENT_SCOPE, RESERVATION_SCOPE, SETTLEMENT_SCOPE,
};
use order_views::reports::open_orders::OpenOrder;
use order_views::reports::ReportsTable;
use serde::Serialize;

/// The environment variable holding the deadline, in seconds.
pub const ORDER_DEADLINE_SECONDS: &str = "ORDER_DEADLINE_SECONDS";

/// How many times an order is decided again when one of its guards was taken meanwhile.
const ATTEMPTS: u32 = 3;

/// What became of one overdue order.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Expiry {
    /// Cancelled now, with reason `timeout` (its reservation, if any, released by the stock
    /// service).
    Cancelled,
    /// Cancelled now, with reason `timeout`, and its accepted payment given back.
    Refunded,
    /// Its stock was already sold (committed) and paid: confirmed now, as its saga would.
    Confirmed,
    /// Confirmed or cancelled meanwhile (the open-order item is removed a moment later).
    AlreadySettled,
    /// Its payment was decided, but the decision is not in the feed yet: the next run decides.
    Undecided,
}

/// What one run did, for its log line and its answer.
#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize)]
pub struct Sweep {
    pub overdue: usize,
    pub cancelled: usize,
    pub refunded: usize,
    pub confirmed: usize,
    pub already_settled: usize,
    pub undecided: usize,
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

/// Settles every open order placed more than `deadline` before `now`.
pub async fn sweep(
    commands: &Step,
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
        let count = match expire(commands, order).await? {
            Expiry::Cancelled => &mut sweep.cancelled,
            Expiry::Refunded => &mut sweep.refunded,
            Expiry::Confirmed => &mut sweep.confirmed,
            Expiry::AlreadySettled => &mut sweep.already_settled,
            Expiry::Undecided => &mut sweep.undecided,
        };
        *count += 1;
    }
    Ok(sweep)
}

/// How the customer decided an order's payment, from the saga's events (its correlation id).
enum Payment {
    Accepted {
        customer_id: String,
        amount_cents: u64,
    },
    Refused,
}

async fn payment_of(
    store: &EventStore,
    open: &OpenOrder,
) -> Result<Option<Payment>, CommandError<OrderError>> {
    let saga = EventFilter {
        correlation_id: Some(open.correlation_id.clone()),
        ..EventFilter::default()
    };
    let events = store.query_events(&saga, MAX_PAGE_SIZE, None).await?;
    Ok(events.items.iter().find_map(|envelope| {
        if envelope.aggregate_type != Customer::TYPE {
            return None;
        }
        match envelope.decode::<CustomerEvent>().ok()? {
            CustomerEvent::PaymentAccepted {
                order_id,
                amount_cents,
            } if order_id == open.order_id => Some(Payment::Accepted {
                customer_id: envelope.aggregate_id.clone(),
                amount_cents,
            }),
            CustomerEvent::PaymentRefused { order_id, .. } if order_id == open.order_id => {
                Some(Payment::Refused)
            }
            _ => None,
        }
    }))
}

/// Decides one overdue order (see the module documentation).
pub async fn expire(commands: &Step, open: &OpenOrder) -> Result<Expiry, BoxError> {
    let order_id = open.order_id.to_string();
    let ctx = &CommandContext::for_request(
        commands.source(),
        Some(&open.correlation_id),
        &format!("deadline-{order_id}"),
    );
    let guard = |scope| UniqueClaim {
        scope,
        value: order_id.clone(),
    };
    let guards = &Guards {
        payment: guard(PAYMENT_SCOPE),
        reservation: guard(RESERVATION_SCOPE),
        settlement: guard(SETTLEMENT_SCOPE),
        stream: StreamId::new(Order::TYPE, order_id.clone()),
    };
    for _ in 0..ATTEMPTS {
        let decided = commands
            .transact::<_, OrderError, _, _>(move || decide(commands, open, guards, ctx))
            .await;
        match decided {
            Ok(expiry) => {
                if !matches!(expiry, Expiry::AlreadySettled | Expiry::Undecided) {
                    tracing::info!(order_id = %open.order_id, ?expiry, "deadline passed");
                }
                return Ok(expiry);
            }
            // A saga step decided while this was: decide again on fresh reads.
            Err(CommandError::Duplicate { scope, .. }) => {
                tracing::debug!(order_id = %open.order_id, %scope, "guard taken meanwhile");
            }
            Err(other) => return Err(other.into()),
        }
    }
    Err(format!(
        "order {}: its guards kept changing ({ATTEMPTS} attempts)",
        open.order_id
    )
    .into())
}

/// The guards an order's saga decides by, and the order's stream that claims them here.
struct Guards {
    payment: UniqueClaim,
    reservation: UniqueClaim,
    settlement: UniqueClaim,
    stream: StreamId,
}

/// One decision on fresh reads: the transaction to append and what it does.
async fn decide(
    commands: &CommandHandler,
    open: &OpenOrder,
    guards: &Guards,
    ctx: &CommandContext,
) -> Result<(Transaction, Expiry), CommandError<OrderError>> {
    let store = commands.store();
    let order_id = open.order_id.to_string();
    let order = store.load::<Order>(&order_id).await?;
    if !order.exists() {
        return Err(CommandError::Rejected(OrderError::NotFound));
    }
    let nothing = || Ok((commands.transaction(), Expiry::AlreadySettled));
    if order.state.status.is_final() {
        return nothing();
    }
    let mut transaction = commands.transaction();
    let on_order = |command: OrderCommand, transaction: &mut Transaction| {
        let events = order
            .state
            .handle(&command)
            .map_err(CommandError::Rejected)?;
        transaction.record(&order_id, &order, &events, ctx)?;
        Ok::<_, CommandError<OrderError>>(())
    };
    let timeout = || {
        OrderCommand::Cancel(CancelOrder {
            reason: CancellationReason::Timeout,
        })
    };
    if store.claimed_by(&guards.payment).await?.is_none() {
        // Not paid: no payment may come after the cancellation, nor a reservation.
        on_order(timeout(), &mut transaction)?;
        transaction.claim(guards.payment.clone(), guards.stream.clone());
        if store.claimed_by(&guards.reservation).await?.is_none() {
            transaction.claim(guards.reservation.clone(), guards.stream.clone());
        }
        return Ok((transaction, Expiry::Cancelled));
    }
    if store.claimed_by(&guards.settlement).await?.is_some() {
        // Sold and paid: only the confirmation was missing.
        on_order(OrderCommand::Confirm(ConfirmSale), &mut transaction)?;
        return Ok((transaction, Expiry::Confirmed));
    }
    match payment_of(store, open).await? {
        None => Ok((commands.transaction(), Expiry::Undecided)),
        Some(Payment::Refused) => {
            on_order(timeout(), &mut transaction)?;
            Ok((transaction, Expiry::Cancelled))
        }
        Some(Payment::Accepted {
            customer_id,
            amount_cents,
        }) => {
            let customer = store.load::<Customer>(&customer_id).await?;
            let refund = CustomerCommand::Refund(RefundPayment {
                order_id: open.order_id,
                amount_cents,
            });
            let refunded = customer.state.handle(&refund).map_err(|e| {
                CommandError::Store(event_store::StoreError::corrupt(format!(
                    "customer {customer_id} of a payment: {e}"
                )))
            })?;
            transaction.record(&customer_id, &customer, &refunded, ctx)?;
            on_order(timeout(), &mut transaction)?;
            transaction.claim(guards.settlement.clone(), guards.stream.clone());
            Ok((transaction, Expiry::Refunded))
        }
    }
}

/// What the `expire-orders` function keeps between runs: its step (the command handler and
/// the source of the events it appends), the report table and the deadline.
pub struct Expirer {
    step: Step,
    reports: ReportsTable,
    deadline: Duration,
}

impl FromEnv for Expirer {
    fn from_env(source: &'static str, config: &SdkConfig) -> Result<Self, BoxError> {
        Ok(Self {
            step: Step::from_env(source, config)?,
            reports: ReportsTable::from_env(aws_sdk_dynamodb::Client::new(config))?,
            deadline: deadline_from_env()?,
        })
    }
}

/// The `expire-orders` function: every scheduled invocation is one [`sweep`].
pub async fn expire_orders(
    expirer: &Expirer,
    _schedule: serde_json::Value,
) -> Result<Sweep, BoxError> {
    let sweep = sweep(
        &expirer.step,
        &expirer.reports,
        expirer.deadline,
        Utc::now(),
    )
    .await?;
    tracing::info!(
        overdue = sweep.overdue,
        cancelled = sweep.cancelled,
        refunded = sweep.refunded,
        confirmed = sweep.confirmed,
        already_settled = sweep.already_settled,
        undecided = sweep.undecided,
        "deadline sweep"
    );
    Ok(sweep)
}
