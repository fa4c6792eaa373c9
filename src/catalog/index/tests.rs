//! The resolver's local steps on small hand-made catalogs.
use super::*;
use crate::catalog::product::CatalogLine;

fn product(json: &str) -> Product {
    serde_json::from_str::<CatalogLine>(json)
        .unwrap()
        .into_product()
        .unwrap()
}

fn index() -> Index {
    Index::build(
        [
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago Lost and Found","brand":"Jordan","style_id":"DZ5485-612"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago Lost and Found (GS)","brand":"Jordan","style_id":"FD1437-612"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago","brand":"Jordan","style_id":"555088-101"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 11 Retro Cherry","brand":"Jordan","style_id":"CT8012-116"}"#,
            r#"{"kind":"sneaker","name":"Nike Dunk Low Panda","brand":"Nike","colorway":"White/Black","style_id":"DD1391-100"}"#,
            r#"{"kind":"sneaker","name":"Nike Dunk Low Reverse Panda","brand":"Nike","colorway":"Black/White","style_id":"FD9064-011"}"#,
            r#"{"kind":"sneaker","name":"Nike Dunk Low Panda (W)","brand":"Nike","colorway":"White/Black","style_id":"DD1503-101"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High","brand":"Jordan","style_id":"315122-111/CW2288-111"}"#,
            r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set","set_code":"BS","number":"4/102","rarity":"Holo Rare"}"#,
            r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set 2","set_code":"B2","number":"4/130","rarity":"Holo Rare"}"#,
            r#"{"kind":"card","name":"Blue-Eyes White Dragon","game":"Yu-Gi-Oh!","set":"Legend of Blue Eyes White Dragon","set_code":"LOB","number":"LOB-001","rarity":"Ultra Rare"}"#,
            r#"{"kind":"card","name":"Monkey.D.Luffy","game":"One Piece","set":"Awakening of the New Era","set_code":"OP05","number":"OP05-119","rarity":"Secret Rare"}"#,
            r#"{"kind":"card","name":"Monkey.D.Luffy (Alternate Art)","game":"One Piece","set":"Awakening of the New Era","set_code":"OP05","number":"OP05-119","rarity":"Secret Rare Alternate Art"}"#,
            r#"{"kind":"card","name":"Pikachu","game":"Pokémon","set":"151","set_code":"MEW","number":"25/165","rarity":"Common"}"#,
            r#"{"kind":"card","name":"Pikachu","game":"Pokémon","set":"151","set_code":"SV2a","number":"25/165","rarity":"Common","language":"ja"}"#,
            r#"{"kind":"sealed","name":"Pokémon 151 Elite Trainer Box","game":"Pokémon","set":"151","set_code":"MEW"}"#,
        ]
        .into_iter()
        .map(product)
        .collect(),
    )
}

fn best(ix: &Index, text: &str) -> Option<String> {
    ix.find(text, false)
        .answer()
        .map(|h| ix.product(h.product).name.clone())
}

#[test]
fn identifiers_resolve_however_written() {
    let ix = index();
    for text in ["CW2288-111", "315122 111", "cw2288-111 sz 10"] {
        assert_eq!(
            best(&ix, text).as_deref(),
            Some("Air Jordan 1 Retro High"),
            "{text}"
        );
    }
    assert_eq!(
        best(&ix, "lob 001").as_deref(),
        Some("Blue-Eyes White Dragon")
    );
    assert_eq!(
        best(&ix, "LOB-EN001 1st").as_deref(),
        Some("Blue-Eyes White Dragon")
    );
    assert_eq!(
        best(&ix, "op05-119 alt art").as_deref(),
        Some("Monkey.D.Luffy (Alternate Art)")
    );
    // Both printings carry the number: the regular one first, but as a choice.
    let found = ix.find("op05-119", false);
    assert!(found.answer().is_none());
    assert_eq!(ix.product(found.hits[0].product).name, "Monkey.D.Luffy");
}

#[test]
fn names_resolve_with_conventions() {
    let ix = index();
    assert_eq!(
        best(&ix, "jordan 1 high chicago lost n found 10.5").as_deref(),
        Some("Air Jordan 1 Retro High OG Chicago Lost and Found")
    );
    // Without its line ("High") it is the first choice, not a silent answer.
    let found = ix.find("jordan 1 chicago lost n found", false);
    assert_eq!(
        ix.product(found.hits[0].product).name,
        "Air Jordan 1 Retro High OG Chicago Lost and Found"
    );
    assert_eq!(
        best(&ix, "aj1 high chicago lnf gs 5y").as_deref(),
        Some("Air Jordan 1 Retro High OG Chicago Lost and Found (GS)")
    );
    assert_eq!(
        best(&ix, "dunk low panda").as_deref(),
        Some("Nike Dunk Low Panda")
    );
    assert_eq!(
        best(&ix, "dunk low panda wmns 8").as_deref(),
        Some("Nike Dunk Low Panda (W)")
    );
    assert_eq!(
        best(&ix, "dunk low reverse panda").as_deref(),
        Some("Nike Dunk Low Reverse Panda")
    );
    assert_eq!(
        best(&ix, "Charizard base 4/102 PSA 9").as_deref(),
        Some("Charizard")
    );
    let found = ix.find("Charizard base 4/102 PSA 9", false);
    assert_eq!(
        ix.product(found.hits[0].product).set_code.as_deref(),
        Some("BS")
    );
    assert_eq!(
        best(&ix, "jordan 11 cherry").as_deref(),
        Some("Air Jordan 11 Retro Cherry")
    );
    assert_eq!(
        best(&ix, "jordan 11 chery").as_deref(),
        Some("Air Jordan 11 Retro Cherry")
    );
    assert_eq!(
        best(&ix, "151 etb").as_deref(),
        Some("Pokémon 151 Elite Trainer Box")
    );
    let en = ix.find("pikachu mew 25", false).answer().unwrap();
    assert_eq!(ix.product(en.product).language, None);
    let ja = ix.find("pikachu 25 japanese", false).answer().unwrap();
    assert_eq!(ix.product(ja.product).language.as_deref(), Some("ja"));
}

