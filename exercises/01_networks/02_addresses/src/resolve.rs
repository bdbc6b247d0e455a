//! Turning the name `localhost` into addresses, through the system resolver.

use std::io;
use std::net::SocketAddr;

/// The addresses `localhost` resolves to, each with `port`.
///
/// Asks the system resolver (`getaddrinfo`, through [`ToSocketAddrs`](std::net::ToSocketAddrs)), which
/// answers `localhost` from `/etc/hosts` or its own built-in rule (RFC 6761), so
/// no DNS server is asked. The answers pass through [`loopback_only`]: a
/// misconfigured hosts file must not send "local" traffic to another machine.
///
/// Order is the resolver's (often `::1` before `127.0.0.1`); duplicates are
/// removed. Any port is allowed, 0 included (bind to it to get a free port).
///
/// # Errors
///
/// The resolver's error, or [`io::ErrorKind::NotFound`] when no answer is a
/// loopback address.
pub fn resolve_localhost(_port: u16) -> io::Result<Vec<SocketAddr>> {
    todo!(
        "write resolve_localhost: ask the system resolver with (\"localhost\", port), keep \
         the answers loopback_only lets through, and fail with ErrorKind::NotFound if none \
         is left (lesson 01.2, 'Name resolution')"
    )
}

/// Keeps the loopback addresses of `addrs` (as [`classify`](crate::classify) sees them, so
/// `::ffff:127.0.0.1` counts), in order, each once.
pub fn loopback_only(_addrs: impl IntoIterator<Item = SocketAddr>) -> Vec<SocketAddr> {
    todo!(
        "write loopback_only: keep each address that classify() calls Loopback, in order, \
         skipping repeats (lesson 01.2, 'Name resolution')"
    )
}
