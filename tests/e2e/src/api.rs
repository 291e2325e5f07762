use reqwest::Method;
use serde_json::Value;

/// A client of the product's HTTP API.
#[derive(Clone)]
pub struct Api {
    client: reqwest::Client,
    pub base: String,
    /// Sent as `Authorization: Bearer <token>` unless a call sets its own `authorization`.
    token: Option<String>,
}

/// One answer: status, headers, and the body as JSON (`null` when empty or not JSON).
#[derive(Debug, Clone)]
pub struct Reply {
    pub status: u16,
    pub headers: reqwest::header::HeaderMap,
    pub body: Value,
}

/// The `field` of each item of a list, where it is a string.
pub fn strings<'a>(items: &'a [Value], field: &str) -> Vec<&'a str> {
    items
        .iter()
        .filter_map(|item| item[field].as_str())
        .collect()
}

impl Reply {
    pub fn header(&self, name: &str) -> Option<&str> {
        self.headers.get(name).and_then(|v| v.to_str().ok())
    }

    /// The id the body holds in `id_field`, the answer being `status` (else the test fails).
    pub fn id(&self, status: u16, id_field: &str) -> String {
        assert_eq!(self.status, status, "{}", self.body);
        self.body[id_field].as_str().unwrap().to_owned()
    }

    /// The `error.code` of a SPEC §2 error body.
    pub fn code(&self) -> &str {
        self.body["error"]["code"].as_str().unwrap_or_default()
    }

    /// The fields named in `error.details`, sorted.
    pub fn problem_fields(&self) -> Vec<String> {
        let mut fields: Vec<String> = self.body["error"]["details"]
            .as_array()
            .map(|d| {
                d.iter()
                    .filter_map(|p| p["field"].as_str().map(str::to_owned))
                    .collect()
            })
            .unwrap_or_default();
        fields.sort();
        fields
    }
}

impl Api {
    pub fn new(base: &str) -> Self {
        Self {
            client: reqwest::Client::builder()
                .timeout(std::time::Duration::from_secs(60))
                .build()
                .expect("http client"),
            base: base.trim_end_matches('/').to_owned(),
            token: None,
        }
    }

    /// The same API, called with `token` (SPEC §7).
    pub fn with_token(&self, token: &str) -> Self {
        Self {
            token: Some(token.to_owned()),
            ..self.clone()
        }
    }

    /// The same API, called without a token.
    pub fn anonymous(&self) -> Self {
        Self {
            token: None,
            ..self.clone()
        }
    }

    pub async fn send(
        &self,
        method: Method,
        path: &str,
        body: Option<&str>,
        headers: &[(&str, &str)],
    ) -> Result<Reply, reqwest::Error> {
        let mut request = self.client.request(method, format!("{}{path}", self.base));
        let sets_its_own = headers
            .iter()
            .any(|(name, _)| name.eq_ignore_ascii_case("authorization"));
        if let (Some(token), false) = (&self.token, sets_its_own) {
            request = request.bearer_auth(token);
        }
        for (name, value) in headers {
            request = request.header(*name, *value);
        }
        if let Some(body) = body {
            request = request
                .header("content-type", "application/json")
                .body(body.to_owned());
        }
        let response = request.send().await?;
        let status = response.status().as_u16();
        let headers = response.headers().clone();
        let text = response.text().await?;
        Ok(Reply {
            status,
            headers,
            body: serde_json::from_str(&text).unwrap_or(Value::Null),
        })
    }

    /// Sends and panics on a transport error: scenarios assert on replies.
    pub async fn call(
        &self,
        method: Method,
        path: &str,
        body: Option<Value>,
        headers: &[(&str, &str)],
    ) -> Reply {
        let body = body.map(|b| b.to_string());
        self.send(method.clone(), path, body.as_deref(), headers)
            .await
            .unwrap_or_else(|e| panic!("{method} {path}: {e}"))
    }

    pub async fn get(&self, path: &str) -> Reply {
        self.call(Method::GET, path, None, &[]).await
    }

    pub async fn post(&self, path: &str, body: Value) -> Reply {
        self.call(Method::POST, path, Some(body), &[]).await
    }

    pub async fn put(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PUT, path, Some(body), &[]).await
    }

    pub async fn patch(&self, path: &str, body: Value) -> Reply {
        self.call(Method::PATCH, path, Some(body), &[]).await
    }

    pub async fn delete(&self, path: &str) -> Reply {
        self.call(Method::DELETE, path, None, &[]).await
    }

    /// `GET /aggregates/{aggregate_type}/{id}/state` (SPEC §5): the state as of now (`query`
    /// empty), or as of `at_version=…` / `at_time=…`.
    pub async fn aggregate_state(&self, aggregate_type: &str, id: &str, query: &str) -> Reply {
        let path = format!("/aggregates/{aggregate_type}/{id}/state");
        match query {
            "" => self.get(&path).await,
            query => self.get(&format!("{path}?{query}")).await,
        }
    }

    /// The answer of `GET path` once it satisfies `ready`, polled until `deadline` (then the
    /// test panics): read models are updated asynchronously.
    pub async fn until(
        &self,
        path: &str,
        deadline: std::time::Duration,
        ready: impl Fn(&Reply) -> bool,
    ) -> Reply {
        crate::eventually(path, deadline, || async {
            let reply = self.get(path).await;
            ready(&reply).then_some(reply)
        })
        .await
    }

    /// Every event appended under `correlation_id` (SPEC §5 `GET /events`).
    pub async fn events_of(&self, correlation_id: &str) -> Vec<Value> {
        self.all_items(&format!("/events?correlation_id={correlation_id}"))
            .await
    }

    /// Sends a request the API must refuse with `status` and `code`, under a correlation id of
    /// its own (`correlation_prefix-<uuid>`), and checks that it appended nothing; the reply
    /// and that correlation id.
    pub async fn refused_appending_nothing(
        &self,
        (status, code): (u16, &str),
        (method, path, body): (Method, &str, Option<&str>),
        headers: &[(&str, &str)],
        correlation_prefix: &str,
    ) -> (Reply, String) {
        let correlation = format!("{correlation_prefix}-{}", uuid::Uuid::new_v4());
        let mut all_headers = headers.to_vec();
        all_headers.push(("x-correlation-id", &correlation));
        let reply = self
            .send(method.clone(), path, body, &all_headers)
            .await
            .unwrap();
        assert_eq!(
            (reply.status, reply.code()),
            (status, code),
            "{method} {path}: {}",
            reply.body
        );
        assert!(
            self.events_of(&correlation).await.is_empty(),
            "{method} {path} appended events"
        );
        (reply, correlation)
    }

    /// Every item of a list route, following `next_cursor`.
    pub async fn all_items(&self, path: &str) -> Vec<Value> {
        let separator = if path.contains('?') { '&' } else { '?' };
        let mut items = Vec::new();
        let mut cursor: Option<String> = None;
        loop {
            let url = match &cursor {
                Some(c) => format!("{path}{separator}limit=100&cursor={c}"),
                None => format!("{path}{separator}limit=100"),
            };
            let reply = self.get(&url).await;
            assert_eq!(reply.status, 200, "GET {url}: {}", reply.body);
            items.extend(reply.body["items"].as_array().cloned().unwrap_or_default());
            match reply.body["next_cursor"].as_str() {
                Some(next) => cursor = Some(next.to_owned()),
                None => return items,
            }
        }
    }
}
