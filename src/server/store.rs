//! The one way to write: a write transaction is a [`Tx`] opened with `begin_write` (on SQLite
//! it first takes this process's fair write turn, then `BEGIN IMMEDIATE`), and code that runs
//! inside one is written once, generic over `DB: Store`:
//!
//! ```ignore
//! async fn mark_shipped<DB: Store>(tx: &mut Tx<DB>, id: &str) -> sqlx::Result<u64> {
//!     sql("UPDATE items SET status = 'shipped' WHERE id = $1").bind(id).execute(tx).await
//! }
//! ```
//!
//! Values are bound through [`Value`] and rows decode for both backends ([`Row`], [`Scalar`]),
//! so a generic function needs no list of sqlx bounds. `with_db!` only picks the pool.

use std::{borrow::Cow, future::Future};

use sqlx::{
    Arguments, FromRow, Pool, Postgres, Sqlite, Transaction, postgres::PgRow, sqlite::SqliteRow,
};
use time::OffsetDateTime;
use tokio::sync::OwnedSemaphorePermit;

use super::db::{Backend, sqlite_write_turn};

/// A value bound to a statement, typed the same way on both databases.
#[derive(Debug, Clone, PartialEq)]
pub enum Value<'q> {
    Int(Option<i64>),
    Text(Option<Cow<'q, str>>),
    Bool(Option<bool>),
    Time(Option<OffsetDateTime>),
}

macro_rules! value_from {
    ($($t:ty => |$v:ident| $e:expr),* $(,)?) => {
        $(impl<'q> From<$t> for Value<'q> {
            fn from($v: $t) -> Value<'q> { $e }
        })*
    };
}

value_from! {
    i64 => |v| Value::Int(Some(v)),
    Option<i64> => |v| Value::Int(v),
    i32 => |v| Value::Int(Some(i64::from(v))),
    bool => |v| Value::Bool(Some(v)),
    Option<bool> => |v| Value::Bool(v),
    OffsetDateTime => |v| Value::Time(Some(v)),
    Option<OffsetDateTime> => |v| Value::Time(v),
    String => |v| Value::Text(Some(Cow::Owned(v))),
    Option<String> => |v| Value::Text(v.map(Cow::Owned)),
}

impl<'q> From<&'q str> for Value<'q> {
    fn from(v: &'q str) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(v)))
    }
}

impl<'q> From<&'q String> for Value<'q> {
    fn from(v: &'q String) -> Value<'q> {
        Value::Text(Some(Cow::Borrowed(v.as_str())))
    }
}

impl<'q> From<Option<&'q str>> for Value<'q> {
    fn from(v: Option<&'q str>) -> Value<'q> {
        Value::Text(v.map(Cow::Borrowed))
    }
}

impl<'q> From<&'q Option<String>> for Value<'q> {
    fn from(v: &'q Option<String>) -> Value<'q> {
        Value::Text(v.as_deref().map(Cow::Borrowed))
    }
}

/// A row type that decodes from either database's rows.
pub trait Row:
    for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}
impl<R> Row for R where
    R: for<'r> FromRow<'r, SqliteRow> + for<'r> FromRow<'r, PgRow> + Send + Unpin + 'static
{
}

/// A single column's type that decodes from either database.
pub trait Scalar:
    for<'r> sqlx::Decode<'r, Sqlite>
    + sqlx::Type<Sqlite>
    + for<'r> sqlx::Decode<'r, Postgres>
    + sqlx::Type<Postgres>
    + Send
    + Unpin
    + 'static
{
}
impl<T> Scalar for T where
    T: for<'r> sqlx::Decode<'r, Sqlite>
        + sqlx::Type<Sqlite>
        + for<'r> sqlx::Decode<'r, Postgres>
        + sqlx::Type<Postgres>
        + Send
        + Unpin
        + 'static
{
}

/// A statement with its values, run on a [`Tx`] of either database.
#[derive(Debug, Clone)]
#[must_use = "a statement does nothing until it is run"]
pub struct Sql<'q> {
    text: Cow<'q, str>,
    values: Vec<Value<'q>>,
}

/// A statement in portable SQL (`$1`, `$2`… placeholders).
pub fn sql<'q>(text: impl Into<Cow<'q, str>>) -> Sql<'q> {
    Sql {
        text: text.into(),
        values: Vec::new(),
    }
}

impl<'q> Sql<'q> {
    pub fn bind(mut self, value: impl Into<Value<'q>>) -> Self {
        self.values.push(value.into());
        self
    }

