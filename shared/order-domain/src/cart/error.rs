//! Why a cart refuses a command.

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

es_core::rejections!(CartError {
    EmptyCart => (BusinessRule, "empty_cart"),
    CartFull => (BusinessRule, "cart_full"),
});
