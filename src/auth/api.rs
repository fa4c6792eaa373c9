//! Server functions for accounts: thin — read the request, call the service, map errors.

use leptos::prelude::*;

use super::AccountSummary;
use crate::error::AppError;

#[server(endpoint = "auth/signup", output = crate::wire::Json)]
pub async fn signup(
    email: String,
    password: String,
    store_name: String,
    store_slug: String,
    /// The code of the referral link the reseller came through.
    #[server(default)]
    referral: Option<String>,
) -> Result<AccountSummary, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let session = request::session().await?;
        let ip = request::client_ip().await;
        let user = super::service::sign_up(
            &state,
            &session,
            ip,
            super::service::SignupRequest {
                email: &email,
                password: &password,
                store_name: &store_name,
                store_slug: &store_slug,
                referral: referral.as_deref(),
            },
        )
        .await?;
        super::service::account_summary(&state.db, &state.settings, &user).await
    })
    .await
}

#[server(endpoint = "auth/login", output = crate::wire::Json)]
pub async fn login(email: String, password: String) -> Result<AccountSummary, AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let session = request::session().await?;
        let ip = request::client_ip().await;
        let user = super::service::log_in(&state, &session, ip, &email, &password).await?;
        // A Discord account that came back with this email waits for this password log-in.
        crate::discord::login::complete_pending_link(&state, &session, &user.id, &user.email).await;
        super::service::account_summary(&state.db, &state.settings, &user).await
    })
    .await
}

#[server(endpoint = "auth/logout", output = crate::wire::Json)]
pub async fn logout() -> Result<(), AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let session = request::session().await?;
        super::service::log_out(&session).await
    })
    .await
}

/// The signed-in account with its store and lists; `Unauthorized` when nobody is signed in.
#[server(endpoint = "auth/me", output = crate::wire::Json)]
pub async fn current_account() -> Result<AccountSummary, AppError> {
    use crate::server::errors::respond;
    respond(async move {
        let (state, user) = crate::auth::service::require_user().await?;
        super::service::account_summary(&state.db, &state.settings, &user).await
    })
    .await
}

/// Mails a password reset link; the same answer whether or not the address has an account.
#[server(endpoint = "auth/forgot", output = crate::wire::Json)]
pub async fn forgot_password(email: String) -> Result<(), AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let ip = request::client_ip().await;
        super::reset::request_reset(&state, ip, &email).await
    })
    .await
}

/// Sets a new password with the token of a reset link, and signs in.
#[server(endpoint = "auth/reset", output = crate::wire::Json)]
pub async fn reset_password(token: String, password: String) -> Result<(), AppError> {
    use crate::server::{errors::respond, request};
    respond(async move {
        let state = request::state()?;
        let session = request::session().await?;
        super::reset::reset_password(&state, &session, &token, &password)
            .await
            .map(|_| ())
    })
    .await
}
