//! Why a cart refuses a command.

use es_core::{DomainError, Rejection};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("the cart is empty: there is nothing to check out")]
    EmptyCart,
}

impl DomainError for CartError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::EmptyCart => Rejection::rule("empty_cart", message),
        }
    }
}
