//! The [`projection::View`] of a view that is its aggregate's state plus the view's
//! bookkeeping (`version`, `updated_at`).

/// Declares `$view`'s [`projection::View`] as its aggregate's own fold, so that the view
/// cannot disagree with what the next command sees: the state the view holds
/// (`self.$state()`), the event applied to it, the view made again from it
/// (`Self::of(state, meta)`).
macro_rules! aggregate_fold_view {
    ($view:ty, $aggregate:ty, $key:expr, $state:ident) => {
        impl projection::View for $view {
            const AGGREGATE_TYPE: &'static str = <$aggregate as es_core::Aggregate>::TYPE;
            const KEY: &'static str = $key;
            type Event = <$aggregate as es_core::Aggregate>::Event;

            fn apply(&mut self, event: &Self::Event, meta: &es_core::EventMeta) {
                let mut state = self.$state();
                es_core::Aggregate::apply(&mut state, event);
                *self = Self::of(state, meta);
            }
        }
    };
}

pub(crate) use aggregate_fold_view;
