//! The local catalog search: an in-memory index built from every product, answering the two
//! local steps of the cascade — by identifier, then by name.
//!
//! Why in memory rather than SQL full-text (FTS5 / tsvector) or tantivy: resolution is a
//! ranking problem over identity words (a colourway modifier such as "Reverse" must cost a
//! product its rank; sizes and grades must not count at all; typos must still find the word),
//! and 25,000–500,000 products fit in a few tens of megabytes. One Rust index ranks the same
//! way on SQLite and PostgreSQL, answers in microseconds without a round trip, and needs no new
//! crate; it is rebuilt when the catalog's generation moves.
//!
//! Scoring: each query word weighs its rarity (idf). How much of the query a product covers
//! (`query_cover`) decides most; how much of the product's own name the query covers
//! (`name_cover`) ranks siblings ("Panda" before "Reverse Panda"). Conventions are soft
//! preferences: no size-run marker prefers the adult shoe, no language word the English
//! printing, no version the model's usual one (`conventions`). Confidence is the score,
//! lowered when the runner-up is close.

use std::collections::HashMap;

use super::conventions::{self, Version, Wants};
use super::product::Product;
use crate::domain::catalog::{self, ProductKind, Query, SizeRun};
use crate::domain::item::SizeSystem;

/// Words of sneaker names that resellers leave out and that tell no two products apart.
const FILLER: &[&str] = &["air", "retro", "07", "77", "boost", "sp"];

/// At or above this confidence an answer is taken without asking.
pub const CONFIDENT: f32 = 0.8;

/// Which step of the cascade produced an answer.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    LocalIdentifier,
    LocalName,
}

impl Step {
    pub fn as_str(self) -> &'static str {
        match self {
            Step::LocalIdentifier => "local_identifier",
            Step::LocalName => "local_name",
        }
    }
}

/// A ranked product: its position in the index and its confidence.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Hit {
    pub product: usize,
    pub confidence: f32,
}

/// What the local steps found for a text.
#[derive(Debug, Clone, PartialEq)]
pub struct Found {
    /// Best first, at most 5.
    pub hits: Vec<Hit>,
    pub step: Option<Step>,
    /// The size a scanned barcode names (the best hit's), in the size system its size run
    /// is sold in.
    pub size: Option<(SizeSystem, String)>,
}

impl Found {
    /// The answer, when the best hit is confident.
    pub fn answer(&self) -> Option<Hit> {
        self.hits
            .first()
            .copied()
            .filter(|h| h.confidence >= CONFIDENT)
    }
}

#[derive(Clone, Copy)]
struct Posting {
    product: u32,
    /// The word is in the product's name (or colourway), not only in its maker, set or game.
    named: bool,
    /// The word is in the name of the product's set.
    in_set: bool,
}

struct Entry {
    kind: ProductKind,
    size_run: SizeRun,
    language: String,
    /// Σ weight of the name's words.
    name_weight: f32,
    /// A card's set total (`102` of `4/102`).
    set_total: Option<String>,
    /// Which version of its model a sneaker is (the High, the Low…).
    version: Version,
    /// A card printing beyond the regular one (alternate art, secret).
    special: bool,
    /// How many words the set's name has.
    set_words: u8,
}

pub struct Index {
    products: Vec<Product>,
    entries: Vec<Entry>,
    words: HashMap<String, u32>,
    /// Every word, sorted: prefixes for the type-ahead's unfinished last word.
    sorted_words: Vec<(String, u32)>,
    postings: Vec<Vec<Posting>>,
    weights: Vec<f32>,
    /// Each word with one letter deleted → words (typos: one edit away).
    deletions: HashMap<String, Vec<u32>>,
    by_style: HashMap<String, Vec<u32>>,
    by_gtin: HashMap<String, Vec<u32>>,
    /// A size's barcode → its product and the size in each system.
    by_size_gtin: HashMap<String, (u32, Vec<(SizeSystem, String)>)>,
    by_set_number: HashMap<String, Vec<u32>>,
    by_number: HashMap<String, Vec<u32>>,
}

