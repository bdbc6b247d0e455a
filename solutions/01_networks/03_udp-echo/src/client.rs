//! The client: a request, a reply, and retries when the reply does not come.

use std::io::{self, ErrorKind};
use std::net::{Ipv4Addr, Ipv6Addr, SocketAddr, UdpSocket};
use std::time::Duration;

use crate::{UdpError, MAX_DATAGRAM, RECV_BUFFER};

/// How one attempt ended.
enum Attempt {
    /// The server answered with this datagram.
    Reply(Vec<u8>),
    /// The timeout passed with no answer.
    Silence,
    /// The OS reported ICMP "port unreachable": nobody listens there.
    Refused,
}

/// Sends `payload` to `server` as one datagram and returns the first datagram
/// the server sends back.
///
/// * Waits at most `timeout` for a reply after each send. When none comes, it
///   sends the same payload again, up to `retries` more times: at most
///   `retries + 1` datagrams in all. Then it gives up with
///   [`UdpError::TimedOut`] carrying the number of attempts. The whole call
///   takes at most about `(retries + 1) * timeout`.
/// * Uses a fresh socket bound to an ephemeral port of the server's address
///   family, and `connect`s it to `server`. A connected UDP socket sends no
///   handshake; it makes the OS drop datagrams from any other address (so a
///   stranger cannot slip in a forged reply) and report ICMP "port
///   unreachable" as an error.
/// * When the OS reports that nobody listens there (`ConnectionRefused`, or
///   `ConnectionReset` on Windows), that attempt ends at once and counts like a
///   timed-out one; if the last attempt ended that way the error is
///   [`UdpError::Refused`] instead of [`UdpError::TimedOut`].
/// * A payload longer than [`MAX_DATAGRAM`](crate::MAX_DATAGRAM) is refused
///   with [`UdpError::TooLarge`] before anything is sent. An empty payload is
///   fine: it is sent as an empty datagram.
/// * The reply is received into a [`RECV_BUFFER`](crate::RECV_BUFFER)-sized
///   buffer, so it is never truncated. It is returned as it came, whatever it
///   holds.
/// * A zero `timeout` is an [`UdpError::Io`] error of kind `InvalidInput`
///   (std refuses it, because the OS reads zero as "wait for ever"). Any other
///   I/O error is returned as [`UdpError::Io`].
// ANCHOR: request
pub fn request(
    server: SocketAddr,
    payload: &[u8],
    timeout: Duration,
    retries: u32,
) -> Result<Vec<u8>, UdpError> {
    if payload.len() > MAX_DATAGRAM {
        return Err(UdpError::TooLarge {
            len: payload.len(),
            max: MAX_DATAGRAM,
        });
    }
    let socket = connected_socket(server, timeout)?;
    let mut buf = vec![0u8; RECV_BUFFER];

    let attempts = retries.saturating_add(1);
    let mut last_refused = false;
    for _ in 0..attempts {
        match attempt(&socket, payload, &mut buf)? {
            Attempt::Reply(reply) => return Ok(reply),
            Attempt::Silence => last_refused = false,
            Attempt::Refused => last_refused = true,
        }
    }
    Err(if last_refused {
        UdpError::Refused { attempts }
    } else {
        UdpError::TimedOut { attempts }
    })
}
// ANCHOR_END: request

/// A socket on an ephemeral port, connected to `server`, whose reads give up
/// after `timeout`.
// ANCHOR: connected_socket
fn connected_socket(server: SocketAddr, timeout: Duration) -> io::Result<UdpSocket> {
    // Bind to "any address, any port" of the server's family: an IPv4 socket
    // cannot send to an IPv6 address and the other way round.
    let local: SocketAddr = if server.is_ipv4() {
        (Ipv4Addr::UNSPECIFIED, 0).into()
    } else {
        (Ipv6Addr::UNSPECIFIED, 0).into()
    };
    let socket = UdpSocket::bind(local)?;
    // No packet is sent: connect only records the peer. From now on the OS
    // drops datagrams from anyone else, and reports ICMP errors to us.
    socket.connect(server)?;
    socket.set_read_timeout(Some(timeout))?;
    Ok(socket)
}
// ANCHOR_END: connected_socket

/// One send and one wait for the answer.
// ANCHOR: attempt
fn attempt(socket: &UdpSocket, payload: &[u8], buf: &mut [u8]) -> io::Result<Attempt> {
    // The ICMP error caused by the previous attempt may be reported on this
    // send instead of on the read: it means the same thing, so the errors of
    // both calls are sorted alike.
    match socket.send(payload).and_then(|_| socket.recv(buf)) {
        Ok(len) => Ok(Attempt::Reply(buf[..len].to_vec())),
        Err(err) if matches!(err.kind(), ErrorKind::WouldBlock | ErrorKind::TimedOut) => {
            Ok(Attempt::Silence)
        }
        Err(err) if is_refusal(&err) => Ok(Attempt::Refused),
        Err(err) => Err(err),
    }
}
// ANCHOR_END: attempt

/// How a connected UDP socket reports ICMP "port unreachable": Linux and macOS
/// say `ECONNREFUSED`, Windows says `WSAECONNRESET`.
fn is_refusal(err: &io::Error) -> bool {
    matches!(
        err.kind(),
        ErrorKind::ConnectionRefused | ErrorKind::ConnectionReset
    )
}
