//! What a server function needs from its request: state, session, client address (the
//! signed-in user comes from `auth::require_user`).

use axum::extract::ConnectInfo;
use std::net::{IpAddr, Ipv4Addr, SocketAddr};
use tower_sessions::Session;

use super::{errors::internal, state::AppState};
use crate::error::AppError;

pub fn state() -> Result<AppState, AppError> {
    AppState::get()
}

pub async fn session() -> Result<Session, AppError> {
    leptos_axum::extract::<Session>()
        .await
        .map_err(|e| internal("session layer missing", e))
}

/// The peer address of the connection (the key for per-IP limits).
pub async fn client_ip() -> IpAddr {
    leptos_axum::extract::<ConnectInfo<SocketAddr>>()
        .await
        .map(|ConnectInfo(addr)| addr.ip())
        .unwrap_or(IpAddr::V4(Ipv4Addr::UNSPECIFIED))
}

/// The token of an `Authorization: Bearer <token>` header (API keys, channel secrets).
pub fn bearer_token(headers: &axum::http::HeaderMap) -> Option<&str> {
    headers
        .get(axum::http::header::AUTHORIZATION)
        .and_then(|v| v.to_str().ok())
        .and_then(|v| v.strip_prefix("Bearer "))
        .map(str::trim)
}
