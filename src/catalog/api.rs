//! Server functions of the catalog.

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{EnrichRun, Suggestion};
use crate::error::AppError;

/// Catalog products for a text as it is typed (the last word may be unfinished), best first.
#[server(endpoint = "catalog/suggest", input = Json, output = crate::wire::Json)]
pub async fn suggest_products(text: String) -> Result<Vec<Suggestion>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        // A product's text is short; a longer one is cut, not refused, as it is typed.
        let text: String = text.chars().take(200).collect();
        if text.trim().chars().count() < 2 {
            return Ok(Vec::new());
        }
        let index = state
            .part::<super::resolve::SharedIndex>()
            .current(&state.db)
            .await?;
        let mut offered = super::resolve::suggest(&index, &text);
        // The reseller's own pick for this text comes first.
        let texts = [text];
        let chosen = super::choices::chosen(&state.db, &user.id, &texts).await?;
        if let Some(id) = chosen.get(&texts[0]) {
            offered.retain(|s| &s.product_id != id);
            if let Some(p) = super::store::products_by_ids(&state.db, std::slice::from_ref(id))
                .await?
                .first()
            {
                offered.insert(0, super::resolve::suggestion(p, 1.0));
                offered.truncate(5);
            }
        }
        Ok(offered)
    })
    .await
}

/// The whole cascade for a text (local catalog, then the providers that are configured), for
/// when the type-ahead found nothing: the product, or candidates to choose from. Provider
/// answers join the catalog, so the next search finds them locally.
#[server(endpoint = "catalog/lookup", input = Json, output = crate::wire::Json)]
pub async fn lookup_product(text: String) -> Result<Vec<Suggestion>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let text: String = text.chars().take(200).collect();
        if text.trim().chars().count() < 2 {
            return Ok(Vec::new());
        }
        let lookup = state.part::<super::resolve::Lookup>();
        if lookup.per_user.check_key(&user.id).is_err() {
            return Err(AppError::RateLimited {
                retry_after_secs: 10,
            });
        }
        let providers = lookup.providers(&state.settings, &state.clock);
        Ok(super::resolve::lookup_suggestions(
            &state.db,
            state.part::<super::resolve::SharedIndex>(),
            lookup,
            providers,
            state.clock.now(),
            &text,
        )
        .await?)
    })
    .await
}

/// The products a batch of texts names confidently (the import's rows after "Check rows"), in
/// order; `None` where no product is confident. Local catalog only: a file's rows never cost
/// provider calls one by one.
#[server(endpoint = "catalog/match", input = Json, output = crate::wire::Json)]
pub async fn match_products(texts: Vec<String>) -> Result<Vec<Option<(String, String)>>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        if texts.len() > MATCH_BATCH {
            return Err(AppError::field(
                "texts",
                format!("At most {MATCH_BATCH} texts at a time."),
            ));
        }
        let index = state
            .part::<super::resolve::SharedIndex>()
            .current(&state.db)
            .await?;
        let texts: Vec<String> = texts
            .iter()
            .map(|t| t.chars().take(300).collect())
            .collect();
        // The reseller's own picks answer first.
        let chosen = super::choices::chosen(&state.db, &user.id, &texts).await?;
        let mut ids: Vec<String> = chosen.values().cloned().collect();
        ids.sort();
        ids.dedup();
        let names: std::collections::HashMap<String, String> =
            super::store::products_by_ids(&state.db, &ids)
                .await?
                .into_iter()
                .map(|p| (p.id, p.name))
                .collect();
        Ok(texts
            .iter()
            .map(|text| {
                if let Some((id, name)) = chosen
                    .get(text)
                    .and_then(|id| Some((id.clone(), names.get(id)?.clone())))
                {
                    return Some((id, name));
                }
                let answer = super::resolve::local(&index, text);
                answer.product_id.zip(answer.name)
            })
            .collect())
    })
    .await
}

/// Texts per `catalog/match` call.
pub const MATCH_BATCH: usize = 500;

/// "Enrich all": starts linking the reseller's items to catalog products (or answers the run
/// already going).
#[server(endpoint = "catalog/enrich_start", input = Json, output = crate::wire::Json)]
pub async fn start_enrich() -> Result<EnrichRun, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::enrich::start(&state, &user.id).await
    })
    .await
}

/// The reseller's latest "Enrich all" run, for its progress bar.
#[server(endpoint = "catalog/enrich_status", input = Json, output = crate::wire::Json)]
pub async fn enrich_status() -> Result<Option<EnrichRun>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::enrich::latest(&state.db, &user.id).await
    })
    .await
}
