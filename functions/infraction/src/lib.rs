//! The infraction service: its commands, queries, projection and policy.

pub mod commands;
pub mod policy;
pub mod queries;
