//! The fine schedule of SPEC §4.3, in one place: the infraction aggregate charges it and
//! nothing else may restate it.

/// The fine, in the smallest money unit, for exceeding the limit by `excess_kmh`.
///
/// An excess of 0 is not an overspeed (a radar never reports one); it costs 0 rather than
/// panicking so that a caller never has to guard against it.
pub fn fine_for_excess(excess_kmh: u32) -> u64 {
    match excess_kmh {
        0 => 0,
        1..=10 => 150,
        11..=20 => 500,
        21..=50 => 1000,
        51..=100 => 3000,
        _ => 4000,
    }
}

#[cfg(test)]
mod tests {
    use super::fine_for_excess;

    #[test]
    fn every_bracket_edge() {
        let table = [
            (0, 0),
            (1, 150),
            (10, 150),
            (11, 500),
            (20, 500),
            (21, 1000),
            (50, 1000),
            (51, 3000),
            (100, 3000),
            (101, 4000),
            (300, 4000),
            (u32::MAX, 4000),
        ];
        for (excess, fine) in table {
            assert_eq!(fine_for_excess(excess), fine, "excess {excess}");
        }
    }
}
