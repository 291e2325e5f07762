//! The HTTP side of every function, so that a function is: parse, call the core, map the
//! result.
//!
//! [`main!`] is an HTTP function's whole `main`. It [`serve`]s the handler under
//! `lambda_http`: reads the API Gateway request into an [`ApiRequest`], gives the handler the
//! shared [`App`] (SDK clients built once per cold start), and turns its
//! `Result<ApiResponse, ApiError>` into the SPEC §2 response, with the `X-Correlation-Id`
//! header on every answer, errors included. Before the handler runs, the request is
//! authorized against its route's rule in [`access`] (SPEC §7). A `POST` with an
//! `Idempotency-Key` then runs at most once per key ([`idempotency`], SPEC §8).

pub mod access;
mod app;
mod authorize;
mod cursor;
mod error;
mod freshness;
pub mod idempotency;
mod request;
mod response;
mod serve;

pub use app::{App, FoundView};
pub use authorize::{forbidden, unauthenticated};
pub use cursor::{invalid_cursor, CURSOR_SECRET};
pub use error::ApiError;
pub use freshness::MIN_VERSION_WAIT;
pub use request::{ApiRequest, PageRequest, MAX_BODY_BYTES};
pub use response::ApiResponse;
#[doc(hidden)]
pub use serve::respond_with;
pub use serve::{run, serve};

/// For [`main!`]'s expansion, which must not count on the binary naming `lambda_http`.
#[doc(hidden)]
pub use lambda_http;

/// The header that carries a correlation id in and out.
pub const CORRELATION_HEADER: &str = "x-correlation-id";
