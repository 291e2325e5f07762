//! Why a customer refuses a command. (An unaffordable payment is not one of them: it is the
//! event `PaymentRefused`.)

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum CustomerError {
    #[error("the customer does not exist")]
    NotFound,
    #[error("this customer is already registered")]
    AlreadyExists,
}

es_core::rejections!(CustomerError {
    NotFound => (NotFound, "not_found"),
    AlreadyExists => (Conflict, "customer_already_exists"),
});
