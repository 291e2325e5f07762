//! Ids derived from other ids, so that a redelivered event leads to the same aggregate.

use uuid::Uuid;

/// Our own UUID v5 namespace for infraction ids. Never change it: every stored
/// `OverspeedDetected` carries an `infraction_id` derived with it.
pub const INFRACTION_NAMESPACE: Uuid = Uuid::from_u128(0x40520e09_833f_486b_af59_3dc3da685496);

/// The id of the infraction opened for a detection: the radar computes it when it records the
/// detection (to answer the client at once) and the infraction policy uses it as the stream
/// id, so receiving the event twice reaches the same infraction.
pub fn infraction_id_for(detection_id: Uuid) -> Uuid {
    Uuid::new_v5(&INFRACTION_NAMESPACE, detection_id.as_bytes())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn same_detection_same_infraction() {
        let detection = Uuid::new_v4();
        assert_eq!(infraction_id_for(detection), infraction_id_for(detection));
    }

    #[test]
    fn different_detections_differ_and_differ_from_the_detection() {
        let a = Uuid::new_v4();
        let b = Uuid::new_v4();
        assert_ne!(infraction_id_for(a), infraction_id_for(b));
        assert_ne!(infraction_id_for(a), a);
        assert_eq!(infraction_id_for(a).get_version_num(), 5);
    }

    #[test]
    fn is_stable_across_releases() {
        // Pinned: changing the namespace would orphan every stored infraction id.
        assert_eq!(
            infraction_id_for(Uuid::nil()),
            Uuid::new_v5(&INFRACTION_NAMESPACE, &[0; 16])
        );
        assert_eq!(
            INFRACTION_NAMESPACE.to_string(),
            "40520e09-833f-486b-af59-3dc3da685496"
        );
    }
}
