//! GET /openapi.json.

http_api::main!(platform_functions::queries::get_openapi);
