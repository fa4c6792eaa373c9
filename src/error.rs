//! The one application error type. It crosses the server-function boundary (so the browser
//! can show a message next to the right field) and is turned into an HTTP response in one
//! place (`server::errors`).

use leptos::server_fn::error::{FromServerFnError, ServerFnErrorErr};
use serde::{Deserialize, Serialize};

use crate::domain::FieldErrors;

#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize, thiserror::Error)]
#[serde(tag = "kind", rename_all = "snake_case", try_from = "WireError")]
pub enum AppError {
    /// Bad input; `fields` says which field is wrong and why.
    #[error("{message}")]
    Validation {
        message: String,
        fields: FieldErrors,
    },
    #[error("Malformed request: {message}")]
    BadRequest { message: String },
    #[error("Please log in to continue.")]
    Unauthorized,
    #[error("Wrong email or password.")]
    InvalidCredentials,
    #[error("You do not have access to this.")]
    Forbidden,
    /// The bot API's `Authorization: Bearer fd_…` is missing, malformed or not a current key.
    #[error("A valid API key is required: send it as \"Authorization: Bearer fd_…\".")]
    InvalidApiKey,
    /// A current API key, but of another list.
    #[error("This API key belongs to another list.")]
    KeyForAnotherList,
    /// `If-Match` named a version that is no longer current.
    #[error("{message}")]
    PreconditionFailed { message: String },
    /// Also the answer for other people's data: it does not exist for you.
    #[error("Not found.")]
    NotFound,
    #[error("{message}")]
    Conflict { code: String, message: String },
    /// Well-formed, but it cannot be done as asked (422 with its own code), e.g. an
    /// idempotency key reused with another body.
    #[error("{message}")]
    Unprocessable { code: String, message: String },
    /// Creating this would pass the plan's limit of `limit` (a `Resource` name): 402.
    #[error("{message}")]
    QuotaExceeded {
        limit: String,
        allowed: u64,
        used: u64,
        message: String,
    },
    #[error("The request is too large.")]
    PayloadTooLarge,
    #[error("Too many attempts. Try again in {retry_after_secs} seconds.")]
    RateLimited { retry_after_secs: u64 },
    /// Something broke on our side; details are in the server log, never in the response.
    #[error("Something went wrong on our side. Please try again.")]
    Internal,
    #[error("Service unavailable: {message}")]
    Unavailable { message: String },
    /// The request never reached the server function (network, encoding).
    // Struct variants only: serde cannot write a string newtype variant with `tag = "kind"`.
    #[error("Could not reach Flipdesk: {message}")]
    Transport { message: String },
}

impl AppError {
    pub fn validation(fields: FieldErrors) -> Self {
        let message = if fields.0.len() == 1 {
            fields.0.values().next().cloned().unwrap_or_default()
        } else {
            "Some fields need fixing.".to_string()
        };
        AppError::Validation { message, fields }
    }

    pub fn field(field: &str, message: impl Into<String>) -> Self {
        AppError::validation(FieldErrors::single(field, message))
    }

    pub fn conflict(code: &str, message: impl Into<String>) -> Self {
        AppError::Conflict {
            code: code.to_string(),
            message: message.into(),
        }
    }

    /// Stable snake_case code for the JSON error body.
    pub fn code(&self) -> &str {
        match self {
            AppError::Validation { .. } => "validation_failed",
            AppError::BadRequest { .. } => "bad_request",
            AppError::Unauthorized => "unauthorized",
            AppError::InvalidCredentials => "invalid_credentials",
            AppError::Forbidden => "forbidden",
            AppError::InvalidApiKey => "invalid_api_key",
            AppError::KeyForAnotherList => "key_for_another_list",
            AppError::PreconditionFailed { .. } => "precondition_failed",
            AppError::NotFound => "not_found",
            AppError::Conflict { code, .. } | AppError::Unprocessable { code, .. } => code,
            AppError::QuotaExceeded { .. } => "quota_exceeded",
            AppError::PayloadTooLarge => "payload_too_large",
            AppError::RateLimited { .. } => "rate_limited",
            AppError::Internal => "internal_error",
            AppError::Unavailable { .. } => "unavailable",
            AppError::Transport { .. } => "transport_error",
        }
    }

    pub fn status(&self) -> u16 {
        match self {
            AppError::Validation { .. } | AppError::Unprocessable { .. } => 422,
            AppError::BadRequest { .. } => 400,
            AppError::Unauthorized | AppError::InvalidCredentials | AppError::InvalidApiKey => 401,
            AppError::Forbidden | AppError::KeyForAnotherList => 403,
            AppError::PreconditionFailed { .. } => 412,
            AppError::NotFound => 404,
            AppError::Conflict { .. } => 409,
            AppError::QuotaExceeded { .. } => 402,
            AppError::PayloadTooLarge => 413,
            AppError::RateLimited { .. } => 429,
            AppError::Internal | AppError::Transport { .. } => 500,
            AppError::Unavailable { .. } => 503,
        }
    }

