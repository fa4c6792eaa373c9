//! The real-world part of the catalog benchmark: real products (`real_world/catalog.jsonl`)
//! and messy text as resellers type it for them (`real_world/inputs.tsv`), written by hand
//! rather than generated, so the resolver is not only measured on the generator's own
//! templates. The products go into the synthetic catalog in place of whatever synthetic
//! product held the same name, card number or style id, or was named as a shorter form of it or
//! by a nickname it goes by, so its near duplicates stay around.

use serde_json::Value;
use std::collections::HashMap;

use crate::domain::catalog::set_number;

const CATALOG: &str = include_str!("real_world/catalog.jsonl");
const INPUTS: &str = include_str!("real_world/inputs.tsv");

pub struct RealWorld {
    pub lines: Vec<Value>,
    /// Each sneaker line's name words and the words of the nicknames it goes by (the bench-only
    /// `"aka"` of a line: the '07 White is the "Triple White"); empty for anything else.
    pub names: Vec<Vec<String>>,
    /// Messy text → identity of the right product (None: nothing in the catalog is it).
    pub labelled: Vec<(String, Option<String>)>,
}

/// What a product occupies in a catalog: a card its set and number, anything else its
/// name, and each of its style ids.
pub fn slots(line: &Value) -> Vec<String> {
    let text = |k: &str| line.get(k).and_then(Value::as_str).unwrap_or("");
    let mut slots = vec![
        match (text("kind"), set_number(text("set_code"), text("number"))) {
            ("card", Some(key)) => format!("card:{key}"),
            (kind, _) => format!("{kind}:{}", text("name").to_lowercase()),
        },
    ];
    slots.extend(
        text("style_id")
            .split('/')
            .filter(|s| !s.is_empty())
            .map(|s| format!("style:{}", s.to_uppercase())),
    );
    slots
}

/// The words of a sneaker's name ("Nike Dunk Low Panda (W)" → nike dunk low panda w); empty
/// for anything else.
pub fn sneaker_words(line: &Value) -> Vec<String> {
    if line.get("kind").and_then(Value::as_str) != Some("sneaker") {
        return Vec::new();
    }
    let name = line.get("name").and_then(Value::as_str).unwrap_or("");
    words(name)
}

fn words(text: &str) -> Vec<String> {
    text.split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_lowercase)
        .collect()
}

/// A synthetic sneaker whose every word is in a real one's name (the generator's "Nike Dunk
/// Low Panda" beside the real "Nike Dunk Low Retro White Black Panda") is the same shoe
/// named shorter: a real catalog does not hold both.
pub fn named_shorter(synthetic: &[String], real: &[String]) -> bool {
    !synthetic.is_empty() && synthetic.iter().all(|w| real.contains(w))
}

/// The products and the labelled inputs; `identity_of` names a catalog line's product.
pub fn load(identity_of: impl Fn(&Value) -> String) -> Result<RealWorld, String> {
    let mut lines: Vec<Value> = CATALOG
        .lines()
        .filter(|l| !l.trim().is_empty())
        .map(serde_json::from_str)
        .collect::<Result<_, _>>()
        .map_err(|e| format!("real_world/catalog.jsonl: {e}"))?;
    // "aka" is the bench's, not a catalog field: taken out before the lines are imported.
    let names = lines
        .iter_mut()
        .map(|line| {
            let aka = line.as_object_mut().and_then(|o| o.remove("aka"));
            let mut names = sneaker_words(line);
            if !names.is_empty() {
                names.extend(aka.iter().flat_map(|a| words(a.as_str().unwrap_or(""))));
            }
            names
        })
        .collect();
    let by_name: HashMap<&str, String> = lines
        .iter()
        .map(|l| (l["name"].as_str().unwrap_or(""), identity_of(l)))
        .collect();
    let mut labelled = Vec::new();
    for (n, row) in INPUTS.lines().enumerate() {
        if row.starts_with('#') || row.trim().is_empty() {
            continue;
        }
        let at = || format!("real_world/inputs.tsv line {}", n + 1);
        let (text, name) = row
            .split_once('\t')
            .ok_or_else(|| format!("{}: no tab", at()))?;
        let expected = match name.trim() {
            "-" => None,
            name => Some(
                by_name
                    .get(name)
                    .cloned()
                    .ok_or_else(|| format!("{}: no product named {name:?}", at()))?,
            ),
        };
        labelled.push((text.trim().to_string(), expected));
    }
    Ok(RealWorld {
        lines,
        names,
        labelled,
    })
}
