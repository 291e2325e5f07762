//! Erasing an aggregate's personal data (SPEC §7), the same for every aggregate that seals it
//! with a key of its own (a customer, an owner).

use crate::{ApiError, ApiRequest, ApiResponse, App};

impl App {
    /// Erases the personal data of the existing aggregate whose uuid is the path parameter
    /// `parameter` (`exists` tells, from its state; a 404 otherwise names `what`), and
    /// answers `{<parameter>: id, "version": v}`.
    ///
    /// The aggregate's key is destroyed first, which erases every sealed copy at once (events,
    /// snapshots, views); then `erase`, the aggregate's command, makes the state and the views
    /// forget the sealed values. A retry destroys nothing more and appends nothing.
    pub async fn erase_personal_data<A: es_core::Aggregate>(
        &self,
        request: &ApiRequest,
        (parameter, what): (&str, &str),
        exists: fn(&A) -> bool,
        erase: A::Command,
    ) -> Result<ApiResponse, ApiError> {
        let id = request.uuid_parameter(parameter, what)?;
        let key = id.to_string();
        if !exists(&self.store()?.load::<A>(&key).await?.state) {
            return Err(ApiError::not_found(what, &key));
        }
        let subject = personal_data::subject(A::TYPE, id);
        self.personal_data()?.erase(&subject).await?;
        self.execute_versioned::<A>(request, (parameter, id), erase)
            .await
    }
}
