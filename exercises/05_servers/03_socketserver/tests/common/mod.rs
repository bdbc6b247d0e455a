//! What the server tests share: a server's `run` on a thread, and the
//! handlers and clients the tests of `ThreadingServer` (`02_threading.rs`) and
//! `PoolServer` (`03_pool.rs`) use.

#![allow(dead_code)] // each test file uses a different part of this module

use std::io::{self, BufRead, BufReader, ErrorKind, Read, Write};
use std::net::{SocketAddr, TcpStream};
use std::sync::mpsc;
use std::sync::{Arc, Condvar, Mutex};
use std::thread;
use std::time::Duration;

use socketserver::{Handler, PoolServer, Stopper, ThreadingServer};
use testkit::net::{connect, is_timeout, IO_TIMEOUT};
use testkit::peak::PeakCounter;
use testkit::server::{quietly, Failure};
use testkit::{deadline::DEFAULT, echo, expect};

/// How long `run` may take to return after `stop`.
pub const STOP_WAIT: Duration = Duration::from_secs(3);

/// How long the test waits for a handler to start when one should.
pub const START_WAIT: Duration = Duration::from_secs(3);

/// How long the test watches for a handler that should NOT start. Nothing
/// can prove a thing will never happen; a correct pool never starts one, and
/// a wrong one starts it within microseconds. Waiting is the observation.
pub const QUIET: Duration = Duration::from_millis(200);

/// How `run` ended: it returned, or it panicked (its message and line).
type Outcome = Result<io::Result<()>, Failure>;

/// A server's `run` on its own thread.
pub struct Running {
    pub addr: SocketAddr,
    stopper: Stopper,
    done: mpsc::Receiver<Outcome>,
}

pub fn launch(
    addr: SocketAddr,
    stopper: Stopper,
    run: impl FnOnce() -> io::Result<()> + Send + 'static,
) -> Running {
    let (report, done) = mpsc::channel();
    thread::Builder::new()
        .name(format!("server {addr}"))
        .spawn(move || {
            // Quiet: a panic in run is reported once, by the test, with its line.
            let _ = report.send(quietly(run));
        })
        .unwrap();
    Running {
        addr,
        stopper,
        done,
    }
}

pub fn threading(handler: impl Handler) -> Running {
    let server = expect::ok(
        "ThreadingServer::bind(\"127.0.0.1:0\", ..)",
        ThreadingServer::bind("127.0.0.1:0", handler),
        "bind is given; any free loopback port should do",
    );
    launch(server.local_addr(), server.stopper(), move || server.run())
}

pub fn pool(workers: usize, handler: impl Handler) -> Running {
    let server = expect::ok(
        "PoolServer::bind(\"127.0.0.1:0\", ..)",
        PoolServer::bind("127.0.0.1:0", workers, handler),
        "bind is given; any free loopback port should do",
    );
    launch(server.local_addr(), server.stopper(), move || server.run())
}

impl Running {
    /// Runs `check`; if it fails and the server has died, reports the server.
    #[track_caller]
    pub fn check<T>(&self, check: impl FnOnce(SocketAddr) -> T) -> T {
        match quietly(|| check(self.addr)) {
            Ok(value) => value,
            Err(failure) => {
                match self.done.recv_timeout(Duration::from_millis(200)) {
                    Ok(Err(panic)) => panic!(
                        "run panicked while clients were talking to it, {}",
                        panic.located()
                    ),
                    Ok(Ok(result)) => panic!(
                        "run() returned {result:?} although nobody stopped it\n  \
                         hint: a failing handler ends its conversation, never the server"
                    ),
                    Err(_) => {}
                }
                panic!("{}", failure.message)
            }
        }
    }

    /// Stops the server and waits for `run` to return `Ok(())`.
    #[track_caller]
    pub fn stop(self) {
        self.stopper.stop();
        match self.done.recv_timeout(STOP_WAIT) {
            Ok(Ok(Ok(()))) => {}
            Ok(Ok(Err(err))) => {
                panic!("run() returned the error {err:?} after stop(); it should return Ok(())")
            }
            Ok(Err(panic)) => panic!("run panicked {}", panic.located()),
            Err(_) => panic!(
                "run() did not return within {} s after stop()\n  \
                 hint: each connection must be tracked (Connections::track) before its \
                 handler runs, so that stop can shut it down; a pool's workers must end \
                 when the queue's sender is dropped, and run must drop it before \
                 joining them",
                STOP_WAIT.as_secs()
            ),
        }
    }
}

/// One round trip, so that a server that is not running fails at once.
#[track_caller]
pub fn probe(addr: SocketAddr) {
    let mut client = connect(addr);
    echo::round_trip(&mut client, b"probe\n", "a first client");
}

