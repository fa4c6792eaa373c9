//! The generated part of the catalog benchmark: a synthetic catalog of about N products
//! with deliberate near duplicates (the same nickname across model lines, men's / women's /
//! GS siblings, "Panda" / "Reverse Panda", reprints sharing names and numbers, regular and
//! alternate-art printings under one number, English and Japanese printings), and a labelled
//! set of messy inputs made from the same products.

use rand::{Rng, SeedableRng, rngs::StdRng, seq::SliceRandom};
use serde_json::json;
use std::collections::{HashMap, HashSet};

pub struct Synthetic {
    /// Catalog lines, as written to the file.
    pub lines: Vec<serde_json::Value>,
    /// Messy text → identity of the right product (None: nothing in the catalog is it).
    pub labelled: Vec<(String, Option<String>)>,
}

const SNEAKER_MODELS: &[(&str, &str, &str)] = &[
    // (brand, model as named, how resellers shorten it)
    ("Jordan", "Air Jordan 1 Retro High OG", "jordan 1 high"),
    ("Jordan", "Air Jordan 1 Low", "aj1 low"),
    ("Jordan", "Air Jordan 1 Mid", "jordan 1 mid"),
    ("Jordan", "Air Jordan 3 Retro", "aj3"),
    ("Jordan", "Air Jordan 4 Retro", "jordan 4"),
    ("Jordan", "Air Jordan 5 Retro", "jordan 5"),
    ("Jordan", "Air Jordan 6 Retro", "jordan 6"),
    ("Jordan", "Air Jordan 11 Retro", "jordan 11"),
    ("Jordan", "Air Jordan 11 Retro Low", "jordan 11 low"),
    ("Jordan", "Air Jordan 12 Retro", "jordan 12"),
    ("Jordan", "Air Jordan 13 Retro", "jordan 13"),
    ("Nike", "Nike Dunk Low", "dunk low"),
    ("Nike", "Nike Dunk High", "dunk high"),
    ("Nike", "Nike SB Dunk Low", "sb dunk low"),
    ("Nike", "Nike Air Force 1 Low '07", "af1"),
    ("Nike", "Nike Air Max 1", "air max 1"),
    ("Nike", "Nike Air Max 90", "am90"),
    ("Nike", "Nike Air Max 95", "air max 95"),
    ("Nike", "Nike Blazer Mid '77", "blazer mid"),
    ("Nike", "Nike Vomero 5", "vomero 5"),
    ("adidas", "adidas Yeezy Boost 350 V2", "yzy 350"),
    ("adidas", "adidas Yeezy Boost 700", "yeezy 700"),
    ("adidas", "adidas Yeezy Slide", "yeezy slide"),
    ("adidas", "adidas Samba OG", "samba"),
    ("adidas", "adidas Gazelle", "gazelle"),
    ("adidas", "adidas Campus 00s", "campus 00s"),
    ("New Balance", "New Balance 550", "nb 550"),
    ("New Balance", "New Balance 990v6", "990v6"),
    ("New Balance", "New Balance 2002R", "nb 2002r"),
    ("New Balance", "New Balance 9060", "nb 9060"),
    ("ASICS", "ASICS Gel-Kayano 14", "kayano 14"),
    ("ASICS", "ASICS Gel-1130", "gel 1130"),
];

const NICKNAMES: &[&str] = &[
    "Chicago",
    "Chicago Lost and Found",
    "Chicago Reimagined",
    "Bred",
    "Bred Toe",
    "Bred Reimagined",
    "Panda",
    "Reverse Panda",
    "University Blue",
    "Black Toe",
    "Royal",
    "Royal Toe",
    "Royal Reimagined",
    "Shadow",
    "Shadow 2.0",
    "Military Black",
    "Military Blue",
    "White Cement",
    "Black Cement",
    "Black Cat",
    "Zebra",
    "Reverse Zebra",
    "Beluga",
    "Bone",
    "Onyx",
    "Cherry",
    "Concord",
    "Space Jam",
    "Fire Red",
    "Infrared",
    "Oreo",
    "Reverse Oreo",
    "Pine Green",
    "Court Purple",
    "Mocha",
    "Dark Mocha",
    "Reverse Mocha",
    "Hyper Royal",
    "Obsidian",
    "Pollen",
    "Taxi",
    "Lucky Green",
    "Gym Red",
    "Cool Grey",
    "Georgetown",
    "Kentucky",
    "Syracuse",
    "Michigan",
    "Championship",
    "Sail",
    "Triple White",
    "Triple Black",
    "Grey Fog",
    "Rose Whisper",
    "Sea Glass",
    "Orange Pearl",
    "Thunder",
    "Lightning",
    "Red Thunder",
    "Fear",
    "Pure Money",
    "Midnight Navy",
    "Photon Dust",
    "Gorge Green",
    "Light Smoke Grey",
    "Dark Marina Blue",
    "Neutral Grey",
    "Smoke Grey",
    "Wolf Grey",
    "Medium Olive",
    "Cacao Wow",
    "Sanddrift",
    "Pale Ivory",
    "Hemp",
    "Vast Grey",
    "Coconut Milk",
    "Team Orange",
    "Valerian Blue",
    "Burgundy Crush",
    "Black Phantom",
];

