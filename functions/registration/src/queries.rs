//! The registration's query routes, owners and vehicles: each an
//! `async fn(&App, ApiRequest)`, which its binary serves with `http_api::main!`.

use event_store::Page;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_views::tables::env::{OWNERS_TABLE, VEHICLES_TABLE};
use traffic_views::tables::VEHICLES_BY_OWNER;
use traffic_views::{OwnerView, VehicleView};

use crate::{owner_subject, plate_parameter, reveal_owner};

/// GET /owners/{owner_id}: the owner view with the plates of the owner's vehicles; the
/// personal data revealed with the owner's key (`null` once erased, SPEC §7).
pub async fn get_owner(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let owner = app
        .find_path_view::<OwnerView>(&request, OWNERS_TABLE, ("owner_id", "owner"))
        .await?;
    let owner_id = owner.id.to_string();
    let vehicles = app.view::<VehicleView>(VEHICLES_TABLE)?;
    let mut plates = Vec::new();
    let mut cursor = None;
    loop {
        let page = vehicles
            .query(&VEHICLES_BY_OWNER, &owner_id, &[], 100, cursor.as_deref())
            .await?;
        plates.extend(
            (page.items.into_iter())
                .filter_map(|v| v.vehicle.plate)
                .map(|plate| plate.as_str().to_owned()),
        );
        match page.next_cursor {
            Some(next) => cursor = Some(next),
            None => break,
        }
    }
    let key = app.personal_data()?.load(&owner_subject(owner.id)).await?;
    let mut body = serde_json::to_value(reveal_owner(&owner.view, key.as_ref()))
        .map_err(|e| ApiError::internal(e.to_string()))?;
    body["vehicles"] = serde_json::json!(plates);
    Ok(ApiResponse::ok(body).etag(owner.version))
}

/// GET /owners: the owner views, paged; each owner's personal data revealed with its key
/// (one batch read for the page; `null` once erased, SPEC §7).
pub async fn list_owners(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let owners = app.list_view::<OwnerView>(&request, OWNERS_TABLE).await?;
    let subjects: Vec<String> = owners
        .items
        .iter()
        .map(|owner| owner_subject(owner.owner_id))
        .collect();
    let keys = app.personal_data()?.load_many(&subjects).await?;
    let items = owners
        .items
        .iter()
        .zip(&subjects)
        .map(|(owner, subject)| reveal_owner(owner, keys.get(subject)))
        .collect();
    Ok(ApiResponse::ok(Page {
        items,
        next_cursor: owners.next_cursor,
    }))
}

/// GET /vehicles/{plate}: the vehicle view with its owner.
pub async fn get_vehicle(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let plate = plate_parameter(&request)?;
    let vehicle: VehicleView = app
        .find_view(&request, VEHICLES_TABLE, "vehicle", plate.as_str())
        .await?;
    let owner = vehicle.vehicle.owner_id.to_string();
    request.ensure_subject(Some(&owner), "vehicle", plate.as_str())?;
    let version = vehicle.version;
    Ok(ApiResponse::ok(vehicle).etag(version))
}

/// GET /vehicles?owner_id=: the vehicle views, all or one owner's, paged.
pub async fn list_vehicles(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
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
}
