//! One key's item in the idempotency table: claimed with a conditional put, read
//! consistently, taken over after its lease, then completed with the answer or released.

use std::collections::HashMap;
use std::time::{SystemTime, UNIX_EPOCH};

use aws_sdk_dynamodb::error::{ProvideErrorMetadata, SdkError};
use aws_sdk_dynamodb::types::AttributeValue;

use super::decision::{in_progress_answer, reused};
use super::{
    decide, Begin, Claim, Decision, Held, Idempotency, State, StoredAnswer, CLAIM_ATTEMPTS, DONE,
    IN_PROGRESS, RETENTION,
};
use crate::{ApiRequest, ApiResponse, CORRELATION_HEADER};

fn now_secs() -> u64 {
    SystemTime::now()
        .duration_since(UNIX_EPOCH)
        .map_or(0, |d| d.as_secs())
}

/// One key's item in the table.
pub(super) struct Record {
    pub(super) dynamodb: aws_sdk_dynamodb::Client,
    pub(super) table: String,
    pub(super) key: String,
    pub(super) request_hash: String,
}

/// A write refused by its condition, or another failure of the table.
enum WriteError {
    Condition,
    Failed(String),
}

fn write_error<E, R>(error: SdkError<E, R>) -> WriteError
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    let code = error.as_service_error().and_then(|e| e.code());
    if code == Some("ConditionalCheckFailedException") {
        WriteError::Condition
    } else {
        WriteError::Failed(describe(&error))
    }
}

fn describe<E, R>(error: &SdkError<E, R>) -> String
where
    E: ProvideErrorMetadata + std::error::Error + 'static,
    R: std::fmt::Debug,
{
    match error.as_service_error() {
        Some(service) => format!(
            "{}: {}",
            service.code().unwrap_or("error"),
            service.message().unwrap_or_default()
        ),
        None => format!("{error:?}"),
    }
}

fn s(value: impl Into<String>) -> AttributeValue {
    AttributeValue::S(value.into())
}

fn n(value: impl ToString) -> AttributeValue {
    AttributeValue::N(value.to_string())
}

impl Record {
    pub(super) async fn claim(
        &self,
        settings: &Idempotency,
        request: &ApiRequest,
    ) -> Result<Begin, String> {
        for _ in 0..CLAIM_ATTEMPTS {
            let now = now_secs();
            let token = uuid::Uuid::new_v4().to_string();
            let held = |token: String| {
                Begin::Run(Claim(Some(Held {
                    record: self.clone_record(),
                    token,
                    correlation_id: request.correlation_id.clone(),
                })))
            };
            let lease_until = settings.lease_until(now);
            match self.put_claim(&token, now, lease_until, None).await {
                Ok(()) => return Ok(held(token)),
                Err(WriteError::Condition) => {}
                Err(WriteError::Failed(error)) => return Err(error),
            }
            let Some((record_hash, state)) = self.read(now).await? else {
                continue; // released, or expired, meanwhile: claim again
            };
            match decide(&record_hash, &state, &self.request_hash, now) {
                Decision::Reused => return Ok(Begin::Refuse(reused())),
                Decision::Replay(answer) => return answer.replay(request).map(Begin::Answer),
                Decision::InProgress => return Ok(Begin::Answer(in_progress_answer())),
                Decision::TakeOver { lease_until: seen } => {
                    match self.put_claim(&token, now, lease_until, Some(seen)).await {
                        Ok(()) => {
                            tracing::warn!(
                                "an attempt's lease ended before it answered: taken over"
                            );
                            return Ok(held(token));
                        }
                        Err(WriteError::Condition) => {}
                        Err(WriteError::Failed(error)) => return Err(error),
                    }
                }
            }
        }
        Ok(Begin::Answer(in_progress_answer()))
    }

    fn clone_record(&self) -> Record {
        Record {
            dynamodb: self.dynamodb.clone(),
            table: self.table.clone(),
            key: self.key.clone(),
            request_hash: self.request_hash.clone(),
        }
    }