#[test]
fn a_style_id_the_catalog_lacks_is_not_a_sibling() {
    let ix = index();
    // The words name the Panda, but the text's style id is another colourway's that the
    // catalog does not have: the Panda is offered, not answered.
    let found = ix.find("DD1391-103 Nike Dunk Low Panda", false);
    assert_eq!(found.answer().map(|h| h.product), None);
    assert_eq!(
        ix.product(found.hits[0].product).name,
        "Nike Dunk Low Panda"
    );
    // Its own style id (one half of a compound one, too) still answers.
    assert_eq!(
        best(&ix, "DD1391-100 Nike Dunk Low Panda").as_deref(),
        Some("Nike Dunk Low Panda")
    );
    assert_eq!(
        best(&ix, "CW2288-111 air jordan 1 retro high").as_deref(),
        Some("Air Jordan 1 Retro High")
    );
}

#[test]
fn no_match_is_not_a_guess() {
    let ix = index();
    for text in [
        "yeezy 350 zebra",
        "jordan 4 military black",
        "dunk low chicago unicorn",
        "CZ0790-001",
        "size 10",
    ] {
        assert_eq!(best(&ix, text), None, "{text}");
    }
    // Ambiguous: a choice, not an answer.
    let found = ix.find("charizard holo", false);
    assert!(found.answer().is_none() && found.hits.len() >= 2);
}

#[test]
fn what_resellers_leave_out() {
    let ix = Index::build(
        [
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Chicago Lost and Found","brand":"Jordan","style_id":"DZ5485-612"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Low Chicago Lost and Found","brand":"Jordan","style_id":"QT2437-621"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 11 Retro Concord (2018)","brand":"Jordan","style_id":"378037-100"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 11 Retro Concord (W)","brand":"Jordan","style_id":"CE5848-371"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 4 Retro Black Cat (2020)","brand":"Jordan","style_id":"CU1110-010"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Black Cat","brand":"Jordan","style_id":"RE8689-525"}"#,
            r#"{"kind":"sneaker","name":"Nike Air Force 1 Low '07 Black","brand":"Nike","colorway":"Black/Black","style_id":"CW2288-001"}"#,
            r#"{"kind":"sneaker","name":"Air Jordan 1 Retro High OG Triple Black","brand":"Jordan","style_id":"PB2976-555"}"#,
            r#"{"kind":"sneaker","name":"Nike Dunk Low Retro White Black Panda","brand":"Nike","colorway":"White/Black","style_id":"DD1391-100"}"#,
            r#"{"kind":"sneaker","name":"Nike Dunk High Panda","brand":"Nike","style_id":"XQ8250-400"}"#,
            r#"{"kind":"card","name":"Umbreon VMAX","game":"Pokémon","set":"Evolving Skies","set_code":"EVS","number":"95/203","rarity":"Ultra Rare"}"#,
            r#"{"kind":"card","name":"Umbreon VMAX","game":"Pokémon","set":"Evolving Skies","set_code":"EVS","number":"215/203","rarity":"Secret Rare"}"#,
            r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set","set_code":"BS","number":"4/102","rarity":"Holo Rare"}"#,
            r#"{"kind":"card","name":"Charizard","game":"Pokémon","set":"Base Set 2","set_code":"B2","number":"4/130","rarity":"Holo Rare"}"#,
        ]
        .into_iter()
        .map(product)
        .collect(),
    );
    let top = |text: &str| {
        let found = ix.find(text, false);
        let p = ix.product(found.hits[0].product);
        format!("{} {}", p.name, p.number.as_deref().unwrap_or(""))
            .trim()
            .to_string()
    };
    // A Jordan 1 is the High unless the text says Low.
    assert_eq!(
        top("jordan 1 lost and found"),
        "Air Jordan 1 Retro High OG Chicago Lost and Found"
    );
    assert_eq!(
        top("jordan 1 low lost and found"),
        "Air Jordan 1 Low Chicago Lost and Found"
    );
    // A Dunk is the Low; its name's colours repeat its colourway.
    assert_eq!(top("dunk panda"), "Nike Dunk Low Retro White Black Panda");
    assert_eq!(top("dunk high panda"), "Nike Dunk High Panda");
    // A release year is not a word the text has to say.
    assert_eq!(top("aj11 concord"), "Air Jordan 11 Retro Concord (2018)");
    // "4s" are Jordan 4s; "triple black" is black all over.
    assert_eq!(top("black cat 4s"), "Air Jordan 4 Retro Black Cat (2020)");
    assert_eq!(
        top("air force 1 triple black"),
        "Nike Air Force 1 Low '07 Black"
    );
    // "alt art" asks for the alternate printing; "base set" is not "base set 2".
    assert_eq!(top("umbreon vmax alt art evs"), "Umbreon VMAX 215/203");
    assert_eq!(top("umbreon vmax evs"), "Umbreon VMAX 95/203");
    assert_eq!(top("base set charizard"), "Charizard 4/102");
    assert_eq!(top("base set 2 charizard"), "Charizard 4/130");
}

#[test]
fn typing_reads_the_last_word_as_a_beginning() {
    let ix = index();
    let found = ix.find("dunk low reve", true);
    assert_eq!(
        ix.product(found.hits[0].product).name,
        "Nike Dunk Low Reverse Panda"
    );
}
