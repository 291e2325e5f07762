//! Why an owner refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OwnerError {
    #[error("the owner does not exist")]
    NotFound,
    #[error("this owner is already registered")]
    AlreadyRegistered,
    /// Not raised by the aggregate, which sees one stream only: the store's
    /// `owner.national_id` claim detects it, and the application reports it with this. It
    /// does not hold the national id: an error may be logged, personal data never is.
    #[error("an owner with this national id is already registered")]
    NationalIdTaken,
    /// The owner's personal data was erased: there is nothing left to change.
    #[error("the owner's personal data was erased")]
    PersonalDataErased,
}

impl DomainError for OwnerError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyRegistered | Self::NationalIdTaken => {
                Rejection::conflict("owner_already_registered", message)
            }
            Self::PersonalDataErased => Rejection::rule("personal_data_erased", message),
        }
    }
}
