//! The customer service: registers customers, takes deposits, and takes the saga's payment
//! step (SPEC §6): on `StockReserved`, debit the order's total if the balance covers it.

pub mod payment;
