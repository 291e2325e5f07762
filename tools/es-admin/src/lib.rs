//! `es-admin`, the operator's tool of SPEC §9: `rebuild VIEW`, `republish --from T --to T`,
//! `dlq list | show QUEUE | redrive QUEUE`, `tail [--correlation-id ID]`, against a deployed
//! stack or the local cloud (`localstack/admin`). Each command prints what it did, with
//! counts, and fails (exit 1) when anything failed.

pub mod bus;
pub mod cli;
pub mod dlq;
pub mod error;
pub mod feed;
pub mod progress;
pub mod rebuild;
pub mod republish;
pub mod stack;
pub mod tail;

use std::time::Duration;

use cli::{Cli, Command, DlqCommand};
use error::Result;
use stack::{Naming, Stack};

/// Runs one command; `Ok(true)` when everything it did succeeded.
pub async fn run(cli: Cli) -> Result<bool> {
    let naming = if cli.local {
        Naming::Local
    } else {
        Naming::Deployed {
            stack: cli.stack.clone(),
        }
    };
    let stack = Stack::connect(naming, cli.stack.clone()).await;
    match cli.command {
        Command::Rebuild { view, clear } => {
            let rebuilt = rebuild::rebuild(&stack, view, clear).await?;
            println!("{rebuilt}");
            Ok(rebuilt.failed == 0)
        }
        Command::Republish { from, to } => {
            let republished = republish::republish(&stack, from, to).await?;
            println!("{republished}");
            Ok(republished.failed == 0)
        }
        Command::Dlq(DlqCommand::List) => {
            println!("{}", dlq::format_list(&dlq::list(&stack).await?));
            Ok(true)
        }
        Command::Dlq(DlqCommand::Show { queue, max }) => {
            println!("{}", dlq::show(&stack, &queue, max).await?);
            Ok(true)
        }
        Command::Dlq(DlqCommand::Redrive { queue }) => {
            let redriven = dlq::redrive(&stack, &queue).await?;
            println!("{redriven}");
            Ok(redriven.failed == 0)
        }
        Command::Tail {
            correlation_id,
            once,
            last,
            interval_ms,
        } => {
            let options = tail::TailOptions {
                correlation_id,
                once,
                last,
                interval: Duration::from_millis(interval_ms.max(100)),
            };
            tail::tail(&stack, &options, &mut std::io::stdout().lock()).await?;
            Ok(true)
        }
    }
}
