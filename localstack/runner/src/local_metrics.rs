//! `GET /_local/metrics` on the API port: the functions' metrics (the EMF lines they print, as
//! on Lambda) read from their log files and served as Prometheus text ([`crate::prometheus`]).
//!
//! Why the log files: the functions do not run in the gateway's process. `local-cloud up`
//! starts their instances itself, their output going to `<state-dir>/functions.log`, or, with
//! `--reload`, lets `cargo lambda watch` run them, their output then in the watch's
//! `<state-dir>/lambda.log`; the end-to-end tests run `local-cloud functions` beside `local-cloud
//! serve` on one state folder, and restart the latter while the functions keep running. Those
//! files are what every arrangement shares, so the runner follows both
//! ([`FUNCTION_LOGS`]): from their end as it found them (a log kept from an earlier run is
//! not counted again), reading what was appended every [`POLL`] and at every scrape, so a
//! scrape sees every line written before it. A file that shrinks (truncated, made anew) is
//! read again from its start.
//!
//! The path is the local cloud's own, before any route of the template (whose `$default`
//! route would refuse it), and needs no token: it serves this machine only.

use std::fs::File;
use std::io::{Read, Seek, SeekFrom};
use std::path::{Path, PathBuf};
use std::sync::{Arc, Mutex};
use std::time::Duration;

use tokio::sync::watch;

use crate::gateway::HttpResponse;
use crate::prometheus::Registry;

/// Where the metrics are served.
pub const METRICS_PATH: &str = "/_local/metrics";

/// The logs of the state folder the functions write to: their own instances' (`up`,
/// `functions`), and `cargo lambda watch`'s (`up --reload`, where it runs them).
pub const FUNCTION_LOGS: [&str; 2] = ["functions.log", "lambda.log"];

/// How often the logs are read between scrapes.
pub const POLL: Duration = Duration::from_secs(1);

/// The Prometheus text exposition format's content type.
pub const CONTENT_TYPE: &str = "text/plain; version=0.0.4; charset=utf-8";

/// A line longer than this without its end is dropped (not a metric line anyway).
const MAX_PARTIAL_LINE: usize = 1 << 20;

/// A file read as it grows, line by line.
#[derive(Debug)]
pub struct Follower {
    path: PathBuf,
    offset: u64,
    /// The start of a line whose end is not written yet.
    partial: Vec<u8>,
}

impl Follower {
    /// From the file's current end (its start if it does not exist yet).
    pub fn from_end(path: impl Into<PathBuf>) -> Self {
        let path = path.into();
        let offset = std::fs::metadata(&path).map_or(0, |m| m.len());
        Self {
            path,
            offset,
            partial: vec![],
        }
    }

    pub fn path(&self) -> &Path {
        &self.path
    }

    /// The complete lines appended since the last call.
    pub fn new_lines(&mut self) -> Vec<String> {
        let Ok(appended) = self.read_appended() else {
            // Not there (yet), or unreadable for now: nothing new.
            return vec![];
        };
        self.partial.extend(appended);
        let Some(end) = self.partial.iter().rposition(|b| *b == b'\n') else {
            if self.partial.len() > MAX_PARTIAL_LINE {
                self.partial.clear();
            }
            return vec![];
        };
        let rest = self.partial.split_off(end + 1);
        let complete = std::mem::replace(&mut self.partial, rest);
        complete
            .split(|b| *b == b'\n')
            .filter(|line| !line.is_empty())
            .map(|line| String::from_utf8_lossy(line).into_owned())
            .collect()
    }

    fn read_appended(&mut self) -> std::io::Result<Vec<u8>> {
        let mut file = File::open(&self.path)?;
        let length = file.metadata()?.len();
        if length < self.offset {
            // Truncated or made anew: what is there now was not read.
            self.offset = 0;
            self.partial.clear();
        }
        let mut appended = vec![];
        if length > self.offset {
            file.seek(SeekFrom::Start(self.offset))?;
            file.take(length - self.offset).read_to_end(&mut appended)?;
            self.offset += appended.len() as u64;
        }
        Ok(appended)
    }
}

/// The metrics served at [`METRICS_PATH`]: the followed logs and what they said so far.
#[derive(Debug, Default)]
pub struct LocalMetrics {
    state: Mutex<State>,
}

#[derive(Debug, Default)]
struct State {
    followers: Vec<Follower>,
    registry: Registry,
}

impl LocalMetrics {
    /// Follows `logs` from their current end.
    pub fn following<P: Into<PathBuf>>(logs: impl IntoIterator<Item = P>) -> Self {
        let followers = logs.into_iter().map(Follower::from_end).collect();
        Self {
            state: Mutex::new(State {
                followers,
                registry: Registry::default(),
            }),
        }
    }