fn deletions_of(word: &str) -> impl Iterator<Item = String> + '_ {
    let chars: Vec<char> = word.chars().collect();
    (0..chars.len()).map(move |i| {
        chars
            .iter()
            .enumerate()
            .filter(|(j, _)| *j != i)
            .map(|(_, c)| c)
            .collect()
    })
}

fn typo_tolerant(word: &str) -> bool {
    word.len() >= 4 && word.chars().all(|c| c.is_alphabetic())
}

/// The words of a product text, read as a query would read them.
fn words_of(text: &str) -> Vec<String> {
    Query::parse(text).words
}

/// Adds `id` under `key`, once.
fn push_unique(map: &mut HashMap<String, Vec<u32>>, key: String, id: u32) {
    let list = map.entry(key).or_default();
    if list.last() != Some(&id) {
        list.push(id);
    }
}

impl Index {
    pub fn build(products: Vec<Product>) -> Index {
        let mut words: HashMap<String, u32> = HashMap::new();
        let mut postings: Vec<Vec<Posting>> = Vec::new();
        let mut by_style = HashMap::new();
        let mut by_gtin = HashMap::new();
        let mut by_set_number = HashMap::new();
        let mut by_number = HashMap::new();
        let mut named_words: Vec<Vec<u32>> = Vec::with_capacity(products.len());
        let mut entries = Vec::with_capacity(products.len());
        for (at, p) in products.iter().enumerate() {
            let id = at as u32;
            let name = Query::parse(&p.name);
            // The maker's words in a name ("Nike Dunk Low") and the words everyone leaves out
            // ("Air", "Retro") are not what tells siblings apart. The colourway's colours
            // ("White/Black") are not searched: a colour asked for must be in the name.
            let mut other: Vec<String> = Vec::new();
            for text in [&p.brand, &p.game, &p.model, &p.set_name, &p.rarity]
                .into_iter()
                .flatten()
            {
                other.extend(words_of(text));
            }
            let maker: Vec<String> = [&p.brand, &p.game]
                .into_iter()
                .flatten()
                .flat_map(|t| words_of(t))
                .collect();
            // Nor are the words a text leaves out and still means: the usual version of a
            // model ("High" of a Jordan 1), a release year, and the colours a name repeats
            // from its colourway ("Dunk Low Retro White Black Panda" is the "Panda").
            let version = conventions::version(p.kind, &name.words);
            let colours: Vec<String> = p.colorway.as_deref().map(words_of).unwrap_or_default();
            let unnamed = |w: &String| {
                maker.contains(w)
                    || FILLER.contains(&w.as_str())
                    || colours.contains(w)
                    || conventions::is_year(w)
                    || matches!(version, Version::Usual(u) if u == w)
            };
            let named: Vec<String> = name.words.iter().filter(|w| !unnamed(w)).cloned().collect();
            let set_words: Vec<String> = p.set_name.as_deref().map(words_of).unwrap_or_default();
            if let Some(code) = &p.set_code {
                other.push(code.to_lowercase());
            }
            // One colour all over is what resellers call "triple white".
            if colours.len() >= 2 && colours.iter().all(|c| *c == colours[0]) {
                other.push("triple".into());
            }
            let number = p.number.as_deref().and_then(catalog::card_number);
            if let Some(n) = &number {
                other.push(n.to_lowercase());
                push_unique(&mut by_number, n.clone(), id);
                if let Some(code) = &p.set_code
                    && let Some(key) = catalog::set_number(code, p.number.as_deref().unwrap_or(""))
                {
                    push_unique(&mut by_set_number, key, id);
                }
            }
            for style in p.style_id.iter().flat_map(|s| catalog::style_ids(s)) {
                push_unique(&mut by_style, style, id);
            }
            if let Some(g) = &p.gtin {
                push_unique(&mut by_gtin, g.clone(), id);
            }
            let mut mine: HashMap<u32, (bool, bool)> = HashMap::new();
            let mut word_id = |w: String| {
                let next = words.len() as u32;
                *words.entry(w).or_insert_with(|| {
                    postings.push(Vec::new());
                    next
                })
            };
            let mut named_ids = Vec::new();
            for w in name.words.iter().filter(|w| unnamed(w)).cloned() {
                let wid = word_id(w);
                mine.insert(wid, (false, false));
            }
            for w in named {
                let wid = word_id(w);
                mine.insert(wid, (true, false));
                named_ids.push(wid);
            }
            for w in other {
                let wid = word_id(w);
                mine.entry(wid).or_insert((false, false));
            }
            let set_count = set_words.len().min(u8::MAX as usize) as u8;
            for w in set_words {
                let wid = word_id(w);
                mine.entry(wid).or_insert((false, false)).1 = true;
            }
            for (wid, (named, in_set)) in mine {
                postings[wid as usize].push(Posting {
                    product: id,
                    named,
                    in_set,
                });
            }
            named_ids.sort_unstable();
            named_ids.dedup();
            named_words.push(named_ids);
            let size_run = name.size_run.unwrap_or(SizeRun::Adult);
            entries.push(Entry {
                kind: p.kind,
                size_run,
                language: p.language.clone().unwrap_or_else(|| "en".into()),
                name_weight: 0.0,
                set_total: p
                    .number
                    .as_deref()
                    .and_then(|n| n.split_once('/'))
                    .and_then(|(_, total)| catalog::card_number(total)),
                version,
                special: conventions::is_special_printing(p),
                set_words: set_count,
            });
        }
        let n = products.len().max(1) as f32;
        // A word's rarity counts the names it is in ("Black" of "Triple Black"), not every
        // colourway that mentions it: a colour in a name tells siblings apart.
        let weights: Vec<f32> = postings
            .iter()
            .map(|list| {
                let named = list.iter().filter(|p| p.named).count();
                let df = if named > 0 { named } else { list.len() };
                (1.0 + n / df.max(1) as f32).ln()
            })
            .collect();
        for (entry, named) in entries.iter_mut().zip(&named_words) {
            entry.name_weight = named.iter().map(|w| weights[*w as usize]).sum();
        }
        let mut deletions: HashMap<String, Vec<u32>> = HashMap::new();
        let mut sorted_words: Vec<(String, u32)> = Vec::with_capacity(words.len());
        for (word, wid) in &words {
            sorted_words.push((word.clone(), *wid));
            if typo_tolerant(word) {
                for d in deletions_of(word) {
                    deletions.entry(d).or_default().push(*wid);
                }
            }
        }
        sorted_words.sort_unstable();
        Index {
            products,
            entries,
            words,
            sorted_words,
            postings,
            weights,
            deletions,
            by_style,
            by_gtin,
            by_size_gtin: HashMap::new(),
            by_set_number,
            by_number,
        }
    }

