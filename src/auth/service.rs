//! Accounts on the server: sign-up, log-in with limits, the signed-in user of a request.

use std::net::IpAddr;
use time::OffsetDateTime;
use tower_sessions::Session;

use super::{AccountSummary, ListSummary, StoreSummary};
use crate::server::store::sql;
use crate::{
    domain::{
        Email, Role,
        account::{self, SignupForm},
    },
    error::AppError,
    server::{
        crypto,
        db::{BeginWrite, Db, is_unique_violation, new_id},
        errors::internal,
        state::AppState,
    },
    with_db,
};

const SESSION_USER_KEY: &str = "user_id";
/// The account's session epoch when the session began (0 for sessions from before epochs).
const SESSION_EPOCH_KEY: &str = "epoch";

#[derive(Debug, Clone, sqlx::FromRow)]
pub struct UserRow {
    pub id: String,
    pub email: String,
    pub password_hash: String,
    pub role: Role,
    pub plan: String,
    /// Sessions started under another epoch are over (a password reset bumps it).
    pub session_epoch: i64,
}

/// A sign-up through a referral link.
pub struct Referred<'a> {
    pub code: &'a str,
    pub trial_days: u32,
}

/// The signed-in user behind a request.
#[derive(Debug, Clone)]
pub struct CurrentUser {
    pub id: String,
    pub email: String,
    pub role: Role,
}

pub(super) async fn hash_password(password: String) -> Result<String, AppError> {
    tokio::task::spawn_blocking(move || crypto::hash_password(&password))
        .await
        .map_err(|e| internal("password hashing task failed", e))?
        .map_err(|e| internal("password hashing failed", e))
}

async fn verify_password(password: String, hash: String) -> bool {
    tokio::task::spawn_blocking(move || crypto::verify_password(&password, &hash))
        .await
        .unwrap_or(false)
}

/// Creates the account, its store and the owner membership in one transaction.
pub async fn create_account(
    db: &Db,
    form: &SignupForm,
    password: &str,
    role: Role,
    ip: Option<IpAddr>,
    referral: Option<Referred<'_>>,
) -> Result<String, AppError> {
    let hash = hash_password(password.to_string()).await?;
    let user_id = new_id();
    let store_id = new_id();
    let now = OffsetDateTime::now_utc();
    let ip_text = ip.map(|ip| ip.to_string());
    let result: Result<(), sqlx::Error> = with_db!(db, pool => async {
        let mut tx = pool.begin_write().await?;
        sqlx::query("INSERT INTO users (id, email, password_hash, role, plan, time_zone, created_at, updated_at) VALUES ($1, $2, $3, $4, 'free', 'UTC', $5, $5)")
            .bind(&user_id).bind(form.email.as_str()).bind(&hash).bind(role.as_str()).bind(now)
            .execute(&mut *tx).await?;
        sqlx::query("INSERT INTO stores (id, slug, name, tagline, currency, created_at, updated_at) VALUES ($1, $2, $3, '', 'USD', $4, $4)")
            .bind(&store_id).bind(&form.store_slug).bind(&form.store_name).bind(now)
            .execute(&mut *tx).await?;
        sqlx::query("INSERT INTO store_members (store_id, user_id, role, created_at) VALUES ($1, $2, 'owner', $3)")
            .bind(&store_id).bind(&user_id).bind(now)
            .execute(&mut *tx).await?;
        sqlx::query("INSERT INTO audit_log (id, actor_user_id, action, subject, ip, created_at) VALUES ($1, $2, 'account.created', $3, $4, $5)")
            .bind(new_id()).bind(&user_id).bind(&user_id).bind(&ip_text).bind(now)
            .execute(&mut *tx).await?;
        if let Some(r) = &referral {
            // A link that gives no trial (unknown, the reseller's own, an address that had one)
            // still makes the account.
            if let Err(why) = crate::billing::referrals::on_signup_in(&mut tx, r.code, &user_id, form.email.as_str(), r.trial_days, now).await? {
                tracing::info!(reason = ?why, "referral gives no trial");
            }
        }
        tx.commit().await
    }.await);
    match result {
        Ok(()) => Ok(user_id),
        Err(err) if is_unique_violation(&err) => Err(duplicate_field_error(&err)),
        Err(err) => Err(err.into()),
    }
}

