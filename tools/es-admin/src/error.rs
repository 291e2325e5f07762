//! One error type for the whole tool: a sentence for the operator, with the cause's chain.

use aws_smithy_types::error::display::DisplayErrorContext;
use std::fmt;

#[derive(Debug)]
pub struct Error(pub String);

pub type Result<T> = std::result::Result<T, Error>;

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl std::error::Error for Error {}

impl Error {
    pub fn new(message: impl Into<String>) -> Self {
        Self(message.into())
    }
}

/// Says what was being done when an error happened (the SDK's errors print their whole
/// chain, e.g. the service's error code and message, not only "service error").
pub trait Context<T> {
    fn context(self, doing: impl fmt::Display) -> Result<T>;
}

impl<T, E: std::error::Error> Context<T> for std::result::Result<T, E> {
    fn context(self, doing: impl fmt::Display) -> Result<T> {
        self.map_err(|e| Error(format!("{doing}: {}", DisplayErrorContext(&e))))
    }
}
