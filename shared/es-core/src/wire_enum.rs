//! Enums that travel by name: statuses, kinds, reasons.

/// Declares an enum whose values travel by name (a status, a kind, a reason), with the one
/// derive set and spelling all of them share, so that serde (JSON bodies, DynamoDB items),
/// `Display`, `as_str` and `Input::one_of` over `VARIANTS` cannot name a value differently.
///
/// The first argument is the case both serde and strum spell the variants in; the enum's own
/// attributes (docs, extra derives such as `Default` or `Ord`) follow it:
///
/// ```
/// es_core::wire_enum! {
///     "SCREAMING_SNAKE_CASE",
///     /// Whether a lamp is lit.
///     #[derive(Default)]
///     pub enum Lamp {
///         #[default]
///         Off,
///         FullBeam,
///     }
/// }
/// assert_eq!(Lamp::FullBeam.as_str(), "FULL_BEAM");
/// assert_eq!(serde_json::to_value(Lamp::Off).unwrap(), "OFF");
/// assert_eq!(Lamp::parse("FULL_BEAM"), Some(Lamp::FullBeam));
/// assert_eq!(Lamp::parse("full_beam"), None);
/// ```
///
/// The calling crate depends on `serde` and `strum` (the derives name them).
#[macro_export]
macro_rules! wire_enum {
    ($case:tt, $(#[$attribute:meta])* $vis:vis enum $name:ident { $($variants:tt)* }) => {
        #[derive(
            Debug,
            Clone,
            Copy,
            PartialEq,
            Eq,
            Hash,
            ::serde::Serialize,
            ::serde::Deserialize,
            ::strum::Display,
            ::strum::IntoStaticStr,
            ::strum::VariantArray,
        )]
        #[serde(rename_all = $case)]
        #[strum(serialize_all = $case)]
        $(#[$attribute])*
        $vis enum $name { $($variants)* }

        impl $name {
            /// The value's name on the wire.
            pub fn as_str(self) -> &'static str {
                self.into()
            }

            /// The value named `text` on the wire, if any.
            pub fn parse(text: &str) -> Option<Self> {
                <Self as ::strum::VariantArray>::VARIANTS
                    .iter()
                    .copied()
                    .find(|value| value.as_str() == text)
            }
        }
    };
}
