//! The infraction service: its commands, queries, projection and policy.

pub mod policy;
pub mod queries;

/// The infraction commands that take a JSON body (pay, contest, cancel, amend): each binary is
/// this function with its command's parser.
pub async fn serve_command<C>(
    source: &'static str,
    parse: fn(&serde_json::Value) -> Result<C, es_core::ValidationError>,
) -> Result<(), lambda_http::Error>
where
    C: Into<traffic_domain::InfractionCommand> + Send + 'static,
{
    http_api::serve(source, move |app, request| async move {
        let infraction_id = request.uuid_parameter("infraction_id", "infraction")?;
        let command = parse(&request.json()?)?;
        let outcome = app
            .execute::<traffic_domain::Infraction>(
                &request,
                &infraction_id.to_string(),
                command.into(),
            )
            .await?;
        Ok(http_api::ApiResponse::version(
            "infraction_id",
            infraction_id,
            outcome.version,
        ))
    })
    .await
}