const COLOURS: &[&str] = &[
    "White/Black",
    "Black/White",
    "Sail/Red",
    "White/University Red",
    "Black/Cement Grey",
    "Grey/White",
];

const POKEMON_SETS: &[(&str, &str, u32)] = &[
    ("Base Set", "BS", 102),
    ("Jungle", "JU", 64),
    ("Fossil", "FO", 62),
    ("Base Set 2", "B2", 130),
    ("Team Rocket", "TR", 82),
    ("Evolving Skies", "EVS", 203),
    ("Brilliant Stars", "BRS", 172),
    ("Lost Origin", "LOR", 196),
    ("Silver Tempest", "SIT", 195),
    ("Crown Zenith", "CRZ", 159),
    ("Scarlet & Violet", "SVI", 198),
    ("Paldea Evolved", "PAL", 193),
    ("Obsidian Flames", "OBF", 197),
    ("151", "MEW", 165),
    ("Paradox Rift", "PAR", 182),
    ("Paldean Fates", "PAF", 91),
    ("Temporal Forces", "TEF", 162),
    ("Twilight Masquerade", "TWM", 167),
    ("Shrouded Fable", "SFA", 64),
    ("Stellar Crown", "SCR", 142),
    ("Surging Sparks", "SSP", 191),
    ("Prismatic Evolutions", "PRE", 131),
    ("Fusion Strike", "FST", 264),
    ("Astral Radiance", "ASR", 189),
    ("Celebrations", "CEL", 25),
];

const POKEMON: &[&str] = &[
    "Bulbasaur",
    "Ivysaur",
    "Venusaur",
    "Charmander",
    "Charmeleon",
    "Charizard",
    "Squirtle",
    "Wartortle",
    "Blastoise",
    "Caterpie",
    "Pidgeot",
    "Pikachu",
    "Raichu",
    "Sandslash",
    "Nidoking",
    "Clefairy",
    "Ninetales",
    "Jigglypuff",
    "Gloom",
    "Vileplume",
    "Arcanine",
    "Poliwrath",
    "Alakazam",
    "Machamp",
    "Tentacruel",
    "Golem",
    "Rapidash",
    "Slowbro",
    "Magneton",
    "Dodrio",
    "Gengar",
    "Onix",
    "Hypno",
    "Electrode",
    "Exeggutor",
    "Marowak",
    "Hitmonlee",
    "Lickitung",
    "Chansey",
    "Kangaskhan",
    "Starmie",
    "Scyther",
    "Jynx",
    "Electabuzz",
    "Magmar",
    "Pinsir",
    "Tauros",
    "Gyarados",
    "Lapras",
    "Ditto",
    "Eevee",
    "Vaporeon",
    "Jolteon",
    "Flareon",
    "Porygon",
    "Omastar",
    "Kabutops",
    "Aerodactyl",
    "Snorlax",
    "Articuno",
    "Zapdos",
    "Moltres",
    "Dragonite",
    "Mewtwo",
    "Mew",
    "Umbreon",
    "Espeon",
    "Lugia",
    "Ho-Oh",
    "Tyranitar",
    "Celebi",
    "Blaziken",
    "Gardevoir",
    "Rayquaza",
    "Lucario",
    "Garchomp",
    "Giratina",
    "Arceus",
    "Zoroark",
    "Greninja",
    "Sylveon",
    "Mimikyu",
    "Zacian",
    "Zamazenta",
    "Eternatus",
    "Dragapult",
    "Koraidon",
    "Miraidon",
    "Iron Valiant",
    "Roaring Moon",
    "Terapagos",
    "Ogerpon",
    "Gholdengo",
    "Chien-Pao",
    "Palafin",
    "Tinkaton",
    "Kingambit",
    "Meowscarada",
    "Skeledirge",
    "Quaquaval",
];

