//! The event loop: one thread, one epoll instance, every client.

use std::io;
use std::net::{SocketAddr, TcpListener, ToSocketAddrs};
use std::sync::Arc;

use nix::sys::eventfd::EventFd;

/// An echo server that serves every client from one thread with epoll.
#[derive(Debug)]
pub struct Server {
    listener: TcpListener,
    waker: Arc<EventFd>,
    // Add what the loop needs: the `nix::sys::epoll::Epoll`, the connections
    // by token (a `HashMap<u64, Connection>`), the next token to hand out, and
    // when a pause in accepting (after EMFILE) ends.
}

/// Stops a running [`Server`] from any thread. Cheap to clone.
#[derive(Clone, Debug)]
pub struct Stopper {
    waker: Arc<EventFd>,
}

impl Server {
    /// Binds a listening socket, creates the epoll instance and registers the
    /// listener and the wake-up eventfd with it.
    ///
    /// * The listener is non-blocking and registered `EPOLLIN | EPOLLET` with a
    ///   token of its own (say 0).
    /// * The waker is an `EventFd` (non-blocking, close-on-exec) registered
    ///   `EPOLLIN`, level-triggered, with another token (say 1): once
    ///   [`Stopper::stop`] has written to it, it stays readable.
    /// * The epoll instance is created close-on-exec
    ///   (`EpollCreateFlags::EPOLL_CLOEXEC`).
    ///
    /// Errors: the address cannot be bound (in use, not local), or the kernel
    /// refuses an epoll instance or an eventfd (out of file descriptors).
    pub fn bind(addr: impl ToSocketAddrs) -> io::Result<Server> {
        let _ = addr;
        todo!(
            "bind a non-blocking TcpListener, create the Epoll and an EventFd, and \
             register both with their own tokens (lesson 05.7, 'The epoll API')"
        )
    }

    /// The address the server listens on (the real port, after binding port 0).
    pub fn local_addr(&self) -> SocketAddr {
        self.listener
            .local_addr()
            .expect("a bound listener has an address")
    }

    /// A handle that stops [`Server::run`] from another thread.
    pub fn stopper(&self) -> Stopper {
        Stopper {
            waker: Arc::clone(&self.waker),
        }
    }

    /// Serves clients until stopped; returns `Ok(())` after [`Stopper::stop`].
    ///
    /// The loop: `epoll.wait` (no timeout; retry on `EINTR`), then for each ready
    /// event, by its token:
    ///
    /// * the waker's: return `Ok(())`;
    /// * the listener's: accept until `WouldBlock` (one edge may stand for many
    ///   clients). Skip `ConnectionAborted` and `Interrupted`; report any other
    ///   accept error on stderr and wait for the next event. After `EMFILE`,
    ///   `ENFILE`, `ENOBUFS` or `ENOMEM` (out of descriptors or memory) the
    ///   clients still in the backlog get no new edge: remember the failure,
    ///   wait with a timeout of [`ACCEPT_PAUSE`](crate::ACCEPT_PAUSE), and
    ///   accept again when it has passed. Make each accepted
    ///   stream non-blocking (it does not inherit that from the listener), set
    ///   `TCP_NODELAY`, give it a new token (never reuse one) and register it
    ///   `EPOLLIN | EPOLLOUT | EPOLLRDHUP | EPOLLET`;
    /// * a connection's: call [`Connection::pump`](crate::Connection::pump).
    ///   On [`Next::Rearm`](crate::Next::Rearm), `epoll.modify` the socket with
    ///   the same flags and token; on [`Next::Close`](crate::Next::Close) or an
    ///   error, `epoll.delete` it and drop the connection (report errors on
    ///   stderr). A token with no connection (closed earlier in the same
    ///   batch) is skipped.
    ///
    /// Returning drops every connection, which closes them: clients read
    /// end-of-file. Errors: only an `epoll_wait` failure other than `EINTR`.
    /// One client's trouble closes that client, never the server.
    pub fn run(mut self) -> io::Result<()> {
        let _ = &mut self;
        todo!(
            "wait for events and dispatch them by token: stop, accept everyone, or pump \
             a connection and re-arm or close it (lesson 05.7, 'The event loop')"
        )
    }
}

impl Stopper {
    /// Makes [`Server::run`] return `Ok(())`, wherever it is: write 1 to the
    /// eventfd, which makes it readable, and epoll reports it at once.
    /// Stopping twice, or before `run` started, is harmless.
    pub fn stop(&self) {
        let _ = &self.waker;
        todo!("write 1 to the eventfd (lesson 05.7, 'Waking the loop: an eventfd')")
    }
}
