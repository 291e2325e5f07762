//! es-admin: see the library (`es_admin::run`) and `es-admin --help`.

use clap::Parser;
use std::process::ExitCode;

#[tokio::main]
async fn main() -> ExitCode {
    let cli = es_admin::cli::Cli::parse();
    match es_admin::run(cli).await {
        Ok(true) => ExitCode::SUCCESS,
        Ok(false) => ExitCode::FAILURE,
        Err(error) => {
            eprintln!("es-admin: {error}");
            ExitCode::FAILURE
        }
    }
}
