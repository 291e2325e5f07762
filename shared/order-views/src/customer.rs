//! The customer view of `GET /customers/{customer_id}`: who the customer is and the balance.
//!
//! The name and email stay sealed with the customer's key, as the events carry them (SPEC
//! §7), and are forgotten on `CustomerPersonalDataErased`; a query reveals them when it
//! answers ([`CustomerView::revealed`]): erased or unreadable, they answer `null`.

use es_core::{Aggregate, EventMeta, Sealed};
use order_domain::{Customer, CustomerEvent, CustomerPersonalData};
use serde::{Deserialize, Serialize};
use uuid::Uuid;

use crate::tables::CUSTOMERS_KEY;

/// A customer with its name and email as `P`: [`CustomerView`] holds them sealed, as the
/// events carry them; [`RevealedCustomer`] is how the API answers them, in clear. One record
/// for both, so that the answer has exactly the view's fields.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct CustomerRecord<P> {
    pub customer_id: Uuid,
    /// `None` once erased (answered: also when it cannot be revealed), like `email`.
    pub name: Option<P>,
    pub email: Option<P>,
    pub balance_cents: u64,
    /// The opening balance plus every deposit.
    pub deposited_cents: u64,
    /// Every accepted payment not given back: `balance_cents = deposited_cents - paid_cents`.
    pub paid_cents: u64,
    pub version: u64,
}

/// The customer as the table stores it: name and email sealed with the customer's key.
pub type CustomerView = CustomerRecord<Sealed>;

/// A customer as the API answers it: name and email in clear, or `null` (erased).
pub type RevealedCustomer = CustomerRecord<String>;

/// No event yet: the customer's state before registration.
impl Default for CustomerView {
    fn default() -> Self {
        Self::of(Customer::default(), 0, 0, 0)
    }
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

    /// The customer's state with the totals the customer does not keep, as of `version`.
    fn of(customer: Customer, deposited_cents: u64, paid_cents: u64, version: u64) -> Self {
        // Destructured, so that a field added to the customer cannot be forgotten here.
        let Customer {
            customer_id,
            personal,
            balance_cents,
        } = customer;
        let (name, email) = personal
            .map_or((None, None), |CustomerPersonalData { name, email }| {
                (Some(name), Some(email))
            });
        Self {
            customer_id: customer_id.unwrap_or_default(),
            name,
            email,
            balance_cents,
            deposited_cents,
            paid_cents,
            version,
        }
    }

    /// The customer's state this view holds: name and email both there or, erased (or not
    /// registered yet), neither.
    fn customer(&self) -> Customer {
        let personal = match (&self.name, &self.email) {
            (Some(name), Some(email)) => Some(CustomerPersonalData {
                name: name.clone(),
                email: email.clone(),
            }),
            _ => None,
        };
        Customer {
            customer_id: (!self.customer_id.is_nil()).then_some(self.customer_id),
            personal,
            balance_cents: self.balance_cents,
        }
    }
}

/// The customer's own fold (balance and erasure), so that the view cannot disagree with the
/// next command; the view adds what was deposited and paid in all.
impl projection::View for CustomerView {
    const AGGREGATE_TYPE: &'static str = Customer::TYPE;
    const KEY: &'static str = CUSTOMERS_KEY;
    type Event = CustomerEvent;

    fn apply(&mut self, event: &CustomerEvent, meta: &EventMeta) {
        let mut customer = self.customer();
        customer.apply(event);
        let (mut deposited, mut paid) = (self.deposited_cents, self.paid_cents);
        match event {
            CustomerEvent::CustomerRegistered { balance_cents, .. } => deposited = *balance_cents,
            CustomerEvent::DepositMade { amount_cents } => deposited += amount_cents,
            CustomerEvent::PaymentAccepted { amount_cents, .. } => paid += amount_cents,
            CustomerEvent::PaymentRefunded { amount_cents, .. } => {
                paid = paid.saturating_sub(*amount_cents);
            }
            CustomerEvent::PaymentRefused { .. } => {}
            CustomerEvent::CustomerPersonalDataErased {} => {}
        }
        *self = Self::of(customer, deposited, paid, meta.version);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{replay, through_dynamo};
    use es_core::testing::PlainSealer;

    fn plain(_field: &str, sealed: &Sealed) -> Option<String> {
        PlainSealer::reveal(sealed).map(str::to_owned)
    }

    fn fold(id: Uuid, events: &[CustomerEvent]) -> CustomerView {
        replay("customer", &id.to_string(), events)
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
