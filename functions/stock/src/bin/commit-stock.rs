//! CommitStockQueue (PaymentAccepted) → the order's reservation becomes a sale (StockCommitted).

event_consumer::main!(stock_functions::saga::commit);
