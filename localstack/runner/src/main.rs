//! `local-cloud`: runs `template.yaml` on this machine, without Docker (see `--help`).

use std::collections::BTreeMap;
use std::path::{Path, PathBuf};
use std::process::{Command, Stdio};
use std::sync::Arc;
use std::time::Duration;

use local_cloud::aws::{Clients, ACCESS_KEY_ID, SECRET_ACCESS_KEY};
use local_cloud::cli::{parse_args, Options, USAGE};
use local_cloud::devkey::DevKey;
use local_cloud::instances;
use local_cloud::invoke::LambdaInvoker;
use local_cloud::parameters;
use local_cloud::process::{self, started_up, unless_stopped, Child};
use local_cloud::provision::{provision, Provisioned};
use local_cloud::services::Services;
use local_cloud::template::{Stack, StackContext, Template};
use local_cloud::token::{self, LocalPool, TokenRequest};
use local_cloud::wake::Wakes;
use local_cloud::warm::warm;
use local_cloud::{Error, Result};
use tokio::sync::watch;

fn main() {
    let filter = tracing_subscriber::EnvFilter::try_from_env("LOCAL_CLOUD_LOG")
        .unwrap_or_else(|_| tracing_subscriber::EnvFilter::new("local_cloud=info,warn"));
    tracing_subscriber::fmt()
        .with_env_filter(filter)
        .with_writer(std::io::stderr)
        .with_ansi(std::io::IsTerminal::is_terminal(&std::io::stderr()))
        .with_target(false)
        .init();
    let args: Vec<String> = std::env::args().skip(1).collect();
    let options = match parse_args(&args) {
        Ok(options) => options,
        Err(e) => {
            eprintln!("local-cloud: {e}\n\n{USAGE}");
            std::process::exit(2);
        }
    };
    if options.command == "token" {
        if let Err(e) = TokenRequest::parse(&options.positional, options.expires_in) {
            eprintln!(
                "local-cloud token: {e}\nusage: local-cloud token ROLE [ID] [--expires-in SECONDS] [--template PATH]"
            );
            std::process::exit(2);
        }
    }
    let runtime = tokio::runtime::Builder::new_multi_thread()
        .enable_all()
        .build()
        .expect("a tokio runtime");
    // `block_on` runs the command on this, the main thread: children are spawned from it (see
    // `process`), so their PR_SET_PDEATHSIG fires only when the runner exits.
    let result = runtime.block_on(run(options));
    runtime.shutdown_timeout(Duration::from_secs(1));
    if let Err(e) = result {
        eprintln!("local-cloud: {e}");
        std::process::exit(1);
    }
}

async fn run(options: Options) -> Result<()> {
    match options.command.as_str() {
        "up" => up(options).await,
        "serve" => serve(options).await,
        "functions" => functions(options).await,
        "env" => env(options),
        "token" => mint_token(options),
        "help" | "" => {
            println!("{USAGE}");
            Ok(())
        }
        other => Err(Error::new(format!("unknown command {other}"))),
    }
}

/// template.yaml: the option, else the first found from the current directory upwards.
fn find_template(options: &Options) -> Result<PathBuf> {
    if let Some(path) = &options.template {
        return Ok(path.clone());
    }
    let mut dir = std::env::current_dir()?;
    loop {
        let candidate = dir.join("template.yaml");
        if candidate.is_file() {
            return Ok(candidate);
        }
        if !dir.pop() {
            break;
        }
    }
    let built_in = Path::new(env!("CARGO_MANIFEST_DIR")).join("../../template.yaml");
    if built_in.is_file() {
        return Ok(built_in);
    }
    Err(Error::new(
        "no template.yaml here or above: pass --template PATH",
    ))
}

/// The workspace root: the template's folder.
fn workspace_root(template: &Path) -> Result<PathBuf> {
    let template = template
        .canonicalize()
        .map_err(|e| Error::new(format!("{}: {e}", template.display())))?;
    Ok(template
        .parent()
        .map(Path::to_path_buf)
        .unwrap_or_else(|| PathBuf::from(".")))
}

