//! UK postcodes.

/// A UK postcode in its canonical form ("ba25aa" → "BA2 5AA"), or `None` when the text does
/// not have a UK postcode's shape (outward code A9, A99, AA9, AA99, A9A or AA9A; inward 9AA).
pub fn normalise_postcode(s: &str) -> Option<String> {
    let compact: String = s
        .chars()
        .filter(|c| !c.is_whitespace())
        .collect::<String>()
        .to_ascii_uppercase();
    if !(5..=7).contains(&compact.len()) || !compact.is_ascii() {
        return None;
    }
    let (outward, inward) = compact.split_at(compact.len() - 3);
    let shape = |part: &str| -> String {
        part.chars()
            .map(|c| match c {
                'A'..='Z' => 'A',
                '0'..='9' => '9',
                _ => '?',
            })
            .collect()
    };
    let outward_ok = ["A9", "A99", "AA9", "AA99", "A9A", "AA9A"].contains(&shape(outward).as_str());
    (outward_ok && shape(inward) == "9AA").then(|| format!("{outward} {inward}"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn normalises_uk_postcodes() {
        for (input, expected) in [
            ("ba25aa", "BA2 5AA"),
            (" BA2 5AA ", "BA2 5AA"),
            ("sw1a 2aa", "SW1A 2AA"),
            ("M1 1AE", "M1 1AE"),
            ("b33 8th", "B33 8TH"),
            ("W1A0AX", "W1A 0AX"),
            ("bt7 1nn", "BT7 1NN"),
        ] {
            assert_eq!(
                normalise_postcode(input).as_deref(),
                Some(expected),
                "{input}"
            );
        }
    }

    #[test]
    fn refuses_other_shapes() {
        for input in [
            "", "BA2", "BA2 5A", "12345", "BA2 5AAA", "BA2-5AA", "ÄA2 5AA", "1A2 5AA",
        ] {
            assert_eq!(normalise_postcode(input), None, "{input}");
        }
    }
}
