//! The customer aggregate (SPEC §6): a balance that deposits raise and accepted payments
//! lower.
//!
//! An accepted payment is given back (`PaymentRefunded`) only by the order deadline, for an order
//! cancelled before its stock was committed.
//!
//! A payment the balance cannot cover is not an error but a `PaymentRefused` event: the saga
//! reacts to it (release the stock, cancel the order). Each order's payment is decided once:
//! both outcomes claim [`PAYMENT_SCOPE`] for the order id, so a redelivered `Pay` cannot debit
//! twice or flip a decision. The state keeps no list of paid orders (it is snapshotted).
//!
//! The name and email are sealed with the customer's own key (SPEC §7) and can be erased;
//! the balance, deposits and payments carry on as before.

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::*;
pub use error::CustomerError;
pub use events::CustomerEvent;

use es_core::{Aggregate, Sealed, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Scope of the guard that decides each order's payment once.
pub const PAYMENT_SCOPE: &str = "customer.payment";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// `None` until the customer is registered.
    pub customer_id: Option<Uuid>,
    /// Sealed with the customer's key: `None` until the customer is registered and once it
    /// is erased (a snapshot taken after erasure holds none of it).
    pub personal: Option<CustomerPersonalData>,
    pub balance_cents: u64,
}

/// What SPEC §7 calls a customer's personal data, each value sealed under its field's name.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct CustomerPersonalData {
    pub name: Sealed,
    pub email: Sealed,
}

impl Customer {
    pub fn exists(&self) -> bool {
        self.customer_id.is_some()
    }

    /// A registered customer whose personal data was erased.
    pub fn is_erased(&self) -> bool {
        self.exists() && self.personal.is_none()
    }
}

impl Aggregate for Customer {
    const TYPE: &'static str = "customer";
    /// 2: the personal data became sealed and erasable.
    const SNAPSHOT_SCHEMA: u32 = 2;

    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;

    fn apply(&mut self, event: &CustomerEvent) {
        match event {
            CustomerEvent::CustomerRegistered {
                customer_id,
                name,
                email,
                balance_cents,
            } => {
                *self = Self {
                    customer_id: Some(*customer_id),
                    personal: Some(CustomerPersonalData {
                        name: name.clone(),
                        email: email.clone(),
                    }),
                    balance_cents: *balance_cents,
                };
            }
            CustomerEvent::DepositMade { amount_cents } => {
                self.balance_cents = self.balance_cents.saturating_add(*amount_cents);
            }
            CustomerEvent::PaymentAccepted { amount_cents, .. } => {
                self.balance_cents = self.balance_cents.saturating_sub(*amount_cents);
            }
            CustomerEvent::PaymentRefused { .. } => {}
            CustomerEvent::PaymentRefunded { amount_cents, .. } => {
                self.balance_cents = self.balance_cents.saturating_add(*amount_cents);
            }
            CustomerEvent::CustomerPersonalDataErased {} => self.personal = None,
        }
    }

    fn unique_claims(event: &CustomerEvent) -> Vec<UniqueClaim> {
        match event {
            CustomerEvent::PaymentAccepted { order_id, .. }
            | CustomerEvent::PaymentRefused { order_id, .. } => vec![UniqueClaim {
                scope: PAYMENT_SCOPE,
                value: order_id.to_string(),
            }],
            _ => Vec::new(),
        }
    }
}
