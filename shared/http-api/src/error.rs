use es_core::{DomainError, Rejection, ValidationError};
use event_store::{CommandError, StoreError};

/// Why a request did not succeed: a client error the SPEC names, or a failure of ours.
#[derive(Debug)]
pub enum ApiError {
    Rejected(Rejection),
    /// A 5xx. The message is logged, and the client sees a generic one.
    Internal(String),
    /// 503 `view_behind`: the read model has not applied the version asked for yet
    /// (`?min_version=`); `retry_after` seconds is a good time to ask again.
    ViewBehind {
        wanted: u64,
        retry_after: u64,
    },
}

impl ApiError {
    pub fn internal(message: impl Into<String>) -> Self {
        Self::Internal(message.into())
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::Rejected(Rejection::not_found(what, id))
    }

    pub fn invalid(field: &str, problem: &str) -> Self {
        ValidationError::single(field, problem).into()
    }

    pub fn view_behind(wanted: u64, retry_after: u64) -> Self {
        Self::ViewBehind {
            wanted,
            retry_after,
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            Self::Rejected(r) => r.kind.http_status(),
            Self::Internal(_) => 500,
            Self::ViewBehind { .. } => 503,
        }
    }

    /// Seconds a client should wait before it retries, for the answers that say so.
    pub fn retry_after(&self) -> Option<u64> {
        match self {
            Self::ViewBehind { retry_after, .. } => Some(*retry_after),
            _ => None,
        }
    }

    pub fn body(&self) -> serde_json::Value {
        match self {
            Self::Rejected(r) => r.body(),
            Self::Internal(_) => serde_json::json!({"error": {
                "code": "internal_error",
                "message": "the request could not be completed; it can be retried",
                "details": []
            }}),
            Self::ViewBehind { wanted, .. } => serde_json::json!({"error": {
                "code": "view_behind",
                "message": format!("the read model has not reached version {wanted} yet; retry shortly"),
                "details": [{"field": "min_version", "problem": "is ahead of the read model"}]
            }}),
        }
    }
}

impl From<Rejection> for ApiError {
    fn from(rejection: Rejection) -> Self {
        Self::Rejected(rejection)
    }
}

impl From<ValidationError> for ApiError {
    fn from(error: ValidationError) -> Self {
        Self::Rejected(error.rejection())
    }
}

impl<E: DomainError> From<CommandError<E>> for ApiError {
    fn from(error: CommandError<E>) -> Self {
        match error.rejection() {
            Some(rejection) => Self::Rejected(rejection),
            None => Self::Internal(error.to_string()),
        }
    }
}

impl From<StoreError> for ApiError {
    fn from(error: StoreError) -> Self {
        match error {
            StoreError::BadCursor => crate::invalid_cursor(),
            other => Self::Internal(other.to_string()),
        }
    }
}

/// A key-store failure is ours: a 5xx (its message names no personal data).
impl From<personal_data::KeyStoreError> for ApiError {
    fn from(error: personal_data::KeyStoreError) -> Self {
        Self::Internal(error.to_string())
    }
}

impl From<projection::ProjectionError> for ApiError {
    fn from(error: projection::ProjectionError) -> Self {
        match error {
            projection::ProjectionError::BadCursor => StoreError::BadCursor.into(),
            other => Self::Internal(other.to_string()),
        }
    }
}
