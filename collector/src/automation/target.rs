//! Where webhooks may go. A target is an `http` or `https` URL without credentials whose
//! host resolves only to public addresses: loopback, private (RFC 1918, unique-local
//! IPv6), link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT,
//! unspecified, multicast, broadcast, documentation and reserved ranges are refused,
//! so a configured webhook cannot reach the collector's own network. A setting allows
//! private targets for installations (and tests) that deliver inside their network.
//! The check runs on the resolved addresses at delivery time, and the connection is
//! made to the address checked, so a DNS answer cannot change between check and use.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};

/// Why a webhook target is refused.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum TargetError {
    #[error("not an absolute http(s) URL: {0}")]
    NotHttp(String),
    #[error("the URL carries credentials; use the endpoint's secret instead")]
    Credentials,
    #[error("{0} is not a public address (loopback, private, link-local or reserved)")]
    NotPublic(IpAddr),
    #[error("the host resolves to no address")]
    Unresolved,
}

/// A checked URL: its host and port, to resolve at delivery time.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Target {
    pub url: url::Url,
    pub host: String,
    pub port: u16,
}

/// Checks the form of `text` (scheme, credentials, a literal address's range).
pub fn parse(text: &str, allow_private: bool) -> Result<Target, TargetError> {
    let url = url::Url::parse(text).map_err(|_| TargetError::NotHttp(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::NotHttp(text.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    let host = match url.host() {
        Some(url::Host::Domain(domain)) => domain.to_owned(),
        Some(url::Host::Ipv4(ip)) => {
            check_address(IpAddr::V4(ip), allow_private)?;
            ip.to_string()
        }
        Some(url::Host::Ipv6(ip)) => {
            check_address(IpAddr::V6(ip), allow_private)?;
            ip.to_string()
        }
        None => return Err(TargetError::NotHttp(text.to_owned())),
    };
    let port = url.port_or_known_default().ok_or_else(|| TargetError::NotHttp(text.to_owned()))?;
    Ok(Target { url, host, port })
}

/// Resolves `target` and keeps the addresses allowed; fails if any is not, so a host
/// with one private address is refused as a whole.
pub async fn resolve(target: &Target, allow_private: bool) -> Result<Vec<SocketAddr>, TargetError> {
    let addresses: Vec<SocketAddr> = tokio::net::lookup_host((target.host.as_str(), target.port))
        .await
        .map_err(|_| TargetError::Unresolved)?
        .collect();
    if addresses.is_empty() {
        return Err(TargetError::Unresolved);
    }
    for address in &addresses {
        check_address(address.ip(), allow_private)?;
    }
    Ok(addresses)
}

/// Refuses addresses outside the public internet unless `allow_private`.
pub fn check_address(ip: IpAddr, allow_private: bool) -> Result<(), TargetError> {
    let ip = match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let public = match ip {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    };
    if public || (allow_private && !is_never_allowed(ip)) {
        Ok(())
    } else {
        Err(TargetError::NotPublic(ip))
    }
}

/// Unspecified, broadcast and multicast are refused even where private targets are
/// allowed: nothing answers a webhook there.
fn is_never_allowed(ip: IpAddr) -> bool {
    ip.is_unspecified() || ip.is_multicast() || ip == IpAddr::V4(Ipv4Addr::BROADCAST)
}

fn is_public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        || (a == 100 && (64..128).contains(&b)) // carrier-grade NAT
        || (a == 192 && b == 0 && c == 0) // IETF protocol assignments
        || (a == 198 && (b == 18 || b == 19)) // benchmarking
        || a >= 240) // reserved
}

fn is_public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        || (first & 0xfe00) == 0xfc00 // unique local
        || (first & 0xffc0) == 0xfe80 // link-local
        || first == 0x2001 && ip.segments()[1] == 0x0db8 // documentation
        || first == 0x0064 && ip.segments()[1] == 0xff9b) // NAT64 (may reach IPv4 private)
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn only_public_addresses_pass_by_default() {
        for refused in [
            "127.0.0.1",
            "10.1.2.3",
            "172.16.0.1",
            "192.168.1.1",
            "169.254.169.254",
            "100.64.0.1",
            "0.0.0.0",
            "255.255.255.255",
            "224.0.0.1",
            "192.0.2.1",
            "240.0.0.1",
            "::1",
            "fd00::1",
            "fe80::1",
            "::ffff:127.0.0.1",
            "::ffff:10.0.0.1",
            "64:ff9b::a00:1",
            "2001:db8::1",
        ] {
            let ip: IpAddr = refused.parse().expect("address");
            assert!(check_address(ip, false).is_err(), "{refused} must be refused");
        }
        for allowed in ["93.184.216.34", "8.8.8.8", "2606:4700::1111", "::ffff:93.184.216.34"] {
            let ip: IpAddr = allowed.parse().expect("address");
            assert_eq!(check_address(ip, false), Ok(()), "{allowed}");
        }
    }

    #[test]
    fn the_setting_allows_private_targets_but_never_unroutable_ones() {
        assert_eq!(check_address("127.0.0.1".parse().expect("ip"), true), Ok(()));
        assert_eq!(check_address("10.0.0.5".parse().expect("ip"), true), Ok(()));
        assert!(check_address("0.0.0.0".parse().expect("ip"), true).is_err());
        assert!(check_address("224.0.0.1".parse().expect("ip"), true).is_err());
    }

    #[test]
    fn urls_are_checked_for_scheme_credentials_and_literal_addresses() {
        let target = parse("https://crm.example.com/hooks/kindling", false).expect("valid");
        assert_eq!((target.host.as_str(), target.port), ("crm.example.com", 443));
        assert!(matches!(parse("ftp://example.com/", false), Err(TargetError::NotHttp(_))));
        assert!(matches!(parse("/relative", false), Err(TargetError::NotHttp(_))));
        assert_eq!(parse("https://user:pw@example.com/", false), Err(TargetError::Credentials));
        assert!(matches!(
            parse("http://169.254.169.254/latest/", false),
            Err(TargetError::NotPublic(_))
        ));
        assert!(matches!(parse("http://[::1]:8080/", false), Err(TargetError::NotPublic(_))));
        assert!(parse("http://127.0.0.1:9000/hook", true).is_ok());
    }

    #[tokio::test]
    async fn names_are_checked_on_what_they_resolve_to() {
        let local = parse("http://localhost:9/", false).expect("a name");
        assert!(matches!(resolve(&local, false).await, Err(TargetError::NotPublic(_))));
        let addresses = resolve(&local, true).await.expect("allowed by the setting");
        assert!(addresses.iter().all(|address| address.ip().is_loopback()));
    }
}
