//! The traffic-enforcement domain of SPEC §4, pure: no I/O, no clock, no AWS.
//!
//! Four aggregates implement [`es_core::Aggregate`]: a [`Radar`] detects overspeeds, an
//! [`Owner`] and a [`Vehicle`] make up the registration service, and an [`Infraction`] is opened
//! by the infraction service's policy from each `OverspeedDetected`. The fine schedule
//! ([`fine_for_excess`]), the derivation of an infraction's id from its detection
//! ([`infraction_id_for`]) and the plate→owner history ([`OwnershipHistory`]) each live in one
//! place so that the command side, the policies and the projections cannot disagree.
//!
//! Commands hold typed, already-validated data: each one a client can send has a `from_json`
//! constructor that reports every problem of a body at once. Anything that depends on the
//! clock or on another stream (`now`, `today`, whether an owner exists) is passed in by the
//! caller, so every decision here is a pure function of its inputs.

mod change;
pub mod fine;
pub mod ids;
pub mod infraction;
pub mod ownership;
pub mod plate;
pub mod radar;
mod read;
pub mod registration;

#[cfg(test)]
mod testing;

pub use fine::fine_for_excess;
pub use ids::infraction_id_for;
pub use infraction::*;
pub use ownership::{OwnershipEntry, OwnershipHistory};
pub use plate::Plate;
pub use radar::*;
pub use registration::owner::*;
pub use registration::vehicle::*;
