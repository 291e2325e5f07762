use lambda_http::http::{HeaderName, HeaderValue, StatusCode};
use lambda_http::{Body, Response};
use serde::Serialize;
use serde_json::Value;

/// A successful answer: status, JSON body and the headers SPEC §2 asks for.
#[derive(Debug, Clone)]
pub struct ApiResponse {
    status: u16,
    body: Value,
    headers: Vec<(HeaderName, String)>,
}

impl ApiResponse {
    pub fn json(status: u16, body: impl Serialize) -> Self {
        Self {
            status,
            body: serde_json::to_value(body).unwrap_or(Value::Null),
            headers: Vec::new(),
        }
    }

    pub fn ok(body: impl Serialize) -> Self {
        Self::json(200, body)
    }

    pub fn created(body: impl Serialize, location: String) -> Self {
        Self::json(201, body).header(lambda_http::http::header::LOCATION, location)
    }

    pub fn accepted(body: impl Serialize) -> Self {
        Self::json(202, body)
    }

    /// The answer to a command: `{<id_field>: id, "version": v}` with the version as ETag.
    pub fn version(id_field: &str, id: impl Serialize, version: u64) -> Self {
        Self::ok(serde_json::json!({ id_field: id, "version": version })).etag(version)
    }

    /// The answer to a command that created an aggregate: 201, `{<id_field>: id, "version": v}`,
    /// its `location` and the version as ETag.
    pub fn created_version(
        id_field: &str,
        id: impl Serialize,
        location: String,
        version: u64,
    ) -> Self {
        let answer = Self::version(id_field, id, version);
        Self {
            status: 201,
            ..answer
        }
        .header(lambda_http::http::header::LOCATION, location)
    }

    /// The aggregate's version as an ETag, for `If-Match` on the next command.
    pub fn etag(self, version: u64) -> Self {
        self.header(lambda_http::http::header::ETAG, format!("\"{version}\""))
    }

    pub fn header(mut self, name: HeaderName, value: String) -> Self {
        self.headers.push((name, value));
        self
    }

    /// A list's `next_cursor`, made tamper-evident for the list it belongs to.
    pub(crate) fn with_sealed_cursor(mut self, list: &crate::cursor::CursorScope) -> Self {
        if let Some(Value::String(cursor)) = self.body.get_mut("next_cursor") {
            *cursor = list.seal(cursor);
        }
        self
    }

    pub fn status(&self) -> u16 {
        self.status
    }

    pub fn body(&self) -> &Value {
        &self.body
    }

    /// The headers set so far (not the ones every answer gets), e.g. for a replay.
    pub(crate) fn headers(&self) -> &[(HeaderName, String)] {
        &self.headers
    }

    pub(crate) fn into_lambda(self, correlation_id: &str) -> Response<Body> {
        let mut response = Response::new(Body::Text(self.body.to_string()));
        *response.status_mut() =
            StatusCode::from_u16(self.status).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let headers = response.headers_mut();
        headers.insert(
            lambda_http::http::header::CONTENT_TYPE,
            HeaderValue::from_static("application/json"),
        );
        if let Ok(value) = HeaderValue::from_str(correlation_id) {
            headers.insert(crate::CORRELATION_HEADER, value);
        }
        for (name, value) in self.headers {
            if let Ok(value) = HeaderValue::from_str(&value) {
                headers.insert(name, value);
            }
        }
        response
    }
}
