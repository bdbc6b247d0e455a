//! A client socket with its options set before it connects.

use std::io;
use std::net::{SocketAddr, TcpStream};

use crate::ClientOptions;

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
pub fn configured_client(addr: SocketAddr, options: &ClientOptions) -> io::Result<TcpStream> {
    todo!(
        "write configured_client(): refuse the values the OS would misread, create a \
         socket2::Socket, apply {options:?}, connect to {addr} and turn it into a \
         TcpStream (lesson 01.5, 'A configured client')"
    )
}
