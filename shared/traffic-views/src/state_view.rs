//! Views that are their aggregate's own state plus the view's bookkeeping.
//!
//! Such a view holds the aggregate's state itself, `#[serde(flatten)]` so that its fields sit at
//! the top level of the item and of the JSON answer, and folds events with the aggregate's own
//! `apply`: it cannot disagree with what the next command sees, and a field added to the
//! aggregate reaches the view (and its clients) without a line written here.

/// Declares `$view`'s [`projection::View`]: the aggregate's fold on field `$state`, then the
/// view's `version` and `updated_at` from the event's metadata.
macro_rules! aggregate_fold_view {
    ($view:ident { $state:ident: $aggregate:ty }, $key:expr) => {
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

pub(crate) use aggregate_fold_view;
