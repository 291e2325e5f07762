//! The infraction's query routes, each an `async fn(&App, ApiRequest)` which its binary
//! serves with `http_api::main!`, and the filter behind `GET /infractions` and
//! `GET /owners/{owner_id}/infractions`.
//!
//! The most selective filter present picks the index (owner, plate, radar, then status); the
//! others filter its items. Every index is sorted newest detection first.

use event_store::Page;
use http_api::{ApiError, ApiRequest, ApiResponse, App};
use traffic_domain::{InfractionStatus, Plate};
use traffic_views::tables::env::INFRACTIONS_TABLE;
use traffic_views::tables::{
    INFRACTIONS_BY_OWNER, INFRACTIONS_BY_PLATE, INFRACTIONS_BY_RADAR, INFRACTIONS_BY_STATUS,
};
use traffic_views::InfractionView;
use uuid::Uuid;

/// GET /infractions/{infraction_id}: the infraction view with its timeline.
pub async fn get_infraction(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let found = app
        .find_path_view::<InfractionView>(
            &request,
            INFRACTIONS_TABLE,
            ("infraction_id", "infraction"),
        )
        .await?;
    let owner = found.view.infraction.owner_id.map(|id| id.to_string());
    request.ensure_subject(owner.as_deref(), "infraction", &found.id.to_string())?;
    Ok(ApiResponse::ok(found.view).etag(found.version))
}

/// GET /infractions?plate=&owner_id=&status=&radar_id=: infractions, newest first, paged.
pub async fn list_infractions(app: &App, request: ApiRequest) -> Result<ApiResponse, ApiError> {
    let filter =
        InfractionFilter::from_query(&request, &["plate", "owner_id", "status", "radar_id"])?;
    Ok(ApiResponse::ok(filter.find(app, &request).await?))
}

/// GET /owners/{owner_id}/infractions?status=: the infractions charged to an owner, newest
/// first. Served by the infraction service's own read model: an owner it has never charged has
/// an empty list.
pub async fn list_owner_infractions(
    app: &App,
    request: ApiRequest,
) -> Result<ApiResponse, ApiError> {
    let owner_id = request.uuid_parameter("owner_id", "owner")?;
    let filter = InfractionFilter {
        owner_id: Some(owner_id),
        ..InfractionFilter::from_query(&request, &["status"])?
    };
    Ok(ApiResponse::ok(filter.find(app, &request).await?))
}

#[derive(Debug, Clone, Default, PartialEq)]
pub struct InfractionFilter {
    pub owner_id: Option<Uuid>,
    pub plate: Option<Plate>,
    pub radar_id: Option<Uuid>,
    pub status: Option<InfractionStatus>,
}

impl InfractionFilter {
    /// Reads the filters of the query string, reporting every bad one at once.
    pub fn from_query(request: &ApiRequest, allowed: &[&str]) -> Result<Self, ApiError> {
        request.query_input(allowed, |input| {
            let plate = input.opt_string("plate", 1..=40).and_then(|text| {
                let plate = Plate::parse(&text);
                if plate.is_none() {
                    input.problem("plate", traffic_domain::plate::PLATE_PROBLEM);
                }
                plate
            });
            Self {
                owner_id: input.opt_uuid("owner_id"),
                plate,
                radar_id: input.opt_uuid("radar_id"),
                status: input.opt_one_of("status", InfractionStatus::ALL),
            }
        })
    }

    pub async fn find(
        &self,
        app: &App,
        request: &ApiRequest,
    ) -> Result<Page<InfractionView>, ApiError> {
        let page = request.page()?;
        let table = app.view::<InfractionView>(INFRACTIONS_TABLE)?;
        let owner = self.owner_id.map(|id| id.to_string());
        let radar = self.radar_id.map(|id| id.to_string());
        let candidates = [
            (&INFRACTIONS_BY_OWNER, "owner_id", owner.as_deref()),
            (
                &INFRACTIONS_BY_PLATE,
                "plate",
                self.plate.as_ref().map(Plate::as_str),
            ),
            (&INFRACTIONS_BY_RADAR, "radar_id", radar.as_deref()),
            (
                &INFRACTIONS_BY_STATUS,
                "status",
                self.status.map(InfractionStatus::as_str),
            ),
        ];
        let mut present = candidates
            .into_iter()
            .filter_map(|(i, a, v)| v.map(|v| (i, a, v)));
        let chosen = present.next();
        let filters: Vec<(&str, &str)> = present
            .map(|(_, attribute, value)| (attribute, value))
            .collect();
        let cursor = page.cursor.as_deref();
        Ok(match chosen {
            Some((index, _, value)) => {
                table
                    .query(index, value, &filters, page.limit, cursor)
                    .await?
            }
            None => table.list(&filters, page.limit, cursor).await?,
        })
    }
}
