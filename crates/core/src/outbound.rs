//! Requests the provider makes itself: relying parties' `jwks_uri` documents and back-channel
//! logout notices, to URLs from their registrations. Checklist 40 (ASVS 13.2.4, server-side
//! request forgery): they never reach an address inside the operator's network (private,
//! link-local, loopback, CGNAT, multicast, unspecified) unless `[outbound]` allows it.
//!
//! The address checked is the one connected to: names go through [`FilteringResolver`], which
//! drops internal addresses after resolution (so a name that later resolves elsewhere, DNS
//! rebinding, gains nothing), and IP-literal hosts, which reqwest connects to without resolving,
//! are checked before the request is built. No redirects are followed and no proxy is used, so
//! neither can move a request past the check.

use std::collections::HashSet;
use std::net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr};
use std::sync::Arc;
use std::time::Duration;

use reqwest::dns::{Addrs, Name, Resolve, Resolving};
use url::Url;

use crate::config::OutboundConfig;
use crate::error::{Error, Result};

/// Why an address is not for outbound requests.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum InternalAddress {
    Loopback,
    /// RFC 1918 and IPv6 unique local addresses (RFC 4193).
    Private,
    LinkLocal,
    /// Carrier-grade NAT, RFC 6598.
    SharedAddressSpace,
    Unspecified,
    Multicast,
    Broadcast,
    /// Special-purpose ranges that are never a relying party's server (RFC 6890).
    Reserved,
}

impl InternalAddress {
    /// What `ip` is, when it is not a public unicast address.
    pub fn of(ip: IpAddr) -> Option<InternalAddress> {
        match ip {
            IpAddr::V4(v4) => Self::of_v4(v4),
            IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
                // ::ffff:a.b.c.d reaches a.b.c.d.
                Some(v4) => Self::of_v4(v4),
                None => Self::of_v6(v6),
            },
        }
    }

    fn of_v4(ip: Ipv4Addr) -> Option<InternalAddress> {
        let [a, b, ..] = ip.octets();
        Some(if ip.is_loopback() {
            InternalAddress::Loopback
        } else if ip.is_private() {
            InternalAddress::Private
        } else if ip.is_link_local() {
            InternalAddress::LinkLocal
        } else if a == 100 && (64..128).contains(&b) {
            InternalAddress::SharedAddressSpace
        } else if ip.is_unspecified() || a == 0 {
            InternalAddress::Unspecified
        } else if ip.is_multicast() {
            InternalAddress::Multicast
        } else if ip.is_broadcast() {
            InternalAddress::Broadcast
        } else if a >= 240
            || (a == 192 && b == 0 && ip.octets()[2] == 0)
            || (a == 198 && (18..20).contains(&b))
        {
            InternalAddress::Reserved
        } else {
            return None;
        })
    }

    fn of_v6(ip: Ipv6Addr) -> Option<InternalAddress> {
        let first = ip.segments()[0];
        Some(if ip.is_loopback() {
            InternalAddress::Loopback
        } else if ip.is_unspecified() {
            InternalAddress::Unspecified
        } else if ip.is_multicast() {
            InternalAddress::Multicast
        } else if first & 0xfe00 == 0xfc00 {
            InternalAddress::Private
        } else if first & 0xffc0 == 0xfe80 {
            InternalAddress::LinkLocal
        } else if let Some(v4) = ip.to_ipv4() {
            // The deprecated IPv4-compatible form ::a.b.c.d.
            return Self::of_v4(v4);
        } else {
            return None;
        })
    }

    pub fn as_str(self) -> &'static str {
        match self {
            InternalAddress::Loopback => "loopback",
            InternalAddress::Private => "private",
            InternalAddress::LinkLocal => "link-local",
            InternalAddress::SharedAddressSpace => "shared (CGNAT)",
            InternalAddress::Unspecified => "unspecified",
            InternalAddress::Multicast => "multicast",
            InternalAddress::Broadcast => "broadcast",
            InternalAddress::Reserved => "reserved",
        }
    }
}

/// Which internal addresses the operator lets the provider reach.
#[derive(Debug, Clone, Default)]
pub struct AddressPolicy {
    allow_loopback: bool,
    /// Hosts, as the configuration normalised them, exempt from the rule.
    allowed_hosts: HashSet<String>,
}

impl AddressPolicy {
    pub fn new(config: &OutboundConfig) -> Self {
        AddressPolicy {
            allow_loopback: config.allow_loopback,
            allowed_hosts: config.allowed_hosts.iter().cloned().collect(),
        }
    }

    fn exempts(&self, host: &str) -> bool {
        self.allowed_hosts.contains(&host.to_ascii_lowercase())
    }

