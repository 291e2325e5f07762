//! Why a customer refuses a command. (An unaffordable payment is not one of them: it is the
//! event `PaymentRefused`.)

use es_core::{DomainError, Rejection, RejectionKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("the customer does not exist")]
    NotFound,
    #[error("this customer is already registered")]
    AlreadyExists,
}

impl DomainError for CustomerError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyExists => Rejection::conflict("customer_already_exists", message),
        }
    }
}
