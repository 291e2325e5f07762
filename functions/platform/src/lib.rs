//! The platform functions: the event store API, the route fallback, the event publisher, the
//! saga outcome metric, and the published contract.

pub mod aggregates;
pub mod fallback;
pub mod openapi;
pub mod publisher;
pub mod queries;
pub mod saga_outcomes;
