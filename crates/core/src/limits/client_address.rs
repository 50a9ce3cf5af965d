//! Who a request comes from, and how the limits count it.
//!
//! The client address is the connection's peer unless that peer is one of the configured
//! reverse proxies; only then is `X-Forwarded-For` believed (RFC 9700 §4.13, checklist 76).
//! IPv6 addresses are counted per /64, the block one subscriber is given (RFC 6177), so that
//! moving through one's own addresses does not escape a limit.

use std::net::{IpAddr, Ipv6Addr, SocketAddr};

use ipnet::IpNet;

/// The reverse proxies whose `X-Forwarded-For` is believed.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct TrustedProxies(Vec<IpNet>);

impl TrustedProxies {
    /// Parses addresses (`10.0.0.1`) and CIDR ranges (`10.0.0.0/8`); a bad entry gives its
    /// index and why.
    pub fn parse(entries: &[String]) -> Result<Self, (usize, String)> {
        entries
            .iter()
            .enumerate()
            .map(|(i, entry)| {
                let entry = entry.trim();
                entry
                    .parse::<IpNet>()
                    .or_else(|_| entry.parse::<IpAddr>().map(IpNet::from))
                    .map(|net| net.trunc())
                    .map_err(|_| {
                        (
                            i,
                            format!(
                                "{entry:?} is not an IP address or a CIDR range such as 10.0.0.0/8"
                            ),
                        )
                    })
            })
            .collect::<Result<Vec<_>, _>>()
            .map(TrustedProxies)
    }

    pub fn contains(&self, ip: IpAddr) -> bool {
        let ip = canonical(ip);
        self.0.iter().any(|net| net.contains(&ip))
    }
}

/// An IPv4-mapped IPv6 address (`::ffff:192.0.2.1`, how a dual-stack socket reports an IPv4
/// peer) as the IPv4 address it is.
pub fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => v6.to_ipv4_mapped().map(IpAddr::V4).unwrap_or(ip),
        v4 => v4,
    }
}

/// The client's address. From a peer that is not a trusted proxy: the peer. From a trusted
/// proxy: `X-Forwarded-For` read from the right (each proxy appends the address it was
/// connected from), and the first entry that is not itself a trusted proxy; entries to its left
/// came from the client and are not believed. An unreadable entry stops the walk at the last
/// proxy, which a trusted proxy never causes. `forwarded_for` holds the header's values in the
/// order received (several headers form one list, RFC 9110 §5.3).
pub fn client_address(peer: IpAddr, forwarded_for: &[&str], trusted: &TrustedProxies) -> IpAddr {
    let mut client = canonical(peer);
    if !trusted.contains(client) {
        return client;
    }
    for value in forwarded_for.iter().rev() {
        for hop in value.rsplit(',') {
            let Some(hop) = parse_hop(hop) else {
                return client;
            };
            client = hop;
            if !trusted.contains(hop) {
                return hop;
            }
        }
    }
    client
}

/// One `X-Forwarded-For` entry: an address, possibly with a port (`192.0.2.1:4711`,
/// `[2001:db8::1]:4711`), as some proxies write it.
fn parse_hop(hop: &str) -> Option<IpAddr> {
    let hop = hop.trim();
    hop.parse::<IpAddr>()
        .or_else(|_| hop.parse::<SocketAddr>().map(|s| s.ip()))
        .ok()
        .map(canonical)
}

/// How the limits count a client address: IPv4 as itself, IPv6 by its /64.
pub fn counted_as(ip: IpAddr) -> String {
    match canonical(ip) {
        IpAddr::V4(v4) => v4.to_string(),
        IpAddr::V6(v6) => {
            let network = u128::from(v6) & !(u128::MAX >> 64);
            format!("{}/64", Ipv6Addr::from(network))
        }
    }
}

