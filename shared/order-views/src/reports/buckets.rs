//! Time buckets of the order statistics: exact for any `[from, to)` to the millisecond, read
//! in a bounded number of requests.
//!
//! An order is counted in one bucket per [`Level`]: the UTC day, minute, second and
//! millisecond of its `placed_at`. [`cover`] cuts a period into at most 7 runs of whole
//! buckets: the whole days inside it, then at each side the whole minutes, seconds and
//! milliseconds left over (at most 1439, 59 and 999 buckets each). Each run is one `Query`
//! of one level's partition, so the requests depend on neither the number of orders nor the
//! period (only the day run grows, with the number of days, about 850 a page).
//!
//! A bucket is spread over [`SHARDS`] items (by order id) so that no item takes all the
//! writes of a busy day: the sort key is `<bucket start>#<shard>`.

use chrono::{DateTime, Duration, Utc};
use uuid::Uuid;

/// Items per bucket: each takes the writes of 1/SHARDS of the orders.
pub const SHARDS: u8 = 8;

#[derive(Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash)]
pub enum Level {
    Day,
    Minute,
    Second,
    Milli,
}

impl Level {
    pub const ALL: [Self; 4] = [Self::Day, Self::Minute, Self::Second, Self::Milli];

    fn millis(self) -> i64 {
        match self {
            Self::Day => 86_400_000,
            Self::Minute => 60_000,
            Self::Second => 1_000,
            Self::Milli => 1,
        }
    }

    /// The partition key of the level's buckets.
    pub fn partition(self) -> &'static str {
        match self {
            Self::Day => "orders-by-day",
            Self::Minute => "orders-by-minute",
            Self::Second => "orders-by-second",
            Self::Milli => "orders-by-millisecond",
        }
    }

    fn finer(self) -> Option<Self> {
        match self {
            Self::Day => Some(Self::Minute),
            Self::Minute => Some(Self::Second),
            Self::Second => Some(Self::Milli),
            Self::Milli => None,
        }
    }

    /// The start of the bucket holding `at`.
    pub fn floor(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let ms = at.timestamp_millis();
        at - Duration::milliseconds(ms.rem_euclid(self.millis()))
    }

    /// The first bucket start at or after `at`.
    pub fn ceil(self, at: DateTime<Utc>) -> DateTime<Utc> {
        let floor = self.floor(at);
        if floor == at {
            at
        } else {
            floor + Duration::milliseconds(self.millis())
        }
    }
}

/// The sort key of the bucket of `level` holding `placed_at`, for order `order_id`.
pub fn bucket_key(level: Level, placed_at: DateTime<Utc>, order_id: Uuid) -> String {
    let shard = order_id.as_bytes()[15] % SHARDS;
    format!("{}#{shard}", es_core::time::format(&level.floor(placed_at)))
}

/// The buckets of `level` starting in `[from, to)` (`None`: unbounded); `from` and `to` are
/// bucket starts of `level`.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Run {
    pub level: Level,
    pub from: Option<DateTime<Utc>>,
    pub to: Option<DateTime<Utc>>,
}

/// How a [`Run`] reads: the key condition on the sort key (`#bucket`), with its values.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum SortCondition {
    All,
    Before(String),
    AtOrAfter(String),
    Between(String, String),
}

impl Run {
    /// Sort keys `<start>#<shard>` with `from <= start < to`. Times in one fixed format sort
    /// as text as they do in time, and `#` sorts before the shard's digit: `start < to` is
    /// `key < "<to>"`, and, starts being whole milliseconds, `key <= "<to - 1 ms>#~"`.
    pub fn sort_condition(&self) -> SortCondition {
        let text = es_core::time::format;
        match (self.from, self.to) {
            (None, None) => SortCondition::All,
            (None, Some(to)) => SortCondition::Before(text(&to)),
            (Some(from), None) => SortCondition::AtOrAfter(text(&from)),
            (Some(from), Some(to)) => SortCondition::Between(
                text(&from),
                format!("{}#~", text(&(to - Duration::milliseconds(1)))),
            ),
        }
    }
}

/// The runs of whole buckets that together hold exactly the times of `[from, to)`, coarsest
/// first; none when the period is empty.
pub fn cover(from: Option<DateTime<Utc>>, to: Option<DateTime<Utc>>) -> Vec<Run> {
    let mut runs = Vec::new();
    split(Level::Day, from, to, &mut runs);
    runs
}

