//! The stock service: creates and restocks products, answers inventory queries, and takes the
//! saga's stock steps (SPEC §6): reserve an order's lines on `OrderPlaced`, commit them on
//! `PaymentAccepted`, release them on `PaymentRefused`.

pub mod commands;
pub mod queries;
pub mod saga;
