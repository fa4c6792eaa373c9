//! Server functions of the channels page and the item page's "Listed on".

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{ChannelOffer, ChannelRow, CheckReport, Finding};
use crate::{domain::channels::ChannelInput, error::AppError};

/// A channel just added; a connected channel's secret is in it this once.
#[derive(Debug, Clone, PartialEq, serde::Serialize, serde::Deserialize)]
pub struct AddedChannel {
    pub id: String,
    pub secret: Option<String>,
}

#[server(endpoint = "channels/list", input = Json, output = crate::wire::Json)]
pub async fn list_channels() -> Result<Vec<ChannelRow>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::channels_of(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "channels/add", input = Json, output = crate::wire::Json)]
pub async fn add_channel(input: ChannelInput) -> Result<AddedChannel, AppError> {
    use crate::{
        domain::channels::validate_channel,
        server::{errors::respond, outbound::Policy},
    };
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        let draft = validate_channel(&input).map_err(AppError::validation)?;
        let policy = Policy::for_settings(&state.settings);
        let added =
            super::service::add_channel(&state.db, &state.secret, policy, &user.id, &draft).await?;
        Ok(AddedChannel {
            id: added.id,
            secret: added.secret,
        })
    })
    .await
}

/// Where an item is offered.
#[server(endpoint = "channels/offers", input = Json, output = crate::wire::Json)]
pub async fn item_offers(item_id: String) -> Result<Vec<ChannelOffer>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::offers::offers_of(&state.db, &user.id, &item_id).await
    })
    .await
}

#[server(endpoint = "channels/offer", input = Json, output = crate::wire::Json)]
pub async fn offer_item(
    channel_id: String,
    item_id: String,
    price: String,
    url: String,
) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::offers::offer(
            &state.db,
            &user.id,
            &channel_id,
            &item_id,
            &price,
            Some(&url),
        )
        .await?;
        state.jobs_ready.notify_one();
        Ok(())
    })
    .await
}

#[server(endpoint = "channels/withdraw", input = Json, output = crate::wire::Json)]
pub async fn withdraw_offer(channel_id: String, item_id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::offers::withdraw(&state.db, &user.id, &channel_id, &item_id).await?;
        state.jobs_ready.notify_one();
        Ok(())
    })
    .await
}

/// "Check now": the channel's state compared with Flipdesk's at once.
#[server(endpoint = "channels/check", input = Json, output = crate::wire::Json)]
pub async fn check_channel(channel_id: String) -> Result<CheckReport, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::reconcile::check_now(&state, &user.id, &channel_id).await
    })
    .await
}

/// What the reconciler found that needs the reseller, then what it repaired.
#[server(endpoint = "channels/findings", input = Json, output = crate::wire::Json)]
pub async fn channel_findings() -> Result<Vec<Finding>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::reconcile::findings_of(&state.db, &user.id).await
    })
    .await
}

#[server(endpoint = "channels/resolve_finding", input = Json, output = crate::wire::Json)]
pub async fn resolve_finding(id: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::reconcile::resolve_finding(&state.db, &user.id, &id).await
    })
    .await
}