fn split(
    level: Level,
    from: Option<DateTime<Utc>>,
    to: Option<DateTime<Utc>>,
    runs: &mut Vec<Run>,
) {
    if let (Some(from), Some(to)) = (from, to) {
        if from >= to {
            return;
        }
    }
    let Some(finer) = level.finer() else {
        runs.push(Run { level, from, to });
        return;
    };
    let whole_from = from.map(|at| level.ceil(at));
    let whole_to = to.map(|at| level.floor(at));
    let has_whole = match (whole_from, whole_to) {
        (Some(a), Some(b)) => a < b,
        _ => true,
    };
    if !has_whole {
        // Inside one bucket, or across one boundary without a whole bucket: finer.
        split(finer, from, to, runs);
        return;
    }
    runs.push(Run {
        level,
        from: whole_from,
        to: whole_to,
    });
    // What is left at each side is shorter than one bucket: finer buckets hold it.
    if let Some(from) = from {
        split(finer, Some(from), whole_from, runs);
    }
    if let Some(to) = to {
        split(finer, whole_to, Some(to), runs);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn at(text: &str) -> DateTime<Utc> {
        es_core::time::parse(text).unwrap()
    }

    /// Whether `t` is in a run (the level's bucket holding `t` starts in the run).
    fn covered(runs: &[Run], t: DateTime<Utc>) -> usize {
        runs.iter()
            .filter(|run| {
                let start = run.level.floor(t);
                run.from.is_none_or(|f| f <= start) && run.to.is_none_or(|e| start < e)
            })
            .count()
    }

    #[test]
    fn buckets_floor_and_ceil_to_their_level() {
        let t = at("2026-11-22T10:15:07.123Z");
        assert_eq!(Level::Day.floor(t), at("2026-11-22T00:00:00.000Z"));
        assert_eq!(Level::Minute.ceil(t), at("2026-11-22T10:16:00.000Z"));
        assert_eq!(Level::Second.floor(t), at("2026-11-22T10:15:07.000Z"));
        assert_eq!(Level::Milli.ceil(t), t);
        assert_eq!(
            Level::Day.ceil(at("2026-11-22T00:00:00.000Z")),
            at("2026-11-22T00:00:00.000Z")
        );
        let key = bucket_key(Level::Minute, t, Uuid::from_u128(0x0b));
        assert_eq!(key, "2026-11-22T10:15:00.000Z#3");
    }

    #[test]
    fn a_period_is_cut_into_at_most_seven_runs_that_hold_each_time_once() {
        let from = at("2026-11-20T23:58:58.990Z");
        let to = at("2026-11-23T00:01:02.003Z");
        let runs = cover(Some(from), Some(to));
        assert_eq!(runs.len(), 7, "{runs:#?}");
        assert_eq!(runs[0].level, Level::Day);
        assert_eq!(
            (runs[0].from, runs[0].to),
            (
                Some(at("2026-11-21T00:00:00.000Z")),
                Some(at("2026-11-23T00:00:00.000Z"))
            )
        );
        // Every millisecond near the edges, and some inside: in exactly one run if in the
        // period, in none otherwise.
        let probes = [
            (from - Duration::milliseconds(20), 40),
            (at("2026-11-20T23:59:59.900Z"), 200),
            (at("2026-11-21T12:00:00.000Z"), 5),
            (at("2026-11-22T23:59:59.990Z"), 20),
            (at("2026-11-23T00:00:59.990Z"), 20),
            (at("2026-11-23T00:01:01.990Z"), 20),
            (to - Duration::milliseconds(20), 40),
        ];
        for (start, count) in probes {
            for i in 0..count {
                let t = start + Duration::milliseconds(i);
                let expected = usize::from(from <= t && t < to);
                assert_eq!(covered(&runs, t), expected, "{t}");
            }
        }
    }

    #[test]
    fn short_open_and_empty_periods() {
        let t = at("2026-11-22T10:15:07.123Z");
        assert!(cover(Some(t), Some(t)).is_empty());
        assert_eq!(
            cover(None, None),
            vec![Run {
                level: Level::Day,
                from: None,
                to: None
            }]
        );
        // Within one second: milliseconds only.
        let runs = cover(Some(t), Some(t + Duration::milliseconds(500)));
        assert_eq!(runs.len(), 1);
        assert_eq!(runs[0].level, Level::Milli);
        // Open at one side: the days before, then what is left of the last day.
        let runs = cover(None, Some(t));
        assert_eq!(runs.len(), 4);
        assert_eq!(runs[0].to, Some(at("2026-11-22T00:00:00.000Z")));
        for probe in [t - Duration::days(400), t - Duration::milliseconds(1)] {
            assert_eq!(covered(&runs, probe), 1);
        }
        assert_eq!(covered(&runs, t), 0);
        let runs = cover(Some(t), None);
        assert_eq!(covered(&runs, t), 1);
        assert_eq!(covered(&runs, t - Duration::milliseconds(1)), 0);
        assert_eq!(covered(&runs, t + Duration::days(400)), 1);
    }

    #[test]
    fn sort_conditions_select_the_run_s_bucket_keys() {
        let run = Run {
            level: Level::Second,
            from: Some(at("2026-11-22T10:15:03.000Z")),
            to: Some(at("2026-11-22T10:15:05.000Z")),
        };
        let SortCondition::Between(low, high) = run.sort_condition() else {
            panic!("a bounded run reads between two keys");
        };
        let key = |text: &str| bucket_key(Level::Second, at(text), Uuid::from_u128(7));
        let inside = |k: &str| low.as_str() <= k && k <= high.as_str();
        assert!(!inside(&key("2026-11-22T10:15:02.999Z")));
        assert!(inside(&key("2026-11-22T10:15:03.000Z")));
        assert!(inside(&key("2026-11-22T10:15:04.999Z")));
        assert!(!inside(&key("2026-11-22T10:15:05.000Z")));
    }
}
