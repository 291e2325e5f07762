//! A plate is a vehicle's id and the link from a detection to an owner, so it is normalised
//! once, here: every other module holds a `Plate` that is already canonical, and two spellings
//! of the same plate ("ab-12 cd", "AB12CD") can never become two vehicles.

use es_core::Input;
use serde::{Deserialize, Serialize};
use std::fmt;

/// The problem recorded for a plate that does not normalise.
pub const PLATE_PROBLEM: &str =
    "must be 2 to 12 letters or digits once spaces and dashes are removed";

/// A normalised plate: `[A-Z0-9]{2,12}`.
///
/// Serialised as a plain string. Deserialising does not re-validate: plates in stored events
/// were valid when recorded, and a fact must stay readable even if the rule changes later.
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Plate(String);

impl Plate {
    /// Upper-cases, removes spaces and dashes, then requires `[A-Z0-9]{2,12}`.
    pub fn parse(raw: &str) -> Option<Self> {
        // ASCII upper-casing only: `to_uppercase` would turn "ß" into "SS" and let it through.
        let normalised: String = raw
            .chars()
            .filter(|c| *c != ' ' && *c != '-')
            .map(|c| c.to_ascii_uppercase())
            .collect();
        let valid = (2..=12).contains(&normalised.len())
            && normalised
                .chars()
                .all(|c| c.is_ascii_uppercase() || c.is_ascii_digit());
        valid.then_some(Self(normalised))
    }

    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// What a reader returns beside a recorded problem; `Input::finish` then fails, so it
    /// never reaches a command.
    fn placeholder() -> Self {
        Self(String::new())
    }
}

impl fmt::Display for Plate {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

impl AsRef<str> for Plate {
    fn as_ref(&self) -> &str {
        &self.0
    }
}

/// Reads a required plate field, recording a problem when it is missing or does not normalise.
pub fn read_plate(input: &mut Input<'_>, field: &str) -> Plate {
    let raw = input.required(field, |i, f| i.opt_string(f, 0..=usize::MAX));
    let plate = crate::read::check(
        input,
        field,
        raw.map(|raw| Plate::parse(&raw)),
        Option::is_some,
        PLATE_PROBLEM,
    );
    plate.flatten().unwrap_or_else(Plate::placeholder)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    #[test]
    fn normalises_case_spaces_and_dashes() {
        assert_eq!(Plate::parse("ab-12 cd").unwrap().as_str(), "AB12CD");
        assert_eq!(Plate::parse("  x-9  ").unwrap().as_str(), "X9");
        assert_eq!(Plate::parse("AB12CD"), Plate::parse("a b-1-2 c d"));
    }

    #[test]
    fn length_is_2_to_12_after_normalisation() {
        assert!(Plate::parse("A").is_none());
        assert!(Plate::parse("A- -").is_none());
        assert!(Plate::parse("").is_none());
        assert!(Plate::parse("AB").is_some());
        assert!(Plate::parse("ABCDEF123456").is_some());
        assert!(Plate::parse("ABCDEF1234567").is_none());
        // Separators do not count towards the length.
        assert!(Plate::parse("AB-CD-EF-12-34-56").is_some());
    }

    #[test]
    fn refuses_other_characters() {
        for bad in [
            "AB_12", "AB.12", "AB/12", "ÄB12", "straße", "AB\t12", "AB12!",
        ] {
            assert!(Plate::parse(bad).is_none(), "{bad:?} should be refused");
        }
    }

    #[test]
    fn serialises_as_a_plain_string() {
        let plate = Plate::parse("ab-12 cd").unwrap();
        assert_eq!(serde_json::to_value(&plate).unwrap(), json!("AB12CD"));
        let back: Plate = serde_json::from_value(json!("AB12CD")).unwrap();
        assert_eq!(back, plate);
    }

    #[test]
    fn reader_records_one_problem_per_bad_plate() {
        let read = |body: serde_json::Value| {
            Input::single_field(&body, "plate", read_plate).map_err(|e| e.0)
        };
        assert_eq!(
            read(json!({"plate": "ab-12 cd"})).unwrap().as_str(),
            "AB12CD"
        );

        let problems = read(json!({"plate": "A"})).unwrap_err();
        assert_eq!(problems.len(), 1);
        assert_eq!(
            (problems[0].field.as_str(), problems[0].problem.as_str()),
            ("plate", PLATE_PROBLEM)
        );

        let missing = read(json!({})).unwrap_err();
        assert_eq!(missing.len(), 1);
        assert_eq!(missing[0].problem, "is required");

        let wrong_type = read(json!({"plate": 12})).unwrap_err();
        assert_eq!(wrong_type.len(), 1);
        assert_eq!(wrong_type[0].problem, "must be a string");

        let not_object = read(json!("AB12")).unwrap_err();
        assert_eq!(not_object.len(), 1);
        assert_eq!(not_object[0].field, "body");
    }
}
