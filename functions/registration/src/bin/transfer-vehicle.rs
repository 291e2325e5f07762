//! PUT /vehicles/{plate}/owner: transfers a vehicle to another registered owner.

use http_api::{serve, ApiResponse};
use registration_functions::{owner_exists, plate_parameter};
use traffic_domain::{TransferVehicle, Vehicle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("transfer-vehicle", |app, request| async move {
        let plate = plate_parameter(&request)?;
        let transfer = TransferVehicle::from_json(&request.json()?)?;
        let known = owner_exists(app.store()?, transfer.owner_id).await?;
        let outcome = app
            .execute::<Vehicle>(&request, plate.as_str(), transfer.into_command(known))
            .await?;
        Ok(ApiResponse::version("plate", plate, outcome.version))
    })
    .await
}
