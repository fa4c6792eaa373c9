//! What the import page holds while a file is worked on. Rows live in stored values (not
//! signals: a 100,000-row file must not be cloned or diffed on each keystroke); `revision`
//! and `layout` say when they changed.

use leptos::prelude::*;

use crate::domain::import::{
    ColumnMapping, FileOptions, ImportError, RawRow, SheetReader, StagedRow, decode,
    stage::{mark_duplicates, mark_existing, settle_options, stage_row},
};

use super::{api, browser};

/// The file being imported, kept to read it again after "change column choices".
#[derive(Clone)]
pub struct ChosenFile(web_sys::File);

// SAFETY: a `ChosenFile` only exists in the browser, where WebAssembly runs on one thread;
// the server never creates one (its stored value stays `None`), so it never crosses threads.
unsafe impl Send for ChosenFile {}
unsafe impl Sync for ChosenFile {}

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
    pub file: StoredValue<Option<ChosenFile>>,
    pub file_name: RwSignal<String>,
    /// "UTF-8 · comma-separated · 1,204 rows"
    pub file_info: RwSignal<String>,
    pub headers: StoredValue<Vec<String>>,
    pub raw: StoredValue<Vec<RawRow>>,
    pub rows: StoredValue<Vec<StagedRow>>,
    pub mapping: RwSignal<ColumnMapping>,
    pub options: RwSignal<FileOptions>,
    /// Options as settled by the file (date order decided by the data).
    pub settled: RwSignal<FileOptions>,
    pub remember: RwSignal<bool>,
    pub saved_note: RwSignal<Option<String>>,
    pub progress: RwSignal<f64>,
    pub problem: RwSignal<Option<String>>,
    /// A cell changed (counts update).
    pub revision: RwSignal<u64>,
    /// Rows were removed or changed in bulk, or the filter changed (the page is redrawn).
    pub layout: RwSignal<u64>,
}

impl ImportState {
    pub fn new() -> ImportState {
        ImportState {
            step: RwSignal::new(Step::Choose),
            file: StoredValue::new(None),
            file_name: RwSignal::new(String::new()),
            file_info: RwSignal::new(String::new()),
            headers: StoredValue::new(Vec::new()),
            raw: StoredValue::new(Vec::new()),
            rows: StoredValue::new(Vec::new()),
            mapping: RwSignal::new(ColumnMapping::default()),
            options: RwSignal::new(FileOptions::default()),
            settled: RwSignal::new(FileOptions::default()),
            remember: RwSignal::new(true),
            saved_note: RwSignal::new(None),
            progress: RwSignal::new(0.0),
            problem: RwSignal::new(None),
            revision: RwSignal::new(0),
            layout: RwSignal::new(0),
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
        self.file.set_value(Some(ChosenFile(file)));
        match self.parse(bytes).await {
            Ok(()) => self.step.set(Step::Map),
            Err(e) => self.fail(e.to_string()),
        }
    }

    async fn parse(self, bytes: Vec<u8>) -> Result<(), ImportError> {
        let (text, encoding) = decode(bytes)?;
        let mut reader = SheetReader::new(text)?;
        let mut rows = Vec::new();
        let mut since = browser::now_ms();
        while !reader.is_done() {
            reader.next_chunk(2_000, &mut rows)?;
            self.progress.set(reader.progress());
            browser::breathe_every(&mut since, 40.0).await;
        }
        if rows.is_empty() {
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
            crate::ui::format_count(rows.len() as i64)
        ));
        let headers = reader.headers.clone();
        self.apply_saved_mapping(&headers).await;
        self.headers.set_value(headers);
        self.raw.set_value(rows);
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

    /// Normalises and validates every row in chunks, then looks for duplicates in the
    /// inventory.
    pub async fn check(self) {
        let mapping = self.mapping.get_untracked();
        if let Some(missing) = mapping.missing() {
            self.problem.set(Some(missing));
            return;
        }
        self.problem.set(None);
        let headers = self.headers.get_value();
        if self.remember.get_untracked() {
            let saved = super::types::SavedMapping {
                mapping: mapping.clone(),
                options: self.options.get_untracked(),
            };
            // Remembering is a convenience: a failure here does not stop the import.
            let _ = api::remember_mapping(ColumnMapping::header_signature(&headers), saved).await;
        }
        self.step.set(Step::Working("Checking every row…"));
        self.progress.set(0.0);
        let options = self
            .raw
            .with_value(|r| settle_options(r, &mapping, &self.options.get_untracked()));
        // The raw rows are not kept next to the staged ones ("change columns" reads the file
        // again): a 50 MB file must fit in the browser's memory once, not twice.
        let raw = self
            .raw
            .try_update_value(std::mem::take)
            .unwrap_or_default();
        self.settled.set(options);
        let total = raw.len().max(1);
        let mut staged = Vec::with_capacity(raw.len());
        let mut since = browser::now_ms();
        for row in raw {
            staged.push(stage_row(&headers, row, &mapping, &options));
            if staged.len() % 500 == 0 {
                self.progress.set(staged.len() as f64 / total as f64);
                browser::breathe_every(&mut since, 40.0).await;
            }
        }
        mark_duplicates(&mut staged);
        self.step
            .set(Step::Working("Looking for items you already have…"));
        let mut keys: Vec<String> = staged
            .iter_mut()
            .filter_map(|r| r.duplicate_key())
            .collect();
        keys.sort();
        keys.dedup();
        let mut existing = std::collections::HashSet::new();
        for (i, chunk) in keys.chunks(5_000).enumerate() {
            self.progress
                .set((i * 5_000) as f64 / keys.len().max(1) as f64);
            match api::existing_duplicates(chunk.to_vec()).await {
                Ok(found) => existing.extend(found),
                Err(e) => {
                    self.problem.set(Some(format!(
                        "Could not compare with your inventory ({e}); possible duplicates of items you already have are not flagged."
                    )));
                    break;
                }
            }
        }
        mark_existing(&mut staged, &existing);
        self.rows.set_value(staged);
        self.relayout();
        self.step.set(Step::Fix);
    }

    /// Back to the column choices: the rows are read again from the file.
    pub async fn remap(self) {
        self.rows.set_value(Vec::new());
        if let Some(ChosenFile(file)) = self.file.get_value() {
            self.step.set(Step::Working("Reading the file…"));
            match browser::read_bytes(&file).await {
                Ok(bytes) => match self.parse_keeping_mapping(bytes).await {
                    Ok(()) => self.step.set(Step::Map),
                    Err(e) => self.fail(e.to_string()),
                },
                Err(_) => self.fail("The browser could not read this file again."),
            }
        } else {
            self.step.set(Step::Choose);
        }
    }

    async fn parse_keeping_mapping(self, bytes: Vec<u8>) -> Result<(), ImportError> {
        let (mapping, options, note) = (
            self.mapping.get_untracked(),
            self.options.get_untracked(),
            self.saved_note.get_untracked(),
        );
        self.parse(bytes).await?;
        self.mapping.set(mapping);
        self.options.set(options);
        self.saved_note.set(note);
        Ok(())
    }

    pub fn reset(&self) {
        self.rows.set_value(Vec::new());
        self.raw.set_value(Vec::new());
        self.headers.set_value(Vec::new());
        self.file.set_value(None);
        self.problem.set(None);
        self.step.set(Step::Choose);
    }
}
