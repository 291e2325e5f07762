//! The platform functions: the event store API, the route fallback, the event publisher.

pub mod aggregates;
pub mod publisher;
