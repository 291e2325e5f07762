//! EventsTable stream → the bus, unpublishable events to PublishEventsDLQ (see `publisher`).

event_consumer::main!(stream: platform_functions::publisher::publish_events);
