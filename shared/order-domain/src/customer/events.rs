//! What happened to a customer (SPEC §6). Variant names are the `event_type`s.

use es_core::DomainEvent;
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "event_type", content = "data")]
pub enum CustomerEvent {
    CustomerRegistered {
        customer_id: Uuid,
        name: String,
        email: String,
        balance_cents: u64,
    },
    DepositMade {
        amount_cents: u64,
    },
    /// The order's total was debited from the balance.
    PaymentAccepted {
        order_id: Uuid,
        amount_cents: u64,
    },
    /// The balance did not cover the order's total; nothing was debited.
    PaymentRefused {
        order_id: Uuid,
        amount_cents: u64,
        /// The balance at the time of the refusal.
        balance_cents: u64,
    },
}

impl DomainEvent for CustomerEvent {}
