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
        if request.owes_subject_check() {
            // An owner pays or contests only its own infractions: whose it is, from the store
            // (an infraction's owner, once assigned, never changes).
            let loaded = app
                .store()?
                .load::<traffic_domain::Infraction>(&infraction_id.to_string())
                .await?;
            let owner = loaded.state.owner_id.map(|id| id.to_string());
            request.ensure_subject(owner.as_deref(), "infraction", &infraction_id.to_string())?;
        }
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
