//! Thread per connection, for any [`Handler`] (Python's `ThreadingTCPServer`).

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::sync::Arc;
use std::thread::{self, JoinHandle};

use crate::base::{Connections, Listener, Stopper};
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
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        let connections = self.base.connections();
        let mut threads: Vec<JoinHandle<()>> = Vec::new();
        let result = self.base.serve_forever(|stream, peer| {
            // Join the threads that have ended as we go, so the list holds
            // only running ones, however long the server runs.
            join_finished(&mut threads);
            let handler = Arc::clone(&self.handler);
            let connections = connections.clone();
            let spawned = thread::Builder::new()
                .name(format!("handler {peer}"))
                .spawn(move || serve(&*handler, &connections, stream, peer));
            match spawned {
                Ok(thread) => threads.push(thread),
                Err(err) => eprintln!("socketserver: no thread for {peer}, closing it: {err}"),
            }
            Ok(())
        });
        // Stopped (or failed): the stop shut every tracked connection down, so
        // each handler returns soon. No thread outlives `run`.
        for thread in threads {
            report_panic(thread);
        }
        result
    }
    // ANCHOR_END: run
}

/// Serves one connection on the current thread.
fn serve<H: Handler>(handler: &H, connections: &Connections, stream: TcpStream, peer: SocketAddr) {
    // Keep `_tracked` until the handler is done; None: we are stopping.
    let Some(_tracked) = connections.track(&stream) else {
        return;
    };
    if let Err(err) = handler.handle(stream, peer) {
        eprintln!("socketserver: {peer}: {err}");
    }
}

// ANCHOR: join
/// Joins, and removes from `threads`, every thread that has finished.
fn join_finished(threads: &mut Vec<JoinHandle<()>>) {
    let (finished, running): (Vec<_>, Vec<_>) =
        threads.drain(..).partition(|thread| thread.is_finished());
    *threads = running;
    finished.into_iter().for_each(report_panic);
}

/// Waits for `thread`; if it panicked, says so. The panic stopped at the
/// thread's edge: `join` hands it over as an `Err`, and nothing else is hurt.
fn report_panic(thread: JoinHandle<()>) {
    let name = thread
        .thread()
        .name()
        .unwrap_or("a handler thread")
        .to_string();
    if thread.join().is_err() {
        eprintln!("socketserver: {name} panicked; its connection is closed");
    }
}
// ANCHOR_END: join
