//! The glue between a route's JWT authorizer ([`crate::auth`]) and the gateway: the key to
//! verify with, and the refusal answered when a request does not pass.

use crate::auth::{self, JwtContext};
use crate::devkey::DevKey;
use crate::template::RouteAuth;

use super::{Gateway, HttpRequest, HttpResponse};

impl Gateway {
    /// The route's authorizer on `request`: what it passes on, or the answer that refuses it.
    pub(super) fn authorize(
        &self,
        request: &HttpRequest,
        auth: &RouteAuth,
    ) -> Result<JwtContext, (HttpResponse, String)> {
        let key = match &self.key {
            Some(key) => key.clone(),
            None => DevKey::shared().map_err(|e| {
                tracing::error!("JWT authorizer: {e}");
                (
                    HttpResponse::message(500, "Internal Server Error"),
                    e.to_string(),
                )
            })?,
        };
        let refusal = match auth::token_of(&request.headers, &auth.authorizer.header) {
            None => auth::Refusal::Missing,
            Some(token) => match auth::verify(token, auth, &key, crate::token::now()) {
                Ok(context) => return Ok(context),
                Err(refusal) => refusal,
            },
        };
        Err((
            refusal.response(&request.correlation_id()),
            refusal.message(),
        ))
    }
}
