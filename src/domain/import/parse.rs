//! Text → header and rows, with the `csv` crate. The delimiter is detected from the first
//! lines; quoted fields may hold delimiters, quotes and newlines. Rows are read in chunks so
//! the browser can update a progress bar (and stay responsive) between them.

use std::io::Cursor;

use super::ImportError;

/// Most columns a header may have; wider sheets are not inventory exports.
pub const MAX_COLUMNS: usize = 200;
/// Longest cell kept; longer cells are cut with a warning (nothing we store is that long).
pub const MAX_CELL: usize = 10_000;

/// A row whose cell count differs from the header's: how many it had, and the first few
/// cells past the last column (for the message).
#[derive(Debug, Clone, PartialEq)]
pub struct Ragged {
    pub had: usize,
    pub extra: Vec<String>,
}

/// A parsed file. Every cell's text sits in one buffer with end offsets (a 50 MB file is
/// millions of cells: one `String` each would cost several times the file in memory). Rows
/// are padded or cut to the header's width; `ragged` says which differed.
#[derive(Debug, Default)]
pub struct Sheet {
    pub headers: Vec<String>,
    text: String,
    ends: Vec<u32>,
    lines: Vec<u32>,
    ragged: std::collections::HashMap<u32, Ragged>,
}

impl Sheet {
    pub fn width(&self) -> usize {
        self.headers.len()
    }

    pub fn len(&self) -> usize {
        self.lines.len()
    }

    pub fn is_empty(&self) -> bool {
        self.lines.is_empty()
    }

    /// The line of the file row `row` starts on (what messages call it).
    pub fn line(&self, row: usize) -> u32 {
        self.lines[row]
    }

    pub fn cell(&self, row: usize, col: usize) -> &str {
        let at = row * self.width() + col;
        let start = if at == 0 {
            0
        } else {
            self.ends[at - 1] as usize
        };
        &self.text[start..self.ends[at] as usize]
    }

    pub fn cells(&self, row: usize) -> impl Iterator<Item = &str> {
        (0..self.width()).map(move |c| self.cell(row, c))
    }

    pub fn ragged(&self, row: usize) -> Option<&Ragged> {
        self.ragged.get(&(row as u32))
    }

    fn push(&mut self, line: u32, record: &csv::StringRecord) {
        let width = self.width();
        let row = self.lines.len() as u32;
        for i in 0..width {
            let cell = record.get(i).unwrap_or("");
            if cell.len() > MAX_CELL {
                let cut = cell
                    .char_indices()
                    .nth(MAX_CELL)
                    .map_or(cell.len(), |(i, _)| i);
                self.text.push_str(&cell[..cut]);
            } else {
                self.text.push_str(cell);
            }
            self.ends.push(self.text.len() as u32);
        }
        if record.len() != width {
            let extra = record
                .iter()
                .skip(width)
                .filter(|c| !c.trim().is_empty())
                .take(3)
                .map(|c| c.chars().take(40).collect())
                .collect();
            self.ragged.insert(
                row,
                Ragged {
                    had: record.len(),
                    extra,
                },
            );
        }
        self.lines.push(line);
    }
}

/// Picks the delimiter (`,` `;` tab `|`) that splits the first lines most consistently.
pub fn sniff_delimiter(text: &str) -> u8 {
    let lines: Vec<&str> = text
        .lines()
        .filter(|l| !l.trim().is_empty())
        .take(20)
        .collect();
    let count = |line: &str, d: char| {
        let mut quoted = false;
        line.chars()
            .filter(|c| {
                if *c == '"' {
                    quoted = !quoted;
                }
                !quoted && *c == d
            })
            .count()
    };
    let mut best = (b',', 0usize, 0usize);
    for d in [b',', b';', b'\t', b'|'] {
        let counts: Vec<usize> = lines.iter().map(|l| count(l, d as char)).collect();
        let Some(&first) = counts.first() else {
            continue;
        };
        if first == 0 {
            continue;
        }
        // Lines agreeing with the header's count, then the count itself.
        let agreeing = counts.iter().filter(|c| **c == first).count();
        if (agreeing, first) > (best.1, best.2) {
            best = (d, agreeing, first);
        }
    }
    best.0
}

/// Reads a sheet in chunks: `new` reads the header, `next_chunk` the following rows.
pub struct SheetReader {
    reader: csv::Reader<Cursor<Vec<u8>>>,
    pub delimiter: u8,
    pub headers: Vec<String>,
    total_bytes: usize,
    record: csv::StringRecord,
    done: bool,
}

impl SheetReader {
    pub fn new(text: String) -> Result<SheetReader, ImportError> {
        let delimiter = sniff_delimiter(&text);
        let total_bytes = text.len();
        let mut reader = csv::ReaderBuilder::new()
            .delimiter(delimiter)
            .has_headers(false)
            .flexible(true)
            .from_reader(Cursor::new(text.into_bytes()));
        let mut record = csv::StringRecord::new();
        // The header is the first row with any text in it.
        let headers = loop {
            match reader.read_record(&mut record) {
                Ok(true) if record.iter().all(|c| c.trim().is_empty()) => continue,
                Ok(true) => break record.iter().map(clean_header).collect::<Vec<_>>(),
                Ok(false) => return Err(ImportError::Empty),
                Err(e) => return Err(ImportError::Unreadable(e.to_string())),
            }
        };
        if headers.len() > MAX_COLUMNS {
            return Err(ImportError::TooManyColumns(headers.len()));
        }
        Ok(SheetReader {
            reader,
            delimiter,
            headers,
            total_bytes,
            record,
            done: false,
        })
    }

