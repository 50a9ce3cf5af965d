//! Time as a dependency: every rule that reads the time takes it from a [`Clock`], so tests can
//! set it (expiry, lockout, TOTP windows) instead of sleeping.

use std::sync::Mutex;
use std::time::Duration;

use time::OffsetDateTime;

pub trait Clock: Send + Sync + 'static {
    fn now(&self) -> OffsetDateTime;

    /// Whole seconds since the Unix epoch: how times are stored.
    fn unix(&self) -> i64 {
        self.now().unix_timestamp()
    }

    /// Milliseconds since the Unix epoch: for ordering events that can fall in one second
    /// (a grant made just before, or just after, it was revoked).
    fn unix_millis(&self) -> i64 {
        (self.now().unix_timestamp_nanos() / 1_000_000) as i64
    }
}

/// The real time.
#[derive(Debug, Default, Clone, Copy)]
pub struct SystemClock;

impl Clock for SystemClock {
    fn now(&self) -> OffsetDateTime {
        OffsetDateTime::now_utc()
    }
}

/// A clock that moves only when told: for tests.
#[derive(Debug)]
pub struct ManualClock(Mutex<OffsetDateTime>);

impl ManualClock {
    pub fn new(start: OffsetDateTime) -> Self {
        ManualClock(Mutex::new(start))
    }

    /// Starts at the real time, so values stored with it also make sense to Redis TTLs.
    pub fn starting_now() -> Self {
        Self::new(OffsetDateTime::now_utc())
    }

    pub fn advance(&self, by: Duration) {
        let mut now = self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner());
        *now += by;
    }
}

impl Clock for ManualClock {
    fn now(&self) -> OffsetDateTime {
        *self
            .0
            .lock()
            .unwrap_or_else(|poisoned| poisoned.into_inner())
    }
}

/// "2 January 2026 at 3:04pm": how GOV.UK writes dates and times.
pub fn format_time(unix: i64) -> String {
    let Ok(at) = time::OffsetDateTime::from_unix_timestamp(unix) else {
        return String::from("unknown");
    };
    let hour12 = match at.hour() % 12 {
        0 => 12,
        h => h,
    };
    let meridiem = if at.hour() < 12 { "am" } else { "pm" };
    format!(
        "{} {} {} at {}:{:02}{}",
        at.day(),
        at.month(),
        at.year(),
        hour12,
        at.minute(),
        meridiem
    )
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn times_read_as_gov_uk_writes_them() {
        assert_eq!(format_time(1_767_366_240), "2 January 2026 at 3:04pm");
        assert_eq!(format_time(0), "1 January 1970 at 12:00am");
    }
}