    /// Adds the sizes' barcodes: (gtin, product id, size system, size) rows, as
    /// `store::all_gtins` reads them.
    pub fn with_gtins(mut self, rows: Vec<(String, String, String, String)>) -> Index {
        let at: HashMap<&str, u32> = self
            .products
            .iter()
            .enumerate()
            .map(|(i, p)| (p.id.as_str(), i as u32))
            .collect();
        let mut by_size_gtin: HashMap<String, (u32, Vec<(SizeSystem, String)>)> = HashMap::new();
        for (gtin, product, system, size) in rows {
            let (Some(&id), Some(system)) = (at.get(product.as_str()), SizeSystem::parse(&system))
            else {
                continue;
            };
            by_size_gtin
                .entry(gtin)
                .or_insert_with(|| (id, Vec::new()))
                .1
                .push((system, size));
        }
        self.by_size_gtin = by_size_gtin;
        self
    }

    /// The size to show for a barcode: in the system of the product's size run (US M for
    /// men's, US W for women's, US GS for grade school), else the first it has.
    fn size_to_show(
        &self,
        at: u32,
        sizes: &[(SizeSystem, String)],
    ) -> Option<(SizeSystem, String)> {
        let wanted = match self.entries[at as usize].size_run {
            SizeRun::Women => SizeSystem::UsW,
            SizeRun::Grade => SizeSystem::UsGs,
            _ => SizeSystem::UsM,
        };
        [
            wanted,
            SizeSystem::UsM,
            SizeSystem::UsW,
            SizeSystem::UsGs,
            SizeSystem::Uk,
            SizeSystem::Eu,
        ]
        .into_iter()
        .find_map(|s| sizes.iter().find(|(sys, _)| *sys == s))
        .cloned()
    }

