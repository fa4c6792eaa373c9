//! Shipping addresses: the countries a storefront offers, and what a complete address needs in
//! each (a postal code in the country's format, a state or province where post needs one).
//! Shared by the storefront's checkout form and the server.

use super::FieldErrors;
use super::store::ShippingAddress;

/// Countries a buyer can pick (ISO 3166-1 alpha-2, English name), by name.
pub const COUNTRIES: &[(&str, &str)] = &[
    ("AR", "Argentina"),
    ("AU", "Australia"),
    ("AT", "Austria"),
    ("BE", "Belgium"),
    ("BR", "Brazil"),
    ("BG", "Bulgaria"),
    ("CA", "Canada"),
    ("CL", "Chile"),
    ("CN", "China"),
    ("CO", "Colombia"),
    ("HR", "Croatia"),
    ("CY", "Cyprus"),
    ("CZ", "Czechia"),
    ("DK", "Denmark"),
    ("EE", "Estonia"),
    ("FI", "Finland"),
    ("FR", "France"),
    ("DE", "Germany"),
    ("GR", "Greece"),
    ("HK", "Hong Kong"),
    ("HU", "Hungary"),
    ("IS", "Iceland"),
    ("IN", "India"),
    ("ID", "Indonesia"),
    ("IE", "Ireland"),
    ("IL", "Israel"),
    ("IT", "Italy"),
    ("JP", "Japan"),
    ("LV", "Latvia"),
    ("LT", "Lithuania"),
    ("LU", "Luxembourg"),
    ("MY", "Malaysia"),
    ("MT", "Malta"),
    ("MX", "Mexico"),
    ("NL", "Netherlands"),
    ("NZ", "New Zealand"),
    ("NO", "Norway"),
    ("PE", "Peru"),
    ("PH", "Philippines"),
    ("PL", "Poland"),
    ("PT", "Portugal"),
    ("RO", "Romania"),
    ("SA", "Saudi Arabia"),
    ("SG", "Singapore"),
    ("SK", "Slovakia"),
    ("SI", "Slovenia"),
    ("ZA", "South Africa"),
    ("KR", "South Korea"),
    ("ES", "Spain"),
    ("SE", "Sweden"),
    ("CH", "Switzerland"),
    ("TW", "Taiwan"),
    ("TH", "Thailand"),
    ("TR", "Türkiye"),
    ("AE", "United Arab Emirates"),
    ("GB", "United Kingdom"),
    ("US", "United States"),
    ("VN", "Vietnam"),
];

pub fn country_name(code: &str) -> Option<&'static str> {
    COUNTRIES.iter().find(|(c, _)| *c == code).map(|(_, n)| *n)
}

/// Countries whose post needs a state, province or region on the parcel.
pub fn needs_region(country: &str) -> bool {
    matches!(country, "US" | "CA" | "AU" | "BR" | "MX" | "IN" | "AR")
}

/// Countries without postal codes (in common use).
fn has_no_postal_code(country: &str) -> bool {
    matches!(country, "HK" | "AE" | "IE")
}

/// The postal code, normalised (upper case, single spaces), when it fits the country.
pub fn check_postal_code(country: &str, input: &str) -> Result<String, String> {
    let code = input
        .split_whitespace()
        .collect::<Vec<_>>()
        .join(" ")
        // ASCII only: every shape below is ASCII (and Unicode tables stay out of the browser).
        .to_ascii_uppercase();
    if code.is_empty() {
        return if has_no_postal_code(country) {
            Ok(code)
        } else {
            Err("Enter the postal code.".into())
        };
    }
    let shape: String = code
        .chars()
        .map(|c| match c {
            '0'..='9' => '9',
            'A'..='Z' => 'A',
            other => other,
        })
        .collect();
    let fits = |shapes: &[&str]| shapes.contains(&shape.as_str());
    let ok = match country {
        "US" => fits(&["99999", "99999-9999"]),
        "CA" => fits(&["A9A 9A9", "A9A9A9"]),
        "GB" => {
            let compact: String = code.chars().filter(|c| *c != ' ').collect();
            (5..=7).contains(&compact.len())
                && compact.chars().all(|c| c.is_ascii_alphanumeric())
                && compact
                    .chars()
                    .next()
                    .is_some_and(|c| c.is_ascii_alphabetic())
        }
        "DE" | "FR" | "ES" | "IT" | "FI" | "EE" | "HR" | "MY" | "TH" | "TW" | "KR" | "MX"
        | "ID" | "TR" | "SA" | "HU" | "GR" => fits(&["99999", "999 99"]),
        "SE" | "CZ" | "SK" => fits(&["999 99", "99999"]),
        "NL" => fits(&["9999 AA", "9999AA"]),
        "AU" | "AT" | "BE" | "CH" | "DK" | "NO" | "NZ" | "BG" | "CY" | "LU" | "SI" | "ZA"
        | "PH" | "AR" => fits(&["9999"]),
        "JP" => fits(&["999-9999", "9999999"]),
        "PL" => fits(&["99-999"]),
        "PT" => fits(&["9999-999"]),
        "BR" => fits(&["99999-999", "99999999"]),
        "IN" | "CN" | "SG" | "RO" => fits(&["999999"]),
        _ => {
            code.len() <= 12
                && code
                    .chars()
                    .all(|c| c.is_ascii_alphanumeric() || c == ' ' || c == '-')
        }
    };
    if ok {
        Ok(code)
    } else {
        Err(format!(
            "That is not a postal code in {}.",
            country_name(country).unwrap_or(country)
        ))
    }
}

