//! `host:port` strings, as users type them and configuration files hold them.

use std::fmt;
use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::vec;

use crate::AddrError;

/// Where to connect: an IP address with a port, or a host name still to be
/// resolved, with a port.
#[derive(Clone, Debug, PartialEq, Eq, Hash)]
pub enum Endpoint {
    /// An IP literal: `1.2.3.4:80`, `[::1]:8080`. No resolver is needed.
    Addr(SocketAddr),
    /// A host name, as written (DNS names are case-insensitive, but the text is
    /// kept as given): `localhost:80`, `example.com:443`.
    Name {
        /// The host name, without brackets or port.
        host: String,
        /// The port, 1-65535.
        port: u16,
    },
}

impl Endpoint {
    /// The port of either kind of endpoint.
    pub fn port(&self) -> u16 {
        match self {
            Endpoint::Addr(addr) => addr.port(),
            Endpoint::Name { port, .. } => *port,
        }
    }
}

/// Writes the endpoint the way [`parse_endpoint`] reads it: `1.2.3.4:80`,
/// `[::1]:8080`, `localhost:80`.
impl fmt::Display for Endpoint {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            // SocketAddr's Display already puts IPv6 addresses in brackets.
            Endpoint::Addr(addr) => write!(f, "{addr}"),
            Endpoint::Name { host, port } => write!(f, "{host}:{port}"),
        }
    }
}

// ANCHOR: to_socket_addrs
/// An endpoint can be handed straight to `TcpStream::connect` or
/// `UdpSocket::send_to`: IP literals need no lookup, names go to the system
/// resolver.
impl ToSocketAddrs for Endpoint {
    type Iter = vec::IntoIter<SocketAddr>;

    fn to_socket_addrs(&self) -> io::Result<Self::Iter> {
        match self {
            Endpoint::Addr(addr) => Ok(vec![*addr].into_iter()),
            Endpoint::Name { host, port } => {
                let found: Vec<SocketAddr> = (host.as_str(), *port).to_socket_addrs()?.collect();
                Ok(found.into_iter())
            }
        }
    }
}
// ANCHOR_END: to_socket_addrs

/// Parses a port number: ASCII digits only, value 1-65535.
///
/// * `""` → [`AddrError::MissingPort`]
/// * anything but the digits `0-9` (a sign, a space, hex) → [`AddrError::InvalidPort`]
/// * above 65535, however many digits → [`AddrError::PortOutOfRange`]
/// * 0 (`0`, `00`) → [`AddrError::PortZero`]
///
/// Leading zeros are allowed: `0080` is port 80.
pub fn validate_port(_text: &str) -> Result<u16, AddrError> {
    todo!(
        "write validate_port: check for empty, then that every byte is an ASCII digit, \
         then parse and refuse 0 (lesson 01.2, 'Ports')"
    )
}

/// Parses `host:port` into an [`Endpoint`].
///
/// Accepted forms:
/// * `1.2.3.4:80` — dotted-decimal IPv4 (no leading zeros, exactly four parts);
/// * `[2001:db8::1]:443` — IPv6 in brackets (zone ids like `%eth0` are not
///   supported);
/// * `localhost:80`, `example.com.:443` — a host name (RFC 1123): labels of
///   ASCII letters, digits and `-`, 1-63 characters, not starting or ending with
///   `-`, separated by dots, at most 253 characters, plus one trailing dot
///   if there is one.
///   A name whose last label is a number — all digits, or `0x`/`0X` followed
///   by hex digits (`1.2.3`, `999.1.1.1`, `0x7f000001`, `1.2.3.0x4`) — is a
///   broken IPv4 address, not a name: the C resolver would read `0x7f000001`
///   as 127.0.0.1 (the URL standard refuses such hosts for the same reason).
///
/// The first problem found, reading left to right, is the error:
/// 1. more than one `:` outside brackets → [`AddrError::UnbracketedIpv6`];
/// 2. `[` without `]` → [`AddrError::UnclosedBracket`];
/// 3. empty host (`:80`, `[]:80`, ``) → [`AddrError::EmptyHost`];
/// 4. a host that is not as above, or not IPv6 inside brackets →
///    [`AddrError::InvalidHost`];
/// 5. text after `]` that is not `:` → [`AddrError::JunkAfterBracket`];
/// 6. no port → [`AddrError::MissingPort`]; a bad port → as [`validate_port`]
///    (so port 0 is refused: an endpoint is something to connect to).
pub fn parse_endpoint(_text: &str) -> Result<Endpoint, AddrError> {
    todo!(
        "write parse_endpoint: split host from port (`[` starts an IPv6 host that ends at \
         `]`; otherwise the one `:` separates them), check the host, then validate_port \
         (lesson 01.2, '`host:port` strings')"
    )
}