fn state_dir(options: &Options, root: &Path) -> Result<PathBuf> {
    let dir = options
        .state_dir
        .clone()
        .unwrap_or_else(|| root.join("target").join("local-cloud"));
    std::fs::create_dir_all(&dir)
        .map_err(|e| Error::new(format!("cannot create {}: {e}", dir.display())))?;
    Ok(dir)
}

/// Resolves to `true` on Ctrl-C or SIGTERM.
fn shutdown_signal() -> watch::Receiver<bool> {
    let (sender, receiver) = watch::channel(false);
    tokio::spawn(async move {
        let mut terminate =
            tokio::signal::unix::signal(tokio::signal::unix::SignalKind::terminate())
                .expect("a SIGTERM handler");
        tokio::select! {
            _ = tokio::signal::ctrl_c() => {}
            _ = terminate.recv() => {}
        }
        tracing::info!("stopping");
        let _ = sender.send(true);
    });
    receiver
}

/// The local stack's context, with the `--parameter` values (checked against the template).
fn stack_context(template: &Template, options: &Options, endpoint: &str) -> Result<StackContext> {
    parameters::check(template, &options.parameters)?;
    Ok(StackContext::local(endpoint).with_parameters(options.parameters.clone()))
}

/// Loads the template and provisions it; the stack with the real stream ARNs (and the
/// `--schedule-every` period, if given).
async fn provisioned_stack(
    template_path: &Path,
    clients: &Clients,
    options: &Options,
) -> Result<(Stack, Provisioned)> {
    let template = Template::load(template_path)?;
    let stack = Stack::from_template(
        &template,
        stack_context(&template, options, &clients.endpoint)?,
    )?;
    for warning in &stack.warnings {
        tracing::warn!("{warning}");
    }
    let provisioned = provision(&stack, clients).await?;
    let mut context = stack_context(&template, options, &clients.endpoint)?;
    context.stream_arns = provisioned.stream_arns.clone();
    let mut stack = Stack::from_template(&template, context)?;
    with_function_env(&mut stack, options)?;
    if let Some(every) = options.schedule_every {
        tracing::info!("--schedule-every: every schedule runs every {every:?}");
        stack.run_schedules_every(every);
    }
    tracing::info!(
        "provisioned {} tables, {} queues, {} buses, {} rules; {} functions",
        stack.tables.len(),
        stack.queues.len(),
        stack.buses.len(),
        stack.rules.len(),
        stack.functions.len()
    );
    Ok((stack, provisioned))
}

/// Applies `--function-env`: one variable of one function, over the template's.
fn with_function_env(stack: &mut Stack, options: &Options) -> Result<()> {
    for (name, key, value) in &options.function_env {
        let function = stack
            .functions
            .iter_mut()
            .find(|f| &f.name == name)
            .ok_or_else(|| Error::new(format!("--function-env: no function {name}")))?;
        tracing::warn!("--function-env: {name} runs with {key}={value}");
        function.environment.insert(key.clone(), value.clone());
    }
    Ok(())
}

/// The environment of the functions: the stack's variables and the local AWS settings.
fn function_environment(stack: &Stack, moto_endpoint: &str) -> BTreeMap<String, String> {
    let (mut env, conflicts) = stack.function_environment();
    for conflict in conflicts {
        tracing::warn!("environment conflict: {conflict}");
    }
    for (key, value) in [
        ("AWS_ENDPOINT_URL", moto_endpoint),
        ("AWS_REGION", stack.context.region.as_str()),
        ("AWS_DEFAULT_REGION", stack.context.region.as_str()),
        ("AWS_ACCESS_KEY_ID", ACCESS_KEY_ID),
        ("AWS_SECRET_ACCESS_KEY", SECRET_ACCESS_KEY),
    ] {
        env.insert(key.into(), value.into());
    }
    env
}

fn env(options: Options) -> Result<()> {
    let template_path = find_template(&options)?;
    let endpoint = options
        .moto_endpoint
        .clone()
        .unwrap_or_else(|| format!("http://127.0.0.1:{}", options.moto_port));
    let template = Template::load(&template_path)?;
    let stack = Stack::from_template(&template, stack_context(&template, &options, &endpoint)?)?;
    for (key, value) in function_environment(&stack, &endpoint) {
        println!("{key}={value}");
    }
    Ok(())
}

