//! The benchmark of issue 10, in one run on one moto: our store against dynamo-es (requests
//! per command, write units per event), the order reports (DynamoDB requests of
//! `GET /statistics/orders` and `GET /customers/{id}/summary` at 10 and at 1,000 orders, from
//! the report counters and the old way), then the cold start of `register-owner` against a
//! hello-world function. Figures are printed, never asserted.
//!
//! Usage: `es-bench <register-owner binary> <sam artifact>`; `scripts/bench` builds and passes
//! them. The hello-world binary is this package's `hello`, next to this one.
//!
//! `ES_BENCH_ONLY=<section>[,<section>…]` runs only those sections, of `store` (our store
//! against dynamo-es), `reports` and `cold` (cold starts); unset, all of them. Only `cold`
//! needs the arguments.

mod cold;
mod compare;
mod meter;
mod ours;
mod peer;
mod proxy;
mod reports;
mod stub;
mod units;

use std::path::PathBuf;
use test_support::Moto;

#[tokio::main]
async fn main() {
    let only = std::env::var("ES_BENCH_ONLY").ok();
    let wanted = |section: &str| {
        only.as_deref()
            .is_none_or(|only| only.split(',').any(|s| s.trim() == section))
    };
    let mut args = std::env::args().skip(1);
    let function = args.next().map(PathBuf::from);
    let sam_artifact = PathBuf::from(args.next().unwrap_or_default());
    let hello = std::env::current_exe()
        .expect("own path")
        .with_file_name("hello");

    eprintln!("bench: starting moto");
    let moto = Moto::start();
    if wanted("store") {
        eprintln!("bench: store comparison");
        compare::run(&moto).await;
    }
    if wanted("reports") {
        eprintln!("bench: order reports");
        reports::run(&moto).await;
    }
    if wanted("cold") {
        eprintln!("bench: cold starts ({} runs each)", cold::RUNS);
        cold::run(
            &moto,
            &cold::Binaries {
                function: function.expect("the register-owner binary"),
                hello,
                sam_artifact,
            },
        )
        .await;
    }
}
