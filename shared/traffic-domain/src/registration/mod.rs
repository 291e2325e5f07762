//! The registration service's aggregates (SPEC §4.2): owners, and vehicles identified by their
//! plate. A vehicle's owner must exist; the application layer looks that up and passes the
//! answer in the command, since an aggregate only sees its own stream.

pub mod owner;
pub mod vehicle;
