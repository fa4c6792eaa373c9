//! Referrals: each reseller's link carries a code; a new reseller who signs up through it
//! gets premium days (the trial), and when they first pay, their referrer gets more —
//! exactly once per referred address, however often Stripe repeats itself.

use rand::{Rng, distributions::Alphanumeric};

use super::standing::DAY_SECS;
use crate::{
    error::AppError,
    server::{
        db::Db,
        store::{Store, Tx, sql},
    },
    with_db,
};

/// The address without case, `+tag` or (Gmail) dots: the same inbox is one referral.
pub fn email_key(email: &str) -> String {
    let email = email.trim().to_lowercase();
    let Some((local, domain)) = email.rsplit_once('@') else {
        return email;
    };
    let local = local.split('+').next().unwrap_or(local);
    match domain {
        "gmail.com" | "googlemail.com" => format!("{}@gmail.com", local.replace('.', "")),
        _ => format!("{local}@{domain}"),
    }
}

/// The reseller's referral code, made the first time it is asked for.
pub async fn code_of(db: &Db, user_id: &str) -> Result<String, AppError> {
    let existing: Option<Option<String>> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT referral_code FROM users WHERE id = $1").bind(user_id).fetch_optional(pool).await)?;
    if let Some(Some(code)) = existing {
        return Ok(code);
    }
    let code: String = rand::thread_rng()
        .sample_iter(&Alphanumeric)
        .take(10)
        .map(char::from)
        .collect::<String>()
        .to_lowercase();
    // Two first views in parallel: the first code written stays.
    db.write(
        sql("UPDATE users SET referral_code = $1 WHERE id = $2 AND referral_code IS NULL")
            .bind(&code)
            .bind(user_id),
    )
    .await?;
    let code: Option<String> = with_db!(db, pool => sqlx::query_scalar(
        "SELECT referral_code FROM users WHERE id = $1").bind(user_id).fetch_one(pool).await)?;
    code.ok_or(AppError::NotFound)
}

/// How many signed up through the reseller's link, and how many of them have paid.
pub async fn counts(db: &Db, user_id: &str) -> Result<(u64, u64), AppError> {
    let (all, paid): (i64, i64) = with_db!(db, pool => sqlx::query_as(
        "SELECT COUNT(*), COUNT(rewarded_at) FROM referrals WHERE referrer_user_id = $1")
        .bind(user_id).fetch_one(pool).await)?;
    Ok((all.max(0) as u64, paid.max(0) as u64))
}

/// Why a referral gives no trial (the account is made all the same).
#[derive(Debug, PartialEq, Eq)]
pub enum NoTrial {
    UnknownCode,
    SelfReferral,
    AddressUsedBefore,
}

/// In the sign-up transaction: records who brought the new reseller and starts their trial.
pub async fn on_signup_in<DB: Store>(
    tx: &mut Tx<DB>,
    code: &str,
    user_id: &str,
    email: &str,
    trial_days: u32,
    now: time::OffsetDateTime,
) -> sqlx::Result<Result<(), NoTrial>> {
    let referrer: Option<(String, String)> =
        sql("SELECT id, email FROM users WHERE referral_code = $1")
            .bind(code.trim().to_lowercase())
            .fetch_optional(&mut *tx)
            .await?;
    let Some((referrer, referrer_email)) = referrer else {
        return Ok(Err(NoTrial::UnknownCode));
    };
    let key = email_key(email);
    if referrer == user_id || email_key(&referrer_email) == key {
        return Ok(Err(NoTrial::SelfReferral));
    }
    let recorded = sql(
        "INSERT INTO referrals (email_key, referred_user_id, referrer_user_id, created_at) \
         VALUES ($1, $2, $3, $4) ON CONFLICT (email_key) DO NOTHING",
    )
    .bind(&key)
    .bind(user_id)
    .bind(&referrer)
    .bind(now)
    .execute(&mut *tx)
    .await?;
    if recorded == 0 {
        return Ok(Err(NoTrial::AddressUsedBefore));
    }
    let start = now.unix_timestamp();
    sql(
        "INSERT INTO premium_periods (source, user_id, reason, starts_at, ends_at) \
         VALUES ($1, $2, 'referral_trial', $3, $4) ON CONFLICT (source) DO NOTHING",
    )
    .bind(format!("trial:{user_id}"))
    .bind(user_id)
    .bind(start)
    .bind(start + i64::from(trial_days) * DAY_SECS)
    .execute(tx)
    .await?;
    Ok(Ok(()))
}

/// In the transaction of a paid invoice of `payer`: the first time a referred reseller pays,
/// their referrer's premium runs `reward_days` longer (after the premium they already have).
/// Returns the referrer when this call gave the reward.
pub async fn reward_in<DB: Store>(
    tx: &mut Tx<DB>,
    payer: &str,
    reward_days: u32,
    now: time::OffsetDateTime,
) -> sqlx::Result<Option<String>> {
    let referrer: Option<(Option<String>,)> = sql(
        "SELECT referrer_user_id FROM referrals WHERE referred_user_id = $1 AND rewarded_at IS NULL",
    )
    .bind(payer)
    .fetch_optional(&mut *tx)
    .await?;
    let Some((Some(referrer),)) = referrer else {
        return Ok(None);
    };
    // The row lock makes a second paid invoice in parallel find it rewarded.
    let claimed = sql(
        "UPDATE referrals SET rewarded_at = $1 WHERE referred_user_id = $2 AND rewarded_at IS NULL",
    )
    .bind(now)
    .bind(payer)
    .execute(&mut *tx)
    .await?;
    if claimed == 0 {
        return Ok(None);
    }
    let now_secs = now.unix_timestamp();
    // Days already ahead (a trial, an earlier reward, a paid period) come first.
    let (days_end, paid_end): (Option<i64>, Option<i64>) = sql(
        "SELECT (SELECT MAX(ends_at) FROM premium_periods WHERE user_id = $1), \
                (SELECT MAX(period_end) FROM subscriptions WHERE user_id = $1 AND status IN ('active', 'trialing'))",
    )
    .bind(&referrer)
    .fetch_one(&mut *tx)
    .await?;
    let start = [Some(now_secs), days_end, paid_end]
        .into_iter()
        .flatten()
        .max()
        .unwrap_or(now_secs);
    sql(
        "INSERT INTO premium_periods (source, user_id, reason, starts_at, ends_at) \
         VALUES ($1, $2, 'referral_reward', $3, $4) ON CONFLICT (source) DO NOTHING",
    )
    .bind(format!("reward:{payer}"))
    .bind(&referrer)
    .bind(start)
    .bind(start + i64::from(reward_days) * DAY_SECS)
    .execute(tx)
    .await?;
    Ok(Some(referrer))
}

#[cfg(test)]
mod tests {
    use super::email_key;

    #[test]
    fn one_inbox_is_one_referral_key() {
        assert_eq!(email_key(" Kai+shop@Example.com"), "kai@example.com");
        assert_eq!(
            email_key("k.a.i+x@googlemail.com"),
            email_key("kai@gmail.com")
        );
        assert_ne!(email_key("k.ai@example.com"), email_key("kai@example.com"));
    }
}
