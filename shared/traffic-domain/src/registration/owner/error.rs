//! Why an owner refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OwnerError {
    #[error("the owner does not exist")]
    NotFound,
    #[error("this owner is already registered")]
    AlreadyRegistered,
    /// Not raised by the aggregate, which sees one stream only: the store's
    /// `owner.national_id` claim detects it, and the application reports it with this.
    #[error("an owner with national id {national_id} is already registered")]
    NationalIdTaken { national_id: String },
}

impl DomainError for OwnerError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyRegistered | Self::NationalIdTaken { .. } => {
                Rejection::conflict("owner_already_registered", message)
            }
        }
    }
}
