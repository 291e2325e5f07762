//! The customer aggregate (SPEC §6): a balance that deposits raise and accepted payments
//! lower.
//!
//! A payment the balance cannot cover is not an error but a `PaymentRefused` event: the saga
//! reacts to it (release the stock, cancel the order). Each order's payment is decided once:
//! both outcomes claim [`PAYMENT_SCOPE`] for the order id, so a redelivered `Pay` cannot debit
//! twice or flip a decision. The state keeps no list of paid orders (it is snapshotted).

mod commands;
mod error;
mod events;
#[cfg(test)]
mod tests;

pub use commands::{CustomerCommand, MakeDeposit, PayForOrder, RegisterCustomer};
pub use error::CustomerError;
pub use events::CustomerEvent;

use es_core::{Aggregate, UniqueClaim};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

/// Scope of the guard that decides each order's payment once.
pub const PAYMENT_SCOPE: &str = "customer.payment";

#[derive(Debug, Clone, Default, PartialEq, Eq, Serialize, Deserialize)]
pub struct Customer {
    /// `None` until the customer is registered.
    pub customer_id: Option<Uuid>,
    pub name: String,
    pub email: String,
    pub balance_cents: u64,
}

impl Customer {
    pub fn exists(&self) -> bool {
        self.customer_id.is_some()
    }

    fn existing(&self) -> Result<Uuid, CustomerError> {
        self.customer_id.ok_or(CustomerError::NotFound)
    }

    fn register(&self, c: &RegisterCustomer) -> Result<Vec<CustomerEvent>, CustomerError> {
        if self.exists() {
            return Err(CustomerError::AlreadyExists);
        }
        Ok(vec![CustomerEvent::CustomerRegistered {
            customer_id: c.customer_id,
            name: c.name.clone(),
            email: c.email.clone(),
            balance_cents: c.balance_cents,
        }])
    }

    fn pay(&self, c: &PayForOrder) -> CustomerEvent {
        if c.amount_cents <= self.balance_cents {
            CustomerEvent::PaymentAccepted {
                order_id: c.order_id,
                amount_cents: c.amount_cents,
            }
        } else {
            CustomerEvent::PaymentRefused {
                order_id: c.order_id,
                amount_cents: c.amount_cents,
                balance_cents: self.balance_cents,
            }
        }
    }
}

impl Aggregate for Customer {
    const TYPE: &'static str = "customer";

    type Command = CustomerCommand;
    type Event = CustomerEvent;
    type Error = CustomerError;

    fn handle(&self, command: &CustomerCommand) -> Result<Vec<CustomerEvent>, CustomerError> {
        match command {
            CustomerCommand::Register(c) => self.register(c),
            CustomerCommand::Deposit(c) => self.existing().map(|_| {
                vec![CustomerEvent::DepositMade {
                    amount_cents: c.amount_cents,
                }]
            }),
            CustomerCommand::Pay(c) => self.existing().map(|_| vec![self.pay(c)]),
        }
    }

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
                    name: name.clone(),
                    email: email.clone(),
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
