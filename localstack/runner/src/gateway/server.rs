//! The gateway served over HTTP with axum: a request read whole (up to [`MAX_BODY_BYTES`]),
//! handled by the [`Gateway`], its answer written back.

use std::net::SocketAddr;
use std::sync::Arc;

use axum::body::Body;
use axum::extract::{ConnectInfo, State};
use axum::http::{HeaderName, HeaderValue, Request, Response, StatusCode};

use super::{Gateway, HttpRequest, HttpResponse, MAX_BODY_BYTES};

async fn axum_handler(
    State(gateway): State<Arc<GatewayState>>,
    ConnectInfo(peer): ConnectInfo<SocketAddr>,
    request: Request<Body>,
) -> Response<Body> {
    let (parts, body) = request.into_parts();
    let body = match axum::body::to_bytes(body, MAX_BODY_BYTES).await {
        Ok(bytes) => bytes.to_vec(),
        Err(_) => return to_axum(HttpResponse::message(413, "Request Entity Too Large")),
    };
    let headers = parts
        .headers
        .iter()
        .map(|(name, value)| {
            (
                name.as_str().to_ascii_lowercase(),
                String::from_utf8_lossy(value.as_bytes()).into_owned(),
            )
        })
        .collect();
    let request = HttpRequest {
        method: parts.method.as_str().to_string(),
        path: parts.uri.path().to_string(),
        query: parts.uri.query().unwrap_or("").to_string(),
        headers,
        body,
        source_ip: peer.ip().to_string(),
    };
    to_axum(gateway.gateway.handle(request, gateway.port).await)
}

fn to_axum(response: HttpResponse) -> Response<Body> {
    let mut out = Response::new(Body::from(response.body));
    *out.status_mut() = StatusCode::from_u16(response.status).unwrap_or(StatusCode::BAD_GATEWAY);
    for (name, value) in response.headers {
        if let (Ok(name), Ok(value)) = (
            HeaderName::from_bytes(name.as_bytes()),
            HeaderValue::from_str(&value),
        ) {
            // Framing is the server's business.
            if name == "content-length" || name == "transfer-encoding" || name == "connection" {
                continue;
            }
            out.headers_mut().append(name, value);
        }
    }
    out
}

struct GatewayState {
    gateway: Gateway,
    port: u16,
}

/// Serves the gateway on `listener` until `shutdown` completes.
pub async fn serve(
    listener: tokio::net::TcpListener,
    gateway: Gateway,
    shutdown: impl std::future::Future<Output = ()> + Send + 'static,
) -> std::io::Result<()> {
    let port = listener.local_addr()?.port();
    let state = Arc::new(GatewayState { gateway, port });
    let app = axum::Router::new().fallback(axum_handler).with_state(state);
    axum::serve(
        listener,
        app.into_make_service_with_connect_info::<SocketAddr>(),
    )
    .with_graceful_shutdown(shutdown)
    .await
}