/// Checks a complete address where `prefix.field` names each part ("shipping_address.city").
/// Returns the address normalised (trimmed, country and postal code upper case).
pub fn check_full_address(
    e: &mut FieldErrors,
    prefix: &str,
    a: &ShippingAddress,
) -> ShippingAddress {
    let mut part = |field: &str, value: &str, max: usize, label: Option<&str>| {
        let value = value.trim();
        let name = format!("{prefix}.{field}");
        if value.chars().count() > max || value.chars().any(char::is_control) {
            e.add(&name, format!("Use at most {max} characters on one line."));
        } else if value.is_empty()
            && let Some(label) = label
        {
            e.add(&name, format!("Enter the {label}."));
        }
        value.to_string()
    };
    let country_code = a.country.trim().to_ascii_uppercase();
    let known = country_name(&country_code).is_some();
    let region_label = needs_region(&country_code).then_some("state, province or region");
    let checked = ShippingAddress {
        name: part("name", &a.name, 120, Some("full name")),
        line1: part("line1", &a.line1, 200, Some("street address")),
        line2: part("line2", &a.line2, 200, None),
        city: part("city", &a.city, 120, Some("city")),
        region: part("region", &a.region, 120, region_label),
        postal_code: String::new(),
        country: country_code.clone(),
    };
    if !known {
        e.add(
            &format!("{prefix}.country"),
            "Choose the country from the list.",
        );
        return checked;
    }
    match check_postal_code(&country_code, &a.postal_code) {
        Ok(postal_code) => ShippingAddress {
            postal_code,
            ..checked
        },
        Err(m) => {
            e.add(&format!("{prefix}.postal_code"), m);
            checked
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn address(country: &str, postal: &str, region: &str) -> ShippingAddress {
        ShippingAddress {
            name: "Sam Buyer".into(),
            line1: "1 Main St".into(),
            city: "Springfield".into(),
            postal_code: postal.into(),
            region: region.into(),
            country: country.into(),
            ..Default::default()
        }
    }

    fn errors(a: &ShippingAddress) -> Vec<String> {
        let mut e = FieldErrors::default();
        check_full_address(&mut e, "a", a);
        e.0.keys().cloned().collect()
    }

    #[test]
    fn complete_addresses_per_country() {
        assert!(errors(&address("US", "73301", "TX")).is_empty());
        assert!(errors(&address("us", "73301-1234", "TX")).is_empty());
        assert!(errors(&address("DE", "10115", "")).is_empty());
        assert!(errors(&address("GB", "sw1a 1aa", "")).is_empty());
        assert!(errors(&address("CA", "K1A 0B1", "ON")).is_empty());
        assert!(errors(&address("NL", "1012AB", "")).is_empty());
        assert!(errors(&address("JP", "100-0001", "")).is_empty());
        assert!(
            errors(&address("HK", "", "")).is_empty(),
            "Hong Kong has no postal codes"
        );
    }

    #[test]
    fn incomplete_or_wrong_addresses_say_what_is_missing() {
        assert_eq!(errors(&address("US", "73301", "")), ["a.region"]);
        assert_eq!(errors(&address("US", "7330", "TX")), ["a.postal_code"]);
        assert_eq!(errors(&address("DE", "", "")), ["a.postal_code"]);
        assert_eq!(errors(&address("XX", "1", "")), ["a.country"]);
        let empty = ShippingAddress {
            country: "FR".into(),
            ..Default::default()
        };
        assert_eq!(
            errors(&empty),
            ["a.city", "a.line1", "a.name", "a.postal_code"]
        );
    }
}
