//! `flipdesk bench --catalog N`: a synthetic catalog of about N products with deliberate near
//! duplicates (the same nickname across model lines, men's / women's / GS siblings,
//! "Panda" / "Reverse Panda", reprints sharing names and numbers, regular and alternate-art
//! printings under one number, English and Japanese printings), written as a Flipdesk catalog
//! file and imported (timed); then a labelled set of messy inputs — typos, missing words,
//! abbreviations, set codes, size / grade / condition noise, and inputs that match nothing —
//! is resolved by the local steps (accuracy at the top rank, confident wrong answers), and
//! 10,000 resolutions are timed.

use std::{collections::HashSet, io::Write, path::Path, time::Instant};

use super::real_world;
use super::synthetic::{identity_of, synthetic};
use crate::catalog::{import, index::Index, store};
use crate::server::db::Db;

/// How the local steps did on a labelled set.
#[derive(Default)]
struct Score {
    total: usize,
    none_inputs: usize,
    top_right: usize,
    confident_right: usize,
    confident_wrong: usize,
    misses: Vec<String>,
}

impl Score {
    fn of(index: &Index, labelled: &[(String, Option<String>)]) -> Score {
        let mut score = Score {
            total: labelled.len(),
            none_inputs: labelled.iter().filter(|(_, e)| e.is_none()).count(),
            ..Score::default()
        };
        for (text, expected) in labelled {
            let found = index.find(text, false);
            let top = found
                .hits
                .first()
                .map(|h| index.product(h.product).identity.clone());
            let answer = found
                .answer()
                .map(|h| index.product(h.product).identity.clone());
            let right_top = match expected {
                Some(e) => top.as_ref() == Some(e),
                None => answer.is_none(),
            };
            if right_top {
                score.top_right += 1;
            }
            match (&answer, expected) {
                (Some(a), Some(e)) if a == e => score.confident_right += 1,
                (Some(_), _) => score.confident_wrong += 1,
                _ => {}
            }
            if !right_top || (answer.is_some() && answer != *expected) {
                let shown = found
                    .hits
                    .iter()
                    .take(3)
                    .map(|h| {
                        let p = index.product(h.product);
                        format!("{} [{}] ({:.2})", p.name, p.identity, h.confidence)
                    })
                    .collect::<Vec<_>>()
                    .join(" | ");
                score.misses.push(format!(
                    "    {text:?} → {shown}; wanted {}",
                    expected.as_deref().unwrap_or("no answer")
                ));
            }
        }
        score
    }

    fn report(&self, name: &str) -> String {
        let pct = |n: usize| 100.0 * n as f64 / self.total.max(1) as f64;
        let mut out = format!(
            "  {name}: {} inputs ({} match nothing)\n    right at the top rank: {} ({:.1}%)\n    \
             confident and right: {} ({:.1}%)\n    confident and wrong: {} ({:.2}%)",
            self.total,
            self.none_inputs,
            self.top_right,
            pct(self.top_right),
            self.confident_right,
            pct(self.confident_right),
            self.confident_wrong,
            pct(self.confident_wrong),
        );
        if !self.misses.is_empty() {
            out.push_str("\n    misses:\n");
            out.push_str(&self.misses.join("\n"));
        }
        out
    }
}

/// Writes the synthetic catalog with the real-world products in it, imports it, and
/// measures resolution on both labelled sets.
pub async fn measure(db: &Db, target: usize, dir: &Path) -> Result<String, String> {
    let started = Instant::now();
    let mut data = synthetic(target);
    let real = real_world::load(identity_of)?;
    // A real product takes the place of the synthetic one holding its name, number or style,
    // or named as a shorter form of it.
    let taken: HashSet<String> = real.lines.iter().flat_map(real_world::slots).collect();
    let held = |l: &serde_json::Value| {
        let words = real_world::sneaker_words(l);
        real_world::slots(l).iter().any(|s| taken.contains(s))
            || real
                .names
                .iter()
                .any(|r| real_world::named_shorter(&words, r))
    };
    let replaced: HashSet<String> = data
        .lines
        .iter()
        .filter(|l| held(l))
        .map(identity_of)
        .collect();
    data.lines.retain(|l| !held(l));
    data.labelled
        .retain(|(_, e)| e.as_ref().is_none_or(|e| !replaced.contains(e)));
    data.lines.extend(real.lines.iter().cloned());
    let path = dir.join("catalog.jsonl");
    let mut file =
        std::io::BufWriter::new(std::fs::File::create(&path).map_err(|e| e.to_string())?);
    for line in &data.lines {
        writeln!(file, "{line}").map_err(|e| e.to_string())?;
    }
    file.flush().map_err(|e| e.to_string())?;
    drop(file);
    let generated = started.elapsed();
    let started = Instant::now();
    let report = import::import_file(db, &path, "import")
        .await
        .map_err(|e| e.to_string())?;
    let import_time = started.elapsed();
    let started = Instant::now();
    let again = import::import_file(db, &path, "import")
        .await
        .map_err(|e| e.to_string())?;
    let reimport_time = started.elapsed();
    let started = Instant::now();
    let products = store::all_products(db).await.map_err(|e| e.to_string())?;
    let loaded = started.elapsed();
    let started = Instant::now();
    let index = Index::build(products);
    let built = started.elapsed();

    let synthetic = Score::of(&index, &data.labelled);
    let real_world = Score::of(&index, &real.labelled);
    let all: Vec<_> = data.labelled.iter().chain(&real.labelled).collect();
    let runs = 10_000;
    let started = Instant::now();
    let mut answered = 0;
    for i in 0..runs {
        let (text, _) = all[i % all.len()];
        if index.find(text, false).answer().is_some() {
            answered += 1;
        }
    }
    let resolve_time = started.elapsed();
    Ok(format!(
        "catalog: {} products generated in {:.2?} ({} of them real, by hand)\n  import: {} in {:.2?} (again: {} in {:.2?})\n  \
         index: loaded in {:.2?}, built in {:.2?}\n{}\n{}\n  {runs} resolutions: {:.2?} ({:.1} µs each, {answered} answered)",
        data.lines.len(),
        generated,
        real.lines.len(),
        report,
        import_time,
        again,
        reimport_time,
        loaded,
        built,
        synthetic.report("generated labelled set"),
        real_world.report("real-world labelled set (real_world/inputs.tsv)"),
        resolve_time,
        resolve_time.as_secs_f64() * 1e6 / runs as f64,
    ))
}