const SUFFIXES: &[&str] = &["", " ex", " V", " VMAX", " VSTAR"];

const MAGIC_SETS: &[(&str, &str)] = &[
    ("Modern Horizons 2", "MH2"),
    ("Modern Horizons 3", "MH3"),
    ("Dominaria United", "DMU"),
    ("Phyrexia: All Will Be One", "ONE"),
    ("March of the Machine", "MOM"),
    ("The Lord of the Rings: Tales of Middle-earth", "LTR"),
    ("Wilds of Eldraine", "WOE"),
    ("The Lost Caverns of Ixalan", "LCI"),
    ("Murders at Karlov Manor", "MKM"),
    ("Outlaws of Thunder Junction", "OTJ"),
    ("Bloomburrow", "BLB"),
    ("Duskmourn: House of Horror", "DSK"),
    ("Foundations", "FDN"),
    ("Aetherdrift", "DFT"),
    ("Double Masters", "2XM"),
    ("Kaldheim", "KHM"),
    ("Strixhaven", "STX"),
    ("Innistrad: Midnight Hunt", "MID"),
    ("Kamigawa: Neon Dynasty", "NEO"),
    ("Streets of New Capenna", "SNC"),
];

const MAGIC_FIRST: &[&str] = &[
    "Ragged",
    "Ancient",
    "Blazing",
    "Silent",
    "Grim",
    "Verdant",
    "Sunlit",
    "Hollow",
    "Feral",
    "Gilded",
    "Shattered",
    "Ember",
    "Frost",
    "Storm",
    "Thorn",
    "Iron",
    "Golden",
    "Shadow",
    "Radiant",
    "Mire",
    "Sky",
    "Stone",
    "Wild",
    "Bitter",
    "Crimson",
    "Azure",
    "Pale",
    "Dread",
    "Veiled",
    "Sacred",
];

const MAGIC_SECOND: &[&str] = &[
    "Wurm",
    "Sphinx",
    "Archon",
    "Drake",
    "Elemental",
    "Knight",
    "Seer",
    "Revenant",
    "Titan",
    "Hydra",
    "Angel",
    "Demon",
    "Rogue",
    "Shaman",
    "Golem",
    "Sliver",
    "Wizard",
    "Warden",
    "Behemoth",
    "Oracle",
    "Marauder",
    "Colossus",
    "Sentinel",
    "Tyrant",
    "Phoenix",
    "Basilisk",
    "Chimera",
    "Gargoyle",
    "Leviathan",
    "Manticore",
];

const MAGIC_THIRD: &[&str] = &[
    "",
    "",
    "",
    " of the Vale",
    " of Ash",
    " of the Deep",
    " of Embers",
    " of the Wilds",
    " of Dawn",
    " of the Ruins",
];

const YGO_SETS: &[(&str, &str)] = &[
    ("Legend of Blue Eyes White Dragon", "LOB"),
    ("Metal Raiders", "MRD"),
    ("Spell Ruler", "SRL"),
    ("Pharaoh's Servant", "PSV"),
    ("Labyrinth of Nightmare", "LON"),
    ("Legacy of Darkness", "LOD"),
    ("Pharaonic Guardian", "PGD"),
    ("Magician's Force", "MFC"),
    ("Dark Crisis", "DCR"),
    ("Invasion of Chaos", "IOC"),
    ("Ancient Sanctuary", "AST"),
    ("Soul of the Duelist", "SOD"),
    ("Rise of Destiny", "RDS"),
    ("Flaming Eternity", "FET"),
    ("The Lost Millennium", "TLM"),
    ("Cybernetic Revolution", "CRV"),
    ("Elemental Energy", "EEN"),
    ("Shadow of Infinity", "SOI"),
    ("Enemy of Justice", "EOJ"),
    ("Power of the Duelist", "POTD"),
    ("Cyberdark Impact", "CDIP"),
    ("Strike of Neos", "STON"),
    ("Force of the Breaker", "FOTB"),
    ("Tactical Evolution", "TAEV"),
    ("Gladiator's Assault", "GLAS"),
];

