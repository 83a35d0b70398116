//! Who a log-in is for: the relying party's identifier, in one canonical spelling.

use std::fmt;

use crate::error::LoginFormatError;

/// The longest relying-party id accepted, in bytes (a DNS name's limit plus `https://` and a
/// port).
const MAX_LEN: usize = 253 + "https://".len() + ":65535".len();

/// A relying party's identifier: a lowercase DNS host name (`example.jp`) or an `https://`
/// origin (`https://login.example.jp:8443`).
///
/// Why so strict: the id is shown to the user ("Log in to example.jp") and compared byte for
/// byte by the verifier. One spelling per party means no two ids that look alike compare
/// different, and nothing a user reads can hide another name (no uppercase, no spaces, no
/// Unicode look-alikes: an internationalised name is given in its `xn--` form, as it is sent on
/// the wire).
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord)]
pub struct RelyingPartyId(String);

impl RelyingPartyId {
    /// Checks and wraps an id.
    ///
    /// # Errors
    ///
    /// [`LoginFormatError::InvalidRelyingParty`] for anything but a lowercase host name or an
    /// `https://` origin without path.
    pub fn parse(id: &str) -> Result<Self, LoginFormatError> {
        let invalid = |reason| LoginFormatError::InvalidRelyingParty {
            id: id.escape_debug().to_string(),
            reason,
        };
        if id.is_empty() {
            return Err(invalid("it is empty"));
        }
        if id.len() > MAX_LEN {
            return Err(invalid("it is too long"));
        }
        let (host, port) = match id.strip_prefix("https://") {
            Some(origin) => match origin.split_once(':') {
                Some((host, port)) => (host, Some(port)),
                None => (origin, None),
            },
            None if id.contains("://") => {
                return Err(invalid("only https:// origins are accepted"))
            }
            None => (id, None),
        };
        if let Some(port) = port {
            let valid = !port.is_empty()
                && port.len() <= 5
                && port.bytes().all(|b| b.is_ascii_digit())
                && !port.starts_with('0')
                && port.parse::<u32>().is_ok_and(|p| p <= 65_535);
            if !valid {
                return Err(invalid("the port must be a number from 1 to 65535"));
            }
        }
        check_host(host).map_err(invalid)?;
        Ok(Self(id.to_string()))
    }

    /// The id exactly as signed and compared.
    pub fn as_str(&self) -> &str {
        &self.0
    }

    /// The host name, for people: `login.example.jp` for `https://login.example.jp:8443`.
    pub fn host(&self) -> &str {
        let rest = self.0.strip_prefix("https://").unwrap_or(&self.0);
        rest.split(':').next().unwrap_or(rest)
    }
}

fn check_host(host: &str) -> Result<(), &'static str> {
    if host.is_empty() || host.len() > 253 {
        return Err("the host name must have 1 to 253 characters");
    }
    if host.bytes().any(|b| b.is_ascii_uppercase()) {
        return Err("the host name must be lowercase");
    }
    for label in host.split('.') {
        if label.is_empty() || label.len() > 63 {
            return Err("each label of the host name has 1 to 63 characters");
        }
        if !label
            .bytes()
            .all(|b| b.is_ascii_lowercase() || b.is_ascii_digit() || b == b'-')
        {
            return Err(
                "a host name has only a-z, 0-9, '-' and '.' (use the xn-- form for other scripts)",
            );
        }
        if label.starts_with('-') || label.ends_with('-') {
            return Err("a label of the host name cannot start or end with '-'");
        }
    }
    Ok(())
}

impl fmt::Display for RelyingPartyId {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.0)
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn host_names_and_https_origins_are_accepted() {
        for id in [
            "example.jp",
            "login.example.jp",
            "localhost",
            "xn--eckwd4c7c.jp",
            "https://example.jp",
            "https://login.example.jp:8443",
        ] {
            assert_eq!(RelyingPartyId::parse(id).unwrap().as_str(), id);
        }
        let origin = RelyingPartyId::parse("https://login.example.jp:8443").unwrap();
        assert_eq!(origin.host(), "login.example.jp");
        assert_eq!(
            RelyingPartyId::parse("example.jp").unwrap().host(),
            "example.jp"
        );
    }

    #[test]
    fn anything_that_could_be_misread_is_refused() {
        for id in [
            "",
            "Example.jp",
            "example.jp/",
            "http://example.jp",
            "https://example.jp/login",
            "https://example.jp:0",
            "https://example.jp:65536",
            "https://example.jp:",
            "exa mple.jp",
            "example..jp",
            "-example.jp",
            "例え.jp",
            "example.jp\u{202e}",
            "user@example.jp",
        ] {
            assert!(RelyingPartyId::parse(id).is_err(), "{id:?} accepted");
        }
    }
}
