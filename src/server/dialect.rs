//! The SQL that SQLite and PostgreSQL spell differently, in one place: full-text match, rows
//! read from a JSON array, and row locks. Everything else is written once for both.

use super::db::Backend;
use std::sync::OnceLock;

/// A statement worked out once per backend, the first time it is needed:
/// `static INSERT: PerBackend = PerBackend::new(make); INSERT.sql(backend)`.
pub struct PerBackend {
    make: fn(Backend) -> String,
    sqlite: OnceLock<String>,
    postgres: OnceLock<String>,
}

impl PerBackend {
    pub const fn new(make: fn(Backend) -> String) -> Self {
        PerBackend {
            make,
            sqlite: OnceLock::new(),
            postgres: OnceLock::new(),
        }
    }

    pub fn sql(&'static self, backend: Backend) -> &'static str {
        let cell = match backend {
            Backend::Sqlite => &self.sqlite,
            Backend::Postgres => &self.postgres,
        };
        cell.get_or_init(|| (self.make)(backend))
    }
}

/// The type of a column read from JSON rows.
#[derive(Clone, Copy)]
pub enum Col {
    Text,
    Int,
}

/// A `WITH` clause whose last table, `x`, has one row per element of the JSON array bound at
/// `$param`, with `columns` (the elements' keys) as typed columns: write `… SELECT x.a, x.b
/// FROM x`. SQLite turns each element into binary JSON once (`MATERIALIZED`: reading many keys
/// straight off `json_each` parses the text again for every key); PostgreSQL reads the text
/// once with `json_to_recordset`.
pub fn json_rows(backend: Backend, param: usize, columns: &[(&str, Col)]) -> String {
    let list = |f: &dyn Fn(&str, Col) -> String| {
        columns
            .iter()
            .map(|(name, col)| f(name, *col))
            .collect::<Vec<_>>()
            .join(", ")
    };
    match backend {
        Backend::Sqlite => format!(
            "WITH r AS MATERIALIZED (SELECT jsonb(value) AS v FROM json_each(${param})), \
             x AS (SELECT {} FROM r) ",
            list(&|name, _| format!("v ->> '{name}' AS {name}"))
        ),
        Backend::Postgres => format!(
            "WITH x AS (SELECT * FROM json_to_recordset(${param}::json) AS j({})) ",
            list(&|name, col| format!(
                "{name} {}",
                match col {
                    Col::Text => "text",
                    Col::Int => "bigint",
                }
            ))
        ),
    }
}

/// A condition that every word of the search text at `$param` (see `full_text_query`)
/// prefix-matches a word of the item. SQLite: the FTS5 table `items_fts`; PostgreSQL: the
/// `search_tsv` GIN index.
pub fn full_text_match(backend: Backend, param: usize) -> String {
    match backend {
        Backend::Sqlite => {
            format!("rowid IN (SELECT rowid FROM items_fts WHERE items_fts MATCH ${param})")
        }
        Backend::Postgres => format!("search_tsv @@ to_tsquery('simple', ${param})"),
    }
}

/// The search text for `full_text_match` from words already tokenised like the index.
pub fn full_text_query(backend: Backend, tokens: &[String]) -> String {
    let (each, join): (fn(&String) -> String, &str) = match backend {
        Backend::Sqlite => (|t| format!("\"{t}\"*"), " "),
        Backend::Postgres => (|t| format!("{t}:*"), " & "),
    };
    tokens.iter().map(each).collect::<Vec<_>>().join(join)
}

/// Appended to a `SELECT` inside a write transaction: locks the rows read until it ends
/// (PostgreSQL). SQLite needs nothing: a write transaction (`BEGIN IMMEDIATE`) already keeps
/// every other writer out.
pub fn for_update(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE",
    }
}

/// Appended to the `SELECT` that picks rows to claim: rows another worker locked are skipped
/// instead of waited for (PostgreSQL). SQLite's claim runs alone in its write transaction.
pub fn skip_locked(backend: Backend) -> &'static str {
    match backend {
        Backend::Sqlite => "",
        Backend::Postgres => " FOR UPDATE SKIP LOCKED",
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn json_rows_name_the_same_columns_on_both_backends() {
        let cols = [("id", Col::Text), ("units", Col::Int)];
        let lite = json_rows(Backend::Sqlite, 2, &cols);
        assert!(
            lite.contains("json_each($2)") && lite.contains("v ->> 'units' AS units"),
            "{lite}"
        );
        let pg = json_rows(Backend::Postgres, 2, &cols);
        assert!(
            pg.contains("json_to_recordset($2::json)") && pg.contains("units bigint"),
            "{pg}"
        );
        assert!(lite.trim_end().ends_with("FROM r)") && pg.contains("WITH x AS"));
    }

    #[test]
    fn search_words_prefix_match() {
        let words = ["air".to_string(), "max".to_string()];
        assert_eq!(
            full_text_query(Backend::Sqlite, &words),
            "\"air\"* \"max\"*"
        );
        assert_eq!(full_text_query(Backend::Postgres, &words), "air:* & max:*");
    }
}
