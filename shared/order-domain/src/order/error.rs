//! Why an order refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

use super::OrderStatus;

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum OrderError {
    #[error("the order does not exist")]
    NotFound,
    #[error("another order already has this id")]
    AlreadyExists,
    #[error("an order needs at least one line")]
    EmptyOrder,
    #[error("an order that is {from} cannot become {to}")]
    InvalidTransition { from: OrderStatus, to: OrderStatus },
}

impl DomainError for OrderError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyExists => Rejection::conflict("order_already_exists", message),
            Self::EmptyOrder => Rejection::rule("empty_order", message),
            Self::InvalidTransition { .. } => Rejection::rule("invalid_transition", message),
        }
    }
}
