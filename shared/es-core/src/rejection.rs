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

/// Implements [`DomainError`](crate::DomainError) for an error enum from one table: each
/// variant (or group of variants, `A | B`) with the [`RejectionKind`] and code it is refused
/// with. The message is always the error's `Display`, and a variant's fields play no part in
/// the mapping, so every domain error is presented to clients the same way.
///
/// ```
/// #[derive(Debug, thiserror::Error)]
/// enum LampError {
///     #[error("the lamp does not exist")]
///     NotFound,
///     #[error("the lamp is already on")]
///     AlreadyOn,
///     #[error("{watts} W is too bright")]
///     TooBright { watts: u32 },
/// }
///
/// es_core::rejections!(LampError {
///     NotFound => (NotFound, "not_found"),
///     AlreadyOn => (Conflict, "lamp_already_on"),
///     TooBright => (BusinessRule, "too_bright"),
/// });
///
/// use es_core::{DomainError, RejectionKind};
/// let rejection = LampError::TooBright { watts: 900 }.rejection();
/// assert_eq!(rejection.kind, RejectionKind::BusinessRule);
/// assert_eq!(rejection.code, "too_bright");
/// assert_eq!(rejection.message, "900 W is too bright");
/// ```
#[macro_export]
macro_rules! rejections {
    ($error:ty { $($($variant:ident)|+ => ($kind:ident, $code:literal)),+ $(,)? }) => {
        impl $crate::DomainError for $error {
            fn rejection(&self) -> $crate::Rejection {
                let (kind, code) = match self {
                    $($(Self::$variant { .. })|+ => ($crate::RejectionKind::$kind, $code),)+
                };
                $crate::Rejection::new(kind, code, self.to_string())
            }
        }
    };
}
