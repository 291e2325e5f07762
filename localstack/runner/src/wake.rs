//! What wakes the event source pollers, so that an idle local cloud sends (almost) nothing to
//! moto, which serves one request at a time.
//!
//! Work only appears where the runner can see it coming: a stream record is written by a
//! function the runner invoked (a command through the gateway, a consumer, a saga step), and a
//! message reaches a queue when a function with a sending policy returns (the stream publisher's
//! `PutEvents`, routed by EventBridge rules) or when the runner itself sends one (a stream
//! batch given up on, to its on-failure queue). [`WakingInvoker`] rings [`Wakes`] after every
//! invocation; a woken poller polls until its source answers empty, then sleeps until the next
//! wake, its own retry time, or its slow safety poll. The safety poll catches what the runner
//! cannot see: messages whose visibility timeout ran out after a runner was killed mid-batch,
//! a late write of an invocation the runner gave up waiting for, writes made from outside.

use std::collections::BTreeSet;
use std::sync::Arc;
use std::time::Duration;

use futures::future::BoxFuture;
use tokio::sync::watch;
use tokio::time::Instant;

use crate::invoke::{Invocation, Invoker};

/// The default pause of an idle poller between two safety polls. Five seconds: the idle cost
/// stays a few requests a second for the whole stack (one receive per queue and one stream read
/// per five seconds), and what only the safety poll finds (see the module) waits five seconds
/// at most, which is short next to the visibility timeouts it is about (a function's timeout
/// plus margins).
pub const SAFETY_POLL: Duration = Duration::from_secs(5);

/// The two bells: "a stream may have new records", "a queue may have new messages". Each is a
/// counter; a poller remembers the last value it saw, so a ring is never lost, and rings while
/// a poller is busy count once.
#[derive(Clone, Debug)]
pub struct Wakes {
    writes: Arc<watch::Sender<u64>>,
    messages: Arc<watch::Sender<u64>>,
}

impl Default for Wakes {
    fn default() -> Self {
        Self::new()
    }
}

impl Wakes {
    pub fn new() -> Self {
        Self {
            writes: Arc::new(watch::channel(0).0),
            messages: Arc::new(watch::channel(0).0),
        }
    }

    /// A function ran: it may have written stream records.
    pub fn wrote(&self) {
        self.writes.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// Messages may have been put on queues.
    pub fn sent(&self) {
        self.messages.send_modify(|n| *n = n.wrapping_add(1));
    }

    /// What a stream poller listens to.
    pub fn writes(&self) -> Wake {
        Wake(self.writes.subscribe())
    }

    /// What a queue poller listens to.
    pub fn messages(&self) -> Wake {
        Wake(self.messages.subscribe())
    }
}

/// One poller's ear.
#[derive(Debug)]
pub struct Wake(watch::Receiver<u64>);

impl Wake {
    /// Marks every ring so far as heard: called just before a poll, so a ring during the poll
    /// (work that poll may have missed) makes the next [`Wake::until`] return at once.
    pub fn heard(&mut self) {
        self.0.borrow_and_update();
    }

    /// Waits for a ring not yet heard, or until `deadline`. True when rung.
    pub async fn until(&mut self, deadline: Instant) -> bool {
        tokio::select! {
            changed = self.0.changed() => {
                if changed.is_err() {
                    // The bell is gone (the services stopped): the deadline only.
                    tokio::time::sleep_until(deadline).await;
                    return false;
                }
                true
            }
            _ = tokio::time::sleep_until(deadline) => false,
        }
    }
}

/// The safety poll of one poller, spread between 75 % and 125 % of `base` by `key` (its queue
/// or stream), so that the pollers do not all reach moto in the same instant.
pub fn spread(base: Duration, key: &str) -> Duration {
    // FNV-1a: stable across runs, no dependency.
    let hash = key.bytes().fold(0xcbf2_9ce4_8422_2325_u64, |h, b| {
        (h ^ u64::from(b)).wrapping_mul(0x0000_0100_0000_01b3)
    });
    base.mul_f64(0.75 + (hash % 1000) as f64 / 2000.0)
}

/// An [`Invoker`] that rings [`Wakes`] when an invocation returns (whatever its outcome: a
/// function that failed may have written before it did): the stream pollers after every
/// function, the queue pollers after the functions that may send messages.
pub struct WakingInvoker {
    pub inner: Arc<dyn Invoker>,
    pub wakes: Wakes,
    /// The functions whose role may put messages on a queue
    /// ([`crate::template::FunctionSpec::sends_messages`]).
    pub senders: BTreeSet<String>,
}

impl Invoker for WakingInvoker {
    fn invoke<'a>(
        &'a self,
        function: &'a str,
        payload: Vec<u8>,
        timeout: Duration,
    ) -> BoxFuture<'a, Invocation> {
        Box::pin(async move {
            let invocation = self.inner.invoke(function, payload, timeout).await;
            self.wakes.wrote();
            if self.senders.contains(function) {
                self.wakes.sent();
            }
            invocation
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn a_ring_during_a_poll_is_heard_after_it() {
        let wakes = Wakes::new();
        let mut wake = wakes.messages();
        let soon = || Instant::now() + Duration::from_millis(20);
        wake.heard();
        assert!(!wake.until(soon()).await, "nothing rang");
        // Rung twice while "polling": one wake, then quiet again.
        wakes.sent();
        wakes.sent();
        assert!(wake.until(soon()).await);
        wake.heard();
        assert!(!wake.until(soon()).await);
        // The other bell is another ear's.
        let mut writes = wakes.writes();
        wakes.wrote();
        assert!(!wake.until(soon()).await);
        assert!(writes.until(soon()).await);
    }

    #[test]
    fn safety_polls_are_spread_around_the_base() {
        let base = Duration::from_secs(4);
        let spread: BTreeSet<Duration> = ["A", "B", "CQueue", "DQueue", "E"]
            .iter()
            .map(|k| super::spread(base, k))
            .collect();
        assert!(spread.len() > 1);
        assert!(spread
            .iter()
            .all(|d| *d >= Duration::from_secs(3) && *d <= Duration::from_secs(5)));
    }
}
