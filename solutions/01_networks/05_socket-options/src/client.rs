//! A client socket with its options set before it connects.

use std::io::{self, ErrorKind};
use std::net::{SocketAddr, TcpStream};
use std::time::Duration;

use socket2::{Domain, Protocol, Socket, TcpKeepalive, Type};

use crate::{ClientOptions, Keepalive};

/// Connects to `addr` with every option of `options` applied, and returns the
/// connected stream.
///
/// * Built with `socket2::Socket`: create a socket of `addr`'s family, set the
///   options, then connect, then convert into a `std::net::TcpStream`. The
///   buffer sizes in particular must be set before connecting.
/// * An option that is `None` (or `false`) is left as the OS set it: the
///   default `ClientOptions` gives a plain socket.
/// * Values the OS would silently misread are refused with an error of kind
///   `InvalidInput` before any socket is created (so nothing connects):
///   - a `read_timeout` or `write_timeout` of zero, or under the OS's
///     resolution of one microsecond (`setsockopt` reads zero as "no
///     timeout": the call would wait for ever; std refuses it too, but
///     socket2 passes it on);
///   - a keepalive `idle` or `interval` under one second (the OS counts whole
///     seconds, so it would become 0, which Linux rejects and others treat
///     differently);
///   - a `linger` above zero but under one second (it would become 0: a reset
///     instead of a graceful close);
///   - a `linger` above 65 535 s. The OS keeps it in a C integer (16 bits
///     on Windows, 32 on Unix) and socket2 converts with `as`, which wraps:
///     65 536 s would become 0 s on Windows, 2^32 s 0 s everywhere — again
///     a reset. 65 535 s (about 18 hours) is the most every OS can hold;
///   - a `send_buffer_size` or `recv_buffer_size` above `i32::MAX`: the OS
///     takes a C `int`, and the same `as` would turn 4 GiB into 0 (the
///     smallest buffer) and 2 GiB into a negative number.
/// * Keepalive timings are applied where the OS lets a program set them
///   (Linux, macOS, Windows, the BSDs); the interval is skipped elsewhere.
/// * Any error from the OS is returned (`ConnectionRefused`, ...).
// ANCHOR: configured_client
pub fn configured_client(addr: SocketAddr, options: &ClientOptions) -> io::Result<TcpStream> {
    check(options)?;
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    apply(&socket, options)?;
    socket.connect(&addr.into())?;
    Ok(socket.into())
}
// ANCHOR_END: configured_client

// ANCHOR: apply
/// Sets every option that `options` asks for; leaves the others alone.
fn apply(socket: &Socket, options: &ClientOptions) -> io::Result<()> {
    // Buffer sizes first, and before connect: the receive buffer decides the
    // window scale, which is announced in the SYN and fixed from then on.
    if let Some(size) = options.recv_buffer_size {
        socket.set_recv_buffer_size(size)?;
    }
    if let Some(size) = options.send_buffer_size {
        socket.set_send_buffer_size(size)?;
    }
    if options.nodelay {
        socket.set_tcp_nodelay(true)?;
    }
    if let Some(keepalive) = &options.keepalive {
        // Also turns SO_KEEPALIVE on.
        socket.set_tcp_keepalive(&keepalive_params(keepalive))?;
    }
    if options.linger.is_some() {
        socket.set_linger(options.linger)?;
    }
    if options.read_timeout.is_some() {
        socket.set_read_timeout(options.read_timeout)?;
    }
    if options.write_timeout.is_some() {
        socket.set_write_timeout(options.write_timeout)?;
    }
    Ok(())
}
// ANCHOR_END: apply

/// socket2's keepalive parameters. Not every OS lets a program choose the
/// interval; where it cannot, the system default stays.
fn keepalive_params(keepalive: &Keepalive) -> TcpKeepalive {
    let params = TcpKeepalive::new().with_time(keepalive.idle);
    #[cfg(any(
        target_os = "linux",
        target_os = "android",
        target_os = "macos",
        target_os = "ios",
        target_os = "freebsd",
        target_os = "netbsd",
        target_os = "windows",
    ))]
    let params = params.with_interval(keepalive.interval);
    params
}

// ANCHOR: check
/// The longest linger every OS can hold: Windows keeps it in 16 bits.
const MAX_LINGER: Duration = Duration::from_secs(u16::MAX as u64);

/// The largest buffer size `setsockopt` can be given: it takes a C `int`.
const MAX_BUFFER: usize = i32::MAX as usize;

/// Refuses the values that `setsockopt` would silently turn into something
/// else (see [`configured_client`]).
fn check(options: &ClientOptions) -> io::Result<()> {
    for (name, timeout) in [
        ("read_timeout", options.read_timeout),
        ("write_timeout", options.write_timeout),
    ] {
        // The OS counts microseconds; a shorter timeout would become zero.
        if matches!(timeout, Some(t) if t < Duration::from_micros(1)) {
            return Err(invalid(format!(
                "a {name} of zero would mean \"wait for ever\"; use None for that"
            )));
        }
    }
    if let Some(keepalive) = &options.keepalive {
        for (name, value) in [("idle", keepalive.idle), ("interval", keepalive.interval)] {
            if value < Duration::from_secs(1) {
                return Err(invalid(format!(
                    "keepalive {name} of {value:?}: the OS counts whole seconds, at least 1"
                )));
            }
        }
    }
    for (name, size) in [
        ("send_buffer_size", options.send_buffer_size),
        ("recv_buffer_size", options.recv_buffer_size),
    ] {
        // socket2 passes the size to setsockopt as a C int, with `as`.
        if matches!(size, Some(size) if size > MAX_BUFFER) {
            return Err(invalid(format!(
                "a {name} above {MAX_BUFFER} bytes does not fit the OS's int"
            )));
        }
    }
    if let Some(linger) = options.linger {
        if !linger.is_zero() && linger < Duration::from_secs(1) {
            return Err(invalid(format!(
                "a linger of {linger:?} would be cut to 0 s, a reset; use whole seconds"
            )));
        }
        // socket2 stores the seconds with `as`, which wraps instead of failing.
        if linger > MAX_LINGER {
            return Err(invalid(format!(
                "a linger of {linger:?} does not fit the OS's field (at most {MAX_LINGER:?})"
            )));
        }
    }
    Ok(())
}
// ANCHOR_END: check

fn invalid(message: String) -> io::Error {
    io::Error::new(ErrorKind::InvalidInput, message)
}
