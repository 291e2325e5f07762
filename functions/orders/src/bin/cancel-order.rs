//! CancelOrderQueue (StockUnavailable, StockReleased) → the order is CANCELLED (OrderCancelled, reason out_of_stock or payment_refused).

event_consumer::main!(order_functions::saga::conclude);
