//! An order's status in the aggregate, and why it was cancelled.

use serde::{Deserialize, Serialize};

/// `PENDING` → `CONFIRMED`, or `PENDING` → `CANCELLED`. (`STOCK_RESERVED` and `PAID` are
/// read-model statuses; see the module documentation.)
#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Default,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
#[strum(serialize_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    #[default]
    Pending,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        self.into()
    }

    /// `CONFIRMED` and `CANCELLED` are final.
    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

#[derive(
    Debug,
    Clone,
    Copy,
    PartialEq,
    Eq,
    Hash,
    Serialize,
    Deserialize,
    strum::Display,
    strum::IntoStaticStr,
    strum::VariantArray,
)]
#[serde(rename_all = "snake_case")]
#[strum(serialize_all = "snake_case")]
pub enum CancellationReason {
    /// A line could not be reserved (`StockUnavailable`).
    OutOfStock,
    /// The balance did not cover the total (`PaymentRefused`).
    PaymentRefused,
    /// Not settled within the order deadline (SPEC §9), cancelled by `expire-orders`.
    Timeout,
}

impl CancellationReason {
    pub fn as_str(self) -> &'static str {
        self.into()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use es_core::testing::wire_names;

    #[test]
    fn wire_names_agree_with_serde() {
        wire_names::<OrderStatus>(&["PENDING", "CONFIRMED", "CANCELLED"]);
        wire_names::<CancellationReason>(&["out_of_stock", "payment_refused", "timeout"]);
        assert!(!OrderStatus::Pending.is_final());
        assert!(OrderStatus::Confirmed.is_final() && OrderStatus::Cancelled.is_final());
    }
}
