//! A file being imported: the parsed sheet, the column choices, and a few bytes of state per
//! row (how many problems, duplicate of what, kept, removed). A row's values and messages are
//! worked out again from the sheet when shown or sent, so a 50 MB file costs about its own
//! size in memory instead of a string per cell; rows the reseller edited are kept whole.

use std::{collections::HashMap, ops::Range};

use super::{
    super::item::ItemDraft,
    mapping::{ColumnMapping, ImportField},
    parse::Sheet,
    stage::{FileOptions, ImportLine, StagedRow, duplicate_key, settle_options, stage_row},
};

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub enum Duplicate {
    #[default]
    No,
    /// Repeats the row on this line of the file.
    OfLine(u32),
    /// Matches an item already in the inventory.
    InInventory,
}

#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct RowState {
    pub problems: u16,
    pub duplicate: Duplicate,
    /// Import this possible duplicate anyway.
    pub keep: bool,
    pub removed: bool,
    /// Hash of the duplicate key (0: the row has none).
    key: u64,
}

impl RowState {
    pub fn is_valid(&self) -> bool {
        self.problems == 0
    }

    pub fn will_import(&self) -> bool {
        !self.removed && self.is_valid() && (self.duplicate == Duplicate::No || self.keep)
    }
}

/// Rows by what the grid shows.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq)]
pub struct Counts {
    pub rows: usize,
    pub ready: usize,
    pub to_fix: usize,
    pub duplicates: usize,
}

fn hash(key: &str) -> u64 {
    let h = key.bytes().fold(0xcbf2_9ce4_8422_2325u64, |h, b| {
        (h ^ b as u64).wrapping_mul(0x0100_0000_01b3)
    });
    h.max(1)
}

pub struct Session {
    sheet: Sheet,
    pub mapping: ColumnMapping,
    /// As settled by the file (the date order it decided).
    pub options: FileOptions,
    states: Vec<RowState>,
    edited: HashMap<usize, StagedRow>,
    /// Catalog products picked by hand, by row.
    picked: HashMap<usize, String>,
}

impl Session {
    pub fn new(sheet: Sheet, mapping: ColumnMapping, options: &FileOptions) -> Session {
        let options = settle_options(&sheet, &mapping, options);
        Session {
            states: vec![RowState::default(); sheet.len()],
            sheet,
            mapping,
            options,
            edited: HashMap::new(),
            picked: HashMap::new(),
        }
    }

    /// The sheet back, to choose the columns again.
    pub fn into_sheet(self) -> Sheet {
        self.sheet
    }

    pub fn len(&self) -> usize {
        self.states.len()
    }

    pub fn is_empty(&self) -> bool {
        self.states.is_empty()
    }

    /// The file line row `i` starts on.
    pub fn line_no(&self, i: usize) -> u32 {
        self.sheet.line(i)
    }

    pub fn state(&self, i: usize) -> RowState {
        self.states[i]
    }

    pub fn states(&self) -> impl Iterator<Item = (usize, &RowState)> {
        self.states.iter().enumerate().filter(|(_, s)| !s.removed)
    }

    /// Keeps what the grid and the commit need of a checked row: its problem count and the
    /// hash of its duplicate key (from the draft `check` returned).
    fn record(&mut self, i: usize, row: &StagedRow, draft: Option<ItemDraft>) -> Option<String> {
        let key = draft.as_ref().and_then(duplicate_key);
        let state = &mut self.states[i];
        state.problems = row.errors.0.len().min(u16::MAX as usize) as u16;
        state.key = key.as_deref().map(hash).unwrap_or(0);
        key
    }

    /// Checks rows `range` (the browser goes in chunks); returns the duplicate keys of the
    /// valid ones, to ask the server which are already in the inventory.
    pub fn check_rows(&mut self, range: Range<usize>) -> Vec<String> {
        let mut keys = Vec::new();
        for i in range {
            let mut row = stage_row(&self.sheet, i, &self.mapping, &self.options);
            let draft = row.check();
            if let Some(key) = self.record(i, &row, draft) {
                keys.push(key);
            }
        }
        keys
    }

    /// Row `i` from the sheet, checked.
    fn fresh(&self, i: usize) -> StagedRow {
        let mut row = stage_row(&self.sheet, i, &self.mapping, &self.options);
        row.check();
        row
    }

    /// Row `i` with its values, problems and duplicate note, as the grid shows it.
    pub fn row(&self, i: usize) -> StagedRow {
        let mut row = self
            .edited
            .get(&i)
            .cloned()
            .unwrap_or_else(|| self.fresh(i));
        let state = self.states[i];
        row.keep = state.keep;
        row.duplicate = match state.duplicate {
            Duplicate::No => None,
            Duplicate::OfLine(line) => {
                Some(format!("Same SKU, size, date and price as line {line}."))
            }
            Duplicate::InInventory => {
                Some("Already in your inventory (same SKU, size, date and price).".into())
            }
        };
        row
    }

