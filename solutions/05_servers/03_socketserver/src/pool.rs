//! A fixed pool of worker threads, for any [`Handler`].

use std::io;
use std::net::{SocketAddr, TcpStream, ToSocketAddrs};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver};
use std::sync::{Arc, Mutex, PoisonError};
use std::thread::{self, JoinHandle};

use crate::base::{Connections, Listener, Stopper};
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

/// An accepted connection waiting for a worker.
struct Job {
    stream: TcpStream,
    peer: SocketAddr,
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
    // ANCHOR: run
    pub fn run(self) -> io::Result<()> {
        // A `sync_channel` is bounded: `send` waits while it holds `workers`
        // jobs. That wait is the back-pressure that leaves clients in the backlog.
        let (queue, jobs) = mpsc::sync_channel::<Job>(self.workers);
        // A Receiver cannot be shared (it is not Sync); a Mutex makes it so.
        let jobs = Arc::new(Mutex::new(jobs));
        let mut workers = Vec::with_capacity(self.workers);
        let mut result = Ok(());
        for id in 0..self.workers {
            match self.spawn_worker(id, &jobs) {
                Ok(worker) => workers.push(worker),
                Err(err) => {
                    result = Err(err);
                    break;
                }
            }
        }
        if result.is_ok() {
            result = self.base.serve_forever(|stream, peer| {
                queue
                    .send(Job { stream, peer })
                    .map_err(|_| io::Error::other("every worker of the pool has ended"))
            });
        }
        // Closing the queue is the workers' signal to end, once it is empty.
        drop(queue);
        for worker in workers {
            let _ = worker.join();
        }
        result
    }
    // ANCHOR_END: run

    fn spawn_worker(
        &self,
        id: usize,
        jobs: &Arc<Mutex<Receiver<Job>>>,
    ) -> io::Result<JoinHandle<()>> {
        let jobs = Arc::clone(jobs);
        let handler = Arc::clone(&self.handler);
        let connections = self.base.connections();
        thread::Builder::new()
            .name(format!("pool worker {id}"))
            .spawn(move || work(&jobs, &*handler, &connections))
    }
}

// ANCHOR: work
/// A worker's life: take a job, serve it, repeat, until the queue is closed.
fn work<H: Handler>(jobs: &Mutex<Receiver<Job>>, handler: &H, connections: &Connections) {
    loop {
        // The lock is held only while waiting for a job (the guard is a
        // temporary, dropped at the end of this statement), never while
        // serving one: the other workers can take jobs meanwhile.
        let job = jobs.lock().unwrap_or_else(PoisonError::into_inner).recv();
        let Ok(Job { stream, peer }) = job else {
            return; // the queue is closed and empty: the server has stopped
        };
        let Some(_tracked) = connections.track(&stream) else {
            continue; // stopping: `stream` is dropped here, closed unserved
        };
        // A panic in the handler must not end this thread: the pool would
        // lose a worker for good. `catch_unwind` stops it here; the panic
        // message has been printed already.
        match panic::catch_unwind(AssertUnwindSafe(|| handler.handle(stream, peer))) {
            Ok(Ok(())) => {}
            Ok(Err(err)) => eprintln!("socketserver: {peer}: {err}"),
            Err(_) => eprintln!("socketserver: the handler for {peer} panicked; worker goes on"),
        }
    }
}
// ANCHOR_END: work
