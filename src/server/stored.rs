//! Domain values stored as text read straight into their types. A value the code does not know
//! (an unknown status, a missing currency) fails the read with the column and value named —
//! the request answers 500 and the log says what is wrong — instead of turning silently into a
//! default (an order shown as awaiting payment, a yen price shown in dollars).

use crate::domain::{
    Currency, Role,
    inbox::{Level, Source},
    inquiry::InquiryStatus,
    item::{ItemKind, ItemStatus, SaleChannel},
    store::{OrderStatus, OrderStock, PaymentMethod},
};

macro_rules! read_as_text {
    ($($ty:ty => $parse:expr),+ $(,)?) => { $(
        impl<DB: sqlx::Database> sqlx::Type<DB> for $ty
        where
            String: sqlx::Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as sqlx::Type<DB>>::type_info()
            }
            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as sqlx::Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: sqlx::Database> sqlx::Decode<'r, DB> for $ty
        where
            &'r str: sqlx::Decode<'r, DB>,
        {
            fn decode(value: DB::ValueRef<'r>) -> Result<Self, sqlx::error::BoxDynError> {
                let text = <&str as sqlx::Decode<DB>>::decode(value)?;
                let parse: fn(&str) -> Option<$ty> = $parse;
                parse(text).ok_or_else(|| {
                    format!("“{text}” is not a {}", stringify!($ty)).into()
                })
            }
        }
    )+ };
}

read_as_text! {
    Currency => |code| Currency::parse(code).ok(),
    ItemStatus => ItemStatus::parse,
    ItemKind => ItemKind::parse,
    OrderStatus => OrderStatus::parse,
    OrderStock => OrderStock::parse,
    SaleChannel => SaleChannel::parse,
    PaymentMethod => PaymentMethod::parse,
    Role => |text| Role::parse(text).ok(),
    Level => Level::parse,
    Source => Source::parse,
    InquiryStatus => InquiryStatus::parse,
}

/// Domain statuses bound as their stored text, so writers pass the value, not a literal.
macro_rules! bind_as_text {
    ($($ty:ty),+ $(,)?) => { $(
        impl From<$ty> for super::store::Value<'_> {
            fn from(v: $ty) -> Self {
                super::store::Value::Text(Some(std::borrow::Cow::Borrowed(v.as_str())))
            }
        }

        impl From<Option<$ty>> for super::store::Value<'_> {
            fn from(v: Option<$ty>) -> Self {
                super::store::Value::Text(v.map(|v| std::borrow::Cow::Borrowed(v.as_str())))
            }
        }
    )+ };
}

bind_as_text!(
    ItemStatus,
    ItemKind,
    OrderStatus,
    OrderStock,
    SaleChannel,
    PaymentMethod,
    Level,
    Source
);

#[cfg(test)]
mod tests {
    use super::*;

    #[tokio::test]
    async fn unknown_stored_values_are_errors_not_defaults() {
        let pool = sqlx::SqlitePool::connect("sqlite::memory:").await.unwrap();
        let (status, currency): (OrderStatus, Currency) = sqlx::query_as("SELECT 'paid', 'JPY'")
            .fetch_one(&pool)
            .await
            .unwrap();
        assert_eq!((status, currency), (OrderStatus::Paid, Currency::Jpy));
        let unknown = sqlx::query_as::<_, (OrderStatus,)>("SELECT 'lost_in_the_post'")
            .fetch_one(&pool)
            .await
            .unwrap_err();
        assert!(
            unknown.to_string().contains("lost_in_the_post"),
            "{unknown}"
        );
        let blank = sqlx::query_as::<_, (Currency,)>("SELECT ''")
            .fetch_one(&pool)
            .await;
        assert!(blank.is_err());
    }
}
