//! Requests to addresses a user typed (alert webhooks; later channel events and catalog
//! feeds). They must never reach the server's own network: an address is checked when it is
//! saved and again, after DNS, on every request — the client's resolver drops private
//! addresses, so a name that changes to `10.0.0.5` after it was saved still cannot be reached,
//! and redirects are not followed. Plain `http` and loopback are allowed only outside
//! production (tests start their receivers on 127.0.0.1).

use std::{
    net::{IpAddr, Ipv4Addr, Ipv6Addr, SocketAddr},
    sync::Arc,
    time::Duration,
};

use reqwest::{
    Url,
    dns::{Addrs, Name, Resolve, Resolving},
};

/// Where requests may go.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Policy {
    /// Development and tests: `http://` and loopback addresses are allowed.
    pub allow_loopback: bool,
}

impl Policy {
    pub fn for_settings(settings: &super::config::Settings) -> Policy {
        Policy {
            allow_loopback: !settings.is_production(),
        }
    }

    fn allows(self, ip: IpAddr) -> bool {
        match canonical(ip) {
            ip if ip.is_loopback() => self.allow_loopback,
            IpAddr::V4(v4) => public_v4(v4),
            IpAddr::V6(v6) => public_v6(v6),
        }
    }
}

/// IPv4-mapped and IPv4-compatible IPv6 addresses are checked as the IPv4 address they carry.
fn canonical(ip: IpAddr) -> IpAddr {
    match ip {
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => IpAddr::V4(v4),
            None => IpAddr::V6(v6),
        },
        v4 => v4,
    }
}

fn public_v4(ip: Ipv4Addr) -> bool {
    let [a, b, c, _] = ip.octets();
    !(ip.is_private()
        || ip.is_loopback()
        || ip.is_link_local()
        || ip.is_unspecified()
        || ip.is_broadcast()
        || ip.is_multicast()
        || ip.is_documentation()
        || a == 0
        // Shared address space (carrier-grade NAT), 100.64.0.0/10.
        || (a == 100 && (64..128).contains(&b))
        // IETF protocol assignments, 192.0.0.0/24.
        || (a == 192 && b == 0 && c == 0)
        // Benchmarking, 198.18.0.0/15.
        || (a == 198 && (b == 18 || b == 19))
        // Reserved, 240.0.0.0/4.
        || a >= 240)
}

fn public_v6(ip: Ipv6Addr) -> bool {
    let first = ip.segments()[0];
    !(ip.is_loopback()
        || ip.is_unspecified()
        || ip.is_multicast()
        // Unique local fc00::/7, link-local fe80::/10, site-local fec0::/10.
        || (first & 0xfe00) == 0xfc00
        || (first & 0xffc0) == 0xfe80
        || (first & 0xffc0) == 0xfec0
        // Documentation 2001:db8::/32; NAT64 64:ff9b::/96 could reach IPv4 private space.
        || (first == 0x2001 && ip.segments()[1] == 0x0db8)
        || (first == 0x0064 && ip.segments()[1] == 0xff9b)
        // IPv4-compatible (deprecated) ::a.b.c.d.
        || ip.segments()[..6].iter().all(|s| *s == 0))
}

/// Why an address cannot be used, in words for the person who typed it.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
pub enum Refused {
    #[error("The address must start with https://.")]
    NotHttps,
    #[error("That is not a web address.")]
    Unreadable,
    #[error("No server answers to the name {0}: check the address.")]
    UnknownHost(String),
    #[error(
        "This address leads into a private network ({0}). Webhooks can only reach servers on the public internet."
    )]
    Private(IpAddr),
}