const YGO_FIRST: &[&str] = &[
    "Dark",
    "Blue-Eyes",
    "Red-Eyes",
    "Cyber",
    "Elemental",
    "Mystic",
    "Ancient",
    "Chaos",
    "Armed",
    "Twin-Headed",
    "Black",
    "Celtic",
    "Gaia",
    "Summoned",
    "Thousand",
    "Exodia",
    "Harpie",
    "Buster",
    "Kuriboh",
    "Jinzo",
];

const YGO_SECOND: &[&str] = &[
    "Magician", "Dragon", "Warrior", "Knight", "Guardian", "Skull", "Sorcerer", "Beast", "Fiend",
    "Golem", "Serpent", "Lady", "Blader", "Soldier", "Wyvern",
];

const OP_NAMES: &[&str] = &[
    "Monkey.D.Luffy",
    "Roronoa Zoro",
    "Nami",
    "Usopp",
    "Sanji",
    "Tony Tony.Chopper",
    "Nico Robin",
    "Franky",
    "Brook",
    "Jinbe",
    "Trafalgar Law",
    "Eustass Captain Kid",
    "Portgas.D.Ace",
    "Sabo",
    "Shanks",
    "Edward.Newgate",
    "Marshall.D.Teach",
    "Kaido",
    "Charlotte Linlin",
    "Boa Hancock",
    "Yamato",
    "Kozuki Oden",
    "Donquixote Doflamingo",
    "Crocodile",
    "Enel",
    "Rob Lucci",
    "Kuzan",
    "Borsalino",
    "Sakazuki",
    "Monkey.D.Garp",
    "Uta",
    "Koby",
    "Perona",
    "Vinsmoke Reiju",
    "Carrot",
    "Nefeltari Vivi",
    "Silvers Rayleigh",
    "Gol.D.Roger",
    "Buggy",
    "Dracule Mihawk",
];

fn style_id(rng: &mut StdRng, used: &mut HashSet<String>) -> String {
    loop {
        let letters: String = (0..2)
            .map(|_| (b'A' + rng.gen_range(0..26u8)) as char)
            .collect();
        let id = format!(
            "{letters}{:04}-{:03}",
            rng.gen_range(0..10000),
            rng.gen_range(0..1000)
        );
        if used.insert(id.clone()) {
            return id;
        }
    }
}

/// One typo in a word of five letters or more: a letter swapped with the next, dropped or
/// doubled.
fn typo(rng: &mut StdRng, text: &str) -> String {
    let words: Vec<&str> = text.split(' ').collect();
    let long: Vec<usize> = (0..words.len())
        .filter(|i| words[*i].len() >= 5 && words[*i].chars().all(|c| c.is_ascii_alphabetic()))
        .collect();
    let Some(&at) = long.choose(rng) else {
        return text.to_string();
    };
    let mut chars: Vec<char> = words[at].chars().collect();
    let i = rng.gen_range(1..chars.len() - 1);
    match rng.gen_range(0..3) {
        0 => chars.swap(i, i + 1),
        1 => {
            chars.remove(i);
        }
        _ => chars.insert(i, chars[i]),
    }
    let fixed: String = chars.into_iter().collect();
    words
        .iter()
        .enumerate()
        .map(|(i, w)| if i == at { fixed.as_str() } else { w })
        .collect::<Vec<_>>()
        .join(" ")
}

fn pick<'a>(rng: &mut StdRng, list: &[&'a str]) -> &'a str {
    list[rng.gen_range(0..list.len())]
}

pub fn identity_of(line: &serde_json::Value) -> String {
    let parsed: crate::catalog::product::CatalogLine =
        serde_json::from_value(line.clone()).expect("synthetic lines are valid");
    parsed
        .into_product()
        .expect("synthetic lines are valid")
        .identity
}

