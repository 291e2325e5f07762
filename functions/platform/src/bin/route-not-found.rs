//! The `$default` route: whatever no route matched.

http_api::main!(platform_functions::fallback::route_not_found);