    /// Follows the [`FUNCTION_LOGS`] of `state_dir`.
    pub fn of_state_dir(state_dir: &Path) -> Self {
        Self::following(FUNCTION_LOGS.iter().map(|name| state_dir.join(name)))
    }

    /// Reads what the logs gained into the registry.
    pub fn catch_up(&self) {
        let mut state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        let State {
            followers,
            registry,
        } = &mut *state;
        for follower in followers.iter_mut() {
            for line in follower.new_lines() {
                registry.ingest_line(&line);
            }
        }
    }

    /// The Prometheus text of everything logged until now.
    pub fn scrape(&self) -> String {
        self.catch_up();
        let state = self.state.lock().unwrap_or_else(|e| e.into_inner());
        state.registry.render()
    }

    /// The answer to `method` [`METRICS_PATH`].
    pub fn answer(&self, method: &str) -> HttpResponse {
        let content_type = ("content-type".to_owned(), CONTENT_TYPE.to_owned());
        match method {
            "GET" => HttpResponse {
                status: 200,
                headers: vec![content_type],
                body: self.scrape().into_bytes(),
            },
            "HEAD" => HttpResponse {
                status: 200,
                headers: vec![content_type],
                body: vec![],
            },
            _ => {
                let mut refused = HttpResponse::message(405, "Method Not Allowed");
                refused.headers.push(("allow".into(), "GET, HEAD".into()));
                refused
            }
        }
    }

    /// Reads the logs every [`POLL`] until `shutdown` turns true, so that a scrape after a
    /// long quiet time has little to read.
    pub async fn poll_until(self: Arc<Self>, mut shutdown: watch::Receiver<bool>) {
        loop {
            tokio::select! {
                _ = tokio::time::sleep(POLL) => {}
                _ = shutdown.wait_for(|stopped| *stopped) => return,
            }
            let metrics = self.clone();
            let _ = tokio::task::spawn_blocking(move || metrics.catch_up()).await;
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use std::io::Write;

    fn temp_log(name: &str) -> PathBuf {
        let dir = std::env::temp_dir().join(format!(
            "local-metrics-{}-{}",
            std::process::id(),
            uuid::Uuid::new_v4()
        ));
        std::fs::create_dir_all(&dir).unwrap();
        dir.join(name)
    }

    fn append(path: &Path, text: &str) {
        let mut file = std::fs::OpenOptions::new()
            .create(true)
            .append(true)
            .open(path)
            .unwrap();
        file.write_all(text.as_bytes()).unwrap();
    }

    const COMMAND: &str = r#"{"_aws":{"Timestamp":1,"CloudWatchMetrics":[{"Namespace":"EsServerless","Dimensions":[["Route","Outcome"]],"Metrics":[{"Name":"Commands","Unit":"Count"}]}]},"Route":"GET /radars","Outcome":"2xx","Commands":1}"#;

    #[test]
    fn a_follower_reads_complete_lines_appended_after_it_started() {
        let path = temp_log("functions.log");
        append(&path, "from an earlier run\n");
        let mut follower = Follower::from_end(&path);
        assert!(follower.new_lines().is_empty());
        append(&path, "one\ntw");
        assert_eq!(follower.new_lines(), ["one"]);
        append(&path, "o\n\nthree\n");
        assert_eq!(follower.new_lines(), ["two", "three"]);
        // Made anew, shorter: read from its start.
        std::fs::write(&path, "new\n").unwrap();
        assert_eq!(follower.new_lines(), ["new"]);
    }

    #[test]
    fn a_log_that_does_not_exist_yet_is_read_from_its_start() {
        let path = temp_log("lambda.log");
        let mut follower = Follower::from_end(&path);
        assert!(follower.new_lines().is_empty());
        append(&path, "first\n");
        assert_eq!(follower.new_lines(), ["first"]);
    }

    #[test]
    fn a_scrape_counts_what_the_functions_logged_since_the_start() {
        let path = temp_log("functions.log");
        append(&path, &format!("{COMMAND}\n"));
        let metrics = LocalMetrics::following([&path]);
        assert_eq!(
            metrics.scrape(),
            "",
            "an earlier run's lines are not counted"
        );
        append(
            &path,
            &format!("{{\"level\":\"INFO\"}}\n{COMMAND}\n{COMMAND}\n"),
        );
        let text = metrics.scrape();
        assert!(
            text.contains("es_commands_total{route=\"GET /radars\",outcome=\"2xx\"} 2\n"),
            "{text}"
        );
        let answer = metrics.answer("GET");
        assert_eq!(
            (answer.status, answer.header("content-type")),
            (200, Some(CONTENT_TYPE))
        );
        assert_eq!(answer.body, text.into_bytes());
        assert_eq!(metrics.answer("POST").status, 405);
    }
}
