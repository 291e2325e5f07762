//! GET /owners: the owner views, paged; each owner's personal data revealed with its key
//! (one batch read for the page; `null` once erased, SPEC §7).

use event_store::Page;
use http_api::{serve, ApiResponse};
use registration_functions::{key_store_error, owner_subject, reveal_owner};
use traffic_views::{tables::env::OWNERS_TABLE, OwnerView};

#[tokio::main]
async fn main() -> Result<(), lambda_http::Error> {
    serve("list-owners", |app, request| async move {
        request.query_input(&[], |_| ())?;
        let page = request.page()?;
        let owners = app
            .view::<OwnerView>(OWNERS_TABLE)?
            .list(&[], page.limit, page.cursor.as_deref())
            .await?;
        let subjects: Vec<String> = owners
            .items
            .iter()
            .map(|owner| owner_subject(owner.owner_id))
            .collect();
        let keys = app
            .personal_data()?
            .load_many(&subjects)
            .await
            .map_err(key_store_error)?;
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
    })
    .await
}
