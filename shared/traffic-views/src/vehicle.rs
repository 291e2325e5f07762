//! The vehicle view of `GET /vehicles` and `GET /vehicles/{plate}`.

use traffic_domain::Vehicle;

use crate::state_view::aggregate_state_view;
use crate::tables::VEHICLES_KEY;

aggregate_state_view! {
    /// The vehicle's state (see [`crate::state_view`]: `plate` is its id, `owner_id` is indexed
    /// by `by_owner`) and the view's bookkeeping.
    VehicleView { vehicle: Vehicle },
    VEHICLES_KEY
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::testing::{alice, at, bob, replay, through_dynamo};
    use es_core::Aggregate;
    use traffic_domain::Plate;
    use traffic_domain::VehicleEvent;
    use traffic_domain::VehicleType;

    fn registered() -> VehicleEvent {
        VehicleEvent::VehicleRegistered {
            plate: Plate::parse("ab-123-cd").unwrap(),
            owner_id: alice(),
            vehicle_type: VehicleType::Car,
            brand: "Renault".into(),
            model: "Clio".into(),
            fiscal_power: 5,
        }
    }

    /// A change of brand and fiscal power only.
    fn rebranded() -> VehicleEvent {
        VehicleEvent::VehicleDetailsChanged {
            vehicle_type: None,
            brand: Some("Dacia".into()),
            model: None,
            fiscal_power: Some(7),
        }
    }

    fn fold(events: &[VehicleEvent]) -> VehicleView {
        replay("vehicle", "AB123CD", events, |i| {
            format!("2026-03-01T00:00:0{}Z", i + 1)
        })
    }

    #[test]
    fn registered_sets_every_field() {
        let view = fold(&[registered()]);
        assert_eq!(
            view.vehicle.plate.as_ref().map(|p| p.as_str()),
            Some("AB123CD")
        );
        assert_eq!(view.vehicle.owner_id, alice());
        assert_eq!(view.vehicle.vehicle_type, VehicleType::Car);
        assert_eq!(
            (view.vehicle.brand.as_str(), view.vehicle.model.as_str()),
            ("Renault", "Clio")
        );
        assert_eq!(view.vehicle.fiscal_power, 5);
        assert_eq!(view.version, 1);
        assert_eq!(view.updated_at, at("2026-03-01T00:00:01Z"));
    }

    #[test]
    fn details_changed_changes_only_what_it_carries() {
        let view = fold(&[
            registered(),
            VehicleEvent::VehicleDetailsChanged {
                vehicle_type: Some(VehicleType::Truck),
                brand: None,
                model: Some("Master".into()),
                fiscal_power: None,
            },
        ]);
        assert_eq!(view.vehicle.vehicle_type, VehicleType::Truck);
        assert_eq!(
            (view.vehicle.brand.as_str(), view.vehicle.model.as_str()),
            ("Renault", "Master")
        );
        assert_eq!(view.vehicle.fiscal_power, 5);

        let view = fold(&[registered(), rebranded()]);
        assert_eq!(view.vehicle.vehicle_type, VehicleType::Car);
        assert_eq!(view.vehicle.brand, "Dacia");
        assert_eq!(view.vehicle.fiscal_power, 7);
        assert_eq!(view.version, 2);
    }

    #[test]
    fn ownership_transferred_changes_the_owner() {
        let view = fold(&[
            registered(),
            VehicleEvent::VehicleOwnershipTransferred {
                plate: Plate::parse("AB123CD").unwrap(),
                previous_owner_id: alice(),
                owner_id: bob(),
            },
        ]);
        assert_eq!(view.vehicle.owner_id, bob());
        assert_eq!(view.vehicle.brand, "Renault");
        assert_eq!(view.version, 2);
        assert_eq!(view.updated_at, at("2026-03-01T00:00:02Z"));
    }

    #[test]
    fn the_fold_is_the_vehicles_own() {
        let events = [
            registered(),
            rebranded(),
            VehicleEvent::VehicleOwnershipTransferred {
                plate: Plate::parse("AB123CD").unwrap(),
                previous_owner_id: alice(),
                owner_id: bob(),
            },
        ];
        assert_eq!(fold(&events).vehicle, Vehicle::replay(&events));
        assert_eq!(VehicleView::default().vehicle, Vehicle::default());
    }

    #[test]
    fn json_and_dynamo_shapes() {
        let view = fold(&[registered()]);
        let json = serde_json::to_value(&view).unwrap();
        assert_eq!(json["type"], "CAR");
        assert_eq!(json["plate"], "AB123CD");
        assert_eq!(json["owner_id"], alice().to_string());
        assert_eq!(through_dynamo(&view), view);
    }
}
