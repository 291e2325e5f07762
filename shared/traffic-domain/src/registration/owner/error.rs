//! Why an owner refuses a command.

#[derive(Debug, Clone, PartialEq, thiserror::Error)]
pub enum OwnerError {
    #[error("the owner does not exist")]
    NotFound,
    #[error("this owner is already registered")]
    AlreadyRegistered,
    /// Not raised by the aggregate, which sees one stream only: the store's
    /// `owner.national_id` claim detects it, and the application reports it with this. It
    /// does not hold the national id: an error may be logged, personal data never is.
    #[error("an owner with this national id is already registered")]
    NationalIdTaken,
    /// The owner's personal data was erased: there is nothing left to change.
    #[error("the owner's personal data was erased")]
    PersonalDataErased,
}

es_core::rejections!(OwnerError {
    NotFound => (NotFound, "not_found"),
    AlreadyRegistered | NationalIdTaken => (Conflict, "owner_already_registered"),
    PersonalDataErased => (BusinessRule, "personal_data_erased"),
});
