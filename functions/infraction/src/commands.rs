//! The infraction's command routes: each an `async fn(&App, ApiRequest)`, which its binary
//! serves with `http_api::main!`. All four take a JSON body on the infraction of the path.

use es_core::ValidationError;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_domain::{
    AmendInfraction, CancelInfraction, ContestInfraction, Infraction, InfractionCommand,
    PayInfraction,
};

/// PATCH /infractions/{infraction_id}: changes the fine or the notes, until it is paid.
pub async fn amend_infraction(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    on_infraction(app, request, AmendInfraction::from_json).await
}

/// POST /infractions/{infraction_id}/cancel: cancels an infraction that is not paid.
pub async fn cancel_infraction(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    on_infraction(app, request, CancelInfraction::from_json).await
}

/// POST /infractions/{infraction_id}/contest: the owner contests the infraction.
pub async fn contest_infraction(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    on_infraction(app, request, ContestInfraction::from_json).await
}

/// POST /infractions/{infraction_id}/payments: pays the fine; the amount must equal it.
pub async fn pay_infraction(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    on_infraction(app, request, PayInfraction::from_json).await
}

/// A command on the infraction of the path, parsed from the body: answers its version.
async fn on_infraction<C: Into<InfractionCommand>>(
    app: &App,
    request: ApiRequest,
    parse: fn(&serde_json::Value) -> Result<C, ValidationError>,
) -> Result<ApiResponse, ApiError> {
    let infraction_id = request
        .uuid_parameter("infraction_id", "infraction")?
        .to_string();
    let command = parse(&request.json()?)?;
    if request.owes_subject_check() {
        // An owner pays or contests only its own infractions: whose it is, from the store
        // (an infraction's owner, once assigned, never changes).
        let loaded = app.store()?.load::<Infraction>(&infraction_id).await?;
        let owner = loaded.state.owner_id.map(|id| id.to_string());
        request.ensure_subject(owner.as_deref(), "infraction", &infraction_id)?;
    }
    app.execute_versioned::<Infraction>(&request, ("infraction_id", &infraction_id), command)
        .await
}
