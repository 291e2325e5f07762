//! The customer service: registers customers, takes deposits, and takes the saga's payment
//! step (SPEC §6): on `StockReserved`, debit the order's total if the balance covers it.
//! A customer's name and email are sealed with a key of their own and can be erased (SPEC §7).

pub mod commands;
pub mod payment;
pub mod queries;

use es_core::Aggregate;
use order_domain::Customer;
use order_views::{CustomerView, RevealedCustomer};
use personal_data::SubjectKey;
use uuid::Uuid;

/// The key-store subject of a customer's personal data: `customer#<customer_id>`.
pub fn customer_subject(customer_id: Uuid) -> String {
    personal_data::subject(Customer::TYPE, customer_id)
}

/// The customer view as the API answers it: name and email revealed with the customer's key,
/// or `null` where there is no key (erased) or a value does not open.
pub fn reveal_customer(view: &CustomerView, key: Option<&SubjectKey>) -> RevealedCustomer {
    view.revealed(|field, sealed| personal_data::reveal(key, field, sealed))
}
