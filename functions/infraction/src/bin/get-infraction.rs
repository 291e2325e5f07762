//! GET /infractions/{infraction_id}: the infraction view with its timeline.

use http_api::{serve, ApiError, ApiResponse};
use traffic_views::{tables::env::INFRACTIONS_TABLE, InfractionView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-infraction", |app, request| async move {
        let infraction_id = request
            .uuid_parameter("infraction_id", "infraction")?
            .to_string();
        let infraction = app
            .read_view::<InfractionView>(&request, INFRACTIONS_TABLE, &infraction_id)
            .await?
            .ok_or_else(|| ApiError::not_found("infraction", &infraction_id))?;
        let owner = infraction.owner_id.map(|id| id.to_string());
        request.ensure_subject(owner.as_deref(), "infraction", &infraction_id)?;
        let version = infraction.version;
        Ok(ApiResponse::ok(infraction).etag(version))
    })
    .await
}
