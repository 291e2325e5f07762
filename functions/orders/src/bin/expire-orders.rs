//! Scheduled: cancels the orders not settled within `ORDER_DEADLINE_SECONDS` (see `deadline`).

event_consumer::main!(schedule: order_functions::deadline::expire_orders);