/// `local-cloud token`: one line, the token.
fn mint_token(options: Options) -> Result<()> {
    let request = TokenRequest::parse(&options.positional, options.expires_in)?;
    let template = Template::load(&find_template(&options)?)?;
    let stack = Stack::from_template(&template, StackContext::local("http://127.0.0.1:4566"))?;
    let pool = LocalPool::from_template(&template, &stack)?;
    let key = DevKey::load_or_create(&DevKey::default_path()?)?;
    let claims = pool.id_token_claims(&request, token::now());
    println!("{}", token::sign(&claims, &key)?);
    Ok(())
}

/// The development key, made now rather than on the first request, when a route needs it.
fn check_authorizers(stack: &Stack) -> Result<()> {
    let authorizers = stack.jwt_authorizers();
    if authorizers.is_empty() {
        return Ok(());
    }
    let key = DevKey::shared()?;
    for authorizer in authorizers {
        tracing::info!(
            "JWT authorizer {}: issuer {}, audiences {} (development key {})",
            authorizer.name,
            authorizer.issuer,
            authorizer.audiences.join(", "),
            key.path.display()
        );
    }
    Ok(())
}

async fn bind_api(port: u16) -> Result<tokio::net::TcpListener> {
    tokio::net::TcpListener::bind(("127.0.0.1", port))
        .await
        .map_err(|e| {
            Error::new(format!(
                "cannot listen on 127.0.0.1:{port}: {e} (pass --port 0 for a free port)"
            ))
        })
}

async fn serve_until_stopped(
    stack: Stack,
    provisioned: Provisioned,
    clients: Clients,
    lambda_endpoint: &str,
    state_dir: PathBuf,
    options: &Options,
    shutdown: watch::Receiver<bool>,
) -> Result<()> {
    check_authorizers(&stack)?;
    let listener = bind_api(options.port).await?;
    let port = listener.local_addr()?.port();
    let invoker = Arc::new(LambdaInvoker::new(lambda_endpoint, &stack.context.region));
    let services = Services {
        stack,
        provisioned,
        clients,
        invoker,
        state_dir,
        safety_poll: options.safety_poll,
        wakes: Wakes::new(),
        deliver_twice: options.deliver_twice,
    };
    if options.deliver_twice {
        tracing::info!("--deliver-twice: every SQS batch is delivered twice, concurrently");
    }
    // Check the mappings before announcing the API.
    let waking = services.waking_invoker();
    services.stream_pollers(&waking)?;
    services.queue_pollers(&waking)?;
    if options.warm {
        let mut shutdown = shutdown.clone();
        let warming = warm(services.invoker.clone(), &services.stack.functions);
        let warmed = tokio::select! {
            warmed = warming => warmed,
            _ = shutdown.wait_for(|stopped| *stopped) => {
                return Err(Error::new("stopped during start-up"));
            }
        };
        tracing::info!(
            "{} functions started in {:.1?}",
            warmed.started,
            warmed.took
        );
        for (function, why) in &warmed.failed {
            tracing::warn!(function = %function, "not started: {why}");
        }
    }
    println!("API: http://127.0.0.1:{port}");
    services.run(listener, shutdown).await
}

async fn serve(options: Options) -> Result<()> {
    let (Some(moto), Some(lambda)) = (&options.moto_endpoint, &options.lambda_endpoint) else {
        return Err(Error::new(
            "serve needs --moto-endpoint and --lambda-endpoint (or use `up`)",
        ));
    };
    let shutdown = shutdown_signal();
    let template_path = find_template(&options)?;
    let root = workspace_root(&template_path)?;
    let state_dir = state_dir(&options, &root)?;
    let clients = Clients::new(moto, StackContext::REGION);
    let (stack, provisioned) = unless_stopped(
        &shutdown,
        provisioned_stack(&template_path, &clients, &options),
    )
    .await?;
    serve_until_stopped(
        stack,
        provisioned,
        clients,
        lambda,
        state_dir,
        &options,
        shutdown,
    )
    .await
}

