//! What the import page holds while a file is worked on: the parsed sheet (before the
//! columns are matched) or the session (after), in stored values — not signals: a
//! 100,000-row file must not be cloned or diffed on each keystroke. `revision` and `layout`
//! say when rows changed.

use leptos::prelude::*;
use std::collections::HashMap;

use crate::domain::import::{
    ColumnMapping, FileOptions, ImportError, Session, Sheet, SheetReader, decode,
};

use super::{api, browser};

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Step {
    Choose,
    /// Reading, checking or looking for duplicates: a progress bar with this label.
    Working(&'static str),
    Map,
    Fix,
    Committing,
}

#[derive(Clone, Copy)]
pub struct ImportState {
    pub step: RwSignal<Step>,
    pub file_name: RwSignal<String>,
    /// "UTF-8 · comma-separated · 1,204 rows"
    pub file_info: RwSignal<String>,
    /// The file as read, until its columns are matched.
    pub sheet: StoredValue<Option<Sheet>>,
    /// The rows being fixed, after the columns are matched.
    pub session: StoredValue<Option<Session>>,
    pub mapping: RwSignal<ColumnMapping>,
    pub options: RwSignal<FileOptions>,
    pub remember: RwSignal<bool>,
    pub saved_note: RwSignal<Option<String>>,
    pub progress: RwSignal<f64>,
    pub problem: RwSignal<Option<String>>,
    /// A cell changed (counts update).
    pub revision: RwSignal<u64>,
    /// Rows were removed or changed in bulk (the page is redrawn).
    pub layout: RwSignal<u64>,
    /// The catalog product each checked row names (row index → its name, `None`: no product
    /// is confident). The server links the same way when the rows are imported.
    pub products: StoredValue<HashMap<usize, Option<String>>>,
    /// A row's product was looked up again.
    pub matched: RwSignal<u64>,
    /// The row whose catalog product is being picked by hand, with its text.
    pub choosing: RwSignal<Option<(usize, String)>>,
}

impl ImportState {
    pub fn new() -> ImportState {
        ImportState {
            step: RwSignal::new(Step::Choose),
            file_name: RwSignal::new(String::new()),
            file_info: RwSignal::new(String::new()),
            sheet: StoredValue::new(None),
            session: StoredValue::new(None),
            mapping: RwSignal::new(ColumnMapping::default()),
            options: RwSignal::new(FileOptions::default()),
            remember: RwSignal::new(true),
            saved_note: RwSignal::new(None),
            progress: RwSignal::new(0.0),
            problem: RwSignal::new(None),
            revision: RwSignal::new(0),
            layout: RwSignal::new(0),
            products: StoredValue::new(HashMap::new()),
            matched: RwSignal::new(0),
            choosing: RwSignal::new(None),
        }
    }

    pub fn fail(&self, message: impl Into<String>) {
        self.problem.set(Some(message.into()));
        self.step.set(Step::Choose);
    }

    pub fn touched(&self) {
        self.revision.update(|r| *r += 1);
    }

    pub fn relayout(&self) {
        self.layout.update(|r| *r += 1);
        self.touched();
    }

    /// Runs `f` on the session (there is one from "Check rows" on).
    pub fn with_session<T>(&self, f: impl FnOnce(&mut Session) -> T) -> Option<T> {
        self.session
            .try_update_value(|s| s.as_mut().map(f))
            .flatten()
    }

    /// Reads the chosen file: size check first (nothing is read from a file that is too
    /// big), then decode and parse in chunks with the progress bar moving.
    pub async fn read(self, file: web_sys::File) {
        self.problem.set(None);
        if let Err(e) = crate::domain::import::check_size(file.size() as u64) {
            return self.fail(e.to_string());
        }
        self.file_name.set(file.name());
        self.step.set(Step::Working("Reading the file…"));
        self.progress.set(0.0);
        browser::breathe().await;
        let bytes = match browser::read_bytes(&file).await {
            Ok(b) => b,
            Err(_) => return self.fail("The browser could not read this file."),
        };
        match self.parse(bytes).await {
            Ok(()) => self.step.set(Step::Map),
            Err(e) => self.fail(e.to_string()),
        }
    }

    async fn parse(self, bytes: Vec<u8>) -> Result<(), ImportError> {
        let size = bytes.len();
        let (text, encoding) = decode(bytes)?;
        let mut reader = SheetReader::new(text)?;
        let mut sheet = reader.sheet(size);
        let mut since = browser::now_ms();
        while !reader.is_done() {
            reader.next_chunk(2_000, &mut sheet)?;
            self.progress.set(reader.progress());
            browser::breathe_every(&mut since, 40.0).await;
        }
        if sheet.is_empty() {
            return Err(ImportError::HeaderOnly);
        }
        let delimiter = match reader.delimiter {
            b';' => "semicolon-separated",
            b'\t' => "tab-separated",
            b'|' => "pipe-separated",
            _ => "comma-separated",
        };
        self.file_info.set(format!(
            "{} · {delimiter} · {} rows",
            encoding.label(),
            crate::ui::format_count(sheet.len() as i64)
        ));
        self.apply_saved_mapping(&sheet.headers).await;
        self.sheet.set_value(Some(sheet));
        Ok(())
    }

    /// Uses the mapping saved for files with this header, or the guess from header names.
    async fn apply_saved_mapping(&self, headers: &[String]) {
        let guess = ColumnMapping::guess(headers);
        let signature = ColumnMapping::header_signature(headers);
        self.saved_note.set(None);
        match api::load_saved_mapping(signature).await {
            Ok(Some(saved)) if saved.mapping.0.len() == headers.len() => {
                self.mapping.set(saved.mapping);
                self.options.set(saved.options);
                self.saved_note.set(Some(
                    "Using the column choices you saved for this sheet.".into(),
                ));
            }
            _ => self.mapping.set(guess),
        }
    }

    /// Normalises and checks every row in chunks, then looks for duplicates in the file and
    /// in the inventory.
    pub async fn check(self) {
        let mapping = self.mapping.get_untracked();
        if let Some(missing) = mapping.missing() {
            self.problem.set(Some(missing));
            return;
        }
        let Some(sheet) = self.sheet.try_update_value(Option::take).flatten() else {
            return;
        };
        self.problem.set(None);
        if self.remember.get_untracked() {
            let saved = super::types::SavedMapping {
                mapping: mapping.clone(),
                options: self.options.get_untracked(),
            };
            // Remembering is a convenience: a failure here does not stop the import.
            let signature = ColumnMapping::header_signature(&sheet.headers);
            let _ = api::remember_mapping(signature, saved).await;
        }
        self.step.set(Step::Working("Checking every row…"));
        self.progress.set(0.0);
        let mut session = Session::new(sheet, mapping, &self.options.get_untracked());
        let total = session.len();
        let mut keys = Vec::new();
        let mut since = browser::now_ms();
        for start in (0..total).step_by(500) {
            keys.extend(session.check_rows(start..(start + 500).min(total)));
            self.progress
                .set((start + 500).min(total) as f64 / total.max(1) as f64);
            browser::breathe_every(&mut since, 40.0).await;
        }
        session.mark_duplicates();
        self.step
            .set(Step::Working("Looking for items you already have…"));
        keys.sort_unstable();
        keys.dedup();
        for (i, chunk) in keys.chunks(5_000).enumerate() {
            self.progress
                .set((i * 5_000) as f64 / keys.len().max(1) as f64);
            match api::existing_duplicates(chunk.to_vec()).await {
                Ok(found) => session.mark_existing(&found),
                Err(e) => {
                    self.problem.set(Some(format!(
                        "Could not compare with your inventory ({e}); possible duplicates of items you already have are not flagged."
                    )));
                    break;
                }
            }
        }
        self.match_products(&session).await;
        self.session.set_value(Some(session));
        self.relayout();
        self.step.set(Step::Fix);
    }

    /// Looks up the catalog product of every valid row: each distinct text once, in batches,
    /// with the progress bar moving.
    async fn match_products(&self, session: &Session) {
        self.step
            .set(Step::Working("Matching rows to catalog products…"));
        self.progress.set(0.0);
        let mut rows_of: HashMap<String, Vec<usize>> = HashMap::new();
        let mut since = browser::now_ms();
        for (i, state) in session.states() {
            if !state.is_valid() || state.removed {
                continue;
            }
            if let Some(draft) = session.row(i).check() {
                rows_of
                    .entry(crate::domain::catalog::item_text(&draft))
                    .or_default()
                    .push(i);
            }
            if i % 1_000 == 0 {
                browser::breathe_every(&mut since, 40.0).await;
            }
        }
        let texts: Vec<String> = rows_of.keys().cloned().collect();
        let mut products = HashMap::new();
        for (n, chunk) in texts.chunks(crate::catalog::api::MATCH_BATCH).enumerate() {
            self.progress
                .set((n * crate::catalog::api::MATCH_BATCH) as f64 / texts.len().max(1) as f64);
            match crate::catalog::api::match_products(chunk.to_vec()).await {
                Ok(found) => {
                    for (text, product) in chunk.iter().zip(found) {
                        for &i in &rows_of[text] {
                            products.insert(i, product.as_ref().map(|(_, name)| name.clone()));
                        }
                    }
                }
                Err(e) => {
                    self.problem.set(Some(format!(
                        "Could not match the rows to catalog products ({e}); they import all the same."
                    )));
                    break;
                }
            }
        }
        self.products.set_value(products);
    }

    /// Looks up the products of `rows` again after an edit (one call per batch of texts).
    pub async fn rematch(self, rows: Vec<usize>) {
        let mut texts: Vec<(usize, String)> = Vec::new();
        self.with_session(|s| {
            // A product picked by hand stays whatever the row's text becomes.
            for &i in rows.iter().filter(|&&i| !s.is_picked(i)) {
                match s.row(i).check() {
                    Some(d) => texts.push((i, crate::domain::catalog::item_text(&d))),
                    None => {
                        self.products.update_value(|m| {
                            m.remove(&i);
                        });
                    }
                }
            }
        });
        for chunk in texts.chunks(crate::catalog::api::MATCH_BATCH) {
            let asked = chunk.iter().map(|(_, t)| t.clone()).collect();
            let Ok(found) = crate::catalog::api::match_products(asked).await else {
                break;
            };
            self.products.update_value(|m| {
                for ((i, _), product) in chunk.iter().zip(found) {
                    m.insert(*i, product.map(|(_, name)| name));
                }
            });
        }
        self.matched.update(|n| *n += 1);
    }

    /// Links row `i` to a product the reseller picked (it is sent with the row).
    pub fn pick(self, i: usize, product_id: String, name: String) {
        self.with_session(|s| s.pick_product(i, product_id));
        self.products.update_value(|m| {
            m.insert(i, Some(name));
        });
        self.matched.update(|n| *n += 1);
    }

    /// Back to the column choices (edits made in the grid are dropped).
    pub fn remap(&self) {
        if let Some(session) = self.session.try_update_value(Option::take).flatten() {
            self.sheet.set_value(Some(session.into_sheet()));
            self.step.set(Step::Map);
        }
    }

    pub fn reset(&self) {
        self.session.set_value(None);
        self.sheet.set_value(None);
        self.problem.set(None);
        self.step.set(Step::Choose);
    }
}
