//! PATCH /vehicles/{plate}: changes a vehicle's type, brand, model or fiscal power.

use http_api::{serve, ApiResponse};
use registration_functions::plate_parameter;
use traffic_domain::{ChangeVehicleDetails, Vehicle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("change-vehicle-details", |app, request| async move {
        let plate = plate_parameter(&request)?;
        let command = ChangeVehicleDetails::from_json(&request.json()?)?;
        let outcome = app
            .execute::<Vehicle>(&request, plate.as_str(), command.into())
            .await?;
        Ok(ApiResponse::version("plate", plate, outcome.version))
    })
    .await
}
