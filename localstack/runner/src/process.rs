//! Child processes (moto, `cargo lambda watch`) and ports.
//!
//! Children must not outlive the runner:
//! - each child runs in its own process group, and stopping it signals the whole group
//!   (`cargo lambda watch` runs the functions as its own children): SIGTERM, then SIGKILL after a
//!   grace period;
//! - on Linux each child also gets `PR_SET_PDEATHSIG` = SIGTERM, so that it is told to stop even
//!   when the runner dies without cleaning up (SIGKILL, a panic that aborts). The signal fires
//!   when the *thread* that spawned the child exits: children are spawned from the main thread
//!   (the one `main` blocks on), never from a runtime worker or a blocking-pool thread;
//! - [`Child`] stops its process when dropped.

use std::fs::File;
use std::future::Future;
use std::net::{SocketAddr, TcpListener, TcpStream};
use std::path::Path;
use std::process::{Command, Stdio};
use std::time::{Duration, Instant};

use tokio::io::{AsyncReadExt, AsyncWriteExt};

use crate::{Error, Result};

/// A port the OS says is free now (it may be taken again before it is used: the window is
/// small and a clash fails loudly).
pub fn free_port() -> Result<u16> {
    Ok(TcpListener::bind("127.0.0.1:0")?.local_addr()?.port())
}

/// `0` → a free port; else the port, which must be free.
pub fn choose_port(port: u16, what: &str, flag: &str) -> Result<u16> {
    if port == 0 {
        return free_port();
    }
    if port_in_use(port) {
        return Err(Error::new(format!(
            "port {port} ({what}) is in use: stop what listens there, or pass {flag} 0 for a free port"
        )));
    }
    Ok(port)
}

/// Whether something listens on 127.0.0.1:`port` (or it cannot be bound).
pub fn port_in_use(port: u16) -> bool {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    TcpStream::connect_timeout(&address, Duration::from_millis(200)).is_ok()
        || TcpListener::bind(address).is_err()
}

/// A child process in its own process group, stopped (with its group) when dropped.
pub struct Child {
    name: String,
    child: std::process::Child,
    stopped: bool,
}

impl Child {
    /// Spawns `command` in its own process group with `PR_SET_PDEATHSIG`. Call it from the main
    /// thread (see the module documentation).
    pub fn spawn(name: &str, mut command: Command) -> Result<Self> {
        use std::os::unix::process::CommandExt;
        command.process_group(0);
        #[cfg(target_os = "linux")]
        {
            let parent = std::process::id() as libc::pid_t;
            // SAFETY: only async-signal-safe calls (prctl, getppid, _exit) between fork and exec.
            unsafe {
                command.pre_exec(move || {
                    if libc::prctl(libc::PR_SET_PDEATHSIG, libc::SIGTERM) != 0 {
                        return Err(std::io::Error::last_os_error());
                    }
                    // The parent may have died before prctl: then nobody would signal us.
                    if libc::getppid() != parent {
                        libc::_exit(1);
                    }
                    Ok(())
                });
            }
        }
        let child = command
            .spawn()
            .map_err(|e| Error::new(format!("cannot start {name}: {e}")))?;
        tracing::info!("started {name} (pid {})", child.id());
        Ok(Self {
            name: name.to_string(),
            child,
            stopped: false,
        })
    }

    pub fn name(&self) -> &str {
        &self.name
    }

    pub fn id(&self) -> u32 {
        self.child.id()
    }

    /// `Some(status)` once the process has exited.
    pub fn exited(&mut self) -> Option<std::process::ExitStatus> {
        self.child.try_wait().ok().flatten()
    }

    fn signal_group(&self, signal: libc::c_int) {
        // SAFETY: kill(2) on our own child's process group (its pgid is its pid).
        unsafe {
            libc::kill(-(self.child.id() as libc::pid_t), signal);
        }
    }

