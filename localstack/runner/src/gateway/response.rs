//! The HTTP response API Gateway makes of a function's answer (payload format 2.0): a
//! structured answer (`statusCode`, `headers`, `multiValueHeaders`, `cookies`, `body`), a bare
//! JSON value (a 200), or the gateway's own 500 and 503.

use base64::engine::general_purpose::STANDARD as BASE64;
use base64::Engine;
use serde_json::{json, Value};

use crate::invoke::Invocation;

/// An HTTP response to send back.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct HttpResponse {
    pub status: u16,
    pub headers: Vec<(String, String)>,
    pub body: Vec<u8>,
}

impl HttpResponse {
    pub fn message(status: u16, message: &str) -> Self {
        Self {
            status,
            headers: vec![("content-type".into(), "application/json".into())],
            body: json!({ "message": message }).to_string().into_bytes(),
        }
    }

    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers
            .iter()
            .find(|(n, _)| n.eq_ignore_ascii_case(name))
            .map(|(_, v)| v.as_str())
    }
}

fn text_of(value: &Value) -> Option<String> {
    match value {
        Value::String(s) => Some(s.clone()),
        Value::Number(n) => Some(n.to_string()),
        Value::Bool(b) => Some(b.to_string()),
        _ => None,
    }
}

/// The HTTP response API Gateway makes of a function's answer (payload format 2.0).
pub fn response_of(invocation: &Invocation) -> HttpResponse {
    let payload = match invocation {
        Invocation::Ok(payload) => payload,
        Invocation::Timeout => return HttpResponse::message(503, "Service Unavailable"),
        Invocation::FunctionError(_) | Invocation::Unreachable(_) => {
            return HttpResponse::message(500, "Internal Server Error")
        }
    };
    let value: Value = match serde_json::from_slice(payload) {
        Ok(value) => value,
        Err(_) => return HttpResponse::message(500, "Internal Server Error"),
    };
    let Some(status) = value.get("statusCode") else {
        // Not a structured response: the payload itself is the JSON body of a 200.
        return HttpResponse {
            status: 200,
            headers: vec![("content-type".into(), "application/json".into())],
            body: payload.clone(),
        };
    };
    let Some(status) = text_of(status)
        .and_then(|s| s.parse::<u16>().ok())
        .filter(|s| (100..=599).contains(s))
    else {
        return HttpResponse::message(500, "Internal Server Error");
    };
    let mut headers: Vec<(String, String)> = vec![];
    let multi = value
        .get("multiValueHeaders")
        .and_then(Value::as_object)
        .cloned()
        .unwrap_or_default();
    for (name, values) in &multi {
        for v in values.as_array().into_iter().flatten().filter_map(text_of) {
            headers.push((name.to_ascii_lowercase(), v));
        }
    }
    if let Some(single) = value.get("headers").and_then(Value::as_object) {
        for (name, v) in single {
            let lower = name.to_ascii_lowercase();
            if multi.keys().any(|m| m.eq_ignore_ascii_case(name)) {
                continue;
            }
            if let Some(v) = text_of(v) {
                headers.push((lower, v));
            }
        }
    }
    for cookie in value
        .get("cookies")
        .and_then(Value::as_array)
        .into_iter()
        .flatten()
        .filter_map(text_of)
    {
        headers.push(("set-cookie".into(), cookie));
    }
    let body = match value.get("body") {
        None | Some(Value::Null) => vec![],
        Some(body) => {
            let text = text_of(body).unwrap_or_else(|| body.to_string());
            if value.get("isBase64Encoded").and_then(Value::as_bool) == Some(true) {
                match BASE64.decode(text.as_bytes()) {
                    Ok(bytes) => bytes,
                    Err(_) => return HttpResponse::message(500, "Internal Server Error"),
                }
            } else {
                text.into_bytes()
            }
        }
    };
    HttpResponse {
        status,
        headers,
        body,
    }
}
