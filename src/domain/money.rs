//! Money as integer minor units plus an ISO 4217 currency code.
//! Amounts of different currencies are never added: arithmetic returns an error instead.

use serde::{Deserialize, Serialize};
use std::fmt;

/// ISO 4217 currencies Flipdesk accepts. Exponent = number of minor-unit digits.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
#[serde(rename_all = "UPPERCASE")]
pub enum Currency {
    Usd,
    Eur,
    Gbp,
    Cad,
    Aud,
    Chf,
    Sek,
    Jpy,
    Krw,
}

impl Currency {
    pub const ALL: [Currency; 9] = [
        Currency::Usd,
        Currency::Eur,
        Currency::Gbp,
        Currency::Cad,
        Currency::Aud,
        Currency::Chf,
        Currency::Sek,
        Currency::Jpy,
        Currency::Krw,
    ];

    pub fn code(self) -> &'static str {
        match self {
            Currency::Usd => "USD",
            Currency::Eur => "EUR",
            Currency::Gbp => "GBP",
            Currency::Cad => "CAD",
            Currency::Aud => "AUD",
            Currency::Chf => "CHF",
            Currency::Sek => "SEK",
            Currency::Jpy => "JPY",
            Currency::Krw => "KRW",
        }
    }

    /// Digits after the decimal point; JPY and KRW have none.
    pub fn exponent(self) -> u32 {
        match self {
            Currency::Jpy | Currency::Krw => 0,
            _ => 2,
        }
    }

    pub fn symbol(self) -> &'static str {
        match self {
            Currency::Usd | Currency::Cad | Currency::Aud => "$",
            Currency::Eur => "€",
            Currency::Gbp => "£",
            Currency::Jpy => "¥",
            Currency::Krw => "₩",
            Currency::Chf => "CHF ",
            Currency::Sek => "kr ",
        }
    }

    pub fn parse(code: &str) -> Result<Self, MoneyError> {
        let upper = code.trim().to_ascii_uppercase();
        Currency::ALL
            .into_iter()
            .find(|c| c.code() == upper)
            .ok_or_else(|| MoneyError::UnknownCurrency(code.trim().to_string()))
    }
}

impl fmt::Display for Currency {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.code())
    }
}

#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum MoneyError {
    #[error("unknown currency \"{0}\"")]
    UnknownCurrency(String),
    #[error("\"{0}\" is not an amount")]
    NotAnAmount(String),
    #[error("{currency} amounts have at most {digits} decimal places")]
    TooManyDecimals { currency: Currency, digits: u32 },
    #[error("the amount is too large")]
    Overflow,
    #[error("cannot combine {0} and {1} amounts")]
    CurrencyMismatch(Currency, Currency),
}

#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[cfg_attr(feature = "ssr", derive(utoipa::ToSchema))]
pub struct Money {
    /// Integer minor units (cents; yen for JPY).
    pub amount: i64,
    pub currency: Currency,
}

impl Money {
    pub fn new(amount: i64, currency: Currency) -> Self {
        Money { amount, currency }
    }

    pub fn zero(currency: Currency) -> Self {
        Money::new(0, currency)
    }

