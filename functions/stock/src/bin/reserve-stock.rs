//! ReserveStockQueue (OrderPlaced) → every line reserved (StockReserved), or none (StockUnavailable).

event_consumer::main!(stock_functions::saga::reserve);
