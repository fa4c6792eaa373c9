//! Local days and periods. The database has no time-zone rules (SQLite has none at all), so the
//! reseller's calendar is worked out here, in their time zone, and sent to SQL as plain
//! `YYYY-MM-DD` bounds; stored days (`acquired_on`, `sold_on`, ledger days) are local already.

use jiff::{ToSpan, civil::Date, tz::TimeZone};
use time::OffsetDateTime;

use super::types::{DateRange, PeriodKind, PeriodQuery};
use crate::error::AppError;

/// Longest custom period (a little over five years of days on a chart).
pub const MAX_DAYS: i32 = 2000;

/// The time zone a reseller saved, or UTC when it is unknown to this build.
pub fn zone(name: &str) -> TimeZone {
    TimeZone::get(name).unwrap_or(TimeZone::UTC)
}

/// Checks a time-zone name the reseller picked.
pub fn check_zone(name: &str) -> Result<String, AppError> {
    let name = name.trim();
    TimeZone::get(name)
        .map(|_| name.to_string())
        .map_err(|_| AppError::field("time_zone", "Pick a time zone from the list."))
}

/// Every time zone this build knows, sorted, for the picker.
pub fn zone_names() -> Vec<String> {
    let mut names: Vec<String> = jiff::tz::db()
        .available()
        .map(|n| n.as_str().to_string())
        .filter(|n| n.contains('/') || n == "UTC")
        .collect();
    names.sort();
    names.dedup();
    names
}

/// The local calendar day of an instant.
pub fn local_day(tz: &TimeZone, at: OffsetDateTime) -> Date {
    jiff::Timestamp::from_second(at.unix_timestamp())
        .map(|ts| ts.to_zoned(tz.clone()).date())
        .unwrap_or_else(|_| Date::constant(1970, 1, 1))
}

pub fn today(tz: &TimeZone) -> Date {
    jiff::Timestamp::now().to_zoned(tz.clone()).date()
}

/// Today (YYYY-MM-DD) for a user's stored time zone; UTC when they have none.
pub fn user_today(time_zone: Option<&str>) -> String {
    today(&zone(time_zone.unwrap_or("UTC"))).to_string()
}

pub fn parse_day(s: &str, field: &str) -> Result<Date, AppError> {
    s.trim()
        .parse::<Date>()
        .map_err(|_| AppError::field(field, "Enter a date as YYYY-MM-DD."))
}

pub fn days_between(from: Date, to: Date) -> i32 {
    to.since(from).map(|s| s.get_days()).unwrap_or(0)
}

/// Whole days from one stored day to another (never negative); None if either is not a date.
pub fn days_from(from: &str, to: &str) -> Option<i64> {
    let (from, to) = (from.parse::<Date>().ok()?, to.parse::<Date>().ok()?);
    Some(days_between(from, to).max(0) as i64)
}

pub fn add_days(d: Date, n: i32) -> Date {
    d.saturating_add(n.days())
}

fn first_of_quarter(d: Date) -> Date {
    let month = (d.month() - 1) / 3 * 3 + 1;
    Date::new(d.year(), month, 1).unwrap_or(d)
}

fn first_of_week(d: Date) -> Date {
    add_days(d, -(d.weekday().to_monday_zero_offset() as i32))
}

#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Days {
    pub from: Date,
    pub to: Date,
}

impl Days {
    pub fn range(&self) -> DateRange {
        DateRange {
            from: self.from.to_string(),
            to: self.to.to_string(),
        }
    }
}

