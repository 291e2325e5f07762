//! The radar's query routes: each an `async fn(&App, ApiRequest)`, which its binary serves
//! with `http_api::main!`.

use es_core::StreamId;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_views::{tables::env::RADARS_TABLE, RadarView};

/// GET /radars/{radar_id}: one radar, with its detections count, version and last update.
pub async fn get_radar(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    app.get_view::<RadarView>(&request, RADARS_TABLE, ("radar_id", "radar"))
        .await
}

/// GET /radars: the radar views, paged.
pub async fn list_radars(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let radars = app.list_view::<RadarView>(&request, RADARS_TABLE).await?;
    Ok(ApiResponse::ok(radars))
}

/// GET /radars/{radar_id}/events: the radar's event history, oldest first, paged.
pub async fn list_radar_events(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}
