//! GET /owners/{owner_id}/infractions?status=: the infractions charged to an owner, newest
//! first. Served by the infraction service's own read model: an owner it has never charged has
//! an empty list.

use http_api::{serve, ApiResponse};
use infraction_functions::queries::InfractionFilter;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-owner-infractions", |app, request| async move {
        let owner_id = request.uuid_parameter("owner_id", "owner")?;
        let filter = InfractionFilter {
            owner_id: Some(owner_id),
            ..InfractionFilter::from_query(&request, &["status"])?
        };
        Ok(ApiResponse::ok(filter.find(&app, &request).await?))
    })
    .await
}
