//! Thread per connection, for any [`Handler`] (Python's `ThreadingTCPServer`).

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use crate::base::{Listener, Stopper};
use crate::Handler;

/// Runs a [`Handler`] on a new thread for every connection.
#[derive(Debug)]
pub struct ThreadingServer<H> {
    base: Listener,
    handler: Arc<H>,
}

impl<H: Handler> ThreadingServer<H> {
    /// Binds to `addr`; `handler` will serve every connection.
    pub fn bind(addr: impl ToSocketAddrs, handler: H) -> io::Result<Self> {
        Ok(ThreadingServer {
            base: Listener::bind(addr)?,
            handler: Arc::new(handler),
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.base.local_addr()
    }

    /// A handle that stops [`ThreadingServer::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        self.base.stopper()
    }

    /// Serves until stopped: every accepted connection gets a thread of its
    /// own, which runs the handler on it.
    ///
    /// * Each thread registers its connection with
    ///   [`Connections::track`](crate::Connections::track) before it calls the
    ///   handler, and closes it unserved if the server is stopping.
    /// * A handler that returns an error, or panics, ends its own thread only;
    ///   the error or the panic is reported on stderr (a panic is seen when the
    ///   thread is joined).
    /// * If no thread can be started, that client is closed and the server
    ///   goes on.
    /// * After a stop, `run` waits for every handler thread (the stop has shut
    ///   their connections down, so they are on their way out), then returns
    ///   `Ok(())`.
    pub fn run(self) -> io::Result<()> {
        let _ = (&self.base, &self.handler);
        todo!(
            "self.base.serve_forever with a dispatch that spawns a thread per \
             connection; in it: connections.track, then the handler; keep the \
             JoinHandles and join them after the loop \
             (lesson 05.3, 'ThreadingServer: a thread per connection')"
        )
    }
}