    pub fn len(&self) -> usize {
        self.products.len()
    }

    pub fn is_empty(&self) -> bool {
        self.products.is_empty()
    }

    pub fn product(&self, at: usize) -> &Product {
        &self.products[at]
    }

    /// The words a query word stands for: itself, or the catalog's words one typo away, or
    /// (for the unfinished last word of a type-ahead) the words it begins.
    fn expand(&self, word: &str, prefix: bool) -> Vec<(u32, f32)> {
        if let Some(wid) = self.words.get(word) {
            return vec![(*wid, 1.0)];
        }
        // A plural the catalog only has singular: "4s" are Jordan 4s, "dunks" Dunks.
        if let Some(wid) = word
            .strip_suffix('s')
            .filter(|stem| !stem.is_empty())
            .and_then(|stem| self.words.get(stem))
        {
            return vec![(*wid, 1.0)];
        }
        let mut out: Vec<(u32, f32)> = Vec::new();
        if prefix && word.len() >= 2 {
            let start = self
                .sorted_words
                .partition_point(|(w, _)| w.as_str() < word);
            for (w, wid) in self.sorted_words[start..].iter().take(30) {
                if !w.starts_with(word) {
                    break;
                }
                out.push((*wid, 0.9));
            }
        }
        if typo_tolerant(word) {
            let mut near: Vec<u32> = Vec::new();
            if let Some(list) = self.deletions.get(word) {
                near.extend(list);
            }
            for d in deletions_of(word) {
                if let Some(wid) = self.words.get(&d) {
                    near.push(*wid);
                }
                if let Some(list) = self.deletions.get(&d) {
                    near.extend(list);
                }
            }
            near.sort_unstable();
            near.dedup();
            out.extend(near.into_iter().map(|wid| (wid, 0.9)));
        }
        out
    }

    /// The local steps for one text. `typing`: the last word may be unfinished.
    pub fn find(&self, text: &str, typing: bool) -> Found {
        let q = Query::parse(text);
        // A size's barcode names the product and the size in the box.
        if let Some((at, sizes)) = q.gtin.as_ref().and_then(|g| self.by_size_gtin.get(g)) {
            return Found {
                hits: vec![Hit {
                    product: *at as usize,
                    confidence: 0.99,
                }],
                step: Some(Step::LocalIdentifier),
                size: self.size_to_show(*at, sizes),
            };
        }
        // By identifier: a style id, GTIN or set code + number names the product outright.
        let mut ids: Vec<u32> = Vec::new();
        for s in &q.style_ids {
            ids.extend(self.by_style.get(s).into_iter().flatten());
        }
        if let Some(g) = &q.gtin {
            ids.extend(self.by_gtin.get(g).into_iter().flatten());
        }
        for key in &q.set_numbers {
            ids.extend(self.by_set_number.get(key).into_iter().flatten());
        }
        ids.sort_unstable();
        ids.dedup();
        let mut by_identifier = None;
        if !ids.is_empty() {
            let ranked = self.rank(&q, Some(&ids), false);
            let found = Found {
                hits: self.identified(&q, ranked),
                step: Some(Step::LocalIdentifier),
                size: None,
            };
            if found.answer().is_some() {
                return found;
            }
            // Not sure (two printings, or another language than asked): the words may find
            // better.
            by_identifier = Some(found);
        }
        let by_name = self.find_by_name(&q, typing);
        match (by_identifier, by_name) {
            (Some(a), Some(b)) => Some(if b.hits[0].confidence > a.hits[0].confidence {
                b
            } else {
                a
            }),
            (a, b) => a.or(b),
        }
        .unwrap_or(Found {
            hits: Vec::new(),
            step: None,
            size: None,
        })
    }