    /// The item line of row `i`, as committed.
    pub fn line(&self, i: usize) -> ImportLine {
        let mut line = match self.edited.get(&i) {
            Some(row) => row.item.clone(),
            None => self.fresh(i).item,
        };
        line.product = self.picked.get(&i).cloned();
        line
    }

    /// Links row `i` to the catalog product the reseller picked for it.
    pub fn pick_product(&mut self, i: usize, product_id: String) {
        self.picked.insert(i, product_id);
    }

    /// Whether row `i`'s product was picked by hand (an edit then keeps it).
    pub fn is_picked(&self, i: usize) -> bool {
        self.picked.contains_key(&i)
    }

    /// Changes one cell of row `i` and re-checks the row (read it back with [`Session::row`]).
    pub fn edit(&mut self, i: usize, field: ImportField, text: &str) {
        let mut row = self
            .edited
            .remove(&i)
            .unwrap_or_else(|| stage_row(&self.sheet, i, &self.mapping, &self.options));
        let draft = row.edit(field, text, &self.options);
        self.record(i, &row, draft);
        self.edited.insert(i, row);
    }

    pub fn set_keep(&mut self, i: usize, keep: bool) {
        self.states[i].keep = keep;
    }

    pub fn remove(&mut self, i: usize) {
        self.states[i].removed = true;
        self.edited.remove(&i);
    }

    /// The Flipdesk id row `i` carries: rows with one id are one item (an item's sales are
    /// rows of their own in Flipdesk's export).
    pub fn item_ref(&self, i: usize) -> Option<String> {
        let col = self.mapping.column_of(ImportField::ItemRef)?;
        let text = match self.edited.get(&i) {
            Some(row) => super::sale::item_ref(&row.item).unwrap_or(""),
            None => self.sheet.cell(i, col).trim(),
        };
        Some(text.to_string()).filter(|t| !t.is_empty())
    }

    /// Rows that carry an id an earlier row carries: more of that item, never a duplicate.
    fn more_of_an_item(&self) -> Vec<bool> {
        let mut seen = std::collections::HashSet::new();
        (0..self.states.len())
            .map(|i| !self.states[i].removed && self.item_ref(i).is_some_and(|r| !seen.insert(r)))
            .collect()
    }

    /// Flags rows that repeat an earlier row of the file; inventory matches stay flagged.
    pub fn mark_duplicates(&mut self) {
        let mut first: HashMap<u64, u32> = HashMap::new();
        let more = self.more_of_an_item();
        for (i, more) in more.into_iter().enumerate() {
            let state = &mut self.states[i];
            if more {
                state.duplicate = Duplicate::No;
                continue;
            }
            if state.duplicate == Duplicate::InInventory && state.key != 0 {
                continue;
            }
            state.duplicate = Duplicate::No;
            if state.removed || state.key == 0 {
                continue;
            }
            match first.get(&state.key) {
                Some(line) => state.duplicate = Duplicate::OfLine(*line),
                None => {
                    first.insert(state.key, self.sheet.line(i));
                }
            }
        }
    }

    /// Flags rows whose key the server found in the inventory.
    pub fn mark_existing(&mut self, found: &[String]) {
        let found: std::collections::HashSet<u64> = found.iter().map(|k| hash(k)).collect();
        let more = self.more_of_an_item();
        for (state, more) in self.states.iter_mut().zip(more) {
            if !more && state.key != 0 && found.contains(&state.key) {
                state.duplicate = Duplicate::InInventory;
            }
        }
    }

    pub fn counts(&self) -> Counts {
        let mut c = Counts::default();
        for (_, s) in self.states() {
            c.rows += 1;
            c.to_fix += !s.is_valid() as usize;
            c.duplicates += (s.duplicate != Duplicate::No && !s.keep) as usize;
        }
        c.ready = self.ready().len();
        c
    }