/// Creates a platform account without a store (ops/admin), for the CLI.
pub async fn create_staff_account(
    db: &Db,
    email: &Email,
    password: &str,
    role: Role,
) -> Result<String, AppError> {
    let hash = hash_password(password.to_string()).await?;
    let user_id = new_id();
    let now = OffsetDateTime::now_utc();
    let result = db.write(sql("INSERT INTO users (id, email, password_hash, role, plan, time_zone, created_at, updated_at) VALUES ($1, $2, $3, $4, 'free', 'UTC', $5, $5)")
        .bind(&user_id).bind(email.as_str()).bind(&hash).bind(role.as_str()).bind(now)
        ).await;
    match result {
        Ok(_) => Ok(user_id),
        Err(err) if is_unique_violation(&err) => Err(duplicate_field_error(&err)),
        Err(err) => Err(err.into()),
    }
}

fn duplicate_field_error(err: &sqlx::Error) -> AppError {
    let text = match err {
        sqlx::Error::Database(db) => {
            format!("{} {}", db.message(), db.constraint().unwrap_or_default())
        }
        other => other.to_string(),
    };
    if text.contains("slug") {
        AppError::field("store_slug", "That store address is taken; choose another.")
    } else {
        AppError::field(
            "email",
            "An account with this email already exists. Log in instead?",
        )
    }
}

/// What the sign-up form sends.
pub struct SignupRequest<'a> {
    pub email: &'a str,
    pub password: &'a str,
    pub store_name: &'a str,
    pub store_slug: &'a str,
    /// The code of the referral link the reseller came through.
    pub referral: Option<&'a str>,
}

pub async fn sign_up(
    state: &AppState,
    session: &Session,
    ip: IpAddr,
    req: SignupRequest<'_>,
) -> Result<CurrentUser, AppError> {
    let password = req.password;
    let form = account::validate_signup(req.email, password, req.store_name, req.store_slug)
        .map_err(AppError::validation)?;
    state
        .limits
        .check_signup(ip, form.email.as_str())
        .map_err(|retry_after_secs| AppError::RateLimited { retry_after_secs })?;
    let referral = req
        .referral
        .map(str::trim)
        .filter(|c| !c.is_empty() && c.len() <= 64)
        .map(|code| Referred {
            code,
            trial_days: state.settings.billing.referral_trial_days,
        });
    let user_id =
        create_account(&state.db, &form, password, Role::User, Some(ip), referral).await?;
    start_session(session, &user_id, 0).await?;
    tracing::info!(user_id = %user_id, "account created");
    Ok(CurrentUser {
        id: user_id,
        email: form.email.to_string(),
        role: Role::User,
    })
}

