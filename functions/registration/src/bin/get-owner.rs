//! GET /owners/{owner_id}: the owner view with the plates of the owner's vehicles.

use http_api::{serve, ApiError, ApiResponse};
use traffic_views::tables::env::{OWNERS_TABLE, VEHICLES_TABLE};
use traffic_views::tables::VEHICLES_BY_OWNER;
use traffic_views::{OwnerView, VehicleView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-owner", |app, request| async move {
        let owner_id = request.uuid_parameter("owner_id", "owner")?.to_string();
        let owner = app
            .view::<OwnerView>(OWNERS_TABLE)?
            .get(&owner_id)
            .await?
            .ok_or_else(|| ApiError::not_found("owner", &owner_id))?;
        let vehicles = app.view::<VehicleView>(VEHICLES_TABLE)?;
        let mut plates = Vec::new();
        let mut cursor = None;
        loop {
            let page = vehicles
                .query(&VEHICLES_BY_OWNER, &owner_id, &[], 100, cursor.as_deref())
                .await?;
            plates.extend(page.items.into_iter().map(|v| v.plate.to_string()));
            match page.next_cursor {
                Some(next) => cursor = Some(next),
                None => break,
            }
        }
        let version = owner.version;
        let mut body =
            serde_json::to_value(owner).map_err(|e| ApiError::internal(e.to_string()))?;
        body["vehicles"] = serde_json::json!(plates);
        Ok(ApiResponse::ok(body).etag(version))
    })
    .await
}
