//! GET /infractions?plate=&owner_id=&status=&radar_id=: infractions, newest first, paged.

use http_api::{serve, ApiResponse};
use infraction_functions::queries::InfractionFilter;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-infractions", |app, request| async move {
        let filter =
            InfractionFilter::from_query(&request, &["plate", "owner_id", "status", "radar_id"])?;
        Ok(ApiResponse::ok(filter.find(&app, &request).await?))
    })
    .await
}
