//! What can be asked of a customer: by clients (register, deposit, validated from request
//! bodies, erase personal data) and by the saga (pay for an order); and the decision each one
//! asks of the customer.

use es_core::{Decide, Input, Sealed, Sealer, ValidationError};
use serde_json::Value;
use std::ops::RangeInclusive;
use uuid::Uuid;

use super::{Customer, CustomerError, CustomerEvent};

const NAME_LEN: RangeInclusive<usize> = 1..=200;
const BALANCE_CENTS: RangeInclusive<i64> = 0..=1_000_000_000;
const DEPOSIT_CENTS: RangeInclusive<i64> = 1..=1_000_000_000;

/// Built from any of its single commands (`From`, derived).
#[derive(Debug, Clone, PartialEq, derive_more::From)]
pub enum CustomerCommand {
    Register(RegisterCustomer),
    Deposit(MakeDeposit),
    Pay(PayForOrder),
    /// By the order deadline: give an accepted payment back.
    Refund(RefundPayment),
    /// `DELETE /customers/{customer_id}/personal-data`, once the customer's key is destroyed:
    /// the state forgets the sealed name and email. Erasing twice appends nothing.
    #[from(skip)]
    ErasePersonalData,
}

/// `POST /customers` `{name, email, balance_cents}`; the name and email are personal data
/// (SPEC §7), sealed with the customer's key under their field names.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct RegisterCustomer {
    pub customer_id: Uuid,
    pub name: Sealed,
    pub email: Sealed,
    pub balance_cents: u64,
}

impl RegisterCustomer {
    /// `sealer` is bound to the new customer's key; nothing is sealed unless the body is
    /// valid.
    pub fn from_json(
        customer_id: Uuid,
        body: &Value,
        sealer: &dyn Sealer,
    ) -> Result<Self, ValidationError> {
        let mut input = Input::object(body, &["name", "email", "balance_cents"]);
        let name = input.string("name", NAME_LEN);
        let email = input.email("email");
        let balance_cents = input.int("balance_cents", BALANCE_CENTS) as u64;
        input.finish()?;
        Ok(Self {
            customer_id,
            name: sealer.seal("name", &name),
            email: sealer.seal("email", &email.unwrap_or_default()),
            balance_cents,
        })
    }
}

/// The order deadline gives back an accepted payment (see `CustomerEvent::PaymentRefunded`).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct RefundPayment {
    pub order_id: Uuid,
    pub amount_cents: u64,
}

es_core::single_field_command! {
    /// `POST /customers/{id}/deposits` `{amount_cents}`
    #[derive(Debug, Clone, Copy, PartialEq, Eq)]
    pub struct MakeDeposit {
        pub amount_cents: u64 = |input, field| input.int(field, DEPOSIT_CENTS) as u64
    }
}

/// Saga step on `StockReserved`: debit the order's total if the balance covers it, else
/// record the refusal.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct PayForOrder {
    pub order_id: Uuid,
    pub amount_cents: u64,
}

// The decisions: what a customer in a given state records for each command, or why it
// refuses.

impl Decide<Customer> for CustomerCommand {
    fn decide(&self, customer: &Customer) -> Result<Vec<CustomerEvent>, CustomerError> {
        match self {
            Self::Register(c) => c.decide(customer),
            Self::Deposit(c) => existing(customer).map(|()| {
                vec![CustomerEvent::DepositMade {
                    amount_cents: c.amount_cents,
                }]
            }),
            Self::Pay(c) => existing(customer).map(|()| vec![c.decide(customer)]),
            Self::Refund(c) => existing(customer).map(|()| {
                vec![CustomerEvent::PaymentRefunded {
                    order_id: c.order_id,
                    amount_cents: c.amount_cents,
                }]
            }),
            Self::ErasePersonalData => existing(customer).map(|()| match customer.personal {
                Some(_) => vec![CustomerEvent::CustomerPersonalDataErased {}],
                None => Vec::new(),
            }),
        }
    }
}

/// Every command but `Register` needs a registered customer.
fn existing(customer: &Customer) -> Result<(), CustomerError> {
    if customer.exists() {
        Ok(())
    } else {
        Err(CustomerError::NotFound)
    }
}

impl RegisterCustomer {
    fn decide(&self, customer: &Customer) -> Result<Vec<CustomerEvent>, CustomerError> {
        if customer.exists() {
            return Err(CustomerError::AlreadyExists);
        }
        Ok(vec![CustomerEvent::CustomerRegistered {
            customer_id: self.customer_id,
            name: self.name.clone(),
            email: self.email.clone(),
            balance_cents: self.balance_cents,
        }])
    }
}

impl PayForOrder {
    /// Accepted if the balance covers it, else refused: an event either way.
    fn decide(&self, customer: &Customer) -> CustomerEvent {
        if self.amount_cents <= customer.balance_cents {
            CustomerEvent::PaymentAccepted {
                order_id: self.order_id,
                amount_cents: self.amount_cents,
            }
        } else {
            CustomerEvent::PaymentRefused {
                order_id: self.order_id,
                amount_cents: self.amount_cents,
                balance_cents: customer.balance_cents,
            }
        }
    }
}
