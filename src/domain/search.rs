//! What a search box may ask of the database: one rule for the stock table, the storefront and
//! every other search, so a pasted page of text can neither fail a query nor slow it down.

/// Characters of a query that are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a query that are matched.
pub const MAX_TERMS: usize = 8;
/// Characters of one word that are matched (longer words match by their start).
pub const MAX_TERM_CHARS: usize = 40;

/// The words of a search, lower-cased, letters and digits only, within the limits above.
pub fn terms(query: &str) -> Vec<String> {
    let head: String = query.chars().take(MAX_QUERY_CHARS).collect();
    head.split(|c: char| !c.is_alphanumeric())
        .filter(|t| !t.is_empty())
        .take(MAX_TERMS)
        .map(|t| {
            t.chars()
                .take(MAX_TERM_CHARS)
                .collect::<String>()
                .to_lowercase()
        })
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn queries_are_normalised_and_capped() {
        assert_eq!(
            terms("  Jordan 1 / DZ5485-612 "),
            ["jordan", "1", "dz5485", "612"]
        );
        assert_eq!(terms("%_*\"'"), Vec::<String>::new());
        let flood = "a".repeat(50_000);
        let t = terms(&flood);
        assert_eq!(t.len(), 1);
        assert_eq!(t[0].len(), MAX_TERM_CHARS);
        let many = "w ".repeat(1_000);
        assert_eq!(terms(&many).len(), MAX_TERMS);
    }
}
