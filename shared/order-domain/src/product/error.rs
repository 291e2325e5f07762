//! Why a product refuses a command.

use es_core::{DomainError, Rejection, RejectionKind};

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("the product does not exist")]
    NotFound,
    #[error("this product already exists")]
    AlreadyExists,
    #[error("only {available} available, {requested} requested")]
    InsufficientStock { available: u64, requested: u32 },
}

impl DomainError for ProductError {
    fn rejection(&self) -> Rejection {
        let message = self.to_string();
        match self {
            Self::NotFound => Rejection::new(RejectionKind::NotFound, "not_found", message),
            Self::AlreadyExists => Rejection::conflict("product_already_exists", message),
            Self::InsufficientStock { .. } => Rejection::rule("out_of_stock", message),
        }
    }
}