    /// Binds each of `values` in order (for the placeholders of [`placeholders`]).
    pub fn bind_all<V: Into<Value<'q>>>(mut self, values: impl IntoIterator<Item = V>) -> Self {
        self.values.extend(values.into_iter().map(Into::into));
        self
    }

    /// How many values are bound so far: the next placeholder is `$(bound + 1)`.
    pub fn bound(&self) -> usize {
        self.values.len()
    }

    /// Runs one write on its own, outside any transaction (after the write turn on SQLite): a
    /// single-statement change costs one trip to the database instead of three.
    pub async fn write_alone<DB: Store>(self, pool: &Pool<DB>) -> sqlx::Result<u64> {
        DB::write_alone(pool, self).await
    }

    /// Runs the statement; the number of rows it changed.
    pub async fn execute<DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<u64> {
        DB::execute(&mut tx.inner, self).await
    }

    pub async fn fetch_all<R: Row, DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<Vec<R>> {
        DB::fetch_all(&mut tx.inner, self).await
    }

    pub async fn fetch_optional<R: Row, DB: Store>(
        self,
        tx: &mut Tx<DB>,
    ) -> sqlx::Result<Option<R>> {
        DB::fetch_optional(&mut tx.inner, self).await
    }

    pub async fn fetch_one<R: Row, DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<R> {
        self.fetch_optional(tx)
            .await?
            .ok_or(sqlx::Error::RowNotFound)
    }

    /// The first column of the one row.
    pub async fn scalar<T: Scalar, DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<T> {
        Ok(self.fetch_one::<(T,), DB>(tx).await?.0)
    }

    /// The first column of every row.
    pub async fn scalars<T: Scalar, DB: Store>(self, tx: &mut Tx<DB>) -> sqlx::Result<Vec<T>> {
        let rows = self.fetch_all::<(T,), DB>(tx).await?;
        Ok(rows.into_iter().map(|(v,)| v).collect())
    }
}

/// The values as one backend's arguments.
fn arguments<'q, DB: sqlx::Database>(
    values: Vec<Value<'q>>,
) -> Result<DB::Arguments<'q>, sqlx::error::BoxDynError>
where
    Option<i64>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<Cow<'q, str>>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<bool>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
    Option<OffsetDateTime>: sqlx::Encode<'q, DB> + sqlx::Type<DB>,
{
    let mut args = DB::Arguments::default();
    for value in values {
        match value {
            Value::Int(v) => args.add(v)?,
            Value::Text(v) => args.add(v)?,
            Value::Bool(v) => args.add(v)?,
            Value::Time(v) => args.add(v)?,
        }
    }
    Ok(args)
}

/// `($1, $2, …)` with each value bound: how a list for `IN` is written on a pool of a known
/// backend (sqlx's `QueryBuilder` numbers the placeholders).
pub fn push_list<'a, DB, T>(
    query: &mut sqlx::QueryBuilder<'a, DB>,
    values: impl IntoIterator<Item = T>,
) where
    DB: sqlx::Database,
    T: 'a + sqlx::Encode<'a, DB> + sqlx::Type<DB>,
{
    let mut list = query.separated(", ");
    list.push_unseparated("(");
    for value in values {
        list.push_bind(value);
    }
    list.push_unseparated(")");
}

/// `$first, $first+1, …` for `count` values (an `IN (…)` list in `sql()` text, whose backend
/// is generic); bind them with `bind_all`.
pub fn placeholders(first: usize, count: usize) -> String {
    let mut out = String::with_capacity(count * 4);
    for n in first..first + count {
        if n > first {
            out.push_str(", ");
        }
        out.push('$');
        out.push_str(&n.to_string());
    }
    out
}

/// A write transaction. On SQLite it holds this process's write turn until it ends.
pub struct Tx<DB: sqlx::Database> {
    inner: Transaction<'static, DB>,
    _turn: Option<OwnedSemaphorePermit>,
}

impl<DB: sqlx::Database> Tx<DB> {
    pub async fn commit(self) -> sqlx::Result<()> {
        self.inner.commit().await
    }

    pub async fn rollback(self) -> sqlx::Result<()> {
        self.inner.rollback().await
    }
}

/// `&mut *tx` is the connection, as with sqlx's own transactions (for `with_db!` code that
/// runs sqlx queries directly).
impl<DB: sqlx::Database> std::ops::Deref for Tx<DB> {
    type Target = DB::Connection;
    fn deref(&self) -> &DB::Connection {
        &self.inner
    }
}

impl<DB: sqlx::Database> std::ops::DerefMut for Tx<DB> {
    fn deref_mut(&mut self) -> &mut DB::Connection {
        &mut self.inner
    }
}

/// Opens a write transaction on this pool.
pub trait BeginWrite {
    type Database: Store;
    fn begin_write(&self) -> impl Future<Output = sqlx::Result<Tx<Self::Database>>> + Send;
}

