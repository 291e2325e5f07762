//! POST /vehicles: registers a vehicle to an existing owner.

use http_api::{serve, ApiResponse};
use registration_functions::owner_exists;
use traffic_domain::{RegisterVehicle, Vehicle};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("register-vehicle", |app, request| async move {
        let vehicle = RegisterVehicle::from_json(&request.json()?)?;
        let plate = vehicle.plate.to_string();
        let known = owner_exists(app.store()?, vehicle.owner_id).await?;
        let outcome = app
            .execute::<Vehicle>(&request, &plate, vehicle.into_command(known))
            .await?;
        let body = serde_json::json!({"plate": plate, "version": outcome.version});
        Ok(ApiResponse::created(body, format!("/vehicles/{plate}")).etag(outcome.version))
    })
    .await
}
