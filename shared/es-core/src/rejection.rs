//! Why a command was refused, in terms any transport can map (SPEC §2 error model).

use serde::Serialize;

use crate::validation::FieldProblem;

/// The class of a refusal. Each maps to one HTTP status; none of them is a server error.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize)]
#[serde(rename_all = "snake_case")]
pub enum RejectionKind {
    /// 400: malformed or invalid input; `details` lists every problem.
    InvalidInput,
    /// 401: no token, or one that is malformed, expired or wrongly signed (SPEC §7).
    Unauthenticated,
    /// 403: a valid token whose role, or bound subject, does not allow the request.
    Forbidden,
    /// 404: the resource does not exist.
    NotFound,
    /// 405: the resource exists but not with this method.
    MethodNotAllowed,
    /// 409: a duplicate, or a concurrent change that survived the retries.
    Conflict,
    /// 412: `If-Match` named a version the stream has moved past.
    PreconditionFailed,
    /// 413: the body is over the size the API accepts.
    PayloadTooLarge,
    /// 422: a business rule refused the command; `code` names the rule.
    BusinessRule,
}

impl RejectionKind {
    pub fn http_status(self) -> u16 {
        match self {
            Self::InvalidInput => 400,
            Self::Unauthenticated => 401,
            Self::Forbidden => 403,
            Self::NotFound => 404,
            Self::MethodNotAllowed => 405,
            Self::Conflict => 409,
            Self::PreconditionFailed => 412,
            Self::PayloadTooLarge => 413,
            Self::BusinessRule => 422,
        }
    }
}

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Rejection {
    #[serde(skip)]
    pub kind: RejectionKind,
    pub code: String,
    pub message: String,
    pub details: Vec<FieldProblem>,
}

impl Rejection {
    pub fn new(kind: RejectionKind, code: impl Into<String>, message: impl Into<String>) -> Self {
        Self {
            kind,
            code: code.into(),
            message: message.into(),
            details: Vec::new(),
        }
    }

    pub fn not_found(what: &str, id: &str) -> Self {
        Self::new(
            RejectionKind::NotFound,
            "not_found",
            format!("{what} {id} does not exist"),
        )
    }

    pub fn rule(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(RejectionKind::BusinessRule, code, message)
    }

    pub fn conflict(code: impl Into<String>, message: impl Into<String>) -> Self {
        Self::new(RejectionKind::Conflict, code, message)
    }

    /// The SPEC §2 error body: `{"error": {code, message, details}}`.
    pub fn body(&self) -> serde_json::Value {
        serde_json::json!({ "error": self })
    }
}
