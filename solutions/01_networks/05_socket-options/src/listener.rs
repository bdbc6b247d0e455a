//! A listener that a restarted server can bind again at once.

use std::io;
use std::net::{SocketAddr, TcpListener};

use socket2::{Domain, Protocol, Socket, Type};

use crate::BACKLOG;

/// Binds a TCP listener to `addr` with `SO_REUSEADDR` set, listening with a
/// backlog of [`BACKLOG`](crate::BACKLOG).
///
/// * Built step by step with `socket2::Socket`: create a socket of `addr`'s
///   family, set `SO_REUSEADDR` *before* `bind` (afterwards it is too late),
///   bind, listen, convert into a `std::net::TcpListener`.
/// * With `SO_REUSEADDR`, a server restarted on the same port binds at once
///   even while connections of its previous run wait out TIME_WAIT on that
///   port. (On Linux both the old and the new socket need the flag, which is
///   why a server sets it every time it starts.)
/// * It does not let two listeners share a port: binding an address on which
///   another socket is listening still fails with `AddrInUse`. That would be
///   `SO_REUSEPORT`, which this function must not set.
/// * On Windows, `SO_REUSEADDR` would let the port be taken from a live
///   listener, so it is left off there (Windows does not need it to rebind
///   after a restart); std makes the same choice.
/// * Any error from the OS is returned (`AddrInUse`, `AddrNotAvailable`,
///   `PermissionDenied` for ports below 1024, ...).
// ANCHOR: reusable_listener
pub fn reusable_listener(addr: SocketAddr) -> io::Result<TcpListener> {
    let socket = Socket::new(Domain::for_address(addr), Type::STREAM, Some(Protocol::TCP))?;
    // Must come before bind: bind is where the kernel looks for conflicts.
    #[cfg(not(windows))]
    socket.set_reuse_address(true)?;
    socket.bind(&addr.into())?;
    socket.listen(BACKLOG)?;
    Ok(socket.into())
}
// ANCHOR_END: reusable_listener