/// Checks an address now: its scheme, and every address its host name resolves to.
pub async fn check(url: &str, policy: Policy) -> Result<Url, Refused> {
    let url = Url::parse(url).map_err(|_| Refused::Unreadable)?;
    let host = url.host_str().ok_or(Refused::Unreadable)?.to_string();
    let port = url.port_or_known_default().unwrap_or(443);
    let literal = host.trim_start_matches('[').trim_end_matches(']');
    let addrs: Vec<IpAddr> = match literal.parse::<IpAddr>() {
        Ok(ip) => vec![ip],
        Err(_) => tokio::net::lookup_host((host.as_str(), port))
            .await
            .map_err(|_| Refused::UnknownHost(host.clone()))?
            .map(|a| a.ip())
            .collect(),
    };
    if addrs.is_empty() {
        return Err(Refused::UnknownHost(host));
    }
    // Refuse if any of them is private: the client would only drop those, but a name that
    // mixes both is someone testing the fence.
    if let Some(ip) = addrs.iter().find(|ip| !policy.allows(**ip)) {
        return Err(Refused::Private(*ip));
    }
    let loopback = addrs.iter().all(|ip| canonical(*ip).is_loopback());
    match url.scheme() {
        "https" => Ok(url),
        "http" if loopback && policy.allow_loopback => Ok(url),
        _ => Err(Refused::NotHttps),
    }
}

/// Resolves names as the system does, keeping only addresses the policy allows.
struct Fenced(Policy);

impl Resolve for Fenced {
    fn resolve(&self, name: Name) -> Resolving {
        let policy = self.0;
        let host = name.as_str().to_string();
        Box::pin(async move {
            let found: Vec<SocketAddr> = tokio::net::lookup_host((host.as_str(), 0))
                .await?
                .filter(|a| policy.allows(a.ip()))
                .collect();
            if found.is_empty() {
                return Err(format!("{host} resolves to no public address").into());
            }
            Ok(Box::new(found.into_iter()) as Addrs)
        })
    }
}

/// The client for user-supplied addresses: fenced DNS, no redirects, no proxy, short timeouts.
/// Hosts written as IP literals skip DNS: call [`check`] before each request.
pub fn client(policy: Policy) -> reqwest::Client {
    reqwest::Client::builder()
        .dns_resolver(Arc::new(Fenced(policy)))
        .redirect(reqwest::redirect::Policy::none())
        .no_proxy()
        .connect_timeout(Duration::from_secs(5))
        .timeout(Duration::from_secs(10))
        .user_agent("Flipdesk-Webhooks/1 (+https://flipdesk.app)")
        .build()
        .expect("a reqwest client with rustls builds")
}

#[cfg(test)]
mod tests {
    use super::*;

    const PRODUCTION: Policy = Policy {
        allow_loopback: false,
    };
    const DEVELOPMENT: Policy = Policy {
        allow_loopback: true,
    };

    #[tokio::test]
    async fn private_addresses_are_refused() {
        for url in [
            "https://127.0.0.1/x",
            "https://10.1.2.3/x",
            "https://172.16.0.1/x",
            "https://192.168.1.1/x",
            "https://169.254.169.254/latest/meta-data",
            "https://100.64.0.1/",
            "https://0.0.0.0/",
            "https://[::1]/",
            "https://[fd00::1]/",
            "https://[fe80::1]/",
            "https://[::ffff:10.0.0.1]/",
            "https://[::ffff:127.0.0.1]/",
            "https://localhost/",
        ] {
            assert!(
                matches!(check(url, PRODUCTION).await, Err(Refused::Private(_))),
                "{url}"
            );
        }
        // Development allows loopback, and plain http only there; never the private network.
        assert!(check("http://127.0.0.1:9/x", DEVELOPMENT).await.is_ok());
        assert!(matches!(
            check("https://10.0.0.1/", DEVELOPMENT).await,
            Err(Refused::Private(_))
        ));
        assert!(matches!(
            check("http://127.0.0.1/", PRODUCTION).await,
            Err(Refused::Private(_))
        ));
        assert!(matches!(
            check("http://8.8.8.8/", PRODUCTION).await,
            Err(Refused::NotHttps)
        ));
        assert_eq!(
            check("https://8.8.8.8/hook", PRODUCTION)
                .await
                .unwrap()
                .as_str(),
            "https://8.8.8.8/hook"
        );
        assert!(matches!(
            check("https://name.invalid/", PRODUCTION).await,
            Err(Refused::UnknownHost(_))
        ));
    }

    #[test]
    fn public_addresses_pass() {
        for ip in ["8.8.8.8", "1.1.1.1", "2606:4700::1111"] {
            assert!(PRODUCTION.allows(ip.parse().unwrap()), "{ip}");
        }
    }
}
