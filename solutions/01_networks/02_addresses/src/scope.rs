//! Where an IP address is meaningful: this host, this link, a private network,
//! or the whole Internet.

use std::net::{IpAddr, Ipv4Addr, Ipv6Addr};

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

// ANCHOR: tables
/// IPv4 ranges, most specific first: the first range that holds an address
/// decides its scope.
const V4_RANGES: &[(Ipv4Addr, u8, Scope)] = &[
    (Ipv4Addr::new(0, 0, 0, 0), 32, Scope::Unspecified),
    (Ipv4Addr::new(0, 0, 0, 0), 8, Scope::Reserved), // "this network" (RFC 791)
    (Ipv4Addr::new(10, 0, 0, 0), 8, Scope::Private), // RFC 1918
    (Ipv4Addr::new(100, 64, 0, 0), 10, Scope::Private), // carrier-grade NAT (RFC 6598)
    (Ipv4Addr::new(127, 0, 0, 0), 8, Scope::Loopback),
    (Ipv4Addr::new(169, 254, 0, 0), 16, Scope::LinkLocal), // RFC 3927
    (Ipv4Addr::new(172, 16, 0, 0), 12, Scope::Private),    // RFC 1918
    (Ipv4Addr::new(192, 0, 0, 9), 32, Scope::Global),      // PCP anycast (RFC 7723)
    (Ipv4Addr::new(192, 0, 0, 10), 32, Scope::Global),     // TURN anycast (RFC 8155)
    (Ipv4Addr::new(192, 0, 0, 0), 24, Scope::Reserved),    // IETF protocol assignments
    (Ipv4Addr::new(192, 0, 2, 0), 24, Scope::Documentation), // TEST-NET-1 (RFC 5737)
    (Ipv4Addr::new(192, 88, 99, 0), 24, Scope::Reserved),  // 6to4 relays, deprecated (RFC 7526)
    (Ipv4Addr::new(192, 168, 0, 0), 16, Scope::Private),   // RFC 1918
    (Ipv4Addr::new(198, 18, 0, 0), 15, Scope::Reserved),   // benchmarking (RFC 2544)
    (Ipv4Addr::new(198, 51, 100, 0), 24, Scope::Documentation), // TEST-NET-2
    (Ipv4Addr::new(203, 0, 113, 0), 24, Scope::Documentation), // TEST-NET-3
    (Ipv4Addr::new(224, 0, 0, 0), 4, Scope::Multicast),
    (Ipv4Addr::new(240, 0, 0, 0), 4, Scope::Reserved), // future use + 255.255.255.255
];

/// IPv6 ranges, most specific first. IPv4-mapped addresses (`::ffff:0:0/96`) are
/// handled before this table is consulted.
const V6_RANGES: &[(Ipv6Addr, u8, Scope)] = &[
    (Ipv6Addr::UNSPECIFIED, 128, Scope::Unspecified),
    (Ipv6Addr::LOCALHOST, 128, Scope::Loopback),
    (Ipv6Addr::UNSPECIFIED, 96, Scope::Reserved), // IPv4-compatible, deprecated
    (net6(0x64, 0xff9b, 1), 48, Scope::Private),  // local-use NAT64 (RFC 8215)
    (net6(0x100, 0, 0), 64, Scope::Reserved),     // discard-only (RFC 6666)
    (DUMMY_PREFIX, 64, Scope::Reserved),
    // Inside the IETF protocol assignments 2001::/23, the public services first.
    (host6(0x2001, 1, 1), 128, Scope::Global), // PCP anycast (RFC 7723)
    (host6(0x2001, 1, 2), 128, Scope::Global), // TURN anycast (RFC 8155)
    (host6(0x2001, 1, 3), 128, Scope::Global), // DNS-SD SRP anycast (RFC 9665)
    (net6(0x2001, 3, 0), 32, Scope::Global),   // AMT (RFC 7450)
    (net6(0x2001, 4, 0x112), 48, Scope::Global), // AS112-v6 (RFC 7535)
    (net6(0x2001, 0x20, 0), 28, Scope::Global), // ORCHIDv2 (RFC 7343)
    (net6(0x2001, 0x30, 0), 28, Scope::Global), // drone remote ID (RFC 9374)
    (net6(0x2001, 0, 0), 23, Scope::Reserved), // Teredo, benchmarking, ...
    (net6(0x5f00, 0, 0), 16, Scope::Reserved), // SRv6 SIDs (RFC 9602)
    (net6(0x2001, 0xdb8, 0), 32, Scope::Documentation), // RFC 3849
    (net6(0x3fff, 0, 0), 20, Scope::Documentation), // RFC 9637
    (net6(0xfc00, 0, 0), 7, Scope::Private),   // unique local (RFC 4193)
    (net6(0xfe80, 0, 0), 10, Scope::LinkLocal),
    (net6(0xff00, 0, 0), 8, Scope::Multicast),
];

/// `100:0:0:1::`, the dummy prefix for IPv4 routes with IPv6 next hops (RFC 9780).
const DUMMY_PREFIX: Ipv6Addr = Ipv6Addr::new(0x100, 0, 0, 1, 0, 0, 0, 0);

/// An IPv6 network address from its first three groups (the rest are zero),
/// so that each table row fits on one line.
const fn net6(a: u16, b: u16, c: u16) -> Ipv6Addr {
    Ipv6Addr::new(a, b, c, 0, 0, 0, 0, 0)
}

/// A single IPv6 address `a:b::h`, for the one-address rows.
const fn host6(a: u16, b: u16, h: u16) -> Ipv6Addr {
    Ipv6Addr::new(a, b, 0, 0, 0, 0, 0, h)
}
// ANCHOR_END: tables

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
// ANCHOR: classify
pub fn classify(addr: IpAddr) -> Scope {
    match addr {
        IpAddr::V4(v4) => classify_v4(v4),
        // `to_ipv4_mapped`, not `to_ipv4`: the latter also converts the
        // deprecated IPv4-compatible form, which would turn `::1` into 0.0.0.1.
        IpAddr::V6(v6) => match v6.to_ipv4_mapped() {
            Some(v4) => classify_v4(v4),
            None => classify_v6(v6),
        },
    }
}

fn classify_v4(addr: Ipv4Addr) -> Scope {
    let bits = u128::from(u32::from(addr));
    V4_RANGES
        .iter()
        .find(|(network, len, _)| same_prefix(bits, u128::from(u32::from(*network)), *len, 32))
        .map_or(Scope::Global, |&(_, _, scope)| scope)
}

fn classify_v6(addr: Ipv6Addr) -> Scope {
    let bits = u128::from(addr);
    V6_RANGES
        .iter()
        .find(|(network, len, _)| same_prefix(bits, u128::from(*network), *len, 128))
        .map_or(Scope::Global, |&(_, _, scope)| scope)
}

/// True when the `width`-bit addresses `a` and `b` agree in their first `len`
/// bits, i.e. `a` lies in the network `b/len`.
fn same_prefix(a: u128, b: u128, len: u8, width: u32) -> bool {
    let host_bits = width - u32::from(len);
    // Drop the host part and compare what is left. `checked_shr` because shifting
    // a u128 by 128 (a /0 network) is an overflow in Rust, not 0.
    (a ^ b).checked_shr(host_bits).unwrap_or(0) == 0
}
// ANCHOR_END: classify
