//! `local-cloud`'s command line: the usage text and the options of every command (the binary,
//! `src/main.rs`, runs them).

use std::collections::BTreeMap;
use std::path::PathBuf;
use std::time::Duration;

use crate::{parameters, Error, Result};

pub const USAGE: &str = "\
local-cloud: runs template.yaml locally, without Docker: moto (DynamoDB, Streams, SQS,
EventBridge), `cargo lambda watch` (the functions), and its own HTTP API gateway and event
source pollers.

USAGE:
  local-cloud up    [OPTIONS]   start moto and cargo lambda watch (unless given endpoints),
                                provision, serve the API until Ctrl-C, then stop everything
  local-cloud serve --moto-endpoint URL --lambda-endpoint URL [OPTIONS]
                                provision, serve the API and poll the event sources only
  local-cloud functions --moto-endpoint URL --lambda-endpoint URL [--template PATH]
                    [--parameter KEY=VALUE]...
                                run every function's binary (built beside this one) against
                                a `cargo lambda watch --only-lambda-apis` until Ctrl-C
  local-cloud env   [--moto-endpoint URL] [--template PATH] [--parameter KEY=VALUE]...
                                print the environment the functions need (KEY=VALUE lines)
  local-cloud token ROLE [ID] [--expires-in SECONDS] [--template PATH]
                                print a token of the template's user pool for ROLE (operator,
                                auditor; radar, owner, customer with their ID), valid one hour
                                (--expires-in, negative: expired), signed by the development
                                key ($ES_LOCAL_KEY_FILE, else
                                ${XDG_CACHE_HOME:-~/.cache}/es-serverless/local-jwt-key.pem)

OPTIONS:
  --template PATH         template.yaml (default: found from the current directory upwards)
  --state-dir DIR         stream checkpoints and logs (default: <workspace>/target/local-cloud)
  --port N                API port (default 3000; 0 = a free port)
  --moto-port N           moto port for `up` (default 4566; 0 = a free port)
  --lambda-port N         cargo lambda watch port for `up` (default 9000; 0 = a free port)
  --moto-endpoint URL     use this emulator instead of starting moto
  --lambda-endpoint URL   use this Lambda endpoint instead of starting cargo lambda watch
  --python PATH           the Python that has moto (default: $ES_PYTHON, else python3)
  --no-build              `up`: skip `cargo build --workspace --bins` before the watch starts
  --reload                `up`: let cargo lambda watch start the functions with `cargo run`
                          and rebuild one when its sources change (slow to start: each
                          function is built-checked on its first call). Without it, `up`
                          runs the binaries the build made, two instances per function
  --no-reload             the default; accepted for older scripts
  --safety-poll-ms N      pause of an idle poller that nothing woke (default 5000): pollers
                          are woken after the invocations that may give them work
  --no-warm               do not start every function before printing the API line
  --deliver-twice         for idempotency tests: every SQS message is delivered twice,
                          concurrently (each batch handed to its consumer twice at once; a
                          message is retried if either invocation fails it)
  --parameter KEY=VALUE   a template parameter's value instead of its Default (repeatable;
                          `up`, `serve`, `functions`, `env`), e.g. OrderDeadlineSeconds=3
  --function-env FUNCTION:KEY=VALUE
                          `up`, `functions`: set one variable of one function's environment
                          (repeatable), e.g. take-payment:EVENTS_TABLE=missing to make a saga
                          step fail for a test
  --schedule-every SECONDS
                          `up`, `serve`: run every Schedule event of the template this often
                          instead of its rate (e.g. 1; decimals allowed). Without it a
                          rate(...) schedule runs on its rate, a cron(...) one not at all

The API line `API: http://127.0.0.1:PORT` is printed on standard output once everything runs
(every function started: the first requests pay no start-up);
logs go to standard error (filter: LOCAL_CLOUD_LOG, default local_cloud=info,warn).";

