//! The whole of a `project-*` function: its `main` is one line naming its view and the
//! environment variable of its table, like the other functions' (`event_consumer::main!`,
//! `http_api::main!`):
//!
//! ```ignore
//! projection::main!(RadarView, RADARS_TABLE);
//! projection::main!(joined: OrderView, ORDERS_TABLE, ReportsTable::from_env);
//! ```
//!
//! A projection appends nothing, so it needs no `source` name; its metrics name the function
//! from the runtime (`metrics::function_name`).

use aws_sdk_dynamodb::Client;

use crate::error::ProjectionError;
use crate::joined::{Companion, JoinProjector, JoinedView};
use crate::projector::Projector;
use crate::view::View;

/// Runs an SQS-triggered projection: every envelope of the queue through
/// [`Projector::<V>::project`](Projector::project), onto the table named by the environment
/// variable `table_var` (gaps filled from `EVENTS_TABLE`). Failed messages are reported
/// alone, so that only they are retried and then dead-lettered.
pub async fn run<V: View>(table_var: &str) -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let projector = Projector::<V>::from_env(client().await, table_var)?;
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}

/// Like [`run`], for a joined view through [`JoinProjector`], its item's changes committed
/// with the writes of the companion that `companion` makes from the DynamoDB client.
pub async fn run_joined<V, C>(
    table_var: &str,
    companion: impl FnOnce(Client) -> Result<C, ProjectionError>,
) -> Result<(), lambda_runtime::Error>
where
    V: JoinedView,
    C: Companion<V>,
{
    event_consumer::init_tracing();
    let client = client().await;
    let projector =
        JoinProjector::<V>::from_env(client.clone(), table_var)?.with_companion(companion(client)?);
    let projector = &projector;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        projector.project(&envelope).await.map(drop)
    })
    .await
}

async fn client() -> Client {
    Client::new(&event_consumer::sdk_config().await)
}

/// `main` of a projection function: [`run`] for a view of one stream per item, or with
/// `joined:` [`run_joined`] for a joined view and the function that makes its companion from
/// the DynamoDB client.
#[macro_export]
macro_rules! main {
    (joined: $view:ty, $table_var:expr, $companion:expr) => {
        fn main() -> ::core::result::Result<(), $crate::__private::lambda_runtime::Error> {
            $crate::__private::event_consumer::block_on($crate::run_joined::<$view, _>(
                $table_var, $companion,
            ))
        }
    };
    ($view:ty, $table_var:expr) => {
        fn main() -> ::core::result::Result<(), $crate::__private::lambda_runtime::Error> {
            $crate::__private::event_consumer::block_on($crate::run::<$view>($table_var))
        }
    };
}