fn sneakers(rng: &mut StdRng, out: &mut Synthetic, used: &mut HashSet<String>) {
    let size_noise = [
        "",
        " sz 10",
        " size 9.5",
        " 10.5 DS",
        " 11 VNDS",
        " US 8 new",
        " 12 w/ box",
    ];
    let mut held_out = 0;
    for (brand, model, short) in SNEAKER_MODELS {
        let mut nicknames: Vec<&str> = NICKNAMES.to_vec();
        nicknames.shuffle(rng);
        let (kept, missing) = nicknames.split_at(60);
        // A nickname this model never had: asked for, it must not resolve to a sibling.
        for nick in missing.iter().take(2) {
            if held_out < 60 {
                out.labelled
                    .push((format!("{short} {}", nick.to_lowercase()), None));
                held_out += 1;
            }
        }
        for nick in kept {
            let colorway = pick(rng, COLOURS);
            let year = rng.gen_range(2015..2026);
            let release = format!(
                "{year}-{:02}-{:02}",
                rng.gen_range(1..13),
                rng.gen_range(1..29)
            );
            let price = 11000 + rng.gen_range(0..12) * 1000;
            let adult_style = if rng.gen_bool(0.05) {
                // An old and a new id for one product.
                let old = rng.gen_range(300000..999999);
                let colour = rng.gen_range(0..1000);
                format!("{old}-{colour:03}/{}", style_id(rng, used))
            } else {
                style_id(rng, used)
            };
            let mut siblings = vec![("", adult_style.clone())];
            if rng.gen_bool(0.4) {
                siblings.push((" (W)", style_id(rng, used)));
            }
            if rng.gen_bool(0.4) {
                siblings.push((" (GS)", style_id(rng, used)));
            }
            for (run, style) in &siblings {
                let line = json!({
                    "kind": "sneaker",
                    "name": format!("{model} {nick}{run}"),
                    "brand": brand,
                    "model": model,
                    "colorway": colorway,
                    "style_id": style,
                    "release_date": release,
                    "retail_price": {"amount": price, "currency": "USD"},
                });
                let identity = identity_of(&line);
                out.lines.push(line);
                // About one product in twelve is asked for.
                if !rng.gen_bool(0.085) {
                    continue;
                }
                let nick_l = nick.to_lowercase();
                let marker = match *run {
                    " (W)" => pick(rng, &[" (W)", " wmns", " womens"]),
                    " (GS)" => pick(rng, &[" GS", " 5y", " 6.5y", " gs"]),
                    _ => "",
                };
                let noise = pick(rng, &size_noise);
                let text = match rng.gen_range(0..7) {
                    0 => format!("{short} {nick_l}{marker}{noise}"),
                    1 => format!("{model} {nick}{marker}"),
                    2 => typo(rng, &format!("{short} {nick_l}{marker}{noise}")),
                    3 => format!("{nick_l} {short}{marker}{noise}"),
                    4 => {
                        let first = style.split('/').next_back().unwrap_or(style);
                        format!("{}{noise}", first.to_lowercase().replace('-', " "))
                    }
                    5 => format!("{}{noise}", style.split('/').next().unwrap_or(style)),
                    _ => format!("{} {short} {nick_l}{marker}", brand.to_lowercase()),
                };
                out.labelled.push((text, Some(identity)));
            }
        }
    }
}