/// The Python that has moto: the option, else `$ES_PYTHON` (the venv of
/// `scripts/python-env.sh`), else the one beside `$MOTO_SERVER`, else `python3`.
fn python(options: &Options) -> PathBuf {
    if let Some(python) = &options.python {
        return python.clone();
    }
    if let Some(python) = std::env::var_os("ES_PYTHON").filter(|p| !p.is_empty()) {
        return PathBuf::from(python);
    }
    if let Some(moto_server) = std::env::var_os("MOTO_SERVER") {
        let beside = Path::new(&moto_server).with_file_name("python");
        if beside.is_file() {
            return beside;
        }
    }
    PathBuf::from("python3")
}

/// PATH with the Python's folder first (the venv also holds `cargo-lambda`).
fn path_with(python: &Path) -> std::ffi::OsString {
    let mut dirs: Vec<PathBuf> = python
        .parent()
        .filter(|d| !d.as_os_str().is_empty())
        .map(|d| vec![d.to_path_buf()])
        .unwrap_or_default();
    if let Some(path) = std::env::var_os("PATH") {
        dirs.extend(std::env::split_paths(&path));
    }
    std::env::join_paths(dirs).unwrap_or_default()
}

async fn wait_for_exit(child: &mut Child, shutdown: &watch::Receiver<bool>) -> Result<()> {
    let mut shutdown = shutdown.clone();
    loop {
        if let Some(status) = child.exited() {
            return if status.success() {
                Ok(())
            } else {
                Err(Error::new(format!("{} failed ({status})", child.name())))
            };
        }
        tokio::select! {
            _ = tokio::time::sleep(Duration::from_millis(200)) => {}
            _ = shutdown.wait_for(|stopped| *stopped) => {
                return Err(Error::new("stopped during start-up"));
            }
        }
    }
}

async fn up(options: Options) -> Result<()> {
    // Function instances that `cargo lambda watch` leaves behind come back to us (stopped at
    // the end).
    process::become_subreaper();
    let shutdown = shutdown_signal();
    let template_path = find_template(&options)?;
    let root = workspace_root(&template_path)?;
    let state_dir = state_dir(&options, &root)?;
    let python = python(&options);
    let path = path_with(&python);
    // Children, stopped in reverse order when this function returns, however it does.
    let mut children = Children(vec![]);

    let moto_endpoint = match &options.moto_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => {
            let port = process::choose_port(options.moto_port, "moto", "--moto-port")?;
            let log = state_dir.join("moto.log");
            let (stdout, stderr) = process::log_file(&log)?;
            let mut command = Command::new(&python);
            command
                .arg(root.join("localstack").join("moto_serial.py"))
                .args(["-H", "127.0.0.1", "-p", &port.to_string()])
                .current_dir(&root)
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(stderr);
            let mut moto = Child::spawn("moto", command)?;
            let started = process::wait_for_port(&mut moto, port, Duration::from_secs(60));
            started_up(
                &shutdown,
                started,
                &log,
                "is moto installed? source scripts/python-env.sh, or pass --python",
            )
            .await?;
            children.0.push(moto);
            tracing::info!("moto on http://127.0.0.1:{port} (log: {})", log.display());
            format!("http://127.0.0.1:{port}")
        }
    };

    let clients = Clients::new(&moto_endpoint, StackContext::REGION);
    let (stack, provisioned) = unless_stopped(
        &shutdown,
        provisioned_stack(&template_path, &clients, &options),
    )
    .await?;

    let lambda_endpoint = match &options.lambda_endpoint {
        Some(endpoint) => endpoint.clone(),
        None => {
            if options.build {
                tracing::info!("cargo build --workspace --bins");
                let mut command = Command::new("cargo");
                command
                    .args(["build", "--workspace", "--bins"])
                    .current_dir(&root)
                    .stdin(Stdio::null());
                let mut build = Child::spawn("cargo build", command)?;
                wait_for_exit(&mut build, &shutdown).await?;
            }
            let port =
                process::choose_port(options.lambda_port, "cargo lambda watch", "--lambda-port")?;
            // Its own logs and the functions' (RUST_LOG of the template) are many: to a file.
            let log = state_dir.join("lambda.log");
            let (stdout, stderr) = process::log_file(&log)?;
            let mut command = Command::new("cargo");
            command
                .args([
                    "lambda",
                    "watch",
                    "-A",
                    "127.0.0.1",
                    "-P",
                    &port.to_string(),
                ])
                .current_dir(&root)
                .env("PATH", &path)
                .envs(function_environment(&stack, &moto_endpoint))
                .stdin(Stdio::null())
                .stdout(stdout)
                .stderr(stderr);
            if options.reload {
                command.args(["--concurrency", "4"]);
            } else {
                // The runner starts the instances (`instances`); with more than one instance
                // allowed, the watch would start its own too.
                command.args(["--only-lambda-apis", "--ignore-changes"]);
            }
            let mut watch = Child::spawn("cargo lambda watch", command)?;
            let started = process::wait_for_lambda(&mut watch, port, Duration::from_secs(180));
            started_up(
                &shutdown,
                started,
                &log,
                "is cargo-lambda installed? source scripts/python-env.sh",
            )
            .await?;
            children.0.push(watch);
            let endpoint = format!("http://127.0.0.1:{port}");
            if !options.reload {
                let started = instances::start(
                    &own_folder()?,
                    &stack,
                    &function_environment(&stack, &moto_endpoint),
                    &endpoint,
                    instances::INSTANCES_PER_FUNCTION,
                    &state_dir.join("functions.log"),
                )?;
                // Pushed after the watch: stopped before it.
                children.0.extend(started);
            }
            tracing::info!(
                "cargo lambda watch on {endpoint} (functions' log: {})",
                state_dir
                    .join(if options.reload {
                        "lambda.log"
                    } else {
                        "functions.log"
                    })
                    .display()
            );
            endpoint
        }
    };

    let result = serve_until_stopped(
        stack,
        provisioned,
        clients,
        &lambda_endpoint,
        state_dir,
        &options,
        shutdown,
    )
    .await;
    drop(children);
    result
}

