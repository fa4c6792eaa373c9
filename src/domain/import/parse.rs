//! Text → header and rows, with the `csv` crate. The delimiter is detected from the first
//! lines; quoted fields may hold delimiters, quotes and newlines. Rows are read in chunks so
//! the browser can update a progress bar (and stay responsive) between them.

use std::io::Cursor;

use super::ImportError;

/// Most columns a header may have; wider sheets are not inventory exports.
pub const MAX_COLUMNS: usize = 200;
/// Longest cell kept; longer cells are cut with a warning (nothing we store is that long).
pub const MAX_CELL: usize = 10_000;

/// A row as read: its line in the file (for messages) and its cells, padded or cut to the
/// header's width. `ragged` tells how many cells the row really had when that differed.
#[derive(Debug, Clone, PartialEq)]
pub struct RawRow {
    pub line: u32,
    pub cells: Vec<String>,
    pub ragged: Option<Ragged>,
}

#[derive(Debug, Clone, PartialEq)]
pub struct Ragged {
    pub had: usize,
    /// Cells past the last column (first few, for the message).
    pub extra: Vec<String>,
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

    /// Reads up to `max` rows into `out` (blank lines are skipped).
    pub fn next_chunk(&mut self, max: usize, out: &mut Vec<RawRow>) -> Result<(), ImportError> {
        let width = self.headers.len();
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
            let had = self.record.len();
            let mut cells: Vec<String> = self
                .record
                .iter()
                .take(width)
                .map(|c| {
                    if c.len() > MAX_CELL {
                        c.chars().take(MAX_CELL).collect()
                    } else {
                        c.to_string()
                    }
                })
                .collect();
            cells.resize(width, String::new());
            let ragged = (had != width).then(|| Ragged {
                had,
                extra: self
                    .record
                    .iter()
                    .skip(width)
                    .filter(|c| !c.trim().is_empty())
                    .take(3)
                    .map(|c| c.chars().take(40).collect())
                    .collect(),
            });
            out.push(RawRow {
                line,
                cells,
                ragged,
            });
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

/// Reads everything at once (tests and the server side).
pub fn read_all(text: String) -> Result<(Vec<String>, Vec<RawRow>), ImportError> {
    let mut reader = SheetReader::new(text)?;
    let mut rows = Vec::new();
    while !reader.is_done() {
        reader.next_chunk(10_000, &mut rows)?;
    }
    if rows.is_empty() {
        return Err(ImportError::HeaderOnly);
    }
    Ok((reader.headers, rows))
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

    #[test]
    fn quoted_fields_with_newlines_and_quotes() {
        let text = "name,notes,cost\n\"Dunk \"\"Panda\"\"\",\"line one\nline two\",120\nAF1,,90\n";
        let (headers, rows) = read_all(text.to_string()).unwrap();
        assert_eq!(headers, ["name", "notes", "cost"]);
        assert_eq!(
            rows[0].cells,
            ["Dunk \"Panda\"", "line one\nline two", "120"]
        );
        assert_eq!(rows[1].line, 4, "line numbers count the embedded newline");
        assert!(rows.iter().all(|r| r.ragged.is_none()));
    }

    #[test]
    fn ragged_rows_are_reported_not_dropped() {
        let text = "name,cost\nA\nB,2,extra,more\n\nC,3";
        let (_, rows) = read_all(text.to_string()).unwrap();
        assert_eq!(rows.len(), 3, "blank lines skipped, ragged rows kept");
        assert_eq!(rows[0].cells, ["A", ""]);
        assert_eq!(rows[0].ragged.as_ref().unwrap().had, 1);
        assert_eq!(rows[1].cells, ["B", "2"]);
        assert_eq!(rows[1].ragged.as_ref().unwrap().extra, ["extra", "more"]);
        assert!(rows[2].ragged.is_none());
    }

    #[test]
    fn a_row_with_ten_thousand_columns_is_cut_to_the_header() {
        let wide = vec!["x"; 10_000].join(",");
        let (_, rows) = read_all(format!("name,cost\n{wide}\n")).unwrap();
        assert_eq!(rows[0].cells.len(), 2);
        let ragged = rows[0].ragged.as_ref().unwrap();
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