    /// Share of the file read so far, 0.0–1.0.
    pub fn progress(&self) -> f64 {
        if self.done || self.total_bytes == 0 {
            return 1.0;
        }
        self.reader.position().byte() as f64 / self.total_bytes as f64
    }

    pub fn is_done(&self) -> bool {
        self.done
    }

    /// Reads up to `max` more rows into `sheet` (blank lines are skipped).
    pub fn next_chunk(&mut self, max: usize, sheet: &mut Sheet) -> Result<(), ImportError> {
        for _ in 0..max {
            let line = self.reader.position().line() as u32;
            match self.reader.read_record(&mut self.record) {
                Ok(true) => {}
                Ok(false) => {
                    self.done = true;
                    return Ok(());
                }
                Err(e) => return Err(ImportError::Unreadable(e.to_string())),
            }
            if self.record.iter().all(|c| c.trim().is_empty()) {
                continue;
            }
            sheet.push(line, &self.record);
        }
        Ok(())
    }
}

fn clean_header(h: &str) -> String {
    h.trim_matches(|c: char| c.is_whitespace() || c == '\u{feff}')
        .chars()
        .take(80)
        .collect()
}

impl SheetReader {
    /// An empty sheet with this file's header, for `next_chunk` to fill.
    pub fn sheet(&self, expected_bytes: usize) -> Sheet {
        Sheet {
            headers: self.headers.clone(),
            text: String::with_capacity(expected_bytes),
            ..Sheet::default()
        }
    }
}

/// Reads everything at once (tests and benchmarks).
pub fn read_all(text: String) -> Result<Sheet, ImportError> {
    let size = text.len();
    let mut reader = SheetReader::new(text)?;
    let mut sheet = reader.sheet(size);
    while !reader.is_done() {
        reader.next_chunk(10_000, &mut sheet)?;
    }
    if sheet.is_empty() {
        return Err(ImportError::HeaderOnly);
    }
    Ok(sheet)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn detects_delimiters() {
        assert_eq!(sniff_delimiter("a,b,c\n1,2,3"), b',');
        assert_eq!(
            sniff_delimiter("Name;Preis;Datum\nDunk;1.234,50;01.02.2026"),
            b';'
        );
        assert_eq!(sniff_delimiter("name\tcost\nA, B\t1"), b'\t');
        // Commas inside quotes do not count.
        assert_eq!(sniff_delimiter("\"a,b\";c\n\"x,y\";z"), b';');
    }

    fn row(sheet: &Sheet, r: usize) -> Vec<&str> {
        sheet.cells(r).collect()
    }

    #[test]
    fn quoted_fields_with_newlines_and_quotes() {
        let text = "name,notes,cost\n\"Dunk \"\"Panda\"\"\",\"line one\nline two\",120\nAF1,,90\n";
        let sheet = read_all(text.to_string()).unwrap();
        assert_eq!(sheet.headers, ["name", "notes", "cost"]);
        assert_eq!(
            row(&sheet, 0),
            ["Dunk \"Panda\"", "line one\nline two", "120"]
        );
        assert_eq!(row(&sheet, 1), ["AF1", "", "90"]);
        assert_eq!(sheet.line(1), 4, "line numbers count the embedded newline");
        assert!((0..sheet.len()).all(|r| sheet.ragged(r).is_none()));
    }

    #[test]
    fn ragged_rows_are_reported_not_dropped() {
        let text = "name,cost\nA\nB,2,extra,more\n\nC,3";
        let sheet = read_all(text.to_string()).unwrap();
        assert_eq!(sheet.len(), 3, "blank lines skipped, ragged rows kept");
        assert_eq!(row(&sheet, 0), ["A", ""]);
        assert_eq!(sheet.ragged(0).unwrap().had, 1);
        assert_eq!(row(&sheet, 1), ["B", "2"]);
        assert_eq!(sheet.ragged(1).unwrap().extra, ["extra", "more"]);
        assert_eq!(row(&sheet, 2), ["C", "3"]);
        assert!(sheet.ragged(2).is_none());
    }

    #[test]
    fn a_row_with_ten_thousand_columns_is_cut_to_the_header() {
        let wide = vec!["x"; 10_000].join(",");
        let sheet = read_all(format!("name,cost\n{wide}\n")).unwrap();
        assert_eq!(row(&sheet, 0), ["x", "x"]);
        let ragged = sheet.ragged(0).unwrap();
        assert_eq!((ragged.had, ragged.extra.len()), (10_000, 3));
    }

    #[test]
    fn header_only_and_too_wide_headers_are_refused() {
        assert_eq!(
            read_all("name,cost\n".into()).unwrap_err(),
            ImportError::HeaderOnly
        );
        let wide = (0..300)
            .map(|i| format!("c{i}"))
            .collect::<Vec<_>>()
            .join(",");
        assert_eq!(
            read_all(format!("{wide}\n1")).unwrap_err(),
            ImportError::TooManyColumns(300)
        );
    }
}