    /// The steps after identifiers: a card number with its name, then the name alone.
    fn find_by_name(&self, q: &Query, typing: bool) -> Option<Found> {
        // A card number with the name ("Charizard base 4/102"): the number narrows, the words
        // decide.
        let mut numbered: Vec<u32> = Vec::new();
        for (number, total) in &q.numbers {
            for id in self.by_number.get(number).into_iter().flatten() {
                let e = &self.entries[*id as usize];
                if total.is_none() || e.set_total.is_none() || e.set_total == *total {
                    numbered.push(*id);
                }
            }
        }
        if !numbered.is_empty() && !q.words.is_empty() {
            numbered.sort_unstable();
            numbered.dedup();
            let ranked = self.rank(q, Some(&numbered), typing);
            if ranked.first().is_some_and(|(_, s)| *s >= 0.5) {
                return Some(Found {
                    hits: confidences(ranked),
                    step: Some(Step::LocalIdentifier),
                    size: None,
                });
            }
        }
        if q.words.is_empty() {
            return None;
        }
        let ranked = self.rank(q, None, typing);
        if ranked.is_empty() {
            return None;
        }
        let mut hits = confidences(ranked);
        // The text gave a card number the name's best match does not have: a choice.
        if !q.numbers.is_empty() {
            for hit in &mut hits {
                if !numbered.contains(&(hit.product as u32)) {
                    hit.confidence *= 0.6;
                }
            }
        }
        // The text gave a style id, and a product the words find carries another one: a
        // sibling (another colourway, a GS or women's pair), so a choice, never an answer.
        if !q.style_ids.is_empty() {
            for hit in &mut hits {
                let carries = |s: &String| {
                    self.by_style
                        .get(s)
                        .is_some_and(|l| l.contains(&(hit.product as u32)))
                };
                if self.products[hit.product].style_id.is_some() && !q.style_ids.iter().any(carries)
                {
                    hit.confidence *= 0.6;
                }
            }
        }
        Some(Found {
            hits,
            step: Some(Step::LocalName),
            size: None,
        })
    }

    /// Products scored for the query's words, best first (at most 5). `within`: only these
    /// (sorted).
    fn rank(&self, q: &Query, within: Option<&[u32]>, typing: bool) -> Vec<(u32, f32)> {
        SCRATCH.with_borrow_mut(|scratch| {
            scratch.prepare(self.products.len());
            let ranked = self.rank_with(scratch, q, within, typing);
            scratch.clear();
            ranked
        })
    }

