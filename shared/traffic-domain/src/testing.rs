//! The shared given/when/then (`es_core::testing`), and the times and dates the traffic tests
//! use.

pub(crate) use es_core::testing::*;

use chrono::{DateTime, NaiveDate, Utc};

pub(crate) fn at(text: &str) -> DateTime<Utc> {
    es_core::time::parse(text).expect("a test time")
}

pub(crate) fn date(text: &str) -> NaiveDate {
    NaiveDate::parse_from_str(text, "%Y-%m-%d").expect("a test date")
}
