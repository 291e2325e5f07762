//! ReleaseStockQueue (PaymentRefused, OrderCancelled by timeout) → the order's reservation is
//! given back (StockReleased).

event_consumer::main!(stock_functions::saga::release);
