//! Server functions of the contact page (public) and the store's inquiries page (owner).

use leptos::prelude::*;
use leptos::server_fn::codec::Json;

use super::types::{ContactForm, InquiryView};
use crate::{
    domain::inquiry::{InquiryInput, InquiryStatus},
    error::AppError,
};

#[server(endpoint = "storefront/contact-form", input = Json, output = crate::wire::Json)]
pub async fn open_contact_form(
    store: String,
    listing: Option<String>,
) -> Result<ContactForm, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let state = crate::server::request::state()?;
        super::service::contact_form(&state, &store, listing).await
    })
    .await
}

/// A shopper asks a store a question (no account needed).
#[server(endpoint = "storefront/inquiry", input = Json, output = crate::wire::Json)]
pub async fn send_inquiry(store: String, input: InquiryInput) -> Result<(), AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let ip = request::client_ip().await;
        super::service::submit(&state, &store, &input, ip).await
    })
    .await
}

#[server(endpoint = "inquiries/list", input = Json, output = crate::wire::Json)]
pub async fn list_inquiries(status: InquiryStatus) -> Result<Vec<InquiryView>, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::list(&state.db, &user.id, status).await
    })
    .await
}

#[server(endpoint = "inquiries/answer", input = Json, output = crate::wire::Json)]
pub async fn answer_inquiry(id: String, reply: String) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::answer(&state, &user.id, &id, &reply).await
    })
    .await
}

#[server(endpoint = "inquiries/status", input = Json, output = crate::wire::Json)]
pub async fn set_inquiry_status(id: String, status: InquiryStatus) -> Result<(), AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::set_status(&state.db, &user.id, &id, status).await
    })
    .await
}
