//! Reading what you wrote (SPEC §8): `?min_version=N` on a single resource's `GET`.
//!
//! Read models are updated asynchronously; a command answers the `version` its stream reached.
//! With `?min_version=N` the query waits until the view has applied version N (polling its
//! item with a growing pause), up to [`MIN_VERSION_WAIT`]; a view still behind answers
//! `503 view_behind` with `Retry-After`, never an older state.

use std::time::{Duration, Instant};

use crate::{ApiError, ApiRequest};

/// How long a read waits for its view.
pub const MIN_VERSION_WAIT: Duration = Duration::from_secs(5);
/// What `Retry-After` suggests to a client whose view is still behind, in seconds.
const RETRY_AFTER_SECONDS: u64 = 1;

impl ApiRequest {
    /// `?min_version=`: a non-negative integer (a `version` a command answered).
    pub fn min_version(&self) -> Result<Option<u64>, ApiError> {
        self.query_input(&["min_version"], |input| {
            input.opt_version("min_version", 0)
        })
    }

    /// One resource read by `read` (the resource and the version of it its view holds),
    /// honouring `?min_version=`; `None` when it does not exist (and no version was asked for).
    pub async fn read_fresh<T, F, Fut>(&self, read: F) -> Result<Option<T>, ApiError>
    where
        F: Fn() -> Fut,
        Fut: std::future::Future<Output = Result<Option<(T, u64)>, ApiError>>,
    {
        let Some(wanted) = self.min_version()? else {
            return Ok(read().await?.map(|(found, _)| found));
        };
        let started = Instant::now();
        let mut pause = Duration::from_millis(25);
        loop {
            match read().await? {
                Some((found, version)) if version >= wanted => return Ok(Some(found)),
                _ if started.elapsed() + pause > MIN_VERSION_WAIT => {
                    return Err(ApiError::view_behind(wanted, RETRY_AFTER_SECONDS))
                }
                _ => {
                    tokio::time::sleep(pause).await;
                    pause = (pause * 2).min(Duration::from_millis(400));
                }
            }
        }
    }
}
