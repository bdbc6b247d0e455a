//! The "request handler" half of the framework: what to do with one connection.

use std::io::{self, BufReader, BufWriter};
use std::net::{SocketAddr, TcpStream};

// ANCHOR: handler
/// The conversation with one client: everything a server does with a
/// connection once it has accepted it (Python's `BaseRequestHandler.handle`).
///
/// One handler value serves every connection, on many threads at once, hence
/// `Send + Sync + 'static`: state shared by all connections (a counter, a chat
/// room) lives in the handler, behind a `Mutex` or an atomic; state of one
/// connection lives in local variables of `handle`.
///
/// * `handle` owns `stream`: returning (or panicking) drops it, which closes
///   the connection unless the handler handed it on.
/// * An `Err` is reported by the server and ends this conversation only.
/// * `handle` must return when its connection ends or fails (read returns 0, a
///   write fails): that is how a stopping server ends conversations.
pub trait Handler: Send + Sync + 'static {
    fn handle(&self, stream: TcpStream, peer: SocketAddr) -> io::Result<()>;
}

/// Any function or closure with the right signature is a handler.
impl<F> Handler for F
where
    F: Fn(TcpStream, SocketAddr) -> io::Result<()> + Send + Sync + 'static,
{
    fn handle(&self, stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
        self(stream, peer)
    }
}
// ANCHOR_END: handler

/// Echoes everything until the client half-closes or closes, then closes.
#[derive(Clone, Copy, Debug, Default)]
pub struct Echo;

impl Handler for Echo {
    /// Returns after end-of-file (`Ok`), or with the first I/O error.
    fn handle(&self, stream: TcpStream, _peer: SocketAddr) -> io::Result<()> {
        let _ = stream;
        todo!("io::copy from the stream to itself (lesson 05.3, 'Handlers: Echo and Buffered')")
    }
}

/// One connection, buffered both ways: what a [`StreamHandler`] talks through
/// (Python's `StreamRequestHandler` gives `rfile`, `wfile` and `client_address`).
#[derive(Debug)]
pub struct Conn {
    /// Read from here: `read_line`, `lines`, `read_until` (`BufRead`).
    pub reader: BufReader<TcpStream>,
    /// Write replies here. Buffered: bytes go out when the buffer fills, when
    /// you `flush`, and when the handler returns. A handler that waits for
    /// the client's answer must `flush` its question first.
    pub writer: BufWriter<TcpStream>,
    /// The client's address.
    pub peer: SocketAddr,
}

/// A handler that talks through a buffered [`Conn`] instead of a raw stream.
/// Wrap it in [`Buffered`] to run it on a server.
pub trait StreamHandler: Send + Sync + 'static {
    fn handle(&self, conn: &mut Conn) -> io::Result<()>;
}

/// Runs a [`StreamHandler`] as a [`Handler`]: set up the buffers, handle, finish.
#[derive(Clone, Copy, Debug, Default)]
pub struct Buffered<H>(pub H);

impl<H: StreamHandler> Handler for Buffered<H> {
    /// 1. Setup: a [`Conn`] with a `BufReader` on a second handle of the
    ///    socket (`try_clone`) and a `BufWriter` on `stream`.
    /// 2. Handle: the inner handler's `handle(&mut conn)`.
    /// 3. Finish: flush the writer, *also when the handler failed*, so that
    ///    whatever it wrote (an error message, say) reaches the client.
    ///
    /// Returns the handler's error if it failed, else the flush's; `Ok(())`
    /// when both succeeded. Dropping the `Conn` then closes both handles.
    fn handle(&self, stream: TcpStream, peer: SocketAddr) -> io::Result<()> {
        let _ = (&self.0, stream, peer);
        todo!(
            "setup a Conn (BufReader on stream.try_clone(), BufWriter on stream), \
             call self.0.handle, flush the writer whatever happened \
             (lesson 05.3, 'Handlers: Echo and Buffered')"
        )
    }
}
