//! Times are RFC 3339 in UTC with milliseconds (SPEC §2): `2026-11-22T10:15:00.123Z`.

use chrono::{DateTime, Datelike, SecondsFormat, Utc};

pub fn format(at: &DateTime<Utc>) -> String {
    at.to_rfc3339_opts(SecondsFormat::Millis, true)
}

/// Accepts any RFC 3339 time (any offset) and converts it to UTC; refuses one whose UTC time
/// RFC 3339 cannot write (`9999-12-31T23:00:00-02:00` is in year 10000), so that every time
/// accepted is answered in the same format.
pub fn parse(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text)
        .ok()
        .map(|t| t.with_timezone(&Utc))
        .filter(|t| (0..=9999).contains(&t.year()))
}

/// `#[serde(with = "es_core::time::rfc3339_millis")]`
pub mod rfc3339_millis {
    use chrono::{DateTime, Utc};
    use serde::{de::Error, Deserialize, Deserializer, Serializer};

    pub fn serialize<S: Serializer>(at: &DateTime<Utc>, s: S) -> Result<S::Ok, S::Error> {
        s.serialize_str(&super::format(at))
    }

    pub fn deserialize<'de, D: Deserializer<'de>>(d: D) -> Result<DateTime<Utc>, D::Error> {
        let text = String::deserialize(d)?;
        super::parse(&text).ok_or_else(|| D::Error::custom(format!("not an RFC 3339 time: {text}")))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn formats_utc_with_milliseconds_and_z() {
        let at = parse("2026-11-22T11:15:00.1234+01:00").unwrap();
        assert_eq!(format(&at), "2026-11-22T10:15:00.123Z");
    }

    #[test]
    fn rejects_non_rfc3339() {
        assert!(parse("2026-11-22 10:15").is_none());
        assert!(parse("yesterday").is_none());
    }

    #[test]
    fn refuses_a_time_whose_utc_year_has_no_four_digits() {
        assert!(parse("9999-12-31T23:00:00-02:00").is_none());
        assert!(parse("0000-01-01T00:30:00+01:00").is_none());
        for edge in ["9999-12-31T23:59:59.999Z", "0000-01-01T00:00:00.000Z"] {
            assert_eq!(format(&parse(edge).unwrap()), edge);
        }
    }
}