    /// SIGTERM to the process group, then SIGKILL if it is still there after `grace`.
    pub fn stop(&mut self, grace: Duration) {
        if std::mem::replace(&mut self.stopped, true) {
            return;
        }
        if self.exited().is_none() {
            self.signal_group(libc::SIGTERM);
            let deadline = Instant::now() + grace;
            while self.exited().is_none() && Instant::now() < deadline {
                std::thread::sleep(Duration::from_millis(50));
            }
        }
        // The leader may be gone and members of its group left: kill whatever remains.
        self.signal_group(libc::SIGKILL);
        if self.exited().is_none() {
            let _ = self.child.kill();
            let _ = self.child.wait();
        }
        tracing::info!("stopped {}", self.name);
    }
}

impl Drop for Child {
    fn drop(&mut self) {
        self.stop(Duration::from_secs(5));
    }
}

/// Makes this process the reaper of its orphaned descendants (Linux): a process that a child
/// started in a session of its own (`cargo lambda watch` does that for every function instance)
/// and left behind is reparented here instead of to init, so [`stop_orphans`] can find it.
pub fn become_subreaper() {
    #[cfg(target_os = "linux")]
    // SAFETY: prctl(PR_SET_CHILD_SUBREAPER) only sets a flag of this process.
    unsafe {
        libc::prctl(libc::PR_SET_CHILD_SUBREAPER, 1);
    }
}

/// The pids of this process's children that no [`Child`] owns any more: descendants orphaned
/// by a stopped child (see [`become_subreaper`]).
fn children_of_this_process() -> Vec<libc::pid_t> {
    let me = std::process::id().to_string();
    let Ok(entries) = std::fs::read_dir("/proc") else {
        return vec![];
    };
    entries
        .filter_map(|entry| {
            let pid: libc::pid_t = entry.ok()?.file_name().to_str()?.parse().ok()?;
            let stat = std::fs::read_to_string(format!("/proc/{pid}/stat")).ok()?;
            // pid (comm) state ppid ...: comm may hold spaces and parentheses.
            let after_comm = &stat[stat.rfind(')')? + 1..];
            let ppid = after_comm.split_whitespace().nth(1)?;
            (ppid == me).then_some(pid)
        })
        .collect()
}

/// Stops the orphans left with this process once every [`Child`] is stopped: SIGTERM, then
/// SIGKILL after `grace`, and reaps them.
pub fn stop_orphans(grace: Duration) {
    let orphans = children_of_this_process();
    if orphans.is_empty() {
        return;
    }
    tracing::info!("stopping {} orphaned processes", orphans.len());
    for pid in &orphans {
        // SAFETY: signals to our own children.
        unsafe {
            libc::kill(*pid, libc::SIGTERM);
        }
    }
    let deadline = Instant::now() + grace;
    let mut left = orphans;
    while !left.is_empty() {
        left.retain(|pid| {
            let mut status = 0;
            // SAFETY: waitpid on our own child, without blocking.
            unsafe { libc::waitpid(*pid, &mut status, libc::WNOHANG) == 0 }
        });
        if Instant::now() > deadline {
            for pid in &left {
                // SAFETY: as above.
                unsafe {
                    libc::kill(*pid, libc::SIGKILL);
                    libc::waitpid(*pid, std::ptr::null_mut(), 0);
                }
            }
            break;
        }
        std::thread::sleep(Duration::from_millis(50));
    }
}

/// Waits until 127.0.0.1:`port` accepts connections, while `child` runs.
pub async fn wait_for_port(child: &mut Child, port: u16, deadline: Duration) -> Result<()> {
    let address = SocketAddr::from(([127, 0, 0, 1], port));
    StartUp {
        deadline,
        pause: Duration::from_millis(100),
        not_ready: format!("did not listen on {address}"),
    }
    .wait(
        child,
        |_| String::new(),
        || async move { tokio::net::TcpStream::connect(address).await.is_ok() },
    )
    .await
}

/// How long a child may take to be ready, and how often to look.
struct StartUp {
    deadline: Duration,
    pause: Duration,
    /// What the child did not do in time: `did not listen on …`.
    not_ready: String,
}

