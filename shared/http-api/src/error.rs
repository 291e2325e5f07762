use es_core::{DomainError, Rejection, RejectionKind, ValidationError};
use event_store::{CommandError, StoreError};

/// Why a request did not succeed: a client error the SPEC names, or a failure of ours.
#[derive(Debug)]
pub enum ApiError {
    Rejected(Rejection),
    /// A 5xx. The message is logged, and the client sees a generic one.
    Internal(String),
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

    pub fn status(&self) -> u16 {
        match self {
            Self::Rejected(r) => r.kind.http_status(),
            Self::Internal(_) => 500,
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
            StoreError::BadCursor => Self::Rejected(Rejection {
                kind: RejectionKind::InvalidInput,
                code: "invalid_input".into(),
                message: "the cursor is not one this API returned".into(),
                details: vec![es_core::FieldProblem::new("cursor", "is not valid")],
            }),
            other => Self::Internal(other.to_string()),
        }
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
