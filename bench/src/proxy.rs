//! A TCP proxy in front of moto that measures how long the server was busy: for each
//! connection, from the first byte of a request to the last byte of its response. The cold
//! start's first invocation is reported with and without that DynamoDB time.

use std::sync::atomic::{AtomicU64, Ordering};
use std::sync::{Arc, Mutex};
use std::time::{Duration, Instant};
use tokio::io::{AsyncReadExt, AsyncWriteExt};
use tokio::net::tcp::{OwnedReadHalf, OwnedWriteHalf};
use tokio::net::{TcpListener, TcpStream};

#[derive(Debug, Default)]
pub struct Busy {
    nanos: AtomicU64,
    requests: AtomicU64,
}

impl Busy {
    /// DynamoDB time and requests so far.
    pub fn read(&self) -> (Duration, u64) {
        (
            Duration::from_nanos(self.nanos.load(Ordering::SeqCst)),
            self.requests.load(Ordering::SeqCst),
        )
    }
}

/// One request/response exchange on a connection.
#[derive(Default)]
struct Exchange {
    started: Option<Instant>,
    last_response: Option<Instant>,
}

impl Exchange {
    /// Closes the exchange in progress, if any, adding its time to `busy`.
    fn settle(&mut self, busy: &Busy) {
        if let (Some(start), Some(end)) = (self.started, self.last_response) {
            let nanos = end.saturating_duration_since(start).as_nanos() as u64;
            busy.nanos.fetch_add(nanos, Ordering::SeqCst);
            busy.requests.fetch_add(1, Ordering::SeqCst);
        }
        self.started = None;
        self.last_response = None;
    }
}

/// Listens on a free loopback port and forwards to `target`; returns the port.
pub async fn start(target: u16, busy: Arc<Busy>) -> u16 {
    let listener = TcpListener::bind("127.0.0.1:0").await.expect("proxy port");
    let port = listener.local_addr().expect("proxy address").port();
    tokio::spawn(async move {
        while let Ok((client, _)) = listener.accept().await {
            let busy = busy.clone();
            tokio::spawn(async move {
                if let Ok(server) = TcpStream::connect(("127.0.0.1", target)).await {
                    relay(client, server, busy).await;
                }
            });
        }
    });
    port
}

async fn relay(client: TcpStream, server: TcpStream, busy: Arc<Busy>) {
    let _ = client.set_nodelay(true);
    let _ = server.set_nodelay(true);
    let (client_read, client_write) = client.into_split();
    let (server_read, server_write) = server.into_split();
    // Held for a few instructions, never across an await.
    let exchange = Mutex::new(Exchange::default());
    let upstream = pump(client_read, server_write, || {
        let mut exchange = exchange.lock().expect("exchange lock");
        // Request bytes after a response began: a new request on the connection.
        if exchange.last_response.is_some() {
            exchange.settle(&busy);
        }
        exchange.started.get_or_insert_with(Instant::now);
    });
    let downstream = pump(server_read, client_write, || {
        exchange.lock().expect("exchange lock").last_response = Some(Instant::now());
    });
    tokio::join!(upstream, downstream);
    exchange.lock().expect("exchange lock").settle(&busy);
}

/// Passes bytes from `from` on to `to` until either side closes, calling `arrived` as each
/// chunk arrives (before it is passed on); then closes `to`.
async fn pump(mut from: OwnedReadHalf, mut to: OwnedWriteHalf, mut arrived: impl FnMut()) {
    let mut buffer = vec![0u8; 64 * 1024];
    loop {
        let n = match from.read(&mut buffer).await {
            Ok(0) | Err(_) => break,
            Ok(n) => n,
        };
        arrived();
        if to.write_all(&buffer[..n]).await.is_err() {
            break;
        }
    }
    let _ = to.shutdown().await;
}
