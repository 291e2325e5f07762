//! Putting envelopes on the bus exactly as the publisher does: its entries
//! (`platform_functions::publisher::entry`: source = the service, detail-type = the event type,
//! detail = the envelope), in calls of at most 10 entries and 256 KB.

use aws_sdk_eventbridge::Client;
use aws_smithy_types::error::display::DisplayErrorContext;
use es_core::EventEnvelope;
use platform_functions::publisher::entries::{calls, entry_size, results};
use platform_functions::publisher::{entry, MAX_CALL_BYTES};

/// Puts `envelopes` on `bus`; for each, in order, `Ok` when the bus took it, else why not.
pub async fn put(
    client: &Client,
    bus: &str,
    envelopes: &[EventEnvelope],
) -> Vec<Result<(), String>> {
    let entries: Vec<_> = envelopes.iter().map(|e| entry(e, bus)).collect();
    let sizes: Vec<usize> = entries.iter().map(entry_size).collect();
    let (calls, too_large) = calls(&sizes);
    let mut outcomes: Vec<Result<(), String>> = vec![Ok(()); envelopes.len()];
    for i in too_large {
        outcomes[i] = Err(format!(
            "its entry has {} bytes, more than the {MAX_CALL_BYTES} a PutEvents call takes",
            sizes[i]
        ));
    }
    for range in calls {
        let answer = client
            .put_events()
            .set_entries(Some(entries[range.clone()].to_vec()))
            .send()
            .await;
        match answer {
            Ok(answer) => {
                for (i, refusal) in range.clone().zip(results(range.len(), &answer)) {
                    if let Some(refusal) = refusal {
                        outcomes[i] = Err(format!("{}: {}", refusal.code, refusal.message));
                    }
                }
            }
            Err(error) => {
                let error = DisplayErrorContext(&error).to_string();
                for i in range {
                    outcomes[i] = Err(format!("PutEvents failed: {error}"));
                }
            }
        }
    }
    outcomes
}
