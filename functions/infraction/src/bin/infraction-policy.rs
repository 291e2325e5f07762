//! InfractionPolicyQueue → infractions opened and given their owner (see `policy`).

use infraction_functions::policy::InfractionPolicy;

#[tokio::main]
async fn main() -> Result<(), lambda_runtime::Error> {
    event_consumer::init_tracing();
    let config = event_consumer::sdk_config().await;
    let policy = InfractionPolicy::from_env(aws_sdk_dynamodb::Client::new(&config))?;
    let policy = &policy;
    event_consumer::run_sqs_consumer(move |envelope| async move {
        policy.handle(&envelope).await.map(drop)
    })
    .await
}
