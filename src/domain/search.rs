//! What a search box may ask of the database: one rule for the stock table, the storefront and
//! every other search, so a pasted page of text can neither fail a query nor slow it down.
//!
//! Resellers type grades and sizes the way they say them ("PSA 10", "psa10", "grade 9.5",
//! "US 11", "size 10.5"); both the query and the item's indexed words fold those into one
//! word ("psa10", "grade95", "us11", "size105"), so either spelling finds the same items.

use super::item::{GradingCompany, SizeSystem};

/// Characters of a query that are read; the rest is ignored.
pub const MAX_QUERY_CHARS: usize = 200;
/// Words of a query that are matched.
pub const MAX_TERMS: usize = 8;
/// Characters of one word that are matched (longer words match by their start).
pub const MAX_TERM_CHARS: usize = 40;

/// Words that name what the number after them is: a grader, a grade, a size system.
const QUALIFIERS: [&str; 10] = [
    "psa", "bgs", "cgc", "sgc", "tag", "grade", "us", "eu", "uk", "size",
];

/// Letters and digits of `text` as lower-case words; a decimal number ("10.5", "9,5") stays
/// one word without its separator ("105"), like sizes and grades are indexed.
fn words(text: &str) -> Vec<String> {
    let chars: Vec<char> = text.chars().collect();
    let mut out = Vec::new();
    let mut word = String::new();
    for (i, &c) in chars.iter().enumerate() {
        let joins_digits = (c == '.' || c == ',')
            && i > 0
            && chars[i - 1].is_ascii_digit()
            && chars.get(i + 1).is_some_and(|n| n.is_ascii_digit());
        if c.is_alphanumeric() {
            word.extend(c.to_lowercase());
        } else if !joins_digits && !word.is_empty() {
            out.push(std::mem::take(&mut word));
        }
    }
    if !word.is_empty() {
        out.push(word);
    }
    out
}

/// Text as the indexes store it: its words (see [`words`]) separated by single spaces.
pub fn index_words(text: &str) -> String {
    words(text).join(" ")
}

/// The words of a search, lower-cased, letters and digits only, within the limits above;
/// "PSA 10" becomes "psa10" and "cert 123" becomes "123".
pub fn terms(query: &str) -> Vec<String> {
    let head: String = query.chars().take(MAX_QUERY_CHARS).collect();
    let mut raw = words(&head).into_iter().peekable();
    let mut out = Vec::new();
    while let Some(word) = raw.next() {
        let next_is_number = raw
            .peek()
            .is_some_and(|n| n.chars().all(|c| c.is_ascii_digit()));
        let word = if word == "cert" && raw.peek().is_some() {
            continue;
        } else if next_is_number && QUALIFIERS.contains(&word.as_str()) {
            format!("{word}{}", raw.next().unwrap_or_default())
        } else {
            word
        };
        out.push(word.chars().take(MAX_TERM_CHARS).collect());
        if out.len() == MAX_TERMS {
            break;
        }
    }
    out
}

/// The words an item is also found by: its grade ("psa", "psa10", "grade10") and its size
/// ("10", "105", "us105", "size105").
pub fn graded_size_words(
    grader: Option<GradingCompany>,
    grade: Option<&str>,
    size: Option<&str>,
    system: Option<SizeSystem>,
) -> Vec<String> {
    let compact = |s: &str| words(s).concat();
    let mut out = Vec::new();
    if let Some(g) = grader {
        out.push(g.as_str().to_lowercase());
    }
    if let Some(grade) = grade.map(compact).filter(|g| !g.is_empty()) {
        if let Some(g) = grader {
            out.push(format!("{}{grade}", g.as_str().to_lowercase()));
        }
        out.push(format!("grade{grade}"));
        out.push(grade);
    }
    if let Some(size) = size.map(compact).filter(|s| !s.is_empty()) {
        let family = match system {
            Some(SizeSystem::UsM | SizeSystem::UsW | SizeSystem::UsGs) => Some("us"),
            Some(SizeSystem::Eu) => Some("eu"),
            Some(SizeSystem::Uk) => Some("uk"),
            None => None,
        };
        if let Some(f) = family {
            out.push(format!("{f}{size}"));
        }
        out.push(format!("size{size}"));
        out.push(size);
    }
    out
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

    #[test]
    fn grades_and_sizes_read_as_resellers_type_them() {
        assert_eq!(terms("PSA 10"), ["psa10"]);
        assert_eq!(terms("psa10"), ["psa10"]);
        assert_eq!(terms("Charizard grade 9.5"), ["charizard", "grade95"]);
        assert_eq!(terms("zebra 11"), ["zebra", "11"]);
        assert_eq!(terms("zebra US 10.5"), ["zebra", "us105"]);
        assert_eq!(terms("size 10,5"), ["size105"]);
        assert_eq!(terms("cert #81234567"), ["81234567"]);
        assert_eq!(terms("psa"), ["psa"]);
        assert_eq!(terms("us"), ["us"]);
    }

    #[test]
    fn items_carry_the_words_those_queries_become() {
        let card = graded_size_words(Some(GradingCompany::Psa), Some("10"), None, None);
        for q in ["PSA 10", "psa10", "grade 10", "psa"] {
            for t in terms(q) {
                assert!(card.contains(&t), "{q} → {t} not in {card:?}");
            }
        }
        let shoe = graded_size_words(None, None, Some("10.5"), Some(SizeSystem::UsM));
        for q in ["US 10.5", "us10.5", "size 10.5", "10.5"] {
            for t in terms(q) {
                assert!(shoe.contains(&t), "{q} → {t} not in {shoe:?}");
            }
        }
        assert!(!shoe.contains(&"eu105".to_string()));
        let eu = graded_size_words(None, None, Some("44 2/3"), Some(SizeSystem::Eu));
        assert!(eu.contains(&"eu4423".to_string()));
    }
}
