//! GET /radars: the radar views, paged.

use http_api::{serve, ApiResponse};
use traffic_views::{tables::env::RADARS_TABLE, RadarView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-radars", |app, request| async move {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        let radars = app
            .view::<RadarView>(RADARS_TABLE)?
            .list(&[], page.limit, page.cursor.as_deref())
            .await?;
        Ok(ApiResponse::ok(radars))
    })
    .await
}
