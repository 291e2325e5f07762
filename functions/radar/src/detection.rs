//! Recording a detection, idempotently by `detection_id`.
//!
//! `OverspeedDetected` claims its `detection_id` in the same atomic write (a uniqueness guard),
//! so a resent detection appends nothing: the guard is taken and the answer is rebuilt from the
//! id alone (the infraction id is derived from it). A resent detection that the radar would now
//! refuse (it was switched off since) is still answered as the first time.

use es_core::{CommandContext, Rejection, StreamId, UniqueClaim};
use event_store::{CommandError, CommandHandler, Expected};
use http_api::ApiError;
use serde::Serialize;
use traffic_domain::{infraction_id_for, Radar, RadarCommand, RecordDetection, DETECTION_ID_SCOPE};
use uuid::Uuid;

#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct DetectionAccepted {
    pub detection_id: Uuid,
    pub infraction_id: Uuid,
    /// False when the detection had already been recorded.
    #[serde(skip)]
    pub recorded_now: bool,
}

pub async fn record_detection(
    commands: &CommandHandler,
    radar_id: Uuid,
    detection: RecordDetection,
    ctx: &CommandContext,
) -> Result<DetectionAccepted, ApiError> {
    let detection_id = detection.detection_id;
    let accepted = |recorded_now| DetectionAccepted {
        detection_id,
        infraction_id: infraction_id_for(detection_id),
        recorded_now,
    };
    let radar = radar_id.to_string();
    let command = RadarCommand::RecordDetection(detection);
    match commands
        .execute::<Radar>(&radar, &command, Expected::Any, ctx)
        .await
    {
        Ok(_) => Ok(accepted(true)),
        Err(CommandError::Duplicate { .. }) | Err(CommandError::Rejected(_))
            if already_recorded_by(commands, radar_id, detection_id).await? =>
        {
            Ok(accepted(false))
        }
        Err(CommandError::Duplicate { .. }) => Err(Rejection::conflict(
            "duplicate_detection_id",
            format!("detection {detection_id} was recorded by another radar"),
        )
        .into()),
        Err(other) => Err(other.into()),
    }
}

async fn already_recorded_by(
    commands: &CommandHandler,
    radar_id: Uuid,
    detection_id: Uuid,
) -> Result<bool, ApiError> {
    let claim = UniqueClaim {
        scope: DETECTION_ID_SCOPE,
        value: detection_id.to_string(),
    };
    let holder = commands.store().claimed_by(&claim).await?;
    Ok(holder == Some(StreamId::new("radar", radar_id.to_string())))
}
