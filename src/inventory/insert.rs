//! Writing new items, one or a thousand at a time, in one statement: the rows go to the
//! database as one JSON array (`dialect::json_rows`) rather than as 19 bound values each —
//! binding was most of the cost of an import batch.

use serde::Serialize;
use time::OffsetDateTime;

use super::service::{encode_tags, search_text};
use crate::{
    domain::item::{ItemDraft, ItemStatus},
    error::AppError,
    server::{
        db::{Backend, new_id},
        dialect::{self, Col},
    },
};

/// A new item row. Owner, status, time and import are shared by every row of one insert and
/// bound once; the rest travels in the JSON array.
#[derive(Serialize)]
pub(crate) struct NewItemRow {
    pub id: String,
    #[serde(skip)]
    owner: String,
    #[serde(skip)]
    status: &'static str,
    #[serde(skip)]
    now: OffsetDateTime,
    #[serde(skip)]
    import_id: Option<String>,
    kind: &'static str,
    name: String,
    sku: Option<String>,
    quantity: i64,
    price: i64,
    currency: &'static str,
    purchase_date: Option<String>,
    purchase_source: Option<String>,
    storage_location: Option<String>,
    tags: String,
    notes: Option<String>,
    images: String,
    details: String,
    style_id: Option<String>,
    size: Option<String>,
    card_set: Option<String>,
    grade: Option<String>,
    search_text: String,
    brand: Option<String>,
    catalog_product_id: Option<String>,
    /// The local day it joins the stock, and what that adds to the worth ledger (a new item
    /// has no market price yet: it is worth its cost).
    pub acquired_on: String,
    pub acq_cost: i64,
    pub acq_units: i64,
}

impl NewItemRow {
    pub(crate) fn new(
        draft: &ItemDraft,
        owner: &str,
        status: ItemStatus,
        import_id: Option<&str>,
        now: OffsetDateTime,
        today: &str,
    ) -> Result<NewItemRow, AppError> {
        let acq_cost = draft
            .purchase_price
            .amount
            .checked_mul(draft.quantity)
            .ok_or_else(|| AppError::field("purchase_price", "That price is too large."))?;
        let details = serde_json::to_string(&draft.details)
            .map_err(|e| crate::server::errors::internal("encoding details", e))?;
        let images = serde_json::to_string(&draft.image_urls)
            .map_err(|e| crate::server::errors::internal("encoding images", e))?;
        Ok(NewItemRow {
            id: new_id(),
            owner: owner.to_string(),
            status: status.as_str(),
            now,
            import_id: import_id.map(str::to_string),
            kind: draft.kind.as_str(),
            name: draft.name.clone(),
            sku: draft.sku.clone(),
            quantity: draft.quantity,
            price: draft.purchase_price.amount,
            currency: draft.purchase_price.currency.code(),
            purchase_date: draft.purchase_date.clone(),
            purchase_source: draft.purchase_source.clone(),
            storage_location: draft.storage_location.clone(),
            tags: encode_tags(&draft.tags),
            notes: draft.notes.clone(),
            images,
            details,
            style_id: draft.details.style_id.clone(),
            size: draft.details.size.clone(),
            card_set: draft.details.card_set.clone(),
            grade: draft.details.grade.clone(),
            search_text: search_text(draft),
            brand: draft.details.brand.clone(),
            catalog_product_id: draft.catalog_product_id.clone(),
            acquired_on: draft
                .purchase_date
                .clone()
                .unwrap_or_else(|| today.to_string()),
            acq_cost,
            acq_units: draft.quantity,
        })
    }
}

const COLUMNS: &str = "id, owner_user_id, kind, status, name, sku, quantity, purchase_price, currency, purchase_date, \
    purchase_source, storage_location, tags, notes, image_urls, details, style_id, size, card_set, grade, search_text, \
    version, created_at, updated_at, import_id, brand, acquired_on, acq_cost, acq_market, acq_units, catalog_product_id";

/// The rows' JSON keys: text, but for the amounts and counts.
const JSON_COLUMNS: [(&str, Col); 24] = [
    ("id", Col::Text),
    ("kind", Col::Text),
    ("name", Col::Text),
    ("sku", Col::Text),
    ("quantity", Col::Int),
    ("price", Col::Int),
    ("currency", Col::Text),
    ("purchase_date", Col::Text),
    ("purchase_source", Col::Text),
    ("storage_location", Col::Text),
    ("tags", Col::Text),
    ("notes", Col::Text),
    ("images", Col::Text),
    ("details", Col::Text),
    ("style_id", Col::Text),
    ("size", Col::Text),
    ("card_set", Col::Text),
    ("grade", Col::Text),
    ("search_text", Col::Text),
    ("brand", Col::Text),
    ("catalog_product_id", Col::Text),
    ("acquired_on", Col::Text),
    ("acq_cost", Col::Int),
    ("acq_units", Col::Int),
];

/// `INSERT … SELECT` of the rows bound as JSON at `$5` (owner `$1`, status `$2`, time `$3`,
/// import `$4`), made once per backend.
fn insert_sql(backend: Backend) -> &'static str {
    fn make(backend: Backend) -> String {
        format!(
            "INSERT INTO items ({COLUMNS}) {}SELECT x.id, $1, x.kind, $2, x.name, x.sku, x.quantity, x.price, \
             x.currency, x.purchase_date, x.purchase_source, x.storage_location, x.tags, x.notes, x.images, \
             x.details, x.style_id, x.size, x.card_set, x.grade, x.search_text, 1, $3, $3, $4, x.brand, \
             x.acquired_on, x.acq_cost, x.acq_cost, x.acq_units, \
             (SELECT c.id FROM catalog_products c WHERE c.id = x.catalog_product_id) FROM x",
            dialect::json_rows(backend, 5, &JSON_COLUMNS)
        )
    }
    static SQL: dialect::PerBackend = dialect::PerBackend::new(make);
    SQL.sql(backend)
}

/// What new rows add to the worth ledger, per currency and day.
pub(crate) fn acquisitions(rows: &[NewItemRow]) -> crate::analytics::ledger::Changes {
    let mut changes = crate::analytics::ledger::Changes::default();
    for r in rows {
        let mut d = crate::analytics::ledger::Delta::held(r.acq_cost, r.acq_cost, r.acq_units);
        d.items_in = 1;
        changes.add(r.currency, &r.acquired_on, d);
    }
    changes
}

/// One INSERT for rows that share owner, status, time and import.
pub(crate) struct Insert<'a> {
    sql: &'static str,
    first: &'a NewItemRow,
    json: String,
}

impl<'a> Insert<'a> {
    pub(crate) fn new(backend: Backend, rows: &'a [NewItemRow]) -> Result<Insert<'a>, AppError> {
        let first = rows
            .first()
            .ok_or_else(|| crate::server::errors::internal("inserting items", "no rows"))?;
        let json = serde_json::to_string(rows)
            .map_err(|e| crate::server::errors::internal("encoding items", e))?;
        Ok(Insert {
            sql: insert_sql(backend),
            first,
            json,
        })
    }

    /// The statement, ready to run in a write transaction of either backend.
    pub(crate) fn sql(&self) -> crate::server::store::Sql<'_> {
        crate::server::store::sql(self.sql)
            .bind(self.first.owner.as_str())
            .bind(self.first.status)
            .bind(self.first.now)
            .bind(self.first.import_id.as_deref())
            .bind(self.json.as_str())
    }
}
