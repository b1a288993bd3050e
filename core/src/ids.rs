//! Identifiers: UUIDv7 strings built from a Unix-millisecond clock and random bytes.
//!
//! Both sides create ids: the widget for visitors and events (so a resend is
//! recognised), the collector for anything it creates. Time-ordered ids keep the
//! store's unique indexes append-mostly. Formatting is done by hand, without
//! `core::fmt`, because formatting machinery costs the widget about 9 KB.

use alloc::string::String;

const HEX: &[u8; 16] = b"0123456789abcdef";

/// Builds a UUIDv7 (RFC 9562) from milliseconds since the Unix epoch and 10 random
/// bytes, in its canonical lowercase hyphenated form.
pub fn uuid_v7(unix_ms: u64, random: [u8; 10]) -> String {
    let mut bytes = [0u8; 16];
    bytes[..6].copy_from_slice(&unix_ms.to_be_bytes()[2..]);
    bytes[6..].copy_from_slice(&random);
    bytes[6] = 0x70 | (bytes[6] & 0x0f); // version 7
    bytes[8] = 0x80 | (bytes[8] & 0x3f); // RFC 9562 variant
    let mut out = String::with_capacity(36);
    for (index, byte) in bytes.iter().enumerate() {
        if matches!(index, 4 | 6 | 8 | 10) {
            out.push('-');
        }
        out.push(HEX[usize::from(byte >> 4)] as char);
        out.push(HEX[usize::from(byte & 0x0f)] as char);
    }
    out
}

/// True when `id` is a canonical lowercase hyphenated UUID of any version.
///
/// Visitor and event ids are client-generated; the collector accepts only this shape
/// so ids stay short, comparable and safe to echo back.
pub fn is_uuid(id: &str) -> bool {
    let bytes = id.as_bytes();
    bytes.len() == 36
        && bytes.iter().enumerate().all(|(index, byte)| match index {
            8 | 13 | 18 | 23 => *byte == b'-',
            _ => byte.is_ascii_digit() || (b'a'..=b'f').contains(byte),
        })
}

/// The Unix-millisecond timestamp carried by a UUIDv7, if `id` is one.
pub fn uuid_v7_millis(id: &str) -> Option<u64> {
    if !is_uuid(id) || id.as_bytes()[14] != b'7' {
        return None;
    }
    let hex: String = id.chars().filter(|c| *c != '-').take(12).collect();
    u64::from_str_radix(&hex, 16).ok()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn v7_round_trips_its_timestamp_and_sets_version_and_variant() {
        let id = uuid_v7(1_764_000_000_123, [0xff; 10]);
        assert_eq!(id.len(), 36);
        assert!(is_uuid(&id), "{id}");
        assert_eq!(&id[14..15], "7", "version nibble in {id}");
        assert!(matches!(&id[19..20], "8" | "9" | "a" | "b"), "variant in {id}");
        assert_eq!(uuid_v7_millis(&id), Some(1_764_000_000_123));
    }

    #[test]
    fn v7_ids_sort_by_time() {
        let earlier = uuid_v7(1_000, [0xff; 10]);
        let later = uuid_v7(1_001, [0x00; 10]);
        assert!(earlier < later, "{earlier} should sort before {later}");
    }

    #[test]
    fn rejects_ids_of_the_wrong_shape() {
        for bad in [
            "",
            "not-a-uuid",
            "0190f3c2-7d2a-7c4e-8a8b-0123456789AB", // uppercase
            "0190f3c27d2a7c4e8a8b0123456789ab",     // no hyphens
            "0190f3c2-7d2a-7c4e-8a8b-0123456789abc",
            "0190f3c2_7d2a-7c4e-8a8b-0123456789ab",
        ] {
            assert!(!is_uuid(bad), "{bad:?} accepted");
        }
        assert!(is_uuid("0190f3c2-7d2a-4c4e-8a8b-0123456789ab"));
        assert_eq!(uuid_v7_millis("0190f3c2-7d2a-4c4e-8a8b-0123456789ab"), None);
    }
}
