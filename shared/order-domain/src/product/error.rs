//! Why a product refuses a command.

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ProductError {
    #[error("the product does not exist")]
    NotFound,
    #[error("this product already exists")]
    AlreadyExists,
    #[error("only {available} available, {requested} requested")]
    InsufficientStock { available: u64, requested: u32 },
}

es_core::rejections!(ProductError {
    NotFound => (NotFound, "not_found"),
    AlreadyExists => (Conflict, "product_already_exists"),
    InsufficientStock => (BusinessRule, "out_of_stock"),
});