/// The command line, parsed.
#[derive(Debug)]
pub struct Options {
    pub command: String,
    pub template: Option<PathBuf>,
    pub state_dir: Option<PathBuf>,
    pub port: u16,
    pub moto_port: u16,
    pub lambda_port: u16,
    pub moto_endpoint: Option<String>,
    pub lambda_endpoint: Option<String>,
    pub python: Option<PathBuf>,
    pub build: bool,
    pub reload: bool,
    pub safety_poll: Duration,
    pub warm: bool,
    pub deliver_twice: bool,
    /// `--parameter KEY=VALUE`, by key.
    pub parameters: BTreeMap<String, String>,
    /// `--function-env FUNCTION:KEY=VALUE`: (function, key, value).
    pub function_env: Vec<(String, String, String)>,
    /// `--schedule-every SECONDS`.
    pub schedule_every: Option<Duration>,
    /// `token`: ROLE and ID.
    pub positional: Vec<String>,
    pub expires_in: i64,
}

/// The arguments after the program name; a wrong one is an error naming it.
pub fn parse_args(args: &[String]) -> Result<Options> {
    let mut options = Options {
        command: String::new(),
        template: None,
        state_dir: None,
        port: 3000,
        moto_port: 4566,
        lambda_port: 9000,
        moto_endpoint: None,
        lambda_endpoint: None,
        python: None,
        build: true,
        reload: false,
        safety_poll: crate::wake::SAFETY_POLL,
        warm: true,
        deliver_twice: false,
        parameters: BTreeMap::new(),
        function_env: Vec::new(),
        schedule_every: None,
        positional: vec![],
        expires_in: 3600,
    };
    let mut args = args.iter();
    while let Some(arg) = args.next() {
        let (flag, inline) = match arg.split_once('=') {
            Some((flag, value)) if flag.starts_with("--") => (flag, Some(value.to_string())),
            _ => (arg.as_str(), None),
        };
        let mut value = |flag: &str| -> Result<String> {
            inline
                .clone()
                .or_else(|| args.next().cloned())
                .ok_or_else(|| Error::new(format!("{flag} needs a value")))
        };
        let port = |text: String, flag: &str| -> Result<u16> {
            text.parse()
                .map_err(|_| Error::new(format!("{flag}: {text} is not a port")))
        };
        match flag {
            "up" | "serve" | "functions" | "env" | "token" | "help"
                if options.command.is_empty() =>
            {
                options.command = flag.to_string()
            }
            "-h" | "--help" => options.command = "help".into(),
            "--template" => options.template = Some(value(flag)?.into()),
            "--state-dir" => options.state_dir = Some(value(flag)?.into()),
            "--port" => options.port = port(value(flag)?, flag)?,
            "--moto-port" => options.moto_port = port(value(flag)?, flag)?,
            "--lambda-port" => options.lambda_port = port(value(flag)?, flag)?,
            "--moto-endpoint" => options.moto_endpoint = Some(value(flag)?),
            "--lambda-endpoint" => options.lambda_endpoint = Some(value(flag)?),
            "--python" => options.python = Some(value(flag)?.into()),
            "--no-build" => options.build = false,
            "--no-reload" => options.reload = false,
            "--reload" => options.reload = true,
            "--deliver-twice" => options.deliver_twice = true,
            "--no-warm" => options.warm = false,
            "--safety-poll-ms" => {
                let text = value(flag)?;
                let ms: u64 = text
                    .parse()
                    .map_err(|_| Error::new(format!("{flag}: {text} is not a number")))?;
                options.safety_poll = Duration::from_millis(ms.max(10));
            }
            "--parameter" => {
                let (key, value) = parameters::parse_assignment(&value(flag)?)?;
                options.parameters.insert(key, value);
            }
            "--function-env" => {
                let text = value(flag)?;
                let (function, assignment) = text.split_once(':').ok_or_else(|| {
                    Error::new(format!("{flag}: {text} is not FUNCTION:KEY=VALUE"))
                })?;
                let (key, value) = parameters::parse_assignment(assignment)?;
                options.function_env.push((function.to_owned(), key, value));
            }
            "--schedule-every" => {
                let text = value(flag)?;
                let seconds: f64 = text
                    .parse()
                    .ok()
                    .filter(|s: &f64| s.is_finite() && *s >= 0.01)
                    .ok_or_else(|| {
                        Error::new(format!(
                            "{flag}: {text} is not a positive number of seconds"
                        ))
                    })?;
                options.schedule_every = Some(Duration::from_secs_f64(seconds));
            }
            "--expires-in" => {
                let text = value(flag)?;
                options.expires_in = text
                    .parse()
                    .map_err(|_| Error::new(format!("{flag}: {text} is not a number")))?;
            }
            other if options.command == "token" && !other.starts_with("--") => {
                options.positional.push(other.to_string())
            }
            other => return Err(Error::new(format!("unknown argument {other} (see --help)"))),
        }
    }
    Ok(options)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn parse(args: &str) -> Result<Options> {
        let args: Vec<String> = args.split_whitespace().map(String::from).collect();
        parse_args(&args)
    }

    #[test]
    fn arguments_parse_with_defaults_and_both_flag_forms() {
        let options = parse("up").unwrap();
        assert_eq!(options.command, "up");
        assert_eq!(
            (options.port, options.moto_port, options.lambda_port),
            (3000, 4566, 9000)
        );
        assert!(options.build && !options.reload);
        assert!(parse("up --reload").unwrap().reload);
        assert!(!options.deliver_twice);

        let options = parse(
            "serve --moto-endpoint http://127.0.0.1:1 --lambda-endpoint=http://127.0.0.1:2 --port 0 --state-dir /tmp/x --no-reload",
        )
        .unwrap();
        assert_eq!(options.command, "serve");
        assert_eq!(options.moto_endpoint.as_deref(), Some("http://127.0.0.1:1"));
        assert_eq!(
            options.lambda_endpoint.as_deref(),
            Some("http://127.0.0.1:2")
        );
        assert_eq!(options.port, 0);
        assert_eq!(options.state_dir, Some(PathBuf::from("/tmp/x")));
        assert!(!options.reload);

        assert!(!options.deliver_twice);

        assert!(parse("up --port nope").is_err());
        assert!(parse("up --bogus").is_err());
        assert!(parse("up --port").is_err());
    }

    #[test]
    fn deliver_twice_is_a_flag_of_serve_and_up() {
        let options = parse(
            "serve --moto-endpoint http://127.0.0.1:1 --deliver-twice --lambda-endpoint http://127.0.0.1:2",
        )
        .unwrap();
        assert_eq!(options.command, "serve");
        assert!(options.deliver_twice);
        assert_eq!(
            options.lambda_endpoint.as_deref(),
            Some("http://127.0.0.1:2")
        );
        let options = parse("up --no-reload --deliver-twice").unwrap();
        assert_eq!(options.command, "up");
        assert!(options.deliver_twice && !options.reload);
    }

    #[test]
    fn parameters_repeat_and_schedules_take_seconds() {
        let options = parse(
            "functions --parameter OrderDeadlineSeconds=3 --parameter=AlarmEmail= --parameter A=b=c",
        )
        .unwrap();
        assert_eq!(
            options.parameters,
            BTreeMap::from([
                ("A".to_string(), "b=c".to_string()),
                ("AlarmEmail".to_string(), String::new()),
                ("OrderDeadlineSeconds".to_string(), "3".to_string()),
            ])
        );
        assert_eq!(options.schedule_every, None);
        let options = parse("functions --function-env take-payment:EVENTS_TABLE=x").unwrap();
        assert_eq!(
            options.function_env,
            [("take-payment".into(), "EVENTS_TABLE".into(), "x".into())]
        );
        assert!(parse("functions --function-env EVENTS_TABLE=x").is_err());
        let options = parse("serve --schedule-every 1 --parameter X=1").unwrap();
        assert_eq!(options.schedule_every, Some(Duration::from_secs(1)));
        assert_eq!(
            parse("up --schedule-every 0.5").unwrap().schedule_every,
            Some(Duration::from_millis(500))
        );
        assert!(parse("up --parameter NoEquals").is_err());
        assert!(parse("up --schedule-every 0").is_err());
        assert!(parse("up --schedule-every soon").is_err());
    }

    #[test]
    fn token_takes_a_role_an_id_and_a_lifetime() {
        let options = parse("token radar r-1 --expires-in -60 --template /t.yaml").unwrap();
        assert_eq!(options.command, "token");
        assert_eq!(options.positional, ["radar", "r-1"]);
        assert_eq!(options.expires_in, -60);
        assert_eq!(options.template, Some(PathBuf::from("/t.yaml")));
        assert_eq!(parse("token operator").unwrap().expires_in, 3600);
        assert!(parse("token operator --expires-in soon").is_err());
        assert!(parse("token operator --bogus").is_err());
        assert!(parse("env operator").is_err());
    }
}
