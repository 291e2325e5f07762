//! Why an infraction refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

use super::InfractionStatus;

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum InfractionError {
    #[error("the infraction does not exist")]
    NotFound,
    #[error("an infraction cannot go from {from} to {to}")]
    InvalidTransition {
        from: InfractionStatus,
        to: InfractionStatus,
    },
    #[error("a PAID infraction cannot be amended")]
    AmendPaid,
    #[error("the amount {amount} does not match the fine of {fine_amount}")]
    WrongAmount { amount: u64, fine_amount: u64 },
}

impl DomainError for InfractionError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::InvalidTransition { .. } | Self::AmendPaid => {
                Rejection::rule("invalid_transition", message)
            }
            Self::WrongAmount { .. } => Rejection::rule("wrong_amount", message),
        }
    }
}
