//! The radar view of `GET /radars` and `GET /radars/{radar_id}`.

use traffic_domain::Radar;

use crate::state_view::aggregate_state_view;
use crate::tables::RADARS_KEY;

aggregate_state_view! {
    /// The radar's state (see [`crate::state_view`]) and the view's bookkeeping.
    RadarView { radar: Radar },
    RADARS_KEY
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{at, envelope, overspeed, replay, through_dynamo};
    use es_core::Aggregate;
    use projection::View;
    use serde_json::json;
    use traffic_domain::OverspeedDetection;
    use traffic_domain::RadarEvent;
    use traffic_domain::RadarStatus;
    use uuid::Uuid;

    const ID: &str = "6f1c2a9e-3b7d-4c55-8f0e-2d9a1b3c4d5e";

    fn radar_id() -> Uuid {
        ID.parse().unwrap()
    }

    fn installed() -> RadarEvent {
        RadarEvent::RadarInstalled {
            radar_id: radar_id(),
            name: "A1 north".into(),
            road: "A1".into(),
            latitude: 48.85,
            longitude: 2.35,
            altitude_m: None,
            max_speed_kmh: 110,
            status: RadarStatus::Active,
        }
    }

    fn detection() -> RadarEvent {
        RadarEvent::OverspeedDetected(OverspeedDetection {
            radar_id: radar_id(),
            ..overspeed(130, "2026-01-01T10:00:00Z")
        })
    }

    fn fold(events: &[RadarEvent]) -> RadarView {
        replay("radar", ID, events, |i| {
            format!("2026-01-01T00:00:{:02}.500Z", i + 1)
        })
    }

    #[test]
    fn installed_sets_every_field() {
        let view = fold(&[installed()]);
        assert_eq!(view.radar.radar_id, Some(radar_id()));
        assert_eq!(view.radar.name, "A1 north");
        assert_eq!(view.radar.road, "A1");
        assert_eq!((view.radar.latitude, view.radar.longitude), (48.85, 2.35));
        assert_eq!(view.radar.altitude_m, None);
        assert_eq!(view.radar.max_speed_kmh, 110);
        assert_eq!(view.radar.status, RadarStatus::Active);
        assert_eq!(view.radar.detections_count, 0);
        assert_eq!(view.version, 1);
        assert_eq!(view.updated_at, at("2026-01-01T00:00:01.500Z"));
    }

    #[test]
    fn details_changed_changes_only_what_it_carries() {
        let view = fold(&[
            installed(),
            RadarEvent::RadarDetailsChanged {
                name: Some("A1 north, km 12".into()),
                road: None,
                latitude: None,
                longitude: Some(2.5),
                altitude_m: Some(35.0),
            },
        ]);
        assert_eq!(view.radar.name, "A1 north, km 12");
        assert_eq!(view.radar.road, "A1");
        assert_eq!((view.radar.latitude, view.radar.longitude), (48.85, 2.5));
        assert_eq!(view.radar.altitude_m, Some(35.0));
        assert_eq!(view.version, 2);

        let view = fold(&[
            installed(),
            RadarEvent::RadarDetailsChanged {
                name: None,
                road: Some("A6".into()),
                latitude: Some(45.0),
                longitude: None,
                altitude_m: None,
            },
        ]);
        assert_eq!(
            (view.radar.name.as_str(), view.radar.road.as_str()),
            ("A1 north", "A6")
        );
        assert_eq!(view.radar.latitude, 45.0);
    }

    #[test]
    fn speed_limit_and_status_changed() {
        let view = fold(&[
            installed(),
            RadarEvent::RadarSpeedLimitChanged {
                max_speed_kmh: 90,
                previous_max_speed_kmh: 110,
            },
            RadarEvent::RadarStatusChanged {
                status: RadarStatus::OutOfOrder,
                previous_status: RadarStatus::Active,
            },
        ]);
        assert_eq!(view.radar.max_speed_kmh, 90);
        assert_eq!(view.radar.status, RadarStatus::OutOfOrder);
        assert_eq!(view.version, 3);
    }

    #[test]
    fn each_detection_counts() {
        let view = fold(&[installed(), detection(), detection(), detection()]);
        assert_eq!(view.radar.detections_count, 3);
        assert_eq!(view.version, 4);
        assert_eq!(
            view.radar.max_speed_kmh, 110,
            "a detection changes nothing else"
        );
    }

    #[test]
    fn an_unknown_event_is_refused_and_the_view_stays_where_it_was() {
        let first = envelope("radar", ID, 1, &installed(), "2026-01-01T00:00:01.500Z");
        let mut unknown = envelope("radar", ID, 2, &installed(), "2026-01-02T00:00:00Z");
        unknown.event_type = "RadarRepainted".into();
        unknown.data = json!({"colour": "red"});
        let refused = RadarView::try_replay([&first, &unknown]).unwrap_err();
        assert!(
            matches!(
                &refused,
                projection::ProjectionError::Undecodable { version: 2, .. }
            ),
            "{refused}"
        );
        let view = RadarView::replay([&first]);
        assert_eq!(view, fold(&[installed()]));
        assert_eq!(view.version, 1);
    }

    #[test]
    fn the_fold_is_the_radars_own() {
        let events = [
            installed(),
            RadarEvent::RadarDetailsChanged {
                name: None,
                road: Some("A6".into()),
                latitude: None,
                longitude: Some(2.5),
                altitude_m: Some(35.0),
            },
            detection(),
            RadarEvent::RadarStatusChanged {
                status: RadarStatus::Off,
                previous_status: RadarStatus::Active,
            },
        ];
        let view = fold(&events);
        assert_eq!(view.radar, Radar::replay(&events));
        assert_eq!(view.radar.radar_id, Some(radar_id()));
        assert_eq!(RadarView::default().radar, Radar::default());
    }

    #[test]
    fn json_and_dynamo_shapes() {
        let view = fold(&[installed(), detection()]);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["radar_id"], ID);
        assert_eq!(json["status"], "ACTIVE");
        assert_eq!(json["altitude_m"], serde_json::Value::Null);
        assert_eq!(json["detections_count"], 1);
        assert_eq!(json["version"], 2);
        assert_eq!(json["updated_at"], "2026-01-01T00:00:02.500Z");
        assert_eq!(through_dynamo(&view), view);
    }
}
