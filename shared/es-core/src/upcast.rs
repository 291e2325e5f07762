//! Upcasting: events stored with an older `schema_version` are upgraded on read, step by
//! step, before anything decodes them.
//!
//! An event type whose data changes shape bumps its [`DomainEvent::schema_version`] and
//! registers an [`Upcaster`] from the old version to the new one in
//! [`DomainEvent::UPCASTERS`]. Stored events are never rewritten: every read (the event
//! store's loads, the projectors, the policies) goes through [`crate::EventEnvelope::decode`],
//! which runs the upcasters from the stored version up, then checks that the data reached
//! exactly the version the build writes.
//!
//! [`DomainEvent::schema_version`]: crate::DomainEvent::schema_version
//! [`DomainEvent::UPCASTERS`]: crate::DomainEvent::UPCASTERS

use serde_json::Value;

/// Upgrades the data of one event type from schema version `from` to `from + 1`.
///
/// Pure and infallible: data the new shape cannot read fails when it is decoded, loudly.
#[derive(Debug, Clone, Copy)]
pub struct Upcaster {
    /// The envelope's `event_type` this upcaster applies to.
    pub event_type: &'static str,
    /// The schema version it reads; it writes `from + 1`.
    pub from: u32,
    pub upcast: fn(Value) -> Value,
}

/// `data` of `event_type` stored at `version`, upgraded by `upcasters` as far as they go, with
/// the version it reached.
pub fn upcast(
    upcasters: &[Upcaster],
    event_type: &str,
    version: u32,
    data: &Value,
) -> (Value, u32) {
    let mut version = version;
    let mut data = data.clone();
    while let Some(step) = upcasters
        .iter()
        .find(|u| u.event_type == event_type && u.from == version)
    {
        data = (step.upcast)(data);
        version += 1;
    }
    (data, version)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn v1_to_v2(mut data: Value) -> Value {
        if let Some(fields) = data.as_object_mut() {
            let weight = fields.remove("weight").unwrap_or(Value::Null);
            fields.insert("weight_kg".into(), weight);
        }
        data
    }

    fn v2_to_v3(mut data: Value) -> Value {
        let grams = data["weight_kg"]
            .as_f64()
            .map(|kg| (kg * 1000.0).round() as u64);
        if let Some(fields) = data.as_object_mut() {
            fields.remove("weight_kg");
            fields.insert("weight_grams".into(), json!(grams));
        }
        data
    }

    const STEPS: &[Upcaster] = &[
        Upcaster {
            event_type: "Weighed",
            from: 2,
            upcast: v2_to_v3,
        },
        Upcaster {
            event_type: "Weighed",
            from: 1,
            upcast: v1_to_v2,
        },
    ];

    #[test]
    fn runs_every_step_from_the_stored_version_in_order() {
        let (data, version) = upcast(STEPS, "Weighed", 1, &json!({"weight": 1.25}));
        assert_eq!((data, version), (json!({"weight_grams": 1250}), 3));
        let (data, version) = upcast(STEPS, "Weighed", 2, &json!({"weight_kg": 2.0}));
        assert_eq!((data, version), (json!({"weight_grams": 2000}), 3));
    }

    #[test]
    fn other_types_and_current_versions_pass_unchanged() {
        let data = json!({"weight": 1});
        assert_eq!(upcast(STEPS, "Other", 1, &data), (data.clone(), 1));
        assert_eq!(upcast(STEPS, "Weighed", 3, &data), (data.clone(), 3));
        assert_eq!(upcast(&[], "Weighed", 1, &data), (data, 1));
    }
}
