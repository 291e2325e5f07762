//! GET /owners: the owner views, paged.

use http_api::{serve, ApiResponse};
use traffic_views::{tables::env::OWNERS_TABLE, OwnerView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-owners", |app, request| async move {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        let owners = app
            .view::<OwnerView>(OWNERS_TABLE)?
            .list(&[], page.limit, page.cursor.as_deref())
            .await?;
        Ok(ApiResponse::ok(owners))
    })
    .await
}