impl StartUp {
    /// Looks every `pause` until `ready`, while `child` runs and until `deadline`; `exit_hint`
    /// adds to the error of a child that exited.
    async fn wait<F: Future<Output = bool>>(
        self,
        child: &mut Child,
        exit_hint: impl Fn(std::process::ExitStatus) -> String,
        mut ready: impl FnMut() -> F,
    ) -> Result<()> {
        let started = Instant::now();
        loop {
            if let Some(status) = child.exited() {
                return Err(Error::new(format!(
                    "{} exited during start-up ({status}){}",
                    child.name(),
                    exit_hint(status)
                )));
            }
            if ready().await {
                return Ok(());
            }
            if started.elapsed() > self.deadline {
                return Err(Error::new(format!(
                    "{} {} within {:?}",
                    child.name(),
                    self.not_ready,
                    self.deadline
                )));
            }
            tokio::time::sleep(self.pause).await;
        }
    }
}

/// The HTTP status of a small POST to `http://127.0.0.1:port{path}`, if anything answers.
pub async fn http_status(port: u16, path: &str) -> Option<u16> {
    let attempt = async {
        let mut stream = tokio::net::TcpStream::connect(("127.0.0.1", port))
            .await
            .ok()?;
        let request = format!(
            "POST {path} HTTP/1.1\r\nHost: 127.0.0.1:{port}\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{{}}"
        );
        stream.write_all(request.as_bytes()).await.ok()?;
        let mut head = [0u8; 64];
        let mut read = 0;
        while read < 12 {
            let n = stream.read(&mut head[read..]).await.ok()?;
            if n == 0 {
                break;
            }
            read += n;
        }
        let line = String::from_utf8_lossy(&head[..read]).to_string();
        line.split_whitespace().nth(1)?.parse().ok()
    };
    tokio::time::timeout(Duration::from_secs(5), attempt)
        .await
        .ok()
        .flatten()
}

/// The Lambda Invoke path of a function that does not exist: answered 404 once
/// `cargo lambda watch` serves.
pub const LAMBDA_PROBE_PATH: &str = "/2015-03-31/functions/local-cloud-probe/invocations";

/// Waits until the Lambda endpoint on `port` answers HTTP, while `child` runs.
pub async fn wait_for_lambda(child: &mut Child, port: u16, deadline: Duration) -> Result<()> {
    StartUp {
        deadline,
        pause: Duration::from_millis(200),
        not_ready: format!("did not answer on port {port}"),
    }
    .wait(
        child,
        // `cargo lambda watch` exits with status 0, silently, when its port is taken.
        |status| {
            if status.success() {
                format!("; is port {port} already in use?")
            } else {
                String::new()
            }
        },
        || async move { http_status(port, LAMBDA_PROBE_PATH).await.is_some() },
    )
    .await?;
    // `cargo lambda watch` exits silently (status 0) when its port is taken: make sure the
    // answer came from our child.
    tokio::time::sleep(Duration::from_millis(300)).await;
    if let Some(status) = child.exited() {
        return Err(Error::new(format!(
            "{} exited ({status}) while something else answers on port {port}",
            child.name()
        )));
    }
    Ok(())
}

/// A log file for a child's output (truncated).
pub fn log_file(path: &Path) -> Result<(Stdio, Stdio)> {
    if let Some(dir) = path.parent() {
        std::fs::create_dir_all(dir)?;
    }
    let file = File::create(path)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", path.display())))?;
    Ok((Stdio::from(file.try_clone()?), Stdio::from(file)))
}

/// Runs `work` unless the shutdown signal comes first.
pub async fn unless_stopped<T>(
    shutdown: &tokio::sync::watch::Receiver<bool>,
    work: impl Future<Output = Result<T>>,
) -> Result<T> {
    let mut shutdown = shutdown.clone();
    tokio::select! {
        result = work => result,
        _ = shutdown.wait_for(|stopped| *stopped) => Err(Error::new("stopped during start-up")),
    }
}

/// A child's start-up (`started`), unless the runner is stopped first; a failure points at
/// the child's `log` and says what to `check`.
pub async fn started_up(
    shutdown: &tokio::sync::watch::Receiver<bool>,
    started: impl Future<Output = Result<()>>,
    log: &Path,
    check: &str,
) -> Result<()> {
    unless_stopped(shutdown, started)
        .await
        .map_err(|e| Error::new(format!("{e}; see {} ({check})", log.display())))
}
