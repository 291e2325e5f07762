//! The radar service: installs and configures radars, and records their detections.

pub mod detection;
