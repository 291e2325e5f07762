//! InfractionPolicyQueue → infractions opened and given their owner (see `policy`).

event_consumer::main!(infraction_functions::policy::InfractionPolicy::handle);
