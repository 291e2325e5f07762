//! GET /events?type=&aggregate_type=&correlation_id=: envelopes, newest first, paged.

use event_store::EventFilter;
use http_api::{serve, ApiResponse};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-events", |app, request| async move {
        let filter =
            request.query_input(&["type", "aggregate_type", "correlation_id"], |input| {
                EventFilter {
                    event_type: input.opt_string("type", 1..=100),
                    aggregate_type: input.opt_string("aggregate_type", 1..=100),
                    correlation_id: input.opt_string("correlation_id", 1..=128),
                }
            })?;
        let page = request.page()?;
        let events = app
            .store()?
            .query_events(&filter, page.limit, page.cursor.as_deref())
            .await?;
        Ok(ApiResponse::ok(events))
    })
    .await
}