pub async fn log_in(
    state: &AppState,
    session: &Session,
    ip: IpAddr,
    email: &str,
    password: &str,
) -> Result<CurrentUser, AppError> {
    let email = Email::parse(email).map_err(|m| AppError::field("email", m))?;
    if password.is_empty() {
        return Err(AppError::field("password", "Enter your password."));
    }
    if password.len() > account::MAX_PASSWORD_LEN * 4 {
        return Err(AppError::InvalidCredentials);
    }
    let limited = |retry_after_secs| AppError::RateLimited { retry_after_secs };
    state.limits.check_login_ip(ip).map_err(limited)?;
    // Failures lock the account for the source that made them, not for everyone: anyone could
    // otherwise lock the owner out by typing wrong passwords from elsewhere.
    let source_key = format!("{}|{ip}", email.as_str());
    state
        .limits
        .login_failures
        .check(&source_key)
        .map_err(limited)?;

    let user = find_user_by_email(&state.db, &email).await?;
    let hash = user
        .as_ref()
        .map(|u| u.password_hash.clone())
        .unwrap_or_else(|| crypto::dummy_hash().to_string());
    let valid = verify_password(password.to_string(), hash).await;
    let now = OffsetDateTime::now_utc();
    let ip_text = ip.to_string();
    match user {
        Some(user) if valid => {
            state.limits.login_failures.clear(&source_key);
            start_session(session, &user.id, user.session_epoch).await?;
            record_audit(
                &state.db,
                Some(&user.id),
                "session.login",
                &user.id,
                &ip_text,
                now,
            )
            .await;
            tracing::info!(user_id = %user.id, "logged in");
            Ok(CurrentUser {
                role: user.role,
                id: user.id,
                email: user.email,
            })
        }
        user => {
            state.limits.login_failures.record_failure(&source_key);
            // Guessing one account from many sources is slowed down instead of locked.
            let account_wide = state
                .limits
                .account_failures
                .record_and_count(email.as_str());
            if account_wide > state.settings.auth.login_failures_per_account as usize {
                tokio::time::sleep(std::time::Duration::from_secs(1)).await;
            }
            let actor = user.as_ref().map(|u| u.id.as_str());
            record_audit(
                &state.db,
                actor,
                "session.login_failed",
                actor.unwrap_or("unknown"),
                &ip_text,
                now,
            )
            .await;
            tracing::info!("log-in refused");
            Err(AppError::InvalidCredentials)
        }
    }
}

async fn record_audit(
    db: &Db,
    actor: Option<&str>,
    action: &str,
    subject: &str,
    ip: &str,
    at: OffsetDateTime,
) {
    let result = db.write(sql("INSERT INTO audit_log (id, actor_user_id, action, subject, ip, created_at) VALUES ($1, $2, $3, $4, $5, $6)")
        .bind(new_id()).bind(actor).bind(action).bind(subject).bind(ip).bind(at)
        ).await;
    if let Err(e) = result {
        tracing::warn!(error = %e, action, "could not write audit log");
    }
}

/// A fresh session id for the signed-in user (the old id dies: no session fixation).
pub(super) async fn start_session(
    session: &Session,
    user_id: &str,
    epoch: i64,
) -> Result<(), AppError> {
    session
        .cycle_id()
        .await
        .map_err(|e| internal("cycling session id", e))?;
    session
        .insert(SESSION_EPOCH_KEY, epoch)
        .await
        .map_err(|e| internal("writing session", e))?;
    session
        .insert(SESSION_USER_KEY, user_id.to_string())
        .await
        .map_err(|e| internal("writing session", e))
}

/// Signs `user_id` in on this session without a password: a login another way (Discord)
/// already proved who it is. Answers the user, or `Unauthorized` if the account is gone.
pub async fn log_in_as(
    db: &Db,
    session: &Session,
    user_id: &str,
    how: &str,
) -> Result<CurrentUser, AppError> {
    let row = with_db!(db, pool => sqlx::query_as::<_, UserRow>("SELECT id, email, password_hash, role, plan, session_epoch FROM users WHERE id = $1")
        .bind(user_id).fetch_optional(pool).await)?;
    let user = row.ok_or(AppError::Unauthorized)?;
    start_session(session, &user.id, user.session_epoch).await?;
    record_audit(
        db,
        Some(&user.id),
        how,
        &user.id,
        "",
        OffsetDateTime::now_utc(),
    )
    .await;
    tracing::info!(user_id = %user.id, how, "logged in");
    Ok(CurrentUser {
        role: user.role,
        id: user.id,
        email: user.email,
    })
}

pub async fn log_out(session: &Session) -> Result<(), AppError> {
    session
        .flush()
        .await
        .map_err(|e| internal("ending session", e))
}

