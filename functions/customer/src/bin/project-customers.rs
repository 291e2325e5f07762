//! CustomerProjectionQueue → CustomersTable (the customer view).

use order_views::{tables::env::CUSTOMERS_TABLE, CustomerView};

projection::main!(CustomerView, CUSTOMERS_TABLE);
