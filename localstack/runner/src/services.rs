//! The running local cloud over a provisioned stack: the gateway, one task per event source
//! mapping and one per schedule, stopped together.

use std::path::PathBuf;
use std::sync::Arc;
use std::time::Duration;

use tokio::sync::watch;
use tokio::task::JoinSet;

use crate::aws::Clients;
use crate::checkpoint::CheckpointFile;
use crate::gateway::{self, Gateway};
use crate::invoke::Invoker;
use crate::local_metrics::LocalMetrics;
use crate::provision::Provisioned;
use crate::schedule::Scheduler;
use crate::sqs::QueuePoller;
use crate::stream::StreamPoller;
use crate::template::{Stack, StreamSource};
use crate::wake::{Wakes, WakingInvoker};
use crate::{Error, Result};

/// Everything the gateway and the pollers need.
pub struct Services {
    pub stack: Stack,
    pub provisioned: Provisioned,
    pub clients: Clients,
    pub invoker: Arc<dyn Invoker>,
    /// Where the stream checkpoints are kept, and the functions' logs the metrics are read
    /// from.
    pub state_dir: PathBuf,
    /// The pause of an idle poller that nothing woke ([`crate::wake::SAFETY_POLL`]).
    pub safety_poll: Duration,
    /// Rung after invocations; heard by the pollers.
    pub wakes: Wakes,
    /// Queue pollers hand every batch to their function twice, concurrently
    /// (`--deliver-twice`: idempotency tests).
    pub deliver_twice: bool,
}

/// The id of a stream mapping (names its checkpoint file).
pub fn stream_mapping_id(function: &str, table: &str) -> String {
    format!("{function}@{table}")
}

impl Services {
    /// The invoker every part uses: [`Self::invoker`] ringing [`Self::wakes`] after each
    /// invocation. Built once by [`Self::run`] and handed to every poller, schedule and the
    /// gateway.
    pub fn waking_invoker(&self) -> Arc<dyn Invoker> {
        Arc::new(WakingInvoker {
            inner: self.invoker.clone(),
            wakes: self.wakes.clone(),
            senders: self
                .stack
                .functions
                .iter()
                .filter(|f| f.sends_messages)
                .map(|f| f.name.clone())
                .collect(),
        })
    }

    /// The stream mappings' pollers, invoking through `invoker` (see [`Self::waking_invoker`]).
    pub fn stream_pollers(&self, invoker: &Arc<dyn Invoker>) -> Result<Vec<StreamPoller>> {
        let mut pollers = vec![];
        for function in &self.stack.functions {
            for source in function.stream_sources.iter() {
                if !source.enabled {
                    tracing::info!(function = %function.name, "stream source disabled");
                    continue;
                }
                let stream_arn = self
                    .provisioned
                    .stream_arns
                    .get(&source.table_name)
                    .cloned()
                    .ok_or_else(|| {
                        Error::new(format!(
                            "{}: table {} has no stream",
                            function.name, source.table_name
                        ))
                    })?;
                let on_failure_url = match &source.on_failure_arn {
                    None => None,
                    Some(arn) => {
                        let queue = self.stack.queue_by_arn(arn).ok_or_else(|| {
                            Error::new(format!(
                                "{}: on-failure destination {arn} is not a queue of the template",
                                function.name
                            ))
                        })?;
                        self.provisioned.queue_urls.get(&queue.name).cloned()
                    }
                };
                pollers.push(StreamPoller {
                    clients: self.clients.clone(),
                    invoker: invoker.clone(),
                    function: function.name.clone(),
                    function_arn: self.stack.context.function_arn(&function.name),
                    function_timeout: function.timeout,
                    mapping: StreamSource {
                        stream_arn,
                        ..source.clone()
                    },
                    on_failure_url,
                    checkpoints: CheckpointFile::new(
                        &self.state_dir,
                        &stream_mapping_id(&function.name, &source.table_name),
                    ),
                    wakes: self.wakes.clone(),
                    safety_poll: self.safety_poll,
                });
            }
        }
        Ok(pollers)
    }