/// Fails unless the server has closed `stream` (end-of-file or a reset).
#[track_caller]
pub fn expect_closed(stream: &mut TcpStream, who: &str, hint: &str) {
    let mut buf = [0u8; 64];
    match stream.read(&mut buf) {
        Ok(0) => {}
        Err(e) if e.kind() == ErrorKind::ConnectionReset => {}
        Ok(n) => panic!(
            "{who}: expected the connection to be closed, got \"{}\"",
            buf[..n].escape_ascii()
        ),
        Err(e) if is_timeout(&e) => panic!(
            "{who}: the connection stayed open for {} s\n  hint: {hint}",
            IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("{who}: expected end-of-file, got the error {e}"),
    }
}

/// A gate that handlers wait at until the test opens it.
#[derive(Clone, Default)]
pub struct Gate(Arc<(Mutex<bool>, Condvar)>);

impl Gate {
    pub fn open(&self) {
        let (open, changed) = &*self.0;
        *open.lock().unwrap() = true;
        changed.notify_all();
    }

    /// Waits until the gate is open; false if `limit` passes first.
    pub fn wait(&self, limit: Duration) -> bool {
        let (open, changed) = &*self.0;
        let guard = open.lock().unwrap();
        let (guard, _) = changed
            .wait_timeout_while(guard, limit, |open| !*open)
            .unwrap();
        *guard
    }
}

/// A handler that marks itself inside `peak`, says it started, waits at the
/// gate, then answers `served\n` and closes.
pub fn waiting_handler(peak: PeakCounter, gate: Gate) -> (impl Handler, mpsc::Receiver<()>) {
    let (started, starts) = mpsc::channel();
    let handler = move |mut stream: TcpStream, _peer: SocketAddr| -> io::Result<()> {
        let _inside = peak.enter();
        let _ = started.send(());
        if !gate.wait(DEFAULT) {
            return Err(io::Error::other("the test never opened the gate"));
        }
        stream.write_all(b"served\n")
    };
    (handler, starts)
}

/// Reads the `served\n` of a waiting handler.
#[track_caller]
pub fn expect_served(stream: TcpStream, who: &str) {
    let mut line = String::new();
    match BufReader::new(stream).read_line(&mut line) {
        Ok(_) if line == "served\n" => {}
        Ok(_) => panic!("{who}: expected \"served\\n\", got {line:?}"),
        Err(e) if is_timeout(&e) => panic!(
            "{who}: no answer within {} s after the handlers were released\n  hint: \
             every connection accepted or waiting must be served in the end: each \
             worker takes the next job when it is done with one",
            IO_TIMEOUT.as_secs()
        ),
        Err(e) => panic!("{who}: reading the answer failed: {e}"),
    }
}

/// A handler that panics on the line `panic`, fails on `fail`, echoes the rest.
pub fn moody_handler(stream: TcpStream, _peer: SocketAddr) -> io::Result<()> {
    let mut reader = BufReader::new(stream.try_clone()?);
    let mut writer = stream;
    let mut line = String::new();
    while reader.read_line(&mut line)? > 0 {
        match line.trim_end() {
            "panic" => panic!("a handler panics on purpose (this message is expected)"),
            "fail" => return Err(io::Error::other("a handler fails on purpose")),
            _ => writer.write_all(line.as_bytes())?,
        }
        line.clear();
    }
    Ok(())
}

/// How long a `slow_to_finish` handler works on after its client is gone.
/// Not a synchronisation: it widens the window in which a `run` that does not
/// wait for its handlers would return while one is still running.
pub const CLEANUP: Duration = Duration::from_millis(200);

/// A handler that marks itself inside `peak`, says it started, echoes until its
/// connection ends, then spends `CLEANUP` on cleanup work before it returns.
pub fn slow_to_finish(peak: PeakCounter) -> (impl Handler, mpsc::Receiver<()>) {
    let (started, starts) = mpsc::channel();
    let handler = move |stream: TcpStream, _peer: SocketAddr| -> io::Result<()> {
        let _inside = peak.enter();
        let _ = started.send(());
        let _ = io::copy(&mut &stream, &mut &stream);
        thread::sleep(CLEANUP);
        Ok(())
    };
    (handler, starts)
}

/// Connects `clients` clients to a `slow_to_finish` server, waits until every
/// handler runs, stops the server, and checks that no handler is still
/// running once `run` has returned.
#[track_caller]
pub fn run_returns_after_its_handlers(
    server: Running,
    peak: &PeakCounter,
    starts: &mpsc::Receiver<()>,
    clients: usize,
    hint: &str,
) {
    let _clients: Vec<TcpStream> =
        server.check(|addr| (0..clients).map(|_| connect(addr)).collect());
    for started in 0..clients {
        assert!(
            starts.recv_timeout(START_WAIT).is_ok(),
            "only {started} of {clients} handlers started while {clients} clients were connected"
        );
    }
    server.stop();
    expect::eq(
        "handlers still running after run() returned",
        &peak.current(),
        &0,
        hint,
    );
}

/// Sends `line` and expects the server to close the connection without a reply.
#[track_caller]
pub fn send_and_expect_closed(addr: SocketAddr, line: &str) {
    let mut client = connect(addr);
    client.write_all(format!("{line}\n").as_bytes()).unwrap();
    expect_closed(
        &mut client,
        &format!("a client that sent {line:?}"),
        "when the handler panics or fails, its connection is dropped, which closes it",
    );
}