fn pokemon(rng: &mut StdRng, out: &mut Synthetic) {
    for (set, code, total) in POKEMON_SETS {
        let mut names: Vec<String> = POKEMON
            .iter()
            .flat_map(|n| SUFFIXES.iter().map(move |s| format!("{n}{s}")))
            .collect();
        names.shuffle(rng);
        let count = (*total as usize + *total as usize / 10 + 2).min(names.len());
        for (i, name) in names.iter().take(count).enumerate() {
            let number = i as u32 + 1;
            let rarity = if number > *total {
                "Secret Rare"
            } else if name.contains(' ') {
                "Ultra Rare"
            } else {
                pick(rng, &["Common", "Uncommon", "Rare", "Holo Rare"])
            };
            let mut printings = vec![("en", *code)];
            // Japanese printings of the newer sets, under their own code.
            let japanese = match *code {
                "MEW" => Some("SV2a"),
                "SVI" => Some("SV1S"),
                "PAL" => Some("SV2P"),
                "OBF" => Some("SV3"),
                "SSP" => Some("SV8"),
                _ => None,
            };
            if let Some(ja) = japanese
                && rng.gen_bool(0.5)
            {
                printings.push(("ja", ja));
            }
            for (language, set_code) in printings {
                let line = json!({
                    "kind": "card",
                    "name": name,
                    "game": "Pokémon",
                    "set": set,
                    "set_code": set_code,
                    "number": format!("{number:03}/{total}"),
                    "rarity": rarity,
                    "language": language,
                });
                let identity = identity_of(&line);
                out.lines.push(line);
                if !rng.gen_bool(0.035) {
                    continue;
                }
                let lname = name.to_lowercase();
                let lang = if language == "ja" { " japanese" } else { "" };
                let grade = pick(
                    rng,
                    &["", " PSA 10", " psa 9", " BGS 9.5", " NM", " lp", " CGC 8"],
                );
                let text = match rng.gen_range(0..5) {
                    0 => format!(
                        "{lname} {} {number}/{total}{lang}{grade}",
                        set.to_lowercase()
                    ),
                    1 => format!("{name} {number:03}/{total}{lang}{grade}"),
                    2 => format!("{lname} {} {number}{lang}", code.to_lowercase()),
                    3 => typo(rng, &format!("{lname} {}{lang}{grade}", set.to_lowercase())),
                    _ => format!("{lname} {number}/{total}{lang}"),
                };
                out.labelled.push((text, Some(identity)));
            }
        }
        // Sealed product of the set.
        for (kind_name, short) in [
            ("Booster Box", "booster box"),
            ("Elite Trainer Box", "etb"),
            ("Booster Bundle", "booster bundle"),
            ("Build & Battle Box", "build and battle"),
        ] {
            let name = format!("{set} {kind_name}");
            let line = json!({"kind": "sealed", "name": name, "game": "Pokémon", "set": set, "set_code": code});
            let identity = identity_of(&line);
            out.lines.push(line);
            if rng.gen_bool(0.3) {
                let text = match rng.gen_range(0..3) {
                    0 => format!("{} {short} sealed", set.to_lowercase()),
                    1 => format!("pokemon {} {short}", set.to_lowercase()),
                    _ => format!("{short} {}", set.to_lowercase()),
                };
                out.labelled.push((text, Some(identity)));
            }
        }
    }
}

fn magic(rng: &mut StdRng, out: &mut Synthetic) {
    let mut reprint_pool: Vec<String> = Vec::new();
    let mut names_seen: HashMap<String, usize> = HashMap::new();
    for (set, code) in MAGIC_SETS {
        let mut in_set = HashSet::new();
        for number in 1..=330u32 {
            let name = if !reprint_pool.is_empty() && rng.gen_bool(0.08) {
                reprint_pool[rng.gen_range(0..reprint_pool.len())].clone()
            } else {
                format!(
                    "{} {}{}",
                    pick(rng, MAGIC_FIRST),
                    pick(rng, MAGIC_SECOND),
                    pick(rng, MAGIC_THIRD)
                )
            };
            if !in_set.insert(name.clone()) {
                continue;
            }
            reprint_pool.push(name.clone());
            let rarity = pick(rng, &["Common", "Uncommon", "Rare", "Mythic Rare"]);
            let line = json!({
                "kind": "card", "name": name, "game": "Magic: The Gathering", "set": set,
                "set_code": code, "number": number.to_string(), "rarity": rarity,
            });
            let identity = identity_of(&line);
            out.lines.push(line);
            *names_seen.entry(name.clone()).or_default() += 1;
            if !rng.gen_bool(0.012) {
                continue;
            }
            let lname = name.to_lowercase();
            let text = match rng.gen_range(0..3) {
                0 => format!("{lname} {} nm", code.to_lowercase()),
                1 => format!("{name} ({code}) {number}"),
                _ => typo(rng, &format!("{lname} {}", code.to_lowercase())),
            };
            out.labelled.push((text, Some(identity)));
        }
    }
    // Names that exist, with a set they were never printed in: no answer.
    for (set, code) in MAGIC_SETS.iter().take(10) {
        let _ = set;
        for _ in 0..2 {
            let name = format!("{} {}", pick(rng, MAGIC_FIRST), pick(rng, MAGIC_SECOND));
            let in_catalog = out.lines.iter().any(|l| l["name"] == name.as_str());
            if !in_catalog {
                out.labelled.push((
                    format!("{} {}", name.to_lowercase(), code.to_lowercase()),
                    None,
                ));
            }
        }
    }
}

