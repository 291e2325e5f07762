//! The command line.

use chrono::{DateTime, Utc};
use clap::{Parser, Subcommand};

use crate::rebuild::ViewName;

#[derive(Debug, Parser)]
#[command(
    name = "es-admin",
    about = "Operates a deployed stack (default AWS credentials) or the local cloud (localstack/admin): \
rebuilds a read model, republishes stored events, inspects and redrives dead-letter queues, \
follows the event feed. Prints what it did; exits 1 if anything failed.",
    after_help = "Resources are found by their template's logical ids: in a stack, tables and queues are \
named {stack}-{LogicalId}-{suffix} and found by listing; in the local cloud (--local) they are \
named after their logical id. The bus is {stack}-traffic. AWS_ENDPOINT_URL, AWS_REGION and the \
credentials come from the environment as for any AWS tool."
)]
pub struct Cli {
    /// The CloudFormation stack (the local cloud's is es-serverless, the default).
    #[arg(long, global = true, default_value = "es-serverless")]
    pub stack: String,
    /// The local cloud: resources named after their logical ids (localstack/admin sets it).
    #[arg(long, global = true)]
    pub local: bool,
    #[command(subcommand)]
    pub command: Command,
}

#[derive(Debug, Subcommand)]
pub enum Command {
    /// Replays the store's global feed into one read model, in place, with the projection
    /// code of its project-* function.
    #[command(long_about = REBUILD_HELP)]
    Rebuild {
        /// radars, owners, vehicles, infractions, inventory, customers, carts or orders
        /// (plate-owners is refused: it is not a projection)
        view: ViewName,
        /// Empty the table first, so that every item is folded again from version 1 (after
        /// a change of the view's fold); items read as 404 until replayed. Always done for
        /// orders.
        #[arg(long)]
        clear: bool,
    },
    /// Puts the stored events that occurred in [--from, --to) on the bus again, as the
    /// publisher put them (consumers are idempotent).
    Republish {
        /// RFC 3339, e.g. 2026-12-03T10:00:00Z (inclusive)
        #[arg(long, value_parser = parse_time)]
        from: DateTime<Utc>,
        /// RFC 3339 (exclusive)
        #[arg(long, value_parser = parse_time)]
        to: DateTime<Utc>,
    },
    /// The stack's dead-letter queues.
    #[command(subcommand)]
    Dlq(DlqCommand),
    /// Prints events as they are appended (type, stream, version, time, correlation id; never
    /// the data), until Ctrl-C.
    Tail {
        /// Only this correlation's events.
        #[arg(long)]
        correlation_id: Option<String>,
        /// Print the newest events and stop.
        #[arg(long)]
        once: bool,
        /// How many of the newest events to print first.
        #[arg(long, default_value_t = 20)]
        last: usize,
        /// Pause between polls of the feed, in milliseconds.
        #[arg(long, default_value_t = 1000)]
        interval_ms: u64,
    },
}

#[derive(Debug, Subcommand)]
pub enum DlqCommand {
    /// Every dead-letter queue with its approximate message count.
    List,
    /// Prints a queue's messages (body, attributes, receive count) and leaves them there.
    Show {
        /// The queue's logical id, e.g. RadarProjectionQueueDLQ
        queue: String,
        /// At most this many messages.
        #[arg(long, default_value_t = 50)]
        max: usize,
    },
    /// Sends each message back where it came from, deleting it only once sent: to the queue
    /// whose RedrivePolicy names this one, to its rule target (TARGET_ARN), or, for
    /// PublishEventsDLQ, to the bus.
    Redrive {
        /// The queue's logical id, e.g. RadarProjectionQueueDLQ
        queue: String,
    },
}

const REBUILD_HELP: &str = "\
Replays the store's global feed into one read model, in place, with the projection code of its \
project-* function (projection::Projector, or JoinProjector with the report counters for \
orders). The API keeps answering meanwhile.

In place rather than into a copy: the functions read tables whose names are fixed at deploy \
time, so a copy could not be swapped in. Both the rebuild and the live projection write \
conditionally on the version they read, so they can run together.

- radars, owners, vehicles, infractions, inventory, customers, carts: each stream's newest \
event is projected; a missing or lagging item is folded from the store up to it, an item \
already at it is left alone (counted as up to date). --clear empties the table first.
- orders: OrdersTable and OrderReportsTable (the report counters, moved in the order's \
transaction) are both cleared, then every order, stock and payment event is projected, \
counters included, so they are never counted twice. Rebuild orders when no checkout is in \
flight: an order the saga moves while the tables are being cleared can be miscounted.
- plate-owners is refused: PlateOwnersTable is the infraction policy's own state, written with \
the events the policy appends, not a projection of the store.";

fn parse_time(text: &str) -> Result<DateTime<Utc>, String> {
    DateTime::parse_from_rfc3339(text)
        .map(|t| t.with_timezone(&Utc))
        .map_err(|e| format!("{text:?} is not an RFC 3339 time ({e})"))
}