pub async fn find_user_by_email(db: &Db, email: &Email) -> Result<Option<UserRow>, AppError> {
    Ok(
        with_db!(db, pool => sqlx::query_as::<_, UserRow>("SELECT id, email, password_hash, role, plan, session_epoch FROM users WHERE email = $1")
        .bind(email.as_str()).fetch_optional(pool).await)?,
    )
}

/// The user whose session this is, or `Unauthorized`.
pub async fn current_user(db: &Db, session: &Session) -> Result<CurrentUser, AppError> {
    let user_id: Option<String> = session
        .get(SESSION_USER_KEY)
        .await
        .map_err(|e| internal("reading session", e))?;
    let Some(user_id) = user_id else {
        return Err(AppError::Unauthorized);
    };
    let row = with_db!(db, pool => sqlx::query_as::<_, UserRow>("SELECT id, email, password_hash, role, plan, session_epoch FROM users WHERE id = $1")
        .bind(&user_id).fetch_optional(pool).await)?;
    let epoch: i64 = session
        .get(SESSION_EPOCH_KEY)
        .await
        .ok()
        .flatten()
        .unwrap_or(0);
    match row {
        Some(user) if user.session_epoch == epoch => Ok(CurrentUser {
            role: user.role,
            id: user.id,
            email: user.email,
        }),
        _ => {
            // The account is gone, or its password was reset since: end the session.
            let _ = session.flush().await;
            Err(AppError::Unauthorized)
        }
    }
}

#[derive(sqlx::FromRow)]
struct StoreRow {
    id: String,
    slug: String,
    name: String,
    currency: String,
    role: String,
}

#[derive(sqlx::FromRow)]
struct ListRow {
    id: String,
    slug: String,
    name: String,
}

pub async fn account_summary(
    db: &Db,
    settings: &crate::server::config::Settings,
    user: &CurrentUser,
) -> Result<AccountSummary, AppError> {
    let plan = crate::billing::service::overview(db, settings, &user.id).await?;
    let payment_grace_until = plan
        .standing
        .subscription
        .as_ref()
        .and_then(|s| s.grace_until);
    let over_limits = plan
        .usage
        .into_iter()
        .filter(|u| u.used > u.allowed)
        .collect();
    let plan = plan.plan.as_str().to_string();
    let stores = with_db!(db, pool => sqlx::query_as::<_, StoreRow>(
        "SELECT s.id, s.slug, s.name, s.currency, m.role FROM stores s JOIN store_members m ON m.store_id = s.id WHERE m.user_id = $1 ORDER BY m.created_at")
        .bind(&user.id).fetch_all(pool).await)?;
    let lists = with_db!(db, pool => sqlx::query_as::<_, ListRow>(
        "SELECT id, slug, name FROM wtb_lists WHERE owner_user_id = $1 ORDER BY position, created_at")
        .bind(&user.id).fetch_all(pool).await)?;
    let unread: Option<i64> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT unread FROM inbox_counts WHERE user_id = $1").bind(&user.id).fetch_optional(pool).await)?;
    Ok(AccountSummary {
        user_id: user.id.clone(),
        email: user.email.clone(),
        role: user.role,
        plan,
        over_limits,
        payment_grace_until,
        unread: unread.unwrap_or(0),
        store: stores.into_iter().next().map(|s| StoreSummary {
            id: s.id,
            slug: s.slug,
            name: s.name,
            currency: s.currency,
            member_role: s.role,
        }),
        lists: lists
            .into_iter()
            .map(|l| ListSummary {
                id: l.id,
                slug: l.slug,
                name: l.name,
            })
            .collect(),
    })
}

/// The signed-in user of a server function's request, or `Unauthorized`.
pub async fn require_user() -> Result<(AppState, CurrentUser), AppError> {
    let state = crate::server::request::state()?;
    let session = crate::server::request::session().await?;
    let user = current_user(&state.db, &session).await?;
    Ok((state, user))
}