    /// Over a plan limit: the page offers the upgrade.
    pub fn is_quota(&self) -> bool {
        matches!(self, AppError::QuotaExceeded { .. })
    }

    /// The message for one form field, if this is a validation error about it.
    pub fn field_error(&self, field: &str) -> Option<String> {
        match self {
            AppError::Validation { fields, .. } => fields.get(field).map(str::to_string),
            _ => None,
        }
    }
}

impl FromServerFnError for AppError {
    type Encoder = crate::wire::JsonText;

    fn from_server_fn_error(value: ServerFnErrorErr) -> Self {
        match value {
            ServerFnErrorErr::Args(message)
            | ServerFnErrorErr::MissingArg(message)
            | ServerFnErrorErr::Deserialization(message) => AppError::BadRequest { message },
            ServerFnErrorErr::ServerError(_) | ServerFnErrorErr::Response(_) => AppError::Internal,
            other => AppError::Transport {
                message: other.to_string(),
            },
        }
    }
}

/// How an [`AppError`] is read back (in the browser). The written form is the derived,
/// internally tagged one (`{"kind": "not_found"}`); reading it through this flat struct
/// instead of serde's tagged-enum path avoids buffering every field into `Content`, which
/// kept a few kilobytes of generic code in every page's WebAssembly.
#[derive(Deserialize)]
struct WireError {
    kind: String,
    #[serde(default)]
    message: String,
    #[serde(default)]
    fields: FieldErrors,
    #[serde(default)]
    code: String,
    #[serde(default)]
    retry_after_secs: u64,
    #[serde(default)]
    limit: String,
    #[serde(default)]
    allowed: u64,
    #[serde(default)]
    used: u64,
}

impl TryFrom<WireError> for AppError {
    type Error = String;

    fn try_from(w: WireError) -> Result<Self, Self::Error> {
        let WireError {
            kind,
            message,
            fields,
            code,
            retry_after_secs,
            limit,
            allowed,
            used,
        } = w;
        Ok(match kind.as_str() {
            "validation" => AppError::Validation { message, fields },
            "bad_request" => AppError::BadRequest { message },
            "unauthorized" => AppError::Unauthorized,
            "invalid_credentials" => AppError::InvalidCredentials,
            "forbidden" => AppError::Forbidden,
            "invalid_api_key" => AppError::InvalidApiKey,
            "key_for_another_list" => AppError::KeyForAnotherList,
            "precondition_failed" => AppError::PreconditionFailed { message },
            "not_found" => AppError::NotFound,
            "conflict" => AppError::Conflict { code, message },
            "unprocessable" => AppError::Unprocessable { code, message },
            "quota_exceeded" => AppError::QuotaExceeded {
                limit,
                allowed,
                used,
                message,
            },
            "payload_too_large" => AppError::PayloadTooLarge,
            "rate_limited" => AppError::RateLimited { retry_after_secs },
            "internal" => AppError::Internal,
            "unavailable" => AppError::Unavailable { message },
            "transport" => AppError::Transport { message },
            other => return Err(format!("unknown error kind `{other}`")),
        })
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn every_error_reads_back_as_written() {
        let all = [
            AppError::field("price", "Enter a price."),
            AppError::BadRequest {
                message: "x".into(),
            },
            AppError::Unauthorized,
            AppError::InvalidCredentials,
            AppError::Forbidden,
            AppError::InvalidApiKey,
            AppError::KeyForAnotherList,
            AppError::PreconditionFailed {
                message: "v".into(),
            },
            AppError::NotFound,
            AppError::conflict("sold_out", "Sold out."),
            AppError::Unprocessable {
                code: "idempotency_key_reused".into(),
                message: "m".into(),
            },
            AppError::QuotaExceeded {
                limit: "items".into(),
                allowed: 250,
                used: 250,
                message: "Your Free plan…".into(),
            },
            AppError::PayloadTooLarge,
            AppError::RateLimited {
                retry_after_secs: 42,
            },
            AppError::Internal,
            AppError::Unavailable {
                message: "u".into(),
            },
            AppError::Transport {
                message: "t".into(),
            },
        ];
        for error in all {
            let text = serde_json::to_string(&error).unwrap();
            let back: AppError = serde_json::from_str(&text).unwrap();
            assert_eq!(back, error, "{text}");
        }
        assert_eq!(
            serde_json::to_value(AppError::NotFound).unwrap(),
            serde_json::json!({"kind": "not_found"})
        );
        let unknown = serde_json::from_str::<AppError>(r#"{"kind": "exploded"}"#);
        assert!(unknown.unwrap_err().to_string().contains("exploded"));
    }
}