impl<DB: Store> BeginWrite for Pool<DB> {
    type Database = DB;
    fn begin_write(&self) -> impl Future<Output = sqlx::Result<Tx<DB>>> + Send {
        DB::begin_write(self)
    }
}

/// A database Flipdesk runs on: how it opens write transactions and runs [`Sql`].
pub trait Store: sqlx::Database + Sized {
    const BACKEND: Backend;

    fn begin_write(pool: &Pool<Self>) -> impl Future<Output = sqlx::Result<Tx<Self>>> + Send;

    /// One statement in autocommit, taking the write turn like a transaction would.
    fn write_alone<'a>(
        pool: &'a Pool<Self>,
        q: Sql<'a>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send + 'a;

    fn execute<'a>(
        conn: &'a mut Transaction<'static, Self>,
        q: Sql<'a>,
    ) -> impl Future<Output = sqlx::Result<u64>> + Send + 'a;

    fn fetch_all<'a, R: Row>(
        conn: &'a mut Transaction<'static, Self>,
        q: Sql<'a>,
    ) -> impl Future<Output = sqlx::Result<Vec<R>>> + Send + 'a;

    fn fetch_optional<'a, R: Row>(
        conn: &'a mut Transaction<'static, Self>,
        q: Sql<'a>,
    ) -> impl Future<Output = sqlx::Result<Option<R>>> + Send + 'a;
}

/// The statements of one backend: its arguments, then sqlx's own query on the transaction.
macro_rules! statements {
    ($db:ty) => {
        async fn execute<'a>(
            conn: &'a mut Transaction<'static, $db>,
            q: Sql<'a>,
        ) -> sqlx::Result<u64> {
            let args = arguments::<$db>(q.values).map_err(sqlx::Error::Encode)?;
            let done = sqlx::query_with(&q.text, args).execute(&mut **conn).await?;
            Ok(done.rows_affected())
        }

        async fn fetch_all<'a, R: Row>(
            conn: &'a mut Transaction<'static, $db>,
            q: Sql<'a>,
        ) -> sqlx::Result<Vec<R>> {
            let args = arguments::<$db>(q.values).map_err(sqlx::Error::Encode)?;
            sqlx::query_as_with(&q.text, args)
                .fetch_all(&mut **conn)
                .await
        }

        async fn fetch_optional<'a, R: Row>(
            conn: &'a mut Transaction<'static, $db>,
            q: Sql<'a>,
        ) -> sqlx::Result<Option<R>> {
            let args = arguments::<$db>(q.values).map_err(sqlx::Error::Encode)?;
            sqlx::query_as_with(&q.text, args)
                .fetch_optional(&mut **conn)
                .await
        }
    };
}

impl Store for Sqlite {
    const BACKEND: Backend = Backend::Sqlite;

    async fn begin_write(pool: &Pool<Sqlite>) -> sqlx::Result<Tx<Sqlite>> {
        let turn = sqlite_write_turn(pool).await;
        let inner = pool.begin_with("BEGIN IMMEDIATE").await?;
        Ok(Tx {
            inner,
            _turn: Some(turn),
        })
    }

    async fn write_alone<'a>(pool: &'a Pool<Sqlite>, q: Sql<'a>) -> sqlx::Result<u64> {
        let _turn = sqlite_write_turn(pool).await;
        let args = arguments::<Sqlite>(q.values).map_err(sqlx::Error::Encode)?;
        let done = sqlx::query_with(&q.text, args).execute(pool).await?;
        Ok(done.rows_affected())
    }

    statements!(Sqlite);
}

impl Store for Postgres {
    const BACKEND: Backend = Backend::Postgres;

    async fn begin_write(pool: &Pool<Postgres>) -> sqlx::Result<Tx<Postgres>> {
        Ok(Tx {
            inner: pool.begin().await?,
            _turn: None,
        })
    }

    async fn write_alone<'a>(pool: &'a Pool<Postgres>, q: Sql<'a>) -> sqlx::Result<u64> {
        let args = arguments::<Postgres>(q.values).map_err(sqlx::Error::Encode)?;
        let done = sqlx::query_with(&q.text, args).execute(pool).await?;
        Ok(done.rows_affected())
    }

    statements!(Postgres);
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn placeholder_lists_number_on_from_the_first() {
        assert_eq!(placeholders(3, 3), "$3, $4, $5");
        assert_eq!(placeholders(1, 1), "$1");
        assert_eq!(placeholders(2, 0), "");
    }

    #[test]
    fn values_keep_their_type_when_null() {
        assert_eq!(Value::from(None::<&str>), Value::Text(None));
        assert_eq!(Value::from(None::<i64>), Value::Int(None));
        let s = sql("SELECT $1, $2").bind("a").bind(2_i64);
        assert_eq!(s.bound(), 2);
    }
}
