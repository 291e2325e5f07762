//! TakePaymentQueue (StockReserved) → the order's total debited (PaymentAccepted), or
//! PaymentRefused when the balance does not cover it.

event_consumer::main!(customer_functions::payment::take_payment);
