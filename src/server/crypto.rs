//! Secrets: random tokens, HMAC-SHA256 under FLIPDESK_SECRET for stored keys, argon2id for
//! passwords, constant-time comparison.

use argon2::{
    Argon2,
    password_hash::{PasswordHash, PasswordHasher, PasswordVerifier, SaltString},
};
use hmac::{Hmac, Mac};
use rand::{Rng, distributions::Alphanumeric, rngs::OsRng};
use sha2::Sha256;

pub fn random_token(len: usize) -> String {
    OsRng
        .sample_iter(&Alphanumeric)
        .take(len)
        .map(char::from)
        .collect()
}

/// Hex HMAC-SHA256 of `value` under the instance secret (API keys, guest tokens).
pub fn hmac_hex(secret: &str, value: &str) -> String {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    hex::encode(mac.finalize().into_bytes())
}

/// The `Flipdesk-Signature` header of an outgoing webhook (CONTRACT): `t=<unix seconds>,
/// v1=<hex HMAC-SHA256 of "{t}.{body}">` under the receiver's secret.
pub fn webhook_signature(secret: &str, at: i64, body: &str) -> String {
    format!("t={at},v1={}", hmac_hex(secret, &format!("{at}.{body}")))
}

/// Constant-time check of `value` against a stored HMAC hex digest.
pub fn hmac_matches(secret: &str, value: &str, expected_hex: &str) -> bool {
    let Ok(expected) = hex::decode(expected_hex) else {
        return false;
    };
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(value.as_bytes());
    mac.verify_slice(&expected).is_ok()
}

fn key_for(secret: &str, purpose: &str) -> ring::aead::LessSafeKey {
    let mut mac =
        Hmac::<Sha256>::new_from_slice(secret.as_bytes()).expect("HMAC takes any key length");
    mac.update(format!("seal:{purpose}").as_bytes());
    let key =
        ring::aead::UnboundKey::new(&ring::aead::CHACHA20_POLY1305, &mac.finalize().into_bytes())
            .expect("a 32-byte key");
    ring::aead::LessSafeKey::new(key)
}

/// Encrypts a stored credential (a webhook address) under a key derived from the instance
/// secret for `purpose`: hex of nonce, ciphertext and tag.
pub fn seal(secret: &str, purpose: &str, plain: &str) -> String {
    let nonce_bytes: [u8; ring::aead::NONCE_LEN] = OsRng.r#gen();
    let nonce = ring::aead::Nonce::assume_unique_for_key(nonce_bytes);
    let mut data = plain.as_bytes().to_vec();
    key_for(secret, purpose)
        .seal_in_place_append_tag(nonce, ring::aead::Aad::from(purpose.as_bytes()), &mut data)
        .expect("sealing a short value works");
    let mut out = nonce_bytes.to_vec();
    out.extend(data);
    hex::encode(out)
}

/// The value [`seal`] sealed, or `None` if it was sealed under another secret or altered.
pub fn open(secret: &str, purpose: &str, sealed: &str) -> Option<String> {
    let bytes = hex::decode(sealed).ok()?;
    if bytes.len() < ring::aead::NONCE_LEN {
        return None;
    }
    let (nonce, body) = bytes.split_at(ring::aead::NONCE_LEN);
    let nonce = ring::aead::Nonce::try_assume_unique_for_key(nonce).ok()?;
    let mut body = body.to_vec();
    let plain = key_for(secret, purpose)
        .open_in_place(nonce, ring::aead::Aad::from(purpose.as_bytes()), &mut body)
        .ok()?;
    String::from_utf8(plain.to_vec()).ok()
}

pub fn hash_password(password: &str) -> Result<String, argon2::password_hash::Error> {
    let salt = SaltString::generate(&mut OsRng);
    Ok(Argon2::default()
        .hash_password(password.as_bytes(), &salt)?
        .to_string())
}

pub fn verify_password(password: &str, hash: &str) -> bool {
    PasswordHash::new(hash)
        .map(|parsed| {
            Argon2::default()
                .verify_password(password.as_bytes(), &parsed)
                .is_ok()
        })
        .unwrap_or(false)
}

/// A fixed argon2id hash, verified against when an email is unknown so that log-in takes the
/// same time whether or not the account exists.
pub fn dummy_hash() -> &'static str {
    static HASH: std::sync::OnceLock<String> = std::sync::OnceLock::new();
    HASH.get_or_init(|| hash_password("flipdesk-timing-equaliser").expect("argon2 works"))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn passwords_hash_with_argon2id_and_verify() {
        let hash = hash_password("charizard-1st-ed").unwrap();
        assert!(hash.starts_with("$argon2id$"));
        assert!(verify_password("charizard-1st-ed", &hash));
        assert!(!verify_password("charizard-2nd-ed", &hash));
        assert!(!verify_password("x", "not a hash"));
    }

    #[test]
    fn sealed_values_open_only_with_their_secret_and_purpose() {
        let sealed = seal(
            "instance",
            "alert_hook",
            "https://discord.com/api/webhooks/1/tok",
        );
        assert!(!sealed.contains("discord"));
        assert_ne!(
            sealed,
            seal(
                "instance",
                "alert_hook",
                "https://discord.com/api/webhooks/1/tok"
            )
        );
        assert_eq!(
            open("instance", "alert_hook", &sealed).as_deref(),
            Some("https://discord.com/api/webhooks/1/tok")
        );
        assert_eq!(open("other", "alert_hook", &sealed), None);
        assert_eq!(open("instance", "channel", &sealed), None);
        let mut altered = sealed.clone();
        altered.replace_range(30..32, if &sealed[30..32] == "00" { "01" } else { "00" });
        assert_eq!(open("instance", "alert_hook", &altered), None);
        assert_eq!(open("instance", "alert_hook", "zz"), None);
    }

    #[test]
    fn hmac_round_trip() {
        let digest = hmac_hex("secret", "fd_abc");
        assert!(hmac_matches("secret", "fd_abc", &digest));
        assert!(!hmac_matches("secret", "fd_abd", &digest));
        assert!(!hmac_matches("other", "fd_abc", &digest));
        assert_eq!(random_token(32).len(), 32);
    }
}
