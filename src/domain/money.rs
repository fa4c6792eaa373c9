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
    #[error("\"{0}\" can be read more than one way; write it like 1234.50")]
    Ambiguous(String),
    #[error("this amount is in {written}; enter it in {expected}")]
    OtherCurrency { written: String, expected: Currency },
}

impl MoneyError {
    /// Names what the person typed rather than the cleaned-up digits.
    fn with_input(self, input: &str) -> Self {
        match self {
            MoneyError::NotAnAmount(_) => MoneyError::NotAnAmount(input.to_string()),
            other => other,
        }
    }
}

/// A currency as written next to an amount: "$" alone does not say which dollar.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum WrittenCurrency {
    Dollar,
    Code(Currency),
}

/// An amount as a person wrote it, cleaned up: `decimal` is "-1234.50"-style.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct WrittenAmount {
    pub decimal: String,
    pub currency: Option<WrittenCurrency>,
}

impl WrittenAmount {
    fn currency_label(&self) -> String {
        match self.currency {
            Some(WrittenCurrency::Dollar) => "dollars".into(),
            Some(WrittenCurrency::Code(c)) => c.code().into(),
            None => String::new(),
        }
    }
}

/// Reads the spellings of an amount people type and spreadsheets hold: a currency symbol or
/// code anywhere, spaces, NBSP or apostrophes between thousands, either decimal mark,
/// a minus or accounting parentheses. Rules for the marks:
/// - both "." and "," present: the last one separates the decimals ("1.234,50", "1,234.50");
/// - one mark, several times: it groups thousands ("1,234,567");
/// - one mark once, followed by exactly three digits after a non-zero whole part: a comma
///   groups thousands ("1,234"), and so does a dot in euros ("€1.234", where it is the usual
///   thousands mark); "1.234" in dollars stays a decimal and is refused as three decimals;
///   otherwise the mark is the decimal one ("1,00", "12.5");
/// - thousands groups must be of three digits, or the input is refused as ambiguous.
///
/// `expected` is the currency the amount is meant in, when known.
pub fn read_amount(input: &str, expected: Option<Currency>) -> Result<WrittenAmount, MoneyError> {
    let raw = input.trim();
    let bad = || MoneyError::NotAnAmount(raw.to_string());
    let mut currency = None;
    let mut body = String::with_capacity(raw.len());
    let mut letters = String::new();
    for c in raw.chars() {
        match c {
            '$' => currency = currency.or(Some(WrittenCurrency::Dollar)),
            '€' => currency = Some(WrittenCurrency::Code(Currency::Eur)),
            '£' => currency = Some(WrittenCurrency::Code(Currency::Gbp)),
            '¥' | '￥' => currency = Some(WrittenCurrency::Code(Currency::Jpy)),
            '₩' => currency = Some(WrittenCurrency::Code(Currency::Krw)),
            '0'..='9' | '.' | ',' | '-' => body.push(c),
            c if c.is_alphabetic() => letters.push(c),
            // Thousands written with spaces (also NBSP and narrow NBSP) or apostrophes.
            ' ' | '\u{a0}' | '\u{202f}' | '\'' | '’' => {}
            '(' | ')' => {}
            _ => return Err(bad()),
        }
    }
    if !letters.is_empty() {
        let code = Currency::parse(&letters).map_err(|_| bad())?;
        currency = Some(WrittenCurrency::Code(code));
    }
    let parenthesised = raw.starts_with('(') && raw.ends_with(')');
    if !parenthesised && (raw.contains('(') || raw.contains(')')) {
        return Err(bad());
    }
    let negative = body.starts_with('-') || parenthesised;
    let digits = body.strip_prefix('-').unwrap_or(&body);
    if digits.is_empty() || digits.contains('-') || (parenthesised && body.starts_with('-')) {
        return Err(bad());
    }
    let last = |mark: char| digits.rfind(mark);
    let (dots, commas) = (digits.matches('.').count(), digits.matches(',').count());
    let decimal_mark = match (dots, commas) {
        (0, 0) => None,
        (d, c) if d > 0 && c > 0 => {
            let mark = if last('.') > last(',') { '.' } else { ',' };
            if digits.matches(mark).count() > 1 {
                return Err(MoneyError::Ambiguous(raw.to_string()));
            }
            Some(mark)
        }
        (1, 0) | (0, 1) => {
            let mark = if dots == 1 { '.' } else { ',' };
            let at = last(mark).unwrap_or(0);
            let whole = &digits[..at];
            let after = digits.len() - at - 1;
            let euros = match currency {
                Some(WrittenCurrency::Code(c)) => c == Currency::Eur,
                Some(WrittenCurrency::Dollar) => false,
                None => expected == Some(Currency::Eur),
            };
            let groups_thousands = after == 3
                && !whole.is_empty()
                && !whole.starts_with('0')
                && (mark == ',' || euros);
            if groups_thousands { None } else { Some(mark) }
        }
        _ => None,
    };
    let (whole, fraction) = match decimal_mark {
        Some(mark) => {
            let at = last(mark).unwrap_or(0);
            (&digits[..at], Some(&digits[at + 1..]))
        }
        None => (digits, None),
    };
    // What is left in the whole part are thousands groups: 1–3 digits, then threes.
    let groups: Vec<&str> = whole.split([',', '.']).collect();
    if groups.len() > 1 {
        let first_ok = (1..=3).contains(&groups[0].len());
        if !first_ok || groups[1..].iter().any(|g| g.len() != 3) {
            return Err(MoneyError::Ambiguous(raw.to_string()));
        }
    }
    let whole: String = groups.concat();
    let mut decimal = match fraction {
        Some("") => return Err(bad()),
        Some(f) => format!("{}.{f}", if whole.is_empty() { "0" } else { &whole }),
        None => whole,
    };
    if negative {
        decimal.insert(0, '-');
    }
    Ok(WrittenAmount { decimal, currency })
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

    /// Parses an amount typed by a person, in every spelling the spreadsheet import reads:
    /// "12.50", "$1,299.99", "1.234,50 €", "1,00" (one unit), "1 234,50", "USD 90", "(12.00)".
    /// This is the one money parser: forms, refunds, shipping rates and imports all use it.
    /// A symbol or code of another currency is refused, and so is a grouping that could be
    /// read two ways ("1,23,4") — never guessed.
    pub fn parse(input: &str, currency: Currency) -> Result<Self, MoneyError> {
        let written = read_amount(input, Some(currency))?;
        let compatible = match written.currency {
            None => true,
            Some(WrittenCurrency::Dollar) => currency.symbol() == "$",
            Some(WrittenCurrency::Code(c)) => c == currency,
        };
        if !compatible {
            return Err(MoneyError::OtherCurrency {
                written: written.currency_label(),
                expected: currency,
            });
        }
        Self::from_plain_decimal(&written.decimal, currency).map_err(|e| e.with_input(input.trim()))
    }

    /// "-1234.5" (digits, at most one dot, optional leading minus) → minor units.
    fn from_plain_decimal(digits: &str, currency: Currency) -> Result<Self, MoneyError> {
        let bad = || MoneyError::NotAnAmount(digits.to_string());
        let (negative, digits) = match digits.strip_prefix('-') {
            Some(rest) => (true, rest),
            None => (false, digits),
        };
        let (whole, frac) = digits.split_once('.').unwrap_or((digits, ""));
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

impl Money {
    /// A short amount for a chart's axis: "$950", "$4.3k", "-€12k", "¥1.5M" (whole units,
    /// one decimal only below ten of the step).
    pub fn compact(self) -> String {
        let units = self.amount as f64 / 10f64.powi(self.currency.exponent() as i32);
        let sign = if units < 0.0 { "-" } else { "" };
        let abs = units.abs();
        let (value, suffix) = if abs >= 1e9 {
            (abs / 1e9, "B")
        } else if abs >= 1e6 {
            (abs / 1e6, "M")
        } else if abs >= 1e3 {
            (abs / 1e3, "k")
        } else {
            (abs, "")
        };
        let number = if suffix.is_empty() || value >= 10.0 {
            format!("{}", value.round())
        } else {
            let s = format!("{value:.1}");
            s.strip_suffix(".0").map(str::to_string).unwrap_or(s)
        };
        format!("{sign}{}{number}{suffix}", self.currency.symbol())
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
    fn compact_amounts_for_chart_axes() {
        let usd = |a| Money::new(a, Currency::Usd).compact();
        assert_eq!(usd(0), "$0");
        assert_eq!(usd(95_049), "$950");
        assert_eq!(usd(426_000), "$4.3k");
        assert_eq!(usd(400_000), "$4k");
        assert_eq!(usd(1_250_000), "$13k");
        assert_eq!(usd(-1_200_000), "-$12k");
        assert_eq!(usd(150_000_000), "$1.5M");
        assert_eq!(Money::new(1_500_000, Currency::Jpy).compact(), "¥1.5M");
    }

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
        for bad in [
            "", "abc", "1.2.3", "12e3", "--1", ".", "12.", "1-2", "1*2", "=1+1",
        ] {
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
    fn reads_either_decimal_mark_like_the_import() {
        let usd = |s: &str| Money::parse(s, Currency::Usd).map(|m| m.amount);
        let eur = |s: &str| Money::parse(s, Currency::Eur).map(|m| m.amount);
        // The security review's case: a refund of "1,00" is one unit, not a hundred.
        assert_eq!(usd("1,00"), Ok(100));
        assert_eq!(eur("1.234,50"), Ok(123450));
        assert_eq!(usd("1,234.50"), Ok(123450));
        assert_eq!(usd("$180"), Ok(18000));
        assert_eq!(usd("$5,000"), Ok(500000));
        assert_eq!(eur("180,50 €"), Ok(18050));
        assert_eq!(eur("1 234,50"), Ok(123450));
        assert_eq!(usd("1,000,000"), Ok(100000000));
        assert_eq!(eur("1.234"), Ok(123400), "a dot groups thousands in euros");
        assert!(
            matches!(usd("1.234"), Err(MoneyError::TooManyDecimals { .. })),
            "but is a decimal in dollars: refused, not guessed"
        );
        assert_eq!(usd("0,50"), Ok(50));
        assert_eq!(usd("(12.00)"), Ok(-1200));
        assert_eq!(usd("USD 90"), Ok(9000));
        assert_eq!(
            Money::parse("$12", Currency::Cad).map(|m| m.amount),
            Ok(1200)
        );
        assert_eq!(
            Money::parse("CAD 12", Currency::Cad).map(|m| m.amount),
            Ok(1200)
        );
        assert_eq!(
            Money::parse("¥1,500", Currency::Jpy).map(|m| m.amount),
            Ok(1500)
        );
    }

    #[test]
    fn refuses_ambiguous_groupings_and_other_currencies() {
        for ambiguous in ["1,23,456", "12.34.56", "1.234,56,7", "1,2345.6,7"] {
            assert!(
                matches!(
                    Money::parse(ambiguous, Currency::Usd),
                    Err(MoneyError::Ambiguous(_))
                ),
                "{ambiguous:?} was guessed"
            );
        }
        assert!(matches!(
            Money::parse("€12", Currency::Usd),
            Err(MoneyError::OtherCurrency { .. })
        ));
        assert!(matches!(
            Money::parse("$12", Currency::Eur),
            Err(MoneyError::OtherCurrency { .. })
        ));
        assert_eq!(
            Money::parse("1,5", Currency::Jpy),
            Err(MoneyError::TooManyDecimals {
                currency: Currency::Jpy,
                digits: 0
            })
        );
        assert_eq!(
            Money::parse("abc", Currency::Usd).unwrap_err().to_string(),
            "\"abc\" is not an amount"
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