    /// Claims the key: free (absent or expired), or, with `over`, held by an attempt whose
    /// lease (`over`) has ended.
    async fn put_claim(
        &self,
        token: &str,
        now: u64,
        lease_until: u64,
        over: Option<u64>,
    ) -> Result<(), WriteError> {
        let put = self
            .dynamodb
            .put_item()
            .table_name(&self.table)
            .item("key", s(&self.key))
            .item("request_hash", s(&self.request_hash))
            .item("state", s(IN_PROGRESS))
            .item("claim", s(token))
            .item("lease_until", n(lease_until))
            .item("expires_at", n(now + RETENTION.as_secs()))
            .expression_attribute_names("#expires", "expires_at");
        let put = match over {
            None => put
                .condition_expression("attribute_not_exists(#k) OR #expires < :now")
                .expression_attribute_names("#k", "key")
                .expression_attribute_values(":now", n(now)),
            Some(seen) => put
                .condition_expression(
                    "#state = :in_progress AND #lease = :seen AND #hash = :hash AND #expires >= :now",
                )
                .expression_attribute_names("#state", "state")
                .expression_attribute_names("#lease", "lease_until")
                .expression_attribute_names("#hash", "request_hash")
                .expression_attribute_values(":in_progress", s(IN_PROGRESS))
                .expression_attribute_values(":seen", n(seen))
                .expression_attribute_values(":hash", s(&self.request_hash))
                .expression_attribute_values(":now", n(now)),
        };
        put.send().await.map(|_| ()).map_err(write_error)
    }

    /// The live record (consistent read): its request hash and state; `None` when absent or
    /// expired.
    async fn read(&self, now: u64) -> Result<Option<(String, State)>, String> {
        let output = self
            .dynamodb
            .get_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .consistent_read(true)
            .send()
            .await
            .map_err(|e| describe(&e))?;
        let Some(item) = output.item else {
            return Ok(None);
        };
        let text = |name: &str| match item.get(name) {
            Some(AttributeValue::S(value)) => Ok(value.clone()),
            _ => Err(format!("the record has no {name}")),
        };
        let number = |name: &str| match item.get(name) {
            Some(AttributeValue::N(value)) => value
                .parse::<u64>()
                .map_err(|_| format!("the record's {name} is not a number")),
            _ => Err(format!("the record has no {name}")),
        };
        if number("expires_at")? < now {
            return Ok(None);
        }
        let state = match text("state")?.as_str() {
            IN_PROGRESS => State::InProgress {
                lease_until: number("lease_until")?,
            },
            DONE => State::Done(StoredAnswer {
                status: u16::try_from(number("status")?)
                    .map_err(|_| "the record's status is out of range".to_owned())?,
                body: text("body")?,
                headers: match item.get("headers") {
                    Some(AttributeValue::M(map)) => map
                        .iter()
                        .filter_map(|(k, v)| v.as_s().ok().map(|v| (k.clone(), v.clone())))
                        .collect(),
                    _ => Vec::new(),
                },
                correlation_id: text("correlation_id").unwrap_or_default(),
            }),
            other => return Err(format!("the record's state {other} is unknown")),
        };
        Ok(Some((text("request_hash")?, state)))
    }

    /// Records the answer, if this attempt still holds the key.
    pub(super) async fn store(
        &self,
        token: &str,
        response: &ApiResponse,
        correlation_id: &str,
    ) -> Result<(), String> {
        let headers: HashMap<String, AttributeValue> = response
            .headers()
            .iter()
            .filter(|(name, _)| name.as_str() != CORRELATION_HEADER)
            .map(|(name, value)| (name.as_str().to_owned(), s(value)))
            .collect();
        let result = self
            .dynamodb
            .update_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .update_expression(
                "SET #state = :done, #status = :status, #body = :body, #headers = :headers, \
                 #correlation = :correlation REMOVE #claim, #lease",
            )
            .condition_expression("#claim = :token")
            .expression_attribute_names("#state", "state")
            .expression_attribute_names("#status", "status")
            .expression_attribute_names("#body", "body")
            .expression_attribute_names("#headers", "headers")
            .expression_attribute_names("#correlation", "correlation_id")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_names("#lease", "lease_until")
            .expression_attribute_values(":done", s(DONE))
            .expression_attribute_values(":status", n(response.status()))
            .expression_attribute_values(":body", s(response.body().to_string()))
            .expression_attribute_values(":headers", AttributeValue::M(headers))
            .expression_attribute_values(":correlation", s(correlation_id))
            .expression_attribute_values(":token", s(token))
            .send()
            .await;
        match result.map_err(write_error) {
            Ok(_) => Ok(()),
            Err(WriteError::Condition) => {
                Err("another attempt took the key over (this one outlived its lease)".into())
            }
            Err(WriteError::Failed(error)) => Err(error),
        }
    }

    /// Deletes the claim, if this attempt still holds it, so that a retry runs again.
    pub(super) async fn release(&self, token: &str) -> Result<(), String> {
        let result = self
            .dynamodb
            .delete_item()
            .table_name(&self.table)
            .key("key", s(&self.key))
            .condition_expression("#claim = :token")
            .expression_attribute_names("#claim", "claim")
            .expression_attribute_values(":token", s(token))
            .send()
            .await;
        match result.map_err(write_error) {
            Ok(_) | Err(WriteError::Condition) => Ok(()),
            Err(WriteError::Failed(error)) => Err(error),
        }
    }
}
