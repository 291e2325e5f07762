//! GET /vehicles?owner_id=: the vehicle views, all or one owner's, paged.

use http_api::{serve, ApiResponse};
use traffic_views::tables::{env::VEHICLES_TABLE, VEHICLES_BY_OWNER};
use traffic_views::VehicleView;

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-vehicles", |app, request| async move {
        let owner_id = request.query_input(&["owner_id"], |input| input.opt_uuid("owner_id"))?;
        let page = request.page()?;
        let vehicles = app.view::<VehicleView>(VEHICLES_TABLE)?;
        let found = match owner_id {
            Some(owner_id) => {
                vehicles
                    .query(
                        &VEHICLES_BY_OWNER,
                        &owner_id.to_string(),
                        &[],
                        page.limit,
                        page.cursor.as_deref(),
                    )
                    .await?
            }
            None => {
                vehicles
                    .list(&[], page.limit, page.cursor.as_deref())
                    .await?
            }
        };
        Ok(ApiResponse::ok(found))
    })
    .await
}
