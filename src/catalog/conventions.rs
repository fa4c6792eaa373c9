//! What resellers mean by what they leave out. "Jordan 1 Lost and Found" is the High (a Low
//! or a Mid is always named), a Dunk or an Air Force 1 is the Low, a Yeezy with no model is
//! the 350; a release year in a name ("Concord (2018)") is the current release nobody
//! spells out; "alt art" asks for the alternate or secret printing of a card.

use super::product::Product;
use crate::domain::catalog::{ProductKind, Query, SizeRun};

/// Models with versions that resellers name only when it is not the usual one: the model's
/// words, the words that choose a version, and the version meant when none is named.
const MODEL_DEFAULTS: &[(&[&str], &[&str], &str)] = &[
    (&["jordan", "1"], &["low", "mid", "high"], "high"),
    (&["dunk"], &["low", "mid", "high"], "low"),
    (&["force", "1"], &["low", "mid", "high"], "low"),
    (
        &["yeezy"],
        &["350", "380", "450", "500", "700", "750", "slide", "foam"],
        "350",
    ),
];

/// Query words that ask for an alternate printing of a card.
const ALTERNATE_WORDS: &[&str] = &["alternate", "parallel", "manga"];

/// Rarity or name words of a printing beyond the regular one.
const SPECIAL_WORDS: &[&str] = &["alternate", "parallel", "illustration", "hyper", "manga"];

/// Which version of its model a sneaker is, by its name's words.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Version {
    /// No choice to make (a model without versions, or none named).
    Plain,
    /// The version meant when none is named; this word of the name is not one the text
    /// has to say.
    Usual(&'static str),
    /// Another version: only a text that names a version gets it without a cost.
    Other(usize),
}

fn contains_run(words: &[String], run: &[&str]) -> bool {
    words
        .windows(run.len())
        .any(|w| w.iter().zip(run).all(|(a, b)| a == b))
}

/// A sneaker name's version of its model.
pub fn version(kind: ProductKind, name_words: &[String]) -> Version {
    if kind != ProductKind::Sneaker {
        return Version::Plain;
    }
    for (at, (model, versions, usual)) in MODEL_DEFAULTS.iter().enumerate() {
        if !contains_run(name_words, model) {
            continue;
        }
        let named = name_words.iter().find(|w| versions.contains(&w.as_str()));
        return match named {
            Some(w) if w == usual => Version::Usual(usual),
            Some(_) => Version::Other(at),
            None => Version::Plain,
        };
    }
    Version::Plain
}

/// What a text asks for beyond its words, read once per query.
pub struct Wants {
    pub size_run: Option<SizeRun>,
    pub language: Option<String>,
    /// An alternate printing ("alt art", "parallel").
    pub alternate: bool,
    /// Per model of [`MODEL_DEFAULTS`]: the text names one of its versions.
    versions: [bool; MODEL_DEFAULTS.len()],
}

impl Wants {
    pub fn of(q: &Query) -> Wants {
        let has = |list: &[&str]| q.words.iter().any(|w| list.contains(&w.as_str()));
        Wants {
            size_run: q.size_run,
            language: q.language.clone(),
            alternate: has(ALTERNATE_WORDS),
            versions: std::array::from_fn(|at| has(MODEL_DEFAULTS[at].1)),
        }
    }

    /// Whether the text names a version of the model at `at` in [`MODEL_DEFAULTS`].
    pub fn names_version(&self, at: usize) -> bool {
        self.versions[at]
    }
}

/// A release year ("2018" of "Concord (2018)"): part of the name, but not a word a text
/// has to say.
pub fn is_year(word: &str) -> bool {
    word.len() == 4
        && word
            .parse::<u16>()
            .is_ok_and(|y| (1980..=2040).contains(&y))
}

/// Whether a card is a printing beyond the regular one: numbered past its set's total
/// (`215/203`), or an alternate, parallel or illustration rarity.
pub fn is_special_printing(p: &Product) -> bool {
    if p.kind != ProductKind::Card {
        return false;
    }
    let past_total = p
        .number
        .as_deref()
        .and_then(|n| n.split_once('/'))
        .is_some_and(
            |(n, total)| match (n.trim().parse::<u32>(), total.trim().parse::<u32>()) {
                (Ok(n), Ok(total)) => n > total,
                _ => false,
            },
        );
    let words = |t: Option<&str>| {
        t.unwrap_or("")
            .to_lowercase()
            .split(|c: char| !c.is_alphanumeric())
            .any(|w| SPECIAL_WORDS.contains(&w))
    };
    past_total || words(p.rarity.as_deref()) || words(Some(&p.name))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words(text: &str) -> Vec<String> {
        Query::parse(text).words
    }

    #[test]
    fn versions_nobody_names() {
        let sneaker = ProductKind::Sneaker;
        assert_eq!(
            version(sneaker, &words("Air Jordan 1 Retro High OG Chicago")),
            Version::Usual("high")
        );
        assert_eq!(
            version(sneaker, &words("Air Jordan 1 Low Chicago")),
            Version::Other(0)
        );
        assert_eq!(
            version(sneaker, &words("Nike Dunk Low Panda")),
            Version::Usual("low")
        );
        assert_eq!(
            version(sneaker, &words("Nike Dunk High Panda")),
            Version::Other(1)
        );
        assert_eq!(
            version(sneaker, &words("Air Jordan 11 Retro Low Concord")),
            Version::Plain
        );
        assert_eq!(
            version(sneaker, &words("adidas Yeezy Boost 700 Zebra")),
            Version::Other(3)
        );
        assert_eq!(
            version(ProductKind::Card, &words("Dunk Low")),
            Version::Plain
        );
        assert!(Wants::of(&Query::parse("jordan 1 low lost and found")).names_version(0));
        assert!(!Wants::of(&Query::parse("jordan 1 lost and found")).names_version(0));
        assert!(Wants::of(&Query::parse("op05 119 alt art")).alternate);
        assert!(is_year("2018") && !is_year("1130") && !is_year("350"));
    }
}
