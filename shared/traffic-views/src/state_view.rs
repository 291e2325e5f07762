//! Views that are their aggregate's own state plus the view's bookkeeping.
//!
//! Such a view holds the aggregate's state itself, `#[serde(flatten)]` so that its fields sit at
//! the top level of the item and of the JSON answer, and folds events with the aggregate's own
//! `apply`: it cannot disagree with what the next command sees, and a field added to the
//! aggregate reaches the view (and its clients) without a line written here.

/// Declares view `$view`: aggregate `$aggregate`'s state on field `$state`, flattened, with the
/// view's `version` and `updated_at`; and its [`projection::View`]: the aggregate's fold, then
/// the bookkeeping from the event's metadata.
macro_rules! aggregate_state_view {
    ($(#[$doc:meta])* $view:ident { $state:ident: $aggregate:ty }, $key:expr) => {
        $(#[$doc])*
        #[derive(Debug, Clone, Default, PartialEq, serde::Serialize, serde::Deserialize)]
        pub struct $view {
            #[serde(flatten)]
            pub $state: $aggregate,
            /// The stream's version this view reflects.
            pub version: u64,
            /// When the last event applied occurred.
            #[serde(with = "es_core::time::rfc3339_millis")]
            pub updated_at: chrono::DateTime<chrono::Utc>,
        }

        impl projection::View for $view {
            const AGGREGATE_TYPE: &'static str = <$aggregate as es_core::Aggregate>::TYPE;
            const KEY: &'static str = $key;
            type Event = <$aggregate as es_core::Aggregate>::Event;

            fn apply(&mut self, event: &Self::Event, meta: &es_core::EventMeta) {
                es_core::Aggregate::apply(&mut self.$state, event);
                self.version = meta.version;
                self.updated_at = meta.occurred_at;
            }
        }
    };
}

pub(crate) use aggregate_state_view;
