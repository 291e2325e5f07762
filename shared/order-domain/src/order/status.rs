//! An order's status in the aggregate, and why it was cancelled.

use serde::{Deserialize, Serialize};
use std::fmt;

/// `PENDING` → `CONFIRMED`, or `PENDING` → `CANCELLED`. (`STOCK_RESERVED` and `PAID` are
/// read-model statuses; see the module documentation.)
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Default, Serialize, Deserialize)]
#[serde(rename_all = "SCREAMING_SNAKE_CASE")]
pub enum OrderStatus {
    #[default]
    Pending,
    Confirmed,
    Cancelled,
}

impl OrderStatus {
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Pending => "PENDING",
            Self::Confirmed => "CONFIRMED",
            Self::Cancelled => "CANCELLED",
        }
    }

    /// `CONFIRMED` and `CANCELLED` are final.
    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

impl fmt::Display for OrderStatus {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
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
        match self {
            Self::OutOfStock => "out_of_stock",
            Self::PaymentRefused => "payment_refused",
            Self::Timeout => "timeout",
        }
    }
}

impl fmt::Display for CancellationReason {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.as_str())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn wire_names_agree_with_serde() {
        for status in [
            OrderStatus::Pending,
            OrderStatus::Confirmed,
            OrderStatus::Cancelled,
        ] {
            assert_eq!(serde_json::to_value(status).unwrap(), status.as_str());
        }
        for reason in [
            CancellationReason::OutOfStock,
            CancellationReason::PaymentRefused,
        ] {
            assert_eq!(serde_json::to_value(reason).unwrap(), reason.as_str());
        }
        assert!(!OrderStatus::Pending.is_final());
        assert!(OrderStatus::Confirmed.is_final() && OrderStatus::Cancelled.is_final());
    }
}
