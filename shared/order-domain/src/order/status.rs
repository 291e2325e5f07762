//! An order's status in the aggregate, and why it was cancelled.

es_core::wire_enum! {
    "SCREAMING_SNAKE_CASE",
    /// `PENDING` → `CONFIRMED`, or `PENDING` → `CANCELLED`. (`STOCK_RESERVED` and `PAID` are
    /// read-model statuses; see the module documentation.)
    #[derive(Default)]
    pub enum OrderStatus {
        #[default]
        Pending,
        Confirmed,
        Cancelled,
    }
}

impl OrderStatus {
    /// `CONFIRMED` and `CANCELLED` are final.
    pub fn is_final(self) -> bool {
        self != Self::Pending
    }
}

es_core::wire_enum! {
    "snake_case",
    /// Why an order was cancelled (`OrderCancelled.reason`).
    pub enum CancellationReason {
        /// A line could not be reserved (`StockUnavailable`).
        OutOfStock,
        /// The balance did not cover the total (`PaymentRefused`).
        PaymentRefused,
        /// Not settled within the order deadline (SPEC §9), cancelled by `expire-orders`.
        Timeout,
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
