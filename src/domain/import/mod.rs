//! Spreadsheet import, shared by the browser (where files are parsed, mapped and fixed) and
//! the server (which re-validates every committed row with the same rules).

pub mod decode;
pub mod mapping;
pub mod normalise;
pub mod parse;
pub mod sale;
pub mod session;
pub mod stage;
mod synonyms;

pub use decode::{Encoding, decode};
pub use mapping::{ColumnMapping, ExportColumn, ImportField, Target};
pub use normalise::DateOrder;
pub use parse::{Sheet, SheetReader};
pub use session::{Counts, Duplicate, RowState, Session};
pub use stage::{FileOptions, ImportLine, StagedRow};

/// Largest file accepted (refused before it is read).
pub const MAX_FILE_BYTES: u64 = 50 * 1024 * 1024;
/// Rows per commit batch: one transaction, all or nothing.
pub const BATCH_ROWS: usize = 1000;
/// Serialized size a batch stays under (the server refuses bodies over 1 MB).
pub const BATCH_BYTES: usize = 700 * 1024;
/// Batches sent at once: while the database writes one, the server checks the next.
pub const IN_FLIGHT: usize = 2;

/// Why a file cannot be imported at all (row problems are shown on the rows instead).
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum ImportError {
    #[error("The file is empty.")]
    Empty,
    #[error("The file has a header row but no items below it.")]
    HeaderOnly,
    #[error(
        "This is not a spreadsheet file (it looks like a picture, PDF or other binary file). Export your sheet as CSV and try again."
    )]
    NotText,
    #[error("The file is {0} MB; Flipdesk imports files up to 50 MB. Split it into smaller files.")]
    TooLarge(u64),
    #[error("The header has {0} columns; Flipdesk reads sheets with up to 200.")]
    TooManyColumns(usize),
    #[error("The file could not be read as CSV: {0}")]
    Unreadable(String),
}

/// Checks the size before reading a byte of the file.
pub fn check_size(bytes: u64) -> Result<(), ImportError> {
    if bytes > MAX_FILE_BYTES {
        return Err(ImportError::TooLarge(bytes.div_ceil(1024 * 1024)));
    }
    if bytes == 0 {
        return Err(ImportError::Empty);
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn files_are_sized_before_reading() {
        assert_eq!(check_size(0), Err(ImportError::Empty));
        assert_eq!(check_size(MAX_FILE_BYTES), Ok(()));
        let err = check_size(200 * 1024 * 1024).unwrap_err();
        assert_eq!(
            err.to_string(),
            "The file is 200 MB; Flipdesk imports files up to 50 MB. Split it into smaller files."
        );
    }

    /// The browser end-to-end fixture, staged as the browser stages it.
    #[test]
    fn the_messy_fixture() {
        let bytes = include_bytes!("../../../end2end/fixtures/messy-sneakers.csv").to_vec();
        let (text, encoding) = decode(bytes).unwrap();
        assert_eq!(encoding, Encoding::Utf8);
        let sheet = parse::read_all(text).unwrap();
        let mapping = ColumnMapping::guess(&sheet.headers);
        let mut session = Session::new(sheet, mapping, &FileOptions::default());
        session.check_rows(0..session.len());
        session.mark_duplicates();
        let staged: Vec<StagedRow> = (0..session.len()).map(|i| session.row(i)).collect();
        let lines: Vec<u32> = staged.iter().map(|r| r.item.line).collect();
        assert_eq!(lines, [2, 4, 5, 6, 7, 8, 9]);
        let valid: Vec<u32> = staged
            .iter()
            .filter(|r| r.is_valid())
            .map(|r| r.item.line)
            .collect();
        assert_eq!(valid, [2, 8, 9]);
        let jordan = &staged[0];
        assert_eq!(jordan.item.get(ImportField::PurchasePrice), "1234.50");
        assert_eq!(jordan.item.get(ImportField::SneakerCondition), "new");
        assert_eq!(
            jordan.item.get(ImportField::Notes),
            "box has a small dent\non the lid"
        );
        assert_eq!(staged[6].warnings.len(), 1);
    }
}