    fn rank_with(
        &self,
        scratch: &mut Scratch,
        q: &Query,
        within: Option<&[u32]>,
        typing: bool,
    ) -> Vec<(u32, f32)> {
        let mut query_weight = 0.0f32;
        let mut seen_words: Vec<&str> = Vec::new();
        let last = q.words.len().saturating_sub(1);
        for (i, word) in q.words.iter().enumerate() {
            if seen_words.contains(&word.as_str()) {
                continue;
            }
            seen_words.push(word);
            let meanings = self.expand(word, typing && i == last);
            // A word the catalog does not know weighs like its rarest word: the query asks
            // for something none of these products is.
            let weight = meanings
                .iter()
                .map(|(wid, _)| self.weights[*wid as usize])
                .fold(f32::NAN, f32::max);
            // A bare number the catalog does not know is a size or a count, not identity.
            let numeric = word.chars().all(|c| c.is_ascii_digit());
            let weight = match (weight.is_nan(), numeric) {
                (true, true) => continue,
                (true, false) => (1.0 + self.products.len() as f32).ln(),
                (false, _) => weight,
            };
            query_weight += weight;
            // Each product counts the best meaning it has, once.
            scratch.next_word();
            for (wid, factor) in meanings {
                let w = self.weights[wid as usize];
                let postings = &self.postings[wid as usize];
                let mut count = |p: &Posting| {
                    scratch.offer(
                        p.product,
                        Tally {
                            query: weight * factor,
                            name: if p.named { w * factor } else { 0.0 },
                            set_words: u8::from(p.in_set),
                        },
                    )
                };
                match within {
                    // Postings are in product order: look the few products up.
                    Some(set) => {
                        for id in set {
                            if let Ok(at) = postings.binary_search_by_key(id, |p| p.product) {
                                count(&postings[at]);
                            }
                        }
                    }
                    None => postings.iter().for_each(count),
                }
            }
            scratch.add_word();
        }
        if let Some(set) = within {
            for id in set {
                scratch.touch(*id);
            }
        }
        // No words beside the identifier: every printing it names covers the query.
        let wordless = query_weight == 0.0;
        if wordless {
            query_weight = 1.0;
        }
        let wants = Wants::of(q);
        let mut best: Vec<(u32, f32)> = Vec::with_capacity(6);
        for &id in &scratch.touched {
            let t = scratch.tally[id as usize];
            let e = &self.entries[id as usize];
            let query_cover = if wordless {
                1.0
            } else {
                (t.query / query_weight.max(f32::EPSILON)).min(1.0)
            };
            let name_cover = if wordless || e.name_weight <= 0.0 {
                1.0
            } else {
                (t.name / e.name_weight).min(1.0)
            };
            // Among the printings an identifier named, the words only choose; across the
            // catalog, a word of the name the text lacks ("Reverse") costs the rank.
            let named_part = if within.is_some() {
                0.8 + 0.2 * name_cover
            } else {
                0.15 + 0.85 * name_cover.powf(1.5)
            };
            let mut score = query_cover * query_cover * named_part;
            score *= self.convention(&wants, id as usize);
            // Part of a set's name is another set ("Base Set" is not "Base Set 2").
            if t.set_words > 0 && t.set_words < e.set_words {
                score *= 0.85;
            }
            self.keep_best(&mut best, (id, score));
        }
        best
    }

    /// Keeps the five best in order. Ties go to the plainer product (the regular printing
    /// before the alternate art), then to the first.
    fn keep_best(&self, best: &mut Vec<(u32, f32)>, scored: (u32, f32)) {
        let before = |a: &(u32, f32), b: &(u32, f32)| {
            b.1.total_cmp(&a.1)
                .then(
                    self.entries[a.0 as usize]
                        .name_weight
                        .total_cmp(&self.entries[b.0 as usize].name_weight),
                )
                .then(a.0.cmp(&b.0))
        };
        if best.len() == 5 && before(&scored, &best[4]).is_ge() {
            return;
        }
        let at = best.partition_point(|b| before(b, &scored).is_lt());
        best.insert(at, scored);
        best.truncate(5);
    }

    /// An identifier hit: one product is certain (unless it is another language than asked
    /// for); several are ranked by the words.
    fn identified(&self, q: &Query, ranked: Vec<(u32, f32)>) -> Vec<Hit> {
        if ranked.len() == 1 {
            let at = ranked[0].0 as usize;
            return vec![Hit {
                product: at,
                confidence: 0.99 * self.convention(&Wants::of(q), at).max(0.5),
            }];
        }
        let mut hits = confidences(ranked);
        // The identifier already narrowed to a few printings: the words only choose among
        // them. A tie stays a choice.
        if let Some(first) = hits.first_mut()
            && first.confidence >= 0.6
        {
            first.confidence = (first.confidence + 0.3).min(0.97);
        }
        hits
    }

