//! The infraction status machine of SPEC §4.3, as one decision:
//! `PENDING_OWNER → ISSUED → PAID`; `ISSUED | PENDING_OWNER → CONTESTED`;
//! anything not `PAID` (and not already `CANCELLED`) `→ CANCELLED`.

es_core::wire_enum! {
    "SCREAMING_SNAKE_CASE",
    /// `PENDING_OWNER`, `ISSUED`, `PAID`, `CONTESTED` or `CANCELLED` on the wire.
    #[derive(Default)]
    pub enum InfractionStatus {
        /// The plate had no known owner at the time of the detection.
        #[default]
        PendingOwner,
        Issued,
        Paid,
        Contested,
        Cancelled,
    }
}

impl InfractionStatus {
    pub const ALL: &'static [InfractionStatus] = <Self as strum::VariantArray>::VARIANTS;
}

/// Whether an infraction in status `from` may move to `to`. Staying in the same status is not
/// a transition.
pub fn transition_allowed(from: InfractionStatus, to: InfractionStatus) -> bool {
    use InfractionStatus::*;
    matches!(
        (from, to),
        (PendingOwner, Issued)
            | (Issued, Paid)
            | (PendingOwner | Issued, Contested)
            // Anything not PAID, and not already CANCELLED.
            | (PendingOwner | Issued | Contested, Cancelled)
    )
}

#[cfg(test)]
mod tests {
    use super::InfractionStatus::*;
    use super::*;

    #[test]
    fn every_pair_of_statuses() {
        let allowed = [
            (PendingOwner, Issued),
            (Issued, Paid),
            (PendingOwner, Contested),
            (Issued, Contested),
            (PendingOwner, Cancelled),
            (Issued, Cancelled),
            (Contested, Cancelled),
        ];
        for &from in InfractionStatus::ALL {
            for &to in InfractionStatus::ALL {
                assert_eq!(
                    transition_allowed(from, to),
                    allowed.contains(&(from, to)),
                    "{from} → {to}"
                );
            }
        }
    }

    #[test]
    fn wire_names_agree_with_serde() {
        es_core::testing::wire_names::<InfractionStatus>(&[
            "PENDING_OWNER",
            "ISSUED",
            "PAID",
            "CONTESTED",
            "CANCELLED",
        ]);
    }
}
