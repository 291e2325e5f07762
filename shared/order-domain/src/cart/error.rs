//! Why a cart refuses a command.

use es_core::{DomainError, Rejection};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CartError {
    #[error("the cart is empty: there is nothing to check out")]
    EmptyCart,
    #[error(
        "the cart already holds {} distinct products, the most it may",
        super::MAX_CART_LINES
    )]
    CartFull,
}

impl DomainError for CartError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::EmptyCart => Rejection::rule("empty_cart", message),
            Self::CartFull => Rejection::rule("cart_full", message),
        }
    }
}
