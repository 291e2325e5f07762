//! What happened to a customer (SPEC §6). Variant names are the `event_type`s.

use es_core::{DomainEvent, Sealed};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

#[derive(Serialize, Deserialize, Clone, Debug, PartialEq, Eq)]
#[serde(tag = "event_type", content = "data")]
pub enum CustomerEvent {
    CustomerRegistered {
        customer_id: Uuid,
        /// Sealed with the customer's key (SPEC §7), like `email`.
        name: Sealed,
        email: Sealed,
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
    /// The order was cancelled by its deadline after this payment was accepted and before its
    /// stock was committed (`expire-orders`): the amount goes back to the balance. At most
    /// once per order: the same write takes the order's settlement guard.
    PaymentRefunded {
        order_id: Uuid,
        amount_cents: u64,
    },
    /// The customer's key was destroyed (`DELETE /customers/{customer_id}/personal-data`):
    /// the state and the views forget the name and email; the balance and orders stay.
    CustomerPersonalDataErased {},
}

impl DomainEvent for CustomerEvent {}
