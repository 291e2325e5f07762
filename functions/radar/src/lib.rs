//! The radar service: installs and configures radars, and records their detections.

pub mod commands;
pub mod detection;
pub mod queries;