    /// The queue mappings' pollers, invoking through `invoker` (see [`Self::waking_invoker`]).
    pub fn queue_pollers(&self, invoker: &Arc<dyn Invoker>) -> Result<Vec<QueuePoller>> {
        let mut pollers = vec![];
        for function in &self.stack.functions {
            for source in &function.sqs_sources {
                if !source.enabled {
                    tracing::info!(function = %function.name, "queue source disabled");
                    continue;
                }
                let queue = self.stack.queue_by_arn(&source.queue_arn).ok_or_else(|| {
                    Error::new(format!(
                        "{}: {} is not a queue of the template",
                        function.name, source.queue_arn
                    ))
                })?;
                let queue_url = self
                    .provisioned
                    .queue_urls
                    .get(&queue.name)
                    .cloned()
                    .ok_or_else(|| Error::new(format!("queue {} not provisioned", queue.name)))?;
                pollers.push(QueuePoller {
                    clients: self.clients.clone(),
                    invoker: invoker.clone(),
                    function: function.name.clone(),
                    function_timeout: function.timeout,
                    queue_name: queue.name.clone(),
                    queue_url,
                    queue_arn: source.queue_arn.clone(),
                    region: self.stack.context.region.clone(),
                    batch_size: source.batch_size,
                    reports_item_failures: source.report_batch_item_failures,
                    max_receive_count: queue.redrive.as_ref().map(|r| r.max_receive_count),
                    wakes: self.wakes.clone(),
                    safety_poll: self.safety_poll,
                    deliver_twice: self.deliver_twice,
                });
            }
        }
        Ok(pollers)
    }

    /// Every enabled schedule that has a period (a rate, or `--schedule-every`).
    pub fn schedulers(&self, invoker: &Arc<dyn Invoker>) -> Vec<Scheduler> {
        let mut schedulers = vec![];
        for function in &self.stack.functions {
            for schedule in function.schedules.iter().filter(|s| s.enabled) {
                let Some(every) = schedule.every else {
                    tracing::warn!(
                        function = %function.name,
                        "schedule {} not run: cron is not emulated (pass --schedule-every)",
                        schedule.expression
                    );
                    continue;
                };
                schedulers.push(Scheduler {
                    invoker: invoker.clone(),
                    function: function.name.clone(),
                    function_timeout: function.timeout,
                    schedule: schedule.clone(),
                    every,
                    region: self.stack.context.region.clone(),
                    account: self.stack.context.account.clone(),
                });
            }
        }
        schedulers
    }

    /// Serves the gateway on `listener` and runs every poller and schedule until `shutdown`
    /// turns true.
    pub async fn run(
        self,
        listener: tokio::net::TcpListener,
        shutdown: watch::Receiver<bool>,
    ) -> Result<()> {
        let invoker = self.waking_invoker();
        let mut tasks = JoinSet::new();
        for poller in self.stream_pollers(&invoker)? {
            let name = poller.function.clone();
            let shutdown = shutdown.clone();
            tasks.spawn(async move { (name, poller.run(shutdown).await) });
        }
        for poller in self.queue_pollers(&invoker)? {
            let name = poller.function.clone();
            let shutdown = shutdown.clone();
            tasks.spawn(async move { (name, poller.run(shutdown).await) });
        }
        let pollers = tasks.len();
        for scheduler in self.schedulers(&invoker) {
            let name = scheduler.function.clone();
            let shutdown = shutdown.clone();
            tasks.spawn(async move { (name, scheduler.run(shutdown).await) });
        }
        // The functions' metrics, from their logs in the state folder (`GET /_local/metrics`).
        let metrics = Arc::new(LocalMetrics::of_state_dir(&self.state_dir));
        tokio::spawn(metrics.clone().poll_until(shutdown.clone()));
        let gateway = Gateway::new(&self.stack, invoker).with_metrics(metrics);
        tracing::info!(
            "gateway: {} routes, {} pollers, {} schedules",
            gateway.routes.len(),
            pollers,
            tasks.len() - pollers
        );
        let mut stop = shutdown.clone();
        let served = gateway::serve(listener, gateway, async move {
            let _ = stop.wait_for(|stopped| *stopped).await;
        });
        let mut watch_pollers = shutdown.clone();
        let result = tokio::select! {
            served = served => served.map_err(|e| Error::new(format!("gateway: {e}"))),
            // A poller that stops with an error (its checkpoint unreadable, …) stops everything.
            Some(Ok((name, Err(e)))) = tasks.join_next(), if !tasks.is_empty() => {
                Err(Error::new(format!("poller of {name}: {e}")))
            }
            _ = watch_pollers.wait_for(|stopped| *stopped) => Ok(()),
        };
        // Pollers finish their batch (its checkpoint saved) or are dropped after a grace period:
        // an interrupted batch is delivered again (at least once, as on AWS).
        let grace = tokio::time::sleep(Duration::from_secs(3));
        tokio::pin!(grace);
        loop {
            tokio::select! {
                next = tasks.join_next() => if next.is_none() { break },
                _ = &mut grace => {
                    tasks.abort_all();
                    break;
                }
            }
        }
        result
    }
}