    /// The soft preferences: the size run asked for (adult when none is), the language asked
    /// for (English when none is).
    fn convention(&self, wants: &Wants, at: usize) -> f32 {
        let e = &self.entries[at];
        let mut factor = 1.0;
        if e.kind == ProductKind::Sneaker || e.size_run != SizeRun::Adult {
            let wanted = wants.size_run.unwrap_or(SizeRun::Adult);
            if e.size_run != wanted {
                factor *= if wants.size_run.is_some() { 0.6 } else { 0.88 };
            }
        }
        if let Version::Other(model) = e.version
            && !wants.names_version(model)
        {
            factor *= 0.85;
        }
        // Asked for the alternate art, the regular printing comes second (not asked, ties
        // already go to the plainer one).
        if e.kind == ProductKind::Card && !e.special && wants.alternate {
            factor *= 0.85;
        }
        let wanted = wants.language.as_deref().unwrap_or("en");
        if e.language != wanted {
            factor *= if wants.language.is_some() { 0.45 } else { 0.88 };
        }
        factor
    }
}

/// What one product has of a query: the weight of the query it covers, the weight of its
/// own name covered, and how many words of its set's name.
#[derive(Clone, Copy, Default)]
struct Tally {
    query: f32,
    name: f32,
    set_words: u8,
}

/// Per-thread tallies for ranking, kept between queries so a query allocates nothing per
/// product: one slot per product, and the list of products touched to reset afterwards.
#[derive(Default)]
struct Scratch {
    tally: Vec<Tally>,
    /// The current word's best meaning per product, valid where `marks` holds `word`.
    best: Vec<Tally>,
    marks: Vec<u32>,
    word: u32,
    word_touched: Vec<u32>,
    touched: Vec<u32>,
    counted: Vec<bool>,
}

thread_local! {
    static SCRATCH: std::cell::RefCell<Scratch> = std::cell::RefCell::default();
}

impl Scratch {
    fn prepare(&mut self, products: usize) {
        if self.tally.len() < products {
            self.tally.resize(products, Tally::default());
            self.best.resize(products, Tally::default());
            self.marks.resize(products, 0);
            self.counted.resize(products, false);
        }
    }

    fn next_word(&mut self) {
        self.word = self.word.wrapping_add(1);
        if self.word == 0 {
            self.marks.fill(0);
            self.word = 1;
        }
        self.word_touched.clear();
    }

    /// One meaning of the current word found in a product: kept if it is its best.
    fn offer(&mut self, product: u32, got: Tally) {
        let at = product as usize;
        if self.marks[at] != self.word {
            self.marks[at] = self.word;
            self.best[at] = got;
            self.word_touched.push(product);
        } else if got.query > self.best[at].query {
            self.best[at] = got;
        }
    }

    /// Adds the current word's best meanings to the products' tallies.
    fn add_word(&mut self) {
        for i in 0..self.word_touched.len() {
            let product = self.word_touched[i];
            let got = self.best[product as usize];
            self.touch(product);
            let t = &mut self.tally[product as usize];
            t.query += got.query;
            t.name += got.name;
            t.set_words = t.set_words.saturating_add(got.set_words);
        }
    }

    fn touch(&mut self, product: u32) {
        let at = product as usize;
        if !self.counted[at] {
            self.counted[at] = true;
            self.touched.push(product);
        }
    }

    fn clear(&mut self) {
        for &id in &self.touched {
            self.tally[id as usize] = Tally::default();
            self.counted[id as usize] = false;
        }
        self.touched.clear();
    }
}

/// Confidence from scores: the best score, lowered when the runner-up is close.
fn confidences(ranked: Vec<(u32, f32)>) -> Vec<Hit> {
    let top = ranked.first().map(|r| r.1).unwrap_or(0.0);
    let second = ranked.get(1).map(|r| r.1).unwrap_or(0.0);
    let margin = if top > 0.0 { (top - second) / top } else { 0.0 };
    let sure = (0.5 + margin * 5.0).min(1.0);
    ranked
        .iter()
        .enumerate()
        .map(|(i, (id, score))| Hit {
            product: *id as usize,
            confidence: if i == 0 { score * sure } else { score * 0.5 },
        })
        .collect()
}

#[cfg(test)]
mod tests;
