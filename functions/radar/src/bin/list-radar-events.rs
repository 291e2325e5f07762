//! GET /radars/{radar_id}/events: the radar's event history, oldest first, paged.

use es_core::StreamId;
use http_api::{serve, ApiError, ApiResponse};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-radar-events", |app, request| async move {
        let radar_id = request.uuid_parameter("radar_id", "radar")?;
        let page = request.page()?;
        let stream = StreamId::new("radar", radar_id.to_string());
        let events = app
            .store()?
            .stream_page(&stream, 1, None, page.limit, page.cursor.as_deref())
            .await?;
        if events.items.is_empty() && page.cursor.is_none() {
            return Err(ApiError::not_found("radar", &radar_id.to_string()));
        }
        Ok(ApiResponse::ok(events))
    })
    .await
}