fn yugioh(rng: &mut StdRng, out: &mut Synthetic) {
    for (set, code) in YGO_SETS {
        let mut in_set = HashSet::new();
        for number in 1..=125u32 {
            let name = format!("{} {}", pick(rng, YGO_FIRST), pick(rng, YGO_SECOND));
            if !in_set.insert(name.clone()) {
                continue;
            }
            let line = json!({
                "kind": "card", "name": name, "game": "Yu-Gi-Oh!", "set": set, "set_code": code,
                "number": format!("{code}-EN{number:03}"),
                "rarity": pick(rng, &["Common", "Rare", "Super Rare", "Ultra Rare", "Secret Rare"]),
            });
            let identity = identity_of(&line);
            out.lines.push(line);
            if !rng.gen_bool(0.02) {
                continue;
            }
            let text = match rng.gen_range(0..3) {
                0 => format!("{} {number:03}", code.to_lowercase()),
                1 => format!("{name} {code}-EN{number:03} 1st"),
                _ => format!("{} {code}-{number:03} nm", name.to_lowercase()),
            };
            out.labelled.push((text, Some(identity)));
        }
    }
}

fn one_piece(rng: &mut StdRng, out: &mut Synthetic) {
    let codes: Vec<String> = (1..=9)
        .map(|n| format!("OP{n:02}"))
        .chain((1..=10).map(|n| format!("ST{n:02}")))
        .collect();
    for code in &codes {
        let count = if code.starts_with("OP") { 121 } else { 17 };
        for number in 1..=count {
            let name = pick(rng, OP_NAMES);
            let rarity = pick(rng, &["C", "UC", "R", "SR", "L"]);
            let mut printings = vec![(name.to_string(), rarity.to_string())];
            if rng.gen_bool(0.15) {
                printings.push((
                    format!("{name} (Parallel)"),
                    format!("{rarity} Alternate Art"),
                ));
            }
            let alt = printings.len() == 2;
            for (i, (pname, prarity)) in printings.iter().enumerate() {
                let line = json!({
                    "kind": "card", "name": pname, "game": "One Piece", "set_code": code,
                    "number": format!("{code}-{number:03}"), "rarity": prarity,
                });
                let identity = identity_of(&line);
                out.lines.push(line);
                if !rng.gen_bool(0.03) {
                    continue;
                }
                let lcode = code.to_lowercase();
                let text = match (i, alt, rng.gen_range(0..3)) {
                    (1, _, 0) => format!("{lcode} {number:03} alt art"),
                    (1, _, _) => format!("{} {lcode}-{number:03} parallel", name.to_lowercase()),
                    (_, false, 0) => format!("{lcode} {number:03}"),
                    (_, _, 1) => format!("{lcode}-{number:03} {}", name.to_lowercase()),
                    _ => format!("{} {code}-{number:03} psa 10", name.to_lowercase()),
                };
                out.labelled.push((text, Some(identity)));
            }
        }
    }
}

pub fn synthetic(target: usize) -> Synthetic {
    let mut rng = StdRng::seed_from_u64(24);
    let mut out = Synthetic {
        lines: Vec::new(),
        labelled: Vec::new(),
    };
    let mut used = HashSet::new();
    sneakers(&mut rng, &mut out, &mut used);
    pokemon(&mut rng, &mut out);
    magic(&mut rng, &mut out);
    yugioh(&mut rng, &mut out);
    one_piece(&mut rng, &mut out);
    // Filler up to the size asked for: more Magic printings of generated names.
    let mut n = 0;
    while out.lines.len() < target {
        n += 1;
        out.lines.push(json!({
            "kind": "card", "name": format!("{} {} {}", pick(&mut rng, MAGIC_FIRST), pick(&mut rng, MAGIC_SECOND), pick(&mut rng, YGO_SECOND)),
            "game": "Magic: The Gathering", "set": format!("Archive {}", n / 300), "set_code": format!("A{:02}", n / 300),
            "number": (n % 300 + 1).to_string(),
        }));
    }
    // Text that is no product at all.
    for text in [
        "ps5 console disc edition",
        "vintage band tee xl",
        "size 10",
        "psa 10",
        "lot of 50 bulk commons",
        "mystery box",
        "iphone 15 pro max",
        "funko pop batman",
        "lego millennium falcon",
        "supreme box logo hoodie",
        "rolex submariner",
        "air jordan 2 chicago",
        "charizard team rocket 4/82",
        "blastoise base set 99/102",
        "OP10-001",
        "zz9999-999",
        "gengar 151 999/165",
        "dunk low unicorn",
    ] {
        out.labelled.push((text.to_string(), None));
    }
    out
}