    /// Why `ip` may not be reached, if it may not.
    pub fn refusal(&self, ip: IpAddr) -> Option<InternalAddress> {
        match InternalAddress::of(ip) {
            Some(InternalAddress::Loopback) if self.allow_loopback => None,
            other => other,
        }
    }

    /// Checks a URL whose host is an IP address (connected to without resolution). Names are
    /// checked when they resolve.
    pub fn check_url(&self, url: &Url) -> Result<()> {
        let ip = match url.host() {
            Some(url::Host::Ipv4(ip)) => IpAddr::V4(ip),
            Some(url::Host::Ipv6(ip)) => IpAddr::V6(ip),
            Some(url::Host::Domain(_)) => return Ok(()),
            None => return Err(Error::Outbound(format!("{url} has no host"))),
        };
        if self.exempts(&ip.to_string()) {
            return Ok(());
        }
        match self.refusal(ip) {
            Some(kind) => Err(Error::Outbound(format!(
                "{url}: {ip} is a {} address (see outbound.allow_loopback, outbound.allowed_hosts)",
                kind.as_str()
            ))),
            None => Ok(()),
        }
    }

    /// The resolved addresses of `host` that may be connected to.
    fn filter(&self, host: &str, resolved: impl Iterator<Item = SocketAddr>) -> Vec<SocketAddr> {
        let exempt = self.exempts(host);
        resolved
            .filter(|addr| exempt || self.refusal(addr.ip()).is_none())
            .collect()
    }
}

/// The system resolver, keeping only the addresses the policy allows.
struct FilteringResolver {
    policy: Arc<AddressPolicy>,
}

impl Resolve for FilteringResolver {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.policy.clone();
        Box::pin(async move {
            let host = name.as_str().to_owned();
            let resolved = tokio::net::lookup_host((host.as_str(), 0)).await?;
            let allowed = policy.filter(&host, resolved);
            if allowed.is_empty() {
                return Err(format!(
                    "{host} resolves to no address outbound requests may reach \
                     (see outbound.allow_loopback, outbound.allowed_hosts)"
                )
                .into());
            }
            let addrs: Addrs = Box::new(allowed.into_iter());
            Ok(addrs)
        })
    }
}

/// The provider's outbound HTTP client: short timeouts, no redirects, no proxy, and the
/// address policy on every request.
#[derive(Clone)]
pub struct Outbound {
    client: reqwest::Client,
    policy: Arc<AddressPolicy>,
}

impl Outbound {
    pub fn new(config: &OutboundConfig) -> Result<Self> {
        let policy = Arc::new(AddressPolicy::new(config));
        // No redirects: a fetched URL must be the registered one (SSRF, stack pitfall 2).
        let client = reqwest::Client::builder()
            .redirect(reqwest::redirect::Policy::none())
            .no_proxy()
            .dns_resolver(FilteringResolver {
                policy: policy.clone(),
            })
            .timeout(Duration::from_secs(5))
            .connect_timeout(Duration::from_secs(3))
            .user_agent("GOV.UK One Login")
            .build()
            .map_err(|e| Error::Internal(format!("HTTP client: {e}")))?;
        Ok(Outbound { client, policy })
    }

    pub fn get(&self, url: &Url) -> Result<reqwest::RequestBuilder> {
        self.policy.check_url(url)?;
        Ok(self.client.get(url.clone()))
    }

