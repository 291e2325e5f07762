//! GET /owners/{owner_id}: the owner view with the plates of the owner's vehicles; the
//! personal data revealed with the owner's key (`null` once erased, SPEC §7).

use http_api::{serve, ApiError, ApiResponse};
use registration_functions::{key_store_error, owner_subject, reveal_owner};
use traffic_views::tables::env::{OWNERS_TABLE, VEHICLES_TABLE};
use traffic_views::tables::VEHICLES_BY_OWNER;
use traffic_views::{OwnerView, VehicleView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-owner", |app, request| async move {
        let owner_uuid = request.uuid_parameter("owner_id", "owner")?;
        let owner_id = owner_uuid.to_string();
        let owner = app
            .read_view::<OwnerView>(&request, OWNERS_TABLE, &owner_id)
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
        let key = app
            .personal_data()?
            .load(&owner_subject(owner_uuid))
            .await
            .map_err(key_store_error)?;
        let version = owner.version;
        let mut body = serde_json::to_value(reveal_owner(&owner, key.as_ref()))
            .map_err(|e| ApiError::internal(e.to_string()))?;
        body["vehicles"] = serde_json::json!(plates);
        Ok(ApiResponse::ok(body).etag(version))
    })
    .await
}
