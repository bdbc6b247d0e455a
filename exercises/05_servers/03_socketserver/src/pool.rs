//! A fixed pool of worker threads, for any [`Handler`].

use std::io;
use std::net::{SocketAddr, ToSocketAddrs};
use std::sync::Arc;

use crate::base::{Listener, Stopper};
use crate::Handler;

/// Runs a [`Handler`] on a fixed number of worker threads.
///
/// At most `workers` connections are handled at once. Up to `workers` more
/// accepted connections wait in a queue; when that is full too, the accept
/// loop holds the one it has just accepted until there is room, accepts
/// nothing more meanwhile, and further clients wait in the kernel's listen
/// backlog.
#[derive(Debug)]
pub struct PoolServer<H> {
    base: Listener,
    handler: Arc<H>,
    workers: usize,
}

impl<H: Handler> PoolServer<H> {
    /// Binds to `addr`; `workers` threads will run `handler`.
    ///
    /// Fails with `ErrorKind::InvalidInput` when `workers` is 0.
    pub fn bind(addr: impl ToSocketAddrs, workers: usize, handler: H) -> io::Result<Self> {
        if workers == 0 {
            return Err(io::Error::new(
                io::ErrorKind::InvalidInput,
                "a pool needs at least one worker",
            ));
        }
        Ok(PoolServer {
            base: Listener::bind(addr)?,
            handler: Arc::new(handler),
            workers,
        })
    }

    /// The address the server listens on.
    pub fn local_addr(&self) -> SocketAddr {
        self.base.local_addr()
    }

    /// A handle that stops [`PoolServer::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        self.base.stopper()
    }

    /// Serves until stopped, with `workers` threads started here.
    ///
    /// * The accept loop puts each connection in a bounded queue (capacity
    ///   `workers`); when the queue is full the loop waits, and new clients
    ///   wait in the backlog. Never more than `workers` handlers run at once.
    /// * Each worker takes the next connection, registers it with
    ///   [`Connections::track`](crate::Connections::track) (closing it unserved
    ///   if the server is stopping), and runs the handler on it.
    /// * A handler that returns an error or panics ends that conversation only:
    ///   the worker reports it on stderr and takes the next connection, so the
    ///   pool never shrinks.
    /// * After a stop, the queue is closed; the workers close what is still
    ///   queued, unserved, and end; `run` joins them all and returns `Ok(())`.
    pub fn run(self) -> io::Result<()> {
        let _ = (&self.base, &self.handler, self.workers);
        todo!(
            "mpsc::sync_channel(workers), the Receiver in an Arc<Mutex<..>>, spawn the \
             workers (recv, track, catch_unwind around the handler), serve_forever \
             sending each connection to the queue, then drop the sender and join \
             (lesson 05.3, 'PoolServer: n workers and a bounded queue')"
        )
    }
}
