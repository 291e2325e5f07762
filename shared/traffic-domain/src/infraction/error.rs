//! Why an infraction refuses a command.

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

es_core::rejections!(InfractionError {
    NotFound => (NotFound, "not_found"),
    InvalidTransition | AmendPaid => (BusinessRule, "invalid_transition"),
    WrongAmount => (BusinessRule, "wrong_amount"),
});
