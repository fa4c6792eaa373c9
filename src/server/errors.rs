//! The one place where errors become HTTP responses: `{"error":{"code","message","fields"}}`
//! with a fitting status. Unexpected errors are logged with their cause and answered with a
//! safe 500 that reveals nothing.

use axum::{
    Json,
    http::{HeaderValue, StatusCode, header},
    response::{IntoResponse, Response},
};
use serde_json::json;

use crate::error::AppError;

impl IntoResponse for AppError {
    fn into_response(self) -> Response {
        let status =
            StatusCode::from_u16(self.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR);
        let mut response = (status, Json(self.body())).into_response();
        if let AppError::RateLimited { retry_after_secs } = self
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            response.headers_mut().insert(header::RETRY_AFTER, value);
        }
        if let AppError::InvalidApiKey = self {
            response.headers_mut().insert(
                header::WWW_AUTHENTICATE,
                HeaderValue::from_static("Bearer realm=\"flipdesk\""),
            );
        }
        response
    }
}

impl AppError {
    /// The JSON body of this error: `{"error":{"code","message","fields"?}}`.
    pub fn body(&self) -> serde_json::Value {
        let mut error = json!({ "code": self.code(), "message": self.to_string() });
        if let AppError::Validation { fields, .. } = self {
            error["fields"] = serde_json::to_value(&fields.0).unwrap_or_default();
        }
        if let AppError::QuotaExceeded {
            limit,
            allowed,
            used,
            ..
        } = self
        {
            error["details"] = json!({ "limit": limit, "allowed": allowed, "used": used });
        }
        json!({ "error": error })
    }

    /// The error an answer stored as `status` and [`body`](Self::body) stands for — how an
    /// idempotent request's first answer is given again. `None` for what is never stored (a
    /// 5xx, a rate limit) or not an error body.
    pub fn from_body(status: u16, body: &serde_json::Value) -> Option<AppError> {
        let error = body.get("error")?;
        let code = error.get("code")?.as_str()?.to_string();
        let text = error.get("message")?.as_str()?.to_string();
        // Display adds a prefix to some messages; the stored text carries it.
        let message = |prefix: &str| text.strip_prefix(prefix).unwrap_or(&text).to_string();
        let known = match code.as_str() {
            "validation_failed" => AppError::Validation {
                message: text.clone(),
                fields: serde_json::from_value(error.get("fields")?.clone()).ok()?,
            },
            "bad_request" => AppError::BadRequest {
                message: message("Malformed request: "),
            },
            "unauthorized" => AppError::Unauthorized,
            "invalid_credentials" => AppError::InvalidCredentials,
            "forbidden" => AppError::Forbidden,
            "invalid_api_key" => AppError::InvalidApiKey,
            "key_for_another_list" => AppError::KeyForAnotherList,
            "precondition_failed" => AppError::PreconditionFailed {
                message: text.clone(),
            },
            "not_found" => AppError::NotFound,
            "payload_too_large" => AppError::PayloadTooLarge,
            "quota_exceeded" => {
                let details = error.get("details")?;
                AppError::QuotaExceeded {
                    limit: details.get("limit")?.as_str()?.to_string(),
                    allowed: details.get("allowed")?.as_u64()?,
                    used: details.get("used")?.as_u64()?,
                    message: text,
                }
            }
            _ if status == 409 => AppError::Conflict {
                code,
                message: text,
            },
            _ if status == 422 => AppError::Unprocessable {
                code,
                message: text,
            },
            _ => return None,
        };
        (known.status() == status).then_some(known)
    }
}

impl From<sqlx::Error> for AppError {
    fn from(err: sqlx::Error) -> Self {
        match err {
            sqlx::Error::PoolTimedOut | sqlx::Error::Io(_) | sqlx::Error::PoolClosed => {
                tracing::error!(error = %err, "database unavailable");
                AppError::Unavailable {
                    message: "the database is not reachable right now".into(),
                }
            }
            other => {
                tracing::error!(error = %other, "database error");
                AppError::Internal
            }
        }
    }
}

/// Logs an unexpected error with its cause and returns the safe 500.
pub fn internal(context: &str, err: impl std::fmt::Display) -> AppError {
    tracing::error!(error = %err, "{context}");
    AppError::Internal
}

/// Inside a server function: record the error's status on the response, then return it.
pub fn fail(err: AppError) -> AppError {
    if let Some(res) = leptos::prelude::use_context::<leptos_axum::ResponseOptions>() {
        res.set_status(
            StatusCode::from_u16(err.status()).unwrap_or(StatusCode::INTERNAL_SERVER_ERROR),
        );
        if let AppError::RateLimited { retry_after_secs } = &err
            && let Ok(value) = HeaderValue::from_str(&retry_after_secs.to_string())
        {
            res.insert_header(header::RETRY_AFTER, value);
        }
    }
    err
}

/// Runs a server function body and sets the HTTP status from its error, if any.
pub async fn respond<T>(
    fut: impl std::future::Future<Output = Result<T, AppError>>,
) -> Result<T, AppError> {
    fut.await.map_err(fail)
}

/// Errors raised before a server function body runs (arguments that do not decode) leave
/// server_fn's default status 500; this gives them the status of the error they carry.
pub async fn with_error_status(res: axum::response::Response) -> axum::response::Response {
    if res.status() != axum::http::StatusCode::INTERNAL_SERVER_ERROR {
        return res;
    }
    let (mut parts, body) = res.into_parts();
    let bytes = axum::body::to_bytes(body, 256 * 1024)
        .await
        .unwrap_or_default();
    if let Ok(err) = serde_json::from_slice::<AppError>(&bytes)
        && let Ok(status) = axum::http::StatusCode::from_u16(err.status())
    {
        parts.status = status;
    }
    axum::response::Response::from_parts(parts, axum::body::Body::from(bytes))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn stored_error_answers_read_back_as_the_same_error() {
        let storable = [
            AppError::field("email", "Enter an email address."),
            AppError::BadRequest {
                message: "the body is not valid JSON".into(),
            },
            AppError::Unauthorized,
            AppError::Forbidden,
            AppError::NotFound,
            AppError::PreconditionFailed {
                message: "changed".into(),
            },
            AppError::conflict("insufficient_stock", "Only 1 left."),
            AppError::Unprocessable {
                code: "idempotency_mismatch".into(),
                message: "another body".into(),
            },
            AppError::PayloadTooLarge,
        ];
        for e in storable {
            assert_eq!(AppError::from_body(e.status(), &e.body()), Some(e.clone()));
        }
        // Never stored, so never read back: our own failures and rate limits.
        for e in [
            AppError::Internal,
            AppError::RateLimited {
                retry_after_secs: 5,
            },
        ] {
            assert_eq!(AppError::from_body(e.status(), &e.body()), None);
        }
        // A body that says one thing and a status that says another is not trusted.
        let not_found = AppError::NotFound.body();
        assert_eq!(AppError::from_body(409, &not_found), None);
        assert_eq!(AppError::from_body(201, &json!({"order_id": "o"})), None);
    }
}
