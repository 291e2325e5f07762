//! GET /vehicles/{plate}: the vehicle view with its owner.

use http_api::{serve, ApiError, ApiResponse};
use registration_functions::plate_parameter;
use traffic_views::{tables::env::VEHICLES_TABLE, VehicleView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("get-vehicle", |app, request| async move {
        let plate = plate_parameter(&request)?;
        let vehicle = app
            .read_view::<VehicleView>(&request, VEHICLES_TABLE, plate.as_str())
            .await?
            .ok_or_else(|| ApiError::not_found("vehicle", plate.as_str()))?;
        let owner = vehicle.owner_id.to_string();
        request.ensure_subject(Some(&owner), "vehicle", plate.as_str())?;
        let version = vehicle.version;
        Ok(ApiResponse::ok(vehicle).etag(version))
    })
    .await
}
