//! The customer view of `GET /customers/{customer_id}`: who the customer is and the balance.

use es_core::{Aggregate, EventEnvelope};
use order_domain::{Customer, CustomerEvent};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tables::CUSTOMERS_KEY;

#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct CustomerView {
    pub customer_id: Uuid,
    pub name: String,
    pub email: String,
    pub balance_cents: u64,
    /// The opening balance plus every deposit.
    pub deposited_cents: u64,
    /// Every accepted payment: `balance_cents = deposited_cents - paid_cents`.
    pub paid_cents: u64,
    pub version: u64,
}

impl projection::View for CustomerView {
    const AGGREGATE_TYPE: &'static str = Customer::TYPE;
    const KEY: &'static str = CUSTOMERS_KEY;

    fn apply(&mut self, envelope: &EventEnvelope) {
        self.version = envelope.version;
        let Some(event) = projection::decode_event::<CustomerEvent>(envelope) else {
            return;
        };
        match event {
            CustomerEvent::CustomerRegistered {
                customer_id,
                name,
                email,
                balance_cents,
            } => {
                self.customer_id = customer_id;
                self.name = name;
                self.email = email;
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
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{envelope, through_dynamo};
    use projection::View;

    #[test]
    fn balance_is_deposits_minus_accepted_payments() {
        let id = Uuid::from_u128(0xC01);
        let events = [
            CustomerEvent::CustomerRegistered {
                customer_id: id,
                name: "Grace".into(),
                email: "grace@example.org".into(),
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
        let envelopes: Vec<_> = events
            .iter()
            .enumerate()
            .map(|(i, e)| envelope("customer", &id.to_string(), i as u64 + 1, e, i as i64))
            .collect();
        let view = CustomerView::replay(&envelopes);
        assert_eq!(view.balance_cents, 300);
        assert_eq!(view.deposited_cents, 1500);
        assert_eq!(view.paid_cents, 1200);
        assert_eq!(view.version, 4);
        assert_eq!(through_dynamo(&view), view);
    }
}
