//! Where webhooks may go. A target is an `http` or `https` URL without credentials whose
//! host resolves only to public addresses: loopback, private (RFC 1918, unique-local
//! IPv6), link-local (cloud metadata at 169.254.169.254 included), carrier-grade NAT,
//! unspecified, multicast, broadcast, documentation and reserved ranges are refused,
//! so a configured webhook cannot reach the collector's own network. An IPv6 address
//! that carries an IPv4 one (IPv4-mapped, IPv4-translated, IPv4-compatible, 6to4) is
//! judged by that IPv4 address; Teredo, NAT64, site-local and discard-only IPv6 ranges
//! are refused outright. A host name's one trailing dot (`localhost.`) is dropped
//! before anything is judged, so the name is checked as the resolver reads it. A
//! setting allows private targets for installations (and tests) that deliver inside
//! their network.
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
    let mut url = url::Url::parse(text).map_err(|_| TargetError::NotHttp(text.to_owned()))?;
    if !matches!(url.scheme(), "http" | "https") {
        return Err(TargetError::NotHttp(text.to_owned()));
    }
    if !url.username().is_empty() || url.password().is_some() {
        return Err(TargetError::Credentials);
    }
    drop_trailing_dot(&mut url, text)?;
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

/// `name.` becomes `name` in `url` itself, so the host resolved, the host checked and
/// the host the request connects to stay one and the same.
fn drop_trailing_dot(url: &mut url::Url, text: &str) -> Result<(), TargetError> {
    let bare = match url.host() {
        Some(url::Host::Domain(domain)) => domain.strip_suffix('.').map(str::to_owned),
        _ => None,
    };
    match bare {
        None => Ok(()),
        Some(bare) if !bare.is_empty() && url.set_host(Some(&bare)).is_ok() => Ok(()),
        Some(_) => Err(TargetError::NotHttp(text.to_owned())),
    }
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

/// Refuses addresses outside the public internet unless `allow_private`; an IPv6
/// address carrying an IPv4 one is judged by the IPv4 address.
pub fn check_address(ip: IpAddr, allow_private: bool) -> Result<(), TargetError> {
    let judged = match ip {
        IpAddr::V6(v6) => embedded_v4(v6).map_or(ip, IpAddr::V4),
        v4 => v4,
    };
    let public = match judged {
        IpAddr::V4(v4) => is_public_v4(v4),
        IpAddr::V6(v6) => is_public_v6(v6),
    };
    if public || (allow_private && !is_never_allowed(judged)) {
        Ok(())
    } else {
        Err(TargetError::NotPublic(ip))
    }
}

/// The IPv4 address an IPv6 one carries and reaches: IPv4-mapped `::ffff:a.b.c.d`,
/// IPv4-translated `::ffff:0:a.b.c.d`, IPv4-compatible `::a.b.c.d` (but not `::` or
/// `::1`), and 6to4 `2002:AABB:CCDD::/48`.
fn embedded_v4(ip: Ipv6Addr) -> Option<Ipv4Addr> {
    let joined = |high: u16, low: u16| Ipv4Addr::from((u32::from(high) << 16) | u32::from(low));
    match ip.segments() {
        [0, 0, 0, 0, 0, 0xffff, high, low] | [0, 0, 0, 0, 0xffff, 0, high, low] => {
            Some(joined(high, low))
        }
        [0, 0, 0, 0, 0, 0, high, low] if !ip.is_unspecified() && !ip.is_loopback() => {
            Some(joined(high, low))
        }
        [0x2002, high, low, ..] => Some(joined(high, low)),
        _ => None,
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

/// Public IPv6 is global unicast (`2000::/3`) only: outside it lie loopback,
/// unspecified, IPv4-compatible, discard-only (`100::/64`), NAT64 (`64:ff9b::/96`,
/// `64:ff9b:1::/48`, which may reach private IPv4), unique-local, link-local,
/// site-local (`fec0::/10`) and multicast addresses. Inside it, Teredo (`2001::/32`,
/// a tunnel to an IPv4 address) and documentation ranges are refused; 6to4
/// (`2002::/16`) is judged by its IPv4 address before this.
fn is_public_v6(ip: Ipv6Addr) -> bool {
    let [first, second, ..] = ip.segments();
    (first & 0xe000) == 0x2000
        && (first, second) != (0x2001, 0) // Teredo
        && (first, second) != (0x2001, 0x0db8) // documentation
        && !(first == 0x3fff && second < 0x1000) // documentation
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
    fn ipv6_forms_that_reach_private_space_are_refused() {
        for refused in [
            "::7f00:1",
            "::127.0.0.1",
            "::a9fe:a9fe",
            "::ffff:0:127.0.0.1",
            "::ffff:0:a00:1",
            "::ffff:127.0.0.1",
            "::ffff:7f00:1",
            "2002:7f00:1::",
            "2002:a9fe:a9fe::1",
            "2002:c0a8:101:1::1",
            "2001::1",
            "2001:0:4136:e378:8000:63bf:3fff:fdd2",
            "fec0::1",
            "feff::1",
            "100::1",
            "100::ffff:ffff:ffff:ffff",
            "64:ff9b:1::a00:1",
            "3fff::1",
            "::2",
            "100:0:0:1::1",
            "4000::1",
        ] {
            let ip: IpAddr = refused.parse().expect("address");
            assert!(check_address(ip, false).is_err(), "{refused} must be refused");
        }
        for allowed in ["2002:5db8:d822::1", "::5db8:d822", "::ffff:0:8.8.8.8", "2a00:1450::1"] {
            let ip: IpAddr = allowed.parse().expect("address");
            assert_eq!(check_address(ip, false), Ok(()), "{allowed}");
        }
        let refused: IpAddr = "::ffff:0:127.0.0.1".parse().expect("address");
        assert_eq!(check_address(refused, false), Err(TargetError::NotPublic(refused)));
        assert_eq!(check_address(refused, true), Ok(()), "allowed like 127.0.0.1 itself");
        assert!(check_address("::ffff:0:0.0.0.0".parse().expect("address"), true).is_err());
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
    async fn a_trailing_dot_is_judged_like_the_name_without_it() {
        assert!(matches!(parse("http://127.0.0.1./hook", false), Err(TargetError::NotPublic(_))));
        let local = parse("http://localhost.:9/hook", false).expect("a name");
        assert_eq!(local.host, "localhost");
        assert_eq!(local.url.as_str(), "http://localhost:9/hook", "the request goes there too");
        assert!(matches!(resolve(&local, false).await, Err(TargetError::NotPublic(_))));
        assert!(resolve(&local, true).await.is_ok_and(|found| !found.is_empty()));
        assert!(matches!(parse("http://./", false), Err(TargetError::NotHttp(_))));
    }

    #[tokio::test]
    async fn names_are_checked_on_what_they_resolve_to() {
        let local = parse("http://localhost:9/", false).expect("a name");
        assert!(matches!(resolve(&local, false).await, Err(TargetError::NotPublic(_))));
        let addresses = resolve(&local, true).await.expect("allowed by the setting");
        assert!(addresses.iter().all(|address| address.ip().is_loopback()));
    }
}