/// The period asked for (the calendar week, month, quarter or year that holds `today`, or
/// the custom days) and the one before it to compare with: the previous calendar unit, or
/// for a custom period the same number of days just before.
pub fn periods(query: &PeriodQuery, today: Date) -> Result<(Days, Days), AppError> {
    let cal = |from: Date, next: Date, prev: Date| {
        (
            Days {
                from,
                to: add_days(next, -1),
            },
            Days {
                from: prev,
                to: add_days(from, -1),
            },
        )
    };
    Ok(match query.kind {
        PeriodKind::Week => {
            let from = first_of_week(today);
            cal(from, add_days(from, 7), add_days(from, -7))
        }
        PeriodKind::Month => {
            let from = today.first_of_month();
            cal(
                from,
                from.saturating_add(1.month()),
                from.saturating_sub(1.month()),
            )
        }
        PeriodKind::Quarter => {
            let from = first_of_quarter(today);
            cal(
                from,
                from.saturating_add(3.months()),
                from.saturating_sub(3.months()),
            )
        }
        PeriodKind::Year => {
            let from = today.first_of_year();
            cal(
                from,
                from.saturating_add(1.year()),
                from.saturating_sub(1.year()),
            )
        }
        PeriodKind::Custom => {
            let from = parse_day(&query.from, "from")?;
            let to = parse_day(&query.to, "to")?;
            if to < from {
                return Err(AppError::field("to", "The end comes before the start."));
            }
            let days = days_between(from, to) + 1;
            if days > MAX_DAYS {
                return Err(AppError::field(
                    "from",
                    format!("Pick at most {MAX_DAYS} days."),
                ));
            }
            (
                Days { from, to },
                Days {
                    from: add_days(from, -days),
                    to: add_days(from, -1),
                },
            )
        }
    })
}

/// Monday of the week that holds `d`.
pub fn week_of(d: Date) -> Date {
    first_of_week(d)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn q(kind: PeriodKind) -> PeriodQuery {
        PeriodQuery {
            kind,
            ..Default::default()
        }
    }

    fn d(s: &str) -> Date {
        s.parse().unwrap()
    }

    #[test]
    fn calendar_periods_and_the_ones_before() {
        let today = d("2026-03-31"); // a Tuesday
        let (now, before) = periods(&q(PeriodKind::Week), today).unwrap();
        assert_eq!(
            (now.from, now.to, before.from, before.to),
            (
                d("2026-03-30"),
                d("2026-04-05"),
                d("2026-03-23"),
                d("2026-03-29")
            )
        );
        let (now, before) = periods(&q(PeriodKind::Month), today).unwrap();
        assert_eq!(
            (now.from, now.to, before.from, before.to),
            (
                d("2026-03-01"),
                d("2026-03-31"),
                d("2026-02-01"),
                d("2026-02-28")
            )
        );
        let (now, before) = periods(&q(PeriodKind::Quarter), d("2026-05-15")).unwrap();
        assert_eq!(
            (now.from, now.to, before.from, before.to),
            (
                d("2026-04-01"),
                d("2026-06-30"),
                d("2026-01-01"),
                d("2026-03-31")
            )
        );
        let (now, before) = periods(&q(PeriodKind::Year), today).unwrap();
        assert_eq!(
            (now.from, now.to, before.from, before.to),
            (
                d("2026-01-01"),
                d("2026-12-31"),
                d("2025-01-01"),
                d("2025-12-31")
            )
        );
    }

    #[test]
    fn custom_periods_are_checked() {
        let mut query = q(PeriodKind::Custom);
        query.from = "2026-01-10".into();
        query.to = "2026-01-19".into();
        let (now, before) = periods(&query, d("2026-06-01")).unwrap();
        assert_eq!(
            (before.from, before.to, now.to),
            (d("2025-12-31"), d("2026-01-09"), d("2026-01-19"))
        );
        query.to = "2026-01-01".into();
        assert!(periods(&query, d("2026-06-01")).is_err());
        query.to = "someday".into();
        assert!(periods(&query, d("2026-06-01")).is_err());
        query.from = "2010-01-01".into();
        query.to = "2026-01-01".into();
        assert!(periods(&query, d("2026-06-01")).is_err());
    }

    #[test]
    fn local_days_follow_the_time_zone() {
        // 23:30 on 1 March in New York is already 2 March in UTC.
        let at = OffsetDateTime::from_unix_timestamp(1_772_425_800).unwrap(); // 2026-03-02T04:30Z
        assert_eq!(local_day(&zone("America/New_York"), at), d("2026-03-01"));
        assert_eq!(local_day(&zone("UTC"), at), d("2026-03-02"));
        assert_eq!(local_day(&zone("Not/AZone"), at), d("2026-03-02"));
        assert!(check_zone("Europe/Paris").is_ok());
        assert!(check_zone("Mars/Olympus").is_err());
        assert!(zone_names().iter().any(|n| n == "Asia/Tokyo"));
    }
}