/// The folder of this binary, where `cargo build --workspace --bins` put every function too.
fn own_folder() -> Result<PathBuf> {
    let exe = std::env::current_exe()?;
    exe.parent()
        .map(Path::to_path_buf)
        .ok_or_else(|| Error::new(format!("{} has no folder", exe.display())))
}

/// `functions`: every function's instances against a running `cargo lambda watch
/// --only-lambda-apis`, until Ctrl-C or SIGTERM (the end-to-end tests run it beside `serve`, so
/// that a restarted runner finds the functions still running).
async fn functions(options: Options) -> Result<()> {
    let mut shutdown = shutdown_signal();
    let (Some(moto), Some(lambda)) = (&options.moto_endpoint, &options.lambda_endpoint) else {
        return Err(Error::new(
            "functions needs --moto-endpoint and --lambda-endpoint",
        ));
    };
    let template_path = find_template(&options)?;
    let template = Template::load(&template_path)?;
    let mut stack = Stack::from_template(&template, stack_context(&template, &options, moto)?)?;
    with_function_env(&mut stack, &options)?;
    let state_dir = state_dir(&options, &workspace_root(&template_path)?)?;
    let log = state_dir.join("functions.log");
    let running = Children(instances::start(
        &own_folder()?,
        &stack,
        &function_environment(&stack, moto),
        lambda,
        instances::INSTANCES_PER_FUNCTION,
        &log,
    )?);
    tracing::info!("functions' log: {}", log.display());
    let _ = shutdown.wait_for(|stopped| *stopped).await;
    drop(running);
    Ok(())
}

/// The children of `up`, stopped in reverse order of start when dropped: the watch first (it
/// stops its function instances, which takes a while when there are many), then moto; then
/// whatever they left behind.
struct Children(Vec<Child>);

impl Drop for Children {
    fn drop(&mut self) {
        while let Some(mut child) = self.0.pop() {
            child.stop(Duration::from_secs(15));
        }
        process::stop_orphans(Duration::from_secs(2));
    }
}
