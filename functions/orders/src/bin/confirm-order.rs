//! ConfirmOrderQueue (StockCommitted) → the order is CONFIRMED (SaleConfirmed).

event_consumer::main!(order_functions::saga::conclude);
