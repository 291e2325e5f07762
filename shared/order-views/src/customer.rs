//! The customer view of `GET /customers/{customer_id}`: who the customer is and the balance.
//!
//! The name and email stay sealed with the customer's key, as the events carry them (SPEC
//! §7), and are forgotten on `CustomerPersonalDataErased`; a query reveals them when it
//! answers ([`CustomerView::revealed`]): erased or unreadable, they answer `null`.

use es_core::{Aggregate, EventMeta, Sealed};
use order_domain::{Customer, CustomerEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tables::CUSTOMERS_KEY;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub customer_id: Uuid,
    /// Sealed, like `email`; `None` once erased.
    pub name: Option<Sealed>,
    pub email: Option<Sealed>,
    pub balance_cents: u64,
    /// The opening balance plus every deposit.
    pub deposited_cents: u64,
    /// Every accepted payment not given back: `balance_cents = deposited_cents - paid_cents`.
    pub paid_cents: u64,
    pub version: u64,
}

/// A customer as the API answers it: name and email in clear, or `null` (erased).
#[derive(Debug, Clone, PartialEq, Serialize)]
pub struct RevealedCustomer {
    pub customer_id: Uuid,
    pub name: Option<String>,
    pub email: Option<String>,
    pub balance_cents: u64,
    pub deposited_cents: u64,
    pub paid_cents: u64,
    pub version: u64,
}

impl CustomerView {
    /// The answer, name and email revealed by `reveal(field, sealed)` (the field is the one
    /// they were sealed under: `name`, `email`).
    pub fn revealed(&self, reveal: impl Fn(&str, &Sealed) -> Option<String>) -> RevealedCustomer {
        let open = |field: &str, sealed: &Option<Sealed>| {
            sealed.as_ref().and_then(|sealed| reveal(field, sealed))
        };
        RevealedCustomer {
            customer_id: self.customer_id,
            name: open("name", &self.name),
            email: open("email", &self.email),
            balance_cents: self.balance_cents,
            deposited_cents: self.deposited_cents,
            paid_cents: self.paid_cents,
            version: self.version,
        }
    }
}

impl projection::View for CustomerView {
    const AGGREGATE_TYPE: &'static str = Customer::TYPE;
    const KEY: &'static str = CUSTOMERS_KEY;
    type Event = CustomerEvent;

    fn apply(&mut self, event: &CustomerEvent, meta: &EventMeta) {
        self.version = meta.version;
        match event.clone() {
            CustomerEvent::CustomerRegistered {
                customer_id,
                name,
                email,
                balance_cents,
            } => {
                self.customer_id = customer_id;
                self.name = Some(name);
                self.email = Some(email);
                self.balance_cents = balance_cents;
                self.deposited_cents = balance_cents;
            }
            CustomerEvent::DepositMade { amount_cents } => {
                self.balance_cents += amount_cents;
                self.deposited_cents += amount_cents;
            }
            CustomerEvent::PaymentAccepted { amount_cents, .. } => {
                self.balance_cents = self.balance_cents.saturating_sub(amount_cents);
                self.paid_cents += amount_cents;
            }
            CustomerEvent::PaymentRefused { .. } => {}
            CustomerEvent::PaymentRefunded { amount_cents, .. } => {
                self.balance_cents += amount_cents;
                self.paid_cents = self.paid_cents.saturating_sub(amount_cents);
            }
            CustomerEvent::CustomerPersonalDataErased {} => {
                self.name = None;
                self.email = None;
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{envelope, through_dynamo};
    use es_core::testing::PlainSealer;
    use projection::View;

    fn plain(_field: &str, sealed: &Sealed) -> Option<String> {
        PlainSealer::reveal(sealed).map(str::to_owned)
    }

    fn fold(id: Uuid, events: &[CustomerEvent]) -> CustomerView {
        let envelopes: Vec<_> = events
            .iter()
            .enumerate()
            .map(|(i, e)| envelope("customer", &id.to_string(), i as u64 + 1, e, i as i64))
            .collect();
        CustomerView::replay(&envelopes)
    }

    #[test]
    fn balance_is_deposits_minus_accepted_payments() {
        let id = Uuid::from_u128(0xC01);
        let events = [
            CustomerEvent::CustomerRegistered {
                customer_id: id,
                name: PlainSealer::sealed("Grace"),
                email: PlainSealer::sealed("grace@example.org"),
                balance_cents: 1000,
            },
            CustomerEvent::DepositMade { amount_cents: 500 },
            CustomerEvent::PaymentAccepted {
                order_id: Uuid::from_u128(1),
                amount_cents: 1200,
            },
            CustomerEvent::PaymentRefused {
                order_id: Uuid::from_u128(2),
                amount_cents: 900,
                balance_cents: 300,
            },
        ];
        let view = fold(id, &events);
        assert_eq!(view.balance_cents, 300);
        assert_eq!(view.deposited_cents, 1500);
        assert_eq!(view.paid_cents, 1200);
        assert_eq!(view.version, 4);
        assert_eq!(through_dynamo(&view), view);
        assert_eq!(
            serde_json::to_value(view.revealed(plain)).unwrap(),
            serde_json::json!({
                "customer_id": id, "name": "Grace", "email": "grace@example.org",
                "balance_cents": 300, "deposited_cents": 1500, "paid_cents": 1200, "version": 4
            })
        );
    }

    #[test]
    fn erasure_forgets_name_and_email_and_keeps_the_balance() {
        let id = Uuid::from_u128(0xC02);
        let view = fold(
            id,
            &[
                CustomerEvent::CustomerRegistered {
                    customer_id: id,
                    name: PlainSealer::sealed("Grace"),
                    email: PlainSealer::sealed("grace@example.org"),
                    balance_cents: 1000,
                },
                CustomerEvent::CustomerPersonalDataErased {},
                CustomerEvent::DepositMade { amount_cents: 5 },
            ],
        );
        assert_eq!((view.name.as_ref(), view.email.as_ref()), (None, None));
        assert_eq!(view.balance_cents, 1005);
        assert_eq!(view.version, 3);
        assert!(!serde_json::to_string(&view).unwrap().contains("sealed:"));
        assert_eq!(through_dynamo(&view), view);
        let answer = serde_json::to_value(view.revealed(plain)).unwrap();
        assert_eq!(answer["name"], serde_json::Value::Null);
        assert_eq!(answer["email"], serde_json::Value::Null);
        assert_eq!(answer["balance_cents"], 1005);
    }
}