    /// Rows that go in on commit. Rows of one item (one Flipdesk id) go in together, one
    /// after the other, or not at all while one of them still needs fixing.
    pub fn ready(&self) -> Vec<usize> {
        if self.mapping.column_of(ImportField::ItemRef).is_none() {
            return self
                .states()
                .filter(|(_, s)| s.will_import())
                .map(|(i, _)| i)
                .collect();
        }
        let mut groups: Vec<Vec<usize>> = Vec::new();
        let mut group_of: HashMap<String, usize> = HashMap::new();
        for (i, _) in self.states() {
            match self.item_ref(i) {
                Some(r) => match group_of.get(&r) {
                    Some(&g) => groups[g].push(i),
                    None => {
                        group_of.insert(r, groups.len());
                        groups.push(vec![i]);
                    }
                },
                None => groups.push(vec![i]),
            }
        }
        groups
            .into_iter()
            .filter(|g| g.iter().all(|&i| self.states[i].will_import()))
            .flatten()
            .collect()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::domain::import::parse::read_all;

    fn session(text: &str) -> Session {
        let sheet = read_all(text.to_string()).unwrap();
        let mapping = ColumnMapping::guess(&sheet.headers);
        let mut s = Session::new(sheet, mapping, &FileOptions::default());
        let len = s.len();
        s.check_rows(0..len);
        s.mark_duplicates();
        s
    }

    #[test]
    fn duplicates_in_the_file_and_in_the_inventory() {
        let mut s = session(
            "name,style id,size,cost,date\n\
            Dunk,DD1391-100,10,110,2026-01-02\n\
            Dunk,DD1391-100,10,110,2026-01-02\n\
            Dunk,DD1391-100,11,110,2026-01-02\n\
            No sku,,10,110,2026-01-02\n\
            No sku,,10,110,2026-01-02\n",
        );
        assert_eq!(s.state(0).duplicate, Duplicate::No);
        assert_eq!(s.state(1).duplicate, Duplicate::OfLine(2));
        assert!(s.row(1).duplicate.unwrap().contains("line 2"));
        assert!(!s.state(1).will_import(), "skipped unless kept");
        assert_eq!(s.state(2).duplicate, Duplicate::No, "another size");
        assert_eq!(
            s.state(4).duplicate,
            Duplicate::No,
            "no SKU: never a duplicate"
        );
        s.mark_existing(&[super::super::stage::key_of(
            "DD1391-100",
            Some("11"),
            Some("2026-01-02"),
            11000,
            "USD",
        )]);
        assert_eq!(s.state(2).duplicate, Duplicate::InInventory);
        s.set_keep(2, true);
        assert!(s.state(2).will_import());
        assert_eq!(
            s.counts(),
            Counts {
                rows: 5,
                ready: 4,
                to_fix: 0,
                duplicates: 1
            }
        );
        // Removing the first makes the second the original.
        s.remove(0);
        s.mark_duplicates();
        assert_eq!(s.state(1).duplicate, Duplicate::No);
        assert_eq!(s.ready(), [1, 2, 3, 4]);
    }

    #[test]
    fn edits_are_kept_and_rechecked() {
        let mut s = session("name,cost\n,10\nB,x\n");
        assert_eq!(
            s.counts(),
            Counts {
                rows: 2,
                ready: 0,
                to_fix: 2,
                duplicates: 0
            }
        );
        s.edit(0, ImportField::Name, "Air Force 1");
        assert!(s.row(0).is_valid());
        s.edit(1, ImportField::PurchasePrice, "$12");
        assert_eq!(s.line(1).get(ImportField::PurchasePrice), "12");
        assert_eq!(s.counts().ready, 2);
        assert_eq!(s.row(0).item.get(ImportField::Name), "Air Force 1");
    }

    #[test]
    fn rows_of_one_item_go_together_and_are_not_duplicates() {
        let mut s = session(
            "id,name,style id,size,cost,date,sale price,sold date\n\
            a1,Dunk,DD1391-100,10,110,2026-01-02,150,2026-02-01\n\
            b2,Dunk,DD1391-100,9,110,2026-01-02,,\n\
            a1,Dunk,DD1391-100,10,110,2026-01-02,,\n\
            c3,Dunk,DD1391-100,11,110,2026-01-02,150,2025-12-01\n\
            c3,Dunk,DD1391-100,11,110,2026-01-02,,\n",
        );
        assert_eq!(
            s.state(2).duplicate,
            Duplicate::No,
            "more of the item on line 2"
        );
        assert!(!s.state(3).is_valid(), "sold before it was bought");
        // c3 waits for its sale row to be fixed; a1's rows go in one after the other.
        assert_eq!(s.ready(), [0, 2, 1]);
        assert_eq!(s.counts().ready, 3);
        s.edit(3, ImportField::SoldOn, "2026-02-01");
        assert_eq!(s.ready(), [0, 2, 1, 3, 4]);
        s.mark_existing(&[super::super::stage::key_of(
            "DD1391-100",
            Some("10"),
            Some("2026-01-02"),
            11000,
            "USD",
        )]);
        assert_eq!(s.state(0).duplicate, Duplicate::InInventory);
        assert_eq!(s.state(2).duplicate, Duplicate::No);
        assert_eq!(s.ready(), [1, 3, 4], "the item is left out whole");
    }
}
