//! A `Server` on a thread, and helpers shared by the test files.

#![allow(dead_code)] // each test file uses a different part of this module

use std::any::Any;
use std::io::{self, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::panic::{self, AssertUnwindSafe};
use std::sync::mpsc::{self, Receiver, Sender};
use std::thread;
use std::time::{Duration, Instant};

use select_echo::{Server, Stopper};
use testkit::net::{is_timeout, IO_TIMEOUT};
use testkit::{expect, within};

/// How long `run` may take to return after a stop.
pub const STOP_WAIT: Duration = Duration::from_secs(2);

/// After a client failed: how long to wait for news that the server died.
const GRACE: Duration = Duration::from_millis(100);

/// What the test's threads report: the server's `run` ended, or a check did.
enum Event {
    ServerEnded(thread::Result<io::Result<()>>),
    CheckDone(thread::Result<()>),
}

/// A `Server` running on its own thread.
pub struct Running {
    pub addr: SocketAddr,
    stopper: Stopper,
    events: Receiver<Event>,
    report: Sender<Event>,
}

/// Binds a `Server` on a free loopback port and runs it on a thread.
#[track_caller]
pub fn start() -> Running {
    let server = expect::ok(
        "Server::bind(\"127.0.0.1:0\")",
        Server::bind("127.0.0.1:0"),
        "bind is written for you: is the loopback interface up?",
    );
    let addr = server.local_addr();
    let stopper = server.stopper();
    let (report, events) = mpsc::channel();
    let to_test = report.clone();
    thread::Builder::new()
        .name(format!("select server {addr}"))
        .spawn(move || {
            let outcome = panic::catch_unwind(AssertUnwindSafe(|| server.run()));
            let _ = to_test.send(Event::ServerEnded(outcome));
        })
        .expect("could not start the server thread");
    Running {
        addr,
        stopper,
        events,
        report,
    }
}

impl Running {
    /// Runs `body` (clients talking to the server) on a thread of its own, and
    /// fails the test as soon as either the body fails or `run` ends: a server
    /// that panics is reported with its own message at once, not as a client
    /// that waited seconds for an answer. `hint` is added to a body's failure.
    #[track_caller]
    pub fn check(&self, hint: &str, body: impl FnOnce(SocketAddr) + Send + 'static) {
        let addr = self.addr;
        let report = self.report.clone();
        thread::Builder::new()
            .name("clients".into())
            .spawn(move || {
                let outcome = panic::catch_unwind(AssertUnwindSafe(|| body(addr)));
                let _ = report.send(Event::CheckDone(outcome));
            })
            .expect("could not start a client thread");
        match self.events.recv().expect("the test's threads vanished") {
            Event::CheckDone(Ok(())) => {}
            Event::CheckDone(Err(panic)) => {
                // A server that died takes its clients down with it: if that is
                // what happened, its own message is the one to show.
                if let Ok(Event::ServerEnded(outcome)) = self.events.recv_timeout(GRACE) {
                    server_ended_early(outcome, hint);
                }
                panic!("{}\n  in this exercise: {hint}", message(&*panic))
            }
            Event::ServerEnded(outcome) => server_ended_early(outcome, hint),
        }
    }

    /// Stops the server and fails the test unless `run` returns `Ok(())` soon.
    #[track_caller]
    pub fn stop(self) {
        let started = Instant::now();
        self.stopper.stop();
        let outcome = within(
            STOP_WAIT,
            "Server::run to return after Stopper::stop",
            move || loop {
                match self.events.recv().expect("the server thread vanished") {
                    Event::ServerEnded(outcome) => return outcome,
                    Event::CheckDone(_) => continue,
                }
            },
        );
        match outcome {
            Ok(result) => expect::ok(
                "what Server::run returned after a stop",
                result,
                "a stop is not an error: return Ok(()) when the wake-up socket is readable",
            ),
            Err(panic) => panic::resume_unwind(panic),
        }
        expect::that(
            started.elapsed() < Duration::from_secs(1),
            "run returns within moments of a stop",
            started.elapsed(),
            "put the wake-up socket in the read set on every turn",
        );
    }
}

#[track_caller]
fn server_ended_early(outcome: thread::Result<io::Result<()>>, hint: &str) -> ! {
    match outcome {
        Err(panic) => panic!(
            "Server::run panicked while clients were talking to it: {}\n  \
             in this exercise: {hint}",
            message(&*panic)
        ),
        Ok(result) => panic!(
            "Server::run returned {result:?} while clients were still talking to it, and \
             nobody had asked it to stop\n  \
             hint: run loops until the wake-up socket is readable; an error of one client \
             closes that client, never the server"
        ),
    }
}

fn message(panic: &(dyn Any + Send)) -> &str {
    panic
        .downcast_ref::<String>()
        .map(String::as_str)
        .or_else(|| panic.downcast_ref::<&str>().copied())
        .unwrap_or("(no message)")
}

/// `len` bytes whose values depend on their position, so a lost, doubled or
/// moved piece shows.
pub fn pattern(len: usize) -> Vec<u8> {
    (0..len).map(|i| (i ^ (i >> 8) ^ (i >> 16)) as u8).collect()
}

/// Where two byte strings first differ, in words.
pub fn first_difference(got: &[u8], want: &[u8]) -> String {
    match got.iter().zip(want).position(|(a, b)| a != b) {
        Some(at) => format!("first difference at byte {at} of {}", want.len()),
        None => format!("{} bytes instead of {}", got.len(), want.len()),
    }
}

/// Sends `payload` from one thread while reading its echo on this one (so that
/// neither side waits for the other), and checks that it comes back intact.
#[track_caller]
pub fn echo_concurrently(client: &mut TcpStream, payload: &[u8], what: &str) {
    let writer = {
        let mut client = client.try_clone().unwrap();
        let payload = payload.to_vec();
        thread::spawn(move || client.write_all(&payload))
    };
    let echo = read_exactly(client, payload.len(), what);
    if let Err(e) = writer.join().unwrap() {
        panic!("{what}: sending failed: {e}\n  hint: the server must keep reading");
    }
    expect::that(
        echo == payload,
        &format!("{what}: the echo should be the bytes sent, in order"),
        first_difference(&echo, payload),
        "write from the front of the outbox and remove only what write() took",
    );
}

/// Reads exactly `len` bytes, each read bounded by the kit's timeout.
#[track_caller]
pub fn read_exactly(stream: &mut TcpStream, len: usize, what: &str) -> Vec<u8> {
    let mut got = vec![0u8; len];
    let mut filled = 0;
    while filled < len {
        match stream.read(&mut got[filled..]) {
            Ok(0) => panic!(
                "{what}: the server closed the connection after {filled} of {len} bytes\n  \
                 hint: close a connection only when the client has half-closed AND its \
                 outbox is empty"
            ),
            Ok(n) => filled += n,
            Err(e) if is_timeout(&e) => panic!(
                "{what}: {filled} of {len} bytes came back, then nothing for {} s\n  \
                 hint: what the socket would not take must wait in the outbox, and the \
                 socket must be in the write set while the outbox holds bytes",
                IO_TIMEOUT.as_secs()
            ),
            Err(e) => panic!("{what}: reading failed after {filled} of {len} bytes: {e}"),
        }
    }
    got
}

/// Connects a client whose receive buffer is small, so that the server's
/// writes to it fill up quickly and must wait for the write set.
pub fn connect_with_small_receive_buffer(addr: SocketAddr) -> TcpStream {
    let socket = socket2::Socket::new(socket2::Domain::IPV4, socket2::Type::STREAM, None)
        .expect("could not create a socket");
    // Before connect: the window announced in the handshake depends on it.
    socket.set_recv_buffer_size(16 * 1024).unwrap();
    socket
        .connect_timeout(&addr.into(), IO_TIMEOUT)
        .unwrap_or_else(|e| panic!("could not connect to the server at {addr}: {e}"));
    let stream: TcpStream = socket.into();
    stream.set_read_timeout(Some(IO_TIMEOUT)).unwrap();
    stream.set_write_timeout(Some(IO_TIMEOUT)).unwrap();
    stream
}
