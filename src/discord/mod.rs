//! Discord: log in and sign up with Discord (OAuth2 with PKCE), link and unlink it from the
//! account page, guild membership with roles that follow the plan (jobs, and a reconciler for
//! drift), and a bot resellers talk to over HTTP interactions. Off — every control hidden —
//! unless the `DISCORD_*` variables are set. Calls go through `server::discord`.

pub mod api;
mod page;
pub mod types;

#[cfg(feature = "ssr")]
pub mod interactions;
#[cfg(feature = "ssr")]
pub mod login;
#[cfg(feature = "ssr")]
mod rest;
#[cfg(feature = "ssr")]
pub mod roles;
#[cfg(feature = "ssr")]
pub mod service;
#[cfg(feature = "ssr")]
mod signup;

pub use page::{AccountPage, DiscordEntryPanel, DiscordProblem, DiscordSignupPage};

/// What Discord plugs into the server: the OAuth routes, the interactions endpoint, the role
/// job and its reconciler.
#[cfg(feature = "ssr")]
pub fn plug(p: &mut crate::server::plugins::Plugins) {
    p.routes.push(rest::routes);
    p.jobs
        .register::<roles::SyncMember>()
        .every_round(roles::reconcile_round);
}
