//! A stand-in for Lambda's runtime API (the endpoints a custom runtime calls), enough for one
//! cold start: the first `GET …/invocation/next` gets the event, its `…/response` (or
//! `…/error`) is recorded, and the second `/next` is left waiting, the function then idle as it
//! would be in Lambda, so that its peak memory can be read before it is stopped.

use std::sync::Arc;
use std::time::Instant;
use tokio::io::{AsyncBufReadExt, AsyncReadExt, AsyncWriteExt, BufReader};
use tokio::net::{TcpListener, TcpStream};
use tokio::sync::{watch, Mutex};

use crate::proxy::Busy;

const NEXT: &str = "/2018-06-01/runtime/invocation/next";
const INVOCATION: &str = "/2018-06-01/runtime/invocation/";
const INIT_ERROR: &str = "/2018-06-01/runtime/init/error";
pub const REQUEST_ID: &str = "8476a536-e9f4-11e8-9739-2dfe598c3fcd";

/// What the stub saw of one cold start, with the DynamoDB time (from the proxy) at each point.
#[derive(Debug, Default, Clone)]
pub struct Seen {
    pub first_next: Option<Instant>,
    pub event_sent: Option<(Instant, std::time::Duration, u64)>,
    pub answered: Option<(Instant, std::time::Duration, u64)>,
    /// `response`, `error` or `init/error`, and the body.
    pub answer: Option<(String, String)>,
    /// The function asked for its second event: it is idle.
    pub idle: bool,
}

pub struct Stub {
    pub port: u16,
    pub seen: watch::Receiver<Seen>,
}

/// Serves the runtime API for one cold start, handing out `event`.
pub async fn start(event: Vec<u8>, busy: Arc<Busy>) -> Stub {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("stub port");
    let port = listener.local_addr().expect("stub address").port();
    let (sender, seen) = watch::channel(Seen::default());
    let shared = Arc::new((Mutex::new(false), sender, event, busy));
    tokio::spawn(async move {
        while let Ok((stream, _)) = listener.accept().await {
            tokio::spawn(serve(stream, shared.clone()));
        }
    });
    Stub { port, seen }
}

type Shared = Arc<(Mutex<bool>, watch::Sender<Seen>, Vec<u8>, Arc<Busy>)>;

async fn serve(stream: TcpStream, shared: Shared) {
    let _ = stream.set_nodelay(true);
    let (read, mut write) = stream.into_split();
    let mut read = BufReader::new(read);
    loop {
        let Some((method, path, body)) = request(&mut read).await else {
            return;
        };
        let (handed_out, seen, event, busy) = (&shared.0, &shared.1, &shared.2, &shared.3);
        if method == "GET" && path == NEXT {
            let first = !std::mem::replace(&mut *handed_out.lock().await, true);
            if !first {
                seen.send_modify(|s| s.idle = true);
                // Never answered: the function waits here until it is stopped.
                std::future::pending::<()>().await;
            }
            seen.send_modify(|s| s.first_next = Some(Instant::now()));
            let headers = format!(
                "Lambda-Runtime-Aws-Request-Id: {REQUEST_ID}\r\n\
                 Lambda-Runtime-Deadline-Ms: {}\r\n\
                 Lambda-Runtime-Invoked-Function-Arn: arn:aws:lambda:us-east-1:123456789012:function:bench\r\n\
                 Lambda-Runtime-Trace-Id: Root=1-5bef4de7-ad49b0e87f6ef6c87fc2e700;Parent=9a9197af755a6419;Sampled=1\r\n\
                 Content-Type: application/json\r\n",
                deadline_ms()
            );
            let (time, requests) = busy.read();
            seen.send_modify(|s| s.event_sent = Some((Instant::now(), time, requests)));
            if respond(&mut write, "200 OK", &headers, event)
                .await
                .is_err()
            {
                return;
            }
        } else if method == "POST" && (path.starts_with(INVOCATION) || path == INIT_ERROR) {
            let kind = if path == INIT_ERROR {
                "init/error"
            } else if path.ends_with("/response") {
                "response"
            } else {
                "error"
            };
            let (time, requests) = busy.read();
            let text = String::from_utf8_lossy(&body).into_owned();
            seen.send_modify(|s| {
                s.answered = Some((Instant::now(), time, requests));
                s.answer = Some((kind.into(), text));
            });
            let body = br#"{"status":"OK"}"#;
            if respond(
                &mut write,
                "202 Accepted",
                "Content-Type: application/json\r\n",
                body,
            )
            .await
            .is_err()
            {
                return;
            }
        } else if respond(&mut write, "404 Not Found", "", b"").await.is_err() {
            return;
        }
    }
}

fn deadline_ms() -> u128 {
    let now = std::time::SystemTime::now()
        .duration_since(std::time::UNIX_EPOCH)
        .unwrap_or_default();
    (now + std::time::Duration::from_secs(30)).as_millis()
}

/// One HTTP/1.1 request: method, path, body (Content-Length or chunked).
async fn request(
    read: &mut BufReader<tokio::net::tcp::OwnedReadHalf>,
) -> Option<(String, String, Vec<u8>)> {
    let mut line = String::new();
    if read.read_line(&mut line).await.ok()? == 0 {
        return None;
    }
    let mut parts = line.split_whitespace();
    let method = parts.next()?.to_owned();
    let path = parts.next()?.to_owned();
    let mut length = 0usize;
    let mut chunked = false;
    loop {
        let mut header = String::new();
        if read.read_line(&mut header).await.ok()? == 0 {
            return None;
        }
        let header = header.trim_end();
        if header.is_empty() {
            break;
        }
        let (name, value) = header.split_once(':')?;
        let value = value.trim();
        if name.eq_ignore_ascii_case("content-length") {
            length = value.parse().ok()?;
        } else if name.eq_ignore_ascii_case("transfer-encoding") && value.contains("chunked") {
            chunked = true;
        }
    }
    let mut body = Vec::new();
    if chunked {
        loop {
            let mut size = String::new();
            read.read_line(&mut size).await.ok()?;
            let size = usize::from_str_radix(size.trim().split(';').next()?, 16).ok()?;
            let mut chunk = vec![0u8; size + 2];
            read.read_exact(&mut chunk).await.ok()?;
            if size == 0 {
                break;
            }
            body.extend_from_slice(&chunk[..size]);
        }
    } else {
        body.resize(length, 0);
        read.read_exact(&mut body).await.ok()?;
    }
    Some((method, path, body))
}

async fn respond(
    write: &mut tokio::net::tcp::OwnedWriteHalf,
    status: &str,
    headers: &str,
    body: &[u8],
) -> std::io::Result<()> {
    let head = format!(
        "HTTP/1.1 {status}\r\n{headers}Content-Length: {}\r\n\r\n",
        body.len()
    );
    write.write_all(head.as_bytes()).await?;
    write.write_all(body).await?;
    write.flush().await
}