    /// Parses a decimal amount typed by a person ("12.50", "1,299.99", "¥1500" is not accepted).
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let raw = input.trim().replace(',', "");
        let bad = || MoneyError::NotAnAmount(input.trim().to_string());
        if raw.is_empty() {
            return Err(bad());
        }
        let (negative, digits) = match raw.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, raw.as_str()),
        };
        let (whole, frac) = match digits.split_once('.') {
            Some((w, f)) => (w, f),
            None => (digits, ""),
        };
        if whole.is_empty() && frac.is_empty() {
            return Err(bad());
        }
        if !whole.chars().all(|c| c.is_ascii_digit()) || !frac.chars().all(|c| c.is_ascii_digit()) {
            return Err(bad());
        }
        let exp = currency.exponent();
        if frac.len() as u32 > exp {
            return Err(MoneyError::TooManyDecimals {
                currency,
                digits: exp,
            });
        }
        let scale = 10i64.pow(exp);
        let whole_value: i64 = if whole.is_empty() {
            0
        } else {
            whole.parse().map_err(|_| MoneyError::Overflow)?
        };
        let mut frac_value: i64 = 0;
        if !frac.is_empty() {
            frac_value = frac.parse().map_err(|_| bad())?;
            frac_value *= 10i64.pow(exp - frac.len() as u32);
        }
        let amount = whole_value
            .checked_mul(scale)
            .and_then(|v| v.checked_add(frac_value))
            .ok_or(MoneyError::Overflow)?;
        Ok(Money::new(
            if negative { -amount } else { amount },
            currency,
        ))
    }

    pub fn checked_add(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        self.amount
            .checked_add(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    pub fn checked_sub(self, other: Money) -> Result<Money, MoneyError> {
        if self.currency != other.currency {
            return Err(MoneyError::CurrencyMismatch(self.currency, other.currency));
        }
        self.amount
            .checked_sub(other.amount)
            .map(|amount| Money::new(amount, self.currency))
            .ok_or(MoneyError::Overflow)
    }

    /// Decimal string without symbol: "12.50", "1500".
    pub fn to_decimal_string(self) -> String {
        let exp = self.currency.exponent();
        let sign = if self.amount < 0 { "-" } else { "" };
        let abs = self.amount.unsigned_abs();
        if exp == 0 {
            return format!("{sign}{abs}");
        }
        let scale = 10u64.pow(exp);
        format!(
            "{sign}{}.{:0width$}",
            abs / scale,
            abs % scale,
            width = exp as usize
        )
    }
}

impl fmt::Display for Money {
    /// Human display with thousands grouped: "$12.50", "¥1,500", "-€3,000.00".
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let decimal = self.to_decimal_string();
        let (sign, unsigned) = match decimal.strip_prefix('-') {
            Some(rest) => ("-", rest),
            None => ("", decimal.as_str()),
        };
        let (whole, frac) = match unsigned.split_once('.') {
            Some((w, fr)) => (w, Some(fr)),
            None => (unsigned, None),
        };
        let mut grouped = String::new();
        for (i, c) in whole.chars().enumerate() {
            if i > 0 && (whole.len() - i) % 3 == 0 {
                grouped.push(',');
            }
            grouped.push(c);
        }
        write!(f, "{sign}{}{grouped}", self.currency.symbol())?;
        if let Some(frac) = frac {
            write!(f, ".{frac}")?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn parses_decimal_amounts_into_minor_units() {
        assert_eq!(Money::parse("12.5", Currency::Usd).unwrap().amount, 1250);
        assert_eq!(Money::parse("12.05", Currency::Usd).unwrap().amount, 1205);
        assert_eq!(
            Money::parse("1,299.99", Currency::Eur).unwrap().amount,
            129999
        );
        assert_eq!(Money::parse(".5", Currency::Gbp).unwrap().amount, 50);
        assert_eq!(Money::parse("-3", Currency::Usd).unwrap().amount, -300);
        assert_eq!(Money::parse(" 7 ", Currency::Usd).unwrap().amount, 700);
    }

    #[test]
    fn zero_decimal_currencies_have_no_minor_digits() {
        assert_eq!(Money::parse("1500", Currency::Jpy).unwrap().amount, 1500);
        assert_eq!(
            Money::parse("1500.5", Currency::Jpy),
            Err(MoneyError::TooManyDecimals {
                currency: Currency::Jpy,
                digits: 0
            })
        );
        assert_eq!(Money::new(1500, Currency::Krw).to_string(), "₩1,500");
    }

    #[test]
    fn rejects_garbage_and_too_many_decimals() {
        for bad in ["", "abc", "1.2.3", "12e3", "--1", ".", "1 000"] {
            assert!(
                Money::parse(bad, Currency::Usd).is_err(),
                "{bad:?} accepted"
            );
        }
        assert!(matches!(
            Money::parse("1.999", Currency::Usd),
            Err(MoneyError::TooManyDecimals { .. })
        ));
        assert_eq!(
            Money::parse("99999999999999999999", Currency::Usd),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn never_adds_different_currencies() {
        let usd = Money::new(100, Currency::Usd);
        let eur = Money::new(100, Currency::Eur);
        assert_eq!(
            usd.checked_add(eur),
            Err(MoneyError::CurrencyMismatch(Currency::Usd, Currency::Eur))
        );
        assert_eq!(usd.checked_add(usd).unwrap().amount, 200);
        assert_eq!(
            usd.checked_sub(Money::new(250, Currency::Usd))
                .unwrap()
                .amount,
            -150
        );
        assert_eq!(
            Money::new(i64::MAX, Currency::Usd).checked_add(usd),
            Err(MoneyError::Overflow)
        );
    }

    #[test]
    fn formats_for_people() {
        assert_eq!(Money::new(1250, Currency::Usd).to_string(), "$12.50");
        assert_eq!(Money::new(-300, Currency::Eur).to_string(), "-€3.00");
        assert_eq!(Money::new(5, Currency::Gbp).to_decimal_string(), "0.05");
        assert_eq!(Money::new(210000, Currency::Usd).to_string(), "$2,100.00");
        assert_eq!(
            Money::new(-123456789, Currency::Eur).to_string(),
            "-€1,234,567.89"
        );
        assert_eq!(Money::new(1500000, Currency::Jpy).to_string(), "¥1,500,000");
        assert_eq!(Money::new(100, Currency::Jpy).to_string(), "¥100");
    }

    #[test]
    fn serializes_as_contract_json() {
        let json = serde_json::to_string(&Money::new(1250, Currency::Usd)).unwrap();
        assert_eq!(json, r#"{"amount":1250,"currency":"USD"}"#);
        let back: Money = serde_json::from_str(r#"{"amount":99,"currency":"JPY"}"#).unwrap();
        assert_eq!(back, Money::new(99, Currency::Jpy));
    }

    #[test]
    fn currency_codes_parse_case_insensitively() {
        assert_eq!(Currency::parse("usd").unwrap(), Currency::Usd);
        assert!(Currency::parse("XYZ").is_err());
    }
}
