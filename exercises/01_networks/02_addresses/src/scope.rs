//! Where an IP address is meaningful: this host, this link, a private network,
//! or the whole Internet.

use std::net::IpAddr;

/// How far an address reaches: the answer to "who can send packets to it?".
///
/// [`classify`] gives every address exactly one scope, from the tables in its
/// documentation (taken from the IANA special-purpose address registries and the
/// RFCs they cite).
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
pub enum Scope {
    /// `0.0.0.0` or `::`: no address at all. Binding to it means "every local
    /// address"; it is never a destination.
    Unspecified,
    /// `127.0.0.0/8` or `::1`: this host only. Packets never reach a network card.
    Loopback,
    /// `169.254.0.0/16` or `fe80::/10`: this network link only; routers never
    /// forward it.
    LinkLocal,
    /// Private networks (RFC 1918, RFC 6598 shared space, IPv6 unique local):
    /// reachable inside one organisation's (or one carrier's) network, usually
    /// behind NAT, never routed on the public Internet.
    Private,
    /// A group address (`224.0.0.0/4`, `ff00::/8`): one packet, many receivers.
    Multicast,
    /// Set aside for examples in documents and books (RFC 5737, RFC 3849,
    /// RFC 9637): never assigned to a real host.
    Documentation,
    /// Any other special-purpose range: reserved for the future or for protocol
    /// use, benchmarking, the limited broadcast address, deprecated forms.
    /// Not a usable unicast destination on the Internet.
    Reserved,
    /// Everything else: a public address, reachable from anywhere on the Internet.
    Global,
}

/// The scope of `addr`.
///
/// IPv4, first match wins:
///
/// | range | scope |
/// |---|---|
/// | `0.0.0.0/32` | Unspecified |
/// | `0.0.0.0/8` | Reserved ("this network") |
/// | `10.0.0.0/8`, `172.16.0.0/12`, `192.168.0.0/16` | Private (RFC 1918) |
/// | `100.64.0.0/10` | Private (carrier-grade NAT, RFC 6598) |
/// | `127.0.0.0/8` | Loopback |
/// | `169.254.0.0/16` | LinkLocal |
/// | `192.0.0.9/32`, `192.0.0.10/32` | Global (anycast services) |
/// | `192.0.0.0/24` | Reserved (IETF protocol assignments) |
/// | `192.0.2.0/24`, `198.51.100.0/24`, `203.0.113.0/24` | Documentation |
/// | `192.88.99.0/24` | Reserved (6to4 relay anycast, deprecated by RFC 7526) |
/// | `198.18.0.0/15` | Reserved (benchmarking) |
/// | `224.0.0.0/4` | Multicast |
/// | `240.0.0.0/4`, including `255.255.255.255` | Reserved |
/// | anything else | Global |
///
/// IPv6, first match wins:
///
/// | range | scope |
/// |---|---|
/// | `::/128` | Unspecified |
/// | `::1/128` | Loopback |
/// | `::ffff:0:0/96` (IPv4-mapped) | the scope of the embedded IPv4 address |
/// | `::/96` (IPv4-compatible, deprecated) | Reserved |
/// | `64:ff9b:1::/48` | Private (local-use NAT64, RFC 8215) |
/// | `100::/64`, `100:0:0:1::/64` | Reserved (discard-only, dummy prefix) |
/// | `2001:1::1/128`, `2001:1::2/128`, `2001:1::3/128` | Global (anycast services) |
/// | `2001:3::/32`, `2001:4:112::/48`, `2001:20::/28`, `2001:30::/28` | Global (public services) |
/// | `2001::/23` (Teredo `2001::/32` and benchmarking `2001:2::/48` included) | Reserved (IETF protocol assignments) |
/// | `5f00::/16` | Reserved (SRv6 segment identifiers, RFC 9602) |
/// | `2001:db8::/32`, `3fff::/20` | Documentation |
/// | `fc00::/7` | Private (unique local) |
/// | `fe80::/10` | LinkLocal |
/// | `ff00::/8` | Multicast |
/// | anything else (including deprecated site-local `fec0::/10`, RFC 4291) | Global |
pub fn classify(_addr: IpAddr) -> Scope {
    todo!(
        "write classify: the two tables above as (network, prefix length, scope) rows, \
         most specific first; return the scope of the first row whose network holds the \
         address, after unwrapping IPv4-mapped IPv6 \
         (lesson 01.2, 'Who can reach an address: scopes')"
    )
}