/// [`counted_as`] for an address given as text; text that is no address counts as itself.
pub fn counted_as_text(ip: &str) -> String {
    ip.parse::<IpAddr>()
        .map(counted_as)
        .unwrap_or_else(|_| ip.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn proxies(list: &[&str]) -> TrustedProxies {
        TrustedProxies::parse(&list.iter().map(|s| s.to_string()).collect::<Vec<_>>()).unwrap()
    }

    fn ip(s: &str) -> IpAddr {
        s.parse().unwrap()
    }

    // RFC 9700 §4.13 / checklist 76: X-Forwarded-For is believed only from a known proxy.
    #[test]
    fn forwarded_for_from_an_unknown_peer_is_ignored() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("203.0.113.7"), &["198.51.100.1"], &trusted),
            ip("203.0.113.7")
        );
        assert_eq!(
            client_address(
                ip("10.0.0.5"),
                &["198.51.100.1"],
                &TrustedProxies::default()
            ),
            ip("10.0.0.5")
        );
    }

    #[test]
    fn the_right_most_address_that_is_not_a_proxy_is_the_client() {
        let trusted = proxies(&["10.0.0.0/8", "192.0.2.10"]);
        // The client forged the first entry; the proxies appended the rest.
        let header = "1.2.3.4, 203.0.113.7, 192.0.2.10";
        assert_eq!(
            client_address(ip("10.1.1.1"), &[header], &trusted),
            ip("203.0.113.7")
        );
        // Two header lines form one list, the later line to the right.
        assert_eq!(
            client_address(
                ip("10.1.1.1"),
                &["1.2.3.4, 203.0.113.7", "10.9.9.9"],
                &trusted
            ),
            ip("203.0.113.7")
        );
        // Ports and brackets as some proxies write them.
        assert_eq!(
            client_address(ip("10.1.1.1"), &["[2001:db8::1]:4711"], &trusted),
            ip("2001:db8::1")
        );
        assert_eq!(
            client_address(ip("10.1.1.1"), &["203.0.113.7:4711"], &trusted),
            ip("203.0.113.7")
        );
    }

    #[test]
    fn without_a_usable_forwarded_address_the_last_proxy_counts() {
        let trusted = proxies(&["10.0.0.0/8"]);
        assert_eq!(
            client_address(ip("10.1.1.1"), &[], &trusted),
            ip("10.1.1.1")
        );
        assert_eq!(
            client_address(
                ip("10.1.1.1"),
                &["203.0.113.7, garbage, 10.2.2.2"],
                &trusted
            ),
            ip("10.2.2.2")
        );
        assert_eq!(
            client_address(ip("10.1.1.1"), &["10.3.3.3, 10.2.2.2"], &trusted),
            ip("10.3.3.3")
        );
    }

    #[test]
    fn mapped_ipv4_is_ipv4() {
        let trusted = proxies(&["127.0.0.1"]);
        assert!(trusted.contains(ip("::ffff:127.0.0.1")));
        assert_eq!(counted_as(ip("::ffff:192.0.2.1")), "192.0.2.1");
    }

    #[test]
    fn ipv6_counts_per_64() {
        assert_eq!(
            counted_as(ip("2001:db8:1:2:aaaa::1")),
            counted_as(ip("2001:db8:1:2:bbbb:cccc:dddd:eeee"))
        );
        assert_eq!(counted_as(ip("2001:db8:1:2::7")), "2001:db8:1:2::/64");
        assert_ne!(
            counted_as(ip("2001:db8:1:2::1")),
            counted_as(ip("2001:db8:1:3::1"))
        );
        assert_eq!(counted_as(ip("192.0.2.1")), "192.0.2.1");
        assert_eq!(counted_as_text("unknown"), "unknown");
    }

    #[test]
    fn bad_entries_are_named_by_index() {
        let list = vec!["10.0.0.0/8".to_owned(), "10.0.0.0/33".to_owned()];
        assert_eq!(TrustedProxies::parse(&list).unwrap_err().0, 1);
        let list = vec!["proxy.internal".to_owned()];
        assert_eq!(TrustedProxies::parse(&list).unwrap_err().0, 0);
        assert!(proxies(&["::1", "fd00::/8", " 192.0.2.1 "]).contains(ip("fd12::1")));
    }
}
