//! The pure event-sourcing core shared by every service.
//!
//! Nothing here does I/O: an [`Aggregate`] turns a command into events given its past, an
//! [`EventEnvelope`] is how an event is stored and published and the one place it is decoded
//! (upgrading older schema versions with [`upcast`]), [`validation`] turns untrusted JSON into
//! typed commands while collecting every problem, and a [`Rejection`] says why a command was
//! refused in terms an HTTP layer can map without knowing the domain. Personal data is held
//! [`Sealed`] by a [`Sealer`] (SPEC §7), never in clear.

pub mod aggregate;
pub mod context;
pub mod envelope;
pub mod personal;
pub mod rejection;
pub mod role;
/// Test helpers for the domains: given/when/then and the checks their tests share.
pub mod testing;
pub mod time;
pub mod upcast;
pub mod validation;
mod wire_enum;

pub use aggregate::{Aggregate, Decide, DomainError, DomainEvent, UniqueClaim};
pub use context::CommandContext;
pub use envelope::{EnvelopeError, EventEnvelope, EventMeta, StreamId};
pub use personal::{Sealed, Sealer};
pub use rejection::{Rejection, RejectionKind};
pub use role::Role;
pub use upcast::Upcaster;
pub use validation::{FieldProblem, Input, ValidationError, MAX_VERSION};
