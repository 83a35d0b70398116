//! Instants for people. J-LIS states validity in Japan time: a notAfter of 14:59:59Z is
//! 23:59:59 JST, and a notBefore at 17:29Z falls on the next calendar day in Japan
//! (`docs/protocol.md` §6.3a). So dates are shown in JST, with the UTC instant alongside.

use time::{OffsetDateTime, UtcOffset};

/// Japan Standard Time's offset from UTC, in seconds (+09:00; Japan has no daylight saving).
pub const JST_OFFSET_SECONDS: i32 = 9 * 3600;

/// Unix seconds as RFC 3339 in JST: `2030-02-17T23:59:59+09:00`.
pub fn rfc3339_jst(unix: i64) -> String {
    format_at(unix, JST_OFFSET_SECONDS, "+09:00")
}

/// Unix seconds as RFC 3339 in UTC: `2030-02-17T14:59:59Z`.
pub fn rfc3339_utc(unix: i64) -> String {
    format_at(unix, 0, "Z")
}

fn format_at(unix: i64, offset_seconds: i32, suffix: &str) -> String {
    let offset = UtcOffset::from_whole_seconds(offset_seconds).unwrap_or(UtcOffset::UTC);
    match OffsetDateTime::from_unix_timestamp(unix) {
        Ok(t) => {
            let t = t.to_offset(offset);
            format!(
                "{:04}-{:02}-{:02}T{:02}:{:02}:{:02}{suffix}",
                t.year(),
                u8::from(t.month()),
                t.day(),
                t.hour(),
                t.minute(),
                t.second()
            )
        }
        Err(_) => unix.to_string(),
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn jst_is_nine_hours_ahead_and_crosses_the_day() {
        // 2030-02-17T14:59:59Z, the end of a J-LIS validity.
        let end = 1_897_570_799;
        assert_eq!(rfc3339_utc(end), "2030-02-17T14:59:59Z");
        assert_eq!(rfc3339_jst(end), "2030-02-17T23:59:59+09:00");
        // 17:29Z is already the next day in Japan.
        let start = 1_761_586_140; // 2025-10-27T17:29:00Z
        assert_eq!(rfc3339_utc(start), "2025-10-27T17:29:00Z");
        assert_eq!(rfc3339_jst(start), "2025-10-28T02:29:00+09:00");
    }
}
