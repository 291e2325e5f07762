//! Why an order refuses a command.

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

es_core::rejections!(OrderError {
    NotFound => (NotFound, "not_found"),
    AlreadyExists => (Conflict, "order_already_exists"),
    EmptyOrder => (BusinessRule, "empty_order"),
    InvalidTransition => (BusinessRule, "invalid_transition"),
});