    pub fn post(&self, url: &Url) -> Result<reqwest::RequestBuilder> {
        self.policy.check_url(url)?;
        Ok(self.client.post(url.clone()))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn ip(text: &str) -> IpAddr {
        text.parse().unwrap()
    }

    #[test]
    fn internal_addresses_are_named() {
        use InternalAddress::*;
        let cases = [
            ("127.0.0.1", Some(Loopback)),
            ("127.8.9.10", Some(Loopback)),
            ("::1", Some(Loopback)),
            ("::ffff:127.0.0.1", Some(Loopback)),
            ("10.1.2.3", Some(Private)),
            ("172.16.0.1", Some(Private)),
            ("172.31.255.255", Some(Private)),
            ("192.168.1.1", Some(Private)),
            ("fd12:3456::1", Some(Private)),
            ("::ffff:10.0.0.1", Some(Private)),
            ("169.254.169.254", Some(LinkLocal)),
            ("fe80::1", Some(LinkLocal)),
            ("100.64.0.1", Some(SharedAddressSpace)),
            ("100.127.255.254", Some(SharedAddressSpace)),
            ("0.0.0.0", Some(Unspecified)),
            ("::", Some(Unspecified)),
            ("224.0.0.1", Some(Multicast)),
            ("ff02::1", Some(Multicast)),
            ("255.255.255.255", Some(Broadcast)),
            ("240.0.0.1", Some(Reserved)),
            ("198.18.0.1", Some(Reserved)),
            ("8.8.8.8", None),
            ("172.32.0.1", None),
            ("100.128.0.1", None),
            ("2a00:1450::1", None),
            ("::ffff:8.8.8.8", None),
        ];
        for (text, expected) in cases {
            assert_eq!(InternalAddress::of(ip(text)), expected, "{text}");
        }
    }

    fn policy(allow_loopback: bool, allowed_hosts: &[&str]) -> AddressPolicy {
        AddressPolicy::new(&OutboundConfig {
            allow_loopback,
            allowed_hosts: allowed_hosts.iter().map(|h| (*h).to_owned()).collect(),
        })
    }

    // Checklist 40: IP-literal URLs are checked before any connection.
    #[test]
    fn literal_hosts_follow_the_policy() {
        let url = |u: &str| Url::parse(u).unwrap();
        let strict = policy(false, &[]);
        assert!(strict.check_url(&url("https://203.0.114.9/jwks")).is_ok());
        assert!(
            strict
                .check_url(&url("https://rp.example.gov.uk/jwks"))
                .is_ok(),
            "names are checked when resolved"
        );
        for internal in [
            "http://127.0.0.1:8081/jwks",
            "https://[::1]/",
            "https://169.254.169.254/latest",
            "https://10.0.0.5/",
            "https://[::ffff:192.168.0.1]/",
        ] {
            let err = strict.check_url(&url(internal)).unwrap_err().to_string();
            assert!(err.contains("outbound.allow"), "{internal}: {err}");
        }
        let demo = policy(true, &[]);
        assert!(demo.check_url(&url("http://127.0.0.1:8081/jwks")).is_ok());
        assert!(
            demo.check_url(&url("https://10.0.0.5/")).is_err(),
            "loopback only"
        );
        let listed = policy(false, &["10.0.0.5"]);
        assert!(listed.check_url(&url("https://10.0.0.5/")).is_ok());
        assert!(listed.check_url(&url("https://10.0.0.6/")).is_err());
    }

    #[test]
    fn resolved_addresses_are_filtered_unless_the_host_is_listed() {
        let resolved = || {
            ["10.0.0.7:0", "8.8.8.8:0", "127.0.0.1:0"]
                .into_iter()
                .map(|a| a.parse::<SocketAddr>().unwrap())
        };
        let strict = policy(false, &[]);
        assert_eq!(
            strict.filter("rp.example", resolved()),
            vec!["8.8.8.8:0".parse().unwrap()]
        );
        assert_eq!(policy(true, &[]).filter("rp.example", resolved()).len(), 2);
        assert_eq!(
            policy(false, &["rp.internal"])
                .filter("RP.internal", resolved())
                .len(),
            3
        );
    }

    /// A server on this machine that counts its requests.
    async fn counting_server() -> (u16, Arc<std::sync::atomic::AtomicUsize>) {
        use std::sync::atomic::{AtomicUsize, Ordering};
        let hits = Arc::new(AtomicUsize::new(0));
        let counter = hits.clone();
        let app = axum::Router::new().route(
            "/",
            axum::routing::get(move || {
                counter.fetch_add(1, Ordering::SeqCst);
                async { "{}" }
            }),
        );
        let listener = tokio::net::TcpListener::bind("127.0.0.1:0").await.unwrap();
        let port = listener.local_addr().unwrap().port();
        tokio::spawn(async move { axum::serve(listener, app).await.unwrap() });
        (port, hits)
    }

    // Checklist 40, issue 11.13: a name that resolves to loopback is refused at resolution,
    // so nothing connects; the demo's allowance lets the same request through.
    #[tokio::test]
    async fn names_resolving_to_loopback_are_not_connected_to() {
        use std::sync::atomic::Ordering;
        let (port, hits) = counting_server().await;
        let url = Url::parse(&format!("http://localhost:{port}/")).unwrap();
        let strict = Outbound::new(&OutboundConfig::default()).unwrap();
        let refused = strict.get(&url).unwrap().send().await.unwrap_err();
        assert!(refused.is_connect(), "{refused:?}");
        let literal = Url::parse(&format!("http://127.0.0.1:{port}/")).unwrap();
        assert!(strict.get(&literal).is_err());
        assert_eq!(hits.load(Ordering::SeqCst), 0);
        let demo = Outbound::new(&OutboundConfig {
            allow_loopback: true,
            allowed_hosts: vec![],
        })
        .unwrap();
        assert_eq!(demo.get(&url).unwrap().send().await.unwrap().status(), 200);
        assert_eq!(
            demo.get(&literal).unwrap().send().await.unwrap().status(),
            200
        );
        assert_eq!(hits.load(Ordering::SeqCst), 2);
    }
}
